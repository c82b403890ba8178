/*
 * optout.c — training opt-out signals (see optout.h for what is reported).
 *
 * Five small readers, each cheap to rule out: the three file-name formats
 * (tdmrep.json, ai.txt, robots.txt) look at the name first; the HTML reader
 * at the extension or the first bytes; the licence-rider reader at a word
 * starting with "train" (or "data mining") and an AI word before any regex
 * runs.  Everything is bounded by the blob's length: no reader backs up
 * further than a fixed window, and every list it keeps has a cap.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "detect/detect_int.h"
#include "detect/optout.h"
#include "util/jsonpos.h"
#include "util/util.h"

#define OPTOUT_MAX_HITS  256                /* hits kept per file */
#define DETAIL_MAX       200                /* bytes of a detail */
#define RIDER_DETAIL_MAX 120                /* bytes of a rider's phrase */
#define PATH_QUOTE_MAX   64                 /* bytes of one robots path in a detail */
#define PATHS_MAX        8                  /* paths quoted in one detail */
#define TOKEN_MAX        64                 /* longest crawler token */
#define UA_VALUE_MAX     256                /* longer User-agent values match nothing */
#define CRAWLERS_MAX     4096               /* entries of ai-crawlers.tsv */
#define TSV_LINE_MAX     1024
#define TDMREP_MAX       ((size_t)1 << 20)  /* larger tdmrep.json files are not read */
#define HTML_SNIFF       1024               /* bytes looked at for "<!doctype html" */
#define RIDER_CONTEXT    600                /* bytes read each side of an anchor */
#define RIDER_WINDOW     ((size_t)64 << 10) /* bytes normalised at once */
#define RIDER_MAX_CAND   64                 /* regex matches considered per window */
#define RIDER_MAX_HITS   32                 /* riders reported per file */
#define RE_MATCH_LIMIT   200000
#define RE_DEPTH_LIMIT   1000

static const char CRAWLERS_FILE[] = "ai-crawlers.tsv";

/* ---- the crawler table ------------------------------------------------- */

typedef struct {
	const char *token;
	const char *op;
	const char *purpose;
} crawler;

/* The same list as licenses/ai-crawlers.tsv (a test keeps them equal). */
static const crawler builtin_crawlers[] = {
	{ "GPTBot", "OpenAI", "training" },
	{ "ChatGPT-User", "OpenAI", "ai-assistant" },
	{ "OAI-SearchBot", "OpenAI", "ai-search" },
	{ "CCBot", "Common Crawl", "dataset" },
	{ "Google-Extended", "Google", "training" },
	{ "GoogleOther", "Google", "research" },
	{ "Google-CloudVertexBot", "Google", "ai-assistant" },
	{ "ClaudeBot", "Anthropic", "training" },
	{ "Claude-Web", "Anthropic", "ai-assistant" },
	{ "Claude-User", "Anthropic", "ai-assistant" },
	{ "Claude-SearchBot", "Anthropic", "ai-search" },
	{ "anthropic-ai", "Anthropic", "training" },
	{ "PerplexityBot", "Perplexity", "ai-search" },
	{ "Perplexity-User", "Perplexity", "ai-assistant" },
	{ "Bytespider", "ByteDance", "training" },
	{ "TikTokSpider", "ByteDance", "training" },
	{ "cohere-ai", "Cohere", "ai-assistant" },
	{ "cohere-training-data-crawler", "Cohere", "training" },
	{ "Meta-ExternalAgent", "Meta", "training" },
	{ "Meta-ExternalFetcher", "Meta", "ai-assistant" },
	{ "FacebookBot", "Meta", "training" },
	{ "Applebot-Extended", "Apple", "training" },
	{ "Amazonbot", "Amazon", "ai-assistant" },
	{ "Diffbot", "Diffbot", "dataset" },
	{ "ImagesiftBot", "ImageSift", "dataset" },
	{ "Omgilibot", "Webz.io", "dataset" },
	{ "Omgili", "Webz.io", "dataset" },
	{ "Webzio-Extended", "Webz.io", "dataset" },
	{ "Timpibot", "Timpi", "training" },
	{ "YouBot", "You.com", "ai-search" },
	{ "AI2Bot", "Allen Institute for AI", "training" },
	{ "Ai2Bot-Dolma", "Allen Institute for AI", "training" },
	{ "PanguBot", "Huawei", "training" },
	{ "Kangaroo Bot", "Kangaroo LLM", "training" },
	{ "DuckAssistBot", "DuckDuckGo", "ai-assistant" },
	{ "MistralAI-User", "Mistral AI", "ai-assistant" },
	{ "iaskspider", "iAsk", "ai-assistant" },
	{ "img2dataset", "img2dataset", "dataset" },
	{ "DeepSeekBot", "DeepSeek", "training" },
	{ "ICC-Crawler", "NICT", "training" },
	{ "Cotoyogi", "ROIS", "training" },
	{ "LAIONDownloader", "LAION", "dataset" },
	{ "FriendlyCrawler", "unknown", "dataset" },
	{ "VelenPublicWebCrawler", "Velen", "training" },
	{ "YandexAdditional", "Yandex", "ai-assistant" },
	{ "YandexAdditionalBot", "Yandex", "ai-assistant" },
};

struct optout_data {
	crawler *crawlers;   /* strings owned */
	size_t n, cap;
	int builtin;         /* no data file: builtin_crawlers */
	pcre2_code *rider_re;/* RIDER_RE, compiled (and JIT-compiled if possible) once */
};

/* A read-only view of either table. */
typedef struct {
	const crawler *c;
	size_t n;
} ctable;

static ctable table_of(const struct optout_data *d)
{
	ctable t;

	if (d && !d->builtin) {
		t.c = d->crawlers;
		t.n = d->n;
	} else {
		t.c = builtin_crawlers;
		t.n = sizeof(builtin_crawlers) / sizeof(builtin_crawlers[0]);
	}
	return t;
}

/* Case-insensitive comparison of s[0..n) with NUL-terminated z. */
static int ci_eqn(const char *s, size_t n, const char *z)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!z[i] || tolower((unsigned char)s[i]) != tolower((unsigned char)z[i]))
			return 0;
	return z[n] == '\0';
}

/* Does s[0..n) start with z, ignoring case? */
static int ci_prefix(const char *s, size_t n, const char *z)
{
	size_t i;

	for (i = 0; z[i]; i++)
		if (i >= n || tolower((unsigned char)s[i]) != tolower((unsigned char)z[i]))
			return 0;
	return 1;
}

/* Does s[0..n) end with z, ignoring case? */
static int ci_suffix(const char *s, size_t n, const char *z)
{
	size_t k = strlen(z);

	return n >= k && ci_eqn(s + n - k, k, z);
}

/* The crawler a User-agent value names ("GPTBot", "gptbot/1.1"), or -1. */
static long crawler_find(const ctable *t, const char *v, size_t n)
{
	const char *slash;
	size_t i;

	if (n == 0 || n > UA_VALUE_MAX)
		return -1;
	slash = memchr(v, '/', n);
	if (slash)
		n = (size_t)(slash - v);
	for (i = 0; i < t->n; i++)
		if (ci_eqn(v, n, t->c[i].token))
			return (long)i;
	return -1;
}

void optout_free(struct optout_data *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free((char *)d->crawlers[i].token);
		free((char *)d->crawlers[i].op);
		free((char *)d->crawlers[i].purpose);
	}
	free(d->crawlers);
	pcre2_code_free(d->rider_re);
	free(d);
}

