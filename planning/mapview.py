"""What the map shows per display unit: values for each colour mode, and hover facts.

Dash-free: the layouts turn these numbers into colours and figures.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np

from geo.lod import DisplayLevel
from planning.hierarchy import group_keys
from planning.market import SECONDS_PER_HOUR, Market
from planning.plan import Plan
from planning.share_classes import ShareClass, classify, share_of

COLOUR_MODES = {
    "owner": "Owner",
    "workload": "Workload (h/yr)",
    "tam": "TAM",
    "share": "Market share",
    "changed": "Changed vs baseline",
    "class": "Share class",  # issue 14: market-share classes (planning.share_classes)
    "region": "Region",  # issue 14: the hierarchy
    "district": "District",
    "attainment": "Attainment",  # issue 15: the owner's figures of a tracked period
    "call_compliance": "Call compliance",
}
TRACKING_MODES = ("attainment", "call_compliance")
"""Colour modes painting the owner's tracking figure (``planning.tracking``); 1.0 = on plan."""
GROUP_MODES = ("region", "district")
"""Colour modes that paint the owner's group (``planning.hierarchy``), stepped like owners."""


@dataclass(frozen=True)
class UnitFacts:
    """Per drawn unit: owner, accounts by segment, money, workload, change flag."""

    units: np.ndarray
    owner: np.ndarray
    accounts: np.ndarray
    segments: np.ndarray
    tam: np.ndarray
    revenue: np.ndarray
    workload_h: np.ndarray
    changed: np.ndarray
    locked: np.ndarray
    share_class: np.ndarray | None = None
    """Class code per unit (``ShareClass``), judged on the unit's summed TAM and revenue with
    pinned accounts included; it does not change when cells move."""
    share: np.ndarray | None = None
    """revenue / TAM per unit on the same sums (NaN without TAM)."""
    groups: dict[str, np.ndarray] = field(default_factory=dict)
    """Per ``GROUP_MODES`` level: each unit's group position (-1 unassigned)."""
    group_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per ``GROUP_MODES`` level: the groups' labels, by position."""
    rep_values: dict[str, np.ndarray] = field(default_factory=dict)
    """Per ``TRACKING_MODES`` mode: each rep's figure by position (issue 15; NaN: none)."""

    def class_text(self) -> list[str]:
        """Per unit, its class and share as the hover reads them: "Contested, 16.7%"."""
        codes = self.share_class if self.share_class is not None else np.zeros(0, np.int8)
        shares = self.share if self.share is not None else np.full(len(codes), np.nan)
        return [
            ShareClass(int(c)).label + ("" if s != s else f", {s * 100:.1f}%")
            for c, s in zip(codes, shares, strict=True)
        ]

    def in_group(self, only: str | None) -> np.ndarray:
        """Units whose owner is in the group ``level:label`` (all units for None or "")."""
        if not only or ":" not in only:
            return np.ones(len(self.units), bool)
        level, label = only.split(":", 1)
        names = self.group_names.get(level, ())
        if label not in names:
            return np.ones(len(self.units), bool)
        return self.groups[level] == names.index(label)

    def values(self, mode: str) -> np.ndarray:
        """The number a colour mode paints for each unit."""
        if mode == "owner":
            return self.owner.astype(np.float64)
        if mode == "workload":
            return np.round(self.workload_h, 1)
        if mode == "tam":
            return np.round(self.tam, 0)
        if mode == "share":
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(
                    self.tam > 0, self.revenue / np.where(self.tam > 0, self.tam, 1), np.nan
                )
            return np.round(share, 4)
        if mode == "changed":
            return self.changed.astype(np.float64)
        if mode == "class" and self.share_class is not None:
            return self.share_class.astype(np.float64)
        if mode in GROUP_MODES:
            return self.groups[mode].astype(np.float64)
        if mode in TRACKING_MODES:  # issue 15: the owner's figure, NaN without one
            reps = self.rep_values.get(mode)
            if reps is None or len(reps) == 0:
                return np.full(len(self.units), np.nan)
            own = self.owner.astype(np.int64)
            return np.where(own >= 0, np.asarray(reps, np.float64)[np.maximum(own, 0)], np.nan)
        raise ValueError(f"unknown colour mode {mode!r}; choose one of {', '.join(COLOUR_MODES)}")


