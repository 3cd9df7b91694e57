"""The basemap's pure geometry: the box, borders versus coasts, inner borders, towns in a box."""

from __future__ import annotations

import json

import numpy as np
import pytest

import shapely

from geo.basemap import (
    arc_use,
    basemap_box,
    borders_and_coasts,
    box_key,
    clipped,
    feature_collection,
    inner_borders,
    parse_box_key,
    tolerance_for,
    towns_in_box,
)

# Two unit squares side by side, A = (0,0)-(1,1) and B = (1,0)-(2,1), as a quantised topology:
# arc 0 is their shared edge x = 1; arc 1 the rest of A's ring, arc 2 the rest of B's ring.
TWO_SQUARES = {
    "type": "Topology",
    "arcs": [
        [[1, 0], [1, 1]],
        [[1, 1], [0, 1], [0, 0], [1, 0]],
        [[1, 0], [2, 0], [2, 1], [1, 1]],
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "A"},
                {"type": "Polygon", "arcs": [[2, ~0]], "id": "B"},
            ],
        }
    },
}


def test_the_box_pads_the_area_by_three_quarters_of_its_span_or_four_degrees():
    # 10 degrees wide: 7.5 on each side; 8 degrees tall: 6 on each side; then whole degrees
    assert basemap_box(np.array([5.0, 15.0]), np.array([47.0, 55.0])) == (-3, 41, 23, 61)
    # a town-sized area still gets four degrees around it
    assert basemap_box(np.array([13.3, 13.5]), np.array([52.4, 52.6])) == (9, 48, 18, 57)
    # and the box stops at the antimeridian and at 85 degrees of latitude
    assert basemap_box(np.array([170.0, 179.0]), np.array([80.0, 84.0])) == (163, 76, 180, 85)


def test_a_box_key_round_trips_and_nonsense_is_refused():
    assert parse_box_key(box_key((-3, 41, 23, 61))) == (-3, 41, 23, 61)
    for bad in ("1_2_3", "5_0_1_1", "0_0_1_91", "a_b_c_d", "0_0_0_0"):
        with pytest.raises(ValueError):
            parse_box_key(bad)


def test_smaller_boxes_are_simplified_less():
    assert tolerance_for((-3, 41, 23, 61)) == pytest.approx(0.013)  # 26 degrees wide
    assert tolerance_for((9, 48, 18, 57)) == pytest.approx(0.0045)
    assert tolerance_for((0, 0, 1, 1)) == pytest.approx(0.002)  # the floor


def test_an_arc_two_countries_share_is_a_border_and_the_others_are_coast():
    assert dict(arc_use(TWO_SQUARES, "countries")) == {0: 2, 1: 1, 2: 1}
    borders, coasts = borders_and_coasts(TWO_SQUARES, "countries")
    assert borders.length == pytest.approx(1.0)  # the edge x = 1
    assert coasts.length == pytest.approx(6.0)  # the outline of the 2 x 1 rectangle
    assert shapely.equals(borders, shapely.MultiLineString([[(1, 0), (1, 1)]]))


def test_inner_borders_keep_the_lines_between_regions_and_drop_the_outline():
    # four unit squares in a 2 x 2 block: the inner lines are the cross, 2 + 2 = 4 long
    squares = [shapely.box(x, y, x + 1, y + 1) for x in (0, 1) for y in (0, 1)]
    lines = inner_borders(squares)
    assert lines.length == pytest.approx(
        4.0, abs=1e-4
    )  # less 1e-5 where each line meets the outline
    assert lines.within(shapely.box(0, 0, 2, 2).buffer(1e-9))
    assert inner_borders([shapely.box(0, 0, 1, 1)]).is_empty  # one region: no inner border


def test_clipping_keeps_the_part_in_the_box_on_a_grid():
    line = shapely.LineString([(-5, 0.5), (5, 0.5)])
    part = clipped(line, (0, 0, 1, 1), 0.01)
    assert part.length == pytest.approx(1.0)
    assert shapely.equals(part, shapely.LineString([(0, 0.5), (1, 0.5)]))


def test_a_feature_collection_skips_empty_shapes():
    body = json.loads(feature_collection([shapely.Point(1, 2), shapely.LineString()]))
    assert [f["geometry"]["type"] for f in body["features"]] == ["Point"]


def test_towns_in_a_box_come_largest_first_and_stop_at_the_limit():
    names = np.array(["Berlin", "Warsaw", "Potsdam", "Cottbus", "Denver"])
    lat = np.array([52.52, 52.23, 52.40, 51.76, 39.74])
    lon = np.array([13.40, 21.01, 13.06, 14.33, -104.99])
    population = np.array([3_426_354, 1_702_139, 140_000, 100_000, 700_000])
    rows = json.loads(towns_in_box(names, lat, lon, population, (9, 48, 18, 57), 2))
    assert [r[0] for r in rows] == ["Berlin", "Potsdam"]  # Warsaw and Denver lie outside
    assert rows[0] == ["Berlin", 52.52, 13.4, 3426354]


def test_a_border_kept_as_two_point_segments_is_joined_then_simplified():
    """Issue 18: the regions' lines are stored as segments; joined, they simplify (and weigh less)."""
    xs = np.linspace(0.0, 10.0, 201)
    ys = 0.001 * np.sin(xs * 7)  # a wiggle far below the tolerance
    segments = shapely.MultiLineString(
        [[(xs[i], ys[i]), (xs[i + 1], ys[i + 1])] for i in range(len(xs) - 1)]
    )
    line = clipped(segments, (-1, -1, 11, 1), 0.01)
    assert line.geom_type == "LineString"  # one line, not 200 segments
    assert shapely.get_num_coordinates(line) == 2  # straight within the tolerance
    assert line.hausdorff_distance(shapely.line_merge(segments)) <= 0.01
