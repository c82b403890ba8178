/*
 * clauses.h — the TGPL clause detector (DESIGN.md §4) and the AI and data
 * licences the SPDX list lacks.
 *
 * detect_clauses() runs after every other detector and adds:
 *
 *   clause hits   each TGPL clause id (training-permitted, weight-release,
 *                 data-provenance, finetune-inheritance, network-use), kind
 *                 "text" (our wording, translations included), "paraphrase"
 *                 (other wordings) or "reference" (implied by a
 *                 LicenseRef-TGPL-1.0 or AdditionRef-TGPL-1.0 already found
 *                 in an SPDX tag or a manifest: the five clauses, score
 *                 1.0, the lines and rule of that hit);
 *                 training-prohibited, kind "paraphrase", score 1.0, rule
 *                 "optout:license-rider", for each licence-rider opt-out that
 *                 detect_optouts() reported (same lines: one code path).
 *   licence hits  kind text for the AI licences whose distinctive clause set
 *                 the clause rules describe (score: the fraction found);
 *                 kind metadata for the `license:` of a Hugging Face card
 *                 (README.md opening with YAML front matter), its keywords
 *                 mapped through <datadir>/hf-licenses.tsv.
 *
 * Titles, notices and references of these licences are ordinary notice rules
 * (licenses/rules/65-ai-models.rules, run by rules.c); their LicenseRef- ids
 * come from <datadir>/ai-licenses.tsv, which the engine merges into its
 * licence list so that every id is known (tgpl_engine_license()).
 *
 * Clause rules are data: <datadir>/clauses/NN-name.rules, in the stanza
 * format of the notice rules, with the fields licenses/README.md ("Clause
 * rules") documents.  A rule is an anchor pattern plus concept slots searched
 * in the sentence (or section) around it; its score is
 * (1 + slots found) / (1 + slots), a negation (`unless`) near the anchor
 * suppresses it.  Files are normalised once into a view that keeps UTF-8
 * (rules_normalise() folds non-ASCII away, and the translations are
 * Japanese and Korean), with the line map of rules_norm; a literal
 * prefilter over the raw bytes (one Aho-Corasick pass) skips files without
 * any clause keyword before anything is normalised.
 */
#ifndef TGPL_CLAUSES_H
#define TGPL_CLAUSES_H

#include <stddef.h>

#include "detect/detect_int.h"
#include "tgpl/common.h"

/* Bytes read from each end of a large blob (as rules.c). */
#define CLAUSES_SCAN_HALF ((size_t)1 << 20)
/* Clause and licence hits one blob may yield from the clause rules. */
#define CLAUSES_MAX_HITS 64

struct clause_data;

/*
 * Load <datadir>/clauses/ (every "*.rules" file, in name order),
 * <datadir>/ai-licenses.tsv and <datadir>/hf-licenses.tsv, and compile the
 * rules.  Caller frees *out with clauses_free().  A data directory without
 * clauses/ or the two tables (installed before they existed) loads as an
 * empty set.  Returns 0, TGPL_ENOMEM, or TGPL_EDATA with a message naming
 * file and line ("dir/30-paraphrase.rules:12: bad pattern: ...").
 */
int clauses_load(struct clause_data **out, tgpl_ctx *ctx, const char *datadir);
/* Load rule files from `dir` only (tests and tools); no tables.  As above,
 * except that a missing directory is TGPL_EDATA. */
int clauses_load_dir(struct clause_data **out, tgpl_ctx *ctx, const char *dir);
void clauses_free(struct clause_data *cd);

/* Number of rules (NULL: 0). */
size_t clauses_rule_count(const struct clause_data *cd);

/* What a loaded rule says; strings borrowed from the set. */
typedef struct {
	const char *id;
	const char *target;    /* clause id, or licence id */
	int is_license;        /* target is a licence (kind text) */
	const char *kind;      /* "text" or "paraphrase" */
	const char *file;
	uint32_t line;
	size_t n_slots;
} clause_rule_info;

/* The i-th rule in load order; 0 or TGPL_ENOTFOUND. */
int clauses_rule_info(const struct clause_data *cd, size_t i, clause_rule_info *out);

/*
 * The licences of ai-licenses.tsv, for the engine's licence list: their
 * number, and the i-th as a tgpl_license_info (id, name, url, category; no
 * text).  Strings are borrowed from `cd`.
 */
size_t clauses_license_count(const struct clause_data *cd);
void clauses_license_info(const struct clause_data *cd, size_t i, tgpl_license_info *out);

/* The licence id a Hugging Face `license:` keyword stands for (case-insensitive),
 * or NULL.  Borrowed. */
const char *clauses_hf_license(const struct clause_data *cd, const char *kw, size_t n);

/* The engine's clause data (engine.c). */
const struct clause_data *engine_clauses(const tgpl_engine *e);

/*
 * The detector (see the top of this file) with engine_clauses(e).
 * Returns 0 or TGPL_ENOMEM.
 */
int detect_clauses(det_builder *b, const tgpl_engine *e, const text_view *t);
/* The same with an explicit rule set (tests); `cd` may be NULL. */
int clauses_detect(det_builder *b, const tgpl_engine *e, const struct clause_data *cd,
		   const text_view *t);

#endif
