/*
 * rules.h — notice and reference rules: licence knowledge kept as data.
 *
 * The rule files licenses/rules/NN-name.rules (installed in <datadir>/rules/) hold
 * one stanza per rule: an id, the SPDX id or expression it yields, its kind
 * (notice or reference), literal prefilter keys, a PCRE2 pattern, an optional
 * `unless` pattern and a note.  licenses/README.md documents the format.
 *
 * The engine loads the set once (tgpl_engine_open()) and detect_rules()
 * runs it over every blob:
 *
 *  1. The blob is normalised once: comment markers at line starts (and box
 *     ends) removed, white space runs (newlines included) folded to one
 *     space, ASCII lower case, typographic quotes and dashes folded to ASCII,
 *     other non-ASCII characters and invalid bytes turned into 0x1A.  Only
 *     the first and last RULES_SCAN_HALF bytes of a blob over twice that are
 *     read.  A per-line table maps normalised offsets back to lines.
 *  2. One Aho-Corasick pass over the normalised text finds which prefilter
 *     keys occur; a rule none of whose keys occurs costs nothing more.
 *  3. Each remaining rule's pattern runs (with match and depth limits) over
 *     the normalised text; a match is dropped if the rule's `unless` pattern
 *     matches within `window` bytes around it, or (with `check: known`) if
 *     the expression it yields names an id the engine does not know.
 *  4. Overlapping hits are resolved in rule order (files by name, then as
 *     written): a later hit is dropped if it overlaps an earlier one of the
 *     same group, or one with the same expression, or lies inside any
 *     earlier hit.  A template "WITH <exception>" attaches to the closest
 *     single-licence hit before it.
 */
#ifndef TGPL_RULES_H
#define TGPL_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "detect/detect_int.h"
#include "tgpl/common.h"

/* Bytes read from each end of a large blob. */
#define RULES_SCAN_HALF ((size_t)1 << 20)
/* Hits one blob may yield (further matches are ignored). */
#define RULES_MAX_HITS 64

struct rule_set;

/*
 * Load every file of `dir` whose name ends in ".rules", in name order, and compile them.
 * Caller frees *out with rules_free().  A missing directory is TGPL_EDATA
 * (broken data, not "no rules"); a directory without rule files gives an
 * empty set.  Returns 0, TGPL_ENOMEM, or TGPL_EDATA with a message on ctx
 * naming file and line ("dir/gnu.rules:12: bad pattern: ...").
 */
int rules_load(struct rule_set **out, tgpl_ctx *ctx, const char *dir);

/* Load and compile a single rule file (tools and tests).  As rules_load(). */
int rules_load_file(struct rule_set **out, tgpl_ctx *ctx, const char *path);

void rules_free(struct rule_set *set);

/* What a loaded rule says; all strings borrowed from the set. */
typedef struct {
	const char *id;
	const char *spdx;      /* the template; NULL for "-" (no licence) */
	int attach;            /* the template was "WITH <spdx>": joins the hit before */
	tgpl_kind kind;        /* TGPL_KIND_NOTICE or TGPL_KIND_REFERENCE */
	const char *group;     /* the rule's group (its id when it names none) */
	const char *note;
	const char *file;      /* the file it came from */
	uint32_t line;         /* the line of its `rule:` field */
	int check_known;
} rule_info;

/* Number of rules (NULL set: 0); and the i-th in load order (NULL if out of range). */
size_t rules_count(const struct rule_set *set);
int rules_info(const struct rule_set *set, size_t i, rule_info *out);

/*
 * Run `set` over `t`, adding hits to `b` (kind from the rule, score 1.0,
 * rule = the rule id; expressions through spdx_emit(), "-" rules with spdx
 * NULL).  `set` may be NULL (nothing found).  Returns 0 or TGPL_ENOMEM.
 * detect_rules() is this with engine_rules(e).
 */
int rules_detect(det_builder *b, const tgpl_engine *e, const struct rule_set *set,
		 const text_view *t);

/* The normalised view of a blob (exposed for tests). */
typedef struct {
	char *text;          /* NUL-terminated, ASCII */
	size_t len;
	uint32_t *off;       /* off[k]: normalised offset where a scanned line begins */
	uint32_t *line;      /* line[k]: that line's 1-based number */
	size_t n;
} rules_norm;

/* Build the normalised view of t.  Release with rules_norm_release().  0 or TGPL_ENOMEM. */
int rules_normalise(rules_norm *out, const text_view *t);
void rules_norm_release(rules_norm *n);
/* The line of normalised offset `off` (0 if there are no lines). */
uint32_t rules_norm_line(const rules_norm *n, size_t off);

#endif
