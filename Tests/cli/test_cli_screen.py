"""`x3mat screen`: streamed rows, resume after SIGKILL and SIGINT, shards, failures, inputs.

Run by CTest (Tests/CMakeLists.txt) with X3MAT_CLI pointing at build/bin/x3mat."""
import csv
import os
import pathlib
import random
import signal
import subprocess
import time

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("X3MAT_CLI", str(ROOT / "build" / "bin" / "x3mat"))
SHARED = pathlib.Path(os.environ.get("X3MAT_SHARED_DATA", ROOT / ".." / "shared" / "data"))
SEEDS = SHARED.parent / "fuzz-seeds"
pytestmark = pytest.mark.skipif(not (SHARED / "iza").exists(), reason=f"shared data not found at {SHARED}")

# small zeolites (at most 20 windows evaluated each with symmetry), so a screen takes seconds
ZEOLITES = ["ABW", "ACO", "AFI", "ANA", "BCT", "BIK", "CAN", "DFT", "EDI", "GIS", "LTA", "SOD"]


def run(*args, **kw):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=600, **kw)


def folder(tmp_path, names=ZEOLITES, name="cifs"):
    d = tmp_path / name
    d.mkdir()
    for n in names:
        (d / f"{n}.cif").write_bytes((SHARED / "iza" / "cif" / f"{n}.cif").read_bytes())
    return d


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def outputs(prefix):
    return {s: pathlib.Path(f"{prefix}{s}").read_bytes() for s in (".csv", ".failures.csv", ".sites.csv", ".windows.csv")}


def screen_args(inputs, prefix, *extra):
    return ["screen", inputs, "-o", f"{prefix}.csv", "--top-sites", 2, "--contributions", f"{prefix}.windows.csv",
            "--threads", 2, *extra]


def test_rows_are_the_mean_of_the_window_contributions_and_match_predict(tmp_path):
    d = folder(tmp_path)
    r = run(*screen_args(d, tmp_path / "a"))
    assert r.returncode == 0, r.stderr
    got = rows(tmp_path / "a.csv")
    assert [g["id"] for g in got] == sorted(ZEOLITES)  # input order: the folder's files, sorted
    windows = rows(tmp_path / "a.windows.csv")
    for g in got:
        c = np.array([float(w["ar_uptake_mol_kg"]) for w in windows if w["id"] == g["id"]])
        assert len(c) == int(g["windows"]) and int(g["evaluated"]) <= len(c)
        # the property is the mean of the window contributions (recomputed with NumPy)
        assert float(g["ar_uptake_mol_kg"]) == pytest.approx(c.mean(), rel=1e-12)
    # x3mat predict, one structure at a time, gives the same numbers
    p = run("predict", d / "LTA.cif", d / "SOD.cif", "-o", tmp_path / "p.csv")
    assert p.returncode == 0, p.stderr
    want = {q["id"]: q["ar_uptake_mol_kg"] for q in rows(tmp_path / "p.csv")}
    assert {g["id"]: g["ar_uptake_mol_kg"] for g in got if g["id"] in want} == want
    sites = rows(tmp_path / "a.sites.csv")
    assert len(sites) == 2 * len(ZEOLITES) and {s["rank"] for s in sites} == {"1", "2"}
    # LTA's strongest site is among its windows' highest contributions
    lta = [float(w["ar_uptake_mol_kg"]) for w in windows if w["id"] == "LTA"]
    top = float(next(s for s in sites if s["id"] == "LTA" and s["rank"] == "1")["contribution"])
    assert min(lta) <= top <= max(lta)
    assert "12 structures screened, 0 failed" in r.stdout


def test_screens_killed_at_random_moments_resume_to_the_uninterrupted_files(tmp_path):
    d = folder(tmp_path)
    t0 = time.monotonic()
    assert run(*screen_args(d, tmp_path / "whole")).returncode == 0
    whole = time.monotonic() - t0
    rng = random.Random(20261201)
    prefix = tmp_path / "killed"
    kills = 0
    for _ in range(6):
        # small slices, so that rows are written often and a kill can land mid-write
        p = subprocess.Popen([CLI, *map(str, screen_args(d, prefix, "--resume", "--slice-windows", 30))],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 0.4) * whole)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait()
    assert kills >= 3
    r = run(*screen_args(d, prefix, "--resume"))
    assert r.returncode == 0, r.stderr
    assert outputs(prefix) == outputs(tmp_path / "whole")


