/*
 * check_ai_licenses.c — AI model and data licences: the LicenseRef- ids of
 * licenses/ai-licenses.tsv, titles, notices and references
 * (licenses/rules/65-ai-models.rules), texts by their clause set
 * (licenses/clauses/70-ai-licences.rules) and Hugging Face cards
 * (licenses/hf-licenses.tsv).
 *
 * The fixtures are titles, notice lines and headings written here; never a
 * licence text.  SPDX texts come from the engine.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/clauses.h"
#include "detect/detect_int.h"
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

static tgpl_detection *detect(const char *path, const char *text)
{
	tgpl_detection *d = NULL;

	ck_assert_msg(tgpl_detect(&d, ctx, eng, NULL, path, text, strlen(text)) == 0, "%s",
		      tgpl_errmsg(ctx));
	return d;
}

/* The licence hits, one "spdx kind start-end rule[ score][ note]" line each. */
static char *licenses_of(const tgpl_detection *d)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t i;

	ck_assert_int_eq(tgpl_buf_puts(&b, ""), 0);
	for (i = 0; i < d->n_licenses; i++) {
		const tgpl_license_hit *h = &d->licenses[i];

		ck_assert_int_eq(tgpl_buf_printf(&b, "%s %s %u-%u %s", h->spdx ? h->spdx : "-",
						 tgpl_kind_name(h->kind), h->start_line, h->end_line,
						 h->rule ? h->rule : "-"), 0);
		if (h->kind == TGPL_KIND_TEXT)
			ck_assert_int_eq(tgpl_buf_printf(&b, " %.2f", h->score), 0);
		if (h->note)
			ck_assert_int_eq(tgpl_buf_printf(&b, " (%s)", h->note), 0);
		ck_assert_int_eq(tgpl_buf_putc(&b, '\n'), 0);
	}
	return tgpl_buf_detach(&b);
}

#define assert_licenses(path, text, want) do { \
		tgpl_detection *d_ = detect((path), (text)); \
		char *got_ = licenses_of(d_); \
		ck_assert_str_eq(got_, (want)); \
		free(got_); \
		tgpl_detection_free(d_); \
	} while (0)

static void assert_expression(const char *path, const char *text, const char *want)
{
	tgpl_detection *d = detect(path, text);

	if (!want)
		ck_assert_ptr_null(d->expression);
	else {
		ck_assert_ptr_nonnull(d->expression);
		ck_assert_str_eq(d->expression, want);
	}
	tgpl_detection_free(d);
}

/* ---- the ids ------------------------------------------------------------------------ */

START_TEST(engine_knows_every_ai_licence_id_with_name_and_category)
{
	static const char *const ids[] = {
		"LicenseRef-RAIL", "LicenseRef-BigScience-BLOOM-RAIL-1.0", "LicenseRef-OpenRAIL",
		"LicenseRef-OpenRAIL-M", "LicenseRef-CreativeML-OpenRAIL-M",
		"LicenseRef-CreativeML-OpenRAIL-PlusPlus-M", "LicenseRef-BigScience-OpenRAIL-M",
		"LicenseRef-BigCode-OpenRAIL-M-1.0", "LicenseRef-Llama-2-Community",
		"LicenseRef-Llama-3-Community", "LicenseRef-Llama-3.1-Community",
		"LicenseRef-Llama-3.2-Community", "LicenseRef-Llama-3.3-Community",
		"LicenseRef-Gemma-Terms"
	};
	const tgpl_license_info *li;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		li = tgpl_engine_license(eng, ids[i]);
		ck_assert_msg(li != NULL, "%s unknown", ids[i]);
		ck_assert_str_eq(li->id, ids[i]);
		ck_assert_ptr_nonnull(li->name);
		ck_assert_ptr_nonnull(li->url);
		ck_assert_ptr_null(li->text);
		ck_assert_str_eq(li->category, "use-restrictions");
	}
	li = tgpl_engine_license(eng, "licenseref-llama-3.1-community");
	ck_assert_ptr_nonnull(li);
	ck_assert_str_eq(li->id, "LicenseRef-Llama-3.1-Community");
	ck_assert_str_eq(li->name, "Llama 3.1 Community License Agreement");
	li = tgpl_engine_license(eng, "LicenseRef-TGPL-1.0");
	ck_assert_ptr_nonnull(li);
	ck_assert_str_eq(li->category, "training-copyleft");
	ck_assert_ptr_null(li->url);
	/* the SPDX data licences are the list's own */
	ck_assert_ptr_nonnull(tgpl_engine_license(eng, "OpenMDW-1.0"));
	ck_assert_ptr_nonnull(tgpl_engine_license(eng, "CDLA-Permissive-2.0"));
	ck_assert_uint_eq(clauses_license_count(engine_clauses(eng)), 15);
}
END_TEST

