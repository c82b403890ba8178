/*
 * json.c — `--format json`: the whole result, one JSON document, schema
 * docs/report-json-schema.json (version TGPL_REPORT_JSON_VERSION, in the
 * document's "tgpl_report" member).  Members are only ever added within a
 * version; removing or changing one bumps it.
 *
 * Paths are JSON strings (invalid UTF-8 as U+FFFD); when a path is not
 * valid UTF-8 its exact bytes are also given in hex ("path_hex").
 */
#include <string.h>

#include "report/report_int.h"

static int put_path(report *r, const char *key, const char *p, size_t n)
{
	int rc;

	if ((rc = rp_printf(r, "\"%s\":", key)) < 0 || (rc = rp_json(r, p, n)) < 0)
		return rc;
	if (!tgpl_utf8_valid(p, n)) {
		size_t i;

		if ((rc = rp_printf(r, ",\"%s_hex\":\"", key)) < 0)
			return rc;
		for (i = 0; i < n; i++)
			if ((rc = rp_printf(r, "%02x", (unsigned char)p[i])) < 0)
				return rc;
		return rp_puts(r, "\"");
	}
	return 0;
}

static int put_time(report *r, int64_t t)
{
	char when[32];

	if (t <= 0)
		return rp_puts(r, "null");
	report_time(when, t);
	return rp_printf(r, "\"%s\"", when);
}

static int put_score(report *r, double score)
{
	return rp_printf(r, "%.4g", score < 0 ? 0 : score > 1 ? 1 : score);
}

/* "licenses", "clauses" and "optouts" of a detection, as `tgpl detect --json` writes them. */
int report_json_findings(report *r, const tgpl_detection *d)
{
	size_t i, j;
	int rc = rp_puts(r, "\"licenses\":[");

	for (i = 0; rc == 0 && d && i < d->n_licenses; i++) {
		const tgpl_license_hit *h = &d->licenses[i];

		if ((rc = rp_puts(r, i ? ",{\"spdx\":" : "{\"spdx\":")) < 0 || (rc = rp_json_z(r, h->spdx)) < 0 ||
		    (rc = rp_printf(r, ",\"kind\":\"%s\",\"start_line\":%u,\"end_line\":%u,\"score\":",
				    tgpl_kind_name(h->kind), h->start_line, h->end_line)) < 0 ||
		    (rc = put_score(r, h->score)) < 0)
			break;
		if (h->expr && ((rc = rp_puts(r, ",\"expr\":")) < 0 || (rc = rp_json_z(r, h->expr)) < 0))
			break;
		if ((rc = rp_puts(r, ",\"rule\":")) < 0 || (rc = rp_json_z(r, h->rule)) < 0)
			break;
		if (h->note && ((rc = rp_puts(r, ",\"note\":")) < 0 || (rc = rp_json_z(r, h->note)) < 0))
			break;
		if (h->n_unmatched) {
			if ((rc = rp_puts(r, ",\"unmatched\":[")) < 0)
				break;
			for (j = 0; j < h->n_unmatched && rc == 0; j++)
				rc = rp_printf(r, "%s{\"start_line\":%u,\"end_line\":%u}", j ? "," : "",
					       h->unmatched[j].start_line, h->unmatched[j].end_line);
			if (rc < 0 || (rc = rp_puts(r, "]")) < 0)
				break;
		}
		rc = rp_puts(r, "}");
	}
	if (rc == 0)
		rc = rp_puts(r, "],\"clauses\":[");
	for (i = 0; rc == 0 && d && i < d->n_clauses; i++) {
		const tgpl_clause_hit *h = &d->clauses[i];

		if ((rc = rp_puts(r, i ? ",{\"id\":" : "{\"id\":")) < 0 || (rc = rp_json_z(r, h->id)) < 0 ||
		    (rc = rp_puts(r, ",\"kind\":")) < 0 || (rc = rp_json_z(r, h->kind)) < 0 ||
		    (rc = rp_printf(r, ",\"start_line\":%u,\"end_line\":%u,\"score\":", h->start_line,
				    h->end_line)) < 0 ||
		    (rc = put_score(r, h->score)) < 0 || (rc = rp_puts(r, ",\"rule\":")) < 0 ||
		    (rc = rp_json_z(r, h->rule)) < 0)
			break;
		rc = rp_puts(r, "}");
	}
	if (rc == 0)
		rc = rp_puts(r, "],\"optouts\":[");
	for (i = 0; rc == 0 && d && i < d->n_optouts; i++) {
		const tgpl_optout_hit *h = &d->optouts[i];

		if ((rc = rp_puts(r, i ? ",{\"kind\":" : "{\"kind\":")) < 0 || (rc = rp_json_z(r, h->kind)) < 0 ||
		    (rc = rp_printf(r, ",\"start_line\":%u,\"end_line\":%u", h->start_line, h->end_line)) < 0)
			break;
		if (h->detail && ((rc = rp_puts(r, ",\"detail\":")) < 0 || (rc = rp_json_z(r, h->detail)) < 0))
			break;
		rc = rp_puts(r, "}");
	}
	return rc == 0 ? rp_puts(r, "]") : rc;
}

