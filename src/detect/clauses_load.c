/*
 * clauses_load.c — loading the clause rules (clauses.h; the format is in
 * licenses/README.md, "Clause rules") and the AI-licence tables.
 *
 * Each rule file is read into stanzas (`define:` and `rule:`); %name%
 * references to earlier defines are expanded, every pattern is compiled once
 * (with the JIT where available), and one Aho-Corasick automaton is built
 * over the rules' literal keys for the prefilter of clauses.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/clauses_int.h"
#include "util/util.h"

#define CL_MAX_FILE     ((size_t)1 << 20)  /* bytes in one rule file */
#define CL_MAX_RULES    2048
#define CL_MAX_DEFINES  256
#define CL_MAX_FIELD    16384              /* bytes in one field, continuations included */
#define CL_MAX_PATTERN  65536              /* a pattern with its defines expanded */
#define CL_MAX_KEYLEN   64
#define CL_MAX_KEYTEXT  (64 * 1024)        /* all distinct keys together */
#define CL_MAX_REACH    65536              /* before / after */
#define CL_DEF_REACH    400
#define CL_ID_MAX       64
#define CL_MATCH_LIMIT  200000
#define CL_DEPTH_LIMIT  2000
#define CL_HEAP_LIMIT   8192               /* KiB */
#define TSV_LINE_MAX    2048
#define TSV_MAX_ROWS    4096

const char *const clauses_ids[CLAUSES_N_IDS] = {
	"training-permitted", "weight-release", "data-provenance", "finetune-inheritance",
	"network-use", "training-prohibited"
};

/* ---- PCRE2 through our allocator ---------------------------------------- */

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

/* ---- the set ------------------------------------------------------------ */

static int set_new(struct clause_data **out)
{
	struct clause_data *cd = tgpl_calloc(1, sizeof(*cd));

	if (!cd)
		return TGPL_ENOMEM;
	cd->gctx = pcre2_general_context_create(re_malloc, re_free, NULL);
	if (!cd->gctx)
		goto oom;
	cd->cctx = pcre2_compile_context_create(cd->gctx);
	cd->mctx = pcre2_match_context_create(cd->gctx);
	if (!cd->cctx || !cd->mctx)
		goto oom;
	pcre2_set_match_limit(cd->mctx, CL_MATCH_LIMIT);
	pcre2_set_depth_limit(cd->mctx, CL_DEPTH_LIMIT);
	pcre2_set_heap_limit(cd->mctx, CL_HEAP_LIMIT);
	*out = cd;
	return 0;
oom:
	clauses_free(cd);
	return TGPL_ENOMEM;
}

static void rule_release(crule *r)
{
	size_t i;

	free(r->id);
	free(r->target);
	free(r->group);
	free(r->keys);
	free(r->also);
	pcre2_code_free(r->re);
	pcre2_code_free(r->unless);
	pcre2_code_free(r->exclude);
	pcre2_code_free(r->stop);
	for (i = 0; i < r->n_slots; i++) {
		free(r->slots[i].name);
		pcre2_code_free(r->slots[i].re);
	}
}

void clauses_free(struct clause_data *cd)
{
	size_t i;

	if (!cd)
		return;
	for (i = 0; i < cd->n_rules; i++)
		rule_release(&cd->rules[i]);
	free(cd->rules);
	for (i = 0; i < cd->n_defs; i++) {
		free(cd->defs[i].name);
		free(cd->defs[i].pattern);
	}
	free(cd->defs);
	for (i = 0; i < cd->n_files; i++)
		free(cd->files[i]);
	free(cd->files);
	for (i = 0; i < cd->n_keys; i++)
		free(cd->keys[i]);
	free(cd->keys);
	free(cd->delta);
	free(cd->term);
	free(cd->dict);
	free(cd->has_out);
	for (i = 0; i < cd->n_ai; i++) {
		free(cd->ai[i].id);
		free(cd->ai[i].name);
		free(cd->ai[i].category);
		free(cd->ai[i].url);
	}
	free(cd->ai);
	for (i = 0; i < cd->n_hf; i++) {
		free(cd->hf[i].kw);
		free(cd->hf[i].id);
	}
	free(cd->hf);
	pcre2_match_context_free(cd->mctx);
	pcre2_compile_context_free(cd->cctx);
	pcre2_general_context_free(cd->gctx);
	free(cd);
}

size_t clauses_rule_count(const struct clause_data *cd)
{
	return cd ? cd->n_rules : 0;
}

int clauses_rule_info(const struct clause_data *cd, size_t i, clause_rule_info *out)
{
	const crule *r;

	if (!cd || i >= cd->n_rules)
		return TGPL_ENOTFOUND;
	r = &cd->rules[i];
	out->id = r->id;
	out->target = r->target;
	out->is_license = r->is_license;
	out->kind = r->text ? "text" : "paraphrase";
	out->file = r->file;
	out->line = r->line;
	out->n_slots = r->n_slots;
	return 0;
}

