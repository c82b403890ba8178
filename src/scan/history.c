/*
 * history.c — tgpl_scan_history(): the declared licence and TGPL clauses of
 * every commit reachable from a revision, and tgpl_blob_id_file().
 *
 * Only root-level licence files and package manifests decide the declared
 * licence (src/store/conclude.c), so a commit is described by its *root
 * state key*: the names and blob ids of those root entries.  Commits are
 * walked parents first; a commit whose key equals its first parent's has
 * the parent's licence without any work, and a key seen before (anywhere in
 * the walk) is looked up in a small cache.  Only a new key stages its few
 * files, analyses the blobs the store does not already hold (the
 * content-addressed cache of DESIGN.md §2) and runs the ordinary conclusion
 * on them.  So the cost is one root-tree read per commit plus one analysis
 * per distinct licence-file or manifest blob, not commits × files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <git2.h>

#include "store/history.h"
#include "store/store.h"
#include "tgpl/history.h"
#include "util/util.h"
#include "walk/walk.h"

#define MAX_ROOT_ENTRIES 256    /* licence files and manifests kept per root tree (hostile trees) */
#define STATE_CACHE_MAX 4096    /* distinct root states remembered; past it the cache restarts */
#define BATCH_SECONDS 2         /* commit staged work this often, so other writers get turns */
#define MAX_AUTHOR 512          /* bytes of "name <email>" kept */
#define MAX_SUMMARY 200         /* bytes of the commit summary kept */

/*
 * Package manifests whose licence field is root metadata.  Keep in step with
 * formats[] in src/detect/metadata.c (REUSE files annotate other files and do
 * not declare, so they are not here).
 */
static int is_manifest_name(const char *name, size_t n)
{
	static const char *const exact[] = { "package.json", "composer.json", "Cargo.toml",
					     "pyproject.toml", "setup.cfg", "PKG-INFO", "METADATA",
					     "pom.xml", "DESCRIPTION" };
	static const char *const suffix[] = { ".gemspec", ".podspec", ".nuspec" };
	size_t i;

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == n && memcmp(name, exact[i], n) == 0)
			return 1;
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		size_t k = strlen(suffix[i]);
		if (n > k && memcmp(name + n - k, suffix[i], k) == 0)
			return 1;
	}
	return 0;
}

/* ---- root states ---------------------------------------------------------- */

/*
 * A root state key is, per kept entry in tree order, its name, a NUL and
 * its 20-byte blob id.  Names hold no NUL (git forbids it), so the key
 * parses back unambiguously.
 */
typedef struct {
	char *key;
	size_t key_len;
	uint64_t hash;
	char *declared;
	char *clauses;
} root_state;

typedef struct {
	root_state *v;
	size_t n, cap;
	uint32_t *slot;        /* open addressing: index + 1, 0 = empty */
	size_t n_slots;
} state_cache;

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void cache_clear(state_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].declared);
		free(c->v[i].clauses);
	}
	c->n = 0;
	if (c->slot)
		memset(c->slot, 0, c->n_slots * sizeof(*c->slot));
}

static void cache_release(state_cache *c)
{
	cache_clear(c);
	free(c->v);
	free(c->slot);
	memset(c, 0, sizeof(*c));
}

/* Index of the state with this key, or -1. */
static long cache_find(const state_cache *c, const char *key, size_t len, uint64_t h)
{
	size_t i;

	if (!c->n_slots)
		return -1;
	for (i = h & (c->n_slots - 1); c->slot[i]; i = (i + 1) & (c->n_slots - 1)) {
		const root_state *s = &c->v[c->slot[i] - 1];
		if (s->hash == h && s->key_len == len && memcmp(s->key, key, len) == 0)
			return (long)(c->slot[i] - 1);
	}
	return -1;
}

