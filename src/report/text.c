/*
 * text.c — `--format text`: a summary for a terminal.  Every name from the
 * data is escaped (control characters and invalid UTF-8 as \xNN), so a
 * hostile path cannot move the cursor or forge a line.  Colours (ANSI SGR)
 * only with TGPL_REPORT_COLOR, which the tool sets for a terminal without
 * NO_COLOR.
 */
#include <string.h>

#include "report/report_int.h"

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RESET "\033[0m"

static const char *sgr(const report *r, const char *code)
{
	return (r->opts->flags & TGPL_REPORT_COLOR) ? code : "";
}

typedef struct {
	report *r;
	int64_t total;
	int shown;
} bars_state;

#define TOP_LICENSES 12
#define BAR_WIDTH 30

static int put_bar(const char *label, int64_t count, void *payload)
{
	bars_state *s = payload;
	report *r = s->r;
	int width = s->total > 0 ? (int)((count * BAR_WIDTH + s->total - 1) / s->total) : 0, rc, i;
	size_t len = label ? strlen(label) : 6;

	if (s->shown++ >= TOP_LICENSES)
		return 0;
	if ((rc = rp_puts(r, "  ")) < 0 || (rc = rp_puts(r, label ? "" : sgr(r, DIM))) < 0 ||
	    (rc = rp_term_z(r, label ? label : "(none)")) < 0 || (rc = rp_puts(r, sgr(r, RESET))) < 0)
		return rc;
	for (; len < 40; len++)
		if ((rc = rp_puts(r, " ")) < 0)
			return rc;
	if ((rc = rp_printf(r, " %7lld %5.1f%%  %s", (long long)count,
			    s->total ? 100.0 * (double)count / (double)s->total : 0.0, sgr(r, GREEN))) < 0)
		return rc;
	for (i = 0; i < width; i++)
		if ((rc = rp_puts(r, "\xe2\x96\x88")) < 0)
			return rc;
	return rp_printf(r, "%s\n", sgr(r, RESET));
}

static int put_counts(report *r, const report_rev *v, int64_t total)
{
	bars_state s = { r, total, 0 };
	int rc = report_license_counts(r, v, put_bar, &s);

	if (rc == 0 && s.shown > TOP_LICENSES)
		rc = rp_printf(r, "  %s... and %d more%s\n", sgr(r, DIM), s.shown - TOP_LICENSES, sgr(r, RESET));
	return rc;
}

static int put_repository(report *r, const report_rev *v)
{
	report_tally t;
	int rc;

	if ((rc = report_tally_get(r, v, &t)) < 0)
		return rc;
	if ((rc = rp_printf(r, "\n%s", sgr(r, BOLD))) < 0 || (rc = rp_term(r, v->repo_path, v->repo_path_len)) < 0 ||
	    (rc = rp_printf(r, "%s  %s", sgr(r, RESET), v->kind)) < 0)
		return rc;
	if (v->commit && (rc = rp_printf(r, " %.12s", v->commit)) < 0)
		return rc;
	if (v->origin && ((rc = rp_puts(r, "  ")) < 0 || (rc = rp_term_z(r, v->origin)) < 0))
		return rc;
	if ((rc = rp_puts(r, "\n  declared: ")) < 0 ||
	    (rc = v->declared ? rp_term_z(r, v->declared) : rp_printf(r, "%snone%s", sgr(r, YELLOW), sgr(r, RESET))) < 0 ||
	    (rc = rp_printf(r, "\n  %lld files, %lld with TGPL clauses, %lld with training opt-outs, "
			       "%lld without a licence, %lld skipped\n",
			    (long long)v->n_files, (long long)t.with_clauses, (long long)t.with_optouts,
			    (long long)t.no_license, (long long)t.skipped)) < 0)
		return rc;
	return put_counts(r, v, v->n_files);
}

#define TEXT_EVIDENCE 5

static const char *verdict_color(const report *r, tgpl_verdict v)
{
	switch (v) {
	case TGPL_VERDICT_INCLUDE: return sgr(r, GREEN);
	case TGPL_VERDICT_EXCLUDE: return sgr(r, RED);
	default: return sgr(r, YELLOW);
	}
}

