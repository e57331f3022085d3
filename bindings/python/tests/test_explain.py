"""Model.explain and Model.map: the cube and XSF files are read back with ASE (an
independent reader) and give the same values and atoms; the map's mean is the property;
refinement keeps the samples and the mean; the selectivity map is the element-wise ratio
of the two maps where the guard allows it; histograms count every window."""
import csv
import json
import pathlib

import numpy as np
import pytest

import x3mat

ase_cube = pytest.importorskip("ase.io.cube")
ase_xsf = pytest.importorskip("ase.io.xsf")

ROOT = pathlib.Path(__file__).resolve().parents[3]
ZEOLITE_MODEL = ROOT / "models" / "iza-ar-uptake.safetensors"
TINY = {"lmax": 1, "mmax": 1, "channels": 8, "attention_channels": 8, "heads": 2, "value_channels_per_head": 4,
        "ffn_channels": 8, "blocks": 1, "radial_basis": 8, "radial_hidden": 8, "edge_embedding": 4,
        "max_neighbours": 8, "readout_hidden": 8, "window_radius": 5.0, "window_step": 3.0}


def same_atoms(ase_atoms, structure):
    """ASE's atoms equal the structure's, positions compared modulo the cell (Å)."""
    assert list(ase_atoms.numbers) == list(structure.atomic_numbers)
    cell = np.array(structure.cell)
    assert np.allclose(ase_atoms.cell[:], cell, atol=1e-5)
    d = (ase_atoms.positions - structure.positions()) @ np.linalg.inv(cell)
    d -= np.round(d)
    assert np.abs(d @ cell).max() < 1e-5


@pytest.fixture(scope="module")
def lta(shared, tmp_path_factory):
    model = x3mat.Model.load(ZEOLITE_MODEL)
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / "LTA.cif")
    out = tmp_path_factory.mktemp("lta")
    e = model.explain(s, out, refine=(2, 2, 3), top=4)
    return model, s, out, e


def test_cube_and_xsf_round_trip_through_ase(lta):
    model, s, out, e = lta
    data, atoms = ase_cube.read_cube_data(str(out / "ar_uptake_mol_kg.cube"))
    assert data.shape == (6, 6, 6)  # 11.919 Å / 2 Å step, rounded up
    same_atoms(atoms, s)
    # the values are the window contributions, window w at grid point (w // 36, w // 6 % 6, w % 6)
    c, prop = model.contributions(s)
    assert np.allclose(data, c[:, 0].reshape(6, 6, 6), rtol=1e-8, atol=1e-12)
    # and their mean is the predicted property
    assert data.mean() == pytest.approx(prop[0], rel=1e-8)
    assert e.property["ar_uptake_mol_kg"] == pytest.approx(prop[0], rel=1e-12)
    # the Python reader of Explanation and Model.map agree with ASE
    assert np.allclose(e.map("ar_uptake_mol_kg"), data, rtol=1e-8)
    assert np.allclose(model.map(s, "ar_uptake_mol_kg"), data, rtol=1e-8)
    # XSF: a general grid with the periodic faces repeated
    grid, origin, span, xatoms = ase_xsf.read_xsf(open(out / "ar_uptake_mol_kg.xsf"), read_data=True)
    assert grid.shape == (7, 7, 7) and np.allclose(origin, 0) and np.allclose(span, s.cell, atol=1e-6)
    assert np.allclose(grid[:-1, :-1, :-1], data, rtol=1e-8)
    assert np.array_equal(grid[-1], grid[0]) and np.array_equal(grid[:, -1], grid[:, 0])
    same_atoms(xatoms, s)


def test_pymatgen_reads_the_same_cube(lta):
    """A second independent reader (pymatgen's VolumetricData.from_cube)."""
    common = pytest.importorskip("pymatgen.io.common")
    model, s, out, e = lta
    v = common.VolumetricData.from_cube(str(out / "ar_uptake_mol_kg.cube"))
    data, _ = ase_cube.read_cube_data(str(out / "ar_uptake_mol_kg.cube"))
    assert np.allclose(v.data["total"], data, rtol=1e-12)
    assert np.allclose(v.structure.lattice.matrix, s.cell, atol=1e-5)
    assert sorted(site.specie.Z for site in v.structure) == sorted(s.atomic_numbers.tolist())


