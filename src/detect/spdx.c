/*
 * spdx.c — SPDX licence expressions (parse, canonicalise, emit hits) and the
 * SPDX-License-Identifier tag detector.
 *
 * An expression is parsed by recursive descent over a small tokenizer into a
 * tree kept in one array; every string the tree prints lives in one arena
 * buffer, so a parse costs a handful of allocations and one cleanup.  Ids are
 * resolved against the engine while parsing: canonical case, deprecated ids
 * replaced (the replacement may itself be an expression, which is parsed the
 * same way), `X+` on a GNU id turned into its -or-later form.  Printing puts
 * parentheses only where an AND and an OR meet, or around a compound
 * left-hand side of WITH, so `(MIT)` prints `MIT` and `(A AND B) AND C`
 * prints `A AND B AND C`, while `MIT OR (A AND B)` keeps its parentheses.
 *
 * The tag detector works on the raw bytes: memmem() finds "dentifier" or
 * "DENTIFIER" (long needles, so glibc scans at memory speed) and the whole
 * "SPDX-License-Identifier" is then checked case-insensitively around it, so
 * a file without a tag costs two fast scans.  The value is cut at the first
 * byte that cannot belong to an expression (quote, backslash, comment
 * closer, ...), which makes every comment syntax and string literal work
 * without knowing the language.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/spdx.h"
#include "util/util.h"

/* Caps on untrusted input. */
#define SPDX_MAX_LEN   4096   /* bytes of one expression */
#define SPDX_MAX_DEPTH 64     /* nested parentheses */
#define SPDX_MAX_IDS   256    /* licence and exception ids in one expression */
#define QUOTE_MAX      200    /* bytes of input quoted in a note */
#define MAX_TAGS       1000   /* SPDX-License-Identifier tags read per file */

#define NO_NOTE ((size_t)-1)

enum { T_END, T_LPAREN, T_RPAREN, T_PLUS, T_AND, T_OR, T_WITH, T_ID, T_BAD };

typedef struct {
	int type;
	size_t off, len;     /* in the source being parsed */
} token;

enum { N_LEAF, N_WITH, N_AND, N_OR };

typedef struct {
	int type;
	int a, b;            /* children; for WITH, b is the exception leaf */
	size_t text;         /* LEAF: arena offset of the text printed in the expression */
	size_t id;           /* LEAF: arena offset of the id its hit carries */
	size_t note;         /* LEAF: arena offset of its note, or NO_NOTE */
} node;

typedef struct {
	const tgpl_engine *e;
	const char *s;       /* the source being parsed (the input, or a replacement) */
	size_t n, pos;
	token tok;
	node *nodes;
	size_t n_nodes, cap_nodes;
	tgpl_buf arena;      /* NUL-separated strings the nodes point into */
	size_t n_ids;
	int depth;
	int in_replacement;  /* parsing an engine replacement: no further mapping */
	int rc;              /* TGPL_ENOMEM once an allocation failed */
	int failed;          /* a syntax problem was found; `why` says which */
	char why[128];
} parser;

/* ---- small helpers ------------------------------------------------------ */

static int ci_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return 0;
	return 1;
}

static int ci_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && ci_eq(s + n - k, suffix, k);
}

static int is_idchar(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.';
}

