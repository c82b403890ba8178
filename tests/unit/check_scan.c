/*
 * check_scan.c — end-to-end tests of `tgpl scan`: repositories and
 * directories built at run time, scanned by the real binary ($TGPL_BIN),
 * and the database read back through the sqlite3 C API.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "support.h"
#include "tgpl/db.h"

/*
 * How a files.mode cell is read back to compare with git's "100644".  The
 * schema documents the column as "git mode: 100644, 100755, 120000, 160000",
 * so the number stored must read as those digits.
 */
#define DB_MODE_SQL "mode"

#define EMPTY_BLOB "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
#define COMMIT_DATE "1700000000 +0000"
#define COMMIT_TIME "1700000000"

/* ---- helpers ----------------------------------------------------------------- */

static char *tmp_file(const char *name)
{
	return e2e_path(e2e_tmp, name);
}

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
	ck_assert_msg(r->status == status, "%s: exit %d (signal %d), expected %d; stderr: %s", what,
		      r->status, r->signal, status, r->err);
}

static void assert_stderr_has(const e2e_run *r, const char *needle, const char *what)
{
	ck_assert_msg(e2e_contains(r->err, r->err_len, needle), "%s: stderr lacks <%s>: <%s>", what,
		      needle, r->err);
}

/* tgpl scan --db DB [--rev REV] PATH, expecting `status`. */
static void scan_expect(const char *db, const char *rev, const char *path, int status)
{
	e2e_run r;

	if (rev)
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--rev", rev, path, NULL);
	else
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, path, NULL);
	assert_exit(&r, status, path);
	e2e_run_release(&r);
}

static void scan_ok(const char *db, const char *path)
{
	scan_expect(db, NULL, path, 0);
}

static char *hash_object(const char *file)
{
	return e2e_git_line(e2e_tmp, "hash-object", "--no-filters", file, NULL);
}

/* The git blob id of these bytes (written to a file outside any scanned tree). */
static char *hash_bytes(const void *data, size_t len)
{
	char *f;
	char *oid;

	e2e_write_file(e2e_tmp, "hash-input", data, len, 0644);
	f = tmp_file("hash-input");
	oid = hash_object(f);
	free(f);
	return oid;
}

static char *hash_str(const char *s)
{
	return hash_bytes(s, strlen(s));
}

/* The id of the revision stored for repository `repo` under `rev_key` (commit id or "dir"). */
static char *rev_id(const char *db, const char *repo, const char *rev_key)
{
	char *id = e2e_db_str(db,
		"SELECT v.id FROM revisions v JOIN repositories r ON r.id = v.repo_id"
		" WHERE r.path = CAST(?1 AS BLOB) AND v.rev_key = ?2", repo, rev_key, NULL);

	ck_assert_msg(id != NULL, "%s: no revision %s of %s", db, rev_key, repo);
	return id;
}

static long long count(const char *db, const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return e2e_db_int(db, sql, NULL);
}

/*
 * The files rows of revision `rid` must be exactly `want`: first (path, type,
 * oid) in full, then (path, mode), so that a mode problem does not hide the
 * others.
 */
static void assert_files(const char *db, const char *rid, const e2e_tree *want, const char *what)
{
	e2e_list got = E2E_LIST_INIT, exp = E2E_LIST_INIT;
	char label[256];
	size_t i;

	e2e_db_rows(&got, db, "SELECT path, type, oid FROM files WHERE rev_id = CAST(?1 AS INTEGER)", rid, NULL);
	for (i = 0; i < want->n; i++) {
		char *p = e2e_escape(want->v[i].path, want->v[i].path_len);
		e2e_list_addf(&exp, "%s\t%s\t%s", p, e2e_tree_entry_type(&want->v[i]), want->v[i].oid);
		free(p);
	}
	snprintf(label, sizeof(label), "%s: files (path, type, oid)", what);
	e2e_list_assert_eq(&got, &exp, label);
	e2e_list_release(&got);
	e2e_list_release(&exp);

	e2e_db_rows(&got, db, "SELECT path, " DB_MODE_SQL " FROM files WHERE rev_id = CAST(?1 AS INTEGER)",
		    rid, NULL);
	for (i = 0; i < want->n; i++) {
		char *p = e2e_escape(want->v[i].path, want->v[i].path_len);
		e2e_list_addf(&exp, "%s\t%s", p, want->v[i].mode);
		free(p);
	}
	snprintf(label, sizeof(label), "%s: files (path, mode)", what);
	e2e_list_assert_eq(&got, &exp, label);
	e2e_list_release(&got);
	e2e_list_release(&exp);
}

/* Scanned output must hold no raw control character and be valid UTF-8. */
static void assert_clean_output(const e2e_run *r, const char *what)
{
	long at;

	at = e2e_find_control(r->out, r->out_len);
	ck_assert_msg(at < 0, "%s: raw control byte 0x%02x in stdout at %ld: <%s>", what,
		      at < 0 ? 0 : (unsigned char)r->out[at], at, r->out);
	at = e2e_find_control(r->err, r->err_len);
	ck_assert_msg(at < 0, "%s: raw control byte 0x%02x in stderr at %ld: <%s>", what,
		      at < 0 ? 0 : (unsigned char)r->err[at], at, r->err);
	ck_assert_msg(e2e_utf8_valid(r->out, r->out_len), "%s: stdout is not UTF-8: <%s>", what, r->out);
	ck_assert_msg(e2e_utf8_valid(r->err, r->err_len), "%s: stderr is not UTF-8: <%s>", what, r->err);
}

/* Every stderr line is a tgpl message (a newline in a name cannot start a forged line). */
static void assert_stderr_lines_are_messages(const e2e_run *r, const char *what)
{
	const char *p = r->err, *end = r->err + r->err_len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		ck_assert_msg(strncmp(p, "tgpl: ", 6) == 0, "%s: stderr line not from tgpl: <%.*s>", what,
			      (int)((nl ? nl : end) - p), p);
		p = nl ? nl + 1 : end;
	}
}

static void assert_integrity_ok(const char *db)
{
	char *ok = e2e_db_str(db, "PRAGMA integrity_check", NULL);

	ck_assert_msg(ok && strcmp(ok, "ok") == 0, "%s: integrity_check says <%s>", db, ok ? ok : "(null)");
	free(ok);
}

/* A repository with nested directories, an executable and a relative symlink. */
static void write_nested_tree(const char *dir)
{
	static const char *const files[] = {
		"README", "a/one.txt", "a/b/two.txt", "a/b/c/d.txt", "a/b/c/e/f.txt",
		"a/b/c/e/g/h.txt", "a/x.txt", "src/main.c", "src/util/str.c", "src/util/str.h",
		"docs/guide/intro.md", "docs/guide/usage.md", "docs/index.md", "z/y/x/w/v/u.txt",
		"LICENSE", "same/copy1.txt", "same/copy2.txt", "empty-dir-sibling/file",
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char text[256];
		/* copy1 and copy2 share content: one blob, two files */
		snprintf(text, sizeof(text), "content of %s\n",
			 strncmp(files[i], "same/", 5) == 0 ? "same" : files[i]);
		e2e_write_str(dir, files[i], text);
	}
	e2e_write_file(dir, "bin/run.sh", "#!/bin/sh\necho run\n", 19, 0755);
	e2e_write_str(dir, "LICENSE", "SPDX-License-Identifier: MIT\n");
	{
		char *link = e2e_path(dir, "a/b/link-to-two");
		ck_assert_int_eq(symlink("../b/two.txt", link), 0);
		free(link);
	}
}

/* ---- 1. a git repository ----------------------------------------------------- */

