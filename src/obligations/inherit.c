/*
 * inherit.c — `--inherit RECORD.json`: the obligations of a base model's
 * obligation record (schema tgpl-obligation-record/1, written by output.c)
 * join the corpus's, each piece of evidence pointing at the record and
 * keeping where the base model's obligation came from.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "obligations/obl_result.h"
#include "util/util.h"

#define RECORD_MAX_BYTES ((off_t)64 << 20)
#define RECORD_SCHEMA    "tgpl-obligation-record/1"

static const char *get_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int dup_opt(obl_arena *a, const char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	return (*out = obl_arena_strdup(a, s)) ? 0 : -1;
}

static uint32_t line_of(json_t *v)
{
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
	return n > 0 && n <= (json_int_t)UINT32_MAX ? (uint32_t)n : 0;
}

/* The blob id inside "swh:1:cnt:<40 hex>;..." */
static int oid_of(obl_arena *a, const char **out, const char *swhid)
{
	size_t i;

	*out = NULL;
	if (!swhid || strncmp(swhid, "swh:1:cnt:", 10) != 0)
		return 0;
	for (i = 0; i < 40; i++) {
		char c = swhid[10 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	if (swhid[50] && swhid[50] != ';')
		return 0;
	return (*out = obl_arena_strndup(a, swhid + 10, 40)) ? 0 : -1;
}

static int add_inherited(tgpl_obligations *r, tgpl_ctx *ctx, const char *file, const char *record,
			 tgpl_obligation_id id, json_t *e)
{
	tgpl_evidence ev;
	const obl_license *l;
	json_t *lines;
	const char *nested;

	memset(&ev, 0, sizeof(ev));
	ev.kind = TGPL_EVIDENCE_INHERITED;
	ev.repo = -1;
	ev.record = record;
	if (e) {
		if (!json_is_object(e))
			return tgpl_error(ctx, TGPL_EINVAL, "%s: evidence of '%s' is not an object", file,
					  tgpl_obligation_name(id));
		lines = json_object_get(e, "lines");
		if (json_is_array(lines) && json_array_size(lines) == 2) {
			ev.start_line = line_of(json_array_get(lines, 0));
			ev.end_line = line_of(json_array_get(lines, 1));
		}
		/* Evidence the base model itself inherited names its own record. */
		nested = get_str(e, "record");
		if (dup_opt(&r->arena, &ev.repo_path, get_str(e, "repository")) < 0 ||
		    dup_opt(&r->arena, &ev.origin, get_str(e, "origin")) < 0 ||
		    dup_opt(&r->arena, &ev.commit, get_str(e, "commit")) < 0 ||
		    dup_opt(&r->arena, &ev.path, get_str(e, "path")) < 0 ||
		    dup_opt(&r->arena, &ev.source, get_str(e, "source")) < 0 ||
		    dup_opt(&r->arena, &ev.swhid, get_str(e, "swhid")) < 0 ||
		    dup_opt(&r->arena, &ev.detail, nested ? nested : get_str(e, "kind")) < 0 ||
		    oid_of(&r->arena, &ev.oid, ev.swhid) < 0)
			return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	}
	l = ev.source ? obl_knowledge_license(r->knowledge, ev.source) : NULL;
	return obl_result_add(r, ctx, id, &ev, l ? l->id : NULL, l ? l->category : -1);
}

static int inherit_one(tgpl_obligations *r, tgpl_ctx *ctx, const char *file)
{
	json_error_t err;
	json_t *root = NULL, *obls, *o;
	const char *schema, *record;
	struct stat sb;
	size_t i;
	int rc = 0;

	if (stat(file, &sb) < 0)
		return tgpl_error(ctx, errno == ENOENT ? TGPL_ENOTFOUND : TGPL_EIO,
				  "cannot read record '%s': %s", file, strerror(errno));
	if (sb.st_size > RECORD_MAX_BYTES)
		return tgpl_error(ctx, TGPL_ETOOBIG, "record '%s' is larger than %lld bytes", file,
				  (long long)RECORD_MAX_BYTES);
	if (!(root = json_load_file(file, JSON_REJECT_DUPLICATES, &err))) {
		if (err.line > 0)
			return tgpl_error(ctx, TGPL_EINVAL, "%s:%d: %s", file, err.line, err.text);
		return tgpl_error(ctx, TGPL_EIO, "cannot read record '%s': %s", file, err.text);
	}
	schema = json_is_object(root) ? get_str(root, "schema") : NULL;
	if (!schema || strcmp(schema, RECORD_SCHEMA) != 0) {
		rc = tgpl_error(ctx, TGPL_EINVAL, "'%s' is not a tgpl obligation record "
				"(expected \"schema\": \"%s\")", file, RECORD_SCHEMA);
		goto done;
	}
	obls = json_object_get(root, "obligations");
	if (!json_is_array(obls)) {
		rc = tgpl_error(ctx, TGPL_EINVAL, "%s: \"obligations\" is not an array", file);
		goto done;
	}
	if (!(record = obl_arena_strdup(&r->arena, file)) ||
	    tgpl_grow((void **)&r->records, &r->cap_records, r->n_records + 1,
		      sizeof(*r->records)) < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	r->records[r->n_records++] = record;
	json_array_foreach(obls, i, o) {
		const char *name = json_is_object(o) ? get_str(o, "id") : NULL;
		json_t *evs = json_is_object(o) ? json_object_get(o, "evidence") : NULL, *e;
		size_t j, kept = 0;
		int id;

		if (!name || (id = tgpl_obligation_from_name(name)) < 0) {
			rc = tgpl_error(ctx, TGPL_EINVAL, "%s: obligation %zu: unknown id '%s'", file,
					i + 1, name ? name : "(none)");
			goto done;
		}
		if (!json_is_array(evs) || !json_array_size(evs)) {
			if ((rc = add_inherited(r, ctx, file, record, (tgpl_obligation_id)id, NULL)) < 0)
				goto done;
			continue;
		}
		json_array_foreach(evs, j, e) {
			if (kept >= r->max_evidence) {
				r->acc[id].n_omitted++;
				continue;
			}
			if ((rc = add_inherited(r, ctx, file, record, (tgpl_obligation_id)id, e)) < 0)
				goto done;
			kept++;
		}
	}
done:
	json_decref(root);
	return rc;
}

int obl_inherit(tgpl_obligations *r, tgpl_ctx *ctx, const char *const *files, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if ((rc = inherit_one(r, ctx, files[i])) < 0)
			return rc;
	return 0;
}
