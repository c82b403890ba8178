/*
 * compute.c — obligations, conflicts and verdicts over the database
 * (DESIGN.md §4; the model is described in tgpl/obligations.h).
 *
 * One pass per repository, at its latest scanned revision: its findings
 * (licences, clauses, opt-outs) in path order, then the licences of its
 * files' concluded expressions and of its declared expression that no
 * finding already showed, then "no licence at all".  Every piece of
 * evidence gets the policy's action at once; a repository's verdict is the
 * worst of them.  Conflicts are then found between the obligations of the
 * whole corpus (and of inherited records), and an unresolved conflict can
 * raise the verdicts of the repositories on its sides.
 *
 * Memory: strings live in one arena; evidence is capped per obligation and
 * repository (max_evidence), the rest only counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "obligations/obl_result.h"
#include "store/store.h"
#include "util/util.h"

#define DEFAULT_MAX_EVIDENCE 1000
#define MAX_SOURCES          4096     /* distinct sources listed per obligation */
#define EXPR_CACHE           256      /* parsed expressions kept per repository */
#define FILE_SEEN_MAX        512      /* evidence spans remembered per file, for duplicates */
#define IDS_SEEN_MAX         4096     /* licence ids remembered per repository */

static const char TGPL_ADDITION[] = "AdditionRef-TGPL-1.0";

/* ---- adding evidence ------------------------------------------------------ */

static int grow_index(size_t **arr, size_t *n, size_t *cap, size_t v)
{
	if (*n && (*arr)[*n - 1] == v)
		return 0;
	if (tgpl_grow((void **)arr, cap, *n + 1, sizeof(**arr)) < 0)
		return -1;
	(*arr)[(*n)++] = v;
	return 0;
}

static int add_source(tgpl_obligations *r, obl_acc *acc, const char *s)
{
	size_t lo = 0, hi = acc->n_sources;
	char *copy;

	if (!s)
		return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(acc->sources[mid], s);
		if (c == 0)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (acc->n_sources >= MAX_SOURCES)
		return 0;
	if (tgpl_grow((void **)&acc->sources, &acc->cap_sources, acc->n_sources + 1,
		      sizeof(*acc->sources)) < 0 || !(copy = obl_arena_strdup(&r->arena, s)))
		return -1;
	memmove(acc->sources + lo + 1, acc->sources + lo, (acc->n_sources - lo) * sizeof(*acc->sources));
	acc->sources[lo] = copy;
	acc->n_sources++;
	return 0;
}

