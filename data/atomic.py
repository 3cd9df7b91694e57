"""Files written whole or not at all: a temp file beside the target, renamed over it at the end.

A process killed while writing (``kill -9``, a full disk, an exception) leaves the target as it
was (absent, or the previous export), never half a file; the rename is atomic on POSIX within
one filesystem, which is why the temp file sits in the target's own folder.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temp_path_for(path: Path) -> Path:
    """A hidden sibling of ``path`` with the same suffix (writers pick their format by it)."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial{path.suffix}")


@contextmanager
def replaced_atomically(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp path to write; on success flush it to disk and rename it onto ``path``.

    On any error the temp file is removed and ``path`` is left untouched. (A SIGKILL can leave
    the hidden ``.partial`` file behind, never a half-written ``path``.)
    """
    target = Path(path)
    tmp = temp_path_for(target)
    try:
        yield tmp
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
