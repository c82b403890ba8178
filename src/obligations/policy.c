/*
 * policy.c — policy files: allow / review / deny per obligation, licence
 * category, licence id and conflict (format: man/tgpl-obligations.1,
 * POLICY FILES), read with inih.
 *
 * inih reads the text line by line through our reader, which counts lines
 * (so every error names file:line), strips leading white space (so indented
 * keys are keys, never continuation lines), and refuses lines longer than
 * inih's buffer instead of letting it split them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "obligations/obl_int.h"
#include "util/util.h"

#define POLICY_MAX_BYTES   ((size_t)1 << 20)
#define POLICY_MAX_LICENSE 10000
#define POLICY_NAME_MAX    128
#define POLICY_DESC_MAX    1024

/* The built-in policy: only attribution and the notice-only licences pass unasked. */
static const char default_policy[] =
	"[policy]\n"
	"name = default\n"
	"description = built-in: attribution and permissive or public-domain licences allowed, "
	"everything else reviewed\n"
	"default = review\n"
	"[obligations]\n"
	"attribution = allow\n"
	"[categories]\n"
	"permissive = allow\n"
	"public-domain = allow\n";

enum { SEC_NONE, SEC_POLICY, SEC_OBLIGATIONS, SEC_CATEGORIES, SEC_LICENSES, SEC_CONFLICTS,
       SEC_CHECK };

typedef struct {
	const char *text;
	size_t len, pos;
	int line;              /* lines handed to inih so far */
	int long_line;         /* the line that was too long, or 0 */
	int max_line;          /* the longest line inih takes */
	const char *file;
	tgpl_policy *p;
	int err_line;          /* first semantic error */
	char err[512];
	int oom;
	char section[64];      /* last section seen, to tell repeats */
	unsigned int seen_sections;
	unsigned char seen_policy_keys;
} parse_state;

static int section_id(const char *name);
static int fail(parse_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A section header: unknown names fail here, on their own line, even when
 * no key follows them. */
static void check_header(parse_state *s, const char *line, size_t n)
{
	const char *close = memchr(line, ']', n);
	char name[64];
	size_t len;

	if (!close)
		return;
	len = (size_t)(close - line - 1);
	if (len >= sizeof(name)) {
		fail(s, "unknown section (expected policy, obligations, categories, licenses or "
		     "conflicts)");
		return;
	}
	memcpy(name, line + 1, len);
	name[len] = '\0';
	if (section_id(name) < 0)
		fail(s, "unknown section [%s] (expected policy, obligations, categories, licenses "
		     "or conflicts)", name);
}

static char *reader(char *str, int num, void *stream)
{
	parse_state *s = stream;
	size_t start, end, n;

	if (s->pos >= s->len || num < 2)
		return NULL;
	start = s->pos;
	end = start;
	while (end < s->len && s->text[end] != '\n')
		end++;
	s->pos = end < s->len ? end + 1 : end;
	s->line++;
	while (start < end && (s->text[start] == ' ' || s->text[start] == '\t'))
		start++;
	n = end - start;
	if (n && s->text[end - 1] == '\r')
		n--;
	s->max_line = num - 1;
	if (n > (size_t)num - 1) {
		/* Hand inih a line it cannot parse; the message says why. */
		if (!s->long_line)
			s->long_line = s->line;
		memcpy(str, "[", 2);
		return str;
	}
	if (memchr(s->text + start, '\0', n)) {
		if (!s->long_line)
			s->long_line = -s->line;
		memcpy(str, "[", 2);
		return str;
	}
	memcpy(str, s->text + start, n);
	str[n] = '\0';
	if (n && str[0] == '[')
		check_header(s, str, n);
	return str;
}

static int fail(parse_state *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->err_line) {
		s->err_line = s->line;
		va_start(ap, fmt);
		vsnprintf(s->err, sizeof(s->err), fmt, ap);
		va_end(ap);
	}
	return 0;
}

/* An action, bare or in double quotes, with an optional "# comment" after it. */
static int parse_action(const char *v)
{
	char buf[16];
	size_t n = strcspn(v, "#");

	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	v = buf;
	if (strcmp(v, "allow") == 0)
		return TGPL_ACTION_ALLOW;
	if (strcmp(v, "review") == 0)
		return TGPL_ACTION_REVIEW;
	if (strcmp(v, "deny") == 0)
		return TGPL_ACTION_DENY;
	return -1;
}

