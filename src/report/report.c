/*
 * report.c — `tgpl report`: the formats by name, the run (load the corpus,
 * call the format, flush), and the output helpers every format escapes with.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report_int.h"

static const struct {
	const char *name;
	tgpl_report_format format;
	int (*run)(report *r);
	int needs_engine;
	int needs_obligations;
} formats[] = {
	{ "text", TGPL_REPORT_TEXT, report_text, 0, 1 },
	{ "json", TGPL_REPORT_JSON, report_json, 0, 1 },
	{ "csv", TGPL_REPORT_CSV, report_csv, 0, 1 },
	{ "md", TGPL_REPORT_MD, report_md, 0, 1 },
	{ "html", TGPL_REPORT_HTML, report_html, 0, 1 },
	{ "spdx-json", TGPL_REPORT_SPDX_JSON, report_spdx2, 1, 0 },
	{ "spdx3-jsonld", TGPL_REPORT_SPDX3_JSONLD, report_spdx3, 1, 0 },
	{ "swhid", TGPL_REPORT_SWHID, report_swhid, 0, 0 },
	{ "notice", TGPL_REPORT_NOTICE, report_notice, 1, 1 },
};
#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

int tgpl_report_format_from_name(tgpl_report_format *out, const char *name)
{
	size_t i;

	for (i = 0; name && i < N_FORMATS; i++)
		if (strcmp(formats[i].name, name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	return TGPL_EINVAL;
}

const char *tgpl_report_format_name(tgpl_report_format format)
{
	size_t i;

	for (i = 0; i < N_FORMATS; i++)
		if (formats[i].format == format)
			return formats[i].name;
	return "unknown";
}

const char *tgpl_report_format_names(void)
{
	return "text, json, csv, md, html, spdx-json, spdx3-jsonld, swhid, notice";
}

int tgpl_report_write(tgpl_ctx *ctx, tgpl_db *db, const tgpl_report_options *opts)
{
	report r;
	size_t i;
	int rc;

	if (!opts || opts->version != TGPL_REPORT_OPTIONS_VERSION || !opts->write || !db)
		return tgpl_error(ctx, TGPL_EINVAL, "report: bad options (version or sink missing)");
	for (i = 0; i < N_FORMATS && formats[i].format != opts->format; i++)
		;
	if (i == N_FORMATS)
		return tgpl_error(ctx, TGPL_EINVAL, "report: unknown format %d", (int)opts->format);
	if (formats[i].needs_engine && !opts->engine)
		return tgpl_error(ctx, TGPL_EINVAL, "report: the %s format needs the licence engine",
				  formats[i].name);
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.db = db;
	r.sql = tgpl_db_handle(db);
	r.opts = opts;
	r.engine = opts->engine;
	r.created = opts->created > 0 ? opts->created : (int64_t)time(NULL);
	if ((rc = report_load(&r)) < 0)
		goto done;
	if (formats[i].needs_obligations && (rc = report_obl_load(&r)) < 0)
		goto done;
	if ((rc = formats[i].run(&r)) < 0)
		goto done;
	rc = rp_flush(&r);
done:
	report_obl_unload(&r);
	report_blobs_free(r.blobs);
	report_unload(&r);
	tgpl_buf_release(&r.out);
	return rc;
}

/* ---- output -------------------------------------------------------------- */

static int oom(report *r)
{
	return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
}

int rp_flush(report *r)
{
	if (r->failed)
		return TGPL_EIO;
	if (r->out.len && r->opts->write(r->out.ptr, r->out.len, r->opts->payload) != 0) {
		r->failed = 1;
		return tgpl_error(r->ctx, TGPL_EIO, "cannot write the report");
	}
	tgpl_buf_clear(&r->out);
	if (tgpl_interrupted(r->ctx))
		return tgpl_error(r->ctx, TGPL_EINTR, "interrupted");
	return 0;
}

static int maybe_flush(report *r)
{
	return r->out.len >= RP_FLUSH_AT ? rp_flush(r) : 0;
}

int rp_put(report *r, const void *p, size_t n)
{
	if (tgpl_buf_put(&r->out, p, n) < 0)
		return oom(r);
	return maybe_flush(r);
}

int rp_puts(report *r, const char *s)
{
	return rp_put(r, s, strlen(s));
}

