"""Changing what a plan is measured on: imported files, the call plan, travel, the team.

A stored data set never changes (scenarios point at it, and ``editing.board``
caches its market). Every edit here therefore makes a *new* data set with
the edited part and a new scenario on it that carries the current plan over:

- same cells: the new scenario reuses the current planning area
  (``area_cells``), so every cell keeps its position;
- same owners: rep positions are remapped by ``rep_id`` (``carried_owner``);
  a removed rep's cells become unassigned (-1), never lost; locks stay.

Travel settings (``TravelModel``) belong to the data set: they are stored as
three extra columns of the call-plan frame (``TRAVEL_COLUMNS``, the same value
on every segment row), written only when they differ from the defaults, so a
data set with default travel keeps its fingerprint. ``travel_of`` reads them
back; the new scenario's ``settings["travel"]`` holds them too, which is where
``cli.py export`` looks. ``build_market`` reads only the three call-plan
columns, so the travel columns are ignored wherever ``travel_of`` is not asked.

Importing goes through the same store: ``check_import`` reads and checks a
file (``data.importing``) twice, without and with the user's row choices, so the
problem list stays complete while the counts follow the choices.
"""

from __future__ import annotations

import base64
import binascii
import io
import pickle
import re
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import FileUnreadableError, HexalignError, InputError
from data.importing import ImportReport, RowChoice, import_table
from data.mapping import FIELDS, REQUIRED, mapping_for_kind, suggest_mapping
from data.readers import Progress, RawTable, read_raw
from data.validation import validate_reps
from planning.callplan import CHANNELS, SEGMENTS, TRAVEL_COLUMNS, TravelModel, travel_of
from planning.market import UNASSIGNED
from planning.names import unique_name
from planning.plan import Plan
from services import editing

CALL_PLAN_FIELDS = ("visits_per_year", "minutes_per_visit", "channel")
REP_FIELDS = ("rep_id", "name", "home_lat", "home_lon", "capacity_hours")
MAX_CHOICE_ROWS = 200
"""Problem rows offered one by one; beyond them only the bulk options apply."""
STASH_MAX_AGE_S = 24 * 3600


class EditError(HexalignError, ValueError):
    """An edit of the call plan, travel or team that cannot be applied as typed."""


# --- call plan and travel ------------------------------------------------------------


def call_plan_with_travel(call_plan: pd.DataFrame, travel: TravelModel) -> pd.DataFrame:
    """The call plan holding ``travel`` in its travel columns (none for the default model)."""
    plan = call_plan.drop(columns=[c for c in TRAVEL_COLUMNS if c in call_plan.columns])
    if travel != TravelModel():
        for name, value in asdict(travel).items():
            plan[name] = float(value)
    return plan


def call_plan_from_values(values: Mapping[str, Mapping[str, object]]) -> pd.DataFrame:
    """A call plan from typed values, segment -> field -> value, or one sentence saying why not.

    Visits and minutes are numbers >= 0; the channel is ``field`` or ``remote``.
    """
    rows = []
    for segment in SEGMENTS:
        given = values.get(segment, {})
        visits = _number(given.get("visits_per_year"), f"segment {segment} visits/year")
        minutes = _number(given.get("minutes_per_visit"), f"segment {segment} minutes/visit")
        channel = str(given.get("channel") or "")
        if channel not in CHANNELS:
            raise EditError(
                f"segment {segment} channel must be {' or '.join(CHANNELS)}, got {channel!r}"
            )
        rows.append((visits, minutes, channel))
    return pd.DataFrame(
        rows, columns=list(CALL_PLAN_FIELDS), index=pd.Index(list(SEGMENTS), name="segment")
    )


def travel_from_values(values: Mapping[str, object]) -> TravelModel:
    """A travel model from typed values; each must be a number above zero."""
    names = {"circuity": "circuity", "speed_kmh": "speed (km/h)", "visits_per_trip": "visits/trip"}
    numbers = {}
    for field, label in names.items():
        v = _number(values.get(field), label)
        if v <= 0:
            raise EditError(f"{label} must be above zero, got {v:g}")
        numbers[field] = v
    return TravelModel(**numbers)


