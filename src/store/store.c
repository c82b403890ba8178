/*
 * store.c — opening the database (schema, migrations, pragmas) and the
 * writes a scan makes.  Every statement uses bound parameters.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schema_sql.h"
#include "store/store.h"
#include "util/util.h"

#define APPLICATION_ID 0x5447504c  /* "TGPL" */
#define BUSY_TIMEOUT_MS 600000     /* a second scan waits up to 10 minutes for the writer */
#define STMT_JOURNAL_SPILL (32 << 20) /* a savepoint's journal stays in memory up to this */
#define DELTA_MAX_SHARE 4           /* a delta changes at most 1/4 of its base's rows */
#define BATCH_SECONDS 2            /* a batch transaction is committed at least this often */

/*
 * The schema is one script of versions, each opened by a line
 * "-- @version N" (db/schema.sql).  Append to `sql` the versions above
 * `from`; -1 on ENOMEM.
 */
static int schema_since(tgpl_buf *sql, int from)
{
	static const char marker[] = "-- @version ";
	const char *p = tgpl_schema_sql;
	int version = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);

		if (strncmp(p, marker, sizeof(marker) - 1) == 0)
			version = (int)strtol(p + sizeof(marker) - 1, NULL, 10);
		else if (version > from && tgpl_buf_put(sql, p, len) < 0)
			return -1;
		p += len;
	}
	return 0;
}

int store_error(tgpl_db *db, int sqlrc, const char *what)
{
	int code = TGPL_EDB;
	int prim = sqlrc & 0xff;
	const char *msg = db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(sqlrc);

	if (prim == SQLITE_NOMEM)
		code = TGPL_ENOMEM;
	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return tgpl_error(db->ctx, code, "database '%s' is locked by another process (%s): %s",
				  db->path, what, msg);
	if (prim == SQLITE_FULL)
		return tgpl_error(db->ctx, code, "database '%s': disk full while %s; earlier results are intact",
				  db->path, what);
	if (prim == SQLITE_READONLY)
		return tgpl_error(db->ctx, code, "database '%s' is read-only (%s)", db->path, what);
	if (prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB)
		return tgpl_error(db->ctx, code, "database '%s' is corrupt or not a database (%s): %s",
				  db->path, what, msg);
	return tgpl_error(db->ctx, code, "database '%s': %s: %s", db->path, what, msg);
}

int store_exec(tgpl_db *db, const char *sql)
{
	int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : store_error(db, rc, "executing statement");
}

static int pragma_int(tgpl_db *db, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : store_error(db, rc, "reading its header");
}

static int prepare(tgpl_db *db, sqlite3_stmt **st, const char *sql)
{
	int rc;

	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return 0;
	}
	rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
	return rc == SQLITE_OK ? 0 : store_error(db, rc, "preparing a statement");
}

