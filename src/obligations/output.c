/*
 * output.c — the result as JSON (`tgpl obligations --json`) and the
 * obligation record of a model trained on the corpus (`--record FILE`,
 * schema tgpl-obligation-record/1, documented in man/tgpl-obligations.1).
 * Built with jansson; strings that are not valid UTF-8 (paths are bytes)
 * get U+FFFD for each invalid byte.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "obligations/obl_result.h"
#include "util/util.h"

#define RECORD_SCHEMA "tgpl-obligation-record/1"

/* A JSON string, or null; NULL only when out of memory. */
static json_t *jstr(const char *s)
{
	tgpl_buf b = TGPL_BUF_INIT;
	json_t *v;
	size_t i, n;

	if (!s)
		return json_null();
	n = strlen(s);
	if (tgpl_utf8_valid(s, n))
		return json_stringn(s, n);
	/* Keep every valid sequence; each other byte becomes U+FFFD. */
	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 :
			     (c >> 3) == 30 ? 4 : 0;

		if (len && i + len <= n && tgpl_utf8_valid(s + i, len)) {
			if (tgpl_buf_put(&b, s + i, len) < 0)
				goto oom;
			i += len;
		} else {
			if (tgpl_buf_puts(&b, "\xEF\xBF\xBD") < 0)
				goto oom;
			i++;
		}
	}
	v = json_stringn(b.ptr ? b.ptr : "", b.len);
	tgpl_buf_release(&b);
	return v;
oom:
	tgpl_buf_release(&b);
	return NULL;
}

/* Setters that remember a failure in *ok rather than checking every call. */
static void put(json_t *o, const char *key, json_t *v, int *ok)
{
	if (!v || json_object_set_new(o, key, v) < 0)
		*ok = 0;
}

static void push(json_t *a, json_t *v, int *ok)
{
	if (!v || json_array_append_new(a, v) < 0)
		*ok = 0;
}

static json_t *evidence_json(const tgpl_evidence *e, int with_action, int *ok)
{
	json_t *o = json_object(), *lines;

	if (!o) {
		*ok = 0;
		return NULL;
	}
	put(o, "kind", json_string(tgpl_evidence_kind_name(e->kind)), ok);
	put(o, "repository", jstr(e->repo_path), ok);
	put(o, "origin", jstr(e->origin), ok);
	put(o, "commit", jstr(e->commit), ok);
	put(o, "path", jstr(e->path), ok);
	if (e->start_line) {
		lines = json_array();
		if (lines) {
			push(lines, json_integer(e->start_line), ok);
			push(lines, json_integer(e->end_line), ok);
		}
		put(o, "lines", lines, ok);
	} else {
		put(o, "lines", json_null(), ok);
	}
	put(o, "source", jstr(e->source), ok);
	put(o, "detail", jstr(e->detail), ok);
	put(o, "swhid", jstr(e->swhid), ok);
	if (e->record)
		put(o, "record", jstr(e->record), ok);
	if (with_action) {
		put(o, "action", json_string(tgpl_action_name(e->action)), ok);
		put(o, "rule", jstr(e->rule), ok);
	}
	return o;
}

static json_t *repo_paths(const tgpl_obligations *r, const size_t *idx, size_t n, int *ok)
{
	json_t *a = json_array();
	size_t i;

	if (!a) {
		*ok = 0;
		return NULL;
	}
	for (i = 0; i < n; i++)
		push(a, jstr(r->repos[idx[i]].path), ok);
	return a;
}

static json_t *strings(const char *const *v, size_t n, int *ok)
{
	json_t *a = json_array();
	size_t i;

	if (!a) {
		*ok = 0;
		return NULL;
	}
	for (i = 0; i < n; i++)
		push(a, jstr(v[i]), ok);
	return a;
}

