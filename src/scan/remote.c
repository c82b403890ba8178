/*
 * remote.c — URLs as corpus entries: a cache of bare clones kept up to date
 * with libgit2 (clone the first time, fetch afterwards).  The scanner
 * (scan.c) syncs a URL here and scans the clone under the URL.
 *
 * The cache is a flat directory of bare repositories whose names come from
 * a hash of the URL (remote_cache_name()), so a URL can never name a path
 * outside it.  A first clone is made in a mkdtemp() directory beside its
 * final name and renamed into place only once complete; a lock file per
 * entry serialises processes that share the cache (shards on one machine).
 * libgit2 is used from the calling thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "scan/remote.h"
#include "walk/walk.h"
#include "tgpl/scan.h"
#include "util/util.h"

/*
 * What a fetch mirrors from the remote: its branches, as they are there, and
 * (GIT_REMOTE_DOWNLOAD_TAGS_ALL) its tags.  The remote is written with
 * git_config_set_string(): libgit2 1.5's git_remote_create*() and
 * git_remote_add_fetch() go through git_config_set_multivar(), which leaks
 * PCRE2 match data (libgit2 pull request 6382).
 */
#define FETCH_SPEC "+refs/heads/*:refs/heads/*"

/* ---- URLs and cache names ------------------------------------------------- */

int tgpl_location_is_url(const char *s)
{
	const char *p = s, *colon, *at, *slash;

	/* scheme "://": ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		       *p == '+' || *p == '-' || *p == '.')
			p++;
		if (strncmp(p, "://", 3) == 0)
			return 1;
	}
	/* scp-like "user@host:path", as git reads it: a colon before any slash. */
	colon = strchr(s, ':');
	at = strchr(s, '@');
	slash = strchr(s, '/');
	return colon && at && at > s && at < colon && colon > at + 1 && colon[1] &&
	       (!slash || slash > colon);
}

