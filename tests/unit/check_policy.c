/*
 * check_policy.c — the policy file parser (inih underneath), how a policy
 * decides an action, the shipped policies, the licence model's tables
 * (categories.tsv, obligations.tsv), the SPDX expression chooser and SWHID
 * qualifier escaping.  Library-level: no database, no binary.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obligations/obl_int.h"
#include "tgpl.h"
#include "tgpl/obligations.h"

static tgpl_ctx *ctx;

static void setup(void)
{
	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
}

static void teardown(void)
{
	tgpl_ctx_free(ctx);
	ctx = NULL;
}

static tgpl_policy *parse_ok(const char *text)
{
	tgpl_policy *p = NULL;
	int rc = tgpl_policy_parse(&p, ctx, "p.ini", text, strlen(text));

	ck_assert_msg(rc == 0, "parse failed: %s", tgpl_errmsg(ctx));
	return p;
}

/* "action rule" for one piece of evidence. */
static void assert_action(const tgpl_policy *p, tgpl_obligation_id obl, const char *license,
			  const char *category, const char *want)
{
	const char *rule = NULL;
	tgpl_action a = obl_policy_action(p, obl, license, category ? obl_category_from_name(category) : -1,
					  &rule);
	char got[256];

	snprintf(got, sizeof(got), "%s %s", tgpl_action_name(a), rule);
	ck_assert_msg(strcmp(got, want) == 0, "%s/%s/%s: got <%s>, want <%s>",
		      tgpl_obligation_name(obl), license ? license : "-", category ? category : "-",
		      got, want);
}

static const char *src_dir(void)
{
	const char *src = getenv("TGPL_SRCDIR");
	ck_assert_msg(src && *src, "TGPL_SRCDIR is not set");
	return src;
}

/* ---- parsing and deciding ------------------------------------------------------ */

START_TEST(full_policy_sets_every_kind_of_rule)
{
	tgpl_policy *p = parse_ok("[policy]\nname = mine\ndescription = a test\ndefault = deny\n"
				  "[obligations]\nattribution = allow\nsource-copyleft = review\n"
				  "[categories]\npermissive = allow\ncopyleft = review\n"
				  "[licenses]\nGPL-2.0-only = allow\n"
				  "[conflicts]\nweight-release+non-commercial = deny\n");
	const char *rule;

	ck_assert_str_eq(tgpl_policy_name(p), "mine");
	ck_assert_str_eq(p->description, "a test");
	assert_action(p, TGPL_OBL_ATTRIBUTION, "MIT", "permissive", "allow obligations.attribution");
	assert_action(p, TGPL_OBL_SOURCE_COPYLEFT, "GPL-3.0-only", "copyleft",
		      "review obligations.source-copyleft");
	assert_action(p, TGPL_OBL_SOURCE_COPYLEFT, "gpl-2.0-ONLY", "copyleft",
		      "allow licenses.GPL-2.0-only");
	assert_action(p, TGPL_OBL_NO_LICENSE, NULL, NULL, "deny policy.default");
	ck_assert_int_eq(obl_policy_conflict(p, OBL_CONFLICT_NON_COMMERCIAL, &rule), TGPL_ACTION_DENY);
	ck_assert_str_eq(rule, "conflicts.weight-release+non-commercial");
	ck_assert_int_eq(obl_policy_conflict(p, OBL_CONFLICT_RIDER, &rule), TGPL_ACTION_REVIEW);
	ck_assert_str_eq(rule, "review by default");
	tgpl_policy_free(p);
}
END_TEST

START_TEST(stricter_of_category_and_obligation_wins_unless_a_licence_rule_decides)
{
	tgpl_policy *p = parse_ok("[categories]\nnon-commercial = deny\npermissive = allow\n"
				  "[obligations]\nattribution = allow\nnon-commercial = review\n"
				  "[licenses]\nCC-BY-NC-4.0 = review\n");

	assert_action(p, TGPL_OBL_ATTRIBUTION, "CC-BY-NC-3.0", "non-commercial",
		      "deny categories.non-commercial");
	assert_action(p, TGPL_OBL_NON_COMMERCIAL, "CC-BY-NC-3.0", "non-commercial",
		      "deny categories.non-commercial");
	assert_action(p, TGPL_OBL_ATTRIBUTION, "CC-BY-NC-4.0", "non-commercial",
		      "review licenses.CC-BY-NC-4.0");
	/* A tie names the obligation rule. */
	assert_action(p, TGPL_OBL_ATTRIBUTION, "MIT", "permissive", "allow obligations.attribution");
	/* Only the obligation rule: it alone decides. */
	assert_action(p, TGPL_OBL_NON_COMMERCIAL, NULL, NULL, "review obligations.non-commercial");
	tgpl_policy_free(p);
}
END_TEST

