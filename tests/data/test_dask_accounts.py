"""Issue 18 point 4: accounts files read, checked, binned and summed on a 2-worker LocalCluster.

The per-cell totals must equal the single-machine result exactly, and every bad row must be
reported with its file and spreadsheet row, as the importer reports it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.dask_accounts import bin_files_locally, bin_files_on_dask, count_rows, dask_client
from data.importing import ImportOptions, import_accounts
from geo.area import resolution_for
from planning.cell_totals import totals_of_accounts

ROWS_PER_FILE = 4_000
CITIES = ((44.98, -93.27), (41.88, -87.63), (39.10, -94.58), (43.04, -87.91))
REPS = ("R1", "R2", "R3")
# file -> {spreadsheet row: (column, bad value)}; the header is row 1, data starts at row 2
BAD = {
    "part-0.csv": {7: ("lat", "abc"), 1500: ("segment", "Z")},
    "part-1.csv": {2: ("tam", "-5"), 4001: ("rep_id", "R9")},
    "part-2.parquet": {100: ("lat", 95.0)},
    "part-3.csv": {50: ("account_id", "F0-8"), 51: ("account_id", "F2-0")},
}
"""Row 50 of part-3 repeats the id of row 10 of part-0, row 51 that of row 2 of part-2: errors
across files, as a repeated id within one file is."""
ACROSS = {("part-3.csv", 50): "first on row 10 of part-0.csv",
          ("part-3.csv", 51): "first on row 2 of part-2.parquet"}  # fmt: skip
N_BAD = sum(len(bad) for bad in BAD.values())


def _accounts(k: int, rng: np.random.Generator) -> pd.DataFrame:
    lat0, lon0 = CITIES[k]
    n = ROWS_PER_FILE
    return pd.DataFrame(
        {
            "account_id": [f"F{k}-{i}" for i in range(n)],
            "name": [f"Account {k}-{i}" for i in range(n)],
            "lat": np.round(rng.normal(lat0, 1.5, n), 6),
            "lon": np.round(rng.normal(lon0, 1.5, n), 6),
            "segment": rng.choice(["A", "B", "C"], n, p=[0.1, 0.3, 0.6]),
            "tam": np.round(rng.lognormal(11, 1, n), 2),
            "revenue": np.round(rng.lognormal(9, 1, n), 2),
            "rep_id": rng.choice(REPS, n),
            "pinned": rng.random(n) < 0.02,  # issue 18: the groups keep the pins apart
        }
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three CSV files and one Parquet file, with a few bad rows in three of them."""
    folder = tmp_path_factory.mktemp("dask_accounts")
    rng = np.random.default_rng(18)
    paths = []
    for k, (name, bad) in enumerate(BAD.items()):
        frame = _accounts(k, rng)
        path = folder / name
        if path.suffix == ".csv":
            frame = frame.astype(str)
        for row, (column, value) in bad.items():
            frame.loc[row - 2, column] = value
        if path.suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        paths.append(path)
    return paths


def _options() -> ImportOptions:
    return ImportOptions(rep_ids=REPS, exclude_bad_rows=True)


def _one_file(files, folder: Path) -> Path:
    """Every file's rows in one CSV, in file order: what a single machine imports whole."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) if p.suffix == ".csv"
              else pd.read_parquet(p).astype(str) for p in files]  # fmt: skip
    path = folder / "all.csv"
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)
    return path


def test_the_dask_totals_equal_the_single_machine_totals_and_every_bad_row_is_named(
    files, tmp_path
):
    # the single machine: all rows in one file through the importer, summed
    accounts, report = import_accounts(_one_file(files, tmp_path), _options())
    assert len(report.errors) == N_BAD and report.imported == 4 * ROWS_PER_FILE - N_BAD
    resolution = resolution_for(accounts["lat"].to_numpy(), accounts["lon"].to_numpy())
    expected = totals_of_accounts(accounts, resolution)

    with dask_client(n_workers=2, threads_per_worker=1, processes=True) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        result = bin_files_on_dask(files, client, _options())

    assert result.engine == "dask"
    assert result.totals.resolution == resolution  # chosen from the parts' extent
    assert result.totals.equals(expected)
    # issue 18: the groups (cell, owner, pin) and the hull are compared too, so both must be there
    assert result.totals.groups is not None and expected.groups is not None
    assert result.totals.hull is not None and expected.hull is not None
    assert set(result.totals.groups["rep_id"]) == set(REPS)
    assert result.totals.groups["pinned"].any() and len(result.totals.groups) > len(expected.cells)
    assert (result.rows_read, result.imported) == (4 * ROWS_PER_FILE, 4 * ROWS_PER_FILE - N_BAD)
    named = {(source, p.row, p.column) for source, p in result.problems("error")}
    wanted = {(name, row, column) for name, bad in BAD.items() for row, (column, _) in bad.items()}
    assert named == wanted
    assert [r.source for r in result.reports] == list(BAD)
    for source, problem in result.problems("error"):
        if (source, problem.row) in ACROSS:
            assert ACROSS[source, problem.row] in problem.reason
    last = result.reports[-1]
    assert (last.imported, last.excluded, last.excluded_rows) == (ROWS_PER_FILE - 2, 2, (50, 51))


def test_the_local_path_gives_the_same_totals_at_a_given_resolution(files):
    local = bin_files_locally(files, _options(), resolution=6)
    accounts = pd.concat([import_accounts(p, _options())[0] for p in files], ignore_index=True)
    assert local.engine == "local"
    assert len(local.problems("error")) == N_BAD
    accounts = accounts[~accounts["account_id"].duplicated()]  # the later repeats are left out
    assert local.totals.equals(totals_of_accounts(accounts, 6))


def test_without_excluding_bad_rows_a_file_with_a_repeat_from_another_file_is_refused(files):
    twice = [files[3], files[3]]  # no error of its own; the second time every id repeats
    result = bin_files_locally(twice, ImportOptions(rep_ids=REPS), resolution=6)
    assert [r.refused for r in result.reports] == [False, True]
    assert result.imported == ROWS_PER_FILE
    assert len(result.reports[1].errors) == ROWS_PER_FILE
    once = bin_files_locally(twice[:1], ImportOptions(rep_ids=REPS), resolution=6)
    assert result.totals.equals(once.totals)


def test_rows_are_counted_from_line_breaks_and_parquet_footers(files, tmp_path):
    assert count_rows(files) == 4 * ROWS_PER_FILE
    no_break = tmp_path / "short.csv"
    no_break.write_bytes(b"account_id,lat\na,1\nb,2")  # last line without a line break
    assert count_rows([no_break]) == 2


def test_hashes_seen_twice_are_found_whatever_part_and_bucket_they_come_from():
    from data.dask_accounts import hash_buckets, id_hashes, twice_seen

    a = pd.DataFrame({"account_id": ["x", "y", "z", "w"]})
    b = pd.DataFrame({"account_id": ["q", "z", "x"]})
    split_a, split_b = hash_buckets(a, 3), hash_buckets(b, 3)
    assert sum(len(h) for h in split_a) == 4
    found = np.concatenate([twice_seen([split_a[k], split_b[k]]) for k in range(3)])
    expected = id_hashes(pd.DataFrame({"account_id": ["x", "z"]})).to_numpy(np.uint64)
    assert sorted(found.tolist()) == sorted(expected.tolist())
    assert twice_seen([]).size == 0
