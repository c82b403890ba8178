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
} tgpl_scan_options;

#define TGPL_SCAN_OPTIONS_VERSION 1
#define TGPL_SCAN_OPTIONS_INIT { TGPL_SCAN_OPTIONS_VERSION, NULL, TGPL_DETECT_OPTIONS_INIT, NULL, NULL, 0 }

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
 * `db`.  One transaction: on any failure nothing of this repository is
 * stored.  `out` may be NULL.
 */
int tgpl_scan_path(tgpl_scan_result *out, tgpl_ctx *ctx, tgpl_db *db,
		   const tgpl_engine *engine, const char *path,
		   const tgpl_scan_options *opts);

#endif
