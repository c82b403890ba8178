/*
 * check_corpus.c — scans at corpus scale: the same database for any --jobs,
 * --max-file-size skips, corpus files (syntax, relative paths, revisions,
 * failures that do not stop the scan, malformed lines), and --shard.
 * End to end through $TGPL_BIN, plus the corpus reader through the library.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan/corpus.h"
#include "support.h"
#include "tgpl.h"

#define COMMIT_DATE "1700000000 +0000"

static const char gpl_notice[] =
	"/*\n * This program is free software; you can redistribute it and/or modify\n"
	" * it under the terms of the GNU General Public License as published by\n"
	" * the Free Software Foundation; either version 2 of the License, or\n"
	" * (at your option) any later version.\n */\n";

/* ---- helpers ----------------------------------------------------------------- */

static void assert_has(const char *text, size_t len, const char *needle, const char *what)
{
	ck_assert_msg(e2e_contains(text, len, needle), "%s lacks <%s>: <%s>", what, needle, text);
}

/* The text of generated file number i. */
static const char *file_text(char *text, size_t size, int i)
{
	if (i % 9 == 0)
		snprintf(text, size, "// SPDX-License-Identifier: %s\nint f%d;\n",
			 i % 2 ? "Apache-2.0" : "GPL-2.0-or-later", i);
	else if (i % 13 == 0)
		snprintf(text, size, "%sint g%d;\n", gpl_notice, i);
	else if (i % 5 == 0)
		snprintf(text, size, "int same;\n");   /* one blob, many files */
	else
		snprintf(text, size, "static int v%d = %d;\n", i, i * 7);
	return text;
}

/*
 * A repository of `nfiles` generated files: sources (some with SPDX tags or a
 * GPL notice), licence texts, identical copies, a binary file and one file
 * of `big` bytes.  Deterministic: the same arguments give the same commit.
 */
static char *make_repo(const char *name, int nfiles, size_t big)
{
	char *repo = e2e_path(e2e_tmp, name);
	char rel[64], text[512], *mit = e2e_license_text("MIT", "Copyright (c) 2024 Example");
	int i;

	e2e_git_init(repo);
	e2e_write_str(repo, "LICENSE", mit);
	e2e_write_str(repo, "vendor/x/COPYING", mit);
	free(mit);
	for (i = 0; i < nfiles; i++) {
		snprintf(rel, sizeof(rel), "src/d%d/f%d.c", i % 7, i);
		e2e_write_str(repo, rel, file_text(text, sizeof(text), i));
	}
	e2e_write_file(repo, "bin/blob.bin", "\x00\x01\x02\xff\x00garbage", 12, 0644);
	if (big) {
		char *b = malloc(big);
		ck_assert_ptr_nonnull(b);
		memset(b, 'x', big);
		e2e_write_file(repo, "big.txt", b, big, 0644);
		free(b);
	}
	e2e_git_date(COMMIT_DATE);
	free(e2e_git_commit_all(repo, "generated"));
	return repo;
}

/*
 * The content of a database, every table, by natural keys rather than row
 * ids, without the times a scan was made (revisions.scanned_at, the scans
 * table's started_at and finished_at).  With `scans`, the scan runs too.
 */
static void db_content(e2e_list *out, const char *db, int scans)
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
	if (scans)
		e2e_db_rows(out, db, "SELECT 'scan', engine, repos, files, analysed, reused FROM scans", NULL);
}

static void assert_same_content(const char *a, const char *b, int scans, const char *what)
{
	e2e_list x = E2E_LIST_INIT, y = E2E_LIST_INIT;

	db_content(&x, a, scans);
	db_content(&y, b, scans);
	ck_assert_msg(x.n > 0, "%s: %s is empty", what, a);
	e2e_list_assert_eq(&x, &y, what);
	e2e_list_release(&x);
	e2e_list_release(&y);
}

static char *tmp(const char *name)
{
	return e2e_path(e2e_tmp, name);
}

/* A growing string, for building expected output. */
typedef struct {
	char *ptr;
	size_t len, cap;
} text_buf;

static void text_puts(text_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->ptr = realloc(b->ptr, b->cap);
		ck_assert_ptr_nonnull(b->ptr);
	}
	memcpy(b->ptr + b->len, s, n + 1);
	b->len += n;
}

