"""Issue 16 point 8: the scenario as a 16:9 PNG and PDF and a per-rep hand-out, offline."""

from __future__ import annotations

import re
import struct

import pytest

from services import editing
from services.pictures import PICTURE_FORMATS, PictureError, scenario_picture, slide_html
from tests import needs
from tests.planning.test_tally import world


@pytest.fixture
def stored(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    _, sid = editing.ensure_scenarios(url, "test", m.accounts, m.reps, m.call_plan, resolution=7)
    return url, sid


def png_size(content: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    assert content[12:16] == b"IHDR"
    return struct.unpack(">II", content[16:24])


def pdf_pages(content: bytes) -> list[tuple[float, float]]:
    """Every page's MediaBox width and height in points."""
    assert content[:5] == b"%PDF-"
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", content)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def test_slide_page_names_every_rep_and_the_legend(stored):
    url, sid = stored
    _, _, plan = editing.load_with_record(url, sid)
    from services.pictures import summary_table

    page = slide_html(plan, "Q3 plan", summary_table(plan, 0.1, {}))
    for rep in plan.market.rep_ids:
        assert page.count(str(rep)) >= 2  # legend and table
    assert "<polygon" in page and "Unassigned" in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing fetched


def test_unknown_format_is_refused(stored):
    url, sid = stored
    with pytest.raises(PictureError):
        scenario_picture(url, sid, "gif")


@pytest.mark.browser
def test_png_is_full_hd_and_pdfs_are_slide_and_a4_pages(stored):
    needs.chromium(path="/usr/bin/chromium")
    url, sid = stored
    png = scenario_picture(url, sid, "png")
    assert png.media_type == "image/png" and png_size(png.content) == (1920, 1080)
    pdf = scenario_picture(url, sid, "pdf")
    pages = pdf_pages(pdf.content)
    assert len(pages) == 1
    assert pages[0] == pytest.approx((960.0, 540.0), abs=1.0)  # 13.333 x 7.5 in: 16:9
    reps = scenario_picture(url, sid, "rep-pdf")
    _, _, plan = editing.load_with_record(url, sid)
    a4 = pdf_pages(reps.content)
    assert len(a4) == plan.market.n_reps
    assert all(p == pytest.approx((595.4, 841.7), abs=2.0) for p in a4)
    assert set(PICTURE_FORMATS) == {"png", "pdf", "rep-pdf"}
