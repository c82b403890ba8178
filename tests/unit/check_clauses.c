/*
 * check_clauses.c — the TGPL clause detector (src/detect/clauses.c,
 * licenses/clauses/): our text and its translations, paraphrases in READMEs,
 * comment headers, lists, tables and riders, clauses implied by a tag, the
 * opt-out clause, what must not fire, hostile input and the loader.
 *
 * Our texts are read at run time from $TGPL_SRCDIR/licenses/tgpl; third-party
 * licence texts come from the engine.  Every other fixture is written here.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect/clauses.h"
#include "detect/detect_int.h"
#include "util/util.h"

static tgpl_ctx *ctx;
static tgpl_engine *eng;

static const char *const tgpl_ids[] = {
	"training-permitted", "weight-release", "data-provenance", "finetune-inheritance",
	"network-use"
};

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

/* A file of the source tree ($TGPL_SRCDIR, else .), NUL-terminated; caller frees. */
static char *read_src(const char *rel)
{
	const char *src = getenv("TGPL_SRCDIR");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", src && *src ? src : ".", rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* a followed by b; caller frees. */
static char *cat(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	return s;
}

static uint32_t count_lines(const char *s)
{
	uint32_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static tgpl_detection *detect(const char *path, const char *text)
{
	tgpl_detection *d = NULL;

	ck_assert_msg(tgpl_detect(&d, ctx, eng, NULL, path, text, strlen(text)) == 0, "%s",
		      tgpl_errmsg(ctx));
	return d;
}

/* The clause hits, one "id kind start-end score" line each (rule left out). */
static char *clauses_of(const tgpl_detection *d)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t i;

	ck_assert_int_eq(tgpl_buf_puts(&b, ""), 0);
	for (i = 0; i < d->n_clauses; i++)
		ck_assert_int_eq(tgpl_buf_printf(&b, "%s %s %u-%u %.2f\n", d->clauses[i].id,
						 d->clauses[i].kind, d->clauses[i].start_line,
						 d->clauses[i].end_line, d->clauses[i].score), 0);
	return tgpl_buf_detach(&b);
}

#define assert_clauses(path, text, want) do { \
		tgpl_detection *d_ = detect((path), (text)); \
		char *got_ = clauses_of(d_); \
		ck_assert_str_eq(got_, (want)); \
		free(got_); \
		tgpl_detection_free(d_); \
	} while (0)

/* The licence-text hit for `id` (borrowed from d); fails the test if there is none. */
static const tgpl_license_hit *text_hit(const tgpl_detection *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->n_licenses; i++)
		if (d->licenses[i].spdx && strcmp(d->licenses[i].spdx, id) == 0 &&
		    d->licenses[i].kind == TGPL_KIND_TEXT)
			return &d->licenses[i];
	ck_abort_msg("no %s text hit", id);
	return NULL;
}

/* The rule of the first clause hit with `id` (borrowed from d), or NULL. */
static const char *rule_of(const tgpl_detection *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->n_clauses; i++)
		if (strcmp(d->clauses[i].id, id) == 0)
			return d->clauses[i].rule;
	return NULL;
}

/*
 * The lines of clause `id` in one of our texts: from its heading
 * ("N. [id] ...") to the last non-blank line before the next numbered heading.
 */
static void section_lines(const char *text, const char *id, uint32_t offset, uint32_t *start,
			  uint32_t *end)
{
	char tag[64];
	const char *p = text;
	uint32_t line = 1, last = 0;
	int in = 0;

	snprintf(tag, sizeof(tag), "[%s]", id);
	*start = *end = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int heading = n > 3 && p[0] >= '0' && p[0] <= '9' && p[1] == '.' && p[2] == ' ';

		if (in && heading) {
			*end = last + offset;
			return;
		}
		if (heading && n > strlen(tag) && memmem(p, n, tag, strlen(tag))) {
			in = 1;
			*start = line + offset;
		}
		if (n > 0)
			last = line;
		if (!nl)
			break;
		p = nl + 1;
		line++;
	}
	ck_abort_msg("clause %s has no following section", id);
}

/* The five text clauses of one of our texts, as clauses_of() prints them. */
static char *text_clauses(const char *text, uint32_t offset)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t k;

	ck_assert_int_eq(tgpl_buf_puts(&b, ""), 0);
	for (k = 0; k < 5; k++) {
		uint32_t s, e;

		section_lines(text, tgpl_ids[k], offset, &s, &e);
		ck_assert_uint_gt(e, s);
		ck_assert_int_eq(tgpl_buf_printf(&b, "%s text %u-%u 1.00\n", tgpl_ids[k], s, e), 0);
	}
	return tgpl_buf_detach(&b);
}

/* ---- our text ---------------------------------------------------------------------- */

START_TEST(rider_text_gives_each_clause_as_text_with_its_section)
{
	char *rider = read_src("licenses/tgpl/TGPL-1.0-rider.txt"), *want = text_clauses(rider, 0);
	tgpl_detection *d = detect("LICENSES/AdditionRef-TGPL-1.0.txt", rider);
	char *got = clauses_of(d);

	ck_assert_str_eq(got, want);
	ck_assert_str_eq(rule_of(d, "weight-release"), "tgpl-weight-release-text");
	ck_assert_uint_eq(d->n_optouts, 0);
	free(got);
	tgpl_detection_free(d);
	free(want);
	free(rider);
}
END_TEST

