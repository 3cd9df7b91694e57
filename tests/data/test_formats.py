"""Every input format, written by the test into tmp_path: encodings, decimal marks, Excel, GeoJSON."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from common.errors import FileUnreadableError
from data.importing import import_accounts, import_reps
from data.readers import detect_encoding, read_raw

HEADER = "account_id;name;lat;lon;segment;tam;revenue"


def write_bytes(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


# --- encodings -------------------------------------------------------------------------

POLISH = ["Apteka Łódź", "Zakłady Mięsne Żywiec", "Wrocław Świętego Ducha", "Gdańsk Ząbki"]
GERMAN = ["Bäckerei Müller", "Größe & Söhne", "Straßenbahn Köln", "Düsseldorf Ärzte"]


def accounts_text(names, sep=";", decimal=","):
    rows = [HEADER.replace(";", sep)]
    for i, name in enumerate(names):
        lat = f"52{decimal}{i}1"
        rows.append(sep.join([f"A{i}", name, lat, f"13{decimal}4", "A", "100", "0"]))
    return lines(*rows)


def test_cp1250_with_polish_names(tmp_path):
    path = write_bytes(tmp_path, "pl.csv", accounts_text(POLISH).encode("cp1250"))
    assert detect_encoding(path) == "cp1250"
    frame, report = import_accounts(path)
    assert report.encoding == "cp1250"
    assert frame["name"].tolist() == POLISH
    assert frame["lat"].tolist() == [52.01, 52.11, 52.21, 52.31]


def test_cp1252_with_german_umlauts(tmp_path):
    path = write_bytes(tmp_path, "de.csv", accounts_text(GERMAN).encode("cp1252"))
    assert detect_encoding(path) == "cp1252"
    frame, _ = import_accounts(path)
    assert frame["name"].tolist() == GERMAN


@pytest.mark.parametrize(
    "words, encoding",
    [
        (["Crème brûlée", "Hôtel Noël", "Château"], "cp1252"),
        (["España Señor", "Ærø Århus", "Øresund"], "cp1252"),
        (["Dvořák Plzeň", "Žďár", "Brno"], "cp1250"),
        (["Kraków", "Białystok", "Łańcut"], "cp1250"),
    ],
)
def test_legacy_code_page_is_chosen_by_the_letters(tmp_path, words, encoding):
    path = write_bytes(tmp_path, "a.csv", lines("name", *words).encode(encoding))
    assert detect_encoding(path) == encoding
    assert read_raw(path).frame["name"].tolist() == words


def test_bytes_undefined_in_1252_fall_back_to_latin_1(tmp_path):
    path = write_bytes(tmp_path, "a.csv", b"name\nCaf\xe9 \x81\n")
    assert detect_encoding(path) == "latin-1"
    assert read_raw(path).frame["name"].tolist() == ["Café \x81"]


def test_a_late_legacy_byte_is_found(tmp_path):
    body = "".join(f"A{i},x\n" for i in range(200_000))
    data = ("id,name\n" + body + "A,Müller\n").encode("cp1252")
    path = write_bytes(tmp_path, "late.csv", data)
    assert detect_encoding(path) == "cp1252"
    assert read_raw(path).frame["name"].iloc[-1] == "Müller"


def test_utf8_with_bom(tmp_path):
    data = b"\xef\xbb\xbf" + accounts_text(GERMAN).encode("utf-8")
    path = write_bytes(tmp_path, "bom.csv", data)
    frame, report = import_accounts(path)
    assert report.encoding == "utf-8-sig"
    assert frame["account_id"].tolist() == ["A0", "A1", "A2", "A3"]
    assert frame["name"].tolist() == GERMAN


def test_utf16_tab_separated_as_excel_saves_unicode_text(tmp_path):
    text = accounts_text(POLISH, sep="\t", decimal=".")
    path = write_bytes(tmp_path, "unicode.txt", text.encode("utf-16"))
    frame, report = import_accounts(path)
    assert report.encoding == "utf-16"
    assert frame["name"].tolist() == POLISH


def test_bom_then_invalid_utf8_is_refused(tmp_path):
    path = write_bytes(tmp_path, "a.csv", b"\xef\xbb\xbfname\nCaf\xe9\n")
    with pytest.raises(FileUnreadableError, match="starts with a UTF-8 mark but byte 0xe9"):
        read_raw(path)


def test_binary_without_nul_bytes_is_refused(tmp_path):
    data = bytes(range(1, 32)) * 300
    with pytest.raises(FileUnreadableError, match="contains binary data"):
        read_raw(write_bytes(tmp_path, "a.csv", data))


# --- decimal marks ---------------------------------------------------------------------


def test_semicolon_decimal_comma_and_thousands(tmp_path):
    text = lines(
        HEADER,
        "A1;One;52,52;13,405;A;1.234,50;1 234,50",
        "A2;Two;48,1;11,6;B;1.234;12",
        "A3;Three;50;8;C;2.500.000;0,5",
        "A4;Four;50;8;C;1\u00a0000;7",
    )
    frame, report = import_accounts(write_bytes(tmp_path, "eu.csv", text.encode("cp1252")))
    assert report.problems == ()
    assert frame["lat"].tolist() == [52.52, 48.1, 50.0, 50.0]
    assert frame["lon"].tolist() == [13.405, 11.6, 8.0, 8.0]
    assert frame["tam"].tolist() == [1234.5, 1234.0, 2_500_000.0, 1000.0]
    assert frame["revenue"].tolist() == [1234.5, 12.0, 0.5, 7.0]


def test_comma_delimited_with_thousands_commas(tmp_path):
    text = lines(
        HEADER.replace(";", ","),
        'A1,One,52.52,13.4,A,"1,234.50","1,234"',
        "A2,Two,48.1,11.6,B,1234.5,12",
    )
    frame, _ = import_accounts(write_bytes(tmp_path, "us.csv", text.encode()))
    assert frame["tam"].tolist() == [1234.5, 1234.5]
    assert frame["revenue"].tolist() == [1234.0, 12.0]


def tsv(tmp_path, *rows):
    return write_bytes(tmp_path, "a.tsv", lines(HEADER.replace(";", "\t"), *rows).encode())


def test_ambiguous_value_without_evidence_is_an_error_not_a_guess(tmp_path):
    path = tsv(tmp_path, "A1\tOne\t52\t13\tA\t1.234\t0", "A2\tTwo\t48\t11\tB\t2.500\t0")
    frame, report = import_accounts(path)
    assert frame.empty
    assert [(p.row, p.column) for p in report.problems] == [(2, "tam"), (3, "tam")]
    assert report.problems[0].reason.startswith("tam '1.234' is ambiguous")


@pytest.mark.parametrize("decimal, tam", [(",", [1234.0, 2500.0]), (".", [1.234, 2.5])])
def test_decimal_option_settles_ambiguity(tmp_path, decimal, tam):
    path = tsv(tmp_path, "A1\tOne\t52\t13\tA\t1.234\t0", "A2\tTwo\t48\t11\tB\t2.500\t0")
    frame, _ = import_accounts(path, decimal=decimal)
    assert frame["tam"].tolist() == tam


def test_evidence_in_the_column_decides(tmp_path):
    path = tsv(tmp_path, "A1\tOne\t52\t13\tA\t1.234\t0", "A2\tTwo\t48\t11\tB\t12.5\t0")
    frame, _ = import_accounts(path)
    assert frame["tam"].tolist() == [1.234, 12.5]


def test_evidence_elsewhere_in_the_file_decides(tmp_path):
    path = tsv(tmp_path, "A1\tOne\t52,5\t13\tA\t1.234\t0", "A2\tTwo\t48\t11\tB\t2.500\t0")
    frame, _ = import_accounts(path)
    assert frame["tam"].tolist() == [1234.0, 2500.0]
    assert frame["lat"].tolist() == [52.5, 48.0]


def test_semicolon_suggests_decimal_comma_when_nothing_else_does(tmp_path):
    text = lines(HEADER, "A1;One;52;13;A;1.234;0")
    frame, _ = import_accounts(write_bytes(tmp_path, "a.csv", text.encode()))
    assert frame["tam"].tolist() == [1234.0]


def test_the_odd_one_out_is_named(tmp_path):
    path = tsv(
        tmp_path,
        "A1\tOne\t52\t13\tA\t2.5\t0",
        "A2\tTwo\t48\t11\tB\t3.75\t0",
        "A3\tThree\t48\t11\tB\t1,5\t0",
    )
    _, report = import_accounts(path)
    assert [(p.row, p.column) for p in report.problems] == [(4, "tam")]
    assert report.problems[0].reason == (
        "tam '1,5' is not a number with a decimal point like the rest of the column "
        "(it has a decimal comma)"
    )


# --- Excel -----------------------------------------------------------------------------


def workbook(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


TITLE_BLOCK = [
    ["Kundenliste Q3"],
    ["exported 2026-09-30 by CRM"],
    [],
    ["Kundennr", "Firma", "Breite", "Länge", "ABC", "Potenzial", "Umsatz", None, "Notiz"],
]


def test_xlsx_with_title_block_keeps_real_row_numbers(tmp_path):
    rows = [
        *TITLE_BLOCK,
        [1001, "Bäckerei", 52.52, 13.4, "A", 1000.5, 10, None, "ok"],
        [1002, "Apotheke", 48.1, 11.6, "B", "n/a", 0, None, None],
        [1003, "Klinik", 48.2, 11.7, "C", 5, 0],
    ]
    path = workbook(tmp_path / "kunden.xlsx", {"Kunden": rows})
    frame, report = import_accounts(path)
    assert report.header_row == 4
    assert report.rows_read == 3
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (6, "tam", "tam 'n/a' is not a number")
    ]
    assert frame.empty
    frame, report = import_accounts(path, exclude_bad_rows=True)
    assert frame["account_id"].tolist() == ["1001", "1003"]
    assert frame["tam"].tolist() == [1000.5, 5.0]
    assert report.excluded_rows == (6,)


def test_xlsx_sheet_by_name_or_by_fit(tmp_path):
    accounts = [
        ["account_id", "name", "lat", "lon", "segment", "tam", "revenue"],
        ["A1", "x", 1.5, 2.5, "a", 1, 2],
    ]
    reps = [["rep_id", "name", "home_lat", "home_lon", "capacity_hours"], ["R1", "r", 1, 2, 1600]]
    path = workbook(tmp_path / "team.xlsx", {"Notes": [["hello"]], "Reps": reps, "Acc": accounts})
    frame, report = import_accounts(path)
    assert report.sheet == "Acc"
    assert frame["segment"].tolist() == ["A"]
    reps_frame, report = import_reps(path)
    assert report.sheet == "Reps"
    assert reps_frame["capacity_hours"].tolist() == [1600.0]
    _, report = import_accounts(path, sheet="Notes")
    assert report.refused and "missing required column(s)" in report.problems[0].reason
    with pytest.raises(FileUnreadableError, match="has no sheet 'Nope'; its sheets are 'Notes'"):
        import_accounts(path, sheet="Nope")


def test_xlsx_zip_bomb_is_refused_before_opening(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    assert path.stat().st_size < 50_000
    with pytest.raises(FileUnreadableError) as err:
        read_raw(path, max_unzipped_bytes=1_000_000)
    assert str(err.value) == (
        "bomb.xlsx would unpack to 4.8 MB, more than the 976.6 KB Hexalign accepts from a "
        "workbook; it may be a zip bomb."
    )


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"not a zip at all", "not an Excel workbook"),
        ("zip", "is a zip archive but not an Excel workbook"),
        ("truncated", "not an Excel workbook"),
    ],
)
def test_broken_workbooks_are_one_sentence(tmp_path, content, expected):
    path = tmp_path / "bad.xlsx"
    if content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hi")
    elif content == "truncated":
        workbook(tmp_path / "full.xlsx", {"S": [["a"], [1]] * 50})
        data = (tmp_path / "full.xlsx").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(content)
    with pytest.raises(FileUnreadableError) as err:
        read_raw(path)
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


# --- GeoJSON, Parquet, size ------------------------------------------------------------


def feature(geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": props}


def point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


def test_geojson_points_with_properties(tmp_path):
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature(point(13.4, 52.5), id="A1", name="One", segment="A", tam=10, revenue=1),
            feature(
                {"type": "Polygon", "coordinates": []},
                id="A2",
                name="Two",
                segment="B",
                tam=5,
                revenue=0,
            ),
            feature(point(11.6, 48.1), id="A3", name="Three", segment="Q", tam=1, revenue=0),
            feature(None, id="A4", name="Four", segment="C", tam=1, revenue=0),
        ],
    }
    path = tmp_path / "accounts.geojson"
    path.write_text(json.dumps(collection))
    frame, report = import_accounts(path, exclude_bad_rows=True)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "lat", "feature 1: the geometry is a Polygon, not a Point"),
        (4, "segment", "feature 2: segment 'Q' is not one of A, B, C"),
        (5, "lat", "feature 3: the feature has no geometry; a Point carries the coordinates"),
    ]
    assert frame["account_id"].tolist() == ["A1"]
    assert (frame.loc[0, "lat"], frame.loc[0, "lon"]) == (52.5, 13.4)


def test_geojson_fix_supplies_the_missing_point(tmp_path):
    collection = {
        "type": "FeatureCollection",
        "features": [feature(None, id="A1", name="x", segment="A", tam=1, revenue=0)],
    }
    path = tmp_path / "a.geojson"
    path.write_text(json.dumps(collection))
    frame, report = import_accounts(path, choices={2: {"lat": 50.1, "lon": 8.6}})
    assert report.problems == ()
    assert frame["lat"].tolist() == [50.1]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"type": "FeatureCollection", "features": [', "is not valid JSON"),
        ('{"a": 1}', "is JSON but not a GeoJSON FeatureCollection"),
    ],
)
def test_bad_geojson(tmp_path, text, expected):
    path = tmp_path / "a.geojson"
    path.write_text(text)
    with pytest.raises(FileUnreadableError, match=expected):
        read_raw(path)


def test_parquet_with_other_column_names(tmp_path):
    pd.DataFrame(
        {
            "Customer ID": ["A1", "A2"],
            "Company": ["One", "Two"],
            "Latitude": [52.5, np.nan],
            "Longitude": [13.4, 11.6],
            "Tier": ["a", "b"],
            "Market Potential": [10.0, 20.0],
            "Sales": [1, 2],
        }
    ).to_parquet(tmp_path / "a.parquet")
    _, report = import_accounts(tmp_path / "a.parquet")
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "lat", "missing coordinates: lat is empty")
    ]


def test_file_over_the_size_limit(tmp_path):
    path = write_bytes(tmp_path, "big.csv", b"a,b\n" + b"1,2\n" * 1000)
    with pytest.raises(FileUnreadableError) as err:
        import_accounts(path, max_bytes=1024)
    assert str(err.value) == (
        "big.csv is 3.9 KB, more than the 1.0 KB Hexalign reads; split it or raise the limit."
    )


def test_progress_reports_reading_then_checking(tmp_path):
    body = "".join(f"A{i},n,52.{i % 10},13.4,A,1,0\n" for i in range(1000))
    path = write_bytes(tmp_path, "a.csv", (HEADER.replace(";", ",") + "\n" + body).encode())
    seen = []
    import_accounts(path, progress=lambda fraction, message: seen.append((fraction, message)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert any(m.startswith("reading a.csv") for _, m in seen)
    assert any(m.startswith("checking 1,000 rows") for _, m in seen)


def test_read_raw_reads_csv_in_chunks(tmp_path, monkeypatch):
    from data import readers

    monkeypatch.setattr(readers, "CSV_CHUNK_ROWS", 7)
    body = "".join(f"{i},x\n" for i in range(100))
    table = read_raw(write_bytes(tmp_path, "a.csv", ("id,name\n" + body).encode())).frame
    assert table["id"].tolist() == [str(i) for i in range(100)]
    assert isinstance(table.index, pd.RangeIndex)
