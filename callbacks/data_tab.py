"""Data tab callbacks: import files (a background job with progress), edit call plan and team.

Each callback turns the page's payload into values, makes one service call
and shapes the answer: ``services.importing`` receives, checks and uses
files; ``services.datasets`` applies the call-plan and team editors.

Reading and checking a file runs in its own process (Dash's
DiskcacheManager), so a large file never blocks a worker; the job touches
only the session's upload folder, never the database. Storing the checked
data and every edit run in ordinary callbacks, which know the app's database.
Uploads live in one folder per browser session's import, so any worker can
check or use what another received.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
from dash import ALL, Input, NoUpdate, Output, State, callback, ctx, dcc, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from callbacks.jobs import JOBS, SetProgress, progress_reporter
from common.errors import HexalignError
from layouts.data_tab import (
    IGNORE,
    KINDS,
    check_report,
    files_line,
    mapping_editor,
    nothing_stored,
    nothing_to_use,
    report_view,
    sentence,
    unreadable_note,
)
from layouts.i18n import number, tr
from layouts.ids import (
    Ids,
    call_plan_id,
    choice_id,
    fix_id,
    map_field_id,
    new_rep_id,
    travel_id,
)
from planning.callplan import SEGMENTS, travel_of
from planning.team import EDITOR_FIELDS, new_rep_row
from services import datasets, importing

UPLOADS = {
    "accounts": Ids.DATA_ACCOUNTS_UPLOAD,
    "reps": Ids.DATA_REPS_UPLOAD,
    "mapping": Ids.DATA_MAPPING_UPLOAD,
}
Payload = dict | None
"""A ``dcc.Store``'s data as the browser sends it."""


def _wildcard_states(kind: str) -> list[dict]:
    """The ``{"id", "value"}`` items of a wildcard State whose ids are of ``kind``."""
    for item in ctx.states_list:
        if isinstance(item, list) and item and item[0]["id"].get("kind") == kind:
            return item
    return []


def mapping_values() -> dict[str, dict[str, str | None]]:
    """Kind -> column -> field (None: ignored) as the mapping editor shows it."""
    out: dict[str, dict[str, str | None]] = {}
    for item in _wildcard_states(Ids.DATA_MAP_FIELD):
        value = item.get("value")
        out.setdefault(item["id"]["file"], {})[item["id"]["column"]] = (
            None if value in (None, IGNORE) else value
        )
    return out


def row_decisions() -> dict[str, dict[int, str]]:
    """Kind -> row -> the decision picked in the report (rows left undecided too)."""
    out: dict[str, dict[int, str]] = {}
    for item in _wildcard_states(Ids.DATA_CHOICE):
        if item.get("value"):
            out.setdefault(item["id"]["file"], {})[int(item["id"]["row"])] = item["value"]
    return out


def row_fixes() -> dict[str, dict[int, dict[str, str]]]:
    """Kind -> row -> field -> the corrected value typed in the report."""
    out: dict[str, dict[int, dict[str, str]]] = {}
    for item in _wildcard_states(Ids.DATA_FIX):
        if item.get("value") not in (None, ""):
            row, field = int(item["id"]["row"]), item["id"]["field"]
            by_row = out.setdefault(item["id"]["file"], {})
            by_row.setdefault(row, {})[field] = str(item["value"]).strip()
    return out


