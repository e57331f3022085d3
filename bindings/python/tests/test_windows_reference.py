"""Window sampling against references computed here, independently of libx3mat:

- a NumPy brute force over every periodic image in a box wide enough for every centre;
- ASE's neighbour list (``ase.neighborlist.neighbor_list``) with a dummy atom at each
  window centre, whose shift vectors give the image offsets.

Every window's atom set — (source atom, image offset) pairs, with multiplicity — must equal
the reference, on real structures from ../shared/data (IZA zeolites, QMOF, CoRE MOF) and on
adversarial cells. Atom images within 1e-9 Å of the sphere's surface are the only ones where
double rounding may legitimately decide either way; they are counted and must be rare.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

import x3mat

BOUNDARY = 1e-9  # Å


def numpy_reference(cell, frac, centres_frac, radius):
    """For each centre, the sorted list of (source, n1, n2, n3) with |(f + n - c) @ cell| <= R,
    and the number of images within BOUNDARY of R. Images searched: for axis i, every n
    with |f_i + n_i - c_i| <= R * |b_i| (b_i reciprocal vectors) — necessary for being
    within R — so the box cannot miss one."""
    recip = np.linalg.inv(cell).T  # rows b_i with a_i . b_j = delta_ij
    reach = radius * np.linalg.norm(recip, axis=1)
    lo = np.floor(centres_frac.min(0) - frac.max(0) - reach).astype(int)
    hi = np.ceil(centres_frac.max(0) - frac.min(0) + reach).astype(int)
    shifts = np.stack(np.meshgrid(*[np.arange(lo[i], hi[i] + 1) for i in range(3)], indexing="ij"), -1).reshape(-1, 3)
    images_frac = frac[None, :, :] + shifts[:, None, :]  # (S, N, 3)
    points = (images_frac.reshape(-1, 3)) @ cell
    src = np.tile(np.arange(len(frac)), len(shifts))
    img = np.repeat(shifts, len(frac), axis=0)
    out, boundary = [], 0
    centres = centres_frac @ cell
    for k0 in range(0, len(centres), 32):
        c = centres[k0:k0 + 32]
        d = np.sqrt(((points[None, :, :] - c[:, None, :]) ** 2).sum(-1))
        boundary += int((np.abs(d - radius) < BOUNDARY).sum())
        for row in d:
            sel = np.nonzero(row <= radius)[0]
            keys = np.column_stack([src[sel], img[sel]])
            out.append(keys[np.lexsort(keys.T[::-1])])
    return out, boundary


def window_keys(w, i):
    win = w[i]
    return np.column_stack([win.source_atoms, win.images])


def compare(structure, radius, step, label):
    w = structure.windows(radius, step)
    cell = structure.cell
    frac = structure.positions(cartesian=False)
    ref, boundary = numpy_reference(cell, frac, w.fractional_centres, radius)
    assert len(w) == np.prod(w.grid_shape)
    bad = 0
    for i in range(len(w)):
        mine = window_keys(w, i)
        # documented order: by source atom, then image offset; each image once
        if len(mine) > 1:
            order = np.lexsort(mine.T[::-1])
            assert np.array_equal(order, np.arange(len(mine))), f"{label}: window {i} is not in order"
            assert len({tuple(r) for r in mine}) == len(mine), f"{label}: window {i} repeats an atom image"
        if mine.shape != ref[i].shape or not np.array_equal(mine, ref[i]):
            # allowed only when the difference is images on the sphere's surface
            a = {tuple(r) for r in mine}
            b = {tuple(r) for r in ref[i]}
            for key in a ^ b:
                f = frac[key[0]] + np.array(key[1:])
                d = np.linalg.norm(f @ cell - w.centres[i])
                if abs(d - radius) >= BOUNDARY:
                    bad += 1
        # positions: (f + n) @ cell - centre
        win = w[i]
        expect = (frac[win.source_atoms] + win.images) @ cell - win.centre
        np.testing.assert_allclose(win.positions, expect, atol=1e-9)
        assert np.all(win.atomic_numbers == structure.atomic_numbers[win.source_atoms])
    assert bad == 0, f"{label}: {bad} atom images differ from the NumPy brute force"
    assert boundary <= max(2, w.total_atoms // 10000), f"{label}: {boundary} images on the surface"
    return w


def sample_files(shared, dataset, k, seed, key=None):
    files = sorted((shared / dataset / "cif").glob("*.cif"))
    rng = random.Random(seed)
    return rng.sample(files, k)


@pytest.mark.parametrize("dataset,radius,count", [("iza", 6.0, 14), ("qmof", 8.0, 10), ("coremof", 6.0, 8)])
def test_real_structures_match_numpy_brute_force(shared, dataset, radius, count):
    files = sample_files(shared, dataset, count, seed=2026)
    if dataset == "iza":  # always include the smallest cells and an interrupted framework
        files += [shared / "iza" / "cif" / f"{n}.cif" for n in ("LTA", "SOD", "ABW", "WEN")]
    checked = 0
    for path in files:
        s = x3mat.Structure.from_cif(path)
        if len(s) > 1500:  # keep the O(windows x atoms x images) reference affordable
            continue
        compare(s, radius, 2.0, path.name)
        checked += 1
    assert checked >= count // 2


def ase_reference(structure, centres, radius):
    """(probe, source, shift) from ASE's neighbour list with a dummy atom 'X' per centre."""
    from ase import Atoms
    from ase.neighborlist import neighbor_list

    n = len(structure)
    atoms = Atoms(numbers=np.concatenate([structure.atomic_numbers, np.zeros(len(centres), int)]),
                  positions=np.vstack([structure.positions(), centres]), cell=structure.cell, pbc=True)
    i, j, S, d = neighbor_list("ijSd", atoms, radius, self_interaction=False)
    keep = (i >= n) & (j < n)
    return i[keep] - n, j[keep], S[keep], d[keep]


