/*
 * check_match.c — the licence-text matcher (src/detect/match.c), its
 * tokeniser (tokenize.c) and the matcher's sections of the index (index.c).
 *
 * Every fixture is built at run time from the engine's own reference texts
 * (tgpl_engine_license(e, "MIT")->text): no licence text is in the tests.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "detect/index.h"
#include "detect/tokenize.h"
#include "util/util.h"

static tgpl_ctx *ctx;
static tgpl_engine *eng;

static void setup(void)
{
	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&eng, ctx, getenv("TGPL_DATADIR")) == 0, "engine: %s",
		      tgpl_errmsg(ctx));
}

static void teardown(void)
{
	tgpl_engine_free(eng);
	tgpl_ctx_free(ctx);
	eng = NULL;
	ctx = NULL;
}

/* ---- helpers ---------------------------------------------------------------- */

static const char *text_of(const char *id)
{
	const tgpl_license_info *li = tgpl_engine_license(eng, id);

	ck_assert_msg(li && li->text && *li->text, "no reference text for %s", id);
	return li->text;
}

/* Run the text matcher alone on n bytes; rc in *rcp. */
static tgpl_detection *match_rc(const char *s, size_t n, int *rcp)
{
	det_builder b;
	text_view t;
	uint32_t *lines = NULL;
	size_t cap = 0, count = 0, i;

	memset(&b, 0, sizeof(b));
	b.det = calloc(1, sizeof(*b.det));
	ck_assert_ptr_nonnull(b.det);
	if (n) {
		lines = malloc(sizeof(*lines) * 16);
		ck_assert_ptr_nonnull(lines);
		cap = 16;
		lines[count++] = 0;
		for (i = 0; i + 1 < n; i++)
			if (s[i] == '\n') {
				if (count == cap) {
					cap *= 2;
					lines = realloc(lines, cap * sizeof(*lines));
					ck_assert_ptr_nonnull(lines);
				}
				lines[count++] = (uint32_t)(i + 1);
			}
	}
	t.data = s;
	t.len = n;
	t.line_off = lines;
	t.n_lines = (uint32_t)count;
	t.path = "LICENSE";
	t.basename = "LICENSE";
	*rcp = detect_license_text(&b, eng, &t);
	b.det->n_lines = (uint32_t)count;
	free(lines);
	return b.det;
}

static tgpl_detection *match(const char *s)
{
	int rc;
	tgpl_detection *d = match_rc(s, strlen(s), &rc);

	ck_assert_int_eq(rc, 0);
	return d;
}

static const tgpl_license_hit *hit_of(const tgpl_detection *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->n_licenses; i++)
		if (d->licenses[i].spdx && strcmp(d->licenses[i].spdx, id) == 0)
			return &d->licenses[i];
	return NULL;
}

static char *ids_of(const tgpl_detection *d)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t i;

	tgpl_buf_puts(&b, "");
	for (i = 0; i < d->n_licenses; i++)
		tgpl_buf_printf(&b, "%s%s@%u-%u:%.3f", i ? " " : "", d->licenses[i].spdx,
				d->licenses[i].start_line, d->licenses[i].end_line, d->licenses[i].score);
	return tgpl_buf_detach(&b);
}

/* Exactly one hit, with this id; returns it. */
static const tgpl_license_hit *only_hit(const tgpl_detection *d, const char *id, const char *what)
{
	char *ids = ids_of(d);

	ck_assert_msg(d->n_licenses == 1 && strcmp(d->licenses[0].spdx, id) == 0,
		      "%s: want only %s, got [%s]", what, id, ids);
	free(ids);
	return &d->licenses[0];
}

static int has_alnum(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'))
			return 1;
	return 0;
}

/* First and last lines (1-based) of s that hold a letter or digit. */
static void text_lines(const char *s, uint32_t *first, uint32_t *last)
{
	uint32_t line = 1;

	*first = *last = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (has_alnum(s, n)) {
			if (!*first)
				*first = line;
			*last = line;
		}
		if (!nl)
			break;
		s = nl + 1;
		line++;
	}
}

