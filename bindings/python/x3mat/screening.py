"""Screening many structures with a model, in this process or on a Dask cluster.

`screen` cuts the inputs into partitions of structures; each partition is one
`Model.predict_many` call. On a Dask `distributed` cluster (`client=`), the model's file
bytes are sent to every worker once and each worker process loads the model once (kept
by its SHA-256 digest); without a client the partitions run here, one after the other.
Results are appended to `output` as partitions finish and gathered into a DataFrame in
input order. A structure's numbers do not depend on its partition, its worker or the
thread count (libx3mat evaluates each structure in its own batches), so a cluster gives
exactly the serial results.
"""
from __future__ import annotations

import glob
import hashlib
import io
import os
from typing import Callable, Iterable, Sequence

from .model import Model, _default_id

__all__ = ["screen", "expand_inputs"]

# the models this process has loaded, by the SHA-256 digest of their file
_models: dict[str, Model] = {}


def expand_inputs(inputs: str | os.PathLike | Iterable[str | os.PathLike]) -> list[tuple[str, str]]:
    """(id, path) of every structure the inputs name, in order, as `x3mat screen` reads
    them: a folder gives its *.cif (or cif/*.cif), sorted; a .cif file itself; another
    file is a list of paths, one per line, relative to the list's folder ('#' starts a
    comment); anything else is a glob pattern. ids are the file names without .cif and
    must be unique (ValueError otherwise)."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    paths: list[str] = []
    for item in inputs:
        item = os.fspath(item)
        if os.path.isdir(item):
            found = sorted(glob.glob(os.path.join(glob.escape(item), "*.cif")))
            paths += found or sorted(glob.glob(os.path.join(glob.escape(item), "cif", "*.cif")))
        elif os.path.isfile(item) and not item.lower().endswith(".cif"):
            base = os.path.dirname(item)
            with open(item, encoding="utf-8") as f:
                for line in f:
                    line = line.split("#", 1)[0].strip()
                    if line:
                        paths.append(line if os.path.isabs(line) else os.path.join(base, line))
        elif os.path.exists(item) or not glob.has_magic(item):
            paths.append(item)
        else:
            paths += sorted(glob.glob(item))
    named = [(_default_id(p, k), p) for k, p in enumerate(paths)]
    seen: dict[str, str] = {}
    for i, p in named:
        if i in seen:
            raise ValueError(f"two structures are named {i!r}: {seen[i]} and {p}; ids must be unique")
        seen[i] = p
    return named


def _model_bytes(model) -> bytes:
    if isinstance(model, Model):
        return model.to_bytes()
    with Model.load(model) as m:  # a name or a file, resolved here, sent as bytes
        return m.to_bytes()


def _loaded(data: bytes, digest: str) -> Model:
    """This process's copy of the model whose file is `data`, loaded once."""
    m = _models.get(digest)
    if m is None:
        m = _models[digest] = Model.from_bytes(data)
    return m


def _predict_partition(data: bytes, digest: str, ids: Sequence[str], paths: Sequence[str]):
    """One partition's rows: path, evaluated, the model's value columns, error (a Dask task)."""
    model = _loaded(data, digest)
    frame = model.predict_many(list(paths), ids=list(ids))
    frame.insert(0, "path", list(paths))
    return frame[["path", "evaluated", *model.value_columns, "error"]]


def _set_threads(n: int) -> None:
    from . import set_num_threads

    set_num_threads(n)


def _prepare_worker(threads: int) -> None:
    """A Dask worker's set-up: libx3mat's thread count, and glibc's malloc thresholds
    back to sizes that keep libx3mat's large work buffers for reuse. Dask's nanny starts
    workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes the mmap threshold at
    128 KiB, so every network buffer would be a fresh mmap, zeroed by the kernel on first
    touch (screening ran 1.5 times slower; BENCHMARKS.md)."""
    import ctypes
    import ctypes.util

    _set_threads(threads)
    name = ctypes.util.find_library("c")
    if name and os.environ.get("MALLOC_TRIM_THRESHOLD_"):
        libc = ctypes.CDLL(name)
        m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
        libc.mallopt(m_mmap_threshold, 32 << 20)  # glibc's largest
        libc.mallopt(m_trim_threshold, 128 << 20)


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _workers(client) -> dict:
    """Every worker's scheduler record (recent versions list only a few unless asked)."""
    import inspect

    if "n_workers" in inspect.signature(client.scheduler_info).parameters:
        return client.scheduler_info(n_workers=-1)["workers"]
    return client.scheduler_info()["workers"]


