"""One logging configuration for the app, the CLI and background jobs.

Modules log through ``logging.getLogger(__name__)``; ``configure`` is called once by each entry
point (``app.py``, ``cli.py``) with ``Settings.log_level``. ``timed`` logs a unit of work with what
it concerned (scenario, data set) and its duration, or the error that ended it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from common.errors import HexalignError

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"


def configure(level: str = "INFO") -> None:
    """Send Hexalign's records to stderr at ``level`` (idempotent: one handler however often)."""
    root = logging.getLogger()
    if not any(getattr(h, "_hexalign", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._hexalign = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(getattr(logging, str(level).upper(), logging.INFO))


def _context(fields: dict[str, object]) -> str:
    return " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)


@contextmanager
def timed(logger: logging.Logger, what: str, **fields: object) -> Iterator[dict[str, object]]:
    """Log ``what`` with ``fields`` and its duration in ms; an exception is logged and re-raised.

    The yielded dict may be filled inside the block with what is learnt on the way (cells moved,
    rows read); those fields are logged too.
    """
    extra: dict[str, object] = {}
    start = time.perf_counter()
    try:
        yield extra
    except Exception as exc:
        ms = (time.perf_counter() - start) * 1000
        # refused input is the user's to fix (a warning); anything else is ours (an error)
        level = logging.WARNING if isinstance(exc, HexalignError) else logging.ERROR
        logger.log(
            level, "%s failed after %.0f ms %s: %s: %s",
            what, ms, _context({**fields, **extra}), type(exc).__name__, exc,
            exc_info=level == logging.ERROR,
        )  # fmt: skip
        raise
    ms = (time.perf_counter() - start) * 1000
    logger.info("%s in %.0f ms %s", what, ms, _context({**fields, **extra}))