START_TEST(git_repository_files_equal_ls_tree_with_sizes_swhids_and_revision)
{
	char *repo = e2e_mkdtemp("repo"), *db = tmp_file("t.db");
	char *commit, *tree_id, *rid, *repo_esc;
	e2e_tree tree;
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
	size_t i;

	e2e_git_init(repo);
	e2e_git_date(COMMIT_DATE);
	free(e2e_git(repo, "checkout", "-q", "-b", "topic/e2e", NULL));
	write_nested_tree(repo);
	/* Credentials in a remote URL are never stored. */
	free(e2e_git(repo, "remote", "add", "origin", "https://alice:s3cret@example.org/acme/widget.git",
		     NULL));
	commit = e2e_git_commit_all(repo, "nested");
	tree_id = e2e_git_line(repo, "rev-parse", "HEAD^{tree}", NULL);
	e2e_ls_tree(&tree, repo, "HEAD");
	ck_assert_uint_eq(tree.n, 20);

	scan_ok(db, repo);
	rid = rev_id(db, repo, commit);

	/* the revision and the repository, in full */
	e2e_db_rows(&got, db, "SELECT commit_id, tree_id, commit_time, ref FROM revisions", NULL);
	e2e_list_addf(&want, "%s\t%s\t%s\trefs/heads/topic/e2e", commit, tree_id, COMMIT_TIME);
	e2e_list_assert_eq(&got, &want, "revisions");
	e2e_list_release(&got);
	e2e_list_release(&want);
	repo_esc = e2e_escape(repo, strlen(repo));
	e2e_db_rows(&got, db, "SELECT path, kind, origin FROM repositories", NULL);
	e2e_list_addf(&want, "%s\tgit\thttps://example.org/acme/widget.git", repo_esc);
	e2e_list_assert_eq(&got, &want, "repositories");
	e2e_list_release(&got);
	e2e_list_release(&want);

	/* sizes equal git cat-file -s, SWHIDs are swh:1:cnt:<oid> */
	for (i = 0; i < tree.n; i++) {
		char *p = e2e_escape(tree.v[i].path, tree.v[i].path_len);
		char *size = e2e_git_line(repo, "cat-file", "-s", tree.v[i].oid, NULL);
		e2e_list_addf(&want, "%s\t%s\tswh:1:cnt:%s", p, size, tree.v[i].oid);
		free(size);
		free(p);
	}
	e2e_db_rows(&got, db, "SELECT path, size, swhid FROM file_view WHERE rev_id = CAST(?1 AS INTEGER)",
		    rid, NULL);
	e2e_list_assert_eq(&got, &want, "sizes and SWHIDs");
	e2e_list_release(&got);
	e2e_list_release(&want);
	/* the shared content is one blob */
	ck_assert_int_eq(count(db, "blobs"), 19);

	assert_files(db, rid, &tree, "nested repository");

	e2e_tree_release(&tree);
	free(repo_esc);
	free(rid);
	free(tree_id);
	free(commit);
	free(db);
	free(repo);
}
END_TEST

/* ---- 2. a repository without commits ---------------------------------------- */

START_TEST(empty_repository_is_refused_and_stores_nothing)
{
	char *repo = e2e_mkdtemp("empty"), *db = tmp_file("t.db");
	e2e_run r;

	e2e_git_init(repo);
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, repo, NULL);
	assert_exit(&r, 3, "empty repository");
	assert_stderr_has(&r, "no commits yet", "empty repository");
	assert_stderr_has(&r, repo, "empty repository");
	ck_assert_int_eq(count(db, "repositories"), 0);
	ck_assert_int_eq(count(db, "revisions"), 0);
	ck_assert_int_eq(count(db, "files"), 0);
	e2e_run_release(&r);
	free(db);
	free(repo);
}
END_TEST

/* ---- 3. a bare repository ------------------------------------------------------ */

START_TEST(bare_repository_is_recorded_as_bare_with_the_same_files)
{
	char *src = e2e_mkdtemp("src"), *bare = tmp_file("bare.git"), *db = tmp_file("t.db");
	char *commit, *rid, *bare_esc, *src_esc;
	e2e_tree tree;
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;

	e2e_git_init(src);
	write_nested_tree(src);
	commit = e2e_git_commit_all(src, "source");
	free(e2e_git(e2e_tmp, "clone", "-q", "--bare", src, bare, NULL));
	e2e_ls_tree(&tree, src, "HEAD");

	scan_ok(db, bare);
	bare_esc = e2e_escape(bare, strlen(bare));
	src_esc = e2e_escape(src, strlen(src));
	e2e_db_rows(&got, db, "SELECT path, kind, origin FROM repositories", NULL);
	e2e_list_addf(&want, "%s\tbare\t%s", bare_esc, src_esc);
	e2e_list_assert_eq(&got, &want, "repositories");
	e2e_list_release(&got);
	e2e_list_release(&want);
	e2e_db_rows(&got, db, "SELECT commit_id, ref FROM revisions", NULL);
	e2e_list_addf(&want, "%s\trefs/heads/main", commit);
	e2e_list_assert_eq(&got, &want, "revisions");
	e2e_list_release(&got);
	e2e_list_release(&want);
	rid = rev_id(db, bare, commit);
	assert_files(db, rid, &tree, "bare clone");

	e2e_tree_release(&tree);
	free(rid);
	free(src_esc);
	free(bare_esc);
	free(commit);
	free(db);
	free(bare);
	free(src);
}
END_TEST

/* ---- 4. --rev ------------------------------------------------------------------ */

START_TEST(rev_selects_the_tagged_or_relative_commit_and_unknown_rev_fails)
{
	char *repo = e2e_mkdtemp("repo"), *db1 = tmp_file("tag.db"), *db2 = tmp_file("rel.db");
	char *db3 = tmp_file("bad.db"), *first, *second, *tag_commit, *rid;
	e2e_tree t1, t2;
	e2e_list a = E2E_LIST_INIT, b = E2E_LIST_INIT;
	e2e_run r;

	e2e_git_init(repo);
	e2e_write_str(repo, "keep.txt", "kept\n");
	e2e_write_str(repo, "change.txt", "version 1\n");
	e2e_write_str(repo, "gone/old.txt", "removed in the second commit\n");
	e2e_git_date("1600000000 +0000");
	first = e2e_git_commit_all(repo, "first");
	free(e2e_git(repo, "tag", "-a", "-m", "release 1", "v1", NULL));
	e2e_write_str(repo, "change.txt", "version 2\n");
	e2e_write_str(repo, "new/added.txt", "added in the second commit\n");
	free(e2e_git(repo, "rm", "-q", "gone/old.txt", NULL));
	e2e_git_date("1600003600 +0000");
	second = e2e_git_commit_all(repo, "second");
	tag_commit = e2e_git_line(repo, "rev-parse", "v1^{commit}", NULL);
	ck_assert_str_eq(tag_commit, first);
	ck_assert_str_ne(first, second);

	e2e_ls_tree(&t1, repo, "v1");
	e2e_ls_tree(&t2, repo, "HEAD");
	/* the two file sets differ, so scanning the wrong commit is visible */
	e2e_tree_rows(&a, &t1);
	e2e_tree_rows(&b, &t2);
	e2e_list_sort(&a);
	e2e_list_sort(&b);
	ck_assert(a.n != b.n || strcmp(a.v[0], b.v[0]) != 0 || strcmp(a.v[1], b.v[1]) != 0);
	e2e_list_release(&a);
	e2e_list_release(&b);

	scan_expect(db1, "v1", repo, 0);
	e2e_db_rows(&a, db1, "SELECT commit_id, commit_time, ref FROM revisions", NULL);
	e2e_list_addf(&b, "%s\t1600000000\trefs/tags/v1", first);
	e2e_list_assert_eq(&a, &b, "--rev v1: revisions");
	e2e_list_release(&a);
	e2e_list_release(&b);
	rid = rev_id(db1, repo, first);
	assert_files(db1, rid, &t1, "--rev v1");
	free(rid);

	scan_expect(db2, "HEAD~1", repo, 0);
	e2e_db_rows(&a, db2, "SELECT commit_id, commit_time, ref FROM revisions", NULL);
	e2e_list_addf(&b, "%s\t1600000000\tHEAD~1", first);
	e2e_list_assert_eq(&a, &b, "--rev HEAD~1: revisions");
	e2e_list_release(&a);
	e2e_list_release(&b);
	rid = rev_id(db2, repo, first);
	assert_files(db2, rid, &t1, "--rev HEAD~1");
	free(rid);

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db3, "--rev", "no-such-rev", repo, NULL);
	assert_exit(&r, 3, "--rev no-such-rev");
	assert_stderr_has(&r, "'no-such-rev'", "--rev no-such-rev");
	ck_assert_int_eq(count(db3, "repositories"), 0);
	ck_assert_int_eq(count(db3, "revisions"), 0);
	ck_assert_int_eq(count(db3, "files"), 0);
	e2e_run_release(&r);

	e2e_tree_release(&t1);
	e2e_tree_release(&t2);
	free(tag_commit);
	free(second);
	free(first);
	free(db3);
	free(db2);
	free(db1);
	free(repo);
}
END_TEST

/* ---- 5. submodules ------------------------------------------------------------- */

