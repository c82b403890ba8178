/* fuzz_nuspec.c — the *.nuspec (NuGet) parser, through tgpl_detect() on 'tgpl.nuspec'. */
#define FUZZ_PATH "tgpl.nuspec"
#include "fuzz_manifest.h"
