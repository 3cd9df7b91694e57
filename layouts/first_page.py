"""The first map and panel, built into the page's layout (issue 18 point 1).

A new page used to wait for two rounds of callbacks before its map was even asked for: the
callbacks that fill the filters, the layer switch and the landing check ran first, and
``draw_map`` only after them, each answer queued behind the others on the server's workers.
The layout now carries what ``draw_map`` and ``refresh_panel`` would answer for the landing
scenario, so the map draws as soon as plotly.js is there; their calls at load change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FirstPage:
    """What the layout shows before any callback answers: the map, its stores and the panel."""

    figure: dict[str, Any]
    view: dict[str, Any]
    scenario_name: str
    resolution: int
    camera: dict[str, Any]
    version: dict[str, Any]
    table: list[dict[str, Any]]
    workload: Any
    tam: Any
    summary: Any
    note: Any
    targets_kept: dict[str, Any] | None = None


def filled(first: FirstPage | None, name: str) -> dict[str, Any]:
    """The keyword arguments that fill the component ``name`` (none without a first page)."""
    if first is None:
        return {}
    values: dict[str, Any] = {
        "map": {"figure": first.figure},
        "workload": {"figure": first.workload},
        "tam": {"figure": first.tam},
        "scenario_name": {"children": first.scenario_name},
        "summary": {"children": first.summary},
        "note": {"children": first.note},
        "table": {"data": first.table},
        "version": {"data": first.version},
        "view": {"data": first.view},
        "camera": {"data": first.camera},
    }
    return values[name]


PREFETCH_HEADER = "X-Hexalign-Prefetch"
"""The layout answer's header naming what its first map fetches (read by the early script)."""


def fetched_urls(first: FirstPage) -> list[str]:
    """The same-origin URLs the first map fetches once drawn: polygons, basemap layers, towns.

    Issue 18 point 1: named in the layout's answer so that the browser asks for them as soon as
    that answer starts, not once plotly.js and MapLibre have drawn (by then they waited on the
    server's workers behind the page's load callbacks).
    """
    layout = first.figure.get("layout", {})
    sources = [first.figure["data"][0].get("geojson")]
    sources += [layer.get("source") for layer in layout.get("map", {}).get("layers", [])]
    sources.append(layout.get("meta", {}).get("hexalign", {}).get("towns"))
    return list(dict.fromkeys(s for s in sources if isinstance(s, str) and s.startswith("/")))