/* Add a state (taking ownership of declared and clauses); its index or TGPL_ENOMEM. */
static long cache_add(state_cache *c, const char *key, size_t len, uint64_t h,
		      char *declared, char *clauses)
{
	root_state *s;
	size_t i;

	if ((c->n + 1) * 2 > c->n_slots) {
		size_t n_slots = c->n_slots ? c->n_slots * 2 : 64, k;
		uint32_t *slot = tgpl_calloc(n_slots, sizeof(*slot));

		if (!slot)
			goto oom;
		for (k = 0; k < c->n; k++) {
			for (i = c->v[k].hash & (n_slots - 1); slot[i]; i = (i + 1) & (n_slots - 1))
				;
			slot[i] = (uint32_t)k + 1;
		}
		free(c->slot);
		c->slot = slot;
		c->n_slots = n_slots;
	}
	if (tgpl_grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v)) < 0)
		goto oom;
	s = &c->v[c->n];
	memset(s, 0, sizeof(*s));
	if (!(s->key = tgpl_malloc(len ? len : 1)))
		goto oom;
	if (len)
		memcpy(s->key, key, len);
	s->key_len = len;
	s->hash = h;
	s->declared = declared;
	s->clauses = clauses;
	for (i = h & (c->n_slots - 1); c->slot[i]; i = (i + 1) & (c->n_slots - 1))
		;
	c->slot[i] = (uint32_t)c->n + 1;
	return (long)c->n++;
oom:
	free(declared);
	free(clauses);
	return TGPL_ENOMEM;
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ---- the walk ------------------------------------------------------------- */

typedef struct {
	tgpl_ctx *ctx;
	tgpl_db *db;
	const tgpl_engine *engine;
	const char *engine_version;
	const tgpl_scan_options *opts;
	const char *repo_path;
	git_repository *repo;
	git_odb *odb;
	git_revwalk *walk;
	tgpl_history_result *res;
	state_cache cache;
	tgpl_buf key_c, key_p, key_last, files, author, summary;
	git_oid last_commit, last_tree;
	git_oid tip;
	int have_last, tip_walked;
	int warned_cap;
	uint64_t walked, bytes;
	time_t last_flush;
} hist;

static int git_fail(hist *h, const char *what)
{
	const git_error *ge = git_error_last();

	return tgpl_error(h->ctx, TGPL_EGIT, "repository '%s': %s: %s", h->repo_path, what,
			  ge && ge->message ? ge->message : "libgit2 error");
}

/* The root state key of tree `tree_id` into `key`. */
static int root_key(hist *h, const git_oid *tree_id, tgpl_buf *key)
{
	git_tree *tree = NULL;
	size_t i, n, kept = 0;
	int rc = 0;

	tgpl_buf_clear(key);
	if (git_tree_lookup(&tree, h->repo, tree_id) < 0) {
		const git_error *ge = git_error_last();
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), tree_id);
		return tgpl_error(h->ctx, TGPL_EGIT, "repository '%s': cannot read tree %s: %s",
				  h->repo_path, hex, ge && ge->message ? ge->message : "missing object");
	}
	n = git_tree_entrycount(tree);
	for (i = 0; i < n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		git_filemode_t fm = git_tree_entry_filemode_raw(te);
		const char *name = git_tree_entry_name(te);
		size_t len = strlen(name);

		if (fm != GIT_FILEMODE_BLOB && fm != GIT_FILEMODE_BLOB_EXECUTABLE)
			continue;
		if (!conclude_is_license_name(name, len) && !is_manifest_name(name, len))
			continue;
		if (kept == MAX_ROOT_ENTRIES) {
			if (!h->warned_cap++)
				tgpl_log(h->ctx, TGPL_LOG_WARN, "repository '%s': more than %d licence files "
					 "and manifests at the root; only the first %d decide",
					 h->repo_path, MAX_ROOT_ENTRIES, MAX_ROOT_ENTRIES);
			break;
		}
		if (tgpl_buf_put(key, name, len + 1) < 0 ||
		    tgpl_buf_put(key, git_tree_entry_id(te)->id, GIT_OID_RAWSZ) < 0) {
			rc = tgpl_error(h->ctx, TGPL_ENOMEM, "out of memory");
			break;
		}
		kept++;
	}
	git_tree_free(tree);
	return rc;
}

/* Next (name, id) of a key; 0 at the end. */
static int key_next(const tgpl_buf *key, size_t *pos, const char **name, size_t *len,
		    const unsigned char **id)
{
	const char *nul;

	if (*pos >= key->len)
		return 0;
	*name = key->ptr + *pos;
	nul = memchr(*name, '\0', key->len - *pos);
	*len = (size_t)(nul - *name);
	*id = (const unsigned char *)nul + 1;
	*pos += *len + 1 + GIT_OID_RAWSZ;
	return 1;
}