static uint32_t count_lines(const char *s)
{
	uint32_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Rewrap each paragraph (blank-line separated) at `width` columns. */
static char *reflow(const char *s, size_t width)
{
	tgpl_buf out = TGPL_BUF_INIT;
	size_t col = 0;
	int blank_run = 0;

	tgpl_buf_puts(&out, "");
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s), i = 0;

		if (!has_alnum(s, n) && n < 3) {
			if (!blank_run && out.len) {
				tgpl_buf_puts(&out, "\n\n");
				col = 0;
			}
			blank_run = 1;
		} else {
			blank_run = 0;
			while (i < n) {
				size_t w;
				while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
					i++;
				for (w = 0; i + w < n && s[i + w] != ' ' && s[i + w] != '\t'; w++)
					;
				if (!w)
					break;
				if (col && col + 1 + w > width) {
					tgpl_buf_putc(&out, '\n');
					col = 0;
				} else if (col) {
					tgpl_buf_putc(&out, ' ');
					col++;
				}
				tgpl_buf_put(&out, s + i, w);
				col += w;
				i += w;
			}
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	tgpl_buf_putc(&out, '\n');
	return tgpl_buf_detach(&out);
}

/* Comment styles: a line prefix, and lines opening and closing the block. */
typedef struct {
	const char *open, *prefix, *close;
} style;

static const style styles[] = {
	{ NULL, "// ", NULL }, { NULL, "# ", NULL }, { "/*", " * ", " */" },
	{ "<!--", "  ", "-->" }, { NULL, "-- ", NULL }, { NULL, ";; ", NULL },
	{ NULL, "REM ", NULL }, { NULL, "% ", NULL }, { NULL, "! ", NULL },
	{ NULL, "' ", NULL }, { "(*", " * ", " *)" },
};
#define N_STYLES (sizeof(styles) / sizeof(styles[0]))

/* s with every line behind the style's prefix, inside its block lines. */
static char *wrap(const char *s, const style *st)
{
	tgpl_buf out = TGPL_BUF_INIT;

	tgpl_buf_puts(&out, "");
	if (st->open)
		tgpl_buf_printf(&out, "%s\n", st->open);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		tgpl_buf_printf(&out, "%s%.*s\n", st->prefix, (int)n, s);
		if (!nl)
			break;
		s = nl + 1;
	}
	if (st->close)
		tgpl_buf_printf(&out, "%s\n", st->close);
	return tgpl_buf_detach(&out);
}

/* Replace <...> and [...] placeholders with a name and a year. */
static char *fill(const char *s)
{
	tgpl_buf out = TGPL_BUF_INIT;

	tgpl_buf_puts(&out, "");
	while (*s) {
		if (*s == '<' || *s == '[') {
			char close = *s == '<' ? '>' : ']';
			const char *e = strchr(s, close);
			if (e && e - s > 2 && e - s < 40 && !memchr(s, '\n', (size_t)(e - s)) &&
			    !memchr(s, '/', (size_t)(e - s)) && !memchr(s, '@', (size_t)(e - s))) {
				tgpl_buf_puts(&out, "2024 Jane Q. Example");
				s = e + 1;
				continue;
			}
		}
		tgpl_buf_putc(&out, *s++);
	}
	return tgpl_buf_detach(&out);
}

/* The first `frac` of the lines of s. */
static char *head_lines(const char *s, double frac)
{
	uint32_t total = count_lines(s) + 1, keep = (uint32_t)(total * frac), line = 0;
	const char *p = s;

	while (*p && line < keep) {
		if (*p == '\n')
			line++;
		p++;
	}
	return tgpl_strndup(s, (size_t)(p - s));
}

/* A line of plain C that says nothing about licences. */
static void code_line(tgpl_buf *b, unsigned i)
{
	switch (i % 5) {
	case 0: tgpl_buf_printf(b, "static int fn_%u(int x) { return x * %u + 1; }\n", i, i % 97); break;
	case 1: tgpl_buf_printf(b, "\tbuf[%u] = (char)(i & 0x%x);\n", i % 64, i % 255); break;
	case 2: tgpl_buf_printf(b, "/* step %u: keep the table sorted */\n", i); break;
	case 3: tgpl_buf_printf(b, "#define LIMIT_%u %u\n", i, i * 3); break;
	default: tgpl_buf_puts(b, "\n"); break;
	}
}

static const char rider[] =
	"Additional condition: this work may not be used to train machine learning\n"
	"models, nor may it be included in any data set used for such training,\n"
	"without the prior written consent of the authors.\n";

static int span_covers(const tgpl_license_hit *h, uint32_t a, uint32_t b)
{
	size_t i;

	for (i = 0; i < h->n_unmatched; i++)
		if (h->unmatched[i].start_line <= a && h->unmatched[i].end_line >= b)
			return 1;
	return 0;
}

/* ---- the representative set ------------------------------------------------------ */

/* Source id and the id a match must report. */
static const struct { const char *src, *want; } rep[] = {
	{ "MIT", "MIT" }, { "Apache-2.0", "Apache-2.0" }, { "GPL-2.0-only", "GPL-2.0-only" },
	{ "GPL-3.0-only", "GPL-3.0-only" }, { "LGPL-2.1-only", "LGPL-2.1-only" },
	{ "LGPL-3.0-only", "LGPL-3.0-only" }, { "AGPL-3.0-only", "AGPL-3.0-only" },
	{ "BSD-2-Clause", "BSD-2-Clause" }, { "BSD-3-Clause", "BSD-3-Clause" },
	{ "BSD-4-Clause", "BSD-4-Clause" }, { "ISC", "ISC" }, { "MIT-0", "MIT-0" }, { "X11", "X11" },
	{ "Zlib", "Zlib" }, { "MPL-2.0", "MPL-2.0" }, { "CC-BY-4.0", "CC-BY-4.0" },
	{ "CC-BY-SA-4.0", "CC-BY-SA-4.0" }, { "CC-BY-NC-4.0", "CC-BY-NC-4.0" },
	{ "Unlicense", "Unlicense" }, { "Apache-1.1", "Apache-1.1" }, { "0BSD", "0BSD" },
	{ "GPL-1.0-only", "GPL-1.0-only" }, { "LGPL-2.0-only", "LGPL-2.0-only" },
	{ "CC-BY-3.0", "CC-BY-3.0" }, { "EPL-2.0", "EPL-2.0" }, { "BSL-1.0", "BSL-1.0" },
};
#define N_REP (sizeof(rep) / sizeof(rep[0]))

