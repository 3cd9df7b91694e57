"""Pictures for the deck (issue 16 point 8): the map, its legend and the per-rep summary.

A scenario becomes a self-contained HTML page (the territories as an SVG drawn
here from the H3 cell outlines, a legend, the per-rep figures) that headless
Chromium renders to a 16:9 PNG (1920 x 1080) or a 16:9 PDF page (13.333 x 7.5
in, the size of a widescreen slide), or to a hand-out PDF with one page per
rep. Nothing is fetched from the network: no tiles, no fonts, no scripts, so
the pictures are made offline and never leave the machine.
"""

from __future__ import annotations

import html
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import h3.api.numpy_int as h3i

from common.errors import HexalignError
from common.logs import timed
from common.settings import Settings
from data.store import Store
from planning.metrics import rep_metrics
from planning.palette import UNASSIGNED_COLOUR, rep_colour
from planning.plan import Plan
from planning.targets import targets_for, with_targets
from services.editing import load_with_record
from services.scenario_settings import find_scenario, scenario_settings

logger = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)  # fmt: skip
SLIDE_PX = (1920, 1080)  # a 16:9 slide at full HD
SLIDE_IN = (13.333, 7.5)  # PowerPoint's and Google Slides' widescreen page
A4_IN = (8.27, 11.69)
PICTURE_FORMATS = ("png", "pdf", "rep-pdf")


class PictureError(HexalignError):
    """The picture could not be made (no Chromium, or Playwright missing)."""


@dataclass(frozen=True)
class Picture:
    """A rendered picture: its bytes, media type and a file name to offer."""

    content: bytes
    media_type: str
    filename: str


