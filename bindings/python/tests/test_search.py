"""benchmarks/search.py, the Optuna hyper-parameter search, on a tiny problem: it trains
real trials through the binding, records the best one, and a second invocation continues
the same study (its journal file) instead of starting over; parallel workers share a study."""
import json
import pathlib
import subprocess
import sys

import pytest

optuna = pytest.importorskip("optuna")

SEARCH = pathlib.Path(__file__).resolve().parents[3] / "benchmarks" / "search.py"
# a small model on few windows: a trial takes about a second
FIXED = ["lmax=1", "channels=16", "blocks=1", "window_radius=5.0", "window_step=5.0", "max_neighbours=12"]


def journal(workdir):
    """The study as search.py keeps it, read with Optuna's own journal reader."""
    backend = optuna.storages.journal.JournalFileBackend(str(workdir / "study.journal"))
    return optuna.storages.JournalStorage(backend)


def command(shared, workdir, trials, threads=2):
    return [sys.executable, str(SEARCH), str(shared / "iza"), "ar_uptake_mol_kg", str(workdir), "--trials", str(trials),
            "--epochs", "2", "--limit", "12", "--test", "0.25", "--threads", str(threads), "--fixed", *FIXED]


def search(shared, workdir, trials):
    return subprocess.run(command(shared, workdir, trials), capture_output=True, text=True, timeout=600)


def test_search_records_the_best_trial_and_resumes(shared, tmp_path):
    first = search(shared, tmp_path, 2)
    assert first.returncode == 0, first.stderr
    study = optuna.load_study(study_name="ar_uptake_mol_kg", storage=journal(tmp_path))
    values = [t.value for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(study.trials) == 2 and len(values) == 2
    best = json.loads((tmp_path / "best.json").read_text())
    assert best["validation_mae"] == min(values)
    assert best["config"]["lmax"] == 1 and best["config"]["channels"] == 16 and best["config"]["mmax"] == 1
    # the trial's value is its best per-epoch validation MAE, as its metrics log has it
    trial = tmp_path / f"trial-{best['trial']}"
    metrics = (trial / "metrics.csv").read_text().splitlines()
    column = metrics[0].split(",").index("val_mae_ar_uptake_mol_kg")
    assert min(float(row.split(",")[column]) for row in metrics[1:]) == pytest.approx(best["validation_mae"], rel=1e-12)
    assert "| trial | validation MAE" in first.stdout
    # the test set (a quarter of the 12) is in no trial's training or validation set
    split = (trial / "split.csv").read_text().splitlines()[1:]
    assert sum(line.endswith(",test") for line in split) == 3
    second = search(shared, tmp_path, 1)
    assert second.returncode == 0, second.stderr
    assert len(optuna.load_study(study_name="ar_uptake_mol_kg", storage=journal(tmp_path)).trials) == 3


def test_parallel_workers_share_one_study_with_their_own_samplers(shared, tmp_path):
    workers = [subprocess.Popen(command(shared, tmp_path, 1, threads=1) + ["--sampler-seed", str(k)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in (1, 2)]
    for w in workers:
        _, err = w.communicate(timeout=600)
        assert w.returncode == 0, err
    study = optuna.load_study(study_name="ar_uptake_mol_kg", storage=journal(tmp_path))
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.COMPLETE] * 2
    # each worker's sampler drew its own values (one seed for both would draw the same)
    assert study.trials[0].params["learning_rate"] != study.trials[1].params["learning_rate"]


def test_a_worker_started_again_does_not_redraw_its_first_configuration(shared, tmp_path):
    # the same --sampler-seed twice, as benchmarks/search_workers.sh does when it resumes a study:
    # the second start's seed is offset by the trial already in the study, so it draws anew
    for _ in range(2):
        run = subprocess.run(command(shared, tmp_path, 1, threads=1) + ["--sampler-seed", "1"],
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
    study = optuna.load_study(study_name="ar_uptake_mol_kg", storage=journal(tmp_path))
    assert len(study.trials) == 2
    assert study.trials[0].params != study.trials[1].params


def test_the_library_defaults_can_be_the_first_trial(shared, tmp_path):
    cli = pathlib.Path(__file__).resolve().parents[3] / "build" / "bin" / "x3mat"
    if not cli.exists():
        pytest.skip(f"{cli} is not built")
    r = subprocess.run(command(shared, tmp_path, 1) + ["--enqueue-defaults", "--x3mat", str(cli)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    sets = json.loads(subprocess.run([str(cli), "options", "model", "training", "--json"], capture_output=True,
                                     text=True, check=True).stdout)
    defaults = {item["key"]: item["default"] for items in sets.values() for item in items}
    trial = optuna.load_study(study_name="ar_uptake_mol_kg", storage=journal(tmp_path)).trials[0]
    fixed = {item.split("=")[0] for item in FIXED}
    assert trial.params and all(trial.params[k] == defaults[k] for k in trial.params)
    # the best trial as x3mat train arguments: each option under its flag, and x3mat takes them
    args = (tmp_path / "best-train-args.txt").read_text().split()
    best = json.loads((tmp_path / "best.json").read_text())
    assert args[:2] == ["--config", str((tmp_path / "best-config.json").resolve())]
    assert dict(zip(args[2::2], args[3::2]))["--learning-rate"] == str(best["options"]["learning_rate"])
    assert len(args) == 2 + 2 * len(best["options"])
    r = subprocess.run([str(cli), "train", str(shared / "iza"), "--target", "ar_uptake_mol_kg", "--output",
                        str(tmp_path / "again"), "--limit", "12", "--epochs", "1", *args], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    assert set(trial.params) | fixed == {"lmax", "channels", "blocks", "cutoff", "max_neighbours", "window_radius",
                                         "window_step", "activation", "learning_rate", "weight_decay", "warmup_fraction",
                                         "final_learning_rate_fraction", "windows_per_structure", "batch_structures",
                                         "loss", "ema_decay"}


def test_validation_on_all_windows_is_the_final_evaluation(shared, tmp_path):
    # --validation-windows 0: each epoch validates on every window, so the trial's value (its
    # best epoch's MAE) is the MAE the final evaluation of that epoch's model gives
    r = subprocess.run(command(shared, tmp_path, 1) + ["--validation-windows", "0"], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    best = json.loads((tmp_path / "best.json").read_text())
    evaluation = json.loads((tmp_path / f"trial-{best['trial']}" / "evaluation.json").read_text())
    final = evaluation["validation"]["targets"]["ar_uptake_mol_kg"]["mae"]
    assert best["validation_mae"] == pytest.approx(final, rel=1e-5)
