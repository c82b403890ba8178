/*
 * check_accuracy_notices.c — the whole detector (tgpl_detect) on a labelled
 * set of headers, notices, references, tags and manifests that this project
 * writes, each wrapped in every common comment syntax and reflowed, plus
 * licence-free source files that must yield nothing.
 *
 * Targets asserted: >= 95% exact (the set of ids found equals the expected
 * one) on headers and notices, on references, on tags and on metadata; no
 * licence at all on licence-free files.  TGPL_ACCURACY_TABLE=1 prints
 * per-category accuracy, precision and recall and the misses (make bench).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tgpl.h"
#include "util/util.h"

/* A labelled case: text (one paragraph, wrapped by the test) and its ids. */
typedef struct {
	const char *category;
	const char *text;
	const char *ids;     /* comma-separated, sorted; "" for none */
} labelled;

static const labelled notices[] = {
	{ "notice", "This program is free software; you can redistribute it and/or modify it under the "
	  "terms of the GNU General Public License as published by the Free Software Foundation; "
	  "either version 2 of the License, or (at your option) any later version.", "GPL-2.0-or-later" },
	{ "notice", "This program is free software: you can redistribute it and/or modify it under the "
	  "terms of the GNU General Public License as published by the Free Software Foundation, "
	  "either version 3 of the License, or (at your option) any later version.", "GPL-3.0-or-later" },
	{ "notice", "This program is free software; you can redistribute it and/or modify it under the "
	  "terms of the GNU General Public License version 2 as published by the Free Software "
	  "Foundation.", "GPL-2.0-only" },
	{ "notice", "This library is free software; you can redistribute it and/or modify it under the "
	  "terms of the GNU Lesser General Public License as published by the Free Software "
	  "Foundation; either version 2.1 of the License, or (at your option) any later version.",
	  "LGPL-2.1-or-later" },
	{ "notice", "This library is free software: you can redistribute it and/or modify it under the "
	  "terms of the GNU Lesser General Public License as published by the Free Software "
	  "Foundation, either version 3 of the License, or (at your option) any later version.",
	  "LGPL-3.0-or-later" },
	{ "notice", "This program is free software: you can redistribute it and/or modify it under the "
	  "terms of the GNU Affero General Public License as published by the Free Software "
	  "Foundation, either version 3 of the License, or (at your option) any later version.",
	  "AGPL-3.0-or-later" },
	{ "notice", "Licensed under the Apache License, Version 2.0 (the \"License\"); you may not use "
	  "this file except in compliance with the License. You may obtain a copy of the License at "
	  "http://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0" },
	{ "notice", "This Source Code Form is subject to the terms of the Mozilla Public License, v. "
	  "2.0. If a copy of the MPL was not distributed with this file, You can obtain one at "
	  "http://mozilla.org/MPL/2.0/.", "MPL-2.0" },
	{ "notice", "This program and the accompanying materials are made available under the terms "
	  "of the Eclipse Public License 2.0 which is available at https://www.eclipse.org/legal/epl-2.0/",
	  "EPL-2.0" },
};

static const labelled references[] = {
	{ "reference", "Licensed under the MIT License.", "MIT" },
	{ "reference", "This project is released under the BSD 3-Clause License.", "BSD-3-Clause" },
	{ "reference", "This project is licensed under the terms of the ISC license.", "ISC" },
	{ "reference", "This work is licensed under a Creative Commons Attribution 4.0 International "
	  "License.", "CC-BY-4.0" },
	{ "reference", "This work is licensed under a Creative Commons Attribution-ShareAlike 4.0 "
	  "International License.", "CC-BY-SA-4.0" },
	{ "reference", "This work is licensed under a Creative Commons Attribution-NonCommercial 4.0 "
	  "International License.", "CC-BY-NC-4.0" },
	{ "reference", "Distributed under the terms of the BSD 2-Clause License.", "BSD-2-Clause" },
	{ "reference", "Dual-licensed under MIT and Apache-2.0.", "Apache-2.0,MIT" },
};

