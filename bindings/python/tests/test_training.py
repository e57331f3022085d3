"""x3mat.train and Model.predict through the C ABI: progress, stop and resume, files,
and metrics recomputed independently with NumPy."""
import csv
import json
import math

import numpy as np
import pytest

import x3mat

# about 5k parameters and few windows (5 Å step): trains in seconds
TINY = {"lmax": 1, "mmax": 1, "channels": 8, "attention_channels": 8, "heads": 2, "value_channels_per_head": 4,
        "ffn_channels": 8, "blocks": 1, "radial_basis": 8, "radial_hidden": 8, "edge_embedding": 4,
        "max_neighbours": 8, "readout_hidden": 8, "window_radius": 5.0, "window_step": 5.0}
OPTIONS = dict(epochs=3, batch_structures=3, windows_per_structure=2, validation_fraction=0.25, seed=5, limit=12,
               threads=2)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_train_reports_progress_and_writes_consistent_files(shared, tmp_path):
    seen = []
    run = x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "run", config=TINY, progress=seen.append, **OPTIONS)
    assert run.finished and len(run.metrics) == 3
    phases = {p.phase for p in seen}
    assert phases == {"windows", "training", "validating", "epoch_end"}
    ends = [p for p in seen if p.phase == "epoch_end"]
    assert [p.epoch for p in ends] == [1, 2, 3] and all(p.epochs == 3 for p in ends)
    assert all(p.validation_mae is not None and p.validation_mae > 0 for p in ends)
    assert ends[-1].validation_mae == pytest.approx(run.metrics[-1]["val_mae_ar_uptake_mol_kg"])
    steps = [p for p in seen if p.phase == "training"]
    assert len(steps) == 9 and steps[0].steps_per_epoch == 3  # 9 training structures, 3 per step

    # the final metrics, recomputed with NumPy from the predictions file
    rows = read_csv(tmp_path / "run" / "predictions_validation.csv")
    y = np.array([float(r["ar_uptake_mol_kg_true"]) for r in rows])
    p = np.array([float(r["ar_uptake_mol_kg_predicted"]) for r in rows])
    got = run.evaluation["validation"]["targets"]["ar_uptake_mol_kg"]
    assert got["count"] == len(rows) == 3
    assert got["mae"] == pytest.approx(np.mean(np.abs(p - y)), rel=1e-12)
    assert got["rmse"] == pytest.approx(np.sqrt(np.mean((p - y) ** 2)), rel=1e-12)
    assert got["r2"] == pytest.approx(1 - np.sum((p - y) ** 2) / np.sum((y - y.mean()) ** 2), rel=1e-12)

    # the split file covers the 12 structures once each
    split = read_csv(tmp_path / "run" / "split.csv")
    assert len(split) == 12 and len({r["id"] for r in split}) == 12
    assert {r["id"] for r in split if r["set"] == "validation"} == {r["id"] for r in rows}

    # the saved model predicts what the predictions file says (all windows), and its
    # property is the mean of its window contributions
    model = x3mat.Model.load(run.model_path)
    assert model.config["target_std"][0] > 0 and model.targets == ["ar_uptake_mol_kg"]
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / f"{rows[0]['id']}.cif")
    assert model.predict(s)["ar_uptake_mol_kg"] == pytest.approx(p[0], rel=1e-5)
    c, prop = model.contributions(s)
    assert prop[0] == pytest.approx(c[:, 0].mean(), rel=1e-12)
    assert c.shape == (len(s.windows(5.0, 5.0)), 1)
    w = model.windows(s)
    assert len(w) == c.shape[0] and w.radius == 5.0
    np.testing.assert_array_equal(w.centres, s.windows(5.0, 5.0).centres)


def test_stop_from_the_callback_and_resume_match_an_uninterrupted_run(shared, tmp_path):
    full = x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "full", config=TINY, **OPTIONS)
    count = [0]

    def stop_after_five_steps(p):
        count[0] += p.phase == "training"
        return count[0] < 5

    cut = x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "cut", config=TINY, progress=stop_after_five_steps,
                      **OPTIONS)
    assert not cut.finished and len(cut.metrics) == 1 and cut.evaluation is None
    resumed = x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "cut", resume=True, limit=12)
    assert resumed.finished
    assert (tmp_path / "cut" / "model.safetensors").read_bytes() == (tmp_path / "full" / "model.safetensors").read_bytes()
    assert resumed.evaluation["validation"] == full.evaluation["validation"]


