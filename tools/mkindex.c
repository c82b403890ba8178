/*
 * mkindex — compile the SPDX licence data into licenses.idx (see
 * src/detect/index.h for the layout).
 *
 * usage: mkindex [-v] -o OUT spdx-full.json LICENSES_DIR
 *
 * spdx-full.json comes from the pinned registry package spdx-license-list
 * (fetched and checksummed by the Makefile); LICENSES_DIR is the project's own
 * licenses/ folder (deprecated.tsv says which ids are deprecated and what
 * replaces them).  The output is deterministic: the same inputs give the same
 * bytes, so the engine version (a hash of the data) is stable.
 *
 * The project's own texts join the SPDX ones: licenses/tgpl/TGPL-1.0-rider.txt
 * as AdditionRef-TGPL-1.0 and licenses/tgpl/TGPL-1.0.txt as
 * LicenseRef-TGPL-1.0, so that the rider is matched as a text like any
 * licence (its span, its score, what was changed) and the GNU licences its
 * section 6 names are not taken for notices.
 *
 * Besides the INFO section (every licence's id, name, url and text), it
 * precomputes everything the text matcher needs, so that loading is a read:
 *   - each text tokenised once (tokenize.h, reference mode: placeholders);
 *   - identical token streams merged into one reference, reported under the
 *     preferred id (non-deprecated, "-only", shortest): GPL-2.0-only stands
 *     for GPL-2.0, GPL-2.0+, GPL-2.0-or-later;
 *   - deprecated ids replaced by a plain id are aliases of that id's
 *     reference; those replaced by "X WITH Y" (GPL-2.0-with-classpath-
 *     exception) keep their text — the exception — and report Y;
 *   - a reference's short title line is optional, and what follows "END OF
 *     TERMS AND CONDITIONS" (how to apply: the standard header) is marked
 *     as appendix, so that a header alone is not taken for the licence text;
 *   - a reference that embeds another whole one (LGPL-3.0 = LGPL + GPL-3.0)
 *     records where, so that its own part alone counts as the full licence;
 *   - the inverted index of token n-grams and each position's rarity.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "detect/index.h"
#include "detect/tokenize.h"
#include "util/util.h"

/* A title line is at most this many tokens. */
#define TITLE_MAX 10
/* A run of at least this many words in capitals is a disclaimer. */
#define SHOUT_RUN_MIN 8
/* Embedded references: the embedding one keeps at least this many own tokens. */
#define EMB_CORE_MIN 300
/* A stretch of a reference's body that repeats a notice of some appendix
 * (the GPL's "This program is free software..." inside eCos-2.0) over at
 * least this many n-grams is flagged as appendix too. */
#define NOTICE_RUN_MIN 16
/* ... unless the stretch is a phrase that more bodies than this use. */
#define NOTICE_BODY_MAX 8
/* N-grams in more references than this are ignored when looking for embedded references. */
#define EMB_DF_MAX 32

static int verbose;

static int put_u32(tgpl_buf *b, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	return tgpl_buf_put(b, c, 4);
}

static int put_u64(tgpl_buf *b, uint64_t v)
{
	return put_u32(b, (uint32_t)v) || put_u32(b, (uint32_t)(v >> 32)) ? -1 : 0;
}

static int put_str(tgpl_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return put_u32(b, (uint32_t)n) || tgpl_buf_put(b, s ? s : "", n) ? -1 : 0;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int build_info(tgpl_buf *out, json_t *root, const char **keys, size_t n)
{
	size_t i;

	if (put_u32(out, (uint32_t)n))
		return -1;
	for (i = 0; i < n; i++) {
		json_t *l = json_object_get(root, keys[i]);
		json_t *osi = json_object_get(l, "osiApproved");
		int is_osi = json_is_true(osi) ||
			     (json_is_string(osi) && strcmp(json_string_value(osi), "True") == 0);

		if (put_str(out, keys[i]) ||
		    put_str(out, json_string_value(json_object_get(l, "name"))) ||
		    put_str(out, json_string_value(json_object_get(l, "url"))) ||
		    tgpl_buf_putc(out, (char)is_osi) ||
		    put_str(out, json_string_value(json_object_get(l, "licenseText"))))
			return -1;
	}
	return 0;
}

/* ---- deprecated ids ------------------------------------------------------- */

typedef struct {
	char *id, *repl;
} dep_entry;

typedef struct {
	dep_entry *e;
	size_t n, cap;
} dep_list;

static int read_deprecated(dep_list *d, const char *dir)
{
	tgpl_buf path = TGPL_BUF_INIT;
	char line[1024];
	FILE *f;
	int rc = 0;

	if (tgpl_buf_printf(&path, "%s/deprecated.tsv", dir) < 0)
		return -1;
	f = fopen(path.ptr, "r");
	tgpl_buf_release(&path);
	if (!f)
		return 0;   /* no deprecation data: every id is its own */
	while (fgets(line, sizeof(line), f)) {
		char *tab, *nl;

		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if (!line[0] || line[0] == '#' || !(tab = strchr(line, '\t')))
			continue;
		*tab = '\0';
		if (tgpl_grow((void **)&d->e, &d->cap, d->n + 1, sizeof(*d->e)) < 0 ||
		    !(d->e[d->n].id = tgpl_strdup(line)) || !(d->e[d->n].repl = tgpl_strdup(tab + 1))) {
			if (d->cap > d->n)
				free(d->e[d->n].id);
			rc = -1;
			break;
		}
		d->n++;
	}
	fclose(f);
	return rc;
}

static const char *dep_repl(const dep_list *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->e[i].id, id) == 0)
			return d->e[i].repl;
	return NULL;
}

