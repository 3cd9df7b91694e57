"""Issue 18: a worker reads its first page's board and basemap at start, each only once."""

from __future__ import annotations

import json
import threading
import time

from services import basemap, editing, warmup
from tests.planning.test_tally import world


def _stored(tmp_path) -> tuple[str, int]:
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    _, sid = editing.ensure_scenarios(url, "w", m.accounts, m.reps, m.call_plan, resolution=7)
    return url, sid


def test_the_warm_up_leaves_the_board_and_the_basemap_layers_ready(tmp_path):
    url, sid = _stored(tmp_path)
    warmup.warm_in_background(url, sid).join(120)
    record = editing.scenario(url, sid)
    built = editing.board.cache_info().misses
    b, _, _ = editing.load(url, sid)
    assert editing.board.cache_info().misses == built  # no new board: the warm-up's
    view = basemap.view_for_area(url, b.dataset_id, record.resolution, record.area_id)
    made = basemap._layer_geojson.cache_info().misses
    for layer in basemap.Layer:
        countries = view.countries if layer is basemap.Layer.REGIONS else ()
        basemap.layer_geojson(layer, view.box, countries, url)
    assert basemap._layer_geojson.cache_info().misses == made


def test_a_worker_started_later_reads_the_basemap_kept_in_the_store(tmp_path):
    """Issue 18 point 1: the layers, the towns and the view are made once, then read."""
    url, sid = _stored(tmp_path)
    warmup.warm(url, sid)
    record = editing.scenario(url, sid)
    b, _, _ = editing.load(url, sid)
    first = basemap.view_for_area(url, b.dataset_id, record.resolution, record.area_id)
    layers = {
        layer: basemap.layer_geojson(layer, first.box, first.countries if layer is
                                     basemap.Layer.REGIONS else (), url)
        for layer in basemap.Layer
    }  # fmt: skip
    towns = basemap.towns_json(first.box, url)
    for cached in (basemap.view_for_area, basemap._stored_layer, basemap._layer_geojson,
                   basemap.towns_json):  # fmt: skip
        cached.cache_clear()  # a new worker: nothing in memory
    made = basemap._layer_geojson.cache_info().misses
    warmup.warm(url, sid)
    assert basemap._layer_geojson.cache_info().misses == made == 0  # no layer made again
    view = basemap.view_for_area(url, b.dataset_id, record.resolution, record.area_id)
    assert view == first
    for layer, body in layers.items():
        countries = view.countries if layer is basemap.Layer.REGIONS else ()
        assert basemap.layer_geojson(layer, view.box, countries, url) == body
    assert basemap.towns_json(view.box, url) == towns
    assert json.loads(towns)  # the world's towns are in the box


def test_a_warm_up_that_fails_is_logged_and_nothing_more(tmp_path, caplog):
    thread = warmup.warm_in_background(f"sqlite:///{tmp_path / 'empty.sqlite'}", 12345)
    thread.join(60)
    assert not thread.is_alive()
    assert "warm-up failed" in caplog.text


def test_two_threads_asking_for_one_board_build_it_once(tmp_path, monkeypatch):
    url, sid = _stored(tmp_path)
    record = editing.scenario(url, sid)
    built = []
    real = editing.scenario_market

    def slow(*args):
        built.append(args)
        time.sleep(0.3)  # long enough for the other thread to ask meanwhile
        return real(*args)

    monkeypatch.setattr(editing, "scenario_market", slow)
    editing.board.cache_clear()
    boards = []
    args = (url, record.dataset_id, record.resolution, record.area_id)
    threads = [threading.Thread(target=lambda: boards.append(editing.board(*args))) for _ in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(built) == 1 and len(boards) == 2 and boards[0] is boards[1]


def test_the_warm_up_makes_the_first_maps_cell_polygons(tmp_path):
    """Issue 18 point 1: the geometry the first map fetches is ready when the page asks."""
    from geo.lod import view_key
    from services import maps

    url, sid = _stored(tmp_path)
    warmup.warm(url, sid)
    record = editing.scenario(url, sid)
    drawing = maps.map_drawing(url, sid, None)
    tiling = maps.tiling_key(url, record.dataset_id, record.resolution, record.area_id)
    made = maps.geometry.cache_info().misses
    body = maps.geometry(url, tiling, drawing.level, view_key(drawing.snapped))
    assert maps.geometry.cache_info().misses == made  # made by the warm-up
    assert json.loads(body)["features"]


def test_a_warm_up_before_serving_that_fails_is_logged_and_the_worker_still_starts(
    tmp_path, caplog
):
    warmup.warm_before_serving(f"sqlite:///{tmp_path / 'empty.sqlite'}", 12345)  # no raise
    assert "warm-up failed" in caplog.text
