"""Baselines on exactly the split of an x3mat training run: a mean predictor and a
descriptor model (scikit-learn random forest), both trained on the run's training set,
next to X(3)mat's own predictions. Metrics on the run's validation set, or with
--set test on its test set: MAE, RMSE, R².

  python3 benchmarks/baselines.py RUN_DIR DATA_DIR TARGET --descriptors col1,col2,... [--set test]
  python3 benchmarks/baselines.py RUN_DIR DATA_DIR TARGET --composition

RUN_DIR is an `x3mat train --output` folder (split.csv, predictions_validation.csv or
predictions_test.csv) or a shipped model's prefix such as models/iza-ar-uptake
(.split.csv, .predictions.csv: the structures it was measured on).

--descriptors uses label-file columns (e.g. the PoreBlazer/Zeo++ pore descriptors of
iza); missing descriptor values are filled with the training median. --composition
builds descriptors from the CIFs (via the x3mat binding): the fraction of each element,
density (g/cm³), volume per atom (Å³) and atom count. Needs scikit-learn.
"""
import argparse
import csv
import pathlib
import sys

import numpy as np


def metrics(p, y):
    p, y = np.asarray(p, float), np.asarray(y, float)
    return (np.mean(np.abs(p - y)), np.sqrt(np.mean((p - y) ** 2)),
            1 - np.sum((p - y) ** 2) / np.sum((y - y.mean()) ** 2))


def composition(data, ids):
    import x3mat
    cif = data / "cif" if (data / "cif").is_dir() else data
    rows, elements = [], set()
    for i in ids:
        s = x3mat.Structure.from_cif(cif / f"{i}.cif")
        z = s.atomic_numbers
        counts = {int(k): int(v) for k, v in zip(*np.unique(z, return_counts=True))}
        elements |= counts.keys()
        rows.append((counts, s.density, s.volume / len(z), len(z)))
    elements = sorted(elements)
    x = np.zeros((len(ids), len(elements) + 3))
    for r, (counts, density, vpa, n) in enumerate(rows):
        total = sum(counts.values())
        for k, e in enumerate(elements):
            x[r, k] = counts.get(e, 0) / total
        x[r, -3:] = density, vpa, n
    return x


def features(data, by_id, ids, descriptors="", use_composition=False):
    """The forest's inputs for `ids`: `composition(...)`, or the label-file columns named
    in `descriptors` (comma-separated; a blank cell is NaN)."""
    if use_composition:
        return composition(data, ids)
    cols = descriptors.split(",")
    return np.array([[float(by_id[i][c]) if by_id[i][c].strip() else np.nan for c in cols] for i in ids])


def forest(x_train, y_train, x_other, seed=0):
    """A random forest (500 trees) fitted on (x_train, y_train), predicting x_other; NaN
    features are filled with the training median."""
    from sklearn.ensemble import RandomForestRegressor

    med = np.nanmedian(x_train, axis=0)
    x_train, x_other = np.where(np.isnan(x_train), med, x_train), np.where(np.isnan(x_other), med, x_other)
    return RandomForestRegressor(n_estimators=500, random_state=seed, n_jobs=2).fit(x_train, y_train).predict(x_other)


def announce(line):
    """Prints a line with one write, so lines of runs started together do not interleave
    (print writes the text and its newline separately)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def train_once(x3mat, data_dir, target, out, options, label, cpu=None):
    """`x3mat train` into `out` with these options, resumable: a finished run
    (evaluation.json) is skipped, an interrupted one (checkpoint) resumed. With `cpu`, the
    run is pinned to that CPU (taskset) with one thread, its output going to out/train.log."""
    import subprocess

    if (out / "evaluation.json").exists():
        return out
    cmd = [x3mat, "train", data_dir, "--target", target, "--output", out]
    cmd += ["--resume"] if (out / "checkpoint.safetensors").exists() else list(options)
    if cpu is None:
        announce(f"== {label}: {' '.join(map(str, cmd))}")
        subprocess.run(list(map(str, cmd)), check=True)
        return out
    cmd = ["taskset", "-c", cpu, *cmd, "--threads", 1]
    out.mkdir(parents=True, exist_ok=True)
    announce(f"== {label}: {' '.join(map(str, cmd))} (output: {out / 'train.log'})")
    with open(out / "train.log", "a") as log:
        subprocess.run(list(map(str, cmd)), check=True, stdout=log, stderr=subprocess.STDOUT)
    return out


def train_in_parallel(jobs, runs):
    """Runs `runs` (functions taking a CPU number or None) `jobs` at a time, each pinned to
    its own CPU when jobs > 1; returns their results in order."""
    if jobs <= 1:
        return [run(None) for run in runs]
    import queue
    from concurrent.futures import ThreadPoolExecutor

    free = queue.Queue()
    for k in range(jobs):
        free.put(k)

    def pinned(run):
        cpu = free.get()
        try:
            return run(cpu)
        finally:
            free.put(cpu)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(pinned, runs))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=pathlib.Path)
    ap.add_argument("data", type=pathlib.Path)
    ap.add_argument("target")
    ap.add_argument("--descriptors", default="")
    ap.add_argument("--composition", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", choices=["validation", "test"], default="validation",
                    help="the held-out set to measure on (a training run's predictions_SET.csv)")
    a = ap.parse_args()

    with open(a.data / "labels.csv", newline="") as f:
        table = list(csv.DictReader(f))
    idcol = list(table[0].keys())[0]
    by_id = {r[idcol]: r for r in table}
    if a.run.is_dir():
        split_path, pred = a.run / "split.csv", a.run / f"predictions_{a.set}.csv"
    else:
        split_path, pred = pathlib.Path(f"{a.run}.split.csv"), pathlib.Path(f"{a.run}.predictions.csv")
    with open(split_path, newline="") as f:
        split = list(csv.DictReader(f))
    train = [r["id"] for r in split if r["set"] == "train"]
    val = [r["id"] for r in split if r["set"] == a.set]
    if not val:
        raise SystemExit(f"{split_path}: no structure in the set '{a.set}'")
    y_train = np.array([float(by_id[i][a.target]) for i in train])
    y_val = np.array([float(by_id[i][a.target]) for i in val])
    print(f"{a.run}: {len(train)} training, {len(val)} {a.set} structures; target {a.target}")
    print(f"{'model':44s} {'MAE':>8s} {'RMSE':>8s} {'R2':>7s}")

    def show(name, p):
        mae, rmse, r2 = metrics(p, y_val)
        print(f"{name:44s} {mae:8.4f} {rmse:8.4f} {r2:7.3f}")

    show("mean predictor (training mean)", np.full(len(val), y_train.mean()))
    if a.descriptors or a.composition:
        if a.composition:
            name = "random forest on composition + density"
        else:
            cols = a.descriptors.split(",")
            name = "random forest on " + ", ".join(cols)
            if len(name) > 44:
                name = f"random forest on {len(cols)} pore descriptors"
        x = features(a.data, by_id, train + val, a.descriptors, a.composition)
        show(name, forest(x[:len(train)], y_train, x[len(train):], seed=a.seed))
    if pred.exists():
        with open(pred, newline="") as f:
            rows = {r["id"]: float(r[f"{a.target}_predicted"]) for r in csv.DictReader(f)}
        show("X(3)mat (this run, all windows)", [rows[i] for i in val])


if __name__ == "__main__":
    main()
