/*
 * check_obligations.c — `tgpl obligations` end to end: corpora of git
 * repositories built at run time (licence texts from the engine, SPDX tags,
 * robots.txt opt-outs, a repository without a licence), scanned by the real
 * binary, then obligations, evidence, conflicts, verdicts, exit status and
 * the obligation record asserted exactly under each shipped policy.  Where
 * a detector does not yet report what a case needs (TGPL clause text beside
 * a GPL text), clause findings are written into the database directly.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "support.h"
#include "util/util.h"
#include "tgpl.h"
#include "tgpl/obligations.h"

#define COMMIT_DATE "1700000000 +0000"

/* ---- helpers ----------------------------------------------------------------- */

static void show(const char *what, const e2e_run *r)
{
	fprintf(stderr, "%s: exit %d, signal %d%s\n--- stdout\n%s--- stderr\n%s---\n", what, r->status,
		r->signal, r->timed_out ? ", timed out" : "", r->out, r->err);
}

static void assert_exit(const e2e_run *r, int status, const char *what)
{
	if (r->status != status || r->timed_out)
		show(what, r);
	ck_assert_msg(!r->timed_out, "%s: timed out", what);
	ck_assert_msg(r->status == status, "%s: exit %d, expected %d; stderr: %s", what, r->status,
		      status, r->err);
	/* Under SANITIZE=1 a report would hide behind an expected exit status 1. */
	ck_assert_msg(!e2e_contains(r->err, r->err_len, "Sanitizer") &&
		      !e2e_contains(r->err, r->err_len, "runtime error"), "%s: %s", what, r->err);
}

/* The reference text of a licence, from the engine the binary uses. */
static char *license_text(const char *id)
{
	tgpl_ctx *ctx = NULL;
	tgpl_engine *e = NULL;
	const tgpl_license_info *li;
	char *text;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&e, ctx, NULL) == 0, "engine: %s", tgpl_errmsg(ctx));
	li = tgpl_engine_license(e, id);
	ck_assert_msg(li && li->text, "no text for %s", id);
	text = strdup(li->text);
	tgpl_engine_free(e);
	tgpl_ctx_free(ctx);
	return text;
}

/* A git repository corpus/<name> holding one file, committed; returns its path. */
static char *repo1(const char *name, const char *file, const char *content)
{
	char *dir = e2e_path(e2e_tmp, "corpus"), *repo = e2e_path(dir, name), *c;

	e2e_git_init(repo);
	e2e_write_str(repo, file, content);
	e2e_git_date(COMMIT_DATE);
	c = e2e_git_commit_all(repo, "init");
	free(c);
	free(dir);
	return repo;
}

static char *repo_mit(void)
{
	char *text = license_text("MIT"), *repo = repo1("mit", "LICENSE", text);

	e2e_write_str(repo, "src/a.c", "int a;\n");
	free(e2e_git_commit_all(repo, "code"));
	free(text);
	return repo;
}

static char *repo_tgpl(void)
{
	return repo1("tgpl", "a.c", "// SPDX-License-Identifier: MIT WITH AdditionRef-TGPL-1.0\nint x;\n");
}

static char *repo_nc(void)
{
	return repo1("nc", "a.py", "# SPDX-License-Identifier: CC-BY-NC-4.0\nprint(1)\n");
}

static char *repo_robots(void)
{
	char *repo = repo1("robots", "robots.txt", "User-agent: GPTBot\nDisallow: /\n");

	e2e_write_str(repo, "b.c", "// SPDX-License-Identifier: MIT\nint b;\n");
	free(e2e_git_commit_all(repo, "code"));
	return repo;
}

static char *repo_none(void)
{
	return repo1("none", "README", "hello\n");
}

static char *db_path(const char *name)
{
	return e2e_path(e2e_tmp, name);
}

static void scan(const char *db, const char *const *repos)
{
	const char *argv[16];
	size_t n = 0, i;
	e2e_run r;

	argv[n++] = e2e_tgpl_bin();
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "scan";
	argv[n++] = "-q";
	for (i = 0; repos[i] && n < 15; i++)
		argv[n++] = repos[i];
	argv[n] = NULL;
	e2e_run_argv(&r, e2e_tmp, argv, 120);
	assert_exit(&r, 0, "scan");
	e2e_run_release(&r);
}

static char *policy_file(const char *name)
{
	const char *src = getenv("TGPL_SRCDIR");
	char path[4096];

	ck_assert_msg(src && *src, "TGPL_SRCDIR is not set");
	snprintf(path, sizeof(path), "%s/licenses/policies/%s.ini", src, name);
	return strdup(path);
}

