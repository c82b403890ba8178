/*
 * check_report.c — `tgpl report`: every format on a corpus the tests build
 * (with hostile file names and an origin URL carrying credentials), read
 * back exactly: CSV parsed, JSON parsed with jansson, the SPDX documents
 * validated against the official schemas (../shared/schemas, checksums
 * verified first) with python3-jsonschema, the HTML page rendered in
 * headless Chromium.  Those two checks skip with a message when their tool
 * or the schemas are absent.  The escapers and the SPDX expression rewriting
 * are also tested directly.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "support.h"
#include "report/report_int.h"
#include "tgpl.h"

#define COMMIT_DATE "1700000000 +0000"
#define REPORT_TIME "1700000500"
#define REPORT_ISO "2023-11-14T22:21:40Z"
#define ORIGIN_WITH_SECRET "https://alice:s3cret@example.org/acme/widget.git"
#define ORIGIN_CLEAN "https://example.org/acme/widget.git"
#define PWNED_PATH "<script>document.title='pwned'</script>"

/* Files whose names a report must escape, each holding one byte of content. */
static const char *const hostile[] = {
	PWNED_PATH,
	"=HYPERLINK(\"evil.example\",\"x\")",
	"-cmd.txt",
	"+1.txt",
	"@SUM(A1).txt",
	"a,b \"quoted\".txt",
	"new\nline.txt",
	"\x1b[31mred.txt",
	"[link](javascript:alert(1)) | cell.md",
	"sp ace;semi%pct.txt",
	"bad\xff" "byte.txt",
};
#define N_HOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* ---- helpers ----------------------------------------------------------------- */

static void show(const char *what, const e2e_run *r)
{
	fprintf(stderr, "%s: exit %d, signal %d%s\n--- stdout\n%.4000s\n--- stderr\n%s---\n", what, r->status,
		r->signal, r->timed_out ? ", timed out" : "", r->out, r->err);
}

static void assert_exit(const e2e_run *r, int status, const char *what)
{
	if (r->status != status || r->timed_out)
		show(what, r);
	ck_assert_msg(!r->timed_out, "%s: timed out", what);
	ck_assert_msg(r->status == status, "%s: exit %d (signal %d), expected %d; stderr: %s", what, r->status,
		      r->signal, status, r->err);
}

/* The corpus: a git repository with licences of every kind and hostile names. */
static char *make_corpus(char **commit_out)
{
	char *repo = e2e_mkdtemp("widget"), *mit;
	size_t i;

	e2e_git_init(repo);
	e2e_git_date(COMMIT_DATE);
	mit = e2e_license_text("MIT", "Copyright (c) 2024 Jane Doe");
	e2e_write_str(repo, "LICENSE", mit);
	free(mit);
	e2e_write_str(repo, "src/a.c", "// SPDX-License-Identifier: GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\nint a;\n");
	e2e_write_str(repo, "src/b.c", "// SPDX-License-Identifier: Foo-Bar\nint b;\n");
	e2e_write_str(repo, "src/c.c", "// SPDX-License-Identifier: LicenseRef-Mine\nint c;\n");
	e2e_write_str(repo, "LICENSES/LicenseRef-Mine.txt", "The Mine licence: be nice.\n");
	/* a training opt-out whose lines hold markup */
	e2e_write_str(repo, "robots.txt", "# <script>document.title='pwned'</script>\nUser-agent: GPTBot\nDisallow: /\n");
	for (i = 0; i < N_HOSTILE; i++)
		e2e_write_str(repo, hostile[i], "x");
	free(e2e_git(repo, "remote", "add", "origin", ORIGIN_WITH_SECRET, NULL));
	*commit_out = e2e_git_commit_all(repo, "corpus");
	return repo;
}

static char *scanned_corpus(char **repo_out, char **commit_out)
{
	char *db = e2e_path(e2e_tmp, "t.db");
	e2e_run r;

	*repo_out = make_corpus(commit_out);
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, *repo_out, NULL);
	assert_exit(&r, 0, "scan");
	e2e_run_release(&r);
	return db;
}

/* tgpl report --db DB --format F, expecting `status`; SOURCE_DATE_EPOCH fixed. */
static void run_report(e2e_run *r, const char *db, const char *format, int status)
{
	char what[128];

	setenv("SOURCE_DATE_EPOCH", REPORT_TIME, 1);
	e2e_tgpl(r, e2e_tmp, "report", "--db", db, "--format", format, NULL);
	snprintf(what, sizeof(what), "report --format %s", format);
	assert_exit(r, status, what);
}

/* Write a run's stdout to a file under e2e_tmp; caller frees the path. */
static char *save(const e2e_run *r, const char *name)
{
	char *path = e2e_path(e2e_tmp, name);

	e2e_write_file(e2e_tmp, name, r->out, r->out_len, 0644);
	return path;
}

static json_t *parse_json(const e2e_run *r)
{
	json_error_t err;
	json_t *j = json_loadb(r->out, r->out_len, 0, &err);

	ck_assert_msg(j != NULL, "not JSON: %s at line %d: %.2000s", err.text, err.line, r->out);
	return j;
}

static int executable(const char *path)
{
	return access(path, X_OK) == 0;
}

static char *srcdir_path(const char *rel)
{
	const char *src = getenv("TGPL_SRCDIR");

	ck_assert_msg(src && *src, "TGPL_SRCDIR is not set (run through make check-unit)");
	return e2e_path(src, rel);
}

/* python3 tests/e2e/validate_json.py SCHEMA DOC [SUMS]: 0 valid, 77 skip (no module). */
static int validate(const char *schema, const char *doc, const char *sums, e2e_run *r)
{
	char *script = srcdir_path("tests/e2e/validate_json.py");
	const char *argv[] = { "/usr/bin/python3", script, schema, doc, sums, NULL };

	e2e_run_argv(r, e2e_tmp, argv, 120);
	free(script);
	return r->status;
}

/* The official schemas, or NULL (the test then skips, saying why). */
static char *schemas_dir(void)
{
	char *dir = srcdir_path("../shared/schemas"), *sums = e2e_path(dir, "SHA256SUMS");
	int ok = access(sums, R_OK) == 0 && executable("/usr/bin/python3");

	free(sums);
	if (!ok) {
		fprintf(stderr, "SKIP: %s/SHA256SUMS or /usr/bin/python3 is missing; schema validation not run\n", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static void assert_valid(const char *schema_name, const char *doc)
{
	char *dir = schemas_dir(), *schema, *sums;
	e2e_run r;
	int st;

	if (!dir)
		return;
	schema = e2e_path(dir, schema_name);
	sums = e2e_path(dir, "SHA256SUMS");
	st = validate(schema, doc, sums, &r);
	if (st == 77)
		fprintf(stderr, "SKIP: python3-jsonschema is missing; %s not validated\n", schema_name);
	else {
		if (st != 0)
			show("validate", &r);
		ck_assert_msg(st == 0, "%s does not validate against %s:\n%s%s", doc, schema_name, r.out, r.err);
	}
	e2e_run_release(&r);
	free(sums);
	free(schema);
	free(dir);
}

/* SHA-1 of a file's content by sha1sum, as hex. */
static char *sha1_of(const char *path)
{
	const char *argv[] = { "sha1sum", path, NULL };
	e2e_run r;
	char *hex;

	e2e_run_argv(&r, e2e_tmp, argv, 30);
	ck_assert_int_eq(r.status, 0);
	ck_assert(r.out_len >= 40);
	hex = strndup(r.out, 40);
	e2e_run_release(&r);
	return hex;
}

/* The SWHID qualifier encoding the manifest documents: all but A-Z a-z 0-9 - . _ ~ / : @ ! $ & ' ( ) * + , */
static void pct(e2e_list *l, const char *prefix, const char *s, size_t n, const char *suffix)
{
	char buf[4096];
	size_t k = 0, i;

	k += (size_t)snprintf(buf, sizeof(buf), "%s", prefix);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c && strchr("-._~/:@!$&'()*+,", c)))
			buf[k++] = (char)c;
		else
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%%%02X", c);
	}
	snprintf(buf + k, sizeof(buf) - k, "%s", suffix);
	e2e_list_add(l, buf);
}

/* RFC 4180 parse: rows of cells (each cell a malloc'd string), for the assertions. */
typedef struct {
	e2e_list cells;     /* all cells, row after row */
	size_t cols;
	size_t rows;
} csv_doc;

static void csv_parse(csv_doc *d, const char *p, size_t n)
{
	const char *end = p + n;
	char cell[8192];
	size_t k, col = 0;

	memset(d, 0, sizeof(*d));
	while (p < end) {
		k = 0;
		if (*p == '"') {
			p++;
			for (;;) {
				ck_assert_msg(p < end, "unterminated quoted cell");
				if (*p == '"' && p + 1 < end && p[1] == '"') {
					cell[k++] = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					cell[k++] = *p++;
				}
				ck_assert(k < sizeof(cell) - 1);
			}
		} else {
			while (p < end && *p != ',' && *p != '\r' && *p != '\n') {
				ck_assert_msg(*p != '"', "a quote inside an unquoted cell");
				cell[k++] = *p++;
				ck_assert(k < sizeof(cell) - 1);
			}
		}
		cell[k] = '\0';
		e2e_list_add(&d->cells, cell);
		col++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		ck_assert_msg(p + 1 < end + 1 && p[0] == '\r' && p[1] == '\n', "row %zu does not end in CRLF", d->rows);
		p += 2;
		if (d->rows == 0)
			d->cols = col;
		ck_assert_msg(col == d->cols, "row %zu has %zu cells, the header %zu", d->rows, col, d->cols);
		d->rows++;
		col = 0;
	}
}

