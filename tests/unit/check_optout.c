/* check_optout.c — training opt-out signals (src/detect/optout.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "detect/detect_int.h"
#include "detect/optout.h"
#include "util/util.h"

/* Run the detector alone on `len` bytes as file `path`; rc in *rcp. */
static tgpl_detection *scan_rc(const struct optout_data *table, const char *path,
			       const char *data, size_t len, int *rcp)
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
	*rcp = detect_optouts_with(&b, table, &t);
	free(lines);
	return b.det;
}

static tgpl_detection *scan(const char *path, const char *data)
{
	int rc;
	tgpl_detection *d = scan_rc(NULL, path, data, strlen(data), &rc);

	ck_assert_int_eq(rc, 0);
	return d;
}

static void hit_is(const tgpl_detection *d, size_t i, const char *kind, uint32_t start,
		   uint32_t end, const char *detail)
{
	const tgpl_optout_hit *h;

	ck_assert_msg(i < d->n_optouts, "hit %zu of %zu", i, d->n_optouts);
	h = &d->optouts[i];
	ck_assert_str_eq(h->kind, kind);
	ck_assert_pstr_eq(h->detail, detail);
	ck_assert_uint_eq(h->start_line, start);
	ck_assert_uint_eq(h->end_line, end);
}

static void no_hits(const char *path, const char *data)
{
	tgpl_detection *d = scan(path, data);

	ck_assert_msg(d->n_optouts == 0, "%s: %zu hits, first %s '%s'", path, d->n_optouts,
		      d->n_optouts ? d->optouts[0].kind : "", d->n_optouts ? d->optouts[0].detail : "");
	tgpl_detection_free(d);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Licence riders: text, detail and lines of the one hit expected. */
static const struct {
	const char *path, *text, *detail;
	uint32_t start, end;
} riders[] = {
	{ "LICENSE", "MIT License\n\nCopyright (c) 2024 A. Author\n\n"
	  "Additional term: this software may not be used to train artificial\n"
	  "intelligence models.\n",
	  "may not be used to train", 5, 6 },
	{ "README.md", "# Project\n\nThe code must not be used for machine learning. Thanks.\n",
	  "must not be used for machine learning", 3, 3 },
	{ "README", "Content policy: this text must not be used for AI training!\n",
	  "must not be used for AI training", 1, 1 },
	{ "NOTICE", "Free to read and share.\nNo AI training.\n", "No AI training", 2, 2 },
	{ "README.txt", "These photos are not for use in AI training datasets, sorry.\n",
	  "not for use in AI training datasets", 1, 1 },
	{ "LICENSE.rider", "The author prohibits the use of this work to train artificial\n"
	  "intelligence models or any other model.\n",
	  "prohibits the use of this work to train", 1, 2 },
	{ "src/main.c", "/*\n * Copyright 2024 Someone.\n *\n * Do not use this code to\n"
	  " * train AI models.\n */\nint main(void) { return 0; }\n",
	  "Do not use this code to train", 4, 5 },
	{ "tool.py", "#!/usr/bin/env python3\n# SPDX-License-Identifier: MIT\n"
	  "# You may not use this software, in whole or in part, for the training of\n"
	  "# machine learning models.\nimport os\n",
	  "You may not use this software, in whole or in part, for the training", 3, 4 },
	{ "lib.rs", "// Use of this source code to train large language models is strictly\n"
	  "// prohibited.\nfn main() {}\n",
	  "Use of this source code to train large language models is strictly prohibited", 1, 2 },
	{ "COPYING", "TRAINING AI MODELS ON THIS WORK IS NOT PERMITTED.\n",
	  "TRAINING AI MODELS ON THIS WORK IS NOT PERMITTED", 1, 1 },
	{ "README.md", "You must not train any AI model on this code without a licence.\n",
	  "must not train any AI model on this code", 1, 1 },
	{ "LICENSE", "The licensor expressly reserves the rights of text and data mining\n"
	  "under Article 4(3) of Directive (EU) 2019/790.\n",
	  "expressly reserves the rights of text and data mining", 1, 2 },
	{ "index.html", "<!doctype html><p>These drawings shall not be used\nto train "
	  "generative AI.</p>\n",
	  "shall not be used to train", 1, 2 },
	{ "doc.txt", "Don\xe2\x80\x99t use this code to train an LLM.\n",
	  "Don't use this code to train", 1, 1 },
	{ "README", "Our models are open. However, this dataset may not be used to train\n"
	  "commercial models.\n",
	  "may not be used to train", 1, 2 },
	{ "README.md", "## Licence\n\nWe do not allow our content to be used for AI training.\n",
	  "do not allow our content to be used for AI training", 3, 3 },
	{ "NOTICE", "No AI training\nAll rights reserved.\n", "No AI training", 1, 2 },
	{ "LICENSE", "The author does not consent to the use of this work for machine learning.\n",
	  "does not consent to the use of this work for machine learning", 1, 1 },
	{ "README", "Do not use this repository or its contents to train any LLM.\n",
	  "Do not use this repository or its contents to train", 1, 1 },
	{ "README", "Not for AI training.\n", "Not for AI training", 1, 1 },
};

/* ---- tdmrep.json ------------------------------------------------------- */

START_TEST(tdmrep_reserved_entries_are_reported_with_their_policy)
{
	static const char json[] =
		"[\n"
		"  {\n"
		"    \"location\": \"/images/*\",\n"
		"    \"tdm-reservation\": 1,\n"
		"    \"tdm-policy\": \"https://example.com/policies/policy.json\"\n"
		"  },\n"
		"  {\"location\": \"/blog/*\", \"tdm-reservation\": 0},\n"
		"  {\"location\": \"/*\", \"tdm-reservation\": 1}\n"
		"]\n";
	tgpl_detection *d = scan("site/.well-known/tdmrep.json", json);

	ck_assert_uint_eq(d->n_optouts, 2);
	hit_is(d, 0, "tdmrep", 2, 6,
	       "location=/images/* policy=https://example.com/policies/policy.json");
	hit_is(d, 1, "tdmrep", 8, 8, "location=/*");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(tdmrep_unreserved_malformed_or_misnamed_gives_nothing)
{
	no_hits("tdmrep.json", "[{\"location\": \"/*\", \"tdm-reservation\": 0}]");
	no_hits("tdmrep.json", "[{\"location\": \"/*\", \"tdm-reservation\": 1}");   /* truncated */
	no_hits("tdmrep.json", "{\"location\": \"/*\", \"tdm-reservation\": 1}");    /* not an array */
	no_hits("tdmrep.json", "[{\"tdm-reservation\": 1}]");                         /* no location */
	no_hits("tdmrep.json", "[1, \"x\", null, [{\"location\": \"/\", \"tdm-reservation\": 1}]]");
	no_hits("other.json", "[{\"location\": \"/*\", \"tdm-reservation\": 1}]");
	no_hits("tdmrep.json", "");
}
END_TEST

START_TEST(tdmrep_reservation_as_string_and_bom_are_read)
{
	tgpl_detection *d = scan("tdmrep.json", "\xef\xbb\xbf[{\"location\":\"/a\",\"tdm-reservation\":\"1\"}]");

	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "tdmrep", 1, 1, "location=/a");
	tgpl_detection_free(d);
}
END_TEST

/* ---- HTML -------------------------------------------------------------- */

START_TEST(html_meta_tdm_reservation_takes_the_policy_wherever_it_is)
{
	static const char html[] =
		"<!DOCTYPE html>\n"
		"<html lang=\"en\">\n"
		"<head>\n"
		"  <meta charset=\"utf-8\">\n"
		"  <meta name=\"tdm-reservation\" content=\"1\">\n"
		"  <meta name=\"tdm-policy\" content=\"https://example.com/tdm/policy.json\">\n"
		"  <title>Docs</title>\n"
		"</head>\n"
		"<body><p>Hello</p></body>\n"
		"</html>\n";
	tgpl_detection *d = scan("docs/index.html", html);

	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "html-meta", 5, 5, "tdm-reservation policy=https://example.com/tdm/policy.json");
	tgpl_detection_free(d);
	no_hits("a.html", "<meta name=\"tdm-reservation\" content=\"0\">");
}
END_TEST

