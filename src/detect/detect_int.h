/*
 * detect_int.h — what the detectors share inside the library.
 *
 * tgpl_detect() (engine.c) prepares a text_view of the blob and calls each
 * detector in turn; a detector appends what it finds to a det_builder.
 * Detectors are pure: they read the bytes and the engine, nothing else, and
 * never print.  Every hit carries its line span and the rule that decided.
 */
#ifndef TGPL_DETECT_INT_H
#define TGPL_DETECT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tgpl/detect.h"

/* The blob as text, with its line table.  Lines are 1-based. */
typedef struct {
	const char *data;        /* the blob's bytes (borrowed; not NUL-terminated; may hold NULs) */
	size_t len;
	const uint32_t *line_off;/* line_off[i] = offset of line i+1; n_lines entries */
	uint32_t n_lines;
	const char *path;        /* path in the tree, or NULL */
	const char *basename;    /* last component of path, or "" */
} text_view;

/* Line (1-based) containing byte offset `off` (off may equal len). */
uint32_t text_line_of(const text_view *t, size_t off);

/* Accumulates one blob's hits. */
typedef struct {
	tgpl_detection *det;
	size_t cap_licenses, cap_clauses, cap_optouts;
} det_builder;

/* Append a licence hit; strings are copied; `unmatched` may be NULL. 0 or TGPL_ENOMEM. */
int det_add_license(det_builder *b, const char *spdx, tgpl_kind kind,
		    uint32_t start_line, uint32_t end_line, double score,
		    const char *rule, const char *note,
		    const tgpl_span *unmatched, size_t n_unmatched);
/* Set `expr` (copied; NULL clears) on every licence hit from index `from` on. */
int det_set_expr(det_builder *b, size_t from, const char *expr);
int det_add_clause(det_builder *b, const char *id, const char *kind,
		   uint32_t start_line, uint32_t end_line, double score, const char *rule);
int det_add_optout(det_builder *b, const char *kind, uint32_t start_line,
		   uint32_t end_line, const char *detail);

/* Id lookups against the engine's licence list (case-insensitive). */
const tgpl_license_info *engine_license(const tgpl_engine *e, const char *id, size_t n);
/* Look a licence up by its full name ("MIT License", "Apache License 2.0"),
 * case- and white-space-insensitively; NULL if unknown. */
const tgpl_license_info *engine_license_by_name(const tgpl_engine *e, const char *name, size_t n);
/* Canonical spelling of a licence exception id, or NULL if unknown. */
const char *engine_exception(const tgpl_engine *e, const char *id, size_t n);

/* The compiled notice/reference rules (src/detect/rules.h), owned by the engine. */
struct rule_set;
const struct rule_set *engine_rules(const tgpl_engine *e);
/* The licence-name table (src/detect/metadata.c), owned by the engine. */
struct name_table;
const struct name_table *engine_names(const tgpl_engine *e);
/* The compiled licence index (src/detect/index.h), owned by the engine. */
struct lidx;
const struct lidx *engine_index(const tgpl_engine *e);
/* The opt-out detector's crawler table and patterns (src/detect/optout.h). */
struct optout_data;
const struct optout_data *engine_optouts(const tgpl_engine *e);
/* The engine's data directory (borrowed). */
const char *engine_datadir(const tgpl_engine *e);

/* Detectors.  Each returns 0 or a negative TGPL_E* code (only on ENOMEM). */
int detect_spdx_tags(det_builder *b, const tgpl_engine *e, const text_view *t);
int detect_license_text(det_builder *b, const tgpl_engine *e, const text_view *t);
int detect_rules(det_builder *b, const tgpl_engine *e, const text_view *t);
int detect_metadata(det_builder *b, const tgpl_engine *e, const text_view *t);

#endif
