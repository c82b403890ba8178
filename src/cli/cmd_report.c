/*
 * cmd_report.c — `tgpl report [--format F] [--policy FILE] [-o FILE]`: the
 * stored corpus as a terminal summary, JSON, CSV, Markdown, HTML, SPDX 2.3,
 * SPDX 3.0.1, a SWHID provenance manifest or a NOTICE bundle.
 *
 * With -o the report is written to a temporary file next to FILE and renamed
 * over it only when complete, so a failed report never leaves half a file.
 *
 * The obligations (tgpl/obligations.h) are computed once, under --policy or
 * the default policy, and handed to the report; when the policy denies
 * anything the complete report is written and the exit status is 1, as for
 * `tgpl obligations`.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tgpl/obligations.h"
#include "util/util.h"

enum { OPT_FORMAT = 1, OPT_POLICY, OPT_OUTPUT };

const cli_option report_options[] = {
	{ OPT_FORMAT, 'f', "format", "F",
	  "text (default), json, csv, md, html, spdx-json, spdx3-jsonld, swhid, notice,"
	  " timeline, timeline-json or obligation-record" },
	{ OPT_POLICY, 'p', "policy", "FILE",
	  "judge the obligations under this policy file, or a shipped one by name; exit 1 if it denies" },
	{ OPT_OUTPUT, 'o', "output", "FILE", "write the report to FILE (replaced only when complete)" },
	{ 0, 0, NULL, NULL, NULL }
};

typedef struct {
	tgpl_report_format format;
	int timeline;                 /* 0, or 1 + tgpl_timeline_format */
	int record;                   /* obligation-record */
	const char *policy;
	const char *output;
} report_args;

static int on_option(int id, const char *value, void *payload)
{
	report_args *a = payload;

	switch (id) {
	case OPT_FORMAT:
		/* The licence history of tgpl scan --history (src/report/timeline.c). */
		a->timeline = strcmp(value, "timeline") == 0        ? 1 + TGPL_TIMELINE_TEXT
			      : strcmp(value, "timeline-json") == 0 ? 1 + TGPL_TIMELINE_JSON
								    : 0;
		/* What a model trained on the corpus carries (tgpl obligations --record). */
		a->record = strcmp(value, "obligation-record") == 0;
		if (!a->timeline && !a->record && tgpl_report_format_from_name(&a->format, value) < 0) {
			cli_error("report: unknown format '%s' (one of: %s, timeline, timeline-json,"
				  " obligation-record)", value, tgpl_report_format_names());
			return EXIT_USAGE;
		}
		break;
	case OPT_POLICY:
		a->policy = value;
		break;
	case OPT_OUTPUT:
		a->output = value;
		break;
	}
	return 0;
}

/* Formats that show the obligations (the others only need them for --policy's exit status). */
static int shows_obligations(const report_args *a)
{
	return a->record || (!a->timeline && a->format != TGPL_REPORT_SPDX_JSON && a->format != TGPL_REPORT_SPDX3_JSONLD &&
	       a->format != TGPL_REPORT_SWHID);
}

static tgpl_ctx *signal_ctx;

static void on_signal(int sig)
{
	(void)sig;
	if (signal_ctx)
		tgpl_ctx_interrupt(signal_ctx);
}

/* The sink: a file descriptor, all bytes written or an error kept. */
typedef struct {
	int fd;
	int err;
} sink;

