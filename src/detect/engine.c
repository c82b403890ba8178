/*
 * engine.c — the detection engine: loads the licence index and rules once,
 * then runs every detector over a blob (tgpl_detect()).
 *
 * The engine is immutable after tgpl_engine_open(), so any number of threads
 * may call tgpl_detect() on one engine at once.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "detect/clauses.h"
#include "detect/detect_int.h"
#include "detect/index.h"
#include "detect/metadata.h"
#include "detect/optout.h"
#include "detect/rules.h"
#include "util/util.h"

/* How many bytes are sniffed for NUL to call a blob binary (as git does). */
#define BINARY_SNIFF 8000

typedef struct {
	char *key;          /* lower-cased id, or normalised name */
	size_t info;        /* index into infos */
} id_entry;

typedef struct {
	char *id;
	char *name;
} exception_entry;

struct tgpl_engine {
	char *datadir;
	char *version;
	lidx *index;
	tgpl_license_info *infos;     /* sorted by id, case-insensitively */
	size_t n_infos;
	id_entry *by_name;            /* sorted by normalised name */
	size_t n_by_name;
	exception_entry *exceptions;  /* sorted by lower-cased id */
	size_t n_exceptions;
	char **owned;                 /* strings the infos point to */
	size_t n_owned, cap_owned;
	struct rule_set *rules;
	struct name_table *names;
	struct optout_data *optouts;
	struct clause_data *clauses;  /* clause rules; the AI licences of infos[n_index..] */
};

/* ---- small helpers ------------------------------------------------------ */

static int ci_ncmp(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int ca = tolower((unsigned char)a[i]), cb = tolower((unsigned char)b[i]);
		if (ca != cb || !ca)
			return ca - cb;
	}
	return 0;
}

/* Compare the n bytes of key with NUL-terminated s, case-insensitively. */
static int ci_keycmp(const char *key, size_t n, const char *s)
{
	int c = ci_ncmp(key, s, n);

	if (c)
		return c;
	return s[n] ? -1 : 0;
}

static int info_cmp(const void *a, const void *b)
{
	return tgpl_strcasecmp(((const tgpl_license_info *)a)->id,
			       ((const tgpl_license_info *)b)->id);
}

static int exc_cmp(const void *a, const void *b)
{
	return tgpl_strcasecmp(((const exception_entry *)a)->id, ((const exception_entry *)b)->id);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const id_entry *)a)->key, ((const id_entry *)b)->key);
}

/* Normalise a licence name for lookup: lower case, runs of space and
 * punctuation other than '.', '+' and '-' folded to one space, trimmed. */
static char *norm_name(const char *s, size_t n)
{
	char *out = tgpl_malloc(n + 1);
	size_t i, o = 0;
	int space = 0;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '.' || c == '+' || c == '-' || c >= 0x80) {
			if (space && o)
				out[o++] = ' ';
			space = 0;
			out[o++] = (char)tolower(c);
		} else {
			space = 1;
		}
	}
	out[o] = '\0';
	return out;
}

static char *own(tgpl_engine *e, char *s)
{
	if (!s)
		return NULL;
	if (tgpl_grow((void **)&e->owned, &e->cap_owned, e->n_owned + 1, sizeof(char *)) < 0) {
		free(s);
		return NULL;
	}
	e->owned[e->n_owned++] = s;
	return s;
}

static char *join_path(const char *dir, const char *name)
{
	tgpl_buf b = TGPL_BUF_INIT;

	if (tgpl_buf_printf(&b, "%s/%s", dir, name) < 0) {
		tgpl_buf_release(&b);
		return NULL;
	}
	return tgpl_buf_detach(&b);
}

/*
 * Read a tab-separated data file of licenses/: calls cb(fields, nfields,
 * lineno) for each line that is neither blank nor a '#' comment.
 * A missing file is an error naming it.
 */
typedef int (*tsv_cb)(tgpl_engine *e, char **f, int nf, const char *file, int line, tgpl_ctx *ctx);

