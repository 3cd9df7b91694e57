"""The overlay layer of a stored scenario (issue 15 section 3): read, move, balance, export.

A scenario's field layer is its own row (``services.editing``); its overlay layer is a row of
``overlay_plans`` (``data.store``) with a version of its own, on a market of the overlay reps
and the accounts their rules select, built on the scenario's tiling
(``services.areas.layer_market``). Until someone draws the overlay, it is last quarter's
overlay owners (``planning.baseline``). Moving overlay cells writes only that row, so the field
layer (owners, locks, tally, version) is never touched, and the other way round.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import PlanError, StaleVersionError
from common.logs import timed
from data.exports import export_plan
from planning.baseline import baseline_plan, convert_plan
from planning.editing import Board, Edit, Selection, Step, Tool, edited, selected_cells, stepped
from planning.market import Market
from planning.metrics import DEFAULT_TOLERANCE, rep_metrics
from planning.overlay import Layer, has_overlay
from planning.plan import Plan, reassign, split_locked
from planning.team import carried_owner
from services import editing
from services.areas import layer_market
from services.editing import Edited
from services.workspace import PathLike

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def overlay_market(url: str, dataset_id: int, resolution: int, area_id: int | None) -> Market:
    """The overlay layer's market of a stored data set on a stored tiling (memoised per key).

    Its area is the field board's, so both layers' cell positions agree.
    """
    store = editing.open_store(url)
    accounts, reps, call_plan = store.load_dataset(dataset_id)
    if not has_overlay(reps):
        raise PlanError("this team has no overlay reps (a reps-file column layer=overlay)")
    area = editing.board(url, dataset_id, resolution, area_id).market.area
    return layer_market(accounts, reps, call_plan, area, Layer.OVERLAY)


def has_overlay_layer(url: str, scenario_id: int) -> bool:
    """Whether the scenario's team has overlay reps (the map offers the layer switch)."""
    store = editing.open_store(url)
    _, reps, _ = store.load_dataset(store.scenario(scenario_id).dataset_id)
    return has_overlay(reps)


@dataclass(frozen=True, eq=False)
class OverlayState:
    """The overlay plan of a scenario and the version it was read at (0: never written)."""

    plan: Plan
    version: int


def load_overlay(url: str, scenario_id: int) -> OverlayState:
    """The scenario's overlay plan (last quarter's overlay owners until one is stored)."""
    store = editing.open_store(url)
    record = store.scenario(scenario_id)
    market = overlay_market(url, record.dataset_id, record.resolution, record.area_id)
    stored = store.overlay(scenario_id)
    if stored is None:
        plan, _ = baseline_plan(market)
        return OverlayState(plan, 0)
    return OverlayState(Plan.from_owner(market, stored.owner, stored.locked), stored.version)


@dataclass(frozen=True, eq=False)
class OverlayMove:
    """What an overlay move did: the new state, and the cells a lock kept where they were."""

    state: OverlayState
    moved: int
    kept_locked: int


def move_overlay(
    url: str, scenario_id: int, cells: np.ndarray, rep_id: str | None, expected_version: int
) -> OverlayMove:
    """Give overlay ``cells`` (positions) to ``rep_id`` (None: unassigned); field untouched.

    Compare-and-set on the overlay's version: a stale view raises ``StaleVersionError``.
    """
    with timed(logger, "overlay move written", scenario=scenario_id) as extra:
        state = load_overlay(url, scenario_id)
        market = state.plan.market
        if rep_id is None:
            rep = -1
        else:
            ids = [str(r) for r in market.rep_ids]
            if str(rep_id) not in ids:
                raise PlanError(f"{rep_id!r} is not an overlay rep")
            rep = ids.index(str(rep_id))
        cells = np.asarray(cells, np.int64)
        _, locked = split_locked(state.plan, cells)
        plan = reassign(state.plan, cells, rep)
        moved = int((plan.owner != state.plan.owner).sum())
        version = editing.open_store(url).save_overlay(
            scenario_id, plan.owner, plan.locked, expected_version,
            kind="move", before=(state.plan.owner, state.plan.locked),  # issue 15: undoable
        )  # fmt: skip
        extra.update(cells=moved, version=version)
    return OverlayMove(OverlayState(plan, version), moved, len(locked))


