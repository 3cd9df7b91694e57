"""Tracking a scenario's plan against the stored actuals; planning the next quarter from them.

The figures are pure (``planning.tracking``); this module gathers what they need for a
stored scenario and period: the market and plan, the owners in force over the period
(replayed backwards from the scenario's move log, whose rows carry timestamps), the
period's and the previous period's actuals, and the targets kept with the scenario.
A scenario's log starts when the scenario was made: before that, its first plan counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from common.logs import timed
from data.actuals import ActualsFile, read_actuals
from data.mapping import load_mapping
from data.store import Store
from planning.actuals import Period, parse_period, revenue_by_account
from planning.overlay import Layer
from planning.plan import Plan
from planning.targets import default_rule, describe_rule
from planning.tracking import (
    METRICS,
    OwnerChange,
    Tracking,
    cell_values,
    flags,
    market_input,
    owner_spans,
    track,
    trend,
)
from services import editing, overlay
from services.targets import rep_targets, scenario_rule
from services.totals import require_account_rows  # issue 18 point 4
from services.workspace import PlanFiles, open_plan_files

logger = logging.getLogger(__name__)


def _changes(url: str, scenario_id: int) -> list[OwnerChange]:
    """Every logged change of owners, in order, dated by its UTC day."""
    return [
        OwnerChange(m.at.astimezone(dt.UTC).date(), m.cells, m.before, m.after)
        for m in editing.open_store(url).moves(scenario_id)
    ]


def _overlay_changes(url: str, scenario_id: int) -> list[OwnerChange]:
    """Issue 15 (h15d): every logged change of the overlay layer, in order, by UTC day."""
    return [
        OwnerChange(m.at.astimezone(dt.UTC).date(), m.cells, m.before, m.after)
        for m in editing.open_store(url).overlay_moves(scenario_id)
    ]


def _tracking(url: str, scenario_id: int, plan: Plan, dataset_id: int, period: Period,
              stored: list[str], layer: Layer = Layer.FIELD) -> Tracking:  # fmt: skip
    store = editing.open_store(url)
    previous = period.previous()
    prev = store.actual_revenue(dataset_id, previous.label) if previous.label in stored else None
    if layer is Layer.OVERLAY:
        # issue 15 (h15d): the overlay plan follows its own log; the target rule splits the
        # company's target among the field reps, so overlay reps have none (attainment blank)
        targets, changes = None, _overlay_changes(url, scenario_id)
    else:
        targets = rep_targets(plan, scenario_rule(url, scenario_id, plan))
        changes = _changes(url, scenario_id)
    spans = owner_spans(period, plan.owner, changes)
    inp = market_input(
        plan.market,
        period,
        spans,
        store.actual_revenue(dataset_id, period.label),
        prev,
        store.actual_visits(dataset_id, period.label),
        targets,
    )
    return track(inp)


def scenario_tracking(
    url: str, scenario_id: int, period: str, layer: Layer = Layer.FIELD
) -> Tracking:
    """The tracking table of the scenario's plan for ``period`` (reps, districts, regions).

    ``layer`` overlay: the overlay layer's plan and reps (issue 15, h15d; the field layer when
    the team has no overlay).
    """
    chosen = parse_period(period)
    with timed(logger, "tracking read", scenario=scenario_id, period=chosen.label) as extra:
        record, _, plan = editing.load_with_record(url, scenario_id)
        plan, layer = _layer_plan(url, scenario_id, plan, layer)
        stored = editing.open_store(url).actual_periods(record.dataset_id)
        result = _tracking(url, scenario_id, plan, record.dataset_id, chosen, stored, layer)
        extra.update(dataset=record.dataset_id, split_accounts=result.split_accounts)
    return result


@dataclass(frozen=True)
class TrackingView:
    """What the Tracking tab shows for one period: the table, flags and the trend of a rep."""

    tracking: Tracking
    table: pd.DataFrame
    """The rows of the chosen level with a ``flag`` column."""
    trend: pd.DataFrame
    note: str
    rep_ids: list[str]
    """Every rep (the trend's choices), whatever the level."""


def tracking_view(
    url: str, scenario_id: int, period: str, level: str, thresholds: dict[str, float],
    trend_rep: str | None, layer: Layer = Layer.FIELD,
) -> TrackingView:  # fmt: skip
    """The tab's figures: ``level`` rows flagged below ``thresholds``, a rep's trend.

    ``layer`` overlay (issue 15, h15d) tracks the overlay reps on the overlay layer's plan and
    log (no targets: attainment is blank); the field layer when the team has no overlay.
    """
    record, _, plan = editing.load_with_record(url, scenario_id)
    plan, layer = _layer_plan(url, scenario_id, plan, layer)
    stored = editing.open_store(url).actual_periods(record.dataset_id)
    chosen = parse_period(period)
    with timed(logger, "tracking read", scenario=scenario_id, period=chosen.label,
               dataset=record.dataset_id, layer=layer.value):  # fmt: skip
        result = _tracking(url, scenario_id, plan, record.dataset_id, chosen, stored, layer)
        table = result.level(level).copy()
        table["flag"] = flags(table, thresholds)
        history = pd.DataFrame(columns=["period", *METRICS])
        if trend_rep:
            same = [parse_period(p) for p in stored if parse_period(p).months == chosen.months]
            runs = [
                result
                if p == chosen
                else _tracking(url, scenario_id, plan, record.dataset_id, p, stored, layer)
                for p in same
            ]
            history = trend(runs, trend_rep)
    note = (
        f"{chosen.label}: {result.split_accounts:,} account(s) changed owner during the period; "
        "their revenue and visits count for the owner of each day."
    )
    if layer is Layer.OVERLAY:  # issue 15 (h15d)
        note = f"Overlay layer (no targets: attainment is blank). {note}"
    reps = [str(r) for r in result.level("rep")["rep_id"]]
    return TrackingView(result, table.reset_index(drop=True), history, note, reps)


def cell_metric(url: str, scenario_id: int, period: str, metric: str) -> np.ndarray:
    """Per cell of the scenario's plan, its owner's ``metric`` for ``period`` (map colours)."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    _, _, plan = editing.load_with_record(url, scenario_id)
    reps = scenario_tracking(url, scenario_id, period).level("rep")
    return cell_values(plan.market, plan.owner, reps, metric)


@dataclass(frozen=True)
class NextQuarter:
    """The scenario "Plan next quarter" made: its id and name, on a data set of its own."""

    scenario_id: int
    name: str
    dataset_id: int
    updated_accounts: int
    text: str


def plan_next_quarter(url: str, scenario_id: int, period: str | None = None) -> NextQuarter:
    """A new scenario holding the current plan on the data set with the latest actuals.

    Each account with revenue in the period (the latest stored one without ``period``) gets
    that revenue scaled to a year as its revenue; the others keep theirs. The data set is
    stored anew (its revenue differs), with the current plan as its baseline and a working
    copy named for the next period, so balancing starts from the truth.
    """
    store = editing.open_store(url)
    record, _, plan = editing.load_with_record(url, scenario_id)
    require_account_rows(store, record.dataset_id, "planning the next quarter")  # issue 18
    stored = [parse_period(p) for p in store.actual_periods(record.dataset_id)]
    if not stored and period is None:
        raise ValueError("no actuals are stored for this data set yet: import a period first")
    chosen = parse_period(period) if period else max(stored, key=lambda p: (p.end, -p.months))
    with timed(logger, "next quarter planned", scenario=scenario_id,
               dataset=record.dataset_id, period=chosen.label) as extra:  # fmt: skip
        revenue = store.actual_revenue(record.dataset_id, chosen.label)
        accounts, reps, call_plan = store.load_dataset(record.dataset_id)
        ids = accounts["account_id"].astype(str)
        yearly = ids.map(revenue * (12 / chosen.months))
        has = yearly.notna().to_numpy()
        accounts = accounts.copy()
        accounts.loc[has, "revenue"] = yearly[has].to_numpy(np.float64)
        names = {d.name for d in store.datasets()}
        ds_name = _unique(names, f"{_dataset_name(store, record.dataset_id)} after {chosen.label}")
        new_ds = store.ensure_dataset(ds_name, accounts, reps, call_plan)
        base = store.ensure_baseline(
            new_ds, record.resolution, plan.owner, plan.locked, settings=dict(record.settings),
            area_cells=plan.market.area.cells,
        )  # fmt: skip
        taken = {s.name for s in store.scenarios(new_ds)}
        name = _unique(taken, f"{record.name}: plan for {chosen.next().label}")
        new_id = store.duplicate_scenario(base, name)
        overlay.carry_overlay(url, scenario_id, new_id)  # issue 15 (h15d): keep the overlay
        extra.update(new_scenario=new_id, new_dataset=new_ds, accounts=int(has.sum()))
    text = (
        f"{name}: the current plan with {chosen.label} revenue for {int(has.sum()):,} "
        "account(s), scaled to a year; the other accounts keep their revenue."
    )
    return NextQuarter(new_id, name, new_ds, int(has.sum()), text)


def _dataset_name(store: Store, dataset_id: int) -> str:
    return next((d.name for d in store.datasets() if d.id == dataset_id), f"data set {dataset_id}")


def _unique(taken: set[str], name: str) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"


def latest_period(url: str, scenario_id: int) -> str | None:
    """The stored period ending last (a quarter before a month ending with it), or None."""
    dataset_id = editing.scenario(url, scenario_id).dataset_id
    stored = [parse_period(p) for p in editing.open_store(url).actual_periods(dataset_id)]
    return max(stored, key=lambda p: (p.end, p.months)).label if stored else None


def _layer_plan(url: str, scenario_id: int, field: Plan, layer: Layer) -> tuple[Plan, Layer]:
    """The plan of ``layer`` (issue 15, h15d): the overlay's, or the field's when it has none."""
    over = overlay.overlay_plan_of(url, scenario_id) if layer is Layer.OVERLAY else None
    return (field, Layer.FIELD) if over is None else (over, Layer.OVERLAY)


def rep_values(
    url: str, scenario_id: int, metric: str, period: str | None, layer: Layer = Layer.FIELD
) -> np.ndarray:
    """Each rep's ``metric`` (by position) for ``period`` or the latest one; empty without actuals.

    What the map's tracking colour modes paint (``planning.mapview.TRACKING_MODES``); ``layer``
    overlay: the overlay reps' (by overlay rep position; issue 15, h15d).
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    dataset_id = editing.scenario(url, scenario_id).dataset_id
    stored = editing.open_store(url).actual_periods(dataset_id)
    chosen = period if period in stored else latest_period(url, scenario_id)  # another data set's
    if chosen is None:
        return np.zeros(0)
    _, _, plan = editing.load_with_record(url, scenario_id)
    plan, layer = _layer_plan(url, scenario_id, plan, layer)
    reps = scenario_tracking(url, scenario_id, chosen, layer).level("rep")
    ids = [str(r) for r in plan.market.rep_ids]
    return reps.reindex(ids)[metric].to_numpy(np.float64)


@dataclass(frozen=True)
class FileTracking:
    """``cli.py track``: the table, the checked files and the targets' rule in words."""

    tracking: Tracking
    files: tuple[ActualsFile, ...]
    rule: str


def track_files(
    files: PlanFiles,
    period: str,
    revenue: str | None,
    visits: str | None,
    *,
    resolution: int | None = None,
) -> FileTracking:
    """Track the plan the files describe (no move history: the plan held all period).

    Targets follow the default rule (revenue + 5 %, ``planning.targets.default_rule``).
    The actuals files go through the accounts' column mapping file as well.
    """
    chosen = parse_period(period)
    with timed(logger, "tracking read", accounts=files.accounts, period=chosen.label) as extra:
        plan, _ = open_plan_files(files, resolution=resolution)
        market = plan.market
        mapping = load_mapping(files.mapping) if files.mapping else None
        ids = market.accounts["account_id"].astype(str).tolist()
        reps = [str(r) for r in market.rep_ids]
        checked = tuple(
            read_actuals(path, kind, chosen, ids, reps, mapping=mapping)
            for kind, path in (("revenue", revenue), ("visits", visits))
            if path
        )
        rev = next((f for f in checked if f.kind == "revenue"), None)
        vis = next((f for f in checked if f.kind == "visits"), None)
        rule = default_rule(plan)
        inp = market_input(
            market,
            chosen,
            [(chosen.start, plan.owner)],
            revenue_by_account(rev.checked.kept) if rev else pd.Series(dtype=np.float64),
            None,
            vis.checked.kept if vis else pd.DataFrame(columns=["date", "account_id"]),
            rep_targets(plan, rule),
        )
        result = track(inp)
        extra.update(reps=len(reps), excluded=sum(f.checked.excluded for f in checked))
    return FileTracking(result, checked, describe_rule(rule))
