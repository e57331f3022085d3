"""`x3mat explain`, `x3mat sites DIR --model MODEL` and `x3mat evaluate --histogram`: files,
numbers recomputed with NumPy from what the commands wrote, bad input."""
import csv
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("X3MAT_CLI", str(ROOT / "build" / "bin" / "x3mat"))
SHARED = pathlib.Path(os.environ.get("X3MAT_SHARED_DATA", ROOT / ".." / "shared" / "data"))
pytestmark = pytest.mark.skipif(not (SHARED / "iza").exists(), reason=f"shared data not found at {SHARED}")


def run(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=900)


def test_explain_writes_maps_histogram_and_sites(tmp_path):
    out = tmp_path / "lta"
    r = run("explain", SHARED / "iza" / "cif" / "LTA.cif", "--model", "iza-ar-uptake", "--output", out, "--refine", 2, "--top", 3)
    assert r.returncode == 0, r.stderr
    assert "216 windows, 20 evaluated (48 operations from the file) on a 6 x 6 x 6 grid" in r.stdout
    assert "O contracted" in r.stdout
    summary = json.loads((out / "explanation.json").read_text())
    t = summary["targets"][0]
    # the windows file is the map in cube order; its mean is the printed property
    rows = list(csv.DictReader(open(out / "windows.csv")))
    v = np.array([float(x["ar_uptake_mol_kg"]) for x in rows])
    assert [(int(x["i"]), int(x["j"]), int(x["k"])) for x in rows[:3]] == [(0, 0, 0), (0, 0, 1), (0, 0, 2)]
    assert v.mean() == pytest.approx(t["property"], rel=1e-9) and t["map_mean"] == pytest.approx(t["property"], rel=1e-12)
    printed = float(r.stdout.split("ar_uptake_mol_kg = ")[1].split()[0])
    assert printed == pytest.approx(t["property"], rel=1e-3)
    assert (t["min"], t["max"]) == (pytest.approx(v.min()), pytest.approx(v.max()))
    # the printed sites are the top of sites.csv, ranked by mean contribution
    sites = list(csv.DictReader(open(out / "sites_ar_uptake_mol_kg" / "sites.csv")))
    means = [float(s["ar_uptake_mol_kg_mean"]) for s in sites]
    assert len(sites) == 3 and means == sorted(means, reverse=True)
    assert all(s["hash"] in r.stdout for s in sites)
    assert len(list((out / "sites_ar_uptake_mol_kg" / "sites").glob("*.xyz"))) == 3
    for name in ("ar_uptake_mol_kg.cube", "ar_uptake_mol_kg.xsf", "ar_uptake_mol_kg_fine.cube", "histogram_ar_uptake_mol_kg.csv"):
        assert (out / name).stat().st_size > 0


def test_explain_takes_the_strong_end_from_the_model_card(tmp_path):
    # qmof-band-gap's card says low band gaps are strong: the lowest sites come first
    cif = SHARED / "qmof" / "cif" / "qmof-0000295.cif"
    r = run("explain", cif, "--model", "qmof-band-gap", "--output", tmp_path / "card")
    assert r.returncode == 0, r.stderr
    assert "(low is strong)" in r.stdout
    sites = list(csv.DictReader(open(tmp_path / "card" / "sites_band_gap_eV" / "sites.csv")))
    means = [float(s["band_gap_eV_mean"]) for s in sites]
    assert len(means) >= 2 and means == sorted(means) and "H deleted" in r.stdout
    hist = list(csv.DictReader(open(tmp_path / "card" / "histogram_band_gap_eV.csv")))
    assert hist[0]["class"] == "strong" and hist[-1]["class"] == "weak"
    # --strong overrides the card
    r = run("explain", cif, "-m", "qmof-band-gap", "-o", tmp_path / "high", "--strong", "high")
    assert r.returncode == 0, r.stderr
    sites = list(csv.DictReader(open(tmp_path / "high" / "sites_band_gap_eV" / "sites.csv")))
    means = [float(s["band_gap_eV_mean"]) for s in sites]
    assert means == sorted(means, reverse=True)


@pytest.mark.parametrize("args,words", [
    (["--selectivity", "ar_uptake_mol_kg/ar_uptake_mol_kg"], "two different targets"),
    (["--selectivity", "co2/n2"], "not a target of the model"),
    (["--refine", "0"], "refinement"),
    (["--refine", "2,2"], "--refine '2,2'"),
    (["--strong", "medium"], "use high or low"),
    (["--remove", "O:squash"], "ELEMENT:delete"),
])
def test_explain_bad_options_are_refused_and_write_nothing(tmp_path, args, words):
    out = tmp_path / "never"
    r = run("explain", SHARED / "iza" / "cif" / "SOD.cif", "--model", "iza-ar-uptake", "--output", out, *args)
    assert r.returncode == 1 and words in r.stderr, r.stderr
    assert not out.exists()


