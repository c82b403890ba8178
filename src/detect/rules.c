/*
 * rules.c — notice and reference rules (rules.h; format in licenses/README.md).
 *
 * Loading reads each rule file into stanzas, checks every field, compiles
 * the patterns once, and builds one Aho-Corasick automaton over all the
 * prefilter keys.  Detection normalises the blob once, runs the automaton
 * once, and runs PCRE2 only for the rules whose keys occur.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "detect/rules.h"
#include "detect/spdx.h"
#include "util/util.h"

#define RULES_MAX_FILE    ((size_t)1 << 20)  /* bytes in one rule file */
#define RULES_MAX_RULES   4096
#define RULES_MAX_FIELD   16384              /* bytes in one field, continuations included */
#define RULES_MAX_KEYS    64                 /* keys per rule */
#define RULES_MAX_KEYLEN  64
#define RULES_MAX_KEYTEXT (64 * 1024)        /* all distinct keys together */
#define RULES_MAX_WINDOW  4000
#define RULES_DEF_WINDOW  200
#define RULES_ID_MAX      64
#define RULES_OVEC        10                 /* $0..$9 */
#define RULES_MAX_TRIES   256                /* matches examined per rule and blob */
#define RULES_ATTACH      2000               /* "WITH x" looks this far back */
#define RULES_NEAR        1000               /* a rule's repeats this close are one region */
#define RULES_MATCH_LIMIT 200000
#define RULES_DEPTH_LIMIT 2000
#define RULES_HEAP_LIMIT  8192               /* KiB */

/* Placeholder for a character the normalised text does not keep. */
#define NORM_OTHER '\x1a'

struct rule {
	char *id;
	char *spdx;          /* template, without a leading "WITH "; NULL for "-" */
	int attach;          /* the template was "WITH <exception>" */
	tgpl_kind kind;
	char *group;
	char *note;
	const char *file;    /* borrowed from set->files */
	uint32_t line;
	int check_known;
	uint32_t window;
	pcre2_code *re;
	pcre2_code *unless;
	uint32_t *keys;      /* indices into set->keys */
	size_t n_keys;
};

struct rule_set {
	pcre2_general_context *gctx;
	pcre2_compile_context *cctx;
	pcre2_match_context *mctx;
	struct rule *rules;
	size_t n_rules, cap_rules;
	char **files;
	size_t n_files, cap_files;
	char **keys;         /* distinct prefilter keys */
	size_t n_keys, cap_keys, key_bytes;
	/* The Aho-Corasick automaton over keys, as a dense DFA on byte classes. */
	unsigned char cls[256];
	uint32_t n_cls;
	uint32_t n_states;
	uint32_t *delta;     /* n_states * n_cls */
	int32_t *term;       /* key ending at a state, or -1 */
	uint32_t *dict;      /* next state on the suffix chain with a key, 0 = none */
	unsigned char *has_out;
};

/* ---- PCRE2 through our allocator, so failure injection reaches it -------- */

static void *re_malloc(PCRE2_SIZE n, void *data)
{
	(void)data;
	return tgpl_malloc(n);
}

static void re_free(void *p, void *data)
{
	(void)data;
	free(p);
}

/* ---- the set ------------------------------------------------------------- */

static int set_new(struct rule_set **out)
{
	struct rule_set *set = tgpl_calloc(1, sizeof(*set));

	if (!set)
		return TGPL_ENOMEM;
	set->gctx = pcre2_general_context_create(re_malloc, re_free, NULL);
	if (!set->gctx)
		goto oom;
	set->cctx = pcre2_compile_context_create(set->gctx);
	set->mctx = pcre2_match_context_create(set->gctx);
	if (!set->cctx || !set->mctx)
		goto oom;
	pcre2_set_match_limit(set->mctx, RULES_MATCH_LIMIT);
	pcre2_set_depth_limit(set->mctx, RULES_DEPTH_LIMIT);
	pcre2_set_heap_limit(set->mctx, RULES_HEAP_LIMIT);
	*out = set;
	return 0;
oom:
	rules_free(set);
	return TGPL_ENOMEM;
}

static void rule_release(struct rule *r)
{
	free(r->id);
	free(r->spdx);
	free(r->group);
	free(r->note);
	free(r->keys);
	pcre2_code_free(r->re);
	pcre2_code_free(r->unless);
}

void rules_free(struct rule_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n_rules; i++)
		rule_release(&set->rules[i]);
	free(set->rules);
	for (i = 0; i < set->n_files; i++)
		free(set->files[i]);
	free(set->files);
	for (i = 0; i < set->n_keys; i++)
		free(set->keys[i]);
	free(set->keys);
	free(set->delta);
	free(set->term);
	free(set->dict);
	free(set->has_out);
	pcre2_match_context_free(set->mctx);
	pcre2_compile_context_free(set->cctx);
	pcre2_general_context_free(set->gctx);
	free(set);
}

size_t rules_count(const struct rule_set *set)
{
	return set ? set->n_rules : 0;
}

int rules_info(const struct rule_set *set, size_t i, rule_info *out)
{
	const struct rule *r;

	if (!set || i >= set->n_rules)
		return TGPL_ENOTFOUND;
	r = &set->rules[i];
	out->id = r->id;
	out->spdx = r->spdx;
	out->attach = r->attach;
	out->kind = r->kind;
	out->group = r->group ? r->group : r->id;
	out->note = r->note;
	out->file = r->file;
	out->line = r->line;
	out->check_known = r->check_known;
	return 0;
}

/* ---- parsing rule files -------------------------------------------------- */

enum { F_RULE, F_SPDX, F_KIND, F_KEYS, F_PATTERN, F_UNLESS, F_NOTE, F_GROUP, F_WINDOW,
       F_CHECK, F_N };

static const char *const field_names[F_N] = {
	"rule", "spdx", "kind", "keys", "pattern", "unless", "note", "group", "window", "check"
};

/* A stanza being read. */
typedef struct {
	tgpl_buf v[F_N];
	uint32_t line[F_N];
	int have[F_N];
	int last;            /* field a continuation line extends, or -1 */
} draft;

