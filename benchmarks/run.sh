#!/usr/bin/env bash
# Runs the benchmark harness; results go to BENCHMARKS.md by hand, with this command.
#   ./benchmarks/run.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
swift build -c release --product x3mat-bench >/dev/null
bench=.build/release/x3mat-bench
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
$bench cif "$data"
echo "sgemm, libx3mat default (OPENBLAS_CORETYPE unset):"
env -u OPENBLAS_CORETYPE $bench sgemm 2048
echo "sgemm, forced to OpenBLAS's generic fallback (what an unrecognised CPU gets):"
OPENBLAS_CORETYPE=Prescott $bench sgemm 2048
