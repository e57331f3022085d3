"""k-fold cross-validation of `x3mat train`, next to the baselines on exactly the same
splits, and the fold models as an ensemble on a held-out test set with the calibration
of its uncertainty.

  python3 benchmarks/cross_validation.py DATA_DIR TARGET WORKDIR [--folds 5] [--test 0.2]
      [--descriptors col1,col2,... | --composition] [--jobs 1] [--calibration likelihood|coverage]
      [--x3mat build/bin/x3mat] [-- TRAIN_ARGS...]

1. A test set (--test of the structures, seeded) is held out; the rest is cut into k
   folds (`x3mat train --folds K --fold I --test F`), and fold I's model is trained on
   the other folds and validated on fold I (all windows). Runs live in WORKDIR/foldI and
   are resumed or skipped when a rerun finds them (checkpoint / evaluation.json).
   --jobs N trains N folds at once, each pinned to its own CPU with one thread (its output
   in WORKDIR/foldI/train.log); a run's result depends on its thread count, so keep N
   the same when resuming.
   Arguments after `--` go to every `x3mat train` (e.g. --epochs 60 --config c.json).
2. Per fold, on its validation set: X(3)mat, the mean predictor of its training set and
   (with --descriptors or --composition, as benchmarks/baselines.py) a random forest
   trained on its training set. Reported: each fold, and mean ± standard deviation over
   the folds (ddof 1).
3. The k fold models as one ensemble (`x3mat ensemble`, WORKDIR/ensemble.safetensors),
   evaluated on the test set, which no member saw: MAE/RMSE/R² of the members' mean, and
   the share of test labels within ±1σ and ±2σ of it (σ: the members' standard
   deviation); next to the mean predictor and the forest trained on all non-test
   structures.
4. With 4 or more test structures, the ensemble's spread scale is fitted (`x3mat
   evaluate --calibrate`, by --calibration likelihood or coverage) on a seeded half of them, giving
   WORKDIR/ensemble_calibrated.safetensors, and the other half's labels within ±1σ and
   ±2σ are counted before and after. WORKDIR/summary.json keeps every number.
Needs numpy, and scikit-learn for the forest.
"""
import argparse
import csv
import json
import pathlib
import subprocess
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from baselines import features, forest, metrics, train_in_parallel, train_once  # noqa: E402  (the same forest as baselines.py)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def forest_for(args, train, other, by_id, y_train):
    """The forest's predictions for `other`, trained on `train`; None without descriptors."""
    if not (args.descriptors or args.composition):
        return None
    x = features(args.data_dir, by_id, train + other, args.descriptors, args.composition)
    return forest(x[:len(train)], y_train, x[len(train):])


def train_fold(args, i, cpu=None):
    return train_once(args.x3mat, args.data_dir, args.target, args.workdir / f"fold{i}",
                      ["--folds", args.folds, "--fold", i, "--test", args.test, *args.train_args], f"fold {i}", cpu)


def spread_scale(model):
    """The spread scale a model file records (1 when it has none)."""
    raw = pathlib.Path(model).read_bytes()
    meta = json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])["__metadata__"]
    return json.loads(meta.get("spread_scale", "[1]"))[0]


