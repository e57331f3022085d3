"""Symmetry through the Python binding: space groups agree with the spglib Python package
on ASE's reading of the files (an independent reader and an independent binding), and the
symmetry-reduced evaluation gives every window the value a full evaluation gives it."""
import pathlib

import numpy as np
import pytest

import x3mat

REPO = pathlib.Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "iza-ar-uptake.safetensors"


@pytest.fixture
def restore_symmetry():
    yield
    x3mat.set_symmetry(True, 0.01)


@pytest.mark.parametrize("path", ["iza/cif/LTA.cif", "iza/cif/FAU.cif", "iza/cif/MOR.cif", "iza/cif/AFI.cif",
                                  "qmof/cif/qmof-0000295.cif", "coremof/cif/ABAVIJ_clean.cif"])
def test_space_group_matches_spglib_python_on_ase_atoms(shared, path):
    spglib = pytest.importorskip("spglib")
    ase_io = pytest.importorskip("ase.io")
    atoms = ase_io.read(shared / path)
    reference = spglib.get_symmetry_dataset((atoms.cell[:], atoms.get_scaled_positions(), atoms.numbers),
                                            symprec=0.01)
    number, symbol = x3mat.Structure.from_cif(shared / path).space_group(0.01)
    ref_number = reference.number if hasattr(reference, "number") else reference["number"]
    ref_symbol = reference.international if hasattr(reference, "international") else reference["international"]
    assert (number, symbol) == (ref_number, ref_symbol)


def test_symmetry_setting_round_trips_and_refuses_bad_values(restore_symmetry):
    assert x3mat.get_symmetry() == (True, 0.01)
    x3mat.set_symmetry(False, 0.05)
    assert x3mat.get_symmetry() == (False, 0.05)
    for bad in [0.0, -1.0, 0.6, float("nan")]:
        with pytest.raises(x3mat.X3InvalidArgumentError):
            x3mat.set_symmetry(True, bad)
    assert x3mat.get_symmetry() == (False, 0.05)


def test_reduced_contributions_equal_every_window_evaluated(shared, restore_symmetry):
    # LTA (Pm-3m): the plain 6 x 6 x 6 grid is already symmetric, so both settings use
    # the same windows. The file's 48 operations (sign changes and permutations of
    # (i, j, k) mod 6) leave 20 orbits: multisets of three values from {0, 1, 2, 3},
    # C(6, 3) = 20 (hand count).
    model = x3mat.Model.load(MODEL)
    s = x3mat.Structure.from_cif(shared / "iza/cif/LTA.cif")
    assert model.orbits(s) == (216, 20, 48)
    reduced, prop = model.contributions(s)
    x3mat.set_symmetry(False)
    assert model.orbits(s) == (216, 216, 1)
    full, full_prop = model.contributions(s)
    scale = np.abs(full).max()
    assert np.abs(reduced - full).max() <= 1e-5 * scale
    assert abs(prop[0] - full_prop[0]) <= 1e-5 * abs(full_prop[0])
    assert abs(prop[0] - reduced.mean()) <= 1e-9 * abs(prop[0])
    # the windows reported are those evaluated: the plain grid of Structure.windows
    assert len(model.windows(s)) == len(s.windows(model.config["window_radius"], model.config["window_step"]))


def test_space_group_errors_name_the_problem():
    s = x3mat.Structure.from_arrays(np.eye(3) * 5, np.zeros((1, 3)), [6])
    with pytest.raises(x3mat.X3InvalidArgumentError, match="tolerance"):
        s.space_group(0.0)
    assert s.space_group(0.01)[0] == 221  # one atom in a cubic cell: Pm-3m


def test_reduced_map_equals_every_window_of_the_adapted_grid(shared, restore_symmetry):
    # SOD (Im-3m, a = 8.965 Å): the plain grid at 2 Å is 5³, the body centring (1/2, 1/2,
    # 1/2) needs even counts: 6³. reduce=False evaluates all 216 windows of that grid.
    model = x3mat.Model.load(MODEL)
    s = x3mat.Structure.from_cif(shared / "iza/cif/SOD.cif")
    windows, evaluated, operations = model.orbits(s)
    assert (windows, operations) == (216, 96) and evaluated < 20
    reduced, _ = model.contributions(s)
    x3mat.set_symmetry(True, 0.01, reduce=False)
    assert model.orbits(s) == (216, 216, 1)
    full, _ = model.contributions(s)
    assert np.abs(reduced - full).max() <= 1e-5 * np.abs(full).max()
    x3mat.set_symmetry(False)
    assert model.orbits(s)[0] == 125