static const char *csv_cell(const csv_doc *d, size_t row, size_t col)
{
	return d->cells.v[row * d->cols + col];
}

/* ---- the command ------------------------------------------------------------- */

START_TEST(unknown_format_is_a_usage_error_naming_every_format)
{
	e2e_run r;

	e2e_tgpl(&r, e2e_tmp, "report", "--format", "pdf", NULL);
	assert_exit(&r, 2, "report --format pdf");
	ck_assert_msg(strstr(r.err, "tgpl: report: unknown format 'pdf' (one of: text, json, csv, md, html, "
				    "spdx-json, spdx3-jsonld, swhid, notice, timeline, timeline-json, obligation-record)") != NULL,
		      "<%s>", r.err);
	ck_assert_uint_eq(r.out_len, 0);
	e2e_run_release(&r);
	e2e_tgpl(&r, e2e_tmp, "report", "extra", NULL);
	assert_exit(&r, 2, "report extra");
	ck_assert_msg(strstr(r.err, "'extra'") != NULL, "<%s>", r.err);
	e2e_run_release(&r);
}
END_TEST

START_TEST(missing_database_is_a_runtime_error_and_is_not_created)
{
	char *db = e2e_path(e2e_tmp, "none.db");
	e2e_run r;

	e2e_tgpl(&r, e2e_tmp, "report", "--db", db, NULL);
	assert_exit(&r, 3, "report on a missing database");
	ck_assert_msg(strstr(r.err, "none.db") != NULL && strstr(r.err, "tgpl scan") != NULL, "<%s>", r.err);
	ck_assert_msg(access(db, F_OK) < 0, "report created %s", db);
	e2e_run_release(&r);
	free(db);
}
END_TEST

START_TEST(output_file_is_replaced_only_by_a_complete_report)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit);
	char *out = e2e_path(e2e_tmp, "out.csv"), *bad = e2e_path(e2e_tmp, "no/such/dir/out.csv"), *text;
	e2e_run r, s;
	struct stat st;

	e2e_write_str(e2e_tmp, "out.csv", "old");
	setenv("SOURCE_DATE_EPOCH", REPORT_TIME, 1);
	e2e_tgpl(&r, e2e_tmp, "report", "--db", db, "--format", "csv", "-o", out, NULL);
	assert_exit(&r, 0, "report -o");
	ck_assert_uint_eq(r.out_len, 0);
	run_report(&s, db, "csv", 0);
	text = e2e_read_file(out, NULL);
	ck_assert_msg(text && strcmp(text, s.out) == 0, "the -o file differs from stdout");
	ck_assert_int_eq(stat(out, &st), 0);
	{
		mode_t mask = umask(0);
		umask(mask);
		ck_assert_int_eq(st.st_mode & 0777, 0666 & ~mask);
	}
	free(text);
	e2e_run_release(&r);
	e2e_run_release(&s);

	e2e_tgpl(&r, e2e_tmp, "report", "--db", db, "-o", bad, NULL);
	assert_exit(&r, 3, "report -o into a missing directory");
	ck_assert_msg(strstr(r.err, "cannot create") != NULL, "<%s>", r.err);
	e2e_run_release(&r);
	free(bad);
	free(out);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

/* ---- swhid ------------------------------------------------------------------- */

START_TEST(swhid_manifest_has_one_line_per_content_with_encoded_qualifiers)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit);
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;
	e2e_tree tree;
	const char *p, *nl;
	e2e_run r;
	size_t i;

	run_report(&r, db, "swhid", 0);
	ck_assert_msg(strncmp(r.out, "# tgpl " TGPL_VERSION " provenance manifest, " REPORT_ISO ": 1 repositories\n",
			      strlen("# tgpl " TGPL_VERSION " provenance manifest, " REPORT_ISO)) == 0, "<%s>", r.out);
	for (p = r.out; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_msg(nl != NULL, "last line without a newline");
		if (*p != '#')
			e2e_list_addf(&got, "%.*s", (int)(nl - p), p);
	}
	e2e_ls_tree(&tree, repo, "HEAD");
	for (i = 0; i < tree.n; i++) {
		char prefix[512], suffix[512], *concluded;

		concluded = e2e_db_str(db, "SELECT concluded FROM files WHERE path = CAST(?1 AS BLOB)",
				       tree.v[i].path, NULL);
		if (!concluded)
			concluded = strdup("NOASSERTION");
		snprintf(prefix, sizeof(prefix), "swh:1:cnt:%s;origin=%s;anchor=swh:1:rev:%s;path=/", tree.v[i].oid,
			 ORIGIN_CLEAN, commit);
		snprintf(suffix, sizeof(suffix), "\t%s\t%s", commit, concluded);
		pct(&want, prefix, tree.v[i].path, tree.v[i].path_len, suffix);
		free(concluded);
	}
	e2e_list_assert_eq(&got, &want, "manifest lines");
	/* a newline or a ';' in a name never splits a line or a qualifier */
	ck_assert(strstr(r.out, "path=/new%0Aline.txt\t") != NULL);
	ck_assert(strstr(r.out, "path=/sp%20ace%3Bsemi%25pct.txt\t") != NULL);
	ck_assert(strstr(r.out, "s3cret") == NULL);
	e2e_tree_release(&tree);
	e2e_list_release(&got);
	e2e_list_release(&want);
	e2e_run_release(&r);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(report_reads_the_last_scanned_revision_of_each_repository)
{
	char *repo, *first, *second, *db = scanned_corpus(&repo, &first);
	e2e_run r;

	e2e_write_str(repo, "later.txt", "added later\n");
	second = e2e_git_commit_all(repo, "second");
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, repo, NULL);
	assert_exit(&r, 0, "second scan");
	e2e_run_release(&r);
	ck_assert_int_eq(e2e_db_count(db, "SELECT 1 FROM revisions", NULL), 2);
	run_report(&r, db, "swhid", 0);
	ck_assert(strstr(r.out, "path=/later.txt\t") != NULL);
	ck_assert(strstr(r.out, second) != NULL);
	ck_assert_msg(strstr(r.out, first) == NULL, "the first revision is reported too");
	e2e_run_release(&r);
	free(second);
	free(first);
	free(db);
	free(repo);
}
END_TEST

/* ---- csv --------------------------------------------------------------------- */

START_TEST(csv_has_a_row_per_entry_quotes_cells_and_neutralises_formulas)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit);
	e2e_list paths = E2E_LIST_INIT, want = E2E_LIST_INIT;
	e2e_tree tree;
	csv_doc d;
	e2e_run r;
	size_t i;

	run_report(&r, db, "csv", 0);
	csv_parse(&d, r.out, r.out_len);
	ck_assert_uint_eq(d.cols, 17);
	ck_assert_str_eq(csv_cell(&d, 0, 0), "repository");
	ck_assert_str_eq(csv_cell(&d, 0, 3), "path");
	ck_assert_str_eq(csv_cell(&d, 0, 15), "optouts");
	ck_assert_str_eq(csv_cell(&d, 0, 16), "obligations");
	e2e_ls_tree(&tree, repo, "HEAD");
	ck_assert_uint_eq(d.rows, tree.n + 1);
	for (i = 1; i < d.rows; i++) {
		e2e_list_add(&paths, csv_cell(&d, i, 3));
		ck_assert_str_eq(csv_cell(&d, i, 1), ORIGIN_CLEAN);
		ck_assert_str_eq(csv_cell(&d, i, 2), commit);
	}
	for (i = 0; i < tree.n; i++) {
		const char *p = tree.v[i].path;
		if (strcmp(p, "bad\xff" "byte.txt") == 0)
			e2e_list_add(&want, "bad\xef\xbf\xbd" "byte.txt");
		else if (strchr("=+-@", p[0]))
			e2e_list_addf(&want, "'%s", p);
		else
			e2e_list_add(&want, p);
	}
	e2e_list_assert_eq(&paths, &want, "path cells");
	/* the raw text: a formula cell starts with ', quotes are doubled */
	ck_assert(strstr(r.out, ",\"'=HYPERLINK(\"\"evil.example\"\",\"\"x\"\")\",") != NULL);
	ck_assert(strstr(r.out, ",'-cmd.txt,") != NULL);
	ck_assert(strstr(r.out, ",'@SUM(A1).txt,") != NULL);
	ck_assert(strstr(r.out, ",\"new\nline.txt\",") != NULL);
	/* findings cells */
	for (i = 1; i < d.rows; i++)
		if (strcmp(csv_cell(&d, i, 3), "src/a.c") == 0) {
			ck_assert_str_eq(csv_cell(&d, i, 9), "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0");
			ck_assert_str_eq(csv_cell(&d, i, 10), "own");
			ck_assert_str_eq(csv_cell(&d, i, 13), "GPL-3.0-or-later (tag lines 1-1); AdditionRef-TGPL-1.0 (tag lines 1-1)");
		}
	e2e_list_release(&d.cells);
	e2e_list_release(&paths);
	e2e_list_release(&want);
	e2e_tree_release(&tree);
	e2e_run_release(&r);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

/* ---- json -------------------------------------------------------------------- */

