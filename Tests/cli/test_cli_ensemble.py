"""`x3mat ensemble` and what predict and screen report for an ensemble: the members'
mean and sample standard deviation (ddof 1), checked with NumPy against each member's
own predictions; the file is one safetensors file holding every member; evaluate
measures and calibrates the spread; members that disagree are refused."""
import json
import math
import re

import numpy as np
import pytest

from cli_support import SHARED, TINY, needs_shared, run
from cli_support import read_csv as read

pytestmark = needs_shared
CIFS = [SHARED / "iza" / "cif" / f"{n}.cif" for n in ("LTA", "SOD", "ABW")]


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    """Three small models of the same target, trained with seeds 1, 2, 3."""
    d = tmp_path_factory.mktemp("members")
    (d / "tiny.json").write_text(json.dumps(TINY))
    paths = []
    for seed in (1, 2, 3):
        r = run("train", SHARED / "iza", "--target", "ar_uptake_mol_kg", "--output", d / f"s{seed}", "--config",
                d / "tiny.json", "--limit", 12, "--epochs", 2, "--seed", seed, "--threads", 2)
        assert r.returncode == 0, r.stderr
        paths.append(d / f"s{seed}" / "model.safetensors")
    return paths


def test_predict_reports_the_members_mean_and_spread(members, tmp_path):
    ensemble = tmp_path / "e.safetensors"
    r = run("ensemble", *members, "-o", ensemble)
    assert r.returncode == 0, r.stderr
    assert "an ensemble of 3 models" in r.stdout
    # one file: its header names the three members' tensors
    raw = ensemble.read_bytes()
    header = json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])
    assert header["__metadata__"]["members"] == "3" and header["__metadata__"]["format_version"] == "2"
    assert all(any(k.startswith(f"member{i}.") for k in header) for i in range(3))
    singles = []
    for i, m in enumerate(members):
        r = run("predict", "-m", m, *CIFS, "--output", tmp_path / f"p{i}.csv", "--contributions", tmp_path / f"w{i}.csv",
                "--top", 0)
        assert r.returncode == 0, r.stderr
        singles.append((read(tmp_path / f"p{i}.csv"), read(tmp_path / f"w{i}.csv")))
    r = run("predict", "-m", ensemble, *CIFS, "--output", tmp_path / "pe.csv", "--contributions", tmp_path / "we.csv",
            "--top", 0)
    assert r.returncode == 0, r.stderr
    assert "(an ensemble of 3)" in r.stdout and "± " in r.stdout + r.stderr  # summaries go with the progress display
    rows, windows = read(tmp_path / "pe.csv"), read(tmp_path / "we.csv")
    assert list(rows[0]) == ["id", "windows", "ar_uptake_mol_kg", "ar_uptake_mol_kg_std"]
    for k, row in enumerate(rows):
        values = np.array([float(s[0][k]["ar_uptake_mol_kg"]) for s in singles])
        assert float(row["ar_uptake_mol_kg"]) == pytest.approx(values.mean(), rel=1e-12)
        assert float(row["ar_uptake_mol_kg_std"]) == pytest.approx(values.std(ddof=1), rel=1e-9)
        assert values.std() > 0
    assert list(windows[0])[-2:] == ["ar_uptake_mol_kg", "ar_uptake_mol_kg_std"]
    assert len(windows) == len(singles[0][1])
    for k in range(0, len(windows), 5):
        values = np.array([float(s[1][k]["ar_uptake_mol_kg"]) for s in singles])
        assert float(windows[k]["ar_uptake_mol_kg"]) == pytest.approx(values.mean(), rel=1e-12, abs=1e-12)
        assert float(windows[k]["ar_uptake_mol_kg_std"]) == pytest.approx(values.std(ddof=1), rel=1e-9, abs=1e-12)
    # screen writes the same numbers, with the same columns
    r = run("screen", *CIFS, "-m", ensemble, "-o", tmp_path / "s.csv")
    assert r.returncode == 0, r.stderr
    screened = read(tmp_path / "s.csv")
    assert list(screened[0])[-2:] == ["ar_uptake_mol_kg", "ar_uptake_mol_kg_std"]
    assert [(s["ar_uptake_mol_kg"], s["ar_uptake_mol_kg_std"]) for s in screened] == \
        [(p["ar_uptake_mol_kg"], p["ar_uptake_mol_kg_std"]) for p in rows]
    r = run("info", ensemble)
    assert r.returncode == 0 and "3 members" in r.stdout
    # explain: maps of the mean and of the spread; its numbers are predict's
    r = run("explain", CIFS[0], "-m", ensemble, "--output", tmp_path / "lta")
    assert r.returncode == 0, r.stderr
    summary = json.loads((tmp_path / "lta" / "explanation.json").read_text())["targets"][0]
    assert summary["property"] == pytest.approx(float(rows[0]["ar_uptake_mol_kg"]), rel=1e-12)
    assert summary["property_std"] == pytest.approx(float(rows[0]["ar_uptake_mol_kg_std"]), rel=1e-12)
    lta = [w for w in windows if w["id"] == "LTA"]
    assert summary["map_std_max"] == pytest.approx(max(float(w["ar_uptake_mol_kg_std"]) for w in lta), rel=1e-12)
    assert (tmp_path / "lta" / "ar_uptake_mol_kg_std.cube").exists() and (tmp_path / "lta" / "ar_uptake_mol_kg_std.xsf").exists()