/* The repository paths stored, one string per row. */
static void stored_paths(e2e_list *out, const char *db)
{
	e2e_db_rows(out, db, "SELECT path FROM repositories", NULL);
}

/* ---- --jobs and --max-file-size ---------------------------------------------- */

START_TEST(jobs_1_2_and_4_store_identical_database_content)
{
	char *repo = make_repo("gen", 400, 0);
	const char *jobs[] = { "1", "2", "4" };
	char *dbs[3];
	size_t i;

	for (i = 0; i < 3; i++) {
		char name[32];
		e2e_run r;

		snprintf(name, sizeof(name), "j%s.db", jobs[i]);
		dbs[i] = tmp(name);
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", dbs[i], "--jobs", jobs[i], repo, NULL);
		e2e_assert_exit(&r, 0, name);
		e2e_run_release(&r);
	}
	ck_assert_int_eq(e2e_db_int(dbs[0], "SELECT count(*) FROM files", NULL), 400 + 3);
	/* Every distinct blob analysed once: 400 files, minus the copies of "int same;". */
	ck_assert_int_eq(e2e_db_int(dbs[0], "SELECT count(*) FROM analyses", NULL),
			 e2e_db_int(dbs[0], "SELECT count(DISTINCT oid) FROM files", NULL));
	ck_assert_int_gt(e2e_db_int(dbs[0], "SELECT count(*) FROM findings", NULL), 0);
	assert_same_content(dbs[0], dbs[1], 1, "--jobs 1 vs --jobs 2");
	assert_same_content(dbs[0], dbs[2], 1, "--jobs 1 vs --jobs 4");
	/* Row ids too: the writer stores in walk order whatever the threads do. */
	{
		e2e_list x = E2E_LIST_INIT, y = E2E_LIST_INIT;
		e2e_db_rows(&x, dbs[0], "SELECT rev_id, path FROM files", NULL);
		e2e_db_rows(&y, dbs[2], "SELECT rev_id, path FROM files", NULL);
		e2e_list_assert_eq(&x, &y, "file rows with their revision ids");
		e2e_list_release(&x);
		e2e_list_release(&y);
	}
	for (i = 0; i < 3; i++)
		free(dbs[i]);
	free(repo);
}
END_TEST

/* The "  licences: ..." line `tgpl scan` should print for `repo`, from the database. */
static char *counts_line(const char *db, const char *repo)
{
	e2e_list rows = E2E_LIST_INIT;
	text_buf line = { 0 };
	size_t k;

	e2e_db_rows(&rows, db,
		"SELECT label || ' (' || n || ')' FROM (SELECT CASE"
		"  WHEN a.skipped IS NOT NULL THEN '(skipped: ' || a.skipped || ')'"
		"  WHEN a.expression IS NULL THEN '(none)' ELSE a.expression END AS label, count(*) AS n"
		" FROM files f JOIN revisions v ON v.id = f.rev_id JOIN repositories r ON r.id = v.repo_id"
		" LEFT JOIN analyses a ON a.blob_id = f.oid AND a.engine = v.engine"
		" WHERE f.type = 'file' AND r.path = CAST(?1 AS BLOB) GROUP BY label)"
		" ORDER BY n DESC, label", repo, NULL);
	ck_assert_msg(rows.n > 0 && rows.n <= 8, "%s: %zu labels", repo, rows.n);
	text_puts(&line, "  licences: ");
	for (k = 0; k < rows.n; k++) {
		const char *c;

		if (k)
			text_puts(&line, ", ");
		for (c = rows.v[k]; *c; c++) {   /* e2e_db_rows escapes spaces */
			if (strncmp(c, "\\x20", 4) == 0) {
				text_puts(&line, " ");
				c += 3;
			} else {
				char one[2] = { *c, 0 };
				text_puts(&line, one);
			}
		}
	}
	text_puts(&line, "\n");
	e2e_list_release(&rows);
	return line.ptr;
}

/*
 * Repositories overlap on two threads (the next is walked while the last
 * blobs of the one before are analysed and it is committed): the reports
 * still come in corpus order, a failing repository in the middle takes
 * nothing of its neighbours with it, blobs shared across the boundary are
 * counted in both, and the database is the one a single thread writes.
 */