def overlay_metrics(
    url: str, scenario_id: int, tolerance: float = DEFAULT_TOLERANCE
) -> pd.DataFrame:
    """The overlay layer's balance: one row per overlay rep, as the field panel counts it."""
    return rep_metrics(load_overlay(url, scenario_id).plan, tolerance)


def export_overlay(
    url: str, scenario_id: int, fmt: str, out: PathLike, tolerance: float = DEFAULT_TOLERANCE
) -> Path:
    """Write the overlay layer as the field layer exports (csv, xlsx, geojson ...)."""
    with timed(logger, "overlay export written", scenario=scenario_id, format=fmt) as extra:
        record = editing.open_store(url).scenario(scenario_id)
        extra["dataset"] = record.dataset_id
        plan = load_overlay(url, scenario_id).plan
        path = export_plan(plan, fmt, Path(out), title=f"{record.name} (overlay)",
                           tolerance=tolerance)  # fmt: skip
        extra["path"] = path
    return path


# --- the Overlay tab's use cases ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OverlayView:
    """What the Overlay tab shows: whether there is a layer, its balance, who is who."""

    has_layer: bool
    version: int
    metrics: pd.DataFrame
    """One row per overlay rep (``planning.metrics.rep_metrics`` of the overlay plan)."""
    overlay_reps: tuple[tuple[str, str], ...]
    field_reps: tuple[tuple[str, str], ...]
    """(rep_id, name) of each layer's reps."""
    accounts: int
    """Accounts the overlay layer serves."""


def overlay_view(url: str, scenario_id: int, tolerance: float = DEFAULT_TOLERANCE) -> OverlayView:
    """The overlay layer's balance and reps; an empty view when the team has no overlay."""
    _, field, _ = editing.load(url, scenario_id)
    field_reps = tuple(zip(map(str, field.market.rep_ids),
                           field.market.reps["name"].astype(str), strict=True))  # fmt: skip
    if not has_overlay_layer(url, scenario_id):
        return OverlayView(False, 0, pd.DataFrame(), (), field_reps, 0)
    state = load_overlay(url, scenario_id)
    m = state.plan.market
    reps = tuple(zip(map(str, m.rep_ids), m.reps["name"].astype(str), strict=True))
    return OverlayView(True, state.version, rep_metrics(state.plan, tolerance), reps, field_reps,
                       len(m.accounts))  # fmt: skip


def assign_territories(
    url: str,
    scenario_id: int,
    field_rep_ids: list[str],
    overlay_rep_id: str | None,
    expected_version: int,
) -> OverlayMove:
    """The overlay accounts inside these field territories go to one overlay rep.

    The cells are the field reps' cells now; the field layer is read, never written, and later
    field moves do not carry the overlay along (each layer keeps its own owners).
    """
    _, field, _ = editing.load(url, scenario_id)
    ids = [str(r) for r in field.market.rep_ids]
    unknown = [r for r in field_rep_ids if r not in ids]
    if unknown:
        raise PlanError(f"{unknown[0]!r} is not a field rep")
    positions = [ids.index(r) for r in field_rep_ids]
    cells = np.flatnonzero(np.isin(field.owner, positions))
    return move_overlay(url, scenario_id, cells, overlay_rep_id, expected_version)


