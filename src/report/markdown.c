/*
 * markdown.c — `--format md`: a review document in CommonMark with GitHub
 * tables.  Every string from the data is escaped (markup characters
 * backslash-escaped, control characters shown as \xNN), so a path cannot
 * open a link, inline HTML, emphasis or a new table cell.
 */
#include <string.h>

#include "report/report_int.h"

typedef struct {
	report *r;
	int64_t total;
} md_counts;

static int count_row(const char *label, int64_t count, void *payload)
{
	md_counts *s = payload;
	report *r = s->r;
	int rc;

	if ((rc = rp_puts(r, "| ")) < 0 || (rc = label ? rp_md_z(r, label) : rp_puts(r, "*none*")) < 0)
		return rc;
	return rp_printf(r, " | %lld | %.1f%% |\n", (long long)count,
			 s->total ? 100.0 * (double)count / (double)s->total : 0.0);
}

static int counts(report *r, const report_rev *v, int64_t total)
{
	md_counts s = { r, total };
	int rc;

	if ((rc = rp_puts(r, "| Licence | Files | Share |\n|---|--:|--:|\n")) < 0)
		return rc;
	return report_license_counts(r, v, count_row, &s);
}

static int findings(report *r, const report_file *f)
{
	const tgpl_detection *d = f->det;
	size_t i;
	int rc = 0;

	if (f->skipped)
		return (rc = rp_puts(r, "not analysed: ")) < 0 ? rc : rp_md_z(r, f->skipped);
	for (i = 0; d && i < d->n_licenses && rc == 0; i++) {
		const tgpl_license_hit *h = &d->licenses[i];
		if ((rc = rp_puts(r, i ? "; " : "")) == 0 && (rc = rp_md_z(r, h->spdx ? h->spdx : "(unnamed)")) == 0)
			rc = rp_printf(r, " (%s, lines %u-%u)", tgpl_kind_name(h->kind), h->start_line, h->end_line);
	}
	for (i = 0; d && i < d->n_clauses && rc == 0; i++)
		if ((rc = rp_puts(r, i || d->n_licenses ? "; clause " : "clause ")) == 0 &&
		    (rc = rp_md_z(r, d->clauses[i].id)) == 0)
			rc = rp_printf(r, " (lines %u-%u)", d->clauses[i].start_line, d->clauses[i].end_line);
	for (i = 0; d && i < d->n_optouts && rc == 0; i++)
		if ((rc = rp_puts(r, i || d->n_licenses || d->n_clauses ? "; **opt-out** " : "**opt-out** ")) == 0 &&
		    (rc = rp_md_z(r, d->optouts[i].kind)) == 0)
			rc = rp_printf(r, " (lines %u-%u)", d->optouts[i].start_line, d->optouts[i].end_line);
	return rc;
}

/* ---- clauses and opt-outs, with their lines -------------------------------- */

#define MAX_EVIDENCE_FILES 2000

static int ev_file(report *r, const report_rev *v, const report_file *f, const char *unreadable, void *p)
{
	const char *name;
	size_t name_len;
	int rc;

	(void)p;
	report_repo_name(v, &name, &name_len);
	if ((rc = rp_puts(r, "\n### ")) < 0 || (rc = rp_md(r, name, name_len)) < 0 || (rc = rp_puts(r, ": ")) < 0 ||
	    (rc = rp_md(r, f->path, f->path_len)) < 0 || (rc = rp_puts(r, "\n\n")) < 0)
		return rc;
	if (f->concluded && ((rc = rp_puts(r, "Concluded licence: ")) < 0 || (rc = rp_md_z(r, f->concluded)) < 0 ||
			     (rc = rp_puts(r, "\n\n")) < 0))
		return rc;
	if (unreadable && ((rc = rp_puts(r, "*The lines cannot be shown:* ")) < 0 || (rc = rp_md_z(r, unreadable)) < 0 ||
			   (rc = rp_puts(r, "\n\n")) < 0))
		return rc;
	return 0;
}

