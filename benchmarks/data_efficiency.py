"""Data-efficiency curve (paper Fig. 2i): `x3mat train` on growing training sets, each
evaluated on one held-out test set, next to the mean predictor and a random forest
trained on exactly the same structures.

  python3 benchmarks/data_efficiency.py DATA_DIR TARGET WORKDIR [--sizes 100,300,1000,all]
      [--epochs 30,20,10,8] [--test 0.2] [--validation 0.1] [--composition | --descriptors c1,c2]
      [--plot curve.png] [--jobs 1] [--x3mat build/bin/x3mat] [-- TRAIN_ARGS...]

- One seeded split (the training options' seed) holds out a test set (--test of the
  structures) and a validation set (--validation, which picks each run's best epoch); both
  are the same for every size, since `--training-limit` only shortens the training set,
  and the sizes are nested (a smaller one is a prefix of a larger one's). `all` is every
  structure of the training set.
- Size N trains in WORKDIR/nN (`nall`); a rerun resumes an interrupted training
  (checkpoint) and skips a finished one (evaluation.json). --epochs gives each size its
  epochs (one number: the same for all); arguments after `--` go to every `x3mat train`.
  --jobs N trains N sizes at once, in the order given, each pinned to its own CPU with one
  thread (output in WORKDIR/nN/train.log; keep N the same when resuming: threads are part
  of a run's result); list the longest first so that it starts first. The table and the
  plot go by training-set size whatever the order.
- Reported per size, on the test set (all windows): MAE, RMSE and R² of X(3)mat, of the
  forest (--composition: element fractions, density, volume per atom and atom count, as
  benchmarks/baselines.py) and of the training set's mean; the best epoch and the
  training time (the run's metrics.csv: training and per-epoch validation, over all
  resumed runs, without the final evaluation). WORKDIR/summary.json keeps every number;
  --plot draws MAE against training structures (needs matplotlib). Needs numpy, and
  scikit-learn for the forest.
"""
import argparse
import csv
import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from baselines import features, forest, metrics, train_in_parallel, train_once  # noqa: E402  (the same forest as baselines.py)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def train(args, size, epochs, cpu=None):
    options = ["--test", args.test, "--validation", args.validation, "--training-limit", 0 if size == "all" else size,
               *args.train_args] + ([] if epochs is None else ["--epochs", epochs])
    return train_once(args.x3mat, args.data_dir, args.target, args.workdir / f"n{size}", options,
                      f"{size} training structures", cpu)


