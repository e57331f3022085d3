"""Tables for BENCHMARKS.md from x3mat-gcmc outputs (benchmarks/gcmc_maps.sh).

    python3 benchmarks/gcmc_report.py DIR [DIR...] [--labels ../shared/data/iza/labels.csv]

Prints, as Markdown:
- validation: simulated uptake against the RASPA label of ../shared/data/iza/labels.csv,
  with two criteria: |simulated - label| <= 2 sqrt(err_sim^2 + err_label^2) (block errors
  of both), and the same with a floor of 1 % of the label (for frameworks whose cages fill
  to a whole number of atoms per cell, where both errors are 0);
- maps: Spearman's rho of the model's contribution map against the simulated density on
  the window grid and against the mean number of molecules in each window's sphere, the
  same for the proxy (minus the framework atoms in each window), their medians, and the
  strongest window's site type.
"""
import argparse
import csv
import glob
import math
import os
import re
import statistics

import numpy as np
from scipy.stats import spearmanr


def partial_spearman(x, y, z):
    """Spearman correlation of x and y with z partialled out (from the three pairwise rho)."""
    rxy, rxz, ryz = spearmanr(x, y).statistic, spearmanr(x, z).statistic, spearmanr(y, z).statistic
    denominator = math.sqrt(max(0.0, (1 - rxz ** 2) * (1 - ryz ** 2)))
    return (rxy - rxz * ryz) / denominator if denominator > 0 else float("nan")

parser = argparse.ArgumentParser()
parser.add_argument("dirs", nargs="+")
parser.add_argument("--labels", default=os.path.join(os.path.dirname(__file__), "../../shared/data/iza/labels.csv"))
args = parser.parse_args()

with open(args.labels) as f:
    labels = {r["framework"]: (float(r["ar_uptake_mol_kg"]), float(r["ar_uptake_err_mol_kg"])) for r in csv.DictReader(f)}

runs = {}
for d in args.dirs:
    for path in sorted(glob.glob(os.path.join(d, "*.txt"))):
        text = open(path).read()
        m = re.search(r"^RESULT (\S+)((?: \w+=\s*\S+)+)", text, re.M)
        if not m:
            continue
        fields = dict(re.findall(r"(\w+)=\s*(\S+)", m.group(2)))
        cycles = re.search(r"^cycles (\d+) \+ (\d+)", text, re.M)
        wall = re.search(r"wall ([0-9.]+) s, max RSS (\d+) KiB", text)
        partial = float("nan")
        table_path = path[:-4] + ".windows.csv"
        if os.path.exists(table_path):
            t = np.genfromtxt(table_path, delimiter=",", names=True)
            partial = partial_spearman(t["contribution"], t["molecules_in_window"], -t["framework_atoms"])
        runs[m.group(1)] = dict(fields, init=int(cycles.group(1)), cycles=int(cycles.group(2)),
                                wall=float(wall.group(1)) if wall else float("nan"),
                                rss=int(wall.group(2)) / 1024 if wall else float("nan"), partial=partial)

print("| framework | label (mol/kg) | simulated | difference | 2σ | within 2σ | within max(2σ, 1 %) | predicted | cycles | wall (s) |")
print("| --- | --- | --- | ---: | ---: | --- | --- | ---: | --- | ---: |")
for name, r in sorted(runs.items()):
    label, label_err = labels[name]
    sim, err = float(r["simulated"]), float(r["error"])
    two_sigma = 2 * math.hypot(err, label_err)
    floor = max(two_sigma, 0.01 * label)
    print(f"| {name} | {label:.3f} ± {label_err:.3f} | {sim:.3f} ± {err:.3f} | {sim - label:+.3f} | {two_sigma:.3f} | "
          f"{'yes' if abs(sim - label) <= two_sigma else 'no'} | {'yes' if abs(sim - label) <= floor else 'no'} | "
          f"{float(r['predicted']):.3f} | "
          f"{r['init']:,} + {r['cycles']:,} | {r['wall']:.0f} |")

keys = ["rho_density", "rho_sphere", "proxy_density", "proxy_sphere"]
print()
print("| framework | map vs density | map vs molecules in window | proxy vs density | proxy vs molecules in window "
      "| map vs molecules, proxy partialled out | strongest site |")
print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
for name, r in sorted(runs.items()):
    print(f"| {name} | " + " | ".join(f"{float(r[k]):.3f}" for k in keys) + f" | {r['partial']:.3f} | {r['site']} |")
keys.append("partial")
medians = [statistics.median(float(r[k]) for r in runs.values()) for k in keys]
print(f"| **median of {len(runs)}** | " + " | ".join(f"**{m:.3f}**" for m in medians) + " | |")
wins = [sum(float(r["rho_density"]) > float(r["proxy_density"]) for r in runs.values()),
        sum(float(r["rho_sphere"]) > float(r["proxy_sphere"]) for r in runs.values())]
print()
print(f"Map above proxy: {wins[0]} of {len(runs)} (density), {wins[1]} of {len(runs)} (molecules in window). "
      f"Site types: {sum(r['site'] == 'Interior' for r in runs.values())} Interior, "
      f"{sum(r['site'] == 'Exterior' for r in runs.values())} Exterior.")
