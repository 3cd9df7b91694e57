"""The overlay layer of a stored scenario (issue 15 section 3), on the "inside and out" world.

tests/planning/test_overlay.py describes the world: F1, F2 field reps; O1, O2 overlay reps
serving every remote C account (o1 centre, o2 ring0 last with O1, o3 ring3 pinned to O2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import h3

from common.errors import PlanError, StaleVersionError
from planning.callplan import default_call_plan
from services import editing, overlay
from tests.planning.test_overlay import frames
from tests.toy import CENTRE, RING


@pytest.fixture
def stored(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    accounts, reps = frames()
    _, sid = editing.ensure_scenarios(url, "io", accounts, reps, default_call_plan(), resolution=7)
    return url, sid


def at(plan, cell: str) -> int:
    return int(plan.market.area.positions(np.array([h3.str_to_int(cell)], np.uint64))[0])


def test_the_field_layer_holds_field_reps_and_their_accounts_only(stored):
    url, sid = stored
    _, plan, _ = editing.load(url, sid)
    assert list(plan.market.rep_ids) == ["F1", "F2"]
    assert plan.market.accounts["account_id"].tolist() == ["f1", "f2"]
    assert overlay.has_overlay_layer(url, sid)


def test_overlay_moves_are_stored_apart_and_never_touch_the_field(stored):
    url, sid = stored
    _, field_before, field_version = editing.load(url, sid)
    state = overlay.load_overlay(url, sid)
    assert state.version == 0 and list(state.plan.market.rep_ids) == ["O1", "O2"]
    assert state.plan.market.area.cells.tolist() == field_before.market.area.cells.tolist()
    # last quarter: o2 (ring0) with O1, o3 pinned to O2
    assert state.plan.owner[at(state.plan, RING[0])] == 0
    metrics = overlay.overlay_metrics(url, sid).set_index("rep_id")
    assert metrics.loc["O2", "accounts"] == 1

    done = overlay.move_overlay(url, sid, np.array([at(state.plan, RING[0])]), "O2", 0)
    assert done.moved == 1 and done.state.version == 1
    again = overlay.load_overlay(url, sid)
    assert again.version == 1 and again.plan.owner[at(again.plan, RING[0])] == 1
    assert overlay.overlay_metrics(url, sid).set_index("rep_id").loc["O2", "accounts"] == 2
    # the field layer: same owners, same version
    _, field_after, version_after = editing.load(url, sid)
    assert version_after == field_version
    np.testing.assert_array_equal(field_after.owner, field_before.owner)
    # a stale overlay view is told; an unknown overlay rep is refused
    with pytest.raises(StaleVersionError):
        overlay.move_overlay(url, sid, np.array([0]), "O1", 0)
    with pytest.raises(PlanError, match="'F1' is not an overlay rep"):
        overlay.move_overlay(url, sid, np.array([0]), "F1", 1)


def test_the_overlay_layer_exports_like_the_field(stored, tmp_path):
    url, sid = stored
    path = overlay.export_overlay(url, sid, "xlsx", tmp_path / "overlay.xlsx")
    summary = pd.read_excel(path, sheet_name="Accounts")
    assert sorted(summary.iloc[:, 0].astype(str)) == ["o1", "o2", "o3"]
    assert summary.shape[0] == 3


def test_a_team_without_overlay_reps_has_no_overlay_layer(tmp_path):
    url = f"sqlite:///{tmp_path / 'plain.sqlite'}"
    accounts, reps = frames()
    reps = reps.iloc[:2].drop(columns=["layer", "overlay"])
    accounts = accounts.assign(rep_id=pd.array([None] * 5, dtype="string"), pinned=False)
    _, sid = editing.ensure_scenarios(url, "p", accounts, reps, default_call_plan(), resolution=7)
    assert not overlay.has_overlay_layer(url, sid)
    with pytest.raises(PlanError, match="no overlay reps"):
        overlay.load_overlay(url, sid)


def test_the_tab_assigns_the_overlay_accounts_of_field_territories(stored):
    url, sid = stored
    view = overlay.overlay_view(url, sid)
    assert view.has_layer and view.accounts == 3 and view.version == 0
    assert [r for r, _ in view.overlay_reps] == ["O1", "O2"]
    assert [r for r, _ in view.field_reps] == ["F1", "F2"]
    _, field, version = editing.load(url, sid)
    # F1's territory (the baseline gives it the centre at least) goes to O2 in the overlay
    f1_cells = np.flatnonzero(field.owner == 0)
    done = overlay.assign_territories(url, sid, ["F1"], "O2", 0)
    state = overlay.load_overlay(url, sid)
    assert (state.plan.owner[f1_cells] == 1).all() and done.state.version == 1
    assert editing.load(url, sid)[2] == version  # the field layer was only read
    name, blob = overlay.overlay_file(url, sid, "xlsx")
    assert name.endswith("overlay.xlsx") and blob[:2] == b"PK"
    with pytest.raises(PlanError, match="'O1' is not a field rep"):
        overlay.assign_territories(url, sid, ["O1"], "O2", 1)


def test_a_team_edit_keeps_the_layers_and_carries_field_owners_by_field_position(stored):
    from services import datasets

    url, sid = stored
    _, field, _ = editing.load(url, sid)
    _, reps, _ = datasets.current_inputs(url, sid)
    rows = reps[["rep_id", "name", "home_lat", "home_lon", "capacity_hours"]].to_dict("records")
    rows[1]["capacity_hours"] = 77.0  # F2
    done = datasets.edit_team(url, sid, rows, confirmed=True)
    assert done.derived is not None and done.changes.capacity[0][0] == "F2"
    new = done.derived.scenario_id
    _, new_field, _ = editing.load(url, new)
    assert list(new_field.market.rep_ids) == ["F1", "F2"]
    np.testing.assert_array_equal(new_field.owner, field.owner)
    assert overlay.has_overlay_layer(url, new)
    assert [r for r, _ in overlay.overlay_view(url, new).overlay_reps] == ["O1", "O2"]
    # removing F2 counts F2's field cells (positions among field reps)
    assert datasets.cells_of(url, sid, ["F2"]) == int((field.owner == 1).sum())


# --- issue 15 (h15d): undo and redo on the overlay layer -----------------------------------------


def test_overlay_undo_and_redo_take_back_overlay_changes_only(stored):
    from common.errors import NothingToUndoError
    from planning.editing import Selection, Step, Tool

    url, sid = stored
    b, field_before, field_version = editing.load(url, sid)
    start = overlay.load_overlay(url, sid).plan
    ring0 = int(b.levels[0].unit_of_cell[at(start, RING[0])])
    with pytest.raises(NothingToUndoError, match="nothing to undo"):
        overlay.edit_overlay(url, sid, 0, Step.UNDO)
    # 1: the Overlay tab gives O2 the overlay accounts of F1's territory (a logged move)
    overlay.assign_territories(url, sid, ["F1"], "O2", 0)
    after_tab = overlay.load_overlay(url, sid).plan
    # 2: a lasso locks ring 0 on the overlay layer
    locked = overlay.edit_overlay(url, sid, 1, Selection(Tool.LOCK, 0, np.array([ring0])))
    assert locked.edit.version == 2 and locked.edit.plan.locked[at(start, RING[0])]
    undone = overlay.edit_overlay(url, sid, 2, Step.UNDO)
    assert undone.edit.version == 3 and not undone.stale
    assert undone.edit.changed.tolist() == [at(start, RING[0])]
    assert not undone.edit.plan.locked.any()
    np.testing.assert_array_equal(undone.edit.plan.owner, after_tab.owner)
    undone = overlay.edit_overlay(url, sid, 3, Step.UNDO)  # back to last quarter's overlay
    np.testing.assert_array_equal(undone.edit.plan.owner, start.owner)
    # the incremental tally equals a full recount
    stored_plan = overlay.load_overlay(url, sid).plan
    assert stored_plan.tally.equals(undone.edit.plan.tally)
    # a stale version is an answer holding the current overlay, nothing written
    stale = overlay.edit_overlay(url, sid, 2, Step.REDO)
    assert stale.stale and stale.edit.version == 4
    redone = overlay.edit_overlay(url, sid, 4, Step.REDO)
    np.testing.assert_array_equal(redone.edit.plan.owner, after_tab.owner)
    # a new move ends the redo stack
    overlay.move_overlay(url, sid, np.array([at(start, RING[0])]), None, 5)
    with pytest.raises(NothingToUndoError, match="nothing to redo"):
        overlay.edit_overlay(url, sid, 6, Step.REDO)
    # undo on the field layer knows nothing of the overlay's changes
    with pytest.raises(NothingToUndoError):
        editing.step(url, sid, field_version, redo=False)
    _, field_after, version_after = editing.load(url, sid)
    assert version_after == field_version
    np.testing.assert_array_equal(field_after.owner, field_before.owner)


# --- issue 15 (h15d): derived scenarios keep the overlay layer ----------------------------------


def overlay_owners(url: str, sid: int) -> dict[str, str]:
    """Each overlay account's overlay owner (rep id, "" unassigned) in the scenario."""
    plan = overlay.load_overlay(url, sid).plan
    ids = np.append(np.asarray(plan.market.rep_ids, dtype=object), "")
    pos = plan.account_owner()
    owners = ids[np.where(pos >= 0, pos, len(ids) - 1)]
    return dict(zip(plan.market.accounts["account_id"].astype(str), owners, strict=True))


