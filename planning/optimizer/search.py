"""The local search: move boundary units until every rep is within tolerance, then tidy up.

One round:

1. recount loads exactly and fix this round's targets;
2. (balance phase) solve :func:`~planning.optimizer.flows.desired_flows` for
   how much load should cross each border, so reps within tolerance pass
   surplus on instead of blocking it;
3. list every candidate move and score it, vectorised: the change in
   imbalance, in the flow still wanted over its border, in cost, cut edges and
   disruption (an empty unit counts as carrying a little, so borders lined
   with empty units still give way, see ``EMPTY_PULL``);
4. walk the improving ones best first from a heap, re-scoring each against
   the loads as they now stand, keeping the donor in one piece, capacity and
   the disruption cap; every move lets the unit's neighbours follow it, so a
   border shifts as far as the flow wants within one round.

Borders the flow wanted but could not cross are priced up for the next
round. When single moves stall: plain descent, then swaps, then a random
shake (iterated local search), keeping the best plan apart. When every rep is
within tolerance the polish phase moves units only while that lowers the
secondary objective without leaving the band. Python-level work is
proportional to candidate moves, not to units.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from planning.optimizer import score
from planning.optimizer.constraints import (
    excess_pieces,
    relaxed_plan,
    relaxed_plan_exists,
    removal_keeps_connected,
)
from planning.optimizer.escapes import EscapeMoves
from planning.optimizer.exact import assignment_count, solve_exact
from planning.optimizer.flows import desired_flows
from planning.optimizer.growth import (
    COMPACT_START_LIMIT,
    compact_start,
    design_start,
    grow,
    home_units,
)
from planning.optimizer.instance import Instance
from planning.optimizer.lns import LNS_LIMIT, improve
from planning.optimizer.milp import relative_gap, solve_milp
from planning.optimizer.moves import (
    Candidates,
    boundary_candidates,
    excess_squared,
    free_candidates,
    neighbour_counts,
    shift,
)
from planning.optimizer.recom import MAX_PASSES, STALE_PASSES, Recombination
from planning.optimizer.repair import merge_fragments
from planning.optimizer.result import BalanceResult, summarize
from planning.optimizer.settings import Settings
from planning.optimizer.shape import (
    PP_GOAL,
    move_creates_corridor,
    neighbour_sets,
    polsby_popper,
    unit_sides,
)

FLOW_MARGIN = 0.8
"""The flows aim at this fraction of the tolerance, so whole units landing a
little long or short still end inside the band."""

PATIENCE = 20
"""Rounds without a better plan before the search gives up; small instances,
whose rounds are cheap, get up to ``PATIENCE_BUDGET / units`` (at most 10x)."""

PATIENCE_BUDGET = 20_000

PLATEAU = 0.01
"""Give up balancing when the best imbalance fell by less than this share over
the last ``patience`` rounds: what is left is usually out of reach (an island
with too many reps, locked units), and the search would only grind."""

GUIDED_STALE = 3
"""Rounds without a better plan after which the flows stop guiding: the search
then descends on the objective alone, swaps, and shakes."""

BLOCKED_ROUNDS = 2
"""A unit whose removal would split its territory is not tried again for this
many further rounds: an articulation point usually stays one, and proving it
costs a search of the part it cuts off."""

SEARCH_LIMIT = 64
"""Units the contiguity check may visit before it cautiously says no. Moves that
keep a territory whole almost always show it within a few steps of the unit."""

CHECK_EVERY = 256
"""Candidates walked between two looks at the clock and ``should_stop``."""

EMPTY_PULL = 0.01
"""In guided rounds, a unit that carries (almost) nothing counts toward the
wanted flow as if it carried this share of an average unit's load. Empty units
(a cell without accounts) often line the borders between territories; moved,
they change no load, so without a pull they would never give way, and the
loaded units behind them would never be reached. The flows still count only
real load, so the pull stops once the load has crossed."""


TIDY_WEIGHT = 20.0
"""How many times the compactness weight counts while borders are tidied (at least 1 x this)."""

TIDY_ROUNDS = 50
"""Most polish rounds of the tidy pass."""

GUIDED_TOUCH = 2
"""Least neighbours in the receiving territory a unit needs to move in a guided round (issue 13
point 3): load crosses borders as fronts; single-contact moves, which grow tentacles, wait for
the unguided rounds."""

RESTART_PATIENCE = 25
"""Restarts in a row without a better plan after which the search stops and says so."""

RECOM_MARGIN = 0.3
"""Seconds before the deadline at which recombination stops, leaving time for the last tidy
pass and the caller's own work (the result, the plan, the metrics)."""

CEILING_NEAR = 0.01
"""A rep within this share below its capacity ceiling counts as at it (stop sentence)."""

SHAPE_SHARE = 0.15
"""Share of the time limit kept for recombination at the end of a search (issue 13 point 3): a
search still off target when its balance time is up gets its shapes mended, balance kept."""

RECOM_SHARE = 0.02
"""Share of the time limit recombination leaves at the end, when that is more than the margin."""

RELAXATION_SECONDS = 5.0
"""Most seconds the LP relaxation behind a stop sentence may take (3-8 s on the demo under load;
without an answer the sentence says only what may help)."""

RESTART_MARGIN = 0.5
"""Seconds before the deadline after which a stalled search no longer restarts."""

LP_START_RESTARTS = 3
"""Restarts after which a search still off target restarts, once, from the LP
relaxation's plan (issue 13 point 3): on the demo under the capacity ceiling it stalls at
11-13 % (TAM) from last quarter's plan and reaches 7.5-9.5 % from the LP's in 50 s."""

LP_START_LEFT = 0.25
"""Least share of the time limit that must be left for the search from the LP's plan."""


class _Stop(Exception):
    """Time is up or the caller asked us to stop."""


def balance(
    instance: Instance,
    settings: Settings | None = None,
    *,
    rng: np.random.Generator | int | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[dict], None] | None = None,
) -> BalanceResult:
    """Balance the reps' territories of ``instance`` as ``settings`` ask.

    Small instances (see ``Settings.exact``) are solved by exhaustive search
    and come back with ``optimal=True``; the others by local search. Either
    way the plan keeps every locked unit, never splits a territory that was in
    one piece (islands aside), respects capacity when it can, and the result
    says in plain words who is still off target and why. A design from
    scratch runs several searches from compact starts and keeps the most
    compact plan (:func:`_design`).

    Parameters
    ----------
    rng
        Seed or generator for tie-breaking; ``settings.seed`` when None. The
        same seed gives the same plan.
    should_stop
        Asked every few hundred candidate moves; when it returns True the best
        plan so far comes back with ``stopped_early=True``.
    progress
        Called after each round with ``iteration``, ``elapsed`` (s),
        ``worst_deviation`` and ``imbalance`` of the best plan so far,
        ``moves`` and ``phase``.
    """
    settings = settings or Settings()
    started = time.perf_counter()
    generator = np.random.default_rng(settings.seed if rng is None else rng)
    for name in settings.balance_names:
        instance.measure_index(name)
    small = assignment_count(instance) <= settings.exact_limit
    if settings.exact is True and not small:
        return _heuristic_then_milp(instance, settings, generator, should_stop, progress, started)
    if settings.exact is True or (settings.exact == "auto" and small):
        deadline = None if settings.time_limit is None else started + settings.time_limit
        chunks = []

        def report(chunk: int, best: np.ndarray) -> None:
            chunks.append(chunk)
            if progress is not None:
                load = score.loads(instance, best)
                dev = score.deviations(load, score.targets(instance, load))
                cols, _ = score.balance_columns(instance, settings)
                progress(
                    {
                        "iteration": chunk,
                        "elapsed": time.perf_counter() - started,
                        "worst_deviation": float(np.abs(dev[:, cols]).max()),
                        "imbalance": float(score.objective(instance, settings, best).imbalance),
                        "moves": 0,
                        "phase": "exact",
                    }
                )

        owner, proven = solve_exact(
            instance, settings, should_stop=should_stop, deadline=deadline, progress=report
        )
        notes = (
            ("optimal (proven by exhaustive search)",)
            if proven
            else ("stopped early (time limit or request); this is the best plan so far",)
        )
        secondary = float(score.objective(instance, settings, owner).secondary)
        return summarize(
            instance,
            settings,
            owner,
            iterations=len(chunks),
            runtime=time.perf_counter() - started,
            stopped_early=not proven,
            optimal=proven,
            notes=notes,
            bound=secondary if proven else None,
        )
    if _multi_start(instance, settings):
        result = _design(instance, settings, generator, should_stop, progress, started)
    else:
        result = _Search(instance, settings, generator, should_stop, progress, started).run()
    if settings.improve:
        result = _improved(instance, settings, result, generator, should_stop, progress, started)
    return _with_bound(instance, settings, result)


