/* fuzz_pkginfo.c — the PKG-INFO / METADATA (Python core metadata) parser, through tgpl_detect() on 'PKG-INFO'. */
#define FUZZ_PATH "PKG-INFO"
#include "fuzz_manifest.h"
