"""The class colouring and the Market-share tab's formatting, on the named world of
tests/planning/test_market_share.py (classes by hand there)."""

from __future__ import annotations

import numpy as np

from geo.lod import display_levels, unit_sums
from layouts.ids import Slot
from layouts.map_figure import colour_settings, customdata, unit_colours
from layouts.market_share import (
    class_label,
    detail_rows,
    effect_rows,
    effort_values,
    overview_rows,
    stacked_chart,
)
from planning.mapview import COLOUR_MODES, unit_facts
from planning.market_share import class_rows, effort_effect, territory_table
from planning.share_classes import (
    CLASS_COLOURS,
    EffortRule,
    ShareClass,
    ShareSettings,
    Thresholds,
    rule_rows,
)
from tests.planning.test_market_share import world


def test_the_class_mode_paints_each_cell_in_its_class_colour():
    plan = world()
    level = display_levels(plan.market.area)[0]
    units = np.arange(len(level))
    facts = unit_facts(level, plan, plan.owner, units)
    assert "class" in COLOUR_MODES
    assert facts.values("class").tolist() == plan.market.cell_class.astype(float).tolist()
    colours = unit_colours("class", facts)
    assert colours == [CLASS_COLOURS[ShareClass(int(c))] for c in plan.market.cell_class]
    settings = colour_settings("class", 2)
    assert (settings["zmin"], settings["zmax"], settings["showscale"]) == (-0.5, 4.5, False)
    # the stepped scale puts class k's colour around z = k
    scale = settings["colorscale"]
    for c in ShareClass:
        at = (int(c) + 0.5) / 5
        inside = [colour for (lo, colour), (hi, _) in zip(scale[::2], scale[1::2], strict=True)
                  if lo <= at <= hi]  # fmt: skip
        assert inside == [CLASS_COLOURS[c]]
    # the hover names class and share
    rows = customdata(facts, plan.market.rep_ids, np.array(["Rep R1", "Rep R2"]))
    texts = {row[Slot.SHARE_CLASS] for row in rows}
    assert {"Stronghold, 60.0%", "Base, 40.0%", "Contested, 40.0%", "Frontier, 0.0%",
            "No TAM", "Stronghold"} <= texts  # fmt: skip


def test_a_coarser_unit_is_judged_on_its_sums():
    plan = world()
    levels = display_levels(plan.market.area)
    coarse = levels[-1]
    units = np.arange(len(coarse))
    facts = unit_facts(coarse, plan, plan.owner, units)
    tam = unit_sums(coarse, plan.market.share_tam)
    rev = unit_sums(coarse, plan.market.share_revenue)
    for u in units:
        t, r = int(tam[u]), int(rev[u])
        want = (0 if r > 0 and r * 100 >= 60 * t else 1 if r > 0 and r * 100 >= 40 * t
                else 2 if r > 0 else 3 if t > 0 else 4)  # fmt: skip
        assert facts.share_class[u] == want


def test_labels_state_the_data_sets_thresholds():
    t = Thresholds(55.0, 30.0)
    assert class_label(ShareClass.STRONGHOLD, t) == "Stronghold (share ≥ 55%)"
    assert class_label(ShareClass.BASE, t) == "Base (30% ≤ share < 55%)"
    assert class_label(ShareClass.NONE, t) == "No TAM (no TAM)"


def test_tab_rows_and_chart_from_the_breakdown():
    plan = world()
    table = territory_table(plan)
    detail = detail_rows(class_rows(table, "R1"))
    assert detail[0] == {"class": "Stronghold", "tam": "1,000", "revenue": "600", "accounts": "1",
                         "workload_hours": "52.0"}  # fmt: skip
    assert detail[3]["class"] == "Frontier" and detail[3]["tam"] == "500"
    rows = overview_rows(table, "accounts")
    assert rows[0]["rep_id"] == "R1" and rows[0]["class"] == "Contested"
    assert rows[0]["share"] == "40.0%" and rows[0]["total"] == "4"
    assert rows[1]["none"] == "1" and rows[1]["frontier"] == "1"
    chart = stacked_chart(table, "territory", "tam")
    assert chart["layout"]["barmode"] == "stack"
    assert [t["name"] for t in chart["data"]] == [c.label for c in ShareClass]
    # R1's stacked TAM adds up to its TAM; the empty UNASSIGNED bar is left out
    assert chart["data"][0]["x"] == ["R1", "R2"]
    assert sum(t["y"][0] for t in chart["data"]) == 3500.0


def test_effect_rows_and_grid_values():
    now = world()
    rule = EffortRule(ShareClass.FRONTIER, "C", 4.0, 30.0, "remote")
    then = world(ShareSettings(Thresholds(), (rule,)))
    rows = effect_rows(effort_effect(now, then))
    assert rows[0]["rep_id"] == "R1" and rows[0]["change"] == "-1.0"
    assert rows[-1]["rep_id"] == "TOTAL"
    grid = rule_rows(then.market.share, then.market.call_plan)
    outputs = [{"id": {"class": "frontier", "segment": "C", "field": f}}
               for f in ("visits_per_year", "minutes_per_visit", "channel")]  # fmt: skip
    assert effort_values(grid, outputs) == [4.0, 30.0, "remote"]
    outputs = [{"id": {"class": "base", "segment": "A", "field": "visits_per_year"}}]
    assert effort_values(grid, outputs) == [52.0]  # no rule: the call plan's
