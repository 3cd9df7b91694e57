"""Which input files a data set came from (issue 18 point 1): a key of their bytes.

A server start reads, validates and stores its configured files; on 1M accounts reading and
validating alone take seconds. The key of the very same bytes (``source_key``) finds the data
set stored from them (``Store.source_dataset``), so a restart on unchanged files reads none of
them again. Any changed byte, another file, or a newer ``FORMAT`` (bump it when reading or
validating changes what is stored) gives another key, and the files are read as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

FORMAT = "sources-1"
_CHUNK = 1 << 20


def source_key(paths: Sequence[str | Path | None], settings: str = "") -> str:
    """sha256 of ``FORMAT``, ``settings`` and every file's bytes in order (None: no file)."""
    digest = hashlib.sha256(f"{FORMAT}\0{settings}".encode())
    for path in paths:
        digest.update(b"\0file\0" if path is not None else b"\0none\0")
        if path is None:
            continue
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()
