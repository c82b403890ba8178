/* check_metadata.c — package manifests and REUSE files (src/detect/metadata.c). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/detect_int.h"
#include "detect/metadata.h"
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

/* Run detect_metadata() alone on `len` bytes as file `path`; rc in *rcp. */
static tgpl_detection *meta_rc(const char *path, const char *data, size_t len, int *rcp)
{
	det_builder b;
	text_view t;
	uint32_t *lines = NULL;
	size_t n = 0, i;
	const char *slash = strrchr(path, '/');

	memset(&b, 0, sizeof(b));
	b.det = calloc(1, sizeof(*b.det));   /* not counted by allocation-failure tests */
	ck_assert_ptr_nonnull(b.det);
	lines = calloc(len + 1, sizeof(*lines));
	ck_assert_ptr_nonnull(lines);
	if (len)
		lines[n++] = 0;
	for (i = 0; i + 1 < len; i++)
		if (data[i] == '\n')
			lines[n++] = (uint32_t)(i + 1);
	t.data = data;
	t.len = len;
	t.line_off = lines;
	t.n_lines = (uint32_t)n;
	t.path = path;
	t.basename = slash ? slash + 1 : path;
	*rcp = detect_metadata(&b, eng, &t);
	free(lines);
	return b.det;
}

static tgpl_detection *meta(const char *path, const char *data)
{
	int rc;
	tgpl_detection *d = meta_rc(path, data, strlen(data), &rc);

	ck_assert_int_eq(rc, 0);
	return d;
}

#define ANY_NOTE ((const char *)1)

static void hit_is(const tgpl_detection *d, size_t i, const char *spdx, const char *expr,
		   tgpl_kind kind, uint32_t start, uint32_t end, const char *rule, const char *note)
{
	const tgpl_license_hit *h;

	ck_assert_msg(i < d->n_licenses, "hit %zu of %zu", i, d->n_licenses);
	h = &d->licenses[i];
	ck_assert_pstr_eq(h->spdx, spdx);
	ck_assert_pstr_eq(h->expr, expr);
	ck_assert_int_eq(h->kind, kind);
	ck_assert_uint_eq(h->start_line, start);
	ck_assert_uint_eq(h->end_line, end);
	ck_assert_pstr_eq(h->rule, rule);
	if (note != ANY_NOTE)
		ck_assert_pstr_eq(h->note, note);
}

/* A metadata hit on one line, with no note. */
static void meta_is(const tgpl_detection *d, size_t i, const char *spdx, const char *expr,
		    uint32_t line, const char *rule)
{
	hit_is(d, i, spdx, expr, TGPL_KIND_METADATA, line, line, rule, NULL);
	ck_assert_double_eq(d->licenses[i].score, 1.0);
}

/* A hit with no licence and a note. */
static void null_is(const tgpl_detection *d, size_t i, uint32_t line, const char *rule,
		    const char *note)
{
	hit_is(d, i, NULL, NULL, TGPL_KIND_METADATA, line, line, rule, note);
}

/* ---- npm, composer ---------------------------------------------------- */

