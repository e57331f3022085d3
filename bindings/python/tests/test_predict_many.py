"""Many structures at once (Model.predict_many, x3_model_predict_many) and pickling of
Structure and Model, as multiprocessing, joblib and Dask need."""
import multiprocessing
import pickle

import numpy as np
import pytest

import x3mat

ZEOLITES = ["ABW", "LTA", "SOD", "ANA"]


def test_predict_many_equals_predict_one_at_a_time(shared, tmp_path):
    cifs = [shared / "iza" / "cif" / f"{z}.cif" for z in ZEOLITES]
    broken = tmp_path / "broken.cif"
    broken.write_text("data_broken\n_cell_length_a 5\n")
    with x3mat.Model.load("iza-ar-uptake") as model:
        inputs = [cifs[0], broken, x3mat.Structure.from_cif(cifs[1]), str(cifs[2]), cifs[3]]
        frame = model.predict_many(inputs)
        assert list(frame.index) == ["ABW", "broken", "LTA", "SOD", "ANA"]
        # the uptake, then its spread when the shipped model is an ensemble
        stds = ["ar_uptake_mol_kg_std"] if model.members > 1 else []
        assert list(frame.columns) == ["ar_uptake_mol_kg", *stds, "evaluated", "error"]
        for z, cif in zip(ZEOLITES, cifs):
            # the same numbers, to the bit, as predicting the structure alone
            prop, std = model.predict_std(cif)
            assert frame.loc[z, "ar_uptake_mol_kg"] == prop["ar_uptake_mol_kg"] == model.predict(cif)["ar_uptake_mol_kg"]
            for c in stds:
                assert frame.loc[z, c] == std["ar_uptake_mol_kg"]
            assert frame.loc[z, "evaluated"] == model.orbits(cif)[1]
            assert frame.loc[z, "error"] is None
        assert np.isnan(frame.loc["broken", "ar_uptake_mol_kg"]) and frame.loc["broken", "evaluated"] == 0
        assert "broken.cif" in frame.loc["broken", "error"]


def test_a_structure_the_engine_refuses_fails_alone(shared):
    # a cap of 150 windows: LTA's 216-window grid is refused, ABW's 144 are not
    cifs = [shared / "iza" / "cif" / f"{z}.cif" for z in ("ABW", "LTA")]
    old = x3mat.get_limit("window_max_count")
    x3mat.set_limit("window_max_count", 150)
    try:
        with x3mat.Model.load("iza-ar-uptake") as model:
            frame = model.predict_many(cifs, ids=["a", "b"])
            assert frame.loc["a", "error"] is None and np.isfinite(frame.loc["a", "ar_uptake_mol_kg"])
            assert "X3OutOfMemoryError" in frame.loc["b", "error"] and np.isnan(frame.loc["b", "ar_uptake_mol_kg"])
    finally:
        x3mat.set_limit("window_max_count", old)


def test_structures_and_models_pickle(shared, tmp_path):
    cif = shared / "qmof" / "cif" / "qmof-0000295.cif"
    s = x3mat.Structure.from_cif(cif)
    t = pickle.loads(pickle.dumps(s))
    assert np.array_equal(t.cell, s.cell) and np.array_equal(t.positions(False), s.positions(False))
    assert np.array_equal(t.atomic_numbers, s.atomic_numbers)
    model = x3mat.Model.load("qmof-band-gap")
    copy = pickle.loads(pickle.dumps(model))
    assert copy.config == model.config and copy.card == model.card
    assert copy.predict(t) == model.predict(s)


def _predict_in_child(args):
    model, structure = args
    return model.predict(structure)["ar_uptake_mol_kg"]


def test_a_process_pool_predicts_what_this_process_does(shared):
    model = x3mat.Model.load("iza-ar-uptake")
    structures = [x3mat.Structure.from_cif(shared / "iza" / "cif" / f"{z}.cif") for z in ZEOLITES[:2]]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        got = pool.map(_predict_in_child, [(model, s) for s in structures])
    assert got == [model.predict(s)["ar_uptake_mol_kg"] for s in structures]