int obl_result_add(tgpl_obligations *r, tgpl_ctx *ctx, tgpl_obligation_id id,
		   const tgpl_evidence *ev, const char *license, int cat)
{
	obl_acc *acc = &r->acc[id];
	tgpl_evidence e = *ev;
	const char *rule = NULL;

	if (e.kind != TGPL_EVIDENCE_INHERITED || !e.rule) {
		e.action = obl_policy_action(r->policy, id, license, cat, &rule);
		/* Licence rules live in the policy, which the result outlives. */
		if (!(e.rule = strncmp(rule, "licenses.", 9) == 0 ?
			       obl_arena_strdup(&r->arena, rule) : rule))
			return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	if (!acc->triggered || e.action > acc->action)
		acc->action = e.action;
	acc->triggered = 1;
	if (add_source(r, acc, e.source) < 0)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	if (e.repo >= 0) {
		obl_repo_state *rs = &r->rs[e.repo];

		rs->mask |= OBL_BIT(id);
		/* The reason names the first piece with the worst action; on a tie a
		 * specific obligation beats the ubiquitous attribution. */
		if (!rs->has_action || e.action > rs->worst ||
		    (e.action == rs->worst && rs->worst_obl == TGPL_OBL_ATTRIBUTION &&
		     id != TGPL_OBL_ATTRIBUTION)) {
			rs->has_action = 1;
			rs->worst = e.action;
			rs->worst_obl = id;
			rs->worst_source = e.source;
			rs->worst_rule = e.rule;
		}
		if (id == TGPL_OBL_USE_RESTRICTIONS && cat != OBL_CAT_SOURCE_AVAILABLE)
			rs->use_restricted = 1;
		if (cat == OBL_CAT_SOURCE_AVAILABLE || id == TGPL_OBL_NO_LICENSE)
			rs->restricted = 1;
		if (grow_index(&acc->repos, &acc->n_repos, &acc->cap_repos, (size_t)e.repo) < 0)
			return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		if (rs->per_obl[id] >= r->max_evidence) {
			acc->n_omitted++;
			rs->omitted[id]++;
			return 0;
		}
		rs->per_obl[id]++;
	} else {
		r->inh_mask |= OBL_BIT(id);
		if (id == TGPL_OBL_USE_RESTRICTIONS && cat != OBL_CAT_SOURCE_AVAILABLE)
			r->inh_use_restricted = 1;
		if (cat == OBL_CAT_SOURCE_AVAILABLE || id == TGPL_OBL_NO_LICENSE)
			r->inh_restricted = 1;
	}
	if (tgpl_grow((void **)&acc->ev, &acc->cap_ev, acc->n_ev + 1, sizeof(*acc->ev)) < 0)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	acc->ev[acc->n_ev++] = e;
	return 0;
}

const char *obl_swhid(obl_arena *a, const char *oid, const char *origin, const char *commit,
		      const char *path, uint32_t start, uint32_t end)
{
	tgpl_buf b = TGPL_BUF_INIT;
	char *esc = NULL;
	const char *out = NULL;

	if (!oid)
		return NULL;
	if (tgpl_buf_printf(&b, "swh:1:cnt:%s", oid) < 0)
		goto done;
	if (origin) {
		if (tgpl_swhid_qualifier_escape(&esc, origin, strlen(origin)) < 0 ||
		    tgpl_buf_printf(&b, ";origin=%s", esc) < 0)
			goto done;
		free(esc);
		esc = NULL;
	}
	if (commit && tgpl_buf_printf(&b, ";anchor=swh:1:rev:%s", commit) < 0)
		goto done;
	if (path) {
		if (tgpl_swhid_qualifier_escape(&esc, path, strlen(path)) < 0 ||
		    tgpl_buf_printf(&b, ";path=/%s", esc) < 0)
			goto done;
	}
	if (start && tgpl_buf_printf(&b, ";lines=%u-%u", start, end >= start ? end : start) < 0)
		goto done;
	out = obl_arena_strndup(a, b.ptr, b.len);
done:
	free(esc);
	tgpl_buf_release(&b);
	return out;
}

/* ---- one repository ------------------------------------------------------- */

typedef struct {
	char *text;
	obl_expr *x;        /* NULL if it did not parse */
	uint64_t chosen;
} cached_expr;

typedef struct {
	tgpl_obligations *r;
	tgpl_ctx *ctx;
	size_t ri;                   /* repository index */
	const tgpl_repository *repo;
	cached_expr cache[EXPR_CACHE];
	size_t n_cache;
	cached_expr scratch;         /* when the cache is full */
	/* the current file */
	const char *path, *oid;      /* arena */
	struct { int obl; uint32_t s, e; } seen[FILE_SEEN_MAX];
	size_t n_seen;
	int file_tgpl_clause;
	const char *file_weak_base;  /* a licence in this file that a rider cannot bind */
	/* licence ids this repository's findings showed */
	const char **ids;
	size_t n_ids, cap_ids;
} repo_pass;

static obl_cost leaf_cost(const char *id, const char *exc, void *payload)
{
	repo_pass *rp = payload;
	const obl_license *l = obl_knowledge_license(rp->r->knowledge, id);
	const obl_license *add = exc ? obl_knowledge_license(rp->r->knowledge, exc) : NULL;
	obl_cost c = { 0, 0 };
	const char *rule;
	int i, cat = l ? l->category : -1;
	obl_mask m;

	if (!l) {
		c.worst = (int)obl_policy_action(rp->r->policy, TGPL_OBL_UNKNOWN_LICENSE, id, -1, &rule);
		c.sum = 1;
		return c;
	}
	m = l->obligations | (add && add->category < 0 ? add->obligations : 0);
	for (i = 0; i < TGPL_OBL__COUNT; i++)
		if (m & OBL_BIT(i)) {
			int a = (int)obl_policy_action(rp->r->policy, (tgpl_obligation_id)i, id, cat, &rule);
			if (a > c.worst)
				c.worst = a;
			c.sum++;
		}
	return c;
}

static const cached_expr *get_expr(repo_pass *rp, const char *text)
{
	cached_expr *c;
	size_t i;

	for (i = 0; i < rp->n_cache; i++)
		if (strcmp(rp->cache[i].text, text) == 0)
			return &rp->cache[i];
	if (rp->n_cache < EXPR_CACHE) {
		c = &rp->cache[rp->n_cache];
	} else {
		c = &rp->scratch;
		free(c->text);
		obl_expr_free(c->x);
	}
	memset(c, 0, sizeof(*c));
	if (!(c->text = tgpl_strdup(text)))
		return NULL;
	if (obl_expr_parse(&c->x, text) == TGPL_ENOMEM) {
		free(c->text);
		c->text = NULL;
		return NULL;
	}
	if (c->x)
		c->chosen = obl_expr_choose(c->x, leaf_cost, rp);
	if (c != &rp->scratch)
		rp->n_cache++;
	return c;
}

static void release_pass(repo_pass *rp)
{
	size_t i;

	for (i = 0; i < rp->n_cache; i++) {
		free(rp->cache[i].text);
		obl_expr_free(rp->cache[i].x);
	}
	free(rp->scratch.text);
	obl_expr_free(rp->scratch.x);
	free(rp->ids);
}

static int note_id(repo_pass *rp, const char *id)
{
	size_t i;

	for (i = 0; i < rp->n_ids; i++)
		if (tgpl_strcasecmp(rp->ids[i], id) == 0)
			return 0;
	if (rp->n_ids >= IDS_SEEN_MAX)
		return 0;
	if (tgpl_grow((void **)&rp->ids, &rp->cap_ids, rp->n_ids + 1, sizeof(*rp->ids)) < 0)
		return -1;
	if (!(rp->ids[rp->n_ids] = obl_arena_strdup(&rp->r->arena, id)))
		return -1;
	rp->n_ids++;
	return 0;
}

static int id_noted(const repo_pass *rp, const char *id)
{
	size_t i;

	for (i = 0; i < rp->n_ids; i++)
		if (tgpl_strcasecmp(rp->ids[i], id) == 0)
			return 1;
	return 0;
}

/* Has this file already given evidence of `obl` on these lines? */
static int seen_span(repo_pass *rp, int obl, uint32_t s, uint32_t e)
{
	size_t i;

	for (i = 0; i < rp->n_seen; i++)
		if (rp->seen[i].obl == obl && rp->seen[i].s == s && rp->seen[i].e == e)
			return 1;
	if (rp->n_seen < FILE_SEEN_MAX) {
		rp->seen[rp->n_seen].obl = obl;
		rp->seen[rp->n_seen].s = s;
		rp->seen[rp->n_seen].e = e;
		rp->n_seen++;
	}
	return 0;
}

/* An evidence row of the current file (or of the repository when path is NULL). */
static int add(repo_pass *rp, tgpl_obligation_id obl, tgpl_evidence_kind kind,
	       const char *path, const char *oid, uint32_t s, uint32_t e,
	       const char *source, const char *detail, const char *license, int cat)
{
	tgpl_obligations *r = rp->r;
	tgpl_evidence ev;

	if (path && kind != TGPL_EVIDENCE_CONCLUDED && seen_span(rp, (int)obl, s, e))
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.repo = (long)rp->ri;
	ev.repo_path = rp->repo->path;
	ev.origin = rp->repo->origin;
	ev.commit = rp->repo->commit;
	ev.path = path;
	ev.oid = oid;
	ev.start_line = s;
	ev.end_line = e;
	if ((source && !(ev.source = obl_arena_strdup(&r->arena, source))) ||
	    (detail && !(ev.detail = obl_arena_strdup(&r->arena, detail))))
		return tgpl_error(rp->ctx, TGPL_ENOMEM, "out of memory");
	if (oid && !(ev.swhid = obl_swhid(&r->arena, oid, rp->repo->origin ? rp->repo->origin :
					  rp->repo->path, rp->repo->commit, path, s, e)))
		return tgpl_error(rp->ctx, TGPL_ENOMEM, "out of memory");
	return obl_result_add(r, rp->ctx, obl, &ev, license, cat);
}

static int add_rider(tgpl_obligations *r, tgpl_ctx *ctx, const char *base, long repo)
{
	const char *sentence = obl_rider_weakness(base);
	obl_rider *rd = NULL;
	size_t i;

	if (!sentence)
		return 0;
	for (i = 0; i < r->n_riders; i++)
		if (tgpl_strcasecmp(r->riders[i].base, base) == 0)
			rd = &r->riders[i];
	if (!rd) {
		if (tgpl_grow((void **)&r->riders, &r->cap_riders, r->n_riders + 1,
			      sizeof(*r->riders)) < 0)
			return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		rd = &r->riders[r->n_riders];
		memset(rd, 0, sizeof(*rd));
		if (!(rd->base = obl_arena_strdup(&r->arena, base)))
			return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		rd->sentence = sentence;
		r->n_riders++;
	}
	if (repo < 0) {
		rd->inherited = 1;
		return 0;
	}
	if (grow_index(&rd->repos, &rd->n_repos, &rd->cap_repos, (size_t)repo) < 0)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	return 0;
}

/*
 * A licence id found in the repository: the obligations of its category (or
 * its own row), or unknown-license.  `exc` is the exception or addition a
 * WITH attached to it, if any.
 */
static int apply_license(repo_pass *rp, tgpl_evidence_kind kind, const char *path, const char *oid,
			 uint32_t s, uint32_t e, const char *id, const char *exc,
			 const char *detail)
{
	const obl_knowledge *k = rp->r->knowledge;
	const obl_license *l;
	int i, cat, rc;

	if (!id || strcmp(id, "NONE") == 0)
		return 0;
	if (strcmp(id, "NOASSERTION") == 0)
		return add(rp, TGPL_OBL_UNKNOWN_LICENSE, kind, path, oid, s, e, id, detail, NULL, -1);
	if (obl_knowledge_is_exception(k, id))
		return 0;
	if (note_id(rp, id) < 0)
		return tgpl_error(rp->ctx, TGPL_ENOMEM, "out of memory");
	if (!(l = obl_knowledge_license(k, id)))
		return add(rp, TGPL_OBL_UNKNOWN_LICENSE, kind, path, oid, s, e, id, detail, id, -1);
	cat = l->category;
	if ((cat == OBL_CAT_COPYLEFT || cat == OBL_CAT_NETWORK_COPYLEFT) && obl_exception_weakens(exc))
		cat = OBL_CAT_WEAK_COPYLEFT;
	for (i = 0; i < TGPL_OBL__COUNT; i++)
		if ((l->obligations & OBL_BIT(i)) &&
		    (rc = add(rp, (tgpl_obligation_id)i, kind, path, oid, s, e, l->id, detail, l->id,
			      cat)) < 0)
			return rc;
	if (exc && tgpl_strcasecmp(exc, TGPL_ADDITION) == 0 &&
	    (rc = add_rider(rp->r, rp->ctx, l->id, (long)rp->ri)) < 0)
		return rc;
	if (path && obl_rider_weakness(l->id) && !rp->file_weak_base)
		rp->file_weak_base = obl_arena_strdup(&rp->r->arena, l->id);
	return 0;
}

/* Does leaf i of x stand for `id` (as the licence or its WITH part)? */
static int leaf_exception_for(const obl_expr *x, uint64_t chosen, const char *id, int *found,
			      const char **exc)
{
	size_t i, n = obl_expr_leaves(x);
	int any = 0;

	*found = 0;
	*exc = NULL;
	for (i = 0; i < n; i++) {
		const char *lid = obl_expr_leaf_id(x, i), *lexc = obl_expr_leaf_exception(x, i);

		if (tgpl_strcasecmp(lid, id) != 0 && !(lexc && tgpl_strcasecmp(lexc, id) == 0))
			continue;
		any = 1;
		if (chosen & ((uint64_t)1 << i)) {
			*found = 1;
			if (tgpl_strcasecmp(lid, id) == 0)
				*exc = lexc;
			return 1;
		}
	}
	return any;
}

static int is_unknown_note(const char *note)
{
	return note && (strstr(note, "unknown") || strstr(note, "unrecognised") ||
			strstr(note, "unmatched") || strstr(note, "unrecognized"));
}

static int on_license_finding(repo_pass *rp, const char *spdx, const char *expr, uint32_t s,
			      uint32_t e, const char *note)
{
	const char *exc = NULL;
	int rc;

	if (!spdx) {
		if (is_unknown_note(note))
			return add(rp, TGPL_OBL_UNKNOWN_LICENSE, TGPL_EVIDENCE_LICENSE, rp->path, rp->oid,
				   s, e, NULL, note, NULL, -1);
		return 0;
	}
	if (expr) {
		const cached_expr *c = get_expr(rp, expr);

		if (!c)
			return tgpl_error(rp->ctx, TGPL_ENOMEM, "out of memory");
		if (c->x) {
			int found;
			size_t i;

			if (leaf_exception_for(c->x, c->chosen, spdx, &found, &exc) && !found)
				return 0; /* the other side of an OR */
			/* A rider on a licence that cannot carry it, once per expression. */
			for (i = 0; i < obl_expr_leaves(c->x); i++) {
				const char *lexc = obl_expr_leaf_exception(c->x, i);
				if ((c->chosen & ((uint64_t)1 << i)) && lexc &&
				    tgpl_strcasecmp(lexc, TGPL_ADDITION) == 0 &&
				    tgpl_strcasecmp(spdx, TGPL_ADDITION) == 0 &&
				    (rc = add_rider(rp->r, rp->ctx, obl_expr_leaf_id(c->x, i),
						    (long)rp->ri)) < 0)
					return rc;
			}
		}
	}
	return apply_license(rp, TGPL_EVIDENCE_LICENSE, rp->path, rp->oid, s, e, spdx, exc,
			     note ? note : expr);
}

static int on_clause(repo_pass *rp, const char *id, const char *kind, uint32_t s, uint32_t e)
{
	int obl;

	if (!id)
		return 0;
	if (strcmp(id, "training-prohibited") == 0)
		obl = TGPL_OBL_TRAINING_PROHIBITED;
	else if ((obl = tgpl_obligation_from_name(id)) < 0 || obl > TGPL_OBL_NETWORK_USE)
		return 0; /* training-permitted, or a clause this model does not know */
	if (obl != TGPL_OBL_TRAINING_PROHIBITED && (!kind || strcmp(kind, "reference") != 0))
		rp->file_tgpl_clause = 1;
	return add(rp, (tgpl_obligation_id)obl, TGPL_EVIDENCE_CLAUSE, rp->path, rp->oid, s, e, id,
		   kind, NULL, -1);
}

/* The end of a file: TGPL clause text beside a licence that cannot carry it. */
static int end_file(repo_pass *rp)
{
	int rc = 0;

	if (rp->path && rp->file_tgpl_clause && rp->file_weak_base)
		rc = add_rider(rp->r, rp->ctx, rp->file_weak_base, (long)rp->ri);
	rp->n_seen = 0;
	rp->file_tgpl_clause = 0;
	rp->file_weak_base = NULL;
	rp->path = rp->oid = NULL;
	return rc;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static uint32_t col_line(sqlite3_stmt *st, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(st, i);
	return v > 0 && v <= UINT32_MAX ? (uint32_t)v : 0;
}

static int sql_fail(tgpl_db *db, tgpl_ctx *ctx, int rc, const char *what)
{
	rc = store_error(db, rc, what);
	if (ctx != db->ctx)
		tgpl_error(ctx, rc, "%s", tgpl_errmsg(db->ctx));
	return rc;
}

/* An expression (concluded or declared) of the repository: its licences
 * that no finding showed, as evidence of that kind. */
static int apply_expression(repo_pass *rp, tgpl_evidence_kind kind, const char *path,
			    const char *oid, const char *text)
{
	const cached_expr *c = get_expr(rp, text);
	size_t i;
	int rc;

	if (!c)
		return tgpl_error(rp->ctx, TGPL_ENOMEM, "out of memory");
	if (!c->x) {
		if (id_noted(rp, "NOASSERTION"))
			return 0;
		if (note_id(rp, "NOASSERTION") < 0)
			return tgpl_error(rp->ctx, TGPL_ENOMEM, "out of memory");
		return add(rp, TGPL_OBL_UNKNOWN_LICENSE, kind, path, oid, 0, 0, "NOASSERTION", text,
			   NULL, -1);
	}
	for (i = 0; i < obl_expr_leaves(c->x); i++) {
		const char *id = obl_expr_leaf_id(c->x, i), *exc = obl_expr_leaf_exception(c->x, i);

		if (!(c->chosen & ((uint64_t)1 << i)))
			continue;
		if (!id_noted(rp, id) &&
		    (rc = apply_license(rp, kind, path, oid, 0, 0, id, exc, text)) < 0)
			return rc;
		if (exc && !id_noted(rp, exc) &&
		    (rc = apply_license(rp, kind, path, oid, 0, 0, exc, NULL, text)) < 0)
			return rc;
	}
	return 0;
}

static int scan_repo(repo_pass *rp, tgpl_db *db, int64_t rev_id, const char *engine,
		     const char *declared)
{
	static const char q_findings[] =
		"SELECT f.path, f.oid, fi.category, fi.kind, fi.spdx, fi.expr, fi.start_line,"
		"       fi.end_line, fi.note"
		" FROM files f JOIN findings fi ON fi.blob_id = f.oid AND fi.engine = ?2"
		" WHERE f.rev_id = ?1 AND f.type = 'file'"
		" ORDER BY f.path, fi.seq";
	/* SQLite gives the bare column oid from the row that holds min(path). */
	static const char q_concluded[] =
		"SELECT f.concluded, min(f.path), f.oid FROM files f"
		" WHERE f.rev_id = ?1 AND f.concluded IS NOT NULL AND f.concluded != 'NONE'"
		" GROUP BY f.concluded ORDER BY min(f.path)";
	sqlite3 *sql = tgpl_db_handle(db);
	sqlite3_stmt *st = NULL;
	const void *last_path = NULL;
	int last_len = -1, has_license = declared && strcmp(declared, "NONE") != 0;
	int rc;

	if ((rc = sqlite3_prepare_v2(sql, q_findings, -1, &st, NULL)) != SQLITE_OK) {
		rc = sql_fail(db, rp->ctx, rc, "reading findings");
		goto done;
	}
	sqlite3_bind_int64(st, 1, rev_id);
	sqlite3_bind_text(st, 2, engine, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *path = sqlite3_column_blob(st, 0);
		int plen = sqlite3_column_bytes(st, 0);
		const char *cat = col_text(st, 2), *kind = col_text(st, 3), *spdx = col_text(st, 4);
		const char *expr = col_text(st, 5), *note = col_text(st, 8);
		uint32_t s = col_line(st, 6), e = col_line(st, 7);

		if (!path || !cat)
			continue;
		if (!last_path || plen != last_len || memcmp(path, last_path, (size_t)plen) != 0) {
			if ((rc = end_file(rp)) < 0)
				goto done;
			if (!(rp->path = obl_arena_strndup(&rp->r->arena, path, (size_t)plen)) ||
			    !(rp->oid = obl_arena_strdup(&rp->r->arena, col_text(st, 1) ?
							 col_text(st, 1) : ""))) {
				rc = tgpl_error(rp->ctx, TGPL_ENOMEM, "out of memory");
				goto done;
			}
			/* sqlite3 column memory changes on the next step: compare with our copy. */
			last_path = rp->path;
			last_len = plen;
		}
		if (strcmp(cat, "license") == 0)
			rc = on_license_finding(rp, spdx, expr, s, e, note);
		else if (strcmp(cat, "clause") == 0)
			rc = on_clause(rp, spdx, kind, s, e);
		else if (strcmp(cat, "optout") == 0)
			rc = add(rp, TGPL_OBL_TRAINING_PROHIBITED, TGPL_EVIDENCE_OPTOUT, rp->path,
				 rp->oid, s, e, kind, spdx, NULL, -1);
		else
			rc = 0;
		if (rc < 0)
			goto done;
	}
	if (rc != SQLITE_DONE) {
		rc = sql_fail(db, rp->ctx, rc, "reading findings");
		goto done;
	}
	if ((rc = end_file(rp)) < 0)
		goto done;
	sqlite3_finalize(st);
	st = NULL;

	if ((rc = sqlite3_prepare_v2(sql, q_concluded, -1, &st, NULL)) != SQLITE_OK) {
		rc = sql_fail(db, rp->ctx, rc, "reading concluded licences");
		goto done;
	}
	sqlite3_bind_int64(st, 1, rev_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *expr = col_text(st, 0);
		const void *path = sqlite3_column_blob(st, 1);
		char *p, *oid;

		if (!expr || !path)
			continue;
		has_license = 1;
		if (!(p = obl_arena_strndup(&rp->r->arena, path, (size_t)sqlite3_column_bytes(st, 1))) ||
		    !(oid = obl_arena_strdup(&rp->r->arena, col_text(st, 2) ? col_text(st, 2) : ""))) {
			rc = tgpl_error(rp->ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		if ((rc = apply_expression(rp, TGPL_EVIDENCE_CONCLUDED, p, oid, expr)) < 0)
			goto done;
	}
	if (rc != SQLITE_DONE) {
		rc = sql_fail(db, rp->ctx, rc, "reading concluded licences");
		goto done;
	}
	if (declared && strcmp(declared, "NONE") != 0 &&
	    (rc = apply_expression(rp, TGPL_EVIDENCE_DECLARED, NULL, NULL, declared)) < 0)
		goto done;
	if (!has_license &&
	    (rc = add(rp, TGPL_OBL_NO_LICENSE, TGPL_EVIDENCE_ABSENT, NULL, NULL, 0, 0, NULL,
		      "no declared licence and no file with a licence", NULL, -1)) < 0)
		goto done;
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

/* An origin without credentials (databases written before scans dropped them). */
static const char *arena_redacted(obl_arena *a, const char *url)
{
	char *clean = tgpl_url_redact(url);
	const char *copy = clean ? obl_arena_strdup(a, clean) : NULL;

	free(clean);
	return copy;
}

static int read_repos(tgpl_obligations *r, tgpl_ctx *ctx, tgpl_db *db)
{
	static const char q[] =
		"SELECT r.path, r.origin, v.id, v.commit_id, v.declared, v.engine"
		" FROM repositories r JOIN revisions v ON v.id = ("
		"   SELECT v2.id FROM revisions v2 WHERE v2.repo_id = r.id"
		"   ORDER BY v2.scanned_at DESC, v2.commit_time DESC, v2.id DESC LIMIT 1)"
		" ORDER BY r.path";
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(tgpl_db_handle(db), q, -1, &st, NULL)) != SQLITE_OK)
		return sql_fail(db, ctx, rc, "reading repositories");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		repo_pass rp;
		tgpl_repository *repo;
		const void *path = sqlite3_column_blob(st, 0);
		const char *origin = col_text(st, 1), *commit = col_text(st, 3);
		const char *declared = col_text(st, 4), *engine = col_text(st, 5);
		char *declared_copy = NULL, *engine_copy = NULL;

		if (tgpl_interrupted(ctx)) {
			rc = tgpl_error(ctx, TGPL_EINTR, "interrupted");
			goto done;
		}
		if (tgpl_grow((void **)&r->repos, &r->cap_repos, r->n_repos + 1, sizeof(*r->repos)) < 0) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		{
			obl_repo_state *rs = tgpl_reallocarray(r->rs, r->cap_repos, sizeof(*r->rs));
			if (!rs) {
				rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
				goto done;
			}
			r->rs = rs;
		}
		repo = &r->repos[r->n_repos];
		memset(repo, 0, sizeof(*repo));
		memset(&r->rs[r->n_repos], 0, sizeof(*r->rs));
		if (!(repo->path = obl_arena_strndup(&r->arena, path ? path : "",
						     path ? (size_t)sqlite3_column_bytes(st, 0) : 0)) ||
		    (origin && !(repo->origin = arena_redacted(&r->arena, origin))) ||
		    (commit && !(repo->commit = obl_arena_strdup(&r->arena, commit))) ||
		    (declared && !(declared_copy = obl_arena_strdup(&r->arena, declared))) ||
		    !(engine_copy = tgpl_strdup(engine ? engine : ""))) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		repo->declared = declared_copy;
		r->n_repos++;
		memset(&rp, 0, sizeof(rp));
		rp.r = r;
		rp.ctx = ctx;
		rp.ri = r->n_repos - 1;
		rp.repo = repo;
		rc = scan_repo(&rp, db, sqlite3_column_int64(st, 2), engine_copy, declared_copy);
		release_pass(&rp);
		free(engine_copy);
		if (rc < 0)
			goto done;
	}
	if (rc != SQLITE_DONE) {
		rc = sql_fail(db, ctx, rc, "reading repositories");
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

/* ---- verdicts and conflicts ------------------------------------------------ */

static tgpl_verdict verdict_of(tgpl_action a)
{
	return a == TGPL_ACTION_DENY ? TGPL_VERDICT_EXCLUDE :
	       a == TGPL_ACTION_REVIEW ? TGPL_VERDICT_REVIEW : TGPL_VERDICT_INCLUDE_WITH_OBLIGATIONS;
}

static const char *arena_printf(obl_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *arena_printf(obl_arena *a, const char *fmt, ...)
{
	tgpl_buf b = TGPL_BUF_INIT;
	const char *out = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tgpl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc >= 0)
		out = obl_arena_strndup(a, b.ptr ? b.ptr : "", b.len);
	tgpl_buf_release(&b);
	return out;
}

static int repo_verdicts(tgpl_obligations *r, tgpl_ctx *ctx)
{
	size_t i;

	for (i = 0; i < r->n_repos; i++) {
		tgpl_repository *repo = &r->repos[i];
		obl_repo_state *rs = &r->rs[i];
		const char *name = tgpl_obligation_name(rs->worst_obl);

		if (!rs->mask) {
			repo->verdict = TGPL_VERDICT_INCLUDE;
			repo->reason = "No obligation applies.";
			continue;
		}
		repo->verdict = verdict_of(rs->worst);
		if (rs->worst == TGPL_ACTION_ALLOW) {
			tgpl_buf b = TGPL_BUF_INIT;
			int k, first = 1;

			if (tgpl_buf_puts(&b, "Allowed, with obligations: ") < 0)
				goto oom;
			for (k = 0; k < TGPL_OBL__COUNT; k++)
				if (rs->mask & OBL_BIT(k)) {
					if (tgpl_buf_printf(&b, "%s%s", first ? "" : ", ",
							    tgpl_obligation_name((tgpl_obligation_id)k)) < 0) {
						tgpl_buf_release(&b);
						goto oom;
					}
					first = 0;
				}
			if (tgpl_buf_putc(&b, '.') < 0 || !(repo->reason = obl_arena_strndup(&r->arena,
											      b.ptr, b.len))) {
				tgpl_buf_release(&b);
				goto oom;
			}
			tgpl_buf_release(&b);
		} else if (!(repo->reason = arena_printf(&r->arena, "%s%s%s%s %s %s.", name,
							 rs->worst_source ? " (" : "",
							 rs->worst_source ? rs->worst_source : "",
							 rs->worst_source ? ")" : "",
							 rs->worst == TGPL_ACTION_DENY ? "is denied by" :
							 "needs review under", rs->worst_rule))) {
			goto oom;
		}
	}
	return 0;
oom:
	return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
}

static const char *const conflict_sentences[] = {
	"weight-release requires releasing the model's weights under a copyleft licence that "
	"permits commercial use, which a non-commercial licence in the corpus forbids.",
	"weight-release requires publishing the model's weights, a work adapted from the corpus, "
	"which a no-derivatives licence forbids sharing.",
	"weight-release requires releasing the weights under a copyleft licence without further "
	"restrictions, while a use-restricted licence requires its restrictions to bind every "
	"user of the model.",
	"weight-release requires redistributing the model's weights, which a source-available "
	"licence, or a repository with no licence (all rights reserved), does not permit.",
};

typedef struct {
	size_t *repos;
	size_t n, cap;
	int inherited;
} side;

static int side_excluded(const tgpl_obligations *r, const side *s)
{
	size_t i;

	if (s->inherited)
		return 0;
	for (i = 0; i < s->n; i++)
		if (r->repos[s->repos[i]].verdict != TGPL_VERDICT_EXCLUDE)
			return 0;
	return 1;
}

/* Raise the verdict of repositories on a side of an unresolved conflict. */
static int raise_side(tgpl_obligations *r, const side *s, tgpl_verdict v, const char *reason)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		tgpl_repository *repo = &r->repos[s->repos[i]];
		if (repo->verdict == TGPL_VERDICT_EXCLUDE || repo->verdict >= v)
			continue;
		repo->verdict = v;
		repo->reason = reason;
	}
	return 0;
}

static int merge_repos(size_t **out, size_t *n_out, const side *a, const side *b)
{
	size_t i = 0, j = 0, n = 0, *v;

	if (!(v = tgpl_reallocarray(NULL, a->n + b->n + 1, sizeof(*v))))
		return -1;
	while (i < a->n || j < b->n) {
		size_t x;
		if (j >= b->n || (i < a->n && a->repos[i] <= b->repos[j]))
			x = a->repos[i++];
		else
			x = b->repos[j++];
		if (!n || v[n - 1] != x)
			v[n++] = x;
	}
	*out = v;
	*n_out = n;
	return 0;
}

static int add_conflict(tgpl_obligations *r, tgpl_ctx *ctx, int kind, const char *first,
			const char *second, const char *sentence, const side *a, const side *b)
{
	tgpl_conflict *c;
	const char *rule;
	size_t *repos = NULL, n = 0;
	side none = { NULL, 0, 0, 0 };

	if (!b)
		b = &none;
	if (merge_repos(&repos, &n, a, b) < 0 ||
	    tgpl_grow((void **)&r->conflicts, &r->cap_conflicts, r->n_conflicts + 1,
		      sizeof(*r->conflicts)) < 0) {
		free(repos);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	c = &r->conflicts[r->n_conflicts++];
	memset(c, 0, sizeof(*c));
	c->id = obl_conflict_name(kind);
	c->first = first;
	c->second = second;
	c->sentence = sentence;
	c->repos = repos;
	c->n_repos = n;
	c->inherited = a->inherited || b->inherited;
	c->resolved = side_excluded(r, a) || (b != &none && side_excluded(r, b));
	if (c->resolved) {
		c->action = TGPL_ACTION_ALLOW;
		return 0;
	}
	c->action = obl_policy_conflict(r->policy, kind, &rule);
	if (c->action == TGPL_ACTION_ALLOW)
		return 0;
	if (c->action == TGPL_ACTION_DENY) {
		const char *why = arena_printf(&r->arena, "Conflict %s is denied by %s: %s", c->id,
					       rule, sentence);
		if (!why)
			return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		r->denied = 1;
		/* Keep the side the policy accepted (the TGPL side); leave out the other. */
		raise_side(r, b != &none ? b : a, TGPL_VERDICT_EXCLUDE, why);
		if (b != &none) {
			const char *rv = arena_printf(&r->arena, "Conflict %s needs review: %s", c->id,
						      sentence);
			if (!rv)
				return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			raise_side(r, a, TGPL_VERDICT_REVIEW, rv);
		}
		return 0;
	}
	{
		const char *why = arena_printf(&r->arena, "Conflict %s needs review: %s", c->id, sentence);
		if (!why)
			return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		raise_side(r, a, TGPL_VERDICT_REVIEW, why);
		raise_side(r, b, TGPL_VERDICT_REVIEW, why);
	}
	return 0;
}

static int side_of(tgpl_obligations *r, side *s, tgpl_obligation_id obl, int which)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < r->n_repos; i++) {
		const obl_repo_state *rs = &r->rs[i];
		int in = which == 1 ? rs->use_restricted : which == 2 ? rs->restricted :
			 (rs->mask & OBL_BIT(obl)) != 0;
		if (in && grow_index(&s->repos, &s->n, &s->cap, i) < 0)
			return -1;
	}
	s->inherited = which == 1 ? r->inh_use_restricted : which == 2 ? r->inh_restricted :
		       (r->inh_mask & OBL_BIT(obl)) != 0;
	return 0;
}

static int find_conflicts(tgpl_obligations *r, tgpl_ctx *ctx)
{
	static const struct {
		int kind;
		tgpl_obligation_id obl;
		int which;            /* 0: the obligation; 1: use-restricted; 2: restricted */
		const char *second;
	} pairs[] = {
		{ OBL_CONFLICT_NON_COMMERCIAL, TGPL_OBL_NON_COMMERCIAL, 0, "non-commercial" },
		{ OBL_CONFLICT_NO_DERIVATIVES, TGPL_OBL_NO_DERIVATIVES, 0, "no-derivatives" },
		{ OBL_CONFLICT_USE_RESTRICTIONS, TGPL_OBL_USE_RESTRICTIONS, 1, "use-restrictions" },
		{ OBL_CONFLICT_RESTRICTED, TGPL_OBL_NO_LICENSE, 2, "restricted" },
	};
	side wr = { NULL, 0, 0, 0 }, other = { NULL, 0, 0, 0 };
	size_t i;
	int rc = 0;

	if (side_of(r, &wr, TGPL_OBL_WEIGHT_RELEASE, 0) < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if (wr.n || wr.inherited) {
		for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
			if (side_of(r, &other, pairs[i].obl, pairs[i].which) < 0) {
				rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
				goto done;
			}
			if ((other.n || other.inherited) &&
			    (rc = add_conflict(r, ctx, pairs[i].kind, "weight-release", pairs[i].second,
					       conflict_sentences[i], &wr, &other)) < 0)
				goto done;
			free(other.repos);
			memset(&other, 0, sizeof(other));
		}
	}
	for (i = 0; i < r->n_riders; i++) {
		obl_rider *rd = &r->riders[i];
		side s = { rd->repos, rd->n_repos, rd->cap_repos, rd->inherited };
		const char *sentence = arena_printf(&r->arena, "The TGPL rider (%s) is added to %s: %s",
						    TGPL_ADDITION, rd->base, rd->sentence);

		if (!sentence) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		if ((rc = add_conflict(r, ctx, OBL_CONFLICT_RIDER, rd->base, TGPL_ADDITION, sentence,
				       &s, NULL)) < 0)
			goto done;
	}
done:
	free(wr.repos);
	free(other.repos);
	return rc;
}

/* ---- finishing ------------------------------------------------------------- */

static int evidence_cmp(const void *a, const void *b)
{
	const tgpl_evidence *x = a, *y = b;
	unsigned long rx = (unsigned long)x->repo, ry = (unsigned long)y->repo;
	int c;

	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (!x->path != !y->path)
		return x->path ? 1 : -1;
	if (x->path && (c = strcmp(x->path, y->path)) != 0)
		return c;
	if (x->start_line != y->start_line)
		return x->start_line < y->start_line ? -1 : 1;
	if (x->end_line != y->end_line)
		return x->end_line < y->end_line ? -1 : 1;
	if (x->source && y->source && (c = strcmp(x->source, y->source)) != 0)
		return c;
	return (int)x->kind - (int)y->kind;
}

static int finish(tgpl_obligations *r, tgpl_ctx *ctx)
{
	size_t i;
	int k, any_included = 0;
	tgpl_verdict v = TGPL_VERDICT_INCLUDE;

	for (k = 0; k < TGPL_OBL__COUNT; k++) {
		obl_acc *acc = &r->acc[k];
		tgpl_obligation *o = &r->obl[k];

		if (!acc->triggered)
			continue;
		if (acc->n_ev > 1)
			qsort(acc->ev, acc->n_ev, sizeof(*acc->ev), evidence_cmp);
		o->id = (tgpl_obligation_id)k;
		o->name = tgpl_obligation_name(o->id);
		o->meaning = tgpl_obligation_meaning(o->id);
		o->action = acc->action;
		o->evidence = acc->ev;
		o->n_evidence = acc->n_ev;
		o->n_omitted = acc->n_omitted;
		o->repos = acc->repos;
		o->n_repos = acc->n_repos;
		o->sources = acc->sources;
		o->n_sources = acc->n_sources;
		r->applied[r->n_applied++] = (size_t)k;
		if (acc->action == TGPL_ACTION_DENY)
			r->denied = 1;
		/* Inherited obligations weigh on the corpus as a whole. */
		for (i = 0; i < acc->n_ev; i++)
			if (acc->ev[i].repo < 0 && verdict_of(acc->ev[i].action) > v)
				v = verdict_of(acc->ev[i].action);
	}
	for (i = 0; i < r->n_repos; i++) {
		tgpl_repository *repo = &r->repos[i];
		obl_mask m = r->rs[i].mask;
		tgpl_obligation_id *ids;
		size_t n = 0;

		if (m) {
			if (!(ids = obl_arena_alloc(&r->arena, TGPL_OBL__COUNT * sizeof(*ids))))
				return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			for (k = 0; k < TGPL_OBL__COUNT; k++)
				if (m & OBL_BIT(k))
					ids[n++] = (tgpl_obligation_id)k;
			repo->obligations = ids;
			repo->n_obligations = n;
		}
		if (repo->verdict == TGPL_VERDICT_EXCLUDE) {
			r->denied = 1;
			continue;
		}
		any_included = 1;
		if (repo->verdict > v)
			v = repo->verdict;
	}
	for (i = 0; i < r->n_conflicts; i++) {
		const tgpl_conflict *c = &r->conflicts[i];
		if (!c->resolved && c->action == TGPL_ACTION_REVIEW && v < TGPL_VERDICT_REVIEW)
			v = TGPL_VERDICT_REVIEW;
		if (!c->resolved && c->action == TGPL_ACTION_DENY && c->inherited)
			v = TGPL_VERDICT_EXCLUDE;
	}
	if (r->n_repos && !any_included)
		v = TGPL_VERDICT_EXCLUDE;
	r->verdict = v;
	return 0;
}

int tgpl_obligations_compute(tgpl_obligations **out, tgpl_ctx *ctx, tgpl_db *db,
			     const tgpl_obligations_options *opts)
{
	tgpl_obligations_options defaults = TGPL_OBLIGATIONS_OPTIONS_INIT;
	tgpl_obligations *r = NULL;
	tgpl_policy *own_policy = NULL;
	obl_knowledge *k = NULL;
	int rc;

	if (!out || !db)
		return tgpl_error(ctx, TGPL_EINVAL, "tgpl_obligations_compute: bad arguments");
	if (!opts)
		opts = &defaults;
	if (opts->version != TGPL_OBLIGATIONS_OPTIONS_VERSION)
		return tgpl_error(ctx, TGPL_EINVAL, "tgpl_obligations_compute: options version %u "
				  "is not %d", opts->version, TGPL_OBLIGATIONS_OPTIONS_VERSION);
	if (!(r = tgpl_calloc(1, sizeof(*r))))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	if (!opts->policy && (rc = tgpl_policy_default(&own_policy, ctx)) < 0)
		goto done;
	r->policy = opts->policy ? opts->policy : own_policy;
	r->max_evidence = opts->max_evidence ? opts->max_evidence : DEFAULT_MAX_EVIDENCE;
	if (!(r->policy_name = tgpl_strdup(tgpl_policy_name(r->policy)))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = obl_knowledge_load(&k, ctx, opts->datadir)) < 0)
		goto done;
	r->knowledge = k;
	if ((rc = read_repos(r, ctx, db)) < 0)
		goto done;
	if (opts->n_inherit && (rc = obl_inherit(r, ctx, opts->inherit, opts->n_inherit)) < 0)
		goto done;
	if ((rc = repo_verdicts(r, ctx)) < 0 || (rc = find_conflicts(r, ctx)) < 0 ||
	    (rc = finish(r, ctx)) < 0)
		goto done;
	r->policy = NULL;
	r->knowledge = NULL;
	*out = r;
	r = NULL;
	rc = 0;
done:
	tgpl_obligations_free(r);
	tgpl_policy_free(own_policy);
	obl_knowledge_free(k);
	return rc;
}

