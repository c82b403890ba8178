/*
 * cmd_obligations.c — `tgpl obligations`: what training on the scanned
 * corpus triggers (DESIGN.md §4), under a policy, with the verdict of each
 * repository; optionally the obligation record of the trained model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tgpl/obligations.h"
#include "util/util.h"

#define MAX_INHERIT 64

enum { OPT_POLICY = 1, OPT_INHERIT, OPT_JSON, OPT_RECORD, OPT_MAX_EVIDENCE };

const cli_option obligations_options[] = {
	{ OPT_POLICY, 'p', "policy", "FILE",
	  "judge under this policy file, or a shipped one by name (permissive-only, ...)" },
	{ OPT_INHERIT, 'i', "inherit", "RECORD.json",
	  "add the obligations of a base model's record (repeatable)" },
	{ OPT_JSON, 'j', "json", NULL, "print JSON instead of text" },
	{ OPT_RECORD, 'r', "record", "FILE", "also write the obligation record of the trained model" },
	{ OPT_MAX_EVIDENCE, 0, "max-evidence", "N",
	  "list at most N pieces of evidence per obligation and repository (default 1000)" },
	{ 0, 0, NULL, NULL, NULL }
};

typedef struct {
	const char *policy;
	const char *inherit[MAX_INHERIT];
	size_t n_inherit;
	int json;
	const char *record;
	size_t max_evidence;
} obligations_args;

static int on_option(int id, const char *value, void *payload)
{
	obligations_args *a = payload;
	uint64_t n;

	switch (id) {
	case OPT_POLICY:
		a->policy = value;
		break;
	case OPT_INHERIT:
		if (a->n_inherit >= MAX_INHERIT) {
			cli_error("obligations: at most %d --inherit records", MAX_INHERIT);
			return EXIT_USAGE;
		}
		a->inherit[a->n_inherit++] = value;
		break;
	case OPT_JSON:
		a->json = 1;
		break;
	case OPT_RECORD:
		a->record = value;
		break;
	case OPT_MAX_EVIDENCE:
		if (tgpl_parse_u64(value, &n) < 0 || n == 0 || n > 1000000) {
			cli_error("obligations: --max-evidence takes a number from 1 to 1000000, not '%s'",
				  value);
			return EXIT_USAGE;
		}
		a->max_evidence = (size_t)n;
		break;
	}
	return 0;
}

static void put_lines(const tgpl_evidence *e)
{
	if (e->start_line == 0)
		return;
	if (e->end_line > e->start_line)
		printf(":%u-%u", e->start_line, e->end_line);
	else
		printf(":%u", e->start_line);
}

static void print_evidence(const tgpl_evidence *e)
{
	fputs("      ", stdout);
	if (e->repo_path)
		cli_put_safe(stdout, e->repo_path, strlen(e->repo_path));
	else
		fputs("(base model)", stdout);
	if (e->commit)
		printf("@%.12s", e->commit);
	if (e->path) {
		fputc(' ', stdout);
		cli_put_safe(stdout, e->path, strlen(e->path));
		put_lines(e);
	}
	printf("  %s", tgpl_evidence_kind_name(e->kind));
	if (e->source) {
		fputc(' ', stdout);
		cli_put_safe(stdout, e->source, strlen(e->source));
	}
	printf("  %s (%s)", tgpl_action_name(e->action), e->rule ? e->rule : "");
	if (e->record) {
		fputs("  from ", stdout);
		cli_put_safe(stdout, e->record, strlen(e->record));
	}
	fputc('\n', stdout);
	if (e->swhid) {
		fputs("        ", stdout);
		cli_put_safe(stdout, e->swhid, strlen(e->swhid));
		fputc('\n', stdout);
	}
}

static void print_text(const tgpl_obligations *r, const cli_global *g)
{
	size_t i, j, n;

	printf("policy: %s\nverdict: %s%s\n", tgpl_obligations_policy_name(r),
	       tgpl_verdict_name(tgpl_obligations_verdict(r)),
	       tgpl_obligations_denied(r) ? " (something is denied)" : "");
	n = tgpl_obligations_count(r);
	printf("\nobligations: %zu\n", n);
	for (i = 0; i < n; i++) {
		const tgpl_obligation *o = tgpl_obligations_at(r, i);

		printf("  %-22s %-7s %zu repositor%s\n    %s\n", o->name, tgpl_action_name(o->action),
		       o->n_repos, o->n_repos == 1 ? "y" : "ies", o->meaning);
		if (o->n_sources) {
			fputs("    from:", stdout);
			for (j = 0; j < o->n_sources; j++) {
				fputc(' ', stdout);
				cli_put_safe(stdout, o->sources[j], strlen(o->sources[j]));
			}
			fputc('\n', stdout);
		}
		if (g->quiet)
			continue;
		for (j = 0; j < o->n_evidence; j++)
			print_evidence(&o->evidence[j]);
		if (o->n_omitted)
			printf("      ... and %zu more (--max-evidence)\n", o->n_omitted);
	}
	n = tgpl_obligations_conflict_count(r);
	printf("\nconflicts: %zu\n", n);
	for (i = 0; i < n; i++) {
		const tgpl_conflict *c = tgpl_obligations_conflict_at(r, i);

		printf("  %-32s %s%s%s\n    %s\n", c->id, tgpl_action_name(c->action),
		       c->resolved ? " (resolved: one side is excluded)" : "",
		       c->inherited ? " (inherited)" : "", c->sentence);
		if (c->n_repos) {
			fputs("    repositories:", stdout);
			for (j = 0; j < c->n_repos; j++) {
				const tgpl_repository *p = tgpl_obligations_repo_at(r, c->repos[j]);
				fputc(' ', stdout);
				cli_put_safe(stdout, p->path, strlen(p->path));
			}
			fputc('\n', stdout);
		}
	}
	n = tgpl_obligations_repo_count(r);
	printf("\nrepositories: %zu\n", n);
	for (i = 0; i < n; i++) {
		const tgpl_repository *p = tgpl_obligations_repo_at(r, i);

		printf("  %-24s ", tgpl_verdict_name(p->verdict));
		cli_put_safe(stdout, p->path, strlen(p->path));
		if (p->commit)
			printf("@%.12s", p->commit);
		printf("\n    %s\n", p->reason);
	}
}

static int64_t record_time(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t t;

	if (sde && tgpl_parse_u64(sde, &t) == 0 && t <= (uint64_t)INT64_MAX / 2)
		return (int64_t)t;
	return (int64_t)time(NULL);
}

/* Write text to path through a temporary file in the same directory, so a
 * reader never sees half a record. */
