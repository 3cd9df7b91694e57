"""Fixtures: tiny named worlds (built in tests/toy.py)."""

from __future__ import annotations

import pytest

from tests.toy import Toy, make_toy


@pytest.fixture
def toy() -> Toy:
    """Three accounts: an A in the centre, a B and a C in ring cell 0; R2 lives in ring cell 3.

    R1 (home = centre) owns the centre; R2 owns the ring.
    """
    return make_toy()


@pytest.fixture
def served(tmp_path):
    """A stored small world ("north", resolution 7) and a Flask app context serving it: what
    ``callbacks.first_page`` needs (tests/callbacks/test_first_page.py, test_plotly_bundle.py)."""
    from flask import Flask

    from callbacks.context import DATABASE_URL_KEY, DEFAULT_DATASET_KEY, DEFAULT_SCENARIO_KEY
    from services import editing
    from tests.planning.test_tally import world

    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    dataset, working = editing.ensure_scenarios(
        url, "north", m.accounts, m.reps, m.call_plan, resolution=7
    )
    server = Flask(__name__)
    server.config.update({DATABASE_URL_KEY: url, DEFAULT_SCENARIO_KEY: working,
                          DEFAULT_DATASET_KEY: dataset})  # fmt: skip
    with server.app_context():
        yield url, working