static int section_id(const char *name)
{
	static const char *const names[] = { "policy", "obligations", "categories", "licenses",
					     "conflicts", "check" };
	int i;

	for (i = 0; i < 6; i++)
		if (strcmp(names[i], name) == 0)
			return SEC_POLICY + i;
	return -1;
}

static int valid_license_key(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > 128)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '+' || c == ':'))
			return 0;
	}
	return 1;
}

static int license_rule_cmp(const void *a, const void *b)
{
	return tgpl_strcasecmp(((const obl_license_rule *)a)->id, ((const obl_license_rule *)b)->id);
}

static int add_license_rule(parse_state *s, const char *id, int action)
{
	tgpl_policy *p = s->p;
	obl_license_rule *r;
	size_t i;
	tgpl_buf rule = TGPL_BUF_INIT;

	for (i = 0; i < p->n_licenses; i++)
		if (tgpl_strcasecmp(p->licenses[i].id, id) == 0)
			return fail(s, "licence '%s' given twice", id);
	if (p->n_licenses >= POLICY_MAX_LICENSE)
		return fail(s, "more than %d licence rules", POLICY_MAX_LICENSE);
	if (tgpl_grow((void **)&p->licenses, &p->cap_licenses, p->n_licenses + 1,
		      sizeof(*p->licenses)) < 0 || tgpl_buf_printf(&rule, "licenses.%s", id) < 0) {
		s->oom = 1;
		tgpl_buf_release(&rule);
		return 0;
	}
	r = &p->licenses[p->n_licenses];
	r->action = (tgpl_action)action;
	r->rule = tgpl_buf_detach(&rule);
	r->id = tgpl_strdup(id);
	if (!r->rule || !r->id) {
		free(r->rule);
		free(r->id);
		s->oom = 1;
		return 0;
	}
	p->n_licenses++;
	return 1;
}

static int set_once(parse_state *s, signed char *slot, int action, const char *what,
		    const char *name)
{
	if (*slot >= 0)
		return fail(s, "%s '%s' given twice", what, name);
	*slot = (signed char)action;
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	parse_state *s = user;
	tgpl_policy *p = s->p;
	int sec, action, i;

	if (s->oom)
		return 0;
	if (!name) /* a section header alone (inih's INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	if (!section[0])
		return fail(s, "'%s' outside a section: start with [policy]", name);
	if ((sec = section_id(section)) < 0)
		return fail(s, "unknown section [%s] (expected policy, obligations, categories, "
			    "licenses or conflicts)", section);
	if (sec == SEC_CHECK) /* tgpl check's table: its own parser reads it */
		return 1;
	if (!value[0])
		return fail(s, "'%s' has no value", name);
	if (sec == SEC_POLICY) {
		if (strcmp(name, "name") == 0 || strcmp(name, "description") == 0) {
			char **slot = name[0] == 'n' ? &p->name : &p->description;
			size_t max = name[0] == 'n' ? POLICY_NAME_MAX : POLICY_DESC_MAX;

			if (*slot)
				return fail(s, "'%s' given twice", name);
			if (strlen(value) > max)
				return fail(s, "'%s' is longer than %zu bytes", name, max);
			if (!tgpl_utf8_valid(value, strlen(value)))
				return fail(s, "'%s' is not valid UTF-8", name);
			if (!(*slot = tgpl_strdup(value)))
				s->oom = 1;
			return !s->oom;
		}
		if (strcmp(name, "default") == 0) {
			if ((action = parse_action(value)) < 0)
				return fail(s, "default: '%s' is not allow, review or deny", value);
			return set_once(s, &p->def, action, "key", "default");
		}
		return fail(s, "unknown key '%s' in [policy] (expected name, description, default)",
			    name);
	}
	if ((action = parse_action(value)) < 0)
		return fail(s, "%s: '%s' is not allow, review or deny", name, value);
	switch (sec) {
	case SEC_OBLIGATIONS:
		if ((i = tgpl_obligation_from_name(name)) < 0)
			return fail(s, "unknown obligation '%s'", name);
		return set_once(s, &p->obligations[i], action, "obligation", name);
	case SEC_CATEGORIES:
		if ((i = obl_category_from_name(name)) < 0)
			return fail(s, "unknown licence category '%s'", name);
		return set_once(s, &p->categories[i], action, "category", name);
	case SEC_CONFLICTS:
		if ((i = obl_conflict_from_name(name)) < 0)
			return fail(s, "unknown conflict '%s'", name);
		return set_once(s, &p->conflicts[i], action, "conflict", name);
	default:
		if (!valid_license_key(name))
			return fail(s, "'%s' is not a licence id", name);
		return add_license_rule(s, name, action);
	}
}

