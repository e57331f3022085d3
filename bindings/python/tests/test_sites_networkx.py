"""Site hashes against NetworkX's weisfeiler_lehman_graph_hash (the reference
implementation), on random labelled graphs and on real window graphs built here
independently (ASE's covalent radii — Cordero 2008, the same published table — and a
removal written with networkx), plus the catalogue's statistics against NumPy."""
from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest

import x3mat

LABELS = ["Si", "O", "H", "C", "N", "Zn", "Cu", "Al", "X", "7", "ab c", "O1"]


def random_graph(rng: random.Random, n: int) -> nx.Graph:
    g = nx.Graph()
    for i in range(n):
        g.add_node(i, element=rng.choice(LABELS[: rng.randint(1, len(LABELS))]))
    if n:
        p = rng.choice([0.0, 0.02, 0.08, 0.2, 0.5])
        for u, v in itertools.combinations(range(n), 2):
            if rng.random() < p:
                g.add_edge(u, v)
        for _ in range(rng.randint(0, 2)):  # occasional self-loops
            if rng.random() < 0.3:
                u = rng.randrange(n)
                g.add_edge(u, u)
    return g


def test_random_graphs_hash_like_networkx():
    rng = random.Random(20261125)
    settings = [(k, d) for k in range(1, 6) for d in (8, 16, 20, 32)]
    cases = 0
    for trial in range(400):
        n = rng.choice([0, 1, 2, 3, rng.randint(4, 20), rng.randint(20, 60)])
        g = random_graph(rng, n)
        picked = settings if trial < 20 else rng.sample(settings, 3)
        for k, d in picked:
            expect = nx.weisfeiler_lehman_graph_hash(g, node_attr="element", iterations=k, digest_size=d)
            assert x3mat.networkx_site_hash(g, iterations=k, digest_size=d) == expect, (trial, n, k, d)
            cases += 1
    assert cases > 1500


def test_disconnected_isolated_and_empty_graphs():
    g = nx.Graph()
    g.add_nodes_from([(0, {"element": "Si"}), (1, {"element": "O"}), (2, {"element": "Si"})])
    g.add_edge(0, 1)  # node 2 isolated
    g.add_nodes_from([(3, {"element": "C"}), (4, {"element": "C"})])
    g.add_edge(3, 4)  # second component
    for k in range(1, 6):
        for d in range(8, 33):
            assert x3mat.networkx_site_hash(g, iterations=k, digest_size=d) == nx.weisfeiler_lehman_graph_hash(
                g, node_attr="element", iterations=k, digest_size=d)
            assert x3mat.site_hash([], [], k, d) == nx.weisfeiler_lehman_graph_hash(
                nx.Graph(), node_attr="element", iterations=k, digest_size=d)


def test_bad_graphs_raise():
    with pytest.raises(x3mat.X3IndexError):
        x3mat.site_hash(["A"], [(0, 1)])
    with pytest.raises(x3mat.X3InvalidArgumentError):
        x3mat.site_hash(["A"], [], iterations=0)
    with pytest.raises(x3mat.X3InvalidArgumentError):
        x3mat.site_hash(["A"], [], digest_size=65)
    with pytest.raises(UnicodeEncodeError):
        x3mat.site_hash(["Å"], [])


def independent_window_graph(win, tolerance: float, remove: dict[str, str]) -> nx.Graph:
    """Bond graph of one window built with ASE's radii and networkx, then removal in
    window order: delete drops the node; contract joins its neighbours pairwise first."""
    from ase.data import chemical_symbols, covalent_radii

    z = win.atomic_numbers
    p = win.positions
    g = nx.Graph()
    for i, zi in enumerate(z):
        g.add_node(i, element=chemical_symbols[zi])
    if len(z) > 1:
        d = np.linalg.norm(p[:, None, :] - p[None, :, :], axis=-1)
        cut = tolerance * (covalent_radii[z][:, None] + covalent_radii[z][None, :])
        for i, j in zip(*np.nonzero(np.triu(d < cut, k=1))):
            g.add_edge(int(i), int(j))
    for i, zi in enumerate(z):
        mode = remove.get(chemical_symbols[zi])
        if mode is None:
            continue
        if mode == "contract":
            nbrs = [v for v in g.neighbors(i) if v != i]
            g.add_edges_from(itertools.combinations(nbrs, 2))
        g.remove_node(i)
    return g


