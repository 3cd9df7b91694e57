"""The planning area is stored with the data set: a different area is a different data set."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

import shapely

from common.errors import FileUnreadableError
from planning.area_choice import AreaChoice, AreaKind, area_choice_of, call_plan_with_area
from planning.callplan import TravelModel, default_call_plan
from services import datasets, editing, importing

COLUMNS = ["account_id", "name", "lat", "lon", "segment", "tam", "revenue", "rep_id", "pinned"]


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


def _world() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Eight accounts in Berlin and one at sea north of Rügen (55.0 N, 13.4 E), one rep."""
    rows = [(f"B{i}", f"Berlin {i}", 52.40 + 0.03 * i, 13.30 + 0.03 * i, "B", 10.0, 1.0, "R1",
             False) for i in range(8)]  # fmt: skip
    rows.append(("SEA", "Baltic", 55.0, 13.4, "B", 10.0, 1.0, "R1", False))
    accounts = pd.DataFrame(rows, columns=COLUMNS)
    accounts["rep_id"] = accounts["rep_id"].astype("string")
    reps = pd.DataFrame(
        {"rep_id": ["R1"], "name": ["Ann"], "home_lat": [52.5], "home_lon": [13.4],
         "capacity_hours": [1000.0], "region": [""]}
    )  # fmt: skip
    return accounts, reps


def test_land_and_hull_are_two_data_sets_with_their_own_areas(url) -> None:
    accounts, reps = _world()
    hull_plan = call_plan_with_area(default_call_plan(), AreaChoice(AreaKind.HULL))
    land_plan = call_plan_with_area(default_call_plan(), AreaChoice(AreaKind.LAND))
    hull_ds, hull_sc = editing.ensure_scenarios(url, "w", accounts, reps, hull_plan, 6)
    land_ds, land_sc = editing.ensure_scenarios(url, "w", accounts, reps, land_plan, 6)
    assert hull_ds != land_ds
    hull_board, _, _ = editing.load(url, hull_sc)
    land_board, _, _ = editing.load(url, land_sc)
    hull, land = hull_board.market, land_board.market
    assert land.n_cells < hull.n_cells  # the Baltic between Berlin and the account is gone
    assert hull.outside_accounts == 0
    # rebuilt from the stored cells, the board keeps the sea account out, as the first build did
    assert land.outside_accounts == 1 and list(land.outside["account_id"]) == ["SEA"]
    assert len(land.accounts) == 8
    # same inputs, same choice: found again
    assert editing.ensure_scenarios(url, "w", accounts, reps, land_plan, 6)[0] == land_ds


def test_an_import_with_an_uploaded_boundary_keeps_it_and_a_call_plan_edit_carries_it(url):
    accounts, reps = _world()
    land_plan = call_plan_with_area(default_call_plan(), AreaChoice(AreaKind.LAND))
    _, start = editing.ensure_scenarios(url, "w", accounts, reps, land_plan, 6)
    square = shapely.box(13.0, 52.0, 14.0, 53.0)
    upload = AreaChoice(AreaKind.UPLOAD, (), "square.geojson", shapely.to_wkb(square, hex=True))
    used = datasets.store_import(url, start, "square", accounts, None, area=upload)
    assert used.outside == 1 and used.accounts == 8
    board, _, _ = editing.load(url, used.scenario_id)
    assert np.all((board.market.area.lon > 13.0) & (board.market.area.lon < 14.0))
    _, _, stored_plan = datasets.current_inputs(url, used.scenario_id)
    edited = default_call_plan()
    edited.loc["A", "visits_per_year"] = 40
    change = datasets.apply_call_plan(url, used.scenario_id, edited, TravelModel())
    assert change is not None
    _, _, new_plan = datasets.current_inputs(url, change.scenario_id)
    assert area_choice_of(new_plan) == area_choice_of(stored_plan) == upload


def test_the_data_tab_session_checks_against_an_uploaded_boundary_and_uses_it(
    url, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("HEXALIGN_UPLOADS_DIR", str(tmp_path / "uploads"))
    accounts, reps = _world()
    _, start = editing.ensure_scenarios(url, "w", accounts, reps, default_call_plan(), 6)
    csv = accounts.to_csv(index=False).encode()
    got = importing.receive(None, "accounts", "a.csv", "data:text/csv;base64," + _b64(csv))
    ring = [[13.0, 52.0], [14.0, 52.0], [14.0, 53.0], [13.0, 53.0], [13.0, 52.0]]
    geojson = json.dumps({"type": "Polygon", "coordinates": [ring]}).encode()
    boundary = importing.receive(
        got.token, importing.BOUNDARY_KIND, "square.geojson",
        "data:application/geo+json;base64," + _b64(geojson),
    )  # fmt: skip
    first = importing.check_uploads(importing.CheckRequest(token=None, received=got))
    assert first is not None
    again = importing.check_uploads(
        importing.CheckRequest(token=first.token, files=first.files, received=boundary,
                               area="upload", use=True)
    )  # fmt: skip
    assert again is not None and not again.unreadable and again.stored is not None
    outside = [p for p in again.checks["accounts"].report.warnings if "outside" in p.reason]
    assert [p.row for p in outside] == [10]  # the sea account, row 10 of the file
    used = importing.use_checked(url, start, again.token, ["accounts"], "a", "upload")
    assert used is not None and used.outside == 1
    with pytest.raises(FileUnreadableError, match="no boundary"):
        importing.area_choice(tmp_path, "upload")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