static int tail_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int remote_cache_name(char **out, tgpl_ctx *ctx, const char *url)
{
	char tail[REMOTE_TAIL_MAX + 1], hex[GIT_OID_HEXSZ + 1];
	const char *end, *start, *p;
	size_t n = 0, len;
	git_oid oid;
	tgpl_buf name = TGPL_BUF_INIT;

	/* The last path component, without trailing slashes and ".git". */
	end = url + strlen(url);
	while (end > url && end[-1] == '/')
		end--;
	if (end - url >= 4 && memcmp(end - 4, ".git", 4) == 0)
		end -= 4;
	for (start = end; start > url && start[-1] != '/' && start[-1] != ':'; start--)
		;
	for (p = start; p < end && n < REMOTE_TAIL_MAX; p++) {
		if (n == 0 && (*p == '.' || *p == '-'))
			continue;   /* never ".", "..", a hidden name or an option-like one */
		tail[n++] = tail_char_ok(*p) ? *p : '_';
	}
	if (n == 0) {
		memcpy(tail, "repo", 4);
		n = 4;
	}
	tail[n] = '\0';
	len = strlen(url);
	if (git_odb_hash(&oid, url, len, GIT_OBJECT_BLOB) < 0)
		return tgpl_error(ctx, TGPL_ERROR, "cannot hash URL '%s'", url);
	git_oid_tostr(hex, sizeof(hex), &oid);
	if (tgpl_buf_printf(&name, "%s-%.16s.git", tail, hex) < 0) {
		tgpl_buf_release(&name);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	*out = tgpl_buf_detach(&name);
	return 0;
}

int tgpl_cache_dir_default(char **out, tgpl_ctx *ctx)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	tgpl_buf b = TGPL_BUF_INIT;
	int rc;

	/* The XDG spec: a relative value is invalid and is ignored. */
	if (xdg && xdg[0] == '/')
		rc = tgpl_buf_printf(&b, "%s/tgpl", xdg);
	else if (home && home[0] == '/')
		rc = tgpl_buf_printf(&b, "%s/.cache/tgpl", home);
	else
		return tgpl_error(ctx, TGPL_EINVAL,
				  "no cache directory for cloned repositories: set XDG_CACHE_HOME or HOME, "
				  "or give --cache-dir");
	if (rc < 0) {
		tgpl_buf_release(&b);
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	*out = tgpl_buf_detach(&b);
	return 0;
}

/* ---- files ------------------------------------------------------------------ */

int remote_mkdirs(tgpl_ctx *ctx, const char *dir)
{
	char *p = tgpl_strdup(dir);
	size_t i;
	int rc = 0;

	if (!p)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	for (i = 1;; i++) {
		if (p[i] == '/' || p[i] == '\0') {
			char c = p[i];
			p[i] = '\0';
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				rc = tgpl_error(ctx, TGPL_EIO, "cannot create cache directory '%s': %s", p,
						strerror(errno));
				break;
			}
			p[i] = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int remote_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- clone and fetch ---------------------------------------------------- */

static int git_fail(tgpl_ctx *ctx, const char *what, const char *url)
{
	const git_error *ge = git_error_last();

	if (tgpl_interrupted(ctx))
		return tgpl_error(ctx, TGPL_EINTR, "interrupted");
	return tgpl_error(ctx, TGPL_EGIT, "%s '%s': %s", what, url,
			  ge && ge->message ? ge->message : "libgit2 error");
}

/* Transfer progress: the only place a long download can notice an interruption. */
static int on_transfer(const git_indexer_progress *stats, void *payload)
{
	(void)stats;
	return tgpl_interrupted(payload) ? GIT_EUSER : 0;
}

static int on_sideband(const char *str, int len, void *payload)
{
	(void)str;
	(void)len;
	return tgpl_interrupted(payload) ? GIT_EUSER : 0;
}

/*
 * Fetch branches and tags from "origin" (pruning the ones gone) and point
 * HEAD at the remote's default branch.
 */
static int fetch_into(git_repository *repo, tgpl_ctx *ctx, const char *url)
{
	char *spec = FETCH_SPEC, *origin = NULL;
	git_strarray specs = { &spec, 1 };
	git_remote_create_options co;
	git_fetch_options fo;
	git_remote *remote = NULL;
	git_buf head = { NULL, 0, 0 };
	int rc = 0, grc;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks.transfer_progress = on_transfer;
	fo.callbacks.sideband_progress = on_sideband;
	fo.callbacks.payload = ctx;
	fo.prune = GIT_FETCH_PRUNE;
	fo.update_fetchhead = 0;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	if (walk_origin_url(&origin, repo) < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if (!origin || strcmp(origin, url) != 0) {
		rc = tgpl_error(ctx, TGPL_EGIT, "cached clone '%s' belongs to '%s', not '%s'; remove it",
				git_repository_path(repo), origin ? origin : "", url);
		goto done;
	}
	/* An anonymous remote with the clone's refspec, not git_remote_lookup()
	 * (see walk_origin_url), and no url.*.insteadOf rewriting: the cache
	 * entry is named after the URL as given. */
	git_remote_create_options_init(&co, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	co.repository = repo;
	co.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	if (git_remote_create_with_opts(&remote, url, &co) < 0) {
		rc = git_fail(ctx, "cannot read the cached clone of", url);
		goto done;
	}
	if (git_remote_connect(remote, GIT_DIRECTION_FETCH, &fo.callbacks, NULL, NULL) < 0) {
		rc = git_fail(ctx, "cannot reach", url);
		goto done;
	}
	grc = git_remote_default_branch(&head, remote);
	if (grc < 0 && grc != GIT_ENOTFOUND) {
		rc = git_fail(ctx, "cannot read the default branch of", url);
		goto done;
	}
	if (git_remote_fetch(remote, &specs, &fo, "tgpl: fetch") < 0) {
		rc = git_fail(ctx, "cannot fetch", url);
		goto done;
	}
	/* An empty remote has no default branch: HEAD stays unborn, and the scan says so. */
	if (grc == 0 && head.ptr && git_repository_set_head(repo, head.ptr) < 0)
		rc = git_fail(ctx, "cannot set HEAD of the cached clone of", url);
done:
	free(origin);
	git_buf_dispose(&head);
	git_remote_free(remote);
	return rc;
}

static int clone_into(const char *tmp, tgpl_ctx *ctx, const char *url)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	int rc = 0;

	if (git_repository_init(&repo, tmp, 1) < 0) {
		rc = git_fail(ctx, "cannot create a clone of", url);
		goto done;
	}
	if (git_repository_config(&cfg, repo) < 0 ||
	    git_config_set_string(cfg, "remote.origin.url", url) < 0 ||
	    git_config_set_string(cfg, "remote.origin.fetch", FETCH_SPEC) < 0) {
		rc = git_fail(ctx, "cannot clone", url);
		goto done;
	}
	rc = fetch_into(repo, ctx, url);
done:
	git_config_free(cfg);
	git_repository_free(repo);
	return rc;
}

static int lock_entry(int *fd_out, tgpl_ctx *ctx, const char *lock)
{
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return tgpl_error(ctx, TGPL_EIO, "cannot open lock file '%s': %s", lock, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR && !tgpl_interrupted(ctx))
			continue;
		close(fd);
		if (errno == EINTR)
			return tgpl_error(ctx, TGPL_EINTR, "interrupted");
		return tgpl_error(ctx, TGPL_EIO, "cannot lock '%s': %s", lock, strerror(errno));
	}
	*fd_out = fd;
	return 0;
}

int tgpl_remote_sync(char **out, tgpl_ctx *ctx, const char *cache_dir, const char *url)
{
	tgpl_buf final = TGPL_BUF_INIT, lock = TGPL_BUF_INIT, tmp = TGPL_BUF_INIT;
	git_repository *repo = NULL;
	char *name = NULL;
	struct stat st;
	int rc, lockfd = -1, made_tmp = 0;

	git_libgit2_init();
	if ((rc = remote_cache_name(&name, ctx, url)) < 0)
		goto done;
	if (tgpl_buf_printf(&final, "%s/%s", cache_dir, name) < 0 ||
	    tgpl_buf_printf(&lock, "%s/%s.lock", cache_dir, name) < 0 ||
	    tgpl_buf_printf(&tmp, "%s/%s.tmp-XXXXXX", cache_dir, name) < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = remote_mkdirs(ctx, cache_dir)) < 0 || (rc = lock_entry(&lockfd, ctx, lock.ptr)) < 0)
		goto done;
	if (lstat(final.ptr, &st) == 0) {
		if (git_repository_open_bare(&repo, final.ptr) < 0) {
			rc = tgpl_error(ctx, TGPL_EGIT, "cached clone '%s' of '%s' is not a repository; remove it",
					final.ptr, url);
			goto done;
		}
		rc = fetch_into(repo, ctx, url);
		goto done;
	}
	if (errno != ENOENT) {
		rc = tgpl_error(ctx, TGPL_EIO, "cannot use cache entry '%s': %s", final.ptr, strerror(errno));
		goto done;
	}
	if (!mkdtemp(tmp.ptr)) {
		rc = tgpl_error(ctx, TGPL_EIO, "cannot create a directory in cache '%s': %s", cache_dir,
				strerror(errno));
		goto done;
	}
	made_tmp = 1;
	if ((rc = clone_into(tmp.ptr, ctx, url)) < 0)
		goto done;
	if (rename(tmp.ptr, final.ptr) < 0) {
		rc = tgpl_error(ctx, TGPL_EIO, "cannot move the clone of '%s' to '%s': %s", url, final.ptr,
				strerror(errno));
		goto done;
	}
	made_tmp = 0;
done:
	if (made_tmp && remote_rm_rf(tmp.ptr) < 0)
		tgpl_log(ctx, TGPL_LOG_WARN, "cannot remove the unfinished clone '%s': %s", tmp.ptr,
			 strerror(errno));
	git_repository_free(repo);
	if (lockfd >= 0)
		close(lockfd);   /* releases the lock; the lock file stays for the next process */
	if (rc == 0)
		*out = tgpl_buf_detach(&final);
	tgpl_buf_release(&final);
	tgpl_buf_release(&lock);
	tgpl_buf_release(&tmp);
	free(name);
	git_libgit2_shutdown();
	return rc;
}