START_TEST(submodule_is_one_gitlink_entry_and_is_not_entered)
{
	char *sub = e2e_mkdtemp("sub"), *super = e2e_mkdtemp("super"), *db = tmp_file("t.db");
	char *sub_commit, *commit, *rid, *inside_oid, *inside;
	e2e_tree tree, subtree;
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
	size_t i;

	e2e_git_init(sub);
	e2e_write_str(sub, "inside.txt", "a file inside the submodule only\n");
	e2e_write_str(sub, "deep/er.txt", "another file inside the submodule only\n");
	sub_commit = e2e_git_commit_all(sub, "sub");
	e2e_git_init(super);
	e2e_write_str(super, "top.txt", "the superproject\n");
	free(e2e_git(super, "submodule", "add", "-q", sub, "vendor/sub", NULL));
	commit = e2e_git_commit_all(super, "with a submodule");
	/* the submodule is checked out: its files are there to be (wrongly) read */
	inside = e2e_path(super, "vendor/sub/inside.txt");
	ck_assert_int_eq(access(inside, R_OK), 0);
	e2e_ls_tree(&tree, super, "HEAD");
	e2e_ls_tree(&subtree, sub, "HEAD");

	scan_ok(db, super);
	rid = rev_id(db, super, commit);
	e2e_db_rows(&got, db, "SELECT type, oid, size, swhid FROM file_view WHERE path = CAST('vendor/sub' AS BLOB)",
		    NULL);
	e2e_list_addf(&want, "gitlink\t%s\t\\N\tswh:1:rev:%s", sub_commit, sub_commit);
	e2e_list_assert_eq(&got, &want, "the gitlink row");
	e2e_list_release(&got);
	e2e_list_release(&want);
	/* nothing from inside: no path under it, none of its blobs */
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE substr(path, 1, 11) = CAST('vendor/sub/' AS BLOB)",
				      NULL), 0);
	for (i = 0; i < subtree.n; i++) {
		ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE oid = ?1", subtree.v[i].oid, NULL), 0);
		ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM blobs WHERE id = ?1", subtree.v[i].oid, NULL), 0);
	}
	inside_oid = hash_object(inside);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM blobs WHERE id = ?1", inside_oid, NULL), 0);
	assert_files(db, rid, &tree, "superproject");
	/* mode last: the gitlink's mode reads 160000 */
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE path = CAST('vendor/sub' AS BLOB)"
				      " AND " DB_MODE_SQL " = 160000", NULL), 1);

	e2e_tree_release(&tree);
	e2e_tree_release(&subtree);
	free(inside_oid);
	free(inside);
	free(rid);
	free(commit);
	free(sub_commit);
	free(db);
	free(super);
	free(sub);
}
END_TEST

/* ---- 6. symlinks out of the tree ----------------------------------------------- */

START_TEST(symlink_outside_the_tree_is_recorded_as_a_link_never_followed)
{
	char *repo = e2e_mkdtemp("repo"), *dir = e2e_mkdtemp("dir");
	char *db = tmp_file("git.db"), *ddb = tmp_file("dir.db");
	char *commit, *rid, *passwd_oid, *leak_oid, *etc_oid, *file_oid;
	const char *roots[2];
	e2e_tree tree, want = E2E_TREE_INIT;
	e2e_list got = E2E_LIST_INIT, exp = E2E_LIST_INIT;
	int k;

	ck_assert_msg(access("/etc/passwd", R_OK) == 0, "this test needs a readable /etc/passwd");
	passwd_oid = hash_object("/etc/passwd");
	leak_oid = hash_str("/etc/passwd");
	etc_oid = hash_str("/etc");
	file_oid = hash_str("inside\n");
	roots[0] = repo;
	roots[1] = dir;
	for (k = 0; k < 2; k++) {
		char *l1 = e2e_path(roots[k], "leak"), *l2 = e2e_path(roots[k], "etc");
		ck_assert_int_eq(symlink("/etc/passwd", l1), 0);
		ck_assert_int_eq(symlink("/etc", l2), 0);
		e2e_write_str(roots[k], "f.txt", "inside\n");
		free(l1);
		free(l2);
	}

	/* in a git repository */
	e2e_git_init(repo);
	commit = e2e_git_commit_all(repo, "links");
	e2e_ls_tree(&tree, repo, "HEAD");
	scan_ok(db, repo);
	rid = rev_id(db, repo, commit);
	e2e_db_rows(&got, db, "SELECT path, type, oid, size FROM files", NULL);
	e2e_list_addf(&exp, "etc\tsymlink\t%s\t4", etc_oid);
	e2e_list_addf(&exp, "f.txt\tfile\t%s\t7", file_oid);
	e2e_list_addf(&exp, "leak\tsymlink\t%s\t11", leak_oid);
	e2e_list_assert_eq(&got, &exp, "git: links");
	e2e_list_release(&got);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE oid = ?1", passwd_oid, NULL), 0);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM blobs WHERE id = ?1", passwd_oid, NULL), 0);
	assert_files(db, rid, &tree, "git: links");
	free(rid);

	/* in a plain directory: the same rows */
	scan_ok(ddb, dir);
	e2e_db_rows(&got, ddb, "SELECT path, type, oid, size FROM files", NULL);
	e2e_list_assert_eq(&got, &exp, "directory: links");
	e2e_list_release(&got);
	ck_assert_int_eq(e2e_db_count(ddb, "SELECT 1 FROM files WHERE oid = ?1", passwd_oid, NULL), 0);
	ck_assert_int_eq(e2e_db_count(ddb, "SELECT 1 FROM blobs WHERE id = ?1", passwd_oid, NULL), 0);
	e2e_tree_add(&want, "etc", 3, "120000", etc_oid);
	e2e_tree_add(&want, "f.txt", 5, "100644", file_oid);
	e2e_tree_add(&want, "leak", 4, "120000", leak_oid);
	rid = rev_id(ddb, dir, "dir");
	assert_files(ddb, rid, &want, "directory: links");

	e2e_list_release(&exp);
	e2e_tree_release(&want);
	e2e_tree_release(&tree);
	free(rid);
	free(commit);
	free(file_oid);
	free(etc_oid);
	free(leak_oid);
	free(passwd_oid);
	free(ddb);
	free(db);
	free(dir);
	free(repo);
}
END_TEST

/* ---- 7. hostile names ------------------------------------------------------------ */

static const char *const hostile_names[] = {
	"h/new\nline.txt",
	"h/\"double\".txt",
	"h/'single'.txt",
	"h/<script>alert(1)</script>.txt",
	"h/\xff\xfe.txt",
	"h/esc\x1b[31mred.txt",
	"h/tab\there.txt",
	"h/back\\slash.txt",
	"h/ leading space.txt",
	"h/-rf",
	"h/\xe2\x80\xae" "txt.exe",
	"h/dir\nwith\rbreaks/inner.txt",
	"h/$(touch pwned)",
};

START_TEST(hostile_file_names_are_stored_as_exact_bytes_and_printed_escaped)
{
	char *parent = e2e_mkdtemp("hostile");
	char *repo = e2e_path(parent, "repo\n\x1b[1mX");
	char *db = tmp_file("git.db"), *ddb = tmp_file("dir.db"), *sub, *commit, *rid, *fifo;
	e2e_tree tree, htree;
	e2e_run r;
	size_t i;

	e2e_git_init(repo);
	for (i = 0; i < sizeof(hostile_names) / sizeof(hostile_names[0]); i++) {
		char text[64];
		snprintf(text, sizeof(text), "hostile %zu\n", i);
		e2e_write_str(repo, hostile_names[i], text);
	}
	commit = e2e_git_commit_all(repo, "hostile names");
	e2e_ls_tree(&tree, repo, "HEAD");
	ck_assert_uint_eq(tree.n, sizeof(hostile_names) / sizeof(hostile_names[0]));

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, repo, NULL);
	assert_exit(&r, 0, "hostile names (git)");
	assert_clean_output(&r, "hostile names (git)");
	/* the repository's own name is printed, escaped */
	ck_assert_msg(e2e_contains(r.out, r.out_len, "repo\\n\\x1b[1mX"), "stdout: <%s>", r.out);
	e2e_run_release(&r);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE typeof(path) != 'blob'", NULL), 0);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM repositories WHERE typeof(path) != 'blob'", NULL), 0);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)", repo, NULL), 1);
	rid = rev_id(db, repo, commit);
	assert_files(db, rid, &tree, "hostile names (git)");
	free(rid);

	/* the same names in a plain directory (a folder inside the work tree),
	 * with a hostile FIFO whose warning must come out escaped */
	sub = e2e_path(repo, "h");
	fifo = e2e_path(sub, "fifo\n\x1b[2Jtgpl: forged");
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	e2e_ls_tree(&htree, repo, "HEAD:h");
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", ddb, sub, NULL);
	assert_exit(&r, 0, "hostile names (directory)");
	assert_clean_output(&r, "hostile names (directory)");
	assert_stderr_has(&r, "fifo\\n\\x1b[2Jtgpl: forged", "hostile FIFO");
	assert_stderr_lines_are_messages(&r, "hostile FIFO");
	e2e_run_release(&r);
	rid = rev_id(ddb, sub, "dir");
	assert_files(ddb, rid, &htree, "hostile names (directory)");

	e2e_tree_release(&htree);
	e2e_tree_release(&tree);
	free(rid);
	free(fifo);
	free(sub);
	free(commit);
	free(ddb);
	free(db);
	free(repo);
	free(parent);
}
END_TEST