START_TEST(exact_texts_get_their_id_span_and_full_score)
{
	const char *text = text_of(rep[_i].src);
	tgpl_detection *d = match(text);
	const tgpl_license_hit *h = only_hit(d, rep[_i].want, rep[_i].src);
	uint32_t first, last;

	text_lines(text, &first, &last);
	ck_assert_msg(h->score == 1.0, "%s: score %f", rep[_i].src, h->score);
	ck_assert_str_eq(h->rule, "text");
	ck_assert_int_eq(h->kind, TGPL_KIND_TEXT);
	ck_assert_msg(h->start_line == first && h->end_line == last, "%s: span %u-%u, want %u-%u",
		      rep[_i].src, h->start_line, h->end_line, first, last);
	ck_assert_uint_eq(h->n_unmatched, 0);
	tgpl_detection_free(d);
}
END_TEST

START_TEST(reflowed_texts_match_at_40_and_100_columns)
{
	static const size_t widths[] = { 40, 100 };
	size_t w;

	for (w = 0; w < 2; w++) {
		char *text = reflow(text_of(rep[_i].src), widths[w]);
		tgpl_detection *d = match(text);
		const tgpl_license_hit *h = only_hit(d, rep[_i].want, rep[_i].src);
		uint32_t first, last;

		text_lines(text, &first, &last);
		ck_assert_msg(h->score >= 0.97, "%s at %zu: score %f", rep[_i].src, widths[w], h->score);
		/* a title above copyright lines wrapped at 40 columns may be left out */
		ck_assert_msg(h->start_line >= first && h->start_line <= first + 3 && h->end_line == last,
			      "%s at %zu: span %u-%u, want %u-%u", rep[_i].src, widths[w], h->start_line,
			      h->end_line, first, last);
		tgpl_detection_free(d);
		free(text);
	}
}
END_TEST

START_TEST(texts_in_every_comment_syntax)
{
	static const char *const ids[] = { "MIT", "BSD-3-Clause", "Apache-2.0", "GPL-2.0-only", "ISC" };
	size_t k;

	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		const char *src = text_of(ids[k]);
		char *text = wrap(src, &styles[_i]);
		tgpl_detection *d = match(text);
		const tgpl_license_hit *h = only_hit(d, ids[k], styles[_i].prefix);
		uint32_t first, last, off = styles[_i].open ? 1 : 0;

		text_lines(src, &first, &last);
		ck_assert_msg(h->score >= 0.97, "%s in '%s': score %f", ids[k], styles[_i].prefix, h->score);
		ck_assert_msg(h->start_line == first + off && h->end_line == last + off,
			      "%s in '%s': span %u-%u, want %u-%u", ids[k], styles[_i].prefix,
			      h->start_line, h->end_line, first + off, last + off);
		tgpl_detection_free(d);
		free(text);
	}
}
END_TEST

START_TEST(copyright_changed_and_placeholders_filled)
{
	static const char *const ids[] = { "MIT", "BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause", "ISC",
					   "Apache-2.0", "X11", "Zlib" };
	size_t k;

	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		tgpl_buf b = TGPL_BUF_INIT;
		char *filled = fill(text_of(ids[k])), *text;
		tgpl_detection *d;
		const tgpl_license_hit *h;

		tgpl_buf_printf(&b, "Copyright (c) 2019-2024 Example Project Developers\n"
				    "Copyright 2018 Someone Else <someone@example.org>\n\n%s", filled);
		text = tgpl_buf_detach(&b);
		d = match(text);
		h = only_hit(d, ids[k], "filled");
		ck_assert_msg(h->score >= 0.98, "%s filled: score %f", ids[k], h->score);
		ck_assert_msg(h->n_unmatched == 0, "%s filled: unmatched at %u", ids[k],
			      h->unmatched[0].start_line);
		ck_assert_msg(h->start_line <= 2, "%s filled: starts at %u", ids[k], h->start_line);
		tgpl_detection_free(d);
		free(text);
		free(filled);
	}
}
END_TEST

