#!/usr/bin/env bash
# Runs benchmarks/search.py as one worker per CPU on one shared study: each worker pinned
# to its CPU with taskset, one thread, its own sampler seed (1, 2, ...). First marks the
# trials a kill interrupted as failed, so rerunning this script resumes the study.
#
#   benchmarks/search_workers.sh TRIALS_PER_WORKER DATA_DIR TARGET WORKDIR [search.py options...]
#
# Each worker's output goes to WORKDIR/worker-K.log; at the end the best trials are
# printed (and written to WORKDIR/best.json) by a last `--trials 0` pass.
set -euo pipefail
if [ $# -lt 4 ]; then
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
trials=$1; shift
data=$1 target=$2 workdir=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$workdir"
python3 "$here/search.py" "$data" "$target" "$workdir" --trials 0 "$@" > /dev/null
cpus=$(nproc)
pids=()
for ((k = 0; k < cpus; k++)); do
    taskset -c "$k" python3 "$here/search.py" "$data" "$target" "$workdir" --trials "$trials" --threads 1 \
        --sampler-seed $((k + 1)) "$@" > "$workdir/worker-$k.log" 2>&1 &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
python3 "$here/search.py" "$data" "$target" "$workdir" --trials 0 "$@"
exit $status
