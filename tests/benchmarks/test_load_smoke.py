"""The load benchmark for a few seconds: 2 planners, 2 gunicorn workers, PostgreSQL.

Without PostgreSQL it skips, or fails under ``CI=true`` (``tests.needs``).
"""

from __future__ import annotations

import re

import numpy as np

from benchmarks.__main__ import main
from benchmarks.load import Planner, check_log
from planning.callplan import default_call_plan
from services import editing
from tests import needs
from tests.toy import toy_accounts_and_reps

LINE = re.compile(r"^([a-z0-9_]+): ([0-9.]+|nan) [a-zA-Z%]+$")


def test_load_runs_with_no_error_and_no_lost_move(capsys):
    needs.postgres_url()
    assert main(["load", "--seconds", "6", "--planners", "2", "--workers", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    figures = {m.group(1): float(m.group(2)) for m in map(LINE.match, lines)}
    assert figures["load_errors"] == 0
    assert figures["load_lost_moves"] == 0
    assert figures["load_moves_accepted"] > 0
    assert figures["load_moves_logged"] == figures["load_moves_accepted"]
    assert figures["load_p95_move_ms"] > 0


def test_a_move_missing_from_the_log_counts_as_lost(tmp_path):
    """The check itself: planners told of 3 moves where the store logged 2 -> 1 lost."""
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    accounts, reps = toy_accounts_and_reps()
    dataset, working = editing.ensure_scenarios(url, "toy", accounts, reps, default_call_plan())
    store = editing.open_store(url)
    own, shared = (store.duplicate_scenario(working, n) for n in ("own", "shared"))
    _, plan, _ = editing.load(url, own)
    for version, rep in ((1, 1 - int(plan.owner[0])), (2, int(plan.owner[0]))):
        editing.apply(url, own, version, "move", np.array([0]), rep)
    honest = Planner("a", own, accepted={own: 2}, versions={own: [2, 3]})
    assert check_log(url, [honest], shared) == (0, 2, [])
    boastful = Planner("b", own, accepted={own: 3}, versions={own: [2, 3, 4]})
    lost, logged, problems = check_log(url, [boastful], shared)
    assert (lost, logged, problems) == (1, 2, [])
