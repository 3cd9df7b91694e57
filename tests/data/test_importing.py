"""ImportReport: every row imported or excluded with a reason; choices; swaps; segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.errors import InputError
from data.importing import ImportReport, import_accounts, import_table
from data.readers import RawTable
from data.segments import SegmentRule, derive_segments, segments_by_share
from data.validation import coordinate_bulk, load_accounts, looks_swapped

HEADER = "account_id,name,lat,lon,segment,tam,revenue,rep_id,pinned"
# A dozen German towns: the bulk of the data.
TOWNS = [
    (52.52, 13.40), (53.55, 9.99), (48.14, 11.58), (50.94, 6.96), (50.11, 8.68),
    (48.78, 9.18), (51.23, 6.78), (51.51, 7.47), (51.34, 12.37), (51.05, 13.74),
    (52.37, 9.73), (49.45, 11.08),
]  # fmt: skip


def write(tmp_path, *rows, name="accounts.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def row(i, lat=None, lon=None, **cells):
    lat0, lon0 = TOWNS[i % len(TOWNS)]
    values = {
        "account_id": f"A{i}", "name": f"Account {i}",
        "lat": str(lat0 if lat is None else lat), "lon": str(lon0 if lon is None else lon),
        "segment": "B", "tam": str(100 * (i + 1)), "revenue": "10", "rep_id": "", "pinned": "",
    }  # fmt: skip
    values.update(cells)
    return ",".join(values.values())


def towns(n=12):
    return [row(i) for i in range(n)]


def where(report):
    return [(p.row, p.column, p.severity) for p in report.problems]


# --- counts and outcomes ---------------------------------------------------------------


def test_clean_file(tmp_path):
    frame, report = import_accounts(write(tmp_path, *towns()))
    assert (report.rows_read, report.imported, report.excluded) == (12, 12, 0)
    assert report.ok and not report.refused and report.problems == ()
    assert len(frame) == 12


def test_errors_block_the_whole_file_by_default(tmp_path):
    path = write(tmp_path, *towns(3), row(3, segment="Z"), "", ",,,,,,,,")
    frame, report = import_accounts(path)
    assert frame.empty
    assert list(frame.columns) == HEADER.split(",")
    assert (report.rows_read, report.imported, report.excluded) == (6, 0, 6)
    assert report.excluded_because == {"blank": 2, "held back by errors": 4}
    assert report.excluded_rows == (6, 7)
    assert where(report) == [(5, "segment", "error")]
    assert report.outcome(2) == "not imported"
    with pytest.raises(InputError) as err:
        report.raise_for_errors()
    assert str(err.value).startswith("accounts.csv: 1 problem(s), nothing was imported")


def test_exclude_bad_rows_imports_the_rest(tmp_path):
    path = write(tmp_path, *towns(3), row(3, segment="Z", tam="-1"), "")
    frame, report = import_accounts(path, exclude_bad_rows=True)
    assert frame["account_id"].tolist() == ["A0", "A1", "A2"]
    assert (report.rows_read, report.imported, report.excluded) == (5, 3, 2)
    assert report.excluded_because == {"blank": 1, "with errors": 1}
    assert report.outcome(5) == "excluded" and report.outcome(2) == "imported"
    assert where(report) == [(5, "segment", "error"), (5, "tam", "error")]


def test_a_duplicate_survives_when_its_first_is_excluded(tmp_path):
    path = write(tmp_path, row(0, lat="north"), row(0, name="second"), row(0, name="third"), row(1))
    frame, report = import_accounts(path, exclude_bad_rows=True)
    assert frame["name"].tolist() == ["second", "Account 1"]
    assert report.excluded_rows == (2, 4)
    assert [(p.row, p.reason) for p in report.problems] == [
        (2, "lat 'north' is not a number"),
        (4, "duplicate account_id 'A0'; first on row 3"),
    ]
    assert report.problems[1].other_row == 3


def test_report_csv(tmp_path):
    path = write(tmp_path, *towns(2), row(2, lat="x", segment="Q"))
    _, report = import_accounts(path, exclude_bad_rows=True)
    assert report.to_csv(tmp_path / "report.csv") == (
        "row,column,severity,reason,outcome\n"
        "4,lat,error,lat 'x' is not a number,excluded\n"
        "4,segment,error,\"segment 'Q' is not one of A, B, C\",excluded\n"
    )
    assert pd.read_csv(tmp_path / "report.csv")["row"].tolist() == [4, 4]


def test_summary_reads_as_a_paragraph(tmp_path):
    path = write(tmp_path, *towns(2), row(2, lat="x"))
    _, report = import_accounts(path, exclude_bad_rows=True)
    assert report.summary().splitlines() == [
        "accounts.csv: 3 rows read, 2 imported, 1 excluded (1 with errors); "
        "1 row with problems (1 error, 0 warnings)",
        "  row 4, column 'lat': lat 'x' is not a number (error)",
    ]


def test_the_invariant_is_enforced():
    with pytest.raises(ValueError, match="1 imported \\+ 1 excluded != 3 rows read"):
        ImportReport("f", "accounts", rows_read=3, imported=1, excluded=1)


# --- choices per row -------------------------------------------------------------------


def test_fix_exclude_accept(tmp_path):
    path = write(
        tmp_path, *towns(12), row(12, lat="x"), row(13, segment="Q"), row(14, lat=8.68, lon=50.11)
    )
    frame, report = import_accounts(
        path, choices={14: {"lat": 48.5}, 15: "exclude", 16: "accept"}, accept_warnings=False
    )
    assert report.fixed_rows == (14,)
    assert report.excluded_because == {"by choice": 1}
    assert (report.imported, report.excluded) == (14, 1)
    assert frame.set_index("account_id").loc["A12", "lat"] == 48.5
    assert where(report) == [(16, "lat", "warning")]


def test_a_fix_written_as_text_follows_the_column_format(tmp_path):
    path = write(tmp_path, *towns(3), row(3, lat="x"))
    _, report = import_accounts(path, choices={5: {"lat": "48,5"}})
    assert report.problems[0].reason == (
        "lat '48,5' is not a number with a decimal point like the rest of the column "
        "(it has a decimal comma)"
    )
    frame, report = import_accounts(path, choices={5: {"lat": "48.5"}})
    assert report.ok and frame["lat"].iloc[-1] == 48.5


def test_unaccepted_warnings_block_when_asked(tmp_path):
    path = write(tmp_path, *towns(12), row(12, lat=8.68, lon=50.11))
    _, report = import_accounts(path, accept_warnings=False)
    assert report.refused
    _, report = import_accounts(path, accept_warnings=False, exclude_bad_rows=True)
    assert report.excluded_because == {"with warnings not accepted": 1}
    _, report = import_accounts(path)
    assert report.ok and report.imported == 13


@pytest.mark.parametrize(
    "choices, message",
    [
        ({99: "exclude"}, "choice for row 99: the file's data rows are 2-3"),
        ({2: {"latitude": 1}}, "fix for row 2 names 'latitude'; fields are account_id"),
        ({2: "delete"}, "choice for row 2 is 'delete'; expected 'exclude', 'accept' or a dict"),
    ],
)
def test_bad_choices(tmp_path, choices, message):
    with pytest.raises(ValueError, match=message):
        import_accounts(write(tmp_path, *towns(2)), choices=choices)


def test_excluding_every_row(tmp_path):
    _, report = import_accounts(write(tmp_path, row(0, lat="x")), exclude_bad_rows=True)
    assert report.refused
    assert [(p.row, p.reason) for p in report.problems] == [
        (1, "no rows left to import: every row was excluded"),
        (2, "lat 'x' is not a number"),
    ]
    assert (report.imported, report.excluded) == (0, 1)


# --- swapped coordinates ---------------------------------------------------------------


def test_lat_out_of_range_looks_swapped(tmp_path):
    path = write(tmp_path, *towns(2), row(2, lat=151.2, lon=-33.9), row(3, lat=95, lon=123))
    _, report = import_accounts(path, exclude_bad_rows=True)
    assert [(p.row, p.reason) for p in report.problems] == [
        (4, "lat 151.2 is outside [-90, 90]; lat and lon look swapped (lat -33.9, lon 151.2 "
         "would fit); accept swaps to read it so"),
        (5, "lat 95 is outside [-90, 90]"),
    ]  # fmt: skip


def test_with_a_bulk_a_swap_must_land_in_it(tmp_path):
    us = [row(i, lat=40 + i / 10, lon=-100 - i) for i in range(12)]
    path = write(tmp_path, *us, row(12, lat=-95.0, lon=41.0), row(13, lat=-95.0, lon=-20.0))
    _, report = import_accounts(path, exclude_bad_rows=True)
    assert [(p.row, p.reason.split(";")[1:2]) for p in report.problems] == [
        (14, [" lat and lon look swapped (lat 41.0, lon -95.0 would fit)"]),
        (15, []),
    ]


def test_a_point_mirrored_into_the_bulk_is_a_warning(tmp_path):
    path = write(tmp_path, *towns(), row(12, lat=8.68, lon=50.11))
    frame, report = import_accounts(path)
    assert where(report) == [(14, "lat", "warning")]
    assert report.problems[0].reason == (
        "lat and lon look swapped: (8.68, 50.11) lies far from the other points and "
        "(50.11, 8.68) among them; accept swaps to read it so"
    )
    assert frame["lat"].iloc[-1] == 8.68


def test_accepting_swaps(tmp_path):
    path = write(tmp_path, *towns(), row(12, lat=8.68, lon=50.11), row(13, lat=13.4, lon=52.5))
    frame, report = import_accounts(path, accept_swaps=True)
    assert report.swaps_applied == 2
    assert frame[["lat", "lon"]].iloc[-2:].to_numpy().tolist() == [[50.11, 8.68], [52.5, 13.4]]
    assert report.problems[0].reason == "lat and lon were swapped: read as lat 50.11, lon 8.68"
    assert report.problems[0].severity == "warning"


def test_swap_rule_on_arrays():
    lat = np.array([lat for lat, _ in TOWNS] + [8.7, 120.0, 10.0])
    lon = np.array([lon for _, lon in TOWNS] + [50.1, 50.0, 10.0])
    certain, probable = looks_swapped(lat, lon)
    assert certain.tolist() == [False] * 12 + [False, False, False]
    assert probable.tolist() == [False] * 12 + [True, False, False]
    box = coordinate_bulk(lat, lon)
    assert box[0] < 47 and box[1] > 55
    few = looks_swapped(np.array([120.0, 52.0]), np.array([50.0, 13.0]))
    assert few[0].tolist() == [True, False] and not few[1].any()


def test_load_accounts_ignores_warnings(tmp_path):
    accounts = load_accounts(write(tmp_path, *towns(), row(12, lat=8.68, lon=50.11)))
    assert len(accounts) == 13


# --- segments --------------------------------------------------------------------------


def test_abc_by_share_exact_counts_ties_in_file_order():
    tam = np.array([5, 50, 10, 10, 10, 1, 0, 0, 100, 20], dtype=float)
    assert segments_by_share(tam, 0.2, 0.3).tolist() == [
        "C", "A", "B", "B", "C", "C", "C", "C", "A", "B",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text, rule",
    [
        ("share:20,30", SegmentRule("share", 0.2, 0.3)),
        ("tam:100000,20000", SegmentRule("thresholds", 100000.0, 20000.0)),
    ],
)
def test_segment_rule_parse(text, rule):
    assert SegmentRule.parse(text) == rule


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: SegmentRule("share", 0.7, 0.5), "add up to at most 1"),
        (lambda: SegmentRule("thresholds", 1, 5), "need A >= B >= 0"),
        (lambda: SegmentRule.parse("top:1"), "is not 'share:A%,B%'"),
    ],
)
def test_bad_segment_rules(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_thresholds():
    rule = SegmentRule("thresholds", 1000, 100)
    assert derive_segments(np.array([5000, 1000, 999, 100, 0]), rule).tolist() == list("AABBC")


def test_missing_segments_are_derived_from_tam(tmp_path):
    rows = [row(i, segment="" if i % 2 else "C") for i in range(10)]
    frame, report = import_accounts(write(tmp_path, *rows), derive_segments=SegmentRule())
    assert report.problems == ()
    assert report.segments_derived == 5
    # TAM grows with the row: the top 20% are the last two accounts (A), the next 30%
    # the three before (B), the rest C; accounts with a segment (every other) keep it.
    assert frame["segment"].tolist() == ["C", "C", "C", "C", "C", "B", "C", "B", "C", "A"]


def test_segment_column_may_be_absent_when_derived(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,name,lat,lon,tam,revenue\nA1,x,1,2,5,0\nA2,y,1,2,9,0\n")
    frame, report = import_accounts(path, derive_segments=SegmentRule("share", 0.5, 0.5))
    assert frame["segment"].tolist() == ["B", "A"]
    _, report = import_accounts(path)
    assert "'segment'" in report.problems[0].reason


# --- the invariant, for any mix of rows and choices ------------------------------------

KINDS_OF_ROW = ["good", "bad_lat", "bad_segment", "blank", "duplicate", "swapped", "negative"]


def make_row(i: int, kind: str) -> list[str]:
    lat, lon = TOWNS[i % len(TOWNS)]
    cells = [f"A{i}", "x", str(lat), str(lon), "A", "10", "1", "", ""]
    if kind == "bad_lat":
        cells[2] = "north"
    elif kind == "bad_segment":
        cells[4] = "Z"
    elif kind == "blank":
        cells = [""] * 9
    elif kind == "duplicate":
        cells[0] = "A0"
    elif kind == "swapped":
        cells[2], cells[3] = str(lon), str(lat)
    elif kind == "negative":
        cells[5] = "-1"
    return cells


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(KINDS_OF_ROW), min_size=0, max_size=25),
    exclude_bad_rows=st.booleans(),
    accept_warnings=st.booleans(),
    accept_swaps=st.booleans(),
    chosen=st.lists(st.tuples(st.integers(0, 24), st.sampled_from(["exclude", "accept"]))),
)
def test_imported_plus_excluded_is_every_row(
    kinds, exclude_bad_rows, accept_warnings, accept_swaps, chosen
):
    raw = pd.DataFrame(
        [make_row(i, k) for i, k in enumerate(kinds)], columns=HEADER.split(","), dtype="str"
    )
    if not kinds:
        raw = pd.DataFrame({c: pd.Series([], dtype="str") for c in HEADER.split(",")})
    choices = {i + 2: c for i, c in chosen if i < len(kinds)}
    frame, report = import_table(
        RawTable(raw, "t.csv"),
        "accounts",
        exclude_bad_rows=exclude_bad_rows,
        accept_warnings=accept_warnings,
        accept_swaps=accept_swaps,
        choices=choices,
    )
    assert report.imported + report.excluded == report.rows_read == len(kinds)
    assert report.imported == len(frame)
    assert sum(report.excluded_because.values()) == report.excluded
    if not report.refused:
        assert len(report.excluded_rows) == report.excluded
        kept = sorted(set(range(2, len(kinds) + 2)) - set(report.excluded_rows))
        assert len(kept) == len(frame)
    else:
        assert frame.empty


# --- issue 12 point 6: a CSV with several ragged lines names every one ------------------


def test_every_ragged_line_is_listed_in_the_report(tmp_path):
    # rows 2-4 fine; 5 an unquoted comma in a name (10 fields); 6 fine; 7 cut short
    # (4 fields); 8 two stray commas (11 fields); 9 fine
    path = write(
        tmp_path, *towns(3), row(3, name="Mayer, Sohn"), row(4), "A5,Short,52.5,13.4",
        row(6) + ",,", row(7),
    )  # fmt: skip
    frame, report = import_accounts(path)
    assert report.refused and frame.empty
    assert where(report) == [(5, None, "error"), (7, None, "error"), (8, None, "error")]
    assert [p.reason.split(";")[0] for p in report.problems] == [
        "the line has 10 fields but the header has 9",
        "the line has 4 fields but the header has 9",
        "the line has 11 fields but the header has 9",
    ]
    frame, report = import_accounts(path, exclude_bad_rows=True)
    assert frame["account_id"].tolist() == ["A0", "A1", "A2", "A4", "A7"]
    assert report.excluded_rows == (5, 7, 8)
    assert len(report.problems) == 3
