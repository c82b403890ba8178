/*
 * tgpl/report.h — output formats.  Each writes into a caller's buffer so the
 * tool decides where it goes; everything is escaped for its format.
 */
#ifndef TGPL_REPORT_H
#define TGPL_REPORT_H

#include "common.h"
#include "detect.h"

/**
 * One line of `tgpl detect --json` (DESIGN.md §3), without the newline:
 * path, sha1_git, swhid, expression, licenses, clauses, optouts, skipped.
 * `path` is path_len bytes (invalid UTF-8 is replaced by U+FFFD).
 * Caller frees *out with free().
 */
int tgpl_report_detection_json(char **out, const char *path, size_t path_len,
			       const char *sha1_git, const tgpl_detection *det);

#endif
