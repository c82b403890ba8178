/* check_spdx.c — SPDX expressions and SPDX-License-Identifier tags (src/detect/spdx.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "detect/spdx.h"
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

/* ---- helpers --------------------------------------------------------------- */

/* A fresh builder; its detection is not counted by allocation-failure tests. */
static void builder_init(det_builder *b)
{
	memset(b, 0, sizeof(*b));
	b->det = calloc(1, sizeof(*b->det));
	ck_assert_ptr_nonnull(b->det);
}

/* spdx_emit() on n bytes of s as a tag on line 7; rc in *rcp. */
static tgpl_detection *emit_rc(const char *s, size_t n, int *rcp)
{
	det_builder b;

	builder_init(&b);
	*rcp = spdx_emit(&b, eng, s, n, TGPL_KIND_TAG, 7, 7, "test-rule");
	return b.det;
}

static tgpl_detection *emit(const char *s)
{
	int rc;
	tgpl_detection *d = emit_rc(s, strlen(s), &rc);

	ck_assert_int_eq(rc, 0);
	return d;
}

/* The canonical form of s, which must parse. */
static void canon_is(const char *s, const char *want)
{
	char *out = NULL, err[128] = "";
	int rc = spdx_canonical(&out, eng, s, strlen(s), err, sizeof(err));

	ck_assert_msg(rc == 0, "'%s': rc %d (%s)", s, rc, err);
	ck_assert_msg(strcmp(out, want) == 0, "'%s' -> '%s', want '%s'", s, out, want);
	free(out);
}

/* spdx_canonical() rejects s with the message `why`. */
static void canon_fails(const char *s, size_t n, const char *why)
{
	char *out = (char *)"untouched", err[128] = "";
	int rc = spdx_canonical(&out, eng, s, n, err, sizeof(err));

	ck_assert_int_eq(rc, TGPL_EINVAL);
	ck_assert_str_eq(out, "untouched");
	ck_assert_str_eq(err, why);
}

static void hit_is(const tgpl_detection *d, size_t i, const char *spdx, const char *expr,
		   uint32_t line, const char *rule, const char *note)
{
	const tgpl_license_hit *h;

	ck_assert_msg(i < d->n_licenses, "hit %zu of %zu", i, d->n_licenses);
	h = &d->licenses[i];
	ck_assert_pstr_eq(h->spdx, spdx);
	ck_assert_pstr_eq(h->expr, expr);
	ck_assert_int_eq(h->kind, TGPL_KIND_TAG);
	ck_assert_uint_eq(h->start_line, line);
	ck_assert_uint_eq(h->end_line, line);
	ck_assert_pstr_eq(h->rule, rule);
	ck_assert_pstr_eq(h->note, note);
	ck_assert_double_eq(h->score, 1.0);
	ck_assert_uint_eq(h->n_unmatched, 0);
}

/* A parsed expression's i-th hit from emit(). */
static void emitted(const tgpl_detection *d, size_t i, const char *spdx, const char *expr,
		    const char *note)
{
	hit_is(d, i, spdx, expr, 7, "test-rule", note);
}

/* emit() of a malformed expression: one NOASSERTION hit with `note`. */
static void malformed_n(const char *s, size_t n, const char *note)
{
	int rc;
	tgpl_detection *d = emit_rc(s, n, &rc);
	const tgpl_license_hit *h;

	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_licenses, 1);
	h = &d->licenses[0];
	ck_assert_str_eq(h->spdx, "NOASSERTION");
	ck_assert_ptr_null(h->expr);
	ck_assert_double_eq(h->score, 0.0);
	ck_assert_int_eq(h->kind, TGPL_KIND_TAG);
	ck_assert_uint_eq(h->start_line, 7);
	ck_assert_str_eq(h->rule, "test-rule");
	ck_assert_str_eq(h->note, note);
	tgpl_detection_free(d);
}

static void malformed(const char *s, const char *note)
{
	malformed_n(s, strlen(s), note);
}

/*
 * detect_spdx_tags() alone on `len` bytes (copied into a buffer of exactly
 * that size, so that ASan catches any read past the end); rc in *rcp.
 */
static tgpl_detection *tags_rc(const char *data, size_t len, int *rcp)
{
	det_builder b;
	text_view t;
	uint32_t *lines;
	char *copy = malloc(len ? len : 1);
	size_t n = 0, i;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, data, len);
	builder_init(&b);
	lines = calloc(len + 1, sizeof(*lines));
	ck_assert_ptr_nonnull(lines);
	if (len)
		lines[n++] = 0;
	for (i = 0; i + 1 < len; i++)
		if (data[i] == '\n')
			lines[n++] = (uint32_t)(i + 1);
	t.data = copy;
	t.len = len;
	t.line_off = lines;
	t.n_lines = (uint32_t)n;
	t.path = "f";
	t.basename = "f";
	*rcp = detect_spdx_tags(&b, eng, &t);
	free(lines);
	free(copy);
	return b.det;
}

static tgpl_detection *tags_n(const char *data, size_t len)
{
	int rc;
	tgpl_detection *d = tags_rc(data, len, &rc);

	ck_assert_int_eq(rc, 0);
	return d;
}

static tgpl_detection *tags(const char *data)
{
	return tags_n(data, strlen(data));
}

static void no_tags(const char *data)
{
	tgpl_detection *d = tags(data);

	ck_assert_msg(d->n_licenses == 0, "'%s' gave %zu hits, first '%s'", data, d->n_licenses,
		      d->licenses[0].spdx ? d->licenses[0].spdx : "(null)");
	tgpl_detection_free(d);
}

