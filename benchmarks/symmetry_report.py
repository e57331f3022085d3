"""Symmetry-reduced windows over a dataset: space groups, orbits per window, and (with
--compare N) the difference between the reduced and the full prediction.

    python3 benchmarks/symmetry_report.py ../shared/data/iza --model models/iza-ar-uptake.safetensors \
        --output build/symmetry-iza.csv
    python3 benchmarks/symmetry_report.py ../shared/data/qmof --model models/qmof-band-gap.safetensors \
        --tolerance 0.01 --compare 100 --output build/symmetry-qmof.csv

Per structure (CSV): id, spglib's space group of the atoms at the tolerance, the
operations used on the window grid, windows, windows evaluated; for the first N
structures (--compare N) the property with symmetry and without (plain grid, every
window), per target; for the first M (--maps M) the largest difference at any grid point
between the reduced map and every window of the same (symmetry-adapted) grid evaluated,
relative to the map's largest |value|. Prints the space-group distribution, the
evaluated/windows ratio and max / mean |reduced - full|.
"""
from __future__ import annotations

import argparse
import collections
import csv
import pathlib
import sys
import time

import numpy as np

import x3mat


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=pathlib.Path, help="folder of CIFs (or with a cif/ folder)")
    ap.add_argument("--model", required=True)
    ap.add_argument("--tolerance", type=float, default=0.01, help="symmetry tolerance, Å")
    ap.add_argument("--compare", type=int, default=0, help="predict the first N structures both ways")
    ap.add_argument("--maps", type=int, default=0, help="compare the maps of the first M structures point by point")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--output", type=pathlib.Path, required=True)
    a = ap.parse_args()

    folder = a.data / "cif" if (a.data / "cif").is_dir() else a.data
    files = sorted(folder.glob("*.cif"))[: a.limit]
    model = x3mat.Model.load(a.model)
    targets = model.targets
    groups = collections.Counter()
    windows = evaluated = 0
    diffs = collections.defaultdict(list)
    t_on = t_off = 0.0
    header = ["id", "space_group", "symbol", "operations", "windows", "evaluated", "map_max_relative_difference"]
    map_diffs = []
    for t in targets:
        header += [f"{t}_reduced", f"{t}_full"]
    with open(a.output, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(header)
        for k, path in enumerate(files):
            try:
                s = x3mat.Structure.from_cif(path)
                number, symbol = s.space_group(a.tolerance)
            except x3mat.X3Error as e:
                print(f"skipped {path.name}: {e}", file=sys.stderr)
                continue
            x3mat.set_symmetry(True, a.tolerance)
            n, o, ops = model.orbits(s)
            groups[number] += 1
            windows += n
            evaluated += o
            row = [path.stem, number, symbol, ops, n, o]
            if k < a.maps:
                reduced_map, _ = model.contributions(s)
                x3mat.set_symmetry(True, a.tolerance, reduce=False)
                full_map, _ = model.contributions(s)
                x3mat.set_symmetry(True, a.tolerance)
                rel = float(np.abs(reduced_map - full_map).max() / max(np.abs(full_map).max(), 1e-300))
                map_diffs.append((rel, path.stem))
                row.append(rel)
            else:
                row.append("")
            if k < a.compare:
                t0 = time.perf_counter()
                reduced = model.predict(s)
                t1 = time.perf_counter()
                x3mat.set_symmetry(False)
                full = model.predict(s)
                t2 = time.perf_counter()
                t_on += t1 - t0
                t_off += t2 - t1
                for t in targets:
                    row += [reduced[t], full[t]]
                    diffs[t].append(abs(reduced[t] - full[t]))
            w.writerow(row)
            if (k + 1) % 200 == 0:
                print(f"{k + 1}/{len(files)} structures", file=sys.stderr)
    x3mat.set_symmetry(True, 0.01)
    print(f"{a.data}: {sum(groups.values())} structures, tolerance {a.tolerance} Å")
    print(f"windows {windows}, evaluated {evaluated} (ratio {evaluated / max(windows, 1):.3f})")
    print("space groups (number: structures): " + ", ".join(f"{g}: {c}" for g, c in groups.most_common()))
    if map_diffs:
        worst = max(map_diffs)
        within = sum(1 for r, _ in map_diffs if r <= 1e-5)
        print(f"maps: {within} of {len(map_diffs)} within 1e-5 (relative) at every grid point; "
              f"largest {worst[0]:.3g} ({worst[1]})")
    for t, d in diffs.items():
        print(f"{t}: |reduced - full| over {len(d)} structures: max {max(d):.3g}, mean {np.mean(d):.3g}")
    if a.compare:
        print(f"prediction time of the compared structures: reduced {t_on:.1f} s, full {t_off:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
