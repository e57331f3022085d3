"""Reads a structure from a CIF file and prints its formula, cell and density.

    python structure_info.py LTA.cif
"""
import sys

import x3mat

s = x3mat.Structure.from_cif(sys.argv[1])
a, b, c, alpha, beta, gamma = s.cell_parameters
print(f"libx3mat {x3mat.library_version()}")
print(f"formula  {s.formula} ({len(s)} atoms)")
print(f"cell     a={a:.4f} b={b:.4f} c={c:.4f} A  alpha={alpha:.3f} beta={beta:.3f} gamma={gamma:.3f} deg")
print(f"volume   {s.volume:.3f} A^3")
print(f"density  {s.density:.4f} g/cm3")
for w in s.warnings:
    print(f"warning  {w}")