/* ---- expressions: canonical form ------------------------------------------- */

START_TEST(ids_and_operators_print_in_canonical_case)
{
	canon_is("mit", "MIT");
	canon_is("apache-2.0 or mit", "Apache-2.0 OR MIT");
	canon_is("Gpl-3.0-Or-Later And bsd-3-clause", "GPL-3.0-or-later AND BSD-3-Clause");
	canon_is("apache-2.0 with llvm-exception", "Apache-2.0 WITH LLVM-exception");
	canon_is("  MIT\t  OR\r\n ISC  ", "MIT OR ISC");
}
END_TEST

START_TEST(parentheses_stay_only_where_and_meets_or)
{
	canon_is("(MIT)", "MIT");
	canon_is("((((MIT))))", "MIT");
	canon_is("MIT OR (Apache-2.0 AND BSD-3-Clause)", "MIT OR (Apache-2.0 AND BSD-3-Clause)");
	canon_is("(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause");
	canon_is("(MIT AND ISC) AND Zlib", "MIT AND ISC AND Zlib");
	canon_is("MIT AND (ISC AND Zlib)", "MIT AND ISC AND Zlib");
	canon_is("MIT OR (ISC OR (Zlib))", "MIT OR ISC OR Zlib");
	canon_is("(MIT)AND(ISC)", "MIT AND ISC");
	/* AND binds tighter than OR; the output makes the grouping explicit. */
	canon_is("MIT OR ISC AND Zlib", "MIT OR (ISC AND Zlib)");
	canon_is("MIT and ISC or Zlib", "(MIT AND ISC) OR Zlib");
	canon_is("(MIT OR ISC) AND (Zlib OR BSD-2-Clause)", "(MIT OR ISC) AND (Zlib OR BSD-2-Clause)");
	/* WITH binds tighter than both. */
	canon_is("GPL-2.0-only WITH Classpath-exception-2.0 OR MIT",
		 "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT");
	canon_is("MIT AND (GPL-2.0-only WITH Classpath-exception-2.0)",
		 "MIT AND GPL-2.0-only WITH Classpath-exception-2.0");
	canon_is("(GPL-2.0-only OR MIT) WITH Classpath-exception-2.0",
		 "(GPL-2.0-only OR MIT) WITH Classpath-exception-2.0");
}
END_TEST

START_TEST(every_id_in_an_expression_is_a_hit_with_the_expression)
{
	tgpl_detection *d = emit("mit OR (apache-2.0 and bsd-3-clause)");

	ck_assert_uint_eq(d->n_licenses, 3);
	emitted(d, 0, "MIT", "MIT OR (Apache-2.0 AND BSD-3-Clause)", NULL);
	emitted(d, 1, "Apache-2.0", "MIT OR (Apache-2.0 AND BSD-3-Clause)", NULL);
	emitted(d, 2, "BSD-3-Clause", "MIT OR (Apache-2.0 AND BSD-3-Clause)", NULL);
	tgpl_detection_free(d);
}
END_TEST

START_TEST(duplicate_ids_give_one_hit)
{
	tgpl_detection *d = emit("MIT OR mit AND (ISC OR MIT)");

	ck_assert_uint_eq(d->n_licenses, 2);
	emitted(d, 0, "MIT", "MIT OR (MIT AND (ISC OR MIT))", NULL);
	emitted(d, 1, "ISC", "MIT OR (MIT AND (ISC OR MIT))", NULL);
	tgpl_detection_free(d);
	/* The first occurrence decides the note. */
	d = emit("GPL-2.0 OR GPL-2.0-only");
	ck_assert_uint_eq(d->n_licenses, 1);
	emitted(d, 0, "GPL-2.0-only", "GPL-2.0-only OR GPL-2.0-only",
		"deprecated SPDX id 'GPL-2.0' (now GPL-2.0-only)");
	tgpl_detection_free(d);
}
END_TEST

/* ---- deprecated ids and '+' ----------------------------------------------- */

START_TEST(deprecated_ids_map_to_their_replacement_with_a_note)
{
	tgpl_detection *d = emit("GPL-2.0");

	ck_assert_uint_eq(d->n_licenses, 1);
	emitted(d, 0, "GPL-2.0-only", "GPL-2.0-only",
		"deprecated SPDX id 'GPL-2.0' (now GPL-2.0-only)");
	tgpl_detection_free(d);

	d = emit("gpl-2.0+");
	ck_assert_uint_eq(d->n_licenses, 1);
	emitted(d, 0, "GPL-2.0-or-later", "GPL-2.0-or-later",
		"deprecated SPDX id 'GPL-2.0+' (now GPL-2.0-or-later)");
	tgpl_detection_free(d);

	d = emit("GPL-2.0-with-classpath-exception");
	ck_assert_uint_eq(d->n_licenses, 2);
	emitted(d, 0, "GPL-2.0-only", "GPL-2.0-only WITH Classpath-exception-2.0",
		"deprecated SPDX id 'GPL-2.0-with-classpath-exception' "
		"(now GPL-2.0-only WITH Classpath-exception-2.0)");
	emitted(d, 1, "Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0",
		"deprecated SPDX id 'GPL-2.0-with-classpath-exception' "
		"(now GPL-2.0-only WITH Classpath-exception-2.0)");
	tgpl_detection_free(d);

	/* A deprecated id without a '+' of its own in the list gets it applied. */
	d = emit("AGPL-3.0+");
	ck_assert_uint_eq(d->n_licenses, 1);
	emitted(d, 0, "AGPL-3.0-or-later", "AGPL-3.0-or-later",
		"deprecated SPDX id 'AGPL-3.0+' (now AGPL-3.0-or-later)");
	tgpl_detection_free(d);

	canon_is("GPL-3.0 OR mit", "GPL-3.0-only OR MIT");
	canon_is("LGPL-2.1+ AND GPL-3.0+", "LGPL-2.1-or-later AND GPL-3.0-or-later");
	canon_is("LGPL-2.0", "LGPL-2.0-only");
	canon_is("GFDL-1.3+", "GFDL-1.3-or-later");
	/* A replacement that is an expression keeps its place in the tree. */
	canon_is("eCos-2.0 OR MIT", "GPL-2.0-or-later WITH eCos-exception-2.0 OR MIT");
	canon_is("MIT AND (GPL-2.0-with-classpath-exception OR ISC)",
		 "MIT AND (GPL-2.0-only WITH Classpath-exception-2.0 OR ISC)");
	canon_is("GPL-3.0-with-GCC-exception", "GPL-3.0-only WITH GCC-exception-3.1");
	canon_is("StandardML-NJ", "SMLNJ");
}
END_TEST