START_TEST(error_messages_escape_control_characters_in_names)
{
	char *missing = tmp_file("no\x1b[31msuch\ntgpl: forged");
	char *repo = e2e_mkdtemp("repo"), *db = tmp_file("t.db"), *oid, *obj;
	e2e_run r;

	/* a path that does not exist */
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, missing, NULL);
	assert_exit(&r, 3, "missing hostile path");
	assert_stderr_has(&r, "no\\x1b[31msuch\\ntgpl: forged", "missing hostile path");
	assert_clean_output(&r, "missing hostile path");
	e2e_run_release(&r);

	/* a missing blob whose file name is hostile */
	e2e_git_init(repo);
	e2e_write_str(repo, "bad\n\x1b[2Jname.txt", "the blob that goes missing\n");
	free(e2e_git_commit_all(repo, "one"));
	oid = e2e_git_line(repo, "rev-parse", "HEAD:bad\n\x1b[2Jname.txt", NULL);
	{
		char rel[64];
		snprintf(rel, sizeof(rel), ".git/objects/%.2s/%s", oid, oid + 2);
		obj = e2e_path(repo, rel);
	}
	ck_assert_int_eq(unlink(obj), 0);
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, repo, NULL);
	assert_exit(&r, 3, "missing blob, hostile name");
	assert_stderr_has(&r, oid, "missing blob, hostile name");
	assert_clean_output(&r, "missing blob, hostile name");
	e2e_run_release(&r);

	free(obj);
	free(oid);
	free(db);
	free(repo);
	free(missing);
}
END_TEST

/* ---- 8. the empty file ------------------------------------------------------------ */

START_TEST(empty_file_has_the_empty_blob_id_and_size_zero)
{
	char *repo = e2e_mkdtemp("repo"), *dir = e2e_mkdtemp("dir");
	char *db = tmp_file("git.db"), *ddb = tmp_file("dir.db");
	const char *dbs[2];
	int k;

	e2e_git_init(repo);
	e2e_write_file(repo, "empty", "", 0, 0644);
	e2e_write_str(repo, "full", "not empty\n");
	free(e2e_git_commit_all(repo, "empty file"));
	e2e_write_file(dir, "empty", "", 0, 0644);
	e2e_write_str(dir, "full", "not empty\n");
	scan_ok(db, repo);
	scan_ok(ddb, dir);
	dbs[0] = db;
	dbs[1] = ddb;
	for (k = 0; k < 2; k++) {
		e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;

		e2e_db_rows(&got, dbs[k], "SELECT type, oid, size, swhid FROM file_view WHERE path = CAST('empty' AS BLOB)",
			    NULL);
		e2e_list_add(&want, "file\t" EMPTY_BLOB "\t0\tswh:1:cnt:" EMPTY_BLOB);
		e2e_list_assert_eq(&got, &want, dbs[k]);
		e2e_list_release(&got);
		e2e_list_release(&want);
		e2e_db_rows(&got, dbs[k], "SELECT size FROM blobs WHERE id = '" EMPTY_BLOB "'", NULL);
		e2e_list_add(&want, "0");
		e2e_list_assert_eq(&got, &want, dbs[k]);
		e2e_list_release(&got);
		e2e_list_release(&want);
	}
	free(ddb);
	free(db);
	free(dir);
	free(repo);
}
END_TEST

/* ---- 9. a missing object --------------------------------------------------------- */

START_TEST(missing_blob_fails_the_repository_without_writing_any_of_it)
{
	char *good = e2e_mkdtemp("good"), *repo = e2e_mkdtemp("broken"), *db = tmp_file("t.db");
	char *oid, *obj;
	long long files, revs, repos;
	const char *jobs[2] = { "-j1", "-j4" };
	int i, k;

	e2e_git_init(good);
	e2e_write_str(good, "ok.txt", "a good repository\n");
	free(e2e_git_commit_all(good, "good"));
	e2e_git_init(repo);
	for (i = 0; i < 20; i++) {
		char name[32], text[64];
		snprintf(name, sizeof(name), "d%d/f%02d.txt", i % 3, i);
		snprintf(text, sizeof(text), "file number %d of the broken repository\n", i);
		e2e_write_str(repo, name, text);
	}
	free(e2e_git_commit_all(repo, "twenty"));
	oid = e2e_git_line(repo, "rev-parse", "HEAD:d1/f10.txt", NULL);
	{
		char rel[64];
		snprintf(rel, sizeof(rel), ".git/objects/%.2s/%s", oid, oid + 2);
		obj = e2e_path(repo, rel);
	}
	ck_assert_msg(access(obj, F_OK) == 0, "the blob is not a loose object: %s", obj);
	ck_assert_int_eq(unlink(obj), 0);

	scan_ok(db, good);
	repos = count(db, "repositories");
	revs = count(db, "revisions");
	files = count(db, "files");
	ck_assert_int_eq(repos, 1);
	for (k = 0; k < 2; k++) {
		e2e_run r;

		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, jobs[k], repo, NULL);
		assert_exit(&r, 3, jobs[k]);
		assert_stderr_has(&r, oid, jobs[k]);
		e2e_run_release(&r);
		ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)", repo, NULL), 0);
		ck_assert_int_eq(count(db, "repositories"), repos);
		ck_assert_int_eq(count(db, "revisions"), revs);
		ck_assert_int_eq(count(db, "files"), files);
		assert_integrity_ok(db);
	}
	free(obj);
	free(oid);
	free(db);
	free(repo);
	free(good);
}
END_TEST

/* ---- 10. paths that are not scannable --------------------------------------------- */

START_TEST(regular_file_missing_path_and_no_path_are_refused)
{
	char *db = tmp_file("t.db"), *file = tmp_file("plain.txt"), *missing = tmp_file("does-not-exist");
	e2e_run r;

	e2e_write_str(e2e_tmp, "plain.txt", "just a file\n");
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, file, NULL);
	assert_exit(&r, 3, "regular file");
	assert_stderr_has(&r, "not a git repository or a directory", "regular file");
	assert_stderr_has(&r, file, "regular file");
	e2e_run_release(&r);

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, missing, NULL);
	assert_exit(&r, 3, "missing path");
	assert_stderr_has(&r, missing, "missing path");
	e2e_run_release(&r);
	ck_assert_int_eq(count(db, "repositories"), 0);
	ck_assert_int_eq(count(db, "files"), 0);

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, NULL);
	assert_exit(&r, 2, "no PATH");
	assert_stderr_has(&r, "PATH", "no PATH");
	e2e_run_release(&r);

	free(missing);
	free(file);
	free(db);
}
END_TEST

/* ---- 11. SIGKILL --------------------------------------------------------------------- */

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* What a killed scan may leave: no file, no schema, or a whole revision. */
static void check_after_kill(const char *db, const char *commit)
{
	long long revs;

	if (access(db, F_OK) != 0)
		return;
	assert_integrity_ok(db);
	/* killed before the schema was committed: then nothing at all */
	if (e2e_db_count(db, "SELECT 1 FROM sqlite_master WHERE name = 'revisions'", NULL) == 0) {
		ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM sqlite_master", NULL), 0);
		return;
	}
	revs = count(db, "revisions");
	ck_assert_msg(revs == 0 || revs == 1, "%s: %lld revisions", db, revs);
	if (revs == 1) {
		ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions WHERE commit_id = ?1", commit, NULL), 1);
		ck_assert_int_eq(count(db, "files"), 4000);
	} else {
		ck_assert_int_eq(count(db, "files"), 0);
		ck_assert_int_eq(count(db, "repositories"), 0);
	}
}

