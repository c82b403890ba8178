/* fuzz_cargo.c — the Cargo.toml (Rust) parser, through tgpl_detect() on 'Cargo.toml'. */
#define FUZZ_PATH "Cargo.toml"
#include "fuzz_manifest.h"