START_TEST(plus_makes_gnu_ids_or_later_and_stays_on_others)
{
	tgpl_detection *d = emit("GPL-2.0-only+");

	ck_assert_uint_eq(d->n_licenses, 1);
	emitted(d, 0, "GPL-2.0-or-later", "GPL-2.0-or-later", NULL);
	tgpl_detection_free(d);

	/* Not a GNU id: the expression keeps "X+", the hit names the licence X. */
	d = emit("apache-2.0+ OR mit");
	ck_assert_uint_eq(d->n_licenses, 2);
	emitted(d, 0, "Apache-2.0", "Apache-2.0+ OR MIT", NULL);
	emitted(d, 1, "MIT", "Apache-2.0+ OR MIT", NULL);
	tgpl_detection_free(d);

	canon_is("LGPL-2.1-only+", "LGPL-2.1-or-later");
	canon_is("GPL-3.0-or-later+", "GPL-3.0-or-later");
	canon_is("GFDL-1.3-no-invariants-only+", "GFDL-1.3-no-invariants-or-later");
	canon_is("MPL-1.1+", "MPL-1.1+");
	canon_is("GPL-2.0-only+ WITH Classpath-exception-2.0",
		 "GPL-2.0-or-later WITH Classpath-exception-2.0");
	/* '+' belongs to the id it follows directly. */
	canon_fails("MIT +", 5, "unexpected '+'");
	canon_fails("(MIT)+", 6, "unexpected '+'");
	canon_fails("MIT++", 5, "unexpected '+'");
}
END_TEST

/* ---- WITH, references, unknown ids ----------------------------------------- */

START_TEST(with_gives_hits_for_licence_and_exception)
{
	static const char *const known[] = {
		"Classpath-exception-2.0", "GCC-exception-3.1", "LLVM-exception",
		"Bison-exception-2.2", "Autoconf-exception-3.0", "Font-exception-2.0",
		"OpenJDK-assembly-exception-1.0", "Qt-GPL-exception-1.0",
		"Universal-FOSS-exception-1.0", "Linux-syscall-note",
	};
	tgpl_detection *d = emit("GPL-2.0-or-later WITH Classpath-exception-2.0");
	size_t i;

	ck_assert_uint_eq(d->n_licenses, 2);
	emitted(d, 0, "GPL-2.0-or-later", "GPL-2.0-or-later WITH Classpath-exception-2.0", NULL);
	emitted(d, 1, "Classpath-exception-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0",
		NULL);
	tgpl_detection_free(d);

	d = emit("GPL-2.0-only WITH Bar");
	ck_assert_uint_eq(d->n_licenses, 2);
	emitted(d, 0, "GPL-2.0-only", "GPL-2.0-only WITH Bar", NULL);
	emitted(d, 1, "Bar", "GPL-2.0-only WITH Bar", "unknown exception id 'Bar'");
	tgpl_detection_free(d);

	/* A licence id is not an exception id. */
	d = emit("MIT WITH Apache-2.0");
	ck_assert_uint_eq(d->n_licenses, 2);
	emitted(d, 1, "Apache-2.0", "MIT WITH Apache-2.0", "unknown exception id 'Apache-2.0'");
	tgpl_detection_free(d);

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		char in[128], want[128];
		size_t k;

		snprintf(in, sizeof(in), "gpl-2.0-or-later with %s", known[i]);
		for (k = 0; in[k]; k++)
			in[k] = (char)(in[k] >= 'A' && in[k] <= 'Z' ? in[k] + 32 : in[k]);
		snprintf(want, sizeof(want), "GPL-2.0-or-later WITH %s", known[i]);
		canon_is(in, want);
	}
}
END_TEST