START_TEST(sigkill_during_scan_leaves_nothing_or_a_whole_revision)
{
	char *repo = e2e_mkdtemp("big"), *ref_db = tmp_file("ref.db"), *commit;
	e2e_tree tree;
	double full, delays[6];
	int i, killed_running = 0;
	size_t k;

	e2e_git_init(repo);
	for (i = 0; i < 4000; i++) {
		char name[32], text[48];
		snprintf(name, sizeof(name), "d%02d/f%04d.txt", i / 100, i);
		snprintf(text, sizeof(text), "small file %d\n", i);
		e2e_write_str(repo, name, text);
	}
	commit = e2e_git_commit_all(repo, "4000 files");
	e2e_ls_tree(&tree, repo, "HEAD");
	ck_assert_uint_eq(tree.n, 4000);

	/* how long a whole scan takes here, to kill at fractions of it too */
	full = now_seconds();
	scan_ok(ref_db, repo);
	full = now_seconds() - full;
	ck_assert_int_eq(count(ref_db, "files"), 4000);
	delays[0] = 0.020;
	delays[1] = 0.060;
	delays[2] = 0.150;
	delays[3] = full * 0.3;
	delays[4] = full * 0.6;
	delays[5] = full * 0.9;

	for (k = 0; k < sizeof(delays) / sizeof(delays[0]); k++) {
		char name[32], *db;
		const char *argv[] = { e2e_tgpl_bin(), "scan", "--db", NULL, repo, NULL };
		struct timespec nap;
		e2e_proc p;
		e2e_run r;

		snprintf(name, sizeof(name), "kill%zu.db", k);
		db = tmp_file(name);
		argv[3] = db;
		nap.tv_sec = (time_t)delays[k];
		nap.tv_nsec = (long)((delays[k] - (double)nap.tv_sec) * 1e9);
		e2e_start(&p, e2e_tmp, argv);
		nanosleep(&nap, NULL);
		kill(p.pid, SIGKILL);
		e2e_finish(&p, &r, 60);
		if (r.signal == SIGKILL)
			killed_running++;
		else
			assert_exit(&r, 0, "scan that finished before the kill");
		e2e_run_release(&r);

		check_after_kill(db, commit);
		scan_ok(db, repo);
		assert_integrity_ok(db);
		ck_assert_int_eq(count(db, "revisions"), 1);
		ck_assert_int_eq(count(db, "files"), 4000);
		free(db);
	}
	ck_assert_msg(killed_running > 0, "no kill hit a running scan (a full scan takes %.3f s)", full);

	e2e_tree_release(&tree);
	free(commit);
	free(ref_db);
	free(repo);
}
END_TEST

/* ---- 12. rescans ---------------------------------------------------------------------- */

static void totals(const char *db, long long out[6])
{
	static const char *const tables[6] = { "repositories", "revisions", "files", "blobs",
					       "analyses", "findings" };
	int i;

	for (i = 0; i < 6; i++)
		out[i] = count(db, tables[i]);
}

START_TEST(rescanning_adds_no_rows_and_a_directory_rescan_replaces)
{
	char *repo = e2e_mkdtemp("repo"), *dir = e2e_mkdtemp("dir"), *db = tmp_file("t.db");
	char *rid, *a_oid, *c_oid, *b_path;
	long long before[6], after[6];
	e2e_tree want = E2E_TREE_INIT;
	int i;

	e2e_git_init(repo);
	write_nested_tree(repo);
	free(e2e_git_commit_all(repo, "one"));
	scan_ok(db, repo);
	totals(db, before);
	ck_assert_int_eq(before[1], 1);
	scan_ok(db, repo);
	scan_expect(db, "main", repo, 0);
	totals(db, after);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(after[i], before[i]);
	/* a new commit is a new revision (so the counts above can move) */
	e2e_write_str(repo, "added.txt", "second commit\n");
	e2e_git_date("1700000100 +0000");
	free(e2e_git_commit_all(repo, "two"));
	scan_ok(db, repo);
	ck_assert_int_eq(count(db, "revisions"), 2);
	ck_assert_int_eq(count(db, "files"), before[2] + 21);

	/* a directory: the second scan replaces the first */
	e2e_write_str(dir, "a.txt", "first a\n");
	e2e_write_str(dir, "b/b.txt", "b\n");
	scan_ok(db, dir);
	scan_ok(db, dir);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions v JOIN repositories r ON r.id = v.repo_id"
				      " WHERE r.path = CAST(?1 AS BLOB)", dir, NULL), 1);
	e2e_write_str(dir, "a.txt", "second a\n");
	b_path = e2e_path(dir, "b/b.txt");
	ck_assert_int_eq(unlink(b_path), 0);
	e2e_write_str(dir, "c.txt", "c\n");
	scan_ok(db, dir);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions v JOIN repositories r ON r.id = v.repo_id"
				      " WHERE r.path = CAST(?1 AS BLOB)", dir, NULL), 1);
	ck_assert_int_eq(count(db, "revisions"), 3);
	a_oid = hash_str("second a\n");
	c_oid = hash_str("c\n");
	e2e_tree_add(&want, "a.txt", 5, "100644", a_oid);
	e2e_tree_add(&want, "c.txt", 5, "100644", c_oid);
	rid = rev_id(db, dir, "dir");
	assert_files(db, rid, &want, "rescanned directory");

	e2e_tree_release(&want);
	free(rid);
	free(c_oid);
	free(a_oid);
	free(b_path);
	free(db);
	free(dir);
	free(repo);
}
END_TEST

/* ---- 13. databases that are not ours ----------------------------------------------- */

START_TEST(newer_schema_database_is_refused_unchanged)
{
	char *repo = e2e_mkdtemp("repo"), *db = tmp_file("t.db"), *before, *after;
	size_t nb, na;
	e2e_run r;

	e2e_git_init(repo);
	e2e_write_str(repo, "a.txt", "a\n");
	free(e2e_git_commit_all(repo, "one"));
	scan_ok(db, repo);
	e2e_db_exec(db, "PRAGMA user_version = 99");
	before = e2e_read_file(db, &nb);
	ck_assert_ptr_nonnull(before);

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, repo, NULL);
	assert_exit(&r, 3, "newer database");
	assert_stderr_has(&r, "newer tgpl", "newer database");
	assert_stderr_has(&r, db, "newer database");
	e2e_run_release(&r);
	after = e2e_read_file(db, &na);
	ck_assert_ptr_nonnull(after);
	ck_assert_msg(na == nb && memcmp(before, after, nb) == 0, "the database file changed");
	ck_assert_int_eq(e2e_db_int(db, "PRAGMA user_version", NULL), 99);

	free(after);
	free(before);
	free(db);
	free(repo);
}
END_TEST

/* A database of schema 1 (before licence history) is migrated in place, its rows kept. */
/*
 * The licence counts a scan prints are kept as it walks (a blob analysed on
 * a worker is counted once per file that holds it, however many of those
 * files the walk met while it was in flight); they must be what the
 * database says of the revision.
 */
