"""Bad input through the Python binding ends in an exception that says what is wrong —
never a crash, a hang, a large allocation or a silently different result."""
import json
import os
import resource
import struct
import threading
import time
import zlib

import numpy as np
import pytest

import x3mat
from x3mat.windows import at_centres

TINY = {"lmax": 1, "mmax": 1, "channels": 4, "attention_channels": 4, "heads": 1, "value_channels_per_head": 4,
        "ffn_channels": 4, "blocks": 1, "radial_basis": 4, "radial_hidden": 4, "edge_embedding": 2,
        "readout_hidden": 4}
CUBE = np.eye(3) * 8.0


def small_structure():
    return x3mat.Structure.from_arrays(CUBE, [[0, 0, 0], [1.6, 0, 0]], [14, 8])


def test_nul_characters_are_refused_not_truncated():
    text = "data_x\n_cell_length_a 5\n"
    with pytest.raises(ValueError, match="NUL character at byte 7"):
        x3mat.Structure.from_cif_string(text[:7] + "\0" + text[7:])
    with pytest.raises(ValueError, match="NUL"):
        x3mat.Structure.from_cif("a.cif\0.txt")
    with pytest.raises(ValueError, match="NUL"):
        x3mat.Model.load("m\0.safetensors")


def test_arrays_of_the_wrong_shape_are_refused_not_reshaped():
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        x3mat.Structure.from_arrays(CUBE, np.zeros((3, 2)), [14, 8])          # (3, N) for 2 atoms
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        x3mat.Structure.from_arrays(CUBE, np.zeros(6), [14, 8])               # flat
    with pytest.raises(ValueError, match="whole numbers"):
        x3mat.Structure.from_arrays(CUBE, np.zeros((2, 3)), [14.5, 8])
    with pytest.raises(ValueError, match="1..96"):
        x3mat.Structure.from_arrays(CUBE, np.zeros((2, 3)), [2**40, 8])
    assert len(x3mat.Structure.from_arrays(CUBE, np.zeros((0, 3)), [])) == 0


def test_degenerate_cells_from_arrays_are_refused():
    for cell in (np.diag([8.0, 8.0, 1e-5]), np.diag([8.0, 8.0, 1e20]),
                 np.array([[10, 0, 0], [0, 10, 0], [10, 1e-6, 1e-6]])):
        with pytest.raises(x3mat.X3InvalidCellError):
            x3mat.Structure.from_arrays(cell, [[0, 0, 0]], [6])


def test_devices_fifos_and_directories_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.safetensors"
    os.mkfifo(fifo)
    for path in ("/dev/zero", fifo, tmp_path):
        start = time.monotonic()
        with pytest.raises(x3mat.X3IOError, match="not a regular file|a directory"):
            x3mat.Model.load(path)
        with pytest.raises(x3mat.X3IOError):
            x3mat.Structure.from_cif(path)
        assert time.monotonic() - start < 1


def test_requests_beyond_the_caps_fail_before_allocating():
    s = small_structure()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    centres = np.zeros((2_000_000, 3))
    with pytest.raises(x3mat.X3OutOfMemoryError, match="1000000"):
        at_centres(s, centres, 6.0)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, f"peak memory grew by {grown_mb:.0f} MB"  # 48 MB of them are the centres
    with pytest.raises(x3mat.X3InvalidArgumentError):
        x3mat.windows.sample(s, float("nan"), 2.0)
    with pytest.raises(x3mat.X3OutOfMemoryError):
        x3mat.windows.sample(s, 6.0, 1e-4)                                   # 5e11 windows
    with pytest.raises(x3mat.X3InvalidArgumentError, match="max_windows"):
        x3mat.windows.sample(s, 6.0, 1.0, max_windows=2**40)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(x3mat.X3OutOfMemoryError, match="would hold"):
        x3mat.windows.sample(s, 6.0, 0.02, max_windows=10**8)               # 6.4e7 windows, 2.3e8 atoms
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, f"peak memory grew by {grown_mb:.0f} MB (the centres alone would take 1.5 GB)"
    with pytest.raises(x3mat.X3InvalidArgumentError, match="four threads per CPU"):
        x3mat.set_num_threads(1024)
    huge = {"channels": 4096, "blocks": 256, "ffn_channels": 4096}
    assert x3mat.Model.parameter_count_of(huge) > 2**30
    with pytest.raises(x3mat.X3OutOfMemoryError, match="parameters"):
        x3mat.Model.create(huge)
    assert x3mat.Model.parameter_count_of(TINY) == x3mat.Model.create(TINY).parameter_count
    m = x3mat.Model.create(TINY)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="refinement"):
        m.map(s, refine=(2**31 - 1, 2**31 - 1, 1))