/* Is s[0..n) "<prefix><idstring>"? */
static int is_prefixed_id(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix), i;

	if (n <= k || !ci_eq(s, prefix, k))
		return 0;
	for (i = k; i < n; i++)
		if (!is_idchar((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Is s[0..n) "<ref>" or "DocumentRef-<idstring>:<ref>", where ref is
 * "<kind><idstring>" (kind "LicenseRef-" or "AdditionRef-")? */
static int is_ref(const char *s, size_t n, const char *kind)
{
	const char *colon = memchr(s, ':', n);

	if (!colon)
		return is_prefixed_id(s, n, kind);
	return is_prefixed_id(s, (size_t)(colon - s), "DocumentRef-") &&
	       is_prefixed_id(colon + 1, n - (size_t)(colon - s) - 1, kind);
}

/*
 * Append s[0..n) to b for quoting in a note: at most QUOTE_MAX bytes (cut on
 * a character boundary, "..." added), valid UTF-8 kept, control characters
 * and invalid bytes shown as '?', so the note is always clean text.
 */
static int put_quoted(tgpl_buf *b, const char *s, size_t n)
{
	size_t i = 0, used = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = 1;

		if (c >= 0x80) {
			for (k = 2; k <= 4 && i + k <= n; k++)
				if (tgpl_utf8_valid(s + i, k))
					break;
			if (k > 4 || i + k > n)
				k = 0;
		}
		if (used + (k ? k : 1) > QUOTE_MAX)
			return tgpl_buf_puts(b, "...");
		if (k == 0 || c < 0x20 || c == 0x7f) {
			if (tgpl_buf_putc(b, '?') < 0)
				return -1;
			i++;
			used++;
			continue;
		}
		if (tgpl_buf_put(b, s + i, k) < 0)
			return -1;
		i += k;
		used += k;
	}
	return 0;
}

/* ---- the arena and the tree -------------------------------------------- */

static int oom(parser *p)
{
	p->rc = TGPL_ENOMEM;
	return -1;
}

/* Record the first syntax problem; returns -1 for the caller to pass on. */
static int fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->failed) {
		va_start(ap, fmt);
		vsnprintf(p->why, sizeof(p->why), fmt, ap);
		va_end(ap);
		p->failed = 1;
	}
	return -1;
}

/* Store s[0..n) (and `suffix`, if not NULL) in the arena; offset in *off. */
static int arena_put(parser *p, size_t *off, const char *s, size_t n, const char *suffix)
{
	*off = p->arena.len;
	if (tgpl_buf_put(&p->arena, s, n) < 0 || (suffix && tgpl_buf_puts(&p->arena, suffix) < 0) ||
	    tgpl_buf_putc(&p->arena, '\0') < 0)
		return oom(p);
	return 0;
}

static const char *arena_str(const parser *p, size_t off)
{
	return p->arena.ptr + off;
}

static int new_node(parser *p, int type, int a, int b)
{
	node *x;

	if (tgpl_grow((void **)&p->nodes, &p->cap_nodes, p->n_nodes + 1, sizeof(*x)) < 0)
		return oom(p);
	x = &p->nodes[p->n_nodes];
	x->type = type;
	x->a = a;
	x->b = b;
	x->text = x->id = 0;
	x->note = NO_NOTE;
	return (int)p->n_nodes++;
}

/* A leaf printing text[0..n)+suffix whose hit carries id[0..idn). */
static int new_leaf(parser *p, const char *text, size_t n, const char *suffix,
		    const char *id, size_t idn)
{
	int x;
	size_t t, i;

	if (++p->n_ids > SPDX_MAX_IDS)
		return fail(p, "too many ids (more than %d)", SPDX_MAX_IDS);
	if (arena_put(p, &t, text, n, suffix) < 0 || arena_put(p, &i, id, idn, NULL) < 0)
		return -1;
	if ((x = new_node(p, N_LEAF, -1, -1)) < 0)
		return -1;
	p->nodes[x].text = t;
	p->nodes[x].id = i;
	return x;
}

/* Set the note "<head><s[0..n) quoted><tail>" on leaf x. */
static int leaf_note(parser *p, int x, const char *head, const char *s, size_t n,
		     const char *tail)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t off;
	int rc = 0;

	if (tgpl_buf_puts(&b, head) < 0 || put_quoted(&b, s, n) < 0 || tgpl_buf_puts(&b, tail) < 0) {
		rc = oom(p);
		goto done;
	}
	if ((rc = arena_put(p, &off, b.ptr, b.len, NULL)) < 0)
		goto done;
	p->nodes[x].note = off;
done:
	tgpl_buf_release(&b);
	return rc;
}

/* ---- printing ------------------------------------------------------------ */

static int print_node(const parser *p, tgpl_buf *b, int x);

static int print_child(const parser *p, tgpl_buf *b, int x, int paren)
{
	if (!paren)
		return print_node(p, b, x);
	if (tgpl_buf_putc(b, '(') < 0 || print_node(p, b, x) < 0 || tgpl_buf_putc(b, ')') < 0)
		return -1;
	return 0;
}

