"""x3mat.screen: here and on a Dask LocalCluster with two worker processes, the same
numbers to the bit as predicting the structures one call at a time; rows written as
partitions finish; resumable after a cut; broken inputs reported, the rest screened."""
import csv
import os
import shutil

import pandas as pd
import pytest

import x3mat

ZEOLITES = ["ABW", "LTA", "SOD", "ANA", "ACO", "AFI", "GIS", "BIK", "EDI", "CAS", "ATN"]


@pytest.fixture
def folder(shared, tmp_path):
    """Eleven zeolites and two broken files in one folder."""
    d = tmp_path / "cifs"
    d.mkdir()
    for z in ZEOLITES:
        shutil.copy(shared / "iza" / "cif" / f"{z}.cif", d / f"{z}.cif")
    (d / "empty.cif").write_text("")
    (d / "nocell.cif").write_text("data_x\n_atom_site_label Si1\n")
    return d


def reference(folder):
    """Each structure predicted alone, with Model.predict_std: {id: {column: value}} over
    the shipped model's value columns (the uptake, and its _std when it is an ensemble)."""
    with x3mat.Model.load("iza-ar-uptake") as m:
        expected = {}
        for z in ZEOLITES:
            prop, std = m.predict_std(folder / f"{z}.cif")
            expected[z] = {c: prop[c] if c in prop else std[c.removesuffix("_std")] for c in m.value_columns}
        return expected


def read_rows(path):
    """The CSV's rows by id, the header's value columns parsed by Python's float (exact for
    a repr)."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        values = [c for c in reader.fieldnames if c not in ("id", "path", "evaluated", "error")]
        return {r["id"]: {c: float(r[c] or "nan") for c in values} for r in reader}


def check(frame, folder, expected):
    values = list(expected[ZEOLITES[0]])
    assert values[0] == "ar_uptake_mol_kg"
    assert list(frame.index) == sorted(ZEOLITES + ["empty", "nocell"])  # the folder's order
    assert list(frame.columns) == ["path", "evaluated", *values, "error"]
    for z in ZEOLITES:
        assert frame.loc[z, values].to_dict() == expected[z]  # to the bit
        assert frame.loc[z, "error"] == "" and frame.loc[z, "evaluated"] > 0
    for bad in ("empty", "nocell"):
        assert frame.loc[bad, values].isna().all() and f"{bad}.cif" in frame.loc[bad, "error"]


def test_screen_here_equals_predict_and_writes_every_row(folder, tmp_path):
    seen = []
    out = tmp_path / "here.csv"
    frame = x3mat.screen(folder, "iza-ar-uptake", output=out, partition_size=4, progress=lambda d, t: seen.append((d, t)))
    expected = reference(folder)
    check(frame, folder, expected)
    assert seen == [(4, 13), (8, 13), (12, 13), (13, 13)]
    written = read_rows(out)
    assert sorted(written) == sorted(frame.index)
    for z in ZEOLITES:
        assert written[z] == expected[z]
    with pytest.raises(FileExistsError):
        x3mat.screen(folder, output=out)


@pytest.mark.parametrize("workers, threads", [(2, 1), (1, 2)])
def test_a_dask_local_cluster_gives_exactly_the_serial_results(folder, tmp_path, workers, threads):
    """Two worker processes; or one worker whose two threads run partitions at the same
    time on the model it loaded once."""
    distributed = pytest.importorskip("distributed")
    serial = x3mat.screen(folder, "iza-ar-uptake", partition_size=3)
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        out = tmp_path / "cluster.csv"
        model = x3mat.Model.load("iza-ar-uptake")
        frame = x3mat.screen(folder, model, client=client, output=out, partition_size=3)
        pids = client.run(os.getpid)
    assert len(set(pids.values())) == workers and os.getpid() not in pids.values()
    pd.testing.assert_frame_equal(frame, serial, check_exact=True)
    check(frame, folder, reference(folder))
    written = read_rows(out)
    assert sorted(written) == sorted(frame.index)  # every row, in the order partitions finished
    for z in ZEOLITES:
        assert written[z] == frame.loc[z, list(written[z])].to_dict()


def test_resume_after_a_cut_skips_what_was_written_and_ends_equal(folder, tmp_path):
    whole = tmp_path / "whole.csv"
    x3mat.screen(folder, output=whole, partition_size=5)
    cut = tmp_path / "cut.csv"
    text = whole.read_bytes()
    cut.write_bytes(text[: text.index(b"\n", len(text) // 2) + 7])  # 7 bytes into a row, as a kill leaves it
    frame = x3mat.screen(folder, output=cut, partition_size=5, resume=True)
    check(frame, folder, reference(folder))
    assert sorted(cut.read_text().splitlines()) == sorted(whole.read_text().splitlines())


def test_inputs_expand_like_the_cli(folder, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("# two of them\ncifs/LTA.cif\n\ncifs/SOD.cif  # sodalite\n")
    assert x3mat.expand_inputs(listing) == [("LTA", str(tmp_path / "cifs" / "LTA.cif")),
                                            ("SOD", str(tmp_path / "cifs" / "SOD.cif"))]
    assert [i for i, _ in x3mat.expand_inputs(str(folder / "A*.cif"))] == ["ABW", "ACO", "AFI", "ANA", "ATN"]
    twin = tmp_path / "twin"
    twin.mkdir()
    shutil.copy(folder / "LTA.cif", twin / "LTA.cif")
    with pytest.raises(ValueError, match="named 'LTA'"):
        x3mat.expand_inputs([folder, twin])