def test_errors_in_the_callback_and_bad_requests_raise(shared, tmp_path):
    def boom(p):
        raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError, match="from the callback"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "a", config=TINY, progress=boom, **OPTIONS)
    # the stop left a checkpoint: a new run there is refused, resuming with options too
    with pytest.raises(x3mat.X3InvalidArgumentError, match="already holds a training run"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "a", config=TINY, **OPTIONS)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="drop 'epochs'"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "a", resume=True, epochs=4)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="saved configuration is used"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "a", resume=True, config={"lmax": 2})
    with pytest.raises(x3mat.X3InvalidArgumentError, match="'threads' must be a whole number"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "t", threads=1e20)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="no such target column; the columns are framework"):
        x3mat.train(shared / "iza", "ar_uptake", tmp_path / "b", config=TINY, **OPTIONS)
    with pytest.raises(x3mat.X3ParseError, match="unknown training option 'epoch'"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "c", epoch=3)
    with pytest.raises(x3mat.X3IOError, match="not a directory"):
        x3mat.train(tmp_path / "missing", "y", tmp_path / "d")
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_init_starts_from_a_models_weights_and_normalisation(shared, tmp_path):
    """init= through the C ABI: a run on other structures (limit 8, not 12) keeps the
    model's configuration and target mean and std, which a new run would take from its
    own training labels; at a learning rate of 1e-12 its weights stay the model's (read
    with the safetensors package, not through libx3mat)."""
    numpy_io = pytest.importorskip("safetensors.numpy")
    first = x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "first", config=TINY, **dict(OPTIONS, epochs=1))
    options = dict(OPTIONS, epochs=1, limit=8)
    tuned = x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "tuned", init=first.model_path,
                        **dict(options, learning_rate=1e-12))
    fresh = x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "fresh", config=TINY, **options)
    assert tuned.finished
    a, b = x3mat.Model.load(first.model_path).config, x3mat.Model.load(tuned.model_path).config
    assert a == b and x3mat.Model.load(fresh.model_path).config["target_mean"] != a["target_mean"]
    before, after = numpy_io.load_file(first.model_path), numpy_io.load_file(tuned.model_path)
    assert before.keys() == after.keys()
    for name in before:
        np.testing.assert_allclose(after[name], before[name], rtol=0, atol=1e-6, err_msg=name)
    # what the model fixes cannot be given again; an ensemble is not one model
    with pytest.raises(x3mat.X3InvalidArgumentError, match="brings its own configuration"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "no", init=first.model_path, config=TINY, **options)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="predicts ar_uptake_mol_kg but the targets given are density_g_cm3"):
        x3mat.train(shared / "iza", "density_g_cm3", tmp_path / "no", init=first.model_path, **options)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="\"init\" starts a new run"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "tuned", init=first.model_path, resume=True)
    with pytest.raises(x3mat.X3UnsupportedError, match="holds an ensemble of 5 models where one model is expected"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "no", init=x3mat.find_model("iza-ar-uptake"),
                    **options)
    assert not (tmp_path / "no").exists()


def test_a_snapshot_ensemble_calibrated_for_coverage_holds_68_percent_of_validation_within_one_sigma(shared, tmp_path):
    """calibration="coverage": the spread scale puts the 68.27th percentile (erf(1/sqrt 2),
    NumPy's linear quantile) of the validation set's |label − mean| / σ at exactly 1,
    recomputed here from predictions_validation.csv; the checkpoint's "training"
    metadata keeps the option (read here as raw safetensors JSON), and the ensemble file
    the rule."""
    options = dict(OPTIONS, epochs=2, snapshots=2, validation_fraction=0.5, calibration="coverage")
    run = x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "run", config=TINY, **options)
    assert run.finished and run.evaluation["spread_scale"]["ar_uptake_mol_kg"] > 0
    rows = read_csv(tmp_path / "run" / "predictions_validation.csv")
    y, p, s = (np.array([float(r[f"ar_uptake_mol_kg_{k}"]) for r in rows]) for k in ("true", "predicted", "std"))
    assert len(rows) == 6
    assert np.quantile(np.abs(y - p) / s, math.erf(1 / math.sqrt(2))) == pytest.approx(1, rel=1e-9)
    raw = (tmp_path / "run" / "checkpoint.safetensors").read_bytes()
    meta = json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])["__metadata__"]
    assert json.loads(meta["training"])["options"]["calibration"] == "coverage"
    assert x3mat.Model.load(tmp_path / "run" / "ensemble.safetensors").spread_calibration == "coverage"
    with pytest.raises(x3mat.X3ParseError, match="calibration"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "bad", config=TINY, **dict(options, calibration="rms"))


def test_cross_validation_folds_hold_out_every_structure_once(shared, tmp_path):
    """folds=k, fold=i through the C ABI: the k runs' validation sets (split.csv) partition
    the 12 structures (sizes 3, 3, 3, 3: positions 3i ..< 3(i+1) of the seeded shuffle),
    and every run trains on the other 9."""
    held = []
    for fold in range(4):
        options = dict(OPTIONS, epochs=1, folds=4, fold=fold)
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / f"fold{fold}", config=TINY, **options)
        rows = read_csv(tmp_path / f"fold{fold}" / "split.csv")
        validation = {r["id"] for r in rows if r["set"] == "validation"}
        assert len(validation) == 3 and sum(r["set"] == "train" for r in rows) == 9
        held.append(validation)
    everything = {r["id"] for r in rows}
    assert len(everything) == 12 and set().union(*held) == everything
    assert sum(len(v) for v in held) == 12
    with pytest.raises(x3mat.X3InvalidArgumentError, match="fold = 4"):
        x3mat.train(shared / "iza", "ar_uptake_mol_kg", tmp_path / "bad", config=TINY, **dict(OPTIONS, folds=4, fold=4))
