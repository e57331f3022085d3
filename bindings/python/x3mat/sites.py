"""Site identity: Weisfeiler-Lehman hashes of graphs and a site catalogue.

The hash is byte-identical to NetworkX's
``weisfeiler_lehman_graph_hash(G, node_attr=..., iterations=k, digest_size=d)``.
"""
from __future__ import annotations

import ctypes
import json
import os

import numpy as np

from ._handle import OwnedHandle
from ._lib import c_handle, c_text, get_string, lib


def site_hash(labels, edges, iterations: int = 3, digest_size: int = 16) -> str:
    """WL hash of the undirected graph with nodes 0..n-1 labelled `labels` (ASCII strings)
    and `edges` (pairs of node indices)."""
    labels = [str(label).encode("ascii") for label in labels]
    arr = (ctypes.c_char_p * max(1, len(labels)))(*labels)
    e = np.ascontiguousarray(np.asarray(edges, dtype=np.int64).reshape(-1, 2))
    return get_string(lib.x3_wl_hash, len(labels), arr, len(e), e.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
                      int(iterations), int(digest_size))


def networkx_site_hash(graph, node_attr: str = "element", iterations: int = 3, digest_size: int = 16) -> str:
    """WL hash of a networkx Graph whose nodes carry `node_attr` (hashed by libx3mat)."""
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    labels = [str(graph.nodes[n][node_attr]) for n in nodes]
    edges = [(index[u], index[v]) for u, v in graph.edges]
    return site_hash(labels, edges, iterations, digest_size)


class SiteCatalogue(OwnedHandle):
    """Windows of many structures grouped by site hash, with counts, an example window per
    site and per-target statistics (mean, sample std, n) of per-window values.

    >>> cat = SiteCatalogue(remove="O:contract")
    >>> cat.add("LTA", structure.windows(6, 2))
    >>> cat.sites(top=5)          # ranked by count (or by a target's mean: rank_by="co2")
    """

    def __init__(self, targets=(), remove: str = "", tolerance: float = 1.2, iterations: int = 3,
                 digest_size: int = 16):
        self.targets = [str(t) for t in targets]
        names = (ctypes.c_char_p * max(1, len(self.targets)))(*[c_text(t, "target name") for t in self.targets])
        out = c_handle()
        lib.x3_catalogue_new(float(tolerance), c_text(remove, "remove"), int(iterations), int(digest_size), len(self.targets),
                             names, ctypes.byref(out))
        super().__init__(out.value)

    _release = staticmethod(lib.x3_catalogue_free)

    def __repr__(self) -> str:
        if self.closed:
            return "SiteCatalogue(closed)"
        return f"SiteCatalogue({len(self)} sites over {self.window_count} windows, targets={self.targets})"

    def add(self, structure_id: str, windows, values=None) -> None:
        """Adds the windows of one structure; `values`: (len(windows), n_targets) or None."""
        if values is None:
            lib.x3_catalogue_add(self._handle, c_text(structure_id, "structure id"), windows._handle, None, 0)
            return
        v = np.ascontiguousarray(values, dtype=np.float64).reshape(len(windows), len(self.targets))
        lib.x3_catalogue_add(self._handle, c_text(structure_id, "structure id"), windows._handle,
                             v.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), v.size)

    def _counts(self):
        s, w, n = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()
        lib.x3_catalogue_counts(self._handle, ctypes.byref(s), ctypes.byref(w), ctypes.byref(n))
        return s.value, w.value, n.value

    def __len__(self) -> int:
        return self._counts()[0]

    @property
    def window_count(self) -> int:
        """Windows added so far."""
        return self._counts()[1]

    @property
    def structure_count(self) -> int:
        """Structures added so far."""
        return self._counts()[2]

    def _rank(self, rank_by) -> int:
        if rank_by is None:
            return -1
        return self.targets.index(rank_by) if isinstance(rank_by, str) else int(rank_by)

    def to_dict(self, rank_by=None, top: int | None = None) -> dict:
        """The catalogue as a dict (the JSON export): options, totals, ranked sites."""
        return json.loads(get_string(lib.x3_catalogue_json, self._handle, self._rank(rank_by), int(top or 0)))

    def sites(self, rank_by=None, top: int | None = None) -> list[dict]:
        """Sites ranked by a target's mean contribution (name or index), or by count."""
        return self.to_dict(rank_by, top)["sites"]

    def write(self, directory: str | os.PathLike, rank_by=None, top: int | None = None) -> None:
        """Writes sites.csv, sites.json and sites/NNNN_HASH.xyz into `directory`."""
        lib.x3_catalogue_write(self._handle, c_text(directory, "directory"), self._rank(rank_by), int(top or 0))
