/*
 * tgpl/scan.h — the pipeline driver: walk a repository or directory, detect
 * in every blob not already analysed by this engine, store the results.
 */
#ifndef TGPL_SCAN_H
#define TGPL_SCAN_H

#include "common.h"
#include "db.h"
#include "detect.h"

/** Progress, reported after each file and at the end of each repository. */
typedef struct {
	const char *repository;  /**< path or URL being scanned (borrowed) */
	uint64_t files;          /**< files recorded so far in this repository */
	uint64_t bytes;          /**< bytes read so far in this repository */
	int done;                /**< 1 on the repository's last report */
} tgpl_scan_progress;

typedef void (*tgpl_scan_progress_cb)(const tgpl_scan_progress *p, void *payload);

typedef struct {
	unsigned int version;
	const char *rev;               /**< revision expression; NULL = HEAD */
	tgpl_detect_options detect;
	tgpl_scan_progress_cb progress;/**< NULL: none */
	void *payload;
	unsigned int jobs;             /**< detection threads; 0 or 1: detect on the calling thread */
	/* Since version 2: */
	const char *name;              /**< store the repository under this name instead of its
	                                    canonical path (a URL for a cached clone); NULL: the path */
	const char *cache_dir;         /**< where tgpl_scan_location() keeps clones of URLs;
	                                    NULL: tgpl_cache_dir_default() */
} tgpl_scan_options;

#define TGPL_SCAN_OPTIONS_VERSION 2
#define TGPL_SCAN_OPTIONS_INIT { TGPL_SCAN_OPTIONS_VERSION, NULL, TGPL_DETECT_OPTIONS_INIT, NULL, NULL, 0, \
				 NULL, NULL }

/** What one repository's scan did. */
typedef struct {
	char path[4096];         /**< canonical path of what was scanned, as stored */
	char kind[8];            /**< "git", "bare" or "dir" */
	char commit[41];         /**< commit id, "" for a directory */
	uint64_t files;          /**< file rows recorded (all entry types) */
	uint64_t bytes;          /**< bytes of blobs read */
	uint64_t analysed;       /**< blobs analysed by this scan */
	uint64_t reused;         /**< blobs whose analysis was already stored */
	uint64_t skipped;        /**< entries that could not be read (directories) */
	int unchanged;           /**< 1: this revision was already stored whole */
	char declared[512];      /**< declared licence (root licence files, else metadata);
	                              "" if none; cut at 511 bytes (the database has it whole) */
} tgpl_scan_result;

/**
 * Scan `path` (a git work tree, a bare repository, or a plain directory) into
 * `db`.  Whole or not at all: on any failure nothing of this repository is
 * stored.  Durable when this returns, unless group commit is on
 * (tgpl_db_set_group_commit()).  `out` may be NULL.
 */
int tgpl_scan_path(tgpl_scan_result *out, tgpl_ctx *ctx, tgpl_db *db,
		   const tgpl_engine *engine, const char *path,
		   const tgpl_scan_options *opts);

/* ---- many repositories --------------------------------------------------- */

/**
 * A scanner stores repositories one after another, as tgpl_scan_path() and
 * tgpl_scan_location() would, but overlaps them: while a repository's last
 * blobs are still being analysed (and then while it is concluded and
 * committed), the next one is already walked and feeds the detection
 * threads.  At most two repositories are in progress at once.
 */
typedef struct tgpl_scanner tgpl_scanner;

/**
 * Called once for each repository added, in the order they were added,
 * when it is stored (rc 0) or has failed (rc < 0: tgpl_errmsg() of the
 * scanner's context says why, and nothing of it is stored).  `item` is what
 * was given to tgpl_scanner_add().  It may be called from inside a later
 * tgpl_scanner_add() or from tgpl_scanner_flush(); it may read the
 * database (tgpl_db_license_counts()) but must not scan or write.
 */
typedef void (*tgpl_scan_done_cb)(int rc, const tgpl_scan_result *res, void *item, void *payload);

/** `opts` is copied (its `rev` is the default revision; `name` is ignored). */
int tgpl_scanner_new(tgpl_scanner **out, tgpl_ctx *ctx, tgpl_db *db, const tgpl_engine *engine,
		     const tgpl_scan_options *opts, tgpl_scan_done_cb done, void *payload);
