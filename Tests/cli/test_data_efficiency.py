"""benchmarks/data_efficiency.py on a tiny problem (20 structures, sizes 8, 4 and all in
that order, a quarter held out for test): the summary goes by size, every size keeps
the same test and validation sets, the training sets are nested, and every number of
summary.json is recomputed here from the runs' own files and the labels (the forest
with scikit-learn directly)."""
import json
import subprocess
import sys

import numpy as np
import pytest

from cli_support import CLI, ROOT, SHARED, TINY, needs_shared
from cli_support import read_csv as read

pytestmark = needs_shared
pytest.importorskip("sklearn")


def test_data_efficiency_curve_on_one_test_set(tmp_path):
    from sklearn.ensemble import RandomForestRegressor

    (tmp_path / "tiny.json").write_text(json.dumps(TINY))
    work = tmp_path / "curve"
    cols = ["density_g_cm3", "pld_A"]
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "data_efficiency.py"), str(SHARED / "iza"),
                        "ar_uptake_mol_kg", str(work), "--sizes", "8,4,all", "--epochs", "2,2,1", "--test", "0.25",
                        "--validation", "0.2", "--descriptors", ",".join(cols), "--plot", str(tmp_path / "curve.png"),
                        "--jobs", "2", "--x3mat", CLI, "--", "--config", str(tmp_path / "tiny.json"), "--limit", "20"],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    assert all(", 1 threads," in (work / n / "train.log").read_text() for n in ("n4", "n8", "nall"))  # --jobs 2
    table = {row["framework"]: row for row in read(SHARED / "iza" / "labels.csv")}
    y = lambda ids: np.array([float(table[k]["ar_uptake_mol_kg"]) for k in ids])  # noqa: E731
    x = lambda ids: np.array([[float(table[k][c] or "nan") for c in cols] for k in ids])  # noqa: E731
    splits = [read(work / n / "split.csv") for n in ("n4", "n8", "nall")]
    sets = [{s: [row["id"] for row in split if row["set"] == s] for s in ("train", "validation", "test")} for split in splits]
    assert [len(s["train"]) for s in sets] == [4, 8, 11]
    assert all(s["test"] == sets[0]["test"] and len(s["test"]) == 5 for s in sets)
    assert all(s["validation"] == sets[0]["validation"] and len(s["validation"]) == 4 for s in sets)
    assert set(sets[0]["train"]) < set(sets[1]["train"]) < set(sets[2]["train"])
    summary = json.loads((work / "summary.json").read_text())
    test = sets[0]["test"]
    assert summary["test_structures"] == 5 and [row["training"] for row in summary["sizes"]] == [4, 8, 11]
    for row, s, name, epochs in zip(summary["sizes"], sets, ("n4", "n8", "nall"), (2, 2, 1)):
        pred = {p["id"]: float(p["ar_uptake_mol_kg_predicted"]) for p in read(work / name / "predictions_test.csv")}
        err = np.array([pred[k] for k in test]) - y(test)
        assert row["x3mat"]["mae"] == pytest.approx(np.mean(np.abs(err)), rel=1e-9)
        assert row["x3mat"]["rmse"] == pytest.approx(np.sqrt(np.mean(err ** 2)), rel=1e-9)
        assert row["mean"]["mae"] == pytest.approx(np.mean(np.abs(y(s["train"]).mean() - y(test))), rel=1e-9)
        # one framework has no descriptors: blanks take the training set's median, as documented
        med = np.nanmedian(x(s["train"]), axis=0)
        fill = lambda a: np.where(np.isnan(a), med, a)  # noqa: E731
        rf = RandomForestRegressor(n_estimators=500, random_state=0, n_jobs=2).fit(fill(x(s["train"])), y(s["train"]))
        assert row["forest"]["mae"] == pytest.approx(np.mean(np.abs(rf.predict(fill(x(test))) - y(test))), rel=1e-9)
        assert row["epochs"] == epochs and 1 <= row["best_epoch"] <= epochs
        # the training time is the run's own: its metrics log's cumulative seconds at the last epoch
        log = read(work / name / "metrics.csv")
        assert row["training_seconds"] == float(log[-1]["seconds"]) > 0
    assert (tmp_path / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # a rerun finds every size finished and trains nothing
    again = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "data_efficiency.py"), str(SHARED / "iza"),
                            "ar_uptake_mol_kg", str(work), "--sizes", "4,8,all", "--test", "0.25", "--validation", "0.2",
                            "--x3mat", CLI], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "==" not in again.stdout, again.stderr
