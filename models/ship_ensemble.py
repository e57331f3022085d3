#!/usr/bin/env python3
"""Copies the calibrated fold ensemble of a `benchmarks/cross_validation.py` run into
models/ as NAME.safetensors with the files that document it:

- NAME.split.csv: id, set ("train" or "test") and fold (the cross-validation fold a
  training structure belongs to: the member trained without it validated on it; empty for
  the test set, which no member saw);
- NAME.predictions.csv: the calibrated ensemble's prediction and spread (TARGET_std) for
  every test structure, from all of its windows (`x3mat evaluate --output`); the card's
  metrics are computed from it (models/cards.py);
- NAME.metrics.csv: every member's per-epoch log, with a leading fold column.

    python3 models/ship_ensemble.py WORKDIR NAME DATA_DIR TARGET... [--into models] [--x3mat build/bin/x3mat]

Then run models/cards.py to write the card.
"""
import argparse
import csv
import pathlib
import shutil
import subprocess

HERE = pathlib.Path(__file__).resolve().parent


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workdir", type=pathlib.Path)
    ap.add_argument("name")
    ap.add_argument("data_dir")
    ap.add_argument("targets", nargs="+")
    ap.add_argument("--into", type=pathlib.Path, default=HERE, help="folder to write into (default: models/)")
    ap.add_argument("--x3mat", default="build/bin/x3mat")
    a = ap.parse_args()
    folds = sorted(a.workdir.glob("fold[0-9]*"), key=lambda p: int(p.name[4:]))
    ensemble = a.workdir / "ensemble_calibrated.safetensors"
    if not folds or not ensemble.exists():
        raise SystemExit(f"{a.workdir}: no fold runs or no ensemble_calibrated.safetensors (run cross_validation.py first)")

    fold_of, test = {}, set()
    for i, run in enumerate(folds):
        for r in read_csv(run / "split.csv"):
            if r["set"] == "validation":
                fold_of[r["id"]] = i
            elif r["set"] == "test" and i == 0:
                test.add(r["id"])
    ids = [r["id"] for r in read_csv(folds[0] / "split.csv")]
    split = a.into / f"{a.name}.split.csv"
    with open(split, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "set", "fold"])
        for k in ids:
            w.writerow([k, "test", ""] if k in test else [k, "train", fold_of[k]])

    model = a.into / f"{a.name}.safetensors"
    shutil.copyfile(ensemble, model)
    targets = [x for t in a.targets for x in ("--target", t)]
    subprocess.run([a.x3mat, "evaluate", "--model", str(model), a.data_dir, *targets, "--split", f"{split}:test",
                    "--output", str(a.into / f"{a.name}.predictions.csv")], check=True, stdout=subprocess.DEVNULL)

    with open(a.into / f"{a.name}.metrics.csv", "w", newline="") as f:
        w = None
        for i, run in enumerate(folds):
            for r in read_csv(run / "metrics.csv"):
                if w is None:
                    w = csv.DictWriter(f, fieldnames=["fold", *r.keys()])
                    w.writeheader()
                w.writerow({"fold": i, **r})
    print(f"{model}: {len(folds)} members; {len(ids) - len(test)} training structures, {len(test)} test")


if __name__ == "__main__":
    main()
