"""Data tab callbacks: import files (a background job with progress), edit call plan and team.

Reading and checking a file runs in its own process (Dash's
DiskcacheManager), so a large file never blocks a worker; the job touches
only the upload folder, never the database. Storing the checked data
(``planning.datasets.use_import``) and every edit run in ordinary callbacks,
which know the app's database.

Uploads live in ``UPLOADS_DIR/<token>/`` (one folder per browser session's
import), so any worker can check or use what another received.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

import numpy as np
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from callbacks.jobs import JOBS, progress_reporter
from common.errors import FileUnreadableError, HexalignError
from common.settings import Settings
from data.mapping import load_mapping
from layouts.data_tab import (
    IGNORE,
    KINDS,
    files_line,
    mapping_editor,
    new_rep_id,
    report_view,
)
from layouts.ids import Ids
from planning import datasets
from planning.callplan import SEGMENTS
from services import editing

UPLOADS_DIR = Settings.from_env().uploads_dir
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
UPLOADS = {
    "accounts": Ids.DATA_ACCOUNTS_UPLOAD,
    "reps": Ids.DATA_REPS_UPLOAD,
    "mapping": Ids.DATA_MAPPING_UPLOAD,
}


def upload_folder(token: str | None) -> Path | None:
    """The folder of an import session; None for anything that is not one of our tokens."""
    return UPLOADS_DIR / token if token and _TOKEN.match(token) else None


def _wildcard_states(kind: str) -> list[dict]:
    """The ``{"id", "value"}`` items of a wildcard State whose ids are of ``kind``."""
    for item in ctx.states_list:
        if isinstance(item, list) and item and item[0]["id"].get("kind") == kind:
            return item
    return []


def _file_info(raw, mapping: dict) -> dict:
    return {
        "name": raw.source,
        "rows": len(raw.frame),
        "columns": [str(c) for c in raw.frame.columns],
        "samples": datasets.column_samples(raw),
        "mapping": mapping,
        "header_row": raw.header_row,
        "encoding": raw.encoding,
        "sheet": raw.sheet,
    }


@callback(
    Output(Ids.DATA_RECEIVED, "data"),
    Output(Ids.DATA_ACCOUNTS_UPLOAD, "contents"),
    Output(Ids.DATA_REPS_UPLOAD, "contents"),
    Output(Ids.DATA_MAPPING_UPLOAD, "contents"),
    Input(Ids.DATA_ACCOUNTS_UPLOAD, "contents"),
    Input(Ids.DATA_REPS_UPLOAD, "contents"),
    Input(Ids.DATA_MAPPING_UPLOAD, "contents"),
    State(Ids.DATA_ACCOUNTS_UPLOAD, "filename"),
    State(Ids.DATA_REPS_UPLOAD, "filename"),
    State(Ids.DATA_MAPPING_UPLOAD, "filename"),
    State(Ids.DATA_IMPORT, "data"),
    State(Ids.DATA_RECEIVED, "data"),
    prevent_initial_call=True,
)
def receive_upload(accounts, reps, mapping, a_name, r_name, m_name, state, previous):
    """Put an uploaded file into the session's folder and drop it from the page.

    The browser would otherwise send the whole file again with every Check;
    the background job reads it from the folder instead.
    """
    kind = {v: k for k, v in UPLOADS.items()}.get(ctx.triggered_id)
    contents, name = {
        "accounts": (accounts, a_name), "reps": (reps, r_name), "mapping": (mapping, m_name),
    }.get(kind, (None, None))  # fmt: skip
    if not contents:
        raise PreventUpdate
    token = (state or {}).get("token") or (previous or {}).get("token")
    folder = upload_folder(token)
    if folder is None:
        datasets.forget_stashes(UPLOADS_DIR)
        token = secrets.token_hex(8)
        folder = upload_folder(token)
    try:
        datasets.stash_upload(folder, kind, name or "", contents)
        error = None
    except FileUnreadableError as err:
        datasets.forget_upload(folder, kind)
        error = _sentence(err)
    cleared = [None if k == kind else no_update for k in UPLOADS]
    return {"token": token, "kind": kind, "name": name, "error": error, "t": time.time()}, *cleared


@callback(
    Output(Ids.DATA_IMPORT, "data"),
    Output(Ids.DATA_FILES, "children"),
    Output(Ids.DATA_MAPPING, "children"),
    Output(Ids.DATA_REPORT, "children"),
    Output(Ids.DATA_RESULT, "data"),
    Input(Ids.DATA_RECEIVED, "data"),
    Input(Ids.DATA_CHECK, "n_clicks"),
    Input(Ids.DATA_USE, "n_clicks"),
    State(Ids.DATA_IMPORT, "data"),
    State({"kind": Ids.DATA_MAP_FIELD, "file": ALL, "column": ALL}, "value"),
    State({"kind": Ids.DATA_CHOICE, "file": ALL, "row": ALL}, "value"),
    State({"kind": Ids.DATA_FIX, "file": ALL, "row": ALL, "field": ALL}, "value"),
    State(Ids.DATA_OPTIONS, "value"),
    State(Ids.DATA_TEAM, "data"),
    background=True,
    manager=JOBS,
    running=[
        (Output(Ids.DATA_CHECK, "disabled"), True, False),
        (Output(Ids.DATA_USE, "disabled"), True, False),
    ],
    progress=[
        Output(Ids.DATA_PROGRESS, "value"),
        Output(Ids.DATA_PROGRESS, "max"),
        Output(Ids.DATA_STATUS, "children"),
    ],
    prevent_initial_call=True,
)
def check_files(
    set_progress, received, _check, _use, state, _fields, _choices, _fixes, options, team
):
    """Read a received file, suggest its mapping, check every file; "Use" stashes the frames."""
    trigger = ctx.triggered_id
    state = dict(state or {})
    received = received if trigger == Ids.DATA_RECEIVED else None
    folder = upload_folder(state.get("token")) or upload_folder((received or {}).get("token"))
    if folder is None:
        raise PreventUpdate  # nothing was uploaded yet
    state["token"] = folder.name
    files: dict = dict(state.get("files") or {})
    saved = state.get("saved_mapping")
    unreadable: list[str] = []
    fresh: set[str] = set()
    set_progress(("0", "100", "reading…"))

    kind = (received or {}).get("kind")
    if kind in KINDS:
        try:
            if received.get("error"):
                raise FileUnreadableError(received["error"])
            raw = datasets.read_upload(folder, kind, progress_reporter(set_progress, 0.0, 0.5))
        except FileUnreadableError as err:
            files.pop(kind, None)
            datasets.forget_upload(folder, kind)
            unreadable.append(f"{_sentence(err)} The current data set is unchanged.")
        else:
            mapping = datasets.suggested_columns(raw.frame.columns, kind, saved)
            files[kind] = _file_info(raw, mapping)
            fresh.add(kind)
    elif kind == "mapping":
        try:
            if received.get("error"):
                raise FileUnreadableError(received["error"])
            saved = load_mapping(next((folder / "mapping").iterdir()))
        except (FileUnreadableError, StopIteration, OSError) as err:
            unreadable.append(f"Not a mapping: {_sentence(err)}")
        else:
            state["saved_mapping"] = saved
            for k, info in files.items():
                info["mapping"] = datasets.suggested_columns(info["columns"], k, saved)
                fresh.add(k)
    for item in _wildcard_states(Ids.DATA_MAP_FIELD):
        kind, column = item["id"]["file"], item["id"]["column"]
        if kind in files and kind not in fresh and column in files[kind]["mapping"]:
            value = item.get("value")
            files[kind]["mapping"][column] = None if value in (None, IGNORE) else value

    decisions: dict[str, dict[int, str]] = {k: {} for k in KINDS}
    fixes: dict[str, dict[int, dict[str, str]]] = {k: {} for k in KINDS}
    for item in _wildcard_states(Ids.DATA_CHOICE):
        kind = item["id"]["file"]
        if kind in files and kind not in fresh and item.get("value"):
            decisions[kind][int(item["id"]["row"])] = item["value"]
    for item in _wildcard_states(Ids.DATA_FIX):
        kind = item["id"]["file"]
        if kind in files and kind not in fresh and item.get("value") not in (None, ""):
            row, field = int(item["id"]["row"]), item["id"]["field"]
            fixes[kind].setdefault(row, {})[field] = str(item["value"]).strip()

    options = set(options or [])
    rep_ids = (team or {}).get("rep_ids")
    checks: dict[str, datasets.ImportCheck] = {}
    order = [k for k in ("reps", "accounts") if k in files]
    for i, kind in enumerate(order):
        progress = progress_reporter(set_progress, 0.5 + 0.5 * i / len(order), 0.5 / len(order))
        raw = datasets.read_upload(folder, kind)
        checked = datasets.check_import(
            raw, kind, files[kind]["mapping"],
            choices=datasets.row_choices(decisions[kind], fixes[kind]),
            rep_ids=rep_ids if kind == "accounts" else None,
            exclude_errors="exclude" in options, accept_warnings="accept" in options,
            progress=progress,
        )  # fmt: skip
        if kind == "reps" and not checked.report.refused:
            rep_ids = checked.frame["rep_id"].astype(str).tolist()
        checks[kind] = checked
    if checks:
        (folder / "report.csv").write_text(
            datasets.report_csv([checks[k] for k in KINDS if k in checks]), encoding="utf-8"
        )
    state["files"] = files
    state["runs"] = int(state.get("runs", 0)) + 1

    report: list = [html.P(text, role="alert", style={"color": "#B00020"}) for text in unreadable]
    result = no_update
    if trigger == Ids.DATA_USE:
        if not checks:
            report.append(html.P("Upload an accounts file (or a reps file) first.", role="alert"))
        elif any(c.report.refused for c in checks.values()):
            report.append(
                html.P(
                    "Nothing was stored: "
                    + "; ".join(
                        f"{c.report.source} still has rows with errors"
                        for c in checks.values() if c.report.refused
                    ) + ". The current data set is unchanged.",
                    role="alert", style={"color": "#B00020"},
                )
            )  # fmt: skip
        else:
            for kind, checked in checks.items():
                checked.frame.to_parquet(folder / f"{kind}.parquet")
            first = checks.get("accounts") or checks["reps"]
            result = {
                "token": state["token"],
                "kinds": sorted(checks),
                "name": Path(first.report.source).stem,
                "t": time.time(),
            }
    for kind in KINDS:
        if kind in checks:
            c = checks[kind]
            report.append(
                report_view(
                    kind, c.report.source, c.counts, dict(c.report.excluded_because),
                    c.report.refused, c.problems, decisions[kind], fixes[kind],
                    c.report.header_row,
                )
            )  # fmt: skip
    done = "checked" if checks else "no file to check"
    set_progress(("100", "100", done))
    report = html.Div(report, **{"data-run": str(state["runs"])})
    return state, files_line(files), mapping_editor(files), report, result


def _sentence(err: Exception) -> str:
    text = str(err).strip()
    return text if text.endswith(".") else text + "."


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.DATA_USE_STATUS, "children"),
    Input(Ids.DATA_RESULT, "data"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def use_data(result, scenario):
    """Store the checked frames as a data set and switch the page to its working scenario."""
    folder = upload_folder((result or {}).get("token"))
    if folder is None:
        raise PreventUpdate
    frames = {
        kind: pd.read_parquet(folder / f"{kind}.parquet") if kind in result["kinds"] else None
        for kind in KINDS
    }
    url = database_url()
    try:
        _, working, cleared = datasets.use_import(
            url, int(scenario["id"]), result["name"], frames["accounts"], frames["reps"]
        )
    except (HexalignError, ValueError) as err:
        text = f"The data could not be used: {_sentence(err)} The current data set is unchanged."
        return no_update, text, text
    board, _, _ = editing.load(url, working)
    record = editing.open_store(url).scenario(working)
    market = board.market
    text = (
        f"Now planning on “{result['name']}”: {len(market.accounts):,} accounts, "
        f"{market.n_reps} reps, scenario “{record.name}”."
    )
    if cleared:
        text += f" {cleared:,} accounts had a last owner outside the team and now have none."
    return {"id": working}, text, text


@callback(
    Output(Ids.DATA_REPORT_DOWNLOAD, "data"),
    Input(Ids.DATA_REPORT_SAVE, "n_clicks"),
    State(Ids.DATA_IMPORT, "data"),
    prevent_initial_call=True,
)
def download_report(clicks, state):
    """The problem rows of the last check as CSV."""
    folder = upload_folder((state or {}).get("token"))
    if not clicks or folder is None or not (folder / "report.csv").exists():
        raise PreventUpdate
    return dcc.send_string((folder / "report.csv").read_text(encoding="utf-8"), "import-report.csv")


@callback(
    Output(Ids.DATA_MAPPING_DOWNLOAD, "data"),
    Input(Ids.DATA_MAPPING_SAVE, "n_clicks"),
    State({"kind": Ids.DATA_MAP_FIELD, "file": ALL, "column": ALL}, "value"),
    prevent_initial_call=True,
)
def download_mapping(clicks, _values):
    """The mapping as shown, as JSON that "Saved mapping" and ``cli.py --mapping`` read back."""
    items = _wildcard_states(Ids.DATA_MAP_FIELD)
    if not clicks or not items:
        raise PreventUpdate
    by_kind: dict[str, dict[str, str | None]] = {}
    for item in items:
        value = item.get("value")
        by_kind.setdefault(item["id"]["file"], {})[item["id"]["column"]] = (
            None if value in (None, IGNORE) else value
        )
    content = by_kind if len(by_kind) > 1 else next(iter(by_kind.values()))
    return dcc.send_string(
        json.dumps(content, ensure_ascii=False, indent=2) + "\n", "hexalign-mapping.json"
    )


# --- the current data set's call plan, travel and team ------------------------------


@callback(
    Output(Ids.DATA_TEAM, "data"),
    Output({"kind": Ids.DATA_CALL_PLAN, "segment": ALL, "field": ALL}, "value"),
    Output({"kind": Ids.DATA_TRAVEL, "field": ALL}, "value"),
    Output(Ids.DATA_REPS_TABLE, "data"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.SECTIONS, "value"),
    prevent_initial_call=True,
)
def show_dataset(scenario, _tab):
    """Fill the editors from the scenario's data set (when a tab opens, and on every switch).

    Not on page load, which stays as light as it was: the tab is closed then.
    """
    _, reps, call_plan = datasets.current_inputs(database_url(), int(scenario["id"]))
    plan = call_plan.reindex(list(SEGMENTS))
    plan_values = [
        _plain(plan.loc[o["id"]["segment"], o["id"]["field"]]) for o in ctx.outputs_list[1]
    ]
    travel = datasets.travel_of(call_plan)
    travel_values = [getattr(travel, o["id"]["field"]) for o in ctx.outputs_list[2]]
    rows = [
        {f: _plain(v) for f, v in row.items()}
        for row in reps[list(datasets.REP_FIELDS)].to_dict("records")
    ]
    team = {"rep_ids": reps["rep_id"].astype(str).tolist()}
    return team, plan_values, travel_values, rows


def _plain(value):
    """JSON-safe scalar (numpy numbers to Python, NaN to None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.DATA_CALL_PLAN_STATUS, "children"),
    Input(Ids.DATA_CALL_PLAN_APPLY, "n_clicks"),
    State({"kind": Ids.DATA_CALL_PLAN, "segment": ALL, "field": ALL}, "value"),
    State({"kind": Ids.DATA_TRAVEL, "field": ALL}, "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def apply_call_plan(clicks, _plan, _travel, scenario):
    """Open a scenario with the same territories under the edited call plan and travel."""
    if not clicks:
        raise PreventUpdate
    values: dict[str, dict] = {}
    for item in _wildcard_states(Ids.DATA_CALL_PLAN):
        values.setdefault(item["id"]["segment"], {})[item["id"]["field"]] = item.get("value")
    travel_values = {i["id"]["field"]: i.get("value") for i in _wildcard_states(Ids.DATA_TRAVEL)}
    url, sid = database_url(), int(scenario["id"])
    try:
        call_plan = datasets.call_plan_from_values(values)
        travel = datasets.travel_from_values(travel_values)
        _, _, old_plan = datasets.current_inputs(url, sid)
        changes = datasets.call_plan_changes(
            old_plan, call_plan, datasets.travel_of(old_plan), travel
        )
        derived = datasets.apply_call_plan(url, sid, call_plan, travel) if changes else None
    except HexalignError as err:
        text = f"Not applied: {_sentence(err)}"
        return no_update, text, text
    if derived is None:
        text = "The call plan and travel are as they were: nothing to apply."
        return no_update, no_update, text
    text = (
        f"Call plan applied ({'; '.join(changes)}): team workload "
        f"{derived.hours_before:,.0f} → {derived.hours_after:,.0f} h/yr. "
        f"Opened as scenario “{derived.name}”; the previous one is unchanged."
    )
    if not derived.travel_used:
        text += " Note: the map still measures travel with the default settings."
    return {"id": derived.scenario_id}, text, text


@callback(
    Output(Ids.DATA_REPS_TABLE, "data", allow_duplicate=True),
    Output(Ids.DATA_TEAM_STATUS, "children", allow_duplicate=True),
    Input(Ids.DATA_REP_ADD, "n_clicks"),
    State({"kind": Ids.DATA_REP_NEW, "field": ALL}, "value"),
    State(Ids.DATA_REPS_TABLE, "data"),
    prevent_initial_call=True,
)
def add_rep(clicks, _values, rows):
    """Put a new rep into the team table (Apply makes it count)."""
    if not clicks:
        raise PreventUpdate
    values = {i["id"]["field"]: i.get("value") for i in _wildcard_states(Ids.DATA_REP_NEW)}
    rows = list(rows or [])
    try:
        row = datasets.new_rep_row(values, [r.get("rep_id") for r in rows])
    except HexalignError as err:
        return no_update, f"Not added: {_sentence(err)}"
    return rows + [row], f"{row['rep_id']} is in the table; Apply team changes to use it."


@callback(
    Output(new_rep_id("home_lat"), "value"),
    Output(new_rep_id("home_lon"), "value"),
    Input(Ids.DATA_REP_CENTRE, "n_clicks"),
    State(Ids.MAP, "relayoutData"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def home_at_map_centre(clicks, relayout, scenario):
    """The new rep's home: the centre of the map as the user panned it."""
    if not clicks:
        raise PreventUpdate
    centre = (relayout or {}).get("map.center")
    if centre:
        return round(float(centre["lat"]), 5), round(float(centre["lon"]), 5)
    board, _, _ = editing.load(database_url(), int(scenario["id"]))
    area = board.market.area
    return round(float(np.mean(area.lat)), 5), round(float(np.mean(area.lon)), 5)


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.DATA_TEAM_CONFIRM, "displayed"),
    Output(Ids.DATA_TEAM_CONFIRM, "message"),
    Output(Ids.DATA_TEAM_STATUS, "children"),
    Input(Ids.DATA_TEAM_APPLY, "n_clicks"),
    Input(Ids.DATA_TEAM_CONFIRM, "submit_n_clicks"),
    State(Ids.DATA_REPS_TABLE, "data"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def apply_team(_apply, _confirm, rows, scenario):
    """Open a scenario with the same territories and the edited team; removals ask first."""
    if ctx.triggered_id not in (Ids.DATA_TEAM_APPLY, Ids.DATA_TEAM_CONFIRM):
        raise PreventUpdate
    url, sid = database_url(), int(scenario["id"])
    try:
        reps = datasets.reps_from_rows(rows or [])
    except HexalignError as err:
        text = f"Not applied: {_sentence(err)}"
        return no_update, text, False, no_update, text
    _, old_reps, _ = datasets.current_inputs(url, sid)
    changes = datasets.team_changes(old_reps, reps)
    if not changes:
        return no_update, no_update, False, no_update, "The team is as it was: nothing to apply."
    if changes.removed and ctx.triggered_id == Ids.DATA_TEAM_APPLY:
        names = dict(zip(old_reps["rep_id"].astype(str), old_reps["name"].astype(str), strict=True))
        who = ", ".join(f"{r} {names.get(r, '')}".strip() for r in changes.removed)
        cells = datasets.cells_of(url, sid, changes.removed)
        question = (
            f"Remove {who}? Their {cells:,} cells become unassigned (nothing is lost: give them "
            "to other reps afterwards). A new scenario opens; the current one stays as it is."
        )
        return no_update, no_update, True, question, ""
    try:
        derived = datasets.apply_team(url, sid, reps)
    except HexalignError as err:
        text = f"Not applied: {_sentence(err)}"
        return no_update, text, False, no_update, text
    if derived is None:
        return no_update, no_update, False, no_update, "The team is as it was: nothing to apply."
    text = (
        f"Team changed ({changes.text()}): team workload {derived.hours_before:,.0f} → "
        f"{derived.hours_after:,.0f} h/yr, {derived.unassigned_cells:,} cells unassigned. "
        f"Opened as scenario “{derived.name}”; the previous one is unchanged."
    )
    return {"id": derived.scenario_id}, text, False, no_update, text