START_TEST(licence_counts_printed_by_a_scan_are_those_of_the_database)
{
	static const unsigned char binary[] = { 0x7f, 'E', 'L', 'F', 0, 1, 2, 0, 0, 3 };
	char *repo = e2e_mkdtemp("repo"), name[32];
	const char *jobs[] = { "1", "2" };
	size_t j;
	int i;

	e2e_git_init(repo);
	e2e_write_str(repo, "LICENSE", "SPDX-License-Identifier: MIT\n");
	for (i = 0; i < 24; i++) {
		snprintf(name, sizeof(name), "src/f%02d.c", i);
		e2e_write_str(repo, name, i % 3 == 0 ? "// SPDX-License-Identifier: Apache-2.0\n"
				    : i % 3 == 1 ? "int same;\n" : "// SPDX-License-Identifier: GPL-2.0-only\n");
		snprintf(name, sizeof(name), "src/u%02d.c", i);
		if (i < 5)
			e2e_write_str(repo, name, i == 0 ? "// SPDX-License-Identifier: MIT\n" : name);
	}
	e2e_write_file(repo, "bin/a.bin", binary, sizeof(binary), 0644);
	e2e_write_file(repo, "bin/b.bin", binary, sizeof(binary), 0644);
	free(e2e_git_commit_all(repo, "one"));

	for (j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
		char dbname[32], *db, *line, *end, want[512] = "  licences: ";
		e2e_list rows = E2E_LIST_INIT;
		e2e_run r;
		size_t k, w;

		snprintf(dbname, sizeof(dbname), "counts%s.db", jobs[j]);
		db = tmp_file(dbname);
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--jobs", jobs[j], repo, NULL);
		e2e_assert_exit(&r, 0, "scan");
		e2e_db_rows(&rows, db,
			"SELECT label || ' (' || n || ')' FROM (SELECT CASE"
			"  WHEN a.skipped IS NOT NULL THEN '(skipped: ' || a.skipped || ')'"
			"  WHEN a.expression IS NULL THEN '(none)' ELSE a.expression END AS label, count(*) AS n"
			" FROM files f JOIN revisions v ON v.id = f.rev_id"
			" LEFT JOIN analyses a ON a.blob_id = f.oid AND a.engine = v.engine"
			" WHERE f.type = 'file' GROUP BY label) ORDER BY n DESC, label", NULL);
		ck_assert_int_ge((int)rows.n, 5);
		for (k = 0, w = strlen(want); k < rows.n; k++) {
			const char *c;

			if (k && w + 2 < sizeof(want)) {
				want[w++] = ',';
				want[w++] = ' ';
			}
			for (c = rows.v[k]; *c && w + 1 < sizeof(want); c++)   /* e2e_db_rows escapes spaces */
				want[w++] = strncmp(c, "\\x20", 4) == 0 ? (c += 3, ' ') : *c;
			want[w] = '\0';
		}
		line = r.out ? strstr(r.out, "  licences: ") : NULL;
		ck_assert_msg(line != NULL, "--jobs %s: no licence counts in <%s>", jobs[j], r.out ? r.out : "");
		end = strchr(line, '\n');
		ck_assert_msg(end && (size_t)(end - line) == strlen(want) && memcmp(line, want, strlen(want)) == 0,
			      "--jobs %s: printed <%.*s>, the database says <%s>", jobs[j],
			      end ? (int)(end - line) : 80, line, want);
		ck_assert_msg(strstr(want, "(skipped: binary) (2)") && strstr(want, "(none) (12)"),
			      "--jobs %s: %s", jobs[j], want);
		e2e_list_release(&rows);
		e2e_run_release(&r);
		free(db);
	}
	free(repo);
}
END_TEST

START_TEST(schema_1_database_is_migrated_and_keeps_its_rows)
{
	char *repo = e2e_mkdtemp("repo"), *db = tmp_file("t.db");

	e2e_git_init(repo);
	e2e_write_str(repo, "a.txt", "SPDX-License-Identifier: MIT\n");
	free(e2e_git_commit_all(repo, "one"));
	scan_ok(db, repo);
	/* What schema 1 was: without version 3's deltas and version 2's `history`. */
	e2e_db_exec(db, "DROP VIEW file_view; DROP VIEW files; DROP TABLE file_gone;"
		    " DROP INDEX revisions_base; ALTER TABLE revisions DROP COLUMN base_rev_id;"
		    " ALTER TABLE file_rows RENAME TO files;"
		    " CREATE VIEW file_view AS SELECT r.path AS repo_path, v.commit_id, f.path, f.mode,"
		    " f.type, f.oid, f.size, CASE f.type WHEN 'gitlink' THEN 'swh:1:rev:'"
		    " ELSE 'swh:1:cnt:' END || f.oid AS swhid, f.concluded, f.decided_by, v.id AS rev_id"
		    " FROM files f JOIN revisions v ON v.id = f.rev_id"
		    " JOIN repositories r ON r.id = v.repo_id;"
		    " DROP TABLE history; PRAGMA user_version = 1");

	e2e_write_str(repo, "b.txt", "SPDX-License-Identifier: Apache-2.0\n");
	free(e2e_git_commit_all(repo, "two"));
	scan_ok(db, repo);
	ck_assert_int_eq(e2e_db_int(db, "PRAGMA user_version", NULL), TGPL_SCHEMA_VERSION);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM history", NULL), 0);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions", NULL), 2);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE path = CAST('a.txt' AS BLOB)",
				      NULL), 2);
	free(db);
	free(repo);
}
END_TEST

START_TEST(non_sqlite_file_is_refused_and_left_unchanged)
{
	char *repo = e2e_mkdtemp("repo"), *db = tmp_file("random.db"), *after, *side;
	unsigned char bytes[8192];
	uint32_t x = 12345;
	size_t i, na;
	e2e_run r;

	for (i = 0; i < sizeof(bytes); i++) {
		x = x * 1103515245u + 12345u;
		bytes[i] = (unsigned char)(x >> 16);
	}
	e2e_write_file(e2e_tmp, "random.db", bytes, sizeof(bytes), 0644);
	e2e_git_init(repo);
	e2e_write_str(repo, "a.txt", "a\n");
	free(e2e_git_commit_all(repo, "one"));

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, repo, NULL);
	assert_exit(&r, 3, "random bytes");
	assert_stderr_has(&r, db, "random bytes");
	assert_stderr_has(&r, "not a database", "random bytes");
	e2e_run_release(&r);
	after = e2e_read_file(db, &na);
	ck_assert_ptr_nonnull(after);
	ck_assert_msg(na == sizeof(bytes) && memcmp(bytes, after, na) == 0, "the file changed");
	side = tmp_file("random.db-wal");
	ck_assert_msg(access(side, F_OK) < 0, "a -wal file was left next to it");
	free(side);
	side = tmp_file("random.db-shm");
	ck_assert_msg(access(side, F_OK) < 0, "a -shm file was left next to it");
	free(side);

	free(after);
	free(db);
	free(repo);
}
END_TEST

/* ---- 14. plain directories --------------------------------------------------------- */

START_TEST(plain_directory_files_hash_as_git_blobs_and_a_fifo_is_skipped)
{
	static const char *const files[] = { "a.txt", "sub/b.txt", "sub/deep/c.md", "x/inner.txt" };
	static const unsigned char bin[] = { 0, 1, 2, 0xff, 0xfe, '\n', 0, 'z' };
	char *dir = e2e_mkdtemp("dir"), *db = tmp_file("t.db"), *fifo, *rid, *repo_esc;
	e2e_tree want = E2E_TREE_INIT;
	e2e_list got = E2E_LIST_INIT, exp = E2E_LIST_INIT;
	e2e_run r;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		e2e_write_str(dir, files[i], files[i]);
	e2e_write_file(dir, "sub/deep/bin.dat", bin, sizeof(bin), 0644);
	e2e_write_file(dir, "run.sh", "#!/bin/sh\n", 10, 0755);
	/* a nested repository's database is not content */
	e2e_write_str(dir, "x/.git/config", "[core]\n\tbare = false\n");
	e2e_write_str(dir, "x/.git/HEAD", "ref: refs/heads/main\n");
	e2e_write_str(dir, "x/.git/objects/info/packs", "\n");
	fifo = e2e_path(dir, "sub/pipe");
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	e2e_mkdirs(dir, "sub/empty");   /* an empty directory has no rows and is no error */

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *f = e2e_path(dir, files[i]), *oid = hash_object(f);
		e2e_tree_add(&want, files[i], strlen(files[i]), "100644", oid);
		free(oid);
		free(f);
	}
	{
		char *f = e2e_path(dir, "sub/deep/bin.dat"), *oid = hash_object(f);
		e2e_tree_add(&want, "sub/deep/bin.dat", 16, "100644", oid);
		free(oid);
		free(f);
		f = e2e_path(dir, "run.sh");
		oid = hash_object(f);
		e2e_tree_add(&want, "run.sh", 6, "100755", oid);
		free(oid);
		free(f);
	}

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, dir, NULL);
	assert_exit(&r, 0, "directory with a FIFO");
	assert_stderr_has(&r, "skipping", "directory with a FIFO");
	assert_stderr_has(&r, "sub/pipe", "directory with a FIFO");
	e2e_run_release(&r);

	repo_esc = e2e_escape(dir, strlen(dir));
	e2e_db_rows(&got, db, "SELECT r.path, r.kind, r.origin, v.rev_key, v.commit_id, v.tree_id, v.ref"
		    " FROM revisions v JOIN repositories r ON r.id = v.repo_id", NULL);
	e2e_list_addf(&exp, "%s\tdir\t\\N\tdir\t\\N\t\\N\t\\N", repo_esc);
	e2e_list_assert_eq(&got, &exp, "directory: repository and revision");
	e2e_list_release(&got);
	e2e_list_release(&exp);
	rid = rev_id(db, dir, "dir");
	assert_files(db, rid, &want, "plain directory");

	e2e_tree_release(&want);
	free(repo_esc);
	free(rid);
	free(fifo);
	free(db);
	free(dir);
}
END_TEST

