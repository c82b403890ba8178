#!/bin/sh
# run.sh TGPL DATADIR — `make bench`: scan speed against the git read floor
# and licensecheck, on a deterministic generated corpus; then accuracy.
# Figures are ratios to baselines measured in the same run.
set -eu
tgpl=$1 datadir=$2
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_DIR:-$here/../build/bench}
files=${BENCH_FILES:-20000}
repos=${BENCH_REPOS:-10}
export TGPL_DATADIR=$datadir
mkdir -p "$work"
corpus=$work/corpus-$files-$repos
[ -d "$corpus" ] || python3 "$here/gen_corpus.py" "$corpus" "$(dirname "$datadir")/../data/spdx-full.json" "$files" "$repos"

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

bytes=0; nblobs=0
for r in "$corpus"/repo*; do
	git -C "$r" ls-tree -r -l HEAD | awk '{s+=$4} END {print s, NR}' > "$work/sz"
	read -r b n < "$work/sz"; bytes=$((bytes + b)); nblobs=$((nblobs + n))
done
mb=$(echo "$bytes / 1000000" | bc -l)

# The floor: reading every blob out of git.
t0=$(now)
for r in "$corpus"/repo*; do
	git -C "$r" ls-tree -r HEAD | awk '{print $3}' | git -C "$r" cat-file --batch > /dev/null
done
t1=$(now); floor=$(secs "$t0" "$t1")

# tgpl, cold (empty database).
rm -f "$work/bench.db" "$work/bench.db-wal" "$work/bench.db-shm"
t0=$(now)
"$tgpl" --quiet scan --db "$work/bench.db" "$corpus"/repo* > /dev/null
t1=$(now); cold=$(secs "$t0" "$t1")

# licensecheck on the same files (checked out), if installed.  It reads
# about 40 files/s, so it runs on the first repository only and is compared
# by rate (files/s).
lc=
first=$(ls -d "$corpus"/repo* | head -n 1)
lcfiles=$(git -C "$first" ls-files | wc -l)
if command -v licensecheck > /dev/null 2>&1; then
	t0=$(now)
	licensecheck -r "$first" > /dev/null 2>&1 || true
	t1=$(now); lc=$(secs "$t0" "$t1")
fi

printf 'corpus: %s files, %.1f MB in %s repositories (%s)\n' "$nblobs" "$mb" "$repos" "$corpus"
printf 'git cat-file --batch (floor): %6.2f s  %8.0f files/s  %6.1f MB/s\n' "$floor" \
	"$(echo "$nblobs / $floor" | bc -l)" "$(echo "$mb / $floor" | bc -l)"
printf 'tgpl scan, cold:              %6.2f s  %8.0f files/s  %6.1f MB/s  = %.2fx the floor\n' "$cold" \
	"$(echo "$nblobs / $cold" | bc -l)" "$(echo "$mb / $cold" | bc -l)" "$(echo "$cold / $floor" | bc -l)"
if [ -n "$lc" ]; then
	printf 'licensecheck -r (%s files):   %6.2f s  %8.0f files/s               tgpl is %.0fx faster per file\n' \
		"$lcfiles" "$lc" "$(echo "$lcfiles / $lc" | bc -l)" \
		"$(echo "($nblobs / $cold) / ($lcfiles / $lc)" | bc -l)"
else
	echo 'licensecheck -r: not installed (apt-get install licensecheck) — comparison skipped'
fi
