/*
 * copyright.c — copyright lines of a file's content, for the NOTICE bundle.
 *
 * A line is a copyright line when it says "Copyright" (any case) or "(C)" or
 * "©" followed, within the line, by a year (four digits from 1900 on):
 * "Copyright (c) 2019-2024 Jane Doe", "© 2021 ACME", "(C) 1999 X".  That
 * leaves out the licence texts' own mentions ("the above copyright notice")
 * and templates ("Copyright [yyyy] [name of copyright owner]",
 * "Copyright (c) <year> <copyright holders>"), which have no year.
 * Comment leaders (/ * # ; -- <!-- and blanks) are trimmed before the text,
 * blanks and comment closers (* / and -->) after it.
 */
#include <string.h>

#include "report/report_int.h"

#define MAX_LINE 300

static int ci_at(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word), i;

	if ((size_t)(end - p) < n)
		return 0;
	for (i = 0; i < n; i++)
		if ((p[i] | 0x20) != word[i])
			return 0;
	return 1;
}

/* A year 1900-2099 standing alone (no digit either side) in [start, end). */
static int has_year(const char *start, const char *end)
{
	const char *p;

	for (p = start; p + 4 <= end; p++) {
		if (!((p[0] == '1' && p[1] == '9') || (p[0] == '2' && p[1] == '0')))
			continue;
		if (p[2] < '0' || p[2] > '9' || p[3] < '0' || p[3] > '9')
			continue;
		if ((p > start && p[-1] >= '0' && p[-1] <= '9') || (p + 4 < end && p[4] >= '0' && p[4] <= '9'))
			continue;
		return 1;
	}
	return 0;
}

/* Control characters other than TAB make a line unfit for a NOTICE file. */
static int has_control(const char *s, const char *e)
{
	for (; s < e; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 1;
	return 0;
}

/* Where a copyright marker starts in the line, or NULL. */
static const char *marker(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (ci_at(p, end, "copyright") || ci_at(p, end, "(c)"))
			return p;
		if (p + 1 < end && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa9)
			return p;
	}
	return NULL;
}

static int is_leader(char c)
{
	return c == ' ' || c == '\t' || c == '/' || c == '*' || c == '#' || c == ';' || c == '-' ||
	       c == '<' || c == '>' || c == '!' || c == '%' || c == '\r';
}

int report_copyright_lines(const char *data, size_t len, report_strset *out, size_t max)
{
	const char *p = data, *end = data + len;
	size_t added = 0;

	while (p < end && added < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *s = p, *m;

		p = nl ? nl + 1 : end;
		if ((m = marker(s, e)) == NULL || !has_year(m, e))
			continue;
		while (s < e && is_leader(*s))
			s++;
		/* After the text: blanks and comment closers only, not the '>' of an address. */
		for (;;) {
			while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
				e--;
			if (e - s >= 2 && e[-2] == '*' && e[-1] == '/')
				e -= 2;
			else if (e - s >= 3 && e[-3] == '-' && e[-2] == '-' && e[-1] == '>')
				e -= 3;
			else
				break;
		}
		if (e <= s || (size_t)(e - s) > MAX_LINE || !tgpl_utf8_valid(s, (size_t)(e - s)) ||
		    has_control(s, e))
			continue;
		{
			char line[MAX_LINE + 1];
			int rc;

			memcpy(line, s, (size_t)(e - s));
			line[e - s] = '\0';
			if ((rc = report_strset_add(out, line, NULL)) < 0)
				return rc;
			added += (size_t)rc;
		}
	}
	return 0;
}

int report_lines(const char *data, size_t len, uint32_t start, uint32_t end, uint32_t max_lines,
		 report_line_cb cb, void *payload)
{
	const char *p = data, *stop = data + len;
	uint32_t line = 1, shown = 0;
	int rc;

	while (p < stop && line <= end && shown < max_lines) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p)), *e = nl ? nl : stop;

		if (line >= start) {
			size_t n = (size_t)(e - p);

			if (n && p[n - 1] == '\r')
				n--;
			if (n > REPORT_MAX_EXCERPT_LINE) {
				/* Cut at a character boundary. */
				n = REPORT_MAX_EXCERPT_LINE;
				while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80)
					n--;
			}
			if ((rc = cb(line, p, n, payload)) < 0)
				return rc;
			shown++;
		}
		p = nl ? nl + 1 : stop;
		line++;
	}
	return 0;
}
