"""Models by name and their cards (`x3mat models`, `x3mat info MODEL`, `x3mat card`), and
one vocabulary across the commands (--model/-m, --output/-o).

Run by CTest (Tests/CMakeLists.txt) with X3MAT_CLI pointing at build/bin/x3mat."""
import csv
import json
import os
import pathlib
import re
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("X3MAT_CLI", str(ROOT / "build" / "bin" / "x3mat"))
MODELS = ROOT / "models"
SHIPPED = ["iza-ar-uptake", "qmof-band-gap", "coremof-co2-ch4"]


def run(*args, env=None):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=300, env=env)


def test_models_lists_the_shipped_models_with_units():
    r = run("models")
    assert r.returncode == 0, r.stderr
    for name in SHIPPED:
        assert re.search(rf"^  {re.escape(name)} ", r.stdout, re.M), r.stdout
    assert "ar_uptake_mol_kg (mol/kg)" in r.stdout and "band_gap_eV (eV)" in r.stdout


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_cards_state_the_metrics_of_their_held_out_predictions(name):
    # The card's metrics, recomputed with NumPy from NAME.predictions.csv (the model's
    # predictions for its held-out structures: a test set, or validation when the split has
    # none), the training size from NAME.split.csv and the held-out size from
    # NAME.predictions.csv.
    card = json.loads(run("card", name).stdout)
    rows = list(csv.DictReader(open(MODELS / f"{name}.predictions.csv")))
    split = list(csv.DictReader(open(MODELS / f"{name}.split.csv")))
    sets = [r["set"] for r in split]
    held_set = "test" if "test" in sets else "validation"  # the card names the set its metrics are on
    for t in card["targets"]:
        y = np.array([float(r[t["name"] + "_true"]) for r in rows])
        p = np.array([float(r[t["name"] + "_predicted"]) for r in rows])
        assert set(t) == {"name", "unit", "conditions", "strong", held_set}
        v = t[held_set]
        assert v["mae"] == pytest.approx(np.abs(p - y).mean(), rel=1e-12)
        assert v["rmse"] == pytest.approx(np.sqrt(((p - y) ** 2).mean()), rel=1e-12)
        assert v["r2"] == pytest.approx(1 - ((p - y) ** 2).sum() / ((y - y.mean()) ** 2).sum(), rel=1e-12)
        assert t["strong"] in ("high", "low") and t["unit"]
    d = card["training_data"]
    assert (d["structures"], d["training"], d[held_set]) == (len(sets), sets.count("train"), len(rows))
    held_out = {r["id"] for r in split if r["set"] != "train"}
    assert {r["id"] for r in rows} <= held_out  # measured only on structures it was not trained on
    assert d["licence"] and d["source"]
    info = run("info", name)
    assert info.returncode == 0 and card["description"] in info.stdout and d["licence"] in info.stdout
    assert f"{held_set} MAE {card['targets'][0][held_set]['mae']:.3f}" in info.stdout
    assert f"{len(rows)} {held_set}" in info.stdout


def test_a_card_is_set_checked_and_printed(tmp_path):
    card = json.loads(run("card", "iza-ar-uptake").stdout)
    card["description"] = "my zeolite model"
    card["targets"][0]["strong"] = "low"
    (tmp_path / "card.json").write_text(json.dumps(card))
    out = tmp_path / "mine.safetensors"
    r = run("card", "iza-ar-uptake", "--set", tmp_path / "card.json", "-o", out)
    assert r.returncode == 0, r.stderr
    assert json.loads(run("card", out).stdout) == card
    assert "my zeolite model" in run("info", out).stdout
    # a card whose metrics are on a validation set (the only name cards had before `test`)
    old = json.loads(json.dumps(card))
    old["training_data"]["validation"] = old["training_data"].pop("test")
    for t in old["targets"]:
        t["validation"] = t.pop("test")
    (tmp_path / "old.json").write_text(json.dumps(old))
    r = run("card", "iza-ar-uptake", "--set", tmp_path / "old.json", "-o", tmp_path / "old.safetensors")
    assert r.returncode == 0 and json.loads(run("card", tmp_path / "old.safetensors").stdout) == old, r.stderr
    assert f"validation MAE {old['targets'][0]['validation']['mae']:.3f}" in run("info", tmp_path / "old.safetensors").stdout
    # the same predictions: only the card changed
    cif = ROOT / ".." / "shared" / "data" / "iza" / "cif" / "LTA.cif"
    if cif.exists():
        a = run("predict", cif, "-m", "iza-ar-uptake", "--top", 0).stdout.splitlines()[-1]
        b = run("predict", cif, "-m", out, "--top", 0).stdout.splitlines()[-1]
        assert a == b
    # cards that do not fit the model, or are malformed, are refused with the key named
    for change, words in [(lambda c: c["targets"][0].update(name="co2"), "differ from the model's targets"),
                          (lambda c: c["targets"][0].update(strong="up"), "'strong' is 'up'"),
                          (lambda c: c.update(colour="blue"), "unknown key 'colour'"),
                          (lambda c: c["training_data"].update(training=1000), "exceed structures"),
                          (lambda c: c.pop("description"), "'description' is missing"),
                          (lambda c: c["training_data"].update(validation=10), "exactly one of 'test' or 'validation'"),
                          (lambda c: c["targets"][0].update(validation=c["targets"][0].pop("test")),
                           "metrics on 'validation', but 'training_data' holds out 'test'")]:
        bad = json.loads(json.dumps(card))
        change(bad)
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        r = run("card", "iza-ar-uptake", "--set", tmp_path / "bad.json", "-o", tmp_path / "bad.safetensors")
        assert r.returncode == 1 and words in r.stderr, r.stderr
        assert not (tmp_path / "bad.safetensors").exists()


def test_model_path_folders_come_first(tmp_path):
    r = run("card", "iza-ar-uptake")
    card = json.loads(r.stdout)
    card["description"] = "shadowing copy"
    (tmp_path / "card.json").write_text(json.dumps(card))
    run("card", "iza-ar-uptake", "--set", tmp_path / "card.json", "-o", tmp_path / "iza-ar-uptake.safetensors")
    env = dict(os.environ, X3MAT_MODEL_PATH=str(tmp_path))
    assert "shadowing copy" in run("info", "iza-ar-uptake", env=env).stdout
    listing = run("models", env=env).stdout
    assert listing.index(str(tmp_path)) < listing.index("hidden by the folder above")


COMMANDS = ["predict", "screen", "explain", "sites", "train", "evaluate", "models", "info", "card", "windows", "convert", "runtime"]


@pytest.mark.parametrize("command", COMMANDS)
def test_one_vocabulary_for_models_and_outputs(command):
    text = run(command, "--help").stdout
    assert "--out " not in text and "--out," not in text
    if "--output" in text:
        assert "-o, --output" in text, text
    if re.search(r"--model\b", text):
        assert "-m, --model" in text, text
    assert "[default:" not in text


def test_top_level_help_shows_the_main_job():
    text = run("--help").stdout
    assert "x3mat predict LTA.cif" in text
    for c in COMMANDS:
        assert re.search(rf"^\s+{c}\b", text, re.M), c
