/*
 * html.c — `--format html`: one self-contained page for legal review.
 *
 * Summary with the corpus verdict; the verdict of every repository, with
 * its reason; every obligation training on the corpus triggers, with its
 * evidence and the lines the evidence points at (read back from the stored
 * blob, with line numbers); the conflicts; every TGPL clause and training
 * opt-out with the lines that say so
 * (read back from the repository, with line numbers); licence distribution
 * (an inline SVG bar chart and a table); repositories; and every file with
 * its concluded licence and the evidence that decided it (kind and line
 * numbers).  Tables can be filtered by a few lines of inline script.
 *
 * The page fetches nothing: styles and script are inline, and a Content
 * Security Policy allows exactly those two (by their SHA-256) and nothing
 * else — no network, no other script.  Every string from the data is
 * HTML-escaped (& < > " ' and control characters), so a file named
 * "<script>…</script>" is shown as text; the CSP is the second fence should
 * an escape ever be missed.  The script reads and sets only textContent and
 * the hidden flag, never markup.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

static const char style[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1200px;"
	"padding:0 1.5em 3em;color:#1b1f23;background:#fff}"
	"h1{margin:.8em 0 .2em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:2em}"
	".meta{color:#57606a}nav a{margin-right:1em}"
	"table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:14px}"
	"th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}"
	"th{background:#f6f8fa;position:sticky;top:0}tr[hidden]{display:none}"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
	"code,.path{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px;"
	"word-break:break-all}"
	"dl.summary{display:grid;grid-template-columns:max-content auto;gap:.2em 1.5em}"
	"dl.summary dt{color:#57606a}dl.summary dd{margin:0}"
	".filter{margin:.5em 0}.filter input{font:inherit;padding:.3em .5em;width:24em}"
	".count{color:#57606a;margin-left:1em}"
	".v-include{color:#1a7f37}.v-include-with-obligations{color:#9a6700}"
	".v-review{color:#bc4c00}.v-exclude{color:#cf222e}.verdict{font-weight:600}"
	".none{color:#8c959f}.warn{color:#cf222e}"
	"svg text{font:12px system-ui,sans-serif;fill:#1b1f23}"
	"article.evidence{border-left:3px solid #d0d7de;padding-left:1em;margin:1em 0}"
	"pre.excerpt{background:#f6f8fa;padding:.5em;overflow-x:auto;white-space:pre-wrap;font-size:13px}"
	".ln{color:#8c959f;user-select:none}"
	"@media print{.filter{display:none}th{position:static}}";

static const char script[] =
	"(function(){"
	"var inputs=document.querySelectorAll('input[data-filter]');"
	"for(var k=0;k<inputs.length;k++){(function(input){"
	"var id=input.getAttribute('data-filter'),table=document.getElementById(id),"
	"count=document.getElementById(id+'-count');"
	"if(!table||!table.tBodies.length)return;"
	"var rows=table.tBodies[0].rows;"
	"function update(){var q=input.value.toLowerCase(),shown=0;"
	"for(var i=0;i<rows.length;i++){var hit=rows[i].textContent.toLowerCase().indexOf(q)>=0;"
	"rows[i].hidden=!hit;if(hit)shown++;}"
	"if(count)count.textContent=shown+' of '+rows.length+' rows';}"
	"input.addEventListener('input',update);update();"
	"})(inputs[k]);}"
	"})();";

#define MAX_FILE_ROWS 50000
#define CHART_BARS 15

/* 'sha256-<base64>' of a static block, for the CSP. */
static int csp_hash(report *r, tgpl_buf *b, const char *text)
{
	unsigned char digest[32];

	if (report_sha256(digest, text, strlen(text)) < 0)
		return tgpl_error(r->ctx, TGPL_ERROR, "report: SHA-256 failed (libcrypto)");
	if (tgpl_buf_puts(b, "'sha256-") < 0 || report_base64(b, digest, sizeof(digest)) < 0 ||
	    tgpl_buf_putc(b, '\'') < 0)
		return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
	return 0;
}

