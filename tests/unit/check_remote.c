/*
 * check_remote.c — URLs as repositories: cloned bare into the cache with
 * libgit2, fetched (not cloned again) on the next scan, stored under the
 * URL; cache names that cannot escape the cache; a failed clone that leaves
 * nothing behind.  Remotes are file:// URLs of repositories the tests make.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan/remote.h"
#include "support.h"
#include "tgpl.h"

#define COMMIT_DATE "1700000000 +0000"

static void assert_has(const char *text, size_t len, const char *needle, const char *what)
{
	ck_assert_msg(e2e_contains(text, len, needle), "%s lacks <%s>: <%s>", what, needle, text);
}

/* A small repository `name` with a licence and a few files; returns its path. */
static char *make_origin(const char *name)
{
	char *repo = e2e_path(e2e_tmp, name);

	e2e_git_init(repo);
	e2e_write_str(repo, "LICENSE", "SPDX-License-Identifier: MIT\n");
	e2e_write_str(repo, "src/a.c", "// SPDX-License-Identifier: Apache-2.0\nint a;\n");
	e2e_write_str(repo, "README.md", "# origin\n");
	e2e_git_date(COMMIT_DATE);
	free(e2e_git_commit_all(repo, "first"));
	return repo;
}

static char *file_url(const char *path)
{
	size_t n = strlen(path) + 8;
	char *u = malloc(n);

	ck_assert_ptr_nonnull(u);
	snprintf(u, n, "file://%s", path);
	return u;
}

/* The names in `dir`, sorted (none of "." and ".."). */
static void list_dir(e2e_list *out, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			e2e_list_add(out, de->d_name);
	closedir(d);
	e2e_list_sort(out);
}

/* The one repository directory (name ending ".git") in the cache; caller frees. */
static char *cache_entry(const char *cache)
{
	e2e_list names = E2E_LIST_INIT;
	char *found = NULL;
	size_t i, n = 0;

	list_dir(&names, cache);
	for (i = 0; i < names.n; i++) {
		size_t len = strlen(names.v[i]);
		if (len > 4 && strcmp(names.v[i] + len - 4, ".git") == 0) {
			n++;
			found = e2e_path(cache, names.v[i]);
		}
	}
	ck_assert_msg(n == 1, "%zu clones in %s", n, cache);
	e2e_list_release(&names);
	return found;
}

/* ---- URLs and cache names (library) ------------------------------------------ */

START_TEST(urls_are_told_from_local_paths)
{
	static const char *const urls[] = {
		"file:///srv/git/x", "https://example.org/a/b.git", "http://h/x", "ssh://git@h:22/x.git",
		"git://h/x", "git+ssh://h/x", "git@github.com:owner/repo.git", "user@host:repo",
	};
	static const char *const paths[] = {
		"/srv/git/x", "relative/dir", ".", "repo.git", "C:/not/windows/here", "dir/with:colon",
		"./user@host:x", "@host:x", "user@:x", "user@host:", "1http://x", "://x", "",
	};
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		ck_assert_msg(tgpl_location_is_url(urls[i]) == 1, "<%s> is a URL", urls[i]);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		ck_assert_msg(tgpl_location_is_url(paths[i]) == 0, "<%s> is a path", paths[i]);
}
END_TEST

