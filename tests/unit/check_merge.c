/*
 * check_merge.c — `tgpl merge`: shards merged equal one scan, merging is
 * idempotent, databases of another engine or schema are refused whole, and
 * the contrib/ recipes (GNU parallel; Slurm with a stand-in sbatch) give the
 * same database as a single scan.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/history.h"
#include "support.h"

#define COMMIT_DATE "1700000000 +0000"

static void assert_has(const char *text, size_t len, const char *needle, const char *what)
{
	ck_assert_msg(e2e_contains(text, len, needle), "%s lacks <%s>: <%s>", what, needle, text);
}

static char *tmp(const char *name)
{
	return e2e_path(e2e_tmp, name);
}

/* Repository `name` with `n` files; some files are shared with the other repositories. */
static char *make_repo(const char *name, int n)
{
	char *repo = e2e_path(e2e_tmp, name);
	char rel[64], text[128];
	int i;

	e2e_git_init(repo);
	e2e_write_str(repo, "LICENSE", n % 2 ? "SPDX-License-Identifier: MIT\n"
					     : "SPDX-License-Identifier: Apache-2.0\n");
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "src/f%d.c", i);
		if (i % 3 == 0)
			snprintf(text, sizeof(text), "// SPDX-License-Identifier: GPL-2.0-only\nint shared%d;\n", i);
		else
			snprintf(text, sizeof(text), "int %s_%d;\n", name, i);
		e2e_write_str(repo, rel, text);
	}
	e2e_git_date(COMMIT_DATE);
	free(e2e_git_commit_all(repo, "c"));
	return repo;
}

/* Five repositories, one of them at two revisions, listed in corpus.txt. */
static void make_corpus(void)
{
	char *r[5];
	int i;

	for (i = 0; i < 5; i++) {
		char name[8];
		snprintf(name, sizeof(name), "r%d", i);
		r[i] = make_repo(name, 4 + 3 * i);
	}
	free(e2e_git(r[2], "tag", "old", NULL));
	e2e_write_str(r[2], "src/new.c", "int newer;\n");
	free(e2e_git_commit_all(r[2], "second"));
	e2e_write_str(e2e_tmp, "corpus.txt", "r0\nr1\n# r2 twice\nr2 old\nr2\nr3\nr4\n");
	for (i = 0; i < 5; i++)
		free(r[i]);
}

/* Everything but row ids and times, by natural keys (see check_corpus.c). */
static void db_content(e2e_list *out, const char *db)
{
	static const char *const queries[] = {
		"SELECT 'repo', path, kind, origin FROM repositories",
		"SELECT 'rev', r.path, v.rev_key, v.commit_id, v.tree_id, v.commit_time, v.ref, v.engine,"
		" v.declared FROM revisions v JOIN repositories r ON r.id = v.repo_id",
		"SELECT 'file', r.path, v.rev_key, f.path, f.mode, f.type, f.oid, f.size, f.concluded,"
		" f.decided_by FROM files f JOIN revisions v ON v.id = f.rev_id"
		" JOIN repositories r ON r.id = v.repo_id",
		"SELECT 'blob', id, size FROM blobs",
		"SELECT 'analysis', blob_id, engine, expression, skipped, n_lines FROM analyses",
		"SELECT 'finding', blob_id, engine, seq, category, kind, spdx, expr, start_line, end_line,"
		" score, rule, note, unmatched FROM findings",
	};
	size_t i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		e2e_db_rows(out, db, queries[i], NULL);
}

static void assert_same_content(const char *a, const char *b, const char *what)
{
	e2e_list x = E2E_LIST_INIT, y = E2E_LIST_INIT;

	db_content(&x, a);
	db_content(&y, b);
	ck_assert_msg(x.n > 20, "%s: %s holds only %zu rows", what, a, x.n);
	e2e_list_assert_eq(&x, &y, what);
	e2e_list_release(&x);
	e2e_list_release(&y);
}

/* Row counts of every table, as one string. */
static char *table_counts(const char *db)
{
	return e2e_db_str(db,
		"SELECT (SELECT count(*) FROM repositories) || ' ' || (SELECT count(*) FROM revisions)"
		" || ' ' || (SELECT count(*) FROM files) || ' ' || (SELECT count(*) FROM blobs)"
		" || ' ' || (SELECT count(*) FROM analyses) || ' ' || (SELECT count(*) FROM findings)"
		" || ' ' || (SELECT count(*) FROM scans)", NULL);
}

