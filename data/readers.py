"""Turn an input file into a raw frame of untouched values, or refuse it in one sentence.

Reading and validating are separate steps on purpose: a reader only gets the cells
off the disk (every CSV cell stays a string, so nothing is coerced before
``data.validation`` can say which row is wrong), and a validator only judges
frames. A later reader (Excel, GeoJSON, another encoding, a column mapping) plugs
in through ``READERS`` without touching either side.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from geo.errors import FileUnreadableError

Reader = Callable[[Path], pd.DataFrame]

# How much of a CSV we look at to spot binary data and guess the delimiter.
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = (",", ";", "\t")
_PARSER_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _csv_delimiter(path: Path) -> str:
    """Guess the delimiter from the header line, refusing binary or non-UTF-8 files.

    Spreadsheets in many locales save ``;``-separated "CSV" and some tools save
    tabs; counting the fields each candidate yields on the header line is cheap and,
    unlike counting characters, ignores delimiters inside quoted names.
    """
    with path.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        raise FileUnreadableError(
            f"{path.name} is a zip archive or Excel workbook, not CSV text; "
            "save it as CSV (UTF-8) first."
        )
    if head.startswith(b"PAR1"):
        raise FileUnreadableError(
            f"{path.name} is a Parquet file, not CSV text; give it a .parquet extension."
        )
    if b"\x00" in head:
        raise FileUnreadableError(f"{path.name} contains binary data, not CSV text.")
    try:
        # An incremental decoder tolerates a character cut in half at _SNIFF_BYTES.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise FileUnreadableError(
            f"{path.name} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
            f"offset {exc.start}); save it as CSV (UTF-8)."
        ) from exc
    header = text.splitlines()[0] if text.strip() else ""
    if not header.strip():
        raise FileUnreadableError(f"{path.name} has no header line; the first line is blank.")
    fields = {d: len(next(csv.reader([header], delimiter=d))) for d in _DELIMITERS}
    default = "\t" if path.suffix.lower() == ".tsv" else ","
    best = max(_DELIMITERS, key=lambda d: (fields[d], d == default))
    return best if fields[best] > 1 else default


def _read_csv(path: Path) -> pd.DataFrame:
    """Read delimited text with every cell as a string and the header as row 1.

    ``header=None`` keeps duplicate column names as they are (pandas would rename
    the second ``lat`` to ``lat.1`` and hide the mistake), and
    ``skip_blank_lines=False`` keeps row positions equal to spreadsheet rows, so
    validation can number problems the way the user sees them.
    """
    sep = _csv_delimiter(path)
    try:
        cells = pd.read_csv(
            path,
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except UnicodeDecodeError as exc:
        raise FileUnreadableError(
            f"{path.name} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
            f"offset {exc.start}); save it as CSV (UTF-8)."
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise FileUnreadableError(f"{path.name} has no columns to read.") from exc
    except pd.errors.ParserError as exc:
        found = _PARSER_FIELDS.search(str(exc))
        if found:
            expected, line, saw = found.groups()
            raise FileUnreadableError(
                f"{path.name} line {line} has {saw} fields but the header has {expected}; "
                "check for an unquoted delimiter in a value."
            ) from exc
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unknown error"
        raise FileUnreadableError(f"{path.name} is not valid CSV ({reason}).") from exc
    header = cells.iloc[0].fillna("").astype(str).tolist()
    table = cells.iloc[1:].reset_index(drop=True)
    table.columns = header
    return table


def _read_parquet(path: Path) -> pd.DataFrame:
    """Read Parquet as stored; typed columns are fine, validation checks them anyway.

    An index saved with the data (``df.set_index("account_id").to_parquet()``) comes
    back as a column, so the validator finds every column in one place.
    """
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise FileUnreadableError(
            f"{path.name} is not a readable Parquet file; it may be truncated or in another format."
        ) from exc
    if not isinstance(table.index, pd.RangeIndex):
        table = table.reset_index()
    return table


READERS: dict[str, Reader] = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_csv,
    ".parquet": _read_parquet,
    ".pq": _read_parquet,
}
"""File extension (lower case, with the dot) -> reader; add a format by adding a key."""


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read one input file into a raw frame, picking the reader by extension.

    Returns the cells as found: CSV cells are all strings (``""`` for empty) so
    that no value is coerced before validation can report it; header names are
    stripped because a stray space in ``" lat"`` is invisible in a spreadsheet.
    Row ``i`` of the frame is spreadsheet row ``i + 2``.

    Parameters
    ----------
    path
        A ``.csv``/``.txt``/``.tsv`` file (comma, semicolon or tab separated, UTF-8)
        or a ``.parquet``/``.pq`` file.

    Raises
    ------
    FileUnreadableError
        The file is missing, empty, binary, truncated or not what its extension
        says; the message is one sentence naming the file.
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        got = f"a {path.suffix} file" if path.suffix else "a file without an extension"
        raise FileUnreadableError(f"{path.name} is {got}; Hexalign reads {known}.")
    if not path.exists():
        raise FileUnreadableError(f"{path} does not exist.")
    if not path.is_file():
        raise FileUnreadableError(f"{path} is not a file.")
    try:
        if path.stat().st_size == 0:
            raise FileUnreadableError(f"{path.name} is empty.")
        table = reader(path)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise FileUnreadableError(f"{path.name} cannot be opened ({reason}).") from exc
    table.columns = [str(c).strip() for c in table.columns]
    return table
