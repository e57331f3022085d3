"""`x3mat windows`: the summary and the extended XYZ file, checked with ASE and against
the Python binding; bad input gives exit status 1 and a message on stderr.

Run by CTest (Tests/CMakeLists.txt) with X3MAT_CLI pointing at build/bin/x3mat.
"""
import os
import pathlib
import subprocess

import numpy as np
import pytest

CLI = os.environ.get("X3MAT_CLI", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "bin" / "x3mat"))
SHARED = pathlib.Path(os.environ.get("X3MAT_SHARED_DATA",
                                     pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "data"))
LTA = SHARED / "iza" / "cif" / "LTA.cif"

pytestmark = pytest.mark.skipif(not LTA.exists(), reason=f"shared data not found at {SHARED}")


def run(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)


def test_summary_numbers_match_the_numpy_brute_force():
    # 216 windows, 8184 atoms, min 0 / mean 37.889 / max 60, one empty window: the
    # independent NumPy brute force of bindings/python/tests/test_windows_reference.py.
    r = run("windows", LTA, "--radius", 6, "--step", 2)
    assert r.returncode == 0, r.stderr
    assert "grid 6 x 6 x 6 = 216 windows" in r.stdout
    assert "8184 gathered; per window min 0, mean 37.889, max 60; 1 empty window" in r.stdout


def test_xyz_output_reads_in_ase_and_equals_the_binding(tmp_path):
    ase_io = pytest.importorskip("ase.io")
    import x3mat

    out = tmp_path / "lta_windows.xyz"
    r = run("windows", LTA, "--radius", 6, "--step", 2, "--output", out)
    assert r.returncode == 0, r.stderr
    frames = ase_io.read(out, index=":", format="extxyz")
    w = x3mat.Structure.from_cif(LTA).windows(6, 2)
    assert len(frames) == len(w) == 216
    for i, (frame, win) in enumerate(zip(frames, w)):
        assert len(frame) == len(win.atomic_numbers)
        assert frame.info["window"] == i
        np.testing.assert_allclose(frame.info["centre"], win.centre, atol=1e-8)
        if len(frame) == 0:
            continue
        assert np.array_equal(frame.numbers, win.atomic_numbers)
        np.testing.assert_allclose(frame.positions, win.positions, atol=5e-9)
        assert np.array_equal(frame.arrays["source"], win.source_atoms)
        assert np.array_equal(frame.arrays["image"], win.images)
    k1, k2, k3 = frames[100].info["grid_index"]
    assert (k1 * 6 + k2) * 6 + k3 == 100


@pytest.mark.parametrize("args,words", [
    (["--radius", 0], "radius"),
    (["--radius", "nan"], "radius"),
    (["--step=-1"], "step"),
    (["--step", 0.001], "cap of 1000000 windows"),
    (["--step", 1, "--max-windows", 100], "cap of 100 windows"),
])
def test_bad_parameters_exit_1_with_a_message(args, words):
    r = run("windows", LTA, *args)
    assert r.returncode == 1
    assert words in r.stderr and "error:" in r.stderr


def test_missing_file_names_the_path(tmp_path):
    r = run("windows", tmp_path / "missing.cif")
    assert r.returncode == 1 and "missing.cif" in r.stderr


def test_unwritable_output_keeps_nothing(tmp_path):
    r = run("windows", LTA, "--output", tmp_path / "no" / "such" / "dir.xyz")
    assert r.returncode == 1 and "dir.xyz" in r.stderr
