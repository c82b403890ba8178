/* fuzz_gemspec.c — the *.gemspec (Ruby) parser, through tgpl_detect() on 'tgpl.gemspec'. */
#define FUZZ_PATH "tgpl.gemspec"
#include "fuzz_manifest.h"
