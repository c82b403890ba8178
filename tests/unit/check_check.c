/*
 * check_check.c — end-to-end tests of `tgpl check`: one repository per kind
 * of finding, built at run time, checked by the real binary ($TGPL_BIN),
 * the findings compared in full.
 *
 * The TGPL clause detector is not in the engine yet.  For the findings
 * about a rider's clauses, the test stores in a database what that detector
 * is specified to report for the licence file (an expression and one finding
 * per clause, DESIGN.md §3), then runs `tgpl --db DB check`, whose scan
 * reuses the cached analysis.  These tests pin the checks, not detection.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "obligations/check.h"
#include "support.h"
#include "tgpl.h"
#include "util/util.h"

#define MAX_ARGV 16

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
}

/* tgpl [--db DB] check ARGS... (NULL-terminated) in `cwd`. */
static void run_check(e2e_run *r, const char *cwd, const char *db, ...)
{
	const char *argv[MAX_ARGV];
	const char *a;
	va_list ap;
	int n = 0;

	argv[n++] = e2e_tgpl_bin();
	if (db) {
		argv[n++] = "--db";
		argv[n++] = db;
	}
	argv[n++] = "check";
	va_start(ap, db);
	while ((a = va_arg(ap, const char *)) != NULL && n < MAX_ARGV - 1)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	e2e_run_argv(r, cwd, argv, 120);
}

/* A repository with `files` (path, content pairs, NULL-terminated), committed once. */
static char *repo_with(const char *name, const char *const *files, char **commit)
{
	char *repo = e2e_mkdtemp(name);
	size_t i;

	e2e_git_init(repo);
	for (i = 0; files[i]; i += 2)
		e2e_write_str(repo, files[i], files[i + 1]);
	*commit = e2e_git_commit_all(repo, "commit");
	return repo;
}

/* The finding lines ("path:line: severity: check: message") and the fix lines of a text report. */
static void parse_text(const e2e_run *r, e2e_list *heads, e2e_list *fixes, char **summary)
{
	const char *p = r->out, *end = r->out + r->out_len;

	*summary = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char *line = strndup(p, n);

		ck_assert_ptr_nonnull(line);
		if (strncmp(line, "    fix: ", 9) == 0)
			e2e_list_add(fixes, line + 9);
		else if (strncmp(line, "tgpl check: ", 12) == 0)
			*summary = strdup(line + 12);
		else
			e2e_list_add(heads, line);
		free(line);
		p = nl ? nl + 1 : end;
	}
}

/* Check `repo` (text format) and compare every finding line; returns the fixes. */
static void expect_findings(const char *repo, const char *db, int status, e2e_list *want,
			    e2e_list *fixes)
{
	e2e_list heads = E2E_LIST_INIT;
	char *summary = NULL;
	e2e_run r;

	run_check(&r, e2e_tmp, db, "--color=never", repo, NULL);
	assert_exit(&r, status, repo);
	parse_text(&r, &heads, fixes, &summary);
	ck_assert_msg(summary != NULL, "no summary line in <%s>", r.out);
	e2e_list_assert_eq(&heads, want, "findings");
	ck_assert_uint_eq(fixes->n, heads.n);
	free(summary);
	e2e_list_release(&heads);
	e2e_run_release(&r);
}

static char *license_text(const char *id)
{
	tgpl_ctx *ctx = NULL;
	tgpl_engine *e = NULL;
	const tgpl_license_info *li;
	char *t;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&e, ctx, NULL) == 0, "%s", tgpl_errmsg(ctx));
	li = tgpl_engine_license(e, id);
	ck_assert_msg(li && li->text, "no text for %s", id);
	t = strdup(li->text);
	ck_assert_ptr_nonnull(t);
	tgpl_engine_free(e);
	tgpl_ctx_free(ctx);
	return t;
}

static char *cat(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *s = malloc(n);

	ck_assert_ptr_nonnull(s);
	snprintf(s, n, "%s%s", a, b);
	return s;
}

static void bind_exec(sqlite3 *h, const char *sql, const char *const *p, int n)
{
	sqlite3_stmt *st = NULL;
	int i, rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);

	ck_assert_msg(rc == SQLITE_OK, "<%s>: %s", sql, sqlite3_errmsg(h));
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, p[i], -1, SQLITE_TRANSIENT);
	ck_assert_msg(sqlite3_step(st) == SQLITE_DONE, "<%s>: %s", sql, sqlite3_errmsg(h));
	sqlite3_finalize(st);
}

/*
 * A database (created at `db`) whose cache holds, for blob `oid`, what the
 * clause detector reports for a rider file: expression `expr`, a tag finding
 * for it, and the clauses of `spec` ("id:kind:score ..."), one per line from
 * line 10 on.
 */