/* tgpl --db DB obligations --json [--policy shipped-name-as-file] [extra...]; the parsed JSON. */
static json_t *obligations_json(const char *db, const char *policy, int status, const char *extra1,
				const char *extra2)
{
	const char *argv[16];
	char *pol = policy ? policy_file(policy) : NULL;
	size_t n = 0;
	json_error_t err;
	json_t *root;
	e2e_run r;

	argv[n++] = e2e_tgpl_bin();
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "obligations";
	argv[n++] = "--json";
	if (pol) {
		argv[n++] = "--policy";
		argv[n++] = pol;
	}
	if (extra1)
		argv[n++] = extra1;
	if (extra2)
		argv[n++] = extra2;
	argv[n] = NULL;
	e2e_run_argv(&r, e2e_tmp, argv, 120);
	assert_exit(&r, status, policy ? policy : "obligations");
	root = json_loads(r.out, 0, &err);
	ck_assert_msg(root != NULL, "not JSON (%s): <%s>", err.text, r.out);
	e2e_run_release(&r);
	free(pol);
	return root;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* "id:action,..." of the obligations. */
static char *obligation_list(json_t *root)
{
	json_t *a = json_object_get(root, "obligations"), *o;
	char buf[4096] = "";
	size_t i;

	json_array_foreach(a, i, o) {
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s:%s", i ? "," : "",
			 json_string_value(json_object_get(o, "id")),
			 json_string_value(json_object_get(o, "action")));
	}
	return strdup(buf);
}

/* "id,..." of a record's obligations. */
static char *obligation_list_noaction(json_t *root)
{
	json_t *a = json_object_get(root, "obligations"), *o;
	char buf[4096] = "";
	size_t i;

	json_array_foreach(a, i, o) {
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "," : "",
			 json_string_value(json_object_get(o, "id")));
	}
	return strdup(buf);
}

/* "repo=verdict,..." in path order. */
static char *verdict_list(json_t *root)
{
	json_t *a = json_object_get(root, "repositories"), *o;
	char buf[4096] = "";
	size_t i;

	json_array_foreach(a, i, o) {
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s=%s", i ? "," : "",
			 base(json_string_value(json_object_get(o, "path"))),
			 json_string_value(json_object_get(o, "verdict")));
	}
	return strdup(buf);
}

/* "id:action[:resolved][:inherited](repo repo),..." of the conflicts. */
static char *conflict_list(json_t *root)
{
	json_t *a = json_object_get(root, "conflicts"), *o, *p;
	char buf[4096] = "";
	size_t i, j;

	json_array_foreach(a, i, o) {
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s:%s%s%s(", i ? "," : "",
			 json_string_value(json_object_get(o, "id")),
			 json_string_value(json_object_get(o, "action")),
			 json_is_true(json_object_get(o, "resolved")) ? ":resolved" : "",
			 json_is_true(json_object_get(o, "inherited")) ? ":inherited" : "");
		json_array_foreach(json_object_get(o, "repositories"), j, p)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", j ? " " : "",
				 base(json_string_value(p)));
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ")");
	}
	return strdup(buf);
}

static json_t *find_obligation(json_t *root, const char *id)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(root, "obligations"), i, o)
		if (strcmp(json_string_value(json_object_get(o, "id")), id) == 0)
			return o;
	ck_abort_msg("no obligation %s", id);
	return NULL;
}

static json_t *find_repo(json_t *root, const char *name)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(root, "repositories"), i, o)
		if (strcmp(base(json_string_value(json_object_get(o, "path"))), name) == 0)
			return o;
	ck_abort_msg("no repository %s", name);
	return NULL;
}

/* "repo path lines source kind rule,..." of an obligation's evidence. */
static char *evidence_list(json_t *obl)
{
	json_t *e;
	char buf[8192] = "";
	size_t i;

	json_array_foreach(json_object_get(obl, "evidence"), i, e) {
		json_t *lines = json_object_get(e, "lines");
		const char *repo = json_string_value(json_object_get(e, "repository"));
		const char *path = json_string_value(json_object_get(e, "path"));
		const char *source = json_string_value(json_object_get(e, "source"));
		char l[32] = "-";

		if (json_is_array(lines))
			snprintf(l, sizeof(l), "%lld-%lld",
				 (long long)json_integer_value(json_array_get(lines, 0)),
				 (long long)json_integer_value(json_array_get(lines, 1)));
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s %s %s %s %s %s",
			 i ? "," : "", repo ? base(repo) : "-", path ? path : "-", l, source ? source : "-",
			 json_string_value(json_object_get(e, "kind")),
			 json_string_value(json_object_get(e, "rule")));
	}
	return strdup(buf);
}

#define ASSERT_LIST(fn, root, want)                                                      \
	do {                                                                             \
		char *got_ = fn(root);                                                   \
		ck_assert_msg(strcmp(got_, want) == 0, "%s:\n got  <%s>\n want <%s>", #fn, got_, \
			      want);                                                     \
		free(got_);                                                              \
	} while (0)

/* The standard corpus: mit, nc, none, robots, tgpl (path order). */
static char *standard_corpus(void)
{
	char *repos[6] = { repo_mit(), repo_tgpl(), repo_nc(), repo_robots(), repo_none(), NULL };
	char *db = db_path("c.db");
	size_t i;

	scan(db, (const char *const *)repos);
	for (i = 0; repos[i]; i++)
		free(repos[i]);
	return db;
}

/* ---- tests -------------------------------------------------------------------- */