static void scan_ok(const char *db, const char *shard)
{
	e2e_run r;

	if (shard)
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--shard", shard, "--corpus", "corpus.txt", NULL);
	else
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--corpus", "corpus.txt", NULL);
	e2e_assert_exit(&r, 0, shard ? shard : "single scan");
	e2e_run_release(&r);
}

/* The three shard databases s0.db .. s2.db and the single scan single.db. */
static void scan_shards(void)
{
	char *single = tmp("single.db");
	int k;

	make_corpus();
	scan_ok(single, NULL);
	for (k = 0; k < 3; k++) {
		char shard[8], name[8];
		char *db;

		snprintf(shard, sizeof(shard), "%d/3", k);
		snprintf(name, sizeof(name), "s%d.db", k);
		db = tmp(name);
		scan_ok(db, shard);
		free(db);
	}
	free(single);
}

START_TEST(merged_shards_hold_what_one_scan_of_the_corpus_holds)
{
	char *out = tmp("out.db"), *single = tmp("single.db");
	e2e_run r;

	scan_shards();
	e2e_tgpl(&r, e2e_tmp, "merge", out, "s0.db", "s1.db", "s2.db", NULL);
	e2e_assert_exit(&r, 0, "merge");
	assert_has(r.out, r.out_len, "s0.db: 2 repositories, 2 revisions, ", "stdout");
	assert_has(r.out, r.out_len, "s2.db: 1 repositories, 2 revisions, ", "stdout");
	e2e_run_release(&r);
	assert_same_content(single, out, "three shards merged vs one scan");
	ck_assert_int_eq(e2e_db_int(out, "SELECT count(*) FROM scans", NULL), 3);
	/* Files point at the right revisions: ids were remapped, not copied. */
	ck_assert_int_eq(e2e_db_int(out, "SELECT count(*) FROM files f LEFT JOIN revisions v"
				    " ON v.id = f.rev_id WHERE v.id IS NULL", NULL), 0);
	ck_assert_int_eq(e2e_db_count(out, "PRAGMA foreign_key_check", NULL), 0);
	/* In another order, the same content. */
	{
		char *out2 = tmp("out2.db");
		e2e_tgpl(&r, e2e_tmp, "merge", out2, "s2.db", "s0.db", "s1.db", NULL);
		e2e_assert_exit(&r, 0, "merge in another order");
		e2e_run_release(&r);
		assert_same_content(single, out2, "shards merged in another order");
		free(out2);
	}
	/* The inputs are left as they were, with no journal files beside them. */
	{
		char *wal = tmp("s0.db-wal"), *shm = tmp("s0.db-shm");
		ck_assert_msg(access(wal, F_OK) < 0 && access(shm, F_OK) < 0, "merge left -wal/-shm files");
		free(wal);
		free(shm);
	}
	free(out);
	free(single);
}
END_TEST

START_TEST(merging_the_same_shard_twice_adds_nothing)
{
	char *out = tmp("out.db");
	char *before, *after;
	e2e_run r;

	scan_shards();
	e2e_tgpl(&r, e2e_tmp, "merge", out, "s0.db", "s1.db", NULL);
	e2e_assert_exit(&r, 0, "first merge");
	e2e_run_release(&r);
	before = table_counts(out);
	e2e_tgpl(&r, e2e_tmp, "merge", out, "s1.db", "s0.db", "s1.db", NULL);
	e2e_assert_exit(&r, 0, "merge again");
	assert_has(r.out, r.out_len,
		   "s1.db: 0 repositories, 0 revisions, 0 files, 0 blobs, 0 analyses, 0 findings, "
		   "0 scan runs added\n", "stdout");
	e2e_run_release(&r);
	after = table_counts(out);
	ck_assert_str_eq(before, after);
	/* A database merged into a copy of itself adds nothing either. */
	{
		char *copy = tmp("copy.db");
		char *c0, *c1;
		e2e_tgpl(&r, e2e_tmp, "merge", copy, "s2.db", NULL);
		e2e_assert_exit(&r, 0, "merge s2 into an empty database");
		e2e_run_release(&r);
		c0 = table_counts(copy);
		e2e_tgpl(&r, e2e_tmp, "merge", copy, "s2.db", NULL);
		e2e_assert_exit(&r, 0, "merge s2 again");
		e2e_run_release(&r);
		c1 = table_counts(copy);
		ck_assert_str_eq(c0, c1);
		free(c0);
		free(c1);
		free(copy);
	}
	free(before);
	free(after);
	free(out);
}
END_TEST

