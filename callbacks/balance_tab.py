"""Auto-balance in the app: a background job with progress, stop-and-keep-best and cancel.

The job runs in its own process (Dash's DiskcacheManager), so any worker can
start it and the page stays responsive; its outcome is a new scenario.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, cast

from dash import Input, NoUpdate, Output, State, callback, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from callbacks.jobs import JOBS, SetProgress, job_cache
from common.settings import Settings
from layouts.balance_tab import region_choices
from layouts.bounds import (
    BALANCE_TOLERANCE,
    COMPACTNESS,
    EXPERIENCE_WEIGHT,
    MAX_MOVED,
    TIME_LIMIT,
    check,
)
from layouts.ids import Ids
from layouts.panel import pct
from planning.optimizer import BalanceResult
from planning.optimizer import Settings as BalanceSettings
from services import editing, hierarchy

Mode = Literal["rebalance", "design"]


def stop_key(scenario_id: int) -> str:
    """Where the "stop and keep best" request for a scenario's job is left."""
    return f"hexalign-stop:{scenario_id}"


def run_key(scenario_id: int) -> str:
    """Where the start time of a scenario's running job is left (for Cancel's sentence)."""
    return f"hexalign-run:{scenario_id}"


def form_problems(
    tolerance_pct: float | str | None,
    max_moved_pct: float | str | None,
    compactness: float | str | None,
    time_limit: float | str | None,
) -> list[str]:
    """One sentence per field outside its bounds, or holding no number (issue 12 point 7d).

    The browser sends no number for a value outside a field's ``min``/``max``, so a
    run with such a field is refused rather than run on a default nobody chose.
    """
    fields = (
        (BALANCE_TOLERANCE, tolerance_pct), (MAX_MOVED, max_moved_pct),
        (COMPACTNESS, compactness), (TIME_LIMIT, time_limit),
    )  # fmt: skip
    out = []
    for bounds, value in fields:
        if check(bounds, value).message is not None:
            out.append(f"{bounds.must()}.")
    return out


def balance_settings(
    mode: str | None,
    measures: list[str] | None,
    tolerance_pct: float | str | None,
    max_moved_pct: float | str | None,
    compactness: float | str | None,
    time_limit: float | str | None,
    seed: int | str | None,
    minimize: str | None = None,
) -> BalanceSettings:
    """The optimizer's settings from the form, each number within its field's bounds."""
    chosen = [m for m in (measures or ["workload"]) if m in ("workload", "tam")] or ["workload"]
    weights = minimize_weights(minimize, compactness)  # issue 13 (h13)
    return BalanceSettings(
        balance=tuple((m, 1.0) for m in chosen),
        tolerance=check(BALANCE_TOLERANCE, tolerance_pct).value / 100,
        mode=cast(Mode, mode or "rebalance"),  # Settings refuses any other value
        disruption_cap=check(MAX_MOVED, max_moved_pct).value / 100,
        compactness_weight=weights["compactness_weight"],
        cost_weight=weights["cost_weight"],
        disruption_weight=weights["disruption_weight"],
        improve=minimize is not None,
        time_limit=check(TIME_LIMIT, time_limit).value,
        seed=int(seed or 0),
        max_capacity=True,
    )


def experience_problems(value: float | str | None) -> list[str]:
    """The experience weight's sentence when it is outside its bounds (issue 15); blank is 0.

    >>> experience_problems(None), experience_problems(2)
    ([], [])
    >>> experience_problems(-1)
    ['Experience weight must be a number from 0 to 100.']
    """
    if value in (None, ""):
        return []
    if check(EXPERIENCE_WEIGHT, value).message is not None:
        return [f"{EXPERIENCE_WEIGHT.must()}."]
    return []


def experience_weight_of(value: float | str | None) -> float:
    """The typed experience weight (issue 15): blank means 0, not considered."""
    if value in (None, ""):
        return 0.0
    return check(EXPERIENCE_WEIGHT, value).value


def refused(problems: list[str]) -> html.Div:
    """The result line of a run the form's values refused."""
    return html.Div(
        [html.P("Nothing was run:"), html.Ul([html.Li(p) for p in problems])],
        className="balance-refused",
    )