/* Has `key` the entry (name, id)?  2: same id, 1: other id, 0: absent. */
static int key_has(const tgpl_buf *key, const char *name, size_t len, const unsigned char *id)
{
	size_t pos = 0, n;
	const char *nm;
	const unsigned char *i;

	while (key_next(key, &pos, &nm, &n, &i))
		if (n == len && memcmp(nm, name, len) == 0)
			return memcmp(i, id, GIT_OID_RAWSZ) == 0 ? 2 : 1;
	return 0;
}

/* Analyse one blob unless the store holds its analysis; *size_out its size. */
static int analyse_blob(hist *h, const char *name, const unsigned char *raw, int64_t *size_out)
{
	tgpl_detection *det = NULL;
	git_odb_object *obj = NULL;
	git_object_t type;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	size_t size, max = h->opts->detect.max_file_size;
	int rc;

	git_oid_fromraw(&id, raw);
	git_oid_tostr(hex, sizeof(hex), &id);
	if (git_odb_read_header(&size, &type, h->odb, &id) < 0) {
		const git_error *ge = git_error_last();
		return tgpl_error(h->ctx, TGPL_EGIT, "repository '%s': cannot read blob %s of '%s': %s",
				  h->repo_path, hex, name, ge && ge->message ? ge->message : "missing object");
	}
	*size_out = (int64_t)size;
	if ((rc = store_is_analysed(h->db, hex, h->engine_version)) < 0)
		return rc;
	if (rc == 1) {
		h->res->reused++;
		return 0;
	}
	if (max && size > max) {
		det = tgpl_calloc(1, sizeof(*det));
		if (!det || !(det->skipped = tgpl_strdup("too-big"))) {
			tgpl_detection_free(det);
			return tgpl_error(h->ctx, TGPL_ENOMEM, "out of memory");
		}
	} else {
		if (git_odb_read(&obj, h->odb, &id) < 0) {
			const git_error *ge = git_error_last();
			return tgpl_error(h->ctx, TGPL_EGIT, "repository '%s': cannot read blob %s of '%s': %s",
					  h->repo_path, hex, name, ge && ge->message ? ge->message : "missing object");
		}
		rc = tgpl_detect(&det, h->ctx, h->engine, &h->opts->detect, name,
				 git_odb_object_data(obj), git_odb_object_size(obj));
		h->bytes += git_odb_object_size(obj);
		git_odb_object_free(obj);
		if (rc < 0)
			return rc;
	}
	rc = store_put_analysis(h->db, hex, (int64_t)size, h->engine_version, det);
	tgpl_detection_free(det);
	if (rc == 0)
		h->res->analysed++;
	return rc;
}

/* Conclude the declared licence and clauses of a root state key (caller frees both). */
static int conclude_key(hist *h, const tgpl_buf *key, char **declared, char **clauses)
{
	size_t pos = 0, len;
	const char *name;
	const unsigned char *raw;
	int rc;

	*declared = *clauses = NULL;
	if ((rc = store_batch_begin(h->db)) < 0 || (rc = store_stage_begin(h->db)) < 0)
		return rc;
	while (key_next(key, &pos, &name, &len, &raw)) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid id;
		int64_t size = 0;

		git_oid_fromraw(&id, raw);
		git_oid_tostr(hex, sizeof(hex), &id);
		if ((rc = analyse_blob(h, name, raw, &size)) < 0 ||
		    (rc = store_stage_file(h->db, name, len, 0100644, "file", hex, size)) < 0)
			goto done;
	}
	if ((rc = store_conclude(h->db, h->engine_version, declared)) < 0 ||
	    (rc = store_stage_clauses(h->db, h->engine_version, clauses)) < 0)
		goto done;
	h->res->concluded++;
done:
	store_stage_drop(h->db);
	if (rc < 0) {
		free(*declared);
		free(*clauses);
		*declared = *clauses = NULL;
	}
	return rc;
}

/* The state of a key: from the cache, or concluded.  Index into h->cache.v. */
static long state_of(hist *h, const tgpl_buf *key)
{
	uint64_t hash = fnv1a(key->ptr ? key->ptr : "", key->len);
	long i = cache_find(&h->cache, key->ptr ? key->ptr : "", key->len, hash);
	char *declared, *clauses;
	int rc;

	if (i >= 0)
		return i;
	if ((rc = conclude_key(h, key, &declared, &clauses)) < 0)
		return rc;
	i = cache_add(&h->cache, key->ptr ? key->ptr : "", key->len, hash, declared, clauses);
	if (i < 0)
		return tgpl_error(h->ctx, TGPL_ENOMEM, "out of memory");
	return i;
}

