"""What a server process reads before its first page asks (issue 18 point 1).

A first page after a start waits for the board of its scenario (the market kept in the store,
its baseline and display levels) and for the basemap's layers (kept in the store too, made from
the bundled boundaries only the first time). A worker starts answering at
once and reads both here, in one background thread, so that a first page finds them ready
instead of reading them while the browser waits; ``services.editing.board`` lets a request
that comes sooner wait for the thread's board rather than build its own.
"""

from __future__ import annotations

import logging
import threading

from common.logs import timed
from geo.lod import view_key
from services import basemap, editing, maps

logger = logging.getLogger(__name__)


def warm(url: str, scenario_id: int) -> None:
    """Read the scenario's board, then make its basemap layers, now, in this thread."""
    with timed(logger, "worker warmed", scenario=scenario_id):
        b, _, _ = editing.load(url, scenario_id)
        record = editing.scenario(url, scenario_id)
        # the cells' polygons the first map fetches (0.15 s on the demo; 1 s while a first page
        # loads on the same two cores): the level and view the whole area is drawn at
        drawing = maps.map_drawing(url, scenario_id, None)
        tiling = maps.tiling_key(url, b.dataset_id, record.resolution, record.area_id)
        maps.geometry(url, tiling, drawing.level, view_key(drawing.snapped))
        view = basemap.view_for_area(url, b.dataset_id, record.resolution, record.area_id)
        # the layers the first map asks for (MapLibre counts as loaded once they are drawn)
        for layer in basemap.Layer:
            countries = view.countries if layer is basemap.Layer.REGIONS else ()
            basemap.layer_geojson(layer, view.box, countries, url)
        basemap.towns_json(view.box, url)


def warm_before_serving(url: str, scenario_id: int) -> None:
    """``warm`` now, before the worker answers; a failure is logged, never raised.

    Issue 18 point 1: run in a background thread, the warm-up (1.2-2.2 s per worker at 1M
    accounts, both workers at once on two cores) competed with the first page after a start,
    which took 2.8-3.8 s against 1.9 s for a page after it. Done first, it makes the start that
    much longer (1.5 s to about 3 s at 1M accounts, under the 5 s target) and the first page as
    fast as the next.
    """
    try:
        warm(url, scenario_id)
    except Exception:  # noqa: BLE001 - the first page reads whatever failed here again
        logger.exception("warm-up failed; pages read what they need themselves")


def warm_in_background(url: str, scenario_id: int) -> threading.Thread:
    """``warm`` in a daemon thread; a failure is logged, never raised (a page then reads it)."""

    def run() -> None:
        try:
            warm(url, scenario_id)
        except Exception:  # noqa: BLE001 - the first page reads whatever failed here again
            logger.exception("warm-up failed; pages read what they need themselves")

    thread = threading.Thread(target=run, name="hexalign-warmup", daemon=True)
    thread.start()
    return thread