void tgpl_obligations_free(tgpl_obligations *r)
{
	size_t i;
	int k;

	if (!r)
		return;
	for (k = 0; k < TGPL_OBL__COUNT; k++) {
		free(r->acc[k].ev);
		free(r->acc[k].repos);
		free(r->acc[k].sources);
	}
	for (i = 0; i < r->n_riders; i++)
		free(r->riders[i].repos);
	for (i = 0; i < r->n_conflicts; i++)
		free((void *)r->conflicts[i].repos);
	free(r->riders);
	free(r->conflicts);
	free(r->repos);
	free(r->rs);
	free(r->records);
	free(r->policy_name);
	obl_arena_release(&r->arena);
	free(r);
}

/* ---- accessors --------------------------------------------------------------- */

size_t tgpl_obligations_count(const tgpl_obligations *r)
{
	return r ? r->n_applied : 0;
}

const tgpl_obligation *tgpl_obligations_at(const tgpl_obligations *r, size_t i)
{
	return r && i < r->n_applied ? &r->obl[r->applied[i]] : NULL;
}

const tgpl_obligation *tgpl_obligations_get(const tgpl_obligations *r, tgpl_obligation_id id)
{
	return r && (unsigned int)id < TGPL_OBL__COUNT && r->acc[id].triggered ? &r->obl[id] : NULL;
}

size_t tgpl_obligations_conflict_count(const tgpl_obligations *r)
{
	return r ? r->n_conflicts : 0;
}

const tgpl_conflict *tgpl_obligations_conflict_at(const tgpl_obligations *r, size_t i)
{
	return r && i < r->n_conflicts ? &r->conflicts[i] : NULL;
}

size_t tgpl_obligations_repo_count(const tgpl_obligations *r)
{
	return r ? r->n_repos : 0;
}

const tgpl_repository *tgpl_obligations_repo_at(const tgpl_obligations *r, size_t i)
{
	return r && i < r->n_repos ? &r->repos[i] : NULL;
}

tgpl_verdict tgpl_obligations_verdict(const tgpl_obligations *r)
{
	return r ? r->verdict : TGPL_VERDICT_INCLUDE;
}

int tgpl_obligations_denied(const tgpl_obligations *r)
{
	return r ? r->denied : 0;
}

const char *tgpl_obligations_policy_name(const tgpl_obligations *r)
{
	return r ? r->policy_name : NULL;
}