/* Read application_id, user_version and whether any table exists. */
static int read_header(tgpl_db *db, int *app, int *version, int *tables)
{
	int rc;

	if ((rc = pragma_int(db, "PRAGMA application_id", app)) < 0 ||
	    (rc = pragma_int(db, "PRAGMA user_version", version)) < 0 ||
	    (rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", tables)) < 0)
		return rc;
	if (*app != APPLICATION_ID && (*app != 0 || *tables != 0))
		return tgpl_error(db->ctx, TGPL_ESCHEMA,
				  "'%s' is not a tgpl database (application id %#x)", db->path, *app);
	if (*version > TGPL_SCHEMA_VERSION)
		return tgpl_error(db->ctx, TGPL_ESCHEMA,
				  "database '%s' was written by a newer tgpl (schema %d; this tgpl reads up to %d); "
				  "upgrade tgpl or use another --db", db->path, *version, TGPL_SCHEMA_VERSION);
	return 0;
}

/*
 * Create or migrate the schema; refuse databases that are not ours or newer.
 * Two processes may open one new database at once: the migration takes the
 * write lock first (waiting on the busy timeout) and then reads the version
 * again, so the second finds the work done.
 */
static int check_schema(tgpl_db *db)
{
	int app = 0, version = 0, tables = 0, rc;
	tgpl_buf sql = TGPL_BUF_INIT;

	/* One read transaction, so the three values come from one snapshot
	 * (another process may be creating the schema meanwhile). */
	if ((rc = store_exec(db, "BEGIN")) < 0)
		return rc;
	rc = read_header(db, &app, &version, &tables);
	sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
	if (rc < 0 || version == TGPL_SCHEMA_VERSION)
		return rc;
	if (db->readonly)
		return tgpl_error(db->ctx, TGPL_ESCHEMA,
				  "database '%s' has schema %d and needs a migration to %d; open it once for writing",
				  db->path, version, TGPL_SCHEMA_VERSION);
	if ((rc = store_exec(db, "BEGIN IMMEDIATE")) < 0)
		return rc;
	if ((rc = read_header(db, &app, &version, &tables)) < 0)
		goto rollback;
	if (version == TGPL_SCHEMA_VERSION)
		return store_exec(db, "COMMIT");
	if (schema_since(&sql, version) < 0 ||
	    tgpl_buf_printf(&sql, "PRAGMA application_id = %d;\nPRAGMA user_version = %d;\n",
			    APPLICATION_ID, TGPL_SCHEMA_VERSION) < 0) {
		rc = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
		goto rollback;
	}
	rc = sqlite3_exec(db->sql, sql.ptr, NULL, NULL, NULL);
	tgpl_buf_release(&sql);
	if (rc != SQLITE_OK) {
		rc = store_error(db, rc, version ? "migrating the schema" : "creating the schema");
		goto rollback;
	}
	return store_exec(db, "COMMIT");
rollback:
	tgpl_buf_release(&sql);
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * A repository's savepoint (store_commit_revision()) journals the original
 * of every page its rows change, about one files_oid index page per file:
 * kept in memory up to STMT_JOURNAL_SPILL (SQLite's default spills to a
 * temporary file past 64 KiB).  Only possible before SQLite initialises; a
 * program that initialised it already keeps its own setting.
 */
static void configure_sqlite(void)
{
	if (!sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STMT_JOURNAL_SPILL))
		sqlite3_initialize();
}

int tgpl_db_open(tgpl_db **out, tgpl_ctx *ctx, const char *path, unsigned int flags)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	tgpl_db *db = NULL;
	int rc, oflags;

	db = tgpl_calloc(1, sizeof(*db));
	if (!db || !(db->path = tgpl_strdup(path))) {
		free(db);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	pthread_once(&once, configure_sqlite);
	db->ctx = ctx;
	db->readonly = (flags & TGPL_DB_READONLY) != 0;
	oflags = db->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &db->sql, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (db->readonly && (rc & 0xff) == SQLITE_CANTOPEN)
			rc = tgpl_error(ctx, TGPL_ENOTFOUND, "cannot open database '%s': no such file "
					"(run 'tgpl scan' first, or name one with --db)", path);
		else
			rc = tgpl_error(ctx, TGPL_EDB, "cannot open database '%s': %s", path,
					db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, BUSY_TIMEOUT_MS);
	if (!db->readonly) {
		/* SQLite falls back to reading a file it cannot write: say so now. */
		if (sqlite3_db_readonly(db->sql, "main") == 1) {
			rc = tgpl_error(ctx, TGPL_EDB, "database '%s' is read-only (the file or its "
					"file system cannot be written); nothing was changed", path);
			goto fail;
		}
		/* WAL lets reports read while a scan writes; NORMAL is safe with WAL. */
		rc = sqlite3_exec(db->sql, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) {
			rc = tgpl_error(ctx, TGPL_EDB, "database '%s' is read-only: its directory cannot "
					"be written (tgpl keeps a write-ahead log next to it)", path);
			goto fail;
		}
		/*
		 * Each repository's commit dirties a page of the files_oid index
		 * per file: a bounded 64 MB cache keeps those pages in memory, and
		 * checkpointing every 16384 frames (a WAL of up to 64 MB) copies
		 * each page back once per many repositories, not once per commit.
		 */
		if ((rc != SQLITE_OK && (rc = store_error(db, rc, "switching to WAL")) < 0) ||
		    (rc = store_exec(db, "PRAGMA synchronous = NORMAL")) < 0 ||
		    (rc = store_exec(db, "PRAGMA cache_size = -65536")) < 0 ||
		    (rc = store_exec(db, "PRAGMA temp.cache_size = -32768")) < 0 ||
		    (rc = store_exec(db, "PRAGMA wal_autocheckpoint = 16384")) < 0)
			goto fail;
	}
	if ((rc = store_exec(db, "PRAGMA foreign_keys = ON")) < 0 ||
	    (rc = check_schema(db)) < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	tgpl_db_close(db);
	return rc;
}

void tgpl_db_close(tgpl_db *db)
{
	if (!db)
		return;
	sqlite3_finalize(db->st_analysed);
	sqlite3_finalize(db->st_blob);
	sqlite3_finalize(db->st_analysis);
	sqlite3_finalize(db->st_finding);
	sqlite3_finalize(db->st_stage);
	sqlite3_finalize(db->st_gone);
	free(db->counts_key);
	/* What an open batch holds is whole (analyses, repositories released
	 * from their savepoints): keep it. */
	if (db->in_batch && sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close_v2(db->sql);
	free(db->path);
	free(db);
}

sqlite3 *tgpl_db_handle(tgpl_db *db)
{
	return db->sql;
}

int tgpl_db_stats_get(tgpl_db_stats *out, tgpl_db *db)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM repositories), (SELECT count(*) FROM revisions),"
		" (SELECT count(*) FROM files), (SELECT count(*) FROM blobs),"
		" (SELECT coalesce(sum(size), 0) FROM blobs), (SELECT count(*) FROM analyses),"
		" (SELECT count(*) FROM findings)";
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->repositories = sqlite3_column_int64(st, 0);
		out->revisions = sqlite3_column_int64(st, 1);
		out->files = sqlite3_column_int64(st, 2);
		out->blobs = sqlite3_column_int64(st, 3);
		out->bytes = sqlite3_column_int64(st, 4);
		out->analyses = sqlite3_column_int64(st, 5);
		out->findings = sqlite3_column_int64(st, 6);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : store_error(db, rc, "counting rows");
}

/* ---- analyses ----------------------------------------------------------- */

int store_label(tgpl_buf *out, const char *expression, const char *skipped)
{
	tgpl_buf_clear(out);
	return skipped ? tgpl_buf_printf(out, "(skipped: %s)", skipped)
		       : tgpl_buf_puts(out, expression ? expression : "(none)");
}

int store_lookup_analysis(tgpl_db *db, const char *oid, const char *engine, tgpl_buf *label)
{
	int rc, err = 0;

	if ((rc = prepare(db, &db->st_analysed,
			  "SELECT expression, skipped FROM analyses WHERE blob_id = ?1 AND engine = ?2")) < 0)
		return rc;
	sqlite3_bind_text(db->st_analysed, 1, oid, -1, SQLITE_STATIC);
	sqlite3_bind_text(db->st_analysed, 2, engine, -1, SQLITE_STATIC);
	rc = sqlite3_step(db->st_analysed);
	if (rc == SQLITE_ROW && label &&
	    store_label(label, (const char *)sqlite3_column_text(db->st_analysed, 0),
			(const char *)sqlite3_column_text(db->st_analysed, 1)) < 0)
		err = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
	sqlite3_reset(db->st_analysed);
	if (err < 0)
		return err;
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_error(db, rc, "looking up an analysis");
}

int store_is_analysed(tgpl_db *db, const char *oid, const char *engine)
{
	return store_lookup_analysis(db, oid, engine, NULL);
}

static char *counts_key(const char *repo_path, const char *rev_key, const char *engine)
{
	tgpl_buf b = TGPL_BUF_INIT;

	if (tgpl_buf_printf(&b, "%s\n%s\n%s", repo_path, rev_key, engine) < 0) {
		tgpl_buf_release(&b);
		return NULL;
	}
	return b.ptr;
}

int store_counts_publish(tgpl_db *db, const char *repo_path, const char *rev_key, const char *engine,
			 const store_count *counts, size_t n)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	free(db->counts_key);
	db->counts_key = NULL;
	if ((rc = store_exec(db, "CREATE TEMP TABLE IF NOT EXISTS counts (label TEXT PRIMARY KEY,"
			     " n INTEGER NOT NULL) WITHOUT ROWID; DELETE FROM temp.counts")) < 0)
		return rc;
	if ((rc = sqlite3_prepare_v2(db->sql, "INSERT INTO temp.counts (label, n) VALUES (?1, ?2)",
				     -1, &st, NULL)) != SQLITE_OK)
		return store_error(db, rc, "counting licences");
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, counts[i].label, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, counts[i].n);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_error(db, rc, "counting licences");
		}
	}
	sqlite3_finalize(st);
	if (!(db->counts_key = counts_key(repo_path, rev_key, engine)))
		return tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
	return 0;
}

