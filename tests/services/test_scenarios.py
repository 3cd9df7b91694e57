"""The Scenarios tab without a browser: the core (planning.scenarios), layouts and callbacks.

The toy world (tests/conftest.py) is stored as a dataset: seven cells, the
baseline gives ring cell 0 (accounts a2 B 500.50/100.25 and a3 C 99.99/0.00)
to R2 and every other cell to R1 (a1 A 1000.00/250.00 in the centre).
Giving ring cell 0 to R1 therefore moves 2 of 3 accounts, TAM 600.49 and
revenue 100.25. Level 1 of the map groups the cells (by position) as
[0 1 1 2 2 2 2].
"""

from __future__ import annotations

import io
import json
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from flask import Flask

import h3

import callbacks.scenarios as cb
from callbacks.context import DATABASE_URL_KEY
from common.errors import PlanError, StaleVersionError
from data.exports import read_exported_plan
from geo.lod import display_levels, view_key
from layouts import scenarios as ui
from layouts.ids import Ids
from planning import changes, names
from planning.baseline import baseline_plan
from planning.callplan import default_call_plan
from planning.metrics import team_metrics
from planning.scenarios import compare_pair, state_after
from planning.tally import full_tally
from services import editing, scenarios
from services.maps import geometry as _geometry
from services.maps import tiling_key
from tests.planning.test_tally import world

LABELS = np.array(["R1", "R2", "unassigned"], dtype=object)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


@pytest.fixture
def stored(url, toy):
    """The toy world in a store: (dataset id, baseline id, working plan id)."""
    store = editing.open_store(url)
    dataset = store.ensure_dataset("toy", toy.accounts, toy.reps, default_call_plan())
    plan, _ = baseline_plan(toy.market)
    baseline = store.ensure_baseline(
        dataset, 7, plan.owner, plan.locked, tally=editing.tally_to_bytes(plan.tally),
        area_cells=toy.market.area.cells,
    )  # fmt: skip
    working = store.duplicate_scenario(baseline, "Working plan")
    return dataset, baseline, working


def figures(component) -> dict[str, str]:
    """Every ``data-figure`` of a component tree, with its text."""
    found, stack = {}, [component]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        if not hasattr(node, "to_plotly_json"):
            continue
        props = node.to_plotly_json()["props"]
        if "data-figure" in props:
            found[props["data-figure"]] = props.get("children")
        stack.append(props.get("children"))
    return found


def move(url, sid, cells, rep) -> editing.Edit:
    _, _, version = editing.load(url, sid)
    return editing.apply(url, sid, version, "move", np.asarray(cells), rep)


# -- the list ------------------------------------------------------------------------------


def test_list_marks_the_current_scenario_and_reads_zero_moved_on_the_baseline(url, stored):
    _, baseline, working = stored
    rows = scenarios.scenario_rows(url, working, 0.10)
    assert [(r.info.name, r.current, r.info.read_only) for r in rows] == [
        ("Baseline (resolution 7)", False, True),
        ("Working plan", True, False),
    ]
    for row in rows:
        assert row.figures.moved_accounts == 0 and row.figures.moved_share == 0.0
        assert row.figures.contiguous  # R1: six touching cells, R2: one cell
    _, plan, _ = editing.load(url, working)
    team = team_metrics(plan, 0.10)
    assert rows[1].figures.workload_worst_deviation == team["workload_worst_deviation"]
    assert rows[1].figures.coverage == team["coverage"]


def test_list_counts_moved_accounts_and_split_territories(url, stored, toy):
    _, _, working = stored
    move(url, working, [toy.pos(toy.ring[0])], 0)  # a2 and a3 go to R1
    figures = scenarios.scenario_rows(url, working, 0.10)[1].figures
    assert (figures.moved_accounts, figures.moved_share) == (2, pytest.approx(2 / 3))
    assert figures.contiguous  # R1 owns all seven cells, R2 none
    move(url, working, [toy.pos(toy.ring[0]), toy.pos(toy.ring[3])], 1)  # not neighbours
    figures = scenarios.scenario_rows(url, working, 0.10)[1].figures
    assert h3.grid_distance(toy.ring[0], toy.ring[3]) == 2
    assert figures.moved_accounts == 0 and not figures.contiguous  # R2 in two pieces


def test_list_layout_offers_open_on_every_row_but_the_current(url, stored):
    _, baseline, working = stored
    div = ui.scenario_list(scenarios.scenario_rows(url, baseline, 0.10))
    rows = div.children[0].children[1].children
    assert [r.to_plotly_json()["props"]["data-current"] for r in rows] == ["true", "false"]
    opener = rows[1].children[-1].children
    assert opener.id == {"kind": Ids.SCENARIO_OPEN, "scenario": working}
    assert "read-only" in div.children[1].children  # the baseline says "branch it"


