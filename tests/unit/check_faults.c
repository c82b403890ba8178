/*
 * check_faults.c — tgpl under faults and hostile inputs, mostly through the
 * real binary ($TGPL_BIN): failed allocations, two writers on one
 * database, a full disk, a read-only database, a corrupt pack file, a 2 GiB
 * sparse file and a FIFO, nesting past the walker's cap, a tree of 1,000,000
 * entries in bounded memory, and the inputs the fuzz targets (tests/fuzz/)
 * found, each written by its test.
 *
 * Variants that need privileges (a tmpfs, a read-only bind mount: a mount
 * namespace of their own) say "skipped" on stderr and pass when the system
 * refuses them.  Measurements of the binary itself (time, memory, bytes
 * read) are taken on a direct child, never under TGPL_VALGRIND.
 *
 * TGPL_FAULTS_SAMPLES=N (default 100) sets how many allocation failure
 * points each sweep tries after the first 32; 0 means every one.  Under
 * TGPL_VALGRIND a sweep tries a few fixed points.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "detect/clauses.h"
#include "detect/rules.h"
#include "support.h"
#include "tgpl/common.h"
#include "tgpl/detect.h"
#include "util/util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* Peak memory a scan may use, whatever it reads (DESIGN.md: under 256 MB). */
#define RSS_LIMIT_MB 256

/* ---- helpers ----------------------------------------------------------------- */

static char *tmp_file(const char *name)
{
	return e2e_path(e2e_tmp, name);
}

static void show(const char *what, const e2e_run *r)
{
	fprintf(stderr, "%s: exit %d, signal %d%s\n--- stdout\n%.4000s--- stderr\n%.4000s---\n", what,
		r->status, r->signal, r->timed_out ? ", timed out" : "", r->out, r->err);
}

static void assert_exit(const e2e_run *r, int status, const char *what)
{
	if (r->status != status || r->timed_out)
		show(what, r);
	ck_assert_msg(!r->timed_out, "%s: timed out", what);
	ck_assert_msg(r->status == status, "%s: exit %d (signal %d), expected %d; stderr: %.2000s", what,
		      r->status, r->signal, status, r->err);
}

static void assert_stderr_has(const e2e_run *r, const char *needle, const char *what)
{
	ck_assert_msg(e2e_contains(r->err, r->err_len, needle), "%s: stderr lacks <%s>: <%.2000s>", what,
		      needle, r->err);
}

/* What a sanitizer, valgrind or glibc's heap checks print. */
static const char *memory_report(const e2e_run *r)
{
	static const char *const marks[] = {
		"Sanitizer", "runtime error:", "double free", "free(): ", "malloc(): ", "realloc(): ",
		"corrupted size", "corrupted double-linked", "stack smashing", "Invalid read",
		"Invalid write", "Invalid free", "definitely lost", "Conditional jump",
		"uninitialised", "Mismatched free",
	};
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (e2e_contains(r->err, r->err_len, marks[i]) || e2e_contains(r->out, r->out_len, marks[i]))
			return marks[i];
	return NULL;
}

static void assert_no_memory_report(const e2e_run *r, const char *what)
{
	const char *m = memory_report(r);

	if (m)
		show(what, r);
	ck_assert_msg(m == NULL, "%s: memory error report (%s) in the output", what, m);
}

/* Every stderr line is a tgpl message. */
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

static long long count(const char *db, const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return e2e_db_int(db, sql, NULL);
}

static void scan_ok(const char *db, const char *path)
{
	e2e_run r;

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, path, NULL);
	assert_exit(&r, 0, path);
	e2e_run_release(&r);
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int under_valgrind(void)
{
	const char *v = getenv("TGPL_VALGRIND");
	return v && *v && strcmp(v, "0") != 0;
}

/* Remove a database and its -wal and -shm. */
static void remove_db(const char *db)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[4200];
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", db, sfx[i]);
		unlink(p);
	}
}

/* A repository of `n` small files whose contents differ by `tag`; returns its path. */
static char *make_repo(const char *name, int n, const char *tag)
{
	char *repo = e2e_mkdtemp(name);
	int i;

	e2e_git_init(repo);
	for (i = 0; i < n; i++) {
		char rel[64], text[128];
		snprintf(rel, sizeof(rel), "d%02d/f%05d.txt", i % 37, i);
		snprintf(text, sizeof(text), "%s: file %d of %d, a line of text to store\n", tag, i, n);
		e2e_write_str(repo, rel, text);
	}
	e2e_write_str(repo, "LICENSE", "SPDX-License-Identifier: MIT\n");
	free(e2e_git_commit_all(repo, tag));
	return repo;
}

/* ---- running the binary with limits -------------------------------------------- */

typedef struct {
	rlim_t fsize;            /* RLIMIT_FSIZE for the child in bytes; 0: none */
	const char *in;          /* file for stdin; NULL: /dev/null */
} spawn_opts;

/*
 * Run argv (argv[0] from PATH) in `cwd` with the limits of `o` (may be
 * NULL), output captured like e2e_run_argv(), and the child's resource use
 * (wait4) in *ru if not NULL.  SIGXFSZ is ignored in the child, so a write
 * past RLIMIT_FSIZE fails with EFBIG as on a full disk.
 */
