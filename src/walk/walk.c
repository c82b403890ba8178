/*
 * walk.c — the git walker (libgit2, object database only) and the plain
 * directory walker (no symlink followed, each file hashed as a git blob).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "util/util.h"
#include "walk/walk.h"

/* Directory nesting deeper than this is reported and skipped (hostile trees). */
#define MAX_DEPTH 256

struct walk_source {
	walk_info info;
	git_repository *repo;      /* NULL for a directory */
	git_tree *tree;
	char *path;                /* canonical */
	char *open_path;           /* as given to walk_open() */
	char *origin;
	char *ref;
	char commit_hex[GIT_OID_HEXSZ + 1];
	char tree_hex[GIT_OID_HEXSZ + 1];
	uint64_t skipped;          /* directory entries that could not be read */
};

struct walk_content {
	git_odb_object *obj;       /* git */
	void *buf;                 /* directory */
};

/* Error "<what> '<arg>': <libgit2's message>". */
static int git_fail(tgpl_ctx *ctx, int code, const char *what, const char *arg)
{
	const git_error *ge = git_error_last();

	return tgpl_error(ctx, code, "%s '%s': %s", what, arg,
			  ge && ge->message ? ge->message : "libgit2 error");
}

static char *strip_slash(char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

/*
 * The configured URL of remote "origin", read from a snapshot of the
 * repository's configuration.  Not git_remote_lookup(): libgit2 1.5 leaks
 * about 160 KiB of PCRE2 match data on every call (libgit2 pull request
 * 6382), which over a corpus of many repositories is memory without bound.
 */
int walk_origin_url(char **out, git_repository *repo)
{
	git_config *cfg = NULL;
	git_buf url = { NULL, 0, 0 };
	int rc = 0;

	*out = NULL;
	if (git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_string_buf(&url, cfg, "remote.origin.url") == 0 && url.ptr &&
	    !(*out = tgpl_strdup(url.ptr)))
		rc = -1;
	git_buf_dispose(&url);
	git_config_free(cfg);
	return rc;
}

static int open_git(walk_source *s, tgpl_ctx *ctx, const char *path, const char *rev)
{
	git_object *obj = NULL;
	git_reference *ref = NULL;
	git_commit *commit = NULL;
	const char *dir;
	int rc = 0, grc;

	if (!rev)
		rev = "HEAD";
	s->info.kind = git_repository_is_bare(s->repo) ? "bare" : "git";
	dir = git_repository_is_bare(s->repo) ? git_repository_path(s->repo)
					      : git_repository_workdir(s->repo);
	if (!(s->path = tgpl_strdup(dir)))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	strip_slash(s->path);
	if (git_repository_head_unborn(s->repo) == 1 && strcmp(rev, "HEAD") == 0)
		return tgpl_error(ctx, TGPL_ENOTFOUND, "repository '%s' has no commits yet", path);
	grc = git_revparse_ext(&obj, &ref, s->repo, rev);
	if (grc < 0) {
		rc = git_fail(ctx, grc == GIT_ENOTFOUND || grc == GIT_EAMBIGUOUS ? TGPL_ENOTFOUND : TGPL_EGIT,
			      "cannot resolve revision", rev);
		goto done;
	}
	if (git_object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = git_fail(ctx, TGPL_EINVAL, "cannot peel to a commit: revision", rev);
		goto done;
	}
	if (git_commit_tree(&s->tree, commit) < 0) {
		rc = git_fail(ctx, TGPL_EGIT, "cannot read the tree of revision", rev);
		goto done;
	}
	git_oid_tostr(s->commit_hex, sizeof(s->commit_hex), git_commit_id(commit));
	git_oid_tostr(s->tree_hex, sizeof(s->tree_hex), git_tree_id(s->tree));
	s->info.commit_id = s->commit_hex;
	s->info.tree_id = s->tree_hex;
	s->info.commit_time = (int64_t)git_commit_time(commit);
	/* HEAD resolves through the branch it points at: record that name. */
	if (ref) {
		git_reference *resolved = NULL;
		if (git_reference_resolve(&resolved, ref) == 0) {
			s->ref = tgpl_strdup(git_reference_name(resolved));
			git_reference_free(resolved);
		} else {
			s->ref = tgpl_strdup(git_reference_name(ref));
		}
	} else {
		s->ref = tgpl_strdup(rev);
	}
	if (!s->ref) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	s->info.ref = s->ref;
	if (walk_origin_url(&s->origin, s->repo) < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	s->info.origin = s->origin;
done:
	git_commit_free(commit);
	git_reference_free(ref);
	git_object_free(obj);
	return rc;
}

int walk_open(walk_source **out, tgpl_ctx *ctx, const char *path, const char *rev)
{
	walk_source *s = NULL;
	struct stat st;
	int rc, grc;

	git_libgit2_init();
	s = tgpl_calloc(1, sizeof(*s));
	if (!s) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto fail;
	}
	if (stat(path, &st) < 0) {
		rc = tgpl_error(ctx, errno == ENOENT ? TGPL_ENOTFOUND : TGPL_EIO,
				"cannot scan '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = tgpl_error(ctx, TGPL_EINVAL,
				"cannot scan '%s': not a git repository or a directory", path);
		goto fail;
	}
	/* The path itself, its .git, or a bare repository; no search upwards,
	 * so a folder inside a repository is scanned as that folder. */
	grc = git_repository_open_ext(&s->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (grc == 0) {
		if (!(s->open_path = tgpl_strdup(path))) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto fail;
		}
		if ((rc = open_git(s, ctx, path, rev)) < 0)
			goto fail;
	} else if (grc == GIT_ENOTFOUND) {
		char real[PATH_MAX];

		if (rev) {
			rc = tgpl_error(ctx, TGPL_EINVAL,
					"cannot scan '%s' at revision '%s': not a git repository", path, rev);
			goto fail;
		}
		if (!realpath(path, real)) {
			rc = tgpl_error(ctx, TGPL_EIO, "cannot scan '%s': %s", path, strerror(errno));
			goto fail;
		}
		if (!(s->path = tgpl_strdup(real))) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto fail;
		}
		s->info.kind = "dir";
	} else {
		rc = git_fail(ctx, TGPL_EGIT, "cannot open repository", path);
		goto fail;
	}
	s->info.path = s->path;
	*out = s;
	return 0;
fail:
	walk_close(s);
	return rc;
}

