"""Loading libx3mat.so and declaring its C functions (ctypes)."""
from __future__ import annotations

import ctypes
import importlib.util
import os
import pathlib

from .errors import X3Error, error_for_status

c_double_p = ctypes.POINTER(ctypes.c_double)
c_int32_p = ctypes.POINTER(ctypes.c_int32)
c_int64_p = ctypes.POINTER(ctypes.c_int64)
c_handle = ctypes.c_void_p


def _candidates():
    env = os.environ.get("X3MAT_LIBRARY")
    if env:
        yield env
        return  # an explicit choice is never silently replaced
    here = pathlib.Path(__file__).resolve().parent
    for name in ("libx3mat.so.0", "libx3mat.so"):
        if (here / name).exists():
            yield str(here / name)
    yield "libx3mat.so.0"


def _offer_pypi_openblas() -> None:
    """libx3mat loads the system's OpenBLAS (libopenblas.so.0) when it finds one; on a
    machine without it, the OpenBLAS of the scipy-openblas32 wheel (a dependency of this
    package) is offered as the fallback. Either way libx3mat chooses the kernels before
    OpenBLAS starts (`x3mat.blas_info()` shows what was loaded), so the wheel is found
    without being imported: importing it loads its OpenBLAS at once."""
    if os.environ.get("X3MAT_OPENBLAS_FALLBACK"):
        return
    spec = importlib.util.find_spec("scipy_openblas32")
    if spec is None or spec.origin is None:
        return
    found = sorted((pathlib.Path(spec.origin).parent / "lib").glob("libscipy_openblas*.so"))
    if found:
        os.environ["X3MAT_OPENBLAS_FALLBACK"] = str(found[0])


def _load() -> ctypes.CDLL:
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as exc:
            tried.append(f"{path}: {exc}")
    raise ImportError(
        "cannot load libx3mat (set X3MAT_LIBRARY to the path of libx3mat.so):\n  " + "\n  ".join(tried)
    )


_offer_pypi_openblas()
lib = _load()


def _errcheck(status, func, args):
    if status != 0:
        message = lib.x3_last_error().decode("utf-8", "replace")
        raise error_for_status(status, message)
    return status


def _declare(name, argtypes, restype=ctypes.c_int32, check=True):
    f = getattr(lib, name)
    f.argtypes = argtypes
    f.restype = restype
    if check:
        f.errcheck = _errcheck
    return f


