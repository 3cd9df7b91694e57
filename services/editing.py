"""Editing a stored scenario: the one path every move, lock, undo and redo takes.

Each call reads the scenario (owners, locks, tally) from the store, makes the
new plan with the pure ``planning.editing`` and the incremental tally, and
writes it back with compare-and-set on the version. Nothing is kept between
calls but immutable boards (market, baseline, display levels) memoised per
worker, so any gunicorn worker can answer any request.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from common.errors import NothingToUndoError, ScenarioNotFoundError, StaleVersionError
from common.logs import timed
from data.store import ScenarioInfo, ScenarioRecord, Store
from data.tallies import tally_from_bytes, tally_to_bytes
from geo.lod import display_levels
from planning.arrays import frozen
from planning.autobalance import balance_plan
from planning.baseline import OwnerChanges, baseline_plan, convert_plan
from planning.editing import (
    ACTIONS,
    Board,
    Edit,
    Selection,
    Step,
    Tool,
    edited,
    selected_cells,
    stepped,
)
from planning.hierarchy import balance_region
from planning.market import Market
from planning.matching import fit_change_text  # issue 15
from planning.names import WORKING_PLAN, resolution_name, unique_name
from planning.optimizer import BalanceResult
from planning.optimizer import Settings as BalanceSettings
from planning.plan import Plan
from planning.tally import full_tally
from services.areas import new_market
from services.market_cache import keep_market, market_key
from services.scenario_settings import scenario_market
from services.totals import require_account_rows

__all__ = [
    "Balanced",
    "Board",
    "Edit",
    "Edited",
    "apply",
    "at_resolution",
    "balance_to_new_scenario",
    "balanced_since",
    "board",
    "edit",
    "ensure_scenarios",
    "load",
    "load_with_record",
    "open_store",
    "scenario",
    "scenario_exists",
    "step",
    "tally_from_bytes",
    "tally_to_bytes",
    "team",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Edited:
    """An edit as the map shows it: the board it was drawn on, and the edit.

    ``stale`` means the scenario had moved on since the page read it: nothing
    was written, and ``edit`` holds the current plan and version (no cells
    changed) for the page to show instead.
    """

    board: Board
    edit: Edit
    stale: bool = False


@dataclass(frozen=True)
class Balanced:
    """An auto-balance run kept as a new scenario: its id and name, and what the optimizer did."""

    scenario_id: int
    name: str
    result: BalanceResult


@lru_cache(maxsize=8)
def open_store(url: str) -> Store:
    """One connection pool per URL and worker (a pool, not application state)."""
    return Store(url)


@lru_cache(maxsize=6)
def board(url: str, dataset_id: int, resolution: int, area_id: int | None) -> Board:
    """Build (once per worker) the market of a stored dataset on a stored tiling.

    Memoised: the same arguments always give an equal board, so which
    worker built it does not matter. The market comes from
    ``services.scenario_settings.scenario_market``, as in the exports (issue 12).
    """
    # issue 18: one build at a time, and a board another thread just built is not built again
    # (the start-up warm-up in services.warmup and a first page may ask for it at once)
    with _BOARD_LOCK:
        key = (url, dataset_id, resolution, area_id)
        built = _BUILT.get(key)
        if built is not None:
            return built
        market = scenario_market(open_store(url), dataset_id, resolution, area_id)
        plan, _ = baseline_plan(market)
        built = Board(dataset_id, market, plan, display_levels(market.area))
        _BUILT[key] = built
        return built


_BOARD_LOCK = threading.Lock()
_BUILT: weakref.WeakValueDictionary[tuple[str, int, int, int | None], Board] = (
    weakref.WeakValueDictionary()
)  # boards alive in board()'s cache (or in use): what a waiting thread takes


def ensure_scenarios(
    url: str,
    name: str,
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame,
    resolution: int | None = None,
    working_name: str = WORKING_PLAN,
) -> tuple[int, int]:
    """Store the data set once; make its baseline and a first working scenario; return ids.

    Idempotent, and safe when several workers start at once. ``working_name``
    names the working scenario only when it is created (a data set stored
    earlier keeps its scenarios as they are).
    """
    store = open_store(url)
    dataset_id = store.ensure_dataset(name, accounts, reps, call_plan)
    market = new_market(accounts, reps, call_plan, resolution=resolution)
    plan, _ = baseline_plan(market)
    baseline_id = store.ensure_baseline(
        dataset_id, market.area.resolution, plan.owner, plan.locked,
        tally=tally_to_bytes(plan.tally), area_cells=market.area.cells,
    )  # fmt: skip
    working = _working_scenario(store, dataset_id, baseline_id, working_name)
    _keep_imported_market(store, dataset_id, baseline_id, market)  # issue 18: its own commit
    return dataset_id, working


def _working_scenario(store: Store, dataset_id: int, baseline_id: int, working_name: str) -> int:
    """The data set's first editable scenario, made from the baseline when it has none."""
    existing = [s for s in store.scenarios(dataset_id) if not s.baseline]
    if existing:
        return existing[0].id
    try:
        working = store.duplicate_scenario(baseline_id, working_name)
    except Exception:  # noqa: BLE001 - another worker created it first
        again = [s for s in store.scenarios(dataset_id) if not s.baseline]
        if not again:
            raise
        return again[0].id
    logger.info("working scenario created: scenario=%s dataset=%s", working, dataset_id)
    return working


