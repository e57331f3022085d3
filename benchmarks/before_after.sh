#!/usr/bin/env bash
# End to end, before and after a change, in one run: `x3mat predict` windows/s on a
# zeolite (LTA, 216 windows) and a MOF (QMOF qmof-309cef3, 60 windows), every window
# evaluated (--symmetry off) with the shipped models, and training steps/s
# (x3mat-bench train iza). The two builds alternate, pinned, ROUNDS times; the best of
# each side is reported.
#
#   benchmarks/before_after.sh BEFORE_BIN AFTER_BIN [THREADS 1] [ROUNDS 3]
#     BIN: a SwiftPM release folder with x3mat-cli and x3mat-bench, e.g. a git worktree's
#     .build/release (git worktree add /tmp/before COMMIT; swift build -c release there)
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1 after=$2 threads=${3:-1} rounds=${4:-3}
cpus=$( [ "$threads" = 1 ] && echo 1 || seq -s, 0 $((threads - 1)) )
data=../shared/data
run() {  # SIDE BIN: one round of every measurement, one line each
    local side=$1 bin=$2 t0 t1
    for job in "iza-ar-uptake $data/iza/cif/LTA.cif 216" "qmof-band-gap $data/qmof/cif/qmof-309cef3.cif 60"; do
        set -- $job
        t0=$(date +%s.%N)
        env -u OPENBLAS_CORETYPE X3MAT_NUM_THREADS="$threads" taskset -c "$cpus" \
            "$bin/x3mat-cli" predict "$2" -m "$1" --symmetry off --top 0 >/dev/null
        t1=$(date +%s.%N)
        echo "$side predict $(basename "$2" .cif): $(python3 -c "print(f'{$3 / ($t1 - $t0):.1f}')") windows/s"
    done
    echo "$side train: $(env -u OPENBLAS_CORETYPE X3MAT_NUM_THREADS="$threads" taskset -c "$cpus" \
        "$bin/x3mat-bench" train iza 20 | grep -oE '[0-9.]+ steps/s' | head -1)"
}
log=$(mktemp)
for r in $(seq "$rounds"); do
    run before "$before" | tee -a "$log"
    run after "$after" | tee -a "$log"
done
python3 - "$log" <<'PY'
import re, sys, collections
best = collections.defaultdict(float)
for line in open(sys.argv[1]):
    m = re.match(r"(before|after) (.*?): ([0-9.]+)", line)
    if m:
        best[(m.group(1), m.group(2))] = max(best[(m.group(1), m.group(2))], float(m.group(3)))
print("\n| measurement | before | after | after / before |\n| --- | ---: | ---: | ---: |")
for what in dict.fromkeys(k[1] for k in best):
    b, a = best[("before", what)], best[("after", what)]
    print(f"| {what} | {b:.2f} | {a:.2f} | {a / b:.2f} |")
PY
rm -f "$log"
