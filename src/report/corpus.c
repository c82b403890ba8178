/*
 * corpus.c — what a report reads from the database: the corpus (for every
 * repository, its most recently scanned revision), each revision's entries
 * in path order with their stored findings, and counts.
 *
 * Every statement has bound parameters; entries are streamed from SQLite,
 * so a report holds one entry at a time, not the corpus.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/* The reported revisions: per repository, the last one scanned. */
#define SELECTED_REVS \
	"SELECT v.id FROM revisions v WHERE v.id = (SELECT w.id FROM revisions w" \
	" WHERE w.repo_id = v.repo_id ORDER BY w.scanned_at DESC, w.id DESC LIMIT 1)"

static int sql_fail(report *r, int rc, const char *what)
{
	int code = (rc & 0xff) == SQLITE_NOMEM ? TGPL_ENOMEM : TGPL_EDB;

	return tgpl_error(r->ctx, code, "report: database failure while %s: %s", what,
			  sqlite3_errmsg(r->sql));
}

static char *col_dup(sqlite3_stmt *st, int i, int *oom)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	char *d;

	if (!s)
		return NULL;
	d = tgpl_strndup(s, (size_t)sqlite3_column_bytes(st, i));
	if (!d)
		*oom = 1;
	return d;
}

/*
 * A remote URL as it may be printed: userinfo ("user:token@") removed from
 * scheme://userinfo@host URLs, where credentials hide.  scp-like "git@host:x"
 * names a login, not a secret, and is kept.
 */
static char *clean_origin(const char *url, int *oom)
{
	char *copy = tgpl_url_redact(url);

	if (!copy)
		*oom = 1;
	return copy;
}

static void rev_release(report_rev *v)
{
	free(v->repo_path);
	free(v->kind);
	free(v->origin);
	free(v->rev_key);
	free(v->commit);
	free(v->tree);
	free(v->ref);
	free(v->engine);
	free(v->declared);
}

int report_load(report *r)
{
	static const char sql[] =
		"SELECT v.id, r.path, r.kind, r.origin, v.rev_key, v.commit_id, v.tree_id, v.ref,"
		"       coalesce(v.commit_time, 0), v.scanned_at, v.engine, v.declared,"
		"       (SELECT count(*) FROM files f WHERE f.rev_id = v.id),"
		"       (SELECT count(*) FROM files f WHERE f.rev_id = v.id AND f.type = 'file'),"
		"       (SELECT coalesce(sum(f.size), 0) FROM files f WHERE f.rev_id = v.id AND f.type = 'file')"
		" FROM revisions v JOIN repositories r ON r.id = v.repo_id"
		" WHERE v.id IN (" SELECTED_REVS ")"
		" ORDER BY r.path, v.id";
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, nomem = 0;

	rc = sqlite3_prepare_v2(r->sql, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(r, rc, "reading the repositories");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		report_rev *v;
		const char *origin, *path;

		if (tgpl_grow((void **)&r->revs, &cap, r->n_revs + 1, sizeof(*r->revs)) < 0) {
			nomem = 1;
			break;
		}
		v = &r->revs[r->n_revs++];
		memset(v, 0, sizeof(*v));
		v->id = sqlite3_column_int64(st, 0);
		v->index = r->n_revs;
		path = sqlite3_column_blob(st, 1);
		v->repo_path_len = (size_t)sqlite3_column_bytes(st, 1);
		if (!(v->repo_path = tgpl_strndup(path ? path : "", v->repo_path_len)))
			nomem = 1;
		v->kind = col_dup(st, 2, &nomem);
		origin = (const char *)sqlite3_column_text(st, 3);
		v->origin = origin ? clean_origin(origin, &nomem) : NULL;
		v->rev_key = col_dup(st, 4, &nomem);
		v->commit = col_dup(st, 5, &nomem);
		v->tree = col_dup(st, 6, &nomem);
		v->ref = col_dup(st, 7, &nomem);
		v->commit_time = sqlite3_column_int64(st, 8);
		v->scanned_at = sqlite3_column_int64(st, 9);
		v->engine = col_dup(st, 10, &nomem);
		v->declared = col_dup(st, 11, &nomem);
		v->n_entries = sqlite3_column_int64(st, 12);
		v->n_files = sqlite3_column_int64(st, 13);
		v->bytes = sqlite3_column_int64(st, 14);
		r->n_entries += v->n_entries;
		r->n_files += v->n_files;
		r->bytes += v->bytes;
		if (nomem)
			break;
	}
	sqlite3_finalize(st);
	if (nomem)
		return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
	if (rc != SQLITE_DONE)
		return sql_fail(r, rc, "reading the repositories");
	return 0;
}