START_TEST(overlapping_repositories_report_in_order_and_store_what_one_thread_stores)
{
	/* q holds every blob of p, and walks them first. */
	char *p = make_repo("p", 300, 0), *q = make_repo("q", 360, 0), *r3 = make_repo("r", 200, 0);
	char *broken = make_repo("broken", 120, 0), *oid, *obj, rel[64], text[512];
	const char *jobs[] = { "1", "2" };
	char *dbs[2], *outs[2];
	size_t i;

	/* p ends with files slow to analyse (many licence texts each), q begins
	 * with them: those p is still analysing when q starts are met in flight. */
	for (i = 0; i < 6; i++) {
		char *big = e2e_slow_text(12, i);

		snprintf(rel, sizeof(rel), "zz/big%zu.txt", i);
		e2e_write_str(p, rel, big);
		snprintf(rel, sizeof(rel), "a/zz/big%zu.txt", i);
		e2e_write_str(q, rel, big);
		free(big);
	}
	for (i = 0; i < 300; i++) {
		snprintf(rel, sizeof(rel), "a/src/d%zu/f%zu.c", i % 7, i);
		e2e_write_str(q, rel, file_text(text, sizeof(text), (int)i));
	}
	free(e2e_git_commit_all(p, "slow files last"));
	free(e2e_git_commit_all(q, "p's files first"));

	/* A blob of its own goes missing (the others are p's too). */
	e2e_write_str(broken, "src/own.c", "int only_in_broken;\n");
	free(e2e_git_commit_all(broken, "own"));
	oid = e2e_git_line(broken, "rev-parse", "HEAD:src/own.c", NULL);
	snprintf(rel, sizeof(rel), ".git/objects/%.2s/%s", oid, oid + 2);
	obj = e2e_path(broken, rel);
	ck_assert_int_eq(unlink(obj), 0);
	e2e_write_str(e2e_tmp, "overlap.txt", "p\nq\nbroken\nr\n");
	for (i = 0; i < 2; i++) {
		char name[32];
		e2e_run r;

		snprintf(name, sizeof(name), "overlap%s.db", jobs[i]);
		dbs[i] = tmp(name);
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", dbs[i], "--jobs", jobs[i], "--corpus", "overlap.txt", NULL);
		e2e_assert_exit(&r, 3, name);
		assert_has(r.err, r.err_len, "tgpl: overlap.txt:3: ", "stderr");
		assert_has(r.err, r.err_len, oid, "stderr");
		assert_has(r.out, r.out_len, "scanned 3 of 4 repositories", "stdout");
		outs[i] = strdup(r.out ? r.out : "");
		e2e_run_release(&r);
	}
	/* The same report, line for line: order, files, analysed and reused, counts. */
	ck_assert_str_eq(outs[1], outs[0]);
	{
		const char *at = outs[1];
		const char *repos[] = { p, q, r3 };

		for (i = 0; i < 3; i++) {
			char *want = counts_line(dbs[1], repos[i]);
			const char *name = strstr(at, repos[i]), *line;

			ck_assert_msg(name != NULL, "%s missing or out of order in <%s>", repos[i], outs[1]);
			line = strstr(name, "  licences: ");
			ck_assert_msg(line && strncmp(line, want, strlen(want)) == 0,
				      "%s: printed <%.200s>, the database says <%s>", repos[i], line ? line : "", want);
			at = line;
			free(want);
		}
	}
	ck_assert_int_eq(e2e_db_count(dbs[1], "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)",
				      broken, NULL), 0);
	assert_same_content(dbs[0], dbs[1], 1, "--jobs 1 vs --jobs 2 over four repositories");
	for (i = 0; i < 2; i++) {
		free(dbs[i]);
		free(outs[i]);
	}
	free(obj);
	free(oid);
	free(broken);
	free(r3);
	free(q);
	free(p);
}
END_TEST

