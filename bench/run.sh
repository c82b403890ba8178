#!/bin/sh
# run.sh TGPL DATADIR — `make bench` at corpus scale (bench/RESULTS.md has the
# figures recorded and what they mean).
#
# A deterministic generated corpus (bench/gen_corpus.py: BENCH_REPOS bare
# repositories holding BENCH_FILES files, default 100 and 100,000) is
#   - read by `git cat-file --batch` (the floor: reading every blob out of git),
#   - scanned cold (empty database) with --jobs 1 and with --jobs N (N = cores),
#   - rescanned unchanged (same revisions, same database: nothing to do),
#   - rescanned warm: a new commit in every repository changing one file
#     (branch bench-warm), scanned into the same database, so only the changed
#     blobs are analysed and every file row of the new revisions is written,
# and licensecheck -r is compared with tgpl on the same files (the first
# repository checked out: licensecheck reads ~70 files/s, the whole corpus
# would take half an hour).  Peak RSS is getrusage()'s ru_maxrss of each run.
# Times are wall-clock seconds; ratios are to baselines measured in this run.
#
# Knobs: BENCH_FILES, BENCH_REPOS, BENCH_DIR (work directory; default next to
# the binary), BENCH_JOBS (N; default: the number of cores).
set -eu
tgpl=$1 datadir=$2
here=$(cd "$(dirname "$0")" && pwd)
files=${BENCH_FILES:-100000}
repos=${BENCH_REPOS:-100}
work=${BENCH_DIR:-$(dirname "$tgpl")/bench}
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
jobs=${BENCH_JOBS:-$cores}
export TGPL_DATADIR=$datadir
mkdir -p "$work"
corpus=$work/corpus-$files-$repos
spdx=$(dirname "$datadir")/../data/spdx-full.json

# measure NAME CMD...: run CMD (stdout dropped), write "seconds maxrss_kB status cpu_seconds"
# to $work/m.NAME (cpu: user + system time of CMD and its threads).
measure() {
	name=$1
	shift
	python3 - "$work/m.$name" "$@" <<'EOF'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL)
dt = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.3f %d %d %.3f\n" % (dt, ru.ru_maxrss, rc, ru.ru_utime + ru.ru_stime))
EOF
}
secs() { cut -d' ' -f1 "$work/m.$1"; }
rss_mb() { echo "$(cut -d' ' -f2 "$work/m.$1") / 1024" | bc; }
status() { cut -d' ' -f3 "$work/m.$1"; }
cpu() { cut -d' ' -f4 "$work/m.$1"; }
ratio() { echo "scale=4; $1 / $2" | bc; }
fresh_db() { rm -f "$1" "$1-wal" "$1-shm"; }
check_ok() {
	if [ "$(status "$1")" != 0 ]; then
		echo "bench: '$1' exited with status $(status "$1")" >&2
		exit 1
	fi
}

if [ ! -f "$corpus/corpus.txt" ]; then
	echo "bench: generating $files files in $repos repositories under $corpus ..."
	t0=$(date +%s)
	python3 "$here/gen_corpus.py" "$corpus" "$spdx" "$files" "$repos"
	echo "bench: generated in $(( $(date +%s) - t0 )) s"
fi
python3 "$here/gen_corpus.py" --warm "$corpus"

bytes=0 nblobs=0
for r in "$corpus"/repo*.git; do
	set -- $(git -C "$r" ls-tree -r -l main | awk '{s += $4} END {print s + 0, NR}')
	bytes=$((bytes + $1)) nblobs=$((nblobs + $2))
done
mb=$(echo "scale=1; $bytes / 1000000" | bc)

# The floor: every blob of every repository read by git, listed by ls-tree.
cat > "$work/floor.sh" <<'EOF'
for r in "$1"/repo*.git; do
	git -C "$r" ls-tree -r main | awk '{print $3}' | git -C "$r" cat-file --batch > /dev/null
done
EOF
measure floor sh "$work/floor.sh" "$corpus"
check_ok floor
# The same reads on every core: one cat-file process per repository, N at a time.
cat > "$work/floorn.sh" <<'EOF'
ls -d "$1"/repo*.git | xargs -P "$2" -I{} sh -c \
	'git -C "$1" ls-tree -r main | awk "{print \$3}" | git -C "$1" cat-file --batch > /dev/null' sh {}
EOF
measure floorn sh "$work/floorn.sh" "$corpus" "$jobs"
check_ok floorn

fresh_db "$work/j1.db"
measure cold1 "$tgpl" --quiet scan --db "$work/j1.db" --jobs 1 --corpus "$corpus/corpus.txt"
check_ok cold1
fresh_db "$work/jn.db"
measure coldn "$tgpl" --quiet scan --db "$work/jn.db" --jobs "$jobs" --corpus "$corpus/corpus.txt"
check_ok coldn
measure same "$tgpl" --quiet scan --db "$work/jn.db" --jobs "$jobs" --corpus "$corpus/corpus.txt"
check_ok same
measure warm "$tgpl" --quiet scan --db "$work/jn.db" --jobs "$jobs" --rev bench-warm \
	--corpus "$corpus/corpus.txt"
check_ok warm
analysed_warm=$(sqlite3 "$work/jn.db" 'SELECT analysed FROM scans ORDER BY id DESC LIMIT 1' 2>/dev/null || echo '?')

