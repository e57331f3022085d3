#!/usr/bin/env bash
# Data-efficiency curve on QMOF band gaps (paper Fig. 2i): the same 180 validation
# structures, training sets of 100, 300 and 1000 structures (nested seeded subsets of
# one split), windows R = 6 A on a 3 A grid, steps of 8 structures x 4 windows. Budget: the
# same number of optimizer steps ($STEPS, default 200) for each size, or with EPOCHS="E1 E2 E3"
# that many epochs for each size (so that each converges). Prints validation MAE/RMSE/R2 on
# all windows of the validation structures next to the mean predictor of each training set,
# and the epoch that was best on validation.
#
#   ./benchmarks/data_efficiency.sh [../shared/data] [runs/qmof-curve]
#   EPOCHS="30 20 10" ./benchmarks/data_efficiency.sh      # the converged curve of BENCHMARKS.md
#   SIZES="1000" EPOCHS="10" ./benchmarks/data_efficiency.sh  # one size (the split is the same)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
out=${2:-runs/qmof-curve}
x3mat=${X3MAT:-build/bin/x3mat}
steps=${STEPS:-200}
mkdir -p "$out"
read -r -a sizes <<< "${SIZES:-100 300 1000}"
read -r -a per_size <<< "${EPOCHS:-}"
for i in "${!sizes[@]}"; do
    n=${sizes[$i]}
    epochs=$(( (steps * 8 + n - 1) / n ))   # about $steps steps of 8 structures
    [ -n "${per_size[$i]:-}" ] && epochs=${per_size[$i]}
    [ -f "$out/n$n/evaluation.json" ] && continue
    resume=""
    [ -f "$out/n$n/checkpoint.safetensors" ] && resume="--resume"
    if [ -n "$resume" ]; then
        "$x3mat" train "$data/qmof" --target band_gap_eV --output "$out/n$n" --limit 1200 --resume
    else
        "$x3mat" train "$data/qmof" --target band_gap_eV --output "$out/n$n" --limit 1200 --validation 0.15 \
            --training-limit "$n" --epochs "$epochs" --window-radius 6 --window-step 3 --validation-windows 2
    fi
done
python3 - "$data/qmof/labels.csv" "$out" "${sizes[*]}" <<'PY'
import csv, json, sys, pathlib
import numpy as np
labels = {r["qmof_id"]: float(r["band_gap_eV"]) for r in csv.DictReader(open(sys.argv[1]))}
print(f"{'training structures':>20s} {'X3mat MAE':>10s} {'RMSE':>7s} {'R2':>6s} {'mean-predictor MAE':>19s} {'best epoch':>11s}")
for n in [int(x) for x in sys.argv[3].split()]:
    d = pathlib.Path(sys.argv[2]) / f"n{n}"
    if not (d / "evaluation.json").exists():
        print(f"{n:>20d}  (not finished)")
        continue
    ev = json.load(open(d / "evaluation.json"))["validation"]["targets"]["band_gap_eV"]
    split = list(csv.DictReader(open(d / "split.csv")))
    train = np.array([labels[r["id"]] for r in split if r["set"] == "train"])
    val = np.array([labels[r["id"]] for r in split if r["set"] == "validation"])
    log = list(csv.DictReader(open(d / "metrics.csv")))
    best = [r["epoch"] for r in log if r["best"] == "1"][-1]
    print(f"{len(train):>20d} {ev['mae']:>10.3f} {ev['rmse']:>7.3f} {ev['r2']:>6.3f} {np.mean(np.abs(val - train.mean())):>19.3f} {best + '/' + log[-1]['epoch']:>11s}")
PY
