/*
 * metadata.c — package manifests → declared licences (kind "metadata"), and
 * REUSE annotations (REUSE.toml, .reuse/dep5 → kind "tag", rule "reuse:<glob>").
 *
 * detect_metadata() looks at the file name first and returns at once for
 * anything that is not a manifest, so it costs nothing on ordinary files.
 * Each format is read with a real parser (jansson, libxml2, inih, our TOML
 * reader) or, for Ruby and the RFC 822 / Debian-control family, with small
 * line-based readers; a manifest that does not parse yields no hit.
 *
 * What a field holds decides how it is read:
 *  - an SPDX expression field (package.json "license", Cargo, PEP 639, nuspec
 *    expressions, REUSE) goes to spdx_emit() as written, unless the whole
 *    value is a known free-text name ("Apache 2.0"), which is mapped first;
 *  - a free-text name (pom.xml <name>, setup.cfg, PKG-INFO License:,
 *    gemspecs, R DESCRIPTION) is mapped through the SPDX full names and
 *    licenses/names.tsv, or accepted if it is a valid expression of known
 *    ids; otherwise it is kept as a hit with spdx NULL and a note
 *    "unrecognised licence name '...'" — never dropped;
 *  - a trove classifier ("License :: OSI Approved :: MIT License") is looked
 *    up whole, then by its last part.
 * Several licences in a list that the format defines as a choice (npm
 * "licenses", composer, R '|') become one OR expression; lists whose meaning
 * is not defined (pom.xml, gemspec "licenses", classifiers) give one hit each,
 * so the file's expression ANDs them — the cautious reading.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "detect/detect_int.h"
#include "detect/metadata.h"
#include "detect/spdx.h"
#include "util/jsonpos.h"
#include "util/toml.h"
#include "util/util.h"

#define MANIFEST_MAX   ((size_t)4 << 20)  /* larger manifests are not read */
#define MAX_STATEMENTS 1000               /* licence statements kept per manifest */
#define NAME_KEY_MAX   255                /* longer names are never looked up */
#define NAME_NOTE_MAX  100                /* bytes of a name quoted in a note */
#define GLOB_MAX       1024               /* longer REUSE globs are ignored */
#define DCF_MAX_FIELDS 128                /* fields kept per stanza */
#define RE_MATCH_LIMIT 200000

/* ---- the name table --------------------------------------------------- */

struct name_entry {
	char *key;   /* normalised name or URL */
	char *id;    /* SPDX id or expression */
};

struct name_table {
	struct name_entry *v;
	size_t n, cap;
};

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 'a' - 'A') : c;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_space((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static const char *find_str(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle));
}

static int prefix_ci(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p), i;

	if (n < k)
		return 0;
	for (i = 0; i < k; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)p[i]))
			return 0;
	return 1;
}

static int equal_ci(const char *s, size_t n, const char *p)
{
	return strlen(p) == n && prefix_ci(s, n, p);
}

/* The normalisation of engine_license_by_name(), into out[NAME_KEY_MAX + 1]; -1 if too long. */
static int norm_name(char *out, const char *s, size_t n)
{
	size_t i, o = 0;
	int space = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_alnum(c) || c == '.' || c == '+' || c == '-' || c >= 0x80) {
			if (space && o) {
				if (o >= NAME_KEY_MAX)
					return -1;
				out[o++] = ' ';
			}
			space = 0;
			if (o >= NAME_KEY_MAX)
				return -1;
			out[o++] = (char)lower(c);
		} else {
			space = 1;
		}
	}
	out[o] = '\0';
	return (int)o;
}

/* A URL without scheme, "www.", query, fragment, trailing '/' and file suffix. */
static int norm_url(char *out, const char *s, size_t n)
{
	static const char *const suffixes[] = { ".txt", ".html", ".htm", ".php" };
	const char *p = find_str(s, n, "://");
	size_t o = 0, i, k;

	if (p) {
		n -= (size_t)(p + 3 - s);
		s = p + 3;
	}
	if (prefix_ci(s, n, "www.")) {
		s += 4;
		n -= 4;
	}
	for (i = 0; i < n && s[i] != '?' && s[i] != '#'; i++) {
		if (o >= NAME_KEY_MAX)
			return -1;
		out[o++] = (char)lower((unsigned char)s[i]);
	}
	while (o && out[o - 1] == '/')
		o--;
	for (k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
		size_t sl = strlen(suffixes[k]);
		if (o > sl && memcmp(out + o - sl, suffixes[k], sl) == 0) {
			o -= sl;
			break;
		}
	}
	while (o && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	return (int)o;
}

static int norm_key(char *out, const char *s, size_t n)
{
	return find_str(s, n, "://") ? norm_url(out, s, n) : norm_name(out, s, n);
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_entry *)a)->key, ((const struct name_entry *)b)->key);
}

void names_free(struct name_table *names)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; i < names->n; i++) {
		free(names->v[i].key);
		free(names->v[i].id);
	}
	free(names->v);
	free(names);
}

size_t names_count(const struct name_table *names)
{
	return names ? names->n : 0;
}

int names_load(struct name_table **out, tgpl_ctx *ctx, const char *datadir)
{
	struct name_table *nt = NULL;
	tgpl_buf path = TGPL_BUF_INIT;
	char line[1024 + 2], key[NAME_KEY_MAX + 1];
	FILE *f = NULL;
	int lineno = 0, rc = 0;
	size_t i, o;

	nt = tgpl_calloc(1, sizeof(*nt));
	if (!nt || tgpl_buf_printf(&path, "%s/names.tsv", datadir ? datadir : ".") < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	f = fopen(path.ptr, "r");
	if (!f) {
		rc = tgpl_error(ctx, TGPL_EDATA, "cannot open '%s': %s", path.ptr, strerror(errno));
		goto done;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		char *tab, *id;
		const char *idp;
		size_t idn;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f)) {
			rc = tgpl_error(ctx, TGPL_EDATA, "%s:%d: line too long", path.ptr, lineno);
			goto done;
		}
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		tab = strchr(line, '\t');
		if (!tab || strchr(tab + 1, '\t')) {
			rc = tgpl_error(ctx, TGPL_EDATA, "%s:%d: expected 'name<TAB>spdx-id'",
					path.ptr, lineno);
			goto done;
		}
		idp = tab + 1;
		idn = strlen(idp);
		trim(&idp, &idn);
		if (!idn || norm_key(key, line, (size_t)(tab - line)) <= 0) {
			rc = tgpl_error(ctx, TGPL_EDATA, "%s:%d: empty or over-long name or id",
					path.ptr, lineno);
			goto done;
		}
		if (tgpl_grow((void **)&nt->v, &nt->cap, nt->n + 1, sizeof(*nt->v)) < 0 ||
		    !(id = tgpl_strndup(idp, idn))) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		nt->v[nt->n].id = id;
		if (!(nt->v[nt->n].key = tgpl_strdup(key))) {
			free(id);
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		nt->n++;
	}
	if (ferror(f)) {
		rc = tgpl_error(ctx, TGPL_EDATA, "cannot read '%s': %s", path.ptr, strerror(errno));
		goto done;
	}
	if (nt->n)
		qsort(nt->v, nt->n, sizeof(*nt->v), entry_cmp);
	/* One name, one id: a conflict is a mistake in the table. */
	for (i = 0, o = 0; i < nt->n; i++) {
		if (o && strcmp(nt->v[o - 1].key, nt->v[i].key) == 0) {
			if (strcmp(nt->v[o - 1].id, nt->v[i].id) != 0) {
				rc = tgpl_error(ctx, TGPL_EDATA, "%s: '%s' maps to both '%s' and '%s'",
						path.ptr, nt->v[i].key, nt->v[o - 1].id, nt->v[i].id);
				nt->n = o + (nt->n - i);   /* keep what is still owned */
				memmove(nt->v + o, nt->v + i, (nt->n - o) * sizeof(*nt->v));
				goto done;
			}
			free(nt->v[i].key);
			free(nt->v[i].id);
			continue;
		}
		nt->v[o++] = nt->v[i];
	}
	nt->n = o;
	*out = nt;
	nt = NULL;
done:
	if (f)
		fclose(f);
	tgpl_buf_release(&path);
	names_free(nt);
	return rc;
}