START_TEST(json_follows_the_documented_schema_and_holds_the_database)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit), *doc, *schema;
	json_t *j, *repos, *rep, *files, *f;
	e2e_tree tree;
	e2e_run r, v;
	size_t i;
	int found = 0, hex_found = 0;

	run_report(&r, db, "json", 0);
	doc = save(&r, "report.json");
	schema = srcdir_path("docs/report-json-schema.json");
	if (executable("/usr/bin/python3")) {
		int st = validate(schema, doc, NULL, &v);
		if (st == 77)
			fprintf(stderr, "SKIP: python3-jsonschema is missing; report.json not validated\n");
		else
			ck_assert_msg(st == 0, "report.json does not follow docs/report-json-schema.json:\n%s%s", v.out, v.err);
		e2e_run_release(&v);
	} else {
		fprintf(stderr, "SKIP: /usr/bin/python3 is missing; report.json not validated\n");
	}
	j = parse_json(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "tgpl_report")), TGPL_REPORT_JSON_VERSION);
	ck_assert_str_eq(json_string_value(json_object_get(j, "created")), REPORT_ISO);
	repos = json_object_get(j, "repositories");
	ck_assert_uint_eq(json_array_size(repos), 1);
	rep = json_array_get(repos, 0);
	ck_assert_str_eq(json_string_value(json_object_get(rep, "path")), repo);
	ck_assert_str_eq(json_string_value(json_object_get(rep, "origin")), ORIGIN_CLEAN);
	ck_assert_str_eq(json_string_value(json_object_get(rep, "commit")), commit);
	ck_assert_str_eq(json_string_value(json_object_get(rep, "declared")), "MIT");
	files = json_object_get(rep, "files");
	e2e_ls_tree(&tree, repo, "HEAD");
	ck_assert_uint_eq(json_array_size(files), tree.n);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "summary"), "files")), (json_int_t)tree.n);
	json_array_foreach(files, i, f) {
		const char *path = json_string_value(json_object_get(f, "path"));

		ck_assert_str_eq(json_string_value(json_object_get(f, "swhid")) + 10,
				 json_string_value(json_object_get(f, "sha1_git")));
		if (strcmp(path, "src/a.c") == 0) {
			json_t *lic = json_object_get(f, "licenses");
			found = 1;
			ck_assert_str_eq(json_string_value(json_object_get(f, "concluded")),
					 "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0");
			ck_assert_str_eq(json_string_value(json_object_get(f, "decided_by")), "own");
			ck_assert_uint_eq(json_array_size(lic), 2);
			ck_assert_str_eq(json_string_value(json_object_get(json_array_get(lic, 1), "spdx")),
					 "AdditionRef-TGPL-1.0");
			ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(lic, 1), "start_line")), 1);
		}
		if (strcmp(path, "bad\xef\xbf\xbd" "byte.txt") == 0) {
			hex_found = 1;
			ck_assert_str_eq(json_string_value(json_object_get(f, "path_hex")), "626164ff627974652e747874");
		} else {
			ck_assert_ptr_null(json_object_get(f, "path_hex"));
		}
	}
	ck_assert(found);
	ck_assert(hex_found);
	json_decref(j);
	e2e_tree_release(&tree);
	e2e_run_release(&r);
	free(schema);
	free(doc);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

/* ---- every format -------------------------------------------------------------- */

START_TEST(origin_credentials_appear_in_no_format)
{
	static const char *const formats[] = { "text", "json", "csv", "md", "html", "spdx-json", "spdx3-jsonld",
					       "swhid", "notice" };
	char *repo, *commit, *db = scanned_corpus(&repo, &commit);
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		e2e_run r;

		run_report(&r, db, formats[i], 0);
		ck_assert_msg(!e2e_contains(r.out, r.out_len, "s3cret") && !e2e_contains(r.out, r.out_len, "alice"),
			      "%s shows the credentials", formats[i]);
		ck_assert_msg(e2e_contains(r.out, r.out_len, "example.org/acme/widget.git"), "%s lacks the origin",
			      formats[i]);
		ck_assert_msg(e2e_utf8_valid(r.out, r.out_len), "%s is not valid UTF-8", formats[i]);
		e2e_run_release(&r);
	}
	free(db);
	free(commit);
	free(repo);
}
END_TEST

/* ---- text -------------------------------------------------------------------- */

/* Run tgpl with stdout on a pseudo-terminal (posix_openpt), stderr discarded; output in *out. */
static int run_on_tty(const char *const argv[], const char *no_color, char **out)
{
	tgpl_buf b = TGPL_BUF_INIT;
	int master = posix_openpt(O_RDWR | O_NOCTTY), status = -1;
	pid_t pid;

	ck_assert_msg(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0, "no pty: %s", strerror(errno));
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int slave = open(ptsname(master), O_RDWR | O_NOCTTY), null = open("/dev/null", O_RDWR);

		if (slave < 0 || null < 0)
			_exit(127);
		dup2(null, 0);
		dup2(slave, 1);
		dup2(null, 2);
		if (no_color)
			setenv("NO_COLOR", no_color, 1);
		else
			unsetenv("NO_COLOR");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (;;) {
		char chunk[4096];
		ssize_t n = read(master, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;   /* EIO once the child closed the slave */
		ck_assert(tgpl_buf_put(&b, chunk, (size_t)n) == 0);
	}
	waitpid(pid, &status, 0);
	close(master);
	*out = b.ptr ? b.ptr : strdup("");
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(text_is_coloured_only_on_a_terminal_without_no_color)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit), *out = NULL;
	const char *argv[] = { e2e_tgpl_bin(), "report", "--db", db, NULL, NULL };
	e2e_run r;

	ck_assert_int_eq(run_on_tty(argv, NULL, &out), 0);
	ck_assert_msg(strstr(out, "\033[1mtgpl report\033[0m") != NULL, "no colour on a terminal: <%s>", out);
	free(out);
	ck_assert_int_eq(run_on_tty(argv, "1", &out), 0);
	ck_assert_msg(strchr(out, '\033') == NULL, "colour despite NO_COLOR: <%s>", out);
	ck_assert_msg(strstr(out, "tgpl report") != NULL, "<%s>", out);
	free(out);
	argv[4] = "--color=never";
	ck_assert_int_eq(run_on_tty(argv, NULL, &out), 0);
	ck_assert_msg(strchr(out, '\033') == NULL, "colour despite --color=never: <%s>", out);
	free(out);

	/* into a pipe: none, unless --color=always (which beats NO_COLOR) */
	run_report(&r, db, "text", 0);
	ck_assert(memchr(r.out, '\033', r.out_len) == NULL);
	e2e_run_release(&r);
	setenv("NO_COLOR", "1", 1);
	e2e_tgpl(&r, e2e_tmp, "report", "--db", db, "--color=always", NULL);
	assert_exit(&r, 0, "--color=always");
	ck_assert(strstr(r.out, "\033[1mtgpl report\033[0m") != NULL);
	e2e_run_release(&r);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(text_summary_counts_files_and_licences_and_escapes_names)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit), *line;
	e2e_tree tree;
	e2e_run r;

	e2e_ls_tree(&tree, repo, "HEAD");
	run_report(&r, db, "text", 0);
	if (asprintf(&line, "1 repository, %zu files", tree.n) < 0)
		ck_abort();
	ck_assert_msg(strstr(r.out, line) != NULL, "<%s>", r.out);
	ck_assert_msg(strstr(r.out, "  declared: MIT\n") != NULL, "<%s>", r.out);
	ck_assert_msg(strstr(r.out, "  LicenseRef-Mine ") != NULL, "<%s>", r.out);
	ck_assert_msg(e2e_find_control(r.out, r.out_len) < 0, "a raw control character in <%s>", r.out);
	free(line);
	e2e_tree_release(&tree);
	e2e_run_release(&r);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

/* ---- md ---------------------------------------------------------------------- */

START_TEST(markdown_escapes_markup_and_control_characters_in_names)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit);
	e2e_run r;

	run_report(&r, db, "md", 0);
	ck_assert(strncmp(r.out, "# tgpl report\n", 14) == 0);
	ck_assert_msg(strstr(r.out, "| \\[link\\]\\(javascript:alert\\(1\\)\\) \\| cell.md |") != NULL, "<%s>", r.out);
	ck_assert_msg(strstr(r.out, "| \\<script\\>document.title='pwned'\\</script\\> |") != NULL, "<%s>", r.out);
	ck_assert_msg(strstr(r.out, "| new\\\\x0aline.txt |") != NULL, "<%s>", r.out);
	ck_assert_msg(e2e_find_control(r.out, r.out_len) < 0, "a raw control character in the Markdown");
	/* the opt-out with its lines, quoted and escaped */
	ck_assert_msg(strstr(r.out, ": robots.txt\n\nConcluded licence: MIT\n\n**opt-out robots.txt**, GPTBot, lines 2-3\n\n"
				    "> 2: User-agent: GPTBot  \n> 3: Disallow: /  \n") != NULL, "<%s>", r.out);
	ck_assert(strstr(r.out, "<script>") == NULL);
	e2e_run_release(&r);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

/* ---- html -------------------------------------------------------------------- */