typedef struct {
	report *r;
	int first;
} count_state;

static int put_count(const char *label, int64_t count, void *payload)
{
	count_state *s = payload;
	int rc;

	if ((rc = rp_puts(s->r, s->first ? "{\"license\":" : ",{\"license\":")) < 0 ||
	    (rc = rp_json_z(s->r, label)) < 0 || (rc = rp_printf(s->r, ",\"files\":%lld}", (long long)count)) < 0)
		return rc;
	s->first = 0;
	return 0;
}

static int put_counts(report *r, const report_rev *v)
{
	count_state s = { r, 1 };
	int rc;

	if ((rc = rp_puts(r, "\"licenses\":[")) < 0 || (rc = report_license_counts(r, v, put_count, &s)) < 0)
		return rc;
	return rp_puts(r, "]");
}

static int put_file(report *r, const report_file *f, int first)
{
	int rc;

	if ((rc = rp_puts(r, first ? "{" : ",{")) < 0 || (rc = put_path(r, "path", f->path, f->path_len)) < 0 ||
	    (rc = rp_printf(r, ",\"type\":\"%s\",\"mode\":\"%u\",\"size\":", f->type, f->mode)) < 0)
		return rc;
	rc = f->size >= 0 ? rp_printf(r, "%lld", (long long)f->size) : rp_puts(r, "null");
	if (rc < 0 ||
	    (rc = rp_printf(r, ",\"sha1_git\":\"%s\",\"swhid\":\"swh:1:%s:%s\",\"concluded\":", f->oid,
			    strcmp(f->type, "gitlink") == 0 ? "rev" : "cnt", f->oid)) < 0 ||
	    (rc = rp_json_z(r, f->concluded)) < 0 || (rc = rp_puts(r, ",\"decided_by\":")) < 0 ||
	    (rc = rp_json_z(r, f->decided_by)) < 0 ||
	    (rc = rp_printf(r, ",\"analysed\":%s,\"expression\":", f->analysed ? "true" : "false")) < 0 ||
	    (rc = rp_json_z(r, f->expression)) < 0 || (rc = rp_puts(r, ",\"skipped\":")) < 0 ||
	    (rc = rp_json_z(r, f->skipped)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = report_json_findings(r, f->det)) < 0)
		return rc;
	return rp_puts(r, "}");
}

/* ---- the obligation model ------------------------------------------------- */

static int put_opt_path(report *r, const char *key, const char *p)
{
	return p ? put_path(r, key, p, strlen(p)) : rp_printf(r, "\"%s\":null", key);
}

static int put_evidence(report *r, const tgpl_evidence *e, int first, tgpl_buf *swhid)
{
	int rc;

	if ((rc = rp_printf(r, "%s{\"kind\":\"%s\",", first ? "" : ",", tgpl_evidence_kind_name(e->kind))) < 0 ||
	    (rc = put_opt_path(r, "repository", e->repo_path)) < 0 || (rc = rp_puts(r, ",\"origin\":")) < 0 ||
	    (rc = rp_json_z(r, report_obl_origin(r, e))) < 0 || (rc = rp_puts(r, ",\"commit\":")) < 0 ||
	    (rc = rp_json_z(r, e->commit)) < 0 || (rc = rp_puts(r, ",")) < 0 ||
	    (rc = put_opt_path(r, "path", e->path)) < 0 || (rc = rp_puts(r, ",\"sha1_git\":")) < 0 ||
	    (rc = rp_json_z(r, e->oid && *e->oid ? e->oid : NULL)) < 0)
		return rc;
	if (e->start_line)
		rc = rp_printf(r, ",\"start_line\":%u,\"end_line\":%u", e->start_line,
			       e->end_line >= e->start_line ? e->end_line : e->start_line);
	else
		rc = rp_puts(r, ",\"start_line\":null,\"end_line\":null");
	if (rc < 0 || (rc = rp_puts(r, ",\"source\":")) < 0 || (rc = rp_json_z(r, e->source)) < 0 ||
	    (rc = rp_puts(r, ",\"detail\":")) < 0 || (rc = rp_json_z(r, e->detail)) < 0 ||
	    (rc = report_obl_swhid(r, e, swhid)) < 0 || (rc = rp_puts(r, ",\"swhid\":")) < 0 ||
	    (rc = rp_json_z(r, swhid->len ? swhid->ptr : NULL)) < 0 ||
	    (rc = rp_puts(r, ",\"record\":")) < 0 || (rc = rp_json_z(r, e->record)) < 0 ||
	    (rc = rp_printf(r, ",\"action\":\"%s\",\"rule\":", tgpl_action_name(e->action))) < 0 ||
	    (rc = rp_json_z(r, e->rule)) < 0)
		return rc;
	return rp_puts(r, "}");
}