def calibrate(args, ensemble, ids, y, pred, std):
    """The ensemble's spread scale fitted by `x3mat evaluate --calibrate` on a seeded half
    of the test set (WORKDIR/ensemble_calibrated.safetensors), and the shares of the other
    half's labels within ±1σ and ±2σ before and after scaling."""
    order = np.random.default_rng(0).permutation(len(ids))
    fit = set(order[:len(ids) // 2].tolist())
    split = args.workdir / "calibration_split.csv"
    split.write_text("id,set\n" + "".join(f"{k},{'calibration' if i in fit else 'check'}\n" for i, k in enumerate(ids)))
    calibrated = args.workdir / "ensemble_calibrated.safetensors"
    subprocess.run([str(args.x3mat), "evaluate", "--model", str(ensemble), str(args.data_dir), "--target", args.target,
                    "--split", f"{split}:calibration", "--calibrate", str(calibrated), "--calibration", args.calibration], check=True, stdout=subprocess.DEVNULL)
    factor = spread_scale(calibrated)
    check = np.array([i not in fit for i in range(len(ids))])
    z = np.abs(y - pred)[check] / std[check]
    before = (float(np.mean(z <= 1)), float(np.mean(z <= 2)))
    after = (float(np.mean(z <= factor)), float(np.mean(z <= 2 * factor)))
    print(f"spread scale {factor:.3f}, fitted on {len(fit)} test structures; on the other {int(check.sum())}: "
          f"{100 * before[0]:.1f} / {100 * before[1]:.1f} % within ±1σ / ±2σ before, "
          f"{100 * after[0]:.1f} / {100 * after[1]:.1f} % after")
    return {"spread_scale": factor, "fitted_on": len(fit), "checked_on": int(check.sum()),
            "within_before": before, "within_after": after}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", type=pathlib.Path)
    ap.add_argument("target")
    ap.add_argument("workdir", type=pathlib.Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--test", type=float, default=0.2)
    ap.add_argument("--descriptors", default="")
    ap.add_argument("--composition", action="store_true")
    ap.add_argument("--x3mat", default="build/bin/x3mat")
    ap.add_argument("--calibration", choices=["likelihood", "coverage"], default="likelihood",
                    help="how x3mat evaluate --calibrate fits the spread scale")
    ap.add_argument("--jobs", type=int, default=1, help="folds trained at once, each pinned to a CPU with one thread")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = ap.parse_args(argv[:cut])
    args.train_args = argv[cut + 1:]  # after --: arguments for every x3mat train
    args.workdir.mkdir(parents=True, exist_ok=True)
    table = read_csv(args.data_dir / "labels.csv")
    idcol = list(table[0].keys())[0]
    by_id = {r[idcol]: r for r in table}
    label = lambda ids: np.array([float(by_id[i][args.target]) for i in ids])  # noqa: E731

    rows, names = [], ["X(3)mat", "mean predictor"] + (["random forest"] if args.descriptors or args.composition else [])
    runs = train_in_parallel(args.jobs, [lambda cpu, i=i: train_fold(args, i, cpu) for i in range(args.folds)])
    for i, out in enumerate(runs):
        split = read_csv(out / "split.csv")
        train = [r["id"] for r in split if r["set"] == "train"]
        val = [r["id"] for r in split if r["set"] == "validation"]
        y_train, y_val = label(train), label(val)
        predicted = {r["id"]: float(r[f"{args.target}_predicted"]) for r in read_csv(out / "predictions_validation.csv")}
        results = [metrics([predicted[k] for k in val], y_val), metrics(np.full(len(val), y_train.mean()), y_val)]
        rf = forest_for(args, train, val, by_id, y_train)
        if rf is not None:
            results.append(metrics(rf, y_val))
        rows.append(results)
        print(f"fold {i} ({len(train)} training, {len(val)} validation): "
              + "; ".join(f"{n} MAE {r[0]:.4f}" for n, r in zip(names, results)), flush=True)
    folds = np.array(rows)  # fold, model, (MAE, RMSE, R2)
    summary = {"folds": args.folds, "test_fraction": args.test, "cross_validation": {}}
    print(f"\n{args.folds}-fold cross-validation, validation folds (mean ± std over folds):")
    print(f"| model | MAE | RMSE | R² |\n| --- | --- | --- | --- |")
    for k, name in enumerate(names):
        m, s = folds[:, k].mean(axis=0), folds[:, k].std(axis=0, ddof=1)
        summary["cross_validation"][name] = {"mae": [m[0], s[0]], "rmse": [m[1], s[1]], "r2": [m[2], s[2]],
                                             "per_fold_mae": folds[:, k, 0].tolist()}
        print(f"| {name} | {m[0]:.3f} ± {s[0]:.3f} | {m[1]:.3f} ± {s[1]:.3f} | {m[2]:.3f} ± {s[2]:.3f} |")

    # the fold models as an ensemble, on the test set none of them saw
    ensemble = args.workdir / "ensemble.safetensors"
    subprocess.run([str(args.x3mat), "ensemble", *[str(args.workdir / f"fold{i}" / "model.safetensors")
                                                   for i in range(args.folds)], "-o", str(ensemble)], check=True)
    split = read_csv(args.workdir / "fold0" / "split.csv")
    test = [r["id"] for r in split if r["set"] == "test"]
    if not test:
        print("no test set (--test 0): the ensemble is not evaluated")
    else:
        parity = args.workdir / "test_parity.csv"
        subprocess.run([str(args.x3mat), "evaluate", "--model", str(ensemble), str(args.data_dir), "--target", args.target,
                        "--split", f"{args.workdir / 'fold0' / 'split.csv'}:test", "--output", str(parity)],
                       check=True, stdout=subprocess.DEVNULL)
        p = read_csv(parity)
        y, pred, std = (np.array([float(r[f"{args.target}_{k}"]) for r in p]) for k in ("true", "predicted", "std"))
        z = np.abs(y - pred) / std
        rest = [k for k in (r["id"] for r in split) if k not in set(test)]
        y_rest = label(rest)
        test_rows = [("X(3)mat ensemble of the folds", metrics(pred, y)),
                     ("mean predictor", metrics(np.full(len(y), y_rest.mean()), y))]
        rf = forest_for(args, rest, [r["id"] for r in p], by_id, y_rest)
        if rf is not None:
            test_rows.append(("random forest", metrics(rf, y)))
        print(f"\ntest set ({len(y)} structures, held out of every fold):")
        print(f"| model | MAE | RMSE | R² |\n| --- | --- | --- | --- |")
        for name, (mae, rmse, r2) in test_rows:
            print(f"| {name} | {mae:.3f} | {rmse:.3f} | {r2:.3f} |")
        within = (float(np.mean(z <= 1)), float(np.mean(z <= 2)))
        print(f"calibration: {100 * within[0]:.1f} % of test labels within ±1σ, {100 * within[1]:.1f} % within ±2σ "
              f"(Gaussian: 68.3 %, 95.4 %); median σ {np.median(std):.3f}")
        summary["test"] = {name: {"mae": m[0], "rmse": m[1], "r2": m[2]} for name, m in test_rows}
        summary["test"]["calibration"] = {"within_1_sigma": within[0], "within_2_sigma": within[1],
                                          "median_sigma": float(np.median(std)), "structures": len(y)}
        if len(p) >= 4:
            summary["test"]["calibrated"] = calibrate(args, ensemble, [r["id"] for r in p], y, pred, std)
    (args.workdir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