int rp_printf(report *r, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tgpl_buf_vprintf(&r->out, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return oom(r);
	return maybe_flush(r);
}

int rp_json(report *r, const char *s, size_t n)
{
	if (!s)
		return rp_puts(r, "null");
	if (tgpl_buf_put_json_string(&r->out, s, n) < 0)
		return oom(r);
	return maybe_flush(r);
}

int rp_json_z(report *r, const char *s)
{
	return rp_json(r, s, s ? strlen(s) : 0);
}

int rp_json_inner_n(report *r, const char *s, size_t n)
{
	size_t start = r->out.len;

	if (tgpl_buf_put_json_string(&r->out, s ? s : "", s ? n : 0) < 0)
		return oom(r);
	/* Drop the quotes the escaper wrote around it. */
	memmove(r->out.ptr + start, r->out.ptr + start + 1, r->out.len - start - 2);
	r->out.len -= 2;
	r->out.ptr[r->out.len] = '\0';
	return maybe_flush(r);
}

int rp_json_inner(report *r, const char *s)
{
	return rp_json_inner_n(r, s, s ? strlen(s) : 0);
}

size_t report_utf8_len(const unsigned char *p, size_t n)
{
	size_t k = 1;

	if (p[0] < 0x80)
		return 1;
	while (k < 4 && k < n && (p[k] & 0xc0) == 0x80)
		k++;
	/* The longest prefix that is one valid sequence. */
	while (k > 1 && !tgpl_utf8_valid((const char *)p, k))
		k--;
	return k > 1 ? k : 0;
}

/*
 * The shared walk of the escapers: `plain` says which ASCII bytes pass as
 * they are; others go to `esc`.  Control bytes become "\xNN" through `ctl`
 * (the format's own spelling of a backslash first), invalid UTF-8 U+FFFD.
 */
typedef int (*esc_fn)(tgpl_buf *b, unsigned char c);

static int escape_walk(report *r, const char *s, size_t n, esc_fn esc, const char *ctl_prefix,
		       int tabs)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, col = 0;
	int rc = 0;

	while (i < n && rc == 0) {
		unsigned char c = p[i];

		if (c == '\t' && tabs) {
			/* A line of a file: a TAB to the next multiple of 8 columns. */
			do
				rc = tgpl_buf_putc(&r->out, ' ');
			while (rc == 0 && ++col % 8);
			i++;
			continue;
		}
		col++;
		if (c < 0x20 || c == 0x7f) {
			rc = tgpl_buf_printf(&r->out, "%sx%02x", ctl_prefix, c);
			i++;
		} else if (c < 0x80) {
			rc = esc(&r->out, c);
			i++;
		} else if ((k = report_utf8_len(p + i, n - i)) != 0) {
			rc = tgpl_buf_put(&r->out, p + i, k);
			i += k;
		} else {
			rc = tgpl_buf_puts(&r->out, "\xef\xbf\xbd");
			i++;
		}
	}
	if (rc < 0)
		return oom(r);
	return maybe_flush(r);
}

static int esc_html(tgpl_buf *b, unsigned char c)
{
	switch (c) {
	case '&': return tgpl_buf_puts(b, "&amp;");
	case '<': return tgpl_buf_puts(b, "&lt;");
	case '>': return tgpl_buf_puts(b, "&gt;");
	case '"': return tgpl_buf_puts(b, "&quot;");
	case '\'': return tgpl_buf_puts(b, "&#39;");
	default: return tgpl_buf_putc(b, (char)c);
	}
}

int rp_html(report *r, const char *s, size_t n)
{
	return escape_walk(r, s, n, esc_html, "\\", 0);
}

int rp_html_line(report *r, const char *s, size_t n)
{
	return escape_walk(r, s, n, esc_html, "\\", 1);
}

int rp_html_z(report *r, const char *s)
{
	return rp_html(r, s ? s : "", s ? strlen(s) : 0);
}

static int esc_md(tgpl_buf *b, unsigned char c)
{
	/* Everything that can open a link, inline HTML or an entity, emphasis,
	 * code, math or a table cell.  Data never starts a line, so the
	 * line-start markers (- + . digits) need nothing. */
	if (c && strchr("\\`*_{}[]<>()#!|~&$^", c)) {
		char e[2] = { '\\', (char)c };
		return tgpl_buf_put(b, e, 2);
	}
	return tgpl_buf_putc(b, (char)c);
}

int rp_md(report *r, const char *s, size_t n)
{
	return escape_walk(r, s, n, esc_md, "\\\\", 0);
}

int rp_md_line(report *r, const char *s, size_t n)
{
	return escape_walk(r, s, n, esc_md, "\\\\", 1);
}

int rp_md_z(report *r, const char *s)
{
	return rp_md(r, s ? s : "", s ? strlen(s) : 0);
}

static int esc_none(tgpl_buf *b, unsigned char c)
{
	return tgpl_buf_putc(b, (char)c);
}

int rp_term(report *r, const char *s, size_t n)
{
	return escape_walk(r, s, n, esc_none, "\\", 0);
}

int rp_term_z(report *r, const char *s)
{
	return rp_term(r, s ? s : "", s ? strlen(s) : 0);
}

