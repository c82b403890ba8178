/* check_rules.c — notice and reference rules (src/detect/rules.c, licenses/rules/). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect/detect_int.h"
#include "detect/rules.h"
#include "util/util.h"

static tgpl_ctx *ctx;
static tgpl_engine *eng;
static struct rule_set *rs;

/* The rule files of the source tree: $TGPL_SRCDIR/licenses/rules, else ./licenses/rules. */
static char *rules_dir(void)
{
	const char *src = getenv("TGPL_SRCDIR");
	tgpl_buf b = TGPL_BUF_INIT;

	ck_assert_int_eq(tgpl_buf_printf(&b, "%s/licenses/rules", src && *src ? src : "."), 0);
	return tgpl_buf_detach(&b);
}

static void setup(void)
{
	char *dir = rules_dir();

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&eng, ctx, getenv("TGPL_DATADIR")) == 0, "engine: %s",
		      tgpl_errmsg(ctx));
	ck_assert_msg(rules_load(&rs, ctx, dir) == 0, "rules: %s", tgpl_errmsg(ctx));
	ck_assert_uint_gt(rules_count(rs), 40);
	free(dir);
}

static void teardown(void)
{
	rules_free(rs);
	tgpl_engine_free(eng);
	tgpl_ctx_free(ctx);
	rs = NULL;
	eng = NULL;
	ctx = NULL;
}

/* A text_view over data[0..len) with its line table; free t->line_off. */
static void make_view(text_view *t, const char *data, size_t len)
{
	uint32_t *lines = calloc(len + 1, sizeof(*lines));
	size_t n = 0, i;

	ck_assert_ptr_nonnull(lines);
	if (len)
		lines[n++] = 0;
	for (i = 0; i + 1 < len; i++)
		if (data[i] == '\n')
			lines[n++] = (uint32_t)(i + 1);
	t->data = data;
	t->len = len;
	t->line_off = lines;
	t->n_lines = (uint32_t)n;
	t->path = "x";
	t->basename = "x";
}

/* Run the rules alone over data[0..len); rc in *rcp. */
static tgpl_detection *scan_rc(const char *data, size_t len, int *rcp)
{
	det_builder b;
	text_view t;

	memset(&b, 0, sizeof(b));
	b.det = calloc(1, sizeof(*b.det));   /* not counted by allocation-failure tests */
	ck_assert_ptr_nonnull(b.det);
	make_view(&t, data, len);
	*rcp = rules_detect(&b, eng, rs, &t);
	free((void *)t.line_off);
	return b.det;
}

static tgpl_detection *scan(const char *s)
{
	int rc;
	tgpl_detection *d = scan_rc(s, strlen(s), &rc);

	ck_assert_int_eq(rc, 0);
	return d;
}

static void hit_is(const tgpl_detection *d, size_t i, const char *spdx, const char *expr,
		   tgpl_kind kind, uint32_t start, uint32_t end, const char *rule)
{
	const tgpl_license_hit *h;

	ck_assert_msg(i < d->n_licenses, "hit %zu of %zu", i, d->n_licenses);
	h = &d->licenses[i];
	ck_assert_pstr_eq(h->spdx, spdx);
	ck_assert_pstr_eq(h->expr, expr);
	ck_assert_str_eq(tgpl_kind_name(h->kind), tgpl_kind_name(kind));
	ck_assert_uint_eq(h->start_line, start);
	ck_assert_uint_eq(h->end_line, end);
	ck_assert_pstr_eq(h->rule, rule);
	ck_assert_double_eq(h->score, 1.0);
}

/* Exactly one hit, for a single id. */
static void one_hit(const char *text, const char *spdx, tgpl_kind kind, uint32_t start,
		    uint32_t end, const char *rule)
{
	tgpl_detection *d = scan(text);

	ck_assert_msg(d->n_licenses == 1, "%zu hits for: %s", d->n_licenses, text);
	hit_is(d, 0, spdx, spdx ? spdx : NULL, kind, start, end, rule);
	tgpl_detection_free(d);
}

static void no_hit(const char *text)
{
	tgpl_detection *d = scan(text);

	ck_assert_msg(d->n_licenses == 0, "%zu hits (first %s by %s) for: %.200s", d->n_licenses,
		      d->n_licenses ? d->licenses[0].spdx : "", d->n_licenses ? d->licenses[0].rule : "",
		      text);
	tgpl_detection_free(d);
}

/* The normalised text of s. */
static char *norm_of(const char *s)
{
	text_view t;
	rules_norm n;
	char *out;

	make_view(&t, s, strlen(s));
	ck_assert_int_eq(rules_normalise(&n, &t), 0);
	out = strdup(n.text);
	rules_norm_release(&n);
	free((void *)t.line_off);
	return out;
}

/* ---- normalisation --------------------------------------------------------- */