START_TEST(standalone_licence_gives_the_same_clauses_and_names_itself)
{
	char *text = read_src("licenses/tgpl/TGPL-1.0.txt"), *want = text_clauses(text, 0);
	tgpl_detection *d = detect("LICENSE", text);
	char *got = clauses_of(d);

	ck_assert_str_eq(got, want);
	ck_assert_ptr_nonnull(d->expression);
	ck_assert_str_eq(d->expression, "LicenseRef-TGPL-1.0");
	free(got);
	tgpl_detection_free(d);
	free(want);
	free(text);
}
END_TEST

START_TEST(japanese_translation_gives_each_clause_as_text)
{
	char *text = read_src("licenses/tgpl/TGPL-1.0-rider.ja.txt"), *want = text_clauses(text, 0);
	tgpl_detection *d = detect("LICENSE.ja.txt", text);
	char *got = clauses_of(d);

	ck_assert_str_eq(got, want);
	ck_assert_str_eq(rule_of(d, "network-use"), "tgpl-network-use-text-ja");
	free(got);
	tgpl_detection_free(d);
	free(want);
	free(text);
}
END_TEST

START_TEST(korean_translation_gives_each_clause_as_text)
{
	char *text = read_src("licenses/tgpl/TGPL-1.0-rider.ko.txt"), *want = text_clauses(text, 0);
	tgpl_detection *d = detect("LICENSE.ko.txt", text);
	char *got = clauses_of(d);

	ck_assert_str_eq(got, want);
	ck_assert_str_eq(rule_of(d, "data-provenance"), "tgpl-data-provenance-text-ko");
	free(got);
	tgpl_detection_free(d);
	free(want);
	free(text);
}
END_TEST

START_TEST(rider_after_mit_keeps_the_mit_text_and_adds_the_clauses)
{
	const tgpl_license_info *mit = tgpl_engine_license(eng, "MIT");
	char *rider = read_src("licenses/tgpl/TGPL-1.0-rider.txt"), *head, *text, *want, *got;
	uint32_t mit_lines;
	const tgpl_license_hit *mh;
	tgpl_detection *d;

	ck_assert_ptr_nonnull(mit);
	ck_assert_ptr_nonnull(mit->text);
	head = cat(mit->text, mit->text[strlen(mit->text) - 1] == '\n' ? "\n" : "\n\n");
	mit_lines = count_lines(head);
	text = cat(head, rider);
	want = text_clauses(rider, mit_lines);
	d = detect("LICENSE", text);
	got = clauses_of(d);
	ck_assert_str_eq(got, want);
	mh = text_hit(d, "MIT");
	ck_assert_uint_lt(mh->end_line, mit_lines + 1);
	free(got);
	tgpl_detection_free(d);
	free(want);
	free(text);
	free(head);
	free(rider);
}
END_TEST

/* Replace the first `from` in s by `to`; caller frees. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	tgpl_buf b = TGPL_BUF_INIT;

	ck_assert_msg(p != NULL, "'%s' not in the text", from);
	ck_assert_int_eq(tgpl_buf_put(&b, s, (size_t)(p - s)), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, to), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, p + strlen(from)), 0);
	return tgpl_buf_detach(&b);
}

START_TEST(reworded_sentence_lowers_the_score_and_a_cut_clause_is_missing)
{
	char *rider = read_src("licenses/tgpl/TGPL-1.0-rider.txt"), *a, *cut;
	const char *c5 = strstr(rider, "5. [network-use]"), *c6 = strstr(rider, "6. Relation");
	tgpl_detection *d;
	size_t i;
	int seen_nu = 0;

	ck_assert_ptr_nonnull(c5);
	ck_assert_ptr_nonnull(c6);
	/* clause 2, sentence (c): our words replaced by others */
	a = replace(rider, "(c) be made at no charge, by a means of access that anyone can use;",
		    "(c) be gratis;");
	cut = malloc(strlen(a) + 1);
	ck_assert_ptr_nonnull(cut);
	/* clause 5 cut out */
	{
		const char *p5 = strstr(a, "5. [network-use]"), *p6 = strstr(a, "6. Relation");
		size_t n5 = (size_t)(p5 - a);

		memcpy(cut, a, n5);
		memcpy(cut + n5, p6, strlen(p6) + 1);
	}
	d = detect("LICENSE", cut);
	for (i = 0; i < d->n_clauses; i++) {
		if (strcmp(d->clauses[i].id, "weight-release") == 0) {
			ck_assert_str_eq(d->clauses[i].kind, "text");
			ck_assert_double_eq_tol(d->clauses[i].score, 0.89, 0.001);   /* 8 of 9 */
		} else {
			ck_assert_double_eq_tol(d->clauses[i].score, 1.0, 0.001);
		}
		seen_nu |= strcmp(d->clauses[i].id, "network-use") == 0;
	}
	ck_assert_uint_eq(d->n_clauses, 4);
	ck_assert_int_eq(seen_nu, 0);
	tgpl_detection_free(d);
	free(cut);
	free(a);
	free(rider);
}
END_TEST