size_t optout_crawler_count(const struct optout_data *d)
{
	return table_of(d).n;
}

const char *optout_crawler_token(const struct optout_data *d, size_t i)
{
	ctable t = table_of(d);

	return i < t.n ? t.c[i].token : NULL;
}

static int valid_token(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > TOKEN_MAX || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_. ", s[i]))
			return 0;
	return 1;
}

static int crawler_line(struct optout_data *d, char *line, const char *path, int lineno,
			tgpl_ctx *ctx)
{
	char *f[3], *p = line;
	crawler *c;
	size_t i;
	int nf = 0;

	while (nf < 3) {
		f[nf++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (nf != 3 || p || !f[1][0] || !f[2][0])
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: expected 'token<TAB>operator<TAB>purpose'",
				  path, lineno);
	if (!valid_token(f[0]))
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: bad crawler token '%.80s'", path, lineno,
				  f[0]);
	for (i = 0; i < d->n; i++)
		if (tgpl_strcasecmp(d->crawlers[i].token, f[0]) == 0)
			return tgpl_error(ctx, TGPL_EDATA, "%s:%d: crawler '%s' listed twice", path,
					  lineno, f[0]);
	if (d->n >= CRAWLERS_MAX)
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: more than %d crawlers", path, lineno,
				  CRAWLERS_MAX);
	if (tgpl_grow((void **)&d->crawlers, &d->cap, d->n + 1, sizeof(*c)) < 0)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	c = &d->crawlers[d->n];
	c->token = tgpl_strdup(f[0]);
	c->op = tgpl_strdup(f[1]);
	c->purpose = tgpl_strdup(f[2]);
	if (!c->token || !c->op || !c->purpose) {
		free((char *)c->token);
		free((char *)c->op);
		free((char *)c->purpose);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	d->n++;
	return 0;
}

static pcre2_code *rider_compile(void);

int optout_load(struct optout_data **out, tgpl_ctx *ctx, const char *datadir)
{
	tgpl_buf path = TGPL_BUF_INIT;
	struct optout_data *d = NULL;
	char line[TSV_LINE_MAX + 2];
	FILE *f = NULL;
	int lineno = 0, rc = 0;

	if (!(d = tgpl_calloc(1, sizeof(*d))) || !(d->rider_re = rider_compile()) ||
	    tgpl_buf_printf(&path, "%s/%s", datadir, CRAWLERS_FILE) < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	/* Matching is ten times faster with the JIT; without it, slower but the same. */
	if (!tgpl_alloc_faults_armed())   /* see util.h */
		(void)pcre2_jit_compile(d->rider_re, PCRE2_JIT_COMPLETE);
	f = fopen(path.ptr, "r");
	if (!f) {
		if (errno != ENOENT) {
			rc = tgpl_error(ctx, TGPL_EDATA, "cannot open '%s': %s", path.ptr,
					strerror(errno));
			goto done;
		}
		d->builtin = 1;   /* an older data directory: the built-in list */
		*out = d;
		d = NULL;
		goto done;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(f) || n > TSV_LINE_MAX) {
			rc = tgpl_error(ctx, TGPL_EDATA, "%s:%d: line longer than %d bytes", path.ptr,
					lineno, TSV_LINE_MAX);
			goto done;
		}
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		if ((rc = crawler_line(d, line, path.ptr, lineno, ctx)) < 0)
			goto done;
	}
	if (ferror(f)) {
		rc = tgpl_error(ctx, TGPL_EDATA, "cannot read '%s'", path.ptr);
		goto done;
	}
	*out = d;
	d = NULL;
done:
	if (f)
		fclose(f);
	optout_free(d);
	tgpl_buf_release(&path);
	return rc;
}

/* ---- shared helpers ---------------------------------------------------- */

typedef struct {
	det_builder *b;
	const text_view *t;
	const struct optout_data *data;   /* NULL: built-in list, no compiled pattern */
	ctable crawlers;
	size_t base;   /* n_optouts before this blob */
} octx;

static int add_hit(octx *o, const char *kind, uint32_t start, uint32_t end, const char *detail)
{
	if (o->b->det->n_optouts - o->base >= OPTOUT_MAX_HITS)
		return 0;
	return det_add_optout(o->b, kind, start, end, detail);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4;
	else
		return 0;
	return k <= n && tgpl_utf8_valid(s, k) ? k : 0;
}

/*
 * A detail under construction, in a fixed buffer: control characters and
 * runs of white space become one space, invalid UTF-8 becomes '?', and what
 * does not fit is cut at a character boundary and marked "...".
 */
typedef struct {
	char s[DETAIL_MAX + 1];
	size_t len, cap;
	int cut;
} detail;

static void detail_init(detail *d, size_t cap)
{
	d->len = 0;
	d->cap = cap < DETAIL_MAX ? cap : DETAIL_MAX;
	d->cut = 0;
	d->s[0] = '\0';
}

/* Append at most `max` bytes of s[0..n) (whole characters). */
static void detail_putn(detail *d, const char *s, size_t n, size_t max)
{
	size_t i = 0, used = 0;

	while (i < n && !d->cut) {
		unsigned char c = (unsigned char)s[i];
		size_t k = utf8_len(s + i, n - i), m = k;
		const char *p = s + i;

		if (c < 0x20 || c == 0x7f || c == ' ') {
			p = " ";
			m = k = 1;
		} else if (!k) {
			p = "?";
			m = k = 1;
		}
		if (*p == ' ' && (d->len == 0 || d->s[d->len - 1] == ' ')) {
			i += k;
			continue;
		}
		if (used + m > max) {
			if (d->len + 3 <= d->cap) {   /* a quoted piece was cut */
				memcpy(d->s + d->len, "...", 3);
				d->len += 3;
				d->s[d->len] = '\0';
			}
			return;
		}
		if (d->len + m > d->cap) {
			d->cut = 1;
			break;
		}
		memcpy(d->s + d->len, p, m);
		d->len += m;
		d->s[d->len] = '\0';
		used += m;
		i += k;
	}
}

static void detail_put(detail *d, const char *s, size_t n)
{
	detail_putn(d, s, n, (size_t)-1);
}

static void detail_puts(detail *d, const char *s)
{
	detail_put(d, s, strlen(s));
}

static const char *detail_str(detail *d)
{
	if (d->cut) {
		size_t keep;

		if (d->len > d->cap - 3)
			d->len = d->cap - 3;
		while (d->len && ((unsigned char)d->s[d->len] & 0xc0) == 0x80)
			d->len--;
		/* Cut at a word's end when one is near. */
		for (keep = d->len; keep > 0 && d->len - keep < 24 && d->s[keep] != ' '; keep--)
			;
		if (keep > 0 && d->s[keep] == ' ')
			d->len = keep;
		while (d->len && d->s[d->len - 1] == ' ')
			d->len--;
		memcpy(d->s + d->len, "...", 3);
		d->len += 3;
		d->cut = 0;
	}
	while (d->len && d->s[d->len - 1] == ' ')
		d->len--;
	d->s[d->len] = '\0';
	return d->s;
}