/* ---- references ----------------------------------------------------------- */

typedef struct {
	const char *key;       /* the JSON id */
	const char *report;    /* the id a match reports */
	const char *expr;      /* or an expression, NULL */
	int deprecated;
	int skip;              /* an alias of another id's reference */
	tok_stream ts;
	uint64_t sig;
	long ref;              /* the reference it ended up in */
} src_text;

typedef struct {
	size_t canon;          /* src_text index whose ids it reports */
	size_t *members;       /* src_text indices */
	size_t n_members, cap_members;
	const char **aliases;  /* ids it stands for */
	size_t n_alias, cap_alias;
	uint32_t tok_off, n_req, body_end, emb_start, emb_end;
	uint8_t *df;
} ref_t;

static uint64_t stream_sig(const tok_stream *ts)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < ts->n; i++) {
		h ^= ts->tok[i] ^ ((uint64_t)(ts->flags[i] & TOKF_VAR) << 32);
		h *= 1099511628211ull;
	}
	return h ^ ts->n;
}

static int same_stream(const tok_stream *a, const tok_stream *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->tok[i] != b->tok[i] || (a->flags[i] & TOKF_VAR) != (b->flags[i] & TOKF_VAR))
			return 0;
	return 1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Is a better than b as the id a shared text is reported under? */
static int preferred(const src_text *a, const src_text *b)
{
	int ao = ends_with(a->key, "-only"), bo = ends_with(b->key, "-only");
	size_t al = strlen(a->key), bl = strlen(b->key);

	if (a->deprecated != b->deprecated)
		return !a->deprecated;
	if (ao != bo)
		return ao;
	if (al != bl)
		return al < bl;
	return strcmp(a->key, b->key) < 0;
}

/* The text without a leading "insert GPL v2 license text here" line. */
static const char *skip_insert_line(const char *text)
{
	const char *p = text, *nl;

	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	nl = strchr(p, '\n');
	if (nl && (strncmp(p, "insert ", 7) == 0 || strncmp(p, "Insert ", 7) == 0) &&
	    nl - p >= 5 && strncmp(nl - 4, "here", 4) == 0)
		return nl + 1;
	return text;
}

static int find_seq(const tok_stream *ts, size_t from, const uint32_t *seq, size_t n)
{
	size_t i, j;

	for (i = from; i + n <= ts->n; i++) {
		for (j = 0; j < n && ts->tok[i + j] == seq[j]; j++)
			;
		if (j == n)
			return (int)i;
	}
	return -1;
}

static void ids_of(uint32_t *out, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = tok_word_id(words[i], strlen(words[i]));
}

/*
 * Flag a reference's title (a short first line naming it) optional and
 * its appendix (how to apply the licence: the standard header) as such.
 */