START_TEST(default_policy_lists_every_triggered_obligation_with_evidence)
{
	char *db = standard_corpus();
	json_t *root = obligations_json(db, NULL, 0, NULL, NULL);

	ck_assert_str_eq(json_string_value(json_object_get(root, "policy")), "default");
	ASSERT_LIST(obligation_list, root,
		    "weight-release:review,data-provenance:review,finetune-inheritance:review,"
		    "network-use:review,attribution:allow,non-commercial:review,"
		    "training-prohibited:review,no-license:review");
	ASSERT_LIST(evidence_list, find_obligation(root, "attribution"),
		    "mit LICENSE 1-18 MIT license obligations.attribution,"
		    "nc a.py 1-1 CC-BY-NC-4.0 license obligations.attribution,"
		    "robots b.c 1-1 MIT license obligations.attribution,"
		    "tgpl a.c 1-1 MIT license obligations.attribution");
	ASSERT_LIST(evidence_list, find_obligation(root, "weight-release"),
		    "tgpl a.c 1-1 AdditionRef-TGPL-1.0 license policy.default");
	ASSERT_LIST(evidence_list, find_obligation(root, "training-prohibited"),
		    "robots robots.txt 1-2 robots.txt optout policy.default");
	ASSERT_LIST(evidence_list, find_obligation(root, "no-license"),
		    "none - - - absent policy.default");
	ASSERT_LIST(verdict_list, root,
		    "mit=include-with-obligations,nc=review,none=review,robots=review,tgpl=review");
	ASSERT_LIST(conflict_list, root,
		    "weight-release+non-commercial:review(nc tgpl),"
		    "weight-release+restricted:review(none tgpl)");
	ck_assert_str_eq(json_string_value(json_object_get(root, "verdict")), "review");
	ck_assert(json_is_false(json_object_get(root, "denied")));
	ck_assert_str_eq(json_string_value(json_object_get(find_repo(root, "none"), "reason")),
			 "no-license needs review under policy.default.");
	json_decref(root);
	free(db);
}
END_TEST

START_TEST(evidence_swhid_names_origin_anchor_path_and_lines)
{
	char *repo = repo_tgpl(), *db = db_path("s.db"), *oid, *commit, want[1024];
	const char *repos[] = { repo, NULL };
	json_t *root, *e;

	scan(db, repos);
	oid = e2e_git_line(repo, "rev-parse", "HEAD:a.c", NULL);
	commit = e2e_git_line(repo, "rev-parse", "HEAD", NULL);
	root = obligations_json(db, NULL, 0, NULL, NULL);
	e = json_array_get(json_object_get(find_obligation(root, "weight-release"), "evidence"), 0);
	snprintf(want, sizeof(want), "swh:1:cnt:%s;origin=%s;anchor=swh:1:rev:%s;path=/a.c;lines=1-1",
		 oid, repo, commit);
	ck_assert_str_eq(json_string_value(json_object_get(e, "swhid")), want);
	ck_assert_str_eq(json_string_value(json_object_get(e, "commit")), commit);
	json_decref(root);
	free(oid);
	free(commit);
	free(repo);
	free(db);
}
END_TEST

START_TEST(directory_scan_evidence_has_no_commit_and_no_anchor)
{
	char *dir = e2e_path(e2e_tmp, "plain"), *file, *oid, *db = db_path("p.db"), want[1024];
	const char *repos[] = { dir, NULL };
	json_t *root, *e;

	e2e_mkdirs(e2e_tmp, "plain");
	e2e_write_str(dir, "a.c", "// SPDX-License-Identifier: MIT\n");
	scan(db, repos);
	file = e2e_path(dir, "a.c");
	oid = e2e_git_line(e2e_tmp, "hash-object", "--no-filters", file, NULL);
	root = obligations_json(db, NULL, 0, NULL, NULL);
	e = json_array_get(json_object_get(find_obligation(root, "attribution"), "evidence"), 0);
	snprintf(want, sizeof(want), "swh:1:cnt:%s;origin=%s;path=/a.c;lines=1-1", oid, dir);
	ck_assert_str_eq(json_string_value(json_object_get(e, "swhid")), want);
	ck_assert(json_is_null(json_object_get(e, "commit")));
	ck_assert(json_is_null(json_object_get(find_repo(root, "plain"), "commit")));
	json_decref(root);
	free(oid);
	free(file);
	free(dir);
	free(db);
}
END_TEST

START_TEST(swhid_qualifiers_percent_encode_semicolons_spaces_and_non_ascii)
{
	char *repo = repo1("odd", "a;b c\xc3\xa9.py", "# SPDX-License-Identifier: MIT\n");
	char *db = db_path("o.db");
	const char *repos[] = { repo, NULL };
	const char *swhid;
	json_t *root;

	scan(db, repos);
	root = obligations_json(db, NULL, 0, NULL, NULL);
	swhid = json_string_value(json_object_get(
		json_array_get(json_object_get(find_obligation(root, "attribution"), "evidence"), 0),
		"swhid"));
	ck_assert_msg(strstr(swhid, ";path=/a%3Bb%20c%C3%A9.py;lines=1-1") != NULL, "<%s>", swhid);
	json_decref(root);
	free(repo);
	free(db);
}
END_TEST

