/*
 * check_history.c — licence history (tgpl_scan_history) and the timeline
 * report (tgpl_report_timeline), through the library, on repositories the
 * tests build with git and git fast-import.
 *
 * The TGPL clause detector is not in the engine yet.  Where a licence file
 * holds the rider, the test stores in the analysis cache what that detector
 * is specified to report for it (DESIGN.md §3: an expression and one
 * finding per clause) before the history scan, which then reuses it like
 * any cached analysis.  These tests pin what history does with analyses,
 * not what detection finds.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"
#include "tgpl.h"
#include "tgpl/history.h"
#include "util/util.h"

#define DAY 86400
#define T0 1700000000   /* 2023-11-14T22:13:20Z */
#define AUTHOR "Test Author <author@example.org>"
#define ALL_CLAUSES "data-provenance finetune-inheritance network-use training-permitted weight-release"

/* ---- helpers ----------------------------------------------------------------- */

typedef struct {
	tgpl_ctx *ctx;
	tgpl_engine *engine;
	tgpl_db *db;
	char *db_path;
} lib;

static void lib_open(lib *l)
{
	memset(l, 0, sizeof(*l));
	ck_assert_int_eq(tgpl_ctx_new(&l->ctx), 0);
	ck_assert_msg(tgpl_engine_open(&l->engine, l->ctx, NULL) == 0, "engine: %s", tgpl_errmsg(l->ctx));
	l->db_path = e2e_path(e2e_tmp, "history.db");
	ck_assert_msg(tgpl_db_open(&l->db, l->ctx, l->db_path, 0) == 0, "db: %s", tgpl_errmsg(l->ctx));
}

static void lib_close(lib *l)
{
	tgpl_db_close(l->db);
	tgpl_engine_free(l->engine);
	tgpl_ctx_free(l->ctx);
	free(l->db_path);
}

static void history_ok(lib *l, const char *repo, tgpl_history_result *res)
{
	int rc = tgpl_scan_history(res, l->ctx, l->db, l->engine, repo, NULL);

	ck_assert_msg(rc == 0, "history of %s: %d: %s", repo, rc, tgpl_errmsg(l->ctx));
}

static char *timeline(lib *l, const char *repo, tgpl_timeline_format fmt)
{
	char *out = NULL;
	int rc = tgpl_report_timeline(&out, l->ctx, l->db, repo, fmt);

	ck_assert_msg(rc == 0, "timeline: %d: %s", rc, tgpl_errmsg(l->ctx));
	return out;
}

static char *read_src(const char *rel)
{
	const char *src = getenv("TGPL_SRCDIR");
	char path[4096];
	char *text;

	ck_assert_msg(src && *src, "TGPL_SRCDIR is not set (run through make check-unit)");
	snprintf(path, sizeof(path), "%s/%s", src, rel);
	text = e2e_read_file(path, NULL);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	return text;
}

/* The engine's reference text of a licence, NUL-terminated (caller frees). */
static char *license_text(const lib *l, const char *id)
{
	const tgpl_license_info *li = tgpl_engine_license(l->engine, id);
	char *t;

	ck_assert_msg(li && li->text, "the engine has no text for %s", id);
	t = strdup(li->text);
	ck_assert_ptr_nonnull(t);
	return t;
}

static char *concat3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);

	ck_assert_ptr_nonnull(s);
	snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

static char *blob_id(const char *repo, const char *rel)
{
	return e2e_git_line(repo, "hash-object", "--no-filters", rel, NULL);
}

static void exec_sql(sqlite3 *h, const char *sql, const char *const *params, int n)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL), i;

	ck_assert_msg(rc == SQLITE_OK, "<%s>: %s", sql, sqlite3_errmsg(h));
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	ck_assert_msg(rc == SQLITE_DONE, "<%s>: %s", sql, sqlite3_errmsg(h));
	sqlite3_finalize(st);
}

/*
 * Store in the cache the analysis the clause detector gives a rider file:
 * the file's expression, its licence finding, and one finding of kind
 * "text" and score 1 per clause id (space-separated `clauses`).
 */
