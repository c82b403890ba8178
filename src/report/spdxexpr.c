/*
 * spdxexpr.c — licence expressions as SPDX documents must write them.
 *
 * The database holds canonical expressions as the detector printed them, with
 * unknown ids kept as written ("Foo-Bar") and TGPL riders as SPDX 3.0
 * additions ("GPL-3.0-or-later WITH AdditionRef-TGPL-1.0").  An SPDX document
 * may only use listed ids and LicenseRef-/AdditionRef- ids it declares, so
 * here unknown ids become LicenseRef- ids, and for SPDX 2.3 (which has no
 * custom exceptions) "X WITH AdditionRef-Y" becomes "(X AND
 * LicenseRef-AdditionRef-Y)": the rider's terms apply together with X's,
 * and the grouping of the rest of the expression is unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "report/report_int.h"

void spdx_refs_release(spdx_refs *refs)
{
	size_t i;

	for (i = 0; i < refs->n; i++) {
		free(refs->v[i].id);
		free(refs->v[i].source);
	}
	free(refs->v);
	memset(refs, 0, sizeof(*refs));
}

static int refs_add(spdx_refs *refs, const char *id, const char *source, size_t slen, int why)
{
	size_t i;
	spdx_ref *x;

	for (i = 0; i < refs->n; i++)
		if (strcmp(refs->v[i].id, id) == 0)
			return 0;
	if (tgpl_grow((void **)&refs->v, &refs->cap, refs->n + 1, sizeof(*refs->v)) < 0)
		return TGPL_ENOMEM;
	x = &refs->v[refs->n];
	x->id = tgpl_strdup(id);
	x->source = tgpl_strndup(source, slen);
	x->why = why;
	if (!x->id || !x->source) {
		free(x->id);
		free(x->source);
		return TGPL_ENOMEM;
	}
	refs->n++;
	return 0;
}

static int has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if ((s[i] | 0x20) != (prefix[i] | 0x20))
			return 0;
	return 1;
}

/* prefix + s[0..n) with every byte outside [A-Za-z0-9.-] turned into '-'. */
static int put_idstring(tgpl_buf *b, const char *prefix, const char *s, size_t n)
{
	size_t i;

	if (tgpl_buf_puts(b, prefix) < 0)
		return -1;
	if (n == 0)
		return tgpl_buf_puts(b, "empty");
	for (i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '-';
		if (tgpl_buf_putc(b, ok ? c : '-') < 0)
			return -1;
	}
	return 0;
}

/* Append the id s[0..n) rewritten (licence position), recording custom ids. */
static int put_license_id(tgpl_buf *b, const tgpl_engine *e, const char *s, size_t n, spdx_refs *refs)
{
	const tgpl_license_info *li;
	int plus = 0, why = SPDX_REF_UNKNOWN;
	size_t start = b->len;

	if (n > 1 && s[n - 1] == '+') {
		plus = 1;
		n--;
	}
	if (has_prefix(s, n, "LicenseRef-")) {
		if (put_idstring(b, "LicenseRef-", s + 11, n - 11) < 0)
			return TGPL_ENOMEM;
		why = SPDX_REF_CUSTOM;
	} else if ((li = engine_license(e, s, n)) != NULL) {
		/* The listed id in its canonical case (deprecated ids are still valid ids). */
		if (tgpl_buf_puts(b, li->id) < 0)
			return TGPL_ENOMEM;
		why = 0;
	} else {
		/* Not on the list (or a DocumentRef- we cannot resolve). */
		if (put_idstring(b, "LicenseRef-", s, n) < 0)
			return TGPL_ENOMEM;
	}
	if (why && refs_add(refs, b->ptr + start, s, n, why) < 0)
		return TGPL_ENOMEM;
	if (plus && tgpl_buf_putc(b, '+') < 0)
		return TGPL_ENOMEM;
	return 0;
}