static int write_file(const char *path, const char *text)
{
	tgpl_buf tmp = TGPL_BUF_INIT;
	FILE *f = NULL;
	int fd, ok = 0;

	if (tgpl_buf_printf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		cli_error("out of memory");
		return -1;
	}
	if ((fd = mkstemp(tmp.ptr)) < 0 || !(f = fdopen(fd, "w"))) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp.ptr);
		}
		tgpl_buf_release(&tmp);
		return -1;
	}
	{
		/* mkstemp made it 0600; give the record the mode a plain create would. */
		mode_t mask = umask(0);
		umask(mask);
		ok = fchmod(fileno(f), 0666 & ~mask) == 0;
	}
	ok = ok && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
	if (fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp.ptr, path) != 0)
		ok = 0;
	if (!ok) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp.ptr);
	}
	tgpl_buf_release(&tmp);
	return ok ? 0 : -1;
}

int cmd_obligations(const cli_command *cmd, int argc, char **argv, cli_global *g)
{
	obligations_args a;
	tgpl_obligations_options opts = TGPL_OBLIGATIONS_OPTIONS_INIT;
	tgpl_ctx *ctx = NULL;
	tgpl_db *db = NULL;
	tgpl_policy *policy = NULL;
	tgpl_obligations *r = NULL;
	char **args = NULL, *text = NULL;
	int nargs = 0, status = EXIT_OK, rc;

	memset(&a, 0, sizeof(a));
	if ((rc = cli_parse(cmd, argc, argv, g, on_option, &a, &args, &nargs)) != 0)
		return rc;
	if (nargs) {
		cli_error("obligations: unexpected argument '%s' (see 'tgpl obligations --help')",
			  args[0]);
		free(args);
		return EXIT_USAGE;
	}
	if (tgpl_ctx_new(&ctx) < 0) {
		cli_error("out of memory");
		free(args);
		return EXIT_RUNTIME;
	}
	tgpl_ctx_set_log(ctx, cli_log, g);
	/* A policy that does not load is a usage error, as for `tgpl check`. */
	if (a.policy && (rc = cli_load_policy(&policy, ctx, a.policy)) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = rc == TGPL_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
		goto done;
	}
	if ((rc = tgpl_db_open(&db, ctx, g->db ? g->db : "tgpl.db", TGPL_DB_READONLY)) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = cli_exit_for(rc);
		goto done;
	}
	opts.policy = policy;
	opts.inherit = a.inherit;
	opts.n_inherit = a.n_inherit;
	opts.max_evidence = a.max_evidence;
	if ((rc = tgpl_obligations_compute(&r, ctx, db, &opts)) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = cli_exit_for(rc);
		goto done;
	}
	if (a.record) {
		if ((rc = tgpl_obligation_record_json(&text, ctx, r, record_time())) < 0) {
			cli_error("%s", tgpl_errmsg(ctx));
			status = cli_exit_for(rc);
			goto done;
		}
		if (write_file(a.record, text) < 0) {
			status = EXIT_RUNTIME;
			goto done;
		}
		free(text);
		text = NULL;
	}
	if (a.json) {
		if ((rc = tgpl_obligations_json(&text, ctx, r)) < 0) {
			cli_error("%s", tgpl_errmsg(ctx));
			status = cli_exit_for(rc);
			goto done;
		}
		puts(text);
	} else {
		print_text(r, g);
	}
	if (fflush(stdout) != 0) {
		cli_error("cannot write the results");
		status = EXIT_RUNTIME;
		goto done;
	}
	status = tgpl_obligations_denied(r) ? EXIT_FINDINGS : EXIT_OK;
done:
	free(text);
	tgpl_obligations_free(r);
	tgpl_policy_free(policy);
	tgpl_db_close(db);
	tgpl_ctx_free(ctx);
	free(args);
	return status;
}