static int ev_hit(report *r, const char *what, const char *id, const char *detail, uint32_t start, uint32_t end,
		  void *p)
{
	int rc;

	(void)p;
	if ((rc = rp_printf(r, "**%s ", what)) < 0 || (rc = rp_md_z(r, id)) < 0 || (rc = rp_puts(r, "**")) < 0)
		return rc;
	if (detail && ((rc = rp_puts(r, ", ")) < 0 || (rc = rp_md_z(r, detail)) < 0))
		return rc;
	return rp_printf(r, ", lines %u-%u\n\n", start, end);
}

static int ev_line(report *r, uint32_t line, const char *text, size_t len, void *p)
{
	int rc;

	(void)p;
	/* A quoted line behind its number: the text never starts a Markdown line. */
	if ((rc = rp_printf(r, "> %u: ", line)) < 0 || (rc = rp_md_line(r, text, len)) < 0)
		return rc;
	return rp_puts(r, "  \n");
}

static int ev_more(report *r, uint32_t left, void *p)
{
	(void)p;
	return rp_printf(r, "> … %u more line%s\n", left, left == 1 ? "" : "s");
}

static int ev_hit_end(report *r, void *p)
{
	(void)p;
	return rp_puts(r, "\n");
}

static int ev_file_end(report *r, void *p)
{
	(void)p;
	(void)r;
	return 0;
}

static int evidence(report *r)
{
	static const report_evidence_sink sink = { ev_file, ev_hit, ev_line, ev_more, ev_hit_end, ev_file_end };
	size_t n = 0;
	int rc;

	if ((rc = rp_puts(r, "\n## TGPL clauses and training opt-outs\n\nEvery file in which a TGPL clause or a "
			     "training opt-out was found, with the lines that say so.\n")) < 0 ||
	    (rc = report_evidence(r, &sink, NULL, MAX_EVIDENCE_FILES, &n)) < 0)
		return rc;
	if (n == 0 && (rc = rp_puts(r, "\nNone found.\n")) < 0)
		return rc;
	if (n > MAX_EVIDENCE_FILES)
		rc = rp_printf(r, "\nOnly the first %d of %zu files are shown; `tgpl report --format json` has them all.\n",
			       MAX_EVIDENCE_FILES, n);
	return rc;
}

/* ---- the obligation model ------------------------------------------------- */

#define MD_EVIDENCE 50   /* rows per obligation; json has them all */

static int md_opt(report *r, const char *s)
{
	return s ? rp_md_z(r, s) : 0;
}

static int verdicts(report *r)
{
	const tgpl_obligations *o = r->obl;
	size_t i;
	int rc;

	if ((rc = rp_puts(r, "\n## Verdicts\n\nPolicy: ")) < 0 || (rc = rp_md_z(r, tgpl_obligations_policy_name(o))) < 0 ||
	    (rc = rp_printf(r, ". Corpus verdict: **%s**%s.\n\n| Repository | Commit | Verdict | Reason |\n"
			       "|---|---|---|---|\n", tgpl_verdict_name(tgpl_obligations_verdict(o)),
			    tgpl_obligations_denied(o) ? " (the policy denies something)" : "")) < 0)
		return rc;
	for (i = 0; i < tgpl_obligations_repo_count(o); i++) {
		const tgpl_repository *p = tgpl_obligations_repo_at(o, i);

		if ((rc = rp_puts(r, "| ")) < 0 || (rc = rp_md_z(r, p->path)) < 0 ||
		    (rc = rp_puts(r, p->commit ? " | `" : " | ")) < 0 ||
		    (p->commit && ((rc = rp_md_z(r, p->commit)) < 0 || (rc = rp_puts(r, "`")) < 0)) ||
		    (rc = rp_printf(r, " | **%s** | ", tgpl_verdict_name(p->verdict))) < 0 ||
		    (rc = rp_md_z(r, p->reason)) < 0 || (rc = rp_puts(r, " |\n")) < 0)
			return rc;
	}
	return 0;
}

