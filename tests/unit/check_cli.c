/*
 * check_cli.c — the command line as a user meets it: --help, --version,
 * usage errors, and the man pages kept in step with the option tables
 * (every option --help prints is in man/tgpl-CMD.1, and every option the
 * man page's OPTIONS section documents is in --help).
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "tgpl/common.h"

/* ---- helpers ----------------------------------------------------------------- */

static void assert_exit(const e2e_run *r, int status, const char *what)
{
	ck_assert_msg(!r->timed_out, "%s: timed out", what);
	ck_assert_msg(r->status == status, "%s: exit %d (signal %d), expected %d\nstdout: %s\nstderr: %s",
		      what, r->status, r->signal, status, r->out, r->err);
}

static int is_name_char(int c)
{
	return islower(c) || isdigit(c);
}

/* Long options ("--name") anywhere in text printed by --help. */
static void help_options(e2e_list *out, const char *text)
{
	const char *p = text;

	while ((p = strstr(p, "--")) != NULL) {
		const char *s = p + 2, *e = s;

		while (is_name_char((unsigned char)*e) || (*e == '-' && is_name_char((unsigned char)e[1])))
			e++;
		if (e > s && is_name_char((unsigned char)*s) && (p == text || !isalnum((unsigned char)p[-1]))) {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)(e - s), s);
			if (!e2e_list_has(out, name))
				e2e_list_add(out, name);
		}
		p = e > s ? e : p + 2;
	}
}

/* Long options written "\-\-name" (man escaping, '\-' inside names) in [text, end). */
static void man_options(e2e_list *out, const char *text, const char *end)
{
	const char *p = text;

	while (p < end && (p = strstr(p, "\\-\\-")) != NULL && p < end) {
		const char *s = p + 4;
		char name[64];
		size_t n = 0;

		while (s < end && n + 1 < sizeof(name)) {
			if (is_name_char((unsigned char)*s))
				name[n++] = *s++;
			else if (s[0] == '\\' && s[1] == '-' && n > 0 && is_name_char((unsigned char)s[2])) {
				name[n++] = '-';
				s += 2;
			} else
				break;
		}
		name[n] = '\0';
		if (n > 0 && !e2e_list_has(out, name))
			e2e_list_add(out, name);
		p = s > p + 4 ? s : p + 4;
	}
}

/* The body of section `.SH NAME` (up to the next .SH), or NULL. */
static const char *man_section(const char *page, const char *name, const char **end)
{
	char head[64];
	const char *p, *next;

	snprintf(head, sizeof(head), "\n.SH %s\n", name);
	p = strstr(page, head);
	if (!p)
		return NULL;
	p += strlen(head);
	next = strstr(p, "\n.SH ");
	*end = next ? next + 1 : p + strlen(p);
	return p;
}

static char *read_man(const char *page)
{
	const char *src = getenv("TGPL_SRCDIR");
	char path[4096];
	char *text;

	ck_assert_msg(src && *src, "TGPL_SRCDIR is not set (run through make check-unit)");
	snprintf(path, sizeof(path), "%s/man/%s", src, page);
	text = e2e_read_file(path, NULL);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	return text;
}

/* The commands listed under "Commands:" in `tgpl --help`. */
static void help_commands(e2e_list *out)
{
	e2e_run r;
	const char *p, *nl;

	e2e_tgpl(&r, NULL, "--help", NULL);
	assert_exit(&r, 0, "tgpl --help");
	p = strstr(r.out, "\nCommands:\n");
	ck_assert_msg(p != NULL, "no Commands: list in <%s>", r.out);
	for (p += strlen("\nCommands:\n"); p[0] == ' ' && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		const char *s = p, *e;
		char name[64];

		while (*s == ' ')
			s++;
		for (e = s; *e && *e != ' ' && *e != '\n'; e++)
			;
		snprintf(name, sizeof(name), "%.*s", (int)(e - s), s);
		ck_assert_msg(name[0] != '\0', "empty command line in <%s>", r.out);
		e2e_list_add(out, name);
	}
	ck_assert_msg(out->n > 0, "no commands listed in <%s>", r.out);
	e2e_run_release(&r);
}

/*
 * Both directions between an option list printed by --help and a man page:
 * each printed option appears as \-\-NAME somewhere in the page, and each
 * \-\-NAME in the OPTIONS section is printed.  Disagreements are added to
 * `problems`; returns how many.
 */