# -- actions -------------------------------------------------------------------------------


def test_new_and_branch_pick_free_names_and_switch(url, stored):
    dataset, baseline, working = stored
    new = scenarios.act(url, "new", working)
    assert new.message == "Created “Scenario” from the baseline." and new.changed
    store = editing.open_store(url)
    assert store.scenario(new.scenario_id).parent_id == baseline
    again = scenarios.act(url, "new", working)
    assert store.scenario(again.scenario_id).name == "Scenario 2"
    branch = scenarios.act(url, "branch", working)
    assert store.scenario(branch.scenario_id).name == "Working plan (branch)"
    assert store.scenario(branch.scenario_id).parent_id == working
    named = scenarios.act(url, "branch", baseline, "  Q3 draft ")
    assert store.scenario(named.scenario_id).name == "Q3 draft"
    taken = scenarios.act(url, "branch", working, "Q3 draft")
    assert taken.scenario_id is None and "exists already" in taken.message


def test_rename_and_delete_refuse_the_baseline(url, stored):
    _, baseline, working = stored
    for action in ("rename", "delete"):
        outcome = scenarios.act(url, action, baseline, "Last quarter")
        assert outcome.scenario_id is None and not outcome.changed
        assert outcome.message.startswith(f"The baseline (last quarter) cannot be {action}d")
        assert "Branch it" in outcome.message
    allowed, text = scenarios.delete_prompt(url, baseline)
    assert not allowed and "cannot be deleted" in text
    assert scenarios.act(url, "rename", working, "").message == "Type the new name first."
    renamed = scenarios.act(url, "rename", working, "Plan A")
    assert (renamed.header, renamed.scenario_id) == ("Plan A", None)
    assert editing.open_store(url).scenario(working).name == "Plan A"


def test_delete_goes_to_the_parent(url, stored):
    dataset, baseline, working = stored
    branch = scenarios.act(url, "branch", working, "Draft").scenario_id
    allowed, text = scenarios.delete_prompt(url, branch)
    assert allowed and text.startswith("Delete “Draft” and its history?")
    outcome = scenarios.act(url, "delete", branch)
    assert (outcome.scenario_id, outcome.message) == (working, "Deleted “Draft”.")
    assert [s.id for s in editing.open_store(url).scenarios(dataset)] == [baseline, working]


def test_open_says_when_the_scenario_is_read_only(url, stored):
    _, baseline, working = stored
    assert scenarios.act(url, "open", working).message == "Opened “Working plan”."
    outcome = scenarios.act(url, "open", baseline)
    assert outcome.scenario_id == baseline and "branch it" in outcome.message


@pytest.mark.parametrize(
    "taken, stem, expected",
    [(set(), "Scenario", "Scenario"), ({"Scenario"}, "Scenario", "Scenario 2"),
     ({"Scenario", "Scenario 2"}, "Scenario", "Scenario 3")],
)  # fmt: skip
def test_unique_name(taken, stem, expected):
    assert names.unique_name(taken, stem) == expected


def test_compare_pair_defaults_to_baseline_against_current(url, stored):
    _, baseline, working = stored
    rows = scenarios.scenario_rows(url, working, 0.10)
    assert compare_pair(rows, None, None) == (baseline, working)
    assert compare_pair(rows, working, baseline) == (working, baseline)
    assert compare_pair(rows, 999, working) == (baseline, working)  # deleted meanwhile


# -- compare -------------------------------------------------------------------------------


def test_compare_moves_two_accounts_and_draws_one_cell(url, stored, toy):
    dataset, baseline, working = stored
    move(url, working, [toy.pos(toy.ring[0])], 0)
    result = scenarios.compare_scenarios(url, baseline, working, 0.10)
    s = result.comparison.summary
    assert (s["cells_moved"], s["accounts_moved"]) == (1, 2)
    assert s["tam_moved"] == pytest.approx(600.49) and s["revenue_moved"] == pytest.approx(100.25)
    view = result.changed
    assert view.level == 0 and view.units.tolist() == [toy.pos(toy.ring[0])]
    assert view.to_owner.tolist() == [0] and view.cells.tolist() == [1]
    assert view.hover == ["from R2 to R1"]
    # the geometry URL the figure names really serves that cell
    record = editing.open_store(url).scenario(working)
    tiling = tiling_key(url, dataset, 7, record.area_id)
    served = _geometry(url, tiling, view.level, view_key(view.snapped))
    ids = [f["id"] for f in json.loads(served)["features"]]
    assert toy.pos(toy.ring[0]) in ids


