/*
 * tokenize.c — licence-text normalisation (see tokenize.h for the rules).
 *
 * One pass over the bytes, line by line.  Nothing here trusts the input:
 * words longer than WORD_MAX bytes are hashed on their first WORD_MAX bytes,
 * any byte value is accepted, and the stream stops growing at ts->max.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/tokenize.h"
#include "util/util.h"

#define WORD_MAX 48
/* A copyright statement drops at most this many words. */
#define CR_MAX_WORDS 32
/* How far into a line a copyright statement's year or "(c)" is looked for. */
#define CR_LOOK 160
/* Placeholders are at most this long ("<name of copyright owner>"). */
#define PH_MAX 80

/* ---- character classes ---------------------------------------------------- */

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/*
 * Length of the Unicode punctuation sequence at p (0 if none): quotes,
 * dashes, bullets, spaces, ©, ®, ™, §, the BOM, box drawing.  `kind` gets
 * '\'' for an apostrophe, '-' for a hyphen, 'c' for ©, ' ' otherwise.
 */
static size_t uni_punct(const unsigned char *p, size_t left, char *kind)
{
	*kind = ' ';
	if (left >= 2 && p[0] == 0xC2) {
		switch (p[1]) {
		case 0xA9: *kind = 'c'; return 2;                   /* © */
		case 0xA0: case 0xA7: case 0xAB: case 0xAE: case 0xB0:
		case 0xB6: case 0xB7: case 0xBB: case 0xAD:
			return 2;
		}
		return 0;
	}
	if (left >= 3 && p[0] == 0xE2) {
		if (p[1] == 0x80) {
			if (p[2] == 0x99 || p[2] == 0x98)
				*kind = '\'';
			else if (p[2] == 0x90 || p[2] == 0x91)
				*kind = '-';
			return (p[2] >= 0x80 && p[2] <= 0xBF) ? 3 : 0;
		}
		if (p[1] == 0x81 && p[2] >= 0x80 && p[2] <= 0xAF)
			return 3;
		if (p[1] == 0x84 && p[2] == 0xA2)                   /* ™ */
			return 3;
		if (p[1] >= 0x94 && p[1] <= 0x97)                   /* boxes, bullets */
			return 3;
		return 0;
	}
	if (left >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return 3;                                           /* BOM */
	if (left >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] <= 0x82)
		return 3;                                           /* 、。 ideographic space */
	return 0;
}

/* Is p the start of a word character (ASCII alnum, or a non-punctuation byte >= 0x80)? */
static int word_char_at(const unsigned char *p, size_t left)
{
	char k;

	if (*p < 0x80)
		return is_alnum(*p);
	return uni_punct(p, left, &k) == 0;
}

static int letter_at(const unsigned char *p, size_t left)
{
	return (*p < 0x80) ? ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') : word_char_at(p, left);
}

/* ---- words ------------------------------------------------------------------ */

