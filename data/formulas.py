"""Formula injection: text a spreadsheet would run is written with a ``'`` in front, and read back.

Names and ids come from customers' files, and ``=HYPERLINK(...)`` in a name must not
become a live link in a sales leader's spreadsheet. A spreadsheet, or a CSV reader
splitting lines, starts a new cell or row at every line break, so every *line start*
of a text counts: its first character, and each one right after a carriage return or
line feed inside it. A line start holding ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (a formula, or what spreadsheets turn into one), or ``'`` itself,
gets a ``'`` in front. ``unneutralise`` removes one ``'`` at every line start, so it
undoes ``neutralise`` exactly for every text; the importer applies it to every file,
as a spreadsheet treats a leading ``'`` as "text follows", not as part of the value.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

_LINE_START = "(?:^|(?<=[\r\n]))"
_DANGEROUS_LINE_START = re.compile(
    _LINE_START + "(?=[" + re.escape("".join(FORMULA_STARTS) + ESCAPE) + "])"
)
_ESCAPED_LINE_START = re.compile(_LINE_START + re.escape(ESCAPE))


def neutralise(value: object) -> object:
    """A text value a spreadsheet will show as text (a name ``=1`` becomes ``'=1``); else as is."""
    if isinstance(value, str):
        return _DANGEROUS_LINE_START.sub(ESCAPE, value)
    return value


def unneutralise(value: object) -> object:
    """Undo ``neutralise``: one ``'`` off every line start that has one."""
    if isinstance(value, str) and ESCAPE in value:
        return _ESCAPED_LINE_START.sub("", value)
    return value


def _is_text(col: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(col) or col.dtype == object


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) are neutralised; numeric columns as they were."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if _is_text(col):
            out[name] = col.map(neutralise, na_action="ignore").astype(object)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def unneutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with text cells and column names unneutralised; itself when nothing is escaped.

    Columns are taken by position (a file may repeat a column name, which
    validation reports later). Only cells holding a ``'`` go through the
    pattern, so a large file without any costs one scan per text column.
    """
    out = frame
    for j in range(frame.shape[1]):
        col = frame.iloc[:, j]
        if not _is_text(col):
            continue
        try:
            hit = col.str.contains(ESCAPE, regex=False, na=False).to_numpy(bool)
        except AttributeError:  # an object column without any text
            continue
        if hit.any():
            if out is frame:
                out = frame.copy()
            fixed = col.astype(object).copy()
            fixed[hit] = [unneutralise(v) for v in fixed[hit]]
            out.isetitem(j, fixed if col.dtype == object else fixed.astype(col.dtype))
    names = [unneutralise(c) for c in frame.columns]
    if names != list(frame.columns):
        out = out.copy() if out is frame else out
        out.columns = names
    return out


# --- text in a workbook ----------------------------------------------------------------
# XML turns a carriage return in a cell's text into a line feed when the workbook is read,
# so a workbook writes it as OOXML's escape ``_x000D_`` (as Excel does); a literal
# ``_xHHHH_`` in the text has its underscore escaped (``_x005F_``) so that reading undoes
# exactly what writing did. ``\r`` counts as the closing underscore it turns into.
_WORKBOOK_ESCAPE = re.compile("\r|_(?=x[0-9A-Fa-f]{4}(?:_|\r))")
_WORKBOOK_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def workbook_escape(value: object) -> object:
    """Text as a workbook cell keeps it (carriage returns as ``_x000D_``); else as is."""
    if isinstance(value, str) and ("\r" in value or "_x" in value):
        return _WORKBOOK_ESCAPE.sub(lambda m: "_x000D_" if m.group() == "\r" else "_x005F_", value)
    return value


def workbook_unescape(value: object) -> object:
    """Undo OOXML's ``_xHHHH_`` escapes (Excel's, and ``workbook_escape``'s) in a cell's text."""
    if isinstance(value, str) and "_x" in value:
        return _WORKBOOK_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value