def test_compare_tables_read_by_hand(url, stored, toy):
    _, baseline, working = stored
    move(url, working, [toy.pos(toy.ring[0])], 0)
    result = scenarios.compare_scenarios(url, baseline, working, 0.10)
    rows = {r["rep_id"]: r for r in ui.compare_rows(result.comparison.reps)}
    assert (rows["R1"]["accounts_a"], rows["R1"]["accounts_b"], rows["R1"]["accounts_delta"]) == (
        "1", "3", "+2",
    )  # fmt: skip
    assert rows["R2"]["accounts_delta"] == "-2" and rows["R2"]["cells_delta"] == "-1"
    assert rows["R1"]["tam_delta"] == "+600" and rows["R2"]["revenue_delta"] == "-100"
    shown = figures(ui.compare_summary(result))
    assert (shown["cells_moved"], shown["accounts_moved"]) == ("1", "2")
    assert (shown["tam_moved"], shown["revenue_moved"]) == ("600", "100")
    assert shown["unassigned_accounts_a"] == shown["unassigned_accounts_b"] == "0"


def test_coarser_units_when_too_many_cells_change(toy):
    before = np.array([1, 0, 0, 0, 0, 0, 0])  # positions: ring 0..5, centre 6
    after = np.array([0, 1, 1, 0, 0, 0, -1])
    levels = display_levels(toy.market.area)
    view = changes.changed_view(levels, before, after, toy.market.rep_ids, max_drawn=3)
    # level 1 groups positions as [0 1 1 2 2 2 2]: unit 0 holds cell 0, unit 1 cells 1-2, unit 2 cell 6
    assert view.level == 1 and view.units.tolist() == [0, 1, 2]
    assert view.cells.tolist() == [1, 2, 1] and view.to_owner.tolist() == [0, 1, -1]
    assert view.hover == ["from R2 to R1", "2 cells from R1 to R2", "from R1 to unassigned"]


def test_move_text_counts_owners():
    assert changes.move_text(np.array([0]), np.array([1]), LABELS) == "from R1 to R2"
    text = changes.move_text(np.array([1, 0, 0]), np.array([-1, -1, -1]), LABELS)
    assert text == "3 cells from R1 (2), R2 (1) to unassigned"


def test_scenarios_at_other_cell_sizes_are_not_compared(url, stored):
    _, baseline, working = stored
    finer, _ = editing.at_resolution(url, working, 8)
    with pytest.raises(PlanError, match="different cells"):
        scenarios.compare_scenarios(url, baseline, finer, 0.10)


def test_changes_figure_colours_by_receiving_rep(url, stored, toy):
    _, baseline, working = stored
    move(url, working, [toy.pos(toy.ring[0])], 0)
    result = scenarios.compare_scenarios(url, baseline, working, 0.10)
    fig = ui.changes_figure(result.changed, "/geo/x.json", result.rep_ids, result.names)
    trace = fig["data"][0]
    assert trace["type"] == "choroplethmap" and trace["geojson"] == "/geo/x.json"
    assert trace["locations"] == [toy.pos(toy.ring[0])] and trace["z"] == [0.0]
    assert trace["customdata"] == [["from R2 to R1", "R1 Rep R1"]]
    empty = scenarios.compare_scenarios(url, baseline, baseline, 0.10)
    blank = ui.changes_figure(empty.changed, "/geo/x.json", empty.rep_ids, empty.names)
    assert blank["data"] == [] and "No cell changes owner" in str(blank["layout"])


# -- history and restore -------------------------------------------------------------------


@pytest.fixture
def busy(url):
    """The four-rep world with a log holding moves, locks, undos, redos and a dropped redo.

    Returns (scenario id, {log seq: (owner, locked) right after that entry}).
    """
    m = world()
    _, sid = editing.ensure_scenarios(url, "t", m.accounts, m.reps, m.call_plan, resolution=7)
    _, plan, version = editing.load(url, sid)
    states = {0: (plan.owner.copy(), plan.locked.copy())}
    rng = np.random.default_rng(7)
    store = editing.open_store(url)
    script = ["move", "move", "lock", "move", "undo", "undo", "redo", "move", "unlock", "move",
              "undo", "undo", "move", "move"]  # fmt: skip
    for step in script:
        cells = rng.choice(plan.market.n_cells, 12, replace=False)
        if step in ("undo", "redo"):
            edit = editing.step(url, sid, version, redo=step == "redo")
        else:
            rep = int(rng.integers(-1, 4)) if step == "move" else None
            edit = editing.apply(url, sid, version, step, cells, rep)
        version = edit.version
        seq = store.moves(sid)[-1].seq
        states[seq] = (edit.plan.owner.copy(), edit.plan.locked.copy())
    return sid, states


