"""Exports read back to the same plan; spreadsheet formulas in names are neutralised.

The world: the 7-cell disk, reps R1 (home: centre) and "=R2" (a rep id a
spreadsheet would run), accounts whose names are formulas.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import geopandas as gpd
import h3

from data.exports import (
    FORMATS,
    assignment_table,
    export_plan,
    neutralise,
    read_exported_plan,
    territories_frame,
    unneutralise,
    write_comparison_workbook,
    write_workbook,
)
from planning.compare import compare_plans
from planning.metrics import rep_metrics
from planning.plan import Plan
from tests.toy import CENTRE, DISK, make_accounts, make_reps, toy_market

RING = [c for c in DISK if c != CENTRE]
HYPERLINK = '=HYPERLINK("http://evil.example","click")'
NAMES = {
    "a1": HYPERLINK,
    "a2": "+SUM(A1:A9)",
    "a3": "-2+3",
    "a4": "@cmd",
    "a5": "\tTabbed",
    "a6": "'already quoted",
    "a7": "Plain Pharmacy",
}


@pytest.fixture
def world():
    accounts = make_accounts(
        [
            ("a1", CENTRE, "A", 1000.00, 250.00, "R1", False),
            ("a2", RING[0], "B", 500.50, 100.25, "=R2", False),
            ("a3", RING[0], "C", 99.99, 0.00, "=R2", False),
            ("a4", RING[1], "B", 10.00, 1.00, "=R2", False),
            ("a5", RING[3], "C", 20.00, 2.00, "R1", False),
            ("a6", RING[4], "A", 30.00, 3.00, "R1", True),
            ("a7", RING[5], "C", 40.00, 4.00, None, False),
        ]
    )
    accounts["name"] = accounts["account_id"].map(NAMES).astype("string")
    reps = make_reps({"R1": CENTRE, "=R2": RING[3]}, {"R1": 150.0, "=R2": 50.0})
    reps["name"] = ["Rita =1+1", "=cmd|' /C calc'!A0"]
    market = toy_market(accounts, reps)
    owner = np.full(market.n_cells, -1)
    pos = {c: int(market.area.positions(np.array([h3.str_to_int(c)], np.uint64))[0]) for c in DISK}
    owner[pos[CENTRE]] = 0
    owner[[pos[RING[0]], pos[RING[1]], pos[RING[2]]]] = 1
    owner[pos[RING[3]]] = 0
    owner[pos[RING[4]]] = 1  # a6 is pinned to R1 but sits in =R2's cell
    # RING[5] stays unassigned, with account a7 in it
    return Plan.from_owner(market, owner)


def owner_of(plan: Plan, table: pd.DataFrame) -> np.ndarray:
    """Cells -> rep table read from a file, as an owner array on the plan's area."""
    market = plan.market
    owner = np.full(market.n_cells, -1)
    pos = market.area.positions(table["h3_cell"].to_numpy(np.uint64))
    assert (pos >= 0).all()
    owner[pos] = pd.Index(market.rep_ids).get_indexer(table["rep_id"])
    return owner


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "csv"])
def test_every_plan_format_reads_back_to_the_same_plan(world, tmp_path, fmt):
    path = export_plan(world, fmt, tmp_path / f"plan.{fmt}", settings={"tolerance": 0.1})
    np.testing.assert_array_equal(owner_of(world, read_exported_plan(path, fmt)), world.owner)


def test_account_csv_reads_back_to_the_owner_of_every_cell_with_accounts(world, tmp_path):
    path = export_plan(world, "csv", tmp_path / "accounts.csv")
    back = owner_of(world, read_exported_plan(path, "csv"))
    m = world.market
    with_accounts = np.unique(m.account_cell[~m.account_pinned])
    np.testing.assert_array_equal(back[with_accounts], world.owner[with_accounts])
    # The unassigned cell's account has an empty rep_id; pinned a6 follows its rep.
    table = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("account_id")
    assert table.loc["a7", "rep_id"] == ""
    assert table.loc["a6", "rep_id"] == "R1" and table.loc["a6", "changes_owner"] == "False"