START_TEST(cache_names_are_a_hash_and_a_sanitised_tail_that_cannot_escape)
{
	static const struct { const char *url, *prefix; } cases[] = {
		{ "https://example.org/owner/project.git", "project-" },
		{ "https://example.org/owner/project/", "project-" },
		{ "file:///srv/git/x", "x-" },
		{ "https://h/../../../etc", "etc-" },
		{ "https://h/a/..", "repo-" },
		{ "https://h/..git", "repo-" },
		{ "https://h/-rf", "rf-" },
		{ "ssh://h/a b/ev\nil;$(x).git", "ev_il___x_-" },
		{ "git@h:owner/name.git", "name-" },
		{ "git@h:name", "name-" },
		{ "https://h/", "h-" },
		{ "https://h/.hidden", "hidden-" },
	};
	tgpl_ctx *ctx = NULL;
	e2e_list names = E2E_LIST_INIT;
	size_t i;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *name = NULL;
		const char *p;
		size_t len;

		ck_assert_int_eq(remote_cache_name(&name, ctx, cases[i].url), 0);
		len = strlen(name);
		ck_assert_msg(strncmp(name, cases[i].prefix, strlen(cases[i].prefix)) == 0,
			      "<%s> -> <%s>, expected prefix <%s>", cases[i].url, name, cases[i].prefix);
		/* "<tail>-<16 hex>.git", nothing but [A-Za-z0-9._-], never hidden. */
		ck_assert_msg(len > 21 && strcmp(name + len - 4, ".git") == 0 && name[len - 21] == '-',
			      "<%s>", name);
		for (p = name + len - 20; p < name + len - 4; p++)
			ck_assert_msg((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'), "<%s>", name);
		for (p = name; *p; p++)
			ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-',
				      "<%s> has byte %#x", name, (unsigned)(unsigned char)*p);
		ck_assert_msg(name[0] != '.' && name[0] != '-', "<%s>", name);
		ck_assert_msg(!e2e_list_has(&names, name), "two URLs share <%s>", name);
		e2e_list_add(&names, name);
		free(name);
	}
	/* The same URL, the same name; a long tail is cut. */
	{
		char *a = NULL, *b = NULL, longurl[400];
		memset(longurl, 'x', sizeof(longurl));
		memcpy(longurl, "https://h/", 10);
		longurl[sizeof(longurl) - 1] = '\0';
		ck_assert_int_eq(remote_cache_name(&a, ctx, longurl), 0);
		ck_assert_int_eq(remote_cache_name(&b, ctx, longurl), 0);
		ck_assert_str_eq(a, b);
		ck_assert_uint_eq(strlen(a), REMOTE_TAIL_MAX + 1 + 16 + 4);
		free(a);
		free(b);
	}
	e2e_list_release(&names);
	tgpl_ctx_free(ctx);
}
END_TEST

START_TEST(default_cache_is_xdg_cache_home_then_home_dot_cache)
{
	tgpl_ctx *ctx = NULL;
	char *dir = NULL;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	setenv("HOME", "/home/u", 1);
	setenv("XDG_CACHE_HOME", "/var/cache/u", 1);
	ck_assert_int_eq(tgpl_cache_dir_default(&dir, ctx), 0);
	ck_assert_str_eq(dir, "/var/cache/u/tgpl");
	free(dir);
	setenv("XDG_CACHE_HOME", "relative/ignored", 1);
	ck_assert_int_eq(tgpl_cache_dir_default(&dir, ctx), 0);
	ck_assert_str_eq(dir, "/home/u/.cache/tgpl");
	free(dir);
	unsetenv("XDG_CACHE_HOME");
	ck_assert_int_eq(tgpl_cache_dir_default(&dir, ctx), 0);
	ck_assert_str_eq(dir, "/home/u/.cache/tgpl");
	free(dir);
	unsetenv("HOME");
	dir = NULL;
	ck_assert_int_eq(tgpl_cache_dir_default(&dir, ctx), TGPL_EINVAL);
	ck_assert_ptr_null(dir);
	ck_assert_ptr_nonnull(strstr(tgpl_errmsg(ctx), "--cache-dir"));
	tgpl_ctx_free(ctx);
}
END_TEST

/* ---- tgpl scan URL ---------------------------------------------------------------- */

START_TEST(url_is_cloned_bare_into_the_cache_and_stored_under_its_url)
{
	char *origin = make_origin("origin"), *url = file_url(origin);
	char *cache = e2e_path(e2e_tmp, "cache"), *db = e2e_path(e2e_tmp, "r.db");
	char *head = e2e_git_line(origin, "rev-parse", "HEAD", NULL);
	char *clone, *bare;
	e2e_run r;

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--cache-dir", cache, url, NULL);
	e2e_assert_exit(&r, 0, "scan URL");
	assert_has(r.out, r.out_len, url, "stdout");
	e2e_run_release(&r);
	/* Stored under the URL, with the URL as origin, at the origin's HEAD. */
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)"
				      " AND origin = ?1 AND kind = 'bare'", url, NULL), 1);
	ck_assert_int_eq(e2e_db_int(db, "SELECT count(*) FROM repositories", NULL), 1);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions WHERE commit_id = ?1"
				      " AND ref = 'refs/heads/main'", head, NULL), 1);
	ck_assert_int_eq(e2e_db_int(db, "SELECT count(*) FROM files", NULL), 3);
	/* A bare clone in the cache: nothing else there but its lock file. */
	clone = cache_entry(cache);
	bare = e2e_git_line(clone, "rev-parse", "--is-bare-repository", NULL);
	ck_assert_str_eq(bare, "true");
	{
		e2e_list names = E2E_LIST_INIT;
		list_dir(&names, cache);
		ck_assert_uint_eq(names.n, 2);
		ck_assert_msg(strstr(names.v[1], ".git.lock") != NULL, "<%s>", names.v[1]);
		e2e_list_release(&names);
	}
	free(bare);
	free(clone);
	free(head);
	free(db);
	free(cache);
	free(url);
	free(origin);
}
END_TEST

