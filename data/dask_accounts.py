"""Accounts files read, checked, binned to H3 and summed per cell on Dask (issue 18 point 4).

One file is one partition: a worker runs the very importer a single machine runs
(``data.importing.import_accounts``: reading, mapping, every check, the row-numbered
report), bins the rows it lets through and sums them per H3 cell
(``planning.cell_totals``). The per-cell sums of all files are added up with
``dask.dataframe`` (a groupby on the H3 id); they are integers, so the result equals the
single-machine totals exactly, whatever the split and the order. Every file's
``ImportReport`` comes back whole: each bad row with its file and spreadsheet row.

Points are binned by ``h3`` on plain lat/lon columns, so no geometry column is needed and
dask-geopandas is not used. A cluster is a ``LocalCluster`` by default or the scheduler at
an address (``HEXALIGN_DASK_ADDRESS``; ``dask_client``).

An ``account_id`` repeated across files is an error of the later row, as within one file
(``data.file_repeats``): ids are hashed on the workers, only rows whose hash occurs twice
are compared as text. Known limits, said rather than hidden: the swap rule's bulk and the
decimal-mark vote are judged per file. Split a data set into files of up to a few million
rows: a file is read whole by one worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from data.file_repeats import ID_COLUMNS, dropped, kept_rows, repeats_across_files, with_repeats
from data.importing import ImportOptions, ImportReport, import_accounts
from data.validation import Problem
from geo.area import hull_candidates, resolution_for, resolution_of_extent
from geo.cells import latlng_to_cells
from planning.cell_totals import (
    GROUP_KEYS,
    CellTotals,
    empty_groups,
    empty_totals,
    group_rows,
    hull_vertices,
)

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

PART_COLUMNS = (*ID_COLUMNS, "lat", "lon", "segment", "tam", "revenue", "rep_id", "pinned")
"""What a worker keeps of each imported row: its id, file and row, and what binning and
summing need (the owner and the pin too: a market is built on the groups they make)."""
LOCAL_ENGINE = "local"
DASK_ENGINE = "dask"
_COUNT_BLOCK = 16 * 1024 * 1024


@dataclass(frozen=True)
class BinnedAccounts:
    """The per-cell totals of a set of accounts files and the import report of each file.

    Attributes
    ----------
    totals
        The rows every file let through, summed per H3 cell.
    reports
        One ``ImportReport`` per file, in the order the files were given.
    engine
        ``"dask"`` or ``"local"``: where the work ran.
    """

    totals: CellTotals
    reports: tuple[ImportReport, ...]
    engine: str
    seconds: Mapping[str, float] = field(default_factory=dict)
    """Wall time of each step on Dask (import, repeats, extent, sums), for the benchmark."""

    @property
    def rows_read(self) -> int:
        """Data rows in all files."""
        return sum(r.rows_read for r in self.reports)

    @property
    def imported(self) -> int:
        """Rows summed into ``totals``."""
        return sum(r.imported for r in self.reports)

    def problems(self, severity: str | None = None) -> list[tuple[str, Problem]]:
        """Every problem as (file, problem), files in order, rows ascending within a file."""
        return [
            (r.source, p)
            for r in self.reports
            for p in r.problems
            if severity is None or p.severity == severity
        ]


# --- one file: what a worker runs --------------------------------------------------------


def imported_part(
    path: str, options: ImportOptions, file: int = 0
) -> tuple[pd.DataFrame, ImportReport]:
    """Import one file as a single machine does; keep ``PART_COLUMNS`` (``file`` its position)."""
    frame, report = import_accounts(path, options)
    rows = kept_rows(report)
    if len(rows) != len(frame):  # the report and the frame disagree: a bug of ours
        raise RuntimeError(f"{report.source}: {len(frame)} rows imported, {len(rows)} reported")
    part = pd.DataFrame(
        {
            "account_id": frame["account_id"].astype("str"),
            "file": np.full(len(frame), file, np.int32),
            "row": rows,
            **{c: frame[c] for c in PART_COLUMNS[len(ID_COLUMNS) : -2]},
            "rep_id": _column(frame, "rep_id", "string"),
            "pinned": _column(frame, "pinned", "boolean"),
        },
        columns=list(PART_COLUMNS),
    )
    return part.reset_index(drop=True), report


def id_hashes(part: pd.DataFrame) -> pd.Series:
    """A 64-bit hash of each row's ``account_id``: repeats are looked for among these first."""
    hashed = pd.util.hash_pandas_object(part["account_id"], index=False)
    return pd.Series(hashed.to_numpy(np.uint64), name="hash")


def rows_with_hashes(part: pd.DataFrame, hashes: np.ndarray) -> pd.DataFrame:
    """The ``ID_COLUMNS`` of the rows whose id hashes to one of ``hashes``."""
    hit = np.isin(id_hashes(part).to_numpy(np.uint64), hashes)
    return part.loc[hit, list(ID_COLUMNS)]


