"""Formula neutralising covers every line start and undoes exactly; workbook text keeps CR."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import h3

from data.exports import export_plan, read_exported_plan
from data.formulas import (
    FORMULA_STARTS,
    neutralise,
    unneutralise,
    workbook_escape,
    workbook_unescape,
)
from data.importing import import_accounts
from planning.plan import Plan
from tests.data.fuzzing import CASES, fuzz
from tests.toy import CENTRE, RING, make_accounts, make_reps, toy_market

PIECE = st.one_of(
    st.sampled_from(["=", "+", "-", "@", "'", "\t", "\r", "\n", "_x000D_", "_x005F_", "_", "x"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=4),
)
TEXT = st.lists(PIECE, max_size=12).map("".join)


def line_starts(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"(?:^|(?<=[\r\n]))(.)", text, re.DOTALL)]


@given(TEXT)
@fuzz(max_examples=1_000)
def test_no_line_of_a_neutralised_text_starts_a_formula(text):
    CASES["neutralise: every line start"] += 1
    safe = neutralise(text)
    assert not any(start in FORMULA_STARTS for start in line_starts(str(safe)))
    assert unneutralise(safe) == text


@given(TEXT)
@fuzz(max_examples=1_000)
def test_workbook_escapes_undo_exactly(text):
    CASES["workbook escapes"] += 1
    escaped = workbook_escape(text)
    assert "\r" not in str(escaped)
    assert workbook_unescape(escaped) == text


def test_known_cases():
    assert neutralise("Mid\rCR=1") == "Mid\rCR=1"  # no line starts a formula: left alone
    assert neutralise("Mid\r=1") == "Mid\r'=1"
    assert neutralise("=a\n+b\r\n-c") == "'=a\n'+b\r\n'-c"
    assert neutralise("'quoted") == "''quoted" and unneutralise("''quoted") == "'quoted"
    assert workbook_escape("a\rb_x0041_") == "a_x000D_b_x005F_x0041_"
    assert workbook_unescape("a_x000D_b_x005F_x0041_") == "a\rb_x0041_"


NAMES = {"a1": "Mid\rCR=1", "a2": 'Line\n=HYPERLINK("x")', "a3": "Tab\t@x\r\n-1", "a4": "='q"}


def named_world() -> Plan:
    accounts = make_accounts(
        [(a, CENTRE if i % 2 else RING[0], "A", 1.0, 0.0, "=R2" if i % 2 else "R\r1", False)
         for i, a in enumerate(NAMES)]
    )  # fmt: skip
    accounts["name"] = accounts["account_id"].map(NAMES)
    reps = make_reps({"R\r1": CENTRE, "=R2": RING[3]})
    market = toy_market(accounts, reps)
    owner = np.where(market.area.cells == h3.str_to_int(CENTRE), 1, 0)
    return Plan.from_owner(market, owner)


def test_the_account_csv_keeps_cr_and_lf_in_names_and_no_line_starts_a_formula(tmp_path):
    plan = named_world()
    path = export_plan(plan, "csv", tmp_path / "accounts.csv")
    text = path.read_bytes().decode("utf-8")
    for line in re.split(r"\r\n|\r|\n", text):
        assert not line.startswith(FORMULA_STARTS), line
    back, report = import_accounts(path, mapping={"h3_cell": None, "rep_name": None,
                                                  "last_rep_id": None, "changes_owner": None})  # fmt: skip
    assert not report.problems, report.summary()
    assert dict(zip(back["account_id"], back["name"], strict=True)) == NAMES
    assert sorted(back["rep_id"]) == ["=R2", "=R2", "R\r1", "R\r1"]


def test_the_plan_file_and_the_workbook_keep_a_rep_id_with_a_carriage_return(tmp_path):
    plan = named_world()
    for fmt in ("plan", "xlsx"):
        path = export_plan(plan, fmt, tmp_path / f"plan.{fmt}")
        table = read_exported_plan(path, fmt)
        assert sorted(set(table["rep_id"])) == ["=R2", "R\r1"], fmt
    assert "'=R2" in (tmp_path / "plan.plan").read_text(encoding="utf-8")
    sheet = pd.read_excel(tmp_path / "plan.xlsx", sheet_name="Accounts", dtype=str)
    assert "Mid_x000D_CR=1" in set(sheet["Account name"])  # as Excel itself writes it
