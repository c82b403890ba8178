/*
 * tgpl/detect.h — licence, clause and opt-out detection on a blob's bytes.
 *
 * Detection is a pure function of (bytes, file name, engine): the engine holds
 * the compiled licence index and rules, is read-only once opened, and may be
 * shared by any number of threads.
 */
#ifndef TGPL_DETECT_H
#define TGPL_DETECT_H

#include "common.h"

typedef struct tgpl_engine tgpl_engine;

/** How a licence was found (the `kind` of the JSON contract). */
/** The project's own ids: the TGPL rider (an SPDX addition) and the standalone licence. */
#define TGPL_RIDER_ID   "AdditionRef-TGPL-1.0"
#define TGPL_LICENSE_ID "LicenseRef-TGPL-1.0"

typedef enum {
	TGPL_KIND_TAG,       /**< SPDX-License-Identifier, REUSE */
	TGPL_KIND_TEXT,      /**< a licence text, whole or partial */
	TGPL_KIND_NOTICE,    /**< a standard header or notice */
	TGPL_KIND_REFERENCE, /**< "Licensed under the MIT License", "see LICENSE" */
	TGPL_KIND_METADATA   /**< package manifest */
} tgpl_kind;

/** A range of lines, 1-based and inclusive. */
typedef struct {
	uint32_t start_line;
	uint32_t end_line;
} tgpl_span;

/** One piece of licence evidence in a file. */
typedef struct {
	char *spdx;          /**< one canonical id (licence, exception, LicenseRef-, AdditionRef-),
	                          NOASSERTION for a malformed expression, or NULL for a
	                          reference that names no licence ("see the LICENSE file") */
	char *expr;          /**< the whole expression the id came from (tag, metadata,
	                          notice), canonical; NULL for a plain text match */
	tgpl_kind kind;
	uint32_t start_line; /**< 1-based; 0 when the file has no lines */
	uint32_t end_line;
	double score;        /**< fraction of the reference matched; 1.0 for tags */
	char *rule;          /**< what decided: "spdx-tag", "text", a rule id, a manifest field */
	char *note;          /**< NULL, or a diagnostic: "unknown id 'Foo'", "malformed expression" */
	tgpl_span *unmatched;/**< spans of the file inside the match that the reference lacks */
	size_t n_unmatched;
} tgpl_license_hit;

/** One TGPL clause (DESIGN.md §4) found in a file. */
typedef struct {
	char *id;            /**< "weight-release", ... */
	char *kind;          /**< "text", "paraphrase", "reference" */
	uint32_t start_line;
	uint32_t end_line;
	double score;
	char *rule;
} tgpl_clause_hit;

/** A training opt-out signal. */
typedef struct {
	char *kind;          /**< "license-rider", "tdmrep", "ai.txt", "robots.txt", "html-meta" */
	uint32_t start_line;
	uint32_t end_line;
	char *detail;        /**< e.g. the crawler name, NULL if none */
} tgpl_optout_hit;

/** Everything detected in one blob.  Owned by the caller: tgpl_detection_free(). */
typedef struct {
	char *expression;         /**< the file's own licence expression, or NULL */
	tgpl_license_hit *licenses;
	size_t n_licenses;
	tgpl_clause_hit *clauses;
	size_t n_clauses;
	tgpl_optout_hit *optouts;
	size_t n_optouts;
	char *skipped;            /**< NULL, or why the blob was not analysed ("binary", "too-big") */
	uint32_t n_lines;
} tgpl_detection;

/** Limits applied to every blob. */
typedef struct {
	unsigned int version;
	size_t max_file_size;     /**< bytes; larger blobs are skipped "too-big" */
} tgpl_detect_options;

#define TGPL_DETECT_OPTIONS_VERSION 1
#define TGPL_DEFAULT_MAX_FILE_SIZE ((size_t)16 << 20)
#define TGPL_DETECT_OPTIONS_INIT { TGPL_DETECT_OPTIONS_VERSION, TGPL_DEFAULT_MAX_FILE_SIZE }

/**
 * Open the engine from the licence index in `datadir` (NULL: $TGPL_DATADIR,
 * then the installed data directory).  Caller frees with tgpl_engine_free().
 */
int tgpl_engine_open(tgpl_engine **out, tgpl_ctx *ctx, const char *datadir);
void tgpl_engine_free(tgpl_engine *engine);

/**
 * The engine version: a string that changes whenever the code or the data
 * could change a detection result.  Borrowed; valid until the engine is freed.
 */
const char *tgpl_engine_version(const tgpl_engine *engine);

/**
 * Detect in `len` bytes of `data`.  `path` is the file's path in its tree
 * (used for file-name rules: LICENSE, package.json, ...; may be NULL).
 * Caller frees *out with tgpl_detection_free().
 */
int tgpl_detect(tgpl_detection **out, tgpl_ctx *ctx, const tgpl_engine *engine,
		const tgpl_detect_options *opts, const char *path,
		const void *data, size_t len);
void tgpl_detection_free(tgpl_detection *det);

/** Name of a kind as in the JSON contract ("tag", "text", ...). */
const char *tgpl_kind_name(tgpl_kind kind);

/** A licence known to the engine. Borrowed from the engine. */
typedef struct {
	const char *id;       /**< canonical SPDX id or LicenseRef- */
	const char *name;
	int osi_approved;
	int deprecated;       /**< the id is deprecated in the SPDX list */
	const char *replaced_by; /**< for deprecated ids, NULL otherwise */
	const char *url;
	const char *category; /**< "permissive", "copyleft", ... (licenses/categories.tsv) */
	const char *text;     /**< the reference text, NULL if the engine has none */
} tgpl_license_info;

/** Number of licences; and the i-th in id order. */
size_t tgpl_engine_license_count(const tgpl_engine *engine);
const tgpl_license_info *tgpl_engine_license_at(const tgpl_engine *engine, size_t i);
/** Look an id up case-insensitively (deprecated ids too); NULL if unknown. */
const tgpl_license_info *tgpl_engine_license(const tgpl_engine *engine, const char *id);

#endif
