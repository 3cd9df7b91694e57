"""Actuals files through the reader and the mapper; the report is formula-safe (issue 15)."""

from __future__ import annotations

import pandas as pd
import pytest

from common.errors import FileUnreadableError
from data.actuals import read_actuals, report_csv
from planning.actuals import parse_period

Q3 = parse_period("2026-Q3")


def test_headers_in_other_words_and_a_formula_in_a_bad_row(tmp_path):
    path = tmp_path / "umsatz.csv"
    path.write_text("Kundennummer;Monat;Umsatz\nA1;2026-07;1.234,50\n=HYPERLINK(1);2026-08;5\n",
                    encoding="utf-8")  # fmt: skip
    checked = read_actuals(path, "revenue", Q3, ["A1"], [])
    assert checked.checked.kept[["account_id", "revenue"]].values.tolist() == [["A1", 1234.5]]
    text = report_csv([checked])
    assert text.splitlines() == [
        "file,row,column,reason",
        "umsatz.csv,3,account_id,unknown account '=HYPERLINK(1)'",
    ]
    named = read_actuals(path, "revenue", Q3, ["A1"], [], name="=HYPERLINK(2).csv")
    assert report_csv([named]).splitlines()[1].startswith("'=HYPERLINK(2).csv,3,")
    assert checked.summary() == "umsatz.csv: 2 rows read, 1 kept, 1 excluded (listed by row)"


def test_a_workbook_with_other_headers(tmp_path):
    path = tmp_path / "visits.xlsx"
    pd.DataFrame({"Datum": ["2026-07-01", "2026-07-02"], "Account": ["A1", "A1"],
                  "Rep": ["R1", "R1"], "Kanal": ["field", "phone"]}).to_excel(path, index=False)  # fmt: skip
    checked = read_actuals(path, "visits", Q3, ["A1"], ["R1"])
    assert len(checked.checked.kept) == 1
    assert checked.checked.report().values.tolist() == [
        [3, "channel", "channel 'phone' must be field or remote"]]  # fmt: skip


def test_a_missing_column_refuses_the_file_in_one_sentence(tmp_path):
    path = tmp_path / "rev.csv"
    path.write_text("account_id,revenue\nA1,5\n", encoding="utf-8")
    with pytest.raises(FileUnreadableError, match="rev.csv: missing required column.*'period'"):
        read_actuals(path, "revenue", Q3, ["A1"], [])
