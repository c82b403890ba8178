/*
 * conclude.c — the licence of each file of a revision, by the precedence of
 * DESIGN.md §1, and the repository's declared licence.
 *
 *   1. the file's own evidence (its tags, notices, licence text)   "own"
 *   2. a REUSE sidecar FILE.license next to it                     "sidecar:PATH"
 *      or an annotation of the root REUSE.toml / .reuse/dep5       "reuse:PATH:GLOB"
 *   3. the nearest licence file in its directory or above          "license-file:PATH"
 *      (a LICENSE/COPYING in a directory covers that subtree, so vendored
 *      code under vendor/x/LICENSE keeps its own licence)
 *   4. the package metadata at the root                            "metadata:PATH"
 *
 * The declared licence of the revision is what its root licence files say,
 * else its root package metadata.  Disagreements between the levels are
 * left for `tgpl check` to report; here every file says which rule decided.
 *
 * Runs on the staging table before the revision is committed.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/util.h"

typedef struct {
	char *key;      /* directory ("" for the root) or sidecar target path */
	char *source;   /* the path that says it */
	char *expr;
} conclusion;

typedef struct {
	conclusion *v;
	size_t n, cap;
} conclusion_set;

static void set_release(conclusion_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].source);
		free(s->v[i].expr);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/*
 * The LGPL-3.0 is the GPL-3.0 with additional permissions, and a project
 * under it ships both texts (COPYING and COPYING.LESSER): together they
 * are the LGPL, not both licences.  The LGPL id when {a, b} is such a
 * pair, else NULL.
 */
static const char *lgpl3_pair(const char *a, const char *b)
{
	static const char *const gpl[] = { "GPL-3.0-only", "GPL-3.0-or-later" };
	static const char *const lgpl[] = { "LGPL-3.0-only", "LGPL-3.0-or-later" };
	size_t i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			if (strcmp(a, gpl[i]) == 0 && strcmp(b, lgpl[j]) == 0)
				return b;
			if (strcmp(b, gpl[i]) == 0 && strcmp(a, lgpl[j]) == 0)
				return a;
		}
	return NULL;
}

/* Add or extend (with AND) the conclusion for `key`. */
static int set_add(conclusion_set *s, const char *key, size_t klen, const char *source,
		   size_t slen, const char *expr)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		conclusion *c = &s->v[i];
		if (strlen(c->key) == klen && memcmp(c->key, key, klen) == 0) {
			tgpl_buf b = TGPL_BUF_INIT;
			const char *lgpl = lgpl3_pair(c->expr, expr);

			if (strcmp(c->expr, expr) == 0)
				return 0;
			if (lgpl ? tgpl_buf_puts(&b, lgpl) < 0
				 : tgpl_buf_printf(&b, "%s AND %s", c->expr, expr) < 0) {
				tgpl_buf_release(&b);
				return TGPL_ENOMEM;
			}
			if (lgpl == expr) {
				/* The LGPL's own file decides. */
				char *src = tgpl_strndup(source, slen);

				if (!src) {
					tgpl_buf_release(&b);
					return TGPL_ENOMEM;
				}
				free(c->source);
				c->source = src;
			}
			free(c->expr);
			c->expr = tgpl_buf_detach(&b);
			return c->expr ? 0 : TGPL_ENOMEM;
		}
	}
	if (tgpl_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)) < 0)
		return TGPL_ENOMEM;
	s->v[s->n].key = tgpl_strndup(key, klen);
	s->v[s->n].source = tgpl_strndup(source, slen);
	s->v[s->n].expr = tgpl_strdup(expr);
	if (!s->v[s->n].key || !s->v[s->n].source || !s->v[s->n].expr) {
		free(s->v[s->n].key);
		free(s->v[s->n].source);
		free(s->v[s->n].expr);
		return TGPL_ENOMEM;
	}
	s->n++;
	return 0;
}

static const conclusion *set_find(const conclusion_set *s, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i].key) == klen && memcmp(s->v[i].key, key, klen) == 0)
			return &s->v[i];
	return NULL;
}

