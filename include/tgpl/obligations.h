/*
 * tgpl/obligations.h — what training on the scanned corpus triggers
 * (DESIGN.md §4): obligations with their evidence, conflicts between them,
 * a policy that says allow / review / deny, and a verdict per repository.
 *
 * The model.  For each repository in the database, the latest scanned
 * revision (largest scanned_at, then commit_time, then id) is read:
 *   - clause findings weight-release, data-provenance, finetune-inheritance,
 *     network-use trigger the obligation of the same name; a clause finding
 *     training-prohibited and every opt-out finding trigger
 *     `training-prohibited`;
 *   - every licence id (from licence findings, and from the files' concluded
 *     and the revision's declared expressions where no finding showed it)
 *     has a category (categories.tsv, and ai-licenses.tsv for the AI
 *     licences' LicenseRef- ids, in the data directory) that triggers
 *     obligations (obligations.tsv): public-domain → nothing; permissive,
 *     data → attribution; weak-copyleft, copyleft, network-copyleft →
 *     attribution + source-copyleft; share-alike → attribution +
 *     share-alike; non-commercial → attribution + non-commercial;
 *     no-derivatives → attribution + no-derivatives; use-restrictions and
 *     source-available (BUSL, SSPL, Elastic) → attribution +
 *     use-restrictions; training-copyleft (LicenseRef-TGPL-1.0) →
 *     attribution + the four TGPL obligations.  obligations.tsv also
 *     overrides single licences (0BSD and MIT-0 need no notice;
 *     CC-BY-NC-SA-4.0 is also share-alike) and gives the addition
 *     AdditionRef-TGPL-1.0 the four TGPL obligations.  A copyleft licence
 *     WITH a linking exception (Classpath, GCC runtime, ...) counts as
 *     weak-copyleft;
 *   - an id with no category, NOASSERTION, or a licence finding whose note
 *     says the licence is unknown or unrecognised → `unknown-license`;
 *   - a repository with no declared licence and no file with a concluded
 *     licence → `no-license`.
 * In an expression "A OR B" the alternative whose worst policy action is the
 * mildest is taken (then the one with fewer obligations).
 *
 * Conflicts: `weight-release` together with `non-commercial`,
 * `no-derivatives`, `use-restrictions` (licences other than
 * source-available), or a licence that forbids redistribution — a
 * source-available licence, or none at all (`weight-release+restricted`);
 * and a TGPL rider (AdditionRef-TGPL-1.0, or TGPL clauses in the same file)
 * on a base licence that forbids further restrictions or lets recipients
 * remove them (GPL-2.0 §6, LGPL-2.x §10, GPL-3.0 §7;
 * `rider-further-restrictions`, one per base licence).  Each comes with one
 * sentence that explains it.
 *
 * Everything returned through `const` pointers below is owned by the result
 * object and valid until tgpl_obligations_free().  Strings are UTF-8 or raw
 * path bytes as stored (a repository or file path may hold any byte but NUL).
 */
#ifndef TGPL_OBLIGATIONS_H
#define TGPL_OBLIGATIONS_H

#include "common.h"
#include "db.h"

/* ------------------------------------------------------------------ ids */

/** The obligations of DESIGN.md §4, in report order.  Ids are stable. */
typedef enum {
	TGPL_OBL_WEIGHT_RELEASE,        /**< "weight-release" */
	TGPL_OBL_DATA_PROVENANCE,       /**< "data-provenance" */
	TGPL_OBL_FINETUNE_INHERITANCE,  /**< "finetune-inheritance" */
	TGPL_OBL_NETWORK_USE,           /**< "network-use" */
	TGPL_OBL_ATTRIBUTION,           /**< "attribution" */
	TGPL_OBL_SOURCE_COPYLEFT,       /**< "source-copyleft" */
	TGPL_OBL_SHARE_ALIKE,           /**< "share-alike" */
	TGPL_OBL_NON_COMMERCIAL,        /**< "non-commercial" */
	TGPL_OBL_NO_DERIVATIVES,        /**< "no-derivatives" */
	TGPL_OBL_USE_RESTRICTIONS,      /**< "use-restrictions" */
	TGPL_OBL_TRAINING_PROHIBITED,   /**< "training-prohibited" */
	TGPL_OBL_NO_LICENSE,            /**< "no-license" */
	TGPL_OBL_UNKNOWN_LICENSE,       /**< "unknown-license" */
	TGPL_OBL__COUNT
} tgpl_obligation_id;

