"""The quarter after: attainment, call compliance, coverage and share change (issue 15, section 2).

Everything is read per rep for one period and rolled up to districts, regions and
the team (``planning.hierarchy``). The formulas (``docs/metrics.md``, "Tracking"):

attainment
    revenue of the period / (annual target x the period's part of a year);
call compliance
    visits made / visits planned, where an account plans ``visits_per_year`` of its
    segment (the call plan) x the period's part of a year; also per segment;
coverage
    accounts visited at least once / accounts with planned visits (a pair account x
    owner: an account split between two reps counts once for each, visited or not
    in that owner's days);
share change
    (revenue / (TAM x part of a year)) of the period minus the same of the previous
    period, both on the same ground: the accounts and weights of this period, so a
    move does not show as a change of share.

Attribution follows the plan in force: the period is cut into spans at every change
of owner (``owner_spans`` from the scenario's move log). An account's revenue, TAM and
planned visits are shared between its owners in proportion to the days each held it;
a visit counts for the owner of its date (a move made on a day applies from that day).
The result says how many accounts were split so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planning.actuals import Period
from planning.callplan import SEGMENTS
from planning.hierarchy import district_label, rep_groups, reps_label
from planning.market import Market
from planning.share_classes import apply_effort

TOTAL_ID = "TOTAL"
LEVELS = ("rep", "district", "region", "total")
METRICS = ("attainment", "call_compliance", "coverage")
"""What the map can colour by and the rep table can flag."""
COLUMNS = (
    "level", "rep_id", "name", "revenue", "target", "attainment", "visits_made",
    "visits_planned", "call_compliance", *(f"call_compliance_{s}" for s in SEGMENTS),
    "planned_accounts", "visited_accounts", "coverage", "market_share",
    "market_share_previous", "market_share_change",
)  # fmt: skip


@dataclass(frozen=True)
class OwnerChange:
    """One change of owners from the scenario's log: on ``day``, ``before`` -> ``after``."""

    day: dt.date
    cells: np.ndarray
    before: np.ndarray
    after: np.ndarray


def owner_spans(
    period: Period, owner_now: np.ndarray, changes: Sequence[OwnerChange]
) -> list[tuple[dt.date, np.ndarray]]:
    """The cell owners in force over ``period``: ``[(first day, owner), ...]`` from its start.

    ``owner_now`` is the state after every change of ``changes`` (in log order); the log is
    walked back, undoing each change made after a span began. A change made on a day owns
    that day; several on one day give one span.
    """
    owner = np.array(owner_now, dtype=np.int64)
    inside: list[tuple[dt.date, np.ndarray]] = []
    for change in reversed(list(changes)):
        if change.day >= period.end:
            owner[change.cells] = change.before
            continue
        if change.day <= period.start:
            break
        if not inside or inside[-1][0] != change.day:
            inside.append((change.day, owner.copy()))
        owner[change.cells] = change.before
    spans = [(period.start, owner.copy())]
    spans.extend(reversed(inside))
    return spans


@dataclass(frozen=True)
class TrackingInput:
    """One period's facts, by account position (the market's account order).

    Attributes
    ----------
    rep_ids, reps
        Rep ids in position order and the reps frame (``region``/``district`` columns).
    segment, tam, planned_per_year
        Per account: its segment, annual TAM and visits planned per year.
    spans
        Account owners (rep position, -1 unassigned) from each span's first day on.
    revenue, previous_revenue
        Per account, this period's and the previous period's revenue (0 where none;
        ``previous_revenue`` None when that period holds no actuals).
    visit_day, visit_account
        Per visit made: its date and its account's position.
    targets
        Annual target per rep (money), or None (attainment then NaN).
    """

    period: Period
    rep_ids: Sequence[str]
    reps: pd.DataFrame
    segment: np.ndarray
    tam: np.ndarray
    planned_per_year: np.ndarray
    spans: Sequence[tuple[dt.date, np.ndarray]]
    revenue: np.ndarray
    previous_revenue: np.ndarray | None
    visit_day: np.ndarray
    visit_account: np.ndarray
    targets: np.ndarray | None


