"""Plots the 2-D histogram of window contributions against the true property that
`x3mat evaluate --histogram` writes (paper Fig. 4d): per property column the fraction of
windows in each contribution bin, with the line y = x. A ridge along it means a
structure's contributions peak at its property.

    x3mat evaluate ../shared/data/iza --histogram ridge.csv
    python3 contribution_ridge.py ridge.csv ridge.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: contribution_ridge.py HISTOGRAM.csv OUT.png")
    rows = list(csv.DictReader(open(sys.argv[1])))
    p_edges = sorted({float(r["property_low"]) for r in rows} | {float(r["property_high"]) for r in rows})
    c_edges = sorted({float(r["contribution_low"]) for r in rows} | {float(r["contribution_high"]) for r in rows})
    frac = np.array([float(r["fraction"]) for r in rows]).reshape(len(p_edges) - 1, len(c_edges) - 1)
    windows = np.array([int(r["windows"]) for r in rows]).reshape(frac.shape)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    mesh = ax.pcolormesh(p_edges, c_edges, frac.T, cmap="magma_r", shading="flat")
    fig.colorbar(mesh, ax=ax, label="fraction of the column's windows")
    lo, hi = min(p_edges[0], c_edges[0]), max(p_edges[-1], c_edges[-1])
    ax.plot([lo, hi], [lo, hi], "c--", linewidth=1, label="y = x")
    ax.set_xlim(p_edges[0], p_edges[-1])
    ax.set_ylim(c_edges[0], c_edges[-1])
    ax.set_xlabel("true property")
    ax.set_ylabel("window contribution")
    ax.legend(loc="upper left", fontsize=7)
    fig.savefig(sys.argv[2], dpi=120, bbox_inches="tight")
    centres = 0.5 * (np.array(c_edges[1:]) + np.array(c_edges[:-1]))
    peaks = [centres[np.argmax(col)] for col, n in zip(windows, windows.sum(axis=1)) if n > 0]
    print(f"{windows.sum()} windows in {len(p_edges) - 1} x {len(c_edges) - 1} bins; column peaks at {np.round(peaks, 2).tolist()}")
    print(f"wrote {sys.argv[2]}")


if __name__ == "__main__":
    main()