START_TEST(norm_strips_comment_markers_of_every_syntax)
{
	char *n = norm_of("// one\n/* two */\n * three\n# four\n;; five\n-- six\n% seven\n"
			  "! eight\nREM nine\n' ten\n(* eleven *)\n<!-- twelve -->\n"
			  "\"\"\" thirteen\ndnl fourteen\n{- fifteen -}\n/** sixteen **/\n"
			  "  ##  seventeen  ##\n> eighteen\n:: nineteen\n");

	ck_assert_str_eq(n, "one two three four five six seven eight nine ten eleven twelve "
			    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen");
	free(n);
}
END_TEST

START_TEST(norm_folds_case_spaces_quotes_and_dashes)
{
	/* “Under” NBSP the—MIT ‘x’ © … soft-hyphen */
	char *n = norm_of("Licensed  \xe2\x80\x9cUnder\xe2\x80\x9d\xc2\xa0the\xe2\x80\x94MIT\t"
			  "\xe2\x80\x98x\xe2\x80\x99 \xc2\xa9 wait\xe2\x80\xa6 li\xc2\xad" "cense\r\n");

	ck_assert_str_eq(n, "licensed \"under\" the-mit 'x' (c) wait... license");
	free(n);
}
END_TEST

START_TEST(norm_keeps_code_and_drops_borders)
{
	char *n = norm_of("/*************/\nint x = 1; // why\n#include <a.h>\n"
			  "/* ---------- */\n- item\n'quoted' word\n");

	/* "-" alone and a quoted word are text, not comment markers. */
	ck_assert_str_eq(n, "int x = 1; // why include <a.h> - item 'quoted' word");
	free(n);
}
END_TEST

START_TEST(norm_turns_nul_and_bad_utf8_into_space_and_placeholder)
{
	static const char s[] = "a\0b\xff" "c\xc3\x28" "d\xf0\x9f\x98\x80" "e";
	text_view t;
	rules_norm n;

	make_view(&t, s, sizeof(s) - 1);
	ck_assert_int_eq(rules_normalise(&n, &t), 0);
	ck_assert_str_eq(n.text, "a b\x1a" "c\x1a(d\x1a" "e");
	rules_norm_release(&n);
	free((void *)t.line_off);
}
END_TEST

START_TEST(norm_maps_offsets_back_to_lines)
{
	static const char s[] = "/*\n * alpha beta\n *\n\n * gamma\n */\n";
	text_view t;
	rules_norm n;
	const char *g;

	make_view(&t, s, sizeof(s) - 1);
	ck_assert_int_eq(rules_normalise(&n, &t), 0);
	ck_assert_str_eq(n.text, "alpha beta gamma");
	ck_assert_uint_eq(rules_norm_line(&n, 0), 2);
	ck_assert_uint_eq(rules_norm_line(&n, 6), 2);         /* "beta" */
	g = strstr(n.text, "gamma");
	ck_assert_uint_eq(rules_norm_line(&n, (size_t)(g - n.text)), 5);
	ck_assert_uint_eq(rules_norm_line(&n, (size_t)(g - n.text) - 1), 2);  /* the space */
	ck_assert_uint_eq(rules_norm_line(&n, n.len - 1), 5);
	rules_norm_release(&n);
	free((void *)t.line_off);
}
END_TEST

/* ---- the GNU family ---------------------------------------------------------- */

START_TEST(gpl_or_later_in_block_comment_wrapped_oddly)
{
	one_hit("/*\n"
		" * frob.c - frobnicate things\n"
		" *\n"
		" * This program is free software; you can redistribute it and/or\n"
		" * modify it under the terms of the GNU General\n"
		" * Public License as published by the Free Software Foundation; either\n"
		" * version 2 of the License, or (at your\n"
		" * option) any later version.\n"
		" */\n"
		"int x;\n",
		"GPL-2.0-or-later", TGPL_KIND_NOTICE, 4, 8, "gpl-or-later");
}
END_TEST

START_TEST(gpl_or_later_in_hash_comments)
{
	one_hit("#!/bin/sh\n"
		"# Copyright 2020 A. Person\n"
		"#\n"
		"#   This program is free software: you can redistribute it and/or modify it under the terms\n"
		"#   of the GNU General Public License as published by the Free Software\n"
		"#   Foundation, either version 3 of the License, or (at your option) any\n"
		"#   later version.\n"
		"echo hi\n",
		"GPL-3.0-or-later", TGPL_KIND_NOTICE, 4, 7, "gpl-or-later");
}
END_TEST

START_TEST(gpl_or_later_in_lisp_and_old_gnu_wording)
{
	/* The older GNU form: "either version 2, or (at your option) any later version". */
	one_hit(";;; frob.el --- frobnicate\n"
		";; GNU Emacs is free software; you can redistribute it and/or modify\n"
		";; it under the terms of the GNU General Public License as published by\n"
		";; the Free Software Foundation; either version 2, or (at your option)\n"
		";; any later version.\n",
		"GPL-2.0-or-later", TGPL_KIND_NOTICE, 2, 5, "gpl-or-later");
	one_hit("-- Licensed under the GNU General Public License, version 3 or\n"
		"-- later.\n",
		"GPL-3.0-or-later", TGPL_KIND_NOTICE, 1, 2, "gpl-or-later-short");
}
END_TEST

START_TEST(gpl_only_in_line_and_hash_comments)
{
	one_hit("// foo.c\n"
		"// This program is free software; you can redistribute it and/or modify it\n"
		"// under the terms and conditions of the GNU General Public License,\n"
		"// version 2, as published by the Free Software Foundation.\n"
		"//\n"
		"// This program is distributed in the hope it will be useful, but WITHOUT\n"
		"// ANY WARRANTY.\n",
		"GPL-2.0-only", TGPL_KIND_NOTICE, 2, 4, "gpl-only");
	one_hit("# This file is part of Frob.\n"
		"# Frob is free software; you can redistribute it and/or modify it under the\n"
		"# terms of the GNU General Public License as published by the Free Software\n"
		"# Foundation; version 2 of the License.\n",
		"GPL-2.0-only", TGPL_KIND_NOTICE, 2, 4, "gpl-only");
}
END_TEST

START_TEST(or_later_wins_over_only_for_the_same_notice)
{
	tgpl_detection *d;
	size_t i;

	/* Every -only pattern also matches inside these; only the or-later hit may remain. */
	d = scan("/* This program is free software; you can redistribute it and/or modify\n"
		 " * it under the terms of the GNU General Public License version 2 as\n"
		 " * published by the Free Software Foundation, or (at your option) any later\n"
		 " * version. */\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	hit_is(d, 0, "GPL-2.0-or-later", "GPL-2.0-or-later", TGPL_KIND_NOTICE, 1, 4, "gpl-or-later");
	tgpl_detection_free(d);

	d = scan("# GNU General Public License version 2 or later\n# (see below)\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	hit_is(d, 0, "GPL-2.0-or-later", "GPL-2.0-or-later", TGPL_KIND_NOTICE, 1, 1,
	       "gpl-or-later-short");
	tgpl_detection_free(d);

	/* And an -only notice far from any later-version sentence stays -only. */
	d = scan("// under the terms of the GNU General Public License version 2 as published\n"
		 "// by the Free Software Foundation.\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	for (i = 0; i < d->n_licenses; i++)
		ck_assert_str_eq(d->licenses[i].rule, "gpl-only");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(lgpl_library_version_2_is_lgpl_2_0)
{
	one_hit(" * This library is free software; you can redistribute it and/or\n"
		" * modify it under the terms of the GNU Library General Public\n"
		" * License as published by the Free Software Foundation; either\n"
		" * version 2 of the License, or (at your option) any later version.\n",
		"LGPL-2.0-or-later", TGPL_KIND_NOTICE, 1, 4, "lgpl-or-later");
}
END_TEST

START_TEST(lgpl_2_1_or_later_in_dash_dash_comments)
{
	one_hit("-- Copyright (C) 2004 Someone\n"
		"--\n"
		"-- This library is free software; you can redistribute it and/or modify it\n"
		"-- under the terms of the GNU Lesser General Public License as published by the\n"
		"-- Free Software Foundation; either version 2.1 of the License, or (at your\n"
		"-- option) any later version.\n",
		"LGPL-2.1-or-later", TGPL_KIND_NOTICE, 3, 6, "lgpl-or-later");
}
END_TEST

START_TEST(lgpl_3_only_in_semicolon_comments)
{
	one_hit("; frob.asm\n"
		"; This library is free software: you can redistribute it and/or modify it\n"
		"; under the terms of the GNU Lesser General Public License version 3 as\n"
		"; published by the Free Software Foundation.\n",
		"LGPL-3.0-only", TGPL_KIND_NOTICE, 2, 4, "lgpl-only");
}
END_TEST

START_TEST(agpl_in_html_and_tex_comments)
{
	one_hit("<!DOCTYPE html>\n"
		"<!--\n"
		"  This program is free software: you can redistribute it and/or modify\n"
		"  it under the terms of the GNU Affero General Public License as\n"
		"  published by the Free Software Foundation, either version 3 of the\n"
		"  License, or (at your option) any later version.\n"
		"-->\n",
		"AGPL-3.0-or-later", TGPL_KIND_NOTICE, 3, 6, "agpl-or-later");
	one_hit("% frob.tex\n"
		"% This work is free software: you can redistribute it and/or modify it under the\n"
		"% terms of the GNU Affero General Public License version 3 as published by the\n"
		"% Free Software Foundation.\n",
		"AGPL-3.0-only", TGPL_KIND_NOTICE, 2, 4, "agpl-only");
}
END_TEST

START_TEST(gnu_short_references)
{
	one_hit("Frob is GPLv2+ (see below).\n", "GPL-2.0-or-later", TGPL_KIND_REFERENCE, 1, 1,
		"gnu-reference-or-later");
	one_hit("' libfrob: LGPL-2.1+\n", "LGPL-2.1-or-later", TGPL_KIND_REFERENCE, 1, 1,
		"gnu-reference-or-later");
	one_hit("This tool is\nlicensed under the GPLv3.\n", "GPL-3.0-only", TGPL_KIND_REFERENCE, 2, 2,
		"gnu-reference-only");
	/* An SPDX tag is the tag detector's; the rules leave it alone. */
	no_hit("// SPDX-License-Identifier: GPL-2.0-or-later\n");
}
END_TEST

START_TEST(gpl_compatible_prose_does_not_fire)
{
	no_hit("Our licence is GPL-compatible, so the library can be combined with\n"
	       "GPL-licensed code; see the FSF's list of GPL-compatible licenses.\n"
	       "The GNU General Public License is a copyleft licence.\n");
}
END_TEST

/* ---- exceptions -------------------------------------------------------------- */

START_TEST(classpath_exception_joins_the_notice_before_it)
{
	tgpl_detection *d = scan(
		"/*\n"
		" * Copyright (C) 2008 Foo\n"
		" *\n"
		" * This program is free software; you can redistribute it and/or modify\n"
		" * it under the terms of the GNU General Public License as published by\n"
		" * the Free Software Foundation; either version 2, or (at your option)\n"
		" * any later version.\n"
		" *\n"
		" * Linking this library statically or dynamically with other modules is\n"
		" * making a combined work based on this library.\n"
		" *\n"
		" * As a special exception, the copyright holders of this library give you\n"
		" * permission to link this library with independent modules to produce an\n"
		" * executable, regardless of the license terms of these independent\n"
		" * modules, and to copy and distribute the resulting executable.\n"
		" */\n");
	const char *x = "GPL-2.0-or-later WITH Classpath-exception-2.0";
	const char *r = "gpl-or-later+classpath-exception";

	ck_assert_uint_eq(d->n_licenses, 2);
	hit_is(d, 0, "GPL-2.0-or-later", x, TGPL_KIND_NOTICE, 4, 15, r);
	hit_is(d, 1, "Classpath-exception-2.0", x, TGPL_KIND_NOTICE, 4, 15, r);
	tgpl_detection_free(d);
}
END_TEST

START_TEST(lone_exception_is_reported_alone)
{
	tgpl_detection *d = scan(
		"# As a special exception, the copyright holders of this library give\n"
		"# you permission to link this library with independent modules to produce\n"
		"# an executable, regardless of the license terms of these independent modules.\n");

	ck_assert_uint_eq(d->n_licenses, 1);
	hit_is(d, 0, "Classpath-exception-2.0", NULL, TGPL_KIND_NOTICE, 1, 3, "classpath-exception");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(openjdk_header_is_gpl_2_only_with_classpath)
{
	tgpl_detection *d = scan(
		"/*\n"
		" * This code is free software; you can redistribute it and/or modify it\n"
		" * under the terms of the GNU General Public License version 2 only, as\n"
		" * published by the Free Software Foundation.  Oracle designates this\n"
		" * particular file as subject to the \"Classpath\" exception as provided\n"
		" * by Oracle in the LICENSE file that accompanied this code.\n"
		" */\n");
	const char *x = "GPL-2.0-only WITH Classpath-exception-2.0";

	ck_assert_uint_eq(d->n_licenses, 2);
	hit_is(d, 0, "GPL-2.0-only", x, TGPL_KIND_NOTICE, 2, 5, "openjdk-gpl-2.0-classpath");
	hit_is(d, 1, "Classpath-exception-2.0", x, TGPL_KIND_NOTICE, 2, 5, "openjdk-gpl-2.0-classpath");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(gcc_runtime_exception_joins_gpl_3)
{
	tgpl_detection *d = scan(
		"// GCC is free software; you can redistribute it and/or modify it under\n"
		"// the terms of the GNU General Public License as published by the Free\n"
		"// Software Foundation; either version 3, or (at your option) any later\n"
		"// version.\n"
		"//\n"
		"// Under Section 7 of GPL version 3, you are granted additional\n"
		"// permissions described in the GCC Runtime Library Exception, version\n"
		"// 3.1, as published by the Free Software Foundation.\n");
	const char *x = "GPL-3.0-or-later WITH GCC-exception-3.1";

	ck_assert_uint_eq(d->n_licenses, 2);
	hit_is(d, 0, "GPL-3.0-or-later", x, TGPL_KIND_NOTICE, 1, 8, "gpl-or-later+gcc-exception-3.1");
	hit_is(d, 1, "GCC-exception-3.1", x, TGPL_KIND_NOTICE, 1, 8, "gpl-or-later+gcc-exception-3.1");
	tgpl_detection_free(d);
}
END_TEST

/* ---- Apache, MPL, EPL, CDDL, EUPL ---------------------------------------------- */

START_TEST(apache_header_in_hash_comments)
{
	one_hit("# Copyright 2019 The Foo Authors.\n"
		"#\n"
		"# Licensed under the Apache License, Version 2.0 (the \"License\");\n"
		"# you may not use this file except in compliance with the License.\n"
		"# You may obtain a copy of the License at\n"
		"#\n"
		"#     http://www.apache.org/licenses/LICENSE-2.0\n"
		"#\n"
		"# Unless required by applicable law or agreed to in writing, software\n"
		"# distributed under the License is distributed on an \"AS IS\" BASIS,\n"
		"# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.\n"
		"# See the License for the specific language governing permissions and\n"
		"# limitations under the License.\n",
		"Apache-2.0", TGPL_KIND_NOTICE, 3, 4, "apache-2.0-header");
}
END_TEST

START_TEST(apache_header_in_block_comment_with_curly_quotes)
{
	one_hit("/*\n"
		" * Licensed under the Apache License,\n"
		" * Version 2.0 (the \xe2\x80\x9cLicense\xe2\x80\x9d); you may not use this file except in\n"
		" * compliance with the License.\n"
		" */\n",
		"Apache-2.0", TGPL_KIND_NOTICE, 2, 4, "apache-2.0-header");
}
END_TEST

START_TEST(apache_short_references)
{
	one_hit("Frob is Apache 2.0 licensed.\n", "Apache-2.0", TGPL_KIND_REFERENCE, 1, 1,
		"apache-reference");
	one_hit("## License\n\nLicensed under the Apache License, Version 2.0.\n", "Apache-2.0",
		TGPL_KIND_REFERENCE, 3, 3, "apache-reference");
}
END_TEST

START_TEST(llvm_header_is_apache_with_llvm_exception)
{
	tgpl_detection *d = scan(
		"//===-- frob.cpp --------------------------------------------------------===//\n"
		"//\n"
		"// Part of the LLVM Project, under the Apache License v2.0 with LLVM Exceptions.\n"
		"// See https://llvm.org/LICENSE.txt for license information.\n");

	ck_assert_uint_eq(d->n_licenses, 2);
	hit_is(d, 0, "Apache-2.0", "Apache-2.0 WITH LLVM-exception", TGPL_KIND_NOTICE, 3, 3,
	       "apache-2.0-with-llvm-exception");
	hit_is(d, 1, "LLVM-exception", "Apache-2.0 WITH LLVM-exception", TGPL_KIND_NOTICE, 3, 3,
	       "apache-2.0-with-llvm-exception");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(mpl_2_0_header_in_hash_and_line_comments)
{
	one_hit("# This Source Code Form is subject to the terms of the Mozilla Public\n"
		"# License, v. 2.0. If a copy of the MPL was not distributed with this\n"
		"# file, You can obtain one at http://mozilla.org/MPL/2.0/.\n",
		"MPL-2.0", TGPL_KIND_NOTICE, 1, 2, "mpl-2.0-header");
	one_hit("// This Source Code Form is subject to the terms of the Mozilla Public License,\n"
		"// v. 2.0. If a copy of the MPL was not distributed with this file, You can\n"
		"// obtain one at http://mozilla.org/MPL/2.0/.\n"
		"//\n"
		"// This Source Code Form is \"Incompatible With Secondary Licenses\", as\n"
		"// defined by the Mozilla Public License, v. 2.0.\n",
		"MPL-2.0-no-copyleft-exception", TGPL_KIND_NOTICE, 1, 6, "mpl-2.0-no-copyleft-exception");
}
END_TEST

START_TEST(epl_headers)
{
	tgpl_detection *d;
	const char *x = "EPL-2.0 OR GPL-2.0-only WITH Classpath-exception-2.0";

	one_hit("/*******************************************************************************\n"
		" * Copyright (c) 2010 Foo.\n"
		" * All rights reserved. This program and the accompanying materials\n"
		" * are made available under the terms of the Eclipse Public License v1.0\n"
		" * which accompanies this distribution, and is available at\n"
		" * http://www.eclipse.org/legal/epl-v10.html\n"
		" *******************************************************************************/\n",
		"EPL-1.0", TGPL_KIND_NOTICE, 3, 4, "epl-header");
	d = scan("# This program and the accompanying materials are made available under the\n"
		 "# terms of the Eclipse Public License 2.0 which is available at\n"
		 "# http://www.eclipse.org/legal/epl-2.0.\n"
		 "#\n"
		 "# This Source Code may also be made available under the following Secondary\n"
		 "# Licenses when the conditions for such availability set forth in the\n"
		 "# Eclipse Public License v. 2.0 are satisfied: GNU General Public License,\n"
		 "# version 2 with the GNU Classpath Exception which is available at\n"
		 "# https://www.gnu.org/software/classpath/license.html.\n");
	ck_assert_uint_eq(d->n_licenses, 3);
	hit_is(d, 0, "EPL-2.0", x, TGPL_KIND_NOTICE, 1, 8, "epl-2.0-or-gpl-2.0-classpath");
	hit_is(d, 1, "GPL-2.0-only", x, TGPL_KIND_NOTICE, 1, 8, "epl-2.0-or-gpl-2.0-classpath");
	hit_is(d, 2, "Classpath-exception-2.0", x, TGPL_KIND_NOTICE, 1, 8,
	       "epl-2.0-or-gpl-2.0-classpath");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(cddl_and_eupl_headers)
{
	one_hit("#\n"
		"# CDDL HEADER START\n"
		"#\n"
		"# The contents of this file are subject to the terms of the\n"
		"# Common Development and Distribution License (the \"License\").\n"
		"# You may not use this file except in compliance with the License.\n",
		"CDDL-1.0", TGPL_KIND_NOTICE, 4, 5, "cddl-header");
	one_hit("/*\n"
		" * Licensed under the EUPL, Version 1.2 or \xe2\x80\x93 as soon they will be approved by\n"
		" * the European Commission - subsequent versions of the EUPL (the \"Licence\");\n"
		" */\n",
		"EUPL-1.2", TGPL_KIND_NOTICE, 2, 2, "eupl-header");
	one_hit("! frob.f90\n"
		"! The contents of this file are subject to the terms of the Common Development\n"
		"! and Distribution License, Version 1.1 (the \"License\").\n",
		"CDDL-1.1", TGPL_KIND_NOTICE, 2, 3, "cddl-versioned");
	one_hit("(* frob.pas *)\n"
		"(* Licensed under the EUPL, *)\n"
		"(* Version 1.1 or subsequent versions of the EUPL *)\n",
		"EUPL-1.1", TGPL_KIND_NOTICE, 2, 3, "eupl-header");
}
END_TEST

/* ---- short references ---------------------------------------------------------- */

START_TEST(mit_references)
{
	one_hit("## License\n\nLicensed under the MIT License.\n", "MIT", TGPL_KIND_REFERENCE, 3, 3,
		"mit-reference");
	one_hit("// This library is released under the MIT\n// licence; see below.\n", "MIT",
		TGPL_KIND_REFERENCE, 1, 2, "mit-reference");
	one_hit("Frob is MIT licensed.\n", "MIT", TGPL_KIND_REFERENCE, 1, 1, "mit-reference");
}
END_TEST

START_TEST(bsd_and_isc_references)
{
	one_hit("# Frob is distributed under the BSD 3-Clause License.\n", "BSD-3-Clause",
		TGPL_KIND_REFERENCE, 1, 1, "bsd-n-clause-reference");
	one_hit("/* This code is distributed under the terms of the\n * BSD-2-Clause license. */\n",
		"BSD-2-Clause", TGPL_KIND_REFERENCE, 1, 2, "bsd-n-clause-reference");
	one_hit("-- licensed under the ISC license\n", "ISC", TGPL_KIND_REFERENCE, 1, 1,
		"isc-reference");
	one_hit("' Module1.vb\n' Licensed under\n' the ISC License.\n", "ISC", TGPL_KIND_REFERENCE, 2, 3,
		"isc-reference");
	one_hit("Released under the new BSD license.\n", "BSD-3-Clause", TGPL_KIND_REFERENCE, 1, 1,
		"bsd-new-reference");
}
END_TEST

START_TEST(generic_spdx_id_reference_checks_the_id)
{
	one_hit("This project is licensed under the terms of the Zlib license.\n", "Zlib",
		TGPL_KIND_REFERENCE, 1, 1, "spdx-id-reference");
	one_hit("# This project is licensed under\n# the terms of the BSL-1.0 license.\n", "BSL-1.0",
		TGPL_KIND_REFERENCE, 1, 2, "spdx-id-reference");
	one_hit("Released under Apache-2.0.\n", "Apache-2.0", TGPL_KIND_REFERENCE, 1, 1,
		"spdx-id-reference");
	one_hit("The parser is MPL-2.0-licensed.\n", "MPL-2.0", TGPL_KIND_REFERENCE, 1, 1,
		"spdx-id-licensed");
	/* Not an id the engine knows: nothing. */
	no_hit("This project is licensed under the terms of the Frobnitz-1.0 license.\n");
	no_hit("This project is licensed under the same license as Perl.\n");
	/* "Dual licensed" names a second licence: naming only the first would mislead. */
	one_hit("# This file is dual licensed under the terms of the Apache License, Version\n"
		"# 2.0, and the BSD License. See the LICENSE file in the root of this repository\n"
		"# for complete details.\n",
		NULL, TGPL_KIND_REFERENCE, 2, 2, "see-license-file");
}
END_TEST

START_TEST(dual_licence_gives_an_or_expression)
{
	tgpl_detection *d = scan("Frob is dual-licensed under MIT and Apache-2.0.\n");

	ck_assert_uint_eq(d->n_licenses, 2);
	hit_is(d, 0, "MIT", "MIT OR Apache-2.0", TGPL_KIND_REFERENCE, 1, 1, "dual-licensed");
	hit_is(d, 1, "Apache-2.0", "MIT OR Apache-2.0", TGPL_KIND_REFERENCE, 1, 1, "dual-licensed");
	tgpl_detection_free(d);

	d = scan("## License\n"
		 "\n"
		 "Licensed under either of\n"
		 "\n"
		 " * Apache License, Version 2.0\n"
		 "   ([LICENSE-APACHE](LICENSE-APACHE) or http://www.apache.org/licenses/LICENSE-2.0)\n"
		 " * MIT license\n"
		 "   ([LICENSE-MIT](LICENSE-MIT) or http://opensource.org/licenses/MIT)\n"
		 "\n"
		 "at your option.\n");
	ck_assert_uint_eq(d->n_licenses, 2);
	hit_is(d, 0, "Apache-2.0", "Apache-2.0 OR MIT", TGPL_KIND_REFERENCE, 3, 10,
	       "rust-apache-2.0-or-mit");
	hit_is(d, 1, "MIT", "Apache-2.0 OR MIT", TGPL_KIND_REFERENCE, 3, 10, "rust-apache-2.0-or-mit");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(creative_commons_variants)
{
	one_hit("Text licensed under a Creative Commons Attribution 4.0 International License.\n",
		"CC-BY-4.0", TGPL_KIND_REFERENCE, 1, 1, "cc-by");
	one_hit("<!-- Creative Commons Attribution-ShareAlike 4.0 International -->\n",
		"CC-BY-SA-4.0", TGPL_KIND_REFERENCE, 1, 1, "cc-by-sa");
	one_hit("# Creative Commons\n# Attribution-NonCommercial 4.0 International\n", "CC-BY-NC-4.0",
		TGPL_KIND_REFERENCE, 1, 2, "cc-by-nc");
	one_hit("Creative Commons Attribution-NoDerivatives 4.0 International\n", "CC-BY-ND-4.0",
		TGPL_KIND_REFERENCE, 1, 1, "cc-by-nd");
	one_hit("Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International\n",
		"CC-BY-NC-SA-4.0", TGPL_KIND_REFERENCE, 1, 1, "cc-by-nc-sa");
	one_hit("Creative Commons Attribution-NonCommercial-NoDerivs 3.0 Unported\n",
		"CC-BY-NC-ND-3.0", TGPL_KIND_REFERENCE, 1, 1, "cc-by-nc-nd");
	one_hit("Docs: CC BY-SA 4.0\n", "CC-BY-SA-4.0", TGPL_KIND_REFERENCE, 1, 1, "cc-short");
	no_hit("SPDX-License-Identifier: CC-BY-4.0\n");
	/* No such licence: check: known drops it. */
	no_hit("Creative Commons Attribution 9.9 International\n");
}
END_TEST

START_TEST(public_domain_only_with_a_named_instrument)
{
	one_hit("/* This is free and unencumbered software released into the public domain. */\n",
		"Unlicense", TGPL_KIND_NOTICE, 1, 1, "unlicense-notice");
	one_hit("# To the extent possible under law, the author has dedicated all copyright\n"
		"# and related rights to this software to the public domain worldwide.\n"
		"# You should have received a copy of the CC0 Public Domain Dedication.\n",
		"CC0-1.0", TGPL_KIND_REFERENCE, 2, 3, "cc0-reference");
	no_hit("/* This code is in the public domain. */\n");
}
END_TEST

START_TEST(see_license_file_names_no_licence)
{
	one_hit("// See the LICENSE file for details.\n", NULL, TGPL_KIND_REFERENCE, 1, 1,
		"see-license-file");
	one_hit("# Copyright 2020 Foo\n# see LICENSE for\n# details\n", NULL, TGPL_KIND_REFERENCE, 2, 3,
		"see-license-file");
	one_hit("REM See COPYING.\n", NULL, TGPL_KIND_REFERENCE, 1, 1, "see-license-file");
	one_hit("// Use of this source code is governed by a BSD-style license that can be\n"
		"// found in the LICENSE file.\n",
		NULL, TGPL_KIND_REFERENCE, 2, 2, "see-license-file");
	no_hit("# See the License for the specific language governing permissions and\n"
	       "# limitations under the License.\n");
	no_hit("/* see license check below */\n");
}
END_TEST

/* ---- what must not fire -------------------------------------------------------- */

START_TEST(code_that_mentions_mit_apache_or_license_does_not_fire)
{
	no_hit("static int mit_count;\n"
	       "int license = check_license(apache_conf);\n"
	       "/* submit the permit; limit the commit */\n"
	       "const char *server = \"Apache HTTP Server\";\n"
	       "if (license_expired(l)) return LICENSE_ERR; // MIT and Apache mirrors\n"
	       "# the license server is distributed under load\n");
}
END_TEST

/* A realistic C file of about 500 lines without any licence statement. */
static char *licence_free_c_file(void)
{
	static const char *const head[] = {
		"/*",
		" * hashmap.c - an open-addressing hash map with linear probing.",
		" *",
		" * Keys are NUL-terminated strings owned by the caller; the map stores",
		" * pointers only.  Resizing doubles the table when the load passes 0.7.",
		" * See the design notes in doc/hashing.txt for the probe sequence.",
		" */",
		"#include <stdint.h>",
		"#include <stdlib.h>",
		"#include <string.h>",
		"",
		"#include \"hashmap.h\"",
		"",
		"#define MIN_CAP 16",
		"#define MAX_LOAD_NUM 7",
		"#define MAX_LOAD_DEN 10",
		"",
		"struct slot {",
		"\tconst char *key;",
		"\tvoid *value;",
		"\tuint32_t hash;",
		"};",
		"",
		"struct hashmap {",
		"\tstruct slot *slots;",
		"\tsize_t cap, len;",
		"\tunsigned long mit_count;   /* misses in table, for the profiler */",
		"\tint license_checked;       /* the caller's licence-key flag */",
		"};",
		"",
		"/* FNV-1a: fast, and good enough for identifiers. */",
		"static uint32_t hash_str(const char *s)",
		"{",
		"\tuint32_t h = 2166136261u;",
		"",
		"\twhile (*s) {",
		"\t\th ^= (unsigned char)*s++;",
		"\t\th *= 16777619u;",
		"\t}",
		"\treturn h;",
		"}",
		"",
	};
	static const char *const fn[] = {
		"/*",
		" * %s_%d - look up, insert or remove a key (variant %d).",
		" * Returns 0 on success, -1 if the key is absent or memory runs out.",
		" */",
		"int %s_%d(struct hashmap *m, const char *key, void **value)",
		"{",
		"\tuint32_t h = hash_str(key);",
		"\tsize_t i, mask = m->cap - 1;",
		"",
		"\tif (!m->slots)",
		"\t\treturn -1;",
		"\tfor (i = h & mask; m->slots[i].key; i = (i + 1) & mask) {",
		"\t\tif (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0) {",
		"\t\t\t*value = m->slots[i].value;",
		"\t\t\treturn 0;",
		"\t\t}",
		"\t\tm->mit_count++;   // submit the miss to the apache-style log",
		"\t}",
		"\treturn -1;",
		"}",
		"",
	};
	static const char *const names[] = { "hashmap_get", "hashmap_put", "hashmap_del",
					     "hashmap_has", "hashmap_take" };
	tgpl_buf b = TGPL_BUF_INIT;
	size_t i, lines = 0;
	int k = 0;

	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++, lines++)
		ck_assert_int_eq(tgpl_buf_printf(&b, "%s\n", head[i]), 0);
	while (lines < 500) {
		const char *name = names[k % 5];

		for (i = 0; i < sizeof(fn) / sizeof(fn[0]); i++, lines++) {
			if (strchr(fn[i], '%'))
				ck_assert_int_eq(tgpl_buf_printf(&b, i == 1 ? " * %s_%d - look up, insert "
								 "or remove a key (variant %d).\n" :
								 "int %s_%d(struct hashmap *m, const char "
								 "*key, void **value)\n", name, k, k), 0);
			else
				ck_assert_int_eq(tgpl_buf_printf(&b, "%s\n", fn[i]), 0);
		}
		k++;
	}
	return tgpl_buf_detach(&b);
}

START_TEST(licence_free_c_file_has_no_hit)
{
	char *src = licence_free_c_file();
	size_t n = 0;
	const char *p;

	for (p = src; *p; p++)
		n += *p == '\n';
	ck_assert_uint_ge(n, 500);
	no_hit(src);
	free(src);
}
END_TEST

/* ---- whole licence texts (read from the engine, never pasted here) ---------------- */

static void at_most_once_per_rule(const char *id, const char *want_spdx)
{
	const tgpl_license_info *li = tgpl_engine_license(eng, id);
	tgpl_detection *d;
	size_t i, j;
	int found = want_spdx == NULL;

	ck_assert_ptr_nonnull(li);
	ck_assert_ptr_nonnull(li->text);
	d = scan(li->text);
	for (i = 0; i < d->n_licenses; i++) {
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(d->licenses[i].rule, d->licenses[j].rule) != 0 ||
				      strcmp(d->licenses[i].spdx, d->licenses[j].spdx) != 0,
				      "%s: rule %s fired twice", id, d->licenses[i].rule);
		if (want_spdx && strcmp(d->licenses[i].spdx, want_spdx) == 0)
			found = 1;
	}
	ck_assert_msg(found, "%s: no %s hit", id, want_spdx);
	tgpl_detection_free(d);
}

START_TEST(full_licence_texts_fire_at_most_once_per_rule)
{
	tgpl_detection *d;

	/* The GPL's "How to Apply" appendix is a notice: one hit, nothing from its title. */
	d = scan(tgpl_engine_license(eng, "GPL-2.0-only")->text);
	ck_assert_uint_eq(d->n_licenses, 1);
	ck_assert_str_eq(d->licenses[0].spdx, "GPL-2.0-or-later");
	ck_assert_str_eq(d->licenses[0].rule, "gpl-or-later");
	tgpl_detection_free(d);
	at_most_once_per_rule("GPL-3.0-only", "GPL-3.0-or-later");
	at_most_once_per_rule("LGPL-2.1-only", "LGPL-2.1-or-later");
	at_most_once_per_rule("AGPL-3.0-only", "AGPL-3.0-or-later");
	at_most_once_per_rule("Apache-2.0", "Apache-2.0");
	at_most_once_per_rule("MPL-2.0", "MPL-2.0");
	/* A CC text names itself in its title and again in its body: two regions. */
	d = scan(tgpl_engine_license(eng, "CC-BY-4.0")->text);
	ck_assert_uint_eq(d->n_licenses, 2);
	hit_is(d, 0, "CC-BY-4.0", "CC-BY-4.0", TGPL_KIND_REFERENCE, 1, 1, "cc-by");
	ck_assert_str_eq(d->licenses[1].rule, "cc-by");
	tgpl_detection_free(d);
	/* Texts whose definitions list other licences name no GNU licence alone. */
	no_hit(tgpl_engine_license(eng, "EPL-2.0")->text);
	no_hit(tgpl_engine_license(eng, "MIT")->text);
	no_hit(tgpl_engine_license(eng, "BSD-3-Clause")->text);
}
END_TEST

/* ---- hostile input ------------------------------------------------------------- */

START_TEST(nul_bytes_and_invalid_utf8_do_not_break_matching)
{
	static const char s[] = "\xff\xfe\0\0garbage\x80\n"
				"// Licensed under the MIT\0License.\n"
				"\xc3\x28\xed\xa0\x80\xf8\x88\x80\x80\x80\n";
	tgpl_detection *d;
	char *rnd;
	uint32_t x = 12345;
	size_t i;
	int rc;

	d = scan_rc(s, sizeof(s) - 1, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_licenses, 1);
	hit_is(d, 0, "MIT", "MIT", TGPL_KIND_REFERENCE, 2, 2, "mit-reference");
	tgpl_detection_free(d);

	rnd = malloc(1 << 16);
	ck_assert_ptr_nonnull(rnd);
	for (i = 0; i < 1 << 16; i++) {
		x = x * 1103515245u + 12345u;
		rnd[i] = (char)(x >> 16);
	}
	d = scan_rc(rnd, 1 << 16, &rc);
	ck_assert_int_eq(rc, 0);
	tgpl_detection_free(d);
	free(rnd);
}
END_TEST

START_TEST(megabyte_lines_are_handled)
{
	size_t big = (size_t)1 << 20, i;
	const char *tail = "\n# Licensed under the MIT License.\n";
	const char *phrase = "gnu general public license either version ";
	char *s = malloc(big + 64);
	tgpl_detection *d;
	int rc;

	ck_assert_ptr_nonnull(s);
	memset(s, 'a', big);
	memcpy(s + big, tail, strlen(tail) + 1);
	d = scan_rc(s, strlen(s), &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_licenses, 1);
	hit_is(d, 0, "MIT", "MIT", TGPL_KIND_REFERENCE, 2, 2, "mit-reference");
	tgpl_detection_free(d);

	/* One line of a repeated key phrase: every rule's keys are present, nothing matches. */
	for (i = 0; i + strlen(phrase) < big; i += strlen(phrase))
		memcpy(s + i, phrase, strlen(phrase));
	s[i] = '\0';
	d = scan_rc(s, i, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
	free(s);
}
END_TEST

START_TEST(large_file_is_read_at_both_ends)
{
	const char *notice = "# Licensed under the ISC license\n";
	const char *mid = "# Licensed under the MIT License.\n";
	size_t line = 40, n_lines = 3 * ((size_t)1 << 20) / line, i;
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	int rc;

	ck_assert_int_eq(tgpl_buf_puts(&b, notice), 0);
	for (i = 2; i < n_lines; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, i == n_lines / 2 ? mid :
					       "int filler_line_of_forty_bytes = 0;;;\n"), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, notice), 0);
	ck_assert_uint_gt(b.len, 2 * RULES_SCAN_HALF);
	d = scan_rc(b.ptr, b.len, &rc);
	ck_assert_int_eq(rc, 0);
	/* The MIT line in the unread middle is not seen; both ends are, on their true lines. */
	ck_assert_uint_eq(d->n_licenses, 2);
	hit_is(d, 0, "ISC", "ISC", TGPL_KIND_REFERENCE, 1, 1, "isc-reference");
	hit_is(d, 1, "ISC", "ISC", TGPL_KIND_REFERENCE, (uint32_t)n_lines, (uint32_t)n_lines,
	       "isc-reference");
	tgpl_detection_free(d);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(millions_of_empty_lines_keep_true_line_numbers)
{
	size_t n = (size_t)3 << 20;
	const char *notice = "; licensed under the ISC license\n";
	char *s = malloc(n + strlen(notice) + 1);
	tgpl_detection *d;
	int rc;

	ck_assert_ptr_nonnull(s);
	memset(s, '\n', n);
	memcpy(s + n, notice, strlen(notice) + 1);
	d = scan_rc(s, strlen(s), &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_licenses, 1);
	hit_is(d, 0, "ISC", "ISC", TGPL_KIND_REFERENCE, (uint32_t)n + 1, (uint32_t)n + 1,
	       "isc-reference");
	tgpl_detection_free(d);
	free(s);
}
END_TEST

START_TEST(hits_per_file_are_capped)
{
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	int i, j, rc;

	for (i = 0; i < 200; i++) {
		ck_assert_int_eq(tgpl_buf_puts(&b, "Licensed under the MIT License.\n"), 0);
		for (j = 0; j < 30; j++)
			ck_assert_int_eq(tgpl_buf_puts(&b, "filler filler filler filler filler\n"), 0);
	}
	d = scan_rc(b.ptr, b.len, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_licenses, RULES_MAX_HITS);
	ck_assert_uint_eq(d->licenses[1].start_line, 32);
	tgpl_detection_free(d);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(empty_input_and_empty_set)
{
	tgpl_detection *d;
	det_builder b;
	text_view t;
	int rc;

	d = scan_rc("", 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
	memset(&b, 0, sizeof(b));
	b.det = calloc(1, sizeof(*b.det));
	make_view(&t, "Licensed under the MIT License.\n", 32);
	ck_assert_int_eq(rules_detect(&b, eng, NULL, &t), 0);
	ck_assert_uint_eq(b.det->n_licenses, 0);
	free((void *)t.line_off);
	tgpl_detection_free(b.det);
}
END_TEST

START_TEST(tgpl_detect_runs_the_engine_rules)
{
	static const char text[] = "# Licensed under the Apache License, Version 2.0 (the \"License\");\n"
				   "# you may not use this file except in compliance with the License.\n";
	tgpl_detection *d = NULL;
	size_t i;
	int found = 0;

	ck_assert_int_eq(tgpl_detect(&d, ctx, eng, NULL, "src/x.py", text, sizeof(text) - 1), 0);
	for (i = 0; i < d->n_licenses; i++)
		if (d->licenses[i].rule && strcmp(d->licenses[i].rule, "apache-2.0-header") == 0) {
			hit_is(d, i, "Apache-2.0", "Apache-2.0", TGPL_KIND_NOTICE, 1, 2,
			       "apache-2.0-header");
			found = 1;
		}
	ck_assert_msg(found, "the engine's rule set did not run (is <datadir>/rules installed?)");
	tgpl_detection_free(d);
}
END_TEST

/* ---- loading ------------------------------------------------------------------- */

/* Write `content` as <tmpdir>/name; the directory is returned (caller frees). */
static char *temp_rules(const char *name, const char *content)
{
	char tmpl[] = "/tmp/check_rules.XXXXXX";
	char *dir = mkdtemp(tmpl);
	tgpl_buf path = TGPL_BUF_INIT;
	FILE *f;

	ck_assert_ptr_nonnull(dir);
	ck_assert_int_eq(tgpl_buf_printf(&path, "%s/%s", dir, name), 0);
	f = fopen(path.ptr, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	tgpl_buf_release(&path);
	return strdup(dir);
}

static void remove_temp(const char *dir, const char *name)
{
	tgpl_buf path = TGPL_BUF_INIT;

	ck_assert_int_eq(tgpl_buf_printf(&path, "%s/%s", dir, name), 0);
	unlink(path.ptr);
	rmdir(dir);
	tgpl_buf_release(&path);
}

/* Load `content` as a rule directory; expect TGPL_EDATA and "<dir>/bad.rules:<msg>". */
static void load_fails(const char *content, const char *msg)
{
	char *dir = temp_rules("bad.rules", content);
	struct rule_set *set = NULL;
	tgpl_buf want = TGPL_BUF_INIT;

	ck_assert_int_eq(tgpl_buf_printf(&want, "%s/bad.rules:%s", dir, msg), 0);
	ck_assert_int_eq(rules_load(&set, ctx, dir), TGPL_EDATA);
	ck_assert_ptr_null(set);
	ck_assert_str_eq(tgpl_errmsg(ctx), want.ptr);
	remove_temp(dir, "bad.rules");
	tgpl_buf_release(&want);
	free(dir);
}

#define GOOD_HEAD "rule: r1\nspdx: MIT\nkind: reference\nkeys: frob\n"

START_TEST(load_error_names_file_and_line_of_a_bad_pattern)
{
	load_fails("# a broken rule\n"
		   "rule: broken\n"
		   "spdx: MIT\n"
		   "kind: reference\n"
		   "keys: frob\n"
		   "pattern: frob (unclosed\n"
		   "note: broken on purpose\n",
		   "6: bad pattern: missing closing parenthesis (at offset 14)");
	load_fails(GOOD_HEAD "pattern: frob\nunless: [z-a]\nnote: n\n",
		   "6: bad unless pattern: range out of order in character class (at offset 3)");
}
END_TEST

START_TEST(load_errors_for_malformed_stanzas)
{
	load_fails(GOOD_HEAD "pattern: frob\nnote: n\ncolour: red\n",
		   "7: expected 'field: value' with a known field, got 'colour: red'");
	load_fails(GOOD_HEAD "pattern: frob\n", "1: rule 'r1' has no 'note' field");
	load_fails("rule: r1\nspdx: GPL-$2-only\nkind: notice\nkeys: frob\npattern: (frob)\nnote: n\n",
		   "2: spdx uses $2 but the pattern has 1 group");
	load_fails("rule: r1\nspdx: MIT\nkind: hint\nkeys: frob\npattern: frob\nnote: n\n",
		   "3: kind must be 'notice' or 'reference', not 'hint'");
	load_fails("rule: r1\nspdx: MIT\nkind: notice\nkeys: Frob\npattern: frob\nnote: n\n",
		   "4: key 'Frob' must be lower-case ASCII with single spaces");
	load_fails("  pattern continues\n", "1: continuation line outside a field");
	load_fails("spdx: MIT\n", "1: field 'spdx' before any 'rule:'");
	load_fails("rule: Bad_Id\n", "1: rule id 'Bad_Id' must be 1-64 of a-z, 0-9, '-', '.'");
	load_fails("rule: r1\nspdx: MIT; rm -rf\nkind: notice\nkeys: frob\npattern: frob\nnote: n\n", "2: bad spdx template 'MIT; rm -rf': only letters, "
		   "digits, '.', '+', '-', ':', parentheses, spaces and $N");
}
END_TEST

START_TEST(duplicate_rule_ids_are_refused)
{
	char *dir = temp_rules("bad.rules", GOOD_HEAD "pattern: frob\nnote: n\n\n"
				GOOD_HEAD "pattern: frob\nnote: n\n");
	struct rule_set *set = NULL;
	tgpl_buf want = TGPL_BUF_INIT;

	ck_assert_int_eq(tgpl_buf_printf(&want, "%s/bad.rules:8: duplicate rule id 'r1' (first at "
					 "%s/bad.rules:1)", dir, dir), 0);
	ck_assert_int_eq(rules_load(&set, ctx, dir), TGPL_EDATA);
	ck_assert_str_eq(tgpl_errmsg(ctx), want.ptr);
	remove_temp(dir, "bad.rules");
	tgpl_buf_release(&want);
	free(dir);
}
END_TEST

START_TEST(continuations_join_with_one_space)
{
	char *dir = temp_rules("ok.rules", "# comment\n"
			       "rule: frob-ref\n"
			       "spdx: WITH Classpath-exception-2.0\n"
			       "kind: reference\n"
			       "keys: frob\n"
			       "keys: qux\n"
			       "pattern: frob\n"
			       "\tand qux\n"
			       "note: first\n"
			       "  second\n");
	struct rule_set *set = NULL;
	rule_info ri;
	det_builder b;
	text_view t;

	ck_assert_msg(rules_load(&set, ctx, dir) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_uint_eq(rules_count(set), 1);
	ck_assert_int_eq(rules_info(set, 0, &ri), 0);
	ck_assert_str_eq(ri.id, "frob-ref");
	ck_assert_str_eq(ri.spdx, "Classpath-exception-2.0");
	ck_assert_int_eq(ri.attach, 1);
	ck_assert_str_eq(ri.note, "first second");
	ck_assert_str_eq(ri.group, "frob-ref");
	ck_assert_uint_eq(ri.line, 2);
	ck_assert_int_eq(rules_info(set, 1, &ri), TGPL_ENOTFOUND);
	memset(&b, 0, sizeof(b));
	b.det = calloc(1, sizeof(*b.det));
	make_view(&t, "x\n-- Frob\n-- and QUX\n", 21);
	ck_assert_int_eq(rules_detect(&b, eng, set, &t), 0);
	ck_assert_uint_eq(b.det->n_licenses, 1);
	hit_is(b.det, 0, "Classpath-exception-2.0", NULL, TGPL_KIND_REFERENCE, 2, 3, "frob-ref");
	free((void *)t.line_off);
	tgpl_detection_free(b.det);
	rules_free(set);
	remove_temp(dir, "ok.rules");
	free(dir);
}
END_TEST

START_TEST(missing_directory_is_an_error_and_empty_directory_an_empty_set)
{
	struct rule_set *set = NULL;
	char *dir;

	ck_assert_int_eq(rules_load(&set, ctx, "/nonexistent/tgpl/rules"), TGPL_EDATA);
	ck_assert_ptr_null(set);
	ck_assert_ptr_nonnull(strstr(tgpl_errmsg(ctx), "/nonexistent/tgpl/rules"));
	rules_free(NULL);
	ck_assert_uint_eq(rules_count(NULL), 0);

	/* A directory without rule files is an empty set too. */
	dir = temp_rules("README", "no rules here\n");
	set = NULL;
	ck_assert_int_eq(rules_load(&set, ctx, dir), 0);
	ck_assert_uint_eq(rules_count(set), 0);
	rules_free(set);
	remove_temp(dir, "README");
	free(dir);
}
END_TEST

START_TEST(rules_every_template_is_known)
{
	size_t i;

	for (i = 0; i < rules_count(rs); i++) {
		rule_info ri;
		const char *p;

		ck_assert_int_eq(rules_info(rs, i, &ri), 0);
		ck_assert_msg(ri.note && *ri.note, "%s: no note", ri.id);
		if (!ri.spdx || strchr(ri.spdx, '$'))
			continue;
		for (p = ri.spdx; *p;) {
			size_t n = strcspn(p, " ()");
			char tok[128];

			if (!n) {
				p++;
				continue;
			}
			ck_assert_uint_lt(n, sizeof(tok));
			memcpy(tok, p, n);
			tok[n] = '\0';
			p += n;
			if (!strcmp(tok, "AND") || !strcmp(tok, "OR") || !strcmp(tok, "WITH"))
				continue;
			ck_assert_msg(tgpl_engine_license(eng, tok) || engine_exception(eng, tok, n),
				      "%s:%u: rule %s names unknown id '%s'", ri.file, ri.line, ri.id, tok);
		}
	}
}
END_TEST

/* ---- allocation failures ---------------------------------------------------------- */

START_TEST(detection_survives_allocation_failures)
{
	static const char text[] =
		"/* This program is free software; you can redistribute it and/or modify\n"
		" * it under the terms of the GNU General Public License as published by\n"
		" * the Free Software Foundation; either version 2 of the License, or\n"
		" * (at your option) any later version.\n"
		" *\n"
		" * As a special exception, the copyright holders of this library give you\n"
		" * permission to link this library with independent modules to produce an\n"
		" * executable, regardless of the license terms of these independent modules.\n"
		" * Dual-licensed under MIT and Apache-2.0.  See COPYING. */\n";
	long n;
	int rc = -1;

	for (n = 1; n < 2000; n++) {
		tgpl_detection *d;

		tgpl_alloc_fail_at(n);
		d = scan_rc(text, sizeof(text) - 1, &rc);
		tgpl_alloc_fail_at(0);
		ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "rc %d at %ld", rc, n);
		if (rc == 0) {
			ck_assert_uint_eq(d->n_licenses, 5);
			tgpl_detection_free(d);
			break;
		}
		tgpl_detection_free(d);
	}
	ck_assert_int_eq(rc, 0);
}
END_TEST

START_TEST(loading_survives_allocation_failures)
{
	char *dir = rules_dir();
	long n;
	int rc = -1;

	for (n = 1; n < 100000; n++) {
		struct rule_set *set = NULL;

		tgpl_alloc_fail_at(n);
		rc = rules_load(&set, ctx, dir);
		tgpl_alloc_fail_at(0);
		ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "rc %d at %ld: %s", rc, n, tgpl_errmsg(ctx));
		if (rc == 0) {
			ck_assert_uint_eq(rules_count(set), rules_count(rs));
			rules_free(set);
			break;
		}
		ck_assert_ptr_null(set);
	}
	ck_assert_int_eq(rc, 0);
	free(dir);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("normalise");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, norm_strips_comment_markers_of_every_syntax);
	tcase_add_test(tc, norm_folds_case_spaces_quotes_and_dashes);
	tcase_add_test(tc, norm_keeps_code_and_drops_borders);
	tcase_add_test(tc, norm_turns_nul_and_bad_utf8_into_space_and_placeholder);
	tcase_add_test(tc, norm_maps_offsets_back_to_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("gnu");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, gpl_or_later_in_block_comment_wrapped_oddly);
	tcase_add_test(tc, gpl_or_later_in_hash_comments);
	tcase_add_test(tc, gpl_or_later_in_lisp_and_old_gnu_wording);
	tcase_add_test(tc, gpl_only_in_line_and_hash_comments);
	tcase_add_test(tc, or_later_wins_over_only_for_the_same_notice);
	tcase_add_test(tc, lgpl_library_version_2_is_lgpl_2_0);
	tcase_add_test(tc, lgpl_2_1_or_later_in_dash_dash_comments);
	tcase_add_test(tc, lgpl_3_only_in_semicolon_comments);
	tcase_add_test(tc, agpl_in_html_and_tex_comments);
	tcase_add_test(tc, gnu_short_references);
	tcase_add_test(tc, gpl_compatible_prose_does_not_fire);
	tcase_add_test(tc, classpath_exception_joins_the_notice_before_it);
	tcase_add_test(tc, lone_exception_is_reported_alone);
	tcase_add_test(tc, openjdk_header_is_gpl_2_only_with_classpath);
	tcase_add_test(tc, gcc_runtime_exception_joins_gpl_3);
	suite_add_tcase(s, tc);

	tc = tcase_create("other-notices");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, apache_header_in_hash_comments);
	tcase_add_test(tc, apache_header_in_block_comment_with_curly_quotes);
	tcase_add_test(tc, apache_short_references);
	tcase_add_test(tc, llvm_header_is_apache_with_llvm_exception);
	tcase_add_test(tc, mpl_2_0_header_in_hash_and_line_comments);
	tcase_add_test(tc, epl_headers);
	tcase_add_test(tc, cddl_and_eupl_headers);
	tcase_add_test(tc, mit_references);
	tcase_add_test(tc, bsd_and_isc_references);
	tcase_add_test(tc, generic_spdx_id_reference_checks_the_id);
	tcase_add_test(tc, dual_licence_gives_an_or_expression);
	tcase_add_test(tc, creative_commons_variants);
	tcase_add_test(tc, public_domain_only_with_a_named_instrument);
	tcase_add_test(tc, see_license_file_names_no_licence);
	suite_add_tcase(s, tc);

	tc = tcase_create("false-positives");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, code_that_mentions_mit_apache_or_license_does_not_fire);
	tcase_add_test(tc, licence_free_c_file_has_no_hit);
	tcase_add_test(tc, full_licence_texts_fire_at_most_once_per_rule);
	tcase_add_test(tc, tgpl_detect_runs_the_engine_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, nul_bytes_and_invalid_utf8_do_not_break_matching);
	tcase_add_test(tc, megabyte_lines_are_handled);
	tcase_add_test(tc, large_file_is_read_at_both_ends);
	tcase_add_test(tc, millions_of_empty_lines_keep_true_line_numbers);
	tcase_add_test(tc, hits_per_file_are_capped);
	tcase_add_test(tc, empty_input_and_empty_set);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, load_error_names_file_and_line_of_a_bad_pattern);
	tcase_add_test(tc, load_errors_for_malformed_stanzas);
	tcase_add_test(tc, duplicate_rule_ids_are_refused);
	tcase_add_test(tc, continuations_join_with_one_space);
	tcase_add_test(tc, missing_directory_is_an_error_and_empty_directory_an_empty_set);
	tcase_add_test(tc, rules_every_template_is_known);
	tcase_add_test(tc, detection_survives_allocation_failures);
	tcase_add_test(tc, loading_survives_allocation_failures);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
