/*
 * tgpl/report.h — output formats.  Each writes through a caller's sink so the
 * tool decides where it goes; everything is escaped for its format.
 */
#ifndef TGPL_REPORT_H
#define TGPL_REPORT_H

#include "common.h"
#include "db.h"
#include "detect.h"
#include "obligations.h"

/**
 * One line of `tgpl detect --json` (DESIGN.md §3), without the newline:
 * path, sha1_git, swhid, expression, licenses, clauses, optouts, skipped.
 * `path` is path_len bytes (invalid UTF-8 is replaced by U+FFFD).
 * Caller frees *out with free().
 */
int tgpl_report_detection_json(char **out, const char *path, size_t path_len,
			       const char *sha1_git, const tgpl_detection *det);

/* ---- reports over the database (`tgpl report`) ---------------------------- */

/** The formats of `tgpl report --format`. */
typedef enum {
	TGPL_REPORT_TEXT,         /**< "text": a terminal summary */
	TGPL_REPORT_JSON,         /**< "json": everything, schema docs/report-json-schema.json */
	TGPL_REPORT_CSV,          /**< "csv": one row per file (RFC 4180, formulas neutralised) */
	TGPL_REPORT_MD,           /**< "md": a Markdown review document */
	TGPL_REPORT_HTML,         /**< "html": one self-contained page for legal review */
	TGPL_REPORT_SPDX_JSON,    /**< "spdx-json": SPDX 2.3, JSON */
	TGPL_REPORT_SPDX3_JSONLD, /**< "spdx3-jsonld": SPDX 3.0.1, JSON-LD */
	TGPL_REPORT_SWHID,        /**< "swhid": the provenance manifest, one line per file */
	TGPL_REPORT_NOTICE        /**< "notice": the NOTICE bundle */
} tgpl_report_format;

/** The version of the `--format json` schema (its "tgpl_report" member). */
#define TGPL_REPORT_JSON_VERSION 1

/** The format named `name` ("spdx-json", ...): 0, or TGPL_EINVAL if unknown. */
int tgpl_report_format_from_name(tgpl_report_format *out, const char *name);
/** The name of a format ("text", ...); borrowed, static. */
const char *tgpl_report_format_name(tgpl_report_format format);
/** The names of every format, comma-separated ("text, json, ..."); static. */
const char *tgpl_report_format_names(void);

/**
 * Receives the report's bytes in order (not NUL-terminated).  A non-zero
 * return stops the report, which then fails with TGPL_EIO.
 */
typedef int (*tgpl_report_write_cb)(const char *data, size_t len, void *payload);

#define TGPL_REPORT_COLOR 0x1u  /**< text: ANSI colours (the caller decides: tty, NO_COLOR) */

typedef struct {
	unsigned int version;
	tgpl_report_format format;
	unsigned int flags;           /**< TGPL_REPORT_* */
	int64_t created;              /**< the document's time, seconds since the epoch; 0: now */
	const tgpl_engine *engine;    /**< the licence list (ids, exceptions, texts); required by
	                                   spdx-json, spdx3-jsonld and notice, unused by the others */
	tgpl_report_write_cb write;   /**< where the bytes go (required) */
	void *payload;
	const tgpl_obligations *obligations; /**< the obligation model's result over the same
	                                   database (borrowed), used by text, json, csv, md, html
	                                   and notice; NULL: computed under tgpl_policy_default() */
} tgpl_report_options;

#define TGPL_REPORT_OPTIONS_VERSION 1
#define TGPL_REPORT_OPTIONS_INIT \
	{ TGPL_REPORT_OPTIONS_VERSION, TGPL_REPORT_TEXT, 0, 0, NULL, NULL, NULL, NULL }

/**
 * Write a report of the corpus stored in `db`: for every repository, its most
 * recently scanned revision, with the analyses of the engine version that
 * scanned it.  Paths are the exact bytes stored; each format escapes them.
 *
 * text, json, csv, md, html and notice include the obligations of
 * training on the corpus (tgpl/obligations.h): the verdicts, each
 * obligation with its evidence, and the conflicts.  To judge under a policy
 * other than the default, or to know whether it denies anything, compute
 * them first and pass them in opts->obligations.
 *
 * spdx-json and spdx3-jsonld hash file contents (SHA-1), and html (evidence
 * excerpts) and notice (copyright lines) read contents, from the
 * repositories at report time (the database keeps
 * no contents): a repository that is gone, or a directory whose file changed
 * since the scan, is reported as a warning through the context's log, and
 * the document says what it could not include.
 *
 * Output goes through opts->write as it is produced (memory stays bounded by
 * the largest repository's file list, not by the corpus); on failure part of
 * the report may have been written.
 */
int tgpl_report_write(tgpl_ctx *ctx, tgpl_db *db, const tgpl_report_options *opts);

#endif
