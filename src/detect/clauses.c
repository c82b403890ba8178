/*
 * clauses.c — the TGPL clause detector (see clauses.h; the rule format is in
 * licenses/README.md, "Clause rules"; loading is clauses_load.c).
 *
 * Detection runs the prefilter automaton over the raw bytes (ASCII case
 * folded); only if a key occurs is the blob normalised into the clause view,
 * and only the rules whose keys occur run.  Each anchor match looks for its
 * rule's slots in the sentence (or section) around it; the hits that survive
 * are resolved per group and emitted.  Then the clauses other detectors
 * imply (TGPL tags, licence riders) and the licence of a Hugging Face card.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "detect/clauses_int.h"
#include "detect/rules.h"
#include "detect/spdx.h"
#include "util/util.h"

#define CL_OVEC         10
#define CL_MAX_TRIES    64                 /* anchor matches examined per rule and blob */
#define CL_MAX_CANDS    512                /* candidates kept per blob */
#define HF_MAX_BYTES    ((size_t)64 << 10) /* front matter read from a model card */
#define HF_MAX_VALUES   16                 /* licences listed in one card */

/* Placeholder for a byte the view does not keep (invalid UTF-8). */
#define NORM_OTHER '\x1a'

/* ---- the view: the blob normalised once, UTF-8 kept -------------------- */

/*
 * As rules_normalise() (comment markers at line starts and ends removed,
 * white space folded to one space, ASCII lower case, typographic quotes and
 * dashes folded), except that non-ASCII characters are kept as they are, a
 * line break between two CJK characters joins them without a space (Japanese
 * wraps inside words), markdown emphasis ('*', '`') is dropped, and a list
 * item ("- ", "+ ", "• " at a line start) begins with '|', the mark that also
 * separates table cells: a negation is looked for within one item or cell.
 * A blank line becomes '\n', which ends a sentence (patterns match single
 * spaces, so no phrase spans two paragraphs); after a ':' it is a space.
 */
typedef struct {
	char *text;
	size_t len, cap;
	int pending;         /* a space is owed before the next character */
	int pending_nl;      /* ... and it stands for a line break */
	int pending_para;    /* ... and for a paragraph break: '\n' instead */
	int last_cjk;        /* the last character put was CJK */
	int record;          /* the next character starts line `lineno` */
	uint32_t lineno;
	rules_norm *n;
	size_t max_lines;
} vstate;

static int is_cjk(uint32_t c)
{
	return (c >= 0x2e80 && c <= 0x9fff && !(c >= 0x3130 && c <= 0x318f)) ||
	       (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef) ||
	       (c >= 0x20000 && c <= 0x2ffff);
}

/* Put bytes p[0..k) of one character (cjk: is it CJK?). */
static void vput(vstate *v, const char *p, size_t k, int cjk)
{
	if (v->len + k + 2 > v->cap)
		return;   /* cannot happen: view_build() sizes the text for the worst case */
	if (v->pending && v->len && v->pending_para)
		v->text[v->len++] = '\n';
	else if (v->pending && v->len && !(v->pending_nl && v->last_cjk && cjk))
		v->text[v->len++] = ' ';
	v->pending = v->pending_nl = v->pending_para = 0;
	if (v->record && v->n->n < v->max_lines) {
		v->n->off[v->n->n] = (uint32_t)v->len;
		v->n->line[v->n->n++] = v->lineno;
	}
	v->record = 0;
	memcpy(v->text + v->len, p, k);
	v->len += k;
	v->last_cjk = cjk;
}

static void vputc(vstate *v, char c)
{
	vput(v, &c, 1, 0);
}

