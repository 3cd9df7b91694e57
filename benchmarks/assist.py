"""Help-while-editing benchmark (issue 17): suggestions after a move, and the trade-off curve.

Figures (docs/benchmarks.md):

- ``demo_suggest_ms``: ``planning.suggestions.suggest`` on the demo after a hand move (one
  rep's cells near a neighbour given to it), median of repeats (target < 300 ms);
- ``large_suggest_ms``: the same on the 1M-account synthetic team (``synthetic_team``, 50
  reps, the market's default resolution) after a similar move (target < 1,000 ms);
- ``curve_points`` and ``curve_runtime_s``: ``planning.curve.tradeoff_curve`` on the demo
  (plans on the Pareto front against accounts moved, "move nothing" included, and the
  whole run's wall time, each optimizer run at most ``planning.curve.TIME_LIMIT`` s).

``demo_suggest_ms`` and ``large_suggest_ms`` time the pure computation;
``*_suggest_service_ms`` the whole service call (``services.suggestions.suggestions``: the
scenario read from a SQLite store, the last move's reps, the computation), board memoised as
in a running worker.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.balance import demo_baseline
from benchmarks.synthetic import synthetic_team
from data.demo import demo_paths
from data.validation import load_accounts, load_reps
from planning.baseline import baseline_plan
from planning.callplan import default_call_plan
from planning.curve import TIME_LIMIT, tradeoff_curve
from planning.market import build_market
from planning.plan import Plan, reassign
from planning.suggestions import suggest

Figure = tuple[str, float, str]
REPEATS = 5


def hand_move(plan: Plan, size: int = 30) -> tuple[Plan, tuple[int, ...]]:
    """A typical hand move: ``size`` cells of the most loaded rep's border to a neighbour."""
    nb = plan.market.area.neighbours
    owner = plan.owner
    ring = np.where(nb >= 0, owner[np.maximum(nb, 0)], -1)
    border = np.flatnonzero(((ring >= 0) & (ring != owner[:, None])).any(axis=1) & (owner >= 0))
    cell = int(border[len(border) // 2])
    giver = int(owner[cell])
    receiver = int(next(r for r in ring[cell] if r >= 0 and r != giver))
    cells = [cell]
    frontier = [cell]
    while frontier and len(cells) < size:
        c = frontier.pop(0)
        for n in nb[c].tolist():
            if n >= 0 and owner[n] == giver and n not in cells and len(cells) < size:
                cells.append(n)
                frontier.append(n)
    return reassign(plan, np.array(cells), receiver), (giver, receiver)


def suggest_ms(plan: Plan, focus: tuple[int, ...]) -> tuple[float, int]:
    """Median milliseconds of ``suggest`` and how many suggestions it gave."""
    times, found = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        found = len(suggest(plan, focus=focus))
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times), found


def service_suggest_ms(accounts: pd.DataFrame, reps: pd.DataFrame) -> float:
    """Median ms of ``services.suggestions.suggestions`` (store read included) after a move.

    The team is stored in a throwaway SQLite file as the app stores it (default call plan,
    the market's own resolution, the hull); the board is built once (memoised per worker, as
    in the app), then each call reads the scenario from the store and computes.
    """
    from services import editing, suggestions

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'assist.sqlite'}"
        _, sid = editing.ensure_scenarios(url, "assist", accounts, reps, default_call_plan())
        _, plan, version = editing.load(url, sid)
        moved, _ = hand_move(plan)
        cells = np.flatnonzero(moved.owner != plan.owner)
        editing.apply(url, sid, version, "move", cells, int(moved.owner[cells[0]]))
        suggestions.suggestions(url, sid)  # the first call builds nothing new: board memoised
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            suggestions.suggestions(url, sid)
            times.append((time.perf_counter() - start) * 1000.0)
        editing.open_store.cache_clear()
        editing.board.cache_clear()
    return statistics.median(times)


def run(
    n_accounts: int = 1_000_000,
    n_reps: int = 50,
    seed: int = 0,
    demo_resolution: int | None = None,
    curve_time_limit: float = TIME_LIMIT,
) -> list[Figure]:
    """Every assist figure, in print order (smaller sizes and limits for the smoke test)."""
    moved, focus = hand_move(demo_baseline(demo_resolution))
    demo_ms, demo_found = suggest_ms(moved, focus)
    _log(f"demo: {demo_found} suggestions in {demo_ms:.1f} ms")
    accounts, reps = synthetic_team(n_accounts, n_reps, seed)
    plan, _ = baseline_plan(build_market(accounts, reps))
    _log(f"large: {plan.market.n_cells:,} cells, {len(accounts):,} accounts")
    moved_large, focus_large = hand_move(plan)
    large_ms, large_found = suggest_ms(moved_large, focus_large)
    _log(f"large: {large_found} suggestions in {large_ms:.1f} ms")
    large_service_ms = service_suggest_ms(accounts, reps)
    _log(f"large through the store: {large_service_ms:.1f} ms")
    demo_accounts, demo_reps = demo_frames()
    demo_service_ms = service_suggest_ms(demo_accounts, demo_reps)
    _log(f"demo through the store: {demo_service_ms:.1f} ms")
    start = time.perf_counter()
    curve = tradeoff_curve(demo_baseline(demo_resolution), time_limit=curve_time_limit)
    curve_s = time.perf_counter() - start
    return [
        ("demo_suggest_ms", demo_ms, "ms"),
        ("demo_suggestions", demo_found, "count"),
        ("demo_suggest_service_ms", demo_service_ms, "ms"),
        ("large_suggest_ms", large_ms, "ms"),
        ("large_suggest_service_ms", large_service_ms, "ms"),
        ("large_suggestions", large_found, "count"),
        ("large_cells", plan.market.n_cells, "count"),
        ("curve_points", len(curve.by_moved), "count"),
        ("curve_plans_measured", len(curve.points), "count"),
        ("curve_runtime_s", curve_s, "s"),
    ]


def demo_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo's accounts and reps as the app reads them."""
    accounts_path, reps_path = demo_paths()
    reps = load_reps(reps_path)
    return load_accounts(accounts_path, rep_ids=list(reps["rep_id"])), reps


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
