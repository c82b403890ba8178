/* fuzz_composer.c — the composer.json (PHP Composer) parser, through tgpl_detect() on 'composer.json'. */
#define FUZZ_PATH "composer.json"
#include "fuzz_manifest.h"