static int head(report *r)
{
	tgpl_buf csp = TGPL_BUF_INIT;
	int rc;

	if (tgpl_buf_puts(&csp, "default-src 'none'; style-src ") < 0) {
		rc = tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = csp_hash(r, &csp, style)) < 0)
		goto done;
	if (tgpl_buf_puts(&csp, "; script-src ") < 0) {
		rc = tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = csp_hash(r, &csp, script)) < 0)
		goto done;
	if (tgpl_buf_puts(&csp, "; base-uri 'none'; form-action 'none'") < 0) {
		rc = tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	rc = rp_printf(r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			  "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
			  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			  "<meta name=\"generator\" content=\"tgpl %s\">\n"
			  "<title>tgpl report: %zu repositor%s, %lld files</title>\n<style>%s</style>\n</head>\n<body>\n",
		       csp.ptr, TGPL_VERSION, r->n_revs, r->n_revs == 1 ? "y" : "ies", (long long)r->n_files, style);
done:
	tgpl_buf_release(&csp);
	return rc;
}

static int filter_box(report *r, const char *table, const char *what)
{
	return rp_printf(r, "<div class=\"filter\"><label>Filter %s: <input type=\"search\" data-filter=\"%s\" "
			    "placeholder=\"path, licence, clause…\"></label><span class=\"count\" id=\"%s-count\">"
			    "</span></div>\n", what, table, table);
}

/* ---- the licence distribution -------------------------------------------- */

typedef struct {
	report *r;
	tgpl_buf labels;   /* NUL-separated */
	int64_t *counts;
	size_t n, cap;
} dist;

static int collect(const char *label, int64_t count, void *payload)
{
	dist *d = payload;

	if (tgpl_grow((void **)&d->counts, &d->cap, d->n + 1, sizeof(*d->counts)) < 0 ||
	    tgpl_buf_puts(&d->labels, label ? label : "(none)") < 0 || tgpl_buf_put(&d->labels, "", 1) < 0)
		return tgpl_error(d->r->ctx, TGPL_ENOMEM, "out of memory");
	d->counts[d->n++] = count;
	return 0;
}

static int chart(report *r, const dist *d)
{
	static const char *const colors[] = { "#0969da", "#1a7f37", "#9a6700", "#8250df", "#bf3989",
					      "#0a3069", "#bc4c00", "#116329", "#6639ba", "#57606a" };
	size_t bars = d->n > CHART_BARS ? CHART_BARS : d->n, i;
	int64_t max = 0, rest = 0;
	const char *label = d->labels.ptr;
	int rc, row = 22, width = 1000, left = 360, height;

	for (i = 0; i < d->n; i++) {
		if (i >= bars)
			rest += d->counts[i];
		if (d->counts[i] > max)
			max = d->counts[i];
	}
	if (rest > max)
		max = rest;
	height = row * (int)(bars + (rest ? 1 : 0)) + 10;
	if ((rc = rp_printf(r, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Files per "
			       "concluded licence\" viewBox=\"0 0 %d %d\" width=\"100%%\">\n", width, height)) < 0)
		return rc;
	for (i = 0; i < bars + (rest ? 1 : 0); i++) {
		int64_t n = i < bars ? d->counts[i] : rest;
		int w = max ? (int)((double)n * (width - left - 80) / (double)max) : 0, y = 5 + row * (int)i;
		size_t len = i < bars ? strlen(label) : 0;

		if (w < 1 && n > 0)
			w = 1;
		/* The label is cut to what fits; the table below has it whole. */
		if ((rc = rp_printf(r, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 14)) < 0 ||
		    (rc = i < bars ? rp_html(r, label, len > 48 ? 48 : len) : rp_printf(r, "%zu others", d->n - bars)) < 0 ||
		    (rc = rp_printf(r, "%s</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
				       "<text x=\"%d\" y=\"%d\">%lld</text>\n",
				    len > 48 ? "…" : "", left, y, w, row - 6, colors[i % 10], left + w + 6, y + 14,
				    (long long)n)) < 0)
			return rc;
		if (i < bars)
			label += len + 1;
	}
	return rp_puts(r, "</svg>\n");
}