static const char *names_find(const struct name_table *names, const char *key)
{
	size_t lo = 0, hi = names->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, names->v[mid].key);
		if (c == 0)
			return names->v[mid].id;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *names_lookup(const struct name_table *names, const char *s, size_t n)
{
	char key[NAME_KEY_MAX + 1];
	const char *id;

	if (!names || !names->n)
		return NULL;
	trim(&s, &n);
	if (norm_key(key, s, n) <= 0)
		return NULL;
	if ((id = names_find(names, key)) != NULL)
		return id;
	if (strncmp(key, "the ", 4) == 0)
		return names_find(names, key + 4);
	return NULL;
}

/* ---- emitting hits ---------------------------------------------------- */

typedef struct {
	det_builder *b;
	const tgpl_engine *e;
	const text_view *t;
	const struct name_table *names;
	const char *kind;        /* the rule prefix: "package.json", "gemspec", ... */
	size_t n_statements;
	int rc;                  /* first failure inside a callback (inih) */
} mctx;

/* How a value is read (see the top of the file). */
enum { V_EXPR, V_NAME, V_CLASSIFIER };

/* "<kind>:<field>" into r[rn] (fields are short constants). */
static const char *rule_of(char *r, size_t rn, const mctx *m, const char *field)
{
	size_t a = strlen(m->kind), b = strlen(field);

	if (a > rn - 2)
		a = rn - 2;
	if (b > rn - 2 - a)
		b = rn - 2 - a;
	memcpy(r, m->kind, a);
	r[a] = ':';
	memcpy(r + a + 1, field, b);
	r[a + 1 + b] = '\0';
	return r;
}

/* Count a statement against the cap; 0 once over it (a note says so, once). */
static int under_cap(mctx *m, uint32_t line, int *rc)
{
	*rc = 0;
	if (++m->n_statements <= MAX_STATEMENTS)
		return 1;
	if (m->n_statements == MAX_STATEMENTS + 1)
		*rc = det_add_license(m->b, NULL, TGPL_KIND_METADATA, line, line, 0.0, m->kind,
				      "more than 1000 licence statements; the rest are not read",
				      NULL, 0);
	return 0;
}

static int emit_expr(mctx *m, const char *s, size_t n, tgpl_kind kind, uint32_t first,
		     uint32_t last, const char *rule)
{
	int rc;

	if (!under_cap(m, first, &rc))
		return rc;
	return spdx_emit(m->b, m->e, s, n, kind, first, last, rule);
}

static int emit_null(mctx *m, uint32_t line, const char *rule, double score, const char *note)
{
	int rc;

	if (!under_cap(m, line, &rc))
		return rc;
	return det_add_license(m->b, NULL, TGPL_KIND_METADATA, line, line, score, rule, note,
			       NULL, 0);
}

