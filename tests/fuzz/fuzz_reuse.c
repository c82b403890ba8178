/* fuzz_reuse.c — the REUSE.toml parser, through tgpl_detect() on 'REUSE.toml'. */
#define FUZZ_PATH "REUSE.toml"
#include "fuzz_manifest.h"