/* An exception position, SPDX 3: listed exceptions, AdditionRef- ids (kept), others made AdditionRef-. */
static int put_addition_v3(tgpl_buf *b, const tgpl_engine *e, const char *s, size_t n, spdx_refs *refs)
{
	const char *x = engine_exception(e, s, n);
	size_t start = b->len;
	int rc;

	if (x)
		return tgpl_buf_puts(b, x) < 0 ? TGPL_ENOMEM : 0;
	if (has_prefix(s, n, "AdditionRef-"))
		rc = put_idstring(b, "AdditionRef-", s + 12, n - 12);
	else
		rc = put_idstring(b, "AdditionRef-", s, n);
	if (rc < 0 || refs_add(refs, b->ptr + start, s, n,
			       has_prefix(s, n, "AdditionRef-") ? SPDX_REF_CUSTOM : SPDX_REF_UNKNOWN) < 0)
		return TGPL_ENOMEM;
	return 0;
}

/* The LicenseRef- that stands for a custom addition in SPDX 2.3. */
static int put_addition_v2_ref(tgpl_buf *b, const char *s, size_t n, spdx_refs *refs)
{
	size_t start = b->len;

	if (has_prefix(s, n, "AdditionRef-")) {
		if (put_idstring(b, "LicenseRef-AdditionRef-", s + 12, n - 12) < 0)
			return TGPL_ENOMEM;
	} else if (put_idstring(b, "LicenseRef-", s, n) < 0) {
		return TGPL_ENOMEM;
	}
	return refs_add(refs, b->ptr + start, s, n, SPDX_REF_ADDITION) < 0 ? TGPL_ENOMEM : 0;
}

static int is_op(const char *s, size_t n, const char *op)
{
	return n == strlen(op) && has_prefix(s, n, op);
}

int spdx_expr_rewrite(char **out, const tgpl_engine *e, const char *expr, int version, spdx_refs *refs)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t stack[64], depth = 0, operand_start = 0, with_start = 0;
	const char *p = expr;
	int want_operand = 1, after_with = 0, rc = 0, bad = 0;

	if (!expr || !*expr)
		bad = 1;
	while (!bad && *p) {
		const char *s;
		size_t n;

		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (*p == '(') {
			if (!want_operand || after_with || depth == sizeof(stack) / sizeof(stack[0])) {
				bad = 1;
				break;
			}
			stack[depth++] = b.len;
			if (tgpl_buf_putc(&b, '(') < 0)
				goto oom;
			p++;
			continue;
		}
		if (*p == ')') {
			if (want_operand || depth == 0) {
				bad = 1;
				break;
			}
			operand_start = stack[--depth];
			if (tgpl_buf_putc(&b, ')') < 0)
				goto oom;
			p++;
			continue;
		}
		for (s = p; *p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '(' && *p != ')'; p++)
			;
		n = (size_t)(p - s);
		if (is_op(s, n, "AND") || is_op(s, n, "OR") || is_op(s, n, "WITH")) {
			if (want_operand) {
				bad = 1;
				break;
			}
			after_with = is_op(s, n, "WITH");
			if (after_with) {
				with_start = operand_start;
				continue;   /* written with the exception, which may rewrite it */
			}
			if (tgpl_buf_puts(&b, is_op(s, n, "AND") ? " AND " : " OR ") < 0)
				goto oom;
			want_operand = 1;
			continue;
		}
		if (after_with) {
			if (version == SPDX_V3) {
				if (tgpl_buf_puts(&b, " WITH ") < 0 || (rc = put_addition_v3(&b, e, s, n, refs)) < 0)
					goto fail;
			} else {
				const char *x = engine_exception(e, s, n);

				if (x) {
					if (tgpl_buf_printf(&b, " WITH %s", x) < 0)
						goto oom;
				} else {
					/* "(X AND LicenseRef-AdditionRef-Y)" in place of "X WITH Y";
					 * open parentheses all start before X, so their offsets hold. */
					if (tgpl_buf_grow(&b, 1) < 0)
						goto oom;
					memmove(b.ptr + with_start + 1, b.ptr + with_start, b.len - with_start + 1);
					b.ptr[with_start] = '(';
					b.len++;
					if (tgpl_buf_puts(&b, " AND ") < 0 || (rc = put_addition_v2_ref(&b, s, n, refs)) < 0 ||
					    tgpl_buf_putc(&b, ')') < 0)
						goto fail;
				}
			}
			after_with = 0;
			want_operand = 0;
			continue;
		}
		if (!want_operand) {
			bad = 1;
			break;
		}
		operand_start = b.len;
		if (n == 11 && has_prefix(s, n, "NOASSERTION") && !*p && b.len == 0) {
			if (tgpl_buf_puts(&b, "NOASSERTION") < 0)
				goto oom;
		} else if (n == 4 && has_prefix(s, n, "NONE") && !*p && b.len == 0) {
			if (tgpl_buf_puts(&b, "NONE") < 0)
				goto oom;
		} else if ((rc = put_license_id(&b, e, s, n, refs)) < 0) {
			goto fail;
		}
		want_operand = 0;
	}
	if (bad || want_operand || after_with || depth) {
		tgpl_buf_release(&b);
		if (!(*out = tgpl_strdup("NOASSERTION")))
			return TGPL_ENOMEM;
		return 0;
	}
	if (!(*out = tgpl_buf_detach(&b)))
		return TGPL_ENOMEM;
	return 0;