/* Line i (0-based) of t, without its line end. */
static void line_at(const text_view *t, uint32_t i, const char **s, size_t *n)
{
	size_t a = t->line_off[i], e = i + 1 < t->n_lines ? t->line_off[i + 1] : t->len;

	if (e > a && t->data[e - 1] == '\n')
		e--;
	if (e > a && t->data[e - 1] == '\r')
		e--;
	*s = t->data + a;
	*n = e - a;
}

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_ws((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_ws((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* ---- robots.txt and ai.txt --------------------------------------------- */

enum { RL_OTHER, RL_AGENT, RL_ALLOW, RL_DISALLOW, RL_SIGNAL, RL_USAGE };

/* One robots.txt line: its field (RL_*) and value, comment and blanks cut. */
static int robots_line(const text_view *t, uint32_t i, const char **val, size_t *vlen)
{
	const char *s, *colon, *hash;
	size_t n, kn;

	line_at(t, i, &s, &n);
	if (i == 0 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	}
	if ((hash = memchr(s, '#', n)))
		n = (size_t)(hash - s);
	colon = memchr(s, ':', n);
	if (!colon)
		return RL_OTHER;
	kn = (size_t)(colon - s);
	*val = colon + 1;
	*vlen = n - kn - 1;
	trim(&s, &kn);
	trim(val, vlen);
	/* RFC 9309 field names, case-insensitive, with the usual misspellings. */
	if (ci_eqn(s, kn, "user-agent") || ci_eqn(s, kn, "useragent") || ci_eqn(s, kn, "user agent"))
		return RL_AGENT;
	if (ci_eqn(s, kn, "allow"))
		return RL_ALLOW;
	if (ci_eqn(s, kn, "disallow") || ci_eqn(s, kn, "dissallow") || ci_eqn(s, kn, "dissalow") ||
	    ci_eqn(s, kn, "disalow"))
		return RL_DISALLOW;
	if (ci_eqn(s, kn, "content-signal"))   /* contentsignals.org */
		return RL_SIGNAL;
	if (ci_eqn(s, kn, "content-usage"))    /* IETF aipref */
		return RL_USAGE;
	return RL_OTHER;
}

/* Does a Content-Signal / Content-Usage value refuse training
 * ("search=yes, ai-train=no", "train-ai=n")? */
static int refuses_training(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t a;

		while (i < n && (is_ws((unsigned char)v[i]) || v[i] == ',' || v[i] == ';'))
			i++;
		a = i;
		while (i < n && !is_ws((unsigned char)v[i]) && v[i] != ',' && v[i] != ';')
			i++;
		if (ci_eqn(v + a, i - a, "ai-train=no") || ci_eqn(v + a, i - a, "train-ai=n") ||
		    ci_eqn(v + a, i - a, "train-genai=n"))
			return 1;
	}
	return 0;
}

/* A path pattern that matches every path ("/", "*", "/" then stars): its length, else 0. */
static size_t root_len(const char *v, size_t n)
{
	size_t i, slashes = 0;

	for (i = 0; i < n; i++) {
		if (v[i] == '/')
			slashes++;
		else if (v[i] != '*')
			return 0;
	}
	return slashes <= 1 && (slashes == 0 || v[0] == '/') ? n : 0;
}

/* What the merged groups of one user agent say (RFC 9309 §2.2.2: the longest
 * match wins, Allow wins a tie). */
typedef struct {
	uint32_t first, last;    /* first group's User-agent line, last rule line; 0: none */
	size_t seq;              /* order of first appearance, for the report */
	size_t dis_root, al_root;/* longest match-all Disallow / Allow pattern, 0: none */
	char root_pat[17];       /* the longest match-all Disallow, as written (cut) */
	detail partial, except;  /* other Disallow / Allow paths */
	int n_partial, n_except;
} agent_rules;

static void agent_init(agent_rules *a)
{
	memset(a, 0, sizeof(*a));
	detail_init(&a->partial, DETAIL_MAX);
	detail_init(&a->except, DETAIL_MAX);
}

static void agent_rule(agent_rules *a, int kind, const char *v, size_t n, uint32_t group_line,
		       uint32_t line)
{
	size_t r;

	if (n == 0)   /* "Disallow:" allows everything; "Allow:" says nothing */
		return;
	if (!a->first)
		a->first = group_line;
	a->last = line;
	r = root_len(v, n);
	if (r && kind == RL_DISALLOW && r > a->dis_root) {
		a->dis_root = r;
		memcpy(a->root_pat, v, r < sizeof(a->root_pat) ? r : sizeof(a->root_pat) - 1);
		a->root_pat[r < sizeof(a->root_pat) ? r : sizeof(a->root_pat) - 1] = '\0';
	} else if (r && kind == RL_ALLOW && r > a->al_root) {
		a->al_root = r;
	} else if (!r) {
		detail *d = kind == RL_DISALLOW ? &a->partial : &a->except;
		int *count = kind == RL_DISALLOW ? &a->n_partial : &a->n_except;

		if (*count < PATHS_MAX) {
			if (d->len)
				detail_puts(d, " ");
			detail_putn(d, v, n, PATH_QUOTE_MAX);
		} else if (*count == PATHS_MAX) {
			detail_puts(d, " ...");
		}
		(*count)++;
	}
}

static int agent_blocked(const agent_rules *a)
{
	return a->dis_root > a->al_root;
}

typedef struct {
	size_t seq, idx;
} order_item;

static int order_cmp(const void *x, const void *y)
{
	const order_item *a = x, *b = y;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * robots.txt: groups of User-agent lines followed by rules; a User-agent line
 * after a rule starts a new group; the groups naming one agent are merged.
 * Slot n of `agents` is "*".
 */
static int do_robots(octx *o)
{
	const text_view *t = o->t;
	size_t n = o->crawlers.n, i, k, n_members = 0, n_order = 0;
	agent_rules *agents = NULL;
	size_t *members = NULL;
	unsigned char *in_group = NULL;
	order_item *order = NULL;
	uint32_t group_line = 0, li;
	size_t seq = 0;
	int in_rules = 0, rc = 0;

	agents = tgpl_calloc(n + 1, sizeof(*agents));
	members = tgpl_calloc(n + 1, sizeof(*members));
	in_group = tgpl_calloc(n + 1, 1);
	order = tgpl_calloc(n + 1, sizeof(*order));
	if (!agents || !members || !in_group || !order) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	for (i = 0; i <= n; i++)
		agent_init(&agents[i]);
	for (li = 0; li < t->n_lines; li++) {
		const char *v = NULL;
		size_t vn = 0;
		int kind = robots_line(t, li, &v, &vn);

		if (kind == RL_AGENT) {
			long c;

			if (in_rules || !group_line) {   /* a new group */
				for (k = 0; k < n_members; k++)
					in_group[members[k]] = 0;
				n_members = 0;
				in_rules = 0;
				group_line = li + 1;
			}
			c = vn == 1 && v[0] == '*' ? (long)n : crawler_find(&o->crawlers, v, vn);
			if (c >= 0 && !in_group[c]) {
				in_group[c] = 1;
				members[n_members++] = (size_t)c;
			}
		} else if ((kind == RL_SIGNAL || kind == RL_USAGE) && refuses_training(v, vn)) {
			detail d;

			detail_init(&d, DETAIL_MAX);
			detail_puts(&d, kind == RL_SIGNAL ? "Content-Signal: " : "Content-Usage: ");
			detail_put(&d, v, vn);
			if ((rc = add_hit(o, "robots.txt", li + 1, li + 1, detail_str(&d))) < 0)
				goto done;
		} else if (kind == RL_ALLOW || kind == RL_DISALLOW) {
			if (!group_line)   /* a rule before any User-agent line */
				continue;
			in_rules = 1;
			for (k = 0; k < n_members; k++) {
				agent_rules *a = &agents[members[k]];

				if (!a->first)
					a->seq = seq++;
				agent_rule(a, kind, v, vn, group_line, li + 1);
			}
		}
	}
	for (i = 0; i <= n; i++)
		if (agents[i].first) {
			order[n_order].seq = agents[i].seq;
			order[n_order++].idx = i;
		}
	qsort(order, n_order, sizeof(*order), order_cmp);
	for (k = 0; k < n_order && rc == 0; k++) {
		agent_rules *a = &agents[order[k].idx];
		int star = order[k].idx == n;
		detail d;

		detail_init(&d, DETAIL_MAX);
		detail_puts(&d, star ? "* (all crawlers)" : o->crawlers.c[order[k].idx].token);
		if (agent_blocked(a)) {
			if (a->n_except) {
				detail_puts(&d, " except: ");
				detail_puts(&d, a->except.s);
			}
		} else if (a->n_partial && !star) {
			detail_puts(&d, " partial: ");
			detail_puts(&d, a->partial.s);
		} else {
			continue;
		}
		rc = add_hit(o, "robots.txt", a->first, a->last, detail_str(&d));
	}
done:
	free(agents);
	free(members);
	free(in_group);
	free(order);
	return rc;
}

/*
 * ai.txt (Spawning): robots.txt syntax, but every agent is an AI agent, and a
 * Disallow of a path or a file type ("*.txt") keeps that content out of
 * training sets.  One hit: the patterns, the whole-site one first.
 */
static int do_aitxt(octx *o)
{
	const text_view *t = o->t;
	agent_rules a;
	detail d;
	uint32_t li, group_line = 0;
	int in_rules = 0, agents = 0;

	agent_init(&a);
	for (li = 0; li < t->n_lines; li++) {
		const char *v = NULL;
		size_t vn = 0;
		int kind = robots_line(t, li, &v, &vn);

		if (kind == RL_AGENT) {
			if (in_rules || !group_line) {
				group_line = li + 1;
				in_rules = 0;
				agents = 0;
			}
			agents += vn > 0;
		} else if ((kind == RL_ALLOW || kind == RL_DISALLOW) && group_line) {
			in_rules = 1;
			if (agents)
				agent_rule(&a, kind, v, vn, group_line, li + 1);
		}
	}
	detail_init(&d, DETAIL_MAX);
	if (agent_blocked(&a))
		detail_puts(&d, a.root_pat);
	if (a.n_partial) {
		if (d.len)
			detail_puts(&d, " ");
		detail_puts(&d, a.partial.s);
	}
	if (!d.len)
		return 0;
	return add_hit(o, "ai.txt", a.first, a.last, detail_str(&d));
}

/* ---- tdmrep.json (W3C TDMRep) ------------------------------------------ */

static int reserved(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) == 1;
	if (json_is_real(v))
		return json_real_value(v) == 1.0;
	if (json_is_string(v))
		return json_string_length(v) == 1 && json_string_value(v)[0] == '1';
	return 0;
}

static int do_tdmrep(octx *o)
{
	const char *s = o->t->data;
	size_t n = o->t->len, skip = 0, pos, idx;
	json_error_t jerr;
	json_t *root;
	int rc = 0;

	if (n > TDMREP_MAX)
		return 0;
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	root = json_loadb(s + skip, n - skip, 0, &jerr);
	if (!root)
		return 0;
	if (!json_is_array(root))
		goto done;
	pos = jsonpos_ws(s, n, skip);
	if (pos >= n || s[pos] != '[')
		goto done;
	pos++;
	for (idx = 0; idx < json_array_size(root) && rc == 0; idx++) {
		json_t *el = json_array_get(root, idx), *loc, *pol;
		size_t start = jsonpos_ws(s, n, pos), end = jsonpos_skip(s, n, start);
		detail d;

		pos = jsonpos_ws(s, n, end);
		if (pos < n && s[pos] == ',')
			pos++;
		if (!json_is_object(el) || !reserved(json_object_get(el, "tdm-reservation")))
			continue;
		loc = json_object_get(el, "location");
		if (!json_is_string(loc))
			continue;
		detail_init(&d, DETAIL_MAX);
		detail_puts(&d, "location=");
		detail_putn(&d, json_string_value(loc), json_string_length(loc), DETAIL_MAX / 2);
		pol = json_object_get(el, "tdm-policy");
		if (json_is_string(pol) && json_string_length(pol)) {
			detail_puts(&d, " policy=");
			detail_put(&d, json_string_value(pol), json_string_length(pol));
		}
		rc = add_hit(o, "tdmrep", text_line_of(o->t, start),
			     text_line_of(o->t, end > start ? end - 1 : start), detail_str(&d));
	}
done:
	json_decref(root);
	return rc;
}

/* ---- HTML <meta> ------------------------------------------------------- */

static int is_html(const text_view *t)
{
	const char *b = t->basename ? t->basename : "";
	size_t bn = strlen(b), i = 0, n = t->len < HTML_SNIFF ? t->len : HTML_SNIFF;
	const char *s = t->data;

	if (ci_suffix(b, bn, ".html") || ci_suffix(b, bn, ".htm") || ci_suffix(b, bn, ".xhtml"))
		return 1;
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && is_ws((unsigned char)s[i]))
		i++;
	if (ci_prefix(s + i, n - i, "<?xml")) {   /* XHTML: the declaration, then the doctype */
		const char *q = memchr(s + i, '>', n - i);
		if (!q)
			return 0;
		i = (size_t)(q - s) + 1;
		while (i < n && is_ws((unsigned char)s[i]))
			i++;
	}
	return ci_prefix(s + i, n - i, "<!doctype html") || ci_prefix(s + i, n - i, "<html");
}

/* Case-insensitive search of needle (lower case) in s[from..n); n if none. */
static size_t ci_find(const char *s, size_t n, size_t from, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = from; i + k <= n; i++)
		if (tolower((unsigned char)s[i]) == needle[0] && ci_prefix(s + i, n - i, needle))
			return i;
	return n;
}

static size_t find_str(const char *s, size_t n, size_t from, const char *needle)
{
	const char *p;

	if (from >= n)
		return n;
	p = memmem(s + from, n - from, needle, strlen(needle));
	return p ? (size_t)(p - s) : n;
}

typedef struct {
	const char *name, *val;
	size_t nlen, vlen;
} html_attr;

#define HTML_ATTRS_MAX 32

/*
 * Parse the start tag at s[i] == '<' (a letter follows): its name and first
 * attributes.  Returns the offset after '>', or n when the tag never ends
 * (which ends the document, as in a browser).
 */
static size_t html_tag(const char *s, size_t n, size_t i, const char **name, size_t *nlen,
		       html_attr *attrs, size_t *n_attrs)
{
	size_t j = i + 1;

	*n_attrs = 0;
	*name = s + j;
	while (j < n && !is_ws((unsigned char)s[j]) && s[j] != '>' && s[j] != '/')
		j++;
	*nlen = (size_t)(s + j - *name);
	for (;;) {
		html_attr a = { 0 };

		while (j < n && (is_ws((unsigned char)s[j]) || s[j] == '/'))
			j++;
		if (j >= n)
			return n;
		if (s[j] == '>')
			return j + 1;
		a.name = s + j;
		j++;   /* a name may start with '=' */
		while (j < n && !is_ws((unsigned char)s[j]) && s[j] != '>' && s[j] != '/' && s[j] != '=')
			j++;
		a.nlen = (size_t)(s + j - a.name);
		while (j < n && is_ws((unsigned char)s[j]))
			j++;
		if (j < n && s[j] == '=') {
			j++;
			while (j < n && is_ws((unsigned char)s[j]))
				j++;
			if (j < n && (s[j] == '"' || s[j] == '\'')) {
				const char *q = memchr(s + j + 1, s[j], n - j - 1);
				if (!q)
					return n;
				a.val = s + j + 1;
				a.vlen = (size_t)(q - a.val);
				j = (size_t)(q - s) + 1;
			} else {
				a.val = s + j;
				while (j < n && !is_ws((unsigned char)s[j]) && s[j] != '>')
					j++;
				a.vlen = (size_t)(s + j - a.val);
			}
		}
		if (*n_attrs < HTML_ATTRS_MAX)
			attrs[(*n_attrs)++] = a;
	}
}

static const html_attr *attr_get(const html_attr *attrs, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ci_eqn(attrs[i].name, attrs[i].nlen, name))
			return &attrs[i];
	return NULL;
}

