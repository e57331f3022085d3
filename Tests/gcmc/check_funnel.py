"""x3mat-gcmc --funnel K: every framework is predicted, the ranking is by predicted uptake
(descending, checked against x3mat.Model.predict through the Python binding, an
independent caller of the same model), and exactly the top K are simulated, in order.

    check_funnel.py X3MAT_GCMC SHARED_DATA K FRAMEWORK... -- [program options...]
"""
import re
import subprocess
import sys

import x3mat

program, shared, k, *rest = sys.argv[1:]
k = int(k)
split = rest.index("--")
names, options = rest[:split], rest[split + 1:]
paths = [f"{shared}/iza/cif/{n}.cif" for n in names]
out = subprocess.run([program, "--funnel", str(k), *paths, "--quiet", *options], capture_output=True, text=True,
                     env={"X3MAT_SHARED_DATA": shared, "PATH": "/usr/bin:/bin"})
print(out.stdout)
if out.returncode != 0:
    print(out.stderr, file=sys.stderr)
    sys.exit(f"x3mat-gcmc failed with status {out.returncode}")

model = x3mat.Model.load("iza-ar-uptake")
predicted = {n: model.predict(x3mat.Structure.from_cif(p))["ar_uptake_mol_kg"] for n, p in zip(names, paths)}
expected = sorted(names, key=lambda n: -predicted[n])[:k]
funnel = re.findall(r"^FUNNEL (\d+)\s+(\S+) predicted ([0-9.]+) simulated ([0-9.]+)", out.stdout, re.M)
got = [name for _, name, _, _ in funnel]
print(f"predicted by the Python binding: {predicted}; expected top {k}: {expected}; simulated: {got}")
if got != expected:
    sys.exit("the funnel did not simulate the top frameworks in order")
for _, name, p, _ in funnel:
    if abs(float(p) - predicted[name]) > 1e-3:
        sys.exit(f"{name}: funnel prediction {p} differs from {predicted[name]:.4f}")
print("ok")