uint32_t tok_word_id(const char *w, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)w[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

/* Whole-word equivalents (SPDX equivalent words, and spelling variants). */
static const struct { const char *from, *to; } equiv_words[] = {
	{ "acknowledgement", "acknowledgment" }, { "acknowledgements", "acknowledgments" },
	{ "analogue", "analog" }, { "artefact", "artifact" }, { "artefacts", "artifacts" },
	{ "behaviour", "behavior" }, { "calibre", "caliber" }, { "cancelled", "canceled" },
	{ "catalogue", "catalog" }, { "centre", "center" }, { "colour", "color" },
	{ "defence", "defense" }, { "favour", "favor" }, { "favourite", "favorite" },
	{ "fulfil", "fulfill" }, { "fulfilment", "fulfillment" }, { "honour", "honor" },
	{ "https", "http" }, { "judgement", "judgment" }, { "labelling", "labeling" },
	{ "labour", "labor" }, { "modelled", "modeled" }, { "modelling", "modeling" },
	{ "offence", "offense" }, { "owner", "holder" }, { "owners", "holders" },
	{ "practise", "practice" }, { "programme", "program" }, { "programmes", "programs" },
	{ "signalling", "signaling" }, { "whilst", "while" }, { "wilful", "willful" },
	{ "wilfully", "willfully" },
};

/* Prefix rewrites (British -ise/-our/-ence spellings and their derived forms). */
static const struct { const char *from, *to; } equiv_prefix[] = {
	{ "analys", "analyz" }, { "authoris", "authoriz" }, { "capitalis", "capitaliz" },
	{ "categoris", "categoriz" }, { "emphasis", "emphasiz" }, { "initialis", "initializ" },
	{ "licenc", "licens" }, { "maximis", "maximiz" }, { "optimis", "optimiz" },
	{ "organis", "organiz" }, { "realis", "realiz" }, { "recognis", "recogniz" },
	{ "sublicenc", "sublicens" }, { "utilis", "utiliz" },
};

/* Rewrite w[0..*n) in place (buffer of WORD_MAX) to its equivalent form. */
static void fold_equivalent(char *w, size_t *n)
{
	size_t i;

	if (*n < 4 || *n > 18)
		return;
	for (i = 0; i < sizeof(equiv_prefix) / sizeof(equiv_prefix[0]); i++) {
		size_t pl = strlen(equiv_prefix[i].from);
		if (*n >= pl && memcmp(w, equiv_prefix[i].from, pl) == 0) {
			/* from and to have the same length */
			memcpy(w, equiv_prefix[i].to, pl);
			return;
		}
	}
	for (i = 0; i < sizeof(equiv_words) / sizeof(equiv_words[0]); i++) {
		size_t fl = strlen(equiv_words[i].from);
		if (fl == *n && memcmp(w, equiv_words[i].from, fl) == 0) {
			size_t tl = strlen(equiv_words[i].to);
			memcpy(w, equiv_words[i].to, tl);
			*n = tl;
			return;
		}
	}
}

/* A list marker's shape: up to three digits, one letter, or a small roman numeral. */
static int marker_shaped(const char *w, size_t n)
{
	static const char *roman[] = { "ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii", "xiii" };
	size_t i;

	if (n == 1)
		return 1;
	if (n <= 3) {
		for (i = 0; i < n && is_digit((unsigned char)w[i]); i++)
			;
		if (i == n)
			return 1;
	}
	for (i = 0; i < sizeof(roman) / sizeof(roman[0]); i++)
		if (strlen(roman[i]) == n && memcmp(roman[i], w, n) == 0)
			return 1;
	return 0;
}

/* ---- the stream ------------------------------------------------------------- */

void tok_init(tok_stream *ts, size_t max, int ref_mode)
{
	memset(ts, 0, sizeof(*ts));
	ts->max = max;
	ts->ref_mode = ref_mode;
}

void tok_release(tok_stream *ts)
{
	free(ts->tok);
	free(ts->line);
	free(ts->flags);
	free(ts->cr_lines);
	memset(ts, 0, sizeof(*ts));
}

static int emit(tok_stream *ts, uint32_t id, uint32_t line, uint8_t flags)
{
	if (ts->max && ts->n >= ts->max) {
		ts->truncated = 1;
		return 0;
	}
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 1024;
		uint32_t *t, *l;
		uint8_t *f = NULL;

		if (ts->max && cap > ts->max)
			cap = ts->max;
		t = tgpl_reallocarray(ts->tok, cap, sizeof(*t));
		if (!t)
			return TGPL_ENOMEM;
		ts->tok = t;
		l = tgpl_reallocarray(ts->line, cap, sizeof(*l));
		if (!l)
			return TGPL_ENOMEM;
		ts->line = l;
		if (ts->ref_mode) {
			f = tgpl_realloc(ts->flags, cap);
			if (!f)
				return TGPL_ENOMEM;
			ts->flags = f;
		}
		ts->cap = cap;
	}
	ts->tok[ts->n] = id;
	ts->line[ts->n] = line;
	if (ts->flags)
		ts->flags[ts->n] = flags;
	ts->n++;
	return 0;
}

static int add_cr_line(tok_stream *ts, uint32_t line)
{
	if (ts->n_cr && ts->cr_lines[ts->n_cr - 1] == line)
		return 0;
	if (ts->n_cr >= TOK_MAX_CR_LINES)
		return 0;
	if (tgpl_grow((void **)&ts->cr_lines, &ts->cap_cr, ts->n_cr + 1, sizeof(uint32_t)) < 0)
		return TGPL_ENOMEM;
	ts->cr_lines[ts->n_cr++] = line;
	return 0;
}

