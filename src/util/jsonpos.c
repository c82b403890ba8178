/* jsonpos.c — offsets of values in (valid) JSON text; see jsonpos.h. */
#include <string.h>

#include "util/jsonpos.h"

static int is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t jsonpos_ws(const char *s, size_t n, size_t i)
{
	while (i < n && is_json_space(s[i]))
		i++;
	return i;
}

static size_t string_end(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

size_t jsonpos_skip(const char *s, size_t n, size_t i)
{
	size_t depth = 0;

	if (i >= n)
		return n;
	if (s[i] == '"')
		return string_end(s, n, i);
	if (s[i] != '{' && s[i] != '[') {
		while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_json_space(s[i]))
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (s[i] == '"')
			i = string_end(s, n, i) - 1;
		else if (s[i] == '{' || s[i] == '[')
			depth++;
		else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
			return i + 1;
	}
	return n;
}

size_t jsonpos_member(const char *s, size_t n, size_t obj, const char *key)
{
	size_t klen = strlen(key), i;

	if (obj >= n || s[obj] != '{')
		return n;
	i = jsonpos_ws(s, n, obj + 1);
	while (i < n && s[i] == '"') {
		size_t kend = string_end(s, n, i);
		int match = kend - i == klen + 2 && memcmp(s + i + 1, key, klen) == 0;

		i = jsonpos_ws(s, n, kend);
		if (i >= n || s[i] != ':')
			return n;
		i = jsonpos_ws(s, n, i + 1);
		if (match)
			return i;
		i = jsonpos_ws(s, n, jsonpos_skip(s, n, i));
		if (i >= n || s[i] != ',')
			return n;
		i = jsonpos_ws(s, n, i + 1);
	}
	return n;
}

size_t jsonpos_element(const char *s, size_t n, size_t arr, size_t idx)
{
	size_t i, k;

	if (arr >= n || s[arr] != '[')
		return n;
	i = jsonpos_ws(s, n, arr + 1);
	for (k = 0; i < n && s[i] != ']'; k++) {
		if (k == idx)
			return i;
		i = jsonpos_ws(s, n, jsonpos_skip(s, n, i));
		if (i >= n || s[i] != ',')
			return n;
		i = jsonpos_ws(s, n, i + 1);
	}
	return n;
}