START_TEST(default_applies_where_no_rule_does_and_is_review_unless_set)
{
	tgpl_policy *p = parse_ok("[policy]\nname = x\n");

	assert_action(p, TGPL_OBL_WEIGHT_RELEASE, NULL, NULL, "review policy.default");
	assert_action(p, TGPL_OBL_ATTRIBUTION, "MIT", "permissive", "review policy.default");
	tgpl_policy_free(p);
	p = parse_ok("[policy]\ndefault = allow\n");
	assert_action(p, TGPL_OBL_WEIGHT_RELEASE, NULL, NULL, "allow policy.default");
	tgpl_policy_free(p);
}
END_TEST

START_TEST(name_defaults_to_the_file_base_name)
{
	tgpl_policy *p = NULL;
	const char *text = "[obligations]\nattribution = allow\n";

	ck_assert_int_eq(tgpl_policy_parse(&p, ctx, "/etc/tgpl/corp-rules.ini", text, strlen(text)), 0);
	ck_assert_str_eq(tgpl_policy_name(p), "corp-rules");
	tgpl_policy_free(p);
}
END_TEST

START_TEST(comments_indentation_quotes_and_crlf_are_accepted)
{
	tgpl_policy *p = parse_ok("; a comment\r\n# another\r\n\r\n  [obligations]\r\n"
				  "    attribution = \"allow\"   # TOML-style comment\r\n"
				  "\tnon-commercial = deny ; inline comment\r\n"
				  "[check]\nmissing-header = \"off\"\nignore = [\"tests/*\"]\n");

	assert_action(p, TGPL_OBL_ATTRIBUTION, NULL, NULL, "allow obligations.attribution");
	assert_action(p, TGPL_OBL_NON_COMMERCIAL, NULL, NULL, "deny obligations.non-commercial");
	tgpl_policy_free(p);
}
END_TEST