void walk_close(walk_source *s)
{
	if (!s)
		return;
	git_tree_free(s->tree);
	git_repository_free(s->repo);
	free(s->path);
	free(s->open_path);
	free(s->origin);
	free(s->ref);
	free(s);
	git_libgit2_shutdown();
}

const walk_info *walk_get_info(const walk_source *s)
{
	return &s->info;
}

/* ---- git ------------------------------------------------------------------ */

typedef struct {
	walk_source *src;
	tgpl_ctx *ctx;
	walk_cb cb;
	void *payload;
	tgpl_buf path;
	git_odb *odb;
	int rc;
} git_walk_state;

static int git_entry_cb(const char *root, const git_tree_entry *te, void *payload)
{
	git_walk_state *w = payload;
	git_filemode_t fm = git_tree_entry_filemode_raw(te);
	const git_oid *id = git_tree_entry_id(te);
	walk_entry e;
	size_t size;
	git_object_t type;
	int rc;

	if (fm == GIT_FILEMODE_TREE)
		return 0;
	if (tgpl_interrupted(w->ctx)) {
		w->rc = tgpl_error(w->ctx, TGPL_EINTR, "interrupted");
		return -1;
	}
	memset(&e, 0, sizeof(e));
	tgpl_buf_clear(&w->path);
	if (tgpl_buf_puts(&w->path, root) < 0 || tgpl_buf_puts(&w->path, git_tree_entry_name(te)) < 0) {
		w->rc = tgpl_error(w->ctx, TGPL_ENOMEM, "out of memory");
		return -1;
	}
	e.path = w->path.ptr;
	e.path_len = w->path.len;
	e.mode = (unsigned int)fm;
	git_oid_tostr(e.oid, sizeof(e.oid), id);
	if (fm == GIT_FILEMODE_COMMIT) {
		e.type = "gitlink";
		e.size = -1;
	} else {
		e.type = fm == GIT_FILEMODE_LINK ? "symlink" : "file";
		if (git_odb_read_header(&size, &type, w->odb, id) < 0) {
			const git_error *ge = git_error_last();
			w->rc = tgpl_error(w->ctx, TGPL_EGIT,
					   "repository '%s': cannot read blob %s of '%s': %s",
					   w->src->path, e.oid, e.path,
					   ge && ge->message ? ge->message : "object missing or corrupt");
			return -1;
		}
		e.size = (int64_t)size;
	}
	rc = w->cb(&e, w->payload);
	if (rc < 0) {
		w->rc = rc;
		return -1;
	}
	return 0;
}

