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


def _text_columns(frame: pd.DataFrame) -> list:
    return [
        name
        for name in frame.columns
        if pd.api.types.is_string_dtype(frame[name]) or frame[name].dtype == object
    ]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) are neutralised; numeric columns as they were."""
    out = frame.copy()
    for name in _text_columns(out):
        out[name] = out[name].map(neutralise, na_action="ignore").astype(object)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def unneutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with text cells and column names unneutralised; itself when nothing is escaped.

    Only cells holding a ``'`` go through the pattern, so a large file without
    any costs one scan per text column.
    """
    out = frame
    for name in _text_columns(frame):
        col = frame[name]
        try:
            hit = col.str.contains(ESCAPE, regex=False, na=False).to_numpy(bool)
        except AttributeError:  # an object column without any text
            continue
        if hit.any():
            if out is frame:
                out = frame.copy()
            fixed = col.astype(object).copy()
            fixed[hit] = [unneutralise(v) for v in fixed[hit]]
            out[name] = fixed if col.dtype == object else fixed.astype(col.dtype)
    names = [unneutralise(c) for c in frame.columns]
    if names != list(frame.columns):
        out = out.copy() if out is frame else out
        out.columns = names
    return out