START_TEST(html_escapes_names_and_allows_only_its_own_inline_script_and_style)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit);
	const char *p;
	e2e_run r;
	int scripts = 0;

	run_report(&r, db, "html", 0);
	ck_assert(strncmp(r.out, "<!DOCTYPE html>\n", 16) == 0);
	ck_assert_msg(strstr(r.out, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
				    "style-src 'sha256-") != NULL, "no CSP");
	ck_assert(strstr(r.out, "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;") != NULL);
	ck_assert(strstr(r.out, "new\\x0aline.txt") != NULL);
	for (p = r.out; (p = strstr(p, "<script")) != NULL; p++)
		scripts++;
	ck_assert_int_eq(scripts, 1);
	/* nothing to fetch: no src, no stylesheet link, no absolute href */
	ck_assert(strstr(r.out, " src=") == NULL && strstr(r.out, "<link") == NULL &&
		  strstr(r.out, "href=\"http") == NULL && strstr(r.out, "url(") == NULL);
	ck_assert(strstr(r.out, "<svg") != NULL);
	/* the opt-out's lines, numbered */
	ck_assert(strstr(r.out, "<pre class=\"excerpt\"><span class=\"ln\">    2</span> User-agent: GPTBot\n"
				"<span class=\"ln\">    3</span> Disallow: /\n</pre>") != NULL);
	e2e_run_release(&r);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(html_in_headless_chromium_shows_names_as_text_and_runs_no_script_from_data)
{
	char *repo, *commit, *db, *page, *url, *profile, *dom, *title;
	const char *chromium = "/usr/bin/chromium";
	e2e_tree tree;
	e2e_run r, c, t;

	if (!executable(chromium) || !executable("/usr/bin/python3")) {
		fprintf(stderr, "SKIP: %s or /usr/bin/python3 is missing; the page is not rendered "
				"(apt-get install chromium)\n", chromium);
		return;
	}
	db = scanned_corpus(&repo, &commit);
	e2e_ls_tree(&tree, repo, "HEAD");
	run_report(&r, db, "html", 0);
	page = save(&r, "report.html");
	profile = e2e_mkdtemp("chromium");
	if (asprintf(&url, "file://%s", page) < 0 || asprintf(&dom, "--user-data-dir=%s", profile) < 0)
		ck_abort();
	{
		const char *argv[] = { chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
				       "--no-first-run", "--disable-background-networking",
				       "--disable-component-update", "--disable-sync", dom, "--dump-dom", url, NULL };
		e2e_run_argv(&c, e2e_tmp, argv, 90);
	}
	assert_exit(&c, 0, "chromium --dump-dom");
	free(dom);
	dom = save(&c, "dom.html");
	{
		char *script = srcdir_path("tests/e2e/html_text.py");
		const char *argv[] = { "/usr/bin/python3", script, dom, NULL };
		e2e_run_argv(&t, e2e_tmp, argv, 60);
		free(script);
	}
	assert_exit(&t, 0, "html_text.py");
	if (asprintf(&title, "title: tgpl report: 1 repository, %zu files\nscripts: 1\n", tree.n) < 0)
		ck_abort();
	ck_assert_msg(strncmp(t.out, title, strlen(title)) == 0, "title or script count changed: <%.300s>", t.out);
	/* what a reader sees: the hostile name as text, the sections, and our filter ran */
	ck_assert_msg(strstr(t.out, "\n" PWNED_PATH "\n") != NULL, "the hostile name is not shown as text");
	ck_assert(strstr(t.out, "\nLicence distribution\n") != NULL);
	ck_assert(strstr(t.out, "\nGPL-3.0-or-later WITH AdditionRef-TGPL-1.0\n") != NULL);
	ck_assert(strstr(t.out, "\n" ORIGIN_CLEAN "\n") != NULL);
	ck_assert(strstr(t.out, "\nTGPL clauses and training opt-outs\n") != NULL);
	ck_assert_msg(strstr(t.out, "\nopt-out robots.txt\nGPTBot, lines 2–3\n2\nUser-agent: GPTBot\n3\nDisallow: /\n") != NULL,
		      "the opt-out's lines are not shown: <%s>", t.out);
	free(title);
	/* the obligation model: verdicts, and the evidence of weight-release with its line */
	ck_assert_msg(strstr(t.out, "\nCorpus verdict\nreview\n") != NULL, "no corpus verdict: <%s>", t.out);
	ck_assert(strstr(t.out, "\nVerdicts\n") != NULL && strstr(t.out, "\nObligations\n") != NULL &&
		  strstr(t.out, "\nConflicts\n") != NULL);
	if (asprintf(&title, "\n%s\n%s\nreview\n", repo, commit) < 0)
		ck_abort();
	ck_assert_msg(strstr(t.out, title) != NULL, "no verdict row for the repository: <%s>", t.out);
	free(title);
	ck_assert_msg(strstr(t.out, "\nweight-release\nreview\n") != NULL, "no weight-release: <%s>", t.out);
	ck_assert_msg(strstr(t.out, " src/a.c\nline 1, license AdditionRef-TGPL-1.0\nreview\npolicy.default\n") != NULL &&
		      strstr(t.out, "\n1\n// SPDX-License-Identifier: GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\n") != NULL,
		      "the evidence's line is not shown with its number: <%s>", t.out);
	if (asprintf(&title, "\n%zu of %zu rows\n", tree.n, tree.n) < 0)
		ck_abort();
	ck_assert_msg(strstr(t.out, title) != NULL, "the page's own script did not run: <%s>", t.out);
	free(title);
	e2e_run_release(&t);
	e2e_run_release(&c);
	e2e_run_release(&r);
	e2e_tree_release(&tree);
	free(dom);
	free(url);
	free(profile);
	free(page);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

/* ---- spdx-json --------------------------------------------------------------- */

static json_t *find_by(json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x) {
		const char *v = json_string_value(json_object_get(x, key));
		if (v && strcmp(v, value) == 0)
			return x;
	}
	return NULL;
}


/* ---- the obligation model ------------------------------------------------------ */

#define TGPL_FILE_TEXT "// Copyright (c) 2023 Bob Roe\n" \
	"//\tSPDX-License-Identifier: GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\nint model;\n"
#define NC_NAME "=HYPERLINK(\"nc\")<b>.txt"

typedef struct {
	char *db, *mit, *tgpl, *nc;
} obl_corpus;

/* Three repositories: MIT (LICENSE and a tagged file), GPL-3.0-or-later WITH
 * the TGPL rider (src/model.c line 2), and CC-BY-NC-4.0 in a file whose name
 * is a formula and markup. */
static void obl_corpus_make(obl_corpus *c)
{
	char *mit;
	e2e_run r;

	c->mit = e2e_mkdtemp("mit");
	e2e_git_init(c->mit);
	e2e_git_date(COMMIT_DATE);
	mit = e2e_license_text("MIT", "Copyright (c) 2024 Jane Doe");
	e2e_write_str(c->mit, "LICENSE", mit);
	free(mit);
	e2e_write_str(c->mit, "lib.c", "// SPDX-License-Identifier: MIT\nint lib;\n");
	free(e2e_git_commit_all(c->mit, "mit"));
	c->tgpl = e2e_mkdtemp("tgpl");
	e2e_git_init(c->tgpl);
	e2e_write_str(c->tgpl, "src/model.c", TGPL_FILE_TEXT);
	free(e2e_git_commit_all(c->tgpl, "tgpl"));
	c->nc = e2e_mkdtemp("nc");
	e2e_git_init(c->nc);
	e2e_write_str(c->nc, NC_NAME, "SPDX-License-Identifier: CC-BY-NC-4.0\n");
	free(e2e_git_commit_all(c->nc, "nc"));
	c->db = e2e_path(e2e_tmp, "obl.db");
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", c->db, c->mit, c->tgpl, c->nc, NULL);
	assert_exit(&r, 0, "scan");
	e2e_run_release(&r);
}

static void obl_corpus_release(obl_corpus *c)
{
	free(c->db);
	free(c->mit);
	free(c->tgpl);
	free(c->nc);
}

/* tgpl report [--policy FILE] --format F on the corpus, expecting `status`. */
static void run_obl_report(e2e_run *r, const obl_corpus *c, const char *policy, const char *format, int status)
{
	char what[160];

	setenv("SOURCE_DATE_EPOCH", REPORT_TIME, 1);
	if (policy)
		e2e_tgpl(r, e2e_tmp, "report", "--db", c->db, "--policy", policy, "--format", format, NULL);
	else
		e2e_tgpl(r, e2e_tmp, "report", "--db", c->db, "--format", format, NULL);
	snprintf(what, sizeof(what), "report%s%s --format %s", policy ? " --policy " : "", policy ? policy : "",
		 format);
	assert_exit(r, status, what);
}

static json_t *repo_by_path(json_t *doc, const char *path)
{
	json_t *x = find_by(json_object_get(doc, "repositories"), "path", path);

	ck_assert_msg(x != NULL, "no repository %s in the report", path);
	return x;
}

/* HTML text as rp_html writes it (for the assertions on raw pages). */
static char *html_text(const char *s)
{
	tgpl_buf b = TGPL_BUF_INIT;

	for (; *s; s++)
		switch (*s) {
		case '&': tgpl_buf_puts(&b, "&amp;"); break;
		case '<': tgpl_buf_puts(&b, "&lt;"); break;
		case '>': tgpl_buf_puts(&b, "&gt;"); break;
		case '"': tgpl_buf_puts(&b, "&quot;"); break;
		case '\'': tgpl_buf_puts(&b, "&#39;"); break;
		default: tgpl_buf_putc(&b, *s);
		}
	return tgpl_buf_detach(&b);
}

