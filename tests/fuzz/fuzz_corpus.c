/*
 * fuzz_corpus.c — the corpus file reader (src/scan/corpus.c).
 *
 * The input is a whole corpus file, read with tgpl_corpus_open() and
 * tgpl_corpus_next() to the end: every entry is either invalid with a
 * reason, or has a non-empty location free of NUL and blanks that were not
 * escaped, and line numbers that grow.  The input is also split in place
 * line by line with corpus_parse_line(), which must never write past the
 * line.
 */
#include "fuzz_memfile.h"

#include "scan/corpus.h"
#include "tgpl/scan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (tgpl_ctx_new(&fuzz_ctx) < 0)
		abort();
	return 0;
}

static void read_all(void)
{
	tgpl_corpus *c = NULL;
	const tgpl_corpus_entry *e;
	uint64_t last_line = 0, index = 0;
	int rc;

	rc = tgpl_corpus_open(&c, fuzz_ctx, fuzz_mempath);
	FUZZ_CHECK(rc == 0, "tgpl_corpus_open: %s", tgpl_errmsg(fuzz_ctx));
	while ((rc = tgpl_corpus_next(&e, c)) == 1) {
		FUZZ_CHECK(e->line > last_line, "line %llu after %llu", (unsigned long long)e->line,
			   (unsigned long long)last_line);
		FUZZ_CHECK(e->index == index, "index %llu, expected %llu",
			   (unsigned long long)e->index, (unsigned long long)index);
		last_line = e->line;
		index++;
		if (e->invalid) {
			fuzz_touch(e->invalid);
			continue;
		}
		FUZZ_CHECK(e->location && e->location[0], "entry without a location");
		FUZZ_CHECK(e->resolved && e->resolved[0], "entry without a resolved location");
		FUZZ_CHECK(strlen(e->location) <= TGPL_CORPUS_MAX_LINE, "location too long");
		fuzz_touch(e->rev);
		FUZZ_CHECK(!e->rev || e->rev[0], "empty revision");
	}
	FUZZ_CHECK(rc == 0, "tgpl_corpus_next: %d: %s", rc, tgpl_errmsg(fuzz_ctx));
	tgpl_corpus_close(c);
}

static void split_lines(const uint8_t *data, size_t size)
{
	size_t start = 0;

	while (start <= size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - data) - start : size - start;
		/* Exactly len + 1 bytes, so ASan sees any write past the line. */
		char *line = malloc(len + 1), *fields[2];
		const char *why = NULL;
		int rc;

		FUZZ_CHECK(line != NULL, "out of memory");
		memcpy(line, data + start, len);
		line[len] = '\0';
		rc = corpus_parse_line(line, len, fields, &why);
		FUZZ_CHECK(rc >= -1 && rc <= 1, "corpus_parse_line returned %d", rc);
		if (rc < 0)
			FUZZ_CHECK(why && why[0], "malformed without a reason");
		if (rc == 1)
			FUZZ_CHECK(fields[0] && fields[0][0] && (!fields[1] || fields[1][0]),
				   "empty field");
		free(line);
		if (!nl)
			break;
		start += len + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_memfile_put(data, size);
	read_all();
	split_lines(data, size);
	return 0;
}
