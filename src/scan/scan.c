/*
 * scan.c — the pipeline driver: walk → detect → store.
 *
 * Each entry is staged; each regular file's blob is analysed unless the
 * store already has its analysis for this engine (the content-addressed
 * cache of DESIGN.md §2).  Analyses are written into the store's batch
 * transaction as they come; the repository's rows at the end, whole, in a
 * savepoint of it (store.h says when the batch commits).
 *
 * Repositories overlap by one: when a repository's walk ends, its last
 * blobs are still with the detection threads, and the driver goes on to
 * walk the next one, feeding the threads; the first repository is
 * concluded and committed as soon as its last result is back.  Meanwhile
 * the next one's entries are held in memory (the store stages one
 * repository at a time), then staged.  Results are reported in the order
 * repositories were added.
 */
#include <stddef.h>
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
#define MAX_HELD 8192          /* entries held while the repository before is unfinished */

/* Blob ids submitted to the pool and not yet stored (open addressing), each
 * with the number of other files met meanwhile that hold the same blob, by
 * the parity of the repository that met them (at most two are open). */
typedef struct {
	char oid[41];
	uint32_t dups[2];
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

static int oid_set_add(oid_set *s, const char *oid, const uint32_t dups[2])
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
	s->slot[i].dups[0] = dups ? dups[0] : 0;
	s->slot[i].dups[1] = dups ? dups[1] : 0;
	s->used++;
	return 0;
}

/* Remove oid, with the numbers of other files that held it. */
static void oid_set_del(oid_set *s, const char *oid, uint32_t dups[2])
{
	oid_slot *x = oid_set_find(s, oid);

	dups[0] = x ? x->dups[0] : 0;
	dups[1] = x ? x->dups[1] : 0;
	if (x)
		x->oid[0] = '-';   /* tombstone: keeps probe chains whole */
}

/* Licence counts of one repository as it is walked: label → files. */
typedef struct {
	store_count *slot;   /* open addressing; label NULL: free */
	size_t cap, used;
} count_map;

static size_t label_hash(const char *s, size_t cap)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h & (cap - 1));
}

static int count_add(count_map *m, const char *label, int64_t n)
{
	size_t i;

	if ((m->used + 1) * 2 > m->cap) {
		count_map big = { NULL, m->cap ? m->cap * 2 : 32, 0 };

		if (!(big.slot = tgpl_calloc(big.cap, sizeof(*big.slot))))
			return TGPL_ENOMEM;
		for (i = 0; i < m->cap; i++) {
			size_t j;

			if (!m->slot[i].label)
				continue;
			for (j = label_hash(m->slot[i].label, big.cap); big.slot[j].label; j = (j + 1) & (big.cap - 1))
				;
			big.slot[j] = m->slot[i];
			big.used++;
		}
		free(m->slot);
		*m = big;
	}
	for (i = label_hash(label, m->cap); m->slot[i].label; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->slot[i].label, label) == 0) {
			m->slot[i].n += n;
			return 0;
		}
	if (!(m->slot[i].label = tgpl_strdup(label)))
		return TGPL_ENOMEM;
	m->slot[i].n = n;
	m->used++;
	return 0;
}

/* The counts, packed at the front of the table (for store_counts_publish());
 * the map is no longer one. */
static size_t count_pack(count_map *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->cap; i++)
		if (m->slot[i].label) {
			store_count c = m->slot[i];

			m->slot[i].label = NULL;
			m->slot[n++] = c;
		}
	return n;
}

static void count_free(count_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slot[i].label);
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

/* An entry walked while the repository before still holds the stage. */
typedef struct {
	char *path;          /* owned */
	size_t path_len;
	unsigned int mode;
	const char *type;    /* a walker's static string */
	char oid[41];
	int64_t size;
} held_entry;

