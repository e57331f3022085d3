"""Model.ensemble through the C ABI: an ensemble predicts the members' mean, and its
uncertainty is their sample standard deviation (ddof 1), checked with NumPy against each
member's own predictions, for the property and for every window of the contribution
maps; a spread scale multiplies the uncertainty; it saves as one file and pickles;
members that disagree are refused."""
import pickle

import numpy as np
import pytest

import x3mat

TINY = {"lmax": 1, "mmax": 1, "channels": 8, "attention_channels": 8, "heads": 2, "value_channels_per_head": 4,
        "ffn_channels": 8, "blocks": 1, "radial_basis": 8, "radial_hidden": 8, "edge_embedding": 4,
        "max_neighbours": 8, "readout_hidden": 8, "window_radius": 5.0, "window_step": 4.0,
        "targets": ["a", "b"], "target_mean": [0.0, 0.0], "target_std": [1.0, 2.0]}


def members():
    return [x3mat.Model.create(dict(TINY, seed=s, target_mean=[s, -s])) for s in (1, 2, 3)]


def test_ensemble_predicts_the_members_mean_and_spread(shared, tmp_path):
    ms = members()
    e = x3mat.Model.ensemble(ms)
    assert e.members == 3 and ms[0].members == 1
    assert e.parameter_count == sum(m.parameter_count for m in ms)
    cifs = [shared / "iza" / "cif" / f"{n}.cif" for n in ("LTA", "SOD", "ABW")]
    alone = np.array([[list(m.predict(c).values()) for c in cifs] for m in ms])  # member, structure, target
    assert (alone.std(axis=0) > 0).all()  # the members differ, so the spread is not trivially 0
    for k, c in enumerate(cifs):
        prop, std = e.predict_std(c)
        assert list(prop.values()) == pytest.approx(alone[:, k].mean(axis=0), rel=1e-12)
        assert list(std.values()) == pytest.approx(alone[:, k].std(axis=0, ddof=1), rel=1e-9)
        assert list(e.predict(c).values()) == list(prop.values())
    one = ms[0].predict_std(cifs[0])[1]
    assert all(np.isnan(v) for v in one.values())
    frame = e.predict_many(cifs)
    assert list(frame.columns) == ["a", "b", "a_std", "b_std", "evaluated", "error"]
    assert frame[["a", "b"]].to_numpy() == pytest.approx(alone.mean(axis=0), rel=1e-12)
    assert frame[["a_std", "b_std"]].to_numpy() == pytest.approx(alone.std(axis=0, ddof=1), rel=1e-9)
    assert "a_std" not in ms[0].predict_many(cifs).columns
    # one file; and pickled (as the file's bytes) for multiprocessing and Dask
    e.save(tmp_path / "e.safetensors")
    for back in (x3mat.Model.load(tmp_path / "e.safetensors"), pickle.loads(pickle.dumps(e))):
        assert back.members == 3
        assert back.predict_many(cifs)[["a", "a_std"]].equals(frame[["a", "a_std"]])


def test_ensemble_maps_are_the_members_mean_and_spread_per_window(shared):
    ms = members()
    e = x3mat.Model.ensemble(ms)
    lta = shared / "iza" / "cif" / "LTA.cif"
    for t in ("a", "b"):
        alone = np.array([m.map(lta, t) for m in ms])  # member, k1, k2, k3
        assert alone.std(axis=0).min() > 0
        assert e.map(lta, t) == pytest.approx(alone.mean(axis=0), rel=1e-12)
        assert e.map_std(lta, t) == pytest.approx(alone.std(axis=0, ddof=1), rel=1e-9)
        # refined: the interpolation is linear, so the mean of the refined member maps
        assert e.map(lta, t, refine=2) == pytest.approx(np.mean([m.map(lta, t, refine=2) for m in ms], axis=0),
                                                        rel=1e-9, abs=1e-12)
    assert np.isnan(ms[0].map_std(lta)).all() and ms[0].map_std(lta).shape == ms[0].map(lta).shape


def test_spread_scale_multiplies_the_uncertainty_and_is_saved(shared, tmp_path):
    e = x3mat.Model.ensemble(members())
    assert e.spread_scale == {"a": 1.0, "b": 1.0}
    scaled = e.with_spread_scale({"a": 2.0, "b": 0.5})
    assert scaled.spread_scale == {"a": 2.0, "b": 0.5} and e.spread_scale == {"a": 1.0, "b": 1.0}
    lta = shared / "iza" / "cif" / "LTA.cif"
    (p0, s0), (p1, s1) = e.predict_std(lta), scaled.predict_std(lta)
    assert p1 == p0 and s1["a"] == pytest.approx(2 * s0["a"], rel=1e-15) and s1["b"] == pytest.approx(0.5 * s0["b"], rel=1e-15)
    assert scaled.map_std(lta, "a") == pytest.approx(2 * e.map_std(lta, "a"), rel=1e-15)
    assert e.spread_calibration is None and scaled.spread_calibration == "not recorded"
    assert members()[0].spread_calibration is None
    scaled.save(tmp_path / "s.safetensors")
    back = x3mat.Model.load(tmp_path / "s.safetensors")
    assert back.spread_scale == {"a": 2.0, "b": 0.5} and back.spread_calibration == "not recorded"
    covered = e.with_spread_scale([1.5, 2.5], calibration="coverage")
    covered.save(tmp_path / "c.safetensors")
    back = x3mat.Model.load(tmp_path / "c.safetensors")
    assert back.spread_scale == {"a": 1.5, "b": 2.5} and back.spread_calibration == "coverage"
    with pytest.raises(ValueError, match="likelihood, coverage"):
        e.with_spread_scale([1.5, 2.5], calibration="quantile")
    with pytest.raises(x3mat.X3InvalidArgumentError, match="spread scale"):
        e.with_spread_scale([1.0, 0.0])
    with pytest.raises(x3mat.X3InvalidArgumentError, match="single model"):
        members()[0].with_spread_scale([2.0, 2.0])


def test_members_that_disagree_are_refused(shared):
    ms = members()
    other = x3mat.Model.create(dict(TINY, window_step=3.0))
    with pytest.raises(x3mat.X3InvalidArgumentError, match="share their windows"):
        x3mat.Model.ensemble([ms[0], other])
    with pytest.raises(x3mat.X3InvalidArgumentError, match="predicts c"):
        x3mat.Model.ensemble([ms[0], x3mat.Model.create(dict(TINY, targets=["c", "b"]))])