@pytest.mark.parametrize("dataset,remove,radius,count", [
    ("iza", "O:contract", 6.0, 6),
    ("iza", "", 6.0, 3),
    ("coremof", "H:delete", 6.0, 5),
    ("qmof", "H:delete", 8.0, 3),
    ("qmof", "", 8.0, 2),
])
def test_real_window_graphs_and_hashes_match_networkx(shared, dataset, remove, radius, count):
    files = sorted((shared / dataset / "cif").glob("*.cif"))
    rng = random.Random(7)
    spec = dict(item.split(":") for item in remove.split(",") if item)
    settings = [(3, 16), (1, 8), (5, 32), (2, 20)]
    for path in rng.sample(files, count):
        s = x3mat.Structure.from_cif(path)
        w = s.windows(radius, 3.0)
        for k, d in settings[:2]:
            hashes = w.site_hashes(remove=remove, iterations=k, digest_size=d)
            for i in range(0, len(w), max(1, len(w) // 40)):
                g = independent_window_graph(w[i], 1.2, spec)
                atoms, edges = w.bond_graph(i, remove=remove)
                assert list(atoms) == sorted(g.nodes), (path.name, i)
                assert {(int(atoms[u]), int(atoms[v])) for u, v in edges} == {tuple(sorted(e)) for e in g.edges}
                assert hashes[i] == nx.weisfeiler_lehman_graph_hash(g, node_attr="element", iterations=k,
                                                                    digest_size=d), (path.name, i, k, d)


def test_catalogue_counts_and_statistics_match_numpy(shared):
    rng = np.random.default_rng(3)
    cat = x3mat.SiteCatalogue(targets=["a", "b"], remove="O:contract")
    all_hashes, all_values = [], []
    for name in ("LTA", "SOD", "FAU"):
        s = x3mat.Structure.from_cif(shared / "iza" / "cif" / f"{name}.cif")
        w = s.windows(6.0, 2.0)
        values = rng.normal(size=(len(w), 2))
        cat.add(name, w, values)
        all_hashes += w.site_hashes(remove="O:contract")
        all_values.append(values)
    values = np.vstack(all_values)
    hashes = np.array(all_hashes)
    assert len(cat) == len(set(all_hashes)) and cat.window_count == len(hashes) and cat.structure_count == 3
    sites = cat.sites(rank_by="b")
    means = [site["stats"]["b"]["mean"] for site in sites]
    assert means == sorted(means, reverse=True)
    for site in sites[:25]:
        sel = hashes == site["hash"]
        assert site["count"] == sel.sum()
        for t, col in (("a", 0), ("b", 1)):
            assert site["stats"][t]["n"] == sel.sum()
            np.testing.assert_allclose(site["stats"][t]["mean"], values[sel, col].mean(), rtol=1e-12, atol=1e-12)
            if sel.sum() > 1:
                np.testing.assert_allclose(site["stats"][t]["std"], values[sel, col].std(ddof=1), rtol=1e-10)
    by_count = cat.sites(top=3)
    assert len(by_count) == 3 and by_count[0]["count"] >= by_count[1]["count"] >= by_count[2]["count"]


def test_catalogue_files(shared, tmp_path):
    import csv
    import json

    from ase.io import read

    cat = x3mat.SiteCatalogue(remove="O:contract")
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / "LTA.cif")
    w = s.windows(6.0, 2.0)
    cat.add("LTA", w)
    cat.write(tmp_path, top=4)
    rows = list(csv.DictReader(open(tmp_path / "sites.csv")))
    doc = json.load(open(tmp_path / "sites.json"))
    assert len(rows) == 4 and len(doc["sites"]) == 4 and doc["windows"] == 216
    xyz = sorted((tmp_path / "sites").glob("*.xyz"))
    assert len(xyz) == 4
    for row, path in zip(rows, xyz):
        assert path.name == f"{int(row['rank']):04d}_{row['hash']}.xyz"
        atoms = read(path)
        assert len(atoms) == int(row["natoms"])
        example = w[int(row["example_window"])]
        np.testing.assert_allclose(atoms.positions, example.positions, atol=1e-6)


def test_catalogue_bad_input(shared):
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / "LTA.cif")
    w = s.windows(6.0, 2.0)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="values"):
        x3mat.SiteCatalogue(targets=["a"]).add("LTA", w)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="not finite"):
        x3mat.SiteCatalogue(targets=["a"]).add("LTA", w, np.full((len(w), 1), np.nan))
    with pytest.raises(x3mat.X3UnknownElementError):
        x3mat.SiteCatalogue(remove="Qq:delete")
    with pytest.raises(x3mat.X3InvalidArgumentError, match="ELEMENT:delete"):
        w.site_hashes(remove="O:squash")
