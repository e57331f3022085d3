"""Detection windows (x3_windows) as NumPy arrays.

Conventions (include/x3mat.h states them in full):
- grid: n_i = max(1, ceil(|a_i| / step - 1e-9)) points along lattice vector i, window
  (k1, k2, k3) centred at fractional (k1/n1, k2/n2, k3/n3); windows in C order (k3 fastest);
- an atom image is in a window when |r - centre| <= radius (inclusive);
- each atom has its element, its Cartesian position relative to the centre (Å), the index
  of its source atom in the structure (0-based) and its image offset n, the position being
  (f_source + n) @ cell - centre;
- within a window, atoms are sorted by source index, then image offset.
"""
from __future__ import annotations

import ctypes
from typing import NamedTuple

import numpy as np

from ._handle import OwnedHandle
from ._lib import c_handle, c_text, lib
from .errors import X3BufferTooSmallError, X3InvalidArgumentError

FRACTIONAL, CARTESIAN = 0, 1
ALL_WINDOWS = -1


class Window(NamedTuple):
    """One window: its centre (Cartesian, Å) and its atoms."""

    centre: np.ndarray  # (3,)
    atomic_numbers: np.ndarray  # (n,) int32
    positions: np.ndarray  # (n, 3) Å, relative to the centre
    source_atoms: np.ndarray  # (n,) int32, 0-based
    images: np.ndarray  # (n, 3) int32


def _ptr(a: np.ndarray, ctype):
    return a.ctypes.data_as(ctypes.POINTER(ctype))


