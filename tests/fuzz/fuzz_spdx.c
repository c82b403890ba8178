/*
 * fuzz_spdx.c — the SPDX expression parser (src/detect/spdx.c).
 *
 * Each input is one expression.  spdx_canonical() must either fail with
 * TGPL_EINVAL and a message, or print a canonical form that parses again to
 * itself (printing is a fixed point); spdx_emit() must add at least one hit
 * either way (NOASSERTION for a malformed expression), every hit with an id.
 */
#include "fuzz.h"

#include "detect/spdx.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_open_engine();
	return 0;
}

static void check_emit(const char *s, size_t n)
{
	det_builder b = { 0 };
	size_t i;
	int rc;

	b.det = calloc(1, sizeof(*b.det));
	FUZZ_CHECK(b.det != NULL, "out of memory");
	rc = spdx_emit(&b, fuzz_engine, s, n, TGPL_KIND_TAG, 1, 1, "spdx-tag");
	FUZZ_CHECK(rc == 0, "spdx_emit returned %d", rc);
	FUZZ_CHECK(b.det->n_licenses >= 1, "spdx_emit added no hit");
	for (i = 0; i < b.det->n_licenses; i++) {
		const tgpl_license_hit *h = &b.det->licenses[i];

		FUZZ_CHECK(h->spdx != NULL && h->spdx[0], "hit %zu without an id", i);
		fuzz_touch(h->expr);
		fuzz_touch(h->note);
		FUZZ_CHECK(h->rule && strcmp(h->rule, "spdx-tag") == 0, "hit %zu: rule changed", i);
		FUZZ_CHECK(h->score >= 0.0 && h->score <= 1.0, "hit %zu: score %g", i, h->score);
	}
	tgpl_detection_free(b.det);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char err[256], err2[256];
	char *once = NULL, *twice = NULL;
	int rc;

	err[0] = '\0';
	rc = spdx_canonical(&once, fuzz_engine, s, size, err, sizeof(err));
	if (rc == 0) {
		FUZZ_CHECK(once != NULL, "success without a result");
		err2[0] = '\0';
		rc = spdx_canonical(&twice, fuzz_engine, once, strlen(once), err2, sizeof(err2));
		/* A canonical form longer or deeper than the caps may be refused. */
		if (rc == TGPL_EINVAL)
			FUZZ_CHECK(strncmp(err2, "too ", 4) == 0,
				   "canonical form '%s' does not parse: %s", once, err2);
		else
			FUZZ_CHECK(rc == 0 && strcmp(once, twice) == 0,
				   "not a fixed point: '%s' -> '%s'", once, twice ? twice : "(null)");
	} else {
		FUZZ_CHECK(rc == TGPL_EINVAL, "spdx_canonical returned %d", rc);
		FUZZ_CHECK(err[0] != '\0', "malformed without a message");
	}
	free(once);
	free(twice);
	check_emit(s, size);
	return 0;
}
