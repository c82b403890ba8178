/*
 * blob.c — contents at report time.  The database keeps no file contents, so
 * SPDX checksums (SHA-1 of the content, not the git blob id) and NOTICE
 * copyright lines are read back from where the scan found them: a git
 * repository's object database (content-addressed, so what we read is what
 * was scanned), or a plain directory's file, accepted only if it still
 * hashes to the stored blob id.
 *
 * Hashes come from libcrypto; nothing here implements a digest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <openssl/evp.h>

#include "report/report_int.h"

struct report_blobs {
	tgpl_ctx *ctx;
	int64_t rev_id;          /* the revision whose repository is open (0: none) */
	git_repository *repo;
	git_odb *odb;
	int failed;              /* opening that repository failed (not retried) */
	int initialised;         /* git_libgit2_init() was called */
};

int report_blobs_new(report_blobs **out, tgpl_ctx *ctx)
{
	report_blobs *b = tgpl_calloc(1, sizeof(*b));

	if (!b)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	b->ctx = ctx;
	git_libgit2_init();
	b->initialised = 1;
	*out = b;
	return 0;
}

static void close_repo(report_blobs *b)
{
	git_odb_free(b->odb);
	git_repository_free(b->repo);
	b->odb = NULL;
	b->repo = NULL;
	b->failed = 0;
	b->rev_id = 0;
}

void report_blobs_free(report_blobs *b)
{
	if (!b)
		return;
	close_repo(b);
	if (b->initialised)
		git_libgit2_shutdown();
	free(b);
}

int report_sha1(unsigned char out[20], const void *data, size_t len)
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha1(), NULL) == 1 && n == 20 ? 0 : TGPL_ERROR;
}

int report_sha256(unsigned char out[32], const void *data, size_t len)
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32 ? 0 : TGPL_ERROR;
}

/* The git blob id of `len` bytes ("blob <len>\0" + bytes). */
static int hash_blob_id(char hex[41], const void *data, size_t len)
{
	git_oid oid;

	if (git_odb_hash(&oid, data, len, GIT_OBJECT_BLOB) < 0)
		return TGPL_ERROR;
	git_oid_tostr(hex, 41, &oid);
	return 0;
}

static int open_repo(report_blobs *b, const report_rev *rev)
{
	const git_error *e;

	if (b->rev_id == rev->id)
		return b->failed ? TGPL_ENOTFOUND : 0;
	close_repo(b);
	b->rev_id = rev->id;
	if (git_repository_open_ext(&b->repo, rev->repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    git_repository_odb(&b->odb, b->repo) < 0) {
		e = git_error_last();
		b->failed = 1;
		return tgpl_error(b->ctx, TGPL_ENOTFOUND, "repository '%s' cannot be opened any more: %s",
				  rev->repo_path, e && e->message ? e->message : "unknown error");
	}
	return 0;
}

static int read_git(report_blobs *b, const report_rev *rev, const report_file *f, size_t cap,
		    char **out, size_t *len)
{
	git_odb_object *obj = NULL;
	git_oid oid;
	size_t n;
	char *p;
	int rc;

	if ((rc = open_repo(b, rev)) < 0)
		return rc;
	if (git_oid_fromstr(&oid, f->oid) < 0)
		return tgpl_error(b->ctx, TGPL_ENOTFOUND, "'%s' is not a blob id", f->oid);
	if (git_odb_read(&obj, b->odb, &oid) < 0) {
		const git_error *e = git_error_last();
		return tgpl_error(b->ctx, TGPL_ENOTFOUND, "blob %s of '%s' in repository '%s' is missing: %s",
				  f->oid, f->path, rev->repo_path, e && e->message ? e->message : "not found");
	}
	n = git_odb_object_size(obj);
	if (n > cap) {
		git_odb_object_free(obj);
		return tgpl_error(b->ctx, TGPL_ETOOBIG, "blob %s of '%s' is larger than %zu bytes",
				  f->oid, f->path, cap);
	}
	if (!(p = tgpl_malloc(n + 1))) {
		git_odb_object_free(obj);
		return tgpl_error(b->ctx, TGPL_ENOMEM, "out of memory");
	}
	memcpy(p, git_odb_object_data(obj), n);
	p[n] = '\0';
	git_odb_object_free(obj);
	*out = p;
	*len = n;
	return 0;
}

/* A directory's file: regular, no larger than `cap`, still the scanned bytes. */
static int read_dir(report_blobs *b, const report_rev *rev, const report_file *f, size_t cap,
		    char **out, size_t *len)
{
	tgpl_buf path = TGPL_BUF_INIT, data = TGPL_BUF_INIT;
	char chunk[65536], hex[41];
	struct stat st;
	int fd = -1, rc = 0;

	if (tgpl_buf_put(&path, rev->repo_path, rev->repo_path_len) < 0 || tgpl_buf_putc(&path, '/') < 0 ||
	    tgpl_buf_put(&path, f->path, f->path_len) < 0) {
		rc = tgpl_error(b->ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	fd = open(path.ptr, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = tgpl_error(b->ctx, TGPL_ENOTFOUND, "'%s' cannot be read any more: %s", path.ptr,
				fd < 0 ? strerror(errno) : "not a regular file");
		goto done;
	}
	if ((uint64_t)st.st_size > cap) {
		rc = tgpl_error(b->ctx, TGPL_ETOOBIG, "'%s' is larger than %zu bytes", path.ptr, cap);
		goto done;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = tgpl_error(b->ctx, TGPL_ENOTFOUND, "cannot read '%s': %s", path.ptr, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if (data.len + (size_t)n > cap) {
			rc = tgpl_error(b->ctx, TGPL_ETOOBIG, "'%s' is larger than %zu bytes", path.ptr, cap);
			goto done;
		}
		if (tgpl_buf_put(&data, chunk, (size_t)n) < 0) {
			rc = tgpl_error(b->ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (hash_blob_id(hex, data.ptr ? data.ptr : "", data.len) < 0 || strcmp(hex, f->oid) != 0) {
		rc = tgpl_error(b->ctx, TGPL_ENOTFOUND, "'%s' changed since it was scanned", path.ptr);
		goto done;
	}
	*len = data.len;
	if (!(*out = tgpl_buf_detach(&data)))
		rc = tgpl_error(b->ctx, TGPL_ENOMEM, "out of memory");
done:
	if (fd >= 0)
		close(fd);
	tgpl_buf_release(&path);
	tgpl_buf_release(&data);
	return rc;
}

int report_blob_read(report_blobs *b, const report_rev *rev, const report_file *f, size_t cap,
		     char **out, size_t *len)
{
	if (strcmp(f->type, "gitlink") == 0)
		return tgpl_error(b->ctx, TGPL_ENOTFOUND, "'%s' is a submodule, not a blob", f->path);
	if (strcmp(rev->kind, "dir") == 0) {
		if (strcmp(f->type, "file") != 0)
			return tgpl_error(b->ctx, TGPL_ENOTFOUND, "'%s' is not a regular file", f->path);
		return read_dir(b, rev, f, cap, out, len);
	}
	return read_git(b, rev, f, cap, out, len);
}
