"""Issue 16 point 2: before and after, two scenarios of one data set flipped on the map.

The page switches its scenario between the two; this module says which scenarios can be
paired and which cells change owner between them (outlined on the map while flipping).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

import h3.api.numpy_int as h3i

from common.logs import timed
from planning.scenarios import comparable
from services.editing import load_with_record, open_store

logger = logging.getLogger(__name__)
MAX_OUTLINED = 20_000  # cells; beyond this the outline would weigh more than the map itself


@dataclass(frozen=True)
class Flip:
    """The scenario to show next, the other one, and the cells whose owner differs."""

    shown: int
    shown_name: str
    other_name: str
    changed: int
    geometry: dict | None


def pairable(url: str, scenario_id: int) -> tuple[list[tuple[int, str]], int | None]:
    """The scenarios of ``scenario_id``'s data set and cell size (id, name), and its baseline."""
    store = open_store(url)
    here = store.scenario(scenario_id)
    same = [s for s in store.scenarios(here.dataset_id)
            if (s.resolution, s.area_id) == (here.resolution, here.area_id)]  # fmt: skip
    baseline = next((s.id for s in same if s.baseline), None)
    return [(s.id, s.name) for s in same], baseline


def changed_cells(url: str, a_id: int, b_id: int) -> tuple[np.ndarray, np.ndarray]:
    """The H3 cells whose owner differs between scenarios ``a_id`` and ``b_id``, and all cells.

    Raises
    ------
    PlanError
        The two are drawn on different cells (``planning.scenarios.comparable``).
    """
    a, board, plan_a = load_with_record(url, a_id)
    b, _, plan_b = load_with_record(url, b_id)
    comparable(a, b)
    cells = np.asarray(board.market.area.cells)
    return cells[np.asarray(plan_a.owner) != np.asarray(plan_b.owner)], cells


def outline_geometry(cells: np.ndarray) -> dict | None:
    """The changed cells dissolved into their outer boundaries (GeoJSON, lon/lat).

    One outline around each patch of changed cells, not one per cell: a thousand
    outlined hexagons read as a black blot at the overview.
    """
    if len(cells) == 0 or len(cells) > MAX_OUTLINED:
        return None
    shape = h3i.cells_to_geo(np.asarray(cells, dtype=np.uint64))
    return {"type": shape["type"], "coordinates": _lists(shape["coordinates"])}


def _lists(value: object) -> object:
    """Tuples (as h3 returns them) to lists, coordinates rounded to 6 decimals (~0.1 m)."""
    if isinstance(value, (tuple, list)):
        return [_lists(v) for v in value]
    return round(float(value), 6) if isinstance(value, float) else value


def flip(url: str, before_id: int, after_id: int, showing: int) -> Flip:
    """Show the other side: the "before" when the page shows the "after", else the "after"."""
    with timed(logger, "before/after flipped", scenario=showing) as extra:
        target, other = (before_id, after_id) if showing == after_id else (after_id, before_id)
        changed, _ = changed_cells(url, before_id, after_id)
        store = open_store(url)
        extra.update(shown=target, cells=len(changed))
        return Flip(target, store.scenario(target).name, store.scenario(other).name,
                    len(changed), outline_geometry(changed))  # fmt: skip
