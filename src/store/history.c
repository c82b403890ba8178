/*
 * history.c — the `history` table (per-commit declared licence and TGPL
 * clauses), its staging during a history scan, the timeline query, and the
 * membership query behind `tgpl contains`.  Bound parameters only.
 */
#include <stdlib.h>
#include <string.h>

#include "store/history.h"
#include "tgpl/history.h"
#include "util/util.h"

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- the writer side ------------------------------------------------------ */

int store_history_begin(store_history_writer *w, tgpl_db *db)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->db = db;
	if ((rc = store_exec(db, "DROP TABLE IF EXISTS temp.history_stage;"
			     "CREATE TEMP TABLE history_stage (seq INTEGER PRIMARY KEY,"
			     " commit_id TEXT NOT NULL UNIQUE, parent_id TEXT, commit_time INTEGER,"
			     " author_time INTEGER, author TEXT, summary TEXT, declared TEXT,"
			     " clauses TEXT, changed INTEGER, files TEXT)")) < 0)
		return rc;
	rc = sqlite3_prepare_v3(db->sql,
		"INSERT OR REPLACE INTO temp.history_stage (seq, commit_id, parent_id, commit_time,"
		" author_time, author, summary, declared, clauses, changed, files)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
		-1, SQLITE_PREPARE_PERSISTENT, &w->st, NULL);
	return rc == SQLITE_OK ? 0 : store_error(db, rc, "preparing the history stage");
}

void store_history_end(store_history_writer *w)
{
	if (!w->db)
		return;
	sqlite3_finalize(w->st);
	w->st = NULL;
	sqlite3_exec(w->db->sql, "DROP TABLE IF EXISTS temp.history_stage", NULL, NULL, NULL);
	w->db = NULL;
}

int store_history_stage(store_history_writer *w, const store_history_row *row)
{
	sqlite3_stmt *st = w->st;
	int rc;

	if ((rc = store_batch_begin(w->db)) < 0)
		return rc;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 1, ++w->n);
	sqlite3_bind_text(st, 2, row->commit_id, -1, SQLITE_TRANSIENT);
	bind_opt(st, 3, row->parent_id);
	sqlite3_bind_int64(st, 4, row->commit_time);
	sqlite3_bind_int64(st, 5, row->author_time);
	bind_opt(st, 6, row->author);
	bind_opt(st, 7, row->summary);
	bind_opt(st, 8, row->declared);
	bind_opt(st, 9, row->clauses);
	sqlite3_bind_int(st, 10, row->changed ? 1 : 0);
	bind_opt(st, 11, row->files);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_error(w->db, rc, "staging a history row");
}

int store_history_known(tgpl_db *db, const char *repo_path, const char *engine,
			store_commit_cb cb, void *payload)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db->sql,
		"SELECT h.commit_id FROM history h JOIN repositories r ON r.id = h.repo_id"
		" WHERE r.path = ?1 AND h.engine = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_error(db, rc, "reading the recorded history");
	sqlite3_bind_blob(st, 1, repo_path, (int)strlen(repo_path), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, engine, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = col_text(st, 0);
		int crc;

		if (id && (crc = cb(id, payload)) < 0) {
			sqlite3_finalize(st);
			return crc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "reading the recorded history");
}

int store_history_commit(tgpl_db *db, const char *repo_path, const char *kind,
			 const char *origin, const char *engine, int64_t *rows_out)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 repo_id, base = 0;
	int rc, src;

	if ((rc = store_batch_commit(db)) < 0 || (rc = store_exec(db, "BEGIN IMMEDIATE")) < 0)
		return rc;
#define PREP(text_) do { sqlite3_finalize(st); st = NULL; \
	if ((src = sqlite3_prepare_v2(db->sql, text_, -1, &st, NULL)) != SQLITE_OK) { \
		rc = store_error(db, src, "preparing a statement"); goto fail; } } while (0)
