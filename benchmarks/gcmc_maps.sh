#!/bin/bash
# Runs x3mat-gcmc (with the shipped iza-ar-uptake model) on IZA frameworks, one after the
# other on one pinned core, and keeps each run's output and per-window CSV; then
# benchmarks/gcmc_report.py turns the outputs into the tables of BENCHMARKS.md.
#
#   benchmarks/gcmc_maps.sh OUTDIR INIT_CYCLES CYCLES CORE FRAMEWORK... [-- EXTRA OPTIONS]
#
# e.g. benchmarks/gcmc_maps.sh runs/gcmc-maps 2000 4000 0 ABW ANA BIK
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${X3MAT_SHARED_DATA:-$here/../shared/data}"
program="${X3MAT_GCMC:-$here/build/bin/x3mat-gcmc}"
out="$1"; init="$2"; cycles="$3"; core="$4"; shift 4
frameworks=(); extra=()
while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
    frameworks+=("$1"); shift
done
mkdir -p "$out"
for f in "${frameworks[@]}"; do
    echo "$(date +%T) $f" >&2
    X3MAT_SHARED_DATA="$shared" /usr/bin/time -f "wall %e s, max RSS %M KiB" taskset -c "$core" "$program" \
        "$shared/iza/cif/$f.cif" --init-cycles "$init" --cycles "$cycles" --quiet \
        --windows-out "$out/$f.windows.csv" "${extra[@]}" > "$out/$f.txt" 2>&1 || echo "$f failed" >&2
done
