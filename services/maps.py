"""What the map draws of a stored scenario: the view's units and their facts, and the geometry.

The geometry is served by URL and never changes for one (tiling, level, view),
so it is memoised per worker like the boards it comes from. The tiling is named
by its content (``tiling_key``), never by database ids: a browser caches the
URL forever, and the same ids in another database mean other cells.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from common.errors import ScenarioNotFoundError
from data.store import ScenarioInfo
from geo.bounds import cells_bounds
from geo.lod import BBox, drawn_units, geojson_bytes, parse_view_key, pick_view, view_key
from planning.editing import Board
from planning.mapview import TRACKING_MODES, UnitFacts, unit_facts
from planning.overlay import Layer, blank_without_accounts
from planning.plan import Plan
from services import overlay, tracking
from services.editing import board, load_with_record, open_store

TILING_KEY = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, eq=False)
class MapDrawing:
    """The units a map view draws, at which level, and (unless they are drawn already) their facts.

    ``facts`` is None when the view asked for the level and snapped view the
    page already shows: the figure stays as it is.
    """

    scenario: ScenarioInfo
    board: Board
    plan: Plan
    level: int
    snapped: BBox | None
    facts: UnitFacts | None
    new_data: bool = False
    """The page showed another data set (or none): its view does not apply here."""

    @property
    def bounds(self) -> BBox:
        """West, south, east, north of the planning area's cells (their polygons)."""
        return area_bounds(self.board)


def map_drawing(
    url: str,
    scenario_id: int,
    bbox: BBox | None,
    shown: tuple[int | None, BBox | None] | None = None,
    dataset_shown: int | None = None,
    mode: str | None = None,
    period: str | None = None,
    layer: Layer = Layer.FIELD,
) -> MapDrawing:
    """The scenario drawn for the map view ``bbox`` (None: the whole area).

    ``shown`` is the (level, snapped view) the page draws already for this
    scenario, if any; when the view needs the same cells, no facts are
    computed and no figure is needed. ``dataset_shown`` is the data set the
    page showed: when the scenario belongs to another one, ``bbox`` (a view
    of other data) is ignored and the whole area drawn (``new_data``). ``layer`` overlay draws
    the overlay layer's owners on the same cells (issue 15 overlay).
    """
    record, b, plan = load_with_record(url, scenario_id)
    scene = overlay.overlay_scene(url, scenario_id) if layer is Layer.OVERLAY else None
    if scene is not None:  # issue 15 overlay: the second layer, same tiling and levels
        b, plan = scene.board, scene.state.plan
    new_data = dataset_shown != record.dataset_id
    if new_data:
        bbox, shown = None, None
    level, snapped, units = pick_view(b.levels, bbox)
    if shown is not None and (shown[0], view_key(shown[1])) == (level, view_key(snapped)):
        return MapDrawing(record, b, plan, level, snapped, None)
    facts = unit_facts(b.levels[level], plan, b.baseline.owner, units)
    if scene is not None:
        facts = blank_without_accounts(facts)
        if mode in TRACKING_MODES:  # issue 15 (h15d): the overlay reps' figures of the period
            values = tracking.rep_values(url, scenario_id, mode, period, Layer.OVERLAY)
            facts = replace(facts, rep_values={mode: values})
        return MapDrawing(record, b, plan, level, snapped, facts, new_data)
    if mode in TRACKING_MODES:  # issue 15: the owners' figures of the tracked period
        values = tracking.rep_values(url, scenario_id, mode, period)
        facts = replace(facts, rep_values={mode: values})
    return MapDrawing(record, b, plan, level, snapped, facts, new_data)


def area_bounds(b: Board) -> BBox:
    """The planning area's extent, cell polygons included (what a fitted map must show)."""
    return _bounds(b)


@lru_cache(maxsize=16)
def _bounds(b: Board) -> BBox:
    area = b.market.area
    return cells_bounds(area.cells, area.lat, area.lon)


def tiling_key(url: str, dataset_id: int, resolution: int, area_id: int | None) -> str:
    """The content key of a scenario's tiling (``Store.tiling_fingerprint``): what URLs name."""
    return open_store(url).tiling_fingerprint(dataset_id, resolution, area_id)


@lru_cache(maxsize=64)
def geometry(url: str, tiling: str, level: int, key: str) -> bytes:
    """GeoJSON of the units a (level, view key) draws of a tiling; memoised: same bytes.

    Only a tiling some stored scenario uses is drawn, on that scenario's board: a request
    cannot make a worker tile an area or a resolution nobody plans on.

    Raises
    ------
    ValueError
        A malformed tiling key or view key (not as ``view_key`` writes it), or a level the
        board does not have.
    ScenarioNotFoundError
        No scenario uses that tiling (in this database).
    """
    if not TILING_KEY.fullmatch(tiling):
        raise ValueError(f"not a tiling key: {tiling!r}")
    snapped = parse_view_key(key)
    if snapped is not None and not all(math.isfinite(v) for v in snapped):
        raise ValueError(f"bad view key {key!r}")
    if view_key(snapped) != key:  # one URL per view: no endless spellings of the same one
        raise ValueError(f"view key {key!r} is not written as {view_key(snapped)!r}")
    found = open_store(url).tiling_in_use(tiling)
    if found is None:
        raise ScenarioNotFoundError(f"no scenario uses the tiling {tiling}")
    b = board(url, *found)
    if not 0 <= level < len(b.levels):
        raise ValueError(f"no display level {level}")
    units = drawn_units(b.levels, level, snapped)
    return geojson_bytes(b.levels[level], units)
