"""A page whose scenario is gone lands on one that exists, chosen at request time."""

from __future__ import annotations

from flask import Flask

from callbacks.context import (
    DATABASE_URL_KEY,
    DEFAULT_DATASET_KEY,
    DEFAULT_SCENARIO_KEY,
    default_scenario,
)
from services import editing
from tests.planning.test_tally import world


def test_default_scenario_survives_the_deletion_of_the_opening_plan(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    dataset, opening = editing.ensure_scenarios(
        url, "north", m.accounts, m.reps, m.call_plan, resolution=7
    )
    app = Flask(__name__)
    app.config.update({DATABASE_URL_KEY: url, DEFAULT_SCENARIO_KEY: opening,
                       DEFAULT_DATASET_KEY: dataset})  # fmt: skip
    with app.app_context():
        assert default_scenario() == opening
        editing.open_store(url).delete_scenario(opening)
        fallback = default_scenario()
    assert fallback != opening  # a new working plan, never the deleted one's id (issue 12 pt 2)
    assert editing.scenario_exists(url, fallback)
    assert not editing.open_store(url).scenario(fallback).read_only