DESIGN_STARTS = 2
"""Searches a design from scratch plans for within its time limit, each from its own start
(issue 13 point 3): which territories end up neighbours is settled by the start, and no later
move re-splits more than two at a time, so the most compact of a few starts beats one longer
run. A search that ends early leaves its time to further starts (up to ``DESIGN_MAX_STARTS``)."""

DESIGN_MAX_STARTS = 24
"""Most searches of one design run."""

DESIGN_STALE_PASSES = 16
"""Passes without a better plan that end one search of a design: its recombination walks along
splits as good as the present one (``Recombination.sideways``), and such walks find the lower
cuts late (generated teams: 16 passes reach the nearest-home plan's cut edges, 8 stop short)."""

DESIGN_MIN_SECONDS = 0.5
"""Least seconds a further design start gets; with less left, the best plan so far is kept."""


def _multi_start(instance: Instance, settings: Settings) -> bool:
    """Whether to run a design from several compact starts (see :func:`_design`)."""
    free = int((~instance.locked).sum())
    return (
        settings.mode == "design"
        and settings.contiguity
        and instance.adjacency is not None
        and settings.time_limit is not None
        and settings.max_iterations is None
        and instance.n_reps > 1
        and free * instance.n_reps <= COMPACT_START_LIMIT
    )


def _design(instance, settings, generator, should_stop, progress, started):
    """Design from scratch: searches from several compact starts, the best plan kept.

    Each start is drawn by :func:`~planning.optimizer.growth.compact_start`
    (spread centres, Lloyd rounds of a balanced LP: compact, nearly balanced;
    the homes' growth as a single design did when the LP fails). Each search
    gets the time left over the starts still planned (``DESIGN_STARTS``), so
    one that ends early leaves time for more. Plans compare as
    :func:`_plan_key` says: the cap, pieces, capacity, imbalance, then the
    secondary objective (cut edges, cost).
    """
    cols, _ = score.balance_columns(instance, settings)
    cap_col = (
        score.capacity_measure(instance, settings)
        if settings.max_capacity and instance.capacity is not None
        else -1
    )
    ceiling = score.capacity_ceiling(instance, settings)
    end = started + float(settings.time_limit or 0.0)
    best, best_key, runs = None, None, 0
    while runs < DESIGN_MAX_STARTS:
        now = time.perf_counter()
        left = end - now
        if best is not None and left < DESIGN_MIN_SECONDS:
            break
        share = max(left / max(DESIGN_STARTS - runs, 1), DESIGN_MIN_SECONDS)
        start = compact_start(instance, cols, settings.tolerance, ceiling, cap_col, generator,
                              deadline=now + 0.2 * share)  # fmt: skip
        piece = replace(settings, time_limit=max(share - (time.perf_counter() - now), 0.05))
        search = _Search(instance, piece, generator, should_stop, progress, time.perf_counter(),
                         start=start)  # fmt: skip
        search.stale_passes = DESIGN_STALE_PASSES
        search.sideways = True
        result = search.run()
        runs += 1
        key = _plan_key(instance, settings, result.assignment)
        if best_key is None or key < best_key:
            best, best_key = result, key
        if should_stop is not None and should_stop():
            break
    assert best is not None
    notes = (*_notes_of(best), f"designed from {runs} start(s); the most compact plan is kept")
    return summarize(instance, settings, best.assignment, iterations=best.iterations,
                     moves=best.moves, runtime=time.perf_counter() - started,
                     stopped_early=best.stopped_early, notes=notes)  # fmt: skip


def _improved(instance, settings, result, rng, should_stop, progress, started, until=None):
    """Minimise after feasibility: the search's plan improved by exact two-territory subproblems.

    Only for a plan inside tolerance that keeps every rule, on instances of
    up to ``LNS_LIMIT`` unit x rep pairs, and while the time limit (or
    ``until``) leaves room; ``max_iterations`` asks for a bounded search and
    skips it. A stop request keeps the best plan so far.
    """
    if (
        not result.within_tolerance
        or result.stopped_early
        or settings.max_iterations is not None
        or instance.n_units * instance.n_reps > LNS_LIMIT
        or _plan_key(instance, settings, result.assignment)[:4] != (0.0, 0.0, 0.0, 0.0)
    ):
        return result
    deadline = until
    if deadline is None and settings.time_limit is not None:
        deadline = started + settings.time_limit
    report = None
    if progress is not None:
        callback = progress

        def report(state: dict) -> None:
            # the figures the search reported, so a progress bar does not jump back
            callback({"iteration": result.iterations, "worst_deviation": result.worst_deviation,
                      "imbalance": 0.0, "moves": result.moves,
                      "elapsed": time.perf_counter() - started, **state})  # fmt: skip

    owner, improved = improve(instance, settings, result.assignment, deadline=deadline, rng=rng,
                              should_stop=should_stop, progress=report)  # fmt: skip
    if not improved:
        return result
    notes = (*_notes_of(result), f"improved after balance by {improved} exact "
             "subproblem(s) over touching territories")  # fmt: skip
    return summarize(instance, settings, owner, iterations=result.iterations, moves=result.moves,
                     runtime=time.perf_counter() - started, notes=notes)  # fmt: skip


LP_BOUND_LIMIT = 20_000
"""Most unit x rep pairs for which a search result gets the LP relaxation's bound."""

LP_BOUND_SECONDS = 2.0
"""Most seconds the LP relaxation may take; past that the result has no bound."""


def _with_bound(instance: Instance, settings: Settings, result: BalanceResult) -> BalanceResult:
    """The search's result with the LP relaxation's lower bound beside it, where that is cheap.

    The relaxation drops integrality and contiguity, so its optimum bounds
    every plan inside tolerance from below; on large instances it would take
    longer than the search, and the result goes without.
    """
    if not result.within_tolerance or instance.n_units * instance.n_reps > LP_BOUND_LIMIT:
        return result
    relaxed = solve_milp(instance, settings, time_limit=LP_BOUND_SECONDS, relax=True)
    if relaxed.bound is None or relaxed.status != "optimal":
        return result
    gap = relative_gap(float(result.objective.secondary), relaxed.bound)
    return replace(
        result,
        bound=min(relaxed.bound, float(result.objective.secondary)),
        gap=gap,
        optimal=result.optimal or gap == 0.0,  # a bound met exactly proves the plan optimal
    )


