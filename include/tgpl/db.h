/*
 * tgpl/db.h — the SQLite database a scan writes and reports read.
 *
 * The schema is db/schema.sql (embedded at build time).  A database carries
 * PRAGMA application_id 'TGPL' and user_version = schema version; older
 * versions are migrated forward on open, newer ones are refused.
 */
#ifndef TGPL_DB_H
#define TGPL_DB_H

#include "common.h"

typedef struct tgpl_db tgpl_db;

#define TGPL_DB_READONLY 0x1u  /**< open for reading; never creates or migrates */

/** The schema version this library writes. */
#define TGPL_SCHEMA_VERSION 3

/**
 * Open (creating if needed, unless TGPL_DB_READONLY) the database at `path`.
 * Caller closes with tgpl_db_close().
 */
int tgpl_db_open(tgpl_db **out, tgpl_ctx *ctx, const char *path, unsigned int flags);
void tgpl_db_close(tgpl_db *db);

/**
 * Group commit for scans into `db`: instead of one commit per repository,
 * the repositories finished within `seconds` (0: off, the default) are
 * committed together, each still whole or not at all.  A commit writes every
 * database page it dirtied, and analyses keyed by blob ids dirty pages all
 * over their tables, so a corpus of small repositories scans several times
 * faster.  A process killed meanwhile loses at most those seconds of work;
 * tgpl_db_flush() and tgpl_db_close() commit what is pending.
 */
void tgpl_db_set_group_commit(tgpl_db *db, unsigned int seconds);

/** Commit what the scans into `db` have left pending (group commit). */
int tgpl_db_flush(tgpl_db *db);

/** Totals over the whole database. */
typedef struct {
	int64_t repositories;
	int64_t revisions;
	int64_t files;       /**< file rows (all revisions) */
	int64_t blobs;       /**< distinct blob ids */
	int64_t bytes;       /**< total size of distinct blobs */
	int64_t analyses;    /**< (blob, engine) analyses stored */
	int64_t findings;    /**< licence, clause and opt-out findings stored */
} tgpl_db_stats;

int tgpl_db_stats_get(tgpl_db_stats *out, tgpl_db *db);

/** Receives one (label, count) row; a non-zero return stops the query. */
typedef int (*tgpl_count_cb)(const char *label, int64_t count, void *payload);

/**
 * Files of one stored revision counted by their own licence expression
 * (label "(none)" for files without one, "(skipped: binary)" and the like for
 * skipped blobs), most frequent first.  `commit` is a commit id, or NULL for
 * a scanned directory.  `engine` selects the analyses to read.
 */
int tgpl_db_license_counts(tgpl_db *db, const char *repo_path, const char *commit,
			   const char *engine, tgpl_count_cb cb, void *payload);

/** Record a finished scan run (what it analysed and what it reused). */
int tgpl_db_log_scan(tgpl_db *db, int64_t started, const char *engine, int64_t repos,
		     int64_t files, int64_t analysed, int64_t reused);

/** Rows one tgpl_db_merge() added to the output database. */
typedef struct {
	int64_t repositories;
	int64_t revisions;   /**< revisions copied (those already present are skipped whole) */
	int64_t files;
	int64_t blobs;
	int64_t analyses;
	int64_t findings;
	int64_t scans;
	int64_t history;     /**< licence-history rows (when the input has any) */
} tgpl_merge_stats;

/**
 * Merge the database at `input` (a shard written by `tgpl scan --shard`, or
 * any tgpl database) into `db`, in one transaction.  The input is attached
 * read-only and must carry this schema version, and every engine version in
 * its revisions and analyses must equal every one already in `db` (results
 * of different engines are never mixed): otherwise TGPL_ESCHEMA and nothing
 * is written.  Repositories are matched by path; a revision (repository,
 * commit) already in `db` is skipped with its files; blobs, analyses and
 * findings are content-addressed and copied when absent; scan runs are
 * copied unless an identical row exists.  Merging the same input twice
 * therefore adds nothing.  `out` may be NULL.
 */
int tgpl_db_merge(tgpl_merge_stats *out, tgpl_db *db, const char *input);

/** The underlying sqlite3 handle (borrowed), for reports inside the library. */
struct sqlite3 *tgpl_db_handle(tgpl_db *db);

#endif