def outcome(result: BalanceResult, new_name: str) -> html.Ul:
    """What the proposal achieved, in words."""
    lines = [
        f"Opened as scenario “{new_name}”: worst deviation {pct(abs(result.worst_deviation))}, "
        f"{pct(result.disruption)} of accounts moved, "
        f"{int(result.contiguous.sum())}/{len(result.contiguous)} territories in one piece, "
        f"{result.runtime:.1f} s{' (stopped early: best so far)' if result.stopped_early else ''}.",
    ]
    # issue 13 point 3 (h13b): why the run stopped comes second, right under the figures
    stops = [m for m in result.messages if m.startswith("stopped:")]
    lines += [m[0].upper() + m[1:] + "." for m in stops]
    lines += [m for m in result.messages if not m.startswith("stopped:")]
    lines += optimality_lines(result)  # issue 13 (h13): the gap beside the result
    return html.Ul([html.Li(line) for line in lines])


def minimize_weights(minimize: str | None, compactness: float | str | None) -> dict[str, float]:
    """Weights of the secondary objective for the "after balance, minimise" choice (issue 13).

    Accounts moved (the default, as before): disruption 1 and the compactness
    field; travel: cost 1 and the compactness field, accounts moved free;
    compactness: the compactness field (at least 1), nothing else.
    """
    compact = float(compactness if compactness not in (None, "") else 1.0)
    if minimize == "travel":
        return {"cost_weight": 1.0, "disruption_weight": 0.0, "compactness_weight": compact}
    if minimize == "compactness":
        return {
            "cost_weight": 0.0,
            "disruption_weight": 0.0,
            "compactness_weight": max(compact, 1.0),
        }
    return {"cost_weight": 0.0, "disruption_weight": 1.0, "compactness_weight": compact}


def progress_objective(state: dict[str, Any]) -> str:
    """The current best objective and bound, when the optimizer reports them (issue 13)."""
    parts = []
    if state.get("objective") is not None:
        parts.append(f"objective {float(state['objective']):.4g}")
    if state.get("bound") is not None:
        parts.append(f"bound {float(state['bound']):.4g}")
    return ", " + ", ".join(parts) if parts else ""


def optimality_lines(result: BalanceResult) -> list[str]:
    """How far the proposal may be from the best possible, when a bound was proven (issue 13).

    "Proven optimal" only at gap zero; otherwise "within X % of the best
    possible". Large maps come without a bound: saying nothing beats guessing.
    """
    if result.bound is None or result.gap is None:
        return []
    return [f"Objective {result.objective.secondary:.4g}: {result.status}."]


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.BALANCE_RESULT, "children"),
    Input(Ids.BALANCE_RUN, "n_clicks"),
    State(Ids.SCENARIO, "data"),
    State(Ids.BALANCE_MODE, "value"),
    State(Ids.BALANCE_MEASURES, "value"),
    State(Ids.BALANCE_TOLERANCE, "value"),
    State(Ids.BALANCE_MAX_DISRUPTION, "value"),
    State(Ids.BALANCE_COMPACTNESS, "value"),
    State(Ids.BALANCE_TIME_LIMIT, "value"),
    State(Ids.BALANCE_SEED, "value"),
    State(Ids.BALANCE_REGION, "value"),
    State(Ids.BALANCE_MINIMIZE, "value"),  # issue 13 (h13)
    State(Ids.BALANCE_EXPERIENCE, "value"),  # issue 15 (h15d)
    background=True,
    manager=JOBS,
    running=[
        (Output(Ids.BALANCE_RUN, "disabled"), True, False),
        (Output(Ids.BALANCE_STOP, "disabled"), False, True),
        (Output(Ids.BALANCE_CANCEL, "disabled"), False, True),
    ],
    cancel=[Input(Ids.BALANCE_CANCEL, "n_clicks")],
    progress=[
        Output(Ids.BALANCE_PROGRESS, "value"),
        Output(Ids.BALANCE_PROGRESS, "max"),
        Output(Ids.BALANCE_STATUS, "children"),
    ],
    prevent_initial_call=True,
)
def run_balance(
    set_progress: SetProgress,
    n_clicks: int | None,
    scenario: dict[str, Any],
    mode: str | None,
    measures: list[str] | None,
    tol: float | str | None,
    max_moved: float | str | None,
    compact: float | str | None,
    limit: float | str | None,
    seed: int | str | None,
    region: str | None = None,
    minimize: str | None = None,
    experience: float | str | None = None,
) -> tuple[dict[str, int] | NoUpdate, html.Ul | html.Div]:
    """Balance the current scenario (or one region of it) into a new one and switch to it."""
    if not n_clicks:
        raise PreventUpdate
    problems = form_problems(tol, max_moved, compact, limit) + experience_problems(experience)
    if problems:
        set_progress(("0", "100", "not run: see below"))
        return no_update, refused(problems)
    url = Settings.from_env().database_url
    settings = balance_settings(mode, measures, tol, max_moved, compact, limit, seed, minimize)
    sid = int(scenario["id"])
    cache = job_cache()
    cache.delete(stop_key(sid))
    cache.set(run_key(sid), datetime.now(UTC).isoformat(), expire=3600)
    limit_s = settings.time_limit if settings.time_limit is not None else 60.0

    def progress(state: dict[str, Any]) -> None:
        elapsed = float(state.get("elapsed", 0.0))
        text = (
            f"{state.get('phase', 'searching')}: round {state.get('iteration', 0)}, "
            f"best worst deviation {pct(abs(state.get('worst_deviation') or 0))}, {elapsed:.0f} s"
        )
        text += progress_objective(state)  # issue 13 (h13)
        set_progress((str(int(min(elapsed, limit_s))), str(int(limit_s)), text))

    set_progress(("0", str(int(limit_s)), "starting…"))
    balanced = editing.balance_to_new_scenario(
        url, sid, settings, should_stop=lambda: bool(cache.get(stop_key(sid))), progress=progress,
        region=region or None, experience_weight=experience_weight_of(experience),
    )  # fmt: skip
    set_progress((str(int(limit_s)), str(int(limit_s)), "done"))
    return {"id": balanced.scenario_id}, outcome(balanced.result, balanced.name)