size_t clauses_license_count(const struct clause_data *cd)
{
	return cd ? cd->n_ai : 0;
}

void clauses_license_info(const struct clause_data *cd, size_t i, tgpl_license_info *out)
{
	const ai_license *a = &cd->ai[i];

	memset(out, 0, sizeof(*out));
	out->id = a->id;
	out->name = a->name;
	out->url = a->url;
	out->category = a->category;
}

const char *clauses_hf_license(const struct clause_data *cd, const char *kw, size_t n)
{
	size_t i, j;

	for (i = 0; cd && i < cd->n_hf; i++) {
		const char *k = cd->hf[i].kw;

		for (j = 0; j < n && k[j]; j++)
			if (tolower((unsigned char)kw[j]) != k[j])
				break;
		if (j == n && !k[j])
			return cd->hf[i].id;
	}
	return NULL;
}

/* ---- reading rule files ------------------------------------------------- */

enum { F_RULE, F_DEFINE, F_CLAUSE, F_SPDX, F_KIND, F_GROUP, F_KEYS, F_PATTERN, F_SLOT,
       F_REQUIRE, F_MIN, F_UNLESS, F_EXCLUDE, F_SCOPE, F_BEFORE, F_AFTER, F_STOP, F_NOTE, F_ALSO,
       F_N };

static const char *const field_names[F_N] = {
	"rule", "define", "clause", "spdx", "kind", "group", "keys", "pattern", "slot",
	"require", "min", "unless", "exclude", "scope", "before", "after", "stop", "note", "also"
};

/* A stanza being read. */
typedef struct {
	tgpl_buf v[F_N];
	uint32_t line[F_N];
	int have[F_N];
	tgpl_buf slot[CL_MAX_SLOTS];
	uint32_t slot_line[CL_MAX_SLOTS];
	size_t n_slots;
	int last;            /* field a continuation line extends, or -1 */
} draft;

typedef struct {
	struct clause_data *cd;
	tgpl_ctx *ctx;
	const char *path;    /* borrowed from cd->files */
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
	size_t i;

	for (i = 0; i < F_N; i++) {
		tgpl_buf_clear(&d->v[i]);
		d->have[i] = 0;
		d->line[i] = 0;
	}
	for (i = 0; i < CL_MAX_SLOTS; i++)
		tgpl_buf_clear(&d->slot[i]);
	d->n_slots = 0;
	d->last = -1;
}

static void draft_release(draft *d)
{
	size_t i;

	for (i = 0; i < F_N; i++)
		tgpl_buf_release(&d->v[i]);
	for (i = 0; i < CL_MAX_SLOTS; i++)
		tgpl_buf_release(&d->slot[i]);
}

static const char *field(const draft *d, int f)
{
	return d->have[f] && d->v[f].ptr ? d->v[f].ptr : "";
}

static int valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > CL_ID_MAX || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static int valid_license_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > CL_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

static const cdefine *find_define(const struct clause_data *cd, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < cd->n_defs; i++)
		if (strlen(cd->defs[i].name) == n && memcmp(cd->defs[i].name, s, n) == 0)
			return &cd->defs[i];
	return NULL;
}

/* Expand %name% references to earlier defines into *out (as "(?:...)"). */
static int expand(const loader *ld, tgpl_buf *out, const char *pat, uint32_t line)
{
	const char *p = pat;

	tgpl_buf_clear(out);
	while (*p) {
		const char *q = p + 1;
		const cdefine *d;

		if (*p != '%') {
			if (tgpl_buf_putc(out, *p++) < 0)
				goto oom;
			continue;
		}
		while ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-')
			q++;
		if (q == p + 1 || *q != '%') {   /* a '%' of the pattern itself */
			if (tgpl_buf_putc(out, *p++) < 0)
				goto oom;
			continue;
		}
		if (!(d = find_define(ld->cd, p + 1, (size_t)(q - p - 1))))
			return load_error(ld, line, "unknown define '%.*s'", (int)(q - p - 1), p + 1);
		if (tgpl_buf_puts(out, "(?:") < 0 || tgpl_buf_puts(out, d->pattern) < 0 ||
		    tgpl_buf_putc(out, ')') < 0)
			goto oom;
		if (out->len > CL_MAX_PATTERN)
			return load_error(ld, line, "pattern longer than %d bytes once expanded",
					  CL_MAX_PATTERN);
		p = q + 1;
	}
	if (!out->ptr && tgpl_buf_puts(out, "") < 0)
		goto oom;
	return 0;
oom:
	return tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
}