static size_t help_man_problems(const char *help, const char *page_name, e2e_list *problems)
{
	e2e_list printed = E2E_LIST_INIT, anywhere = E2E_LIST_INIT, documented = E2E_LIST_INIT;
	size_t before = problems->n;
	char *page = read_man(page_name);
	const char *opts, *end = NULL;
	size_t i;

	help_options(&printed, help);
	ck_assert_msg(printed.n > 0, "no options in --help for %s", page_name);
	man_options(&anywhere, page, page + strlen(page));
	opts = man_section(page, "OPTIONS", &end);
	ck_assert_msg(opts != NULL, "%s has no OPTIONS section", page_name);
	man_options(&documented, opts, end);
	for (i = 0; i < printed.n; i++)
		if (!e2e_list_has(&anywhere, printed.v[i]))
			e2e_list_addf(problems, "--%s is in --help but not in man/%s (as \\-\\-%s)",
				      printed.v[i], page_name, printed.v[i]);
	for (i = 0; i < documented.n; i++)
		if (!e2e_list_has(&printed, documented.v[i]))
			e2e_list_addf(problems, "man/%s documents --%s in OPTIONS, but --help does not print it",
				      page_name, documented.v[i]);
	e2e_list_release(&documented);
	e2e_list_release(&anywhere);
	e2e_list_release(&printed);
	free(page);
	return problems->n - before;
}

/* Fail with every disagreement listed (stderr), so one run shows the whole drift. */
static void assert_no_problems(e2e_list *problems)
{
	size_t i;

	for (i = 0; i < problems->n; i++)
		fprintf(stderr, "man/help drift: %s\n", problems->v[i]);
	ck_assert_msg(problems->n == 0, "%zu disagreements between --help and the man pages; first: %s",
		      problems->n, problems->n ? problems->v[0] : "");
}

/* ---- tests ------------------------------------------------------------------- */

START_TEST(version_prints_tgpl_and_the_library_version)
{
	e2e_run r;

	e2e_tgpl(&r, NULL, "--version", NULL);
	assert_exit(&r, 0, "--version");
	ck_assert_str_eq(r.out, "tgpl " TGPL_VERSION "\n");
	ck_assert_uint_eq(r.err_len, 0);
	e2e_run_release(&r);
}
END_TEST

START_TEST(help_prints_usage_commands_and_global_options_on_stdout)
{
	e2e_list opts = E2E_LIST_INIT, want = E2E_LIST_INIT, cmds = E2E_LIST_INIT;
	e2e_run r;

	e2e_tgpl(&r, NULL, "--help", NULL);
	assert_exit(&r, 0, "--help");
	ck_assert_msg(strncmp(r.out, "usage: tgpl ", 12) == 0, "<%s>", r.out);
	ck_assert_uint_eq(r.err_len, 0);
	help_options(&opts, r.out);
	e2e_list_add(&want, "db");
	e2e_list_add(&want, "quiet");
	e2e_list_add(&want, "verbose");
	e2e_list_add(&want, "color");
	e2e_list_add(&want, "help");
	e2e_list_add(&want, "version");
	e2e_list_assert_eq(&opts, &want, "options in tgpl --help");
	help_commands(&cmds);
	ck_assert(e2e_list_has(&cmds, "scan"));
	e2e_list_release(&cmds);
	e2e_list_release(&want);
	e2e_list_release(&opts);
	e2e_run_release(&r);
}
END_TEST

START_TEST(scan_help_exits_zero_and_lists_rev)
{
	e2e_run r;

	e2e_tgpl(&r, NULL, "scan", "--help", NULL);
	assert_exit(&r, 0, "scan --help");
	ck_assert_msg(strncmp(r.out, "usage: tgpl scan ", 17) == 0, "<%s>", r.out);
	ck_assert_msg(strstr(r.out, "\n  -r, --rev REV ") != NULL, "no --rev line in <%s>", r.out);
	ck_assert_uint_eq(r.err_len, 0);
	e2e_run_release(&r);
	/* help after a global option, and -h, are the same text */
	{
		e2e_run a, b;
		e2e_tgpl(&a, NULL, "scan", "--help", NULL);
		e2e_tgpl(&b, NULL, "--quiet", "scan", "-h", NULL);
		assert_exit(&b, 0, "--quiet scan -h");
		ck_assert_str_eq(a.out, b.out);
		e2e_run_release(&a);
		e2e_run_release(&b);
	}
}
END_TEST

