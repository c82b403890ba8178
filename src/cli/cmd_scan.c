/*
 * cmd_scan.c — `tgpl scan`: walk repositories and directories into the
 * database, then print what was stored.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/util.h"

enum { OPT_REV = 1, OPT_MAX_FILE_SIZE, OPT_JOBS };

const cli_option scan_options[] = {
	{ OPT_REV, 'r', "rev", "REV", "revision to scan in git repositories (default: HEAD)" },
	{ OPT_JOBS, 'j', "jobs", "N", "detect on N threads (default: the number of cores)" },
	{ OPT_MAX_FILE_SIZE, 0, "max-file-size", "BYTES",
	  "skip (and record) blobs larger than this (default: 16777216)" },
	{ 0, 0, NULL, NULL, NULL }
};

typedef struct {
	const char *rev;
	uint64_t max_file_size;
	uint64_t jobs;
} scan_args;

static tgpl_ctx *signal_ctx;

static void on_signal(int sig)
{
	(void)sig;
	if (signal_ctx)
		tgpl_ctx_interrupt(signal_ctx);
}

static int on_option(int id, const char *value, void *payload)
{
	scan_args *a = payload;

	switch (id) {
	case OPT_REV:
		a->rev = value;
		break;
	case OPT_JOBS:
		if (tgpl_parse_u64(value, &a->jobs) < 0 || a->jobs == 0 || a->jobs > 1024) {
			cli_error("scan: --jobs takes a number from 1 to 1024, not '%s'", value);
			return EXIT_USAGE;
		}
		break;
	case OPT_MAX_FILE_SIZE:
		if (tgpl_parse_u64(value, &a->max_file_size) < 0 || a->max_file_size == 0) {
			cli_error("scan: --max-file-size takes a positive number of bytes, not '%s'", value);
			return EXIT_USAGE;
		}
		break;
	}
	return 0;
}

/* Progress on stderr, at most ten times a second, only on a terminal. */
typedef struct {
	struct timespec start, last;
	int shown;
} progress_state;

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void on_progress(const tgpl_scan_progress *p, void *payload)
{
	progress_state *s = payload;
	double elapsed;

	if (!p->done && seconds_since(&s->last) < 0.1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &s->last);
	elapsed = seconds_since(&s->start);
	fprintf(stderr, "\r\033[Kscanning %.40s: %llu files, %.1f MB, %.1f MB/s",
		p->repository, (unsigned long long)p->files, (double)p->bytes / 1e6,
		elapsed > 0 ? (double)p->bytes / 1e6 / elapsed : 0.0);
	if (p->done)
		fputs("\r\033[K", stderr);
	s->shown = 1;
}

static int print_count(const char *label, int64_t count, void *payload)
{
	int *first = payload;

	fputs(*first ? "  licences: " : ", ", stdout);
	cli_put_safe(stdout, label, strlen(label));
	printf(" (%lld)", (long long)count);
	*first = 0;
	return 0;
}

int cmd_scan(const cli_command *cmd, int argc, char **argv, cli_global *g)
{
	scan_args a = { NULL, TGPL_DEFAULT_MAX_FILE_SIZE, 0 };
	tgpl_scan_options opts = TGPL_SCAN_OPTIONS_INIT;
	progress_state ps;
	tgpl_ctx *ctx = NULL;
	tgpl_engine *engine = NULL;
	tgpl_db *db = NULL;
	char **paths = NULL;
	int npaths = 0, i, failed = 0, status = EXIT_OK, rc;
	uint64_t files = 0, analysed = 0, reused = 0;
	time_t started = time(NULL);
	struct sigaction sa;

	if ((rc = cli_parse(cmd, argc, argv, g, on_option, &a, &paths, &npaths)) != 0)
		return rc;
	if (npaths == 0) {
		cli_error("scan: no PATH given (see 'tgpl scan --help')");
		free(paths);
		return EXIT_USAGE;
	}
	if (tgpl_ctx_new(&ctx) < 0) {
		cli_error("out of memory");
		free(paths);
		return EXIT_RUNTIME;
	}
	tgpl_ctx_set_log(ctx, cli_log, g);
	if (!(engine = cli_engine(ctx))) {
		status = EXIT_RUNTIME;
		goto done;
	}
	if (tgpl_db_open(&db, ctx, g->db ? g->db : "tgpl.db", 0) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = EXIT_RUNTIME;
		goto done;
	}
	signal_ctx = ctx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	opts.rev = a.rev;
	if (!a.jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		a.jobs = n > 0 ? (uint64_t)n : 1;
	}
	opts.jobs = (unsigned int)a.jobs;
	opts.detect.max_file_size = (size_t)a.max_file_size;
	memset(&ps, 0, sizeof(ps));
	clock_gettime(CLOCK_MONOTONIC, &ps.start);
	if (!g->quiet && isatty(STDERR_FILENO)) {
		opts.progress = on_progress;
		opts.payload = &ps;
	}
	for (i = 0; i < npaths; i++) {
		tgpl_scan_result res;
		int first = 1;

		rc = tgpl_scan_path(&res, ctx, db, engine, paths[i], &opts);
		if (rc == TGPL_EINTR) {
			cli_error("interrupted; the repositories finished before this one are stored");
			status = EXIT_RUNTIME;
			break;
		}
		if (rc < 0) {
			cli_error("%s", tgpl_errmsg(ctx));
			failed++;
			continue;
		}
		files += res.files;
		analysed += res.analysed;
		reused += res.reused;
		cli_put_safe(stdout, res.path, strlen(res.path));
		if (res.unchanged)
			printf(": %s %.12s already stored (unchanged)\n", res.kind, res.commit);
		else if (res.commit[0])
			printf(": %s %.12s, %llu files, %llu blobs analysed, %llu reused\n", res.kind,
			       res.commit, (unsigned long long)res.files, (unsigned long long)res.analysed,
			       (unsigned long long)res.reused);
		else
			printf(": dir, %llu files, %llu blobs analysed, %llu reused%s\n",
			       (unsigned long long)res.files, (unsigned long long)res.analysed,
			       (unsigned long long)res.reused, res.skipped ? " (some entries skipped)" : "");
		if (res.declared[0]) {
			fputs("  declared: ", stdout);
			cli_put_safe(stdout, res.declared, strlen(res.declared));
			putchar('\n');
		}
		if (tgpl_db_license_counts(db, res.path, res.commit[0] ? res.commit : NULL,
					   tgpl_engine_version(engine), print_count, &first) < 0) {
			cli_error("%s", tgpl_errmsg(ctx));
			status = EXIT_RUNTIME;
		}
		if (!first)
			putchar('\n');
	}
	if (tgpl_db_log_scan(db, (int64_t)started, tgpl_engine_version(engine), npaths - failed,
			     (int64_t)files, (int64_t)analysed, (int64_t)reused) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = EXIT_RUNTIME;
	}
	if (failed) {
		cli_error("%d of %d paths could not be scanned", failed, npaths);
		status = EXIT_RUNTIME;
	}
done:
	signal_ctx = NULL;
	tgpl_db_close(db);
	tgpl_engine_free(engine);
	tgpl_ctx_free(ctx);
	free(paths);
	return status;
}