static int put_repo_list(report *r, const size_t *repos, size_t n)
{
	size_t i;
	int rc = rp_puts(r, "[");

	for (i = 0; rc == 0 && i < n; i++) {
		const tgpl_repository *p = tgpl_obligations_repo_at(r->obl, repos[i]);

		if ((rc = rp_puts(r, i ? "," : "")) == 0)
			rc = rp_json_z(r, p ? p->path : NULL);
	}
	return rc < 0 ? rc : rp_puts(r, "]");
}

static int put_obligation(report *r, const tgpl_obligation *b, int first, tgpl_buf *swhid)
{
	size_t j;
	int rc;

	if ((rc = rp_printf(r, "%s{\"id\":\"%s\",\"meaning\":", first ? "" : ",", b->name)) < 0 ||
	    (rc = rp_json_z(r, b->meaning)) < 0 ||
	    (rc = rp_printf(r, ",\"action\":\"%s\",\"files\":%zu,\"repositories\":", tgpl_action_name(b->action),
			    report_obl_n_files(b))) < 0 ||
	    (rc = put_repo_list(r, b->repos, b->n_repos)) < 0 || (rc = rp_puts(r, ",\"sources\":[")) < 0)
		return rc;
	for (j = 0; j < b->n_sources; j++)
		if ((rc = rp_puts(r, j ? "," : "")) < 0 || (rc = rp_json_z(r, b->sources[j])) < 0)
			return rc;
	if ((rc = rp_printf(r, "],\"evidence_omitted\":%zu,\"evidence\":[", b->n_omitted)) < 0)
		return rc;
	for (j = 0; j < b->n_evidence; j++)
		if ((rc = put_evidence(r, &b->evidence[j], j == 0, swhid)) < 0)
			return rc;
	return rp_puts(r, "]}");
}

static int put_conflict(report *r, const tgpl_conflict *c, int first)
{
	int rc;

	if ((rc = rp_puts(r, first ? "{\"id\":" : ",{\"id\":")) < 0 || (rc = rp_json_z(r, c->id)) < 0 ||
	    (rc = rp_puts(r, ",\"first\":")) < 0 || (rc = rp_json_z(r, c->first)) < 0 ||
	    (rc = rp_puts(r, ",\"second\":")) < 0 || (rc = rp_json_z(r, c->second)) < 0 ||
	    (rc = rp_puts(r, ",\"sentence\":")) < 0 || (rc = rp_json_z(r, c->sentence)) < 0 ||
	    (rc = rp_printf(r, ",\"action\":\"%s\",\"resolved\":%s,\"inherited\":%s,\"repositories\":",
			    tgpl_action_name(c->action), c->resolved ? "true" : "false",
			    c->inherited ? "true" : "false")) < 0 ||
	    (rc = put_repo_list(r, c->repos, c->n_repos)) < 0)
		return rc;
	return rp_puts(r, "}");
}

/* "policy", "verdict", "denied", "obligations", "conflicts", and a comma. */
static int put_obligations(report *r)
{
	const tgpl_obligations *o = r->obl;
	tgpl_buf swhid = TGPL_BUF_INIT;
	size_t i;
	int rc;

	if ((rc = rp_puts(r, "\"policy\":")) < 0 || (rc = rp_json_z(r, tgpl_obligations_policy_name(o))) < 0 ||
	    (rc = rp_printf(r, ",\"verdict\":\"%s\",\"denied\":%s,\"obligations\":[",
			    tgpl_verdict_name(tgpl_obligations_verdict(o)),
			    tgpl_obligations_denied(o) ? "true" : "false")) < 0)
		goto done;
	for (i = 0; i < tgpl_obligations_count(o); i++)
		if ((rc = put_obligation(r, tgpl_obligations_at(o, i), i == 0, &swhid)) < 0)
			goto done;
	if ((rc = rp_puts(r, "],\"conflicts\":[")) < 0)
		goto done;
	for (i = 0; i < tgpl_obligations_conflict_count(o); i++)
		if ((rc = put_conflict(r, tgpl_obligations_conflict_at(o, i), i == 0)) < 0)
			goto done;
	rc = rp_puts(r, "],");
done:
	tgpl_buf_release(&swhid);
	return rc;
}

