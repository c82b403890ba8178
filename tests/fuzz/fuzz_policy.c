/*
 * fuzz_policy.c — the policy parser (tgpl_policy_parse(), src/obligations/
 * policy.c; INI through inih).
 *
 * A policy either parses, and then answers every question the obligation
 * model asks of it (every obligation, category and conflict, with and
 * without a licence id) with one of the three actions and a rule name; or
 * it is refused with TGPL_EINVAL / TGPL_ETOOBIG and a message that names
 * the file.
 */
#include "fuzz.h"

#include "obligations/obl_int.h"
#include "tgpl/obligations.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (tgpl_ctx_new(&fuzz_ctx) < 0)
		abort();
	return 0;
}

static void check_action(tgpl_action a, const char *rule)
{
	FUZZ_CHECK(tgpl_action_name(a) != NULL, "action %d", (int)a);
	FUZZ_CHECK(rule && rule[0], "no rule named");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = { NULL, "MIT", "gpl-3.0-only", "LicenseRef-x", "" };
	tgpl_policy *p = NULL;
	const char *rule;
	int rc, obl, cat, k;
	size_t i;

	rc = tgpl_policy_parse(&p, fuzz_ctx, "fuzz.ini", (const char *)data, size);
	if (rc != 0) {
		FUZZ_CHECK(rc == TGPL_EINVAL || rc == TGPL_ETOOBIG, "tgpl_policy_parse returned %d", rc);
		FUZZ_CHECK(p == NULL, "failure left a policy");
		FUZZ_CHECK(strncmp(tgpl_errmsg(fuzz_ctx), "fuzz.ini", 8) == 0,
			   "message does not name the file: %s", tgpl_errmsg(fuzz_ctx));
		return 0;
	}
	FUZZ_CHECK(p != NULL, "success without a policy");
	FUZZ_CHECK(tgpl_policy_name(p) && tgpl_policy_name(p)[0], "policy without a name");
	for (obl = 0; obl < TGPL_OBL__COUNT; obl++)
		for (cat = -1; cat < OBL_CAT__COUNT; cat++)
			for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
				tgpl_action a = obl_policy_action(p, (tgpl_obligation_id)obl, ids[i], cat,
								  &rule);
				check_action(a, rule);
			}
	for (k = 0; k < OBL_CONFLICT__COUNT; k++)
		check_action(obl_policy_conflict(p, k, &rule), rule);
	tgpl_policy_free(p);
	return 0;
}
