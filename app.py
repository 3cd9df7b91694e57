"""Hexalign's web app: ``python app.py`` serves it, ``gunicorn app:server`` too.

The data set is read once per worker and stored (once) in the database with
its baseline and a working scenario; every edit goes to the database, so
any worker can answer any request.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from dash import Dash
from dash.dash import _default_index
from dash.development.base_component import Component
from flask import Response, g, has_request_context, request

import callbacks.balance_tab
import callbacks.clientside
import callbacks.curve  # noqa: F401  (issue 17: the trade-off curve)
import callbacks.data_tab  # noqa: F401  (registers the callbacks)
import callbacks.datasets  # noqa: F401  (registers the callbacks)
import callbacks.find  # noqa: F401  (registers the callbacks)
import callbacks.keys  # noqa: F401  (issue 16: "[" and "]" open the neighbour scenario)
import callbacks.ledger  # noqa: F401  (issue 17: the meeting's ledger)
import callbacks.map
import callbacks.market_share  # noqa: F401  (registers the callbacks; issue 14)
import callbacks.matching  # noqa: F401  (registers the callbacks; issue 15)
import callbacks.overlay  # noqa: F401  (registers the callbacks; issue 15)
import callbacks.presentation  # noqa: F401  (issue 16: badge, before/after, pictures)
import callbacks.resolution  # noqa: F401  (registers the callbacks)
import callbacks.scenarios  # noqa: F401  (registers the callbacks)
import callbacks.suggestions  # noqa: F401  (issue 17: repair suggestions)
import callbacks.targets  # noqa: F401  (issue 14: the panel's target rule)
import callbacks.tolerance  # noqa: F401  (registers the callbacks; issue 12 point 7d)
import callbacks.tracking  # noqa: F401  (issue 15: the Tracking tab)
from callbacks.basemap import register_basemap_route
from callbacks.compression import register_compression
from callbacks.context import (
    DATABASE_URL_KEY,
    DEFAULT_DATASET_KEY,
    DEFAULT_SCENARIO_KEY,
    TILE_URL_KEY,
)
from callbacks.first_page import first_page  # issue 18 point 1
from callbacks.geometry import register_geometry_route
from callbacks.language import register_language
from callbacks.upload_limit import register_upload_limit
from common import logs
from common.settings import Settings
from layouts.balance_tab import balance_panel
from layouts.curve import TAB_TITLE as CURVE_TAB  # issue 17
from layouts.curve import curve_panel
from layouts.data_tab import data_panel
from layouts.first_page import PREFETCH_HEADER, fetched_urls
from layouts.ids import Ids
from layouts.main import main_layout
from layouts.market_share import TAB_TITLE as SHARE_TAB
from layouts.market_share import share_panel
from layouts.matching import TAB_TITLE as MATCH_TAB
from layouts.matching import matching_panel
from layouts.overlay import TAB_TITLE as OVERLAY_TAB
from layouts.overlay import overlay_panel
from layouts.scenarios import scenarios_panel
from layouts.tracking import TAB_TITLE as TRACKING_TAB
from layouts.tracking import tracking_panel
from services import warmup
from services.editing import scenario_exists
from services.session import landing_scenario, open_session

ASSETS = Path(__file__).resolve().parent / "assets"
# Issue 18 point 1: a partial plotly.js (core, bar, choroplethmap, scattermap: 2.9 MB, not the
# 4.8 MB of Dash's plotly.min.js), built by scripts/build_plotly_bundle.sh. Its folder is left out
# of the page's scripts (``assets_path_ignore``): assets/hexalign-plotly-early.js runs it, and
# dcc's Graph then finds window.Plotly and never asks for plotly.min.js.
PLOTLY_BUNDLE_DIR = "plotly"
PLOTLY_BUNDLE = f"assets/{PLOTLY_BUNDLE_DIR}/plotly-partial.min.js"
# Issue 18 point 1: what the first map needs beyond the page's own scripts. Dash asks for
# plotly.js and its lazy chunks only once the graph mounts (about 0.4-0.7 s in); the browser
# fetches them from the start instead (preload), and assets/hexalign-plotly-early.js runs
# plotly.js while the page waits for its layout.
FIRST_MAP_SCRIPTS = (
    PLOTLY_BUNDLE,
    "_dash-component-suites/dash/dcc/async-graph.js",
    "_dash-component-suites/dash/dash_table/async-table.js",
    "_dash-component-suites/dash/dash_table/async-highlight.js",
    "_dash-component-suites/dash/dcc/async-dropdown.js",
)
# (tab title, layout builder) of the sections under the map; each module owns its callbacks.
SECTIONS: list[tuple[str, Callable[[], Component]]] = [
    ("Scenarios", scenarios_panel),
    ("Auto-balance", balance_panel),
    ("Data", data_panel),
    (SHARE_TAB, share_panel),  # issue 14: market-share classes and the effort plan
    (TRACKING_TAB, tracking_panel),  # issue 15: actuals, attainment and call compliance
    (CURVE_TAB, curve_panel),  # issue 17: the trade-off curve
    (MATCH_TAB, matching_panel),  # issue 15: matching reps to ground
    (OVERLAY_TAB, overlay_panel),  # issue 15: the overlay layer
]


REMEMBERED_COOKIE = "hexalign-scenario"
"""Issue 18 point 1: the scenario the browser remembers (its ``Ids.SCENARIO`` local store), sent
with the layout request by assets/hexalign-plotly-early.js, so that the layout's first map is that
scenario's rather than the landing one's (which the page would then replace)."""


def first_page_meta() -> dict[str, str]:
    """What assets/hexalign-plotly-early.js reads: the remembered scenario's store and cookie."""
    names = {"store": Ids.SCENARIO.value, "cookie": REMEMBERED_COOKIE}
    return {"name": "hexalign-first", "content": json.dumps(names)}