/* One repository of the scan, from its walk to its report. */
typedef struct {
	uint64_t gen;             /* sequence number in the scan, from 1 */
	void *item;               /* the caller's */
	walk_source *src;
	char *name, *origin;      /* as stored: without credentials */
	char *declared;
	store_revision rev;
	tgpl_scan_result res;
	int counting;             /* keeping the licence counts (a walk of the whole tree) */
	count_map counts;
	size_t outstanding;       /* blobs with the pool, not yet stored */
	int staged;               /* its rows are in the store's stage (else held here) */
	held_entry *held;
	size_t nheld, held_cap;
	int rc;                   /* its first failure */
	char *err;                /* and what it said */
} scan_repo;

struct tgpl_scanner {
	tgpl_ctx *ctx;
	tgpl_db *db;
	const tgpl_engine *engine;
	tgpl_scan_options opts;   /* the caller's, as version TGPL_SCAN_OPTIONS_VERSION */
	tgpl_scan_done_cb done;
	void *payload;
	scan_pool *pool;          /* started when a repository has enough blobs for it */
	oid_set inflight;
	unsigned int inline_left; /* blobs still detected on the driver before the pool starts */
	uint64_t next_gen;
	scan_repo *prev;          /* walked; waiting for its last blobs; holds the stage */
	scan_repo *cur;           /* being walked */
	tgpl_buf label;           /* scratch */
};

static void repo_free(scan_repo *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nheld; i++)
		free(r->held[i].path);
	free(r->held);
	count_free(&r->counts);
	walk_close(r->src);
	free(r->name);
	free(r->origin);
	free(r->declared);
	free(r->err);
	free(r);
}

/* Record the repository's first failure (the message is the context's). */
static int repo_fail(tgpl_scanner *sc, scan_repo *r, int rc)
{
	if (r && !r->rc) {
		r->rc = rc;
		r->err = tgpl_strdup(tgpl_errmsg(sc->ctx));
	}
	return rc;
}

static scan_repo *repo_of(tgpl_scanner *sc, uint64_t gen)
{
	if (sc->prev && sc->prev->gen == gen)
		return sc->prev;
	if (sc->cur && sc->cur->gen == gen)
		return sc->cur;
	return NULL;
}

static int count_label(tgpl_scanner *sc, scan_repo *r, const tgpl_detection *det, int64_t n)
{
	if (!r || !r->counting || n == 0)
		return 0;
	if (store_label(&sc->label, det->expression, det->skipped) < 0 ||
	    count_add(&r->counts, sc->label.ptr, n) < 0)
		return tgpl_error(sc->ctx, TGPL_ENOMEM, "out of memory");
	return 0;
}

/* Store a finished job's result (on the driver thread).  A failure is its
 * repository's; the analysis is stored whatever happens to the repository. */
static void store_job(tgpl_scanner *sc, scan_job *job)
{
	scan_repo *r = repo_of(sc, job->gen), *other = repo_of(sc, job->gen + 1);
	uint32_t dups[2];
	int rc = job->rc;

	oid_set_del(&sc->inflight, job->oid, dups);
	if (rc < 0)
		rc = tgpl_error(sc->ctx, rc, "%s", job->err);
	else if ((rc = store_put_analysis(sc->db, job->oid, job->size, tgpl_engine_version(sc->engine),
					  job->det)) == 0) {
		if (r)
			r->res.analysed++;
		/* The next repository may hold the blob too (dups of its parity). */
		rc = count_label(sc, r, job->det, (int64_t)dups[job->gen & 1] + 1);
		if (rc == 0)
			rc = count_label(sc, other, job->det, (int64_t)dups[(job->gen + 1) & 1]);
	}
	if (rc < 0) {
		repo_fail(sc, r, rc);
		/* The next repository's files that hold the blob have no analysis either. */
		if (dups[(job->gen + 1) & 1])
			repo_fail(sc, other, rc);
	}
	if (r && r->outstanding)
		r->outstanding--;
	scan_job_free(job);
}

