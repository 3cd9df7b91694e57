"""The assist benchmark (issue 17) runs end to end on small data and prints well-formed figures."""

from __future__ import annotations

import re

from benchmarks import assist
from benchmarks.__main__ import GROUPS, format_figure

LINE = re.compile(r"^([a-z0-9_]+): [0-9.]+ [a-zA-Z%]+$")


def test_assist_prints_its_figures():
    assert GROUPS["assist"] == "benchmarks.assist"
    figures = assist.run(n_accounts=20_000, n_reps=6, demo_resolution=4, curve_time_limit=0.5)
    lines = [format_figure(*f) for f in figures]
    assert all(LINE.match(line) for line in lines), lines
    names = [f[0] for f in figures]
    for name in ("demo_suggest_ms", "large_suggest_ms", "curve_points", "curve_runtime_s"):
        assert name in names
    values = {f[0]: f[1] for f in figures}
    assert values["demo_suggest_ms"] > 0 and values["curve_points"] >= 1
    assert values["curve_plans_measured"] >= values["curve_points"]