/* Quote s[0..n) for a note: control bytes become spaces, long text is cut. */
static int put_quoted(tgpl_buf *b, const char *s, size_t n)
{
	size_t i, cut = n > NAME_NOTE_MAX ? NAME_NOTE_MAX : n;

	while (cut < n && cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;   /* do not split a UTF-8 sequence */
	if (tgpl_buf_putc(b, '\'') < 0)
		return -1;
	for (i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		if (tgpl_buf_putc(b, (char)(c < 0x20 || c == 0x7f ? ' ' : c)) < 0)
			return -1;
	}
	return tgpl_buf_puts(b, cut < n ? "...'" : "'");
}

static int emit_note_about(mctx *m, uint32_t line, const char *rule, double score,
			   const char *before, const char *s, size_t n, const char *after)
{
	tgpl_buf note = TGPL_BUF_INIT;
	int rc;

	if (tgpl_buf_puts(&note, before) < 0 || put_quoted(&note, s, n) < 0 ||
	    tgpl_buf_puts(&note, after) < 0)
		rc = TGPL_ENOMEM;
	else
		rc = emit_null(m, line, rule, score, note.ptr);
	tgpl_buf_release(&note);
	return rc;
}

static int emit_unrecognised(mctx *m, const char *s, size_t n, uint32_t line, const char *rule)
{
	return emit_note_about(m, line, rule, 0.0, "unrecognised licence name ", s, n, "");
}

static int emit_file_ref(mctx *m, const char *s, size_t n, uint32_t line, const char *rule)
{
	trim(&s, &n);
	return emit_note_about(m, line, rule, 1.0, "licence in file ", s, n, "");
}

/* ---- resolving names -------------------------------------------------- */

/* The table's id for a name, then the SPDX full name's. */
static const char *lookup_name(const mctx *m, const char *s, size_t n)
{
	const tgpl_license_info *li;
	const char *id = names_lookup(m->names, s, n);

	if (id)
		return id;
	if (find_str(s, n, "://"))
		return NULL;
	li = engine_license_by_name(m->e, s, n);
	return li ? li->id : NULL;
}

static int is_ref_prefix(const char *w, size_t n)
{
	return prefix_ci(w, n, "LicenseRef-") || prefix_ci(w, n, "DocumentRef-") ||
	       prefix_ci(w, n, "AdditionRef-");
}

/* Is s[0..n) a well-formed SPDX expression of known ids only?  1, 0 or TGPL_ENOMEM. */
static int all_known(const mctx *m, const char *s, size_t n)
{
	char err[128], *canon = NULL;
	size_t i = 0, ids = 0;
	int rc;

	while (i < n) {
		size_t w = i, k;

		if (is_space((unsigned char)s[i]) || s[i] == '(' || s[i] == ')') {
			i++;
			continue;
		}
		while (i < n && !is_space((unsigned char)s[i]) && s[i] != '(' && s[i] != ')')
			i++;
		k = i - w;
		if (equal_ci(s + w, k, "AND") || equal_ci(s + w, k, "OR") || equal_ci(s + w, k, "WITH"))
			continue;
		if (k > 1 && s[w + k - 1] == '+')
			k--;
		if (!engine_license(m->e, s + w, k) && !engine_exception(m->e, s + w, k) &&
		    !is_ref_prefix(s + w, k))
			return 0;
		ids++;
	}
	if (!ids)
		return 0;
	rc = spdx_canonical(&canon, m->e, s, n, err, sizeof(err));
	free(canon);
	if (rc == TGPL_ENOMEM)
		return rc;
	return rc == 0;
}

/* A licence URL: SPDX and OSI pages by id, then the table.  NULL if unknown. */
static const char *lookup_url(const mctx *m, const char *s, size_t n)
{
	static const char *const by_id[] = { "spdx.org/licenses/", "opensource.org/licenses/" };
	char key[NAME_KEY_MAX + 1];
	size_t k;
	int kl;

	if ((kl = norm_url(key, s, n)) <= 0)
		return NULL;
	for (k = 0; k < sizeof(by_id) / sizeof(by_id[0]); k++) {
		size_t pl = strlen(by_id[k]);
		const tgpl_license_info *li;

		if ((size_t)kl > pl && memcmp(key, by_id[k], pl) == 0 &&
		    (li = engine_license(m->e, key + pl, (size_t)kl - pl)) != NULL)
			return li->id;
	}
	return names_lookup(m->names, s, n);
}

/*
 * Resolve a value to an SPDX expression in *out.  1 if resolved, 0 if not
 * (the caller keeps it as an unrecognised name), or TGPL_ENOMEM.
 */
static int resolve(const mctx *m, const char *s, size_t n, int how, tgpl_buf *out)
{
	const char *id;
	int rc;

	trim(&s, &n);
	if (!n)
		return 0;
	if (how == V_CLASSIFIER) {
		const char *last = s, *p;

		if (!(id = lookup_name(m, s, n))) {
			while ((p = find_str(last, n - (size_t)(last - s), "::")) != NULL)
				last = p + 2;
			if (last != s)
				id = lookup_name(m, last, n - (size_t)(last - s));
		}
		if (!id)
			return 0;
	} else if (find_str(s, n, "://")) {
		if (!(id = lookup_url(m, s, n)))
			return 0;
	} else if (engine_license(m->e, s, n)) {
		id = engine_license(m->e, s, n)->id;   /* a plain id is never a name */
	} else if (!(id = lookup_name(m, s, n))) {
		if (how == V_NAME && (rc = all_known(m, s, n)) <= 0)
			return rc;
		return tgpl_buf_put(out, s, n) < 0 ? TGPL_ENOMEM : 1;
	}
	return tgpl_buf_puts(out, id) < 0 ? TGPL_ENOMEM : 1;
}

/* Resolve and emit one value; unresolved names are kept with a note. */
static int emit_value(mctx *m, const char *s, size_t n, int how, uint32_t line, const char *rule)
{
	tgpl_buf x = TGPL_BUF_INIT;
	int rc;

	trim(&s, &n);
	if (!n)
		return 0;
	rc = resolve(m, s, n, how, &x);
	if (rc > 0)
		rc = emit_expr(m, x.ptr, x.len, TGPL_KIND_METADATA, line, line, rule);
	else if (rc == 0)
		rc = emit_unrecognised(m, s, n, line, rule);
	tgpl_buf_release(&x);
	return rc;
}

/* Alternatives joined with OR; the parts that do not resolve get a note each. */
typedef struct {
	tgpl_buf expr;
	size_t parts;
	uint32_t first, last;
	int first_compound;
} or_acc;

static int or_add(mctx *m, or_acc *a, const char *s, size_t n, int how, uint32_t line,
		  const char *rule)
{
	tgpl_buf x = TGPL_BUF_INIT;
	int rc;

	trim(&s, &n);
	if (!n)
		return 0;
	rc = resolve(m, s, n, how, &x);
	if (rc == 0) {
		rc = emit_unrecognised(m, s, n, line, rule);
	} else if (rc > 0) {
		/* Compound parts are parenthesised, the first one only once a second comes. */
		int paren = a->parts && memchr(x.ptr, ' ', x.len) != NULL;

		rc = 0;
		if (a->parts == 1 && a->first_compound) {
			tgpl_buf w = TGPL_BUF_INIT;
			if (tgpl_buf_putc(&w, '(') < 0 || tgpl_buf_put(&w, a->expr.ptr, a->expr.len) < 0 ||
			    tgpl_buf_putc(&w, ')') < 0)
				rc = TGPL_ENOMEM;
			tgpl_buf_release(&a->expr);
			a->expr = w;
		}
		if (rc == 0 &&
		    ((a->parts && tgpl_buf_puts(&a->expr, " OR ") < 0) ||
		     (paren && tgpl_buf_putc(&a->expr, '(') < 0) ||
		     tgpl_buf_put(&a->expr, x.ptr, x.len) < 0 ||
		     (paren && tgpl_buf_putc(&a->expr, ')') < 0)))
			rc = TGPL_ENOMEM;
		if (!a->parts++) {
			a->first = line;
			a->first_compound = memchr(x.ptr, ' ', x.len) != NULL;
		}
		a->last = line;
	}
	tgpl_buf_release(&x);
	return rc;
}

static int or_emit(mctx *m, or_acc *a, const char *rule)
{
	int rc = 0;

	if (a->parts)
		rc = emit_expr(m, a->expr.ptr, a->expr.len, TGPL_KIND_METADATA, a->first, a->last,
			       rule);
	tgpl_buf_release(&a->expr);
	return rc;
}

/* ---- JSON: package.json, composer.json -------------------------------- */

static uint32_t line_at(const mctx *m, size_t off, uint32_t fallback)
{
	return off < m->t->len ? text_line_of(m->t, off) : fallback;
}

/* package.json's "license" string: an expression, UNLICENSED, or SEE LICENSE IN <file>. */
static int npm_license_string(mctx *m, const char *s, size_t n, uint32_t line)
{
	char r[64];

	rule_of(r, sizeof(r), m, "license");
	trim(&s, &n);
	if (equal_ci(s, n, "UNLICENSED"))
		return emit_null(m, line, r, 1.0, "UNLICENSED: all rights reserved");
	if (prefix_ci(s, n, "SEE LICENSE IN "))
		return emit_file_ref(m, s + 15, n - 15, line, r);
	return emit_value(m, s, n, V_EXPR, line, r);
}

/* An npm "licenses" element or legacy "license" object: {"type": ..., "url": ...}. */
static const char *npm_type(json_t *v, size_t *len)
{
	if (json_is_object(v))
		v = json_object_get(v, "type");
	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

static int do_json(mctx *m, int composer)
{
	const char *s = m->t->data;
	size_t n = m->t->len, obj, off, i, len;
	json_error_t jerr;
	json_t *root, *lic;
	uint32_t line;
	char r[64];
	int rc = 0;

	root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root))
		goto done;
	obj = jsonpos_ws(s, n, 0);
	line = line_at(m, obj, 1);
	lic = json_object_get(root, "license");
	off = jsonpos_member(s, n, obj, "license");
	if (json_is_string(lic)) {
		if (composer)
			rc = emit_value(m, json_string_value(lic), json_string_length(lic), V_EXPR,
					line_at(m, off, line), rule_of(r, sizeof(r), m, "license"));
		else
			rc = npm_license_string(m, json_string_value(lic), json_string_length(lic),
						line_at(m, off, line));
	} else if (json_is_object(lic) && !composer) {
		const char *ty = npm_type(lic, &len);
		if (ty)
			rc = emit_value(m, ty, len, V_EXPR, line_at(m, jsonpos_member(s, n, off, "type"), line),
					rule_of(r, sizeof(r), m, "license.type"));
	} else if (json_is_array(lic) && composer) {
		or_acc a = { TGPL_BUF_INIT, 0, 0, 0, 0 };

		rule_of(r, sizeof(r), m, "license");
		for (i = 0; rc == 0 && i < json_array_size(lic); i++) {
			json_t *v = json_array_get(lic, i);
			if (json_is_string(v))
				rc = or_add(m, &a, json_string_value(v), json_string_length(v), V_EXPR,
					    line_at(m, jsonpos_element(s, n, off, i), line), r);
		}
		if (rc == 0)
			rc = or_emit(m, &a, r);
		tgpl_buf_release(&a.expr);
	}
	if (rc == 0 && !composer) {
		json_t *ls = json_object_get(root, "licenses");
		or_acc a = { TGPL_BUF_INIT, 0, 0, 0, 0 };

		off = jsonpos_member(s, n, obj, "licenses");
		rule_of(r, sizeof(r), m, "licenses");
		if (json_is_object(ls)) {
			const char *ty = npm_type(ls, &len);
			if (ty)
				rc = or_add(m, &a, ty, len, V_EXPR,
					    line_at(m, jsonpos_member(s, n, off, "type"), line), r);
		}
		for (i = 0; rc == 0 && json_is_array(ls) && i < json_array_size(ls); i++) {
			json_t *v = json_array_get(ls, i);
			size_t el = jsonpos_element(s, n, off, i);
			const char *ty = npm_type(v, &len);

			if (ty)
				rc = or_add(m, &a, ty, len, V_EXPR,
					    line_at(m, json_is_object(v) ? jsonpos_member(s, n, el, "type") : el,
						    line), r);
		}
		if (rc == 0)
			rc = or_emit(m, &a, r);
		tgpl_buf_release(&a.expr);
	}
done:
	json_decref(root);
	return rc;
}

