/* fuzz_setupcfg.c — the setup.cfg (Python, INI) parser, through tgpl_detect() on 'setup.cfg'. */
#define FUZZ_PATH "setup.cfg"
#include "fuzz_manifest.h"
