#!/bin/sh
# accuracy.sh BUILD [DATADIR] — the text matcher's accuracy, for `make bench`.
#
# 1. The labelled set derived from every SPDX reference text (full, reflowed,
#    in comments, copyright filled, pairs, truncated, embedded, with a rider):
#    per-category accuracy, precision and recall, from BUILD/tests/check_accuracy.
# 2. If the development sets are next to the project (../shared/eval-dev, or
#    $TGPL_EVAL_DIR), their scores: once for every detector together and once
#    for licence-text hits only (kind "text").
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
datadir=${2:-$build/share/tgpl}
case $build in /*) ;; *) build=$root/$build ;; esac
case $datadir in /*) ;; *) datadir=$root/$datadir ;; esac
export TGPL_DATADIR=$datadir

if [ -x "$build/tests/check_accuracy" ]; then
	TGPL_ACCURACY_TABLE=1 CK_DEFAULT_TIMEOUT=600 "$build/tests/check_accuracy"
else
	echo "accuracy: $build/tests/check_accuracy not built (make BUILD=$build $build/tests/check_accuracy)" >&2
fi

if [ -x "$build/tests/check_accuracy_notices" ]; then
	TGPL_ACCURACY_TABLE=1 CK_DEFAULT_TIMEOUT=600 "$build/tests/check_accuracy_notices"
fi

eval_dir=${TGPL_EVAL_DIR:-$root/../shared/eval-dev}
if [ -x "$build/tgpl" ] && [ -f "$eval_dir/score.py" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# the same scorer, counting only licence-text hits
	sed 's/if l.get("spdx")}/if l.get("spdx") and l.get("kind") == "text"}/' \
		"$eval_dir/score.py" > "$tmp/score_text.py"
	for set in glc-scenarios licensee-fixtures; do
		[ -d "$eval_dir/$set" ] || continue
		echo "== $set, all detectors"
		python3 "$eval_dir/score.py" "$build/tgpl" "$eval_dir/$set" | tail -2
		echo "== $set, licence texts only"
		python3 "$tmp/score_text.py" "$build/tgpl" "$eval_dir/$set" | tail -2
	done
fi