def _column(frame: pd.DataFrame, name: str, dtype: str) -> pd.Series:
    """An optional column of the imported frame (all missing when the file had none)."""
    if name in frame:
        return frame[name].astype(dtype)
    return pd.Series(pd.array([pd.NA] * len(frame), dtype=dtype), index=frame.index)


def part_totals(part: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """One partition binned at ``resolution`` and summed per group (``GROUP_COLUMNS`` rows)."""
    lat = part["lat"].to_numpy(np.float64)
    lon = part["lon"].to_numpy(np.float64)
    cells = latlng_to_cells(lat, lon, resolution)
    rows = group_rows(cells, part["segment"], part["tam"], part["revenue"], part["rep_id"],
                      part["pinned"])  # fmt: skip
    groups = CellTotals.from_groups(rows, resolution).groups
    return empty_groups() if groups is None else groups


def part_extent(part: pd.DataFrame) -> pd.DataFrame:
    """The partition's hull candidates (lat, lon): the hull of all parts' is the hull of all."""
    xy = np.column_stack([part["lon"].to_numpy(np.float64), part["lat"].to_numpy(np.float64)])
    kept = hull_candidates(xy)
    return pd.DataFrame({"lat": kept[:, 1], "lon": kept[:, 0]})


def _part_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": pd.Series([], dtype="str"),
            "file": pd.Series([], dtype="int32"),
            "row": pd.Series([], dtype="int64"),
            "lat": pd.Series([], dtype="float64"),
            "lon": pd.Series([], dtype="float64"),
            "segment": pd.Series([], dtype="str"),
            "tam": pd.Series([], dtype="float64"),
            "revenue": pd.Series([], dtype="float64"),
            "rep_id": pd.Series([], dtype="string"),
            "pinned": pd.Series([], dtype="boolean"),
        }
    )


# --- the single-machine path -------------------------------------------------------------


def bin_files_locally(
    paths: Sequence[str | os.PathLike[str]],
    options: ImportOptions,
    resolution: int | None = None,
) -> BinnedAccounts:
    """The reference: every file imported in this process, the rows concatenated, summed.

    Without ``resolution`` it is the one ``build_market`` would choose for these accounts.
    """
    frames, reports = [], []
    for k, path in enumerate(paths):
        part, report = imported_part(str(path), options, k)
        frames.append(part)
        reports.append(report)
    accounts = pd.concat(frames, ignore_index=True) if frames else _part_meta()
    refuse = not options.exclude_bad_rows
    repeats = repeats_across_files(accounts[list(ID_COLUMNS)])
    accounts = dropped(accounts, repeats, refuse=refuse)
    done = with_repeats(reports, repeats, refuse=refuse)
    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    if resolution is None:
        if not len(accounts):
            raise ValueError("no account was imported: no resolution to choose")
        resolution = resolution_for(lat, lon)
    return BinnedAccounts(part_totals_of(accounts, resolution), done, LOCAL_ENGINE)


def part_totals_of(accounts: pd.DataFrame, resolution: int) -> CellTotals:
    """``part_totals`` as ``CellTotals``, with the accounts' hull."""
    if not len(accounts):
        return empty_totals(resolution)
    xy = np.column_stack([accounts["lon"].to_numpy(np.float64),
                          accounts["lat"].to_numpy(np.float64)])  # fmt: skip
    return CellTotals.from_groups(part_totals(accounts, resolution), resolution, hull_vertices(xy))


# --- the Dask path -----------------------------------------------------------------------


