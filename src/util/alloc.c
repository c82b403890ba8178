/*
 * alloc.c — allocation wrappers.  They exist for one reason: a test can make
 * the N-th allocation fail (TGPL_FAIL_ALLOC=N, or tgpl_alloc_fail_at()) and
 * check that every caller turns that into TGPL_ENOMEM instead of crashing.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static atomic_long fail_at = -1;   /* -1: not yet read from the environment */
static atomic_long count;

void tgpl_alloc_fail_at(long n)
{
	atomic_store(&count, 0);
	atomic_store(&fail_at, n > 0 ? n : 0);
}

static int should_fail(void)
{
	long at = atomic_load(&fail_at);

	if (at < 0) {
		const char *env = getenv("TGPL_FAIL_ALLOC");
		at = env ? strtol(env, NULL, 10) : 0;
		if (at < 0)
			at = 0;
		atomic_store(&fail_at, at);
	}
	if (at == 0)
		return 0;
	return atomic_fetch_add(&count, 1) + 1 == at;
}

int tgpl_alloc_faults_armed(void)
{
	return atomic_load(&fail_at) > 0 || (atomic_load(&fail_at) < 0 && getenv("TGPL_FAIL_ALLOC"));
}

void *tgpl_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *tgpl_calloc(size_t n, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *tgpl_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

void *tgpl_reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return tgpl_realloc(p, n * size);
}

char *tgpl_strndup(const char *s, size_t n)
{
	char *d = tgpl_malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *tgpl_strdup(const char *s)
{
	return s ? tgpl_strndup(s, strlen(s)) : NULL;
}

int tgpl_grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	p = tgpl_reallocarray(*arr, ncap, size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}