static void seed_rider(lib *l, const char *oid, const char *expr, const char *clauses)
{
	sqlite3 *h = tgpl_db_handle(l->db);
	const char *engine = tgpl_engine_version(l->engine);
	const char *p = clauses;
	int seq = 1;

	{
		const char *a[] = { oid };
		exec_sql(h, "INSERT OR IGNORE INTO blobs (id, size) VALUES (?1, 1)", a, 1);
	}
	{
		const char *a[] = { oid, engine, expr };
		exec_sql(h, "INSERT INTO analyses (blob_id, engine, expression, skipped, n_lines)"
			 " VALUES (?1, ?2, ?3, NULL, 100)", a, 3);
		exec_sql(h, "INSERT INTO findings (blob_id, engine, seq, category, kind, spdx, expr,"
			 " start_line, end_line, score, rule) VALUES (?1, ?2, 0, 'license', 'tag',"
			 " 'AdditionRef-TGPL-1.0', ?3, 1, 1, 1.0, 'spdx-tag')", a, 3);
	}
	while (p && *p) {
		char id[64], seqs[16];
		size_t n = strcspn(p, " ");
		const char *a[] = { oid, engine, id, seqs };

		snprintf(id, sizeof(id), "%.*s", (int)n, p);
		snprintf(seqs, sizeof(seqs), "%d", seq++);
		exec_sql(h, "INSERT INTO findings (blob_id, engine, seq, category, kind, spdx,"
			 " start_line, end_line, score, rule) VALUES (?1, ?2, CAST(?4 AS INTEGER), 'clause',"
			 " 'text', ?3, 10, 12, 1.0, 'tgpl-clause')", a, 4);
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void set_date(long t)
{
	char d[32];

	snprintf(d, sizeof(d), "%ld +0000", t);
	e2e_git_date(d);
}

/* The relicensing history of the issue: no licence, MIT, MIT + TGPL rider, GPL-3.0 + rider. */
typedef struct {
	char *repo;
	char *c[5];
} relicensed;

static void build_relicensing(lib *l, relicensed *r)
{
	char *mit = license_text(l, "MIT"), *gpl = license_text(l, "GPL-3.0-only");
	char *rider = read_src("licenses/tgpl/TGPL-1.0-rider.txt");
	char *mit_rider = concat3(mit, "\n", rider);
	char *gpl_rider = concat3("SPDX-License-Identifier: GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\n\n",
				  gpl, rider);
	char *oid;

	r->repo = e2e_mkdtemp("relicensed");
	e2e_git_init(r->repo);
	e2e_write_str(r->repo, "README", "A project.\n");
	set_date(T0);
	r->c[0] = e2e_git_commit_all(r->repo, "Initial commit");
	e2e_write_str(r->repo, "LICENSE", mit);
	set_date(T0 + DAY);
	r->c[1] = e2e_git_commit_all(r->repo, "Add the MIT licence");
	e2e_write_str(r->repo, "README", "A project, licensed MIT.\n");
	e2e_write_str(r->repo, "src/main.c", "int main(void) { return 0; }\n");
	set_date(T0 + 2 * DAY);
	r->c[2] = e2e_git_commit_all(r->repo, "Update README");
	e2e_write_str(r->repo, "LICENSE", mit_rider);
	oid = blob_id(r->repo, "LICENSE");
	seed_rider(l, oid, "MIT WITH AdditionRef-TGPL-1.0", ALL_CLAUSES);
	free(oid);
	set_date(T0 + 3 * DAY);
	r->c[3] = e2e_git_commit_all(r->repo, "Add the TGPL rider");
	e2e_write_str(r->repo, "LICENSE", gpl_rider);
	e2e_write_str(r->repo, "package.json",
		      "{\"name\":\"x\",\"license\":\"GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\"}\n");
	oid = blob_id(r->repo, "LICENSE");
	seed_rider(l, oid, "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0", ALL_CLAUSES);
	free(oid);
	set_date(T0 + 4 * DAY);
	r->c[4] = e2e_git_commit_all(r->repo, "Relicense under GPL-3.0-or-later with the TGPL rider");
	free(mit);
	free(gpl);
	free(rider);
	free(mit_rider);
	free(gpl_rider);
}

static void relicensed_release(relicensed *r)
{
	size_t i;

	for (i = 0; i < 5; i++)
		free(r->c[i]);
	free(r->repo);
}

/* Run git fast-import in `repo` with the stream in file `stream` (no shell). */
static void fast_import(const char *repo, const char *stream)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int in = open(stream, O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0 || chdir(repo) < 0)
			_exit(126);
		execlp("git", "git", "fast-import", "--quiet", "--export-marks=marks", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "git fast-import in %s failed (status %d)",
		      repo, st);
}

/* The commit id of mark `m` from the marks file fast-import exported. */
static char *mark_commit(const char *repo, long m)
{
	char *path = e2e_path(repo, "marks"), *text = e2e_read_file(path, NULL), *p, want[32], *id;

	ck_assert_ptr_nonnull(text);
	snprintf(want, sizeof(want), ":%ld ", m);
	p = strstr(text, want);
	if (p && p != text && p[-1] != '\n') {
		char again[34];
		snprintf(again, sizeof(again), "\n:%ld ", m);
		p = strstr(text, again);
		p = p ? p + 1 : NULL;
	}
	ck_assert_msg(p != NULL, "no mark %ld in %s", m, path);
	id = strndup(p + strlen(want), 40);
	ck_assert_ptr_nonnull(id);
	free(text);
	free(path);
	return id;
}

/* ---- tests ------------------------------------------------------------------- */

START_TEST(relicensing_history_records_declared_licence_and_clauses_per_commit)
{
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
	tgpl_history_result res;
	relicensed r;
	lib l;

	lib_open(&l);
	build_relicensing(&l, &r);
	history_ok(&l, r.repo, &res);
	ck_assert_str_eq(res.path, r.repo);
	ck_assert_str_eq(res.kind, "git");
	ck_assert_str_eq(res.commit, r.c[4]);
	ck_assert_uint_eq(res.commits, 5);
	ck_assert_uint_eq(res.known, 0);
	ck_assert_uint_eq(res.changes, 3);
	ck_assert_str_eq(res.declared, "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0");
	ck_assert_str_eq(res.clauses, ALL_CLAUSES);

	e2e_db_rows(&got, l.db_path,
		    "SELECT h.commit_id, h.parent_id, h.commit_time, h.author_time, h.author, h.summary,"
		    " h.declared, h.clauses, h.changed, h.files FROM history h ORDER BY h.seq", NULL);
#define ROW(i, parent, t, summary, declared, clauses, changed, files) \
	e2e_list_addf(&want, "%s\t%s\t%ld\t%ld\tTest\\x20Author\\x20<author@example.org>\t%s\t%s\t%s\t%d\t%s", \
		      r.c[i], parent, (long)(t), (long)(t), summary, declared, clauses, changed, files)
	ROW(0, "\\N", T0, "Initial\\x20commit", "\\N", "\\N", 0, "\\N");
	ROW(1, r.c[0], T0 + DAY, "Add\\x20the\\x20MIT\\x20licence", "MIT", "\\N", 1, "[\"LICENSE\"]");
	ROW(2, r.c[1], T0 + 2 * DAY, "Update\\x20README", "MIT", "\\N", 0, "\\N");
	ROW(3, r.c[2], T0 + 3 * DAY, "Add\\x20the\\x20TGPL\\x20rider",
	    "MIT\\x20WITH\\x20AdditionRef-TGPL-1.0",
	    "data-provenance\\x20finetune-inheritance\\x20network-use\\x20training-permitted\\x20weight-release",
	    1, "[\"LICENSE\"]");
	ROW(4, r.c[3], T0 + 4 * DAY,
	    "Relicense\\x20under\\x20GPL-3.0-or-later\\x20with\\x20the\\x20TGPL\\x20rider",
	    "GPL-3.0-or-later\\x20WITH\\x20AdditionRef-TGPL-1.0",
	    "data-provenance\\x20finetune-inheritance\\x20network-use\\x20training-permitted\\x20weight-release",
	    1, "[\"LICENSE\",\"package.json\"]");
#undef ROW
	/* the order of the walk is kept: compare unsorted */
	ck_assert_uint_eq(got.n, want.n);
	for (size_t i = 0; i < got.n; i++)
		ck_assert_str_eq(got.v[i], want.v[i]);
	ck_assert_int_eq(e2e_db_int(l.db_path, "SELECT count(DISTINCT engine) FROM history", NULL), 1);
	/* the repository row exists, its files are tgpl_scan_path's business */
	ck_assert_int_eq(e2e_db_count(l.db_path, "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)"
				      " AND kind = 'git'", r.repo, NULL), 1);
	ck_assert_int_eq(e2e_db_int(l.db_path, "SELECT count(*) FROM files", NULL), 0);
	e2e_list_release(&got);
	e2e_list_release(&want);
	relicensed_release(&r);
	lib_close(&l);
}
END_TEST

START_TEST(timeline_text_shows_date_commit_author_from_to_clauses_and_files)
{
	relicensed r;
	char *out, want[4096];
	lib l;
	tgpl_history_result res;

	lib_open(&l);
	build_relicensing(&l, &r);
	history_ok(&l, r.repo, &res);
	out = timeline(&l, r.repo, TGPL_TIMELINE_TEXT);
	snprintf(want, sizeof(want),
		 "%s\n"
		 "  2023-11-15T22:13:20Z  %.12s  " AUTHOR "\n"
		 "    (none) -> MIT\n"
		 "    files: LICENSE\n"
		 "  2023-11-17T22:13:20Z  %.12s  " AUTHOR "\n"
		 "    MIT -> MIT WITH AdditionRef-TGPL-1.0\n"
		 "    clauses: +data-provenance +finetune-inheritance +network-use +training-permitted"
		 " +weight-release\n"
		 "    files: LICENSE\n"
		 "  2023-11-18T22:13:20Z  %.12s  " AUTHOR "\n"
		 "    MIT WITH AdditionRef-TGPL-1.0 -> GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\n"
		 "    files: LICENSE, package.json\n",
		 r.repo, r.c[1], r.c[3], r.c[4]);
	ck_assert_str_eq(out, want);
	free(out);
	/* NULL: every repository with a history (here the same one) */
	out = timeline(&l, NULL, TGPL_TIMELINE_TEXT);
	ck_assert_str_eq(out, want);
	free(out);
	relicensed_release(&r);
	lib_close(&l);
}
END_TEST

START_TEST(timeline_json_has_one_object_per_repository_with_from_and_to)
{
	relicensed r;
	char *out, want[8192];
	lib l;
	tgpl_history_result res;

	lib_open(&l);
	build_relicensing(&l, &r);
	history_ok(&l, r.repo, &res);
	out = timeline(&l, r.repo, TGPL_TIMELINE_JSON);
	snprintf(want, sizeof(want),
		 "{\"repository\":\"%s\",\"changes\":["
		 "{\"commit\":\"%s\",\"parent\":\"%s\",\"date\":\"2023-11-15T22:13:20Z\",\"time\":%d,"
		 "\"author\":\"" AUTHOR "\",\"summary\":\"Add the MIT licence\","
		 "\"from\":{\"declared\":null,\"clauses\":[]},\"to\":{\"declared\":\"MIT\",\"clauses\":[]},"
		 "\"files\":[\"LICENSE\"]},"
		 "{\"commit\":\"%s\",\"parent\":\"%s\",\"date\":\"2023-11-17T22:13:20Z\",\"time\":%d,"
		 "\"author\":\"" AUTHOR "\",\"summary\":\"Add the TGPL rider\","
		 "\"from\":{\"declared\":\"MIT\",\"clauses\":[]},"
		 "\"to\":{\"declared\":\"MIT WITH AdditionRef-TGPL-1.0\",\"clauses\":[\"data-provenance\","
		 "\"finetune-inheritance\",\"network-use\",\"training-permitted\",\"weight-release\"]},"
		 "\"files\":[\"LICENSE\"]},"
		 "{\"commit\":\"%s\",\"parent\":\"%s\",\"date\":\"2023-11-18T22:13:20Z\",\"time\":%d,"
		 "\"author\":\"" AUTHOR "\",\"summary\":\"Relicense under GPL-3.0-or-later with the TGPL rider\","
		 "\"from\":{\"declared\":\"MIT WITH AdditionRef-TGPL-1.0\",\"clauses\":[\"data-provenance\","
		 "\"finetune-inheritance\",\"network-use\",\"training-permitted\",\"weight-release\"]},"
		 "\"to\":{\"declared\":\"GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\",\"clauses\":["
		 "\"data-provenance\",\"finetune-inheritance\",\"network-use\",\"training-permitted\","
		 "\"weight-release\"]},\"files\":[\"LICENSE\",\"package.json\"]}]}\n",
		 r.repo, r.c[1], r.c[0], T0 + DAY, r.c[3], r.c[2], T0 + 3 * DAY, r.c[4], r.c[3], T0 + 4 * DAY);
	ck_assert_str_eq(out, want);
	free(out);
	relicensed_release(&r);
	lib_close(&l);
}
END_TEST

START_TEST(history_analyses_only_root_licence_files_and_manifests)
{
	tgpl_history_result res;
	char *repo = e2e_mkdtemp("cost"), *mit, *isc;
	lib l;
	int i;

	lib_open(&l);
	mit = license_text(&l, "MIT");
	isc = license_text(&l, "ISC");
	e2e_git_init(repo);
	for (i = 0; i < 30; i++) {
		char name[64], body[64];

		snprintf(name, sizeof(name), "src/f%d.c", i % 7);
		snprintf(body, sizeof(body), "// SPDX-License-Identifier: MIT\nint v%d;\n", i);
		e2e_write_str(repo, name, body);
		snprintf(body, sizeof(body), "revision %d\n", i);
		e2e_write_str(repo, "README", body);
		/* a licence file below the root never decides the declared licence */
		e2e_write_str(repo, "docs/LICENSE", i % 2 ? mit : isc);
		if (i == 10)
			e2e_write_str(repo, "LICENSE", mit);
		if (i == 20)
			e2e_write_str(repo, "LICENSE", isc);
		set_date(T0 + i);
		free(e2e_git_commit_all(repo, "change"));
	}
	history_ok(&l, repo, &res);
	ck_assert_uint_eq(res.commits, 30);
	ck_assert_uint_eq(res.changes, 2);
	/* three root states: none, MIT, ISC; two blobs read: the two root LICENSE texts */
	ck_assert_uint_eq(res.concluded, 3);
	ck_assert_uint_eq(res.analysed, 2);
	ck_assert_int_eq(e2e_db_int(l.db_path, "SELECT count(*) FROM analyses", NULL), 2);
	ck_assert_str_eq(res.declared, "ISC");
	ck_assert_int_eq(e2e_db_count(l.db_path, "SELECT 1 FROM history WHERE declared = 'MIT'", NULL), 10);
	ck_assert_int_eq(e2e_db_count(l.db_path, "SELECT 1 FROM history WHERE declared = 'ISC'", NULL), 10);
	ck_assert_int_eq(e2e_db_count(l.db_path, "SELECT 1 FROM history WHERE declared IS NULL", NULL), 10);
	free(mit);
	free(isc);
	free(repo);
	lib_close(&l);
}
END_TEST

START_TEST(rescan_walks_only_commits_not_yet_recorded)
{
	tgpl_history_result res;
	relicensed r;
	char *c6, *out, *want;
	lib l;

	lib_open(&l);
	build_relicensing(&l, &r);
	history_ok(&l, r.repo, &res);
	history_ok(&l, r.repo, &res);
	ck_assert_uint_eq(res.commits, 0);
	ck_assert_uint_eq(res.known, 5);
	ck_assert_uint_eq(res.concluded, 0);
	ck_assert_str_eq(res.declared, "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0");

	free(e2e_git(r.repo, "rm", "-q", "LICENSE", "package.json", NULL));
	set_date(T0 + 5 * DAY);
	c6 = e2e_git_commit_all(r.repo, "Remove the licence");
	history_ok(&l, r.repo, &res);
	ck_assert_uint_eq(res.commits, 1);
	ck_assert_uint_eq(res.known, 5);
	ck_assert_uint_eq(res.changes, 1);
	ck_assert_str_eq(res.declared, "");
	ck_assert_str_eq(res.clauses, "");
	ck_assert_int_eq(e2e_db_int(l.db_path, "SELECT count(*) FROM history", NULL), 6);
	ck_assert_int_eq(e2e_db_int(l.db_path, "SELECT max(seq) FROM history", NULL), 6);
	out = timeline(&l, r.repo, TGPL_TIMELINE_TEXT);
	want = concat3("  2023-11-19T22:13:20Z  ", "", "");
	ck_assert_msg(strstr(out, "    GPL-3.0-or-later WITH AdditionRef-TGPL-1.0 -> (none)\n"
			     "    clauses: -data-provenance -finetune-inheritance -network-use"
			     " -training-permitted -weight-release\n"
			     "    files: LICENSE, package.json\n") != NULL, "<%s>", out);
	ck_assert_msg(strstr(out, want) != NULL && strstr(out, want) < strstr(out, "-> (none)"),
		      "<%s>", out);
	free(want);
	free(out);
	free(c6);
	relicensed_release(&r);
	lib_close(&l);
}
END_TEST

START_TEST(rows_of_another_engine_version_are_replaced)
{
	tgpl_history_result res;
	relicensed r;
	lib l;

	lib_open(&l);
	build_relicensing(&l, &r);
	history_ok(&l, r.repo, &res);
	e2e_db_exec(l.db_path, "UPDATE history SET engine = 'tgpl 0.0.0 old', declared = 'Old'");
	history_ok(&l, r.repo, &res);
	ck_assert_uint_eq(res.known, 0);
	ck_assert_uint_eq(res.commits, 5);
	ck_assert_int_eq(e2e_db_int(l.db_path, "SELECT count(*) FROM history", NULL), 5);
	ck_assert_int_eq(e2e_db_count(l.db_path, "SELECT 1 FROM history WHERE engine = ?1",
				      tgpl_engine_version(l.engine), NULL), 5);
	ck_assert_int_eq(e2e_db_count(l.db_path, "SELECT 1 FROM history WHERE declared = 'Old'", NULL), 0);
	relicensed_release(&r);
	lib_close(&l);
}
END_TEST

/*
 * 3,000 commits from git fast-import: LICENSE is MIT, then Apache-2.0 from
 * commit 1,000 and ISC from commit 2,000; a side branch off the last commit
 * changes it to BSD-2-Clause and is merged back (the merge's first parent
 * is the main line).  Every commit also changes a file under src/.
 */
#define N_COMMITS 3000

START_TEST(thousands_of_commits_cost_their_distinct_licence_blobs)
{
	static const char *const ids[] = { "MIT", "Apache-2.0", "ISC", "BSD-2-Clause" };
	tgpl_history_result res;
	char *repo = e2e_mkdtemp("many"), *stream = e2e_path(e2e_tmp, "stream.fi");
	char *texts[4], *c0, *c1000, *c2000, *side, *merge;
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
	FILE *f;
	long mark = 0, prev = 0, i;
	lib l;

	lib_open(&l);
	e2e_git_init(repo);
	f = fopen(stream, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 4; i++) {
		texts[i] = license_text(&l, ids[i]);
		fprintf(f, "blob\nmark :%ld\ndata %zu\n%s\n", ++mark, strlen(texts[i]), texts[i]);
	}
	/* marks 1-4: licence blobs; each commit's mark is 5 + 2*i, its src blob's 4 + 2*i */
	for (i = 0; i < N_COMMITS; i++) {
		char body[64];
		int n = snprintf(body, sizeof(body), "int v%ld;\n", i);
		long lic = i < 1000 ? 1 : i < 2000 ? 2 : 3;

		fprintf(f, "blob\nmark :%ld\ndata %d\n%s\n", ++mark, n, body);
		fprintf(f, "commit refs/heads/main\nmark :%ld\nauthor A <a@example.org> %ld +0000\n"
			"committer A <a@example.org> %ld +0000\ndata 7\ncommit\n", mark + 1, T0 + i, T0 + i);
		if (prev)
			fprintf(f, "from :%ld\n", prev);
		fprintf(f, "M 100644 :%ld LICENSE\nM 100644 :%ld src/f%ld.c\n\n", lic, mark, i % 100);
		prev = ++mark;
	}
	/* the side branch and its merge */
	fprintf(f, "commit refs/heads/side\nmark :%ld\nauthor B <b@example.org> %d +0000\n"
		"committer B <b@example.org> %d +0000\ndata 4\nside\nfrom :%ld\nM 100644 :4 LICENSE\n\n",
		mark + 1, T0 + N_COMMITS, T0 + N_COMMITS, prev);
	fprintf(f, "commit refs/heads/main\nmark :%ld\nauthor A <a@example.org> %d +0000\n"
		"committer A <a@example.org> %d +0000\ndata 5\nmerge\nfrom :%ld\nmerge :%ld\n"
		"M 100644 :4 LICENSE\n\n", mark + 2, T0 + N_COMMITS + 1, T0 + N_COMMITS + 1, prev, mark + 1);
	ck_assert_int_eq(fclose(f), 0);
	fast_import(repo, stream);

	history_ok(&l, repo, &res);
	ck_assert_uint_eq(res.commits, N_COMMITS + 2);
	ck_assert_uint_eq(res.changes, 5);
	ck_assert_uint_eq(res.analysed, 4);
	ck_assert_uint_eq(res.concluded, 4);
	ck_assert_str_eq(res.declared, "BSD-2-Clause");
	ck_assert_int_eq(e2e_db_int(l.db_path, "SELECT count(*) FROM analyses", NULL), 4);

	c0 = mark_commit(repo, 6);
	c1000 = mark_commit(repo, 6 + 2 * 1000);
	c2000 = mark_commit(repo, 6 + 2 * 2000);
	side = mark_commit(repo, mark + 1);
	merge = mark_commit(repo, mark + 2);
	e2e_db_rows(&got, l.db_path, "SELECT commit_id, declared FROM history WHERE changed = 1", NULL);
	e2e_list_addf(&want, "%s\tMIT", c0);
	e2e_list_addf(&want, "%s\tApache-2.0", c1000);
	e2e_list_addf(&want, "%s\tISC", c2000);
	e2e_list_addf(&want, "%s\tBSD-2-Clause", side);
	e2e_list_addf(&want, "%s\tBSD-2-Clause", merge);
	e2e_list_assert_eq(&got, &want, "changes");
	/* the merge is compared with its first parent, the main line */
	{
		char *parent = e2e_db_str(l.db_path, "SELECT parent_id FROM history WHERE commit_id = ?1",
					  merge, NULL);
		char *main_tip = mark_commit(repo, 6 + 2 * (N_COMMITS - 1));
		ck_assert_str_eq(parent, main_tip);
		free(parent);
		free(main_tip);
	}
	/* parents before children in the walk order */
	ck_assert_int_eq(e2e_db_count(l.db_path, "SELECT 1 FROM history h JOIN history p"
				      " ON p.repo_id = h.repo_id AND p.commit_id = h.parent_id"
				      " WHERE p.seq >= h.seq", NULL), 0);
	for (i = 0; i < 4; i++)
		free(texts[i]);
	free(c0);
	free(c1000);
	free(c2000);
	free(side);
	free(merge);
	e2e_list_release(&got);
	e2e_list_release(&want);
	free(stream);
	free(repo);
	lib_close(&l);
}
END_TEST

START_TEST(history_of_a_plain_directory_is_refused)
{
	char *dir = e2e_mkdtemp("plain");
	lib l;
	int rc;

	lib_open(&l);
	e2e_write_str(dir, "LICENSE", "MIT\n");
	rc = tgpl_scan_history(NULL, l.ctx, l.db, l.engine, dir, NULL);
	ck_assert_int_eq(rc, TGPL_EINVAL);
	ck_assert_msg(strstr(tgpl_errmsg(l.ctx), "not a git repository") != NULL, "%s", tgpl_errmsg(l.ctx));
	ck_assert_msg(strstr(tgpl_errmsg(l.ctx), dir) != NULL, "%s", tgpl_errmsg(l.ctx));
	free(dir);
	lib_close(&l);
}
END_TEST

START_TEST(history_of_a_shallow_clone_is_refused_with_advice)
{
	tgpl_history_result res;
	relicensed r;
	char *url, *clone = e2e_path(e2e_tmp, "shallow");
	lib l;
	int rc;

	lib_open(&l);
	build_relicensing(&l, &r);
	url = concat3("file://", r.repo, "");
	free(e2e_git(e2e_tmp, "clone", "-q", "--depth", "2", url, clone, NULL));
	rc = tgpl_scan_history(&res, l.ctx, l.db, l.engine, clone, NULL);
	ck_assert_int_eq(rc, TGPL_EINVAL);
	ck_assert_msg(strstr(tgpl_errmsg(l.ctx), "shallow clone") != NULL &&
		      strstr(tgpl_errmsg(l.ctx), "git fetch --unshallow") != NULL, "%s", tgpl_errmsg(l.ctx));
	{
		char *out = NULL;
		ck_assert_int_eq(tgpl_report_timeline(&out, l.ctx, l.db, NULL, TGPL_TIMELINE_TEXT), TGPL_ENOTFOUND);
	}
	free(url);
	free(clone);
	relicensed_release(&r);
	lib_close(&l);
}
END_TEST

START_TEST(timeline_without_history_is_not_found)
{
	char *out = NULL;
	lib l;
	int rc;

	lib_open(&l);
	rc = tgpl_report_timeline(&out, l.ctx, l.db, NULL, TGPL_TIMELINE_TEXT);
	ck_assert_int_eq(rc, TGPL_ENOTFOUND);
	ck_assert_ptr_null(out);
	ck_assert_msg(strstr(tgpl_errmsg(l.ctx), "tgpl scan --history") != NULL, "%s", tgpl_errmsg(l.ctx));
	rc = tgpl_report_timeline(&out, l.ctx, l.db, "/no/such/repo", TGPL_TIMELINE_JSON);
	ck_assert_int_eq(rc, TGPL_ENOTFOUND);
	ck_assert_msg(strstr(tgpl_errmsg(l.ctx), "'/no/such/repo'") != NULL, "%s", tgpl_errmsg(l.ctx));
	lib_close(&l);
}
END_TEST

START_TEST(timeline_escapes_control_bytes_and_bad_utf8_in_authors_and_names)
{
	static const char hostile[] = "Ev\x1b[2Jil \xff <e@x>";
	tgpl_history_result res;
	char *repo = e2e_mkdtemp("hostile"), *stream = e2e_path(e2e_tmp, "h.fi"), *out;
	FILE *f;
	lib l;

	lib_open(&l);
	e2e_git_init(repo);
	f = fopen(stream, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "blob\nmark :1\ndata 4\nISC\n\n"
		"commit refs/heads/main\nmark :2\nauthor %s %d +0000\ncommitter C <c@x> %d +0000\n"
		"data 3\nx\x07\n"
		"M 100644 :1 \"LICENSE-\\033x\"\n\n", hostile, T0, T0);
	ck_assert_int_eq(fclose(f), 0);
	fast_import(repo, stream);
	{
		/* seed: the detector need not recognise a one-word text for this test */
		char *oid = e2e_git_line(repo, "rev-parse", "main:LICENSE-\033x", NULL);
		sqlite3 *h = tgpl_db_handle(l.db);
		const char *a[] = { oid, tgpl_engine_version(l.engine) };

		exec_sql(h, "INSERT INTO analyses (blob_id, engine, expression, n_lines)"
			 " VALUES (?1, ?2, 'ISC', 1)", a, 2);
		free(oid);
	}
	history_ok(&l, repo, &res);
	ck_assert_uint_eq(res.changes, 1);
	out = timeline(&l, repo, TGPL_TIMELINE_TEXT);
	ck_assert_msg(e2e_find_control(out, strlen(out)) < 0, "raw control byte in <%s>", out);
	ck_assert_msg(e2e_utf8_valid(out, strlen(out)), "invalid UTF-8 in <%s>", out);
	ck_assert_msg(strstr(out, "  Ev\\x1b[2Jil \\xff <e@x>\n") != NULL, "<%s>", out);
	ck_assert_msg(strstr(out, "    files: LICENSE-\\x1bx\n") != NULL, "<%s>", out);
	free(out);
	out = timeline(&l, repo, TGPL_TIMELINE_JSON);
	ck_assert_msg(e2e_find_control(out, strlen(out)) < 0, "raw control byte in <%s>", out);
	ck_assert_msg(e2e_utf8_valid(out, strlen(out)), "invalid UTF-8 in <%s>", out);
	ck_assert_msg(strstr(out, "\"author\":\"Ev\\u001b[2Jil \\ufffd <e@x>\"") != NULL, "<%s>", out);
	ck_assert_msg(strstr(out, "\"summary\":\"x\\u0007\"") != NULL, "<%s>", out);
	free(out);
	free(stream);
	free(repo);
	lib_close(&l);
}
END_TEST

/*
 * Make the n-th allocation of the library fail, for n = 1, 2, ... until the
 * call succeeds: each failure must be TGPL_ENOMEM, store no history row, and
 * leak nothing (the sanitizer build checks that).  The analysis cache is warm,
 * so the allocations are history's own.
 */
START_TEST(history_and_timeline_fail_cleanly_at_every_allocation)
{
	tgpl_history_result res;
	relicensed r;
	char *out = NULL, *want;
	long n;
	int rc;
	lib l;

	lib_open(&l);
	build_relicensing(&l, &r);
	history_ok(&l, r.repo, &res);
	want = timeline(&l, r.repo, TGPL_TIMELINE_JSON);
	e2e_db_exec(l.db_path, "DELETE FROM history");
	for (n = 1;; n++) {
		tgpl_alloc_fail_at(n);
		rc = tgpl_scan_history(&res, l.ctx, l.db, l.engine, r.repo, NULL);
		tgpl_alloc_fail_at(0);
		if (rc == 0)
			break;
		ck_assert_msg(rc == TGPL_ENOMEM, "allocation %ld: %d: %s", n, rc, tgpl_errmsg(l.ctx));
		ck_assert_int_eq(e2e_db_int(l.db_path, "SELECT count(*) FROM history", NULL), 0);
	}
	ck_assert_msg(n > 5, "only %ld allocations", n);
	ck_assert_uint_eq(res.commits, 5);
	for (n = 1;; n++) {
		tgpl_alloc_fail_at(n);
		rc = tgpl_report_timeline(&out, l.ctx, l.db, r.repo, n % 2 ? TGPL_TIMELINE_JSON : TGPL_TIMELINE_TEXT);
		tgpl_alloc_fail_at(0);
		if (rc == 0 && n % 2)
			break;
		if (rc == 0) {
			free(out);
			out = NULL;
			continue;
		}
		ck_assert_msg(rc == TGPL_ENOMEM, "allocation %ld: %d: %s", n, rc, tgpl_errmsg(l.ctx));
		ck_assert_ptr_null(out);
	}
	ck_assert_str_eq(out, want);
	free(out);
	free(want);
	relicensed_release(&r);
	lib_close(&l);
}
END_TEST

static Suite *history_suite(void)
{
	Suite *s = suite_create("history");

	e2e_add_test(s, relicensing_history_records_declared_licence_and_clauses_per_commit, 120);
	e2e_add_test(s, timeline_text_shows_date_commit_author_from_to_clauses_and_files, 120);
	e2e_add_test(s, timeline_json_has_one_object_per_repository_with_from_and_to, 120);
	e2e_add_test(s, history_analyses_only_root_licence_files_and_manifests, 120);
	e2e_add_test(s, rescan_walks_only_commits_not_yet_recorded, 120);
	e2e_add_test(s, rows_of_another_engine_version_are_replaced, 120);
	e2e_add_test(s, thousands_of_commits_cost_their_distinct_licence_blobs, 300);
	e2e_add_test(s, history_of_a_plain_directory_is_refused, 60);
	e2e_add_test(s, history_of_a_shallow_clone_is_refused_with_advice, 120);
	e2e_add_test(s, timeline_without_history_is_not_found, 60);
	e2e_add_test(s, timeline_escapes_control_bytes_and_bad_utf8_in_authors_and_names, 60);
	e2e_add_test(s, history_and_timeline_fail_cleanly_at_every_allocation, 300);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(history_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
