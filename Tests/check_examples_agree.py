"""The C example (x3_model_contributions), the Fortran GCMC example (structure from
arrays, x3_model_predict) and Python (Model.predict) print the same prediction for a
structure: three languages, three entry points, one number."""
import re
import subprocess
import sys

import x3mat

c_exe, f_exe, model_path, cif = sys.argv[1:5]
c_out = subprocess.run([c_exe, model_path, cif], capture_output=True, text=True, check=True).stdout
f_out = subprocess.run([f_exe, model_path, cif], capture_output=True, text=True, check=True).stdout
c_value = float(re.search(r"property 1 = ([0-9.]+)", c_out).group(1))
f_value = float(re.search(r"from arrays = from CIF: ([0-9.]+)", f_out).group(1))
model = x3mat.Model.load(model_path)
py_value = model.predict(x3mat.Structure.from_cif(cif))[model.targets[0]]
print(f"C {c_value:.4f}  Fortran {f_value:.4f}  Python {py_value:.6f}")
assert abs(c_value - py_value) <= 5.1e-5 and abs(f_value - py_value) <= 5.1e-5, "the languages disagree"
# a strained cell must change the prediction (the model sees geometry)
strained = [float(v) for v in re.findall(r"cell x +[0-9.]+: property 1 = ([0-9.]+)", f_out)]
assert len(strained) == 3 and strained[0] != strained[1] != strained[2], strained
print("agree")
