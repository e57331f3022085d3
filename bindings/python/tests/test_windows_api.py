"""The Python face of window sampling: shapes, dtypes, indexing, errors."""
import numpy as np
import pytest

import x3mat


def toy():
    return x3mat.Structure.from_arrays(np.diag([10.0, 11.0, 12.0]), [[1, 2, 3], [5, 5, 5]], [14, 8])


def test_grid_windows_have_documented_shapes_and_order():
    w = toy().windows(radius=6, step=2)
    assert w.grid_shape == (5, 6, 6) and w.step == 2.0 and len(w) == 180
    assert w.offsets[0] == 0 and w.offsets[-1] == w.total_atoms == w.counts.sum()
    assert w.positions.shape == (w.total_atoms, 3) and w.images.shape == (w.total_atoms, 3)
    assert w.atomic_numbers.dtype == np.int32 and w.source_atoms.dtype == np.int32
    # C order, k3 fastest, offset 0
    k = np.stack(np.meshgrid(range(5), range(6), range(6), indexing="ij"), -1).reshape(-1, 3)
    np.testing.assert_allclose(w.fractional_centres, k / np.array([5, 6, 6]), atol=0)
    np.testing.assert_allclose(w.centres, w.fractional_centres @ np.diag([10.0, 11.0, 12.0]))
    win = w[7]
    assert isinstance(win, x3mat.Window)
    assert len(win.atomic_numbers) == w.counts[7]
    assert np.all(np.linalg.norm(win.positions, axis=1) <= 6)
    assert sum(1 for _ in w) == 180
    with pytest.raises(IndexError):
        w[180]
    assert not w.positions.flags.writeable


def test_windows_at_given_centres_have_no_grid_and_keep_order():
    s = toy()
    w = s.windows_at([[0, 0, 0], [5, 5, 5], [1, 2, 3]], radius=1.0)
    assert w.grid_shape is None and w.step is None and len(w) == 3
    assert list(w[1].source_atoms) == [1] and list(w[2].source_atoms) == [0]
    np.testing.assert_allclose(w[2].positions, [[0, 0, 0]], atol=1e-12)
    f = s.windows_at([[0.5, 5 / 11, 5 / 12]], radius=1.0, cartesian=False)
    assert list(f[0].source_atoms) == [1]


def test_from_ase_structure_windows():
    ase = pytest.importorskip("ase.build")
    atoms = ase.bulk("Cu", "fcc", a=3.61)
    w = x3mat.Structure.from_ase(atoms).windows_at([[0, 0, 0]], radius=2.6)
    # fcc: the atom itself and 12 nearest neighbours at a / sqrt(2) = 2.553 Å
    assert w.counts[0] == 13


@pytest.mark.parametrize("kwargs,exc,words", [
    (dict(radius=0, step=2), x3mat.X3InvalidArgumentError, "radius"),
    (dict(radius=float("nan"), step=2), x3mat.X3InvalidArgumentError, "radius"),
    (dict(radius=6, step=-1), x3mat.X3InvalidArgumentError, "step"),
    (dict(radius=6, step=0.001), x3mat.X3OutOfMemoryError, "cap"),
    (dict(radius=6, step=1, max_windows=10), x3mat.X3OutOfMemoryError, "cap of 10 windows"),
    (dict(radius=1e5, step=2), x3mat.X3OutOfMemoryError, "atoms"),
])
def test_bad_requests_raise_with_a_message(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        toy().windows(**kwargs)


def test_empty_structure_is_refused():
    empty = x3mat.Structure.from_arrays(np.eye(3) * 5, np.zeros((0, 3)), [])
    with pytest.raises(x3mat.X3InvalidArgumentError, match="no atoms"):
        empty.windows(6, 2)


def test_thread_count_does_not_change_windows():
    s = toy()
    x3mat.set_num_threads(1)
    try:
        assert x3mat.get_num_threads() == 1
        one = s.windows(6, 1.1)
    finally:
        x3mat.set_num_threads(0)
    two = s.windows(6, 1.1)
    assert np.array_equal(one.source_atoms, two.source_atoms) and np.array_equal(one.positions, two.positions)
