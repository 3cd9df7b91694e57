"""Find over a stored data set: ranking across accounts, reps and towns; where the map looks."""

from __future__ import annotations

import numpy as np
import pytest

import h3
import shapely

from planning.find import FoundKind
from services import editing, find
from tests.planning.test_tally import world

# accounts 0-4 get names made for the ranking; the rest keep "x"
NAMED = {
    0: ("MILL", "Northside Dental"),
    1: ("A1", "Mill Creek Pharmacy"),
    2: ("B7", "Sawmill Supplies"),
    3: ("C3", "Millers Bakery"),
    4: ("C4", "Old Mill Diner"),
}


@pytest.fixture
def stored(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    accounts = m.accounts.copy()
    for row, (account_id, name) in NAMED.items():
        accounts.loc[row, ["account_id", "name"]] = [account_id, name]
    reps = m.reps.copy()
    reps.loc[0, "name"] = "Ann Miller"
    _, sid = editing.ensure_scenarios(url, "mills", accounts, reps, m.call_plan, resolution=7)
    return url, sid


def test_accounts_and_reps_rank_exact_id_then_prefix_then_substring(stored):
    url, sid = stored
    found = [(m.kind.value, m.key) for m in find.matches(url, sid, "mill")]
    assert found == [
        ("account", "MILL"),  # exact id
        ("account", "A1"),  # name prefix
        ("account", "C3"),
        ("rep", "R1"),  # a word of "Ann Miller": among equals reps, accounts, towns
        ("account", "C4"),
        ("town", "5037790"),  # Minnetonka Mills, 25 km west: near
        ("account", "B7"),  # substring last of the plan's
        ("town", "2750802"),  # Mill (NL) matches exactly, but lies far away: after all of them
    ]


def test_a_near_town_comes_before_a_bigger_far_one(stored):
    url, sid = stored
    towns = [m for m in find.matches(url, sid, "Plymouth") if m.kind is FoundKind.TOWN]
    # Plymouth, Minnesota (76,000 people, 25 km west of the area) before Plymouth, England (260,000)
    assert (towns[0].key, towns[0].near) == ("5041926", True)
    assert (towns[1].key, towns[1].near) == ("2640194", False)


def test_an_account_is_centred_on_its_cell_and_the_cell_outlined(stored):
    url, sid = stored
    board, plan, _ = editing.load(url, sid)
    market = board.market
    row = int(np.flatnonzero(market.accounts["account_id"].to_numpy() == "C4")[0])
    cell = int(market.area.cells[market.account_cell[row]])
    focus = find.focus(url, sid, "account:C4")
    lat, lon = h3.cell_to_latlng(h3.int_to_str(cell))
    assert focus.center == pytest.approx((lon, lat))
    west, south, east, north = focus.bounds
    assert west < lon < east and south < lat < north
    outline = shapely.geometry.shape(focus.outline)
    hexagon = shapely.Polygon([(x, y) for y, x in h3.cell_to_boundary(h3.int_to_str(cell))])
    assert outline.contains(shapely.Point(lon, lat))
    assert outline.symmetric_difference(hexagon).area < 1e-9 * hexagon.area
    assert focus.message.startswith("Account C4 Old Mill Diner: its cell is outlined")


def test_a_rep_is_shown_with_the_whole_territory_outlined(stored):
    url, sid = stored
    board, plan, _ = editing.load(url, sid)
    area = board.market.area
    mine = np.flatnonzero(plan.owner == 1)
    focus = find.focus(url, sid, "rep:R2")
    assert focus.center is None and focus.kind is FoundKind.REP
    territory = shapely.geometry.shape(focus.outline)
    assert territory.area == pytest.approx(
        shapely.union_all([shapely.Polygon([(x, y) for y, x in h3.cell_to_boundary(
            h3.int_to_str(int(c)))]) for c in area.cells[mine]]).area, rel=1e-6)  # fmt: skip
    west, south, east, north = focus.bounds
    assert (area.lon[mine] > west).all() and (area.lon[mine] < east).all()
    assert (area.lat[mine] > south).all() and (area.lat[mine] < north).all()


def test_a_town_is_centred_on_itself(stored):
    url, sid = stored
    focus = find.focus(url, sid, "town:5041926")
    assert focus.center == pytest.approx((-93.45551, 45.01052))
    assert "outside the planning area" in focus.message


def test_a_chosen_line_that_is_gone_is_a_lookup_error(stored):
    url, sid = stored
    with pytest.raises(LookupError):
        find.focus(url, sid, "account:NOPE")
