"""Crystal structures (x3_structure) as a Python class with NumPy arrays."""
from __future__ import annotations

import ctypes
import os
from typing import Any, Union

import numpy as np

from ._handle import OwnedHandle
from ._lib import c_handle, c_text, get_string, lib

FRACTIONAL, CARTESIAN = 0, 1

#: What functions taking a structure accept: a Structure, a CIF path, an ase.Atoms or a
#: pymatgen Structure (see Structure.coerce).
StructureLike = Union["Structure", str, os.PathLike, Any]


def _block(block: str | None):
    return c_text(block, "block") if block else None


def _dp(a: np.ndarray):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


class Structure(OwnedHandle):
    """A periodic crystal structure: a cell and the atoms of one unit cell.

    Units: Å and degrees. `cell` is 3x3 with rows a, b, c. Build one with
    `from_cif`, `from_cif_string`, `from_arrays`, `from_ase` or `from_pymatgen`; use it
    as a context manager (or call `close()`) to release it at once.
    """

    _release = staticmethod(lib.x3_structure_free)

    # ---- construction -----------------------------------------------------------
    @classmethod
    def from_cif(cls, path: str | os.PathLike, block: str | None = None) -> "Structure":
        """Reads a CIF file (symmetry expanded, positions wrapped into [0, 1))."""
        out = c_handle()
        lib.x3_structure_read_cif(c_text(path, "path"), _block(block), ctypes.byref(out))
        return cls(out.value)

    @classmethod
    def from_cif_string(cls, text: str, block: str | None = None) -> "Structure":
        """Reads CIF text. A NUL character is refused (C would end the text there)."""
        out = c_handle()
        lib.x3_structure_parse_cif(c_text(text, "CIF text"), _block(block), ctypes.byref(out))
        return cls(out.value)

    @classmethod
    def from_arrays(cls, cell, positions, atomic_numbers, cartesian: bool = True) -> "Structure":
        """cell: 3x3 rows a, b, c (Å); positions: (n, 3), Cartesian Å or fractional;
        atomic_numbers: n whole numbers. Any other shape is refused, never reshaped."""
        cell = np.ascontiguousarray(cell, dtype=np.float64)
        positions = np.ascontiguousarray(positions, dtype=np.float64)
        numbers = np.asarray(atomic_numbers)
        if cell.shape != (3, 3):
            raise ValueError(f"cell must be 3x3, got shape {cell.shape}")
        if positions.size == 0 and numbers.size == 0:
            positions = positions.reshape(0, 3)
        if positions.ndim != 2 or positions.shape[1] != 3:
            raise ValueError(f"positions must have shape (n, 3), got {positions.shape}")
        if numbers.ndim != 1:
            raise ValueError(f"atomic_numbers must have shape (n,), got {numbers.shape}")
        if numbers.size and not (np.issubdtype(numbers.dtype, np.integer)
                                 or (np.issubdtype(numbers.dtype, np.floating) and np.all(numbers == np.round(numbers)))):
            raise ValueError("atomic_numbers must be whole numbers")
        if numbers.size and (numbers.min() < 0 or numbers.max() > 2**31 - 1):
            raise ValueError(f"atomic numbers must lie in 1..96, got {numbers.min()}..{numbers.max()}")
        z = np.ascontiguousarray(numbers, dtype=np.int32)
        if len(z) != len(positions):
            raise ValueError(f"{len(z)} atomic numbers for {len(positions)} positions")
        out = c_handle()
        lib.x3_structure_from_arrays(_dp(cell), len(z), _dp(positions), CARTESIAN if cartesian else FRACTIONAL,
                                     z.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), ctypes.byref(out))
        return cls(out.value)

    @classmethod
    def from_ase(cls, atoms) -> "Structure":
        """From an `ase.Atoms` (its cell and Cartesian positions)."""
        return cls.from_arrays(np.asarray(atoms.cell), atoms.get_positions(), atoms.get_atomic_numbers())

    @classmethod
    def from_pymatgen(cls, structure) -> "Structure":
        """From a `pymatgen.core.Structure` (ordered sites only)."""
        if not structure.is_ordered:
            raise ValueError("disordered pymatgen structure: order it first")
        return cls.from_arrays(structure.lattice.matrix, structure.cart_coords,
                               [site.specie.Z for site in structure])

    @classmethod
    def coerce(cls, obj) -> "Structure":
        """`obj` as a Structure: a Structure itself, a CIF path (str or os.PathLike), an
        `ase.Atoms` or a `pymatgen.core.Structure`."""
        if isinstance(obj, Structure):
            return obj
        if isinstance(obj, (str, os.PathLike)):
            return cls.from_cif(obj)
        if hasattr(obj, "get_atomic_numbers") and hasattr(obj, "cell"):
            return cls.from_ase(obj)
        if hasattr(obj, "lattice") and hasattr(obj, "cart_coords"):
            return cls.from_pymatgen(obj)
        raise TypeError(f"not a structure: {type(obj).__name__} (give an x3mat.Structure, a CIF path, "
                        "an ase.Atoms or a pymatgen Structure)")

    # ---- properties ------------------------------------------------------------------
    def __len__(self) -> int:
        n = ctypes.c_int64()
        lib.x3_structure_atom_count(self._handle, ctypes.byref(n))
        return n.value

    @property
    def cell(self) -> np.ndarray:
        """The cell (3, 3), rows a, b, c, Å."""
        out = np.empty((3, 3))
        lib.x3_structure_cell(self._handle, _dp(out))
        return out

    @property
    def cell_parameters(self) -> np.ndarray:
        """a, b, c (Å), alpha, beta, gamma (degrees)."""
        out = np.empty(6)
        lib.x3_structure_cell_parameters(self._handle, _dp(out))
        return out

    @property
    def volume(self) -> float:
        """Cell volume, Å³."""
        v = ctypes.c_double()
        lib.x3_structure_volume(self._handle, ctypes.byref(v))
        return v.value

    @property
    def density(self) -> float:
        """g/cm³."""
        v = ctypes.c_double()
        lib.x3_structure_density(self._handle, ctypes.byref(v))
        return v.value

    def positions(self, cartesian: bool = True) -> np.ndarray:
        """Atom positions (natoms, 3): Cartesian Å, or fractional with cartesian=False."""
        out = np.empty((len(self), 3))
        lib.x3_structure_positions(self._handle, CARTESIAN if cartesian else FRACTIONAL, _dp(out), out.size)
        return out

    @property
    def atomic_numbers(self) -> np.ndarray:
        """Atomic numbers (natoms,), int32."""
        out = np.empty(len(self), dtype=np.int32)
        lib.x3_structure_atomic_numbers(self._handle, out.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), out.size)
        return out

    @property
    def occupancies(self) -> np.ndarray:
        """Site occupancies (natoms,): 1 unless the CIF said otherwise."""
        out = np.empty(len(self))
        lib.x3_structure_occupancies(self._handle, _dp(out), out.size)
        return out

    @property
    def formula(self) -> str:
        """Hill formula of the cell contents."""
        return get_string(lib.x3_structure_formula, self._handle)

    @property
    def name(self) -> str:
        """The CIF data block name ("" for arrays)."""
        return get_string(lib.x3_structure_name, self._handle)

    @property
    def warnings(self) -> list[str]:
        """What the CIF reader noted (partial occupancy, merged atoms)."""
        n = ctypes.c_int64()
        lib.x3_structure_warning_count(self._handle, ctypes.byref(n))
        return [get_string(lib.x3_structure_warning, self._handle, i) for i in range(n.value)]

    def space_group(self, tolerance: float = 0.01) -> tuple[int, str]:
        """spglib's space group of the atoms at a distance tolerance (Å): (International
        Tables number, Hermann–Mauguin symbol)."""
        number = ctypes.c_int32()
        buf = ctypes.create_string_buffer(32)  # spglib's symbols have at most 10 characters
        lib.x3_structure_space_group(self._handle, float(tolerance), ctypes.byref(number), buf, len(buf), None)
        return number.value, buf.value.decode()

    def write_cif(self, path: str | os.PathLike) -> None:
        """Writes a P1 CIF (atomically)."""
        lib.x3_structure_write_cif(self._handle, c_text(path, "path"))

    def windows(self, radius: float, step: float, max_windows: int | None = None):
        """Detection windows of `radius` Å on the grid of `step` Å (see x3mat.windows).
        `max_windows` caps the grid size (default 1,000,000)."""
        from .windows import sample

        return sample(self, radius, step, max_windows)

    def windows_at(self, centres, radius: float, cartesian: bool = True):
        """Detection windows of `radius` Å at given centres ((n, 3), Cartesian Å or fractional)."""
        from .windows import at_centres

        return at_centres(self, centres, radius, cartesian)

    def to_ase(self):
        """As an `ase.Atoms` (periodic)."""
        from ase import Atoms

        return Atoms(numbers=self.atomic_numbers, positions=self.positions(), cell=self.cell, pbc=True)

    def __reduce__(self):
        # pickled as its arrays (exact doubles), for multiprocessing, joblib and Dask; the
        # CIF's block name, occupancies and reader warnings are not carried over
        if self.closed:
            raise ValueError("a closed Structure cannot be pickled")
        return Structure.from_arrays, (self.cell, self.positions(cartesian=False), self.atomic_numbers, False)

    def __repr__(self) -> str:
        if self.closed:
            return "Structure(closed)"
        a, b, c, al, be, ga = self.cell_parameters
        return (f"Structure({self.name!r}, {self.formula}, a={a:.4f} b={b:.4f} c={c:.4f} Å, "
                f"α={al:.2f} β={be:.2f} γ={ga:.2f}°)")