static int compile(const loader *ld, pcre2_code **out, const char *pat, uint32_t line,
		   const char *what)
{
	tgpl_buf x = TGPL_BUF_INIT;
	int err, rc;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];

	if ((rc = expand(ld, &x, pat, line)) < 0)
		goto done;
	*out = pcre2_compile((PCRE2_SPTR)x.ptr, x.len,
			     PCRE2_CASELESS | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP |
			     PCRE2_NEVER_BACKSLASH_C,
			     &err, &erroff, ld->cd->cctx);
	if (!*out) {
		if (err == PCRE2_ERROR_HEAP_FAILED) {
			rc = tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", err);
		rc = load_error(ld, line, "bad %s: %s (at offset %zu)", what, (char *)msg,
				(size_t)erroff);
		goto done;
	}
	/* JIT is an optimisation; the interpreter serves where it is unavailable. */
	if (!tgpl_alloc_faults_armed())   /* see util.h */
		(void)pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);
done:
	tgpl_buf_release(&x);
	return rc;
}

static long intern_key(struct clause_data *cd, const char *s, size_t n)
{
	size_t i;
	char *k;

	for (i = 0; i < cd->n_keys; i++)
		if (strlen(cd->keys[i]) == n && memcmp(cd->keys[i], s, n) == 0)
			return (long)i;
	if (tgpl_grow((void **)&cd->keys, &cd->cap_keys, cd->n_keys + 1, sizeof(char *)) < 0 ||
	    !(k = tgpl_strndup(s, n)))
		return -1;
	cd->keys[cd->n_keys] = k;
	cd->key_bytes += n;
	return (long)cd->n_keys++;
}

/* Keys are matched on the raw bytes: lower-case, no white space (a line may break there). */
static int parse_keys(const loader *ld, uint32_t *keys, size_t *n_keys, const char *s,
		      uint32_t line)
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
		if (z - a < 2 || z - a > CL_MAX_KEYLEN)
			return load_error(ld, line, "key '%.*s' must be 2 to %d bytes", (int)(z - a), a,
					  CL_MAX_KEYLEN);
		for (c = a; c < z; c++) {
			unsigned char ch = (unsigned char)*c;
			if (ch <= 0x20 || ch == 0x7f || (ch >= 'A' && ch <= 'Z'))
				return load_error(ld, line, "key '%.*s' must be lower case, without "
						  "white space", (int)(z - a), a);
		}
		if (*n_keys == CL_MAX_KEYS)
			return load_error(ld, line, "more than %d keys", CL_MAX_KEYS);
		if (ld->cd->key_bytes + (size_t)(z - a) > CL_MAX_KEYTEXT)
			return load_error(ld, line, "too many key bytes in the rule set");
		if ((k = intern_key(ld->cd, a, (size_t)(z - a))) < 0)
			return tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
		keys[(*n_keys)++] = (uint32_t)k;
		p = q ? q + 1 : end;
	}
	if (!*n_keys)
		return load_error(ld, line, "no keys");
	return 0;
}

static int parse_reach(const loader *ld, const draft *d, int f, uint32_t *out)
{
	uint64_t v;

	if (!d->have[f])
		return 0;
	if (tgpl_parse_u64(field(d, f), &v) < 0 || v > CL_MAX_REACH)
		return load_error(ld, d->line[f], "%s must be 0 to %d", field_names[f], CL_MAX_REACH);
	*out = (uint32_t)v;
	return 0;
}

/* "name[<|>] PATTERN" */
static int parse_slot(const loader *ld, crule *r, const char *s, uint32_t line)
{
	slot *sl = &r->slots[r->n_slots];
	size_t n = 0, i;

	while (s[n] && s[n] != ' ' && s[n] != '<' && s[n] != '>')
		n++;
	if (!valid_name(s, n))
		return load_error(ld, line, "slot name '%.*s' must be 1-%d of a-z, 0-9, '-', '.'",
				  (int)n, s, CL_ID_MAX);
	for (i = 0; i < r->n_slots; i++)
		if (strlen(r->slots[i].name) == n && memcmp(r->slots[i].name, s, n) == 0)
			return load_error(ld, line, "duplicate slot '%.*s'", (int)n, s);
	sl->where = s[n] == '<' ? -1 : s[n] == '>' ? 1 : 0;
	if (!(sl->name = tgpl_strndup(s, n)))
		return tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
	r->n_slots++;
	s += n + (sl->where != 0);
	while (*s == ' ')
		s++;
	if (!*s)
		return load_error(ld, line, "slot '%s' has no pattern", sl->name);
	return compile(ld, &sl->re, s, line, "slot pattern");
}

static int parse_require(const loader *ld, crule *r, const char *s, uint32_t line)
{
	const char *p = s;

	while (*p) {
		size_t n, i;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ", ");
		if (!n)
			break;
		for (i = 0; i < r->n_slots; i++)
			if (strlen(r->slots[i].name) == n && memcmp(r->slots[i].name, p, n) == 0)
				break;
		if (i == r->n_slots)
			return load_error(ld, line, "require names no slot '%.*s'", (int)n, p);
		r->required |= 1u << i;
		p += n;
	}
	return 0;
}

