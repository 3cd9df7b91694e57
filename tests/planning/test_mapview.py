"""Issue 18: unit facts summed over the asked units' cells equal a sum over every cell.

``unit_facts`` used to sum every cell of the area and then pick the units; it now
sums only the cells under the units a move repaints (or a view draws). Random plans,
random unit lists (unsorted, repeated) at every display level: every figure is equal.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.lod import DisplayLevel, display_levels, unit_owner, unit_sums
from planning.baseline import baseline_plan
from planning.mapview import UnitFacts, unit_facts
from planning.market import SECONDS_PER_HOUR
from planning.plan import Plan, reassign, set_locked
from planning.share_classes import classify, share_of
from tests.planning.test_tally import world

FIELDS = ("units", "owner", "accounts", "segments", "tam", "revenue", "workload_h", "changed",
          "locked", "share_class", "share")  # fmt: skip


def full_sum_facts(level: DisplayLevel, plan: Plan, baseline: np.ndarray, units: np.ndarray):
    """The figures as the whole-area sums gave them before issue 18 (the reference)."""
    m = plan.market
    owner = plan.owner
    travel = np.zeros(m.n_cells, np.int64)
    idx = np.flatnonzero(owner >= 0)
    travel[idx] = m.travel_s[idx, owner[idx]]
    segments = np.stack([unit_sums(level, m.cell_segments[:, k]) for k in range(3)], axis=1)
    share_tam = unit_sums(level, m.share_tam)[units]
    share_rev = unit_sums(level, m.share_revenue)[units]
    return {
        "units": units,
        "owner": unit_owner(level, owner, m.n_reps)[units],
        "accounts": unit_sums(level, m.cell_accounts)[units],
        "segments": segments[units],
        "tam": unit_sums(level, m.cell_tam)[units] / 100.0,
        "revenue": unit_sums(level, m.cell_revenue)[units] / 100.0,
        "workload_h": unit_sums(level, m.cell_visit_s + travel)[units] / SECONDS_PER_HOUR,
        "changed": (unit_sums(level, (owner != baseline).astype(np.int64)) > 0)[units],
        "locked": (unit_sums(level, plan.locked.astype(np.int64)) > 0)[units],
        "share_class": classify(share_tam, share_rev, m.share.thresholds),
        "share": share_of(share_tam, share_rev),
    }


def assert_same(facts: UnitFacts, expected: dict) -> None:
    for name in FIELDS:
        got, want = getattr(facts, name), expected[name]
        assert got.shape == want.shape, name
        assert got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want, err_msg=name)  # NaN == NaN here, bit for bit


plans = st.lists(
    st.tuples(st.lists(st.integers(0, 10_000), min_size=1, max_size=60), st.integers(-1, 3),
              st.booleans()),
    min_size=0, max_size=6,
)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(plans, st.lists(st.integers(0, 10_000), min_size=0, max_size=80), st.integers(0, 3))
def test_unit_facts_equal_whole_area_sums(moves, raw_units, level_index):
    market = world()
    levels = display_levels(market.area)
    level = levels[min(level_index, len(levels) - 1)]
    baseline, _ = baseline_plan(market)
    plan = baseline
    for raw_cells, rep, lock in moves:
        cells = np.array(raw_cells) % market.n_cells
        if lock:
            plan = set_locked(plan, cells[:3])
        plan = reassign(plan, cells, rep)
    units = np.array(raw_units, dtype=np.int64) % len(level)  # unsorted, repeats allowed
    facts = unit_facts(level, plan, baseline.owner, units)
    assert_same(facts, full_sum_facts(level, plan, baseline.owner, units))


def test_every_unit_and_none():
    """The whole level (what a first drawing asks) and no unit at all (a move outside the view)."""
    market = world()
    level = display_levels(market.area)[0]
    baseline, _ = baseline_plan(market)
    plan = reassign(baseline, np.arange(0, market.n_cells, 3), 2)
    every = np.arange(len(level))
    assert_same(unit_facts(level, plan, baseline.owner, every),
                full_sum_facts(level, plan, baseline.owner, every))  # fmt: skip
    none = unit_facts(level, plan, baseline.owner, np.zeros(0, np.int64))
    assert_same(none, full_sum_facts(level, plan, baseline.owner, np.zeros(0, np.int64)))
    assert set(none.groups) == {"region", "district"}
    assert all(len(g) == 0 for g in none.groups.values())


def test_a_tie_goes_to_the_lower_rep():
    """A unit with as many cells of rep 0 as of rep 2 is shown as rep 0, as before."""
    market = world()
    coarse = display_levels(market.area)[1]
    unit = int(np.argmax(np.diff(coarse.starts)))  # the unit with the most cells
    cells = coarse.cells_of(np.array([unit]))
    assert len(cells) >= 2
    baseline, _ = baseline_plan(market)
    half = len(cells) // 2
    plan = reassign(reassign(baseline, cells[:half], 2), cells[half : 2 * half], 0)
    facts = unit_facts(coarse, plan, baseline.owner, np.array([unit]))
    assert facts.owner.tolist() == [0]