START_TEST(html_meta_noai_in_any_order_quoting_and_case)
{
	static const char html[] =
		"<html><head>\n"
		"<META CONTENT='noai, noimageai' NAME=Robots>\n"
		"<meta\n"
		"   name=\"googlebot\"\n"
		"   content=\"noimageai\" />\n"
		"<meta content=NOAI name=GPTBot>\n"
		"<meta name=\"robots\" content=\"noindex nofollow\">\n"
		"</head></html>\n";
	tgpl_detection *d = scan("page.HTM", html);

	ck_assert_uint_eq(d->n_optouts, 4);
	hit_is(d, 0, "html-meta", 2, 2, "noai");
	hit_is(d, 1, "html-meta", 2, 2, "noimageai");
	hit_is(d, 2, "html-meta", 3, 5, "noimageai");
	hit_is(d, 3, "html-meta", 6, 6, "noai");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(html_words_in_text_comments_scripts_and_attributes_are_not_tags)
{
	static const char html[] =
		"<!doctype html>\n"
		"<html><head>\n"
		"<!-- <meta name=\"robots\" content=\"noai\"> -->\n"
		"<script>var m = '<meta name=\"robots\" content=\"noai\">';</script>\n"
		"<style>/* <meta name=robots content=noai> */</style>\n"
		"<title><meta name=robots content=noai></title>\n"
		"<meta name=\"description\" content=\"noai noimageai\">\n"
		"<meta name=\"robots\" content=\"noairline\">\n"
		"</head><body>\n"
		"<p>Write name=\"robots\" content=\"noai\" in a meta tag.</p>\n"
		"<a title='<meta name=robots content=noai>' href=x>x</a>\n"
		"<pre>&lt;meta name=\"robots\" content=\"noai\"&gt;</pre>\n"
		"</body></html>\n";

	no_hits("index.html", html);
}
END_TEST

START_TEST(html_is_recognised_by_content_and_only_html_is_read)
{
	static const char page[] = "\n  <!DOCTYPE HTML>\n<meta name=robots content=noai>\n";
	static const char xhtml[] = "<?xml version=\"1.0\"?>\n<html xmlns=\"x\">"
				    "<meta name=\"robots\" content=\"noimageai\"/></html>\n";
	tgpl_detection *d = scan("templates/page", page);

	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "html-meta", 3, 3, "noai");
	tgpl_detection_free(d);
	d = scan("x.xml", xhtml);
	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "html-meta", 2, 2, "noimageai");
	tgpl_detection_free(d);
	no_hits("README.md", "# Site\n\n<meta name=\"robots\" content=\"noai\">\n");
}
END_TEST

