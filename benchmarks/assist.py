"""Help-while-editing benchmark (issue 17): suggestions after a move, and the trade-off curve.

Figures (docs/benchmarks.md):

- ``demo_suggest_ms``: ``planning.suggestions.suggest`` on the demo after a hand move (one
  rep's cells near a neighbour given to it), median of repeats (target < 300 ms);
- ``large_suggest_ms``: the same on the 1M-account synthetic team (``synthetic_team``, 50
  reps, the market's default resolution) after a similar move (target < 1,000 ms);
- ``curve_points`` and ``curve_runtime_s``: ``planning.curve.tradeoff_curve`` on the demo
  (points on the Pareto front, and the whole run's wall time).

Times are of the pure computation, server side, without the store's read.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from benchmarks.balance import demo_baseline
from benchmarks.synthetic import synthetic_team
from planning.baseline import baseline_plan
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


def run(n_accounts: int = 1_000_000, n_reps: int = 50, seed: int = 0) -> list[Figure]:
    """Every assist figure, in print order."""
    from planning.curve import tradeoff_curve

    moved, focus = hand_move(demo_baseline())
    demo_ms, demo_found = suggest_ms(moved, focus)
    _log(f"demo: {demo_found} suggestions in {demo_ms:.1f} ms")
    accounts, reps = synthetic_team(n_accounts, n_reps, seed)
    plan, _ = baseline_plan(build_market(accounts, reps))
    _log(f"large: {plan.market.n_cells:,} cells, {len(accounts):,} accounts")
    moved_large, focus_large = hand_move(plan)
    large_ms, large_found = suggest_ms(moved_large, focus_large)
    _log(f"large: {large_found} suggestions in {large_ms:.1f} ms")
    start = time.perf_counter()
    curve = tradeoff_curve(demo_baseline())
    curve_s = time.perf_counter() - start
    return [
        ("demo_suggest_ms", demo_ms, "ms"),
        ("demo_suggestions", demo_found, "count"),
        ("large_suggest_ms", large_ms, "ms"),
        ("large_suggestions", large_found, "count"),
        ("large_cells", plan.market.n_cells, "count"),
        ("curve_points", len(curve.points), "count"),
        ("curve_runtime_s", curve_s, "s"),
    ]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