static int walk_git(walk_source *s, tgpl_ctx *ctx, walk_cb cb, void *payload)
{
	git_walk_state w = { s, ctx, cb, payload, TGPL_BUF_INIT, NULL, 0 };
	int grc;

	if (git_repository_odb(&w.odb, s->repo) < 0)
		return git_fail(ctx, TGPL_EGIT, "cannot open the object database of", s->path);
	grc = git_tree_walk(s->tree, GIT_TREEWALK_PRE, git_entry_cb, &w);
	tgpl_buf_release(&w.path);
	git_odb_free(w.odb);
	if (w.rc < 0)
		return w.rc;
	if (grc < 0)
		return git_fail(ctx, TGPL_EGIT, "cannot walk the tree of", s->path);
	return 0;
}

/* ---- plain directories ---------------------------------------------------- */

typedef struct {
	walk_source *src;
	tgpl_ctx *ctx;
	walk_cb cb;
	void *payload;
	size_t max_read;
	tgpl_buf path;   /* relative path of the directory being read, with '/' */
} dir_walk_state;

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dir_skip(dir_walk_state *w, const char *name, const char *why)
{
	w->src->skipped++;
	tgpl_log(w->ctx, TGPL_LOG_WARN, "skipping '%s/%s%s': %s", w->src->path, w->path.ptr ? w->path.ptr : "",
		 name, why);
}

/* Read a whole regular file (fd) of `size` bytes. */
static int read_fd(int fd, size_t size, void **out)
{
	char *buf = tgpl_malloc(size + 1);
	size_t got = 0;

	if (!buf)
		return TGPL_ENOMEM;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != size) {   /* the file changed under us */
		free(buf);
		return TGPL_EIO;
	}
	buf[size] = '\0';
	*out = buf;
	return 0;
}

static int dir_file(dir_walk_state *w, int dirfd, const char *name, const struct stat *st)
{
	walk_entry e;
	git_oid oid;
	void *data = NULL;
	int fd = -1, rc = 0;

	memset(&e, 0, sizeof(e));
	e.path = w->path.ptr;
	e.path_len = w->path.len;
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target));

		if (n < 0) {
			dir_skip(w, "", strerror(errno));
			return 0;
		}
		git_odb_hash(&oid, target, (size_t)n, GIT_OBJECT_BLOB);
		e.mode = 0120000;
		e.type = "symlink";
		e.size = n;
	} else {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			dir_skip(w, "", strerror(errno));
			return 0;
		}
		e.mode = (st->st_mode & 0111) ? 0100755 : 0100644;
		e.type = "file";
		e.size = (int64_t)st->st_size;
		if ((size_t)st->st_size <= w->max_read) {
			rc = read_fd(fd, (size_t)st->st_size, &data);
			if (rc == TGPL_ENOMEM) {
				rc = tgpl_error(w->ctx, rc, "out of memory reading '%s'", name);
				goto done;
			}
			if (rc < 0) {
				rc = 0;
				dir_skip(w, "", "could not be read whole (changed during the scan?)");
				goto done;
			}
			git_odb_hash(&oid, data, (size_t)st->st_size, GIT_OBJECT_BLOB);
			e.data = data;
		} else {
			/* Too big to hold: hash by streaming, and let the scan skip it. */
			char fdpath[64];
			snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
			if (git_odb_hashfile(&oid, fdpath, GIT_OBJECT_BLOB) < 0) {
				dir_skip(w, "", "could not be hashed");
				goto done;
			}
		}
	}
	git_oid_tostr(e.oid, sizeof(e.oid), &oid);
	rc = w->cb(&e, w->payload);