typedef struct {
	struct rule_set *set;
	tgpl_ctx *ctx;
	const char *path;    /* borrowed from set->files */
} loader;

static int load_error(const loader *ld, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int load_error(const loader *ld, uint32_t line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tgpl_error(ld->ctx, TGPL_EDATA, "%s:%u: %s", ld->path, (unsigned)line, msg);
}

static void draft_clear(draft *d)
{
	int i;

	for (i = 0; i < F_N; i++) {
		tgpl_buf_clear(&d->v[i]);
		d->have[i] = 0;
		d->line[i] = 0;
	}
	d->last = -1;
}

static void draft_release(draft *d)
{
	int i;

	for (i = 0; i < F_N; i++)
		tgpl_buf_release(&d->v[i]);
}

static int is_id_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int valid_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > RULES_ID_MAX || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!is_id_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Check a template; *max_ref gets the highest capture it uses.  Returns NULL
 * if fine, or what is wrong.
 */
static const char *check_template(const char *s, uint32_t *max_ref)
{
	size_t i;

	*max_ref = 0;
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '$') {
			if (s[i + 1] == 'v' || s[i + 1] == 'i')
				i++;
			if (s[i + 1] < '1' || s[i + 1] > '9')
				return "'$' must be followed by 1-9, v1-v9 or i1-i9";
			i++;
			if ((uint32_t)(s[i] - '0') > *max_ref)
				*max_ref = (uint32_t)(s[i] - '0');
		} else if (!isalnum(c) && c != '.' && c != '+' && c != '-' && c != ' ' &&
			   c != '(' && c != ')' && c != ':') {
			return "only letters, digits, '.', '+', '-', ':', parentheses, spaces and $N";
		}
	}
	return NULL;
}

static int compile(const loader *ld, pcre2_code **out, const char *pat, uint32_t line,
		   const char *what)
{
	int err;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];

	*out = pcre2_compile((PCRE2_SPTR)pat, strlen(pat),
			     PCRE2_CASELESS | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP |
			     PCRE2_NEVER_BACKSLASH_C,
			     &err, &erroff, ld->set->cctx);
	if (!*out) {
		if (err == PCRE2_ERROR_HEAP_FAILED)
			return tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
		if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", err);
		return load_error(ld, line, "bad %s: %s (at offset %zu)", what, (char *)msg,
				  (size_t)erroff);
	}
	/* JIT is an optimisation; the interpreter serves where it is unavailable. */
	if (!tgpl_alloc_faults_armed())   /* see util.h */
		(void)pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);
	return 0;
}

/* Index of key s[0..n) in the set, adding it if new; -1 on ENOMEM. */
static long intern_key(struct rule_set *set, const char *s, size_t n)
{
	size_t i;
	char *k;

	for (i = 0; i < set->n_keys; i++)
		if (strlen(set->keys[i]) == n && memcmp(set->keys[i], s, n) == 0)
			return (long)i;
	if (tgpl_grow((void **)&set->keys, &set->cap_keys, set->n_keys + 1, sizeof(char *)) < 0 ||
	    !(k = tgpl_strndup(s, n)))
		return -1;
	set->keys[set->n_keys] = k;
	set->key_bytes += n;
	return (long)set->n_keys++;
}

static int parse_keys(const loader *ld, struct rule *r, const char *s, uint32_t line)
{
	const char *p = s;

	while (*p) {
		const char *q = strchr(p, ',');
		const char *end = q ? q : p + strlen(p);
		const char *a = p, *z = end, *c;
		long k;

		while (a < z && *a == ' ')
			a++;
		while (z > a && z[-1] == ' ')
			z--;
		if (z - a < 2 || z - a > RULES_MAX_KEYLEN)
			return load_error(ld, line, "key '%.*s' must be 2 to %d characters",
					  (int)(z - a), a, RULES_MAX_KEYLEN);
		for (c = a; c < z; c++) {
			unsigned char ch = (unsigned char)*c;
			if (ch < 0x20 || ch > 0x7e || (ch >= 'A' && ch <= 'Z') ||
			    (ch == ' ' && c[1] == ' '))
				return load_error(ld, line, "key '%.*s' must be lower-case ASCII "
						  "with single spaces", (int)(z - a), a);
		}
		if (r->n_keys == RULES_MAX_KEYS)
			return load_error(ld, line, "more than %d keys", RULES_MAX_KEYS);
		if (ld->set->key_bytes + (size_t)(z - a) > RULES_MAX_KEYTEXT)
			return load_error(ld, line, "too many key bytes in the rule set");
		if ((k = intern_key(ld->set, a, (size_t)(z - a))) < 0)
			return tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
		r->keys[r->n_keys++] = (uint32_t)k;
		p = q ? q + 1 : end;
	}
	if (!r->n_keys)
		return load_error(ld, line, "no keys");
	return 0;
}

