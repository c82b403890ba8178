/*
 * detect.c — tgpl_detect(): prepare a blob as text and run the detectors.
 *
 * Order matters only for the report: tags first (the file's own statement),
 * then notices and references, licence texts, then package metadata.  The
 * file's own expression is the AND of the distinct statements found.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/clauses.h"
#include "detect/detect_int.h"
#include "detect/optout.h"
#include "util/util.h"


#define BINARY_SNIFF 8000

uint32_t text_line_of(const text_view *t, size_t off)
{
	uint32_t lo = 0, hi = t->n_lines;

	if (!t->n_lines)
		return 0;
	/* Last line whose start is <= off. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->line_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo + 1;
}

static int build_lines(uint32_t **out, uint32_t *n, const char *data, size_t len)
{
	uint32_t *off = NULL;
	size_t cap = 0, count = 0, i;

	if (len == 0) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	if (tgpl_grow((void **)&off, &cap, 1, sizeof(*off)) < 0)
		return TGPL_ENOMEM;
	off[count++] = 0;
	for (i = 0; i < len; i++) {
		const char *nl = memchr(data + i, '\n', len - i);
		if (!nl || (size_t)(nl - data) + 1 >= len)
			break;
		i = (size_t)(nl - data);
		if (tgpl_grow((void **)&off, &cap, count + 1, sizeof(*off)) < 0) {
			free(off);
			return TGPL_ENOMEM;
		}
		off[count++] = (uint32_t)(i + 1);
	}
	*out = off;
	*n = (uint32_t)count;
	return 0;
}

static int is_binary(const char *data, size_t len)
{
	return memchr(data, '\0', len < BINARY_SNIFF ? len : BINARY_SNIFF) != NULL;
}

int det_add_license(det_builder *b, const char *spdx, tgpl_kind kind,
		    uint32_t start_line, uint32_t end_line, double score,
		    const char *rule, const char *note,
		    const tgpl_span *unmatched, size_t n_unmatched)
{
	tgpl_detection *d = b->det;
	tgpl_license_hit *h;

	if (tgpl_grow((void **)&d->licenses, &b->cap_licenses, d->n_licenses + 1, sizeof(*h)) < 0)
		return TGPL_ENOMEM;
	h = &d->licenses[d->n_licenses];
	memset(h, 0, sizeof(*h));
	h->kind = kind;
	h->start_line = start_line;
	h->end_line = end_line;
	h->score = score;
	if ((spdx && !(h->spdx = tgpl_strdup(spdx))) || (rule && !(h->rule = tgpl_strdup(rule))) ||
	    (note && !(h->note = tgpl_strdup(note))))
		goto oom;
	if (n_unmatched) {
		h->unmatched = tgpl_calloc(n_unmatched, sizeof(*h->unmatched));
		if (!h->unmatched)
			goto oom;
		memcpy(h->unmatched, unmatched, n_unmatched * sizeof(*unmatched));
		h->n_unmatched = n_unmatched;
	}
	d->n_licenses++;
	return 0;
oom:
	free(h->spdx);
	free(h->rule);
	free(h->note);
	return TGPL_ENOMEM;
}

int det_set_expr(det_builder *b, size_t from, const char *expr)
{
	size_t i;

	for (i = from; i < b->det->n_licenses; i++) {
		free(b->det->licenses[i].expr);
		b->det->licenses[i].expr = NULL;
		if (expr && !(b->det->licenses[i].expr = tgpl_strdup(expr)))
			return TGPL_ENOMEM;
	}
	return 0;
}

int det_add_clause(det_builder *b, const char *id, const char *kind,
		   uint32_t start_line, uint32_t end_line, double score, const char *rule)
{
	tgpl_detection *d = b->det;
	tgpl_clause_hit *h;

	if (tgpl_grow((void **)&d->clauses, &b->cap_clauses, d->n_clauses + 1, sizeof(*h)) < 0)
		return TGPL_ENOMEM;
	h = &d->clauses[d->n_clauses];
	memset(h, 0, sizeof(*h));
	h->start_line = start_line;
	h->end_line = end_line;
	h->score = score;
	if (!(h->id = tgpl_strdup(id)) || (kind && !(h->kind = tgpl_strdup(kind))) ||
	    (rule && !(h->rule = tgpl_strdup(rule)))) {
		free(h->id);
		free(h->kind);
		free(h->rule);
		return TGPL_ENOMEM;
	}
	d->n_clauses++;
	return 0;
}

int det_add_optout(det_builder *b, const char *kind, uint32_t start_line,
		   uint32_t end_line, const char *detail)
{
	tgpl_detection *d = b->det;
	tgpl_optout_hit *h;

	if (tgpl_grow((void **)&d->optouts, &b->cap_optouts, d->n_optouts + 1, sizeof(*h)) < 0)
		return TGPL_ENOMEM;
	h = &d->optouts[d->n_optouts];
	memset(h, 0, sizeof(*h));
	h->start_line = start_line;
	h->end_line = end_line;
	if (!(h->kind = tgpl_strdup(kind)) || (detail && !(h->detail = tgpl_strdup(detail)))) {
		free(h->kind);
		free(h->detail);
		return TGPL_ENOMEM;
	}
	d->n_optouts++;
	return 0;
}

/*
 * A notice or reference inside a licence text is part of that text (the GPL's
 * "How to Apply" appendix holds an "or any later version" notice; CC texts
 * name themselves): the text hit speaks for the region, so drop them.
 */