/* ---- 15. SWHIDs -------------------------------------------------------------------------- */

START_TEST(swhids_of_files_match_git_hash_object)
{
	static const char nul_bytes[] = "bin\0ary\0\x01\x02";
	char *repo = e2e_mkdtemp("repo"), *dir = e2e_mkdtemp("dir");
	char *db = tmp_file("git.db"), *ddb = tmp_file("dir.db");
	const char *roots[2], *dbs[2];
	int k;

	roots[0] = repo;
	roots[1] = dir;
	dbs[0] = db;
	dbs[1] = ddb;
	for (k = 0; k < 2; k++) {
		e2e_write_str(roots[k], "hello.txt", "hello\n");
		e2e_write_file(roots[k], "nul.bin", nul_bytes, sizeof(nul_bytes) - 1, 0644);
		e2e_write_str(roots[k], "utf8/h\xc3\xa9llo.txt", "h\xc3\xa9llo w\xc3\xb6rld\n");
	}
	e2e_git_init(repo);
	free(e2e_git_commit_all(repo, "three"));
	scan_ok(db, repo);
	scan_ok(ddb, dir);
	for (k = 0; k < 2; k++) {
		static const char *const names[] = { "hello.txt", "nul.bin", "utf8/h\xc3\xa9llo.txt" };
		e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
		size_t i;

		for (i = 0; i < 3; i++) {
			char *f = e2e_path(roots[k], names[i]), *oid = hash_object(f), *p;
			p = e2e_escape(names[i], strlen(names[i]));
			e2e_list_addf(&want, "%s\tswh:1:cnt:%s", p, oid);
			free(p);
			free(oid);
			free(f);
		}
		/* one anchor that does not depend on git: the well-known id of "hello\n" */
		ck_assert(e2e_list_has(&want, "hello.txt\tswh:1:cnt:ce013625030ba8dba906f756967f9e9ca394464a"));
		e2e_db_rows(&got, dbs[k], "SELECT path, swhid FROM file_view", NULL);
		e2e_list_assert_eq(&got, &want, dbs[k]);
		e2e_list_release(&got);
		e2e_list_release(&want);
	}
	free(ddb);
	free(db);
	free(dir);
	free(repo);
}
END_TEST

/* ---- the mode column ---------------------------------------------------------------- */

START_TEST(mode_column_reads_as_the_git_mode_digits)
{
	char *sub = e2e_mkdtemp("sub"), *repo = e2e_mkdtemp("repo"), *db = tmp_file("t.db"), *link;
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;

	e2e_git_init(sub);
	e2e_write_str(sub, "s.txt", "s\n");
	free(e2e_git_commit_all(sub, "sub"));
	e2e_git_init(repo);
	e2e_write_str(repo, "plain.txt", "plain\n");
	e2e_write_file(repo, "exec.sh", "#!/bin/sh\n", 10, 0755);
	link = e2e_path(repo, "link");
	ck_assert_int_eq(symlink("plain.txt", link), 0);
	free(e2e_git(repo, "submodule", "add", "-q", sub, "mod", NULL));
	free(e2e_git_commit_all(repo, "four modes"));
	scan_ok(db, repo);
	e2e_db_rows(&got, db, "SELECT path, typeof(mode), mode FROM files", NULL);
	e2e_list_add(&want, ".gitmodules\tinteger\t100644");
	e2e_list_add(&want, "exec.sh\tinteger\t100755");
	e2e_list_add(&want, "link\tinteger\t120000");
	e2e_list_add(&want, "mod\tinteger\t160000");
	e2e_list_add(&want, "plain.txt\tinteger\t100644");
	e2e_list_assert_eq(&got, &want, "modes as stored");
	e2e_list_release(&got);
	e2e_list_release(&want);
	free(link);
	free(db);
	free(repo);
	free(sub);
}
END_TEST

/* ---- rescans from an earlier revision ----------------------------------------- */

/* Every row a scan stores for the revision of commit `commit`, as text. */
static void revision_rows(e2e_list *out, const char *db, const char *commit)
{
	e2e_db_rows(out, db,
		"SELECT 'rev', v.commit_id, v.tree_id, v.declared, v.engine FROM revisions v"
		" WHERE v.commit_id = ?1", commit, NULL);
	e2e_db_rows(out, db,
		"SELECT f.path, f.mode, f.type, f.oid, f.size, f.concluded, f.decided_by"
		" FROM files f JOIN revisions v ON v.id = f.rev_id WHERE v.commit_id = ?1"
		" ORDER BY f.path", commit, NULL);
}

static void rm_in(const char *dir, const char *rel)
{
	char *p = e2e_path(dir, rel);

	ck_assert_int_eq(e2e_rm_rf(p), 0);
	free(p);
}

/*
 * A new revision that changes little of a repository is stored as a delta of
 * the whole revision before it: few rows written, yet every reader (the
 * `files` view, reports, a merge) sees it whole, as a cold scan stores it;
 * and when its base is replaced (a rescan by another engine), it keeps its
 * rows.
 */
START_TEST(small_change_is_stored_as_a_delta_that_reads_whole)
{
	char *repo = e2e_mkdtemp("repo"), *warm = tmp_file("delta.db"), *cold = tmp_file("whole.db");
	char *merged = tmp_file("merged.db"), *one, *two, name[32];
	e2e_list a = E2E_LIST_INIT, b = E2E_LIST_INIT;
	e2e_run r;
	int i;

	e2e_git_init(repo);
	e2e_write_str(repo, "LICENSE", "SPDX-License-Identifier: MIT\n");
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "src/f%02d.c", i);
		e2e_write_str(repo, name, i % 10 == 0 ? "// SPDX-License-Identifier: Apache-2.0\n" : "int x;\n");
	}
	one = e2e_git_commit_all(repo, "one");
	e2e_write_str(repo, "src/f03.c", "int changed;\n");
	rm_in(repo, "src/f04.c");
	e2e_write_str(repo, "src/new.c", "// SPDX-License-Identifier: GPL-2.0-only\n");
	two = e2e_git_commit_all(repo, "two");

	scan_expect(warm, one, repo, 0);
	scan_expect(warm, two, repo, 0);
	scan_expect(cold, two, repo, 0);
	/* Stored: the changed and added files (and the licence file, which the
	 * conclusions rest on), and the path that is gone. */
	ck_assert_int_eq(e2e_db_int(warm, "SELECT count(*) FROM revisions WHERE commit_id = ?1"
				    " AND base_rev_id IS NOT NULL", two, NULL), 1);
	ck_assert_int_le(e2e_db_int(warm, "SELECT count(*) FROM file_rows f JOIN revisions v"
				    " ON v.id = f.rev_id WHERE v.commit_id = ?1", two, NULL), 4);
	ck_assert_int_eq(e2e_db_int(warm, "SELECT count(*) FROM file_gone", NULL), 1);
	revision_rows(&a, warm, two);
	revision_rows(&b, cold, two);
	ck_assert_int_eq((int)a.n, 1 + 41);
	e2e_list_assert_eq(&a, &b, "delta vs whole");
	e2e_list_release(&a);
	ck_assert_int_eq(e2e_db_count(warm, "SELECT 1 FROM file_view WHERE commit_id = ?1", two, NULL), 41);

	/* Membership finds the rows a delta inherits: four files, two revisions. */
	e2e_write_str(e2e_tmp, "probe.c", "// SPDX-License-Identifier: Apache-2.0\n");
	e2e_tgpl(&r, e2e_tmp, "--db", warm, "contains", "--json", "probe.c", NULL);
	e2e_assert_exit(&r, 0, "contains");
	ck_assert_msg(r.out && strstr(r.out, "\"total\":8"), "contains: %s", r.out ? r.out : "");
	e2e_run_release(&r);

	/* A merge stores it whole. */
	e2e_tgpl(&r, e2e_tmp, "merge", merged, warm, NULL);
	e2e_assert_exit(&r, 0, "merge");
	e2e_run_release(&r);
	revision_rows(&a, merged, two);
	e2e_list_assert_eq(&a, &b, "merged delta vs whole");
	e2e_list_release(&a);
	ck_assert_int_eq(e2e_db_int(merged, "SELECT count(*) FROM revisions WHERE base_rev_id IS NOT NULL",
				    NULL), 0);

	/* The base rescanned by another engine: the delta takes its rows first. */
	e2e_db_exec(warm, "UPDATE revisions SET engine = 'older' WHERE base_rev_id IS NULL");
	scan_expect(warm, one, repo, 0);
	ck_assert_int_eq(e2e_db_int(warm, "SELECT count(*) FROM revisions WHERE base_rev_id IS NOT NULL",
				    NULL), 0);
	revision_rows(&a, warm, two);
	e2e_list_assert_eq(&a, &b, "former delta after its base was replaced");
	ck_assert_int_eq(e2e_db_int(warm, "SELECT count(*) FROM file_gone", NULL), 0);
	assert_integrity_ok(warm);
	ck_assert_int_eq(e2e_db_count(warm, "PRAGMA foreign_key_check", NULL), 0);

	e2e_list_release(&a);
	e2e_list_release(&b);
	free(one);
	free(two);
	free(merged);
	free(cold);
	free(warm);
	free(repo);
}
END_TEST