static int write_all(const char *data, size_t len, void *payload)
{
	sink *s = payload;

	while (len > 0) {
		ssize_t n = write(s->fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->err = n < 0 ? errno : EIO;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Colour for the text format: never into a file; NO_COLOR unless --color=always. */
static int want_color(const cli_global *g, const report_args *a)
{
	const char *no = getenv("NO_COLOR");

	if (a->format != TGPL_REPORT_TEXT || g->color == COLOR_NEVER)
		return 0;
	if (g->color == COLOR_ALWAYS)
		return 1;
	return !a->output && isatty(STDOUT_FILENO) && !(no && *no);
}

/* SOURCE_DATE_EPOCH, for reproducible documents; 0 if unset or malformed. */
static int64_t source_date(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (!s || tgpl_parse_u64(s, &v) < 0 || v > (uint64_t)INT64_MAX)
		return 0;
	return (int64_t)v;
}

/* A temporary file next to `path`; *tmp gets its name (caller frees). */
static int open_temp(const char *path, char **tmp)
{
	tgpl_buf b = TGPL_BUF_INIT;
	mode_t mask;
	int fd;

	if (tgpl_buf_printf(&b, "%s.tmpXXXXXX", path) < 0) {
		tgpl_buf_release(&b);
		errno = ENOMEM;
		return -1;
	}
	fd = mkstemp(b.ptr);
	if (fd < 0) {
		int err = errno;
		tgpl_buf_release(&b);
		errno = err;
		return -1;
	}
	/* mkstemp makes it 0600; a report is an ordinary file (0666 & ~umask). */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	*tmp = tgpl_buf_detach(&b);
	return fd;
}

int cmd_report(const cli_command *cmd, int argc, char **argv, cli_global *g)
{
	report_args a = { TGPL_REPORT_TEXT, 0, 0, NULL, NULL };
	tgpl_report_options opts = TGPL_REPORT_OPTIONS_INIT;
	tgpl_ctx *ctx = NULL;
	tgpl_engine *engine = NULL;
	tgpl_db *db = NULL;
	tgpl_policy *policy = NULL;
	tgpl_obligations *obl = NULL;
	char **args = NULL, *tmp = NULL;
	sink out = { STDOUT_FILENO, 0 };
	int nargs = 0, status = EXIT_OK, rc;
	struct sigaction sa;

	if ((rc = cli_parse(cmd, argc, argv, g, on_option, &a, &args, &nargs)) != 0)
		return rc;
	if (nargs > 0) {
		cli_error("report: unexpected argument '%s' (see 'tgpl report --help')", args[0]);
		free(args);
		return EXIT_USAGE;
	}
	if (a.output && !*a.output) {
		cli_error("report: -o needs a file name");
		free(args);
		return EXIT_USAGE;
	}
	if (tgpl_ctx_new(&ctx) < 0) {
		cli_error("out of memory");
		free(args);
		return EXIT_RUNTIME;
	}
	tgpl_ctx_set_log(ctx, cli_log, g);
	/* A policy that does not load is a usage error, as for `tgpl obligations`. */
	if (a.policy && (rc = cli_load_policy(&policy, ctx, a.policy)) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = rc == TGPL_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
		goto done;
	}
	if (tgpl_db_open(&db, ctx, g->db ? g->db : "tgpl.db", TGPL_DB_READONLY) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = EXIT_RUNTIME;
		goto done;
	}
	if (policy || shows_obligations(&a)) {
		tgpl_obligations_options oo = TGPL_OBLIGATIONS_OPTIONS_INIT;

		oo.policy = policy;
		if ((rc = tgpl_obligations_compute(&obl, ctx, db, &oo)) < 0) {
			cli_error("%s", tgpl_errmsg(ctx));
			status = EXIT_RUNTIME;
			goto done;
		}
	}
	/* Only the SPDX formats need the licence list (ids, exceptions). */
	if ((a.format == TGPL_REPORT_SPDX_JSON || a.format == TGPL_REPORT_SPDX3_JSONLD ||
	     a.format == TGPL_REPORT_NOTICE) && !(engine = cli_engine(ctx))) {
		status = EXIT_RUNTIME;
		goto done;
	}
	if (a.output && (out.fd = open_temp(a.output, &tmp)) < 0) {
		cli_error("report: cannot create '%s': %s", a.output, strerror(errno));
		status = EXIT_RUNTIME;
		goto done;
	}
	signal_ctx = ctx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;   /* a closed pipe is a write error (EPIPE), not a death */
	sigaction(SIGPIPE, &sa, NULL);

	opts.format = a.format;
	opts.engine = engine;
	opts.flags = want_color(g, &a) ? TGPL_REPORT_COLOR : 0;
	opts.created = source_date();
	opts.write = write_all;
	opts.payload = &out;
	opts.obligations = obl;
	if (a.timeline) {
		char *text = NULL;

		rc = tgpl_report_timeline(&text, ctx, db, NULL, (tgpl_timeline_format)(a.timeline - 1));
		if (rc == TGPL_ENOTFOUND) {
			cli_error("report: %s (run 'tgpl scan --history' first)", tgpl_errmsg(ctx));
			status = EXIT_RUNTIME;
			goto done;
		}
		if (rc == 0 && !*text && a.timeline == 1 + TGPL_TIMELINE_TEXT)
			rc = write_all("no licence changes recorded\n", 28, &out) < 0 ? TGPL_EIO : 0;
		else if (rc == 0 && write_all(text, strlen(text), &out) < 0)
			rc = TGPL_EIO;
		free(text);
	} else if (a.record) {
		char *text = NULL;

		rc = tgpl_obligation_record_json(&text, ctx, obl,
						 opts.created > 0 ? opts.created : (int64_t)time(NULL));
		if (rc == 0 && (write_all(text, strlen(text), &out) < 0 || write_all("\n", 1, &out) < 0))
			rc = TGPL_EIO;
		free(text);
	} else {
		rc = tgpl_report_write(ctx, db, &opts);
	}
	if (rc < 0) {
		if (out.err == EPIPE)
			status = EXIT_RUNTIME;
		else if (out.err)
			cli_error("report: cannot write %s: %s", a.output ? a.output : "the output", strerror(out.err));
		else
			cli_error("%s", tgpl_errmsg(ctx));
		status = EXIT_RUNTIME;
		goto done;
	}
	if (tmp) {
		if (fsync(out.fd) < 0 || close(out.fd) < 0) {
			out.fd = -1;
			cli_error("report: cannot write '%s': %s", a.output, strerror(errno));
			status = EXIT_RUNTIME;
			goto done;
		}
		out.fd = -1;
		if (rename(tmp, a.output) < 0) {
			cli_error("report: cannot replace '%s': %s", a.output, strerror(errno));
			status = EXIT_RUNTIME;
			goto done;
		}
		free(tmp);
		tmp = NULL;
	}
	/* The report is complete; now say whether the policy denies anything. */
	if (obl && tgpl_obligations_denied(obl))
		status = EXIT_FINDINGS;
done:
	signal_ctx = NULL;
	if (tmp) {
		if (out.fd >= 0)
			close(out.fd);
		unlink(tmp);
		free(tmp);
	}
	tgpl_engine_free(engine);
	tgpl_obligations_free(obl);
	tgpl_policy_free(policy);
	tgpl_db_close(db);
	tgpl_ctx_free(ctx);
	free(args);
	return status;
}