static int evidence_row(report *r, const tgpl_evidence *e, tgpl_buf *swhid)
{
	int rc;

	if ((rc = rp_puts(r, "| ")) < 0 || (rc = e->repo_path ? rp_md_z(r, e->repo_path) : rp_puts(r, "*base model*")) < 0 ||
	    (rc = rp_puts(r, " | ")) < 0 || (e->commit && (rc = rp_printf(r, "`%.12s`", e->commit)) < 0) ||
	    (rc = rp_puts(r, " | ")) < 0 || (rc = md_opt(r, e->path)) < 0 || (rc = rp_puts(r, " | ")) < 0)
		return rc;
	if (e->start_line && (rc = rp_printf(r, e->end_line > e->start_line ? "%u-%u" : "%u", e->start_line,
					     e->end_line)) < 0)
		return rc;
	if ((rc = rp_printf(r, " | %s ", tgpl_evidence_kind_name(e->kind))) < 0 || (rc = md_opt(r, e->source)) < 0 ||
	    (rc = rp_printf(r, " | %s | ", tgpl_action_name(e->action))) < 0 || (rc = md_opt(r, e->rule)) < 0 ||
	    (rc = rp_puts(r, " | ")) < 0 || (rc = report_obl_swhid(r, e, swhid)) < 0 ||
	    (swhid->len && (rc = rp_md(r, swhid->ptr, swhid->len)) < 0))
		return rc;
	return rp_puts(r, " |\n");
}

static int obligations(report *r)
{
	const tgpl_obligations *o = r->obl;
	size_t i, j, n = tgpl_obligations_count(o);
	int rc;

	if ((rc = rp_puts(r, "\n## Obligations\n\nWhat training a model on the corpus triggers, and what the policy "
			     "says of each piece of evidence.\n")) < 0)
		return rc;
	if (n == 0 && (rc = rp_puts(r, "\nNone.\n")) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const tgpl_obligation *b = tgpl_obligations_at(o, i);
		size_t files = report_obl_n_files(b);

		if ((rc = rp_printf(r, "\n### %s (%s)\n\n%s\n\n%zu repositor%s, %zu file%s", b->name,
				    tgpl_action_name(b->action), b->meaning, b->n_repos, b->n_repos == 1 ? "y" : "ies",
				    files, files == 1 ? "" : "s")) < 0)
			return rc;
		for (j = 0; j < b->n_sources; j++)
			if ((rc = rp_puts(r, j ? ", " : "; from ")) < 0 || (rc = rp_md_z(r, b->sources[j])) < 0)
				return rc;
		if ((rc = rp_puts(r, ".\n\n| Repository | Commit | Path | Lines | Evidence | Action | Rule | SWHID |\n"
				     "|---|---|---|--:|---|---|---|---|\n")) < 0)
			return rc;
		for (j = 0; j < b->n_evidence && j < MD_EVIDENCE; j++) {
			tgpl_buf swhid = TGPL_BUF_INIT;

			rc = evidence_row(r, &b->evidence[j], &swhid);
			tgpl_buf_release(&swhid);
			if (rc < 0)
				return rc;
		}
		if (b->n_evidence + b->n_omitted > MD_EVIDENCE &&
		    (rc = rp_printf(r, "\n%zu more pieces of evidence; `tgpl report --format json` has them.\n",
				    b->n_evidence + b->n_omitted - MD_EVIDENCE)) < 0)
			return rc;
	}
	return 0;
}

static int conflicts(report *r)
{
	const tgpl_obligations *o = r->obl;
	size_t i, n = tgpl_obligations_conflict_count(o);
	int rc;

	if ((rc = rp_puts(r, "\n## Conflicts\n\n")) < 0)
		return rc;
	if (n == 0)
		return rp_puts(r, "None: one model can meet every obligation together.\n");
	for (i = 0; i < n; i++) {
		const tgpl_conflict *c = tgpl_obligations_conflict_at(o, i);

		if ((rc = rp_puts(r, "- **")) < 0 || (rc = rp_md_z(r, c->id)) < 0 ||
		    (rc = rp_printf(r, "** (%s%s%s): ", tgpl_action_name(c->action),
				    c->resolved ? ", resolved: one side is excluded" : "",
				    c->inherited ? ", inherited" : "")) < 0 ||
		    (rc = rp_md_z(r, c->sentence)) < 0 || (rc = rp_puts(r, "\n")) < 0)
			return rc;
	}
	return 0;
}