HEURISTIC_SHARE = 0.25
"""Share of the time limit the local search gets before the MILP (``exact=True``)."""

LNS_SHARE = 0.25
"""Further share the subproblems get before the full MILP (``exact=True``)."""

MILP_REACH = 2_000
"""Unit x rep pairs up to which the full MILP usually proves the least cost within seconds here
(200 x 8 in 4-5 s; 500 x 10 found nothing better in 30 s, see docs/decisions/0003)."""

MILP_MAX_PAIRS = 200_000
"""Most unit x rep pairs the full MILP is built for: beyond, its model (and, with travel in a
balanced measure, its R x U x R band coefficients) would take more memory than it is worth."""

LNS_SHARE_BEYOND = 0.6
"""Beyond ``MILP_REACH`` the subproblems, which keep improving there, get this share instead."""


def _heuristic_then_milp(instance, settings, generator, should_stop, progress, started):
    """``exact=True`` beyond exhaustive reach: local search, then HiGHS; keep the better plan.

    The MILP (:func:`~planning.optimizer.milp.solve_milp`) gets the time the
    search left. Its dual bound is reported beside the plan kept, so even when
    time runs out the result says how far from the best possible it may be.
    Plans compare as the search compares them: cap overflow, capacity
    overflow, imbalance, then the secondary objective; ties keep the search's.
    """
    limit = settings.time_limit
    first = replace(settings, exact=False,
                    time_limit=None if limit is None else limit * HEURISTIC_SHARE)  # fmt: skip
    heuristic = _Search(instance, first, generator, should_stop, progress, started).run()
    share = LNS_SHARE if instance.n_units * instance.n_reps <= MILP_REACH else LNS_SHARE_BEYOND
    until = None if limit is None else started + limit * (HEURISTIC_SHARE + share)
    heuristic = _improved(instance, settings, heuristic, generator, should_stop, progress,
                          started, until)  # fmt: skip
    if should_stop is not None and should_stop():
        return heuristic
    remaining = None if limit is None else max(limit - (time.perf_counter() - started), 0.5)
    pairs = instance.n_units * instance.n_reps
    if pairs > MILP_MAX_PAIRS:
        note = (
            f"the instance has {pairs:,} unit x rep pairs, more than the MILP takes here "
            f"({MILP_MAX_PAIRS:,}): this is the local search's plan, without a proven bound"
        )
        return replace(heuristic, messages=(*heuristic.messages, note))
    first_key = _plan_key(instance, settings, heuristic.assignment)
    feasible = first_key[:4] == (0.0, 0.0, 0.0, 0.0)
    solved = solve_milp(instance, settings, time_limit=remaining,
                        cutoff=first_key[4] if feasible else None)  # fmt: skip
    best = heuristic.assignment
    notes = _notes_of(heuristic)
    if solved.owner is not None and _plan_key(instance, settings, solved.owner) < _plan_key(
        instance, settings, heuristic.assignment
    ):
        best, notes = solved.owner, []
    key = _plan_key(instance, settings, best)
    proven = (
        solved.bound is not None
        and key[:4] == (0.0, 0.0, 0.0, 0.0)
        and relative_gap(key[4], solved.bound) == 0.0
    )
    if solved.status == "no better plan":
        notes.append("the MILP proves that no plan beats the local search's")
    elif solved.status == "infeasible":
        notes.append(
            "the MILP proves that no plan keeps every rep within tolerance under these rules"
        )
    elif not proven:
        notes.append(f"MILP: {solved.status} after {solved.runtime:.1f} s")
    if progress is not None:
        progress({"iteration": heuristic.iterations, "elapsed": time.perf_counter() - started,
                  "worst_deviation": heuristic.worst_deviation, "imbalance":
                  float(heuristic.objective.imbalance), "moves": heuristic.moves,
                  "phase": "exact", "bound": solved.bound})  # fmt: skip
    return summarize(
        instance,
        settings,
        best,
        iterations=heuristic.iterations,
        moves=heuristic.moves,
        runtime=time.perf_counter() - started,
        stopped_early=solved.status == "time limit" and not proven,
        optimal=proven,
        notes=tuple(notes),
        bound=solved.bound,
    )


def _notes_of(result: BalanceResult) -> list[str]:
    """The search's own notes in ``result`` (``summarize`` rewrites the statements on the plan)."""
    return [
        m
        for m in result.messages
        if "had no units" in m or m.startswith(("imbalance fell", "stopped:", "restarted"))
    ]


def _plan_key(instance: Instance, settings: Settings, owner: np.ndarray) -> tuple[float, ...]:
    """Cap overflow, pieces beyond one, capacity overflow, imbalance, secondary: lower is better."""
    load = score.loads(instance, owner)
    obj = score.objective(instance, settings, owner, load)
    contiguity = settings.contiguity and instance.adjacency is not None
    return (
        round(float(score.disruption_overflow(instance, settings, owner)), 12),
        float(excess_pieces(instance, owner)) if contiguity else 0.0,
        round(float(score.capacity_overflow(instance, settings, load)), 9),
        float(obj.imbalance),
        round(float(obj.secondary), 12),
    )


