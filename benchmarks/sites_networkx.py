"""Site hashing: libx3mat (bond graph + removal + WL hash, through the Python binding)
against NetworkX's weisfeiler_lehman_graph_hash on the same graphs, same run. The
NetworkX side gets the graphs prebuilt (its time is the hash alone).

    PYTHONPATH=bindings/python python3 benchmarks/sites_networkx.py [DATA_DIR]
"""
import pathlib
import random
import sys

import networkx as nx

import x3mat
from timing import best

data = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")


# the whole IZA set (every window of the dataset), and samples of the MOF sets
cases = [("iza", "O:contract", 6.0, None), ("coremof", "H:delete", 6.0, 20), ("qmof", "H:delete", 8.0, 20)]
for dataset, remove, radius, count in cases:
    files = sorted((data / dataset / "cif").glob("*.cif"))
    if count:
        files = random.Random(1).sample(files, count)
    windows = [x3mat.Structure.from_cif(f).windows(radius, 2.0) for f in files]
    nwin = sum(len(w) for w in windows)
    hashes = []
    t_lib = best(lambda: [w.site_hashes(remove=remove) for w in windows])
    x3mat.set_num_threads(1)
    t_lib1 = best(lambda: [w.site_hashes(remove=remove) for w in windows])
    x3mat.set_num_threads(0)
    graphs = []
    for w in windows:
        for i in range(len(w)):
            atoms, edges = w.bond_graph(i, remove=remove)
            g = nx.Graph()
            g.add_nodes_from((k, {"element": x3mat.element_symbol(int(w[i].atomic_numbers[a]))})
                             for k, a in enumerate(atoms))
            g.add_edges_from(map(tuple, edges))
            graphs.append(g)
        hashes += w.site_hashes(remove=remove)
    t_nx = best(lambda: [nx.weisfeiler_lehman_graph_hash(g, node_attr="element") for g in graphs], 0.1)
    same = sum(h == nx.weisfeiler_lehman_graph_hash(g, node_attr="element") for h, g in zip(hashes, graphs))
    nodes = sum(g.number_of_nodes() for g in graphs) / len(graphs)
    print(f"{dataset} ({remove}, R {radius}, step 2): {len(files)} structures, {nwin} windows, "
          f"{nodes:.1f} nodes/graph; identical hashes {same}/{nwin}")
    print(f"  NetworkX (hash only, graphs prebuilt): {t_nx:.2f} s = {nwin / t_nx:.0f} windows/s")
    print(f"  libx3mat (bond graphs + removal + hashes), 1 thread: {t_lib1:.2f} s = {nwin / t_lib1:.0f} windows/s, "
          f"{t_nx / t_lib1:.1f}x NetworkX")
    print(f"  libx3mat, {x3mat.get_num_threads()} threads: {t_lib:.2f} s = {nwin / t_lib:.0f} windows/s, "
          f"{t_nx / t_lib:.1f}x NetworkX")
