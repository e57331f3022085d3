"""X(3)mat models (x3_model): create, load, save, evaluate a structure."""
from __future__ import annotations

import ctypes
import json
import os
import tempfile
from typing import Iterable, Sequence

import numpy as np

from ._lib import c_handle, c_text, get_string, lib
from ._handle import OwnedHandle
from .errors import X3Error, X3IOError, error_for_status
from .structure import Structure, StructureLike
from .windows import Windows

# x3_spread_calibration: the rule that fitted an ensemble's spread scale.
SPREAD_CALIBRATIONS = {0: None, 1: "likelihood", 2: "coverage", 3: "not recorded"}

class Model(OwnedHandle):
    """An equivariant window model. `Model.create(config)` makes one with random weights
    (config: dict of ModelConfig keys, see include/x3mat.h); `Model.load(path)` reads a
    safetensors model file or a shipped model by name. A context manager (or `close()`)
    releases it at once. Structures may be given as Structure, CIF path, ase.Atoms or
    pymatgen Structure."""

    _release = staticmethod(lib.x3_model_free)

    def __repr__(self) -> str:
        if self.closed:
            return "Model(closed)"
        c = self.config
        return (f"Model(targets={c['targets']}, {self.parameter_count} parameters, lmax {c['lmax']}, "
                f"{c['channels']} channels, {c['blocks']} blocks, windows R {c['window_radius']} Å "
                f"step {c['window_step']} Å{f', an ensemble of {self.members}' if self.members > 1 else ''})")

    @classmethod
    def create(cls, config: dict | None = None) -> "Model":
        """A model with fresh random weights (seeded by config["seed"]). config: a dict of
        configuration keys, the rest taking their defaults (`x3mat options model` gives each
        one's range and meaning; unknown keys raise X3ParseError):
        lmax (3), mmax (2), channels (32), attention_channels (32), heads (4),
        value_channels_per_head (8), ffn_channels (64), blocks (2), radial_basis (16),
        radial_hidden (32), edge_embedding (8), cutoff (5, Å), max_neighbours (20),
        probe (True), average_degree (16), readout_hidden (32), targets (["y"]),
        target_mean ([0]), target_std ([1]), per_volume ([False]; per target: learn target ×
        density in g/cm³, divided by each structure's density, for per-mass targets), window_radius (6, Å), window_step (2, Å),
        activation ("gate"; or "s2"), s2_resolution (12), seed (0; an int of any size)."""
        out = c_handle()
        lib.x3_model_create(c_text(json.dumps(config or {}), "configuration"), ctypes.byref(out))
        return cls(out.value)

    @staticmethod
    def parameter_count_of(config: dict | None = None) -> int:
        """The number of parameters a configuration defines, without building the model."""
        n = ctypes.c_int64()
        lib.x3_model_parameter_count(c_text(json.dumps(config or {}), "configuration"), ctypes.byref(n))
        return n.value

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Model":
        """A model file, or a shipped model by name (e.g. "iza-ar-uptake"; see find_model)."""
        out = c_handle()
        lib.x3_model_load(c_text(path, "path"), ctypes.byref(out))
        return cls(out.value)

    @classmethod
    def ensemble(cls, models: Sequence["Model"]) -> "Model":
        """One model made of several of the same property (same targets, window radius and
        step; e.g. trained with other seeds or cross-validation folds): it predicts their
        mean, and `predict_std` / `predict_many` give the members' standard deviation as
        the uncertainty. `save` writes it as one file. The inputs are not changed."""
        models = list(models)
        handles = (c_handle * len(models))(*[m._handle.value for m in models])
        out = c_handle()
        lib.x3_model_ensemble(handles, len(models), ctypes.byref(out))
        return cls(out.value)

    def save(self, path: str | os.PathLike) -> None:
        """Writes the model file (safetensors, atomically)."""
        lib.x3_model_save(self._handle, c_text(path, "path"))

    @property
    def config(self) -> dict:
        """The full configuration."""
        return json.loads(get_string(lib.x3_model_config, self._handle))

    @property
    def card(self) -> dict | None:
        """The model card (what the model predicts, units, conditions, strong end, training
        data and licence, metrics under the key of their held-out set: "test" or
        "validation"), or None when the model has none."""
        text = get_string(lib.x3_model_card, self._handle)
        return json.loads(text) if text else None

    @property
    def targets(self) -> list[str]:
        """The names of the properties the model predicts."""
        return self.config["targets"]

    @property
    def members(self) -> int:
        """Number of models: 1, or an ensemble's members (`x3mat ensemble` writes an
        ensemble file). An ensemble predicts the members' mean; `predict_std` and
        `predict_many` also give its uncertainty, the members' standard deviation."""
        n = ctypes.c_int64()
        lib.x3_model_members(self._handle, ctypes.byref(n))
        return n.value

    @property
    def value_columns(self) -> list[str]:
        """The value columns of `predict_many` and `screen`, in order: each target, then for
        an ensemble each target's TARGET_std."""
        return [*self.targets, *([f"{t}_std" for t in self.targets] if self.members > 1 else [])]

    @property
    def spread_scale(self) -> dict[str, float]:
        """Per target, the factor every standard deviation of the ensemble is multiplied
        by: 1 until calibrated (`x3mat evaluate --calibrate`, `with_spread_scale`), and for
        a single model."""
        out = np.empty(len(self.targets))
        lib.x3_model_spread_scale(self._handle, out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
        return dict(zip(self.targets, out.tolist()))

    @property
    def spread_calibration(self) -> str | None:
        """The rule that fitted `spread_scale`: "likelihood" (mean z**2 = 1 on the
        calibration set), "coverage" (±1 std held 68.27 % of it), "not recorded" (a scale
        set with `with_spread_scale`, or a file that does not say), or None while the scale
        is 1."""
        rule = ctypes.c_int32()
        lib.x3_model_spread_calibration(self._handle, ctypes.byref(rule))
        return SPREAD_CALIBRATIONS[rule.value]

    def with_spread_scale(self, scale: dict[str, float] | Sequence[float], calibration: str | None = None) -> "Model":
        """This ensemble with its spread scale replaced (one factor > 0 per target, by name
        or in order); `save` keeps it, and `calibration` ("likelihood" or "coverage") as the
        rule that fitted it (else `spread_calibration` is "not recorded"). With z = (label -
        prediction) / std from `predict_many`'s TARGET and TARGET_std columns, the factor
        that fits held-out structures best under a Gaussian ("likelihood") is the current
        one times sqrt(mean(z**2)); the one under which ±1 std holds 68.27 % of them
        ("coverage"), the current one times numpy.quantile(abs(z), 0.6827)."""
        values = [scale[t] for t in self.targets] if isinstance(scale, dict) else list(scale)
        if len(values) != len(self.targets):
            raise ValueError(f"{len(values)} factors for {len(self.targets)} targets")
        arr = np.ascontiguousarray(values, dtype=float)
        out = c_handle()
        pointer = arr.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        if calibration is None:
            lib.x3_model_with_spread_scale(self._handle, pointer, ctypes.byref(out))
        else:
            codes = {rule: code for code, rule in SPREAD_CALIBRATIONS.items() if code in (1, 2)}
            if calibration not in codes:
                raise ValueError(f"calibration {calibration!r}: use one of {', '.join(codes)}")
            lib.x3_model_with_spread_calibration(self._handle, pointer, codes[calibration], ctypes.byref(out))
        return Model(out.value)

    @property
    def parameter_count(self) -> int:
        """Number of parameters (an ensemble's: all members' together)."""
        n = ctypes.c_int64()
        lib.x3_model_sizes(self._handle, ctypes.byref(n), None)
        return n.value

    def orbits(self, structure: StructureLike) -> tuple[int, int, int]:
        """(windows, windows evaluated, symmetry operations) of this model's evaluation of a
        structure under the symmetry setting (`x3mat.set_symmetry`); evaluates nothing."""
        structure = Structure.coerce(structure)
        w, o, k = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()
        lib.x3_model_orbits(self._handle, structure._handle, ctypes.byref(w), ctypes.byref(o), ctypes.byref(k))
        return w.value, o.value, k.value

    def contributions(self, structure: StructureLike) -> tuple[np.ndarray, np.ndarray]:
        """(contributions (windows, targets), property (targets,)) for a structure, windows
        cut with the model's radius and step on the grid of the symmetry setting (one
        window per orbit evaluated; with `x3mat.set_symmetry(False)` the plain grid in the
        order of Structure.windows)."""
        structure = Structure.coerce(structure)
        n = ctypes.c_int64()
        lib.x3_model_contributions(self._handle, structure._handle, ctypes.byref(n), None, 0, None)
        t = len(self.targets)
        c = np.empty((n.value, t))
        prop = np.empty(t)
        lib.x3_model_contributions(self._handle, structure._handle, ctypes.byref(n),
                                   c.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), c.size,
                                   prop.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
        return c, prop

    def contributions_at(self, structure: StructureLike, centres, cartesian: bool = True) -> np.ndarray:
        """Contributions (n, targets) of windows cut with the model's radius at given centres
        ((n, 3) array: Cartesian Å, or fractional with cartesian=False; any cell image),
        without building the window grid and without symmetry reduction."""
        structure = Structure.coerce(structure)
        c = np.ascontiguousarray(centres, dtype=np.float64).reshape(-1, 3)
        out = np.empty((len(c), len(self.targets)))
        lib.x3_model_contributions_at(self._handle, structure._handle, 1 if cartesian else 0, len(c),
                                      c.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                      out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), out.size)
        return out

    def windows(self, structure: StructureLike) -> Windows:
        """The windows this model evaluates for a structure (its radius and step), in the
        order of the rows of `contributions`: e.g. `windows(s).centres` to place them."""
        structure = Structure.coerce(structure)
        from .windows import Windows

        out = c_handle()
        lib.x3_model_windows(self._handle, structure._handle, ctypes.byref(out))
        return Windows(out.value)

    def predict(self, structure: StructureLike) -> dict[str, float]:
        """The predicted property per target (the mean of the window contributions)."""
        structure = Structure.coerce(structure)
        prop = np.empty(len(self.targets))
        lib.x3_model_predict(self._handle, structure._handle, prop.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
        return dict(zip(self.targets, prop.tolist()))

    def predict_std(self, structure: StructureLike) -> tuple[dict[str, float], dict[str, float]]:
        """(property, uncertainty) per target: the prediction as `predict` gives it and the
        ensemble members' sample standard deviation of it (ddof 1); NaN for one model."""
        structure = Structure.coerce(structure)
        prop, std = np.empty(len(self.targets)), np.empty(len(self.targets))
        lib.x3_model_predict_std(self._handle, structure._handle, prop.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                 std.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
        return dict(zip(self.targets, prop.tolist())), dict(zip(self.targets, std.tolist()))

    def predict_many(self, structures: Iterable[StructureLike], ids: Sequence[str] | None = None):
        """Predictions of many structures in one call (x3_model_predict_many: the windows of
        all of them in shared batches; each structure's numbers equal `predict`'s), as a
        pandas DataFrame indexed by id, in input order, with its `value_columns` (each
        target, then for an ensemble each TARGET_std, the members' standard deviation),
        `evaluated` (windows evaluated: one per symmetry orbit) and `error` (None, or why
        the structure was not predicted: an unreadable file, too many windows...; its
        targets are then NaN). ids default to file names without .cif for paths, else
        the structures' names, else their positions."""
        import pandas as pd

        items = list(structures)
        if ids is None:
            ids = [_default_id(s, i) for i, s in enumerate(items)]
        ids = [str(i) for i in ids]
        if len(ids) != len(items):
            raise ValueError(f"{len(ids)} ids for {len(items)} structures")
        errors: list[str | None] = [None] * len(items)
        ready: list[tuple[int, Structure]] = []
        for i, item in enumerate(items):
            try:
                ready.append((i, Structure.coerce(item)))
            except (X3Error, OSError, ValueError) as exc:
                errors[i] = f"{type(exc).__name__}: {exc}"
        t = len(self.targets)
        props = np.full((len(items), t), np.nan)
        stds = np.full((len(items), t), np.nan)
        evaluated = np.zeros(len(items), dtype=np.int64)
        if ready:
            handles = (c_handle * len(ready))(*[s._handle.value for _, s in ready])
            p, sd = np.empty((len(ready), t)), np.empty((len(ready), t))
            e = np.zeros(len(ready), dtype=np.int64)
            st = np.zeros(len(ready), dtype=np.int32)
            status = lib.x3_model_predict_many_std(self._handle, len(ready), handles,
                                                   p.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                                   sd.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                                   e.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
                                                   st.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)))
            if status != 0 and not st.any():  # the call itself was refused
                raise error_for_status(status, lib.x3_last_error().decode("utf-8", "replace"))
            for k, (i, s) in enumerate(ready):
                props[i], stds[i], evaluated[i] = p[k], sd[k], e[k]
                if st[k]:
                    try:  # the structure alone, for its message
                        self.predict(s)
                        errors[i] = f"{lib.x3_status_name(int(st[k])).decode()}"
                    except X3Error as exc:
                        errors[i] = f"{type(exc).__name__}: {exc}"
        values = props if self.members == 1 else np.hstack([props, stds])
        frame = pd.DataFrame(values, index=pd.Index(ids, name="id"), columns=self.value_columns)
        frame["evaluated"] = evaluated
        frame["error"] = pd.Series(errors, index=frame.index, dtype=object)
        return frame

    def to_bytes(self) -> bytes:
        """The model file's bytes (as `save` writes them)."""
        if self.closed:
            raise ValueError("the Model is closed")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.safetensors")
            self.save(path)
            with open(path, "rb") as f:
                return f.read()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Model":
        """A model from a model file's bytes (checked as `load` checks a file)."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.safetensors")
            with open(path, "wb") as f:
                f.write(data)
            return cls.load(path)

    def __reduce__(self):
        # pickled as the model file's bytes (for multiprocessing, joblib, Dask)
        if self.closed:
            raise ValueError("a closed Model cannot be pickled")
        return Model.from_bytes, (self.to_bytes(),)

    def _target(self, target: int | str) -> int:
        if isinstance(target, str):
            if target not in self.targets:
                raise ValueError(f"{target!r} is not a target of this model ({', '.join(self.targets)})")
            return self.targets.index(target)
        return int(target)

    def map(self, structure: StructureLike, target: int | str = 0, refine: int | tuple[int, int, int] = 1) -> np.ndarray:
        """One target's contribution map (name or 0-based index) on the model's window grid,
        shape (n1, n2, n3), point (k1, k2, k3) at fractional (k1/n1, k2/n2, k3/n3), in the
        target's units; its mean is the predicted property (for an ensemble: the members'
        mean contributions; `map_std` gives their spread). `refine` (N or (N1, N2, N3))
        Fourier-interpolates it onto a grid that many times finer (same mean, equal at the
        window centres)."""
        structure = Structure.coerce(structure)
        f = (refine,) * 3 if np.isscalar(refine) else tuple(refine)
        factors = (ctypes.c_int32 * 3)(*f)
        shape = (ctypes.c_int64 * 3)()
        t = self._target(target)
        lib.x3_model_map(self._handle, structure._handle, t, factors, shape, None, 0)
        out = np.empty(tuple(shape))
        lib.x3_model_map(self._handle, structure._handle, t, factors, shape,
                         out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), out.size)
        return out

    def map_std(self, structure: StructureLike, target: int | str = 0) -> np.ndarray:
        """The uncertainty of `map` (not refined): at each window, the ensemble members'
        sample standard deviation (ddof 1) of its contribution; NaN for one model."""
        structure = Structure.coerce(structure)
        shape = (ctypes.c_int64 * 3)()
        t = self._target(target)
        lib.x3_model_map_std(self._handle, structure._handle, t, shape, None, 0)
        out = np.empty(tuple(shape))
        lib.x3_model_map_std(self._handle, structure._handle, t, shape,
                             out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), out.size)
        return out

    def explain(self, structure: StructureLike, out: str | os.PathLike, refine: int | tuple[int, int, int] | None = None,
                selectivity=(), guard: float | None = None, bins: int | None = None, strong: str | None = None,
                top: int | None = None, removal: str | None = None, threads: int | None = None) -> "Explanation":
        """Writes the explanation of a prediction into folder `out` (as `x3mat explain`):
        per target a cube and an XSF contribution map, a histogram CSV and the strongest
        sites, plus selectivity maps, windows.csv and explanation.json. Returns an
        `Explanation`. Options left at None take the library's default (`x3mat options
        explain` gives each one's range and meaning):
        refine (1): N or (N1, N2, N3), also each map N times finer per axis;
        selectivity ([]): pairs (numerator, denominator) of targets by name or index;
        guard (0.001): a ratio is undefined where |denominator| <= guard * max |denominator|;
        bins (20): histogram bins;
        strong (the model card's, else high): "high" or "low" (band gaps), the strong end;
        top (5): sites listed per target;
        removal ("auto"): atoms dropped from site bond graphs ("none", "O:contract,H:delete");
        threads (X3MAT_NUM_THREADS or the number of CPUs; x3mat.set_num_threads sets the default)."""
        structure = Structure.coerce(structure)
        given = {"refine": refine if refine is None or np.isscalar(refine) else list(refine),
                 "selectivity": [[a, b] for a, b in selectivity], "guard": guard, "bins": bins,
                 "strong": strong, "top": top, "removal": removal, "threads": threads}
        options = {k: v for k, v in given.items() if v is not None}
        lib.x3_model_explain(self._handle, structure._handle, c_text(out, "output directory"),
                             c_text(json.dumps(options), "options"))
        return Explanation(out)


def _default_id(item, position: int) -> str:
    if isinstance(item, (str, os.PathLike)):
        name = os.path.basename(os.fspath(item))
        return name[:-4] if name.lower().endswith(".cif") else name
    if isinstance(item, Structure) and not item.closed and item.name:
        return item.name
    return str(position)


class Explanation:
    """The files `Model.explain` wrote: `summary` (explanation.json as a dict),
    `property` (target -> value), `map(name)` (a cube file's values as an (n1, n2, n3)
    array), `histogram(target)` and `sites(target)` (CSV rows as dicts)."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = os.fspath(directory)
        if os.path.exists(os.path.join(self.directory, "INCOMPLETE")):
            raise X3IOError(f"{self.directory}: incomplete explanation (its writing was interrupted); "
                            "run explain again", 3)
        with open(os.path.join(self.directory, "explanation.json")) as f:
            self.summary = json.load(f)

    def __repr__(self) -> str:
        return f"Explanation({self.directory!r}, property={self.property})"

    @property
    def targets(self) -> list[str]:
        """The explained targets."""
        return [t["name"] for t in self.summary["targets"]]

    @property
    def property(self) -> dict:
        """Target name -> predicted property."""
        return {t["name"]: t["property"] for t in self.summary["targets"]}

    def _file(self, stem: str, suffix: str) -> str:
        safe = "".join(c if c.isalnum() or c in "_.-" else "_" for c in stem)
        return os.path.join(self.directory, safe + suffix)

    def map(self, name: str, fine: bool = False) -> np.ndarray:
        """The values of NAME.cube (a target, or "a_over_b" for a selectivity map);
        `fine` reads NAME_fine.cube."""
        path = self._file(name, "_fine.cube" if fine else ".cube")
        with open(path) as f:
            f.readline(); f.readline()
            natoms = int(f.readline().split()[0])
            shape = tuple(int(f.readline().split()[0]) for _ in range(3))
            for _ in range(natoms):
                f.readline()
            values = np.array(f.read().split(), dtype=float)
        return values.reshape(shape)

    def _csv(self, path: str) -> list[dict]:
        import csv
        with open(path, newline="") as f:
            return list(csv.DictReader(f))

    def histogram(self, target: str) -> list[dict]:
        """The rows of histogram_TARGET.csv."""
        return self._csv(self._file("histogram_" + target, ".csv"))

    def sites(self, target: str) -> list[dict]:
        """The rows of sites_TARGET/sites.csv (the strongest sites)."""
        safe = "".join(c if c.isalnum() or c in "_.-" else "_" for c in target)
        return self._csv(os.path.join(self.directory, "sites_" + safe, "sites.csv"))
