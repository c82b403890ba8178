/*
 * oblig.c — the obligation model (tgpl/obligations.h) as the report formats
 * use it: the result borrowed from the caller or computed under the default
 * policy, its repositories matched with the reported revisions, the lines
 * an evidence row points at (read from the stored blob), and the
 * obligations each file is evidence of (the csv column).
 *
 * The model and the report each pick a repository's latest revision; they
 * are matched by repository path, so a verdict always belongs to the
 * repository it is printed with.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

struct report_excerpt_cache {
	size_t rev;            /* revs index of the content held, or NO_REV */
	char *oid;
	char *data;            /* NULL when unreadable */
	size_t len;
	char *why;             /* why it is unreadable, or NULL */
	/* report_obl_file: "<rev index>/<path>" -> obligation bits */
	report_strset files;
	uint32_t *masks;
	size_t cap_masks;
	int indexed;
};

static int oom(report *r)
{
	return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
}

static int by_path(const void *a, const void *b)
{
	const report_rev *const *x = a, *const *y = b;

	return strcmp((*x)->repo_path, (*y)->repo_path);
}

int report_obl_load(report *r)
{
	tgpl_obligations_options o = TGPL_OBLIGATIONS_OPTIONS_INIT;
	const report_rev **sorted = NULL;
	size_t i, n;
	int rc = 0;

	if (r->opts->obligations) {
		r->obl = r->opts->obligations;
	} else {
		if ((rc = tgpl_obligations_compute(&r->own_obl, r->ctx, r->db, &o)) < 0)
			return rc;
		r->obl = r->own_obl;
	}
	if (!(r->excerpt = tgpl_calloc(1, sizeof(*r->excerpt))))
		return oom(r);
	r->excerpt->rev = NO_REV;
	n = tgpl_obligations_repo_count(r->obl);
	if (!(r->obl_rev = tgpl_malloc((n ? n : 1) * sizeof(*r->obl_rev))) ||
	    !(r->rev_obl = tgpl_malloc((r->n_revs ? r->n_revs : 1) * sizeof(*r->rev_obl))) ||
	    !(sorted = tgpl_malloc((r->n_revs ? r->n_revs : 1) * sizeof(*sorted))))
		return (free(sorted), oom(r));
	for (i = 0; i < r->n_revs; i++) {
		r->rev_obl[i] = NO_REV;
		sorted[i] = &r->revs[i];
	}
	qsort(sorted, r->n_revs, sizeof(*sorted), by_path);
	for (i = 0; i < n; i++) {
		const tgpl_repository *p = tgpl_obligations_repo_at(r->obl, i);
		report_rev key, *kp = &key;
		const report_rev **hit;

		key.repo_path = (char *)p->path;
		hit = r->n_revs ? bsearch(&kp, sorted, r->n_revs, sizeof(*sorted), by_path) : NULL;
		r->obl_rev[i] = hit ? (size_t)(*hit - r->revs) : NO_REV;
		if (hit)
			r->rev_obl[r->obl_rev[i]] = i;
	}
	free(sorted);
	return 0;
}

void report_obl_unload(report *r)
{
	report_excerpt_cache *c = r->excerpt;

	if (c) {
		free(c->oid);
		free(c->data);
		free(c->why);
		report_strset_release(&c->files);
		free(c->masks);
		free(c);
		r->excerpt = NULL;
	}
	free(r->obl_rev);
	free(r->rev_obl);
	r->obl_rev = r->rev_obl = NULL;
	tgpl_obligations_free(r->own_obl);
	r->own_obl = NULL;
	r->obl = NULL;
}

const tgpl_repository *report_obl_repo(const report *r, size_t rev_index)
{
	if (!r->obl || !r->rev_obl || rev_index >= r->n_revs || r->rev_obl[rev_index] == NO_REV)
		return NULL;
	return tgpl_obligations_repo_at(r->obl, r->rev_obl[rev_index]);
}

static size_t rev_of(const report *r, const tgpl_evidence *e)
{
	if (e->repo < 0 || (size_t)e->repo >= tgpl_obligations_repo_count(r->obl))
		return NO_REV;
	return r->obl_rev[e->repo];
}

