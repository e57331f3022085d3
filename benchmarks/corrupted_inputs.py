"""100 corrupted or unreadable files mixed into a folder with the 190 IZA zeolites, then
`x3mat screen` on the folder: every corrupted file must end in the output or the
failures file (none lost, none stopping the screen), and every zeolite must be
predicted as a screen of the clean folder predicts it.

The corruptions (seeded, so the same files every run), 10 of each kind, each made from a
different zeolite's CIF: empty file, random bytes, the first 10–60 % of the text, a
random byte run overwritten, the cell lengths replaced by 0, a coordinate made "nan",
all atom sites deleted, the loop header cut out, an unknown element in every site, and
unreadable ones (a folder named X.cif, a dangling symbolic link, or 4 KiB of NUL bytes).

    python3 benchmarks/corrupted_inputs.py [X3MAT_CLI .build/release/x3mat-cli] [WORKDIR /tmp/x3mat-corrupted]
"""
import csv
import os
import random
import re
import shutil
import subprocess
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IZA = os.path.join(ROOT, "..", "shared", "data", "iza", "cif")


def corruptions(text: str, rng: random.Random):
    """name → a function making the corrupted file at a path from the CIF text."""
    def write(path, data):
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())

    def overwrite(path):
        b = bytearray(text.encode())
        at = rng.randrange(len(b) // 4, len(b) - 64)
        b[at:at + 48] = bytes(rng.randrange(256) for _ in range(48))
        write(path, bytes(b))

    def no_atoms(path):
        write(path, "\n".join(line for line in text.splitlines() if not re.match(r"^\s*[A-Z][a-z]?\d*\s", line)))

    def no_loop_header(path):
        write(path, "\n".join(line for line in text.splitlines() if not line.strip().startswith("_atom_site_")))

    def bad_element(path):
        write(path, re.sub(r"(?m)^([ \t]*\S+[ \t]+)(Si|O)([ \t])", r"\1Xq\3", text))

    def unreadable(path):
        kind = rng.choice(["folder", "dangling", "nul"])
        if kind == "folder":
            os.mkdir(path)
        elif kind == "dangling":
            os.symlink(path + ".missing", path)
        else:
            write(path, bytes(4096))

    return {
        "empty": lambda p: write(p, b""),
        "random-bytes": lambda p: write(p, bytes(rng.randrange(256) for _ in range(rng.randrange(10, 5000)))),
        "truncated": lambda p: write(p, text[: int(len(text) * rng.uniform(0.1, 0.6))]),
        "overwritten": overwrite,
        "zero-cell": lambda p: write(p, re.sub(r"(_cell_length_[abc]\s+)\S+", r"\g<1>0", text)),
        "nan-coordinate": lambda p: write(p, re.sub(r"(?m)^([ \t]*\S+[ \t]+(?:Si|O)[ \t]+)\S+", r"\1nan", text, count=1)),
        "no-atoms": no_atoms,
        "no-loop-header": no_loop_header,
        "unknown-element": bad_element,
        "unreadable": unreadable,
    }


def main(cli=os.path.join(ROOT, ".build", "release", "x3mat-cli"), work="/tmp/x3mat-corrupted"):
    shutil.rmtree(work, ignore_errors=True)
    mixed, clean = os.path.join(work, "mixed"), os.path.join(work, "clean")
    os.makedirs(mixed)
    os.makedirs(clean)
    zeolites = sorted(f for f in os.listdir(IZA) if f.endswith(".cif"))
    for z in zeolites:
        for d in (mixed, clean):
            os.symlink(os.path.realpath(os.path.join(IZA, z)), os.path.join(d, z))
    rng = random.Random(2026)
    made = {}
    sources = rng.sample(zeolites, 100)
    for k, src in enumerate(sources):
        text = open(os.path.join(IZA, src), encoding="utf-8").read()
        kinds = corruptions(text, rng)
        kind = list(kinds)[k // 10]
        name = f"bad{k:03d}-{kind}-{src}"
        kinds[kind](os.path.join(mixed, name))
        made[name[:-4]] = kind
    for d in ("mixed", "clean"):
        r = subprocess.run([cli, "screen", os.path.join(work, d), "-o", os.path.join(work, d + ".csv")],
                           capture_output=True, text=True)
        print(f"screen {d}: exit {r.returncode}; {r.stdout.strip().splitlines()[-2] if r.stdout.strip() else r.stderr}")
    rows = {r["id"]: r for r in csv.DictReader(open(os.path.join(work, "mixed.csv")))}
    failures = {r["id"]: r for r in csv.DictReader(open(os.path.join(work, "mixed.failures.csv")))}
    clean_rows = {r["id"]: r for r in csv.DictReader(open(os.path.join(work, "clean.csv")))}
    lost = [n for n in made if n not in rows and n not in failures]
    print(f"{len(made)} corrupted files: {sum(n in failures for n in made)} in the failures file, "
          f"{sum(n in rows for n in made)} read and predicted (the corruption left a valid CIF), {len(lost)} lost")
    print("| corruption | failed | predicted | statuses |")
    print("| --- | ---: | ---: | --- |")
    for kind in dict.fromkeys(made.values()):
        names = [n for n, k in made.items() if k == kind]
        statuses = Counter(failures[n]["status"] for n in names if n in failures)
        print(f"| {kind} | {sum(n in failures for n in names)} | {sum(n in rows for n in names)} | "
              f"{', '.join(f'{s} ×{c}' for s, c in statuses.most_common())} |")
    same = sum(rows[z]["ar_uptake_mol_kg"] == clean_rows[z]["ar_uptake_mol_kg"] for z in clean_rows if z in rows)
    print(f"zeolites: {len(clean_rows)} predicted in the clean folder, {same} predicted identically in the mixed one")
    print("examples of reasons:")
    for kind in dict.fromkeys(made.values()):
        n = next((n for n, k in made.items() if k == kind and n in failures), None)
        if n:
            print(f"  {kind}: {failures[n]['reason'][:160]}")
    if lost or same != len(clean_rows):
        sys.exit(1)


if __name__ == "__main__":
    main(*sys.argv[1:])