int store_counts_hold(tgpl_db *db, const char *repo_path, const char *rev_key, const char *engine)
{
	char *key;
	int same;

	if (!db->counts_key || !(key = counts_key(repo_path, rev_key, engine)))
		return 0;
	same = strcmp(key, db->counts_key) == 0;
	free(key);
	return same;
}

int store_batch_begin(tgpl_db *db)
{
	int rc;

	if (db->in_batch)
		return 0;
	/* Outside a transaction: the pragma is a no-op inside one. */
	if ((rc = store_exec(db, "PRAGMA foreign_keys = OFF")) < 0)
		return rc;
	if ((rc = store_exec(db, "BEGIN IMMEDIATE")) < 0) {
		store_exec(db, "PRAGMA foreign_keys = ON");
		return rc;
	}
	db->in_batch = 1;
	db->batch_began = time(NULL);
	return 0;
}

int store_batch_commit(tgpl_db *db)
{
	int rc, err = 0;

	if (!db->in_batch)
		return 0;
	rc = sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		char what[96];

		if (db->group_pending)
			snprintf(what, sizeof(what), "committing (the %u repositories finished since the "
				 "last commit are not stored)", db->group_pending);
		else
			snprintf(what, sizeof(what), "committing detection results");
		err = store_error(db, rc, what);
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	}
	db->in_batch = 0;
	db->group_pending = 0;
	sqlite3_exec(db->sql, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return err;
}

