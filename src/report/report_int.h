/*
 * report_int.h — what the report formats share inside the library: the run
 * (sink, corpus, options), the corpus reader over the database, the blob
 * reader for contents at report time, escaping for every format, and SPDX
 * licence-expression rewriting.
 *
 * A format is one function `report_<format>(report *r)` in its own file.  It
 * appends to r->out with the rp_* helpers (which flush to the caller's sink
 * every 64 KiB) and walks the corpus: r->revs (one per repository, the most
 * recently scanned revision) and, per revision, a file cursor.
 */
#ifndef TGPL_REPORT_INT_H
#define TGPL_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tgpl/report.h"
#include "util/util.h"

/* One repository of the corpus at its reported revision. */
typedef struct {
	int64_t id;            /* revisions.id */
	size_t index;          /* 1-based position in r->revs (stable ids in documents) */
	char *repo_path;       /* bytes, NUL-terminated (may not be UTF-8) */
	size_t repo_path_len;
	char *kind;            /* "git", "bare", "dir" */
	char *origin;          /* remote URL without credentials, or NULL */
	char *rev_key;         /* commit id, or "dir" */
	char *commit;          /* commit id, or NULL for a directory */
	char *tree;            /* or NULL */
	char *ref;             /* or NULL */
	int64_t commit_time;   /* 0 if none */
	int64_t scanned_at;
	char *engine;
	char *declared;        /* or NULL */
	int64_t n_entries;     /* every row of files */
	int64_t n_files;       /* type 'file' */
	int64_t bytes;         /* sum of file sizes */
} report_rev;

/* One entry of a revision, as the cursor returns it (borrowed until the next call). */
typedef struct {
	const char *path;      /* bytes, NUL-terminated */
	size_t path_len;
	unsigned int mode;     /* as git prints it: 100644 */
	const char *type;      /* "file", "symlink", "gitlink" */
	const char *oid;
	int64_t size;          /* -1 for gitlinks */
	const char *concluded; /* or NULL */
	const char *decided_by;/* or NULL */
	int analysed;          /* an analysis by the revision's engine is stored */
	const char *expression;/* the file's own expression, or NULL */
	const char *skipped;   /* or NULL */
	tgpl_detection *det;   /* the stored findings (cursor opened with findings), else NULL */
} report_file;

typedef struct report_blobs report_blobs;
typedef struct report_excerpt_cache report_excerpt_cache;

typedef struct {
	tgpl_ctx *ctx;
	tgpl_db *db;
	sqlite3 *sql;
	const tgpl_report_options *opts;
	const tgpl_engine *engine; /* may be NULL */
	int64_t created;
	tgpl_buf out;
	int failed;                /* the sink refused a write */
	report_rev *revs;
	size_t n_revs;
	int64_t n_entries, n_files, bytes;
	report_blobs *blobs;       /* opened on first use */
	/* The obligation model's result (report_obl_load): opts->obligations, or own_obl. */
	const tgpl_obligations *obl;
	tgpl_obligations *own_obl;
	size_t *obl_rev;           /* per obligations repository: index into revs, or NO_REV */
	size_t *rev_obl;           /* per revs index: obligations repository, or NO_REV */
	report_excerpt_cache *excerpt;
} report;

/* ---- output -------------------------------------------------------------- */

#define RP_FLUSH_AT 65536