/* ---- TOML: Cargo.toml, pyproject.toml, REUSE.toml --------------------- */

/* Parse the manifest: 0, 1 if it is not valid TOML (nothing to report), or TGPL_ENOMEM. */
static int toml_read(toml_node **root, const mctx *m)
{
	toml_error err;
	int rc = toml_parse(root, m->t->data, m->t->len, &err);

	return rc == TGPL_ENOMEM ? rc : rc < 0;
}

static int is_str(const toml_node *v)
{
	return v && v->type == TOML_STRING;
}

static int do_cargo(mctx *m)
{
	static const char *const tables[] = { "package", "workspace.package" };
	toml_node *root = NULL;
	tgpl_buf x = TGPL_BUF_INIT;
	char r[64], field[64];
	size_t k, i;
	int rc = 0;

	if ((rc = toml_read(&root, m)) != 0) {
		rc = rc < 0 ? rc : 0;
		goto done;
	}
	for (k = 0; rc == 0 && k < 2; k++) {
		const toml_node *pkg = toml_get(root, tables[k]);
		const toml_node *lic = toml_child(pkg, "license", 7);
		const toml_node *lf = toml_child(pkg, "license-file", 12);

		if (is_str(lic)) {
			/* Cargo once allowed '/' for OR ("MIT/Apache-2.0"). */
			tgpl_buf_clear(&x);
			for (i = 0; rc == 0 && i < lic->len; i++)
				if (lic->str[i] == '/' ? tgpl_buf_puts(&x, " OR ") < 0
						       : tgpl_buf_putc(&x, lic->str[i]) < 0)
					rc = TGPL_ENOMEM;
			snprintf(field, sizeof(field), "%s.license", tables[k]);
			if (rc == 0 && x.ptr)
				rc = emit_value(m, x.ptr, x.len, V_EXPR, lic->line,
						rule_of(r, sizeof(r), m, field));
		}
		if (rc == 0 && is_str(lf)) {
			snprintf(field, sizeof(field), "%s.license-file", tables[k]);
			rc = emit_file_ref(m, lf->str, lf->len, lf->line, rule_of(r, sizeof(r), m, field));
		}
	}
done:
	tgpl_buf_release(&x);
	toml_free(root);
	return rc;
}

static int emit_classifiers(mctx *m, const toml_node *list, const char *field)
{
	char r[96];
	size_t i;
	int rc = 0;

	if (!list || list->type != TOML_ARRAY)
		return 0;
	rule_of(r, sizeof(r), m, field);
	for (i = 0; rc == 0 && i < list->n_items; i++) {
		const toml_node *c = list->items[i];
		if (is_str(c) && prefix_ci(c->str, c->len, "License ::"))
			rc = emit_value(m, c->str, c->len, V_CLASSIFIER, c->line, r);
	}
	return rc;
}

static int do_pyproject(mctx *m)
{
	toml_node *root = NULL;
	const toml_node *proj, *lic, *v, *poetry;
	char r[96];
	int rc = 0;

	if ((rc = toml_read(&root, m)) != 0) {
		rc = rc < 0 ? rc : 0;
		goto done;
	}
	proj = toml_get(root, "project");
	lic = toml_child(proj, "license", 7);
	if (is_str(lic)) {
		rc = emit_value(m, lic->str, lic->len, V_EXPR, lic->line,
				rule_of(r, sizeof(r), m, "project.license"));
	} else if (lic && lic->type == TOML_TABLE) {
		if (is_str(v = toml_child(lic, "text", 4)))
			rc = emit_value(m, v->str, v->len, V_NAME, v->line,
					rule_of(r, sizeof(r), m, "project.license.text"));
		if (rc == 0 && is_str(v = toml_child(lic, "file", 4)))
			rc = emit_file_ref(m, v->str, v->len, v->line,
					   rule_of(r, sizeof(r), m, "project.license.file"));
	}
	if (rc == 0 && is_str(v = toml_child(proj, "license-expression", 18)))
		rc = emit_value(m, v->str, v->len, V_EXPR, v->line,
				rule_of(r, sizeof(r), m, "project.license-expression"));
	if (rc == 0)
		rc = emit_classifiers(m, toml_child(proj, "classifiers", 11), "project.classifiers");
	poetry = toml_get(root, "tool.poetry");
	if (rc == 0 && is_str(v = toml_child(poetry, "license", 7)))
		rc = emit_value(m, v->str, v->len, V_EXPR, v->line,
				rule_of(r, sizeof(r), m, "tool.poetry.license"));
	if (rc == 0)
		rc = emit_classifiers(m, toml_child(poetry, "classifiers", 11),
				      "tool.poetry.classifiers");
done:
	toml_free(root);
	return rc;
}

/* One REUSE annotation: an expression for each of the globs. */
static int reuse_emit(mctx *m, const toml_node *expr, const toml_node *paths)
{
	tgpl_buf r = TGPL_BUF_INIT;
	const toml_node *one[1];
	const toml_node *const *globs = one;
	size_t n_globs = 1, i;
	int rc = 0;

	one[0] = paths;
	if (paths->type == TOML_ARRAY) {
		globs = (const toml_node *const *)paths->items;
		n_globs = paths->n_items;
	}
	for (i = 0; rc == 0 && i < n_globs; i++) {
		if (!is_str(globs[i]) || !globs[i]->len || globs[i]->len > GLOB_MAX ||
		    memchr(globs[i]->str, '\0', globs[i]->len))
			continue;
		tgpl_buf_clear(&r);
		if (tgpl_buf_puts(&r, "reuse:") < 0 || tgpl_buf_put(&r, globs[i]->str, globs[i]->len) < 0)
			rc = TGPL_ENOMEM;
		else
			rc = emit_expr(m, expr->str, expr->len, TGPL_KIND_TAG, expr->line, expr->line,
				       r.ptr);
	}
	tgpl_buf_release(&r);
	return rc;
}

static int do_reuse_toml(mctx *m)
{
	toml_node *root = NULL;
	const toml_node *ann;
	size_t i, k;
	int rc = 0;

	if ((rc = toml_read(&root, m)) != 0) {
		rc = rc < 0 ? rc : 0;
		goto done;
	}
	ann = toml_get(root, "annotations");
	if (!ann || ann->type != TOML_ARRAY)
		goto done;
	for (i = 0; rc == 0 && i < ann->n_items; i++) {
		const toml_node *a = ann->items[i];
		const toml_node *paths = toml_child(a, "path", 4);
		const toml_node *ids = toml_child(a, "SPDX-License-Identifier", 23);

		if (!paths || !ids)
			continue;
		if (is_str(ids))
			rc = reuse_emit(m, ids, paths);
		for (k = 0; rc == 0 && ids->type == TOML_ARRAY && k < ids->n_items; k++)
			if (is_str(ids->items[k]))
				rc = reuse_emit(m, ids->items[k], paths);
	}
done:
	toml_free(root);
	return rc;
}