START_TEST(second_scan_fetches_into_the_same_clone_and_follows_the_default_branch)
{
	char *origin = make_origin("origin"), *url = file_url(origin);
	char *cache = e2e_path(e2e_tmp, "cache"), *db = e2e_path(e2e_tmp, "r.db");
	char *clone, *marker, *head2, *tagged;
	struct stat before, after;
	e2e_run r;

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--cache-dir", cache, url, NULL);
	e2e_assert_exit(&r, 0, "first scan");
	e2e_run_release(&r);
	clone = cache_entry(cache);
	ck_assert_int_eq(stat(clone, &before), 0);
	/* A file only this clone has: a fresh clone would not keep it. */
	e2e_write_str(clone, "tgpl-test-marker", "x\n");

	/* New commit and tag upstream, and the default branch renamed. */
	e2e_write_str(origin, "NEW.txt", "new\n");
	free(e2e_git_commit_all(origin, "second"));
	free(e2e_git(origin, "tag", "v2", NULL));
	free(e2e_git(origin, "branch", "-m", "main", "trunk", NULL));
	head2 = e2e_git_line(origin, "rev-parse", "HEAD", NULL);

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--cache-dir", cache, url, NULL);
	e2e_assert_exit(&r, 0, "second scan");
	assert_has(r.out, r.out_len, "4 files", "stdout");
	e2e_run_release(&r);
	marker = e2e_path(clone, "tgpl-test-marker");
	ck_assert_msg(access(marker, F_OK) == 0, "the clone was made again");
	ck_assert_int_eq(stat(clone, &after), 0);
	ck_assert_uint_eq(before.st_ino, after.st_ino);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions WHERE commit_id = ?1"
				      " AND ref = 'refs/heads/trunk'", head2, NULL), 1);
	ck_assert_int_eq(e2e_db_int(db, "SELECT count(*) FROM repositories", NULL), 1);
	ck_assert_int_eq(e2e_db_int(db, "SELECT count(*) FROM revisions", NULL), 2);
	/* Old branch pruned, tag fetched. */
	{
		char *branches = e2e_git(clone, "branch", "--format=%(refname)", NULL);
		ck_assert_str_eq(branches, "refs/heads/trunk\n");
		free(branches);
	}
	tagged = e2e_git_line(clone, "rev-parse", "v2^{commit}", NULL);
	ck_assert_str_eq(tagged, head2);
	/* The revision column of a corpus line reaches the fetched tags. */
	{
		char line[4200];
		snprintf(line, sizeof(line), "%s v2\n", url);
		e2e_write_str(e2e_tmp, "corpus.txt", line);
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--cache-dir", cache, "--corpus", "corpus.txt", NULL);
		e2e_assert_exit(&r, 0, "corpus line with a URL and a tag");
		assert_has(r.out, r.out_len, "already stored (unchanged)", "stdout");
		e2e_run_release(&r);
	}
	free(tagged);
	free(marker);
	free(head2);
	free(clone);
	free(db);
	free(cache);
	free(url);
	free(origin);
}
END_TEST