def overlay_file(
    url: str, scenario_id: int, fmt: str, tolerance: float = DEFAULT_TOLERANCE
) -> tuple[str, bytes]:
    """A file name and the bytes of the overlay layer in ``fmt`` (as the scenario exports)."""
    record = editing.open_store(url).scenario(scenario_id)
    safe = "".join(c if c.isalnum() or c in "-_ " else "_" for c in record.name).strip() or "plan"
    suffix = {"csv": "csv", "xlsx": "xlsx", "geojson": "geojson", "parquet": "parquet"}
    filename = f"{safe} overlay.{suffix.get(fmt, fmt)}"
    with tempfile.TemporaryDirectory() as folder:
        path = export_overlay(url, scenario_id, fmt, Path(folder) / filename, tolerance)
        blob = path.read_bytes()
    return filename, blob


# --- issue 15 overlay: the map's layer switch (draw and lasso the overlay layer) ---------------


@lru_cache(maxsize=4)
def _overlay_board(url: str, dataset_id: int, resolution: int, area_id: int | None) -> Board:
    """The overlay layer as a map board: its market and baseline on the field board's levels."""
    market = overlay_market(url, dataset_id, resolution, area_id)
    baseline, _ = baseline_plan(market)
    levels = editing.board(url, dataset_id, resolution, area_id).levels
    return Board(dataset_id, market, baseline, levels)


@dataclass(frozen=True, eq=False)
class OverlayScene:
    """What the map shows of the overlay layer: its board, its plan and both layers' versions."""

    board: Board
    state: OverlayState
    field_version: int


def overlay_scene(url: str, scenario_id: int) -> OverlayScene | None:
    """The scenario's overlay layer as the map draws it; None when the team has no overlay.

    A page may still ask for the overlay of a scenario whose team has none (it switched
    scenario with the overlay layer chosen): the map then shows the field layer.
    """
    record = editing.open_store(url).scenario(scenario_id)
    try:
        b = _overlay_board(url, record.dataset_id, record.resolution, record.area_id)
    except PlanError:
        return None
    return OverlayScene(b, load_overlay(url, scenario_id), record.version)


def layer_team(url: str, scenario_id: int, layer: Layer) -> tuple[list[str], list[str]]:
    """Rep ids and names of one layer (the field layer: ``editing.team``)."""
    scene = overlay_scene(url, scenario_id) if layer is Layer.OVERLAY else None
    if scene is None:
        return editing.team(url, scenario_id)
    reps = scene.board.market.reps
    return list(reps["rep_id"].astype(str)), list(reps["name"].astype(str))


def edit_overlay(
    url: str, scenario_id: int, expected_version: int, change: Selection | Step
) -> Edited:
    """A lasso on the overlay layer (move, lock or unlock its cells), or an undo or redo.

    The field layer is not written. A stale ``expected_version`` is an answer
    (``Edited.stale``) holding the current overlay, as ``services.editing.edit`` answers for
    the field. Every change is logged in the overlay's own log (issue 15, h15d), so undo and
    redo on this layer take back overlay changes only; ``NothingToUndoError`` when there is
    nothing to take back.
    """
    scene = overlay_scene(url, scenario_id)
    if scene is None:
        raise PlanError("this team has no overlay reps")
    if isinstance(change, Step):
        return _step_overlay(url, scenario_id, expected_version, scene, redo=change is Step.REDO)
    plan = scene.state.plan
    rep = None
    if change.rep_id is not None:
        ids = [str(r) for r in plan.market.rep_ids]
        if str(change.rep_id) not in ids:
            raise PlanError(f"{change.rep_id!r} is not an overlay rep")
        rep = ids.index(str(change.rep_id))
    with timed(logger, f"overlay {Tool(change.tool).value} written", scenario=scenario_id) as extra:
        extra["dataset"] = scene.board.dataset_id
        done = edited(plan, change.tool, selected_cells(scene.board.levels, change), rep)
        try:
            version = editing.open_store(url).save_overlay(
                scenario_id, done.after.owner, done.after.locked, expected_version,
                kind=Tool(change.tool).value, before=(plan.owner, plan.locked),  # issue 15: log
            )  # fmt: skip
        except StaleVersionError:
            current = load_overlay(url, scenario_id)
            extra["stale"] = True
            return Edited(scene.board, Edit(current.plan, current.version,
                                            np.zeros(0, np.int64)), stale=True)  # fmt: skip
        extra.update(cells=len(done.changed), version=version)
    return Edited(scene.board, Edit(done.after, version, done.changed, done.skipped_locked))