START_TEST(license_document_and_addition_refs_are_kept_as_written)
{
	tgpl_detection *d = emit("GPL-3.0-or-later WITH AdditionRef-TGPL-1.0");

	ck_assert_uint_eq(d->n_licenses, 2);
	emitted(d, 0, "GPL-3.0-or-later", "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0", NULL);
	emitted(d, 1, "AdditionRef-TGPL-1.0", "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0", NULL);
	tgpl_detection_free(d);

	d = emit("LicenseRef-TGPL-1.0 or DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2");
	ck_assert_uint_eq(d->n_licenses, 2);
	emitted(d, 0, "LicenseRef-TGPL-1.0",
		"LicenseRef-TGPL-1.0 OR DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", NULL);
	emitted(d, 1, "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
		"LicenseRef-TGPL-1.0 OR DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", NULL);
	tgpl_detection_free(d);

	canon_is("licenseref-my.Thing", "licenseref-my.Thing");
	canon_is("MIT WITH DocumentRef-x:AdditionRef-y", "MIT WITH DocumentRef-x:AdditionRef-y");
	canon_fails("DocumentRef-x:MIT", 17, "invalid id 'DocumentRef-x:MIT'");
	canon_fails("MIT WITH x:y", 12, "invalid exception id 'x:y'");
	canon_fails("DocumentRef-x:LicenseRef-y:LicenseRef-z", 39,
		    "invalid id 'DocumentRef-x:LicenseRef-y:LicenseRef-z'");
}
END_TEST

START_TEST(unknown_ids_are_kept_as_written_with_a_note)
{
	tgpl_detection *d = emit("Foo-1.0 OR mit");

	ck_assert_uint_eq(d->n_licenses, 2);
	emitted(d, 0, "Foo-1.0", "Foo-1.0 OR MIT", "unknown SPDX id 'Foo-1.0'");
	emitted(d, 1, "MIT", "Foo-1.0 OR MIT", NULL);
	tgpl_detection_free(d);

	d = emit("foo-1.0+");
	ck_assert_uint_eq(d->n_licenses, 1);
	emitted(d, 0, "foo-1.0", "foo-1.0+", "unknown SPDX id 'foo-1.0'");
	tgpl_detection_free(d);

	/* An exception id alone is not a licence. */
	d = emit("Classpath-exception-2.0");
	emitted(d, 0, "Classpath-exception-2.0", "Classpath-exception-2.0",
		"unknown SPDX id 'Classpath-exception-2.0'");
	tgpl_detection_free(d);
}
END_TEST

/* ---- malformed expressions ------------------------------------------------- */

START_TEST(malformed_expressions_give_one_noassertion_hit)
{
	malformed("MIT AND", "malformed SPDX expression 'MIT AND': unexpected end of expression");
	malformed("(MIT", "malformed SPDX expression '(MIT': missing ')'");
	malformed("MIT OR OR BSD-2-Clause",
		  "malformed SPDX expression 'MIT OR OR BSD-2-Clause': unexpected 'OR'");
	malformed("WITH Foo", "malformed SPDX expression 'WITH Foo': unexpected 'WITH'");
	malformed("", "malformed SPDX expression '': empty expression");
	malformed("  \t ", "malformed SPDX expression '  ? ': empty expression");
	malformed("MIT)", "malformed SPDX expression 'MIT)': unbalanced ')'");
	malformed("MIT ISC", "malformed SPDX expression 'MIT ISC': unexpected 'ISC'");
	malformed("MIT/Apache-2.0",
		  "malformed SPDX expression 'MIT/Apache-2.0': unexpected character '/'");
	malformed("MIT WITH", "malformed SPDX expression 'MIT WITH': unexpected end of expression");
	malformed("MIT WITH (Foo)", "malformed SPDX expression 'MIT WITH (Foo)': unexpected '('");
	malformed("MIT WITH Foo WITH Bar",
		  "malformed SPDX expression 'MIT WITH Foo WITH Bar': unexpected 'WITH'");
	malformed("()", "malformed SPDX expression '()': unexpected ')'");
	malformed("MIT, ISC", "malformed SPDX expression 'MIT, ISC': unexpected character ','");
	canon_fails("(MIT", 4, "missing ')'");
	canon_fails("", 0, "empty expression");
}
END_TEST

START_TEST(nesting_length_and_id_count_are_capped)
{
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	int i;

	/* 64 levels parse; 65 do not. */
	for (i = 0; i < 64; i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, '('), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, "MIT"), 0);
	for (i = 0; i < 64; i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, ')'), 0);
	canon_is(b.ptr, "MIT");
	tgpl_buf_clear(&b);
	for (i = 0; i < 65; i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, '('), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, "MIT"), 0);
	for (i = 0; i < 65; i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, ')'), 0);
	canon_fails(b.ptr, b.len, "too deep (more than 64 nested parentheses)");
	d = emit(b.ptr);
	ck_assert_uint_eq(d->n_licenses, 1);
	ck_assert_str_eq(d->licenses[0].spdx, "NOASSERTION");
	ck_assert_ptr_nonnull(strstr(d->licenses[0].note,
				     "': too deep (more than 64 nested parentheses)"));
	tgpl_detection_free(d);
	/* Unbalanced depth far past the cap fails the same way, without recursion. */
	tgpl_buf_clear(&b);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, '('), 0);
	canon_fails(b.ptr, 4000, "too deep (more than 64 nested parentheses)");

	/* 256 ids parse; 257 do not. */
	tgpl_buf_clear(&b);
	for (i = 0; i < 256; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, i ? " OR MIT" : "MIT"), 0);
	d = emit(b.ptr);
	ck_assert_uint_eq(d->n_licenses, 1);
	ck_assert_str_eq(d->licenses[0].spdx, "MIT");
	tgpl_detection_free(d);
	ck_assert_int_eq(tgpl_buf_puts(&b, " OR MIT"), 0);
	canon_fails(b.ptr, b.len, "too many ids (more than 256)");

	/* Over 4 KiB: too long, and the note quotes only the start. */
	tgpl_buf_clear(&b);
	while (b.len <= 4096)
		ck_assert_int_eq(tgpl_buf_puts(&b, "ISC AND "), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, "MIT"), 0);
	canon_fails(b.ptr, b.len, "too long (more than 4096 bytes)");
	d = emit(b.ptr);
	ck_assert_uint_eq(d->n_licenses, 1);
	ck_assert_str_eq(d->licenses[0].spdx, "NOASSERTION");
	ck_assert_uint_eq(strlen(d->licenses[0].note),
			  strlen("malformed SPDX expression '") + 200 + strlen("...': too long "
									      "(more than 4096 bytes)"));
	ck_assert_ptr_nonnull(strstr(d->licenses[0].note, "AND ...': too long"));
	tgpl_detection_free(d);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(hostile_bytes_in_an_expression_are_quoted_safely)
{
	/* NUL, invalid UTF-8: malformed, and the note shows '?' for them. */
	malformed_n("MIT\0OR ISC", 10,
		    "malformed SPDX expression 'MIT?OR ISC': unexpected byte 0x00");
	malformed("MIT \xff\xfe", "malformed SPDX expression 'MIT ?\?': unexpected byte 0xff");
	/* Valid UTF-8 is quoted as it is. */
	malformed("MIT \xe2\x80\x93 ISC",
		  "malformed SPDX expression 'MIT \xe2\x80\x93 ISC': unexpected byte 0xe2");
	/* A truncated sequence at the end. */
	malformed("MIT \xe2\x80", "malformed SPDX expression 'MIT ?\?': unexpected byte 0xe2");
}
END_TEST

