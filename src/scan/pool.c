/* pool.c — bounded job queue and detection worker threads (see pool.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/pool.h"
#include "util/util.h"

#define MAX_QUEUED_JOBS 1024   /* enough work to outlast a repository's commit */
#define MAX_QUEUED_BYTES ((size_t)64 << 20)

struct scan_pool {
	pthread_mutex_t lock;
	pthread_cond_t has_work, has_room, has_done;
	scan_job *todo_head, *todo_tail;   /* submitted, not started */
	scan_job *done_head, *done_tail;   /* finished, not taken */
	size_t queued_jobs, queued_bytes;
	size_t pending;                    /* submitted and not taken */
	int stopping;
	pthread_t *threads;
	int nthreads;
	const tgpl_engine *engine;
	const tgpl_detect_options *opts;
};

void scan_job_free(scan_job *job)
{
	if (!job)
		return;
	free(job->path);
	free(job->data);
	tgpl_detection_free(job->det);
	free(job);
}

static void *worker(void *arg)
{
	scan_pool *p = arg;
	tgpl_ctx *ctx = NULL;
	walk_reader *reader = NULL;
	uint64_t reader_gen = 0;

	/* Each worker keeps its own context: error messages are per thread;
	 * and its own reader of the repository its last job came from, opened
	 * again on this thread. */
	if (tgpl_ctx_new(&ctx) < 0)
		ctx = NULL;
	for (;;) {
		scan_job *job;

		pthread_mutex_lock(&p->lock);
		while (!p->todo_head && !p->stopping)
			pthread_cond_wait(&p->has_work, &p->lock);
		if (!p->todo_head) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		job = p->todo_head;
		p->todo_head = job->next;
		if (!p->todo_head)
			p->todo_tail = NULL;
		p->queued_jobs--;
		p->queued_bytes -= job->len;
		pthread_cond_signal(&p->has_room);
		pthread_mutex_unlock(&p->lock);

		job->next = NULL;
		if (job->read && (!reader || reader_gen != job->gen)) {
			walk_reader_free(reader);
			if (walk_reader_new(&reader, job->src) < 0)
				reader = NULL;
			reader_gen = job->gen;
		}
		if (!ctx || (job->read && !reader)) {
			job->rc = TGPL_ENOMEM;
			snprintf(job->err, sizeof(job->err), "out of memory");
		} else if (job->read) {
			walk_content *content = NULL;
			const void *data = NULL;
			size_t len = 0;

			job->rc = walk_reader_read(&content, &data, &len, reader, ctx, job->oid, job->path);
			if (job->rc == 0)
				job->rc = tgpl_detect(&job->det, ctx, p->engine, p->opts, job->path, data, len);
			if (job->rc < 0)
				snprintf(job->err, sizeof(job->err), "%s", tgpl_errmsg(ctx));
			walk_content_free(content);
		} else {
			job->rc = tgpl_detect(&job->det, ctx, p->engine, p->opts, job->path, job->data, job->len);
			if (job->rc < 0)
				snprintf(job->err, sizeof(job->err), "%s", tgpl_errmsg(ctx));
		}
		free(job->data);
		job->data = NULL;

		pthread_mutex_lock(&p->lock);
		if (p->done_tail)
			p->done_tail->next = job;
		else
			p->done_head = job;
		p->done_tail = job;
		pthread_cond_signal(&p->has_done);
		pthread_mutex_unlock(&p->lock);
	}
	walk_reader_free(reader);
	tgpl_ctx_free(ctx);
	return NULL;
}

int pool_start(scan_pool **out, int threads, const tgpl_engine *engine,
	       const tgpl_detect_options *opts)
{
	scan_pool *p = tgpl_calloc(1, sizeof(*p));
	int i;

	if (!p)
		return TGPL_ENOMEM;
	p->threads = tgpl_calloc((size_t)threads, sizeof(*p->threads));
	if (!p->threads) {
		free(p);
		return TGPL_ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->has_work, NULL);
	pthread_cond_init(&p->has_room, NULL);
	pthread_cond_init(&p->has_done, NULL);
	p->engine = engine;
	p->opts = opts;
	for (i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break;
		p->nthreads++;
	}
	if (p->nthreads == 0) {
		pool_free(p);
		return TGPL_ERROR;
	}
	*out = p;
	return 0;
}

int pool_submit(scan_pool *p, scan_job *job)
{
	pthread_mutex_lock(&p->lock);
	while (p->queued_jobs >= MAX_QUEUED_JOBS ||
	       (p->queued_jobs > 0 && p->queued_bytes + job->len > MAX_QUEUED_BYTES))
		pthread_cond_wait(&p->has_room, &p->lock);
	job->next = NULL;
	if (p->todo_tail)
		p->todo_tail->next = job;
	else
		p->todo_head = job;
	p->todo_tail = job;
	p->queued_jobs++;
	p->queued_bytes += job->len;
	p->pending++;
	pthread_cond_signal(&p->has_work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

scan_job *pool_take(scan_pool *p, int wait)
{
	scan_job *job = NULL;

	pthread_mutex_lock(&p->lock);
	while (wait && !p->done_head && p->pending > 0)
		pthread_cond_wait(&p->has_done, &p->lock);
	if (p->done_head) {
		job = p->done_head;
		p->done_head = job->next;
		if (!p->done_head)
			p->done_tail = NULL;
		job->next = NULL;
		p->pending--;
	}
	pthread_mutex_unlock(&p->lock);
	return job;
}

size_t pool_pending(const scan_pool *p)
{
	return p->pending;
}

void pool_free(scan_pool *p)
{
	scan_job *j, *next;
	int i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	/* Drop queued work: a pool freed early is a scan that failed. */
	for (j = p->todo_head; j; j = next) {
		next = j->next;
		scan_job_free(j);
	}
	p->todo_head = p->todo_tail = NULL;
	pthread_cond_broadcast(&p->has_work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	for (j = p->done_head; j; j = next) {
		next = j->next;
		scan_job_free(j);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->has_work);
	pthread_cond_destroy(&p->has_room);
	pthread_cond_destroy(&p->has_done);
	free(p->threads);
	free(p);
}