/* ---- paraphrases --------------------------------------------------------------------- */

START_TEST(weight_release_in_a_readme_paragraph)
{
	assert_clauses("README.md",
		       "# Licence\n"
		       "\n"
		       "You may train models on this code. If you distribute a model trained on this\n"
		       "code, you must release its weights under the same licence.\n",
		       "training-permitted paraphrase 3-3 0.67\n"
		       "weight-release paraphrase 3-4 1.00\n");
}
END_TEST

START_TEST(weight_release_in_a_line_comment_header)
{
	assert_clauses("src/main.c",
		       "// Copyright 2026 Jane Doe\n"
		       "//\n"
		       "// Models trained on this file are welcome. Whoever trains a neural network on\n"
		       "// it and offers that network to others must publish the learned parameters\n"
		       "// under a copyleft licence, at no charge.\n"
		       "int main(void) { return 0; }\n",
		       "weight-release paraphrase 3-5 0.80\n");
}
END_TEST

START_TEST(list_items_after_a_lead_in_carry_its_duty)
{
	assert_clauses("README.md",
		       "## Conditions for AI training\n"
		       "\n"
		       "If you train a machine-learning model on this repository and share it:\n"
		       "\n"
		       "- release all of its weights under a compatible copyleft licence;\n"
		       "- publish a list of the training data with the source of each file;\n"
		       "- keep fine-tuned versions under the same terms.\n",
		       "weight-release paraphrase 3-5 1.00\n"
		       "data-provenance paraphrase 3-6 1.00\n"
		       "finetune-inheritance paraphrase 7-7 1.00\n");
}
END_TEST

START_TEST(table_rows_each_give_their_clause)
{
	assert_clauses("OBLIGATIONS.md",
		       "| Obligation | What you must do |\n"
		       "|---|---|\n"
		       "| Weights | The weights of any model trained on this work must be released under the same licence. |\n"
		       "| Data | The training data and its sources must be documented, with the licence of each file. |\n"
		       "| Services | Offering the model through an API counts as distribution of it. |\n",
		       "weight-release paraphrase 3-3 0.75\n"
		       "data-provenance paraphrase 4-4 0.67\n"
		       "network-use paraphrase 5-5 0.60\n");
}
END_TEST

START_TEST(data_provenance_in_prose_and_a_hash_comment)
{
	assert_clauses("NOTICE",
		       "Anyone who trains a statistical model on this material and distributes the\n"
		       "model is required to disclose the training data, including where each\n"
		       "document came from and its licence.\n",
		       "data-provenance paraphrase 1-3 1.00\n");
	assert_clauses("data.py",
		       "# This module is free to use for machine learning. In return, if you publish\n"
		       "# a model built from it, you must document the data it was trained on and\n"
		       "# its provenance (repository, commit and path of every file).\n",
		       "data-provenance paraphrase 1-3 1.00\n");
}
END_TEST

START_TEST(finetune_inheritance_in_three_wordings)
{
	assert_clauses("README",
		       "Fine-tuned, merged or distilled models carry the same obligations as the\n"
		       "model they were derived from, and whoever releases them takes those\n"
		       "obligations on in turn.\n",
		       "finetune-inheritance paraphrase 1-2 0.83\n");
	assert_clauses("TERMS.txt",
		       "The same terms apply to any adapter or LoRA trained on top of such a model:\n"
		       "derived models must be released under the same licence.\n",
		       "finetune-inheritance paraphrase 1-2 0.67\n");
	assert_clauses("lib.rs",
		       "/*\n"
		       " * Notice for model builders: models fine-tuned from a network trained on\n"
		       " * this crate are bound by these same conditions, downstream as well.\n"
		       " */\n"
		       "fn main() {}\n",
		       "finetune-inheritance paraphrase 2-3 0.83\n");
}
END_TEST

START_TEST(network_use_in_three_wordings)
{
	assert_clauses("README.md",
		       "Serving a model trained on this code through an API or as a hosted service\n"
		       "counts as distributing it, so the weight release obligation applies too.\n",
		       "network-use paraphrase 1-2 0.80\n");
	assert_clauses("TERMS",
		       "Offering the AI system to users over a network, for example behind an\n"
		       "inference endpoint, is considered distribution of the model under this\n"
		       "licence.\n",
		       "network-use paraphrase 1-3 0.80\n");
	assert_clauses("serve.go",
		       "// If you run the model as a hosted service, you must tell its users where\n"
		       "// to download the weights and the training data record.\n"
		       "package main\n",
		       "network-use paraphrase 1-2 1.00\n");
}
END_TEST