class Windows(OwnedHandle):
    """Windows of one structure, copied into NumPy arrays (flat over windows, with
    `offsets`: window w's atoms are rows offsets[w]:offsets[w + 1])."""

    _release = staticmethod(lib.x3_windows_free)

    def __init__(self, _handle: int):
        super().__init__(_handle)
        self._read(self._handle)

    def _read(self, h) -> None:
        n = ctypes.c_int64()
        lib.x3_windows_count(h, ctypes.byref(n))
        count = n.value
        r = ctypes.c_double()
        lib.x3_windows_radius(h, ctypes.byref(r))
        self.radius: float = r.value
        shape = np.zeros(3, dtype=np.int64)
        step = ctypes.c_double()
        try:
            lib.x3_windows_grid(h, _ptr(shape, ctypes.c_int64), ctypes.byref(step))
            self.grid_shape: tuple[int, int, int] | None = tuple(int(v) for v in shape)
            self.step: float | None = step.value
        except X3InvalidArgumentError:  # windows at given centres have no grid
            self.grid_shape, self.step = None, None
        self.centres = np.empty((count, 3))
        self.fractional_centres = np.empty((count, 3))
        lib.x3_windows_centres(h, CARTESIAN, _ptr(self.centres, ctypes.c_double), self.centres.size)
        lib.x3_windows_centres(h, FRACTIONAL, _ptr(self.fractional_centres, ctypes.c_double),
                               self.fractional_centres.size)
        self.offsets = np.empty(count + 1, dtype=np.int64)
        lib.x3_windows_offsets(h, _ptr(self.offsets, ctypes.c_int64), self.offsets.size)
        total = int(self.offsets[-1])
        self.atomic_numbers = np.empty(total, dtype=np.int32)
        self.positions = np.empty((total, 3))
        self.source_atoms = np.empty(total, dtype=np.int32)
        self.images = np.empty((total, 3), dtype=np.int32)
        lib.x3_windows_atoms(h, ALL_WINDOWS, _ptr(self.atomic_numbers, ctypes.c_int32),
                             _ptr(self.positions, ctypes.c_double), _ptr(self.source_atoms, ctypes.c_int32),
                             _ptr(self.images, ctypes.c_int32), total)
        for a in (self.centres, self.fractional_centres, self.offsets, self.atomic_numbers, self.positions,
                  self.source_atoms, self.images):
            a.flags.writeable = False

    def __len__(self) -> int:
        return len(self.centres)

    @property
    def counts(self) -> np.ndarray:
        """Atoms per window."""
        return np.diff(self.offsets)

    @property
    def total_atoms(self) -> int:
        """Atoms summed over all windows."""
        return int(self.offsets[-1])

    def __getitem__(self, w: int) -> Window:
        if w < 0:
            w += len(self)
        if not 0 <= w < len(self):
            raise IndexError(f"window {w} out of range 0..{len(self) - 1}")
        a, b = self.offsets[w], self.offsets[w + 1]
        return Window(self.centres[w], self.atomic_numbers[a:b], self.positions[a:b], self.source_atoms[a:b],
                      self.images[a:b])

    def __iter__(self):
        for w in range(len(self)):
            yield self[w]

    def site_hashes(self, remove: str = "", tolerance: float = 1.2, iterations: int = 3,
                    digest_size: int = 16) -> list[str]:
        """The Weisfeiler-Lehman hash of every window's bond graph (nodes labelled by element;
        bonds where d < tolerance x (r_cov,i + r_cov,j)), after removing elements:
        `remove="H:delete"` for MOFs, `"O:contract"` for silica zeolites. Equal to
        networkx.weisfeiler_lehman_graph_hash(G, node_attr="element", iterations, digest_size)."""
        stride = 2 * digest_size + 1
        buf = ctypes.create_string_buffer(len(self) * stride)
        lib.x3_windows_site_hashes(self._handle, float(tolerance), c_text(remove, "remove"), int(iterations),
                                   int(digest_size), buf, len(buf))
        raw = buf.raw
        return [raw[i * stride:i * stride + 2 * digest_size].decode() for i in range(len(self))]

    def bond_graph(self, window: int, remove: str = "", tolerance: float = 1.2):
        """Window `window`'s bond graph after removal: (atoms, edges) with atoms[k] the index
        within the window of node k, and edges an (m, 2) array of node pairs (u < v)."""
        nn, ne = ctypes.c_int64(), ctypes.c_int64()
        try:
            lib.x3_windows_bond_graph(self._handle, window, float(tolerance), c_text(remove, "remove"), ctypes.byref(nn),
                                      ctypes.byref(ne), None, 0, None, 0)
        except X3BufferTooSmallError:
            pass
        atoms = np.empty(nn.value, dtype=np.int32)
        edges = np.empty((ne.value, 2), dtype=np.int64)
        lib.x3_windows_bond_graph(self._handle, window, float(tolerance), c_text(remove, "remove"), ctypes.byref(nn),
                                  ctypes.byref(ne), _ptr(atoms, ctypes.c_int32), atoms.size,
                                  _ptr(edges, ctypes.c_int64), edges.size)
        return atoms, edges

    def __repr__(self) -> str:
        grid = "x".join(map(str, self.grid_shape)) if self.grid_shape else "given centres"
        return f"Windows({len(self)} windows, grid {grid}, radius {self.radius} Å, {self.total_atoms} atoms)"


def sample(structure, radius: float, step: float, max_windows: int | None = None) -> Windows:
    """Windows of radius `radius` (Å) on the grid of step `step` (Å) (Structure.windows)."""
    out = c_handle()
    lib.x3_windows_sample(structure._handle, float(radius), float(step), int(max_windows or 0), ctypes.byref(out))
    return Windows(out.value)


def at_centres(structure, centres, radius: float, cartesian: bool = True) -> Windows:
    """Windows of radius `radius` (Å) at given centres (Structure.windows_at)."""
    c = np.ascontiguousarray(centres, dtype=np.float64).reshape(-1, 3)
    out = c_handle()
    lib.x3_windows_at(structure._handle, float(radius), len(c), _ptr(c, ctypes.c_double),
                      CARTESIAN if cartesian else FRACTIONAL, ctypes.byref(out))
    return Windows(out.value)
