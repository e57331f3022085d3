"""x3mat: Python binding of libx3mat (interpretable, symmetry-aware ML for nanoporous materials).

Units follow the C library: Å, degrees, g/cm³. See include/x3mat.h for conventions.
"""
from __future__ import annotations

import ctypes

from ._lib import c_text, get_string, lib
from .errors import (X3BufferTooSmallError, X3DependencyError, X3Error, X3IndexError, X3InvalidArgumentError,
                     X3InvalidCellError, X3IOError, X3NullArgumentError, X3OutOfMemoryError, X3ParseError,
                     X3UnknownElementError, X3UnsupportedError)
from .structure import Structure
from .windows import Window, Windows
from .sites import SiteCatalogue, networkx_site_hash, site_hash
from .model import Explanation, Model
from .training import Progress, TrainingRun, train
from .screening import expand_inputs, screen

__version__ = "0.1.0"

__all__ = ["Structure", "X3Error", "X3IOError", "X3ParseError", "X3UnknownElementError", "X3InvalidCellError",
           "X3InvalidArgumentError", "X3NullArgumentError", "X3UnsupportedError", "X3OutOfMemoryError",
           "X3BufferTooSmallError", "X3IndexError", "X3DependencyError", "library_version",
           "blas_info", "element_symbol", "atomic_number", "Window", "Windows", "set_num_threads",
           "get_num_threads", "set_limit", "get_limit", "set_symmetry", "get_symmetry", "find_model", "release_memory",
           "site_hash", "networkx_site_hash", "SiteCatalogue", "Model",
           "Explanation", "train", "Progress",
           "TrainingRun", "screen", "expand_inputs"]


def library_version() -> str:
    """Version of the loaded libx3mat.so."""
    return lib.x3_version().decode()


def blas_info() -> str:
    """The OpenBLAS library and kernel family libx3mat uses."""
    return get_string(lib.x3_blas_info)


def element_symbol(z: int) -> str:
    """The symbol of element z (e.g. "Si" for 14)."""
    return get_string(lib.x3_element_symbol, z)


def atomic_number(symbol: str) -> int:
    """The atomic number of an element symbol, any capitalisation."""
    z = ctypes.c_int32()
    lib.x3_element_atomic_number(c_text(symbol, "element symbol"), ctypes.byref(z))
    return z.value


def set_num_threads(n: int) -> None:
    """Threads for libx3mat's own parallel loops; 0 restores the default."""
    lib.x3_set_num_threads(n)


def set_limit(name: str, value: int) -> None:
    """Sets a process-wide cap ("cif_max_atoms", "cif_max_operations", "window_max_count",
    "window_max_atoms"; see x3_set_limit in x3mat.h); 0 restores its default."""
    lib.x3_set_limit(c_text(name, "limit name"), int(value))


def get_limit(name: str) -> int:
    """The process-wide cap in force for `name` (see `set_limit`)."""
    value = ctypes.c_int64()
    lib.x3_get_limit(c_text(name, "limit name"), ctypes.byref(value))
    return value.value


def set_symmetry(enabled: bool = True, tolerance: float = 0.01, reduce: bool = True) -> None:
    """Symmetry-reduced evaluation for every model call of the process: one window per
    orbit of the structure's space group on the symmetry-adapted grid (enabled, the
    default), or every window of the plain grid. With reduce=False, every window of the
    symmetry-adapted grid (to check the reduction). tolerance: Å, 0 < t <= 0.5 (see
    x3_set_symmetry in x3mat.h)."""
    lib.x3_set_symmetry(0 if not enabled else 1 if reduce else 2, float(tolerance))


def get_symmetry() -> tuple[bool, float]:
    """(enabled, tolerance in Å) of the symmetry setting (see `set_symmetry`)."""
    enabled, tolerance = ctypes.c_int32(), ctypes.c_double()
    lib.x3_get_symmetry(ctypes.byref(enabled), ctypes.byref(tolerance))
    return enabled.value != 0, tolerance.value


def find_model(name: str) -> str:
    """The file of a model given by name (e.g. "iza-ar-uptake"): searched in
    $X3MAT_MODEL_PATH, PREFIX/share/x3mat/models and the source tree's models/
    (x3_model_find); `Model.load` takes the name directly."""
    return get_string(lib.x3_model_find, c_text(name, "name"))


def release_memory() -> None:
    """Returns libx3mat's pooled work buffers and the C heap's free memory to the system
    (x3_release_memory); results do not change."""
    lib.x3_release_memory()


def get_num_threads() -> int:
    """The number of threads libx3mat's parallel loops use now."""
    return lib.x3_get_num_threads()
