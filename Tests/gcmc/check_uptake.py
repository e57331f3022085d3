"""Runs x3mat-gcmc on one IZA framework and checks the simulated argon uptake against
the framework's label in ../shared/data/iza/labels.csv (RASPA GCMC at the same settings:
87 K, 101,325 Pa, iza_argon force field, 12.8 A truncated cutoff).

Pass criterion: |simulated - label| <= max(3 * sqrt(err_sim^2 + err_label^2), 0.02 * label),
with err_sim the program's block error and err_label the label's stated error.
Also checks the model part against independent computations on the per-window file:
- the printed Spearman correlations equal scipy.stats.spearmanr of the file's columns;
- the density summed over the window grid's voxels is the mean loading per cell;
- the file's contributions average to the printed prediction; a site type is given.

    check_uptake.py X3MAT_GCMC SHARED_DATA FRAMEWORK [program options...]
"""
import csv
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from scipy.stats import spearmanr

program, shared, framework, *options = sys.argv[1:]
with open(f"{shared}/iza/labels.csv") as f:
    row = next(r for r in csv.DictReader(f) if r["framework"] == framework)
label, label_err = float(row["ar_uptake_mol_kg"]), float(row["ar_uptake_err_mol_kg"])

windows_csv = os.path.join(tempfile.mkdtemp(prefix="x3mat-gcmc-"), "windows.csv")
out = subprocess.run([program, f"{shared}/iza/cif/{framework}.cif", "--windows-out", windows_csv, *options],
                     capture_output=True, text=True,
                     env={"X3MAT_SHARED_DATA": shared, "PATH": "/usr/bin:/bin"})
print(out.stdout)
print(out.stderr, file=sys.stderr)
if out.returncode != 0:
    sys.exit(f"x3mat-gcmc failed with status {out.returncode}")

result = re.search(r"^RESULT (\S+)((?: \w+=\s*\S+)+)", out.stdout, re.M)
if not result:
    sys.exit("no RESULT line")
fields = dict(re.findall(r"(\w+)=\s*(\S+)", result.group(2)))
simulated, err = float(fields["simulated"]), float(fields["error"])
tolerance = max(3 * math.hypot(err, label_err), 0.02 * label)
print(f"{framework}: simulated {simulated:.4f} +- {err:.4f}, label {label:.4f} +- {label_err:.4f} mol/kg; "
      f"|difference| {abs(simulated - label):.4f}, tolerance {tolerance:.4f}")
failures = []
if abs(simulated - label) > tolerance:
    failures.append("simulated uptake outside the tolerance")

table = np.genfromtxt(windows_csv, delimiter=",", names=True)
reference = {"rho_density": spearmanr(table["contribution"], table["density_per_A3"]).statistic,
             "rho_sphere": spearmanr(table["contribution"], table["molecules_in_window"]).statistic,
             "proxy_density": spearmanr(-table["framework_atoms"], table["density_per_A3"]).statistic,
             "proxy_sphere": spearmanr(-table["framework_atoms"], table["molecules_in_window"]).statistic}
for key, value in reference.items():
    print(f"{key}: program {float(fields[key]):.6f}, scipy {value:.6f}")
    if not abs(float(fields[key]) - value) <= 1e-4:
        failures.append(f"{key} differs from scipy.stats.spearmanr")
loading = float(re.search(r"\(([0-9.]+) \+- [0-9.]+ molecules/cell", out.stdout).group(1))
volume = float(re.search(r"^box .*?, ([0-9.]+) A\^3", out.stdout, re.M).group(1))
cells = math.prod(int(n) for n in re.search(r"^box (\d+) x (\d+) x (\d+) cells", out.stdout, re.M).groups())
summed = table["density_per_A3"].sum() * volume / cells / len(table)
print(f"density summed over the voxels: {summed:.4f} molecules/cell; loading {loading:.4f}")
if abs(summed - loading) > 1e-3 * max(1.0, loading):
    failures.append("the density on the window grid does not add up to the loading")
if abs(table["contribution"].mean() - float(fields["predicted"])) > 1e-4 * abs(float(fields["predicted"])):
    failures.append("the contributions do not average to the prediction")
if fields.get("site") not in ("Interior", "Exterior"):
    failures.append("no site type")
if failures:
    sys.exit("; ".join(failures))
print("ok")
