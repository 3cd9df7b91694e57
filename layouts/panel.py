"""The live panel: per-rep table rows, the two charts and the team summary.

Formatting lives here and only here, so the browser tests compare the page
with the core's numbers through the very same functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from dash import dcc, html

from layouts.attributes import data_attributes
from layouts.i18n import number, percent, tr
from layouts.ids import Ids
from layouts.palette import rep_colour
from planning.scenarios import MovedVsBaseline

TABLE_COLUMNS = (
    ("rep_id", "Rep"), ("name", "Name"), ("status", "Balance"),
    ("workload_hours", "Workload h/yr"), ("utilisation", "Utilisation"), ("coverage", "Coverage"),
    ("tam", "TAM"), ("revenue", "Revenue"), ("market_share", "Share"),
    ("accounts_a", "A"), ("accounts_b", "B"), ("accounts_c", "C"), ("cells", "Cells"),
    ("contiguity_components", "Pieces"), ("polsby_popper", "Compactness"),
    ("workload_deviation", "Workload vs fair"), ("tam_deviation", "TAM vs fair"),
    ("target", "Target"), ("target_per_tam", "Target / TAM"),
    ("required_growth", "Required growth"),  # issue 14 targets (money, as TAM)
)  # fmt: skip


def hours(v: float) -> str:
    """Hours with one decimal and thousands separators."""
    return number(v, 1)


def money(v: float) -> str:
    """Money in whole units with thousands separators."""
    return number(v, 0)


def pct(v: float, signed: bool = False) -> str:
    """A share as a percentage with one decimal; a dash where undefined."""
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return "–"
    return percent(v, 1, signed)


def status(row: Mapping[str, Any]) -> str:
    """Why a rep is flagged, in words (never colour alone)."""
    notes = []
    if not row["workload_balanced"]:
        notes.append("⚠ " + tr("workload {pct}").format(pct=pct(row["workload_deviation"], True)))
    if not row["tam_balanced"]:
        notes.append("⚠ " + tr("TAM {pct}").format(pct=pct(row["tam_deviation"], True)))
    if row["contiguity_components"] > 1:
        notes.append("⚠ " + tr("{n} pieces").format(n=row["contiguity_components"]))
    return "; ".join(notes) if notes else "✓ " + tr("within tolerance")


def table_rows(reps: pd.DataFrame) -> list[dict]:
    """The per-rep table's rows, formatted for reading."""
    rows = []
    for r in reps.to_dict("records"):  # issue 18: iterrows made a Series per rep (9 ms at 50 reps)
        pp = r["polsby_popper"]
        rows.append({
            "rep_id": r["rep_id"],
            "name": r["name"],
            "status": status(r),
            "flagged": not (r["workload_balanced"] and r["tam_balanced"]),
            "workload_hours": hours(r["workload_hours"]),
            "utilisation": pct(r["utilisation"]),
            "coverage": pct(r["coverage"]),
            "tam": money(r["tam"]),
            "revenue": money(r["revenue"]),
            "market_share": pct(r["market_share"]),
            "accounts_a": int(r["accounts_a"]),
            "accounts_b": int(r["accounts_b"]),
            "accounts_c": int(r["accounts_c"]),
            "cells": int(r["cells"]),
            "contiguity_components": int(r["contiguity_components"]),
            "polsby_popper": "–" if math.isnan(pp) else f"{pp:.2f}",
            "workload_deviation": pct(r["workload_deviation"], True),
            "tam_deviation": pct(r["tam_deviation"], True),
            **target_cells(r),
        })  # fmt: skip
    return rows


def target_cells(row: Mapping[str, Any]) -> dict[str, str]:
    """Target, target / TAM and required growth of one row ("–" without a target)."""
    target = row.get("target", math.nan)
    if target is None or math.isnan(target):
        return {"target": "–", "target_per_tam": "–", "required_growth": "–"}
    return {
        "target": money(target),
        "target_per_tam": pct(row["target_per_tam"]),
        "required_growth": pct(row["required_growth"], True),
    }