START_TEST(another_engine_version_is_refused_and_nothing_is_written)
{
	char *out = tmp("out.db"), *s1 = tmp("s1.db");
	char *before, *after;
	e2e_run r;

	scan_shards();
	e2e_tgpl(&r, e2e_tmp, "merge", out, "s0.db", NULL);
	e2e_assert_exit(&r, 0, "first merge");
	e2e_run_release(&r);
	before = table_counts(out);
	/* s1 as a tgpl with other licence data would have written it. */
	e2e_db_exec(s1, "UPDATE revisions SET engine = 'tgpl-9.9.9+other';"
			"UPDATE analyses SET engine = 'tgpl-9.9.9+other';"
			"UPDATE findings SET engine = 'tgpl-9.9.9+other'");
	e2e_tgpl(&r, e2e_tmp, "merge", out, "s1.db", "s2.db", NULL);
	e2e_assert_exit(&r, 3, "merge of another engine");
	assert_has(r.err, r.err_len, "tgpl: cannot merge 's1.db': its results come from engine "
		   "tgpl-9.9.9+other, database '", "stderr");
	assert_has(r.err, r.err_len, "1 later input was not merged (--keep-going merges them)", "stderr");
	e2e_run_release(&r);
	after = table_counts(out);
	ck_assert_str_eq(before, after);
	/* --keep-going merges the others. */
	e2e_tgpl(&r, e2e_tmp, "merge", "-k", out, "s1.db", "s2.db", NULL);
	e2e_assert_exit(&r, 3, "merge --keep-going");
	assert_has(r.out, r.out_len, "s2.db: 1 repositories", "stdout");
	assert_has(r.err, r.err_len, "1 of 2 inputs could not be merged", "stderr");
	e2e_run_release(&r);
	/* An input mixing two engines is refused even into an empty database. */
	{
		char *fresh = tmp("fresh.db"), *s0 = tmp("s0.db");
		e2e_db_exec(s0, "UPDATE analyses SET engine = 'old' WHERE blob_id ="
				" (SELECT min(blob_id) FROM analyses)");
		e2e_tgpl(&r, e2e_tmp, "merge", fresh, "s0.db", NULL);
		e2e_assert_exit(&r, 3, "input with two engines");
		assert_has(r.err, r.err_len, "holds results of two engines", "stderr");
		e2e_run_release(&r);
		ck_assert_int_eq(e2e_db_int(fresh, "SELECT count(*) FROM files", NULL), 0);
		free(s0);
		free(fresh);
	}
	free(before);
	free(after);
	free(s1);
	free(out);
}
END_TEST

START_TEST(inputs_that_are_not_tgpl_databases_of_this_schema_are_refused)
{
	char *out = tmp("out.db"), *newer = tmp("newer.db"), *other = tmp("other.db");
	char msg[160];
	e2e_run r;

	scan_shards();
	e2e_write_str(e2e_tmp, "junk.db", "not a database at all, just some text\n");
	/* A tgpl database from a newer schema. */
	e2e_tgpl(&r, e2e_tmp, "merge", newer, "s0.db", NULL);
	e2e_assert_exit(&r, 0, "make a copy");
	e2e_run_release(&r);
	e2e_db_exec(newer, "PRAGMA user_version = 99");
	/* An SQLite database that is not ours (made by copying the header-less way: a
	 * fresh database from tgpl, its application id cleared). */
	e2e_tgpl(&r, e2e_tmp, "merge", other, "s1.db", NULL);
	e2e_assert_exit(&r, 0, "make another copy");
	e2e_run_release(&r);
	e2e_db_exec(other, "PRAGMA application_id = 0");
	e2e_tgpl(&r, e2e_tmp, "merge", "-k", out, "junk.db", "newer.db", "other.db", "nope.db", "out.db",
		 NULL);
	e2e_assert_exit(&r, 3, "bad inputs");
	assert_has(r.err, r.err_len, "tgpl: cannot attach 'junk.db': file is not a database\n", "stderr");
	snprintf(msg, sizeof(msg), "tgpl: cannot merge 'newer.db': it has schema 99, this tgpl writes %d;"
		 " upgrade tgpl\n", TGPL_SCHEMA_VERSION);
	assert_has(r.err, r.err_len, msg, "stderr");
	assert_has(r.err, r.err_len, "tgpl: cannot merge 'other.db': not a tgpl database\n", "stderr");
	assert_has(r.err, r.err_len, "tgpl: cannot merge 'nope.db': no such database\n", "stderr");
	assert_has(r.err, r.err_len, "tgpl: cannot merge 'out.db' into itself\n", "stderr");
	assert_has(r.err, r.err_len, "5 of 5 inputs could not be merged", "stderr");
	e2e_run_release(&r);
	ck_assert_int_eq(e2e_db_int(out, "SELECT count(*) FROM repositories", NULL), 0);
	/* Usage errors. */
	e2e_tgpl(&r, e2e_tmp, "merge", out, NULL);
	e2e_assert_exit(&r, 2, "merge with one argument");
	e2e_run_release(&r);
	e2e_tgpl(&r, e2e_tmp, "--db", "x.db", "merge", out, "s0.db", NULL);
	e2e_assert_exit(&r, 2, "merge with --db");
	assert_has(r.err, r.err_len, "the output database is the first argument", "stderr");
	e2e_run_release(&r);
	free(other);
	free(newer);
	free(out);
}
END_TEST