done:
	free(data);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int dir_walk(dir_walk_state *w, int fd, int depth)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i, base = w->path.len;
	int rc = 0;

	if (depth > MAX_DEPTH) {
		dir_skip(w, "", "directory nesting too deep");
		close(fd);
		return 0;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		dir_skip(w, "", strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (tgpl_grow((void **)&names, &cap, n + 1, sizeof(*names)) < 0 ||
		    !(names[n] = tgpl_strdup(de->d_name))) {
			rc = tgpl_error(w->ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		struct stat st;

		if (tgpl_interrupted(w->ctx)) {
			rc = tgpl_error(w->ctx, TGPL_EINTR, "interrupted");
			break;
		}
		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			dir_skip(w, names[i], strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub;
			if (strcmp(names[i], ".git") == 0)
				continue;   /* a nested repository's database is not content */
			sub = openat(fd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				dir_skip(w, names[i], strerror(errno));
				continue;
			}
			if (tgpl_buf_puts(&w->path, names[i]) < 0 || tgpl_buf_putc(&w->path, '/') < 0) {
				close(sub);
				rc = tgpl_error(w->ctx, TGPL_ENOMEM, "out of memory");
				break;
			}
			rc = dir_walk(w, sub, depth + 1);
		} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			if (tgpl_buf_puts(&w->path, names[i]) < 0) {
				rc = tgpl_error(w->ctx, TGPL_ENOMEM, "out of memory");
				break;
			}
			rc = dir_file(w, fd, names[i], &st);
		} else {
			dir_skip(w, names[i], "not a regular file, directory or symlink");
		}
		w->path.len = base;
		w->path.ptr[base] = '\0';
	}
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int walk_dir(walk_source *s, tgpl_ctx *ctx, size_t max_read, walk_cb cb, void *payload)
{
	dir_walk_state w = { s, ctx, cb, payload, max_read, TGPL_BUF_INIT };
	int fd, rc;

	if (tgpl_buf_puts(&w.path, "") < 0)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		tgpl_buf_release(&w.path);
		return tgpl_error(ctx, TGPL_EIO, "cannot read directory '%s': %s", s->path, strerror(errno));
	}
	rc = dir_walk(&w, fd, 0);
	tgpl_buf_release(&w.path);
	return rc;
}

int walk_run(walk_source *s, tgpl_ctx *ctx, size_t max_read, walk_cb cb, void *payload)
{
	return s->repo ? walk_git(s, ctx, cb, payload) : walk_dir(s, ctx, max_read, cb, payload);
}

uint64_t walk_skipped(const walk_source *s)
{
	return s->skipped;
}

/* ---- reading content ------------------------------------------------------ */

int walk_read(walk_content **handle, const void **data, size_t *len,
	      walk_source *s, tgpl_ctx *ctx, const walk_entry *e)
{
	walk_content *c;
	git_odb *odb = NULL;
	git_oid oid;

	c = tgpl_calloc(1, sizeof(*c));
	if (!c)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	if (!s->repo) {
		free(c);
		return tgpl_error(ctx, TGPL_EINVAL, "'%s' in '%s' was not read", e->path, s->path);
	}
	if (git_oid_fromstr(&oid, e->oid) < 0 || git_repository_odb(&odb, s->repo) < 0 ||
	    git_odb_read(&c->obj, odb, &oid) < 0) {
		const git_error *ge = git_error_last();
		int rc = tgpl_error(ctx, TGPL_EGIT, "repository '%s': cannot read blob %s of '%s': %s",
				    s->path, e->oid, e->path,
				    ge && ge->message ? ge->message : "object missing or corrupt");
		git_odb_free(odb);
		free(c);
		return rc;
	}
	git_odb_free(odb);
	*data = git_odb_object_data(c->obj);
	*len = git_odb_object_size(c->obj);
	*handle = c;
	return 0;
}

struct walk_reader {
	char *open_path;           /* the repository, as walk_open() was given it */
	char *path;                /* canonical, for messages */
	git_repository *repo;      /* opened on first read, on the reading thread */
	git_odb *odb;
};

int walk_is_git(const walk_source *s)
{
	return s->repo != NULL;
}

int walk_reader_new(walk_reader **out, const walk_source *s)
{
	walk_reader *r;

	if (!s->repo || !s->open_path)
		return TGPL_EINVAL;
	r = tgpl_calloc(1, sizeof(*r));
	if (!r || !(r->open_path = tgpl_strdup(s->open_path)) || !(r->path = tgpl_strdup(s->path))) {
		walk_reader_free(r);
		return TGPL_ENOMEM;
	}
	*out = r;
	return 0;
}

int walk_reader_read(walk_content **handle, const void **data, size_t *len, walk_reader *r,
		     tgpl_ctx *ctx, const char *hex, const char *path)
{
	walk_content *c;
	git_oid oid;

	if (!r->odb) {
		git_libgit2_init();   /* balanced in walk_reader_free() */
		if (git_repository_open_ext(&r->repo, r->open_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
		    git_repository_odb(&r->odb, r->repo) < 0) {
			git_repository_free(r->repo);
			r->repo = NULL;
			git_libgit2_shutdown();
			return git_fail(ctx, TGPL_EGIT, "cannot open repository", r->path);
		}
	}
	c = tgpl_calloc(1, sizeof(*c));
	if (!c)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	if (git_oid_fromstr(&oid, hex) < 0 || git_odb_read(&c->obj, r->odb, &oid) < 0) {
		const git_error *ge = git_error_last();
		int rc = tgpl_error(ctx, TGPL_EGIT, "repository '%s': cannot read blob %s of '%s': %s",
				    r->path, hex, path,
				    ge && ge->message ? ge->message : "object missing or corrupt");
		free(c);
		return rc;
	}
	*data = git_odb_object_data(c->obj);
	*len = git_odb_object_size(c->obj);
	*handle = c;
	return 0;
}

void walk_reader_free(walk_reader *r)
{
	if (!r)
		return;
	if (r->odb) {
		git_odb_free(r->odb);
		git_repository_free(r->repo);
		git_libgit2_shutdown();
	}
	free(r->open_path);
	free(r->path);
	free(r);
}

void walk_content_free(walk_content *c)
{
	if (!c)
		return;
	git_odb_object_free(c->obj);
	free(c->buf);
	free(c);
}

/* ---- the difference from an earlier tree ---------------------------------- */

#define DIFF_REFUSE 1
#define DIFF_MAX_DEPTH 1024

typedef struct {
	char *path;                /* owned, NUL-terminated */
	size_t len;
	int gone;                  /* a path of the base tree; else an entry of the new tree */
	unsigned int mode;
	git_oid oid;
} diff_item;

typedef struct {
	walk_source *src;
	tgpl_ctx *ctx;
	tgpl_buf path;
	diff_item *v;
	size_t n, cap, max;
	walk_path_cb check;
	void *payload;
} diff_state;

static void diff_items_free(diff_state *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].path);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

/* A tree entry the walk and the diff read alike: trees have the tree mode. */
static int diff_entry_plain(const git_tree_entry *te)
{
	int is_tree = git_tree_entry_type(te) == GIT_OBJECT_TREE;

	return is_tree == (git_tree_entry_filemode_raw(te) == GIT_FILEMODE_TREE);
}

/* Does any other entry of `t` have the name of entry `te`? */
static int diff_has_twin(const git_tree *t, const git_tree_entry *te)
{
	return git_tree_entry_byname(t, git_tree_entry_name(te)) != te;
}

static int diff_push(diff_state *d, const git_tree_entry *te, int gone)
{
	diff_item *it;

	if (d->n >= d->max)
		return DIFF_REFUSE;
	if (d->check(d->path.ptr, d->path.len, d->payload))
		return DIFF_REFUSE;
	if (tgpl_grow((void **)&d->v, &d->cap, d->n + 1, sizeof(*d->v)) < 0)
		return tgpl_error(d->ctx, TGPL_ENOMEM, "out of memory");
	it = &d->v[d->n];
	if (!(it->path = tgpl_strndup(d->path.ptr, d->path.len)))
		return tgpl_error(d->ctx, TGPL_ENOMEM, "out of memory");
	it->len = d->path.len;
	it->gone = gone;
	it->mode = (unsigned int)git_tree_entry_filemode_raw(te);
	git_oid_cpy(&it->oid, git_tree_entry_id(te));
	d->n++;
	return 0;
}

static int diff_lookup(git_tree **out, diff_state *d, const git_tree_entry *te)
{
	if (git_tree_lookup(out, d->src->repo, git_tree_entry_id(te)) < 0)
		return git_fail(d->ctx, TGPL_EGIT, "cannot read a tree of", d->src->path);
	return 0;
}

static int diff_trees(diff_state *d, const git_tree *old, const git_tree *new, int depth);

/* Entry `te` (named, under the current path) as wholly gone or wholly new. */
static int diff_whole(diff_state *d, const git_tree_entry *te, int gone, int depth)
{
	size_t base = d->path.len;
	git_tree *t = NULL;
	size_t i, n;
	int rc = 0;

	if (!diff_entry_plain(te) || depth > DIFF_MAX_DEPTH)
		return DIFF_REFUSE;
	if (tgpl_buf_puts(&d->path, git_tree_entry_name(te)) < 0)
		return tgpl_error(d->ctx, TGPL_ENOMEM, "out of memory");
	if (git_tree_entry_filemode_raw(te) != GIT_FILEMODE_TREE) {
		rc = diff_push(d, te, gone);
	} else if (tgpl_buf_putc(&d->path, '/') < 0) {
		rc = tgpl_error(d->ctx, TGPL_ENOMEM, "out of memory");
	} else if ((rc = diff_lookup(&t, d, te)) == 0) {
		n = git_tree_entrycount(t);
		for (i = 0; i < n && rc == 0; i++)
			rc = diff_whole(d, git_tree_entry_byindex(t, i), gone, depth + 1);
		git_tree_free(t);
	}
	d->path.len = base;
	d->path.ptr[base] = '\0';
	return rc;
}

static int diff_trees(diff_state *d, const git_tree *old, const git_tree *new, int depth)
{
	size_t i, n, base = d->path.len;
	int rc = 0;

	if (depth > DIFF_MAX_DEPTH)
		return DIFF_REFUSE;
	n = git_tree_entrycount(new);
	for (i = 0; i < n && rc == 0; i++) {
		const git_tree_entry *ne = git_tree_entry_byindex(new, i);
		const git_tree_entry *oe = git_tree_entry_byname(old, git_tree_entry_name(ne));

		if (diff_has_twin(new, ne) || !diff_entry_plain(ne) || (oe && !diff_entry_plain(oe)))
			return DIFF_REFUSE;
		if (oe && git_tree_entry_filemode_raw(oe) == git_tree_entry_filemode_raw(ne) &&
		    git_oid_equal(git_tree_entry_id(oe), git_tree_entry_id(ne)))
			continue;   /* the same file, or the same subtree */
		if (oe && git_tree_entry_filemode_raw(oe) == GIT_FILEMODE_TREE &&
		    git_tree_entry_filemode_raw(ne) == GIT_FILEMODE_TREE) {
			git_tree *ot = NULL, *nt = NULL;

			if (tgpl_buf_puts(&d->path, git_tree_entry_name(ne)) < 0 ||
			    tgpl_buf_putc(&d->path, '/') < 0)
				rc = tgpl_error(d->ctx, TGPL_ENOMEM, "out of memory");
			else if ((rc = diff_lookup(&ot, d, oe)) == 0 && (rc = diff_lookup(&nt, d, ne)) == 0)
				rc = diff_trees(d, ot, nt, depth + 1);
			git_tree_free(ot);
			git_tree_free(nt);
			d->path.len = base;
			d->path.ptr[base] = '\0';
			continue;
		}
		if (oe)
			rc = diff_whole(d, oe, 1, depth);
		if (rc == 0)
			rc = diff_whole(d, ne, 0, depth);
	}
	n = git_tree_entrycount(old);
	for (i = 0; i < n && rc == 0; i++) {
		const git_tree_entry *oe = git_tree_entry_byindex(old, i);

		if (diff_has_twin(old, oe))
			return DIFF_REFUSE;
		if (!git_tree_entry_byname(new, git_tree_entry_name(oe)))
			rc = diff_whole(d, oe, 1, depth);
	}
	return rc;
}

int walk_diff(walk_source *s, tgpl_ctx *ctx, const char *base_tree, size_t max_changes,
	      walk_path_cb check, walk_path_cb gone, walk_cb cb, void *payload)
{
	diff_state d;
	git_tree *old = NULL;
	git_odb *odb = NULL;
	git_oid id;
	size_t i;
	int rc;

	if (!s->repo || !s->tree || !base_tree || git_oid_fromstr(&id, base_tree) < 0 ||
	    git_tree_lookup(&old, s->repo, &id) < 0) {
		git_error_clear();
		return DIFF_REFUSE;
	}
	memset(&d, 0, sizeof(d));
	d.src = s;
	d.ctx = ctx;
	d.max = max_changes;
	d.check = check;
	d.payload = payload;
	if (tgpl_buf_puts(&d.path, "") < 0)
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	else
		rc = diff_trees(&d, old, s->tree, 0);
	git_tree_free(old);
	if (rc == 0 && git_repository_odb(&odb, s->repo) < 0)
		rc = git_fail(ctx, TGPL_EGIT, "cannot open the object database of", s->path);
	for (i = 0; i < d.n && rc == 0; i++) {
		const diff_item *it = &d.v[i];
		walk_entry e;
		size_t size;
		git_object_t type;

		if (tgpl_interrupted(ctx)) {
			rc = tgpl_error(ctx, TGPL_EINTR, "interrupted");
			break;
		}
		if (it->gone) {
			rc = gone(it->path, it->len, payload);
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.path = it->path;
		e.path_len = it->len;
		e.mode = it->mode;
		git_oid_tostr(e.oid, sizeof(e.oid), &it->oid);
		if (it->mode == GIT_FILEMODE_COMMIT) {
			e.type = "gitlink";
			e.size = -1;
		} else {
			e.type = it->mode == GIT_FILEMODE_LINK ? "symlink" : "file";
			if (git_odb_read_header(&size, &type, odb, &it->oid) < 0) {
				const git_error *ge = git_error_last();
				rc = tgpl_error(ctx, TGPL_EGIT, "repository '%s': cannot read blob %s of '%s': %s",
						s->path, e.oid, e.path,
						ge && ge->message ? ge->message : "object missing or corrupt");
				break;
			}
			e.size = (int64_t)size;
		}
		rc = cb(&e, payload);
	}
	git_odb_free(odb);
	diff_items_free(&d);
	tgpl_buf_release(&d.path);
	return rc;
}