static const labelled tags[] = {
	{ "tag", "SPDX-License-Identifier: MIT", "MIT" },
	{ "tag", "SPDX-License-Identifier: GPL-2.0-or-later WITH Classpath-exception-2.0",
	  "Classpath-exception-2.0,GPL-2.0-or-later" },
	{ "tag", "SPDX-License-Identifier: Apache-2.0 OR MIT", "Apache-2.0,MIT" },
	{ "tag", "SPDX-License-Identifier: GPL-3.0-or-later WITH AdditionRef-TGPL-1.0",
	  "AdditionRef-TGPL-1.0,GPL-3.0-or-later" },
	{ "tag", "SPDX-License-Identifier: LGPL-2.1", "LGPL-2.1-only" },
};

/* Manifests: file name, content, ids. */
static const struct {
	const char *name, *text, *ids;
} manifests[] = {
	{ "package.json", "{\n  \"name\": \"x\",\n  \"version\": \"1.0.0\",\n  \"license\": \"MIT\"\n}\n", "MIT" },
	{ "package.json", "{\"name\": \"x\", \"license\": \"(Apache-2.0 OR MIT)\"}\n", "Apache-2.0,MIT" },
	{ "Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\nlicense = \"MIT/Apache-2.0\"\n",
	  "Apache-2.0,MIT" },
	{ "pyproject.toml", "[project]\nname = \"x\"\nlicense = \"BSD-3-Clause\"\n", "BSD-3-Clause" },
	{ "setup.cfg", "[metadata]\nname = x\nlicense = Apache Software License\n", "Apache-2.0" },
	{ "PKG-INFO", "Metadata-Version: 2.1\nName: x\nLicense: MIT\n\nbody\n", "MIT" },
	{ "x.gemspec", "Gem::Specification.new do |s|\n  s.name = 'x'\n  s.license = 'MIT'\nend\n", "MIT" },
	{ "pom.xml", "<project><licenses><license><name>Apache License, Version 2.0</name>"
	  "</license></licenses></project>\n", "Apache-2.0" },
	{ "composer.json", "{\"name\": \"a/b\", \"license\": \"GPL-2.0-or-later\"}\n", "GPL-2.0-or-later" },
	{ "DESCRIPTION", "Package: x\nVersion: 1.0\nLicense: GPL (>= 2)\n", "GPL-2.0-or-later" },
};

/* Comment syntaxes: line prefix, block opener, block closer. */
static const struct {
	const char *prefix, *open, *close;
} syntaxes[] = {
	{ "// ", NULL, NULL }, { "# ", NULL, NULL }, { " * ", "/*", " */" }, { "-- ", NULL, NULL },
	{ "; ", NULL, NULL }, { "% ", NULL, NULL }, { "REM ", NULL, NULL }, { "' ", NULL, NULL },
	{ "", "<!--", "-->" }, { "   ", "(*", "*)" }, { "! ", NULL, NULL },
};

static tgpl_ctx *ctx;
static tgpl_engine *eng;

typedef struct {
	const char *name;
	unsigned items, exact, tp, fp, fn;
	char misses[2048];
} tally;

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
}