int store_batch_commit_due(tgpl_db *db)
{
	time_t limit = db->group_seconds > BATCH_SECONDS ? db->group_seconds : BATCH_SECONDS;

	if (!db->in_batch || time(NULL) - db->batch_began < limit)
		return 0;
	return store_batch_commit(db);
}

void tgpl_db_set_group_commit(tgpl_db *db, unsigned int seconds)
{
	db->group_seconds = seconds;
}

int tgpl_db_flush(tgpl_db *db)
{
	return store_batch_commit(db);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int spans_json(tgpl_buf *b, const tgpl_span *s, size_t n)
{
	size_t i;

	tgpl_buf_clear(b);
	if (tgpl_buf_putc(b, '[') < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (tgpl_buf_printf(b, "%s[%u,%u]", i ? "," : "", s[i].start_line, s[i].end_line) < 0)
			return -1;
	return tgpl_buf_putc(b, ']');
}

static int put_finding(tgpl_db *db, const char *oid, const char *engine, int seq,
		       const char *category, const char *kind, const char *spdx, const char *expr,
		       uint32_t start, uint32_t end, double score, const char *rule,
		       const char *note, const char *unmatched)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(db, &db->st_finding,
			  "INSERT OR REPLACE INTO findings (blob_id, engine, seq, category, kind, spdx, expr,"
			  " start_line, end_line, score, rule, note, unmatched)"
			  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")) < 0)
		return rc;
	st = db->st_finding;
	sqlite3_bind_text(st, 1, oid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, engine, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, seq);
	sqlite3_bind_text(st, 4, category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, kind ? kind : "", -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 6, spdx);
	bind_text_or_null(st, 7, expr);
	sqlite3_bind_int64(st, 8, start);
	sqlite3_bind_int64(st, 9, end);
	sqlite3_bind_double(st, 10, score);
	bind_text_or_null(st, 11, rule);
	bind_text_or_null(st, 12, note);
	bind_text_or_null(st, 13, unmatched);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "storing a finding");
}

int store_put_analysis(tgpl_db *db, const char *oid, int64_t size, const char *engine,
		       const tgpl_detection *det)
{
	tgpl_buf spans = TGPL_BUF_INIT;
	sqlite3_stmt *st;
	size_t i;
	int rc, seq = 0;

	if ((rc = prepare(db, &db->st_blob, "INSERT OR IGNORE INTO blobs (id, size) VALUES (?1, ?2)")) < 0)
		return rc;
	sqlite3_bind_text(db->st_blob, 1, oid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(db->st_blob, 2, size);
	rc = sqlite3_step(db->st_blob);
	sqlite3_reset(db->st_blob);
	if (rc != SQLITE_DONE)
		return store_error(db, rc, "storing a blob");
	if ((rc = prepare(db, &db->st_analysis,
			  "INSERT OR REPLACE INTO analyses (blob_id, engine, expression, skipped, n_lines)"
			  " VALUES (?1, ?2, ?3, ?4, ?5)")) < 0)
		return rc;
	st = db->st_analysis;
	sqlite3_bind_text(st, 1, oid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, engine, -1, SQLITE_STATIC);
	bind_text_or_null(st, 3, det->expression);
	bind_text_or_null(st, 4, det->skipped);
	sqlite3_bind_int64(st, 5, det->n_lines);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(db, rc, "storing an analysis");
	rc = 0;
	for (i = 0; i < det->n_licenses && rc == 0; i++) {
		const tgpl_license_hit *h = &det->licenses[i];
		if (spans_json(&spans, h->unmatched, h->n_unmatched) < 0) {
			rc = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
			break;
		}
		rc = put_finding(db, oid, engine, seq++, "license", tgpl_kind_name(h->kind), h->spdx,
				 h->expr, h->start_line, h->end_line, h->score, h->rule, h->note,
				 h->n_unmatched ? spans.ptr : NULL);
	}
	for (i = 0; i < det->n_clauses && rc == 0; i++) {
		const tgpl_clause_hit *h = &det->clauses[i];
		rc = put_finding(db, oid, engine, seq++, "clause", h->kind, h->id, NULL,
				 h->start_line, h->end_line, h->score, h->rule, NULL, NULL);
	}
	for (i = 0; i < det->n_optouts && rc == 0; i++) {
		const tgpl_optout_hit *h = &det->optouts[i];
		rc = put_finding(db, oid, engine, seq++, "optout", h->kind, h->detail, NULL,
				 h->start_line, h->end_line, 1.0, NULL, NULL, NULL);
	}
	tgpl_buf_release(&spans);
	return rc;
}

/* ---- one repository ----------------------------------------------------- */

/* The mode as git prints it, read as a decimal number: 0100644 -> 100644. */
static unsigned int git_mode_digits(unsigned int mode)
{
	unsigned int out = 0, scale = 1;

	for (; mode; mode >>= 3, scale *= 10)
		out += (mode & 7) * scale;
	return out;
}

int store_stage_begin(tgpl_db *db)
{
	sqlite3_finalize(db->st_stage);
	db->st_stage = NULL;
	sqlite3_finalize(db->st_gone);
	db->st_gone = NULL;
	return store_exec(db,
		"DROP TABLE IF EXISTS temp.stage;"
		"CREATE TEMP TABLE stage (path BLOB PRIMARY KEY, mode INTEGER, type TEXT, oid TEXT,"
		" size INTEGER, concluded TEXT, decided_by TEXT) WITHOUT ROWID;"
		"DROP TABLE IF EXISTS temp.gone;"
		"CREATE TEMP TABLE gone (path BLOB PRIMARY KEY) WITHOUT ROWID");
}

/* Insert one staged row; `mode` as git prints it. */
static int stage_row(tgpl_db *db, const char *path, size_t path_len, unsigned int mode,
		     const char *type, const char *oid, int64_t size)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_batch_begin(db)) < 0)
		return rc;
	if ((rc = prepare(db, &db->st_stage,
			  "INSERT OR REPLACE INTO temp.stage (path, mode, type, oid, size)"
			  " VALUES (?1, ?2, ?3, ?4, ?5)")) < 0)
		return rc;
	st = db->st_stage;
	sqlite3_bind_blob(st, 1, path, (int)path_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)mode);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, oid, -1, SQLITE_STATIC);
	if (size >= 0)
		sqlite3_bind_int64(st, 5, size);
	else
		sqlite3_bind_null(st, 5);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "staging a file");
}