static int distribution(report *r)
{
	dist d;
	const char *label;
	size_t i;
	int rc;

	memset(&d, 0, sizeof(d));
	d.r = r;
	if ((rc = report_license_counts(r, NULL, collect, &d)) < 0)
		goto done;
	if ((rc = rp_puts(r, "<section id=\"licenses\">\n<h2>Licence distribution</h2>\n"
			     "<p>Files by the licence tgpl concluded for them (their own tags and texts, else "
			     "the nearest licence file above them, else the package metadata).</p>\n")) < 0)
		goto done;
	if (d.n == 0) {
		rc = rp_puts(r, "<p class=\"none\">No files.</p>\n</section>\n");
		goto done;
	}
	if ((rc = chart(r, &d)) < 0 || (rc = filter_box(r, "license-table", "licences")) < 0 ||
	    (rc = rp_puts(r, "<table id=\"license-table\"><thead><tr><th>Licence</th><th class=\"num\">Files</th>"
			     "<th class=\"num\">Share</th></tr></thead><tbody>\n")) < 0)
		goto done;
	for (i = 0, label = d.labels.ptr; i < d.n; i++, label += strlen(label) + 1)
		if ((rc = rp_puts(r, "<tr><td><code>")) < 0 || (rc = rp_html_z(r, label)) < 0 ||
		    (rc = rp_printf(r, "</code></td><td class=\"num\">%lld</td><td class=\"num\">%.1f%%</td></tr>\n",
				    (long long)d.counts[i],
				    r->n_files ? 100.0 * (double)d.counts[i] / (double)r->n_files : 0.0)) < 0)
			goto done;
	rc = rp_puts(r, "</tbody></table>\n</section>\n");
done:
	tgpl_buf_release(&d.labels);
	free(d.counts);
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
	if ((rc = rp_puts(r, "<article class=\"evidence\"><h3><span class=\"meta\">")) < 0 ||
	    (rc = rp_html(r, name, name_len)) < 0 || (rc = rp_puts(r, ":</span> <span class=\"path\">")) < 0 ||
	    (rc = rp_html(r, f->path, f->path_len)) < 0 || (rc = rp_puts(r, "</span></h3>\n")) < 0)
		return rc;
	if (f->concluded && ((rc = rp_puts(r, "<p>Concluded licence: <code>")) < 0 ||
			     (rc = rp_html_z(r, f->concluded)) < 0 || (rc = rp_puts(r, "</code></p>\n")) < 0))
		return rc;
	if (unreadable && ((rc = rp_puts(r, "<p class=\"warn\">The lines cannot be shown: ")) < 0 ||
			   (rc = rp_html_z(r, unreadable)) < 0 || (rc = rp_puts(r, "</p>\n")) < 0))
		return rc;
	return 0;
}

static int ev_hit(report *r, const char *what, const char *id, const char *detail, uint32_t start, uint32_t end,
		  void *p)
{
	int rc;

	(void)p;
	if ((rc = rp_printf(r, "<p><strong%s>%s ", strcmp(what, "opt-out") == 0 ? " class=\"warn\"" : "", what)) < 0 ||
	    (rc = rp_html_z(r, id)) < 0 || (rc = rp_puts(r, "</strong> <span class=\"meta\">")) < 0)
		return rc;
	if (detail && ((rc = rp_html_z(r, detail)) < 0 || (rc = rp_puts(r, ", ")) < 0))
		return rc;
	if ((rc = rp_printf(r, "line%s %u", end > start ? "s" : "", start)) < 0 ||
	    (end > start && (rc = rp_printf(r, "–%u", end)) < 0))
		return rc;
	return rp_puts(r, "</span></p>\n<pre class=\"excerpt\">");
}

static int ev_line(report *r, uint32_t line, const char *text, size_t len, void *p)
{
	int rc;

	(void)p;
	if ((rc = rp_printf(r, "<span class=\"ln\">%5u</span> ", line)) < 0 || (rc = rp_html_line(r, text, len)) < 0)
		return rc;
	return rp_puts(r, "\n");
}

static int ev_more(report *r, uint32_t left, void *p)
{
	(void)p;
	return rp_printf(r, "<span class=\"meta\">… %u more line%s</span>\n", left, left == 1 ? "" : "s");
}

static int ev_hit_end(report *r, void *p)
{
	(void)p;
	return rp_puts(r, "</pre>\n");
}

static int ev_file_end(report *r, void *p)
{
	(void)p;
	return rp_puts(r, "</article>\n");
}