def bin_files_on_dask(
    paths: Sequence[str | os.PathLike[str]],
    client: Client,
    options: ImportOptions,
    resolution: int | None = None,
) -> BinnedAccounts:
    """``bin_files_locally`` on a Dask cluster: one task per file, the sums added by groupby.

    The imported parts stay on the workers (persisted) between the two passes: the
    extent (when ``resolution`` must be chosen) and the binning.
    """
    import dask
    import dask.dataframe as dd
    from distributed import wait

    if not paths:
        raise ValueError("no accounts file to bin")
    imported = [
        dask.delayed(imported_part, pure=True)(str(p), options, i, dask_key_name=f"import-{i}-{p}")
        for i, p in enumerate(paths)
    ]
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    imported = list(client.persist(imported))
    try:
        wait(imported)  # the steps below need every part; timing them apart costs nothing
        seconds["import"] = time.perf_counter() - start
        frames = [part[0] for part in imported]
        reports = [part[1] for part in imported]
        accounts = dd.from_delayed(frames, meta=_part_meta(), verify_meta=False)
        refuse = not options.exclude_bad_rows
        start = time.perf_counter()
        repeats = _repeats_on_dask(frames, accounts, client)
        seconds["repeats"] = time.perf_counter() - start
        start = time.perf_counter()
        if len(repeats):
            accounts = accounts.map_partitions(dropped, repeats, refuse=refuse, meta=_part_meta())
        # the hull is kept with the totals (a market's tiling follows it), so always measured
        extent = accounts.map_partitions(part_extent, meta={"lat": "f8", "lon": "f8"})
        hull, lat_sum, count = client.compute(
            [extent, accounts["lat"].sum(), accounts["lat"].count()], sync=True
        )
        if resolution is None:
            if not count:
                raise ValueError("no account was imported: no resolution to choose")
            mean_lat = float(lat_sum) / int(count)
            resolution = resolution_of_extent(hull["lat"].to_numpy(), hull["lon"].to_numpy(),
                                              mean_lat)  # fmt: skip
        seconds["extent"] = time.perf_counter() - start
        start = time.perf_counter()
        sums = accounts.map_partitions(part_totals, resolution, meta=empty_groups())
        summed = sums.groupby(list(GROUP_KEYS)).sum()
        frame = client.compute(summed, sync=True)
        done = client.compute(reports, sync=True)  # apart: dask warns on mixed collections
        seconds["sums"] = time.perf_counter() - start
    finally:
        client.cancel(imported)
    xy = np.column_stack([hull["lon"].to_numpy(np.float64), hull["lat"].to_numpy(np.float64)])
    totals = CellTotals.from_groups(frame.reset_index(), resolution, hull_vertices(xy))
    logger.info("dask steps: %s", ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
    return BinnedAccounts(totals, with_repeats(done, repeats, refuse=refuse), DASK_ENGINE, seconds)


def _repeats_on_dask(frames: list[Any], accounts: Any, client: Client) -> pd.DataFrame:
    """``repeats_across_files`` without gathering every id.

    Each part hashes its ids and splits the hashes into buckets by their top bits; one task
    per bucket sorts what every part sent it and keeps the hashes seen twice (numpy arrays, a
    shuffle of 8 bytes a row). Only the rows with those hashes are then fetched and compared
    as text, so a hash collision never makes a false repeat.
    """
    import dask

    n_buckets = max(2, min(64, len(frames)))
    split = [dask.delayed(hash_buckets, pure=True)(f, n_buckets) for f in frames]
    found = [dask.delayed(twice_seen, pure=True)([parts[b] for parts in split])
             for b in range(n_buckets)]  # fmt: skip
    hashes = np.concatenate(client.compute(found, sync=True))
    if not len(hashes):
        return repeats_across_files(pd.DataFrame({c: [] for c in ID_COLUMNS}))
    meta = _part_meta()[list(ID_COLUMNS)]
    candidates = accounts.map_partitions(rows_with_hashes, hashes, meta=meta)
    return repeats_across_files(client.compute(candidates, sync=True))


def hash_buckets(part: pd.DataFrame, n_buckets: int) -> list[np.ndarray]:
    """The part's id hashes split into ``n_buckets`` by value (the same split in every part)."""
    hashes = id_hashes(part).to_numpy(np.uint64)
    bucket = (hashes % np.uint64(n_buckets)).astype(np.int64)
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(n_buckets + 1))
    return [hashes[order[bounds[b] : bounds[b + 1]]] for b in range(n_buckets)]


def twice_seen(arrays: list[np.ndarray]) -> np.ndarray:
    """The values that occur more than once in all ``arrays`` together, each once."""
    values = np.sort(np.concatenate(arrays)) if arrays else np.zeros(0, np.uint64)
    return np.unique(values[1:][values[1:] == values[:-1]])


@contextlib.contextmanager
def dask_client(
    address: str | None = None,
    *,
    n_workers: int | None = None,
    threads_per_worker: int = 1,
    processes: bool = True,
    memory_limit: str | float = "auto",
) -> Iterator[Client]:
    """A client of the scheduler at ``address``, or of a ``LocalCluster`` started (and stopped)
    here: ``n_workers`` processes (default: one per core) of ``threads_per_worker`` threads.

    The checks are Python and pandas work that holds the GIL, so processes with one thread
    each use the cores better than threads.
    """  # noqa: D205
    from distributed import Client, LocalCluster

    if address:
        with Client(address) as client:
            yield client
        return
    cluster_options: dict[str, Any] = {
        "n_workers": n_workers or os.cpu_count() or 1,
        "threads_per_worker": threads_per_worker,
        "processes": processes,
        "memory_limit": memory_limit,
        "dashboard_address": None,
    }
    with LocalCluster(**cluster_options) as cluster, Client(cluster) as client:
        yield client


# --- how big an input is -----------------------------------------------------------------


def count_rows(paths: Iterable[str | os.PathLike[str]]) -> int:
    """Data rows in the files, cheaply: Parquet from its footer, text from its line breaks.

    Other formats (Excel, GeoJSON) count as 0: their readers cap their size well below
    where Dask pays off. A text file's count includes its header line, minus one per file.
    """
    total = 0
    for path in map(Path, paths):
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(path).metadata.num_rows
        elif suffix in (".csv", ".tsv", ".txt"):
            total += max(_line_count(path) - 1, 0)
    return total


def _line_count(path: Path) -> int:
    """Lines in a text file (a last line without a line break counts)."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while block := handle.read(_COUNT_BLOCK):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")
