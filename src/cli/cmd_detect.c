/*
 * cmd_detect.c — `tgpl detect [--json] FILE...`: licences, clauses and
 * opt-outs of files, without a database.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "cli/cli.h"
#include "util/util.h"

enum { OPT_JSON = 1, OPT_MAX_FILE_SIZE };

const cli_option detect_options[] = {
	{ OPT_JSON, 'j', "json", NULL, "print one JSON object per file (JSON Lines)" },
	{ OPT_MAX_FILE_SIZE, 0, "max-file-size", "BYTES",
	  "skip files larger than this (default: 16777216)" },
	{ 0, 0, NULL, NULL, NULL }
};

typedef struct {
	int json;
	uint64_t max_file_size;
} detect_args;

static int on_option(int id, const char *value, void *payload)
{
	detect_args *a = payload;

	if (id == OPT_JSON)
		a->json = 1;
	if (id == OPT_MAX_FILE_SIZE &&
	    (tgpl_parse_u64(value, &a->max_file_size) < 0 || a->max_file_size == 0)) {
		cli_error("detect: --max-file-size takes a positive number of bytes, not '%s'", value);
		return EXIT_USAGE;
	}
	return 0;
}

/* Read a regular file whole, up to `cap` bytes (*too_big set past it). */
static int read_file(const char *path, uint64_t cap, char **out, size_t *len, int *too_big)
{
	struct stat st;
	tgpl_buf b = TGPL_BUF_INIT;
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	*too_big = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		close(fd);
		return -err;
	}
	if ((uint64_t)st.st_size > cap) {
		*too_big = 1;
		*len = (size_t)st.st_size;
		close(fd);
		return 0;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			tgpl_buf_release(&b);
			return -err;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > cap) {
			*too_big = 1;
			break;
		}
		if (tgpl_buf_put(&b, chunk, (size_t)n) < 0) {
			close(fd);
			tgpl_buf_release(&b);
			return -ENOMEM;
		}
	}
	close(fd);
	*len = b.len;
	*out = tgpl_buf_detach(&b);
	return *out ? 0 : -ENOMEM;
}

static void print_text(const char *path, const tgpl_detection *d)
{
	size_t i;

	cli_put_safe(stdout, path, strlen(path));
	if (d->skipped) {
		printf(": skipped (%s)\n", d->skipped);
		return;
	}
	fputs(": ", stdout);
	if (d->expression)
		cli_put_safe(stdout, d->expression, strlen(d->expression));
	else
		fputs("no licence found", stdout);
	putchar('\n');
	for (i = 0; i < d->n_licenses; i++) {
		const tgpl_license_hit *h = &d->licenses[i];
		const char *id = h->spdx ? h->spdx : "(no id)";

		printf("  %-9s ", tgpl_kind_name(h->kind));
		cli_put_safe(stdout, id, strlen(id));
		printf("  lines %u-%u  score %.2f", h->start_line, h->end_line, h->score);
		if (h->note) {
			fputs("  (", stdout);
			cli_put_safe(stdout, h->note, strlen(h->note));
			putchar(')');
		}
		if (h->n_unmatched)
			printf("  [%zu unmatched span%s]", h->n_unmatched, h->n_unmatched > 1 ? "s" : "");
		putchar('\n');
	}
	for (i = 0; i < d->n_clauses; i++)
		printf("  clause    %s  lines %u-%u  score %.2f\n", d->clauses[i].id,
		       d->clauses[i].start_line, d->clauses[i].end_line, d->clauses[i].score);
	for (i = 0; i < d->n_optouts; i++)
		printf("  opt-out   %s  lines %u-%u\n", d->optouts[i].kind,
		       d->optouts[i].start_line, d->optouts[i].end_line);
}

int cmd_detect(const cli_command *cmd, int argc, char **argv, cli_global *g)
{
	detect_args a = { 0, TGPL_DEFAULT_MAX_FILE_SIZE };
	tgpl_detect_options opts = TGPL_DETECT_OPTIONS_INIT;
	tgpl_ctx *ctx = NULL;
	tgpl_engine *engine = NULL;
	char **files = NULL;
	int nfiles = 0, i, status = EXIT_OK, rc;

	if ((rc = cli_parse(cmd, argc, argv, g, on_option, &a, &files, &nfiles)) != 0)
		return rc;
	if (nfiles == 0) {
		cli_error("detect: no FILE given (see 'tgpl detect --help')");
		free(files);
		return EXIT_USAGE;
	}
	if (tgpl_ctx_new(&ctx) < 0) {
		free(files);
		cli_error("out of memory");
		return EXIT_RUNTIME;
	}
	tgpl_ctx_set_log(ctx, cli_log, g);
	if (!(engine = cli_engine(ctx))) {
		status = EXIT_RUNTIME;
		goto done;
	}
	opts.max_file_size = (size_t)a.max_file_size;
	git_libgit2_init();
	for (i = 0; i < nfiles; i++) {
		tgpl_detection *det = NULL;
		char *data = NULL, *line = NULL, hex[GIT_OID_HEXSZ + 1] = "";
		size_t len = 0;
		int too_big = 0;
		git_oid oid;

		rc = read_file(files[i], a.max_file_size, &data, &len, &too_big);
		if (rc < 0) {
			cli_error("cannot read '%s': %s", files[i], strerror(-rc));
			status = EXIT_RUNTIME;
			continue;
		}
		if (too_big) {
			if (git_odb_hashfile(&oid, files[i], GIT_OBJECT_BLOB) == 0)
				git_oid_tostr(hex, sizeof(hex), &oid);
			rc = tgpl_detect(&det, ctx, engine, &opts, files[i], "", len);
		} else {
			git_odb_hash(&oid, data, len, GIT_OBJECT_BLOB);
			git_oid_tostr(hex, sizeof(hex), &oid);
			rc = tgpl_detect(&det, ctx, engine, &opts, files[i], data, len);
		}
		if (rc < 0) {
			cli_error("%s", tgpl_errmsg(ctx));
			status = EXIT_RUNTIME;
		} else if (a.json) {
			if (tgpl_report_detection_json(&line, files[i], strlen(files[i]),
						       hex[0] ? hex : NULL, det) < 0) {
				cli_error("out of memory");
				status = EXIT_RUNTIME;
			} else {
				puts(line);
			}
		} else {
			print_text(files[i], det);
		}
		free(line);
		free(data);
		tgpl_detection_free(det);
	}
	git_libgit2_shutdown();
	if (fflush(stdout) != 0) {
		cli_error("cannot write the output: %s", strerror(errno));
		status = EXIT_RUNTIME;
	}
done:
	tgpl_engine_free(engine);
	tgpl_ctx_free(ctx);
	free(files);
	return status;
}