@pytest.mark.parametrize("name,radius", [("LTA", 6.0), ("ABW", 8.0), ("FAU", 6.0)])
def test_iza_windows_match_ase_neighbour_list(shared, name, radius):
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / f"{name}.cif")
    w = s.windows(radius, 2.0)
    probe, src, shift, d = ase_reference(s, w.centres, radius)
    # ASE uses d < cutoff; libx3mat d <= R. Images on the surface are compared separately.
    surface = np.abs(d - radius) < BOUNDARY
    assert surface.sum() == 0
    order = np.lexsort((shift[:, 2], shift[:, 1], shift[:, 0], src, probe))
    ref = np.column_stack([probe, src, shift])[order]
    mine = np.column_stack([np.repeat(np.arange(len(w)), w.counts), w.source_atoms, w.images])
    assert mine.shape == ref.shape
    assert np.array_equal(mine, ref)


def adversarial_structures():
    """Tiny cubic cell with R = 8 Å (hundreds of images of one atom per window); cells
    with angles near 30° and 150°; a one-atom triclinic cell; positions outside [0, 1)."""
    cases = []
    cases.append(("tiny cubic a=1.5 R=8", x3mat.Structure.from_arrays(np.eye(3) * 1.5, [[0.3, 0.2, 0.1]], [14],
                                                                       cartesian=True), 8.0, 0.7))

    def cell_from(a, b, c, al, be, ga):
        from ase.geometry import cellpar_to_cell
        return cellpar_to_cell([a, b, c, al, be, ga])

    rng = np.random.default_rng(7)
    for angles in [(30, 150, 130), (35, 35, 30), (150, 100, 60)]:
        cell = cell_from(5.0, 6.0, 4.5, *angles)
        frac = rng.random((6, 3))
        cases.append((f"skewed {angles}", x3mat.Structure.from_arrays(cell, frac, [8, 14, 6, 1, 30, 8], cartesian=False),
                      6.0, 1.3))
    cases.append(("one atom triclinic", x3mat.Structure.from_arrays(cell_from(3.1, 4.5, 2.2, 70, 80, 100),
                                                                    [[0.5, 0.5, 0.5]], [29], cartesian=False), 6.0, 0.9))
    frac = np.array([[1.7, -0.2, 0.5], [-3.1, 2.05, 0.999], [0.0, 0.0, -0.0]])
    cases.append(("unwrapped positions", x3mat.Structure.from_arrays(cell_from(7, 8, 9, 80, 95, 110), frac,
                                                                     [8, 8, 14], cartesian=False), 6.0, 2.0))
    # A cell 0.0051 Å thick, sheared so that its vectors stay 0.5 Å or longer and its
    # relative volume 0.0102 (libx3mat's limits are 0.5 Å and 0.01): a window of 10.5 Å
    # reaches 2059 images along c, beyond the packed-key range (±2047 cells), so
    # libx3mat's general sorting path is exercised.
    flat = np.array([[20.0, 0, 0], [0, 20.0, 0], [0.5, 0.0, 0.0051]])
    cases.append(("flat cell 0.0051 A", x3mat.Structure.from_arrays(flat, [[0.2, 0.3, 0.5]], [6],
                                                                    cartesian=False), 10.5, 10.0))
    return cases


@pytest.mark.parametrize("case", adversarial_structures(), ids=lambda c: c[0])
def test_adversarial_cells_match_numpy_brute_force(case):
    label, s, radius, step = case
    w = compare(s, radius, step, label)
    if label.startswith("tiny"):
        # one atom, a = 1.5 Å: a window holds about (4/3 pi 8^3) / 1.5^3 = 636 images of it
        assert 550 < w.counts.mean() < 720
        assert np.all(w.source_atoms == 0)


@pytest.mark.parametrize("case", adversarial_structures()[:5], ids=lambda c: c[0])
def test_adversarial_cells_match_ase_neighbour_list(case):
    label, s, radius, step = case
    w = s.windows(radius, step)
    probe, src, shift, d = ase_reference(s, w.centres, radius)
    assert (np.abs(d - radius) < BOUNDARY).sum() == 0
    order = np.lexsort((shift[:, 2], shift[:, 1], shift[:, 0], src, probe))
    ref = np.column_stack([probe, src, shift])[order]
    mine = np.column_stack([np.repeat(np.arange(len(w)), w.counts), w.source_atoms, w.images])
    assert np.array_equal(mine, ref)
