/* support_util.c — helpers for the end-to-end tests (see support.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"
#include "tgpl.h"

#define MAX_ARGS 64

char e2e_tmp[4096];

/* ---- the per-test directory ------------------------------------------------ */

static void fatal(const char *what)
{
	fprintf(stderr, "e2e fixture: %s: %s\n", what, strerror(errno));
	abort();
}

void e2e_tmp_setup(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[4096], real[PATH_MAX];
	char *home;

	if (!base || !*base)
		base = "/tmp";
	snprintf(tmpl, sizeof(tmpl), "%s/tgpl-e2e-XXXXXX", base);
	if (!mkdtemp(tmpl))
		fatal("mkdtemp");
	if (!realpath(tmpl, real))
		fatal("realpath");
	snprintf(e2e_tmp, sizeof(e2e_tmp), "%s", real);
	home = e2e_path(e2e_tmp, "home");
	if (mkdir(home, 0700) < 0)
		fatal("mkdir home");
	e2e_git_env(home);
	free(home);
}

void e2e_tmp_teardown(void)
{
	if (e2e_tmp[0] && e2e_rm_rf(e2e_tmp) < 0)
		fprintf(stderr, "e2e fixture: cannot remove %s: %s\n", e2e_tmp, strerror(errno));
	e2e_tmp[0] = '\0';
}

