"""The basemap routes: same-origin GeoJSON and towns, cached forever, nonsense refused."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask import Flask

from callbacks.basemap import basemap_urls, register_basemap_route
from callbacks.context import DATABASE_URL_KEY
from data.store import Store, basemap_cache
from services.basemap import BasemapView


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('basemap') / 'plans.sqlite'}"


@pytest.fixture(scope="module")
def client(database):
    server = Flask(__name__)
    server.config[DATABASE_URL_KEY] = database
    register_basemap_route(server)
    return server.test_client()


def test_the_urls_name_the_box_and_the_countries():
    urls = basemap_urls(BasemapView((-3, 41, 23, 61), ("BE", "DE")))
    assert urls == {
        "land": "/basemap/-3_41_23_61/land.json",
        "coasts": "/basemap/-3_41_23_61/coasts.json",
        "borders": "/basemap/-3_41_23_61/borders.json",
        "regions": "/basemap/-3_41_23_61/regions-BE.DE.json",
        "towns": "/basemap/-3_41_23_61/towns.json",
    }


def test_every_url_answers_and_may_be_cached_forever(client):
    for url in basemap_urls(BasemapView((-3, 41, 23, 61), ("BE", "DE"))).values():
        response = client.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["Cache-Control"]
        body = json.loads(response.data)
        assert body if url.endswith("towns.json") else body["features"], url


def test_what_the_routes_made_is_kept_in_the_store(client, database):
    """Issue 18 point 1: a server started later reads the layers instead of making them."""
    urls = basemap_urls(BasemapView((-3, 41, 23, 61), ("BE", "DE")))
    served = {url: client.get(url).data for url in urls.values()}
    with Store(database) as store, store.engine.connect() as conn:
        kept = {bytes(row.body) for row in conn.execute(sa.select(basemap_cache.c.body))}
    assert set(served.values()) <= kept  # four layers and the towns, byte for byte


def test_a_bad_box_layer_or_country_code_is_not_found(client):
    for url in ("/basemap/0_0_0_0/land.json", "/basemap/-3_41_23_61/rivers.json",
                "/basemap/-3_41_23_61/regions-DEU.json", "/basemap/x/towns.json"):  # fmt: skip
        assert client.get(url).status_code == 404, url