static int is_clause_id(const char *s)
{
	size_t i;

	for (i = 0; i < CLAUSES_N_IDS; i++)
		if (strcmp(s, clauses_ids[i]) == 0)
			return 1;
	return 0;
}

static int finish_define(const loader *ld, draft *d)
{
	struct clause_data *cd = ld->cd;
	const char *name = field(d, F_DEFINE);
	tgpl_buf x = TGPL_BUF_INIT;
	cdefine def = { NULL, NULL };
	int f, rc;

	if (!valid_name(name, strlen(name)))
		return load_error(ld, d->line[F_DEFINE], "define '%s' must be 1-%d of a-z, 0-9, '-', '.'",
				  name, CL_ID_MAX);
	if (find_define(cd, name, strlen(name)))
		return load_error(ld, d->line[F_DEFINE], "duplicate define '%s'", name);
	for (f = 0; f < F_N; f++)
		if (d->have[f] && f != F_DEFINE && f != F_PATTERN && f != F_NOTE)
			return load_error(ld, d->line[f], "define '%s' takes only pattern and note",
					  name);
	if (!d->have[F_PATTERN] || !d->v[F_PATTERN].len || !d->have[F_NOTE])
		return load_error(ld, d->line[F_DEFINE], "define '%s' needs a pattern and a note",
				  name);
	if (cd->n_defs == CL_MAX_DEFINES)
		return load_error(ld, d->line[F_DEFINE], "more than %d defines", CL_MAX_DEFINES);
	if ((rc = expand(ld, &x, field(d, F_PATTERN), d->line[F_PATTERN])) < 0)
		goto done;
	if (!(def.name = tgpl_strdup(name)) || !(def.pattern = tgpl_buf_detach(&x)) ||
	    tgpl_grow((void **)&cd->defs, &cd->cap_defs, cd->n_defs + 1, sizeof(def)) < 0) {
		rc = tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	cd->defs[cd->n_defs++] = def;
	memset(&def, 0, sizeof(def));
done:
	free(def.name);
	free(def.pattern);
	tgpl_buf_release(&x);
	return rc;
}

/* Turn a complete `rule:` stanza into a rule of the set. */
static int finish_rule(const loader *ld, draft *d)
{
	struct clause_data *cd = ld->cd;
	const char *id = field(d, F_RULE), *kind = field(d, F_KIND), *scope = field(d, F_SCOPE);
	uint32_t start = d->line[F_RULE];
	crule r;
	size_t i;
	int rc = 0, f;

	memset(&r, 0, sizeof(r));
	r.file = ld->path;
	r.line = start;
	r.before = r.after = CL_DEF_REACH;
	if (!valid_name(id, strlen(id))) {
		rc = load_error(ld, start, "rule id '%s' must be 1-%d of a-z, 0-9, '-', '.'", id,
				CL_ID_MAX);
		goto done;
	}
	for (i = 0; i < cd->n_rules; i++)
		if (strcmp(cd->rules[i].id, id) == 0) {
			rc = load_error(ld, start, "duplicate rule id '%s' (first at %s:%u)", id,
					cd->rules[i].file, (unsigned)cd->rules[i].line);
			goto done;
		}
	for (f = F_KIND; f <= F_NOTE; f++)
		if ((f == F_KIND || f == F_KEYS || f == F_PATTERN || f == F_NOTE) &&
		    (!d->have[f] || !d->v[f].len)) {
			rc = load_error(ld, start, "rule '%s' has no '%s' field", id, field_names[f]);
			goto done;
		}
	if (d->have[F_CLAUSE] == d->have[F_SPDX]) {
		rc = load_error(ld, start, "rule '%s' needs one of 'clause' and 'spdx'", id);
		goto done;
	}
	if (cd->n_rules == CL_MAX_RULES) {
		rc = load_error(ld, start, "more than %d rules", CL_MAX_RULES);
		goto done;
	}
	if (d->have[F_CLAUSE]) {
		if (!is_clause_id(field(d, F_CLAUSE))) {
			rc = load_error(ld, d->line[F_CLAUSE], "unknown clause id '%s'", field(d, F_CLAUSE));
			goto done;
		}
		if (strcmp(kind, "text") != 0 && strcmp(kind, "paraphrase") != 0) {
			rc = load_error(ld, d->line[F_KIND], "kind must be 'text' or 'paraphrase', not '%s'",
					kind);
			goto done;
		}
	} else {
		r.is_license = 1;
		if (!valid_license_id(field(d, F_SPDX))) {
			rc = load_error(ld, d->line[F_SPDX], "bad licence id '%s'", field(d, F_SPDX));
			goto done;
		}
		if (strcmp(kind, "text") != 0) {
			rc = load_error(ld, d->line[F_KIND], "a licence rule has kind 'text', not '%s'",
					kind);
			goto done;
		}
	}
	r.text = strcmp(kind, "text") == 0;
	if (d->have[F_SCOPE] && strcmp(scope, "sentence") != 0 && strcmp(scope, "section") != 0) {
		rc = load_error(ld, d->line[F_SCOPE], "scope must be 'sentence' or 'section'");
		goto done;
	}
	r.section = strcmp(scope, "section") == 0;
	if ((d->have[F_STOP] && !r.section) || (r.section && d->have[F_BEFORE])) {
		rc = load_error(ld, start, "rule '%s': 'stop' goes with scope section, which has no "
				"'before'", id);
		goto done;
	}
	if ((rc = parse_reach(ld, d, F_BEFORE, &r.before)) < 0 ||
	    (rc = parse_reach(ld, d, F_AFTER, &r.after)) < 0)
		goto done;
	if (d->have[F_MIN]) {
		char *end = NULL;

		r.min = strtod(field(d, F_MIN), &end);
		if (!end || *end || r.min < 0 || r.min > 1) {
			rc = load_error(ld, d->line[F_MIN], "min must be a number from 0 to 1");
			goto done;
		}
	}
	if (d->have[F_GROUP] && !valid_name(field(d, F_GROUP), d->v[F_GROUP].len)) {
		rc = load_error(ld, d->line[F_GROUP], "group '%s' must be 1-%d of a-z, 0-9, '-', '.'",
				field(d, F_GROUP), CL_ID_MAX);
		goto done;
	}
	if (!(r.id = tgpl_strdup(id)) ||
	    !(r.target = tgpl_strdup(field(d, r.is_license ? F_SPDX : F_CLAUSE))) ||
	    !(r.group = tgpl_strdup(d->have[F_GROUP] ? field(d, F_GROUP) : r.target)) ||
	    !(r.keys = tgpl_calloc(CL_MAX_KEYS, sizeof(*r.keys))) ||
	    (d->have[F_ALSO] && !(r.also = tgpl_calloc(CL_MAX_KEYS, sizeof(*r.also))))) {
		rc = tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = parse_keys(ld, r.keys, &r.n_keys, field(d, F_KEYS), d->line[F_KEYS])) < 0 ||
	    (d->have[F_ALSO] &&
	     (rc = parse_keys(ld, r.also, &r.n_also, field(d, F_ALSO), d->line[F_ALSO])) < 0) ||
	    (rc = compile(ld, &r.re, field(d, F_PATTERN), d->line[F_PATTERN], "pattern")) < 0 ||
	    (d->have[F_UNLESS] &&
	     (rc = compile(ld, &r.unless, field(d, F_UNLESS), d->line[F_UNLESS], "unless pattern")) < 0) ||
	    (d->have[F_EXCLUDE] &&
	     (rc = compile(ld, &r.exclude, field(d, F_EXCLUDE), d->line[F_EXCLUDE],
			   "exclude pattern")) < 0) ||
	    (d->have[F_STOP] &&
	     (rc = compile(ld, &r.stop, field(d, F_STOP), d->line[F_STOP], "stop pattern")) < 0))
		goto done;
	for (i = 0; i < d->n_slots; i++)
		if ((rc = parse_slot(ld, &r, d->slot[i].ptr ? d->slot[i].ptr : "", d->slot_line[i])) < 0)
			goto done;
	if (d->have[F_REQUIRE] &&
	    (rc = parse_require(ld, &r, field(d, F_REQUIRE), d->line[F_REQUIRE])) < 0)
		goto done;
	if (tgpl_grow((void **)&cd->rules, &cd->cap_rules, cd->n_rules + 1, sizeof(r)) < 0) {
		rc = tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	cd->rules[cd->n_rules++] = r;
	memset(&r, 0, sizeof(r));
done:
	rule_release(&r);
	return rc;
}

static int finish_stanza(const loader *ld, draft *d)
{
	if (d->have[F_RULE])
		return finish_rule(ld, d);
	if (d->have[F_DEFINE])
		return finish_define(ld, d);
	return 0;
}

static int field_index(const char *name, size_t n)
{
	int f;

	for (f = 0; f < F_N; f++)
		if (strlen(field_names[f]) == n && memcmp(field_names[f], name, n) == 0)
			return f;
	return -1;
}

static int buf_append(const loader *ld, tgpl_buf *b, const char *what, const char *sep,
		      const char *s, size_t n, uint32_t line)
{
	size_t extra = (b->len ? strlen(sep) : 0) + n;

	if (b->len + extra > CL_MAX_FIELD)
		return load_error(ld, line, "field '%s' longer than %d bytes", what, CL_MAX_FIELD);
	if ((b->len && tgpl_buf_puts(b, sep) < 0) || tgpl_buf_put(b, s, n) < 0 ||
	    (!b->ptr && tgpl_buf_puts(b, "") < 0))
		return tgpl_error(ld->ctx, TGPL_ENOMEM, "out of memory");
	return 0;
}

/* One `field: value` line (value a..z); f is the field. */
static int draft_field(const loader *ld, draft *d, int f, const char *a, const char *z,
		       uint32_t lineno)
{
	int rc;

	if (f == F_RULE || f == F_DEFINE) {
		if ((rc = finish_stanza(ld, d)) < 0)
			return rc;
		draft_clear(d);
	} else if (!d->have[F_RULE] && !d->have[F_DEFINE]) {
		return load_error(ld, lineno, "field '%s' before any 'rule:' or 'define:'",
				  field_names[f]);
	} else if (d->have[f] && f != F_KEYS && f != F_ALSO && f != F_SLOT) {
		return load_error(ld, lineno, "duplicate field '%s'", field_names[f]);
	}
	if (a == z)
		return load_error(ld, lineno, "field '%s' is empty", field_names[f]);
	if (f == F_SLOT) {
		if (d->n_slots == CL_MAX_SLOTS)
			return load_error(ld, lineno, "more than %d slots", CL_MAX_SLOTS);
		d->slot_line[d->n_slots] = lineno;
		if ((rc = buf_append(ld, &d->slot[d->n_slots], "slot", " ", a, (size_t)(z - a),
				     lineno)) < 0)
			return rc;
		d->n_slots++;
	} else if ((rc = buf_append(ld, &d->v[f], field_names[f],
				    f == F_KEYS || f == F_ALSO ? "," : " ", a,
				    (size_t)(z - a), lineno)) < 0) {
		return rc;
	}
	if (!d->have[f])
		d->line[f] = lineno;
	d->have[f] = 1;
	d->last = f;
	return 0;
}

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
			rc = d.last == F_SLOT
			     ? buf_append(ld, &d.slot[d.n_slots - 1], "slot", " ", a, (size_t)(z - a), lineno)
			     : buf_append(ld, &d.v[d.last], field_names[d.last], " ", a, (size_t)(z - a),
					  lineno);
			if (rc < 0)
				goto done;
			continue;
		}
		colon = memchr(a, ':', (size_t)(z - a));
		if (!colon || (f = field_index(a, (size_t)(colon - a))) < 0) {
			rc = load_error(ld, lineno, "expected 'field: value' with a known field, got '%.*s'",
					(int)(z - a > 60 ? 60 : z - a), a);
			goto done;
		}
		a = colon + 1;
		while (a < z && (*a == ' ' || *a == '\t'))
			a++;
		if ((rc = draft_field(ld, &d, f, a, z, lineno)) < 0)
			goto done;
	}
	rc = finish_stanza(ld, &d);
