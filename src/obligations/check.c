/*
 * check.c — the checks of `tgpl check` over one stored revision (check.h).
 *
 * Everything comes from the database a scan wrote: each file's own
 * expression and the findings of its blob (notes on ids, manifests, TGPL
 * clauses, opt-outs), the licence files by directory, the declared licence.
 * The checks collect findings, which are sorted and then handed to the
 * caller; the library prints nothing.
 *
 * Licence expressions are compared as sets of ids (operators and
 * parentheses dropped): a file agrees with the licence that covers it when
 * its ids are among the covering ids ("MIT" under "MIT OR Apache-2.0"), and
 * a covering TGPL rider must be named by the file too (rider section 9).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "obligations/check.h"
#include "store/store.h"
#include "util/toml.h"
#include "util/util.h"

#define MAX_FILES ((size_t)2000000)   /* files of one revision loaded for a check */
#define MAX_POLICY ((size_t)1 << 20)   /* bytes of a policy file */
#define REWORDED_SCORE 0.95            /* below this, a clause counts as reworded */
#define MAX_IGNORE 256                 /* patterns in a policy's ignore list */

/* ---- the checks ----------------------------------------------------------- */

enum {
	C_NO_LICENSE, C_DECLARED_MISMATCH, C_METADATA_MISMATCH, C_INVALID_ID, C_DEPRECATED_ID,
	C_COPIED, C_VENDORED, C_MISSING_HEADER, C_UNRECOGNISED, C_CLAUSES_MISSING,
	C_CLAUSES_REWORDED, C_BASE_FORBIDS, C_BASE_WEAK, C_OPTOUT, N_CHECKS
};

static const struct {
	const char *id;
	tgpl_severity severity;
} checks[N_CHECKS] = {
	[C_NO_LICENSE] = { "no-license", TGPL_SEVERITY_ERROR },
	[C_DECLARED_MISMATCH] = { "declared-mismatch", TGPL_SEVERITY_ERROR },
	[C_METADATA_MISMATCH] = { "metadata-mismatch", TGPL_SEVERITY_ERROR },
	[C_INVALID_ID] = { "invalid-spdx-id", TGPL_SEVERITY_ERROR },
	[C_DEPRECATED_ID] = { "deprecated-spdx-id", TGPL_SEVERITY_WARNING },
	[C_COPIED] = { "copied-code", TGPL_SEVERITY_WARNING },
	[C_VENDORED] = { "vendored-code", TGPL_SEVERITY_WARNING },
	[C_MISSING_HEADER] = { "missing-header", TGPL_SEVERITY_WARNING },
	[C_UNRECOGNISED] = { "unrecognised-license", TGPL_SEVERITY_WARNING },
	[C_CLAUSES_MISSING] = { "tgpl-clauses-missing", TGPL_SEVERITY_ERROR },
	[C_CLAUSES_REWORDED] = { "tgpl-clauses-reworded", TGPL_SEVERITY_WARNING },
	[C_BASE_FORBIDS] = { "tgpl-rider-base-forbids", TGPL_SEVERITY_ERROR },
	[C_BASE_WEAK] = { "tgpl-rider-base-weak", TGPL_SEVERITY_WARNING },
	[C_OPTOUT] = { "optout-contradiction", TGPL_SEVERITY_ERROR },
};

/* The TGPL clauses (licenses/tgpl/clauses.tsv), in rider order. */
static const char *const tgpl_clauses[] = {
	"training-permitted", "weight-release", "data-provenance", "finetune-inheritance", "network-use"
};
#define N_CLAUSES (sizeof(tgpl_clauses) / sizeof(tgpl_clauses[0]))

/*
 * Base licences that make a TGPL rider weak (DESIGN.md §4; rider section
 * 6.3), matched as id prefixes: "forbids" adds no further restrictions at
 * all, otherwise recipients may remove them.
 */
static const struct {
	const char *prefix;
	int forbids;
	const char *why;
} rider_bases[] = {
	{ "GPL-2.0", 1, "GPL-2.0 section 6" },
	{ "LGPL-2.0", 1, "LGPL-2.0 section 10" },
	{ "LGPL-2.1", 1, "LGPL-2.1 section 10" },
	{ "GPL-3.0", 0, "GPL-3.0 section 7" },
	{ "AGPL-3.0", 0, "AGPL-3.0 section 7" },
	{ "LGPL-3.0", 0, "GPL-3.0 section 7, through LGPL-3.0" },
};

/* File extensions of source code, where a project's convention may put licence headers. */
static const char *const source_ext[] = {
	"c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "py", "js", "mjs", "cjs", "ts", "tsx",
	"jsx", "go", "rs", "java", "kt", "kts", "scala", "rb", "sh", "bash", "pl", "pm", "php",
	"cs", "swift", "m", "mm", "lua", "r", "jl", "hs", "ml", "erl", "ex", "exs", "clj", "el",
	"zig", "nim", "dart", "sql", "css", "scss", "vue", "svelte", "f90", "cmake", "s", "asm",
};

const char *tgpl_severity_name(tgpl_severity s)
{
	switch (s) {
	case TGPL_SEVERITY_ERROR: return "error";
	case TGPL_SEVERITY_WARNING: return "warning";
	case TGPL_SEVERITY_INFO: return "info";
	case TGPL_SEVERITY_OFF: return "off";
	}
	return "?";
}

/* ---- policy ---------------------------------------------------------------- */

struct tgpl_check_policy {
	tgpl_severity severity[N_CHECKS];
	char **ignore;             /* fnmatch(3) patterns of paths whose findings are dropped */
	size_t n_ignore;
};

void tgpl_check_policy_free(tgpl_check_policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_ignore; i++)
		free(p->ignore[i]);
	free(p->ignore);
	free(p);
}

static int policy_ignore(tgpl_check_policy *p, tgpl_ctx *ctx, const char *path, const toml_node *v)
{
	size_t i;

	if (v->type != TOML_ARRAY || v->n_items > MAX_IGNORE)
		return tgpl_error(ctx, TGPL_EINVAL, "policy '%s': line %u: 'ignore' takes an array of at "
				  "most %d path patterns", path, v->line, MAX_IGNORE);
	if (!(p->ignore = tgpl_calloc(v->n_items + 1, sizeof(*p->ignore))))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	for (i = 0; i < v->n_items; i++) {
		const toml_node *s = v->items[i];

		if (s->type != TOML_STRING || s->len == 0 || strlen(s->str) != s->len)
			return tgpl_error(ctx, TGPL_EINVAL, "policy '%s': line %u: 'ignore' takes path "
					  "patterns (non-empty strings)", path, s->line);
		if (!(p->ignore[p->n_ignore] = tgpl_strdup(s->str)))
			return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		p->n_ignore++;
	}
	return 0;
}

static int policy_ignores(const tgpl_check_policy *p, const char *path)
{
	size_t i;

	for (i = 0; p && path && i < p->n_ignore; i++)
		if (fnmatch(p->ignore[i], path, 0) == 0)
			return 1;
	return 0;
}

