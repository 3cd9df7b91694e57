"""Uploaded files kept on disk between the steps of an import (receive, check, use).

A browser session's import lives in one folder, ``<uploads root>/<token>/``,
so any worker (or the background job that reads and checks) can reach what
another received. Inside it:

- ``<kind>/<the file's own name>``: the file as uploaded (``stash_upload``);
- ``<kind>.raw.pkl``: its cells, read once (``read_upload``) for every re-check;
- ``mapping/<name>.json``: a saved mapping the user uploaded;
- ``report.csv``: the problem list of the last check;
- ``<kind>.parquet``: the checked frame "Use this data" stores.

Nothing here knows the database; folders older than a day are abandoned
imports and go (``forget_stashes``).
"""

from __future__ import annotations

import base64
import binascii
import os
import pickle
import re
import secrets
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from common.errors import FileUnreadableError
from data.mapping import load_mapping
from data.readers import Progress, RawTable, read_raw

STASH_MAX_AGE_S = 24 * 3600
"""An upload folder untouched this long is an abandoned import."""
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
REPORT = "report.csv"


def new_token() -> str:
    """A fresh, unguessable name for a session's upload folder."""
    return secrets.token_hex(8)


def session_folder(root: Path, token: str | None) -> Path | None:
    """The folder of an import session; None for anything that is not one of our tokens."""
    return root / token if token and _TOKEN.match(token) else None


def size_text(n: int) -> str:
    """Bytes as the MB a person reads (``312 MB``; one decimal below 10 MB)."""
    mb = n / 1024**2
    return f"{mb:,.1f} MB" if mb < 10 else f"{mb:,.0f} MB"


def size_refusal(filename: str, size: int, limit: int, *, about: bool = False) -> str:
    """The one sentence refusing a file over the upload limit (``about``: size estimated)."""
    name = Path(filename or "").name or "The file"
    size_said = ("about " if about else "") + size_text(size)
    return f"{name} is {size_said}; the limit is {size_text(limit)} (HEXALIGN_MAX_UPLOAD_MB)."


def upload_size(contents: str) -> int:
    """Bytes a ``data:...;base64,`` URL decodes to, counted without decoding it."""
    payload = contents.partition(",")[2].rstrip()
    return len(payload) // 4 * 3 + (len(payload) % 4) * 3 // 4 - payload[-2:].count("=")


def check_size(path: str | os.PathLike[str], limit: int) -> None:
    """Refuse a file on disk over ``limit`` bytes before anything reads it."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader says why it cannot open it
    if size > limit:
        raise FileUnreadableError(size_refusal(path.name, size, limit))


def decode_upload(contents: str, filename: str) -> bytes:
    """The bytes of a browser upload (a ``data:...;base64,`` URL)."""
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (IndexError, ValueError, binascii.Error):
        raise FileUnreadableError(f"{filename} did not arrive as a file upload.") from None


def stash_upload(
    folder: Path, kind: str, filename: str, contents: str, max_bytes: int | None = None
) -> Path:
    """Write an uploaded file (a ``data:...;base64,`` URL) as ``folder/kind/<its name>``.

    The file keeps its own name (made safe), so the readers' sentences name
    the file the user chose. Anything stashed for ``kind`` before is dropped.
    Raises ``FileUnreadableError`` when the upload is not base64 data, or when
    it would decode to more than ``max_bytes`` (checked on the text's length,
    before anything is decoded).
    """
    if max_bytes is not None and (size := upload_size(contents)) > max_bytes:
        raise FileUnreadableError(size_refusal(filename, size, max_bytes))
    payload = decode_upload(contents, filename)
    forget_upload(folder, kind)
    name = re.sub(r"[^\w .()-]+", "_", Path(filename or "").name).strip(" .")
    path = folder / kind / (name or f"{kind}.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def stashed_kinds(folder: Path, kinds: Iterable[str]) -> list[str]:
    """Those of ``kinds`` that have a file stashed in the folder, in the order given."""
    return [k for k in kinds if (folder / k).is_dir() and any((folder / k).iterdir())]


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


def read_mapping_upload(folder: Path) -> dict:
    """The saved mapping uploaded into the session (``data.mapping.load_mapping``).

    Raises ``StopIteration`` when none was uploaded, ``FileUnreadableError`` or
    ``OSError`` when it cannot be read as one.
    """
    return load_mapping(next((folder / "mapping").iterdir()))


def write_report(folder: Path, text: str) -> None:
    """Keep the last check's problem list (CSV text) for "Download report"."""
    (folder / REPORT).write_text(text, encoding="utf-8")


def read_report(folder: Path) -> str | None:
    """The last check's problem list as CSV text; None before the first check."""
    path = folder / REPORT
    return path.read_text(encoding="utf-8") if path.exists() else None


def keep_frames(folder: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Keep checked frames (kind -> frame) until "Use this data" stores them."""
    for kind, frame in frames.items():
        frame.to_parquet(folder / f"{kind}.parquet")


def kept_frames(folder: Path, kinds: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The frames ``keep_frames`` kept for these kinds."""
    return {kind: pd.read_parquet(folder / f"{kind}.parquet") for kind in kinds}