def test_fine_map_keeps_the_samples_and_the_mean(lta):
    model, s, out, e = lta
    coarse, _ = ase_cube.read_cube_data(str(out / "ar_uptake_mol_kg.cube"))
    fine, atoms = ase_cube.read_cube_data(str(out / "ar_uptake_mol_kg_fine.cube"))
    assert fine.shape == (12, 12, 18)
    assert np.allclose(fine[::2, ::2, ::3], coarse, rtol=1e-7)
    assert fine.mean() == pytest.approx(coarse.mean(), rel=1e-7)
    # the same trigonometric interpolation done with NumPy's FFT (zero padding, the
    # Nyquist coefficient split between +n/2 and -n/2) gives the same fine map
    f = np.fft.fftn(coarse)
    padded = np.zeros((12, 12, 18), dtype=complex)
    n = np.array(coarse.shape)
    idx = [np.concatenate([np.arange(0, (k + 1) // 2), np.arange(-(k // 2) + 1, 0)]) for k in n]
    for i in idx[0]:
        for j in idx[1]:
            for k in idx[2]:
                padded[i, j, k] = f[i, j, k]
    # Nyquist planes (n even): half to +n/2, half to -n/2
    full = np.zeros_like(padded)
    for a in range(6):
        for b in range(6):
            for c in range(6):
                ks = []
                for k, nn in zip((a, b, c), n):
                    if nn % 2 == 0 and k == nn // 2:
                        ks.append([(k, 0.5), (-k, 0.5)])
                    else:
                        ks.append([(k if k <= nn // 2 else k - nn, 1.0)])
                for (i, wi) in ks[0]:
                    for (j, wj) in ks[1]:
                        for (k, wk) in ks[2]:
                            full[i, j, k] += wi * wj * wk * f[a, b, c]
    reference = np.fft.ifftn(full).real * (fine.size / coarse.size)
    assert np.allclose(fine, reference, atol=1e-7 * np.abs(coarse).max())
    assert np.allclose(model.map(s, 0, refine=(2, 2, 3)), fine, rtol=1e-7)


def test_histogram_and_sites_describe_the_windows(lta):
    model, s, out, e = lta
    c, _ = model.contributions(s)
    v = c[:, 0]
    rows = e.histogram("ar_uptake_mol_kg")
    assert len(rows) == 20 and sum(int(r["windows"]) for r in rows) == 216
    lo, hi = v.min(), v.max()
    assert float(rows[0]["bin_low"]) == pytest.approx(lo) and float(rows[-1]["bin_high"]) == pytest.approx(hi)
    counts, _ = np.histogram(v, bins=20, range=(lo, hi))  # NumPy's bins: the last one closed, like ours
    assert [int(r["windows"]) for r in rows] == counts.tolist()
    third = (v - lo) / (hi - lo) * 3
    classes = e.summary["targets"][0]["classes"]
    assert classes == {"strong": int((third >= 2).sum()), "medium": int(((third >= 1) & (third < 2)).sum()),
                       "weak": int((third < 1).sum())}
    sites = e.sites("ar_uptake_mol_kg")
    assert len(sites) == 4
    means = [float(r["ar_uptake_mol_kg_mean"]) for r in sites]
    assert means == sorted(means, reverse=True) and means[0] <= v.max() + 1e-9
    assert sum(int(r["count"]) for r in sites) <= 216
    files = json.load(open(out / "explanation.json"))["files"]
    assert "windows.csv" in files and "sites_ar_uptake_mol_kg/" in files


def test_selectivity_map_is_the_guarded_elementwise_ratio(shared, tmp_path):
    model = x3mat.Model.create(dict(TINY, targets=["co2", "ch4"]))
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / "SOD.cif")
    e = model.explain(s, tmp_path, selectivity=[("co2", "ch4")], guard=0.05)
    a, _ = ase_cube.read_cube_data(str(tmp_path / "co2.cube"))
    b, _ = ase_cube.read_cube_data(str(tmp_path / "ch4.cube"))
    r, atoms = ase_cube.read_cube_data(str(tmp_path / "co2_over_ch4.cube"))
    same_atoms(atoms, s)
    ok = np.abs(b) > 0.05 * np.abs(b).max()
    assert np.allclose(r[ok], a[ok] / b[ok], rtol=1e-7)
    assert np.all(r[~ok] == 0)
    sel = e.summary["selectivity"][0]
    assert sel["name"] == "co2/ch4" and sel["undefined_points"] == int((~ok).sum())
    assert sel["threshold"] == pytest.approx(0.05 * np.abs(b).max(), rel=1e-7)
    grid, *_ = ase_xsf.read_xsf(open(tmp_path / "co2_over_ch4.xsf"), read_data=True)
    assert np.allclose(grid[:-1, :-1, :-1], r, rtol=1e-8)


def test_bad_explain_requests_raise_and_write_nothing(shared, tmp_path):
    model = x3mat.Model.create(dict(TINY, targets=["co2", "ch4"]))
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / "SOD.cif")
    with pytest.raises(x3mat.X3InvalidArgumentError, match="not a target of the model"):
        model.explain(s, tmp_path / "a", selectivity=[("co2", "n2")])
    with pytest.raises(x3mat.X3InvalidArgumentError, match="refinement"):
        model.explain(s, tmp_path / "b", refine=0)
    with pytest.raises(x3mat.X3ParseError, match="'strong' must be"):
        model.explain(s, tmp_path / "c", strong="middle")
    with pytest.raises(x3mat.X3IndexError):
        model.map(s, 2)
    assert not any((tmp_path / d).exists() for d in "abc")
    with pytest.raises(ValueError):
        model.map(s, "n2")


def test_a_folder_holds_one_complete_explanation(shared, tmp_path):
    """Explaining into a folder that holds another model's explanation leaves no file of
    it behind (two targets, then one); a folder still marked INCOMPLETE (an interrupted
    run) is refused by the reader."""
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / "ABW.cif")
    two = x3mat.Model.create(dict(TINY, targets=["co2", "ch4"]))
    one = x3mat.Model.create(dict(TINY, targets=["ar"]))
    first = two.explain(s, tmp_path, selectivity=[("co2", "ch4")])
    assert set(first.targets) == {"co2", "ch4"} and (tmp_path / "co2_over_ch4.cube").exists()
    user_file = tmp_path / "notes.txt"
    user_file.write_text("mine")
    second = one.explain(s, tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert second.targets == ["ar"]
    assert names == set(n.rstrip("/") for n in second.summary["files"]) | {"notes.txt"}
    assert not any(n.startswith(("co2", "ch4", "sites_co2", "sites_ch4", "histogram_co2")) for n in names)
    (tmp_path / "INCOMPLETE").write_text("interrupted")
    with pytest.raises(x3mat.X3IOError, match="incomplete"):
        x3mat.Explanation(tmp_path)