/* Each returns 0 or TGPL_ENOMEM / TGPL_EIO (message set on r->ctx). */
int rp_flush(report *r);
int rp_put(report *r, const void *p, size_t n);
int rp_puts(report *r, const char *s);
int rp_printf(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string (quotes included); NULL prints null. */
int rp_json(report *r, const char *s, size_t n);
int rp_json_z(report *r, const char *s);
/* The inside of a JSON string (no quotes), to build one string from pieces. */
int rp_json_inner_n(report *r, const char *s, size_t n);
int rp_json_inner(report *r, const char *s);
/* HTML text or attribute value: & < > " ' escaped, control characters shown as \xNN,
 * invalid UTF-8 as U+FFFD. */
int rp_html(report *r, const char *s, size_t n);
/* The same for a line of a file shown in an excerpt: TABs expanded to 8 columns. */
int rp_html_line(report *r, const char *s, size_t n);
int rp_html_z(report *r, const char *s);
/* One CSV cell (RFC 4180 quoting when needed; a leading = + - @ TAB CR gets a ' prefix). */
int rp_csv(report *r, const char *s, size_t n);
int rp_csv_z(report *r, const char *s);
/* Markdown inline text (never at a line start): \\ ` * _ { } [ ] < > ( ) # ! | ~ & $ ^
 * backslash-escaped, controls shown as \xNN, invalid UTF-8 as U+FFFD. */
int rp_md(report *r, const char *s, size_t n);
int rp_md_line(report *r, const char *s, size_t n);
int rp_md_z(report *r, const char *s);
/* Terminal text: controls and invalid UTF-8 shown as \xNN (never sent raw). */
int rp_term(report *r, const char *s, size_t n);
int rp_term_z(report *r, const char *s);
/* Percent-encoding for a SWHID qualifier value or a URI path: every byte but
 * A-Z a-z 0-9 - . _ ~ / : @ ! $ & ' ( ) * + , */
int rp_pct(report *r, const char *s, size_t n);

/* Shared by the escapers: length of the valid UTF-8 sequence at p (n > 0 bytes left), 0 if invalid. */
size_t report_utf8_len(const unsigned char *p, size_t n);

/* ISO 8601 UTC ("2026-11-22T10:00:00Z") into out[21]. */
void report_time(char out[32], int64_t t);

/* A set of strings with insertion order (indexes from 0), hashed. */
typedef struct {
	char **v;            /* in insertion order */
	size_t n, cap;
	size_t *slots;       /* open addressing: index + 1, 0 = empty */
	size_t n_slots;
} report_strset;

/* Add s (copied) if absent; *index (may be NULL) gets its index.  1 added, 0 present, TGPL_ENOMEM. */
int report_strset_add(report_strset *set, const char *s, size_t *index);
/* 1 and *index if s is in the set, else 0. */
int report_strset_find(const report_strset *set, const char *s, size_t *index);
void report_strset_release(report_strset *set);

/* Base64 (RFC 4648, padded) of n bytes appended to b.  0 or TGPL_ENOMEM. */
int report_base64(tgpl_buf *b, const unsigned char *p, size_t n);

/* A v5 UUID (SHA-1, URL namespace) of `name`, "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx" into out[37]. */
int report_uuid5(char out[37], const char *name, size_t len);

/* ---- the corpus ---------------------------------------------------------- */

/* Load r->revs and the totals. */
int report_load(report *r);
void report_unload(report *r);

typedef struct {
	report *r;
	const report_rev *rev;
	sqlite3_stmt *files;
	sqlite3_stmt *findings;
	int with_findings;
	report_file cur;
} report_cursor;

/* What a cursor reads (report_files_open's flags). */
#define REPORT_FINDINGS 0x1u    /* load each entry's stored findings into det */
#define REPORT_SIGNALS 0x2u     /* only entries with a TGPL clause or an opt-out */

/* The entries of one revision in path (byte) order; type: NULL for all, or "file". */
int report_files_open(report_cursor *c, report *r, const report_rev *rev, const char *type,
		      unsigned int flags);
/* 1: c->cur holds the next entry; 0: no more; < 0: error. */
int report_files_next(report_cursor *c);
void report_files_close(report_cursor *c);

/* (label, count) of type 'file' entries by concluded licence (label NULL for none),
 * most frequent first; over one revision, or the whole corpus when rev is NULL. */
typedef int (*report_count_cb)(const char *label, int64_t count, void *payload);
int report_license_counts(report *r, const report_rev *rev, report_count_cb cb, void *payload);

/* Corpus-wide counts of type 'file' entries: with clauses, with opt-outs, skipped, not analysed. */
typedef struct {
	int64_t with_clauses, with_optouts, skipped, unanalysed, no_license;
} report_tally;
int report_tally_get(report *r, const report_rev *rev, report_tally *out);

/* The content of the first readable file at exactly `path` in a reported
 * revision (a REUSE LICENSES/<id>.txt, say): *out NULL if there is none.
 * Caller frees *out.  0 or TGPL_ENOMEM / TGPL_EDB. */
int report_read_named(report *r, const char *path, size_t cap, char **out, size_t *len);

/* Display name of a revision's repository: the last path component. */
void report_repo_name(const report_rev *rev, const char **name, size_t *len);

/* ---- contents at report time (blob.c) ------------------------------------ */

int report_blobs_new(report_blobs **out, tgpl_ctx *ctx);
void report_blobs_free(report_blobs *b);

/*
 * The content of an entry of `rev` (git: its object database; a directory:
 * the file on disk, accepted only if it still hashes to `oid`).  *out gets
 * the bytes (caller frees; NUL-terminated), *len their number.  Returns 0;
 * TGPL_ENOTFOUND when the repository, object or file is gone or changed
 * (message on ctx; a repository that cannot be opened is tried once);
 * TGPL_ETOOBIG past `cap` bytes; TGPL_ENOMEM.
 */
int report_blob_read(report_blobs *b, const report_rev *rev, const report_file *f, size_t cap,
		     char **out, size_t *len);

/* SHA-1 / SHA-256 through libcrypto.  0 or TGPL_ERROR. */
int report_sha1(unsigned char out[20], const void *data, size_t len);
int report_sha256(unsigned char out[32], const void *data, size_t len);

/* The largest blob hashed for SPDX documents. */
#define REPORT_MAX_HASH_SIZE ((size_t)1 << 30)

/* ---- SPDX licence expressions (spdxexpr.c) ------------------------------- */

/* Which SPDX version an expression is written for. */
enum { SPDX_V2 = 2, SPDX_V3 = 3 };

/* A custom id an expression needed (LicenseRef-, AdditionRef-), with why. */
typedef struct {
	char *id;        /* the id written in documents */
	char *source;    /* the id as found ("Foo-Bar"), for comments */
	int why;         /* SPDX_REF_* */
} spdx_ref;

enum {
	SPDX_REF_CUSTOM = 1,   /* a LicenseRef-/AdditionRef- found in the data */
	SPDX_REF_UNKNOWN,      /* an id not on the SPDX list, turned into a LicenseRef- */
	SPDX_REF_ADDITION      /* (SPDX 2.3) an AdditionRef- turned into a LicenseRef- */
};

typedef struct {
	spdx_ref *v;
	size_t n, cap;
} spdx_refs;

/*
 * Rewrite a stored expression (canonical, as the detector prints it) so that
 * it is valid in SPDX `version`: listed ids stay; unknown ids become
 * LicenseRef-<id>; for SPDX 2.3, "X WITH AdditionRef-Y" becomes
 * "(X AND LicenseRef-Y)" (2.3 has no custom exceptions).  Custom ids are
 * added to `refs` (once each).  NULL or malformed input gives "NOASSERTION".
 * *out: caller frees.  0 or TGPL_ENOMEM.
 */
int spdx_expr_rewrite(char **out, const tgpl_engine *e, const char *expr, int version,
		      spdx_refs *refs);
/* The document namespace: https://spdx.org/spdxdocs/tgpl-<UUID v5 of the corpus
 * and the creation time>.  Caller frees *out. */
int report_spdx_namespace(report *r, char **out);

/* Add one id (a hit's spdx field) rewritten the same way; *out caller frees. */
int spdx_id_rewrite(char **out, const tgpl_engine *e, const char *id, int version, spdx_refs *refs);
void spdx_refs_release(spdx_refs *refs);

/* ---- copyright lines (copyright.c) -------------------------------------- */

/* Add to `out` the copyright lines of a content ("Copyright (c) 2024 X",
 * "© 2021 Y": a marker and a year), comment leaders trimmed, at most `max`
 * new ones.  0 or TGPL_ENOMEM. */
int report_copyright_lines(const char *data, size_t len, report_strset *out, size_t max);

/* The lines start..end (1-based, inclusive) of a content, at most max_lines of
 * them, each without its line end and cut at REPORT_MAX_EXCERPT_LINE bytes
 * (at a character boundary).  0, or the first error the callback returns. */
typedef int (*report_line_cb)(uint32_t line, const char *text, size_t len, void *payload);
int report_lines(const char *data, size_t len, uint32_t start, uint32_t end, uint32_t max_lines,
		 report_line_cb cb, void *payload);

#define REPORT_MAX_EXCERPT_LINE 300
#define REPORT_MAX_EXCERPT_LINES 12

/* ---- evidence of clauses and opt-outs (evidence.c) ---------------------- */

/* What a format writes for each piece of evidence; each returns 0 or an error. */
typedef struct {
	/* a file with clauses or opt-outs; `unreadable` says why its lines cannot be shown, or NULL */
	int (*file)(report *r, const report_rev *v, const report_file *f, const char *unreadable, void *p);
	/* one finding: what ("clause", "opt-out"), its id or kind, a detail (or NULL), its lines */
	int (*hit)(report *r, const char *what, const char *id, const char *detail, uint32_t start,
		   uint32_t end, void *p);
	int (*line)(report *r, uint32_t line, const char *text, size_t len, void *p);
	int (*more)(report *r, uint32_t lines_left_out, void *p);
	int (*hit_end)(report *r, void *p);
	int (*file_end)(report *r, void *p);
} report_evidence_sink;

/* Every file of the corpus with a TGPL clause or an opt-out (the first
 * max_files of them written, all counted in *n_files), each finding with
 * its lines read back from the repository. */
int report_evidence(report *r, const report_evidence_sink *sink, void *payload, size_t max_files,
		    size_t *n_files);

/* ---- the obligation model in reports (oblig.c) ---------------------------- */

#define NO_REV ((size_t)-1)

/* Borrow opts->obligations, or compute them under the default policy; map
 * the model's repositories to r->revs (by path). */
int report_obl_load(report *r);
void report_obl_unload(report *r);

/* The model's repository for revs[i], or NULL if the model has none. */
const tgpl_repository *report_obl_repo(const report *r, size_t rev_index);

/* The lines of an evidence row's file, start..end, at most max_lines, read
 * from the stored blob (the last content read is kept for the next row).
 * *unreadable gets why they cannot be shown (borrowed until the next call),
 * or NULL; rows without a file or a span call nothing.  0 or TGPL_ENOMEM or
 * the callback's error. */
int report_obl_excerpt(report *r, const tgpl_evidence *e, uint32_t max_lines, report_line_cb cb,
		       void *payload, const char **unreadable);

/* The whole content of an evidence row's file (borrowed until the next call
 * of this or report_obl_excerpt): *data NULL and *unreadable saying why
 * when it cannot be read.  0 or TGPL_ENOMEM. */
int report_obl_content(report *r, const tgpl_evidence *e, const char **data, size_t *len,
		       const char **unreadable);

/* The obligations for which file `f` of revs[rev_index] is evidence, as
 * "a;b" into out (cleared first).  0 or TGPL_ENOMEM. */
int report_obl_file(report *r, size_t rev_index, const report_file *f, tgpl_buf *out);

/* The evidence row's origin as a report may print it (credentials removed), or NULL. */
const char *report_obl_origin(const report *r, const tgpl_evidence *e);
/* The evidence row's SWHID with that origin into out (cleared; empty when the
 * row has none).  0 or TGPL_ENOMEM. */
int report_obl_swhid(report *r, const tgpl_evidence *e, tgpl_buf *out);

/* Distinct files among an obligation's listed evidence. */
size_t report_obl_n_files(const tgpl_obligation *o);

/* "repo@commit12 path:s-e" of an evidence row into out (cleared first): raw
 * bytes, for the format to escape.  0 or TGPL_ENOMEM. */
int report_obl_where(report *r, const tgpl_evidence *e, tgpl_buf *out);

/* ---- the formats --------------------------------------------------------- */

/* json.c: "licenses":[..],"clauses":[..],"optouts":[..] of a detection (d may be NULL). */
int report_json_findings(report *r, const tgpl_detection *d);

int report_text(report *r);
int report_json(report *r);
int report_csv(report *r);
int report_md(report *r);
int report_html(report *r);
int report_spdx2(report *r);
int report_spdx3(report *r);
int report_swhid(report *r);
int report_notice(report *r);

#endif