START_TEST(rescan_from_an_earlier_revision_stores_the_rows_of_a_cold_scan)
{
	char *repo = e2e_mkdtemp("repo"), *warm = tmp_file("warm.db"), *link, *mit, *bsd, *isc, *p;
	char *commits[6];
	size_t i, n = 0;

	e2e_git_init(repo);
	mit = e2e_license_text("MIT", "Copyright (c) 2020 Root");
	bsd = e2e_license_text("BSD-3-Clause", "Copyright (c) 2020 Vendor");
	isc = e2e_license_text("ISC", "Copyright (c) 2020 Sidecar");
	e2e_write_str(repo, "LICENSE", mit);
	e2e_write_str(repo, "src/a.c", "int a;\n");
	e2e_write_str(repo, "src/b.c", "// SPDX-License-Identifier: Apache-2.0\nint b;\n");
	e2e_write_str(repo, "vendor/x/LICENSE", bsd);
	e2e_write_str(repo, "vendor/x/y.c", "int y;\n");
	e2e_write_str(repo, "docs/deep/readme.txt", "notes\n");
	e2e_write_str(repo, "img/p", "a file that becomes a directory\n");
	e2e_write_str(repo, "gone/old.txt", "removed later\n");
	e2e_write_str(repo, "bin/run.sh", "echo run\n");
	link = e2e_path(repo, "bin/link");
	ck_assert_int_eq(symlink("../src/a.c", link), 0);
	e2e_git_date("1600000000 +0000");
	commits[n++] = e2e_git_commit_all(repo, "first");

	/* Changes below the root that no other file's conclusion depends on: a
	 * diff from the first revision stands for a walk (a mode, a link target,
	 * a file that becomes a directory, files added and removed). */
	e2e_write_str(repo, "src/a.c", "int a = 2;\n");
	e2e_write_str(repo, "new/n.c", "// SPDX-License-Identifier: GPL-2.0-only\nint n;\n");
	e2e_write_str(repo, "vendor/x/z.c", "int z;\n");
	rm_in(repo, "gone");
	rm_in(repo, "img/p");
	p = e2e_path(repo, "bin/run.sh");
	ck_assert_int_eq(chmod(p, 0755), 0);
	free(p);
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(symlink("../src/b.c", link), 0);
	e2e_write_str(repo, "img/p/q.c", "int q;\n");
	e2e_git_date("1600003600 +0000");
	commits[n++] = e2e_git_commit_all(repo, "second");

	/* A licence file changes: the files under it conclude otherwise. */
	e2e_write_str(repo, "vendor/x/LICENSE", isc);
	e2e_write_str(repo, "docs/deep/readme.txt", "more notes\n");
	e2e_git_date("1600007200 +0000");
	commits[n++] = e2e_git_commit_all(repo, "third");

	/* A REUSE sidecar appears next to a file that does not change. */
	e2e_write_str(repo, "src/a.c.license", "SPDX-License-Identifier: ISC\n");
	e2e_git_date("1600010800 +0000");
	commits[n++] = e2e_git_commit_all(repo, "fourth");

	/* Back to a plain change deep down, and a directory removed whole. */
	e2e_write_str(repo, "docs/deep/readme.txt", "notes again\n");
	rm_in(repo, "img");
	e2e_git_date("1600014400 +0000");
	commits[n++] = e2e_git_commit_all(repo, "fifth");

	for (i = 0; i < n; i++) {
		char name[32], what[64], *cold;
		e2e_list a = E2E_LIST_INIT, b = E2E_LIST_INIT;
		long long wf, cf, wa, ca;

		/* warm: each revision scanned into the database of the ones before */
		scan_expect(warm, commits[i], repo, 0);
		snprintf(name, sizeof(name), "cold%zu.db", i);
		cold = tmp_file(name);
		scan_expect(cold, commits[i], repo, 0);
		revision_rows(&a, warm, commits[i]);
		revision_rows(&b, cold, commits[i]);
		snprintf(what, sizeof(what), "revision %zu: rescan vs cold scan", i + 1);
		ck_assert_msg(a.n > 5, "%s: only %zu rows", what, a.n);
		e2e_list_assert_eq(&a, &b, what);
		/* the scan's counts are those of a full walk */
		wf = e2e_db_int(warm, "SELECT files FROM scans ORDER BY id DESC LIMIT 1", NULL);
		cf = e2e_db_int(cold, "SELECT files FROM scans ORDER BY id DESC LIMIT 1", NULL);
		wa = e2e_db_int(warm, "SELECT analysed + reused FROM scans ORDER BY id DESC LIMIT 1", NULL);
		ca = e2e_db_int(cold, "SELECT analysed + reused FROM scans ORDER BY id DESC LIMIT 1", NULL);
		ck_assert_int_eq(wf, cf);
		ck_assert_int_eq(wa, ca);
		e2e_list_release(&a);
		e2e_list_release(&b);
		free(cold);
	}
	assert_integrity_ok(warm);
	for (i = 0; i < n; i++)
		free(commits[i]);
	free(isc);
	free(bsd);
	free(mit);
	free(link);
	free(warm);
	free(repo);
}
END_TEST

static Suite *scan_suite(void)
{
	Suite *s = suite_create("scan (end to end)");

	e2e_add_test(s, git_repository_files_equal_ls_tree_with_sizes_swhids_and_revision, 120);
	e2e_add_test(s, empty_repository_is_refused_and_stores_nothing, 120);
	e2e_add_test(s, bare_repository_is_recorded_as_bare_with_the_same_files, 120);
	e2e_add_test(s, rev_selects_the_tagged_or_relative_commit_and_unknown_rev_fails, 120);
	e2e_add_test(s, submodule_is_one_gitlink_entry_and_is_not_entered, 120);
	e2e_add_test(s, symlink_outside_the_tree_is_recorded_as_a_link_never_followed, 120);
	e2e_add_test(s, hostile_file_names_are_stored_as_exact_bytes_and_printed_escaped, 120);
	e2e_add_test(s, error_messages_escape_control_characters_in_names, 120);
	e2e_add_test(s, empty_file_has_the_empty_blob_id_and_size_zero, 120);
	e2e_add_test(s, missing_blob_fails_the_repository_without_writing_any_of_it, 120);
	e2e_add_test(s, regular_file_missing_path_and_no_path_are_refused, 120);
	e2e_add_test(s, sigkill_during_scan_leaves_nothing_or_a_whole_revision, 300);
	e2e_add_test(s, rescanning_adds_no_rows_and_a_directory_rescan_replaces, 120);
	e2e_add_test(s, newer_schema_database_is_refused_unchanged, 120);
	e2e_add_test(s, small_change_is_stored_as_a_delta_that_reads_whole, 120);
	e2e_add_test(s, licence_counts_printed_by_a_scan_are_those_of_the_database, 120);
	e2e_add_test(s, schema_1_database_is_migrated_and_keeps_its_rows, 120);
	e2e_add_test(s, non_sqlite_file_is_refused_and_left_unchanged, 120);
	e2e_add_test(s, plain_directory_files_hash_as_git_blobs_and_a_fifo_is_skipped, 120);
	e2e_add_test(s, swhids_of_files_match_git_hash_object, 120);
	e2e_add_test(s, mode_column_reads_as_the_git_mode_digits, 120);
	e2e_add_test(s, rescan_from_an_earlier_revision_stores_the_rows_of_a_cold_scan, 120);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