/* Store whatever the workers have finished. */
static void drain(tgpl_scanner *sc)
{
	scan_job *job;

	if (!sc->pool)
		return;
	while ((job = pool_take(sc->pool, 0)) != NULL)
		store_job(sc, job);
}

/* Wait until every blob of `r` is back and stored (all jobs: NULL). */
static void drain_until(tgpl_scanner *sc, const scan_repo *r)
{
	scan_job *job;

	if (!sc->pool)
		return;
	while ((!r || r->outstanding) && (job = pool_take(sc->pool, 1)) != NULL)
		store_job(sc, job);
}

/* Give the blob to a worker: a copy of its bytes, or (data NULL) its id for
 * the worker to read. */
static int submit(tgpl_scanner *sc, scan_repo *r, const walk_entry *e, const void *data, size_t len)
{
	scan_job *job = tgpl_calloc(1, sizeof(*job));

	if (!job || !(job->path = tgpl_strdup(e->path)) ||
	    (data && !(job->data = tgpl_malloc(len + 1)))) {
		scan_job_free(job);
		return tgpl_error(sc->ctx, TGPL_ENOMEM, "out of memory");
	}
	if (data)
		memcpy(job->data, data, len);
	job->read = data == NULL;
	job->src = r->src;
	job->gen = r->gen;
	job->len = len;
	job->size = e->size;
	memcpy(job->oid, e->oid, 41);
	if (oid_set_add(&sc->inflight, e->oid, NULL) < 0) {
		scan_job_free(job);
		return tgpl_error(sc->ctx, TGPL_ENOMEM, "out of memory");
	}
	r->res.bytes += len;
	r->outstanding++;
	pool_submit(sc->pool, job);
	drain(sc);
	return 0;
}

static int analyse(tgpl_scanner *sc, scan_repo *r, const walk_entry *e)
{
	const tgpl_scan_options *opts = &sc->opts;
	walk_content *content = NULL;
	tgpl_detection *det = NULL;
	const void *data = e->data;
	size_t len = (size_t)e->size;
	int rc;

	oid_slot *pending = oid_set_find(&sc->inflight, e->oid);

	if (pending)
		pending->dups[r->gen & 1]++;   /* counted with the blob when its job is stored */
	rc = pending ? 1 : store_lookup_analysis(sc->db, e->oid, tgpl_engine_version(sc->engine),
						  r->counting ? &sc->label : NULL);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		r->res.reused++;
		if (!pending && r->counting && count_add(&r->counts, sc->label.ptr, 1) < 0)
			return tgpl_error(sc->ctx, TGPL_ENOMEM, "out of memory");
		return 0;
	}
	/* Threads only once there is work for them: a rescan of a corpus often
	 * has a blob or two to analyse, not a pool's worth. */
	if (!sc->pool && opts->jobs > 1 && sc->inline_left == 0 &&
	    (rc = pool_start(&sc->pool, (int)opts->jobs, sc->engine, &opts->detect)) < 0)
		return tgpl_error(sc->ctx, rc, "cannot start %u detection threads", opts->jobs);
	if (sc->inline_left)
		sc->inline_left--;
	if (!data && (!opts->detect.max_file_size || len <= opts->detect.max_file_size)) {
		/* A worker reads a git blob itself: inflating is half the work. */
		if (sc->pool && walk_is_git(r->src))
			return submit(sc, r, e, NULL, len);
		if ((rc = walk_read(&content, &data, &len, r->src, sc->ctx, e)) < 0)
			return rc;
	}
	if (data && sc->pool) {
		rc = submit(sc, r, e, data, len);
		walk_content_free(content);
		return rc;
	}
	if (!data) {
		/* Over the size cap: record the skip without reading the bytes. */
		det = tgpl_calloc(1, sizeof(*det));
		if (!det || !(det->skipped = tgpl_strdup("too-big"))) {
			tgpl_detection_free(det);
			return tgpl_error(sc->ctx, TGPL_ENOMEM, "out of memory");
		}
	} else if ((rc = tgpl_detect(&det, sc->ctx, sc->engine, &opts->detect, e->path, data, len)) < 0) {
		walk_content_free(content);
		return rc;
	}
	r->res.bytes += len;
	rc = store_put_analysis(sc->db, e->oid, e->size, tgpl_engine_version(sc->engine), det);
	if (rc == 0)
		r->res.analysed++;
	if (rc == 0)
		rc = count_label(sc, r, det, 1);
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