START_TEST(json_has_weight_release_with_its_evidence_lines_and_a_verdict_per_repository)
{
	obl_corpus c;
	json_t *j, *o, *ev, *e = NULL, *rep;
	e2e_run r, v;
	char *doc, *schema;
	size_t i;

	obl_corpus_make(&c);
	run_obl_report(&r, &c, NULL, "json", 0);
	doc = save(&r, "obl.json");
	schema = srcdir_path("docs/report-json-schema.json");
	if (executable("/usr/bin/python3")) {
		int st = validate(schema, doc, NULL, &v);
		if (st == 77)
			fprintf(stderr, "SKIP: python3-jsonschema is missing; obl.json not validated\n");
		else
			ck_assert_msg(st == 0, "obl.json does not follow docs/report-json-schema.json:\n%s%s", v.out, v.err);
		e2e_run_release(&v);
	}
	j = parse_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "policy")), "default");
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "review");
	ck_assert(json_is_false(json_object_get(j, "denied")));
	o = find_by(json_object_get(j, "obligations"), "id", "weight-release");
	ck_assert_msg(o != NULL, "no weight-release obligation");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "repositories"), 0)), c.tgpl);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "repositories")), 1);
	ev = json_object_get(o, "evidence");
	json_array_foreach(ev, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "path")), "src/model.c") == 0)
			break;
	}
	ck_assert_msg(i < json_array_size(ev), "no evidence at src/model.c");
	ck_assert_str_eq(json_string_value(json_object_get(e, "repository")), c.tgpl);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "start_line")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "end_line")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(e, "source")), "AdditionRef-TGPL-1.0");
	ck_assert_str_eq(json_string_value(json_object_get(e, "action")), "review");
	ck_assert_str_eq(json_string_value(json_object_get(e, "rule")), "policy.default");
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(e, "commit"))), 40);
	ck_assert_msg(strstr(json_string_value(json_object_get(e, "swhid")), ";path=/src/model.c;lines=2-2") != NULL,
		      "swhid %s", json_string_value(json_object_get(e, "swhid")));
	ck_assert(strncmp(json_string_value(json_object_get(e, "swhid")), "swh:1:cnt:", 10) == 0);
	/* no TGPL obligation from the MIT repository */
	json_array_foreach(ev, i, e)
		ck_assert_str_ne(json_string_value(json_object_get(e, "repository")), c.mit);
	rep = repo_by_path(j, c.mit);
	ck_assert_str_eq(json_string_value(json_object_get(rep, "verdict")), "include-with-obligations");
	ck_assert_msg(strstr(json_string_value(json_object_get(rep, "reason")), "attribution") != NULL, "reason %s",
		      json_string_value(json_object_get(rep, "reason")));
	rep = repo_by_path(j, c.tgpl);
	ck_assert_str_eq(json_string_value(json_object_get(rep, "verdict")), "review");
	ck_assert_ptr_nonnull(json_string_value(json_object_get(rep, "reason")));
	ck_assert_ptr_nonnull(find_by(json_object_get(j, "conflicts"), "id", "weight-release+non-commercial"));
	json_decref(j);
	e2e_run_release(&r);
	free(schema);
	free(doc);
	obl_corpus_release(&c);
}
END_TEST

START_TEST(a_policy_that_denies_exits_1_after_writing_the_whole_report)
{
	char *policy = srcdir_path("licenses/policies/permissive-only.ini"), *want;
	obl_corpus c;
	json_t *j;
	e2e_run r;

	obl_corpus_make(&c);
	run_obl_report(&r, &c, policy, "text", 1);
	if (asprintf(&want, "  exclude                  %s@", c.tgpl) < 0)
		ck_abort();
	ck_assert_msg(strstr(r.out, want) != NULL, "no exclude verdict for the TGPL repository: <%s>", r.out);
	free(want);
	ck_assert_msg(strstr(r.out, "Verdicts (policy permissive-only)\n") != NULL &&
		      strstr(r.out, "(the policy denies something)") != NULL && strstr(r.out, " deny ") != NULL,
		      "<%s>", r.out);
	/* complete: the per-repository part that comes last is there */
	ck_assert(strstr(r.out, "declared: MIT") != NULL);
	e2e_run_release(&r);

	run_obl_report(&r, &c, policy, "json", 1);
	j = parse_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "policy")), "permissive-only");
	ck_assert(json_is_true(json_object_get(j, "denied")));
	ck_assert_str_eq(json_string_value(json_object_get(repo_by_path(j, c.tgpl), "verdict")), "exclude");
	ck_assert_str_eq(json_string_value(json_object_get(repo_by_path(j, c.mit), "verdict")),
			 "include-with-obligations");
	ck_assert_str_eq(json_string_value(json_object_get(find_by(json_object_get(j, "obligations"), "id",
								  "source-copyleft"), "action")), "deny");
	json_decref(j);
	e2e_run_release(&r);

	run_obl_report(&r, &c, policy, "html", 1);
	ck_assert(strstr(r.out, "which <strong class=\"warn\">denies something</strong>") != NULL);
	ck_assert(strstr(r.out, "<span class=\"verdict v-exclude\">exclude</span>") != NULL);
	ck_assert(strstr(r.out, "</html>\n") != NULL);
	e2e_run_release(&r);

	/* the shipped policy by name, as `tgpl obligations --policy` takes it; a bad one is a usage error */
	run_obl_report(&r, &c, "permissive-only", "md", 1);
	ck_assert(strstr(r.out, "Policy: permissive-only. Corpus verdict:") != NULL);
	e2e_run_release(&r);
	run_obl_report(&r, &c, "no-such-policy", "md", 2);
	ck_assert_uint_eq(r.out_len, 0);
	e2e_run_release(&r);
	/* the default policy denies nothing here */
	run_obl_report(&r, &c, NULL, "text", 0);
	e2e_run_release(&r);
	obl_corpus_release(&c);
	free(policy);
}
END_TEST

/* The lineage record from report is the one tgpl obligations --record writes. */
START_TEST(obligation_record_format_is_the_record_obligations_writes)
{
	char *rec = e2e_path(e2e_tmp, "model.json"), *want;
	obl_corpus c;
	json_t *j;
	e2e_run r;

	obl_corpus_make(&c);
	setenv("SOURCE_DATE_EPOCH", REPORT_TIME, 1);
	e2e_tgpl(&r, e2e_tmp, "obligations", "--db", c.db, "--record", rec, NULL);
	ck_assert_msg(r.status == 0 || r.status == 1, "obligations --record: exit %d: %s", r.status, r.err);
	e2e_run_release(&r);
	want = e2e_read_file(rec, NULL);
	ck_assert_ptr_nonnull(want);

	run_obl_report(&r, &c, NULL, "obligation-record", 0);
	ck_assert_str_eq(r.out, want);
	j = parse_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "schema")), "tgpl-obligation-record/1");
	json_decref(j);
	e2e_run_release(&r);
	free(want);
	free(rec);
	obl_corpus_release(&c);
}
END_TEST

START_TEST(a_conflict_appears_with_its_sentence_in_md_and_html)
{
	const char *sentence;
	char *want, *esc;
	obl_corpus c;
	json_t *j, *x;
	e2e_run r;

	obl_corpus_make(&c);
	run_obl_report(&r, &c, NULL, "json", 0);
	j = parse_json(&r);
	x = find_by(json_object_get(j, "conflicts"), "id", "weight-release+non-commercial");
	ck_assert_msg(x != NULL, "no weight-release+non-commercial conflict");
	sentence = json_string_value(json_object_get(x, "sentence"));
	ck_assert_msg(sentence && strstr(sentence, "non-commercial") != NULL, "sentence <%s>", sentence);
	e2e_run_release(&r);

	run_obl_report(&r, &c, NULL, "md", 0);
	if (asprintf(&want, "\n## Conflicts\n\n- **weight-release+non-commercial** (review): %s\n", sentence) < 0)
		ck_abort();
	ck_assert_msg(strstr(r.out, want) != NULL, "<%s> not in <%s>", want, r.out);
	free(want);
	ck_assert(strstr(r.out, "\n## Verdicts\n") != NULL && strstr(r.out, "\n## Obligations\n") != NULL);
	/* the evidence table names the line */
	ck_assert_msg(strstr(r.out, "| src/model.c | 2 | license AdditionRef-TGPL-1.0 | review | policy.default | ") != NULL,
		      "<%s>", r.out);
	/* the hostile name of the non-commercial file stays text */
	ck_assert_msg(strstr(r.out, "| =HYPERLINK\\(\"nc\"\\)\\<b\\>.txt | 1 | license CC-BY-NC-4.0 |") != NULL, "<%s>", r.out);
	e2e_run_release(&r);

	run_obl_report(&r, &c, NULL, "html", 0);
	esc = html_text(sentence);
	if (asprintf(&want, "<tr><td><code>weight-release+non-commercial</code></td><td><span class=\"v-review\">review"
			    "</span></td><td>%s</td>", esc) < 0)
		ck_abort();
	ck_assert_msg(strstr(r.out, want) != NULL, "<%s> not in the page", want);
	free(want);
	free(esc);
	ck_assert(strstr(r.out, "=HYPERLINK(&quot;nc&quot;)&lt;b&gt;.txt") != NULL && strstr(r.out, "<b>") == NULL);
	/* an excerpt shows the file's line as it reads: the TAB as spaces to column 8 */
	ck_assert_msg(strstr(r.out, "<span class=\"ln\">    2</span> //      SPDX-License-Identifier: GPL-3.0")
		      != NULL, "no excerpt of src/model.c line 2 with its TAB expanded");
	json_decref(j);
	e2e_run_release(&r);
	obl_corpus_release(&c);
}
END_TEST

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

