/*
 * swhid.c — `--format swhid`: the provenance manifest the TGPL
 * data-provenance clause asks for.  One line per content (files and
 * symlinks; submodules are not content of the corpus):
 *
 *   SWHID;origin=URL;anchor=swh:1:rev:COMMIT;path=/PATH <TAB> COMMIT <TAB> LICENCE
 *
 * Qualifier values are percent-encoded (';', '%', spaces, controls and
 * non-ASCII bytes never appear raw), so a line is one line whatever the
 * path holds.  A repository without a remote has a file:// origin; a
 * directory has no anchor and "-" as its commit.  LICENCE is the concluded
 * expression, or NOASSERTION.  Lines starting with '#' are comments.
 */
#include <string.h>

#include "report/report_int.h"

static int put_origin(report *r, const report_rev *v)
{
	int rc;

	if (v->origin)
		return rp_pct(r, v->origin, strlen(v->origin));
	if ((rc = rp_puts(r, "file://")) < 0)
		return rc;
	return rp_pct(r, v->repo_path, v->repo_path_len);
}

int report_swhid(report *r)
{
	char when[32];
	size_t i;
	int rc;

	report_time(when, r->created);
	if ((rc = rp_printf(r, "# tgpl %s provenance manifest, %s: %zu repositories\n"
			       "# swhid;origin;anchor;path<TAB>commit<TAB>licence\n",
			    TGPL_VERSION, when, r->n_revs)) < 0)
		return rc;
	for (i = 0; i < r->n_revs; i++) {
		const report_rev *v = &r->revs[i];
		report_cursor c;

		if ((rc = report_files_open(&c, r, v, NULL, 0)) < 0)
			return rc;
		while ((rc = report_files_next(&c)) > 0) {
			const report_file *f = &c.cur;

			if (strcmp(f->type, "gitlink") == 0)
				continue;
			if ((rc = rp_printf(r, "swh:1:cnt:%s;origin=", f->oid)) < 0 || (rc = put_origin(r, v)) < 0 ||
			    (v->commit && (rc = rp_printf(r, ";anchor=swh:1:rev:%s", v->commit)) < 0) ||
			    (rc = rp_puts(r, ";path=/")) < 0 || (rc = rp_pct(r, f->path, f->path_len)) < 0 ||
			    (rc = rp_printf(r, "\t%s\t", v->commit ? v->commit : "-")) < 0 ||
			    (rc = rp_term_z(r, f->concluded ? f->concluded : "NOASSERTION")) < 0 || (rc = rp_puts(r, "\n")) < 0)
				break;
		}
		report_files_close(&c);
		if (rc < 0)
			return rc;
	}
	return 0;
}
