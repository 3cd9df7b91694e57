"""``cli.py export`` reads a scenario and its data set from the store and writes every format."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import cli
from data.exports import FORMATS, read_exported_plan
from data.store import Store
from planning.callplan import default_call_plan
from planning.plan import Plan
from services.exports import scenario_plan


@pytest.fixture
def saved(toy, tmp_path):
    """The toy world in a SQLite store: a baseline and a draft that gives ring cell 0 to R1."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    owner = np.full(toy.market.n_cells, 1)
    owner[toy.pos(toy.centre)] = 0
    locked = np.zeros(toy.market.n_cells, bool)
    cells = toy.market.area.cells
    with Store(url) as store:
        ds = store.ensure_dataset("toy", toy.accounts, toy.reps, default_call_plan())
        base = store.ensure_baseline(ds, 7, owner, locked, area_cells=cells)
        draft = store.duplicate_scenario(base, "Draft")
        store.set_settings(draft, {"tolerance": 0.2, "note": "first try"})
        moved = owner.copy()
        ring0 = toy.pos(toy.ring[0])
        moved[ring0] = 0
        store.commit_move(draft, 1, kind="move", cells=[ring0], before=owner[[ring0]],
                          after_rep=0, owner=moved, locked=locked, tally=None)  # fmt: skip
    return url, moved


def as_owner(plan: Plan, table: pd.DataFrame) -> np.ndarray:
    owner = np.full(plan.market.n_cells, -1)
    owner[plan.market.area.positions(table["h3_cell"].to_numpy(np.uint64))] = pd.Index(
        plan.market.rep_ids
    ).get_indexer(table["rep_id"])
    return owner


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_every_format_from_the_store(saved, tmp_path, fmt, capsys):
    url, owner = saved
    out = tmp_path / f"draft.{fmt}"
    assert cli.main(["export", "--scenario", "Draft", "--format", fmt, "--out", str(out),
                     "--database", url]) == 0  # fmt: skip
    assert "scenario 'Draft' v2" in capsys.readouterr().err
    with Store(url) as store:
        plan, _ = scenario_plan(store, store.scenario_id("Draft"))
    back = as_owner(plan, read_exported_plan(out, fmt))
    if fmt == "csv":  # the account list knows the cells that hold accounts
        cells = np.unique(plan.market.account_cell)
        np.testing.assert_array_equal(back[cells], owner[cells])
    else:
        np.testing.assert_array_equal(back, owner)


def test_workbook_carries_settings_and_comparison(saved, tmp_path):
    url, _ = saved
    out = tmp_path / "draft.xlsx"
    assert cli.main(["export", "--scenario", "Draft", "--format", "xlsx", "--out", str(out),
                     "--database", url, "--compare-to", "Baseline (resolution 7)"]) == 0  # fmt: skip
    book = load_workbook(out)
    assert {"Compare", "Compare reps", "Moved cells"} <= set(book.sheetnames)
    settings = dict(pd.read_excel(out, sheet_name="Settings").to_numpy())
    assert settings["tolerance"] == 0.2 and settings["note"] == "first try"
    moved = pd.read_excel(out, sheet_name="Moved cells")
    assert moved[["from_rep", "to_rep", "accounts"]].to_dict("records") == [
        {"from_rep": "R2", "to_rep": "R1", "accounts": 2}
    ]


def test_unknown_scenario_is_one_error_line(saved, tmp_path, capsys):
    url, _ = saved
    code = cli.main(["export", "--scenario", "Nope", "--format", "csv",
                     "--out", str(tmp_path / "x.csv"), "--database", url])  # fmt: skip
    assert code == 2
    assert "no scenario named 'Nope'" in capsys.readouterr().err