static int evidence_section(report *r)
{
	static const report_evidence_sink sink = { ev_file, ev_hit, ev_line, ev_more, ev_hit_end, ev_file_end };
	size_t n = 0;
	int rc;

	if ((rc = rp_puts(r, "<section id=\"evidence\">\n<h2>TGPL clauses and training opt-outs</h2>\n"
			     "<p>Every file in which a TGPL clause or a training opt-out was found, with the lines "
			     "that say so (read back from the repository).</p>\n")) < 0 ||
	    (rc = report_evidence(r, &sink, NULL, MAX_EVIDENCE_FILES, &n)) < 0)
		return rc;
	if (n == 0 && (rc = rp_puts(r, "<p class=\"none\">None found.</p>\n")) < 0)
		return rc;
	if (n > MAX_EVIDENCE_FILES &&
	    (rc = rp_printf(r, "<p class=\"warn\">Only the first %d of %zu files are shown; "
			       "<code>tgpl report --format json</code> has them all.</p>\n", MAX_EVIDENCE_FILES, n)) < 0)
		return rc;
	return rp_puts(r, "</section>\n");
}

/* ---- the obligation model ------------------------------------------------- */

#define HTML_EVIDENCE 20   /* pieces of evidence shown per obligation, each with its lines */

static int verdict_span(report *r, tgpl_verdict v)
{
	return rp_printf(r, "<span class=\"verdict v-%s\">%s</span>", tgpl_verdict_name(v), tgpl_verdict_name(v));
}

static int action_span(report *r, tgpl_action a)
{
	return rp_printf(r, "<span class=\"%s\">%s</span>",
			 a == TGPL_ACTION_DENY ? "v-exclude" : a == TGPL_ACTION_REVIEW ? "v-review" : "v-include",
			 tgpl_action_name(a));
}

static int verdicts(report *r)
{
	const tgpl_obligations *o = r->obl;
	size_t i;
	int rc;

	if ((rc = rp_puts(r, "<section id=\"verdicts\">\n<h2>Verdicts</h2>\n<p>Corpus verdict: ")) < 0 ||
	    (rc = verdict_span(r, tgpl_obligations_verdict(o))) < 0 || (rc = rp_puts(r, " under the policy <code>")) < 0 ||
	    (rc = rp_html_z(r, tgpl_obligations_policy_name(o))) < 0 ||
	    (rc = rp_puts(r, tgpl_obligations_denied(o) ? "</code>, which <strong class=\"warn\">denies "
							  "something</strong>.</p>\n" : "</code>.</p>\n")) < 0 ||
	    (rc = filter_box(r, "verdict-table", "verdicts")) < 0 ||
	    (rc = rp_puts(r, "<table id=\"verdict-table\"><thead><tr><th>Repository</th><th>Revision</th>"
			     "<th>Verdict</th><th>Reason</th></tr></thead><tbody>\n")) < 0)
		return rc;
	for (i = 0; i < tgpl_obligations_repo_count(o); i++) {
		const tgpl_repository *p = tgpl_obligations_repo_at(o, i);

		if ((rc = rp_puts(r, "<tr><td class=\"path\">")) < 0 || (rc = rp_html_z(r, p->path)) < 0 ||
		    (rc = rp_puts(r, "</td><td><code>")) < 0 || (rc = rp_html_z(r, p->commit ? p->commit : "")) < 0 ||
		    (rc = rp_puts(r, "</code></td><td>")) < 0 || (rc = verdict_span(r, p->verdict)) < 0 ||
		    (rc = rp_puts(r, "</td><td>")) < 0 || (rc = rp_html_z(r, p->reason)) < 0 ||
		    (rc = rp_puts(r, "</td></tr>\n")) < 0)
			return rc;
	}
	return rp_puts(r, "</tbody></table>\n</section>\n");
}

static int obl_line(uint32_t line, const char *text, size_t len, void *payload)
{
	return ev_line(payload, line, text, len, NULL);
}