/** The obligation's stable name ("weight-release"); NULL if out of range. */
const char *tgpl_obligation_name(tgpl_obligation_id id);
/** What it asks, in one sentence ending with a full stop; NULL if out of range. */
const char *tgpl_obligation_meaning(tgpl_obligation_id id);
/** The id of a name (exact, lower case), or -1 if unknown. */
int tgpl_obligation_from_name(const char *name);

/** What a policy says about an obligation, a licence, a category or a conflict. */
typedef enum {
	TGPL_ACTION_ALLOW,   /**< acceptable (obligations still have to be met) */
	TGPL_ACTION_REVIEW,  /**< a person has to decide */
	TGPL_ACTION_DENY     /**< not acceptable: exit status 1 */
} tgpl_action;

/** "allow", "review", "deny"; NULL if out of range. */
const char *tgpl_action_name(tgpl_action action);

/** The verdict for one repository (and for the corpus). */
typedef enum {
	TGPL_VERDICT_INCLUDE,                   /**< nothing to do */
	TGPL_VERDICT_INCLUDE_WITH_OBLIGATIONS,  /**< allowed, with obligations to meet */
	TGPL_VERDICT_REVIEW,                    /**< something needs a person */
	TGPL_VERDICT_EXCLUDE                    /**< something is denied */
} tgpl_verdict;

/** "include", "include-with-obligations", "review", "exclude"; NULL if out of range. */
const char *tgpl_verdict_name(tgpl_verdict verdict);

/* --------------------------------------------------------------- policy */

/**
 * A policy (format: man/tgpl-obligations.1, POLICY FILES).  An INI file:
 *
 *     [policy]
 *     name = permissive-only
 *     description = ...
 *     default = review          ; anything no rule names
 *     [obligations]
 *     attribution = allow       ; obligation id = allow|review|deny
 *     [categories]
 *     permissive = allow        ; licence category = allow|review|deny
 *     [licenses]
 *     GPL-2.0-only = deny       ; licence id (case-insensitive) = ...
 *     [conflicts]
 *     weight-release+non-commercial = deny
 *
 * Lines are at most 199 bytes; `;` and `#` start comments.
 * The action for one piece of evidence of an obligation: a [licenses] rule
 * for the licence id that triggered it decides alone (an explicit exception);
 * otherwise the [categories] rule for its category and the [obligations]
 * rule for the obligation both apply and the stricter wins; with neither,
 * `default` (itself defaulting to review).  A conflict takes [conflicts],
 * else review.
 */
typedef struct tgpl_policy tgpl_policy;

/**
 * Read a policy file.  Errors (TGPL_EINVAL) name "file:line" and the
 * problem: unknown section, unknown obligation or category, an action other
 * than allow/review/deny, a key given twice, a line that is not `key = value`.
 * TGPL_EIO if unreadable, TGPL_ETOOBIG over 1 MiB.  Caller frees with
 * tgpl_policy_free().
 */
int tgpl_policy_load(tgpl_policy **out, tgpl_ctx *ctx, const char *path);

/**
 * Parse a policy from memory; `name` stands for the file name in messages.
 * Caller frees with tgpl_policy_free().
 */
int tgpl_policy_parse(tgpl_policy **out, tgpl_ctx *ctx, const char *name,
		      const char *text, size_t len);

/** The built-in policy used when none is given (attribution and the
 *  permissive and public-domain categories allowed, everything else review).
 *  Caller frees with tgpl_policy_free(). */
int tgpl_policy_default(tgpl_policy **out, tgpl_ctx *ctx);

/**
 * Load a shipped policy by name ("permissive-only", "tgpl-accepting",
 * "research-only"): <datadir>/policies/<name>.ini, datadir NULL meaning
 * $TGPL_DATADIR, then the installed data directory.  `name` is [a-z0-9-]
 * only (TGPL_EINVAL otherwise; TGPL_ENOTFOUND if there is no such policy).
 * Caller frees with tgpl_policy_free().
 */
int tgpl_policy_load_shipped(tgpl_policy **out, tgpl_ctx *ctx, const char *datadir,
			     const char *name);

void tgpl_policy_free(tgpl_policy *policy);

/** [policy] name (or the file's base name); borrowed from the policy. */
const char *tgpl_policy_name(const tgpl_policy *policy);

/* ------------------------------------------------------- licence model */

/**
 * The licence knowledge of the model on its own (categories.tsv,
 * obligations.tsv, ai-licenses.tsv of the data directory), for writers that
 * need to know, say, which licences require attribution (the NOTICE bundle).
 * Read-only once opened; may be shared by threads.
 */
typedef struct tgpl_license_model tgpl_license_model;

/** Open from `datadir` (NULL: $TGPL_DATADIR, then the installed data
 *  directory).  Caller frees with tgpl_license_model_free(). */