static tgpl_policy *policy_new(void)
{
	tgpl_policy *p = tgpl_calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->def = -1;
	memset(p->obligations, -1, sizeof(p->obligations));
	memset(p->categories, -1, sizeof(p->categories));
	memset(p->conflicts, -1, sizeof(p->conflicts));
	return p;
}

/* "dir/permissive-only.ini" -> "permissive-only" */
static char *base_name(const char *file)
{
	const char *b = strrchr(file, '/');
	size_t n;

	b = b ? b + 1 : file;
	n = strlen(b);
	if (n > 4 && strcmp(b + n - 4, ".ini") == 0)
		n -= 4;
	if (n > POLICY_NAME_MAX)
		n = POLICY_NAME_MAX;
	return tgpl_strndup(b, n);
}

int tgpl_policy_parse(tgpl_policy **out, tgpl_ctx *ctx, const char *name, const char *text,
		      size_t len)
{
	parse_state s;
	tgpl_policy *p = NULL;
	int rc, line;

	if (!out || (!text && len))
		return tgpl_error(ctx, TGPL_EINVAL, "tgpl_policy_parse: bad arguments");
	if (!name)
		name = "(policy)";
	if (len > POLICY_MAX_BYTES)
		return tgpl_error(ctx, TGPL_ETOOBIG, "%s: larger than %zu bytes", name,
				  POLICY_MAX_BYTES);
	if (!(p = policy_new()))
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	memset(&s, 0, sizeof(s));
	s.text = text ? text : "";
	s.len = len;
	s.file = name;
	s.p = p;
	line = ini_parse_stream(reader, &s, handler, &s);
	if (s.oom) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if (line < 0) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	if (line > 0 || s.err_line || s.long_line) {
		/* The first problem wins: a syntax error inih saw, a line too long
		 * (or with a NUL) that our reader saw, or a rule our handler refused. */
		int long_line = s.long_line < 0 ? -s.long_line : s.long_line;
		int first = line > 0 ? line : INT_MAX;

		if (long_line && long_line <= first && (!s.err_line || long_line <= s.err_line)) {
			if (s.long_line > 0)
				rc = tgpl_error(ctx, TGPL_EINVAL, "%s:%d: line longer than %d bytes", name,
						long_line, s.max_line);
			else
				rc = tgpl_error(ctx, TGPL_EINVAL, "%s:%d: NUL byte in the line", name,
						long_line);
		} else if (s.err_line && s.err_line <= first) {
			rc = tgpl_error(ctx, TGPL_EINVAL, "%s:%d: %s", name, s.err_line, s.err);
		} else {
			rc = tgpl_error(ctx, TGPL_EINVAL, "%s:%d: expected '[section]' or "
					"'key = value'", name, line);
		}
		goto done;
	}
	if (!p->name && !(p->name = base_name(name))) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	if (p->n_licenses)
		qsort(p->licenses, p->n_licenses, sizeof(*p->licenses), license_rule_cmp);
	*out = p;
	p = NULL;
	rc = 0;
done:
	tgpl_policy_free(p);
	return rc;
}

int tgpl_policy_load(tgpl_policy **out, tgpl_ctx *ctx, const char *path)
{
	FILE *f = NULL;
	tgpl_buf b = TGPL_BUF_INIT;
	char chunk[8192];
	size_t n;
	int rc;

	if (!out || !path)
		return tgpl_error(ctx, TGPL_EINVAL, "tgpl_policy_load: bad arguments");
	if (!(f = fopen(path, "rb"))) {
		rc = tgpl_error(ctx, errno == ENOENT ? TGPL_ENOTFOUND : TGPL_EIO,
				"cannot open policy '%s': %s", path, strerror(errno));
		goto done;
	}
	b.max = POLICY_MAX_BYTES + 1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > POLICY_MAX_BYTES) {
			rc = tgpl_error(ctx, TGPL_ETOOBIG, "%s: larger than %zu bytes", path,
					POLICY_MAX_BYTES);
			goto done;
		}
		if (tgpl_buf_put(&b, chunk, n) < 0) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (ferror(f)) {
		rc = tgpl_error(ctx, TGPL_EIO, "cannot read policy '%s': %s", path, strerror(errno));
		goto done;
	}
	rc = tgpl_policy_parse(out, ctx, path, b.ptr ? b.ptr : "", b.len);
