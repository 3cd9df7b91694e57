"""The balance benchmark runs our optimizer end to end on tiny data and prints well-formed figures."""

from __future__ import annotations

import re

import pytest

from benchmarks import balance, peers
from benchmarks.__main__ import GROUPS, format_figure

LINE = re.compile(r"^([a-z0-9_]+): [0-9.]+ [a-zA-Z%]+$")
PLAN_FIGURES = (
    "balance_worst_dev_pct", "balance_cv_pct", "contiguous_territories",
    "mean_polsby_popper", "disruption_accounts_pct",
    "min_polsby_popper", "territories_below_pp_0_1", "travel_hours",  # issue 13 points 3-4
)  # fmt: skip


LP_FIGURES = [
    "large_moved_lp_bound_pct", "large_travel_lp_bound_h", "large_travel_lp_bound_to_baseline",
    "large_baseline_nearest_home_pct", "large_moved_chain_estimate_pct",
]  # fmt: skip


def expected_names(case: str) -> list[str]:
    """Baseline figures (no runtime) and our optimizer's figures (with runtime) of one data set."""
    return (
        [f"{case}_baseline_{f}" for f in PLAN_FIGURES]
        + [f"{case}_moved_lower_bound_pct"]  # issue 13 point 4 (h13d)
        + (LP_FIGURES if case == "large" else [])  # issue 13 point 4 (h13large)
        + [f"{case}_{f}" for f in (*PLAN_FIGURES, "balance_runtime_s")]
    )


@pytest.fixture(scope="module")
def tiny_lines() -> list[str]:
    """Demo and a 4-rep regional team at resolution 4, two seconds each, no peers."""
    figures = balance.run(
        n_accounts=3000, n_reps=4, time_limit=2.0, demo_resolution=4, large_resolution=4,
        peer_names=(), generic=False,
    )  # fmt: skip
    return [format_figure(*f) for f in figures]


def test_generic_instances_report_objective_bound_and_gap():
    """Issue 13 point 6: per seeded instance, the objective, the bound and the gap."""
    figures = balance.generic_figures(10.0, sizes=((20, 3),))
    lines = [format_figure(*f) for f in figures]
    assert all(LINE.match(line) for line in lines), lines
    values = {name: value for name, value, _ in figures}
    for minimize in ("cost", "disruption"):
        prefix = f"generic_u20_{minimize}_exact_"
        assert values[f"{prefix}gap_pct"] == 0.0  # proven at 20 units
        assert values[f"{prefix}bound"] == pytest.approx(values[f"{prefix}objective"])
        search = values[f"generic_u20_{minimize}_search_objective"]
        assert values[f"{prefix}objective"] <= search + 1e-12


def test_group_is_registered():
    assert GROUPS["balance"] == "benchmarks.balance"


def test_every_line_is_name_value_unit(tiny_lines):
    assert all(LINE.match(line) for line in tiny_lines), tiny_lines


def test_each_figure_once_demo_first(tiny_lines):
    names = [LINE.match(line).group(1) for line in tiny_lines]
    assert names == expected_names("demo") + expected_names("large")


def test_counts_print_as_integers_and_balance_is_sane(tiny_lines):
    values = dict(line.split(": ") for line in tiny_lines)
    assert values["demo_contiguous_territories"] == "12 count"
    assert 0 < float(values["demo_mean_polsby_popper"].split()[0]) <= 1
    worst = float(values["demo_balance_worst_dev_pct"].split()[0])
    assert worst < float(values["demo_baseline_balance_worst_dev_pct"].split()[0])


def test_the_moved_lower_bound_is_a_share_below_what_the_plan_moves(tiny_lines):
    """Issue 13 point 4 (h13d): the computed bound on accounts moved holds for our plan."""
    values = {line.split(": ")[0]: float(line.split(": ")[1].split()[0]) for line in tiny_lines}
    for case in ("demo", "large"):
        bound = values[f"{case}_moved_lower_bound_pct"]
        assert 0 < bound <= values[f"{case}_disruption_accounts_pct"] + 1e-9


def test_a_missing_peer_is_skipped_with_a_note(monkeypatch, capsys):
    monkeypatch.setattr(peers, "missing_modules", lambda peer: ["spopt"])
    assert not balance._peer_available("spopt")
    assert "skipping spopt: spopt not installed" in capsys.readouterr().err


def test_the_lp_bounds_hold_for_our_plan(tiny_lines):
    """Issue 13 point 4 (h13large): the LP bounds (contiguity relaxed) are below our plan's figures."""
    values = {line.split(": ")[0]: float(line.split(": ")[1].split()[0]) for line in tiny_lines}
    assert 0 <= values["large_moved_lp_bound_pct"] <= values["large_disruption_accounts_pct"] + 1e-9
    assert values["large_travel_lp_bound_h"] <= values["large_travel_hours"] * (1 + 1e-9)
    assert values["large_travel_lp_bound_h"] >= values["large_baseline_travel_hours"] * (1 - 1e-3)
    assert 0 < values["large_baseline_nearest_home_pct"] <= 100