/* An AND under an OR, or an OR under an AND, keeps its parentheses. */
static int needs_paren(int parent, int child)
{
	return (child == N_AND || child == N_OR) && child != parent;
}

static int print_node(const parser *p, tgpl_buf *b, int x)
{
	const node *n = &p->nodes[x];

	switch (n->type) {
	case N_LEAF:
		return tgpl_buf_puts(b, arena_str(p, n->text));
	case N_WITH:
		if (print_child(p, b, n->a, p->nodes[n->a].type != N_LEAF) < 0 ||
		    tgpl_buf_puts(b, " WITH ") < 0)
			return -1;
		return print_node(p, b, n->b);
	default:
		if (print_child(p, b, n->a, needs_paren(n->type, p->nodes[n->a].type)) < 0 ||
		    tgpl_buf_puts(b, n->type == N_AND ? " AND " : " OR ") < 0)
			return -1;
		return print_child(p, b, n->b, needs_paren(n->type, p->nodes[n->b].type));
	}
}

/* ---- tokenizer ----------------------------------------------------------- */

static void next(parser *p)
{
	const char *s = p->s;
	size_t i = p->pos, start;

	while (i < p->n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' ||
			    s[i] == '\f' || s[i] == '\v'))
		i++;
	p->tok.off = start = i;
	p->tok.len = 1;
	if (i >= p->n) {
		p->tok.type = T_END;
		p->tok.len = 0;
	} else if (s[i] == '(') {
		p->tok.type = T_LPAREN;
	} else if (s[i] == ')') {
		p->tok.type = T_RPAREN;
	} else if (s[i] == '+') {
		p->tok.type = T_PLUS;
	} else if (is_idchar((unsigned char)s[i]) || s[i] == ':') {
		while (i < p->n && (is_idchar((unsigned char)s[i]) || s[i] == ':'))
			i++;
		p->tok.len = i - start;
		if (p->tok.len == 3 && ci_eq(s + start, "AND", 3))
			p->tok.type = T_AND;
		else if (p->tok.len == 2 && ci_eq(s + start, "OR", 2))
			p->tok.type = T_OR;
		else if (p->tok.len == 4 && ci_eq(s + start, "WITH", 4))
			p->tok.type = T_WITH;
		else
			p->tok.type = T_ID;
	} else {
		p->tok.type = T_BAD;
	}
	p->pos = start + p->tok.len;
}

/* Fail on the current token, naming it. */
static int unexpected(parser *p)
{
	unsigned char c;

	switch (p->tok.type) {
	case T_END:
		return fail(p, "unexpected end of expression");
	case T_BAD:
		c = (unsigned char)p->s[p->tok.off];
		if (c > 0x20 && c < 0x7f)
			return fail(p, "unexpected character '%c'", c);
		return fail(p, "unexpected byte 0x%02x", c);
	default:
		return fail(p, "unexpected '%.*s'", p->tok.len > 40 ? 40 : (int)p->tok.len,
			    p->s + p->tok.off);
	}
}

/* ---- parser -------------------------------------------------------------- */

static int parse_or(parser *p);

/*
 * Parse the engine's replacement for a deprecated id (an id or an
 * expression) in place of the current token; ids in it are taken as they
 * are (canonical already), never mapped again.
 */
static int parse_replacement(parser *p, const char *repl)
{
	const char *s = p->s;
	size_t n = p->n, pos = p->pos;
	token tok = p->tok;
	int x;

	p->s = repl;
	p->n = strlen(repl);
	p->pos = 0;
	p->in_replacement = 1;
	next(p);
	x = parse_or(p);
	if (x >= 0 && p->tok.type != T_END)
		x = fail(p, "invalid replacement '%s' in the licence data", repl);
	p->in_replacement = 0;
	p->s = s;
	p->n = n;
	p->pos = pos;
	p->tok = tok;
	return x;
}

