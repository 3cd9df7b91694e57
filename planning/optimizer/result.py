"""What ``balance`` hands back: the plan, its figures, and plain statements about it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning.optimizer import score
from planning.optimizer.constraints import territory_pieces
from planning.optimizer.instance import Instance
from planning.optimizer.milp import relative_gap
from planning.optimizer.settings import Settings
from planning.optimizer.shape import (
    MIN_POLSBY_POPPER,
    corridor_units,
    edge_share,
    inland_polsby_popper,
    polsby_popper,
    regular_tiling,
)


@dataclass(frozen=True)
class OffTarget:
    """One rep outside tolerance on one balanced measure."""

    rep: int
    rep_id: str
    measure: str
    load: float
    target: float
    deviation: float

    def __str__(self) -> str:
        side = "over" if self.deviation > 0 else "under"
        return (
            f"rep {self.rep_id} is {abs(self.deviation):.1%} {side} its {self.measure} target "
            f"({self.load:,.1f} against {self.target:,.1f})"
        )


@dataclass(frozen=True, eq=False)
class BalanceResult:
    """A balanced plan and how good it is.

    ``loads``, ``targets`` and ``deviations`` are ``(R, M)`` over every
    measure; ``worst_deviation`` and ``cv`` look only at the balanced ones
    (``cv`` is the largest, over those measures, coefficient of variation of
    load / target). ``disruption`` is the share of disruption weight that
    changed owner. ``optimal`` is True only when exhaustive search or the MILP
    proved it (gap zero). ``bound`` is a proven lower bound on
    ``objective.secondary`` over every plan inside tolerance that keeps the
    rules, and ``gap`` is ``(secondary - bound) / secondary``; both None when no
    bound was computed.
    """

    assignment: np.ndarray
    measure_names: tuple[str, ...]
    balanced: tuple[str, ...]
    loads: np.ndarray
    targets: np.ndarray
    deviations: np.ndarray
    worst_deviation: float
    cv: float
    within_tolerance: bool
    off_target: tuple[OffTarget, ...]
    disruption: float
    units_moved: int
    cost_total: float
    objective: score.Objective
    pieces: np.ndarray
    contiguous: np.ndarray
    iterations: int
    moves: int
    runtime: float
    stopped_early: bool
    optimal: bool
    messages: tuple[str, ...]
    bound: float | None = None
    gap: float | None = None

    @property
    def status(self) -> str:
        """The plan's quality in words: proven optimal, within X % of the best possible, best found.

        "Proven optimal" only when the gap is zero; the gap compares the
        secondary objective with a proven lower bound (the MILP's dual bound or
        the exhaustive search's optimum).
        """
        if self.optimal:
            return "proven optimal"
        if self.gap is not None and self.within_tolerance:
            return f"within {self.gap:.2%} of the best possible (bound {self.bound:.6g})"
        return "best found"


def contiguity_statements(instance: Instance, owner: np.ndarray, pieces: np.ndarray) -> list[str]:
    """Say, per split territory, whether water (no adjacency link) or locks split it."""
    out = []
    for r in np.flatnonzero(pieces > 1).tolist():
        mine = owner == r
        islands = len(np.unique(instance.components[mine]))
        why = []
        if islands > 1:
            why.append(f"{islands} separate islands with no adjacency link")
        if pieces[r] > islands:
            locked = int((mine & instance.locked).sum())
            reason = "locked units keep it split" if locked else "it could not be joined"
            why.append(f"{pieces[r] - islands} extra piece(s): {reason}")
        out.append(
            f"rep {instance.rep_label(r)}'s territory is in {pieces[r]} pieces ({'; '.join(why)})"
        )
    return out


def main_island(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """``owner`` with every territory cut down to the island holding most of its units (-1 else)."""
    comps = instance.components
    pair = owner.astype(np.int64) * (int(comps.max()) + 1) + comps
    keys, counts = np.unique(pair[owner >= 0], return_counts=True)
    rep_of = keys // (int(comps.max()) + 1)
    order = np.lexsort((-counts, rep_of))  # per rep, its biggest island first
    first = np.unique(rep_of[order], return_index=True)[1]
    kept = np.isin(pair, keys[order][first]) & (owner >= 0)
    return np.where(kept, owner, -1)


def shape_statements(
    instance: Instance, owner: np.ndarray, worst: float | None, pp: np.ndarray | None = None
) -> list[str]:
    """Say, per territory below the Polsby-Popper floor or with one-cell corridors, why.

    Issue 13 point 3: no territory below 0.15 *where the area allows it*, and
    say when it does not. The area is to blame when the territory spans
    islands with no adjacency link and its main island's piece clears the
    floor, or when most of that piece's border is the area's edge (a coast, a
    border) and leaving those sides out lifts it over the floor (a lace with
    a stretch of coast is not excused); otherwise the plan is, and the
    sentence says so (with the worst deviation when the run ended off
    target, since balance came first). ``pp``: the figure to judge
    and quote per rep, the graph's by default (the app passes its rep table's,
    measured on the cells' true shapes, so the sentence and the table agree).
    """
    if not regular_tiling(instance):
        return []  # graph Polsby-Popper has no meaning on irregular units
    pp = polsby_popper(instance, owner) if pp is None else np.asarray(pp, dtype=float)
    main = main_island(instance, owner)
    pp_main = polsby_popper(instance, main)
    inland = inland_polsby_popper(instance, main)
    edge = edge_share(instance, main)
    corridor = np.bincount(owner[corridor_units(instance, owner)], minlength=instance.n_reps)
    out: list[str] = []
    plan_made: list[str] = []
    for r in range(instance.n_reps):
        if not (np.isfinite(pp[r]) and pp[r] < MIN_POLSBY_POPPER):
            continue
        islands = len(np.unique(instance.components[owner == r]))
        head = (
            f"rep {instance.rep_label(r)}'s territory has Polsby-Popper {pp[r]:.3f}, "
            f"below {MIN_POLSBY_POPPER:.2f}"
        )
        if islands > 1 and pp_main[r] >= MIN_POLSBY_POPPER:
            out.append(
                f"{head}: it spans {islands} islands with no adjacency link and its main "
                f"island's piece alone has {pp_main[r]:.3f}: the area does not allow one "
                "compact piece"
            )
        elif edge[r] >= 0.5 and inland[r] >= MIN_POLSBY_POPPER:
            out.append(
                f"{head}: {edge[r]:.0%} of its border is the area's edge (a coast or border); "
                f"without it {inland[r]:.3f}: the area does not allow a rounder piece"
            )
        else:
            plan_made.append(f"{instance.rep_label(r)} {pp[r]:.3f}")
    if plan_made:
        why = (
            f"as the run ended off target (worst deviation {worst:.1%}) and kept balance "
            "before shape"
            if worst is not None
            else "which neither islands nor the area's edge explain"
        )
        out.append(f"Polsby-Popper below {MIN_POLSBY_POPPER:.2f}, {why}: {', '.join(plan_made)}")
    if corridor.any():
        each = ", ".join(
            f"{instance.rep_label(r)} {corridor[r]}" for r in np.flatnonzero(corridor).tolist()
        )
        out.append(f"cells in one-cell corridors, per rep: {each}")
    return out


def island_statements(
    instance: Instance, settings: Settings, owner: np.ndarray, load, target, off
) -> list[str]:
    """Say when reps are off target because their island holds too much or too little.

    Units only move between touching territories, so reps confined to one
    adjacency component share its load whatever the search does.
    """
    comps = instance.components
    if instance.adjacency is None or comps.max() == 0:
        return []
    cols, _ = score.balance_columns(instance, settings)
    out, seen = [], set()
    for r in sorted({o.rep for o in off}):
        where = np.unique(comps[owner == r])
        if len(where) != 1 or int(where[0]) in seen:
            continue
        c = int(where[0])
        seen.add(c)
        here = np.flatnonzero(comps == c)
        confined = [int(q) for q in np.unique(owner[here]) if (comps[owner == q] == c).all()]
        for k in cols.tolist():
            ratio = load[confined, k].sum() / max(target[confined, k].sum(), 1e-300)
            if abs(ratio - 1) > settings.tolerance:
                names = ", ".join(instance.rep_label(q) for q in confined)
                out.append(
                    f"reps {names} share an island of {len(here)} units with no adjacency "
                    f"link to the rest and together carry {ratio:.1%} of their "
                    f"{instance.measure_names[k]} targets there: contiguity keeps them off"
                )
                break
    return out


def summarize(
    instance: Instance,
    settings: Settings,
    owner: np.ndarray,
    *,
    iterations: int = 0,
    moves: int = 0,
    runtime: float = 0.0,
    stopped_early: bool = False,
    optimal: bool = False,
    notes: tuple[str, ...] = (),
    bound: float | None = None,
) -> BalanceResult:
    """Measure a finished plan and write down what a planner should know about it."""
    owner = np.array(owner, dtype=np.int64)
    owner.setflags(write=False)
    load = score.loads(instance, owner)
    target = score.targets(instance, load)
    dev = score.deviations(load, target)
    cols, _ = score.balance_columns(instance, settings)
    ratio = np.where(target[:, cols] > 0, load[:, cols] / np.maximum(target[:, cols], 1e-300), 1)
    cv = float(np.max(ratio.std(axis=0) / np.maximum(ratio.mean(axis=0), 1e-300)))
    off = tuple(
        OffTarget(
            r,
            instance.rep_label(r),
            instance.measure_names[k],
            float(load[r, k]),
            float(target[r, k]),
            float(dev[r, k]),
        )
        for r in range(instance.n_reps)
        for k in cols.tolist()
        if abs(dev[r, k]) > settings.tolerance + 1e-9
    )
    messages = [str(o) for o in off]
    if instance.adjacency is not None:
        _, pieces = territory_pieces(instance, owner)
        messages += contiguity_statements(instance, owner, pieces)
        if settings.contiguity:
            messages += island_statements(instance, settings, owner, load, target, off)
        if settings.contiguity and settings.shape_rules:  # issue 13 point 3
            worst = float(np.abs(dev[:, cols]).max()) if off else None
            messages += shape_statements(instance, owner, worst)
    else:
        pieces = np.bincount(owner, minlength=instance.n_reps).clip(max=1)
    if settings.max_capacity and instance.capacity is not None:
        k = score.capacity_measure(instance, settings)
        name, room = instance.measure_names[k], instance.capacity.sum()
        least = score.least_capacity_load(instance, settings)
        if least > room:
            messages.append(
                f"the team carries at least {least:,.1f} {name}, {least / room - 1:.1%} more "
                f"than its total capacity {room:,.1f}: no plan keeps every rep within "
                "capacity, so the overload is shared in proportion to capacity"
            )
        ceiling = score.capacity_ceiling(instance, settings)
        for r in np.flatnonzero(load[:, k] > ceiling + 1e-9).tolist():
            messages.append(
                f"rep {instance.rep_label(r)} carries {load[r, k]:,.1f} {name}, "
                f"above capacity {instance.capacity[r]:,.1f}"
            )
    share = float(score.disruption(instance, owner))
    if settings.mode == "rebalance" and settings.disruption_cap is not None:
        if share > settings.disruption_cap + 1e-9:
            messages.append(
                f"{share:.1%} of disruption weight moved, above the cap of "
                f"{settings.disruption_cap:.1%}"
            )
    messages += notes
    moved = (instance.current >= 0) & (owner != instance.current)
    objective = score.objective(instance, settings, owner)
    gap = None
    if bound is not None and not off:
        bound = min(bound, float(objective.secondary))
        gap = relative_gap(float(objective.secondary), bound)
    return BalanceResult(
        assignment=owner,
        measure_names=instance.measure_names,
        balanced=settings.balance_names,
        loads=load,
        targets=target,
        deviations=dev,
        worst_deviation=float(np.abs(dev[:, cols]).max()),
        cv=cv,
        within_tolerance=not off,
        off_target=off,
        disruption=share,
        units_moved=int(moved.sum()),
        cost_total=float(score.cost_total(instance, owner)),
        objective=objective,
        pieces=pieces,
        contiguous=pieces <= 1,
        iterations=iterations,
        moves=moves,
        runtime=runtime,
        stopped_early=stopped_early,
        optimal=optimal,
        messages=tuple(messages),
        bound=bound,
        gap=gap,
    )