def test_sites_with_a_model_ranks_by_mean_contribution(tmp_path):
    out = tmp_path / "sites"
    r = run("sites", SHARED / "iza", "--model", "iza-ar-uptake", "--limit", 3, "--top", 4, "--remove", "O:contract", "--output", out)
    assert r.returncode == 0, r.stderr
    assert "ranked by mean contribution to ar_uptake_mol_kg, highest first" in r.stdout
    doc = json.loads((out / "sites.json").read_text())
    means = [s["stats"]["ar_uptake_mol_kg"]["mean"] for s in doc["sites"]]
    assert len(means) == 4 and means == sorted(means, reverse=True)
    # nearest_atom: the distance from the centre to the example's nearest atom (NumPy)
    for site in doc["sites"]:
        xyz = np.array([a[1:] for a in site["example"]["atoms"]])
        if len(xyz):
            assert site["example"]["nearest_atom"] == pytest.approx(np.linalg.norm(xyz, axis=1).min(), abs=1e-9)
        else:
            assert site["example"]["nearest_atom"] is None
    # every window of those structures was hashed: their windows (grid of 2 Å) add up
    assert doc["structures"] == 3 and doc["windows"] > 0
    # the same windows predicted by `explain` agree with the site statistics: the top
    # site's example window carries a contribution equal to the site mean when the site
    # is a single window, and within the site's range otherwise
    top = doc["sites"][0]
    ex = run("explain", SHARED / "iza" / "cif" / f"{top['example']['structure']}.cif", "--model", "iza-ar-uptake",
             "--output", tmp_path / "ex", "--top", 1)
    assert ex.returncode == 0, ex.stderr
    rows = list(csv.DictReader(open(tmp_path / "ex" / "windows.csv")))
    w = float(rows[top["example"]["window"]]["ar_uptake_mol_kg"])
    st = top["stats"]["ar_uptake_mol_kg"]
    assert abs(w - st["mean"]) <= 3 * st["std"] + 1e-4 * abs(st["mean"])
    # --strong low reverses the order; a radius other than the model's is refused
    r = run("sites", SHARED / "iza", "--model", "iza-ar-uptake", "--limit", 3, "--top", 4, "--remove", "O:contract", "--strong", "low")
    low = [float(line.split()[3]) for line in r.stdout.split("(structure, window, atoms)")[1].strip().splitlines()]
    assert len(low) == 4
    assert low == sorted(low)
    r = run("sites", SHARED / "iza", "--model", "iza-ar-uptake", "--radius", 5)
    assert r.returncode == 1 and "differs from the model's" in r.stderr
    r = run("sites", SHARED / "iza", "--model", "iza-ar-uptake", "--rank-by", "co2")
    assert r.returncode == 1 and "not a target of the model" in r.stderr


def test_evaluate_writes_the_dataset_histogram(tmp_path):
    hist = tmp_path / "hist.csv"
    contributions = tmp_path / "w.csv"
    parity = tmp_path / "parity.csv"
    r = run("evaluate", SHARED / "iza", "--limit", 6, "--histogram", hist, "--histogram-bins", "4,10", "--output", parity)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(open(hist)))
    assert len(rows) == 4 * 10
    # recomputed with NumPy from the windows `predict` writes for the same structures
    truth = {row["id"]: float(row["ar_uptake_mol_kg_true"]) for row in csv.DictReader(open(parity))}
    assert len(truth) == 6
    p = run("predict", *[SHARED / "iza" / "cif" / f"{i}.cif" for i in truth], "--contributions", contributions, "--top", 0)
    assert p.returncode == 0, p.stderr
    w = list(csv.DictReader(open(contributions)))
    x = np.array([truth[row["id"]] for row in w])
    y = np.array([float(row["ar_uptake_mol_kg"]) for row in w])
    expected, _, _ = np.histogram2d(x, y, bins=(4, 10), range=((x.min(), x.max()), (y.min(), y.max())))
    got = np.array([int(row["windows"]) for row in rows]).reshape(4, 10)
    assert got.sum() == len(w) == expected.sum()
    # the two commands batch windows differently (float32 rounding ~1e-6): allow a window
    # on a bin edge to fall on the other side
    assert np.abs(got - expected).sum() <= 2, (got, expected)
    fractions = np.array([float(row["fraction"]) for row in rows]).reshape(4, 10)
    assert np.allclose(fractions.sum(axis=1)[got.sum(axis=1) > 0], 1)