static int glob_match(const char *g, size_t gn, const char *p, size_t pn);

/* The last REUSE annotation whose glob matches the path (REUSE.toml: the
 * last matching annotation wins). */
static const conclusion *reuse_find(const conclusion_set *s, const char *path, size_t n)
{
	size_t i = s->n;

	while (i-- > 0)
		if (glob_match(s->v[i].key, strlen(s->v[i].key), path, n))
			return &s->v[i];
	return NULL;
}

/* Extensions that make a LICENSE-like name source code, not a licence file
 * (license_check.py is a program). */
static int is_code_extension(const char *ext)
{
	static const char *const code[] = { "c", "h", "cc", "cpp", "hpp", "py", "js", "ts", "go",
					    "rs", "java", "rb", "sh", "pl", "php", "cs", "kt",
					    "swift", "scala", "lua", "json", "yml", "yaml", "toml",
					    "xml", "ini", "cfg", "go", "mjs", "jsx", "tsx" };
	size_t i;

	for (i = 0; i < sizeof(code) / sizeof(code[0]); i++)
		if (strcmp(ext, code[i]) == 0)
			return 1;
	return 0;
}

/* Does this base name (n bytes) name a licence file?  LICENSE, LICENCE,
 * COPYING, UNLICENSE, with a short suffix or extension (LICENSE.md,
 * LICENSE-MIT, COPYING.LESSER), and MIT-LICENSE style names; not source
 * files such as license_check.py. */
/* The extensions of a document; "mit-license.txt" is a licence file, "see-license.rules" is not. */
static int is_text_extension(const char *ext)
{
	static const char *const exts[] = { "txt", "md", "markdown", "rst", "adoc", "org", "html", "htm" };
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcmp(ext, exts[i]) == 0)
			return 1;
	return 0;
}

int conclude_is_license_name(const char *name, size_t n)
{
	static const char *const prefixes[] = { "license", "licence", "copying", "unlicense" };
	const char *dot;
	char low[64];
	size_t i;
	int ok = 0;

	if (n == 0 || n >= sizeof(low))
		return 0;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && !ok; i++) {
		size_t k = strlen(prefixes[i]);
		if (strncmp(low, prefixes[i], k) == 0 &&
		    (low[k] == '\0' || low[k] == '.' || low[k] == '-' || low[k] == '_') &&
		    n - k <= 24)
			ok = 1;
	}
	if (!ok) {
		/* MIT-LICENSE, mit_license.txt */
		const char *p = strstr(low, "-licen");
		if (!p)
			p = strstr(low, "_licen");
		if (p && (strncmp(p + 1, "license", 7) == 0 || strncmp(p + 1, "licence", 7) == 0) &&
		    (p[8] == '\0' || (p[8] == '.' && is_text_extension(p + 9))))
			ok = 1;
	}
	dot = strrchr(low, '.');
	if (ok && dot && is_code_extension(dot + 1))
		ok = 0;
	return ok;
}

static int glob_match(const char *g, size_t gn, const char *p, size_t pn)
{
	while (gn) {
		if (g[0] == '*') {
			int deep = gn > 1 && g[1] == '*';
			size_t skip = deep ? 2 : 1, i;

			if (deep && gn > 2 && g[2] == '/')
				skip = 3;  /* "**\/x" also matches "x" */
			for (i = 0; i <= pn; i++) {
				if (glob_match(g + skip, gn - skip, p + i, pn - i))
					return 1;
				if (i < pn && p[i] == '/' && !deep)
					return 0;
			}
			return 0;
		}
		if (!pn || (g[0] != '?' && g[0] != p[0]) || (g[0] == '?' && p[0] == '/'))
			return 0;
		g++, gn--, p++, pn--;
	}
	return pn == 0;
}

static size_t dir_len(const char *path, size_t n)
{
	while (n > 0 && path[n - 1] != '/')
		n--;
	return n ? n - 1 : 0;   /* without the trailing slash; 0 for the root */
}

