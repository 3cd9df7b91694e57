"""What a callback needs to know about its deployment: read from Flask config, never a global."""

from __future__ import annotations

from flask import current_app

DATABASE_URL_KEY = "HEXALIGN_DATABASE_URL"
TILE_URL_KEY = "HEXALIGN_TILE_URL"
DEFAULT_SCENARIO_KEY = "HEXALIGN_DEFAULT_SCENARIO"


def database_url() -> str:
    """The database of this app (set once by ``app.create_app``)."""
    return current_app.config[DATABASE_URL_KEY]


def tile_url() -> str | None:
    """Optional raster tiles drawn under the cells."""
    return current_app.config.get(TILE_URL_KEY)


def default_scenario() -> int:
    """The working scenario the app opened with: where a page lands when its own is gone."""
    return int(current_app.config[DEFAULT_SCENARIO_KEY])


def tolerance_share(pct: float | str | None) -> float:
    """The tolerance control's percent as a share; 10 % when it holds no number."""
    if pct is None:
        return 0.10
    try:
        return max(0.0, float(pct)) / 100.0
    except (TypeError, ValueError):
        return 0.10