def test_evaluate_measures_the_calibration_of_the_spread(members, tmp_path):
    """The shares of labels within ±1σ and ±2σ that evaluate prints, recomputed with NumPy
    from its parity table (true, predicted, std per structure)."""
    ensemble = tmp_path / "e.safetensors"
    assert run("ensemble", *members, "-o", ensemble).returncode == 0
    r = run("evaluate", "--model", ensemble, SHARED / "iza", "--limit", 20, "--output", tmp_path / "parity.csv")
    assert r.returncode == 0, r.stderr
    rows = read(tmp_path / "parity.csv")
    assert list(rows[0]) == ["id", "ar_uptake_mol_kg_true", "ar_uptake_mol_kg_predicted", "ar_uptake_mol_kg_std"]
    y, p, s = (np.array([float(r[f"ar_uptake_mol_kg_{k}"]) for r in rows]) for k in ("true", "predicted", "std"))
    z = np.abs(y - p) / s
    one, two = 100 * np.mean(z <= 1), 100 * np.mean(z <= 2)
    assert f"within ±1σ of the ensemble's prediction {one:.1f} %, ±2σ {two:.1f} %" in r.stdout


def test_evaluate_calibrates_the_spread_on_held_out_structures(members, tmp_path):
    """--calibrate writes the ensemble with spread scale sqrt(mean z^2), computed here with
    NumPy from the uncalibrated parity table; the calibrated ensemble reports the same
    predictions with every std times that factor (so mean z^2 = 1 on these structures),
    info shows the factor and the rule, and a single model is refused."""
    ensemble, calibrated = tmp_path / "e.safetensors", tmp_path / "calibrated.safetensors"
    assert run("ensemble", *members, "-o", ensemble).returncode == 0
    r = run("evaluate", "--model", ensemble, SHARED / "iza", "--limit", 20, "--output", tmp_path / "before.csv",
            "--calibrate", calibrated)
    assert r.returncode == 0, r.stderr
    before = read(tmp_path / "before.csv")
    y, p, s = (np.array([float(r[f"ar_uptake_mol_kg_{k}"]) for r in before]) for k in ("true", "predicted", "std"))
    factor = np.sqrt(np.mean(((y - p) / s) ** 2))
    assert abs(factor - 1) > 0.01  # the test is not trivially satisfied by a factor of 1
    r = run("evaluate", "--model", calibrated, SHARED / "iza", "--limit", 20, "--output", tmp_path / "after.csv")
    assert r.returncode == 0, r.stderr
    after = read(tmp_path / "after.csv")
    p2, s2 = (np.array([float(r[f"ar_uptake_mol_kg_{k}"]) for r in after]) for k in ("predicted", "std"))
    assert np.array_equal(p2, p) and s2 == pytest.approx(factor * s, rel=1e-12)
    assert np.mean(((y - p2) / s2) ** 2) == pytest.approx(1, rel=1e-12)
    r = run("predict", SHARED / "iza" / "cif" / "LTA.cif", "--model", calibrated, "--top", 0)
    shown = re.search(r"\(an ensemble of 3; its spread × ([0-9.]+), calibrated by likelihood\)", r.stdout)
    assert r.returncode == 0 and shown and float(shown.group(1)) == pytest.approx(factor, abs=5e-4), r.stdout
    assert " (calibrated ensemble spread)" in r.stdout
    raw = run("predict", SHARED / "iza" / "cif" / "LTA.cif", "--model", ensemble, "--top", 0).stdout
    assert "calibrated" not in raw and " (ensemble spread)" in raw
    info = run("info", calibrated)
    shown = re.search(r"spread scale \(ar_uptake_mol_kg ([0-9.]+); fitted by likelihood: mean \(error / σ\)² = 1 ", info.stdout)
    assert info.returncode == 0 and shown and float(shown.group(1)) == pytest.approx(factor, rel=1e-3), info.stdout
    r = run("evaluate", "--model", members[0], SHARED / "iza", "--limit", 20, "--calibrate", tmp_path / "no.safetensors")
    assert r.returncode != 0 and "single model" in r.stderr


