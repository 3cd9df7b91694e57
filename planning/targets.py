"""The company's annual target split down to every rep (issue 14, section 2).

A rep's share is read from its territory as the plan has it (TAM and revenue
of the cells it owns, pinned accounts included), so the targets follow the
cells: a move changes the giving and the receiving rep's target. Every amount
is kept in whole cents, like the tally, so the split is exact: the rep targets
add up to the total to the cent, and districts and regions are their reps'
sums (``planning.hierarchy``).

Drivers (``docs/metrics.md``, "Targets", gives the formulas with an example):

``tam``
    in proportion to the territory's TAM;
``revenue``
    in proportion to its current revenue;
``blend``
    in proportion to ``blend x TAM share + (1 - blend) x revenue share``;
``growth``
    current revenue x (1 + growth) first; what the total holds beyond that
    (or lacks) is split by untapped TAM (TAM - revenue, at least 0), or by
    that base when it lacks, or when nobody has untapped TAM.

Because every driver is a sum over accounts, splitting the total to regions by
their share and then each region's target to its reps gives the reps the same
share as splitting straight to the reps; the split is therefore done once, at
the rep level, with the floors, ceilings and overrides, and every level above
is the sum of the one below, exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planning.edit_values import EditError
from planning.hierarchy import district_label, rep_groups, reps_label
from planning.plan import Plan

DRIVERS = ("tam", "revenue", "blend", "growth")
"""The ways a total can be split; ``TargetRule.driver`` takes one."""


class TargetError(EditError):
    """A target split that cannot be made as asked (one sentence saying why)."""


@dataclass(frozen=True)
class TargetRule:
    """How the company's target is split.

    Parameters
    ----------
    total
        The company's annual target, in money (not cents).
    driver
        One of ``DRIVERS``.
    growth
        For ``growth``: the growth over current revenue every rep starts from (0.05 = 5 %).
    blend
        For ``blend``: the weight of the TAM share (the rest goes to the revenue share).
    floor, ceiling
        Least and most growth of a rep's target over its current revenue (-0.1 = at most
        10 % below, 0.3 = at most 30 % above); None = no bound. Reps without revenue have
        no growth to bound.
    unit
        Rounding unit in money (1,000: targets in whole thousands). At most one rep
        target per split carries the odd amount when the total is not a multiple of it.
    overrides
        rep_id -> target typed by hand; kept exactly, the rest re-split among the others.
    """

    total: float
    driver: str = "tam"
    growth: float = 0.0
    blend: float = 0.5
    floor: float | None = None
    ceiling: float | None = None
    unit: float = 1.0
    overrides: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.driver not in DRIVERS:
            raise TargetError(f"driver must be one of {', '.join(DRIVERS)}, got {self.driver!r}")
        for label, value in (("total", self.total), ("unit", self.unit), ("growth", self.growth),
                             ("blend", self.blend)):  # fmt: skip
            if not math.isfinite(float(value)):
                raise TargetError(f"{label} must be a number, got {value!r}")
        if self.total < 0:
            raise TargetError(f"the total target must be 0 or more, got {self.total:,.2f}")
        if self.unit <= 0:
            raise TargetError(f"the rounding unit must be above 0, got {self.unit:g}")
        if not 0 <= self.blend <= 1:
            raise TargetError(f"the blend weight of TAM must lie in 0..1, got {self.blend:g}")
        if self.growth <= -1:
            raise TargetError(f"growth must be above -100 %, got {self.growth:.1%}")
        if self.floor is not None and self.ceiling is not None and self.floor > self.ceiling:
            raise TargetError(
                f"the growth floor {self.floor:+.1%} lies above the ceiling {self.ceiling:+.1%}"
            )
        for rep, value in self.overrides.items():
            if not math.isfinite(float(value)) or value < 0:
                raise TargetError(f"the target typed for {rep} must be 0 or more, got {value!r}")

    @property
    def total_cents(self) -> int:
        """The total in whole cents (half away from zero, as money is everywhere)."""
        return _cents(self.total)

    @property
    def unit_cents(self) -> int:
        """The rounding unit in whole cents (at least one cent)."""
        return max(1, _cents(self.unit))


def split_targets(
    rep_ids: Sequence[str] | np.ndarray, tam: np.ndarray, revenue: np.ndarray, rule: TargetRule
) -> np.ndarray:
    """Each rep's target in whole cents; they add up to ``rule.total_cents`` exactly.

    Parameters
    ----------
    rep_ids
        The reps, in the order of ``tam`` and ``revenue``.
    tam, revenue
        Each rep's territory TAM and current revenue in cents (the tally's ``tam[1:]``).

    Raises
    ------
    TargetError
        An override names an unknown rep; the overrides add up to more than the total;
        or the floors (ceilings) need more (less) than the total leaves.
    """
    ids = [str(r) for r in rep_ids]
    n = len(ids)
    tam = np.asarray(tam, dtype=np.float64)
    revenue = np.asarray(revenue, dtype=np.float64)
    if tam.shape != (n,) or revenue.shape != (n,):
        raise TargetError(f"need TAM and revenue for each of {n} reps")
    total = rule.total_cents
    fixed = np.zeros(n, bool)
    out = np.zeros(n, np.int64)
    position = {r: i for i, r in enumerate(ids)}
    for rep, value in rule.overrides.items():
        if str(rep) not in position:
            raise TargetError(f"a target is typed for {rep!r}, who is not on the team")
        i = position[str(rep)]
        fixed[i] = True
        out[i] = _cents(value)
    rest = total - int(out[fixed].sum())
    free = np.flatnonzero(~fixed)
    if rest < 0:
        raise TargetError(
            f"the typed targets add up to {out[fixed].sum() / 100:,.2f}, more than the total "
            f"{total / 100:,.2f}"
        )
    if len(free) == 0:
        if rest != 0:
            raise TargetError(
                f"every rep has a typed target; they add up to {out.sum() / 100:,.2f}, "
                f"not the total {total / 100:,.2f}"
            )
        return out
    low, high = _bounds(revenue[free], rule)
    shares = _continuous(tam[free], revenue[free], float(rest), low, high, rule)
    out[free] = _round(shares, rest, rule.unit_cents, low, high)
    return out


def driver_weights(tam: np.ndarray, revenue: np.ndarray, rule: TargetRule) -> np.ndarray:
    """What each rep's share is proportional to under the rule's driver (before bounds).

    For ``growth`` this is the base, revenue x (1 + growth); see ``_continuous``.
    """
    tam = np.asarray(tam, dtype=np.float64)
    revenue = np.asarray(revenue, dtype=np.float64)
    if rule.driver == "tam":
        return tam
    if rule.driver == "revenue":
        return revenue
    if rule.driver == "growth":
        return revenue * (1.0 + rule.growth)
    t, r = tam.sum(), revenue.sum()
    tam_share = tam / t if t > 0 else np.zeros_like(tam)
    rev_share = revenue / r if r > 0 else np.zeros_like(revenue)
    return rule.blend * tam_share + (1.0 - rule.blend) * rev_share


def _continuous(
    tam: np.ndarray,
    revenue: np.ndarray,
    total: float,
    low: np.ndarray,
    high: np.ndarray,
    rule: TargetRule,
) -> np.ndarray:
    """Unrounded targets in cents that add up to ``total`` within the bounds.

    Without bounds a rep gets ``total x w / sum(w)``. A rep whose share falls
    outside its bounds is held at the bound and the remainder is re-split
    among the others, until nobody is outside: that is ``clip(base + lam x w,
    low, high)`` with the one ``lam`` that makes the sum right (found here by
    bisection; the sum only grows with ``lam``).
    """
    if rule.driver == "growth":
        base = revenue * (1.0 + rule.growth)
        gap = total - base.sum()
        headroom = np.maximum(tam - revenue, 0.0)
        weight = headroom if gap >= 0 and headroom.sum() > 0 else base
    else:
        base = np.zeros_like(tam)
        weight = driver_weights(tam, revenue, rule)
    if weight.sum() <= 0:  # nothing to tell the reps apart: equal shares of what is left
        weight = np.ones_like(weight)
    need, room = low.sum(), high.sum()
    if need > total + 0.5:
        raise TargetError(
            f"the growth floor needs at least {need / 100:,.2f} for these reps but the total "
            f"leaves {total / 100:,.2f}: lower the floor or raise the total"
        )
    if room < total - 0.5:
        raise TargetError(
            f"the growth ceiling allows at most {room / 100:,.2f} for these reps but the total "
            f"leaves {total / 100:,.2f} to split: raise the ceiling or lower the total"
        )
    shares = _level(base, weight, total, low, high)
    if abs(shares.sum() - total) > 0.5:
        # every rep the driver weighs is at a bound (the others weigh 0): what is left is
        # shared equally by those still inside their bounds
        shares = _level(shares, np.ones_like(weight), total, low, high)
    return shares


def _level(
    base: np.ndarray, weight: np.ndarray, total: float, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """``clip(base + lam x weight, low, high)`` with the ``lam`` whose sum is nearest ``total``.

    The sum only grows with ``lam``, so bisection finds it; when no ``lam`` reaches
    ``total`` the result is the nearest end.
    """

    def placed(lam: float) -> np.ndarray:
        return np.clip(base + lam * weight, low, high)

    lo, hi = -1.0, 1.0
    for _ in range(200):
        if placed(lo).sum() <= total:
            break
        lo *= 2.0
    for _ in range(200):
        if placed(hi).sum() >= total:
            break
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if placed(mid).sum() < total:
            lo = mid
        else:
            hi = mid
    return placed(hi)


def _bounds(revenue: np.ndarray, rule: TargetRule) -> tuple[np.ndarray, np.ndarray]:
    """Least and most target in cents from the growth floor and ceiling (none: 0 and inf).

    A rep without revenue has no growth to bound: 0 and no ceiling.
    """
    has = revenue > 0
    low = np.zeros_like(revenue)
    high = np.full_like(revenue, np.inf)
    if rule.floor is not None:
        low = np.where(has, np.ceil(np.maximum(revenue * (1.0 + rule.floor), 0.0) - 1e-9), 0.0)
    if rule.ceiling is not None:
        high = np.where(has, np.floor(np.maximum(revenue * (1.0 + rule.ceiling), 0.0) + 1e-9),
                        np.inf)  # fmt: skip
    return low, np.maximum(high, low)


def _round(
    shares: np.ndarray, total: int, unit: int, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """Whole multiples of ``unit`` adding up to ``total`` exactly (largest remainder).

    Each share is rounded down to the unit; the units left over go one each to
    the largest remainders, those a rounding down would put under their floor
    first and those a unit more would put over their ceiling last. When
    ``total`` is not a multiple of ``unit`` the odd amount goes to the next rep in
    that order.
    """
    n = len(shares)
    down = np.floor(np.maximum(shares, 0.0) / unit + 1e-9).astype(np.int64) * unit
    left = total - int(down.sum())
    while left < 0:  # float error only: take units back from the smallest remainders
        i = int(np.argmax(down))
        take = min(unit, int(down[i]), -left)
        down[i] -= take
        left += take
    remainder = shares - down
    under = down < low
    over = down + unit > high
    order = sorted(range(n), key=lambda i: (not under[i], bool(over[i]), -remainder[i], i))
    k = 0
    while left > 0:
        i = order[k % n]
        give = min(unit, left)
        down[i] += give
        left -= give
        k += 1
    return down


def _cents(value: float) -> int:
    """Money as whole cents, half away from zero (as ``planning.market.to_cents``)."""
    v = float(value) * 100.0
    return int(math.copysign(math.floor(abs(v) + 0.5), v))


TARGET_COLUMNS = (
    "rep_id", "level", "name", "region", "district", "tam", "revenue", "target",
    "target_per_tam", "required_growth",
)  # fmt: skip
"""The targets table: ``rep_id`` first (a district, region or TOTAL on the roll-up rows)."""


def plan_targets(plan: Plan, rule: TargetRule) -> np.ndarray:
    """Each rep's target in cents for the territories ``plan`` draws (they follow the cells)."""
    t = plan.tally
    return split_targets(plan.market.rep_ids, t.tam[1:], t.revenue[1:], rule)


