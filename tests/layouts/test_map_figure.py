"""The map's Dash-free parts: level of detail, unit facts, figure dict, palette."""

from __future__ import annotations

import json

import numpy as np
import pytest

from geo.lod import (
    MAX_DRAWN,
    choose_view,
    display_levels,
    drawn_units,
    geojson_bytes,
    parse_view_key,
    pick_view,
    quantise,
    unit_owner,
    view_key,
)
from layouts.map_figure import map_figure, unit_colours
from layouts.palette import REP_COLOURS, UNASSIGNED_COLOUR, owner_colourscale, rep_colour
from planning.baseline import baseline_plan
from planning.mapview import unit_facts
from planning.plan import reassign
from tests.planning.test_tally import world


@pytest.fixture(scope="module")
def board():
    market = world(8)
    plan, _ = baseline_plan(market)
    return market, plan, display_levels(market.area)


def test_every_cell_belongs_to_exactly_one_unit_per_level(board):
    market, _, levels = board
    assert levels[0].resolution == 8 and len(levels[0]) == market.n_cells
    for level in levels:
        children = level.cells_of(np.arange(len(level)))
        assert sorted(children.tolist()) == list(range(market.n_cells))
        assert len(level) <= market.n_cells


def test_pick_view_never_draws_more_than_the_limit_and_matches_the_url(board):
    _, _, levels = board
    for bbox in (None, (-93.2, 44.9, -92.8, 45.2), (-93.05, 45.0, -93.0, 45.03)):
        level, snapped, units = pick_view(levels, bbox)
        assert len(units) <= MAX_DRAWN
        assert np.array_equal(units, drawn_units(levels, level, snapped))
        assert parse_view_key(view_key(snapped)) == snapped


def test_zooming_in_draws_finer_cells(board):
    market, _, levels = board
    assert pick_view(levels, None)[0] == 0  # 1,040 cells fit: the whole area at full detail
    coarse, units = choose_view(levels, None, max_drawn=200)
    assert coarse > 0 and len(units) <= 200
    fine, units = choose_view(levels, quantise((-93.02, 45.0, -93.0, 45.01)), max_drawn=200)
    assert fine == 0 and 0 < len(units) <= 200