def call_plan_changes(
    old: pd.DataFrame, new: pd.DataFrame, old_travel: TravelModel, new_travel: TravelModel
) -> list[str]:
    """What an edit changes, in words: ``A visits/year 52 → 104``, ``speed (km/h) 60 → 50``."""
    labels = {"visits_per_year": "visits/year", "minutes_per_visit": "minutes/visit",
              "channel": "channel"}  # fmt: skip
    a, b = old.reindex(list(SEGMENTS)), new.reindex(list(SEGMENTS))
    out = []
    for segment in SEGMENTS:
        for field, label in labels.items():
            before, after = a.loc[segment, field], b.loc[segment, field]
            if field == "channel" and str(before) != str(after):
                out.append(f"{segment} {label} {before} → {after}")
            elif field != "channel" and not np.isclose(float(before), float(after)):
                out.append(f"{segment} {label} {float(before):g} → {float(after):g}")
    names = {"circuity": "circuity", "speed_kmh": "speed (km/h)", "visits_per_trip": "visits/trip"}
    for field, label in names.items():
        before, after = getattr(old_travel, field), getattr(new_travel, field)
        if not np.isclose(before, after):
            out.append(f"{label} {before:g} → {after:g}")
    return out


def _number(value: object, label: str) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise EditError(f"{label} must be a number, got {value!r}") from None
    if not np.isfinite(v) or v < 0:
        raise EditError(f"{label} must be a number >= 0, got {value!r}")
    return v


# --- the team ------------------------------------------------------------------------


def carried_owner(
    owner: np.ndarray, old_rep_ids: Iterable[str], new_rep_ids: Iterable[str]
) -> np.ndarray:
    """Cell owners as positions of the new team: same rep_id, same cells; gone reps -> -1."""
    old = np.asarray([str(r) for r in old_rep_ids], dtype=object)
    new_index = pd.Index([str(r) for r in new_rep_ids])
    where = new_index.get_indexer(old) if len(old) else np.zeros(0, np.int64)
    owner = np.asarray(owner, dtype=np.int64)
    lookup = np.append(where, UNASSIGNED)  # owner -1 reads the last slot
    return lookup[np.where(owner >= 0, owner, len(where))].astype(np.int64)


def accounts_for_team(accounts: pd.DataFrame, rep_ids: Iterable[str]) -> tuple[pd.DataFrame, int]:
    """Accounts whose last owner is outside the team lose that owner (and their pin).

    Returns the accounts and how many lost their owner.
    """
    if "rep_id" not in accounts.columns:
        return accounts, 0
    known = set(map(str, rep_ids))
    owner = accounts["rep_id"].astype("string")
    gone = (owner.notna() & ~owner.isin(known)).to_numpy(bool)
    if not gone.any():
        return accounts, 0
    out = accounts.copy()
    out["rep_id"] = owner.mask(gone)
    if "pinned" in out.columns:
        out["pinned"] = out["pinned"].fillna(False).astype(bool) & ~gone
    return out, int(gone.sum())


def reps_from_rows(rows: list[Mapping[str, object]]) -> pd.DataFrame:
    """The team as typed in the reps editor, checked like a reps file, in rep_id order."""
    if not rows:
        raise EditError("the team needs at least one rep")
    raw = pd.DataFrame(
        [{f: "" if r.get(f) is None else str(r.get(f)) for f in (*REP_FIELDS, "region")}
         for r in rows]
    )  # fmt: skip
    try:
        return validate_reps(raw, source="team", decimal=".")
    except InputError as err:
        first = err.problems[0] if err.problems else None
        raise EditError(
            f"the team cannot be used: {first.reason if first else err}"
            + (f" (and {len(err.problems) - 1} more)" if len(err.problems) > 1 else "")
        ) from None


