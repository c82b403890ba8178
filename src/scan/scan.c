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

#include "store/store.h"
#include "tgpl/scan.h"
#include "util/util.h"
#include "walk/walk.h"

#define BATCH_ENTRIES 4096    /* commit analyses at least this often ... */
#define BATCH_SECONDS 2       /* ... or after this long, so other writers get turns */

typedef struct {
	tgpl_ctx *ctx;
	tgpl_db *db;
	const tgpl_engine *engine;
	const tgpl_scan_options *opts;
	walk_source *src;
	tgpl_scan_result *res;
	unsigned int since_commit;
	time_t last_commit;
} scan_state;

static int analyse(scan_state *s, const walk_entry *e)
{
	walk_content *content = NULL;
	tgpl_detection *det = NULL;
	const void *data = e->data;
	size_t len = (size_t)e->size;
	int rc;

	rc = store_is_analysed(s->db, e->oid, tgpl_engine_version(s->engine));
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
		tgpl_scan_progress p = { walk_get_info(s->src)->path, s->res->files, s->res->bytes, 0 };
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
	snprintf(res.path, sizeof(res.path), "%s", info->path);
	snprintf(res.kind, sizeof(res.kind), "%s", info->kind);
	snprintf(res.commit, sizeof(res.commit), "%s", info->commit_id ? info->commit_id : "");
	memset(&rev, 0, sizeof(rev));
	rev.repo_path = info->path;
	rev.kind = info->kind;
	rev.origin = info->origin;
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
	rc = walk_run(src, ctx, opts->detect.max_file_size ? opts->detect.max_file_size : SIZE_MAX,
		      on_entry, &s);
	res.skipped = walk_skipped(src);
	if (rc == 0 && (rc = store_conclude(db, rev.engine, &declared)) == 0) {
		rev.declared = declared;
		snprintf(res.declared, sizeof(res.declared), "%s", declared ? declared : "");
		rc = store_commit_revision(db, &rev, &files);
	}
	if (rc != 0)
		store_batch_commit(db);   /* keep the analyses: they are valid cache */
	store_stage_drop(db);
	if (rc == 0 && opts->progress) {
		tgpl_scan_progress p = { info->path, res.files, res.bytes, 1 };
		opts->progress(&p, opts->payload);
	}
done:
	if (out)
		*out = res;
	free(declared);
	walk_close(src);
	return rc;
}