static int repository(report *r, const report_rev *v)
{
	report_cursor c;
	int rc;

	if ((rc = rp_puts(r, "\n### ")) < 0 || (rc = rp_md(r, v->repo_path, v->repo_path_len)) < 0 ||
	    (rc = rp_printf(r, "\n\n- Kind: %s\n", v->kind)) < 0)
		return rc;
	if (v->origin && ((rc = rp_puts(r, "- Origin: ")) < 0 || (rc = rp_md_z(r, v->origin)) < 0 ||
			  (rc = rp_puts(r, "\n")) < 0))
		return rc;
	if (v->commit && (rc = rp_printf(r, "- Commit: `%s`\n", v->commit)) < 0)
		return rc;
	if ((rc = rp_puts(r, "- Declared licence: ")) < 0 ||
	    (rc = v->declared ? rp_md_z(r, v->declared) : rp_puts(r, "**none**")) < 0 ||
	    (rc = rp_printf(r, "\n- Files: %lld\n\n", (long long)v->n_files)) < 0 || (rc = counts(r, v, v->n_files)) < 0 ||
	    (rc = rp_puts(r, "\n| Path | Concluded licence | Decided by | Evidence | SWHID |\n|---|---|---|---|---|\n")) < 0)
		return rc;
	if ((rc = report_files_open(&c, r, v, NULL, REPORT_FINDINGS)) < 0)
		return rc;
	while ((rc = report_files_next(&c)) > 0) {
		const report_file *f = &c.cur;

		if ((rc = rp_puts(r, "| ")) < 0 || (rc = rp_md(r, f->path, f->path_len)) < 0 ||
		    (strcmp(f->type, "file") != 0 && (rc = rp_printf(r, " \\(%s\\)", f->type)) < 0) ||
		    (rc = rp_puts(r, " | ")) < 0 ||
		    (rc = f->concluded ? rp_md_z(r, f->concluded) : rp_puts(r, "*none*")) < 0 ||
		    (rc = rp_puts(r, " | ")) < 0 || (rc = rp_md_z(r, f->decided_by)) < 0 ||
		    (rc = rp_puts(r, " | ")) < 0 || (rc = findings(r, f)) < 0 ||
		    (rc = rp_printf(r, " | `swh:1:%s:%s` |\n", strcmp(f->type, "gitlink") == 0 ? "rev" : "cnt", f->oid)) < 0)
			break;
	}
	report_files_close(&c);
	return rc < 0 ? rc : 0;
}

int report_md(report *r)
{
	report_tally t;
	char when[32];
	size_t i;
	int rc;

	report_time(when, r->created);
	if ((rc = report_tally_get(r, NULL, &t)) < 0)
		return rc;
	if ((rc = rp_printf(r, "# tgpl report\n\nCreated %s by tgpl %s from the scanned database: for each "
			       "repository, its most recently scanned revision.\n\n## Summary\n\n"
			       "| | |\n|---|--:|\n| Repositories | %zu |\n| Files | %lld |\n"
			       "| Files with TGPL clauses | %lld |\n| Files with training opt-outs | %lld |\n"
			       "| Files without a concluded licence | %lld |\n| Files not analysed | %lld |\n",
			    when, TGPL_VERSION, r->n_revs, (long long)r->n_files, (long long)t.with_clauses,
			    (long long)t.with_optouts, (long long)t.no_license, (long long)t.skipped)) < 0)
		return rc;
	if ((rc = verdicts(r)) < 0 || (rc = obligations(r)) < 0 || (rc = conflicts(r)) < 0 ||
	    (rc = evidence(r)) < 0)
		return rc;
	if ((rc = rp_puts(r, "\n## Licence distribution\n\n")) < 0 || (rc = counts(r, NULL, r->n_files)) < 0 ||
	    (rc = rp_puts(r, "\n## Repositories\n")) < 0)
		return rc;
	for (i = 0; i < r->n_revs; i++)
		if ((rc = repository(r, &r->revs[i])) < 0)
			return rc;
	return 0;
}
