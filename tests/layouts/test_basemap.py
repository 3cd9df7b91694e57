"""The basemap in the figure: layer order (fills under the cells, lines over), meta, rep names."""

from __future__ import annotations

import numpy as np
import pytest

from geo.lod import display_levels
from layouts.basemap import META_KEY, SWITCH_OPTIONS, WATER_COLOUR, basemap_layers, basemap_switch
from layouts.map_figure import map_figure
from planning.baseline import baseline_plan
from planning.mapview import unit_facts
from tests.planning.test_tally import world

URLS = {
    "land": "/basemap/k/land.json",
    "regions": "/basemap/k/regions-DE.json",
    "coasts": "/basemap/k/coasts.json",
    "borders": "/basemap/k/borders.json",
    "towns": "/basemap/k/towns.json",
}
VIEW = {"center": {"lat": 45, "lon": -93}, "zoom": 8}


@pytest.fixture(scope="module")
def drawn():
    market = world(8)
    plan, _ = baseline_plan(market)
    level = display_levels(market.area)[1]
    return market, unit_facts(level, plan, plan.owner, np.arange(len(level)))


def test_fills_go_under_the_cells_and_lines_over_them_borders_last():
    layers = basemap_layers(URLS)
    assert [layer["name"] for layer in layers] == ["land", "regions", "coasts", "borders"]
    assert [layer["below"] for layer in layers] == ["traces", "", "", ""]
    assert [layer["type"] for layer in layers] == ["fill", "line", "line", "line"]
    assert layers[0]["source"] == "/basemap/k/land.json"
    # with raster tiles, the tiles draw land and water: only the lines are added
    assert [layer["name"] for layer in basemap_layers(URLS, tiles=True)] == [
        "regions", "coasts", "borders"
    ]  # fmt: skip


def test_the_figure_carries_the_layers_and_tells_the_script_where_they_are(drawn):
    market, facts = drawn
    fig = map_figure(facts, "owner", "/geo/x.json", market.reps, VIEW, basemap=URLS)
    layout = fig["layout"]
    # the water is the style's background, not a polygon to tile (issue 18 point 1)
    assert layout["map"]["style"] == {
        "id": "hexalign-water", "version": 8,
        "sources": {"hexalign-water": {"type": "raster", "tiles": ["hexalign-unused://{z}/{x}/{y}"],
                                       "tileSize": 256}},
        "layers": [{"id": "hexalign-water", "type": "background",
                    "paint": {"background-color": WATER_COLOUR}}],
    }  # fmt: skip
    assert [layer["name"] for layer in layout["map"]["layers"]][-1] == "borders"
    assert layout["meta"][META_KEY] == {"basemapLayers": [0, 1, 2, 3], "towns": URLS["towns"]}
    # every URL is same-origin: nothing of the map leaves the server
    sources = [layer["source"] for layer in layout["map"]["layers"]]
    assert all(isinstance(s, dict) or s.startswith("/basemap/") for s in sources)
    # rep homes carry the rep's name for the HTML label; still no map text (glyphs)
    homes = fig["data"][1]
    assert homes["customdata"] == list(market.reps["name"])
    assert "text" not in homes["mode"]


def test_with_tiles_the_basemap_layers_follow_the_tile_layer(drawn):
    market, facts = drawn
    fig = map_figure(facts, "owner", "/geo/x.json", market.reps, VIEW, "http://t/{z}/{x}/{y}.png",
                     basemap=URLS)  # fmt: skip
    layers = fig["layout"]["map"]["layers"]
    assert fig["layout"]["map"]["style"] == "white-bg"  # the tiles draw the water
    assert layers[0]["sourcetype"] == "raster"
    assert fig["layout"]["meta"][META_KEY]["basemapLayers"] == [1, 2, 3]
    assert [layers[i]["name"] for i in (1, 2, 3)] == ["regions", "coasts", "borders"]


def test_the_switch_starts_with_everything_on():
    checklist = basemap_switch().children[1]
    assert checklist.value == list(SWITCH_OPTIONS) == ["land", "towns"]
