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
echo "window sampling (cell list vs brute-force reference, same run):"
$bench windows "$data"
if python3 -c "import x3mat" 2>/dev/null || [ -e build/lib/libx3mat.so.0 ]; then
    echo "window sampling through Python vs the NumPy brute force of the tests:"
    X3MAT_LIBRARY=${X3MAT_LIBRARY:-$PWD/build/lib/libx3mat.so.0} \
    PYTHONPATH=bindings/python:bindings/python/tests python3 benchmarks/windows_numpy.py "$data"
fi
echo "site hashing, libx3mat vs NetworkX on the same graphs (every IZA window; MOF samples):"
X3MAT_LIBRARY=${X3MAT_LIBRARY:-$PWD/build/lib/libx3mat.so.0} \
PYTHONPATH=bindings/python python3 benchmarks/sites_networkx.py "$data"
echo "x3mat sites on the whole IZA set (read, windows, graphs, hashes, catalogue):"
/usr/bin/time -f "  %e s wall, %M KiB peak RSS" build/bin/x3mat sites "$data/iza" --radius 6 --step 2 \
    --remove O:contract --top 5 2>&1 | grep -v "structures, .* ETA"
echo "equivariant network (data-parallel over 2 threads; each in its own process for its peak RSS):"
for dataset in zeolite mof; do
    $bench network default "$dataset" 16
    $bench network large "$dataset" 4
done
echo "training (default configuration; trainer steps of 8 structures x 4 windows) and prediction:"
for dataset in iza qmof qmof-r8; do
    $bench train "$dataset" 20
done
echo "interpretation: a whole explanation vs the prediction alone (same run), and strongest sites with a model:"
$bench explain "$data"
/usr/bin/time -f "  %e s wall, %M KiB peak RSS" build/bin/x3mat sites "$data/iza" -m iza-ar-uptake --remove O:contract \
    --top 5 --limit 40 2>&1 | grep -v "structures, .* ETA"
echo "baselines on the shipped model's split (mean predictor, random forest on pore descriptors; needs scikit-learn):"
python3 -c "import sklearn" 2>/dev/null && python3 benchmarks/baselines.py models/iza-ar-uptake ../shared/data/iza ar_uptake_mol_kg \
    --descriptors density_g_cm3,pld_A,lcd_A,surface_area_m2_g,probe_occupiable_volume_cm3_g,probe_occupiable_fraction \
    || echo "  (skipped: pip install scikit-learn)"