/* After "Copyright": does the line (its first CR_LOOK bytes) name a year,
 * "(c)", "©" or a placeholder? */
static int copyright_evidence(const unsigned char *p, size_t n)
{
	size_t i;

	if (n > CR_LOOK)
		n = CR_LOOK;
	for (i = 0; i < n; i++) {
		if (i + 4 <= n && ((p[i] == '1' && p[i + 1] == '9') || (p[i] == '2' && p[i + 1] == '0')) &&
		    is_digit(p[i + 2]) && is_digit(p[i + 3]) && (i + 4 == n || !is_digit(p[i + 4])))
			return 1;
		if (i + 3 <= n && p[i] == '(' && (p[i + 1] | 0x20) == 'c' && p[i + 2] == ')')
			return 1;
		if (i + 2 <= n && p[i] == 0xC2 && p[i + 1] == 0xA9)
			return 1;
		if (p[i] == '<' || p[i] == '[' || p[i] == '{')
			return 1;
	}
	return 0;
}

/* After a line-opening "(c)" or "©" (which also opens list items: "(c) You
 * must retain..."): is the next word a year or "Copyright"? */
static int copyright_after_sign(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && is_space(p[i]))
		i++;
	if (i + 4 <= n && is_digit(p[i]) && is_digit(p[i + 1]) && is_digit(p[i + 2]) && is_digit(p[i + 3]))
		return 1;
	return i + 9 <= n && (p[i] | 0x20) == 'c' && (p[i + 1] | 0x20) == 'o' && (p[i + 2] | 0x20) == 'p' &&
	       (p[i + 3] | 0x20) == 'y' && (p[i + 4] | 0x20) == 'r' && (p[i + 5] | 0x20) == 'i';
}

/* Is the placeholder text inside brackets p[0..n) a placeholder (not a URL, a mail address, a note)? */
static int placeholder_text(const unsigned char *p, size_t n, int square)
{
	static const char *keys[] = { "year", "yyyy", "name", "owner", "holder", "copyright",
				      "insert", "enter", "licensor", "author", "organization",
				      "organisation", "product", "program", "date", "xxxx", "software",
				      "contributor", "company", "institution", "email", "url" };
	char low[PH_MAX + 1];
	size_t i, words = 0;
	int in_word = 0, only_blank = 1;

	if (n == 0 || n > PH_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == '@' || c == '/' || c == '#' || c == ':' || c == '<' || c == '[' || c == '\n')
			return 0;
		if (c != '_' && c != ' ')
			only_blank = 0;
		if (is_alnum(c) && !in_word)
			words++;
		in_word = is_alnum(c);
		low[i] = (char)lower(c);
	}
	low[n] = '\0';
	if (only_blank)
		return 1;
	if (words == 0 || words > 8)
		return 0;
	if (!square) {
		/* <...>: anything short that is not a URL or an address */
		for (i = 0; i + 2 < n; i++)
			if (low[i] == 'w' && low[i + 1] == 'w' && low[i + 2] == 'w')
				return 0;
		return 1;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strstr(low, keys[i]))
			return 1;
	return 0;
}

typedef struct {
	tok_stream *ts;
	uint32_t line;
	int words;          /* words seen on this line (dropped or not) */
	int cr_drop;        /* dropping a copyright statement: words left */
	int cr_seen;        /* the line held a copyright statement */
	int cr_ok;          /* the line has copyright evidence */
	size_t line_start;  /* ts->n when the line began */
} line_state;

static int emit_var(line_state *ls)
{
	tok_stream *ts = ls->ts;

	ls->words++;
	if (ls->cr_drop)
		return 0;
	if (ts->n && ts->flags && (ts->flags[ts->n - 1] & TOKF_VAR))
		return 0;
	return emit(ts, 0, ls->line, TOKF_VAR);
}

