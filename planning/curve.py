"""The trade-off curve of a scenario (issue 17 point 2): best plans from "move nothing" to balance.

A simple, honest construction: the optimizer is run from the current plan with a sequence
of caps on the accounts it may move (0 %, 1 %, 2 %, 5 %, 10 %, 20 % of the planned accounts
beyond what the plan already moves against last quarter, then no cap) at a tight tolerance,
and with no cap at a few looser tolerances; the current plan itself is the "move nothing"
end. Every plan is measured as the metrics measure it (``team_metrics``: worst workload
deviation, travel hours) plus the accounts whose owner differs from the current plan, and
only the Pareto front is kept, once against accounts moved and once against travel hours.
On each front, a point further right is strictly better balanced: the curve is monotone.

Each point carries the optimizer's proven lower bound and gap where it gives one (the
exact solver's bound on its secondary objective, at that cap and tolerance); None where it
proved nothing, which is said, not guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from planning import disruption
from planning.autobalance import balance_plan
from planning.metrics import team_metrics
from planning.optimizer import BalanceResult, Settings
from planning.plan import Plan

CAPS: tuple[float | None, ...] = (0.0, 0.01, 0.02, 0.05, 0.10, 0.20, None)
"""Accounts the optimizer may move, as a share of the planned accounts, beyond the plan's own."""
TIGHT = 0.01
"""The tolerance of the capped runs: balance pushed as far as the cap allows."""
LOOSE: tuple[float, ...] = (0.10, 0.05, 0.02)
"""Tolerances of the uncapped runs: coarser balance, fewer moves."""
TIME_LIMIT = 10.0


@dataclass(frozen=True, eq=False)
class CurvePoint:
    """One plan on the curve and its figures (as ``cli.py metrics`` prints them).

    ``cap`` and ``tolerance`` are what the run asked (None, None: the current plan);
    ``worst_deviation`` is the absolute worst workload deviation, ``travel_hours`` the team's,
    ``accounts_moved`` the accounts whose owner differs from the current plan, and
    ``moved_accounts`` those that differ from last quarter (the metrics' ``moved_accounts``).
    """

    cap: float | None
    tolerance: float | None
    worst_deviation: float
    travel_hours: float
    accounts_moved: int
    moved_accounts: int
    bound: float | None
    gap: float | None
    owner: np.ndarray = field(repr=False)

    def label(self) -> str:
        """How the point was asked for, in words."""
        if self.tolerance is None:
            return "current plan (move nothing)"
        cap = "no cap" if self.cap is None else f"cap {self.cap:.0%}"
        return f"{cap}, tolerance {self.tolerance:.0%}"


@dataclass(frozen=True, eq=False)
class Curve:
    """Every plan measured, and the two Pareto fronts (indices into ``points``, left to right)."""

    points: list[CurvePoint]
    by_moved: list[int]
    by_travel: list[int]
    stopped_early: bool = False

    def front(self, axis: str = "moved") -> list[CurvePoint]:
        """The points of one front, fewest accounts moved (or least travel) first."""
        return [self.points[i] for i in (self.by_moved if axis == "moved" else self.by_travel)]


def runs(caps: tuple[float | None, ...] = CAPS) -> list[tuple[float | None, float]]:
    """The (cap, tolerance) pairs asked, in order."""
    return [(cap, TIGHT) for cap in caps] + [(None, tol) for tol in LOOSE]


def measure(
    plan: Plan,
    current: Plan,
    cap: float | None,
    tolerance: float | None,
    result: BalanceResult | None = None,
) -> CurvePoint:
    """One plan's figures, as the metrics compute them."""
    team = team_metrics(plan)
    a, b = current.account_owner(), plan.account_owner()
    return CurvePoint(
        cap=cap, tolerance=tolerance,
        worst_deviation=abs(float(team["workload_worst_deviation"])),
        travel_hours=float(team["travel_hours"]),
        accounts_moved=int((a != b).sum()),
        moved_accounts=int(team["moved_accounts"]),
        bound=None if result is None or result.bound is None else float(result.bound),
        gap=None if result is None or result.gap is None else float(result.gap),
        owner=plan.owner,
    )  # fmt: skip


def pareto(points: list[CurvePoint], x: Callable[[CurvePoint], float]) -> list[int]:
    """Indices of the points no other beats on both ``x`` and worst deviation, by ``x``.

    >>> P = lambda w, m: CurvePoint(None, None, w, 0.0, m, 0, None, None, np.zeros(0))
    >>> points = [P(0.5, 0), P(0.3, 10), P(0.4, 20), P(0.1, 30), P(0.1, 40)]
    >>> pareto(points, lambda p: p.accounts_moved)
    [0, 1, 3]
    """
    order = sorted(range(len(points)), key=lambda i: (x(points[i]), points[i].worst_deviation))
    front: list[int] = []
    best = np.inf
    for i in order:
        if points[i].worst_deviation < best - 1e-12:
            front.append(i)
            best = points[i].worst_deviation
    return front


def tradeoff_curve(
    plan: Plan,
    *,
    caps: tuple[float | None, ...] = CAPS,
    time_limit: float = TIME_LIMIT,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Curve:
    """Run the optimizer at every (cap, tolerance) and keep the Pareto fronts.

    ``should_stop`` ends the sequence between runs (and asks the running one to stop with
    its best plan); the points found so far are kept. ``progress(fraction, text)`` is told
    after every run.
    """
    asked = runs(caps)
    already = disruption.moved_share(plan.market, plan.owner)
    points = [measure(plan, plan, None, None)]
    stopped = False
    for k, (cap, tol) in enumerate(asked):
        if should_stop is not None and should_stop():
            stopped = True
            break
        if progress is not None:
            progress(k / len(asked), f"run {k + 1} of {len(asked)}: {_words(cap, tol)}")
        settings = Settings(
            balance=(("workload", 1.0),), tolerance=tol, mode="rebalance", seed=seed,
            time_limit=time_limit, max_capacity=False,
            disruption_cap=None if cap is None else min(1.0, already + cap),
        )  # fmt: skip
        proposal, result = balance_plan(plan, settings, rng=seed, should_stop=should_stop)
        if any(np.array_equal(proposal.owner, p.owner) for p in points):
            continue  # the same plan again (cap 0, or a cap the run did not need)
        points.append(measure(proposal, plan, cap, tol, result))
    if progress is not None:
        progress(1.0, f"{len(points)} plans measured")
    return Curve(
        points,
        pareto(points, lambda p: p.accounts_moved),
        pareto(points, lambda p: p.travel_hours),
        stopped,
    )


def _words(cap: float | None, tol: float) -> str:
    return f"{'no cap' if cap is None else f'cap {cap:.0%}'}, tolerance {tol:.0%}"