static int read_capped(char **out, size_t *len, tgpl_ctx *ctx, const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	tgpl_buf b = TGPL_BUF_INIT;
	char chunk[8192];
	size_t n;
	int rc = 0;

	if (!f)
		return tgpl_error(ctx, errno == ENOENT ? TGPL_ENOTFOUND : TGPL_EIO,
				  "cannot read policy '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > max) {
			rc = tgpl_error(ctx, TGPL_ETOOBIG, "policy '%s' is larger than %zu bytes", path, max);
			goto done;
		}
		if (tgpl_buf_put(&b, chunk, n) < 0) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (ferror(f)) {
		rc = tgpl_error(ctx, TGPL_EIO, "cannot read policy '%s': %s", path, strerror(errno));
		goto done;
	}
	*len = b.len;
	*out = tgpl_buf_detach(&b);
done:
	tgpl_buf_release(&b);
	fclose(f);
	return rc;
}

int tgpl_check_policy_load(tgpl_check_policy **out, tgpl_ctx *ctx, const char *path)
{
	tgpl_check_policy *p = NULL;
	toml_node *root = NULL;
	const toml_node *table;
	toml_error err;
	char *text = NULL;
	size_t len = 0, i, k;
	int rc;

	if ((rc = read_capped(&text, &len, ctx, path, MAX_POLICY)) < 0)
		return rc;
	if ((rc = toml_parse(&root, text, len, &err)) < 0) {
		rc = rc == TGPL_EINVAL
			? tgpl_error(ctx, rc, "policy '%s': line %u: %s", path, err.line, err.msg)
			: tgpl_error(ctx, rc, "policy '%s': %s", path, rc == TGPL_ENOMEM ? "out of memory"
									 : "over a size limit");
		goto done;
	}
	if (!(p = tgpl_calloc(1, sizeof(*p)))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	for (k = 0; k < N_CHECKS; k++)
		p->severity[k] = checks[k].severity;
	table = toml_child(root, "check", 5);
	if (table && table->type != TOML_TABLE) {
		rc = tgpl_error(ctx, TGPL_EINVAL, "policy '%s': line %u: 'check' must be a table", path,
				table->line);
		goto done;
	}
	for (i = 0; table && i < table->n_items; i++) {
		const toml_node *v = table->items[i];
		static const tgpl_severity sevs[] = { TGPL_SEVERITY_ERROR, TGPL_SEVERITY_WARNING,
						      TGPL_SEVERITY_INFO, TGPL_SEVERITY_OFF };
		size_t s;

		if (v->key_len == 6 && memcmp(v->key, "ignore", 6) == 0) {
			if ((rc = policy_ignore(p, ctx, path, v)) < 0)
				goto done;
			continue;
		}
		for (k = 0; k < N_CHECKS; k++)
			if (strlen(checks[k].id) == v->key_len && memcmp(checks[k].id, v->key, v->key_len) == 0)
				break;
		if (k == N_CHECKS) {
			rc = tgpl_error(ctx, TGPL_EINVAL, "policy '%s': line %u: unknown check '%.*s' "
					"(see 'man tgpl-check' for the check ids)", path, v->line,
					(int)(v->key_len > 64 ? 64 : v->key_len), v->key);
			goto done;
		}
		for (s = 0; v->type == TOML_STRING && s < sizeof(sevs) / sizeof(sevs[0]); s++)
			if (strcmp(v->str, tgpl_severity_name(sevs[s])) == 0)
				break;
		if (v->type != TOML_STRING || s == sizeof(sevs) / sizeof(sevs[0])) {
			rc = tgpl_error(ctx, TGPL_EINVAL, "policy '%s': line %u: check '%s' takes \"error\", "
					"\"warning\", \"info\" or \"off\"", path, v->line, checks[k].id);
			goto done;
		}
		p->severity[k] = sevs[s];
	}
	*out = p;
	p = NULL;
	rc = 0;
done:
	tgpl_check_policy_free(p);
	toml_free(root);
	free(text);
	return rc;
}

/* ---- id sets --------------------------------------------------------------- */

typedef struct {
	char **v;
	size_t n, cap;
} idset;

static void ids_release(idset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int ids_has(const idset *s, const char *id, size_t n)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == n && memcmp(s->v[i], id, n) == 0)
			return 1;
	return 0;
}

static int is_operator(const char *w, size_t n)
{
	return (n == 3 && (strncmp(w, "AND", 3) == 0 || strncmp(w, "and", 3) == 0)) ||
	       (n == 2 && (strncmp(w, "OR", 2) == 0 || strncmp(w, "or", 2) == 0)) ||
	       (n == 4 && (strncmp(w, "WITH", 4) == 0 || strncmp(w, "with", 4) == 0));
}

/* The ids of an expression, each once.  0 or TGPL_ENOMEM. */
static int ids_of(idset *s, const char *expr)
{
	const char *p = expr;

	while (p && *p) {
		size_t n;

		while (*p == ' ' || *p == '(' || *p == ')')
			p++;
		n = strcspn(p, " ()");
		if (n && !is_operator(p, n) && !ids_has(s, p, n)) {
			if (tgpl_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)) < 0 ||
			    !(s->v[s->n] = tgpl_strndup(p, n)))
				return TGPL_ENOMEM;
			s->n++;
		}
		p += n;
	}
	return 0;
}

static int ids_subset(const idset *a, const idset *b)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!ids_has(b, a->v[i], strlen(a->v[i])))
			return 0;
	return 1;
}

static int is_tgpl_id(const char *id)
{
	return strcmp(id, "AdditionRef-TGPL-1.0") == 0 || strcmp(id, "LicenseRef-TGPL-1.0") == 0;
}

static int ids_tgpl(const idset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (is_tgpl_id(s->v[i]))
			return 1;
	return 0;
}

