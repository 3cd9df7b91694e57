"""Reps rolled up to districts and regions (issue 14, section 3).

The reps file may name each rep's ``region`` and ``district``; a rep without a
region is in the one region ``NO_REGION``, a rep without a district in its
region's ``NO_DISTRICT``. A district is known by its region and its name, so
two regions may each have a "North" district.

Every metric of ``planning.metrics.rep_metrics`` rolls up: counts, hours and
money are sums (so each level equals the sum of the one below, exactly as the
reps' figures add up); ratios are recomputed from those sums (utilisation,
coverage, share, deviations against the summed fair shares); the shape
figures (pieces, compactness) are measured on the union of the group's cells;
distances are the workload-weighted mean and the farthest.

Balance "within the region" gives each rep the fair share of its region's own
workload and TAM (by capacity inside the region) instead of the team's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from planning.autobalance import plan_instance
from planning.metrics import DEFAULT_TOLERANCE
from planning.optimizer import BalanceResult, Instance, Settings, adjacency_from_edges, balance
from planning.plan import Plan
from planning.tally import _components, _perimeter

NO_REGION = "No region"
NO_DISTRICT = "No district"
LEVELS = ("rep", "district", "region")
"""The levels a table can be read at, finest first."""
SCOPES = ("team", "region")
"""Where fair share is judged: over the whole team, or inside each rep's region."""

SUMMED = (
    "accounts", "accounts_a", "accounts_b", "accounts_c", "visit_hours", "travel_hours",
    "workload_hours", "capacity_hours", "tam", "revenue", "cells", "workload_target_hours",
    "tam_target", "target",
)  # fmt: skip
"""Columns a group holds the sum of (``target`` when the table has targets)."""


def rep_groups(reps: pd.DataFrame) -> pd.DataFrame:
    """``rep_id``, ``region``, ``district`` of every rep, blanks filled, in rep order."""
    n = len(reps)

    def column(name: str, blank: str) -> pd.Series:
        if name not in reps.columns:
            return pd.Series([blank] * n, dtype=object)
        text = reps[name].astype("string").str.strip().fillna("")
        return text.mask(text == "", blank).astype(object).reset_index(drop=True)

    return pd.DataFrame(
        {
            "rep_id": reps["rep_id"].astype(str).reset_index(drop=True),
            "region": column("region", NO_REGION),
            "district": column("district", NO_DISTRICT),
        }
    )


def group_keys(reps: pd.DataFrame, level: str) -> list[str]:
    """Each rep's group at ``level`` as one label (a district is ``region / district``)."""
    groups = rep_groups(reps)
    if level == "rep":
        return list(groups["rep_id"])
    if level == "region":
        return list(groups["region"])
    if level == "district":
        return [district_label(r, d) for r, d in zip(groups["region"], groups["district"],
                                                      strict=True)]  # fmt: skip
    raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")


def district_label(region: str, district: str) -> str:
    """How a district is named in tables: its region, a slash, its name."""
    return f"{region} / {district}"


def reps_label(count: int) -> str:
    """How many reps a group holds, in words: "1 rep", "3 reps"."""
    return f"{count} rep" if count == 1 else f"{count} reps"


def regions(reps: pd.DataFrame) -> list[str]:
    """The team's regions in order of first appearance (rep order)."""
    return list(dict.fromkeys(rep_groups(reps)["region"]))