def test_state_after_every_entry_is_exact(url, busy):
    sid, states = busy
    store = editing.open_store(url)
    log = store.moves(sid)
    kept = {m.seq for m in log}
    assert len(kept) < len(states) - 1  # undone moves were dropped by later moves
    _, plan, _ = editing.load(url, sid)
    for seq in [0, *kept]:
        owner, locked = state_after(log, plan.owner, plan.locked, seq)
        assert np.array_equal(owner, states[seq][0]), seq
        assert np.array_equal(locked, states[seq][1]), seq
    dropped = (set(states) - kept - {0}).pop()
    with pytest.raises(ValueError, match=f"no entry {dropped}"):
        state_after(log, plan.owner, plan.locked, dropped)


def test_restore_is_one_undoable_step_with_an_exact_tally(url, busy):
    sid, states = busy
    _, before, version = editing.load(url, sid)
    edit = scenarios.restore(url, sid, version, 2)
    assert edit.version == version + 1
    _, plan, _ = editing.load(url, sid)
    assert np.array_equal(plan.owner, states[2][0]) and np.array_equal(plan.locked, states[2][1])
    assert plan.tally.equals(full_tally(plan.market, plan.owner))
    store = editing.open_store(url)
    assert store.history(sid)["kind"].iloc[-1] == "restore"
    undone = editing.step(url, sid, edit.version, redo=False)
    assert np.array_equal(undone.plan.owner, before.owner)
    assert undone.plan.tally.equals(before.tally)


def test_restore_refuses_a_stale_view_and_skips_a_no_op(url, busy):
    sid, _ = busy
    _, _, version = editing.load(url, sid)
    with pytest.raises(StaleVersionError):
        scenarios.restore(url, sid, version - 1, 1)
    newest = editing.open_store(url).moves(sid)[-1].seq
    assert scenarios.restore(url, sid, version, newest).version == version


def test_history_table_offers_restore_except_at_the_current_state(url, busy):
    sid, _ = busy
    log = editing.open_store(url).history(sid)
    table = ui.history_table(log).children[-1]
    rows = table.children[1].children
    seqs = [int(r.to_plotly_json()["props"]["data-seq"]) for r in rows]
    assert seqs == [*sorted(log["seq"], reverse=True), 0]
    assert isinstance(rows[0].children[-1].children, ui.html.Span)  # newest: where we stand
    assert rows[1].children[-1].children.id == {"kind": Ids.HISTORY_RESTORE, "seq": seqs[1]}
    kinds = [r.children[3].children for r in rows]
    assert any(re.fullmatch(r"undo of #\d+", k) for k in kinds)


# -- files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson", "parquet", "plan"])
def test_exports_read_back_as_the_plan(url, stored, toy, tmp_path, fmt):
    _, _, working = stored
    move(url, working, [toy.pos(toy.ring[0])], 0)
    filename, blob = scenarios.export_file(url, working, fmt, 0.10)
    suffix = {"xlsx": ".xlsx", "geojson": ".geojson", "parquet": ".parquet"}.get(fmt, ".csv")
    assert filename.startswith("Working-plan-") and filename.endswith(suffix)
    path = tmp_path / filename
    path.write_bytes(blob)
    back = read_exported_plan(path, fmt)
    owners = dict(zip(back["h3_cell"].map(h3.int_to_str), back["rep_id"], strict=True))
    assert owners[toy.ring[0]] == "R1" and owners[toy.centre] == "R1"


def test_comparison_workbook(url, stored, toy):
    _, baseline, working = stored
    move(url, working, [toy.pos(toy.ring[0])], 0)
    filename, blob = scenarios.comparison_file(url, baseline, working, 0.10)
    assert filename == "compare-Baseline-resolution-7-vs-Working-plan.xlsx"
    moved = pd.read_excel(io.BytesIO(blob), sheet_name="Moved cells")
    assert moved[["h3_cell", "from_rep", "to_rep", "accounts"]].values.tolist() == [
        [toy.ring[0], "R2", "R1", 2]
    ]


# -- callbacks, called directly with a faked ctx -------------------------------------------