static int read_tsv(tgpl_engine *e, tgpl_ctx *ctx, const char *name, tsv_cb cb)
{
	char *path = join_path(e->datadir, name);
	char line[4096];
	FILE *f = NULL;
	int lineno = 0, rc = 0;

	if (!path)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	f = fopen(path, "r");
	if (!f) {
		rc = tgpl_error(ctx, TGPL_EDATA, "cannot open '%s': %s", path, strerror(errno));
		goto done;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fields[8], *p = line, *nl;
		int nf = 0;

		lineno++;
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		while (nf < 8) {
			fields[nf++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if ((rc = cb(e, fields, nf, path, lineno, ctx)) < 0)
			goto done;
	}
done:
	if (f)
		fclose(f);
	free(path);
	return rc;
}

static int deprecated_cb(tgpl_engine *e, char **f, int nf, const char *file, int line, tgpl_ctx *ctx)
{
	tgpl_license_info *li;

	if (nf != 2)
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: expected 'id<TAB>replacement'", file, line);
	li = (tgpl_license_info *)engine_license(e, f[0], strlen(f[0]));
	if (!li)   /* an id the pinned list does not carry: nothing to mark */
		return 0;
	li->deprecated = 1;
	li->replaced_by = own(e, tgpl_strdup(f[1]));
	return li->replaced_by ? 0 : tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
}

static int exception_cb(tgpl_engine *e, char **f, int nf, const char *file, int line, tgpl_ctx *ctx)
{
	exception_entry *x;

	if (nf != 2)
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: expected 'id<TAB>name'", file, line);
	x = tgpl_reallocarray(e->exceptions, e->n_exceptions + 1, sizeof(*x));
	if (!x)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	e->exceptions = x;
	x = &e->exceptions[e->n_exceptions];
	x->id = own(e, tgpl_strdup(f[0]));
	x->name = own(e, tgpl_strdup(f[1]));
	if (!x->id || !x->name)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	e->n_exceptions++;
	return 0;
}

static int category_cb(tgpl_engine *e, char **f, int nf, const char *file, int line, tgpl_ctx *ctx)
{
	tgpl_license_info *li;

	if (nf != 2)
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: expected 'id<TAB>category'", file, line);
	li = (tgpl_license_info *)engine_license(e, f[0], strlen(f[0]));
	if (!li)
		return 0;
	li->category = own(e, tgpl_strdup(f[1]));
	return li->category ? 0 : tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the blob ids of every regular file in dir, in name order. */
static int digest_dir(tgpl_buf *ids, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid oid;
	int rc = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (tgpl_grow((void **)&names, &cap, n + 1, sizeof(*names)) < 0 ||
		    !(names[n] = tgpl_strdup(de->d_name))) {
			rc = TGPL_ENOMEM;
			goto done;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), str_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		char *path = join_path(dir, names[i]);

		if (!path) {
			rc = TGPL_ENOMEM;
			break;
		}
		if (git_odb_hashfile(&oid, path, GIT_OBJECT_BLOB) == 0) {
			git_oid_tostr(hex, sizeof(hex), &oid);
			if (tgpl_buf_puts(ids, names[i]) < 0 || tgpl_buf_puts(ids, hex) < 0)
				rc = TGPL_ENOMEM;
		}
		free(path);
	}
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

/* The engine version: the code version and a hash of every data file. */
static int compute_version(tgpl_engine *e, tgpl_ctx *ctx)
{
	static const char *files[] = { "licenses.idx", "deprecated.tsv", "exceptions.tsv",
				       "categories.tsv", "names.tsv", "ai-crawlers.tsv", "rules",
				       "ai-licenses.tsv", "hf-licenses.tsv", "clauses" };
	tgpl_buf ids = TGPL_BUF_INIT, v = TGPL_BUF_INIT;
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = join_path(e->datadir, files[i]);

		if (!path) {
			rc = TGPL_ENOMEM;
			goto done;
		}
		if (strcmp(files[i], "rules") == 0 || strcmp(files[i], "clauses") == 0) {
			rc = digest_dir(&ids, path);
		} else if (git_odb_hashfile(&oid, path, GIT_OBJECT_BLOB) == 0) {
			git_oid_tostr(hex, sizeof(hex), &oid);
			rc = tgpl_buf_puts(&ids, hex);
		}
		free(path);
		if (rc < 0)
			goto done;
	}
	if (git_odb_hash(&oid, ids.ptr ? ids.ptr : "", ids.len, GIT_OBJECT_BLOB) < 0) {
		rc = tgpl_error(ctx, TGPL_EGIT, "cannot hash the licence data");
		goto done;
	}
	git_oid_tostr(hex, sizeof(hex), &oid);
	if (tgpl_buf_printf(&v, "%s+%.12s", TGPL_VERSION, hex) < 0) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	e->version = tgpl_buf_detach(&v);
	if (!e->version)
		rc = TGPL_ENOMEM;
done:
	if (rc == TGPL_ENOMEM)
		rc = tgpl_error(ctx, rc, "out of memory");
	tgpl_buf_release(&ids);
	tgpl_buf_release(&v);
	return rc;
}

static const char *default_datadir(void)
{
	const char *env = getenv("TGPL_DATADIR");
	return env && *env ? env : TGPL_DATADIR;
}

int tgpl_engine_open(tgpl_engine **out, tgpl_ctx *ctx, const char *datadir)
{
	tgpl_engine *e = NULL;
	char *path = NULL;
	size_t i, j, n_index;
	int rc;

	git_libgit2_init();
	e = tgpl_calloc(1, sizeof(*e));
	if (!e || !(e->datadir = tgpl_strdup(datadir ? datadir : default_datadir()))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if (!(path = join_path(e->datadir, "licenses.idx"))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = lidx_load(&e->index, ctx, path)) < 0)
		goto done;
	/* The clause data first: it brings the AI licences the SPDX list lacks. */
	if ((rc = clauses_load(&e->clauses, ctx, e->datadir)) < 0)
		goto done;
	n_index = e->index->n_licenses;
	e->n_infos = n_index + clauses_license_count(e->clauses);
	e->infos = tgpl_calloc(e->n_infos, sizeof(*e->infos));
	e->by_name = tgpl_calloc(e->n_infos, sizeof(*e->by_name));
	if (!e->infos || !e->by_name) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < n_index; i++) {
		const lidx_license *l = &e->index->licenses[i];
		tgpl_license_info *li = &e->infos[i];

		li->id = l->id;
		li->name = l->name;
		li->url = l->url[0] ? l->url : NULL;
		li->osi_approved = l->osi;
		li->text = l->text;
	}
	/* An AI-licence row for an id the index already has (the project's own
	 * LicenseRef-TGPL-1.0, whose text is indexed) lends it its category. */
	for (i = 0, j = n_index; i < clauses_license_count(e->clauses); i++) {
		tgpl_license_info ai;
		size_t k;

		clauses_license_info(e->clauses, i, &ai);
		for (k = 0; k < n_index && strcmp(e->infos[k].id, ai.id) != 0; k++)
			;
		if (k < n_index) {
			if (!e->infos[k].category)
				e->infos[k].category = ai.category;
			continue;
		}
		e->infos[j++] = ai;
	}
	e->n_infos = j;
	qsort(e->infos, e->n_infos, sizeof(*e->infos), info_cmp);
	for (i = 0; i < e->n_infos; i++) {
		e->by_name[i].info = i;
		e->by_name[i].key = norm_name(e->infos[i].name, strlen(e->infos[i].name));
		if (!e->by_name[i].key) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		e->n_by_name++;
	}
	qsort(e->by_name, e->n_by_name, sizeof(*e->by_name), name_cmp);
	if ((rc = read_tsv(e, ctx, "deprecated.tsv", deprecated_cb)) < 0 ||
	    (rc = read_tsv(e, ctx, "exceptions.tsv", exception_cb)) < 0 ||
	    (rc = read_tsv(e, ctx, "categories.tsv", category_cb)) < 0)
		goto done;
	if (e->n_exceptions)
		qsort(e->exceptions, e->n_exceptions, sizeof(*e->exceptions), exc_cmp);
	free(path);
	if (!(path = join_path(e->datadir, "rules"))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = rules_load(&e->rules, ctx, path)) < 0)
		goto done;
	if ((rc = names_load(&e->names, ctx, e->datadir)) < 0 ||
	    (rc = optout_load(&e->optouts, ctx, e->datadir)) < 0)
		goto done;
	if ((rc = compute_version(e, ctx)) < 0)
		goto done;
	*out = e;
	e = NULL;
	rc = 0;
done:
	free(path);
	tgpl_engine_free(e);
	return rc;
}