/* Read (or keep) the content of e's file into the cache. */
static int load_content(report *r, const tgpl_evidence *e, size_t rev)
{
	report_excerpt_cache *c = r->excerpt;
	report_file f;
	int rc;

	if (c->rev == rev && c->oid && strcmp(c->oid, e->oid) == 0)
		return 0;
	free(c->oid);
	free(c->data);
	free(c->why);
	c->oid = c->data = c->why = NULL;
	c->rev = NO_REV;
	memset(&f, 0, sizeof(f));
	f.path = e->path;
	f.path_len = strlen(e->path);
	f.type = "file";
	f.oid = e->oid;
	if (!r->blobs && (rc = report_blobs_new(&r->blobs, r->ctx)) < 0)
		return rc;
	rc = report_blob_read(r->blobs, &r->revs[rev], &f, TGPL_DEFAULT_MAX_FILE_SIZE, &c->data, &c->len);
	if (rc == TGPL_ENOMEM)
		return rc;
	if (rc < 0 && !(c->why = tgpl_strdup(tgpl_errmsg(r->ctx))))
		return oom(r);
	if (!(c->oid = tgpl_strdup(e->oid)))
		return oom(r);
	c->rev = rev;
	return 0;
}

int report_obl_content(report *r, const tgpl_evidence *e, const char **data, size_t *len,
		       const char **unreadable)
{
	size_t rev = rev_of(r, e);
	int rc;

	*data = NULL;
	*len = 0;
	*unreadable = NULL;
	if (!e->path || !e->oid || !*e->oid) {
		*unreadable = "no file";
		return 0;
	}
	if (rev == NO_REV) {
		*unreadable = "the repository is not in this report";
		return 0;
	}
	if ((rc = load_content(r, e, rev)) < 0)
		return rc;
	if (!r->excerpt->data)
		*unreadable = r->excerpt->why ? r->excerpt->why : "the content cannot be read";
	*data = r->excerpt->data;
	*len = r->excerpt->len;
	return 0;
}

int report_obl_excerpt(report *r, const tgpl_evidence *e, uint32_t max_lines, report_line_cb cb,
		       void *payload, const char **unreadable)
{
	const char *data;
	size_t len;
	int rc;

	*unreadable = NULL;
	if (!e->path || !e->oid || !*e->oid || e->start_line == 0)
		return 0;
	if ((rc = report_obl_content(r, e, &data, &len, unreadable)) < 0 || !data)
		return rc;
	return report_lines(data, len, e->start_line, e->end_line >= e->start_line ? e->end_line : e->start_line,
			    max_lines, cb, payload);
}

/* Add bits to the index entry "<rev><sep><name>". */
static int index_add(report *r, tgpl_buf *key, size_t rev, char sep, const char *name, uint32_t bits)
{
	report_excerpt_cache *c = r->excerpt;
	size_t k;
	int rc;

	tgpl_buf_clear(key);
	if (tgpl_buf_printf(key, "%zu%c%s", rev, sep, name) < 0 ||
	    (rc = report_strset_add(&c->files, key->ptr, &k)) < 0 ||
	    tgpl_grow((void **)&c->masks, &c->cap_masks, c->files.n, sizeof(*c->masks)) < 0)
		return oom(r);
	if (rc == 1)
		c->masks[k] = 0;
	c->masks[k] |= bits;
	return 0;
}

/*
 * The index of report_obl_file: "<rev>/<path>" for every evidence row with
 * a file, and "<rev>#<licence id>" for the licences' rows, so that a file
 * whose concluded licence came from elsewhere (a LICENSE file above it)
 * gets the obligations that licence has in its repository.
 */
static int index_files(report *r)
{
	tgpl_buf key = TGPL_BUF_INIT;
	size_t i, j;
	int rc = 0;

	for (i = 0; rc == 0 && i < tgpl_obligations_count(r->obl); i++) {
		const tgpl_obligation *o = tgpl_obligations_at(r->obl, i);

		for (j = 0; rc == 0 && j < o->n_evidence; j++) {
			const tgpl_evidence *e = &o->evidence[j];
			size_t rev = rev_of(r, e);

			if (rev == NO_REV)
				continue;
			if (e->path)
				rc = index_add(r, &key, rev, '/', e->path, 1u << o->id);
			if (rc == 0 && e->source &&
			    (e->kind == TGPL_EVIDENCE_LICENSE || e->kind == TGPL_EVIDENCE_CONCLUDED ||
			     e->kind == TGPL_EVIDENCE_DECLARED))
				rc = index_add(r, &key, rev, '#', e->source, 1u << o->id);
		}
	}
	tgpl_buf_release(&key);
	r->excerpt->indexed = rc == 0;
	return rc;
}

