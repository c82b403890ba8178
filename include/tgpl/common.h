/*
 * tgpl/common.h — error codes, the context handle, logging.
 */
#ifndef TGPL_COMMON_H
#define TGPL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define TGPL_VERSION "0.1.0"

/** Error codes: every fallible function returns 0 or one of these. */
enum {
	TGPL_OK        = 0,
	TGPL_ERROR     = -1,  /**< generic failure; see tgpl_errmsg() */
	TGPL_ENOMEM    = -2,  /**< an allocation failed */
	TGPL_EINVAL    = -3,  /**< bad argument or malformed input */
	TGPL_ENOTFOUND = -4,  /**< path, revision, object or id not found */
	TGPL_EIO       = -5,  /**< read or write failed */
	TGPL_EDB       = -6,  /**< database failure (locked, full, corrupt) */
	TGPL_EGIT      = -7,  /**< libgit2 failure (corrupt or missing object) */
	TGPL_ETOOBIG   = -8,  /**< input over a configured cap */
	TGPL_EINTR     = -9,  /**< interrupted (tgpl_ctx_interrupt()) */
	TGPL_ESCHEMA   = -10, /**< database written by a newer tgpl, or not ours */
	TGPL_EDATA     = -11  /**< licence data missing or corrupt */
};

/** Log levels for the log callback. */
enum { TGPL_LOG_ERROR, TGPL_LOG_WARN, TGPL_LOG_INFO, TGPL_LOG_DEBUG };

/** The context: error message, log callback, interruption flag. */
typedef struct tgpl_ctx tgpl_ctx;

/** Receives a formatted message (no trailing newline); `payload` is the caller's. */
typedef void (*tgpl_log_cb)(int level, const char *msg, void *payload);

/** Create a context.  Caller frees with tgpl_ctx_free(). */
int tgpl_ctx_new(tgpl_ctx **out);
void tgpl_ctx_free(tgpl_ctx *ctx);

/** Message of the last failure on this context; borrowed, valid until the next call. */
const char *tgpl_errmsg(const tgpl_ctx *ctx);

/** Route warnings and progress to `cb` (NULL: drop them). */
void tgpl_ctx_set_log(tgpl_ctx *ctx, tgpl_log_cb cb, void *payload);

/**
 * Ask a running operation to stop at the next safe point (it then returns
 * TGPL_EINTR, leaving the database as it was before the unfinished
 * repository).  Async-signal-safe.
 */
void tgpl_ctx_interrupt(tgpl_ctx *ctx);

/** The library version string. */
const char *tgpl_version(void);

#endif
