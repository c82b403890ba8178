/*
 * history.h — the store side of licence history (src/scan/history.c) and of
 * the timeline report (src/report/timeline.c).
 *
 * A history scan stages one row per commit in temp.history_stage while it
 * walks, then moves them into `history` (db/schema.sql, version 2) in one
 * transaction.
 */
#ifndef TGPL_STORE_HISTORY_H
#define TGPL_STORE_HISTORY_H

#include "store/store.h"

/* The staging of one history scan: caller-owned, store_history_begin() .. store_history_end(). */
typedef struct {
	tgpl_db *db;
	sqlite3_stmt *st;
	int64_t n;               /* rows staged */
} store_history_writer;

/* Create an empty temp.history_stage. */
int store_history_begin(store_history_writer *w, tgpl_db *db);
/* Finalize and drop the staging table (after commit or failure); NULL-tolerant fields. */
void store_history_end(store_history_writer *w);

/* Receives a commit id; a negative return stops and is returned. */
typedef int (*store_commit_cb)(const char *commit_id, void *payload);
/* The commits of `repo_path` recorded by `engine`. */
int store_history_known(tgpl_db *db, const char *repo_path, const char *engine,
			store_commit_cb cb, void *payload);

/* One commit's row.  Strings are copied; NULL stores NULL. */
typedef struct {
	const char *commit_id;
	const char *parent_id;     /* first parent, or NULL */
	int64_t commit_time;
	int64_t author_time;
	const char *author;        /* "Name <email>" */
	const char *summary;
	const char *declared;
	const char *clauses;       /* sorted ids, space-separated */
	int changed;
	const char *files;         /* JSON array of root file names, or NULL */
} store_history_row;

/* Stage a row (inside the current batch transaction; opens one if needed). */
int store_history_stage(store_history_writer *w, const store_history_row *row);

/*
 * In one transaction: the repository row (created or updated), rows of other
 * engine versions removed, the staged rows added after the existing ones
 * (their walk order kept).  *rows_out gets the rows added.
 */
int store_history_commit(tgpl_db *db, const char *repo_path, const char *kind,
			 const char *origin, const char *engine, int64_t *rows_out);

/* The declared licence and clauses recorded for one commit (*_out caller frees; NULL if none).
 * 1 found, 0 not recorded, < 0 error. */
int store_history_state(tgpl_db *db, const char *repo_path, const char *commit_id,
			char **declared_out, char **clauses_out);

/*
 * The TGPL clause ids of the staged files (temp.stage), from the findings of
 * `engine`: distinct, sorted, space-separated into *out (caller frees; NULL
 * if none).
 */
int store_stage_clauses(tgpl_db *db, const char *engine, char **out);

/* One change of the timeline.  Borrowed: valid during the callback. */
typedef struct {
	const char *repo_path;
	size_t repo_path_len;
	const char *commit_id;
	const char *parent_id;
	int64_t author_time;
	const char *author;
	const char *summary;
	const char *from_declared, *from_clauses;   /* the first parent's state */
	const char *declared, *clauses;
	const char *files;                          /* JSON array text, or NULL */
} store_change;

typedef int (*store_change_cb)(const store_change *c, void *payload);

/* 1 if the database has a history table with rows (for repo_path, if not NULL), 0 if not. */
int store_history_present(tgpl_db *db, const char *repo_path);

/* The changes of repo_path (NULL: all repositories), by repository then walk order. */
int store_history_changes(tgpl_db *db, const char *repo_path, store_change_cb cb, void *payload);

#endif
