"""`x3mat sites`: summary, files, bad input."""
import json
import os
import pathlib
import subprocess

import pytest

CLI = os.environ.get("X3MAT_CLI", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "bin" / "x3mat"))
SHARED = pathlib.Path(os.environ.get("X3MAT_SHARED_DATA",
                                     pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "data"))
pytestmark = pytest.mark.skipif(not (SHARED / "iza").exists(), reason=f"shared data not found at {SHARED}")


def run(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)


def test_sites_of_a_folder_with_files(tmp_path):
    folder = tmp_path / "cifs"
    folder.mkdir()
    for name in ("LTA", "SOD", "FAU"):
        (folder / f"{name}.cif").write_bytes((SHARED / "iza" / "cif" / f"{name}.cif").read_bytes())
    (folder / "broken.cif").write_text("data_broken\n_cell_length_a 5\n")
    out = tmp_path / "out"
    r = run("sites", folder, "--radius", 6, "--step", 2, "--remove", "O:contract", "--top", 3, "--output", out)
    assert r.returncode == 0, r.stderr
    assert "skipped broken.cif" in r.stderr and "broken.cif:" in r.stderr
    assert "3 structures" in r.stdout and "skipped 1 file(s)" in r.stdout
    doc = json.loads((out / "sites.json").read_text())
    assert doc["structures"] == 3 and len(doc["sites"]) == 3
    assert doc["options"]["removal"] == {"O": "contract"}
    assert len(list((out / "sites").glob("*.xyz"))) == 3
    # the summary's first row is the most frequent site
    assert doc["sites"][0]["hash"] in r.stdout


def test_dataset_folder_with_cif_subfolder_and_limit():
    r = run("sites", SHARED / "coremof", "--remove", "H:delete", "--limit", 3, "--top", 2)
    assert r.returncode == 0, r.stderr
    assert "3 structures" in r.stdout


@pytest.mark.parametrize("args,words", [
    (["--remove", "O:squash"], "ELEMENT:delete"),
    (["--remove", "Qq:delete"], "'Qq'"),
    (["--tolerance", 0], "tolerance"),
    (["--iterations", 0], "iterations"),
    (["--digest-size", 65], "digest size"),
])
def test_bad_options(args, words):
    r = run("sites", SHARED / "iza", "--limit", 1, *args)
    assert r.returncode == 1 and words in r.stderr


def test_empty_folder(tmp_path):
    r = run("sites", tmp_path)
    assert r.returncode == 1 and "no .cif files" in r.stderr
