/*
 * cli.c — option parsing from the commands' tables, --help, and messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/util.h"

/* The global options, described once for every --help. */
static const cli_option global_options[] = {
	{ 1, 0, "db", "FILE", "database to use (default: ./tgpl.db)" },
	{ 2, 'q', "quiet", NULL, "print only results and errors; no progress" },
	{ 3, 'v', "verbose", NULL, "print more about what is done" },
	{ 4, 0, "color", "WHEN", "colour output: auto, always or never (NO_COLOR is honoured)" },
	{ 5, 'h', "help", NULL, "show this help and exit" },
	{ 0, 0, NULL, NULL, NULL }
};

/* Messages carry names from the data (paths, revisions): escape them so a
 * hostile name cannot move the cursor or forge a line of its own. */
static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	char msg[2048];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (n < 0)
		return;
	fputs(prefix, stderr);
	cli_put_safe(stderr, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("tgpl: ", fmt, ap);
	va_end(ap);
}

void cli_warn(const cli_global *g, const char *fmt, ...)
{
	va_list ap;

	if (g && g->quiet)
		return;
	va_start(ap, fmt);
	vmessage("tgpl: warning: ", fmt, ap);
	va_end(ap);
}

void cli_log(int level, const char *msg, void *payload)
{
	const cli_global *g = payload;

	if (level == TGPL_LOG_DEBUG && !(g && g->verbose))
		return;
	if (level >= TGPL_LOG_WARN && g && g->quiet)
		return;
	fprintf(stderr, "tgpl: %s", level == TGPL_LOG_WARN ? "warning: " : "");
	cli_put_safe(stderr, msg, strlen(msg));
	fputc('\n', stderr);
}

void cli_put_safe(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else if (c >= 0x80 && !tgpl_utf8_valid(s + i, 1)) {
			/* Copy a whole valid UTF-8 sequence, escape a bad byte. */
			size_t k = 1;
			while (k < 4 && i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
				k++;
			if (tgpl_utf8_valid(s + i, k)) {
				fwrite(s + i, 1, k, f);
				i += k - 1;
			} else {
				fprintf(f, "\\x%02x", c);
			}
		} else
			fputc(c, f);
	}
}