static void spawn(e2e_run *r, struct rusage *ru, const char *cwd, const spawn_opts *o,
		  const char *const argv[], double timeout)
{
	int out = memfd_create("faults-stdout", MFD_CLOEXEC);
	int err = memfd_create("faults-stderr", MFD_CLOEXEC);
	struct timespec nap = { 0, 2 * 1000 * 1000 };
	struct rusage u;
	double start = now_seconds();
	int st = 0;
	pid_t pid;

	ck_assert_msg(out >= 0 && err >= 0, "memfd_create: %s", strerror(errno));
	memset(r, 0, sizeof(*r));
	fflush(NULL);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int in = open(o && o->in ? o->in : "/dev/null", O_RDONLY);

		if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		if (cwd && chdir(cwd) < 0)
			_exit(126);
		if (o && o->fsize) {
			struct rlimit lim = { o->fsize, o->fsize };
			signal(SIGXFSZ, SIG_IGN);
			if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
				_exit(126);
		}
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "faults: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	memset(&u, 0, sizeof(u));
	for (;;) {
		pid_t w = wait4(pid, &st, WNOHANG, &u);
		if (w == pid)
			break;
		ck_assert_msg(w == 0 || errno == EINTR, "wait4: %s", strerror(errno));
		if (now_seconds() - start > timeout) {
			kill(pid, SIGKILL);
			while (wait4(pid, &st, 0, &u) < 0 && errno == EINTR)
				;
			r->timed_out = 1;
			break;
		}
		nanosleep(&nap, NULL);
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	lseek(out, 0, SEEK_SET);
	lseek(err, 0, SEEK_SET);
	{
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", out);
		r->out = e2e_read_file(path, &r->out_len);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", err);
		r->err = e2e_read_file(path, &r->err_len);
	}
	ck_assert_ptr_nonnull(r->out);
	ck_assert_ptr_nonnull(r->err);
	close(out);
	close(err);
	if (ru)
		*ru = u;
}

/* git fast-import of the stream in file `stream` into `repo` (already initialised). */
static void fast_import(const char *repo, const char *stream)
{
	const char *argv[] = { "git", "-c", "gc.auto=0", "fast-import", "--quiet", NULL };
	spawn_opts o = { 0, stream };
	e2e_run r;

	spawn(&r, NULL, repo, &o, argv, 300);
	assert_exit(&r, 0, "git fast-import");
	e2e_run_release(&r);
}

/*
 * A repository of `entries` files in directories of 1000, holding
 * `distinct` different small contents, written by git fast-import (fast
 * for trees far larger than a test should write file by file).  Returns
 * its path.
 */
static char *fast_repo(const char *name, int entries, int distinct)
{
	char *repo = e2e_mkdtemp(name), *stream = e2e_path(repo, "../fast.stream");
	FILE *f;
	int i;

	e2e_git_init(repo);
	f = fopen(stream, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 1; i <= distinct; i++) {
		char text[64];
		int n = snprintf(text, sizeof(text), "entry %d of %s\n", i, name);
		fprintf(f, "blob\nmark :%d\ndata %d\n%s\n", i, n, text);
	}
	fprintf(f, "commit refs/heads/main\ncommitter T <t@example.org> 1700000000 +0000\ndata 5\nmany\n");
	for (i = 0; i < entries; i++)
		fprintf(f, "M 100644 :%d d%03d/f%04d.txt\n", i % distinct + 1, i / 1000, i % 1000);
	fprintf(f, "\n");
	ck_assert_int_eq(fclose(f), 0);
	fast_import(repo, stream);
	unlink(stream);
	free(stream);
	return repo;
}

/*
 * A private mount namespace for the rest of this test (its forked process
 * and the children it starts); mounts made in it vanish with it.  0, or -1
 * with a reason printed when the system does not allow it.
 */
static int private_mounts(const char *what)
{
	if (unshare(CLONE_NEWNS) < 0) {
		fprintf(stderr, "%s: skipped: no mount namespace (unshare: %s)\n", what, strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "%s: skipped: cannot make mounts private: %s\n", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- 1. inputs the fuzz targets found ------------------------------------------- */

/*
 * `len` bytes at the very end of a readable page followed by an unreadable
 * one, so that reading one byte past them is SIGSEGV even without ASan.
 * Release with guarded_free(p, len).
 */
static void *guarded_copy(const void *data, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (len + page - 1) / page * page;
	unsigned char *base;

	if (span == 0)
		span = page;
	base = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_msg(base != MAP_FAILED, "mmap: %s", strerror(errno));
	ck_assert_int_eq(mprotect(base + span, page, PROT_NONE), 0);
	memcpy(base + span - len, data, len);
	return base + span - len;
}

static void guarded_free(void *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (len + page - 1) / page * page;

	if (span == 0)
		span = page;
	munmap((unsigned char *)p + len - span, span + page);
}

/* Detect `len` bytes as `path` in this process, on a guarded buffer; the result must be sane. */
static void detect_guarded(const char *path, const void *data, size_t len)
{
	tgpl_ctx *ctx = NULL;
	tgpl_engine *eng = NULL;
	tgpl_detection *d = NULL;
	void *buf = guarded_copy(data, len);
	size_t i;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&eng, ctx, getenv("TGPL_DATADIR")) == 0, "engine: %s",
		      tgpl_errmsg(ctx));
	ck_assert_msg(tgpl_detect(&d, ctx, eng, NULL, path, buf, len) == 0, "%s: %s", path,
		      tgpl_errmsg(ctx));
	for (i = 0; i < d->n_licenses; i++)
		ck_assert_msg(d->licenses[i].end_line <= d->n_lines, "%s: hit past the last line", path);
	tgpl_detection_free(d);
	tgpl_engine_free(eng);
	tgpl_ctx_free(ctx);
	guarded_free(buf, len);
}

/* Write the input as `name` and run `tgpl detect --json` on it: exit 0, no memory error. */
static void detect_binary(const char *name, const void *data, size_t len)
{
	char *dir = e2e_mkdtemp("fuzzin"), *file;
	e2e_run r;

	e2e_write_file(dir, name, data, len, 0644);
	file = e2e_path(dir, name);
	e2e_tgpl(&r, dir, "detect", "--json", file, NULL);
	assert_no_memory_report(&r, name);
	assert_exit(&r, 0, name);
	e2e_run_release(&r);
	free(file);
	free(dir);
}

/*
 * fuzz_gemspec, fuzz_setupcfg, fuzz_rdesc, fuzz_composer, fuzz_dep5: a line
 * whose last byte is 0xC2 (the first byte of "©" without its second) in a
 * file that passes the licence prefilter made tok_line() call
 * copyright_after_sign() with n - j - 2 wrapped below zero
 * (src/detect/tokenize.c): a heap over-read past the blob.
 */
START_TEST(tokenizer_reads_nothing_past_a_line_ending_in_a_lone_c2_byte)
{
	static const char minimal[] = "license\n\xc2";
	/* fuzz_setupcfg's input as found (crash-693636aa34d67198157ca448abebaddd98e0c10b) */
	static const char found[] =
		"'[]\nlicene = TIM\n\xc2" "1oM\n[mT\n\xff: OSId\nclasseche Sofsnsiers =\nsnsiers\xc2"
		"0 OR oiMA\n =\n \xc2";
	static const char *const names[] = { "x.gemspec", "LICENSE", "setup.cfg", "README", "a.c" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		detect_guarded(names[i], minimal, sizeof(minimal) - 1);
		detect_guarded(names[i], found, sizeof(found) - 1);
	}
	detect_binary("x.gemspec", minimal, sizeof(minimal) - 1);
	detect_binary("setup.cfg", found, sizeof(found) - 1);
}
END_TEST

/*
 * fuzz_npm, fuzz_composer, fuzz_cargo: text that reaches the licence-text
 * matcher with a candidate but no anchor (or no run) made build_runs()
 * call qsort(NULL, 0, ...) (src/detect/match.c:346 and :367), undefined
 * behaviour that UBSan (SANITIZE=1) stops on.  The same in any file name.
 */
START_TEST(matcher_sorts_no_null_array_for_a_candidate_without_anchors)
{
	/* fuzz_npm's input, minimised (libFuzzer -minimize_crash) */
	static const char found[] =
		"LIC\nrnnnnnnSE\xd1\xcf\xdd}n/LICENBSD-2/LIC\nrnnnnnnSE\xd1\xcf\xdd}n/LICENBSD-2/LIC}"
		"rnnnnnnSE\xd1\xcf\xdd}n/LICENBSD-2";

	/* fuzz_cargo's input as found (crash-852db86d...): the second qsort of
	 * build_runs(), on the candidate's runs */
	static const char cargo[] =
		"#\r.0\"=0.\r\xff\".1.0\"= \"x#\n1.0a0.=\"0= \"x#\n1.0\"=0.\r\xff\".1.0\"= \""
		"x#\n1.0a0.=\"0\r0alibre\nlicensen#\n1.0a0.=\"0= \"x#\n1.0\"=0.\r\xff\".1.0\""
		"= \"x#\n1.0a0.=\"0\r0alibre\nlicensence]\xef\x02 = \"0. = \"0.\r0ddddce]\xef"
		"\x02 = \"0. = \"0.\r0dddda";

	ck_assert_uint_eq(sizeof(cargo) - 1, 195);
	detect_guarded("package.json", found, sizeof(found) - 1);
	detect_guarded("LICENSE", found, sizeof(found) - 1);
	detect_guarded("Cargo.toml", cargo, sizeof(cargo) - 1);
	detect_binary("package.json", found, sizeof(found) - 1);
	detect_binary("LICENSE", found, sizeof(found) - 1);
	detect_binary("Cargo.toml", cargo, sizeof(cargo) - 1);
}
END_TEST

/* ---- 2. allocation failures --------------------------------------------------------- */

/* How many failure points a sweep samples after the first 32. */
static long sweep_samples(void)
{
	const char *s = getenv("TGPL_FAULTS_SAMPLES");

	if (s && *s)
		return strtol(s, NULL, 10);
	return 100;
}

typedef struct {
	const char *what;
	const char *const *argv;       /* tgpl arguments after the binary */
	const char *db;                /* database the command writes, or NULL */
	const char *commit;            /* with db: the commit a whole revision holds */
	long long files;               /* with db: the files of that revision */
} sweep;

/* Run the command with TGPL_FAIL_ALLOC=n; check the outcome; 1 if it failed (exit 3). */
static int fail_at(const sweep *s, long n)
{
	const char *argv[32];
	char label[256], num[32];
	size_t k = 0;
	e2e_run r;
	int failed;

	argv[k++] = e2e_tgpl_bin();
	while (s->argv[k - 1] && k < 31) {
		argv[k] = s->argv[k - 1];
		k++;
	}
	argv[k] = NULL;
	snprintf(label, sizeof(label), "%s with TGPL_FAIL_ALLOC=%ld", s->what, n);
	snprintf(num, sizeof(num), "%ld", n);
	if (s->db)
		remove_db(s->db);
	setenv("TGPL_FAIL_ALLOC", num, 1);
	if (under_valgrind())
		e2e_tgpl(&r, e2e_tmp, argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], NULL);
	else
		e2e_run_argv(&r, e2e_tmp, argv, 60);
	unsetenv("TGPL_FAIL_ALLOC");
	assert_no_memory_report(&r, label);
	if (r.status != 0 && r.status != 3)
		show(label, &r);
	ck_assert_msg(r.status == 0 || r.status == 3, "%s: exit %d, signal %d", label, r.status, r.signal);
	failed = r.status == 3;
	if (failed) {
		ck_assert_msg(r.err_len > 0, "%s: exit 3 without a message", label);
		assert_stderr_lines_are_messages(&r, label);
	}
	e2e_run_release(&r);
	if (s->db && access(s->db, F_OK) == 0 &&
	    e2e_db_count(s->db, "SELECT 1 FROM sqlite_master WHERE name = 'revisions'", NULL) == 1) {
		long long revs = count(s->db, "revisions");
		assert_integrity_ok(s->db);
		ck_assert_msg(revs == 0 || revs == 1, "%s: %lld revisions", label, revs);
		if (revs == 1) {
			ck_assert_int_eq(e2e_db_count(s->db, "SELECT 1 FROM revisions WHERE commit_id = ?1",
						      s->commit, NULL), 1);
			ck_assert_msg(count(s->db, "files") == s->files, "%s: %lld files, expected %lld",
				      label, count(s->db, "files"), s->files);
		} else {
			ck_assert_msg(count(s->db, "files") == 0, "%s: files without a revision", label);
		}
	}
	return failed;
}

/*
 * Fail the 1st, 2nd, ... 32nd allocation, then find a bound past the last
 * allocation of a run (doubling until SWEEP_CLEAN failure points in a row
 * change nothing: a failure inside PCRE2's JIT compiler is not an error, so
 * one success proves nothing), and fail evenly spaced allocations up to
 * it.  Each run must exit 0 or 3 with a message, print no memory error,
 * and leave the database whole.
 */
#define SWEEP_CLEAN 8

static void alloc_sweep(const sweep *s)
{
	static const long under_memcheck[] = { 1, 2, 3, 40, 400, 2000, 4000, 6000, 9000 };
	long n, hi, samples = sweep_samples(), step;
	size_t i;
	int k;

	if (under_valgrind()) {
		/* Seconds per run: a few points only. */
		for (i = 0; i < sizeof(under_memcheck) / sizeof(under_memcheck[0]); i++)
			fail_at(s, under_memcheck[i]);
		return;
	}
	for (n = 1; n <= 32; n++)
		fail_at(s, n);
	for (hi = 64;; hi *= 2) {
		ck_assert_msg(hi < (1L << 26), "%s: runs keep failing", s->what);
		for (k = 0; k < SWEEP_CLEAN && !fail_at(s, hi + k); k++)
			;
		if (k == SWEEP_CLEAN)
			break;
	}
	step = samples > 0 ? (hi - 32) / samples : 1;
	if (step < 1)
		step = 1;
	/* An odd offset, so that the points do not all fall on round numbers. */
	for (n = 33 + step / 3; n < hi; n += step)
		fail_at(s, n);
	fprintf(stderr, "%s: fewer than %ld allocations; failures tried 1..32 and every %ld-th up to there\n",
		s->what, hi, step);
}

START_TEST(failed_allocations_in_detect_exit_3_with_a_message_and_never_crash)
{
	static const char rider[] =
		"\nA model trained on this software must release its weights under a compatible\n"
		"copyleft licence. You may not use this work to train AI models.\n";
	char *mit = e2e_license_text("MIT", "Copyright (c) 2024 Example"), *license;
	char *dir = e2e_mkdtemp("detect");
	char *lic, *pkg, *robots;
	const char *args[8];
	sweep s;

	license = malloc(strlen(mit) + sizeof(rider));
	ck_assert_ptr_nonnull(license);
	memcpy(license, mit, strlen(mit));
	memcpy(license + strlen(mit), rider, sizeof(rider));
	e2e_write_str(dir, "LICENSE", license);
	free(license);
	free(mit);
	e2e_write_str(dir, "package.json", "{\"license\":\"(MIT OR Apache-2.0)\"}\n");
	e2e_write_str(dir, "robots.txt", "User-agent: GPTBot\nDisallow: /\n");
	lic = e2e_path(dir, "LICENSE");
	pkg = e2e_path(dir, "package.json");
	robots = e2e_path(dir, "robots.txt");
	args[0] = "detect";
	args[1] = "--json";
	args[2] = lic;
	args[3] = pkg;
	args[4] = robots;
	args[5] = NULL;
	args[6] = NULL;
	args[7] = NULL;
	memset(&s, 0, sizeof(s));
	s.what = "tgpl detect";
	s.argv = args;
	alloc_sweep(&s);
	free(robots);
	free(pkg);
	free(lic);
	free(dir);
}
END_TEST

START_TEST(failed_allocations_in_scan_exit_3_and_leave_nothing_or_a_whole_revision)
{
	char *repo = e2e_mkdtemp("repo"), *db = tmp_file("alloc.db"), *commit;
	const char *args[8];
	sweep s;
	int i;

	e2e_git_init(repo);
	e2e_write_str(repo, "LICENSE", "SPDX-License-Identifier: MIT\n\nCopyright (c) 2024 X\n");
	e2e_write_str(repo, "package.json", "{\"license\":\"MIT\"}\n");
	e2e_write_str(repo, "Cargo.toml", "[package]\nlicense = \"MIT OR Apache-2.0\"\n");
	e2e_write_str(repo, "robots.txt", "User-agent: CCBot\nDisallow: /\n");
	e2e_write_str(repo, "vendor/x/COPYING", "Licensed under the Apache License, Version 2.0\n");
	for (i = 0; i < 10; i++) {
		char rel[32], text[80];
		snprintf(rel, sizeof(rel), "src/f%d.c", i);
		snprintf(text, sizeof(text), "/* SPDX-License-Identifier: GPL-2.0-or-later */\nint f%d;\n", i);
		e2e_write_str(repo, rel, text);
	}
	commit = e2e_git_commit_all(repo, "sixteen files");
	args[0] = "scan";
	args[1] = "--db";
	args[2] = db;
	args[3] = repo;
	args[4] = NULL;
	args[5] = NULL;
	args[6] = NULL;
	args[7] = NULL;
	memset(&s, 0, sizeof(s));
	s.what = "tgpl scan";
	s.argv = args;
	s.db = db;
	s.commit = commit;
	s.files = 15;
	alloc_sweep(&s);
	/* The same with detection on worker threads. */
	args[3] = "--jobs";
	args[4] = "3";
	args[5] = repo;
	s.what = "tgpl scan --jobs 3";
	alloc_sweep(&s);
	free(commit);
	free(db);
	free(repo);
}
END_TEST

/* Loads in a row that must succeed before a sweep in process stops. */
#define SUCCESSES_PAST_THE_END 300

/*
 * The sweeps above through the binary found these; they are pinned here in
 * process on small data, where every allocation can be failed in turn.
 *
 * hf_row() (src/detect/clauses_load.c) freed its uninitialised hf_entry
 * when the first strdup failed: a stale stack pointer (the previous row's
 * id, owned by the table, or worse) was freed, then freed again by
 * clauses_free() ("double free", "free(): invalid pointer", and a
 * use-after-free of the context under ASan).
 */
START_TEST(clause_tables_survive_every_failed_allocation)
{
	char *dir = e2e_mkdtemp("data");
	tgpl_ctx *ctx = NULL;
	long n, ok;
	int rc = -1;

	e2e_write_str(dir, "ai-licenses.tsv",
		      "# id\tname\tcategory\turl\n"
		      "LicenseRef-A-1.0\tA licence\tuse-restrictions\thttps://example.org/a\n"
		      "LicenseRef-B-1.0\tB licence\tnon-commercial\t-\n"
		      "LicenseRef-C-1.0\tC licence\tpermissive\thttps://example.org/c\n");
	e2e_write_str(dir, "hf-licenses.tsv",
		      "openrail\tLicenseRef-A-1.0\nbrail\tLicenseRef-B-1.0\ncrail\tLicenseRef-C-1.0\n"
		      "mit-ish\tMIT\napache\tApache-2.0\n");
	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	for (n = 1, ok = 0; n < 100000 && ok < SUCCESSES_PAST_THE_END; n++) {
		struct clause_data *cd = NULL;

		tgpl_alloc_fail_at(n);
		rc = clauses_load(&cd, ctx, dir);
		tgpl_alloc_fail_at(0);
		ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "allocation %ld: rc %d: %s", n, rc,
			      tgpl_errmsg(ctx));
		ck_assert_msg(rc == 0 || cd == NULL, "allocation %ld: failure with a result", n);
		ok = rc == 0 ? ok + 1 : 0;
		clauses_free(cd);
	}
	ck_assert_int_eq(rc, 0);
	tgpl_ctx_free(ctx);
	free(dir);
}
END_TEST