START_TEST(notice_lists_each_attribution_licence_once_with_copyright_lines_and_text)
{
	char *policy = srcdir_path("licenses/policies/permissive-only.ini"), *want;
	const char *mit, *gpl;
	obl_corpus c;
	e2e_run r;

	obl_corpus_make(&c);
	run_obl_report(&r, &c, NULL, "notice", 0);
	ck_assert(strncmp(r.out, "NOTICE\n", 7) == 0);
	mit = strstr(r.out, "\nMIT License (MIT)\n");
	gpl = strstr(r.out, " (GPL-3.0-or-later)\n");
	ck_assert_msg(mit && gpl && strstr(r.out, " (CC-BY-NC-4.0)\n"), "a licence is missing: <%.3000s>", r.out);
	/* the MIT section: its component, its copyright line, its text, once for two files */
	if (asprintf(&want, "Used by:\n  %s at commit ", c.mit) < 0)
		ck_abort();
	ck_assert_msg(strstr(mit, want) != NULL, "<%.3000s>", mit);
	free(want);
	ck_assert(strstr(mit, "Copyright notices:\n  Copyright (c) 2024 Jane Doe\n") != NULL);
	ck_assert_uint_eq(count_of(r.out, "Permission is hereby granted, free of charge"), 1);
	ck_assert_uint_eq(count_of(r.out, "\nMIT License (MIT)\n"), 1);
	/* the GPL section has the TGPL file's copyright line */
	ck_assert_msg(strstr(gpl, "Copyright notices:\n  Copyright (c) 2023 Bob Roe\n") != NULL, "<%.2000s>", gpl);
	ck_assert(strstr(r.out, "GNU GENERAL PUBLIC LICENSE") != NULL);
	e2e_run_release(&r);
	/* an excluded repository is left out (and the policy's denial still sets the status) */
	run_obl_report(&r, &c, policy, "notice", 1);
	ck_assert(strstr(r.out, "Bob Roe") == NULL && strstr(r.out, "(GPL-3.0-or-later)") == NULL);
	ck_assert(strstr(r.out, "Copyright (c) 2024 Jane Doe") != NULL);
	e2e_run_release(&r);
	obl_corpus_release(&c);
	free(policy);
}
END_TEST

START_TEST(csv_obligation_column_lists_what_each_file_triggers_and_is_neutralised)
{
	obl_corpus c;
	csv_doc d;
	e2e_run r;
	size_t i;
	int seen = 0;

	obl_corpus_make(&c);
	run_obl_report(&r, &c, NULL, "csv", 0);
	csv_parse(&d, r.out, r.out_len);
	ck_assert_str_eq(csv_cell(&d, 0, 16), "obligations");
	for (i = 1; i < d.rows; i++) {
		const char *path = csv_cell(&d, i, 3), *obl = csv_cell(&d, i, 16);

		if (strcmp(path, "src/model.c") == 0) {
			seen |= 1;
			ck_assert_str_eq(obl, "weight-release;data-provenance;finetune-inheritance;network-use;"
					      "attribution;source-copyleft");
		} else if (strcmp(path, "'" NC_NAME) == 0) {
			seen |= 2;
			ck_assert_str_eq(obl, "attribution;non-commercial");
		} else if (strcmp(path, "LICENSE") == 0 || strcmp(path, "lib.c") == 0) {
			seen |= strcmp(path, "lib.c") == 0 ? 4 : 8;
			ck_assert_str_eq(obl, "attribution");
		}
	}
	ck_assert_int_eq(seen, 15);
	/* every cell that starts like a formula carries the apostrophe */
	for (i = 0; i < d.rows * d.cols; i++)
		ck_assert_msg(!strchr("=+-@", d.cells.v[i][0]) || !d.cells.v[i][0], "cell <%s>", d.cells.v[i]);
	e2e_list_release(&d.cells);
	e2e_run_release(&r);
	obl_corpus_release(&c);
}
END_TEST

START_TEST(spdx_json_validates_against_the_spdx_2_3_schema)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit), *doc;
	e2e_run r;

	run_report(&r, db, "spdx-json", 0);
	doc = save(&r, "corpus.spdx.json");
	assert_valid("spdx-2.3-schema.json", doc);
	e2e_run_release(&r);
	free(doc);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(spdx_json_checksums_are_sha1_of_content_and_every_licenseref_is_declared)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit), *path, *sha1;
	json_t *j, *files, *f, *refs, *x;
	e2e_tree tree;
	e2e_run r;
	size_t i;

	run_report(&r, db, "spdx-json", 0);
	j = parse_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "spdxVersion")), "SPDX-2.3");
	files = json_object_get(j, "files");
	e2e_ls_tree(&tree, repo, "HEAD");
	ck_assert_uint_eq(json_array_size(files), tree.n);
	/* the content's SHA-1, not the blob id */
	f = find_by(files, "fileName", "./src/a.c");
	ck_assert_ptr_nonnull(f);
	path = e2e_path(repo, "src/a.c");
	sha1 = sha1_of(path);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(f, "checksums"), 0),
							   "checksumValue")), sha1);
	ck_assert_str_eq(json_string_value(json_object_get(f, "licenseConcluded")),
			 "(GPL-3.0-or-later AND LicenseRef-AdditionRef-TGPL-1.0)");
	f = find_by(files, "fileName", "./src/b.c");
	ck_assert_str_eq(json_string_value(json_object_get(f, "licenseConcluded")), "LicenseRef-Foo-Bar");
	/* every LicenseRef- used is declared; REUSE texts are carried */
	refs = json_object_get(j, "hasExtractedLicensingInfos");
	ck_assert_ptr_nonnull(find_by(refs, "licenseId", "LicenseRef-AdditionRef-TGPL-1.0"));
	ck_assert_ptr_nonnull(find_by(refs, "licenseId", "LicenseRef-Foo-Bar"));
	x = find_by(refs, "licenseId", "LicenseRef-Mine");
	ck_assert_ptr_nonnull(x);
	ck_assert_str_eq(json_string_value(json_object_get(x, "extractedText")), "The Mine licence: be nice.\n");
	json_array_foreach(files, i, f) {
		ck_assert_uint_eq(json_array_size(json_object_get(f, "checksums")), 1);
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(f, "checksums"), 0),
								   "algorithm")), "SHA1");
	}
	x = json_array_get(json_object_get(j, "packages"), 0);
	ck_assert(json_is_true(json_object_get(x, "filesAnalyzed")));
	ck_assert_ptr_nonnull(json_object_get(x, "packageVerificationCode"));
	{
		char *loc;
		if (asprintf(&loc, "git+%s@%s", ORIGIN_CLEAN, commit) < 0)
			ck_abort();
		ck_assert_str_eq(json_string_value(json_object_get(x, "downloadLocation")), loc);
		free(loc);
	}
	json_decref(j);
	e2e_tree_release(&tree);
	e2e_run_release(&r);
	free(sha1);
	free(path);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(spdx_json_leaves_out_files_of_a_moved_repository_and_says_so)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit), *moved, *doc;
	json_t *j, *pkg;
	e2e_run r;

	if (asprintf(&moved, "%s.moved", repo) < 0)
		ck_abort();
	ck_assert_int_eq(rename(repo, moved), 0);
	run_report(&r, db, "spdx-json", 0);
	ck_assert_msg(strstr(r.err, "tgpl: warning: spdx-json: ") != NULL && strstr(r.err, "left out") != NULL,
		      "no warning: <%s>", r.err);
	j = parse_json(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "files")), 0);
	pkg = json_array_get(json_object_get(j, "packages"), 0);
	ck_assert(json_is_false(json_object_get(pkg, "filesAnalyzed")));
	ck_assert_ptr_null(json_object_get(pkg, "packageVerificationCode"));
	ck_assert_msg(strstr(json_string_value(json_object_get(pkg, "comment")), "could not be read") != NULL, "comment");
	doc = save(&r, "moved.spdx.json");
	assert_valid("spdx-2.3-schema.json", doc);
	json_decref(j);
	e2e_run_release(&r);
	free(doc);
	free(moved);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(spdx_json_leaves_out_a_directory_file_changed_since_the_scan)
{
	char *dir = e2e_mkdtemp("plain"), *db = e2e_path(e2e_tmp, "d.db"), *path, *sha1;
	json_t *j, *files;
	e2e_run r;

	e2e_write_str(dir, "keep.c", "// SPDX-License-Identifier: MIT\n");
	e2e_write_str(dir, "change.c", "// SPDX-License-Identifier: MIT\nold\n");
	e2e_tgpl(&r, e2e_tmp, "scan", "--db", db, dir, NULL);
	assert_exit(&r, 0, "scan dir");
	e2e_run_release(&r);
	e2e_write_str(dir, "change.c", "// SPDX-License-Identifier: MIT\nnew\n");
	run_report(&r, db, "spdx-json", 0);
	ck_assert_msg(strstr(r.err, "changed since it was scanned") != NULL, "<%s>", r.err);
	j = parse_json(&r);
	files = json_object_get(j, "files");
	ck_assert_uint_eq(json_array_size(files), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(files, 0), "fileName")), "./keep.c");
	path = e2e_path(dir, "keep.c");
	sha1 = sha1_of(path);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(json_object_get(json_array_get(files, 0), "checksums"), 0), "checksumValue")), sha1);
	ck_assert_msg(strstr(json_string_value(json_object_get(json_array_get(json_object_get(j, "packages"), 0),
							       "comment")), "1 of 2 files") != NULL, "package comment");
	json_decref(j);
	e2e_run_release(&r);
	free(sha1);
	free(path);
	free(db);
	free(dir);
}
END_TEST