def remembered_scenario(url: str) -> int | None:
    """The scenario the browser remembers, when it still exists (None without one)."""
    raw = request.cookies.get(REMEMBERED_COOKIE) if has_request_context() else None
    try:
        sid = int(raw) if raw else None
    except ValueError:
        return None
    return sid if sid is not None and scenario_exists(url, sid) else None


def index_string(prefix: str = "/") -> str:
    """Dash's page with ``<link rel=preload>`` for ``FIRST_MAP_SCRIPTS`` (issue 18 point 1)."""
    links = "".join(f'<link rel="preload" as="script" href="{prefix}{path}">'
                    for path in FIRST_MAP_SCRIPTS)  # fmt: skip
    return _default_index.replace("{%css%}", "{%css%}\n        " + links, 1)


def create_app(settings: Settings | None = None) -> Dash:
    """Build the Dash app on the configured data set (the demo by default)."""
    settings = settings or Settings.from_env()
    logs.configure(settings.log_level or "INFO")
    # background jobs (auto-balance) run in child processes: they find the settings here
    os.environ.update(settings.to_env())
    session = open_session(settings)

    app = Dash(__name__, title="Hexalign", assets_folder=str(ASSETS), compress=False,
               assets_path_ignore=[f"^{PLOTLY_BUNDLE_DIR}$"],  # run by hexalign-plotly-early.js
               meta_tags=[first_page_meta()])  # fmt: skip
    app.index_string = index_string(app.config.requests_pathname_prefix)
    app.server.config[DATABASE_URL_KEY] = session.database_url
    app.server.config[TILE_URL_KEY] = settings.tile_url
    app.server.config[DEFAULT_SCENARIO_KEY] = session.scenario_id
    app.server.config[DEFAULT_DATASET_KEY] = session.dataset_id
    register_compression(app.server)  # issue 18: scripts compressed once per worker
    register_geometry_route(app.server)
    register_basemap_route(app.server)
    register_language(app)  # issue 16: each request's interface language
    # issue 18: the scenario's board, its first map's polygons and its basemap (all kept in the
    # store) read before the worker answers, so that its first page finds them ready
    warmup.warm_before_serving(session.database_url, session.scenario_id)
    register_upload_limit(app.server, settings.max_upload_bytes)  # before a body is read

    @app.server.after_request
    def name_worker(response: Response) -> Response:
        """Say which gunicorn worker answered (tests/browser and benchmarks read it)."""
        response.headers["X-Hexalign-Worker"] = str(os.getpid())
        prefetch = g.get("hexalign_prefetch")
        if prefetch:  # issue 18 point 1: the layout's first map fetches these
            response.headers[PREFETCH_HEADER] = " ".join(prefetch)
        return response

    def page() -> Component:
        """Built per page load: a new visitor opens on a scenario that exists now.

        Issue 18 point 1: with its first map and panel (``callbacks.first_page``) when the
        browser asks for the layout; Dash's check of the layout at a worker's first request
        (whatever its path) gets the page without them, so that it waits for no board.
        """
        landing = landing_scenario(session.database_url, session.scenario_id, session.dataset_id)
        serving = has_request_context() and request.path.endswith("/_dash-layout")
        if serving:  # a returning browser's first map is its remembered scenario's
            landing = remembered_scenario(session.database_url) or landing
        first = first_page(session.database_url, landing) if serving else None
        if first is not None:  # what its first map will fetch, named in the answer's header
            g.hexalign_prefetch = fetched_urls(first)
        return main_layout(
            session.rep_ids,
            session.rep_names,
            landing,
            first.resolution if first else session.resolution,
            sections=[(title, build()) for title, build in SECTIONS],
            first=first,
        )

    app.layout = page
    warm_answers(app)
    return app


BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium (and Firefox) ask for
PAGE_FILES = re.compile(r'(?:<script src|<link rel="(?:stylesheet|preload)"[^>]*? href)="([^"]+)"')


def warm_answers(app: Dash) -> None:
    """Answer a first page once inside the worker, before it serves (issue 18 point 1).

    A worker's first page paid for Dash's first request and for compressing every script and
    style sheet it asks for (kept compressed afterwards, ``callbacks.compression``); the first
    page after a start was 0.3-0.4 s slower than the next. The page, its dependencies, its
    files and its layout are asked for here through Flask's test client, with the encodings a
    browser accepts, so that the kept answers are the ones a browser gets. Nothing is raised:
    a page then pays for what failed here.
    """
    headers = {"Accept-Encoding": BROWSER_ENCODINGS}
    logger = logging.getLogger(__name__)
    started = time.perf_counter()
    prefix = app.config.requests_pathname_prefix
    try:
        with app.server.test_client() as client:
            html = client.get(prefix).get_data(as_text=True)  # plain: only its links matter
            files = [u for u in PAGE_FILES.findall(html) if u.startswith(prefix)]
            paths = [prefix, *files, prefix + "_dash-dependencies", prefix + "_dash-layout"]
            for path in dict.fromkeys(paths):
                client.get(path, headers=headers)
    except Exception:  # noqa: BLE001 - a page then pays for it, nothing more
        logger.exception("first answers not warmed")
        return
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info("first answers warmed in %.0f ms (%d files)", elapsed_ms, len(files))


def main(argv: list[str] | None = None) -> None:
    """Serve the app: ``python app.py [--accounts F --reps F] [--host H] [--port P]``."""
    parser = argparse.ArgumentParser(description="Serve Hexalign")
    parser.add_argument("--accounts", type=Path)
    parser.add_argument("--reps", type=Path)
    parser.add_argument("--call-plan", type=Path)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a SQLite file under var/)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings.from_env(
        accounts=args.accounts, reps=args.reps, call_plan=args.call_plan, database_url=args.database
    )
    create_app(settings).run(host=args.host, port=args.port, debug=args.debug)


def __getattr__(name: str):
    """``gunicorn app:server``: build the app (from the environment) when asked for."""
    if name == "server":
        return create_app().server
    raise AttributeError(name)


if __name__ == "__main__":
    main()