@callback(
    Output(Ids.BALANCE_STATUS, "children", allow_duplicate=True),
    Input(Ids.BALANCE_STOP, "n_clicks"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def stop_balance(n_clicks: int | None, scenario: dict[str, Any]) -> str:
    """Ask the running job to stop and keep the best plan found so far."""
    if not n_clicks:
        raise PreventUpdate
    job_cache().set(stop_key(int(scenario["id"])), True, expire=3600)
    return "stopping: the best plan so far will open as a new scenario…"


@callback(
    Output(Ids.BALANCE_STATUS, "children", allow_duplicate=True),
    Output(Ids.BALANCE_PROGRESS, "value", allow_duplicate=True),
    Input(Ids.BALANCE_CANCEL, "n_clicks"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def cancel_status(n_clicks: int | None, scenario: dict[str, Any]) -> tuple[str, str]:
    """Say that the run was cancelled, and what was kept (issue 12 point 7f).

    Cancel ends the job's process (Dash's ``cancel``), which left the last progress
    line ("searching: round 12 ...") on the page. A run ended after it had stored its
    result keeps that scenario, and the sentence names it.
    """
    if not n_clicks:
        raise PreventUpdate
    sid = int(scenario["id"])
    started = job_cache().get(run_key(sid))
    since = datetime.fromisoformat(started) if started else None
    kept = [] if since is None else editing.balanced_since(database_url(), sid, since)
    return cancelled_text(kept), "0"


def cancelled_text(kept: list[str]) -> str:
    """The status line after Cancel.

    >>> cancelled_text([])
    'Auto-balance cancelled: nothing was kept; the plan on the map is unchanged.'
    >>> cancelled_text(["Auto-balance of Working plan"])
    'Auto-balance cancelled after it had finished: “Auto-balance of Working plan” was kept (see Scenarios); the plan on the map is unchanged.'
    """  # noqa: E501
    if not kept:
        return "Auto-balance cancelled: nothing was kept; the plan on the map is unchanged."
    names = ", ".join(f"“{n}”" for n in kept)
    return (
        f"Auto-balance cancelled after it had finished: {names} was kept (see Scenarios); "
        "the plan on the map is unchanged."
    )


@callback(
    Output(Ids.BALANCE_REGION, "options"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.SECTIONS, "value"),
    prevent_initial_call=True,
)
def region_options(scenario: dict[str, Any], _tab: str | None) -> list[dict[str, str]]:
    """Issue 14: the whole team, or one of its regions (filled when a tab opens or on a switch)."""
    names, _ = hierarchy.team_groups(database_url(), int(scenario["id"]))
    return region_choices(names)
