/*
 * scan.c — the pipeline driver: walk → detect → store, for one repository.
 *
 * Each entry is staged; each regular file's blob is analysed unless the
 * store already has its analysis for this engine (the content-addressed
 * cache of DESIGN.md §2).  Analyses are written into the store's batch
 * transaction as they come; the repository's rows at the end, whole, in a
 * savepoint of it (store.h says when the batch commits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/pool.h"
#include "store/store.h"
#include "tgpl/scan.h"
#include "util/util.h"
#include "walk/walk.h"

#define INLINE_BLOBS 4         /* blobs a repository analyses on the driver before starting threads */
#define MAX_DIFF_CHANGES 16384 /* a rescan from an earlier revision lists at most this many changes */

/* Blob ids submitted to the pool and not yet stored (open addressing), each
 * with the number of other files met meanwhile that hold the same blob. */
typedef struct {
	char oid[41];
	uint32_t dups;
} oid_slot;

typedef struct {
	oid_slot *slot;
	size_t cap, used;
} oid_set;

static size_t oid_hash(const char *oid, size_t cap)
{
	uint64_t h = 0;
	int i;

	for (i = 0; i < 16; i++)   /* hex digits of a hash are already uniform */
		h = h << 4 | (uint64_t)(oid[i] <= '9' ? oid[i] - '0' : oid[i] - 'a' + 10);
	return (size_t)(h & (cap - 1));
}

static oid_slot *oid_set_find(const oid_set *s, const char *oid)
{
	size_t i;

	if (!s->cap)
		return NULL;
	for (i = oid_hash(oid, s->cap); s->slot[i].oid[0]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i].oid[0] != '-' && memcmp(s->slot[i].oid, oid, 40) == 0)
			return &s->slot[i];
	return NULL;
}

static int oid_set_add(oid_set *s, const char *oid, uint32_t dups)
{
	size_t i;

	if ((s->used + 1) * 2 > s->cap) {
		oid_set big = { NULL, s->cap ? s->cap * 2 : 1024, 0 };
		big.slot = tgpl_calloc(big.cap, sizeof(*big.slot));
		if (!big.slot)
			return TGPL_ENOMEM;
		for (i = 0; i < s->cap; i++)
			if (s->slot[i].oid[0] && s->slot[i].oid[0] != '-')
				oid_set_add(&big, s->slot[i].oid, s->slot[i].dups);
		free(s->slot);
		*s = big;
	}
	for (i = oid_hash(oid, s->cap); s->slot[i].oid[0] && s->slot[i].oid[0] != '-';
	     i = (i + 1) & (s->cap - 1))
		;
	memcpy(s->slot[i].oid, oid, 41);
	s->slot[i].dups = dups;
	s->used++;
	return 0;
}

/* Remove oid; the number of other files that held it. */
static uint32_t oid_set_del(oid_set *s, const char *oid)
{
	oid_slot *x = oid_set_find(s, oid);

	if (!x)
		return 0;
	x->oid[0] = '-';   /* tombstone: keeps probe chains whole */
	return x->dups;
}

typedef struct {
	tgpl_ctx *ctx;
	tgpl_db *db;
	const tgpl_engine *engine;
	const tgpl_scan_options *opts;
	walk_source *src;
	tgpl_scan_result *res;
	scan_pool *pool;          /* NULL: detect on this thread */
	int counting;             /* keeping the licence counts (a walk of the whole tree) */
	unsigned int inline_left; /* blobs still detected here before the pool starts */
	oid_set inflight;
} scan_state;

/* Store a finished job's result (on the driver thread). */
static int store_job(scan_state *s, scan_job *job)
{
	int rc = job->rc;

	uint32_t dups = oid_set_del(&s->inflight, job->oid);

	if (rc < 0)
		rc = tgpl_error(s->ctx, rc, "%s", job->err);
	else if ((rc = store_put_analysis(s->db, job->oid, job->size, tgpl_engine_version(s->engine),
					  job->det)) == 0) {
		s->res->analysed++;
		if (s->counting)
			rc = store_count_label(s->db, job->det->expression, job->det->skipped,
					       (int64_t)dups + 1);
	}
	scan_job_free(job);
	return rc;
}

/* Store whatever the workers have finished; with wait, everything pending. */
static int drain(scan_state *s, int wait)
{
	scan_job *job;
	int rc = 0;

	if (!s->pool)
		return 0;
	while ((job = pool_take(s->pool, wait)) != NULL) {
		int jrc = store_job(s, job);
		if (jrc < 0 && rc == 0)
			rc = jrc;
	}
	return rc;
}

/* Give the blob to a worker: a copy of its bytes, or (data NULL) its id for
 * the worker to read. */
