"""Core benchmark (issue 3): bin, count and move on a 1,000,000-account market.

Figures and targets (docs/benchmarks.md):

- ``bin_1m_accounts_s``: ``latlng_to_cells`` at the default resolution (< 3 s);
  ``market_build_1m_s``: the whole ``build_market``, planning area included.
- ``metrics_full_1m_s``: ``full_tally`` + ``rep_metrics`` + ``team_metrics`` (< 1 s).
- ``move_500_cells_ms``: ``reassign`` of 500 contiguous cells + both metrics,
  median over seeded moves from the same plan (< 20 ms).
- ``peak_rss_1m_mb``: the process's peak resident memory after all of it (< 1,500 MB).
- ``far_points_1m_s``: the implausible-location rule (``geo.outliers``) over the 1M accounts.
- ``demo_area_*`` (issue 11 point 3): the demo's planning area at its resolution 6 on land
  (cells whose centre lies on land in the accounts' countries, ``land``) and on the accounts'
  hull (``hull``): cells, and the median time to build it (``planning_area``; for land the
  boundary from the countries comes first, ``demo_land_boundary_ms``).

Repeated timings report the median; every step also logs to stderr.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable

import numpy as np
import pandas as pd

from benchmarks.synthetic import synthetic_team
from data.boundaries import boundary_for
from data.demo import demo_paths
from geo.area import PlanningArea, planning_area
from geo.cells import latlng_to_cells
from geo.outliers import far_points
from planning.area_choice import AreaChoice, AreaKind
from planning.baseline import baseline_plan
from planning.market import build_market
from planning.metrics import rep_metrics, team_metrics
from planning.plan import Plan, reassign
from planning.tally import full_tally

Figure = tuple[str, float, str]

MOVE_CELLS = 500
MOVE_REPEATS = 20
FULL_REPEATS = 5
BIN_REPEATS = 3


def run(n_accounts: int = 1_000_000, n_reps: int = 50, seed: int = 0) -> list[Figure]:
    """Every core figure, in print order."""
    start = time.perf_counter()
    accounts, reps = synthetic_team(n_accounts, n_reps, seed)
    _log(f"synthetic team: {n_accounts:,} accounts, {n_reps} reps", start)

    start = time.perf_counter()
    market = build_market(accounts, reps)
    build_s = time.perf_counter() - start
    _log(f"market built at resolution {market.area.resolution}", start)

    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    bin_s = _median_seconds(
        lambda _: latlng_to_cells(lat, lon, market.area.resolution), BIN_REPEATS
    )
    _log(f"binning: median of {BIN_REPEATS} = {bin_s:.3f} s")

    start = time.perf_counter()
    plan, _ = baseline_plan(market)
    _log("baseline plan", start)

    def full_recount(_: int) -> None:
        counted = Plan(market, plan.owner, plan.locked, full_tally(market, plan.owner))
        rep_metrics(counted)
        team_metrics(counted)

    full_s = _median_seconds(full_recount, FULL_REPEATS)
    _log(f"full recount: median of {FULL_REPEATS} = {full_s:.3f} s")

    rng = np.random.default_rng(seed)
    moves = [
        (patch(market.area, int(rng.integers(market.n_cells)), MOVE_CELLS),
         int(rng.integers(market.n_reps)))
        for _ in range(MOVE_REPEATS + 1)
    ]  # fmt: skip

    def move(i: int) -> None:
        cells, rep = moves[i]
        after = reassign(plan, cells, rep)
        rep_metrics(after)
        team_metrics(after)

    move(MOVE_REPEATS)  # warm-up, not timed
    move_s = _median_seconds(move, MOVE_REPEATS)
    _log(f"move {MOVE_CELLS} cells: median of {MOVE_REPEATS} = {move_s * 1000:.2f} ms")

    occupied = int(np.count_nonzero(np.bincount(market.account_cell, minlength=market.n_cells)))
    far_s = _median_seconds(lambda _: far_points(lat, lon), BIN_REPEATS)
    _log(f"far-point rule: median of {BIN_REPEATS} = {far_s:.3f} s")
    return [
        ("bin_1m_accounts_s", bin_s, "s"),
        ("market_build_1m_s", build_s, "s"),
        ("metrics_full_1m_s", full_s, "s"),
        ("move_500_cells_ms", move_s * 1000.0, "ms"),
        ("peak_rss_1m_mb", peak_rss_mb(), "MB"),
        ("planning_cells", market.n_cells, "count"),
        ("occupied_cells", occupied, "count"),
        ("resolution", market.area.resolution, "count"),
        ("far_points_1m_s", far_s, "s"),
        *demo_area(),
    ]


def demo_area(resolution: int = 6) -> list[Figure]:
    """The demo's planning area on land and on the hull: cells and build time."""
    accounts = pd.read_csv(demo_paths()[0])
    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    boundary_s = _median_seconds(
        lambda _: boundary_for(AreaChoice(AreaKind.LAND), lat, lon), BIN_REPEATS
    )
    boundary = boundary_for(AreaChoice(AreaKind.LAND), lat, lon)
    land_s = _median_seconds(lambda _: planning_area(lat, lon, resolution, boundary), BIN_REPEATS)
    hull_s = _median_seconds(lambda _: planning_area(lat, lon, resolution), BIN_REPEATS)
    land = planning_area(lat, lon, resolution, boundary)
    hull = planning_area(lat, lon, resolution)
    _log(f"demo area: land {len(land):,} cells, hull {len(hull):,} cells")
    return [
        ("demo_area_cells_land", len(land), "count"),
        ("demo_area_cells_hull", len(hull), "count"),
        ("demo_land_boundary_ms", boundary_s * 1000.0, "ms"),
        ("demo_area_land_ms", land_s * 1000.0, "ms"),
        ("demo_area_hull_ms", hull_s * 1000.0, "ms"),
    ]


def patch(area: PlanningArea, start: int, size: int) -> np.ndarray:
    """Up to ``size`` cells grown breadth first from ``start``: what a lasso selects."""
    seen = {start}
    queue = deque([start])
    while queue and len(seen) < size:
        for n in area.neighbours[queue.popleft()].tolist():
            if n >= 0 and n not in seen and len(seen) < size:
                seen.add(n)
                queue.append(n)
    return np.array(sorted(seen), dtype=np.int64)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _median_seconds(step: Callable[[int], object], repeats: int) -> float:
    """Median wall time of ``step(i)`` for i in 0..repeats-1."""
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _log(message: str, since: float | None = None) -> None:
    took = f" ({time.perf_counter() - since:.2f} s)" if since is not None else ""
    print(f"[core] {message}{took}", file=sys.stderr, flush=True)