#ifdef STORE_HISTORY_DDL
START_TEST(licence_history_rows_follow_their_repository)
{
	char *out = tmp("out.db"), *s0 = tmp("s0.db");
	e2e_run r;

	scan_shards();
	e2e_db_exec(s0, STORE_HISTORY_DDL);
	e2e_db_exec(s0, "INSERT INTO history (repo_id, commit_id, seq, commit_time, author_time, engine,"
			" declared) SELECT max(id), 'c0ffee', 0, 1, 1, (SELECT engine FROM revisions LIMIT 1),"
			" 'MIT' FROM repositories");
	/* Another repository first in the output, so the ids differ. */
	e2e_tgpl(&r, e2e_tmp, "merge", out, "s1.db", "s0.db", NULL);
	e2e_assert_exit(&r, 0, "merge with history");
	assert_has(r.out, r.out_len, ", 1 licence-history rows added\n", "stdout");
	e2e_run_release(&r);
	{
		char *want = e2e_db_str(s0, "SELECT path FROM repositories ORDER BY id DESC LIMIT 1", NULL);
		char *got = e2e_db_str(out, "SELECT r.path FROM history h JOIN repositories r"
				       " ON r.id = h.repo_id WHERE h.commit_id = 'c0ffee'", NULL);
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want);
		free(want);
		free(got);
	}
	e2e_tgpl(&r, e2e_tmp, "merge", out, "s0.db", NULL);
	e2e_assert_exit(&r, 0, "merge with history again");
	e2e_run_release(&r);
	ck_assert_int_eq(e2e_db_int(out, "SELECT count(*) FROM history", NULL), 1);
	free(s0);
	free(out);
}
END_TEST
#endif

/* Is `prog` an executable in one of $PATH's directories? */
static int in_path(const char *prog)
{
	const char *p = getenv("PATH");
	char dir[4096];

	while (p && *p) {
		size_t n = strcspn(p, ":");
		if (n > 0 && n + strlen(prog) + 2 < sizeof(dir)) {
			snprintf(dir, sizeof(dir), "%.*s/%s", (int)n, p, prog);
			if (access(dir, X_OK) == 0)
				return 1;
		}
		p += n + (p[n] == ':');
	}
	return 0;
}

START_TEST(gnu_parallel_recipe_with_four_shards_equals_a_single_scan)
{
	const char *src = getenv("TGPL_SRCDIR");
	char *script, *out = tmp("par.db"), *single = tmp("single.db");
	const char *argv[10];
	e2e_run r;

	if (!in_path("parallel")) {
		fprintf(stderr, "check_merge: SKIPPED gnu_parallel_recipe_with_four_shards_equals_a_single_scan:"
				" GNU parallel is not installed (apt-get install parallel)\n");
		free(out);
		free(single);
		return;
	}
	ck_assert_msg(src && *src, "TGPL_SRCDIR is not set");
	script = e2e_path(src, "contrib/parallel-scan.sh");
	make_corpus();
	scan_ok(single, NULL);
	setenv("TGPL", e2e_tgpl_bin(), 1);
	argv[0] = "sh";
	argv[1] = script;
	argv[2] = "-n";
	argv[3] = "4";
	argv[4] = "-j";
	argv[5] = "2";
	argv[6] = "corpus.txt";
	argv[7] = out;
	argv[8] = NULL;
	e2e_run_argv(&r, e2e_tmp, argv, 120);
	e2e_assert_exit(&r, 0, "contrib/parallel-scan.sh -n 4 -j 2");
	e2e_run_release(&r);
	assert_same_content(single, out, "GNU parallel recipe vs one scan");
	ck_assert_int_eq(e2e_db_int(out, "SELECT count(*) FROM scans", NULL), 4);
	{
		char *shard = tmp("par.db.shards/shard-3.db");
		ck_assert_msg(access(shard, F_OK) == 0, "no %s", shard);
		free(shard);
	}
	free(script);
	free(single);
	free(out);
}
END_TEST