START_TEST(package_json_license_expression_is_declared)
{
	tgpl_detection *d = meta("web/package.json",
				 "{\n"
				 "  \"name\": \"left-pad\",\n"
				 "  \"version\": \"1.3.0\",\n"
				 "  \"license\": \"MIT OR Apache-2.0\",\n"
				 "  \"dependencies\": {\"license\": \"not this one\"}\n"
				 "}\n");

	ck_assert_uint_eq(d->n_licenses, 2);
	meta_is(d, 0, "MIT", "MIT OR Apache-2.0", 4, "package.json:license");
	meta_is(d, 1, "Apache-2.0", "MIT OR Apache-2.0", 4, "package.json:license");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(package_json_legacy_forms_are_read)
{
	tgpl_detection *d = meta("package.json",
				 "{\"name\": \"old\",\n"
				 " \"license\": {\n"
				 "   \"type\": \"ISC\",\n"
				 "   \"url\": \"https://opensource.org/licenses/ISC\"\n"
				 " },\n"
				 " \"licenses\": [\n"
				 "   {\"type\": \"MIT\", \"url\": \"x\"},\n"
				 "   {\"type\": \"Apache 2.0\"},\n"
				 "   \"BSD-3-Clause\"\n"
				 " ]\n"
				 "}\n");

	ck_assert_uint_eq(d->n_licenses, 4);
	meta_is(d, 0, "ISC", "ISC", 3, "package.json:license.type");
	hit_is(d, 1, "MIT", "MIT OR Apache-2.0 OR BSD-3-Clause", TGPL_KIND_METADATA, 7, 9,
	       "package.json:licenses", NULL);
	hit_is(d, 2, "Apache-2.0", "MIT OR Apache-2.0 OR BSD-3-Clause", TGPL_KIND_METADATA, 7, 9,
	       "package.json:licenses", NULL);
	hit_is(d, 3, "BSD-3-Clause", "MIT OR Apache-2.0 OR BSD-3-Clause", TGPL_KIND_METADATA, 7, 9,
	       "package.json:licenses", NULL);
	tgpl_detection_free(d);
}
END_TEST

START_TEST(package_json_see_license_in_and_unlicensed_name_no_licence)
{
	tgpl_detection *d = meta("package.json",
				 "{\"name\": \"corp\",\n \"license\": \"SEE LICENSE IN LICENSE.md\"}");

	ck_assert_uint_eq(d->n_licenses, 1);
	null_is(d, 0, 2, "package.json:license", "licence in file 'LICENSE.md'");
	ck_assert_double_eq(d->licenses[0].score, 1.0);
	tgpl_detection_free(d);
	d = meta("package.json", "{\"private\": true,\n\n \"license\": \"UNLICENSED\"}\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	null_is(d, 0, 3, "package.json:license", "UNLICENSED: all rights reserved");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(composer_json_license_array_is_a_choice)
{
	tgpl_detection *d = meta("composer.json",
				 "{\n"
				 "    \"name\": \"acme/lib\",\n"
				 "    \"license\": [\n"
				 "        \"LGPL-2.1-only\",\n"
				 "        \"GPL-3.0-or-later\"\n"
				 "    ]\n"
				 "}\n");

	ck_assert_uint_eq(d->n_licenses, 2);
	hit_is(d, 0, "LGPL-2.1-only", "LGPL-2.1-only OR GPL-3.0-or-later", TGPL_KIND_METADATA, 4,
	       5, "composer.json:license", NULL);
	hit_is(d, 1, "GPL-3.0-or-later", "LGPL-2.1-only OR GPL-3.0-or-later", TGPL_KIND_METADATA,
	       4, 5, "composer.json:license", NULL);
	tgpl_detection_free(d);
	d = meta("composer.json", "{\"license\": \"MIT\"}");
	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "MIT", "MIT", 1, "composer.json:license");
	tgpl_detection_free(d);
	/* A compound alternative alone stays as written; among others it is grouped. */
	d = meta("composer.json", "{\"license\": [\"MIT OR ISC\"]}");
	ck_assert_uint_eq(d->n_licenses, 2);
	meta_is(d, 0, "MIT", "MIT OR ISC", 1, "composer.json:license");
	tgpl_detection_free(d);
	d = meta("composer.json", "{\"license\": [\"MIT AND ISC\", \"proprietary\", \"GPL-2.0-only\"]}");
	ck_assert_uint_eq(d->n_licenses, 4);
	meta_is(d, 0, "MIT", "(MIT AND ISC) OR proprietary OR GPL-2.0-only", 1,
		"composer.json:license");
	/* An expression field keeps unknown ids: spdx_emit() notes them. */
	hit_is(d, 2, "proprietary", "(MIT AND ISC) OR proprietary OR GPL-2.0-only",
	       TGPL_KIND_METADATA, 1, 1, "composer.json:license", ANY_NOTE);
	ck_assert_ptr_nonnull(d->licenses[2].note);
	meta_is(d, 3, "GPL-2.0-only", "(MIT AND ISC) OR proprietary OR GPL-2.0-only", 1,
		"composer.json:license");
	tgpl_detection_free(d);
}
END_TEST

/* ---- TOML manifests --------------------------------------------------- */

START_TEST(cargo_toml_slash_means_or_and_license_file_is_noted)
{
	tgpl_detection *d = meta("crates/x/Cargo.toml",
				 "[package]\n"
				 "name = \"x\"\n"
				 "version = \"0.1.0\"\n"
				 "license = \"MIT/Apache-2.0\"\n"
				 "license-file = \"LICENSE-CORP\"\n"
				 "\n"
				 "[dependencies]\n"
				 "serde = { version = \"1\", features = [\"derive\"] }\n");

	ck_assert_uint_eq(d->n_licenses, 3);
	meta_is(d, 0, "MIT", "MIT OR Apache-2.0", 4, "Cargo.toml:package.license");
	meta_is(d, 1, "Apache-2.0", "MIT OR Apache-2.0", 4, "Cargo.toml:package.license");
	null_is(d, 2, 5, "Cargo.toml:package.license-file", "licence in file 'LICENSE-CORP'");
	tgpl_detection_free(d);
	d = meta("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n\n[workspace.package]\n"
			       "license = \"Apache-2.0 WITH LLVM-exception\"\n");
	ck_assert_uint_eq(d->n_licenses, 2);
	meta_is(d, 0, "Apache-2.0", "Apache-2.0 WITH LLVM-exception", 5,
		"Cargo.toml:workspace.package.license");
	meta_is(d, 1, "LLVM-exception", "Apache-2.0 WITH LLVM-exception", 5,
		"Cargo.toml:workspace.package.license");
	tgpl_detection_free(d);
	/* license.workspace = true inherits: nothing declared here. */
	d = meta("Cargo.toml", "[package]\nname = \"m\"\nlicense.workspace = true\n");
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
}
END_TEST

START_TEST(pyproject_toml_every_licence_form)
{
	tgpl_detection *d = meta("pyproject.toml",
				 "[build-system]\n"
				 "requires = [\"hatchling\"]\n"
				 "\n"
				 "[project]\n"
				 "name = \"spam\"\n"
				 "license = \"BSD-3-Clause\"\n"
				 "classifiers = [\n"
				 "    \"Programming Language :: Python\",\n"
				 "    \"License :: OSI Approved :: MIT License\",\n"
				 "    \"License :: OSI Approved :: BSD License\",\n"
				 "]\n"
				 "\n"
				 "[tool.poetry]\n"
				 "license = \"GPL-3.0-or-later\"\n");

	ck_assert_uint_eq(d->n_licenses, 4);
	meta_is(d, 0, "BSD-3-Clause", "BSD-3-Clause", 6, "pyproject.toml:project.license");
	meta_is(d, 1, "MIT", "MIT", 9, "pyproject.toml:project.classifiers");
	null_is(d, 2, 10, "pyproject.toml:project.classifiers",
		"unrecognised licence name 'License :: OSI Approved :: BSD License'");
	meta_is(d, 3, "GPL-3.0-or-later", "GPL-3.0-or-later", 14, "pyproject.toml:tool.poetry.license");
	tgpl_detection_free(d);
	d = meta("pyproject.toml", "[project]\nname = \"a\"\n"
				   "license = { text = \"Apache License, Version 2.0\" }\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "Apache-2.0", "Apache-2.0", 3, "pyproject.toml:project.license.text");
	tgpl_detection_free(d);
	d = meta("pyproject.toml", "[project]\nlicense = {file = \"COPYING\"}\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	null_is(d, 0, 2, "pyproject.toml:project.license.file", "licence in file 'COPYING'");
	tgpl_detection_free(d);
	d = meta("pyproject.toml", "[project]\nlicense-expression = \"MIT\"\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "MIT", "MIT", 2, "pyproject.toml:project.license-expression");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(reuse_toml_annotations_become_tags_per_glob)
{
	tgpl_detection *d = meta("REUSE.toml",
				 "version = 1\n"
				 "\n"
				 "[[annotations]]\n"
				 "path = \"docs/**\"\n"
				 "SPDX-FileCopyrightText = \"2024 Jane Doe\"\n"
				 "SPDX-License-Identifier = \"CC-BY-4.0\"\n"
				 "\n"
				 "[[annotations]]\n"
				 "path = [\"src/**/*.c\", \"include/**\"]\n"
				 "precedence = \"aggregate\"\n"
				 "SPDX-License-Identifier = \"GPL-2.0-or-later OR MIT\"\n");

	ck_assert_uint_eq(d->n_licenses, 5);
	hit_is(d, 0, "CC-BY-4.0", "CC-BY-4.0", TGPL_KIND_TAG, 6, 6, "reuse:docs/**", NULL);
	hit_is(d, 1, "GPL-2.0-or-later", "GPL-2.0-or-later OR MIT", TGPL_KIND_TAG, 11, 11,
	       "reuse:src/**/*.c", NULL);
	hit_is(d, 2, "MIT", "GPL-2.0-or-later OR MIT", TGPL_KIND_TAG, 11, 11, "reuse:src/**/*.c", NULL);
	hit_is(d, 3, "GPL-2.0-or-later", "GPL-2.0-or-later OR MIT", TGPL_KIND_TAG, 11, 11,
	       "reuse:include/**", NULL);
	hit_is(d, 4, "MIT", "GPL-2.0-or-later OR MIT", TGPL_KIND_TAG, 11, 11, "reuse:include/**", NULL);
	tgpl_detection_free(d);
}
END_TEST

START_TEST(dep5_stanzas_become_tags_per_glob)
{
	tgpl_detection *d = meta(".reuse/dep5",
				 "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
				 "Upstream-Name: demo\n"
				 "\n"
				 "Files: assets/*.png\n"
				 "  assets/*.svg\n"
				 "Copyright: 2020 Someone\n"
				 "License: CC0-1.0\n"
				 "\n"
				 "# generated files\n"
				 "Files: gen/*\n"
				 "Copyright: 2021 Someone\n"
				 "License: Apache-2.0\n"
				 " Licence text paragraphs here are not an expression.\n");

	ck_assert_uint_eq(d->n_licenses, 3);
	hit_is(d, 0, "CC0-1.0", "CC0-1.0", TGPL_KIND_TAG, 7, 7, "reuse:assets/*.png", NULL);
	hit_is(d, 1, "CC0-1.0", "CC0-1.0", TGPL_KIND_TAG, 7, 7, "reuse:assets/*.svg", NULL);
	hit_is(d, 2, "Apache-2.0", "Apache-2.0", TGPL_KIND_TAG, 12, 12, "reuse:gen/*", NULL);
	tgpl_detection_free(d);
	/* A dep5 elsewhere is not REUSE's. */
	d = meta("debian/dep5", "Files: *\nLicense: MIT\n");
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
	d = meta("sub/.reuse/dep5", "Files: *\nLicense: MIT\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	tgpl_detection_free(d);
}
END_TEST

/* ---- INI and RFC 822 ---------------------------------------------------- */

START_TEST(setup_cfg_license_and_multiline_classifiers)
{
	tgpl_detection *d = meta("setup.cfg",
				 "[metadata]\n"
				 "name = demo\n"
				 "license = BSD 3-Clause License\n"
				 "classifiers =\n"
				 "    Development Status :: 4 - Beta\n"
				 "    License :: OSI Approved :: Apache Software License\n"
				 "    License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)\n"
				 "license_expression = MIT\n"
				 "\n"
				 "[options]\n"
				 "license = not metadata\n");

	ck_assert_uint_eq(d->n_licenses, 4);
	meta_is(d, 0, "BSD-3-Clause", "BSD-3-Clause", 3, "setup.cfg:metadata.license");
	meta_is(d, 1, "Apache-2.0", "Apache-2.0", 6, "setup.cfg:metadata.classifiers");
	meta_is(d, 2, "GPL-2.0-or-later", "GPL-2.0-or-later", 7, "setup.cfg:metadata.classifiers");
	meta_is(d, 3, "MIT", "MIT", 8, "setup.cfg:metadata.license_expression");
	tgpl_detection_free(d);
	d = meta("setup.cfg", "[metadata]\nlicense = file: LICENSE.txt\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	null_is(d, 0, 2, "setup.cfg:metadata.license", "licence in file 'LICENSE.txt'");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(pkg_info_headers_stop_at_the_body)
{
	tgpl_detection *d = meta("dist/demo-1.0/PKG-INFO",
				 "Metadata-Version: 2.4\n"
				 "Name: demo\n"
				 "Version: 1.0\n"
				 "License-Expression: MIT AND (Apache-2.0 OR BSD-2-Clause)\n"
				 "License: UNKNOWN\n"
				 "Classifier: License :: OSI Approved :: ISC License (ISCL)\n"
				 "Classifier: Operating System :: OS Independent\n"
				 "\n"
				 "License: GPL-3.0-only\n"
				 "Classifier: License :: OSI Approved :: MIT License\n");

	ck_assert_uint_eq(d->n_licenses, 4);
	meta_is(d, 0, "MIT", "MIT AND (Apache-2.0 OR BSD-2-Clause)", 4, "PKG-INFO:License-Expression");
	meta_is(d, 1, "Apache-2.0", "MIT AND (Apache-2.0 OR BSD-2-Clause)", 4,
		"PKG-INFO:License-Expression");
	meta_is(d, 2, "BSD-2-Clause", "MIT AND (Apache-2.0 OR BSD-2-Clause)", 4,
		"PKG-INFO:License-Expression");
	meta_is(d, 3, "ISC", "ISC", 6, "PKG-INFO:Classifier");
	tgpl_detection_free(d);
	d = meta("x.dist-info/METADATA", "Metadata-Version: 2.1\nName: y\nLicense: MIT License\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "MIT", "MIT", 3, "METADATA:License");
	tgpl_detection_free(d);
	/* A licence text folded into License: is not a name. */
	d = meta("PKG-INFO", "Metadata-Version: 1.1\nLicense: Copyright (c) 2010 X\n"
			     "        Permission is hereby granted\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	null_is(d, 0, 2, "PKG-INFO:License",
		"licence text, not a name, in the License field: 'Copyright (c) 2010 X'");
	tgpl_detection_free(d);
	/* Not Python metadata at all. */
	d = meta("METADATA", "License: MIT\n");
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
}
END_TEST

START_TEST(r_description_licence_syntax)
{
	tgpl_detection *d = meta("DESCRIPTION",
				 "Package: stats2\n"
				 "Title: Things\n"
				 "License: GPL (>= 2)\n"
				 "Encoding: UTF-8\n");

	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "GPL-2.0-or-later", "GPL-2.0-or-later", 3, "DESCRIPTION:License");
	tgpl_detection_free(d);
	d = meta("DESCRIPTION", "Package: a\nLicense: GPL-2 | GPL-3\n");
	ck_assert_uint_eq(d->n_licenses, 2);
	meta_is(d, 0, "GPL-2.0-only", "GPL-2.0-only OR GPL-3.0-only", 2, "DESCRIPTION:License");
	meta_is(d, 1, "GPL-3.0-only", "GPL-2.0-only OR GPL-3.0-only", 2, "DESCRIPTION:License");
	tgpl_detection_free(d);
	d = meta("DESCRIPTION", "Package: a\nLicense: MIT + file LICENSE\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "MIT", "MIT", 2, "DESCRIPTION:License");
	tgpl_detection_free(d);
	d = meta("DESCRIPTION", "Package: a\nLicense: LGPL (>= 2.1)\n");
	meta_is(d, 0, "LGPL-2.1-or-later", "LGPL-2.1-or-later", 2, "DESCRIPTION:License");
	tgpl_detection_free(d);
	d = meta("DESCRIPTION", "Package: a\nLicense: Apache License 2.0\n");
	meta_is(d, 0, "Apache-2.0", "Apache-2.0", 2, "DESCRIPTION:License");
	tgpl_detection_free(d);
	d = meta("DESCRIPTION", "Package: a\nLicense: BSD_3_clause + file LICENSE\n");
	meta_is(d, 0, "BSD-3-Clause", "BSD-3-Clause", 2, "DESCRIPTION:License");
	tgpl_detection_free(d);
	d = meta("DESCRIPTION", "Package: a\nLicense: file LICENSE\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	null_is(d, 0, 2, "DESCRIPTION:License", "licence in file 'LICENSE'");
	tgpl_detection_free(d);
	d = meta("DESCRIPTION", "Package: a\nLicense: Unlimited | MIT\n");
	ck_assert_uint_eq(d->n_licenses, 2);
	null_is(d, 0, 2, "DESCRIPTION:License", "unrecognised licence name 'Unlimited'");
	meta_is(d, 1, "MIT", "MIT", 2, "DESCRIPTION:License");
	tgpl_detection_free(d);
	/* Not an R package. */
	d = meta("DESCRIPTION", "Unnamed repository; edit this file to name it.\n");
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
}
END_TEST

/* ---- Ruby ------------------------------------------------------------- */

START_TEST(gemspec_and_podspec_assignments)
{
	tgpl_detection *d = meta("demo.gemspec",
				 "Gem::Specification.new do |spec|\n"
				 "  spec.name    = 'demo'\n"
				 "  # spec.license = 'GPL-2.0-only'\n"
				 "  spec.license = \"MIT\"\n"
				 "  spec.licenses = ['Apache-2.0',\n"
				 "                   'The Ruby License']\n"
				 "end\n");

	ck_assert_uint_eq(d->n_licenses, 3);
	meta_is(d, 0, "MIT", "MIT", 4, "gemspec:license");
	meta_is(d, 1, "Apache-2.0", "Apache-2.0", 5, "gemspec:licenses");
	null_is(d, 2, 6, "gemspec:licenses", "unrecognised licence name 'The Ruby License'");
	tgpl_detection_free(d);
	d = meta("x.gemspec", "Gem::Specification.new do |s|\n  s.licenses = %w[MIT BSD-2-Clause]\nend\n");
	ck_assert_uint_eq(d->n_licenses, 2);
	meta_is(d, 0, "MIT", "MIT", 2, "gemspec:licenses");
	meta_is(d, 1, "BSD-2-Clause", "BSD-2-Clause", 2, "gemspec:licenses");
	tgpl_detection_free(d);
	d = meta("Demo.podspec", "Pod::Spec.new do |s|\n"
				 "  s.license = { :type => 'MIT', :file => 'LICENSE' }\n"
				 "end\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "MIT", "MIT", 2, "podspec:license");
	tgpl_detection_free(d);
	d = meta("Demo.podspec", "Pod::Spec.new do |s|\n  s.license = { file: 'LICENSE.txt' }\nend\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	null_is(d, 0, 2, "podspec:license", "licence in file 'LICENSE.txt'");
	tgpl_detection_free(d);
}
END_TEST

/* ---- XML -------------------------------------------------------------- */

START_TEST(pom_xml_names_and_urls)
{
	tgpl_detection *d = meta("pom.xml",
				 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				 "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
				 "  <modelVersion>4.0.0</modelVersion>\n"
				 "  <licenses>\n"
				 "    <license>\n"
				 "      <name>The Apache Software License, Version 2.0</name>\n"
				 "      <url>http://www.apache.org/licenses/LICENSE-2.0.txt</url>\n"
				 "    </license>\n"
				 "    <license>\n"
				 "      <name>Something Custom</name>\n"
				 "      <url>https://www.eclipse.org/legal/epl-2.0/</url>\n"
				 "    </license>\n"
				 "    <license>\n"
				 "      <name>Acme Internal Licence</name>\n"
				 "    </license>\n"
				 "  </licenses>\n"
				 "  <dependencies><dependency><licenses><license><name>GPL</name>"
				 "</license></licenses></dependency></dependencies>\n"
				 "</project>\n");

	ck_assert_uint_eq(d->n_licenses, 3);
	meta_is(d, 0, "Apache-2.0", "Apache-2.0", 6, "pom.xml:licenses/license/name");
	meta_is(d, 1, "EPL-2.0", "EPL-2.0", 11, "pom.xml:licenses/license/url");
	null_is(d, 2, 14, "pom.xml:licenses/license/name",
		"unrecognised licence name 'Acme Internal Licence'");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(nuspec_expression_file_and_url)
{
	tgpl_detection *d = meta("Acme.Lib.nuspec",
				 "<?xml version=\"1.0\"?>\n"
				 "<package xmlns=\"http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd\">\n"
				 "  <metadata>\n"
				 "    <id>Acme.Lib</id>\n"
				 "    <license type=\"expression\">MIT OR Apache-2.0</license>\n"
				 "    <licenseUrl>https://aka.ms/deprecateLicenseUrl</licenseUrl>\n"
				 "  </metadata>\n"
				 "</package>\n");

	ck_assert_uint_eq(d->n_licenses, 2);
	meta_is(d, 0, "MIT", "MIT OR Apache-2.0", 5, "nuspec:metadata/license");
	meta_is(d, 1, "Apache-2.0", "MIT OR Apache-2.0", 5, "nuspec:metadata/license");
	tgpl_detection_free(d);
	d = meta("a.nuspec", "<package><metadata>\n<license type=\"file\">docs/LICENSE.txt</license>"
			     "</metadata></package>");
	ck_assert_uint_eq(d->n_licenses, 1);
	null_is(d, 0, 2, "nuspec:metadata/license", "licence in file 'docs/LICENSE.txt'");
	tgpl_detection_free(d);
	d = meta("a.nuspec", "<package><metadata>\n\n<licenseUrl>https://licenses.nuget.org/"
			     "BSD-3-Clause%20OR%20MIT</licenseUrl></metadata></package>");
	ck_assert_uint_eq(d->n_licenses, 2);
	meta_is(d, 0, "BSD-3-Clause", "BSD-3-Clause OR MIT", 3, "nuspec:metadata/licenseUrl");
	tgpl_detection_free(d);
	d = meta("a.nuspec", "<package><metadata><licenseUrl>https://opensource.org/licenses/MIT"
			     "</licenseUrl></metadata></package>");
	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "MIT", "MIT", 1, "nuspec:metadata/licenseUrl");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(xxe_in_pom_xml_reads_no_local_file)
{
	char path[] = "/tmp/tgpl-xxe-XXXXXX";
	int fd = mkstemp(path);
	tgpl_buf doc = TGPL_BUF_INIT;
	tgpl_detection *d;
	size_t i;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "MIT", 3), 3);
	close(fd);
	ck_assert_int_eq(tgpl_buf_printf(&doc,
					 "<?xml version=\"1.0\"?>\n"
					 "<!DOCTYPE project [<!ENTITY xxe SYSTEM \"file://%s\">]>\n"
					 "<project><licenses><license><name>&xxe;</name></license>"
					 "</licenses></project>\n", path), 0);
	d = meta("pom.xml", doc.ptr);
	for (i = 0; i < d->n_licenses; i++)
		ck_assert_msg(d->licenses[i].spdx == NULL ||
			      strcmp(d->licenses[i].spdx, "MIT") != 0, "the entity was expanded");
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
	/* Billion laughs: refused before any expansion. */
	tgpl_buf_clear(&doc);
	ck_assert_int_eq(tgpl_buf_puts(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
					     "<!ENTITY lol0 \"lol\">\n"), 0);
	for (i = 1; i < 10; i++) {
		size_t k;

		ck_assert_int_eq(tgpl_buf_printf(&doc, "<!ENTITY lol%zu \"", i), 0);
		for (k = 0; k < 10; k++)
			ck_assert_int_eq(tgpl_buf_printf(&doc, "&lol%zu;", i - 1), 0);
		ck_assert_int_eq(tgpl_buf_puts(&doc, "\">\n"), 0);
	}
	ck_assert_int_eq(tgpl_buf_puts(&doc, "]>\n<project><licenses><license><name>&lol9;</name>"
					     "</license></licenses></project>\n"), 0);
	d = meta("pom.xml", doc.ptr);
	ck_assert_uint_eq(d->n_licenses, 0);
	tgpl_detection_free(d);
	tgpl_buf_release(&doc);
	unlink(path);
}
END_TEST

/* ---- names ------------------------------------------------------------ */

START_TEST(free_text_names_map_through_spdx_names_and_the_table)
{
	const struct name_table *nt = engine_names(eng);

	ck_assert_ptr_nonnull(nt);
	ck_assert_uint_gt(names_count(nt), 300);
	ck_assert_pstr_eq(names_lookup(nt, "Apache License, Version 2.0", 27), "Apache-2.0");
	ck_assert_pstr_eq(names_lookup(nt, "  apache   license version 2.0 ", 31), "Apache-2.0");
	ck_assert_pstr_eq(names_lookup(nt, "The Apache Software License, Version 2.0", 40),
			  "Apache-2.0");
	ck_assert_pstr_eq(names_lookup(nt, "GNU GPL v3", 10), "GPL-3.0-only");
	ck_assert_pstr_eq(names_lookup(nt, "gplv2", 5), "GPL-2.0-only");
	ck_assert_pstr_eq(names_lookup(nt, "LGPLv3", 6), "LGPL-3.0-only");
	ck_assert_pstr_eq(names_lookup(nt, "New BSD License", 15), "BSD-3-Clause");
	ck_assert_pstr_eq(names_lookup(nt, "Simplified BSD License", 22), "BSD-2-Clause");
	ck_assert_pstr_eq(names_lookup(nt, "Eclipse Public License - v 2.0", 30), "EPL-2.0");
	ck_assert_pstr_eq(names_lookup(nt, "The MIT License", 15), "MIT");
	ck_assert_pstr_eq(names_lookup(nt, "HTTPS://www.apache.org/licenses/LICENSE-2.0.html", 48),
			  "Apache-2.0");
	ck_assert_pstr_eq(names_lookup(nt, "http://opensource.org/licenses/mit-license.php/", 47),
			  "MIT");
	ck_assert_ptr_null(names_lookup(nt, "BSD License", 11));
	ck_assert_ptr_null(names_lookup(nt, "GPL", 3));
	ck_assert_ptr_null(names_lookup(nt, "", 0));
	ck_assert_ptr_null(names_lookup(NULL, "MIT License", 11));
}
END_TEST

START_TEST(spdx_full_names_need_no_table_entry)
{
	tgpl_detection *d = meta("setup.cfg", "[metadata]\nlicense = Mozilla Public License 2.0\n");

	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "MPL-2.0", "MPL-2.0", 2, "setup.cfg:metadata.license");
	tgpl_detection_free(d);
	d = meta("a.gemspec", "  s.license = 'gnu general public license v3.0 or later'\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	meta_is(d, 0, "GPL-3.0-or-later", "GPL-3.0-or-later", 1, "gemspec:license");
	tgpl_detection_free(d);
	/* A valid expression of known ids is accepted as a name too. */
	d = meta("PKG-INFO", "Metadata-Version: 2.1\nLicense: MIT OR Apache-2.0\n");
	ck_assert_uint_eq(d->n_licenses, 2);
	meta_is(d, 0, "MIT", "MIT OR Apache-2.0", 2, "PKG-INFO:License");
	tgpl_detection_free(d);
	/* ...but not one with an unknown id. */
	d = meta("PKG-INFO", "Metadata-Version: 2.1\nLicense: MIT OR Frobnicate-1.0\n");
	ck_assert_uint_eq(d->n_licenses, 1);
	null_is(d, 0, 2, "PKG-INFO:License", "unrecognised licence name 'MIT OR Frobnicate-1.0'");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(every_table_entry_maps_to_known_ids)
{
	const struct name_table *nt = engine_names(eng);
	char path[4096], line[1100];
	FILE *f;
	size_t checked = 0;

	snprintf(path, sizeof(path), "%s/names.tsv", getenv("TGPL_DATADIR"));
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *w, *end;

		if (line[0] == '#' || !tab)
			continue;
		line[strcspn(line, "\n")] = '\0';
		*tab = '\0';
		/* The table answers for its own names... */
		ck_assert_pstr_eq(names_lookup(nt, line, strlen(line)), tab + 1);
		/* ...with ids the SPDX list knows. */
		for (w = tab + 1; *w; w = end) {
			w += strspn(w, " ()");
			end = w + strcspn(w, " ()");
			if (*end)
				*end++ = '\0';
			if (!*w || !strcmp(w, "OR") || !strcmp(w, "AND") || !strcmp(w, "WITH"))
				continue;
			ck_assert_msg(tgpl_engine_license(eng, w) ||
				      engine_exception(eng, w, strlen(w)), "unknown id '%s' for '%s'",
				      w, line);
			if (tgpl_engine_license(eng, w))
				ck_assert_msg(!tgpl_engine_license(eng, w)->deprecated,
					      "deprecated id '%s' for '%s'", w, line);
		}
		checked++;
	}
	fclose(f);
	ck_assert_uint_ge(checked, names_count(nt));   /* spellings that normalise alike count once */
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(names_table_errors_name_the_line)
{
	char dir[] = "/tmp/tgpl-names-XXXXXX", path[512];
	struct name_table *nt = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(names_load(&nt, ctx, dir), TGPL_EDATA);
	ck_assert_ptr_null(nt);
	ck_assert_ptr_nonnull(strstr(tgpl_errmsg(ctx), "names.tsv"));
	write_file(dir, "names.tsv", "# ok\nfoo licence\tMIT\nFoo  Licence\tMIT\nbar\tISC\n");
	ck_assert_int_eq(names_load(&nt, ctx, dir), 0);
	ck_assert_uint_eq(names_count(nt), 2);
	ck_assert_pstr_eq(names_lookup(nt, "FOO-licence", 11), NULL);
	ck_assert_pstr_eq(names_lookup(nt, "FOO, licence", 12), "MIT");
	names_free(nt);
	nt = NULL;
	write_file(dir, "names.tsv", "foo\tMIT\nFOO\tISC\n");
	ck_assert_int_eq(names_load(&nt, ctx, dir), TGPL_EDATA);
	ck_assert_ptr_nonnull(strstr(tgpl_errmsg(ctx), "'foo' maps to both"));
	write_file(dir, "names.tsv", "foo\tMIT\nno tab here\n");
	ck_assert_int_eq(names_load(&nt, ctx, dir), TGPL_EDATA);
	ck_assert_ptr_nonnull(strstr(tgpl_errmsg(ctx), ":2:"));
	write_file(dir, "names.tsv", "a\tb\tc\n");
	ck_assert_int_eq(names_load(&nt, ctx, dir), TGPL_EDATA);
	ck_assert_ptr_null(nt);
	names_free(NULL);
	snprintf(path, sizeof(path), "%s/names.tsv", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- hostile and malformed input ------------------------------------- */

static void no_hits_n(const char *path, const char *data, size_t len)
{
	int rc;
	tgpl_detection *d = meta_rc(path, data, len, &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_msg(d->n_licenses == 0, "%zu hits on %s", d->n_licenses, path);
	tgpl_detection_free(d);
}

static void no_hits(const char *path, const char *data)
{
	no_hits_n(path, data, strlen(data));
}

START_TEST(malformed_manifests_give_no_hit)
{
	no_hits("package.json", "{\"license\": \"MIT\",");
	no_hits("package.json", "{\"license\": \"MIT\", \"license\": \"ISC\"}");
	no_hits("package.json", "[\"license\", \"MIT\"]");
	no_hits("composer.json", "license: MIT");
	no_hits("Cargo.toml", "[package]\nlicense = \"MIT\"\nlicense = \"ISC\"\n");
	no_hits("pyproject.toml", "[project\nlicense = \"MIT\"\n");
	no_hits("REUSE.toml", "[[annotations]]\npath = \"x\nSPDX-License-Identifier = \"MIT\"\n");
	no_hits("pom.xml", "<project><licenses><license><name>MIT</name></license>");
	no_hits("pom.xml", "<pom><licenses><license><name>MIT</name></license></licenses></pom>");
	no_hits("x.nuspec", "<package><metadata><license type=\"expression\">MIT</metadata>");
	no_hits("x.gemspec", "s.license = MIT\n");
	no_hits("README.md", "{\"license\": \"MIT\"}");
	no_hits("src/package.json.bak", "{\"license\": \"MIT\"}");
	no_hits_n("package.json", "", 0);
}
END_TEST

START_TEST(hostile_bytes_do_not_crash)
{
	static const char nul_pkginfo[] = "Metadata-Version: 2.1\nLicense: M\0IT\nClassifier: Li\0cense\n";
	static const char bad_utf8[] = "Package: x\nLicense: \xff\xfe GPL (>= \xc0\xaf)\n";
	static const char nul_json[] = "{\"license\": \"MIT\0\"}";
	static const char nul_toml[] = "[package]\nlicense = \"M\0T\"\n";
	static const char nul_ini[] = "[metadata]\nlicense = MIT\0garbage\nclassifiers =\n  \0\n";
	tgpl_buf big = TGPL_BUF_INIT;
	tgpl_detection *d;
	size_t i;
	int rc;

	d = meta_rc("PKG-INFO", nul_pkginfo, sizeof(nul_pkginfo) - 1, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_licenses, 1);   /* "M\0IT" kept, unrecognised */
	ck_assert_ptr_null(d->licenses[0].spdx);
	ck_assert_pstr_eq(d->licenses[0].note, "unrecognised licence name 'M IT'");
	tgpl_detection_free(d);
	d = meta_rc("DESCRIPTION", bad_utf8, sizeof(bad_utf8) - 1, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_licenses, 1);
	ck_assert_ptr_null(d->licenses[0].spdx);
	tgpl_detection_free(d);
	no_hits_n("package.json", nul_json, sizeof(nul_json) - 1);
	no_hits_n("Cargo.toml", nul_toml, sizeof(nul_toml) - 1);
	d = meta_rc("setup.cfg", nul_ini, sizeof(nul_ini) - 1, &rc);
	ck_assert_int_eq(rc, 0);
	tgpl_detection_free(d);

	/* Deep nesting. */
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(tgpl_buf_putc(&big, '['), 0);
	no_hits_n("package.json", big.ptr, big.len);
	no_hits_n("Cargo.toml", big.ptr, big.len);
	tgpl_buf_clear(&big);
	ck_assert_int_eq(tgpl_buf_puts(&big, "<project>"), 0);
	for (i = 0; i < 50000; i++)
		ck_assert_int_eq(tgpl_buf_puts(&big, "<a>"), 0);
	no_hits_n("pom.xml", big.ptr, big.len);
	/* A huge line in every line-based format. */
	tgpl_buf_clear(&big);
	ck_assert_int_eq(tgpl_buf_puts(&big, "[metadata]\nlicense = "), 0);
	for (i = 0; i < 300000; i++)
		ck_assert_int_eq(tgpl_buf_putc(&big, 'x'), 0);
	ck_assert_int_eq(tgpl_buf_puts(&big, "\nlicense_expression = MIT\n"), 0);
	d = meta("setup.cfg", big.ptr);
	ck_assert_uint_eq(d->n_licenses, 2);
	ck_assert_ptr_null(d->licenses[0].spdx);
	ck_assert_uint_lt(strlen(d->licenses[0].note), 160);
	meta_is(d, 1, "MIT", "MIT", 3, "setup.cfg:metadata.license_expression");
	tgpl_detection_free(d);
	d = meta("x.gemspec", big.ptr);
	tgpl_detection_free(d);
	d = meta("PKG-INFO", big.ptr);
	tgpl_detection_free(d);
	/* Over the manifest size cap: not read. */
	tgpl_buf_clear(&big);
	ck_assert_int_eq(tgpl_buf_puts(&big, "{\"license\": \"MIT\", \"x\": \""), 0);
	for (i = 0; i < ((size_t)4 << 20); i++)
		ck_assert_int_eq(tgpl_buf_putc(&big, 'y'), 0);
	ck_assert_int_eq(tgpl_buf_puts(&big, "\"}"), 0);
	no_hits_n("package.json", big.ptr, big.len);
	tgpl_buf_release(&big);
}
END_TEST

START_TEST(statements_per_file_are_capped)
{
	tgpl_buf doc = TGPL_BUF_INIT;
	tgpl_detection *d;
	size_t i;

	for (i = 0; i < 3000; i++)
		ck_assert_int_eq(tgpl_buf_printf(&doc, "[[annotations]]\npath = \"f%zu\"\n"
						       "SPDX-License-Identifier = \"MIT\"\n", i), 0);
	d = meta("REUSE.toml", doc.ptr);
	ck_assert_uint_eq(d->n_licenses, 1001);
	hit_is(d, 999, "MIT", "MIT", TGPL_KIND_TAG, 3000, 3000, "reuse:f999", NULL);
	ck_assert_ptr_null(d->licenses[1000].spdx);
	ck_assert_pstr_eq(d->licenses[1000].note,
			  "more than 1000 licence statements; the rest are not read");
	tgpl_detection_free(d);
	tgpl_buf_release(&doc);
}
END_TEST

/* Every library we call must stay silent on bad input. */
START_TEST(parsers_print_nothing)
{
	char path[] = "/tmp/tgpl-stderr-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	tgpl_detection *d;
	off_t size;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	fflush(stderr);
	ck_assert_int_ge(dup2(fd, 2), 0);
	d = meta("pom.xml", "<project><licenses><license><name>&undefined;</nam></project>");
	tgpl_detection_free(d);
	d = meta("pom.xml", "<?xml version=\"1.0\" encoding=\"bogus\"?><project/>");
	tgpl_detection_free(d);
	d = meta("x.nuspec", "\x01\x02<<<>>>");
	tgpl_detection_free(d);
	d = meta("setup.cfg", "[metadata\nlicense MIT\n=\n[[x]]\n");
	tgpl_detection_free(d);
	d = meta("package.json", "{{{");
	tgpl_detection_free(d);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	ck_assert_int_eq(size, 0);
}
END_TEST

START_TEST(allocation_failures_return_enomem)
{
	static const struct { const char *path, *text; } cases[] = {
		{ "package.json", "{\"licenses\": [{\"type\": \"MIT\"}, \"Apache 2.0\", \"Foo\"]}" },
		{ "Cargo.toml", "[package]\nlicense = \"MIT/Apache-2.0\"\nlicense-file = \"L\"\n" },
		{ "pyproject.toml", "[project]\nlicense = {text = \"Foo\"}\n"
				    "classifiers = [\"License :: OSI Approved :: MIT License\"]\n" },
		{ "setup.cfg", "[metadata]\nlicense = Apache 2.0\nclassifiers =\n License :: X\n" },
		{ "PKG-INFO", "Metadata-Version: 2.1\nLicense: GPLv3\nClassifier: License :: Foo\n" },
		{ "DESCRIPTION", "Package: p\nLicense: GPL (>= 2) | Foo | file LICENSE\n" },
		{ "REUSE.toml", "[[annotations]]\npath = [\"a\", \"b\"]\nSPDX-License-Identifier = \"MIT\"\n" },
		{ ".reuse/dep5", "Files: a b\nLicense: MIT\n" },
		{ "x.gemspec", "s.license = 'MIT'\ns.licenses = ['Foo', 'ISC']\n" },
		{ "pom.xml", "<project><licenses><license><name>Foo</name><url>https://x</url>"
			     "</license></licenses></project>" },
		{ "x.nuspec", "<package><metadata><licenseUrl>https://licenses.nuget.org/MIT"
			      "</licenseUrl></metadata></package>" },
	};
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		long n;
		int rc, ok = 0;

		for (n = 1; n < 400 && !ok; n++) {
			tgpl_detection *d;

			tgpl_alloc_fail_at(n);
			d = meta_rc(cases[c].path, cases[c].text, strlen(cases[c].text), &rc);
			tgpl_alloc_fail_at(0);
			ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "%s: rc %d", cases[c].path, rc);
			ok = rc == 0 && n > 1;
			tgpl_detection_free(d);
		}
		ck_assert_msg(ok, "%s never succeeded", cases[c].path);
	}
}
END_TEST

START_TEST(tgpl_detect_reports_metadata_hits)
{
	static const char pkg[] = "{\n  \"name\": \"a\",\n  \"license\": \"Apache-2.0\"\n}\n";
	tgpl_detection *d = NULL;
	size_t i, found = 0;

	ck_assert_int_eq(tgpl_detect(&d, ctx, eng, NULL, "pkg/package.json", pkg, sizeof(pkg) - 1), 0);
	for (i = 0; i < d->n_licenses; i++)
		if (d->licenses[i].kind == TGPL_KIND_METADATA) {
			ck_assert_pstr_eq(d->licenses[i].spdx, "Apache-2.0");
			ck_assert_pstr_eq(d->licenses[i].rule, "package.json:license");
			ck_assert_uint_eq(d->licenses[i].start_line, 3);
			found++;
		}
	ck_assert_uint_eq(found, 1);
	ck_assert_pstr_eq(d->expression, "Apache-2.0");
	tgpl_detection_free(d);
}
END_TEST

static Suite *metadata_suite(void)
{
	Suite *s = suite_create("metadata");
	TCase *tc = tcase_create("manifests");
	TCase *tn = tcase_create("names");
	TCase *th = tcase_create("hostile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(tn, setup, teardown);
	tcase_add_checked_fixture(th, setup, teardown);
	tcase_set_timeout(th, 120);
	tcase_add_test(tc, package_json_license_expression_is_declared);
	tcase_add_test(tc, package_json_legacy_forms_are_read);
	tcase_add_test(tc, package_json_see_license_in_and_unlicensed_name_no_licence);
	tcase_add_test(tc, composer_json_license_array_is_a_choice);
	tcase_add_test(tc, cargo_toml_slash_means_or_and_license_file_is_noted);
	tcase_add_test(tc, pyproject_toml_every_licence_form);
	tcase_add_test(tc, reuse_toml_annotations_become_tags_per_glob);
	tcase_add_test(tc, dep5_stanzas_become_tags_per_glob);
	tcase_add_test(tc, setup_cfg_license_and_multiline_classifiers);
	tcase_add_test(tc, pkg_info_headers_stop_at_the_body);
	tcase_add_test(tc, r_description_licence_syntax);
	tcase_add_test(tc, gemspec_and_podspec_assignments);
	tcase_add_test(tc, pom_xml_names_and_urls);
	tcase_add_test(tc, nuspec_expression_file_and_url);
	tcase_add_test(tc, tgpl_detect_reports_metadata_hits);
	tcase_add_test(tn, free_text_names_map_through_spdx_names_and_the_table);
	tcase_add_test(tn, spdx_full_names_need_no_table_entry);
	tcase_add_test(tn, every_table_entry_maps_to_known_ids);
	tcase_add_test(tn, names_table_errors_name_the_line);
	tcase_add_test(th, xxe_in_pom_xml_reads_no_local_file);
	tcase_add_test(th, malformed_manifests_give_no_hit);
	tcase_add_test(th, hostile_bytes_do_not_crash);
	tcase_add_test(th, statements_per_file_are_capped);
	tcase_add_test(th, parsers_print_nothing);
	tcase_add_test(th, allocation_failures_return_enomem);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tn);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(metadata_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
