/*
 * model.c — the names of the obligation model (DESIGN.md §4): obligations
 * and what each asks, actions, verdicts, categories, conflicts; the
 * licences a TGPL rider cannot bind; SWHID qualifier escaping; the string
 * arena the result is built in.
 */
#include <stdlib.h>
#include <string.h>

#include "obligations/obl_int.h"
#include "util/util.h"

static const struct {
	const char *name;
	const char *meaning;
} obligations[TGPL_OBL__COUNT] = {
	{ "weight-release",
	  "A model trained on the work must release its weights under a compatible copyleft licence." },
	{ "data-provenance",
	  "Whoever trains on the work must publish a record of the training data and its sources "
	  "(repository, revision, path or SWHID, licence)." },
	{ "finetune-inheritance",
	  "Models fine-tuned or otherwise derived from a model trained on the work carry the same "
	  "obligations." },
	{ "network-use",
	  "Offering a model trained on the work over a network or an API counts as distributing it." },
	{ "attribution",
	  "The copyright and licence notices of the work must be kept and passed on (tgpl can "
	  "produce the NOTICE bundle)." },
	{ "source-copyleft",
	  "A copyleft licence covers the work; whether it reaches a model's weights is unsettled, "
	  "so a person should review it." },
	{ "share-alike",
	  "Material adapted from the work must be shared under the same or a compatible "
	  "share-alike licence." },
	{ "non-commercial",
	  "The work may not be used for commercial purposes." },
	{ "no-derivatives",
	  "Material adapted from the work may not be shared." },
	{ "use-restrictions",
	  "The licence restricts how the work, and models made from it, may be used, and the "
	  "restrictions must be passed on to every user." },
	{ "training-prohibited",
	  "The author has opted out: the work may not be used as training data." },
	{ "no-license",
	  "The repository carries no licence at all, so all rights are reserved." },
	{ "unknown-license",
	  "Licence-like text or a licence id matched no licence tgpl knows, so its terms are "
	  "unknown." },
};

const char *tgpl_obligation_name(tgpl_obligation_id id)
{
	return (unsigned int)id < TGPL_OBL__COUNT ? obligations[id].name : NULL;
}

const char *tgpl_obligation_meaning(tgpl_obligation_id id)
{
	return (unsigned int)id < TGPL_OBL__COUNT ? obligations[id].meaning : NULL;
}

int tgpl_obligation_from_name(const char *name)
{
	int i;

	if (!name)
		return -1;
	for (i = 0; i < TGPL_OBL__COUNT; i++)
		if (strcmp(obligations[i].name, name) == 0)
			return i;
	return -1;
}

const char *tgpl_action_name(tgpl_action action)
{
	static const char *const names[] = { "allow", "review", "deny" };
	return (unsigned int)action < 3 ? names[action] : NULL;
}

const char *tgpl_verdict_name(tgpl_verdict verdict)
{
	static const char *const names[] = { "include", "include-with-obligations", "review",
					     "exclude" };
	return (unsigned int)verdict < 4 ? names[verdict] : NULL;
}

const char *tgpl_evidence_kind_name(tgpl_evidence_kind kind)
{
	static const char *const names[] = { "license", "clause", "optout", "concluded",
					     "declared", "absent", "inherited" };
	return (unsigned int)kind < 7 ? names[kind] : NULL;
}

static const char *const categories[OBL_CAT__COUNT] = {
	"public-domain", "permissive", "data", "weak-copyleft", "copyleft", "network-copyleft",
	"share-alike", "non-commercial", "no-derivatives", "use-restrictions", "source-available",
	"training-copyleft"
};

const char *obl_category_name(int cat)
{
	return cat >= 0 && cat < OBL_CAT__COUNT ? categories[cat] : NULL;
}

int obl_category_from_name(const char *name)
{
	int i;

	for (i = 0; i < OBL_CAT__COUNT; i++)
		if (strcmp(categories[i], name) == 0)
			return i;
	return -1;
}

static const char *const conflicts[OBL_CONFLICT__COUNT] = {
	"weight-release+non-commercial", "weight-release+no-derivatives",
	"weight-release+use-restrictions", "weight-release+restricted",
	"rider-further-restrictions"
};

const char *obl_conflict_name(int kind)
{
	return kind >= 0 && kind < OBL_CONFLICT__COUNT ? conflicts[kind] : NULL;
}

int obl_conflict_from_name(const char *name)
{
	int i;

	for (i = 0; i < OBL_CONFLICT__COUNT; i++)
		if (strcmp(conflicts[i], name) == 0)
			return i;
	return -1;
}

/*
 * Base licences that a TGPL rider cannot bind.  GPL-2.0 §6 and LGPL-2.x
 * §10 forbid "any further restrictions"; GPL-3.0 §7 (which LGPL-3.0 and
 * AGPL-3.0 share) lets a recipient remove them.  Prefix match on the id.
 */