def received_file(received: Payload) -> importing.Received | None:
    """The ``DATA_RECEIVED`` store's data as a value (None before any upload)."""
    if not received or not received.get("token"):
        return None
    return importing.Received(
        str(received["token"]), str(received.get("kind")), str(received.get("name") or ""),
        received.get("error"),
    )  # fmt: skip


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
def receive_upload(
    accounts: str | None,
    reps: str | None,
    mapping: str | None,
    a_name: str | None,
    r_name: str | None,
    m_name: str | None,
    state: Payload,
    previous: Payload,
) -> tuple[dict, None | NoUpdate, None | NoUpdate, None | NoUpdate]:
    """Put an uploaded file into the session's folder and drop it from the page.

    The browser would otherwise send the whole file again with every Check;
    the background job reads it from the folder instead. Every file the page
    still holds is kept, not only the one that triggered: when a second file
    is chosen before the first one's answer came back, the browser drops that
    answer (issue 12 point 7e), so the first file is still in the page and
    arrives here with the second, and both land in the same folder.
    """
    kind = {v: k for k, v in UPLOADS.items()}.get(ctx.triggered_id)
    held = {"accounts": (accounts, a_name), "reps": (reps, r_name), "mapping": (mapping, m_name)}
    if not kind or not held[kind][0]:
        raise PreventUpdate
    order = [kind, *(k for k in UPLOADS if k != kind and held[k][0])]
    token = (state or {}).get("token") or (previous or {}).get("token")
    received = importing.receive_all(
        token, [(k, held[k][1] or "", str(held[k][0])) for k in order]
    )[0]
    cleared = [None if k in order else no_update for k in UPLOADS]
    payload = {"token": received.token, "kind": kind, "name": held[kind][1],
               "error": received.error, "t": time.time()}  # fmt: skip
    return payload, cleared[0], cleared[1], cleared[2]