START_TEST(two_texts_concatenated_are_both_found_with_their_spans)
{
	static const char *const pairs[][2] = { { "MIT", "Apache-2.0" }, { "BSD-3-Clause", "GPL-2.0-only" },
						{ "ISC", "MIT" }, { "Apache-2.0", "MIT" },
						{ "GPL-3.0-only", "LGPL-3.0-only" } };
	size_t k;

	for (k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		const char *a = text_of(pairs[k][0]), *c = text_of(pairs[k][1]);
		tgpl_buf b = TGPL_BUF_INIT;
		char *text, *ids;
		tgpl_detection *d;
		const tgpl_license_hit *ha, *hc;
		uint32_t fa, la, fc, lc, off;

		tgpl_buf_printf(&b, "%s\n\n", a);
		off = count_lines(b.ptr);
		tgpl_buf_puts(&b, c);
		text = tgpl_buf_detach(&b);
		d = match(text);
		ids = ids_of(d);
		ha = hit_of(d, pairs[k][0]);
		hc = hit_of(d, pairs[k][1]);
		ck_assert_msg(d->n_licenses == 2 && ha && hc, "%s + %s: got [%s]", pairs[k][0], pairs[k][1], ids);
		text_lines(a, &fa, &la);
		text_lines(c, &fc, &lc);
		ck_assert_msg(ha->start_line == fa && ha->end_line == la && hc->start_line == fc + off &&
			      hc->end_line == lc + off, "%s + %s: [%s], want %u-%u and %u-%u", pairs[k][0],
			      pairs[k][1], ids, fa, la, fc + off, lc + off);
		ck_assert_msg(ha->score == 1.0 && hc->score == 1.0, "%s + %s: [%s]", pairs[k][0], pairs[k][1], ids);
		free(ids);
		tgpl_detection_free(d);
		free(text);
	}
}
END_TEST

START_TEST(text_embedded_at_line_500_of_a_c_file)
{
	tgpl_buf b = TGPL_BUF_INIT;
	char *lic = wrap(text_of("BSD-3-Clause"), &styles[2]), *text;
	tgpl_detection *d;
	const tgpl_license_hit *h;
	uint32_t first, last;
	unsigned i;

	tgpl_buf_puts(&b, "");
	for (i = 0; i < 499; i++)
		code_line(&b, i);
	tgpl_buf_puts(&b, lic);
	for (i = 0; i < 2000; i++)
		code_line(&b, i + 7);
	text = tgpl_buf_detach(&b);
	d = match(text);
	h = only_hit(d, "BSD-3-Clause", "embedded");
	text_lines(text_of("BSD-3-Clause"), &first, &last);
	ck_assert_uint_eq(h->start_line, 500 + first);
	ck_assert_uint_eq(h->end_line, 500 + last);
	ck_assert_msg(h->n_unmatched == 0, "code after the header is not licence text (%u-%u)",
		      h->unmatched[0].start_line, h->unmatched[0].end_line);
	ck_assert(h->score == 1.0);
	tgpl_detection_free(d);
	free(text);
	free(lic);
}
END_TEST

START_TEST(truncated_texts_are_partial_with_a_lower_score)
{
	static const char *const ids[] = { "GPL-3.0-only", "Apache-2.0", "GPL-2.0-only", "MPL-2.0" };
	size_t k;

	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		char *text = head_lines(text_of(ids[k]), 0.6);
		tgpl_detection *d = match(text);
		const tgpl_license_hit *h = only_hit(d, ids[k], "truncated");

		ck_assert_msg(h->score > 0.3 && h->score < 0.9, "%s at 60%%: score %f", ids[k], h->score);
		ck_assert_str_eq(h->rule, "text:partial");
		tgpl_detection_free(d);
		free(text);
	}
}
END_TEST

/* The rider goes after the paragraph that ends on line `after`. */
static char *insert_after_line(const char *s, uint32_t after, const char *what)
{
	tgpl_buf b = TGPL_BUF_INIT;
	uint32_t line = 0;
	const char *p = s;

	while (*p && line < after) {
		if (*p == '\n')
			line++;
		p++;
	}
	tgpl_buf_put(&b, s, (size_t)(p - s));
	tgpl_buf_printf(&b, "\n%s\n", what);
	tgpl_buf_puts(&b, p);
	return tgpl_buf_detach(&b);
}

START_TEST(rider_in_the_middle_is_unmatched_and_lowers_the_score)
{
	static const char *const ids[] = { "MIT", "BSD-3-Clause", "Apache-2.0", "GPL-3.0-only" };
	size_t k;

	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		const char *src = text_of(ids[k]);
		uint32_t total = count_lines(src), at = total / 2;
		char *text;
		tgpl_detection *d;
		const tgpl_license_hit *h;
		const char *p = src;
		uint32_t line = 1;

		/* after a blank line near the middle */
		while (*p) {
			if (*p == '\n') {
				line++;
				if (line >= at && p[1] == '\n')
					break;
			}
			p++;
		}
		text = insert_after_line(src, line, rider);
		d = match(text);
		h = only_hit(d, ids[k], "rider in the middle");
		ck_assert_msg(h->score < 1.0 && h->score > 0.6, "%s: score %f", ids[k], h->score);
		ck_assert_msg(span_covers(h, line + 2, line + 4), "%s: rider at %u-%u not unmatched (%zu spans)",
			      ids[k], line + 2, line + 4, h->n_unmatched);
		tgpl_detection_free(d);
		free(text);
	}
}
END_TEST

START_TEST(rider_at_the_end_is_unmatched_and_lowers_the_score)
{
	static const char *const ids[] = { "MIT", "GPL-3.0-only", "GPL-2.0-only", "BSD-2-Clause", "Apache-2.0" };
	size_t k;

	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		const char *src = text_of(ids[k]);
		tgpl_buf b = TGPL_BUF_INIT;
		char *text;
		tgpl_detection *d;
		const tgpl_license_hit *h;
		uint32_t at;

		tgpl_buf_printf(&b, "%s\n\n", src);
		at = count_lines(b.ptr) + 1;
		tgpl_buf_puts(&b, rider);
		text = tgpl_buf_detach(&b);
		d = match(text);
		h = only_hit(d, ids[k], "rider at the end");
		ck_assert_msg(h->score < 1.0, "%s: score %f", ids[k], h->score);
		ck_assert_msg(span_covers(h, at, at + 2), "%s: rider at %u-%u not unmatched", ids[k], at, at + 2);
		tgpl_detection_free(d);
		free(text);
	}
}
END_TEST

