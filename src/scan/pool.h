/*
 * pool.h — detection worker threads for the scan driver.
 *
 * The driver (one thread) walks and owns the database; it submits each blob
 * to the pool and stores the results the pool hands back.  One pool serves
 * every repository of a scan, in the order jobs are submitted.  A worker
 * runs tgpl_detect() on bytes it owns: bytes the driver handed over (a
 * directory walk), or a git blob it reads itself through a repository
 * handle of its own (walk_reader, opened again when a job comes from
 * another repository: libgit2 objects are never shared between threads).
 * SQLite is touched by the driver only.  The queue is bounded in jobs and
 * bytes, so memory stays bounded whatever the corpus size.
 */
#ifndef TGPL_SCAN_POOL_H
#define TGPL_SCAN_POOL_H

#include "tgpl/detect.h"
#include "walk/walk.h"

typedef struct scan_job {
	struct scan_job *next;
	char oid[41];
	int64_t size;
	char *path;              /* owned */
	void *data;              /* owned; freed by the worker after detection */
	size_t len;              /* of data, or the blob's size when read */
	int read;                /* the worker reads blob `oid` itself (data is NULL) */
	const walk_source *src;  /* where from: valid until the job is taken back */
	uint64_t gen;            /* which repository of the scan (its sequence number) */
	tgpl_detection *det;     /* the result, owned by the job */
	int rc;                  /* tgpl_detect()'s return */
	char err[256];           /* its message when rc < 0 */
} scan_job;

typedef struct scan_pool scan_pool;

/* Start `threads` workers.  Caller frees with pool_free(). */
int pool_start(scan_pool **out, int threads, const tgpl_engine *engine,
	       const tgpl_detect_options *opts);
/* Hand a job over (blocks while the queue is full).  The pool owns it until
 * pool_take() returns it. */
int pool_submit(scan_pool *p, scan_job *job);
/* A finished job, or NULL: with wait, blocks until one is done or none is pending. */
scan_job *pool_take(scan_pool *p, int wait);
/* Jobs submitted and not yet taken. */
size_t pool_pending(const scan_pool *p);
/* Stop the workers (after the queue drains) and free everything not taken. */
void pool_free(scan_pool *p);
void scan_job_free(scan_job *job);

#endif