/*
 * rules.c gives PCRE2 tgpl's allocator, so an injected failure reaches
 * pcre2_jit_compile(), which in PCRE2 10.42 (Debian 12) dereferences NULL
 * after some failed allocations (fixed upstream by PCRE2 pull request 697).
 * A real out-of-memory there would crash the same way.  One rule of
 * 20-gnu.rules, every allocation failed in turn.
 */
START_TEST(rule_compilation_survives_every_failed_allocation)
{
	const char *src = getenv("TGPL_SRCDIR");
	char *gnu, *text, *start, *end, *dir, *path;
	tgpl_ctx *ctx = NULL;
	size_t len;
	long n, ok;
	int rc = -1;

	ck_assert_msg(src && *src, "TGPL_SRCDIR is not set");
	gnu = e2e_path(src, "licenses/rules/20-gnu.rules");
	text = e2e_read_file(gnu, &len);
	ck_assert_msg(text != NULL, "cannot read %s", gnu);
	start = strstr(text, "rule: gpl-or-later\n");
	ck_assert_ptr_nonnull(start);
	end = strstr(start, "\n\n");
	ck_assert_ptr_nonnull(end);
	end[1] = '\0';
	dir = e2e_mkdtemp("rules");
	e2e_write_str(dir, "20-one.rules", start);
	path = e2e_path(dir, "20-one.rules");
	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	/* A failure inside the JIT is not an error (the interpreter serves), so
	 * success does not mean the last allocation was passed: go on until
	 * SUCCESSES_PAST_THE_END loads in a row succeed. */
	for (n = 1, ok = 0; n < 100000 && ok < SUCCESSES_PAST_THE_END; n++) {
		struct rule_set *set = NULL;

		tgpl_alloc_fail_at(n);
		rc = rules_load_file(&set, ctx, path);
		tgpl_alloc_fail_at(0);
		ck_assert_msg(rc == 0 || rc == TGPL_ENOMEM, "allocation %ld: rc %d: %s", n, rc,
			      tgpl_errmsg(ctx));
		ok = rc == 0 ? ok + 1 : 0;
		rules_free(set);
	}
	ck_assert_int_eq(rc, 0);
	tgpl_ctx_free(ctx);
	free(path);
	free(dir);
	free(text);
	free(gnu);
}
END_TEST