def target_table(plan: Plan, targets: np.ndarray) -> pd.DataFrame:
    """One row per rep, then per district, per region and a TOTAL row, in money.

    Each roll-up row is the sum of the reps under it, so every level adds up to
    the one above exactly. ``target_per_tam`` is target / TAM and
    ``required_growth`` target / revenue - 1 (blank without TAM, or revenue).
    """
    m, t = plan.market, plan.tally
    groups = rep_groups(m.reps)
    reps = pd.DataFrame(
        {
            "rep_id": m.rep_ids,
            "level": "rep",
            "name": m.reps["name"].astype(str).to_numpy(),
            "region": groups["region"].to_numpy(),
            "district": groups["district"].to_numpy(),
            "tam": t.tam[1:],
            "revenue": t.revenue[1:],
            "target": np.asarray(targets, dtype=np.int64),
        }
    )
    parts = [reps]
    for level, keys in (("district", ["region", "district"]), ("region", ["region"])):
        summed = reps.groupby(keys, sort=False)[["tam", "revenue", "target"]].sum().reset_index()
        counts = reps.groupby(keys, sort=False).size().to_numpy()
        summed["rep_id"] = (
            [
                district_label(r, d)
                for r, d in zip(summed["region"], summed["district"], strict=True)
            ]  # fmt: skip
            if level == "district"
            else summed["region"]
        )
        summed["level"] = level
        summed["name"] = [reps_label(int(c)) for c in counts]
        if level == "region":
            summed["district"] = ""
        parts.append(summed)
    total = pd.DataFrame([{
        "rep_id": "TOTAL", "level": "total", "name": reps_label(len(reps)), "region": "",
        "district": "", "tam": int(reps["tam"].sum()), "revenue": int(reps["revenue"].sum()),
        "target": int(reps["target"].sum()),
    }])  # fmt: skip
    parts.append(total)
    table = pd.concat(parts, ignore_index=True)
    cents = table[["tam", "revenue", "target"]].to_numpy(np.int64)
    for i, name in enumerate(("tam", "revenue", "target")):
        table[name] = cents[:, i] / 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        table["target_per_tam"] = np.where(cents[:, 0] > 0, cents[:, 2] / cents[:, 0], np.nan)
        table["required_growth"] = np.where(
            cents[:, 1] > 0, cents[:, 2] / np.where(cents[:, 1] > 0, cents[:, 1], 1) - 1, np.nan
        )
    return table[list(TARGET_COLUMNS)]