START_TEST(a_tag_naming_a_model_licence_is_known_and_clean)
{
	assert_licenses("model.py", "# SPDX-License-Identifier: LicenseRef-Llama-3.1-Community\n",
			"LicenseRef-Llama-3.1-Community tag 1-1 spdx-tag\n");
}
END_TEST

/* ---- titles, notices, references ------------------------------------------------------- */

START_TEST(titles_of_model_licences_are_notices)
{
	assert_licenses("NOTICE",
			"CreativeML Open RAIL-M License\n"
			"CreativeML Open RAIL++-M License\n"
			"BigScience OpenRAIL-M License\n"
			"BigCode Open RAIL-M v1 License Agreement\n"
			"BigScience RAIL License v1.0\n"
			"OpenRAIL-M License\n"
			"Responsible AI License\n"
			"LLAMA 2 COMMUNITY LICENSE AGREEMENT\n"
			"META LLAMA 3 COMMUNITY LICENSE AGREEMENT\n"
			"LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n"
			"LLAMA 3.2 COMMUNITY LICENSE AGREEMENT\n"
			"LLAMA 3.3 COMMUNITY LICENSE AGREEMENT\n"
			"Gemma Terms of Use\n",
			"LicenseRef-CreativeML-OpenRAIL-M notice 1-1 creativeml-openrail-m\n"
			"LicenseRef-CreativeML-OpenRAIL-PlusPlus-M notice 2-2 creativeml-openrail-pp-m\n"
			"LicenseRef-BigScience-OpenRAIL-M notice 3-3 bigscience-openrail-m\n"
			"LicenseRef-BigCode-OpenRAIL-M-1.0 notice 4-4 bigcode-openrail-m\n"
			"LicenseRef-BigScience-BLOOM-RAIL-1.0 notice 5-5 bigscience-bloom-rail\n"
			"LicenseRef-OpenRAIL-M notice 6-6 openrail-m\n"
			"LicenseRef-RAIL notice 7-7 rail\n"
			"LicenseRef-Llama-2-Community notice 8-8 llama-2\n"
			"LicenseRef-Llama-3-Community notice 9-9 llama-3\n"
			"LicenseRef-Llama-3.1-Community notice 10-10 llama-3.1\n"
			"LicenseRef-Llama-3.2-Community notice 11-11 llama-3.2\n"
			"LicenseRef-Llama-3.3-Community notice 12-12 llama-3.3\n"
			"LicenseRef-Gemma-Terms notice 13-13 gemma-terms\n");
}
END_TEST

START_TEST(licensed_under_a_model_licence_is_a_reference)
{
	assert_licenses("README.md",
			"This model is licensed under the Llama 3.1 Community License.\n"
			"The checkpoints are released under the BigCode OpenRAIL-M license.\n"
			"Weights are distributed under the terms of the\n"
			"CreativeML Open RAIL++-M License.\n",
			"LicenseRef-Llama-3.1-Community reference 1-1 llama-3.1-reference\n"
			"LicenseRef-BigCode-OpenRAIL-M-1.0 reference 2-2 bigcode-openrail-m-reference\n"
			"LicenseRef-CreativeML-OpenRAIL-PlusPlus-M reference 3-4 creativeml-openrail-pp-m-reference\n");
	assert_expression("README.md", "The model is released under the OpenRAIL license.\n",
			  "LicenseRef-OpenRAIL");
}
END_TEST

START_TEST(standard_notice_lines_are_notices)
{
	assert_licenses("example.py",
			"# Copyright (c) Meta Platforms, Inc. and affiliates.\n"
			"# This software may be used and distributed according to the terms of the\n"
			"# Llama 2 Community License Agreement.\n",
			"LicenseRef-Llama-2-Community notice 2-3 llama-2-notice\n");
	assert_licenses("NOTICE",
			"Gemma is provided under and subject to the Gemma Terms of Use found at\n"
			"ai.google.dev/gemma/terms\n",
			"LicenseRef-Gemma-Terms notice 1-1 gemma-terms-notice\n"
			"LicenseRef-Gemma-Terms reference 2-2 gemma-terms-url\n");
}
END_TEST