START_TEST(max_file_size_skips_are_recorded_as_too_big_for_any_jobs)
{
	char *repo = make_repo("big", 20, 5000);
	char *db1 = tmp("one.db"), *db2 = tmp("two.db");
	char *big_oid = e2e_git_line(repo, "rev-parse", "HEAD:big.txt", NULL);
	e2e_run r;

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db1, "--jobs", "1", "--max-file-size", "4096", repo, NULL);
	e2e_assert_exit(&r, 0, "-j1 --max-file-size 4096");
	e2e_run_release(&r);
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db2, "--jobs", "2", "--max-file-size=4096", repo, NULL);
	e2e_assert_exit(&r, 0, "-j2 --max-file-size 4096");
	e2e_run_release(&r);
	{
		char *skipped = e2e_db_str(db1, "SELECT skipped FROM analyses WHERE blob_id = ?1", big_oid, NULL);
		ck_assert_msg(skipped && strcmp(skipped, "too-big") == 0, "skipped = <%s>", skipped);
		free(skipped);
	}
	/* Exactly that blob, its size kept, and nothing found in it. */
	ck_assert_int_eq(e2e_db_int(db1, "SELECT count(*) FROM analyses WHERE skipped = 'too-big'", NULL), 1);
	ck_assert_int_eq(e2e_db_int(db1, "SELECT size FROM blobs WHERE id = ?1", big_oid, NULL), 5000);
	ck_assert_int_eq(e2e_db_int(db1, "SELECT count(*) FROM findings WHERE blob_id = ?1", big_oid, NULL), 0);
	assert_same_content(db1, db2, 1, "--max-file-size with -j1 vs -j2");
	/* Under the default cap the same blob is analysed. */
	{
		char *db3 = tmp("default.db");
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db3, repo, NULL);
		e2e_assert_exit(&r, 0, "default cap");
		e2e_run_release(&r);
		ck_assert_int_eq(e2e_db_int(db3, "SELECT count(*) FROM analyses WHERE skipped = 'too-big'",
					    NULL), 0);
		free(db3);
	}
	free(big_oid);
	free(db1);
	free(db2);
	free(repo);
}
END_TEST

/* ---- the corpus line syntax (library) ------------------------------------------ */

static int parse(const char *text, char *f0, char *f1, const char **why)
{
	char buf[256];
	char *fields[2];
	size_t n = strlen(text);
	int rc;

	ck_assert(n < sizeof(buf));
	memcpy(buf, text, n + 1);
	*why = NULL;
	rc = corpus_parse_line(buf, n, fields, why);
	snprintf(f0, 128, "%s", fields[0] ? fields[0] : "(null)");
	snprintf(f1, 128, "%s", fields[1] ? fields[1] : "(null)");
	return rc;
}