def _keep_imported_market(store: Store, dataset_id: int, baseline_id: int, market: Market) -> None:
    """Issue 18: keep the market just built for the baseline, so no worker builds it again.

    Kept only when the baseline is on the very tiling built here (a baseline stored earlier may
    be on another), and keyed as ``scenario_market`` looks it up, with the frames as stored.
    """
    info = store.scenario(baseline_id)
    if info.area_id is None or info.n_cells != market.n_cells:
        return
    if not np.array_equal(store.area_cells(info.area_id), market.area.cells):
        return
    key = market_key(store, dataset_id, info.resolution, info.area_id)
    if store.cached_market(key) is None:
        frames = store.load_dataset(dataset_id)
        keep_market(store, key, dataset_id, info.resolution, market, frames)


def load(url: str, scenario_id: int) -> tuple[Board, Plan, int]:
    """The scenario's board, its plan (tally from the row, or recounted) and version."""
    record, b, plan = load_with_record(url, scenario_id)
    return b, plan, record.version


def load_with_record(url: str, scenario_id: int) -> tuple[ScenarioRecord, Board, Plan]:
    """The stored scenario row with its board and plan, read once (its version is the row's)."""
    record = open_store(url).scenario(scenario_id)
    b = board(url, record.dataset_id, record.resolution, record.area_id)
    tally = tally_from_bytes(record.tally) if record.tally else full_tally(b.market, record.owner)
    plan = Plan(b.market, frozen(record.owner), frozen(record.locked), tally)
    return record, b, plan


def scenario(url: str, scenario_id: int) -> ScenarioInfo:
    """The stored scenario (name, resolution, version...); ``ScenarioNotFoundError`` if gone."""
    return open_store(url).scenario(scenario_id)


def scenario_exists(url: str, scenario_id: int) -> bool:
    """Whether the scenario is still stored (a page may remember one deleted meanwhile)."""
    try:
        open_store(url).scenario(scenario_id)
    except ScenarioNotFoundError:
        return False
    return True


def team(url: str, scenario_id: int) -> tuple[list[str], list[str]]:
    """Rep ids and names of the scenario's data set (data sets may have different teams)."""
    b, _, _ = load(url, scenario_id)
    reps = b.market.reps
    return list(reps["rep_id"].astype(str)), list(reps["name"].astype(str))