START_TEST(failed_clone_is_reported_and_leaves_no_half_cache)
{
	char *cache = e2e_path(e2e_tmp, "cache"), *db = e2e_path(e2e_tmp, "r.db");
	char *missing = e2e_path(e2e_tmp, "no-such-repo"), *url = file_url(missing);
	char *origin = make_origin("good"), *good = file_url(origin);
	char line[8400];
	e2e_run r;

	snprintf(line, sizeof(line), "%s\n%s\n", url, good);
	e2e_write_str(e2e_tmp, "corpus.txt", line);
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--cache-dir", cache, "--corpus", "corpus.txt", NULL);
	e2e_assert_exit(&r, 3, "a URL that cannot be cloned");
	assert_has(r.err, r.err_len, "tgpl: corpus.txt:1: cannot reach 'file://", "stderr");
	assert_has(r.err, r.err_len, "no-such-repo'", "stderr");
	assert_has(r.err, r.err_len, "1 clone or fetch failed: corpus.txt:1", "stderr");
	e2e_run_release(&r);
	/* Only the good clone (and the lock files): no temporary directory left. */
	{
		e2e_list names = E2E_LIST_INIT;
		size_t i, dirs = 0;
		list_dir(&names, cache);
		for (i = 0; i < names.n; i++) {
			char *p = e2e_path(cache, names.v[i]);
			struct stat st;
			ck_assert_int_eq(lstat(p, &st), 0);
			if (S_ISDIR(st.st_mode)) {
				dirs++;
				ck_assert_msg(strncmp(names.v[i], "good-", 5) == 0, "left in the cache: %s",
					      names.v[i]);
			}
			free(p);
		}
		ck_assert_uint_eq(dirs, 1);
		e2e_list_release(&names);
	}
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)",
				      good, NULL), 1);
	ck_assert_int_eq(e2e_db_int(db, "SELECT count(*) FROM repositories", NULL), 1);
	free(good);
	free(origin);
	free(url);
	free(missing);
	free(db);
	free(cache);
}
END_TEST

START_TEST(clone_interrupted_by_a_failure_midway_is_removed)
{
	/* A remote whose pack is corrupt: the transfer starts, then fails. */
	char *origin = make_origin("broken"), *url = file_url(origin);
	char *cache = e2e_path(e2e_tmp, "cache"), *db = e2e_path(e2e_tmp, "r.db");
	char *blob = e2e_git_line(origin, "rev-parse", "HEAD:README.md", NULL);
	char obj[128], *objpath;
	e2e_run r;

	snprintf(obj, sizeof(obj), ".git/objects/%.2s/%s", blob, blob + 2);
	objpath = e2e_path(origin, obj);
	ck_assert_int_eq(chmod(objpath, 0644), 0);
	ck_assert_int_eq(unlink(objpath), 0);
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--cache-dir", cache, url, NULL);
	e2e_assert_exit(&r, 3, "clone of a repository with a missing object");
	e2e_run_release(&r);
	{
		e2e_list names = E2E_LIST_INIT;
		size_t i;
		list_dir(&names, cache);
		for (i = 0; i < names.n; i++)
			ck_assert_msg(strstr(names.v[i], ".lock") != NULL, "left in the cache: %s", names.v[i]);
		e2e_list_release(&names);
	}
	ck_assert_int_eq(e2e_db_int(db, "SELECT count(*) FROM repositories", NULL), 0);
	free(objpath);
	free(blob);
	free(db);
	free(cache);
	free(url);
	free(origin);
}
END_TEST

START_TEST(default_cache_follows_xdg_cache_home)
{
	char *origin = make_origin("origin"), *url = file_url(origin);
	char *xdg = e2e_path(e2e_tmp, "xdg"), *db = e2e_path(e2e_tmp, "r.db");
	char *cache = e2e_path(xdg, "tgpl"), *clone;
	e2e_run r;

	setenv("XDG_CACHE_HOME", xdg, 1);
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, url, NULL);
	e2e_assert_exit(&r, 0, "scan URL with XDG_CACHE_HOME");
	e2e_run_release(&r);
	clone = cache_entry(cache);
	ck_assert_msg(strncmp(clone + strlen(cache) + 1, "origin-", 7) == 0, "<%s>", clone);
	free(clone);
	free(cache);
	free(db);
	free(xdg);
	free(url);
	free(origin);
}
END_TEST

static Suite *remote_suite(void)
{
	Suite *s = suite_create("remote repositories");

	e2e_add_test(s, urls_are_told_from_local_paths, 30);
	e2e_add_test(s, cache_names_are_a_hash_and_a_sanitised_tail_that_cannot_escape, 30);
	e2e_add_test(s, default_cache_is_xdg_cache_home_then_home_dot_cache, 30);
	e2e_add_test(s, url_is_cloned_bare_into_the_cache_and_stored_under_its_url, 120);
	e2e_add_test(s, second_scan_fetches_into_the_same_clone_and_follows_the_default_branch, 120);
	e2e_add_test(s, failed_clone_is_reported_and_leaves_no_half_cache, 120);
	e2e_add_test(s, clone_interrupted_by_a_failure_midway_is_removed, 120);
	e2e_add_test(s, default_cache_follows_xdg_cache_home, 120);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(remote_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