static int obl_evidence(report *r, const tgpl_evidence *e)
{
	const char *why = NULL;
	uint32_t end = e->end_line >= e->start_line ? e->end_line : e->start_line;
	int rc;

	if ((rc = rp_puts(r, "<div class=\"obl-ev\"><p><span class=\"path\">")) < 0 ||
	    (rc = e->repo_path ? rp_html_z(r, e->repo_path) : rp_puts(r, "(base model)")) < 0 ||
	    (e->commit && (rc = rp_printf(r, "@%.12s", e->commit)) < 0) ||
	    (e->path && ((rc = rp_puts(r, " ")) < 0 || (rc = rp_html_z(r, e->path)) < 0)) ||
	    (rc = rp_puts(r, "</span> <span class=\"meta\">")) < 0)
		return rc;
	if (e->start_line && (rc = rp_printf(r, "line%s %u%s", end > e->start_line ? "s" : "", e->start_line,
					     end > e->start_line ? "–" : "")) < 0)
		return rc;
	if (e->start_line && end > e->start_line && (rc = rp_printf(r, "%u", end)) < 0)
		return rc;
	if ((rc = rp_printf(r, "%s%s ", e->start_line ? ", " : "", tgpl_evidence_kind_name(e->kind))) < 0 ||
	    (e->source && (rc = rp_html_z(r, e->source)) < 0) || (rc = rp_puts(r, "</span> ")) < 0 ||
	    (rc = action_span(r, e->action)) < 0 || (rc = rp_puts(r, " <span class=\"meta\">")) < 0 ||
	    (rc = rp_html_z(r, e->rule ? e->rule : "")) < 0 || (rc = rp_puts(r, "</span>")) < 0)
		return rc;
	if (e->swhid) {
		tgpl_buf swhid = TGPL_BUF_INIT;

		if ((rc = report_obl_swhid(r, e, &swhid)) == 0 && (rc = rp_puts(r, "<br><code>")) == 0 &&
		    (rc = rp_html(r, swhid.ptr ? swhid.ptr : "", swhid.len)) == 0)
			rc = rp_puts(r, "</code>");
		tgpl_buf_release(&swhid);
		if (rc < 0)
			return rc;
	}
	if ((rc = rp_puts(r, "</p>\n")) < 0)
		return rc;
	if (!e->path || !e->start_line)
		return rp_puts(r, "</div>\n");
	/* The lines the evidence points at, from the stored blob; written into a
	 * <pre> only once we know they can be read. */
	{
		const char *data;
		size_t len;

		if ((rc = report_obl_content(r, e, &data, &len, &why)) < 0)
			return rc;
	}
	if (why) {
		if ((rc = rp_puts(r, "<p class=\"warn\">The lines cannot be shown: ")) < 0 ||
		    (rc = rp_html_z(r, why)) < 0 || (rc = rp_puts(r, "</p>\n</div>\n")) < 0)
			return rc;
		return 0;
	}
	if ((rc = rp_puts(r, "<pre class=\"excerpt\">")) < 0 ||
	    (rc = report_obl_excerpt(r, e, REPORT_MAX_EXCERPT_LINES, obl_line, r, &why)) < 0)
		return rc;
	if (end >= e->start_line + REPORT_MAX_EXCERPT_LINES &&
	    (rc = ev_more(r, end - e->start_line + 1 - REPORT_MAX_EXCERPT_LINES, NULL)) < 0)
		return rc;
	return rp_puts(r, "</pre>\n</div>\n");
}

static int obligations(report *r)
{
	const tgpl_obligations *o = r->obl;
	size_t i, j, n = tgpl_obligations_count(o);
	int rc;

	if ((rc = rp_puts(r, "<section id=\"obligations\">\n<h2>Obligations</h2>\n<p>What training a model on the "
			     "corpus triggers, with the evidence for each (the lines read back from the repository) "
			     "and what the policy says of it.</p>\n")) < 0)
		return rc;
	if (n == 0 && (rc = rp_puts(r, "<p class=\"none\">None.</p>\n")) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const tgpl_obligation *b = tgpl_obligations_at(o, i);
		size_t files = report_obl_n_files(b);

		if ((rc = rp_printf(r, "<article class=\"evidence\" id=\"obligation-%s\"><h3>%s ", b->name, b->name)) < 0 ||
		    (rc = action_span(r, b->action)) < 0 ||
		    (rc = rp_printf(r, "</h3>\n<p>%s</p>\n<p class=\"meta\">%zu repositor%s, %zu file%s", b->meaning,
				    b->n_repos, b->n_repos == 1 ? "y" : "ies", files, files == 1 ? "" : "s")) < 0)
			return rc;
		for (j = 0; j < b->n_sources; j++)
			if ((rc = rp_puts(r, j ? ", " : "; from ")) < 0 || (rc = rp_html_z(r, b->sources[j])) < 0)
				return rc;
		if ((rc = rp_puts(r, "</p>\n")) < 0)
			return rc;
		for (j = 0; j < b->n_evidence && j < HTML_EVIDENCE; j++)
			if ((rc = obl_evidence(r, &b->evidence[j])) < 0)
				return rc;
		if (b->n_evidence + b->n_omitted > HTML_EVIDENCE &&
		    (rc = rp_printf(r, "<p class=\"meta\">%zu more pieces of evidence; <code>tgpl report --format "
				       "json</code> has them.</p>\n", b->n_evidence + b->n_omitted - HTML_EVIDENCE)) < 0)
			return rc;
		if ((rc = rp_puts(r, "</article>\n")) < 0)
			return rc;
	}
	return rp_puts(r, "</section>\n");
}