/* Does this meta name address robots: "robots", "googlebot", "GPTBot", a crawler? */
static int robots_name(const ctable *t, const char *s, size_t n)
{
	return ci_eqn(s, n, "robots") || ci_suffix(s, n, "bot") || crawler_find(t, s, n) >= 0;
}

/* Does the directive list (commas or blanks) hold `word`? */
static int has_directive(const char *s, size_t n, const char *word)
{
	size_t i = 0;

	while (i < n) {
		size_t a;

		while (i < n && (is_ws((unsigned char)s[i]) || s[i] == ','))
			i++;
		a = i;
		while (i < n && !is_ws((unsigned char)s[i]) && s[i] != ',')
			i++;
		if (i > a && ci_eqn(s + a, i - a, word))
			return 1;
	}
	return 0;
}

enum { HM_NOAI, HM_NOIMAGEAI, HM_TDM };

typedef struct {
	int what;
	uint32_t l1, l2;
} html_hit;

static int do_html(octx *o)
{
	static const char *raw[] = { "script", "style", "textarea", "title", "xmp" };
	const char *s = o->t->data, *policy = NULL;
	size_t n = o->t->len, i = 0, n_hits = 0, policy_len = 0, k;
	html_hit hits[OPTOUT_MAX_HITS];
	int rc = 0;

	while (i < n) {
		const char *p = memchr(s + i, '<', n - i), *name;
		html_attr attrs[HTML_ATTRS_MAX];
		size_t nlen, na, end;

		if (!p)
			break;
		i = (size_t)(p - s);
		if (ci_prefix(s + i, n - i, "<!--")) {
			end = find_str(s, n, i + 4, "-->");
			i = end < n ? end + 3 : n;
			continue;
		}
		if (ci_prefix(s + i, n - i, "<![cdata[")) {
			end = find_str(s, n, i + 9, "]]>");
			i = end < n ? end + 3 : n;
			continue;
		}
		if (i + 1 < n && (s[i + 1] == '!' || s[i + 1] == '?' || s[i + 1] == '/')) {
			p = memchr(s + i + 1, '>', n - i - 1);
			i = p ? (size_t)(p - s) + 1 : n;
			continue;
		}
		if (i + 1 >= n || !isalpha((unsigned char)s[i + 1])) {
			i++;
			continue;
		}
		end = html_tag(s, n, i, &name, &nlen, attrs, &na);
		if (ci_eqn(name, nlen, "meta")) {
			const html_attr *nm = attr_get(attrs, na, "name"), *ct = attr_get(attrs, na, "content");
			const char *nv;
			size_t nvn;

			if (!nm)
				nm = attr_get(attrs, na, "http-equiv");
			if (nm && nm->val && ct && ct->val) {
				const char *cv = ct->val;
				size_t cn = ct->vlen;
				uint32_t l1 = text_line_of(o->t, i), l2 = text_line_of(o->t, end - 1);

				nv = nm->val;
				nvn = nm->vlen;
				trim(&nv, &nvn);
				trim(&cv, &cn);
				if (robots_name(&o->crawlers, nv, nvn)) {
					if (has_directive(cv, cn, "noai") && n_hits < OPTOUT_MAX_HITS)
						hits[n_hits++] = (html_hit){ HM_NOAI, l1, l2 };
					if (has_directive(cv, cn, "noimageai") && n_hits < OPTOUT_MAX_HITS)
						hits[n_hits++] = (html_hit){ HM_NOIMAGEAI, l1, l2 };
				} else if (ci_eqn(nv, nvn, "tdm-reservation") && cn == 1 && cv[0] == '1') {
					if (n_hits < OPTOUT_MAX_HITS)
						hits[n_hits++] = (html_hit){ HM_TDM, l1, l2 };
				} else if (ci_eqn(nv, nvn, "tdm-policy") && cn && !policy) {
					policy = cv;
					policy_len = cn;
				}
			}
		}
		/* The text of raw-text elements is not markup. */
		for (k = 0; k < sizeof(raw) / sizeof(raw[0]); k++)
			if (ci_eqn(name, nlen, raw[k])) {
				char close[16];

				snprintf(close, sizeof(close), "</%s", raw[k]);
				end = ci_find(s, n, end, close);
				break;
			}
		i = end;
	}
	for (k = 0; k < n_hits && rc == 0; k++) {
		detail d;

		detail_init(&d, DETAIL_MAX);
		if (hits[k].what == HM_TDM) {
			detail_puts(&d, "tdm-reservation");
			if (policy) {
				detail_puts(&d, " policy=");
				detail_put(&d, policy, policy_len);
			}
		} else {
			detail_puts(&d, hits[k].what == HM_NOAI ? "noai" : "noimageai");
		}
		rc = add_hit(o, "html-meta", hits[k].l1, hits[k].l2, detail_str(&d));
	}
	return rc;
}

