"""Every reader, fed random bytes, cut files and odd CSV dialects: a report or one sentence.

Whatever arrives, ``import_file`` either returns a frame and a report (row
problems are never raised) or raises ``FileUnreadableError`` / ``InputError``
whose message is one line naming the file; any other exception is a bug.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.errors import FileUnreadableError, InputError
from data.importing import import_file
from data.readers import READERS
from tests.data.fuzzing import CASES, fuzz

KINDS = ("accounts", "reps")
HEADER = ["account_id", "name", "lat", "lon", "segment", "tam", "revenue", "rep_id"]


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def survives(path: Path, kind: str = "accounts") -> None:
    """Import ``path``: a report, or a one-line sentence naming the file; nothing else."""
    try:
        frame, report = import_file(path, kind)
    except (FileUnreadableError, InputError) as err:
        message = str(err)
        assert message and path.name in message or str(path) in message, message
        assert "Traceback" not in message
        return
    assert report.imported + report.excluded == report.rows_read
    assert len(frame) == report.imported


@given(data=st.binary(max_size=3_000), suffix=st.sampled_from(sorted(READERS)))
@fuzz(max_examples=600)
def test_random_bytes_in_every_format(folder, data, suffix):
    CASES["random bytes, every reader"] += 1
    path = folder / f"random{suffix}"
    path.write_bytes(data)
    survives(path)


@given(
    data=st.binary(min_size=1, max_size=400),
    prefix=st.sampled_from([b"PK\x03\x04", b"PAR1", b"\xef\xbb\xbf", b"\xff\xfe", b"{", b"["]),
    suffix=st.sampled_from(sorted(READERS)),
)
@fuzz(max_examples=300)
def test_random_bytes_behind_a_format_signature(folder, data, prefix, suffix):
    CASES["random bytes behind a signature"] += 1
    path = folder / f"signed{suffix}"
    path.write_bytes(prefix + data)
    survives(path)


def _valid_files(folder: Path) -> dict[str, bytes]:
    """One small valid accounts file per format, as bytes."""
    frame = pd.DataFrame(
        {
            "account_id": ["a1", "a2", "a3"],
            "name": ["Apotheke Müller", 'Say "hi", =1', "Łódź\nNord"],
            "lat": [52.5, 48.1, 51.0],
            "lon": [13.4, 11.6, 19.4],
            "segment": ["A", "B", "C"],
            "tam": [1000.0, 20.5, 3.0],
            "revenue": [10.0, 0.0, 1.0],
        }
    )
    files: dict[str, bytes] = {}
    files[".csv"] = frame.to_csv(index=False).encode()
    path = folder / "valid.xlsx"
    frame.to_excel(path, index=False)
    files[".xlsx"] = path.read_bytes()
    path = folder / "valid.parquet"
    frame.to_parquet(path)
    files[".parquet"] = path.read_bytes()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {k: getattr(r, k) for k in ("account_id", "name", "segment", "tam")},
        }
        for r in frame.itertuples()
    ]
    files[".geojson"] = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return files


@pytest.fixture(scope="module")
def valid_files(folder):
    return _valid_files(folder)


@given(fmt=st.sampled_from([".csv", ".xlsx", ".parquet", ".geojson"]), cut=st.floats(0, 1))
@fuzz(max_examples=300)
def test_truncated_valid_files(folder, valid_files, fmt, cut):
    CASES["truncated valid files"] += 1
    whole = valid_files[fmt]
    path = folder / f"cut{fmt}"
    path.write_bytes(whole[: int(len(whole) * cut)])
    survives(path)


@given(fmt=st.sampled_from([".csv", ".xlsx", ".parquet", ".geojson"]), data=st.data())
@fuzz(max_examples=300)
def test_valid_files_with_flipped_bytes(folder, valid_files, fmt, data):
    CASES["valid files with flipped bytes"] += 1
    whole = bytearray(valid_files[fmt])
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(whole) - 1))
        whole[at] = data.draw(st.integers(0, 255))
    path = folder / f"flipped{fmt}"
    path.write_bytes(bytes(whole))
    survives(path)


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", '"', "'", "=1+1", "-3", "52,5", "1e400", "nan", "NULL", "\r", "\n"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
DIALECT = {
    "quoting": st.sampled_from(
        [csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_NONE]
    ),
    "delimiter": st.sampled_from([",", ";", "\t", "|", " "]),
    "lineterminator": st.sampled_from(["\n", "\r\n", "\r"]),
    "encoding": st.sampled_from(
        ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "cp1250", "latin-1", "ascii"]
    ),
}


@given(
    header=st.lists(st.sampled_from([*HEADER, "Breite", "Länge", "x", ""]), max_size=9),
    rows=st.lists(st.lists(CELL, max_size=10), max_size=12),
    kind=st.sampled_from(KINDS),
    **DIALECT,
)
@fuzz(max_examples=500)
def test_csv_in_random_encodings_delimiters_and_quoting(
    folder, header, rows, kind, quoting, delimiter, lineterminator, encoding
):
    CASES["CSV dialects and encodings"] += 1
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quoting=quoting,
        lineterminator=lineterminator,
        escapechar="\\" if quoting == csv.QUOTE_NONE else None,
    )
    try:
        writer.writerows([header, *rows])
    except csv.Error:
        return  # a dialect that cannot write these cells (QUOTE_NONE and a delimiter inside)
    path = folder / f"dialect{'.tsv' if delimiter == chr(9) else '.csv'}"
    path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
    survives(path, kind)