/* ---- ai.txt ------------------------------------------------------------ */

START_TEST(ai_txt_disallow_all_and_file_types_are_one_hit)
{
	static const char txt[] =
		"# Spawning AI\n"
		"# Prevent datasets from using the following file types\n"
		"\n"
		"User-Agent: *\n"
		"Disallow: *.txt\n"
		"Disallow: *.py\n"
		"Disallow: *.js\n"
		"Disallow: /\n";
	tgpl_detection *d = scan("public/ai.txt", txt);

	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "ai.txt", 4, 8, "/ *.txt *.py *.js");
	tgpl_detection_free(d);
	d = scan("ai.txt", "User-Agent: *\r\nDisallow: *.jpg\r\nDisallow: *.png\r\nAllow: /\r\n");
	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "ai.txt", 1, 4, "*.jpg *.png");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(ai_txt_allow_only_gives_nothing)
{
	no_hits("ai.txt", "# Spawning AI\nUser-Agent: *\nAllow: /\n");
	no_hits("ai.txt", "User-Agent: *\nDisallow:\n");
	no_hits("ai.txt", "User-Agent: *\nDisallow: /\nAllow: /\n");   /* Allow wins a tie */
	no_hits("ai.txt", "Disallow: /\n");                             /* no User-Agent */
	no_hits("notes/ai.md", "User-Agent: *\nDisallow: /\n");
}
END_TEST

/* ---- robots.txt -------------------------------------------------------- */