/* ---- licence riders ---------------------------------------------------- */

/*
 * Prose that forbids training, in LICENSE files, READMEs and comments.  The
 * text around each anchor is normalised first — comment leaders at line
 * starts, markup and punctuation other than sentence punctuation become one
 * space, a blank line becomes '\n' — so one pattern reads a sentence however
 * it is wrapped or commented.  Each normalised byte keeps its source offset.
 */
typedef struct {
	char *s;
	uint32_t *off;
	size_t len, cap;
} norm;

static int norm_push(norm *z, char c, size_t off)
{
	if (z->len + 2 > z->cap) {
		size_t ncap = z->cap ? z->cap * 2 : 4096;
		char *s = tgpl_realloc(z->s, ncap);
		uint32_t *o;

		if (!s)
			return -1;
		z->s = s;
		o = tgpl_reallocarray(z->off, ncap, sizeof(*o));
		if (!o)
			return -1;
		z->off = o;
		z->cap = ncap;
	}
	z->s[z->len] = c;
	z->off[z->len++] = (uint32_t)off;
	z->s[z->len] = '\0';
	return 0;
}

static void norm_release(norm *z)
{
	free(z->s);
	free(z->off);
	z->s = NULL;
	z->off = NULL;
	z->len = z->cap = 0;
}

/* Characters dropped at the start of a line: comment leaders, quote marks, bullets. */
static int is_leader(int c)
{
	return c && strchr("/#*;%!-<>|+", c) != NULL;
}

/* Punctuation kept as it is; other punctuation is a space. */
static int is_kept(int c)
{
	return c && strchr(".,;:?!'\"()", c) != NULL;
}