def _fmt(v: float, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return "–"
    return f"{v:,.{digits}f}"


def _project(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator x, y (y down), as the app's map draws them."""
    x = np.radians(lon)
    y = -np.log(np.tan(np.pi / 4 + np.radians(np.clip(lat, -85, 85)) / 2))
    return x, y


def territory_svg(
    plan: Plan, width: float, height: float, only: int | None = None, pad: float = 8
) -> str:
    """The plan's cells as SVG polygons filled with the owners' colours.

    ``only`` (a rep position) draws that rep's cells in colour and the rest light grey,
    zoomed to the rep's cells: the hand-out page's map.
    """
    cells = np.asarray(plan.market.area.cells)
    owner = np.asarray(plan.owner)
    locked = np.asarray(plan.locked, dtype=bool)
    rings = [np.asarray(h3i.cell_to_boundary(int(c))) for c in cells]  # (k, 2) lat, lon
    if not rings:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>'
    xy = [_project(r[:, 0], r[:, 1]) for r in rings]
    focus = np.flatnonzero(owner == only) if only is not None else np.arange(len(cells))
    if len(focus) == 0:
        focus = np.arange(len(cells))
    xs = np.concatenate([xy[i][0] for i in focus])
    ys = np.concatenate([xy[i][1] for i in focus])
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    scale = min((width - 2 * pad) / max(x1 - x0, 1e-9), (height - 2 * pad) / max(y1 - y0, 1e-9))
    ox = (width - (x1 - x0) * scale) / 2 - x0 * scale
    oy = (height - (y1 - y0) * scale) / 2 - y0 * scale
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}">',
        '<defs><pattern id="locked" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="2" height="6" fill="#0008"/></pattern></defs>',
    ]
    for i, (px, py) in enumerate(xy):
        pts = " ".join(
            f"{a * scale + ox:.1f},{b * scale + oy:.1f}" for a, b in zip(px, py, strict=True)
        )
        o = int(owner[i])
        fill = rep_colour(o) if only is None or o == only else UNASSIGNED_COLOUR
        parts.append(f'<polygon points="{pts}" fill="{fill}" stroke="#fff" stroke-width="0.4"/>')
        if locked[i]:
            parts.append(
                f'<polygon points="{pts}" fill="url(#locked)" stroke="#000" stroke-width="1"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def summary_table(plan: Plan, tolerance: float, settings: dict | None) -> pd.DataFrame:
    """The per-rep figures the pictures show (with targets where the rule gives them)."""
    targets, _, _ = targets_for(plan, settings)
    return with_targets(rep_metrics(plan, tolerance), targets)


STYLE = """
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", system-ui, sans-serif; color: #111;
       background: #fff; }
.slide { width: 1920px; height: 1080px; display: flex; padding: 36px; gap: 32px; }
.slide .map { flex: 0 0 1060px; display: flex; flex-direction: column; }
.slide .side { flex: 1; display: flex; flex-direction: column; gap: 16px; min-width: 0; }
h1 { font-size: 40px; margin: 0 0 8px; }
h2 { font-size: 26px; margin: 0; color: #333; font-weight: 500; }
table { border-collapse: collapse; width: 100%; font-size: 22px; }
th, td { padding: 6px 10px; border-bottom: 1px solid #ccc; text-align: right; }
th:first-child, td:first-child { text-align: left; white-space: nowrap; }
.sw { display: inline-block; width: 20px; height: 20px; margin-right: 8px; vertical-align: -3px;
      border: 1px solid #0005; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 20px; list-style: none; padding: 0;
          margin: 8px 0 0; font-size: 20px; }
.note { font-size: 18px; color: #444; }
.page { width: 8.27in; height: 11.69in; padding: 0.5in; page-break-after: always;
        overflow: hidden; }
.page h1 { font-size: 28px; } .page table { font-size: 15px; }
"""


def _swatch(colour: str) -> str:
    return f'<span class="sw" style="background:{colour}"></span>'


def slide_html(plan: Plan, title: str, table: pd.DataFrame) -> str:
    """The 16:9 slide: map with legend on the left, per-rep figures and the team's on the right."""
    has_targets = bool(table["target"].notna().any())
    rows = []
    for i, r in enumerate(table.itertuples()):
        target = f"<td>{_fmt(r.target)}</td>" if has_targets else ""
        rows.append(
            f"<tr><td>{_swatch(rep_colour(i))}{html.escape(f'{r.rep_id} {r.name}')}</td>"
            f"<td>{_fmt(r.accounts)}</td><td>{_fmt(r.workload_hours, 0)}</td>"
            f"<td>{_fmt(r.utilisation * 100, 0)}%</td><td>{_fmt(r.tam)}</td>{target}</tr>"
        )
    head = "<th>Rep</th><th>Accounts</th><th>Workload h</th><th>Utilisation</th><th>TAM</th>"
    head += "<th>Target</th>" if has_targets else ""
    legend = "".join(
        f"<li>{_swatch(rep_colour(i))}{html.escape(f'{r} {n}')}</li>"
        for i, (r, n) in enumerate(zip(table["rep_id"], table["name"], strict=True))
    )
    legend += f"<li>{_swatch(UNASSIGNED_COLOUR)}Unassigned</li>"
    unassigned = int(plan.tally.accounts[0])
    team = (
        f"Team: {len(table)} reps · {_fmt(table['accounts'].sum())} accounts assigned, "
        f"{unassigned:,} unassigned · workload {_fmt(table['workload_hours'].sum())} h · "
        f"TAM {_fmt(table['tam'].sum())}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{STYLE}</style></head><body>"
        f"<div class='slide'><div class='map'><h1>{html.escape(title)}</h1>"
        f"{territory_svg(plan, 1060, 860)}<ul class='legend'>{legend}</ul></div>"
        f"<div class='side'><h2>Per rep</h2><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table><p class='note'>{team}</p>"
        f"<p class='note'>Hatched cells are locked.</p></div></div></body></html>"
    )


def rep_pages_html(plan: Plan, title: str, table: pd.DataFrame) -> str:
    """One A4 page per rep: territory, accounts by segment, workload, TAM, target if any."""
    pages = []
    for i, r in enumerate(table.itertuples()):
        target = (
            ""
            if math.isnan(float(r.target))
            else f"<tr><td>Target</td><td>{_fmt(r.target)}</td></tr>"
        )
        name = html.escape(f"{r.rep_id} {r.name}")
        pages.append(
            f"<section class='page'><h1>{_swatch(rep_colour(i))}{name}</h1>"
            f"<p class='note'>{html.escape(title)}</p>{territory_svg(plan, 690, 560, only=i)}"
            "<table>"
            f"<tr><td>Accounts A / B / C</td><td>{_fmt(r.accounts_a)} / {_fmt(r.accounts_b)} / "
            f"{_fmt(r.accounts_c)}</td></tr>"
            f"<tr><td>Accounts, all</td><td>{_fmt(r.accounts)}</td></tr>"
            "<tr><td>Workload (visits + travel)</td>"
            f"<td>{_fmt(r.workload_hours, 1)} h / yr</td></tr>"
            f"<tr><td>Utilisation of capacity</td><td>{_fmt(r.utilisation * 100, 1)}%</td></tr>"
            f"<tr><td>TAM</td><td>{_fmt(r.tam)}</td></tr>"
            f"<tr><td>Revenue</td><td>{_fmt(r.revenue)}</td></tr>{target}"
            f"<tr><td>Cells</td><td>{_fmt(r.cells)}</td></tr></table></section>"
        )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{STYLE}</style></head>"
        f"<body>{''.join(pages)}</body></html>"
    )