/* A word ended: w[0..n) lower case; prev/next are the bytes around it. */
static int end_word(line_state *ls, char *w, size_t n, int prev, int next, int next2, int caps)
{
	tok_stream *ts = ls->ts;
	int first = ls->words == 0;

	ls->words++;
	if (first && n == 3 && (memcmp(w, "rem", 3) == 0 || memcmp(w, "dnl", 3) == 0) &&
	    (next < 0 || is_space((unsigned char)next))) {
		ls->words = 0;   /* a comment marker: the next word is the line's first */
		return 0;
	}
	/* "<copyright holder>" is an unfilled placeholder, not a statement */
	if (first && n == 9 && memcmp(w, "copyright", 9) == 0 && ls->cr_ok && prev != '<' && prev != '[' &&
	    prev != '{') {
		ls->cr_drop = CR_MAX_WORDS;
		ls->cr_seen = 1;
	}
	if (ls->cr_drop) {
		ls->cr_drop--;
		return 0;
	}
	if (marker_shaped(w, n) &&
	    (prev == '(' || next == ')' ||
	     (next == '.' && (next2 < 0 || is_space((unsigned char)next2)))))
		return 0;
	fold_equivalent(w, &n);
	return emit(ts, tok_word_id(w, n), ls->line, caps ? TOKF_CAPS : 0);
}

/* The words "all rights reserved" and nothing else on the line? */
static int rights_reserved_only(const tok_stream *ts, size_t from)
{
	return ts->n - from == 3 && ts->tok[from] == tok_word_id("all", 3) &&
	       ts->tok[from + 1] == tok_word_id("rights", 6) &&
	       ts->tok[from + 2] == tok_word_id("reserved", 8);
}

static int tok_line(tok_stream *ts, const unsigned char *p, size_t n, uint32_t line)
{
	line_state ls = { ts, line, 0, 0, 0, 0, ts->n };
	char w[WORD_MAX];
	size_t i = 0, wn = 0;
	int rc;

	/* A line that opens with "Copyright", "©" or "(c)" and names a year. */
	{
		size_t j = 0;
		size_t skip = 0;
		while (j < n) {
			if (p[j] == 0xC2 && j + 1 < n && p[j + 1] == 0xA9)
				skip = 2;
			else if (p[j] == '(' && j + 2 < n && (p[j + 1] | 0x20) == 'c' && p[j + 2] == ')')
				skip = 3;
			if (skip || word_char_at(p + j, n - j))
				break;
			j++;
		}
		/* skip > 0 only when the whole sign lies inside the line. */
		if (skip) {
			if (copyright_after_sign(p + j + skip, n - j - skip)) {
				ls.cr_drop = CR_MAX_WORDS;
				ls.cr_seen = 1;
			}
		} else if (j < n) {
			ls.cr_ok = copyright_evidence(p + j, n - j);
		}
	}
	while (i < n) {
		unsigned char c = p[i];
		char kind = ' ';
		size_t ul = c >= 0x80 ? uni_punct(p + i, n - i, &kind) : 0;

		if ((c < 0x80 && is_alnum(c)) || (c >= 0x80 && ul == 0)) {
			size_t start = i;
			int prev = i ? p[i - 1] : -1;
			int next, next2, lowers = 0;

			wn = 0;
			for (;;) {
				while (i < n && word_char_at(p + i, n - i)) {
					lowers += p[i] >= 'a' && p[i] <= 'z';
					if (wn < WORD_MAX)
						w[wn++] = (char)lower(p[i]);
					/* Latin-1 capitals in UTF-8: C3 80..9E (not 97) */
					if (p[i] == 0xC3 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9E &&
					    p[i + 1] != 0x97) {
						i++;
						if (wn < WORD_MAX)
							w[wn++] = (char)(p[i] + 0x20);
					}
					i++;
				}
				if (i >= n)
					break;
				/* joiners: apostrophe or hyphen between letters, dot between digits */
				{
					char k = ' ';
					size_t jl = p[i] >= 0x80 ? uni_punct(p + i, n - i, &k) : 1;
					if (p[i] == '\'' )
						k = '\'';
					else if (p[i] == '-')
						k = '-';
					else if (p[i] == '.')
						k = '.';
					if ((k == '\'' || k == '-') && i + jl < n && letter_at(p + i - 1, 1) &&
					    letter_at(p + i + jl, n - i - jl)) {
						i += jl;
						continue;
					}
					if (k == '.' && is_digit(p[i - 1]) && i + 1 < n && is_digit(p[i + 1])) {
						if (wn < WORD_MAX)
							w[wn++] = '.';
						i++;
						continue;
					}
				}
				break;
			}
			(void)start;
			next = i < n ? p[i] : -1;
			next2 = i + 1 < n ? p[i + 1] : -1;
			if ((rc = end_word(&ls, w, wn, prev, next, next2, !lowers)) < 0)
				return rc;
			continue;
		}
		if (ts->ref_mode && (c == '<' || c == '[')) {
			unsigned char close = c == '<' ? '>' : ']';
			size_t lim = n - i - 1 < PH_MAX + 1 ? n - i - 1 : PH_MAX + 1;
			const unsigned char *e = memchr(p + i + 1, close, lim);
			if (e && placeholder_text(p + i + 1, (size_t)(e - p - i - 1), c == '[')) {
				if ((rc = emit_var(&ls)) < 0)
					return rc;
				i = (size_t)(e - p) + 1;
				continue;
			}
		}
		if (ts->ref_mode && c == '_' && i + 2 < n && p[i + 1] == '_' && p[i + 2] == '_') {
			while (i < n && p[i] == '_')
				i++;
			if ((rc = emit_var(&ls)) < 0)
				return rc;
			continue;
		}
		/* End of a copyright statement: "Inc. Permission ..." (but not "All rights reserved"). */
		if (ls.cr_drop && c == '.' && i >= 2 && is_alnum(p[i - 1]) && is_alnum(p[i - 2])) {
			size_t j = i + 1;
			while (j < n && is_space(p[j]))
				j++;
			if (j > i + 1 && j < n && p[j] >= 'A' && p[j] <= 'Z' &&
			    !(j + 3 <= n && (p[j + 1] | 0x20) == 'l' && (p[j + 2] | 0x20) == 'l' &&
			      p[j] == 'A'))
				ls.cr_drop = 0;
		}
		i += ul ? ul : 1;
	}
	if (ls.cr_seen && (rc = add_cr_line(ts, line)) < 0)
		return rc;
	if (rights_reserved_only(ts, ls.line_start)) {
		ts->n = ls.line_start;
		if ((rc = add_cr_line(ts, line)) < 0)
			return rc;
	}
	return 0;
}