int tgpl_license_model_open(tgpl_license_model **out, tgpl_ctx *ctx, const char *datadir);
void tgpl_license_model_free(tgpl_license_model *model);

/** The category of a licence id ("permissive", "copyleft", ...; matched
 *  case-insensitively), or NULL if the model does not know it.  Borrowed
 *  from the model. */
const char *tgpl_license_model_category(const tgpl_license_model *model, const char *id);

/** 1 if licence `id` triggers obligation `obl` (e.g. TGPL_OBL_ATTRIBUTION),
 *  0 if not, -1 if the model does not know the id. */
int tgpl_license_model_triggers(const tgpl_license_model *model, const char *id,
				tgpl_obligation_id obl);

/* -------------------------------------------------------------- results */

/** What kind of thing an evidence row points at. */
typedef enum {
	TGPL_EVIDENCE_LICENSE,    /**< a licence finding (tag, text, notice, ...) */
	TGPL_EVIDENCE_CLAUSE,     /**< a TGPL clause finding */
	TGPL_EVIDENCE_OPTOUT,     /**< a training opt-out finding */
	TGPL_EVIDENCE_CONCLUDED,  /**< a file's concluded licence with no finding of its own */
	TGPL_EVIDENCE_DECLARED,   /**< the revision's declared licence (no file) */
	TGPL_EVIDENCE_ABSENT,     /**< nothing at all (no-license; no file) */
	TGPL_EVIDENCE_INHERITED   /**< an obligation of a base model's record */
} tgpl_evidence_kind;

/** "license", "clause", "optout", "concluded", "declared", "absent", "inherited". */
const char *tgpl_evidence_kind_name(tgpl_evidence_kind kind);

/** One piece of evidence for an obligation. */
typedef struct {
	tgpl_evidence_kind kind;
	long repo;            /**< index into the repositories (tgpl_obligations_repo_at),
	                           or -1 for inherited evidence */
	const char *repo_path;/**< the repository as scanned (or as in the record) */
	const char *origin;   /**< remote URL, or NULL */
	const char *commit;   /**< commit id, or NULL (a directory scan) */
	const char *path;     /**< file path in the tree, or NULL (declared, absent) */
	const char *oid;      /**< the file's blob id, or NULL */
	uint32_t start_line;  /**< 1-based, inclusive; 0 when there is no span */
	uint32_t end_line;
	const char *source;   /**< what triggered: licence id ("CC-BY-NC-4.0"), clause id
	                           ("weight-release"), opt-out kind ("robots.txt"), or
	                           NULL (absent) */
	const char *detail;   /**< the whole expression, the opt-out detail (crawler),
	                           the finding's note, or NULL */
	const char *swhid;    /**< swh:1:cnt:<oid>;origin=..;anchor=swh:1:rev:..;path=/..;lines=s-e
	                           (qualifier values percent-encoded), or NULL without a file */
	const char *record;   /**< inherited evidence: the record file it came from; else NULL */
	tgpl_action action;   /**< the policy's action for this piece */
	const char *rule;     /**< the policy rule that decided: "licenses.MIT",
	                           "categories.permissive", "obligations.attribution",
	                           "policy.default" */
} tgpl_evidence;

/** One obligation that applies to the corpus. */
typedef struct {
	tgpl_obligation_id id;
	const char *name;                 /**< tgpl_obligation_name(id) */
	const char *meaning;              /**< tgpl_obligation_meaning(id) */
	tgpl_action action;               /**< worst action over its evidence */
	const tgpl_evidence *evidence;    /**< in repository, path, line order */
	size_t n_evidence;
	size_t n_omitted;                 /**< evidence rows over the cap, not listed */
	const size_t *repos;              /**< indices of the repositories that trigger it */
	size_t n_repos;
	const char *const *sources;       /**< distinct licence/clause/opt-out ids, sorted */
	size_t n_sources;
} tgpl_obligation;

/** A conflict: two things no single model can satisfy together. */
typedef struct {
	const char *id;        /**< "weight-release+non-commercial", "weight-release+no-derivatives",
	                            "weight-release+use-restrictions", "weight-release+restricted",
	                            "rider-further-restrictions" */
	const char *first;     /**< obligation name, or for a rider the base licence id */
	const char *second;    /**< obligation name, or "AdditionRef-TGPL-1.0" */
	const char *sentence;  /**< one sentence that explains it */
	tgpl_action action;    /**< [conflicts] rule, else review; allow when it is resolved
	                            because every repository on one side is excluded */
	const size_t *repos;   /**< repositories involved (either side) */
	size_t n_repos;
	int inherited;         /**< one side comes from an inherited record */
	int resolved;          /**< every repository on one side is excluded anyway */
} tgpl_conflict;

