/*
 * metadata.h — the licence-name table used by the package-metadata detector
 * (detect_metadata() in metadata.c, declared in detect_int.h).
 *
 * Manifests often name a licence in free text ("Apache License, Version
 * 2.0", "License :: OSI Approved :: MIT License", a licence URL).  The
 * table licenses/names.tsv (installed as <datadir>/names.tsv) maps such
 * names to SPDX ids: one `name<TAB>spdx-expression` per line, '#' comments.
 * Names are compared after normalisation: lower case, and every run of
 * characters other than letters, digits, '.', '+', '-' and non-ASCII bytes
 * counts as one space (the rule engine_license_by_name() uses).  A name
 * holding "://" is a URL, compared without its scheme, a leading "www.", a
 * query or fragment, a trailing '/' and a trailing .txt/.html/.htm/.php.
 * The engine loads the table once (tgpl_engine_open()) and hands it out
 * through engine_names().
 */
#ifndef TGPL_METADATA_H
#define TGPL_METADATA_H

#include <stddef.h>

#include "tgpl/common.h"

struct name_table;

/*
 * Load <datadir>/names.tsv.  Caller frees *out with names_free().  Returns 0,
 * TGPL_EDATA (missing file, a line without exactly two fields, a line over
 * 1 KiB, or one name mapped to two different ids; the message on ctx names
 * file and line) or TGPL_ENOMEM.
 */
int names_load(struct name_table **out, tgpl_ctx *ctx, const char *datadir);
void names_free(struct name_table *names);

/*
 * The SPDX id (or expression) the table gives for the name or URL s[0..n),
 * or NULL.  A leading "the " is ignored if the whole name is not found.
 * Borrowed from the table.  `names` may be NULL (nothing is found).
 */
const char *names_lookup(const struct name_table *names, const char *s, size_t n);

/* Number of entries (for tests and `tgpl licenses`). */
size_t names_count(const struct name_table *names);

#endif
