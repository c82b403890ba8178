/* str.c — small string helpers: UTF-8 checks, JSON escaping, hex, numbers. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int tgpl_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		k = utf8_seq(p + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

int tgpl_buf_put_json_string(tgpl_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	if (tgpl_buf_putc(b, '"') < 0)
		return -1;
	while (i < n) {
		unsigned char c = p[i];
		int rc = 0;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			rc = tgpl_buf_put(b, e, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': rc = tgpl_buf_puts(b, "\\n"); break;
			case '\t': rc = tgpl_buf_puts(b, "\\t"); break;
			case '\r': rc = tgpl_buf_puts(b, "\\r"); break;
			default: rc = tgpl_buf_printf(b, "\\u%04x", c); break;
			}
			i++;
		} else if (c < 0x80) {
			rc = tgpl_buf_putc(b, (char)c);
			i++;
		} else if ((k = utf8_seq(p + i, n - i)) != 0) {
			/* U+2028/2029 are valid JSON but break JavaScript embedding. */
			if (k == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
				rc = tgpl_buf_printf(b, "\\u%04x", p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
			else
				rc = tgpl_buf_put(b, p + i, k);
			i += k;
		} else {
			rc = tgpl_buf_puts(b, "\\ufffd");
			i++;
		}
		if (rc < 0)
			return -1;
	}
	return tgpl_buf_putc(b, '"');
}

int tgpl_strcasecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
		if (ca != cb || !ca)
			return ca - cb;
	}
}

int tgpl_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

void tgpl_hex(char *out, const unsigned char *id, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * n] = '\0';
}

char *tgpl_url_redact(const char *url)
{
	const char *scheme = strstr(url, "://"), *auth, *end, *at = NULL, *p;
	tgpl_buf b = TGPL_BUF_INIT;

	if (!scheme || strcspn(url, "/?#") < (size_t)(scheme - url))
		return tgpl_strdup(url);
	auth = scheme + 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return tgpl_strdup(url);
	if (tgpl_buf_put(&b, url, (size_t)(auth - url)) < 0 || tgpl_buf_puts(&b, at + 1) < 0) {
		tgpl_buf_release(&b);
		return NULL;
	}
	return tgpl_buf_detach(&b);
}