def test_unit_owner_is_the_majority_of_children(board):
    market, plan, levels = board
    level = levels[1]
    owner = plan.owner.copy()
    u = 0
    kids = level.cells_of(np.array([u]))
    owner[kids] = 2
    owner[kids[: len(kids) // 3]] = 1
    assert unit_owner(level, owner, market.n_reps)[u] == 2


def test_facts_follow_a_move(board):
    market, plan, levels = board
    level = levels[1]
    units = np.arange(len(level))
    moved = reassign(plan, level.cells_of(np.array([3])), 0)
    facts = unit_facts(level, moved, plan.owner, units)
    assert facts.owner[3] == 0
    assert facts.accounts.sum() == market.cell_accounts.sum()
    assert facts.tam.sum() == pytest.approx(market.cell_tam.sum() / 100)
    assert facts.changed[3] == bool((plan.owner[level.cells_of(np.array([3]))] != 0).any())
    assert unit_colours("owner", facts)[3] == rep_colour(0)
    assert unit_colours("workload", facts) is None


def test_geojson_features_carry_numeric_ids(board):
    _, _, levels = board
    doc = json.loads(geojson_bytes(levels[1], np.array([0, 5])))
    assert [f["id"] for f in doc["features"]] == [0, 5]
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) >= 6


def test_figure_is_offline_unless_tiles_are_set(board):
    market, plan, levels = board
    units = np.arange(len(levels[1]))
    facts = unit_facts(levels[1], plan, plan.owner, units)
    view = {"center": {"lat": 45, "lon": -93}, "zoom": 8}
    fig = map_figure(facts, "owner", "/geo/x.json", market.reps, view)
    assert fig["layout"]["map"]["style"] == "white-bg" and fig["layout"]["map"]["layers"] == []
    assert fig["data"][0]["geojson"] == "/geo/x.json"
    assert "text" not in fig["data"][1]["mode"]  # map text would fetch font glyphs from a server
    tiled = map_figure(
        facts, "owner", "/geo/x.json", market.reps, view, tile_url="http://tiles/{z}/{x}/{y}.png"
    )
    assert tiled["layout"]["map"]["layers"][0]["source"] == ["http://tiles/{z}/{x}/{y}.png"]


def test_palette_has_24_distinct_colours_and_a_grey_for_unassigned():
    assert len(set(REP_COLOURS)) == 24
    assert UNASSIGNED_COLOUR not in REP_COLOURS
    assert rep_colour(-1) == UNASSIGNED_COLOUR
    scale = owner_colourscale(3)
    # z = owner maps into the middle of its own step with zmin=-1.5, zmax=n-0.5
    for owner in (-1, 0, 1, 2):
        t = (owner + 1.5) / 4
        step = next(
            c for (a, c), (b, _) in zip(scale[::2], scale[1::2], strict=True) if a <= t <= b
        )
        assert step == rep_colour(owner)


# -- datasets-find: the first view fits the planning area -------------------------------------


def _mercator_x(lon, zoom):
    return (lon + 180) / 360 * 512 * 2**zoom


def _mercator_y(lat, zoom):
    import math

    return (
        (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * 512 * 2**zoom
    )


@pytest.mark.parametrize(
    "bounds, size",
    [
        ((2.52, 47.35, 15.15, 54.97), (790, 553)),  # the demo at 1366x768
        ((14.1, 49.0, 24.2, 54.9), (1150, 778)),  # Poland at 1920x1080
        ((-93.2, 44.9, -92.8, 45.2), (400, 900)),  # a tall narrow map
    ],
)
def test_camera_for_bounds_fits_the_box_exactly_on_one_side(bounds, size):
    from layouts.map_figure import FIT_PADDING_PX, camera_for_bounds

    camera = camera_for_bounds(bounds, *size)
    zoom, centre = camera["zoom"], camera["center"]
    west, south, east, north = bounds
    cx, cy = _mercator_x(centre["lon"], zoom), _mercator_y(centre["lat"], zoom)
    half_w, half_h = size[0] / 2 - FIT_PADDING_PX, size[1] / 2 - FIT_PADDING_PX
    left, right = _mercator_x(west, zoom) - cx, _mercator_x(east, zoom) - cx
    top, bottom = _mercator_y(north, zoom) - cy, _mercator_y(south, zoom) - cy
    assert -half_w - 1 <= left and right <= half_w + 1  # inside, to a pixel of rounding
    assert -half_h - 1 <= top and bottom <= half_h + 1
    assert right - left >= 2 * half_w - 3 or bottom - top >= 2 * half_h - 3  # and not smaller
    assert left == pytest.approx(-right, abs=0.5) and top == pytest.approx(-bottom, abs=0.5)


def test_a_fitted_figure_asks_the_browser_to_fit_once_per_key():
    from layouts.map_figure import with_fit

    fig = with_fit({"data": [], "layout": {"map": {}}}, (1.0, 2.0, 3.0, 4.0), "k1")
    assert fig["layout"]["meta"]["hexalignFit"]["bounds"] == [1.0, 2.0, 3.0, 4.0]
    assert fig["layout"]["meta"]["hexalignFit"]["key"] == "k1"


def test_issue16_locked_units_have_a_thick_dark_outline():
    """Locked cells differ by outline, not by colour alone (issue 16 point 7)."""
    import numpy as np

    from layouts.map_figure import CELL_LINE, LOCKED_LINE, locked_lines

    assert locked_lines(np.array([False, False])) == {"width": CELL_LINE[0], "color": CELL_LINE[1]}
    lines = locked_lines(np.array([False, True, False]))
    assert lines["width"] == [CELL_LINE[0], LOCKED_LINE[0], CELL_LINE[0]]
    assert lines["color"][1] == LOCKED_LINE[1] != lines["color"][0]
    assert LOCKED_LINE[0] >= 4 * CELL_LINE[0]