START_TEST(training_permitted_in_three_wordings)
{
	assert_clauses("README.md",
		       "You may use this code to train AI models, subject to the conditions below.\n",
		       "training-permitted paraphrase 1-1 1.00\n");
	assert_clauses("DATA-LICENSE",
		       "This work may be used as training data for machine learning models,\n"
		       "provided that the obligations of the rider are met.\n",
		       "training-permitted paraphrase 1-2 1.00\n");
	assert_clauses("lib.c",
		       "/* Training language models on this library is explicitly permitted, but see\n"
		       " * the conditions in LICENSE. */\n",
		       "training-permitted paraphrase 1-1 1.00\n");
}
END_TEST

START_TEST(paraphrased_rider_after_mit_gives_its_clauses_after_the_mit_text)
{
	const tgpl_license_info *mit = tgpl_engine_license(eng, "MIT");
	static const char rider[] =
		"\n"
		"Additional terms for machine learning\n"
		"\n"
		"You may use the Software as training data. If you train a model on the\n"
		"Software and distribute it, you must release the model weights under the\n"
		"same licence and publish a record of the training data with its sources.\n"
		"Offering such a model through an API counts as distributing it.\n";
	char *head, *text, *got, want[512];
	uint32_t base;
	tgpl_detection *d;

	ck_assert_ptr_nonnull(mit);
	head = cat(mit->text, mit->text[strlen(mit->text) - 1] == '\n' ? "" : "\n");
	text = cat(head, rider);
	base = count_lines(head);   /* the MIT text's last line */
	d = detect("LICENSE", text);
	got = clauses_of(d);
	snprintf(want, sizeof(want),
		 "training-permitted paraphrase %u-%u 0.67\n"
		 "weight-release paraphrase %u-%u 1.00\n"
		 "data-provenance paraphrase %u-%u 1.00\n"
		 "network-use paraphrase %u-%u 0.60\n",
		 base + 4, base + 4, base + 4, base + 6, base + 4, base + 6, base + 7, base + 7);
	ck_assert_str_eq(got, want);
	ck_assert_uint_le(text_hit(d, "MIT")->end_line, base);
	free(got);
	tgpl_detection_free(d);
	free(text);
	free(head);
}
END_TEST

START_TEST(terse_passive_and_list_wordings)
{
	assert_clauses("NOTES.md",
		       "Condition: models trained on this repository must have their checkpoints released publicly.\n",
		       "weight-release paraphrase 1-1 0.75\n");
	assert_clauses("a.c",
		       "/* Whoever trains a language model on this library and deploys it must publish a manifest\n"
		       " * listing every file used for training, with its licence. */\n",
		       "data-provenance paraphrase 1-2 1.00\n");
	assert_clauses("TERMS.md",
		       "- Training: allowed for any AI model.\n"
		       "- Weights: if the model is shared, they must be published under the same licence.\n"
		       "- Data: the training corpus must be documented.\n",
		       "training-permitted paraphrase 1-1 0.67\n"
		       "weight-release paraphrase 2-2 0.50\n"
		       "data-provenance paraphrase 3-3 0.50\n");
	assert_clauses("README.md",
		       "You can use this dataset to train AI models, but models you share must be open-weights.\n",
		       "training-permitted paraphrase 1-1 1.00\n"
		       "weight-release paraphrase 1-1 0.75\n");
}
END_TEST

/* ---- what must not fire ---------------------------------------------------------------- */

/* The clause rules alone (no other detector, so no licence-text filter). */
static size_t raw_clauses(const char *text)
{
	det_builder b;
	text_view t;
	uint32_t *lines;
	size_t len = strlen(text), n = 0, i, count;
	int rc;

	memset(&b, 0, sizeof(b));
	b.det = calloc(1, sizeof(*b.det));
	lines = calloc(len + 1, sizeof(*lines));
	ck_assert_ptr_nonnull(b.det);
	ck_assert_ptr_nonnull(lines);
	if (len)
		lines[n++] = 0;
	for (i = 0; i + 1 < len; i++)
		if (text[i] == '\n')
			lines[n++] = (uint32_t)(i + 1);
	t.data = text;
	t.len = len;
	t.line_off = lines;
	t.n_lines = (uint32_t)n;
	t.path = "x";
	t.basename = "x";
	rc = clauses_detect(&b, eng, engine_clauses(eng), &t);
	ck_assert_int_eq(rc, 0);
	count = b.det->n_clauses;
	for (i = 0; i < count; i++)
		fprintf(stderr, "unexpected: %s %s %u-%u (%s)\n", b.det->clauses[i].id,
			b.det->clauses[i].kind, b.det->clauses[i].start_line,
			b.det->clauses[i].end_line, b.det->clauses[i].rule);
	tgpl_detection_free(b.det);
	free(lines);
	return count;
}

START_TEST(copyleft_and_permissive_licence_texts_hold_no_clause)
{
	static const char *const ids[] = { "AGPL-3.0-only", "GPL-3.0-only", "GPL-2.0-only",
					   "Apache-2.0", "MIT", "LGPL-3.0-only", "MPL-2.0",
					   "CC-BY-SA-4.0", "ODbL-1.0", "CDLA-Sharing-1.0", "OpenMDW-1.0" };
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const tgpl_license_info *li = tgpl_engine_license(eng, ids[i]);

		ck_assert_msg(li && li->text, "no text for %s", ids[i]);
		ck_assert_msg(raw_clauses(li->text) == 0, "%s: the rules fire", ids[i]);
		assert_clauses("LICENSE", li->text, "");
	}
}
END_TEST

