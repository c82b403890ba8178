/*
 * cmd_scan.c — `tgpl scan`: walk repositories, directories and URLs (from
 * the command line and corpus files) into the database, then print what was
 * stored.  A repository that fails is reported and the scan goes on; the
 * summary says how many failed and why.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/util.h"

enum { OPT_REV = 1, OPT_MAX_FILE_SIZE, OPT_JOBS, OPT_CORPUS, OPT_SHARD, OPT_CACHE_DIR, OPT_HISTORY };

const cli_option scan_options[] = {
	{ OPT_REV, 'r', "rev", "REV", "revision to scan in git repositories (default: HEAD)" },
	{ OPT_JOBS, 'j', "jobs", "N", "detect on N threads (default: the number of cores)" },
	{ OPT_MAX_FILE_SIZE, 0, "max-file-size", "BYTES",
	  "skip (and record) blobs larger than this (default: 16777216)" },
	{ OPT_CORPUS, 0, "corpus", "FILE", "also scan each 'PATH-or-URL [REV]' line of FILE" },
	{ OPT_SHARD, 0, "shard", "K/N", "scan only repositories whose 0-based index modulo N is K" },
	{ OPT_CACHE_DIR, 0, "cache-dir", "DIR",
	  "keep clones of URLs here (default: $XDG_CACHE_HOME/tgpl or ~/.cache/tgpl)" },
	{ OPT_HISTORY, 0, "history", NULL,
	  "also record the declared licence and TGPL clauses of every commit reachable from REV" },
	{ 0, 0, NULL, NULL, NULL }
};

/* Corpus lines reported per problem in a usage error before giving up. */
#define SCAN_GROUP_SECONDS 2   /* group commit (tgpl_db_set_group_commit()) */
#define MAX_SHOWN_INVALID 20
/* Repositories named per reason in the closing summary. */
#define MAX_SHOWN_FAILED 5

typedef struct {
	const char *rev;
	uint64_t max_file_size;
	uint64_t jobs;
	const char *corpus;
	const char *cache_dir;
	uint64_t shard_k, shard_n;   /* shard_n == 0: no sharding */
	int history;
} scan_args;

/* Why repositories failed, for the summary: a count and the first few names per reason. */
enum { WHY_INVALID, WHY_NOTFOUND, WHY_NOTREPO, WHY_REMOTE, WHY_GIT, WHY_READ, WHY_OTHER, WHY_N };

static const char *const why_text[WHY_N] = {
	"malformed corpus line", "not found", "not a repository or directory",
	"clone or fetch failed", "git error (corrupt or missing objects)", "read error", "other error"
};

typedef struct {
	uint64_t attempted, failed;
	uint64_t files, analysed, reused;
	uint64_t count[WHY_N];
	char *shown[WHY_N][MAX_SHOWN_FAILED];
} scan_tally;

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
	case OPT_CORPUS:
		if (a->corpus) {
			cli_error("scan: --corpus given twice ('%s' and '%s'); join the files", a->corpus, value);
			return EXIT_USAGE;
		}
		a->corpus = value;
		break;
	case OPT_SHARD: {
		const char *slash = strchr(value, '/');
		char k[32];

		if (!slash || (size_t)(slash - value) >= sizeof(k)) {
			cli_error("scan: --shard takes K/N (e.g. 0/4), not '%s'", value);
			return EXIT_USAGE;
		}
		memcpy(k, value, (size_t)(slash - value));
		k[slash - value] = '\0';
		if (tgpl_parse_u64(k, &a->shard_k) < 0 || tgpl_parse_u64(slash + 1, &a->shard_n) < 0 ||
		    a->shard_n == 0 || a->shard_n > 1000000 || a->shard_k >= a->shard_n) {
			cli_error("scan: --shard takes K/N with 0 <= K < N <= 1000000, not '%s'", value);
			return EXIT_USAGE;
		}
		break;
	}
	case OPT_CACHE_DIR:
		if (!value[0]) {
			cli_error("scan: --cache-dir needs a directory");
			return EXIT_USAGE;
		}
		a->cache_dir = value;
		break;
	case OPT_HISTORY:
		a->history = 1;
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