def roll_up(
    plan: Plan, reps: pd.DataFrame, level: str, tolerance: float = DEFAULT_TOLERANCE
) -> pd.DataFrame:
    """The per-rep table ``reps`` (``rep_metrics`` rows, rep order) summed to ``level``.

    One row per group in order of first appearance, indexed and labelled by the group
    in ``rep_id`` (so tables and charts read any level alike); ``name`` says how many reps.
    """
    if level == "rep":
        return reps
    keys = group_keys(plan.market.reps, level)
    order = list(dict.fromkeys(keys))
    index = {k: i for i, k in enumerate(order)}
    member = np.array([index[k] for k in keys], dtype=np.int64)
    table = reps.reset_index(drop=True)
    sums = {
        c: np.bincount(member, weights=table[c].to_numpy(np.float64), minlength=len(order))
        for c in SUMMED
        if c in table.columns
    }
    work, cap = sums["workload_hours"], sums["capacity_hours"]
    with np.errstate(divide="ignore", invalid="ignore"):
        covered = np.bincount(
            member,
            weights=np.minimum(table["workload_hours"], table["capacity_hours"]).to_numpy(float),
            minlength=len(order),
        )
        weighted_km = np.bincount(
            member,
            weights=(table["mean_home_km"] * table["workload_hours"]).to_numpy(float),
            minlength=len(order),
        )
        out = pd.DataFrame({
            "rep_id": order,
            "name": [reps_label(int((member == i).sum())) for i in range(len(order))],
            **{c: v for c, v in sums.items()},
            "utilisation": np.where(cap > 0, work / np.where(cap > 0, cap, 1), np.inf),
            "coverage": np.where(work > 0, covered / np.where(work > 0, work, 1), 1.0),
            "market_share": np.where(sums["tam"] > 0,
                                     sums["revenue"] / np.where(sums["tam"] > 0, sums["tam"], 1),
                                     np.nan),
            "mean_home_km": np.where(work > 0, weighted_km / np.where(work > 0, work, 1), 0.0),
        })  # fmt: skip
    for c in ("accounts", "accounts_a", "accounts_b", "accounts_c", "cells"):
        out[c] = out[c].round().astype(np.int64)
    out["max_home_km"] = (
        table.groupby(member)["max_home_km"].max().reindex(range(len(order))).to_numpy()
    )
    pieces, compact = _shape(plan, member, len(order))
    out["contiguity_components"] = pieces
    out["polsby_popper"] = compact
    out["workload_deviation"] = _deviation(work, out["workload_target_hours"].to_numpy())
    out["tam_deviation"] = _deviation(sums["tam"], out["tam_target"].to_numpy())
    out["workload_balanced"] = np.abs(out["workload_deviation"]) <= tolerance + 1e-12
    out["tam_balanced"] = np.abs(out["tam_deviation"]) <= tolerance + 1e-12
    if "target" in out.columns:  # issue 14 targets: the ratios of the summed target
        with np.errstate(divide="ignore", invalid="ignore"):
            rev, target = sums["revenue"], out["target"].to_numpy(np.float64)
            out["target_per_tam"] = np.where(
                sums["tam"] > 0, target / np.where(sums["tam"] > 0, sums["tam"], 1), np.nan
            )
            out["required_growth"] = np.where(rev > 0, target / np.where(rev > 0, rev, 1) - 1,
                                              np.nan)  # fmt: skip
    ordered = [c for c in reps.columns if c in out.columns]
    return out[ordered].set_index("rep_id", drop=False)


