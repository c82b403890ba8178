/*
 * cmd_contains.c — `tgpl contains`: is each file's content (by git blob id)
 * in the scanned corpus, and where: repository, commit, path, licence.
 * Exit 1 when some file is not in the corpus.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tgpl/history.h"
#include "util/util.h"

enum { OPT_JSON = 1, OPT_LIMIT };

#define DEFAULT_LIMIT 20

const cli_option contains_options[] = {
	{ OPT_LIMIT, 'n', "limit", "N", "list at most N places per file (default: 20; 0: all)" },
	{ OPT_JSON, 0, "json", NULL, "print JSON Lines, one object per FILE" },
	{ 0, 0, NULL, NULL, NULL }
};

typedef struct {
	int json;
	uint64_t limit;
} contains_args;

typedef struct {
	int json;
	const char *file;
	const char *oid;
	const uint64_t *total; /* set by the query before the first occurrence */
	tgpl_buf *b;           /* JSON: the occurrences array's members */
	uint64_t n;
	int failed;
} occ_out;

/* Text: "FILE  swh:1:cnt:ID  " and what follows. */
static void text_header(const occ_out *out)
{
	cli_put_safe(stdout, out->file, strlen(out->file));
	printf("  swh:1:cnt:%s  ", out->oid);
}

static int on_option(int id, const char *value, void *payload)
{
	contains_args *a = payload;

	switch (id) {
	case OPT_JSON:
		a->json = 1;
		break;
	case OPT_LIMIT:
		if (tgpl_parse_u64(value, &a->limit) < 0 || a->limit > 1000000) {
			cli_error("contains: --limit takes a number from 0 to 1000000, not '%s'", value);
			return EXIT_USAGE;
		}
		break;
	}
	return 0;
}

static int put_json_or_null(tgpl_buf *b, const char *s)
{
	return s ? tgpl_buf_put_json_string(b, s, strlen(s)) : tgpl_buf_puts(b, "null");
}

static int on_occurrence(const tgpl_occurrence *o, void *payload)
{
	occ_out *out = payload;
	tgpl_buf *b = out->b;

	if (out->json) {
		if ((out->n && tgpl_buf_putc(b, ',') < 0) ||
		    tgpl_buf_puts(b, "{\"repository\":") < 0 ||
		    tgpl_buf_put_json_string(b, o->repo_path, o->repo_path_len) < 0 ||
		    tgpl_buf_puts(b, ",\"kind\":") < 0 || put_json_or_null(b, o->kind) < 0 ||
		    tgpl_buf_puts(b, ",\"commit\":") < 0 || put_json_or_null(b, o->commit_id) < 0 ||
		    tgpl_buf_puts(b, ",\"ref\":") < 0 || put_json_or_null(b, o->ref) < 0 ||
		    tgpl_buf_puts(b, ",\"path\":") < 0 ||
		    tgpl_buf_put_json_string(b, o->path, o->path_len) < 0 ||
		    tgpl_buf_puts(b, ",\"license\":") < 0 || put_json_or_null(b, o->concluded) < 0 ||
		    tgpl_buf_puts(b, ",\"decided_by\":") < 0 || put_json_or_null(b, o->decided_by) < 0 ||
		    tgpl_buf_puts(b, ",\"expression\":") < 0 || put_json_or_null(b, o->expression) < 0 ||
		    tgpl_buf_putc(b, '}') < 0) {
			out->failed = 1;
			return 1;
		}
		out->n++;
		return 0;
	}
	if (out->n == 0) {
		text_header(out);
		printf("%llu file%s\n", (unsigned long long)*out->total, *out->total == 1 ? "" : "s");
	}
	fputs("  ", stdout);
	cli_put_safe(stdout, o->repo_path, o->repo_path_len);
	if (o->commit_id)
		printf("  %.12s  ", o->commit_id);
	else
		fputs("  (dir)  ", stdout);
	cli_put_safe(stdout, o->path, o->path_len);
	fputs("  ", stdout);
	if (o->concluded) {
		cli_put_safe(stdout, o->concluded, strlen(o->concluded));
		if (o->decided_by) {
			fputs(" (", stdout);
			cli_put_safe(stdout, o->decided_by, strlen(o->decided_by));
			putchar(')');
		}
	} else {
		fputs("(no licence)", stdout);
	}
	putchar('\n');
	out->n++;
	return 0;
}