/* ---- spdx3-jsonld ------------------------------------------------------------ */

START_TEST(spdx3_validates_against_the_spdx_3_0_1_schema)
{
	char *repo, *commit, *db = scanned_corpus(&repo, &commit), *doc;
	e2e_run r;

	run_report(&r, db, "spdx3-jsonld", 0);
	doc = save(&r, "corpus.spdx3.jsonld");
	assert_valid("spdx-3.0.1-json-schema.json", doc);
	e2e_run_release(&r);
	free(doc);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

START_TEST(spdx3_corpus_is_one_dataset_with_one_declared_and_one_concluded_licence)
{
	static const char *const required[] = { "builtTime", "originatedBy", "releaseTime",
						"software_downloadLocation", "software_primaryPurpose",
						"dataset_datasetType", "creationInfo", "name" };
	char *repo, *commit, *db = scanned_corpus(&repo, &commit);
	json_t *j, *graph, *x, *dataset = NULL;
	const char *corpus;
	e2e_tree tree;
	e2e_run r;
	size_t i, k, n_files = 0, declared = 0, concluded = 0;

	run_report(&r, db, "spdx3-jsonld", 0);
	j = parse_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "@context")),
			 "https://spdx.org/rdf/3.0.1/spdx-context.jsonld");
	graph = json_object_get(j, "@graph");
	json_array_foreach(graph, i, x) {
		const char *type = json_string_value(json_object_get(x, "type"));
		if (strcmp(type, "dataset_DatasetPackage") == 0) {
			ck_assert_msg(dataset == NULL, "two datasets");
			dataset = x;
		}
	}
	ck_assert_ptr_nonnull(dataset);
	for (k = 0; k < sizeof(required) / sizeof(required[0]); k++)
		ck_assert_msg(json_object_get(dataset, required[k]) != NULL, "the dataset lacks %s", required[k]);
	corpus = json_string_value(json_object_get(dataset, "spdxId"));
	e2e_ls_tree(&tree, repo, "HEAD");
	json_array_foreach(graph, i, x) {
		const char *type = json_string_value(json_object_get(x, "type"));

		if (strcmp(type, "Relationship") == 0 &&
		    strcmp(json_string_value(json_object_get(x, "from")), corpus) == 0) {
			const char *rt = json_string_value(json_object_get(x, "relationshipType"));
			declared += strcmp(rt, "hasDeclaredLicense") == 0;
			concluded += strcmp(rt, "hasConcludedLicense") == 0;
		}
		if (strcmp(type, "software_File") == 0) {
			json_t *ids = json_object_get(x, "software_contentIdentifier"), *id = json_array_get(ids, 0);
			n_files++;
			ck_assert_str_eq(json_string_value(json_object_get(id, "software_contentIdentifierType")), "swhid");
			ck_assert(strncmp(json_string_value(json_object_get(id, "software_contentIdentifierValue")),
					  "swh:1:cnt:", 10) == 0);
		}
		/* every custom id in an expression maps to an element of this document */
		if (strcmp(type, "simplelicensing_LicenseExpression") == 0) {
			const char *expr = json_string_value(json_object_get(x, "simplelicensing_licenseExpression"));
			json_t *map = json_object_get(x, "simplelicensing_customIdToUri"), *e;
			size_t m, refs = 0;
			const char *p;

			for (p = expr; (p = strstr(p, "Ref-")) != NULL; p++)
				refs++;
			ck_assert_msg(json_array_size(map) == refs, "%s: %zu custom ids, %zu mapped", expr, refs,
				      json_array_size(map));
			json_array_foreach(map, m, e) {
				ck_assert(strstr(expr, json_string_value(json_object_get(e, "key"))) != NULL);
				ck_assert_ptr_nonnull(find_by(graph, "spdxId", json_string_value(json_object_get(e, "value"))));
			}
		}
	}
	ck_assert_uint_eq(declared, 1);
	ck_assert_uint_eq(concluded, 1);
	ck_assert_uint_eq(n_files, tree.n);
	json_decref(j);
	e2e_tree_release(&tree);
	e2e_run_release(&r);
	free(db);
	free(commit);
	free(repo);
}
END_TEST

/* ---- the library: escapers and SPDX expressions ------------------------------ */

static int to_buf(const char *data, size_t len, void *payload)
{
	return tgpl_buf_put(payload, data, len);
}

typedef int (*escaper)(report *r, const char *s, size_t n);

static char *escape_with(escaper fn, const char *s, size_t n)
{
	tgpl_report_options opts = TGPL_REPORT_OPTIONS_INIT;
	tgpl_buf sink = TGPL_BUF_INIT;
	report r;

	memset(&r, 0, sizeof(r));
	opts.write = to_buf;
	opts.payload = &sink;
	r.opts = &opts;
	ck_assert_int_eq(fn(&r, s, n), 0);
	ck_assert_int_eq(rp_flush(&r), 0);
	tgpl_buf_release(&r.out);
	return sink.ptr ? sink.ptr : strdup("");
}

#define ESC_EQ(fn, in, want) do { \
	char *got_ = escape_with(fn, in, sizeof(in) - 1); \
	ck_assert_msg(strcmp(got_, want) == 0, #fn "(%s): <%s>, want <%s>", in, got_, want); \
	free(got_); \
} while (0)

START_TEST(escapers_neutralise_each_format_s_markup)
{
	ESC_EQ(rp_html, "<a href='x'>&\"\x01", "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\x01");
	ESC_EQ(rp_html, "bad\xff", "bad\xef\xbf\xbd");
	ESC_EQ(rp_csv, "plain", "plain");
	ESC_EQ(rp_csv, "=1+2", "'=1+2");
	ESC_EQ(rp_csv, "-x", "'-x");
	ESC_EQ(rp_csv, "@x", "'@x");
	ESC_EQ(rp_csv, "+x", "'+x");
	ESC_EQ(rp_csv, "\tx", "'\tx");
	ESC_EQ(rp_csv, "\rx", "\"'\rx\"");
	ESC_EQ(rp_csv, "a,\"b\"\nc", "\"a,\"\"b\"\"\nc\"");
	ESC_EQ(rp_csv, "x=1", "x=1");
	ESC_EQ(rp_md, "[x](javascript:alert(1)) | *b* <i> `c` a_b & $m$", 
	       "\\[x\\]\\(javascript:alert\\(1\\)\\) \\| \\*b\\* \\<i\\> \\`c\\` a\\_b \\& \\$m\\$");
	ESC_EQ(rp_md, "a\nb", "a\\\\x0ab");
	ESC_EQ(rp_pct, "a b;c%d\n/\xc3\xa9=?#", "a%20b%3Bc%25d%0A/%C3%A9%3D%3F%23");
	ESC_EQ(rp_term, "\x1b[31mred\x7f\t", "\\x1b[31mred\\x7f\\x09");
	ESC_EQ(rp_json, "a\"b\n", "\"a\\\"b\\n\"");
}
END_TEST