done:
	draft_release(&d);
	return rc;
}

/* Read a whole data file (at most `max` bytes, no NUL) into *out. */
static int read_file(char **out, size_t *len, tgpl_ctx *ctx, const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	int rc = 0;

	if (!f)
		return tgpl_error(ctx, errno == ENOENT ? TGPL_ENOTFOUND : TGPL_EDATA,
				  "cannot open '%s': %s", path, strerror(errno));
	if (!(buf = tgpl_malloc(max + 1))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		rc = tgpl_error(ctx, TGPL_EDATA, "cannot read '%s': %s", path, strerror(errno));
		goto done;
	}
	if (n > max) {
		rc = tgpl_error(ctx, TGPL_EDATA, "%s: larger than %zu bytes", path, max);
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

static char *join_path(const char *dir, const char *name)
{
	tgpl_buf b = TGPL_BUF_INIT;

	if (tgpl_buf_printf(&b, "%s/%s", dir, name) < 0) {
		tgpl_buf_release(&b);
		return NULL;
	}
	return tgpl_buf_detach(&b);
}

static int load_one(struct clause_data *cd, tgpl_ctx *ctx, const char *path)
{
	loader ld;
	char *text = NULL, *copy;
	size_t len = 0;
	int rc;

	if (tgpl_grow((void **)&cd->files, &cd->cap_files, cd->n_files + 1, sizeof(char *)) < 0 ||
	    !(copy = tgpl_strdup(path)))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	cd->files[cd->n_files++] = copy;
	ld.cd = cd;
	ld.ctx = ctx;
	ld.path = copy;
	if ((rc = read_file(&text, &len, ctx, path, CL_MAX_FILE)) < 0)
		return rc == TGPL_ENOTFOUND ? TGPL_EDATA : rc;
	rc = parse_file(&ld, text, len);
	free(text);
	return rc;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the prefilter automaton ------------------------------------------- */

static int build_automaton(struct clause_data *cd)
{
	uint32_t *fail = NULL, *queue = NULL, max_states = 1, s, head = 0, tail = 0;
	size_t i, j;
	int c, rc = TGPL_ENOMEM;

	memset(cd->cls, 0, sizeof(cd->cls));
	cd->n_cls = 1;
	for (i = 0; i < cd->n_keys; i++) {
		for (j = 0; cd->keys[i][j]; j++) {
			unsigned char ch = (unsigned char)cd->keys[i][j];
			if (!cd->cls[ch])
				cd->cls[ch] = (unsigned char)cd->n_cls++;
		}
		max_states += (uint32_t)j;
	}
	for (c = 'A'; c <= 'Z'; c++)
		cd->cls[c] = cd->cls[c + ('a' - 'A')];
	cd->delta = tgpl_calloc((size_t)max_states * cd->n_cls, sizeof(*cd->delta));
	cd->term = tgpl_calloc(max_states, sizeof(*cd->term));
	cd->dict = tgpl_calloc(max_states, sizeof(*cd->dict));
	cd->has_out = tgpl_calloc(max_states, 1);
	fail = tgpl_calloc(max_states, sizeof(*fail));
	queue = tgpl_calloc(max_states, sizeof(*queue));
	if (!cd->delta || !cd->term || !cd->dict || !cd->has_out || !fail || !queue)
		goto done;
	for (s = 0; s < max_states; s++)
		cd->term[s] = -1;
	cd->n_states = 1;
	for (i = 0; i < cd->n_keys; i++) {
		s = 0;
		for (j = 0; cd->keys[i][j]; j++) {
			uint32_t *t = &cd->delta[(size_t)s * cd->n_cls +
						 cd->cls[(unsigned char)cd->keys[i][j]]];
			if (!*t)
				*t = cd->n_states++;
			s = *t;
		}
		cd->term[s] = (int32_t)i;
	}
	for (j = 1; j < cd->n_cls; j++)
		if ((s = cd->delta[j]))
			queue[tail++] = s;
	while (head < tail) {
		uint32_t u = queue[head++];

		for (j = 1; j < cd->n_cls; j++) {
			uint32_t *t = &cd->delta[(size_t)u * cd->n_cls + j];
			uint32_t fu = cd->delta[(size_t)fail[u] * cd->n_cls + j];

			if (*t) {
				fail[*t] = fu;
				cd->dict[*t] = cd->term[fu] >= 0 ? fu : cd->dict[fu];
				queue[tail++] = *t;
			} else {
				*t = fu;
			}
		}
	}
	for (s = 0; s < cd->n_states; s++)
		cd->has_out[s] = cd->term[s] >= 0 || cd->dict[s];
	rc = 0;
done:
	free(fail);
	free(queue);
	return rc;
}

size_t clauses_scan_keys(const struct clause_data *cd, const char *s, size_t n,
			 unsigned char *found)
{
	uint32_t st = 0;
	size_t i, nfound = 0;

	for (i = 0; i < n; i++) {
		st = cd->delta[(size_t)st * cd->n_cls + cd->cls[(unsigned char)s[i]]];
		if (cd->has_out[st]) {
			uint32_t u = cd->term[st] >= 0 ? st : cd->dict[st];

			while (u) {
				if (!found[cd->term[u]]) {
					found[cd->term[u]] = 1;
					nfound++;
				}
				u = cd->dict[u];
			}
		}
	}
	return nfound;
}

/* ---- the tables -------------------------------------------------------- */

typedef int (*row_cb)(struct clause_data *cd, tgpl_ctx *ctx, char **f, int nf,
		      const char *file, int line);

/* Read a tab-separated table; a missing file is no rows. */
static int read_table(struct clause_data *cd, tgpl_ctx *ctx, const char *datadir,
		      const char *name, row_cb cb)
{
	char *path = join_path(datadir, name), *text = NULL, *p, *end;
	size_t len = 0;
	int rc, line = 0, rows = 0;

	if (!path)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	rc = read_file(&text, &len, ctx, path, (size_t)TSV_LINE_MAX * TSV_MAX_ROWS);
	if (rc == TGPL_ENOTFOUND) {
		rc = 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	for (p = text, end = text + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *fields[8], *q = p;
		int nf = 0;

		if (nl)
			*nl = '\0';
		line++;
		if (strlen(p) > TSV_LINE_MAX) {
			rc = tgpl_error(ctx, TGPL_EDATA, "%s:%d: line longer than %d bytes", path, line,
					TSV_LINE_MAX);
			goto done;
		}
		if (*p && *p != '#') {
			while (nf < 8) {
				fields[nf++] = q;
				if (!(q = strchr(q, '\t')))
					break;
				*q++ = '\0';
			}
			if (++rows > TSV_MAX_ROWS) {
				rc = tgpl_error(ctx, TGPL_EDATA, "%s: more than %d rows", path, TSV_MAX_ROWS);
				goto done;
			}
			if ((rc = cb(cd, ctx, fields, nf, path, line)) < 0)
				goto done;
		}
		p = nl ? nl + 1 : end;
	}
done:
	free(text);
	free(path);
	return rc;
}

static int ai_row(struct clause_data *cd, tgpl_ctx *ctx, char **f, int nf, const char *file,
		  int line)
{
	ai_license a;
	size_t i;

	if (nf != 4 || !*f[1] || !*f[2] || !*f[3])
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: expected 'id<TAB>name<TAB>category<TAB>url'",
				  file, line);
	if (strncmp(f[0], "LicenseRef-", 11) != 0 || !valid_license_id(f[0]) || !f[0][11])
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: '%s' is not a LicenseRef- id", file, line,
				  f[0]);
	for (i = 0; i < cd->n_ai; i++)
		if (tgpl_strcasecmp(cd->ai[i].id, f[0]) == 0)
			return tgpl_error(ctx, TGPL_EDATA, "%s:%d: '%s' listed twice", file, line, f[0]);
	memset(&a, 0, sizeof(a));
	if (!(a.id = tgpl_strdup(f[0])) || !(a.name = tgpl_strdup(f[1])) ||
	    !(a.category = tgpl_strdup(f[2])) ||
	    (strcmp(f[3], "-") != 0 && !(a.url = tgpl_strdup(f[3]))) ||
	    tgpl_grow((void **)&cd->ai, &cd->cap_ai, cd->n_ai + 1, sizeof(a)) < 0) {
		free(a.id);
		free(a.name);
		free(a.category);
		free(a.url);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	cd->ai[cd->n_ai++] = a;
	return 0;
}

static int hf_row(struct clause_data *cd, tgpl_ctx *ctx, char **f, int nf, const char *file,
		  int line)
{
	hf_entry h;
	const char *c;

	if (nf != 2 || !*f[0] || !valid_license_id(f[1]))
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: expected 'keyword<TAB>licence id'", file,
				  line);
	for (c = f[0]; *c; c++)
		if ((unsigned char)*c <= 0x20 || (*c >= 'A' && *c <= 'Z'))
			return tgpl_error(ctx, TGPL_EDATA, "%s:%d: keyword '%s' must be lower case",
					  file, line, f[0]);
	if (clauses_hf_license(cd, f[0], strlen(f[0])))
		return tgpl_error(ctx, TGPL_EDATA, "%s:%d: '%s' listed twice", file, line, f[0]);
	memset(&h, 0, sizeof(h));
	if (!(h.kw = tgpl_strdup(f[0])) || !(h.id = tgpl_strdup(f[1])) ||
	    tgpl_grow((void **)&cd->hf, &cd->cap_hf, cd->n_hf + 1, sizeof(h)) < 0) {
		free(h.kw);
		free(h.id);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	cd->hf[cd->n_hf++] = h;
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

/* Load the rule files of `dir` into cd; *missing set if the directory is absent. */
static int load_rules(struct clause_data *cd, tgpl_ctx *ctx, const char *dir, int *missing)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	*missing = 0;
	if (!d) {
		*missing = errno == ENOENT;
		return tgpl_error(ctx, TGPL_EDATA, "cannot open clause rules '%s': %s", dir,
				  strerror(errno));
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 7 || strcmp(de->d_name + len - 6, ".rules") != 0)
			continue;
		if (tgpl_grow((void **)&names, &cap, n + 1, sizeof(*names)) < 0 ||
		    !(names[n] = tgpl_strdup(de->d_name))) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), str_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		char *path = join_path(dir, names[i]);

		rc = path ? load_one(cd, ctx, path) : tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		free(path);
	}
	if (rc == 0 && build_automaton(cd) < 0)
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int clauses_load_dir(struct clause_data **out, tgpl_ctx *ctx, const char *dir)
{
	struct clause_data *cd = NULL;
	int rc, missing;

	if (set_new(&cd) < 0)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	if ((rc = load_rules(cd, ctx, dir, &missing)) < 0) {
		clauses_free(cd);
		return rc;
	}
	*out = cd;
	return 0;
}

int clauses_load(struct clause_data **out, tgpl_ctx *ctx, const char *datadir)
{
	struct clause_data *cd = NULL;
	char *dir = NULL;
	int rc, missing = 0;

	if (set_new(&cd) < 0 || !(dir = join_path(datadir, "clauses"))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = load_rules(cd, ctx, dir, &missing)) < 0 && !missing)
		goto done;
	if ((rc = read_table(cd, ctx, datadir, "ai-licenses.tsv", ai_row)) < 0 ||
	    (rc = read_table(cd, ctx, datadir, "hf-licenses.tsv", hf_row)) < 0)
		goto done;
	*out = cd;
	cd = NULL;
done:
	free(dir);
	clauses_free(cd);
	return rc;
}
