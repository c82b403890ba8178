/*
 * merge.c — tgpl_db_merge(): fold a shard's database into another one.
 *
 * The input is ATTACHed read-only and copied with INSERT ... SELECT inside
 * one transaction.  Repositories and revisions have local integer ids, so
 * they are matched by their natural keys (path; repository and revision
 * key) and the files follow their revision's new id; everything keyed by
 * content (blobs, analyses, findings) is copied when absent.  Every step is
 * written so that running it twice adds nothing: a revision already present
 * is skipped with its files, and a scan-run row is skipped when an identical
 * one exists.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/history.h"
#include "store/store.h"
#include "util/util.h"

#define IN "merge_in"   /* the schema name of the attached input */
#define MERGE_APPLICATION_ID 0x5447504c   /* "TGPL", as store.c writes it */

/*
 * "file:<path, percent-encoded>?mode=ro" when this SQLite reads URIs, else
 * the path.  A database with no write-ahead log left is complete in its one
 * file and is opened immutable: no lock, and no -wal or -shm file created
 * beside an input that is only read.
 */
static int attach_name(tgpl_buf *b, const char *real)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	struct stat wal;
	int has_wal;

	if (!sqlite3_compileoption_used("USE_URI"))
		return tgpl_buf_puts(b, real);
	if (tgpl_buf_printf(b, "%s-wal", real) < 0)
		return -1;
	has_wal = stat(b->ptr, &wal) == 0 && wal.st_size > 0;
	tgpl_buf_clear(b);
	if (tgpl_buf_puts(b, "file:") < 0)
		return -1;
	for (p = (const unsigned char *)real; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '/' || *p == '.' || *p == '-' || *p == '_';
		if (plain ? tgpl_buf_putc(b, (char)*p) < 0
			  : tgpl_buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]) < 0)
			return -1;
	}
	return tgpl_buf_puts(b, has_wal ? "?mode=ro" : "?mode=ro&immutable=1");
}

/* The input's header: ours (application id), and this schema version. */
static int check_header(tgpl_db *db, const char *input)
{
	static const char *const sql[2] = { "PRAGMA " IN ".application_id", "PRAGMA " IN ".user_version" };
	int64_t v[2] = { 0, 0 };
	int i;

	for (i = 0; i < 2; i++) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db->sql, sql[i], -1, &st, NULL);

		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			v[i] = sqlite3_column_int64(st, 0);
			rc = SQLITE_DONE;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return tgpl_error(db->ctx, TGPL_EDB, "cannot merge '%s': %s", input,
					  sqlite3_errmsg(db->sql));
	}
	if (v[0] != MERGE_APPLICATION_ID)
		return tgpl_error(db->ctx, TGPL_ESCHEMA, "cannot merge '%s': not a tgpl database", input);
	if (v[1] != TGPL_SCHEMA_VERSION)
		return tgpl_error(db->ctx, TGPL_ESCHEMA,
				  "cannot merge '%s': it has schema %lld, this tgpl writes %d; %s", input,
				  (long long)v[1], TGPL_SCHEMA_VERSION,
				  v[1] > TGPL_SCHEMA_VERSION ? "upgrade tgpl"
							    : "open it once for writing (tgpl scan) to migrate it");
	return 0;
}

/* Run one statement, adding the rows it changed to *count (if not NULL). */
static int run(tgpl_db *db, const char *sql, int64_t *count, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(db, rc, what);
	if (count)
		*count += sqlite3_changes64(db->sql);
	return 0;
}

/*
 * Results of two engine versions must not be mixed: every engine named by
 * the input's revisions and analyses must be the one (if any) of the output.
 */
