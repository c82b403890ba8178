/*
 * obl_result.h — the insides of a tgpl_obligations result, shared by the
 * code that computes it (compute.c, inherit.c) and the code that writes it
 * out (output.c).
 */
#ifndef TGPL_OBL_RESULT_H
#define TGPL_OBL_RESULT_H

#include "obligations/obl_int.h"

/* One obligation while it is being collected. */
typedef struct {
	tgpl_evidence *ev;
	size_t n_ev, cap_ev;
	size_t n_omitted;
	size_t *repos;
	size_t n_repos, cap_repos;
	const char **sources;     /* sorted, distinct; arena strings */
	size_t n_sources, cap_sources;
	tgpl_action action;
	int triggered;
} obl_acc;

/* What the verdict of one repository is made of. */
typedef struct {
	obl_mask mask;            /* obligations it triggers */
	int has_action;
	tgpl_action worst;        /* over its evidence */
	tgpl_obligation_id worst_obl;
	const char *worst_source;
	const char *worst_rule;
	int use_restricted;       /* use-restrictions other than source-available */
	int restricted;           /* source-available licence, or no licence */
	size_t per_obl[TGPL_OBL__COUNT]; /* evidence rows kept, against the cap */
	size_t omitted[TGPL_OBL__COUNT]; /* evidence rows over the cap */
} obl_repo_state;

/* A rider on a licence that cannot carry it: one conflict per base licence. */
typedef struct {
	const char *base;         /* arena */
	const char *sentence;     /* static */
	size_t *repos;
	size_t n_repos, cap_repos;
	int inherited;
} obl_rider;

struct tgpl_obligations {
	obl_arena arena;
	const tgpl_policy *policy;         /* borrowed during compute only */
	const obl_knowledge *knowledge;    /* borrowed during compute only */
	size_t max_evidence;

	obl_acc acc[TGPL_OBL__COUNT];
	tgpl_obligation obl[TGPL_OBL__COUNT];
	size_t applied[TGPL_OBL__COUNT];
	size_t n_applied;

	tgpl_repository *repos;
	obl_repo_state *rs;
	size_t n_repos, cap_repos;

	obl_rider *riders;
	size_t n_riders, cap_riders;

	tgpl_conflict *conflicts;
	size_t n_conflicts, cap_conflicts;

	/* inherited obligations (records), for the conflict sides */
	obl_mask inh_mask;
	int inh_use_restricted;
	int inh_restricted;
	const char **records;              /* record files read, arena strings */
	size_t n_records, cap_records;

	char *policy_name;
	tgpl_verdict verdict;
	int denied;
};

/*
 * Add one piece of evidence to obligation `id`: *ev is copied (its strings
 * must already live in the arena or be static), the policy decides its
 * action unless ev->kind is inherited and the caller set it.  `cat` is the
 * category of the licence in ev->source (-1 if none), `license` the licence
 * id the policy's [licenses] rules are matched against (or NULL).
 */
int obl_result_add(tgpl_obligations *r, tgpl_ctx *ctx, tgpl_obligation_id id,
		   const tgpl_evidence *ev, const char *license, int cat);

/* Read the records and add their obligations (inherit.c). */
int obl_inherit(tgpl_obligations *r, tgpl_ctx *ctx, const char *const *files, size_t n);

/* Build the SWHID of a file with its qualifiers, in the arena; NULL on OOM. */
const char *obl_swhid(obl_arena *a, const char *oid, const char *origin, const char *commit,
		      const char *path, uint32_t start, uint32_t end);

#endif
