/*
 * corpus.h — the line syntax of corpus files (tgpl_corpus_open() in
 * include/tgpl/scan.h), exposed inside the library for tests.
 */
#ifndef TGPL_SCAN_CORPUS_H
#define TGPL_SCAN_CORPUS_H

#include <stddef.h>

/*
 * Split one line (`len` bytes, no newline, line[len] == '\0') in place into
 * at most two fields, undoing the escapes `\ `, `\<tab>`, `\#` and `\\`.
 * Returns 1 with fields[0] (location) and fields[1] (revision, or NULL) set,
 * 0 for a blank or comment line, -1 for a malformed line with *why set to a
 * static message.
 */
int corpus_parse_line(char *line, size_t len, char *fields[2], const char **why);

#endif