def read_safetensors(path):
    data = path.read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), data[8 + n:], n


def test_model_files_carry_a_zlib_crc32_of_their_tensors(tmp_path):
    """The checksum is Python's zlib.crc32 of the tensor bytes (an independent CRC), and a
    flipped bit in a weight is refused instead of loading silently."""
    path = tmp_path / "m.safetensors"
    x3mat.Model.create(TINY).save(path)
    header, tensors, n = read_safetensors(path)
    assert header["__metadata__"]["checksum"] == f"crc32:{zlib.crc32(tensors):08x}"
    data = bytearray(path.read_bytes())
    data[8 + n + 5] ^= 0x10
    (tmp_path / "flipped.safetensors").write_bytes(bytes(data))
    with pytest.raises(x3mat.X3ParseError, match="checksum"):
        x3mat.Model.load(tmp_path / "flipped.safetensors")


def test_saves_are_atomic_across_threads_and_stale_temporaries_go(tmp_path):
    path = tmp_path / "m.safetensors"
    stale = tmp_path / "m.safetensors.tmp-2147483646-abcdef"   # a process that cannot exist
    live = tmp_path / f"m.safetensors.tmp-{os.getpid()}-ghijkl"  # this process: still writing
    stale.write_bytes(b"half")
    live.write_bytes(b"half")
    models = [x3mat.Model.create(dict(TINY, seed=k)) for k in range(4)]
    errors = []

    def save(m):
        try:
            for _ in range(5):
                m.save(path)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    back = x3mat.Model.load(path)   # whole, and one of the four
    assert back.config["seed"] in range(4)
    assert not stale.exists() and live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, live.name])


def test_caps_are_process_limits_that_callers_can_adjust(shared):
    """The documented defaults, a lower cap refusing what the default reads, and 0
    restoring the default; unknown names and values out of range are errors."""
    defaults = {"cif_max_atoms": 200_000, "cif_max_operations": 1_024, "window_max_count": 1_000_000,
                "window_max_atoms": 100_000_000}
    assert {k: x3mat.get_limit(k) for k in defaults} == defaults
    lta = shared / "iza" / "cif" / "LTA.cif"   # 72 atoms from 48 operators, 216 windows
    try:
        x3mat.set_limit("cif_max_atoms", 50)
        with pytest.raises(x3mat.X3OutOfMemoryError, match="cif_max_atoms"):
            x3mat.Structure.from_cif(lta)
        x3mat.set_limit("cif_max_operations", 10)
        with pytest.raises(x3mat.X3UnsupportedError, match="48 distinct symmetry operators"):
            x3mat.Structure.from_cif(lta)
        x3mat.set_limit("cif_max_atoms", 0)
        x3mat.set_limit("cif_max_operations", 0)
        s = x3mat.Structure.from_cif(lta)
        x3mat.set_limit("window_max_count", 100)
        with pytest.raises(x3mat.X3OutOfMemoryError, match="100 windows"):
            s.windows(6.0, 2.0)
        with pytest.raises(x3mat.X3OutOfMemoryError, match="window_max_count"):
            at_centres(s, np.zeros((101, 3)), 6.0)
        x3mat.set_limit("window_max_count", 0)
        x3mat.set_limit("window_max_atoms", 1000)
        with pytest.raises(x3mat.X3OutOfMemoryError, match="window_max_atoms"):
            s.windows(6.0, 2.0)
    finally:
        for k in defaults:
            x3mat.set_limit(k, 0)
    assert len(s.windows(6.0, 2.0)) == 216
    with pytest.raises(x3mat.X3InvalidArgumentError, match="'cif_max_atoms', 'cif_max_operations'"):
        x3mat.set_limit("max_atoms", 5)
    with pytest.raises(x3mat.X3InvalidArgumentError, match="1...100000000"):
        x3mat.set_limit("cif_max_atoms", 10**9)