START_TEST(canonical_reports_errors_in_the_buffer_given)
{
	char *out = NULL, err[8];

	/* A short buffer truncates; a NULL one is allowed. */
	ck_assert_int_eq(spdx_canonical(&out, eng, "(MIT", 4, err, sizeof(err)), TGPL_EINVAL);
	ck_assert_str_eq(err, "missing");
	ck_assert_int_eq(spdx_canonical(&out, eng, "(MIT", 4, NULL, 0), TGPL_EINVAL);
	ck_assert_ptr_null(out);
	/* Only n bytes are read. */
	ck_assert_int_eq(spdx_canonical(&out, eng, "MIT OR garbage", 3, NULL, 0), 0);
	ck_assert_str_eq(out, "MIT");
	free(out);
}
END_TEST

/* ---- tags in every comment syntax ------------------------------------------ */

static const struct {
	const char *text;    /* the file */
	uint32_t line;       /* the tag's line */
	const char *spdx;    /* first hit */
	const char *expr;
} syntaxes[] = {
	{ "#include <x.h>\n// SPDX-License-Identifier: MIT\nint x;\n", 2, "MIT", "MIT" },
	{ "/* SPDX-License-Identifier: MIT */\nint x;\n", 1, "MIT", "MIT" },
	{ "/*\n * Copyright 2024 A. Person\n *\n * SPDX-License-Identifier: MIT\n */\n", 4,
	  "MIT", "MIT" },
	{ "/* SPDX-License-Identifier: MIT*/ int x; /* tail */\n", 1, "MIT", "MIT" },
	{ "#!/bin/sh\n# SPDX-License-Identifier: MIT\necho hi\n", 2, "MIT", "MIT" },
	{ "; SPDX-License-Identifier: MIT\n", 1, "MIT", "MIT" },
	{ ";;; x.el --- things\n;; SPDX-License-Identifier: MIT\n", 2, "MIT", "MIT" },
	{ "-- SPDX-License-Identifier: MIT\nSELECT 1;\n", 1, "MIT", "MIT" },
	{ "--[[ SPDX-License-Identifier: MIT ]]\n", 1, "MIT", "MIT" },
	{ "% SPDX-License-Identifier: MIT\n\\documentclass{article}\n", 1, "MIT", "MIT" },
	{ "! SPDX-License-Identifier: MIT\nprogram x\n", 1, "MIT", "MIT" },
	{ "@echo off\nREM SPDX-License-Identifier: MIT\n", 2, "MIT", "MIT" },
	{ "@echo off\r\n@REM SPDX-License-Identifier: MIT\r\n", 2, "MIT", "MIT" },
	{ "' SPDX-License-Identifier: MIT\nDim x\n", 1, "MIT", "MIT" },
	{ "(* SPDX-License-Identifier: MIT *)\n", 1, "MIT", "MIT" },
	{ "<?xml version=\"1.0\"?>\n<!-- SPDX-License-Identifier: MIT -->\n<a/>\n", 2, "MIT", "MIT" },
	{ "{- SPDX-License-Identifier: MIT -}\nmodule X where\n", 1, "MIT", "MIT" },
	{ "\"\"\"SPDX-License-Identifier: MIT\"\"\"\n", 1, "MIT", "MIT" },
	{ "def f():\n    \"\"\"\n    SPDX-License-Identifier: MIT\n    \"\"\"\n", 3, "MIT", "MIT" },
	{ "static const char id[] = \"SPDX-License-Identifier: MIT\";\n", 1, "MIT", "MIT" },
	{ "puts(\"SPDX-License-Identifier: MIT\\n\");\n", 1, "MIT", "MIT" },
	{ "x = 'SPDX-License-Identifier: MIT',\n", 1, "MIT", "MIT" },
	{ "html = \"<!-- SPDX-License-Identifier: MIT -->\"\n", 1, "MIT", "MIT" },
	{ "{# SPDX-License-Identifier: MIT #}\n", 1, "MIT", "MIT" },
	{ "<%-- SPDX-License-Identifier: MIT --%>\n", 1, "MIT", "MIT" },
	{ "Use `SPDX-License-Identifier: MIT` in headers.\n", 1, "MIT", "MIT" },
	{ "(SPDX-License-Identifier: MIT)\n", 1, "MIT", "MIT" },
	{ "// SPDX-License-Identifier : MIT\n", 1, "MIT", "MIT" },
	{ "// spdx-license-identifier: mit\n", 1, "MIT", "MIT" },
	{ "// SPDX-LICENSE-IDENTIFIER: MIT\n", 1, "MIT", "MIT" },
	{ "// Spdx-License-identifier: MIT\n", 1, "MIT", "MIT" },
	{ "// SPDX-License-Identifier:MIT;\n", 1, "MIT", "MIT" },
	{ "//\tSPDX-License-Identifier:\tMIT\t\n", 1, "MIT", "MIT" },
	{ "// SPDX-License-Identifier: MIT // trailing comment\n", 1, "MIT", "MIT" },
	{ "# SPDX-License-Identifier: MIT # noqa\n", 1, "MIT", "MIT" },
	{ "// SPDX-License-Identifier: (MIT OR Apache-2.0)\n", 1, "MIT", "MIT OR Apache-2.0" },
	{ "/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */\n", 1,
	  "GPL-2.0-only", "GPL-2.0-only WITH Linux-syscall-note OR BSD-2-Clause" },
	{ "# SPDX-License-Identifier: GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\n", 1,
	  "GPL-3.0-or-later", "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0" },
	{ "last line without newline // SPDX-License-Identifier: MIT", 1, "MIT", "MIT" },
};