/*
 * `X+` on a known id: a GNU "-only" id becomes its "-or-later" form (so does
 * an id that has an "-or-later" sibling); anything else stays "X+", with the
 * hit naming X.
 */
static int plus_leaf(parser *p, const char *id)
{
	const tgpl_license_info *li;
	size_t n = strlen(id);
	tgpl_buf b = TGPL_BUF_INIT;
	int x;

	if (ci_suffix(id, n, "-or-later"))
		return new_leaf(p, id, n, NULL, id, n);
	if (tgpl_buf_put(&b, id, ci_suffix(id, n, "-only") ? n - 5 : n) < 0 ||
	    tgpl_buf_puts(&b, "-or-later") < 0) {
		x = oom(p);
		goto done;
	}
	li = engine_license(p->e, b.ptr, b.len);
	x = li ? new_leaf(p, li->id, strlen(li->id), NULL, li->id, strlen(li->id))
	       : new_leaf(p, id, n, "+", id, n);
done:
	tgpl_buf_release(&b);
	return x;
}

/* The leftmost licence leaf of a replacement tree that `+` can apply to. */
static int plus_target(const parser *p, int x)
{
	if (p->nodes[x].type == N_WITH)
		x = p->nodes[x].a;
	return p->nodes[x].type == N_LEAF ? x : -1;
}

/* A deprecated id: its replacement, with `+` applied, every leaf noted
 * "deprecated SPDX id 'GPL-2.0' (now GPL-2.0-only)". */
static int deprecated_leaf(parser *p, const tgpl_license_info *li, int plus)
{
	size_t mark = p->n_nodes, off, i;
	tgpl_buf note = TGPL_BUF_INIT;
	int x, t, rc;

	if ((x = parse_replacement(p, li->replaced_by)) < 0)
		return -1;
	if (plus && (t = plus_target(p, x)) >= 0) {
		/* Copied: plus_leaf() grows the arena the text lives in. */
		char *base = tgpl_strdup(arena_str(p, p->nodes[t].text));
		int y;

		if (!base)
			return oom(p);
		p->n_ids--;   /* the leaf is replaced, not added */
		y = plus_leaf(p, base);
		free(base);
		if (y < 0)
			return -1;
		if (t == x)
			x = y;
		else
			p->nodes[x].a = y;
	}
	if (tgpl_buf_puts(&note, "deprecated SPDX id '") < 0 || tgpl_buf_puts(&note, li->id) < 0 ||
	    (plus && tgpl_buf_putc(&note, '+') < 0) || tgpl_buf_puts(&note, "' (now ") < 0 ||
	    print_node(p, &note, x) < 0 || tgpl_buf_putc(&note, ')') < 0) {
		tgpl_buf_release(&note);
		return oom(p);
	}
	rc = arena_put(p, &off, note.ptr, note.len, NULL);
	tgpl_buf_release(&note);
	if (rc < 0)
		return -1;
	for (i = mark; i < p->n_nodes; i++)
		if (p->nodes[i].type == N_LEAF)
			p->nodes[i].note = off;
	return x;
}

/* The licence id in the current token, followed by '+' if `plus`. */
static int license_leaf(parser *p, int plus)
{
	const char *w = p->s + p->tok.off;
	size_t n = p->tok.len;
	const tgpl_license_info *li = NULL;
	int x;

	if (is_ref(w, n, "LicenseRef-"))
		return new_leaf(p, w, n, plus ? "+" : NULL, w, n);
	if (memchr(w, ':', n))
		return fail(p, "invalid id '%.*s'", n > 60 ? 60 : (int)n, w);
	if (p->in_replacement) {
		li = engine_license(p->e, w, n);
		return li ? new_leaf(p, li->id, strlen(li->id), NULL, li->id, strlen(li->id))
			  : new_leaf(p, w, n, NULL, w, n);
	}
	/* "GPL-2.0+" is an id of its own in the list (deprecated). */
	if (plus && (li = engine_license(p->e, w, n + 1)) != NULL)
		plus = 0;
	else
		li = engine_license(p->e, w, n);
	if (!li) {
		if ((x = new_leaf(p, w, n, plus ? "+" : NULL, w, n)) < 0 ||
		    leaf_note(p, x, "unknown SPDX id '", w, n, "'") < 0)
			return -1;
		return x;
	}
	if (li->deprecated && li->replaced_by)
		return deprecated_leaf(p, li, plus);
	if (plus)
		return plus_leaf(p, li->id);
	return new_leaf(p, li->id, strlen(li->id), NULL, li->id, strlen(li->id));
}

