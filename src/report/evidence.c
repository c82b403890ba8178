/*
 * evidence.c — the files that carry a TGPL clause or a training opt-out, with
 * the lines that say so, read back from the repositories for a reviewer.
 * The formats (html, md) supply the callbacks that write them.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

typedef struct {
	report *r;
	const report_evidence_sink *sink;
	void *payload;
} line_state;

static int on_line(uint32_t line, const char *text, size_t len, void *payload)
{
	line_state *s = payload;

	return s->sink->line(s->r, line, text, len, s->payload);
}

/* One finding: its heading, then its lines (when the content could be read). */
static int hit(report *r, const report_evidence_sink *sink, void *payload, const char *what, const char *id,
	       const char *detail, uint32_t start, uint32_t end, const char *data, size_t len)
{
	line_state ls = { r, sink, payload };
	int rc;

	if ((rc = sink->hit(r, what, id, detail, start, end, payload)) < 0)
		return rc;
	if (data && start > 0 && (rc = report_lines(data, len, start, end, REPORT_MAX_EXCERPT_LINES, on_line, &ls)) < 0)
		return rc;
	if (data && start > 0 && end >= start + REPORT_MAX_EXCERPT_LINES &&
	    (rc = sink->more(r, end - start + 1 - REPORT_MAX_EXCERPT_LINES, payload)) < 0)
		return rc;
	return sink->hit_end(r, payload);
}

int report_evidence(report *r, const report_evidence_sink *sink, void *payload, size_t max_files, size_t *n_files)
{
	size_t i, k, seen = 0;
	int rc = 0;

	for (i = 0; i < r->n_revs && rc >= 0; i++) {
		const report_rev *v = &r->revs[i];
		report_cursor c;

		if ((rc = report_files_open(&c, r, v, NULL, REPORT_FINDINGS | REPORT_SIGNALS)) < 0)
			break;
		while ((rc = report_files_next(&c)) > 0) {
			const report_file *f = &c.cur;
			const tgpl_detection *d = f->det;
			char *data = NULL;
			size_t len = 0;

			if (!d || (!d->n_clauses && !d->n_optouts))
				continue;
			if (seen++ >= max_files)
				continue;   /* counted, not shown */
			if (!r->blobs && (rc = report_blobs_new(&r->blobs, r->ctx)) < 0)
				break;
			rc = report_blob_read(r->blobs, v, f, TGPL_DEFAULT_MAX_FILE_SIZE, &data, &len);
			if (rc == TGPL_ENOMEM)
				break;
			rc = sink->file(r, v, f, rc < 0 ? tgpl_errmsg(r->ctx) : NULL, payload);
			for (k = 0; rc >= 0 && k < d->n_clauses; k++)
				rc = hit(r, sink, payload, "clause", d->clauses[k].id, d->clauses[k].kind,
					 d->clauses[k].start_line, d->clauses[k].end_line, data, len);
			for (k = 0; rc >= 0 && k < d->n_optouts; k++)
				rc = hit(r, sink, payload, "opt-out", d->optouts[k].kind, d->optouts[k].detail,
					 d->optouts[k].start_line, d->optouts[k].end_line, data, len);
			if (rc >= 0)
				rc = sink->file_end(r, payload);
			free(data);
			if (rc < 0)
				break;
		}
		report_files_close(&c);
	}
	if (n_files)
		*n_files = seen;
	return rc < 0 ? rc : 0;
}
