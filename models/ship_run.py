#!/usr/bin/env python3
"""Copies the model of one `x3mat train` run into models/ as NAME.safetensors with the
files that document it:
- NAME.split.csv: the run's split (id, set: train, validation or test);
- NAME.predictions.csv: the run's predictions, from all windows, on its test set
  (predictions_test.csv: structures that chose neither the weights nor the best epoch)
  when it has one, else on its validation set; the card's metrics are computed from it
  (models/cards.py);
- NAME.metrics.csv: the run's per-epoch log;
- NAME.parity.png: the parity plot of NAME.predictions.csv (benchmarks/parity_plot.py).

    python3 models/ship_run.py RUN NAME [--into models] [--unit mol/kg]

A run trained with --snapshots N ships its snapshot ensemble (ensemble.safetensors, its
spread calibrated on the run's validation set) instead of its best model, and its final
predictions, which are the ensemble's, with TARGET_std:

    python3 models/ship_run.py RUN NAME --ensemble

Then run models/cards.py to write the card.
"""
import argparse
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=pathlib.Path)
    ap.add_argument("name")
    ap.add_argument("--into", type=pathlib.Path, default=HERE, help="folder to write into (default: models/)")
    ap.add_argument("--unit", default="", help="unit of the targets, for the plot's axes")
    ap.add_argument("--ensemble", action="store_true", help="ship the run's snapshot ensemble instead of its best model")
    a = ap.parse_args()
    model = "ensemble.safetensors" if a.ensemble else "model.safetensors"
    found = next((f for f in ("predictions_test.csv", "predictions_validation.csv") if (a.run / f).exists()), None)
    if found is None or not (a.run / model).exists():
        raise SystemExit(f"{a.run}: no {model} or no final predictions (has the run finished"
                         + (", with --snapshots?)" if a.ensemble else "?)"))
    for source, suffix in ((model, "safetensors"), ("split.csv", "split.csv"), ("metrics.csv", "metrics.csv"),
                           (found, "predictions.csv")):
        shutil.copyfile(a.run / source, a.into / f"{a.name}.{suffix}")
    held_out = found.removeprefix("predictions_").removesuffix(".csv")
    subprocess.run([sys.executable, str(HERE.parent / "benchmarks" / "parity_plot.py"),
                    str(a.into / f"{a.name}.predictions.csv"), str(a.into / f"{a.name}.parity.png"),
                    "--title", f"{a.name}: {held_out} set", "--unit", a.unit], check=True)
    print(f"{a.into / a.name}.*: the {'calibrated snapshot ensemble' if a.ensemble else 'model'}, its split, its log and "
          f"its {held_out} predictions with their parity plot")


if __name__ == "__main__":
    main()