/* The licence summary line: the most frequent labels, each cut short. */
#define SUMMARY_LABELS    8
#define SUMMARY_LABEL_MAX 60

typedef struct {
	int shown;
	int64_t more;     /* labels not shown */
} count_line;

static int print_count(const char *label, int64_t count, void *payload)
{
	count_line *c = payload;
	size_t len = strlen(label);

	if (c->shown == SUMMARY_LABELS) {
		c->more++;
		return 0;
	}
	fputs(c->shown ? ", " : "  licences: ", stdout);
	cli_put_safe(stdout, label, len > SUMMARY_LABEL_MAX ? SUMMARY_LABEL_MAX : len);
	printf("%s (%lld)", len > SUMMARY_LABEL_MAX ? "..." : "", (long long)count);
	c->shown++;
	return 0;
}

static int why_for(int rc, const char *location)
{
	switch (rc) {
	case TGPL_ENOTFOUND: return WHY_NOTFOUND;
	case TGPL_EINVAL: return WHY_NOTREPO;
	case TGPL_EGIT: return tgpl_location_is_url(location) ? WHY_REMOTE : WHY_GIT;
	case TGPL_EIO: return tgpl_location_is_url(location) ? WHY_REMOTE : WHY_READ;
	default: return WHY_OTHER;
	}
}

/* Failures that no later repository can escape: stop the whole scan. */
static int is_fatal(int rc)
{
	return rc == TGPL_EINTR || rc == TGPL_EDB || rc == TGPL_ENOMEM || rc == TGPL_ESCHEMA ||
	       rc == TGPL_EDATA;
}

static void tally_failure(scan_tally *t, int why, const char *label)
{
	uint64_t n = t->count[why]++;

	t->failed++;
	if (n < MAX_SHOWN_FAILED)
		t->shown[why][n] = tgpl_strdup(label);   /* NULL: just not named */
}

static void tally_release(scan_tally *t)
{
	int w, i;

	for (w = 0; w < WHY_N; w++)
		for (i = 0; i < MAX_SHOWN_FAILED; i++)
			free(t->shown[w][i]);
}

/* The closing summary of failures, one reason a line, on stderr. */
static void print_failures(const scan_tally *t)
{
	int w, i;

	cli_error("%llu of %llu repositories could not be scanned:", (unsigned long long)t->failed,
		  (unsigned long long)t->attempted);
	for (w = 0; w < WHY_N; w++) {
		char line[2048];
		size_t len;

		if (!t->count[w])
			continue;
		len = (size_t)snprintf(line, sizeof(line), "  %llu %s:", (unsigned long long)t->count[w],
				       why_text[w]);
		for (i = 0; i < MAX_SHOWN_FAILED && t->shown[w][i] && len < sizeof(line); i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s %s", i ? "," : "",
						t->shown[w][i]);
		if (t->count[w] > MAX_SHOWN_FAILED && len < sizeof(line))
			snprintf(line + len, sizeof(line) - len, " and %llu more",
				 (unsigned long long)(t->count[w] - MAX_SHOWN_FAILED));
		cli_error("%s", line);
	}
}

/*
 * Check every line of a corpus file before scanning anything, so that a typo
 * on line 90,000 is a usage error now rather than a failure hours later.
 * Only regular files are read twice; for a pipe the scan reports malformed
 * lines as it meets them.  EXIT_OK, EXIT_USAGE or EXIT_RUNTIME.
 */
static int validate_corpus(const char *path)
{
	tgpl_ctx *ctx = NULL;
	tgpl_corpus *c = NULL;
	const tgpl_corpus_entry *e;
	struct stat st;
	uint64_t bad = 0;
	int rc, status = EXIT_OK;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return EXIT_OK;
	if (tgpl_ctx_new(&ctx) < 0) {
		cli_error("out of memory");
		return EXIT_RUNTIME;
	}
	if (tgpl_corpus_open(&c, ctx, path) < 0) {
		cli_error("scan: %s", tgpl_errmsg(ctx));
		status = EXIT_USAGE;
		goto done;
	}
	while ((rc = tgpl_corpus_next(&e, c)) == 1) {
		if (!e->invalid)
			continue;
		if (bad++ < MAX_SHOWN_INVALID)
			cli_error("%s:%llu: %s", path, (unsigned long long)e->line, e->invalid);
	}
	if (rc < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = EXIT_RUNTIME;
	} else if (bad) {
		if (bad > MAX_SHOWN_INVALID)
			cli_error("%s: %llu more malformed lines", path,
				  (unsigned long long)(bad - MAX_SHOWN_INVALID));
		cli_error("scan: corpus '%s' has %llu malformed line%s; nothing was scanned", path,
			  (unsigned long long)bad, bad == 1 ? "" : "s");
		status = EXIT_USAGE;
	}
done:
	tgpl_corpus_close(c);
	tgpl_ctx_free(ctx);
	return status;
}