START_TEST(agpl_section_13_is_not_network_use)
{
	static const char s13[] =
		"  13. Remote Network Interaction; Use with the GNU General Public License.\n"
		"\n"
		"  Notwithstanding any other provision of this License, if you modify the\n"
		"Program, your modified version must prominently offer all users\n"
		"interacting with it remotely through a computer network (if your version\n"
		"supports such interaction) an opportunity to receive the Corresponding\n"
		"Source of your version by providing access to the Corresponding Source\n"
		"from a network server at no charge, through some standard or customary\n"
		"means of facilitating copying of software.\n";

	ck_assert_uint_eq(raw_clauses(s13), 0);
}
END_TEST

START_TEST(model_card_descriptions_are_not_clauses)
{
	/* A description of what the authors did is not a duty laid on others. */
	ck_assert_uint_eq(raw_clauses(
		"## Model card\n"
		"\n"
		"The model weights are released under the Apache-2.0 licence. The model was\n"
		"trained on a deduplicated crawl of permissively licensed code; the training\n"
		"data is described in the accompanying datasheet. Fine-tuned checkpoints are\n"
		"published on the hub, and the model is also served through our API.\n"), 0);
}
END_TEST

START_TEST(model_licences_with_use_restrictions_are_not_clauses)
{
	/* Our own paraphrases of OpenRAIL, Llama and Gemma provisions. */
	ck_assert_uint_eq(raw_clauses(
		"You agree not to use the Model or Derivatives of the Model to generate\n"
		"disinformation, and you must include these use-based restrictions in any\n"
		"agreement under which you distribute the Model or its fine-tuned versions.\n"
		"Derivatives of the Model must carry the same use restrictions.\n"), 0);
	ck_assert_uint_eq(raw_clauses(
		"If you use the Llama Materials to train or fine-tune an AI model that you\n"
		"distribute, you must include the name of the original model at the start of\n"
		"the new model's name and comply with the Acceptable Use Policy.\n"), 0);
	ck_assert_uint_eq(raw_clauses(
		"Distribution means any transmission of the model or of model derivatives to a\n"
		"third party, including by providing the model as a hosted service via an API.\n"
		"You must pass the Prohibited Use Policy on to anyone you distribute model\n"
		"derivatives to, and model derivatives remain subject to these terms.\n"), 0);
}
END_TEST

START_TEST(negations_and_wishes_are_not_clauses)
{
	ck_assert_uint_eq(raw_clauses(
		"Nothing in this licence requires you to publish weights of a model trained on\n"
		"this code. You are not required to document the training data. Fine-tuned\n"
		"models need not carry the same obligations. There is no obligation to release\n"
		"the parameters under the same licence.\n"), 0);
	ck_assert_uint_eq(raw_clauses(
		"If you train a model on this dataset, we encourage you to publish the weights\n"
		"and to document the training data, but this is optional.\n"), 0);
	ck_assert_uint_eq(raw_clauses(
		"You may not use this code to train AI models.\n"), 0);
}
END_TEST

START_TEST(code_about_weights_and_networks_is_not_a_clause)
{
	ck_assert_uint_eq(raw_clauses(
		"/* After training on this data the caller owns the buffer. */\n"
		"void net_free(struct net *n) { /* the caller must free the weights */ }\n"
		"/* You must pass the parameters to train(); see the API docs. */\n"
		"/* Serving requests over the network counts as one API call. */\n"
		"// the layers must share the weights during training\n"), 0);
}
END_TEST

/* ---- clauses implied by other findings ------------------------------------------------ */

START_TEST(tgpl_addition_in_a_tag_implies_the_five_clauses)
{
	tgpl_detection *d = detect("src/a.c",
				   "// SPDX-FileCopyrightText: 2026 Jane Doe\n"
				   "// SPDX-License-Identifier: MIT WITH AdditionRef-TGPL-1.0\n"
				   "int a;\n");

	{
		char *got = clauses_of(d);

		ck_assert_str_eq(got,
				 "training-permitted reference 2-2 1.00\n"
				 "weight-release reference 2-2 1.00\n"
				 "data-provenance reference 2-2 1.00\n"
				 "finetune-inheritance reference 2-2 1.00\n"
				 "network-use reference 2-2 1.00\n");
		free(got);
	}
	ck_assert_str_eq(d->clauses[0].rule, "spdx-tag");
	ck_assert_str_eq(d->expression, "MIT WITH AdditionRef-TGPL-1.0");
	tgpl_detection_free(d);
}
END_TEST