def plot(rows, path, target):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    n = [r["training"] for r in rows]
    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=150)
    for key, label, style in (("x3mat", "X(3)mat", "o-"), ("forest", "random forest", "s--"), ("mean", "mean predictor", ":")):
        if rows[0].get(key):
            ax.plot(n, [r[key]["mae"] for r in rows], style, label=label)
    ax.set_xscale("log")
    ax.set_xticks(n, [f"{v:,}" for v in n])  # the sizes themselves; no minor-tick labels to overlap them
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("training structures")
    ax.set_ylabel(f"test MAE ({target})")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", type=pathlib.Path)
    ap.add_argument("target")
    ap.add_argument("workdir", type=pathlib.Path)
    ap.add_argument("--sizes", default="100,300,1000,all")
    ap.add_argument("--epochs", default="", help="epochs per size (comma-separated), or one number for all")
    ap.add_argument("--test", type=float, default=0.2)
    ap.add_argument("--validation", type=float, default=0.1)
    ap.add_argument("--descriptors", default="")
    ap.add_argument("--composition", action="store_true")
    ap.add_argument("--plot", type=pathlib.Path)
    ap.add_argument("--x3mat", default="build/bin/x3mat")
    ap.add_argument("--jobs", type=int, default=1, help="sizes trained at once, each pinned to a CPU with one thread")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = ap.parse_args(argv[:cut])
    args.train_args = argv[cut + 1:]
    sizes = [s if s == "all" else int(s) for s in args.sizes.split(",")]
    epochs = [int(e) for e in args.epochs.split(",")] if args.epochs else [None]
    if len(epochs) == 1:
        epochs *= len(sizes)
    if len(epochs) != len(sizes):
        ap.error(f"--epochs gives {len(epochs)} values for {len(sizes)} sizes")
    args.workdir.mkdir(parents=True, exist_ok=True)
    table = read_csv(args.data_dir / "labels.csv")
    idcol = list(table[0].keys())[0]
    by_id = {r[idcol]: r for r in table}
    label = lambda ids: np.array([float(by_id[i][args.target]) for i in ids])  # noqa: E731
    with_forest = bool(args.descriptors or args.composition)
    x_all = features(args.data_dir, by_id, list(by_id), args.descriptors, args.composition) if with_forest else None
    row_of = {k: r for r, k in enumerate(by_id)}

    runs = train_in_parallel(args.jobs, [lambda cpu, s=s, e=e: train(args, s, e, cpu) for s, e in zip(sizes, epochs)])
    rows, test_ids = [], None
    for size, out in zip(sizes, runs):
        split = read_csv(out / "split.csv")
        tr = [r["id"] for r in split if r["set"] == "train"]
        test = [r["id"] for r in split if r["set"] == "test"]
        if not test:
            sys.exit(f"{out}: no test set (--test 0)")
        if test_ids is None:
            test_ids = test
        elif test != test_ids:
            sys.exit(f"{out}: its test set differs from the first size's (another seed or --test?)")
        predicted = {r["id"]: float(r[f"{args.target}_predicted"]) for r in read_csv(out / "predictions_test.csv")}
        y_train, y_test = label(tr), label(test)
        log = read_csv(out / "metrics.csv")
        row = {"training": len(tr), "size": size, "epochs": len(log),
               "best_epoch": int([r["epoch"] for r in log if r["best"] == "1"][-1]),
               "training_seconds": float(log[-1]["seconds"]),  # over all resumed runs, per-epoch validation included
               "x3mat": dict(zip(("mae", "rmse", "r2"), metrics([predicted[k] for k in test], y_test))),
               "mean": dict(zip(("mae", "rmse", "r2"), metrics(np.full(len(test), y_train.mean()), y_test)))}
        if with_forest:
            xt, xo = x_all[[row_of[k] for k in tr]], x_all[[row_of[k] for k in test]]
            row["forest"] = dict(zip(("mae", "rmse", "r2"), metrics(forest(xt, y_train, xo), y_test)))
        rows.append(row)
    rows.sort(key=lambda r: r["training"])  # --sizes may list the longest first, to start it first

    print(f"\ntest set: {len(test_ids)} structures (all windows), target {args.target}")
    print("| training structures | X(3)mat MAE / RMSE / R² | best epoch | training | "
          + ("random forest MAE / RMSE / R² | " if with_forest else "") + "mean predictor MAE |")
    print("| ---: | --- | --- | ---: | " + ("--- | " if with_forest else "") + "---: |")
    for r in rows:
        fmt = lambda m: f"{m['mae']:.3f} / {m['rmse']:.3f} / {m['r2']:.3f}"  # noqa: E731
        minutes = f"{r['training_seconds'] / 60:.0f} min"
        print(f"| {r['training']:,} | {fmt(r['x3mat'])} | {r['best_epoch']} of {r['epochs']} | {minutes} | "
              + (f"{fmt(r['forest'])} | " if with_forest else "") + f"{r['mean']['mae']:.3f} |")
    summary = {"target": args.target, "test_structures": len(test_ids), "test_fraction": args.test,
               "validation_fraction": args.validation, "train_args": args.train_args, "sizes": rows}
    (args.workdir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if args.plot:
        plot(rows, args.plot, args.target)


if __name__ == "__main__":
    main()
