"""What a callback needs to know about its deployment: read from Flask config, never a global."""

from __future__ import annotations

from flask import current_app

from layouts.bounds import TOLERANCE, check
from services import session

DATABASE_URL_KEY = "HEXALIGN_DATABASE_URL"
TILE_URL_KEY = "HEXALIGN_TILE_URL"
DEFAULT_SCENARIO_KEY = "HEXALIGN_DEFAULT_SCENARIO"
DEFAULT_DATASET_KEY = "HEXALIGN_DEFAULT_DATASET"


def database_url() -> str:
    """The database of this app (set once by ``app.create_app``)."""
    return current_app.config[DATABASE_URL_KEY]


def tile_url() -> str | None:
    """Optional raster tiles drawn under the cells."""
    return current_app.config.get(TILE_URL_KEY)


def default_scenario() -> int:
    """Where a page lands when its own scenario is gone, chosen now (it may have been deleted)."""
    config = current_app.config
    return session.landing_scenario(
        config[DATABASE_URL_KEY],
        int(config[DEFAULT_SCENARIO_KEY]),
        int(config[DEFAULT_DATASET_KEY]),
    )


def tolerance_share(pct: float | str | None) -> float:
    """The tolerance control's percent as a share, within its bounds; 10 % when not a number.

    ``callbacks.tolerance`` puts the same value back in the field, with a sentence.
    """
    return check(TOLERANCE, pct).value / 100.0