@dataclass(frozen=True)
class Tracking:
    """The tracking table (``COLUMNS``; one row per rep, district, region, then TOTAL).

    ``split_accounts`` counts accounts that had more than one owner (or a time without
    one) during the period; ``unassigned_revenue`` is revenue of days nobody owned.
    """

    period: Period
    table: pd.DataFrame
    split_accounts: int
    unassigned_revenue: float

    def level(self, level: str) -> pd.DataFrame:
        """The rows of one level, indexed by ``rep_id``."""
        return self.table[self.table["level"] == level].set_index("rep_id", drop=False)


def _span_weights(inp: TrackingInput) -> list[tuple[float, np.ndarray]]:
    period = inp.period
    starts = [s for s, _ in inp.spans] + [period.end]
    out = []
    for k, (start, owner) in enumerate(inp.spans):
        days = (min(starts[k + 1], period.end) - max(start, period.start)).days
        if days > 0:
            out.append((days / period.days, np.asarray(owner, np.int64)))
    return out


def _visit_owner(inp: TrackingInput) -> np.ndarray:
    starts = np.array([np.datetime64(s, "D") for s, _ in inp.spans])
    days = np.asarray(inp.visit_day, dtype="datetime64[D]")
    k = np.searchsorted(starts, days, side="right") - 1
    k = np.clip(k, 0, len(starts) - 1)
    owners = (
        np.stack([np.asarray(o, np.int64) for _, o in inp.spans])
        if len(inp.spans)
        else (np.zeros((1, len(inp.tam)), np.int64) - 1)
    )
    return (
        owners[k, np.asarray(inp.visit_account, np.int64)] if len(days) else np.zeros(0, np.int64)
    )


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, np.float64), np.asarray(den, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _group_rows(inp: TrackingInput, member: np.ndarray, labels: list[str], level: str,
                names: list[str]) -> pd.DataFrame:  # fmt: skip
    """Every figure summed over the groups ``member`` maps rep positions to."""
    g = len(labels)
    frac = inp.period.year_fraction
    weights = _span_weights(inp)
    seg = np.asarray(inp.segment).astype(str)
    planned_acc = np.asarray(inp.planned_per_year, np.float64) * frac
    tam_p = np.asarray(inp.tam, np.float64) * frac
    rev = np.asarray(inp.revenue, np.float64)
    prev = None if inp.previous_revenue is None else np.asarray(inp.previous_revenue, np.float64)

    def group_of(owner: np.ndarray) -> np.ndarray:
        return np.where(owner >= 0, member[np.clip(owner, 0, None)], -1)

    sums = {k: np.zeros(g) for k in ("revenue", "tam", "prev", "planned",
                                     *(f"planned_{s}" for s in SEGMENTS))}  # fmt: skip
    pairs_planned: set[tuple[int, int]] = set()
    for w, owner in weights:
        grp = group_of(owner)
        ok = grp >= 0
        sums["revenue"] += np.bincount(grp[ok], rev[ok] * w, minlength=g)
        sums["tam"] += np.bincount(grp[ok], tam_p[ok] * w, minlength=g)
        if prev is not None:
            sums["prev"] += np.bincount(grp[ok], prev[ok] * w, minlength=g)
        sums["planned"] += np.bincount(grp[ok], planned_acc[ok] * w, minlength=g)
        for s in SEGMENTS:
            m = ok & (seg == s)
            sums[f"planned_{s}"] += np.bincount(grp[m], planned_acc[m] * w, minlength=g)
        has_plan = ok & (planned_acc > 0)
        pairs_planned.update(zip(np.flatnonzero(has_plan).tolist(), grp[has_plan].tolist(),
                                 strict=True))  # fmt: skip
    vgrp = group_of(_visit_owner(inp))
    vacc = np.asarray(inp.visit_account, np.int64)
    vok = vgrp >= 0
    made = np.bincount(vgrp[vok], minlength=g).astype(np.float64)
    made_seg = {s: np.bincount(vgrp[vok & (seg[vacc] == s)] if len(vacc) else np.zeros(0, np.int64),
                               minlength=g).astype(np.float64) for s in SEGMENTS}  # fmt: skip
    visited_pairs = set(zip(vacc[vok].tolist(), vgrp[vok].tolist(), strict=True))
    planned_n = np.zeros(g)
    visited_n = np.zeros(g)
    for a, grp_i in pairs_planned:
        planned_n[grp_i] += 1
        if (a, grp_i) in visited_pairs:
            visited_n[grp_i] += 1
    target = (
        np.full(g, np.nan)
        if inp.targets is None
        else np.bincount(member, np.asarray(inp.targets, np.float64), minlength=g) * frac
    )
    share = _ratio(sums["revenue"], sums["tam"])
    share_prev = _ratio(sums["prev"], sums["tam"]) if prev is not None else np.full(g, np.nan)
    out = pd.DataFrame({
        "level": level,
        "rep_id": labels,
        "name": names,
        "revenue": sums["revenue"],
        "target": target,
        "attainment": _ratio(sums["revenue"], target),
        "visits_made": made,
        "visits_planned": sums["planned"],
        "call_compliance": _ratio(made, sums["planned"]),
        **{f"call_compliance_{s}": _ratio(made_seg[s], sums[f"planned_{s}"]) for s in SEGMENTS},
        "planned_accounts": planned_n.astype(np.int64),
        "visited_accounts": visited_n.astype(np.int64),
        "coverage": _ratio(visited_n, planned_n),
        "market_share": share,
        "market_share_previous": share_prev,
        "market_share_change": share - share_prev,
    })  # fmt: skip
    return out[list(COLUMNS)]


def track(inp: TrackingInput) -> Tracking:
    """The tracking table of ``inp.period``: reps, districts, regions and the total."""
    ids = [str(r) for r in inp.rep_ids]
    groups = rep_groups(inp.reps)
    names = inp.reps["name"].astype(str).tolist() if "name" in inp.reps.columns else list(ids)
    frames = [_group_rows(inp, np.arange(len(ids)), ids, "rep", names)]
    for level in ("district", "region"):
        keys = (
            [
                district_label(r, d)
                for r, d in zip(groups["region"], groups["district"], strict=True)
            ]  # fmt: skip
            if level == "district"
            else list(groups["region"])
        )
        order = list(dict.fromkeys(keys))
        member = np.array([order.index(k) for k in keys], dtype=np.int64)
        counts = [reps_label(int((member == i).sum())) for i in range(len(order))]
        frames.append(_group_rows(inp, member, order, level, counts))
    frames.append(_group_rows(inp, np.zeros(len(ids), np.int64), [TOTAL_ID], "total",
                              [reps_label(len(ids))]))  # fmt: skip
    table = pd.concat(frames, ignore_index=True)
    weights = _span_weights(inp)
    owners = np.stack([o for _, o in weights]) if weights else np.zeros((1, len(inp.tam)))
    split = int((owners != owners[0]).any(axis=0).sum())
    unassigned = sum(float(np.asarray(inp.revenue, float)[o < 0].sum()) * w for w, o in weights)
    return Tracking(inp.period, table, split, unassigned)


def flags(table: pd.DataFrame, thresholds: dict[str, float]) -> pd.Series:
    """Per row, the metrics below the manager's thresholds ("attainment 72% < 80%"), or "".

    ``thresholds`` maps a metric of ``METRICS`` to its least acceptable ratio (0.8 = 80 %);
    a metric without a value (no target, nothing planned) is not flagged.
    """
    texts = []
    for _, row in table.iterrows():
        parts = []
        for metric, least in thresholds.items():
            value = row.get(metric)
            if value is not None and value == value and value < least:
                parts.append(f"{metric.replace('_', ' ')} {value:.0%} < {least:.0%}")
        texts.append("; ".join(parts))
    return pd.Series(texts, index=table.index, name="flag", dtype=object)


def trend(trackings: Sequence[Tracking], rep_id: str) -> pd.DataFrame:
    """One rep's attainment, call compliance and coverage over the periods (oldest first)."""
    rows = []
    for t in sorted(trackings, key=lambda t: t.period):
        reps = t.level("rep")
        if rep_id in reps.index:
            r = reps.loc[rep_id]
            rows.append({"period": t.period.label, **{m: float(r[m]) for m in METRICS}})
    return pd.DataFrame(rows, columns=["period", *METRICS])


def planned_visits(market: Market) -> np.ndarray:
    """Visits a year each account plans: its segment's call plan, with the effort plan applied.

    The same visits the workload counts (``planning.market``), so compliance judges the
    plan the reps were balanced on.
    """
    accounts = market.accounts
    seg_pos = pd.Index(SEGMENTS).get_indexer(accounts["segment"])
    plan = market.call_plan.reindex(list(SEGMENTS))
    visits = plan["visits_per_year"].to_numpy(np.float64)[seg_pos]
    minutes = plan["minutes_per_visit"].to_numpy(np.float64)[seg_pos]
    field = (plan["channel"].to_numpy() == "field")[seg_pos]
    visits, _, _ = apply_effort(
        market.share.effort, market.account_class, seg_pos, visits, minutes, field
    )
    return np.nan_to_num(np.asarray(visits, np.float64))


def account_spans(
    market: Market, cell_spans: Sequence[tuple[dt.date, np.ndarray]]
) -> list[tuple[dt.date, np.ndarray]]:
    """Cell owner spans as account owner spans (a pinned account stays with its rep)."""
    return [
        (day, np.where(market.account_pinned, market.account_rep, owner[market.account_cell]))
        for day, owner in cell_spans
    ]


def market_input(
    market: Market,
    period: Period,
    cell_spans: Sequence[tuple[dt.date, np.ndarray]],
    revenue: pd.Series,
    previous_revenue: pd.Series | None,
    visits: pd.DataFrame,
    targets: np.ndarray | None,
) -> TrackingInput:
    """A ``TrackingInput`` from a market and the period's actuals keyed by account id.

    ``revenue`` (and ``previous_revenue``) map account ids to money (missing: 0);
    ``visits`` has ``date`` and ``account_id`` (ids the market does not hold are skipped:
    the import refused them already).
    """
    ids = pd.Index(market.accounts["account_id"].astype(str))
    rev = revenue.reindex(ids).fillna(0.0).to_numpy(np.float64)
    prev = (
        None
        if previous_revenue is None
        else previous_revenue.reindex(ids).fillna(0.0).to_numpy(np.float64)
    )
    where = ids.get_indexer(visits["account_id"].astype(str)) if len(visits) else np.zeros(0, int)
    known = where >= 0
    days = pd.to_datetime(visits["date"]).to_numpy("datetime64[D]") if len(visits) else np.zeros(
        0, "datetime64[D]")  # fmt: skip
    return TrackingInput(
        period=period,
        rep_ids=[str(r) for r in market.rep_ids],
        reps=market.reps,
        segment=market.accounts["segment"].astype(str).to_numpy(),
        tam=market.accounts["tam"].to_numpy(np.float64),
        planned_per_year=planned_visits(market),
        spans=account_spans(market, cell_spans),
        revenue=rev,
        previous_revenue=prev,
        visit_day=days[known],
        visit_account=where[known].astype(np.int64),
        targets=targets,
    )


def cell_values(market: Market, owner: np.ndarray, reps: pd.DataFrame, metric: str) -> np.ndarray:
    """Per cell, its owner's ``metric`` (NaN for unassigned cells or reps without a value)."""
    values = reps.reindex([str(r) for r in market.rep_ids])[metric].to_numpy(np.float64)
    owner = np.asarray(owner, np.int64)
    return np.where(owner >= 0, values[np.clip(owner, 0, None)], np.nan)