#define STEP(what_) do { src = sqlite3_step(st); \
	if (src != SQLITE_DONE && src != SQLITE_ROW) { rc = store_error(db, src, what_); goto fail; } } while (0)

	PREP("INSERT INTO repositories (path, kind, origin) VALUES (?1, ?2, ?3)"
	     " ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, origin = excluded.origin");
	sqlite3_bind_blob(st, 1, repo_path, (int)strlen(repo_path), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	bind_opt(st, 3, origin);
	STEP("storing the repository");
	PREP("SELECT id FROM repositories WHERE path = ?1");
	sqlite3_bind_blob(st, 1, repo_path, (int)strlen(repo_path), SQLITE_STATIC);
	STEP("reading the repository id");
	if (src != SQLITE_ROW) {
		rc = tgpl_error(db->ctx, TGPL_EDB, "database '%s': repository row vanished", db->path);
		goto fail;
	}
	repo_id = sqlite3_column_int64(st, 0);
	/* A new engine version may conclude differently: its rows replace all others. */
	PREP("DELETE FROM history WHERE repo_id = ?1 AND engine != ?2");
	sqlite3_bind_int64(st, 1, repo_id);
	sqlite3_bind_text(st, 2, engine, -1, SQLITE_STATIC);
	STEP("replacing an earlier history");
	PREP("SELECT coalesce(max(seq), 0) FROM history WHERE repo_id = ?1");
	sqlite3_bind_int64(st, 1, repo_id);
	STEP("reading the history");
	if (src == SQLITE_ROW)
		base = sqlite3_column_int64(st, 0);
	PREP("INSERT OR REPLACE INTO history (repo_id, commit_id, seq, parent_id, commit_time,"
	     " author_time, author, summary, engine, declared, clauses, changed, files)"
	     " SELECT ?1, commit_id, ?2 + seq, parent_id, commit_time, author_time, author, summary,"
	     " ?3, declared, clauses, changed, files FROM temp.history_stage ORDER BY seq");
	sqlite3_bind_int64(st, 1, repo_id);
	sqlite3_bind_int64(st, 2, base);
	sqlite3_bind_text(st, 3, engine, -1, SQLITE_STATIC);
	STEP("storing the history");
	if (rows_out)
		*rows_out = sqlite3_changes(db->sql);
	sqlite3_finalize(st);
	st = NULL;
	if ((src = sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		rc = store_error(db, src, "committing the history");
		goto fail;
	}
	return 0;
#undef PREP
#undef STEP
fail:
	sqlite3_finalize(st);
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_history_state(tgpl_db *db, const char *repo_path, const char *commit_id,
			char **declared_out, char **clauses_out)
{
	sqlite3_stmt *st = NULL;
	char *d = NULL, *c = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db->sql,
		"SELECT h.declared, h.clauses FROM history h JOIN repositories r ON r.id = h.repo_id"
		" WHERE r.path = ?1 AND h.commit_id = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_error(db, rc, "reading the history");
	sqlite3_bind_blob(st, 1, repo_path, (int)strlen(repo_path), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, commit_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if ((col_text(st, 0) && !(d = tgpl_strdup(col_text(st, 0)))) ||
		    (col_text(st, 1) && !(c = tgpl_strdup(col_text(st, 1))))) {
			free(d);
			sqlite3_finalize(st);
			return tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
		}
		sqlite3_finalize(st);
		*declared_out = d;
		*clauses_out = c;
		return 1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "reading the history");
}

int store_stage_clauses(tgpl_db *db, const char *engine, char **out)
{
	tgpl_buf b = TGPL_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db->sql,
		"SELECT DISTINCT f.spdx FROM temp.stage s"
		" JOIN findings f ON f.blob_id = s.oid AND f.engine = ?1"
		" WHERE s.type = 'file' AND f.category = 'clause' AND f.spdx IS NOT NULL"
		" ORDER BY f.spdx", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_error(db, rc, "reading clauses");
	sqlite3_bind_text(st, 1, engine, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((b.len && tgpl_buf_putc(&b, ' ') < 0) || tgpl_buf_puts(&b, col_text(st, 0)) < 0) {
			sqlite3_finalize(st);
			tgpl_buf_release(&b);
			return tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		tgpl_buf_release(&b);
		return store_error(db, rc, "reading clauses");
	}
	*out = b.len ? tgpl_buf_detach(&b) : NULL;
	tgpl_buf_release(&b);
	return 0;
}

/* ---- the reader side ------------------------------------------------------ */

int store_history_present(tgpl_db *db, const char *repo_path)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db->sql,
		"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history'", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_error(db, rc, "looking for the history");
	rc = sqlite3_prepare_v2(db->sql,
		"SELECT 1 FROM history h JOIN repositories r ON r.id = h.repo_id"
		" WHERE ?1 IS NULL OR r.path = ?1 LIMIT 1", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		if (repo_path)
			sqlite3_bind_blob(st, 1, repo_path, (int)strlen(repo_path), SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "looking for the history");
}

int store_history_changes(tgpl_db *db, const char *repo_path, store_change_cb cb, void *payload)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db->sql,
		"SELECT r.path, h.commit_id, h.parent_id, h.author_time, h.author, h.summary,"
		" p.declared, p.clauses, h.declared, h.clauses, h.files"
		" FROM history h JOIN repositories r ON r.id = h.repo_id"
		" LEFT JOIN history p ON p.repo_id = h.repo_id AND p.commit_id = h.parent_id"
		" WHERE h.changed = 1 AND (?1 IS NULL OR r.path = ?1)"
		" ORDER BY r.path, h.seq", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_error(db, rc, "reading the history");
	if (repo_path)
		sqlite3_bind_blob(st, 1, repo_path, (int)strlen(repo_path), SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_change c;
		int crc;

		memset(&c, 0, sizeof(c));
		c.repo_path = col_text(st, 0);   /* NUL-terminated even for a BLOB */
		c.repo_path_len = (size_t)sqlite3_column_bytes(st, 0);
		c.commit_id = col_text(st, 1);
		c.parent_id = col_text(st, 2);
		c.author_time = sqlite3_column_int64(st, 3);
		c.author = col_text(st, 4);
		c.summary = col_text(st, 5);
		c.from_declared = col_text(st, 6);
		c.from_clauses = col_text(st, 7);
		c.declared = col_text(st, 8);
		c.clauses = col_text(st, 9);
		c.files = col_text(st, 10);
		if (!c.repo_path)
			c.repo_path = "";
		if (!c.commit_id)
			continue;
		if ((crc = cb(&c, payload)) != 0) {
			sqlite3_finalize(st);
			return crc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "reading the history");
}

/* ---- membership ------------------------------------------------------------ */

/*
 * The files holding blob ?1: the rows stored with it (files_oid), and the
 * delta revisions (db/schema.sql, version 3) that inherit such a row from
 * their base.  Driven by the blob, not by the revisions: the `files` view
 * would visit every revision.
 */
#define OCCURRENCES \
	"hit AS (SELECT rev_id, path, concluded, decided_by FROM file_rows" \
	"        WHERE oid = ?1 AND type = 'file')," \
	" occ AS (SELECT rev_id, path, concluded, decided_by FROM hit" \
	"  UNION ALL SELECT d.id, h.path, h.concluded, h.decided_by FROM hit h" \
	"  JOIN revisions d ON d.base_rev_id = h.rev_id" \
	"  WHERE NOT EXISTS (SELECT 1 FROM file_rows o WHERE o.rev_id = d.id AND o.path = h.path)" \
	"  AND NOT EXISTS (SELECT 1 FROM file_gone g WHERE g.rev_id = d.id AND g.path = h.path))"

int tgpl_db_blob_occurrences(tgpl_db *db, const char *oid, size_t limit, uint64_t *total,
			     tgpl_occurrence_cb cb, void *payload)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (total) {
		rc = sqlite3_prepare_v2(db->sql,
			"WITH " OCCURRENCES " SELECT count(*) FROM occ", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(st, 1, oid, -1, SQLITE_STATIC);
			if ((rc = sqlite3_step(st)) == SQLITE_ROW)
				*total = (uint64_t)sqlite3_column_int64(st, 0);
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_ROW)
			return store_error(db, rc, "looking up a blob");
	}
	rc = sqlite3_prepare_v2(db->sql,
		"WITH " OCCURRENCES
		" SELECT r.path, r.kind, v.commit_id, v.ref, v.commit_time, f.path, f.concluded,"
		" f.decided_by, a.expression"
		" FROM occ f JOIN revisions v ON v.id = f.rev_id JOIN repositories r ON r.id = v.repo_id"
		" LEFT JOIN analyses a ON a.blob_id = ?1 AND a.engine = v.engine"
		" ORDER BY r.path, v.commit_time, v.rev_key, f.path LIMIT ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_error(db, rc, "looking up a blob");
	sqlite3_bind_text(st, 1, oid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tgpl_occurrence o;
		int crc;

		memset(&o, 0, sizeof(o));
		o.repo_path = col_text(st, 0);   /* NUL-terminated even for a BLOB */
		o.repo_path_len = (size_t)sqlite3_column_bytes(st, 0);
		o.kind = col_text(st, 1);
		o.commit_id = col_text(st, 2);
		o.ref = col_text(st, 3);
		o.commit_time = sqlite3_column_int64(st, 4);
		o.path = col_text(st, 5);
		o.path_len = (size_t)sqlite3_column_bytes(st, 5);
		o.concluded = col_text(st, 6);
		o.decided_by = col_text(st, 7);
		o.expression = col_text(st, 8);
		if (!o.repo_path)
			o.repo_path = "";
		if (!o.path)
			o.path = "";
		if (!o.kind)
			o.kind = "";
		if ((crc = cb(&o, payload)) != 0) {
			sqlite3_finalize(st);
			return crc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "looking up a blob");
}