def test_evaluate_calibrates_to_coverage_with_the_quantile_of_abs_z(members, tmp_path):
    """--calibration coverage fits the 68.27th percentile (erf(1/sqrt 2)) of |z|, computed
    here with NumPy's quantile (linear interpolation) from the uncalibrated parity table;
    on 20 structures it sits between the 13th and 14th smallest |z|, so ±1σ then holds
    13 of them (65 %); info names the rule."""
    ensemble, calibrated = tmp_path / "e.safetensors", tmp_path / "covered.safetensors"
    assert run("ensemble", *members, "-o", ensemble).returncode == 0
    r = run("evaluate", "--model", ensemble, SHARED / "iza", "--limit", 20, "--output", tmp_path / "before.csv",
            "--calibrate", calibrated, "--calibration", "coverage")
    assert r.returncode == 0, r.stderr
    assert re.search(r"spread scale 1\.000 → [0-9.]+ \(coverage\); with it 65\.0 % of these labels lie within ±1σ", r.stdout), r.stdout
    before = read(tmp_path / "before.csv")
    y, p, s = (np.array([float(r[f"ar_uptake_mol_kg_{k}"]) for r in before]) for k in ("true", "predicted", "std"))
    assert len(y) == 20
    factor = np.quantile(np.abs(y - p) / s, math.erf(1 / math.sqrt(2)))
    r = run("evaluate", "--model", calibrated, SHARED / "iza", "--limit", 20, "--output", tmp_path / "after.csv")
    assert r.returncode == 0, r.stderr
    s2 = np.array([float(r["ar_uptake_mol_kg_std"]) for r in read(tmp_path / "after.csv")])
    assert s2 == pytest.approx(factor * s, rel=1e-12)
    assert np.sum(np.abs(y - p) <= s2) == 13
    info = run("info", calibrated)
    assert info.returncode == 0 and "; fitted by coverage: ±1σ held 68.27 % of the calibration set's labels)" in info.stdout
    r = run("evaluate", "--model", ensemble, SHARED / "iza", "--limit", 20, "--calibrate", calibrated,
            "--calibration", "quantile")
    assert r.returncode == 1 and "--calibration 'quantile': use likelihood or coverage" in r.stderr
    r = run("evaluate", "--model", ensemble, SHARED / "iza", "--limit", 20, "--calibration", "coverage")
    assert r.returncode == 1 and "--calibration goes with --calibrate" in r.stderr


def test_members_that_disagree_are_refused(members, tmp_path):
    other = dict(TINY, window_step=4.0)
    (tmp_path / "other.json").write_text(json.dumps(other))
    r = run("train", SHARED / "iza", "--target", "ar_uptake_mol_kg", "--output", tmp_path / "o", "--config",
            tmp_path / "other.json", "--limit", 12, "--epochs", 1, "--threads", 2)
    assert r.returncode == 0, r.stderr
    r = run("ensemble", members[0], tmp_path / "o" / "model.safetensors", "-o", tmp_path / "bad.safetensors")
    assert r.returncode != 0 and "share their windows" in r.stderr
    assert not (tmp_path / "bad.safetensors").exists()
    r = run("ensemble", members[0], "-o", tmp_path / "one.safetensors")
    assert r.returncode != 0 and "two or more" in r.stderr