START_TEST(robots_ai_crawler_groups_give_one_hit_per_crawler)
{
	static const char txt[] =
		"# Block AI training crawlers\n"           /* 1 */
		"User-agent: GPTBot\n"                     /* 2 */
		"Disallow: /\n"                            /* 3 */
		"\n"
		"User-agent: CCBot   # Common Crawl\n"     /* 5 */
		"user-agent: claudebot\n"                  /* 6 */
		"Crawl-delay: 10\n"                        /* 7 */
		"User-Agent: Google-Extended\n"            /* 8 */
		"DISALLOW : /\n"                           /* 9 */
		"\n"
		"User-agent: Googlebot\n"                  /* 11 */
		"Disallow: /\n"                            /* 12 */
		"\n"
		"User-agent: *\n"                          /* 14 */
		"Disallow: /admin/\n"                      /* 15 */
		"Sitemap: https://example.com/sitemap.xml\n";
	tgpl_detection *d = scan("robots.txt", txt);

	ck_assert_uint_eq(d->n_optouts, 4);
	hit_is(d, 0, "robots.txt", 2, 3, "GPTBot");
	hit_is(d, 1, "robots.txt", 5, 9, "CCBot");
	hit_is(d, 2, "robots.txt", 5, 9, "ClaudeBot");
	hit_is(d, 3, "robots.txt", 5, 9, "Google-Extended");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(robots_crlf_versions_and_merged_groups)
{
	static const char txt[] =
		"User-agent: anthropic-ai\r\n"             /* 1 */
		"Disallow: /private/\r\n"                  /* 2 */
		"\r\n"
		"User-agent: GPTBot/1.1\r\n"               /* 4 */
		"Disallow: /*\r\n"                         /* 5 */
		"Allow: /public/\r\n"                      /* 6 */
		"\r\n"
		"User-agent: Anthropic-AI\r\n"             /* 8 */
		"Disallow: /\r\n";                         /* 9 */
	tgpl_detection *d = scan("robots.txt", txt);

	ck_assert_uint_eq(d->n_optouts, 2);
	hit_is(d, 0, "robots.txt", 1, 9, "anthropic-ai");
	hit_is(d, 1, "robots.txt", 4, 6, "GPTBot except: /public/");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(robots_partial_disallow_names_the_paths)
{
	static const char txt[] =
		"User-agent: PerplexityBot\n"
		"Disallow: /drafts/\n"
		"Disallow: /members/*.html$\n"
		"Allow: /\n";
	tgpl_detection *d = scan("static/robots.txt", txt);

	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "robots.txt", 1, 4, "PerplexityBot partial: /drafts/ /members/*.html$");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(robots_star_disallow_all_is_a_general_block)
{
	static const char txt[] =
		"User-agent: Googlebot\n"
		"Allow: /\n"
		"\n"
		"User-agent: *\n"
		"Disallow: /\n";
	tgpl_detection *d = scan("robots.txt", txt);

	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "robots.txt", 4, 5, "* (all crawlers)");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(robots_content_signals_refusing_training_are_reported)
{
	static const char txt[] =
		"# As a condition of accessing this website, you agree to abide by the\n"
		"# following content signals:\n"
		"User-Agent: *\n"                                      /* 3 */
		"Content-Signal: search=yes, ai-train=no\n"           /* 4 */
		"Content-Usage: train-ai=n\n"                         /* 5 */
		"Allow: /\n";
	tgpl_detection *d = scan("robots.txt", txt);

	ck_assert_uint_eq(d->n_optouts, 2);
	hit_is(d, 0, "robots.txt", 4, 4, "Content-Signal: search=yes, ai-train=no");
	hit_is(d, 1, "robots.txt", 5, 5, "Content-Usage: train-ai=n");
	tgpl_detection_free(d);
	no_hits("robots.txt", "User-Agent: *\nContent-Signal: search=yes, ai-input=no, ai-train=yes\n"
		"Content-Usage: train-ai=y\nAllow: /\n");
}
END_TEST

START_TEST(robots_without_an_ai_block_gives_nothing)
{
	no_hits("robots.txt", "User-agent: Googlebot\nDisallow: /\n\nUser-agent: Bingbot\nDisallow: /\n");
	no_hits("robots.txt", "User-agent: *\nDisallow: /admin/\nDisallow: /tmp/\n");
	no_hits("robots.txt", "User-agent: GPTBot\nDisallow:\n");               /* empty: allow all */
	no_hits("robots.txt", "User-agent: GPTBot\nDisallow: /\nAllow: /\n");   /* Allow wins a tie */
	no_hits("robots.txt", "Disallow: /\nUser-agent: GPTBot\n");             /* rule before agent */
	no_hits("robots.txt", "# User-agent: GPTBot\n# Disallow: /\n");
	no_hits("robots.txt", "User-agent: GPTBotX\nDisallow: /\n");
	no_hits("robots.txt", "User-agent: Scrapy\nDisallow: /\n");              /* generic: not listed */
	no_hits("robots.md", "User-agent: GPTBot\nDisallow: /\n");
}
END_TEST

START_TEST(robots_rule_ends_the_agent_list_and_other_lines_do_not)
{
	static const char txt[] =
		"User-agent: Bytespider\n"   /* 1 */
		"Disallow: /a\n"             /* 2 */
		"User-agent: Amazonbot\n"    /* 3: a new group */
		"Disallow: /\n";             /* 4 */
	tgpl_detection *d = scan("robots.txt", txt);

	ck_assert_uint_eq(d->n_optouts, 2);
	hit_is(d, 0, "robots.txt", 1, 2, "Bytespider partial: /a");
	hit_is(d, 1, "robots.txt", 3, 4, "Amazonbot");
	tgpl_detection_free(d);
	d = scan("robots.txt", "User-agent: Kangaroo Bot\nUser-agent: iaskspider/2.0\nDisallow: /\n");
	ck_assert_uint_eq(d->n_optouts, 2);
	hit_is(d, 0, "robots.txt", 1, 3, "Kangaroo Bot");
	hit_is(d, 1, "robots.txt", 1, 3, "iaskspider");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(crawler_table_file_matches_the_builtin_list)
{
	tgpl_ctx *ctx;
	struct optout_data *tab = NULL;
	size_t i, j, n;
	tgpl_detection *d;
	int rc;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(optout_load(&tab, ctx, getenv("TGPL_DATADIR")) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_ptr_nonnull(tab);
	n = optout_crawler_count(tab);
	ck_assert_uint_ge(n, 40);
	ck_assert_uint_eq(n, optout_crawler_count(NULL));
	for (i = 0; i < n; i++) {
		const char *tok = optout_crawler_token(tab, i);

		for (j = 0; j < n; j++)
			if (strcmp(tok, optout_crawler_token(NULL, j)) == 0)
				break;
		ck_assert_msg(j < n, "'%s' is in ai-crawlers.tsv but not built in", tok);
	}
	ck_assert_ptr_null(optout_crawler_token(tab, n));
	d = scan_rc(tab, "robots.txt", "User-agent: Meta-ExternalAgent\nDisallow: /\n", 42, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "robots.txt", 1, 2, "Meta-ExternalAgent");
	tgpl_detection_free(d);
	for (i = 0; i < sizeof(riders) / sizeof(riders[0]); i++) {   /* the JIT-compiled pattern */
		d = scan_rc(tab, riders[i].path, riders[i].text, strlen(riders[i].text), &rc);
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(d->n_optouts, 1);
		hit_is(d, 0, "license-rider", riders[i].start, riders[i].end, riders[i].detail);
		tgpl_detection_free(d);
	}
	optout_free(tab);
	optout_free(NULL);
	tgpl_ctx_free(ctx);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(crawler_table_errors_name_the_line_and_a_missing_file_is_builtin)
{
	char dir[] = "/tmp/check_optout.XXXXXX", path[256];
	static const struct { const char *text, *msg; } bad[] = {
		{ "# c\nGPTBot\tOpenAI\ttraining\nCCBot\tCommon Crawl\n", ":3: expected" },
		{ "GPTBot\tOpenAI\ttraining\tx\n", ":1: expected" },
		{ "GPT<Bot>\tOpenAI\ttraining\n", ":1: bad crawler token" },
		{ "GPTBot\tOpenAI\ttraining\n\ngptbot\tOpenAI\ttraining\n", ":3: crawler 'gptbot' listed twice" },
	};
	struct optout_data *tab = (struct optout_data *)1;
	tgpl_ctx *ctx;
	size_t i;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(optout_load(&tab, ctx, dir), 0);
	ck_assert_ptr_nonnull(tab);
	ck_assert_uint_eq(optout_crawler_count(tab), optout_crawler_count(NULL));
	ck_assert_str_eq(optout_crawler_token(tab, 0), "GPTBot");
	optout_free(tab);
	snprintf(path, sizeof(path), "%s/ai-crawlers.tsv", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tab = NULL;
		write_file(path, bad[i].text);
		ck_assert_int_eq(optout_load(&tab, ctx, dir), TGPL_EDATA);
		ck_assert_ptr_null(tab);
		ck_assert_msg(strstr(tgpl_errmsg(ctx), bad[i].msg), "'%s' lacks '%s'",
			      tgpl_errmsg(ctx), bad[i].msg);
	}
	write_file(path, "Foo-Bot\tFoo\ttraining\r\n");
	ck_assert_int_eq(optout_load(&tab, ctx, dir), 0);
	ck_assert_uint_eq(optout_crawler_count(tab), 1);
	ck_assert_str_eq(optout_crawler_token(tab, 0), "Foo-Bot");
	optout_free(tab);
	unlink(path);
	rmdir(dir);
	tgpl_ctx_free(ctx);
}
END_TEST

/* ---- licence riders ---------------------------------------------------- */

START_TEST(license_rider_phrases_are_found_with_their_sentence)
{
	size_t i;

	for (i = 0; i < sizeof(riders) / sizeof(riders[0]); i++) {
		tgpl_detection *d = scan(riders[i].path, riders[i].text);

		ck_assert_msg(d->n_optouts == 1, "case %zu: %zu hits", i, d->n_optouts);
		ck_assert_msg(strcmp(d->optouts[0].detail, riders[i].detail) == 0,
			      "case %zu: detail '%s'", i, d->optouts[0].detail);
		ck_assert_msg(d->optouts[0].start_line == riders[i].start &&
			      d->optouts[0].end_line == riders[i].end, "case %zu: lines %u-%u", i,
			      d->optouts[0].start_line, d->optouts[0].end_line);
		hit_is(d, 0, "license-rider", riders[i].start, riders[i].end, riders[i].detail);
		tgpl_detection_free(d);
	}
}
END_TEST

START_TEST(license_rider_negations_permissions_and_human_training_give_nothing)
{
	static const char *texts[] = {
		"You may use this code to train models.",
		"Nothing in this licence prohibits training of AI models.",
		"Nothing in this License, however, prohibits the use of this code to train AI models.",
		"This licence does not forbid use for training machine learning models.",
		"The licence doesn't prohibit the use of this work to train AI.",
		"It is not true that the code may not be used for AI training; it may be.",
		"This software may not be used for training courses about AI.",
		"The manual may not be used to train new employees on the model.",
		"Employee training on our AI products is free.",
		"Sign up for the machine learning training course.",
		"The validation set must not be used to train the model.",
		"# do not train the model on the test data, it leaks labels",
		"There is no AI training code in this repository.",
		"We train models and release them under the MIT licence.",
		"This file is about constraints and AI models; trains run on time.",
		"Licensees may use the data to train AI models, without restriction.",
		/* descriptions, not prohibitions */
		"Anthropic says data will not be used to train new Claude models.",
		"Your context cannot be used to train any AI model without your explicit action.",
		"The quotations.txt file SHOULD NOT be used to train models, as it leaks the test set!",
		"Test data is data used to test the model and must not be used to train (fit) it.",
		"This tool is not for training; it is for inference of AI models.",
		"Models trained on this data must not be used for military purposes.",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		tgpl_detection *d = scan("README.md", texts[i]);

		ck_assert_msg(d->n_optouts == 0, "'%s': %zu hits, '%s'", texts[i], d->n_optouts,
			      d->n_optouts ? d->optouts[0].detail : "");
		tgpl_detection_free(d);
	}
}
END_TEST

START_TEST(license_rider_needs_an_ai_word_in_the_file)
{
	/* The prefilter: "train" as a word start and an AI word; no AI word, no rider. */
	no_hits("README", "This manual may not be used to train.\n");
	no_hits("README", "Restrain yourself: the constraint may not be used to strain AI.\n");
}
END_TEST

START_TEST(license_rider_one_hit_per_sentence_and_detail_is_capped)
{
	static const char text[] =
		"This software may not be used to train AI models and must not be used for AI\n"
		"training either.\n"
		"Second: do not use any part of this repository or any of its documentation, in\n"
		"whole or in part,\tdirectly or indirectly, without prior express written\n"
		"permission, for the purposes of AI training; use of this work to train AI is\n"
		"prohibited.\n";
	tgpl_detection *d = scan("LICENSE", text);

	ck_assert_uint_eq(d->n_optouts, 3);
	hit_is(d, 0, "license-rider", 1, 2, "may not be used to train");
	hit_is(d, 1, "license-rider", 3, 5,
	       "do not use any part of this repository or any of its documentation, in whole or "
	       "in part, directly or indirectly,...");
	ck_assert_uint_le(strlen(d->optouts[1].detail), 120);
	hit_is(d, 2, "license-rider", 5, 6, "use of this work to train AI is prohibited");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(detect_optouts_runs_with_an_engine)
{
	tgpl_ctx *ctx;
	tgpl_engine *eng;
	det_builder b;
	text_view t;
	static const char txt[] = "User-agent: GPTBot\nDisallow: /\n";
	static const uint32_t lines[] = { 0, 19 };

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&eng, ctx, getenv("TGPL_DATADIR")) == 0, "engine: %s",
		      tgpl_errmsg(ctx));
	memset(&b, 0, sizeof(b));
	b.det = calloc(1, sizeof(*b.det));
	t.data = txt;
	t.len = strlen(txt);
	t.line_off = lines;
	t.n_lines = 2;
	t.path = "www/robots.txt";
	t.basename = "robots.txt";
	ck_assert_int_eq(detect_optouts(&b, eng, &t), 0);
	ck_assert_uint_eq(b.det->n_optouts, 1);
	hit_is(b.det, 0, "robots.txt", 1, 2, "GPTBot");
	tgpl_detection_free(b.det);
	tgpl_engine_free(eng);
	tgpl_ctx_free(ctx);
}
END_TEST

/* ---- hostile input ----------------------------------------------------- */

static const char *all_names[] = { "tdmrep.json", "robots.txt", "ai.txt", "index.html",
				   "LICENSE" };

START_TEST(hostile_bytes_do_not_crash)
{
	static const char nul[] = "User-agent: GPT\0Bot\nDisallow: /\0\n<meta name=robots\0 content=noai>"
				  "\n[{\"location\":\"\0\",\"tdm-reservation\":1}] may not be\0used to train AI";
	static const char bad[] = "\xff\xfe<meta name=\"robots\" content=\"noai\xc3\">\n"
				  "User-agent: \xc0\xafGPTBot\nDisallow: /\xed\xa0\x80\n"
				  "this code may not be used to train \xf8\x88 AI models\n"
				  "<meta name=\"tdm-reservation\" content=\"1\"><meta name=tdm-policy content=\"\x01\xe2\x82\">\n";
	size_t i;

	for (i = 0; i < sizeof(all_names) / sizeof(all_names[0]); i++) {
		tgpl_detection *d;
		size_t j, k;
		int rc;

		d = scan_rc(NULL, all_names[i], nul, sizeof(nul) - 1, &rc);
		ck_assert_int_eq(rc, 0);
		tgpl_detection_free(d);
		d = scan_rc(NULL, all_names[i], bad, sizeof(bad) - 1, &rc);
		ck_assert_int_eq(rc, 0);
		for (j = 0; j < d->n_optouts; j++) {
			const char *s = d->optouts[j].detail;

			ck_assert_msg(tgpl_utf8_valid(s, strlen(s)), "%s: detail not UTF-8", all_names[i]);
			for (k = 0; s[k]; k++)
				ck_assert_int_ge((unsigned char)s[k], 0x20);
		}
		tgpl_detection_free(d);
	}
}
END_TEST

START_TEST(a_2mb_line_is_read_in_bounded_time)
{
	static const char *units[] = { "train ai ", "<meta name=robots content=noai>",
				       "<a title=\"", "User-agent: GPTBot ", "Disallow: /x ",
				       "[[[[{\"location\":", "may not be used to train AI models, ",
				       "no AI training ", "\xc3(" };
	size_t len = (size_t)2 << 20, u, i;
	char *buf = malloc(len + 1);
	struct optout_data *tab = NULL;
	tgpl_ctx *ctx;

	/* The engine's table, as in production (JIT-compiled pattern) ... */
	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_int_eq(optout_load(&tab, ctx, getenv("TGPL_DATADIR")), 0);
	ck_assert_ptr_nonnull(buf);
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		size_t k = strlen(units[u]);

		for (i = 0; i < len; i++)
			buf[i] = units[u][i % k];
		buf[len] = '\0';
		for (i = 0; i < sizeof(all_names) / sizeof(all_names[0]); i++) {
			double t0 = now();
			tgpl_detection *d;
			int rc;

			/* ... and once without it (the pattern compiled for the blob). */
			d = scan_rc(u == 0 && i == 4 ? NULL : tab, all_names[i], buf, len, &rc);
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_le(d->n_optouts, 256);
			ck_assert_msg(now() - t0 < 10.0, "%s with '%s': %.1f s", all_names[i], units[u],
				      now() - t0);
			tgpl_detection_free(d);
		}
	}
	free(buf);
	optout_free(tab);
	tgpl_ctx_free(ctx);
}
END_TEST

START_TEST(ten_thousand_user_agent_lines_make_one_group)
{
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	double t0;
	int i, rc;

	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(tgpl_buf_printf(&b, "User-agent: %s\n", i % 2 ? "GPTBot" : "SomeBot"), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, "Disallow: /\n"), 0);
	t0 = now();
	d = scan_rc(NULL, "robots.txt", b.ptr, b.len, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(now() - t0 < 5.0, "%.1f s", now() - t0);
	ck_assert_uint_eq(d->n_optouts, 1);
	hit_is(d, 0, "robots.txt", 1, 10001, "GPTBot");
	tgpl_detection_free(d);
	/* 10,000 groups, every AI crawler many times over: merged, one hit each. */
	tgpl_buf_clear(&b);
	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(tgpl_buf_printf(&b, "User-agent: %s\nDisallow: /p%d\n",
						 optout_crawler_token(NULL, (size_t)i % optout_crawler_count(NULL)), i), 0);
	d = scan_rc(NULL, "robots.txt", b.ptr, b.len, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_optouts, optout_crawler_count(NULL));
	ck_assert_msg(strstr(d->optouts[0].detail, "GPTBot partial: /p0 /p46 "), "%s", d->optouts[0].detail);
	ck_assert_uint_le(strlen(d->optouts[0].detail), 200);
	tgpl_detection_free(d);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(deeply_nested_json_and_many_hits_are_capped)
{
	size_t n = 200000, i;
	char *buf = malloc(2 * n + 1);
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	int rc;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < n; i++) {
		buf[i] = '[';
		buf[n + i] = ']';
	}
	buf[2 * n] = '\0';
	d = scan_rc(NULL, "tdmrep.json", buf, 2 * n, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_optouts, 0);
	tgpl_detection_free(d);
	free(buf);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "<meta name=robots content=noai>\n"), 0);
	d = scan_rc(NULL, "x.html", b.ptr, b.len, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_optouts, 256);
	tgpl_detection_free(d);
	tgpl_buf_clear(&b);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "This code may not be used to train AI.\n"), 0);
	d = scan_rc(NULL, "LICENSE", b.ptr, b.len, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d->n_optouts, 32);
	hit_is(d, 31, "license-rider", 32, 32, "may not be used to train");
	tgpl_detection_free(d);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(allocation_failures_return_enomem)
{
	static const struct { const char *path, *text; } cases[] = {
		{ "tdmrep.json", "[{\"location\":\"/\",\"tdm-reservation\":1,\"tdm-policy\":\"u\"}]" },
		{ "robots.txt", "User-agent: GPTBot\nUser-agent: *\nDisallow: /\n" },
		{ "ai.txt", "User-Agent: *\nDisallow: /\n" },
		{ "a.html", "<meta name=robots content=noai><meta name=tdm-reservation content=1>" },
		{ "LICENSE", "This code may not be used to train AI models.\n" },
	};
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		long n;
		int rc, ok = 0;

		for (n = 1; n < 200 && !ok; n++) {
			tgpl_detection *d;

			tgpl_alloc_fail_at(n);
			d = scan_rc(NULL, cases[c].path, cases[c].text, strlen(cases[c].text), &rc);
			tgpl_alloc_fail_at(0);
			ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "%s: rc %d", cases[c].path, rc);
			ok = rc == 0 && n > 1 && d->n_optouts > 0;
			tgpl_detection_free(d);
		}
		ck_assert_msg(ok, "%s never succeeded", cases[c].path);
	}
}
END_TEST

