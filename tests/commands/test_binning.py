"""``cli.py bin`` (issue 18 point 4): totals and problems by file and row, here or on Dask."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import h3

import cli
from services.binning import Engine, chosen_engine

HEADER = "account_id,name,lat,lon,segment,tam,revenue,rep_id"
NORTH = h3.latlng_to_cell(45.0, -93.0, 6)


def _files(tmp_path):
    one = tmp_path / "one.csv"
    one.write_text(
        "\n".join([HEADER, "a1,x,45.0,-93.0,A,100.00,10.00,R1", "a2,y,45.0,-93.0,C,1.50,0,R2",
                   "a3,z,44.0,-93.0,Q,5,1,R1"]) + "\n"  # row 4: segment Q
    )  # fmt: skip
    two = tmp_path / "two.csv"
    two.write_text(
        "\n".join([HEADER, "b1,x,44.0,-93.0,B,50,5.5,R1", "b2,y,north,-93.0,B,50,5.5,R1",
                   "b3,z,44.0,-93.0,B,50,5.5,R7"]) + "\n"  # row 3: lat; row 4: rep R7
    )  # fmt: skip
    reps = tmp_path / "reps.csv"
    reps.write_text("rep_id,name,home_lat,home_lon,capacity_hours\nR1,A,45,-93,1000\n"
                    "R2,B,44,-93,1000\n")  # fmt: skip
    return one, two, reps


def _run(capsys, *args):
    code = cli.main(["bin", *map(str, args)])
    return code, capsys.readouterr().out


def test_the_engine_follows_the_threshold_unless_one_is_asked_for():
    assert chosen_engine(10, Engine.AUTO, 10) is Engine.LOCAL
    assert chosen_engine(11, Engine.AUTO, 10) is Engine.DASK
    assert chosen_engine(11, Engine.LOCAL, 10) is Engine.LOCAL
    assert chosen_engine(0, Engine.DASK, 10) is Engine.DASK


def test_bin_sums_the_good_rows_per_cell_and_names_each_bad_row_by_file(tmp_path, capsys):
    one, two, reps = _files(tmp_path)
    out_csv, report = tmp_path / "totals.csv", tmp_path / "problems.csv"
    code, out = _run(capsys, one, two, "--reps", reps, "--resolution", 6, "--engine", "local",
                     "--out", out_csv, "--report", report)  # fmt: skip
    assert code == 1
    assert out.startswith("2 file(s) on local: 6 rows read, 3 summed into 2 cells at resolution 6")
    totals = pd.read_csv(out_csv).set_index("cell")
    assert totals.loc[NORTH, "accounts"] == 2 and totals.loc[NORTH, "tam_cents"] == 10150
    assert totals.loc[NORTH, "segment_A"] == 1 and totals.loc[NORTH, "segment_C"] == 1
    problems = pd.read_csv(report)
    assert list(zip(problems["file"], problems["row"], problems["column"], strict=True)) == [
        ("one.csv", 4, "segment"), ("two.csv", 3, "lat"), ("two.csv", 4, "rep_id"),
    ]  # fmt: skip


def test_above_the_threshold_bin_runs_on_dask_with_the_same_totals(tmp_path, capsys, monkeypatch):
    one, two, reps = _files(tmp_path)
    local_csv, dask_csv = tmp_path / "local.csv", tmp_path / "dask.csv"
    _run(capsys, one, two, "--reps", reps, "--engine", "local", "--out", local_csv)
    monkeypatch.setenv("HEXALIGN_DASK_THRESHOLD_ROWS", "5")  # 6 rows: above it
    code, out = _run(capsys, one, two, "--reps", reps, "--workers", 1, "--out", dask_csv)
    assert code == 1 and " on dask: 6 rows read, 3 summed" in out
    assert "two.csv row 4, column 'rep_id'" in out
    pd.testing.assert_frame_equal(pd.read_csv(dask_csv), pd.read_csv(local_csv))


def test_an_existing_cluster_is_used_when_its_address_is_set(tmp_path, capsys, monkeypatch):
    from distributed import LocalCluster

    one, two, reps = _files(tmp_path)
    local_csv, remote_csv = tmp_path / "local.csv", tmp_path / "remote.csv"
    _run(capsys, one, two, "--reps", reps, "--engine", "local", "--out", local_csv)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:  # fmt: skip
        monkeypatch.setenv("HEXALIGN_DASK_ADDRESS", cluster.scheduler_address)
        code, out = _run(capsys, one, two, "--reps", reps, "--engine", "dask", "--out", remote_csv)
        assert code == 1 and " on dask: 6 rows read, 3 summed" in out
        assert cluster.scheduler.transition_counter > 0  # the work went through this scheduler
    pd.testing.assert_frame_equal(pd.read_csv(remote_csv), pd.read_csv(local_csv))


def test_bin_into_a_data_set_then_metrics_on_it_print_what_the_accounts_file_gives(
    tmp_path, capsys
):
    # issue 18 point 4: the totals kept as a data set, measured by cli.py metrics --scenario
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER, "a1,x,45.0,-93.0,A,100.00,10.00,R1",
                               "a2,y,45.0,-93.0,C,1.50,0,R2", "b1,x,44.0,-93.0,B,50,5.5,R1"])
                    + "\n")  # fmt: skip
    _, _, reps = _files(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code, out = _run(capsys, good, "--reps", reps, "--resolution", 6, "--engine", "local",
                     "--dataset", "binned", "--database", url, "--boundary", "hull")  # fmt: skip
    assert code == 0
    assert "3 summed into 2 cells" in out
    assert "kept as data set 1 'binned': working plan is scenario 2" in out
    assert cli.main(["metrics", "--scenario", "2", "--database", url]) == 0
    on_totals = capsys.readouterr().out
    assert cli.main(["metrics", "--accounts", str(good), "--reps", str(reps), "--resolution", "6",
                     "--boundary", "hull"]) == 0  # fmt: skip
    on_rows = capsys.readouterr().out
    assert on_totals == on_rows
    team = pd.read_csv(io.StringIO(on_totals)).set_index("rep_id")
    # the north cell goes to R1 (a1's A: 52 h) over R2 (a2's C: 3 h): R1 holds all three
    assert team.loc["R1", "accounts"] == 3 and team.loc["R2", "accounts"] == 0
    assert team.loc["TEAM", "disruption_accounts"] == pytest.approx(1 / 3)  # a2 changes owner


def test_bin_into_a_data_set_needs_the_team(tmp_path, capsys):
    one, _, _ = _files(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code = cli.main(["bin", str(one), "--engine", "local", "--dataset", "x", "--database", url])
    assert code == 2
    assert "--dataset needs --reps" in capsys.readouterr().err
