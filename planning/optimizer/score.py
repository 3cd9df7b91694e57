"""The numbers a plan is judged by: loads, targets, deviations and the objective.

Every function takes an owner array of shape ``(U,)`` or a batch ``(N, U)``
and answers for each plan, so the exhaustive search scores millions of plans
with the same code that scores the one the local search ends with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning.optimizer.instance import Instance
from planning.optimizer.settings import Settings

IMBALANCE_SCALE = 1e6
"""Penalty per squared unit of relative deviation beyond tolerance.

0.1 percentage point beyond tolerance on one rep costs 1, as much as moving
every unit at disruption weight 1. Plans compare by imbalance first anyway;
the scale matters where the search weighs a move's balance gain against its
other effects.
"""


def _batch(instance: Instance, owner: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    owner = np.asarray(owner, dtype=np.int64)
    if owner.shape[-1:] != (instance.n_units,):
        raise ValueError(f"owner must end in {instance.n_units} units; got shape {owner.shape}")
    return owner.reshape(-1, instance.n_units), owner.shape[:-1]


def unit_cost(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """Cost of each unit under its owner (0 when unassigned), same shape as ``owner``."""
    owner = np.asarray(owner, dtype=np.int64)
    u = np.arange(instance.n_units)
    return np.where(owner >= 0, instance.cost[u, np.maximum(owner, 0)], 0.0)


def loads(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """Each rep's total of each measure, ``(..., R, M)``: fixed amounts, units owned, cost.

    Cost is added to ``cost_counts_toward`` under the rep that owns the unit.
    Unassigned units (owner -1) count for nobody.
    """
    flat, shape = _batch(instance, owner)
    n, r = flat.shape[0], instance.n_reps
    valid = flat >= 0
    index = (np.where(valid, flat, 0) + r * np.arange(n)[:, None]).ravel()
    out = np.empty((n, r, instance.n_measures))
    extra = unit_cost(instance, flat) if instance.cost_measure >= 0 else None
    for k in range(instance.n_measures):
        weights = np.where(valid, instance.measures[:, k], 0.0)
        if k == instance.cost_measure:
            weights = weights + extra
        out[:, :, k] = np.bincount(index, weights=weights.ravel(), minlength=n * r).reshape(n, r)
    out += instance.fixed
    return out.reshape(*shape, r, instance.n_measures)


def targets(instance: Instance, load: np.ndarray) -> np.ndarray:
    """Each rep's fair share of the team total of every measure, shaped like ``load``."""
    return load.sum(axis=-2, keepdims=True) * instance.share[:, None]


