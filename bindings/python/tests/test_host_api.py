"""What a host code needs, through the Python binding: models by name (with
X3MAT_MODEL_PATH taking precedence), contributions at given centres equal to those of the
model's own grid, and memory release that leaves results unchanged."""
import pathlib
import shutil

import numpy as np
import pytest

import x3mat

REPO = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture
def no_symmetry():
    x3mat.set_symmetry(False, 0.01)
    yield
    x3mat.set_symmetry(True, 0.01)


def test_shipped_model_by_name_is_the_repository_file():
    # an installed package carries the shipped models beside libx3mat (as the wheel does);
    # a library loaded from the build tree finds the source tree's models/
    found = pathlib.Path(x3mat.find_model("iza-ar-uptake"))
    assert found.parent in (pathlib.Path(x3mat.__file__).parent / "models", (REPO / "models").resolve())
    assert found.read_bytes() == (REPO / "models/iza-ar-uptake.safetensors").read_bytes()
    assert x3mat.Model.load("qmof-band-gap").targets == ["band_gap_eV"]


def test_models_carry_their_cards():
    card = x3mat.Model.load("qmof-band-gap").card
    assert card["targets"][0]["name"] == "band_gap_eV" and card["targets"][0]["unit"] == "eV"
    assert card["targets"][0]["strong"] == "low"
    assert card["training_data"]["licence"]
    assert x3mat.Model.create().card is None


def test_per_volume_contributions_at_centres_are_the_grid_ones(shared, no_symmetry):
    # a per-volume model divides every window's output by the structure's density, at given
    # centres as on its own grid; the plain model with the same weights shows the factor
    # (AFI's density by pymatgen, an independent reader: 1e-4, the atomic-weight tables)
    pymatgen = pytest.importorskip("pymatgen.core")
    config = {"lmax": 1, "mmax": 1, "channels": 8, "blocks": 1, "window_step": 4.0, "target_mean": [5.0]}
    plain, per_volume = x3mat.Model.create(config), x3mat.Model.create({**config, "per_volume": [True]})
    s = x3mat.Structure.from_cif(shared / "iza/cif/AFI.cif")
    grid, _ = per_volume.contributions(s)
    windows = per_volume.windows(s)
    np.testing.assert_allclose(per_volume.contributions_at(s, windows.centres), grid, rtol=1e-6, atol=0)
    density = pymatgen.Structure.from_file(shared / "iza/cif/AFI.cif").density
    np.testing.assert_allclose(plain.contributions(s)[0] / grid, density, rtol=1e-4)


def test_model_path_variable_comes_first_and_unknown_names_fail(tmp_path, monkeypatch):
    shutil.copy(REPO / "models/iza-ar-uptake.safetensors", tmp_path / "mine.safetensors")
    monkeypatch.setenv("X3MAT_MODEL_PATH", f"/nonexistent:{tmp_path}")
    assert pathlib.Path(x3mat.find_model("mine")) == tmp_path / "mine.safetensors"
    with pytest.raises(x3mat.X3IOError, match="no model file 'nothing-here'"):
        x3mat.find_model("nothing-here")


def test_contributions_at_grid_centres_equal_the_grid_evaluation(shared, no_symmetry):
    model = x3mat.Model.load("iza-ar-uptake")
    s = x3mat.Structure.from_cif(shared / "iza/cif/AFI.cif")
    grid, _ = model.contributions(s)
    windows = model.windows(s)
    # the grid's own fractional centres: the same windows, the same numbers
    assert np.array_equal(model.contributions_at(s, windows.fractional_centres, cartesian=False), grid)
    # Cartesian centres, and centres shifted by whole cells, differ from them by rounding only
    # (single-precision network: 1e-6 relative)
    np.testing.assert_allclose(model.contributions_at(s, windows.centres), grid, rtol=1e-6, atol=0)
    shifted = windows.fractional_centres + np.array([1, -2, 3])
    np.testing.assert_allclose(model.contributions_at(s, shifted, cartesian=False), grid, rtol=1e-6, atol=0)
    assert model.contributions_at(s, np.empty((0, 3))).shape == (0, 1)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="not finite"):
        model.contributions_at(s, [[0.0, np.nan, 1.0]])


def test_release_memory_leaves_predictions_unchanged(shared):
    model = x3mat.Model.load("iza-ar-uptake")
    s = x3mat.Structure.from_cif(shared / "iza/cif/LTA.cif")
    before = model.predict(s)
    x3mat.release_memory()
    assert model.predict(s) == before


def _predict_in_child(queue, path):
    model = x3mat.Model.load("iza-ar-uptake")
    queue.put(model.predict(x3mat.Structure.from_cif(path)))


def test_a_forked_child_predicts_the_same_without_hanging(shared):
    # fork() copies the pool's bookkeeping but not its threads (multiprocessing's default on Linux)
    import multiprocessing
    path = str(shared / "iza/cif/LTA.cif")
    model = x3mat.Model.load("iza-ar-uptake")
    expected = model.predict(x3mat.Structure.from_cif(path))  # the parent's pool is running now
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_predict_in_child, args=(queue, path))
    child.start()
    child.join(timeout=120)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung")
    assert child.exitcode == 0
    assert queue.get(timeout=5) == expected