int store_stage_file(tgpl_db *db, const char *path, size_t path_len, unsigned int mode,
		     const char *type, const char *oid, int64_t size)
{
	return stage_row(db, path, path_len, git_mode_digits(mode), type, oid, size);
}

int store_stage_gone(tgpl_db *db, const char *path, size_t path_len)
{
	int rc;

	if ((rc = store_batch_begin(db)) < 0)
		return rc;
	if ((rc = prepare(db, &db->st_gone, "INSERT OR IGNORE INTO temp.gone (path) VALUES (?1)")) < 0)
		return rc;
	sqlite3_bind_blob(db->st_gone, 1, path, (int)path_len, SQLITE_STATIC);
	rc = sqlite3_step(db->st_gone);
	sqlite3_reset(db->st_gone);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "staging a removed path");
}

int store_base_revision(tgpl_db *db, const char *repo_path, const char *engine,
			int64_t *rev_id, char tree_id[41])
{
	static const char sql[] =
		"SELECT v.id, v.tree_id FROM revisions v JOIN repositories r ON r.id = v.repo_id"
		" WHERE r.path = ?1 AND v.engine = ?2 AND v.commit_id IS NOT NULL"
		" AND length(v.tree_id) = 40 AND r.kind != 'dir' AND v.base_rev_id IS NULL"
		" ORDER BY v.id DESC LIMIT 1";
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, repo_path, (int)strlen(repo_path), SQLITE_STATIC);
		sqlite3_bind_text(st, 2, engine, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		*rev_id = sqlite3_column_int64(st, 0);
		snprintf(tree_id, 41, "%s", (const char *)sqlite3_column_text(st, 1));
		sqlite3_finalize(st);
		return 1;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	return store_error(db, rc, "looking up an earlier revision");
}

int store_stage_base(tgpl_db *db, int64_t base_rev_id, store_row_filter keep, void *payload)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql,
		"SELECT path, mode, type, oid, size FROM file_rows WHERE rev_id = ?1", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_error(db, rc, "reading an earlier revision");
	sqlite3_bind_int64(st, 1, base_rev_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 2);
		const char *oid = (const char *)sqlite3_column_text(st, 3);
		int err;

		if (!path || !type || !oid || !keep(path, len, type, payload))
			continue;
		err = stage_row(db, path, len, (unsigned int)sqlite3_column_int(st, 1), type, oid,
				sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4));
		if (err < 0) {
			sqlite3_finalize(st);
			return err;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "reading an earlier revision");
}