START_TEST(rider_in_a_comment_header_is_unmatched_but_code_is_not)
{
	tgpl_buf b = TGPL_BUF_INIT, lic = TGPL_BUF_INIT;
	char *wrapped, *text;
	tgpl_detection *d;
	const tgpl_license_hit *h;
	uint32_t rider_at;
	unsigned i;

	tgpl_buf_printf(&lic, "%s\n%s", text_of("MIT"), rider);
	wrapped = wrap(lic.ptr, &styles[0]);
	tgpl_buf_puts(&b, wrapped);
	rider_at = count_lines(text_of("MIT")) + 2;
	tgpl_buf_puts(&b, "\n#include <stdio.h>\n");
	for (i = 0; i < 100; i++)
		code_line(&b, i);
	text = tgpl_buf_detach(&b);
	d = match(text);
	h = only_hit(d, "MIT", "commented rider");
	ck_assert(span_covers(h, rider_at, rider_at + 2));
	for (i = 0; i < h->n_unmatched; i++)
		ck_assert_msg(h->unmatched[i].end_line <= rider_at + 3, "code reported as unmatched: %u-%u",
			      h->unmatched[i].start_line, h->unmatched[i].end_line);
	tgpl_detection_free(d);
	free(text);
	free(wrapped);
	tgpl_buf_release(&lic);
}
END_TEST

/* ---- what is not a licence text ----------------------------------------------------- */

START_TEST(licence_free_c_file_has_no_hit)
{
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	char *text;
	unsigned i;

	tgpl_buf_puts(&b, "");
	for (i = 0; i < 3000; i++)
		code_line(&b, i);
	text = tgpl_buf_detach(&b);
	ck_assert_int_eq(tok_prefilter(text, strlen(text)), 0);
	d = match(text);
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
	free(text);
}
END_TEST

START_TEST(mentions_references_and_shared_sentences_are_not_texts)
{
	static const char *const texts[] = {
		"# mylib\n\nLicensed under the MIT License. See LICENSE for details.\n",
		"This project is licensed under the terms of the Apache License, Version 2.0.\n"
		"Copyright 2024 Example. Permission to use this README is granted.\n",
		"/* Copyright (c) 2024 Example Inc. All rights reserved. */\nint main(void) { return 0; }\n",
		"Redistribution of this file is permitted; see COPYING for the warranty terms.\n",
	};
	size_t k;

	for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		tgpl_detection *d = match(texts[k]);
		char *ids = ids_of(d);
		ck_assert_msg(d->n_licenses == 0, "case %zu: [%s]", k, ids);
		free(ids);
		tgpl_detection_free(d);
	}
}
END_TEST

/* The paragraph of `id`'s text that contains `needle`. */
static char *paragraph_with(const char *id, const char *needle)
{
	const char *text = text_of(id), *at = strstr(text, needle), *s, *e;

	ck_assert_msg(at != NULL, "'%s' not in %s", needle, id);
	for (s = at; s > text && !(s[-1] == '\n' && s - 1 > text && s[-2] == '\n'); s--)
		;
	e = strstr(at, "\n\n");
	if (!e)
		e = at + strlen(at);
	return tgpl_strndup(s, (size_t)(e - s));
}

START_TEST(a_disclaimer_or_a_notice_alone_is_not_a_licence_text)
{
	static const char *const cases[][2] = {
		{ "MIT", "THE SOFTWARE IS PROVIDED" },
		{ "BSD-3-Clause", "THIS SOFTWARE IS PROVIDED" },
		{ "ISC", "THE SOFTWARE IS PROVIDED" },
		{ "GPL-2.0-only", "This program is free software" },
		{ "GPL-3.0-only", "This program is free software" },
		{ "Apache-2.0", "Licensed under the Apache License" },
		{ "LGPL-2.1-only", "This library is free software" },
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char *para = paragraph_with(cases[k][0], cases[k][1]), *wrapped = wrap(para, &styles[2]);
		tgpl_detection *d = match(wrapped);
		char *ids = ids_of(d);

		ck_assert_msg(d->n_licenses == 0, "%s '%s...': [%s]", cases[k][0], cases[k][1], ids);
		free(ids);
		tgpl_detection_free(d);
		free(wrapped);
		free(para);
	}
}
END_TEST

/* ---- variants, aliases, embedded references ------------------------------------------ */