typedef struct {
	tgpl_ctx *ctx;
	tgpl_db *db;
	tgpl_engine *engine;
	tgpl_scan_options *opts;
	tgpl_scanner *scanner;
	const scan_args *args;
	scan_tally tally;
	int stop;               /* a fatal error or an interruption: scan nothing more */
	int status;
	tgpl_scan_result last;  /* --history: the repository just stored */
	int have_last;
} scan_run;

/* A repository handed to the scanner, until it is reported. */
typedef struct {
	char *location;
	char *label;            /* "FILE:LINE" for a corpus line, else NULL */
} scan_item;

/*
 * --history: the licence of every commit reachable from the revision just
 * scanned.  A plain directory has none; that is said, not counted a failure.
 */
static void scan_history(scan_run *run, const tgpl_scan_result *res, const char *label)
{
	tgpl_history_result h;
	int rc;

	if (!res->commit[0]) {
		cli_error("%s: a plain directory has no history; only its files were scanned",
			  label ? label : res->path);
		return;
	}
	memset(&h, 0, sizeof(h));
	rc = tgpl_scan_history(&h, run->ctx, run->db, run->engine, res->path, run->opts);
	if (rc == TGPL_EINTR) {
		cli_error("interrupted; the history of %s is not stored (its files are)", res->path);
		run->stop = 1;
		run->status = EXIT_RUNTIME;
		return;
	}
	if (rc < 0) {
		cli_error("%s: history: %s", label ? label : res->path, tgpl_errmsg(run->ctx));
		tally_failure(&run->tally, why_for(rc, res->path), label ? label : res->path);
		if (is_fatal(rc))
			run->stop = 1;
		run->status = EXIT_RUNTIME;
		return;
	}
	printf("  history: %llu commits recorded, %llu already known, %llu licence changes, "
	       "%llu blobs analysed, %llu reused\n",
	       (unsigned long long)h.commits, (unsigned long long)h.known, (unsigned long long)h.changes,
	       (unsigned long long)h.analysed, (unsigned long long)h.reused);
}

/* A repository stored or failed (tgpl_scan_done_cb): print what was stored. */
static void on_done(int rc, const tgpl_scan_result *res, void *item, void *payload)
{
	scan_run *run = payload;
	scan_item *it = item;
	const char *label = it->label;
	count_line counts = { 0, 0 };

	if (rc == TGPL_EINTR) {
		/* (Two repositories may be open when it comes.) */
		if (!run->stop)
			cli_error("interrupted; the repositories finished before this one are stored");
		run->tally.attempted--;
		run->stop = 1;
		run->status = EXIT_RUNTIME;
		goto done;
	}
	if (rc < 0) {
		if (label)
			cli_error("%s: %s", label, tgpl_errmsg(run->ctx));
		else
			cli_error("%s", tgpl_errmsg(run->ctx));
		tally_failure(&run->tally, why_for(rc, it->location), label ? label : it->location);
		if (is_fatal(rc) && !run->stop) {
			cli_error("stopping: no further repository can be stored");
			run->stop = 1;
		}
		run->status = EXIT_RUNTIME;
		goto done;
	}
	run->tally.files += res->files;
	run->tally.analysed += res->analysed;
	run->tally.reused += res->reused;
	cli_put_safe(stdout, res->path, strlen(res->path));
	if (res->unchanged)
		printf(": %s %.12s already stored (unchanged)\n", res->kind, res->commit);
	else if (res->commit[0])
		printf(": %s %.12s, %llu files, %llu blobs analysed, %llu reused\n", res->kind,
		       res->commit, (unsigned long long)res->files, (unsigned long long)res->analysed,
		       (unsigned long long)res->reused);
	else
		printf(": dir, %llu files, %llu blobs analysed, %llu reused%s\n",
		       (unsigned long long)res->files, (unsigned long long)res->analysed,
		       (unsigned long long)res->reused, res->skipped ? " (some entries skipped)" : "");
	if (res->declared[0]) {
		fputs("  declared: ", stdout);
		cli_put_safe(stdout, res->declared, strlen(res->declared));
		putchar('\n');
	}
	/* An unchanged revision's counts were printed when it was stored. */
	if (!res->unchanged &&
	    tgpl_db_license_counts(run->db, res->path, res->commit[0] ? res->commit : NULL,
				   tgpl_engine_version(run->engine), print_count, &counts) < 0) {
		cli_error("%s", tgpl_errmsg(run->ctx));
		run->status = EXIT_RUNTIME;
	}
	if (counts.more)
		printf(", and %lld more (tgpl report)", (long long)counts.more);
	if (counts.shown)
		putchar('\n');
	run->last = *res;
	run->have_last = 1;
done:
	free(it->location);
	free(it->label);
	free(it);
}

