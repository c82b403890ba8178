/*
 * cmd_check.c — `tgpl check`: scan one repository (into --db, or a database
 * in memory) and lint it: each finding with file:line, severity and a
 * one-line fix (src/obligations/check.h).  Exit 1 when any finding is an
 * error after the policy.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "obligations/check.h"
#include "util/util.h"

enum { OPT_POLICY = 1, OPT_FORMAT, OPT_REV };

const cli_option check_options[] = {
	{ OPT_POLICY, 'p', "policy", "FILE", "severity per check, from the [check] table of FILE" },
	{ OPT_FORMAT, 'f', "format", "FORMAT", "text (default) or json" },
	{ OPT_REV, 'r', "rev", "REV", "revision of a git repository to check (default: HEAD)" },
	{ 0, 0, NULL, NULL, NULL }
};

typedef struct {
	const char *policy;
	const char *rev;
	int json;
} check_args;

typedef struct {
	int json;
	int color;
	tgpl_buf findings;    /* JSON: the findings array's members */
	int n;
	int failed;
} check_out;

static int on_option(int id, const char *value, void *payload)
{
	check_args *a = payload;

	switch (id) {
	case OPT_POLICY:
		a->policy = value;
		break;
	case OPT_REV:
		a->rev = value;
		break;
	case OPT_FORMAT:
		if (strcmp(value, "text") == 0)
			a->json = 0;
		else if (strcmp(value, "json") == 0)
			a->json = 1;
		else {
			cli_error("check: --format takes text or json, not '%s'", value);
			return EXIT_USAGE;
		}
		break;
	}
	return 0;
}

static const char *severity_color(tgpl_severity s)
{
	return s == TGPL_SEVERITY_ERROR ? "\033[1;31m" : s == TGPL_SEVERITY_WARNING ? "\033[1;33m"
										      : "\033[1;36m";
}

static int on_finding(const tgpl_check_finding *f, void *payload)
{
	check_out *o = payload;

	if (o->json) {
		char *obj = NULL;

		if (tgpl_check_finding_json(&obj, f) < 0 || (o->n && tgpl_buf_putc(&o->findings, ',') < 0) ||
		    tgpl_buf_puts(&o->findings, obj) < 0) {
			free(obj);
			o->failed = 1;
			return 1;
		}
		free(obj);
		o->n++;
		return 0;
	}
	if (f->path) {
		cli_put_safe(stdout, f->path, f->path_len);
		if (f->line)
			printf(":%u", f->line);
	} else {
		fputs("(repository)", stdout);
	}
	printf(": %s%s%s: %s: ", o->color ? severity_color(f->severity) : "",
	       tgpl_severity_name(f->severity), o->color ? "\033[0m" : "", f->check);
	cli_put_safe(stdout, f->message, strlen(f->message));
	fputs("\n    fix: ", stdout);
	cli_put_safe(stdout, f->fix, strlen(f->fix));
	putchar('\n');
	o->n++;
	return 0;
}

static int use_color(const cli_global *g)
{
	const char *nc = getenv("NO_COLOR");

	if (g->color == COLOR_ALWAYS)
		return 1;
	if (g->color == COLOR_NEVER || (nc && *nc))
		return 0;
	return isatty(STDOUT_FILENO);
}

/* The whole JSON document: the repository, its findings and the totals. */
static int json_document(tgpl_buf *b, const tgpl_scan_result *res, const check_out *o,
			 const tgpl_check_summary *sum)
{
	if (tgpl_buf_puts(b, "{\"repository\":") < 0 ||
	    tgpl_buf_put_json_string(b, res->path, strlen(res->path)) < 0)
		return -1;
	if ((res->commit[0] ? tgpl_buf_printf(b, ",\"commit\":\"%s\"", res->commit)
			    : tgpl_buf_puts(b, ",\"commit\":null")) < 0 ||
	    tgpl_buf_puts(b, ",\"declared\":") < 0 ||
	    (sum->declared[0] ? tgpl_buf_put_json_string(b, sum->declared, strlen(sum->declared))
			      : tgpl_buf_puts(b, "null")) < 0 ||
	    tgpl_buf_puts(b, ",\"findings\":[") < 0 ||
	    (o->findings.len && tgpl_buf_put(b, o->findings.ptr, o->findings.len) < 0))
		return -1;
	return tgpl_buf_printf(b, "],\"errors\":%llu,\"warnings\":%llu,\"infos\":%llu,\"dropped\":%llu}\n",
			       (unsigned long long)sum->errors, (unsigned long long)sum->warnings,
			       (unsigned long long)sum->infos, (unsigned long long)sum->dropped);
}

