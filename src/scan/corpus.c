/*
 * corpus.c — reading corpus files: one repository per line, `PATH-or-URL
 * [REV]`, comments and blank lines allowed (include/tgpl/scan.h).  The file
 * is read one line at a time with a cap on the line length, so a corpus of
 * any size (or a hostile one) costs a fixed amount of memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/corpus.h"
#include "tgpl/scan.h"
#include "util/util.h"

struct tgpl_corpus {
	tgpl_ctx *ctx;
	FILE *f;
	char *name;               /* the file name as given */
	char *dir;                /* its directory, for relative paths; NULL: as written */
	tgpl_buf line;
	tgpl_buf resolved;
	uint64_t lineno, index;
	tgpl_corpus_entry entry;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int corpus_parse_line(char *line, size_t len, char *fields[2], const char **why)
{
	size_t i = 0, n = 0;

	fields[0] = fields[1] = NULL;
	if (memchr(line, '\0', len)) {
		*why = "the line holds a NUL byte";
		return -1;
	}
	for (;;) {
		size_t w;

		while (i < len && is_blank(line[i]))
			i++;
		if (i >= len || line[i] == '#')
			break;
		if (n == 2) {
			*why = "more than two fields (expected 'PATH-or-URL [REV]'; "
			       "write '\\ ' for a blank inside a path)";
			return -1;
		}
		fields[n++] = line + i;
		for (w = i; i < len && !is_blank(line[i]); i++) {
			if (line[i] == '\\') {
				char c = i + 1 < len ? line[i + 1] : '\0';
				if (c != ' ' && c != '\t' && c != '#' && c != '\\') {
					*why = "a backslash escapes only a blank, '#' or a backslash";
					return -1;
				}
				i++;
			}
			line[w++] = line[i];
		}
		/* The field ends where its bytes end; the separator (or the NUL at
		 * len) is after it, so this never writes past the line. */
		if (i < len)
			i++;
		line[w] = '\0';
	}
	return n ? 1 : 0;
}

int tgpl_corpus_open(tgpl_corpus **out, tgpl_ctx *ctx, const char *path)
{
	tgpl_corpus *c = tgpl_calloc(1, sizeof(*c));
	const char *slash = strrchr(path, '/');

	if (!c || !(c->name = tgpl_strdup(path)) ||
	    (slash && !(c->dir = tgpl_strndup(path, slash == path ? 1 : (size_t)(slash - path))))) {
		tgpl_corpus_close(c);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	c->ctx = ctx;
	c->line.max = TGPL_CORPUS_MAX_LINE + 1;
	c->f = fopen(path, "r");
	if (!c->f) {
		int code = errno == ENOENT ? TGPL_ENOTFOUND : TGPL_EIO;
		int rc = tgpl_error(ctx, code, "cannot open corpus '%s': %s", path, strerror(errno));
		tgpl_corpus_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

void tgpl_corpus_close(tgpl_corpus *c)
{
	if (!c)
		return;
	if (c->f)
		fclose(c->f);
	tgpl_buf_release(&c->line);
	tgpl_buf_release(&c->resolved);
	free(c->name);
	free(c->dir);
	free(c);
}

/* Read one line into c->line (without its newline), at most
 * TGPL_CORPUS_MAX_LINE bytes; the rest of a longer line is read and dropped.
 * 1 line read (*too_long set), 0 end of file, < 0 error. */
static int read_line(tgpl_corpus *c, int *too_long)
{
	int ch, any = 0;

	tgpl_buf_clear(&c->line);
	*too_long = 0;
	if (tgpl_buf_puts(&c->line, "") < 0)
		return tgpl_error(c->ctx, TGPL_ENOMEM, "out of memory");
	while ((ch = getc(c->f)) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (c->line.len >= TGPL_CORPUS_MAX_LINE) {
			*too_long = 1;
			continue;
		}
		if (tgpl_buf_putc(&c->line, (char)ch) < 0)
			return tgpl_error(c->ctx, TGPL_ENOMEM, "out of memory");
	}
	if (ferror(c->f))
		return tgpl_error(c->ctx, TGPL_EIO, "cannot read corpus '%s': %s", c->name, strerror(errno));
	return any;
}

int tgpl_corpus_next(const tgpl_corpus_entry **out, tgpl_corpus *c)
{
	for (;;) {
		char *fields[2];
		const char *why = NULL;
		int too_long, rc;

		if ((rc = read_line(c, &too_long)) <= 0)
			return rc;
		c->lineno++;
		if (too_long) {
			/* A comment may be as long as it likes; anything else may not. */
			const char *p = c->line.ptr;
			while (is_blank(*p))
				p++;
			if (*p == '#')
				continue;
			rc = -1;
			why = "the line is longer than 65536 bytes";
		} else {
			rc = corpus_parse_line(c->line.ptr, c->line.len, fields, &why);
		}
		if (rc == 0)
			continue;
		memset(&c->entry, 0, sizeof(c->entry));
		c->entry.line = c->lineno;
		c->entry.index = c->index++;
		if (rc < 0) {
			c->entry.invalid = why;
			*out = &c->entry;
			return 1;
		}
		c->entry.location = fields[0];
		c->entry.rev = fields[1];
		c->entry.resolved = fields[0];
		if (c->dir && fields[0][0] != '/' && !tgpl_location_is_url(fields[0])) {
			tgpl_buf_clear(&c->resolved);
			if (tgpl_buf_printf(&c->resolved, "%s%s%s", c->dir,
					    strcmp(c->dir, "/") == 0 ? "" : "/", fields[0]) < 0)
				return tgpl_error(c->ctx, TGPL_ENOMEM, "out of memory");
			c->entry.resolved = c->resolved.ptr;
		}
		*out = &c->entry;
		return 1;
	}
}