/* Expression-level helpers (an expression that fails to tokenise counts as empty). */
static int expr_ids(idset *s, tgpl_ctx *ctx, const char *expr)
{
	memset(s, 0, sizeof(*s));
	if (ids_of(s, expr) < 0) {
		ids_release(s);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	return 0;
}

/* ---- what the revision holds ---------------------------------------------- */

typedef struct {
	char *category, *kind, *spdx, *expr, *rule, *note;
	uint32_t start, end;
	double score;
} cfind;

typedef struct {
	char *blob;
	cfind *v;
	size_t n, cap;
} cblob;

typedef struct {
	char *path;
	size_t len;
	size_t dir_len;            /* bytes of the directory part (0 at the root) */
	char oid[41];
	char *expr, *concluded, *decided_by, *skipped;
	uint32_t n_lines;
	const cblob *blob;         /* its findings, or NULL */
	int is_license, is_manifest;
	long cover;                /* the nearest licence directory, or -1 */
} cfile;

typedef struct {
	char *dir;                 /* "" for the root */
	size_t dir_len;
	char *expr;                /* the AND of its licence files' expressions */
	const cfile *file;         /* its first licence file */
	idset ids;
	int vendored;
} ldir;

typedef struct {
	int check;
	tgpl_severity severity;
	char *path;
	size_t path_len;
	uint32_t line;
	char *message, *fix;
} pending;

typedef struct {
	tgpl_ctx *ctx;
	tgpl_db *db;
	const tgpl_check_policy *policy;
	char *declared;
	idset declared_ids;
	const cfile *declared_file;   /* root licence file or root manifest that declares */
	uint32_t declared_line;
	cfile *files;
	size_t n_files, cap_files;
	cblob *blobs;
	size_t n_blobs, cap_blobs;
	ldir *dirs;
	size_t n_dirs, cap_dirs;
	pending *out;
	size_t n_out, cap_out;
	tgpl_check_summary sum;
	tgpl_buf msg, fix;
} checker;

static void cfind_release(cfind *f)
{
	free(f->category);
	free(f->kind);
	free(f->spdx);
	free(f->expr);
	free(f->rule);
	free(f->note);
}

static void checker_release(checker *c)
{
	size_t i, j;

	free(c->declared);
	ids_release(&c->declared_ids);
	for (i = 0; i < c->n_files; i++) {
		free(c->files[i].path);
		free(c->files[i].expr);
		free(c->files[i].concluded);
		free(c->files[i].decided_by);
		free(c->files[i].skipped);
	}
	free(c->files);
	for (i = 0; i < c->n_blobs; i++) {
		for (j = 0; j < c->blobs[i].n; j++)
			cfind_release(&c->blobs[i].v[j]);
		free(c->blobs[i].v);
		free(c->blobs[i].blob);
	}
	free(c->blobs);
	for (i = 0; i < c->n_dirs; i++) {
		free(c->dirs[i].dir);
		free(c->dirs[i].expr);
		ids_release(&c->dirs[i].ids);
	}
	free(c->dirs);
	for (i = 0; i < c->n_out; i++) {
		free(c->out[i].path);
		free(c->out[i].message);
		free(c->out[i].fix);
	}
	free(c->out);
	tgpl_buf_release(&c->msg);
	tgpl_buf_release(&c->fix);
}

static int oom(checker *c)
{
	return tgpl_error(c->ctx, TGPL_ENOMEM, "out of memory");
}

/* Duplicate a column (NULL stays NULL); 0 or -1. */
static int dup_col(char **out, sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	*out = NULL;
	return s && !(*out = tgpl_strdup(s)) ? -1 : 0;
}

static const char *base_name(const cfile *f)
{
	return f->dir_len ? f->path + f->dir_len + 1 : f->path;
}

static size_t dir_of(const char *path, size_t n)
{
	while (n > 0 && path[n - 1] != '/')
		n--;
	return n ? n - 1 : 0;
}

static int load_files(checker *c, sqlite3_int64 rev_id, const char *engine)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(tgpl_db_handle(c->db),
		"SELECT f.path, f.oid, f.concluded, f.decided_by, a.expression, a.skipped, a.n_lines"
		" FROM files f LEFT JOIN analyses a ON a.blob_id = f.oid AND a.engine = ?2"
		" WHERE f.rev_id = ?1 AND f.type = 'file' ORDER BY f.path", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_error(c->db, rc, "reading the files");
	sqlite3_bind_int64(st, 1, rev_id);
	sqlite3_bind_text(st, 2, engine, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		const char *oid = (const char *)sqlite3_column_text(st, 1);
		cfile *f;

		if (!path || !oid || strlen(oid) != 40)
			continue;
		if (c->n_files == MAX_FILES) {
			sqlite3_finalize(st);
			return tgpl_error(c->ctx, TGPL_ETOOBIG, "the revision has more than %zu files to check",
					  MAX_FILES);
		}
		if (tgpl_grow((void **)&c->files, &c->cap_files, c->n_files + 1, sizeof(*f)) < 0)
			goto oom;
		f = &c->files[c->n_files];
		memset(f, 0, sizeof(*f));
		if (!(f->path = tgpl_malloc(len + 1)))
			goto oom;
		memcpy(f->path, path, len);
		f->path[len] = '\0';
		f->len = len;
		c->n_files++;
		f->dir_len = dir_of(f->path, len);
		memcpy(f->oid, oid, 41);
		if (dup_col(&f->concluded, st, 2) < 0 || dup_col(&f->decided_by, st, 3) < 0 ||
		    dup_col(&f->expr, st, 4) < 0 || dup_col(&f->skipped, st, 5) < 0)
			goto oom;
		f->n_lines = (uint32_t)sqlite3_column_int64(st, 6);
		f->is_license = conclude_is_license_name(base_name(f), len - (size_t)(base_name(f) - f->path));
		f->cover = -1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(c->db, rc, "reading the files");
oom:
	sqlite3_finalize(st);
	return oom(c);
}

static int load_findings(checker *c, sqlite3_int64 rev_id, const char *engine)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(tgpl_db_handle(c->db),
		"SELECT f.blob_id, f.category, f.kind, f.spdx, f.expr, f.start_line, f.end_line,"
		" f.score, f.rule, f.note FROM findings f"
		" WHERE f.engine = ?2 AND f.blob_id IN"
		"  (SELECT oid FROM files WHERE rev_id = ?1 AND type = 'file')"
		" ORDER BY f.blob_id, f.seq", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_error(c->db, rc, "reading the findings");
	sqlite3_bind_int64(st, 1, rev_id);
	sqlite3_bind_text(st, 2, engine, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *blob = (const char *)sqlite3_column_text(st, 0);
		cblob *b;
		cfind *f;

		if (!blob)
			continue;
		b = c->n_blobs ? &c->blobs[c->n_blobs - 1] : NULL;
		if (!b || strcmp(b->blob, blob) != 0) {
			if (tgpl_grow((void **)&c->blobs, &c->cap_blobs, c->n_blobs + 1, sizeof(*b)) < 0)
				goto oom;
			b = &c->blobs[c->n_blobs];
			memset(b, 0, sizeof(*b));
			if (!(b->blob = tgpl_strdup(blob)))
				goto oom;
			c->n_blobs++;
		}
		if (tgpl_grow((void **)&b->v, &b->cap, b->n + 1, sizeof(*f)) < 0)
			goto oom;
		f = &b->v[b->n];
		memset(f, 0, sizeof(*f));
		b->n++;
		if (dup_col(&f->category, st, 1) < 0 || dup_col(&f->kind, st, 2) < 0 ||
		    dup_col(&f->spdx, st, 3) < 0 || dup_col(&f->expr, st, 4) < 0 ||
		    dup_col(&f->rule, st, 8) < 0 || dup_col(&f->note, st, 9) < 0)
			goto oom;
		if (!f->category && !(f->category = tgpl_strdup("")))
			goto oom;
		f->start = (uint32_t)sqlite3_column_int64(st, 5);
		f->end = (uint32_t)sqlite3_column_int64(st, 6);
		f->score = sqlite3_column_double(st, 7);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(c->db, rc, "reading the findings");
oom:
	sqlite3_finalize(st);
	return oom(c);
}

static const cblob *find_blob(const checker *c, const char *oid)
{
	size_t lo = 0, hi = c->n_blobs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->blobs[mid].blob, oid);

		if (cmp == 0)
			return &c->blobs[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int is_metadata_finding(const cfind *f)
{
	return strcmp(f->category, "license") == 0 && f->kind && strcmp(f->kind, "metadata") == 0 &&
	       f->spdx && strcmp(f->spdx, "NOASSERTION") != 0;
}

/* The manifest expression of a file: the AND of its distinct metadata statements. */
static int manifest_expr(checker *c, const cfile *f, tgpl_buf *out, uint32_t *line)
{
	size_t i, j;

	tgpl_buf_clear(out);
	*line = 0;
	for (i = 0; f->blob && i < f->blob->n; i++) {
		const cfind *h = &f->blob->v[i];
		const char *s = h->expr ? h->expr : h->spdx;
		int seen = 0;

		if (!is_metadata_finding(h))
			continue;
		for (j = 0; j < i && !seen; j++) {
			const cfind *g = &f->blob->v[j];
			seen = is_metadata_finding(g) && strcmp(g->expr ? g->expr : g->spdx, s) == 0;
		}
		if (seen)
			continue;
		if (!*line)
			*line = h->start;
		if ((out->len && tgpl_buf_puts(out, " AND ") < 0) || tgpl_buf_puts(out, s) < 0)
			return oom(c);
	}
	return 0;
}

/* Licence directories: sorted by directory bytes for the nearest-cover lookups. */
static int dir_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);
	return r ? r : (an > bn) - (an < bn);
}

static long find_dir(const checker *c, const char *dir, size_t n)
{
	size_t lo = 0, hi = c->n_dirs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = dir_cmp(c->dirs[mid].dir, c->dirs[mid].dir_len, dir, n);

		if (cmp == 0)
			return (long)mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Files come sorted by path, so directories are added ... not in order; insert sorted. */
static int add_dir(checker *c, const cfile *f)
{
	long at = find_dir(c, f->path, f->dir_len);
	size_t pos;
	ldir *d;

	if (at >= 0) {
		tgpl_buf b = TGPL_BUF_INIT;

		d = &c->dirs[at];
		if (strcmp(d->expr, f->expr) == 0)
			return 0;
		if (tgpl_buf_printf(&b, "%s AND %s", d->expr, f->expr) < 0) {
			tgpl_buf_release(&b);
			return oom(c);
		}
		free(d->expr);
		d->expr = tgpl_buf_detach(&b);
		return d->expr && ids_of(&d->ids, f->expr) == 0 ? 0 : oom(c);
	}
	if (tgpl_grow((void **)&c->dirs, &c->cap_dirs, c->n_dirs + 1, sizeof(*d)) < 0)
		return oom(c);
	for (pos = 0; pos < c->n_dirs &&
	     dir_cmp(c->dirs[pos].dir, c->dirs[pos].dir_len, f->path, f->dir_len) < 0; pos++)
		;
	memmove(&c->dirs[pos + 1], &c->dirs[pos], (c->n_dirs - pos) * sizeof(*d));
	d = &c->dirs[pos];
	memset(d, 0, sizeof(*d));
	c->n_dirs++;
	d->dir_len = f->dir_len;
	d->file = f;
	if (!(d->dir = tgpl_strndup(f->path, f->dir_len)) || !(d->expr = tgpl_strdup(f->expr)) ||
	    ids_of(&d->ids, f->expr) < 0)
		return oom(c);
	return 0;
}

/* The nearest licence directory at or above directory path[0..n), or -1. */
static long cover_of(const checker *c, const char *path, size_t n)
{
	for (;;) {
		long d = find_dir(c, path, n);

		if (d >= 0)
			return d;
		if (n == 0)
			return -1;
		n = dir_of(path, n);
	}
}

/* ---- collecting findings -------------------------------------------------- */

static int add(checker *c, int check, const cfile *f, uint32_t line)
{
	tgpl_severity sev = c->policy ? c->policy->severity[check] : checks[check].severity;
	pending *p;

	if (sev == TGPL_SEVERITY_OFF || (f && policy_ignores(c->policy, f->path)))
		return 0;
	if (sev == TGPL_SEVERITY_ERROR)
		c->sum.errors++;
	else if (sev == TGPL_SEVERITY_WARNING)
		c->sum.warnings++;
	else
		c->sum.infos++;
	if (c->n_out == TGPL_CHECK_MAX_FINDINGS) {
		c->sum.dropped++;
		return 0;
	}
	if (tgpl_grow((void **)&c->out, &c->cap_out, c->n_out + 1, sizeof(*p)) < 0)
		return oom(c);
	p = &c->out[c->n_out];
	memset(p, 0, sizeof(*p));
	p->check = check;
	p->severity = sev;
	p->line = line;
	if ((f && !(p->path = tgpl_strndup(f->path, f->len))) ||
	    !(p->message = tgpl_strdup(c->msg.ptr ? c->msg.ptr : "")) ||
	    !(p->fix = tgpl_strdup(c->fix.ptr ? c->fix.ptr : ""))) {
		free(p->path);
		free(p->message);
		return oom(c);
	}
	p->path_len = f ? f->len : 0;
	c->n_out++;
	return 0;
}

/* Set the message and the fix (printf formats). */
static int say(checker *c, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int say(checker *c, const char *fix, const char *fmt, ...)
{
	va_list ap;
	int rc;

	tgpl_buf_clear(&c->msg);
	tgpl_buf_clear(&c->fix);
	va_start(ap, fmt);
	rc = tgpl_buf_vprintf(&c->msg, fmt, ap);
	va_end(ap);
	if (rc < 0 || tgpl_buf_puts(&c->fix, fix) < 0)
		return oom(c);
	return 0;
}

static int say_fix(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say_fix(checker *c, const char *fmt, ...)
{
	va_list ap;
	int rc;

	tgpl_buf_clear(&c->fix);
	va_start(ap, fmt);
	rc = tgpl_buf_vprintf(&c->fix, fmt, ap);
	va_end(ap);
	return rc < 0 ? oom(c) : 0;
}

/* The first line of a file's own licence evidence (1 if none is known). */
static uint32_t first_license_line(const cfile *f)
{
	uint32_t line = 0;
	size_t i;

	for (i = 0; f->blob && i < f->blob->n; i++) {
		const cfind *h = &f->blob->v[i];
		if (strcmp(h->category, "license") == 0 && h->start &&
		    !(h->rule && strncmp(h->rule, "reuse:", 6) == 0) && (!line || h->start < line))
			line = h->start;
	}
	return line ? line : 1;
}

static int path_has_component(const cfile *f, const char *comp)
{
	size_t n = strlen(comp);
	const char *p = f->path;

	while (p) {
		if (strncmp(p, comp, n) == 0 && (p[n] == '/' || p[n] == '\0'))
			return 1;
		p = strchr(p, '/');
		if (p)
			p++;
	}
	return 0;
}

/* REUSE bookkeeping and licence texts: not statements about themselves. */
static int is_reuse_file(const cfile *f)
{
	const char *b = base_name(f);
	size_t n = strlen(b);

	return strcmp(f->path, "REUSE.toml") == 0 || path_has_component(f, ".reuse") ||
	       path_has_component(f, "LICENSES") || (n > 8 && strcmp(b + n - 8, ".license") == 0);
}

static int is_source(const cfile *f)
{
	const char *dot = strrchr(base_name(f), '.');
	char low[8];
	size_t i, n;

	if (!dot || (n = strlen(dot + 1)) == 0 || n >= sizeof(low))
		return 0;
	for (i = 0; i <= n; i++)
		low[i] = (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ? dot[1 + i] + 32 : dot[1 + i]);
	for (i = 0; i < sizeof(source_ext) / sizeof(source_ext[0]); i++)
		if (strcmp(low, source_ext[i]) == 0)
			return 1;
	return 0;
}

/* ---- the checks themselves ------------------------------------------------- */

static int check_no_license(checker *c)
{
	if (c->declared)
		return 0;
	if (say(c, "add a LICENSE file at the root with the full text of the licence, and an "
		"SPDX-License-Identifier line in each file",
		"no licence: no licence file at the root and no licence in the root package metadata, "
		"so all rights are reserved") < 0)
		return TGPL_ENOMEM;
	return add(c, C_NO_LICENSE, NULL, 0);
}

static int check_unrecognised(checker *c)
{
	size_t i;
	int rc;

	for (i = 0; i < c->n_files; i++) {
		const cfile *f = &c->files[i];

		if (!f->is_license || f->expr || f->skipped || f->n_lines == 0)
			continue;
		if ((rc = say(c, "use a licence text from the SPDX list unchanged ('tgpl licenses' lists "
			      "them), or name a licence of your own with an SPDX tag 'LicenseRef-<name>'",
			      "'%s' is named as a licence file, but no licence is recognised in it",
			      base_name(f))) < 0 || (rc = add(c, C_UNRECOGNISED, f, 1)) < 0)
			return rc;
	}
	return 0;
}

static int check_ids(checker *c)
{
	size_t i, j, k;
	int rc;

	for (i = 0; i < c->n_files; i++) {
		const cfile *f = &c->files[i];

		for (j = 0; f->blob && j < f->blob->n; j++) {
			const cfind *h = &f->blob->v[j];
			int dup = 0, deprecated;

			if (strcmp(h->category, "license") != 0 || !h->note)
				continue;
			for (k = 0; k < j && !dup; k++)
				dup = f->blob->v[k].note && f->blob->v[k].start == h->start &&
				      strcmp(f->blob->v[k].note, h->note) == 0;
			if (dup)
				continue;
			deprecated = strncmp(h->note, "deprecated", 10) == 0;
			if (deprecated) {
				/* "deprecated SPDX id 'GPL-2.0' (now GPL-2.0-only)" */
				const char *q1 = strchr(h->note, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
				const char *now = strstr(h->note, "(now "), *end = now ? strrchr(now, ')') : NULL;

				if ((rc = say(c, "", "%s", h->note)) < 0)
					return rc;
				if (q1 && q2 && now && end)
					rc = say_fix(c, "write '%.*s' instead of '%.*s'", (int)(end - now - 5), now + 5,
						     (int)(q2 - q1 - 1), q1 + 1);
				else
					rc = say_fix(c, "write the current SPDX id instead ('tgpl licenses ID' shows it)");
			} else {
				rc = say(c, "use an id from the SPDX licence list ('tgpl licenses' lists them), "
					 "or 'LicenseRef-<name>' for a licence of your own", "%s", h->note);
			}
			if (rc < 0 || (rc = add(c, deprecated ? C_DEPRECATED_ID : C_INVALID_ID, f,
						h->start ? h->start : 1)) < 0)
				return rc;
		}
	}
	return 0;
}

static int check_metadata(checker *c)
{
	tgpl_buf meta = TGPL_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < c->n_files && rc == 0; i++) {
		const cfile *f = &c->files[i];
		idset ids;
		uint32_t line;
		long d;

		if (!f->is_manifest)
			continue;
		if ((rc = manifest_expr(c, f, &meta, &line)) < 0)
			break;
		if (!meta.len || (d = cover_of(c, f->path, f->dir_len)) < 0)
			continue;
		if ((rc = expr_ids(&ids, c->ctx, meta.ptr)) < 0)
			break;
		if (!ids_subset(&ids, &c->dirs[d].ids) || !ids_subset(&c->dirs[d].ids, &ids)) {
			const cfile *lf = c->dirs[d].file;

			rc = say(c, "", "%s says %s, but %s says %s", base_name(f), meta.ptr, lf->path,
				 c->dirs[d].expr);
			if (rc == 0)
				rc = say_fix(c, "make the licence field of %s say %s, or change %s if the "
					     "manifest is right", base_name(f), c->dirs[d].expr, lf->path);
			if (rc == 0)
				rc = add(c, C_METADATA_MISMATCH, f, line ? line : 1);
		}
		ids_release(&ids);
	}
	tgpl_buf_release(&meta);
	return rc;
}

static int check_vendored(checker *c)
{
	size_t i;
	int rc;

	for (i = 0; i < c->n_dirs; i++) {
		ldir *d = &c->dirs[i];

		if (d->dir_len == 0 || !c->declared || ids_subset(&d->ids, &c->declared_ids))
			continue;
		d->vendored = 1;
		if ((rc = say(c, "", "%s/ is under %s, not the project's %s", d->dir, d->expr,
			      c->declared)) < 0 ||
		    (rc = say_fix(c, "keep %s with that code, and list %s/ and its licence in the "
				  "project's third-party notices", d->file->path, d->dir)) < 0 ||
		    (rc = add(c, C_VENDORED, d->file, 1)) < 0)
			return rc;
	}
	return 0;
}

/* A statement about the file itself: its own expression, not a licence file's or a manifest's. */
static int is_statement(const cfile *f)
{
	return f->expr && f->decided_by && strcmp(f->decided_by, "own") == 0 && !f->is_license &&
	       !f->is_manifest && !is_reuse_file(f);
}

typedef struct {
	const char *expr;
	size_t index;
} expr_ref;

static int expr_ref_cmp(const void *pa, const void *pb)
{
	const expr_ref *a = pa, *b = pb;
	int r = strcmp(a->expr, b->expr);

	return r ? r : (a->index > b->index) - (a->index < b->index);
}

/* Is the file's statement under the root's licence (not under a deeper licence file)? */
static int under_root(const checker *c, const cfile *f)
{
	return f->cover < 0 || c->dirs[f->cover].dir_len == 0;
}

static int check_statements(checker *c)
{
	expr_ref *dis = NULL;
	size_t i, j, agree = 0, disagree = 0, best_n = 0;
	const char *best = NULL;       /* most common disagreeing expression under the root */
	const cfile *best_first = NULL;
	int rc = 0, mismatch = 0;

	/* Pass 1: under the root's licence, how many agree with it, and what do the others say? */
	if (c->declared && !(dis = tgpl_calloc(c->n_files + 1, sizeof(*dis))))
		return oom(c);
	for (i = 0; c->declared && i < c->n_files; i++) {
		const cfile *f = &c->files[i];
		idset ids;
		int ok;

		if (!is_statement(f) || !under_root(c, f))
			continue;
		if ((rc = expr_ids(&ids, c->ctx, f->expr)) < 0) {
			free(dis);
			return rc;
		}
		ok = ids_subset(&ids, &c->declared_ids) && (!ids_tgpl(&c->declared_ids) || ids_tgpl(&ids));
		ids_release(&ids);
		if (ok) {
			agree++;
		} else {
			dis[disagree].expr = f->expr;
			dis[disagree++].index = i;
		}
	}
	if (disagree)
		qsort(dis, disagree, sizeof(*dis), expr_ref_cmp);
	for (i = 0; i < disagree; i = j) {
		for (j = i + 1; j < disagree && strcmp(dis[j].expr, dis[i].expr) == 0; j++)
			;
		if (j - i > best_n) {
			best_n = j - i;
			best = dis[i].expr;
			best_first = &c->files[dis[i].index];
		}
	}
	free(dis);
	/* Most statements agree on one other licence: the declaration, not the files, is odd. */
	if (c->declared && best && best_n >= 2 && best_n * 2 > agree + disagree) {
		const char *src = c->declared_file ? c->declared_file->path : "the package metadata";

		mismatch = 1;
		if ((rc = say(c, "", "%s declares %s, but %zu of %zu files with a licence statement say "
			      "%s (first: %s:%u)", src, c->declared, best_n, agree + disagree, best,
			      best_first->path, first_license_line(best_first))) < 0 ||
		    (rc = say_fix(c, "make them agree: change %s to %s, or the statements in the files "
				  "to %s", src, best, c->declared)) < 0 ||
		    (rc = add(c, C_DECLARED_MISMATCH, c->declared_file,
			      c->declared_file ? c->declared_line : 0)) < 0)
			return rc;
	}
	/* Pass 2: each file that disagrees with the licence covering it. */
	for (i = 0; i < c->n_files; i++) {
		const cfile *f = &c->files[i];
		const idset *cover_ids;
		const char *cover_expr, *cover_src;
		idset ids;
		int ok, tgpl_missing;

		if (!is_statement(f))
			continue;
		if (f->cover >= 0) {
			cover_ids = &c->dirs[f->cover].ids;
			cover_expr = c->dirs[f->cover].expr;
			cover_src = c->dirs[f->cover].file->path;
		} else if (c->declared) {
			cover_ids = &c->declared_ids;
			cover_expr = c->declared;
			cover_src = c->declared_file ? c->declared_file->path : "the package metadata";
		} else {
			continue;
		}
		if (mismatch && strcmp(f->expr, best) == 0 && under_root(c, f))
			continue;
		if ((rc = expr_ids(&ids, c->ctx, f->expr)) < 0)
			return rc;
		tgpl_missing = ids_tgpl(cover_ids) && !ids_tgpl(&ids);
		ok = ids_subset(&ids, cover_ids) && !tgpl_missing;
		ids_release(&ids);
		if (ok)
			continue;
		rc = say(c, "", "says %s, but %s, which covers it, says %s", f->expr, cover_src, cover_expr);
		if (rc == 0 && tgpl_missing)
			rc = say_fix(c, "write 'SPDX-License-Identifier: %s' in it: the TGPL rider asks every "
				     "file to name it (rider section 9)", cover_expr);
		else if (rc == 0)
			rc = say_fix(c, "if the file was copied, keep its notice and list it in the "
				     "third-party notices (or move it under a directory with its own licence "
				     "file); if it is yours, make it say %s", cover_expr);
		if (rc < 0 || (rc = add(c, C_COPIED, f, first_license_line(f))) < 0)
			return rc;
	}
	return 0;
}

static int has_info(const cfile *f)
{
	const char *d = f->decided_by;

	return d && (strcmp(d, "own") == 0 || strncmp(d, "sidecar:", 8) == 0 || strncmp(d, "reuse:", 6) == 0);
}

static int header_candidate(const checker *c, const cfile *f, int reuse)
{
	return !f->is_license && !f->is_manifest && !f->skipped && f->n_lines > 0 &&
	       !is_reuse_file(f) && (f->cover < 0 || !c->dirs[f->cover].vendored) &&
	       (reuse || is_source(f));
}

static int check_headers(checker *c)
{
	const char *reuse = NULL;
	size_t i, cand = 0, with = 0;
	int rc;

	for (i = 0; i < c->n_files && !reuse; i++) {
		const cfile *f = &c->files[i];
		if (strcmp(f->path, "REUSE.toml") == 0 || strcmp(f->path, ".reuse/dep5") == 0)
			reuse = f->path;
		else if (strncmp(f->path, "LICENSES/", 9) == 0)
			reuse = "LICENSES/";
	}
	for (i = 0; i < c->n_files; i++) {
		const cfile *f = &c->files[i];
		if (header_candidate(c, f, reuse != NULL)) {
			cand++;
			with += has_info(f) ? 1 : 0;
		}
	}
	if (!reuse && (with < 2 || with * 2 < cand))
		return 0;   /* no convention to hold files to */
	for (i = 0; i < c->n_files; i++) {
		const cfile *f = &c->files[i];
		const char *lic = f->cover >= 0 ? c->dirs[f->cover].expr : c->declared;

		if (!header_candidate(c, f, reuse != NULL) || has_info(f))
			continue;
		if (reuse)
			rc = say(c, "", "no licence information, though the project follows REUSE (%s)", reuse);
		else
			rc = say(c, "", "no licence header, though %zu of %zu source files have one", with, cand);
		if (rc == 0 && reuse)
			rc = say_fix(c, "add a comment 'SPDX-License-Identifier: %s' at the top, or a %s.license "
				     "file next to it, or an annotation in REUSE.toml", lic ? lic : "<licence>",
				     base_name(f));
		else if (rc == 0)
			rc = say_fix(c, "add a comment 'SPDX-License-Identifier: %s' at the top of the file",
				     lic ? lic : "<licence>");
		if (rc < 0 || (rc = add(c, C_MISSING_HEADER, f, 1)) < 0)
			return rc;
	}
	return 0;
}

/* ---- TGPL ------------------------------------------------------------------ */

static int clause_index(const char *id)
{
	size_t k;

	for (k = 0; id && k < N_CLAUSES; k++)
		if (strcmp(id, tgpl_clauses[k]) == 0)
			return (int)k;
	return -1;
}

/*
 * A clause found in a file's own words.  A tag naming AdditionRef-TGPL-1.0
 * implies every clause with kind "reference"; that says the file names the
 * TGPL, not that its text is there.
 */
static int clause_text_index(const cfind *h)
{
	if (strcmp(h->category, "clause") != 0 || (h->kind && strcmp(h->kind, "reference") == 0))
		return -1;
	return clause_index(h->spdx);
}

/* A licence file that holds, or names, the TGPL: where its clauses must all be. */
static int is_rider_file(const cfile *f)
{
	const char *b = base_name(f);
	size_t i;
	idset ids;
	int named;

	if (!f->is_license && !path_has_component(f, "LICENSES") &&
	    strncmp(b, "AdditionRef-TGPL", 16) != 0 && strncmp(b, "LicenseRef-TGPL", 15) != 0)
		return 0;
	for (i = 0; f->blob && i < f->blob->n; i++)
		if (clause_text_index(&f->blob->v[i]) >= 0)
			return 1;
	memset(&ids, 0, sizeof(ids));
	if (!f->expr || ids_of(&ids, f->expr) < 0) {
		ids_release(&ids);
		return 0;
	}
	named = ids_tgpl(&ids);
	ids_release(&ids);
	return named;
}

static int check_clauses(checker *c, const cfile *f)
{
	double best[N_CLAUSES] = { 0 };
	const char *kind[N_CLAUSES] = { NULL };
	tgpl_buf list = TGPL_BUF_INIT;
	uint32_t line = 0;
	size_t i, present = 0;
	double score = 0;
	int rc = 0, reworded = 0;

	for (i = 0; f->blob && i < f->blob->n; i++) {
		const cfind *h = &f->blob->v[i];
		int k = clause_text_index(h);

		if (k < 0)
			continue;
		if (!line || (h->start && h->start < line))
			line = h->start;
		if (!kind[k] || h->score > best[k]) {
			best[k] = h->score > 0 ? h->score : 0.0001;
			kind[k] = h->kind ? h->kind : "";
		}
	}
	for (i = 0; i < N_CLAUSES; i++) {
		if (kind[i]) {
			present++;
			score += best[i] > 1 ? 1 : best[i];
		}
	}
	score /= (double)N_CLAUSES;
	if (present < N_CLAUSES) {
		for (i = 0; i < N_CLAUSES; i++)
			if (!kind[i] && ((list.len && tgpl_buf_puts(&list, ", ") < 0) ||
					 tgpl_buf_puts(&list, tgpl_clauses[i]) < 0))
				goto oom;
		rc = present == 0
			? say(c, "append the full text of the TGPL 1.0 rider, unchanged "
			      "(licenses/tgpl/TGPL-1.0-rider.txt in tgpl)",
			      "names the TGPL, but none of its clauses is in it (0 of %zu clauses: %s; score 0.00)",
			      N_CLAUSES, list.ptr)
			: say(c, "restore the missing clauses from the TGPL 1.0 rider text, word for word",
			      "the TGPL rider lacks %s (%zu of %zu clauses, score %.2f)", list.ptr, present,
			      N_CLAUSES, score);
		if (rc == 0)
			rc = add(c, C_CLAUSES_MISSING, f, line ? line : 1);
		goto done;
	}
	for (i = 0; i < N_CLAUSES; i++) {
		if (strcmp(kind[i], "text") == 0 && best[i] >= REWORDED_SCORE)
			continue;
		reworded = 1;
		if ((list.len && tgpl_buf_puts(&list, ", ") < 0) ||
		    tgpl_buf_printf(&list, "%s (%s, %.2f)", tgpl_clauses[i], kind[i], best[i]) < 0)
			goto oom;
	}
	if (reworded) {
		rc = say(c, "use the rider's own words, or rename it: a changed rider must not be called "
			 "AdditionRef-TGPL-1.0 (rider section 9)",
			 "the TGPL rider rewords %s (score %.2f)", list.ptr, score);
		if (rc == 0)
			rc = add(c, C_CLAUSES_REWORDED, f, line ? line : 1);
	}
	goto done;
oom:
	rc = oom(c);
done:
	tgpl_buf_release(&list);
	return rc;
}

/* Add to `bases` the licences a TGPL rider is attached to in expression `expr`. */
static int rider_bases_of(idset *bases, const char *expr)
{
	const char *p = expr;

	while (p && (p = strstr(p, " WITH ")) != NULL) {
		const char *ex = p + 6, *start = p;
		size_t n = strcspn(ex, " ()");

		if ((n == 20 && strncmp(ex, "AdditionRef-TGPL-1.0", 20) == 0)) {
			while (start > expr && start[-1] != ' ' && start[-1] != '(')
				start--;
			if (p > start && !ids_has(bases, start, (size_t)(p - start))) {
				if (tgpl_grow((void **)&bases->v, &bases->cap, bases->n + 1, sizeof(char *)) < 0 ||
				    !(bases->v[bases->n] = tgpl_strndup(start, (size_t)(p - start))))
					return TGPL_ENOMEM;
				bases->n++;
			}
		}
		p = ex;
	}
	return 0;
}

static int check_bases(checker *c, const cfile *f, const char *declared, uint32_t line)
{
	idset bases;
	size_t i, k;
	int rc = 0, clauses = 0;

	memset(&bases, 0, sizeof(bases));
	if (declared && rider_bases_of(&bases, declared) < 0)
		goto oom;
	for (i = 0; f && f->blob && i < f->blob->n; i++)
		if (clause_text_index(&f->blob->v[i]) >= 0)
			clauses = 1;
	for (i = 0; f && f->blob && i < f->blob->n; i++) {
		const cfind *h = &f->blob->v[i];

		if (strcmp(h->category, "license") != 0)
			continue;
		if (h->expr && rider_bases_of(&bases, h->expr) < 0)
			goto oom;
		/* A licence text followed by the rider's clauses: that text is the base. */
		if (clauses && h->kind && strcmp(h->kind, "text") == 0 && h->spdx && !is_tgpl_id(h->spdx) &&
		    !ids_has(&bases, h->spdx, strlen(h->spdx))) {
			if (tgpl_grow((void **)&bases.v, &bases.cap, bases.n + 1, sizeof(char *)) < 0 ||
			    !(bases.v[bases.n] = tgpl_strdup(h->spdx)))
				goto oom;
			bases.n++;
		}
	}
	for (i = 0; i < bases.n && rc == 0; i++) {
		for (k = 0; k < sizeof(rider_bases) / sizeof(rider_bases[0]); k++)
			if (strncmp(bases.v[i], rider_bases[k].prefix, strlen(rider_bases[k].prefix)) == 0)
				break;
		if (k == sizeof(rider_bases) / sizeof(rider_bases[0]))
			continue;
		if (rider_bases[k].forbids)
			rc = say(c, "use GPL-3.0-or-later WITH AdditionRef-TGPL-1.0, or the standalone "
				 "LicenseRef-TGPL-1.0 (rider section 6.3)",
				 "the TGPL rider is added to %s, which forbids further restrictions (%s): the "
				 "rider may not bind", bases.v[i], rider_bases[k].why);
		else
			rc = say(c, "state the rider as an additional term under section 7 in the licence "
				 "file, or use the standalone LicenseRef-TGPL-1.0 where its conditions must hold",
				 "the TGPL rider is added to %s, which lets recipients remove further "
				 "restrictions (%s): the rider is weak", bases.v[i], rider_bases[k].why);
		if (rc == 0)
			rc = add(c, rider_bases[k].forbids ? C_BASE_FORBIDS : C_BASE_WEAK, f, line);
	}
	ids_release(&bases);
	return rc;
oom:
	ids_release(&bases);
	return oom(c);
}

static int check_tgpl(checker *c)
{
	const cfile *permit = NULL;
	size_t i, j, riders = 0;
	int rc, declared_rider_checked = 0;

	for (i = 0; i < c->n_files; i++) {
		const cfile *f = &c->files[i];

		if (!is_rider_file(f))
			continue;
		riders++;
		if (f == c->declared_file)
			declared_rider_checked = 1;
		if ((rc = check_clauses(c, f)) < 0 ||
		    (rc = check_bases(c, f, f == c->declared_file ? c->declared : NULL, 1)) < 0)
			return rc;
		for (j = 0; f->blob && j < f->blob->n && !permit; j++)
			if (strcmp(f->blob->v[j].category, "clause") == 0 && f->blob->v[j].spdx &&
			    strcmp(f->blob->v[j].spdx, "training-permitted") == 0)
				permit = f;
	}
	if (c->declared && ids_tgpl(&c->declared_ids)) {
		if (!riders) {
			if ((rc = say(c, "add the full text of the TGPL 1.0 rider to the licence file, unchanged",
				      "declares %s, but no licence file holds the TGPL's text (0 of %zu clauses)",
				      c->declared, N_CLAUSES)) < 0 ||
			    (rc = add(c, C_CLAUSES_MISSING, c->declared_file,
				      c->declared_file ? c->declared_line : 0)) < 0)
				return rc;
		}
		if (!declared_rider_checked &&
		    (rc = check_bases(c, c->declared_file, c->declared,
				      c->declared_file ? c->declared_line : 0)) < 0)
			return rc;
		if (!permit)
			permit = c->declared_file;
	}
	if (!permit && !(c->declared && ids_tgpl(&c->declared_ids)))
		return 0;
	/* Opt-outs contradict a licence that permits training. */
	for (i = 0; i < c->n_files; i++) {
		const cfile *f = &c->files[i];

		if (f->cover >= 0 && c->dirs[f->cover].vendored)
			continue;
		for (j = 0; f->blob && j < f->blob->n; j++) {
			const cfind *h = &f->blob->v[j];
			int optout = strcmp(h->category, "optout") == 0;
			int prohibited = strcmp(h->category, "clause") == 0 && h->spdx &&
					 strcmp(h->spdx, "training-prohibited") == 0;

			if (!optout && !prohibited)
				continue;
			rc = say(c, "remove the opt-out, or drop the TGPL: the project cannot both permit "
				 "and forbid training",
				 "forbids training (%s%s%s), but %s permits it (TGPL training-permitted)",
				 optout ? h->kind : "training-prohibited",
				 optout && h->spdx ? ": " : "", optout && h->spdx ? h->spdx : "",
				 permit ? permit->path : "the declared licence");
			if (rc < 0 || (rc = add(c, C_OPTOUT, f, h->start ? h->start : 1)) < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- driver ---------------------------------------------------------------- */

static int pending_cmp(const void *pa, const void *pb)
{
	const pending *a = pa, *b = pb;
	int r;

	if (!a->path != !b->path)
		return a->path ? 1 : -1;
	if (a->path && (r = dir_cmp(a->path, a->path_len, b->path, b->path_len)) != 0)
		return r;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return strcmp(checks[a->check].id, checks[b->check].id);
}

static int load_revision(checker *c, const char *repo_path, const char *commit,
			 sqlite3_int64 *rev_id, char **engine)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(tgpl_db_handle(c->db),
		"SELECT v.id, v.declared, v.engine FROM revisions v JOIN repositories r ON r.id = v.repo_id"
		" WHERE r.path = ?1 AND v.rev_key = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_error(c->db, rc, "reading the revision");
	sqlite3_bind_blob(st, 1, repo_path, (int)strlen(repo_path), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, commit ? commit : "dir", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*rev_id = sqlite3_column_int64(st, 0);
		if (dup_col(&c->declared, st, 1) < 0 || dup_col(engine, st, 2) < 0 || !*engine)
			rc = oom(c);
		else
			rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = tgpl_error(c->ctx, TGPL_ENOTFOUND, "database holds no scan of '%s'%s%s", repo_path,
				commit ? " at " : "", commit ? commit : "");
	} else {
		rc = store_error(c->db, rc, "reading the revision");
	}
	sqlite3_finalize(st);
	return rc;
}

int tgpl_check_revision(tgpl_check_summary *out, tgpl_ctx *ctx, tgpl_db *db,
			const char *repo_path, const char *commit,
			const tgpl_check_policy *policy, tgpl_check_cb cb, void *payload)
{
	checker c;
	tgpl_buf meta = TGPL_BUF_INIT;
	sqlite3_int64 rev_id = 0;
	char *engine = NULL;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.db = db;
	c.policy = policy;
	if ((rc = load_revision(&c, repo_path, commit, &rev_id, &engine)) < 0 ||
	    (rc = load_files(&c, rev_id, engine)) < 0 ||
	    (rc = load_findings(&c, rev_id, engine)) < 0)
		goto done;
	for (i = 0; i < c.n_files; i++) {
		cfile *f = &c.files[i];
		size_t j;

		f->blob = find_blob(&c, f->oid);
		for (j = 0; f->blob && j < f->blob->n && !f->is_manifest; j++)
			f->is_manifest = is_metadata_finding(&f->blob->v[j]) &&
					 !(f->blob->v[j].rule && strncmp(f->blob->v[j].rule, "reuse:", 6) == 0);
		if (f->is_license && f->expr && (rc = add_dir(&c, f)) < 0)
			goto done;
	}
	for (i = 0; i < c.n_files; i++)
		c.files[i].cover = cover_of(&c, c.files[i].path, c.files[i].dir_len);
	if (c.declared) {
		long root = find_dir(&c, "", 0);

		if ((rc = expr_ids(&c.declared_ids, ctx, c.declared)) < 0)
			goto done;
		if (root >= 0) {
			c.declared_file = c.dirs[root].file;
			c.declared_line = 1;
		} else {
			for (i = 0; i < c.n_files && !c.declared_file; i++)
				if (c.files[i].dir_len == 0 && c.files[i].is_manifest) {
					c.declared_file = &c.files[i];
					if ((rc = manifest_expr(&c, &c.files[i], &meta, &c.declared_line)) < 0)
						goto done;
					if (!c.declared_line)
						c.declared_line = 1;
				}
		}
	}
	if ((rc = check_no_license(&c)) < 0 || (rc = check_unrecognised(&c)) < 0 ||
	    (rc = check_ids(&c)) < 0 || (rc = check_metadata(&c)) < 0 ||
	    (rc = check_vendored(&c)) < 0 || (rc = check_statements(&c)) < 0 ||
	    (rc = check_headers(&c)) < 0 || (rc = check_tgpl(&c)) < 0)
		goto done;
	if (c.n_out)
		qsort(c.out, c.n_out, sizeof(*c.out), pending_cmp);
	for (i = 0; i < c.n_out && cb; i++) {
		const pending *p = &c.out[i];
		tgpl_check_finding f = { checks[p->check].id, p->severity, p->path, p->path_len, p->line,
					 p->message, p->fix };

		if ((rc = cb(&f, payload)) != 0)
			goto done;
	}
	snprintf(c.sum.declared, sizeof(c.sum.declared), "%s", c.declared ? c.declared : "");
	if (out)
		*out = c.sum;
	rc = 0;
done:
	free(engine);
	tgpl_buf_release(&meta);
	checker_release(&c);
	return rc;
}

int tgpl_check_finding_json(char **out, const tgpl_check_finding *f)
{
	tgpl_buf b = TGPL_BUF_INIT;

	if (tgpl_buf_puts(&b, "{\"check\":") < 0 ||
	    tgpl_buf_put_json_string(&b, f->check, strlen(f->check)) < 0 ||
	    tgpl_buf_printf(&b, ",\"severity\":\"%s\",\"path\":", tgpl_severity_name(f->severity)) < 0 ||
	    (f->path ? tgpl_buf_put_json_string(&b, f->path, f->path_len) : tgpl_buf_puts(&b, "null")) < 0 ||
	    (f->path && f->line ? tgpl_buf_printf(&b, ",\"line\":%u", f->line)
				: tgpl_buf_puts(&b, ",\"line\":null")) < 0 ||
	    tgpl_buf_puts(&b, ",\"message\":") < 0 ||
	    tgpl_buf_put_json_string(&b, f->message, strlen(f->message)) < 0 ||
	    tgpl_buf_puts(&b, ",\"fix\":") < 0 ||
	    tgpl_buf_put_json_string(&b, f->fix, strlen(f->fix)) < 0 || tgpl_buf_putc(&b, '}') < 0) {
		tgpl_buf_release(&b);
		return TGPL_ENOMEM;
	}
	*out = tgpl_buf_detach(&b);
	return 0;
}