START_TEST(tgpl_licence_in_a_tag_or_manifest_implies_the_five_clauses)
{
	assert_clauses("b.py", "# SPDX-License-Identifier: LicenseRef-TGPL-1.0\n",
		       "training-permitted reference 1-1 1.00\n"
		       "weight-release reference 1-1 1.00\n"
		       "data-provenance reference 1-1 1.00\n"
		       "finetune-inheritance reference 1-1 1.00\n"
		       "network-use reference 1-1 1.00\n");
	assert_clauses("package.json",
		       "{\n  \"name\": \"x\",\n  \"license\": \"MIT WITH AdditionRef-TGPL-1.0\"\n}\n",
		       "training-permitted reference 3-3 1.00\n"
		       "weight-release reference 3-3 1.00\n"
		       "data-provenance reference 3-3 1.00\n"
		       "finetune-inheritance reference 3-3 1.00\n"
		       "network-use reference 3-3 1.00\n");
	/* other ids, and prose naming the TGPL, imply nothing */
	assert_clauses("c.c", "// SPDX-License-Identifier: MIT\n", "");
}
END_TEST

START_TEST(licence_rider_opt_out_is_the_training_prohibited_clause)
{
	tgpl_detection *d = detect("LICENSE",
				   "Copyright 2026 Jane Doe\n"
				   "\n"
				   "You may copy this code, but do not use this code\n"
				   "to train AI models.\n");
	char *got = clauses_of(d);

	ck_assert_uint_eq(d->n_optouts, 1);
	ck_assert_str_eq(d->optouts[0].kind, "license-rider");
	ck_assert_str_eq(got, "training-prohibited paraphrase 3-4 1.00\n");
	ck_assert_uint_eq(d->optouts[0].start_line, 3);
	ck_assert_uint_eq(d->optouts[0].end_line, 4);
	ck_assert_str_eq(d->clauses[0].rule, "optout:license-rider");
	free(got);
	tgpl_detection_free(d);
}
END_TEST

/* ---- hostile input ----------------------------------------------------------------------- */

START_TEST(file_without_keywords_gives_nothing)
{
	assert_clauses("a.c", "int main(void) { return 0; }\n", "");
	assert_clauses("empty", "", "");
	assert_clauses("blank", "\n\n\n", "");
}
END_TEST

START_TEST(invalid_utf8_and_long_lines_do_not_break_matching)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t i;

	ck_assert_int_eq(tgpl_buf_puts(&b, "\xff\xfe garbage \xc3\x28 \xe3\x80\n"), 0);
	for (i = 0; i < 200000; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "weights "), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, "\nIf you distribute a model trained on this code, you must\n"
				      "release its weights under the same licence.\n"), 0);
	assert_clauses("x.txt", b.ptr, "weight-release paraphrase 3-4 1.00\n");
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(large_file_is_read_at_both_ends)
{
	static const char clause[] =
		"If you distribute a model trained on this code, you must release its weights\n"
		"under the same licence.\n";
	tgpl_buf b = TGPL_BUF_INIT;
	char want[128];
	uint32_t lines = 0;
	size_t i;

	ck_assert_int_eq(tgpl_buf_puts(&b, clause), 0);
	lines += 2;
	for (i = 0; b.len < 3 * CLAUSES_SCAN_HALF / 2; i++, lines++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "int filler_line_of_code_without_any_keyword;\n"), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, clause), 0);   /* in the middle: not read */
	lines += 2;
	for (; b.len < 3 * CLAUSES_SCAN_HALF; lines++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "int filler_line_of_code_without_any_keyword;\n"), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, clause), 0);
	snprintf(want, sizeof(want), "weight-release paraphrase 1-2 1.00\nweight-release paraphrase %u-%u 1.00\n",
		 lines + 1, lines + 2);
	assert_clauses("big.c", b.ptr, want);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(hits_per_file_are_capped)
{
	tgpl_buf b = TGPL_BUF_INIT;
	tgpl_detection *d;
	size_t i;

	for (i = 0; i < 500; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "If you distribute a model trained on this code, you must "
					      "release its weights under the same licence.\n\n"), 0);
	d = detect("many.txt", b.ptr);
	ck_assert_uint_le(d->n_clauses, CLAUSES_MAX_HITS);
	ck_assert_uint_gt(d->n_clauses, 10);
	tgpl_detection_free(d);
	tgpl_buf_release(&b);
}
END_TEST

/* ---- loading --------------------------------------------------------------------------- */

/* A fresh directory holding one rule file with `text`; caller removes it with drop_dir(). */
static char *dir_with(const char *text)
{
	char tmpl[] = "/tmp/check_clauses.XXXXXX", path[4200];
	char *dir = mkdtemp(tmpl);
	FILE *f;

	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof(path), "%s/50-test.rules", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	fclose(f);
	return strdup(dir);
}