static json_t *conflicts_json(const tgpl_obligations *r, int with_repos, int *ok)
{
	json_t *a = json_array();
	size_t i;

	if (!a) {
		*ok = 0;
		return NULL;
	}
	for (i = 0; i < r->n_conflicts; i++) {
		const tgpl_conflict *c = &r->conflicts[i];
		json_t *o = json_object();

		if (!o) {
			*ok = 0;
			break;
		}
		put(o, "id", json_string(c->id), ok);
		put(o, "first", jstr(c->first), ok);
		put(o, "second", jstr(c->second), ok);
		put(o, "sentence", jstr(c->sentence), ok);
		put(o, "action", json_string(tgpl_action_name(c->action)), ok);
		put(o, "resolved", json_boolean(c->resolved), ok);
		put(o, "inherited", json_boolean(c->inherited), ok);
		if (with_repos)
			put(o, "repositories", repo_paths(r, c->repos, c->n_repos, ok), ok);
		push(a, o, ok);
	}
	return a;
}

static json_t *repo_json(const tgpl_repository *p, int with_obligations, int *ok)
{
	json_t *o = json_object();
	size_t k;

	if (!o) {
		*ok = 0;
		return NULL;
	}
	put(o, "path", jstr(p->path), ok);
	put(o, "origin", jstr(p->origin), ok);
	put(o, "commit", jstr(p->commit), ok);
	put(o, "declared", jstr(p->declared), ok);
	put(o, "verdict", json_string(tgpl_verdict_name(p->verdict)), ok);
	put(o, "reason", jstr(p->reason), ok);
	if (with_obligations) {
		json_t *a = json_array();
		if (a)
			for (k = 0; k < p->n_obligations; k++)
				push(a, json_string(tgpl_obligation_name(p->obligations[k])), ok);
		put(o, "obligations", a, ok);
	}
	return o;
}