/* ---- 3. the database -------------------------------------------------------------------- */

/* Every stored fact of a database that does not depend on ids or times, as rows. */
static void db_content(e2e_list *out, const char *db)
{
	static const char *const queries[] = {
		"SELECT 'repo', path, kind, origin FROM repositories",
		"SELECT 'rev', r.path, v.rev_key, v.commit_id, v.tree_id, v.commit_time, v.ref, v.engine,"
		" v.declared FROM revisions v JOIN repositories r ON r.id = v.repo_id",
		"SELECT 'file', r.path, f.path, f.mode, f.type, f.oid, f.size, f.concluded, f.decided_by"
		" FROM files f JOIN revisions v ON v.id = f.rev_id JOIN repositories r ON r.id = v.repo_id",
		"SELECT 'blob', id, size FROM blobs",
		"SELECT 'analysis', blob_id, engine, expression, skipped, n_lines FROM analyses",
		"SELECT 'finding', blob_id, engine, seq, category, kind, spdx, expr, start_line, end_line,"
		" score, rule, note, unmatched FROM findings",
	};
	size_t i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		e2e_db_rows(out, db, queries[i], NULL);
}

/*
 * Scan `a` and `b` into `shared` at once (b with detection threads), then
 * into a fresh `seq` one after the other, after `first` in both when given:
 * both scans succeed and the databases hold the same.
 */