static void drop_dir(char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/50-test.rules", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* Loading `text` fails with TGPL_EDATA and a message holding `want`. */
static void assert_load_error(const char *text, const char *want)
{
	char *dir = dir_with(text);
	struct clause_data *cd = NULL;
	int rc = clauses_load_dir(&cd, ctx, dir);

	ck_assert_int_eq(rc, TGPL_EDATA);
	ck_assert_ptr_null(cd);
	ck_assert_msg(strstr(tgpl_errmsg(ctx), want) != NULL, "message '%s' lacks '%s'",
		      tgpl_errmsg(ctx), want);
	ck_assert_msg(strstr(tgpl_errmsg(ctx), "50-test.rules:") != NULL, "no file:line in '%s'",
		      tgpl_errmsg(ctx));
	drop_dir(dir);
}

START_TEST(load_errors_name_file_line_and_problem)
{
	assert_load_error("rule: a\nclause: weight-release\nkind: paraphrase\nkeys: weight\n"
			  "pattern: (unclosed\nnote: x\n", "50-test.rules:5: bad pattern");
	assert_load_error("rule: a\nclause: weight-release\nkind: paraphrase\nkeys: weight\n"
			  "pattern: %nowhere%\nnote: x\n", "unknown define 'nowhere'");
	assert_load_error("rule: a\nclause: no-such-clause\nkind: paraphrase\nkeys: weight\n"
			  "pattern: x\nnote: x\n", "unknown clause id 'no-such-clause'");
	assert_load_error("rule: a\nclause: weight-release\nkind: paraphrase\nkeys: two words\n"
			  "pattern: x\nnote: x\n", "without white space");
	assert_load_error("rule: a\nclause: weight-release\nkind: paraphrase\nkeys: weight\n"
			  "pattern: x\nslot: s y\nrequire: t\nnote: x\n", "require names no slot 't'");
	assert_load_error("rule: a\nclause: weight-release\nspdx: MIT\nkind: text\nkeys: weight\n"
			  "pattern: x\nnote: x\n", "needs one of 'clause' and 'spdx'");
	assert_load_error("rule: a\nclause: weight-release\nkind: paraphrase\nkeys: weight\nnote: x\n",
			  "has no 'pattern' field");
	assert_load_error("rule: a\nclause: weight-release\nkind: paraphrase\nkeys: weight\n"
			  "pattern: x\nmin: 2\nnote: x\n", "min must be a number from 0 to 1");
	assert_load_error("define: d\npattern: x\nnote: x\ndefine: d\npattern: y\nnote: y\n",
			  "duplicate define 'd'");
	assert_load_error("  continued\n", "continuation line outside a field");
}
END_TEST

START_TEST(defines_expand_and_continuations_join_with_one_space)
{
	char *dir = dir_with("define: w\npattern: weights|parameters\nnote: x\n\n"
			     "rule: a\nclause: weight-release\nkind: paraphrase\nkeys: weight, parameter\n"
			     "pattern: publish the\n  %w% now\nnote: x\n");
	struct clause_data *cd = NULL;
	det_builder b;
	text_view t;
	static const uint32_t lines[] = { 0 };
	static const char text[] = "We publish the PARAMETERS now.";
	clause_rule_info ri;

	ck_assert_msg(clauses_load_dir(&cd, ctx, dir) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_uint_eq(clauses_rule_count(cd), 1);
	ck_assert_int_eq(clauses_rule_info(cd, 0, &ri), 0);
	ck_assert_str_eq(ri.target, "weight-release");
	ck_assert_str_eq(ri.kind, "paraphrase");
	ck_assert_uint_eq(ri.line, 5);
	memset(&b, 0, sizeof(b));
	b.det = calloc(1, sizeof(*b.det));
	ck_assert_ptr_nonnull(b.det);
	t.data = text;
	t.len = sizeof(text) - 1;
	t.line_off = lines;
	t.n_lines = 1;
	t.path = t.basename = "x";
	ck_assert_int_eq(clauses_detect(&b, eng, cd, &t), 0);
	ck_assert_uint_eq(b.det->n_clauses, 1);
	ck_assert_str_eq(b.det->clauses[0].rule, "a");
	ck_assert_double_eq_tol(b.det->clauses[0].score, 1.0, 1e-9);
	tgpl_detection_free(b.det);
	clauses_free(cd);
	drop_dir(dir);
}
END_TEST

START_TEST(every_installed_rule_names_a_clause_or_a_known_licence)
{
	const struct clause_data *cd = engine_clauses(eng);
	size_t i, per_clause[5] = { 0 };

	ck_assert_uint_gt(clauses_rule_count(cd), 20);
	for (i = 0; i < clauses_rule_count(cd); i++) {
		clause_rule_info ri;
		size_t k;

		ck_assert_int_eq(clauses_rule_info(cd, i, &ri), 0);
		if (ri.is_license) {
			ck_assert_msg(tgpl_engine_license(eng, ri.target) != NULL,
				      "%s:%u: rule %s names unknown licence '%s'", ri.file, ri.line, ri.id,
				      ri.target);
			continue;
		}
		for (k = 0; k < 5; k++)
			per_clause[k] += strcmp(ri.target, tgpl_ids[k]) == 0;
	}
	/* each clause: text in three languages, and paraphrases */
	for (i = 0; i < 5; i++)
		ck_assert_msg(per_clause[i] >= 4, "%s has %zu rules", tgpl_ids[i], per_clause[i]);
	ck_assert_int_eq(clauses_rule_info(cd, clauses_rule_count(cd), NULL), TGPL_ENOTFOUND);
}
END_TEST

START_TEST(missing_directory_is_an_error)
{
	struct clause_data *cd = NULL;

	ck_assert_int_eq(clauses_load_dir(&cd, ctx, "/nonexistent/clauses"), TGPL_EDATA);
	ck_assert_ptr_null(cd);
	ck_assert_ptr_nonnull(strstr(tgpl_errmsg(ctx), "/nonexistent/clauses"));
}
END_TEST

START_TEST(detection_survives_allocation_failures)
{
	static const char text[] =
		"// SPDX-License-Identifier: MIT WITH AdditionRef-TGPL-1.0\n"
		"// If you distribute a model trained on this code, you must release its\n"
		"// weights under the same licence. Do not use this code to train AI models.\n";
	long n;
	int rc = -1;

	for (n = 1; n < 5000; n++) {
		tgpl_detection *d = NULL;

		tgpl_alloc_fail_at(n);
		rc = tgpl_detect(&d, ctx, eng, NULL, "a.c", text, sizeof(text) - 1);
		tgpl_alloc_fail_at(0);
		ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "rc %d at %ld", rc, n);
		if (rc == 0) {
			ck_assert_uint_eq(d->n_clauses, 7);
			tgpl_detection_free(d);
			break;
		}
		ck_assert_ptr_null(d);
	}
	ck_assert_int_eq(rc, 0);
}
END_TEST

START_TEST(loading_survives_allocation_failures)
{
	const char *datadir = getenv("TGPL_DATADIR");
	long n;
	int rc = -1;

	ck_assert_ptr_nonnull(datadir);
	for (n = 1; n < 200000; n++) {
		struct clause_data *cd = NULL;

		tgpl_alloc_fail_at(n);
		rc = clauses_load(&cd, ctx, datadir);
		tgpl_alloc_fail_at(0);
		ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "rc %d at %ld: %s", rc, n, tgpl_errmsg(ctx));
		if (rc == 0) {
			ck_assert_uint_eq(clauses_rule_count(cd), clauses_rule_count(engine_clauses(eng)));
			clauses_free(cd);
			break;
		}
		ck_assert_ptr_null(cd);
	}
	ck_assert_int_eq(rc, 0);
}
END_TEST

