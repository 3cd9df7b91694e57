"""Scale benchmark (issue 18 points 3 and 4): 10M accounts in one process, 10M rows on Dask.

Figures and targets (docs/benchmarks.md, docs/scaling.md):

- ``bin_10m_accounts_s``: ``latlng_to_cells`` of 10,000,000 accounts at the market's
  resolution, one run (< 30 s).
- ``market_build_10m_s``: the whole ``build_market`` on the 10M-account / 200-rep team,
  planning area included (< 60 s).
- ``metrics_full_10m_s``: ``full_tally`` + ``rep_metrics`` + ``team_metrics`` (< 1 s).
- ``move_500_cells_10m_ms``: ``reassign`` of 500 contiguous cells + both metrics, median of
  20 seeded moves (< 50 ms).
- ``peak_rss_10m_mb``: peak resident memory of the process after all of the above
  (< 16,384 MB; the machine has 24 GiB).
- ``dask_bin_rows_per_s``: 10,000,000 generated rows in ``DASK_FILES`` Parquet files read,
  checked (the importer's every check), binned and summed per cell by
  ``data.dask_accounts.bin_files_on_dask`` on a LocalCluster of ``DASK_WORKERS`` worker
  processes with one thread each, resolution chosen from the data (> 100,000 rows/s);
  ``dask_bin_10m_s`` is the same run's wall time, cluster start excluded
  (``dask_cluster_start_s``); ``dask_import_s``, ``dask_repeats_s``, ``dask_extent_s`` and
  ``dask_sums_s`` split it: the importer on every file, the cross-file id check, the extent that
  chooses the resolution, binning and summing.
- ``dask_peak_worker_mb``: the largest peak resident memory of a worker process
  (< 4,096 MB).

Each figure is also logged on stderr with its target and whether it is met. The 10M part runs
first and its market is dropped before the Dask part, whose work happens in the workers.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.core import patch, peak_rss_mb
from benchmarks.synthetic import synthetic_team
from data.dask_accounts import bin_files_on_dask, dask_client
from data.importing import ImportOptions
from geo.cells import latlng_to_cells
from planning.baseline import baseline_plan
from planning.market import build_market
from planning.metrics import rep_metrics, team_metrics
from planning.plan import Plan, reassign
from planning.tally import full_tally

Figure = tuple[str, float, str]

MOVE_CELLS = 500
MOVE_REPEATS = 20
DASK_FILES = 10
DASK_WORKERS = 2
# figure -> (comparison, target): printed on stderr beside the figure
TARGETS: dict[str, tuple[str, float]] = {
    "bin_10m_accounts_s": ("<", 30.0),
    "market_build_10m_s": ("<", 60.0),
    "metrics_full_10m_s": ("<", 1.0),
    "move_500_cells_10m_ms": ("<", 50.0),
    "peak_rss_10m_mb": ("<", 16_384.0),
    "dask_bin_rows_per_s": (">", 100_000.0),
    "dask_peak_worker_mb": ("<", 4_096.0),
}


def run(
    n_accounts: int = 10_000_000,
    n_reps: int = 200,
    seed: int = 0,
    dask_rows: int | None = None,
    dask_files: int = DASK_FILES,
) -> list[Figure]:
    """Every scale figure, in print order; ``dask_rows`` defaults to ``n_accounts``."""
    figures = one_machine(n_accounts, n_reps, seed)
    gc.collect()
    figures += on_dask(dask_rows or n_accounts, n_reps, seed, dask_files)
    for figure in figures:
        _log_target(*figure)
    return figures


def one_machine(n_accounts: int, n_reps: int, seed: int) -> list[Figure]:
    """Binning, market build, full metrics and a 500-cell move on one big team."""
    start = time.perf_counter()
    accounts, reps = synthetic_team(n_accounts, n_reps, seed)
    _log(f"synthetic team: {n_accounts:,} accounts, {n_reps} reps", start)

    start = time.perf_counter()
    market = build_market(accounts, reps)
    build_s = time.perf_counter() - start
    _log(f"market built: {market.n_cells:,} cells at resolution {market.area.resolution}", start)

    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    start = time.perf_counter()
    latlng_to_cells(lat, lon, market.area.resolution)
    bin_s = time.perf_counter() - start
    _log("binning", start)
    del accounts, lat, lon

    start = time.perf_counter()
    plan, _ = baseline_plan(market)
    _log("baseline plan", start)

    start = time.perf_counter()
    counted = Plan(market, plan.owner, plan.locked, full_tally(market, plan.owner))
    rep_metrics(counted)
    team_metrics(counted)
    full_s = time.perf_counter() - start
    _log("full recount", start)

    rng = np.random.default_rng(seed)
    moves = [
        (patch(market.area, int(rng.integers(market.n_cells)), MOVE_CELLS),
         int(rng.integers(market.n_reps)))
        for _ in range(MOVE_REPEATS + 1)
    ]  # fmt: skip
    times = []
    for i, (cells, rep) in enumerate(moves):
        start = time.perf_counter()
        after = reassign(plan, cells, rep)
        rep_metrics(after)
        team_metrics(after)
        if i:  # the first is a warm-up
            times.append(time.perf_counter() - start)
    move_ms = float(np.median(times)) * 1000.0
    _log(f"move {MOVE_CELLS} cells: median of {MOVE_REPEATS} = {move_ms:.2f} ms")
    return [
        ("bin_10m_accounts_s", bin_s, "s"),
        ("market_build_10m_s", build_s, "s"),
        ("metrics_full_10m_s", full_s, "s"),
        ("move_500_cells_10m_ms", move_ms, "ms"),
        ("peak_rss_10m_mb", peak_rss_mb(), "MB"),
        ("planning_cells_10m", market.n_cells, "count"),
    ]


def on_dask(n_rows: int, n_reps: int, seed: int, n_files: int) -> list[Figure]:
    """``n_rows`` generated rows in ``n_files`` Parquet files binned on a LocalCluster."""
    with tempfile.TemporaryDirectory(prefix="hexalign-scale-") as folder:
        start = time.perf_counter()
        paths, rep_ids = write_parts(Path(folder), n_rows, n_reps, seed, n_files)
        _log(f"{n_rows:,} rows written to {n_files} Parquet files", start)
        options = ImportOptions(rep_ids=rep_ids, exclude_bad_rows=True)
        start = time.perf_counter()
        with dask_client(n_workers=DASK_WORKERS, threads_per_worker=1) as client:
            cluster_s = time.perf_counter() - start
            _log(f"LocalCluster of {DASK_WORKERS} worker processes", start)
            start = time.perf_counter()
            result = bin_files_on_dask(paths, client, options)
            wall_s = time.perf_counter() - start
            peaks = client.run(_worker_peak_mb)
        _log(f"on Dask: {result.imported:,} rows into {len(result.totals):,} cells", start)
    if result.imported != n_rows:
        raise RuntimeError(f"only {result.imported:,} of {n_rows:,} generated rows were summed")
    return [
        ("dask_bin_rows_per_s", n_rows / wall_s, "rows/s"),
        ("dask_bin_10m_s", wall_s, "s"),
        ("dask_peak_worker_mb", max(peaks.values()), "MB"),
        ("dask_cluster_start_s", cluster_s, "s"),
        *((f"dask_{step}_s", took, "s") for step, took in result.seconds.items()),
        ("dask_cells", len(result.totals), "count"),
    ]


def write_parts(
    folder: Path, n_rows: int, n_reps: int, seed: int, n_files: int
) -> tuple[list[Path], list[str]]:
    """Synthetic accounts in ``n_files`` Parquet files, one team at a time (memory stays low).

    Each file is its own ``synthetic_team`` (seed ``seed + k``) with ids made unique by a
    file prefix; the rep ids are the same in every file.
    """
    paths: list[Path] = []
    rep_ids: list[str] = []
    sizes = np.diff(np.linspace(0, n_rows, n_files + 1).astype(np.int64))
    for k, size in enumerate(sizes.tolist()):
        accounts, reps = synthetic_team(size, n_reps, seed + k)
        accounts["account_id"] = f"P{k}-" + accounts["account_id"]
        path = folder / f"accounts-{k:03d}.parquet"
        accounts.to_parquet(path, index=False)
        paths.append(path)
        rep_ids = reps["rep_id"].astype(str).tolist()
        del accounts
    return paths, rep_ids


def _worker_peak_mb() -> float:
    """A worker's own peak resident memory (run in the worker by ``Client.run``).

    ``VmHWM`` of /proc, not ``ru_maxrss``: a spawned worker inherits the ``ru_maxrss`` of the
    process it was forked from (here, the one that built the 10M market).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _log_target(name: str, value: float, unit: str) -> None:
    if name not in TARGETS:
        return
    op, target = TARGETS[name]
    met = value < target if op == "<" else value > target
    _log(f"{name}: {value:,.3f} {unit} (target {op} {target:,.0f} {unit}: "
         f"{'met' if met else 'NOT met'})")  # fmt: skip


def _log(message: str, since: float | None = None) -> None:
    took = f" ({time.perf_counter() - since:.2f} s)" if since is not None else ""
    load = "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"[scale] {message}{took} [{load}]", file=sys.stderr, flush=True)