/* The exception id in the current token (after WITH). */
static int exception_leaf(parser *p)
{
	const char *w = p->s + p->tok.off;
	size_t n = p->tok.len;
	const char *id;
	int x;

	if (is_ref(w, n, "AdditionRef-"))
		return new_leaf(p, w, n, NULL, w, n);
	if (memchr(w, ':', n))
		return fail(p, "invalid exception id '%.*s'", n > 60 ? 60 : (int)n, w);
	if ((id = engine_exception(p->e, w, n)) != NULL)
		return new_leaf(p, id, strlen(id), NULL, id, strlen(id));
	if ((x = new_leaf(p, w, n, NULL, w, n)) < 0 ||
	    leaf_note(p, x, "unknown exception id '", w, n, "'") < 0)
		return -1;
	return x;
}

static int parse_simple(parser *p)
{
	int x, plus;

	if (p->tok.type == T_LPAREN) {
		if (++p->depth > SPDX_MAX_DEPTH)
			return fail(p, "too deep (more than %d nested parentheses)", SPDX_MAX_DEPTH);
		next(p);
		if ((x = parse_or(p)) < 0)
			return -1;
		if (p->tok.type != T_RPAREN)
			return p->tok.type == T_END ? fail(p, "missing ')'") : unexpected(p);
		p->depth--;
		next(p);
		return x;
	}
	if (p->tok.type != T_ID)
		return unexpected(p);
	/* '+' belongs to the id only when it follows it directly. */
	plus = p->pos < p->n && p->s[p->pos] == '+';
	x = license_leaf(p, plus);
	if (x < 0)
		return -1;
	next(p);
	if (plus)
		next(p);
	return x;
}

static int parse_with(parser *p)
{
	int x, y;

	if ((x = parse_simple(p)) < 0)
		return -1;
	if (p->tok.type != T_WITH)
		return x;
	next(p);
	if (p->tok.type != T_ID)
		return unexpected(p);
	if ((y = exception_leaf(p)) < 0)
		return -1;
	next(p);
	return new_node(p, N_WITH, x, y);
}

static int parse_and(parser *p)
{
	int x, y;

	if ((x = parse_with(p)) < 0)
		return -1;
	while (p->tok.type == T_AND) {
		next(p);
		if ((y = parse_with(p)) < 0 || (x = new_node(p, N_AND, x, y)) < 0)
			return -1;
	}
	return x;
}

static int parse_or(parser *p)
{
	int x, y;

	if ((x = parse_and(p)) < 0)
		return -1;
	while (p->tok.type == T_OR) {
		next(p);
		if ((y = parse_and(p)) < 0 || (x = new_node(p, N_OR, x, y)) < 0)
			return -1;
	}
	return x;
}

/* Parse s[0..n); the root node, or -1 (p->rc for ENOMEM, else p->why). */
static int parse(parser *p, const tgpl_engine *e, const char *s, size_t n)
{
	int x;

	memset(p, 0, sizeof(*p));
	p->e = e;
	p->s = s;
	p->n = n;
	if (n > SPDX_MAX_LEN)
		return fail(p, "too long (more than %d bytes)", SPDX_MAX_LEN);
	next(p);
	if (p->tok.type == T_END)
		return fail(p, "empty expression");
	if ((x = parse_or(p)) < 0)
		return -1;
	if (p->tok.type != T_END)
		return p->tok.type == T_RPAREN ? fail(p, "unbalanced ')'") : unexpected(p);
	return x;
}

static void parser_release(parser *p)
{
	free(p->nodes);
	tgpl_buf_release(&p->arena);
}

/* ---- public -------------------------------------------------------------- */

