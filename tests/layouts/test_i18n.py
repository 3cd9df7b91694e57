"""Interface languages (issue 16 point 6): the files, the choice, the fallback, the numbers."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest

from callbacks.map import DELETED_MEANWHILE
from layouts import i18n
from layouts.basemap import SWITCH_OPTIONS
from layouts.compare_map import LEGEND_TEXT as COMPARE_LEGEND
from layouts.curve import AXES
from layouts.curve import TAB_TITLE as CURVE_TAB
from layouts.help import KEYS
from layouts.ledger import FORMATS as LEDGER_FORMATS
from layouts.ledger import HEADERS as LEDGER_HEADERS
from layouts.main import FIND_PLACEHOLDER, TOOLS, main_layout
from layouts.market_share import DETAIL_COLUMNS, EFFECT_COLUMNS, EFFORT_HEADERS, FIGURE_LABELS
from layouts.market_share import LEVELS as SHARE_LEVELS
from layouts.matching import COLUMNS as MATCH_COLUMNS
from layouts.matching import NO_LEVELS
from layouts.overlay import COLUMNS as OVERLAY_COLUMNS
from layouts.overlay import NO_OVERLAY
from layouts.panel import TABLE_COLUMNS, hours, money, pct
from layouts.scenarios import EXPORT_LABELS
from layouts.suggestions import EMPTY as NO_SUGGESTION
from layouts.tracking import BAD_ROW_COLUMNS, LEVEL_LABELS, METRIC_LABELS
from layouts.tracking import TABLE_COLUMNS as TRACKING_COLUMNS
from planning.mapview import COLOUR_MODES
from planning.share_classes import CLASS_LABELS

ROOT = Path(__file__).resolve().parents[2]
# tr("...") with one literal or several adjacent ones (a long hint split over lines)
WRAPPED = re.compile(r"""\btr\(\s*((?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*)+)[,)]""")
SHIPPED = ("en", "zh", "fa", "pl")


@pytest.fixture
def lang():
    """Build in a language for one test, then back to English."""
    yield i18n.use_language
    i18n.use_language(i18n.DEFAULT)


def asked_for() -> set[str]:
    """Every English string the interface passes through tr(): literals and the named tables."""
    found = set()
    for path in [*ROOT.glob("layouts/*.py"), *ROOT.glob("callbacks/*.py")]:
        found |= {ast.literal_eval(f"({m})") for m in WRAPPED.findall(path.read_text("utf-8"))}
    found |= {n for _, n in TABLE_COLUMNS} | set(TOOLS.values()) | set(COLOUR_MODES.values())
    found |= set(SWITCH_OPTIONS.values()) | set(EXPORT_LABELS.values()) | {d for _, d in KEYS}
    found |= {"Scenarios", "Auto-balance", "Data", "Market share", FIND_PLACEHOLDER}
    # the newer screens' tables (wrapped where they are shown)
    found |= {c["name"] for c in [*EFFECT_COLUMNS, *DETAIL_COLUMNS]} | set(EFFORT_HEADERS)
    found |= set(FIGURE_LABELS.values()) | set(SHARE_LEVELS.values()) | set(CLASS_LABELS.values())
    found |= {n for _, n in [*TRACKING_COLUMNS, *BAD_ROW_COLUMNS]}
    found |= set(LEVEL_LABELS.values()) | set(METRIC_LABELS.values())
    found |= {n for _, n in [*MATCH_COLUMNS, *OVERLAY_COLUMNS]} | {NO_LEVELS, NO_OVERLAY}
    found |= set(AXES.values()) | set(LEDGER_FORMATS.values()) | set(LEDGER_HEADERS)
    found |= {COMPARE_LEGEND, DELETED_MEANWHILE}
    found |= {NO_SUGGESTION, CURVE_TAB, "Tracking", "Matching", "Overlay"}  # app.py's tab titles
    return found


def test_the_four_languages_ship_and_persian_is_right_to_left():
    assert set(SHIPPED) <= set(i18n.languages())
    assert [i18n.language(c).direction for c in SHIPPED] == ["ltr", "ltr", "rtl", "ltr"]
    assert i18n.tr("Undo", "pl") == "Cofnij" and i18n.tr("Undo", "zh") == "撤销"
    assert i18n.tr("Undo", "fa") == "واگرد"


def test_english_file_holds_every_string_the_interface_asks_for():
    english = i18n.languages()["en"].strings
    assert sorted(asked_for() - set(english)) == []
    assert all(english[k] == k for k in english)  # English keys are their own text


@pytest.mark.parametrize("code", SHIPPED)
def test_missing_translations_are_listed(code):
    """The list a translator works from; the shipped languages translate everything."""
    missing = i18n.missing(code)
    assert missing == [], f"{code} lacks {len(missing)}: {missing}"
    assert set(i18n.languages()[code].strings) <= set(i18n.languages()["en"].strings)


def test_untranslated_strings_fall_back_to_english(tmp_path, monkeypatch):
    """Adding a language is adding one file; what it lacks shows in English and is listed."""
    for path in (ROOT / "locales").glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "de.json").write_text(json.dumps(
        {"meta": {"name": "Deutsch", "decimal": ",", "group": "."}, "strings": {"Undo": "Rückgängig"}}
    ), encoding="utf-8")  # fmt: skip
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.languages.cache_clear()
    try:
        assert "de" in i18n.languages()
        assert i18n.tr("Undo", "de") == "Rückgängig"
        assert i18n.tr("Redo", "de") == "Redo"
        assert "Redo" in i18n.missing("de") and "Undo" not in i18n.missing("de")
        assert i18n.number(1234.5, 1, lang="de") == "1.234,5"
        assert i18n.choose(None, None, "de-AT,de;q=0.9") == "de"
    finally:
        i18n.languages.cache_clear()


@pytest.mark.parametrize(
    ("query", "cookie", "header", "chosen"),
    [
        (None, None, None, "en"),
        (None, None, "fa-IR,fa;q=0.9,en-US;q=0.8", "fa"),
        (None, None, "de-DE,zh-CN;q=0.8,en;q=0.5", "zh"),  # German is not shipped: next best
        (None, None, "en;q=0.4,pl;q=0.9", "pl"),  # by quality, not order
        (None, "zh", "fa", "zh"),  # the remembered choice beats the browser
        ("pl", "zh", "fa", "pl"),  # a ?lang= link beats both
        ("xx", None, "pl", "pl"),  # an unknown code is ignored
        (None, None, "pl;q=0", "en"),
    ],
)
def test_choose(query, cookie, header, chosen):
    assert i18n.choose(query, cookie, header) == chosen


@pytest.mark.parametrize(
    ("code", "workload", "tam", "share", "date"),
    [
        ("en", "12,345.7", "1,234,567", "+12.5%", "2026-03-09"),
        ("zh", "12,345.7", "1,234,567", "+12.5%", "2026年3月9日"),
        ("pl", "12\u00a0345,7", "1\u00a0234\u00a0567", "+12,5\u00a0%", "09.03.2026"),
        ("fa", "۱۲٬۳۴۵٫۷", "۱٬۲۳۴٬۵۶۷", "+۱۲٫۵٪", "۲۰۲۶/۰۳/۰۹"),
    ],
)
def test_numbers_and_dates_are_written_the_languages_way(lang, code, workload, tam, share, date):
    lang(code)
    assert hours(12345.67) == workload
    assert money(1234567.4) == tam
    assert pct(0.125, signed=True) == share
    assert i18n.date(2026, 3, 9) == date


def test_english_numbers_are_unchanged():
    assert hours(1234.56) == f"{1234.56:,.1f}" and money(9876543.2) == f"{9876543.2:,.0f}"
    assert pct(-0.0512, True) == "-5.1%" and pct(float("nan")) == "–"


def page_text(component) -> str:
    return json.dumps(
        component.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False
    )


def test_the_page_is_built_in_the_requests_language(lang):
    lang("pl")
    page = main_layout(["R01"], ["Ann"], 1, 7, sections=[("Scenarios", i18n.html.Div())])
    text = page_text(page)
    assert page.lang == "pl" and page.dir == "ltr"
    assert "Cofnij" in text and "Przedstawiciel docelowy" in text and "Scenariusze" in text
    assert '"name": "Obciążenie h/rok"' in text  # the rep table's column header
    lang("fa")
    page = main_layout(["R01"], ["Ann"], 1, 7)
    assert page.dir == "rtl" and "واگرد" in page_text(page)


def test_dates_in_the_switcher_and_history_follow_the_language(lang):
    from datetime import datetime

    from callbacks.datasets import stored_text

    at = datetime(2026, 3, 9, 14, 3)
    assert stored_text(at) == "2026-03-09 14:03 UTC"  # English as before
    lang("pl")
    assert stored_text(at) == "09.03.2026 14:03 UTC"
    lang("fa")
    assert i18n.moment(2026, 3, 9, "14:03") == "۲۰۲۶/۰۳/۰۹ ۱۴:۰۳"


def _texts(component) -> str:
    """Every string in a component tree (children, labels, titles, column names), joined."""
    return json.dumps(component.to_plotly_json(), cls=__import__("plotly").utils.PlotlyJSONEncoder,
                      ensure_ascii=False)  # fmt: skip


def test_the_newer_screens_are_built_in_the_request_language(lang):
    """The tabs of issues 14, 15 and 17 and the meeting widgets read the language per build."""
    from layouts.curve import curve_panel
    from layouts.ledger import ledger_panel
    from layouts.market_share import share_panel
    from layouts.matching import matching_panel
    from layouts.overlay import overlay_panel, overlay_status
    from layouts.presentation import before_after, flip_text, level_text, picture_buttons
    from layouts.suggestions import suggestions_panel
    from layouts.tracking import tracking_panel

    english = _texts(share_panel())
    assert "Classes by territory" in english
    lang("pl")
    assert "Klasy według terytorium" in _texts(share_panel())
    assert "Zaplanuj następny kwartał" in _texts(tracking_panel())
    assert "Doświadczenie" in _texts(matching_panel())
    assert "Przypisz" in _texts(overlay_panel())
    assert "Oblicz krzywą" in _texts(curve_panel())
    assert "Rejestr spotkania" in _texts(ledger_panel())
    assert "Sugerowane poprawki" in _texts(suggestions_panel())
    assert "Przed" in _texts(before_after()) and "Strony przedstawicieli" in _texts(
        picture_buttons()
    )
    assert overlay_status(True, 1234, 2).startswith("Nakładka: 1\u00a0234 klientów")
    lang("zh")
    assert level_text(7, 6) == "每个六边形 = 7 个单元格（放大或按 + 查看单个单元格）"
    assert flip_text("A", "B", 3).startswith("正在显示 A")
    lang("en")
    assert _texts(share_panel()) == english  # English output unchanged


def test_map_status_messages_follow_the_language(lang):
    from types import SimpleNamespace

    from callbacks.map import _describe

    result = SimpleNamespace(changed=[1, 2, 3], skipped_locked=2)
    assert _describe("move", result, "R03") == (
        "Moved 3 cells to R03. 2 locked cells were skipped (unlock them to move them)."
    )
    lang("pl")
    assert _describe("lock", result, "R03").startswith("Zablokowano 3 komórek.")
    lang("fa")
    assert _describe("move", result, "R03").startswith("۳ خانه به R03 منتقل شد.")


@pytest.mark.parametrize("code", ["zh", "fa", "pl"])
def test_translations_keep_every_placeholder(code):
    """A translation with a renamed or lost ``{name}`` would raise or drop a number in .format."""
    fields = re.compile(r"\{(\w*)\}")
    english = i18n.languages()["en"].strings
    own = i18n.languages()[code].strings
    wrong = {
        k: v
        for k, v in own.items()
        if k in english and sorted(fields.findall(v)) != sorted(fields.findall(k))
    }
    assert wrong == {}


def test_tab_messages_follow_the_language(lang):
    """The newer tabs' callback sentences are translated, their numbers written the language's way."""
    from callbacks.tracking import show_files

    assert show_files(None, None) == "No file chosen yet."
    lang("pl")
    assert show_files(None, None) == "Nie wybrano jeszcze pliku."
    text = i18n.tr("Restored to #{seq}: {cells} cells changed back; undo takes it back.")
    assert text.format(seq=7, cells=i18n.number(1234)) == (
        "Przywrócono do #7: cofnięto 1\xa0234 komórek; „Cofnij” to odwraca."
    )


def test_the_panel_speaks_the_pages_language(lang):
    """Issue 16: the table's flags, the team summary and the target controls in Polish."""
    from layouts import panel

    lang("pl")
    row = {"workload_balanced": False, "workload_deviation": 0.123, "tam_balanced": True,
           "tam_deviation": 0.0, "contiguity_components": 2}  # fmt: skip
    assert panel.status(row) == "⚠ obciążenie +12,3\u00a0%; ⚠ 2 części"
    assert panel.panel_note("team", "rep", "x", None) == (
        "Widok: przedstawiciele; równowaga oceniana w całym zespole (sprawiedliwy udział w "
        "zespole). Cele: x."
    )