def test_shipped_two_target_model_draws_a_selectivity_map(tmp_path):
    ase_cube = pytest.importorskip("ase.io.cube")
    co2, ch4 = "co2_uptake_298K_0.15bar_mol_kg", "ch4_uptake_298K_65bar_mol_kg"
    r = run("explain", SHARED / "coremof" / "cif" / "ABAVIJ_clean.cif", "--model", "coremof-co2-ch4", "--output", tmp_path,
            "--selectivity", f"{co2}/{ch4}", "--top", 2)
    assert r.returncode == 0, r.stderr
    assert "H deleted" in r.stdout and f"selectivity {co2}/{ch4}: undefined at" in r.stdout
    a, _ = ase_cube.read_cube_data(str(tmp_path / f"{co2}.cube"))
    b, _ = ase_cube.read_cube_data(str(tmp_path / f"{ch4}.cube"))
    s, atoms = ase_cube.read_cube_data(str(tmp_path / f"{co2}_over_{ch4}.cube"))
    # ABAVIJ: a, b, c = 9.81, 10.67, 13.97 Å on a 3 Å grid: plain 4 x 4 x 5. spglib finds Cc
    # (the Python spglib package agrees); its glide x-z, y+1/2, -z needs n1 a multiple of n3
    # and n2 even: 5 x 4 x 5.
    assert a.shape == b.shape == s.shape == (5, 4, 5)
    assert len(atoms) == 108
    ok = np.abs(b) > 1e-3 * np.abs(b).max()
    assert np.allclose(s[ok], a[ok] / b[ok], rtol=1e-6) and np.all(s[~ok] == 0)
    summary = json.loads((tmp_path / "explanation.json").read_text())
    assert [t["name"] for t in summary["targets"]] == [co2, ch4]


def test_python_catalogue_of_model_contributions_matches_the_cli(tmp_path):
    """The Python path (Model.windows + Model.contributions into x3mat.SiteCatalogue, i.e.
    the C API) ranks the same strongest sites as `x3mat sites MODEL DIR`."""
    x3mat = pytest.importorskip("x3mat")
    model = x3mat.Model.load(ROOT / "models" / "iza-ar-uptake.safetensors")
    names = sorted(p.stem for p in (SHARED / "iza" / "cif").glob("*.cif"))[:3]
    cat = x3mat.SiteCatalogue(targets=model.targets, remove="O:contract")
    for name in names:
        s = x3mat.Structure.from_cif(SHARED / "iza" / "cif" / f"{name}.cif")
        contributions, _ = model.contributions(s)
        cat.add(name, model.windows(s), contributions)
    mine = cat.sites(rank_by=0, top=6)
    out = tmp_path / "cli"
    r = run("sites", SHARED / "iza", "--model", "iza-ar-uptake", "--limit", 3, "--top", 6, "--remove", "O:contract", "--output", out)
    assert r.returncode == 0, r.stderr
    theirs = json.loads((out / "sites.json").read_text())["sites"]
    assert cat.window_count == json.loads((out / "sites.json").read_text())["windows"]
    # same sites, same counts, same means (up to float32 rounding of differently batched windows)
    assert [s["hash"] for s in mine] == [s["hash"] for s in theirs]
    for a, b in zip(mine, theirs):
        assert a["count"] == b["count"]
        assert a["stats"]["ar_uptake_mol_kg"]["mean"] == pytest.approx(b["stats"]["ar_uptake_mol_kg"]["mean"], rel=1e-5)


def test_sites_of_a_two_target_model_rank_each_target(tmp_path):
    co2, ch4 = "co2_uptake_298K_0.15bar_mol_kg", "ch4_uptake_298K_65bar_mol_kg"
    out = tmp_path / "sites"
    r = run("sites", SHARED / "coremof", "--model", "coremof-co2-ch4", "--limit", 2, "--top", 3, "--remove", "H:delete", "--output", out)
    assert r.returncode == 0, r.stderr
    assert f"ranked by mean contribution to {co2}" in r.stdout and f"ranked by mean contribution to {ch4}" in r.stdout
    for target in (co2, ch4):
        doc = json.loads((out / target / "sites.json").read_text())
        means = [s["stats"][target]["mean"] for s in doc["sites"]]
        assert len(means) == 3 and means == sorted(means, reverse=True)
    # --rank-by picks one target and writes OUT itself; without a model it is refused
    r = run("sites", SHARED / "coremof", "--model", "coremof-co2-ch4", "--limit", 2, "--top", 3, "--rank-by", ch4, "--output", tmp_path / "one")
    assert r.returncode == 0 and (tmp_path / "one" / "sites.json").exists() and co2 + "\n" not in r.stdout
    r = run("sites", SHARED / "coremof", "--limit", 1, "--rank-by", "0")
    assert r.returncode == 1 and "--rank-by needs a model" in r.stderr