START_TEST(tag_in_each_comment_syntax)
{
	tgpl_detection *d = tags(syntaxes[_i].text);

	ck_assert_msg(d->n_licenses >= 1, "no hit in: %s", syntaxes[_i].text);
	ck_assert_msg(d->licenses[0].spdx && strcmp(d->licenses[0].spdx, syntaxes[_i].spdx) == 0,
		      "'%s' in: %s (note %s)", d->licenses[0].spdx, syntaxes[_i].text,
		      d->licenses[0].note ? d->licenses[0].note : "none");
	ck_assert_pstr_eq(d->licenses[0].expr, syntaxes[_i].expr);
	ck_assert_int_eq(d->licenses[0].kind, TGPL_KIND_TAG);
	ck_assert_uint_eq(d->licenses[0].start_line, syntaxes[_i].line);
	ck_assert_uint_eq(d->licenses[0].end_line, syntaxes[_i].line);
	ck_assert_str_eq(d->licenses[0].rule, "spdx-tag");
	ck_assert_double_eq(d->licenses[0].score, 1.0);
	if (strcmp(syntaxes[_i].expr, "MIT") == 0) {
		ck_assert_uint_eq(d->n_licenses, 1);
		ck_assert_ptr_null(d->licenses[0].note);
	}
	tgpl_detection_free(d);
}
END_TEST

START_TEST(mentions_without_a_value_are_not_tags)
{
	no_tags("Put a line \"SPDX-License-Identifier: <id>\" at the top of each file.\n");
	no_tags("// SPDX-License-Identifier:\n");
	no_tags("// SPDX-License-Identifier:   \n");
	no_tags("SPDX-License-Identifier:");
	no_tags("SPDX-License-Identifier");
	no_tags("SPDX-License-Identif");
	no_tags("SPDX-");
	no_tags("dentifier: MIT");
	no_tags("Identifier: MIT\nLicense-Identifier: MIT\n");
	no_tags("-");
	no_tags("// SPDX-FileCopyrightText: 2024 A. Person <a@example.org>\n");
	no_tags("// SPDX-License-Identifier MIT\n");
	no_tags("if (strncmp(line, \"SPDX-License-Identifier:\", 24) == 0)\n");
	no_tags("# SPDX-License-Identifier: {{ cookiecutter.license }}\n");
	no_tags("# SPDX-License-Identifier: ${LICENSE}\n");
	no_tags("XSPDX-License-Identifier: MIT\n");
	no_tags("A file with no tag at all -- only dashes - and -> arrows.\n");
	no_tags("");
}
END_TEST