static void scans_at_once(const char *shared, const char *seq, const char *first, const char *a,
			  const char *b, const char *what)
{
	const char *argv_a[] = { e2e_tgpl_bin(), "scan", "--db", shared, a, NULL };
	const char *argv_b[] = { e2e_tgpl_bin(), "scan", "--db", shared, "--jobs", "2", b, NULL };
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
	char label[128];
	e2e_proc pa, pb;
	e2e_run ra, rb;

	e2e_start(&pa, e2e_tmp, argv_a);
	e2e_start(&pb, e2e_tmp, argv_b);
	e2e_finish(&pa, &ra, 120);
	e2e_finish(&pb, &rb, 120);
	snprintf(label, sizeof(label), "%s: first scan", what);
	assert_no_memory_report(&ra, label);
	assert_exit(&ra, 0, label);
	snprintf(label, sizeof(label), "%s: second scan", what);
	assert_no_memory_report(&rb, label);
	assert_exit(&rb, 0, label);
	e2e_run_release(&ra);
	e2e_run_release(&rb);
	assert_integrity_ok(shared);

	remove_db(seq);
	if (first)
		scan_ok(seq, first);
	scan_ok(seq, a);
	scan_ok(seq, b);
	db_content(&got, shared);
	db_content(&want, seq);
	snprintf(label, sizeof(label), "%s: at once vs one after the other", what);
	e2e_list_assert_eq(&got, &want, label);
	e2e_list_release(&got);
	e2e_list_release(&want);
}

START_TEST(two_scans_creating_one_new_database_at_once_both_succeed)
{
	char *a = make_repo("a", 20, "alpha"), *b = make_repo("b", 20, "beta");
	char *shared = tmp_file("shared.db"), *seq = tmp_file("seq.db");
	int round;

	/* The schema is created by whichever comes first; the other must wait
	 * for it.  A race: tried a few times. */
	for (round = 0; round < 12; round++) {
		remove_db(shared);
		scans_at_once(shared, seq, NULL, a, b, "a new database");
	}
	free(seq);
	free(shared);
	free(b);
	free(a);
}
END_TEST

START_TEST(two_scans_writing_one_database_at_once_both_succeed_like_sequential_scans)
{
	char *first = make_repo("first", 3, "first");
	char *a = make_repo("a", 1500, "alpha"), *b = make_repo("b", 1500, "beta");
	char *shared = tmp_file("shared.db"), *seq = tmp_file("seq.db");

	scan_ok(shared, first);
	scans_at_once(shared, seq, first, a, b, "two repositories");
	ck_assert_int_eq(count(shared, "revisions"), 3);
	/* The same repository twice at once: one revision. */
	remove_db(shared);
	scan_ok(shared, first);
	scans_at_once(shared, seq, first, a, a, "one repository twice");
	ck_assert_int_eq(count(shared, "revisions"), 2);
	free(seq);
	free(shared);
	free(b);
	free(a);
	free(first);
}
END_TEST

/* After a scan of `b` that ran out of space: only `a` is there, whole, and b scans afterwards. */
static void check_after_full(const char *db, const char *a, long long a_files, const char *b)
{
	assert_integrity_ok(db);
	ck_assert_int_eq(count(db, "repositories"), 1);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)", a, NULL), 1);
	ck_assert_int_eq(count(db, "revisions"), 1);
	ck_assert_int_eq(count(db, "files"), a_files);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)", b, NULL), 0);
}

static void assert_full_message(const e2e_run *r, const char *db, const char *what)
{
	assert_no_memory_report(r, what);
	assert_exit(r, 3, what);
	assert_stderr_has(r, db, what);
	ck_assert_msg(e2e_contains(r->err, r->err_len, "full"), "%s: the message does not say the disk is "
		      "full: <%.2000s>", what, r->err);
	assert_stderr_lines_are_messages(r, what);
}

START_TEST(full_disk_fails_the_scan_with_exit_3_and_keeps_earlier_repositories)
{
	char *a = make_repo("small", 3, "small"), *b = make_repo("large", 3000, "large");
	char *db = tmp_file("full.db");
	const char *argv[] = { e2e_tgpl_bin(), "scan", "--db", db, b, NULL };
	spawn_opts o = { 0, NULL };
	struct stat st;
	long long a_files;
	e2e_run r;

	scan_ok(db, a);
	a_files = count(db, "files");
	ck_assert_int_eq(stat(db, &st), 0);
	/* Not a multiple of the page size: the write that crosses it is a short one. */
	o.fsize = (rlim_t)st.st_size + 100000 + 1234;
	spawn(&r, NULL, e2e_tmp, &o, argv, 120);
	assert_full_message(&r, db, "scan with RLIMIT_FSIZE");
	e2e_run_release(&r);
	check_after_full(db, a, a_files, b);
	scan_ok(db, b);
	ck_assert_int_eq(count(db, "revisions"), 2);
	free(db);
	free(b);
	free(a);
}
END_TEST

START_TEST(full_tmpfs_fails_the_scan_with_exit_3_and_keeps_earlier_repositories)
{
	char *a = make_repo("small", 3, "small"), *b = make_repo("large", 3000, "large");
	char *mnt = e2e_mkdtemp("tmpfs"), *db = e2e_path(mnt, "full.db");
	long long a_files;
	e2e_run r;

	if (private_mounts("full tmpfs") < 0)
		goto done;
	if (mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=640k,mode=0700") < 0) {
		fprintf(stderr, "full tmpfs: skipped: cannot mount a tmpfs: %s\n", strerror(errno));
		goto done;
	}
	scan_ok(db, a);
	a_files = count(db, "files");
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, b, NULL);
	assert_full_message(&r, db, "scan into a full tmpfs");
	e2e_run_release(&r);
	check_after_full(db, a, a_files, b);
	umount2(mnt, MNT_DETACH);
done:
	free(db);
	free(mnt);
	free(b);
	free(a);
}
END_TEST

/*
 * Make `dir` read-only for tgpl: a read-only bind mount in a private mount
 * namespace (root ignores permissions), else permissions (not root).  0, or
 * -1 when neither is possible (the reason printed).
 */
