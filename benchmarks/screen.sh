#!/usr/bin/env bash
# Screening throughput: `x3mat screen` against the one-structure-at-a-time
# `x3mat predict DIR` of an earlier build, in one run, the two alternating, with the
# shipped model of each dataset (default: iza-ar-uptake on the 190 IZA zeolites).
# Prints per side: wall time, structures/s, windows evaluated/s and peak RSS
# (/usr/bin/time). OPENBLAS_CORETYPE is unset, as in the other benchmarks.
#
#   benchmarks/screen.sh BEFORE_CLI [INPUT iza] [MODEL iza-ar-uptake] [THREADS 2] [ROUNDS 2]
#     BEFORE_CLI: an x3mat-cli built from an earlier commit (git worktree add /tmp/before
#     COMMIT; swift build -c release --product x3mat-cli there)
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1 input=${2:-../shared/data/iza} model=${3:-iza-ar-uptake} threads=${4:-2} rounds=${5:-2}
after=.build/release/x3mat-cli
[ -x "$after" ] || swift build -c release --product x3mat-cli >/dev/null
cpus=$(seq -s, 0 $((threads - 1)))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; $(date -u +%F); $threads threads; input $input; model $model"
side() {  # NAME COMMAND...: one timed run
    local name=$1; shift
    env -u OPENBLAS_CORETYPE X3MAT_NUM_THREADS="$threads" taskset -c "$cpus" /usr/bin/time -f "%e %M" -o "$out/time" \
        "$@" >"$out/stdout" 2>"$out/stderr"
    read -r wall rss <"$out/time"
    echo "$name: $wall s, peak RSS $((rss / 1024)) MiB"
}
for r in $(seq "$rounds"); do
    side "predict DIR (before)" "$before" predict "$input" -m "$model" --top 0 -o "$out/before.csv"
    rm -f "$out"/screen*.csv
    side "screen (after)      " "$after" screen "$input" -m "$model" -o "$out/screen.csv"
    tail -1 "$out/stdout"
done
python3 - "$out/before.csv" "$out/screen.csv" <<'PY'
import csv, sys
a = {r["id"]: r for r in csv.DictReader(open(sys.argv[1]))}
b = {r["id"]: r for r in csv.DictReader(open(sys.argv[2]))}
cols = [c for c in next(iter(b.values())) if c not in ("id", "path", "windows", "evaluated")]
worst = max(abs(float(a[k][c]) - float(b[k][c])) / max(1.0, abs(float(a[k][c]))) for k in b for c in cols)
print(f"{len(b)} structures in both; largest relative difference of the predictions: {worst:.1e}")
PY