def render(page_html: str, fmt: str, chromium: str = CHROMIUM) -> bytes:
    """Headless Chromium turns the page into PNG (1920 x 1080) or PDF (16:9, or A4 hand-outs).

    Run in a thread of its own: Playwright's sync API refuses a thread that already runs an
    asyncio loop (or another Playwright), as a test session's browser or a server may.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hexalign-picture") as pool:
        return pool.submit(_render, page_html, fmt, chromium).result()


def _render(page_html: str, fmt: str, chromium: str) -> bytes:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - playwright is in requirements.txt
        raise PictureError("pictures need Playwright (pip install playwright)") from err
    if not Path(chromium).exists():
        raise PictureError(f"pictures need Chromium at {chromium}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": SLIDE_PX[0], "height": SLIDE_PX[1]})
            page.route("**/*", lambda route: route.abort())  # offline: nothing may be fetched
            page.set_content(page_html, wait_until="load")
            if fmt == "png":
                return page.screenshot(type="png", clip={"x": 0, "y": 0, "width": SLIDE_PX[0],
                                                         "height": SLIDE_PX[1]})  # fmt: skip
            size = A4_IN if fmt == "rep-pdf" else SLIDE_IN
            if fmt == "pdf":
                page.emulate_media(media="screen")
                page.evaluate(f"document.body.style.zoom = {SLIDE_IN[0] * 96 / SLIDE_PX[0]}")
            return page.pdf(width=f"{size[0]}in", height=f"{size[1]}in", print_background=True,
                            margin={"top": "0", "bottom": "0"})  # fmt: skip
        finally:
            browser.close()


def scenario_picture(url: str, scenario_id: int, fmt: str, chromium: str = CHROMIUM) -> Picture:
    """The stored scenario as a slide PNG, a slide PDF, or the per-rep hand-out PDF."""
    if fmt not in PICTURE_FORMATS:
        raise PictureError(f"unknown picture format {fmt!r}; one of {', '.join(PICTURE_FORMATS)}")
    with timed(logger, "picture exported", scenario=scenario_id, format=fmt) as extra:
        record, _board, plan = load_with_record(url, scenario_id)
        extra["dataset"] = record.dataset_id
        settings = dict(record.settings or {})
        tolerance = scenario_settings(plan.market.call_plan, settings).tolerance
        table = summary_table(plan, tolerance, settings)
        build = rep_pages_html if fmt == "rep-pdf" else slide_html
        content = render(build(plan, record.name, table), fmt, chromium)
        extra["bytes"] = len(content)
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in record.name) or "scenario"
    ext = "png" if fmt == "png" else "pdf"
    suffix = "-reps" if fmt == "rep-pdf" else ""
    return Picture(
        content, "image/png" if ext == "png" else "application/pdf", f"{stem}{suffix}.{ext}"
    )


def export_picture(
    scenario: str,
    fmt: str,
    out: str | Path,
    *,
    database_url: str | None = None,
    dataset_id: int | None = None,
    chromium: str = CHROMIUM,
) -> Path:
    """``cli.py export --format png|pdf|rep-pdf``: the app's Download picture, to a file."""
    url = Settings.from_env(database_url=database_url).database_url
    with Store(url) as store:
        sid = find_scenario(store, scenario, dataset_id)
    picture = scenario_picture(url, sid, fmt, chromium)
    path = Path(out)
    path.write_bytes(picture.content)
    return path