START_TEST(malformed_policies_are_refused_naming_file_and_line)
{
	static const char *const cases[][2] = {
		{ "[policy]\nname = x\n[obligation]\nattribution = allow\n",
		  "p.ini:3: unknown section [obligation] (expected policy, obligations, categories, "
		  "licenses or conflicts)" },
		{ "[policy]\n[bogus]\n",
		  "p.ini:2: unknown section [bogus] (expected policy, obligations, categories, "
		  "licenses or conflicts)" },
		{ "attribution = allow\n", "p.ini:1: 'attribution' outside a section: start with [policy]" },
		{ "[obligations]\n\nattribution = maybe\n",
		  "p.ini:3: attribution: 'maybe' is not allow, review or deny" },
		{ "[obligations]\nflying = allow\n", "p.ini:2: unknown obligation 'flying'" },
		{ "[categories]\nfree = allow\n", "p.ini:2: unknown licence category 'free'" },
		{ "[conflicts]\nweight-release+mit = deny\n", "p.ini:2: unknown conflict 'weight-release+mit'" },
		{ "[obligations]\nattribution = allow\nattribution = deny\n",
		  "p.ini:3: obligation 'attribution' given twice" },
		{ "[licenses]\nMIT = allow\nmit = deny\n", "p.ini:3: licence 'mit' given twice" },
		{ "[licenses]\nM I T = allow\n", "p.ini:2: 'M I T' is not a licence id" },
		{ "[policy]\nname = a\nname = b\n", "p.ini:3: 'name' given twice" },
		{ "[policy]\ncolour = blue\n",
		  "p.ini:2: unknown key 'colour' in [policy] (expected name, description, default)" },
		{ "[policy]\ndefault = maybe\n", "p.ini:2: default: 'maybe' is not allow, review or deny" },
		{ "[obligations]\nattribution\n", "p.ini:2: expected '[section]' or 'key = value'" },
		{ "[obligations\nattribution = allow\n", "p.ini:1: expected '[section]' or 'key = value'" },
		{ "[obligations]\nattribution =\n", "p.ini:2: 'attribution' has no value" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tgpl_policy *p = NULL;
		int rc = tgpl_policy_parse(&p, ctx, "p.ini", cases[i][0], strlen(cases[i][0]));

		ck_assert_msg(rc == TGPL_EINVAL, "case %zu: rc %d", i, rc);
		ck_assert_ptr_null(p);
		ck_assert_msg(strcmp(tgpl_errmsg(ctx), cases[i][1]) == 0, "case %zu:\n got  <%s>\n want <%s>",
			      i, tgpl_errmsg(ctx), cases[i][1]);
	}
}
END_TEST

START_TEST(long_lines_and_nul_bytes_are_refused_with_their_line)
{
	char text[1024];
	tgpl_policy *p = NULL;
	static const char nul[] = "[policy]\nname = a\0b\n";

	/* "description = " is 14 bytes: 185 more make the longest line inih takes. */
	snprintf(text, sizeof(text), "[policy]\n\ndescription = %0185d\n", 7);
	ck_assert_msg(tgpl_policy_parse(&p, ctx, "p.ini", text, strlen(text)) == 0, "%s",
		      tgpl_errmsg(ctx));
	ck_assert_uint_eq(strlen(p->description), 185);
	tgpl_policy_free(p);
	p = NULL;
	snprintf(text, sizeof(text), "[policy]\n\ndescription = %0186d\n", 7);
	ck_assert_int_eq(tgpl_policy_parse(&p, ctx, "p.ini", text, strlen(text)), TGPL_EINVAL);
	ck_assert_str_eq(tgpl_errmsg(ctx), "p.ini:3: line longer than 199 bytes");
	ck_assert_int_eq(tgpl_policy_parse(&p, ctx, "p.ini", nul, sizeof(nul) - 1), TGPL_EINVAL);
	ck_assert_str_eq(tgpl_errmsg(ctx), "p.ini:2: NUL byte in the line");
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(oversized_or_missing_policy_files_are_refused)
{
	size_t n = ((size_t)1 << 20) + 1;
	char *big = malloc(n);
	tgpl_policy *p = NULL;

	ck_assert_ptr_nonnull(big);
	memset(big, ';', n);
	ck_assert_int_eq(tgpl_policy_parse(&p, ctx, "big.ini", big, n), TGPL_ETOOBIG);
	ck_assert_str_eq(tgpl_errmsg(ctx), "big.ini: larger than 1048576 bytes");
	free(big);
	ck_assert_int_eq(tgpl_policy_load(&p, ctx, "/nonexistent/x.ini"), TGPL_ENOTFOUND);
	ck_assert_str_eq(tgpl_errmsg(ctx),
			 "cannot open policy '/nonexistent/x.ini': No such file or directory");
	ck_assert_int_eq(tgpl_policy_load_shipped(&p, ctx, "/nonexistent", "Bad/Name"), TGPL_EINVAL);
	ck_assert_str_eq(tgpl_errmsg(ctx), "'Bad/Name' is not a policy name");
	ck_assert_int_eq(tgpl_policy_load_shipped(&p, ctx, "/nonexistent", "nope"), TGPL_ENOTFOUND);
	ck_assert_str_eq(tgpl_errmsg(ctx),
			 "no shipped policy 'nope' (looked for '/nonexistent/policies/nope.ini')");
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(built_in_default_allows_attribution_and_permissive_only)
{
	tgpl_policy *p = NULL;

	ck_assert_int_eq(tgpl_policy_default(&p, ctx), 0);
	ck_assert_str_eq(tgpl_policy_name(p), "default");
	assert_action(p, TGPL_OBL_ATTRIBUTION, "MIT", "permissive", "allow obligations.attribution");
	assert_action(p, TGPL_OBL_ATTRIBUTION, "GPL-2.0-only", "copyleft", "allow obligations.attribution");
	assert_action(p, TGPL_OBL_SOURCE_COPYLEFT, "GPL-2.0-only", "copyleft", "review policy.default");
	tgpl_policy_free(p);
}
END_TEST

START_TEST(shipped_policies_parse_and_name_every_obligation_category_and_conflict)
{
	static const char *const names[] = { "permissive-only", "tgpl-accepting", "research-only" };
	size_t i;
	int k;

	for (i = 0; i < 3; i++) {
		char path[4096];
		tgpl_policy *p = NULL;

		snprintf(path, sizeof(path), "%s/licenses/policies/%s.ini", src_dir(), names[i]);
		ck_assert_msg(tgpl_policy_load(&p, ctx, path) == 0, "%s", tgpl_errmsg(ctx));
		ck_assert_str_eq(tgpl_policy_name(p), names[i]);
		ck_assert_msg(p->description != NULL, "%s has no description", names[i]);
		ck_assert_msg(p->def >= 0, "%s has no default", names[i]);
		for (k = 0; k < TGPL_OBL__COUNT; k++)
			ck_assert_msg(p->obligations[k] >= 0, "%s: no rule for obligation %s", names[i],
				      tgpl_obligation_name((tgpl_obligation_id)k));
		for (k = 0; k < OBL_CAT__COUNT; k++)
			ck_assert_msg(p->categories[k] >= 0, "%s: no rule for category %s", names[i],
				      obl_category_name(k));
		for (k = 0; k < OBL_CONFLICT__COUNT; k++)
			ck_assert_msg(p->conflicts[k] >= 0, "%s: no rule for conflict %s", names[i],
				      obl_conflict_name(k));
		tgpl_policy_free(p);
	}
}
END_TEST

START_TEST(shipped_policies_decide_the_model_cases_as_documented)
{
	char path[4096];
	tgpl_policy *p = NULL;

	snprintf(path, sizeof(path), "%s/licenses/policies/permissive-only.ini", src_dir());
	ck_assert_int_eq(tgpl_policy_load(&p, ctx, path), 0);
	assert_action(p, TGPL_OBL_ATTRIBUTION, "MIT", "permissive", "allow obligations.attribution");
	assert_action(p, TGPL_OBL_SOURCE_COPYLEFT, "GPL-3.0-only", "copyleft",
		      "deny obligations.source-copyleft");
	assert_action(p, TGPL_OBL_UNKNOWN_LICENSE, "Foo", NULL, "review obligations.unknown-license");
	tgpl_policy_free(p);
	snprintf(path, sizeof(path), "%s/licenses/policies/tgpl-accepting.ini", src_dir());
	ck_assert_int_eq(tgpl_policy_load(&p, ctx, path), 0);
	assert_action(p, TGPL_OBL_WEIGHT_RELEASE, NULL, NULL, "allow obligations.weight-release");
	assert_action(p, TGPL_OBL_SOURCE_COPYLEFT, "AGPL-3.0-only", "network-copyleft",
		      "allow obligations.source-copyleft");
	assert_action(p, TGPL_OBL_NON_COMMERCIAL, "CC-BY-NC-4.0", "non-commercial",
		      "deny obligations.non-commercial");
	assert_action(p, TGPL_OBL_USE_RESTRICTIONS, "LicenseRef-Llama-3-Community", "use-restrictions",
		      "review obligations.use-restrictions");
	tgpl_policy_free(p);
	snprintf(path, sizeof(path), "%s/licenses/policies/research-only.ini", src_dir());
	ck_assert_int_eq(tgpl_policy_load(&p, ctx, path), 0);
	assert_action(p, TGPL_OBL_NON_COMMERCIAL, "CC-BY-NC-4.0", "non-commercial",
		      "allow obligations.non-commercial");
	assert_action(p, TGPL_OBL_TRAINING_PROHIBITED, NULL, NULL, "deny obligations.training-prohibited");
	assert_action(p, TGPL_OBL_WEIGHT_RELEASE, NULL, NULL, "review obligations.weight-release");
	tgpl_policy_free(p);
}
END_TEST

/* ---- the licence model ------------------------------------------------------------ */

START_TEST(licence_model_knows_categories_attribution_and_additions)
{
	tgpl_license_model *m = NULL;

	ck_assert_msg(tgpl_license_model_open(&m, ctx, NULL) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_str_eq(tgpl_license_model_category(m, "MIT"), "permissive");
	ck_assert_str_eq(tgpl_license_model_category(m, "mit"), "permissive");
	ck_assert_str_eq(tgpl_license_model_category(m, "GPL-2.0+"), "copyleft");
	ck_assert_str_eq(tgpl_license_model_category(m, "AGPL-3.0-or-later"), "network-copyleft");
	ck_assert_str_eq(tgpl_license_model_category(m, "LGPL-2.1-only"), "weak-copyleft");
	ck_assert_str_eq(tgpl_license_model_category(m, "CC0-1.0"), "public-domain");
	ck_assert_str_eq(tgpl_license_model_category(m, "CC-BY-SA-4.0"), "share-alike");
	ck_assert_str_eq(tgpl_license_model_category(m, "ODbL-1.0"), "share-alike");
	ck_assert_str_eq(tgpl_license_model_category(m, "CC-BY-NC-ND-4.0"), "non-commercial");
	ck_assert_str_eq(tgpl_license_model_category(m, "CC-BY-ND-4.0"), "no-derivatives");
	ck_assert_str_eq(tgpl_license_model_category(m, "CDLA-Permissive-2.0"), "data");
	ck_assert_str_eq(tgpl_license_model_category(m, "BUSL-1.1"), "source-available");
	ck_assert_str_eq(tgpl_license_model_category(m, "Hippocratic-2.1"), "use-restrictions");
	ck_assert_str_eq(tgpl_license_model_category(m, "LicenseRef-OpenRAIL-M"), "use-restrictions");
	ck_assert_str_eq(tgpl_license_model_category(m, "LicenseRef-Llama-3.1-Community"),
			 "use-restrictions");
	ck_assert_str_eq(tgpl_license_model_category(m, "LicenseRef-Gemma-Terms"), "use-restrictions");
	ck_assert_str_eq(tgpl_license_model_category(m, "LicenseRef-TGPL-1.0"), "training-copyleft");
	ck_assert_ptr_null(tgpl_license_model_category(m, "AdditionRef-TGPL-1.0"));
	ck_assert_ptr_null(tgpl_license_model_category(m, "Foo-1.0"));
	ck_assert_int_eq(tgpl_license_model_triggers(m, "MIT", TGPL_OBL_ATTRIBUTION), 1);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "Apache-2.0", TGPL_OBL_ATTRIBUTION), 1);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "0BSD", TGPL_OBL_ATTRIBUTION), 0);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "MIT-0", TGPL_OBL_ATTRIBUTION), 0);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "CC0-1.0", TGPL_OBL_ATTRIBUTION), 0);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "CC-BY-4.0", TGPL_OBL_ATTRIBUTION), 1);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "CC-BY-NC-SA-4.0", TGPL_OBL_SHARE_ALIKE), 1);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "CC-BY-NC-SA-4.0", TGPL_OBL_NON_COMMERCIAL), 1);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "CC-BY-NC-ND-4.0", TGPL_OBL_NO_DERIVATIVES), 1);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "GPL-3.0-only", TGPL_OBL_SOURCE_COPYLEFT), 1);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "MIT", TGPL_OBL_SOURCE_COPYLEFT), 0);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "AdditionRef-TGPL-1.0", TGPL_OBL_WEIGHT_RELEASE), 1);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "AdditionRef-TGPL-1.0", TGPL_OBL_ATTRIBUTION), 0);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "LicenseRef-TGPL-1.0", TGPL_OBL_NETWORK_USE), 1);
	ck_assert_int_eq(tgpl_license_model_triggers(m, "Foo-1.0", TGPL_OBL_ATTRIBUTION), -1);
	tgpl_license_model_free(m);
}
END_TEST

