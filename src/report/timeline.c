/*
 * timeline.c — the `timeline` report: when a repository's declared licence
 * or TGPL clauses changed, who changed them and through which files, from
 * the rows tgpl_scan_history() recorded (include/tgpl/history.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "store/history.h"
#include "tgpl/history.h"
#include "util/util.h"

typedef struct {
	tgpl_ctx *ctx;
	tgpl_buf *b;
	tgpl_timeline_format format;
	tgpl_buf repo;           /* the repository of the previous change */
	int have_repo;
	int rc;
} timeline;

/* Bytes for a terminal: printable ASCII and valid UTF-8 as they are, anything else \xNN. */
static int put_text(tgpl_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			if (tgpl_buf_putc(b, (char)c) < 0)
				return -1;
		} else if (c >= 0x80) {
			size_t k = 1;

			while (k < 4 && i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
				k++;
			if (tgpl_utf8_valid(s + i, k)) {
				if (tgpl_buf_put(b, s + i, k) < 0)
					return -1;
				i += k - 1;
			} else if (tgpl_buf_printf(b, "\\x%02x", c) < 0) {
				return -1;
			}
		} else if (tgpl_buf_printf(b, "\\x%02x", c) < 0) {
			return -1;
		}
	}
	return 0;
}

static int put_text_str(tgpl_buf *b, const char *s)
{
	return put_text(b, s, strlen(s));
}

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int put_json_or_null(tgpl_buf *b, const char *s)
{
	return s ? tgpl_buf_put_json_string(b, s, strlen(s)) : tgpl_buf_puts(b, "null");
}