@pytest.fixture
def app_context(url):
    server = Flask("test")
    server.config[DATABASE_URL_KEY] = url
    with server.app_context():
        yield


def fake_ctx(monkeypatch, component_id, value=1):
    key = component_id if isinstance(component_id, str) else cb.json.dumps(component_id)
    triggered = [{"prop_id": f"{key}.n_clicks", "value": value}]
    monkeypatch.setattr(cb, "ctx", SimpleNamespace(triggered_id=component_id, triggered=triggered))


def test_branch_callback_switches_to_the_branch(monkeypatch, app_context, url, stored):
    _, _, working = stored
    fake_ctx(monkeypatch, str(Ids.SCENARIO_BRANCH))
    store_data, message, changed, header, name = cb.scenario_action(
        0, 1, 0, None, [], {"id": working}, "Plan B", 3
    )
    new_id = editing.open_store(url).scenario_id("Plan B")
    assert store_data == {"id": new_id} and changed == 4 and name == ""
    assert message == "Branched “Working plan” into “Plan B”."


def test_buttons_redrawn_without_a_click_do_nothing(monkeypatch, app_context, stored):
    _, baseline, working = stored
    fake_ctx(monkeypatch, {"kind": Ids.SCENARIO_OPEN, "scenario": baseline}, value=0)
    with pytest.raises(cb.PreventUpdate):
        cb.scenario_action(0, 0, 0, None, [0], {"id": working}, None, 0)


def test_restore_callback_writes_a_refresh_key(monkeypatch, app_context, url, stored, toy):
    _, _, working = stored
    first = move(url, working, [toy.pos(toy.ring[0])], 0)
    second = move(url, working, [toy.pos(toy.ring[1])], 1)
    fake_ctx(monkeypatch, {"kind": Ids.HISTORY_RESTORE, "seq": 1})
    data, message = cb.restore([1], {"id": working}, {"version": second.version})
    assert data == {"id": working, "refresh": second.version + 1}
    assert message.startswith("Restored to #1: 1 cells changed back")
    _, plan, _ = editing.load(url, working)
    assert np.array_equal(plan.owner, first.plan.owner)
    # a stale page is told, and shown the current state
    data, message = cb.restore([1], {"id": working}, {"version": second.version})
    assert data == {"id": working, "refresh": second.version + 1}
    assert message.startswith("Someone else changed this scenario")


def test_compare_callback_packs_table_summary_and_map(monkeypatch, app_context, url, stored, toy):
    _, baseline, working = stored
    move(url, working, [toy.pos(toy.ring[0])], 0)
    fake_ctx(monkeypatch, str(Ids.COMPARE_B))
    rows, summary, fig = cb.compare(
        baseline, working, 10, None, {"id": working}, open_tab="Scenarios"
    )
    assert [r["accounts_delta"] for r in rows] == ["+2", "-2"]
    assert fig["data"][0]["geojson"].startswith("/geo/")
    finer, _ = editing.at_resolution(url, working, 8)
    rows, summary, fig = cb.compare(
        baseline, finer, 10, None, {"id": working}, open_tab="Scenarios"
    )
    assert rows == [] and "compare-error" in figures(summary)
    with pytest.raises(cb.PreventUpdate):  # deleted meanwhile: the list picks another
        cb.compare(baseline, finer + 100, 10, None, {"id": working}, open_tab="Scenarios")
    fake_ctx(monkeypatch, str(Ids.SECTION_VERSION))  # issue 18: moves reach it through this
    with pytest.raises(cb.PreventUpdate):  # a move elsewhere leaves this comparison alone
        cb.compare(baseline, finer, 10, {"version": 9}, {"id": working}, open_tab="Scenarios")


def test_closed_tab_computes_nothing(app_context, url, stored):
    """Moves run these callbacks on every version change; with the tab closed they do no work."""
    with pytest.raises(cb.PreventUpdate):
        cb.show_history({"version": 1}, {"id": 1}, {"level": 0}, open_tab="")


def test_neighbour_scenario_walks_the_list_and_wraps(url, stored):
    """Issue 16 point 4: "]" and "[" open the next and previous scenario, in the tab's order."""
    dataset, baseline, working = stored
    third = scenarios.act(url, "branch", working, "Q3 draft").scenario_id
    assert scenarios.neighbour_scenario(url, baseline, 1) == (working, "Working plan")
    assert scenarios.neighbour_scenario(url, working, 1) == (third, "Q3 draft")
    assert scenarios.neighbour_scenario(url, third, 1)[0] == baseline  # wraps
    assert scenarios.neighbour_scenario(url, baseline, -1)[0] == third