START_TEST(every_engine_licence_has_a_category_except_any_osi)
{
	tgpl_engine *e = NULL;
	tgpl_license_model *m = NULL;
	char missing[4096] = "";
	size_t i, n;

	ck_assert_msg(tgpl_engine_open(&e, ctx, NULL) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_int_eq(tgpl_license_model_open(&m, ctx, NULL), 0);
	n = tgpl_engine_license_count(e);
	ck_assert_uint_gt(n, 700);
	for (i = 0; i < n; i++) {
		const tgpl_license_info *li = tgpl_engine_license_at(e, i);
		if (!tgpl_license_model_category(m, li->id))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? " " : "", li->id);
	}
	/* The TGPL rider is an addition (MIT WITH AdditionRef-TGPL-1.0), not a
	 * licence: obligations.tsv gives it its obligations, not a category. */
	ck_assert_str_eq(missing, "AdditionRef-TGPL-1.0 any-OSI any-OSI-perl-modules");
	tgpl_license_model_free(m);
	tgpl_engine_free(e);
}
END_TEST

START_TEST(category_table_agrees_with_the_engine)
{
	tgpl_engine *e = NULL;
	tgpl_license_model *m = NULL;
	size_t i, n;

	ck_assert_int_eq(tgpl_engine_open(&e, ctx, NULL), 0);
	ck_assert_int_eq(tgpl_license_model_open(&m, ctx, NULL), 0);
	n = tgpl_engine_license_count(e);
	for (i = 0; i < n; i++) {
		const tgpl_license_info *li = tgpl_engine_license_at(e, i);
		const char *cat = tgpl_license_model_category(m, li->id);
		if (li->category && cat)
			ck_assert_msg(strcmp(li->category, cat) == 0, "%s: engine %s, model %s", li->id,
				      li->category, cat);
	}
	tgpl_license_model_free(m);
	tgpl_engine_free(e);
}
END_TEST