static const struct {
	const char *prefix;
	const char *sentence;
} rider_weak[] = {
	{ "GPL-2.0", "GPL-2.0 §6 forbids imposing further restrictions on recipients, so a TGPL "
		     "rider on it may be void and its training conditions unenforceable." },
	{ "GPL-1.0", "GPL-1.0 §5 forbids imposing further restrictions on recipients, so a TGPL "
		     "rider on it may be void and its training conditions unenforceable." },
	{ "LGPL-2.", "LGPL-2.x §10 forbids imposing further restrictions on recipients, so a TGPL "
		     "rider on it may be void and its training conditions unenforceable." },
	{ "GPL-3.0", "GPL-3.0 §7 lets recipients remove further restrictions, so anyone may strip "
		     "the TGPL rider and its training conditions from the work." },
	{ "LGPL-3.0", "LGPL-3.0 takes GPL-3.0 §7, which lets recipients remove further "
		      "restrictions, so anyone may strip the TGPL rider from the work." },
	{ "AGPL-3.0", "AGPL-3.0 §7 lets recipients remove further restrictions, so anyone may "
		      "strip the TGPL rider and its training conditions from the work." },
};

const char *obl_rider_weakness(const char *base)
{
	size_t i;

	if (!base)
		return NULL;
	for (i = 0; i < sizeof(rider_weak) / sizeof(rider_weak[0]); i++)
		if (strncmp(base, rider_weak[i].prefix, strlen(rider_weak[i].prefix)) == 0)
			return rider_weak[i].sentence;
	return NULL;
}

/* Exceptions that let code link to or embed the licensed work without the
 * copyleft reaching it: the licence counts as weak copyleft with them. */
static const char *const weakening[] = {
	"Classpath-exception-2.0", "GCC-exception-2.0", "GCC-exception-2.0-note",
	"GCC-exception-3.1", "LGPL-3.0-linking-exception", "GPL-3.0-linking-exception",
	"GPL-3.0-linking-source-exception", "OCaml-LGPL-linking-exception",
	"Universal-FOSS-exception-1.0", "WxWindows-exception-3.1", "eCos-exception-2.0",
	"FLTK-exception", "Font-exception-2.0", "Libtool-exception", "mif-exception",
	"u-boot-exception-2.0", "Bootloader-exception", "erlang-otp-linking-exception",
	"GNAT-exception", "GNU-compiler-exception", "Qt-LGPL-exception-1.1", "SWI-exception",
	"i2p-gpl-java-exception", "gnu-javamail-exception", "OpenJDK-assembly-exception-1.0",
	"Linux-syscall-note", "KiCad-libraries-exception", "GStreamer-exception-2005",
	"GStreamer-exception-2008", "Texinfo-exception", "Autoconf-exception-generic"
};

int obl_exception_weakens(const char *id)
{
	size_t i;

	if (!id)
		return 0;
	for (i = 0; i < sizeof(weakening) / sizeof(weakening[0]); i++)
		if (tgpl_strcasecmp(weakening[i], id) == 0)
			return 1;
	return 0;
}

const char *obl_datadir(const char *datadir)
{
	const char *env;

	if (datadir)
		return datadir;
	env = getenv("TGPL_DATADIR");
	return env && *env ? env : TGPL_DATADIR;
}

int tgpl_swhid_qualifier_escape(char **out, const char *value, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	tgpl_buf b = TGPL_BUF_INIT;
	size_t i;

	if (!out || (!value && len))
		return TGPL_EINVAL;
	if (!len)
		return (*out = tgpl_strdup("")) ? 0 : TGPL_ENOMEM;
	if (tgpl_buf_grow(&b, len + 1) < 0)
		return TGPL_ENOMEM;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		int rc;

		if (c <= 0x20 || c >= 0x7f || c == ';' || c == '%') {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			rc = tgpl_buf_put(&b, esc, 3);
		} else {
			rc = tgpl_buf_putc(&b, (char)c);
		}
		if (rc < 0) {
			tgpl_buf_release(&b);
			return TGPL_ENOMEM;
		}
	}
	*out = tgpl_buf_detach(&b);
	return *out ? 0 : TGPL_ENOMEM;
}

/* ---- arena --------------------------------------------------------------- */

#define ARENA_BLOCK ((size_t)64 << 10)

struct obl_arena_block {
	obl_arena_block *next;
	size_t used, size;
	/* data follows, max_align_t aligned */
};

#define BLOCK_HEADER ((sizeof(obl_arena_block) + 15) & ~(size_t)15)

void *obl_arena_alloc(obl_arena *a, size_t n)
{
	obl_arena_block *b = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	if (need < n)
		return NULL;
	if (!b || b->size - b->used < need) {
		size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;

		if (size > SIZE_MAX - BLOCK_HEADER || !(b = tgpl_malloc(BLOCK_HEADER + size)))
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = a->head;
		a->head = b;
	}
	b->used += need;
	return (char *)b + BLOCK_HEADER + b->used - need;
}

char *obl_arena_strndup(obl_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX || !(p = obl_arena_alloc(a, n + 1)))
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *obl_arena_strdup(obl_arena *a, const char *s)
{
	return obl_arena_strndup(a, s, strlen(s));
}

void obl_arena_release(obl_arena *a)
{
	while (a->head) {
		obl_arena_block *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}
