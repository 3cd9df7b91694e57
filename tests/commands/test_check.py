"""``cli.py check`` exit codes and output; ``cli.py metrics`` on every format with a mapping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import cli
from data.mapping import save_mapping
from tests.toy import toy_accounts_and_reps

ROOT = Path(__file__).resolve().parents[2]
HEADER = "account_id,name,lat,lon,segment,tam,revenue"


def check(capsys, *args):
    code = cli.main(["check", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path, name, *rows):
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_clean_file_exits_zero(tmp_path, capsys):
    path = write(tmp_path, "a.csv", HEADER, "A1,x,52.5,13.4,A,1,0", "A2,y,48.1,11.6,B,1,0")
    code, out, err = check(capsys, path)
    assert code == 0
    assert out == (
        "a.csv: 2 rows read, 2 imported, 0 excluded; 0 rows with problems (0 errors, 0 warnings)\n"
    )
    assert "encoding utf-8, delimiter ','" in err


def test_errors_exit_one_and_list_rows(tmp_path, capsys):
    path = write(tmp_path, "a.csv", HEADER, "A1,x,52.5,13.4,A,1,0", "A2,y,north,11.6,Q,1,0")
    code, out, _ = check(capsys, path, "--report", tmp_path / "report.csv")
    assert code == 1
    assert out.splitlines() == [
        "a.csv: 2 rows read, 0 imported, 2 excluded (2 held back by errors); "
        "1 row with problems (2 errors, 0 warnings)",
        "  row 3, column 'lat': lat 'north' is not a number (error)",
        "  row 3, column 'segment': segment 'Q' is not one of A, B, C (error)",
    ]
    assert pd.read_csv(tmp_path / "report.csv")["row"].tolist() == [3, 3]


def test_excluding_bad_rows_still_exits_one(tmp_path, capsys):
    path = write(tmp_path, "a.csv", HEADER, "A1,x,52.5,13.4,A,1,0", "A2,y,north,11.6,B,1,0")
    code, out, _ = check(capsys, path, "--exclude-bad-rows")
    assert code == 1
    assert out.startswith("a.csv: 2 rows read, 1 imported, 1 excluded (1 with errors)")


def test_warnings_alone_exit_zero(tmp_path, capsys):
    towns = [(48 + i / 2, 7 + i / 2) for i in range(12)]
    rows = [f"A{i},x,{lat},{lon},A,1,0" for i, (lat, lon) in enumerate(towns)]
    path = write(tmp_path, "a.csv", HEADER, *rows, "A99,x,8.68,50.11,A,1,0")
    code, out, _ = check(capsys, path)
    assert code == 0
    assert "(0 errors, 1 warning)" in out
    assert "row 14, column 'lat': lat and lon look swapped" in out
    code, out, _ = check(capsys, path, "--accept-swaps")
    assert "1 lat/lon swaps applied" in out


def test_derive_segments_and_mapping(tmp_path, capsys):
    path = write(tmp_path, "a.csv", "Nr;Firma;Breite;Länge;Pot;Umsatz", "1;x;52,5;13,4;9;0")
    save_mapping({"Nr": "account_id", "Pot": "tam"}, tmp_path / "m.json")
    code, out, _ = check(capsys, path, "--mapping", tmp_path / "m.json")
    assert code == 1 and "missing required column(s) 'segment'" in out
    code, out, _ = check(
        capsys, path, "--mapping", tmp_path / "m.json", "--derive-segments", "share:20,30"
    )
    assert code == 0 and "1 segments derived from TAM" in out


def test_reps_kind_and_rep_ids(tmp_path, capsys):
    reps = write(tmp_path, "reps.csv", "id,name,lat,lon,capacity", "R1,a,52,13,1600")
    code, out, _ = check(capsys, reps, "--kind", "reps")
    assert code == 0 and out.startswith("reps.csv: 1 row")
    accounts = write(tmp_path, "a.csv", HEADER + ",owner", "A1,x,52.5,13.4,A,1,0,R7")
    code, out, _ = check(capsys, accounts, "--reps", reps)
    assert code == 1 and "rep_id 'R7' is not a known rep" in out


def test_bad_segment_rule_is_an_argument_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as err:
        cli.main(["check", "a.csv", "--derive-segments", "top:1"])
    assert err.value.code == 2
    assert "is not 'share:A%,B%'" in capsys.readouterr().err


def test_unreadable_file_exits_two_in_a_real_process(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"PK\x03\x04 not really")
    done = subprocess.run(
        [sys.executable, "cli.py", "check", str(tmp_path / "a.xlsx")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: a.xlsx is not an Excel workbook")
    assert "Traceback" not in done.stderr


# --- metrics on other formats ----------------------------------------------------------


@pytest.fixture
def toy_frames():
    return toy_accounts_and_reps()


def metrics(capsys, *args):
    code = cli.main(["metrics", "--resolution", "7", *map(str, args)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_metrics_reads_excel_with_german_headers_and_a_mapping(tmp_path, capsys, toy_frames):
    accounts, reps = toy_frames
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    expected = metrics(
        capsys, "--accounts", tmp_path / "accounts.csv", "--reps", tmp_path / "reps.csv"
    )

    german = accounts.rename(
        columns={"account_id": "Kundennr", "name": "Firma", "lat": "Breite", "lon": "Länge",
                 "segment": "Klasse", "tam": "Potenzial", "revenue": "Umsatz",
                 "rep_id": "Betreuer", "pinned": "Schlüsselkunde"}
    )  # fmt: skip
    book = openpyxl.Workbook()
    book.active.title = "Info"
    book.active.append(["Kunden und Team, Stand Q3"])
    sheet = book.create_sheet("Kunden")
    sheet.append(["Kundenliste"])
    sheet.append([])
    sheet.append(list(german.columns))
    for record in german.itertuples(index=False):
        sheet.append([v.item() if hasattr(v, "item") else v for v in record])
    team = book.create_sheet("Team")
    team.append(["Mitarbeiter-Nr", "Name", "Wohnort Breite", "Wohnort Länge", "Std/Jahr"])
    for record in reps.itertuples(index=False):
        team.append(list(record))
    book.save(tmp_path / "team.xlsx")
    save_mapping(
        {"reps": {"Mitarbeiter-Nr": "rep_id", "Wohnort Breite": "home_lat",
                  "Wohnort Länge": "home_lon", "Std/Jahr": "capacity_hours"}},
        tmp_path / "m.json",
    )  # fmt: skip
    got = metrics(
        capsys, "--accounts", tmp_path / "team.xlsx", "--reps", tmp_path / "team.xlsx",
        "--mapping", tmp_path / "m.json", "--sheet", "Kunden", "--reps-sheet", "Team",
    )  # fmt: skip
    assert got == expected


def test_metrics_reads_semicolon_decimal_comma_cp1252(tmp_path, capsys, toy_frames):
    accounts, reps = toy_frames
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    expected = metrics(
        capsys, "--accounts", tmp_path / "accounts.csv", "--reps", tmp_path / "reps.csv"
    )
    accounts.assign(name="Bäckerei").to_csv(
        tmp_path / "eu.csv", sep=";", decimal=",", index=False, encoding="cp1252"
    )
    assert b"B\xe4ckerei" in (tmp_path / "eu.csv").read_bytes()
    got = metrics(capsys, "--accounts", tmp_path / "eu.csv", "--reps", tmp_path / "reps.csv")
    assert got == expected


def test_the_mapping_used_is_printed_one_column_per_line(tmp_path, capsys):
    # Issue 11: a Salesforce report maps itself, and check says how.
    path = write(
        tmp_path, "report.csv",
        "Account ID,Account Name,Billing Latitude,Billing Longitude,Annual Revenue,"
        "Account Owner,Revenue,Rating",
        "0015g00000Acc01AAA,Apteka,52.2,21.0,1000000,,10,Hot",
    )  # fmt: skip
    code, out, err = check(capsys, path, "--derive-segments", "share:20,30")
    assert code == 0, out
    lines = err.splitlines()
    start = lines.index("mapping (column -> field):")
    assert lines[start + 1 : start + 9] == [
        "  Account ID -> account_id",
        "  Account Name -> name",
        "  Billing Latitude -> lat",
        "  Billing Longitude -> lon",
        "  Annual Revenue -> tam",
        "  Account Owner -> rep_id",
        "  Revenue -> revenue",
        "  Rating -> (ignored)",
    ]


def test_two_candidate_columns_are_an_error_naming_both(tmp_path, capsys):
    path = write(tmp_path, "a.csv", HEADER + ",Lat", "A1,x,52.5,13.4,A,1,0,52.5")
    code, out, err = check(capsys, path)
    assert code == 1
    assert "columns 'lat' and 'Lat' could both be 'lat'" in out
    lines = err.splitlines()
    assert "  lat -> (ignored)" in lines and "  Lat -> (ignored)" in lines  # neither picked


def test_accounts_placed_from_addresses_are_counted_by_precision(tmp_path, capsys):
    path = write(
        tmp_path,
        "crm.csv",
        "account_id,name,lat,lon,segment,tam,revenue,postcode,city,country",
        "A1,x,52.5,13.4,A,1,0,,,",
        "A2,y,,,B,1,0,80331,,Deutschland",
        "A3,z,,,B,1,0,,Gdańsk,Polska",
        "A4,w,,,B,1,0,,Frankfurt,DE",
    )
    code, out, _ = check(capsys, path, "--exclude-bad-rows")
    assert code == 1
    assert "located: 1 by coordinates, 1 by postcode, 1 by town; 1 not located\n" in out
    assert "row 5, column 'city': not located: town 'Frankfurt' matches 2 places" in out


def test_a_file_over_the_upload_limit_exits_two_with_one_sentence(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HEXALIGN_MAX_UPLOAD_MB", "1")
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "\n" + "A1,x,52.5,13.4,A,1,0\n" * 80_000, encoding="utf-8")
    code, out, err = check(capsys, path)
    assert code == 2 and out == ""
    assert err == "error: big.csv is 1.6 MB; the limit is 1.0 MB (HEXALIGN_MAX_UPLOAD_MB).\n"
