"""Seeds for the fuzz targets that have no files of their own (see scripts/fuzz.sh):
`arrays` inputs (a cell, a radius and step, atoms: little-endian doubles and a byte per
atom), `config` inputs (model configuration JSON) and a small `model` file.

    python3 scripts/fuzz_seeds.py build/fuzz
"""
import json
import os
import struct
import sys


def arrays_input(cell, radius, step, atoms):
    out = struct.pack("<9d", *cell) + struct.pack("<2d", radius, step)
    for x, y, z, element in atoms:
        out += struct.pack("<3dB", x, y, z, element)
    return out


def main(out):
    seeds = {
        "arrays": {
            # a cubic cell with a Si-O pair, the paper's window, Cartesian positions
            "cubic_sio": arrays_input([8, 0, 0, 0, 8, 0, 0, 0, 8], 6.0, 2.0, [(0, 0, 0, 14), (1.6, 0, 0, 8)]),
            # a triclinic cell, fractional positions (odd atom count)
            "triclinic": arrays_input([5, 0, 0, 1, 6, 0, 0.5, 1, 7], 4.0, 3.0,
                                      [(0.1, 0.2, 0.3, 6), (0.5, 0.5, 0.5, 1), (0.9, 0.1, 0.4, 30)]),
            # a needle cell and a tiny step (caps must refuse what would be too large)
            "needle": arrays_input([0.6, 0, 0, 0, 50, 0, 0, 0, 50], 8.0, 0.1, [(0, 0, 0, 6), (0.3, 1, 1, 6)]),
        },
        "config": {
            "defaults": b"{}",
            "small": json.dumps({"lmax": 2, "mmax": 1, "channels": 8, "blocks": 1, "targets": ["a", "b"]}).encode(),
            "huge": json.dumps({"lmax": 6, "channels": 4096, "blocks": 4096, "ffn_channels": 4096}).encode(),
            "s2": json.dumps({"activation": "s2", "s2_resolution": 64, "cutoff": 20, "window_radius": 30}).encode(),
        },
    }
    for target, files in seeds.items():
        d = os.path.join(out, f"corpus-{target}")
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(d, f"seed-{name}"), "wb") as f:
                f.write(data)
    # A small model file, so mutations reach the tensor checks.
    try:
        import x3mat
        tiny = {"lmax": 1, "mmax": 1, "channels": 2, "attention_channels": 2, "heads": 1,
                "value_channels_per_head": 2, "ffn_channels": 2, "blocks": 1, "radial_basis": 2,
                "radial_hidden": 2, "edge_embedding": 1, "readout_hidden": 2}
        d = os.path.join(out, "corpus-model")
        os.makedirs(d, exist_ok=True)
        x3mat.Model.create(tiny).save(os.path.join(d, "seed-tiny.safetensors"))
    except ImportError:
        print("fuzz_seeds: the x3mat Python package is not installed; no model seed", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
