"""Editing a stored scenario: the one path every move, lock, undo and redo takes.

Each call reads the scenario (owners, locks, tally) from the store, applies
the change to the plan value with the incremental tally, and writes it back
with compare-and-set on the version. Nothing is kept between calls but
immutable boards (market, baseline, display levels) memoised per worker, so
any gunicorn worker can answer any request.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from data.store import Store
from geo.area import area_from_cells
from geo.lod import DisplayLevel, display_levels
from planning.arrays import frozen
from planning.baseline import OwnerChanges, baseline_plan, convert_plan
from planning.market import Market, build_market
from planning.names import unique_name
from planning.plan import Plan, reassign, split_locked
from planning.tally import Tally, full_tally, moved_tally

ACTIONS = ("move", "lock", "unlock")


@dataclass(frozen=True, eq=False)
class Board:
    """What never changes for one dataset at one tiling: the market, its baseline, its LOD."""

    dataset_id: int
    market: Market
    baseline: Plan
    levels: list[DisplayLevel]


@dataclass(frozen=True, eq=False)
class Edit:
    """The outcome of one action: the new plan and version, and what it touched."""

    plan: Plan
    version: int
    changed: np.ndarray
    skipped_locked: int = 0


def tally_to_bytes(tally: Tally) -> bytes:
    """Serialise a tally (a handful of small arrays) for the scenario row."""
    buffer = io.BytesIO()
    np.savez(buffer, **{f.name: np.asarray(getattr(tally, f.name)) for f in fields(Tally)})
    return buffer.getvalue()


def tally_from_bytes(blob: bytes) -> Tally:
    """Inverse of ``tally_to_bytes``."""
    with np.load(io.BytesIO(blob)) as data:
        values = {f.name: data[f.name] for f in fields(Tally)}
    for name in ("moved_accounts", "moved_tam", "moved_revenue"):
        values[name] = int(values[name])
    return Tally(**values)


@lru_cache(maxsize=8)
def open_store(url: str) -> Store:
    """One connection pool per URL and worker (a pool, not application state)."""
    return Store(url)


@lru_cache(maxsize=6)
def board(url: str, dataset_id: int, resolution: int, area_id: int | None) -> Board:
    """Build (once per worker) the market of a stored dataset on a stored tiling.

    Memoised: the same arguments always give an equal board, so which
    worker built it does not matter.
    """
    store = open_store(url)
    accounts, reps, call_plan = store.load_dataset(dataset_id)
    area = area_from_cells(store.area_cells(area_id), resolution) if area_id is not None else None
    market = build_market(accounts, reps, call_plan, resolution=resolution, area=area)
    plan, _ = baseline_plan(market)
    return Board(dataset_id, market, plan, display_levels(market.area))


def ensure_scenarios(
    url: str, name: str, accounts, reps, call_plan, resolution: int | None = None
) -> tuple[int, int]:
    """Store the data set once; make its baseline and a first working scenario; return ids.

    Idempotent, and safe when several workers start at once.
    """
    store = open_store(url)
    dataset_id = store.ensure_dataset(name, accounts, reps, call_plan)
    market = build_market(accounts, reps, call_plan, resolution=resolution)
    plan, _ = baseline_plan(market)
    baseline_id = store.ensure_baseline(
        dataset_id, market.area.resolution, plan.owner, plan.locked,
        tally=tally_to_bytes(plan.tally), area_cells=market.area.cells,
    )  # fmt: skip
    existing = [s for s in store.scenarios(dataset_id) if not s.baseline]
    if existing:
        return dataset_id, existing[0].id
    try:
        return dataset_id, store.duplicate_scenario(baseline_id, "Working plan")
    except Exception:  # noqa: BLE001 - another worker created it first
        again = [s for s in store.scenarios(dataset_id) if not s.baseline]
        if not again:
            raise
        return dataset_id, again[0].id


def load(url: str, scenario_id: int) -> tuple[Board, Plan, int]:
    """The scenario's board, its plan (tally from the row, or recounted) and version."""
    record = open_store(url).scenario(scenario_id)
    b = board(url, record.dataset_id, record.resolution, record.area_id)
    tally = tally_from_bytes(record.tally) if record.tally else full_tally(b.market, record.owner)
    plan = Plan(b.market, frozen(record.owner), frozen(record.locked), tally)
    return b, plan, record.version