static void drop_notices_inside_texts(tgpl_detection *d)
{
	size_t i, j, out = 0;

	for (i = 0; i < d->n_licenses; i++) {
		tgpl_license_hit *h = &d->licenses[i];
		int inside = 0;

		if (h->kind == TGPL_KIND_NOTICE || h->kind == TGPL_KIND_REFERENCE) {
			for (j = 0; j < d->n_licenses && !inside; j++) {
				const tgpl_license_hit *t = &d->licenses[j];
				inside = t->kind == TGPL_KIND_TEXT && t->start_line <= h->start_line &&
					 h->end_line <= t->end_line;
			}
		}
		if (inside) {
			free(h->spdx);
			free(h->expr);
			free(h->rule);
			free(h->note);
			free(h->unmatched);
			continue;
		}
		d->licenses[out++] = *h;
	}
	d->n_licenses = out;
}

/* Does expression `expr` name `id` (as a whole token)? */
static int expr_names(const char *expr, const char *id)
{
	size_t n = strlen(id);
	const char *p = expr;

	while ((p = strstr(p, id)) != NULL) {
		int before = p == expr || p[-1] == ' ' || p[-1] == '(';
		int after = p[n] == '\0' || p[n] == ' ' || p[n] == ')';
		if (before && after)
			return 1;
		p += n;
	}
	return 0;
}

/*
 * The file's own expression: each distinct statement once, joined with AND.
 * A statement is a hit's `expr` (tags, notices, metadata) or its id (texts).
 * A single id that a fuller statement already names adds nothing (a GPL
 * notice under a tag that says GPL).  REUSE annotations (rule "reuse:...")
 * speak of other files and are left out; so is a lone exception.
 *
 * The TGPL rider's text (AdditionRef-TGPL-1.0) is an addition to the licence
 * text just above it: "MIT" then the rider is "MIT WITH AdditionRef-TGPL-1.0".
 * A rider with no licence text before it is left out, as a lone exception.
 */
