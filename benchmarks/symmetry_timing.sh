#!/usr/bin/env bash
# Symmetry-reduced windows against every window, same run, pinned to both cores:
# `x3mat predict` on LTA, FAU and a CoRE MOF (three repeats, alternating on/off), then
# `x3mat sites` over the whole IZA set once each way. Results go to BENCHMARKS.md by hand.
#   ./benchmarks/symmetry_timing.sh [DATA_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
out=${2:-build/symmetry-timing}
mkdir -p "$out"
x3mat=build/bin/x3mat
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
for f in iza/cif/LTA.cif iza/cif/FAU.cif coremof/cif/ABAVIJ_clean.cif; do
    model=iza-ar-uptake
    case $f in coremof/*) model=coremof-co2-ch4 ;; esac
    for rep in 1 2 3; do
        for symmetry in on off; do
            t=$( { /usr/bin/time -f "%e" taskset -c 0,1 $x3mat predict --model $model "$data/$f" --top 0 \
                   --symmetry $symmetry >"$out/predict.out"; } 2>&1 )
            echo "$f symmetry $symmetry, repeat $rep: $t s | $(grep -E ' atoms; ' "$out/predict.out") |" \
                 "$(grep ' = ' "$out/predict.out" | tr -s ' \n' ' ')"
        done
    done
done
for symmetry in on off; do
    echo "x3mat sites $data/iza -m iza-ar-uptake --symmetry $symmetry:"
    /usr/bin/time -f "  %e s wall, %M KiB peak RSS" taskset -c 0,1 $x3mat sites "$data/iza" -m iza-ar-uptake \
        --symmetry $symmetry --output "$out/sites-$symmetry" 2>&1 | grep -E "structures, .* windows|wall" | grep -v ETA
done
for symmetry in on off; do
    echo "one IZA training epoch (the shipped model's command, --epochs 1), --symmetry $symmetry:"
    rm -rf "$out/epoch-$symmetry"
    /usr/bin/time -f "  %e s wall (epoch and the final evaluation of all validation windows)" taskset -c 0,1 \
        $x3mat train "$data/iza" --target ar_uptake_mol_kg --output "$out/epoch-$symmetry" --epochs 1 \
        --validation-windows 32 --symmetry $symmetry 2>&1 | grep -E "wall|window cache|validation"
    echo "  metrics.csv: $(tail -1 "$out/epoch-$symmetry/metrics.csv")"
done