done:
	if (f)
		fclose(f);
	tgpl_buf_release(&b);
	return rc;
}

int tgpl_policy_load_shipped(tgpl_policy **out, tgpl_ctx *ctx, const char *datadir,
			     const char *name)
{
	tgpl_buf path = TGPL_BUF_INIT;
	size_t i;
	int rc;

	if (!out || !name || !name[0] || strlen(name) > POLICY_NAME_MAX)
		return tgpl_error(ctx, TGPL_EINVAL, "'%s' is not a policy name",
				  name ? name : "(null)");
	for (i = 0; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			return tgpl_error(ctx, TGPL_EINVAL, "'%s' is not a policy name", name);
	if (tgpl_buf_printf(&path, "%s/policies/%s.ini", obl_datadir(datadir), name) < 0)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	rc = tgpl_policy_load(out, ctx, path.ptr);
	if (rc == TGPL_ENOTFOUND)
		rc = tgpl_error(ctx, rc, "no shipped policy '%s' (looked for '%s')", name, path.ptr);
	tgpl_buf_release(&path);
	return rc;
}

int tgpl_policy_default(tgpl_policy **out, tgpl_ctx *ctx)
{
	return tgpl_policy_parse(out, ctx, "(built-in policy)", default_policy,
				 sizeof(default_policy) - 1);
}

void tgpl_policy_free(tgpl_policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_licenses; i++) {
		free(p->licenses[i].id);
		free(p->licenses[i].rule);
	}
	free(p->licenses);
	free(p->name);
	free(p->description);
	free(p);
}

const char *tgpl_policy_name(const tgpl_policy *p)
{
	return p ? p->name : NULL;
}

/* ---- evaluation --------------------------------------------------------- */

static const char *const obligation_rules[TGPL_OBL__COUNT] = {
	"obligations.weight-release", "obligations.data-provenance",
	"obligations.finetune-inheritance", "obligations.network-use", "obligations.attribution",
	"obligations.source-copyleft", "obligations.share-alike", "obligations.non-commercial",
	"obligations.no-derivatives", "obligations.use-restrictions",
	"obligations.training-prohibited", "obligations.no-license", "obligations.unknown-license"
};

static const char *const category_rules[OBL_CAT__COUNT] = {
	"categories.public-domain", "categories.permissive", "categories.data",
	"categories.weak-copyleft", "categories.copyleft", "categories.network-copyleft",
	"categories.share-alike", "categories.non-commercial", "categories.no-derivatives",
	"categories.use-restrictions", "categories.source-available", "categories.training-copyleft"
};

static const char *const conflict_rules[OBL_CONFLICT__COUNT] = {
	"conflicts.weight-release+non-commercial", "conflicts.weight-release+no-derivatives",
	"conflicts.weight-release+use-restrictions", "conflicts.weight-release+restricted",
	"conflicts.rider-further-restrictions"
};

static int rule_key_cmp(const void *key, const void *elt)
{
	return tgpl_strcasecmp(key, ((const obl_license_rule *)elt)->id);
}

tgpl_action obl_policy_action(const tgpl_policy *p, tgpl_obligation_id obl,
			      const char *license, int cat, const char **rule)
{
	const obl_license_rule *lr = NULL;
	int by_cat = -1, by_obl = -1;

	if (license && p->n_licenses)
		lr = bsearch(license, p->licenses, p->n_licenses, sizeof(*p->licenses),
			     rule_key_cmp);
	if (lr) {
		*rule = lr->rule;
		return lr->action;
	}
	if (cat >= 0 && cat < OBL_CAT__COUNT)
		by_cat = p->categories[cat];
	if ((unsigned int)obl < TGPL_OBL__COUNT)
		by_obl = p->obligations[obl];
	if (by_cat >= 0 && by_cat > by_obl) {
		*rule = category_rules[cat];
		return (tgpl_action)by_cat;
	}
	if (by_obl >= 0) {
		*rule = obligation_rules[obl];
		return (tgpl_action)by_obl;
	}
	*rule = "policy.default";
	return p->def >= 0 ? (tgpl_action)p->def : TGPL_ACTION_REVIEW;
}

tgpl_action obl_policy_conflict(const tgpl_policy *p, int kind, const char **rule)
{
	if (kind >= 0 && kind < OBL_CONFLICT__COUNT && p->conflicts[kind] >= 0) {
		*rule = conflict_rules[kind];
		return (tgpl_action)p->conflicts[kind];
	}
	*rule = "review by default";
	return TGPL_ACTION_REVIEW;
}