static int submit(scan_state *s, const walk_entry *e, const void *data, size_t len)
{
	scan_job *job = tgpl_calloc(1, sizeof(*job));

	if (!job || !(job->path = tgpl_strdup(e->path)) ||
	    (data && !(job->data = tgpl_malloc(len + 1)))) {
		scan_job_free(job);
		return tgpl_error(s->ctx, TGPL_ENOMEM, "out of memory");
	}
	if (data)
		memcpy(job->data, data, len);
	job->read = data == NULL;
	job->len = len;
	job->size = e->size;
	memcpy(job->oid, e->oid, 41);
	if (oid_set_add(&s->inflight, e->oid, 0) < 0) {
		scan_job_free(job);
		return tgpl_error(s->ctx, TGPL_ENOMEM, "out of memory");
	}
	s->res->bytes += len;
	return pool_submit(s->pool, job);
}

static int analyse(scan_state *s, const walk_entry *e)
{
	walk_content *content = NULL;
	tgpl_detection *det = NULL;
	const void *data = e->data;
	size_t len = (size_t)e->size;
	int rc;

	oid_slot *pending = oid_set_find(&s->inflight, e->oid);

	if (pending)
		pending->dups++;   /* counted with the blob when its job is stored */
	rc = pending ? 1 : store_lookup_analysis(s->db, e->oid, tgpl_engine_version(s->engine),
						  s->counting);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		s->res->reused++;
		return 0;
	}
	/* Threads only for a repository with work for them: a rescan of a new
	 * revision often has a blob or two to analyse, not a pool's worth. */
	if (!s->pool && s->opts->jobs > 1 && s->inline_left == 0 &&
	    (rc = pool_start(&s->pool, (int)s->opts->jobs, s->engine, &s->opts->detect,
			     walk_is_git(s->src) ? s->src : NULL)) < 0)
		return tgpl_error(s->ctx, rc, "cannot start %u detection threads", s->opts->jobs);
	if (s->inline_left)
		s->inline_left--;
	if (!data && (!s->opts->detect.max_file_size || len <= s->opts->detect.max_file_size)) {
		/* A worker reads a git blob itself: inflating is half the work. */
		if (s->pool && walk_is_git(s->src)) {
			rc = submit(s, e, NULL, len);
			return rc < 0 ? rc : drain(s, 0);
		}
		if ((rc = walk_read(&content, &data, &len, s->src, s->ctx, e)) < 0)
			return rc;
	}
	if (data && s->pool) {
		rc = submit(s, e, data, len);
		walk_content_free(content);
		return rc < 0 ? rc : drain(s, 0);
	}
	if (!data) {
		/* Over the size cap: record the skip without reading the bytes. */
		det = tgpl_calloc(1, sizeof(*det));
		if (!det || !(det->skipped = tgpl_strdup("too-big"))) {
			tgpl_detection_free(det);
			return tgpl_error(s->ctx, TGPL_ENOMEM, "out of memory");
		}
	} else if ((rc = tgpl_detect(&det, s->ctx, s->engine, &s->opts->detect, e->path, data, len)) < 0) {
		walk_content_free(content);
		return rc;
	}
	s->res->bytes += len;
	rc = store_put_analysis(s->db, e->oid, e->size, tgpl_engine_version(s->engine), det);
	if (rc == 0)
		s->res->analysed++;
	if (rc == 0 && s->counting)
		rc = store_count_label(s->db, det->expression, det->skipped, 1);
	tgpl_detection_free(det);
	walk_content_free(content);
	return rc;
}

/*
 * Can this path change the conclusion of another file (store_conclude():
 * root files and metadata, licence files, REUSE sidecars and dep5)?  A
 * rescan from an earlier revision stages these whole, so that the files it
 * copies keep conclusions a full walk would give them.
 */
static int path_concludes(const char *path, size_t len)
{
	size_t b = len;

	while (b > 0 && path[b - 1] != '/')
		b--;
	if (b == 0)
		return 1;
	if (len == 11 && memcmp(path, ".reuse/dep5", 11) == 0)
		return 1;
	if (len - b >= 8 && memcmp(path + len - 8, ".license", 8) == 0)
		return 1;
	return conclude_is_license_name(path + b, len - b);
}

static int diff_check(const char *path, size_t len, void *payload)
{
	(void)payload;
	return path_concludes(path, len);
}

static int diff_gone(const char *path, size_t len, void *payload)
{
	scan_state *s = payload;

	return store_stage_gone(s->db, path, len);
}

static int keep_concluding(const char *path, size_t len, const char *type, void *payload)
{
	scan_state *s = payload;

	if (!path_concludes(path, len))
		return 0;
	if (strcmp(type, "file") == 0)
		s->res->reused++;
	return 1;
}

static int on_entry(const walk_entry *e, void *payload)
{
	scan_state *s = payload;
	int rc;

	if ((rc = store_stage_file(s->db, e->path, e->path_len, e->mode, e->type, e->oid, e->size)) < 0)
		return rc;
	if (strcmp(e->type, "file") == 0 && (rc = analyse(s, e)) < 0)
		return rc;
	s->res->files++;
	if ((rc = store_batch_commit_due(s->db)) < 0)
		return rc;
	if (s->opts->progress) {
		tgpl_scan_progress p = { s->res->path, s->res->files, s->res->bytes, 0 };
		s->opts->progress(&p, s->opts->payload);
	}
	if (tgpl_interrupted(s->ctx))
		return tgpl_error(s->ctx, TGPL_EINTR, "interrupted");
	return 0;
}