START_TEST(corpus_lines_split_into_location_and_revision_with_escapes_and_comments)
{
	static const struct { const char *line; int rc; const char *loc, *rev; } cases[] = {
		{ "", 0, "(null)", "(null)" },
		{ "   \t ", 0, "(null)", "(null)" },
		{ "# a comment", 0, "(null)", "(null)" },
		{ "  # indented comment a b c", 0, "(null)", "(null)" },
		{ "repo", 1, "repo", "(null)" },
		{ "  repo\t v1.0  ", 1, "repo", "v1.0" },
		{ "repo v1.0 # why this one", 1, "repo", "v1.0" },
		{ "repo#1 HEAD~2", 1, "repo#1", "HEAD~2" },           /* '#' inside a field is text */
		{ "my\\ repo main", 1, "my repo", "main" },
		{ "a\\\\b \\#tag", 1, "a\\b", "#tag" },
		{ "https://example.org/x.git refs/tags/v2\r", 1, "https://example.org/x.git", "refs/tags/v2" },
		{ "a b c", -1, "", "" },
		{ "a\\nb", -1, "", "" },
		{ "trailing\\", -1, "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char loc[128], rev[128];
		const char *why;
		int rc = parse(cases[i].line, loc, rev, &why);

		ck_assert_msg(rc == cases[i].rc, "<%s>: rc %d, expected %d", cases[i].line, rc, cases[i].rc);
		if (rc < 0) {
			ck_assert_msg(why && *why, "<%s>: no reason", cases[i].line);
			continue;
		}
		ck_assert_msg(strcmp(loc, cases[i].loc) == 0 && strcmp(rev, cases[i].rev) == 0,
			      "<%s>: <%s> <%s>, expected <%s> <%s>", cases[i].line, loc, rev,
			      cases[i].loc, cases[i].rev);
	}
	{
		const char *why = NULL;
		char *fields[2];
		char nul[] = "a\0b";
		ck_assert_int_eq(corpus_parse_line(nul, 3, fields, &why), -1);
		ck_assert_ptr_nonnull(strstr(why, "NUL"));
	}
}
END_TEST

START_TEST(corpus_reader_numbers_lines_and_entries_and_caps_line_length)
{
	char *dir = e2e_mkdtemp("c");
	char *path = e2e_path(dir, "corpus.txt");
	tgpl_ctx *ctx = NULL;
	tgpl_corpus *c = NULL;
	const tgpl_corpus_entry *e;
	size_t big = TGPL_CORPUS_MAX_LINE + 10;
	char *text = malloc(2 * big + 200);
	size_t n = 0;
	char *expect;

	ck_assert_ptr_nonnull(text);
	n += (size_t)snprintf(text + n, 200, "# header\n\nrel/a\n");        /* lines 1-3 */
	text[n++] = '#';                                                    /* line 4: long comment */
	memset(text + n, 'c', big);
	n += big;
	text[n++] = '\n';
	memset(text + n, 'x', big);                                         /* line 5: too long */
	n += big;
	text[n++] = '\n';
	n += (size_t)snprintf(text + n, 200, "/abs/b v1\na b c\nlast");      /* lines 6-8, no final newline */
	e2e_write_file(dir, "corpus.txt", text, n, 0644);

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_int_eq(tgpl_corpus_open(&c, ctx, path), 0);

	ck_assert_int_eq(tgpl_corpus_next(&e, c), 1);
	ck_assert_uint_eq(e->line, 3);
	ck_assert_uint_eq(e->index, 0);
	ck_assert_str_eq(e->location, "rel/a");
	expect = e2e_path(dir, "rel/a");
	ck_assert_str_eq(e->resolved, expect);   /* relative to the corpus file's directory */
	free(expect);
	ck_assert_ptr_null(e->rev);
	ck_assert_ptr_null(e->invalid);

	ck_assert_int_eq(tgpl_corpus_next(&e, c), 1);
	ck_assert_uint_eq(e->line, 5);
	ck_assert_uint_eq(e->index, 1);
	ck_assert_ptr_null(e->location);
	ck_assert_ptr_nonnull(strstr(e->invalid, "longer than 65536"));

	ck_assert_int_eq(tgpl_corpus_next(&e, c), 1);
	ck_assert_uint_eq(e->line, 6);
	ck_assert_uint_eq(e->index, 2);
	ck_assert_str_eq(e->resolved, "/abs/b");
	ck_assert_str_eq(e->rev, "v1");

	ck_assert_int_eq(tgpl_corpus_next(&e, c), 1);
	ck_assert_uint_eq(e->line, 7);
	ck_assert_uint_eq(e->index, 3);
	ck_assert_ptr_nonnull(strstr(e->invalid, "more than two fields"));

	ck_assert_int_eq(tgpl_corpus_next(&e, c), 1);
	ck_assert_uint_eq(e->line, 8);
	ck_assert_uint_eq(e->index, 4);
	ck_assert_str_eq(e->location, "last");

	ck_assert_int_eq(tgpl_corpus_next(&e, c), 0);
	ck_assert_int_eq(tgpl_corpus_next(&e, c), 0);
	tgpl_corpus_close(c);

	ck_assert_int_eq(tgpl_corpus_open(&c, ctx, "/nonexistent/corpus.txt"), TGPL_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(tgpl_errmsg(ctx), "'/nonexistent/corpus.txt'"));
	tgpl_ctx_free(ctx);
	free(text);
	free(path);
	free(dir);
}
END_TEST

/* ---- tgpl scan --corpus ---------------------------------------------------------- */

START_TEST(corpus_scans_paths_relative_to_its_file_at_the_revisions_it_names)
{
	char *a = make_repo("a", 5, 0), *b = make_repo("b", 6, 0);
	char *first_b = e2e_git_line(b, "rev-parse", "HEAD", NULL);
	char *db = tmp("c.db"), *listdir = e2e_mkdtemp("lists"), *list;
	char *second_b, *spaced;
	e2e_run r;

	/* A second commit in b; the corpus asks for the first one by tag. */
	free(e2e_git(b, "tag", "v1", NULL));
	e2e_write_str(b, "NEW", "new file\n");
	free(e2e_git_commit_all(b, "second"));
	second_b = e2e_git_line(b, "rev-parse", "HEAD", NULL);
	/* A directory whose name holds a blank. */
	e2e_mkdirs(e2e_tmp, "with space");
	spaced = e2e_path(e2e_tmp, "with space");
	e2e_write_str(spaced, "README", "hello\n");
	e2e_write_str(listdir, "corpus.txt",
		      "# the corpus\n"
		      "\n"
		      "../a\n"
		      "../b v1      # pinned\n"
		      "   ../b\n"
		      "../with\\ space\n");
	list = e2e_path(listdir, "corpus.txt");
	/* Run from elsewhere: relative paths follow the corpus file, not the cwd. */
	e2e_tgpl(&r, "/", "scan", "--db", db, "--corpus", list, NULL);
	e2e_assert_exit(&r, 0, "scan --corpus");
	assert_has(r.out, r.out_len, "scanned 4 of 4 repositories", "stdout");
	e2e_run_release(&r);
	{
		e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
		stored_paths(&got, db);
		e2e_list_add(&want, a);
		e2e_list_add(&want, b);
		{
			char *esc = e2e_escape(spaced, strlen(spaced));
			e2e_list_add(&want, esc);
			free(esc);
		}
		e2e_list_assert_eq(&got, &want, "repositories");
		e2e_list_release(&got);
		e2e_list_release(&want);
	}
	ck_assert_int_eq(e2e_db_int(db, "SELECT count(*) FROM revisions v JOIN repositories r"
				    " ON r.id = v.repo_id WHERE r.path = CAST(?1 AS BLOB)", b, NULL), 2);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions WHERE commit_id = ?1", first_b, NULL), 1);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions WHERE commit_id = ?1", second_b, NULL), 1);
	/* --rev is the default for lines without a revision; a line's own wins. */
	{
		char *db2 = tmp("rev.db");
		e2e_write_str(listdir, "two.txt", "../b\n../b HEAD\n");
		free(list);
		list = e2e_path(listdir, "two.txt");
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db2, "--rev", "v1", "--corpus", list, NULL);
		e2e_assert_exit(&r, 0, "--rev with --corpus");
		e2e_run_release(&r);
		ck_assert_int_eq(e2e_db_count(db2, "SELECT 1 FROM revisions WHERE commit_id = ?1", first_b, NULL), 1);
		ck_assert_int_eq(e2e_db_count(db2, "SELECT 1 FROM revisions WHERE commit_id = ?1", second_b, NULL), 1);
		free(db2);
	}
	free(spaced);
	free(second_b);
	free(first_b);
	free(list);
	free(listdir);
	free(db);
	free(a);
	free(b);
}
END_TEST