static int norm_space(norm *z, size_t off)
{
	if (!z->len || z->s[z->len - 1] == ' ' || z->s[z->len - 1] == '\n')
		return 0;
	return norm_push(z, ' ', off);
}

static int normalise(norm *z, const char *s, size_t a, size_t e)
{
	size_t i = a;
	int line_start = 1, content = 0;

	z->len = 0;
	while (i < e) {
		unsigned char c = (unsigned char)s[i];
		size_t k;

		if (c == '\n') {
			if (!content && z->len) {   /* a blank (or comment-only) line: a paragraph */
				if (z->s[z->len - 1] == ' ')
					z->len--;
				if (z->len && z->s[z->len - 1] != '\n' && norm_push(z, '\n', i) < 0)
					return -1;
			} else if (norm_space(z, i) < 0) {
				return -1;
			}
			line_start = 1;
			content = 0;
			i++;
			continue;
		}
		if (line_start && (is_ws(c) || is_leader(c))) {
			i++;
			continue;
		}
		line_start = 0;
		if (isalnum(c) || is_kept(c)) {
			content |= isalnum(c) != 0;
			if (norm_push(z, (char)c, i) < 0)
				return -1;
			i++;
			continue;
		}
		if (c < 0x80) {
			if (norm_space(z, i) < 0)
				return -1;
			i++;
			continue;
		}
		k = utf8_len(s + i, e - i);
		if (k == 3 && (unsigned char)s[i] == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0x98 || (unsigned char)s[i + 2] == 0x99)) {
			if (norm_push(z, '\'', i) < 0)   /* ‘ ’ */
				return -1;
		} else if (k == 3 && (unsigned char)s[i] == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0x9c || (unsigned char)s[i + 2] == 0x9d)) {
			if (norm_push(z, '"', i) < 0)    /* “ ” */
				return -1;
		} else if (k == 0 || (k == 2 && (unsigned char)s[i] == 0xc2 &&
				      (unsigned char)s[i + 1] == 0xa0) ||
			   (k == 3 && (unsigned char)s[i] == 0xe2 && (unsigned char)s[i + 1] == 0x80)) {
			if (norm_space(z, i) < 0)        /* invalid, no-break space, dashes */
				return -1;
			k = k ? k : 1;
		} else {
			size_t j;

			content = 1;
			for (j = 0; j < k; j++)
				if (norm_push(z, s[i + j], i + j) < 0)
					return -1;
		}
		i += k;
	}
	return 0;
}

/* Is s[i] (a '.', '!', '?', ';' or '\n') the end of a sentence? */
static int sentence_end(const char *s, size_t len, size_t i)
{
	if (s[i] == '\n' || s[i] == '!' || s[i] == '?' || s[i] == ';')
		return 1;
	if (s[i] != '.')
		return 0;
	if (i + 1 < len && s[i + 1] != ' ' && s[i + 1] != '\n')
		return 0;   /* 1.0, example.com */
	/* "a.i.", "e.g.": a single letter before the dot. */
	if (i >= 1 && isalpha((unsigned char)s[i - 1]) && (i < 2 || s[i - 2] == ' ' || s[i - 2] == '.'))
		return 0;
	return 1;
}

/*
 * The patterns, matched caselessly on normalised text (single spaces).  The
 * words and phrases are defined once, in a DEFINE group, and called by name:
 *   ais      a name of AI ("machine learning", "AI/ML", "large language models")
 *   aiw      that, or "model(s)"
 *   trainv   "train" in the sense of machine learning, not of people
 *   trainn   "training", not "training course" or "training of staff"
 *   obj      this work: "this code", "the Software", "the contents of this repository"
 *   purpose  "to train", "for (AI) training", "for machine learning", "in training sets"
 *   negmod   a prohibition: "may not", "must not", "shall not", "is not to"; not "will
 *            not", "cannot", "should not", which describe (a vendor's promise, a test
 *            split) more often than they forbid
 */
#define RIDER_DEFS "(?(DEFINE)" \
	"(?<ais1>artificial intelligence|a\\.?i\\.?|machine learning|ml|deep learning|" \
	"neural networks?|(?:large )?language models?|llms?|generative ai|gen ?ai|" \
	"foundation models?|ai models?|ml models?|ai systems?)" \
	"(?<ais>(?&ais1)(?: (?:or |and )?(?&ais1))?)" \
	"(?<aiw>(?&ais)(?: models?| systems?| tools?| algorithms?| applications?)?|models?)" \
	"(?<humans>employees?|staff|people|persons?|students?|personnel|workers?|users?|teams?|" \
	"humans?|volunteers?|members?|customers?|trainees?|dogs?|pets?|animals?|children)" \
	"(?<trainv>train\\b(?! (?:new |your |our |their |the |any |other )?(?&humans)\\b))" \
	"(?<trainn>training\\b(?! (?:courses?|class(?:es)?|sessions?|seminars?|workshops?|" \
	"programs?|programmes?|camps?|days?|videos?|manuals?|of (?&humans)|(?&humans))\\b))" \
	"(?<work>work|works|code|codebase|code base|source|source code|software|programs?|" \
	"project|repository|repo|library|content|contents|materials?|data|dataset|data set|" \
	"files?|texts?|documentation|docs|website|site|pages?|images?|photos?|photographs?|" \
	"artwork|art|writings?|package|module|book|articles?|posts?|blog|music|audio|" \
	"recordings?|videos?|fonts?|assets?)" \
	"(?<obj1>(?:this|these|my|our|such) (?:[a-z0-9'-]+ ){0,2}?(?&work)|" \
	"the (?:licensed |covered |original )?(?:work|works|software|code|source code|program|" \
	"content|materials?|licensed material|project|library)|" \
	"(?:(?:any|all) (?:part|portion|parts|portions)|(?:the )?contents?) of " \
	"(?:this|these|the|my|our) (?:[a-z0-9'-]+ ){0,2}?(?&work))" \
	"(?<obj>(?&obj1)(?: (?:or|and) (?:(?:its|their|any of its|any) (?:[a-z0-9'-]+ ){0,2}?" \
	"(?&work)|(?&obj1)))?)" \
	"(?<sets>data(?: ?sets?)?|datasets?|corpus|corpora|sets?)" \
	"(?<purpose>to (?:help )?(?&trainv)" \
	"|(?:for|in|into|as part of|as) (?:the )?(?:purposes? of )?(?:(?:(?&aiw)|any) )?(?&trainn)" \
	"|(?:for|in|into|as) (?:the )?(?:purposes? of )?(?&ais)" \
	"(?: (?:purposes|research|development|systems|applications))?\\b" \
	"|(?:in|into|as|for) (?:an? |any )?(?&aiw) (?&sets)\\b)" \
	"(?<negmod>(?:may|must|shall) (?:not|never)|mustn't|shan't|(?:is|are) not to)" \
	"(?<usedv>used|utili[sz]ed|included|incorporated|ingested|fed|scraped|copied|" \
	"reproduced|exploited|mined)" \
	"(?<fill>(?:,? (?:in whole or in part|directly or indirectly|either directly or indirectly|" \
	"in any (?:way|form|manner)|by any (?:means|party|person|entity|third party)|" \
	"without (?:prior )?(?:express )?(?:written )?(?:permission|consent)|or otherwise)){0,3},?)" \
	"(?<forbidden>(?:strictly |expressly |explicitly |hereby )?(?:prohibited|forbidden|" \
	"not permitted|not allowed|disallowed|banned|not authori[sz]ed|not licensed|not granted|" \
	"excluded))" \
	"(?<gap>(?: [^.;:!?\\n]{0,80}?)?)" \
	"(?<eos>(?= ?(?:[.;:!?,)(\\n]|$)| (?-i:[A-Z]))))"

