"""The Data tab's import report (data.import_check): what the page lists for a file."""

from __future__ import annotations

from data.import_check import check_import, report_csv, suggested_columns
from data.readers import read_raw


def test_each_ragged_line_is_one_entry_of_the_report(tmp_path):
    # issue 12 point 6: three ragged lines, rows 3, 5 and 6; before, the file was refused
    # in one sentence naming row 3 only
    path = tmp_path / "accounts.csv"
    path.write_text(
        "account_id,name,lat,lon,segment,tam,revenue\n"
        "A1,Alpha,52.52,13.40,A,100,10\n"
        "A2,Mayer, Sohn,53.55,9.99,B,200,20\n"
        "A3,Gamma,48.14,11.58,C,300,30\n"
        "A4,Delta,50.94\n"
        "A5,Eps,50.11,8.68,A,500,50,,\n"
        "A6,Zeta,48.78,9.18,B,600,60\n",
        encoding="utf-8",
    )
    raw = read_raw(path, kind="accounts")
    mapping = suggested_columns(raw.frame.columns, "accounts")
    check = check_import(raw, "accounts", mapping)
    table = check.problems
    assert table["row"].tolist() == [3, 5, 6]
    assert table["column"].tolist() == ["", "", ""]
    assert table["severity"].tolist() == ["error"] * 3
    assert [r.split(";")[0] for r in table["reason"]] == [
        "the line has 8 fields but the header has 7",
        "the line has 3 fields but the header has 7",
        "the line has 9 fields but the header has 7",
    ]
    assert check.counts == {"read": 6, "imported": 0, "excluded": 6, "with problems": 3}
    assert report_csv([check]).count("the line has") == 3
    # excluding bad rows imports the other three
    check = check_import(raw, "accounts", mapping, exclude_errors=True)
    assert check.counts == {"read": 6, "imported": 3, "excluded": 3, "with problems": 3}
    assert check.frame["account_id"].tolist() == ["A1", "A3", "A6"]
