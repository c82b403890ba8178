/*
 * expr.c — just enough of an SPDX expression reader to choose between the
 * alternatives of an OR, and to see which exception or addition a WITH
 * attaches to which licence.  The expressions come canonical from the store
 * (the detectors wrote them); anything that does not parse is taken whole.
 */
#include <stdlib.h>
#include <string.h>

#include "obligations/obl_int.h"
#include "util/util.h"

#define MAX_NODES (2 * OBL_EXPR_MAX_LEAVES)
#define MAX_DEPTH 32

enum { N_LEAF, N_AND, N_OR };

typedef struct {
	int kind;
	int a, b;      /* children (AND, OR) or the leaf index */
} node;

struct obl_expr {
	char *buf;                               /* the tokens, NUL-separated */
	const char *ids[OBL_EXPR_MAX_LEAVES];
	const char *exc[OBL_EXPR_MAX_LEAVES];
	size_t n_leaves;
	node nodes[MAX_NODES];
	int n_nodes;
	int root;
	int has_or;
};

typedef struct {
	obl_expr *x;
	char *p;       /* cursor in buf */
	char *tok;     /* current token, or NULL at the end */
	int depth;
} parser;

/* Cut the next token out of the buffer in place: "(", ")" or a word. */
static void next(parser *ps)
{
	char *p = ps->p;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!*p) {
		ps->tok = NULL;
		ps->p = p;
		return;
	}
	if (*p == '(' || *p == ')') {
		/* Keep the bracket as its own one-character token. */
		static char open[] = "(", close[] = ")";
		ps->tok = *p == '(' ? open : close;
		ps->p = p + 1;
		return;
	}
	ps->tok = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '(' && *p != ')')
		p++;
	if (*p == '(' || *p == ')') {
		/* Shift the rest right by one to make room for the terminator. */
		size_t rest = strlen(p);
		memmove(p + 1, p, rest + 1);
		*p = '\0';
		ps->p = p + 1;
		return;
	}
	if (*p)
		*p++ = '\0';
	ps->p = p;
}

static int is_op(const char *t, const char *op)
{
	return t && tgpl_strcasecmp(t, op) == 0;
}

static int new_node(obl_expr *x, int kind, int a, int b)
{
	if (x->n_nodes >= MAX_NODES)
		return -1;
	x->nodes[x->n_nodes].kind = kind;
	x->nodes[x->n_nodes].a = a;
	x->nodes[x->n_nodes].b = b;
	return x->n_nodes++;
}

static int parse_or(parser *ps);

static int parse_simple(parser *ps)
{
	obl_expr *x = ps->x;
	int n;

	if (!ps->tok)
		return -1;
	if (strcmp(ps->tok, "(") == 0) {
		if (++ps->depth > MAX_DEPTH)
			return -1;
		next(ps);
		if ((n = parse_or(ps)) < 0 || !ps->tok || strcmp(ps->tok, ")") != 0)
			return -1;
		ps->depth--;
		next(ps);
		return n;
	}
	if (strcmp(ps->tok, ")") == 0 || is_op(ps->tok, "AND") || is_op(ps->tok, "OR") ||
	    is_op(ps->tok, "WITH") || x->n_leaves >= OBL_EXPR_MAX_LEAVES)
		return -1;
	x->ids[x->n_leaves] = ps->tok;
	x->exc[x->n_leaves] = NULL;
	next(ps);
	if (is_op(ps->tok, "WITH")) {
		next(ps);
		if (!ps->tok || strcmp(ps->tok, "(") == 0 || strcmp(ps->tok, ")") == 0)
			return -1;
		x->exc[x->n_leaves] = ps->tok;
		next(ps);
	}
	return new_node(x, N_LEAF, (int)x->n_leaves++, 0);
}

static int parse_and(parser *ps)
{
	int left = parse_simple(ps);

	while (left >= 0 && is_op(ps->tok, "AND")) {
		int right;
		next(ps);
		if ((right = parse_simple(ps)) < 0)
			return -1;
		left = new_node(ps->x, N_AND, left, right);
	}
	return left;
}

static int parse_or(parser *ps)
{
	int left = parse_and(ps);

	while (left >= 0 && is_op(ps->tok, "OR")) {
		int right;
		next(ps);
		if ((right = parse_and(ps)) < 0)
			return -1;
		left = new_node(ps->x, N_OR, left, right);
		ps->x->has_or = 1;
	}
	return left;
}

int obl_expr_parse(obl_expr **out, const char *s)
{
	obl_expr *x;
	parser ps;
	size_t n;

	if (!s || (n = strlen(s)) > OBL_EXPR_MAX_LEN)
		return TGPL_EINVAL;
	if (!(x = tgpl_calloc(1, sizeof(*x))))
		return TGPL_ENOMEM;
	/* Room to split "a)" into "a" and ")": at most one extra byte per bracket. */
	if (!(x->buf = tgpl_malloc(2 * n + 1))) {
		free(x);
		return TGPL_ENOMEM;
	}
	memcpy(x->buf, s, n + 1);
	memset(&ps, 0, sizeof(ps));
	ps.x = x;
	ps.p = x->buf;
	next(&ps);
	x->root = parse_or(&ps);
	if (x->root < 0 || ps.tok) {
		obl_expr_free(x);
		return TGPL_EINVAL;
	}
	*out = x;
	return 0;
}

void obl_expr_free(obl_expr *x)
{
	if (!x)
		return;
	free(x->buf);
	free(x);
}

size_t obl_expr_leaves(const obl_expr *x)
{
	return x->n_leaves;
}

const char *obl_expr_leaf_id(const obl_expr *x, size_t i)
{
	return i < x->n_leaves ? x->ids[i] : NULL;
}

const char *obl_expr_leaf_exception(const obl_expr *x, size_t i)
{
	return i < x->n_leaves ? x->exc[i] : NULL;
}

int obl_expr_has_or(const obl_expr *x)
{
	return x->has_or;
}

static int cost_less(obl_cost a, obl_cost b)
{
	return a.worst < b.worst || (a.worst == b.worst && a.sum < b.sum);
}

static uint64_t choose(const obl_expr *x, int n, obl_leaf_cost cost, void *payload, obl_cost *c)
{
	const node *nd = &x->nodes[n];
	obl_cost ca, cb;
	uint64_t ma, mb;

	if (nd->kind == N_LEAF) {
		*c = cost(x->ids[nd->a], x->exc[nd->a], payload);
		return (uint64_t)1 << nd->a;
	}
	ma = choose(x, nd->a, cost, payload, &ca);
	mb = choose(x, nd->b, cost, payload, &cb);
	if (nd->kind == N_AND) {
		c->worst = ca.worst > cb.worst ? ca.worst : cb.worst;
		c->sum = ca.sum + cb.sum;
		return ma | mb;
	}
	if (cost_less(cb, ca)) {
		*c = cb;
		return mb;
	}
	*c = ca;
	return ma;
}

uint64_t obl_expr_choose(const obl_expr *x, obl_leaf_cost cost, void *payload)
{
	obl_cost c;

	return choose(x, x->root, cost, payload, &c);
}
