/*
 * fuzz_check_policy.c — the `tgpl check` policy reader
 * (tgpl_check_policy_load(), src/obligations/check.c; TOML).
 *
 * The input is the policy file.  It loads, or is refused with TGPL_EINVAL /
 * TGPL_ETOOBIG and a message naming the file; never anything else.
 */
#include "fuzz_memfile.h"

#include "obligations/check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (tgpl_ctx_new(&fuzz_ctx) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tgpl_check_policy *p = NULL;
	int rc;

	fuzz_memfile_put(data, size);
	rc = tgpl_check_policy_load(&p, fuzz_ctx, fuzz_mempath);
	if (rc != 0) {
		FUZZ_CHECK(rc == TGPL_EINVAL || rc == TGPL_ETOOBIG, "tgpl_check_policy_load returned %d: %s",
			   rc, tgpl_errmsg(fuzz_ctx));
		FUZZ_CHECK(p == NULL, "failure left a policy");
		FUZZ_CHECK(strstr(tgpl_errmsg(fuzz_ctx), fuzz_mempath) != NULL,
			   "message does not name the file: %s", tgpl_errmsg(fuzz_ctx));
		return 0;
	}
	FUZZ_CHECK(p != NULL, "success without a policy");
	tgpl_check_policy_free(p);
	return 0;
}
