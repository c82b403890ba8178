/*
 * knowledge.c — which obligations each licence triggers.
 *
 * Three tables, highest precedence first: categories.tsv (the SPDX list),
 * ai-licenses.tsv (the AI-licence detector's LicenseRef- ids, optional), and
 * a built-in list of the AI licence ids for a data directory that lacks the
 * latter.  obligations.tsv then maps each category to its obligations and
 * overrides them per licence; exceptions.tsv names the ids that are
 * exceptions rather than licences.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obligations/obl_int.h"
#include "util/util.h"

#define TSV_LINE_MAX 4096
#define TSV_ROWS_MAX 16384
#define ID_MAX       128

/* AI licences, in case ai-licenses.tsv is missing (it is the source). */
static const struct {
	const char *id;
	int category;
} builtin[] = {
	{ "LicenseRef-OpenRAIL-M", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-CreativeML-OpenRAIL-M", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-BigScience-OpenRAIL-M", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-BigCode-OpenRAIL-M-1.0", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-RAIL", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-Llama-2-Community", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-Llama-3-Community", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-Llama-3.1-Community", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-Llama-3.2-Community", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-Llama-3.3-Community", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-Gemma-Terms", OBL_CAT_USE_RESTRICTIONS },
	{ "LicenseRef-TGPL-1.0", OBL_CAT_TRAINING_COPYLEFT },
};

typedef struct {
	obl_license l;
	size_t seq;          /* insertion order: earlier rows win */
	int has_override;
	obl_mask override;
} entry;

struct obl_knowledge {
	entry *v;
	size_t n, cap;
	char **exceptions;   /* sorted, case-insensitively */
	size_t n_exceptions, cap_exceptions;
	obl_mask defaults[OBL_CAT__COUNT];
	int has_default[OBL_CAT__COUNT];
};

typedef int (*row_cb)(obl_knowledge *k, char **f, int nf, const char *file, int line,
		      tgpl_ctx *ctx);

static int valid_id(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > ID_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '+' || c == ':'))
			return 0;
	}
	return 1;
}

/* Read a TSV file of `datadir`; a missing optional file is not an error. */
static int read_tsv(obl_knowledge *k, tgpl_ctx *ctx, const char *datadir, const char *name,
		    int optional, row_cb cb)
{
	tgpl_buf path = TGPL_BUF_INIT;
	char line[TSV_LINE_MAX];
	FILE *f = NULL;
	int lineno = 0, rows = 0, rc = 0;

	if (tgpl_buf_printf(&path, "%s/%s", datadir, name) < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if (!(f = fopen(path.ptr, "r"))) {
		if (!optional || errno != ENOENT)
			rc = tgpl_error(ctx, TGPL_EDATA, "cannot open '%s': %s", path.ptr,
					strerror(errno));
		goto done;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fields[8], *p = line;
		size_t len = strlen(line);
		int nf = 0;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f)) {
			rc = tgpl_error(ctx, TGPL_EDATA, "%s:%d: line longer than %d bytes", path.ptr,
					lineno, TSV_LINE_MAX - 2);
			goto done;
		}
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (++rows > TSV_ROWS_MAX) {
			rc = tgpl_error(ctx, TGPL_EDATA, "%s:%d: more than %d rows", path.ptr, lineno,
					TSV_ROWS_MAX);
			goto done;
		}
		while (nf < 8) {
			fields[nf++] = p;
			if (!(p = strchr(p, '\t')))
				break;
			*p++ = '\0';
		}
		if ((rc = cb(k, fields, nf, path.ptr, lineno, ctx)) < 0)
			goto done;
	}
	if (ferror(f))
		rc = tgpl_error(ctx, TGPL_EIO, "cannot read '%s'", path.ptr);
done:
	if (f)
		fclose(f);
	tgpl_buf_release(&path);
	return rc;
}

static int add_entry(obl_knowledge *k, tgpl_ctx *ctx, const char *id, int category)
{
	entry *e;

	if (tgpl_grow((void **)&k->v, &k->cap, k->n + 1, sizeof(*k->v)) < 0)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	e = &k->v[k->n];
	memset(e, 0, sizeof(*e));
	if (!(e->l.id = tgpl_strdup(id)))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	e->l.category = category;
	e->seq = k->n++;
	return 0;
}