void store_stage_drop(tgpl_db *db)
{
	sqlite3_finalize(db->st_stage);
	db->st_stage = NULL;
	sqlite3_finalize(db->st_gone);
	db->st_gone = NULL;
	sqlite3_exec(db->sql, "DROP TABLE IF EXISTS temp.stage; DROP TABLE IF EXISTS temp.gone",
		     NULL, NULL, NULL);
}

int store_has_revision(tgpl_db *db, const store_revision *rev)
{
	static const char sql[] =
		"SELECT 1 FROM revisions v JOIN repositories r ON r.id = v.repo_id"
		" WHERE r.path = ?1 AND v.rev_key = ?2 AND v.engine = ?3";
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, rev->repo_path, (int)strlen(rev->repo_path), SQLITE_STATIC);
		sqlite3_bind_text(st, 2, rev->rev_key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, rev->engine, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_error(db, rc, "looking up a revision");
}

static int step_done(tgpl_db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_error(db, rc, what);
}

/*
 * A rescan of the same revision key (another engine, a directory) replaces
 * the earlier rows whole; the deltas based on them first get their base's
 * rows of their own.  Each statement takes ?1 repository id, ?2 revision key.
 */
static const char *const replace_sql[] = {
	"INSERT OR IGNORE INTO file_rows (rev_id, path, mode, type, oid, size, concluded, decided_by)"
	" SELECT d.id, b.path, b.mode, b.type, b.oid, b.size, b.concluded, b.decided_by"
	" FROM revisions o JOIN revisions d ON d.base_rev_id = o.id"
	" JOIN file_rows b ON b.rev_id = o.id"
	" WHERE o.repo_id = ?1 AND o.rev_key = ?2"
	" AND NOT EXISTS (SELECT 1 FROM file_gone g WHERE g.rev_id = d.id AND g.path = b.path)",
	"DELETE FROM file_gone WHERE rev_id IN (SELECT d.id FROM revisions o JOIN revisions d"
	" ON d.base_rev_id = o.id WHERE o.repo_id = ?1 AND o.rev_key = ?2)",
	"UPDATE revisions SET base_rev_id = NULL WHERE base_rev_id IN"
	" (SELECT id FROM revisions WHERE repo_id = ?1 AND rev_key = ?2)",
	"DELETE FROM file_rows WHERE rev_id IN"
	" (SELECT id FROM revisions WHERE repo_id = ?1 AND rev_key = ?2)",
	"DELETE FROM file_gone WHERE rev_id IN"
	" (SELECT id FROM revisions WHERE repo_id = ?1 AND rev_key = ?2)",
	"DELETE FROM revisions WHERE repo_id = ?1 AND rev_key = ?2",
};

/* Insert or update the repository row of `rev`; its id in *id. */
static int put_repository(tgpl_db *db, const store_revision *rev, sqlite3_int64 *id)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql,
		"INSERT INTO repositories (path, kind, origin) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, origin = excluded.origin"
		" RETURNING id", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, rev->repo_path, (int)strlen(rev->repo_path), SQLITE_STATIC);
		sqlite3_bind_text(st, 2, rev->kind, -1, SQLITE_STATIC);
		bind_text_or_null(st, 3, rev->origin);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			*id = sqlite3_column_int64(st, 0);
			rc = sqlite3_step(st);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "storing the repository");
}

/* Take back what a failed store_commit_revision() inserted outside a
 * savepoint: the revision `rev_id` and its rows, and the repository `repo_id`
 * if it was created for it (0: none). */
static void undo_revision(tgpl_db *db, sqlite3_int64 rev_id, sqlite3_int64 repo_id)
{
	static const char *const sql[] = {
		"DELETE FROM file_rows WHERE rev_id = ?1",
		"DELETE FROM file_gone WHERE rev_id = ?1",
		"DELETE FROM revisions WHERE id = ?1",
		"DELETE FROM repositories WHERE id = ?2",
	};
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db->sql, sql[i], -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, rev_id);
			if (sqlite3_bind_parameter_count(st) >= 2)
				sqlite3_bind_int64(st, 2, repo_id);
			sqlite3_step(st);
		}
		sqlite3_finalize(st);
	}
}

int store_commit_revision(tgpl_db *db, const store_revision *rev, int64_t *files_out,
			  int64_t *copied_out)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 repo_id = 0, rev_id = 0, expected, staged, stored, kept = 0, base_rows = 0;
	size_t i;
	int rc, delta = 0, replacing = 0, savepoint = 0, created = 0;

	/*
	 * Inside the batch transaction (foreign keys off: an INSERT ... SELECT
	 * that could abort half-way makes SQLite copy every page it touches to a
	 * statement journal first, megabytes per repository).  A failure takes
	 * back this repository's rows and nothing else: a new revision by
	 * deleting what was inserted (undo_revision()), a revision that replaces
	 * an earlier scan in a savepoint (which also copies every page it
	 * touches, so only when there is something to replace).  What the
	 * foreign keys would do, this function does itself: it writes the
	 * repository row before the revision, the revision before its files, and
	 * deletes the files of a revision it replaces.  Inserts are OR IGNORE
	 * and counted.
	 */
	if ((rc = store_batch_begin(db)) < 0)
		return rc;