static void seed(const char *db, const char *oid, const char *expr, const char *spec)
{
	tgpl_ctx *ctx = NULL;
	tgpl_engine *e = NULL;
	tgpl_db *d = NULL;
	sqlite3 *h;
	const char *engine, *p = spec;
	int seq = 1, line = 10;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&e, ctx, NULL) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_msg(tgpl_db_open(&d, ctx, db, 0) == 0, "%s", tgpl_errmsg(ctx));
	h = tgpl_db_handle(d);
	engine = tgpl_engine_version(e);
	{
		const char *a[] = { oid, engine, expr };
		char first[64];
		const char *b[] = { oid, engine, expr, first };

		snprintf(first, sizeof(first), "%.*s", (int)strcspn(expr, " "), expr);
		bind_exec(h, "INSERT INTO blobs (id, size) VALUES (?1, 1)", a, 1);
		bind_exec(h, "INSERT INTO analyses (blob_id, engine, expression, n_lines)"
			  " VALUES (?1, ?2, ?3, 40)", a, 3);
		bind_exec(h, "INSERT INTO findings (blob_id, engine, seq, category, kind, spdx, expr,"
			  " start_line, end_line, score, rule) VALUES (?1, ?2, 0, 'license', 'tag', ?4, ?3,"
			  " 1, 1, 1.0, 'spdx-tag')", b, 4);
	}
	while (*p) {
		char id[64], kind[32], score[16], seqs[16], lines[16];
		const char *a[] = { oid, engine, id, kind, score, seqs, lines };
		size_t n = strcspn(p, " ");
		char item[128];

		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		ck_assert_int_eq(sscanf(item, "%63[^:]:%31[^:]:%15s", id, kind, score), 3);
		snprintf(seqs, sizeof(seqs), "%d", seq++);
		snprintf(lines, sizeof(lines), "%d", line++);
		bind_exec(h, "INSERT INTO findings (blob_id, engine, seq, category, kind, spdx, start_line,"
			  " end_line, score, rule) VALUES (?1, ?2, CAST(?6 AS INTEGER), 'clause', ?4, ?3,"
			  " CAST(?7 AS INTEGER), CAST(?7 AS INTEGER), CAST(?5 AS REAL), 'tgpl-clause')", a, 7);
		p += n;
		while (*p == ' ')
			p++;
	}
	tgpl_db_close(d);
	tgpl_engine_free(e);
	tgpl_ctx_free(ctx);
}

#define ALL_TEXT "training-permitted:text:1 weight-release:text:1 data-provenance:text:1 " \
		 "finetune-inheritance:text:1 network-use:text:1"

/* ---- tests: a clean repository ---------------------------------------------- */