oom:
	rc = TGPL_ENOMEM;
fail:
	tgpl_buf_release(&b);
	return rc < 0 ? rc : TGPL_ENOMEM;
}

int spdx_id_rewrite(char **out, const tgpl_engine *e, const char *id, int version, spdx_refs *refs)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t n = id ? strlen(id) : 0;
	int rc;

	*out = NULL;
	if (!n || strcmp(id, "NOASSERTION") == 0)
		return 0;
	if (engine_exception(e, id, n))
		return 0;   /* an exception is not a licence of its own */
	if (has_prefix(id, n, "AdditionRef-"))
		rc = version == SPDX_V2 ? put_addition_v2_ref(&b, id, n, refs) : put_addition_v3(&b, e, id, n, refs);
	else
		rc = put_license_id(&b, e, id, n, refs);
	if (rc < 0) {
		tgpl_buf_release(&b);
		return rc;
	}
	if (!(*out = tgpl_buf_detach(&b)))
		return TGPL_ENOMEM;
	return 0;
}

int report_spdx_namespace(report *r, char **out)
{
	tgpl_buf name = TGPL_BUF_INIT, ns = TGPL_BUF_INIT;
	char uuid[37];
	size_t i;
	int rc = 0;

	/* Same corpus at the same time: the same namespace; anything else: another. */
	if (tgpl_buf_printf(&name, "tgpl %s report %lld", TGPL_VERSION, (long long)r->created) < 0)
		rc = TGPL_ENOMEM;
	for (i = 0; rc == 0 && i < r->n_revs; i++)
		if (tgpl_buf_putc(&name, '\n') < 0 ||
		    tgpl_buf_put(&name, r->revs[i].repo_path, r->revs[i].repo_path_len) < 0 ||
		    tgpl_buf_printf(&name, "\t%s\t%s", r->revs[i].rev_key, r->revs[i].engine) < 0)
			rc = TGPL_ENOMEM;
	if (rc == 0)
		rc = report_uuid5(uuid, name.ptr, name.len);
	if (rc == 0 && tgpl_buf_printf(&ns, "https://spdx.org/spdxdocs/tgpl-%s", uuid) < 0)
		rc = TGPL_ENOMEM;
	tgpl_buf_release(&name);
	if (rc == 0 && !(*out = tgpl_buf_detach(&ns)))
		rc = TGPL_ENOMEM;
	tgpl_buf_release(&ns);
	if (rc < 0)
		return tgpl_error(r->ctx, rc, rc == TGPL_ENOMEM ? "out of memory" : "report: hashing failed");
	return 0;
}