/* ---- setup.cfg (inih) ------------------------------------------------- */

typedef struct {
	mctx *m;
	const char *s;
	size_t n, pos;
	uint32_t line;       /* lines handed to inih so far = the current line */
	int seen_license;
} ini_state;

/* inih's reader: one physical line per call; the part past `num` is dropped. */
static char *ini_read(char *str, int num, void *stream)
{
	ini_state *st = stream;
	size_t i = st->pos, k = 0, room = num > 2 ? (size_t)num - 2 : 0;

	if (st->pos >= st->n)
		return NULL;
	while (i < st->n && st->s[i] != '\n') {
		if (k < room)
			str[k++] = st->s[i] ? st->s[i] : ' ';
		i++;
	}
	if (i < st->n)
		i++;
	str[k++] = '\n';
	str[k] = '\0';
	st->pos = i;
	st->line++;
	return str;
}

static int ini_cb(void *user, const char *section, const char *name, const char *value)
{
	ini_state *st = user;
	mctx *m = st->m;
	size_t vn = strlen(value);
	char r[64];
	int rc = 0;

	if (m->rc < 0 || strcmp(section, "metadata") != 0)
		return 1;
	trim(&value, &vn);
	if (!vn)
		return 1;
	if (strcmp(name, "license") == 0 && !st->seen_license) {
		st->seen_license = 1;
		rule_of(r, sizeof(r), m, "metadata.license");
		if (prefix_ci(value, vn, "file:"))
			rc = emit_file_ref(m, value + 5, vn - 5, st->line, r);
		else
			rc = emit_value(m, value, vn, V_NAME, st->line, r);
	} else if (strcmp(name, "license_expression") == 0) {
		rc = emit_value(m, value, vn, V_EXPR, st->line,
				rule_of(r, sizeof(r), m, "metadata.license_expression"));
	} else if (strcmp(name, "classifiers") == 0 && prefix_ci(value, vn, "License ::")) {
		rc = emit_value(m, value, vn, V_CLASSIFIER, st->line,
				rule_of(r, sizeof(r), m, "metadata.classifiers"));
	}
	if (rc < 0)
		m->rc = rc;
	return 1;
}

static int do_setup_cfg(mctx *m)
{
	ini_state st;

	memset(&st, 0, sizeof(st));
	st.m = m;
	st.s = m->t->data;
	st.n = m->t->len;
	ini_parse_stream(ini_read, &st, ini_cb, &st);
	return m->rc;
}

/* ---- RFC 822 / Debian control stanzas ---------------------------------- */

typedef struct {
	const char *name;
	size_t name_len;
	const char *val;        /* the value on the field's own line, trimmed */
	size_t val_len;
	uint32_t line, last_line;
	size_t cont_off, cont_end;  /* continuation lines, as bytes of the file */
} dcf_field;

/* Line i (0-based) without its newline. */
static void line_span(const text_view *t, uint32_t i, const char **s, size_t *n)
{
	size_t a = t->line_off[i], e = i + 1 < t->n_lines ? t->line_off[i + 1] : t->len;

	while (e > a && (t->data[e - 1] == '\n' || t->data[e - 1] == '\r'))
		e--;
	*s = t->data + a;
	*n = e - a;
}

static int blank(const char *s, size_t n)
{
	trim(&s, &n);
	return n == 0;
}

/*
 * Read the stanza at line *li: fields into f[0..max), their count returned;
 * *li moves past it.  Comment lines ('#') are skipped.
 */
static size_t dcf_stanza(const text_view *t, uint32_t *li, dcf_field *f, size_t max)
{
	size_t nf = 0;
	dcf_field *cur = NULL;
	const char *s, *colon;
	size_t n;

	while (*li < t->n_lines) {
		line_span(t, *li, &s, &n);
		if (!blank(s, n) && s[0] != '#')
			break;
		(*li)++;
	}
	for (; *li < t->n_lines; (*li)++) {
		line_span(t, *li, &s, &n);
		if (blank(s, n))
			break;
		if (s[0] == '#')
			continue;
		if (s[0] == ' ' || s[0] == '\t') {
			if (cur) {
				if (!cur->cont_off)
					cur->cont_off = (size_t)(s - t->data);
				cur->cont_end = (size_t)(s - t->data) + n;
				cur->last_line = *li + 1;
			}
			continue;
		}
		cur = NULL;
		colon = memchr(s, ':', n);
		if (!colon || nf >= max)
			continue;
		cur = &f[nf++];
		memset(cur, 0, sizeof(*cur));
		cur->name = s;
		cur->name_len = (size_t)(colon - s);
		trim(&cur->name, &cur->name_len);
		cur->val = colon + 1;
		cur->val_len = n - (size_t)(colon + 1 - s);
		trim(&cur->val, &cur->val_len);
		cur->line = cur->last_line = *li + 1;
	}
	return nf;
}

static int field_is(const dcf_field *f, const char *name)
{
	return equal_ci(f->name, f->name_len, name);
}

static const dcf_field *field_get(const dcf_field *f, size_t nf, const char *name)
{
	size_t i;

	for (i = 0; i < nf; i++)
		if (field_is(&f[i], name))
			return &f[i];
	return NULL;
}

/* PKG-INFO, METADATA: the header block of a Python distribution. */
static int do_pkginfo(mctx *m, dcf_field *f)
{
	uint32_t li = 0;
	size_t nf = dcf_stanza(m->t, &li, f, DCF_MAX_FIELDS), i;
	char r[96];
	int rc = 0;

	if (!field_get(f, nf, "Metadata-Version"))
		return 0;
	for (i = 0; rc == 0 && i < nf; i++) {
		const dcf_field *x = &f[i];

		if (field_is(x, "License-Expression")) {
			rc = emit_value(m, x->val, x->val_len, V_EXPR, x->line,
					rule_of(r, sizeof(r), m, "License-Expression"));
		} else if (field_is(x, "License")) {
			rule_of(r, sizeof(r), m, "License");
			if (x->cont_off)
				rc = emit_note_about(m, x->line, r, 0.0,
						     "licence text, not a name, in the License field: ",
						     x->val, x->val_len, "");
			else if (x->val_len && !equal_ci(x->val, x->val_len, "UNKNOWN"))
				rc = emit_value(m, x->val, x->val_len, V_NAME, x->line, r);
		} else if (field_is(x, "Classifier") && prefix_ci(x->val, x->val_len, "License ::")) {
			rc = emit_value(m, x->val, x->val_len, V_CLASSIFIER, x->line,
					rule_of(r, sizeof(r), m, "Classifier"));
		}
	}
	return rc;
}

/* The value of a field with its continuation lines, joined by spaces. */
static int field_text(const text_view *t, const dcf_field *f, tgpl_buf *out)
{
	size_t i;

	if (tgpl_buf_put(out, f->val, f->val_len) < 0)
		return TGPL_ENOMEM;
	for (i = f->cont_off; f->cont_off && i < f->cont_end; i++) {
		char c = t->data[i];
		if (tgpl_buf_putc(out, c == '\n' || c == '\r' || c == '\t' ? ' ' : c) < 0)
			return TGPL_ENOMEM;
	}
	return 0;
}

