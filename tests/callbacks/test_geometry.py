"""The geometry route through the app's Flask server (issue 12 point 9).

URLs name the tiling by content, so the same ids in another database never share a cached URL;
a malformed URL is not found (never an HTTP 500); a tiling no scenario uses is never built.
"""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest
from flask import Flask

from callbacks.context import DATABASE_URL_KEY
from callbacks.geometry import GEOMETRY_FORMAT, geometry_url, register_geometry_route
from geo.lod import drawn_units, parse_view_key, view_key
from services import editing
from tests.planning.test_tally import world

URL_SHAPE = re.compile(rf"/geo/{GEOMETRY_FORMAT}/([0-9a-f]{{64}})/(\d+)/all\.json")


def stored(tmp_path, name: str, shift: float = 0.0) -> tuple[str, int, int]:
    """A database holding the test world (moved north by ``shift`` degrees): url, data set, plan."""
    url = f"sqlite:///{tmp_path / f'{name}.sqlite'}"
    m = world()
    accounts = m.accounts.assign(lat=m.accounts["lat"] + shift)
    reps = m.reps.assign(home_lat=m.reps["home_lat"] + shift)
    dataset, working = editing.ensure_scenarios(
        url, name, accounts, reps, m.call_plan, resolution=7
    )
    return url, dataset, working


def server_for(url: str) -> Flask:
    server = Flask(__name__)
    server.config[DATABASE_URL_KEY] = url
    register_geometry_route(server)
    return server


def whole_area_url(server: Flask, url: str, scenario: int, level: int = 0) -> str:
    record = editing.scenario(url, scenario)
    with server.app_context():
        return geometry_url(record.dataset_id, record.resolution, record.area_id, level, None)


@pytest.fixture
def north(tmp_path):
    url, dataset, working = stored(tmp_path, "north")
    return url, dataset, working, server_for(url)


def test_the_url_is_the_hash_of_the_cells_and_serves_them_for_ever(north):
    url, _, working, server = north
    path = whole_area_url(server, url, working)
    shape = URL_SHAPE.fullmatch(path)
    assert shape is not None, path
    b, _, _ = editing.load(url, working)
    cells = b.market.area.cells.astype("<u8").tobytes()
    digest = hashlib.sha256()  # Store._fingerprint of [resolution, cells], length-prefixed
    for blob in (b"7", cells):
        digest.update(len(blob).to_bytes(8, "little"))
        digest.update(blob)
    assert shape.group(1) == digest.hexdigest()
    response = server.test_client().get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    ids = [f["id"] for f in json.loads(response.data)["features"]]
    assert ids == list(range(b.market.n_cells))  # the whole area at level 0: every cell


def test_another_databases_same_ids_get_another_url(tmp_path, north):
    url, dataset, working, server = north
    other_url, other_dataset, other_working = stored(tmp_path, "south", shift=-0.5)
    other = server_for(other_url)
    assert (other_dataset, other_working) == (dataset, working)  # the same ids...
    mine, theirs = whole_area_url(server, url, working), whole_area_url(other, other_url, working)
    assert mine != theirs  # ...name other cells, so another URL
    # each server answers its own URL and knows nothing of the other's
    assert other.test_client().get(theirs).status_code == 200
    assert other.test_client().get(mine).status_code == 404
    assert server.test_client().get(theirs).status_code == 404
    # the same data in a third database: the same URL, the same bytes (safe to share a cache)
    twin_url, _, twin_working = stored(tmp_path, "twin")
    twin = server_for(twin_url)
    assert whole_area_url(twin, twin_url, twin_working) == mine
    assert twin.test_client().get(mine).data == server.test_client().get(mine).data


def test_malformed_segments_are_not_found(north):
    url, _, working, server = north
    good = whole_area_url(server, url, working)
    tiling = URL_SHAPE.fullmatch(good).group(1)
    root = f"/geo/{GEOMETRY_FORMAT}/{tiling}"
    client = server.test_client()
    assert client.get(good).status_code == 200
    for path in (
        "/geo/1/7/abc/0/all.json",  # the old id-based shape (an HTTP 500 before)
        "/geo/1/7/None/0/all.json",
        f"/geo/{GEOMETRY_FORMAT}/zz/0/all.json",
        f"/geo/{GEOMETRY_FORMAT}/{tiling.upper()}/0/all.json",
        f"/geo/{GEOMETRY_FORMAT}/{tiling[:-1]}/0/all.json",
        f"{root}/x/all.json",
        f"{root}/-1/all.json",
        f"{root}/99/all.json",
        f"{root}/99999999999999999999999/all.json",
        f"{root}/0/1_2_3.json",
        f"{root}/0/a_b_c_d.json",
        f"{root}/0/nan_nan_nan_nan.json",
        f"{root}/0/-inf_0_inf_1.json",
        f"{root}/0/1e999_0_1_1.json",
        f"{root}/0/1.0_2_3_4.json",  # not as view_key writes it: one URL per view
        f"{root}/0/%00.json",
        f"/geo/v1/{tiling}/0/all.json",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get(f"{root}/0/1_2_3_4.json").status_code == 200  # a view, as written


def test_no_board_is_built_for_a_tiling_no_scenario_uses(north):
    url, dataset, working, server = north
    client = server.test_client()
    store = editing.open_store(url)
    unused = [
        store.tiling_fingerprint(dataset, 9, None),  # a resolution nobody plans at
        store.tiling_fingerprint(dataset, 7, None),  # the data tiled afresh (every plan is stored)
        hashlib.sha256(b"some other area").hexdigest(),
    ]
    misses = editing.board.cache_info().misses
    for tiling in unused:
        assert client.get(f"/geo/{GEOMETRY_FORMAT}/{tiling}/0/all.json").status_code == 404
    assert editing.board.cache_info().misses == misses  # nothing was tiled
    # once a scenario uses it (one saved without its area), the same URL is served
    b, plan, _ = editing.load(url, working)
    store.create_scenario(dataset, "no area", 7, plan.owner, plan.locked)
    response = client.get(f"/geo/{GEOMETRY_FORMAT}/{unused[1]}/0/all.json")
    assert response.status_code == 200
    assert len(json.loads(response.data)["features"]) == b.market.n_cells


def test_the_served_units_are_the_drawn_view(north):
    url, _, working, server = north
    b, _, _ = editing.load(url, working)
    level0 = b.levels[0]
    view = (float(level0.lon.min()), float(level0.lat.min()),
            float(np.median(level0.lon)), float(np.median(level0.lat)))  # fmt: skip
    record = editing.scenario(url, working)
    with server.app_context():
        path = geometry_url(record.dataset_id, 7, record.area_id, 0, view)
    assert path.endswith(f"/0/{view_key(view)}.json")
    served = json.loads(server.test_client().get(path).data)
    drawn = drawn_units(b.levels, 0, parse_view_key(view_key(view)))
    assert 0 < len(drawn) < b.market.n_cells
    assert [f["id"] for f in served["features"]] == drawn.tolist()
