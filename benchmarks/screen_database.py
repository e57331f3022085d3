"""Summary of benchmarks/screen_database.sh: per model, both sides' wall and CPU time
summed over the chunks done, structures and windows evaluated per wall second and per
CPU second, the speed-up in CPU time (whole and its spread over chunks) and in wall time,
peak RSS, and the screen's peak RSS at 1,000 and at all structures.

    python3 benchmarks/screen_database.py WORKDIR
"""
import csv
import os
import sys


def main(work: str) -> None:
    rows = list(csv.DictReader(open(os.path.join(work, "chunks.tsv")), delimiter="\t"))
    total = sum(1 for _ in open(os.path.join(work, "all.txt")))
    print(f"{total} structures in the database")
    print("| model | chunks | structures | predict DIR: wall s, CPU s, structures/CPU s, windows/CPU s, peak RSS | "
          "screen: wall s, CPU s, structures/CPU s, windows/CPU s, peak RSS | "
          "speed-up in CPU time (chunks: min–max) | in wall time | max rel. diff |")
    print("| --- | ---: | ---: | --- | --- | --- | ---: | ---: |")
    for model in dict.fromkeys(r["model"] for r in rows):
        side = {s: [r for r in rows if r["model"] == model and r["side"] == s] for s in ("old", "new")}
        n = sum(int(r["structures"]) for r in side["new"])
        w = sum(int(r["windows_evaluated"]) for r in side["new"])
        def total(s: str, key: str) -> float:
            return sum(float(r[key]) for r in side[s])
        cells = []
        for s in ("old", "new"):
            t = total(s, "cpu_s")
            rss = max(int(r["peak_rss_kib"]) for r in side[s]) / 1024
            cells.append(f"{total(s, 'wall_s'):.0f}, {t:.0f}, {n / t:.2f}, {w / t:.0f}, {rss:.0f} MiB")
        ratios = [float(o["cpu_s"]) / float(nw["cpu_s"]) for o, nw in zip(side["old"], side["new"])]
        diff = max(float(r["max_rel_diff"]) for r in side["new"])
        print(f"| {model} | {len(side['new'])} | {n} | {cells[0]} | {cells[1]} | "
              f"{total('old', 'cpu_s') / total('new', 'cpu_s'):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}) | "
              f"{total('old', 'wall_s') / total('new', 'wall_s'):.2f}× | {diff:.1e} |")
    rss = os.path.join(work, "rss.tsv")
    if os.path.exists(rss):
        r = list(csv.DictReader(open(rss), delimiter="\t"))
        a, b = int(r[0]["peak_rss_kib"]), int(r[1]["peak_rss_kib"])
        print(f"one screen process (qmof-band-gap): peak RSS {a / 1024:.0f} MiB after {r[0]['structures']} structures, "
              f"{b / 1024:.0f} MiB after {r[1]['structures']} ({100 * (b - a) / a:+.1f} %)")


if __name__ == "__main__":
    main(sys.argv[1])
