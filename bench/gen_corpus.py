#!/usr/bin/env python3
"""gen_corpus.py — a deterministic benchmark corpus of bare git repositories.

    gen_corpus.py OUTDIR SPDX_FULL_JSON [FILES] [REPOS]
        Make REPOS bare repositories OUTDIR/repoNNN.git holding FILES files in
        all (one commit each, on branch main), through `git fast-import`, so
        each is one pack as a clone would be.  Mostly licence-free source files
        (C, Python, JavaScript, Go, prose) of 10 to 200 lines, every one a
        distinct blob; a LICENSE per repository and, at the rates of real
        code, SPDX tags, GNU notices and whole licence texts, the texts taken
        from the pinned SPDX data at run time (never stored in the project).
        Repositories already there are kept.  Also writes OUTDIR/corpus.txt,
        the corpus file listing them.

    gen_corpus.py --warm OUTDIR
        Add, in every repository, a commit on branch bench-warm (from main)
        that changes one file: the "new commit touching one file" of the warm
        rescan.  Idempotent: the same commit every time.

The same arguments always give the same bytes, commits and ids.
"""
import json, os, random, subprocess, sys

DATE = "1767225600 +0000"   # 2026-01-01T00:00:00Z
IDENT = "bench <bench@example.invalid>"
COMMON = ["MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "GPL-2.0-only", "GPL-3.0-only",
          "LGPL-2.1-only", "MPL-2.0", "ISC", "Unlicense", "AGPL-3.0-only", "Zlib"]
WORDS = ("buffer index value count result state handle config parser token stream node tree "
         "cache entry offset length error status request reply table record field option "
         "queue worker batch slice frame packet header footer chunk digest cursor window").split()
GNU_NOTICE = ("/*\n * This program is free software; you can redistribute it and/or modify\n"
              " * it under the terms of the GNU General Public License as published by\n"
              " * the Free Software Foundation; either version 2 of the License, or\n"
              " * (at your option) any later version.\n */\n")


def git_env(out):
    return dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=out, GIT_AUTHOR_NAME="bench",
                GIT_AUTHOR_EMAIL="bench@example.invalid", GIT_COMMITTER_NAME="bench",
                GIT_COMMITTER_EMAIL="bench@example.invalid")


def snippet_pools(rng):
    """Pools of code fragments per language; files are drawn from them."""
    def ident():
        return rng.choice(WORDS) + "_" + rng.choice(WORDS)
    pools = {
        "c": [f"static int {ident()}(struct {ident()} *p, size_t n)\n{{\n"
              f"\tif (!p || n > {rng.randint(1, 4096)})\n\t\treturn -{rng.randint(1, 40)};\n"
              f"\treturn p->{rng.choice(WORDS)} + (int)n;\n}}\n" for _ in range(3000)],
        "py": [f"def {ident()}(x, y={rng.randint(0, 99)}):\n    return x * y + {rng.randint(0, 9)}\n"
               for _ in range(3000)],
        "js": [f"export function {ident()}(a) {{\n  return a.{rng.choice(WORDS)} ?? {rng.randint(0, 9)};\n}}\n"
               for _ in range(3000)],
        "go": [f"func {ident().title().replace('_', '')}(v int) int {{\n\treturn v * {rng.randint(2, 99)}\n}}\n"
               for _ in range(3000)],
        "md": [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + "\n"
               for _ in range(3000)],
    }
    heads = {"c": "#include <stddef.h>\n\n", "py": "import os\n\n", "js": "", "go": "package bench\n\n",
             "md": ""}
    lines = {"c": 6, "py": 3, "js": 4, "go": 4, "md": 1}
    return pools, heads, lines