START_TEST(permissive_only_excludes_everything_but_permissive_and_exits_one)
{
	char *db = standard_corpus();
	json_t *root = obligations_json(db, "permissive-only", 1, NULL, NULL);

	ck_assert_str_eq(json_string_value(json_object_get(root, "policy")), "permissive-only");
	ASSERT_LIST(obligation_list, root,
		    "weight-release:deny,data-provenance:deny,finetune-inheritance:deny,"
		    "network-use:deny,attribution:deny,non-commercial:deny,"
		    "training-prohibited:deny,no-license:deny");
	ASSERT_LIST(verdict_list, root,
		    "mit=include-with-obligations,nc=exclude,none=exclude,robots=exclude,tgpl=exclude");
	ASSERT_LIST(conflict_list, root,
		    "weight-release+non-commercial:allow:resolved(nc tgpl),"
		    "weight-release+restricted:allow:resolved(none tgpl)");
	ck_assert_str_eq(json_string_value(json_object_get(find_repo(root, "nc"), "reason")),
			 "non-commercial (CC-BY-NC-4.0) is denied by obligations.non-commercial.");
	ck_assert_str_eq(json_string_value(json_object_get(find_repo(root, "tgpl"), "reason")),
			 "weight-release (AdditionRef-TGPL-1.0) is denied by obligations.weight-release.");
	ck_assert_str_eq(json_string_value(json_object_get(find_repo(root, "mit"), "reason")),
			 "Allowed, with obligations: attribution.");
	ck_assert_str_eq(json_string_value(json_object_get(root, "verdict")),
			 "include-with-obligations");
	ck_assert(json_is_true(json_object_get(root, "denied")));
	json_decref(root);
	free(db);
}
END_TEST

START_TEST(tgpl_accepting_includes_tgpl_and_leaves_out_what_weights_cannot_honour)
{
	char *db = standard_corpus();
	json_t *root = obligations_json(db, "tgpl-accepting", 1, NULL, NULL);

	ASSERT_LIST(obligation_list, root,
		    "weight-release:allow,data-provenance:allow,finetune-inheritance:allow,"
		    "network-use:allow,attribution:deny,non-commercial:deny,"
		    "training-prohibited:deny,no-license:deny");
	ASSERT_LIST(verdict_list, root,
		    "mit=include-with-obligations,nc=exclude,none=exclude,robots=exclude,"
		    "tgpl=include-with-obligations");
	ASSERT_LIST(conflict_list, root,
		    "weight-release+non-commercial:allow:resolved(nc tgpl),"
		    "weight-release+restricted:allow:resolved(none tgpl)");
	ck_assert_str_eq(json_string_value(json_object_get(find_repo(root, "tgpl"), "reason")),
			 "Allowed, with obligations: weight-release, data-provenance, "
			 "finetune-inheritance, network-use, attribution.");
	json_decref(root);
	free(db);
}
END_TEST

START_TEST(tgpl_accepting_with_nothing_denied_exits_zero)
{
	char *repos[3] = { repo_mit(), repo_tgpl(), NULL };
	char *db = db_path("ok.db");
	json_t *root;

	scan(db, (const char *const *)repos);
	root = obligations_json(db, "tgpl-accepting", 0, NULL, NULL);
	ASSERT_LIST(verdict_list, root, "mit=include-with-obligations,tgpl=include-with-obligations");
	ASSERT_LIST(conflict_list, root, "");
	ck_assert(json_is_false(json_object_get(root, "denied")));
	json_decref(root);
	free(repos[0]);
	free(repos[1]);
	free(db);
}
END_TEST

START_TEST(research_only_reviews_conflicts_and_denies_opt_outs)
{
	char *db = standard_corpus();
	json_t *root = obligations_json(db, "research-only", 1, NULL, NULL);

	ASSERT_LIST(obligation_list, root,
		    "weight-release:review,data-provenance:allow,finetune-inheritance:review,"
		    "network-use:review,attribution:allow,non-commercial:allow,"
		    "training-prohibited:deny,no-license:review");
	ASSERT_LIST(verdict_list, root,
		    "mit=include-with-obligations,nc=review,none=review,robots=exclude,tgpl=review");
	ASSERT_LIST(conflict_list, root,
		    "weight-release+non-commercial:review(nc tgpl),"
		    "weight-release+restricted:review(none tgpl)");
	ck_assert_str_eq(json_string_value(json_object_get(find_repo(root, "nc"), "reason")),
			 "Conflict weight-release+non-commercial needs review: weight-release requires "
			 "releasing the model's weights under a copyleft licence that permits "
			 "commercial use, which a non-commercial licence in the corpus forbids.");
	ck_assert_str_eq(json_string_value(json_object_get(root, "verdict")), "review");
	json_decref(root);
	free(db);
}
END_TEST

START_TEST(text_output_names_policy_verdicts_and_exit_status)
{
	char *db = standard_corpus(), *pol = policy_file("permissive-only");
	e2e_run r;

	e2e_tgpl(&r, e2e_tmp, "--db", db, "obligations", "--policy", pol, NULL);
	assert_exit(&r, 1, "text");
	ck_assert_msg(strncmp(r.out, "policy: permissive-only\nverdict: include-with-obligations "
			      "(something is denied)\n", 80) == 0, "<%s>", r.out);
	ck_assert(e2e_contains(r.out, r.out_len, "  exclude                  "));
	ck_assert(e2e_contains(r.out, r.out_len,
			       "    non-commercial (CC-BY-NC-4.0) is denied by obligations.non-commercial.\n"));
	ck_assert(e2e_contains(r.out, r.out_len, "robots.txt:1-2  optout robots.txt  deny "
			       "(obligations.training-prohibited)\n"));
	e2e_run_release(&r);
	free(pol);
	free(db);
}
END_TEST