START_TEST(identical_texts_report_the_preferred_id)
{
	static const char *const cases[][2] = {
		{ "GPL-2.0", "GPL-2.0-only" }, { "GPL-2.0+", "GPL-2.0-only" },
		{ "GPL-2.0-or-later", "GPL-2.0-only" }, { "GPL-3.0-or-later", "GPL-3.0-only" },
		{ "LGPL-2.1+", "LGPL-2.1-only" }, { "AGPL-3.0", "AGPL-3.0-only" },
		{ "LGPL-3.0-or-later", "LGPL-3.0-only" },
	};
	const lidx *idx = engine_index(eng);
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		tgpl_detection *d = match(text_of(cases[k][0]));
		only_hit(d, cases[k][1], cases[k][0]);
		tgpl_detection_free(d);
		ck_assert_uint_eq(lidx_ref_of(idx, cases[k][0]), lidx_ref_of(idx, cases[k][1]));
	}
	ck_assert_uint_lt(idx->n_refs, idx->n_licenses);
}
END_TEST

START_TEST(lgpl3_alone_is_the_whole_lgpl3)
{
	const char *text = text_of("LGPL-3.0-only"), *gpl = strstr(text, "GNU GENERAL PUBLIC LICENSE");
	char *own;
	tgpl_detection *d;
	const tgpl_license_hit *h;

	ck_assert_ptr_nonnull(gpl);
	own = tgpl_strndup(text, (size_t)(gpl - text));
	d = match(own);
	h = only_hit(d, "LGPL-3.0-only", "LGPL part");
	ck_assert_msg(h->score == 1.0, "score %f", h->score);
	tgpl_detection_free(d);
	free(own);
	/* and the GPL-3.0 text alone is not the LGPL */
	d = match(text_of("GPL-3.0-only"));
	only_hit(d, "GPL-3.0-only", "GPL-3.0");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(gpl_text_with_an_exception_reports_the_exception)
{
	tgpl_buf b = TGPL_BUF_INIT;
	const char *exc = text_of("GPL-2.0-with-classpath-exception");
	char *text;
	tgpl_detection *d;
	const tgpl_license_hit *g, *x;

	exc = strchr(exc, '\n');   /* past "insert GPL v2 license text here" */
	ck_assert_ptr_nonnull(exc);
	tgpl_buf_printf(&b, "%s\n\n%s", text_of("GPL-2.0-only"), exc);
	text = tgpl_buf_detach(&b);
	d = match(text);
	g = hit_of(d, "GPL-2.0-only");
	x = hit_of(d, "Classpath-exception-2.0");
	ck_assert(g && x);
	ck_assert_str_eq(x->expr, "GPL-2.0-only WITH Classpath-exception-2.0");
	ck_assert(g->end_line < x->start_line);
	tgpl_detection_free(d);
	free(text);
}
END_TEST

/* ---- hostile input, caps, failures ---------------------------------------------------- */

START_TEST(hostile_bytes_do_not_crash)
{
	size_t n = 1 << 20, i;
	char *buf = malloc(n + 1), *lic;
	uint32_t seed = 12345;
	tgpl_detection *d;
	int rc;

	ck_assert_ptr_nonnull(buf);
	/* random bytes with licence words sprinkled in */
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (char)(seed >> 16);
	}
	memcpy(buf + 1000, "license copyright permission", 28);
	d = match_rc(buf, n, &rc);
	ck_assert_int_eq(rc, 0);
	tgpl_detection_free(d);
	/* one huge line of words, NULs, invalid UTF-8, unclosed placeholders */
	for (i = 0; i < n; i++)
		buf[i] = "license \0\xff\xc3(a)<[ copyright_\xe2\x80"[i % 30];
	d = match_rc(buf, n, &rc);
	ck_assert_int_eq(rc, 0);
	tgpl_detection_free(d);
	/* a licence with NULs for some spaces and invalid UTF-8 between some
	 * words is still found */
	{
		tgpl_buf b = TGPL_BUF_INIT;
		const char *src = text_of("MIT");
		size_t len;
		for (i = 0; src[i]; i++) {
			if (src[i] == ' ' && i % 7 == 0)
				tgpl_buf_putc(&b, '\0');
			else if (src[i] == ' ' && i % 37 == 0)
				tgpl_buf_puts(&b, " \xc3\x28 \xff ");
			else
				tgpl_buf_putc(&b, src[i]);
		}
		len = b.len;
		lic = tgpl_buf_detach(&b);
		d = match_rc(lic, len, &rc);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(hit_of(d, "MIT"));
	tgpl_detection_free(d);
	free(lic);
	free(buf);
}
END_TEST

START_TEST(large_files_are_read_at_head_and_tail)
{
	tgpl_buf b = TGPL_BUF_INIT;
	char *text;
	tgpl_detection *d;
	unsigned i;

	tgpl_buf_printf(&b, "%s\n", text_of("MIT"));
	for (i = 0; b.len < ((size_t)3 << 20); i++)
		tgpl_buf_printf(&b, "word%u license lorem ipsum dolor sit amet consectetur %u\n", i % 13, i);
	tgpl_buf_printf(&b, "\n%s", text_of("BSD-2-Clause"));
	text = tgpl_buf_detach(&b);
	d = match(text);
	ck_assert_ptr_nonnull(hit_of(d, "MIT"));
	ck_assert_ptr_nonnull(hit_of(d, "BSD-2-Clause"));
	ck_assert_uint_gt(hit_of(d, "BSD-2-Clause")->start_line, 20000);
	tgpl_detection_free(d);
	free(text);
}
END_TEST

START_TEST(many_copies_are_capped_and_each_found)
{
	tgpl_buf b = TGPL_BUF_INIT;
	char *text;
	tgpl_detection *d;
	unsigned i;

	tgpl_buf_puts(&b, "");
	for (i = 0; i < 50; i++)
		tgpl_buf_printf(&b, "Package %u\nCopyright (c) 20%02u Author %u\n\n%s\n\n-----\n", i, i, i,
				text_of("ISC"));
	text = tgpl_buf_detach(&b);
	d = match(text);
	ck_assert_uint_ge(d->n_licenses, 16);
	ck_assert_uint_le(d->n_licenses, 64);
	for (i = 0; i < d->n_licenses; i++)
		ck_assert_str_eq(d->licenses[i].spdx, "ISC");
	tgpl_detection_free(d);
	free(text);
}
END_TEST

START_TEST(allocation_failures_return_enomem)
{
	tgpl_buf b = TGPL_BUF_INIT;
	char *text;
	long n;
	int ok = 0;

	tgpl_buf_printf(&b, "%s\n\n%s\n%s", text_of("MIT"), text_of("BSD-3-Clause"), rider);
	text = tgpl_buf_detach(&b);
	for (n = 1; n < 2000 && !ok; n++) {
		tgpl_detection *d;
		int rc;

		tgpl_alloc_fail_at(n);
		d = match_rc(text, strlen(text), &rc);
		tgpl_alloc_fail_at(0);
		ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "n=%ld: rc %d", n, rc);
		ok = rc == 0;
		if (ok)
			ck_assert_uint_eq(d->n_licenses, 2);
		tgpl_detection_free(d);
	}
	ck_assert(ok);
	free(text);
}
END_TEST