def rule_from_settings(settings: Mapping[str, object] | None) -> TargetRule | None:
    """The rule kept with a scenario (``settings["targets"]``), or None when none is kept."""
    if not settings:
        return None
    kept = settings.get("targets")
    if not isinstance(kept, Mapping):
        return None
    values = dict(kept)
    overrides = values.pop("overrides", None) or {}
    return TargetRule(**values, overrides=dict(overrides))


def rule_settings(rule: TargetRule) -> dict[str, object]:
    """The rule as JSON-safe settings, to keep with a scenario."""
    return {
        "total": float(rule.total), "driver": rule.driver, "growth": float(rule.growth),
        "blend": float(rule.blend), "floor": rule.floor, "ceiling": rule.ceiling,
        "unit": float(rule.unit),
        "overrides": {str(k): float(v) for k, v in rule.overrides.items()},
    }  # fmt: skip


def default_rule(plan: Plan) -> TargetRule:
    """What a scenario without a kept rule shows: current revenue plus 5 %.

    In whole thousands from a total of 100,000 up, in whole units below.
    """
    total = plan.tally.revenue.sum() / 100.0 * 1.05
    unit = 1000.0 if total >= 100_000 else 1.0
    return TargetRule(total=round(total / unit) * unit, driver="growth", growth=0.05,
                      unit=unit)  # fmt: skip