/* Turn a complete stanza into a rule of the set. */
static int finish_rule(const loader *ld, draft *d)
{
	struct rule_set *set = ld->set;
	struct rule r;
	uint32_t max_ref = 0, caps = 0, start = d->line[F_RULE];
	const char *id = d->v[F_RULE].ptr ? d->v[F_RULE].ptr : "";
	const char *why = NULL;
	size_t i;
	int rc = 0, f;

	memset(&r, 0, sizeof(r));
	r.window = RULES_DEF_WINDOW;
	r.file = ld->path;
	r.line = start;
	if (!valid_id(id)) {
		rc = load_error(ld, start, "rule id '%s' must be 1-%d of a-z, 0-9, '-', '.'",
				id, RULES_ID_MAX);
		goto done;
	}
	for (i = 0; i < set->n_rules; i++)
		if (strcmp(set->rules[i].id, id) == 0) {
			rc = load_error(ld, start, "duplicate rule id '%s' (first at %s:%u)", id,
					set->rules[i].file, (unsigned)set->rules[i].line);
			goto done;
		}
	for (f = F_SPDX; f <= F_NOTE; f++)
		if (f != F_UNLESS && (!d->have[f] || !d->v[f].len)) {
			rc = load_error(ld, start, "rule '%s' has no '%s' field", id, field_names[f]);
			goto done;
		}
	if (d->have[F_UNLESS] && !d->v[F_UNLESS].len) {
		rc = load_error(ld, d->line[F_UNLESS], "empty unless pattern");
		goto done;
	}
	if (set->n_rules == RULES_MAX_RULES) {
		rc = load_error(ld, start, "more than %d rules", RULES_MAX_RULES);
		goto done;
	}
	if (strcmp(d->v[F_KIND].ptr, "notice") == 0)
		r.kind = TGPL_KIND_NOTICE;
	else if (strcmp(d->v[F_KIND].ptr, "reference") == 0)
		r.kind = TGPL_KIND_REFERENCE;
	else {
		rc = load_error(ld, d->line[F_KIND], "kind must be 'notice' or 'reference', not '%s'",
				d->v[F_KIND].ptr);
		goto done;
	}
	if (d->have[F_CHECK]) {
		if (strcmp(d->v[F_CHECK].ptr, "known") != 0) {
			rc = load_error(ld, d->line[F_CHECK], "check must be 'known'");
			goto done;
		}
		r.check_known = 1;
	}
	if (d->have[F_WINDOW]) {
		uint64_t w;
		if (tgpl_parse_u64(d->v[F_WINDOW].ptr, &w) < 0 || w > RULES_MAX_WINDOW) {
			rc = load_error(ld, d->line[F_WINDOW], "window must be 0 to %d",
					RULES_MAX_WINDOW);
			goto done;
		}
		r.window = (uint32_t)w;
	}
	if (d->have[F_GROUP] && !valid_id(d->v[F_GROUP].ptr)) {
		rc = load_error(ld, d->line[F_GROUP], "group '%s' must be 1-%d of a-z, 0-9, '-', '.'",
				d->v[F_GROUP].ptr, RULES_ID_MAX);
		goto done;
	}
	if (strcmp(d->v[F_SPDX].ptr, "-") != 0) {
		const char *tpl = d->v[F_SPDX].ptr;

		if (strncmp(tpl, "WITH ", 5) == 0) {
			r.attach = 1;
			tpl += 5;
		}
		if (!*tpl || (why = check_template(tpl, &max_ref))) {
			rc = load_error(ld, d->line[F_SPDX], "bad spdx template '%s': %s",
					d->v[F_SPDX].ptr, *tpl ? why : "empty");
			goto done;
		}
		if (!(r.spdx = tgpl_strdup(tpl)))
			goto oom;
	}
	if (!(r.id = tgpl_strdup(id)) || !(r.note = tgpl_strdup(d->v[F_NOTE].ptr)) ||
	    (d->have[F_GROUP] && !(r.group = tgpl_strdup(d->v[F_GROUP].ptr))) ||
	    !(r.keys = tgpl_calloc(RULES_MAX_KEYS, sizeof(*r.keys))))
		goto oom;
	if ((rc = parse_keys(ld, &r, d->v[F_KEYS].ptr, d->line[F_KEYS])) < 0)
		goto done;
	if ((rc = compile(ld, &r.re, d->v[F_PATTERN].ptr, d->line[F_PATTERN], "pattern")) < 0)
		goto done;
	if (d->have[F_UNLESS] &&
	    (rc = compile(ld, &r.unless, d->v[F_UNLESS].ptr, d->line[F_UNLESS], "unless pattern")) < 0)
		goto done;
	if (pcre2_pattern_info(r.re, PCRE2_INFO_CAPTURECOUNT, &caps) != 0)
		caps = 0;
	if (max_ref > caps) {
		rc = load_error(ld, d->line[F_SPDX], "spdx uses $%u but the pattern has %u group%s",
				(unsigned)max_ref, (unsigned)caps, caps == 1 ? "" : "s");
		goto done;
	}
	if (tgpl_grow((void **)&set->rules, &set->cap_rules, set->n_rules + 1, sizeof(r)) < 0)
		goto oom;
	set->rules[set->n_rules++] = r;
	memset(&r, 0, sizeof(r));
	goto done;
oom:
	rc = tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
done:
	rule_release(&r);
	return rc;
}

static int field_index(const char *name, size_t n)
{
	int f;

	for (f = 0; f < F_N; f++)
		if (strlen(field_names[f]) == n && memcmp(field_names[f], name, n) == 0)
			return f;
	return -1;
}

/* Append s[0..n) to field f of the draft, with `sep` first if it is not empty. */
static int draft_put(const loader *ld, draft *d, int f, const char *sep, const char *s,
		     size_t n, uint32_t line)
{
	size_t extra = (d->v[f].len ? strlen(sep) : 0) + n;

	if (d->v[f].len + extra > RULES_MAX_FIELD)
		return load_error(ld, line, "field '%s' longer than %d bytes", field_names[f],
				  RULES_MAX_FIELD);
	if ((d->v[f].len && tgpl_buf_puts(&d->v[f], sep) < 0) ||
	    tgpl_buf_put(&d->v[f], s, n) < 0)
		return tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
	return 0;
}