START_TEST(shipped_policy_is_found_by_name_in_the_data_directory)
{
	char *repos[2] = { repo_nc(), NULL }, *db = db_path("n.db");
	char *data = e2e_path(e2e_tmp, "data"), *src = policy_file("research-only"), *text;
	const char *orig = getenv("TGPL_DATADIR");
	char *orig_copy = strdup(orig);
	e2e_run r;

	scan(db, (const char *const *)repos);
	/* A data directory: the real one's tables, and one shipped policy. */
	text = e2e_read_file(src, NULL);
	ck_assert_ptr_nonnull(text);
	e2e_mkdirs(e2e_tmp, "data/policies");
	e2e_write_str(data, "policies/research-only.ini", text);
	free(text);
	{
		static const char *const tables[] = { "categories.tsv", "obligations.tsv",
						      "exceptions.tsv", "ai-licenses.tsv" };
		size_t i;
		for (i = 0; i < 4; i++) {
			char *p = e2e_path(orig_copy, tables[i]), *t = e2e_read_file(p, NULL);
			if (t)
				e2e_write_str(data, tables[i], t);
			free(t);
			free(p);
		}
	}
	setenv("TGPL_DATADIR", data, 1);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "obligations", "-q", "--policy", "research-only", NULL);
	setenv("TGPL_DATADIR", orig_copy, 1);
	assert_exit(&r, 0, "by name");
	ck_assert_msg(strncmp(r.out, "policy: research-only\n", 22) == 0, "<%s>", r.out);
	e2e_run_release(&r);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "obligations", "--policy", "no-such-policy", NULL);
	assert_exit(&r, 2, "unknown name");
	ck_assert_msg(e2e_contains(r.err, r.err_len, "no shipped policy 'no-such-policy'"), "<%s>",
		      r.err);
	e2e_run_release(&r);
	free(orig_copy);
	free(data);
	free(src);
	free(repos[0]);
	free(db);
}
END_TEST

START_TEST(malformed_policy_is_a_usage_error_naming_file_and_line)
{
	char *repos[2] = { repo_nc(), NULL }, *db = db_path("m.db");
	char *pol = e2e_path(e2e_tmp, "bad.ini"), want[4200];
	e2e_run r;

	scan(db, (const char *const *)repos);
	e2e_write_str(e2e_tmp, "bad.ini", "[policy]\nname = bad\n\n[obligations]\nattribution = maybe\n");
	e2e_tgpl(&r, e2e_tmp, "--db", db, "obligations", "--policy", pol, NULL);
	assert_exit(&r, 2, "bad policy");
	snprintf(want, sizeof(want), "tgpl: %s:5: attribution: 'maybe' is not allow, review or deny\n",
		 pol);
	ck_assert_str_eq(r.err, want);
	ck_assert_str_eq(r.out, "");
	e2e_run_release(&r);
	free(pol);
	free(repos[0]);
	free(db);
}
END_TEST

START_TEST(or_expression_takes_the_alternative_the_policy_likes)
{
	char *repos[2] = { repo1("dual", "a.c", "// SPDX-License-Identifier: GPL-3.0-only OR MIT\n"), NULL };
	char *db = db_path("d.db");
	json_t *root;

	scan(db, (const char *const *)repos);
	root = obligations_json(db, "permissive-only", 0, NULL, NULL);
	ASSERT_LIST(obligation_list, root, "attribution:allow");
	ASSERT_LIST(evidence_list, find_obligation(root, "attribution"),
		    "dual a.c 1-1 MIT license obligations.attribution");
	ASSERT_LIST(verdict_list, root, "dual=include-with-obligations");
	json_decref(root);
	free(repos[0]);
	free(db);
}
END_TEST

START_TEST(linking_exception_makes_copyleft_weak_copyleft)
{
	char *repos[2] = { repo1("cp", "A.java",
				 "// SPDX-License-Identifier: GPL-2.0-or-later WITH Classpath-exception-2.0\n"),
			   NULL };
	char *db = db_path("cp.db"), *pol = e2e_path(e2e_tmp, "weak.ini");
	const char *argv[10];
	json_t *root;
	json_error_t err;
	e2e_run r;

	scan(db, (const char *const *)repos);
	e2e_write_str(e2e_tmp, "weak.ini", "[policy]\ndefault = deny\n[categories]\n"
		      "weak-copyleft = allow\ncopyleft = deny\n");
	argv[0] = e2e_tgpl_bin();
	argv[1] = "--db";
	argv[2] = db;
	argv[3] = "obligations";
	argv[4] = "--json";
	argv[5] = "--policy";
	argv[6] = pol;
	argv[7] = NULL;
	e2e_run_argv(&r, e2e_tmp, argv, 60);
	assert_exit(&r, 0, "weak");
	root = json_loads(r.out, 0, &err);
	ck_assert_ptr_nonnull(root);
	ASSERT_LIST(obligation_list, root, "attribution:allow,source-copyleft:allow");
	ASSERT_LIST(evidence_list, find_obligation(root, "source-copyleft"),
		    "cp A.java 1-1 GPL-2.0-or-later license categories.weak-copyleft");
	json_decref(root);
	e2e_run_release(&r);
	free(pol);
	free(repos[0]);
	free(db);
}
END_TEST

