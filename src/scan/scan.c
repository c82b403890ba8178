/*
 * scan.c — the pipeline driver: walk → detect → store, for one repository.
 *
 * Each entry is staged; each regular file's blob is analysed unless the
 * store already has its analysis for this engine (the content-addressed
 * cache of DESIGN.md §2).  Analyses are committed in batches; the
 * repository's rows are committed at the end in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scan/pool.h"
#include "store/store.h"
#include "tgpl/scan.h"
#include "util/util.h"
#include "walk/walk.h"

#define BATCH_ENTRIES 4096    /* commit analyses at least this often ... */
#define BATCH_SECONDS 2       /* ... or after this long, so other writers get turns */

/* Blob ids submitted to the pool and not yet stored (open addressing). */
typedef struct {
	char (*slot)[41];
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

static int oid_set_has(const oid_set *s, const char *oid)
{
	size_t i;

	if (!s->cap)
		return 0;
	for (i = oid_hash(oid, s->cap); s->slot[i][0]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i][0] != '-' && memcmp(s->slot[i], oid, 40) == 0)
			return 1;
	return 0;
}

static int oid_set_add(oid_set *s, const char *oid)
{
	size_t i;

	if ((s->used + 1) * 2 > s->cap) {
		oid_set big = { NULL, s->cap ? s->cap * 2 : 1024, 0 };
		big.slot = tgpl_calloc(big.cap, sizeof(*big.slot));
		if (!big.slot)
			return TGPL_ENOMEM;
		for (i = 0; i < s->cap; i++)
			if (s->slot[i][0] && s->slot[i][0] != '-')
				oid_set_add(&big, s->slot[i]);
		free(s->slot);
		*s = big;
	}
	for (i = oid_hash(oid, s->cap); s->slot[i][0] && s->slot[i][0] != '-'; i = (i + 1) & (s->cap - 1))
		;
	memcpy(s->slot[i], oid, 41);
	s->used++;
	return 0;
}

static void oid_set_del(oid_set *s, const char *oid)
{
	size_t i;

	if (!s->cap)
		return;
	for (i = oid_hash(oid, s->cap); s->slot[i][0]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i][0] != '-' && memcmp(s->slot[i], oid, 40) == 0) {
			s->slot[i][0] = '-';   /* tombstone: keeps probe chains whole */
			return;
		}
}

typedef struct {
	tgpl_ctx *ctx;
	tgpl_db *db;
	const tgpl_engine *engine;
	const tgpl_scan_options *opts;
	walk_source *src;
	tgpl_scan_result *res;
	unsigned int since_commit;
	time_t last_commit;
	scan_pool *pool;          /* NULL: detect on this thread */
	oid_set inflight;
} scan_state;

/* Store a finished job's result (on the driver thread). */
static int store_job(scan_state *s, scan_job *job)
{
	int rc = job->rc;

	if (rc < 0)
		rc = tgpl_error(s->ctx, rc, "%s", job->err);
	else if ((rc = store_put_analysis(s->db, job->oid, job->size, tgpl_engine_version(s->engine),
					  job->det)) == 0)
		s->res->analysed++;
	oid_set_del(&s->inflight, job->oid);
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

/* Give the blob to a worker; the pool owns a copy of its bytes. */
static int submit(scan_state *s, const walk_entry *e, const void *data, size_t len)
{
	scan_job *job = tgpl_calloc(1, sizeof(*job));

	if (!job || !(job->path = tgpl_strdup(e->path)) || !(job->data = tgpl_malloc(len + 1))) {
		scan_job_free(job);
		return tgpl_error(s->ctx, TGPL_ENOMEM, "out of memory");
	}
	memcpy(job->data, data, len);
	job->len = len;
	job->size = e->size;
	memcpy(job->oid, e->oid, 41);
	if (oid_set_add(&s->inflight, e->oid) < 0) {
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

	rc = oid_set_has(&s->inflight, e->oid) ? 1
		: store_is_analysed(s->db, e->oid, tgpl_engine_version(s->engine));
	if (rc < 0)
		return rc;
	if (rc == 1) {
		s->res->reused++;
		return 0;
	}
	if (!data && (!s->opts->detect.max_file_size || len <= s->opts->detect.max_file_size)) {
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
	tgpl_detection_free(det);
	walk_content_free(content);
	return rc;
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
	if (++s->since_commit >= BATCH_ENTRIES || time(NULL) - s->last_commit >= BATCH_SECONDS) {
		if ((rc = store_batch_commit(s->db)) < 0)
			return rc;
		s->since_commit = 0;
		s->last_commit = time(NULL);
	}
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
	int64_t files = 0;
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
	s.last_commit = time(NULL);
	if (opts->jobs > 1 && (rc = pool_start(&s.pool, (int)opts->jobs, engine, &opts->detect)) < 0) {
		rc = tgpl_error(ctx, rc, "cannot start %u detection threads", opts->jobs);
		store_stage_drop(db);
		goto done;
	}
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
		rc = store_commit_revision(db, &rev, &files);
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