START_TEST(unknown_command_or_option_is_a_usage_error_naming_it)
{
	static const char *const cases[][3] = {
		{ "frobnicate", NULL, "'frobnicate'" },
		{ "--frobnicate", NULL, "'--frobnicate'" },
		{ "scan", "--frobnicate", "'--frobnicate'" },
		{ "scan", "-Z", "'-Z'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e2e_run r;
		char what[64];

		snprintf(what, sizeof(what), "tgpl %s %s", cases[i][0], cases[i][1] ? cases[i][1] : "");
		e2e_tgpl(&r, e2e_tmp, cases[i][0], cases[i][1], NULL);
		assert_exit(&r, 2, what);
		ck_assert_msg(strstr(r.err, cases[i][2]) != NULL, "%s: stderr does not name %s: <%s>", what,
			      cases[i][2], r.err);
		ck_assert_msg(strncmp(r.err, "tgpl: ", 6) == 0, "%s: <%s>", what, r.err);
		ck_assert_uint_eq(r.out_len, 0);
		e2e_run_release(&r);
	}
	/* a usage error creates no database in the working directory */
	{
		char *db = e2e_path(e2e_tmp, "tgpl.db");
		ck_assert_msg(access(db, F_OK) < 0, "a usage error created %s", db);
		free(db);
	}
}
END_TEST

START_TEST(every_command_help_lists_options_documented_in_its_man_page)
{
	e2e_list cmds = E2E_LIST_INIT, problems = E2E_LIST_INIT;
	size_t i;

	help_commands(&cmds);
	for (i = 0; i < cmds.n; i++) {
		char page[128], usage[128];
		e2e_run r;

		e2e_tgpl(&r, NULL, cmds.v[i], "--help", NULL);
		snprintf(usage, sizeof(usage), "usage: tgpl %s ", cmds.v[i]);
		assert_exit(&r, 0, cmds.v[i]);
		ck_assert_msg(strncmp(r.out, usage, strlen(usage)) == 0, "%s --help: <%s>", cmds.v[i], r.out);
		ck_assert_msg(strstr(r.out, "\nOptions:\n  -") != NULL, "%s --help lists no options: <%s>",
			      cmds.v[i], r.out);
		snprintf(page, sizeof(page), "tgpl-%s.1", cmds.v[i]);
		help_man_problems(r.out, page, &problems);
		e2e_run_release(&r);
	}
	assert_no_problems(&problems);
	e2e_list_release(&problems);
	e2e_list_release(&cmds);
}
END_TEST

START_TEST(tgpl_man_page_matches_help_and_names_every_command)
{
	e2e_list cmds = E2E_LIST_INIT, problems = E2E_LIST_INIT;
	char *page = read_man("tgpl.1");
	const char *sec, *end = NULL;
	e2e_run r;
	size_t i;

	e2e_tgpl(&r, NULL, "--help", NULL);
	assert_exit(&r, 0, "--help");
	help_man_problems(r.out, "tgpl.1", &problems);
	e2e_run_release(&r);
	assert_no_problems(&problems);
	e2e_list_release(&problems);

	help_commands(&cmds);
	sec = man_section(page, "COMMANDS", &end);
	ck_assert_msg(sec != NULL, "tgpl.1 has no COMMANDS section");
	for (i = 0; i < cmds.n; i++) {
		char b[80], br[80];
		const char *p;
		int found = 0;

		/* ".B scan" or ".BR scan ..." at the start of a line of the section */
		snprintf(b, sizeof(b), "\n.B %s\n", cmds.v[i]);
		snprintf(br, sizeof(br), "\n.BR %s ", cmds.v[i]);
		for (p = sec - 1; p && p < end && !found; p = strchr(p + 1, '\n'))
			found = strncmp(p, b, strlen(b)) == 0 || strncmp(p, br, strlen(br)) == 0;
		ck_assert_msg(found, "tgpl.1's COMMANDS section does not list '%s'", cmds.v[i]);
	}
	e2e_list_release(&cmds);
	free(page);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli (end to end)");

	e2e_add_test(s, version_prints_tgpl_and_the_library_version, 60);
	e2e_add_test(s, help_prints_usage_commands_and_global_options_on_stdout, 60);
	e2e_add_test(s, scan_help_exits_zero_and_lists_rev, 60);
	e2e_add_test(s, unknown_command_or_option_is_a_usage_error_naming_it, 60);
	e2e_add_test(s, every_command_help_lists_options_documented_in_its_man_page, 60);
	e2e_add_test(s, tgpl_man_page_matches_help_and_names_every_command, 60);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
