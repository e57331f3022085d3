"""Runs x3mat-gcmc on one IZA framework and checks the simulated argon uptake against
the framework's label in ../shared/data/iza/labels.csv (RASPA GCMC at the same settings:
87 K, 101,325 Pa, iza_argon force field, 12.8 A truncated cutoff).

Pass criterion: |simulated - label| <= max(3 * sqrt(err_sim^2 + err_label^2), 0.02 * label),
with err_sim the program's block error and err_label the label's stated error.
Also checks that the model part ran (prediction, both Spearman correlations, site type).

    check_uptake.py X3MAT_GCMC SHARED_DATA FRAMEWORK [program options...]
"""
import csv
import math
import re
import subprocess
import sys

program, shared, framework, *options = sys.argv[1:]
with open(f"{shared}/iza/labels.csv") as f:
    row = next(r for r in csv.DictReader(f) if r["framework"] == framework)
label, label_err = float(row["ar_uptake_mol_kg"]), float(row["ar_uptake_err_mol_kg"])

out = subprocess.run([program, f"{shared}/iza/cif/{framework}.cif", *options], capture_output=True, text=True,
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
for key in ("predicted", "rho_density", "rho_sphere"):
    if key not in fields or not math.isfinite(float(fields[key])):
        failures.append(f"no finite {key}")
if fields.get("site") not in ("Interior", "Exterior"):
    failures.append("no site type")
if failures:
    sys.exit("; ".join(failures))
print("ok")
