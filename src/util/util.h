/*
 * util.h — helpers shared by the library and the tool: the context's error
 * reporting, allocation (with a failure-injection hook for tests), growable
 * buffers with caps, and small string helpers.
 */
#ifndef TGPL_UTIL_H
#define TGPL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>

#include "tgpl/common.h"

struct tgpl_ctx {
	char errmsg[1024];
	tgpl_log_cb log;
	void *log_payload;
	volatile sig_atomic_t interrupted;
};

/* Record an error message on ctx (if not NULL) and return `code`. */
int tgpl_error(tgpl_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Log through the context's callback, if any. */
void tgpl_log(tgpl_ctx *ctx, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int tgpl_interrupted(const tgpl_ctx *ctx);

/*
 * Allocation.  These return NULL on failure like malloc; the caller turns
 * that into TGPL_ENOMEM.  Tests may set TGPL_FAIL_ALLOC=N in the environment
 * (or call tgpl_alloc_fail_at()) to make the N-th allocation fail.
 */
void *tgpl_malloc(size_t n);
void *tgpl_calloc(size_t n, size_t size);
void *tgpl_realloc(void *p, size_t n);
/* realloc for arrays: NULL on overflow of n * size. */
void *tgpl_reallocarray(void *p, size_t n, size_t size);
char *tgpl_strdup(const char *s);
char *tgpl_strndup(const char *s, size_t n);
void tgpl_alloc_fail_at(long n);
/*
 * Whether a failing allocation is armed.  The regex loaders then skip
 * pcre2_jit_compile(): PCRE2 before 10.46 (Debian 12 ships 10.42) can crash
 * when an allocation fails inside the JIT compiler (PCRE2 pull request 697),
 * and JIT is only an optimisation (the interpreter gives the same matches).
 */
int tgpl_alloc_faults_armed(void);

/* Grow *arr (of *cap elements of `size`) to hold at least `need`; 0 or -1. */
int tgpl_grow(void **arr, size_t *cap, size_t need, size_t size);

/* A growable byte buffer, always NUL-terminated when allocated. */
typedef struct {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;   /* 0: no cap; otherwise appends past it fail */
} tgpl_buf;

#define TGPL_BUF_INIT { NULL, 0, 0, 0 }

int tgpl_buf_grow(tgpl_buf *b, size_t extra);
int tgpl_buf_put(tgpl_buf *b, const void *data, size_t n);
int tgpl_buf_puts(tgpl_buf *b, const char *s);
int tgpl_buf_putc(tgpl_buf *b, char c);
int tgpl_buf_printf(tgpl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tgpl_buf_vprintf(tgpl_buf *b, const char *fmt, va_list ap);
void tgpl_buf_clear(tgpl_buf *b);          /* len = 0, keeps memory */
void tgpl_buf_release(tgpl_buf *b);        /* frees memory */
char *tgpl_buf_detach(tgpl_buf *b);        /* caller frees */

/* JSON string escaping (RFC 8259); invalid UTF-8 bytes become U+FFFD. */
int tgpl_buf_put_json_string(tgpl_buf *b, const char *s, size_t n);

/* Case-insensitive ASCII comparison. */
int tgpl_strcasecmp(const char *a, const char *b);
/*
 * A copy of `url` without the credentials some URLs carry
 * ("https://user:token@host/x" -> "https://host/x"); anything that is not a
 * scheme://authority URL is copied unchanged.  NULL on ENOMEM; free().
 */
char *tgpl_url_redact(const char *url);
/* Parse a non-negative decimal integer; 0 or -1. */
int tgpl_parse_u64(const char *s, uint64_t *out);

/* Is this buffer valid UTF-8? */
int tgpl_utf8_valid(const char *s, size_t n);

/* Hex of a 20-byte id into out[41]. */
void tgpl_hex(char *out, const unsigned char *id, size_t n);

#endif