START_TEST(malformed_tag_value_is_a_noassertion_hit_on_its_line)
{
	tgpl_detection *d = tags("int a;\n\n// SPDX-License-Identifier: MIT AND\n");
	const tgpl_license_hit *h;

	ck_assert_uint_eq(d->n_licenses, 1);
	h = &d->licenses[0];
	ck_assert_str_eq(h->spdx, "NOASSERTION");
	ck_assert_ptr_null(h->expr);
	ck_assert_double_eq(h->score, 0.0);
	ck_assert_uint_eq(h->start_line, 3);
	ck_assert_str_eq(h->rule, "spdx-tag");
	ck_assert_str_eq(h->note,
			 "malformed SPDX expression 'MIT AND': unexpected end of expression");
	tgpl_detection_free(d);
	/* A list is not an expression: reported, not cut to its first id. */
	d = tags("# SPDX-License-Identifier: MIT, Apache-2.0\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	ck_assert_str_eq(d->licenses[0].note,
			 "malformed SPDX expression 'MIT, Apache-2.0': unexpected character ','");
	tgpl_detection_free(d);
	d = tags("# SPDX-License-Identifier: MIT/Apache-2.0\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	ck_assert_str_eq(d->licenses[0].spdx, "NOASSERTION");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(tag_deep_in_a_long_file_has_its_line)
{
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	int i;

	for (i = 1; i < 43210; i++)
		ck_assert_int_eq(tgpl_buf_printf(&b, "x = y - %d; /* -- SPDX- */\n", i), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, "    # SPDX-License-Identifier: Apache-2.0\n"), 0);
	for (i = 0; i < 5000; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "z--;\n"), 0);
	d = tags_n(b.ptr, b.len);
	ck_assert_uint_eq(d->n_licenses, 1);
	hit_is(d, 0, "Apache-2.0", "Apache-2.0", 43210, "spdx-tag", NULL);
	tgpl_detection_free(d);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(every_tag_in_a_file_is_reported_in_order)
{
	tgpl_detection *d = tags("// SPDX-License-Identifier: MIT\n"
				 "\n"
				 "/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */\n"
				 "a = \"SPDX-License-Identifier: ISC\"; b = \"SPDX-License-Identifier: Foo\"\n"
				 "// SPDX-License-Identifier: MIT\n");

	ck_assert_uint_eq(d->n_licenses, 6);
	hit_is(d, 0, "MIT", "MIT", 1, "spdx-tag", NULL);
	hit_is(d, 1, "GPL-2.0-only", "GPL-2.0-only WITH Linux-syscall-note", 3, "spdx-tag",
	       "deprecated SPDX id 'GPL-2.0' (now GPL-2.0-only)");
	hit_is(d, 2, "Linux-syscall-note", "GPL-2.0-only WITH Linux-syscall-note", 3, "spdx-tag",
	       NULL);
	hit_is(d, 3, "ISC", "ISC", 4, "spdx-tag", NULL);
	hit_is(d, 4, "Foo", "Foo", 4, "spdx-tag", "unknown SPDX id 'Foo'");
	/* Duplicates across tags are separate statements, each reported. */
	hit_is(d, 5, "MIT", "MIT", 5, "spdx-tag", NULL);
	tgpl_detection_free(d);
}
END_TEST

START_TEST(tags_per_file_are_capped)
{
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	int i;

	for (i = 0; i < 1500; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "SPDX-License-Identifier: MIT\n"), 0);
	d = tags_n(b.ptr, b.len);
	ck_assert_uint_eq(d->n_licenses, 1001);
	hit_is(d, 999, "MIT", "MIT", 1000, "spdx-tag", NULL);
	ck_assert_ptr_null(d->licenses[1000].spdx);
	ck_assert_uint_eq(d->licenses[1000].start_line, 1001);
	ck_assert_str_eq(d->licenses[1000].note,
			 "more than 1000 SPDX-License-Identifier tags; the rest are not read");
	tgpl_detection_free(d);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(hostile_bytes_in_a_file_do_not_crash)
{
	static const char nul[] = "\0\0// SPDX-License-Identifier: MIT\0 OR garbage\n\0";
	static const char bad[] = "\xff\xfe// SPDX-License-Identifier: MIT \xc3\x28\n";
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	size_t i;

	/* A NUL ends the value. */
	d = tags_n(nul, sizeof(nul) - 1);
	ck_assert_uint_eq(d->n_licenses, 1);
	hit_is(d, 0, "MIT", "MIT", 1, "spdx-tag", NULL);
	tgpl_detection_free(d);

	d = tags_n(bad, sizeof(bad) - 1);
	ck_assert_uint_eq(d->n_licenses, 1);
	ck_assert_str_eq(d->licenses[0].spdx, "NOASSERTION");
	ck_assert_str_eq(d->licenses[0].note,
			 "malformed SPDX expression 'MIT ?(': unexpected byte 0xc3");
	tgpl_detection_free(d);

	/* A 1 MB line after a tag: too long, note bounded. */
	ck_assert_int_eq(tgpl_buf_puts(&b, "// SPDX-License-Identifier: "), 0);
	for (i = 0; i < (1 << 20); i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, 'a'), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, "\n// SPDX-License-Identifier: ISC\n"), 0);
	d = tags_n(b.ptr, b.len);
	ck_assert_uint_eq(d->n_licenses, 2);
	ck_assert_str_eq(d->licenses[0].spdx, "NOASSERTION");
	ck_assert_uint_lt(strlen(d->licenses[0].note), 300);
	ck_assert_ptr_nonnull(strstr(d->licenses[0].note, "too long"));
	hit_is(d, 1, "ISC", "ISC", 2, "spdx-tag", NULL);
	tgpl_detection_free(d);

	/* 1 MB of dashes, of "SPDX-" and of random bytes: no tag, no crash. */
	tgpl_buf_clear(&b);
	for (i = 0; i < (1 << 20); i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, '-'), 0);
	d = tags_n(b.ptr, b.len);
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
	tgpl_buf_clear(&b);
	for (i = 0; i < (1 << 18); i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "SPDX-"), 0);
	d = tags_n(b.ptr, b.len);
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
	tgpl_buf_clear(&b);
	srand(42);
	for (i = 0; i < (1 << 20); i++) {
		if (i % 4096 == 0)
			ck_assert_int_eq(tgpl_buf_puts(&b, "SPDX-License-Identifier:"), 0);
		ck_assert_int_eq(tgpl_buf_putc(&b, (char)(rand() & 0xff)), 0);
	}
	d = tags_n(b.ptr, b.len);
	for (i = 0; i < d->n_licenses; i++) {
		ck_assert_str_eq(d->licenses[i].rule, "spdx-tag");
		ck_assert_ptr_nonnull(d->licenses[i].spdx);
	}
	tgpl_detection_free(d);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(tgpl_detect_reports_tags)
{
	static const char src[] = "/*\n * SPDX-License-Identifier: mit or apache-2.0\n */\nint x;\n";
	tgpl_detection *d = NULL;
	size_t i, found = 0;

	ck_assert_int_eq(tgpl_detect(&d, ctx, eng, NULL, "src/x.c", src, sizeof(src) - 1), 0);
	for (i = 0; i < d->n_licenses; i++) {
		if (!d->licenses[i].rule || strcmp(d->licenses[i].rule, "spdx-tag") != 0)
			continue;
		hit_is(d, i, found ? "Apache-2.0" : "MIT", "MIT OR Apache-2.0", 2, "spdx-tag", NULL);
		found++;
	}
	ck_assert_uint_eq(found, 2);
	ck_assert_ptr_nonnull(d->expression);
	ck_assert_ptr_nonnull(strstr(d->expression, "MIT OR Apache-2.0"));
	tgpl_detection_free(d);
}
END_TEST