@callback(
    Output(Ids.DATA_RECEIVED, "data", allow_duplicate=True),
    Output(Ids.DATA_AREA_UPLOAD, "contents"),
    Output(Ids.DATA_AREA, "value"),
    Input(Ids.DATA_AREA_UPLOAD, "contents"),
    State(Ids.DATA_AREA_UPLOAD, "filename"),
    State(Ids.DATA_IMPORT, "data"),
    State(Ids.DATA_RECEIVED, "data"),
    prevent_initial_call=True,
)
def receive_boundary(
    contents: str | None, name: str | None, state: Payload, previous: Payload
) -> tuple[dict, None, str]:
    """Keep an uploaded planning-area boundary in the session's folder and choose it.

    The check that follows reads it and lists the accounts outside it (issue 11 point 3).
    """
    if not contents:
        raise PreventUpdate
    token = (state or {}).get("token") or (previous or {}).get("token")
    received = importing.receive(token, importing.BOUNDARY_KIND, name or "", contents)
    payload = {"token": received.token, "kind": importing.BOUNDARY_KIND, "name": name,
               "error": received.error, "t": time.time()}  # fmt: skip
    return payload, None, "upload"


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
    State(map_field_id(ALL, ALL), "value"),
    State(choice_id(ALL, ALL), "value"),
    State(fix_id(ALL, ALL, ALL), "value"),
    State(Ids.DATA_OPTIONS, "value"),
    State(Ids.DATA_TEAM, "data"),
    State(Ids.DATA_AREA, "value"),
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
    set_progress: SetProgress,
    received: Payload,
    _check: int | None,
    _use: int | None,
    state: Payload,
    _fields: list,
    _choices: list,
    _fixes: list,
    options: list[str] | None,
    team: Payload,
    area: str | None = None,
) -> tuple[dict, list, list, object, dict | NoUpdate]:
    """Read a received file, suggest its mapping, check every file; "Use" keeps the frames."""
    trigger = ctx.triggered_id
    state = dict(state or {})
    chosen = set(options or [])
    request = importing.CheckRequest(
        token=state.get("token"),
        files=state.get("files") or {},
        saved_mapping=state.get("saved_mapping"),
        received=received_file(received) if trigger == Ids.DATA_RECEIVED else None,
        mapping_edits=mapping_values(),
        decisions=row_decisions(),
        fixes=row_fixes(),
        exclude_errors="exclude" in chosen,
        accept_warnings="accept" in chosen,
        rep_ids=(team or {}).get("rep_ids"),
        team=tuple((team or {}).get("reps") or ()),
        use=trigger == Ids.DATA_USE,
        area=area or "land",
    )

    outcome = importing.check_uploads(
        request, lambda start, span: progress_reporter(set_progress, start, span)
    )
    if outcome is None:
        raise PreventUpdate  # nothing was uploaded yet

    state |= {"token": outcome.token, "files": outcome.files,
              "runs": int(state.get("runs", 0)) + 1}  # fmt: skip
    if outcome.saved_mapping is not None:
        state["saved_mapping"] = outcome.saved_mapping
    parts: list[Component] = [unreadable_note(kind, reason) for kind, reason in outcome.unreadable]
    result: dict | NoUpdate = no_update
    if request.use and not outcome.checks:
        parts.append(nothing_to_use())
    elif request.use and outcome.refused:
        parts.append(nothing_stored(outcome.refused))
    elif outcome.stored is not None:
        stored = outcome.stored
        result = {"token": stored.token, "kinds": list(stored.kinds), "name": stored.name,
                  "area": request.area, "t": time.time()}  # fmt: skip
    for kind in KINDS:
        if kind in outcome.checks:
            c = outcome.checks[kind]
            parts.append(
                report_view(
                    kind, c.report.source, c.counts, dict(c.report.excluded_because),
                    c.report.refused, c.problems, outcome.decisions[kind], outcome.fixes[kind],
                    c.report.header_row, fixable=importing.FIELDS[kind],
                    location=c.report.location_line() if kind == "accounts" else None,
                )
            )  # fmt: skip
    set_progress(("100", "100", "checked" if outcome.checks else "no file to check"))
    return (
        state,
        files_line(outcome.files),
        mapping_editor(outcome.files, importing.FIELDS, importing.REQUIRED),
        check_report(state["runs"], parts),
        result,
    )


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.DATA_USE_STATUS, "children"),
    Input(Ids.DATA_RESULT, "data"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def use_data(result: Payload, scenario: dict) -> tuple[dict | NoUpdate, str, str]:
    """Store the checked frames as a data set and switch the page to its working scenario."""
    if not result or not result.get("token"):
        raise PreventUpdate
    name = str(result["name"])
    try:
        used = importing.use_checked(
            database_url(), int(scenario["id"]), result["token"], result["kinds"], name,
            str(result.get("area") or "land"),
        )  # fmt: skip
    except (HexalignError, ValueError) as err:
        text = tr("The data could not be used: {error} The current data set is unchanged.").format(
            error=sentence(err)
        )
        return no_update, text, text
    if used is None:
        raise PreventUpdate
    text = tr("Now planning on “{name}”: {accounts} accounts, {reps} reps, scenario “{scenario}”.")
    text = text.format(
        name=name, accounts=number(used.accounts), reps=number(used.reps),
        scenario=used.scenario_name,
    )  # fmt: skip
    if used.cleared:
        text += " " + tr(
            "{n} accounts had a last owner outside the team and now have none."
        ).format(n=number(used.cleared))
    if used.outside:
        text += " " + tr(
            "{n} accounts lie outside the planning area and are not planned "
            "(the report lists their rows)."
        ).format(n=number(used.outside))
    return {"id": used.scenario_id}, text, text


@callback(
    Output(Ids.DATA_REPORT_DOWNLOAD, "data"),
    Input(Ids.DATA_REPORT_SAVE, "n_clicks"),
    State(Ids.DATA_IMPORT, "data"),
    prevent_initial_call=True,
)
def download_report(clicks: int | None, state: Payload) -> dict:
    """The problem rows of the last check as CSV."""
    text = importing.report_text((state or {}).get("token")) if clicks else None
    if text is None:
        raise PreventUpdate
    return dcc.send_string(text, "import-report.csv")


@callback(
    Output(Ids.DATA_MAPPING_DOWNLOAD, "data"),
    Input(Ids.DATA_MAPPING_SAVE, "n_clicks"),
    State(map_field_id(ALL, ALL), "value"),
    prevent_initial_call=True,
)
def download_mapping(clicks: int | None, _values: list) -> dict:
    """The mapping as shown, as JSON that "Saved mapping" and ``cli.py --mapping`` read back."""
    by_kind = mapping_values()
    if not clicks or not by_kind:
        raise PreventUpdate
    content = by_kind if len(by_kind) > 1 else next(iter(by_kind.values()))
    return dcc.send_string(
        json.dumps(content, ensure_ascii=False, indent=2) + "\n", "hexalign-mapping.json"
    )


# --- the current data set's call plan, travel and team ------------------------------


@callback(
    Output(Ids.DATA_TEAM, "data"),
    Output(call_plan_id(ALL, ALL), "value"),
    Output(travel_id(ALL), "value"),
    Output(Ids.DATA_REPS_TABLE, "data"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.SECTIONS, "value"),
    prevent_initial_call=True,
)
def show_dataset(scenario: dict, _tab: str | None) -> tuple[dict, list, list, list[dict]]:
    """Fill the editors from the scenario's data set (when a tab opens, and on every switch).

    Not on page load, which stays as light as it was: the tab is closed then.
    """
    _, reps, call_plan = datasets.current_inputs(database_url(), int(scenario["id"]))
    plan = call_plan.reindex(list(SEGMENTS))
    plan_values = [
        _plain(plan.loc[o["id"]["segment"], o["id"]["field"]]) for o in ctx.outputs_list[1]
    ]
    travel = travel_of(call_plan)
    travel_values = [getattr(travel, o["id"]["field"]) for o in ctx.outputs_list[2]]
    shown = [f for f in EDITOR_FIELDS if f in reps.columns]  # region, district: issue 14
    rows = [{f: _plain(v) for f, v in row.items()} for row in reps[shown].to_dict("records")]
    people = [c for c in ("rep_id", "name", "email", "crm_user_id") if c in reps.columns]
    team = {
        "rep_ids": reps["rep_id"].astype(str).tolist(),
        # owners named by name, e-mail or CRM user id are matched to these (issue 11)
        "reps": reps[people].astype("string").fillna("").to_dict("records"),
    }
    return team, plan_values, travel_values, rows


def _plain(value: object) -> object:
    """JSON-safe scalar (numpy numbers to Python, NaN to None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is pd.NA:
        return None
    return value


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.DATA_CALL_PLAN_STATUS, "children"),
    Input(Ids.DATA_CALL_PLAN_APPLY, "n_clicks"),
    State(call_plan_id(ALL, ALL), "value"),
    State(travel_id(ALL), "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def apply_call_plan(
    clicks: int | None, _plan: list, _travel: list, scenario: dict
) -> tuple[dict | NoUpdate, str | NoUpdate, str]:
    """Open a scenario with the same territories under the edited call plan and travel."""
    if not clicks:
        raise PreventUpdate
    values: dict[str, dict[str, object]] = {}
    for item in _wildcard_states(Ids.DATA_CALL_PLAN):
        values.setdefault(item["id"]["segment"], {})[item["id"]["field"]] = item.get("value")
    travel_values = {i["id"]["field"]: i.get("value") for i in _wildcard_states(Ids.DATA_TRAVEL)}
    try:
        edit = datasets.edit_call_plan(database_url(), int(scenario["id"]), values, travel_values)
    except HexalignError as err:
        text = tr("Not applied: {error}").format(error=sentence(err))
        return no_update, text, text
    derived = edit.derived
    if derived is None:
        text = tr("The call plan and travel are as they were: nothing to apply.")
        return no_update, no_update, text
    text = tr(
        "Call plan applied ({changes}): team workload {before} → {after} h/yr. "
        "Opened as scenario “{name}”; the previous one is unchanged."
    ).format(
        changes="; ".join(edit.changes), before=number(derived.hours_before),
        after=number(derived.hours_after), name=derived.name,
    )  # fmt: skip
    if not derived.travel_used:
        text += " " + tr("Note: the map still measures travel with the default settings.")
    return {"id": derived.scenario_id}, text, text


@callback(
    Output(Ids.DATA_REPS_TABLE, "data", allow_duplicate=True),
    Output(Ids.DATA_TEAM_STATUS, "children", allow_duplicate=True),
    Input(Ids.DATA_REP_ADD, "n_clicks"),
    State(new_rep_id(ALL), "value"),
    State(Ids.DATA_REPS_TABLE, "data"),
    prevent_initial_call=True,
)
def add_rep(
    clicks: int | None, _values: list, rows: list[dict] | None
) -> tuple[list[dict] | NoUpdate, str]:
    """Put a new rep into the team table (Apply makes it count)."""
    if not clicks:
        raise PreventUpdate
    values = {i["id"]["field"]: i.get("value") for i in _wildcard_states(Ids.DATA_REP_NEW)}
    rows = list(rows or [])
    try:
        row = new_rep_row(values, [str(r.get("rep_id")) for r in rows])
    except HexalignError as err:
        return no_update, tr("Not added: {error}").format(error=sentence(err))
    said = tr("{rep} is in the table; Apply team changes to use it.").format(rep=row["rep_id"])
    return rows + [row], said


@callback(
    Output(new_rep_id("home_lat"), "value"),
    Output(new_rep_id("home_lon"), "value"),
    Input(Ids.DATA_REP_CENTRE, "n_clicks"),
    State(Ids.MAP, "relayoutData"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def home_at_map_centre(
    clicks: int | None, relayout: dict | None, scenario: dict
) -> tuple[float, float]:
    """The new rep's home: the centre of the map as the user panned it."""
    if not clicks:
        raise PreventUpdate
    centre = (relayout or {}).get("map.center")
    if centre:
        return round(float(centre["lat"]), 5), round(float(centre["lon"]), 5)
    lat, lon = datasets.area_centre(database_url(), int(scenario["id"]))
    return round(lat, 5), round(lon, 5)


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
def apply_team(
    _apply: int | None, _confirm: int | None, rows: list[dict] | None, scenario: dict
) -> tuple[dict | NoUpdate, str | NoUpdate, bool, str | NoUpdate, str]:
    """Open a scenario with the same territories and the edited team; removals ask first."""
    trigger = ctx.triggered_id
    if trigger not in (Ids.DATA_TEAM_APPLY, Ids.DATA_TEAM_CONFIRM):
        raise PreventUpdate
    try:
        edit = datasets.edit_team(
            database_url(), int(scenario["id"]), rows or [],
            confirmed=trigger == Ids.DATA_TEAM_CONFIRM,
        )  # fmt: skip
    except HexalignError as err:
        text = tr("Not applied: {error}").format(error=sentence(err))
        return no_update, text, False, no_update, text
    if edit.needs_confirmation:
        who = ", ".join(f"{rep} {name}".strip() for rep, name in edit.removing)
        question = tr(
            "Remove {who}? Their {cells} cells become unassigned (nothing is lost: give "
            "them to other reps afterwards). A new scenario opens; the current one stays as it is."
        ).format(who=who, cells=number(edit.cells))
        return no_update, no_update, True, question, ""
    derived = edit.derived
    if derived is None:
        said = tr("The team is as it was: nothing to apply.")
        return no_update, no_update, False, no_update, said
    text = tr(
        "Team changed ({changes}): team workload {before} → {after} h/yr, "
        "{cells} cells unassigned. Opened as scenario “{name}”; the previous one is unchanged."
    ).format(
        changes=edit.changes.text(), before=number(derived.hours_before),
        after=number(derived.hours_after), cells=number(derived.unassigned_cells),
        name=derived.name,
    )  # fmt: skip
    return {"id": derived.scenario_id}, text, False, no_update, text