int tok_text(tok_stream *ts, const char *data, size_t len, uint32_t first_line)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	uint32_t line = first_line;
	int rc;

	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (ts->max && ts->n >= ts->max) {
			ts->truncated = 1;
			break;
		}
		if ((rc = tok_line(ts, p, n, line)) < 0)
			return rc;
		if (!nl)
			break;
		p = nl + 1;
		line++;
	}
	return 0;
}

/* ---- prefilter ---------------------------------------------------------------- */

static int ci_match(const unsigned char *p, size_t left, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= left || lower(p[i]) != (unsigned char)s[i])
			return 0;
	return 1;
}

/*
 * The keywords, found by a 4-byte anchor that is rare in source code and
 * confirmed around it: `back` bytes of the keyword stand before the anchor.
 */
static const struct { char anchor[5]; const char *word; unsigned back; } pf_keys[] = {
	{ "icen", "licen", 1 },              /* licence, license */
	{ "opyr", "copyright", 1 },
	{ "rmis", "permission", 2 },
	{ "rran", "warrant", 2 },
	{ "ribu", "distribut", 4 },          /* distribute, redistribution */
	{ "reel", "freely", 1 },
	{ "mons", "creative commons", 12 },
};
#define PF_KEYS (sizeof(pf_keys) / sizeof(pf_keys[0]))

/* Is one of the keywords anchored at p[i]? */
static int pf_confirm(const unsigned char *p, size_t len, size_t i)
{
	size_t k;

	for (k = 0; k < PF_KEYS; k++) {
		size_t b = pf_keys[k].back;
		if (i >= b && ci_match(p + i, len - i, pf_keys[k].anchor) &&
		    ci_match(p + i - b, len - i + b, pf_keys[k].word))
			return 1;
	}
	return 0;
}

#if defined(__GNUC__)
/* Sixteen positions at a time (GCC/Clang vector extensions: SSE2, NEON, or
 * plain code where there is neither); a hit is confirmed byte by byte. */
typedef unsigned char pf_v16 __attribute__((vector_size(16)));

static pf_v16 pf_load(const unsigned char *p)
{
	pf_v16 v;

	memcpy(&v, p, sizeof(v));
	return v | 0x20;
}