# licensecheck and tgpl on the same files: the first repository, checked out.
sample=$work/sample
rm -rf "$sample" && mkdir -p "$sample"
git -C "$corpus/repo000.git" archive main | tar -x -C "$sample"
nsample=$(find "$sample" -type f | wc -l)
fresh_db "$work/sample.db"
measure tsample "$tgpl" --quiet scan --db "$work/sample.db" --jobs "$jobs" "$sample"
check_ok tsample
lc=
if command -v licensecheck > /dev/null 2>&1; then
	measure lc licensecheck -r "$sample"
	lc=$(secs lc)
fi

floor=$(secs floor) cold1=$(secs cold1) coldn=$(secs coldn) same=$(secs same) warm=$(secs warm)
line() {   # label seconds
	printf '%-44s %7.2f s %8.0f files/s %7.1f MB/s' "$1" "$2" "$(ratio "$nblobs" "$2")" "$(ratio "$mb" "$2")"
}
echo
echo "corpus: $nblobs files, $mb MB in $repos bare repositories ($corpus)"
echo "machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'),"\
" $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo 2>/dev/null) RAM;"\
" tgpl $("$tgpl" --version | cut -d' ' -f2), engine $(sqlite3 "$work/jn.db" 'SELECT engine FROM scans LIMIT 1' 2>/dev/null || echo '?')"
line "git cat-file --batch (the floor)" "$floor"; echo
line "the floor on $jobs cores ($jobs processes)" "$(secs floorn)"; echo
line "tgpl scan, cold, --jobs 1" "$cold1"
printf '  %5.2fx floor  peak RSS %4s MB  cpu %.2f s\n' "$(ratio "$cold1" "$floor")" "$(rss_mb cold1)" "$(cpu cold1)"
line "tgpl scan, cold, --jobs $jobs" "$coldn"
printf '  %5.2fx floor (%.2fx on %s cores)  peak RSS %4s MB  cpu %.2f s\n' "$(ratio "$coldn" "$floor")" \
	"$(ratio "$coldn" "$(secs floorn)")" "$jobs" "$(rss_mb coldn)" "$(cpu coldn)"
printf '%-44s %7.2f s  (%.1f%% of cold)  peak RSS %s MB\n' "tgpl rescan, unchanged corpus" "$same" \
	"$(echo "scale=4; 100 * $same / $coldn" | bc)" "$(rss_mb same)"
printf '%-44s %7.2f s  (%.1f%% of cold; %s blobs analysed)  peak RSS %s MB  cpu %.2f s\n' \
	"tgpl rescan, warm: 1 file changed per repo" "$warm" \
	"$(echo "scale=4; 100 * $warm / $coldn" | bc)" "$analysed_warm" "$(rss_mb warm)" "$(cpu warm)"
printf '%-44s %5.2fx\n' "speed-up, --jobs $jobs vs --jobs 1" "$(ratio "$cold1" "$coldn")"
tsample=$(secs tsample)
if [ -n "$lc" ]; then
	printf 'same %s files on disk: licensecheck -r %.2f s (%.0f files/s), tgpl scan %.2f s: tgpl %.0fx faster\n' \
		"$nsample" "$lc" "$(ratio "$nsample" "$lc")" "$tsample" "$(ratio "$lc" "$tsample")"
	printf 'by rate: tgpl cold (--jobs %s) %.0fx licensecheck files/s\n' "$jobs" \
		"$(echo "($nblobs / $coldn) / ($nsample / $lc)" | bc -l)"
else
	echo 'licensecheck -r: not installed (apt-get install licensecheck) — comparison skipped'
fi

# The targets of issue 7 (2-core machine).
verdict() { if [ "$(echo "$1" | bc)" = 1 ]; then echo "met"; else echo "NOT met"; fi; }
echo
echo "targets:"
printf '  cold scan within 2x the git floor:        %5.2fx  %s\n' "$(ratio "$coldn" "$floor")" \
	"$(verdict "$coldn <= 2 * $floor")"
printf '  rescan of an unchanged corpus at most 10%% of cold: %5.1f%%  %s\n' \
	"$(echo "scale=4; 100 * $same / $coldn" | bc)" "$(verdict "$same <= 0.1 * $coldn")"
printf '    (stricter: one file changed per repository:  %5.1f%%  %s)\n' \
	"$(echo "scale=4; 100 * $warm / $coldn" | bc)" "$(verdict "$warm <= 0.1 * $coldn")"
printf '  %s jobs at least 1.7x faster than 1:       %5.2fx  %s\n' "$jobs" \
	"$(ratio "$cold1" "$coldn")" "$(verdict "$cold1 >= 1.7 * $coldn")"
printf '  peak memory under 256 MB:                 %5s MB  %s\n' "$(rss_mb coldn)" \
	"$(verdict "$(rss_mb coldn) < 256 && $(rss_mb cold1) < 256 && $(rss_mb warm) < 256")"
if [ -n "$lc" ]; then
	printf '  at least 50x faster than licensecheck -r: %5.0fx  %s\n' "$(ratio "$lc" "$tsample")" \
		"$(verdict "$lc >= 50 * $tsample")"
fi