_declare("x3_version", [], ctypes.c_char_p, check=False)
_declare("x3_version_numbers", [c_int32_p, c_int32_p, c_int32_p], None, check=False)
_declare("x3_last_error", [], ctypes.c_char_p, check=False)
_declare("x3_clear_error", [], None, check=False)
_declare("x3_status_name", [ctypes.c_int32], ctypes.c_char_p, check=False)
_declare("x3_element_symbol", [ctypes.c_int32, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_element_atomic_number", [ctypes.c_char_p, c_int32_p])
_declare("x3_element_mass", [ctypes.c_int32, c_double_p])
_declare("x3_element_covalent_radius", [ctypes.c_int32, c_double_p])
_declare("x3_structure_read_cif", [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(c_handle)])
_declare("x3_structure_parse_cif", [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(c_handle)])
_declare("x3_structure_from_arrays",
         [c_double_p, ctypes.c_int64, c_double_p, ctypes.c_int32, c_int32_p, ctypes.POINTER(c_handle)])
_declare("x3_structure_free", [c_handle], None, check=False)
_declare("x3_structure_atom_count", [c_handle, c_int64_p])
_declare("x3_structure_cell", [c_handle, c_double_p])
_declare("x3_structure_cell_parameters", [c_handle, c_double_p])
_declare("x3_structure_volume", [c_handle, c_double_p])
_declare("x3_structure_density", [c_handle, c_double_p])
_declare("x3_structure_positions", [c_handle, ctypes.c_int32, c_double_p, ctypes.c_int64])
_declare("x3_structure_atomic_numbers", [c_handle, c_int32_p, ctypes.c_int64])
_declare("x3_structure_occupancies", [c_handle, c_double_p, ctypes.c_int64])
_declare("x3_structure_formula", [c_handle, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_structure_name", [c_handle, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_structure_warning_count", [c_handle, c_int64_p])
_declare("x3_structure_warning", [c_handle, ctypes.c_int64, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_structure_write_cif", [c_handle, ctypes.c_char_p])
_declare("x3_blas_info", [ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_set_num_threads", [ctypes.c_int32])
_declare("x3_get_num_threads", [], ctypes.c_int32, check=False)
_declare("x3_windows_sample", [c_handle, ctypes.c_double, ctypes.c_double, ctypes.c_int64, ctypes.POINTER(c_handle)])
_declare("x3_windows_at", [c_handle, ctypes.c_double, ctypes.c_int64, c_double_p, ctypes.c_int32,
                           ctypes.POINTER(c_handle)])
_declare("x3_windows_free", [c_handle], None, check=False)
_declare("x3_windows_count", [c_handle, c_int64_p])
_declare("x3_windows_radius", [c_handle, c_double_p])
_declare("x3_windows_grid", [c_handle, c_int64_p, c_double_p])
_declare("x3_windows_centres", [c_handle, ctypes.c_int32, c_double_p, ctypes.c_int64])
_declare("x3_windows_total_atoms", [c_handle, c_int64_p])
_declare("x3_windows_offsets", [c_handle, c_int64_p, ctypes.c_int64])
_declare("x3_windows_atom_count", [c_handle, ctypes.c_int64, c_int64_p])
_declare("x3_windows_atoms", [c_handle, ctypes.c_int64, c_int32_p, c_double_p, c_int32_p, c_int32_p,
                              ctypes.c_int64])


def c_text(value, what: str) -> bytes:
    """`value` (str, bytes or os.PathLike; text as UTF-8, as os.fsencode gives it here) as a
    C string argument. A NUL character is refused: C would silently end the text there."""
    data = os.fsencode(value) if isinstance(value, (str, os.PathLike)) else bytes(value)
    at = data.find(b"\0")
    if at >= 0:
        raise ValueError(f"{what} contains a NUL character at byte {at}")
    return data


def get_string(func, *args) -> str:
    """Calls a string-out function twice: once for the length, once to copy."""
    n = ctypes.c_int64(0)
    try:
        func(*args, None, 0, ctypes.byref(n))
    except X3Error as exc:
        if exc.status != 8:  # X3_ERR_BUFFER_TOO_SMALL is the expected answer here
            raise
    buf = ctypes.create_string_buffer(n.value + 1)
    func(*args, buf, n.value + 1, None)
    return buf.value.decode("utf-8")

_declare("x3_wl_hash", [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, c_int64_p, ctypes.c_int32,
                        ctypes.c_int32, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_windows_bond_graph", [c_handle, ctypes.c_int64, ctypes.c_double, ctypes.c_char_p, c_int64_p, c_int64_p,
                                   c_int32_p, ctypes.c_int64, c_int64_p, ctypes.c_int64])
_declare("x3_windows_site_hashes", [c_handle, ctypes.c_double, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32,
                                    ctypes.c_char_p, ctypes.c_int64])
_declare("x3_catalogue_new", [ctypes.c_double, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32, ctypes.c_int64,
                              ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(c_handle)])
_declare("x3_catalogue_free", [c_handle], None, check=False)
_declare("x3_catalogue_add", [c_handle, ctypes.c_char_p, c_handle, c_double_p, ctypes.c_int64])
_declare("x3_catalogue_counts", [c_handle, c_int64_p, c_int64_p, c_int64_p])
_declare("x3_catalogue_json", [c_handle, ctypes.c_int32, ctypes.c_int64, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_catalogue_write", [c_handle, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int64])

_declare("x3_model_create", [ctypes.c_char_p, ctypes.POINTER(c_handle)])
_declare("x3_set_limit", [ctypes.c_char_p, ctypes.c_int64])
_declare("x3_get_limit", [ctypes.c_char_p, c_int64_p])
_declare("x3_model_parameter_count", [ctypes.c_char_p, c_int64_p])
_declare("x3_model_load", [ctypes.c_char_p, ctypes.POINTER(c_handle)])
_declare("x3_model_save", [c_handle, ctypes.c_char_p])
_declare("x3_model_free", [c_handle], None, check=False)
_declare("x3_model_config", [c_handle, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_model_card", [c_handle, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_model_sizes", [c_handle, c_int64_p, c_int64_p])
_declare("x3_model_contributions", [c_handle, c_handle, c_int64_p, c_double_p, ctypes.c_int64, c_double_p])
_declare("x3_model_predict", [c_handle, c_handle, c_double_p])
_declare("x3_model_predict_many", [c_handle, ctypes.c_int64, ctypes.POINTER(c_handle), c_double_p, c_int64_p, c_int32_p],
         check=False)  # per-structure statuses: Model.predict_many reads them
_declare("x3_model_members", [c_handle, c_int64_p])
_declare("x3_model_ensemble", [ctypes.POINTER(c_handle), ctypes.c_int64, ctypes.POINTER(c_handle)])
_declare("x3_model_spread_scale", [c_handle, c_double_p])
_declare("x3_model_with_spread_scale", [c_handle, c_double_p, ctypes.POINTER(c_handle)])
_declare("x3_model_spread_calibration", [c_handle, c_int32_p])
_declare("x3_model_with_spread_calibration", [c_handle, c_double_p, ctypes.c_int32, ctypes.POINTER(c_handle)])
_declare("x3_model_predict_std", [c_handle, c_handle, c_double_p, c_double_p])
_declare("x3_model_predict_many_std", [c_handle, ctypes.c_int64, ctypes.POINTER(c_handle), c_double_p, c_double_p, c_int64_p,
                                       c_int32_p], check=False)
_declare("x3_model_windows", [c_handle, c_handle, ctypes.POINTER(c_handle)])
_declare("x3_model_explain", [c_handle, c_handle, ctypes.c_char_p, ctypes.c_char_p])
_declare("x3_model_map", [c_handle, c_handle, ctypes.c_int32, c_int32_p, c_int64_p, c_double_p, ctypes.c_int64])
_declare("x3_model_map_std", [c_handle, c_handle, ctypes.c_int32, c_int64_p, c_double_p, ctypes.c_int64])
_declare("x3_set_symmetry", [ctypes.c_int32, ctypes.c_double])
_declare("x3_get_symmetry", [c_int32_p, c_double_p])
_declare("x3_structure_space_group", [c_handle, ctypes.c_double, c_int32_p, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_model_orbits", [c_handle, c_handle, c_int64_p, c_int64_p, c_int64_p])
_declare("x3_model_find", [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int64, c_int64_p])
_declare("x3_model_contributions_at", [c_handle, c_handle, ctypes.c_int32, ctypes.c_int64, c_double_p, c_double_p,
                                       ctypes.c_int64])
_declare("x3_release_memory", [])


class TrainingProgress(ctypes.Structure):
    """x3_training_progress (include/x3mat.h)."""
    _fields_ = [("phase", ctypes.c_int32), ("epoch", ctypes.c_int32), ("epochs", ctypes.c_int32),
                ("step", ctypes.c_int32), ("steps_per_epoch", ctypes.c_int32), ("reserved", ctypes.c_int32),
                ("done", ctypes.c_int64), ("total", ctypes.c_int64), ("loss", ctypes.c_double),
                ("validation_mae", ctypes.c_double), ("elapsed", ctypes.c_double), ("eta", ctypes.c_double)]


PROGRESS_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.POINTER(TrainingProgress), ctypes.c_void_p)
_declare("x3_train", [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                      PROGRESS_CALLBACK, ctypes.c_void_p, c_int32_p])
