"""Issue 14: the map coloured by region or district, and filtered to one of them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.lod import display_levels
from layouts.main import map_filter_options
from layouts.map_figure import filtered_values, map_figure, unit_colours
from layouts.palette import UNASSIGNED_COLOUR, rep_colour
from planning.baseline import baseline_plan
from planning.mapview import unit_facts
from planning.market import build_market
from tests.planning.test_tally import world


@pytest.fixture(scope="module")
def facts():
    m = world()
    reps = m.reps.copy()
    reps["region"] = pd.array(["West", "West", "East", "East"], dtype="string")
    reps["district"] = pd.array(["W1", "W2", "E1", None], dtype="string")
    market = build_market(m.accounts, reps, area=m.area)
    plan, _ = baseline_plan(market)
    level = display_levels(market.area)[0]
    return unit_facts(level, plan, plan.owner, np.arange(len(level))), market


def test_region_and_district_of_each_cell_follow_its_owner(facts):
    f, _ = facts
    region = {0: 0, 1: 0, 2: 1, 3: 1, -1: -1}
    district = {0: 0, 1: 1, 2: 2, 3: 3, -1: -1}
    assert f.values("region").tolist() == [region[o] for o in f.owner.tolist()]
    assert f.values("district").tolist() == [district[o] for o in f.owner.tolist()]
    assert f.group_names["region"] == ("West", "East")
    assert unit_colours("region", f) == [rep_colour(region[o]) for o in f.owner.tolist()]


def test_filter_greys_out_the_other_regions(facts):
    f, market = facts
    east = np.isin(f.owner, [2, 3])
    z = filtered_values(f, "owner", "region:East")
    assert (z[east] == f.owner[east]).all() and (z[~east] == -1).all()
    colours = unit_colours("owner", f, "region:East")
    assert all(c == UNASSIGNED_COLOUR for c, e in zip(colours, east, strict=True) if not e)
    tam = filtered_values(f, "tam", "district:West / W1")
    assert np.isnan(tam[f.owner != 0]).all() and not np.isnan(tam[f.owner == 0]).any()
    fig = map_figure(f, "region", "/geo/x.json", market.reps,
                     {"center": {"lat": 45, "lon": -93}, "zoom": 8})  # fmt: skip
    assert fig["data"][0]["zmax"] == 1.5  # two regions, stepped like two reps


def test_filter_options_list_regions_then_districts():
    options = map_filter_options(["West"], ["West / W1"])
    assert [o["value"] for o in options] == ["", "region:West", "district:West / W1"]
