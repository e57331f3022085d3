"""Cuts a structure into detection windows and summarises them; then the window around
one point, as a simulation code would ask for a guest molecule's position.

    python windows_summary.py LTA.cif [RADIUS=6] [STEP=2]
"""
import sys

import x3mat

path = sys.argv[1]
radius = float(sys.argv[2]) if len(sys.argv) > 2 else 6.0
step = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
s = x3mat.Structure.from_cif(path)
w = s.windows(radius, step)
n1, n2, n3 = w.grid_shape
c = w.counts
print(f"windows  R = {radius:.3f} A, step {step:.3f} A, grid {n1} x {n2} x {n3} = {len(w)}")
print(f"atoms    {w.total_atoms} in all windows; per window min {c.min()}, mean {c.mean():.3f}, "
      f"max {c.max()}; empty {(c == 0).sum()}")
at = s.windows_at([[0.1, 0.2, 0.3]], radius, cartesian=False)
print(f"point    (0.1, 0.2, 0.3): {at.counts[0]} atoms within {radius:.3f} A")