@pytest.fixture
def drawn(stored):
    """The stored world with its overlay drawn: o2 (ring 0) moved from O1 to O2, then locked."""
    url, sid = stored
    start = overlay.load_overlay(url, sid).plan
    overlay.move_overlay(url, sid, np.array([at(start, RING[0])]), "O2", 0)
    plan = overlay.load_overlay(url, sid).plan
    editing.open_store(url).save_overlay(sid, plan.owner, plan.locked | (plan.owner == 1), 1)
    # last quarter: o1 nobody's (its centre cell filled from a neighbour), o2 O1's, o3 O2's
    assert overlay_owners(url, sid)["o2"] == "O2"
    return url, sid


def test_team_and_call_plan_edits_keep_the_overlay(drawn):
    from planning.callplan import TravelModel, default_call_plan
    from services import datasets

    url, sid = drawn
    before = overlay_owners(url, sid)
    drawn_plan = overlay.load_overlay(url, sid).plan
    _, reps, _ = datasets.current_inputs(url, sid)
    rows = reps[["rep_id", "name", "home_lat", "home_lon", "capacity_hours"]].to_dict("records")
    rows[1]["capacity_hours"] = 77.0  # F2
    team = datasets.edit_team(url, sid, rows, confirmed=True).derived
    assert team is not None
    kept = overlay.load_overlay(url, team.scenario_id)
    assert kept.version == 1 and overlay_owners(url, team.scenario_id) == before
    np.testing.assert_array_equal(kept.plan.owner, drawn_plan.owner)
    np.testing.assert_array_equal(kept.plan.locked, drawn_plan.locked)  # locks too
    assert editing.open_store(url).overlay_moves(team.scenario_id) == []  # a log of its own
    plan = default_call_plan()
    plan.loc["A", "visits_per_year"] += 2
    edited = datasets.apply_call_plan(url, sid, plan, TravelModel())
    assert edited is not None and overlay_owners(url, edited.scenario_id) == before