/* Report a repository (in the order added) and free it. */
static void report(tgpl_scanner *sc, scan_repo *r)
{
	if (r->rc < 0) {
		/* The context may have said other things since. */
		if (r->err)
			tgpl_error(sc->ctx, r->rc, "%s", r->err);
	} else if (sc->opts.progress && !r->res.unchanged) {
		tgpl_scan_progress p = { r->res.path, r->res.files, r->res.bytes, 1 };
		sc->opts.progress(&p, sc->opts.payload);
	}
	if (sc->done)
		sc->done(r->rc, &r->res, r->item, sc->payload);
	repo_free(r);
}

/* Stage what `r` walked while the repository before held the stage. */
static int stage_held(tgpl_scanner *sc, scan_repo *r)
{
	size_t i;
	int rc;

	if ((rc = store_stage_begin(sc->db)) < 0)
		return rc;
	r->staged = 1;
	for (i = 0; i < r->nheld; i++) {
		held_entry *h = &r->held[i];

		if ((rc = store_stage_file(sc->db, h->path, h->path_len, h->mode, h->type, h->oid, h->size)) < 0)
			return rc;
		free(h->path);
		h->path = NULL;
	}
	r->nheld = 0;
	return 0;
}

/*
 * Conclude and commit a repository whose every blob is stored (or take back
 * what it staged, if it failed), free the stage, and report it.  The next
 * repository, if one is being walked, then takes the stage.
 */
static void finish(tgpl_scanner *sc, scan_repo *r)
{
	tgpl_db *db = sc->db;
	int64_t files = 0, copied = 0;
	int rc = r->rc;

	if (sc->prev == r)
		sc->prev = NULL;
	if (sc->cur == r)
		sc->cur = NULL;
	/* Interrupted while its last blobs were analysed: not finished, not stored. */
	if (rc == 0 && tgpl_interrupted(sc->ctx))
		rc = tgpl_error(sc->ctx, TGPL_EINTR, "interrupted");
	if (rc == 0 && (rc = store_conclude(db, r->rev.engine, &r->declared)) == 0) {
		r->rev.declared = r->declared;
		snprintf(r->res.declared, sizeof(r->res.declared), "%s", r->declared ? r->declared : "");
		rc = store_commit_revision(db, &r->rev, &files, &copied);
	}
	if (rc == 0 && r->counting)
		rc = store_counts_publish(db, r->name, r->rev.rev_key, r->rev.engine, r->counts.slot,
					  count_pack(&r->counts));
	if (rc == 0)
		rc = store_batch_commit_due(db);
	if (rc == 0 && r->rev.base_rev_id) {
		r->res.files = (uint64_t)files;
		r->res.reused += (uint64_t)copied;
	}
	if (rc != 0) {
		repo_fail(sc, r, rc);
		store_batch_commit(db);   /* keep the analyses: they are valid cache */
	}
	if (r->staged)
		store_stage_drop(db);
	report(sc, r);
	if (sc->cur && !sc->cur->staged && !sc->cur->rc && (rc = stage_held(sc, sc->cur)) < 0)
		repo_fail(sc, sc->cur, rc);
}

/* Wait for the repository before and finish it. */
static void settle_prev(tgpl_scanner *sc)
{
	scan_repo *p = sc->prev;

	if (!p)
		return;
	drain_until(sc, p);
	finish(sc, p);
}