/* JSON array of the names that differ between the parent's key and the commit's. */
static int changed_files(hist *h, const tgpl_buf *from, const tgpl_buf *to)
{
	size_t pos = 0, len;
	const char *name;
	const unsigned char *id;
	int n = 0;

	tgpl_buf_clear(&h->files);
	if (tgpl_buf_putc(&h->files, '[') < 0)
		return TGPL_ENOMEM;
	/* Added or changed (in the commit's tree order), then removed. */
	while (key_next(to, &pos, &name, &len, &id)) {
		if (from && key_has(from, name, len, id) == 2)
			continue;
		if ((n++ && tgpl_buf_putc(&h->files, ',') < 0) ||
		    tgpl_buf_put_json_string(&h->files, name, len) < 0)
			return TGPL_ENOMEM;
	}
	for (pos = 0; from && key_next(from, &pos, &name, &len, &id);) {
		if (key_has(to, name, len, id))
			continue;
		if ((n++ && tgpl_buf_putc(&h->files, ',') < 0) ||
		    tgpl_buf_put_json_string(&h->files, name, len) < 0)
			return TGPL_ENOMEM;
	}
	if (tgpl_buf_putc(&h->files, ']') < 0)
		return TGPL_ENOMEM;
	return n;
}

/* Copy at most `max` bytes of s, not cutting a UTF-8 sequence. */
static int put_capped(tgpl_buf *b, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return n ? tgpl_buf_put(b, s, n) : 0;
}

static int record_commit(hist *h, store_history_writer *w, const git_oid *id)
{
	git_commit *c = NULL, *p = NULL;
	const git_oid *tree_id, *ptree_id = NULL, *pid = NULL;
	const git_signature *author;
	store_history_row row;
	char hex[GIT_OID_HEXSZ + 1], phex[GIT_OID_HEXSZ + 1];
	long sc, sp = -1;
	int rc = 0, nfiles;

	git_oid_tostr(hex, sizeof(hex), id);
	if (git_commit_lookup(&c, h->repo, id) < 0) {
		rc = git_fail(h, "cannot read a commit");
		goto done;
	}
	tree_id = git_commit_tree_id(c);
	if (git_commit_parentcount(c) > 0) {
		pid = git_commit_parent_id(c, 0);
		if (h->have_last && git_oid_equal(pid, &h->last_commit)) {
			ptree_id = &h->last_tree;
		} else if (git_commit_lookup(&p, h->repo, pid) == 0) {
			ptree_id = git_commit_tree_id(p);
		} else {
			/* A shallow clone's boundary: the parent is not here. */
			tgpl_log(h->ctx, TGPL_LOG_DEBUG, "repository '%s': parent of %s is missing; "
				 "treated as a root commit", h->repo_path, hex);
			pid = NULL;
		}
	}
	/* The commit's key, and its first parent's, reading as few trees as possible. */
	if (h->have_last && git_oid_equal(tree_id, &h->last_tree)) {
		if (tgpl_buf_put(&h->key_c, h->key_last.ptr ? h->key_last.ptr : "", h->key_last.len) < 0)
			goto oom;
	} else if ((rc = root_key(h, tree_id, &h->key_c)) < 0) {
		goto done;
	}
	if (pid) {
		tgpl_buf_clear(&h->key_p);
		if (git_oid_equal(ptree_id, tree_id)) {
			if (tgpl_buf_put(&h->key_p, h->key_c.ptr ? h->key_c.ptr : "", h->key_c.len) < 0)
				goto oom;
		} else if (ptree_id == &h->last_tree) {
			if (tgpl_buf_put(&h->key_p, h->key_last.ptr ? h->key_last.ptr : "", h->key_last.len) < 0)
				goto oom;
		} else if ((rc = root_key(h, ptree_id, &h->key_p)) < 0) {
			goto done;
		}
	}
	/* No cache reset between the two lookups: indices stay valid. */
	if (h->cache.n >= STATE_CACHE_MAX)
		cache_clear(&h->cache);
	if ((sc = state_of(h, &h->key_c)) < 0 || (pid && (sp = state_of(h, &h->key_p)) < 0)) {
		rc = (int)(sc < 0 ? sc : sp);
		goto done;
	}
	if ((nfiles = changed_files(h, pid ? &h->key_p : NULL, &h->key_c)) < 0)
		goto oom;

	memset(&row, 0, sizeof(row));
	row.commit_id = hex;
	if (pid) {
		git_oid_tostr(phex, sizeof(phex), pid);
		row.parent_id = phex;
	}
	row.commit_time = (int64_t)git_commit_time(c);
	author = git_commit_author(c);
	tgpl_buf_clear(&h->author);
	tgpl_buf_clear(&h->summary);
	if (author) {
		row.author_time = (int64_t)author->when.time;
		if (put_capped(&h->author, author->name, MAX_AUTHOR / 2) < 0 ||
		    tgpl_buf_puts(&h->author, " <") < 0 ||
		    put_capped(&h->author, author->email, MAX_AUTHOR / 2) < 0 ||
		    tgpl_buf_putc(&h->author, '>') < 0)
			goto oom;
		row.author = h->author.ptr;
	}
	if (put_capped(&h->summary, git_commit_summary(c), MAX_SUMMARY) < 0 ||
	    tgpl_buf_putc(&h->summary, '\0') < 0)
		goto oom;
	row.summary = h->summary.ptr;
	row.declared = h->cache.v[sc].declared;
	row.clauses = h->cache.v[sc].clauses;
	if (pid)
		row.changed = !str_eq(h->cache.v[sp].declared, row.declared) ||
			      !str_eq(h->cache.v[sp].clauses, row.clauses);
	else
		row.changed = row.declared || row.clauses;
	row.files = nfiles ? h->files.ptr : NULL;
	if ((rc = store_history_stage(w, &row)) < 0)
		goto done;
	if (row.changed)
		h->res->changes++;
	if (git_oid_equal(id, &h->tip)) {
		/* Kept now: after the rows are committed nothing may fail. */
		snprintf(h->res->declared, sizeof(h->res->declared), "%s", row.declared ? row.declared : "");
		snprintf(h->res->clauses, sizeof(h->res->clauses), "%s", row.clauses ? row.clauses : "");
		h->tip_walked = 1;
	}

	/* This commit is most likely the next one's parent. */
	tgpl_buf_clear(&h->key_last);
	if (tgpl_buf_put(&h->key_last, h->key_c.ptr ? h->key_c.ptr : "", h->key_c.len) < 0)
		goto oom;
	git_oid_cpy(&h->last_commit, id);
	git_oid_cpy(&h->last_tree, tree_id);
	h->have_last = 1;
	goto done;
oom:
	rc = tgpl_error(h->ctx, TGPL_ENOMEM, "out of memory");
done:
	tgpl_buf_clear(&h->key_c);
	git_commit_free(p);
	git_commit_free(c);
	return rc;
}