static int dump(char **out, tgpl_ctx *ctx, json_t *root, int ok)
{
	json_free_t free_fn = NULL;
	char *s;

	if (!ok || !(s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
		json_decref(root);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	json_decref(root);
	/* Hand back memory the caller frees with free(), whatever jansson's allocator. */
	*out = tgpl_strdup(s);
	json_get_alloc_funcs(NULL, &free_fn);
	if (free_fn)
		free_fn(s);
	return *out ? 0 : tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
}

int tgpl_obligations_json(char **out, tgpl_ctx *ctx, const tgpl_obligations *r)
{
	json_t *root, *obls, *repos;
	size_t i, j;
	int ok = 1;

	if (!out || !r)
		return tgpl_error(ctx, TGPL_EINVAL, "tgpl_obligations_json: bad arguments");
	if (!(root = json_object()))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	put(root, "policy", jstr(r->policy_name), &ok);
	put(root, "verdict", json_string(tgpl_verdict_name(r->verdict)), &ok);
	put(root, "denied", json_boolean(r->denied), &ok);
	obls = json_array();
	for (i = 0; obls && i < r->n_applied; i++) {
		const tgpl_obligation *o = &r->obl[r->applied[i]];
		json_t *jo = json_object(), *ev = json_array();

		if (!jo || !ev) {
			json_decref(jo);
			json_decref(ev);
			ok = 0;
			break;
		}
		put(jo, "id", json_string(o->name), &ok);
		put(jo, "meaning", json_string(o->meaning), &ok);
		put(jo, "action", json_string(tgpl_action_name(o->action)), &ok);
		put(jo, "sources", strings(o->sources, o->n_sources, &ok), &ok);
		put(jo, "repositories", repo_paths(r, o->repos, o->n_repos, &ok), &ok);
		for (j = 0; j < o->n_evidence; j++)
			push(ev, evidence_json(&o->evidence[j], 1, &ok), &ok);
		put(jo, "evidence", ev, &ok);
		put(jo, "omitted", json_integer((json_int_t)o->n_omitted), &ok);
		push(obls, jo, &ok);
	}
	put(root, "obligations", obls, &ok);
	put(root, "conflicts", conflicts_json(r, 1, &ok), &ok);
	repos = json_array();
	for (i = 0; repos && i < r->n_repos; i++)
		push(repos, repo_json(&r->repos[i], 1, &ok), &ok);
	put(root, "repositories", repos, &ok);
	if (r->n_records)
		put(root, "inherits", strings(r->records, r->n_records, &ok), &ok);
	return dump(out, ctx, root, ok);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct sources of the evidence a record keeps, sorted. */
static json_t *record_sources(const tgpl_obligations *r, const tgpl_obligation *o, int *ok)
{
	const char **v;
	json_t *a;
	size_t i, n = 0;

	if (!(v = tgpl_reallocarray(NULL, o->n_evidence + 1, sizeof(*v)))) {
		*ok = 0;
		return NULL;
	}
	for (i = 0; i < o->n_evidence; i++) {
		const tgpl_evidence *e = &o->evidence[i];
		if (e->source && (e->repo < 0 || r->repos[e->repo].verdict != TGPL_VERDICT_EXCLUDE))
			v[n++] = e->source;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	if ((a = json_array())) {
		for (i = 0; i < n; i++)
			if (!i || strcmp(v[i], v[i - 1]) != 0)
				push(a, jstr(v[i]), ok);
	} else {
		*ok = 0;
	}
	free(v);
	return a;
}

static int iso_time(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return -1;
	return 0;
}

int tgpl_obligation_record_json(char **out, tgpl_ctx *ctx, const tgpl_obligations *r,
				int64_t created)
{
	json_t *root, *corpus, *obls;
	char when[32], generator[64];
	size_t i, j;
	int ok = 1;

	if (!out || !r)
		return tgpl_error(ctx, TGPL_EINVAL, "tgpl_obligation_record_json: bad arguments");
	if (iso_time(when, sizeof(when), created) < 0)
		return tgpl_error(ctx, TGPL_EINVAL, "creation time %lld is out of range",
				  (long long)created);
	snprintf(generator, sizeof(generator), "tgpl %s", TGPL_VERSION);
	if (!(root = json_object()))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	put(root, "schema", json_string(RECORD_SCHEMA), &ok);
	put(root, "generator", json_string(generator), &ok);
	put(root, "created", json_string(when), &ok);
	put(root, "policy", jstr(r->policy_name), &ok);
	put(root, "verdict", json_string(tgpl_verdict_name(r->verdict)), &ok);
	corpus = json_array();
	for (i = 0; corpus && i < r->n_repos; i++)
		push(corpus, repo_json(&r->repos[i], 0, &ok), &ok);
	put(root, "corpus", corpus, &ok);
	/* The obligations that reach the model: those of every repository not
	 * excluded, and those inherited. */
	obls = json_array();
	for (i = 0; obls && i < r->n_applied; i++) {
		const tgpl_obligation *o = &r->obl[r->applied[i]];
		json_t *jo, *ev;
		size_t kept = 0, omitted = 0;

		for (j = 0; j < r->n_repos; j++)
			if (r->repos[j].verdict != TGPL_VERDICT_EXCLUDE)
				omitted += r->rs[j].omitted[o->id];
		for (j = 0; j < o->n_evidence; j++)
			if (o->evidence[j].repo < 0 ||
			    r->repos[o->evidence[j].repo].verdict != TGPL_VERDICT_EXCLUDE)
				kept++;
		if (!kept && !omitted)
			continue;
		jo = json_object();
		ev = json_array();
		if (!jo || !ev) {
			json_decref(jo);
			json_decref(ev);
			ok = 0;
			break;
		}
		put(jo, "id", json_string(o->name), &ok);
		put(jo, "meaning", json_string(o->meaning), &ok);
		put(jo, "sources", record_sources(r, o, &ok), &ok);
		for (j = 0; j < o->n_evidence; j++) {
			const tgpl_evidence *e = &o->evidence[j];
			if (e->repo >= 0 && r->repos[e->repo].verdict == TGPL_VERDICT_EXCLUDE)
				continue;
			push(ev, evidence_json(e, 0, &ok), &ok);
		}
		put(jo, "evidence", ev, &ok);
		put(jo, "omitted", json_integer((json_int_t)omitted), &ok);
		push(obls, jo, &ok);
	}
	put(root, "obligations", obls, &ok);
	put(root, "conflicts", conflicts_json(r, 0, &ok), &ok);
	put(root, "inherits", strings(r->records, r->n_records, &ok), &ok);
	return dump(out, ctx, root, ok);
}