def test_scenario_saved_without_its_area_must_tile_the_same(toy, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store(url) as store:
        ds = store.ensure_dataset("toy", toy.accounts, toy.reps, default_call_plan())
        store.create_scenario(ds, "Odd", 7, np.zeros(5, np.int64), np.zeros(5, bool))
    code = cli.main(["export", "--scenario", "Odd", "--format", "plan",
                     "--out", str(tmp_path / "x.csv"), "--database", url])  # fmt: skip
    assert code == 2 and "saved without its area" in capsys.readouterr().err


# --- issue 11: owner changes back into the CRM -------------------------------------------


def test_owner_changes_from_the_store_and_a_refused_crm_file(saved, tmp_path, capsys):
    from data.owner_changes import owner_changes, read_owner_changes

    url, _ = saved
    out = tmp_path / "changes.csv"
    assert cli.main(["export", "--scenario", "Draft", "--format", "owner-changes", "--out",
                     str(out), "--database", url]) == 0  # fmt: skip
    with Store(url) as store:
        plan, _ = scenario_plan(store, store.scenario_id("Draft"))
    expected = owner_changes(plan)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(read_owner_changes(out, "owner-changes"), expected)
    # the toy reps have no Salesforce user ids: the Data Loader file is refused, by line
    capsys.readouterr()
    code = cli.main(["export", "--scenario", "Draft", "--format", "owner-changes-salesforce",
                     "--out", str(tmp_path / "sf.csv"), "--database", url])  # fmt: skip
    assert code == 2 and not (tmp_path / "sf.csv").exists()
    err = capsys.readouterr().err
    assert "the owner-changes-salesforce file was not written: line 2 (account " in err
    assert "has no crm_user_id" in err


def test_owner_changes_for_salesforce_with_crm_ids_stored(toy, tmp_path):
    from data.owner_changes import owner_changes, read_owner_changes

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    reps = toy.reps.copy()
    reps["crm_user_id"] = pd.array([f"0055g0000000{i:03d}AAA" for i in range(len(reps))],
                                   dtype="string")  # fmt: skip
    owner = np.full(toy.market.n_cells, 1)
    owner[toy.pos(toy.centre)] = 0
    moved = np.zeros(toy.market.n_cells, dtype=np.int64)  # everything to the first rep
    locked = np.zeros(toy.market.n_cells, bool)
    with Store(url) as store:
        ds = store.ensure_dataset("crm", toy.accounts, reps, default_call_plan())
        base = store.ensure_baseline(ds, 7, owner, locked, area_cells=toy.market.area.cells)
        draft = store.duplicate_scenario(base, "All to one")
        store.commit_move(draft, 1, kind="move", cells=list(range(toy.market.n_cells)),
                          before=owner, after_rep=0, owner=moved, locked=locked,
                          tally=None)  # fmt: skip
    out = tmp_path / "sf.csv"
    assert (
        cli.main(
            [
                "export",
                "--scenario",
                "All to one",
                "--format",
                "owner-changes-salesforce",
                "--out",
                str(out),
                "--database",
                url,
            ]
        )
        == 0
    )
    with Store(url) as store:
        plan, _ = scenario_plan(store, store.scenario_id("All to one"))
    expected = owner_changes(plan)
    back = read_owner_changes(out, "owner-changes-salesforce")
    assert list(back.columns) == ["Id", "OwnerId"] and len(back) == len(expected) > 0
    assert set(back["OwnerId"]) == {"0055g0000000000AAA"}
    assert back["Id"].tolist() == expected["account_id"].tolist()


@pytest.mark.browser
@pytest.mark.parametrize(
    ("fmt", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF-"), ("rep-pdf", b"%PDF-")]
)
def test_issue16_export_pictures_png_and_pdf(saved, tmp_path, fmt, magic):
    """Issue 16 point 8: ``cli.py export --format png|pdf|rep-pdf`` writes the deck's pictures."""
    from tests import needs
    from tests.services.test_pictures import pdf_pages, png_size

    needs.chromium(path="/usr/bin/chromium")
    url, _ = saved
    out = tmp_path / f"draft.{fmt}"
    args = ["export", "--scenario", "Draft", "--format", fmt, "--out", str(out), "--database", url]
    assert cli.main(args) == 0
    content = out.read_bytes()
    assert content.startswith(magic)
    if fmt == "png":
        assert png_size(content) == (1920, 1080)
    elif fmt == "pdf":
        assert pdf_pages(content) == [pytest.approx((960.0, 540.0), abs=1.0)]
    else:
        assert len(pdf_pages(content)) == 2  # the toy's two reps, one page each