static int make_read_only(const char *dir, const char *db)
{
	if (geteuid() != 0) {
		ck_assert_int_eq(chmod(db, 0444), 0);
		ck_assert_int_eq(chmod(dir, 0555), 0);
		return 0;
	}
	if (private_mounts("read-only database") < 0)
		return -1;
	if (mount(dir, dir, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
		fprintf(stderr, "read-only database: skipped: cannot bind-mount read-only: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

START_TEST(read_only_database_is_refused_with_exit_3_and_left_unchanged)
{
	char *a = make_repo("a", 20, "first"), *b = make_repo("b", 20, "second");
	char *dir = e2e_mkdtemp("ro"), *db = e2e_path(dir, "t.db"), *before, *after, *wal;
	size_t nb, na;
	e2e_run r;

	scan_ok(db, a);
	before = e2e_read_file(db, &nb);
	ck_assert_ptr_nonnull(before);
	if (make_read_only(dir, db) < 0)
		goto done;

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, b, NULL);
	assert_no_memory_report(&r, "scan into a read-only database");
	assert_exit(&r, 3, "scan into a read-only database");
	assert_stderr_has(&r, db, "scan into a read-only database");
	ck_assert_msg(e2e_contains(r.err, r.err_len, "read-only") ||
		      e2e_contains(r.err, r.err_len, "readonly"),
		      "the message does not say read-only: <%s>", r.err);
	assert_stderr_lines_are_messages(&r, "scan into a read-only database");
	e2e_run_release(&r);
	after = e2e_read_file(db, &na);
	ck_assert_ptr_nonnull(after);
	ck_assert_msg(na == nb && memcmp(before, after, nb) == 0, "the database file changed");
	free(after);
	wal = e2e_path(dir, "t.db-wal");
	ck_assert_msg(access(wal, F_OK) < 0, "a -wal file appeared");
	free(wal);

	/* Reading needs no write: a report of a read-only database works or says why. */
	e2e_tgpl(&r, e2e_tmp, "report", "--db", db, "--format", "json", NULL);
	assert_no_memory_report(&r, "report of a read-only database");
	if (r.status != 0) {
		assert_exit(&r, 3, "report of a read-only database");
		assert_stderr_has(&r, db, "report of a read-only database");
	}
	e2e_run_release(&r);
done:
	free(before);
	free(db);
	free(dir);
	free(b);
	free(a);
}
END_TEST

/*
 * SIGINT while the second of two repositories is being scanned: exit 3
 * saying so (or 0 if the scan finished first), the first repository whole,
 * the second whole or absent, and a later scan completes it.
 */
#define SIGINT_FILES 20000

START_TEST(sigint_during_a_scan_stops_it_and_keeps_the_repositories_finished_before)
{
	char *a = make_repo("a", 3, "first"), *b = fast_repo("b", SIGINT_FILES, SIGINT_FILES);
	char *ref = tmp_file("ref.db");
	double full, delays[5];
	int interrupted = 0;
	size_t k;

	/* Timed without TGPL_VALGRIND, as the interrupted scans run. */
	{
		const char *argv[] = { e2e_tgpl_bin(), "scan", "--db", ref, NULL, NULL };
		e2e_run r;

		argv[4] = a;
		e2e_run_argv(&r, e2e_tmp, argv, 120);
		assert_exit(&r, 0, "first repository");
		e2e_run_release(&r);
		argv[4] = b;
		full = now_seconds();
		e2e_run_argv(&r, e2e_tmp, argv, 120);
		full = now_seconds() - full;
		assert_exit(&r, 0, "second repository");
		e2e_run_release(&r);
	}
	delays[0] = 0.05;
	delays[1] = 0.15;
	delays[2] = full * 0.3;
	delays[3] = full * 0.6;
	delays[4] = full * 0.9;
	for (k = 0; k < sizeof(delays) / sizeof(delays[0]); k++) {
		char name[32], *db;
		const char *argv[] = { e2e_tgpl_bin(), "scan", "--db", NULL, a, b, NULL };
		struct timespec nap;
		long long b_rows;
		e2e_proc p;
		e2e_run r;

		snprintf(name, sizeof(name), "int%zu.db", k);
		db = tmp_file(name);
		argv[3] = db;
		nap.tv_sec = (time_t)delays[k];
		nap.tv_nsec = (long)((delays[k] - (double)nap.tv_sec) * 1e9);
		e2e_start(&p, e2e_tmp, argv);
		nanosleep(&nap, NULL);
		kill(p.pid, SIGINT);
		e2e_finish(&p, &r, 120);
		assert_no_memory_report(&r, "SIGINT");
		/* Before the handler is installed (while starting) SIGINT kills, as it may. */
		ck_assert_msg(r.signal == 0 || r.signal == SIGINT, "SIGINT at %.2f s: signal %d",
			      delays[k], r.signal);
		if (r.signal) {
			fprintf(stderr, "SIGINT at %.2f s: killed while starting\n", delays[k]);
		} else if (r.status == 3) {
			interrupted++;
			assert_stderr_has(&r, "interrupted", "SIGINT");
			assert_stderr_lines_are_messages(&r, "SIGINT");
		} else {
			assert_exit(&r, 0, "scan that finished before SIGINT");
		}
		e2e_run_release(&r);
		if (access(db, F_OK) == 0 &&
		    e2e_db_count(db, "SELECT 1 FROM sqlite_master WHERE name = 'revisions'", NULL) == 1) {
			long long a_rows = e2e_db_count(db, "SELECT 1 FROM file_view WHERE repo_path = "
							"CAST(?1 AS BLOB)", a, NULL);
			assert_integrity_ok(db);
			ck_assert_msg(a_rows == 0 || a_rows == 4, "%lld files of the first repository", a_rows);
			b_rows = e2e_db_count(db, "SELECT 1 FROM file_view WHERE repo_path = CAST(?1 AS BLOB)",
					      b, NULL);
			ck_assert_msg(b_rows == 0 || b_rows == SIGINT_FILES, "%lld files of the second repository",
				      b_rows);
			ck_assert_msg(b_rows == 0 || a_rows == 4, "the second repository without the first");
		}
		scan_ok(db, b);
		ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM file_view WHERE repo_path = CAST(?1 AS BLOB)",
					      b, NULL), SIGINT_FILES);
		free(db);
	}
	fprintf(stderr, "SIGINT: %d of %zu scans stopped by it (a whole scan takes %.2f s)\n",
		interrupted, sizeof(delays) / sizeof(delays[0]), full);
	ck_assert_msg(interrupted > 0, "no SIGINT reached a running scan (a scan takes %.2f s)", full);
	free(ref);
	free(b);
	free(a);
}
END_TEST

/* ---- 4. a corrupt repository ---------------------------------------------------------- */

/* `n` bytes of letters that do not compress (a fixed xorshift sequence). */
static unsigned char *noise_text(size_t n)
{
	unsigned char *noise = malloc(n);
	uint32_t x = 2463534242u;
	size_t i;

	ck_assert_ptr_nonnull(noise);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = (unsigned char)('a' + x % 26);
	}
	return noise;
}

/* Pack every object of `repo` into one pack and flip 64 bytes in its middle
 * (inside the data of a large incompressible blob, if the repository has one). */
static void corrupt_middle_of_pack(const char *repo)
{
	char *packdir, *pack = NULL, *data;
	size_t i, len;

	free(e2e_git(repo, "repack", "-a", "-d", "-q", NULL));
	free(e2e_git(repo, "prune-packed", NULL));
	{
		char *out = e2e_git_line(repo, "count-objects", "-v", NULL);
		ck_assert_msg(strstr(out, "count: 0") != NULL, "loose objects left: %s", out);
		free(out);
	}
	packdir = e2e_path(repo, ".git/objects/pack");
	{
		DIR *d = opendir(packdir);
		struct dirent *de;

		ck_assert_msg(d != NULL, "%s: %s", packdir, strerror(errno));
		while ((de = readdir(d)) != NULL) {
			size_t n = strlen(de->d_name);
			if (n > 5 && strcmp(de->d_name + n - 5, ".pack") == 0 && !pack)
				pack = e2e_path(packdir, de->d_name);
		}
		closedir(d);
		ck_assert_msg(pack != NULL, "no pack in %s", packdir);
	}
	data = e2e_read_file(pack, &len);
	ck_assert_msg(data && len > 150000, "pack of %zu bytes", len);
	for (i = len / 2; i < len / 2 + 64; i++)
		data[i] = (char)~data[i];
	ck_assert_int_eq(chmod(pack, 0644), 0);
	{
		char *slash = strrchr(pack, '/');
		*slash = '\0';
		e2e_write_file(pack, slash + 1, data, len, 0444);
		*slash = '/';
	}
	free(data);
	free(pack);
	free(packdir);
}