def test_account_csv_neutralises_formulas_and_keeps_numbers(world, tmp_path):
    path = export_plan(world, "csv", tmp_path / "accounts.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = {r["account_id"]: r for r in csv.DictReader(f)}
    assert rows["a1"]["name"] == "'" + HYPERLINK
    for account_id, name in NAMES.items():
        assert rows[account_id]["name"] == neutralise(name)
        assert unneutralise(rows[account_id]["name"]) == name
    assert rows["a7"]["name"] == "Plain Pharmacy"
    assert rows["a2"]["rep_id"] == "'=R2" and rows["a2"]["rep_name"] == "'=cmd|' /C calc'!A0"
    lon = float(rows["a1"]["lon"])  # a negative number stays a number
    assert lon == pytest.approx(h3.cell_to_latlng(CENTRE)[1]) and lon < 0
    assert rows["a1"]["tam"] == "1000.0"


def test_workbook_has_no_formula_and_keeps_negative_numbers(world, tmp_path):
    stamp = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    path = write_workbook(
        world, tmp_path / "plan.xlsx", settings={"tolerance": 0.1, "optimizer": {"seed": 7},
        "note": "=2+2"}, title="Draft", exported_at=stamp,
    )  # fmt: skip
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Accounts", "Plan", "Settings"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    accounts = pd.read_excel(path, sheet_name="Accounts")
    assert HYPERLINK not in set(accounts["Account name"])
    assert "'" + HYPERLINK in set(accounts["Account name"])
    assert (accounts["Longitude (deg)"] < 0).all()  # numbers, not text
    summary = pd.read_excel(path, sheet_name="Summary").set_index("Rep ID")
    deviation = summary["Workload vs fair share (%)"]
    assert deviation.dtype == np.float64 and (deviation < 0).any()
    expected = rep_metrics(world)["workload_deviation"].to_numpy()
    np.testing.assert_allclose(deviation.loc[["R1", "'=R2"]].to_numpy(), expected)
    sheet = book["Summary"]
    header = [c.value for c in sheet[1]]
    col = header.index("Workload vs fair share (%)") + 1
    assert sheet.cell(row=2, column=col).number_format == "0.0%"
    assert "Workload (h/yr)" in header and "TAM (currency)" in header
    settings = dict(pd.read_excel(path, sheet_name="Settings").to_numpy())
    assert settings["exported_at"] == "2026-11-20T09:30:00+00:00"
    assert settings["scenario"] == "Draft"
    assert settings["optimizer.seed"] == 7 and settings["note"] == "'=2+2"


def test_territories_are_one_valid_dissolved_polygon_per_rep_with_metrics(world, tmp_path):
    frame = territories_frame(world)
    assert list(frame["rep_id"]) == ["R1", "=R2"]
    assert frame.geometry.is_valid.all()
    components = dict(zip(world.market.rep_ids, world.tally.components, strict=True))
    for rep, geometry in zip(frame["rep_id"], frame.geometry, strict=True):
        expected = "MultiPolygon" if components[rep] > 1 else "Polygon"
        assert geometry.geom_type == expected
    metrics = rep_metrics(world)
    assert list(frame["accounts"]) == list(metrics["accounts"])
    export_plan(world, "geojson", tmp_path / "t.geojson")
    back = gpd.read_file(tmp_path / "t.geojson")
    assert len(back) == 2 and back.geometry.is_valid.all()
    assert back["workload_hours"].tolist() == pytest.approx(metrics["workload_hours"].tolist())
    export_plan(world, "parquet", tmp_path / "t.parquet")
    back = gpd.read_parquet(tmp_path / "t.parquet")
    assert back.crs.to_epsg() == 4326 and len(back) == 2


def test_a_rep_without_cells_keeps_its_row_without_geometry(world):
    empty = Plan.from_owner(world.market, np.where(world.owner == 1, 0, world.owner))
    frame = territories_frame(empty)
    assert frame.geometry.iloc[1] is None and frame["cells"].iloc[1] == 0


def test_assignment_table_follows_pinned_accounts(world):
    table = assignment_table(world).set_index("account_id")
    assert table.loc["a6", "rep_id"] == "R1" and bool(table.loc["a6", "pinned"])
    assert table.loc["a2", "rep_id"] == "=R2" and not table.loc["a2", "changes_owner"]
    assert pd.isna(table.loc["a7", "rep_id"])


def test_comparison_workbook_keeps_negative_deltas_numeric(world, tmp_path):
    after = Plan.from_owner(world.market, np.where(world.owner == 1, 0, world.owner))
    path = write_comparison_workbook(compare_plans(world, after), tmp_path / "cmp.xlsx")
    reps = pd.read_excel(path, sheet_name="Compare reps")
    delta = reps["Accounts (count) change"]
    assert delta.dtype.kind in "if" and delta.min() < 0
    moved = pd.read_excel(path, sheet_name="Moved cells")
    assert set(moved["from_rep"]) == {"'=R2"} and set(moved["to_rep"]) == {"R1"}