/* ---- tokeniser ------------------------------------------------------------------ */

static void toks(tok_stream *ts, const char *s, int ref)
{
	tok_init(ts, 0, ref);
	ck_assert_int_eq(tok_text(ts, s, strlen(s), 1), 0);
}

static int same_tokens(const char *a, const char *b)
{
	tok_stream x, y;
	int same;

	toks(&x, a, 0);
	toks(&y, b, 0);
	same = x.n == y.n && (x.n == 0 || memcmp(x.tok, y.tok, x.n * sizeof(uint32_t)) == 0);
	tok_release(&x);
	tok_release(&y);
	return same;
}

START_TEST(tokeniser_normalises_as_the_spdx_guidelines_say)
{
	static const char *const eq[][2] = {
		{ "The Licence is GRANTED", "the license is granted" },
		{ "non-commercial use", "noncommercial use" },
		{ "“Software”—as is…", "\"software\" -- as is" },
		{ "(a) you must; (b) you may", "you must; you may" },
		{ "1. Redistributions\n2. Neither", "Redistributions\nNeither" },
		{ "  * iv) the copyright owner", "the copyright holder" },
		{ "the licensor's rights", "the licensors rights" },
		{ "version 2.0 of", "version 2.0 of" },
		{ "http://example.org", "https://example.org" },
		{ "organisation authorised", "organization authorized" },
		{ "REM some words", "some words" },
		{ "Copyright (c) 2024 Jane Doe\nAll rights reserved.\nPermission is", "Permission is" },
		{ "© 2001-2004 Someone. All Rights Reserved.\nfoo", "foo" },
		{ "Caf\xc3\x89 na\xc3\xafve", "caf\xc3\xa9 na\xc3\xafve" },
		{ "(c) You must retain", "You must retain" },   /* a list item, not a copyright */
	};
	static const char *const ne[][2] = {
		{ "version 2", "version 3" },
		{ "version 2.0", "version 2.1" },
		{ "(c) You must retain", "" },
		{ "copyright notice and this", "notice and this" },
		{ "Copyright (c) 2024 Jane Doe\nPermission", "Jane Doe Permission" },
	};
	size_t k;

	for (k = 0; k < sizeof(eq) / sizeof(eq[0]); k++)
		ck_assert_msg(same_tokens(eq[k][0], eq[k][1]), "'%s' != '%s'", eq[k][0], eq[k][1]);
	for (k = 0; k < sizeof(ne) / sizeof(ne[0]); k++)
		ck_assert_msg(!same_tokens(ne[k][0], ne[k][1]), "'%s' == '%s'", ne[k][0], ne[k][1]);
}
END_TEST

START_TEST(tokeniser_records_lines_placeholders_and_copyright_lines)
{
	tok_stream ts;

	toks(&ts, "Copyright (c) <year> <copyright holders>\n\nPermission [name of copyright owner] is\n"
		  "granted ______ here.\n", 1);
	ck_assert_uint_eq(ts.n_cr, 1);
	ck_assert_uint_eq(ts.cr_lines[0], 1);
	ck_assert_uint_eq(ts.n, 6);   /* permission VAR is granted VAR here */
	ck_assert_uint_eq(ts.line[0], 3);
	ck_assert(ts.flags[1] & TOKF_VAR);
	ck_assert(ts.flags[4] & TOKF_VAR);
	ck_assert_uint_eq(ts.line[5], 4);
	tok_release(&ts);
	/* in a file, placeholders are words */
	toks(&ts, "Permission [name of copyright owner] is", 0);
	ck_assert_uint_eq(ts.n, 6);
	tok_release(&ts);
	/* the cap */
	tok_init(&ts, 3, 0);
	ck_assert_int_eq(tok_text(&ts, "a b c d e f", 11, 1), 0);
	ck_assert_uint_eq(ts.n, 3);
	ck_assert(ts.truncated);
	tok_release(&ts);
}
END_TEST