static const char RIDER_RE[] = RIDER_DEFS
	/* "may not be used to train", "must not be used for machine learning" */
	"\\b(?&negmod) be (?&usedv)(?: or (?&usedv))?(?&fill) (?&purpose)"
	/* "do not use this code to train", "you may not use the Software for AI training" */
	"|\\b(?:do not|don't|never|you (?:may|must|shall) not|you mustn't|"
	"you are not (?:allowed|permitted|authori[sz]ed|licensed) to|"
	"(?:no one|nobody|no person|no party|no entity|no third party) (?:may|shall|is "
	"(?:allowed|permitted) to)|it is (?:not permitted|forbidden|prohibited|not allowed) to|"
	"(?:the )?licensee (?:may|shall|must) not|recipients? (?:may|shall|must) not) "
	"(?:use|include|incorporate|feed|ingest|scrape|copy|reproduce|utili[sz]e|exploit|add) "
	"(?&obj)(?&fill) (?&purpose)"
	/* "prohibits the use of this work to train AI models" */
	"|\\b(?:prohibits?|forbids?|bans?|disallows?|excludes?|(?:does|do) not (?:permit|allow|"
	"authori[sz]e|grant|consent to)) (?:the |any )?(?:use|usage|inclusion|reproduction|copying|"
	"ingestion)(?: of (?&obj))?(?&fill) (?&purpose)"
	/* "we do not allow our content to be used for AI training" */
	"|\\b(?:do|does) not (?:allow|permit|authori[sz]e) (?:anyone to use |others to use |you to use )?"
	"(?:(?&obj)|(?:my|our|its|their) [a-z]+|it|them)(?: to be (?&usedv))?(?&fill) (?&purpose)"
	/* "prohibits AI training", "forbids training of AI models on this code" */
	"|\\b(?:prohibits?|forbids?|bans?|disallows?) (?:any )?(?:(?&ais) training\\b|(?:the )?"
	"training (?:of )?(?:any )?(?&aiw) (?:on|using|with|from) (?&obj))"
	/* "use of this code to train AI models is prohibited" */
	"|\\b(?:use|using|usage|inclusion|reproduction|copying|ingestion)(?: of)? (?&obj)(?&fill) "
	"(?&purpose)(?&gap) (?:is|are|shall be|will be) (?&forbidden)"
	/* "training AI models on this work is not permitted", "AI training prohibited" */
	"|\\b(?:training|to train) (?:of )?(?:any |an? )?(?:(?&aiw) )?(?:on|using|with|from) (?&obj)"
	"(?&gap) (?:is|are|shall be|will be) (?&forbidden)"
	"|\\b(?&ais) training(?: (?:on|using|with|of) (?&obj))? (?:(?:is|are) )?(?&forbidden)"
	/* "you may not train AI models on this code" */
	"|\\b(?:(?&negmod)|(?:are|is) not (?:allowed|permitted|authori[sz]ed|licensed) to) "
	"(?:use (?:it|them|(?&obj)) to )?train (?:(?:any|an?|your|their) )?(?&aiw)"
	"(?: [a-z0-9'-]+){0,2}? (?:on|using|with|from) (?:(?&obj)|it|them)\\b"
	/* "No AI training.", "no machine learning training allowed" */
	"|\\bno (?&ais) training(?: (?:is )?(?:allowed|permitted|of any kind|whatsoever))?(?&eos)"
	/* "not for use in AI training datasets", "not licensed for machine learning" */
	"|\\bnot (?:(?:to be used|intended|licensed|available|permitted) for(?: use (?:in|for|as))?|"
	"for use (?:in|for|as)) (?:any |the )?(?:purposes? of )?(?:(?&aiw) )?(?:(?&trainn)"
	"(?: (?&sets))?|(?&ais)\\b)"
	/* "Not for AI training." */
	"|\\bnot for (?:any )?(?&ais) training(?&eos)"
	/* EU DSM Art. 4(3): "expressly reserves the rights of text and data mining" */
	"|\\b(?:expressly |explicitly |hereby )?reserve[sd]?(?: (?:all|the|its|their|our|my|any))?"
	"(?: rights?)?(?: (?:of|to|for|regarding|over|with respect to))? (?:the )?"
	"(?:text and data mining|tdm)\\b"
	"|\\b(?:text and data mining|tdm)(?: rights?)?(?&gap) (?:is|are) "
	"(?:expressly |explicitly |hereby )?reserved";

static pcre2_code *rider_compile(void)
{
	PCRE2_SIZE eoff;
	int err;

	/* A constant pattern: only memory can make this fail. */
	return pcre2_compile((PCRE2_SPTR)RIDER_RE, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &err,
			     &eoff, NULL);
}

/* Words that, just before a match, turn it around ("does not forbid ..."). */
static int negated(const char *s, size_t sent, size_t ms)
{
	size_t clause = sent, i, words = 0, w_end;

	/* "Nothing in this licence, however, prohibits ...": the whole sentence. */
	for (i = sent; i < ms; i++)
		if ((ci_prefix(s + i, ms - i, "nothing") && (i == sent || s[i - 1] == ' ')) ||
		    ci_prefix(s + i, ms - i, "no provision") || ci_prefix(s + i, ms - i, "none of") ||
		    ci_prefix(s + i, ms - i, "not true that") || ci_prefix(s + i, ms - i, "not the case") ||
		    /* data kept apart for evaluation: ML prose, not a licence */
		    ci_prefix(s + i, ms - i, "validation") || ci_prefix(s + i, ms - i, "test set") ||
		    ci_prefix(s + i, ms - i, "test data") || ci_prefix(s + i, ms - i, "held out") ||
		    ci_prefix(s + i, ms - i, "holdout") || ci_prefix(s + i, ms - i, "test split") ||
		    ci_prefix(s + i, ms - i, "eval set") || ci_prefix(s + i, ms - i, "evaluation set"))
			return 1;
	/* The last three words of the clause: "does not", "never", "no". */
	for (i = sent; i < ms; i++)
		if (s[i] == ',' || s[i] == ':')
			clause = i + 1;
	w_end = ms;
	while (w_end > clause && words < 3) {
		size_t a;

		while (w_end > clause && s[w_end - 1] == ' ')
			w_end--;
		a = w_end;
		while (a > clause && s[a - 1] != ' ')
			a--;
		if (a == w_end)
			break;
		if (ci_eqn(s + a, w_end - a, "not") || ci_eqn(s + a, w_end - a, "never") ||
		    ci_eqn(s + a, w_end - a, "no") || ci_eqn(s + a, w_end - a, "nor") ||
		    ci_eqn(s + a, w_end - a, "neither") || ci_eqn(s + a, w_end - a, "without") ||
		    ci_suffix(s + a, w_end - a, "n't"))
			return 1;
		w_end = a;
		words++;
	}
	return 0;
}

typedef struct {
	const pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	size_t last_end;   /* source offset: sentences before it are reported */
	size_t n_hits;
} rider_state;