static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	if (s[0] < 0xe0) {
		len = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] < 0xf0) {
		len = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else {
		len = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static void fold(vstate *v, const char *p, const char *q)
{
	while (p < q) {
		unsigned char c = (unsigned char)*p;
		uint32_t cp;
		size_t k;

		if (c < 0x80) {
			if (c <= 0x20 || c == 0x7f) {
				v->pending = 1;
				v->pending_nl = 0;
			} else if (c != '*' && c != '`') {
				vputc(v, (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
			}
			p++;
			continue;
		}
		if (!(k = utf8_decode((const unsigned char *)p, (size_t)(q - p), &cp))) {
			vputc(v, NORM_OTHER);
			p++;
			continue;
		}
		p += k;
		if (cp == 0xa0 || cp == 0x1680 || cp == 0x202f || cp == 0x205f || cp == 0x3000 ||
		    (cp >= 0x2000 && cp <= 0x200a)) {
			v->pending = 1;
			v->pending_nl = 0;
		} else if (cp == 0xad || (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff) {
			continue;
		} else if ((cp >= 0x2018 && cp <= 0x201b) || cp == 0x2032 || cp == 0xb4) {
			vputc(v, '\'');
		} else if ((cp >= 0x201c && cp <= 0x201f) || cp == 0x2033 || cp == 0xab || cp == 0xbb) {
			vputc(v, '"');
		} else if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212) {
			vputc(v, '-');
		} else if (cp == 0x2026) {
			vput(v, "...", 3, 0);
		} else if (cp == 0xa9) {
			vput(v, "(c)", 3, 0);
		} else {
			vput(v, p - k, k, is_cjk(cp));
		}
	}
}

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Length of a comment marker at the start of p[0..n) (as rules.c), or 0. */
static size_t lead_marker(const char *p, size_t n)
{
	size_t i = 0;
	char c;

	if (!n)
		return 0;
	c = p[0];
	if (n >= 4 && memcmp(p, "<!--", 4) == 0)
		return 4;
	if (n >= 3 && memcmp(p, "-->", 3) == 0)
		return 3;
	if (n >= 2 && (memcmp(p, "(*", 2) == 0 || memcmp(p, "*)", 2) == 0 ||
		       memcmp(p, "{-", 2) == 0 || memcmp(p, "-}", 2) == 0 ||
		       memcmp(p, "<#", 2) == 0 || memcmp(p, "#>", 2) == 0))
		return 2;
	switch (c) {
	case '/':
		if (n < 2 || (p[1] != '/' && p[1] != '*'))
			return 0;
		while (i < n && (p[i] == '/' || p[i] == '*'))
			i++;
		return i < n && p[i] == '!' ? i + 1 : i;
	case '*':
		while (i < n && p[i] == '*')
			i++;
		return i < n && p[i] == '/' ? i + 1 : i;
	case '#': case ';': case '%': case '!': case '>':
		while (i < n && p[i] == c)
			i++;
		return i;
	case '-':
		while (i < n && p[i] == '-')
			i++;
		return i >= 2 ? i : 0;
	case '\'': case '"':
		while (i < n && p[i] == c)
			i++;
		return i >= 3 ? i : 0;
	}
	if (n >= 4 && (memcmp(p, "REM ", 4) == 0 || memcmp(p, "dnl ", 4) == 0))
		return 4;
	return 0;
}

static size_t trail_marker(const char *p, size_t n)
{
	size_t i = n;

	if (n >= 3 && memcmp(p + n - 3, "-->", 3) == 0)
		return 3;
	if (n >= 2 && (memcmp(p + n - 2, "*/", 2) == 0 || memcmp(p + n - 2, "*)", 2) == 0 ||
		       memcmp(p + n - 2, "-}", 2) == 0 || memcmp(p + n - 2, "#>", 2) == 0))
		return 2;
	while (i > 0 && (p[i - 1] == '*' || p[i - 1] == '#'))
		i--;
	return n - i;
}

/* A list bullet at p ("- ", "+ ", "• "): its length, or 0. */
static size_t bullet(const char *p, size_t n)
{
	if (n >= 2 && (p[0] == '-' || p[0] == '+') && (p[1] == ' ' || p[1] == '\t'))
		return 2;
	if (n >= 4 && memcmp(p, "\xe2\x80\xa2", 3) == 0 && (p[3] == ' ' || p[3] == '\t'))
		return 4;
	return 0;
}

static int has_word(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (isalnum((unsigned char)p[i]) || (unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/* One line, or part of one; `whole` if p..q is the whole line. */
static void view_line(vstate *v, const char *p, const char *q, int whole)
{
	int guard;
	size_t m;

	if (whole) {
		for (guard = 0; guard < 32; guard++) {
			while (p < q && is_ws((unsigned char)*p))
				p++;
			if (!(m = lead_marker(p, (size_t)(q - p))))
				break;
			p += m;
		}
		for (guard = 0; guard < 32; guard++) {
			while (q > p && is_ws((unsigned char)q[-1]))
				q--;
			if (!(m = trail_marker(p, (size_t)(q - p))))
				break;
			q -= m;
		}
		if (!has_word(p, (size_t)(q - p))) {
			/* A blank line (or borders, rules, lone closers) ends a paragraph,
			 * unless what came before announces a list ("you must:"). */
			if (v->len && v->text[v->len - 1] != ':' && !memchr(p, '|', (size_t)(q - p)))
				v->pending_para = 1;
			return;
		}
		if ((m = bullet(p, (size_t)(q - p)))) {
			p += m;
			vputc(v, '|');
			v->pending = 1;
			v->pending_nl = 0;
		}
	}
	fold(v, p, q);
}

/* Build the view of t into *out (a rules_norm: text and line map). */
static int view_build(rules_norm *out, const text_view *t)
{
	rules_norm n;
	vstate v;
	size_t head_end, tail_start, scanned, i;
	int in_tail = 0;

	memset(&n, 0, sizeof(n));
	memset(&v, 0, sizeof(v));
	if (t->len > 2 * CLAUSES_SCAN_HALF) {
		head_end = CLAUSES_SCAN_HALF;
		tail_start = t->len - CLAUSES_SCAN_HALF;
	} else {
		head_end = tail_start = t->len;
	}
	scanned = head_end + (t->len - tail_start);
	/* Each byte yields at most three (a 2-byte '(c)'), plus a space or '|' per line. */
	v.cap = 3 * scanned + 2 * (size_t)t->n_lines + 16;
	v.max_lines = t->n_lines;
	n.text = tgpl_malloc(v.cap + 1);
	n.off = tgpl_calloc(v.max_lines ? v.max_lines : 1, sizeof(*n.off));
	n.line = tgpl_calloc(v.max_lines ? v.max_lines : 1, sizeof(*n.line));
	if (!n.text || !n.off || !n.line) {
		rules_norm_release(&n);
		return TGPL_ENOMEM;
	}
	v.text = n.text;
	v.n = &n;
	for (i = 0; i < t->n_lines; i++) {
		size_t ls = t->line_off[i];
		size_t le = i + 1 < t->n_lines ? t->line_off[i + 1] : t->len;
		int part;

		if (le > t->len)
			le = t->len;
		if (ls >= le || (ls >= head_end && le <= tail_start))
			continue;
		for (part = 0; part < 2; part++) {
			size_t a = part ? (ls > tail_start ? ls : tail_start) : ls;
			size_t z = part ? le : (le < head_end ? le : head_end);

			if (part && tail_start == t->len)
				break;
			if (a >= z)
				continue;
			if (part && !in_tail) {
				/* Nothing may match across the part that was not read. */
				in_tail = 1;
				v.pending = 1;
				vputc(&v, NORM_OTHER);
				v.pending = 1;
			}
			v.record = 1;
			v.lineno = (uint32_t)(i + 1);
			view_line(&v, t->data + a, t->data + z, a == ls && z == le);
			v.pending = v.pending_nl = 1;
		}
	}
	n.len = v.len;
	n.text[n.len] = '\0';
	*out = n;
	return 0;
}

/* ---- matching ----------------------------------------------------------- */

typedef struct {
	size_t s, e;         /* the evidence: anchor and slots found, in the view */
	size_t rule;
	double score;
	int dead;
} cand;

typedef struct {
	const struct clause_data *cd;
	const rules_norm *v;
	pcre2_match_data *md;
	cand *c;
	size_t n, cap;
} matcher;

/*
 * The length of a stop (the end of a sentence, or with `clause` of a part of
 * one) at s[i], or 0.  A '.' after a single letter ("e.g.") or after a list
 * number ("2. ") does not end a sentence, nor one not followed by a space.
 */
static size_t stop_at(const char *s, size_t n, size_t i, int clause)
{
	unsigned char c = (unsigned char)s[i];

	if (c == '.' || c == '!' || c == '?') {
		size_t j = i;

		if (i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '\n')
			return 0;
		if (c != '.')
			return 1;
		if (i >= 1 && isalpha((unsigned char)s[i - 1]) &&
		    (i < 2 || s[i - 2] == ' ' || s[i - 2] == '.' || s[i - 2] == '('))
			return 0;
		while (j > 0 && j + 3 > i && isdigit((unsigned char)s[j - 1]))
			j--;
		if (j < i && (j == 0 || s[j - 1] == ' ' || s[j - 1] == '\n' || s[j - 1] == '|' ||
			      s[j - 1] == '('))
			return 0;
		return 1;
	}
	if (c == '\n' || (clause && (c == ';' || c == '|')))
		return 1;
	if (c == 0xe3 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
	    (unsigned char)s[i + 2] == 0x82)
		return 3;   /* 。 */
	if (c == 0xef && i + 2 < n && (unsigned char)s[i + 1] == 0xbc &&
	    ((unsigned char)s[i + 2] == 0x81 || (unsigned char)s[i + 2] == 0x9f ||
	     (clause && (unsigned char)s[i + 2] == 0x9b)))
		return 3;   /* ！ ？ ； */
	return 0;
}

/* The start of the sentence (or clause) holding `from`, not before lo. */
static size_t part_start(const char *s, size_t n, size_t lo, size_t from, int clause)
{
	size_t i, start = lo, k;

	for (i = lo; i < from; i++)
		if ((k = stop_at(s, n, i, clause)) && i + k <= from)
			start = i + k;
	while (start < from && (s[start] == ' ' || s[start] == '\n'))
		start++;
	return start;
}

/* The end (past its stop) of the sentence (or clause) holding `from`, not past hi. */
static size_t part_end(const char *s, size_t n, size_t from, size_t hi)
{
	size_t i, k;

	for (i = from; i < hi; i++)
		if ((k = stop_at(s, n, i, 0)))
			return i + k <= hi ? i + k : hi;
	return hi;
}

static size_t clause_end(const char *s, size_t n, size_t from, size_t hi)
{
	size_t i, k;

	for (i = from; i < hi; i++)
		if ((k = stop_at(s, n, i, 1)))
			return i + k <= hi ? i + k : hi;
	return hi;
}

/* Does `re` match in text[a..z)?  1 with the match in *ms..*me, 0, or TGPL_ENOMEM. */
static int find(const matcher *m, const pcre2_code *re, size_t a, size_t z, size_t *ms, size_t *me)
{
	PCRE2_SIZE *ov;
	int rc;

	if (a > z)
		return 0;
	rc = pcre2_match(re, (PCRE2_SPTR)m->v->text, z, a, 0, m->md, m->cd->mctx);
	if (rc == PCRE2_ERROR_NOMEMORY)
		return TGPL_ENOMEM;
	if (rc < 0)
		return 0;   /* no match, or over a limit (0: more groups than the ovector holds) */
	ov = pcre2_get_ovector_pointer(m->md);
	if (ov[1] < ov[0])
		return 0;
	if (ms)
		*ms = ov[0];
	if (me)
		*me = ov[1];
	return 1;
}

/*
 * Judge one anchor match [s,e) of rule r: the region around it, the
 * negation and exclusion, the slots, the score.  Adds a candidate or not.
 * 0, or TGPL_ENOMEM.
 */
static int judge(matcher *m, size_t ri, size_t s, size_t e)
{
	const crule *r = &m->cd->rules[ri];
	const char *text = m->v->text;
	size_t n = m->v->len, rs, re, cs, ce, lo, hi, es = s, ee = e, found = 0, i;
	uint32_t have = 0;
	double score;
	int rc = 0;

	if (r->section) {
		size_t ms = 0;

		rs = s;
		hi = n - e > r->after ? e + r->after : n;
		re = hi;
		if (r->stop && (rc = find(m, r->stop, e, hi, &ms, NULL)) < 0)
			return rc;
		if (rc)
			re = ms;
	} else {
		lo = s > r->before ? s - r->before : 0;
		hi = n - e > r->after ? e + r->after : n;
		rs = part_start(text, n, lo, s, 0);
		re = part_end(text, n, e, hi);
	}
	/* A negation, or the vocabulary of another kind of licence, counts only
	 * in the part of the sentence (item, cell) that holds the anchor. */
	cs = r->section ? rs : part_start(text, n, rs, s, 1);
	ce = r->section ? re : clause_end(text, n, e, re);
	if ((r->unless && (rc = find(m, r->unless, cs, ce, NULL, NULL)) != 0) ||
	    (r->exclude && (rc = find(m, r->exclude, cs, ce, NULL, NULL)) != 0)) {
		return rc < 0 ? rc : 0;
	}
	/*
	 * Each slot is looked for near the anchor first (its part of the
	 * sentence), then in the whole sentence.  Only near ones, and a duty
	 * announced before a list ("you must: | ..."), widen the evidence span.
	 */
	for (i = 0; i < r->n_slots; i++) {
		const slot *sl = &r->slots[i];
		size_t a = sl->where > 0 ? e : cs, z = sl->where < 0 ? s : ce, ms, me;
		int near = 1;

		if ((rc = find(m, sl->re, a, z, &ms, &me)) == 0 && (cs > rs || ce < re)) {
			near = sl->where < 0;
			rc = find(m, sl->re, sl->where > 0 ? e : rs, sl->where < 0 ? s : re, &ms, &me);
		}
		if (rc < 0)
			return rc;
		if (!rc)
			continue;
		have |= 1u << i;
		found++;
		if (near && ms < es)
			es = ms;
		if (near && me > ee)
			ee = me;
	}
	if ((have & r->required) != r->required)
		return 0;
	score = (double)(1 + found) / (double)(1 + r->n_slots);
	if (score + 1e-9 < r->min)
		return 0;
	if (m->n == CL_MAX_CANDS)
		return 0;
	if (tgpl_grow((void **)&m->c, &m->cap, m->n + 1, sizeof(*m->c)) < 0)
		return TGPL_ENOMEM;
	m->c[m->n].s = es;
	m->c[m->n].e = ee;
	m->c[m->n].rule = ri;
	m->c[m->n].score = score;
	m->c[m->n].dead = 0;
	m->n++;
	return 0;
}

static int run_rule(matcher *m, size_t ri)
{
	const crule *r = &m->cd->rules[ri];
	size_t start = 0, s, e;
	int tries, rc;

	for (tries = 0; tries < CL_MAX_TRIES && start <= m->v->len; tries++) {
		if ((rc = find(m, r->re, start, m->v->len, &s, &e)) <= 0)
			return rc;
		start = e > s ? e : s + 1;
		if (e > s && (rc = judge(m, ri, s, e)) < 0)
			return rc;
	}
	return 0;
}

static int any_found(const uint32_t *keys, size_t n, const unsigned char *found)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (found[keys[i]])
			return 1;
	return 0;
}

static int rule_active(const crule *r, const unsigned char *found)
{
	return any_found(r->keys, r->n_keys, found) &&
	       (!r->n_also || any_found(r->also, r->n_also, found));
}

static int cand_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Does candidate a beat b (same group, overlapping)? */
static int beats(const matcher *m, const cand *a, const cand *b)
{
	const crule *ra = &m->cd->rules[a->rule], *rb = &m->cd->rules[b->rule];

	if (ra->text != rb->text)
		return ra->text;
	if (a->score != b->score)
		return a->score > b->score;
	if (a->e - a->s != b->e - b->s)
		return a->e - a->s > b->e - b->s;
	return a->rule < b->rule;
}

/*
 * Overlapping candidates of one group: the best survives.  Where a clause is
 * present in our own words, its paraphrases elsewhere in the file (summaries,
 * definitions) add nothing.
 */
static void resolve(matcher *m)
{
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		cand *a = &m->c[i];
		const crule *ra = &m->cd->rules[a->rule];

		for (j = i + 1; j < m->n && !a->dead; j++) {
			cand *b = &m->c[j];
			const crule *rb = &m->cd->rules[b->rule];

			if (b->dead || b->s >= a->e || strcmp(ra->group, rb->group) != 0)
				continue;
			if (beats(m, a, b))
				b->dead = 1;
			else
				a->dead = 1;
		}
	}
	for (i = 0; i < m->n; i++) {
		const crule *ra = &m->cd->rules[m->c[i].rule];

		if (m->c[i].dead || !ra->text || ra->is_license)
			continue;
		for (j = 0; j < m->n; j++) {
			const crule *rb = &m->cd->rules[m->c[j].rule];

			if (!rb->text && !rb->is_license && strcmp(rb->target, ra->target) == 0)
				m->c[j].dead = 1;
		}
	}
}

static int is_tgpl_id(const char *id)
{
	return id && (strcmp(id, "LicenseRef-TGPL-1.0") == 0 || strcmp(id, "AdditionRef-TGPL-1.0") == 0);
}

/*
 * Is [sl,el] inside the matched part of a third-party licence text found by
 * the other detectors (hits 0..n_lic)?  What a known licence says is that
 * licence; only added or changed text (its unmatched spans) can hold a clause.
 */
static int inside_known_text(const tgpl_detection *d, size_t n_lic, uint32_t sl, uint32_t el)
{
	size_t i, k;

	for (i = 0; i < n_lic; i++) {
		const tgpl_license_hit *h = &d->licenses[i];
		int added = 0;

		if (h->kind != TGPL_KIND_TEXT || is_tgpl_id(h->spdx) || sl < h->start_line ||
		    el > h->end_line)
			continue;
		for (k = 0; k < h->n_unmatched && !added; k++)
			added = h->unmatched[k].start_line <= el && sl <= h->unmatched[k].end_line;
		if (!added)
			return 1;
	}
	return 0;
}

static int emit(matcher *m, det_builder *b, const tgpl_engine *e, size_t n_lic)
{
	size_t i, hits = 0;
	int rc;

	for (i = 0; i < m->n && hits < CLAUSES_MAX_HITS; i++) {
		const cand *c = &m->c[i];
		const crule *r = &m->cd->rules[c->rule];
		uint32_t sl = rules_norm_line(m->v, c->s), el = rules_norm_line(m->v, c->e - 1);
		double score = (double)(long)(c->score * 100.0 + 0.5) / 100.0;

		if (c->dead || (!r->is_license && inside_known_text(b->det, n_lic, sl, el)))
			continue;
		if (r->is_license) {
			const tgpl_license_info *li = e ? engine_license(e, r->target, strlen(r->target)) : NULL;

			rc = det_add_license(b, li ? li->id : r->target, TGPL_KIND_TEXT, sl, el, score,
					     r->id, NULL, NULL, 0);
		} else {
			rc = det_add_clause(b, r->target, r->text ? "text" : "paraphrase", sl, el, score,
					    r->id);
		}
		if (rc < 0)
			return rc;
		hits++;
	}
	return 0;
}

/* Which keys occur in the raw bytes that the view reads. */
static size_t prefilter(const struct clause_data *cd, const text_view *t, unsigned char *found)
{
	size_t n;

	if (t->len <= 2 * CLAUSES_SCAN_HALF)
		return clauses_scan_keys(cd, t->data, t->len, found);
	n = clauses_scan_keys(cd, t->data, CLAUSES_SCAN_HALF, found);
	return n + clauses_scan_keys(cd, t->data + t->len - CLAUSES_SCAN_HALF, CLAUSES_SCAN_HALF, found);
}

static int run_rules(det_builder *b, const tgpl_engine *e, const struct clause_data *cd,
		     const text_view *t, size_t n_lic)
{
	rules_norm v;
	matcher m;
	unsigned char *found = NULL;
	size_t i;
	int rc = 0;

	memset(&v, 0, sizeof(v));
	memset(&m, 0, sizeof(m));
	if (!(found = tgpl_calloc(cd->n_keys ? cd->n_keys : 1, 1)))
		return TGPL_ENOMEM;
	if (!prefilter(cd, t, found))
		goto done;
	for (i = 0; i < cd->n_rules && !rule_active(&cd->rules[i], found); i++)
		;
	if (i == cd->n_rules)
		goto done;   /* keys, but no rule has all it needs: nothing is normalised */
	if ((rc = view_build(&v, t)) < 0)
		goto done;
	m.cd = cd;
	m.v = &v;
	if (!(m.md = pcre2_match_data_create(CL_OVEC, cd->gctx))) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	for (i = 0; i < cd->n_rules; i++)
		if (rule_active(&cd->rules[i], found) && (rc = run_rule(&m, i)) < 0)
			goto done;
	if (m.n)
		qsort(m.c, m.n, sizeof(*m.c), cand_cmp);
	resolve(&m);
	rc = emit(&m, b, e, n_lic);
done:
	free(m.c);
	pcre2_match_data_free(m.md);
	free(found);
	rules_norm_release(&v);
	return rc;
}

/* ---- clauses implied by other findings ---------------------------------- */

/* A TGPL id in a tag or a manifest implies its five clauses (REUSE annotations speak of other files). */
static int add_references(det_builder *b, size_t n_lic)
{
	size_t i, j, k;
	int rc;

	for (i = 0; i < n_lic; i++) {
		const tgpl_license_hit *h = &b->det->licenses[i];
		int seen = 0;

		if (!is_tgpl_id(h->spdx) || (h->kind != TGPL_KIND_TAG && h->kind != TGPL_KIND_METADATA) ||
		    (h->rule && strncmp(h->rule, "reuse:", 6) == 0))
			continue;
		for (j = 0; j < i && !seen; j++) {
			const tgpl_license_hit *g = &b->det->licenses[j];

			seen = is_tgpl_id(g->spdx) && (g->kind == TGPL_KIND_TAG || g->kind == TGPL_KIND_METADATA) &&
			       !(g->rule && strncmp(g->rule, "reuse:", 6) == 0) &&
			       g->start_line == h->start_line && g->end_line == h->end_line;
		}
		for (k = 0; k < CLAUSES_N_TGPL && !seen; k++)
			if ((rc = det_add_clause(b, clauses_ids[k], "reference", h->start_line,
						 h->end_line, 1.0, h->rule)) < 0)
				return rc;
	}
	return 0;
}

/* The opt-out detector's licence riders are the clause training-prohibited. */
static int add_prohibited(det_builder *b)
{
	size_t i;
	int rc;

	for (i = 0; i < b->det->n_optouts; i++) {
		const tgpl_optout_hit *o = &b->det->optouts[i];

		if (strcmp(o->kind, "license-rider") == 0 &&
		    (rc = det_add_clause(b, "training-prohibited", "paraphrase", o->start_line,
					 o->end_line, 1.0, "optout:license-rider")) < 0)
			return rc;
	}
	return 0;
}

/* ---- Hugging Face model and dataset cards -------------------------------- */

/*
 * A README.md that opens with YAML front matter ("---" ... "---") is a Hugging
 * Face card; its `license:` is a keyword of the Hub's list (a scalar, a
 * block list or a flow list), `license_name:` names an "other" licence.
 */
typedef struct {
	det_builder *b;
	const tgpl_engine *e;
	const struct clause_data *cd;
	const char *other;   /* license_name value */
	size_t other_n;
	uint32_t other_line;
	size_t n_values;
} hfctx;

static int hf_emit(hfctx *h, const char *s, size_t n, uint32_t line)
{
	const char *id;
	const tgpl_license_info *li;
	tgpl_buf note = TGPL_BUF_INIT;
	size_t i;
	int rc;

	while (n && (*s == '"' || *s == '\'' || *s == ' '))
		s++, n--;
	while (n && (s[n - 1] == '"' || s[n - 1] == '\'' || s[n - 1] == ' '))
		n--;
	if (!n || h->n_values++ >= HF_MAX_VALUES)
		return 0;
	if ((n == 5 && strncmp(s, "other", 5) == 0) || (n == 7 && strncmp(s, "unknown", 7) == 0)) {
		if (!h->other)
			return 0;   /* the licence file the card links to speaks for itself */
		s = h->other;
		n = h->other_n;
		line = h->other_line;
	}
	id = clauses_hf_license(h->cd, s, n);
	if (!id && h->e && (li = engine_license(h->e, s, n)) != NULL)
		id = li->id;
	if (id)
		return spdx_emit(h->b, h->e, id, strlen(id), TGPL_KIND_METADATA, line, line,
				 "hf-card:license");
	if (tgpl_buf_puts(&note, "unknown Hugging Face licence '") < 0)
		goto oom;
	for (i = 0; i < n && i < 64; i++)
		if (tgpl_buf_putc(&note, (unsigned char)s[i] < 0x20 ? ' ' : s[i]) < 0)
			goto oom;
	if (tgpl_buf_puts(&note, n > 64 ? "...'" : "'") < 0)
		goto oom;
	rc = det_add_license(h->b, NULL, TGPL_KIND_METADATA, line, line, 0.0, "hf-card:license",
			     note.ptr, NULL, 0);
	tgpl_buf_release(&note);
	return rc;
oom:
	tgpl_buf_release(&note);
	return TGPL_ENOMEM;
}

/* A flow list "[a, b]" or a scalar, with a trailing " # comment" dropped. */
static int hf_value(hfctx *h, const char *s, size_t n, uint32_t line)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' '))
			n = i;
	while (n && s[n - 1] == ' ')
		n--;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		const char *p = s + 1, *end = s + n - 1;

		while (p < end) {
			const char *q = memchr(p, ',', (size_t)(end - p));

			if (!q)
				q = end;
			if ((rc = hf_emit(h, p, (size_t)(q - p), line)) < 0)
				return rc;
			p = q + 1;
		}
		return 0;
	}
	return hf_emit(h, s, n, line);
}

static int is_card(const text_view *t)
{
	const char *d = t->data;
	size_t k = t->len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	return t->basename && tgpl_strcasecmp(t->basename, "README.md") == 0 && t->len >= k + 4 &&
	       memcmp(d + k, "---", 3) == 0 && (d[k + 3] == '\n' || d[k + 3] == '\r');
}

typedef struct {
	const char *p;
	size_t n;
	uint32_t line;
} yline;

static int hf_card(det_builder *b, const tgpl_engine *e, const struct clause_data *cd,
		   const text_view *t)
{
	hfctx h;
	yline lic = { NULL, 0, 0 }, items[HF_MAX_VALUES];
	size_t n_items = 0, i, limit = t->len < HF_MAX_BYTES ? t->len : HF_MAX_BYTES;
	int in_list = 0, rc;

	memset(&h, 0, sizeof(h));
	h.b = b;
	h.e = e;
	h.cd = cd;
	for (i = 1; i < t->n_lines && t->line_off[i] < limit; i++) {
		const char *p = t->data + t->line_off[i];
		size_t n = (i + 1 < t->n_lines ? t->line_off[i + 1] : t->len) - t->line_off[i];

		while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if ((n == 3 && (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0)))
			break;
		if (in_list) {
			size_t k = 0;

			while (k < n && p[k] == ' ')
				k++;
			if (k < n && p[k] == '-' && (k + 1 == n || p[k + 1] == ' ')) {
				if (n_items < HF_MAX_VALUES) {
					items[n_items].p = p + k + 1;
					items[n_items].n = n - k - 1;
					items[n_items++].line = (uint32_t)(i + 1);
				}
				continue;
			}
			in_list = 0;
		}
		if (n > 8 && memcmp(p, "license:", 8) == 0) {
			lic.p = p + 8;
			lic.n = n - 8;
			lic.line = (uint32_t)(i + 1);
			while (lic.n && *lic.p == ' ')
				lic.p++, lic.n--;
			in_list = lic.n == 0;
		} else if (n == 8 && memcmp(p, "license:", 8) == 0) {
			lic.p = p + 8;
			lic.n = 0;
			lic.line = (uint32_t)(i + 1);
			in_list = 1;
		} else if (n > 13 && memcmp(p, "license_name:", 13) == 0) {
			h.other = p + 13;
			h.other_n = n - 13;
			h.other_line = (uint32_t)(i + 1);
			while (h.other_n && *h.other == ' ')
				h.other++, h.other_n--;
		}
	}
	if (!lic.line)
		return 0;
	if (lic.n)
		return hf_value(&h, lic.p, lic.n, lic.line);
	for (i = 0; i < n_items; i++)
		if ((rc = hf_value(&h, items[i].p, items[i].n, items[i].line)) < 0)
			return rc;
	return 0;
}

/* ---- the detector --------------------------------------------------------- */

int clauses_detect(det_builder *b, const tgpl_engine *e, const struct clause_data *cd,
		   const text_view *t)
{
	size_t n_lic = b->det->n_licenses;
	int rc;

	if (!t->len || !t->n_lines)
		return 0;
	if (cd && cd->n_rules && cd->delta && (rc = run_rules(b, e, cd, t, n_lic)) < 0)
		return rc;
	if ((rc = add_references(b, n_lic)) < 0 || (rc = add_prohibited(b)) < 0)
		return rc;
	if (is_card(t) && (rc = hf_card(b, e, cd, t)) < 0)
		return rc;
	return 0;
}

int detect_clauses(det_builder *b, const tgpl_engine *e, const text_view *t)
{
	return clauses_detect(b, e, e ? engine_clauses(e) : NULL, t);
}