static void mark_parts(tok_stream *ts, const char *text)
{
	static const char *const title_words[] = { "license", "agreement", "version", "terms", "notice" };
	static const char *const end_terms[] = { "end", "of", "terms", "and", "conditions" };
	static const char *const exhibit[] = { "exhibit", "a", "source", "code", "form", "license", "notice" };
	uint32_t tw[5], seq[7];
	size_t i, n1 = 0, k;
	uint32_t first_line;
	int titled = 0, at;

	if (!ts->n)
		return;
	first_line = ts->line[0];
	ids_of(tw, title_words, 5);
	for (i = 0; i < ts->n && ts->line[i] == first_line; i++) {
		n1++;
		for (k = 0; k < 5; k++)
			if (ts->tok[i] == tw[k])
				titled = 1;
	}
	if (!titled) {
		/* a short first line followed by a blank line is a title too */
		const char *p = text;
		uint32_t l = 1;
		while (*p && l < first_line + 1) {
			if (*p == '\n')
				l++;
			p++;
		}
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		titled = *p == '\n' || !*p;
	}
	if (titled && n1 <= TITLE_MAX && n1 < ts->n / 4)
		for (i = 0; i < n1; i++)
			ts->flags[i] |= TOKF_OPT;
	ids_of(seq, end_terms, 5);
	at = find_seq(ts, ts->n / 3, seq, 5);
	if (at >= 0) {
		for (i = (size_t)at + 5; i < ts->n; i++)
			ts->flags[i] |= TOKF_APX;
		return;
	}
	ids_of(seq, exhibit, 7);
	at = find_seq(ts, ts->n / 3, seq, 7);
	if (at < 0) {
		/* "EXHIBIT A" opening a line in the last part: the notice to put in files */
		for (i = ts->n * 6 / 10; i < ts->n; i++)
			if (ts->tok[i] == seq[0] && (i == 0 || ts->line[i - 1] != ts->line[i])) {
				at = (int)i;
				break;
			}
	}
	if (at >= 0)
		for (i = (size_t)at; i < ts->n; i++)
			ts->flags[i] |= TOKF_APX;
}

/*
 * Flag the tokens of long runs of capitals (SHOUT): warranty disclaimers are
 * written so, and are shared by many licences; a match of them alone is no
 * licence.  Reference-mode CAPS flags are consumed here.
 */
static void mark_shout(tok_stream *ts)
{
	size_t i, run = 0;

	for (i = 0; i <= ts->n; i++) {
		if (i < ts->n && (ts->flags[i] & TOKF_CAPS) && !(ts->flags[i] & TOKF_VAR)) {
			run++;
			continue;
		}
		if (run >= SHOUT_RUN_MIN) {
			size_t k;
			for (k = i - run; k < i; k++)
				ts->flags[k] |= TOKF_SHOUT;
		}
		run = 0;
	}
	for (i = 0; i < ts->n; i++)
		ts->flags[i] &= (uint8_t)~TOKF_CAPS;
}

static int add_alias(ref_t *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n_alias; i++)
		if (strcmp(r->aliases[i], id) == 0)
			return 0;
	if (tgpl_grow((void **)&r->aliases, &r->cap_alias, r->n_alias + 1, sizeof(*r->aliases)) < 0)
		return -1;
	r->aliases[r->n_alias++] = id;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- output ------------------------------------------------------------------ */

/* Append a section, preceded by a PAD section so its data is 8-byte aligned. */
static int put_section(tgpl_buf *file, uint32_t tag, const void *data, size_t len)
{
	size_t pad = (8 - (file->len + 12 + 12) % 8) % 8;
	static const char zeros[8];

	if (put_u32(file, LIDX_SEC_PAD) || put_u64(file, pad) || tgpl_buf_put(file, zeros, pad) ||
	    put_u32(file, tag) || put_u64(file, len) || tgpl_buf_put(file, data, len))
		return -1;
	return 0;
}

static int add_string(tgpl_buf *strs, const char *s, uint32_t *off)
{
	*off = (uint32_t)strs->len;
	return tgpl_buf_put(strs, s, strlen(s) + 1);
}

typedef struct {
	src_text *src;
	size_t n_src;
	ref_t *refs;
	size_t n_refs;
	tok_stream all;        /* every reference's tokens, concatenated */
	uint64_t *pairs;       /* hash << 32 | ref << 16 | pos */
	size_t n_pairs;
	uint32_t *keys, *off, *post, *dir;
	size_t n_keys, dir_bits;
} builder;

static void builder_release(builder *b)
{
	size_t i;

	for (i = 0; i < b->n_src; i++)
		tok_release(&b->src[i].ts);
	free(b->src);
	for (i = 0; i < b->n_refs; i++) {
		free(b->refs[i].members);
		free(b->refs[i].aliases);
		free(b->refs[i].df);
	}
	free(b->refs);
	free(b->pairs);
	free(b->keys);
	free(b->off);
	free(b->post);
	free(b->dir);
}