def test_a_team_without_one_overlay_rep_keeps_the_others_overlay_cells(drawn):
    from services import datasets

    url, sid = drawn
    _, reps, _ = datasets.current_inputs(url, sid)
    keep = reps[reps["rep_id"] != "O1"]
    rows = keep.to_dict("records")
    derived = datasets.edit_team(url, sid, rows, confirmed=True).derived
    assert derived is not None
    after = overlay_owners(url, derived.scenario_id)
    assert after["o2"] == "O2" and after["o3"] == "O2"  # O2's cells by rep id, not position


def test_a_cell_size_change_rebins_the_overlay_by_account(drawn):
    from services import resolutions

    url, sid = drawn
    before = overlay_owners(url, sid)
    for size in (8, 6):  # finer: children inherit; coarser: the majority of the cells
        change = resolutions.resolution_change(url, sid, size)
        assert change is not None
        assert editing.open_store(url).scenario(change.scenario_id).resolution == size
        assert overlay.load_overlay(url, change.scenario_id).version == 1
        assert overlay_owners(url, change.scenario_id)["o2"] == before["o2"] == "O2"
        assert overlay_owners(url, change.scenario_id)["o3"] == "O2"


def test_plan_next_quarter_keeps_the_overlay(drawn, tmp_path):
    from services import actuals, tracking

    url, sid = drawn
    dataset = editing.open_store(url).scenario(sid).dataset_id
    revenue = tmp_path / "rev.csv"
    revenue.write_text("account_id,period,revenue\nf1,2026-Q3,500\n")
    actuals.store_checked(url, actuals.check_files(url, dataset, "2026-Q3", {"revenue": revenue}))
    made = tracking.plan_next_quarter(url, sid)
    assert made.dataset_id != dataset
    assert overlay_owners(url, made.scenario_id) == overlay_owners(url, sid)
    np.testing.assert_array_equal(overlay.load_overlay(url, made.scenario_id).plan.owner,
                                  overlay.load_overlay(url, sid).plan.owner)  # fmt: skip