/*
 * One alternative of an R licence field: "GPL (>= 2)", "MIT + file LICENSE",
 * "BSD_3_clause + file LICENSE", "Apache License 2.0", "LGPL-2.1".
 */
static int r_resolve(const mctx *m, const char *s, size_t n, tgpl_buf *out)
{
	const char *open, *p;
	char id[64];

	trim(&s, &n);
	/* "+ file LICENSE" adds copyright holders or terms kept in the file. */
	if ((p = find_str(s, n, "+ file ")) != NULL || (p = find_str(s, n, "+file ")) != NULL) {
		n = (size_t)(p - s);
		trim(&s, &n);
	}
	open = memchr(s, '(', n);
	if (open && s[n - 1] == ')') {
		const char *v = open + 1, *base = s;
		size_t vn = (size_t)(s + n - 1 - v), bn = (size_t)(open - s);
		int later;
		const char *family = NULL;

		trim(&v, &vn);
		trim(&base, &bn);
		if (prefix_ci(v, vn, ">="))
			later = 1;
		else if (prefix_ci(v, vn, "=="))
			later = 0;
		else
			return 0;
		v += 2;
		vn -= 2;
		trim(&v, &vn);
		if (equal_ci(base, bn, "GPL"))
			family = "GPL";
		else if (equal_ci(base, bn, "LGPL"))
			family = "LGPL";
		else if (equal_ci(base, bn, "AGPL"))
			family = "AGPL";
		if (!family || vn == 0 || vn > 8)
			return 0;
		snprintf(id, sizeof(id), "%s-%.*s%s-%s", family, (int)vn, v,
			 memchr(v, '.', vn) ? "" : ".0", later ? "or-later" : "only");
		if (!engine_license(m->e, id, strlen(id)))
			return 0;
		return tgpl_buf_puts(out, id) < 0 ? TGPL_ENOMEM : 1;
	}
	return resolve(m, s, n, V_NAME, out);
}

static int do_r_description(mctx *m, dcf_field *f)
{
	uint32_t li = 0;
	size_t nf = dcf_stanza(m->t, &li, f, DCF_MAX_FIELDS), a, b;
	const dcf_field *lic;
	tgpl_buf text = TGPL_BUF_INIT, x = TGPL_BUF_INIT;
	or_acc acc = { TGPL_BUF_INIT, 0, 0, 0, 0 };
	char r[64];
	int rc = 0;

	if (!field_get(f, nf, "Package") || !(lic = field_get(f, nf, "License")))
		return 0;
	rule_of(r, sizeof(r), m, "License");
	if ((rc = field_text(m->t, lic, &text)) < 0)
		goto done;
	for (a = 0; rc == 0 && a < text.len; a = b + 1) {
		const char *s;
		size_t n;

		for (b = a; b < text.len && text.ptr[b] != '|'; b++)
			;
		s = text.ptr + a;
		n = b - a;
		trim(&s, &n);
		if (!n)
			continue;
		if (prefix_ci(s, n, "file ")) {
			rc = emit_file_ref(m, s + 5, n - 5, lic->line, r);
			continue;
		}
		tgpl_buf_clear(&x);
		rc = r_resolve(m, s, n, &x);
		if (rc == 0) {
			rc = emit_unrecognised(m, s, n, lic->line, r);
		} else if (rc > 0) {
			/* Resolved: join through or_add(), which takes an expression as is. */
			rc = or_add(m, &acc, x.ptr, x.len, V_EXPR, lic->line, r);
		}
	}
	if (rc == 0) {
		acc.last = lic->last_line;
		rc = or_emit(m, &acc, r);
	}
done:
	tgpl_buf_release(&acc.expr);
	tgpl_buf_release(&text);
	tgpl_buf_release(&x);
	return rc;
}

/* .reuse/dep5: "Files: glob..." / "License: expr" stanzas. */
static int do_dep5(mctx *m, dcf_field *f)
{
	tgpl_buf globs = TGPL_BUF_INIT, r = TGPL_BUF_INIT;
	uint32_t li = 0;
	int rc = 0;

	while (rc == 0 && li < m->t->n_lines) {
		size_t nf = dcf_stanza(m->t, &li, f, DCF_MAX_FIELDS), i, g;
		const dcf_field *files = field_get(f, nf, "Files");
		const dcf_field *lic = field_get(f, nf, "License");

		if (!files || !lic || !lic->val_len)
			continue;
		tgpl_buf_clear(&globs);
		if ((rc = field_text(m->t, files, &globs)) < 0)
			break;
		for (i = 0; rc == 0 && i < globs.len; i = g) {
			while (i < globs.len && is_space((unsigned char)globs.ptr[i]))
				i++;
			for (g = i; g < globs.len && !is_space((unsigned char)globs.ptr[g]); g++)
				;
			if (g == i || g - i > GLOB_MAX || memchr(globs.ptr + i, '\0', g - i))
				continue;
			tgpl_buf_clear(&r);
			if (tgpl_buf_puts(&r, "reuse:") < 0 || tgpl_buf_put(&r, globs.ptr + i, g - i) < 0)
				rc = TGPL_ENOMEM;
			else
				rc = emit_expr(m, lic->val, lic->val_len, TGPL_KIND_TAG, lic->line,
					       lic->line, r.ptr);
		}
	}
	tgpl_buf_release(&globs);
	tgpl_buf_release(&r);
	return rc;
}

/* ---- Ruby: *.gemspec, *.podspec (PCRE2) ------------------------------- */

typedef struct {
	pcre2_code *re;
	pcre2_match_data *md;
} regex;

static void re_free(regex *x)
{
	pcre2_match_data_free(x->md);
	pcre2_code_free(x->re);
	x->md = NULL;
	x->re = NULL;
}

static int re_compile(regex *x, const char *pat)
{
	PCRE2_SIZE eoff;
	int err;

	x->md = NULL;
	x->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &err, &eoff,
			      NULL);
	if (x->re)
		x->md = pcre2_match_data_create_from_pattern(x->re, NULL);
	if (!x->re || !x->md) {
		re_free(x);
		return TGPL_ENOMEM;   /* constant patterns: only memory can make this fail */
	}
	return 0;
}

/* Next match of x in s[*pos..n): 1 with ovector in *ov, 0 when none is left. */
static int re_next(regex *x, pcre2_match_context *mc, const char *s, size_t n, size_t *pos,
		   PCRE2_SIZE **ov)
{
	int rc;

	if (*pos > n)
		return 0;
	rc = pcre2_match(x->re, (PCRE2_SPTR)s, n, *pos, 0, x->md, mc);
	if (rc <= 0)
		return 0;
	*ov = pcre2_get_ovector_pointer(x->md);
	*pos = (*ov)[1] > (*ov)[0] ? (*ov)[1] : (*ov)[0] + 1;
	return 1;
}

/* The group (1 or 2: double or single quotes) that matched. */
static int quoted(const PCRE2_SIZE *ov, int first, size_t *a, size_t *b)
{
	int g = ov[2 * first] != PCRE2_UNSET ? first : first + 1;

	if (ov[2 * g] == PCRE2_UNSET)
		return 0;
	*a = ov[2 * g];
	*b = ov[2 * g + 1];
	return 1;
}

#define RB_Q "(?:\"([^\"\\n]{1,200})\"|'([^'\\n]{1,200})')"
#define RB_LHS "^[ \\t]*[A-Za-z_][A-Za-z0-9_]*\\.licen[cs]e"