def new_rep_row(values: Mapping[str, object], taken: Iterable[str]) -> dict[str, object]:
    """A row for the team table from the "add a rep" form, or one sentence saying why not."""
    rep_id = str(values.get("rep_id") or "").strip()
    if not rep_id:
        raise EditError("a new rep needs a rep id")
    if rep_id in set(map(str, taken)):
        raise EditError(f"rep id {rep_id!r} is taken; pick another")
    lat = _signed(values.get("home_lat"), "home lat")
    lon = _signed(values.get("home_lon"), "home lon")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise EditError(f"home {lat:g}, {lon:g} is not a latitude, longitude pair")
    capacity = _number(values.get("capacity_hours"), "capacity")
    if capacity <= 0:
        raise EditError(f"capacity must be above zero, got {capacity:g}")
    name = str(values.get("name") or "").strip() or rep_id
    return {"rep_id": rep_id, "name": name, "home_lat": lat, "home_lon": lon,
            "capacity_hours": capacity}  # fmt: skip


def _signed(value: object, label: str) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise EditError(f"{label} must be a number, got {value!r}") from None
    if not np.isfinite(v):
        raise EditError(f"{label} must be a number, got {value!r}")
    return v


@dataclass(frozen=True)
class TeamChanges:
    """What differs between two teams, by rep_id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    capacity: tuple[tuple[str, float, float], ...]
    moved: tuple[str, ...]
    renamed: tuple[str, ...]

    def __bool__(self) -> bool:
        return any((self.added, self.removed, self.capacity, self.moved, self.renamed))

    def text(self) -> str:
        """The changes in words."""
        parts = []
        if self.added:
            parts.append("added " + ", ".join(self.added))
        if self.removed:
            parts.append("removed " + ", ".join(self.removed))
        parts += [f"{r} capacity {a:,.0f} → {b:,.0f} h/yr" for r, a, b in self.capacity]
        if self.moved:
            parts.append("new home for " + ", ".join(self.moved))
        if self.renamed:
            parts.append("renamed " + ", ".join(self.renamed))
        return "; ".join(parts) or "no change"


def team_changes(old: pd.DataFrame, new: pd.DataFrame) -> TeamChanges:
    """Added, removed and edited reps, in rep_id order."""
    a = old.set_index(old["rep_id"].astype(str))
    b = new.set_index(new["rep_id"].astype(str))
    both = [r for r in b.index if r in a.index]
    capacity = tuple(
        (r, float(a.loc[r, "capacity_hours"]), float(b.loc[r, "capacity_hours"]))
        for r in both
        if not np.isclose(a.loc[r, "capacity_hours"], b.loc[r, "capacity_hours"])
    )
    moved = tuple(
        r
        for r in both
        if not (
            np.isclose(a.loc[r, "home_lat"], b.loc[r, "home_lat"])
            and np.isclose(a.loc[r, "home_lon"], b.loc[r, "home_lon"])
        )
    )
    renamed = tuple(r for r in both if str(a.loc[r, "name"]) != str(b.loc[r, "name"]))
    return TeamChanges(
        added=tuple(r for r in b.index if r not in a.index),
        removed=tuple(r for r in a.index if r not in b.index),
        capacity=capacity,
        moved=moved,
        renamed=renamed,
    )


# --- deriving a data set and a scenario ----------------------------------------------


@dataclass(frozen=True)
class Derived:
    """A new scenario on a new data set, with what changed in numbers."""

    scenario_id: int
    dataset_id: int
    name: str
    hours_before: float
    hours_after: float
    unassigned_cells: int
    travel_used: bool
    """False when the app's market ignored the stored travel settings."""


def total_hours(plan: Plan) -> float:
    """Visit plus travel hours of the whole market (every rep and the unassigned)."""
    t = plan.tally
    return float(int(t.visit_s.sum()) + int(t.travel_s.sum())) / 3600.0