int rp_csv(report *r, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	int quote = 0, rc = 0;

	for (i = 0; i < n; i++)
		if (p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r')
			quote = 1;
	if (quote)
		rc = tgpl_buf_putc(&r->out, '"');
	/* A spreadsheet runs a cell starting with = + - @ (and TAB or CR, which
	 * some strip first) as a formula: a leading ' keeps it text. */
	if (rc == 0 && n && (p[0] == '=' || p[0] == '+' || p[0] == '-' || p[0] == '@' ||
			     p[0] == '\t' || p[0] == '\r'))
		rc = tgpl_buf_putc(&r->out, '\'');
	for (i = 0; i < n && rc == 0;) {
		if (p[i] == '"') {
			rc = tgpl_buf_puts(&r->out, "\"\"");
			i++;
		} else if (p[i] < 0x80) {
			rc = tgpl_buf_putc(&r->out, (char)p[i]);
			i++;
		} else if ((k = report_utf8_len(p + i, n - i)) != 0) {
			rc = tgpl_buf_put(&r->out, p + i, k);
			i += k;
		} else {
			rc = tgpl_buf_puts(&r->out, "\xef\xbf\xbd");
			i++;
		}
	}
	if (rc == 0 && quote)
		rc = tgpl_buf_putc(&r->out, '"');
	if (rc < 0)
		return oom(r);
	return maybe_flush(r);
}

int rp_csv_z(report *r, const char *s)
{
	return rp_csv(r, s ? s : "", s ? strlen(s) : 0);
}

int rp_pct(report *r, const char *s, size_t n)
{
	static const char keep[] = "-._~/:@!$&'()*+,";
	const unsigned char *p = (const unsigned char *)s;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		unsigned char c = p[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c && strchr(keep, c)))
			rc = tgpl_buf_putc(&r->out, (char)c);
		else
			rc = tgpl_buf_printf(&r->out, "%%%02X", c);
	}
	if (rc < 0)
		return oom(r);
	return maybe_flush(r);
}

void report_time(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* ---- string sets --------------------------------------------------------- */

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603u;   /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int strset_rehash(report_strset *set, size_t n_slots)
{
	size_t *slots = tgpl_calloc(n_slots, sizeof(*slots)), i;

	if (!slots)
		return TGPL_ENOMEM;
	for (i = 0; i < set->n; i++) {
		size_t h = str_hash(set->v[i]) & (n_slots - 1);
		while (slots[h])
			h = (h + 1) & (n_slots - 1);
		slots[h] = i + 1;
	}
	free(set->slots);
	set->slots = slots;
	set->n_slots = n_slots;
	return 0;
}

int report_strset_add(report_strset *set, const char *s, size_t *index)
{
	size_t h;

	if ((set->n + 1) * 2 > set->n_slots && strset_rehash(set, set->n_slots ? set->n_slots * 2 : 64) < 0)
		return TGPL_ENOMEM;
	for (h = str_hash(s) & (set->n_slots - 1); set->slots[h]; h = (h + 1) & (set->n_slots - 1))
		if (strcmp(set->v[set->slots[h] - 1], s) == 0) {
			if (index)
				*index = set->slots[h] - 1;
			return 0;
		}
	if (tgpl_grow((void **)&set->v, &set->cap, set->n + 1, sizeof(*set->v)) < 0 ||
	    !(set->v[set->n] = tgpl_strdup(s)))
		return TGPL_ENOMEM;
	set->slots[h] = ++set->n;
	if (index)
		*index = set->n - 1;
	return 1;
}

int report_strset_find(const report_strset *set, const char *s, size_t *index)
{
	size_t h;

	if (!set->n_slots)
		return 0;
	for (h = str_hash(s) & (set->n_slots - 1); set->slots[h]; h = (h + 1) & (set->n_slots - 1))
		if (strcmp(set->v[set->slots[h] - 1], s) == 0) {
			*index = set->slots[h] - 1;
			return 1;
		}
	return 0;
}

void report_strset_release(report_strset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->v[i]);
	free(set->v);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

int report_uuid5(char out[37], const char *name, size_t len)
{
	/* RFC 4122 name space for URLs. */
	static const unsigned char ns[16] = { 0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
					      0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	tgpl_buf b = TGPL_BUF_INIT;
	unsigned char h[20];
	char hex[41];
	int rc;

	if (tgpl_buf_put(&b, ns, sizeof(ns)) < 0 || tgpl_buf_put(&b, name, len) < 0) {
		tgpl_buf_release(&b);
		return TGPL_ENOMEM;
	}
	rc = report_sha1(h, b.ptr, b.len);
	tgpl_buf_release(&b);
	if (rc < 0)
		return rc;
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	tgpl_hex(hex, h, 16);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	return 0;
}

int report_base64(tgpl_buf *b, const unsigned char *p, size_t n)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		char q[4] = { digits[p[i] >> 2], digits[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			      digits[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)], digits[p[i + 2] & 63] };
		if (tgpl_buf_put(b, q, 4) < 0)
			return TGPL_ENOMEM;
	}
	if (n - i == 1) {
		char q[4] = { digits[p[i] >> 2], digits[(p[i] & 3) << 4], '=', '=' };
		if (tgpl_buf_put(b, q, 4) < 0)
			return TGPL_ENOMEM;
	} else if (n - i == 2) {
		char q[4] = { digits[p[i] >> 2], digits[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			      digits[(p[i + 1] & 15) << 2], '=' };
		if (tgpl_buf_put(b, q, 4) < 0)
			return TGPL_ENOMEM;
	}
	return 0;
}
