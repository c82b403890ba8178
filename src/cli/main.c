/*
 * main.c — the tgpl command: global options and dispatch from a table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const cli_command cli_commands[] = {
	{ "scan", cmd_scan, "[OPTIONS] PATH...",
	  "scan git repositories or directories into the database", scan_options },
	{ "detect", cmd_detect, "[OPTIONS] FILE...",
	  "detect licences in files, without a database", detect_options },
	{ "licenses", cmd_licenses, "[OPTIONS] [ID]",
	  "list the licences tgpl knows, or show one", licenses_options },
	{ "report", cmd_report, "[OPTIONS]",
	  "report the scanned corpus: text, JSON, CSV, Markdown, HTML, SPDX, SWHIDs, NOTICE",
	  report_options },
	{ "obligations", cmd_obligations, "[OPTIONS]",
	  "what training on the scanned corpus triggers, judged by a policy", obligations_options },
	{ "check", cmd_check, "[OPTIONS] [PATH]",
	  "lint one repository's licensing: each finding with file:line and a fix", check_options },
	{ "contains", cmd_contains, "[OPTIONS] FILE...",
	  "whether files' contents are in the scanned corpus, where, under which licence",
	  contains_options },
	{ "merge", cmd_merge, "[OPTIONS] OUT.db IN.db...",
	  "merge shard databases into one", merge_options },
	{ NULL, NULL, NULL, NULL, NULL }
};

const cli_command *cli_find_command(const char *name)
{
	const cli_command *c;

	for (c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	const cli_command *c;

	fprintf(f, "usage: tgpl [--db FILE] [--quiet|--verbose] [--color=WHEN] COMMAND [ARGS]\n"
		   "       tgpl --help | --version | COMMAND --help\n\n"
		   "tgpl finds the licences, training clauses and opt-outs in repositories and\n"
		   "reports what training a model on them obliges you to do.\n\nCommands:\n");
	for (c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fputc('\n', f);
	cli_print_global_options(f);
	fprintf(f, "\nExit status: 0 success, 1 findings the policy rejects, 2 usage error,\n"
		   "3 runtime error.  'man tgpl' has the details.\n");
}

int main(int argc, char **argv)
{
	cli_global g = { NULL, 0, 0, COLOR_AUTO, 0 };
	int i;

	cli_init_datadir();

	/* Global options may come before the command name. */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("tgpl %s\n", tgpl_version());
			return EXIT_OK;
		} else if (strcmp(a, "--db") == 0 && i + 1 < argc) {
			g.db = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			g.db = a + 5;
		} else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			g.quiet = 1;
		} else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
			g.verbose = 1;
		} else if (strncmp(a, "--color", 7) == 0 && (a[7] == '\0' || a[7] == '=')) {
			const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : "");
			if (strcmp(v, "auto") == 0)
				g.color = COLOR_AUTO;
			else if (strcmp(v, "always") == 0)
				g.color = COLOR_ALWAYS;
			else if (strcmp(v, "never") == 0)
				g.color = COLOR_NEVER;
			else {
				cli_error("--color takes auto, always or never, not '%s'", v);
				return EXIT_USAGE;
			}
		} else if (a[0] == '-') {
			cli_error("unknown option '%s' (see 'tgpl --help')", a);
			return EXIT_USAGE;
		} else {
			const cli_command *cmd = cli_find_command(a);
			if (!cmd) {
				cli_error("unknown command '%s' (see 'tgpl --help')", a);
				return EXIT_USAGE;
			}
			return cmd->run(cmd, argc - i, argv + i, &g);
		}
	}
	usage(stderr);
	return EXIT_USAGE;
}
