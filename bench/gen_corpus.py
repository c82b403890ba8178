#!/usr/bin/env python3
"""gen_corpus.py OUTDIR SPDX_FULL_JSON [FILES] [REPOS] — a deterministic benchmark corpus.

Makes REPOS git repositories under OUTDIR holding FILES files in all: mostly
licence-free source files (C, Python, JavaScript, Go, prose), and a few licence
files, SPDX-tagged headers and GNU notices, with the licence texts taken from
the pinned SPDX data at run time (never stored in the project).  The same
arguments always give the same bytes and the same commits.
"""
import json, os, random, subprocess, sys

out, spdx = sys.argv[1], sys.argv[2]
nfiles = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
nrepos = int(sys.argv[4]) if len(sys.argv) > 4 else 10
rng = random.Random(20261122)
texts = json.load(open(spdx))
common = ["MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "GPL-2.0-only", "GPL-3.0-only",
          "LGPL-2.1-only", "MPL-2.0", "ISC", "Unlicense", "AGPL-3.0-only", "Zlib"]
words = ("buffer index value count result state handle config parser token stream node tree "
         "cache entry offset length error status request reply table record field option").split()

def ident():
    return rng.choice(words) + "_" + rng.choice(words)

def c_file(lines):
    body = []
    for i in range(lines // 6):
        f = ident()
        body.append(f"static int {f}(struct {ident()} *p, size_t n)\n{{\n"
                    f"\tif (!p || n > {rng.randint(1, 4096)})\n\t\treturn -{rng.randint(1, 40)};\n"
                    f"\treturn p->{rng.choice(words)} + (int)n;\n}}\n")
    return "#include <stddef.h>\n\n" + "\n".join(body)

def py_file(lines):
    body = [f"def {ident()}(x, y={rng.randint(0, 99)}):\n    return x * y + {rng.randint(0, 9)}\n"
            for _ in range(lines // 3)]
    return "import os\n\n" + "\n".join(body)

def js_file(lines):
    body = [f"export function {ident()}(a) {{\n  return a.{rng.choice(words)} ?? {rng.randint(0, 9)};\n}}\n"
            for _ in range(lines // 4)]
    return "\n".join(body)

def prose(lines):
    return "\n".join(" ".join(rng.choice(words) for _ in range(rng.randint(6, 14)))
                     for _ in range(lines)) + "\n"

gens = [(c_file, "c"), (py_file, "py"), (js_file, "js"), (prose, "md")]
os.makedirs(out, exist_ok=True)
env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
           GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
           GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z",
           GIT_CONFIG_NOSYSTEM="1", HOME=out)
per_repo = nfiles // nrepos
for r in range(nrepos):
    repo = os.path.join(out, f"repo{r:03d}")
    if os.path.isdir(os.path.join(repo, ".git")):
        continue
    os.makedirs(repo)
    lic = common[r % len(common)]
    files = {"LICENSE": texts[lic]["licenseText"] + "\n"}
    for i in range(per_repo - 1):
        gen, ext = gens[rng.randrange(len(gens))]
        d = f"src/m{rng.randint(0, 30)}/p{rng.randint(0, 5)}"
        text = gen(rng.randint(20, 400))
        roll = rng.random()
        if roll < 0.05:
            text = f"// SPDX-License-Identifier: {rng.choice(common)}\n" + text
        elif roll < 0.07:
            text = ("/*\n * This program is free software; you can redistribute it and/or modify\n"
                    " * it under the terms of the GNU General Public License as published by\n"
                    " * the Free Software Foundation; either version 2 of the License, or\n"
                    " * (at your option) any later version.\n */\n") + text
        elif roll < 0.075:
            text = texts[rng.choice(common)]["licenseText"]
        files[f"{d}/f{i}.{ext}"] = text
    for path, text in files.items():
        full = os.path.join(repo, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=env)
    subprocess.run(["git", "-C", repo, "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", repo, "commit", "-qm", "corpus"], check=True, env=env)
