#!/usr/bin/env bash
# libx3mat's network against the reference PyTorch EquiformerV2 (../shared/peer), side by
# side in one run: the same MEL windows (sampling order, batch q = windows qB..(q+1)B-1,
# 2 warm-up + 5 timed batches, median), the same thread count, pinned to the same cores,
# the two sides alternating, ROUNDS rounds each; prints every run and, per batch and
# thread count, the best windows/s of each side and the ratio. A benchmark, not a test.
#
#   benchmarks/peer.sh [CONFIG (small|paper)] [BATCHES "4 8 16 32"] [THREADS "1 2"] [ROUNDS 2]
#
# Needs the reference's venv (../shared/peer/setup.sh; $PEER_PYTHON overrides it) and
# x3mat-bench (swift build -c release --product x3mat-bench). OPENBLAS_CORETYPE is unset
# so that libx3mat chooses OpenBLAS's kernels from the CPU, as it does for users.
# X3MAT_BENCH_BEFORE=PATH adds a third side, an x3mat-bench built from an earlier commit
# (e.g. a git worktree), alternating with the other two: before/after in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-small} batches=${2:-"4 8 16 32"} thread_counts=${3:-"1 2"} rounds=${4:-2}
python=${PEER_PYTHON:-$HOME/.cache/x3mat-peer/venv/bin/python}
peer=../shared/peer/peer_eqv2.py
bench=.build/release/x3mat-bench
[ -x "$python" ] || { echo "no reference venv at $python: run ../shared/peer/setup.sh"; exit 1; }
[ -x "$bench" ] || swift build -c release --product x3mat-bench >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; $(date -u +%F)"
echo "config $config; batches $batches; threads $thread_counts; $rounds rounds, alternating"
for threads in $thread_counts; do
    cpus=$( [ "$threads" = 1 ] && echo 1 || seq -s, 0 $((threads - 1)) )
    for batch in $batches; do
        for round in $(seq "$rounds"); do
            if [ -n "${X3MAT_BENCH_BEFORE:-}" ]; then
                env -u OPENBLAS_CORETYPE X3MAT_NUM_THREADS="$threads" taskset -c "$cpus" \
                    "$X3MAT_BENCH_BEFORE" peer "$config" "$batch" 2 5 | sed 's/^libx3mat/before  /' \
                    | tee -a "$out/before-$threads-$batch"
            fi
            env -u OPENBLAS_CORETYPE X3MAT_NUM_THREADS="$threads" taskset -c "$cpus" \
                "$bench" peer "$config" "$batch" 2 5 | tee -a "$out/x3mat-$threads-$batch"
            taskset -c "$cpus" "$python" "$peer" --configs "$config" --probe-only --batch "$batch" --paper-batch "$batch" --warmup 2 \
                --timed 5 --threads "$threads" --sequential --json "$out/peer-$threads-$batch-$round.json" \
                >/dev/null 2>&1 || { echo "reference failed (batch $batch, $threads threads)"; continue; }
            python3 - "$out/peer-$threads-$batch-$round.json" <<'PY' | tee -a "$out/peer-$threads-$batch"
import json, sys
r = json.load(open(sys.argv[1]))[0]
print(f"PyTorch  {r['config']} batch {r['batch']} threads {r['threads']}: fwd {r['fwd_wps']:.2f} win/s, "
      f"fwd+bwd {r['fwdbwd_wps']:.2f} win/s, peak RSS {r['peak_rss_mb']:.0f} MB")
PY
        done
    done
done
echo
echo "best of $rounds rounds (windows/s):"
printf "%-8s %6s %7s | %10s %10s %6s | %10s %10s %6s | %9s %9s\n" config threads batch \
    "x3mat fwd" "torch fwd" ratio "x3mat f+b" "torch f+b" ratio "x3mat RSS" "torch RSS"
for threads in $thread_counts; do
    for batch in $batches; do
        python3 - "$out/x3mat-$threads-$batch" "$out/peer-$threads-$batch" "$config" "$threads" "$batch" \
            "$out/before-$threads-$batch" <<'PY'
import re, sys
def best(path):
    try:
        lines = open(path).read().splitlines()
    except FileNotFoundError:
        return None
    f = [float(re.search(r"fwd ([0-9.]+)", l).group(1)) for l in lines]
    b = [float(re.search(r"fwd\+bwd ([0-9.]+)", l).group(1)) for l in lines]
    m = [float(re.search(r"peak RSS ([0-9.]+)", l).group(1)) for l in lines]
    return max(f), max(b), max(m)
x, t, before = best(sys.argv[1]), best(sys.argv[2]), best(sys.argv[6])
cfg, th, b = sys.argv[3:6]
if x and t:
    line = (f"{cfg:<8} {th:>6} {b:>7} | {x[0]:10.2f} {t[0]:10.2f} {x[0] / t[0]:6.2f} | {x[1]:10.2f} {t[1]:10.2f} "
            f"{x[1] / t[1]:6.2f} | {x[2]:6.0f} MiB {t[2]:6.0f} MB")
    if before:
        line += f" | before {before[0]:.2f} / {before[1]:.2f} (x{x[0] / before[0]:.2f} / x{x[1] / before[1]:.2f})"
    print(line)
PY
    done
done