# --- issue 15 (h15d): undo and redo on the overlay layer ---------------------------------------


def _step_overlay(
    url: str, scenario_id: int, expected_version: int, scene: OverlayScene, *, redo: bool
) -> Edited:
    """Undo (or redo) the overlay's last change; a stale version answers with the current one."""
    what = Step.REDO if redo else Step.UNDO
    with timed(logger, f"overlay {what.value} written", scenario=scenario_id) as extra:
        extra["dataset"] = scene.board.dataset_id
        try:
            version, record, _ = editing.open_store(url).step_overlay(
                scenario_id, expected_version, redo=redo
            )
        except StaleVersionError:
            current = load_overlay(url, scenario_id)
            extra["stale"] = True
            return Edited(scene.board, Edit(current.plan, current.version,
                                            np.zeros(0, np.int64)), stale=True)  # fmt: skip
        # the stored layer was the scene's (same version), so the tally follows incrementally
        change = stepped(scene.state.plan, record.owner, record.locked)
        extra.update(cells=len(change.touched), version=version)
    return Edited(scene.board, Edit(change.after, version, change.touched))


# --- issue 15 (h15d): derived scenarios keep the overlay layer ----------------------------------


def carry_overlay(url: str, source_id: int, target_id: int) -> bool:
    """Give a scenario just derived from ``source_id`` (a team, call-plan or effort edit, a
    cell-size change, "Plan next quarter") the source's overlay layer; True when written.

    On the same cells, owners carry by overlay rep id (a removed overlay rep's cells become
    unassigned, as the field layer does in ``services.datasets.derive_scenario``). On other
    cells (another cell size) the layer is re-binned by account (``planning.baseline.
    convert_plan``, as ``services.editing.at_resolution`` converts the field layer). Nothing is
    written when the source's overlay was never drawn (the new scenario starts from last
    quarter's overlay, as the source shows it), when either team has no overlay reps, or when
    the target has an overlay already. The new scenario's overlay log starts empty.
    """  # noqa: D205
    store = editing.open_store(url)
    if store.overlay(source_id) is None or store.overlay(target_id) is not None:
        return False
    if not (has_overlay_layer(url, source_id) and has_overlay_layer(url, target_id)):
        return False
    with timed(logger, "overlay carried", scenario=source_id, new_scenario=target_id) as extra:
        source = load_overlay(url, source_id).plan
        record = store.scenario(target_id)
        extra["dataset"] = record.dataset_id
        market = overlay_market(url, record.dataset_id, record.resolution, record.area_id)
        old_ids = [str(r) for r in source.market.rep_ids]
        new_ids = [str(r) for r in market.rep_ids]
        if np.array_equal(source.market.area.cells, market.area.cells):
            owner = carried_owner(source.owner, old_ids, new_ids)
            locked = np.asarray(source.locked, bool) & (owner >= 0)
        elif old_ids == new_ids:
            converted, _ = convert_plan(source, market)
            owner, locked = converted.owner, converted.locked
        else:  # another cell size and another overlay team at once: nothing sensible to carry
            extra["outcome"] = "not carried"
            return False
        store.save_overlay(target_id, owner, locked, 0)
        extra["cells"] = int((owner >= 0).sum())
    return True


# --- issue 15 (h15d): the overlay layer in the scenario's own exports and cli.py metrics ------


def overlay_plan_of(url: str, scenario_id: int) -> Plan | None:
    """The scenario's overlay plan for its exports; None when the team has no overlay reps."""
    if not has_overlay_layer(url, scenario_id):
        return None
    return load_overlay(url, scenario_id).plan
