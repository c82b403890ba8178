#!/bin/sh
# contrib/parallel-scan.sh — scan a corpus in N shards with GNU parallel, on
# this machine or on SSH hosts, then merge the shard databases into one.
#
# usage: parallel-scan.sh [-n SHARDS] [-j JOBS] [-S HOSTS] [-w WORKDIR] CORPUS OUT.db
#
#   -n SHARDS   how many shards to cut the corpus into (default: 4 per host, or
#               the number of cores here); shard K scans the corpus lines whose
#               0-based index modulo SHARDS is K (tgpl scan --shard K/SHARDS)
#   -j JOBS     shards running at once per host (default: 1 — each `tgpl scan`
#               already runs detection on every core of its host)
#   -S HOSTS    GNU parallel's --sshlogin list ("host1,host2", "4/user@host", ":" is
#               this machine).  tgpl must be installed on every host; the corpus
#               file is copied to them, so its lines must be URLs or paths that
#               exist on the hosts; each shard database is copied back and the
#               remote copies removed.
#   -w WORKDIR  where the shard databases go (default: OUT.db.shards/); kept after
#               the merge so that a failed shard can be scanned again alone
#
# Environment: TGPL (the program, default `tgpl`), TGPL_SCAN_OPTS (more options
# for every `tgpl scan`, e.g. "--cache-dir /scratch/tgpl --max-file-size 1000000";
# split on blanks).
#
# Exit status: 0 when every shard scanned every repository and the merge
# succeeded; 3 otherwise (the merge still runs over every shard database that
# exists, so the output holds everything that could be scanned).
#
# Examples:
#   contrib/parallel-scan.sh -n 8 corpus.txt corpus.db
#   contrib/parallel-scan.sh -S 8/build1,8/build2 -n 32 urls.txt corpus.db
set -eu

tgpl=${TGPL:-tgpl}
shards= jobs=1 hosts= work=
while getopts n:j:S:w: opt; do
	case $opt in
	n) shards=$OPTARG ;;
	j) jobs=$OPTARG ;;
	S) hosts=$OPTARG ;;
	w) work=$OPTARG ;;
	*) echo "usage: $0 [-n SHARDS] [-j JOBS] [-S HOSTS] [-w WORKDIR] CORPUS OUT.db" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 2 ]; then
	echo "usage: $0 [-n SHARDS] [-j JOBS] [-S HOSTS] [-w WORKDIR] CORPUS OUT.db" >&2
	exit 2
fi
corpus=$1 out=$2
command -v parallel > /dev/null 2>&1 || { echo "$0: GNU parallel is not installed" >&2; exit 2; }
[ -r "$corpus" ] || { echo "$0: cannot read corpus '$corpus'" >&2; exit 2; }
if [ -z "$shards" ]; then
	if [ -n "$hosts" ]; then
		shards=$(( 4 * $(echo "$hosts" | tr ',' '\n' | grep -c .) ))
	else
		shards=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
	fi
fi
case $shards in ''|*[!0-9]*|0) echo "$0: -n takes a positive number, not '$shards'" >&2; exit 2 ;; esac
work=${work:-$out.shards}
mkdir -p "$work"
corpus_abs=$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")
# Shard databases of an earlier run with another -n would be merged too: start clean.
rm -f "$work"/shard-*.db "$work"/shard-*.db-wal "$work"/shard-*.db-shm

# shellcheck disable=SC2086 # TGPL_SCAN_OPTS is a list of options
status=0
if [ -z "$hosts" ]; then
	# -q: parallel quotes each argument itself; nothing goes through a shell unquoted.
	parallel -q --jobs "$jobs" --halt never \
		"$tgpl" --quiet scan ${TGPL_SCAN_OPTS:-} --db "$work/shard-{}.db" \
		--corpus "$corpus_abs" --shard "{}/$shards" \
		::: $(seq 0 $((shards - 1))) || status=3
else
	# Remote: run in a scratch directory per host, send the corpus once per
	# host (--basefile), bring each shard back (--return) and clean up.
	cp "$corpus_abs" "$work/corpus.txt"
	(cd "$work" && parallel -q --sshlogin "$hosts" --jobs "$jobs" --halt never \
		--workdir ... --basefile corpus.txt --return 'shard-{}.db' --cleanup \
		"$tgpl" --quiet scan ${TGPL_SCAN_OPTS:-} --db 'shard-{}.db' \
		--corpus corpus.txt --shard "{}/$shards" \
		::: $(seq 0 $((shards - 1)))) || status=3
fi

# Merge what exists; a shard that produced no database is reported.
set --
k=0
while [ "$k" -lt "$shards" ]; do
	if [ -f "$work/shard-$k.db" ]; then
		set -- "$@" "$work/shard-$k.db"
	else
		echo "$0: shard $k/$shards produced no database" >&2
		status=3
	fi
	k=$((k + 1))
done
if [ $# -gt 0 ]; then
	"$tgpl" merge --keep-going "$out" "$@" || status=3
fi
exit $status