START_TEST(data_licence_titles_notices_and_addresses)
{
	assert_licenses("DATA.md",
			"OpenMDW License Agreement, version 1.0\n"
			"This database is made available under the Open Database License.\n"
			"See https://opendatacommons.org/licenses/odbl/1-0/ for its text.\n"
			"Open Data Commons Attribution License\n"
			"Community Data License Agreement - Permissive - Version 2.0\n"
			"Community Data License Agreement \xe2\x80\x93 Sharing, Version 1.0\n"
			"Attribution-NonCommercial-ShareAlike 4.0 International\n"
			"Attribution-NoDerivatives 4.0 International\n"
			"images: https://creativecommons.org/licenses/by-nc/4.0/\n",
			"OpenMDW-1.0 notice 1-1 openmdw\n"
			"ODbL-1.0 notice 2-2 odbl-notice\n"
			"ODbL-1.0 reference 3-3 odbl-url\n"
			"ODC-By-1.0 notice 4-4 odc-by\n"
			"CDLA-Permissive-2.0 notice 5-5 cdla\n"
			"CDLA-Sharing-1.0 notice 6-6 cdla\n"
			"CC-BY-NC-SA-4.0 notice 7-7 cc-title-by-nc-sa\n"
			"CC-BY-ND-4.0 notice 8-8 cc-title-by-nd\n"
			"CC-BY-NC-4.0 reference 9-9 cc-url\n");
}
END_TEST

START_TEST(spdx_data_licence_texts_are_named_once)
{
	static const char *const ids[] = { "CC-BY-NC-SA-4.0", "CC-BY-4.0", "ODbL-1.0", "ODC-By-1.0",
					   "CDLA-Permissive-2.0", "CDLA-Sharing-1.0", "OpenMDW-1.0" };
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const tgpl_license_info *li = tgpl_engine_license(eng, ids[i]);

		ck_assert_msg(li && li->text, "no text for %s", ids[i]);
		assert_expression("LICENSE", li->text, ids[i]);
	}
}
END_TEST

START_TEST(words_that_only_look_like_model_licences_give_nothing)
{
	assert_expression("zoo.txt",
			  "The llama is a domesticated camelid. Gemma Smith wrote the railway\n"
			  "timetable, and a responsible AI policy guides our reviews. The Gemma\n"
			  "terms are on the wiki. Creative Commons is a non-profit.\n",
			  NULL);
}
END_TEST

/* ---- texts by their clause set ---------------------------------------------------------- */

START_TEST(model_licence_texts_are_found_by_their_clause_set)
{
	/* Headings and defined terms only, with our own words between them. */
	assert_licenses("LICENSE",
			"CreativeML Open RAIL-M\n"
			"\n"
			"Section I: PREAMBLE\n"
			"Our summary: the licence defines Complementary Material and Derivatives of the Model.\n"
			"Section II: INTELLECTUAL PROPERTY RIGHTS\n"
			"Section III: CONDITIONS OF USAGE, DISTRIBUTION AND REDISTRIBUTION\n"
			"Use-based restrictions travel with every copy.\n"
			"Section IV: OTHER PROVISIONS\n"
			"Attachment A\n",
			"LicenseRef-CreativeML-OpenRAIL-M text 1-9 creativeml-openrail-m-text 0.89\n");
	assert_licenses("LICENSE",
			"LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n"
			"Llama 3.1 Version Release Date: July 23, 2024\n"
			"Our summary: \"Llama Materials\" are the model and its documentation;\n"
			"1. License Rights and Redistribution.\n"
			"Products must show \"Built with Llama\"; services with more than\n"
			"700 million monthly active users need another licence from Meta Platforms.\n",
			"LicenseRef-Llama-3.1-Community text 1-6 llama-3.1-text 0.88\n");
	assert_licenses("GEMMA-TERMS.md",
			"# Gemma Terms of Use\n"
			"\n"
			"Our summary: Model Derivatives follow the Gemma Prohibited Use Policy, also\n"
			"when offered as a Hosted Service; see ai.google.dev/gemma/terms.\n",
			"LicenseRef-Gemma-Terms text 1-4 gemma-terms-text 0.75\n");
}
END_TEST

