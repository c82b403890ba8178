/*
 * fuzz_detect.c — the whole detector (tgpl_detect()) on arbitrary bytes.
 *
 * The first byte of the input chooses the file name, so that every
 * detector keyed on names (licence files, manifests, opt-out files, HTML)
 * sees hostile content; the rest is the blob.  Whatever the bytes, the
 * detector must return 0 and a result whose spans, scores and strings hold
 * (fuzz_check_detection()).
 */
#include "fuzz.h"

static const char *const names[] = {
	"LICENSE", "package.json", "Cargo.toml", "pom.xml", "robots.txt", "tdmrep.json",
	"src/x.c", "ai.txt", "site/index.html", "DESCRIPTION", "setup.cfg", "PKG-INFO",
	"REUSE.toml", "COPYING", "pyproject.toml", "composer.json", "x.gemspec",
	"x.nuspec", ".reuse/dep5", "README.md",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_open_engine();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name;

	if (size < 1)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	fuzz_detect_as(name, data + 1, size - 1);
	return 0;
}