static int conflicts(report *r)
{
	const tgpl_obligations *o = r->obl;
	size_t i, j, n = tgpl_obligations_conflict_count(o);
	int rc;

	if ((rc = rp_puts(r, "<section id=\"conflicts\">\n<h2>Conflicts</h2>\n")) < 0)
		return rc;
	if (n == 0)
		return rp_puts(r, "<p class=\"none\">None: one model can meet every obligation together.</p>\n"
				  "</section>\n");
	if ((rc = rp_puts(r, "<table id=\"conflict-table\"><thead><tr><th>Conflict</th><th>Action</th>"
			     "<th>Why</th><th>Repositories</th></tr></thead><tbody>\n")) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const tgpl_conflict *c = tgpl_obligations_conflict_at(o, i);

		if ((rc = rp_puts(r, "<tr><td><code>")) < 0 || (rc = rp_html_z(r, c->id)) < 0 ||
		    (rc = rp_puts(r, "</code></td><td>")) < 0 || (rc = action_span(r, c->action)) < 0 ||
		    (rc = rp_printf(r, "%s%s</td><td>", c->resolved ? " (resolved: one side is excluded)" : "",
				    c->inherited ? " (inherited)" : "")) < 0 ||
		    (rc = rp_html_z(r, c->sentence)) < 0 || (rc = rp_puts(r, "</td><td class=\"path\">")) < 0)
			return rc;
		for (j = 0; j < c->n_repos; j++) {
			const tgpl_repository *p = tgpl_obligations_repo_at(o, c->repos[j]);

			if ((rc = rp_puts(r, j ? "<br>" : "")) < 0 || (rc = rp_html_z(r, p ? p->path : "")) < 0)
				return rc;
		}
		if ((rc = rp_puts(r, "</td></tr>\n")) < 0)
			return rc;
	}
	return rp_puts(r, "</tbody></table>\n</section>\n");
}

/* ---- summary, repositories, files ----------------------------------------- */

static int summary(report *r)
{
	report_tally t;
	char when[32];
	int rc;

	report_time(when, r->created);
	if ((rc = report_tally_get(r, NULL, &t)) < 0)
		return rc;
	rc = rp_printf(r, "<header><h1>tgpl report</h1><p class=\"meta\">Created %s by tgpl %s from the scanned "
			    "database: for each repository, its most recently scanned revision.</p></header>\n"
			    "<nav><a href=\"#summary\">Summary</a><a href=\"#verdicts\">Verdicts</a>"
			    "<a href=\"#obligations\">Obligations</a><a href=\"#conflicts\">Conflicts</a>"
			    "<a href=\"#evidence\">Clauses and opt-outs</a>"
			    "<a href=\"#licenses\">Licences</a>"
			    "<a href=\"#repositories\">Repositories</a><a href=\"#files\">Files</a></nav>\n"
			    "<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"summary\">"
			    "<dt>Corpus verdict</dt><dd><span class=\"verdict v-%s\">%s</span>%s</dd>"
			    "<dt>Obligations</dt><dd>%zu</dd><dt>Conflicts</dt><dd>%zu</dd>"
			    "<dt>Repositories</dt><dd>%zu</dd><dt>Files</dt><dd>%lld (%.1f MB)</dd>"
			    "<dt>Files with TGPL clauses</dt><dd>%lld</dd>"
			    "<dt>Files with training opt-outs</dt><dd>%lld</dd>"
			    "<dt>Files without a concluded licence</dt><dd>%lld</dd>"
			    "<dt>Files not analysed (binary, too big)</dt><dd>%lld</dd>"
			    "<dt>Policy</dt><dd><code>",
			 when, TGPL_VERSION, tgpl_verdict_name(tgpl_obligations_verdict(r->obl)),
			 tgpl_verdict_name(tgpl_obligations_verdict(r->obl)),
			 tgpl_obligations_denied(r->obl) ? " (the policy denies something)" : "",
			 tgpl_obligations_count(r->obl), tgpl_obligations_conflict_count(r->obl), r->n_revs, (long long)r->n_files, (double)r->bytes / 1e6,
			 (long long)t.with_clauses, (long long)t.with_optouts, (long long)t.no_license,
			 (long long)t.skipped);
	if (rc < 0 || (rc = rp_html_z(r, tgpl_obligations_policy_name(r->obl))) < 0)
		return rc;
	return rp_puts(r, "</code></dd></dl>\n</section>\n");
}