def derive_scenario(
    url: str,
    scenario_id: int,
    label: str,
    *,
    accounts: pd.DataFrame | None = None,
    reps: pd.DataFrame | None = None,
    call_plan: pd.DataFrame | None = None,
) -> Derived | None:
    """A new data set with the given parts replaced, and a scenario carrying the plan over.

    Returns None when the parts equal the current ones (same fingerprint:
    nothing to do). The new scenario is named after the current one and
    ``label``; its parent is the current scenario.
    """
    store = editing.open_store(url)
    record = store.scenario(scenario_id)
    old_board, old_plan, _ = editing.load(url, scenario_id)
    cur_accounts, cur_reps, cur_plan = store.load_dataset(record.dataset_id)
    accounts = cur_accounts if accounts is None else accounts
    reps = cur_reps if reps is None else reps
    call_plan = cur_plan if call_plan is None else call_plan
    accounts, _ = accounts_for_team(accounts, reps["rep_id"])
    names = {d.id: d.name for d in store.datasets()}
    base = re.sub(r" \((call plan|team) edited( \d+)?\)$", "", names.get(record.dataset_id, ""))
    dataset_id = store.ensure_dataset(f"{base} ({label} edited)", accounts, reps, call_plan)
    if dataset_id == record.dataset_id:
        return None
    owner = carried_owner(record.owner, cur_reps["rep_id"], reps["rep_id"])
    new_board = editing.board(url, dataset_id, record.resolution, record.area_id)
    if new_board.market.n_cells != old_board.market.n_cells:
        raise EditError(
            f"the edited data tiles into {new_board.market.n_cells} cells, the plan has "
            f"{old_board.market.n_cells}; the plan cannot be carried over"
        )
    plan = Plan.from_owner(new_board.market, owner, record.locked)
    area_cells = new_board.market.area.cells if record.area_id is not None else None
    base_plan = new_board.baseline
    store.ensure_baseline(
        dataset_id, record.resolution, base_plan.owner, base_plan.locked,
        tally=editing.tally_to_bytes(base_plan.tally), area_cells=area_cells,
    )  # fmt: skip
    travel = travel_of(call_plan)
    taken = {s.name for s in store.scenarios(dataset_id)}
    name = unique_name(taken, f"{_stem(record.name)} ({label} edited)")
    new_id = store.create_scenario(
        dataset_id, name, record.resolution, plan.owner, plan.locked,
        tally=editing.tally_to_bytes(plan.tally), parent_id=scenario_id,
        settings={**record.settings, "travel": asdict(travel)}, area_cells=area_cells,
    )  # fmt: skip
    return Derived(
        scenario_id=new_id,
        dataset_id=dataset_id,
        name=name,
        hours_before=total_hours(old_plan),
        hours_after=total_hours(plan),
        unassigned_cells=int((plan.owner == UNASSIGNED).sum()),
        travel_used=new_board.market.travel == travel,
    )


def _stem(name: str) -> str:
    return re.sub(r" \((call plan|team) edited( \d+)?\)$", "", name)


def apply_call_plan(
    url: str, scenario_id: int, call_plan: pd.DataFrame, travel: TravelModel
) -> Derived | None:
    """Measure the current plan under another call plan and travel model (new data set)."""
    return derive_scenario(
        url, scenario_id, "call plan", call_plan=call_plan_with_travel(call_plan, travel)
    )


def apply_team(url: str, scenario_id: int, reps: pd.DataFrame) -> Derived | None:
    """Measure the current plan with another team; a removed rep's cells become unassigned."""
    return derive_scenario(url, scenario_id, "team", reps=reps)