/* One FILE: 1 found, 0 not in the corpus, < 0 error (reported). */
static int contains_one(tgpl_ctx *ctx, tgpl_db *db, const char *file, const contains_args *a)
{
	tgpl_buf occ = TGPL_BUF_INIT, line = TGPL_BUF_INIT;
	char oid[41];
	uint64_t total = 0;
	occ_out out = { a->json, file, oid, &total, &occ, 0, 0 };
	int rc;

	if ((rc = tgpl_blob_id_file(oid, ctx, file)) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		return rc;
	}
	rc = tgpl_db_blob_occurrences(db, oid, (size_t)a->limit, &total, on_occurrence, &out);
	if (rc < 0 || out.failed) {
		cli_error("%s", out.failed ? "out of memory" : tgpl_errmsg(ctx));
		tgpl_buf_release(&occ);
		return rc < 0 ? rc : TGPL_ENOMEM;
	}
	if (a->json) {
		if (tgpl_buf_puts(&line, "{\"file\":") < 0 ||
		    tgpl_buf_put_json_string(&line, file, strlen(file)) < 0 ||
		    tgpl_buf_printf(&line, ",\"sha1_git\":\"%s\",\"swhid\":\"swh:1:cnt:%s\",\"found\":%s,"
				    "\"total\":%llu,\"occurrences\":[", oid, oid, total ? "true" : "false",
				    (unsigned long long)total) < 0 ||
		    (occ.len && tgpl_buf_put(&line, occ.ptr, occ.len) < 0) ||
		    tgpl_buf_puts(&line, "]}\n") < 0) {
			cli_error("out of memory");
			rc = TGPL_ENOMEM;
		} else {
			fwrite(line.ptr, 1, line.len, stdout);
		}
	} else if (!total) {
		text_header(&out);
		fputs("not in the corpus\n", stdout);
	} else if (total > out.n) {
		printf("  ... and %llu more (--limit 0 lists all)\n", (unsigned long long)(total - out.n));
	}
	tgpl_buf_release(&occ);
	tgpl_buf_release(&line);
	if (rc < 0)
		return rc;
	return total ? 1 : 0;
}

int cmd_contains(const cli_command *cmd, int argc, char **argv, cli_global *g)
{
	contains_args a = { 0, DEFAULT_LIMIT };
	tgpl_ctx *ctx = NULL;
	tgpl_db *db = NULL;
	char **files = NULL;
	int nfiles = 0, i, status = EXIT_OK, missing = 0, rc;

	if ((rc = cli_parse(cmd, argc, argv, g, on_option, &a, &files, &nfiles)) != 0)
		return rc;
	if (nfiles == 0) {
		cli_error("contains: no FILE given (see 'tgpl contains --help')");
		free(files);
		return EXIT_USAGE;
	}
	if (tgpl_ctx_new(&ctx) < 0) {
		cli_error("out of memory");
		free(files);
		return EXIT_RUNTIME;
	}
	tgpl_ctx_set_log(ctx, cli_log, g);
	if (tgpl_db_open(&db, ctx, g->db ? g->db : "tgpl.db", TGPL_DB_READONLY) < 0) {
		cli_error("%s", tgpl_errmsg(ctx));
		status = EXIT_RUNTIME;
		goto done;
	}
	for (i = 0; i < nfiles; i++) {
		rc = contains_one(ctx, db, files[i], &a);
		if (rc < 0)
			status = EXIT_RUNTIME;
		else if (rc == 0)
			missing++;
	}
	if (status == EXIT_OK && missing)
		status = EXIT_FINDINGS;
	if (fflush(stdout) != 0) {
		cli_error("cannot write the results");
		status = EXIT_RUNTIME;
	}
done:
	tgpl_db_close(db);
	tgpl_ctx_free(ctx);
	free(files);
	return status;
}
