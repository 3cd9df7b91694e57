"""Keep improving a balanced plan: exact subproblems over a few touching territories at a time.

Why: the local search stops improving the chosen objective soon after every
rep is inside tolerance (its single-unit moves stall on a plateau). A
large-neighbourhood search frees the units of two neighbouring reps, lets
HiGHS find the best way to split them between those two (every other unit
and every other rep stays put, so the bands, the cap and contiguity are
checked as in the full model), and keeps the result when it is strictly
better. It goes round the touching pairs until a full pass brings nothing or
time is up (then over each rep with all the reps it touches, so load can
pass along chains); the caller keeps the best plan at any stop.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from planning.optimizer import score
from planning.optimizer.instance import Instance
from planning.optimizer.milp import solve_milp
from planning.optimizer.settings import Settings

SUBPROBLEM_SECONDS = 5.0
"""Most seconds one touching-territories subproblem may take."""

LNS_LIMIT = 20_000
"""Most unit x rep pairs of an instance the search improves this way (the model is built whole,
with the units outside the neighbourhood fixed)."""


def touching_pairs(instance: Instance, owner: np.ndarray) -> list[tuple[int, int]]:
    """Rep pairs whose territories share an edge (every pair without an adjacency)."""
    if instance.adjacency is None:
        reps = range(instance.n_reps)
        return [(a, b) for a in reps for b in reps if a < b]
    a, b = instance.edges
    oa, ob = owner[a], owner[b]
    cut = (oa != ob) & (oa >= 0) & (ob >= 0)
    pairs = {(int(min(x, y)), int(max(x, y))) for x, y in zip(oa[cut], ob[cut], strict=True)}
    return sorted(pairs)


def neighbourhoods(instance: Instance, owner: np.ndarray) -> list[tuple[int, ...]]:
    """Rep sets to re-split: every touching pair, then every rep with all the reps it touches.

    Pairs are cheap and usually enough; a star lets load pass along a chain
    of three or more reps, which no pair can do (one rep gives, the next
    passes on, the last takes).
    """
    pairs = touching_pairs(instance, owner)
    touching: dict[int, set[int]] = {}
    for a, b in pairs:
        touching.setdefault(a, set()).add(b)
        touching.setdefault(b, set()).add(a)
    stars = {tuple(sorted({r, *others})) for r, others in touching.items() if len(others) >= 2}
    return [*pairs, *sorted(stars)]


def improve(
    instance: Instance,
    settings: Settings,
    owner: np.ndarray,
    *,
    deadline: float | None,
    rng: np.random.Generator,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[dict], None] | None = None,
) -> tuple[np.ndarray, int]:
    """The plan improved pair by pair, and how many subproblems improved it.

    ``owner`` must be inside tolerance and keep every rule; every plan kept
    is too (the subproblem enforces them), and strictly better in the
    secondary objective.
    """
    owner = np.array(owner, dtype=np.int64)
    best = float(score.objective(instance, settings, owner).secondary)
    improved = 0
    stale = 0  # pairs tried since the last improvement
    while True:
        sets = neighbourhoods(instance, owner)
        n_pairs = sum(len(group) == 2 for group in sets)
        if not sets:
            return owner, improved
        order = [*rng.permutation(n_pairs).tolist(), *range(n_pairs, len(sets))]
        for i in order:
            if deadline is not None and time.perf_counter() >= deadline:
                return owner, improved
            if should_stop is not None and should_stop():
                return owner, improved
            group = list(sets[i])
            mine = np.isin(owner, group)
            allowed = np.zeros((instance.n_units, instance.n_reps), dtype=bool)
            allowed[np.arange(instance.n_units), owner] = True
            allowed[np.ix_(mine, group)] = True
            limit = SUBPROBLEM_SECONDS
            if deadline is not None:
                limit = min(limit, deadline - time.perf_counter())
            if limit <= 0.05:
                return owner, improved
            solved = solve_milp(instance, settings, time_limit=limit, allowed=allowed, cutoff=best)
            if solved.owner is not None and solved.objective is not None:
                if solved.objective < best - 1e-12:
                    owner, best = solved.owner, solved.objective
                    improved += 1
                    stale = 0
                    if progress is not None:
                        progress({"phase": "improve", "objective": best, "improved": improved})
                    continue
            stale += 1
            if stale >= len(sets):
                return owner, improved