START_TEST(a_title_alone_is_a_notice_not_the_text)
{
	assert_licenses("LICENSE", "CreativeML Open RAIL-M\n\nCopyright 2022 Someone.\n",
			"LicenseRef-CreativeML-OpenRAIL-M notice 1-1 creativeml-openrail-m\n");
}
END_TEST

/* ---- Hugging Face cards --------------------------------------------------------------------- */

START_TEST(hugging_face_card_licence_keywords_map_to_ids)
{
	assert_licenses("README.md", "---\nlicense: openrail++\ntags:\n- text-to-image\n---\n# Model\n",
			"LicenseRef-CreativeML-OpenRAIL-PlusPlus-M metadata 2-2 hf-card:license\n");
	assert_licenses("README.md", "---\nlanguage: en\nlicense: llama3.1\n---\n",
			"LicenseRef-Llama-3.1-Community metadata 3-3 hf-card:license\n");
	assert_licenses("README.md", "---\nlicense: \"gemma\"\n---\n",
			"LicenseRef-Gemma-Terms metadata 2-2 hf-card:license\n");
	/* the notice rules read the same line ("cc-by-nc-4.0"): the same id, twice */
	assert_licenses("README.md", "---\nlicense: cc-by-nc-4.0   # images only\n---\n",
			"CC-BY-NC-4.0 reference 2-2 cc-short\n"
			"CC-BY-NC-4.0 metadata 2-2 hf-card:license\n");
	assert_licenses("README.md", "\xef\xbb\xbf---\r\nlicense: odbl\r\n---\r\n",
			"ODbL-1.0 metadata 2-2 hf-card:license\n");
}
END_TEST

START_TEST(hugging_face_card_lists_other_and_unknown)
{
	assert_licenses("README.md", "---\nlicense:\n  - apache-2.0\n  - bigscience-openrail-m\n---\n",
			"Apache-2.0 metadata 3-3 hf-card:license\n"
			"LicenseRef-BigScience-OpenRAIL-M metadata 4-4 hf-card:license\n");
	assert_licenses("README.md", "---\nlicense: [mit, llama2]\n---\n",
			"MIT metadata 2-2 hf-card:license\n"
			"LicenseRef-Llama-2-Community metadata 2-2 hf-card:license\n");
	assert_licenses("README.md", "---\nlicense: other\nlicense_name: llama3.3\nlicense_link: LICENSE\n---\n",
			"LicenseRef-Llama-3.3-Community metadata 3-3 hf-card:license\n");
	assert_licenses("README.md", "---\nlicense: other\nlicense_link: LICENSE\n---\n", "");
	assert_licenses("README.md", "---\nlicense: frobnicate-9\n---\n",
			"- metadata 2-2 hf-card:license (unknown Hugging Face licence 'frobnicate-9')\n");
}
END_TEST

START_TEST(only_a_readme_opening_with_front_matter_is_a_card)
{
	assert_licenses("docs/card.md", "---\nlicense: llama3.1\n---\n", "");
	assert_licenses("README.md", "# Model\n\n---\nlicense: llama3.1\n---\n", "");
	assert_licenses("README.md", "---\ntitle: x\n---\nlicense: llama3.1\n", "");
	assert_licenses("README.md", "---\n  license: llama3.1\n---\n", "");
}
END_TEST

static Suite *ai_suite(void)
{
	Suite *s = suite_create("ai-licenses");
	TCase *tc = tcase_create("ids");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, engine_knows_every_ai_licence_id_with_name_and_category);
	tcase_add_test(tc, a_tag_naming_a_model_licence_is_known_and_clean);
	suite_add_tcase(s, tc);

	tc = tcase_create("notices");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, titles_of_model_licences_are_notices);
	tcase_add_test(tc, licensed_under_a_model_licence_is_a_reference);
	tcase_add_test(tc, standard_notice_lines_are_notices);
	tcase_add_test(tc, data_licence_titles_notices_and_addresses);
	tcase_add_test(tc, spdx_data_licence_texts_are_named_once);
	tcase_add_test(tc, words_that_only_look_like_model_licences_give_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("texts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, model_licence_texts_are_found_by_their_clause_set);
	tcase_add_test(tc, a_title_alone_is_a_notice_not_the_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("hugging-face");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hugging_face_card_licence_keywords_map_to_ids);
	tcase_add_test(tc, hugging_face_card_lists_other_and_unknown);
	tcase_add_test(tc, only_a_readme_opening_with_front_matter_is_a_card);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ai_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