static int on_entry(const walk_entry *e, void *payload)
{
	tgpl_scanner *sc = payload;
	scan_repo *r = sc->cur;
	int rc;

	if (r->staged) {
		rc = store_stage_file(sc->db, e->path, e->path_len, e->mode, e->type, e->oid, e->size);
	} else if (r->nheld == r->held_cap &&
		   tgpl_grow((void **)&r->held, &r->held_cap, r->nheld + 1, sizeof(*r->held)) < 0) {
		rc = tgpl_error(sc->ctx, TGPL_ENOMEM, "out of memory");
	} else {
		held_entry *h = &r->held[r->nheld];

		if (!(h->path = tgpl_malloc(e->path_len + 1))) {
			rc = tgpl_error(sc->ctx, TGPL_ENOMEM, "out of memory");
		} else {
			memcpy(h->path, e->path, e->path_len + 1);
			h->path_len = e->path_len;
			h->mode = e->mode;
			h->type = e->type;
			memcpy(h->oid, e->oid, 41);
			h->size = e->size;
			r->nheld++;
			rc = 0;
		}
	}
	if (rc < 0)
		return rc;
	if (strcmp(e->type, "file") == 0 && (rc = analyse(sc, r, e)) < 0)
		return rc;
	r->res.files++;
	if ((rc = store_batch_commit_due(sc->db)) < 0)
		return rc;
	/* The repository before is finished as soon as its last blob is back;
	 * this one waits for it only if it has walked far ahead. */
	if (sc->prev) {
		drain(sc);
		if (sc->prev->outstanding == 0 || r->nheld >= MAX_HELD)
			settle_prev(sc);
	}
	if (r->rc)
		return r->rc;
	if (sc->opts.progress) {
		tgpl_scan_progress p = { r->res.path, r->res.files, r->res.bytes, 0 };
		sc->opts.progress(&p, sc->opts.payload);
	}
	if (tgpl_interrupted(sc->ctx))
		return tgpl_error(sc->ctx, TGPL_EINTR, "interrupted");
	return 0;
}

static int diff_gone(const char *path, size_t len, void *payload)
{
	tgpl_scanner *sc = payload;

	return store_stage_gone(sc->db, path, len);
}

static int keep_concluding(const char *path, size_t len, const char *type, void *payload)
{
	tgpl_scanner *sc = payload;

	if (!path_concludes(path, len))
		return 0;
	if (strcmp(type, "file") == 0)
		sc->cur->res.reused++;
	return 1;
}

