/*
 * notice.c — `--format notice`: the NOTICE bundle that the `attribution`
 * obligation asks for (tgpl/obligations.h).
 *
 * For every licence that triggers attribution in a repository that is not
 * excluded (the evidence of TGPL_OBL_ATTRIBUTION: licence findings, the
 * files' concluded licences, the declared licence), in licence id order:
 * the components that use it (repository and commit), the copyright lines
 * found in the files that showed it (read back from the repositories,
 * src/report/copyright.c), and the licence's full text from the licence
 * index, once.  When the index has no text, the licence's name and its SPDX
 * page (https://spdx.org/licenses/ID.html) stand in for it, and the bundle
 * says so.
 *
 * Plain text: names and paths from the data go through the terminal escaper
 * (control characters as \xNN); copyright lines never hold control
 * characters (copyright.c leaves such lines out).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define MAX_COPYRIGHTS 2000     /* per licence */
#define RULE "========================================================================\n"

typedef struct {
	report_strset repos;       /* revs indices, as decimal strings */
	report_strset copyrights;
	size_t n_files;            /* evidence rows with a file */
	size_t n_unreadable;
} notice_license;

typedef struct {
	report_strset ids;
	notice_license *v;
	size_t cap;
} notice_set;

static void set_release(notice_set *s)
{
	size_t i;

	for (i = 0; i < s->ids.n; i++) {
		report_strset_release(&s->v[i].repos);
		report_strset_release(&s->v[i].copyrights);
	}
	free(s->v);
	report_strset_release(&s->ids);
}

static int oom(report *r)
{
	return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
}

/* One piece of attribution evidence: its licence, its component, its file's copyright lines. */
static int collect(report *r, notice_set *s, const tgpl_evidence *e)
{
	const tgpl_repository *p;
	notice_license *l;
	const char *data, *why;
	char num[32];
	size_t k, len;
	int rc;

	if (!e->source || e->repo < 0 || (size_t)e->repo >= tgpl_obligations_repo_count(r->obl) ||
	    r->obl_rev[e->repo] == NO_REV)
		return 0;
	p = tgpl_obligations_repo_at(r->obl, (size_t)e->repo);
	if (p->verdict == TGPL_VERDICT_EXCLUDE)
		return 0;
	/* Room for a new licence first, so that the set never counts one it cannot hold. */
	if (tgpl_grow((void **)&s->v, &s->cap, s->ids.n + 1, sizeof(*s->v)) < 0 ||
	    (rc = report_strset_add(&s->ids, e->source, &k)) < 0)
		return oom(r);
	if (rc == 1)
		memset(&s->v[k], 0, sizeof(s->v[k]));
	l = &s->v[k];
	snprintf(num, sizeof(num), "%zu", r->obl_rev[e->repo]);
	if (report_strset_add(&l->repos, num, NULL) < 0)
		return oom(r);
	if (!e->path)
		return 0;
	l->n_files++;
	if ((rc = report_obl_content(r, e, &data, &len, &why)) < 0)
		return rc;
	if (!data) {
		l->n_unreadable++;
		return 0;
	}
	if (l->copyrights.n < MAX_COPYRIGHTS &&
	    report_copyright_lines(data, len, &l->copyrights, MAX_COPYRIGHTS - l->copyrights.n) < 0)
		return oom(r);
	return 0;
}