/*
 * Scan one repository (`label` names it in messages: "FILE:LINE" for a
 * corpus line, else NULL).  What was stored is printed when it is (on_done(),
 * perhaps during the next repository's walk).
 */
static void scan_one(scan_run *run, const char *location, const char *rev, const char *label)
{
	scan_item *it = tgpl_calloc(1, sizeof(*it));

	if (!it || !(it->location = tgpl_strdup(location)) || (label && !(it->label = tgpl_strdup(label)))) {
		if (it)
			free(it->location);
		free(it);
		cli_error("out of memory");
		run->stop = 1;
		run->status = EXIT_RUNTIME;
		return;
	}
	run->tally.attempted++;
	run->have_last = 0;
	if (tgpl_scanner_add(run->scanner, location, rev, it) < 0) {
		cli_error("%s", tgpl_errmsg(run->ctx));
		free(it->location);
		free(it->label);
		free(it);
		run->stop = 1;
		run->status = EXIT_RUNTIME;
		return;
	}
	if (run->args->history) {
		/* The history is recorded once the repository's files are stored. */
		tgpl_scanner_flush(run->scanner);
		run->opts->rev = rev;
		if (run->have_last && !run->stop)
			scan_history(run, &run->last, label);
	}
}

static int in_shard(const scan_args *a, uint64_t index)
{
	return a->shard_n == 0 || index % a->shard_n == a->shard_k;
}

/* Every repository line of the corpus that falls in this shard; `base` is
 * the index of its first line (the command-line paths come first). */
static void scan_corpus(scan_run *run, uint64_t base)
{
	const scan_args *a = run->args;
	tgpl_corpus *c = NULL;
	const tgpl_corpus_entry *e;
	int rc;

	if (tgpl_corpus_open(&c, run->ctx, a->corpus) < 0) {
		cli_error("%s", tgpl_errmsg(run->ctx));
		run->status = EXIT_RUNTIME;
		return;
	}
	while (!run->stop && (rc = tgpl_corpus_next(&e, c)) == 1) {
		char label[4200];

		if (!in_shard(a, base + e->index))
			continue;
		snprintf(label, sizeof(label), "%s:%llu", a->corpus, (unsigned long long)e->line);
		if (e->invalid) {
			cli_error("%s: %s", label, e->invalid);
			run->tally.attempted++;
			tally_failure(&run->tally, WHY_INVALID, label);
			run->status = EXIT_RUNTIME;
			continue;
		}
		scan_one(run, e->resolved, e->rev ? e->rev : a->rev, label);
	}
	if (!run->stop && rc < 0) {
		cli_error("%s", tgpl_errmsg(run->ctx));
		run->status = EXIT_RUNTIME;
	}
	tgpl_corpus_close(c);
}

