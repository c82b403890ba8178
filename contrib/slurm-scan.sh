#!/bin/sh
# contrib/slurm-scan.sh — scan a corpus as a Slurm job array, one array task
# per shard, then merge the shard databases in a job that waits for them.
#
# Submit (from a login node):
#   sh contrib/slurm-scan.sh submit CORPUS OUTDIR SHARDS [SBATCH-OPTION...]
#
# This submits
#   1. an array of SHARDS tasks; task K runs
#        tgpl scan --db OUTDIR/shard-K.db --corpus CORPUS --shard K/SHARDS
#      (the corpus lines whose 0-based index modulo SHARDS is K), with
#      --jobs = the task's CPUs ($SLURM_CPUS_PER_TASK);
#   2. a merge job (--dependency=afterany on the array) that runs
#        tgpl merge OUTDIR/corpus.db OUTDIR/shard-*.db
#      and fails when a shard database is missing.
# SBATCH-OPTIONs (e.g. --partition=cpu --cpus-per-task=8 --time=04:00:00) go
# to the array; logs go to OUTDIR/logs/.  A failed task can be run again
# alone (sbatch --array=K ...) and the merge repeated: merging is idempotent.
#
# Environment: TGPL (the program, default `tgpl`; must exist on the compute
# nodes), TGPL_SCAN_OPTS (more `tgpl scan` options, e.g.
# "--cache-dir /scratch/$USER/tgpl"; split on blanks).  CORPUS and OUTDIR
# must be on a file system the nodes share; relative corpus paths are taken
# from the corpus file's directory, URLs are cloned into the cache.
set -eu

tgpl=${TGPL:-tgpl}
mode=${1:-}

case $mode in
submit)
	[ $# -ge 4 ] || { echo "usage: $0 submit CORPUS OUTDIR SHARDS [SBATCH-OPTION...]" >&2; exit 2; }
	corpus=$2 outdir=$3 shards=$4
	shift 4
	case $shards in ''|*[!0-9]*|0) echo "$0: SHARDS must be a positive number" >&2; exit 2 ;; esac
	[ -r "$corpus" ] || { echo "$0: cannot read corpus '$corpus'" >&2; exit 2; }
	mkdir -p "$outdir/logs"
	corpus=$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")
	outdir=$(cd "$outdir" && pwd)
	script=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
	array=$(sbatch --parsable --job-name=tgpl-scan --array="0-$((shards - 1))" \
		--output="$outdir/logs/shard-%a.log" --export=ALL "$@" \
		"$script" shard "$corpus" "$outdir" "$shards")
	array=${array%%;*}   # "jobid;cluster" on federated clusters
	merge=$(sbatch --parsable --job-name=tgpl-merge --dependency="afterany:$array" \
		--output="$outdir/logs/merge.log" --export=ALL \
		"$script" merge "$corpus" "$outdir" "$shards")
	echo "submitted scan array $array ($shards shards) and merge job ${merge%%;*}"
	echo "result: $outdir/corpus.db"
	;;
shard)
	corpus=$2 outdir=$3 shards=$4
	k=${SLURM_ARRAY_TASK_ID:?not running as a Slurm array task}
	# shellcheck disable=SC2086 # TGPL_SCAN_OPTS is a list of options
	exec "$tgpl" --quiet scan ${TGPL_SCAN_OPTS:-} --jobs "${SLURM_CPUS_PER_TASK:-1}" \
		--db "$outdir/shard-$k.db" --corpus "$corpus" --shard "$k/$shards"
	;;
merge)
	outdir=$3 shards=$4
	set --
	missing=0 k=0
	while [ "$k" -lt "$shards" ]; do
		if [ -f "$outdir/shard-$k.db" ]; then
			set -- "$@" "$outdir/shard-$k.db"
		else
			echo "$0: shard $k/$shards produced no database (see $outdir/logs/shard-$k.log)" >&2
			missing=1
		fi
		k=$((k + 1))
	done
	status=0
	[ $# -eq 0 ] || "$tgpl" merge --keep-going "$outdir/corpus.db" "$@" || status=3
	[ $missing = 0 ] || status=3
	exit $status
	;;
*)
	echo "usage: $0 submit CORPUS OUTDIR SHARDS [SBATCH-OPTION...]" >&2
	exit 2
	;;
esac
