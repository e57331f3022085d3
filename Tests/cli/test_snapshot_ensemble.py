"""`x3mat train --snapshots` and `models/ship_run.py --ensemble` on a tiny problem: the run
keeps one model per learning-rate cycle, and its final predictions are their ensemble's.
Recomputed here with NumPy from each snapshot's own predictions (`x3mat evaluate`): the
mean, the sample standard deviation, the spread scale fitted on the validation set
(√(mean z²), the Gaussian maximum-likelihood factor), the calibrated spreads of both sets
and the shares of labels within ±1σ and ±2σ that evaluation.json reports."""
import json
import subprocess
import sys

import numpy as np
import pytest

from cli_support import ROOT, SHARED, TINY, needs_shared, run
from cli_support import read_csv as read

pytestmark = needs_shared
TARGET = "ar_uptake_mol_kg"


def columns(path, kinds=("true", "predicted")):
    rows = read(path)
    return [row["id"] for row in rows], *(np.array([float(row[f"{TARGET}_{k}"]) for row in rows]) for k in kinds)


def test_snapshot_ensemble_predictions_and_calibration_match_its_snapshots(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY))
    out = tmp_path / "run"
    r = run("train", SHARED / "iza", "--target", TARGET, "--output", out, "--config", config, "--limit", 24,
            "--epochs", 6, "--snapshots", 3, "--test", 0.25, "--validation", 0.25, "--threads", 2)
    assert r.returncode == 0, r.stderr
    assert "snapshot ensemble of 3" in r.stdout and "calibrated on validation" in r.stdout
    raw = (out / "ensemble.safetensors").read_bytes()
    assert json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])["__metadata__"]["members"] == "3"
    # epochs 2, 4 and 6 end a cycle, so each ends at the final learning rate (0.002 × 0.02)
    lr = [float(row["learning_rate"]) for row in read(out / "metrics.csv")]
    assert [lr[k] for k in (1, 3, 5)] == pytest.approx([4e-5] * 3, rel=1e-9) and lr[0] > 4e-5

    def members(s):
        preds = []
        for k in (1, 2, 3):
            e = run("evaluate", "--model", out / f"snapshot-{k}.safetensors", SHARED / "iza", "--target", TARGET,
                    "--split", f"{out / 'split.csv'}:{s}", "--output", tmp_path / f"{s}{k}.csv")
            assert e.returncode == 0, e.stderr
            ids, y, p = columns(tmp_path / f"{s}{k}.csv")
            preds.append(p)
        return ids, y, np.mean(preds, axis=0), np.std(preds, axis=0, ddof=1)

    evaluation = json.loads((out / "evaluation.json").read_text())
    ids, y, mean, sd = members("validation")
    factor = np.sqrt(np.mean(((y - mean) / sd) ** 2))
    assert evaluation["spread_scale"][TARGET] == pytest.approx(factor, rel=1e-5)
    for s in ("validation", "test"):
        ids, y, mean, sd = members(s)
        got_ids, got_y, got_mean, got_sd = columns(out / f"predictions_{s}.csv", ("true", "predicted", "std"))
        assert got_ids == ids and got_y.tolist() == y.tolist()
        assert got_mean == pytest.approx(mean, rel=1e-6) and got_sd == pytest.approx(factor * sd, rel=1e-4)
        z = np.abs(y - mean) / (factor * sd)
        assert evaluation[s]["calibration"][TARGET]["within_1_sigma"] == pytest.approx(np.mean(z <= 1))
        assert evaluation[s]["calibration"][TARGET]["within_2_sigma"] == pytest.approx(np.mean(z <= 2))
        assert evaluation[s]["targets"][TARGET]["mae"] == pytest.approx(np.mean(np.abs(mean - y)), rel=1e-6)
        assert len(evaluation[s]["members"]) == 3

    shipped = tmp_path / "models"
    shipped.mkdir()
    r = subprocess.run([sys.executable, str(ROOT / "models" / "ship_run.py"), str(out), "snap", "--into", str(shipped),
                        "--ensemble", "--unit", "mol/kg"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    for source, suffix in (("ensemble.safetensors", "safetensors"), ("predictions_test.csv", "predictions.csv"),
                           ("split.csv", "split.csv"), ("metrics.csv", "metrics.csv")):
        assert (shipped / f"snap.{suffix}").read_bytes() == (out / source).read_bytes(), suffix
    assert (shipped / "snap.parity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (out / "ensemble.safetensors").unlink()
    bad = subprocess.run([sys.executable, str(ROOT / "models" / "ship_run.py"), str(out), "x", "--into", str(shipped),
                          "--ensemble"], capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "no ensemble.safetensors" in bad.stderr