int spdx_canonical(char **out, const tgpl_engine *e, const char *s, size_t n,
		   char *err, size_t errlen)
{
	parser p;
	tgpl_buf b = TGPL_BUF_INIT;
	int x, rc = 0;

	x = parse(&p, e, s, n);
	if (p.rc) {
		rc = p.rc;
		goto done;
	}
	if (x < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s", p.why);
		rc = TGPL_EINVAL;
		goto done;
	}
	if (print_node(&p, &b, x) < 0 || !(*out = tgpl_buf_detach(&b))) {
		rc = TGPL_ENOMEM;
		goto done;
	}
done:
	tgpl_buf_release(&b);
	parser_release(&p);
	return rc;
}

/* Add one hit per distinct leaf id under x, in order of appearance. */
static int emit_leaves(const parser *p, det_builder *b, int x, size_t from, tgpl_kind kind,
		       uint32_t start_line, uint32_t end_line, const char *rule)
{
	const node *n = &p->nodes[x];
	const char *id;
	size_t i;

	if (n->type != N_LEAF) {
		int rc = emit_leaves(p, b, n->a, from, kind, start_line, end_line, rule);
		return rc < 0 ? rc : emit_leaves(p, b, n->b, from, kind, start_line, end_line, rule);
	}
	id = arena_str(p, n->id);
	for (i = from; i < b->det->n_licenses; i++)
		if (b->det->licenses[i].spdx && strcmp(b->det->licenses[i].spdx, id) == 0)
			return 0;
	return det_add_license(b, id, kind, start_line, end_line, 1.0, rule,
			       n->note == NO_NOTE ? NULL : arena_str(p, n->note), NULL, 0);
}

int spdx_emit(det_builder *b, const tgpl_engine *e, const char *s, size_t n,
	      tgpl_kind kind, uint32_t start_line, uint32_t end_line, const char *rule)
{
	parser p;
	tgpl_buf text = TGPL_BUF_INIT;
	size_t from = b->det->n_licenses;
	int x, rc = 0;

	x = parse(&p, e, s, n);
	if (p.rc) {
		rc = p.rc;
		goto done;
	}
	if (x < 0) {
		if (tgpl_buf_puts(&text, "malformed SPDX expression '") < 0 ||
		    put_quoted(&text, s, n) < 0 || tgpl_buf_printf(&text, "': %s", p.why) < 0) {
			rc = TGPL_ENOMEM;
			goto done;
		}
		rc = det_add_license(b, "NOASSERTION", kind, start_line, end_line, 0.0, rule,
				     text.ptr, NULL, 0);
		goto done;
	}
	if (print_node(&p, &text, x) < 0) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	if ((rc = emit_leaves(&p, b, x, from, kind, start_line, end_line, rule)) < 0)
		goto done;
	rc = det_set_expr(b, from, text.ptr);
done:
	tgpl_buf_release(&text);
	parser_release(&p);
	return rc;
}

/* ---- SPDX-License-Identifier tags ----------------------------------------- */

static const char TAG[] = "SPDX-License-Identifier";
#define TAG_LEN (sizeof(TAG) - 1)

/*
 * A byte that ends a tag's value: end of line, NUL, and whatever cannot be
 * part of an expression yet often follows one — quotes closing a string
 * literal, escapes, and comment closers or openers ("*" of * / and *),
 * '>' of -->, '}' of -}, '#' of #}, '%' of %>, "]]", a trailing // or #
 * comment).  ',' and ';' are only trimmed at the end (see trim_value), so
 * "MIT, Apache-2.0" stays malformed rather than silently losing an id.
 */
static int value_stop(const char *d, size_t i, size_t end)
{
	switch (d[i]) {
	case '\n': case '\r': case '\0': case '"': case '\'': case '`': case '\\':
	case '*': case '<': case '>': case '{': case '}': case '[': case ']':
	case '#': case '%': case '|': case '=':
		return 1;
	case '/':
		return i + 1 < end && d[i + 1] == '/';
	default:
		return 0;
	}
}

/* Trim what may trail a value: blanks, ',', ';', the dashes left of "-->"
 * or "-}", and a ')' that closes nothing ("(SPDX-License-Identifier: MIT)"). */