static int check_engines(tgpl_db *db, const char *input)
{
	static const char sql[] =
		"SELECT engine, min(side) FROM ("
		" SELECT engine, 0 AS side FROM main.revisions UNION SELECT engine, 0 FROM main.analyses"
		" UNION SELECT engine, 1 FROM " IN ".revisions UNION SELECT engine, 1 FROM " IN ".analyses)"
		" GROUP BY engine ORDER BY 2, 1";
	sqlite3_stmt *st = NULL;
	char *first = NULL;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL), n = 0, first_side = 0;

	if (rc != SQLITE_OK)
		return store_error(db, rc, "comparing engine versions");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *engine = (const char *)sqlite3_column_text(st, 0);
		int side = sqlite3_column_int(st, 1);

		if (n++ == 0) {
			first = tgpl_strdup(engine ? engine : "");
			first_side = side;
			if (!first) {
				rc = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
				goto done;
			}
			continue;
		}
		if (first_side == 0 && side == 1)
			rc = tgpl_error(db->ctx, TGPL_ESCHEMA,
					"cannot merge '%s': its results come from engine %s, database '%s' holds "
					"engine %s; scan every shard with the same tgpl and licence data",
					input, engine ? engine : "", db->path, first);
		else
			rc = tgpl_error(db->ctx, TGPL_ESCHEMA,
					"cannot merge '%s': %s holds results of two engines (%s and %s); "
					"merge databases written by one engine",
					input, first_side == 0 ? "the output database" : "it", first,
					engine ? engine : "");
		goto done;
	}
	rc = rc == SQLITE_DONE ? 0 : store_error(db, rc, "comparing engine versions");
done:
	sqlite3_finalize(st);
	free(first);
	return rc;
}

/* Licence-history rows, repository ids remapped. */
static int merge_history(tgpl_db *db, tgpl_merge_stats *st)
{
	return run(db,
		"INSERT OR IGNORE INTO main.history (repo_id, commit_id, seq, parent_id, commit_time,"
		" author_time, author, summary, engine, declared, clauses, changed, files)"
		" SELECT m.id, h.commit_id, h.seq, h.parent_id, h.commit_time, h.author_time, h.author,"
		" h.summary, h.engine, h.declared, h.clauses, h.changed, h.files"
		" FROM " IN ".history h JOIN " IN ".repositories r ON r.id = h.repo_id"
		" JOIN main.repositories m ON m.path = r.path", &st->history, "copying licence history");
}

/* Everything of one input, inside the caller's transaction. */
static int copy_all(tgpl_db *db, tgpl_merge_stats *st)
{
	int rc;

	if ((rc = run(db,
		"INSERT INTO main.repositories (path, kind, origin)"
		" SELECT path, kind, origin FROM " IN ".repositories WHERE true ORDER BY id"
		" ON CONFLICT(path) DO NOTHING", &st->repositories, "copying repositories")) < 0 ||
	    (rc = run(db, "DROP TABLE IF EXISTS temp.merge_rev", NULL, "preparing the merge")) < 0 ||
	    (rc = run(db, "CREATE TEMP TABLE merge_rev (src INTEGER PRIMARY KEY, dst INTEGER)", NULL,
		      "preparing the merge")) < 0)
		return rc;
	/* The input's revisions that the output lacks, in their order. */
	if ((rc = run(db,
		"INSERT INTO temp.merge_rev (src)"
		" SELECT v.id FROM " IN ".revisions v JOIN " IN ".repositories r ON r.id = v.repo_id"
		" JOIN main.repositories m ON m.path = r.path"
		" WHERE NOT EXISTS (SELECT 1 FROM main.revisions w"
		"                   WHERE w.repo_id = m.id AND w.rev_key = v.rev_key)"
		" ORDER BY v.id", NULL, "choosing revisions")) < 0 ||
	    (rc = run(db,
		"INSERT INTO main.revisions (repo_id, rev_key, commit_id, tree_id, commit_time, ref,"
		" scanned_at, engine, declared)"
		" SELECT m.id, v.rev_key, v.commit_id, v.tree_id, v.commit_time, v.ref, v.scanned_at,"
		" v.engine, v.declared"
		" FROM temp.merge_rev t JOIN " IN ".revisions v ON v.id = t.src"
		" JOIN " IN ".repositories r ON r.id = v.repo_id JOIN main.repositories m ON m.path = r.path"
		" ORDER BY t.src", &st->revisions, "copying revisions")) < 0 ||
	    (rc = run(db,
		"UPDATE temp.merge_rev SET dst = ("
		" SELECT w.id FROM " IN ".revisions v JOIN " IN ".repositories r ON r.id = v.repo_id"
		" JOIN main.repositories m ON m.path = r.path"
		" JOIN main.revisions w ON w.repo_id = m.id AND w.rev_key = v.rev_key"
		" WHERE v.id = merge_rev.src)", NULL, "mapping revisions")) < 0 ||
	    (rc = run(db,
		"INSERT INTO main.file_rows (rev_id, path, mode, type, oid, size, concluded, decided_by)"
		" SELECT t.dst, f.path, f.mode, f.type, f.oid, f.size, f.concluded, f.decided_by"
		" FROM temp.merge_rev t JOIN " IN ".files f ON f.rev_id = t.src",
		&st->files, "copying files")) < 0 ||
	    (rc = run(db,
		"INSERT OR IGNORE INTO main.blobs (id, size) SELECT id, size FROM " IN ".blobs",
		&st->blobs, "copying blobs")) < 0 ||
	    (rc = run(db,
		"INSERT OR IGNORE INTO main.analyses (blob_id, engine, expression, skipped, n_lines)"
		" SELECT blob_id, engine, expression, skipped, n_lines FROM " IN ".analyses",
		&st->analyses, "copying analyses")) < 0 ||
	    (rc = run(db,
		"INSERT OR IGNORE INTO main.findings (blob_id, engine, seq, category, kind, spdx, expr,"
		" start_line, end_line, score, rule, note, unmatched)"
		" SELECT blob_id, engine, seq, category, kind, spdx, expr, start_line, end_line, score,"
		" rule, note, unmatched FROM " IN ".findings", &st->findings, "copying findings")) < 0 ||
	    (rc = run(db,
		"INSERT INTO main.scans (started_at, finished_at, engine, repos, files, analysed, reused)"
		" SELECT s.started_at, s.finished_at, s.engine, s.repos, s.files, s.analysed, s.reused"
		" FROM " IN ".scans s WHERE NOT EXISTS (SELECT 1 FROM main.scans x"
		"  WHERE x.started_at = s.started_at AND x.finished_at IS s.finished_at"
		"  AND x.engine = s.engine AND x.repos = s.repos AND x.files = s.files"
		"  AND x.analysed = s.analysed AND x.reused = s.reused)"
		" ORDER BY s.id", &st->scans, "copying scan runs")) < 0 ||
	    (rc = merge_history(db, st)) < 0)
		return rc;
	return run(db, "DROP TABLE temp.merge_rev", NULL, "finishing the merge");
}