/* Licence ids in order: pointers into the set's array, compared by what they point at. */
static int by_id(const void *a, const void *b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

static int put_license(report *r, const notice_set *s, size_t k, int *missing_text)
{
	const char *id = s->ids.v[k];
	const notice_license *l = &s->v[k];
	const tgpl_license_info *li = r->engine ? tgpl_engine_license(r->engine, id) : NULL;
	size_t i;
	int rc;

	if ((rc = rp_puts(r, "\n" RULE)) < 0 || (rc = rp_term_z(r, li && li->name ? li->name : id)) < 0 ||
	    (rc = rp_puts(r, " (")) < 0 || (rc = rp_term_z(r, id)) < 0 || (rc = rp_puts(r, ")\n" RULE)) < 0 ||
	    (rc = rp_puts(r, "\nUsed by:\n")) < 0)
		return rc;
	for (i = 0; i < l->repos.n; i++) {
		const report_rev *v = &r->revs[strtoul(l->repos.v[i], NULL, 10)];

		if ((rc = rp_puts(r, "  ")) < 0 || (rc = rp_term(r, v->repo_path, v->repo_path_len)) < 0 ||
		    (v->commit && (rc = rp_printf(r, " at commit %s", v->commit)) < 0) ||
		    (v->origin && ((rc = rp_puts(r, " (")) < 0 || (rc = rp_term_z(r, v->origin)) < 0 ||
				   (rc = rp_puts(r, ")")) < 0)) ||
		    (rc = rp_puts(r, "\n")) < 0)
			return rc;
	}
	if ((rc = rp_puts(r, "\nCopyright notices:\n")) < 0)
		return rc;
	for (i = 0; i < l->copyrights.n; i++)
		if ((rc = rp_puts(r, "  ")) < 0 || (rc = rp_term_z(r, l->copyrights.v[i])) < 0 ||
		    (rc = rp_puts(r, "\n")) < 0)
			return rc;
	if (l->copyrights.n == 0 &&
	    (rc = rp_printf(r, "  (none found in the %zu file%s that show this licence)\n", l->n_files,
			    l->n_files == 1 ? "" : "s")) < 0)
		return rc;
	if (l->n_unreadable &&
	    (rc = rp_printf(r, "  (%zu file%s could not be read back from the repositories)\n", l->n_unreadable,
			    l->n_unreadable == 1 ? "" : "s")) < 0)
		return rc;
	if (li && li->text) {
		size_t n = strlen(li->text);

		if ((rc = rp_puts(r, "\nLicence text:\n\n")) < 0 || (rc = rp_put(r, li->text, n)) < 0 ||
		    (n && li->text[n - 1] != '\n' && (rc = rp_puts(r, "\n")) < 0))
			return rc;
		return 0;
	}
	*missing_text = 1;
	if ((rc = rp_puts(r, "\nLicence text: not in tgpl's licence index; see ")) < 0)
		return rc;
	if (strncmp(id, "LicenseRef-", 11) == 0 || strncmp(id, "AdditionRef-", 12) == 0)
		return rp_puts(r, "the licence files of the components above.\n");
	if ((rc = rp_puts(r, "https://spdx.org/licenses/")) < 0 || (rc = rp_pct(r, id, strlen(id))) < 0)
		return rc;
	return rp_puts(r, ".html\n");
}

int report_notice(report *r)
{
	const tgpl_obligation *o = tgpl_obligations_get(r->obl, TGPL_OBL_ATTRIBUTION);
	notice_set s;
	char ***order = NULL;
	size_t i;
	char when[32];
	int rc = 0, missing_text = 0;

	memset(&s, 0, sizeof(s));
	for (i = 0; o && i < o->n_evidence && rc == 0; i++)
		rc = collect(r, &s, &o->evidence[i]);
	if (rc < 0)
		goto done;
	report_time(when, r->created);
	if ((rc = rp_printf(r, "NOTICE\n\nThird-party notices for a model trained on the corpus below: every licence "
			       "that asks for attribution,\nthe components under it, their copyright notices and the "
			       "licence text.\nWritten %s by tgpl %s (policy ", when, TGPL_VERSION)) < 0 ||
	    (rc = rp_term_z(r, tgpl_obligations_policy_name(r->obl))) < 0 ||
	    (rc = rp_puts(r, "; excluded repositories are left out).\n")) < 0)
		goto done;
	if (o && o->n_omitted &&
	    (rc = rp_printf(r, "Only the first evidence rows per repository were read (%zu left out); "
			       "copyright notices may be missing.\n", o->n_omitted)) < 0)
		goto done;
	if (s.ids.n == 0) {
		rc = rp_puts(r, "\nNo licence in the corpus asks for attribution.\n");
		goto done;
	}
	if (!(order = tgpl_malloc(s.ids.n * sizeof(*order)))) {
		rc = oom(r);
		goto done;
	}
	for (i = 0; i < s.ids.n; i++)
		order[i] = &s.ids.v[i];
	qsort(order, s.ids.n, sizeof(*order), by_id);
	for (i = 0; i < s.ids.n && rc == 0; i++)
		rc = put_license(r, &s, (size_t)(order[i] - s.ids.v), &missing_text);
	if (rc == 0 && missing_text)
		rc = rp_puts(r, "\nSome licence texts are not in tgpl's licence index: their SPDX pages are named "
				"instead; add the texts before you ship this file.\n");
done:
	free(order);
	set_release(&s);
	return rc;
}
