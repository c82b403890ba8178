#!/bin/sh
# history.sh [BUILD] — the cost of licence history against a plain HEAD scan.
#
# Builds (once, with git fast-import) a repository of $HISTORY_COMMITS commits
# (default 10000) over a tree of $HISTORY_FILES files (default 1000): every
# commit changes one source file, LICENSE changes three times, package.json
# twice.  Then times, each on a fresh database:
#   1. a plain scan of HEAD                      (tgpl scan)
#   2. the history of every commit               (tgpl scan --history)
#   3. the history again, with nothing new to record
#   4. scanning every commit as a revision, estimated from a sample of 20
# and prints the ratios.  History should cost about the distinct licence
# blobs it meets plus one root-tree read per commit, not commits x files.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
case $build in /*) ;; *) build=$root/$build ;; esac
tgpl=$build/tgpl
TGPL_DATADIR=${TGPL_DATADIR:-$build/share/tgpl}
export TGPL_DATADIR
commits=${HISTORY_COMMITS:-10000}
files=${HISTORY_FILES:-1000}
work=${BENCH_DIR:-$build/bench}/history-$commits-$files
repo=$work/repo
[ -x "$tgpl" ] || { echo "history: $tgpl not built (make BUILD=$build)" >&2; exit 1; }
command -v bc > /dev/null || { echo "history: bc is needed" >&2; exit 1; }

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
fresh() { rm -f "$1" "$1-wal" "$1-shm"; }

# ---- the repository --------------------------------------------------------
if [ ! -d "$repo/.git" ]; then
	mkdir -p "$work"
	rm -rf "$repo"
	git init -q -b main "$repo"
	awk -v commits="$commits" -v files="$files" '
	function blob(text) {
		mark++
		printf "blob\nmark :%d\ndata %d\n%s\n", mark, length(text), text
		return mark
	}
	BEGIN {
		lic[0] = blob("SPDX-License-Identifier: MIT\n\nThis project is under the MIT License.\n")
		lic[1] = blob("SPDX-License-Identifier: MIT WITH AdditionRef-TGPL-1.0\n\nMIT License, with the Training Copyleft Rider.\n")
		lic[2] = blob("SPDX-License-Identifier: GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\n")
		pkg[0] = blob("{\"name\":\"bench\",\"license\":\"MIT\"}\n")
		pkg[1] = blob("{\"name\":\"bench\",\"license\":\"GPL-3.0-or-later WITH AdditionRef-TGPL-1.0\"}\n")
		for (f = 0; f < files; f++)
			src[f] = blob(sprintf("// SPDX-License-Identifier: MIT\nint f%d;\n", f))
		for (i = 0; i < commits; i++) {
			if (i > 0) src[i % files] = blob(sprintf("// SPDX-License-Identifier: MIT\nint f%d_%d;\n", i % files, i))
			mark++
			printf "commit refs/heads/main\nmark :%d\n", mark
			printf "author Bench <bench@example.org> %d +0000\ncommitter Bench <bench@example.org> %d +0000\n", 1700000000 + i, 1700000000 + i
			printf "data 10\ncommit %03d\n", i % 1000
			if (i > 0) printf "from :%d\n", prev
			if (i == 0) {
				for (f = 0; f < files; f++) printf "M 100644 :%d src/f%d.c\n", src[f], f
			} else {
				printf "M 100644 :%d src/f%d.c\n", src[i % files], i % files
			}
			if (i == 0 || i == int(commits / 4)) printf "M 100644 :%d LICENSE\n", lic[i == 0 ? 0 : 1]
			if (i == int(commits / 2)) printf "M 100644 :%d LICENSE\n", lic[2]
			if (i == int(3 * commits / 4)) printf "M 100644 :%d LICENSE\n", lic[0]
			if (i == 0 || i == int(commits / 2)) printf "M 100644 :%d package.json\n", pkg[i == 0 ? 0 : 1]
			printf "\n"
			prev = mark
		}
	}' < /dev/null | git -C "$repo" fast-import --quiet
fi

# ---- the history scan --------------------------------------------------------
history() { "$tgpl" --quiet scan --history --db "$1" "$repo" > /dev/null; }
how="tgpl scan --history"

# ---- measurements ----------------------------------------------------------
db=$work/bench.db
fresh "$db"
t0=$(now); "$tgpl" --quiet scan --db "$db" "$repo" > /dev/null; t1=$(now)
head_s=$(secs "$t0" "$t1")
head_blobs=$(sqlite3 "$db" 'SELECT count(*) FROM analyses' 2> /dev/null || echo '?')

fresh "$db"
t0=$(now); history "$db"; t1=$(now)
hist_s=$(secs "$t0" "$t1")
t0=$(now); history "$db"; t1=$(now)
again_s=$(secs "$t0" "$t1")
hist_blobs=$(sqlite3 "$db" 'SELECT count(*) FROM analyses' 2> /dev/null || echo '?')
changes=$(sqlite3 "$db" 'SELECT count(*) FROM history WHERE changed = 1' 2> /dev/null || echo '?')

# Every commit as a revision: 20 evenly spaced ones on one database (the
# analysis cache helps it as much as it can), less the fixed cost of a run
# (starting tgpl, loading the licence index: a rescan of a stored revision),
# scaled to all commits.
fresh "$db"
"$tgpl" --quiet scan --db "$db" "$repo" > /dev/null
t0=$(now); "$tgpl" --quiet scan --db "$db" "$repo" > /dev/null; t1=$(now)
fixed_s=$(secs "$t0" "$t1")
sample=20
step=$((commits / sample))
[ "$step" -gt 0 ] || step=1
t0=$(now)
git -C "$repo" rev-list --reverse main | awk -v s="$step" 'NR % s == 1' | head -n "$sample" |
while read -r c; do "$tgpl" --quiet scan --db "$db" --rev "$c" "$repo" > /dev/null; done
t1=$(now)
naive_s=$(echo "(($(secs "$t0" "$t1")) / $sample - $fixed_s) * $commits" | bc -l)

printf 'repository: %s commits, %s files at HEAD (%s)\n' "$commits" "$files" "$repo"
printf 'history by: %s\n' "$how"
printf 'tgpl scan (HEAD):              %8.2f s   %s blobs analysed\n' "$head_s" "$head_blobs"
printf 'history of every commit:       %8.2f s   %s blobs analysed, %s licence changes   = %.1fx a HEAD scan\n' \
	"$hist_s" "$hist_blobs" "$changes" "$(echo "$hist_s / $head_s" | bc -l)"
printf 'history again (nothing new):   %8.2f s\n' "$again_s"
if [ "$(echo "$naive_s > 0" | bc -l)" = 1 ]; then
	printf 'every commit scanned (est.):   %8.1f s   = %.0fx the history (from %s sampled revisions,\n' \
		"$naive_s" "$(echo "$naive_s / $hist_s" | bc -l)" "$sample"
	printf '                                            less %.3f s of start-up each)\n' "$fixed_s"
else
	echo 'every commit scanned (est.):   n/a (a revision costs less than start-up here; use more files)'
fi