/* Is `id` a word of the space-separated list? */
static int list_has(const char *list, const char *id, size_t n)
{
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, ' ');
		size_t k = e ? (size_t)(e - p) : strlen(p);

		if (k == n && memcmp(p, id, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* The words of `list` that `other` lacks, each written as "<sign>word" after a space. */
static int put_list_diff(tgpl_buf *b, const char *list, const char *other, char sign)
{
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, ' ');
		size_t k = e ? (size_t)(e - p) : strlen(p);

		if (k && !list_has(other, p, k) &&
		    (tgpl_buf_putc(b, ' ') < 0 || tgpl_buf_putc(b, sign) < 0 || put_text(b, p, k) < 0))
			return -1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int put_json_list(tgpl_buf *b, const char *list)
{
	const char *p = list;
	int n = 0;

	if (tgpl_buf_putc(b, '[') < 0)
		return -1;
	while (p && *p) {
		const char *e = strchr(p, ' ');
		size_t k = e ? (size_t)(e - p) : strlen(p);

		if (k && ((n++ && tgpl_buf_putc(b, ',') < 0) || tgpl_buf_put_json_string(b, p, k) < 0))
			return -1;
		p = e ? e + 1 : NULL;
	}
	return tgpl_buf_putc(b, ']');
}

/* The stored files list (a JSON array of strings), re-read so that only strings come out. */
static int put_files(tgpl_buf *b, const char *files, int json)
{
	json_t *arr = files ? json_loads(files, JSON_REJECT_DUPLICATES, NULL) : NULL;
	size_t i, n = json_is_array(arr) ? json_array_size(arr) : 0, shown = 0;
	int rc = 0;

	if (json)
		rc = tgpl_buf_putc(b, '[');
	for (i = 0; i < n && rc == 0; i++) {
		json_t *s = json_array_get(arr, i);

		if (!json_is_string(s))
			continue;
		if (shown++)
			rc = tgpl_buf_puts(b, json ? "," : ", ");
		if (rc == 0)
			rc = json ? tgpl_buf_put_json_string(b, json_string_value(s), json_string_length(s))
				  : put_text(b, json_string_value(s), json_string_length(s));
	}
	if (json && rc == 0)
		rc = tgpl_buf_putc(b, ']');
	json_decref(arr);
	return rc;
}

static void iso_date(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "@%lld", (long long)t);
}

static int text_change(timeline *t, const store_change *c)
{
	tgpl_buf *b = t->b;
	char date[32];

	iso_date(date, c->author_time);
	if (tgpl_buf_printf(b, "  %s  %.12s  ", date, c->commit_id) < 0 ||
	    put_text_str(b, c->author ? c->author : "(unknown author)") < 0 ||
	    tgpl_buf_puts(b, "\n    ") < 0 ||
	    put_text_str(b, c->parent_id ? (c->from_declared ? c->from_declared : "(none)") : "(none)") < 0 ||
	    tgpl_buf_puts(b, " -> ") < 0 ||
	    put_text_str(b, c->declared ? c->declared : "(none)") < 0 ||
	    tgpl_buf_putc(b, '\n') < 0)
		return -1;
	if (!str_same(c->from_clauses, c->clauses)) {
		if (tgpl_buf_puts(b, "    clauses:") < 0 ||
		    put_list_diff(b, c->clauses, c->from_clauses, '+') < 0 ||
		    put_list_diff(b, c->from_clauses, c->clauses, '-') < 0 ||
		    tgpl_buf_putc(b, '\n') < 0)
			return -1;
	}
	if (c->files) {
		if (tgpl_buf_puts(b, "    files: ") < 0 || put_files(b, c->files, 0) < 0 ||
		    tgpl_buf_putc(b, '\n') < 0)
			return -1;
	}
	return 0;
}

static int json_change(timeline *t, const store_change *c, int first)
{
	tgpl_buf *b = t->b;
	char date[32];

	iso_date(date, c->author_time);
	if ((!first && tgpl_buf_putc(b, ',') < 0) ||
	    tgpl_buf_puts(b, "{\"commit\":") < 0 || put_json_or_null(b, c->commit_id) < 0 ||
	    tgpl_buf_puts(b, ",\"parent\":") < 0 || put_json_or_null(b, c->parent_id) < 0 ||
	    tgpl_buf_printf(b, ",\"date\":\"%s\",\"time\":%lld,\"author\":", date,
			    (long long)c->author_time) < 0 ||
	    put_json_or_null(b, c->author) < 0 ||
	    tgpl_buf_puts(b, ",\"summary\":") < 0 || put_json_or_null(b, c->summary) < 0 ||
	    tgpl_buf_puts(b, ",\"from\":{\"declared\":") < 0 ||
	    put_json_or_null(b, c->parent_id ? c->from_declared : NULL) < 0 ||
	    tgpl_buf_puts(b, ",\"clauses\":") < 0 ||
	    put_json_list(b, c->parent_id ? c->from_clauses : NULL) < 0 ||
	    tgpl_buf_puts(b, "},\"to\":{\"declared\":") < 0 || put_json_or_null(b, c->declared) < 0 ||
	    tgpl_buf_puts(b, ",\"clauses\":") < 0 || put_json_list(b, c->clauses) < 0 ||
	    tgpl_buf_puts(b, "},\"files\":") < 0 || put_files(b, c->files, 1) < 0 ||
	    tgpl_buf_putc(b, '}') < 0)
		return -1;
	return 0;
}

/* Close the previous repository's block. */
static int end_repo(timeline *t)
{
	if (!t->have_repo)
		return 0;
	return t->format == TGPL_TIMELINE_JSON ? tgpl_buf_puts(t->b, "]}\n") : 0;
}

static int on_change(const store_change *c, void *payload)
{
	timeline *t = payload;
	int first = 0;

	if (!t->have_repo || t->repo.len != c->repo_path_len ||
	    memcmp(t->repo.ptr, c->repo_path, c->repo_path_len) != 0) {
		if (end_repo(t) < 0)
			goto oom;
		first = 1;
		tgpl_buf_clear(&t->repo);
		if (tgpl_buf_put(&t->repo, c->repo_path, c->repo_path_len) < 0)
			goto oom;
		if (t->format == TGPL_TIMELINE_JSON) {
			if (tgpl_buf_puts(t->b, "{\"repository\":") < 0 ||
			    tgpl_buf_put_json_string(t->b, c->repo_path, c->repo_path_len) < 0 ||
			    tgpl_buf_puts(t->b, ",\"changes\":[") < 0)
				goto oom;
		} else if ((t->have_repo && tgpl_buf_putc(t->b, '\n') < 0) ||
			   put_text(t->b, c->repo_path, c->repo_path_len) < 0 ||
			   tgpl_buf_putc(t->b, '\n') < 0) {
			goto oom;
		}
		t->have_repo = 1;
	}
	if ((t->format == TGPL_TIMELINE_JSON ? json_change(t, c, first) : text_change(t, c)) < 0)
		goto oom;
	return 0;
oom:
	t->rc = tgpl_error(t->ctx, TGPL_ENOMEM, "out of memory");
	return t->rc;
}

int tgpl_report_timeline(char **out, tgpl_ctx *ctx, tgpl_db *db, const char *repo_path,
			 tgpl_timeline_format format)
{
	tgpl_buf b = TGPL_BUF_INIT;
	timeline t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.b = &b;
	t.format = format;
	if ((rc = store_history_present(db, repo_path)) < 0)
		goto done;
	if (rc == 0) {
		rc = repo_path
			? tgpl_error(ctx, TGPL_ENOTFOUND, "database '%s' holds no licence history of '%s' "
				     "(run 'tgpl scan --history' on it first)", db->path, repo_path)
			: tgpl_error(ctx, TGPL_ENOTFOUND, "database '%s' holds no licence history "
				     "(run 'tgpl scan --history' first)", db->path);
		goto done;
	}
	if ((rc = store_history_changes(db, repo_path, on_change, &t)) < 0)
		goto done;
	if (end_repo(&t) < 0 || tgpl_buf_putc(&b, '\0') < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	b.len--;
	*out = tgpl_buf_detach(&b);
	rc = 0;
done:
	tgpl_buf_release(&b);
	tgpl_buf_release(&t.repo);
	return rc;
}
