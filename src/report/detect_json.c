/* detect_json.c — the JSON Lines record of `tgpl detect --json` (DESIGN.md §3). */
#include <stdlib.h>
#include <string.h>

#include "tgpl/report.h"
#include "util/util.h"

static int put_str_or_null(tgpl_buf *b, const char *s)
{
	return s ? tgpl_buf_put_json_string(b, s, strlen(s)) : tgpl_buf_puts(b, "null");
}

static int put_score(tgpl_buf *b, double score)
{
	/* Two or more decimals as needed, never locale-dependent exponent forms. */
	return tgpl_buf_printf(b, "%.4g", score < 0 ? 0 : score > 1 ? 1 : score);
}

int tgpl_report_detection_json(char **out, const char *path, size_t path_len,
			       const char *sha1_git, const tgpl_detection *d)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t i, j;
	int rc = 0;

#define P(x) do { if ((x) < 0) goto oom; } while (0)
	P(tgpl_buf_puts(&b, "{\"path\":"));
	P(tgpl_buf_put_json_string(&b, path, path_len));
	P(tgpl_buf_puts(&b, ",\"sha1_git\":"));
	P(put_str_or_null(&b, sha1_git));
	if (sha1_git)
		P(tgpl_buf_printf(&b, ",\"swhid\":\"swh:1:cnt:%s\"", sha1_git));
	else
		P(tgpl_buf_puts(&b, ",\"swhid\":null"));
	P(tgpl_buf_puts(&b, ",\"expression\":"));
	P(put_str_or_null(&b, d->expression));
	P(tgpl_buf_puts(&b, ",\"licenses\":["));
	for (i = 0; i < d->n_licenses; i++) {
		const tgpl_license_hit *h = &d->licenses[i];

		P(tgpl_buf_puts(&b, i ? ",{\"spdx\":" : "{\"spdx\":"));
		P(put_str_or_null(&b, h->spdx));
		P(tgpl_buf_printf(&b, ",\"kind\":\"%s\",\"start_line\":%u,\"end_line\":%u,\"score\":",
				  tgpl_kind_name(h->kind), h->start_line, h->end_line));
		P(put_score(&b, h->score));
		if (h->expr) {
			P(tgpl_buf_puts(&b, ",\"expr\":"));
			P(put_str_or_null(&b, h->expr));
		}
		P(tgpl_buf_puts(&b, ",\"rule\":"));
		P(put_str_or_null(&b, h->rule));
		if (h->note) {
			P(tgpl_buf_puts(&b, ",\"note\":"));
			P(put_str_or_null(&b, h->note));
		}
		if (h->n_unmatched) {
			P(tgpl_buf_puts(&b, ",\"unmatched\":["));
			for (j = 0; j < h->n_unmatched; j++)
				P(tgpl_buf_printf(&b, "%s{\"start_line\":%u,\"end_line\":%u}", j ? "," : "",
						  h->unmatched[j].start_line, h->unmatched[j].end_line));
			P(tgpl_buf_putc(&b, ']'));
		}
		P(tgpl_buf_putc(&b, '}'));
	}
	P(tgpl_buf_puts(&b, "],\"clauses\":["));
	for (i = 0; i < d->n_clauses; i++) {
		const tgpl_clause_hit *h = &d->clauses[i];

		P(tgpl_buf_puts(&b, i ? ",{\"id\":" : "{\"id\":"));
		P(put_str_or_null(&b, h->id));
		P(tgpl_buf_puts(&b, ",\"kind\":"));
		P(put_str_or_null(&b, h->kind));
		P(tgpl_buf_printf(&b, ",\"start_line\":%u,\"end_line\":%u,\"score\":", h->start_line, h->end_line));
		P(put_score(&b, h->score));
		P(tgpl_buf_puts(&b, ",\"rule\":"));
		P(put_str_or_null(&b, h->rule));
		P(tgpl_buf_putc(&b, '}'));
	}
	P(tgpl_buf_puts(&b, "],\"optouts\":["));
	for (i = 0; i < d->n_optouts; i++) {
		const tgpl_optout_hit *h = &d->optouts[i];

		P(tgpl_buf_puts(&b, i ? ",{\"kind\":" : "{\"kind\":"));
		P(put_str_or_null(&b, h->kind));
		P(tgpl_buf_printf(&b, ",\"start_line\":%u,\"end_line\":%u", h->start_line, h->end_line));
		if (h->detail) {
			P(tgpl_buf_puts(&b, ",\"detail\":"));
			P(put_str_or_null(&b, h->detail));
		}
		P(tgpl_buf_putc(&b, '}'));
	}
	P(tgpl_buf_puts(&b, "],\"skipped\":"));
	P(put_str_or_null(&b, d->skipped));
	P(tgpl_buf_putc(&b, '}'));
#undef P
	*out = tgpl_buf_detach(&b);
	if (!*out)
		rc = TGPL_ENOMEM;
	return rc;
oom:
	tgpl_buf_release(&b);
	return TGPL_ENOMEM;
}