static int put_repository(report *r, const report_rev *v, int first)
{
	const tgpl_repository *p = report_obl_repo(r, (size_t)(v - r->revs));
	report_cursor c;
	int rc, n = 0;

	if ((rc = rp_puts(r, first ? "{" : ",{")) < 0 ||
	    (rc = put_path(r, "path", v->repo_path, v->repo_path_len)) < 0 ||
	    (rc = rp_printf(r, ",\"kind\":\"%s\",\"origin\":", v->kind)) < 0 || (rc = rp_json_z(r, v->origin)) < 0 ||
	    (rc = rp_puts(r, ",\"commit\":")) < 0 || (rc = rp_json_z(r, v->commit)) < 0 ||
	    (rc = rp_puts(r, ",\"tree\":")) < 0 || (rc = rp_json_z(r, v->tree)) < 0 ||
	    (rc = rp_puts(r, ",\"ref\":")) < 0 || (rc = rp_json_z(r, v->ref)) < 0 ||
	    (rc = rp_puts(r, ",\"commit_time\":")) < 0 || (rc = put_time(r, v->commit_time)) < 0 ||
	    (rc = rp_puts(r, ",\"scanned_at\":")) < 0 || (rc = put_time(r, v->scanned_at)) < 0 ||
	    (rc = rp_puts(r, ",\"engine\":")) < 0 || (rc = rp_json_z(r, v->engine)) < 0 ||
	    (rc = rp_puts(r, ",\"declared\":")) < 0 || (rc = rp_json_z(r, v->declared)) < 0 ||
	    (rc = rp_puts(r, ",\"verdict\":")) < 0 || (rc = rp_json_z(r, p ? tgpl_verdict_name(p->verdict) : NULL)) < 0 ||
	    (rc = rp_puts(r, ",\"reason\":")) < 0 || (rc = rp_json_z(r, p ? p->reason : NULL)) < 0 ||
	    (rc = rp_printf(r, ",\"totals\":{\"entries\":%lld,\"files\":%lld,\"bytes\":%lld},", (long long)v->n_entries,
			    (long long)v->n_files, (long long)v->bytes)) < 0 ||
	    (rc = put_counts(r, v)) < 0 || (rc = rp_puts(r, ",\"files\":[")) < 0)
		return rc;
	if ((rc = report_files_open(&c, r, v, NULL, REPORT_FINDINGS)) < 0)
		return rc;
	while ((rc = report_files_next(&c)) > 0 && (rc = put_file(r, &c.cur, n++ == 0)) >= 0)
		;
	report_files_close(&c);
	if (rc < 0)
		return rc;
	return rp_puts(r, "]}");
}

int report_json(report *r)
{
	report_tally t;
	char when[32];
	size_t i;
	int rc;

	report_time(when, r->created);
	if ((rc = report_tally_get(r, NULL, &t)) < 0)
		return rc;
	if ((rc = rp_printf(r, "{\"tgpl_report\":%d,\"tool\":{\"name\":\"tgpl\",\"version\":\"%s\"},"
			       "\"created\":\"%s\",\"summary\":{\"repositories\":%zu,\"entries\":%lld,"
			       "\"files\":%lld,\"bytes\":%lld,\"files_with_clauses\":%lld,"
			       "\"files_with_optouts\":%lld,\"files_skipped\":%lld,\"files_unanalysed\":%lld,"
			       "\"files_without_license\":%lld,",
			    TGPL_REPORT_JSON_VERSION, TGPL_VERSION, when, r->n_revs, (long long)r->n_entries,
			    (long long)r->n_files, (long long)r->bytes, (long long)t.with_clauses,
			    (long long)t.with_optouts, (long long)t.skipped, (long long)t.unanalysed,
			    (long long)t.no_license)) < 0 ||
	    (rc = put_counts(r, NULL)) < 0 || (rc = rp_puts(r, "},")) < 0 || (rc = put_obligations(r)) < 0 ||
	    (rc = rp_puts(r, "\"repositories\":[")) < 0)
		return rc;
	for (i = 0; i < r->n_revs; i++)
		if ((rc = put_repository(r, &r->revs[i], i == 0)) < 0)
			return rc;
	return rp_puts(r, "]}\n");
}
