/*
 * check_contains.c — end-to-end tests of `tgpl contains`: files looked up by
 * content (git blob id) in a database that `tgpl scan` filled from
 * repositories and directories the tests build.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tgpl.h"
#include "tgpl/history.h"

#define A_C "// SPDX-License-Identifier: MIT\nint a;\n"

/* ---- helpers ----------------------------------------------------------------- */

static void assert_exit(const e2e_run *r, int status, const char *what)
{
	ck_assert_msg(!r->timed_out, "%s: timed out", what);
	ck_assert_msg(r->status == status, "%s: exit %d, expected %d\nstdout: %s\nstderr: %s", what,
		      r->status, status, r->out, r->err);
}

static void scan(const char *db, const char *path)
{
	e2e_run r;

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, path, NULL);
	assert_exit(&r, 0, path);
	e2e_run_release(&r);
}

static char *oid_of(const char *path)
{
	return e2e_git_line(e2e_tmp, "hash-object", "--no-filters", path, NULL);
}

/* The engine's reference text of the MIT licence (caller frees). */
static char *mit_text(void)
{
	tgpl_ctx *ctx = NULL;
	tgpl_engine *e = NULL;
	const tgpl_license_info *li;
	char *t;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&e, ctx, NULL) == 0, "%s", tgpl_errmsg(ctx));
	li = tgpl_engine_license(e, "MIT");
	ck_assert_msg(li && li->text, "no MIT text");
	t = strdup(li->text);
	ck_assert_ptr_nonnull(t);
	tgpl_engine_free(e);
	tgpl_ctx_free(ctx);
	return t;
}

/* A repository "name-XXXXXX" with an MIT LICENSE and src/a.c; its commit in *commit. */
static char *mit_repo(const char *name, char **commit)
{
	char *repo = e2e_mkdtemp(name), *mit = mit_text();

	e2e_git_init(repo);
	e2e_write_str(repo, "LICENSE", mit);
	free(mit);
	e2e_write_str(repo, "src/a.c", "int a;\n");
	*commit = e2e_git_commit_all(repo, "commit");
	return repo;
}

/* ---- tests ------------------------------------------------------------------- */

