/*
 * csv.c — `--format csv`: one row per entry of every reported revision
 * (RFC 4180: CRLF line ends, a header row, cells quoted when they hold a
 * comma, quote or line break).  A text cell starting with = + - @ TAB or CR
 * gets a leading apostrophe so that a spreadsheet shows it instead of
 * running it as a formula.  Invalid UTF-8 becomes U+FFFD (the sha1_git
 * column still names the exact file).
 *
 * Columns: repository, origin, commit, path, type, mode, size, sha1_git,
 * swhid, concluded, decided_by, expression, skipped, licenses, clauses,
 * optouts, obligations.  licenses, clauses and optouts list findings
 * separated by "; ", each as "ID (KIND lines A-B)"; obligations lists, in
 * report order and separated by ";", the obligations (tgpl/obligations.h)
 * the file triggers: those its own findings are evidence of, and those the
 * licences of its concluded expression trigger in its repository.
 */
#include <string.h>

#include "report/report_int.h"

static const char header[] =
	"repository,origin,commit,path,type,mode,size,sha1_git,swhid,concluded,decided_by,"
	"expression,skipped,licenses,clauses,optouts,obligations\r\n";

/* A findings cell, built whole so that it is escaped as one cell. */
static int findings_cell(report *r, tgpl_buf *cell, const tgpl_detection *d, int which)
{
	size_t i;
	int rc = 0;

	tgpl_buf_clear(cell);
	for (i = 0; d && which == 0 && i < d->n_licenses && rc == 0; i++) {
		const tgpl_license_hit *h = &d->licenses[i];
		rc = tgpl_buf_printf(cell, "%s%s (%s lines %u-%u)", i ? "; " : "",
				     h->spdx ? h->spdx : "(unnamed)", tgpl_kind_name(h->kind),
				     h->start_line, h->end_line);
	}
	for (i = 0; d && which == 1 && i < d->n_clauses && rc == 0; i++)
		rc = tgpl_buf_printf(cell, "%s%s (%s lines %u-%u)", i ? "; " : "", d->clauses[i].id,
				     d->clauses[i].kind ? d->clauses[i].kind : "text",
				     d->clauses[i].start_line, d->clauses[i].end_line);
	for (i = 0; d && which == 2 && i < d->n_optouts && rc == 0; i++)
		rc = tgpl_buf_printf(cell, "%s%s%s%s (lines %u-%u)", i ? "; " : "", d->optouts[i].kind,
				     d->optouts[i].detail ? ": " : "",
				     d->optouts[i].detail ? d->optouts[i].detail : "",
				     d->optouts[i].start_line, d->optouts[i].end_line);
	if (rc < 0)
		return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
	return rp_csv(r, cell->ptr ? cell->ptr : "", cell->len);
}

static int row(report *r, const report_rev *v, const report_file *f, tgpl_buf *cell)
{
	size_t rev_index = (size_t)(v - r->revs);
	int rc;

	if ((rc = rp_csv(r, v->repo_path, v->repo_path_len)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = rp_csv_z(r, v->origin)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = rp_csv_z(r, v->commit)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = rp_csv(r, f->path, f->path_len)) < 0 ||
	    (rc = rp_printf(r, ",%s,%u,", f->type, f->mode)) < 0)
		return rc;
	if (f->size >= 0 && (rc = rp_printf(r, "%lld", (long long)f->size)) < 0)
		return rc;
	if ((rc = rp_printf(r, ",%s,swh:1:%s:%s,", f->oid, strcmp(f->type, "gitlink") == 0 ? "rev" : "cnt",
			    f->oid)) < 0 ||
	    (rc = rp_csv_z(r, f->concluded)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = rp_csv_z(r, f->decided_by)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = rp_csv_z(r, f->expression)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = rp_csv_z(r, f->skipped)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = findings_cell(r, cell, f->det, 0)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = findings_cell(r, cell, f->det, 1)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = findings_cell(r, cell, f->det, 2)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = report_obl_file(r, rev_index, f, cell)) < 0 ||
	    (rc = rp_csv(r, cell->ptr ? cell->ptr : "", cell->len)) < 0)
		return rc;
	return rp_puts(r, "\r\n");
}

int report_csv(report *r)
{
	tgpl_buf cell = TGPL_BUF_INIT;
	size_t i;
	int rc;

	if ((rc = rp_puts(r, header)) < 0)
		return rc;
	for (i = 0; i < r->n_revs && rc >= 0; i++) {
		report_cursor c;

		if ((rc = report_files_open(&c, r, &r->revs[i], NULL, REPORT_FINDINGS)) < 0)
			break;
		while ((rc = report_files_next(&c)) > 0 && (rc = row(r, &r->revs[i], &c.cur, &cell)) >= 0)
			;
		report_files_close(&c);
	}
	tgpl_buf_release(&cell);
	return rc < 0 ? rc : 0;
}
