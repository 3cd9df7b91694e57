"""read_table: every cell as typed, or one sentence saying why the file was refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from common.errors import FileUnreadableError
from data import readers
from data.readers import READERS, read_raw, read_table


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_csv_cells_stay_strings_exactly_as_typed(tmp_path):
    path = write(tmp_path, "a.csv", "account_id,lat,rep_id\n007,48.85,\nNA,1e3,R1\n")
    table = read_table(path)
    assert list(table.columns) == ["account_id", "lat", "rep_id"]
    assert table.to_dict("list") == {
        "account_id": ["007", "NA"],
        "lat": ["48.85", "1e3"],
        "rep_id": ["", "R1"],
    }
    assert all(pd.api.types.is_string_dtype(table[c]) for c in table.columns)


def test_header_names_are_stripped(tmp_path):
    path = write(tmp_path, "a.csv", " account_id ,\tlat\n1,2\n")
    assert list(read_table(path).columns) == ["account_id", "lat"]


def test_utf8_bom_is_not_part_of_first_column(tmp_path):
    path = write(tmp_path, "a.csv", b"\xef\xbb\xbfaccount_id,name\n1,Caf\xc3\xa9\n")
    table = read_table(path)
    assert list(table.columns) == ["account_id", "name"]
    assert table.loc[0, "name"] == "Café"


def test_semicolon_csv_is_detected(tmp_path):
    path = write(tmp_path, "a.csv", 'account_id;name;lat\n1;"Smith, Jones & Co";48.5\n')
    table = read_table(path)
    assert list(table.columns) == ["account_id", "name", "lat"]
    assert table.loc[0, "name"] == "Smith, Jones & Co"
    assert table.loc[0, "lat"] == "48.5"


def test_comma_inside_quoted_header_does_not_fool_detection(tmp_path):
    path = write(tmp_path, "a.csv", '"x;y",b,c\n1,2,3\n')
    assert list(read_table(path).columns) == ["x;y", "b", "c"]


def test_tab_separated_txt_and_tsv(tmp_path):
    for name in ("a.tsv", "a.txt"):
        table = read_table(write(tmp_path, name, "account_id\tlat\n1\t2.5\n"))
        assert table.to_dict("list") == {"account_id": ["1"], "lat": ["2.5"]}


def test_single_column_csv(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "account_id\n1\n2\n"))
    assert table["account_id"].tolist() == ["1", "2"]


def test_blank_lines_are_kept_so_rows_match_the_spreadsheet(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "a,b\n1,2\n\n3,4\n"))
    assert table.to_dict("list") == {"a": ["1", "", "3"], "b": ["2", "", "4"]}


def test_short_rows_are_padded_with_empty_cells(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "a,b,c\n1,2\n"))
    assert table.iloc[0].tolist() == ["1", "2", ""]


def test_duplicate_header_names_are_kept_for_validation_to_report(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "lat,lat\n1,2\n"))
    assert list(table.columns) == ["lat", "lat"]


def test_header_only_file_gives_empty_frame(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "a,b\n"))
    assert list(table.columns) == ["a", "b"]
    assert len(table) == 0


@pytest.mark.parametrize("name", ["a.parquet", "a.pq", "A.PARQUET"])
def test_parquet_keeps_typed_columns(tmp_path, name):
    frame = pd.DataFrame({"account_id": ["1", "2"], "lat": [48.5, np.nan]})
    frame.to_parquet(tmp_path / name)
    table = read_table(tmp_path / name)
    assert table["account_id"].tolist() == ["1", "2"]
    assert table["lat"].dtype == np.float64
    assert table["lat"].iloc[0] == 48.5
    assert np.isnan(table["lat"].iloc[1])


def test_parquet_index_comes_back_as_a_column(tmp_path):
    frame = pd.DataFrame({"account_id": ["1", "2"], "lat": [1.0, 2.0]}).set_index("account_id")
    frame.to_parquet(tmp_path / "a.parquet")
    table = read_table(tmp_path / "a.parquet")
    assert list(table.columns) == ["account_id", "lat"]
    assert isinstance(table.index, pd.RangeIndex)


def test_a_new_format_is_one_dict_entry(tmp_path, monkeypatch):
    monkeypatch.setitem(READERS, ".jsonl", lambda path, options: pd.read_json(path, lines=True))
    table = read_table(write(tmp_path, "a.jsonl", '{" a ": 1}\n'))
    assert list(table.columns) == ["a"]


def parquet_bytes(tmp_path):
    pd.DataFrame({"a": range(100)}).to_parquet(tmp_path / "full.parquet")
    return (tmp_path / "full.parquet").read_bytes()


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("empty.csv", b"", "empty.csv is empty"),
        ("empty.parquet", b"", "empty.parquet is empty"),
        ("garbage.csv", bytes(range(256)) * 4, "garbage.csv contains binary data"),
        ("book.csv", b"PK\x03\x04" + bytes(200), "book.csv is a zip archive or Excel workbook"),
        ("blank.csv", b"\n\na,b\n", "blank.csv has no header line"),
        ("text.parquet", b"account_id,lat\n1,2\n", "text.parquet is not a readable Parquet file"),
        ("a.xlsx", b"PK\x03\x04", "a.xlsx is not an Excel workbook"),
        ("a.ods", b"PK\x03\x04", "a.ods is an OpenDocument spreadsheet; save it as .xlsx"),
        ("a.doc", b"x", "a.doc is a .doc file; Hexalign reads .csv, .geojson"),
    ],
)
def test_unreadable_files_raise_one_sentence(tmp_path, name, content, expected):
    path = write(tmp_path, name, content)
    with pytest.raises(FileUnreadableError) as err:
        read_table(path)
    message = str(err.value)
    assert expected in message
    assert "\n" not in message
    assert "Traceback" not in message


def test_truncated_parquet(tmp_path):
    data = parquet_bytes(tmp_path)
    path = write(tmp_path, "cut.parquet", data[: len(data) // 2])
    with pytest.raises(FileUnreadableError, match=r"^cut\.parquet is not a readable Parquet file"):
        read_table(path)


def test_parquet_with_csv_extension_is_named(tmp_path):
    path = write(tmp_path, "a.csv", parquet_bytes(tmp_path))
    with pytest.raises(FileUnreadableError, match="a.csv is a Parquet file"):
        read_table(path)


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(FileUnreadableError) as err:
        read_table(path)
    assert str(err.value) == f"{path} does not exist."


def test_directory_is_not_a_file(tmp_path):
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(FileUnreadableError, match="is not a file"):
        read_table(tmp_path / "dir.csv")


def test_file_without_extension(tmp_path):
    path = write(tmp_path, "accounts", "a\n1\n")
    with pytest.raises(FileUnreadableError, match="a file without an extension"):
        read_table(path)


def test_unreadable_error_is_also_a_value_error(tmp_path):
    with pytest.raises(ValueError):
        read_table(write(tmp_path, "e.csv", b""))


def test_sniffing_reads_only_the_start(tmp_path, monkeypatch):
    # A multi-byte character cut at the sniffing boundary must not look like bad UTF-8.
    monkeypatch.setattr(readers, "_SNIFF_BYTES", len("name\nCaf") + 1)
    table = read_table(write(tmp_path, "a.csv", "name\nCafé\n"))
    assert table["name"].tolist() == ["Café"]


# --- issue 12 point 6: every ragged line named, none refuses the file alone ----------


def test_every_ragged_line_is_a_problem_of_its_row(tmp_path):
    # rows: 1 header, 2 fine, 3 one field short, 4 blank, 5 one too many, 6 a quoted
    # line break (one record), 7 two too many, 8 fine with an empty last cell
    content = b'a,b,c\n1,2,3\n4,5\n\n6,7,8,9\n"x\ny",1,2\n10,11,12,13,14\n1,2,\n'
    raw = read_raw(write(tmp_path, "ragged.csv", content))
    assert [(p.row, p.column) for p in raw.problems] == [(3, None), (5, None), (7, None)]
    assert [p.reason for p in raw.problems] == [
        "the line has 2 fields but the header has 3; "
        "a value may hold an unquoted line break, or the line was cut short",
        "the line has 4 fields but the header has 3; check for an unquoted delimiter in a value",
        "the line has 5 fields but the header has 3; check for an unquoted delimiter in a value",
    ]
    # row i of the frame is still spreadsheet row i + 2; a long line keeps its first fields
    assert list(raw.frame.columns) == ["a", "b", "c"]
    assert raw.frame.values.tolist() == [
        ["1", "2", "3"], ["4", "5", ""], ["", "", ""], ["6", "7", "8"],
        ["x\ny", "1", "2"], ["10", "11", "12"], ["1", "2", ""],
    ]  # fmt: skip


def test_a_line_may_stop_after_the_last_named_column(tmp_path):
    # a header with a trailing delimiter (an empty last name) and lines without it
    raw = read_raw(write(tmp_path, "trailing.csv", b"a,b,c,\n1,2,3\n4,5,6,\n \n"))
    assert raw.problems == ()
    assert raw.frame.values.tolist() == [
        ["1", "2", "3", ""],
        ["4", "5", "6", ""],
        [" ", "", "", ""],
    ]