/** One repository of the corpus, at its latest scanned revision. */
typedef struct {
	const char *path;      /**< as scanned */
	const char *origin;    /**< or NULL */
	const char *commit;    /**< or NULL (directory) */
	const char *declared;  /**< declared licence expression, or NULL */
	tgpl_verdict verdict;
	const char *reason;    /**< one sentence: the rule or conflict that decided */
	const tgpl_obligation_id *obligations; /**< the obligations it triggers, in id order */
	size_t n_obligations;
} tgpl_repository;

/** The result of tgpl_obligations_compute(): opaque, read with the accessors. */
typedef struct tgpl_obligations tgpl_obligations;

/** Options for tgpl_obligations_compute(). */
typedef struct {
	unsigned int version;
	const tgpl_policy *policy;     /**< NULL: tgpl_policy_default() */
	const char *datadir;           /**< category tables; NULL: $TGPL_DATADIR, then installed */
	const char *const *inherit;    /**< obligation record files (JSON) to inherit from */
	size_t n_inherit;
	size_t max_evidence;           /**< per obligation and repository; 0: 1000 */
} tgpl_obligations_options;

#define TGPL_OBLIGATIONS_OPTIONS_VERSION 1
#define TGPL_OBLIGATIONS_OPTIONS_INIT { TGPL_OBLIGATIONS_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0 }

/**
 * Compute obligations, conflicts and verdicts over every repository in `db`
 * (opts may be NULL for the defaults).  An unreadable or malformed record
 * is TGPL_EINVAL / TGPL_EIO naming the file.  Caller frees *out with
 * tgpl_obligations_free().
 */
int tgpl_obligations_compute(tgpl_obligations **out, tgpl_ctx *ctx, tgpl_db *db,
			     const tgpl_obligations_options *opts);
void tgpl_obligations_free(tgpl_obligations *result);

/** Obligations that apply (only those triggered), in tgpl_obligation_id order. */
size_t tgpl_obligations_count(const tgpl_obligations *result);
const tgpl_obligation *tgpl_obligations_at(const tgpl_obligations *result, size_t i);
/** The obligation with this id, or NULL if it does not apply. */
const tgpl_obligation *tgpl_obligations_get(const tgpl_obligations *result,
					    tgpl_obligation_id id);

size_t tgpl_obligations_conflict_count(const tgpl_obligations *result);
const tgpl_conflict *tgpl_obligations_conflict_at(const tgpl_obligations *result, size_t i);

/** Repositories in path order. */
size_t tgpl_obligations_repo_count(const tgpl_obligations *result);
const tgpl_repository *tgpl_obligations_repo_at(const tgpl_obligations *result, size_t i);

/** The corpus verdict once the excluded repositories are left out: the
 *  worst verdict of the others, of unresolved conflicts (review; deny:
 *  exclude) and of inherited obligations (allow: include-with-obligations);
 *  exclude when every repository is excluded; include for an empty corpus. */
tgpl_verdict tgpl_obligations_verdict(const tgpl_obligations *result);

/** Non-zero when anything is denied (an obligation, a conflict, or a
 *  repository excluded): the tool exits with status 1. */
int tgpl_obligations_denied(const tgpl_obligations *result);

/** Name of the policy the result was computed under; borrowed. */
const char *tgpl_obligations_policy_name(const tgpl_obligations *result);

/**
 * The whole result as one JSON object (what `tgpl obligations --json`
 * prints): policy, verdict, denied, obligations (with evidence), conflicts,
 * repositories.  Caller frees *out with free().
 */
int tgpl_obligations_json(char **out, tgpl_ctx *ctx, const tgpl_obligations *result);

/**
 * The obligation record of a model trained on the corpus: a JSON object with
 * "schema": "tgpl-obligation-record/1" (man/tgpl-obligations.1, OBLIGATION
 * RECORD), holding the obligations of every repository not excluded and the
 * inherited ones, with evidence, and the corpus (repositories, commits,
 * verdicts).  `created` is a Unix time for the "created" field (use
 * SOURCE_DATE_EPOCH or time(NULL)).  Caller frees *out with free().
 */
int tgpl_obligation_record_json(char **out, tgpl_ctx *ctx, const tgpl_obligations *result,
				int64_t created);

/**
 * Percent-encode a SWHID qualifier value into `out` (caller frees with
 * free()): ';', '%', space, control bytes and bytes over 0x7e become %XX.
 */
int tgpl_swhid_qualifier_escape(char **out, const char *value, size_t len);

#endif
