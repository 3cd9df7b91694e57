"""The one background-job manager (Dash's DiskcacheManager) and its progress plumbing.

Long work (auto-balance, reading and checking an import) runs in a child process started by
whichever worker took the click; the disk cache under ``Settings.jobs_dir`` carries progress,
results and stop requests between processes, so several gunicorn workers share it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import diskcache
from dash import DiskcacheManager

from common.settings import Settings

SetProgress = Callable[[tuple[str, ...]], None]
JOBS = DiskcacheManager(diskcache.Cache(str(Settings.from_env().jobs_dir)))


def job_cache() -> Any:
    """The disk cache jobs share (stop requests live here)."""
    return JOBS.handle


def progress_reporter(
    set_progress: SetProgress, start: float = 0.0, span: float = 1.0, total: int = 100
) -> Callable[[float, str], None]:
    """``report(fraction, message)`` for a job's ``[value, max, text]`` progress outputs.

    The job's own fraction (0..1) is placed in ``[start, start + span]`` of the bar; unchanged
    values are not sent again (each send is a disk write and a poll).
    """
    last: list[int] = [-1]

    def report(fraction: float, message: str) -> None:
        value = int(total * (start + span * min(max(float(fraction), 0.0), 1.0)))
        if value != last[0]:
            last[0] = value
            set_progress((str(value), str(total), message))

    return report