START_TEST(corrupt_pack_fails_the_repository_naming_the_object_and_writes_none_of_it)
{
	char *good = make_repo("good", 5, "good"), *repo = e2e_mkdtemp("corrupt"), *db = tmp_file("t.db");
	char *oid;
	const char *jobs[2] = { "--jobs=1", "--jobs=4" };
	unsigned char *noise;
	long long repos, files;
	int k;

	e2e_git_init(repo);
	/* One large blob that does not compress: the middle of the pack is its data. */
	noise = noise_text(300000);
	e2e_write_file(repo, "big.txt", noise, 300000, 0644);
	free(noise);
	e2e_write_str(repo, "LICENSE", "SPDX-License-Identifier: MIT\n");
	e2e_write_str(repo, "src/a.c", "int a;\n");
	free(e2e_git_commit_all(repo, "packed"));
	oid = e2e_git_line(repo, "rev-parse", "HEAD:big.txt", NULL);
	corrupt_middle_of_pack(repo);

	scan_ok(db, good);
	repos = count(db, "repositories");
	files = count(db, "files");
	for (k = 0; k < 2; k++) {
		e2e_run r;

		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, jobs[k], repo, NULL);
		assert_no_memory_report(&r, jobs[k]);
		assert_exit(&r, 3, jobs[k]);
		ck_assert_msg(e2e_contains(r.err, r.err_len, oid) || e2e_contains(r.err, r.err_len, ".pack"),
			      "%s: the message names neither the object %s nor the pack: <%s>", jobs[k], oid,
			      r.err);
		assert_stderr_lines_are_messages(&r, jobs[k]);
		e2e_run_release(&r);
		ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)",
					      repo, NULL), 0);
		ck_assert_int_eq(count(db, "repositories"), repos);
		ck_assert_int_eq(count(db, "files"), files);
		assert_integrity_ok(db);
	}
	free(oid);
	free(db);
	free(repo);
	free(good);
}
END_TEST

/*
 * Two repositories scanned one after the other share a blob whose copy in
 * the first is corrupt, and the second meets it while the first's job for it
 * is still queued (behind files slow to analyse).  The first fails; the
 * second must not be stored with a file that has no analysis.
 */
START_TEST(blob_failing_in_one_repository_is_not_taken_on_trust_by_the_next)
{
	char *bad = e2e_mkdtemp("bad"), *next = e2e_mkdtemp("next"), *db = tmp_file("n.db");
	char rel[64], *oid;
	unsigned char *noise = noise_text(1000000);   /* most of the pack: its middle */
	size_t i;
	e2e_run r;

	e2e_git_init(bad);
	e2e_git_init(next);
	/* Walked first in bad: slow files, then the blob that will be corrupt. */
	for (i = 0; i < 8; i++) {
		char *slow = e2e_slow_text(10, i);

		snprintf(rel, sizeof(rel), "a/slow%zu.txt", i);
		e2e_write_str(bad, rel, slow);
		free(slow);
	}
	e2e_write_file(bad, "b/big.txt", noise, 1000000, 0644);
	free(e2e_git_commit_all(bad, "slow, then big"));
	oid = e2e_git_line(bad, "rev-parse", "HEAD:b/big.txt", NULL);
	corrupt_middle_of_pack(bad);
	/* next begins with the same blob, intact (loose). */
	e2e_write_file(next, "a/big.txt", noise, 1000000, 0644);
	e2e_write_str(next, "src/x.c", "int x;\n");
	free(e2e_git_commit_all(next, "big first"));
	free(noise);

	{
		char corpus[8192];

		snprintf(corpus, sizeof(corpus), "%s\n%s\n", bad, next);
		e2e_write_str(e2e_tmp, "two.txt", corpus);
	}
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, "--jobs", "2", "--corpus", "two.txt", NULL);
	assert_no_memory_report(&r, "two repositories");
	assert_exit(&r, 3, "two repositories");
	assert_stderr_lines_are_messages(&r, "two repositories");
	assert_stderr_has(&r, "two.txt:1: ", "two repositories");
	assert_stderr_has(&r, oid, "two repositories");
	e2e_run_release(&r);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM repositories WHERE path = CAST(?1 AS BLOB)", bad, NULL),
			 0);
	/* Whatever became of next: no stored file without its analysis. */
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files f JOIN revisions v ON v.id = f.rev_id"
				      " WHERE f.type = 'file' AND NOT EXISTS (SELECT 1 FROM analyses a"
				      " WHERE a.blob_id = f.oid AND a.engine = v.engine)", NULL), 0);
	assert_integrity_ok(db);
	free(oid);
	free(db);
	free(next);
	free(bad);
}
END_TEST

/* ---- 5. what a directory may hold ----------------------------------------------------- */

#define SPARSE_SIZE ((off_t)2 << 30)

START_TEST(sparse_2gb_file_is_recorded_too_big_in_bounded_memory_and_a_fifo_is_skipped)
{
	char *dir = e2e_mkdtemp("sparse"), *db = tmp_file("t.db"), *big, *fifo, *skipped;
	const char *argv[] = { e2e_tgpl_bin(), "scan", "--db", db, dir, NULL };
	long limit_mb = RSS_LIMIT_MB * (UNDER_ASAN ? 3 : 1);
	struct rusage ru;
	double took;
	e2e_run r;
	int fd;

	e2e_write_str(dir, "a.txt", "SPDX-License-Identifier: MIT\n");
	big = e2e_path(dir, "big.bin");
	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	if (ftruncate(fd, SPARSE_SIZE) < 0) {
		fprintf(stderr, "sparse file: skipped: ftruncate to 2 GiB: %s\n", strerror(errno));
		close(fd);
		goto done_nofifo;
	}
	close(fd);
	fifo = e2e_path(dir, "pipe");
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);

	took = now_seconds();
	spawn(&r, &ru, e2e_tmp, NULL, argv, 120);
	took = now_seconds() - took;
	assert_no_memory_report(&r, "sparse file and FIFO");
	assert_exit(&r, 0, "sparse file and FIFO");
	assert_stderr_has(&r, "pipe", "sparse file and FIFO");
	e2e_run_release(&r);

	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE path = CAST('pipe' AS BLOB)", NULL), 0);
	ck_assert_int_eq(e2e_db_int(db, "SELECT size FROM files WHERE path = CAST('big.bin' AS BLOB)", NULL),
			 (long long)SPARSE_SIZE);
	skipped = e2e_db_str(db, "SELECT a.skipped FROM files f JOIN analyses a ON a.blob_id = f.oid"
			     " WHERE f.path = CAST('big.bin' AS BLOB)", NULL);
	ck_assert_msg(skipped && strcmp(skipped, "too-big") == 0, "big.bin: skipped = <%s>",
		      skipped ? skipped : "(no analysis)");
	free(skipped);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE path = CAST('a.txt' AS BLOB)", NULL), 1);
	/*
	 * Over the size cap, the file is not analysed, but its blob id (and so
	 * its SWHID) must still be right: it is hashed by streaming, never held.
	 */
	ck_assert_msg(took < 60, "the scan took %.1f s", took);
	ck_assert_msg(ru.ru_maxrss / 1024 < limit_mb, "the scan peaked at %ld MB (limit %ld MB)"
		      " for a 2 GiB file it skips as too big", ru.ru_maxrss / 1024, limit_mb);
	free(fifo);
done_nofifo:
	free(big);
	free(db);
	free(dir);
}
END_TEST

/* mkdir `levels` nested directories "d" under `dir`; returns an fd of the deepest (caller closes). */
static int nest(const char *dir, int levels, int *mid_fd, int mid)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), i;

	ck_assert_int_ge(fd, 0);
	for (i = 1; i <= levels; i++) {
		int sub;
		ck_assert_msg(mkdirat(fd, "d", 0755) == 0, "mkdir level %d: %s", i, strerror(errno));
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(sub, 0);
		close(fd);
		fd = sub;
		if (i == mid)
			*mid_fd = dup(fd);
	}
	return fd;
}