def test_an_interrupt_finishes_the_structures_read_and_says_how_to_resume(tmp_path):
    d = folder(tmp_path)
    assert run(*screen_args(d, tmp_path / "whole")).returncode == 0
    prefix = tmp_path / "stopped"
    p = subprocess.Popen([CLI, *map(str, screen_args(d, prefix, "--slice-windows", 30))],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # interrupt as soon as the first rows are written (a fixed delay let a fast build finish)
    out_csv = f"{prefix}.csv"
    deadline = time.monotonic() + 60
    while p.poll() is None and time.monotonic() < deadline:
        if os.path.exists(out_csv) and len(rows(out_csv)) > 0:
            break
        time.sleep(0.01)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert "--resume" in err
    written = rows(f"{prefix}.csv")
    assert 0 < len(written) < len(ZEOLITES)
    assert pathlib.Path(f"{prefix}.csv").read_text().endswith("\n")
    assert run(*screen_args(d, prefix, "--resume")).returncode == 0
    assert outputs(prefix) == outputs(tmp_path / "whole")


def test_unreadable_files_are_reported_with_reasons_and_the_rest_screened(tmp_path):
    d = folder(tmp_path, ZEOLITES[:4])
    broken = {"empty": b"", "binary": bytes(range(256)) * 4, "no_cell": b"data_x\n_atom_site_label Si1\n",
              "truncated": (SHARED / "iza" / "cif" / "LTA.cif").read_bytes()[:300]}
    for name, data in broken.items():
        (d / f"{name}.cif").write_bytes(data)
    for seed in sorted(SEEDS.glob("*.cif")):
        (d / seed.name).write_bytes(seed.read_bytes())
    (d / "folder.cif").mkdir()
    r = run("screen", d, "-o", tmp_path / "s.csv")
    assert r.returncode == 0, r.stderr
    assert {g["id"] for g in rows(tmp_path / "s.csv")} >= set(ZEOLITES[:4])
    failed = rows(tmp_path / "s.failures.csv")
    names = {f["id"] for f in failed}
    assert set(broken) | {"folder"} <= names
    for f in failed:
        assert f["status"].startswith("X3_ERR_") and f["reason"], f
    assert next(f for f in failed if f["id"] == "folder")["reason"].endswith("it is a directory")
    # every input is in exactly one of the two files
    screened = {g["id"] for g in rows(tmp_path / "s.csv")}
    assert not screened & names and len(screened) + len(names) == len(list(d.iterdir()))


def test_shards_partition_the_inputs(tmp_path):
    d = folder(tmp_path, ZEOLITES[:7])
    assert run("screen", d, "-o", tmp_path / "all.csv").returncode == 0
    parts = []
    for i in (1, 2, 3):
        r = run("screen", d, "-o", tmp_path / f"part{i}.csv", "--shard", f"{i}/3")
        assert r.returncode == 0, r.stderr
        parts.append(rows(tmp_path / f"part{i}.csv"))
    ids = sorted(ZEOLITES[:7])
    assert [[g["id"] for g in p] for p in parts] == [ids[0::3], ids[1::3], ids[2::3]]
    whole = {g["id"]: g for g in rows(tmp_path / "all.csv")}
    assert all(whole[g["id"]] == g for p in parts for g in p)
    assert "--shard" in run("screen", d, "-o", tmp_path / "x.csv", "--shard", "4/3").stderr


def test_inputs_from_lists_and_globs_and_names_unique(tmp_path):
    d = folder(tmp_path, ZEOLITES[:3])
    lst = tmp_path / "set.txt"
    lst.write_text(f"# three zeolites\ncifs/{ZEOLITES[0]}.cif\n\n{d / ZEOLITES[1]}.cif\n")
    r = run("screen", lst, str(d / "AF*.cif"), "-o", tmp_path / "s.csv")
    assert r.returncode == 0, r.stderr
    assert [g["id"] for g in rows(tmp_path / "s.csv")] == ["ABW", "ACO", "AFI"]
    r = run("screen", lst, str(d / "A*.cif"), "-o", tmp_path / "t.csv")
    assert r.returncode == 1 and "the same name" in r.stderr
    assert "no file matches" in run("screen", str(d / "Q*.cif"), "-o", tmp_path / "u.csv").stderr


def test_existing_files_are_kept_unless_resumed_or_forced(tmp_path):
    d = folder(tmp_path, ZEOLITES[:2])
    out = tmp_path / "s.csv"
    assert run("screen", d, "-o", out).returncode == 0
    first = out.read_bytes()
    r = run("screen", d, "-o", out)
    assert r.returncode == 1 and "--resume" in r.stderr and out.read_bytes() == first
    assert run("screen", d, "-o", out, "--force").returncode == 0 and out.read_bytes() == first
    # another model's file is not continued, and not cut
    r = run("screen", d, "-o", out, "-m", "coremof-co2-ch4", "--resume")
    assert r.returncode == 1 and "not this screen's file" in r.stderr and out.read_bytes() == first