static int tokenise_all(builder *b, json_t *root, const char **keys, size_t n, const dep_list *dep)
{
	size_t i;

	b->src = tgpl_calloc(n ? n : 1, sizeof(*b->src));
	if (!b->src)
		return -1;
	b->n_src = n;
	for (i = 0; i < n; i++) {
		src_text *s = &b->src[i];
		const char *repl = dep_repl(dep, keys[i]);
		const char *text = json_string_value(json_object_get(json_object_get(root, keys[i]),
								     "licenseText"));
		const char *with;

		s->key = keys[i];
		s->report = keys[i];
		s->ref = -1;
		s->deprecated = repl != NULL;
		tok_init(&s->ts, LIDX_MAX_REF_TOKENS, 1);
		if (repl && (with = strstr(repl, " WITH "))) {
			s->report = with + 6;
			s->expr = repl;
			if (text)
				text = skip_insert_line(text);
		} else if (repl) {
			s->report = repl;
			if (json_object_get(root, repl)) {
				s->skip = 1;
				continue;
			}
		}
		if (!text)
			continue;
		if (tok_text(&s->ts, text, strlen(text), 1) < 0)
			return -1;
		if (s->ts.truncated)
			fprintf(stderr, "mkindex: warning: '%s' truncated to %u tokens\n", keys[i],
				LIDX_MAX_REF_TOKENS);
		mark_parts(&s->ts, text);
		mark_shout(&s->ts);
		s->sig = stream_sig(&s->ts);
	}
	return 0;
}

/* Merge identical streams into references, pick their ids, collect aliases. */
static int group_refs(builder *b, json_t *root, const dep_list *dep)
{
	size_t i, j;

	b->refs = tgpl_calloc(b->n_src ? b->n_src : 1, sizeof(*b->refs));
	if (!b->refs)
		return -1;
	for (i = 0; i < b->n_src; i++) {
		src_text *s = &b->src[i];
		ref_t *r;

		if (s->skip || s->ts.n < (size_t)TOK_NGRAM + 3)
			continue;
		for (j = 0; j < b->n_refs; j++) {
			src_text *c = &b->src[b->refs[j].canon];
			if (c->sig == s->sig && same_stream(&c->ts, &s->ts))
				break;
		}
		if (j == b->n_refs) {
			b->refs[b->n_refs].canon = i;
			b->n_refs++;
		}
		r = &b->refs[j];
		if (tgpl_grow((void **)&r->members, &r->cap_members, r->n_members + 1, sizeof(size_t)) < 0)
			return -1;
		r->members[r->n_members++] = i;
		if (preferred(s, &b->src[r->canon]))
			r->canon = i;
		s->ref = (long)j;
	}
	for (j = 0; j < b->n_refs; j++) {
		ref_t *r = &b->refs[j];
		for (i = 0; i < r->n_members; i++)
			if (add_alias(r, b->src[r->members[i]].key) < 0)
				return -1;
	}
	/* deprecated ids replaced by a plain id: aliases of that id's reference */
	for (i = 0; i < b->n_src; i++) {
		src_text *s = &b->src[i];
		const char *target = s->report;
		size_t k;

		if (!s->skip)
			continue;
		for (k = 0; k < 4; k++) {   /* follow chains of replacements */
			const char *next = dep_repl(dep, target);
			if (!next || strstr(next, " WITH "))
				break;
			target = next;
		}
		for (k = 0; k < b->n_src; k++)
			if (strcmp(b->src[k].key, target) == 0 && b->src[k].ref >= 0) {
				if (add_alias(&b->refs[b->src[k].ref], s->key) < 0)
					return -1;
				break;
			}
	}
	(void)root;
	return 0;
}

static int build_ngrams(builder *b)
{
	size_t r, p, i, total = 0;

	for (r = 0; r < b->n_refs; r++)
		total += b->src[b->refs[r].canon].ts.n;
	b->pairs = tgpl_calloc(total ? total : 1, sizeof(*b->pairs));
	if (!b->pairs)
		return -1;
	for (r = 0; r < b->n_refs; r++) {
		const tok_stream *ts = &b->src[b->refs[r].canon].ts;
		for (p = 0; p + TOK_NGRAM <= ts->n; p++) {
			size_t k;
			for (k = 0; k < TOK_NGRAM && !(ts->flags[p + k] & TOKF_VAR); k++)
				;
			if (k < TOK_NGRAM)
				continue;
			b->pairs[b->n_pairs++] = (uint64_t)tok_ngram_hash(ts->tok + p) << 32 |
						 (uint64_t)r << 16 | p;
		}
	}
	qsort(b->pairs, b->n_pairs, sizeof(*b->pairs), cmp_u64);
	b->keys = tgpl_calloc(b->n_pairs + 1, sizeof(uint32_t));
	b->off = tgpl_calloc(b->n_pairs + 2, sizeof(uint32_t));
	b->post = tgpl_calloc(b->n_pairs + 1, sizeof(uint32_t));
	if (!b->keys || !b->off || !b->post)
		return -1;
	for (i = 0; i < b->n_pairs; i++) {
		uint32_t h = (uint32_t)(b->pairs[i] >> 32);
		if (!b->n_keys || b->keys[b->n_keys - 1] != h) {
			b->keys[b->n_keys] = h;
			b->off[b->n_keys] = (uint32_t)i;
			b->n_keys++;
		}
		b->post[i] = (uint32_t)b->pairs[i];
	}
	b->off[b->n_keys] = (uint32_t)b->n_pairs;
	for (b->dir_bits = 4; b->dir_bits < 22 && ((size_t)2 << b->dir_bits) < b->n_keys; b->dir_bits++)
		;
	b->dir = tgpl_calloc(((size_t)1 << b->dir_bits) + 1, sizeof(uint32_t));
	if (!b->dir)
		return -1;
	for (i = 0, p = 0; i <= ((size_t)1 << b->dir_bits); i++) {
		/* dir[i] = first key whose top bits are >= i */
		while (p < b->n_keys && (i == ((size_t)1 << b->dir_bits) ||
					 (b->keys[p] >> (32 - b->dir_bits)) < i))
			p++;
		b->dir[i] = (uint32_t)p;
	}
	return 0;
}