static int repositories(report *r)
{
	size_t i;
	int rc;

	if ((rc = rp_puts(r, "<section id=\"repositories\">\n<h2>Repositories</h2>\n")) < 0 ||
	    (rc = filter_box(r, "repo-table", "repositories")) < 0 ||
	    (rc = rp_puts(r, "<table id=\"repo-table\"><thead><tr><th>Repository</th><th>Origin</th><th>Revision</th>"
			     "<th>Declared licence</th><th class=\"num\">Files</th></tr></thead><tbody>\n")) < 0)
		return rc;
	for (i = 0; i < r->n_revs; i++) {
		const report_rev *v = &r->revs[i];

		if ((rc = rp_puts(r, "<tr><td class=\"path\">")) < 0 || (rc = rp_html(r, v->repo_path, v->repo_path_len)) < 0 ||
		    (rc = rp_puts(r, "</td><td class=\"path\">")) < 0 || (rc = rp_html_z(r, v->origin)) < 0 ||
		    (rc = rp_printf(r, "</td><td><code>%s</code> ", v->kind)) < 0 ||
		    (rc = rp_html_z(r, v->commit ? v->commit : "")) < 0 || (rc = rp_puts(r, "</td><td>")) < 0 ||
		    (rc = v->declared ? rp_html_z(r, v->declared) : rp_puts(r, "<span class=\"warn\">none</span>")) < 0 ||
		    (rc = rp_printf(r, "</td><td class=\"num\">%lld</td></tr>\n", (long long)v->n_files)) < 0)
			return rc;
	}
	return rp_puts(r, "</tbody></table>\n</section>\n");
}

static int evidence(report *r, const tgpl_detection *d)
{
	size_t i;
	int rc = 0;

	for (i = 0; d && i < d->n_licenses && rc == 0; i++) {
		const tgpl_license_hit *h = &d->licenses[i];

		if ((rc = rp_puts(r, i ? "<br>" : "")) < 0 || (rc = rp_html_z(r, h->spdx ? h->spdx : "(unnamed)")) < 0 ||
		    (rc = rp_printf(r, " <span class=\"meta\">%s, line%s %u", tgpl_kind_name(h->kind),
				    h->end_line > h->start_line ? "s" : "", h->start_line)) < 0)
			break;
		if (h->end_line > h->start_line && (rc = rp_printf(r, "–%u", h->end_line)) < 0)
			break;
		if (h->note && ((rc = rp_puts(r, "; ")) < 0 || (rc = rp_html_z(r, h->note)) < 0))
			break;
		rc = rp_puts(r, "</span>");
	}
	return rc;
}

static int clauses(report *r, const tgpl_detection *d)
{
	size_t i;
	int rc = 0;

	for (i = 0; d && i < d->n_clauses && rc == 0; i++)
		if ((rc = rp_puts(r, i ? "<br>" : "")) == 0 && (rc = rp_html_z(r, d->clauses[i].id)) == 0)
			rc = rp_printf(r, " <span class=\"meta\">lines %u–%u</span>", d->clauses[i].start_line,
				       d->clauses[i].end_line);
	for (i = 0; d && i < d->n_optouts && rc == 0; i++) {
		if ((rc = rp_puts(r, i || d->n_clauses ? "<br>" : "")) < 0 ||
		    (rc = rp_puts(r, "<span class=\"warn\">opt-out</span> ")) < 0 ||
		    (rc = rp_html_z(r, d->optouts[i].kind)) < 0)
			break;
		if (d->optouts[i].detail && ((rc = rp_puts(r, ": ")) < 0 || (rc = rp_html_z(r, d->optouts[i].detail)) < 0))
			break;
		rc = rp_printf(r, " <span class=\"meta\">lines %u–%u</span>", d->optouts[i].start_line,
			       d->optouts[i].end_line);
	}
	return rc;
}