static uint32_t lookup(report *r, tgpl_buf *key, size_t rev, char sep, const char *name, size_t len)
{
	size_t k;

	tgpl_buf_clear(key);
	if (tgpl_buf_printf(key, "%zu%c", rev, sep) < 0 || tgpl_buf_put(key, name, len) < 0)
		return (uint32_t)-1;
	return report_strset_find(&r->excerpt->files, key->ptr, &k) ? r->excerpt->masks[k] : 0;
}

int report_obl_file(report *r, size_t rev_index, const report_file *f, tgpl_buf *out)
{
	tgpl_buf key = TGPL_BUF_INIT;
	const char *p, *t;
	uint32_t mask, m;
	int rc = 0, id;

	tgpl_buf_clear(out);
	if (!r->obl || !r->excerpt)
		return 0;
	if (!r->excerpt->indexed && (rc = index_files(r)) < 0)
		return rc;
	mask = lookup(r, &key, rev_index, '/', f->path, f->path_len);
	/* Each licence id of the concluded expression (operators and parentheses skipped). */
	for (p = f->concluded; p && *p && mask != (uint32_t)-1; p = t) {
		while (*p == ' ' || *p == '(' || *p == ')')
			p++;
		for (t = p; *t && *t != ' ' && *t != '(' && *t != ')'; t++)
			;
		if (t == p || (t - p == 3 && (!strncmp(p, "AND", 3))) || (t - p == 2 && !strncmp(p, "OR", 2)) ||
		    (t - p == 4 && !strncmp(p, "WITH", 4)))
			continue;
		m = lookup(r, &key, rev_index, '#', p, (size_t)(t - p));
		mask = m == (uint32_t)-1 ? m : mask | m;
	}
	tgpl_buf_release(&key);
	if (mask == (uint32_t)-1)
		return oom(r);
	for (id = 0; id < TGPL_OBL__COUNT; id++)
		if ((mask & (1u << id)) && tgpl_buf_printf(out, "%s%s", out->len ? ";" : "",
							   tgpl_obligation_name((tgpl_obligation_id)id)) < 0)
			return oom(r);
	return 0;
}

int report_obl_where(report *r, const tgpl_evidence *e, tgpl_buf *out)
{
	int rc = 0;

	tgpl_buf_clear(out);
	if (tgpl_buf_puts(out, e->repo_path ? e->repo_path : "(base model)") < 0)
		rc = -1;
	if (rc == 0 && e->commit && tgpl_buf_printf(out, "@%.12s", e->commit) < 0)
		rc = -1;
	if (rc == 0 && e->path && (tgpl_buf_putc(out, ' ') < 0 || tgpl_buf_puts(out, e->path) < 0))
		rc = -1;
	if (rc == 0 && e->path && e->start_line &&
	    tgpl_buf_printf(out, e->end_line > e->start_line ? ":%u-%u" : ":%u", e->start_line,
			    e->end_line) < 0)
		rc = -1;
	if (rc == 0 && tgpl_buf_printf(out, "  %s", tgpl_evidence_kind_name(e->kind)) < 0)
		rc = -1;
	if (rc == 0 && e->source && (tgpl_buf_putc(out, ' ') < 0 || tgpl_buf_puts(out, e->source) < 0))
		rc = -1;
	return rc < 0 ? oom(r) : 0;
}

size_t report_obl_n_files(const tgpl_obligation *o)
{
	size_t i, n = 0;

	for (i = 0; i < o->n_evidence; i++) {
		const tgpl_evidence *e = &o->evidence[i], *p = i ? &o->evidence[i - 1] : NULL;

		if (!e->path)
			continue;
		if (p && p->path && p->repo == e->repo && strcmp(p->path, e->path) == 0)
			continue;
		n++;
	}
	return n;
}

/* The model's origin and SWHID carry no credentials (tgpl_url_redact). */
const char *report_obl_origin(const report *r, const tgpl_evidence *e)
{
	(void)r;
	return e->origin;
}

int report_obl_swhid(report *r, const tgpl_evidence *e, tgpl_buf *out)
{
	tgpl_buf_clear(out);
	if (e->swhid && tgpl_buf_puts(out, e->swhid) < 0)
		return oom(r);
	return 0;
}