class _Search(EscapeMoves):
    """State of one local search; ``run`` returns the result."""

    def __init__(self, instance, settings, generator, should_stop, progress, started, start=None):
        self.instance = instance
        self.start = (
            start  # a plan to start from instead of the mode's own (design: compact starts)
        )
        self.stale_passes = STALE_PASSES  # fruitless recombination passes that end it
        self.sideways = False  # recombination may accept equally good splits (design starts)
        self.cap_bound = False  # the cap bound the plan before its shapes were mended
        self.settings = settings
        self.rng = generator
        self.should_stop = should_stop
        self.progress = progress
        self.started = started
        self.deadline = None if settings.time_limit is None else started + settings.time_limit
        self.contiguity = settings.contiguity and instance.adjacency is not None
        self.movable = ~instance.locked
        self.bal_cols, self.bal_weights = score.balance_columns(instance, settings)
        self.cap_col = (
            score.capacity_measure(instance, settings)
            if settings.max_capacity and instance.capacity is not None
            else -1
        )
        self.ceiling = score.capacity_ceiling(instance, settings)
        self.rebalance = settings.mode == "rebalance"
        self.weight_total = float(instance.disruption_weight[instance.current >= 0].sum()) or 1.0
        self.cost_ref = score.cost_reference(instance)
        self.n_edges = max(len(instance.edges[0]), 1)
        self.patience = int(np.clip(PATIENCE_BUDGET // instance.n_units, PATIENCE, 10 * PATIENCE))
        self.notes: list[str] = []
        self.moves = 0
        self.checks = 0
        self.tally: list[list[float]] | None = None  # loads kept move by move, for tests
        self.round = 0
        self.blocked: dict[int, int] = {}  # unit -> last round its removal is not retried
        self.price = np.ones((instance.n_reps, instance.n_reps))  # of flow along each border
        self.residual: list[list[list[float]]] = []
        self.stop_reason = ""
        self.rep_shape: np.ndarray | None = None  # per-rep weight of border length (tidy)
        self.sides = unit_sides(instance)
        # issue 13 point 3 (h13b): no move may add a one-cell corridor
        self.shapes = self.contiguity and settings.shape_rules
        self.shape_sets = neighbour_sets(instance) if self.shapes else []
        self.shape_active = False  # the rule binds once every rep is within tolerance
        self.recombined = 0  # accepted recombination steps (issue 13 point 3, h13d)
        self.lp_started = False  # restarted once from the LP relaxation's plan

    # -- bookkeeping -------------------------------------------------------

    def _check(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise _Stop
        if self.should_stop is not None and self.should_stop():
            raise _Stop

    def _key(self, owner: np.ndarray) -> tuple[float, float, float, float]:
        """Lexicographic quality: cap overflow, capacity overflow, imbalance, secondary.

        Contiguity is not in it: no move ever splits a territory.
        """
        inst, settings = self.instance, self.settings
        load = score.loads(inst, owner)
        obj = score.objective(inst, settings, owner, load)
        return (
            round(float(score.disruption_overflow(inst, settings, owner)), 12),
            round(float(score.capacity_overflow(inst, settings, load)), 9),
            float(obj.imbalance),
            float(obj.secondary),
        )

    def _start(self) -> np.ndarray:
        inst, settings = self.instance, self.settings
        if self.start is not None:
            owner = np.array(self.start, dtype=np.int64)
        elif settings.mode == "design":
            owner = design_start(inst)
        else:
            owner = inst.current.copy()
            counts = np.bincount(owner[owner >= 0], minlength=inst.n_reps)
            homes = home_units(inst)
            for r in np.flatnonzero(counts == 0).tolist():
                home = int(homes[r])
                cost = inst.disruption_weight[home] if inst.current[home] >= 0 else 0.0
                if inst.locked[home] or cost > self._budget(owner):
                    continue
                owner[home] = r
                self.notes.append(
                    f"rep {inst.rep_label(r)} had no units; started from its home unit "
                    f"{inst.unit_label(home)}"
                )
            if (owner < 0).any():
                owner = grow(inst, owner)
        if self.contiguity and excess_pieces(inst, owner):
            owner = merge_fragments(inst, owner, self._budget(owner))
        return owner

    def _budget(self, owner: np.ndarray) -> float:
        """Disruption weight that may still move under the cap (infinite without one)."""
        if not self.rebalance or self.settings.disruption_cap is None:
            return np.inf
        cap = self.settings.disruption_cap * self.weight_total
        return max(cap - float(score.moved_weight(self.instance, owner)), 0.0)

    # -- the search ----------------------------------------------------------

    def run(self) -> BalanceResult:
        inst, settings = self.instance, self.settings
        # issue 13 point 3 (h13d): the last SHAPE_SHARE of the time goes to shapes, even when
        # balance is still short of the tolerance then
        full_deadline, reserve = self.deadline, 0.0
        if self.shapes and full_deadline is not None and settings.max_iterations is None:
            reserve = SHAPE_SHARE * float(settings.time_limit or 0.0)
            self.deadline = full_deadline - reserve
        owner = self._start()
        best_owner, best_key = owner.copy(), self._key(owner)
        phase, stale, stopped, iteration = "balance", 0, False, 0
        restarts, fruitless, restart_best = 0, 0, best_key
        history: list[float] = []  # best imbalance after each round
        max_rounds = settings.max_iterations if settings.max_iterations is not None else 10**9
        try:
            while iteration < max_rounds:
                self._check()
                iteration += 1
                self.round = iteration
                load = score.loads(inst, owner)
                target = score.targets(inst, load)
                dev = score.deviations(load, target)
                if phase == "balance" and self._balanced(load, dev):
                    phase = "polish"
                    self.shape_active = True
                guided = phase == "balance" and stale < GUIDED_STALE
                moved = self._round(owner, load, target, guide=guided)
                if phase == "balance" and moved == 0 and guided:
                    moved = self._round(owner, load, target, guide=False)
                if phase == "balance" and moved == 0:
                    moved = self._swaps(owner, load, target)
                if phase == "balance" and moved == 0:
                    # A local optimum that is still off target: shake it and go on.
                    moved = self._kick(owner, load)
                key = self._key(owner)
                if key < best_key:
                    best_owner, best_key, stale = owner.copy(), key, 0
                else:
                    stale += 1
                self._report(iteration, best_owner, best_key, phase)
                history.append(best_key[2])
                plateau = (
                    phase == "balance"
                    and len(history) > self.patience
                    and history[-1] > (1 - PLATEAU) * history[-1 - self.patience]
                )
                stuck = moved == 0 or stale >= self.patience or plateau
                if key[:3] < restart_best[:3]:
                    restart_best, fruitless = key, 0
                if stuck and fruitless >= RESTART_PATIENCE:
                    self.stop_reason = f"{RESTART_PATIENCE} restarts in a row found no better plan"
                elif stuck and self._restart_allowed(phase, best_key):
                    # issue 13 point 3 (h13d): first re-split off-target pairs along spanning
                    # trees; a better plan goes on from there without a shake
                    recombined, new_key = self._recombine_balance(best_owner)
                    if new_key < best_key:
                        best_owner, best_key, owner = recombined, new_key, recombined.copy()
                        stale, history, phase = 0, [], "balance"
                        continue
                    if restarts >= LP_START_RESTARTS and self._lp_start_allowed():
                        fresh = self._lp_start()
                        if fresh is not None:
                            owner, fruitless = fresh, 0
                            stale, history, phase = 0, [], "balance"
                            continue
                    # issue 13 point 3 (h13b): never stop early while time remains and the
                    # tolerance is unmet: restart from the best plan with a bigger shake
                    restarts += 1
                    fruitless += 1
                    owner = best_owner.copy()
                    self._shake(owner, restarts)
                    stale, history, phase = 0, [], "balance"
                    continue
                if stuck:
                    if restarts and not self.stop_reason and best_key[2] > 0:
                        self.stop_reason = "time limit reached (restarts used the time)"
                    break
            if best_key[2] > 0:
                best_owner, best_key = self._finish(best_owner, best_key)
            if self.shapes and best_key[:3] == (0.0, 0.0, 0.0):
                best_owner, best_key = self._tidy(best_owner, best_key)
                best_owner, best_key = self._recombine(best_owner, best_key)
            if phase == "balance" and best_key[2] > 0 and (stale >= self.patience or plateau):
                self.notes.append(
                    f"imbalance fell by less than {PLATEAU:.0%} in the last {self.patience} "
                    "rounds; this is the best plan found"
                )
                self.stop_reason = self.stop_reason or "no improving move found"
            elif iteration >= max_rounds:
                self.stop_reason = "round limit reached"
            else:
                self.stop_reason = self.stop_reason or "no improving move found"
        except _Stop:
            stopped = True
            key = self._key(owner)
            if key < best_key:
                best_owner, best_key = owner.copy(), key
            self.stop_reason = self._stop_cause()
        self.deadline = full_deadline
        asked = self.should_stop is not None and self.should_stop()
        if (
            full_deadline is not None
            and reserve
            and not asked
            and time.perf_counter() < full_deadline - RECOM_MARGIN
        ):
            try:
                if best_key[2] > 0 and self.contiguity:  # issue 13 point 3 (h13shape)
                    best_owner, best_key = self._mend_off_target(best_owner, best_key)
                else:
                    best_owner, best_key = self._recombine(best_owner, best_key)
            except _Stop:
                pass
        if stopped:
            self.notes.append("stopped early (time limit or request); this is the best plan so far")
        if restarts:
            self.notes.append(
                f"restarted {restarts} time(s) from the best plan with a random shake"
            )
        self.notes.append(self._stop_sentence(best_owner, best_key))
        return summarize(
            inst,
            settings,
            best_owner,
            iterations=iteration,
            moves=self.moves,
            runtime=time.perf_counter() - self.started,
            stopped_early=stopped,
            notes=tuple(self.notes),
        )

    def _restart_allowed(self, phase: str, best_key: tuple) -> bool:
        """Whether a stalled search should shake and go on: off target, with a clock that runs.

        Without a time limit (or with a round limit) the search stops where it
        stalls, as before; with one, it uses the time it was given.
        """
        if phase != "balance" or best_key[2] <= 0 or self.deadline is None:
            return False
        if self.settings.max_iterations is not None:
            return False
        return time.perf_counter() < self.deadline - RESTART_MARGIN

    def _lp_start_allowed(self) -> bool:
        """Once per rebalance run, with contiguity, a clock, and a quarter of the time left.

        Not in design: there the LP has no plan to stay near (any vertex will
        do), and its rounding may pull reps off the island they live on.
        """
        if self.lp_started or not self.rebalance or not self.contiguity or self.deadline is None:
            return False
        limit = float(self.settings.time_limit or 0.0)
        return self.deadline - time.perf_counter() > LP_START_LEFT * limit

    def _lp_start(self) -> np.ndarray | None:
        """A new start for a search stalled off target: the LP relaxation's plan, pieces joined.

        Where the search starts decides where it stalls. The LP (bands, ceiling
        and cap; the most disruption weight kept with its owner; a vertex, so
        few units split) is rounded to each unit's largest share, and every
        stray piece goes whole to the neighbour it touches most
        (:func:`merge_fragments`), which throws balance far off again (58 % on
        the demo); the search then balances from there. On the demo's TAM under
        the capacity ceiling this reached 9.5 % in 50 s where restarts from last
        quarter's plan stall at 11-13 %, 7.5 % for workload and TAM. None when
        the LP has no plan (or no answer) in ``RELAXATION_SECONDS``.
        """
        self.lp_started = True
        inst = self.instance
        _, shares = relaxed_plan(inst, self.settings, time_limit=RELAXATION_SECONDS,
                                 keep_current=True)  # fmt: skip
        if shares is None:
            return None
        owner = np.argmax(shares, axis=1).astype(np.int64)
        owner[inst.locked] = inst.current[inst.locked]
        start = merge_fragments(inst, owner, self._budget(owner))
        self.notes.append(
            "restarted once from the LP relaxation's plan (territories in pieces, then joined)"
        )
        return start

    def _shake(self, owner: np.ndarray, restarts: int) -> None:
        """A random step away from the best plan, bigger with every restart (up to 30 kicks)."""
        load = score.loads(self.instance, owner)
        for _ in range(min(restarts, 30)):
            self._kick(owner, load)
            load = score.loads(self.instance, owner)

    def _stop_cause(self) -> str:
        """Why a stopped search stopped: the clock or the caller."""
        if self.deadline is not None and time.perf_counter() > self.deadline:
            return "time limit reached"
        return "stopped on request"

    def _stop_sentence(self, owner: np.ndarray, key: tuple) -> str:
        """The "stopped: <why>" sentence with what was still unmet (issue 13 point 3)."""
        load = score.loads(self.instance, owner)
        dev = np.abs(score.deviations(load, score.targets(self.instance, load))[:, self.bal_cols])
        worst = float(dev.max()) if dev.size else 0.0
        reason = self.stop_reason or "no improving move found"
        capped = worst > self.settings.tolerance + 1e-9 and (
            self.cap_bound or self._cap_reached(owner, key)
        )
        if capped:
            # issue 13 point 3 (h13shape): say whether any plan within tolerance keeps the cap
            exists = self._relaxed_exists(with_cap=True)
            head = (
                f"stopped: {reason} with the cap on accounts moved reached and {worst:.1%} worst "
                "deviation left; "
            )
            if exists is False and self._relaxed_exists(with_cap=False):
                return head + (
                    "no plan within tolerance keeps to the cap, not even with territories in "
                    "pieces (LP relaxation): only a higher cap can reach the tolerance"
                )
            if exists is False:
                return head + (
                    "no plan within tolerance exists under these rules even without the cap, "
                    "not even with territories in pieces (LP relaxation)"
                )
            if exists is True:
                return head + (
                    "a plan within tolerance under the cap exists with territories in pieces (LP "
                    "relaxation), the search found none in one piece: more time or a higher cap "
                    "may reach the tolerance"
                )
            return head + "a higher cap may reach the tolerance"
        if (
            worst > self.settings.tolerance + 1e-9
            and self.cap_col >= 0
            and np.isfinite(self.ceiling).any()
        ):
            # issue 13 point 3 (h13d): name the capacity ceiling when reps sit at it; h13shape:
            # say from the LP relaxation whether any plan within tolerance fits under it
            full = load[:, self.cap_col] >= (1 - CEILING_NEAR) * self.ceiling
            name = self.instance.measure_names[self.cap_col]
            exists = self._relaxed_exists(with_cap=True)
            if exists is False and self._relaxed_exists(with_cap=True, with_ceiling=False):
                return (
                    f"stopped: {reason} while {worst:.1%} worst deviation remains: no plan "
                    f"within tolerance keeps every rep under its capacity ceiling of {name}, "
                    "not even with territories in pieces (LP relaxation); without the ceiling "
                    "one exists"
                )
            if full.any():
                head = (
                    f"stopped: {reason} while {worst:.1%} worst deviation remains, with "
                    f"{int(full.sum())} rep(s) at their capacity ceiling of {name}, which keeps "
                    "load from moving to them; "
                )
                if exists is True:
                    return head + (
                        "a plan within tolerance under the ceiling exists with territories in "
                        "pieces (LP relaxation), the search found none in one piece: more time "
                        "or the ceiling lifted may reach the tolerance"
                    )
                return head + "without the capacity ceiling a plan within tolerance may exist"
        if worst > self.settings.tolerance + 1e-9:
            return f"stopped: {reason} while {worst:.1%} worst deviation remains"
        return f"stopped: {reason}, every rep within tolerance"

    def _relaxed_exists(self, *, with_cap: bool, with_ceiling: bool = True) -> bool | None:
        """Whether the bands, the ceiling and (``with_cap``) the cap allow any plan (LP relaxation).

        Asked only for a run that ends off target with the cap or a capacity
        ceiling binding, so that its last sentence can say which rule stops it.
        """
        return relaxed_plan_exists(
            self.instance,
            self.settings,
            with_cap=with_cap,
            with_ceiling=with_ceiling,
            time_limit=RELAXATION_SECONDS,
        )

    def _tidy(self, owner: np.ndarray, key: tuple) -> tuple[np.ndarray, tuple]:
        """Smooth the borders of a plan inside tolerance (issue 13 point 3).

        Polish rounds with compactness weighted ``TIDY_WEIGHT`` times up: a unit
        moves when that shortens borders by more than the accounts it moves
        are worth, never costing balance, the cap or contiguity, and never
        adding a one-cell corridor. Tips of corridors and lace erode first
        (they cut the most edges). The tidied plan is kept while it stays
        inside tolerance and under the cap, even where it moves a few more units.
        """
        saved = self.settings
        self.shape_active = True
        self.settings = replace(
            saved, compactness_weight=max(saved.compactness_weight, 1.0) * TIDY_WEIGHT
        )
        tidied = owner.copy()
        try:
            for _ in range(TIDY_ROUNDS):
                pp = polsby_popper(self.instance, tidied, self.sides)
                pp = np.where(np.isfinite(pp), pp, PP_GOAL)
                self.rep_shape = np.clip((PP_GOAL / np.maximum(pp, 1e-3)) ** 2, 1.0, 100.0)
                load = score.loads(self.instance, tidied)
                if self._round(tidied, load, score.targets(self.instance, load), guide=False) == 0:
                    break
        except _Stop:
            pass
        finally:
            self.settings = saved
            self.rep_shape = None
        new_key = self._key(tidied)
        if new_key[:3] == (0.0, 0.0, 0.0):
            return tidied, new_key
        return owner, key

    def _recombine(self, owner: np.ndarray, key: tuple) -> tuple[np.ndarray, tuple]:
        """Re-split touching pairs along spanning trees until no pass helps (issue 13 point 3).

        :class:`~planning.optimizer.recom.Recombination` trades the secondary
        objective for shape (no territory below the Polsby-Popper floor, no
        one-cell corridor), never balance, the cap or capacity; a last tidy pass
        smooths the new borders (of a plan inside tolerance). After each pass the
        whole plan is checked: a pass that left it worse on the cap, capacity or
        imbalance (travel moves every target) is pulled back by :meth:`_finish`
        or undone. Skipped for a round-bounded search (``max_iterations``).
        """
        if self.settings.max_iterations is not None:
            return owner, key
        recom = Recombination(self.instance, self.settings, self.rng, ceiling=self.ceiling,
                              cap_col=self.cap_col)  # fmt: skip
        recom.sideways = self.sideways
        margin = max(RECOM_MARGIN, RECOM_SHARE * (self.settings.time_limit or 0.0))
        until = None if self.deadline is None else self.deadline - margin
        kept, kept_key = owner, key  # the last plan no worse on the rules and balance
        recombined = owner.copy()
        stale = 0
        try:
            for _ in range(MAX_PASSES):
                if until is not None and time.perf_counter() > until:
                    break
                gained = recom.run(recombined, deadline=until, check=self._check, max_passes=1)
                self.recombined += gained
                new_key = self._key(recombined)
                if new_key[:3] > kept_key[:3]:
                    # travel moved the team total and with it every target: pull the reps back
                    recombined, new_key = self._finish(recombined, new_key)
                improved = new_key < kept_key
                if new_key[:3] <= kept_key[:3] and not excess_pieces(self.instance, recombined):
                    if self.sideways and new_key[3] > kept_key[3]:
                        pass  # a walk may wander; the best plan so far stays kept
                    else:
                        kept, kept_key = recombined.copy(), new_key
                else:
                    recombined = kept.copy()
                stale = 0 if (improved if self.sideways else gained) else stale + 1
                self._report(self.round, kept, kept_key, "shapes")  # the bar keeps moving
                if stale >= self.stale_passes:
                    break
        except _Stop:
            pass
        if kept is owner:
            return owner, key
        deadline, self.deadline = self.deadline, until  # the last tidy leaves the margin too
        try:
            return self._tidy(kept, kept_key)
        finally:
            self.deadline = deadline

    def _cap_reached(self, owner: np.ndarray, key: tuple) -> bool:
        """Whether the cap on accounts moved binds ``owner``: what it leaves moves no unit."""
        inst = self.instance
        if key[0] > 0:
            return True
        if not self.rebalance or self.settings.disruption_cap is None:
            return False
        had = (inst.current >= 0) & ~inst.locked & (owner == inst.current)
        least = float(inst.disruption_weight[had].min()) if had.any() else 0.0
        return self._budget(owner) < max(least, 1e-9 * self.weight_total)

    def _worst(self, owner: np.ndarray) -> float:
        """Worst relative deviation of ``owner`` over the balanced measures."""
        load = score.loads(self.instance, owner)
        dev = score.deviations(load, score.targets(self.instance, load))[:, self.bal_cols]
        return float(np.abs(dev).max()) if dev.size else 0.0

    def _mend_off_target(self, owner: np.ndarray, key: tuple) -> tuple[np.ndarray, tuple]:
        """Shapes of a plan left off target, its worst deviation kept (issue 13 point 3).

        A search that cannot reach the tolerance (a capacity ceiling, a cap)
        ends with the plan of least squared excess, often lace-like: every
        border unit that helped balance went. Here recombination and the tidy
        pass run with the band widened to that plan's worst deviation, so
        every rep may sit anywhere within it: pairs are re-split for shape
        while no rep ends further off than the worst one already was, the cap
        and the ceiling kept. The mended plan is kept when its worst deviation
        is no larger and its least compact territory is more compact.
        """
        worst = self._worst(owner)
        if worst >= 0.99:
            return owner, key
        self.cap_bound = self.cap_bound or self._cap_reached(owner, key)
        saved = self.settings
        self.settings = replace(saved, tolerance=worst + 1e-9)
        try:
            relaxed_key = self._key(owner)
            mended, _ = self._recombine(owner, relaxed_key)
        finally:
            self.settings = saved
        if mended is owner:
            return owner, key
        new_key = self._key(mended)
        pp_before = np.nanmin(polsby_popper(self.instance, owner, self.sides))
        pp_after = np.nanmin(polsby_popper(self.instance, mended, self.sides))
        if (
            new_key[:2] <= key[:2]
            and self._worst(mended) <= worst + 1e-9
            and not excess_pieces(self.instance, mended) > excess_pieces(self.instance, owner)
            and pp_after > pp_before
        ):
            self.notes.append(
                f"shapes mended within the worst deviation left ({worst:.1%}): least "
                f"Polsby-Popper {pp_before:.3f} -> {pp_after:.3f}"
            )
            return mended, new_key
        return owner, key

    def _recombine_balance(self, owner: np.ndarray) -> tuple[np.ndarray, tuple]:
        """One recombination pass over the pairs with a rep off target (a stalled search).

        Whole chunks of two territories change hands along a tree cut, where
        single moves stall (concentrated TAM, a cap on accounts moved that
        leaves only a few units to move). Returns the plan and its key.
        """
        recombined = owner.copy()
        if not self.contiguity or self.settings.max_iterations is not None:
            return recombined, self._key(recombined)
        recom = Recombination(self.instance, self.settings, self.rng, ceiling=self.ceiling,
                              cap_col=self.cap_col)  # fmt: skip
        self.recombined += recom.run(recombined, deadline=self.deadline, check=self._check,
                                     max_passes=1, balance_first=True)  # fmt: skip
        return recombined, self._key(recombined)

    def _finish(self, owner: np.ndarray, key: tuple) -> tuple[np.ndarray, tuple]:
        """Polish the best plan of a search that stalled off target.

        The search may have wandered from its best plan; from there, one guided
        round (to pass load along chains of reps) and plain descent, repeated
        while they help, fix the reps that are off by a hair.
        """
        inst = self.instance
        best_owner, best_key = owner, key
        owner = owner.copy()
        for _ in range(PATIENCE):
            for guide in (True, False, False, False):
                load = score.loads(inst, owner)
                self._round(owner, load, score.targets(inst, load), guide=guide)
            new_key = self._key(owner)
            if not new_key < best_key:
                break
            best_owner, best_key = owner.copy(), new_key
        return best_owner, best_key

    def _balanced(self, load: np.ndarray, dev: np.ndarray) -> bool:
        ok = bool((np.abs(dev[:, self.bal_cols]) <= self.settings.tolerance).all())
        if self.cap_col >= 0:
            ceiling = self.ceiling
            ok &= bool((load[:, self.cap_col] <= ceiling + 1e-9).all())
        return ok

    def _report(self, iteration, best_owner, best_key, phase) -> None:
        if self.progress is None:
            return
        load = score.loads(self.instance, best_owner)
        dev = score.deviations(load, score.targets(self.instance, load))
        self.progress(
            {
                "iteration": iteration,
                "elapsed": time.perf_counter() - self.started,
                "worst_deviation": float(np.abs(dev[:, self.bal_cols]).max()),
                "imbalance": best_key[2],
                "moves": self.moves,
                "phase": phase,
            }
        )

    def _flows(self, pairs: np.ndarray, load, target) -> list[np.ndarray]:
        """Per balanced measure, the ``(R, R)`` net load still wanted from rep a to rep b.

        ``pairs`` are the directed rep pairs ``a * R + b`` a unit may move along.
        """
        inst, tol = self.instance, self.settings.tolerance
        pairs = np.unique(pairs)
        pairs = np.stack([pairs // inst.n_reps, pairs % inst.n_reps], axis=1)
        out = []
        for k in self.bal_cols.tolist():
            # Reps outside the band aim a little inside it; reps inside need only stay there.
            dev = np.abs(score.deviations(load[:, k], target[:, k]))
            aim = np.where(dev > tol, tol * FLOW_MARGIN, tol)
            low, high = target[:, k] * (1 - aim), target[:, k] * (1 + aim)
            if k == self.cap_col:
                high = np.minimum(high, self.ceiling)
            price = self.price[pairs[:, 0], pairs[:, 1]]
            flow = desired_flows(pairs, load[:, k], np.minimum(low, high), high, price)
            net = np.zeros((inst.n_reps, inst.n_reps))
            np.add.at(net, (pairs[:, 0], pairs[:, 1]), flow)
            out.append(net - net.T)
        return out

    def _candidates(self, owner: np.ndarray, load, target, guide: bool):
        """Candidate moves for a round and, when guided, the flows that steer them."""
        inst = self.instance
        n = inst.n_reps
        if self.contiguity:
            moves = boundary_candidates(inst, owner, self.movable)
            if not guide or len(moves) == 0:
                return moves, None
            return moves, self._flows(moves.src * n + moves.dst, load, target)
        if guide:
            # Without contiguity any unit may go to any rep: only pairs the flows want.
            pairs = np.arange(n * n)
            pairs = pairs[pairs // n != pairs % n]
            flows = self._flows(pairs, load, target)
            wanted = np.argwhere(np.any([net > 0 for net in flows], axis=0))
            moves = free_candidates(inst, owner, self.movable, wanted[:, 0], wanted[:, 1])
            return moves, flows
        unit = np.flatnonzero(self.movable)
        ratio = (load / np.maximum(target, 1e-300))[:, self.bal_cols] @ self.bal_weights
        options = [
            np.argmin(inst.cost[unit], axis=1),
            np.where(inst.current[unit] >= 0, inst.current[unit], owner[unit]),
            np.full(len(unit), int(np.argmin(ratio))),
        ]
        units = np.tile(unit, len(options))
        dst = np.concatenate(options)
        key = np.unique(units * n + dst)
        units, dst = np.divmod(key, n)
        keep = owner[units] != dst
        return Candidates(units[keep], owner[units[keep]], dst[keep]), None

    def _round(self, owner: np.ndarray, load, target, *, guide: bool) -> int:
        """One pass over the candidate moves; returns how many were made."""
        inst, settings = self.instance, self.settings
        moves, flows = self._candidates(owner, load, target, guide)
        if len(moves) == 0:
            return 0
        unit, src, dst = moves.unit, moves.src, moves.dst
        give, take = shift(inst, moves)
        cols, tol = self.bal_cols, settings.tolerance
        w = self.bal_weights
        la, lb = load[src][:, cols], load[dst][:, cols]
        ta, tb = target[src][:, cols], target[dst][:, cols]
        imb = score.IMBALANCE_SCALE * (
            (
                excess_squared(la - give[:, cols], ta, tol)
                + excess_squared(lb + take[:, cols], tb, tol)
                - excess_squared(la, ta, tol)
                - excess_squared(lb, tb, tol)
            )
            * w
        ).sum(axis=1)
        same, into = neighbour_counts(inst, owner, moves)
        cost_change = inst.cost[unit, dst] - inst.cost[unit, src]
        static = settings.cost_weight * cost_change / self.cost_ref
        if inst.preference is not None:  # issue 15: experience on contested ground
            static = static + inst.preference[unit, dst] - inst.preference[unit, src]
        if self.rebalance:
            cur = inst.current[unit]
            sign = (cur == src).astype(float) - (cur == dst)
            static = static + settings.disruption_weight * sign * (
                inst.disruption_weight[unit] / self.weight_total
            )
        compact = settings.compactness_weight / self.n_edges
        if self.rep_shape is None:
            total = imb + static + compact * (same - into)
        else:  # tidy: each side's perimeter change weighted by how thin its territory is
            rw, k = self.rep_shape, self.sides
            total = (
                imb + static + compact * 0.5 * (rw[src] * (2 * same - k) + rw[dst] * (k - 2 * into))
            )
        mean_target = np.maximum(target[:, cols].mean(axis=0), 1e-300)
        guide_scale = score.IMBALANCE_SCALE * w / mean_target**2
        if flows is not None:
            mid = np.maximum((give[:, cols] + take[:, cols]) / 2, self._pull(target))
            for j, net in enumerate(flows):
                f = net[src, dst]
                total = total + guide_scale[j] * ((f - mid[:, j]) ** 2 - f**2)
        keep = total < -1e-12
        if flows is not None and self.contiguity:
            keep &= (into >= GUIDED_TOUCH) | (same == 0)
        if flows is None:  # balance strictly first, as in the walk
            keep = (imb < -1e-12) | ((imb <= 1e-12) & keep)
            total = np.where(imb < -1e-12, imb, total)
        if self.cap_col >= 0:
            ceiling = self.ceiling
            keep &= load[dst, self.cap_col] + take[:, self.cap_col] <= ceiling[dst] + 1e-9
        idx = np.flatnonzero(keep)
        if len(idx) == 0:
            return 0
        # Best first, with a thumb on the scale for units mostly surrounded by the
        # receiving rep: borders move as smooth fronts, not as tentacles.
        rank = total * (into + 1) / (same + 1)
        idx = idx[np.lexsort((self.rng.random(len(idx)), rank[idx]))]
        made = self._walk(
            owner, moves, idx, rank, load, target, give, take, static, flows, guide_scale
        )
        if flows is not None:
            self._learn_prices(flows, target)
        return made

    def _pull(self, target: np.ndarray) -> np.ndarray:
        """Least load per balanced measure a move counts as carrying for the flows (EMPTY_PULL)."""
        if not self.contiguity:  # without borders, empty units block nothing
            return np.zeros(len(self.bal_cols))
        return EMPTY_PULL * target[:, self.bal_cols].sum(axis=0) / self.instance.n_units

    def _learn_prices(self, flows: list[np.ndarray], target: np.ndarray) -> None:
        """Make borders dearer where the wanted flow could not cross, cheaper where it did.

        The flows know loads, not shapes: a border whose units all hold their
        territory together, or are locked, carries nothing. Pricing it up lets
        the next flows route around, through reps that can pass the load on.
        """
        wanted = np.zeros_like(self.price)
        moved = np.zeros_like(self.price)
        scale = target[:, self.bal_cols].mean(axis=0)
        for j, net in enumerate(flows):
            wanted += np.maximum(net, 0) / scale[j]
            moved += np.maximum(net - np.array(self.residual[j]), 0) / scale[j]
        stuck = (wanted > 1e-3) & (moved < 0.1 * wanted)
        self.price = np.where(stuck, np.minimum(self.price * 4, 1e3), np.maximum(self.price / 2, 1))

    def _walk(self, owner, moves, idx, rank, load, target, give, take, static, flows, guide_scale):
        """Apply, best first, the candidates that still improve when their turn comes.

        A heap holds the candidates. Every move opens the unit's neighbours to
        the receiving rep, so those join the heap at once: one round can shift
        a border by as many units as the flow wants, not one layer.
        """
        inst, settings = self.instance, self.settings
        neighbours = inst.neighbours
        contiguity, has_adjacency = self.contiguity, inst.adjacency is not None
        owner_list = owner.tolist()
        movable = self.movable.tolist()
        count = np.bincount(owner, minlength=inst.n_reps).tolist()
        L = load.tolist()
        T = target.tolist()
        cols = self.bal_cols.tolist()
        weights = (self.bal_weights * score.IMBALANCE_SCALE).tolist()
        tol = settings.tolerance
        polish = flows is None
        nets = [net.tolist() for net in flows] if flows is not None else []
        pull = self._pull(target).tolist()
        gscale = guide_scale.tolist()
        cap_col = self.cap_col
        capacity = self.ceiling.tolist()
        compact = settings.compactness_weight / self.n_edges
        current = inst.current.tolist()
        dweight = inst.disruption_weight.tolist()
        moved_weight = float(score.moved_weight(inst, owner))
        cap = None
        if self.rebalance and settings.disruption_cap is not None:
            cap = settings.disruption_cap * self.weight_total + 1e-9
        n_measures = inst.n_measures
        cost_measure = inst.cost_measure
        measures = inst.measures
        cost = inst.cost
        cost_scale = settings.cost_weight / self.cost_ref
        preference = inst.preference
        disruption_scale = settings.disruption_weight / self.weight_total if self.rebalance else 0.0
        touched = set()
        blocked = self.blocked
        shapes, shape_sets = self.shapes and self.shape_active, self.shape_sets
        rep_shape = None if self.rep_shape is None else self.rep_shape.tolist()
        sides = self.sides
        made = 0

        def excess(value: float, goal: float) -> float:
            if goal <= 0:
                return 0.0
            d = abs(value / goal - 1.0) - tol
            return d * d if d > 0 else 0.0

        def evaluate(u, a, b, g, t, fixed_part):
            """Change in the round's objective if ``u`` goes a -> b now; None if not allowed."""
            na = nb = 0
            if has_adjacency:
                for v in neighbours[u]:
                    o = owner_list[v]
                    if o == b:
                        nb += 1
                    elif o == a:
                        na += 1
                if contiguity and nb == 0:
                    return None, na, nb
                if nets and nb < GUIDED_TOUCH and na > 0:
                    return None, na, nb  # guided moves grow fronts, not tentacles
            la, lb, ta, tb = L[a], L[b], T[a], T[b]
            imb = 0.0
            for j, k in enumerate(cols):
                imb += weights[j] * (
                    excess(la[k] - g[k], ta[k])
                    + excess(lb[k] + t[k], tb[k])
                    - excess(la[k], ta[k])
                    - excess(lb[k], tb[k])
                )
            if polish:
                # Without flows, balance comes strictly first: any gain in it is
                # taken; otherwise the move must not cost balance and must pay.
                if imb > 1e-12:
                    return None, na, nb
                if imb < -1e-12:
                    return imb, na, nb
            if rep_shape is None:
                delta = imb + fixed_part + compact * (na - nb)
            else:
                delta = (
                    imb
                    + fixed_part
                    + compact
                    * 0.5
                    * (rep_shape[a] * (2 * na - sides) + rep_shape[b] * (sides - 2 * nb))
                )
            if nets:
                for j, k in enumerate(cols):
                    f = nets[j][a][b]
                    m = max((g[k] + t[k]) / 2, pull[j])
                    delta += gscale[j] * ((f - m) ** 2 - f * f)
            return delta, na, nb

        def opened(u, b):
            """Candidates the move of ``u`` to ``b`` creates: its neighbours may follow it."""
            for v in neighbours[u]:
                a = owner_list[v]
                if a == b or a < 0 or not movable[v] or v in touched:
                    continue
                g = measures[v].tolist()
                t = list(g)
                if cost_measure >= 0:
                    g[cost_measure] += cost[v, a]
                    t[cost_measure] += cost[v, b]
                fixed_part = cost_scale * float(cost[v, b] - cost[v, a])
                if preference is not None:  # issue 15
                    fixed_part += float(preference[v, b] - preference[v, a])
                cv = current[v]
                if disruption_scale and cv >= 0:
                    fixed_part += disruption_scale * dweight[v] * ((cv == a) - (cv == b))
                delta, na, nb = evaluate(v, a, b, g, t, fixed_part)
                if delta is not None and delta < -1e-12:
                    rank = delta * (nb + 1) / (na + 1)
                    heapq.heappush(heap, (rank, next(sequence), v, a, b, g, t, fixed_part))

        sequence = itertools.count(len(idx))  # ties go to the earlier candidate
        heap = list(
            zip(
                rank[idx].tolist(),
                range(len(idx)),
                moves.unit[idx].tolist(),
                moves.src[idx].tolist(),
                moves.dst[idx].tolist(),
                give[idx].tolist(),
                take[idx].tolist(),
                static[idx].tolist(),
                strict=True,
            )
        )
        heapq.heapify(heap)
        while heap:
            _, _, u, a, b, g, t, fixed_part = heapq.heappop(heap)
            self.checks += 1
            if self.checks % CHECK_EVERY == 0:
                self._check()
            if u in touched or owner_list[u] != a or count[a] <= 1:
                continue
            delta, na, _ = evaluate(u, a, b, g, t, fixed_part)
            if delta is None or delta >= -1e-12:
                continue
            if cap_col >= 0 and L[b][cap_col] + t[cap_col] > capacity[b] + 1e-9:
                continue
            change = 0.0
            cu = current[u]
            if cu >= 0:
                change = dweight[u] * ((cu != b) - (cu != a))
            if cap is not None and change > 0 and moved_weight + change > cap:
                continue
            if contiguity and na >= 2:
                if blocked.get(u, -1) >= self.round:
                    continue
                if not removal_keeps_connected(neighbours, owner_list, u, SEARCH_LIMIT):
                    blocked[u] = self.round + BLOCKED_ROUNDS
                    continue
            if shapes and move_creates_corridor(neighbours, shape_sets, owner_list, u, b):
                continue
            owner_list[u] = b
            owner[u] = b
            count[a] -= 1
            count[b] += 1
            la, lb = L[a], L[b]
            for k in range(n_measures):
                la[k] -= g[k]
                lb[k] += t[k]
            for j, k in enumerate(cols):
                if nets:
                    m = (g[k] + t[k]) / 2
                    nets[j][a][b] -= m
                    nets[j][b][a] += m
            moved_weight += change
            touched.add(u)
            made += 1
            self.moves += 1
            if contiguity:
                opened(u, b)
        self.tally = L
        self.residual = nets
        return made