START_TEST(failing_repositories_are_reported_by_line_and_the_scan_goes_on)
{
	char *a = make_repo("a", 3, 0), *b = make_repo("b", 4, 0);
	char *empty = e2e_path(e2e_tmp, "empty"), *db = tmp("f.db"), *list;
	e2e_run r;

	e2e_git_init(empty);
	e2e_write_str(e2e_tmp, "notadir", "x\n");
	e2e_write_str(e2e_tmp, "corpus.txt",
		      "a\n"
		      "missing\n"
		      "# comment\n"
		      "b no-such-rev\n"
		      "notadir\n"
		      "empty\n"
		      "b\n");
	list = e2e_path(e2e_tmp, "corpus.txt");
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--corpus", "corpus.txt", NULL);
	e2e_assert_exit(&r, 3, "corpus with failures");
	/* Each failure names its line and its subject, as it happens. */
	assert_has(r.err, r.err_len, "tgpl: corpus.txt:2: cannot scan 'missing'", "stderr");
	assert_has(r.err, r.err_len, "cannot scan 'missing': No such file or directory", "stderr");
	assert_has(r.err, r.err_len, "tgpl: corpus.txt:4: cannot resolve revision 'no-such-rev'", "stderr");
	assert_has(r.err, r.err_len, "tgpl: corpus.txt:5: cannot scan '", "stderr");
	assert_has(r.err, r.err_len, "tgpl: corpus.txt:6: repository '", "stderr");
	/* The summary: how many failed, and why. */
	assert_has(r.err, r.err_len, "tgpl: 4 of 6 repositories could not be scanned:\n", "stderr");
	assert_has(r.err, r.err_len, "tgpl:   3 not found: corpus.txt:2, corpus.txt:4, corpus.txt:6\n", "stderr");
	assert_has(r.err, r.err_len, "tgpl:   1 not a repository or directory: corpus.txt:5\n", "stderr");
	assert_has(r.out, r.out_len, "scanned 2 of 6 repositories", "stdout");
	e2e_run_release(&r);
	/* The good ones are stored, before and after the failures. */
	{
		e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
		stored_paths(&got, db);
		e2e_list_add(&want, a);
		e2e_list_add(&want, b);
		e2e_list_assert_eq(&got, &want, "repositories");
		e2e_list_release(&got);
		e2e_list_release(&want);
	}
	ck_assert_int_eq(e2e_db_int(db, "SELECT repos FROM scans", NULL), 2);
	free(list);
	free(db);
	free(empty);
	free(a);
	free(b);
}
END_TEST