/* Parse the text of one rule file into the set. */
static int parse_file(const loader *ld, const char *text, size_t len)
{
	draft d;
	const char *p = text, *end = text + len;
	uint32_t lineno = 0;
	int rc = 0, f;

	memset(&d, 0, sizeof(d));
	draft_clear(&d);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *a = p, *z = le, *colon;

		p = nl ? nl + 1 : end;
		lineno++;
		while (z > a && (z[-1] == '\r' || z[-1] == ' ' || z[-1] == '\t'))
			z--;
		if (a == z || *a == '#') {
			d.last = -1;   /* a blank or comment line ends a continuation */
			continue;
		}
		if (*a == ' ' || *a == '\t') {
			while (a < z && (*a == ' ' || *a == '\t'))
				a++;
			if (d.last < 0) {
				rc = load_error(ld, lineno, "continuation line outside a field");
				goto done;
			}
			if ((rc = draft_put(ld, &d, d.last, " ", a, (size_t)(z - a), lineno)) < 0)
				goto done;
			continue;
		}
		colon = memchr(a, ':', (size_t)(z - a));
		if (!colon || (f = field_index(a, (size_t)(colon - a))) < 0) {
			rc = load_error(ld, lineno, "expected 'field: value' with a known field, got '%.*s'",
					(int)(z - a > 60 ? 60 : z - a), a);
			goto done;
		}
		if (f == F_RULE) {
			if (d.have[F_RULE] && (rc = finish_rule(ld, &d)) < 0)
				goto done;
			draft_clear(&d);
		} else if (!d.have[F_RULE]) {
			rc = load_error(ld, lineno, "field '%s' before any 'rule:'", field_names[f]);
			goto done;
		} else if (d.have[f] && f != F_KEYS) {
			rc = load_error(ld, lineno, "duplicate field '%s' in rule '%s'", field_names[f],
					d.v[F_RULE].ptr);
			goto done;
		}
		a = colon + 1;
		while (a < z && (*a == ' ' || *a == '\t'))
			a++;
		if (a == z && f != F_KEYS && f != F_PATTERN && f != F_UNLESS && f != F_NOTE) {
			rc = load_error(ld, lineno, "field '%s' is empty", field_names[f]);
			goto done;
		}
		if ((rc = draft_put(ld, &d, f, f == F_KEYS ? "," : " ", a, (size_t)(z - a), lineno)) < 0)
			goto done;
		/* An empty buffer must still read as "" later. */
		if (!d.v[f].ptr) {
			if (tgpl_buf_grow(&d.v[f], 0) < 0) {
				rc = tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
				goto done;
			}
			d.v[f].ptr[0] = '\0';
		}
		if (!d.have[f])
			d.line[f] = lineno;
		d.have[f] = 1;
		d.last = f;
	}
	if (d.have[F_RULE])
		rc = finish_rule(ld, &d);
done:
	draft_release(&d);
	return rc;
}

