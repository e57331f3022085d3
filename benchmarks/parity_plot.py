"""Parity plots (PNG) from the parity tables of `x3mat evaluate --output` or a training
run's predictions_validation.csv: predicted against true per target, the diagonal, the
MAE/RMSE/R² in the title and, for an ensemble (TARGET_std columns), ±1σ error bars and
the share of points whose bar reaches the diagonal.

  python3 benchmarks/parity_plot.py PARITY.csv OUT.png [--title TEXT] [--unit TEXT]

One panel per target (columns TARGET_true, TARGET_predicted[, TARGET_std]). Needs numpy
and matplotlib.
"""
import argparse
import csv

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def panels(rows):
    """(target, true, predicted, std or None) per target of a parity table."""
    names = [c[:-len("_true")] for c in rows[0] if c.endswith("_true")]
    out = []
    for t in names:
        y = np.array([float(r[f"{t}_true"]) for r in rows])
        p = np.array([float(r[f"{t}_predicted"]) for r in rows])
        s = np.array([float(r[f"{t}_std"]) for r in rows]) if f"{t}_std" in rows[0] else None
        out.append((t, y, p, s))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("parity")
    ap.add_argument("out")
    ap.add_argument("--title", default="")
    ap.add_argument("--unit", default="")
    a = ap.parse_args()
    with open(a.parity, newline="") as f:
        rows = list(csv.DictReader(f))
    ps = panels(rows)
    fig, axes = plt.subplots(1, len(ps), figsize=(4.6 * len(ps), 4.4), squeeze=False)
    for ax, (t, y, p, s) in zip(axes[0], ps):
        mae, rmse = np.mean(np.abs(p - y)), np.sqrt(np.mean((p - y) ** 2))
        r2 = 1 - np.sum((p - y) ** 2) / np.sum((y - y.mean()) ** 2)
        if s is not None:
            ax.errorbar(y, p, yerr=s, fmt="o", ms=3, lw=0.6, alpha=0.7, capsize=0)
            covered = np.mean(np.abs(p - y) <= s)
            extra = f", {100 * covered:.0f} % within ±1σ"
        else:
            ax.plot(y, p, "o", ms=3, alpha=0.7)
            extra = ""
        lo, hi = min(y.min(), p.min()), max(y.max(), p.max())
        pad = 0.05 * (hi - lo or 1)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "k--", lw=0.8)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        unit = f" ({a.unit})" if a.unit else ""
        ax.set_xlabel(f"true {t}{unit}")
        ax.set_ylabel(f"predicted {t}{unit}")
        ax.set_title(f"{a.title}\nMAE {mae:.3g}, RMSE {rmse:.3g}, R² {r2:.3f}{extra}, n = {len(y)}", fontsize=9)
        ax.set_aspect("equal")
    fig.tight_layout()
    fig.savefig(a.out, dpi=130)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
