"""Random valid accounts survive import -> export -> import in every format that reads back.

The data is what customers' files hold and spreadsheets mangle: unicode, quotes,
delimiters, carriage returns and line feeds inside values, leading ``= + - @``
and ``'``, tabs, very long names, and reps whose ids look like formulas. The
first import is the reference: the second import of each export must give
every field back exactly (the plan's owner as ``rep_id``); the plan formats must
give back the owner of every cell.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import h3

from data.exports import ACCOUNT_HEADERS, assignment_table, export_plan, read_exported_plan
from data.importing import import_accounts
from planning.plan import Plan
from tests.data.fuzzing import CASES, fuzz
from tests.toy import DISK, make_reps, toy_market

FIELDS = ("account_id", "name", "segment", "lat", "lon", "tam", "revenue", "rep_id", "pinned")
EXPORT_COLUMNS = ("h3_cell", "rep_name", "last_rep_id", "changes_owner")

SPECIAL = st.sampled_from(
    ["=", "+", "-", "@", "'", '"', ",", ";", "\t", "\r", "\n", "\r\n", " ", "=1+1", "\r=2", "\n@x"]
)
LETTER = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
PIECE = st.one_of(SPECIAL, st.text(LETTER, min_size=1, max_size=8))


@st.composite
def value_text(draw, long: bool = False) -> str:
    """A text as customers type it: pieces of letters and specials, maybe very long."""
    pieces = draw(st.lists(PIECE, min_size=1, max_size=8))
    text = "".join(pieces)
    if long and draw(st.booleans()):
        text += draw(st.text(st.sampled_from("ab =\n\"'"), min_size=300, max_size=3_000))
    return text


@st.composite
def accounts_file(draw) -> tuple[pd.DataFrame, list[str]]:
    """An accounts table on the toy disk and its reps' ids (each may look like a formula)."""
    rep_ids = draw(st.lists(value_text(), min_size=1, max_size=3, unique=True))
    n = draw(st.integers(1, 8))
    cells = draw(st.lists(st.sampled_from(DISK), min_size=n, max_size=n))
    money = st.floats(0, 1e12, allow_nan=False) | st.sampled_from([0.0, 0.1, 1e-9, 12.5])
    rows = {
        "account_id": draw(st.lists(value_text(), min_size=n, max_size=n, unique=True)),
        "name": draw(st.lists(value_text(long=True), min_size=n, max_size=n)),
        "segment": draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n)),
        "lat": [h3.cell_to_latlng(c)[0] for c in cells],
        "lon": [h3.cell_to_latlng(c)[1] for c in cells],
        "tam": draw(st.lists(money, min_size=n, max_size=n)),
        "revenue": draw(st.lists(money, min_size=n, max_size=n)),
        "rep_id": draw(st.lists(st.sampled_from(rep_ids), min_size=n, max_size=n)),
        "pinned": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
    }
    return pd.DataFrame(rows), rep_ids


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def first_import(folder: Path, table: pd.DataFrame) -> pd.DataFrame:
    """The customer's file, written by Python's csv module, imported: the reference."""
    path = folder / "customer.csv"
    table.to_csv(path, index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    frame, report = import_accounts(path, exclude_bad_rows=True)
    assume(report.imported > 0)  # ids equal once stripped: the rest is the importer's business
    return frame


def plan_on(frame: pd.DataFrame, owners: list[int]) -> Plan:
    rep_ids = sorted(set(frame["rep_id"].dropna().astype(str)))
    assume(rep_ids)  # every owner read as empty (a lone "'" is the escape of nothing)
    reps = make_reps(dict.fromkeys(rep_ids, DISK[0]))
    market = toy_market(frame, reps)
    owner = np.array([o % (len(rep_ids) + 1) - 1 for o in owners[: market.n_cells]])
    owner = np.pad(owner, (0, market.n_cells - len(owner)), constant_values=-1)
    return Plan.from_owner(market, owner)


def expected(plan: Plan) -> pd.DataFrame:
    """What the second import must read: the accounts with their owner under the plan."""
    table = assignment_table(plan)[list(FIELDS)].copy()
    table["rep_id"] = table["rep_id"].astype(object).where(table["rep_id"].notna(), None)
    return table.set_index("account_id").sort_index()


def same(back: pd.DataFrame, plan: Plan, digits: int | None = None) -> None:
    """Every field as the plan has it; numbers to ``digits`` significant digits when given."""
    got = back[list(FIELDS)].copy()
    got["rep_id"] = got["rep_id"].astype(object).where(got["rep_id"].notna(), None)
    got = got.set_index("account_id").sort_index()
    want = expected(plan)
    assert list(got.index) == list(want.index)
    for name in want.columns:
        if digits is not None and name in ("lat", "lon", "tam", "revenue"):
            rel = 10.0 ** (1 - digits)
            assert got[name].tolist() == pytest.approx(want[name].tolist(), rel=rel, abs=0), name
        else:
            assert got[name].tolist() == want[name].tolist(), name


@given(data=accounts_file(), owners=st.lists(st.integers(0, 10), min_size=7, max_size=7))
@fuzz(max_examples=100)
def test_accounts_survive_the_account_csv(folder, data, owners):
    plan = plan_on(first_import(folder, data[0]), owners)
    CASES["round trip: account CSV"] += 1
    path = export_plan(plan, "csv", folder / "export.csv")
    mapping = {f: f for f in FIELDS} | dict.fromkeys(EXPORT_COLUMNS)
    back, report = import_accounts(path, mapping=mapping)
    assert not report.problems, report.summary()
    same(back, plan)


@given(data=accounts_file(), owners=st.lists(st.integers(0, 10), min_size=7, max_size=7))
@fuzz(max_examples=50)
def test_accounts_survive_the_workbook(folder, data, owners):
    plan = plan_on(first_import(folder, data[0]), owners)
    CASES["round trip: workbook Accounts sheet"] += 1
    path = export_plan(plan, "xlsx", folder / "export.xlsx")
    mapping = {ACCOUNT_HEADERS[f]: f for f in FIELDS} | {
        ACCOUNT_HEADERS[c]: None for c in EXPORT_COLUMNS
    }
    back, report = import_accounts(path, sheet="Accounts", mapping=mapping)
    assert not report.problems, report.summary()
    same(back, plan, digits=16)  # openpyxl writes 16 significant digits (Excel keeps 15)


@given(
    data=accounts_file(),
    owners=st.lists(st.integers(0, 10), min_size=7, max_size=7),
    fmt=st.sampled_from(["plan", "xlsx", "csv", "geojson", "parquet"]),
)
@fuzz(max_examples=100)
def test_every_plan_format_gives_back_the_owner_of_every_cell(folder, data, owners, fmt):
    plan = plan_on(first_import(folder, data[0]), owners)
    # a plan file of no cells says nothing of its resolution and is refused, by design
    assume(fmt != "plan" or (plan.owner >= 0).any())
    CASES["round trip: plan formats"] += 1
    path = export_plan(plan, fmt, folder / f"plan.{fmt}")
    table = read_exported_plan(path, fmt)
    market = plan.market
    pos = market.area.positions(table["h3_cell"].to_numpy(np.uint64))
    owner = np.full(market.n_cells, -1)
    owner[pos] = pd.Index(market.rep_ids).get_indexer(table["rep_id"])
    assert (owner[pos] >= 0).all()
    if fmt == "csv":  # only cells with unpinned accounts
        cells = np.unique(market.account_cell[~market.account_pinned])
        np.testing.assert_array_equal(owner[cells], plan.owner[cells])
    else:
        np.testing.assert_array_equal(owner, plan.owner)