START_TEST(malformed_corpus_is_a_usage_error_naming_each_line_and_scans_nothing)
{
	char *a = make_repo("a", 3, 0), *db = tmp("m.db");
	e2e_run r;

	e2e_write_str(e2e_tmp, "corpus.txt", "a\na v1 extra\n# fine\nbad\\escape\na\n");
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--corpus", "corpus.txt", NULL);
	e2e_assert_exit(&r, 2, "malformed corpus");
	assert_has(r.err, r.err_len, "tgpl: corpus.txt:2: more than two fields", "stderr");
	assert_has(r.err, r.err_len, "tgpl: corpus.txt:4: a backslash escapes only", "stderr");
	assert_has(r.err, r.err_len, "corpus 'corpus.txt' has 2 malformed lines; nothing was scanned", "stderr");
	ck_assert_uint_eq(r.out_len, 0);
	e2e_run_release(&r);
	ck_assert_msg(access(db, F_OK) < 0, "a usage error created %s", db);

	/* A missing corpus file is a usage error too. */
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--corpus", "nope.txt", NULL);
	e2e_assert_exit(&r, 2, "missing corpus");
	assert_has(r.err, r.err_len, "cannot open corpus 'nope.txt': No such file or directory", "stderr");
	e2e_run_release(&r);
	free(db);
	free(a);
}
END_TEST

START_TEST(corpus_read_from_a_pipe_reports_malformed_lines_as_failures)
{
	char *a = make_repo("a", 3, 0), *db = tmp("p.db"), *fifo = tmp("fifo");
	e2e_proc p;
	e2e_run r;
	FILE *f;
	const char *argv[8];

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	argv[0] = e2e_tgpl_bin();
	argv[1] = "scan";
	argv[2] = "--db";
	argv[3] = db;
	argv[4] = "--corpus";
	argv[5] = fifo;
	argv[6] = NULL;
	e2e_start(&p, e2e_tmp, argv);
	f = fopen(fifo, "w");
	ck_assert_ptr_nonnull(f);
	fputs("a\na b c\n", f);
	fclose(f);
	e2e_finish(&p, &r, 60);
	e2e_assert_exit(&r, 3, "corpus from a FIFO");
	assert_has(r.err, r.err_len, "fifo:2: more than two fields", "stderr");
	assert_has(r.err, r.err_len, "1 malformed corpus line: ", "stderr");
	ck_assert_int_eq(e2e_db_int(db, "SELECT count(*) FROM repositories", NULL), 1);
	e2e_run_release(&r);
	free(fifo);
	free(db);
	free(a);
}
END_TEST

/* ---- --shard ------------------------------------------------------------------------ */