void report_unload(report *r)
{
	size_t i;

	for (i = 0; i < r->n_revs; i++)
		rev_release(&r->revs[i]);
	free(r->revs);
	r->revs = NULL;
	r->n_revs = 0;
}

void report_repo_name(const report_rev *rev, const char **name, size_t *len)
{
	const char *p = rev->repo_path, *end = p + rev->repo_path_len, *s;

	while (end > p + 1 && end[-1] == '/')
		end--;
	for (s = end; s > p && s[-1] != '/'; s--)
		;
	*name = s;
	*len = (size_t)(end - s);
	if (*len == 0) {
		*name = p;
		*len = rev->repo_path_len;
	}
}

/* ---- entries ------------------------------------------------------------- */

int report_files_open(report_cursor *c, report *r, const report_rev *rev, const char *type,
		      unsigned int flags)
{
	static const char sql[] =
		"SELECT f.path, f.mode, f.type, f.oid, f.size, f.concluded, f.decided_by,"
		"       a.blob_id IS NOT NULL, a.expression, a.skipped"
		" FROM files f LEFT JOIN analyses a ON a.blob_id = f.oid AND a.engine = ?2"
		" WHERE f.rev_id = ?1 AND (?3 IS NULL OR f.type = ?3)"
		" AND (?4 = 0 OR EXISTS (SELECT 1 FROM findings x WHERE x.blob_id = f.oid AND x.engine = ?2"
		"                        AND x.category IN ('clause', 'optout')))"
		" ORDER BY f.path";
	int with_findings = (flags & REPORT_FINDINGS) != 0;
	static const char fsql[] =
		"SELECT category, kind, spdx, expr, start_line, end_line, score, rule, note, unmatched"
		" FROM findings WHERE blob_id = ?1 AND engine = ?2 ORDER BY seq";
	int rc;

	memset(c, 0, sizeof(*c));
	c->r = r;
	c->rev = rev;
	c->with_findings = with_findings;
	rc = sqlite3_prepare_v2(r->sql, sql, -1, &c->files, NULL);
	if (rc == SQLITE_OK && with_findings)
		rc = sqlite3_prepare_v2(r->sql, fsql, -1, &c->findings, NULL);
	if (rc != SQLITE_OK) {
		rc = sql_fail(r, rc, "reading files");
		report_files_close(c);
		return rc;
	}
	sqlite3_bind_int64(c->files, 1, rev->id);
	sqlite3_bind_text(c->files, 2, rev->engine, -1, SQLITE_STATIC);
	if (type)
		sqlite3_bind_text(c->files, 3, type, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(c->files, 3);
	sqlite3_bind_int(c->files, 4, (flags & REPORT_SIGNALS) != 0);
	return 0;
}

/* "[[3,5],[9,9]]" into spans; malformed text gives what parsed. */
static int parse_spans(const char *s, tgpl_span **out, size_t *n)
{
	tgpl_span *v = NULL;
	size_t cap = 0, cnt = 0;
	const char *p = s;

	while (p && (p = strchr(p, '[')) != NULL) {
		char *end;
		unsigned long a, b;

		if (p[1] == '[') {
			p++;
			continue;
		}
		a = strtoul(p + 1, &end, 10);
		if (*end != ',')
			break;
		b = strtoul(end + 1, &end, 10);
		if (*end != ']')
			break;
		if (tgpl_grow((void **)&v, &cap, cnt + 1, sizeof(*v)) < 0) {
			free(v);
			return TGPL_ENOMEM;
		}
		v[cnt].start_line = (uint32_t)a;
		v[cnt].end_line = (uint32_t)b;
		cnt++;
		p = end;
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int kind_from_name(const char *s)
{
	static const char *const names[] = { "tag", "text", "notice", "reference", "metadata" };
	size_t i;

	for (i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return TGPL_KIND_REFERENCE;
}

/* The stored findings of the current entry, as a detection. */
static int load_findings(report_cursor *c, tgpl_detection **out)
{
	sqlite3_stmt *st = c->findings;
	tgpl_detection *d = tgpl_calloc(1, sizeof(*d));
	size_t cap_l = 0, cap_c = 0, cap_o = 0;
	int rc, nomem = 0;

	if (!d)
		return tgpl_error(c->r->ctx, TGPL_ENOMEM, "out of memory");
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, c->cur.oid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->rev->engine, -1, SQLITE_STATIC);
	while (!nomem && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cat = (const char *)sqlite3_column_text(st, 0);
		uint32_t sl = (uint32_t)sqlite3_column_int64(st, 4), el = (uint32_t)sqlite3_column_int64(st, 5);

		if (cat && strcmp(cat, "license") == 0) {
			tgpl_license_hit *h;

			if (tgpl_grow((void **)&d->licenses, &cap_l, d->n_licenses + 1, sizeof(*h)) < 0) {
				nomem = 1;
				break;
			}
			h = &d->licenses[d->n_licenses++];
			memset(h, 0, sizeof(*h));
			h->kind = (tgpl_kind)kind_from_name((const char *)sqlite3_column_text(st, 1));
			h->spdx = col_dup(st, 2, &nomem);
			h->expr = col_dup(st, 3, &nomem);
			h->start_line = sl;
			h->end_line = el;
			h->score = sqlite3_column_double(st, 6);
			h->rule = col_dup(st, 7, &nomem);
			h->note = col_dup(st, 8, &nomem);
			if (sqlite3_column_text(st, 9) &&
			    parse_spans((const char *)sqlite3_column_text(st, 9), &h->unmatched, &h->n_unmatched) < 0)
				nomem = 1;
		} else if (cat && strcmp(cat, "clause") == 0) {
			tgpl_clause_hit *h;

			if (tgpl_grow((void **)&d->clauses, &cap_c, d->n_clauses + 1, sizeof(*h)) < 0) {
				nomem = 1;
				break;
			}
			h = &d->clauses[d->n_clauses++];
			memset(h, 0, sizeof(*h));
			h->kind = col_dup(st, 1, &nomem);
			h->id = col_dup(st, 2, &nomem);
			h->start_line = sl;
			h->end_line = el;
			h->score = sqlite3_column_double(st, 6);
			h->rule = col_dup(st, 7, &nomem);
		} else if (cat && strcmp(cat, "optout") == 0) {
			tgpl_optout_hit *h;

			if (tgpl_grow((void **)&d->optouts, &cap_o, d->n_optouts + 1, sizeof(*h)) < 0) {
				nomem = 1;
				break;
			}
			h = &d->optouts[d->n_optouts++];
			memset(h, 0, sizeof(*h));
			h->kind = col_dup(st, 1, &nomem);
			h->detail = col_dup(st, 2, &nomem);
			h->start_line = sl;
			h->end_line = el;
		}
	}
	if (nomem) {
		tgpl_detection_free(d);
		return tgpl_error(c->r->ctx, TGPL_ENOMEM, "out of memory");
	}
	if (rc != SQLITE_DONE) {
		tgpl_detection_free(d);
		return sql_fail(c->r, rc, "reading findings");
	}
	*out = d;
	return 0;
}

int report_files_next(report_cursor *c)
{
	sqlite3_stmt *st = c->files;
	report_file *f = &c->cur;
	int rc;

	tgpl_detection_free(f->det);
	f->det = NULL;
	if (tgpl_interrupted(c->r->ctx))
		return tgpl_error(c->r->ctx, TGPL_EINTR, "interrupted");
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return sql_fail(c->r, rc, "reading files");
	f->path = sqlite3_column_blob(st, 0);
	f->path_len = (size_t)sqlite3_column_bytes(st, 0);
	if (!f->path)
		f->path = "";
	f->mode = (unsigned int)sqlite3_column_int64(st, 1);
	f->type = (const char *)sqlite3_column_text(st, 2);
	f->oid = (const char *)sqlite3_column_text(st, 3);
	f->size = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
	f->concluded = (const char *)sqlite3_column_text(st, 5);
	f->decided_by = (const char *)sqlite3_column_text(st, 6);
	f->analysed = sqlite3_column_int(st, 7);
	f->expression = (const char *)sqlite3_column_text(st, 8);
	f->skipped = (const char *)sqlite3_column_text(st, 9);
	if (!f->type)
		f->type = "file";
	if (!f->oid)
		f->oid = "";
	if (c->with_findings && f->analysed && (rc = load_findings(c, &f->det)) < 0)
		return rc;
	return 1;
}

void report_files_close(report_cursor *c)
{
	tgpl_detection_free(c->cur.det);
	c->cur.det = NULL;
	sqlite3_finalize(c->files);
	sqlite3_finalize(c->findings);
	c->files = c->findings = NULL;
}

/* ---- counts -------------------------------------------------------------- */

int report_license_counts(report *r, const report_rev *rev, report_count_cb cb, void *payload)
{
	static const char sql[] =
		"SELECT f.concluded, count(*) AS n FROM files f"
		" WHERE f.type = 'file' AND (?1 IS NULL AND f.rev_id IN (" SELECTED_REVS ") OR f.rev_id = ?1)"
		" GROUP BY f.concluded ORDER BY n DESC, f.concluded IS NULL, f.concluded";
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(r->sql, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(r, rc, "counting licences");
	if (rev)
		sqlite3_bind_int64(st, 1, rev->id);
	else
		sqlite3_bind_null(st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int crc = cb((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1), payload);
		if (crc < 0) {
			sqlite3_finalize(st);
			return crc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(r, rc, "counting licences");
}

int report_tally_get(report *r, const report_rev *rev, report_tally *out)
{
	static const char sql[] =
		"SELECT"
		" sum(EXISTS (SELECT 1 FROM findings x WHERE x.blob_id = f.oid AND x.engine = v.engine"
		"             AND x.category = 'clause')),"
		" sum(EXISTS (SELECT 1 FROM findings x WHERE x.blob_id = f.oid AND x.engine = v.engine"
		"             AND x.category = 'optout')),"
		" sum(a.skipped IS NOT NULL), sum(a.blob_id IS NULL), sum(f.concluded IS NULL)"
		" FROM files f JOIN revisions v ON v.id = f.rev_id"
		" LEFT JOIN analyses a ON a.blob_id = f.oid AND a.engine = v.engine"
		" WHERE f.type = 'file' AND (?1 IS NULL AND f.rev_id IN (" SELECTED_REVS ") OR f.rev_id = ?1)";
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sqlite3_prepare_v2(r->sql, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(r, rc, "counting findings");
	if (rev)
		sqlite3_bind_int64(st, 1, rev->id);
	else
		sqlite3_bind_null(st, 1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->with_clauses = sqlite3_column_int64(st, 0);
		out->with_optouts = sqlite3_column_int64(st, 1);
		out->skipped = sqlite3_column_int64(st, 2);
		out->unanalysed = sqlite3_column_int64(st, 3);
		out->no_license = sqlite3_column_int64(st, 4);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(r, rc, "counting findings");
}

int report_read_named(report *r, const char *path, size_t cap, char **out, size_t *len)
{
	static const char sql[] =
		"SELECT f.rev_id, f.path, f.mode, f.type, f.oid, f.size FROM files f"
		" WHERE f.path = CAST(?1 AS BLOB) AND f.type = 'file' AND f.rev_id IN (" SELECTED_REVS ")"
		" ORDER BY f.rev_id";
	sqlite3_stmt *st = NULL;
	int rc, src = 0;

	*out = NULL;
	*len = 0;
	src = sqlite3_prepare_v2(r->sql, sql, -1, &st, NULL);
	if (src != SQLITE_OK)
		return sql_fail(r, src, "looking a file up");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	rc = 0;
	while (!*out && (src = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t rev_id = sqlite3_column_int64(st, 0);
		report_file f;
		size_t i;

		memset(&f, 0, sizeof(f));
		f.path = sqlite3_column_blob(st, 1);
		f.path_len = (size_t)sqlite3_column_bytes(st, 1);
		f.mode = (unsigned int)sqlite3_column_int64(st, 2);
		f.type = (const char *)sqlite3_column_text(st, 3);
		f.oid = (const char *)sqlite3_column_text(st, 4);
		f.size = sqlite3_column_int64(st, 5);
		for (i = 0; i < r->n_revs && r->revs[i].id != rev_id; i++)
			;
		if (!f.path || !f.type || !f.oid || i == r->n_revs)
			continue;
		if (!r->blobs && (rc = report_blobs_new(&r->blobs, r->ctx)) < 0)
			break;
		/* An unreadable copy is not an error here: try the next one. */
		if ((rc = report_blob_read(r->blobs, &r->revs[i], &f, cap, out, len)) == TGPL_ENOMEM)
			break;
		rc = 0;
	}
	if (rc == 0 && !*out && src != SQLITE_DONE)
		rc = sql_fail(r, src, "looking a file up");
	sqlite3_finalize(st);
	return rc;
}