def apply(
    url: str, scenario_id: int, version: int, action: str, cells: np.ndarray, rep: int | None,
    user: str | None = None, plan: Plan | None = None,
) -> Edit:  # fmt: skip
    """Move cells (positions) to ``rep``, or lock/unlock them, and save the step.

    ``plan`` is the scenario as the caller just loaded it (saves reading it
    twice per move); the store's compare-and-set still guards the write.
    Raises ``StaleVersionError`` when the scenario moved on since ``version``.
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    if plan is None:
        _, plan, _ = load(url, scenario_id)
    cells = np.unique(np.asarray(cells, dtype=np.int64))
    if action == "move":
        movable, locked = split_locked(plan, cells)
        after = reassign(plan, movable, -1 if rep is None else rep)
        touched, skipped = movable, len(locked)
    else:
        flags = plan.locked.copy()
        flags[cells] = action == "lock"
        after = Plan(plan.market, plan.owner, frozen(flags), plan.tally)
        touched, skipped = cells, 0
    store = open_store(url)
    new_version = store.commit_move(
        scenario_id, version, kind=action, cells=touched, before=plan.owner[touched],
        after_rep=(-1 if rep is None else rep) if action == "move" else None,
        owner=after.owner, locked=after.locked, tally=tally_to_bytes(after.tally), user=user,
    )  # fmt: skip
    changed = np.flatnonzero((after.owner != plan.owner) | (after.locked != plan.locked))
    return Edit(after, new_version, changed, skipped)


def step(
    url: str, scenario_id: int, version: int, *, redo: bool, user: str | None = None,
    plan: Plan | None = None,
) -> Edit:  # fmt: skip
    """Undo (or redo) the last move; ``NothingToUndoError`` when there is none."""
    store = open_store(url)
    if plan is None:
        _, plan, _ = load(url, scenario_id)
    record = store.redoable(scenario_id) if redo else store.undoable(scenario_id)
    if record is None:
        from data.store import NothingToUndoError

        raise NothingToUndoError(f"nothing to {'redo' if redo else 'undo'}")
    owner, locked = (record.replayed if redo else record.reverted)(plan.owner, plan.locked)
    changed = np.flatnonzero(owner != plan.owner)
    tally = moved_tally(plan.market, plan.tally, plan.owner, owner, changed)
    after = Plan(plan.market, frozen(owner), frozen(locked), tally)
    kwargs = dict(owner=after.owner, locked=after.locked, tally=tally_to_bytes(tally), user=user)
    new_version = (store.redo if redo else store.undo)(scenario_id, version, **kwargs)
    changed = np.flatnonzero((after.owner != plan.owner) | (after.locked != plan.locked))
    return Edit(after, new_version, changed)


def at_resolution(url: str, scenario_id: int, resolution: int) -> tuple[int, OwnerChanges]:
    """A new scenario holding this one's plan at another resolution (the core's conversion).

    The original stays as it was; the new one is named after it and linked
    to it, so the change is one click to compare or undo by switching back.
    """
    store = open_store(url)
    b, plan, _ = load(url, scenario_id)
    record = store.scenario(scenario_id)
    accounts, reps, call_plan = store.load_dataset(record.dataset_id)
    target = build_market(accounts, reps, call_plan, resolution=resolution)
    converted, changes = convert_plan(plan, target)
    names = {s.name for s in store.scenarios(record.dataset_id)}
    name = unique_name(names, f"{record.name} @ res {resolution}")
    new_id = store.create_scenario(
        record.dataset_id, name, resolution, converted.owner, converted.locked,
        tally=tally_to_bytes(converted.tally), settings=record.settings, parent_id=scenario_id,
        area_cells=target.area.cells,
    )  # fmt: skip
    store.ensure_baseline(
        record.dataset_id, resolution, *_baseline_arrays(target), area_cells=target.area.cells
    )
    return new_id, changes


def _baseline_arrays(market: Market) -> tuple[np.ndarray, np.ndarray]:
    plan, _ = baseline_plan(market)
    return plan.owner, plan.locked


def balance_to_new_scenario(
    url: str,
    scenario_id: int,
    settings,
    *,
    name: str | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[dict], None] | None = None,
):
    """Auto-balance a scenario into a new one linked to it; the original is never touched.

    Returns the new scenario id and the optimizer's result.
    """
    from planning.autobalance import balance_plan

    store = open_store(url)
    _, plan, _ = load(url, scenario_id)
    record = store.scenario(scenario_id)
    proposal, result = balance_plan(
        plan, settings, rng=settings.seed, should_stop=should_stop, progress=progress
    )
    names = {s.name for s in store.scenarios(record.dataset_id)}
    base = name or f"Auto-balance of {record.name}"
    new_name = unique_name(names, base)
    new_id = store.create_scenario(
        record.dataset_id, new_name, record.resolution, proposal.owner, proposal.locked,
        tally=tally_to_bytes(proposal.tally), parent_id=scenario_id,
        settings={**record.settings, "autobalance": _settings_record(settings, result)},
        area_cells=plan.market.area.cells,
    )  # fmt: skip
    return new_id, result


def _settings_record(settings, result) -> dict:
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