#define PREP(text_) do { sqlite3_finalize(st); st = NULL; \
	int prc_ = sqlite3_prepare_v2(db->sql, text_, -1, &st, NULL); \
	if (prc_ != SQLITE_OK) { rc = store_error(db, prc_, "preparing a statement"); goto fail; } } while (0)

	PREP("SELECT id, EXISTS (SELECT 1 FROM revisions v WHERE v.repo_id = r.id AND v.rev_key = ?2)"
	     " FROM repositories r WHERE path = ?1");
	sqlite3_bind_blob(st, 1, rev->repo_path, (int)strlen(rev->repo_path), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev->rev_key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		repo_id = sqlite3_column_int64(st, 0);
		replacing = sqlite3_column_int(st, 1);
	} else if (rc != SQLITE_DONE) {
		rc = store_error(db, rc, "reading the repository id");
		goto fail;
	}
	if (replacing) {
		if ((rc = store_exec(db, "SAVEPOINT revision")) < 0)
			goto fail;
		savepoint = 1;
	}
	/* An existing repository's row is updated last, when nothing can fail. */
	if (!repo_id || replacing) {
		if ((rc = put_repository(db, rev, &repo_id)) < 0)
			goto fail;
		created = !replacing;
	}
	for (i = 0; replacing && i < sizeof(replace_sql) / sizeof(replace_sql[0]); i++) {
		PREP(replace_sql[i]);
		sqlite3_bind_int64(st, 1, repo_id);
		sqlite3_bind_text(st, 2, rev->rev_key, -1, SQLITE_STATIC);
		if ((rc = step_done(db, st, "replacing an earlier scan")) < 0)
			goto fail;
	}
	if (copied_out)
		*copied_out = 0;
	PREP("SELECT count(*) FROM temp.stage");
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = store_error(db, sqlite3_errcode(db->sql), "counting the files");
		goto fail;
	}
	staged = sqlite3_column_int64(st, 0);
	expected = staged;
	if (rev->base_rev_id) {
		/* The base revision must still be there, whole (another process
		 * may have replaced it since the walk). */
		PREP("SELECT 1 FROM revisions WHERE id = ?1 AND engine = ?2 AND base_rev_id IS NULL");
		sqlite3_bind_int64(st, 1, rev->base_rev_id);
		sqlite3_bind_text(st, 2, rev->engine, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = tgpl_error(db->ctx, TGPL_EDB, "database '%s': the earlier revision this scan "
					"started from was replaced meanwhile; scan '%s' again", db->path,
					rev->repo_path);
			goto fail;
		}
		/* The base revision's rows, but for the paths staged or gone. */
		PREP("SELECT count(*), coalesce(sum(type = 'file'), 0),"
		     " (SELECT count(*) FROM file_rows WHERE rev_id = ?1) FROM file_rows WHERE rev_id = ?1"
		     " AND path NOT IN (SELECT path FROM temp.stage)"
		     " AND path NOT IN (SELECT path FROM temp.gone)");
		sqlite3_bind_int64(st, 1, rev->base_rev_id);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = store_error(db, sqlite3_errcode(db->sql), "reading an earlier revision");
			goto fail;
		}
		kept = sqlite3_column_int64(st, 0);
		base_rows = sqlite3_column_int64(st, 2);
		expected += kept;
		if (copied_out)
			*copied_out = sqlite3_column_int64(st, 1);
		/* A delta that would be much of its base is stored whole. */
		delta = (staged + base_rows - kept) * DELTA_MAX_SHARE <= base_rows;
	}
	PREP("INSERT INTO revisions (repo_id, rev_key, commit_id, tree_id, commit_time, ref,"
	     " scanned_at, engine, declared, base_rev_id)"
	     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	sqlite3_bind_int64(st, 1, repo_id);
	sqlite3_bind_text(st, 2, rev->rev_key, -1, SQLITE_STATIC);
	bind_text_or_null(st, 3, rev->commit_id);
	bind_text_or_null(st, 4, rev->tree_id);
	if (rev->commit_time)
		sqlite3_bind_int64(st, 5, rev->commit_time);
	else
		sqlite3_bind_null(st, 5);
	bind_text_or_null(st, 6, rev->ref);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 8, rev->engine, -1, SQLITE_STATIC);
	bind_text_or_null(st, 9, rev->declared);
	if (delta)
		sqlite3_bind_int64(st, 10, rev->base_rev_id);
	else
		sqlite3_bind_null(st, 10);
	if ((rc = step_done(db, st, "storing the revision")) < 0)
		goto fail;
	rev_id = sqlite3_last_insert_rowid(db->sql);
	/* A delta: the staged rows (and below, the base's paths that are gone);
	 * a whole revision from a base: the base's other rows too. */
	if (rev->base_rev_id && !delta) {
		PREP("INSERT OR IGNORE INTO file_rows (rev_id, path, mode, type, oid, size, concluded,"
		     " decided_by) SELECT ?1, path, mode, type, oid, size, concluded, decided_by FROM"
		     " (SELECT path, mode, type, oid, size, concluded, decided_by FROM file_rows"
		     "   WHERE rev_id = ?2 AND path NOT IN (SELECT path FROM temp.stage)"
		     "   AND path NOT IN (SELECT path FROM temp.gone)"
		     "  UNION ALL SELECT path, mode, type, oid, size, concluded, decided_by"
		     "  FROM temp.stage) ORDER BY path");
		sqlite3_bind_int64(st, 2, rev->base_rev_id);
	} else {
		PREP("INSERT OR IGNORE INTO file_rows (rev_id, path, mode, type, oid, size, concluded,"
		     " decided_by) SELECT ?1, path, mode, type, oid, size, concluded, decided_by"
		     " FROM temp.stage");
	}
	sqlite3_bind_int64(st, 1, rev_id);
	if ((rc = step_done(db, st, "storing the files")) < 0)
		goto fail;
	stored = sqlite3_changes64(db->sql);
	if (delta) {
		PREP("INSERT OR IGNORE INTO file_gone (rev_id, path)"
		     " SELECT ?1, b.path FROM file_rows b WHERE b.rev_id = ?2"
		     " AND b.path IN (SELECT path FROM temp.gone)"
		     " AND b.path NOT IN (SELECT path FROM temp.stage)");
		sqlite3_bind_int64(st, 1, rev_id);
		sqlite3_bind_int64(st, 2, rev->base_rev_id);
		if ((rc = step_done(db, st, "storing the files")) < 0)
			goto fail;
		stored += kept;
	}
	if (stored != expected) {
		rc = tgpl_error(db->ctx, TGPL_EDB, "database '%s': storing the files of '%s': %lld of "
				"%lld rows were valid", db->path, rev->repo_path,
				(long long)stored, (long long)expected);
		goto fail;
	}
	if (files_out)
		*files_out = expected;
	/* A file's blob row came with its analysis (store_put_analysis()); a
	 * symlink's target is a blob that is never analysed. */
	PREP("INSERT OR IGNORE INTO blobs (id, size)"
	     " SELECT oid, size FROM temp.stage WHERE type = 'symlink'");
	if ((rc = step_done(db, st, "storing the blobs")) < 0)
		goto fail;
	if (!created && !savepoint && (rc = put_repository(db, rev, &repo_id)) < 0)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (savepoint && (rc = sqlite3_exec(db->sql, "RELEASE revision", NULL, NULL, NULL)) != SQLITE_OK) {
		rc = store_error(db, rc, "committing the repository");
		goto fail;
	}
	db->group_pending++;
	/* Without group commit, each repository is durable when this returns. */
	if (!db->group_seconds && (rc = store_batch_commit(db)) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", tgpl_errmsg(db->ctx));
		return tgpl_error(db->ctx, rc, "%s; repository '%s' was not stored", why, rev->repo_path);
	}
	return 0;
#undef PREP
fail:
	sqlite3_finalize(st);
	if (savepoint) {
		sqlite3_exec(db->sql, "ROLLBACK TO revision", NULL, NULL, NULL);
		sqlite3_exec(db->sql, "RELEASE revision", NULL, NULL, NULL);
	} else if (!sqlite3_get_autocommit(db->sql)) {
		/* (If SQLite rolled the whole batch back, there is nothing to undo
		 * and the next commit says what was lost.) */
		undo_revision(db, rev_id, created ? repo_id : 0);
	}
	return rc;
}

int tgpl_db_log_scan(tgpl_db *db, int64_t started, const char *engine, int64_t repos,
		   int64_t files, int64_t analysed, int64_t reused)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql,
		"INSERT INTO scans (started_at, finished_at, engine, repos, files, analysed, reused)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, started);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
		sqlite3_bind_text(st, 3, engine, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, repos);
		sqlite3_bind_int64(st, 5, files);
		sqlite3_bind_int64(st, 6, analysed);
		sqlite3_bind_int64(st, 7, reused);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "recording the scan");
}
