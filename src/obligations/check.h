/*
 * check.h — `tgpl check`: a maintainer's lint of one scanned revision.
 *
 * The checks read what a scan stored (files, their analyses and findings,
 * the concluded licences and the declared licence) and report problems a
 * maintainer can fix, each with file:line, a severity and a one-line fix.
 * Written as a public header (only tgpl/ headers, tgpl_ names) so that it
 * can move to include/tgpl/ unchanged.
 *
 *   check id                  default   what
 *   no-license                error     no root licence file and no licence in root metadata
 *   declared-mismatch         error     most files with a licence statement say another licence
 *                                       than the declared one
 *   metadata-mismatch         error     a manifest's licence field disagrees with the licence
 *                                       file that covers it
 *   invalid-spdx-id           error     unknown SPDX id, malformed expression, unrecognised
 *                                       licence name in a manifest
 *   deprecated-spdx-id        warning   a deprecated SPDX id (GPL-2.0, GPL-2.0+, ...)
 *   copied-code               warning   a file whose own licence is not the one covering it
 *   vendored-code             warning   a directory with a licence file of another licence
 *   missing-header            warning   a file with no licence information where the
 *                                       project's convention expects one
 *   unrecognised-license      warning   a licence file in which no licence is recognised
 *   tgpl-clauses-missing      error     a TGPL rider (or a declared TGPL) lacking clauses
 *   tgpl-clauses-reworded     warning   all five clauses, but some reworded
 *   tgpl-rider-base-forbids   error     the rider added to a licence that forbids further
 *                                       restrictions (GPL-2.0 §6, LGPL-2.x §10)
 *   tgpl-rider-base-weak      warning   the rider added to a licence that lets recipients
 *                                       remove further restrictions (GPL-3.0 family §7)
 *   optout-contradiction      error     a training opt-out in a project whose licence permits
 *                                       training (TGPL training-permitted)
 *
 * A policy file (TOML) may change the severity of any check, or turn it off:
 *
 *   [check]
 *   missing-header = "off"          # "error", "warning", "info" or "off"
 *   copied-code = "error"
 *   ignore = ["tests/data/x.c"]    # fnmatch(3) patterns ('*' also matches '/'):
 *                                   # findings in these files are dropped
 *
 * Other tables of the file belong to other commands and are ignored.
 */
#ifndef TGPL_CHECK_H
#define TGPL_CHECK_H

#include "tgpl/common.h"
#include "tgpl/db.h"

typedef enum {
	TGPL_SEVERITY_ERROR,
	TGPL_SEVERITY_WARNING,
	TGPL_SEVERITY_INFO,
	TGPL_SEVERITY_OFF        /**< only in policies: the check is not run */
} tgpl_severity;

/** "error", "warning", "info", "off". */
const char *tgpl_severity_name(tgpl_severity s);

/** One finding.  Borrowed: valid during the callback. */
typedef struct {
	const char *check;       /**< the check id (table above) */
	tgpl_severity severity;  /**< after the policy */
	const char *path;        /**< file (exact bytes, NUL-terminated), or NULL for the repository */
	size_t path_len;
	uint32_t line;           /**< 1-based; 0 when the finding is about the whole file */
	const char *message;     /**< one line, no trailing period */
	const char *fix;         /**< one line: what to do */
} tgpl_check_finding;

/** Receives each finding; a non-zero return stops the check (and is returned). */
typedef int (*tgpl_check_cb)(const tgpl_check_finding *f, void *payload);

/** Totals of a check run (after the policy). */
typedef struct {
	uint64_t errors;
	uint64_t warnings;
	uint64_t infos;
	uint64_t dropped;        /**< findings over the cap (TGPL_CHECK_MAX_FINDINGS), counted, not reported */
	char declared[512];      /**< the revision's declared licence; "" if none (cut at 511 bytes) */
} tgpl_check_summary;

#define TGPL_CHECK_MAX_FINDINGS 50000

typedef struct tgpl_check_policy tgpl_check_policy;

/**
 * Read the [check] table of the policy file at `path`.  Caller frees with
 * tgpl_check_policy_free().  TGPL_EINVAL (with file and line on ctx) for a
 * malformed file, an unknown check id or severity; TGPL_ENOTFOUND / TGPL_EIO
 * if it cannot be read; TGPL_ETOOBIG over 1 MiB.
 */
int tgpl_check_policy_load(tgpl_check_policy **out, tgpl_ctx *ctx, const char *path);
void tgpl_check_policy_free(tgpl_check_policy *policy);

/**
 * Check one stored revision: `repo_path` as stored (tgpl_scan_result.path)
 * and `commit` (NULL for a scanned directory).  `policy` may be NULL (the
 * defaults).  Findings come to `cb` in order: the repository's first, then by
 * path, line and check id.  *out (may be NULL) gets the totals.
 * TGPL_ENOTFOUND if the revision is not stored.
 */
int tgpl_check_revision(tgpl_check_summary *out, tgpl_ctx *ctx, tgpl_db *db,
			const char *repo_path, const char *commit,
			const tgpl_check_policy *policy, tgpl_check_cb cb, void *payload);

/**
 * One finding as a JSON object (no newline):
 * {"check":…,"severity":…,"path":…|null,"line":N|null,"message":…,"fix":…}.
 * Caller frees *out with free().
 */
int tgpl_check_finding_json(char **out, const tgpl_check_finding *f);

#endif