static int category_row(obl_knowledge *k, char **f, int nf, const char *file, int line,
			tgpl_ctx *ctx)
{
	int cat;

	if (nf != 2 || !valid_id(f[0]))
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: expected 'id<TAB>category'", file, line);
	if ((cat = obl_category_from_name(f[1])) < 0)
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: unknown category '%s'", file, line, f[1]);
	return add_entry(k, ctx, f[0], cat);
}

/* ai-licenses.tsv belongs to the AI-licence detector: rows whose category the
 * model does not know are left out (their ids count as unknown licences). */
static int ai_row(obl_knowledge *k, char **f, int nf, const char *file, int line, tgpl_ctx *ctx)
{
	int cat;

	(void)file;
	(void)line;
	if (nf < 3 || !valid_id(f[0]) || (cat = obl_category_from_name(f[2])) < 0)
		return 0;
	return add_entry(k, ctx, f[0], cat);
}

static int exception_row(obl_knowledge *k, char **f, int nf, const char *file, int line,
			 tgpl_ctx *ctx)
{
	char *id;

	(void)nf;
	(void)file;
	(void)line;
	if (!valid_id(f[0]))
		return 0;
	if (tgpl_grow((void **)&k->exceptions, &k->cap_exceptions, k->n_exceptions + 1,
		      sizeof(*k->exceptions)) < 0 || !(id = tgpl_strdup(f[0])))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	k->exceptions[k->n_exceptions++] = id;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = tgpl_strcasecmp(x->l.id, y->l.id);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int str_casecmp(const void *a, const void *b)
{
	return tgpl_strcasecmp(*(char *const *)a, *(char *const *)b);
}

static int key_cmp(const void *key, const void *elt)
{
	return tgpl_strcasecmp(key, ((const entry *)elt)->l.id);
}

/* Sort and keep the first row of each id. */
static void settle(obl_knowledge *k)
{
	size_t i, j = 0;

	if (!k->n)
		return;
	qsort(k->v, k->n, sizeof(*k->v), entry_cmp);
	for (i = 0; i < k->n; i++) {
		if (j && tgpl_strcasecmp(k->v[j - 1].l.id, k->v[i].l.id) == 0) {
			free((char *)k->v[i].l.id);
			continue;
		}
		k->v[j++] = k->v[i];
	}
	k->n = j;
	for (i = 0; i < k->n; i++)
		k->v[i].seq = i;
}

static entry *find(const obl_knowledge *k, const char *id)
{
	return k->n ? bsearch(id, k->v, k->n, sizeof(*k->v), key_cmp) : NULL;
}

static int parse_mask(obl_mask *out, const char *s)
{
	obl_mask m = 0;
	char name[64];

	if (strcmp(s, "-") == 0) {
		*out = 0;
		return 0;
	}
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		int id;

		if (!n || n >= sizeof(name))
			return -1;
		memcpy(name, s, n);
		name[n] = '\0';
		if ((id = tgpl_obligation_from_name(name)) < 0)
			return -1;
		m |= OBL_BIT(id);
		s += n;
		if (*s == ',' && !*++s)
			return -1;
	}
	*out = m;
	return 0;
}

static int obligation_row(obl_knowledge *k, char **f, int nf, const char *file, int line,
			  tgpl_ctx *ctx)
{
	obl_mask m;
	int cat;
	entry *e;

	if (nf != 2 || !valid_id(f[0]))
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: expected 'id<TAB>obligation,...'", file,
				  line);
	if (parse_mask(&m, f[1]) < 0)
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: '%s' is not a list of obligation ids "
				  "(or '-')", file, line, f[1]);
	if ((cat = obl_category_from_name(f[0])) >= 0) {
		k->defaults[cat] = m;
		k->has_default[cat] = 1;
		return 0;
	}
	if (!(e = find(k, f[0]))) {
		/* An addition (AdditionRef-TGPL-1.0): no category, only what it adds. */
		int rc = add_entry(k, ctx, f[0], -1);
		if (rc < 0)
			return rc;
		settle(k);
		e = find(k, f[0]);
	}
	e->has_override = 1;
	e->override = m;
	return 0;
}