static int do_ruby(mctx *m)
{
	const char *s = m->t->data;
	size_t n = m->t->len, pos, a, b;
	regex one = { 0 }, list = { 0 }, hash = { 0 }, str = { 0 }, type = { 0 }, file = { 0 };
	pcre2_match_context *mc = NULL;
	PCRE2_SIZE *ov;
	char r1[64], rn[64];
	int rc;

	if ((rc = re_compile(&one, RB_LHS "s?[ \\t]*=[ \\t]*" RB_Q)) < 0 ||
	    (rc = re_compile(&list, RB_LHS "s[ \\t]*=[ \\t]*(?:\\[([^\\]]{0,4000})\\]|"
					 "%[wW][ \\t]*[\\[(]([^\\])]{0,4000})[\\])])")) < 0 ||
	    (rc = re_compile(&hash, RB_LHS "[ \\t]*=[ \\t]*\\{([^}]{0,4000})\\}")) < 0 ||
	    (rc = re_compile(&str, RB_Q)) < 0 ||
	    (rc = re_compile(&type, "(?::type[ \\t]*=>|\\btype:)[ \\t]*" RB_Q)) < 0 ||
	    (rc = re_compile(&file, "(?::file[ \\t]*=>|\\bfile:)[ \\t]*" RB_Q)) < 0)
		goto done;
	if (!(mc = pcre2_match_context_create(NULL))) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	pcre2_set_match_limit(mc, RE_MATCH_LIMIT);
	pcre2_set_depth_limit(mc, 1000);
	rule_of(r1, sizeof(r1), m, "license");
	rule_of(rn, sizeof(rn), m, "licenses");
	/* s.license = 'MIT' */
	for (pos = 0; rc == 0 && re_next(&one, mc, s, n, &pos, &ov);)
		if (quoted(ov, 1, &a, &b))
			rc = emit_value(m, s + a, b - a, V_NAME, text_line_of(m->t, a), r1);
	/* s.licenses = ['MIT', 'Apache-2.0'] or %w[MIT Apache-2.0]: one hit each. */
	for (pos = 0; rc == 0 && re_next(&list, mc, s, n, &pos, &ov);) {
		size_t lo, hi, p2;
		PCRE2_SIZE *ov2;

		if (ov[2] != PCRE2_UNSET) {
			lo = ov[2];
			hi = ov[3];
			for (p2 = lo; rc == 0 && re_next(&str, mc, s, hi, &p2, &ov2);)
				if (quoted(ov2, 1, &a, &b))
					rc = emit_value(m, s + a, b - a, V_NAME, text_line_of(m->t, a),
							rn);
			continue;
		}
		lo = ov[4];
		hi = ov[5];
		while (rc == 0 && lo < hi) {
			while (lo < hi && is_space((unsigned char)s[lo]))
				lo++;
			for (a = lo; lo < hi && !is_space((unsigned char)s[lo]); lo++)
				;
			if (lo > a)
				rc = emit_value(m, s + a, lo - a, V_NAME, text_line_of(m->t, a), rn);
		}
	}
	/* s.license = { :type => 'MIT', :file => 'LICENSE' } */
	for (pos = 0; rc == 0 && re_next(&hash, mc, s, n, &pos, &ov);) {
		size_t lo = ov[2], hi = ov[3], p2 = lo;
		PCRE2_SIZE *ov2;

		if (re_next(&type, mc, s, hi, &p2, &ov2) && quoted(ov2, 1, &a, &b)) {
			rc = emit_value(m, s + a, b - a, V_NAME, text_line_of(m->t, a), r1);
			continue;
		}
		p2 = lo;
		if (re_next(&file, mc, s, hi, &p2, &ov2) && quoted(ov2, 1, &a, &b))
			rc = emit_file_ref(m, s + a, b - a, text_line_of(m->t, a), r1);
	}
done:
	pcre2_match_context_free(mc);
	re_free(&one);
	re_free(&list);
	re_free(&hash);
	re_free(&str);
	re_free(&type);
	re_free(&file);
	return rc;
}

/* ---- XML: pom.xml, *.nuspec (libxml2) --------------------------------- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

static void xml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void xml_quiet_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

/*
 * Parse without network, DTD loading or entity substitution, with every
 * error handler silenced.  A document with a DOCTYPE is refused outright:
 * manifests have no use for one, and it is where XXE and entity-expansion
 * attacks live.  NULL if refused or malformed.
 */
static xmlDocPtr xml_read(const text_view *t)
{
	xmlGenericErrorFunc old_generic;
	xmlStructuredErrorFunc old_structured;
	void *old_generic_ctx, *old_structured_ctx;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc = NULL;

	if (find_str(t->data, t->len, "<!DOCTYPE") || find_str(t->data, t->len, "<!ENTITY"))
		return NULL;
	pthread_once(&xml_once, xml_init);
	old_generic = xmlGenericError;
	old_generic_ctx = xmlGenericErrorContext;
	old_structured = xmlStructuredError;
	old_structured_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, xml_quiet);
	xmlSetStructuredErrorFunc(NULL, xml_quiet_structured);
	ctxt = xmlNewParserCtxt();
	if (ctxt) {
		if (ctxt->sax)
			ctxt->sax->serror = xml_quiet_structured;
		doc = xmlCtxtReadMemory(ctxt, t->data, (int)t->len, NULL, NULL,
					XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_BIG_LINES);
		xmlFreeParserCtxt(ctxt);
	}
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
	xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
	return doc;
}

static int xml_is(const xmlNode *x, const char *name)
{
	return x && x->type == XML_ELEMENT_NODE && strcmp((const char *)x->name, name) == 0;
}

static xmlNodePtr xml_child(xmlNodePtr x, const char *name)
{
	for (x = x ? x->children : NULL; x; x = x->next)
		if (xml_is(x, name))
			return x;
	return NULL;
}

static uint32_t xml_line(const xmlNode *x)
{
	long l = xmlGetLineNo(x);

	return l > 0 && l <= (long)UINT32_MAX ? (uint32_t)l : 0;
}

/* pom.xml: <licenses><license><name>…</name><url>…</url></license></licenses>. */
static int pom_license(mctx *m, xmlNodePtr lic)
{
	xmlNodePtr name = xml_child(lic, "name"), url = xml_child(lic, "url");
	xmlChar *nt = name ? xmlNodeGetContent(name) : NULL;
	xmlChar *ut = url ? xmlNodeGetContent(url) : NULL;
	const char *ns = nt ? (const char *)nt : "", *us = ut ? (const char *)ut : "";
	size_t nn = strlen(ns), un = strlen(us);
	tgpl_buf x = TGPL_BUF_INIT;
	char rname[64], rurl[64];
	int rc = 0;

	rule_of(rname, sizeof(rname), m, "licenses/license/name");
	rule_of(rurl, sizeof(rurl), m, "licenses/license/url");
	trim(&ns, &nn);
	trim(&us, &un);
	if (nn && (rc = resolve(m, ns, nn, V_NAME, &x)) != 0) {
		if (rc > 0)
			rc = emit_expr(m, x.ptr, x.len, TGPL_KIND_METADATA, xml_line(name),
				       xml_line(name), rname);
	} else if (un && (rc = resolve(m, us, un, V_NAME, &x)) != 0) {
		if (rc > 0)
			rc = emit_expr(m, x.ptr, x.len, TGPL_KIND_METADATA, xml_line(url),
				       xml_line(url), rurl);
	} else if (nn) {
		rc = emit_unrecognised(m, ns, nn, xml_line(name), rname);
	} else if (un) {
		rc = emit_unrecognised(m, us, un, xml_line(url), rurl);
	}
	tgpl_buf_release(&x);
	xmlFree(nt);
	xmlFree(ut);
	return rc;
}