static int conclude_expression(tgpl_detection *d, const tgpl_engine *e)
{
	tgpl_buf b = TGPL_BUF_INIT;
	const char **seen = NULL;
	char **with = NULL;   /* with[i]: the statement of hit i when a rider follows it */
	size_t n_seen = 0, i, j;
	int rc = 0, parts = 0, compound = 0;

	seen = tgpl_calloc(d->n_licenses + 1, sizeof(*seen));
	with = tgpl_calloc(d->n_licenses + 1, sizeof(*with));
	if (!seen || !with) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	for (i = 0; i < d->n_licenses; i++) {
		const tgpl_license_hit *r = &d->licenses[i];
		size_t base = d->n_licenses;

		if (r->kind != TGPL_KIND_TEXT || !r->spdx || strcmp(r->spdx, TGPL_RIDER_ID) != 0)
			continue;
		for (j = 0; j < d->n_licenses; j++) {
			const tgpl_license_hit *t = &d->licenses[j];

			if (t->kind == TGPL_KIND_TEXT && t->spdx && !t->expr && j != i &&
			    strcmp(t->spdx, TGPL_RIDER_ID) != 0 && t->end_line <= r->start_line &&
			    (base == d->n_licenses || t->end_line > d->licenses[base].end_line))
				base = j;
		}
		if (base < d->n_licenses && !with[base]) {
			tgpl_buf w = TGPL_BUF_INIT;

			if (tgpl_buf_printf(&w, "%s WITH %s", d->licenses[base].spdx, TGPL_RIDER_ID) < 0) {
				rc = TGPL_ENOMEM;
				goto done;
			}
			with[base] = tgpl_buf_detach(&w);
		}
	}
	for (i = 0; i < d->n_licenses; i++) {
		const tgpl_license_hit *h = &d->licenses[i];
		const char *s = with[i] ? with[i] : h->expr ? h->expr : h->spdx;

		if (!s || strcmp(s, "NOASSERTION") == 0 || (h->rule && strncmp(h->rule, "reuse:", 6) == 0))
			continue;
		if (!h->expr && engine_exception(e, s, strlen(s)))
			continue;
		if (h->kind == TGPL_KIND_TEXT && strcmp(s, TGPL_RIDER_ID) == 0)
			continue;
		for (j = 0; j < n_seen; j++)
			if (strcmp(seen[j], s) == 0)
				break;
		if (j < n_seen)
			continue;
		seen[n_seen++] = s;
	}
	/* Drop single ids named by another statement. */
	for (i = 0; i < n_seen; i++) {
		if (strchr(seen[i], ' '))
			continue;
		for (j = 0; j < n_seen; j++)
			if (j != i && seen[j] && strchr(seen[j], ' ') && expr_names(seen[j], seen[i]))
				break;
		if (j < n_seen)
			seen[i] = NULL;
	}
	for (i = 0; i < n_seen; i++)
		if (seen[i] && (strstr(seen[i], " OR ") || strstr(seen[i], " AND ")))
			compound = 1;
	for (i = 0; i < n_seen; i++) {
		int paren;

		if (!seen[i])
			continue;
		paren = compound && strstr(seen[i], " OR ") != NULL;
		if ((parts++ && tgpl_buf_puts(&b, " AND ") < 0) ||
		    tgpl_buf_printf(&b, paren ? "(%s)" : "%s", seen[i]) < 0) {
			rc = TGPL_ENOMEM;
			goto done;
		}
	}
	/* A lone statement keeps its form; parentheses only when joined. */
	if (parts == 1 && b.len > 2 && b.ptr[0] == '(' && b.ptr[b.len - 1] == ')') {
		memmove(b.ptr, b.ptr + 1, b.len - 2);
		b.len -= 2;
		b.ptr[b.len] = '\0';
	}
	if (parts && !(d->expression = tgpl_buf_detach(&b)))
		rc = TGPL_ENOMEM;
done:
	tgpl_buf_release(&b);
	for (i = 0; with && i < d->n_licenses; i++)
		free(with[i]);
	free(with);
	free(seen);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *slash;

	if (!path)
		return "";
	slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int tgpl_detect(tgpl_detection **out, tgpl_ctx *ctx, const tgpl_engine *engine,
		const tgpl_detect_options *opts, const char *path,
		const void *data, size_t len)
{
	tgpl_detect_options defaults = TGPL_DETECT_OPTIONS_INIT;
	det_builder b = { 0 };
	uint32_t *lines = NULL;
	text_view t;
	int rc = 0;

	if (!opts)
		opts = &defaults;
	b.det = tgpl_calloc(1, sizeof(*b.det));
	if (!b.det)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	if ((opts->max_file_size && len > opts->max_file_size) || is_binary(data, len)) {
		b.det->skipped = tgpl_strdup(len > opts->max_file_size && opts->max_file_size
					     ? "too-big" : "binary");
		if (!b.det->skipped) {
			rc = TGPL_ENOMEM;
			goto done;
		}
		goto finish;
	}
	if ((rc = build_lines(&lines, &b.det->n_lines, data, len)) < 0)
		goto done;
	t.data = data;
	t.len = len;
	t.line_off = lines;
	t.n_lines = b.det->n_lines;
	t.path = path;
	t.basename = base_name(path);
	if ((rc = detect_spdx_tags(&b, engine, &t)) < 0 ||
	    (rc = detect_rules(&b, engine, &t)) < 0 ||
	    (rc = detect_license_text(&b, engine, &t)) < 0 ||
	    (rc = detect_metadata(&b, engine, &t)) < 0 ||
	    (rc = detect_optouts(&b, engine, &t)) < 0 ||
	    (rc = detect_clauses(&b, engine, &t)) < 0)
		goto done;
	drop_notices_inside_texts(b.det);
	if ((rc = conclude_expression(b.det, engine)) < 0)
		goto done;
finish:
	*out = b.det;
	b.det = NULL;
done:
	free(lines);
	if (rc == TGPL_ENOMEM)
		tgpl_error(ctx, rc, "out of memory detecting in '%s'", path ? path : "(buffer)");
	tgpl_detection_free(b.det);
	return rc;
}

void tgpl_detection_free(tgpl_detection *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_licenses; i++) {
		free(d->licenses[i].spdx);
		free(d->licenses[i].expr);
		free(d->licenses[i].rule);
		free(d->licenses[i].note);
		free(d->licenses[i].unmatched);
	}
	free(d->licenses);
	for (i = 0; i < d->n_clauses; i++) {
		free(d->clauses[i].id);
		free(d->clauses[i].kind);
		free(d->clauses[i].rule);
	}
	free(d->clauses);
	for (i = 0; i < d->n_optouts; i++) {
		free(d->optouts[i].kind);
		free(d->optouts[i].detail);
	}
	free(d->optouts);
	free(d->expression);
	free(d->skipped);
	free(d);
}