/* Wrap `text` at `width` columns into comment syntax `k`, after a line of code. */
static void wrap(tgpl_buf *out, const char *text, size_t width, size_t k)
{
	const char *p = text;

	tgpl_buf_clear(out);
	ck_assert_int_eq(tgpl_buf_puts(out, "int before_the_header;\n"), 0);
	if (syntaxes[k].open)
		ck_assert_int_eq(tgpl_buf_printf(out, "%s\n", syntaxes[k].open), 0);
	while (*p) {
		size_t n = strlen(p), cut = n;

		if (n > width) {
			cut = width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		ck_assert_int_eq(tgpl_buf_printf(out, "%s%.*s\n", syntaxes[k].prefix, (int)cut, p), 0);
		p += cut;
		while (*p == ' ')
			p++;
	}
	if (syntaxes[k].close)
		ck_assert_int_eq(tgpl_buf_printf(out, "%s\n", syntaxes[k].close), 0);
	ck_assert_int_eq(tgpl_buf_puts(out, "int after_the_header;\n"), 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, comma-joined, distinct licence ids of a detection. */
static void ids_of(const tgpl_detection *d, char *out, size_t n)
{
	const char *v[64];
	size_t k = 0, i, j, len = 0;

	for (i = 0; i < d->n_licenses && k < 64; i++) {
		const char *s = d->licenses[i].spdx;
		if (!s || strcmp(s, "NOASSERTION") == 0)
			continue;
		for (j = 0; j < k && strcmp(v[j], s) != 0; j++)
			;
		if (j == k)
			v[k++] = s;
	}
	qsort(v, k, sizeof(*v), cmp_str);
	out[0] = '\0';
	for (i = 0; i < k; i++)
		len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s", i ? "," : "", v[i]);
}

static unsigned count_ids(const char *s)
{
	unsigned n = *s ? 1 : 0;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

/* How many ids of comma list a appear in comma list b. */
static unsigned common_ids(const char *a, const char *b)
{
	char tmp[1024], *save = NULL, *tok;
	unsigned n = 0;

	snprintf(tmp, sizeof(tmp), "%s", a);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t k = strlen(tok);
		const char *p = b;
		while ((p = strstr(p, tok)) != NULL) {
			if ((p == b || p[-1] == ',') && (p[k] == ',' || p[k] == '\0')) {
				n++;
				break;
			}
			p += k;
		}
	}
	return n;
}

static void score(tally *t, const char *path, const char *text, size_t len, const char *want,
		  const char *label)
{
	tgpl_detection *d = NULL;
	char got[1024];
	unsigned c;

	ck_assert_msg(tgpl_detect(&d, ctx, eng, NULL, path, text, len) == 0, "%s", tgpl_errmsg(ctx));
	ids_of(d, got, sizeof(got));
	tgpl_detection_free(d);
	t->items++;
	c = common_ids(want, got);
	t->tp += c;
	t->fp += count_ids(got) - c;
	t->fn += count_ids(want) - c;
	if (strcmp(got, want) == 0)
		t->exact++;
	else if (strlen(t->misses) + strlen(label) + strlen(got) + 16 < sizeof(t->misses))
		snprintf(t->misses + strlen(t->misses), sizeof(t->misses) - strlen(t->misses),
			 "  %s -> [%s]\n", label, got);
}

static void report(const tally *t)
{
	double p = t->tp + t->fp ? (double)t->tp / (t->tp + t->fp) : 1.0;
	double r = t->tp + t->fn ? (double)t->tp / (t->tp + t->fn) : 1.0;

	if (getenv("TGPL_ACCURACY_TABLE"))
		printf("%-18s %6u %8.2f%% %9.3f %9.3f\n%s", t->name, t->items,
		       t->items ? 100.0 * t->exact / t->items : 100.0, p, r, t->misses);
}

/* Every syntax; reflowed at 60 and 80 columns and unwrapped, or (tags, which
 * are one line by definition) unwrapped only. */
static void run_wrapped(tally *t, const labelled *set, size_t n, int reflow)
{
	static const size_t widths[] = { 1000, 60, 80 };
	tgpl_buf b = TGPL_BUF_INIT;
	char label[160];
	size_t i, k, w;

	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(syntaxes) / sizeof(syntaxes[0]); k++)
			for (w = 0; w < (reflow ? sizeof(widths) / sizeof(widths[0]) : 1); w++) {
				wrap(&b, set[i].text, widths[w], k);
				snprintf(label, sizeof(label), "%s #%zu syntax '%s%s' width %zu", set[i].category,
					 i, syntaxes[k].open ? syntaxes[k].open : "", syntaxes[k].prefix,
					 widths[w]);
				score(t, "src/file.c", b.ptr, b.len, set[i].ids, label);
			}
	tgpl_buf_release(&b);
}

START_TEST(headers_notices_references_tags_and_metadata_are_found_exactly)
{
	tally tn = { "headers/notices", 0, 0, 0, 0, 0, "" };
	tally tr = { "references", 0, 0, 0, 0, 0, "" };
	tally tt = { "tags", 0, 0, 0, 0, 0, "" };
	tally tm = { "metadata", 0, 0, 0, 0, 0, "" };
	size_t i;

	run_wrapped(&tn, notices, sizeof(notices) / sizeof(notices[0]), 1);
	run_wrapped(&tr, references, sizeof(references) / sizeof(references[0]), 1);
	run_wrapped(&tt, tags, sizeof(tags) / sizeof(tags[0]), 0);
	for (i = 0; i < sizeof(manifests) / sizeof(manifests[0]); i++)
		score(&tm, manifests[i].name, manifests[i].text, strlen(manifests[i].text),
		      manifests[i].ids, manifests[i].name);
	if (getenv("TGPL_ACCURACY_TABLE"))
		printf("whole detector on notices, references, tags and manifests\n"
		       "category            items     exact precision    recall\n");
	report(&tn);
	report(&tr);
	report(&tt);
	report(&tm);
	ck_assert_msg(tn.exact * 100 >= tn.items * 95, "headers/notices %u/%u exact:\n%s", tn.exact,
		      tn.items, tn.misses);
	ck_assert_msg(tr.exact * 100 >= tr.items * 95, "references %u/%u exact:\n%s", tr.exact,
		      tr.items, tr.misses);
	ck_assert_msg(tt.exact * 100 >= tt.items * 95, "tags %u/%u exact:\n%s", tt.exact, tt.items,
		      tt.misses);
	ck_assert_msg(tm.exact * 100 >= tm.items * 95, "metadata %u/%u exact:\n%s", tm.exact,
		      tm.items, tm.misses);
}
END_TEST

/* Deterministic licence-free source: code that talks about licences,
 * copyright, permissions and warranties the way programs do. */
START_TEST(licence_free_source_files_yield_no_licence)
{
	static const char *const lines[] = {
		"static int license_count = 0;  /* how many license keys were checked */",
		"if (user_has_permission(u, PERM_WRITE)) grant(u);",
		"// TODO: warn when the warranty period of the device has expired",
		"def check_license_key(key): return key.startswith('LIC-')",
		"const copyrightYear = new Date().getFullYear();",
		"printf(\"Copyright (c) %d Example\\n\", year);",
		"# distribute the work items over the worker pool",
		"raise PermissionError('no permission to modify this file')",
		"for (i = 0; i < n; i++) total += weights[i] * inputs[i];",
		"SELECT license_id, name FROM licenses WHERE osi = 1;",
		"mit_count += apache_count + gpl_count;",
		"return redistribute(tokens, shards, /* free of charge */ 0);",
	};
	tally t = { "licence-free", 0, 0, 0, 0, 0, "" };
	tgpl_buf b = TGPL_BUF_INIT;
	unsigned seed = 12345, f, i;
	char label[32];

	for (f = 0; f < 300; f++) {
		tgpl_buf_clear(&b);
		for (i = 0; i < 200; i++) {
			seed = seed * 1103515245u + 12345u;
			ck_assert_int_eq(tgpl_buf_printf(&b, "%s\n", lines[(seed >> 16) % 12]), 0);
		}
		snprintf(label, sizeof(label), "file %u", f);
		score(&t, f % 2 ? "src/x.c" : "lib/y.py", b.ptr, b.len, "", label);
	}
	tgpl_buf_release(&b);
	report(&t);
	ck_assert_msg(t.fp == 0, "licences reported on licence-free files:\n%s", t.misses);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("accuracy: notices, references, tags, metadata");
	TCase *tc = tcase_create("labelled");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, headers_notices_references_tags_and_metadata_are_found_exactly);
	tcase_add_test(tc, licence_free_source_files_yield_no_licence);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