static int do_pom(mctx *m)
{
	xmlDocPtr doc = xml_read(m->t);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, ls, l;
	int rc = 0;

	if (xml_is(root, "project"))
		for (ls = root->children; rc == 0 && ls; ls = ls->next)
			if (xml_is(ls, "licenses"))
				for (l = ls->children; rc == 0 && l; l = l->next)
					if (xml_is(l, "license"))
						rc = pom_license(m, l);
	xmlFreeDoc(doc);
	return rc;
}

static int hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 32;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode %XX escapes of a URL path into out. */
static int url_decode(tgpl_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%' && i + 2 < n && hexdig((unsigned char)s[i + 1]) >= 0 &&
		    hexdig((unsigned char)s[i + 2]) >= 0) {
			c = (char)(hexdig((unsigned char)s[i + 1]) * 16 + hexdig((unsigned char)s[i + 2]));
			i += 2;
		}
		if (tgpl_buf_putc(out, c) < 0)
			return TGPL_ENOMEM;
	}
	return 0;
}

/* *.nuspec: <license type="expression">, <license type="file">, or <licenseUrl>. */
static int do_nuspec(mctx *m)
{
	static const char nuget[] = "licenses.nuget.org/";
	xmlDocPtr doc = xml_read(m->t);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr meta = xml_is(root, "package") ? xml_child(root, "metadata") : NULL;
	xmlNodePtr lic = xml_child(meta, "license"), url = xml_child(meta, "licenseUrl");
	xmlChar *text = NULL, *type = NULL;
	tgpl_buf x = TGPL_BUF_INIT;
	const char *s, *p;
	size_t n;
	char r[64];
	int rc = 0;

	if (lic) {
		text = xmlNodeGetContent(lic);
		type = xmlGetProp(lic, BAD_CAST "type");
		s = text ? (const char *)text : "";
		n = strlen(s);
		rule_of(r, sizeof(r), m, "metadata/license");
		if (type && strcmp((const char *)type, "file") == 0)
			rc = emit_file_ref(m, s, n, xml_line(lic), r);
		else
			rc = emit_value(m, s, n, type && strcmp((const char *)type, "expression") == 0
					? V_EXPR : V_NAME, xml_line(lic), r);
	} else if (url) {
		text = xmlNodeGetContent(url);
		s = text ? (const char *)text : "";
		n = strlen(s);
		trim(&s, &n);
		rule_of(r, sizeof(r), m, "metadata/licenseUrl");
		if ((p = find_str(s, n, nuget)) != NULL) {
			/* https://licenses.nuget.org/(MIT%20OR%20Apache-2.0) is an expression. */
			p += sizeof(nuget) - 1;
			if ((rc = url_decode(&x, p, n - (size_t)(p - s))) == 0 && x.len)
				rc = emit_value(m, x.ptr, x.len, V_EXPR, xml_line(url), r);
		} else if (n) {
			rc = emit_value(m, s, n, V_NAME, xml_line(url), r);
		}
	}
	tgpl_buf_release(&x);
	xmlFree(text);
	xmlFree(type);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- dispatch --------------------------------------------------------- */

enum {
	F_NONE, F_NPM, F_COMPOSER, F_CARGO, F_PYPROJECT, F_SETUPCFG, F_PKGINFO, F_RUBY,
	F_POM, F_NUSPEC, F_RDESC, F_REUSE, F_DEP5
};

/* Manifests by exact file name, then by suffix; `kind` prefixes their rules. */
static const struct {
	const char *name;
	const char *kind;
	int format;
	int suffix;
} formats[] = {
	{ "package.json", "package.json", F_NPM, 0 },
	{ "composer.json", "composer.json", F_COMPOSER, 0 },
	{ "Cargo.toml", "Cargo.toml", F_CARGO, 0 },
	{ "pyproject.toml", "pyproject.toml", F_PYPROJECT, 0 },
	{ "setup.cfg", "setup.cfg", F_SETUPCFG, 0 },
	{ "PKG-INFO", "PKG-INFO", F_PKGINFO, 0 },
	{ "METADATA", "METADATA", F_PKGINFO, 0 },
	{ "pom.xml", "pom.xml", F_POM, 0 },
	{ "DESCRIPTION", "DESCRIPTION", F_RDESC, 0 },
	{ "REUSE.toml", "reuse", F_REUSE, 0 },
	{ "dep5", "reuse", F_DEP5, 0 },
	{ ".gemspec", "gemspec", F_RUBY, 1 },
	{ ".podspec", "podspec", F_RUBY, 1 },
	{ ".nuspec", "nuspec", F_NUSPEC, 1 },
};

static int file_format(const text_view *t, const char **kind)
{
	const char *b = t->basename;
	size_t n = b ? strlen(b) : 0, i;

	for (i = 0; n && i < sizeof(formats) / sizeof(formats[0]); i++) {
		size_t k = strlen(formats[i].name);

		if (formats[i].suffix ? n > k && memcmp(b + n - k, formats[i].name, k) == 0
				      : strcmp(b, formats[i].name) == 0)
			break;
	}
	if (!n || i == sizeof(formats) / sizeof(formats[0]))
		return F_NONE;
	/* dep5 means REUSE only at .reuse/dep5. */
	if (formats[i].format == F_DEP5 &&
	    !(t->path && (strcmp(t->path, ".reuse/dep5") == 0 ||
			  (strlen(t->path) > 12 &&
			   strcmp(t->path + strlen(t->path) - 12, "/.reuse/dep5") == 0))))
		return F_NONE;
	*kind = formats[i].kind;
	return formats[i].format;
}

int detect_metadata(det_builder *b, const tgpl_engine *e, const text_view *t)
{
	dcf_field *fields = NULL;
	mctx m;
	int fmt, rc = 0;

	memset(&m, 0, sizeof(m));
	fmt = file_format(t, &m.kind);
	if (fmt == F_NONE || t->len == 0 || t->len > MANIFEST_MAX)
		return 0;
	m.b = b;
	m.e = e;
	m.t = t;
	m.names = engine_names(e);
	if (fmt == F_PKGINFO || fmt == F_RDESC || fmt == F_DEP5) {
		fields = tgpl_calloc(DCF_MAX_FIELDS, sizeof(*fields));
		if (!fields)
			return TGPL_ENOMEM;
	}
	switch (fmt) {
	case F_NPM: rc = do_json(&m, 0); break;
	case F_COMPOSER: rc = do_json(&m, 1); break;
	case F_CARGO: rc = do_cargo(&m); break;
	case F_PYPROJECT: rc = do_pyproject(&m); break;
	case F_SETUPCFG: rc = do_setup_cfg(&m); break;
	case F_PKGINFO: rc = do_pkginfo(&m, fields); break;
	case F_RUBY: rc = do_ruby(&m); break;
	case F_POM: rc = do_pom(&m); break;
	case F_NUSPEC: rc = do_nuspec(&m); break;
	case F_RDESC: rc = do_r_description(&m, fields); break;
	case F_REUSE: rc = do_reuse_toml(&m); break;
	case F_DEP5: rc = do_dep5(&m, fields); break;
	}
	free(fields);
	/* Only running out of memory is an error; everything else was a finding or nothing. */
	return rc == TGPL_ENOMEM ? rc : 0;
}
