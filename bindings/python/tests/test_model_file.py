"""Model files through the binding: Python's safetensors reads them (an independent
reader of the format); evaluation gives one contribution per window and the property is
their mean; bad files raise."""
import json

import numpy as np
import pytest

import x3mat

CONFIG = {"channels": 8, "attention_channels": 8, "ffn_channels": 8, "blocks": 1, "targets": ["co2", "ch4"],
          "target_mean": [1.5, -2.0], "target_std": [0.5, 3.0], "seed": 5}


def test_safetensors_reads_the_weights_and_config(tmp_path):
    safetensors = pytest.importorskip("safetensors.numpy")
    from safetensors import safe_open

    m = x3mat.Model.create(CONFIG)
    path = tmp_path / "model.safetensors"
    m.save(path)
    tensors = safetensors.load_file(str(path))
    assert sum(t.size for t in tensors.values()) == m.parameter_count
    assert all(t.dtype == np.float32 for t in tensors.values())
    assert tensors["embedding.node"].shape == (97, 8)
    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata()
    assert meta["format"] == "x3mat-model" and meta["format_version"] == "1"
    config = json.loads(meta["config"])
    assert config["targets"] == ["co2", "ch4"] and config["channels"] == 8
    # reload: same configuration
    assert x3mat.Model.load(path).config == m.config


def test_contributions_and_property(shared):
    m = x3mat.Model.create(CONFIG)
    s = x3mat.Structure.from_cif(shared / "iza" / "cif" / "LTA.cif")
    c, prop = m.contributions(s)
    assert c.shape == (len(s.windows(6.0, 2.0)), 2)
    np.testing.assert_allclose(prop, c.mean(axis=0), rtol=1e-12)
    assert m.predict(s) == pytest.approx({"co2": prop[0], "ch4": prop[1]})
    assert np.isfinite(c).all() and c.std(axis=0).min() > 0


def test_bad_models_raise(tmp_path):
    with pytest.raises(x3mat.X3ParseError, match="unknown configuration key 'chanels'"):
        x3mat.Model.create({"chanels": 8})
    with pytest.raises(x3mat.X3InvalidArgumentError, match="mmax"):
        x3mat.Model.create({"lmax": 2, "mmax": 3})
    path = tmp_path / "m.safetensors"
    x3mat.Model.create(CONFIG).save(path)
    data = path.read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(x3mat.X3ParseError, match="truncated"):
        x3mat.Model.load(tmp_path / "cut.safetensors")
    with pytest.raises(x3mat.X3IOError):
        x3mat.Model.load(tmp_path / "missing.safetensors")
