/* fuzz_pom.c — the pom.xml (Maven) parser, through tgpl_detect() on 'pom.xml'. */
#define FUZZ_PATH "pom.xml"
#include "fuzz_manifest.h"