def within_regions(plan: Plan, reps: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """The per-rep table with fair shares judged inside each rep's region.

    A rep's fair share is its region's workload (TAM) x the rep's share of the
    region's capacity. Unassigned work belongs to no region, so it is in no
    region's fair share (team-wide it is in everyone's).
    """
    keys = np.asarray(group_keys(plan.market.reps, "region"), dtype=object)
    out = reps.copy()
    work = out["workload_hours"].to_numpy(np.float64)
    tam = out["tam"].to_numpy(np.float64)
    cap = out["capacity_hours"].to_numpy(np.float64)
    work_target = np.zeros(len(out))
    tam_target = np.zeros(len(out))
    for key in dict.fromkeys(keys):
        at = keys == key
        share = cap[at] / cap[at].sum() if cap[at].sum() > 0 else np.full(at.sum(), 1 / at.sum())
        work_target[at] = work[at].sum() * share
        tam_target[at] = tam[at].sum() * share
    out["workload_target_hours"] = work_target
    out["tam_target"] = tam_target
    out["workload_deviation"] = _deviation(work, work_target)
    out["tam_deviation"] = _deviation(tam, tam_target)
    out["workload_balanced"] = np.abs(out["workload_deviation"]) <= tolerance + 1e-12
    out["tam_balanced"] = np.abs(out["tam_deviation"]) <= tolerance + 1e-12
    return out


def region_instance(instance: Instance, plan: Plan, region: str) -> tuple[Instance, np.ndarray]:
    """The optimizer's problem limited to one region: its reps and the cells they own.

    Returns the smaller instance and the plan cells its units stand for. Every
    other cell (other regions', unassigned) is left out, so it stays as it is,
    and the fair shares the optimizer aims at are the region's own.
    """
    keys = np.asarray(group_keys(plan.market.reps, "region"), dtype=object)
    reps = np.flatnonzero(keys == region)
    if len(reps) == 0:
        raise ValueError(
            f"no rep is in region {region!r}; regions: {', '.join(dict.fromkeys(keys))}"
        )
    owner = np.asarray(plan.owner)
    cells = np.flatnonzero(np.isin(owner, reps))
    if len(cells) == 0:
        raise ValueError(f"the reps of region {region!r} own no cells to balance")
    local = np.full(plan.market.n_reps, -1, np.int64)
    local[reps] = np.arange(len(reps))
    adjacency = None
    if instance.adjacency is not None:
        indptr, indices = instance.adjacency
        where = np.full(len(owner), -1, np.int64)
        where[cells] = np.arange(len(cells))
        src = np.repeat(np.arange(len(owner)), np.diff(indptr))
        keep = (where[src] >= 0) & (where[indices] >= 0)
        adjacency = adjacency_from_edges(where[src[keep]], where[indices[keep]], len(cells))
    small = Instance(
        measures=instance.measures[cells],
        measure_names=instance.measure_names,
        cost=instance.cost[np.ix_(cells, reps)],
        adjacency=adjacency,
        cost_counts_toward=instance.cost_counts_toward,
        capacity=None if instance.capacity is None else instance.capacity[reps],
        current=local[instance.current[cells]],
        locked=instance.locked[cells],
        fixed=instance.fixed[reps],
        disruption_weight=instance.disruption_weight[cells],
        rep_ids=instance.rep_ids[reps],
        preference=(  # issue 15: experience on contested ground, the region's part
            None if instance.preference is None else instance.preference[np.ix_(cells, reps)]
        ),
    )
    return small, cells


def region_owner(plan: Plan, region: str, cells: np.ndarray, assignment: np.ndarray) -> np.ndarray:
    """The whole plan's owners after a region's balance: ``cells`` from ``assignment``."""
    keys = np.asarray(group_keys(plan.market.reps, "region"), dtype=object)
    reps = np.flatnonzero(keys == region)
    owner = np.array(plan.owner, dtype=np.int64)
    assignment = np.asarray(assignment, dtype=np.int64)
    owner[cells] = np.where(assignment >= 0, reps[np.maximum(assignment, 0)], -1)
    return owner


def group_of_cells(plan: Plan, level: str) -> np.ndarray:
    """Each cell's group at ``level`` (-1 unassigned), numbered as ``roll_up`` orders them."""
    keys = group_keys(plan.market.reps, level)
    order = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    member = np.array([order[k] for k in keys], dtype=np.int64)
    owner = np.asarray(plan.owner)
    return np.where(owner >= 0, member[np.maximum(owner, 0)], -1)


def _shape(plan: Plan, member: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Pieces and Polsby-Popper of each group's territory (the union of its reps' cells)."""
    m = plan.market
    owner = np.asarray(plan.owner)
    grouped = np.where(owner >= 0, member[np.maximum(owner, 0)], -1)
    cells = np.arange(m.n_cells)
    perimeter_m = _perimeter(m, grouped, cells, n_groups + 1)[1:] / 1000.0
    area = np.zeros(n_groups + 1, np.int64)
    np.add.at(area, grouped + 1, m.area.area_m2)
    pieces = _components(m, grouped, np.arange(n_groups), np.zeros(n_groups, np.int64))
    with np.errstate(divide="ignore", invalid="ignore"):
        compact = np.where(perimeter_m > 0, 4 * math.pi * area[1:] / perimeter_m**2, np.nan)
    return pieces, compact


def _deviation(value: Sequence[float] | np.ndarray, target: np.ndarray) -> np.ndarray:
    value = np.asarray(value, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(target > 0, value / np.where(target > 0, target, 1) - 1.0, 0.0)


def balance_region(
    plan: Plan,
    region: str,
    settings: Settings | None = None,
    *,
    rng: np.random.Generator | int | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[dict], None] | None = None,
    experience_weight: float = 0.0,
) -> tuple[Plan, BalanceResult]:
    """Auto-balance one region only: its reps trade its cells; every other cell stays put.

    The optimizer sees the region alone (``region_instance``), so the fair shares it
    aims at are the region's and no cell can go to, or come from, another region.
    """
    instance, cells = region_instance(plan_instance(plan, experience_weight), plan, region)
    result = balance(instance, settings, rng=rng, should_stop=should_stop, progress=progress)
    owner = region_owner(plan, region, cells, result.assignment)
    return Plan.from_owner(plan.market, owner, plan.locked), result


def judged_team(team: dict[str, float], reps: pd.DataFrame) -> dict[str, float]:
    """The team summary with its balance figures read from ``reps`` (e.g. judged per region).

    Worst deviations (sign kept), CVs of value / fair share and reps out of tolerance.
    """
    out = dict(team)
    for measure, value in (("workload", "workload_hours"), ("tam", "tam")):
        dev = reps[f"{measure}_deviation"].to_numpy(np.float64)
        out[f"{measure}_worst_deviation"] = (
            float(dev[int(np.argmax(np.abs(dev)))]) if len(dev) else 0.0
        )
        target = reps[f"{measure}_target_hours" if measure == "workload" else "tam_target"]
        ratio = (reps[value] / target.where(target > 0)).dropna().to_numpy()
        out[f"{measure}_cv"] = (
            float(ratio.std() / ratio.mean()) if len(ratio) and ratio.mean() else 0.0
        )
    out["reps_out_of_tolerance"] = int((~(reps["workload_balanced"] & reps["tam_balanced"])).sum())
    return out