/* Number of distinct references in postings [lo, hi). */
static uint32_t distinct_refs(const uint32_t *post, size_t lo, size_t hi)
{
	uint32_t n = 0, last = LIDX_NONE;
	size_t i;

	for (i = lo; i < hi; i++)
		if (post[i] >> 16 != last) {
			last = post[i] >> 16;
			n++;
		}
	return n;
}

/* Rarity per reference position: in how many references the n-gram
 * starting there occurs (255: none starts there, or 255 and more). */
static int compute_df(builder *b)
{
	size_t r, k, i;

	for (r = 0; r < b->n_refs; r++) {
		size_t n = b->src[b->refs[r].canon].ts.n;
		b->refs[r].df = tgpl_malloc(n ? n : 1);
		if (!b->refs[r].df)
			return -1;
		memset(b->refs[r].df, 255, n);
	}
	for (k = 0; k < b->n_keys; k++) {
		uint32_t df = distinct_refs(b->post, b->off[k], b->off[k + 1]);
		uint8_t d = df > 255 ? 255 : (uint8_t)df;
		for (i = b->off[k]; i < b->off[k + 1]; i++)
			b->refs[b->post[i] >> 16].df[b->post[i] & 0xffff] = d;
	}
	return 0;
}

static size_t find_key(const builder *b, uint32_t h)
{
	size_t lo = 0, hi = b->n_keys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->keys[mid] == h)
			return mid;
		if (b->keys[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * The standard notices (the appendices: how to apply the GPL, the Apache
 * header, MPL's Exhibit A) also stand inside other references' bodies
 * (eCos-2.0 is the GPL notice plus an exception).  Flag those stretches as
 * appendix wherever they are, so that a notice alone never counts as the
 * body of a licence text: it is a notice, another detector's job.
 */
static int mark_notices(builder *b)
{
	uint32_t *set = NULL, *body = NULL;
	size_t n_set = 0, cap = 0, r, p, k, n;
	int rc = -1;

	for (r = 0; r < b->n_refs; r++) {
		const tok_stream *ts = &b->src[b->refs[r].canon].ts;
		for (p = 0; p + TOK_NGRAM <= ts->n; p++) {
			if (!(ts->flags[p] & TOKF_APX))
				continue;
			if (tgpl_grow((void **)&set, &cap, n_set + 1, sizeof(*set)) < 0)
				goto done;
			set[n_set++] = tok_ngram_hash(ts->tok + p);
		}
	}
	if (!n_set) {
		rc = 0;
		goto done;
	}
	qsort(set, n_set, sizeof(*set), cmp_u32);
	for (k = n = 0; k < n_set; k++)
		if (!n || set[n - 1] != set[k])
			set[n++] = set[k];
	n_set = n;
	/* How often each appendix n-gram stands in a body: a phrase that many
	 * bodies use (a warranty disclaimer) is not a notice. */
	body = tgpl_calloc(n_set, sizeof(*body));
	if (!body)
		goto done;
	for (r = 0; r < b->n_refs; r++) {
		const tok_stream *ts = &b->src[b->refs[r].canon].ts;
		for (p = 0; p + TOK_NGRAM <= ts->n; p++) {
			uint32_t h = tok_ngram_hash(ts->tok + p), *hit;
			if (ts->flags[p] & TOKF_APX)
				continue;
			hit = bsearch(&h, set, n_set, sizeof(*set), cmp_u32);
			if (hit)
				body[hit - set]++;
		}
	}
	for (r = 0; r < b->n_refs; r++) {
		tok_stream *ts = &b->src[b->refs[r].canon].ts;
		size_t run = 0;

		for (p = 0; p + TOK_NGRAM <= ts->n + 1; p++) {
			int in = 0;
			if (p + TOK_NGRAM <= ts->n) {
				uint32_t h = tok_ngram_hash(ts->tok + p), *hit;
				hit = bsearch(&h, set, n_set, sizeof(*set), cmp_u32);
				in = hit && body[hit - set] <= NOTICE_BODY_MAX;
			}
			if (in) {
				run++;
				continue;
			}
			if (run >= NOTICE_RUN_MIN) {
				for (k = p - run; k < p - 1 + TOK_NGRAM; k++)
					ts->flags[k] |= TOKF_APX;
			}
			run = 0;
		}
	}
	rc = 0;
done:
	free(set);
	free(body);
	return rc;
}

/* Find references that contain another whole one (LGPL-3.0 holds GPL-3.0). */
static int find_embedded(builder *b)
{
	uint32_t *cnt = tgpl_calloc(b->n_refs ? b->n_refs : 1, sizeof(uint32_t));
	size_t a, p, i;

	if (!cnt)
		return -1;
	for (a = 0; a < b->n_refs; a++) {
		const tok_stream *ts = &b->src[b->refs[a].canon].ts;
		size_t best = (size_t)-1, lo, hi;

		memset(cnt, 0, b->n_refs * sizeof(uint32_t));
		for (p = 0; p + TOK_NGRAM <= ts->n; p++) {
			size_t k = find_key(b, tok_ngram_hash(ts->tok + p));
			if (k == (size_t)-1 || b->off[k + 1] - b->off[k] > EMB_DF_MAX)
				continue;
			for (i = b->off[k]; i < b->off[k + 1]; i++) {
				uint32_t other = b->post[i] >> 16;
				if (other != a && (i == b->off[k] || b->post[i - 1] >> 16 != other))
					cnt[other]++;
			}
		}
		for (i = 0; i < b->n_refs; i++) {
			size_t n_other = b->src[b->refs[i].canon].ts.n;
			if (i == a || n_other < 200 || ts->n < n_other + EMB_CORE_MIN ||
			    cnt[i] < (n_other * 97) / 100)
				continue;
			if (best == (size_t)-1 || n_other > b->src[b->refs[best].canon].ts.n)
				best = i;
		}
		if (best == (size_t)-1)
			continue;
		/* the embedded span: the densest stretch of n-grams shared with
		 * `best` (Kadane: +1 shared, -4 not), not every scattered phrase */
		lo = hi = 0;
		{
			long sum = 0, top = 0;
			size_t start = 0;
			for (p = 0; p + TOK_NGRAM <= ts->n; p++) {
				size_t k = find_key(b, tok_ngram_hash(ts->tok + p));
				int shared = 0;
				if (k != (size_t)-1)
					for (i = b->off[k]; i < b->off[k + 1] && !shared; i++)
						shared = b->post[i] >> 16 == best;
				if (sum <= 0) {
					sum = 0;
					start = p;
				}
				sum += shared ? 1 : -4;
				if (sum > top) {
					top = sum;
					lo = start;
					hi = p + TOK_NGRAM;
				}
			}
		}
		/* the whole of `best`, verbatim, and enough of its own besides */
		if (lo < hi && ts->n - (hi - lo) >= EMB_CORE_MIN &&
		    (hi - lo) * 100 >= b->src[b->refs[best].canon].ts.n * 97 &&
		    (hi - lo) * 100 <= b->src[b->refs[best].canon].ts.n * 103) {
			b->refs[a].emb_start = (uint32_t)lo;
			b->refs[a].emb_end = (uint32_t)hi;
			if (verbose)
				fprintf(stderr, "mkindex: %s embeds %s at tokens %zu-%zu of %zu\n",
					b->src[b->refs[a].canon].key, b->src[b->refs[best].canon].key,
					lo, hi, ts->n);
		}
	}
	free(cnt);
	return 0;
}

static int write_matcher(tgpl_buf *file, builder *b)
{
	tgpl_buf strs = TGPL_BUF_INIT, refs = TGPL_BUF_INIT, alia = TGPL_BUF_INIT,
		 rtok = TGPL_BUF_INIT, rflg = TGPL_BUF_INIT, rdfq = TGPL_BUF_INIT, ngrm = TGPL_BUF_INIT;
	size_t r, i;
	uint32_t tok_off = 0, alias_off = 0, off;
	int rc = -1;

	if (tgpl_buf_putc(&strs, '\0') < 0 || put_u32(&refs, (uint32_t)b->n_refs))
		goto done;
	for (r = 0; r < b->n_refs; r++) {
		ref_t *x = &b->refs[r];
		const src_text *c = &b->src[x->canon];
		const tok_stream *ts = &c->ts;
		uint32_t f[LIDX_REF_FIELDS];

		x->n_req = 0;
		x->body_end = (uint32_t)ts->n;
		for (i = 0; i < ts->n; i++) {
			if (!(ts->flags[i] & (TOKF_VAR | TOKF_OPT | TOKF_APX)))
				x->n_req++;
			if ((ts->flags[i] & TOKF_APX) && x->body_end == ts->n)
				x->body_end = (uint32_t)i;
		}
		if (add_string(&strs, c->report, &f[LR_ID]) < 0)
			goto done;
		f[LR_EXPR] = LIDX_NONE;
		if (c->expr && add_string(&strs, c->expr, &f[LR_EXPR]) < 0)
			goto done;
		f[LR_TOK_OFF] = tok_off;
		f[LR_N_TOK] = (uint32_t)ts->n;
		f[LR_N_REQ] = x->n_req;
		f[LR_BODY_END] = x->body_end;
		f[LR_EMB_START] = x->emb_start;
		f[LR_EMB_END] = x->emb_end;
		f[LR_ALIAS_OFF] = alias_off;
		f[LR_N_ALIAS] = (uint32_t)x->n_alias;
		for (i = 0; i < LIDX_REF_FIELDS; i++)
			if (put_u32(&refs, f[i]))
				goto done;
		for (i = 0; i < x->n_alias; i++)
			if (add_string(&strs, x->aliases[i], &off) < 0 || put_u32(&alia, off))
				goto done;
		alias_off += (uint32_t)x->n_alias;
		for (i = 0; i < ts->n; i++)
			if (put_u32(&rtok, ts->tok[i]))
				goto done;
		if (tgpl_buf_put(&rflg, ts->flags, ts->n) < 0 || tgpl_buf_put(&rdfq, x->df, ts->n) < 0)
			goto done;
		tok_off += (uint32_t)ts->n;
	}
	if (put_u32(&ngrm, (uint32_t)b->n_keys) || put_u32(&ngrm, (uint32_t)b->dir_bits) ||
	    put_u32(&ngrm, (uint32_t)b->n_pairs) || put_u32(&ngrm, TOK_NGRAM))
		goto done;
	for (i = 0; i <= ((size_t)1 << b->dir_bits); i++)
		if (put_u32(&ngrm, b->dir[i]))
			goto done;
	for (i = 0; i < b->n_keys; i++)
		if (put_u32(&ngrm, b->keys[i]))
			goto done;
	for (i = 0; i <= b->n_keys; i++)
		if (put_u32(&ngrm, b->off[i]))
			goto done;
	for (i = 0; i < b->n_pairs; i++)
		if (put_u32(&ngrm, b->post[i]))
			goto done;
	if (put_section(file, LIDX_SEC_STRS, strs.ptr, strs.len) ||
	    put_section(file, LIDX_SEC_REFS, refs.ptr, refs.len) ||
	    put_section(file, LIDX_SEC_ALIA, alia.ptr ? alia.ptr : "", alia.len) ||
	    put_section(file, LIDX_SEC_RTOK, rtok.ptr, rtok.len) ||
	    put_section(file, LIDX_SEC_RFLG, rflg.ptr, rflg.len) ||
	    put_section(file, LIDX_SEC_RDFQ, rdfq.ptr, rdfq.len) ||
	    put_section(file, LIDX_SEC_NGRM, ngrm.ptr, ngrm.len))
		goto done;
	if (verbose)
		fprintf(stderr, "mkindex: %zu references, %u tokens, %zu n-grams, %zu postings\n",
			b->n_refs, tok_off, b->n_keys, b->n_pairs);
	rc = 0;
done:
	tgpl_buf_release(&strs);
	tgpl_buf_release(&refs);
	tgpl_buf_release(&alia);
	tgpl_buf_release(&rtok);
	tgpl_buf_release(&rflg);
	tgpl_buf_release(&rdfq);
	tgpl_buf_release(&ngrm);
	return rc;
}

/* The project's own licence texts, under licenses/tgpl/ in LICENSES_DIR. */
static const struct {
	const char *id, *file;
} own_texts[] = {
	{ "AdditionRef-TGPL-1.0", "tgpl/TGPL-1.0-rider.txt" },
	{ "LicenseRef-TGPL-1.0", "tgpl/TGPL-1.0.txt" },
};

/* Add each own text to `root` as the SPDX package lists a licence: its first line is its name. */
static int add_own_texts(json_t *root, const char *dir)
{
	size_t i;

	for (i = 0; i < sizeof(own_texts) / sizeof(own_texts[0]); i++) {
		tgpl_buf path = TGPL_BUF_INIT, text = TGPL_BUF_INIT;
		char chunk[8192], *name;
		size_t n;
		FILE *f;
		json_t *l;
		int bad;

		if (tgpl_buf_printf(&path, "%s/%s", dir, own_texts[i].file) < 0)
			return -1;
		if (!(f = fopen(path.ptr, "rb"))) {
			fprintf(stderr, "mkindex: cannot read '%s': %s\n", path.ptr, strerror(errno));
			tgpl_buf_release(&path);
			return -1;
		}
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (tgpl_buf_put(&text, chunk, n) < 0)
				break;
		bad = ferror(f) || n > 0 || text.len == 0;
		fclose(f);
		if (bad) {
			fprintf(stderr, "mkindex: cannot read '%s'\n", path.ptr);
			tgpl_buf_release(&path);
			tgpl_buf_release(&text);
			return -1;
		}
		tgpl_buf_release(&path);
		name = tgpl_strndup(text.ptr, strcspn(text.ptr, "\n"));
		l = json_pack("{s:s, s:s, s:b, s:s}", "name", name ? name : "", "url", "",
			      "osiApproved", 0, "licenseText", text.ptr);
		free(name);
		tgpl_buf_release(&text);
		if (!l || json_object_set_new(root, own_texts[i].id, l) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	tgpl_buf info = TGPL_BUF_INIT, file = TGPL_BUF_INIT;
	builder b;
	dep_list dep = { NULL, 0, 0 };
	json_error_t jerr;
	json_t *root = NULL;
	const char *outpath = NULL, **keys = NULL, *key;
	json_t *val;
	size_t n = 0, i;
	FILE *f = NULL;
	int rc = 1, a = 1;

	memset(&b, 0, sizeof(b));
	if (a < argc && strcmp(argv[a], "-v") == 0) {
		verbose = 1;
		a++;
	}
	if (argc - a == 4 && strcmp(argv[a], "-o") == 0) {
		outpath = argv[a + 1];
	} else {
		fprintf(stderr, "usage: mkindex [-v] -o OUT spdx-full.json LICENSES_DIR\n");
		return 2;
	}
	root = json_load_file(argv[a + 2], 0, &jerr);
	if (!root || !json_is_object(root)) {
		fprintf(stderr, "mkindex: cannot read '%s': %s (line %d)\n", argv[a + 2], jerr.text, jerr.line);
		goto done;
	}
	if (add_own_texts(root, argv[a + 3]) < 0)
		goto done;
	if (read_deprecated(&dep, argv[a + 3]) < 0)
		goto oom;
	keys = tgpl_calloc(json_object_size(root) + 1, sizeof(*keys));
	if (!keys)
		goto oom;
	json_object_foreach(root, key, val)
		keys[n++] = key;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	if (build_info(&info, root, keys, n) < 0 || tokenise_all(&b, root, keys, n, &dep) < 0 ||
	    group_refs(&b, root, &dep) < 0 || mark_notices(&b) < 0 || build_ngrams(&b) < 0 || compute_df(&b) < 0 ||
	    find_embedded(&b) < 0)
		goto oom;
	if (tgpl_buf_put(&file, LIDX_MAGIC, 8) || put_u32(&file, LIDX_FORMAT) || put_u32(&file, 15) ||
	    put_u32(&file, LIDX_SEC_INFO) || put_u64(&file, info.len) ||
	    tgpl_buf_put(&file, info.ptr, info.len) || write_matcher(&file, &b) < 0)
		goto oom;
	f = fopen(outpath, "wb");
	if (!f || fwrite(file.ptr, 1, file.len, f) != file.len || fclose(f) != 0) {
		fprintf(stderr, "mkindex: cannot write '%s': %s\n", outpath, strerror(errno));
		f = NULL;
		goto done;
	}
	f = NULL;
	rc = 0;
	goto done;
oom:
	fprintf(stderr, "mkindex: out of memory\n");
done:
	if (f)
		fclose(f);
	builder_release(&b);
	for (i = 0; i < dep.n; i++) {
		free(dep.e[i].id);
		free(dep.e[i].repl);
	}
	free(dep.e);
	free(keys);
	json_decref(root);
	tgpl_buf_release(&info);
	tgpl_buf_release(&file);
	return rc;
}