void tgpl_engine_free(tgpl_engine *e)
{
	size_t i;

	if (!e)
		return;
	rules_free(e->rules);
	names_free(e->names);
	optout_free(e->optouts);
	clauses_free(e->clauses);
	for (i = 0; i < e->n_by_name; i++)
		free(e->by_name[i].key);
	free(e->by_name);
	for (i = 0; i < e->n_owned; i++)
		free(e->owned[i]);
	free(e->owned);
	free(e->exceptions);
	free(e->infos);
	lidx_free(e->index);
	free(e->version);
	free(e->datadir);
	free(e);
	git_libgit2_shutdown();
}

const char *tgpl_engine_version(const tgpl_engine *e)
{
	return e->version;
}

const char *engine_datadir(const tgpl_engine *e)
{
	return e->datadir;
}

const struct lidx *engine_index(const tgpl_engine *e)
{
	return e->index;
}

const struct rule_set *engine_rules(const tgpl_engine *e)
{
	return e->rules;
}

const struct optout_data *engine_optouts(const tgpl_engine *e)
{
	return e->optouts;
}

const struct clause_data *engine_clauses(const tgpl_engine *e)
{
	return e->clauses;
}

const struct name_table *engine_names(const tgpl_engine *e)
{
	return e->names;
}

size_t tgpl_engine_license_count(const tgpl_engine *e)
{
	return e->n_infos;
}

