/*
 * tgpl/history.h — a repository's licence over its history, and membership
 * of a file's content in the scanned corpus.
 *
 * History: tgpl_scan_history() walks every commit reachable from a revision
 * and records, per commit, the repository's declared licence (root licence
 * files, else root package metadata; DESIGN.md §1) and the TGPL clause ids
 * found in those files.  Only root-level licence files and manifests decide
 * the declared licence, so each commit's root tree is compared with its
 * first parent's and the licence is concluded again only when one of those
 * files changed; the files' analyses come from the content-addressed cache.
 * A history of N commits therefore costs N small root-tree reads plus one
 * analysis per distinct licence-file or manifest blob it meets.
 *
 * The rows go to the table `history` of the database (one per repository and
 * commit).  tgpl_report_timeline() prints the commits where the declared
 * licence or the clauses changed.
 */
#ifndef TGPL_HISTORY_H
#define TGPL_HISTORY_H

#include "common.h"
#include "db.h"
#include "detect.h"
#include "scan.h"

/* ---- history ------------------------------------------------------------- */

/** What one history scan did. */
typedef struct {
	char path[4096];         /**< canonical path of the repository, as stored */
	char kind[8];            /**< "git" or "bare" */
	char commit[41];         /**< the commit `rev` resolved to */
	uint64_t commits;        /**< commits recorded by this scan */
	uint64_t known;          /**< commits skipped: already recorded by this engine */
	uint64_t concluded;      /**< distinct root licence states concluded */
	uint64_t analysed;       /**< blobs analysed by this scan */
	uint64_t reused;         /**< blobs whose analysis was already stored */
	uint64_t changes;        /**< commits recorded that change the licence or clauses */
	char declared[512];      /**< declared licence at `commit`; "" if none (cut at 511 bytes) */
	char clauses[256];       /**< TGPL clause ids at `commit`, space-separated; "" if none */
} tgpl_history_result;

/**
 * Record the licence history of the git repository at `path`: every commit
 * reachable from `opts->rev` (NULL: HEAD).  Uses `opts->rev`,
 * `opts->detect` and `opts->progress` (reported per commit: `files` counts
 * the commits walked so far, `bytes` the bytes of blobs read); `jobs` is
 * ignored (the few blobs are analysed on the calling thread).
 *
 * Commits already recorded for this repository by this engine version are
 * not walked again (nor are their ancestors); rows written by another
 * engine version are replaced.  The rows are written in one transaction at
 * the end: on failure or interruption (TGPL_EINTR) none of this scan's rows
 * are stored, only reusable analyses.  The repository's row is created if
 * needed; its files are not recorded (that is tgpl_scan_path()'s job, and
 * `tgpl scan --history` runs both).  A plain directory is TGPL_EINVAL.
 * `out` may be NULL.
 */
int tgpl_scan_history(tgpl_history_result *out, tgpl_ctx *ctx, tgpl_db *db,
		      const tgpl_engine *engine, const char *path,
		      const tgpl_scan_options *opts);

/* ---- the timeline report ------------------------------------------------- */

typedef enum {
	TGPL_TIMELINE_TEXT,  /**< a block per change: date, commit, author, from -> to, clauses, files */
	TGPL_TIMELINE_JSON   /**< JSON Lines: one object per repository with its "changes" array */
} tgpl_timeline_format;

/**
 * The licence timeline of `repo_path` (as stored: tgpl_history_result.path),
 * or of every repository with a recorded history when `repo_path` is NULL:
 * the commits whose declared licence or TGPL clauses differ from their first
 * parent's (and a root commit that has a licence), parents before children,
 * each with its date (author date, UTC), commit id, author, the state before
 * and after, the clause ids added and removed, and the root licence files
 * and manifests that changed.
 *
 * Text is escaped for a terminal (control characters and invalid UTF-8 as
 * \xNN); JSON is RFC 8259 (invalid UTF-8 as U+FFFD).  The JSON object:
 *   {"repository":"/srv/x","changes":[{"commit":"…","parent":"…"|null,
 *    "date":"2024-01-31T12:00:00Z","time":1706702400,"author":"A <a@x>",
 *    "summary":"…","from":{"declared":"MIT"|null,"clauses":[…]},
 *    "to":{"declared":…,"clauses":[…]},"files":["LICENSE"]}]}
 *
 * Caller frees *out with free(); with nothing recorded *out is "" (text) or
 * has no line for the repository (JSON).  TGPL_ENOTFOUND when the database
 * holds no history at all, or none for `repo_path`.
 */
int tgpl_report_timeline(char **out, tgpl_ctx *ctx, tgpl_db *db, const char *repo_path,
			 tgpl_timeline_format format);

/* ---- membership ---------------------------------------------------------- */

/**
 * The git blob id (40 hex digits and a NUL, into out[41]) of the bytes of
 * the file at `path` (symlinks followed), as `git hash-object --no-filters`
 * computes it.  TGPL_ENOTFOUND / TGPL_EIO / TGPL_EINVAL (not a regular
 * file) with the message on ctx.
 */
int tgpl_blob_id_file(char out[41], tgpl_ctx *ctx, const char *path);

/** One file of a stored revision that holds a given blob.  Borrowed: valid during the callback. */
typedef struct {
	const char *repo_path;   /**< repository or directory path (bytes; NUL-terminated) */
	size_t repo_path_len;
	const char *kind;        /**< "git", "bare", "dir" */
	const char *commit_id;   /**< NULL for a directory */
	const char *ref;         /**< ref or expression scanned, or NULL */
	int64_t commit_time;     /**< 0 if none */
	const char *path;        /**< path in the tree (exact bytes; NUL-terminated) */
	size_t path_len;
	const char *concluded;   /**< the file's concluded licence, or NULL */
	const char *decided_by;  /**< which evidence decided it (DESIGN.md §1), or NULL */
	const char *expression;  /**< the blob's own licence expression, or NULL */
} tgpl_occurrence;

/** Receives one occurrence; a non-zero return stops the query (and is returned). */
typedef int (*tgpl_occurrence_cb)(const tgpl_occurrence *o, void *payload);

/**
 * Every file of every stored revision whose content is blob `oid` (40 hex
 * digits), ordered by repository, commit time and path; at most `limit`
 * of them (0: all) are passed to `cb`.  *total (if not NULL) gets the
 * number of such files in the database, before the first call of `cb`.
 */
int tgpl_db_blob_occurrences(tgpl_db *db, const char *oid, size_t limit, uint64_t *total,
			     tgpl_occurrence_cb cb, void *payload);

#endif
