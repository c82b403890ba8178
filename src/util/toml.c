/*
 * toml.c — a strict TOML 1.0 reader (see toml.h).
 *
 * A hand-written recursive-descent parser over the bytes.  Two things are
 * worth knowing before reading it:
 *
 *  - TOML forbids defining anything twice, and the rules for what counts as
 *    "defined" differ for tables made by a [header], tables made on the way
 *    to a deeper [a.b.c] header, tables made by dotted keys and inline
 *    tables.  Each table carries flags saying how it came to be, and the
 *    checks in open_header() and put_dotted() follow the spec's examples.
 *  - A hostile file with a million keys in one table must not make the
 *    duplicate check quadratic, so while parsing, (parent, key) pairs live in
 *    one hash table; after parsing, lookups are linear (callers ask for a
 *    handful of keys).
 *
 * Line numbers are computed lazily: the parser only remembers the last
 * offset it counted up to, since it asks for lines in increasing order.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/toml.h"
#include "util/util.h"

enum {
	TF_IMPLICIT = 1,  /* created on the way to a deeper [header] */
	TF_DEFINED  = 2,  /* defined by its own [header] or [[header]] element */
	TF_DOTTED   = 4,  /* created by a dotted key */
	TF_FROZEN   = 8,  /* an inline table, or inside one: closed for additions */
	TF_AOT      = 16  /* an array made by [[header]]: may grow */
};

struct hent {
	const toml_node *parent;
	toml_node *child;
};

typedef struct {
	const char *s;
	size_t n;
	size_t i;
	size_t lpos;          /* line counting: lines counted up to lpos */
	uint32_t lno;
	size_t n_nodes;
	toml_error *err;
	struct hent *ht;
	size_t ht_cap, ht_used;
} parser;

/* A parsed key: its dotted parts. */
typedef struct {
	char *part[TOML_MAX_DEPTH];
	size_t len[TOML_MAX_DEPTH];
	size_t n;
	uint32_t line;
} key_path;

static uint32_t line_at(parser *p, size_t off)
{
	if (off < p->lpos) {  /* never happens in practice; recount */
		p->lpos = 0;
		p->lno = 1;
	}
	while (p->lpos < off && p->lpos < p->n) {
		if (p->s[p->lpos] == '\n')
			p->lno++;
		p->lpos++;
	}
	return p->lno;
}