const tgpl_license_info *tgpl_engine_license_at(const tgpl_engine *e, size_t i)
{
	return i < e->n_infos ? &e->infos[i] : NULL;
}

const tgpl_license_info *engine_license(const tgpl_engine *e, const char *id, size_t n)
{
	size_t lo = 0, hi = e->n_infos;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ci_keycmp(id, n, e->infos[mid].id);
		if (c == 0)
			return &e->infos[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const tgpl_license_info *tgpl_engine_license(const tgpl_engine *e, const char *id)
{
	return id ? engine_license(e, id, strlen(id)) : NULL;
}

const tgpl_license_info *engine_license_by_name(const tgpl_engine *e, const char *name, size_t n)
{
	char *key = norm_name(name, n);
	size_t lo = 0, hi = e->n_by_name;
	const tgpl_license_info *found = NULL;

	if (!key)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, e->by_name[mid].key);
		if (c == 0) {
			found = &e->infos[e->by_name[mid].info];
			break;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	free(key);
	return found;
}

const char *engine_exception(const tgpl_engine *e, const char *id, size_t n)
{
	size_t lo = 0, hi = e->n_exceptions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ci_keycmp(id, n, e->exceptions[mid].id);
		if (c == 0)
			return e->exceptions[mid].id;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *tgpl_kind_name(tgpl_kind kind)
{
	switch (kind) {
	case TGPL_KIND_TAG: return "tag";
	case TGPL_KIND_TEXT: return "text";
	case TGPL_KIND_NOTICE: return "notice";
	case TGPL_KIND_REFERENCE: return "reference";
	case TGPL_KIND_METADATA: return "metadata";
	}
	return "unknown";
}
