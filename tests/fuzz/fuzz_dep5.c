/* fuzz_dep5.c — the .reuse/dep5 (REUSE, Debian copyright format) parser, through tgpl_detect() on '.reuse/dep5'. */
#define FUZZ_PATH ".reuse/dep5"
#include "fuzz_manifest.h"