START_TEST(broken_category_tables_are_refused_naming_file_and_line)
{
	char dir[] = "/tmp/tgpl-policy-XXXXXX", path[4200];
	tgpl_license_model *m = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/categories.tsv", dir);
	f = fopen(path, "w");
	fputs("# comment\nMIT\tpermissive\nFoo\tcopyright\n", f);
	fclose(f);
	ck_assert_int_eq(tgpl_license_model_open(&m, ctx, dir), TGPL_EDATA);
	snprintf(path, sizeof(path), "%s/categories.tsv:3: unknown category 'copyright'", dir);
	ck_assert_str_eq(tgpl_errmsg(ctx), path);
	snprintf(path, sizeof(path), "%s/categories.tsv", dir);
	f = fopen(path, "w");
	fputs("MIT\tpermissive\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/obligations.tsv", dir);
	f = fopen(path, "w");
	fputs("permissive\tattribution,flying\n", f);
	fclose(f);
	ck_assert_int_eq(tgpl_license_model_open(&m, ctx, dir), TGPL_EDATA);
	snprintf(path, sizeof(path), "%s/obligations.tsv:1: 'attribution,flying' is not a list of "
		 "obligation ids (or '-')", dir);
	ck_assert_str_eq(tgpl_errmsg(ctx), path);
	snprintf(path, sizeof(path), "%s/obligations.tsv", dir);
	f = fopen(path, "w");
	fputs("permissive\tattribution\n", f);
	fclose(f);
	ck_assert_int_eq(tgpl_license_model_open(&m, ctx, dir), TGPL_EDATA);
	snprintf(path, sizeof(path), "%s/obligations.tsv: no row for category 'public-domain'", dir);
	ck_assert_str_eq(tgpl_errmsg(ctx), path);
	ck_assert_ptr_null(m);
	snprintf(path, sizeof(path), "%s/categories.tsv", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/obligations.tsv", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- expressions ------------------------------------------------------------------- */

static obl_cost cost_by_name(const char *id, const char *exc, void *payload)
{
	obl_cost c = { 0, 1 };

	(void)payload;
	if (strncmp(id, "GPL", 3) == 0)
		c.worst = 2;
	if (exc)
		c.sum += 1;
	return c;
}

START_TEST(expression_choice_takes_the_cheaper_alternative_of_each_or)
{
	obl_expr *x = NULL;

	ck_assert_int_eq(obl_expr_parse(&x, "GPL-2.0-only OR MIT"), 0);
	ck_assert(obl_expr_has_or(x));
	ck_assert_uint_eq(obl_expr_choose(x, cost_by_name, NULL), 2);
	obl_expr_free(x);
	ck_assert_int_eq(obl_expr_parse(&x, "(MIT AND BSD-3-Clause) OR (ISC)"), 0);
	ck_assert_uint_eq(obl_expr_choose(x, cost_by_name, NULL), 4); /* fewer obligations */
	obl_expr_free(x);
	ck_assert_int_eq(obl_expr_parse(&x, "Apache-2.0 AND (GPL-2.0-only WITH Classpath-exception-2.0"
					" OR MIT)"), 0);
	ck_assert_uint_eq(obl_expr_leaves(x), 3);
	ck_assert_str_eq(obl_expr_leaf_id(x, 1), "GPL-2.0-only");
	ck_assert_str_eq(obl_expr_leaf_exception(x, 1), "Classpath-exception-2.0");
	ck_assert_ptr_null(obl_expr_leaf_exception(x, 2));
	ck_assert_uint_eq(obl_expr_choose(x, cost_by_name, NULL), 5);
	obl_expr_free(x);
	ck_assert_int_eq(obl_expr_parse(&x, "MIT with AdditionRef-TGPL-1.0"), 0);
	ck_assert(!obl_expr_has_or(x));
	ck_assert_str_eq(obl_expr_leaf_exception(x, 0), "AdditionRef-TGPL-1.0");
	obl_expr_free(x);
}
END_TEST

START_TEST(malformed_expressions_are_refused)
{
	static const char *const bad[] = { "", "MIT OR", "(MIT", "MIT)", "AND MIT", "MIT WITH",
					   "MIT GPL-2.0-only", "MIT WITH (x)", "((((((((((((((((((((("
					   "(((((((((((((MIT)))))))))))))))))))))))))))))))))" };
	char many[8192] = "MIT";
	obl_expr *x = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(obl_expr_parse(&x, bad[i]) == TGPL_EINVAL, "accepted <%s>", bad[i]);
		ck_assert_ptr_null(x);
	}
	for (i = 0; i < 70; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), " AND MIT");
	ck_assert_int_eq(obl_expr_parse(&x, many), TGPL_EINVAL);
}
END_TEST