START_TEST(unknown_licence_id_is_unknown_license)
{
	char *repos[2] = { repo1("unk", "a.c", "// SPDX-License-Identifier: Foo-Bar-1.0\n"), NULL };
	char *db = db_path("u.db");
	json_t *root;

	scan(db, (const char *const *)repos);
	root = obligations_json(db, "permissive-only", 0, NULL, NULL);
	ASSERT_LIST(obligation_list, root, "unknown-license:review");
	ASSERT_LIST(evidence_list, find_obligation(root, "unknown-license"),
		    "unk a.c 1-1 Foo-Bar-1.0 license obligations.unknown-license");
	ASSERT_LIST(verdict_list, root, "unk=review");
	json_decref(root);
	free(repos[0]);
	free(db);
}
END_TEST

START_TEST(tgpl_clauses_beside_gpl_2_text_are_a_rider_weakness)
{
	char *text = license_text("GPL-2.0-only");
	char *repo = repo1("gpl2", "LICENSE", text), *db = db_path("g.db"), *oid;
	const char *repos[] = { repo, NULL };
	char sql[1024];
	json_t *root, *c;

	scan(db, repos);
	/* What the clause detector reports for a rider appended to the text. */
	oid = e2e_git_line(repo, "rev-parse", "HEAD:LICENSE", NULL);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO findings (blob_id, engine, seq, category, kind, spdx, start_line, end_line,"
		 " score) SELECT '%s', engine, 900, 'clause', 'text', 'weight-release', 400, 404, 0.9"
		 " FROM revisions;"
		 "INSERT INTO findings (blob_id, engine, seq, category, kind, spdx, start_line, end_line,"
		 " score) SELECT '%s', engine, 901, 'clause', 'text', 'network-use', 410, 412, 0.9"
		 " FROM revisions;", oid, oid);
	e2e_db_exec(db, sql);
	root = obligations_json(db, "tgpl-accepting", 0, NULL, NULL);
	ASSERT_LIST(obligation_list, root,
		    "weight-release:allow,network-use:allow,attribution:allow,source-copyleft:allow");
	ASSERT_LIST(evidence_list, find_obligation(root, "weight-release"),
		    "gpl2 LICENSE 400-404 weight-release clause obligations.weight-release");
	ASSERT_LIST(conflict_list, root, "rider-further-restrictions:review(gpl2)");
	c = json_array_get(json_object_get(root, "conflicts"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "first")), "GPL-2.0-only");
	ck_assert_str_eq(json_string_value(json_object_get(c, "second")), "AdditionRef-TGPL-1.0");
	ck_assert_str_eq(json_string_value(json_object_get(c, "sentence")),
			 "The TGPL rider (AdditionRef-TGPL-1.0) is added to GPL-2.0-only: GPL-2.0 §6 "
			 "forbids imposing further restrictions on recipients, so a TGPL rider on it "
			 "may be void and its training conditions unenforceable.");
	ASSERT_LIST(verdict_list, root, "gpl2=review");
	json_decref(root);
	free(oid);
	free(text);
	free(repo);
	free(db);
}
END_TEST

START_TEST(rider_tag_on_gpl_3_is_a_removable_restriction)
{
	char *repos[2] = { repo1("g3", "a.c",
				 "// SPDX-License-Identifier: GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\n"),
			   NULL };
	char *db = db_path("g3.db");
	json_t *root;

	scan(db, (const char *const *)repos);
	root = obligations_json(db, "permissive-only", 1, NULL, NULL);
	ASSERT_LIST(conflict_list, root, "rider-further-restrictions:allow:resolved(g3)");
	ASSERT_LIST(verdict_list, root, "g3=exclude");
	ck_assert_str_eq(json_string_value(json_object_get(root, "verdict")), "exclude");
	json_decref(root);
	free(repos[0]);
	free(db);
}
END_TEST

START_TEST(record_is_written_and_inherited_by_a_finetuning_corpus)
{
	char *base_repos[2] = { repo_tgpl(), NULL }, *ft_repos[2] = { repo_nc(), NULL };
	char *base_db = db_path("base.db"), *ft_db = db_path("ft.db");
	char *record = e2e_path(e2e_tmp, "record.json"), *text;
	json_t *rec, *root, *e;
	json_error_t err;
	e2e_run r;

	scan(base_db, (const char *const *)base_repos);
	scan(ft_db, (const char *const *)ft_repos);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	e2e_tgpl(&r, e2e_tmp, "--db", base_db, "obligations", "-q", "--record", record, NULL);
	unsetenv("SOURCE_DATE_EPOCH");
	assert_exit(&r, 0, "record");
	e2e_run_release(&r);
	text = e2e_read_file(record, NULL);
	ck_assert_ptr_nonnull(text);
	rec = json_loads(text, 0, &err);
	ck_assert_msg(rec != NULL, "record is not JSON: %s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(rec, "schema")), "tgpl-obligation-record/1");
	ck_assert_str_eq(json_string_value(json_object_get(rec, "created")), "2023-11-14T22:13:20Z");
	ck_assert_str_eq(json_string_value(json_object_get(rec, "policy")), "default");
	ck_assert_int_eq(json_array_size(json_object_get(rec, "corpus")), 1);
	ASSERT_LIST(obligation_list_noaction, rec, "weight-release,data-provenance,"
		    "finetune-inheritance,network-use,attribution");
	json_decref(rec);
	free(text);

	/* The fine-tuning corpus inherits them: conflict with its NC repository. */
	root = obligations_json(ft_db, NULL, 0, "--inherit", record);
	ASSERT_LIST(obligation_list, root,
		    "weight-release:review,data-provenance:review,finetune-inheritance:review,"
		    "network-use:review,attribution:allow,non-commercial:review");
	e = json_array_get(json_object_get(find_obligation(root, "weight-release"), "evidence"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "kind")), "inherited");
	ck_assert_str_eq(json_string_value(json_object_get(e, "record")), record);
	ck_assert_str_eq(base(json_string_value(json_object_get(e, "repository"))), "tgpl");
	ck_assert_str_eq(json_string_value(json_object_get(e, "path")), "a.c");
	ck_assert_str_eq(json_string_value(json_object_get(e, "source")), "AdditionRef-TGPL-1.0");
	ASSERT_LIST(conflict_list, root, "weight-release+non-commercial:review:inherited(nc)");
	ck_assert_str_eq(base(json_string_value(json_array_get(json_object_get(root, "inherits"), 0))),
			 "record.json");
	json_decref(root);

	/* Under tgpl-accepting the NC repository is left out and the conflict resolved. */
	root = obligations_json(ft_db, "tgpl-accepting", 1, "--inherit", record);
	ASSERT_LIST(conflict_list, root, "weight-release+non-commercial:allow:resolved:inherited(nc)");
	ASSERT_LIST(verdict_list, root, "nc=exclude");
	ck_assert_str_eq(json_string_value(json_object_get(root, "verdict")), "exclude");
	json_decref(root);
	free(record);
	free(base_db);
	free(ft_db);
	free(base_repos[0]);
	free(ft_repos[0]);
}
END_TEST