int obl_knowledge_load(obl_knowledge **out, tgpl_ctx *ctx, const char *datadir)
{
	obl_knowledge *k;
	const char *dir = obl_datadir(datadir);
	size_t i;
	int rc;

	if (!(k = tgpl_calloc(1, sizeof(*k))))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	if ((rc = read_tsv(k, ctx, dir, "categories.tsv", 0, category_row)) < 0 ||
	    (rc = read_tsv(k, ctx, dir, "ai-licenses.tsv", 1, ai_row)) < 0)
		goto done;
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if ((rc = add_entry(k, ctx, builtin[i].id, builtin[i].category)) < 0)
			goto done;
	settle(k);
	if ((rc = read_tsv(k, ctx, dir, "obligations.tsv", 0, obligation_row)) < 0 ||
	    (rc = read_tsv(k, ctx, dir, "exceptions.tsv", 1, exception_row)) < 0)
		goto done;
	for (i = 0; i < OBL_CAT__COUNT; i++)
		if (!k->has_default[i]) {
			rc = tgpl_error(ctx, TGPL_EDATA, "%s/obligations.tsv: no row for category '%s'",
					dir, obl_category_name((int)i));
			goto done;
		}
	for (i = 0; i < k->n; i++) {
		entry *e = &k->v[i];
		e->l.obligations = e->has_override ? e->override :
				   e->l.category >= 0 ? k->defaults[e->l.category] : 0;
	}
	if (k->n_exceptions)
		qsort(k->exceptions, k->n_exceptions, sizeof(*k->exceptions), str_casecmp);
	*out = k;
	k = NULL;
	rc = 0;
done:
	obl_knowledge_free(k);
	return rc;
}

void obl_knowledge_free(obl_knowledge *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->n; i++)
		free((char *)k->v[i].l.id);
	for (i = 0; i < k->n_exceptions; i++)
		free(k->exceptions[i]);
	free(k->v);
	free(k->exceptions);
	free(k);
}

const obl_license *obl_knowledge_license(const obl_knowledge *k, const char *id)
{
	const entry *e;

	if (!id)
		return NULL;
	e = find(k, id);
	return e ? &e->l : NULL;
}

int obl_knowledge_is_exception(const obl_knowledge *k, const char *id)
{
	if (!id)
		return 0;
	if (strncmp(id, "AdditionRef-", 12) == 0 || strstr(id, ":AdditionRef-"))
		return !obl_knowledge_license(k, id);
	return k->n_exceptions &&
	       bsearch(&id, k->exceptions, k->n_exceptions, sizeof(*k->exceptions), str_casecmp);
}

/* ---- the public face: tgpl_license_model ---------------------------------- */

struct tgpl_license_model {
	obl_knowledge *k;
};

int tgpl_license_model_open(tgpl_license_model **out, tgpl_ctx *ctx, const char *datadir)
{
	tgpl_license_model *m;
	int rc;

	if (!out)
		return tgpl_error(ctx, TGPL_EINVAL, "tgpl_license_model_open: bad arguments");
	if (!(m = tgpl_calloc(1, sizeof(*m))))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	if ((rc = obl_knowledge_load(&m->k, ctx, datadir)) < 0) {
		free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void tgpl_license_model_free(tgpl_license_model *m)
{
	if (!m)
		return;
	obl_knowledge_free(m->k);
	free(m);
}

const char *tgpl_license_model_category(const tgpl_license_model *m, const char *id)
{
	const obl_license *l = m ? obl_knowledge_license(m->k, id) : NULL;
	return l ? obl_category_name(l->category) : NULL;
}

int tgpl_license_model_triggers(const tgpl_license_model *m, const char *id, tgpl_obligation_id obl)
{
	const obl_license *l = m ? obl_knowledge_license(m->k, id) : NULL;

	if (!l)
		return -1;
	return (unsigned int)obl < TGPL_OBL__COUNT && (l->obligations & OBL_BIT(obl)) ? 1 : 0;
}
