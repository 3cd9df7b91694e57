"""Changing a scenario's cell size: which sizes a data set allows, and which scenario a size opens.

Issue 12 point 7: a size over the cell limit used to fail deep in the tiling
(HTTP 500, nothing on the page), and every change made one more scenario with
one more "@ res N" in its name. Here a size is judged before anything is built
(the same estimate ``geo.area.planning_area`` refuses on), and going back to a
size reopens the scenario made for it while neither it nor its source changed.

The rule for reopening
----------------------
A conversion is *untouched* while it has no edit (version 1) and its parent has
not changed since it was made (the parent's ``updated_at`` is not after the
conversion's ``created_at``; a rename counts as a change, which only means one
more conversion). The *source* of a scenario is found by walking up its untouched
conversions. Choosing size N then opens the source itself when it is at N, else
the newest untouched conversion of the source at N, else a new conversion of the
source (not of the coarser copy on screen: carrying 7 -> 5 -> 6 would lose what
res 5 merged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from common.logs import timed
from data.store import ScenarioInfo
from geo.area import HARD_CELL_LIMIT, TooManyCellsError, estimated_cells
from planning.baseline import OwnerChanges
from services import overlay
from services.areas import boundary_of
from services.editing import at_resolution, open_store
from services.totals import located_accounts, stored_totals

logger = logging.getLogger(__name__)

RESOLUTIONS = tuple(range(4, 10))
"""The cell sizes the app offers (H3 resolutions)."""

__all__ = [
    "HARD_CELL_LIMIT",
    "RESOLUTIONS",
    "CellSize",
    "SizeChange",
    "TooManyCellsError",
    "cell_sizes",
    "resolution_change",
]


@dataclass(frozen=True)
class CellSize:
    """One cell size as the data set's planning area would have it."""

    resolution: int
    cells: int
    """About how many cells the area holds at this size (what the limit is judged on)."""
    allowed: bool
    """Whether the cell count stays within ``HARD_CELL_LIMIT``."""


@dataclass(frozen=True)
class SizeChange:
    """The scenario a cell-size choice opened."""

    scenario_id: int
    name: str
    changes: OwnerChanges | None
    """What the conversion changed; None when a scenario made before was opened again."""


@lru_cache(maxsize=16)
def _estimates(url: str, dataset_id: int) -> tuple[int, ...]:
    """Cells at each of ``RESOLUTIONS`` (a stored data set never changes: memoised)."""
    accounts, _, call_plan = open_store(url).load_dataset(dataset_id)
    totals = stored_totals(open_store(url), dataset_id)  # issue 18 point 4: no account rows
    if totals is not None:
        accounts = located_accounts(totals)
    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    boundary = boundary_of(accounts, call_plan)
    return tuple(int(round(estimated_cells(lat, lon, r, boundary))) for r in RESOLUTIONS)


def cell_sizes(url: str, scenario_id: int) -> list[CellSize]:
    """Every offered cell size for the scenario's data set, with its cell count."""
    dataset_id = open_store(url).scenario(scenario_id).dataset_id
    estimates = _estimates(url, dataset_id)
    totals = open_store(url).totals_info(dataset_id)  # issue 18 point 4: binned at one size
    if totals is not None:
        at = RESOLUTIONS.index(totals[0]) if totals[0] in RESOLUTIONS else None
        return [] if at is None else [CellSize(totals[0], estimates[at], True)]
    return [
        CellSize(r, n, n <= HARD_CELL_LIMIT) for r, n in zip(RESOLUTIONS, estimates, strict=True)
    ]


def _finest_allowed(sizes: list[CellSize], below: int) -> int | None:
    """The finest allowed resolution coarser than ``below`` (None when there is none)."""
    fits = [s.resolution for s in sizes if s.allowed and s.resolution < below]
    return max(fits) if fits else None


def _untouched(conversion: ScenarioInfo, parent: ScenarioInfo) -> bool:
    """Whether ``conversion`` is ``parent``'s plan carried to another size, unchanged since."""
    return (
        conversion.parent_id == parent.id
        and conversion.resolution != parent.resolution
        and not conversion.baseline
        and conversion.version == 1
        and parent.updated_at <= conversion.created_at
    )


def _source(infos: dict[int, ScenarioInfo], scenario: ScenarioInfo) -> ScenarioInfo:
    """The scenario whose plan ``scenario`` is an untouched (chain of) conversion(s) of."""
    seen = {scenario.id}
    while scenario.parent_id in infos and scenario.parent_id not in seen:
        parent = infos[scenario.parent_id]
        if not _untouched(scenario, parent):
            break
        seen.add(parent.id)
        scenario = parent
    return scenario


def _reusable(
    infos: dict[int, ScenarioInfo], source: ScenarioInfo, resolution: int
) -> ScenarioInfo | None:
    """The scenario already holding ``source``'s plan at ``resolution``, if one does."""
    if source.resolution == resolution:
        return source
    made = [
        s for s in infos.values()
        if s.resolution == resolution and s.id != source.id and _untouched(s, source)
    ]  # fmt: skip
    return max(made, key=lambda s: (s.created_at, s.id)) if made else None


def resolution_change(url: str, scenario_id: int, resolution: int) -> SizeChange | None:
    """Open the scenario's plan at another cell size: reopened, or converted into a new one.

    None when the scenario is drawn at ``resolution`` already. Raises
    ``TooManyCellsError`` (with ``finest``, the finest size that fits) when the
    size would make more cells than ``HARD_CELL_LIMIT``; nothing is built then.
    """
    store = open_store(url)
    record = store.scenario(scenario_id)
    if record.resolution == resolution:
        return None
    with timed(logger, "cell size chosen", scenario=scenario_id, resolution=resolution) as extra:
        extra["dataset"] = record.dataset_id
        sizes = {s.resolution: s for s in cell_sizes(url, scenario_id)}
        size = sizes.get(resolution)
        if size is not None and not size.allowed:
            finest = _finest_allowed(list(sizes.values()), resolution)
            raise TooManyCellsError(
                resolution, size.cells, HARD_CELL_LIMIT, finest=finest, current=record.resolution
            )
        infos = {s.id: s for s in store.scenarios(record.dataset_id)}
        source = _source(infos, infos.get(scenario_id, record))
        reused = _reusable(infos, source, resolution)
        if reused is not None:
            extra.update(reopened=reused.id)
            return SizeChange(reused.id, reused.name, None)
        try:
            new_id, changes = at_resolution(url, source.id, resolution)
        except TooManyCellsError as err:  # the tiling's own count, should it differ
            finest = _finest_allowed(list(sizes.values()), resolution)
            raise TooManyCellsError(
                err.resolution, err.cells, err.limit, finest=finest, current=record.resolution
            ) from err
        overlay.carry_overlay(url, source.id, new_id)  # issue 15 (h15d): re-binned by account
        extra.update(source=source.id, new_scenario=new_id)
        return SizeChange(new_id, store.scenario(new_id).name, changes)
