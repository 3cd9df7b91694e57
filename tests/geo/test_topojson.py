"""TopoJSON decoding on a topology written by hand: two squares sharing one border arc."""

import shapely

from geo.topojson import topology_features

# Two unit squares side by side, x 0..1 and 1..2; arc 0 is their shared border (1,0)->(1,1).
TOPOLOGY = {
    "type": "Topology",
    "arcs": [
        [[1, 0], [0, 1]],  # shared border, delta-encoded: (1,0) -> (1,1)
        [[1, 1], [-1, 0], [0, -1], [1, 0]],  # left square's outer part: (1,1)->(0,1)->(0,0)->(1,0)
        [[1, 0], [1, 0], [0, 1], [-1, 0]],  # right square's outer part: (1,0)->(2,0)->(2,1)->(1,1)
    ],
    "transform": {"scale": [1, 1], "translate": [0, 0]},
    "objects": {
        "squares": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "L", "properties": {"name": "left"}, "arcs": [[0, 1]]},
                {"type": "Polygon", "id": "R", "properties": {"name": "right"}, "arcs": [[2, ~0]]},
                {"type": "Point", "coordinates": [5, 5]},
            ],
        }
    },
}


def test_shared_arcs_give_two_unit_squares_that_touch():
    features = topology_features(TOPOLOGY, "squares")
    assert [(fid, props["name"]) for fid, props, _ in features] == [("L", "left"), ("R", "right")]
    left, right = (shape for _, _, shape in features)
    assert left.area == 1.0 and right.area == 1.0
    assert left.bounds == (0.0, 0.0, 1.0, 1.0) and right.bounds == (1.0, 0.0, 2.0, 1.0)
    assert left.touches(right) and shapely.union_all([left, right]).area == 2.0