static Suite *optout_suite(void)
{
	Suite *s = suite_create("optout");
	TCase *tf = tcase_create("formats");
	TCase *tr = tcase_create("robots");
	TCase *tl = tcase_create("riders");
	TCase *th = tcase_create("hostile");

	tcase_set_timeout(th, 300);
	tcase_add_test(tf, tdmrep_reserved_entries_are_reported_with_their_policy);
	tcase_add_test(tf, tdmrep_unreserved_malformed_or_misnamed_gives_nothing);
	tcase_add_test(tf, tdmrep_reservation_as_string_and_bom_are_read);
	tcase_add_test(tf, html_meta_tdm_reservation_takes_the_policy_wherever_it_is);
	tcase_add_test(tf, html_meta_noai_in_any_order_quoting_and_case);
	tcase_add_test(tf, html_words_in_text_comments_scripts_and_attributes_are_not_tags);
	tcase_add_test(tf, html_is_recognised_by_content_and_only_html_is_read);
	tcase_add_test(tf, ai_txt_disallow_all_and_file_types_are_one_hit);
	tcase_add_test(tf, ai_txt_allow_only_gives_nothing);
	tcase_add_test(tr, robots_ai_crawler_groups_give_one_hit_per_crawler);
	tcase_add_test(tr, robots_crlf_versions_and_merged_groups);
	tcase_add_test(tr, robots_partial_disallow_names_the_paths);
	tcase_add_test(tr, robots_star_disallow_all_is_a_general_block);
	tcase_add_test(tr, robots_content_signals_refusing_training_are_reported);
	tcase_add_test(tr, robots_without_an_ai_block_gives_nothing);
	tcase_add_test(tr, robots_rule_ends_the_agent_list_and_other_lines_do_not);
	tcase_add_test(tr, crawler_table_file_matches_the_builtin_list);
	tcase_add_test(tr, crawler_table_errors_name_the_line_and_a_missing_file_is_builtin);
	tcase_add_test(tl, license_rider_phrases_are_found_with_their_sentence);
	tcase_add_test(tl, license_rider_negations_permissions_and_human_training_give_nothing);
	tcase_add_test(tl, license_rider_needs_an_ai_word_in_the_file);
	tcase_add_test(tl, license_rider_one_hit_per_sentence_and_detail_is_capped);
	tcase_add_test(tl, detect_optouts_runs_with_an_engine);
	tcase_add_test(th, hostile_bytes_do_not_crash);
	tcase_add_test(th, a_2mb_line_is_read_in_bounded_time);
	tcase_add_test(th, ten_thousand_user_agent_lines_make_one_group);
	tcase_add_test(th, deeply_nested_json_and_many_hits_are_capped);
	tcase_add_test(th, allocation_failures_return_enomem);
	suite_add_tcase(s, tf);
	suite_add_tcase(s, tr);
	suite_add_tcase(s, tl);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(optout_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