/* A stand-in for sbatch: runs an array's tasks one after the other, then the dependent job. */
static const char fake_sbatch[] =
	"#!/bin/sh\n"
	"array= dep=\n"
	"while [ $# -gt 0 ]; do\n"
	"  case $1 in\n"
	"    --array=*) array=${1#--array=} ;;\n"
	"    --dependency=*) dep=${1#--dependency=} ;;\n"
	"    --*) ;;\n"
	"    *) break ;;\n"
	"  esac\n"
	"  shift\n"
	"done\n"
	"echo \"$dep $*\" >> \"$SBATCH_LOG\"\n"
	"if [ -n \"$array\" ]; then\n"
	"  k=${array%%-*}; last=${array#*-}\n"
	"  while [ $k -le $last ]; do SLURM_ARRAY_TASK_ID=$k sh \"$@\" >/dev/null; k=$((k+1)); done\n"
	"  echo 41\n"
	"else\n"
	"  sh \"$@\" >/dev/null || exit 1\n"
	"  echo 42\n"
	"fi\n";

START_TEST(slurm_recipe_runs_an_array_then_a_merge_that_equals_a_single_scan)
{
	const char *src = getenv("TGPL_SRCDIR");
	char *script, *bin = e2e_mkdtemp("bin"), *out = tmp("slurm"), *single = tmp("single.db");
	char *merged, *log, *path, *logtext;
	const char *argv[8];
	e2e_run r;

	ck_assert_msg(src && *src, "TGPL_SRCDIR is not set");
	script = e2e_path(src, "contrib/slurm-scan.sh");
	make_corpus();
	scan_ok(single, NULL);
	e2e_write_file(bin, "sbatch", fake_sbatch, strlen(fake_sbatch), 0755);
	log = tmp("sbatch.log");
	path = malloc(strlen(bin) + strlen(getenv("PATH")) + 2);
	ck_assert_ptr_nonnull(path);
	snprintf(path, strlen(bin) + strlen(getenv("PATH")) + 2, "%s:%s", bin, getenv("PATH"));
	setenv("PATH", path, 1);
	setenv("SBATCH_LOG", log, 1);
	setenv("TGPL", e2e_tgpl_bin(), 1);
	argv[0] = "sh";
	argv[1] = script;
	argv[2] = "submit";
	argv[3] = "corpus.txt";
	argv[4] = out;
	argv[5] = "3";
	argv[6] = "--cpus-per-task=2";
	argv[7] = NULL;
	e2e_run_argv(&r, e2e_tmp, argv, 120);
	e2e_assert_exit(&r, 0, "contrib/slurm-scan.sh submit");
	assert_has(r.out, r.out_len, "submitted scan array 41 (3 shards) and merge job 42", "stdout");
	e2e_run_release(&r);
	logtext = e2e_read_file(log, NULL);
	ck_assert_ptr_nonnull(logtext);
	ck_assert_msg(strstr(logtext, "afterany:41 ") != NULL, "the merge does not wait for the array: %s",
		      logtext);
	merged = e2e_path(out, "corpus.db");
	assert_same_content(single, merged, "Slurm recipe vs one scan");
	free(logtext);
	free(merged);
	free(path);
	free(log);
	free(script);
	free(single);
	free(out);
	free(bin);
}
END_TEST

static Suite *merge_suite(void)
{
	Suite *s = suite_create("merge");

	e2e_add_test(s, merged_shards_hold_what_one_scan_of_the_corpus_holds, 240);
	e2e_add_test(s, merging_the_same_shard_twice_adds_nothing, 240);
	e2e_add_test(s, another_engine_version_is_refused_and_nothing_is_written, 240);
	e2e_add_test(s, inputs_that_are_not_tgpl_databases_of_this_schema_are_refused, 240);
#ifdef STORE_HISTORY_DDL
	e2e_add_test(s, licence_history_rows_follow_their_repository, 240);
#endif
	e2e_add_test(s, gnu_parallel_recipe_with_four_shards_equals_a_single_scan, 240);
	e2e_add_test(s, slurm_recipe_runs_an_array_then_a_merge_that_equals_a_single_scan, 240);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(merge_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
