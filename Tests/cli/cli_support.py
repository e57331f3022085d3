"""What the CLI tests that train share: the x3mat executable, the shared data, a tiny
model configuration that trains in seconds, and small helpers."""
import csv
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("X3MAT_CLI", str(ROOT / "build" / "bin" / "x3mat"))
SHARED = pathlib.Path(os.environ.get("X3MAT_SHARED_DATA", ROOT / ".." / "shared" / "data"))
needs_shared = pytest.mark.skipif(not (SHARED / "iza").exists(), reason=f"shared data not found at {SHARED}")

# about 5k parameters, few windows (5 Å step)
TINY = {"lmax": 1, "mmax": 1, "channels": 8, "attention_channels": 8, "heads": 2, "value_channels_per_head": 4,
        "ffn_channels": 8, "blocks": 1, "radial_basis": 8, "radial_hidden": 8, "edge_embedding": 4,
        "max_neighbours": 8, "readout_hidden": 8, "window_radius": 5.0, "window_step": 5.0}


def run(*args, **kw):
    """x3mat with these arguments, output captured."""
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=900, **kw)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