static int files(report *r)
{
	size_t i, rows = 0;
	int rc;

	if ((rc = rp_puts(r, "<section id=\"files\">\n<h2>Files</h2>\n")) < 0 ||
	    (rc = filter_box(r, "file-table", "files")) < 0 ||
	    (rc = rp_puts(r, "<table id=\"file-table\"><thead><tr><th>Repository</th><th>Path</th>"
			     "<th>Concluded licence</th><th>Decided by</th><th>Evidence</th>"
			     "<th>Clauses and opt-outs</th><th>SWHID</th></tr></thead><tbody>\n")) < 0)
		return rc;
	for (i = 0; i < r->n_revs && rows < MAX_FILE_ROWS; i++) {
		const report_rev *v = &r->revs[i];
		const char *name;
		size_t name_len;
		report_cursor c;

		report_repo_name(v, &name, &name_len);
		if ((rc = report_files_open(&c, r, v, NULL, REPORT_FINDINGS)) < 0)
			return rc;
		while (rows < MAX_FILE_ROWS && (rc = report_files_next(&c)) > 0) {
			const report_file *f = &c.cur;

			rows++;
			if ((rc = rp_puts(r, "<tr><td>")) < 0 || (rc = rp_html(r, name, name_len)) < 0 ||
			    (rc = rp_puts(r, "</td><td class=\"path\">")) < 0 || (rc = rp_html(r, f->path, f->path_len)) < 0 ||
			    (strcmp(f->type, "file") != 0 && (rc = rp_printf(r, " <span class=\"meta\">(%s)</span>",
									     f->type)) < 0) ||
			    (rc = rp_puts(r, "</td><td>")) < 0 ||
			    (rc = f->concluded ? rp_html_z(r, f->concluded) : rp_puts(r, "<span class=\"none\">none</span>")) < 0 ||
			    (rc = rp_puts(r, "</td><td class=\"path\">")) < 0 || (rc = rp_html_z(r, f->decided_by)) < 0 ||
			    (rc = rp_puts(r, "</td><td>")) < 0)
				break;
			if (f->skipped && (rc = rp_puts(r, "<span class=\"none\">not analysed: </span>")) == 0)
				rc = rp_html_z(r, f->skipped);
			else if (!f->skipped)
				rc = evidence(r, f->det);
			if (rc < 0 || (rc = rp_puts(r, "</td><td>")) < 0 || (rc = clauses(r, f->det)) < 0 ||
			    (rc = rp_printf(r, "</td><td><code>swh:1:%s:%s</code></td></tr>\n",
					    strcmp(f->type, "gitlink") == 0 ? "rev" : "cnt", f->oid)) < 0)
				break;
		}
		report_files_close(&c);
		if (rc < 0)
			return rc;
	}
	if ((rc = rp_puts(r, "</tbody></table>\n")) < 0)
		return rc;
	if (rows >= MAX_FILE_ROWS && r->n_entries > (int64_t)rows &&
	    (rc = rp_printf(r, "<p class=\"warn\">Only the first %zu of %lld entries are listed here; "
			       "<code>tgpl report --format csv</code> or <code>--format json</code> has them all.</p>\n",
			    rows, (long long)r->n_entries)) < 0)
		return rc;
	return rp_puts(r, "</section>\n");
}

int report_html(report *r)
{
	int rc;

	if ((rc = head(r)) < 0 || (rc = summary(r)) < 0 || (rc = verdicts(r)) < 0 || (rc = obligations(r)) < 0 ||
	    (rc = conflicts(r)) < 0 || (rc = evidence_section(r)) < 0 ||
	    (rc = distribution(r)) < 0 || (rc = repositories(r)) < 0 || (rc = files(r)) < 0)
		return rc;
	return rp_printf(r, "<script>%s</script>\n</body>\n</html>\n", script);
}