static int rider_window(octx *o, rider_state *r, norm *z, size_t a, size_t e)
{
	const char *src = o->t->data;
	size_t pos = 0, cand = 0;
	int rc;

	if (normalise(z, o->t->data, a, e) < 0)
		return TGPL_ENOMEM;
	while (pos < z->len && cand < RIDER_MAX_CAND && r->n_hits < RIDER_MAX_HITS) {
		PCRE2_SIZE *ov;
		size_t ms, me, ss, se, lo, hi, src_s, src_e;
		detail d;

		rc = pcre2_match(r->re, (PCRE2_SPTR)z->s, z->len, pos, 0, r->md, r->mc);
		if (rc <= 0)
			break;
		cand++;
		ov = pcre2_get_ovector_pointer(r->md);
		ms = ov[0];
		me = ov[1];
		pos = me > ms ? me : ms + 1;
		/* The sentence around the match, at most RIDER_CONTEXT bytes each
		 * side.  Going back, a line that starts with a capital also starts
		 * a sentence: comment headers rarely end their lines with a stop. */
		lo = ms > RIDER_CONTEXT ? ms - RIDER_CONTEXT : 0;
		hi = z->len - me > RIDER_CONTEXT ? me + RIDER_CONTEXT : z->len;
		for (ss = ms; ss > lo && !sentence_end(z->s, z->len, ss - 1); ss--)
			if (z->s[ss - 1] == ' ' && isupper((unsigned char)z->s[ss]) &&
			    (src[z->off[ss - 1]] == '\n' || src[z->off[ss - 1]] == '\r'))
				break;
		while (ss < ms && z->s[ss] == ' ')
			ss++;
		for (se = me; se < hi && !sentence_end(z->s, z->len, se); se++)
			;
		if (se == hi || z->s[se] == '\n')
			se--;   /* the match is not empty: se >= ms */
		while (se > ms && z->s[se] == ' ')
			se--;
		src_s = z->off[ss];
		src_e = z->off[se];
		if (src_s < r->last_end || negated(z->s, ss, ms))
			continue;
		detail_init(&d, RIDER_DETAIL_MAX);
		detail_put(&d, z->s + ms, me - ms);
		rc = add_hit(o, "license-rider", text_line_of(o->t, src_s), text_line_of(o->t, src_e),
			     detail_str(&d));
		if (rc < 0)
			return rc;
		r->last_end = src_e + 1;
		r->n_hits++;
	}
	return 0;
}

/* Is there a word starting with `w` (lower case) at s[i]? */
static int word_at(const char *s, size_t n, size_t i, const char *w)
{
	return (i == 0 || !isalpha((unsigned char)s[i - 1])) && ci_prefix(s + i, n - i, w);
}

/* Is `w` in s as a whole word (or, with prefix_ok, as a word's start)? */
static int has_word(const char *s, size_t n, const char *w, int prefix_ok)
{
	size_t k = strlen(w), i;

	for (i = 0; i + k <= n; i++)
		if (tolower((unsigned char)s[i]) == w[0] && word_at(s, n, i, w) &&
		    (prefix_ok || i + k == n || !isalpha((unsigned char)s[i + k])))
			return 1;
	return 0;
}

/* Which anchors a window is opened at. */
enum { ANCHOR_TRAIN = 1, ANCHOR_ML = 2, ANCHOR_TDM = 4 };

static int is_anchor(const char *s, size_t n, size_t i, int which)
{
	unsigned char c = (unsigned char)(s[i] | 0x20);

	if ((which & ANCHOR_TRAIN) && c == 't' && word_at(s, n, i, "train"))
		return 1;
	if ((which & ANCHOR_ML) && c == 'm' && word_at(s, n, i, "machine learning"))
		return 1;
	if ((which & ANCHOR_TDM) && c == 'd' && word_at(s, n, i, "data mining"))
		return 1;
	if ((which & ANCHOR_TDM) && c == 't' && word_at(s, n, i, "tdm") &&
	    (i + 3 == n || !isalpha((unsigned char)s[i + 3])))
		return 1;
	return 0;
}

static int do_riders(octx *o)
{
	static const char *ai_words[] = { "ai", "a.i.", "machine learning", "model", "dataset",
					  "data set", "artificial intelligence", "neural", "llm",
					  "genai" };
	const char *s = o->t->data;
	size_t n = o->t->len, i, covered = 0, k;
	rider_state r = { 0 };
	pcre2_code *own = NULL;
	norm z = { 0 };
	int train = 0, ai = 0, which = 0, rc = 0;

	/* The prefilter: a word starting with "train" and a word of AI; or
	 * "machine learning"; or a reservation of text and data mining. */
	for (i = 0; i < n && !train; i++)
		train = (s[i] | 0x20) == 't' && word_at(s, n, i, "train");
	for (k = 0; train && !ai && k < sizeof(ai_words) / sizeof(ai_words[0]); k++)
		ai = has_word(s, n, ai_words[k], strcmp(ai_words[k], "model") == 0 ||
			      strcmp(ai_words[k], "dataset") == 0 || strcmp(ai_words[k], "llm") == 0);
	if (train && ai)
		which |= ANCHOR_TRAIN;
	if (has_word(s, n, "machine learning", 0))
		which |= ANCHOR_ML;
	if (has_word(s, n, "reserv", 1) && (has_word(s, n, "data mining", 0) || has_word(s, n, "tdm", 0)))
		which |= ANCHOR_TDM;
	if (!which)
		return 0;
	/* The engine's compiled pattern; without one, compile it for this blob. */
	r.re = o->data && o->data->rider_re ? o->data->rider_re : (own = rider_compile());
	if (!r.re || !(r.md = pcre2_match_data_create_from_pattern(r.re, NULL)) ||
	    !(r.mc = pcre2_match_context_create(NULL))) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	pcre2_set_match_limit(r.mc, RE_MATCH_LIMIT);
	pcre2_set_depth_limit(r.mc, RE_DEPTH_LIMIT);
	/* Windows of text around the anchors, each normalised once. */
	for (i = 0; i < n && r.n_hits < RIDER_MAX_HITS; i++) {
		size_t a, e;

		if (i < covered || !is_anchor(s, n, i, which))
			continue;
		a = i > RIDER_CONTEXT ? i - RIDER_CONTEXT : 0;
		e = n - a > RIDER_WINDOW ? a + RIDER_WINDOW : n;
		if ((rc = rider_window(o, &r, &z, a, e)) < 0)
			goto done;
		covered = e == n ? n : e - RIDER_CONTEXT;
		if (covered <= i)
			covered = i + 1;
	}
done:
	norm_release(&z);
	pcre2_match_context_free(r.mc);
	pcre2_match_data_free(r.md);
	pcre2_code_free(own);
	return rc;
}

/* ---- the detector ------------------------------------------------------ */

static int name_is(const text_view *t, const char *name)
{
	return t->basename && tgpl_strcasecmp(t->basename, name) == 0;
}

int detect_optouts_with(det_builder *b, const struct optout_data *d, const text_view *t)
{
	octx o;
	int rc = 0;

	if (!t->len || !t->n_lines)
		return 0;
	o.b = b;
	o.t = t;
	o.data = d;
	o.crawlers = table_of(d);
	o.base = b->det->n_optouts;
	if (name_is(t, "tdmrep.json"))
		rc = do_tdmrep(&o);
	else if (name_is(t, "robots.txt"))
		rc = do_robots(&o);
	else if (name_is(t, "ai.txt"))
		rc = do_aitxt(&o);
	else if (is_html(t))
		rc = do_html(&o);
	if (rc < 0)
		return rc;
	return do_riders(&o);
}

int detect_optouts(det_builder *b, const tgpl_engine *e, const text_view *t)
{
	return detect_optouts_with(b, e ? engine_optouts(e) : NULL, t);
}
