"""Turn an input file into a raw frame of untouched values, or refuse it in one sentence.

Reading and validating are separate steps on purpose: a reader only gets the cells
off the disk (every CSV cell stays a string, so nothing is coerced before
``data.validation`` can say which row is wrong), and a validator only judges
frames. A new format plugs in through ``READERS`` without touching either side.

Formats
-------
- CSV/TXT/TSV, comma, semicolon or tab separated (the header line decides). The
  encoding is detected without asking, by this rule: a UTF-16 or UTF-8 byte-order
  mark decides; else a file whose every byte decodes as UTF-8 is UTF-8; else it is a
  legacy code page, and each word holding non-ASCII bytes is decoded as
  Windows-1250 (Central Europe) and as Windows-1252 (Western Europe) and scored by
  how many of its accented letters belong to one language's alphabet (Polish,
  Czech, Slovak, Hungarian, Romanian; German, French, Dutch, Spanish, Nordic...)
  minus those that do not. The higher total wins; ties go to Windows-1252 (German
  umlauts are the same bytes in both, so a German file decodes the same either
  way). Windows-1252 gives way to Latin-1 when the file holds bytes 1252 leaves
  undefined. ``£ódŸ`` scores below ``Łódź``, ``Dvoøák`` below ``Dvořák``.
- Excel ``.xlsx``: the first sheet, the one named by ``sheet=``, or (given the kind
  of input) the sheet whose header best matches it. The header need not be on row
  1: of the first ``HEADER_SEARCH_ROWS`` rows, the one with the most recognised
  column names is the header, and row numbers stay the sheet's own. Text comes with
  OOXML's ``_xHHHH_`` escapes undone (Excel writes a carriage return as ``_x000D_``). Numbers in
  cells stay numbers. The zip is checked before openpyxl opens it: a workbook
  claiming to unpack to more than ``MAX_UNZIPPED_BYTES`` is refused at once, and
  every member is then inflated as a stream against that budget, counting the
  bytes that really come out and a sheet's rows and cells as they stream by
  (constant memory); a budget passed refuses the file at once. While openpyxl
  reads, a sheet of more than ``MAX_SHEET_ROWS`` rows or ``MAX_SHEET_CELLS``
  cells (rows times their width) is refused as soon as it gets there.
- Parquet: typed columns as stored.
- GeoJSON (``.geojson``, ``.json``): one row per feature (row = feature index + 2),
  ``lat``/``lon`` from Point geometries, properties as columns.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import os
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa

from common.errors import FileUnreadableError, RowProblem
from data.formulas import workbook_unescape
from data.mapping import header_score, known_names, normalise_name, suggest_mapping

Progress = Callable[[float, str], None]
"""``progress(fraction, message)``: fraction of the work done in [0, 1]."""

MAX_FILE_BYTES = 500 * 1024**2
"""Default size limit of an input file; raise it per call with ``max_bytes``."""
MAX_UNZIPPED_BYTES = 1024**3
"""Default limit of what an ``.xlsx`` may unpack to: the sum its zip directory declares, and
the bytes inflating its members really gives."""
MAX_SHEET_ROWS = 1_048_576
"""Rows a sheet may have (Excel's own limit); reading stops and refuses past it."""
MAX_SHEET_CELLS = 20_000_000
"""Cells (rows times their width) a sheet may have; bounds the memory of what is read."""
MAX_PART_BYTES = 256 * 1024**2
"""What a workbook part other than a sheet (shared strings, styles) may unpack to."""
MAX_TEXT_BYTES = 1024**2
"""Longest text between two tags of a workbook part (an Excel cell holds 32,767 characters)."""
HEADER_SEARCH_ROWS = 20
"""Rows of a sheet searched for the header below a title block."""
CSV_CHUNK_ROWS = 200_000

# How much of a CSV we look at to spot binary data and guess the delimiter.
_SNIFF_BYTES = 64 * 1024
_SCAN_BLOCK = 1024 * 1024
_INFLATE_BLOCK = 1024 * 1024
_DELIMITERS = (",", ";", "\t")
_PARSER_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
# Decimal mark suggested by the delimiter: spreadsheets save ";" where "," is the
# decimal mark, and "," only where it is not.
_DECIMAL_BY_DELIMITER = {";": ",", ",": "."}


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may need besides the path."""

    sheet: str | None = None
    kind: str | None = None
    header_names: frozenset[str] = field(default_factory=frozenset)
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
    progress: Progress | None = None


@dataclass(frozen=True)
class RawTable:
    """The cells of one input file and what the reader learnt about it.

    Row ``i`` of ``frame`` is spreadsheet row ``header_row + 1 + i``.
    """

    frame: pd.DataFrame
    source: str
    header_row: int = 1
    row_label: str = "row"
    """``"feature"`` for GeoJSON, where reasons name the feature index."""
    encoding: str | None = None
    delimiter: str | None = None
    decimal_hint: str | None = None
    """``","`` or ``"."`` when the file's layout suggests a decimal mark."""
    sheet: str | None = None
    problems: tuple[RowProblem, ...] = ()
    """Row problems met while reading (a GeoJSON feature that is not a Point)."""

    @property
    def first_row(self) -> int:
        """Spreadsheet row number of ``frame.iloc[0]``."""
        return self.header_row + 1


Reader = Callable[[Path, ReadOptions], RawTable]


# --- encodings -------------------------------------------------------------------------

# Accented letters per language, lower case; a word scores by the best single language.
_ALPHABETS = {
    "cp1250": {
        "pl": "ąćęłńóśźż",
        "cs": "áčďéěíňóřšťúůýž",
        "sk": "áäčďéíĺľňóôŕšťúýž",
        "hu": "áéíóöőúüű",
        "sl": "čćđšž",
        "ro": "ăâîşţ",
        "de": "äöüß",
    },
    "cp1252": {
        "de": "äöüß",
        "fr": "àâæçéèêëîïôœùûüÿ",
        "nl": "áéèëïóöüú",
        "es": "áéíóúñü",
        "pt": "áâãàçéêíóôõú",
        "it": "àèéìíòóù",
        "nordic": "æøåäö",
    },
}
_ALPHABETS["latin-1"] = _ALPHABETS["cp1252"]
_PREFERENCE = ("cp1252", "latin-1", "cp1250")  # tie order
_HIGH = re.compile(rb"[\x80-\xff]+")
_LETTERS_BEFORE = re.compile(rb"[A-Za-z\x80-\xff]*\Z")
_LETTERS_AFTER = re.compile(rb"[A-Za-z\x80-\xff]*")
_ASCII_LETTER = re.compile(rb"[A-Za-z]")
_WORDS_PER_BLOCK = 2_000  # a sample from every block: cheap, and rare letters still count


def _utf8_failure(path: Path) -> UnicodeDecodeError | None:
    """The first UTF-8 error of the whole file, streamed, or ``None`` when it is clean."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as f:
        while block := f.read(_SCAN_BLOCK):
            try:
                decoder.decode(block, final=False)
            except UnicodeDecodeError as exc:
                exc.start += offset
                return exc
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            exc.start += offset
            return exc
    return None


def _word_score(word: str, alphabets: Mapping[str, str]) -> int:
    """Accented letters of ``word`` in its best-fitting alphabet minus all others."""
    accented = [c.lower() for c in word if ord(c) > 127]
    best = max(sum(c in letters for c in accented) for letters in alphabets.values())
    return 2 * best - len(accented)


def _words_with_high_bytes(block: bytes) -> Iterator[bytes]:
    """Up to ``_WORDS_PER_BLOCK`` words of ``block`` holding bytes above 0x7f."""
    if block.isascii():
        return
    end = 0
    for k, run in enumerate(_HIGH.finditer(block)):
        if k >= _WORDS_PER_BLOCK:
            return
        start, stop = run.span()
        if start < end:  # another accented letter of the word just taken
            continue
        left = _LETTERS_BEFORE.search(block, max(0, start - 40), start)
        right = _LETTERS_AFTER.match(block, stop, stop + 40)
        # both patterns match the empty string, so they always match
        assert left is not None and right is not None
        yield block[left.start() : right.end()]


def _legacy_encoding(path: Path) -> str:
    """Choose Windows-1250, Windows-1252 or Latin-1 for a file that is not UTF-8."""
    valid = {"cp1250": True, "cp1252": True}
    counted: Counter[bytes] = Counter()
    with path.open("rb") as f:
        while block := f.read(_SCAN_BLOCK):
            for name in valid:
                if valid[name]:
                    try:
                        block.decode(name)
                    except UnicodeDecodeError:
                        valid[name] = False
            counted.update(_words_with_high_bytes(block))
    words = {w: n for w, n in counted.items() if _ASCII_LETTER.search(w)}
    candidates = [name for name in ("cp1250", "cp1252") if valid[name]]
    if not valid["cp1252"]:
        candidates.append("latin-1")
    scores = {
        name: sum(
            count * _word_score(word.decode(name), _ALPHABETS[name])
            for word, count in words.items()
        )
        for name in candidates
    }
    return max(candidates, key=lambda name: (scores[name], -_PREFERENCE.index(name)))


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """The text encoding of a CSV file, by the rule in the module docstring.

    Returns
    -------
    str
        A Python codec name: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1250``,
        ``cp1252`` or ``latin-1``.
    """
    path = Path(path)
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    failure = _utf8_failure(path)
    if failure is None:
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    if head.startswith(codecs.BOM_UTF8):
        raise FileUnreadableError(
            f"{path.name} starts with a UTF-8 mark but byte {failure.object[failure.start]:#04x} "
            f"at offset {failure.start} is not UTF-8; save it again as CSV (UTF-8)."
        )
    return _legacy_encoding(path)


# --- CSV -------------------------------------------------------------------------------


def _csv_layout(path: Path) -> tuple[str, str]:
    """Encoding and delimiter, refusing binary data and files that are not CSV text.

    The delimiter is the candidate giving the most fields on the header line;
    unlike counting characters, that ignores delimiters inside quoted names.
    """
    with path.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        raise FileUnreadableError(
            f"{path.name} is a zip archive or Excel workbook, not CSV text; "
            "give an Excel workbook the .xlsx extension, or save it as CSV."
        )
    if head.startswith(b"PAR1"):
        raise FileUnreadableError(
            f"{path.name} is a Parquet file, not CSV text; give it a .parquet extension."
        )
    is_utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not is_utf16:
        raise FileUnreadableError(f"{path.name} contains binary data, not CSV text.")
    encoding = detect_encoding(path)
    # An incremental decoder tolerates a character cut in half at _SNIFF_BYTES.
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    controls = sum(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text)
    if controls > max(8, len(text) / 100):
        raise FileUnreadableError(f"{path.name} contains binary data, not CSV text.")
    header = text.splitlines()[0] if text.strip() else ""
    if not header.strip():
        raise FileUnreadableError(f"{path.name} has no header line; the first line is blank.")
    fields = {d: len(next(csv.reader([header], delimiter=d))) for d in _DELIMITERS}
    default = "\t" if path.suffix.lower() == ".tsv" else ","
    best = max(_DELIMITERS, key=lambda d: (fields[d], d == default))
    return encoding, best if fields[best] > 1 else default


def _csv_cells(
    path: Path, encoding: str, sep: str, options: ReadOptions, width: int | None = None
) -> pd.DataFrame:
    """Every cell of a CSV as a string, the header line as row 0, read in chunks.

    ``width`` (the most fields any line has) lets lines longer than the header
    through, so that each can be named; without it pandas stops at the first.
    """
    size = max(path.stat().st_size, 1)
    chunks = []
    with path.open("rb") as f:
        reader = pd.read_csv(
            f,
            sep=sep,
            header=None,
            names=None if width is None else list(range(width)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding=encoding,
            chunksize=CSV_CHUNK_ROWS,
        )
        for chunk in reader:
            chunks.append(chunk)
            if options.progress is not None:
                done = min(f.tell() / size, 1.0)
                options.progress(done, f"reading {path.name}: {done:.0%}")
    if not chunks:
        raise FileUnreadableError(f"{path.name} has no columns to read.")
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


@dataclass(frozen=True)
class _Ragged:
    """Lines of a CSV whose number of fields differs from the header's (issue 12 point 6)."""

    header_fields: int
    counts: dict[int, int]
    """Record index (0 = the header) -> fields on that line, for every ragged line."""

    @property
    def widest(self) -> int:
        """The most fields any line has."""
        return max([self.header_fields, *self.counts.values()])


def _ragged_lines(path: Path, encoding: str, sep: str) -> _Ragged | None:
    """Every line with more fields than the header, or fewer than its named columns.

    One pass of the ``csv`` module (about a quarter of pandas' reading time),
    counting records as pandas does with ``skip_blank_lines=False``, so record
    ``i`` is spreadsheet row ``i + 1``. A blank line is not ragged (validation
    calls it blank); a line may stop after the last named column (a header
    ``a,b,c,`` with lines ``1,2,3``). ``None`` when the module cannot read the
    file (a field over its size limit, a byte the encoding refuses): the caller
    keeps pandas' own verdict.
    """
    counts: dict[int, int] = {}
    try:
        with path.open(encoding=encoding, newline="") as f:
            records = csv.reader(f, delimiter=sep)
            header = next(records, [])
            named = max((i + 1 for i, name in enumerate(header) if name.strip()), default=0)
            for i, record in enumerate(records, start=1):
                n = len(record)
                if n > len(header) or (n < named and (n > 1 or (n == 1 and record[0].strip()))):
                    counts[i] = n
    except (csv.Error, UnicodeError, ValueError):
        return None
    return _Ragged(len(header), counts)


def _ragged_problems(ragged: _Ragged) -> tuple[RowProblem, ...]:
    """One problem per ragged line, on its spreadsheet row."""
    out = []
    for i, n in sorted(ragged.counts.items()):
        hint = (
            "check for an unquoted delimiter in a value"
            if n > ragged.header_fields
            else "a value may hold an unquoted line break, or the line was cut short"
        )
        out.append(
            RowProblem(
                i + 1,
                None,
                f"the line has {n} fields but the header has {ragged.header_fields}; {hint}",
            )
        )
    return tuple(out)


def _read_csv(path: Path, options: ReadOptions) -> RawTable:
    """Read delimited text in chunks, every cell a string, the header as row 1.

    ``header=None`` keeps duplicate column names as they are (pandas would rename
    the second ``lat`` to ``lat.1`` and hide the mistake), and
    ``skip_blank_lines=False`` keeps row positions equal to spreadsheet rows, so
    validation can number problems the way the user sees them. Chunks bound the
    parser's working memory and let a long read report progress.

    Lines with more or fewer fields than the header are not a reason to refuse
    the file: each becomes a problem of its row in ``RawTable.problems`` (an
    error, so the row is refused or excluded), and the rest of the file is
    checked as usual, so that the report names every such line at once (issue
    12 point 6). A longer line keeps its first fields; a shorter one is padded
    with empty cells.
    """
    encoding, sep = _csv_layout(path)
    ragged: _Ragged | None = None
    try:
        try:
            cells = _csv_cells(path, encoding, sep, options)
        except pd.errors.ParserError as exc:
            # a line longer than the header: find them all, then read every field
            ragged = _ragged_lines(path, encoding, sep) if _PARSER_FIELDS.search(str(exc)) else None
            if ragged is None or not ragged.counts:
                raise
            cells = _csv_cells(path, encoding, sep, options, width=ragged.widest)
            cells = cells.iloc[:, : ragged.header_fields]
    except UnicodeDecodeError as exc:
        raise FileUnreadableError(
            f"{path.name} is not {encoding} text throughout (byte "
            f"{exc.object[exc.start]:#04x}); save it as CSV (UTF-8)."
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
    if ragged is None and len(cells) > 1 and (cells.iloc[1:, -1] == "").to_numpy().any():
        # pandas pads a short line with "" as if the fields were empty: only a
        # line whose last cell is empty may be short, so only then look closer
        ragged = _ragged_lines(path, encoding, sep)
    header = cells.iloc[0].fillna("").astype(str).tolist()
    table = cells.iloc[1:].reset_index(drop=True)
    table.columns = header
    return RawTable(
        table,
        path.name,
        encoding=encoding,
        delimiter=sep,
        decimal_hint=_DECIMAL_BY_DELIMITER.get(sep),
        problems=() if ragged is None else _ragged_problems(ragged),
    )


# --- Parquet ---------------------------------------------------------------------------


def _read_parquet(path: Path, options: ReadOptions) -> RawTable:
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
    return RawTable(table, path.name)


# --- Excel -----------------------------------------------------------------------------


def _size_text(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError  # pragma: no cover


def _check_workbook_zip(path: Path, limit: int) -> None:
    """Refuse what is not an .xlsx, or what unpacks to an absurd size.

    The sum of the sizes the zip directory declares is checked first (free);
    then every member is inflated as a stream, a block at a time, and the bytes
    that really come out are counted against ``limit``: a directory may
    understate what a member holds, and a workbook declaring just under the
    limit would otherwise cost openpyxl minutes and gigabytes. Memory stays at
    one block; the time is that of inflating at most ``limit`` bytes.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > limit:
                raise FileUnreadableError(
                    f"{path.name} would unpack to {_size_text(unpacked)}, more than the "
                    f"{_size_text(limit)} Hexalign accepts from a workbook; it may be a zip bomb."
                )
            if not any(m.filename == "xl/workbook.xml" for m in members):
                raise FileUnreadableError(
                    f"{path.name} is a zip archive but not an Excel workbook (no xl/workbook.xml)."
                )
            _inflate_within(archive, members, path.name, limit)
    except FileUnreadableError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise FileUnreadableError(
            f"{path.name} is not an Excel workbook (an .xlsx is a zip archive, and this is "
            "not one, or it is truncated)."
        ) from exc
    except (zlib.error, NotImplementedError, RuntimeError, ValueError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression
        raise FileUnreadableError(
            f"{path.name} is a damaged or encrypted Excel workbook ({exc})."
        ) from exc


def _inflate_within(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], name: str, limit: int
) -> None:
    """Inflate every member as a stream and refuse as soon as a budget is passed.

    Budgets, counted on the bytes that really come out, a block at a time:
    ``limit`` for the whole archive, ``MAX_PART_BYTES`` for a part that is not
    a sheet (shared strings, styles: openpyxl holds those in memory),
    ``MAX_SHEET_ROWS`` and ``MAX_SHEET_CELLS`` per sheet (its ``<row`` and
    ``<c`` tags, counted by ``bytes.count``; a tag cut by a block boundary may be
    missed, which the budgets' size makes immaterial), and ``MAX_TEXT_BYTES``
    between two tags (Excel holds at most 32,767 characters in a cell).
    """
    total = 0
    for member in members:
        is_sheet = member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
        part_limit = limit if is_sheet else MAX_PART_BYTES
        part = rows = cells = run = 0
        with archive.open(member) as stream:
            while block := stream.read(_INFLATE_BLOCK):
                total += len(block)
                part += len(block)
                if total > limit or part > part_limit:
                    over = limit if total > limit else part_limit
                    raise FileUnreadableError(
                        f"{name} unpacks to more than the {_size_text(over)} Hexalign accepts "
                        f"from a workbook (stopped in {member.filename}); it may be a zip bomb."
                    )
                first = block.find(b"<")
                run += len(block) if first < 0 else first
                if run > MAX_TEXT_BYTES:
                    raise FileUnreadableError(
                        f"{name} holds a text of more than {_size_text(MAX_TEXT_BYTES)} in "
                        f"{member.filename}, beyond the 32,767 characters of an Excel cell; "
                        "it may be a zip bomb."
                    )
                if first >= 0:
                    run = len(block) - block.rfind(b"<") - 1
                if is_sheet:
                    rows += block.count(b"<row") + block.count(b":row ")
                    cells += block.count(b"<c ") + block.count(b"<c>") + block.count(b":c ")
                    if rows > MAX_SHEET_ROWS or cells > MAX_SHEET_CELLS:
                        raise FileUnreadableError(_too_many_rows(name, member.filename))


def _too_many_rows(name: str, sheet: str) -> str:
    return (
        f"{name} sheet {sheet!r} holds more than {MAX_SHEET_ROWS:,} rows or "
        f"{MAX_SHEET_CELLS:,} cells, more than Hexalign reads from a workbook; "
        "split it or save it as CSV."
    )


def _rows_within(sheet, name: str, title: str) -> list[tuple]:
    """The sheet's rows, refused as soon as they pass ``MAX_SHEET_ROWS`` or ``MAX_SHEET_CELLS``."""
    rows: list[tuple] = []
    cells = 0
    for row in sheet.iter_rows(values_only=True):
        rows.append(tuple(row))
        cells += len(row)
        if len(rows) > MAX_SHEET_ROWS or cells > MAX_SHEET_CELLS:
            raise FileUnreadableError(_too_many_rows(name, title))
    return rows


def _header_position(rows: list[tuple], names: frozenset[str]) -> int:
    """Index of the header among the first rows: most recognised names, else first non-empty."""
    scores = [header_score(row, names) for row in rows[:HEADER_SEARCH_ROWS]]
    if scores and max(scores) >= 2:
        return scores.index(max(scores))
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(_filled(v) for v in row):
            return i
    return 0


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _sheet_column(values: list) -> pd.Series:
    """One column of a sheet: numbers stay numbers, empty cells become ``""`` or NaN.

    A column of integers becomes ``Int64`` (ids such as 1001 must not read as
    ``1001.0``); a column of numbers ``float64``; anything mixed stays ``object``
    with each cell as Excel gave it, so validation reads numbers as numbers and
    judges only the text.
    """
    present = [v for v in values if v is not None]
    number = (int, float)
    if present and all(isinstance(v, number) and not isinstance(v, bool) for v in present):
        if all(isinstance(v, int) for v in present):
            return pd.Series(values, dtype="Int64")
        return pd.Series([math.nan if v is None else v for v in values], dtype="float64")
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series([False if v is None else v for v in values], dtype=bool)
    return pd.Series(["" if v is None else v for v in values], dtype=object)


def _read_xlsx(path: Path, options: ReadOptions) -> RawTable:
    """Read one sheet of a workbook, finding the header row below any title block."""
    import openpyxl  # heavy; only workbooks need it

    _check_workbook_zip(path, options.max_unzipped_bytes)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise FileUnreadableError(
            f"{path.name} is not a readable Excel workbook ({type(exc).__name__}); "
            "it may be damaged or password-protected."
        ) from exc
    try:
        names = book.sheetnames
        if options.sheet is not None:
            if options.sheet not in names:
                listed = ", ".join(repr(n) for n in names)
                raise FileUnreadableError(
                    f"{path.name} has no sheet {options.sheet!r}; its sheets are {listed}."
                )
            chosen = options.sheet
        else:
            chosen = _best_sheet(book, names, options)
        try:
            sheet = book[chosen]
            sheet.reset_dimensions()  # some writers declare a wrong used range
            rows = _rows_within(sheet, path.name, chosen)
        except FileUnreadableError:
            raise
        except Exception as exc:
            raise FileUnreadableError(
                f"{path.name} sheet {chosen!r} cannot be read ({type(exc).__name__}); "
                "the workbook may be damaged."
            ) from exc
    finally:
        book.close()
    while rows and not any(_filled(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise FileUnreadableError(f"{path.name} sheet {chosen!r} is empty.")
    top = _header_position(rows, options.header_names)
    width = max(len(r) for r in rows)
    grid = [tuple(r) + (None,) * (width - len(r)) for r in rows[top:]]
    header, body = grid[0], grid[1:]
    keep = [j for j in range(width) if _filled(header[j]) or any(_filled(r[j]) for r in body)]
    frame = pd.DataFrame(
        {i: _sheet_column([workbook_unescape(r[j]) for r in body]) for i, j in enumerate(keep)},
        index=pd.RangeIndex(len(body)),
    )
    columns = ["" if header[j] is None else str(workbook_unescape(header[j])) for j in keep]
    frame.columns = columns
    if options.progress is not None:
        options.progress(1.0, f"read {path.name} sheet {chosen!r}")
    return RawTable(frame, path.name, header_row=top + 1, sheet=chosen)


def _best_sheet(book, names: list[str], options: ReadOptions) -> str:
    """The first sheet, or for a known kind the sheet whose header fits it best."""
    kind = options.kind
    if kind is None or len(names) == 1:
        return names[0]

    def fit(name: str) -> int:
        rows = [
            tuple(r) for r in book[name].iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
        ]
        best = 0
        for row in rows:
            cells = [str(v) for v in row if isinstance(v, str) and v.strip()]
            best = max(best, len(suggest_mapping(cells, kind)))
        return best

    scores = [fit(name) for name in names]
    return names[scores.index(max(scores))]


# --- GeoJSON ---------------------------------------------------------------------------


def _read_geojson(path: Path, options: ReadOptions) -> RawTable:
    """One row per feature: properties as columns, ``lat``/``lon`` from a Point geometry.

    A feature without a Point keeps its row (empty coordinates) and a row problem
    saying what it has instead, so nothing is silently dropped.
    """
    try:
        content = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileUnreadableError(
            f"{path.name} is not valid JSON ({exc}); it may be truncated."
        ) from exc
    if not isinstance(content, dict) or content.get("type") != "FeatureCollection":
        raise FileUnreadableError(
            f"{path.name} is JSON but not a GeoJSON FeatureCollection of point features."
        )
    features = content.get("features")
    if not isinstance(features, list):
        raise FileUnreadableError(f"{path.name} is a FeatureCollection without a features list.")
    records: list[dict] = []
    problems: list[RowProblem] = []
    for i, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        record = {
            str(k): v
            for k, v in (props.items() if isinstance(props, dict) else ())
            if k not in ("lat", "lon")
        }
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        point, why = _point(geometry)
        if why:
            problems.append(RowProblem(i + 2, "lat", f"feature {i}: {why}"))
        record["lat"], record["lon"] = (point[1], point[0]) if point else (None, None)
        records.append(record)
    columns = list(dict.fromkeys(k for r in records for k in r))
    if not columns:
        columns = ["lat", "lon"]
    frame = pd.DataFrame(
        {c: _sheet_column([r.get(c) for r in records]) for c in columns},
        index=pd.RangeIndex(len(records)),
    )
    return RawTable(frame, path.name, row_label="feature", problems=tuple(problems))


def _point(geometry: object) -> tuple[tuple | None, str | None]:
    """``(lon, lat)`` of a Point (or single-point MultiPoint) and why not otherwise."""
    if geometry is None:
        return None, "the feature has no geometry; a Point carries the coordinates"
    if not isinstance(geometry, dict):
        return None, "the geometry is not a GeoJSON object"
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "MultiPoint" and isinstance(coords, list) and len(coords) == 1:
        kind, coords = "Point", coords[0]
    if kind != "Point":
        return None, f"the geometry is a {kind}, not a Point"
    if not isinstance(coords, list) or len(coords) < 2:
        return None, "the Point has no [lon, lat] coordinates"
    return (coords[0], coords[1]), None


READERS: dict[str, Reader] = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_csv,
    ".parquet": _read_parquet,
    ".pq": _read_parquet,
    ".xlsx": _read_xlsx,
    ".xlsm": _read_xlsx,
    ".geojson": _read_geojson,
    ".json": _read_geojson,
}
"""File extension (lower case, with the dot) -> reader; add a format by adding a key."""

_HINTS = {
    ".xls": "an old-style .xls workbook; save it as .xlsx (Excel Workbook) or CSV",
    ".ods": "an OpenDocument spreadsheet; save it as .xlsx or CSV",
    ".zip": "a zip archive; unpack it and give the file inside",
}


def read_raw(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    kind: str | None = None,
    mapping: Mapping | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    progress: Progress | None = None,
) -> RawTable:
    """Read one input file into a ``RawTable``, picking the reader by extension.

    Cells come as found: CSV cells are all strings (``""`` for empty) so that no
    value is coerced before validation can report it; header names are stripped
    because a stray space in ``" lat"`` is invisible in a spreadsheet.

    Parameters
    ----------
    sheet
        Sheet of a workbook; ignored for other formats.
    kind
        ``"accounts"``, ``"reps"`` or ``"call_plan"``; picks the best-fitting sheet
        of a workbook when ``sheet`` is not given.
    mapping
        A column mapping (see ``data.mapping``); its column names also count as
        recognised when searching a sheet for its header row.
    max_bytes, max_unzipped_bytes
        Size limits of the file and of what a workbook may unpack to.
    progress
        Called as ``progress(fraction, message)`` while reading.

    Raises
    ------
    FileUnreadableError
        The file is missing, empty, too big, binary, truncated or not what its
        extension says; the message is one sentence naming the file.
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        got = f"a {path.suffix} file" if path.suffix else "a file without an extension"
        hint = _HINTS.get(path.suffix.lower())
        if hint:
            raise FileUnreadableError(f"{path.name} is {hint}.")
        raise FileUnreadableError(f"{path.name} is {got}; Hexalign reads {known}.")
    if not path.exists():
        raise FileUnreadableError(f"{path} does not exist.")
    if not path.is_file():
        raise FileUnreadableError(f"{path} is not a file.")
    names = known_names() | _mapping_names(mapping)
    options = ReadOptions(sheet, kind, names, max_unzipped_bytes, progress)
    try:
        size = path.stat().st_size
        if size == 0:
            raise FileUnreadableError(f"{path.name} is empty.")
        if size > max_bytes:
            raise FileUnreadableError(
                f"{path.name} is {_size_text(size)}, more than the {_size_text(max_bytes)} "
                "Hexalign reads; split it or raise the limit."
            )
        raw = reader(path, options)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise FileUnreadableError(f"{path.name} cannot be opened ({reason}).") from exc
    if isinstance(raw, pd.DataFrame):  # a plain reader added to READERS
        raw = RawTable(raw, path.name)
    frame = raw.frame
    stripped = [str(c).strip() for c in frame.columns]
    if stripped != list(frame.columns):
        frame = frame.set_axis(stripped, axis=1)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        frame = frame.reset_index(drop=True)
    return replace(raw, frame=frame)


def _mapping_names(mapping: Mapping | None) -> frozenset[str]:
    """Normalised column names a mapping (flat or split by kind) mentions."""
    if not mapping:
        return frozenset()
    names: set[str] = set()
    for key, value in mapping.items():
        entries = value.keys() if isinstance(value, Mapping) else [key]
        names.update(normalise_name(k) for k in entries)
    return frozenset(names)


def read_table(path: str | os.PathLike[str], **options) -> pd.DataFrame:
    """Read one input file into a raw frame; ``read_raw`` without the metadata.

    Row ``i`` of the frame is spreadsheet row ``i + 2`` unless a workbook's header
    sits lower (``read_raw`` says where). Keyword options are those of
    ``read_raw``.
    """
    return read_raw(path, **options).frame