START_TEST(clean_repository_has_no_findings_and_exits_zero)
{
	char *mit = license_text("MIT"), *commit, *repo, want[4200];
	const char *files[] = { "LICENSE", mit, "src/a.c", "// SPDX-License-Identifier: MIT\nint a;\n",
				"src/b.c", "/* SPDX-License-Identifier: MIT */\nint b;\n",
				"README.md", "# A project\n", NULL };
	e2e_run r;

	repo = repo_with("clean", files, &commit);
	run_check(&r, e2e_tmp, NULL, repo, NULL);
	assert_exit(&r, 0, "clean");
	snprintf(want, sizeof(want), "tgpl check: 0 errors, 0 warnings in %s at %.12s\n", repo, commit);
	ck_assert_str_eq(r.out, want);
	ck_assert_uint_eq(r.err_len, 0);
	/* without --db the scan lives in memory: nothing is left behind */
	{
		char *db = e2e_path(e2e_tmp, "tgpl.db");
		ck_assert_msg(access(db, F_OK) < 0, "check created %s", db);
		free(db);
	}
	e2e_run_release(&r);
	/* PATH defaults to the current directory; --quiet drops the summary */
	{
		const char *argv[] = { e2e_tgpl_bin(), "--quiet", "check", NULL };
		e2e_run_argv(&r, repo, argv, 60);
		assert_exit(&r, 0, "check in the repository");
		ck_assert_str_eq(r.out, "");
		e2e_run_release(&r);
	}
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

/* ---- tests: one per kind of finding ------------------------------------------- */

START_TEST(repository_without_licence_is_an_error)
{
	const char *files[] = { "README", "hello\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;
	char *commit, *repo = repo_with("nolicence", files, &commit);

	e2e_list_add(&want, "(repository): error: no-license: no licence: no licence file at the root "
		     "and no licence in the root package metadata, so all rights are reserved");
	expect_findings(repo, NULL, 1, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "add a LICENSE file at the root with the full text of the licence, "
			 "and an SPDX-License-Identifier line in each file");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(files_mostly_under_another_licence_are_a_declared_mismatch)
{
	char *mit = license_text("MIT"), *commit, *repo;
	const char *files[] = { "LICENSE", mit,
				"a.c", "// SPDX-License-Identifier: GPL-2.0-or-later\nint a;\n",
				"b.c", "// SPDX-License-Identifier: GPL-2.0-or-later\nint b;\n",
				"c.c", "\n// SPDX-License-Identifier: GPL-2.0-or-later\nint c;\n",
				"d.c", "// SPDX-License-Identifier: MIT\nint d;\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = repo_with("mismatch", files, &commit);
	e2e_list_add(&want, "LICENSE:1: error: declared-mismatch: LICENSE declares MIT, but 3 of 4 files "
		     "with a licence statement say GPL-2.0-or-later (first: a.c:1)");
	expect_findings(repo, NULL, 1, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "make them agree: change LICENSE to GPL-2.0-or-later, or the "
			 "statements in the files to MIT");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(copied_file_under_another_licence_is_reported_at_its_statement)
{
	char *mit = license_text("MIT"), *commit, *repo;
	const char *files[] = { "LICENSE", mit,
				"src/a.c", "// SPDX-License-Identifier: MIT\nint a;\n",
				"src/b.c", "// SPDX-License-Identifier: MIT\nint b;\n",
				"src/copied.c", "/* from elsewhere */\n\n// SPDX-License-Identifier: BSD-3-Clause\n",
				NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = repo_with("copied", files, &commit);
	e2e_list_add(&want, "src/copied.c:3: warning: copied-code: says BSD-3-Clause, but LICENSE, which "
		     "covers it, says MIT");
	expect_findings(repo, NULL, 0, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "if the file was copied, keep its notice and list it in the "
			 "third-party notices (or move it under a directory with its own licence file); "
			 "if it is yours, make it say MIT");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(file_without_header_is_reported_only_where_headers_are_the_convention)
{
	char *mit = license_text("MIT"), *commit, *repo;
	const char *files[] = { "LICENSE", mit,
				"a.c", "// SPDX-License-Identifier: MIT\nint a;\n",
				"b.py", "# SPDX-License-Identifier: MIT\nb = 1\n",
				"c.h", "/* SPDX-License-Identifier: MIT */\n",
				"bare.c", "int bare;\n",
				"notes.txt", "not source: no header expected\n", NULL };
	const char *few[] = { "LICENSE", mit,
			      "a.c", "// SPDX-License-Identifier: MIT\nint a;\n",
			      "b.c", "int b;\n", "c.c", "int c;\n", "d.c", "int d;\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = repo_with("headers", files, &commit);
	e2e_list_add(&want, "bare.c:1: warning: missing-header: no licence header, though 3 of 4 source "
		     "files have one");
	expect_findings(repo, NULL, 0, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "add a comment 'SPDX-License-Identifier: MIT' at the top of the file");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
	/* one file in four with a header is no convention */
	repo = repo_with("few", few, &commit);
	expect_findings(repo, NULL, 0, &want, &fixes);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(reuse_project_expects_licence_information_in_every_file)
{
	char *mit = license_text("MIT"), *commit, *repo;
	const char *files[] = { "LICENSES/MIT.txt", mit,
				"src/a.c", "// SPDX-License-Identifier: MIT\nint a;\n",
				"logo.svg", "<svg/>\n",
				"logo.svg.license", "SPDX-License-Identifier: MIT\n",
				"README.md", "# Readme\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = repo_with("reuse", files, &commit);
	e2e_list_add(&want, "(repository): error: no-license: no licence: no licence file at the root "
		     "and no licence in the root package metadata, so all rights are reserved");
	e2e_list_add(&want, "README.md:1: warning: missing-header: no licence information, though the "
		     "project follows REUSE (LICENSES/)");
	expect_findings(repo, NULL, 1, &want, &fixes);
	ck_assert(e2e_list_has(&fixes, "add a comment 'SPDX-License-Identifier: <licence>' at the top, or a "
			       "README.md.license file next to it, or an annotation in REUSE.toml"));
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(vendored_directory_under_another_licence_is_reported_once)
{
	char *mit = license_text("MIT"), *zlib = license_text("Zlib"), *commit, *repo;
	const char *files[] = { "LICENSE", mit,
				"src/a.c", "// SPDX-License-Identifier: MIT\nint a;\n",
				"src/b.c", "// SPDX-License-Identifier: MIT\nint b;\n",
				"vendor/zlib/LICENSE", zlib,
				"vendor/zlib/inflate.c", "int inflate;\n",
				"vendor/zlib/deflate.c", "int deflate;\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = repo_with("vendored", files, &commit);
	e2e_list_add(&want, "vendor/zlib/LICENSE:1: warning: vendored-code: vendor/zlib/ is under Zlib, "
		     "not the project's MIT");
	expect_findings(repo, NULL, 0, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "keep vendor/zlib/LICENSE with that code, and list vendor/zlib/ and "
			 "its licence in the project's third-party notices");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
	free(zlib);
	free(mit);
}
END_TEST

START_TEST(manifest_that_disagrees_with_the_licence_file_is_an_error)
{
	char *mit = license_text("MIT"), *commit, *repo;
	const char *files[] = { "LICENSE", mit,
				"package.json", "{\n  \"name\": \"x\",\n  \"license\": \"Apache-2.0\"\n}\n",
				"sub/LICENSE", mit,
				"sub/Cargo.toml", "[package]\nname = \"sub\"\nlicense = \"MIT\"\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = repo_with("metadata", files, &commit);
	e2e_list_add(&want, "package.json:3: error: metadata-mismatch: package.json says Apache-2.0, but "
		     "LICENSE says MIT");
	expect_findings(repo, NULL, 1, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "make the licence field of package.json say MIT, or change LICENSE "
			 "if the manifest is right");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(invalid_and_deprecated_spdx_ids_are_reported_with_the_replacement)
{
	char *mit = license_text("MIT"), *commit, *repo;
	const char *files[] = { "LICENSE", mit,
				"old.c", "// SPDX-License-Identifier: MIT OR GPL-2.0+\nint a;\n",
				"typo.c", "int b;\n// SPDX-License-Identifier: MIT OR Foo-1.0\n",
				"broken.c", "// SPDX-License-Identifier: MIT AND\nint c;\n",
				"package.json", "{\"name\":\"x\",\"license\":\"MIT\"}\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = repo_with("ids", files, &commit);
	e2e_list_add(&want, "broken.c:1: error: invalid-spdx-id: malformed SPDX expression 'MIT AND': "
		     "unexpected end of expression");
	e2e_list_add(&want, "old.c:1: warning: deprecated-spdx-id: deprecated SPDX id 'GPL-2.0+' (now "
		     "GPL-2.0-or-later)");
	e2e_list_add(&want, "old.c:1: warning: copied-code: says MIT OR GPL-2.0-or-later, but LICENSE, "
		     "which covers it, says MIT");
	e2e_list_add(&want, "typo.c:2: error: invalid-spdx-id: unknown SPDX id 'Foo-1.0'");
	/* two of the three C files carry a statement: a broken one counts as none */
	e2e_list_add(&want, "broken.c:1: warning: missing-header: no licence header, though 2 of 3 "
		     "source files have one");
	e2e_list_add(&want, "typo.c:2: warning: copied-code: says MIT OR Foo-1.0, but LICENSE, which "
		     "covers it, says MIT");
	expect_findings(repo, NULL, 1, &want, &fixes);
	ck_assert(e2e_list_has(&fixes, "write 'GPL-2.0-or-later' instead of 'GPL-2.0+'"));
	ck_assert(e2e_list_has(&fixes, "use an id from the SPDX licence list ('tgpl licenses' lists them), "
			       "or 'LicenseRef-<name>' for a licence of your own"));
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(licence_file_with_no_known_licence_is_unrecognised)
{
	const char *files[] = { "LICENSE", "Do what you like, but tell me about it.\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;
	char *commit, *repo = repo_with("unknown", files, &commit);

	e2e_list_add(&want, "(repository): error: no-license: no licence: no licence file at the root "
		     "and no licence in the root package metadata, so all rights are reserved");
	e2e_list_add(&want, "LICENSE:1: warning: unrecognised-license: 'LICENSE' is named as a licence "
		     "file, but no licence is recognised in it");
	expect_findings(repo, NULL, 1, &want, &fixes);
	ck_assert(e2e_list_has(&fixes, "use a licence text from the SPDX list unchanged ('tgpl licenses' "
			       "lists them), or name a licence of your own with an SPDX tag "
			       "'LicenseRef-<name>'"));
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
}
END_TEST

/* ---- tests: the TGPL ----------------------------------------------------------- */

/* A repository whose LICENSE (`text`) the seeded database analyses as `expr` with `spec`. */
static char *rider_repo(const char *name, const char *text, const char *expr, const char *spec,
			const char *const *more, char **db, char **commit)
{
	char *repo = e2e_mkdtemp(name), *oid;
	size_t i;

	e2e_git_init(repo);
	e2e_write_str(repo, "LICENSE", text);
	for (i = 0; more && more[i]; i += 2)
		e2e_write_str(repo, more[i], more[i + 1]);
	oid = e2e_git_line(repo, "hash-object", "--no-filters", "LICENSE", NULL);
	*db = e2e_path(e2e_tmp, "seeded.db");
	seed(*db, oid, expr, spec);
	*commit = e2e_git_commit_all(repo, "commit");
	free(oid);
	return repo;
}

START_TEST(rider_missing_clauses_is_an_error_naming_them_and_the_score)
{
	char *mit = license_text("MIT"), *text = cat(mit, "\nTraining Copyleft Rider (abridged)\n");
	char *db, *commit, *repo;
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = rider_repo("missing", text, "MIT WITH AdditionRef-TGPL-1.0",
			  "training-permitted:text:1 weight-release:text:0.9 data-provenance:text:1",
			  NULL, &db, &commit);
	e2e_list_add(&want, "LICENSE:10: error: tgpl-clauses-missing: the TGPL rider lacks "
		     "finetune-inheritance, network-use (3 of 5 clauses, score 0.58)");
	expect_findings(repo, db, 1, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "restore the missing clauses from the TGPL 1.0 rider text, word for word");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(db);
	free(commit);
	free(repo);
	free(text);
	free(mit);
}
END_TEST

START_TEST(rider_with_reworded_clauses_is_a_warning_with_each_score)
{
	char *mit = license_text("MIT"), *text = cat(mit, "\nOur own words about training.\n");
	char *db, *commit, *repo;
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = rider_repo("reworded", text, "MIT WITH AdditionRef-TGPL-1.0",
			  "training-permitted:text:1 weight-release:paraphrase:0.71 data-provenance:text:1 "
			  "finetune-inheritance:text:0.8 network-use:text:1", NULL, &db, &commit);
	e2e_list_add(&want, "LICENSE:10: warning: tgpl-clauses-reworded: the TGPL rider rewords "
		     "weight-release (paraphrase, 0.71), finetune-inheritance (text, 0.80) (score 0.90)");
	expect_findings(repo, db, 0, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "use the rider's own words, or rename it: a changed rider must not be "
			 "called AdditionRef-TGPL-1.0 (rider section 9)");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(db);
	free(commit);
	free(repo);
	free(text);
	free(mit);
}
END_TEST

START_TEST(declared_tgpl_without_the_rider_text_lacks_every_clause)
{
	char *mit = license_text("MIT"), *text = cat("SPDX-License-Identifier: MIT WITH AdditionRef-TGPL-1.0\n\n", mit);
	const char *files[] = { "LICENSE", text, NULL };
	const char *meta_only[] = { "package.json", "{\"name\":\"x\",\n\"license\":\"MIT WITH AdditionRef-TGPL-1.0\"}\n",
				    NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;
	char *commit, *repo = repo_with("norider", files, &commit);

	e2e_list_add(&want, "LICENSE:1: error: tgpl-clauses-missing: names the TGPL, but none of its clauses "
		     "is in it (0 of 5 clauses: training-permitted, weight-release, data-provenance, "
		     "finetune-inheritance, network-use; score 0.00)");
	expect_findings(repo, NULL, 1, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "append the full text of the TGPL 1.0 rider, unchanged "
			 "(licenses/tgpl/TGPL-1.0-rider.txt in tgpl)");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
	/* declared by the manifest alone: the finding is at its licence field */
	repo = repo_with("metaonly", meta_only, &commit);
	e2e_list_add(&want, "package.json:2: error: tgpl-clauses-missing: declares MIT WITH "
		     "AdditionRef-TGPL-1.0, but no licence file holds the TGPL's text (0 of 5 clauses)");
	expect_findings(repo, NULL, 1, &want, &fixes);
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(commit);
	free(repo);
	free(text);
	free(mit);
}
END_TEST

START_TEST(rider_on_a_licence_that_forbids_further_restrictions_is_an_error)
{
	char *gpl = license_text("GPL-2.0-only"), *db, *commit, *repo;
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = rider_repo("gpl2", gpl, "GPL-2.0-only WITH AdditionRef-TGPL-1.0", ALL_TEXT, NULL, &db, &commit);
	e2e_list_add(&want, "LICENSE:1: error: tgpl-rider-base-forbids: the TGPL rider is added to "
		     "GPL-2.0-only, which forbids further restrictions (GPL-2.0 section 6): the rider may "
		     "not bind");
	expect_findings(repo, db, 1, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "use GPL-3.0-or-later WITH AdditionRef-TGPL-1.0, or the standalone "
			 "LicenseRef-TGPL-1.0 (rider section 6.3)");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(db);
	free(commit);
	free(repo);
	free(gpl);
}
END_TEST

START_TEST(rider_on_a_licence_that_lets_recipients_remove_it_is_a_warning)
{
	char *gpl = license_text("GPL-3.0-only"), *db, *commit, *repo;
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = rider_repo("gpl3", gpl, "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0", ALL_TEXT, NULL, &db,
			  &commit);
	e2e_list_add(&want, "LICENSE:1: warning: tgpl-rider-base-weak: the TGPL rider is added to "
		     "GPL-3.0-or-later, which lets recipients remove further restrictions (GPL-3.0 section "
		     "7): the rider is weak");
	expect_findings(repo, db, 0, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "state the rider as an additional term under section 7 in the licence "
			 "file, or use the standalone LicenseRef-TGPL-1.0 where its conditions must hold");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(db);
	free(commit);
	free(repo);
	free(gpl);
}
END_TEST

START_TEST(optout_contradicting_training_permitted_is_an_error_at_the_optout)
{
	char *mit = license_text("MIT"), *db, *commit, *repo;
	const char *more[] = { "robots.txt", "User-agent: *\nAllow: /\n\nUser-agent: GPTBot\nDisallow: /\n",
			       "src/a.c", "// SPDX-License-Identifier: MIT WITH AdditionRef-TGPL-1.0\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = rider_repo("optout", mit, "MIT WITH AdditionRef-TGPL-1.0", ALL_TEXT, more, &db, &commit);
	e2e_list_add(&want, "robots.txt:4: error: optout-contradiction: forbids training (robots.txt: "
		     "GPTBot), but LICENSE permits it (TGPL training-permitted)");
	expect_findings(repo, db, 1, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "remove the opt-out, or drop the TGPL: the project cannot both permit "
			 "and forbid training");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(db);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(file_not_naming_the_declared_rider_is_told_to_name_it)
{
	char *mit = license_text("MIT"), *db, *commit, *repo;
	const char *more[] = { "a.c", "// SPDX-License-Identifier: MIT WITH AdditionRef-TGPL-1.0\n",
			       "b.c", "// SPDX-License-Identifier: MIT\n", NULL };
	e2e_list want = E2E_LIST_INIT, fixes = E2E_LIST_INIT;

	repo = rider_repo("plainmit", mit, "MIT WITH AdditionRef-TGPL-1.0", ALL_TEXT, more, &db, &commit);
	e2e_list_add(&want, "b.c:1: warning: copied-code: says MIT, but LICENSE, which covers it, says "
		     "MIT WITH AdditionRef-TGPL-1.0");
	expect_findings(repo, db, 0, &want, &fixes);
	ck_assert_str_eq(fixes.v[0], "write 'SPDX-License-Identifier: MIT WITH AdditionRef-TGPL-1.0' in it: "
			 "the TGPL rider asks every file to name it (rider section 9)");
	e2e_list_release(&want);
	e2e_list_release(&fixes);
	free(db);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

/* ---- tests: options, formats, the command line ----------------------------------- */

START_TEST(json_format_is_one_document_with_findings_and_totals)
{
	char *mit = license_text("MIT"), *commit, *repo, want[8192];
	const char *files[] = { "LICENSE", mit, "x.c", "// SPDX-License-Identifier: GPL-2.0\n", NULL };
	e2e_run r;

	repo = repo_with("json", files, &commit);
	run_check(&r, e2e_tmp, NULL, "--format", "json", repo, NULL);
	assert_exit(&r, 0, "json");
	snprintf(want, sizeof(want),
		 "{\"repository\":\"%s\",\"commit\":\"%s\",\"declared\":\"MIT\",\"findings\":["
		 "{\"check\":\"copied-code\",\"severity\":\"warning\",\"path\":\"x.c\",\"line\":1,"
		 "\"message\":\"says GPL-2.0-only, but LICENSE, which covers it, says MIT\","
		 "\"fix\":\"if the file was copied, keep its notice and list it in the third-party notices "
		 "(or move it under a directory with its own licence file); if it is yours, make it say MIT\"},"
		 "{\"check\":\"deprecated-spdx-id\",\"severity\":\"warning\",\"path\":\"x.c\",\"line\":1,"
		 "\"message\":\"deprecated SPDX id 'GPL-2.0' (now GPL-2.0-only)\","
		 "\"fix\":\"write 'GPL-2.0-only' instead of 'GPL-2.0'\"}],"
		 "\"errors\":0,\"warnings\":2,\"infos\":0,\"dropped\":0}\n", repo, commit);
	ck_assert_str_eq(r.out, want);
	e2e_run_release(&r);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(policy_changes_severities_and_ignores_paths)
{
	char *mit = license_text("MIT"), *commit, *repo, *policy;
	const char *files[] = { "LICENSE", mit,
				"a.c", "// SPDX-License-Identifier: MIT\n", "b.c", "// SPDX-License-Identifier: MIT\n",
				"c.c", "int c;\n",
				"copied.c", "// SPDX-License-Identifier: BSD-2-Clause\n",
				"tests/data/fixture.c", "// SPDX-License-Identifier: NotAnId\n", NULL };
	e2e_list heads = E2E_LIST_INIT, fixes = E2E_LIST_INIT, want = E2E_LIST_INIT;
	char *summary;
	e2e_run r;

	repo = repo_with("policy", files, &commit);
	e2e_write_str(e2e_tmp, "policy.toml",
		      "# a maintainer's policy\n[obligations]\nweight-release = \"review\"\n\n"
		      "[check]\ncopied-code = \"error\"\nmissing-header = \"off\"\n"
		      "ignore = [\"tests/*\"]\n");
	policy = e2e_path(e2e_tmp, "policy.toml");
	run_check(&r, e2e_tmp, NULL, "--policy", policy, repo, NULL);
	assert_exit(&r, 1, "policy");
	parse_text(&r, &heads, &fixes, &summary);
	e2e_list_add(&want, "copied.c:1: error: copied-code: says BSD-2-Clause, but LICENSE, which covers "
		     "it, says MIT");
	e2e_list_assert_eq(&heads, &want, "findings under the policy");
	ck_assert_msg(strncmp(summary, "1 error, 0 warnings in ", 23) == 0, "<%s>", summary);
	e2e_run_release(&r);
	free(summary);
	e2e_list_release(&heads);
	e2e_list_release(&fixes);
	e2e_list_release(&want);
	free(policy);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(bad_policy_is_a_usage_error_naming_file_and_line)
{
	static const char *const cases[][2] = {
		{ "[check]\nno-such-check = \"error\"\n", "line 2: unknown check 'no-such-check'" },
		{ "[check]\n\ncopied-code = \"fatal\"\n", "line 3: check 'copied-code' takes \"error\"" },
		{ "[check]\nignore = \"x\"\n", "line 2: 'ignore' takes an array" },
		{ "[check\n", "line 1:" },
	};
	const char *files[] = { "README", "x\n", NULL };
	char *commit, *repo = repo_with("badpolicy", files, &commit), *policy = e2e_path(e2e_tmp, "p.toml");
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e2e_run r;
		char want[256];

		e2e_write_str(e2e_tmp, "p.toml", cases[i][0]);
		run_check(&r, e2e_tmp, NULL, "--policy", policy, repo, NULL);
		assert_exit(&r, 2, cases[i][0]);
		snprintf(want, sizeof(want), "tgpl: policy '%s': %s", policy, cases[i][1]);
		ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0, "<%s>, expected <%s...>", r.err, want);
		ck_assert_uint_eq(r.out_len, 0);
		e2e_run_release(&r);
	}
	{
		e2e_run r;
		run_check(&r, e2e_tmp, NULL, "--policy", "/no/such/policy.toml", repo, NULL);
		assert_exit(&r, 2, "missing policy");
		ck_assert_msg(strstr(r.err, "'/no/such/policy.toml'") != NULL, "<%s>", r.err);
		e2e_run_release(&r);
		run_check(&r, e2e_tmp, NULL, "--format", "xml", repo, NULL);
		assert_exit(&r, 2, "bad format");
		ck_assert_msg(strstr(r.err, "'xml'") != NULL, "<%s>", r.err);
		e2e_run_release(&r);
		run_check(&r, e2e_tmp, NULL, repo, repo, NULL);
		assert_exit(&r, 2, "two paths");
		e2e_run_release(&r);
		run_check(&r, e2e_tmp, NULL, "/no/such/repo", NULL);
		assert_exit(&r, 3, "missing repo");
		ck_assert_msg(strstr(r.err, "'/no/such/repo'") != NULL, "<%s>", r.err);
		e2e_run_release(&r);
	}
	free(policy);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(rev_and_db_check_an_older_revision_and_keep_the_scan)
{
	char *mit = license_text("MIT"), *c1, *c2, *repo = e2e_mkdtemp("revs"), *db, want[256];
	e2e_run r;

	e2e_git_init(repo);
	e2e_write_str(repo, "README", "x\n");
	c1 = e2e_git_commit_all(repo, "no licence yet");
	e2e_write_str(repo, "LICENSE", mit);
	c2 = e2e_git_commit_all(repo, "MIT");
	db = e2e_path(e2e_tmp, "kept.db");
	run_check(&r, e2e_tmp, db, "--rev", "HEAD~1", repo, NULL);
	assert_exit(&r, 1, "HEAD~1");
	snprintf(want, sizeof(want), "tgpl check: 1 error, 0 warnings in %s at %.12s\n", repo, c1);
	ck_assert_msg(strstr(r.out, want) != NULL, "<%s>", r.out);
	e2e_run_release(&r);
	run_check(&r, e2e_tmp, db, repo, NULL);
	assert_exit(&r, 0, "HEAD");
	e2e_run_release(&r);
	/* again, from the stored revision: the declared licence still comes out */
	run_check(&r, e2e_tmp, db, "--format", "json", repo, NULL);
	assert_exit(&r, 0, "HEAD again");
	ck_assert_msg(strstr(r.out, "\"declared\":\"MIT\",\"findings\":[]") != NULL, "<%s>", r.out);
	e2e_run_release(&r);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions WHERE commit_id IN (?1, ?2)", c1, c2, NULL), 2);
	free(db);
	free(c1);
	free(c2);
	free(repo);
	free(mit);
}
END_TEST

START_TEST(hostile_file_names_are_escaped_in_text_output)
{
	char *mit = license_text("MIT"), *commit, *repo;
	const char *files[] = { "LICENSE", mit,
				"a.c", "// SPDX-License-Identifier: MIT\n", "b.c", "// SPDX-License-Identifier: MIT\n",
				"evil\x1b[2J\nname.c", "int x;\n", NULL };
	e2e_run r;

	repo = repo_with("hostile", files, &commit);
	run_check(&r, e2e_tmp, NULL, "--color=always", repo, NULL);
	assert_exit(&r, 0, "hostile");
	ck_assert_msg(strstr(r.out, "evil\\x1b[2J\\nname.c:1: \033[1;33mwarning\033[0m: missing-header") != NULL,
		      "<%s>", r.out);
	e2e_run_release(&r);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

/* git commit in `repo`, expecting `status` (the hook decides). */
static void commit_expect(const char *repo, const char *msg, int status, e2e_run *r)
{
	const char *argv[] = { "git", "-c", "gc.auto=0", "commit", "-q", "-m", msg, NULL };

	e2e_run_argv(r, repo, argv, 120);
	assert_exit(r, status, msg);
}

START_TEST(pre_commit_hook_refuses_staged_licensing_errors_only)
{
	const char *src = getenv("TGPL_SRCDIR");
	char *mit = license_text("MIT"), *commit, *repo, *hook, *text;
	const char *files[] = { "LICENSE", mit, NULL };
	e2e_run r;

	ck_assert_msg(src && *src, "TGPL_SRCDIR is not set");
	repo = repo_with("hooked", files, &commit);
	hook = cat(src, "/contrib/pre-commit");
	text = e2e_read_file(hook, NULL);
	ck_assert_msg(text != NULL, "cannot read %s", hook);
	e2e_write_file(repo, ".git/hooks/pre-commit", text, strlen(text), 0755);
	setenv("TGPL", e2e_tgpl_bin(), 1);

	/* a staged error refuses the commit */
	e2e_write_str(repo, "a.c", "// SPDX-License-Identifier: Foo-9\n");
	free(e2e_git(repo, "add", "a.c", NULL));
	commit_expect(repo, "bad", 1, &r);
	/* git sends a hook's standard output to standard error */
	ck_assert_msg(strstr(r.err, "a.c:1: error: invalid-spdx-id: unknown SPDX id 'Foo-9'\n") != NULL,
		      "<%s>", r.err);
	ck_assert_msg(strstr(r.err, "pre-commit: tgpl check found licensing errors") != NULL, "<%s>", r.err);
	e2e_run_release(&r);
	/* the index is checked, not the work tree */
	e2e_write_str(repo, "a.c", "// SPDX-License-Identifier: MIT\n");
	free(e2e_git(repo, "add", "a.c", NULL));
	e2e_write_str(repo, "a.c", "// SPDX-License-Identifier: Foo-9\n");
	commit_expect(repo, "good", 0, &r);
	ck_assert_str_eq(r.out, "");
	e2e_run_release(&r);
	/* the analyses are cached for the next commit */
	{
		char *db = e2e_path(repo, ".git/tgpl.db");
		ck_assert_int_ge(e2e_db_int(db, "SELECT count(*) FROM analyses", NULL), 2);
		free(db);
	}
	/* a first commit has no parent: still checked */
	{
		char *fresh = e2e_mkdtemp("fresh");
		e2e_git_init(fresh);
		e2e_write_file(fresh, ".git/hooks/pre-commit", text, strlen(text), 0755);
		e2e_write_str(fresh, "README", "no licence\n");
		free(e2e_git(fresh, "add", "README", NULL));
		commit_expect(fresh, "first", 1, &r);
		ck_assert_msg(strstr(r.err, "(repository): error: no-license:") != NULL, "<%s>", r.err);
		e2e_run_release(&r);
		free(fresh);
	}
	free(text);
	free(hook);
	free(commit);
	free(repo);
	free(mit);
}
END_TEST

static int count_finding(const tgpl_check_finding *f, void *payload)
{
	(void)f;
	++*(int *)payload;
	return 0;
}

/*
 * The library's check, with the n-th allocation failing for n = 1, 2, ...
 * until it succeeds: each failure is TGPL_ENOMEM, and nothing leaks (the
 * sanitizer build checks that).  The repository has a finding of most kinds.
 */
START_TEST(check_fails_cleanly_at_every_allocation)
{
	char *mit = license_text("MIT"), *zlib = license_text("Zlib"), *commit, *repo, *db;
	const char *files[] = { "LICENSE", mit,
				"package.json", "{\"name\":\"x\",\"license\":\"Apache-2.0\"}\n",
				"a.c", "// SPDX-License-Identifier: MIT OR GPL-2.0+\n",
				"b.c", "// SPDX-License-Identifier: Foo-1\n", "c.c", "int c;\n",
				"d.c", "// SPDX-License-Identifier: MIT\n",
				"vendor/z/LICENSE", zlib, "robots.txt", "User-agent: GPTBot\nDisallow: /\n",
				"x/LICENSE", "SPDX-License-Identifier: MIT WITH AdditionRef-TGPL-1.0\n", NULL };
	tgpl_ctx *ctx = NULL;
	tgpl_engine *e = NULL;
	tgpl_db *d = NULL;
	tgpl_scan_result res;
	tgpl_check_summary sum;
	tgpl_check_policy *policy = NULL;
	int baseline = 0, got, rc;
	long n;

	repo = repo_with("oom", files, &commit);
	db = e2e_path(e2e_tmp, "oom.db");
	e2e_write_str(e2e_tmp, "p.toml", "[check]\ncopied-code = \"error\"\nignore = [\"zz/*\", \"yy\"]\n");
	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&e, ctx, NULL) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_msg(tgpl_db_open(&d, ctx, db, 0) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_msg(tgpl_scan_path(&res, ctx, d, e, repo, NULL) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_int_eq(tgpl_check_revision(&sum, ctx, d, res.path, res.commit, NULL, count_finding,
					     &baseline), 0);
	ck_assert_int_ge(baseline, 8);
	for (n = 1;; n++) {
		char *p = e2e_path(e2e_tmp, "p.toml");

		tgpl_alloc_fail_at(n);
		rc = tgpl_check_policy_load(&policy, ctx, p);
		if (rc == 0) {
			got = 0;
			rc = tgpl_check_revision(&sum, ctx, d, res.path, res.commit, policy, count_finding, &got);
		}
		tgpl_alloc_fail_at(0);
		free(p);
		tgpl_check_policy_free(policy);
		policy = NULL;
		if (rc == 0)
			break;
		ck_assert_msg(rc == TGPL_ENOMEM, "allocation %ld: %d: %s", n, rc, tgpl_errmsg(ctx));
	}
	ck_assert_int_eq(got, baseline);
	tgpl_db_close(d);
	tgpl_engine_free(e);
	tgpl_ctx_free(ctx);
	free(db);
	free(commit);
	free(repo);
	free(zlib);
	free(mit);
}
END_TEST

static Suite *check_suite(void)
{
	Suite *s = suite_create("check (end to end)");

	e2e_add_test(s, clean_repository_has_no_findings_and_exits_zero, 120);
	e2e_add_test(s, repository_without_licence_is_an_error, 120);
	e2e_add_test(s, files_mostly_under_another_licence_are_a_declared_mismatch, 120);
	e2e_add_test(s, copied_file_under_another_licence_is_reported_at_its_statement, 120);
	e2e_add_test(s, file_without_header_is_reported_only_where_headers_are_the_convention, 120);
	e2e_add_test(s, reuse_project_expects_licence_information_in_every_file, 120);
	e2e_add_test(s, vendored_directory_under_another_licence_is_reported_once, 120);
	e2e_add_test(s, manifest_that_disagrees_with_the_licence_file_is_an_error, 120);
	e2e_add_test(s, invalid_and_deprecated_spdx_ids_are_reported_with_the_replacement, 120);
	e2e_add_test(s, licence_file_with_no_known_licence_is_unrecognised, 120);
	e2e_add_test(s, rider_missing_clauses_is_an_error_naming_them_and_the_score, 120);
	e2e_add_test(s, rider_with_reworded_clauses_is_a_warning_with_each_score, 120);
	e2e_add_test(s, declared_tgpl_without_the_rider_text_lacks_every_clause, 120);
	e2e_add_test(s, rider_on_a_licence_that_forbids_further_restrictions_is_an_error, 120);
	e2e_add_test(s, rider_on_a_licence_that_lets_recipients_remove_it_is_a_warning, 120);
	e2e_add_test(s, optout_contradicting_training_permitted_is_an_error_at_the_optout, 120);
	e2e_add_test(s, file_not_naming_the_declared_rider_is_told_to_name_it, 120);
	e2e_add_test(s, json_format_is_one_document_with_findings_and_totals, 120);
	e2e_add_test(s, policy_changes_severities_and_ignores_paths, 120);
	e2e_add_test(s, bad_policy_is_a_usage_error_naming_file_and_line, 120);
	e2e_add_test(s, rev_and_db_check_an_older_revision_and_keep_the_scan, 120);
	e2e_add_test(s, hostile_file_names_are_escaped_in_text_output, 120);
	e2e_add_test(s, pre_commit_hook_refuses_staged_licensing_errors_only, 120);
	e2e_add_test(s, check_fails_cleanly_at_every_allocation, 300);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(check_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
