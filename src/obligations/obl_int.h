/*
 * obl_int.h — what the files of src/obligations/ share: the licence
 * knowledge of the obligation model (categories, the obligations each
 * triggers), the policy's insides, and the small SPDX expression reader
 * used to choose between the alternatives of an OR.
 */
#ifndef TGPL_OBL_INT_H
#define TGPL_OBL_INT_H

#include "tgpl/obligations.h"

/* ---- categories, conflicts --------------------------------------------- */

enum {
	OBL_CAT_PUBLIC_DOMAIN,
	OBL_CAT_PERMISSIVE,
	OBL_CAT_DATA,
	OBL_CAT_WEAK_COPYLEFT,
	OBL_CAT_COPYLEFT,
	OBL_CAT_NETWORK_COPYLEFT,
	OBL_CAT_SHARE_ALIKE,
	OBL_CAT_NON_COMMERCIAL,
	OBL_CAT_NO_DERIVATIVES,
	OBL_CAT_USE_RESTRICTIONS,
	OBL_CAT_SOURCE_AVAILABLE,
	OBL_CAT_TRAINING_COPYLEFT,
	OBL_CAT__COUNT
};

/* The category's name ("weak-copyleft"), or NULL; and back (-1 if unknown). */
const char *obl_category_name(int cat);
int obl_category_from_name(const char *name);

enum {
	OBL_CONFLICT_NON_COMMERCIAL,    /* weight-release+non-commercial */
	OBL_CONFLICT_NO_DERIVATIVES,    /* weight-release+no-derivatives */
	OBL_CONFLICT_USE_RESTRICTIONS,  /* weight-release+use-restrictions */
	OBL_CONFLICT_RESTRICTED,        /* weight-release+restricted */
	OBL_CONFLICT_RIDER,             /* rider-further-restrictions */
	OBL_CONFLICT__COUNT
};

const char *obl_conflict_name(int kind);
int obl_conflict_from_name(const char *name);

/* A set of obligations, one bit per tgpl_obligation_id. */
typedef unsigned int obl_mask;
#define OBL_BIT(id) (1u << (unsigned int)(id))

/* ---- licence knowledge -------------------------------------------------- */

typedef struct obl_knowledge obl_knowledge;

/*
 * Read categories.tsv, obligations.tsv and (if present) ai-licenses.tsv and
 * exceptions.tsv from `datadir` (NULL: $TGPL_DATADIR, then the installed
 * directory), over a built-in table of the AI licence ids.  Caller frees
 * with obl_knowledge_free().
 */
int obl_knowledge_load(obl_knowledge **out, tgpl_ctx *ctx, const char *datadir);
void obl_knowledge_free(obl_knowledge *k);

/* What the model knows of one id. */
typedef struct {
	const char *id;     /* canonical case */
	int category;       /* OBL_CAT_*, or -1 for an addition (AdditionRef-TGPL-1.0) */
	obl_mask obligations;
} obl_license;

/* Look an id up, case-insensitively; NULL if the model does not know it. */
const obl_license *obl_knowledge_license(const obl_knowledge *k, const char *id);
/* Is this an SPDX exception id (exceptions.tsv) or an AdditionRef- the model
 * does not know?  Such ids trigger nothing by themselves. */
int obl_knowledge_is_exception(const obl_knowledge *k, const char *id);

/* Licences that forbid further restrictions (a TGPL rider on them is weak):
 * the sentence that says why, or NULL. */
const char *obl_rider_weakness(const char *base_id);

/* Linking exceptions that make a copyleft licence weak copyleft. */
int obl_exception_weakens(const char *exception_id);

/* The data directory (datadir, else $TGPL_DATADIR, else the installed one). */
const char *obl_datadir(const char *datadir);

/* ---- policy -------------------------------------------------------------- */

typedef struct {
	char *id;
	char *rule;          /* "licenses.<id>" */
	tgpl_action action;
} obl_license_rule;

struct tgpl_policy {
	char *name;
	char *description;
	signed char def;                         /* -1: unset (review) */
	signed char obligations[TGPL_OBL__COUNT];
	signed char categories[OBL_CAT__COUNT];
	signed char conflicts[OBL_CONFLICT__COUNT];
	obl_license_rule *licenses;              /* sorted by id, case-insensitively */
	size_t n_licenses, cap_licenses;
};

/*
 * The action for one piece of evidence: obligation `obl`, triggered by
 * licence `license` (or NULL) of category `cat` (or -1).  *rule gets the
 * name of the deciding rule: borrowed from the policy or static.
 */
tgpl_action obl_policy_action(const tgpl_policy *p, tgpl_obligation_id obl,
			      const char *license, int cat, const char **rule);
/* A conflict's action; *rule as above. */
tgpl_action obl_policy_conflict(const tgpl_policy *p, int kind, const char **rule);

/* ---- SPDX expressions ---------------------------------------------------- */

#define OBL_EXPR_MAX_LEAVES 64
#define OBL_EXPR_MAX_LEN    4096

/* A parsed expression: leaves (licence id and optional WITH exception) and
 * a tree of AND/OR nodes over them. */
typedef struct obl_expr obl_expr;

/* Parse; TGPL_EINVAL for malformed or over the caps, TGPL_ENOMEM. */
int obl_expr_parse(obl_expr **out, const char *s);
void obl_expr_free(obl_expr *x);
size_t obl_expr_leaves(const obl_expr *x);
const char *obl_expr_leaf_id(const obl_expr *x, size_t i);
const char *obl_expr_leaf_exception(const obl_expr *x, size_t i); /* or NULL */
int obl_expr_has_or(const obl_expr *x);

/*
 * Choose one alternative of every OR.  `cost` rates a leaf; an AND costs
 * the worst of its parts' `worst` and the sum of their `sum`; an OR takes
 * its cheaper side (lower worst, then lower sum; the left one on a tie).
 * Returns the chosen leaves as a bit mask (bit i: leaf i).
 */
typedef struct {
	int worst;      /* e.g. the worst policy action */
	int sum;        /* e.g. the number of obligations */
} obl_cost;
typedef obl_cost (*obl_leaf_cost)(const char *id, const char *exception, void *payload);
uint64_t obl_expr_choose(const obl_expr *x, obl_leaf_cost cost, void *payload);

/* ---- small helpers ------------------------------------------------------- */

/* An arena of strings freed at once. */
typedef struct obl_arena_block obl_arena_block;
typedef struct {
	obl_arena_block *head;
} obl_arena;

char *obl_arena_strdup(obl_arena *a, const char *s);
char *obl_arena_strndup(obl_arena *a, const char *s, size_t n);
void *obl_arena_alloc(obl_arena *a, size_t n);
void obl_arena_release(obl_arena *a);

#endif
