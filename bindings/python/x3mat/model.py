"""X(3)mat models (x3_model): create, load, save, evaluate a structure."""
from __future__ import annotations

import ctypes
import json
import os

import numpy as np

from ._lib import c_handle, get_string, lib


class Model:
    """An equivariant window model. `Model.create(config)` makes one with random weights
    (config: dict of ModelConfig keys, see include/x3mat.h); `Model.load(path)` reads a
    safetensors model file."""

    def __init__(self, _handle: int):
        self._handle = c_handle(_handle)

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            lib.x3_model_free(handle)
            self._handle = None

    @classmethod
    def create(cls, config: dict | None = None) -> "Model":
        out = c_handle()
        lib.x3_model_create(json.dumps(config or {}).encode(), ctypes.byref(out))
        return cls(out.value)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Model":
        out = c_handle()
        lib.x3_model_load(os.fsencode(path), ctypes.byref(out))
        return cls(out.value)

    def save(self, path: str | os.PathLike) -> None:
        lib.x3_model_save(self._handle, os.fsencode(path))

    @property
    def config(self) -> dict:
        return json.loads(get_string(lib.x3_model_config, self._handle))

    @property
    def targets(self) -> list[str]:
        return self.config["targets"]

    @property
    def parameter_count(self) -> int:
        n = ctypes.c_int64()
        lib.x3_model_sizes(self._handle, ctypes.byref(n), None)
        return n.value

    def contributions(self, structure):
        """(contributions (windows, targets), property (targets,)) for a structure, windows
        cut with the model's radius and step (the order of Structure.windows)."""
        n = ctypes.c_int64()
        lib.x3_model_contributions(self._handle, structure._handle, ctypes.byref(n), None, 0, None)
        t = len(self.targets)
        c = np.empty((n.value, t))
        prop = np.empty(t)
        lib.x3_model_contributions(self._handle, structure._handle, ctypes.byref(n),
                                   c.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), c.size,
                                   prop.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
        return c, prop

    def windows(self, structure):
        """The windows this model evaluates for a structure (its radius and step), in the
        order of the rows of `contributions`: e.g. `windows(s).centres` to place them."""
        from .windows import Windows

        out = c_handle()
        lib.x3_model_windows(self._handle, structure._handle, ctypes.byref(out))
        return Windows(out.value)

    def predict(self, structure) -> dict:
        """The predicted property per target (the mean of the window contributions)."""
        prop = np.empty(len(self.targets))
        lib.x3_model_predict(self._handle, structure._handle, prop.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
        return dict(zip(self.targets, prop.tolist()))