static int put_verdicts(report *r, tgpl_buf *tmp)
{
	const tgpl_obligations *o = r->obl;
	tgpl_verdict cv = tgpl_obligations_verdict(o);
	size_t i, j, n;
	int rc;

	if ((rc = rp_printf(r, "\n%sVerdicts%s (policy ", sgr(r, BOLD), sgr(r, RESET))) < 0 ||
	    (rc = rp_term_z(r, tgpl_obligations_policy_name(o))) < 0 ||
	    (rc = rp_printf(r, ")\n  corpus: %s%s%s%s\n", verdict_color(r, cv), tgpl_verdict_name(cv),
			    sgr(r, RESET), tgpl_obligations_denied(o) ? " (the policy denies something)" : "")) < 0)
		return rc;
	n = tgpl_obligations_repo_count(o);
	for (i = 0; i < n; i++) {
		const tgpl_repository *p = tgpl_obligations_repo_at(o, i);

		if ((rc = rp_printf(r, "  %s%-24s%s ", verdict_color(r, p->verdict), tgpl_verdict_name(p->verdict),
				    sgr(r, RESET))) < 0 ||
		    (rc = rp_term_z(r, p->path)) < 0 ||
		    (p->commit && (rc = rp_printf(r, "@%.12s", p->commit)) < 0) || (rc = rp_puts(r, "\n    ")) < 0 ||
		    (rc = rp_term_z(r, p->reason)) < 0 || (rc = rp_puts(r, "\n")) < 0)
			return rc;
	}
	n = tgpl_obligations_count(o);
	if ((rc = rp_printf(r, "\n%sObligations%s (%zu)\n", sgr(r, BOLD), sgr(r, RESET), n)) < 0)
		return rc;
	if (n == 0 && (rc = rp_puts(r, "  none\n")) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const tgpl_obligation *b = tgpl_obligations_at(o, i);
		size_t files = report_obl_n_files(b);

		if ((rc = rp_printf(r, "  %-22s %s%-6s%s %zu repositor%s, %zu file%s\n    %s\n", b->name,
				    b->action == TGPL_ACTION_DENY ? sgr(r, RED) : b->action == TGPL_ACTION_REVIEW ?
				    sgr(r, YELLOW) : "", tgpl_action_name(b->action), sgr(r, RESET), b->n_repos,
				    b->n_repos == 1 ? "y" : "ies", files, files == 1 ? "" : "s", b->meaning)) < 0)
			return rc;
		for (j = 0; j < b->n_evidence && j < TEXT_EVIDENCE; j++) {
			const tgpl_evidence *e = &b->evidence[j];

			if ((rc = report_obl_where(r, e, tmp)) < 0 || (rc = rp_puts(r, "    ")) < 0 ||
			    (rc = rp_term(r, tmp->ptr, tmp->len)) < 0 ||
			    (rc = rp_printf(r, "  %s (", tgpl_action_name(e->action))) < 0 ||
			    (rc = rp_term_z(r, e->rule ? e->rule : "")) < 0 || (rc = rp_puts(r, ")\n")) < 0)
				return rc;
		}
		if (b->n_evidence + b->n_omitted > TEXT_EVIDENCE &&
		    (rc = rp_printf(r, "    %s... and %zu more (--format json has them)%s\n", sgr(r, DIM),
				    b->n_evidence + b->n_omitted - TEXT_EVIDENCE, sgr(r, RESET))) < 0)
			return rc;
	}
	n = tgpl_obligations_conflict_count(o);
	if ((rc = rp_printf(r, "\n%sConflicts%s (%zu)\n", sgr(r, BOLD), sgr(r, RESET), n)) < 0)
		return rc;
	if (n == 0 && (rc = rp_puts(r, "  none\n")) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const tgpl_conflict *c = tgpl_obligations_conflict_at(o, i);

		if ((rc = rp_puts(r, "  ")) < 0 || (rc = rp_term_z(r, c->id)) < 0 ||
		    (rc = rp_printf(r, "  %s%s%s%s%s\n    ", c->action == TGPL_ACTION_DENY ? sgr(r, RED) : "",
				    tgpl_action_name(c->action), sgr(r, RESET),
				    c->resolved ? " (resolved: one side is excluded)" : "",
				    c->inherited ? " (inherited)" : "")) < 0 ||
		    (rc = rp_term_z(r, c->sentence)) < 0 || (rc = rp_puts(r, "\n")) < 0)
			return rc;
	}
	return 0;
}

int report_text(report *r)
{
	report_tally t;
	char when[32];
	size_t i;
	int rc;

	report_time(when, r->created);
	if ((rc = report_tally_get(r, NULL, &t)) < 0)
		return rc;
	if ((rc = rp_printf(r, "%stgpl report%s  %s\n%zu repositor%s, %lld files (%.1f MB)\n", sgr(r, BOLD),
			    sgr(r, RESET), when, r->n_revs, r->n_revs == 1 ? "y" : "ies", (long long)r->n_files,
			    (double)r->bytes / 1e6)) < 0)
		return rc;
	if (t.with_clauses && (rc = rp_printf(r, "%s%lld files carry TGPL clauses%s\n", sgr(r, YELLOW),
					      (long long)t.with_clauses, sgr(r, RESET))) < 0)
		return rc;
	if (t.with_optouts && (rc = rp_printf(r, "%s%lld files carry training opt-outs%s\n", sgr(r, RED),
					      (long long)t.with_optouts, sgr(r, RESET))) < 0)
		return rc;
	if (r->n_revs == 0)
		return rp_puts(r, "nothing scanned yet (tgpl scan PATH)\n");
	{
		tgpl_buf tmp = TGPL_BUF_INIT;

		rc = put_verdicts(r, &tmp);
		tgpl_buf_release(&tmp);
		if (rc < 0)
			return rc;
	}
	if ((rc = rp_printf(r, "\n%sLicences%s (files by concluded licence)\n", sgr(r, BOLD), sgr(r, RESET))) < 0 ||
	    (rc = put_counts(r, NULL, r->n_files)) < 0)
		return rc;
	for (i = 0; i < r->n_revs; i++)
		if ((rc = put_repository(r, &r->revs[i])) < 0)
			return rc;
	return 0;
}