int tgpl_scan_path(tgpl_scan_result *out, tgpl_ctx *ctx, tgpl_db *db,
		   const tgpl_engine *engine, const char *path,
		   const tgpl_scan_options *opts)
{
	tgpl_scan_options defaults = TGPL_SCAN_OPTIONS_INIT;
	tgpl_scan_result res;
	walk_source *src = NULL;
	const walk_info *info;
	char *name = NULL, *origin = NULL;   /* as stored: without credentials */
	store_revision rev;
	scan_state s;
	int64_t files = 0, copied = 0, base_id = 0;
	char base_tree[41];
	char *declared = NULL;
	int rc;

	if (!opts)
		opts = &defaults;
	memset(&res, 0, sizeof(res));
	if ((rc = walk_open(&src, ctx, path, opts->rev)) < 0)
		goto done;
	info = walk_get_info(src);
	/* A cached clone is stored under its URL (tgpl_scan_location()). */
	name = tgpl_url_redact(opts->version >= 2 && opts->name ? opts->name : info->path);
	if (!name || (info->origin && !(origin = tgpl_url_redact(info->origin)))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	snprintf(res.path, sizeof(res.path), "%s", name);
	snprintf(res.kind, sizeof(res.kind), "%s", info->kind);
	snprintf(res.commit, sizeof(res.commit), "%s", info->commit_id ? info->commit_id : "");
	memset(&rev, 0, sizeof(rev));
	rev.repo_path = name;
	rev.kind = info->kind;
	rev.origin = origin;
	rev.rev_key = info->commit_id ? info->commit_id : "dir";
	rev.commit_id = info->commit_id;
	rev.tree_id = info->tree_id;
	rev.commit_time = info->commit_time;
	rev.ref = info->ref;
	rev.engine = tgpl_engine_version(engine);
	/* A commit already stored whole by this engine needs no second pass. */
	if (info->commit_id && (rc = store_has_revision(db, &rev)) != 0) {
		if (rc == 1) {
			res.unchanged = 1;
			rc = 0;
		}
		goto done;
	}
	if ((rc = store_stage_begin(db)) < 0)
		goto done;
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.db = db;
	s.engine = engine;
	s.opts = opts;
	s.src = src;
	s.res = &res;
	s.inline_left = INLINE_BLOBS;
	s.counting = 1;
	/* A new revision of a repository already stored: walk only what differs
	 * from the latest stored revision and copy the rest of its rows.  Its
	 * licence counts are then read from the database (tgpl_db_license_counts()). */
	if (info->commit_id && info->tree_id &&
	    (rc = store_base_revision(db, name, rev.engine, &base_id, base_tree)) == 1) {
		s.counting = 0;
		rc = walk_diff(src, ctx, base_tree, MAX_DIFF_CHANGES, diff_check, diff_gone, on_entry, &s);
		if (rc == 1)
			rc = 0;   /* the diff cannot stand for a walk: walk it all */
		else if (rc == 0 && (rc = store_stage_base(db, base_id, keep_concluding, &s)) == 0)
			rev.base_rev_id = base_id;
	}
	if (rc == 0 && !rev.base_rev_id)
		rc = walk_run(src, ctx, opts->detect.max_file_size ? opts->detect.max_file_size : SIZE_MAX,
			      on_entry, &s);
	res.skipped = walk_skipped(src);
	if (s.pool) {
		int drc = drain(&s, 1);
		if (rc == 0)
			rc = drc;
	}
	if (rc == 0 && (rc = store_conclude(db, rev.engine, &declared)) == 0) {
		rev.declared = declared;
		snprintf(res.declared, sizeof(res.declared), "%s", declared ? declared : "");
		rc = store_commit_revision(db, &rev, &files, &copied);
	}
	if (rc == 0 && s.counting)
		rc = store_counts_publish(db, name, rev.rev_key, rev.engine);
	if (rc == 0)
		rc = store_batch_commit_due(db);
	if (rc == 0 && rev.base_rev_id) {
		res.files = (uint64_t)files;
		res.reused += (uint64_t)copied;
	}
	if (rc != 0)
		store_batch_commit(db);   /* keep the analyses: they are valid cache */
	store_stage_drop(db);
	pool_free(s.pool);
	s.pool = NULL;
	free(s.inflight.slot);
	if (rc == 0 && opts->progress) {
		tgpl_scan_progress p = { res.path, res.files, res.bytes, 1 };
		opts->progress(&p, opts->payload);
	}
done:
	if (out)
		*out = res;
	free(declared);
	free(name);
	free(origin);
	walk_close(src);
	return rc;
}