static int read_file(char **out, size_t *len, tgpl_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	int rc = 0;

	if (!f)
		return tgpl_error(ctx, TGPL_EDATA, "cannot open '%s': %s", path, strerror(errno));
	if (!(buf = tgpl_malloc(RULES_MAX_FILE + 1))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	n = fread(buf, 1, RULES_MAX_FILE + 1, f);
	if (ferror(f)) {
		rc = tgpl_error(ctx, TGPL_EDATA, "cannot read '%s': %s", path, strerror(errno));
		goto done;
	}
	if (n > RULES_MAX_FILE) {
		rc = tgpl_error(ctx, TGPL_EDATA, "%s: larger than %zu bytes", path, RULES_MAX_FILE);
		goto done;
	}
	if (memchr(buf, '\0', n)) {
		rc = tgpl_error(ctx, TGPL_EDATA, "%s: contains a NUL byte", path);
		goto done;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
done:
	free(buf);
	fclose(f);
	return rc;
}

static int load_one(struct rule_set *set, tgpl_ctx *ctx, const char *path)
{
	loader ld;
	char *text = NULL, *copy;
	size_t len = 0;
	int rc;

	if (tgpl_grow((void **)&set->files, &set->cap_files, set->n_files + 1, sizeof(char *)) < 0 ||
	    !(copy = tgpl_strdup(path)))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	set->files[set->n_files++] = copy;
	ld.set = set;
	ld.ctx = ctx;
	ld.path = copy;
	if ((rc = read_file(&text, &len, ctx, path)) < 0)
		return rc;
	rc = parse_file(&ld, text, len);
	free(text);
	return rc;
}

/* ---- the prefilter automaton -------------------------------------------- */

static int build_automaton(struct rule_set *set)
{
	uint32_t *fail = NULL, *queue = NULL, max_states = 1, s, head = 0, tail = 0;
	size_t i, j;
	int rc = TGPL_ENOMEM;

	memset(set->cls, 0, sizeof(set->cls));
	set->n_cls = 1;
	for (i = 0; i < set->n_keys; i++) {
		for (j = 0; set->keys[i][j]; j++) {
			unsigned char c = (unsigned char)set->keys[i][j];
			if (!set->cls[c])
				set->cls[c] = (unsigned char)set->n_cls++;
		}
		max_states += (uint32_t)j;
	}
	set->delta = tgpl_calloc((size_t)max_states * set->n_cls, sizeof(*set->delta));
	set->term = tgpl_calloc(max_states, sizeof(*set->term));
	set->dict = tgpl_calloc(max_states, sizeof(*set->dict));
	set->has_out = tgpl_calloc(max_states, 1);
	fail = tgpl_calloc(max_states, sizeof(*fail));
	queue = tgpl_calloc(max_states, sizeof(*queue));
	if (!set->delta || !set->term || !set->dict || !set->has_out || !fail || !queue)
		goto done;
	for (s = 0; s < max_states; s++)
		set->term[s] = -1;
	set->n_states = 1;
	/* The trie; 0 means "no edge" (no edge leads back to the root). */
	for (i = 0; i < set->n_keys; i++) {
		s = 0;
		for (j = 0; set->keys[i][j]; j++) {
			uint32_t *t = &set->delta[(size_t)s * set->n_cls + set->cls[(unsigned char)set->keys[i][j]]];
			if (!*t)
				*t = set->n_states++;
			s = *t;
		}
		set->term[s] = (int32_t)i;
	}
	/* Breadth first: failure links, dictionary links, full transitions. */
	for (j = 1; j < set->n_cls; j++)
		if ((s = set->delta[j]))
			queue[tail++] = s;
	while (head < tail) {
		uint32_t u = queue[head++];

		for (j = 1; j < set->n_cls; j++) {
			uint32_t *t = &set->delta[(size_t)u * set->n_cls + j];
			uint32_t fu = set->delta[(size_t)fail[u] * set->n_cls + j];

			if (*t) {
				fail[*t] = fu;
				set->dict[*t] = set->term[fu] >= 0 ? fu : set->dict[fu];
				queue[tail++] = *t;
			} else {
				*t = fu;
			}
		}
	}
	for (s = 0; s < set->n_states; s++)
		set->has_out[s] = set->term[s] >= 0 || set->dict[s];
	rc = 0;
done:
	free(fail);
	free(queue);
	return rc;
}

/* Mark in found[] the keys occurring in s[0..n); returns how many. */
static size_t scan_keys(const struct rule_set *set, const char *s, size_t n, unsigned char *found)
{
	uint32_t st = 0;
	size_t i, nfound = 0;

	for (i = 0; i < n; i++) {
		st = set->delta[(size_t)st * set->n_cls + set->cls[(unsigned char)s[i]]];
		if (set->has_out[st]) {
			uint32_t u = set->term[st] >= 0 ? st : set->dict[st];

			for (; u; u = set->dict[u]) {
				int32_t k = set->term[u];
				if (!found[k]) {
					found[k] = 1;
					if (++nfound == set->n_keys)
						return nfound;
				}
			}
		}
	}
	return nfound;
}

static int finish_set(struct rule_set **out, struct rule_set *set, tgpl_ctx *ctx)
{
	if (build_automaton(set) < 0) {
		rules_free(set);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	*out = set;
	return 0;
}

int rules_load_file(struct rule_set **out, tgpl_ctx *ctx, const char *path)
{
	struct rule_set *set = NULL;
	int rc;

	if ((rc = set_new(&set)) < 0)
		return tgpl_error(ctx, rc, "out of memory");
	if ((rc = load_one(set, ctx, path)) < 0) {
		rules_free(set);
		return rc;
	}
	return finish_set(out, set, ctx);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

int rules_load(struct rule_set **out, tgpl_ctx *ctx, const char *dir)
{
	struct rule_set *set = NULL;
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	tgpl_buf path = TGPL_BUF_INIT;
	int rc;

	if ((rc = set_new(&set)) < 0) {
		rc = tgpl_error(ctx, rc, "out of memory");
		goto done;
	}
	/* A missing directory is broken data, not "no rules": detection would
	 * silently miss every notice, so refuse it like a missing index. */
	if (!(d = opendir(dir))) {
		rc = tgpl_error(ctx, TGPL_EDATA, "cannot open rules directory '%s': %s", dir,
				strerror(errno));
		goto done;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".rules"))
			continue;
		if (tgpl_grow((void **)&names, &cap, n + 1, sizeof(*names)) < 0 ||
		    !(names[n] = tgpl_strdup(de->d_name))) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		tgpl_buf_clear(&path);
		if (tgpl_buf_printf(&path, "%s/%s", dir, names[i]) < 0) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		if ((rc = load_one(set, ctx, path.ptr)) < 0)
			goto done;
	}
	rc = finish_set(out, set, ctx);
	set = NULL;
done:
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	tgpl_buf_release(&path);
	rules_free(set);
	return rc;
}

/* ---- the normalised view -------------------------------------------------- */

typedef struct {
	char *text;
	size_t len, cap;
	int pending;         /* a space is due before the next character */
} normst;

static void put(normst *st, char c)
{
	if (st->len + 2 > st->cap)
		return;   /* cannot happen: cap is twice the input */
	if (st->pending && st->len)
		st->text[st->len++] = ' ';
	st->pending = 0;
	st->text[st->len++] = c;
}

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Does p (n bytes) start with word w (lower case), followed by space or end? */
static int word_at(const char *p, size_t n, const char *w)
{
	size_t m = strlen(w), i;

	if (n < m)
		return 0;
	for (i = 0; i < m; i++)
		if (tolower((unsigned char)p[i]) != w[i])
			return 0;
	return n == m || is_ws((unsigned char)p[m]);
}

/* Length of a comment marker at the start of p[0..n), or 0. */
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
		if (i < n && p[i] == '!')
			i++;
		return i;
	case '*':
		while (i < n && p[i] == '*')
			i++;
		if (i < n && p[i] == '/')
			i++;
		return i;
	case '#':
		while (i < n && p[i] == '#')
			i++;
		if (i < n && (p[i] == '!' || p[i] == '\''))
			i++;
		return i;
	case ';': case '%': case '!': case '>':
		while (i < n && p[i] == c)
			i++;
		return i;
	case '-':
		while (i < n && p[i] == '-')
			i++;
		if (i < 2)
			return 0;
		if (n - i >= 2 && p[i] == '[' && p[i + 1] == '[')
			i += 2;
		return i;
	case ':':
		while (i < n && p[i] == ':')
			i++;
		return i >= 2 ? i : 0;
	case '\'':
		while (i < n && p[i] == '\'')
			i++;
		return (i >= 3 || i == n || is_ws((unsigned char)p[i])) ? i : 0;
	case '"':
		while (i < n && p[i] == '"')
			i++;
		return i >= 3 ? i : 0;
	case 'r': case 'R':
		return word_at(p, n, "rem") ? 3 : 0;
	case '@':
		return word_at(p, n, "@rem") ? 4 : 0;
	case 'd':
		return word_at(p, n, "dnl") ? 3 : 0;
	default:
		return 0;
	}
}

/* Length of a comment closer or box border at the end of p[0..n), or 0. */
static size_t trail_marker(const char *p, size_t n)
{
	size_t i;

	if (n >= 3 && memcmp(p + n - 3, "-->", 3) == 0)
		return 3;
	if (n >= 2 && (memcmp(p + n - 2, "*/", 2) == 0 || memcmp(p + n - 2, "*)", 2) == 0 ||
		       memcmp(p + n - 2, "-}", 2) == 0 || memcmp(p + n - 2, "#>", 2) == 0 ||
		       memcmp(p + n - 2, "]]", 2) == 0))
		return 2;
	if (n && (p[n - 1] == '*' || p[n - 1] == '#')) {
		char c = p[n - 1];
		for (i = n; i > 0 && p[i - 1] == c; i--)
			;
		if (i == 0 || is_ws((unsigned char)p[i - 1]))
			return n - i;
	}
	return 0;
}

/* Decode one UTF-8 sequence; its length, or 0 if invalid. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t c = p[0], min;
	size_t len, i;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c < 0xf0) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Fold one non-ASCII code point into the normalised text. */
