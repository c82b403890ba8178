/*
 * cmd_merge.c — `tgpl merge OUT.db IN.db...`: fold shard databases into one
 * (tgpl_db_merge()), one transaction per input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/util.h"

enum { OPT_KEEP_GOING = 1 };

const cli_option merge_options[] = {
	{ OPT_KEEP_GOING, 'k', "keep-going", NULL,
	  "after an input that cannot be merged, merge the others (exit status 3 still)" },
	{ 0, 0, NULL, NULL, NULL }
};

static int on_option(int id, const char *value, void *payload)
{
	int *keep_going = payload;

	(void)value;
	if (id == OPT_KEEP_GOING)
		*keep_going = 1;
	return 0;
}

int cmd_merge(const cli_command *cmd, int argc, char **argv, cli_global *g)
{
	tgpl_ctx *ctx = NULL;
	tgpl_db *db = NULL;
	char **args = NULL;
	int nargs = 0, i, keep_going = 0, status = EXIT_OK, rc, failed = 0;

	if ((rc = cli_parse(cmd, argc, argv, g, on_option, &keep_going, &args, &nargs)) != 0)
		return rc;
	if (g->db) {
		cli_error("merge: the output database is the first argument, not --db "
			  "(see 'tgpl merge --help')");
		free(args);
		return EXIT_USAGE;
	}
	if (nargs < 2) {
		cli_error("merge: needs OUT.db and at least one IN.db (see 'tgpl merge --help')");
		free(args);
		return EXIT_USAGE;
	}
	if (tgpl_ctx_new(&ctx) < 0) {
		cli_error("out of memory");
		free(args);
		return EXIT_RUNTIME;
	}
	tgpl_ctx_set_log(ctx, cli_log, g);
	if (tgpl_db_open(&db, ctx, args[0], 0) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = EXIT_RUNTIME;
		goto done;
	}
	for (i = 1; i < nargs; i++) {
		tgpl_merge_stats st;

		if (tgpl_db_merge(&st, db, args[i]) < 0) {
			cli_error("%s", tgpl_errmsg(ctx));
			status = EXIT_RUNTIME;
			failed++;
			if (!keep_going)
				break;
			continue;
		}
		cli_put_safe(stdout, args[i], strlen(args[i]));
		printf(": %lld repositories, %lld revisions, %lld files, %lld blobs, %lld analyses, "
		       "%lld findings, %lld scan runs",
		       (long long)st.repositories, (long long)st.revisions, (long long)st.files,
		       (long long)st.blobs, (long long)st.analyses, (long long)st.findings,
		       (long long)st.scans);
		if (st.history)
			printf(", %lld licence-history rows", (long long)st.history);
		puts(" added");
	}
	if (failed && keep_going)
		cli_error("%d of %d inputs could not be merged", failed, nargs - 1);
	else if (failed && i + 1 < nargs)
		cli_error("stopped; %d later input%s not merged (--keep-going merges them)",
			  nargs - i - 1, nargs - i - 1 == 1 ? " was" : "s were");
done:
	tgpl_db_close(db);
	tgpl_ctx_free(ctx);
	free(args);
	return status;
}
