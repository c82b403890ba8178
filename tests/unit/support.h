/*
 * support.h — helpers for the end-to-end tests (tests/unit/check_scan.c,
 * check_cli.c and later ones): a fresh temporary directory per test, files
 * written with their parent directories, programs run from argv arrays
 * (never through a shell) with captured output and a timeout, git with a
 * fixed identity and dates, and read access to the tgpl database through
 * the sqlite3 C API.
 *
 * Helpers whose failure makes the test meaningless (cannot write a file,
 * git fails) fail the test themselves with ck_assert; the others return a
 * value for the test to assert on.  Strings returned are the caller's to
 * free().
 */
#ifndef TGPL_TEST_SUPPORT_H
#define TGPL_TEST_SUPPORT_H

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- the per-test directory ------------------------------------------------ */

/*
 * The fresh directory of the running test (absolute, symlinks resolved), and
 * a HOME inside it.  Created by e2e_tmp_setup() in the parent process before
 * each test and removed by e2e_tmp_teardown() after it, even when the test
 * fails or crashes in its forked child.  Use e2e_add_test() to get both.
 */
extern char e2e_tmp[4096];

void e2e_tmp_setup(void);
void e2e_tmp_teardown(void);

/* Add `test` to `s` in a TCase of its own, with the temp dir fixture and a timeout in seconds. */
void e2e_add_test(Suite *s, const TTest *test, double timeout);

/* Make a fresh directory under e2e_tmp (name prefix `what`); caller frees. */
char *e2e_mkdtemp(const char *what);

/* Remove a tree like rm -rf (never follows symlinks).  0, or -1 with errno. */
int e2e_rm_rf(const char *path);

/* "dir/rel"; caller frees.  `rel` may hold any bytes but NUL. */
char *e2e_path(const char *dir, const char *rel);

/* Write `len` bytes to dir/rel, creating parent directories; mode as for chmod.  Asserts. */
void e2e_write_file(const char *dir, const char *rel, const void *data, size_t len, mode_t mode);
/* The same for a NUL-terminated string, mode 0644. */
void e2e_write_str(const char *dir, const char *rel, const char *text);
/* mkdir -p dir/rel.  Asserts. */
void e2e_mkdirs(const char *dir, const char *rel);

/* Read a whole file (NUL-terminated, length in *len if not NULL); NULL if it cannot be read. */
char *e2e_read_file(const char *path, size_t *len);

/*
 * The reference text of licence `id` from the licence data the build fetched
 * (the index in $TGPL_DATADIR): licence texts are never copied into the
 * tests.  A line starting with "Copyright" is replaced by `copyright` when
 * that is not NULL.  Asserts the licence and its text exist; caller frees.
 */
char *e2e_license_text(const char *id, const char *copyright);
/* A file slow to analyse: `copies` copies of the GPL-3.0-only text, each after a
 * comment naming it and `tag` (distinct tags give distinct blobs).  Caller frees. */
char *e2e_slow_text(size_t copies, size_t tag);

/* ---- running programs ------------------------------------------------------ */

typedef struct {
	int status;        /* exit status, or -1 if it did not exit normally */
	int signal;        /* terminating signal, or 0 */
	int timed_out;     /* 1: killed because it ran past the timeout */
	char *out;         /* stdout, NUL-terminated (may hold NULs too) */
	size_t out_len;
	char *err;         /* stderr, likewise */
	size_t err_len;
} e2e_run;
/* Print a run's exit status and both outputs to stderr (for a failing assertion). */
void e2e_show(const char *what, const e2e_run *r);
/* Assert the run exited with `status` and did not time out; shows the run if not. */
void e2e_assert_exit(const e2e_run *r, int status, const char *what);


/* A started program whose output is captured (see e2e_start). */
typedef struct {
	pid_t pid;
	int out_fd, err_fd;
} e2e_proc;

/*
 * Start argv[0] (looked up in PATH) with argv, in `cwd` (NULL: the current
 * directory), stdin from /dev/null, stdout and stderr captured.  Asserts
 * that the fork succeeded.
 */
void e2e_start(e2e_proc *p, const char *cwd, const char *const argv[]);
/* Wait for it at most `timeout` seconds (then SIGKILL it) and collect its output. */
void e2e_finish(e2e_proc *p, e2e_run *r, double timeout);
/* e2e_start then e2e_finish. */
void e2e_run_argv(e2e_run *r, const char *cwd, const char *const argv[], double timeout);
void e2e_run_release(e2e_run *r);

/* Run $TGPL_BIN with the NULL-terminated arguments (60 s timeout). */
void e2e_tgpl(e2e_run *r, const char *cwd, ...) __attribute__((sentinel));
/* $TGPL_BIN, asserting it is set. */
const char *e2e_tgpl_bin(void);