def make_repo(path, files, env):
    """One bare repository holding `files` ((path, bytes) pairs), one commit on main."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", path], check=True, env=env)
    stream = [b"commit refs/heads/main\n",
              f"author {IDENT} {DATE}\ncommitter {IDENT} {DATE}\n".encode(),
              b"data 7\ncorpus\n"]
    for name, data in files:
        stream.append(b"M 100644 inline %s\ndata %d\n" % (name.encode(), len(data)))
        stream.append(data)
        stream.append(b"\n")
    stream.append(b"done\n")
    subprocess.run(["git", "-C", path, "fast-import", "--quiet", "--done"],
                   input=b"".join(stream), check=True, env=env)


def generate(out, spdx, nfiles, nrepos):
    rng = random.Random(20261122)
    texts = json.load(open(spdx))
    pools, heads, lines = snippet_pools(rng)
    kinds = ["c", "c", "py", "js", "go", "md"]
    env = git_env(out)
    os.makedirs(out, exist_ok=True)
    per_repo = nfiles // nrepos
    serial = 0
    for r in range(nrepos):
        path = os.path.join(out, f"repo{r:03d}.git")
        # Draw every repository's content even when it exists: later ones stay the same.
        lic = COMMON[r % len(COMMON)]
        files = [("LICENSE", (texts[lic]["licenseText"] + "\n").encode())]
        for i in range(per_repo - 1):
            kind = rng.choice(kinds)
            want = rng.randint(10, 200)
            body = [heads[kind]]
            n = 0
            while n < want:
                body.append(rng.choice(pools[kind]))
                n += lines[kind]
            serial += 1
            # One line that makes every file a distinct blob.
            mark = {"py": "#", "md": ""}.get(kind, "//")
            body.append(f"{mark} {serial}\n")
            text = "".join(body)
            roll = rng.random()
            if roll < 0.05:
                text = f"// SPDX-License-Identifier: {rng.choice(COMMON)}\n" + text
            elif roll < 0.07:
                text = GNU_NOTICE + text
            elif roll < 0.075:
                text = texts[rng.choice(COMMON)]["licenseText"] + "\n"
            d = f"src/m{rng.randint(0, 30)}/p{rng.randint(0, 5)}"
            files.append((f"{d}/f{i}.{kind}", text.encode()))
        if not os.path.isdir(path):
            make_repo(path + ".tmp", files, env)
            os.rename(path + ".tmp", path)
    with open(os.path.join(out, "corpus.txt"), "w") as f:
        f.write(f"# gen_corpus.py: {nfiles} files in {nrepos} repositories\n")
        for r in range(nrepos):
            f.write(f"repo{r:03d}.git\n")


def warm(out):
    env = git_env(out)
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        if not (name.startswith("repo") and name.endswith(".git")):
            continue
        # The first C file of the tree gets a line more.
        names = subprocess.run(["git", "-C", path, "ls-tree", "-r", "--name-only", "main"],
                               check=True, env=env, capture_output=True).stdout.decode().split("\n")
        target = next(n for n in names if n.endswith(".c"))
        data = subprocess.run(["git", "-C", path, "cat-file", "blob", "main:" + target],
                              check=True, env=env, capture_output=True).stdout
        data += b"/* changed after the first scan */\n"
        stream = (b"commit refs/heads/bench-warm\n" +
                  f"author {IDENT} {DATE}\ncommitter {IDENT} {DATE}\n".encode() +
                  b"data 7\nupdate\nfrom refs/heads/main^0\n" +
                  b"M 100644 inline %s\ndata %d\n" % (target.encode(), len(data)) + data +
                  b"\ndone\n")
        subprocess.run(["git", "-C", path, "fast-import", "--quiet", "--done", "--force"],
                       input=stream, check=True, env=env)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--warm":
        warm(sys.argv[2])
    elif len(sys.argv) >= 3:
        generate(sys.argv[1], sys.argv[2],
                 int(sys.argv[3]) if len(sys.argv) > 3 else 100000,
                 int(sys.argv[4]) if len(sys.argv) > 4 else 100)
    else:
        sys.exit(__doc__)