static int pf_block(const unsigned char *p, const pf_v16 *key)
{
	pf_v16 a = pf_load(p), b = pf_load(p + 1), c = pf_load(p + 2), d = pf_load(p + 3);
	pf_v16 m = { 0 };
	uint64_t w[2];
	size_t k;

	for (k = 0; k < PF_KEYS; k++)
		m |= (pf_v16)((a == key[4 * k]) & (b == key[4 * k + 1]) & (c == key[4 * k + 2]) &
			      (d == key[4 * k + 3]));
	memcpy(w, &m, sizeof(w));
	return (w[0] | w[1]) != 0;
}
#endif

int tok_prefilter(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0, j;

	if (len < 5)
		return 0;
#if defined(__GNUC__)
	pf_v16 key[4 * PF_KEYS];
	size_t k;

	for (k = 0; k < 4 * PF_KEYS; k++) {
		unsigned char ch = (unsigned char)pf_keys[k / 4].anchor[k % 4];
		pf_v16 v = { ch, ch, ch, ch, ch, ch, ch, ch, ch, ch, ch, ch, ch, ch, ch, ch };
		key[k] = v;
	}
	for (; i + 16 + 3 <= len; i += 16)
		if (pf_block(p + i, key))
			for (j = i; j < i + 16; j++)
				if (pf_confirm(p, len, j))
					return 1;
#endif
	for (j = i; j + 4 <= len; j++)
		if (pf_confirm(p, len, j))
			return 1;
	return 0;
}

/* ---- line classes ----------------------------------------------------------- */

static int starts_ci(const unsigned char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	return n >= l && ci_match(p, n, s);
}

void tok_classify_line(line_class *out, const char *data, size_t len)
{
	static const char *markers[] = { "<!--", "/*", "(*", "{-", "//", "--", "#", ";", "%", "!",
					 "*", "'", "rem", "dnl", "::", ">" };
	static const char *code_starts[] = { "#include", "#define", "#if", "#pragma", "#import",
					     "import ", "package ", "def ", "class ", "func ", "fn ",
					     "use ", "from ", "public ", "private ", "static ", "return",
					     "const ", "var ", "let ", "int ", "void ", "module " };
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0, e = len, k;
	int any_word = 0;

	memset(out, 0, sizeof(*out));
	while (e > 0 && (is_space(p[e - 1]) || p[e - 1] == '\0'))
		e--;
	while (i < e && is_space(p[i]))
		i++;
	for (k = i; k < e; k++)
		if (is_alnum(p[k]) || p[k] >= 0x80) {
			any_word = 1;
			break;
		}
	if (!any_word) {
		out->kind = LINE_BLANK;
		return;
	}
	for (k = 0; k < sizeof(code_starts) / sizeof(code_starts[0]); k++)
		if (starts_ci(p + i, e - i, code_starts[k])) {
			out->kind = LINE_CODE;
			return;
		}
	for (k = 0; k < sizeof(markers) / sizeof(markers[0]); k++) {
		size_t l = strlen(markers[k]);
		if (starts_ci(p + i, e - i, markers[k]) &&
		    (is_alnum(markers[k][0]) ? (i + l == e || is_space(p[i + l])) : 1)) {
			/* "--- end of FILE ---", "# Title #": a framed heading, not a comment */
			if (!is_alnum(markers[k][0]) && l <= 2 && e - i > l && p[e - 1] == (unsigned char)markers[k][0] &&
			    markers[k][0] != '*')
				break;
			out->kind = LINE_COMMENT;
			memcpy(out->marker, markers[k], l < 3 ? l : 3);
			return;
		}
	}
	if (e > i && (p[e - 1] == ';' || p[e - 1] == '{' || p[e - 1] == '}' || p[e - 1] == '(' ||
		      (p[e - 1] == ')' && p[i] != '('))) {
		out->kind = LINE_CODE;
		return;
	}
	for (k = i; k + 1 < e; k++)
		if ((p[k] == '=' && p[k + 1] == ' ' && k > i && p[k - 1] == ' ') ||
		    (p[k] == '-' && p[k + 1] == '>') || (p[k] == ':' && p[k + 1] == ':') ||
		    (p[k] == '(' && p[k + 1] == ')')) {
			out->kind = LINE_CODE;
			return;
		}
	out->kind = LINE_PLAIN;
}