def workload_chart(reps: pd.DataFrame, tolerance: float) -> dict:
    """Workload bars against capacity ticks, over the fair-share tolerance band."""
    ids = list(reps["rep_id"])
    target = reps["workload_target_hours"]
    return {
        "data": [
            _band(ids, target, tolerance),
            {"type": "bar", "x": ids, "y": list(reps["workload_hours"]), "name": "workload",
             "marker": {"color": [rep_colour(i) for i in range(len(ids))]},
             "hovertemplate": "%{x}: %{y:,.1f} h/yr<extra></extra>", "width": 0.5},
            {"type": "scatter", "mode": "markers", "x": ids, "y": list(reps["capacity_hours"]),
             "name": "capacity", "marker": {"symbol": "line-ew-open", "size": 22, "color": "#000"},
             "hovertemplate": "%{x} capacity: %{y:,.0f} h/yr<extra></extra>"},
        ],
        "layout": _chart_layout(tr("Workload vs capacity (h/yr)")),
    }  # fmt: skip


def tam_chart(reps: pd.DataFrame, tolerance: float) -> dict:
    """TAM per rep over its fair-share band."""
    ids = list(reps["rep_id"])
    target = reps["tam_target"]
    return {
        "data": [
            _band(ids, target, tolerance),
            {"type": "bar", "x": ids, "y": list(reps["tam"]), "name": "TAM", "width": 0.5,
             "marker": {"color": [rep_colour(i) for i in range(len(ids))]},
             "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>"},
        ],
        "layout": _chart_layout(tr("TAM")),
    }  # fmt: skip


def team_summary(team: dict, moved: MovedVsBaseline | None = None) -> html.Ul:
    """Balance, coverage, what nobody owns, what moved vs the baseline and since last quarter.

    "Moved vs baseline" is ``planning.scenarios.moved_vs_baseline`` (the scenario list
    shows the same figure); the owner changes against last quarter, account by account,
    are what the CRM would see (an untouched plan has some: a cell has one owner).
    """
    items = [
        ("Worst workload deviation", pct(team["workload_worst_deviation"], True)),
        ("Workload CV", pct(team["workload_cv"])),
        ("Worst TAM deviation", pct(team["tam_worst_deviation"], True)),
        ("TAM CV", pct(team["tam_cv"])),
        ("Team coverage", pct(team["coverage"])),
        ("Reps out of tolerance", str(team["reps_out_of_tolerance"])),
        ("Unassigned", tr("{accounts} accounts, {hours} h/yr, TAM {tam}").format(
            accounts=number(team["unassigned_accounts"]), hours=hours(team["unassigned_hours"]),
            tam=money(team["unassigned_tam"]))),
    ]  # fmt: skip
    if moved is not None:
        text = tr("{accounts} accounts ({share}), TAM {tam}").format(
            accounts=number(moved.accounts), share=pct(moved.share), tam=pct(moved.tam_share)
        )
        items.append(("Moved vs baseline", text))
    quarter = pct(team["disruption_accounts"]), pct(team["disruption_tam"])
    text = tr("{accounts} accounts ({share}), TAM {tam}").format(
        accounts=number(team["moved_accounts"]), share=quarter[0], tam=quarter[1]
    )
    items.append(("Owner changes vs last quarter", text))
    return html.Ul(
        [
            html.Li([html.Span(tr(k) + ": "), html.B(v, **data_attributes(figure=k))])
            for k, v in items
        ],
        className="team-summary",
    )


def _band(ids: list, target: pd.Series, tolerance: float) -> dict:
    """The fair-share tolerance band drawn behind the bars."""
    return {
        "type": "bar", "x": ids, "y": list(target * 2 * tolerance),
        "base": list(target * (1 - tolerance)),
        "marker": {"color": "rgba(0,114,178,0.15)"}, "name": f"fair share ±{tolerance:.0%}",
        "hoverinfo": "skip", "width": 0.9,
    }  # fmt: skip


def _chart_layout(title: str) -> dict:
    return {
        "title": {"text": title, "font": {"size": 13}},
        "barmode": "overlay",
        "margin": {"l": 50, "r": 10, "t": 30, "b": 30},
        "height": 220,
        "showlegend": False,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }


# -- issue 14: the level the table and charts show, where fair share is judged, targets --------
LEVEL_LABELS = {"rep": "Reps", "district": "Districts", "region": "Regions"}
SCOPE_LABELS = {"team": "Team-wide", "region": "Within each region"}
DRIVER_LABELS = {
    "tam": "TAM", "revenue": "Current revenue", "blend": "TAM and revenue (50/50)",
    "growth": "Revenue + growth",
}  # fmt: skip
ROUND_UNITS = (1, 100, 1_000, 10_000)


def panel_controls(targets_kept: dict[str, Any] | None = None) -> html.Div:
    """Level and fair-share scope of the table and charts, and the target split's rule.

    ``targets_kept``: the rule the landing scenario keeps, when the layout carries the first
    panel (issue 18 point 1), so that filling the controls at load redraws nothing.
    """
    return html.Div(
        [
            html.Label([tr("Show"), dcc.RadioItems(
                [{"label": tr(v), "value": k} for k, v in LEVEL_LABELS.items()], "rep",
                id=Ids.PANEL_LEVEL, inline=True)]),
            html.Label([tr("Fair share"), dcc.RadioItems(
                [{"label": tr(v), "value": k} for k, v in SCOPE_LABELS.items()], "team",
                id=Ids.PANEL_SCOPE, inline=True)]),
            html.Label([tr("Annual target"), dcc.Input(
                id=Ids.TARGET_TOTAL, type="number", min=0, step="any", debounce=True,
                style={"width": "9rem"})]),
            html.Label([tr("split by"), dcc.Dropdown(
                [{"label": tr(v), "value": k} for k, v in DRIVER_LABELS.items()], "growth",
                id=Ids.TARGET_DRIVER, clearable=False, style={"width": "13rem"})]),
            html.Label([tr("Growth %"), dcc.Input(
                id=Ids.TARGET_GROWTH, type="number", step="any", debounce=True,
                style={"width": "5rem"})]),
            html.Label([tr("Round to"), dcc.Dropdown(
                [{"label": f"{u:,}", "value": u} for u in ROUND_UNITS], 1000,
                id=Ids.TARGET_ROUND, clearable=False, style={"width": "7rem"})]),
            html.Label([tr("Growth floor %"), dcc.Input(
                id=Ids.TARGET_FLOOR, type="number", step="any", debounce=True,
                placeholder=tr("none"), style={"width": "5rem"})]),
            html.Label([tr("ceiling %"), dcc.Input(
                id=Ids.TARGET_CEILING, type="number", step="any", debounce=True,
                placeholder=tr("none"), style={"width": "5rem"})]),
            html.Label([tr("Typed targets"), dcc.Input(
                id=Ids.TARGET_OVERRIDES, type="text", debounce=True,
                placeholder="R02=1200000, R05=800000", style={"width": "14rem"})]),
            html.Span(id=Ids.TARGET_STATUS, role="status", className="hint"),
            dcc.Store(id=Ids.TARGETS_KEPT, data=targets_kept),
        ],
        className="toolbar panel-controls",
    )  # fmt: skip


def panel_note(scope: str, level: str, rule_text: str, error: str | None) -> str:
    """What the table shows: level, where balance is judged, and the target rule (or why not)."""
    where = tr(
        "within each region (fair share of the rep's region)"
        if scope == "region"
        else "team-wide (fair share of the team)"
    )
    shown = tr(LEVEL_LABELS.get(level, "Reps")).lower()
    target = (
        tr("Targets not split: {error}").format(error=error)
        if error
        else tr("Targets: {rule}.").format(rule=rule_text)
    )
    return tr("Showing {shown}; balance judged {where}.").format(shown=shown, where=where) + (
        " " + target
    )


def overrides_text(overrides: dict[str, float]) -> str:
    """Typed targets as the box shows them: ``R02=1200000, R05=800000``."""
    return ", ".join(f"{rep}={_amount(value)}" for rep, value in overrides.items())


def _amount(value: float) -> str:
    """An amount as typed: no exponent, no trailing zeros (1200000, 99.5)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
