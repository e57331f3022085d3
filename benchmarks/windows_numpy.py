"""Window sampling through the Python binding against the NumPy brute-force reference of
bindings/python/tests/test_windows_reference.py, timed in the same run.

    PYTHONPATH=bindings/python:bindings/python/tests python3 benchmarks/windows_numpy.py [DATA_DIR]
"""
import pathlib
import sys

import numpy as np

import x3mat
from timing import best
from test_windows_reference import numpy_reference

data = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")


cases = [("zeolite FAU", [data / "iza/cif/FAU.cif"], 6.0),
         ("QMOF, first 20 files", sorted((data / "qmof/cif").glob("*.cif"))[:20], 8.0)]
for label, files, radius in cases:
    structures = [x3mat.Structure.from_cif(f) for f in files]
    windows = [s.windows(radius, 2.0) for s in structures]
    nwin = sum(len(w) for w in windows)
    natoms = sum(w.total_atoms for w in windows)
    t_lib = best(lambda: [s.windows(radius, 2.0) for s in structures])
    args = [(s.cell, s.positions(cartesian=False), w.fractional_centres) for s, w in zip(structures, windows)]
    t_np = best(lambda: [numpy_reference(c, f, cc, radius) for c, f, cc in args], min_seconds=0.2)
    print(f"{label}: {nwin} windows, {natoms} atoms, R {radius}, step 2.0")
    print(f"  libx3mat via Python ({x3mat.get_num_threads()} threads): {t_lib * 1e3:.2f} ms = "
          f"{nwin / t_lib:.0f} windows/s, {natoms / t_lib / 1e6:.2f} M atoms/s")
    print(f"  NumPy brute force: {t_np * 1e3:.1f} ms = {nwin / t_np:.0f} windows/s; libx3mat is {t_np / t_lib:.0f}x faster")
