/*
 * remote.h — the cache of bare clones behind tgpl_remote_sync() and
 * tgpl_scan_location() (include/tgpl/scan.h).  Exposed inside the library
 * for tests.
 */
#ifndef TGPL_SCAN_REMOTE_H
#define TGPL_SCAN_REMOTE_H

#include "tgpl/common.h"

/* Longest sanitised URL tail kept in a cache entry's name. */
#define REMOTE_TAIL_MAX 48

/*
 * The cache entry's directory name for `url`: "<tail>-<16 hex digits>.git",
 * where the digits are the start of the SHA-1 of the URL and <tail> is the
 * URL's last path component reduced to [A-Za-z0-9._-] (other bytes become
 * '_'), without a trailing ".git", leading dots or dashes, at most
 * REMOTE_TAIL_MAX bytes, "repo" if nothing is left.  Never "", ".", ".." nor
 * anything with a '/'.  Caller frees *out.
 */
int remote_cache_name(char **out, tgpl_ctx *ctx, const char *url);

/* mkdir -p with mode 0700 for what it creates.  0 or a TGPL_E* code. */
int remote_mkdirs(tgpl_ctx *ctx, const char *dir);

/* rm -rf that never follows symlinks; 0 or -1 (errno set). */
int remote_rm_rf(const char *path);

#endif