def current_inputs(url: str, scenario_id: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Accounts, reps and call plan of a scenario's data set."""
    store = editing.open_store(url)
    return store.load_dataset(store.scenario(scenario_id).dataset_id)


def cells_of(url: str, scenario_id: int, rep_ids: Iterable[str]) -> int:
    """How many cells these reps own in the scenario (what removing them unassigns)."""
    store = editing.open_store(url)
    record = store.scenario(scenario_id)
    _, reps, _ = store.load_dataset(record.dataset_id)
    positions = np.flatnonzero(reps["rep_id"].astype(str).isin(set(map(str, rep_ids))).to_numpy())
    return int(np.isin(record.owner, positions).sum())


def use_import(
    url: str,
    scenario_id: int,
    name: str,
    accounts: pd.DataFrame | None,
    reps: pd.DataFrame | None,
) -> tuple[int, int, int]:
    """Store imported accounts and/or reps as a data set; the missing part is the current one.

    Returns the data set id, its working scenario id, and how many accounts
    lost a last owner who is not in the team.
    """
    cur_accounts, cur_reps, call_plan = current_inputs(url, scenario_id)
    accounts = cur_accounts if accounts is None else accounts
    reps = cur_reps if reps is None else reps
    accounts, cleared = accounts_for_team(accounts, reps["rep_id"])
    dataset_id, working = editing.ensure_scenarios(url, name, accounts, reps, call_plan)
    return dataset_id, working, cleared


# --- importing files -----------------------------------------------------------------


def decode_upload(contents: str, filename: str) -> bytes:
    """The bytes of a browser upload (a ``data:...;base64,`` URL)."""
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (IndexError, ValueError, binascii.Error):
        raise FileUnreadableError(f"{filename} did not arrive as a file upload.") from None


def stash_upload(folder: Path, kind: str, filename: str, contents: str) -> Path:
    """Write an uploaded file (a ``data:...;base64,`` URL) as ``folder/kind/<its name>``.

    The file keeps its own name (made safe), so the readers' sentences name
    the file the user chose. Anything stashed for ``kind`` before is dropped.
    Raises ``FileUnreadableError`` when the upload is not base64 data.
    """
    payload = decode_upload(contents, filename)
    forget_upload(folder, kind)
    name = re.sub(r"[^\w .()-]+", "_", Path(filename or "").name).strip(" .")
    path = folder / kind / (name or f"{kind}.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def forget_upload(folder: Path, kind: str) -> None:
    """Drop a stashed file with what was read and imported from it."""
    shutil.rmtree(folder / kind, ignore_errors=True)
    for derived in (folder / f"{kind}.raw.pkl", folder / f"{kind}.parquet"):
        derived.unlink(missing_ok=True)


def forget_stashes(root: Path, max_age_s: float = STASH_MAX_AGE_S) -> None:
    """Delete upload folders older than ``max_age_s`` (abandoned imports)."""
    if not root.exists():
        return
    cutoff = time.time() - max_age_s
    for folder in root.iterdir():
        if folder.is_dir() and folder.name != "jobs" and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def read_upload(folder: Path, kind: str, progress: Progress | None = None) -> RawTable:
    """The cells of a stashed upload, read once and kept next to it (pickled) for re-checks."""
    cache = folder / f"{kind}.raw.pkl"
    if cache.exists():
        with cache.open("rb") as f:
            return pickle.load(f)  # noqa: S301 - our own file, written below
    files = sorted((folder / kind).glob("*")) if (folder / kind).is_dir() else []
    if not files:
        raise FileUnreadableError(f"no {kind} file was uploaded.")
    raw = read_raw(files[0], kind=kind, progress=progress)
    with cache.open("wb") as f:
        pickle.dump(raw, f)
    return raw


def suggested_columns(
    columns: Iterable[str], kind: str, saved: Mapping | None = None
) -> dict[str, str | None]:
    """Column -> field for the mapping editor: a saved mapping's entries, then suggestions."""
    columns = [str(c) for c in columns]
    explicit = mapping_for_kind(saved, kind) if saved else {}
    rest = [c for c in columns if c not in explicit]
    suggested = suggest_mapping(rest, kind)
    taken = {f for f in explicit.values() if f}
    out: dict[str, str | None] = {}
    for c in columns:
        if c in explicit:
            out[c] = explicit[c]
        elif suggested.get(c) and suggested[c] not in taken:
            out[c] = suggested[c]
            taken.add(suggested[c])
        else:
            out[c] = None
    return out


def column_samples(raw: RawTable, n: int = 3) -> dict[str, str]:
    """A few non-empty values of every column, for the mapping editor."""
    out = {}
    for column in raw.frame.columns:
        values = raw.frame[column].head(200).astype("string").str.strip()
        values = values[values.notna() & (values != "")]
        out[str(column)] = ", ".join(values.head(n).tolist())
    return out


def row_choices(
    decisions: Mapping[int, str | None], fixes: Mapping[int, Mapping[str, object]]
) -> dict[int, RowChoice]:
    """One choice per row from the report's controls: exclude wins, then a fix, then accept."""
    out: dict[int, RowChoice] = {}
    for row in sorted(set(decisions) | set(fixes)):
        typed = {f: v for f, v in (fixes.get(row) or {}).items() if v not in (None, "")}
        decision = decisions.get(row)
        if decision == "exclude":
            out[row] = "exclude"
        elif typed:
            out[row] = typed
        elif decision == "accept":
            out[row] = "accept"
    return out


@dataclass(frozen=True)
class ImportCheck:
    """A checked file: the frame to import, the full problem list, the counts after choices."""

    kind: str
    frame: pd.DataFrame
    report: ImportReport
    """After the choices: what "Use this data" would import."""
    problems: pd.DataFrame
    """Every problem row (``problem_table``)."""
    rows_with_problems: int

    @property
    def counts(self) -> dict[str, int]:
        """Rows read, imported, excluded and with problems (imported + excluded = read)."""
        r = self.report
        return {
            "read": r.rows_read,
            "imported": r.imported,
            "excluded": r.excluded,
            "with problems": self.rows_with_problems,
        }


def check_import(
    raw: RawTable,
    kind: str,
    mapping: Mapping[str, str | None],
    *,
    choices: Mapping[int, RowChoice] | None = None,
    rep_ids: Iterable[str] | None = None,
    exclude_errors: bool = False,
    accept_warnings: bool = True,
    progress: Progress | None = None,
) -> ImportCheck:
    """Check a file as mapped; every problem is listed, the counts follow the choices.

    The first pass runs without choices (its problems are the file's), the
    second with them (choices clear problems from the report: an excluded row
    is no longer checked). Choices for rows outside the file are dropped.
    """
    options: dict = {"exclude_bad_rows": exclude_errors, "accept_warnings": accept_warnings}
    if kind == "accounts":
        options["rep_ids"] = None if rep_ids is None else list(rep_ids)
    mapping = {str(c): f for c, f in mapping.items()}
    first_row, last_row = raw.first_row, raw.first_row + len(raw.frame) - 1
    choices = {r: c for r, c in (choices or {}).items() if first_row <= r <= last_row}
    base_frame, base = import_table(raw, kind, mapping=mapping, progress=progress, **options)
    if choices and not any(p.row <= raw.header_row for p in base.problems):
        frame, final = import_table(raw, kind, mapping=mapping, choices=choices, **options)
    else:
        frame, final = base_frame, base
    return ImportCheck(
        kind=kind,
        frame=frame,
        report=final,
        problems=problem_table(base, final, choices),
        rows_with_problems=base.rows_with_problems,
    )


PROBLEM_COLUMNS = ("row", "column", "severity", "reason", "choice", "outcome")


def problem_table(
    base: ImportReport, final: ImportReport, choices: Mapping[int, RowChoice]
) -> pd.DataFrame:
    """Every problem of the file with the row's choice and outcome, by row.

    A row the choices touched shows the problems it still has (a fix may
    bring a new one) or, when it has none left, the ones it had.
    """
    final_rows = {p.row for p in final.problems}
    problems = list(final.problems) + [p for p in base.problems if p.row not in final_rows]
    problems.sort(key=lambda p: p.row)
    fixed = set(final.fixed_rows)
    records = []
    for p in problems:
        choice = choices.get(p.row)
        shown = (
            "" if choice is None else choice if isinstance(choice, str) else
            "fix " + ", ".join(f"{k}={v}" for k, v in choice.items())
        )  # fmt: skip
        outcome = final.outcome(p.row)
        if p.row in fixed and outcome == "imported" and p.row not in final_rows:
            outcome = "fixed, imported"
        records.append((p.row, p.column or "", p.severity, p.reason, shown, outcome))
    return pd.DataFrame.from_records(records, columns=list(PROBLEM_COLUMNS))


def report_csv(checks: Iterable[ImportCheck]) -> str:
    """The problem lists of the checked files as one CSV: file, row, column, ..., outcome."""
    frames = [c.problems.assign(file=c.report.source) for c in checks]
    table = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["file", *PROBLEM_COLUMNS])
    )
    buffer = io.StringIO()
    table[["file", *PROBLEM_COLUMNS]].to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def fixable(kind: str, column: str) -> bool:
    """Whether the report offers a text box to correct this field."""
    return column in FIELDS[kind]


def required_fields(kind: str) -> tuple[str, ...]:
    """Fields a file of this kind must map."""
    return REQUIRED[kind]
