"""Independent cross-check: what libx3mat reads from real CIFs equals what ASE reads.

ASE (ase.io.read) has its own CIF parser and symmetry expansion. For a sample of each
dataset we compare the cell parameters, the atom count and the composition, and (as
sets, since atom order may differ) the Cartesian positions in ASE's own cell frame.
"""
import warnings

import numpy as np
import pytest

import x3mat

ase_io = pytest.importorskip("ase.io")


def sample(shared, subset, k):
    files = sorted((shared / subset / "cif").glob("*.cif"))
    step = max(1, len(files) // k)
    return files[::step][:k]


def positions_match(a, b, cell, tol):
    """Every position of a has one in b within tol (minimum image), and counts agree."""
    inv = np.linalg.inv(cell)
    d = (a[:, None, :] - b[None, :, :]) @ inv
    d -= np.round(d)
    dist = np.linalg.norm(d @ cell, axis=2)
    return len(a) == len(b) and np.all(dist.min(axis=1) < tol) and np.all(dist.min(axis=0) < tol)


@pytest.mark.parametrize("subset,k", [("iza", 40), ("qmof", 25), ("coremof", 25), ("hmof_toy", 10)])
def test_structures_equal_ase(shared, subset, k):
    for path in sample(shared, subset, k):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = ase_io.read(path)
        s = x3mat.Structure.from_cif(path)
        assert len(s) == len(ref), path.name
        assert s.formula == ref.get_chemical_formula("hill"), path.name
        np.testing.assert_allclose(s.cell_parameters, ref.cell.cellpar(), rtol=1e-6, atol=1e-6, err_msg=path.name)
        # same orientation convention (a along x, b in xy): compare Cartesian positions by species
        np.testing.assert_allclose(s.cell, np.asarray(ref.cell), atol=1e-6, err_msg=path.name)
        for z in np.unique(ref.numbers):
            assert positions_match(s.positions()[s.atomic_numbers == z], ref.positions[ref.numbers == z],
                                   s.cell, 0.01), f"{path.name}: Z={z} positions differ"


def test_ase_and_pymatgen_objects_are_accepted(shared):
    path = shared / "coremof" / "cif" / "ABAVIJ_clean.cif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        atoms = ase_io.read(path)
    s = x3mat.Structure.from_ase(atoms)
    assert s.formula == atoms.get_chemical_formula("hill") and len(s) == len(atoms)
    back = s.to_ase()
    np.testing.assert_allclose(back.positions, atoms.positions, atol=1e-12)
    pymatgen = pytest.importorskip("pymatgen.core")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = pymatgen.Structure.from_file(str(path))
    t = x3mat.Structure.from_pymatgen(p)
    assert t.formula == s.formula and t.density == pytest.approx(p.density, rel=1e-3)