static int fail_at(parser *p, int code, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(parser *p, int code, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (p->err) {
		p->err->line = line_at(p, off);
		va_start(ap, fmt);
		vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

#define FAIL(p, ...) fail_at((p), TGPL_EINVAL, (p)->i, __VA_ARGS__)
#define NOMEM(p) fail_at((p), TGPL_ENOMEM, (p)->i, "out of memory")

/* ---- nodes ---------------------------------------------------------- */

static void node_free(toml_node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n_items; i++)
		node_free(n->items[i]);
	free(n->items);
	free(n->key);
	free(n->str);
	free(n);
}

void toml_free(toml_node *root)
{
	node_free(root);
}

static int node_new(toml_node **out, parser *p, toml_type type, uint32_t line, unsigned depth)
{
	toml_node *n;

	if (depth > TOML_MAX_DEPTH)
		return fail_at(p, TGPL_ETOOBIG, p->i, "nesting deeper than %d", TOML_MAX_DEPTH);
	if (p->n_nodes >= TOML_MAX_NODES)
		return fail_at(p, TGPL_ETOOBIG, p->i, "more than %d values", TOML_MAX_NODES);
	n = tgpl_calloc(1, sizeof(*n));
	if (!n)
		return NOMEM(p);
	p->n_nodes++;
	n->type = type;
	n->line = line;
	n->depth = depth;
	*out = n;
	return 0;
}

static int items_push(parser *p, toml_node *parent, toml_node *child)
{
	if (tgpl_grow((void **)&parent->items, &parent->cap_items, parent->n_items + 1,
		      sizeof(*parent->items)) < 0)
		return NOMEM(p);
	parent->items[parent->n_items++] = child;
	return 0;
}

/* ---- the (parent, key) hash used while parsing ---------------------- */

static uint64_t hkey(const toml_node *parent, const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;
	size_t i;

	h *= 1099511628211ull;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ull;
	}
	return h;
}

static toml_node *ht_find(const parser *p, const toml_node *parent, const char *k, size_t n)
{
	size_t mask, j;

	if (!p->ht_cap)
		return NULL;
	mask = p->ht_cap - 1;
	for (j = (size_t)hkey(parent, k, n) & mask; p->ht[j].child; j = (j + 1) & mask) {
		const toml_node *c = p->ht[j].child;
		if (p->ht[j].parent == parent && c->key_len == n && memcmp(c->key, k, n) == 0)
			return p->ht[j].child;
	}
	return NULL;
}

static void ht_place(struct hent *ht, size_t cap, const toml_node *parent, toml_node *child)
{
	size_t mask = cap - 1, j;

	for (j = (size_t)hkey(parent, child->key, child->key_len) & mask; ht[j].child;
	     j = (j + 1) & mask)
		;
	ht[j].parent = parent;
	ht[j].child = child;
}

static int ht_insert(parser *p, const toml_node *parent, toml_node *child)
{
	if ((p->ht_used + 1) * 2 > p->ht_cap) {
		size_t ncap = p->ht_cap ? p->ht_cap * 2 : 64, j;
		struct hent *nt = tgpl_calloc(ncap, sizeof(*nt));

		if (!nt)
			return NOMEM(p);
		for (j = 0; j < p->ht_cap; j++)
			if (p->ht[j].child)
				ht_place(nt, ncap, p->ht[j].parent, p->ht[j].child);
		free(p->ht);
		p->ht = nt;
		p->ht_cap = ncap;
	}
	ht_place(p->ht, p->ht_cap, parent, child);
	p->ht_used++;
	return 0;
}

/*
 * Add `child` to `table` under `key` (taken: freed by the child from now on,
 * or here on failure).  The caller has checked the key is new.
 */
static int table_put(parser *p, toml_node *table, char *key, size_t klen, toml_node *child)
{
	int rc;

	child->key = key;
	child->key_len = klen;
	if ((rc = items_push(p, table, child)) < 0)
		goto fail;
	if ((rc = ht_insert(p, table, child)) < 0) {
		table->n_items--;
		goto fail;
	}
	return 0;
fail:
	node_free(child);
	return rc;
}

/* A new, empty table under `key` (copied) in `table`. */
static int table_new_child(toml_node **out, parser *p, toml_node *table, const char *key,
			   size_t klen, uint32_t line, unsigned flags)
{
	toml_node *t = NULL;
	char *k;
	int rc;

	if ((rc = node_new(&t, p, TOML_TABLE, line, table->depth + 1)) < 0)
		return rc;
	t->flags = flags;
	k = tgpl_strndup(key, klen);
	if (!k) {
		node_free(t);
		return NOMEM(p);
	}
	if ((rc = table_put(p, table, k, klen, t)) < 0)
		return rc;
	*out = t;
	return 0;
}

static void freeze(toml_node *n)
{
	size_t i;

	if (n->type != TOML_TABLE)
		return;
	n->flags |= TF_FROZEN;
	for (i = 0; i < n->n_items; i++)
		freeze(n->items[i]);
}

/* ---- lexical helpers ------------------------------------------------ */

static int at_end(const parser *p)
{
	return p->i >= p->n;
}

static int peek(const parser *p, size_t k)
{
	return p->i + k < p->n ? (unsigned char)p->s[p->i + k] : -1;
}

static void skip_ws(parser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
		p->i++;
}

/* Consume a newline (LF or CRLF); 1 if there was one. */
static int eat_newline(parser *p)
{
	if (peek(p, 0) == '\n') {
		p->i++;
		return 1;
	}
	if (peek(p, 0) == '\r' && peek(p, 1) == '\n') {
		p->i += 2;
		return 1;
	}
	return 0;
}

/* Control characters TOML allows nowhere but as a tab or a newline. */
static int is_ctl(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

/* At '#': skip the comment up to (not including) the newline. */
static int skip_comment(parser *p)
{
	p->i++;
	while (!at_end(p) && p->s[p->i] != '\n') {
		int c = (unsigned char)p->s[p->i];
		if (c == '\r' && peek(p, 1) == '\n')
			break;
		if (is_ctl(c))
			return FAIL(p, "control character 0x%02x in a comment", c);
		p->i++;
	}
	return 0;
}

/* Skip white space, newlines and comments (inside arrays). */
static int skip_ws_nl(parser *p)
{
	int rc;

	for (;;) {
		skip_ws(p);
		if (peek(p, 0) == '#') {
			if ((rc = skip_comment(p)) < 0)
				return rc;
		} else if (!eat_newline(p)) {
			return 0;
		}
	}
}

/* After a key/value or a header: white space, a comment, then a newline or the end. */
static int end_of_line(parser *p)
{
	int rc;

	skip_ws(p);
	if (peek(p, 0) == '#' && (rc = skip_comment(p)) < 0)
		return rc;
	if (at_end(p) || eat_newline(p))
		return 0;
	return FAIL(p, "unexpected '%c' after a value (expected a newline)",
		    (p->s[p->i] >= 0x20 && p->s[p->i] < 0x7f) ? p->s[p->i] : '?');
}

/* ---- strings -------------------------------------------------------- */

static int put_utf8(tgpl_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return tgpl_buf_put(b, u, n);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* At '\\' in a basic string: decode one escape into b. */
static int parse_escape(parser *p, tgpl_buf *b)
{
	int c = peek(p, 1), ndig, k, rc = 0;
	uint32_t cp = 0;

	switch (c) {
	case 'b': rc = tgpl_buf_putc(b, '\b'); break;
	case 't': rc = tgpl_buf_putc(b, '\t'); break;
	case 'n': rc = tgpl_buf_putc(b, '\n'); break;
	case 'f': rc = tgpl_buf_putc(b, '\f'); break;
	case 'r': rc = tgpl_buf_putc(b, '\r'); break;
	case '"': rc = tgpl_buf_putc(b, '"'); break;
	case '\\': rc = tgpl_buf_putc(b, '\\'); break;
	case 'u':
	case 'U':
		ndig = c == 'u' ? 4 : 8;
		for (k = 0; k < ndig; k++) {
			int h = hexval(peek(p, 2 + (size_t)k));
			if (h < 0)
				return FAIL(p, "bad \\%c escape: %d hex digits needed", c, ndig);
			cp = (cp << 4) | (uint32_t)h;
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return FAIL(p, "escape \\%c is not a Unicode scalar value", c);
		if (put_utf8(b, cp) < 0)
			return NOMEM(p);
		p->i += 2 + (size_t)ndig;
		return 0;
	default:
		return FAIL(p, "unknown escape '\\%c'", (c >= 0x20 && c < 0x7f) ? c : '?');
	}
	if (rc < 0)
		return NOMEM(p);
	p->i += 2;
	return 0;
}

/*
 * At the opening quote of a string (basic or literal, single or multi-line):
 * decode it into *out / *outlen (caller frees).  `allow_ml` is 0 for keys.
 */
static int parse_string(parser *p, char **out, size_t *outlen, int allow_ml)
{
	tgpl_buf b = TGPL_BUF_INIT;
	char q = p->s[p->i];
	int literal = q == '\'', ml = 0, rc = 0;
	size_t start = p->i;

	if (allow_ml && peek(p, 1) == q && peek(p, 2) == q) {
		ml = 1;
		p->i += 3;
		eat_newline(p);   /* a newline right after the opening delimiter is trimmed */
	} else {
		p->i++;
	}
	/* An empty string must still be allocated. */
	if (tgpl_buf_put(&b, "", 0) < 0) {
		rc = NOMEM(p);
		goto done;
	}
	for (;;) {
		int c = peek(p, 0);

		if (c < 0) {
			p->i = start;
			rc = FAIL(p, "unterminated string");
			goto done;
		}
		if (c == q) {
			size_t run = 0;

			if (!ml) {
				p->i++;
				break;
			}
			while (peek(p, run) == q)
				run++;
			if (run < 3) {
				if (tgpl_buf_put(&b, p->s + p->i, run) < 0) {
					rc = NOMEM(p);
					goto done;
				}
				p->i += run;
				continue;
			}
			if (run > 5) {
				rc = FAIL(p, "too many quotes at the end of a multi-line string");
				goto done;
			}
			/* Up to two quotes just before the closing delimiter belong to the string. */
			if (tgpl_buf_put(&b, p->s + p->i, run - 3) < 0) {
				rc = NOMEM(p);
				goto done;
			}
			p->i += run;
			break;
		}
		if (c == '\\' && !literal) {
			if (ml) {
				/* A line-ending backslash trims the newline and the white space after it. */
				size_t j = p->i + 1;
				while (j < p->n && (p->s[j] == ' ' || p->s[j] == '\t'))
					j++;
				if (j < p->n && (p->s[j] == '\n' ||
						 (p->s[j] == '\r' && j + 1 < p->n && p->s[j + 1] == '\n'))) {
					p->i = j;
					while (!at_end(p)) {
						skip_ws(p);
						if (!eat_newline(p))
							break;
					}
					continue;
				}
			}
			if ((rc = parse_escape(p, &b)) < 0)
				goto done;
			continue;
		}
		if (c == '\n' || (c == '\r' && peek(p, 1) == '\n')) {
			if (!ml) {
				rc = FAIL(p, "newline in a single-line string");
				goto done;
			}
			if (tgpl_buf_putc(&b, '\n') < 0) {
				rc = NOMEM(p);
				goto done;
			}
			eat_newline(p);
			continue;
		}
		if (is_ctl(c)) {
			rc = FAIL(p, "control character 0x%02x in a string", c);
			goto done;
		}
		if (tgpl_buf_putc(&b, (char)c) < 0) {
			rc = NOMEM(p);
			goto done;
		}
		p->i++;
	}
	*outlen = b.len;
	*out = tgpl_buf_detach(&b);
	if (!*out)
		rc = NOMEM(p);
done:
	tgpl_buf_release(&b);
	return rc;
}

/* ---- keys ----------------------------------------------------------- */

static int is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static void key_release(key_path *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->part[i]);
	k->n = 0;
}

/* Parse a (possibly dotted) key into k (caller releases, also on failure). */
static int parse_key(parser *p, key_path *k)
{
	int rc;

	k->n = 0;
	k->line = line_at(p, p->i);
	for (;;) {
		int c = peek(p, 0);
		char *part = NULL;
		size_t len = 0;

		if (k->n >= TOML_MAX_DEPTH)
			return fail_at(p, TGPL_ETOOBIG, p->i, "key with more than %d parts",
				       TOML_MAX_DEPTH);
		if (c == '"' || c == '\'') {
			if ((rc = parse_string(p, &part, &len, 0)) < 0)
				return rc;
		} else if (is_bare(c)) {
			size_t s = p->i;
			while (is_bare(peek(p, 0)))
				p->i++;
			len = p->i - s;
			part = tgpl_strndup(p->s + s, len);
			if (!part)
				return NOMEM(p);
		} else {
			return FAIL(p, "expected a key");
		}
		k->part[k->n] = part;
		k->len[k->n] = len;
		k->n++;
		skip_ws(p);
		if (peek(p, 0) != '.')
			return 0;
		p->i++;
		skip_ws(p);
	}
}

/* Printable form of a key part for messages. */
static const char *kname(const key_path *k, size_t i)
{
	return memchr(k->part[i], '\0', k->len[i]) ? "(key with NUL)" : k->part[i];
}

/* ---- values --------------------------------------------------------- */

static int parse_value(parser *p, toml_node **out, unsigned depth);

/*
 * Put `val` into `table` under the dotted key k: intermediate tables are
 * created (as dotted) or must have been created by dotted keys.  Takes val.
 */
static int put_dotted(parser *p, toml_node *table, key_path *k, toml_node *val)
{
	toml_node *t = table, *c;
	size_t i;
	int rc;

	for (i = 0; i + 1 < k->n; i++) {
		c = ht_find(p, t, k->part[i], k->len[i]);
		if (!c) {
			if ((rc = table_new_child(&c, p, t, k->part[i], k->len[i], k->line,
						  TF_DOTTED)) < 0)
				goto fail;
		} else if (c->type != TOML_TABLE || !(c->flags & TF_DOTTED) ||
			   (c->flags & TF_FROZEN)) {
			rc = fail_at(p, TGPL_EINVAL, p->i, "key '%s' is already defined", kname(k, i));
			goto fail;
		}
		t = c;
	}
	if (ht_find(p, t, k->part[i], k->len[i])) {
		rc = fail_at(p, TGPL_EINVAL, p->i, "key '%s' is already defined", kname(k, i));
		goto fail;
	}
	val->depth = t->depth + 1;
	if (val->depth > TOML_MAX_DEPTH) {
		rc = fail_at(p, TGPL_ETOOBIG, p->i, "nesting deeper than %d", TOML_MAX_DEPTH);
		goto fail;
	}
	rc = table_put(p, t, k->part[i], k->len[i], val);
	k->part[i] = NULL;   /* taken by the node (or freed with it) */
	return rc;
fail:
	node_free(val);
	return rc;
}

/* key = value, into `table`; `depth` is the table's. */
static int parse_keyval(parser *p, toml_node *table)
{
	key_path k;
	toml_node *val = NULL;
	int rc;

	k.n = 0;
	if ((rc = parse_key(p, &k)) < 0)
		goto done;
	if (peek(p, 0) != '=') {
		rc = FAIL(p, "expected '=' after key '%s'", kname(&k, k.n - 1));
		goto done;
	}
	p->i++;
	skip_ws(p);
	if ((rc = parse_value(p, &val, table->depth + (unsigned)k.n)) < 0)
		goto done;
	rc = put_dotted(p, table, &k, val);
done:
	key_release(&k);
	return rc;
}

static int parse_array(parser *p, toml_node **out, unsigned depth)
{
	toml_node *arr = NULL, *v = NULL;
	int rc;

	if ((rc = node_new(&arr, p, TOML_ARRAY, line_at(p, p->i), depth)) < 0)
		return rc;
	p->i++;
	for (;;) {
		if ((rc = skip_ws_nl(p)) < 0)
			goto fail;
		if (peek(p, 0) == ']')
			break;
		if ((rc = parse_value(p, &v, depth + 1)) < 0)
			goto fail;
		if ((rc = items_push(p, arr, v)) < 0) {
			node_free(v);
			goto fail;
		}
		if ((rc = skip_ws_nl(p)) < 0)
			goto fail;
		if (peek(p, 0) == ',') {
			p->i++;
			continue;
		}
		if (peek(p, 0) == ']')
			break;
		rc = at_end(p) ? FAIL(p, "unterminated array") :
				 FAIL(p, "expected ',' or ']' in an array");
		goto fail;
	}
	p->i++;
	*out = arr;
	return 0;
fail:
	node_free(arr);
	return rc;
}

static int parse_inline_table(parser *p, toml_node **out, unsigned depth)
{
	toml_node *tab = NULL;
	int rc;

	if ((rc = node_new(&tab, p, TOML_TABLE, line_at(p, p->i), depth)) < 0)
		return rc;
	p->i++;
	skip_ws(p);
	if (peek(p, 0) == '}') {
		p->i++;
		goto ok;
	}
	for (;;) {
		if ((rc = parse_keyval(p, tab)) < 0)
			goto fail;
		skip_ws(p);
		if (peek(p, 0) == ',') {
			p->i++;
			skip_ws(p);
			if (peek(p, 0) == '}') {
				rc = FAIL(p, "trailing comma in an inline table");
				goto fail;
			}
			continue;
		}
		if (peek(p, 0) == '}') {
			p->i++;
			break;
		}
		rc = FAIL(p, "expected ',' or '}' in an inline table");
		goto fail;
	}
ok:
	freeze(tab);
	*out = tab;
	return 0;
fail:
	node_free(tab);
	return rc;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* n digits at s, as a number; -1 if not all digits. */
static int digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* HH:MM:SS[.frac] at s (n bytes left): its length, or 0. */
static size_t time_len(const char *s, size_t n)
{
	size_t i = 8;

	if (n < 8 || s[2] != ':' || s[5] != ':')
		return 0;
	if (digits(s, 2) < 0 || digits(s, 2) > 23 || digits(s + 3, 2) < 0 ||
	    digits(s + 3, 2) > 59 || digits(s + 6, 2) < 0 || digits(s + 6, 2) > 60)
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !is_digit((unsigned char)s[i]))
			return 0;
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
	}
	return i;
}

/* Is s[0..n) a TOML date, time or date-time? */
static int valid_datetime(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;
	size_t t;

	if (n >= 3 && s[2] == ':')
		return time_len(s, n) == n;
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return 0;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	if (n == 10)
		return 1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return 0;
	t = time_len(s + 11, n - 11);
	if (!t)
		return 0;
	s += 11 + t;
	n -= 11 + t;
	if (n == 0)
		return 1;
	if (n == 1 && (s[0] == 'Z' || s[0] == 'z'))
		return 1;
	return n == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' && digits(s + 1, 2) >= 0 &&
	       digits(s + 1, 2) <= 23 && digits(s + 4, 2) >= 0 && digits(s + 4, 2) <= 59;
}

/* The digits of a number without its underscores; longer numbers are refused. */
typedef struct {
	char d[512];
	size_t len;
} numbuf;

static int nb_put(numbuf *b, char c)
{
	if (b->len + 1 >= sizeof(b->d))
		return -1;
	b->d[b->len++] = c;
	b->d[b->len] = '\0';
	return 0;
}

/*
 * Copy digits of s[0..n) (a run of `isdig` characters with single
 * underscores between them) into b without the underscores; the length
 * consumed, or 0 if malformed.
 */
static size_t digit_run(const char *s, size_t n, int (*isdig)(int), numbuf *b)
{
	size_t i = 0;

	if (n == 0 || !isdig((unsigned char)s[0]))
		return 0;
	while (i < n) {
		if (isdig((unsigned char)s[i])) {
			if (nb_put(b, s[i]) < 0)
				return 0;
			i++;
		} else if (s[i] == '_' && i + 1 < n && isdig((unsigned char)s[i + 1])) {
			i++;
		} else {
			break;
		}
	}
	return i;
}

static int is_hex(int c) { return hexval(c) >= 0; }
static int is_oct(int c) { return c >= '0' && c <= '7'; }
static int is_bin(int c) { return c == '0' || c == '1'; }

/* Parse s[0..n) as an integer or float into node v; 0 or -1 if malformed. */
static int parse_number(const char *s, size_t n, toml_node *v)
{
	numbuf b;
	size_t i = 0, k;
	int neg = 0, is_float = 0;
	int (*isdig)(int) = is_digit;
	unsigned base = 10;
	uint64_t acc = 0;
	char *end;

	b.len = 0;
	b.d[0] = '\0';
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (n - i == 3 && (memcmp(s + i, "inf", 3) == 0 || memcmp(s + i, "nan", 3) == 0)) {
		v->type = TOML_FLOAT;
		v->number = s[i] == 'i' ? (neg ? -INFINITY : INFINITY) : (neg ? -NAN : NAN);
		return 0;
	}
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b')) {
		if (i > 0)   /* no sign on hex, octal, binary */
			return -1;
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		isdig = base == 16 ? is_hex : base == 8 ? is_oct : is_bin;
		i = 2;
		if ((k = digit_run(s + i, n - i, isdig, &b)) == 0 || i + k != n)
			return -1;
	} else {
		if ((k = digit_run(s + i, n - i, is_digit, &b)) == 0)
			return -1;
		if (s[i] == '0' && k > 1)   /* no leading zeros */
			return -1;
		i += k;
		if (i < n && s[i] == '.') {
			is_float = 1;
			if (nb_put(&b, '.') < 0 ||
			    (k = digit_run(s + i + 1, n - i - 1, is_digit, &b)) == 0)
				return -1;
			i += 1 + k;
		}
		if (i < n && (s[i] == 'e' || s[i] == 'E')) {
			is_float = 1;
			if (nb_put(&b, 'e') < 0)
				return -1;
			i++;
			if (i < n && (s[i] == '+' || s[i] == '-')) {
				if (nb_put(&b, s[i]) < 0)
					return -1;
				i++;
			}
			if ((k = digit_run(s + i, n - i, is_digit, &b)) == 0)
				return -1;
			i += k;
		}
		if (i != n)
			return -1;
	}
	if (is_float) {
		v->type = TOML_FLOAT;
		v->number = strtod(b.d, &end);
		if (*end != '\0')
			return -1;
		if (neg)
			v->number = -v->number;
		return 0;
	}
	for (k = 0; k < b.len; k++) {
		unsigned d = (unsigned)hexval((unsigned char)b.d[k]);
		if (acc > (UINT64_MAX - d) / base)
			return -1;
		acc = acc * base + d;
	}
	if (acc > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
		return -1;
	v->type = TOML_INTEGER;
	v->integer = neg ? (acc == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)acc)
			 : (int64_t)acc;
	return 0;
}

static int is_scalar_char(int c)
{
	return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* A number, boolean or date-time. */
static int parse_scalar(parser *p, toml_node *v)
{
	size_t s = p->i, n;

	while (is_scalar_char(peek(p, 0)))
		p->i++;
	/* A date and a time may be separated by one space. */
	if (p->i - s == 10 && valid_datetime(p->s + s, 10) && peek(p, 0) == ' ' &&
	    is_digit(peek(p, 1)) && is_digit(peek(p, 2)) && peek(p, 3) == ':') {
		p->i++;
		while (is_scalar_char(peek(p, 0)))
			p->i++;
	}
	n = p->i - s;
	if (n == 0) {
		p->i = s;
		return FAIL(p, "expected a value");
	}
	if ((n == 4 && memcmp(p->s + s, "true", 4) == 0) ||
	    (n == 5 && memcmp(p->s + s, "false", 5) == 0)) {
		v->type = TOML_BOOL;
		v->integer = n == 4;
		return 0;
	}
	if ((n >= 10 && p->s[s + 4] == '-' && is_digit((unsigned char)p->s[s])) ||
	    (n >= 3 && p->s[s + 2] == ':')) {
		if (!valid_datetime(p->s + s, n)) {
			p->i = s;
			return FAIL(p, "invalid date or time '%.*s'", (int)(n > 40 ? 40 : n), p->s + s);
		}
		v->type = TOML_DATETIME;
		v->str = tgpl_strndup(p->s + s, n);
		v->len = n;
		return v->str ? 0 : NOMEM(p);
	}
	if (parse_number(p->s + s, n, v) < 0) {
		p->i = s;
		return FAIL(p, "invalid value '%.*s'", (int)(n > 40 ? 40 : n), p->s + s);
	}
	return 0;
}

static int parse_value(parser *p, toml_node **out, unsigned depth)
{
	toml_node *v = NULL;
	uint32_t line = line_at(p, p->i);
	int c = peek(p, 0), rc;

	if (c == '[')
		return parse_array(p, out, depth);
	if (c == '{')
		return parse_inline_table(p, out, depth);
	if ((rc = node_new(&v, p, TOML_STRING, line, depth)) < 0)
		return rc;
	if (c == '"' || c == '\'')
		rc = parse_string(p, &v->str, &v->len, 1);
	else
		rc = parse_scalar(p, v);
	if (rc < 0) {
		node_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

/* ---- headers -------------------------------------------------------- */

/* At '[': a [table] or [[array of tables]] header; *cur becomes its table. */
static int open_header(parser *p, toml_node *root, toml_node **cur)
{
	key_path k;
	toml_node *t = root, *c = NULL;
	uint32_t line = line_at(p, p->i);
	int aot = peek(p, 1) == '[', rc;
	size_t i;

	k.n = 0;
	p->i += aot ? 2 : 1;
	skip_ws(p);
	if ((rc = parse_key(p, &k)) < 0)
		goto done;
	if (peek(p, 0) != ']' || (aot && peek(p, 1) != ']')) {
		rc = FAIL(p, aot ? "expected ']]' to close a table array header" :
				   "expected ']' to close a table header");
		goto done;
	}
	p->i += aot ? 2 : 1;
	for (i = 0; i + 1 < k.n; i++) {
		c = ht_find(p, t, k.part[i], k.len[i]);
		if (!c) {
			if ((rc = table_new_child(&c, p, t, k.part[i], k.len[i], line,
						  TF_IMPLICIT)) < 0)
				goto done;
		} else if (c->type == TOML_ARRAY && (c->flags & TF_AOT)) {
			c = c->items[c->n_items - 1];
		} else if (c->type != TOML_TABLE || (c->flags & TF_FROZEN)) {
			rc = fail_at(p, TGPL_EINVAL, p->i, "key '%s' is already defined as a value",
				     kname(&k, i));
			goto done;
		}
		t = c;
	}
	c = ht_find(p, t, k.part[i], k.len[i]);
	if (aot) {
		toml_node *arr = c, *elem = NULL;

		if (!arr) {
			if ((rc = node_new(&arr, p, TOML_ARRAY, line, t->depth + 1)) < 0)
				goto done;
			arr->flags = TF_AOT;
			if ((rc = table_put(p, t, k.part[i], k.len[i], arr)) < 0) {
				k.part[i] = NULL;
				goto done;
			}
			k.part[i] = NULL;
		} else if (arr->type != TOML_ARRAY || !(arr->flags & TF_AOT)) {
			rc = fail_at(p, TGPL_EINVAL, p->i, "'%s' is already defined and not an array of tables",
				     kname(&k, i));
			goto done;
		}
		if ((rc = node_new(&elem, p, TOML_TABLE, line, arr->depth + 1)) < 0)
			goto done;
		elem->flags = TF_DEFINED;
		if ((rc = items_push(p, arr, elem)) < 0) {
			node_free(elem);
			goto done;
		}
		*cur = elem;
	} else {
		if (!c) {
			if ((rc = table_new_child(&c, p, t, k.part[i], k.len[i], line,
						  TF_DEFINED)) < 0)
				goto done;
		} else if (c->type == TOML_TABLE && (c->flags & TF_IMPLICIT) &&
			   !(c->flags & (TF_DEFINED | TF_DOTTED | TF_FROZEN))) {
			c->flags = (c->flags & ~(unsigned)TF_IMPLICIT) | TF_DEFINED;
			c->line = line;
		} else {
			rc = fail_at(p, TGPL_EINVAL, p->i, "table '%s' is already defined", kname(&k, i));
			goto done;
		}
		*cur = c;
	}
	rc = 0;
done:
	key_release(&k);
	return rc;
}

/* ---- the document --------------------------------------------------- */

int toml_parse(toml_node **out, const char *data, size_t len, toml_error *err)
{
	parser p;
	toml_node *root = NULL, *cur;
	int rc;

	memset(&p, 0, sizeof(p));
	p.s = data;
	p.n = len;
	p.lno = 1;
	p.err = err;
	if (err) {
		err->line = 0;
		err->msg[0] = '\0';
	}
	if (len > TOML_MAX_SIZE) {
		rc = fail_at(&p, TGPL_ETOOBIG, 0, "document larger than %zu bytes", TOML_MAX_SIZE);
		goto done;
	}
	if (!tgpl_utf8_valid(data, len)) {
		/* Find the line: a newline never splits a UTF-8 sequence. */
		const char *nl;
		size_t i = 0, e;

		for (;;) {
			nl = memchr(data + i, '\n', len - i);
			e = nl ? (size_t)(nl - data) : len;
			if (!tgpl_utf8_valid(data + i, e - i) || !nl)
				break;
			i = e + 1;
		}
		p.i = i;
		rc = FAIL(&p, "invalid UTF-8");
		goto done;
	}
	if ((rc = node_new(&root, &p, TOML_TABLE, 1, 0)) < 0)
		goto done;
	root->flags = TF_DEFINED;
	cur = root;
	/* A byte order mark is allowed at the start. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p.i = 3;
	while (!at_end(&p)) {
		int c;

		skip_ws(&p);
		c = peek(&p, 0);
		if (c < 0)
			break;
		if (eat_newline(&p))
			continue;
		if (c == '#') {
			if ((rc = skip_comment(&p)) < 0)
				goto done;
		} else if (c == '[') {
			if ((rc = open_header(&p, root, &cur)) < 0)
				goto done;
		} else if ((rc = parse_keyval(&p, cur)) < 0) {
			goto done;
		}
		if ((rc = end_of_line(&p)) < 0)
			goto done;
	}
	*out = root;
	root = NULL;
	rc = 0;
done:
	free(p.ht);
	node_free(root);
	return rc;
}

/* ---- lookups -------------------------------------------------------- */

const toml_node *toml_child(const toml_node *table, const char *key, size_t n)
{
	size_t i;

	if (!table || table->type != TOML_TABLE)
		return NULL;
	for (i = 0; i < table->n_items; i++) {
		const toml_node *c = table->items[i];
		if (c->key_len == n && memcmp(c->key, key, n) == 0)
			return c;
	}
	return NULL;
}

const toml_node *toml_get(const toml_node *table, const char *path)
{
	const char *dot;

	while (table && (dot = strchr(path, '.')) != NULL) {
		table = toml_child(table, path, (size_t)(dot - path));
		path = dot + 1;
	}
	return table ? toml_child(table, path, strlen(path)) : NULL;
}

const char *toml_type_name(toml_type type)
{
	switch (type) {
	case TOML_TABLE: return "table";
	case TOML_ARRAY: return "array";
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "boolean";
	case TOML_DATETIME: return "date-time";
	}
	return "unknown";
}