int store_conclude(tgpl_db *db, const char *engine, char **declared_out)
{
	sqlite3_stmt *st = NULL, *up = NULL;
	conclusion_set files = { 0 }, sidecars = { 0 }, reuse = { 0 };
	tgpl_buf meta = TGPL_BUF_INIT, source = TGPL_BUF_INIT, decided = TGPL_BUF_INIT;
	char *declared = NULL;
	int rc;

	if ((rc = store_batch_begin(db)) < 0)
		return rc;
	/* Pass 1: licence files per directory, sidecars, root metadata. */
	rc = sqlite3_prepare_v2(db->sql,
		"SELECT s.path, a.expression,"
		" (SELECT group_concat(DISTINCT coalesce(f.expr, f.spdx)) FROM findings f"
		"   WHERE f.blob_id = s.oid AND f.engine = ?1 AND f.category = 'license'"
		"   AND f.kind = 'metadata' AND f.spdx IS NOT NULL AND f.spdx != 'NOASSERTION')"
		" FROM temp.stage s JOIN analyses a ON a.blob_id = s.oid AND a.engine = ?1"
		" WHERE s.type = 'file' AND a.expression IS NOT NULL", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, engine, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = sqlite3_column_blob(st, 0);
		size_t plen = (size_t)sqlite3_column_bytes(st, 0);
		const char *expr = (const char *)sqlite3_column_text(st, 1);
		const char *mexpr = (const char *)sqlite3_column_text(st, 2);
		size_t dlen = dir_len(path, plen);
		const char *base = dlen ? path + dlen + 1 : path;
		size_t blen = plen - (size_t)(base - path);
		int err = 0;

		if (!path)
			continue;
		if (conclude_is_license_name(base, blen))
			err = set_add(&files, path, dlen, path, plen, expr);
		else if (blen > 8 && memcmp(base + blen - 8, ".license", 8) == 0)
			err = set_add(&sidecars, path, plen - 8, path, plen, expr);
		if (!err && mexpr && dlen == 0 && !meta.len) {
			if (tgpl_buf_puts(&meta, mexpr) < 0 || tgpl_buf_puts(&source, "metadata:") < 0 ||
			    tgpl_buf_put(&source, path, plen) < 0)
				err = TGPL_ENOMEM;
		}
		if (err) {
			rc = tgpl_error(db->ctx, err, "out of memory");
			goto done;
		}
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	/* group_concat joins several manifests' expressions with ','. */
	for (size_t i = 0; i < meta.len; i++)
		if (meta.ptr[i] == ',') {
			tgpl_buf b = TGPL_BUF_INIT;
			if (tgpl_buf_put(&b, meta.ptr, i) < 0 || tgpl_buf_puts(&b, " AND ") < 0 ||
			    tgpl_buf_puts(&b, meta.ptr + i + 1) < 0) {
				tgpl_buf_release(&b);
				rc = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
				goto done;
			}
			tgpl_buf_release(&meta);
			meta = b;
			i += 4;
		}

	/* REUSE annotations: findings "reuse:<glob>" of the root REUSE.toml or
	 * .reuse/dep5, kept in the set with the glob as key. */
	rc = sqlite3_prepare_v2(db->sql,
		"SELECT s.path, substr(f.rule, 7), coalesce(f.expr, f.spdx) FROM temp.stage s"
		" JOIN findings f ON f.blob_id = s.oid AND f.engine = ?1"
		" WHERE s.type = 'file' AND (s.path = CAST('REUSE.toml' AS BLOB)"
		"   OR s.path = CAST('.reuse/dep5' AS BLOB))"
		" AND f.category = 'license' AND f.rule LIKE 'reuse:%' AND f.spdx IS NOT NULL"
		" AND f.spdx != 'NOASSERTION' ORDER BY f.seq", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, engine, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *src = sqlite3_column_blob(st, 0);
		const char *glob = (const char *)sqlite3_column_text(st, 1);
		const char *expr = (const char *)sqlite3_column_text(st, 2);

		if (src && glob && expr &&
		    set_add(&reuse, glob, strlen(glob), src, (size_t)sqlite3_column_bytes(st, 0), expr) < 0) {
			rc = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;

	{
		const conclusion *root = set_find(&files, "", 0);
		declared = tgpl_strdup(root ? root->expr : meta.len ? meta.ptr : NULL);
		if ((root || meta.len) && !declared) {
			rc = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
	}

	/* Pass 2: every file's conclusion. */
	rc = sqlite3_prepare_v2(db->sql,
		"SELECT s.path, a.expression FROM temp.stage s"
		" LEFT JOIN analyses a ON a.blob_id = s.oid AND a.engine = ?1"
		" WHERE s.type = 'file'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	rc = sqlite3_prepare_v2(db->sql,
		"UPDATE temp.stage SET concluded = ?2, decided_by = ?3 WHERE path = ?1", -1, &up, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, engine, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = sqlite3_column_blob(st, 0);
		size_t plen = (size_t)sqlite3_column_bytes(st, 0);
		const char *own = (const char *)sqlite3_column_text(st, 1);
		const char *expr = NULL;
		const conclusion *c;
		int urc;

		tgpl_buf_clear(&decided);
		if (own) {
			expr = own;
			urc = tgpl_buf_puts(&decided, "own");
		} else if ((c = set_find(&sidecars, path, plen))) {
			expr = c->expr;
			urc = tgpl_buf_printf(&decided, "sidecar:%s", c->source);
		} else if ((c = reuse_find(&reuse, path, plen))) {
			expr = c->expr;
			urc = tgpl_buf_printf(&decided, "reuse:%s:%s", c->source, c->key);
		} else {
			size_t d = plen;
			urc = 0;
			for (;;) {
				d = dir_len(path, d);
				if ((c = set_find(&files, path, d))) {
					expr = c->expr;
					urc = tgpl_buf_printf(&decided, "license-file:%s", c->source);
					break;
				}
				if (d == 0)
					break;
			}
			/* The repository's own licence (root licence file, else its
			 * metadata): most files; set all at once below. */
			if (d == 0)
				continue;
		}
		if (urc < 0) {
			rc = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		if (!expr)
			continue;
		sqlite3_reset(up);
		sqlite3_bind_blob(up, 1, path, (int)plen, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 2, expr, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 3, decided.ptr, (int)decided.len, SQLITE_TRANSIENT);
		if ((urc = sqlite3_step(up)) != SQLITE_DONE) {
			rc = store_error(db, urc, "concluding file licences");
			goto done;
		}
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(up);
	up = NULL;
	{
		const conclusion *root = set_find(&files, "", 0);

		tgpl_buf_clear(&decided);
		if (root ? tgpl_buf_printf(&decided, "license-file:%s", root->source) < 0
			 : meta.len && tgpl_buf_put(&decided, source.ptr, source.len) < 0) {
			rc = tgpl_error(db->ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		if (root || meta.len) {
			rc = sqlite3_prepare_v2(db->sql, "UPDATE temp.stage SET concluded = ?1, decided_by = ?2"
						" WHERE type = 'file' AND concluded IS NULL", -1, &up, NULL);
			if (rc != SQLITE_OK)
				goto sqlfail;
			sqlite3_bind_text(up, 1, root ? root->expr : meta.ptr, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 2, decided.ptr, (int)decided.len, SQLITE_STATIC);
			if ((rc = sqlite3_step(up)) != SQLITE_DONE)
				goto sqlfail;
		}
	}
	*declared_out = declared;
	declared = NULL;
	rc = 0;
	goto done;
sqlfail:
	rc = store_error(db, rc, "concluding file licences");
done:
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	set_release(&files);
	set_release(&sidecars);
	set_release(&reuse);
	tgpl_buf_release(&meta);
	tgpl_buf_release(&source);
	tgpl_buf_release(&decided);
	free(declared);
	return rc;
}