/* ---- SWHID qualifiers ---------------------------------------------------------------- */

START_TEST(swhid_qualifier_escape_encodes_separators_and_non_printables)
{
	char *out = NULL;
	static const char in[] = "a;b%c d/\xc3\xa9\x01\x7f~";

	ck_assert_int_eq(tgpl_swhid_qualifier_escape(&out, in, sizeof(in) - 1), 0);
	ck_assert_str_eq(out, "a%3Bb%25c%20d/%C3%A9%01%7F~");
	free(out);
	ck_assert_int_eq(tgpl_swhid_qualifier_escape(&out, "", 0), 0);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

START_TEST(names_round_trip)
{
	int i;

	for (i = 0; i < TGPL_OBL__COUNT; i++) {
		const char *m = tgpl_obligation_meaning((tgpl_obligation_id)i);
		ck_assert_int_eq(tgpl_obligation_from_name(tgpl_obligation_name((tgpl_obligation_id)i)), i);
		ck_assert_msg(m && m[strlen(m) - 1] == '.', "meaning of %s", tgpl_obligation_name(i));
	}
	ck_assert_int_eq(tgpl_obligation_from_name("nope"), -1);
	ck_assert_ptr_null(tgpl_obligation_name(TGPL_OBL__COUNT));
	ck_assert_str_eq(tgpl_verdict_name(TGPL_VERDICT_INCLUDE_WITH_OBLIGATIONS),
			 "include-with-obligations");
	ck_assert_str_eq(tgpl_action_name(TGPL_ACTION_DENY), "deny");
	ck_assert_str_eq(tgpl_evidence_kind_name(TGPL_EVIDENCE_INHERITED), "inherited");
	for (i = 0; i < OBL_CAT__COUNT; i++)
		ck_assert_int_eq(obl_category_from_name(obl_category_name(i)), i);
	for (i = 0; i < OBL_CONFLICT__COUNT; i++)
		ck_assert_int_eq(obl_conflict_from_name(obl_conflict_name(i)), i);
}
END_TEST

static void add(Suite *s, const TTest *t)
{
	TCase *tc = tcase_create(t->name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
}

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");

	add(s, full_policy_sets_every_kind_of_rule);
	add(s, stricter_of_category_and_obligation_wins_unless_a_licence_rule_decides);
	add(s, default_applies_where_no_rule_does_and_is_review_unless_set);
	add(s, name_defaults_to_the_file_base_name);
	add(s, comments_indentation_quotes_and_crlf_are_accepted);
	add(s, malformed_policies_are_refused_naming_file_and_line);
	add(s, long_lines_and_nul_bytes_are_refused_with_their_line);
	add(s, oversized_or_missing_policy_files_are_refused);
	add(s, built_in_default_allows_attribution_and_permissive_only);
	add(s, shipped_policies_parse_and_name_every_obligation_category_and_conflict);
	add(s, shipped_policies_decide_the_model_cases_as_documented);
	add(s, licence_model_knows_categories_attribution_and_additions);
	add(s, every_engine_licence_has_a_category_except_any_osi);
	add(s, category_table_agrees_with_the_engine);
	add(s, broken_category_tables_are_refused_naming_file_and_line);
	add(s, expression_choice_takes_the_cheaper_alternative_of_each_or);
	add(s, malformed_expressions_are_refused);
	add(s, swhid_qualifier_escape_encodes_separators_and_non_printables);
	add(s, names_round_trip);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
