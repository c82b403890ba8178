/*
 * fuzz_manifest.h — the body of the package-manifest targets: each
 * fuzz_<format>.c defines FUZZ_PATH (the manifest's file name, which picks
 * the parser in src/detect/metadata.c) and includes this file.  The whole
 * detector runs, as a scan would run it on that file.
 */
#ifndef TGPL_FUZZ_MANIFEST_H
#define TGPL_FUZZ_MANIFEST_H

#include "fuzz.h"

#ifndef FUZZ_PATH
#error "define FUZZ_PATH before including fuzz_manifest.h"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_open_engine();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_detect_as(FUZZ_PATH, data, size);
	return 0;
}

#endif