static void plural(tgpl_buf *b, uint64_t n, const char *what)
{
	tgpl_buf_printf(b, "%s%llu %s%s", b->len ? ", " : "", (unsigned long long)n, what, n == 1 ? "" : "s");
}

int cmd_check(const cli_command *cmd, int argc, char **argv, cli_global *g)
{
	check_args a = { NULL, NULL, 0 };
	check_out o;
	tgpl_scan_options opts = TGPL_SCAN_OPTIONS_INIT;
	tgpl_scan_result res;
	tgpl_check_summary sum;
	tgpl_check_policy *policy = NULL;
	tgpl_ctx *ctx = NULL;
	tgpl_engine *engine = NULL;
	tgpl_db *db = NULL;
	tgpl_buf line = TGPL_BUF_INIT;
	char **paths = NULL;
	const char *path;
	int npaths = 0, status = EXIT_OK, rc;
	long cores;

	memset(&o, 0, sizeof(o));
	if ((rc = cli_parse(cmd, argc, argv, g, on_option, &a, &paths, &npaths)) != 0)
		return rc;
	if (npaths > 1) {
		cli_error("check: one PATH at a time (see 'tgpl check --help')");
		free(paths);
		return EXIT_USAGE;
	}
	path = npaths ? paths[0] : ".";
	if (tgpl_ctx_new(&ctx) < 0) {
		cli_error("out of memory");
		free(paths);
		return EXIT_RUNTIME;
	}
	tgpl_ctx_set_log(ctx, cli_log, g);
	if (a.policy && (rc = tgpl_check_policy_load(&policy, ctx, a.policy)) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = rc == TGPL_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
		goto done;
	}
	if (!(engine = cli_engine(ctx))) {
		status = EXIT_RUNTIME;
		goto done;
	}
	/* Without --db the scan lives in memory and is gone when the check ends. */
	if (tgpl_db_open(&db, ctx, g->db ? g->db : ":memory:", 0) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = EXIT_RUNTIME;
		goto done;
	}
	opts.rev = a.rev;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	opts.jobs = cores > 0 ? (unsigned int)(cores > 64 ? 64 : cores) : 1;
	o.json = a.json;
	o.color = !a.json && use_color(g);
	if (tgpl_scan_path(&res, ctx, db, engine, path, &opts) < 0 ||
	    tgpl_check_revision(&sum, ctx, db, res.path, res.commit[0] ? res.commit : NULL, policy,
				on_finding, &o) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = EXIT_RUNTIME;
		goto done;
	}
	if (o.failed) {
		cli_error("out of memory");
		status = EXIT_RUNTIME;
		goto done;
	}
	if (a.json) {
		if (json_document(&line, &res, &o, &sum) < 0) {
			cli_error("out of memory");
			status = EXIT_RUNTIME;
			goto done;
		}
		fwrite(line.ptr, 1, line.len, stdout);
	} else {
		if (sum.dropped)
			printf("... and %llu more findings not shown\n", (unsigned long long)sum.dropped);
		if (!g->quiet) {
			plural(&line, sum.errors, "error");
			plural(&line, sum.warnings, "warning");
			if (sum.infos)
				plural(&line, sum.infos, "note");
			fputs("tgpl check: ", stdout);
			fputs(line.ptr ? line.ptr : "", stdout);
			fputs(" in ", stdout);
			cli_put_safe(stdout, res.path, strlen(res.path));
			if (res.commit[0])
				printf(" at %.12s", res.commit);
			putchar('\n');
		}
	}
	if (fflush(stdout) != 0) {
		cli_error("cannot write the findings");
		status = EXIT_RUNTIME;
	} else if (sum.errors) {
		status = EXIT_FINDINGS;
	}
done:
	tgpl_buf_release(&line);
	tgpl_buf_release(&o.findings);
	tgpl_check_policy_free(policy);
	tgpl_db_close(db);
	tgpl_engine_free(engine);
	tgpl_ctx_free(ctx);
	free(paths);
	return status;
}