def apply(
    url: str, scenario_id: int, version: int, action: Tool | str, cells: np.ndarray,
    rep: int | None, user: str | None = None, plan: Plan | None = None,
) -> Edit:  # fmt: skip
    """Move cells (positions) to ``rep``, or lock/unlock them, and save the step.

    ``plan`` is the scenario as the caller just loaded it (saves reading it
    twice per move); the store's compare-and-set still guards the write.
    Raises ``StaleVersionError`` when the scenario moved on since ``version``.
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    tool = Tool(action)
    with timed(logger, f"{tool.value} written", scenario=scenario_id) as extra:
        if plan is None:
            _, plan, _ = load(url, scenario_id)
        change = edited(plan, tool, cells, rep)
        after, touched = change.after, change.touched
        new_version = open_store(url).commit_move(
            scenario_id, version, kind=tool.value, cells=touched, before=plan.owner[touched],
            after_rep=(-1 if rep is None else rep) if tool is Tool.MOVE else None,
            owner=after.owner, locked=after.locked, tally=tally_to_bytes(after.tally), user=user,
        )  # fmt: skip
        changed = change.changed
        extra.update(cells=len(changed), version=new_version)
    return Edit(after, new_version, changed, change.skipped_locked)


def step(
    url: str, scenario_id: int, version: int, *, redo: bool, user: str | None = None,
    plan: Plan | None = None,
) -> Edit:  # fmt: skip
    """Undo (or redo) the last move; ``NothingToUndoError`` when there is none."""
    what = Step.REDO if redo else Step.UNDO
    with timed(logger, f"{what.value} written", scenario=scenario_id) as extra:
        store = open_store(url)
        if plan is None:
            _, plan, _ = load(url, scenario_id)
        record = store.redoable(scenario_id) if redo else store.undoable(scenario_id)
        if record is None:
            raise NothingToUndoError(f"nothing to {what.value}")
        owner, locked = (record.replayed if redo else record.reverted)(plan.owner, plan.locked)
        change = stepped(plan, owner, locked)
        after = change.after
        new_version = (store.redo if redo else store.undo)(
            scenario_id, version, owner=after.owner, locked=after.locked,
            tally=tally_to_bytes(after.tally), user=user,
        )  # fmt: skip
        extra.update(cells=len(change.touched), version=new_version)
    return Edit(after, new_version, change.touched)


def edit(url: str, scenario_id: int, version: int, change: Selection | Step) -> Edited:
    """What the map asks: apply a selection (units of a display level) or undo/redo one step.

    The scenario is read once; a stale ``version`` is not an error here but an
    answer (``Edited.stale``) holding the current plan for the page to show.
    ``NothingToUndoError`` and ``ReadOnlyScenarioError`` are raised as they are.
    """
    b, plan, _ = load(url, scenario_id)
    try:
        if isinstance(change, Selection):
            cells = selected_cells(b.levels, change)
            rep = None if change.rep_id is None else b.market.rep_position(change.rep_id)
            result = apply(url, scenario_id, version, change.tool, cells, rep, plan=plan)
        else:
            result = step(url, scenario_id, version, redo=change is Step.REDO, plan=plan)
    except StaleVersionError:
        _, current, current_version = load(url, scenario_id)
        return Edited(b, Edit(current, current_version, np.zeros(0, np.int64)), stale=True)
    return Edited(b, result)


def at_resolution(url: str, scenario_id: int, resolution: int) -> tuple[int, OwnerChanges]:
    """A new scenario holding this one's plan at another resolution (the core's conversion).

    The original stays as it was; the new one is named after it and linked
    to it, so the change is one click to compare or undo by switching back.
    """
    with timed(logger, "scenario converted", scenario=scenario_id, resolution=resolution) as extra:
        store = open_store(url)
        _, plan, _ = load(url, scenario_id)
        record = store.scenario(scenario_id)
        require_account_rows(store, record.dataset_id, "another cell size")  # issue 18 point 4
        accounts, reps, call_plan = store.load_dataset(record.dataset_id)
        target = new_market(accounts, reps, call_plan, resolution=resolution)
        converted, changes = convert_plan(plan, target)
        names = {s.name for s in store.scenarios(record.dataset_id)}
        name = unique_name(names, resolution_name(record.name, resolution))
        new_id = store.create_scenario(
            record.dataset_id, name, resolution, converted.owner, converted.locked,
            tally=tally_to_bytes(converted.tally), settings=record.settings,
            parent_id=scenario_id, area_cells=target.area.cells,
        )  # fmt: skip
        store.ensure_baseline(
            record.dataset_id, resolution, *_baseline_arrays(target), area_cells=target.area.cells
        )
        extra.update(dataset=record.dataset_id, new_scenario=new_id)
    return new_id, changes


def _baseline_arrays(market: Market) -> tuple[np.ndarray, np.ndarray]:
    plan, _ = baseline_plan(market)
    return plan.owner, plan.locked


def balance_to_new_scenario(
    url: str,
    scenario_id: int,
    settings: BalanceSettings,
    *,
    name: str | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    region: str | None = None,
    experience_weight: float = 0.0,
) -> Balanced:
    """Auto-balance a scenario into a new one linked to it; the original is never touched.

    ``region`` limits the run to that region's reps and cells (issue 14): every other
    cell stays as it is, and fair share is the region's. ``experience_weight`` above 0
    prefers experienced reps on contested ground (issue 15). Returns the new scenario's id
    and name, and the optimizer's result.
    """
    with timed(logger, "auto-balance run", scenario=scenario_id, mode=settings.mode,
               region=region or "all") as extra:  # fmt: skip
        store = open_store(url)
        _, plan, _ = load(url, scenario_id)
        record = store.scenario(scenario_id)
        extra["dataset"] = record.dataset_id
        if region is None:
            proposal, result = balance_plan(
                plan, settings, rng=settings.seed, should_stop=should_stop, progress=progress,
                experience_weight=experience_weight,
            )  # fmt: skip
        else:
            proposal, result = balance_region(
                plan, region, settings, rng=settings.seed, should_stop=should_stop,
                progress=progress, experience_weight=experience_weight,
            )  # fmt: skip
        fit = fit_change_text(plan, proposal)  # issue 15: experience fit before and after
        if fit:
            result = replace(result, messages=(*result.messages, fit))
        names = {s.name for s in store.scenarios(record.dataset_id)}
        within = f" ({region})" if region else ""
        base = name or f"Auto-balance of {record.name}{within}"
        new_name = unique_name(names, base)
        new_id = store.create_scenario(
            record.dataset_id, new_name, record.resolution, proposal.owner, proposal.locked,
            tally=tally_to_bytes(proposal.tally), parent_id=scenario_id,
            settings={**record.settings,
                      "autobalance": {**_settings_record(settings, result), "region": region,
                                      "experience_weight": experience_weight}},
            area_cells=plan.market.area.cells,
        )  # fmt: skip
        extra.update(
            new_scenario=new_id,
            worst_deviation=f"{float(result.worst_deviation):.4f}",
            disruption=f"{float(result.disruption):.4f}",
            stopped_early=bool(result.stopped_early),
        )
    return Balanced(new_id, new_name, result)


def balanced_since(url: str, scenario_id: int, since: datetime) -> list[str]:
    """Names of the auto-balance results of this scenario stored at or after ``since``.

    What a cancelled run kept, if it had got as far as storing its result (issue 12
    point 7f).
    """
    store = open_store(url)
    record = store.scenario(scenario_id)
    return [
        s.name
        for s in store.scenarios(record.dataset_id)
        if s.parent_id == scenario_id
        and s.resolution == record.resolution
        and "autobalance" in s.settings
        and s.created_at >= since
    ]


def _settings_record(settings: BalanceSettings, result: BalanceResult) -> dict[str, Any]:
    """What was asked and what came out, kept with the scenario (JSON-safe)."""
    return {
        "mode": settings.mode,
        "balance": [list(p) for p in settings.balance],
        "tolerance": settings.tolerance,
        "disruption_cap": settings.disruption_cap,
        "seed": settings.seed,
        "worst_deviation": float(result.worst_deviation),
        "disruption": float(result.disruption),
        "runtime_s": float(result.runtime),
        "stopped_early": bool(result.stopped_early),
    }
