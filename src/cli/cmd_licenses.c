/*
 * cmd_licenses.c — `tgpl licenses [ID]`: the licences tgpl knows.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/util.h"

enum { OPT_JSON = 1, OPT_TEXT };

const cli_option licenses_options[] = {
	{ OPT_JSON, 'j', "json", NULL, "print JSON instead of text" },
	{ OPT_TEXT, 't', "text", NULL, "with ID: also print the reference text" },
	{ 0, 0, NULL, NULL, NULL }
};

typedef struct {
	int json;
	int text;
} licenses_args;

static int on_option(int id, const char *value, void *payload)
{
	licenses_args *a = payload;

	(void)value;
	if (id == OPT_JSON)
		a->json = 1;
	else if (id == OPT_TEXT)
		a->text = 1;
	return 0;
}

static int put_json_field(tgpl_buf *b, const char *key, const char *value, int comma)
{
	if (tgpl_buf_printf(b, "%s\"%s\":", comma ? "," : "", key) < 0)
		return -1;
	if (!value)
		return tgpl_buf_puts(b, "null");
	return tgpl_buf_put_json_string(b, value, strlen(value));
}

static int license_json(tgpl_buf *b, const tgpl_license_info *li, int with_text)
{
	if (tgpl_buf_putc(b, '{') < 0 || put_json_field(b, "id", li->id, 0) < 0 ||
	    put_json_field(b, "name", li->name, 1) < 0 ||
	    tgpl_buf_printf(b, ",\"osi_approved\":%s,\"deprecated\":%s", li->osi_approved ? "true" : "false",
			    li->deprecated ? "true" : "false") < 0 ||
	    put_json_field(b, "replaced_by", li->replaced_by, 1) < 0 ||
	    put_json_field(b, "category", li->category, 1) < 0 ||
	    put_json_field(b, "url", li->url, 1) < 0 ||
	    (with_text && put_json_field(b, "text", li->text, 1) < 0) || tgpl_buf_putc(b, '}') < 0)
		return -1;
	return 0;
}

int cmd_licenses(const cli_command *cmd, int argc, char **argv, cli_global *g)
{
	licenses_args a = { 0, 0 };
	tgpl_ctx *ctx = NULL;
	tgpl_engine *engine = NULL;
	tgpl_buf out = TGPL_BUF_INIT;
	char **ids = NULL;
	int nids = 0, status = EXIT_OK, rc;
	size_t i, n;

	if ((rc = cli_parse(cmd, argc, argv, g, on_option, &a, &ids, &nids)) != 0)
		return rc;
	if (nids > 1) {
		cli_error("licenses: give at most one ID (see 'tgpl licenses --help')");
		free(ids);
		return EXIT_USAGE;
	}
	if (tgpl_ctx_new(&ctx) < 0) {
		free(ids);
		cli_error("out of memory");
		return EXIT_RUNTIME;
	}
	if (!(engine = cli_engine(ctx))) {
		status = EXIT_RUNTIME;
		goto done;
	}
	if (nids == 1) {
		const tgpl_license_info *li = tgpl_engine_license(engine, ids[0]);

		if (!li) {
			cli_error("licenses: unknown licence id '%s'", ids[0]);
			status = EXIT_RUNTIME;
			goto done;
		}
		if (a.json) {
			if (license_json(&out, li, a.text) < 0)
				goto oom;
			puts(out.ptr);
		} else {
			printf("id:           %s\nname:         %s\nOSI approved: %s\n", li->id, li->name,
			       li->osi_approved ? "yes" : "no");
			if (li->deprecated)
				printf("deprecated:   yes, use %s\n", li->replaced_by ? li->replaced_by : "another id");
			printf("category:     %s\n", li->category ? li->category : "(not categorised)");
			if (li->url)
				printf("url:          %s\n", li->url);
			if (a.text && li->text)
				printf("\n%s\n", li->text);
		}
		goto done;
	}
	n = tgpl_engine_license_count(engine);
	if (a.json && tgpl_buf_putc(&out, '[') < 0)
		goto oom;
	for (i = 0; i < n; i++) {
		const tgpl_license_info *li = tgpl_engine_license_at(engine, i);

		if (a.json) {
			if ((i && tgpl_buf_putc(&out, ',') < 0) || license_json(&out, li, 0) < 0)
				goto oom;
		} else {
			printf("%-40s %-3s %s%s\n", li->id, li->osi_approved ? "OSI" : "-", li->name,
			       li->deprecated ? " (deprecated)" : "");
		}
	}
	if (a.json) {
		if (tgpl_buf_putc(&out, ']') < 0)
			goto oom;
		puts(out.ptr);
	}
	goto done;
oom:
	cli_error("out of memory");
	status = EXIT_RUNTIME;
done:
	tgpl_buf_release(&out);
	tgpl_engine_free(engine);
	tgpl_ctx_free(ctx);
	free(ids);
	return status;
}