def test_nothing_is_carried_while_the_overlay_was_never_drawn(stored):
    from services import resolutions

    url, sid = stored
    change = resolutions.resolution_change(url, sid, 8)
    assert change is not None and editing.open_store(url).overlay(change.scenario_id) is None
    assert not overlay.carry_overlay(url, sid, change.scenario_id)


# --- issue 15 (h15d): the overlay layer in the scenario's exports and cli.py ---------------------


def formula_world(tmp_path):
    """The stored "inside and out" world with overlay rep O2 renamed ``=O2`` (a formula)."""
    accounts, reps = frames()
    accounts["rep_id"] = accounts["rep_id"].replace("O2", "=O2")
    reps["rep_id"] = reps["rep_id"].replace("O2", "=O2")
    url = f"sqlite:///{tmp_path / 'formula.sqlite'}"
    _, sid = editing.ensure_scenarios(url, "io", accounts, reps, default_call_plan(), resolution=7)
    start = overlay.load_overlay(url, sid).plan
    overlay.move_overlay(url, sid, np.array([at(start, RING[0])]), "=O2", 0)  # o2 to =O2
    return url, sid


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_scenario_export_carries_the_overlay_and_reads_back(tmp_path, fmt):
    from data.exports import read_exported_overlay, read_exported_plan
    from services import scenarios

    url, sid = formula_world(tmp_path)
    name, blob = scenarios.export_file(url, sid, fmt, 0.1)
    path = tmp_path / name
    path.write_bytes(blob)
    over = overlay.load_overlay(url, sid).plan
    back = read_exported_overlay(path, fmt)
    got = dict(zip(back["h3_cell"].tolist(), back["rep_id"], strict=True))
    cell = int(over.market.area.cells[at(over, RING[0])])
    assert got[cell] == "=O2"  # the formula-looking id comes back as it was
    if fmt == "xlsx":  # every overlay cell, as the overlay plan has it
        owned = np.flatnonzero(over.owner >= 0)
        expect = {
            int(c): str(over.market.rep_ids[o])
            for c, o in zip(over.market.area.cells[owned], over.owner[owned], strict=True)
        }
        assert got == expect
    # the field layer reads back as before: the overlay rows do not enter it
    _, field, _ = editing.load(url, sid)
    fields = read_exported_plan(path, fmt)
    assert set(fields["rep_id"]) <= {"F1", "F2"}
    if fmt == "csv":
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        rows = raw.set_index("account_id")
        assert rows.loc["o2", "overlay_rep_id"] == "'=O2"  # neutralised in the file
        assert rows.loc["o2", "layer"] == "overlay" and rows.loc["o2", "rep_id"] == ""
        assert rows.loc["f1", "layer"] == "field" and rows.loc["f1", "overlay_rep_id"] == ""
        assert sorted(raw["account_id"]) == ["f1", "f2", "o1", "o2", "o3"]