int tgpl_db_merge(tgpl_merge_stats *out, tgpl_db *db, const char *input)
{
	tgpl_merge_stats st;
	tgpl_buf name = TGPL_BUF_INIT;
	char real[PATH_MAX];
	struct stat in_st, out_st;
	sqlite3_stmt *attach = NULL;
	int rc, attached = 0, in_tx = 0;

	memset(&st, 0, sizeof(st));
	if (db->readonly)
		return tgpl_error(db->ctx, TGPL_EINVAL, "cannot merge into '%s': opened read-only", db->path);
	if (stat(input, &in_st) < 0 || !realpath(input, real))
		return tgpl_error(db->ctx, TGPL_ENOTFOUND, "cannot merge '%s': no such database", input);
	if (!S_ISREG(in_st.st_mode))
		return tgpl_error(db->ctx, TGPL_EINVAL, "cannot merge '%s': not a regular file", input);
	if (stat(db->path, &out_st) == 0 && out_st.st_dev == in_st.st_dev && out_st.st_ino == in_st.st_ino)
		return tgpl_error(db->ctx, TGPL_EINVAL, "cannot merge '%s' into itself", input);
	if ((rc = store_batch_commit(db)) < 0)
		return rc;
	if (attach_name(&name, real) < 0) {
		rc = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	rc = sqlite3_prepare_v2(db->sql, "ATTACH ?1 AS " IN, -1, &attach, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(attach, 1, name.ptr, -1, SQLITE_STATIC);
		rc = sqlite3_step(attach);
	}
	sqlite3_finalize(attach);
	if (rc != SQLITE_DONE) {
		rc = tgpl_error(db->ctx, TGPL_EDB, "cannot attach '%s': %s", input, sqlite3_errmsg(db->sql));
		goto done;
	}
	attached = 1;
	if ((rc = check_header(db, input)) < 0 || (rc = check_engines(db, input)) < 0 ||
	    (rc = store_exec(db, "BEGIN IMMEDIATE")) < 0)
		goto done;
	in_tx = 1;
	if ((rc = copy_all(db, &st)) < 0)
		goto done;
	if ((rc = store_exec(db, "COMMIT")) < 0)
		goto done;
	in_tx = 0;
done:
	if (in_tx)
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	if (attached)
		sqlite3_exec(db->sql, "DETACH " IN, NULL, NULL, NULL);
	tgpl_buf_release(&name);
	if (rc == 0 && out)
		*out = st;
	return rc;
}
