/*
 * walk.h — repository and directory walkers.
 *
 * A walk source is a git repository (work tree or bare, read from its object
 * database at one revision, never from a checkout) or a plain directory
 * (hashed as git would hash each file).  Either way every entry comes out as
 * (path bytes, mode, type, git object id, size); symlinks are entries, never
 * followed; submodules are gitlinks, not followed.
 */
#ifndef TGPL_WALK_H
#define TGPL_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "tgpl/common.h"

typedef struct walk_source walk_source;

/* One entry of the tree. Borrowed: valid during the callback only. */
typedef struct {
	const char *path;        /* relative, '/'-separated, exact bytes, NUL-terminated */
	size_t path_len;
	unsigned int mode;       /* 0100644, 0100755, 0120000, 0160000 */
	const char *type;        /* "file", "symlink", "gitlink" */
	char oid[41];            /* blob id (file, symlink) or commit id (gitlink) */
	int64_t size;            /* bytes; -1 for gitlinks */
	const void *data;        /* the content if the walker already holds it, else NULL */
} walk_entry;

/* What was opened. Borrowed from the source. */
typedef struct {
	const char *kind;        /* "git", "bare", "dir" */
	const char *path;        /* canonical path of the repository or directory */
	const char *origin;      /* URL of remote "origin", or NULL */
	const char *commit_id;   /* NULL for a directory */
	const char *tree_id;
	int64_t commit_time;
	const char *ref;         /* full ref name the revision resolved through, or the expression */
} walk_info;

/*
 * Open `path`: a git repository if it is one (its work tree root, its .git
 * directory, or a bare repository), otherwise a plain directory.  `rev` (NULL
 * = HEAD) applies to repositories.  Caller frees with walk_close().
 */
int walk_open(walk_source **out, tgpl_ctx *ctx, const char *path, const char *rev);
void walk_close(walk_source *src);
const walk_info *walk_get_info(const walk_source *src);

/* Receives each entry; a negative return stops the walk with that code. */
typedef int (*walk_cb)(const walk_entry *e, void *payload);

/*
 * Walk every entry.  `max_read` bounds the files a directory walk reads into
 * memory (larger ones are hashed by streaming and come with data == NULL).
 */
int walk_run(walk_source *src, tgpl_ctx *ctx, size_t max_read, walk_cb cb, void *payload);

/* Directory entries that could not be read and were skipped (reported through the log). */
uint64_t walk_skipped(const walk_source *src);

/* Read a blob's content by id.  *data is owned by *handle: walk_content_free(). */
typedef struct walk_content walk_content;
int walk_read(walk_content **handle, const void **data, size_t *len,
	      walk_source *src, tgpl_ctx *ctx, const walk_entry *e);
void walk_content_free(walk_content *c);


/*
 * What differs between the tree `base_tree` (hex id, e.g. of an earlier
 * scanned revision) and the revision opened: unchanged subtrees are skipped
 * by their tree id.  First the changes are listed (at most `max_changes`);
 * `check` sees every changed path (gone or new) and a nonzero return
 * refuses the diff.  Then `gone` receives each path of the base tree that
 * is not in the new tree as it was, and `cb` each entry of the new tree
 * that is new or changed, exactly as walk_run() would give it.
 * Returns 0 when done, 1 when the diff cannot stand for a walk (not a git
 * source, base tree missing, too many changes, a refused path, duplicate
 * names or odd modes in a changed tree) and nothing was called but `check`,
 * or a negative error.
 */
typedef int (*walk_path_cb)(const char *path, size_t len, void *payload);
int walk_diff(walk_source *src, tgpl_ctx *ctx, const char *base_tree, size_t max_changes,
	      walk_path_cb check, walk_path_cb gone, walk_cb cb, void *payload);

/*
 * A blob reader of its own for another thread (libgit2 objects are not
 * shared between threads): it opens the repository of `src` again, as
 * walk_open() did, when first used.  Open it on the thread that reads.
 * Only for git sources; a directory walk hands its content over itself.
 */
typedef struct walk_reader walk_reader;
int walk_reader_new(walk_reader **out, const walk_source *src);
int walk_reader_read(walk_content **handle, const void **data, size_t *len, walk_reader *r,
		     tgpl_ctx *ctx, const char *oid, const char *path);
void walk_reader_free(walk_reader *r);
/* Is this a git source (whose blobs a walk_reader can read)? */
int walk_is_git(const walk_source *src);

/* The configured URL of remote "origin" of repo in *out (the caller frees
 * it), NULL when there is none; -1 when out of memory. */
struct git_repository;
int walk_origin_url(char **out, struct git_repository *repo);

#endif