def test_cli_export_and_metrics_show_the_overlay_layer(stored, tmp_path, capsys):
    import json

    import cli

    url, sid = stored
    start = overlay.load_overlay(url, sid).plan
    overlay.move_overlay(url, sid, np.array([at(start, RING[0])]), "O2", 0)
    name = editing.open_store(url).scenario(sid).name
    out = tmp_path / "plan.csv"
    assert cli.main(["export", "--scenario", name, "--format", "csv", "--out", str(out),
                     "--database", url]) == 0  # fmt: skip
    rows = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("account_id")
    assert rows.loc["o2", "overlay_rep_id"] == "O2" and rows.loc["o1", "layer"] == "overlay"
    capsys.readouterr()
    assert cli.main(["metrics", "--scenario", name, "--database", url, "--layer", "overlay",
                     "--format", "json"]) == 0  # fmt: skip
    table = {r["rep_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(table) == {"O1", "O2", "TEAM"}
    assert table["O2"]["accounts"] == 2 and table["O1"]["accounts"] == 0  # o2 moved, o3 pinned
    assert table["O2"]["accounts"] == overlay.overlay_metrics(url, sid).set_index(
        "rep_id").loc["O2", "accounts"]  # fmt: skip
    assert cli.main(["metrics", "--scenario", name, "--database", url, "--format", "json"]) == 0
    assert {r["rep_id"] for r in json.loads(capsys.readouterr().out)} == {"F1", "F2", "TEAM"}
    # files have no stored overlay layer: said in one sentence
    assert cli.main(["metrics", "--accounts", "a.csv", "--reps", "r.csv", "--layer",
                     "overlay"]) == 2  # fmt: skip
    assert "--layer overlay needs --scenario" in capsys.readouterr().err


# --- issue 15 (h15d): tracking figures for overlay reps -----------------------------------------


def test_overlay_reps_are_tracked_on_the_overlay_plan_in_force(stored, tmp_path):
    """o2 (ring 0) was O1's through 2026-Q3 (last quarter's overlay owner); today's move gives
    it to O2. Q3's revenue (o2 200.00, o3 300.00) and o2's visit count for the owner in force
    then: O1 200.00 and 1 visit (of 3 planned: C is 12 a year), O2 300.00 (o3 is pinned to it).
    """
    from planning.overlay import Layer
    from services import actuals, tracking

    url, sid = stored
    start = overlay.load_overlay(url, sid).plan
    overlay.move_overlay(url, sid, np.array([at(start, RING[0])]), "O2", 0)  # after Q3
    dataset = editing.open_store(url).scenario(sid).dataset_id
    revenue = tmp_path / "rev.csv"
    revenue.write_text("account_id,period,revenue\no2,2026-Q3,200\no3,2026-Q3,300\n")
    visits = tmp_path / "visits.csv"
    visits.write_text("date,account_id,rep_id,channel\n2026-08-01,o2,O1,remote\n")
    check = actuals.check_files(url, dataset, "2026-Q3", {"revenue": revenue, "visits": visits})
    actuals.store_checked(url, check)
    view = tracking.tracking_view(url, sid, "2026-Q3", "rep", {}, "O1", Layer.OVERLAY)
    rows = view.table.set_index("rep_id")
    assert list(rows.index) == ["O1", "O2"] and view.rep_ids == ["O1", "O2"]
    assert rows.loc["O1", "revenue"] == 200.0 and rows.loc["O2", "revenue"] == 300.0
    assert rows.loc["O1", "visits_made"] == 1 and rows.loc["O2", "visits_made"] == 0
    assert rows.loc["O1", "visits_planned"] == pytest.approx(3.0)
    assert rows.loc["O1", "call_compliance"] == pytest.approx(1 / 3)
    assert pd.isna(rows.loc["O1", "attainment"])  # overlay reps carry no target
    assert view.note.startswith("Overlay layer")
    assert len(view.trend) == 1  # the one period of O1's trend
    field = tracking.tracking_view(url, sid, "2026-Q3", "rep", {}, None)
    assert list(field.table["rep_id"]) == ["F1", "F2"]
    # the map coloured by call compliance on the overlay layer paints the overlay reps' figures
    from services import maps

    drawn_map = maps.map_drawing(url, sid, None, mode="call_compliance", period="2026-Q3",
                                 layer=Layer.OVERLAY)  # fmt: skip
    values = drawn_map.facts.rep_values["call_compliance"]
    assert values.tolist() == pytest.approx([1 / 3, rows.loc["O2", "call_compliance"]])
    assert tracking.rep_values(url, sid, "call_compliance", "2026-Q3").shape == (2,)  # F1, F2


def test_a_conversion_made_before_an_overlay_change_is_not_reopened(drawn):
    from services import resolutions

    url, sid = drawn
    first = resolutions.resolution_change(url, sid, 8)
    assert first is not None
    again = resolutions.resolution_change(url, sid, 8)
    assert again is not None and again.scenario_id == first.scenario_id  # reopened, unchanged
    plan = overlay.load_overlay(url, sid).plan
    assert overlay_owners(url, sid)["o1"] != "O2"
    overlay.move_overlay(url, sid, np.array([at(plan, CENTRE)]), "O2", 2)  # o1 to O2
    fresh = resolutions.resolution_change(url, sid, 8)
    assert fresh is not None and fresh.scenario_id != first.scenario_id
    assert overlay_owners(url, fresh.scenario_id)["o1"] == "O2"
    assert overlay_owners(url, first.scenario_id)["o1"] != "O2"  # as it was made