START_TEST(allocation_failures_return_enomem)
{
	static const char *const exprs[] = {
		"GPL-2.0-with-classpath-exception OR (Foo+ AND LicenseRef-x) OR mit WITH Bar",
		"AGPL-3.0+ AND Apache-2.0+",
		"MIT AND (",
	};
	static const char file[] = "// SPDX-License-Identifier: GPL-2.0+ OR Foo\n"
				   "# SPDX-License-Identifier: MIT OR\n";
	size_t c;

	for (c = 0; c <= sizeof(exprs) / sizeof(exprs[0]); c++) {
		long n;
		int rc, ok = 0;

		for (n = 1; n < 500 && !ok; n++) {
			tgpl_detection *d;

			tgpl_alloc_fail_at(n);
			if (c < sizeof(exprs) / sizeof(exprs[0]))
				d = emit_rc(exprs[c], strlen(exprs[c]), &rc);
			else
				d = tags_rc(file, sizeof(file) - 1, &rc);
			tgpl_alloc_fail_at(0);
			ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "case %zu: rc %d", c, rc);
			ok = rc == 0;
			if (ok)   /* the failure point is past the last allocation */
				ck_assert_uint_ge(d->n_licenses, 1);
			tgpl_detection_free(d);
		}
		ck_assert_msg(ok, "case %zu never succeeded", c);
		ck_assert_msg(n > 2, "case %zu allocated nothing", c);
	}
	for (c = 1; c < 40; c++) {
		char *out = NULL;
		int rc;

		tgpl_alloc_fail_at((long)c);
		rc = spdx_canonical(&out, eng, "GPL-2.0+ OR eCos-2.0", 20, NULL, 0);
		tgpl_alloc_fail_at(0);
		ck_assert(rc == 0 || rc == TGPL_ENOMEM);
		ck_assert(rc == 0 ? out != NULL : out == NULL);
		if (rc == 0)
			ck_assert_str_eq(out, "GPL-2.0-or-later OR GPL-2.0-or-later WITH eCos-exception-2.0");
		free(out);
	}
}
END_TEST

static Suite *spdx_suite(void)
{
	Suite *s = suite_create("spdx");
	TCase *te = tcase_create("expressions");
	TCase *tt = tcase_create("tags");
	TCase *th = tcase_create("hostile");

	tcase_add_checked_fixture(te, setup, teardown);
	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_add_checked_fixture(th, setup, teardown);
	tcase_set_timeout(th, 120);
	tcase_add_test(te, ids_and_operators_print_in_canonical_case);
	tcase_add_test(te, parentheses_stay_only_where_and_meets_or);
	tcase_add_test(te, every_id_in_an_expression_is_a_hit_with_the_expression);
	tcase_add_test(te, duplicate_ids_give_one_hit);
	tcase_add_test(te, deprecated_ids_map_to_their_replacement_with_a_note);
	tcase_add_test(te, plus_makes_gnu_ids_or_later_and_stays_on_others);
	tcase_add_test(te, with_gives_hits_for_licence_and_exception);
	tcase_add_test(te, license_document_and_addition_refs_are_kept_as_written);
	tcase_add_test(te, unknown_ids_are_kept_as_written_with_a_note);
	tcase_add_test(te, malformed_expressions_give_one_noassertion_hit);
	tcase_add_test(te, canonical_reports_errors_in_the_buffer_given);
	tcase_add_loop_test(tt, tag_in_each_comment_syntax, 0,
			    (int)(sizeof(syntaxes) / sizeof(syntaxes[0])));
	tcase_add_test(tt, mentions_without_a_value_are_not_tags);
	tcase_add_test(tt, malformed_tag_value_is_a_noassertion_hit_on_its_line);
	tcase_add_test(tt, tag_deep_in_a_long_file_has_its_line);
	tcase_add_test(tt, every_tag_in_a_file_is_reported_in_order);
	tcase_add_test(tt, tgpl_detect_reports_tags);
	tcase_add_test(th, nesting_length_and_id_count_are_capped);
	tcase_add_test(th, hostile_bytes_in_an_expression_are_quoted_safely);
	tcase_add_test(th, tags_per_file_are_capped);
	tcase_add_test(th, hostile_bytes_in_a_file_do_not_crash);
	tcase_add_test(th, allocation_failures_return_enomem);
	suite_add_tcase(s, te);
	suite_add_tcase(s, tt);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(spdx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
