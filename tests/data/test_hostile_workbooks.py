"""A small workbook that unpacks to gigabytes is refused within seconds and little memory.

The hostile workbook is written here without a spreadsheet program: a zip whose
``xl/worksheets/sheet1.xml`` is one megabyte of rows deflated once and repeated
(a deflate stream flushed with ``Z_FULL_FLUSH`` restarts with no history, so
the same input gives the same bytes each time). The file is a few megabytes
and declares, honestly, 900 MB of sheet XML (14 million rows): under the 1 GB
the zip directory check lets through (2 GB before), and minutes and gigabytes
for openpyxl. The rows counted while the sheet streams by refuse it.
"""

from __future__ import annotations

import resource
import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook

from common.errors import FileUnreadableError
from data import readers
from data.readers import MAX_UNZIPPED_BYTES, read_raw

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Accounts" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row><c t="inlineStr"><is><t>account_id</t></is></c><c t="inlineStr"><is><t>lat</t></is></c>'
    b"</row>"
)
ROW = b'<row><c t="inlineStr"><is><t>a</t></is></c><c><v>48.1</v></c></row>'
SHEET_TAIL = b"</sheetData></worksheet>"


def _member(name: str, data: bytes, crc: int, size: int, offset: int) -> tuple[bytes, bytes]:
    """Local header + deflated data, and the central directory entry (no zip64: size < 4 GB)."""
    raw = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
        len(raw), 0, 0, 0, 0, 0, offset,
    )  # fmt: skip
    return local + raw + data, central + raw


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def hostile_workbook(path: Path, sheet_bytes: int) -> int:
    """Write an .xlsx whose one sheet inflates to about ``sheet_bytes``; returns the exact size."""
    block = ROW * ((1 << 20) // len(ROW))
    repeats = (sheet_bytes - len(SHEET_HEAD) - len(SHEET_TAIL)) // len(block)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(SHEET_HEAD) + c.flush(zlib.Z_FULL_FLUSH)
    body = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert again == body  # no history across a full flush: the same bytes every time
    deflated = head + body * repeats + c.compress(SHEET_TAIL) + c.flush()
    crc = zlib.crc32(SHEET_HEAD)
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(SHEET_TAIL, crc)
    size = len(SHEET_HEAD) + repeats * len(block) + len(SHEET_TAIL)
    parts = [
        (name, _deflate(text.encode()), zlib.crc32(text.encode()), len(text.encode()))
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        )
    ] + [("xl/worksheets/sheet1.xml", deflated, crc, size)]
    out, directory = b"", b""
    for name, data, member_crc, member_size in parts:
        local, central = _member(name, data, member_crc, member_size, len(out))
        out += local
        directory += central
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory),
                      len(out), 0)  # fmt: skip
    path.write_bytes(out + directory + end)
    return size


def test_the_hostile_workbook_is_a_real_workbook_when_small(tmp_path):
    """The same construction at 3 MB reads as a sheet: the refusal below is for its size only."""
    path = tmp_path / "small.xlsx"
    size = hostile_workbook(path, 3 * 1024 * 1024)
    raw = read_raw(path)
    assert list(raw.frame.columns) == ["account_id", "lat"]
    assert len(raw.frame) == (size - len(SHEET_HEAD) - len(SHEET_TAIL)) // len(ROW) == 31_300
    assert raw.frame["lat"].iloc[-1] == 48.1


def test_a_workbook_declaring_gigabytes_is_refused_in_seconds_and_little_memory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    declared = hostile_workbook(path, 900 * 1024 * 1024)
    assert path.stat().st_size < 8 * 1024 * 1024  # a small file
    assert declared < MAX_UNZIPPED_BYTES  # passes the declared-size check
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(FileUnreadableError) as err:
            read_raw(path, kind="accounts")
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert str(err.value) == (
        "bomb.xlsx sheet 'xl/worksheets/sheet1.xml' holds more than 1,048,576 rows or "
        "20,000,000 cells, more than Hexalign reads from a workbook; split it or save it as CSV."
    )
    print(
        f"\nhostile workbook: {path.stat().st_size / 1024**2:.1f} MB file declaring "
        f"{declared / 1024**2:,.0f} MB ({declared // len(ROW):,} rows) refused in {seconds:.1f} s, Python peak "
        f"{peak / 1024**2:.1f} MB, max RSS growth {(rss_after - rss_before) / 1024:.0f} MB"
    )
    assert seconds < 20
    assert peak < 64 * 1024 * 1024
    assert rss_after - rss_before < 300 * 1024  # ru_maxrss is in KB on Linux


def test_openpyxl_stops_reading_once_the_rows_pass_the_budget(tmp_path, monkeypatch):
    """The second line of defence: rows counted while openpyxl reads (the scan let them by)."""
    path = tmp_path / "rows.xlsx"
    hostile_workbook(path, 2 * 1024 * 1024)
    monkeypatch.setattr(readers, "_inflate_within", lambda *args: None)
    monkeypatch.setattr(readers, "MAX_SHEET_ROWS", 1_000)
    with pytest.raises(FileUnreadableError, match=r"sheet 'Accounts' holds more than 1,000 rows"):
        read_raw(path)


def test_a_part_other_than_a_sheet_has_its_own_budget(tmp_path, monkeypatch):
    path = tmp_path / "theme.xlsx"
    book = Workbook()
    book.active.append(["account_id", "name"])
    book.save(path)
    with zipfile.ZipFile(path) as z:
        theme = z.getinfo("xl/theme/theme1.xml").file_size
    monkeypatch.setattr(readers, "MAX_PART_BYTES", theme - 1)
    with pytest.raises(FileUnreadableError, match=r"Hexalign accepts from a workbook \(stopped "
                       r"in xl/theme/theme1.xml\); it may be a zip bomb"):  # fmt: skip
        read_raw(path)


def test_a_text_longer_than_any_excel_cell_is_refused_while_streaming(tmp_path):
    path = tmp_path / "long.xlsx"
    book = Workbook()
    book.active.append(["account_id", "name"])
    book.active.append(["a1", "x" * 30_000])  # Excel's own cells stop at 32,767
    book.save(path)
    assert len(read_raw(path).frame["name"].iloc[0]) == 30_000
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"x" * 30_000, b"x" * (3 * 1024 * 1024))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    with pytest.raises(FileUnreadableError, match=r"holds a text of more than 1.0 MB in "
                       r"xl/worksheets/sheet1.xml"):  # fmt: skip
        read_raw(path)


def test_a_sheet_of_wide_rows_is_refused_once_its_cells_pass_the_budget(tmp_path, monkeypatch):
    book = Workbook()
    sheet = book.active
    sheet.append(["account_id", "lat"])
    for i in range(50):
        sheet.cell(row=i + 2, column=5_000, value=i)  # 5,000 cells a row, almost all empty
    book.save(tmp_path / "wide.xlsx")
    monkeypatch.setattr(readers, "MAX_SHEET_CELLS", 100_000)
    with pytest.raises(FileUnreadableError, match=r"or 100,000 cells"):
        read_raw(tmp_path / "wide.xlsx")
