/*
 * fuzz.h — what the libFuzzer targets in tests/fuzz/ share: one engine
 * opened once per process (LLVMFuzzerInitialize), and checks on a
 * detection result that turn a broken invariant into a crash libFuzzer
 * reports.
 *
 * The engine's data directory is $TGPL_DATADIR, else the build tree's
 * (FUZZ_DATADIR, set by the Makefile).  Targets are test code: they may
 * print and abort, the library they exercise may not.
 */
#ifndef TGPL_FUZZ_H
#define TGPL_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tgpl/common.h"
#include "tgpl/detect.h"

#ifndef FUZZ_DATADIR
#define FUZZ_DATADIR NULL
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tgpl_ctx *fuzz_ctx;
static tgpl_engine *fuzz_engine;

/* Stop the run: the message goes to stderr and libFuzzer records the input. */
#define FUZZ_CHECK(cond, ...)                                                   \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz: %s:%d: check failed: %s: ",     \
				__FILE__, __LINE__, #cond);                     \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

static inline void fuzz_open_engine(void)
{
	const char *dir = getenv("TGPL_DATADIR");
	int rc;

	if (!dir || !*dir)
		dir = FUZZ_DATADIR;
	if (tgpl_ctx_new(&fuzz_ctx) < 0) {
		fprintf(stderr, "fuzz: cannot create a context\n");
		exit(1);
	}
	rc = tgpl_engine_open(&fuzz_engine, fuzz_ctx, dir);
	if (rc < 0) {
		fprintf(stderr, "fuzz: cannot open the engine in '%s': %s\n"
			"fuzz: set TGPL_DATADIR to a built share/tgpl directory\n",
			dir ? dir : "(default)", tgpl_errmsg(fuzz_ctx));
		exit(1);
	}
}

/* Touch every byte of a string the result hands out (ASan checks the reads). */
static inline size_t fuzz_touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static inline int fuzz_utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned int c = *p, n, i;
		uint32_t cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += n + 1;
	}
	return 1;
}

/*
 * What every detection must satisfy, whatever the input: spans inside the
 * file, ordered, scores in [0, 1], the strings the JSON contract prints
 * present, and details the header promises to be clean (opt-out details:
 * UTF-8 without control characters, at most 200 bytes).
 */
static inline void fuzz_check_detection(const tgpl_detection *d, size_t len)
{
	size_t i, j;

	FUZZ_CHECK(d != NULL, "no result");
	fuzz_touch(d->expression);
	if (d->skipped) {
		FUZZ_CHECK(d->n_licenses == 0 && d->n_clauses == 0 && d->n_optouts == 0,
			   "skipped '%s' but has hits", d->skipped);
		return;
	}
	FUZZ_CHECK(len == 0 || d->n_lines >= 1, "%zu bytes but %u lines", len, d->n_lines);
	for (i = 0; i < d->n_licenses; i++) {
		const tgpl_license_hit *h = &d->licenses[i];

		fuzz_touch(h->spdx);
		fuzz_touch(h->expr);
		fuzz_touch(h->rule);
		fuzz_touch(h->note);
		FUZZ_CHECK(tgpl_kind_name(h->kind) != NULL, "licence hit %zu: kind %d", i, (int)h->kind);
		FUZZ_CHECK(h->start_line <= h->end_line && h->end_line <= d->n_lines,
			   "licence hit %zu (%s, rule %s): lines %u-%u of %u", i,
			   h->spdx ? h->spdx : "(null)", h->rule ? h->rule : "(null)",
			   h->start_line, h->end_line, d->n_lines);
		FUZZ_CHECK(h->score >= 0.0 && h->score <= 1.0, "licence hit %zu: score %g", i, h->score);
		for (j = 0; j < h->n_unmatched; j++)
			FUZZ_CHECK(h->unmatched[j].start_line <= h->unmatched[j].end_line &&
				   h->unmatched[j].end_line <= d->n_lines,
				   "licence hit %zu: unmatched span %zu: %u-%u of %u", i, j,
				   h->unmatched[j].start_line, h->unmatched[j].end_line, d->n_lines);
	}
	for (i = 0; i < d->n_clauses; i++) {
		const tgpl_clause_hit *c = &d->clauses[i];

		FUZZ_CHECK(c->id != NULL, "clause hit %zu without an id", i);
		fuzz_touch(c->kind);
		fuzz_touch(c->rule);
		FUZZ_CHECK(c->start_line <= c->end_line && c->end_line <= d->n_lines,
			   "clause %zu (%s): lines %u-%u of %u", i, c->id, c->start_line,
			   c->end_line, d->n_lines);
		FUZZ_CHECK(c->score >= 0.0 && c->score <= 1.0, "clause %zu: score %g", i, c->score);
	}
	FUZZ_CHECK(d->n_optouts <= 256, "%zu opt-out hits (cap 256)", d->n_optouts);
	for (i = 0; i < d->n_optouts; i++) {
		const tgpl_optout_hit *o = &d->optouts[i];
		const char *p;

		FUZZ_CHECK(o->kind != NULL, "opt-out %zu without a kind", i);
		FUZZ_CHECK(o->start_line <= o->end_line && o->end_line <= d->n_lines,
			   "opt-out %zu (%s): lines %u-%u of %u", i, o->kind, o->start_line,
			   o->end_line, d->n_lines);
		if (!o->detail)
			continue;
		FUZZ_CHECK(strlen(o->detail) <= 200, "opt-out %zu: detail of %zu bytes", i,
			   strlen(o->detail));
		FUZZ_CHECK(fuzz_utf8_ok(o->detail), "opt-out %zu: detail is not UTF-8", i);
		for (p = o->detail; *p; p++)
			FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f,
				   "opt-out %zu: control byte 0x%02x in the detail", i, (unsigned char)*p);
	}
}

/* Detect `size` bytes as the file `path` and check the result. */
static inline void fuzz_detect_as(const char *path, const uint8_t *data, size_t size)
{
	tgpl_detection *d = NULL;
	int rc = tgpl_detect(&d, fuzz_ctx, fuzz_engine, NULL, path, data, size);

	/* Only running out of memory may fail, and nothing here runs out. */
	FUZZ_CHECK(rc == 0, "tgpl_detect(%s) returned %d: %s", path, rc, tgpl_errmsg(fuzz_ctx));
	fuzz_check_detection(d, size);
	tgpl_detection_free(d);
}

#endif