START_TEST(prefilter_needs_a_licence_word)
{
	ck_assert(tok_prefilter("see LICENSE", 11));
	ck_assert(tok_prefilter("x Copyright y", 13));
	ck_assert(tok_prefilter("Redistributions of", 18));
	ck_assert(tok_prefilter("NO WARRANTY", 11));
	ck_assert(tok_prefilter("with permission", 15));
	ck_assert(!tok_prefilter("int main(void) { return 0; }", 28));
	ck_assert(!tok_prefilter("permit terminal array licht", 27));
	ck_assert(!tok_prefilter("", 0));
}
END_TEST

START_TEST(index_sections_are_loaded)
{
	const lidx *idx = engine_index(eng);
	uint32_t r = lidx_ref_of(idx, "LGPL-3.0-only"), g = lidx_ref_of(idx, "GPL-3.0-only");
	const uint32_t *post;
	uint32_t cnt;

	ck_assert_uint_gt(idx->n_refs, 600);
	ck_assert_uint_eq(idx->ngram, TOK_NGRAM);
	ck_assert_uint_ne(r, LIDX_NONE);
	ck_assert_uint_ne(g, LIDX_NONE);
	/* LGPL-3.0's reference embeds the GPL-3.0's */
	ck_assert_uint_gt(idx->refs[r].emb_end, idx->refs[r].emb_start);
	ck_assert_uint_eq(idx->refs[g].emb_end, 0);
	/* every n-gram of a reference is in the index, pointing back at it */
	lidx_lookup(idx, tok_ngram_hash(idx->refs[g].tok + 100), &post, &cnt);
	ck_assert_uint_gt(cnt, 0);
	ck_assert_uint_eq(lidx_ref_of(idx, "No-Such-Licence"), LIDX_NONE);
}
END_TEST

static Suite *match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *tf = tcase_create("full");
	TCase *tv = tcase_create("variants");
	TCase *tn = tcase_create("negative");
	TCase *th = tcase_create("hostile");
	TCase *tt = tcase_create("tokeniser");

	tcase_add_checked_fixture(tf, setup, teardown);
	tcase_add_checked_fixture(tv, setup, teardown);
	tcase_add_checked_fixture(tn, setup, teardown);
	tcase_add_checked_fixture(th, setup, teardown);
	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_set_timeout(tf, 120);
	tcase_set_timeout(th, 120);
	tcase_add_loop_test(tf, exact_texts_get_their_id_span_and_full_score, 0, N_REP);
	tcase_add_loop_test(tf, reflowed_texts_match_at_40_and_100_columns, 0, N_REP);
	tcase_add_loop_test(tf, texts_in_every_comment_syntax, 0, N_STYLES);
	tcase_add_test(tf, copyright_changed_and_placeholders_filled);
	tcase_add_test(tf, two_texts_concatenated_are_both_found_with_their_spans);
	tcase_add_test(tf, text_embedded_at_line_500_of_a_c_file);
	tcase_add_test(tf, truncated_texts_are_partial_with_a_lower_score);
	tcase_add_test(tf, rider_in_the_middle_is_unmatched_and_lowers_the_score);
	tcase_add_test(tf, rider_at_the_end_is_unmatched_and_lowers_the_score);
	tcase_add_test(tf, rider_in_a_comment_header_is_unmatched_but_code_is_not);
	tcase_add_test(tv, identical_texts_report_the_preferred_id);
	tcase_add_test(tv, lgpl3_alone_is_the_whole_lgpl3);
	tcase_add_test(tv, gpl_text_with_an_exception_reports_the_exception);
	tcase_add_test(tn, licence_free_c_file_has_no_hit);
	tcase_add_test(tn, mentions_references_and_shared_sentences_are_not_texts);
	tcase_add_test(tn, a_disclaimer_or_a_notice_alone_is_not_a_licence_text);
	tcase_add_test(th, hostile_bytes_do_not_crash);
	tcase_add_test(th, large_files_are_read_at_head_and_tail);
	tcase_add_test(th, many_copies_are_capped_and_each_found);
	tcase_add_test(th, allocation_failures_return_enomem);
	tcase_add_test(tt, tokeniser_normalises_as_the_spdx_guidelines_say);
	tcase_add_test(tt, tokeniser_records_lines_placeholders_and_copyright_lines);
	tcase_add_test(tt, prefilter_needs_a_licence_word);
	tcase_add_test(tt, index_sections_are_loaded);
	suite_add_tcase(s, tf);
	suite_add_tcase(s, tv);
	suite_add_tcase(s, tn);
	suite_add_tcase(s, th);
	suite_add_tcase(s, tt);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(match_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