static Suite *clauses_suite(void)
{
	Suite *s = suite_create("clauses");
	TCase *tc = tcase_create("text");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rider_text_gives_each_clause_as_text_with_its_section);
	tcase_add_test(tc, standalone_licence_gives_the_same_clauses_and_names_itself);
	tcase_add_test(tc, japanese_translation_gives_each_clause_as_text);
	tcase_add_test(tc, korean_translation_gives_each_clause_as_text);
	tcase_add_test(tc, rider_after_mit_keeps_the_mit_text_and_adds_the_clauses);
	tcase_add_test(tc, reworded_sentence_lowers_the_score_and_a_cut_clause_is_missing);
	suite_add_tcase(s, tc);

	tc = tcase_create("paraphrase");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, weight_release_in_a_readme_paragraph);
	tcase_add_test(tc, weight_release_in_a_line_comment_header);
	tcase_add_test(tc, list_items_after_a_lead_in_carry_its_duty);
	tcase_add_test(tc, table_rows_each_give_their_clause);
	tcase_add_test(tc, data_provenance_in_prose_and_a_hash_comment);
	tcase_add_test(tc, finetune_inheritance_in_three_wordings);
	tcase_add_test(tc, network_use_in_three_wordings);
	tcase_add_test(tc, training_permitted_in_three_wordings);
	tcase_add_test(tc, paraphrased_rider_after_mit_gives_its_clauses_after_the_mit_text);
	tcase_add_test(tc, terse_passive_and_list_wordings);
	suite_add_tcase(s, tc);

	tc = tcase_create("negatives");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, copyleft_and_permissive_licence_texts_hold_no_clause);
	tcase_add_test(tc, agpl_section_13_is_not_network_use);
	tcase_add_test(tc, model_card_descriptions_are_not_clauses);
	tcase_add_test(tc, model_licences_with_use_restrictions_are_not_clauses);
	tcase_add_test(tc, negations_and_wishes_are_not_clauses);
	tcase_add_test(tc, code_about_weights_and_networks_is_not_a_clause);
	suite_add_tcase(s, tc);

	tc = tcase_create("implied");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tgpl_addition_in_a_tag_implies_the_five_clauses);
	tcase_add_test(tc, tgpl_licence_in_a_tag_or_manifest_implies_the_five_clauses);
	tcase_add_test(tc, licence_rider_opt_out_is_the_training_prohibited_clause);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, file_without_keywords_gives_nothing);
	tcase_add_test(tc, invalid_utf8_and_long_lines_do_not_break_matching);
	tcase_add_test(tc, large_file_is_read_at_both_ends);
	tcase_add_test(tc, hits_per_file_are_capped);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, load_errors_name_file_line_and_problem);
	tcase_add_test(tc, defines_expand_and_continuations_join_with_one_space);
	tcase_add_test(tc, every_installed_rule_names_a_clause_or_a_known_licence);
	tcase_add_test(tc, missing_directory_is_an_error);
	tcase_add_test(tc, detection_survives_allocation_failures);
	tcase_add_test(tc, loading_survives_allocation_failures);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(clauses_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
