"""The core benchmark runs end to end on a small team and prints only well-formed figures."""

from __future__ import annotations

import re

from pandas.testing import assert_frame_equal

from benchmarks.__main__ import main
from benchmarks.synthetic import synthetic_team

CORE_FIGURES = (
    "bin_1m_accounts_s", "market_build_1m_s", "metrics_full_1m_s", "move_500_cells_ms",
    "peak_rss_1m_mb", "planning_cells", "occupied_cells", "resolution",
    # issue 11: the planning area on land and the far-point rule
    "far_points_1m_s", "demo_area_cells_land", "demo_area_cells_hull", "demo_land_boundary_ms",
    "demo_area_land_ms", "demo_area_hull_ms",
)  # fmt: skip
LINE = re.compile(r"^([a-z0-9_]+): [0-9.]+ [a-zA-Z%]+$")


def test_core_group_prints_each_figure_once(capsys):
    assert main(["core", "--accounts", "5000", "--reps", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    names = [LINE.match(line).group(1) for line in lines]
    assert sorted(names) == sorted(CORE_FIGURES)


def test_synthetic_team_is_deterministic():
    first, second = synthetic_team(2000, 4, seed=3), synthetic_team(2000, 4, seed=3)
    assert_frame_equal(first[0], second[0])
    assert_frame_equal(first[1], second[1])
    assert first[0]["rep_id"].isin(first[1]["rep_id"]).all()
