"""Settings read from the environment (and the command line), with offline defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """Where the data and the database are, and the optional map tiles."""

    accounts: Path | None = None
    reps: Path | None = None
    call_plan: Path | None = None
    database_url: str = f"sqlite:///{ROOT / 'var' / 'hexalign.sqlite'}"
    tile_url: str | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """``HEXALIGN_ACCOUNTS``, ``HEXALIGN_REPS``, ``HEXALIGN_CALL_PLAN``,
        ``HEXALIGN_DATABASE_URL``, ``HEXALIGN_TILE_URL``; keyword overrides win.
        """  # noqa: D205
        env = os.environ
        values: dict[str, object] = {
            "accounts": _path(env.get("HEXALIGN_ACCOUNTS")),
            "reps": _path(env.get("HEXALIGN_REPS")),
            "call_plan": _path(env.get("HEXALIGN_CALL_PLAN")),
            "tile_url": env.get("HEXALIGN_TILE_URL") or None,
        }
        if env.get("HEXALIGN_DATABASE_URL"):
            values["database_url"] = env["HEXALIGN_DATABASE_URL"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