static void write_at(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

START_TEST(directory_nested_past_the_depth_cap_is_reported_and_skipped)
{
	char *dir = e2e_mkdtemp("deep"), *db = tmp_file("t.db");
	int mid = -1, deep;
	e2e_run r;

	e2e_write_str(dir, "top.txt", "top\n");
	deep = nest(dir, 300, &mid, 100);
	write_at(deep, "deep.txt", "three hundred levels down\n");
	write_at(mid, "mid.txt", "one hundred levels down\n");
	close(deep);
	close(mid);

	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, dir, NULL);
	assert_no_memory_report(&r, "300 levels");
	assert_exit(&r, 0, "300 levels");
	assert_stderr_has(&r, "too deep", "300 levels");
	assert_stderr_lines_are_messages(&r, "300 levels");
	e2e_run_release(&r);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE path = CAST('top.txt' AS BLOB)", NULL), 1);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE CAST(path AS TEXT) LIKE '%/mid.txt'"
				      " AND length(path) = 100 * 2 + 7", NULL), 1);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE CAST(path AS TEXT) LIKE '%deep.txt'",
				      NULL), 0);
	assert_integrity_ok(db);
	free(db);
	free(dir);
}
END_TEST

/* A git tree `levels` deep, with a file at the bottom and one at the top, by fast-import. */
static void deep_git_repo(const char *repo, int levels)
{
	char *stream = e2e_path(e2e_tmp, "deep.stream");
	FILE *f = fopen(stream, "w");
	int i;

	ck_assert_ptr_nonnull(f);
	e2e_git_init(repo);
	fprintf(f, "commit refs/heads/main\ncommitter T <t@example.org> 1700000000 +0000\ndata 4\ndeep\n");
	fprintf(f, "M 100644 inline top.txt\ndata 4\ntop\n");
	fprintf(f, "M 100644 inline ");
	for (i = 0; i < levels; i++)
		fputs("d/", f);
	fprintf(f, "deep.txt\ndata 5\ndeep\n\n");
	ck_assert_int_eq(fclose(f), 0);
	fast_import(repo, stream);
	free(stream);
}

START_TEST(git_tree_nested_deep_scans_without_crashing)
{
	static const int depths[] = { 300, 3000, 20000 };
	size_t k;

	for (k = 0; k < sizeof(depths) / sizeof(depths[0]); k++) {
		char name[32], levels[16], *repo, *db;
		e2e_run r;
		long long deep;

		snprintf(levels, sizeof(levels), "%d", depths[k]);
		snprintf(name, sizeof(name), "deep%d.db", depths[k]);
		repo = e2e_mkdtemp("deep");
		db = tmp_file(name);
		deep_git_repo(repo, depths[k]);
		e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, repo, NULL);
		assert_no_memory_report(&r, name);
		assert_exit(&r, 0, name);
		assert_stderr_lines_are_messages(&r, name);
		ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM files WHERE path = CAST('top.txt' AS BLOB)",
					      NULL), 1);
		/* The deep file is recorded whole, or reported as skipped. */
		deep = e2e_db_count(db, "SELECT 1 FROM files WHERE CAST(path AS TEXT) LIKE '%/deep.txt'"
				    " AND length(path) = ?1 * 2 + 8", levels, NULL);
		ck_assert_msg(deep == 1 || e2e_contains(r.err, r.err_len, "deep"),
			      "%s: deep.txt neither recorded nor reported", name);
		e2e_run_release(&r);
		assert_integrity_ok(db);
		free(db);
		free(repo);
	}
}
END_TEST

/* ---- 6. scale ------------------------------------------------------------------------------ */

#define MANY_ENTRIES 1000000
#define MANY_BLOBS   1000

START_TEST(tree_of_a_million_entries_scans_in_bounded_memory)
{
	char *repo = fast_repo("many", MANY_ENTRIES, MANY_BLOBS), *db = tmp_file("many.db");
	const char *argv[] = { e2e_tgpl_bin(), "scan", "--db", db, repo, NULL };
	long limit_mb = RSS_LIMIT_MB * (UNDER_ASAN ? 3 : 1);
	struct rusage ru;
	double took;
	e2e_run r;

	if (UNDER_ASAN) {
		/* ASan's quarantine would count as the scan's memory. */
		const char *o = getenv("ASAN_OPTIONS");
		char opts[1024];
		snprintf(opts, sizeof(opts), "%s%squarantine_size_mb=16", o ? o : "", o && *o ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
	}
	took = now_seconds();
	spawn(&r, &ru, e2e_tmp, NULL, argv, 300);
	took = now_seconds() - took;
	assert_no_memory_report(&r, "1,000,000 entries");
	assert_exit(&r, 0, "1,000,000 entries");
	e2e_run_release(&r);
	fprintf(stderr, "1,000,000 entries: %.1f s, max RSS %ld MB\n", took, ru.ru_maxrss / 1024);
	ck_assert_int_eq(count(db, "files"), MANY_ENTRIES);
	ck_assert_int_eq(count(db, "blobs"), MANY_BLOBS);
	ck_assert_msg(ru.ru_maxrss / 1024 < limit_mb, "the scan peaked at %ld MB (limit %ld MB)",
		      ru.ru_maxrss / 1024, limit_mb);
	free(db);
	free(repo);
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");

	e2e_add_test(s, tokenizer_reads_nothing_past_a_line_ending_in_a_lone_c2_byte, 120);
	e2e_add_test(s, matcher_sorts_no_null_array_for_a_candidate_without_anchors, 120);
	e2e_add_test(s, clause_tables_survive_every_failed_allocation, 120);
	e2e_add_test(s, rule_compilation_survives_every_failed_allocation, 120);
	e2e_add_test(s, failed_allocations_in_detect_exit_3_with_a_message_and_never_crash, 900);
	e2e_add_test(s, failed_allocations_in_scan_exit_3_and_leave_nothing_or_a_whole_revision, 900);
	e2e_add_test(s, two_scans_creating_one_new_database_at_once_both_succeed, 300);
	e2e_add_test(s, two_scans_writing_one_database_at_once_both_succeed_like_sequential_scans, 300);
	e2e_add_test(s, full_disk_fails_the_scan_with_exit_3_and_keeps_earlier_repositories, 300);
	e2e_add_test(s, full_tmpfs_fails_the_scan_with_exit_3_and_keeps_earlier_repositories, 300);
	e2e_add_test(s, read_only_database_is_refused_with_exit_3_and_left_unchanged, 300);
	e2e_add_test(s, sigint_during_a_scan_stops_it_and_keeps_the_repositories_finished_before, 300);
	e2e_add_test(s, blob_failing_in_one_repository_is_not_taken_on_trust_by_the_next, 240);
	e2e_add_test(s, corrupt_pack_fails_the_repository_naming_the_object_and_writes_none_of_it, 300);
	e2e_add_test(s, sparse_2gb_file_is_recorded_too_big_in_bounded_memory_and_a_fifo_is_skipped, 300);
	e2e_add_test(s, directory_nested_past_the_depth_cap_is_reported_and_skipped, 300);
	e2e_add_test(s, git_tree_nested_deep_scans_without_crashing, 300);
	e2e_add_test(s, tree_of_a_million_entries_scans_in_bounded_memory, 600);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(faults_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