START_TEST(shards_take_the_lines_whose_index_modulo_n_is_k)
{
	char *repos[7];
	char *db = NULL;
	e2e_list all = E2E_LIST_INIT;
	e2e_list seen = E2E_LIST_INIT;
	char name[16];
	int i, k;

	/* Comments and blank lines do not count: indexes are of repository lines. */
	e2e_write_str(e2e_tmp, "corpus.txt", "# seven repositories\nr0\nr1\n\nr2\n# x\nr3\nr4\nr5\nr6\n");
	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		repos[i] = make_repo(name, 1 + i, 0);
		e2e_list_add(&all, repos[i]);
	}
	for (k = 0; k < 3; k++) {
		char shard[8], dbname[16];
		e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
		e2e_run r;

		snprintf(shard, sizeof(shard), "%d/3", k);
		snprintf(dbname, sizeof(dbname), "s%d.db", k);
		db = tmp(dbname);
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--shard", shard, "--corpus", "corpus.txt", NULL);
		e2e_assert_exit(&r, 0, shard);
		e2e_run_release(&r);
		stored_paths(&got, db);
		for (i = k; i < 7; i += 3)
			e2e_list_add(&want, repos[i]);
		e2e_list_assert_eq(&got, &want, shard);
		for (i = 0; i < (int)got.n; i++) {
			ck_assert_msg(!e2e_list_has(&seen, got.v[i]), "%s in two shards", got.v[i]);
			e2e_list_add(&seen, got.v[i]);
		}
		e2e_list_release(&got);
		e2e_list_release(&want);
		free(db);
	}
	e2e_list_assert_eq(&seen, &all, "the shards together");
	/* Command-line paths come first in the numbering. */
	{
		e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
		e2e_run r;

		db = tmp("mixed.db");
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--shard", "1/2", "--corpus", "corpus.txt",
			 repos[6], NULL);
		e2e_assert_exit(&r, 0, "paths and corpus");
		assert_has(r.out, r.out_len, "scanned 4 of 4 repositories (shard 1/2)", "stdout");
		e2e_run_release(&r);
		stored_paths(&got, db);
		/* index 0 = repos[6] (argument), then r0 = 1, r1 = 2, ... : odd ones are r0, r2, r4, r6 */
		e2e_list_add(&want, repos[0]);
		e2e_list_add(&want, repos[2]);
		e2e_list_add(&want, repos[4]);
		e2e_list_add(&want, repos[6]);
		e2e_list_assert_eq(&got, &want, "--shard 1/2 with a path argument");
		e2e_list_release(&got);
		e2e_list_release(&want);
		free(db);
	}
	e2e_list_release(&all);
	e2e_list_release(&seen);
	for (i = 0; i < 7; i++)
		free(repos[i]);
}
END_TEST

START_TEST(bad_shard_and_corpus_options_are_usage_errors)
{
	static const char *const bad[] = { "3/3", "1", "a/2", "1/0", "-1/2", "1/2/3", "/2", "0/1000001" };
	size_t i;
	e2e_run r;

	e2e_write_str(e2e_tmp, "corpus.txt", "a\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e2e_tgpl(&r, e2e_tmp, "scan", "--shard", bad[i], "--corpus", "corpus.txt", NULL);
		e2e_assert_exit(&r, 2, bad[i]);
		assert_has(r.err, r.err_len, "tgpl: scan: --shard takes K/N", bad[i]);
		e2e_run_release(&r);
	}
	e2e_tgpl(&r, e2e_tmp, "scan", "--corpus", "corpus.txt", "--corpus", "corpus.txt", NULL);
	e2e_assert_exit(&r, 2, "--corpus twice");
	e2e_run_release(&r);
	e2e_tgpl(&r, e2e_tmp, "scan", "--shard", "0/2", NULL);
	e2e_assert_exit(&r, 2, "nothing to scan");
	e2e_run_release(&r);
	{
		char *db = tmp("tgpl.db");
		ck_assert_msg(access(db, F_OK) < 0, "a usage error created %s", db);
		free(db);
	}
}
END_TEST

static Suite *corpus_suite(void)
{
	Suite *s = suite_create("corpus scans");

	e2e_add_test(s, jobs_1_2_and_4_store_identical_database_content, 240);
	e2e_add_test(s, overlapping_repositories_report_in_order_and_store_what_one_thread_stores, 240);
	e2e_add_test(s, max_file_size_skips_are_recorded_as_too_big_for_any_jobs, 120);
	e2e_add_test(s, corpus_lines_split_into_location_and_revision_with_escapes_and_comments, 30);
	e2e_add_test(s, corpus_reader_numbers_lines_and_entries_and_caps_line_length, 30);
	e2e_add_test(s, corpus_scans_paths_relative_to_its_file_at_the_revisions_it_names, 120);
	e2e_add_test(s, failing_repositories_are_reported_by_line_and_the_scan_goes_on, 120);
	e2e_add_test(s, malformed_corpus_is_a_usage_error_naming_each_line_and_scans_nothing, 120);
	e2e_add_test(s, corpus_read_from_a_pipe_reports_malformed_lines_as_failures, 120);
	e2e_add_test(s, shards_take_the_lines_whose_index_modulo_n_is_k, 240);
	e2e_add_test(s, bad_shard_and_corpus_options_are_usage_errors, 60);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(corpus_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
