/* fuzz_rdesc.c — the DESCRIPTION (R, Debian control format) parser, through tgpl_detect() on 'DESCRIPTION'. */
#define FUZZ_PATH "DESCRIPTION"
#include "fuzz_manifest.h"
