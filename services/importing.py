"""Importing files: receive an upload, check it as mapped with the user's choices, use it.

The Data tab works in steps a browser session spreads over several requests
and a background job: a file is *received* (kept in the session's upload
folder, ``data.uploads``), *checked* as often as the user changes the
mapping or decides on problem rows (``data.import_check``), and *used*
(stored as a data set, ``services.datasets.store_import``). ``check_file``
is the command line's one-shot check of a file.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from common.errors import FileUnreadableError
from common.logs import timed
from common.settings import Settings
from data import uploads
from data.boundaries import read_boundary
from data.import_check import (
    FileInfo,
    ImportCheck,
    check_import,
    file_info,
    report_csv,
    row_choices,
    suggested_columns,
)
from data.importing import ImportOptions, ImportReport, import_file
from data.mapping import FIELDS, KINDS, REQUIRED, describe_mapping, load_mapping
from data.owners import Owners
from data.readers import Progress
from data.segments import SegmentRule
from data.validation import load_reps
from planning.area_choice import AreaChoice
from services.datasets import UsedImport, store_import

logger = logging.getLogger(__name__)

# Screens reach data/ only through services, so the values they hand in or show come from here:
# ImportOptions and SegmentRule (cli.py check builds them), KINDS (every kind of input file, which
# the command line checks), FIELDS and REQUIRED (kind -> the fields a file may map, and must: the
# mapping editor's options and the report's fix boxes), describe_mapping (the mapping used,
# as ``cli.py check`` prints it).
__all__ = [
    "FIELDS",
    "BOUNDARY_KIND",
    "FILE_KINDS",
    "KINDS",
    "REQUIRED",
    "CheckOutcome",
    "CheckRequest",
    "ImportOptions",
    "Received",
    "SegmentRule",
    "Stored",
    "check_file",
    "check_uploads",
    "describe_mapping",
    "max_upload_bytes",
    "receive",
    "receive_all",
    "refused_upload",
    "report_text",
    "use_checked",
]
FILE_KINDS = ("accounts", "reps")
"""The files the Data tab imports, in the order its report shows them."""
PhaseProgress = Callable[[float, float], Progress]
"""``phase(start, span)``: a ``progress(fraction, message)`` for that part of the bar
(``[start, start + span]`` of 0..1); each phase of a check asks for its own."""


def uploads_root() -> Path:
    """Where import sessions keep their folders (``HEXALIGN_UPLOADS_DIR``)."""
    return Settings.from_env().uploads_dir


def max_upload_bytes() -> int:
    """The largest file accepted (``HEXALIGN_MAX_UPLOAD_MB``), in bytes."""
    return Settings.from_env().max_upload_bytes


def refused_upload(size: int) -> Received:
    """An upload the server would not read (its request is over the size limit).

    The request's body is never read, so nothing says which file it was: the
    sentence names about the size the request declares (three quarters of the
    base64 text); the fresh token only serves
    a page without a session yet (the page's own token wins in ``check_uploads``).
    """
    error = uploads.size_refusal("", size, max_upload_bytes(), about=True)
    logger.warning("upload refused before reading: %s", error)
    return Received(uploads.new_token(), "upload", "", error)


# --- receiving a file ------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """A file that arrived in a session's folder (or the sentence saying why it did not)."""

    token: str
    kind: str
    name: str
    error: str | None = None


def receive(token: str | None, kind: str, filename: str, contents: str) -> Received:
    """Keep an upload (a ``data:...;base64,`` URL) in the session's folder.

    A session without a folder yet gets a new one (and abandoned ones go).
    The file is not read here: the check reads it, in the background.
    """
    root = uploads_root()
    folder = uploads.session_folder(root, token)
    if folder is None:
        uploads.forget_stashes(root)
        token = uploads.new_token()
        folder = root / token
    assert token is not None  # a folder has a token
    try:
        uploads.stash_upload(folder, kind, filename, contents, max_upload_bytes())
    except FileUnreadableError as err:
        uploads.forget_upload(folder, kind)
        logger.warning("upload refused kind=%s file=%s: %s", kind, filename, err)
        return Received(token, kind, filename, str(err))
    logger.info("upload received kind=%s file=%s", kind, filename)
    return Received(token, kind, filename)


# --- checking the session's files ------------------------------------------------------


@dataclass(frozen=True)
class CheckRequest:
    """What a check is asked to do, as values: the session and everything the user set."""

    token: str | None
    """The session's token as the page knows it (None before the first file)."""
    files: Mapping[str, FileInfo] = field(default_factory=dict)
    """The files checked before, with their mapping (the page keeps them)."""
    saved_mapping: Mapping | None = None
    received: Received | None = None
    """The file that has just arrived, when that started the check."""
    mapping_edits: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    """Kind -> column -> field (None: ignore) as the mapping editor shows it."""
    decisions: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    """Kind -> row -> ``"exclude"``, ``"accept"`` or ``"none"``."""
    fixes: Mapping[str, Mapping[int, Mapping[str, str]]] = field(default_factory=dict)
    """Kind -> row -> field -> corrected value."""
    exclude_errors: bool = False
    accept_warnings: bool = True
    rep_ids: list[str] | None = None
    """The current team's reps, which an accounts file's owners must be among."""
    team: tuple[Mapping[str, object], ...] = ()
    """The current team's reps as records (rep_id, name, email, crm_user_id), so that
    owners given by name, e-mail or CRM user id are matched too (``data.owners``)."""
    use: bool = False
    """Keep the checked frames for "Use this data" when nothing is refused."""
    area: str = "land"
    """The planning area chosen in the tab: ``land``, ``hull`` or ``upload`` (the boundary
    file received as kind ``boundary``)."""


@dataclass(frozen=True)
class Stored:
    """Checked frames kept for "Use this data"."""

    token: str
    kinds: tuple[str, ...]
    name: str
    """The data set's name: the accounts file's (else the reps file's) name, no suffix."""


@dataclass(frozen=True)
class CheckOutcome:
    """A check of the session's files: what to show and what to keep in the page."""

    token: str
    files: dict[str, FileInfo]
    saved_mapping: Mapping | None
    unreadable: tuple[tuple[str, str], ...]
    """(kind or ``"mapping"``, the reader's sentence) of a file that could not be read."""
    checks: dict[str, ImportCheck]
    """Kind -> its check, reps first (an accounts file is checked against its reps)."""
    decisions: dict[str, dict[int, str]]
    """The decisions the check applied, per kind (none for a file just received)."""
    fixes: dict[str, dict[int, dict[str, str]]]
    refused: tuple[str, ...] = ()
    """Files with errors left, when "Use this data" was asked."""
    stored: Stored | None = None


def check_uploads(request: CheckRequest, phase: PhaseProgress | None = None) -> CheckOutcome | None:
    """Read a file just received, suggest its mapping, check every file; keep them on "use".

    Returns None when the session has no upload folder yet (nothing to check).
    A received file's mapping is suggested afresh (a saved mapping's entries
    first), and the editor's values and row choices apply to the other files
    only. Reps are checked first, so that accounts are checked against them.
    """
    root = uploads_root()
    received = request.received
    folder = uploads.session_folder(root, request.token) or uploads.session_folder(
        root, received.token if received else None
    )
    if folder is None:
        return None
    if phase is not None:
        phase(0.0, 0.0)(0.0, "reading…")
    with timed(logger, "import checked", session=folder.name) as extra:
        files: dict[str, FileInfo] = copy.deepcopy(dict(request.files))
        saved, unreadable, fresh = _receive(folder, received, files, request.saved_mapping, phase)
        fresh |= _take_in_stashed(folder, files, saved, unreadable)
        for kind, edits in request.mapping_edits.items():
            if kind in files and kind not in fresh:
                mapping = files[kind]["mapping"]
                mapping.update({c: f for c, f in edits.items() if c in mapping})
        settled = [k for k in FILE_KINDS if k in files and k not in fresh]
        decisions = {k: dict(request.decisions.get(k, {})) for k in settled}
        fixes = {k: {r: dict(v) for r, v in request.fixes.get(k, {}).items()} for k in settled}
        checks = _check(folder, files, request, decisions, fixes, phase)
        if checks:
            uploads.write_report(folder, report_csv([checks[k] for k in FILE_KINDS if k in checks]))
        refused: tuple[str, ...] = ()
        stored = None
        if request.use and checks:
            refused = tuple(c.report.source for c in checks.values() if c.report.refused)
            if not refused:
                uploads.keep_frames(folder, {k: c.frame for k, c in checks.items()})
                first = checks.get("accounts") or checks["reps"]
                stored = Stored(folder.name, tuple(sorted(checks)), Path(first.report.source).stem)
        extra |= {
            "files": ",".join(checks) or None,
            "rows": sum(c.report.rows_read for c in checks.values()),
            "problems": sum(c.rows_with_problems for c in checks.values()),
            "imported": sum(c.report.imported for c in checks.values()),
            "kept": stored is not None,
        }
        return CheckOutcome(
            token=folder.name,
            files=files,
            saved_mapping=saved,
            unreadable=tuple(unreadable),
            checks=checks,
            decisions={k: decisions.get(k, {}) for k in FILE_KINDS},
            fixes={k: fixes.get(k, {}) for k in FILE_KINDS},
            refused=refused,
            stored=stored,
        )


def _receive(
    folder: Path,
    received: Received | None,
    files: dict[str, FileInfo],
    saved: Mapping | None,
    phase: PhaseProgress | None,
) -> tuple[Mapping | None, list[tuple[str, str]], set[str]]:
    """Take in the file just received: read it into ``files``, or load the saved mapping.

    Returns the saved mapping (new or as it was), what could not be read, and
    the kinds whose mapping was suggested afresh.
    """
    unreadable: list[tuple[str, str]] = []
    fresh: set[str] = set()
    kind = received.kind if received else None
    if received is not None and kind in FILE_KINDS:
        try:
            if received.error:
                raise FileUnreadableError(received.error)
            raw = uploads.read_upload(folder, kind, phase(0.0, 0.5) if phase else None)
        except FileUnreadableError as err:
            files.pop(kind, None)
            uploads.forget_upload(folder, kind)
            unreadable.append((kind, str(err)))
        else:
            files[kind] = file_info(raw, suggested_columns(raw.frame.columns, kind, saved))
            fresh.add(kind)
    elif received is not None and kind == BOUNDARY_KIND:
        try:
            if received.error:
                raise FileUnreadableError(received.error)
            area_choice(folder, "upload")
        except FileUnreadableError as err:
            uploads.forget_upload(folder, kind)
            unreadable.append((kind, str(err)))
    elif received is not None and received.error and kind != "mapping":
        unreadable.append((kind or "upload", received.error))  # refused before it was read
    elif received is not None and kind == "mapping":
        try:
            if received.error:
                raise FileUnreadableError(received.error)
            saved = uploads.read_mapping_upload(folder)
        except (FileUnreadableError, StopIteration, OSError) as err:
            unreadable.append((kind, str(err)))
        else:
            for k, info in files.items():
                info["mapping"] = suggested_columns(info["columns"], k, saved)
                fresh.add(k)
    return saved, unreadable, fresh


def _take_in_stashed(
    folder: Path,
    files: dict[str, FileInfo],
    saved: Mapping | None,
    unreadable: list[tuple[str, str]],
) -> set[str]:
    """Read the files the folder holds that the page does not know of yet (issue 12 point 7e).

    Two files chosen less than a second apart: the browser drops the answer of
    the first file's step (receiving, or the check it started) when the second
    starts the same step, so the page's list lacks the first file although it
    is in the session's folder. The folder is the truth: such a file is read
    and its mapping suggested as for a file just received.
    """
    fresh: set[str] = set()
    for kind in uploads.stashed_kinds(folder, FILE_KINDS):
        if kind in files:
            continue
        try:
            raw = uploads.read_upload(folder, kind)
        except FileUnreadableError as err:
            uploads.forget_upload(folder, kind)
            unreadable.append((kind, str(err)))
        else:
            files[kind] = file_info(raw, suggested_columns(raw.frame.columns, kind, saved))
            fresh.add(kind)
    return fresh


def receive_all(token: str | None, files: Iterable[tuple[str, str, str]]) -> list[Received]:
    """``receive`` each (kind, file name, contents) into one session folder, in order.

    The Data tab sends every file the page still holds with each upload (one
    whose own answer the browser dropped is among them), so all land in the
    same folder, under the first one's token when the page has none yet.
    """
    out: list[Received] = []
    for kind, filename, contents in files:
        received = receive(token, kind, filename, contents)
        token = received.token
        out.append(received)
    return out


def _check(
    folder: Path,
    files: Mapping[str, FileInfo],
    request: CheckRequest,
    decisions: Mapping[str, Mapping[int, str]],
    fixes: Mapping[str, Mapping[int, Mapping[str, str]]],
    phase: PhaseProgress | None,
) -> dict[str, ImportCheck]:
    """Check every received file as mapped, reps first; accounts against the reps."""
    rep_ids: Iterable[str] | None = request.rep_ids
    if request.team:
        rep_ids = Owners.from_reps(pd.DataFrame(list(request.team)))
    try:
        area: AreaChoice | None = area_choice(folder, request.area)
    except FileUnreadableError:  # no boundary yet: the check goes on without the outside test
        area = None
    checks: dict[str, ImportCheck] = {}
    order = [k for k in ("reps", "accounts") if k in files]
    for i, kind in enumerate(order):
        progress = phase(0.5 + 0.5 * i / len(order), 0.5 / len(order)) if phase else None
        checked = check_import(
            uploads.read_upload(folder, kind), kind, files[kind]["mapping"],
            choices=row_choices(decisions.get(kind, {}), fixes.get(kind, {})),
            rep_ids=rep_ids if kind == "accounts" else None,
            exclude_errors=request.exclude_errors, accept_warnings=request.accept_warnings,
            progress=progress, area=area,
        )  # fmt: skip
        if kind == "reps" and not checked.report.refused:
            rep_ids = Owners.from_reps(checked.frame)
        checks[kind] = checked
    return checks


def report_text(token: str | None) -> str | None:
    """The last check's problem list as CSV text; None when there is none."""
    folder = uploads.session_folder(uploads_root(), token)
    return None if folder is None else uploads.read_report(folder)


# --- using the checked files -----------------------------------------------------------


def use_checked(
    url: str,
    scenario_id: int,
    token: str | None,
    kinds: Iterable[str],
    name: str,
    area: str = "land",
) -> UsedImport | None:
    """Store the frames a check kept as a data set and open its working scenario.

    The part not imported (accounts or reps) is the current data set's. ``area`` is the
    planning area chosen in the tab (``land``, ``hull``, ``upload``). Returns None when the
    session has no upload folder.
    """
    folder = uploads.session_folder(uploads_root(), token)
    if folder is None:
        return None
    frames = uploads.kept_frames(folder, [k for k in FILE_KINDS if k in set(kinds)])
    choice = area_choice(folder, area)
    return store_import(
        url, scenario_id, name, frames.get("accounts"), frames.get("reps"), area=choice
    )


# --- the planning area chosen in the tab (issue 11 point 3) -----------------------------

BOUNDARY_KIND = "boundary"
"""The kind an uploaded planning-area boundary is received as."""


def area_choice(folder: Path, area: str) -> AreaChoice:
    """The tab's choice as a value; ``upload`` reads the session's boundary file.

    ``FileUnreadableError`` when ``upload`` is chosen and no readable boundary was received.
    """
    if area != "upload":
        return AreaChoice.parse(area)
    stash = folder / BOUNDARY_KIND
    files = sorted(stash.glob("*")) if stash.is_dir() else []
    if not files:
        raise FileUnreadableError("no boundary file was uploaded.")
    return read_boundary(files[0])


# --- the command line ------------------------------------------------------------------


def check_file(
    path: str | os.PathLike[str],
    kind: str,
    options: ImportOptions,
    *,
    mapping_path: str | os.PathLike[str] | None = None,
    reps_path: str | os.PathLike[str] | None = None,
    report_path: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """Import a file without keeping anything and return its report (``cli.py check``).

    The saved mapping at ``mapping_path`` serves the reps file too; an
    accounts file's owners must be reps of ``reps_path`` when given. The
    problem list is also written to ``report_path`` as CSV.
    """
    uploads.check_size(path, max_upload_bytes())
    with timed(logger, "file checked", file=Path(path).name, kind=kind) as extra:
        mapping = load_mapping(mapping_path) if mapping_path else None
        options = options.but(mapping=mapping)
        if kind == "accounts" and reps_path:
            options = options.but(rep_ids=Owners.from_reps(load_reps(reps_path, mapping=mapping)))
        _, report = import_file(path, kind, options)
        extra |= {"rows": report.rows_read, "imported": report.imported,
                  "problems": len(report.problems), "not_located": report.not_located,
                  **{f"by_{p}": n for p, n in report.located.items()}}  # fmt: skip
        if report_path:
            report.to_csv(report_path)
        return report
