/*
 * cli.h — what the subcommands share: global options, the option tables
 * that are the single source of --help (and are checked against the man
 * pages by a test), and message helpers.
 */
#ifndef TGPL_CLI_H
#define TGPL_CLI_H

#include <stdio.h>

#include "tgpl.h"

/* Exit statuses (DESIGN.md §3). */
enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

typedef enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color_mode;

/* Options every command accepts, before or after its name. */
typedef struct {
	const char *db;        /* --db FILE (default ./tgpl.db) */
	int quiet;
	int verbose;
	color_mode color;
	int help;
} cli_global;

/* One option of a command: the table is parsed, printed by --help, and
 * compared with the man page by tests/unit/check_cli.c. */
typedef struct {
	int id;                /* returned to the command's handler; 0 ends the table */
	char short_name;       /* 0 if none */
	const char *long_name;
	const char *arg;       /* metavariable, or NULL for a flag */
	const char *help;
} cli_option;

typedef struct cli_command {
	const char *name;
	int (*run)(const struct cli_command *cmd, int argc, char **argv, cli_global *g);
	const char *usage;     /* after "tgpl NAME " */
	const char *summary;   /* one line */
	const cli_option *options;
} cli_command;

/*
 * Parse argv (argv[0] is the command name): global options anywhere,
 * the command's own through `on_option`, positionals collected into
 * args/nargs (an array of argv pointers the caller frees).  "--" ends
 * options.  Returns 0, or EXIT_USAGE after printing the problem.
 */
typedef int (*cli_option_cb)(int id, const char *value, void *payload);
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_global *g,
	      cli_option_cb on_option, void *payload, char ***args, int *nargs);

void cli_print_help(FILE *f, const cli_command *cmd);
void cli_print_global_options(FILE *f);

/* "tgpl: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const cli_global *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log callback for the library: warnings on stderr unless --quiet. */
void cli_log(int level, const char *msg, void *payload);

/* Open the engine, reporting failure; NULL on error. */
/*
 * Point the library at the licence data next to the program (the build
 * tree, or PREFIX/share/tgpl) by setting TGPL_DATADIR, unless it is set.
 * Every library call that takes a NULL data directory then finds it.
 */
void cli_init_datadir(void);
tgpl_engine *cli_engine(tgpl_ctx *ctx);

/* Map a library error to an exit status. */
int cli_exit_for(int rc);
/* A --policy argument: the file if it names one, else a shipped policy's
 * name ("tgpl-accepting"); as tgpl_policy_load(). */
int cli_load_policy(tgpl_policy **out, tgpl_ctx *ctx, const char *arg);

/* Print bytes for a terminal or a line-oriented stream: control characters
 * and invalid UTF-8 are shown escaped (\n, \x1b, ...), never sent raw. */
void cli_put_safe(FILE *f, const char *s, size_t n);

extern const cli_command cli_commands[];
const cli_command *cli_find_command(const char *name);

/* Commands and their option tables (cmd_<name>.c). */
extern const cli_option scan_options[], detect_options[], licenses_options[];
extern const cli_option report_options[];
int cmd_scan(const cli_command *cmd, int argc, char **argv, cli_global *g);
int cmd_detect(const cli_command *cmd, int argc, char **argv, cli_global *g);
int cmd_licenses(const cli_command *cmd, int argc, char **argv, cli_global *g);
extern const cli_option check_options[], contains_options[];
int cmd_check(const cli_command *cmd, int argc, char **argv, cli_global *g);
int cmd_contains(const cli_command *cmd, int argc, char **argv, cli_global *g);
int cmd_report(const cli_command *cmd, int argc, char **argv, cli_global *g);
extern const cli_option merge_options[];
int cmd_merge(const cli_command *cmd, int argc, char **argv, cli_global *g);
extern const cli_option obligations_options[];
int cmd_obligations(const cli_command *cmd, int argc, char **argv, cli_global *g);

#endif