static int hide_known(const char *commit_id, void *payload)
{
	hist *h = payload;
	git_oid id;

	/* A recorded commit that this repository no longer has is simply not hidden. */
	if (git_oid_fromstr(&id, commit_id) == 0 && git_revwalk_hide(h->walk, &id) == 0)
		h->res->known++;
	return 0;
}

int tgpl_scan_history(tgpl_history_result *out, tgpl_ctx *ctx, tgpl_db *db,
		      const tgpl_engine *engine, const char *path,
		      const tgpl_scan_options *opts)
{
	tgpl_scan_options defaults = TGPL_SCAN_OPTIONS_INIT;
	tgpl_history_result res;
	store_history_writer w = { NULL, NULL, 0 };
	walk_source *src = NULL;
	const walk_info *info;
	hist h;
	git_oid id;
	char *declared = NULL, *clauses = NULL;
	int64_t rows = 0;
	int rc, grc, staged = 0;

	if (!opts)
		opts = &defaults;
	git_libgit2_init();
	memset(&res, 0, sizeof(res));
	memset(&h, 0, sizeof(h));
	h.ctx = ctx;
	h.db = db;
	h.engine = engine;
	h.engine_version = tgpl_engine_version(engine);
	h.opts = opts;
	h.res = &res;
	h.last_flush = time(NULL);
	if ((rc = walk_open(&src, ctx, path, opts->rev)) < 0)
		goto done;
	info = walk_get_info(src);
	if (!info->commit_id) {
		rc = tgpl_error(ctx, TGPL_EINVAL,
				"cannot record the history of '%s': not a git repository", path);
		goto done;
	}
	h.repo_path = info->path;
	snprintf(res.path, sizeof(res.path), "%s", info->path);
	snprintf(res.kind, sizeof(res.kind), "%s", info->kind);
	snprintf(res.commit, sizeof(res.commit), "%s", info->commit_id);
	if (git_repository_open_ext(&h.repo, info->path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		rc = git_fail(&h, "cannot open the repository");
		goto done;
	}
	/* libgit2 1.5 cannot walk past a shallow boundary: say so, rather than "object not found". */
	if (git_repository_is_shallow(h.repo) == 1) {
		rc = tgpl_error(ctx, TGPL_EINVAL, "repository '%s' is a shallow clone: its history is "
				"incomplete (run 'git fetch --unshallow' in it first)", info->path);
		goto done;
	}
	if (git_repository_odb(&h.odb, h.repo) < 0 || git_revwalk_new(&h.walk, h.repo) < 0 ||
	    git_revwalk_sorting(h.walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_oid_fromstr(&h.tip, info->commit_id) < 0 || git_revwalk_push(h.walk, &h.tip) < 0) {
		rc = git_fail(&h, "cannot walk the commits");
		goto done;
	}
	if ((rc = store_history_begin(&w, db)) < 0)
		goto done;
	staged = 1;
	if ((rc = store_history_known(db, info->path, h.engine_version, hide_known, &h)) < 0)
		goto done;
	while ((grc = git_revwalk_next(&id, h.walk)) == 0) {
		if (tgpl_interrupted(ctx)) {
			rc = tgpl_error(ctx, TGPL_EINTR, "interrupted");
			goto done;
		}
		if ((rc = record_commit(&h, &w, &id)) < 0)
			goto done;
		h.walked++;
		if (time(NULL) - h.last_flush >= BATCH_SECONDS) {
			if ((rc = store_batch_commit(db)) < 0)
				goto done;
			h.last_flush = time(NULL);
		}
		if (opts->progress) {
			tgpl_scan_progress p = { info->path, h.walked, h.bytes, 0 };
			opts->progress(&p, opts->payload);
		}
	}
	if (grc != GIT_ITEROVER) {
		rc = git_fail(&h, "cannot walk the commits");
		goto done;
	}
	/* The tip recorded before: its state is in the table (and this scan adds no row). */
	if (!h.tip_walked) {
		if ((rc = store_history_state(db, info->path, info->commit_id, &declared, &clauses)) < 0)
			goto done;
		snprintf(res.declared, sizeof(res.declared), "%s", declared ? declared : "");
		snprintf(res.clauses, sizeof(res.clauses), "%s", clauses ? clauses : "");
	}
	if ((rc = store_history_commit(db, info->path, info->kind, info->origin, h.engine_version,
				       &rows)) < 0)
		goto done;
	res.commits = (uint64_t)rows;
	rc = 0;
	if (opts->progress) {
		tgpl_scan_progress p = { info->path, h.walked, h.bytes, 1 };
		opts->progress(&p, opts->payload);
	}
done:
	if (rc < 0 && staged)
		store_batch_commit(db);   /* keep the analyses: they are valid cache */
	if (staged)
		store_history_end(&w);
	if (out)
		*out = res;
	free(declared);
	free(clauses);
	cache_release(&h.cache);
	tgpl_buf_release(&h.key_c);
	tgpl_buf_release(&h.key_p);
	tgpl_buf_release(&h.key_last);
	tgpl_buf_release(&h.files);
	tgpl_buf_release(&h.author);
	tgpl_buf_release(&h.summary);
	git_revwalk_free(h.walk);
	git_odb_free(h.odb);
	git_repository_free(h.repo);
	walk_close(src);
	git_libgit2_shutdown();
	return rc;
}

/* ---- membership ------------------------------------------------------------ */

int tgpl_blob_id_file(char out[41], tgpl_ctx *ctx, const char *path)
{
	struct stat st;
	git_oid id;
	int rc = 0;

	if (stat(path, &st) < 0)
		return tgpl_error(ctx, errno == ENOENT ? TGPL_ENOTFOUND : TGPL_EIO,
				  "cannot read '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return tgpl_error(ctx, TGPL_EINVAL, "cannot read '%s': not a regular file", path);
	git_libgit2_init();
	if (git_odb_hashfile(&id, path, GIT_OBJECT_BLOB) < 0) {
		const git_error *ge = git_error_last();
		rc = tgpl_error(ctx, TGPL_EIO, "cannot read '%s': %s", path,
				ge && ge->message ? ge->message : "read failed");
	} else {
		git_oid_tostr(out, 41, &id);
	}
	git_libgit2_shutdown();
	return rc;
}
