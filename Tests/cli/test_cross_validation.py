"""benchmarks/cross_validation.py on a tiny problem (16 structures, 3 folds, a quarter
held out for test): the folds' validation sets partition the non-test structures, the
test set is the same in every fold and in none of their training sets, and every number
of summary.json is recomputed here with NumPy from the runs' own files and the labels;
the folds train two at a time (--jobs 2); models/ship_ensemble.py and ship_run.py copy
the ensemble and one fold's run with the files that document them."""
import json
import subprocess
import sys

import numpy as np
import pytest

from cli_support import CLI, ROOT, SHARED, TINY, needs_shared
from cli_support import read_csv as read

pytestmark = needs_shared
pytest.importorskip("sklearn")


def test_cross_validation_folds_baselines_and_ensemble(tmp_path):
    (tmp_path / "tiny.json").write_text(json.dumps(TINY))
    work = tmp_path / "cv"
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "cross_validation.py"), str(SHARED / "iza"),
                        "ar_uptake_mol_kg", str(work), "--folds", "3", "--test", "0.25", "--descriptors",
                        "density_g_cm3,pld_A", "--jobs", "2", "--x3mat", CLI, "--", "--config", str(tmp_path / "tiny.json"),
                        "--limit", "16", "--epochs", "2"], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    # --jobs 2: each fold ran pinned with one thread, so a serial one-thread run of a fold
    # gives the same model, byte for byte
    assert all(", 1 threads," in (work / f"fold{i}" / "train.log").read_text() for i in range(3))
    serial = subprocess.run([CLI, "train", str(SHARED / "iza"), "--target", "ar_uptake_mol_kg", "--output",
                             str(tmp_path / "serial"), "--folds", "3", "--fold", "1", "--test", "0.25", "--config",
                             str(tmp_path / "tiny.json"), "--limit", "16", "--epochs", "2", "--threads", "1"],
                            capture_output=True, text=True, timeout=900)
    assert serial.returncode == 0, serial.stderr
    assert (tmp_path / "serial" / "model.safetensors").read_bytes() == (work / "fold1" / "model.safetensors").read_bytes()
    labels = {row["framework"]: float(row["ar_uptake_mol_kg"]) for row in read(SHARED / "iza" / "labels.csv")}
    splits = [read(work / f"fold{i}" / "split.csv") for i in range(3)]
    sets = [{s: {row["id"] for row in split if row["set"] == s} for s in ("train", "validation", "test")} for split in splits]
    assert all(s["test"] == sets[0]["test"] and len(s["test"]) == 4 for s in sets)
    assert all(not (s["train"] & s["test"]) and not (s["train"] & s["validation"]) for s in sets)
    held = [s["validation"] for s in sets]
    assert sum(map(len, held)) == 12 and set().union(*held) == set().union(*(s["train"] | s["validation"] for s in sets))
    summary = json.loads((work / "summary.json").read_text())
    maes = []
    for i, s in enumerate(sets):
        pred = {row["id"]: float(row["ar_uptake_mol_kg_predicted"]) for row in read(work / f"fold{i}" / "predictions_validation.csv")}
        maes.append(np.mean([abs(pred[k] - labels[k]) for k in s["validation"]]))
    cv = summary["cross_validation"]["X(3)mat"]
    assert cv["per_fold_mae"] == pytest.approx(maes, rel=1e-9)
    assert cv["mae"] == pytest.approx([np.mean(maes), np.std(maes, ddof=1)], rel=1e-9)
    mean_pred = [np.mean([abs(np.mean([labels[k] for k in s["train"]]) - labels[k]) for k in s["validation"]]) for s in sets]
    assert summary["cross_validation"]["mean predictor"]["per_fold_mae"] == pytest.approx(mean_pred, rel=1e-9)
    # the ensemble of the fold models on the test set: members, metrics, calibration
    raw = (work / "ensemble.safetensors").read_bytes()
    assert json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])["__metadata__"]["members"] == "3"
    p = read(work / "test_parity.csv")
    assert {row["id"] for row in p} == sets[0]["test"]
    y, yhat, sd = (np.array([float(row[f"ar_uptake_mol_kg_{k}"]) for row in p]) for k in ("true", "predicted", "std"))
    assert y == pytest.approx([labels[row["id"]] for row in p], rel=1e-12)
    test = summary["test"]
    assert test["X(3)mat ensemble of the folds"]["mae"] == pytest.approx(np.mean(np.abs(yhat - y)), rel=1e-9)
    z = np.abs(y - yhat) / sd
    assert test["calibration"]["within_1_sigma"] == np.mean(z <= 1)
    assert test["calibration"]["within_2_sigma"] == np.mean(z <= 2)
    assert "random forest" in test and "random forest" in summary["cross_validation"]
    # the spread scale: fitted on the calibration half by x3mat, sqrt(mean z^2) recomputed here
    halves = {row["id"]: row["set"] for row in read(work / "calibration_split.csv")}
    assert sorted(halves.values()) == ["calibration"] * 2 + ["check"] * 2 and set(halves) == sets[0]["test"]
    fit = np.array([halves[row["id"]] == "calibration" for row in p])
    factor = np.sqrt(np.mean(((y - yhat) / sd)[fit] ** 2))
    cal = test["calibrated"]
    assert cal["spread_scale"] == pytest.approx(factor, rel=1e-9)
    assert cal["within_after"] == [np.mean(z[~fit] <= factor), np.mean(z[~fit] <= 2 * factor)]
    assert cal["within_before"] == [np.mean(z[~fit] <= 1), np.mean(z[~fit] <= 2)]
    # models/ship_ensemble.py: the calibrated ensemble with its split (train with the fold it
    # was validated in, test), its test predictions and every member's per-epoch log
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    r = subprocess.run([sys.executable, str(ROOT / "models" / "ship_ensemble.py"), str(work), "tiny", str(SHARED / "iza"),
                        "ar_uptake_mol_kg", "--into", str(shipped), "--x3mat", CLI], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (shipped / "tiny.safetensors").read_bytes() == (work / "ensemble_calibrated.safetensors").read_bytes()
    rows = read(shipped / "tiny.split.csv")
    assert {row["id"] for row in rows if row["set"] == "test"} == sets[0]["test"]
    assert all(row["id"] in sets[int(row["fold"])]["validation"] for row in rows if row["set"] == "train")
    assert len(rows) == 16 and {row["set"] for row in rows} == {"train", "test"}
    v = read(shipped / "tiny.predictions.csv")
    sd_cal = np.array([float(row["ar_uptake_mol_kg_std"]) for row in v])
    assert [row["id"] for row in v] == [row["id"] for row in p]  # same order as the uncalibrated table
    assert sd_cal == pytest.approx(factor * sd, rel=1e-5)  # the spread, scaled by the fitted factor
    logs = read(shipped / "tiny.metrics.csv")
    assert [row["fold"] for row in logs] == [str(i) for i in range(3) for _ in range(2)]
    # models/ship_run.py on one fold's run: its model, split and log, and as the shipped
    # predictions its test set's (which chose neither weights nor epoch), drawn as a PNG
    one = tmp_path / "one"
    one.mkdir()
    r = subprocess.run([sys.executable, str(ROOT / "models" / "ship_run.py"), str(work / "fold0"), "single", "--into",
                        str(one), "--unit", "mol/kg"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    for source, suffix in (("model.safetensors", "safetensors"), ("split.csv", "split.csv"),
                           ("metrics.csv", "metrics.csv"), ("predictions_test.csv", "predictions.csv")):
        assert (one / f"single.{suffix}").read_bytes() == (work / "fold0" / source).read_bytes(), suffix
    assert {row["id"] for row in read(one / "single.predictions.csv")} == sets[0]["test"]
    assert (one / "single.parity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = subprocess.run([sys.executable, str(ROOT / "models" / "ship_run.py"), str(tmp_path / "nothing"), "x", "--into",
                        str(one)], capture_output=True, text=True, timeout=300)
    assert r.returncode != 0 and "has the run finished?" in r.stderr
    # benchmarks/baselines.py --set test on a fold's run: X(3)mat's line is that run's test MAE
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "baselines.py"), str(work / "fold0"), str(SHARED / "iza"),
                        "ar_uptake_mol_kg", "--set", "test"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    pred = {row["id"]: float(row["ar_uptake_mol_kg_predicted"]) for row in read(work / "fold0" / "predictions_test.csv")}
    line = next(x for x in r.stdout.splitlines() if x.startswith("X(3)mat"))
    assert float(line.split()[-3]) == pytest.approx(np.mean([abs(pred[k] - labels[k]) for k in sets[0]["test"]]), abs=6e-5)
    assert "4 test structures" in r.stdout
    # benchmarks/parity_plot.py draws the test table (with ±1σ bars) as a PNG
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "parity_plot.py"), str(work / "test_parity.csv"),
                        str(tmp_path / "parity.png"), "--unit", "mol/kg"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "parity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