int cmd_scan(const cli_command *cmd, int argc, char **argv, cli_global *g)
{
	scan_args a = { NULL, TGPL_DEFAULT_MAX_FILE_SIZE, 0, NULL, NULL, 0, 0, 0 };
	tgpl_scan_options opts = TGPL_SCAN_OPTIONS_INIT;
	scan_run run;
	progress_state ps;
	char **paths = NULL;
	int npaths = 0, i, rc;
	time_t started = time(NULL);
	struct sigaction sa;

	memset(&run, 0, sizeof(run));
	if ((rc = cli_parse(cmd, argc, argv, g, on_option, &a, &paths, &npaths)) != 0)
		return rc;
	if (npaths == 0 && !a.corpus) {
		cli_error("scan: no PATH given (see 'tgpl scan --help')");
		free(paths);
		return EXIT_USAGE;
	}
	if (a.corpus && (rc = validate_corpus(a.corpus)) != EXIT_OK) {
		free(paths);
		return rc;
	}
	if (tgpl_ctx_new(&run.ctx) < 0) {
		cli_error("out of memory");
		free(paths);
		return EXIT_RUNTIME;
	}
	tgpl_ctx_set_log(run.ctx, cli_log, g);
	if (!(run.engine = cli_engine(run.ctx))) {
		run.status = EXIT_RUNTIME;
		goto done;
	}
	if (tgpl_db_open(&run.db, run.ctx, g->db ? g->db : "tgpl.db", 0) < 0) {
		cli_error("%s", tgpl_errmsg(run.ctx));
		run.status = EXIT_RUNTIME;
		goto done;
	}
	/* Repositories finished within a few seconds share one commit. */
	tgpl_db_set_group_commit(run.db, SCAN_GROUP_SECONDS);
	signal_ctx = run.ctx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (!a.jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		a.jobs = n > 0 ? (uint64_t)n : 1;
	}
	opts.jobs = (unsigned int)a.jobs;
	opts.detect.max_file_size = (size_t)a.max_file_size;
	opts.cache_dir = a.cache_dir;
	memset(&ps, 0, sizeof(ps));
	clock_gettime(CLOCK_MONOTONIC, &ps.start);
	if (!g->quiet && isatty(STDERR_FILENO)) {
		opts.progress = on_progress;
		opts.payload = &ps;
	}
	opts.rev = a.rev;
	run.opts = &opts;
	run.args = &a;
	if (tgpl_scanner_new(&run.scanner, run.ctx, run.db, run.engine, &opts, on_done, &run) < 0) {
		cli_error("%s", tgpl_errmsg(run.ctx));
		run.status = EXIT_RUNTIME;
		goto done;
	}
	for (i = 0; i < npaths && !run.stop; i++)
		if (in_shard(&a, (uint64_t)i))
			scan_one(&run, paths[i], a.rev, NULL);
	if (a.corpus && !run.stop)
		scan_corpus(&run, (uint64_t)npaths);
	tgpl_scanner_flush(run.scanner);
	if (tgpl_db_flush(run.db) < 0 || tgpl_db_log_scan(run.db, (int64_t)started, tgpl_engine_version(run.engine),
			     (int64_t)(run.tally.attempted - run.tally.failed), (int64_t)run.tally.files,
			     (int64_t)run.tally.analysed, (int64_t)run.tally.reused) < 0) {
		cli_error("%s", tgpl_errmsg(run.ctx));
		run.status = EXIT_RUNTIME;
	}
	if (a.corpus || a.shard_n || run.tally.attempted > 1) {
		printf("scanned %llu of %llu repositories",
		       (unsigned long long)(run.tally.attempted - run.tally.failed),
		       (unsigned long long)run.tally.attempted);
		if (a.shard_n)
			printf(" (shard %llu/%llu)", (unsigned long long)a.shard_k,
			       (unsigned long long)a.shard_n);
		printf(": %llu files, %llu blobs analysed, %llu reused\n",
		       (unsigned long long)run.tally.files, (unsigned long long)run.tally.analysed,
		       (unsigned long long)run.tally.reused);
	}
	if (run.tally.failed)
		print_failures(&run.tally);
done:
	signal_ctx = NULL;
	tgpl_scanner_free(run.scanner);
	tally_release(&run.tally);
	tgpl_db_close(run.db);
	tgpl_engine_free(run.engine);
	tgpl_ctx_free(run.ctx);
	free(paths);
	return run.status;
}