def _threads_per_worker(client, workers: dict) -> dict[str, int]:
    """For each worker, the CPUs of its host shared among the Dask threads on that host."""
    cpus = client.run(_cpu_count)
    per_host: dict[str, int] = {}
    for info in workers.values():
        per_host[info["host"]] = per_host.get(info["host"], 0) + info["nthreads"]
    return {addr: max(1, cpus.get(addr, 1) // per_host[info["host"]]) for addr, info in workers.items()}


def _read_done(output: str, values: Sequence[str]):
    """The rows an earlier screen wrote to `output`, without a last line cut short by a
    kill (the file is truncated to its last complete line)."""
    import pandas as pd

    with open(output, "rb+") as f:
        data = f.read()
        keep = data.rfind(b"\n") + 1
        if keep < len(data):
            f.truncate(keep)
            data = data[:keep]
    if not data:
        return None
    # read as text, then Python's float(): exact for the shortest repr to_csv writes; an
    # empty value is NaN (a failure), an empty error "" (none)
    frame = pd.read_csv(io.BytesIO(data), index_col="id", dtype=str, keep_default_na=False)
    frame["evaluated"] = frame["evaluated"].astype("int64")
    for v in values:
        if v in frame.columns:
            frame[v] = [float(x) if x else float("nan") for x in frame[v]]
    return frame


def screen(inputs, model="iza-ar-uptake", *, client=None, output: str | os.PathLike | None = None,
           partition_size: int = 32, threads: int | None = None, resume: bool = False, force: bool = False,
           progress: Callable[[int, int], object] | None = None):
    """Predicts every structure `inputs` names (folders, CIF files, CIF lists, globs; see
    `expand_inputs`) with `model` (a name, a file or a `Model`), and returns a pandas
    DataFrame indexed by id, in input order: path, evaluated (windows evaluated, one per
    symmetry orbit), the model's `value_columns` (each target; for an ensemble then each
    TARGET_std) and error ("" when predicted; otherwise why not, with the values NaN).

    client: a dask.distributed Client to run on (partitions of `partition_size`
    structures are its tasks); None runs here. threads: libx3mat threads per worker
    process; by default each host's CPUs divided among the Dask threads on it (here: the
    library's default). output: a CSV the rows are appended to as partitions finish (in
    the order they finish; a partial last line left by a kill is dropped on resume). An
    existing output is an error unless `resume` (skip the ids it holds; they are part of
    the result) or `force` (start again). progress: called with (structures done, total)
    after each partition."""
    import pandas as pd

    if partition_size < 1:
        raise ValueError("partition_size must be at least 1")
    named = expand_inputs(inputs)
    data = _model_bytes(model)
    digest = hashlib.sha256(data).hexdigest()
    values = _loaded(data, digest).value_columns
    columns = ["path", "evaluated", *values, "error"]
    done = None
    out = os.fspath(output) if output is not None else None
    if out is not None and os.path.exists(out) and os.path.getsize(out) > 0:
        if resume:
            done = _read_done(out, values)
            if done is not None and list(done.columns) != columns:
                raise ValueError(f"{out}: its columns {list(done.columns)} are not this screen's {columns}")
        elif not force:
            raise FileExistsError(f"{out} exists; pass resume=True to continue that screen or force=True to replace it")
    skip = set(done.index) if done is not None else set()
    todo = [(i, p) for i, p in named if i not in skip]
    parts = [todo[k:k + partition_size] for k in range(0, len(todo), partition_size)]
    sink = None
    if out is not None:
        fresh = done is None
        sink = open(out, "w" if fresh else "a", encoding="utf-8", newline="")
        if fresh:
            sink.write(",".join(["id", *columns]) + "\n")
            sink.flush()
    frames = [done] if done is not None else []
    finished = len(named) - len(todo)

    def take(frame):
        """Keeps a finished partition's rows, appends them to the output, reports progress."""
        nonlocal finished
        frame = frame.assign(error=frame["error"].fillna(""))
        frames.append(frame)
        if sink is not None:
            frame.to_csv(sink, header=False)
            sink.flush()
        finished += len(frame)
        if progress is not None:
            progress(finished, len(named))

    try:
        if client is None:
            if threads is not None:
                _set_threads(threads)
            for part in parts:
                take(_predict_partition(data, digest, [i for i, _ in part], [p for _, p in part]))
        else:
            from distributed import as_completed

            workers = _workers(client)
            per_worker = _threads_per_worker(client, workers) if threads is None else {}
            for addr in workers:
                client.run(_prepare_worker, threads or per_worker[addr], workers=[addr])
            shared = client.scatter(data, broadcast=True, hash=False)
            futures = [client.submit(_predict_partition, shared, digest, [i for i, _ in part], [p for _, p in part],
                                     pure=False) for part in parts]
            for future in as_completed(futures):
                take(future.result())
                future.release()
    finally:
        if sink is not None:
            sink.close()
    if not frames:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="id"))
    result = pd.concat(frames)
    return result.loc[[i for i, _ in named]]
