/*
 * store.h — the scan's writer side of the database (inside the library).
 *
 * A repository's rows are written at its end, inside a savepoint, from a
 * staging table in SQLite's temp database that the walk fills; detection
 * results are content-addressed and written into the batch transaction as
 * they come (they describe blobs, not repositories, so a killed scan leaves
 * only reusable cache).  The batch commits after each repository, or with
 * group commit (tgpl_db_set_group_commit()) every few seconds, taking the
 * repositories finished meanwhile with it: a commit writes every page it
 * dirtied, and analyses keyed by random blob ids dirty a page each, so
 * fewer commits write far less.  Either way the write lock is released
 * often, two scans can share one database, and a database killed at any
 * moment holds whole repositories.
 */
#ifndef TGPL_STORE_H
#define TGPL_STORE_H

#include <sqlite3.h>
#include <time.h>

#include "tgpl/db.h"
#include "tgpl/detect.h"
#include "util/util.h"

struct tgpl_db {
	sqlite3 *sql;
	char *path;
	tgpl_ctx *ctx;
	int readonly;
	int in_batch;              /* a batch transaction is open */
	time_t batch_began;        /* when it was opened */
	unsigned int group_seconds; /* 0: commit each repository; else see tgpl_db_set_group_commit() */
	unsigned int group_pending; /* repositories stored in the open batch */
	sqlite3_stmt *st_analysed;
	sqlite3_stmt *st_blob;
	sqlite3_stmt *st_analysis;
	sqlite3_stmt *st_finding;
	sqlite3_stmt *st_stage;
	sqlite3_stmt *st_gone;
	char *counts_key;          /* "repo\nrev_key\nengine" whose licence counts temp.counts holds */
};

/* Turn a SQLite failure into a TGPL_E* code with a message naming the database. */
int store_error(tgpl_db *db, int sqlrc, const char *what);

/* Run SQL text with no result rows. */
int store_exec(tgpl_db *db, const char *sql);

/* Is the analysis of blob `oid` by `engine` stored?  1, 0, or < 0.  With
 * `label`, a stored analysis's label (store_label()) is written there. */
int store_is_analysed(tgpl_db *db, const char *oid, const char *engine);
int store_lookup_analysis(tgpl_db *db, const char *oid, const char *engine, tgpl_buf *label);

/* The label tgpl_db_license_counts() counts a file's analysis under: its
 * expression, "(none)", or "(skipped: REASON)". */
int store_label(tgpl_buf *out, const char *expression, const char *skipped);

/*
 * The licence counts of a revision just committed, counted by the scan as
 * it walked the whole tree: temp.counts holds them from now on, so that
 * tgpl_db_license_counts() reads them instead of every file's analysis.
 */
typedef struct {
	char *label;
	int64_t n;
} store_count;
int store_counts_publish(tgpl_db *db, const char *repo_path, const char *rev_key, const char *engine,
			 const store_count *counts, size_t n);
/* Does temp.counts hold the counts of this revision?  1 or 0. */
int store_counts_hold(tgpl_db *db, const char *repo_path, const char *rev_key, const char *engine);

/*
 * The batch transaction: analyses, staging and (with group commit) the rows
 * of whole repositories.  Begin (if not open), commit, and commit if it has
 * been open long enough (BATCH_SECONDS, or the group commit interval) for
 * other writers to deserve a turn.  Foreign keys are off inside a batch:
 * the store writes parents before children and deletes children itself
 * (store_commit_revision()).
 */
int store_batch_begin(tgpl_db *db);
int store_batch_commit(tgpl_db *db);
int store_batch_commit_due(tgpl_db *db);

/* Store a blob's detection (and its blobs row), inside a batch. */
int store_put_analysis(tgpl_db *db, const char *oid, int64_t size, const char *engine,
		       const tgpl_detection *det);

/* The staging table of one repository's entries. */
int store_stage_begin(tgpl_db *db);
int store_stage_file(tgpl_db *db, const char *path, size_t path_len, unsigned int mode,
		     const char *type, const char *oid, int64_t size);
void store_stage_drop(tgpl_db *db);

/*
 * A rescan that starts from an earlier revision of the same repository
 * (DESIGN.md §2): the latest whole revision (not itself a delta) stored by
 * `engine` with a tree id (1, 0 if none, or < 0), the paths of that
 * revision that are gone or changed, and those of its rows that `keep`
 * selects, staged as they are.  store_commit_revision() with base_rev_id
 * stores the new revision as a delta of it (db/schema.sql, version 3): the
 * staged rows and the gone paths; or, when that would be much of the base,
 * whole, copying the base's other rows.
 */
int store_base_revision(tgpl_db *db, const char *repo_path, const char *engine,
			int64_t *rev_id, char tree_id[41]);
int store_stage_gone(tgpl_db *db, const char *path, size_t path_len);
typedef int (*store_row_filter)(const char *path, size_t len, const char *type, void *payload);
int store_stage_base(tgpl_db *db, int64_t base_rev_id, store_row_filter keep, void *payload);

/*
 * Conclude every staged file's licence (DESIGN.md §1 precedence) and the
 * revision's declared licence (*declared_out: caller frees; NULL if none).
 * Call after the walk, before store_commit_revision().
 */
int store_conclude(tgpl_db *db, const char *engine, char **declared_out);
/* Is this base name a licence file (LICENSE, COPYING.LESSER, MIT-LICENSE, ...)? */
int conclude_is_license_name(const char *name, size_t n);

/* What a revision is: the walker's description of it. */
typedef struct {
	const char *repo_path;     /* as given (bytes, NUL-terminated) */
	const char *kind;          /* "git", "bare", "dir" */
	const char *origin;        /* or NULL */
	const char *rev_key;       /* commit id, or "dir" */
	const char *commit_id;     /* or NULL */
	const char *tree_id;       /* or NULL */
	int64_t commit_time;       /* 0 if none */
	const char *ref;           /* or NULL */
	const char *engine;
	const char *declared;      /* declared licence expression, or NULL */
	int64_t base_rev_id;       /* nonzero: the whole revision the staged rows differ from */
} store_revision;

/* Is this revision already stored?  1, 0, or < 0. */
int store_has_revision(tgpl_db *db, const store_revision *rev);

/*
 * Write the repository, the revision and every staged file in one
 * transaction (replacing an earlier scan of the same revision key).
 * *copied_out: regular files copied from the base revision.
 * On failure nothing is written.
 */
int store_commit_revision(tgpl_db *db, const store_revision *rev, int64_t *files_out,
			  int64_t *copied_out);


#endif