def unit_facts(
    level: DisplayLevel, plan: Plan, baseline_owner: np.ndarray, units: np.ndarray
) -> UnitFacts:
    """Facts for ``units`` of ``level`` under ``plan``.

    Workload is what the cell costs its current owner (visits plus that
    rep's travel); unassigned cells show their visit hours only. Only the
    cells under ``units`` are summed (issue 18: a move repaints a few hundred
    units of a 36k-cell area), in the same order as a sum over every cell,
    so the figures are those of ``geo.lod.unit_sums`` exactly.
    """
    m = plan.market
    units = np.asarray(units, dtype=np.int64)
    cells, group, n = _cells_by_unit(level, units)

    def sums(values: np.ndarray) -> np.ndarray:
        out = np.zeros((n, *values.shape[1:]), dtype=values.dtype)
        np.add.at(out, group, values)
        return out

    owner = plan.owner[cells]
    assigned = owner >= 0
    travel = np.zeros(len(cells), np.int64)
    travel[assigned] = m.travel_s[cells[assigned], owner[assigned]]
    work = sums(m.cell_visit_s[cells] + travel)
    changed = sums((owner != baseline_owner[cells]).astype(np.int64)) > 0
    locked = sums(plan.locked[cells].astype(np.int64)) > 0
    segments = sums(m.cell_segments[cells][:, :3])
    share_tam, share_rev = sums(m.share_tam[cells]), sums(m.share_revenue[cells])
    counts = np.zeros((n, m.n_reps + 1), np.int64)
    np.add.at(counts, (group, owner + 1), 1)
    back = _position_in(units)
    unit_rep = (counts.argmax(axis=1) - 1)[back]
    groups, group_names = {}, {}
    for mode, (member, names) in _rep_group_members(m).items():  # issue 14: region, district
        groups[mode] = np.where(unit_rep >= 0, member[np.maximum(unit_rep, 0)], -1)
        group_names[mode] = names
    return UnitFacts(
        units=units,
        owner=unit_rep,
        accounts=sums(m.cell_accounts[cells])[back],
        segments=segments[back],
        tam=sums(m.cell_tam[cells])[back] / 100.0,
        revenue=sums(m.cell_revenue[cells])[back] / 100.0,
        workload_h=work[back] / SECONDS_PER_HOUR,
        changed=changed[back],
        locked=locked[back],
        share_class=classify(share_tam[back], share_rev[back], m.share.thresholds),
        share=share_of(share_tam[back], share_rev[back]),
        groups=groups,
        group_names=group_names,
    )


def _cells_by_unit(level: DisplayLevel, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The cells under the distinct ``units``, each with its unit's place among them.

    Cells come unit by unit in ascending cell order (``level.order`` is a
    stable sort), the order a sum over every cell adds them in.
    """
    distinct = np.unique(units)
    first, last = level.starts[distinct], level.starts[distinct + 1]
    counts = last - first
    group = np.repeat(np.arange(len(distinct)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return level.order[np.repeat(first, counts) + offsets], group, len(distinct)


def _position_in(units: np.ndarray) -> np.ndarray:
    """Where each of ``units`` sits among its distinct values (sorted)."""
    return np.unique(units, return_inverse=True)[1].reshape(-1)


_GROUP_MEMBERS: weakref.WeakKeyDictionary[Market, dict[str, tuple[np.ndarray, tuple[str, ...]]]]
_GROUP_MEMBERS = weakref.WeakKeyDictionary()


def _rep_group_members(market: Market) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """Per ``GROUP_MODES`` level: each rep's group position and the groups' labels.

    The team never changes within a market, so this is worked out once per market
    (issue 18: it was a third of the repaint of a move at 1M accounts), and kept only
    as long as the market is.
    """
    kept = _GROUP_MEMBERS.get(market)
    if kept is None:
        kept = {}
        for mode in GROUP_MODES:
            keys = group_keys(market.reps, mode)
            names = tuple(dict.fromkeys(keys))
            member = np.array([names.index(k) for k in keys], dtype=np.int64)
            member.flags.writeable = False
            kept[mode] = (member, names)
        _GROUP_MEMBERS[market] = kept
    return kept
