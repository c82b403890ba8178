/* buf.c — growable, capped, NUL-terminated byte buffers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int tgpl_buf_grow(tgpl_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	need = b->len + extra + 1;
	if (b->max && need > b->max + 1)
		return -1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	p = tgpl_realloc(b->ptr, ncap);
	if (!p)
		return -1;
	b->ptr = p;
	b->cap = ncap;
	return 0;
}

int tgpl_buf_put(tgpl_buf *b, const void *data, size_t n)
{
	if (tgpl_buf_grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int tgpl_buf_puts(tgpl_buf *b, const char *s)
{
	return tgpl_buf_put(b, s, strlen(s));
}

int tgpl_buf_putc(tgpl_buf *b, char c)
{
	return tgpl_buf_put(b, &c, 1);
}

int tgpl_buf_vprintf(tgpl_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || tgpl_buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int tgpl_buf_printf(tgpl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tgpl_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void tgpl_buf_clear(tgpl_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void tgpl_buf_release(tgpl_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

char *tgpl_buf_detach(tgpl_buf *b)
{
	char *p = b->ptr;

	if (!p)
		p = tgpl_strdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}
