/* fuzz_npm.c — the package.json (npm) parser, through tgpl_detect() on 'package.json'. */
#define FUZZ_PATH "package.json"
#include "fuzz_manifest.h"
