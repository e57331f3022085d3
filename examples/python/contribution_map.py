"""Draws a slice of a structure's contribution map over its atoms, and the histogram of
its window contributions (strong / medium / weak), as PNG files.

    python3 contribution_map.py MODEL.safetensors FILE.cif OUTPUT_DIR [--strong low]

The map is written by Model.explain (a cube file, Fourier-refined 4x per axis), read back
with ASE, and cut through the plane of the strongest window (constant third fractional
coordinate). Atoms within 1.5 Å of the plane are drawn on top.
"""
import argparse
import csv
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from ase.io.cube import read_cube_data  # noqa: E402

import x3mat  # noqa: E402

COLOURS = {"strong": "#c0392b", "medium": "#f39c12", "weak": "#2980b9"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("cif")
    ap.add_argument("out")
    ap.add_argument("--strong", default="high", choices=["high", "low"])
    a = ap.parse_args()
    out = pathlib.Path(a.out)
    model = x3mat.Model.load(a.model)
    s = x3mat.Structure.from_cif(a.cif)
    e = model.explain(s, out, refine=4, strong=a.strong)
    target = e.targets[0]

    coarse, atoms = read_cube_data(str(out / f"{target}.cube"))
    fine, _ = read_cube_data(str(out / f"{target}_fine.cube"))
    best = np.unravel_index(np.argmax(coarse) if a.strong == "high" else np.argmin(coarse), coarse.shape)
    z = best[2] / coarse.shape[2]                        # fractional height of the plane
    plane = fine[:, :, best[2] * 4]                      # refined 4x: the same plane
    cell = atoms.cell[:]
    n1, n2 = plane.shape
    f1, f2 = np.meshgrid(np.arange(n1 + 1) / n1, np.arange(n2 + 1) / n2, indexing="ij")
    xy = f1[..., None] * cell[0] + f2[..., None] * cell[1] + z * cell[2]
    fig, ax = plt.subplots(figsize=(6, 5))
    wrapped = np.pad(plane, ((0, 1), (0, 1)), mode="wrap")  # periodic: close the cell
    mesh = ax.pcolormesh(xy[..., 0], xy[..., 1], wrapped, shading="gouraud", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=f"{target} contribution")
    frac = atoms.get_scaled_positions()
    normal = np.cross(cell[0], cell[1])
    normal /= np.linalg.norm(normal)
    dz = ((frac[:, 2] - z + 0.5) % 1 - 0.5) * (cell[2] @ normal)
    near = np.abs(dz) < 1.5
    pos = atoms.positions[near] - np.outer(dz[near], normal)
    for symbol in sorted(set(atoms[near].get_chemical_symbols())):
        sel = np.array(atoms[near].get_chemical_symbols()) == symbol
        ax.scatter(pos[sel, 0], pos[sel, 1], s=18, label=symbol, edgecolors="k", linewidths=0.4)
    ax.set_aspect("equal")
    ax.set_xlabel("x (Å)")
    ax.set_ylabel("y (Å)")
    ax.set_title(f"{e.summary['structure']}: {target} = {e.property[target]:.3g}, plane z = {z:.3f}")
    ax.legend(loc="upper right", fontsize=7)
    fig.savefig(out / "slice.png", dpi=120, bbox_inches="tight")

    rows = e.histogram(target)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    lows = np.array([float(r["bin_low"]) for r in rows])
    highs = np.array([float(r["bin_high"]) for r in rows])
    ax.bar(lows, [int(r["windows"]) for r in rows], width=highs - lows, align="edge",
           color=[COLOURS[r["class"]] for r in rows], edgecolor="k", linewidth=0.3)
    ax.axvline(e.property[target], color="k", linestyle="--", label="property (mean)")
    for name, colour in COLOURS.items():
        ax.bar([np.nan], [0], color=colour, label=name)
    ax.set_xlabel(f"window contribution to {target}")
    ax.set_ylabel("windows")
    ax.legend(fontsize=7)
    fig.savefig(out / "histogram.png", dpi=120, bbox_inches="tight")
    print(f"{e.summary['structure']}: {target} = {e.property[target]:.4f}; map {coarse.shape}, "
          f"mean {coarse.mean():.4f}; strongest window {tuple(int(k) for k in best)}")
    print(f"wrote {out / 'slice.png'} and {out / 'histogram.png'}")


if __name__ == "__main__":
    main()