/*
 * Run git with the NULL-terminated arguments in `cwd`, with
 * -c gc.auto=0 -c protocol.file.allow=always; assert it exits 0 and return
 * its stdout (caller frees).  e2e_git_line() strips one trailing newline.
 */
char *e2e_git(const char *cwd, ...) __attribute__((sentinel));
char *e2e_git_line(const char *cwd, ...) __attribute__((sentinel));

/* Set the environment every git run needs: identity, HOME = `home`, no system or global config. */
void e2e_git_env(const char *home);
/* Author and committer date for the next commits, e.g. "1700000000 +0000". */
void e2e_git_date(const char *date);

/* git init -b main `dir` (created), with nothing committed. */
void e2e_git_init(const char *dir);
/* git add -A and git commit -m msg in `repo`; returns the commit id (caller frees). */
char *e2e_git_commit_all(const char *repo, const char *msg);

/* ---- listings ---------------------------------------------------------------- */

/* A list of strings (each owned by the list). */
typedef struct {
	char **v;
	size_t n, cap;
} e2e_list;

#define E2E_LIST_INIT { NULL, 0, 0 }

void e2e_list_add(e2e_list *l, const char *s);
void e2e_list_addf(e2e_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void e2e_list_sort(e2e_list *l);
void e2e_list_release(e2e_list *l);
int e2e_list_has(const e2e_list *l, const char *s);
/* Sort both and assert they are equal, printing both in full (stderr) if not. */
void e2e_list_assert_eq(e2e_list *got, e2e_list *want, const char *what);

/*
 * Bytes as printable ASCII: 0x21..0x7e as is except '\', which becomes "\\";
 * every other byte (space included) "\xNN".  Injective.  Caller frees.
 */
char *e2e_escape(const void *p, size_t n);

/* One entry of `git ls-tree -r -z --full-tree TREEISH`. */
typedef struct {
	char *path;         /* exact bytes, NUL-terminated */
	size_t path_len;
	char mode[8];       /* "100644", ... as git prints it */
	char objtype[8];    /* "blob", "commit" */
	char oid[41];
} e2e_tree_entry;

typedef struct {
	e2e_tree_entry *v;
	size_t n, cap;
} e2e_tree;

#define E2E_TREE_INIT { NULL, 0, 0 }

/* Parse `git ls-tree -r -z --full-tree TREEISH` in `repo`.  Asserts. */
void e2e_ls_tree(e2e_tree *out, const char *repo, const char *treeish);
void e2e_tree_release(e2e_tree *t);
/* Append an expected entry (objtype "blob", or "commit" for mode "160000"). */
void e2e_tree_add(e2e_tree *t, const char *path, size_t path_len, const char *mode, const char *oid);
/* The type tgpl records for an entry: "file", "symlink" or "gitlink". */
const char *e2e_tree_entry_type(const e2e_tree_entry *e);
/* Rows "escaped-path\tmode\ttype\toid" of the tree, as e2e_db_rows would print the
 * files table (SELECT path, mode, type, oid). */
void e2e_tree_rows(e2e_list *out, const e2e_tree *t);

/* ---- the database ------------------------------------------------------------ */

/*
 * Queries open `db` read-write without creating it (so a missing file fails
 * the test and a WAL left by a killed writer is recovered), bind the
 * NULL-terminated parameters as text, and close it again.  Any SQLite error
 * fails the test.  Compare BLOB columns with CAST(?1 AS BLOB).
 */

/* First cell of the first row as a string (a BLOB's bytes, NUL-terminated);
 * NULL if there is no row or the cell is NULL.  Caller frees. */
char *e2e_db_str(const char *db, const char *sql, ...) __attribute__((sentinel));
/* First cell as an integer; asserts there is a row. */
long long e2e_db_int(const char *db, const char *sql, ...) __attribute__((sentinel));
/* Number of rows the query returns. */
long long e2e_db_count(const char *db, const char *sql, ...) __attribute__((sentinel));
/* Every row as one string: cells escaped (e2e_escape; NULL as "\N"), joined by '\t'. */
void e2e_db_rows(e2e_list *out, const char *db, const char *sql, ...) __attribute__((sentinel));
/* Run statements (no parameters). */
void e2e_db_exec(const char *db, const char *sql);

/* ---- output checks ----------------------------------------------------------- */

/* Does [p, p+n) hold `needle`? */
int e2e_contains(const char *p, size_t n, const char *needle);
/* Offset of the first byte < 0x20 other than '\n', or 0x7f; -1 if none. */
long e2e_find_control(const char *p, size_t n);
/* Is [p, p+n) valid UTF-8 (no overlongs, no surrogates)? */
int e2e_utf8_valid(const char *p, size_t n);

#endif