START_TEST(file_in_the_corpus_is_listed_with_repository_commit_path_and_licence)
{
	char *commit, *repo = mit_repo("repo", &commit), *db = e2e_path(e2e_tmp, "c.db");
	char *copy, *oid, *concluded, want[8192];
	e2e_run r;

	scan(db, repo);
	e2e_write_str(e2e_tmp, "copy.c", "int a;\n");
	copy = e2e_path(e2e_tmp, "copy.c");
	oid = oid_of(copy);
	concluded = e2e_db_str(db, "SELECT concluded || ' (' || decided_by || ')' FROM files"
			       " WHERE path = CAST('src/a.c' AS BLOB)", NULL);
	ck_assert_ptr_nonnull(concluded);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", copy, NULL);
	assert_exit(&r, 0, "contains");
	snprintf(want, sizeof(want), "%s  swh:1:cnt:%s  1 file\n  %s  %.12s  src/a.c  %s\n", copy, oid, repo,
		 commit, concluded);
	ck_assert_str_eq(r.out, want);
	ck_assert_uint_eq(r.err_len, 0);
	ck_assert_msg(strstr(concluded, "(license-file:LICENSE)") != NULL, "%s", concluded);
	e2e_run_release(&r);
	free(concluded);
	free(oid);
	free(copy);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(file_not_in_the_corpus_is_said_so_and_exits_one)
{
	char *commit, *repo = mit_repo("repo", &commit), *db = e2e_path(e2e_tmp, "c.db");
	char *other, *inside, *oid, want[8192];
	e2e_run r;

	scan(db, repo);
	e2e_write_str(e2e_tmp, "other.c", "int other;\n");
	other = e2e_path(e2e_tmp, "other.c");
	inside = e2e_path(repo, "src/a.c");
	oid = oid_of(other);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", other, NULL);
	assert_exit(&r, 1, "not found");
	snprintf(want, sizeof(want), "%s  swh:1:cnt:%s  not in the corpus\n", other, oid);
	ck_assert_str_eq(r.out, want);
	e2e_run_release(&r);
	/* one found, one not: still 1, and both are reported in order */
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", inside, other, NULL);
	assert_exit(&r, 1, "mixed");
	ck_assert_msg(strstr(r.out, "  1 file\n") != NULL && strstr(r.out, want) != NULL &&
		      strstr(r.out, want) > strstr(r.out, "  1 file\n"), "<%s>", r.out);
	e2e_run_release(&r);
	free(oid);
	free(inside);
	free(other);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(content_in_several_places_is_listed_in_order_up_to_the_limit)
{
	char *ca, *cb, *ra = mit_repo("repo-a", &ca), *rb = mit_repo("repo-b", &cb);
	char *dir = e2e_mkdtemp("dir-c"), *db = e2e_path(e2e_tmp, "c.db"), *file, *oid, want[8192];
	e2e_run r;

	e2e_write_str(dir, "x/copy.c", "int a;\n");
	e2e_write_str(dir, "x/same.c", "int a;\n");
	scan(db, ra);
	scan(db, rb);
	scan(db, dir);
	file = e2e_path(ra, "src/a.c");
	oid = oid_of(file);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", "--limit", "0", file, NULL);
	assert_exit(&r, 0, "all");
	snprintf(want, sizeof(want),
		 "%s  swh:1:cnt:%s  4 files\n"
		 "  %s  (dir)  x/copy.c  (no licence)\n"
		 "  %s  (dir)  x/same.c  (no licence)\n"
		 "  %s  %.12s  src/a.c  MIT (license-file:LICENSE)\n"
		 "  %s  %.12s  src/a.c  MIT (license-file:LICENSE)\n",
		 file, oid, dir, dir, ra, ca, rb, cb);
	ck_assert_str_eq(r.out, want);
	e2e_run_release(&r);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", "-n", "1", file, NULL);
	assert_exit(&r, 0, "limit 1");
	snprintf(want, sizeof(want),
		 "%s  swh:1:cnt:%s  4 files\n"
		 "  %s  (dir)  x/copy.c  (no licence)\n"
		 "  ... and 3 more (--limit 0 lists all)\n", file, oid, dir);
	ck_assert_str_eq(r.out, want);
	e2e_run_release(&r);
	free(oid);
	free(file);
	free(db);
	free(dir);
	free(ca);
	free(cb);
	free(ra);
	free(rb);
}
END_TEST

START_TEST(json_lines_give_one_object_per_file)
{
	char *commit, *repo = mit_repo("repo", &commit), *db = e2e_path(e2e_tmp, "c.db");
	char *in, *out_file, *oid_in, *oid_out, want[8192];
	e2e_run r;

	scan(db, repo);
	in = e2e_path(repo, "src/a.c");
	e2e_write_str(e2e_tmp, "new \"file\".c", "int b;\n");
	out_file = e2e_path(e2e_tmp, "new \"file\".c");
	oid_in = oid_of(in);
	oid_out = oid_of(out_file);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", "--json", in, out_file, NULL);
	assert_exit(&r, 1, "json");
	snprintf(want, sizeof(want),
		 "{\"file\":\"%s\",\"sha1_git\":\"%s\",\"swhid\":\"swh:1:cnt:%s\",\"found\":true,\"total\":1,"
		 "\"occurrences\":[{\"repository\":\"%s\",\"kind\":\"git\",\"commit\":\"%s\","
		 "\"ref\":\"refs/heads/main\",\"path\":\"src/a.c\",\"license\":\"MIT\","
		 "\"decided_by\":\"license-file:LICENSE\",\"expression\":null}]}\n"
		 "{\"file\":\"%s/new \\\"file\\\".c\",\"sha1_git\":\"%s\",\"swhid\":\"swh:1:cnt:%s\","
		 "\"found\":false,\"total\":0,\"occurrences\":[]}\n",
		 in, oid_in, oid_in, repo, commit, e2e_tmp, oid_out, oid_out);
	ck_assert_str_eq(r.out, want);
	e2e_run_release(&r);
	free(oid_in);
	free(oid_out);
	free(in);
	free(out_file);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(unreadable_arguments_are_runtime_errors_and_the_rest_still_answered)
{
	char *commit, *repo = mit_repo("repo", &commit), *db = e2e_path(e2e_tmp, "c.db"), *in;
	e2e_run r;

	scan(db, repo);
	in = e2e_path(repo, "src/a.c");
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", "/no/such/file", repo, in, NULL);
	assert_exit(&r, 3, "unreadable");
	ck_assert_msg(strstr(r.err, "tgpl: cannot read '/no/such/file': ") == r.err, "<%s>", r.err);
	ck_assert_msg(strstr(r.err, "not a regular file") != NULL, "<%s>", r.err);
	ck_assert_msg(strstr(r.out, "  1 file\n") != NULL, "<%s>", r.out);
	e2e_run_release(&r);
	/* no database yet: said so, with what to do */
	e2e_tgpl(&r, e2e_tmp, "--db", "/no/such.db", "contains", in, NULL);
	assert_exit(&r, 3, "no database");
	ck_assert_msg(strstr(r.err, "run 'tgpl scan' first") != NULL, "<%s>", r.err);
	e2e_run_release(&r);
	/* usage */
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", NULL);
	assert_exit(&r, 2, "no file");
	e2e_run_release(&r);
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", "--limit", "many", in, NULL);
	assert_exit(&r, 2, "bad limit");
	ck_assert_msg(strstr(r.err, "'many'") != NULL, "<%s>", r.err);
	e2e_run_release(&r);
	free(in);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(blob_id_of_a_file_is_the_git_blob_id)
{
	static const char bin[] = { 'a', 0, 'b', '\n', (char)0xff, 0 };
	static const char *const names[] = { "empty", "text", "binary" };
	tgpl_ctx *ctx = NULL;
	char out[41];
	size_t i;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	e2e_write_str(e2e_tmp, "empty", "");
	e2e_write_str(e2e_tmp, "text", "hello\r\nworld\n");
	e2e_write_file(e2e_tmp, "binary", bin, sizeof(bin), 0755);
	for (i = 0; i < 3; i++) {
		char *p = e2e_path(e2e_tmp, names[i]), *want = oid_of(p);

		ck_assert_int_eq(tgpl_blob_id_file(out, ctx, p), 0);
		ck_assert_str_eq(out, want);
		free(want);
		free(p);
	}
	ck_assert_int_eq(tgpl_blob_id_file(out, ctx, e2e_tmp), TGPL_EINVAL);
	{
		char *p = e2e_path(e2e_tmp, "empty");
		ck_assert_int_eq(tgpl_blob_id_file(out, ctx, p), 0);
		ck_assert_str_eq(out, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
		free(p);
	}
	ck_assert_int_eq(tgpl_blob_id_file(out, ctx, "/no/such/file"), TGPL_ENOTFOUND);
	tgpl_ctx_free(ctx);
}
END_TEST

START_TEST(hostile_names_in_the_corpus_are_escaped)
{
	char *dir = e2e_mkdtemp("dir"), *db = e2e_path(e2e_tmp, "c.db"), *file;
	e2e_run r;

	e2e_write_str(dir, "evil\x1b[2J\nname.c", A_C);
	scan(db, dir);
	e2e_write_str(e2e_tmp, "mine.c", A_C);
	file = e2e_path(e2e_tmp, "mine.c");
	e2e_tgpl(&r, e2e_tmp, "--db", db, "contains", file, NULL);
	assert_exit(&r, 0, "hostile");
	ck_assert_msg(e2e_find_control(r.out, r.out_len) < 0, "<%s>", r.out);
	ck_assert_msg(strstr(r.out, "  (dir)  evil\\x1b[2J\\nname.c  MIT (own)\n") != NULL, "<%s>", r.out);
	e2e_run_release(&r);
	free(file);
	free(db);
	free(dir);
}
END_TEST

static Suite *contains_suite(void)
{
	Suite *s = suite_create("contains (end to end)");

	e2e_add_test(s, file_in_the_corpus_is_listed_with_repository_commit_path_and_licence, 120);
	e2e_add_test(s, file_not_in_the_corpus_is_said_so_and_exits_one, 120);
	e2e_add_test(s, content_in_several_places_is_listed_in_order_up_to_the_limit, 120);
	e2e_add_test(s, json_lines_give_one_object_per_file, 120);
	e2e_add_test(s, unreadable_arguments_are_runtime_errors_and_the_rest_still_answered, 120);
	e2e_add_test(s, blob_id_of_a_file_is_the_git_blob_id, 60);
	e2e_add_test(s, hostile_names_in_the_corpus_are_escaped, 120);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(contains_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
