/* fuzz_pyproject.c — the pyproject.toml (Python) parser, through tgpl_detect() on 'pyproject.toml'. */
#define FUZZ_PATH "pyproject.toml"
#include "fuzz_manifest.h"