def deviations(load: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Relative deviation ``load / target - 1`` (0 where the target is 0)."""
    safe = np.where(target > 0, target, 1.0)
    return np.where(target > 0, load / safe - 1.0, 0.0)


def balance_columns(instance: Instance, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Measure columns and weights that the imbalance penalty looks at."""
    cols = np.array([instance.measure_index(n) for n in settings.balance_names], dtype=np.int64)
    return cols, np.array(settings.balance_weights)


def imbalance(instance: Instance, settings: Settings, deviation: np.ndarray) -> np.ndarray:
    """Penalty for deviation beyond tolerance: ``IMBALANCE_SCALE x sum w (|d| - tol)+ ^ 2``.

    Squared, so one rep far off costs more than several slightly off; zero
    inside the band, so a plan within tolerance is not moved for balance alone.
    """
    cols, weights = balance_columns(instance, settings)
    excess = np.maximum(np.abs(deviation[..., cols]) - settings.tolerance, 0.0)
    return IMBALANCE_SCALE * (excess**2 * weights).sum(axis=(-2, -1))


def cost_reference(instance: Instance) -> float:
    """What a plan costs if every unit goes to an average rep; scales the cost term to ~1."""
    ref = float(instance.cost.mean(axis=1).sum())
    return ref if ref > 0 else 1.0


def cost_total(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """Sum of each unit's cost under its owner."""
    return unit_cost(instance, owner).sum(axis=-1)


def preference_total(instance: Instance, owner: np.ndarray) -> np.ndarray | float:
    """Sum of each unit's preference under its owner (0 without one; issue 15)."""
    if instance.preference is None:
        return 0.0
    owner = np.asarray(owner, dtype=np.int64)
    u = np.arange(instance.n_units)
    pref = instance.preference[u, np.maximum(owner, 0)]
    return np.where(owner >= 0, pref, 0.0).sum(axis=-1)


def cut_edges(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """Adjacency edges whose ends belong to different reps: fewer means more compact."""
    a, b = instance.edges
    owner = np.asarray(owner)
    return (owner[..., a] != owner[..., b]).sum(axis=-1)


def moved_weight(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """Disruption weight of units whose owner differs from the current one."""
    owner = np.asarray(owner)
    moved = (instance.current >= 0) & (owner != instance.current)
    return (moved * instance.disruption_weight).sum(axis=-1)


def disruption(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """Share of disruption weight (of units that had an owner) now with another rep."""
    total = float(instance.disruption_weight[instance.current >= 0].sum())
    return moved_weight(instance, owner) / total if total > 0 else moved_weight(instance, owner)


def capacity_measure(instance: Instance, settings: Settings) -> int:
    """Column capacity limits: the one cost counts toward, else the first balanced one."""
    if instance.cost_measure >= 0:
        return instance.cost_measure
    return instance.measure_index(settings.balance_names[0])


def least_capacity_load(instance: Instance, settings: Settings) -> float:
    """The team's load of the capacity measure under any plan at least: travel at its cheapest."""
    k = capacity_measure(instance, settings)
    total = instance.measures[:, k].sum() + instance.fixed[:, k].sum()
    if k == instance.cost_measure:
        total += instance.cost.min(axis=1).sum()
    return float(total)


def capacity_ceiling(instance: Instance, settings: Settings) -> np.ndarray:
    """Most each rep may carry of the capacity measure, ``(R,)``.

    Its capacity, unless even the least load any plan gives the team is more
    than the total capacity: then no plan keeps everyone within capacity, the
    ceiling is lifted, and balancing against targets (which follow capacity)
    shares the overload in proportion; the result says so. The test does not
    depend on the plan, so adding travel can never lift it. Infinite without
    capacity or ``max_capacity``.
    """
    if instance.capacity is None or not settings.max_capacity:
        return np.full(instance.n_reps, np.inf)
    if least_capacity_load(instance, settings) > instance.capacity.sum():
        return np.full(instance.n_reps, np.inf)
    return instance.capacity


def capacity_overflow(instance: Instance, settings: Settings, load: np.ndarray) -> np.ndarray:
    """Sum over reps of load above :func:`capacity_ceiling` (0 without ``max_capacity``)."""
    if instance.capacity is None or not settings.max_capacity:
        return np.zeros(load.shape[:-2])
    k = capacity_measure(instance, settings)
    over = load[..., k] - capacity_ceiling(instance, settings)
    return np.maximum(over, 0.0).sum(axis=-1)


@dataclass(frozen=True)
class Objective:
    """How a plan scores (floats for one plan, arrays for a batch).

    Plans compare by ``imbalance`` first, then by ``secondary``: balance is
    never traded for cost, compactness or disruption. The parts are
    unweighted shares; ``secondary`` is their weighted sum.
    """

    imbalance: np.ndarray | float
    cost: np.ndarray | float
    compactness: np.ndarray | float
    disruption: np.ndarray | float
    secondary: np.ndarray | float


def objective(
    instance: Instance, settings: Settings, owner: np.ndarray, load: np.ndarray | None = None
) -> Objective:
    """Score plans: imbalance, then weighted cost, compactness and (rebalance) disruption.

    Cost is total cost over :func:`cost_reference`; compactness is the share of
    adjacency edges cut; disruption is the share of weight moved (it counts
    only in rebalance mode: a design starts from scratch). Pass ``load`` when
    it is already known.
    """
    load = loads(instance, owner) if load is None else load
    imb = imbalance(instance, settings, deviations(load, targets(instance, load)))
    cost = cost_total(instance, owner) / cost_reference(instance)
    n_edges = len(instance.edges[0])
    compact = cut_edges(instance, owner) / n_edges if n_edges else np.zeros_like(cost)
    dis = disruption(instance, owner)
    secondary = settings.cost_weight * cost + settings.compactness_weight * compact
    if settings.mode == "rebalance":
        secondary = secondary + settings.disruption_weight * dis
    if instance.preference is not None:  # issue 15: already weighted by the caller
        secondary = secondary + preference_total(instance, owner)
    as_out = float if np.ndim(secondary) == 0 else np.asarray
    return Objective(*(as_out(x) for x in (imb, cost, compact, dis, secondary)))


def disruption_overflow(instance: Instance, settings: Settings, owner: np.ndarray) -> np.ndarray:
    """Share of disruption weight moved beyond the cap (rebalance with a cap only)."""
    if settings.mode != "rebalance" or settings.disruption_cap is None:
        return np.zeros(np.asarray(owner).shape[:-1])
    return np.maximum(disruption(instance, owner) - settings.disruption_cap, 0.0)