void e2e_add_test(Suite *s, const TTest *test, double timeout)
{
	TCase *tc = tcase_create(test->name);

	/* Unchecked: runs in the parent, so the directory goes even when the
	 * forked test dies on a failed assertion or a signal. */
	tcase_add_unchecked_fixture(tc, e2e_tmp_setup, e2e_tmp_teardown);
	tcase_set_timeout(tc, timeout);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

char *e2e_mkdtemp(const char *what)
{
	char *tmpl = NULL, *p;
	size_t n;

	ck_assert_msg(e2e_tmp[0], "no test directory (use e2e_add_test)");
	n = strlen(e2e_tmp) + strlen(what) + 16;
	tmpl = malloc(n);
	ck_assert_ptr_nonnull(tmpl);
	snprintf(tmpl, n, "%s/%s-XXXXXX", e2e_tmp, what);
	p = mkdtemp(tmpl);
	ck_assert_msg(p != NULL, "mkdtemp %s: %s", tmpl, strerror(errno));
	return tmpl;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	if (flag == FTW_DNR) {   /* unreadable directory: make it readable, retry later */
		chmod(path, 0700);
		return 0;
	}
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int e2e_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

char *e2e_path(const char *dir, const char *rel)
{
	size_t n = strlen(dir) + strlen(rel) + 2;
	char *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	snprintf(p, n, "%s/%s", dir, rel);
	return p;
}

void e2e_mkdirs(const char *dir, const char *rel)
{
	char *p = e2e_path(dir, rel);
	size_t i, start = strlen(dir) + 1;

	for (i = start;; i++) {
		if (p[i] == '/' || p[i] == '\0') {
			char c = p[i];
			p[i] = '\0';
			if (i > start && mkdir(p, 0755) < 0 && errno != EEXIST)
				ck_abort_msg("mkdir %s: %s", p, strerror(errno));
			p[i] = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
}

void e2e_write_file(const char *dir, const char *rel, const void *data, size_t len, mode_t mode)
{
	char *p = e2e_path(dir, rel);
	char *slash = strrchr(rel, '/');
	size_t done = 0;
	int fd;

	if (slash) {
		char *parent = strndup(rel, (size_t)(slash - rel));
		ck_assert_ptr_nonnull(parent);
		e2e_mkdirs(dir, parent);
		free(parent);
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "create %s: %s", p, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "write %s: %s", p, strerror(errno));
		done += (size_t)n;
	}
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
	free(p);
}

void e2e_write_str(const char *dir, const char *rel, const char *text)
{
	e2e_write_file(dir, rel, text, strlen(text), 0644);
}

static char *read_fd_all(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	ck_assert_ptr_nonnull(buf);
	for (;;) {
		ssize_t got;
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);
			ck_assert_ptr_nonnull(nb);
			buf = nb;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *e2e_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = read_fd_all(fd, len);
	close(fd);
	return buf;
}

/* ---- running programs ------------------------------------------------------ */

void e2e_start(e2e_proc *p, const char *cwd, const char *const argv[])
{
	int out = memfd_create("e2e-stdout", MFD_CLOEXEC);
	int err = memfd_create("e2e-stderr", MFD_CLOEXEC);
	pid_t pid;

	ck_assert_msg(out >= 0 && err >= 0, "memfd_create: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		if (cwd && chdir(cwd) < 0) {
			dprintf(2, "e2e: chdir %s: %s\n", cwd, strerror(errno));
			_exit(126);
		}
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "e2e: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	p->pid = pid;
	p->out_fd = out;
	p->err_fd = err;
}

static char *slurp_memfd(int fd, size_t *len)
{
	char *buf;

	lseek(fd, 0, SEEK_SET);
	buf = read_fd_all(fd, len);
	close(fd);
	return buf;
}

void e2e_finish(e2e_proc *p, e2e_run *r, double timeout)
{
	struct timespec start, now, nap = { 0, 2 * 1000 * 1000 };
	int st = 0;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t w = waitpid(p->pid, &st, WNOHANG);
		if (w == p->pid)
			break;
		ck_assert_msg(w == 0 || errno == EINTR, "waitpid: %s", strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 > timeout) {
			kill(p->pid, SIGKILL);
			while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
				;
			r->timed_out = 1;
			break;
		}
		nanosleep(&nap, NULL);
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	r->out = slurp_memfd(p->out_fd, &r->out_len);
	r->err = slurp_memfd(p->err_fd, &r->err_len);
	p->pid = -1;
}

void e2e_run_argv(e2e_run *r, const char *cwd, const char *const argv[], double timeout)
{
	e2e_proc p;

	e2e_start(&p, cwd, argv);
	e2e_finish(&p, r, timeout);
}

void e2e_run_release(e2e_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

const char *e2e_tgpl_bin(void)
{
	const char *bin = getenv("TGPL_BIN");

	ck_assert_msg(bin && *bin, "TGPL_BIN is not set (run through make check-unit)");
	return bin;
}

/*
 * Under `make check-valgrind` (TGPL_VALGRIND=1) the binary runs under
 * memcheck: any error or definite leak makes it exit 97, which fails the
 * test's exit-status assertion, and the report is on its stderr.
 */
static size_t valgrind_prefix(const char **argv, char *supp, size_t supp_len, double *timeout)
{
	const char *v = getenv("TGPL_VALGRIND"), *src = getenv("TGPL_SRCDIR");
	size_t n = 0;

	if (!v || !*v || strcmp(v, "0") == 0)
		return 0;
	snprintf(supp, supp_len, "--suppressions=%s/tests/valgrind.supp", src ? src : ".");
	argv[n++] = "valgrind";
	argv[n++] = "-q";
	argv[n++] = "--error-exitcode=97";
	argv[n++] = "--leak-check=full";
	argv[n++] = "--errors-for-leak-kinds=definite,indirect";
	argv[n++] = "--show-leak-kinds=definite,indirect";
	argv[n++] = supp;
	*timeout *= 20;
	return n;
}

void e2e_tgpl(e2e_run *r, const char *cwd, ...)
{
	const char *argv[MAX_ARGS];
	const char *a;
	char supp[4200];
	double timeout = 60;
	size_t n = valgrind_prefix(argv, supp, sizeof(supp), &timeout);
	va_list ap;

	argv[n++] = e2e_tgpl_bin();
	va_start(ap, cwd);
	while ((a = va_arg(ap, const char *)) != NULL) {
		ck_assert(n < MAX_ARGS - 1);
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	e2e_run_argv(r, cwd, argv, timeout);
}

static char *git_va(const char *cwd, va_list ap)
{
	const char *argv[MAX_ARGS];
	const char *a;
	size_t n = 0, i;
	e2e_run r;
	char cmd[1024];
	size_t used = 0;

	argv[n++] = "git";
	argv[n++] = "-c";
	argv[n++] = "gc.auto=0";
	argv[n++] = "-c";
	argv[n++] = "protocol.file.allow=always";
	while ((a = va_arg(ap, const char *)) != NULL) {
		ck_assert(n < MAX_ARGS - 1);
		argv[n++] = a;
	}
	argv[n] = NULL;
	e2e_run_argv(&r, cwd, argv, 120);
	cmd[0] = '\0';
	for (i = 5; i < n && used < sizeof(cmd); i++)
		used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, " %s", argv[i]);
	ck_assert_msg(r.status == 0, "git%s (in %s) exited %d, signal %d: %s", cmd, cwd ? cwd : ".",
		      r.status, r.signal, r.err);
	free(r.err);
	return r.out;
}

char *e2e_git(const char *cwd, ...)
{
	va_list ap;
	char *out;

	va_start(ap, cwd);
	out = git_va(cwd, ap);
	va_end(ap);
	return out;
}

char *e2e_git_line(const char *cwd, ...)
{
	va_list ap;
	char *out;
	size_t n;

	va_start(ap, cwd);
	out = git_va(cwd, ap);
	va_end(ap);
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
	return out;
}

void e2e_git_env(const char *home)
{
	static const char *const unset[] = {
		"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS",
		"GIT_CONFIG_COUNT", "GIT_CEILING_DIRECTORIES", "GIT_NAMESPACE", "GIT_TEMPLATE_DIR",
		"XDG_CONFIG_HOME", NULL
	};
	size_t i;

	for (i = 0; unset[i]; i++)
		unsetenv(unset[i]);
	setenv("HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_AUTHOR_NAME", "Test Author", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.org", 1);
	setenv("GIT_COMMITTER_NAME", "Test Committer", 1);
	setenv("GIT_COMMITTER_EMAIL", "committer@example.org", 1);
	setenv("GIT_TERMINAL_PROMPT", "0", 1);
	setenv("LC_ALL", "C", 1);
	e2e_git_date("1700000000 +0000");
}

void e2e_git_date(const char *date)
{
	setenv("GIT_AUTHOR_DATE", date, 1);
	setenv("GIT_COMMITTER_DATE", date, 1);
}

void e2e_git_init(const char *dir)
{
	free(e2e_git(NULL, "init", "-q", "-b", "main", dir, NULL));
}

char *e2e_git_commit_all(const char *repo, const char *msg)
{
	free(e2e_git(repo, "add", "-A", NULL));
	free(e2e_git(repo, "commit", "-q", "--no-verify", "-m", msg, NULL));
	return e2e_git_line(repo, "rev-parse", "HEAD", NULL);
}

/* ---- listings ---------------------------------------------------------------- */

void e2e_list_add(e2e_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));
		ck_assert_ptr_nonnull(v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = strdup(s);
	ck_assert_ptr_nonnull(l->v[l->n]);
	l->n++;
}

void e2e_list_addf(e2e_list *l, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	e2e_list_add(l, s);
	free(s);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void e2e_list_sort(e2e_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), str_cmp);
}

void e2e_list_release(e2e_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int e2e_list_has(const e2e_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void e2e_list_assert_eq(e2e_list *got, e2e_list *want, const char *what)
{
	size_t i;

	e2e_list_sort(got);
	e2e_list_sort(want);
	for (i = 0; i < got->n && i < want->n; i++)
		if (strcmp(got->v[i], want->v[i]) != 0)
			break;
	if (i == got->n && i == want->n)
		return;
	fprintf(stderr, "%s: listings differ (%zu rows, expected %zu)\n--- got\n", what, got->n, want->n);
	for (size_t k = 0; k < got->n; k++)
		fprintf(stderr, "  %s\n", got->v[k]);
	fprintf(stderr, "--- expected\n");
	for (size_t k = 0; k < want->n; k++)
		fprintf(stderr, "  %s\n", want->v[k]);
	ck_abort_msg("%s: %zu rows, expected %zu; first difference at row %zu: got <%s>, expected <%s>",
		     what, got->n, want->n, i, i < got->n ? got->v[i] : "(end)",
		     i < want->n ? want->v[i] : "(end)");
}

char *e2e_escape(const void *p, size_t n)
{
	const unsigned char *s = p;
	char *out = malloc(n * 4 + 1), *o = out;
	size_t i;

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++) {
		if (s[i] == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else if (s[i] > 0x20 && s[i] < 0x7f) {
			*o++ = (char)s[i];
		} else {
			snprintf(o, 5, "\\x%02x", s[i]);
			o += 4;
		}
	}
	*o = '\0';
	return out;
}

static e2e_tree_entry *tree_push(e2e_tree *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		e2e_tree_entry *v = realloc(t->v, cap * sizeof(*v));
		ck_assert_ptr_nonnull(v);
		t->v = v;
		t->cap = cap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	return &t->v[t->n++];
}

void e2e_ls_tree(e2e_tree *out, const char *repo, const char *treeish)
{
	size_t len = 0, pos = 0;
	e2e_run r;
	const char *argv[] = { "git", "ls-tree", "-r", "-z", "--full-tree", treeish, NULL };

	memset(out, 0, sizeof(*out));
	e2e_run_argv(&r, repo, argv, 60);
	ck_assert_msg(r.status == 0, "git ls-tree %s in %s: %s", treeish, repo, r.err);
	len = r.out_len;
	while (pos < len) {
		/* "<mode> SP <type> SP <oid> TAB <path> NUL" */
		const char *rec = r.out + pos, *tab, *end;
		e2e_tree_entry *e;
		int used = 0;

		end = memchr(rec, '\0', len - pos);
		ck_assert_ptr_nonnull(end);
		tab = memchr(rec, '\t', (size_t)(end - rec));
		ck_assert_ptr_nonnull(tab);
		e = tree_push(out);
		ck_assert_msg(sscanf(rec, "%7s %7s %40s%n", e->mode, e->objtype, e->oid, &used) == 3 &&
			      rec + used == tab && strlen(e->oid) == 40,
			      "unexpected ls-tree record <%.*s>", (int)(tab - rec), rec);
		e->path_len = (size_t)(end - tab - 1);
		e->path = malloc(e->path_len + 1);
		ck_assert_ptr_nonnull(e->path);
		memcpy(e->path, tab + 1, e->path_len);
		e->path[e->path_len] = '\0';
		pos = (size_t)(end - r.out) + 1;
	}
	e2e_run_release(&r);
}

void e2e_tree_add(e2e_tree *t, const char *path, size_t path_len, const char *mode, const char *oid)
{
	e2e_tree_entry *e = tree_push(t);

	e->path = malloc(path_len + 1);
	ck_assert_ptr_nonnull(e->path);
	memcpy(e->path, path, path_len);
	e->path[path_len] = '\0';
	e->path_len = path_len;
	snprintf(e->mode, sizeof(e->mode), "%s", mode);
	snprintf(e->objtype, sizeof(e->objtype), "%s", strcmp(mode, "160000") == 0 ? "commit" : "blob");
	snprintf(e->oid, sizeof(e->oid), "%s", oid);
}

void e2e_tree_release(e2e_tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

const char *e2e_tree_entry_type(const e2e_tree_entry *e)
{
	if (strcmp(e->objtype, "commit") == 0)
		return "gitlink";
	return strcmp(e->mode, "120000") == 0 ? "symlink" : "file";
}

void e2e_tree_rows(e2e_list *out, const e2e_tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		char *p = e2e_escape(t->v[i].path, t->v[i].path_len);
		e2e_list_addf(out, "%s\t%s\t%s\t%s", p, t->v[i].mode, e2e_tree_entry_type(&t->v[i]),
			      t->v[i].oid);
		free(p);
	}
}

/* ---- the database ------------------------------------------------------------ */

typedef int (*row_fn)(sqlite3_stmt *st, void *payload);

static void db_query(const char *db, const char *sql, va_list ap, row_fn fn, void *payload)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	const char *p;
	int rc, i = 1;

	rc = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL);
	ck_assert_msg(rc == SQLITE_OK, "cannot open database %s: %s", db,
		      h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
	sqlite3_busy_timeout(h, 10000);
	rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	ck_assert_msg(rc == SQLITE_OK, "%s: prepare <%s>: %s", db, sql, sqlite3_errmsg(h));
	while ((p = va_arg(ap, const char *)) != NULL)
		sqlite3_bind_text(st, i++, p, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(st, payload))
			break;
	ck_assert_msg(rc == SQLITE_ROW || rc == SQLITE_DONE, "%s: <%s>: %s", db, sql, sqlite3_errmsg(h));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

typedef struct {
	int have;
	char *str;
	long long num;
} first_cell;

static int take_first(sqlite3_stmt *st, void *payload)
{
	first_cell *c = payload;

	c->have = 1;
	c->num = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		const void *b = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		c->str = malloc((size_t)n + 1);
		ck_assert_ptr_nonnull(c->str);
		if (n)
			memcpy(c->str, b, (size_t)n);
		c->str[n] = '\0';
	}
	return 1;
}

char *e2e_db_str(const char *db, const char *sql, ...)
{
	first_cell c = { 0, NULL, 0 };
	va_list ap;

	va_start(ap, sql);
	db_query(db, sql, ap, take_first, &c);
	va_end(ap);
	return c.str;
}

long long e2e_db_int(const char *db, const char *sql, ...)
{
	first_cell c = { 0, NULL, 0 };
	va_list ap;

	va_start(ap, sql);
	db_query(db, sql, ap, take_first, &c);
	va_end(ap);
	free(c.str);
	ck_assert_msg(c.have, "%s: no row for <%s>", db, sql);
	return c.num;
}

static int count_row(sqlite3_stmt *st, void *payload)
{
	(void)st;
	++*(long long *)payload;
	return 0;
}

long long e2e_db_count(const char *db, const char *sql, ...)
{
	long long n = 0;
	va_list ap;

	va_start(ap, sql);
	db_query(db, sql, ap, count_row, &n);
	va_end(ap);
	return n;
}

static int add_row(sqlite3_stmt *st, void *payload)
{
	e2e_list *l = payload;
	int i, n = sqlite3_column_count(st);
	size_t cap = 256, used = 0;
	char *row = malloc(cap);

	ck_assert_ptr_nonnull(row);
	row[0] = '\0';
	for (i = 0; i < n; i++) {
		char *cell;
		size_t len;

		if (sqlite3_column_type(st, i) == SQLITE_NULL) {
			cell = strdup("\\N");
			ck_assert_ptr_nonnull(cell);
		} else {
			const void *b = sqlite3_column_blob(st, i);
			cell = e2e_escape(b, (size_t)sqlite3_column_bytes(st, i));
		}
		len = strlen(cell);
		if (used + len + 2 > cap) {
			char *nr = realloc(row, cap = (used + len + 2) * 2);
			ck_assert_ptr_nonnull(nr);
			row = nr;
		}
		if (i)
			row[used++] = '\t';
		memcpy(row + used, cell, len + 1);
		used += len;
		free(cell);
	}
	e2e_list_add(l, row);
	free(row);
	return 0;
}

void e2e_db_rows(e2e_list *out, const char *db, const char *sql, ...)
{
	va_list ap;

	va_start(ap, sql);
	db_query(db, sql, ap, add_row, out);
	va_end(ap);
}

void e2e_db_exec(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;
	int rc = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL);

	ck_assert_msg(rc == SQLITE_OK, "cannot open database %s: %s", db,
		      h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
	rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
	ck_assert_msg(rc == SQLITE_OK, "%s: <%s>: %s", db, sql, msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(h);
}

/* ---- output checks ----------------------------------------------------------- */

int e2e_contains(const char *p, size_t n, const char *needle)
{
	return memmem(p, n, needle, strlen(needle)) != NULL;
}

long e2e_find_control(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f)
			return (long)i;
	}
	return -1;
}

int e2e_utf8_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + k >= n)   /* the sequence runs past the end */
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

char *e2e_slow_text(size_t copies, size_t tag)
{
	char *gpl = e2e_license_text("GPL-3.0-only", NULL), *out;
	size_t size = copies * (strlen(gpl) + 48) + 1, len = 0, k;

	out = malloc(size);
	ck_assert_ptr_nonnull(out);
	out[0] = '\0';
	for (k = 0; k < copies; k++)
		len += (size_t)snprintf(out + len, size - len, "/* part %zu of %zu */\n%s", k, tag, gpl);
	free(gpl);
	return out;
}

char *e2e_license_text(const char *id, const char *copyright)
{
	tgpl_ctx *ctx = NULL;
	tgpl_engine *eng = NULL;
	const tgpl_license_info *li;
	const char *p;
	char *out;
	size_t n = 0;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&eng, ctx, getenv("TGPL_DATADIR")) == 0, "licence data: %s",
		      tgpl_errmsg(ctx));
	li = tgpl_engine_license(eng, id);
	ck_assert_msg(li && li->text, "no reference text for %s in the licence data", id);
	for (p = li->text; *p; p++)
		n += *p == '\n';
	/* at most one copyright line per line of the text */
	out = malloc(strlen(li->text) + (n + 1) * (copyright ? strlen(copyright) + 1 : 0) + 2);
	n = 0;
	ck_assert_ptr_nonnull(out);
	for (p = li->text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);

		if (copyright && strncmp(p, "Copyright", 9) == 0) {
			memcpy(out + n, copyright, strlen(copyright));
			n += strlen(copyright);
			out[n++] = '\n';
		} else {
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	if (n && out[n - 1] != '\n')
		out[n++] = '\n';
	out[n] = '\0';
	tgpl_engine_free(eng);
	tgpl_ctx_free(ctx);
	return out;
}

void e2e_show(const char *what, const e2e_run *r)
{
	fprintf(stderr, "%s: exit %d, signal %d%s\n--- stdout\n%s--- stderr\n%s---\n", what, r->status,
		r->signal, r->timed_out ? ", timed out" : "", r->out, r->err);
}

void e2e_assert_exit(const e2e_run *r, int status, const char *what)
{
	if (r->status != status || r->timed_out)
		e2e_show(what, r);
	ck_assert_msg(!r->timed_out, "%s: timed out", what);
	ck_assert_msg(r->status == status, "%s: exit %d (signal %d), expected %d", what, r->status,
		      r->signal, status);
}