/**
 * Scan a path or a URL (as tgpl_scan_location()) at `rev` (NULL: the
 * options' revision).  Its result, and those of the repositories before it,
 * may come later.  0 (whatever happens to the repository: see the
 * callback), or a negative code when out of memory before the repository
 * could be taken (it is then not reported, and `item` stays the caller's).
 */
int tgpl_scanner_add(tgpl_scanner *s, const char *location, const char *rev, void *item);
/** Wait until every repository added is stored and reported. */
void tgpl_scanner_flush(tgpl_scanner *s);
/** Free the scanner; a repository not yet flushed is abandoned, unreported. */
void tgpl_scanner_free(tgpl_scanner *s);

/* ---- remote repositories ------------------------------------------------- */

/**
 * Is `location` a URL (`scheme://...`, or scp-like `user@host:path`) rather
 * than a local path?  1 or 0.
 */
int tgpl_location_is_url(const char *location);

/**
 * The default cache of clones: `$XDG_CACHE_HOME/tgpl` if that variable holds
 * an absolute path, else `$HOME/.cache/tgpl`.  Not created here.  Caller
 * frees *out with free().
 */
int tgpl_cache_dir_default(char **out, tgpl_ctx *ctx);

/**
 * Bring the cache's bare clone of `url` up to date: clone it into
 * `cache_dir` (created if needed) the first time, fetch into it afterwards.
 * Branches are mirrored (refs/heads, pruned), tags fetched, and HEAD
 * follows the remote's default branch.  The clone's directory name is a hash
 * of the URL with a sanitised tail of it, so no URL can name a path outside
 * `cache_dir`.  A first clone is made under a temporary name and renamed
 * when complete: a failed or interrupted clone leaves nothing behind.
 * Concurrent processes sharing `cache_dir` take turns (a lock file per
 * clone).  No credentials are asked for; authentication failures are
 * errors.  *out is the path of the bare repository; caller frees with free().
 */
int tgpl_remote_sync(char **out, tgpl_ctx *ctx, const char *cache_dir, const char *url);

/**
 * Scan a path (as tgpl_scan_path()) or a URL: a URL is synced into the
 * cache (tgpl_remote_sync(), `opts->cache_dir`) and its clone scanned; the
 * repository is stored under the URL as its path, with the URL as origin.
 */
int tgpl_scan_location(tgpl_scan_result *out, tgpl_ctx *ctx, tgpl_db *db,
		       const tgpl_engine *engine, const char *location,
		       const tgpl_scan_options *opts);

/* ---- corpus files -------------------------------------------------------- */

/** Longest line of a corpus file, in bytes (longer lines are malformed). */
#define TGPL_CORPUS_MAX_LINE 65536

/**
 * One repository line of a corpus file.  Borrowed from the reader: valid
 * until the next tgpl_corpus_next() or tgpl_corpus_close().
 */
typedef struct {
	uint64_t line;          /**< 1-based line number in the file */
	uint64_t index;         /**< 0-based number of this repository line (comments and
	                             blank lines are not counted); what --shard divides */
	const char *location;   /**< path or URL as written (escapes undone); NULL if malformed */
	const char *resolved;   /**< what to scan: a relative path is taken from the corpus
	                             file's directory; URLs and absolute paths as written */
	const char *rev;        /**< revision, or NULL for the default */
	const char *invalid;    /**< NULL, or why the line is malformed (location is then NULL) */
} tgpl_corpus_entry;

/** A corpus file being read, one line at a time (memory does not grow with its size). */
typedef struct tgpl_corpus tgpl_corpus;

/**
 * Open the corpus file `path`: one repository per line, `PATH-or-URL [REV]`,
 * fields separated by blanks; `#` at the start of a field begins a comment;
 * blank lines are ignored; `\ `, `\#` and `\\` write a blank, a `#` and a
 * backslash inside a field.  Caller frees with tgpl_corpus_close().
 */
int tgpl_corpus_open(tgpl_corpus **out, tgpl_ctx *ctx, const char *path);

/**
 * The next repository line: 1 with *out set, 0 at the end of the file, or a
 * negative code when the file cannot be read.  A malformed line is still
 * returned (with `invalid` saying why, e.g. too many fields or a line over
 * TGPL_CORPUS_MAX_LINE bytes) so that it keeps its index; reading goes on.
 */
int tgpl_corpus_next(const tgpl_corpus_entry **out, tgpl_corpus *corpus);

void tgpl_corpus_close(tgpl_corpus *corpus);

#endif