START_TEST(malformed_or_foreign_record_fails_naming_the_file)
{
	char *repos[2] = { repo_nc(), NULL }, *db = db_path("x.db");
	char *bad = e2e_path(e2e_tmp, "bad.json"), *other = e2e_path(e2e_tmp, "other.json");
	char *unk = e2e_path(e2e_tmp, "unk.json"), want[4300];
	e2e_run r;

	scan(db, (const char *const *)repos);
	e2e_write_str(e2e_tmp, "bad.json", "{\"schema\": \"tgpl-obligation-record/1\",\n\"obligations\": [\n");
	e2e_write_str(e2e_tmp, "other.json", "{\"schema\": \"something-else/2\", \"obligations\": []}\n");
	e2e_write_str(e2e_tmp, "unk.json", "{\"schema\": \"tgpl-obligation-record/1\", "
		      "\"obligations\": [{\"id\": \"fly-to-the-moon\"}]}\n");
	e2e_tgpl(&r, e2e_tmp, "--db", db, "obligations", "--inherit", bad, NULL);
	assert_exit(&r, 3, "truncated record");
	snprintf(want, sizeof(want), "tgpl: %s:3:", bad);
	ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0, "<%s>", r.err);
	e2e_run_release(&r);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "obligations", "--inherit", other, NULL);
	assert_exit(&r, 3, "foreign record");
	snprintf(want, sizeof(want), "tgpl: '%s' is not a tgpl obligation record (expected \"schema\": "
		 "\"tgpl-obligation-record/1\")\n", other);
	ck_assert_str_eq(r.err, want);
	e2e_run_release(&r);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "obligations", "--inherit", unk, NULL);
	assert_exit(&r, 3, "unknown obligation");
	snprintf(want, sizeof(want), "tgpl: %s: obligation 1: unknown id 'fly-to-the-moon'\n", unk);
	ck_assert_str_eq(r.err, want);
	e2e_run_release(&r);
	free(bad);
	free(other);
	free(unk);
	free(repos[0]);
	free(db);
}
END_TEST

START_TEST(max_evidence_caps_each_repository_and_counts_the_rest)
{
	char *repo = repo1("many", "a.c", "// SPDX-License-Identifier: MIT\n");
	char *db = db_path("many.db");
	const char *repos[] = { repo, NULL };
	json_t *root, *o;

	e2e_write_str(repo, "b.c", "// SPDX-License-Identifier: MIT\nint b;\n");
	e2e_write_str(repo, "c.c", "// SPDX-License-Identifier: MIT\nint c;\n");
	free(e2e_git_commit_all(repo, "more"));
	scan(db, repos);
	root = obligations_json(db, NULL, 0, "--max-evidence", "2");
	o = find_obligation(root, "attribution");
	ASSERT_LIST(evidence_list, o,
		    "many a.c 1-1 MIT license obligations.attribution,"
		    "many b.c 1-1 MIT license obligations.attribution");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "omitted")), 1);
	json_decref(root);
	free(repo);
	free(db);
}
END_TEST

START_TEST(latest_scanned_revision_decides)
{
	char *repo = repo1("evolve", "a.c", "// SPDX-License-Identifier: CC-BY-NC-4.0\n");
	char *db = db_path("e.db");
	const char *repos[] = { repo, NULL };
	json_t *root;

	scan(db, repos);
	e2e_write_str(repo, "a.c", "// SPDX-License-Identifier: MIT\n");
	e2e_git_date("1700000100 +0000");
	free(e2e_git_commit_all(repo, "relicense"));
	scan(db, repos);
	root = obligations_json(db, "permissive-only", 0, NULL, NULL);
	ASSERT_LIST(obligation_list, root, "attribution:allow");
	ASSERT_LIST(verdict_list, root, "evolve=include-with-obligations");
	json_decref(root);
	free(repo);
	free(db);
}
END_TEST