START_TEST(spdx_expressions_are_rewritten_for_each_spdx_version)
{
	static const struct {
		const char *in, *v2, *v3;
	} cases[] = {
		{ "MIT", "MIT", "MIT" },
		{ "mit OR apache-2.0", "MIT OR Apache-2.0", "MIT OR Apache-2.0" },
		{ "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0", "(GPL-3.0-or-later AND LicenseRef-AdditionRef-TGPL-1.0)",
		  "GPL-3.0-or-later WITH AdditionRef-TGPL-1.0" },
		{ "MIT OR GPL-2.0-only WITH Classpath-exception-2.0", "MIT OR GPL-2.0-only WITH Classpath-exception-2.0",
		  "MIT OR GPL-2.0-only WITH Classpath-exception-2.0" },
		{ "(MIT OR Apache-2.0) AND Foo WITH AdditionRef-Y",
		  "(MIT OR Apache-2.0) AND (LicenseRef-Foo AND LicenseRef-AdditionRef-Y)",
		  "(MIT OR Apache-2.0) AND LicenseRef-Foo WITH AdditionRef-Y" },
		{ "Foo-Bar AND MIT", "LicenseRef-Foo-Bar AND MIT", "LicenseRef-Foo-Bar AND MIT" },
		{ "LicenseRef-a_b", "LicenseRef-a-b", "LicenseRef-a-b" },
		{ "GPL-2.0+", "GPL-2.0+", "GPL-2.0+" },
		{ "MIT WITH Weird-Exception", "(MIT AND LicenseRef-Weird-Exception)", "MIT WITH AdditionRef-Weird-Exception" },
		{ "NOASSERTION", "NOASSERTION", "NOASSERTION" },
		{ "MIT AND", "NOASSERTION", "NOASSERTION" },
		{ "(MIT", "NOASSERTION", "NOASSERTION" },
		{ "MIT)", "NOASSERTION", "NOASSERTION" },
		{ "", "NOASSERTION", "NOASSERTION" },
	};
	tgpl_engine *e = NULL;
	tgpl_ctx *ctx = NULL;
	size_t i;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&e, ctx, getenv("TGPL_DATADIR")) == 0, "%s", tgpl_errmsg(ctx));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spdx_refs refs = { 0 };
		char *v2 = NULL, *v3 = NULL;

		ck_assert_int_eq(spdx_expr_rewrite(&v2, e, cases[i].in, SPDX_V2, &refs), 0);
		ck_assert_int_eq(spdx_expr_rewrite(&v3, e, cases[i].in, SPDX_V3, &refs), 0);
		ck_assert_msg(strcmp(v2, cases[i].v2) == 0, "v2 <%s>: <%s>, want <%s>", cases[i].in, v2, cases[i].v2);
		ck_assert_msg(strcmp(v3, cases[i].v3) == 0, "v3 <%s>: <%s>, want <%s>", cases[i].in, v3, cases[i].v3);
		free(v2);
		free(v3);
		spdx_refs_release(&refs);
	}
	/* the custom ids are recorded once each, with where they came from */
	{
		spdx_refs refs = { 0 };
		char *x = NULL;

		ck_assert_int_eq(spdx_expr_rewrite(&x, e, "Foo AND Foo AND LicenseRef-Mine WITH AdditionRef-T",
						   SPDX_V2, &refs), 0);
		ck_assert_str_eq(x, "LicenseRef-Foo AND LicenseRef-Foo AND (LicenseRef-Mine AND LicenseRef-AdditionRef-T)");
		ck_assert_uint_eq(refs.n, 3);
		ck_assert_str_eq(refs.v[0].id, "LicenseRef-Foo");
		ck_assert_str_eq(refs.v[0].source, "Foo");
		ck_assert_int_eq(refs.v[0].why, SPDX_REF_UNKNOWN);
		ck_assert_int_eq(refs.v[1].why, SPDX_REF_CUSTOM);
		ck_assert_int_eq(refs.v[2].why, SPDX_REF_ADDITION);
		free(x);
		spdx_refs_release(&refs);
	}
	tgpl_engine_free(e);
	tgpl_ctx_free(ctx);
}
END_TEST

START_TEST(copyright_lines_need_a_marker_and_a_year)
{
	static const char text[] =
		"/*\n * Copyright (c) 2019-2024 Jane Doe <jane@example.org>\n"
		" * The above copyright notice and this permission notice shall be included\n"
		" * Copyright [yyyy] [name of copyright owner]\n"
		" * Copyright (c) <year> <copyright holders>\n"
		" */\n# \xc2\xa9 2021 ACME Corp.\n"
		"// (C) 1999 Old Author\n"
		"Copyright 12345 is not a year\n"
		"copyright 2020 \x1b[2J escape\n"
		" * Copyright (c) 2019-2024 Jane Doe <jane@example.org>\n";
	report_strset set = { 0 };

	ck_assert_int_eq(report_copyright_lines(text, sizeof(text) - 1, &set, 100), 0);
	ck_assert_uint_eq(set.n, 3);
	ck_assert_str_eq(set.v[0], "Copyright (c) 2019-2024 Jane Doe <jane@example.org>");
	ck_assert_str_eq(set.v[1], "\xc2\xa9 2021 ACME Corp.");
	ck_assert_str_eq(set.v[2], "(C) 1999 Old Author");
	report_strset_release(&set);
	ck_assert_int_eq(report_copyright_lines(text, sizeof(text) - 1, &set, 1), 0);
	ck_assert_uint_eq(set.n, 1);
	report_strset_release(&set);
}
END_TEST

static int discard(const char *data, size_t len, void *payload)
{
	(void)data;
	*(size_t *)payload += len;
	return 0;
}

START_TEST(every_failed_allocation_fails_the_report_cleanly)
{
	static const tgpl_report_format formats[] = { TGPL_REPORT_TEXT, TGPL_REPORT_JSON, TGPL_REPORT_CSV,
						      TGPL_REPORT_MD, TGPL_REPORT_HTML, TGPL_REPORT_SPDX_JSON,
						      TGPL_REPORT_SPDX3_JSONLD, TGPL_REPORT_SWHID, TGPL_REPORT_NOTICE };
	char *repo, *commit, *path = scanned_corpus(&repo, &commit);
	tgpl_obligations *obl = NULL;
	tgpl_ctx *ctx = NULL;
	tgpl_engine *e = NULL;
	tgpl_db *db = NULL;
	size_t i;

	ck_assert_int_eq(tgpl_ctx_new(&ctx), 0);
	ck_assert_msg(tgpl_engine_open(&e, ctx, getenv("TGPL_DATADIR")) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_msg(tgpl_db_open(&db, ctx, path, TGPL_DB_READONLY) == 0, "%s", tgpl_errmsg(ctx));
	ck_assert_msg(tgpl_obligations_compute(&obl, ctx, db, NULL) == 0, "%s", tgpl_errmsg(ctx));
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		tgpl_report_options opts = TGPL_REPORT_OPTIONS_INIT;
		size_t bytes = 0, full;
		long n;
		int rc;

		opts.format = formats[i];
		opts.engine = e;
		opts.created = 1700000500;
		opts.write = discard;
		opts.payload = &bytes;
		opts.obligations = obl;
		ck_assert_msg(tgpl_report_write(ctx, db, &opts) == 0, "%s", tgpl_errmsg(ctx));
		full = bytes;
		/* The n-th allocation fails: out of memory, reported, nothing leaked (ASan checks). */
		for (n = 1; n < 20000; n++) {
			bytes = 0;
			tgpl_alloc_fail_at(n);
			rc = tgpl_report_write(ctx, db, &opts);
			tgpl_alloc_fail_at(0);
			if (rc == 0) {
				ck_assert_uint_eq(bytes, full);
				break;
			}
			ck_assert_msg(rc == TGPL_ENOMEM, "%s, allocation %ld: %d (%s)",
				      tgpl_report_format_name(formats[i]), n, rc, tgpl_errmsg(ctx));
			ck_assert_str_eq(tgpl_errmsg(ctx), "out of memory");
		}
		ck_assert_msg(n < 20000, "%s never finished", tgpl_report_format_name(formats[i]));
	}
	tgpl_obligations_free(obl);
	tgpl_db_close(db);
	tgpl_engine_free(e);
	tgpl_ctx_free(ctx);
	free(path);
	free(commit);
	free(repo);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");

	e2e_add_test(s, unknown_format_is_a_usage_error_naming_every_format, 60);
	e2e_add_test(s, missing_database_is_a_runtime_error_and_is_not_created, 60);
	e2e_add_test(s, output_file_is_replaced_only_by_a_complete_report, 120);
	e2e_add_test(s, swhid_manifest_has_one_line_per_content_with_encoded_qualifiers, 120);
	e2e_add_test(s, report_reads_the_last_scanned_revision_of_each_repository, 120);
	e2e_add_test(s, csv_has_a_row_per_entry_quotes_cells_and_neutralises_formulas, 120);
	e2e_add_test(s, json_follows_the_documented_schema_and_holds_the_database, 120);
	e2e_add_test(s, origin_credentials_appear_in_no_format, 180);
	e2e_add_test(s, text_is_coloured_only_on_a_terminal_without_no_color, 120);
	e2e_add_test(s, text_summary_counts_files_and_licences_and_escapes_names, 120);
	e2e_add_test(s, markdown_escapes_markup_and_control_characters_in_names, 120);
	e2e_add_test(s, html_escapes_names_and_allows_only_its_own_inline_script_and_style, 120);
	e2e_add_test(s, html_in_headless_chromium_shows_names_as_text_and_runs_no_script_from_data, 180);
	e2e_add_test(s, json_has_weight_release_with_its_evidence_lines_and_a_verdict_per_repository, 120);
	e2e_add_test(s, a_policy_that_denies_exits_1_after_writing_the_whole_report, 180);
	e2e_add_test(s, obligation_record_format_is_the_record_obligations_writes, 120);
	e2e_add_test(s, a_conflict_appears_with_its_sentence_in_md_and_html, 120);
	e2e_add_test(s, notice_lists_each_attribution_licence_once_with_copyright_lines_and_text, 120);
	e2e_add_test(s, csv_obligation_column_lists_what_each_file_triggers_and_is_neutralised, 120);
	e2e_add_test(s, spdx_json_validates_against_the_spdx_2_3_schema, 120);
	e2e_add_test(s, spdx_json_checksums_are_sha1_of_content_and_every_licenseref_is_declared, 120);
	e2e_add_test(s, spdx_json_leaves_out_files_of_a_moved_repository_and_says_so, 120);
	e2e_add_test(s, spdx_json_leaves_out_a_directory_file_changed_since_the_scan, 120);
	e2e_add_test(s, spdx3_validates_against_the_spdx_3_0_1_schema, 120);
	e2e_add_test(s, spdx3_corpus_is_one_dataset_with_one_declared_and_one_concluded_licence, 120);
	e2e_add_test(s, escapers_neutralise_each_format_s_markup, 60);
	e2e_add_test(s, spdx_expressions_are_rewritten_for_each_spdx_version, 60);
	e2e_add_test(s, copyright_lines_need_a_marker_and_a_year, 60);
	e2e_add_test(s, every_failed_allocation_fails_the_report_cleanly, 600);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
