"""Interface languages (issue 16 point 6): one JSON file per language under ``locales/``.

Why a context variable: the page is built per request (``app.py``), and so are the pieces that
callbacks build; the app sets the request's language once (``use_language``) and every
``tr("Undo")`` in layouts/ reads it, so wrapping a literal stays a mechanical change and no
builder needs a new parameter. Keys are the English strings themselves: a string missing from a
language falls back to English (``missing`` lists them; tests/layouts/test_i18n.py prints them).

Adding a language is adding ``locales/<code>.json``: ``{"meta": {...}, "strings": {...}}`` where
meta holds the language's own name, its direction (``ltr``/``rtl``) and its number symbols.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from dash import dcc, html
from dash.development.base_component import Component

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DEFAULT = "en"
COOKIE = "hexalign_lang"  # the user's choice in the page, remembered by the browser
QUERY = "lang"  # ``?lang=pl`` opens the page in Polish

_current: ContextVar[str] = ContextVar("hexalign_language", default=DEFAULT)


@dataclass(frozen=True)
class Language:
    """One interface language, as read from its file."""

    code: str
    name: str
    direction: str = "ltr"
    decimal: str = "."
    group: str = ","
    percent: str = "{}%"  # where the sign goes ("{}%" or "%{}" ...)
    digits: str = "0123456789"  # native digits (Persian writes ۰۱۲...)
    date: str = "{y:04d}-{m:02d}-{d:02d}"
    strings: dict[str, str] = field(default_factory=dict)


@cache
def languages() -> dict[str, Language]:
    """Every language with a file, English first (read once per process)."""
    found: dict[str, Language] = {}
    for path in sorted(LOCALES.glob("*.json"), key=lambda p: (p.stem != DEFAULT, p.stem)):
        raw = json.loads(path.read_text(encoding="utf-8"))
        meta = raw.get("meta", {})
        found[path.stem] = Language(code=path.stem, strings=dict(raw.get("strings", {})), **meta)
    return found


def language(code: str | None = None) -> Language:
    """The language ``code`` (the request's when None); English when unknown."""
    known = languages()
    return known.get(code or _current.get()) or known[DEFAULT]


def use_language(code: str) -> None:
    """Make ``code`` the language of what this request builds (unknown codes: English)."""
    _current.set(code if code in languages() else DEFAULT)


def current() -> str:
    """The code of the language this request builds in."""
    return _current.get()


def tr(text: str, lang: str | None = None) -> str:
    """``text`` (an English interface string) in the request's language, or as it is."""
    return language(lang).strings.get(text) or text


def choose(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """Which language a request gets: ``?lang=``, then the remembered choice, then the browser's.

    >>> choose(None, None, "fa-IR,fa;q=0.9,en;q=0.5")
    'fa'
    >>> choose("pl", "zh", "fa")
    'pl'
    """
    known = languages()
    for code in (query, cookie):
        if code and code.lower() in known:
            return code.lower()
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in known and q > 0:
            ranked.append((-q, n, base))
    return min(ranked)[2] if ranked else DEFAULT


def missing(code: str) -> list[str]:
    """English strings that ``code`` does not translate (they show in English)."""
    own = languages()[code].strings
    return sorted(k for k in languages()[DEFAULT].strings if not own.get(k))


# -- numbers and dates for the locale (the separators come from the language's file) ------------


def number(
    value: float,
    decimals: int = 0,
    signed: bool = False,
    lang: str | None = None,
    group: bool = True,
) -> str:
    r"""``value`` with the language's group and decimal symbols and digits.

    >>> number(12345.67, 1, lang="pl")
    '12\xa0345,7'
    """
    spec = f"{'+' if signed else ''}{',' if group else ''}.{decimals}f"
    text = format(value, spec)
    loc = language(lang)
    if (loc.group, loc.decimal, loc.digits) == (",", ".", "0123456789"):
        return text
    swapped = text.replace(",", "\0").replace(".", loc.decimal).replace("\0", loc.group)
    return swapped.translate(str.maketrans("0123456789", loc.digits))


def percent(share: float, decimals: int = 1, signed: bool = False, lang: str | None = None) -> str:
    """A share (0.123) as the language writes a percentage ("12.3%", "12,3 %", "۱۲٫۳٪")."""
    return language(lang).percent.format(number(share * 100, decimals, signed, lang, group=False))


def date(year: int, month: int, day: int, lang: str | None = None) -> str:
    """A calendar date in the language's order and digits."""
    loc = language(lang)
    text = loc.date.format(y=year, m=month, d=day)
    return text.translate(str.maketrans("0123456789", loc.digits))


def language_switch() -> Component:
    """The header's language choice; choosing one remembers it (cookie) and reloads the page."""
    from layouts.ids import Ids

    options = [{"label": loc.name, "value": code} for code, loc in languages().items()]
    return html.Label(
        [
            html.Span(tr("Language"), className="visually-hidden"),
            dcc.Dropdown(
                options, current(), id=Ids.LANGUAGE, clearable=False, searchable=False,
                style={"width": "9rem"},
            ),
        ],
        className="header-control",
    )  # fmt: skip


def moment(year: int, month: int, day: int, clock: str, lang: str | None = None) -> str:
    """A date and a time of day ("14:03" or "14:03:09") in the language's order and digits."""
    digits = language(lang).digits
    return f"{date(year, month, day, lang)} {clock.translate(str.maketrans('0123456789', digits))}"