static size_t trim_value(const char *v, size_t n)
{
	size_t changed = 1;

	while (changed && n) {
		size_t i, open = 0, close = 0;

		changed = 0;
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == ',' ||
			     v[n - 1] == ';' || v[n - 1] == '\f' || v[n - 1] == '\v')) {
			n--;
			changed = 1;
		}
		if (n && v[n - 1] == '-') {
			size_t k = n;

			while (k && v[k - 1] == '-')
				k--;
			if (k == 0 || v[k - 1] == ' ' || v[k - 1] == '\t') {
				n = k;
				changed = 1;
				continue;
			}
		}
		if (n && v[n - 1] == ')') {
			for (i = 0; i < n; i++) {
				open += v[i] == '(';
				close += v[i] == ')';
			}
			if (close > open) {
				n--;
				changed = 1;
			}
		}
	}
	return n;
}

/*
 * Where the tag search looks next: the anchor "dentifier" in lower or upper
 * case (the I is checked with the rest of the tag).  Each case is searched
 * lazily, so the file is scanned once per case whatever the number of tags.
 */
#define ANCHOR_SKIP 14   /* strlen("SPDX-License-I") */

typedef struct {
	const char *d;
	size_t len;
	size_t next[2];     /* next match of each case, len if none */
	int known[2];
} anchor;

static size_t anchor_next(anchor *a, size_t from)
{
	static const char *const needle[2] = { "dentifier", "DENTIFIER" };
	size_t k, best = a->len;

	for (k = 0; k < 2; k++) {
		if (!a->known[k] || a->next[k] < from) {
			const char *h = from < a->len ? memmem(a->d + from, a->len - from, needle[k], 9)
						      : NULL;
			a->next[k] = h ? (size_t)(h - a->d) : a->len;
			a->known[k] = 1;
		}
		if (a->next[k] < best)
			best = a->next[k];
	}
	return best;
}

int detect_spdx_tags(det_builder *b, const tgpl_engine *e, const text_view *t)
{
	const char *d = t->data;
	size_t len = t->len, i = 0;
	anchor an = { d, len, { 0, 0 }, { 0, 0 } };
	unsigned n_tags = 0;
	int rc = 0;

	while (i < len) {
		size_t at = anchor_next(&an, i), p, q, limit, vn;
		uint32_t line;

		if (at >= len)
			break;
		i = at + 1;
		if (at < ANCHOR_SKIP || !ci_eq(d + at - ANCHOR_SKIP, TAG, TAG_LEN))
			continue;
		at -= ANCHOR_SKIP;
		if (at > 0 && (isalnum((unsigned char)d[at - 1]) || d[at - 1] == '_'))
			continue;
		p = at + TAG_LEN;
		while (p < len && (d[p] == ' ' || d[p] == '\t'))
			p++;
		if (p >= len || d[p] != ':')
			continue;
		p++;
		while (p < len && (d[p] == ' ' || d[p] == '\t'))
			p++;
		/* The value: at most one byte over the cap, so that a longer one
		 * is reported as too long rather than read in full. */
		limit = len - p > SPDX_MAX_LEN + 1 ? p + SPDX_MAX_LEN + 1 : len;
		for (q = p; q < limit && !value_stop(d, q, len); q++)
			;
		i = q > i ? q : i;
		vn = trim_value(d + p, q - p);
		/* No value, or a placeholder in documentation ("<id>", "{{ licence }}",
		 * "${LICENSE}"): a mention of the tag, not a tag. */
		if (vn == 0 || d[p] == '<' || d[p] == '{' || d[p] == '$')
			continue;
		line = text_line_of(t, at);
		if (++n_tags > MAX_TAGS) {
			rc = det_add_license(b, NULL, TGPL_KIND_TAG, line, line, 0.0, "spdx-tag",
					     "more than 1000 SPDX-License-Identifier tags; "
					     "the rest are not read", NULL, 0);
			break;
		}
		if ((rc = spdx_emit(b, e, d + p, vn, TGPL_KIND_TAG, line, line, "spdx-tag")) < 0)
			break;
	}
	return rc;
}