/* Open what `r` names (a URL through the cache) and describe its revision. */
static int repo_open(tgpl_scanner *sc, scan_repo *r, const char *location, const char *rev, int url)
{
	const tgpl_scan_options *opts = &sc->opts;
	char *cache = NULL, *local = NULL;
	const char *path = location, *name;
	const walk_info *info;
	int rc = 0;

	if (url) {
		/* A clone or fetch can take long: store the repository before first. */
		settle_prev(sc);
		if (!opts->cache_dir && (rc = tgpl_cache_dir_default(&cache, sc->ctx)) < 0)
			goto done;
		if ((rc = tgpl_remote_sync(&local, sc->ctx, opts->cache_dir ? opts->cache_dir : cache,
					   location)) < 0)
			goto done;
		path = local;
	}
	if ((rc = walk_open(&r->src, sc->ctx, path, rev)) < 0)
		goto done;
	info = walk_get_info(r->src);
	/* A cached clone is stored under its URL. */
	name = url ? location : opts->name ? opts->name : info->path;
	if (!(r->name = tgpl_url_redact(name)) ||
	    (info->origin && !(r->origin = tgpl_url_redact(info->origin)))) {
		rc = tgpl_error(sc->ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	snprintf(r->res.path, sizeof(r->res.path), "%s", r->name);
	snprintf(r->res.kind, sizeof(r->res.kind), "%s", info->kind);
	snprintf(r->res.commit, sizeof(r->res.commit), "%s", info->commit_id ? info->commit_id : "");
	r->rev.repo_path = r->name;
	r->rev.kind = info->kind;
	r->rev.origin = r->origin;
	r->rev.rev_key = info->commit_id ? info->commit_id : "dir";
	r->rev.commit_id = info->commit_id;
	r->rev.tree_id = info->tree_id;
	r->rev.commit_time = info->commit_time;
	r->rev.ref = info->ref;
	r->rev.engine = tgpl_engine_version(sc->engine);
done:
	free(local);
	free(cache);
	return rc;
}

/* Walk `r` (sc->cur), whole or from an earlier stored revision. */
static int repo_walk(tgpl_scanner *sc, scan_repo *r)
{
	const walk_info *info = walk_get_info(r->src);
	int64_t base_id = 0;
	char base_tree[41];
	int rc;

	r->counting = 1;
	/* A new revision of a repository already stored: walk only what differs
	 * from the latest stored revision and copy the rest of its rows.  Its
	 * licence counts are then read from the database (tgpl_db_license_counts()). */
	if (info->commit_id && info->tree_id &&
	    (rc = store_base_revision(sc->db, r->name, r->rev.engine, &base_id, base_tree)) != 0) {
		if (rc < 0)
			return rc;
		settle_prev(sc);   /* the diff stages as it goes */
		if ((rc = store_stage_begin(sc->db)) < 0)
			return rc;
		r->staged = 1;
		r->counting = 0;
		rc = walk_diff(r->src, sc->ctx, base_tree, MAX_DIFF_CHANGES, diff_check, diff_gone,
			       on_entry, sc);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if ((rc = store_stage_base(sc->db, base_id, keep_concluding, sc)) < 0)
				return rc;
			r->rev.base_rev_id = base_id;
			return 0;
		}
		r->counting = 1;   /* the diff cannot stand for a walk: walk it all */
	}
	if (!sc->prev && !r->staged) {
		if ((rc = store_stage_begin(sc->db)) < 0)
			return rc;
		r->staged = 1;
	}
	return walk_run(r->src, sc->ctx,
			sc->opts.detect.max_file_size ? sc->opts.detect.max_file_size : SIZE_MAX,
			on_entry, sc);
}

static int scanner_add(tgpl_scanner *sc, const char *location, const char *rev, void *item, int url)
{
	scan_repo *r = tgpl_calloc(1, sizeof(*r));
	int rc;

	if (!r) {
		settle_prev(sc);
		return tgpl_error(sc->ctx, TGPL_ENOMEM, "out of memory");
	}
	r->gen = ++sc->next_gen;
	r->item = item;
	if ((rc = repo_open(sc, r, location, rev ? rev : sc->opts.rev, url)) < 0)
		goto failed;
	/* The same repository again waits for the one before to be stored. */
	if (sc->prev && strcmp(sc->prev->name, r->name) == 0)
		settle_prev(sc);
	/* A commit already stored whole by this engine needs no second pass. */
	if (r->rev.commit_id && (rc = store_has_revision(sc->db, &r->rev)) != 0) {
		if (rc < 0)
			goto failed;
		r->res.unchanged = 1;
		settle_prev(sc);
		report(sc, r);
		return 0;
	}
	sc->cur = r;
	rc = repo_walk(sc, r);
	r->res.skipped = walk_skipped(r->src);
	if (rc == 0 && !r->rc) {
		/* Walked: the one before must be done before this one is. */
		settle_prev(sc);
		if (!r->rc && !r->outstanding) {
			finish(sc, r);
			return 0;
		}
		if (!r->rc) {
			sc->cur = NULL;
			sc->prev = r;
			return 0;
		}
	}
failed:
	repo_fail(sc, r, rc);
	/* Everything submitted is stored (the analyses are valid cache), the
	 * repository before is finished, and then this one is reported. */
	drain_until(sc, NULL);
	settle_prev(sc);
	sc->cur = NULL;
	if (r->staged) {
		store_batch_commit(sc->db);
		store_stage_drop(sc->db);
		r->staged = 0;
	}
	report(sc, r);
	return 0;
}

int tgpl_scanner_new(tgpl_scanner **out, tgpl_ctx *ctx, tgpl_db *db, const tgpl_engine *engine,
		     const tgpl_scan_options *opts, tgpl_scan_done_cb done, void *payload)
{
	tgpl_scan_options defaults = TGPL_SCAN_OPTIONS_INIT;
	tgpl_scanner *sc = tgpl_calloc(1, sizeof(*sc));

	if (!sc)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	sc->ctx = ctx;
	sc->db = db;
	sc->engine = engine;
	/* Work on a current copy, whatever version the caller was built with. */
	sc->opts = defaults;
	if (opts)
		memcpy(&sc->opts, opts, opts->version >= 2 ? sizeof(sc->opts)
							    : offsetof(tgpl_scan_options, name));
	sc->opts.version = TGPL_SCAN_OPTIONS_VERSION;
	sc->opts.name = NULL;   /* one name for many repositories: no (scan_one() sets it) */
	sc->done = done;
	sc->payload = payload;
	sc->inline_left = INLINE_BLOBS;
	sc->label = (tgpl_buf)TGPL_BUF_INIT;
	*out = sc;
	return 0;
}

int tgpl_scanner_add(tgpl_scanner *sc, const char *location, const char *rev, void *item)
{
	return scanner_add(sc, location, rev, item, tgpl_location_is_url(location));
}

void tgpl_scanner_flush(tgpl_scanner *sc)
{
	settle_prev(sc);
}

void tgpl_scanner_free(tgpl_scanner *sc)
{
	if (!sc)
		return;
	/* Abandoned: the stage is dropped with what it held. */
	pool_free(sc->pool);
	if (sc->prev) {
		store_stage_drop(sc->db);
		repo_free(sc->prev);
	}
	free(sc->inflight.slot);
	tgpl_buf_release(&sc->label);
	free(sc);
}

/* ---- one repository at a time ------------------------------------------- */

typedef struct {
	tgpl_scan_result *out;
	int rc;
} one_result;

static void one_done(int rc, const tgpl_scan_result *res, void *item, void *payload)
{
	one_result *o = payload;

	(void)item;
	o->rc = rc;
	if (o->out)
		*o->out = *res;
}

static int scan_one(tgpl_scan_result *out, tgpl_ctx *ctx, tgpl_db *db, const tgpl_engine *engine,
		    const char *location, const tgpl_scan_options *opts, int url)
{
	one_result o = { out, 0 };
	tgpl_scanner *sc = NULL;
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	if ((rc = tgpl_scanner_new(&sc, ctx, db, engine, opts, one_done, &o)) < 0)
		return rc;
	if (opts && opts->version >= 2)
		sc->opts.name = opts->name;
	rc = scanner_add(sc, location, NULL, NULL, url);
	tgpl_scanner_flush(sc);
	tgpl_scanner_free(sc);
	return rc < 0 ? rc : o.rc;
}

int tgpl_scan_path(tgpl_scan_result *out, tgpl_ctx *ctx, tgpl_db *db,
		   const tgpl_engine *engine, const char *path,
		   const tgpl_scan_options *opts)
{
	return scan_one(out, ctx, db, engine, path, opts, 0);
}

int tgpl_scan_location(tgpl_scan_result *out, tgpl_ctx *ctx, tgpl_db *db,
		       const tgpl_engine *engine, const char *location,
		       const tgpl_scan_options *opts)
{
	return scan_one(out, ctx, db, engine, location, opts, tgpl_location_is_url(location));
}