def targets_for(
    plan: Plan, settings: Mapping[str, object] | None
) -> tuple[np.ndarray | None, TargetRule, str | None]:
    """Each rep's target in money under the scenario's kept rule (or the default one).

    Returns the targets (None when the rule cannot be met), the rule, and the
    reason it cannot be met (None when it can): what the panel and the exports show.
    """
    try:
        rule = rule_from_settings(settings) or default_rule(plan)
    except TargetError as err:
        rule = default_rule(plan)
        return None, rule, str(err)
    try:
        return plan_targets(plan, rule) / 100.0, rule, None
    except TargetError as err:
        return None, rule, str(err)


def with_targets(reps: pd.DataFrame, targets: np.ndarray | None) -> pd.DataFrame:
    """The per-rep table with ``target``, ``target_per_tam`` and ``required_growth`` (money).

    ``targets`` in rep order (None: blank targets, a rule that cannot be met).
    """
    out = reps.copy()
    n = len(out)
    target = np.full(n, np.nan) if targets is None else np.asarray(targets, dtype=np.float64)
    out["target"] = target
    out["target_per_tam"], out["required_growth"] = target_ratios(
        target, out["tam"].to_numpy(np.float64), out["revenue"].to_numpy(np.float64)
    )
    return out


def target_ratios(
    target: np.ndarray, tam: np.ndarray, revenue: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Target / TAM and target / revenue - 1, blank where TAM (revenue) is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        per_tam = np.where(tam > 0, target / np.where(tam > 0, tam, 1), np.nan)
        growth = np.where(revenue > 0, target / np.where(revenue > 0, revenue, 1) - 1, np.nan)
    return per_tam, growth


def describe_rule(rule: TargetRule) -> str:
    """The rule in words, for the panel: total, driver, bounds, overrides, rounding."""
    how = {
        "tam": "by TAM",
        "revenue": "by current revenue",
        "blend": f"by {rule.blend:.0%} TAM share + {1 - rule.blend:.0%} revenue share",
        "growth": f"as current revenue {rule.growth:+.1%}, the rest by untapped TAM",
    }[rule.driver]
    parts = [f"{rule.total:,.0f} split {how}"]
    if rule.floor is not None or rule.ceiling is not None:
        low = "–" if rule.floor is None else f"{rule.floor:+.0%}"
        high = "–" if rule.ceiling is None else f"{rule.ceiling:+.0%}"
        parts.append(f"growth between {low} and {high}")
    if rule.overrides:
        parts.append(f"{len(rule.overrides)} typed by hand")
    parts.append(f"rounded to {rule.unit:,g}")
    return ", ".join(parts)


def parse_overrides(text: str | None) -> dict[str, float]:
    """Typed targets ``R02=1200000, R05=800000`` (``;`` or new lines also part them).

    Raises ``TargetError`` naming the part that is not ``rep=amount``.
    """
    out: dict[str, float] = {}
    for part in str(text or "").replace(";", ",").replace("\n", ",").split(","):
        if not part.strip():
            continue
        rep, sep, amount = part.partition("=")
        try:
            value = float(amount.replace(" ", "").replace("_", ""))
        except ValueError:
            value = math.nan
        if not sep or not rep.strip() or not math.isfinite(value):
            raise TargetError(f"a typed target must read rep=amount, got {part.strip()!r}")
        out[rep.strip()] = value
    return out