START_TEST(empty_database_has_no_obligations_and_includes)
{
	char *repos[2] = { repo_none(), NULL }, *db = db_path("empty.db");
	json_t *root;

	scan(db, (const char *const *)repos);
	e2e_db_exec(db, "DELETE FROM file_rows; DELETE FROM file_gone; DELETE FROM revisions; DELETE FROM repositories");
	free(repos[0]);
	root = obligations_json(db, NULL, 0, NULL, NULL);
	ASSERT_LIST(obligation_list, root, "");
	ASSERT_LIST(verdict_list, root, "");
	ck_assert_str_eq(json_string_value(json_object_get(root, "verdict")), "include");
	json_decref(root);
	free(db);
}
END_TEST

START_TEST(compute_survives_every_allocation_failure)
{
	char *db = standard_corpus(), *record = e2e_path(e2e_tmp, "r.json"), *pol = policy_file("tgpl-accepting");
	const char *inherit[1];
	tgpl_obligations_options opts = TGPL_OBLIGATIONS_OPTIONS_INIT;
	tgpl_ctx *ctx = NULL;
	tgpl_db *h = NULL;
	tgpl_policy *p = NULL;
	tgpl_obligations *r = NULL;
	char *want = NULL, *json;
	long n;
	e2e_run run;

	e2e_tgpl(&run, e2e_tmp, "--db", db, "obligations", "-q", "--record", record, NULL);
	assert_exit(&run, 0, "record");
	e2e_run_release(&run);
	inherit[0] = record;
	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_int_eq(tgpl_db_open(&h, ctx, db, TGPL_DB_READONLY), 0);
	ck_assert_int_eq(tgpl_policy_load(&p, ctx, pol), 0);
	opts.policy = p;
	opts.inherit = inherit;
	opts.n_inherit = 1;
	ck_assert_int_eq(tgpl_obligations_compute(&r, ctx, h, &opts), 0);
	ck_assert_int_eq(tgpl_obligations_json(&want, ctx, r), 0);
	tgpl_obligations_free(r);
	for (n = 1; n < 100000; n++) {
		int rc;

		r = NULL;
		json = NULL;
		tgpl_alloc_fail_at(n);
		rc = tgpl_obligations_compute(&r, ctx, h, &opts);
		if (rc == 0)
			rc = tgpl_obligations_json(&json, ctx, r);
		tgpl_alloc_fail_at(0);
		if (rc == 0) {
			/* The failure point lies past the last allocation: a whole, equal result. */
			ck_assert_str_eq(json, want);
			free(json);
			tgpl_obligations_free(r);
			break;
		}
		ck_assert_msg(rc == TGPL_ENOMEM, "allocation %ld: rc %d (%s)", n, rc, tgpl_errmsg(ctx));
		tgpl_obligations_free(r);
	}
	ck_assert_msg(n > 50 && n < 100000, "n = %ld", n);
	free(want);
	tgpl_policy_free(p);
	tgpl_db_close(h);
	tgpl_ctx_free(ctx);
	free(pol);
	free(record);
	free(db);
}
END_TEST

static Suite *obligations_suite(void)
{
	Suite *s = suite_create("obligations (end to end)");

	e2e_add_test(s, default_policy_lists_every_triggered_obligation_with_evidence, 120);
	e2e_add_test(s, evidence_swhid_names_origin_anchor_path_and_lines, 120);
	e2e_add_test(s, directory_scan_evidence_has_no_commit_and_no_anchor, 120);
	e2e_add_test(s, swhid_qualifiers_percent_encode_semicolons_spaces_and_non_ascii, 120);
	e2e_add_test(s, permissive_only_excludes_everything_but_permissive_and_exits_one, 120);
	e2e_add_test(s, tgpl_accepting_includes_tgpl_and_leaves_out_what_weights_cannot_honour, 120);
	e2e_add_test(s, tgpl_accepting_with_nothing_denied_exits_zero, 120);
	e2e_add_test(s, research_only_reviews_conflicts_and_denies_opt_outs, 120);
	e2e_add_test(s, text_output_names_policy_verdicts_and_exit_status, 120);
	e2e_add_test(s, shipped_policy_is_found_by_name_in_the_data_directory, 120);
	e2e_add_test(s, malformed_policy_is_a_usage_error_naming_file_and_line, 120);
	e2e_add_test(s, or_expression_takes_the_alternative_the_policy_likes, 120);
	e2e_add_test(s, linking_exception_makes_copyleft_weak_copyleft, 120);
	e2e_add_test(s, unknown_licence_id_is_unknown_license, 120);
	e2e_add_test(s, tgpl_clauses_beside_gpl_2_text_are_a_rider_weakness, 120);
	e2e_add_test(s, rider_tag_on_gpl_3_is_a_removable_restriction, 120);
	e2e_add_test(s, record_is_written_and_inherited_by_a_finetuning_corpus, 120);
	e2e_add_test(s, malformed_or_foreign_record_fails_naming_the_file, 120);
	e2e_add_test(s, max_evidence_caps_each_repository_and_counts_the_rest, 120);
	e2e_add_test(s, latest_scanned_revision_decides, 120);
	e2e_add_test(s, empty_database_has_no_obligations_and_includes, 120);
	e2e_add_test(s, compute_survives_every_allocation_failure, 600);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(obligations_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