static void put_codepoint(normst *st, uint32_t c)
{
	switch (c) {
	case 0x00a0: case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f:
	case 0x3000:
		st->pending = 1;
		return;
	case 0x00ad: case 0x200b: case 0x200c: case 0x200d: case 0x2060: case 0xfeff:
		return;   /* soft hyphen, zero-width characters, BOM */
	case 0x2018: case 0x2019: case 0x201a: case 0x201b: case 0x2032: case 0x00b4:
		put(st, '\'');
		return;
	case 0x201c: case 0x201d: case 0x201e: case 0x201f: case 0x2033: case 0x00ab:
	case 0x00bb:
		put(st, '"');
		return;
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
	case 0x2212: case 0xfe58: case 0xfe63: case 0xff0d:
		put(st, '-');
		return;
	case 0x2026:
		put(st, '.');
		put(st, '.');
		put(st, '.');
		return;
	case 0x00a9:
		put(st, '(');
		put(st, 'c');
		put(st, ')');
		return;
	default:
		if (c >= 0x2000 && c <= 0x200a) {
			st->pending = 1;
			return;
		}
		put(st, NORM_OTHER);
	}
}

static void fold(normst *st, const char *p, const char *q)
{
	while (p < q) {
		unsigned char c = (unsigned char)*p;
		uint32_t cp;
		size_t len;

		if (c < 0x80) {
			if (c <= 0x20 || c == 0x7f)
				st->pending = 1;
			else
				put(st, (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
			p++;
			continue;
		}
		len = utf8_decode((const unsigned char *)p, (size_t)(q - p), &cp);
		if (!len) {
			put(st, NORM_OTHER);
			p++;
			continue;
		}
		put_codepoint(st, cp);
		p += len;
	}
}

/* Does p[0..n) hold anything worth keeping (a letter, digit, or non-ASCII)? */
static int has_word(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (isalnum((unsigned char)p[i]) || (unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/* One line, or part of one; `whole` if p..q is the whole line. */
static void norm_line(normst *st, const char *p, const char *q, int whole)
{
	int guard;

	if (whole) {
		for (guard = 0; guard < 32; guard++) {
			size_t m;
			while (p < q && is_ws((unsigned char)*p))
				p++;
			if (!(m = lead_marker(p, (size_t)(q - p))))
				break;
			p += m;
		}
		for (guard = 0; guard < 32; guard++) {
			size_t m;
			while (q > p && is_ws((unsigned char)q[-1]))
				q--;
			if (!(m = trail_marker(p, (size_t)(q - p))))
				break;
			q -= m;
		}
		if (!has_word(p, (size_t)(q - p)))
			return;   /* rules, borders, lone closers */
	}
	fold(st, p, q);
}

void rules_norm_release(rules_norm *n)
{
	if (!n)
		return;
	free(n->text);
	free(n->off);
	free(n->line);
	memset(n, 0, sizeof(*n));
}

int rules_normalise(rules_norm *out, const text_view *t)
{
	rules_norm n;
	normst st;
	size_t head_end, tail_start, scanned, max_lines, i;
	int in_tail = 0;

	memset(&n, 0, sizeof(n));
	memset(&st, 0, sizeof(st));
	if (t->len > 2 * RULES_SCAN_HALF) {
		head_end = RULES_SCAN_HALF;
		tail_start = t->len - RULES_SCAN_HALF;
	} else {
		head_end = tail_start = t->len;
	}
	scanned = head_end + (t->len - tail_start);
	st.cap = 2 * scanned + 16;
	/* Only lines that meet the read parts are recorded: at most one per byte, plus two. */
	max_lines = t->n_lines < scanned + 2 ? t->n_lines : scanned + 2;
	n.text = tgpl_malloc(st.cap + 1);
	n.off = tgpl_calloc(max_lines ? max_lines : 1, sizeof(*n.off));
	n.line = tgpl_calloc(max_lines ? max_lines : 1, sizeof(*n.line));
	if (!n.text || !n.off || !n.line) {
		rules_norm_release(&n);
		return TGPL_ENOMEM;
	}
	st.text = n.text;
	for (i = 0; i < t->n_lines; i++) {
		size_t ls = t->line_off[i];
		size_t le = i + 1 < t->n_lines ? t->line_off[i + 1] : t->len;
		size_t a, z;
		int recorded = 0, part;

		if (le > t->len)
			le = t->len;
		if (ls >= le || (ls >= head_end && le <= tail_start))
			continue;
		for (part = 0; part < 2; part++) {
			a = part ? (ls > tail_start ? ls : tail_start) : ls;
			z = part ? le : (le < head_end ? le : head_end);
			if (part && tail_start == t->len)
				break;
			if (a >= z)
				continue;
			if (part && !in_tail) {
				/* Nothing may match across the part that was not read. */
				in_tail = 1;
				st.pending = 1;
				put(&st, NORM_OTHER);
				st.pending = 1;
			}
			if (!recorded && n.n < max_lines) {
				n.off[n.n] = (uint32_t)(st.len + (st.pending && st.len ? 1 : 0));
				n.line[n.n++] = (uint32_t)(i + 1);
				recorded = 1;
			}
			norm_line(&st, t->data + a, t->data + z, a == ls && z == le);
			st.pending = 1;
		}
	}
	n.len = st.len;
	n.text[n.len] = '\0';
	*out = n;
	return 0;
}

uint32_t rules_norm_line(const rules_norm *n, size_t off)
{
	size_t lo = 0, hi = n->n;

	if (!n->n)
		return 0;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (n->off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return n->line[lo];
}

/* ---- matching ------------------------------------------------------------ */

typedef struct {
	size_t s, e;         /* span in the normalised text */
	size_t rule;
	char *expr;          /* canonical; NULL for a "-" rule */
	char *rule_id;       /* when attached: "rule+exception-rule"; else NULL */
	int exception_only;  /* expr is a lone exception id */
	int dead;
} cand;

typedef struct {
	const struct rule_set *set;
	const tgpl_engine *e;
	const rules_norm *norm;
	pcre2_match_data *md;
	cand *c;
	size_t n, cap;
	tgpl_buf raw, canon;
} matcher;

/* Expand a template with the captures of the last match into m->raw. */
static int expand(matcher *m, const char *tpl, int nov)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
	const char *text = m->norm->text;
	size_t i;

	tgpl_buf_clear(&m->raw);
	for (i = 0; tpl[i]; i++) {
		char how = 0;
		int k;
		const char *s = "";
		size_t n = 0, j;

		if (tpl[i] != '$') {
			if (tgpl_buf_putc(&m->raw, tpl[i]) < 0)
				return TGPL_ENOMEM;
			continue;
		}
		if (tpl[i + 1] == 'v' || tpl[i + 1] == 'i')
			how = tpl[++i];
		k = tpl[++i] - '0';
		if (k < nov && ov[2 * k] != PCRE2_UNSET && ov[2 * k + 1] >= ov[2 * k]) {
			s = text + ov[2 * k];
			n = ov[2 * k + 1] - ov[2 * k];
		}
		if (how == 'i') {
			for (j = 0; j < n; j++)
				if (tgpl_buf_putc(&m->raw, s[j] == ' ' ? '-' : s[j]) < 0)
					return TGPL_ENOMEM;
			continue;
		}
		if (tgpl_buf_put(&m->raw, s, n) < 0)
			return TGPL_ENOMEM;
		if (how == 'v' && n) {
			for (j = 0; j < n && isdigit((unsigned char)s[j]); j++)
				;
			if (j == n && tgpl_buf_puts(&m->raw, ".0") < 0)
				return TGPL_ENOMEM;
		}
	}
	return 0;
}

static int word_is(const char *s, size_t n, const char *w)
{
	size_t i;

	if (strlen(w) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != w[i])
			return 0;
	return 1;
}

/*
 * Canonicalise m->raw into m->canon: operators upper case, ids in the
 * engine's spelling.  Returns 1, 0 if the expression must be dropped (empty,
 * or an unknown id under `check: known`), or TGPL_ENOMEM.
 */
static int canonicalise(matcher *m, int check, int *exception_only)
{
	const char *s = m->raw.ptr ? m->raw.ptr : "";
	size_t i = 0, n = m->raw.len, ids = 0;
	int after_with = 0, lone_exception = 0;

	tgpl_buf_clear(&m->canon);
	*exception_only = 0;
	while (i < n) {
		size_t j = i;
		const char *canon = NULL;
		const tgpl_license_info *li;
		int plus = 0;

		if (s[i] == ' ' || s[i] == '(' || s[i] == ')') {
			if ((s[i] != ' ' || (m->canon.len && m->canon.ptr[m->canon.len - 1] != ' ')) &&
			    tgpl_buf_putc(&m->canon, s[i]) < 0)
				return TGPL_ENOMEM;
			i++;
			continue;
		}
		while (j < n && s[j] != ' ' && s[j] != '(' && s[j] != ')')
			j++;
		if (word_is(s + i, j - i, "and") || word_is(s + i, j - i, "or") ||
		    word_is(s + i, j - i, "with")) {
			after_with = word_is(s + i, j - i, "with");
			for (; i < j; i++)
				if (tgpl_buf_putc(&m->canon, (char)toupper((unsigned char)s[i])) < 0)
					return TGPL_ENOMEM;
			continue;
		}
		ids++;
		if (after_with) {
			canon = engine_exception(m->e, s + i, j - i);
		} else if ((li = engine_license(m->e, s + i, j - i))) {
			canon = li->id;
		} else if (j - i > 1 && s[j - 1] == '+' &&
			   (li = engine_license(m->e, s + i, j - i - 1))) {
			canon = li->id;
			plus = 1;
		} else if ((canon = engine_exception(m->e, s + i, j - i))) {
			lone_exception = 1;
		}
		after_with = 0;
		if (!canon && check)
			return 0;
		if ((canon ? tgpl_buf_puts(&m->canon, canon) : tgpl_buf_put(&m->canon, s + i, j - i)) < 0 ||
		    (plus && tgpl_buf_putc(&m->canon, '+') < 0))
			return TGPL_ENOMEM;
		i = j;
	}
	while (m->canon.len && m->canon.ptr[m->canon.len - 1] == ' ')
		m->canon.ptr[--m->canon.len] = '\0';
	if (!ids)
		return 0;
	*exception_only = lone_exception && ids == 1 && !strchr(m->canon.ptr, ' ');
	return 1;
}

static int overlaps(const cand *a, size_t s, size_t e)
{
	return a->s < e && s < a->e;
}

/* Is a new hit [s,e) of rule r with expression expr beaten by an earlier one? */
static int suppressed(const matcher *m, const struct rule *r, size_t s, size_t e,
		      const char *expr)
{
	const char *group = r->group ? r->group : r->id;
	size_t i;

	for (i = 0; i < m->n; i++) {
		const cand *a = &m->c[i];
		const struct rule *ar = &m->set->rules[a->rule];

		if (a->s <= s && e <= a->e)
			return 1;
		if (ar == r && s >= a->e && s - a->e < RULES_NEAR &&
		    ((!a->expr && !expr) || (a->expr && expr && strcmp(a->expr, expr) == 0)))
			return 1;   /* the same statement again, in the same region */
		if (!overlaps(a, s, e))
			continue;
		if (strcmp(ar->group ? ar->group : ar->id, group) == 0)
			return 1;
		if ((!a->expr && !expr) || (a->expr && expr && strcmp(a->expr, expr) == 0))
			return 1;
	}
	return 0;
}

/* Does the rule's `unless` pattern match around [s,e)? */
static int unless_matches(const matcher *m, const struct rule *r, size_t s, size_t e)
{
	size_t a = s > r->window ? s - r->window : 0;
	size_t z = e + r->window < m->norm->len ? e + r->window : m->norm->len;
	int rc;

	rc = pcre2_match(r->unless, (PCRE2_SPTR)(m->norm->text + a), z - a, 0, 0, m->md,
			 m->set->mctx);
	if (rc == PCRE2_ERROR_NOMEMORY)
		return TGPL_ENOMEM;
	return rc >= 0;
}

/* Run one rule over the normalised text.  0, 1 if the hit cap is reached, or TGPL_ENOMEM. */
static int run_rule(matcher *m, size_t ri)
{
	const struct rule *r = &m->set->rules[ri];
	const rules_norm *norm = m->norm;
	size_t start = 0;
	int tries, rc;

	for (tries = 0; tries < RULES_MAX_TRIES && start <= norm->len; tries++) {
		PCRE2_SIZE *ov;
		size_t s, e;
		int nov, exc = 0;
		char *expr = NULL;

		nov = pcre2_match(r->re, (PCRE2_SPTR)norm->text, norm->len, start, 0, m->md,
				  m->set->mctx);
		if (nov == PCRE2_ERROR_NOMEMORY)
			return TGPL_ENOMEM;
		if (nov < 0)
			break;   /* no match, or over a limit: this rule is done */
		if (nov == 0)
			nov = RULES_OVEC;
		ov = pcre2_get_ovector_pointer(m->md);
		s = ov[0];
		e = ov[1];
		start = e > s ? e : s + 1;
		if (e <= s)
			continue;
		if (r->spdx) {
			if ((rc = expand(m, r->spdx, nov)) < 0 ||
			    (rc = canonicalise(m, r->check_known, &exc)) < 0)
				return rc;
			if (rc == 0)
				continue;
		}
		if (r->unless && (rc = unless_matches(m, r, s, e)) != 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		if (suppressed(m, r, s, e, r->spdx ? m->canon.ptr : NULL))
			continue;
		if (r->spdx && !(expr = tgpl_strdup(m->canon.ptr)))
			return TGPL_ENOMEM;
		if (tgpl_grow((void **)&m->c, &m->cap, m->n + 1, sizeof(*m->c)) < 0) {
			free(expr);
			return TGPL_ENOMEM;
		}
		memset(&m->c[m->n], 0, sizeof(*m->c));
		m->c[m->n].s = s;
		m->c[m->n].e = e;
		m->c[m->n].rule = ri;
		m->c[m->n].expr = expr;
		m->c[m->n].exception_only = exc;
		if (++m->n == RULES_MAX_HITS)
			return 1;
	}
	return 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* "WITH x" hits join the closest single-licence hit before them. */
static int attach_exceptions(matcher *m)
{
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		cand *x = &m->c[i];
		const struct rule *xr = &m->set->rules[x->rule];
		tgpl_buf b = TGPL_BUF_INIT;

		if (!xr->attach || !x->expr)
			continue;
		for (j = i; j-- > 0;) {
			cand *y = &m->c[j];
			const struct rule *yr = &m->set->rules[y->rule];

			if (y->dead || !y->expr || y->exception_only || strchr(y->expr, ' '))
				continue;
			if (x->s > y->e + RULES_ATTACH)
				break;
			if (tgpl_buf_printf(&b, "%s WITH %s", y->expr, x->expr) < 0) {
				tgpl_buf_release(&b);
				return TGPL_ENOMEM;
			}
			free(y->expr);
			y->expr = tgpl_buf_detach(&b);
			tgpl_buf_release(&b);
			if (tgpl_buf_printf(&b, "%s+%s", y->rule_id ? y->rule_id : yr->id, xr->id) < 0) {
				tgpl_buf_release(&b);
				return TGPL_ENOMEM;
			}
			free(y->rule_id);
			y->rule_id = tgpl_buf_detach(&b);
			if (!y->expr || !y->rule_id)
				return TGPL_ENOMEM;
			y->exception_only = 0;
			if (x->e > y->e)
				y->e = x->e;
			x->dead = 1;
			break;
		}
	}
	return 0;
}

static int emit(matcher *m, det_builder *b)
{
	size_t i;
	int rc;

	for (i = 0; i < m->n; i++) {
		const cand *c = &m->c[i];
		const struct rule *r = &m->set->rules[c->rule];
		const char *rule = c->rule_id ? c->rule_id : r->id;
		uint32_t sl = rules_norm_line(m->norm, c->s), el = rules_norm_line(m->norm, c->e - 1);

		if (c->dead)
			continue;
		if (!c->expr || c->exception_only)
			rc = det_add_license(b, c->expr, r->kind, sl, el, 1.0, rule, NULL, NULL, 0);
		else
			rc = spdx_emit(b, m->e, c->expr, strlen(c->expr), r->kind, sl, el, rule);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int rule_active(const struct rule *r, const unsigned char *found)
{
	size_t i;

	for (i = 0; i < r->n_keys; i++)
		if (found[r->keys[i]])
			return 1;
	return 0;
}

int rules_detect(det_builder *b, const tgpl_engine *e, const struct rule_set *set,
		 const text_view *t)
{
	rules_norm norm;
	matcher m;
	unsigned char *found = NULL;
	size_t i;
	int rc = 0;

	memset(&norm, 0, sizeof(norm));
	memset(&m, 0, sizeof(m));
	if (!set || !set->n_rules || !t->len || !t->n_lines)
		return 0;
	if ((rc = rules_normalise(&norm, t)) < 0)
		goto done;
	if (!(found = tgpl_calloc(set->n_keys, 1))) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	if (!scan_keys(set, norm.text, norm.len, found))
		goto done;
	m.set = set;
	m.e = e;
	m.norm = &norm;
	if (!(m.md = pcre2_match_data_create(RULES_OVEC, set->gctx))) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	for (i = 0; i < set->n_rules; i++) {
		if (!rule_active(&set->rules[i], found))
			continue;
		if ((rc = run_rule(&m, i)) < 0)
			goto done;
		if (rc == 1)
			break;
	}
	rc = 0;
	if (m.n)
		qsort(m.c, m.n, sizeof(*m.c), cand_cmp);
	if ((rc = attach_exceptions(&m)) < 0 || (rc = emit(&m, b)) < 0)
		goto done;
done:
	for (i = 0; i < m.n; i++) {
		free(m.c[i].expr);
		free(m.c[i].rule_id);
	}
	free(m.c);
	tgpl_buf_release(&m.raw);
	tgpl_buf_release(&m.canon);
	pcre2_match_data_free(m.md);
	free(found);
	rules_norm_release(&norm);
	return rc;
}

int detect_rules(det_builder *b, const tgpl_engine *e, const text_view *t)
{
	return rules_detect(b, e, engine_rules(e), t);
}