static void print_options(FILE *f, const cli_option *o)
{
	for (; o && o->id; o++) {
		char left[80];

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->long_name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->long_name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
}

void cli_print_global_options(FILE *f)
{
	fprintf(f, "Global options (before or after the command):\n");
	print_options(f, global_options);
}

void cli_print_help(FILE *f, const cli_command *cmd)
{
	fprintf(f, "usage: tgpl %s %s\n\n%c%s.\n\n", cmd->name, cmd->usage,
		cmd->summary[0] - 'a' + 'A', cmd->summary + 1);
	if (cmd->options && cmd->options[0].id) {
		fprintf(f, "Options:\n");
		print_options(f, cmd->options);
		fputc('\n', f);
	}
	cli_print_global_options(f);
	fprintf(f, "\nSee 'man tgpl-%s' for details.\n", cmd->name);
}

static const cli_option *find_long(const cli_option *o, const char *name, size_t n)
{
	for (; o && o->id; o++)
		if (strlen(o->long_name) == n && strncmp(o->long_name, name, n) == 0)
			return o;
	return NULL;
}

static const cli_option *find_short(const cli_option *o, char c)
{
	for (; o && o->id; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int apply_global(const cli_option *o, const char *v, cli_global *g)
{
	switch (o->id) {
	case 1: g->db = v; break;
	case 2: g->quiet = 1; break;
	case 3: g->verbose = 1; break;
	case 4:
		if (strcmp(v, "auto") == 0)
			g->color = COLOR_AUTO;
		else if (strcmp(v, "always") == 0)
			g->color = COLOR_ALWAYS;
		else if (strcmp(v, "never") == 0)
			g->color = COLOR_NEVER;
		else {
			cli_error("--color takes auto, always or never, not '%s'", v);
			return EXIT_USAGE;
		}
		break;
	case 5: g->help = 1; break;
	}
	return 0;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_global *g,
	      cli_option_cb on_option, void *payload, char ***args, int *nargs)
{
	char **pos = NULL;
	int n = 0, i, rc = 0, only_args = 0;

	pos = calloc((size_t)argc + 1, sizeof(*pos));
	if (!pos) {
		cli_error("out of memory");
		return EXIT_RUNTIME;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		const cli_option *o = NULL;
		int global = 0;

		if (only_args || a[0] != '-' || a[1] == '\0') {
			pos[n++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			if ((o = find_long(cmd->options, name, len)) == NULL &&
			    (o = find_long(global_options, name, len)) != NULL)
				global = 1;
			if (!o) {
				cli_error("%s: unknown option '%s' (see 'tgpl %s --help')", cmd->name, a, cmd->name);
				rc = EXIT_USAGE;
				goto done;
			}
			if (eq) {
				if (!o->arg) {
					cli_error("%s: option '--%s' takes no value", cmd->name, o->long_name);
					rc = EXIT_USAGE;
					goto done;
				}
				value = eq + 1;
			}
		} else {
			if ((o = find_short(cmd->options, a[1])) == NULL &&
			    (o = find_short(global_options, a[1])) != NULL)
				global = 1;
			if (!o) {
				cli_error("%s: unknown option '%s' (see 'tgpl %s --help')", cmd->name, a, cmd->name);
				rc = EXIT_USAGE;
				goto done;
			}
			if (a[2]) {
				if (!o->arg) {
					cli_error("%s: option '-%c' takes no value", cmd->name, a[1]);
					rc = EXIT_USAGE;
					goto done;
				}
				value = a + 2;
			}
		}
		if (o->arg && !value) {
			if (i + 1 >= argc) {
				cli_error("%s: option '--%s' needs a value (%s)", cmd->name, o->long_name, o->arg);
				rc = EXIT_USAGE;
				goto done;
			}
			value = argv[++i];
		}
		rc = global ? apply_global(o, value, g) : on_option(o->id, value, payload);
		if (rc)
			goto done;
	}
	if (g->help) {
		cli_print_help(stdout, cmd);
		free(pos);
		exit(EXIT_OK);
	}
	*args = pos;
	*nargs = n;
	return 0;
done:
	free(pos);
	return rc;
}

/*
 * Where the licence data is: $TGPL_DATADIR, else next to the program as the
 * build tree lays it out (build/tgpl, build/share/tgpl), else relative to an
 * installed program (PREFIX/bin/tgpl, PREFIX/share/tgpl), else the
 * configured data directory (NULL lets the library use it).
 */
static char *find_datadir(void)
{
	static const char *rel[] = { "/share/tgpl", "/../share/tgpl" };
	const char *env = getenv("TGPL_DATADIR");
	char exe[4096], probe[4200];
	ssize_t n;
	size_t i;

	if (env && *env)
		return NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if (strrchr(exe, '/'))
		*strrchr(exe, '/') = '\0';
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(probe, sizeof(probe), "%s%s/licenses.idx", exe, rel[i]);
		if (access(probe, R_OK) == 0) {
			snprintf(probe, sizeof(probe), "%s%s", exe, rel[i]);
			return strdup(probe);
		}
	}
	return NULL;
}

void cli_init_datadir(void)
{
	char *dir = find_datadir();

	if (dir && setenv("TGPL_DATADIR", dir, 0) < 0)
		cli_error("cannot set TGPL_DATADIR: %s", strerror(errno));
	free(dir);
}

tgpl_engine *cli_engine(tgpl_ctx *ctx)
{
	tgpl_engine *e = NULL;
	char *dir = find_datadir();
	int rc = tgpl_engine_open(&e, ctx, dir);

	free(dir);
	if (rc < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		return NULL;
	}
	return e;
}

int cli_exit_for(int rc)
{
	if (rc == 0)
		return EXIT_OK;
	if (rc == TGPL_EINVAL)
		return EXIT_RUNTIME;
	return EXIT_RUNTIME;
}

int cli_load_policy(tgpl_policy **out, tgpl_ctx *ctx, const char *arg)
{
	struct stat sb;
	size_t i;
	int is_name = arg[0] != '\0';

	for (i = 0; arg[i]; i++)
		if (!((arg[i] >= 'a' && arg[i] <= 'z') || (arg[i] >= '0' && arg[i] <= '9') ||
		      arg[i] == '-'))
			is_name = 0;
	if (is_name && stat(arg, &sb) < 0 && errno == ENOENT)
		return tgpl_policy_load_shipped(out, ctx, NULL, arg);
	return tgpl_policy_load(out, ctx, arg);
}
