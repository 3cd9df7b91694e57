"""Every ``HEXALIGN_*`` environment variable, read in this one place, with offline defaults.

The README's table of variables is written from ``VARIABLES``; a test keeps the two in step and
fails if any other module reads a ``HEXALIGN_*`` variable itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"

# name -> (Settings field, meaning, default as the README shows it)
VARIABLES: dict[str, tuple[str, str, str]] = {
    "HEXALIGN_ACCOUNTS": ("accounts", "accounts file the app opens with", "the demo accounts"),
    "HEXALIGN_REPS": ("reps", "reps file the app opens with", "the demo reps"),
    "HEXALIGN_CALL_PLAN": ("call_plan", "call-plan file (visits and minutes per segment)",
                           "the built-in call plan"),
    "HEXALIGN_DATABASE_URL": ("database_url", "SQLAlchemy URL of the plan database "
                              "(SQLite file or `postgresql://...`)", "`sqlite:///var/hexalign.sqlite`"),
    "HEXALIGN_TILE_URL": ("tile_url", "raster tile URL drawn under the cells (needs a network; "
                          "replaces the bundled land and water, the borders stay)",
                          "none: offline map"),
    "HEXALIGN_UPLOADS_DIR": ("uploads_dir", "where the Data tab keeps uploads between steps",
                             "`var/uploads`"),
    "HEXALIGN_JOBS_DIR": ("jobs_dir", "disk cache shared by background jobs (auto-balance, import)",
                          "`var/jobs`"),
    "HEXALIGN_MAX_UPLOAD_MB": ("max_upload_mb", "largest file the Data tab and `cli.py check` "
                               "accept, in MB", "`200`"),
    "HEXALIGN_LOG_LEVEL": ("log_level", "standard logging level: DEBUG, INFO, WARNING, ERROR",
                           "`INFO` for the app, `ERROR` for `cli.py`"),
    # issue 18 point 4: big accounts inputs go to Dask
    "HEXALIGN_DASK_THRESHOLD_ROWS": ("dask_threshold_rows", "accounts rows above which "
                                     "`cli.py bin` reads, checks, bins and sums on Dask",
                                     "`5000000`"),
    "HEXALIGN_DASK_ADDRESS": ("dask_address", "Dask scheduler to use (`tcp://host:8786`) "
                              "instead of a LocalCluster on this machine", "none: a LocalCluster"),
}  # fmt: skip
TEST_VARIABLES: dict[str, str] = {
    "HEXALIGN_TEST_POSTGRES_URL": "PostgreSQL server the store tests also run on (set by "
    "`scripts/test.sh`; with `CI=true` its absence fails the run)",
}


@dataclass(frozen=True)
class Settings:
    """Where the data, the database and the scratch folders are, the map tiles and the log level."""

    accounts: Path | None = None
    reps: Path | None = None
    call_plan: Path | None = None
    database_url: str = f"sqlite:///{VAR / 'hexalign.sqlite'}"
    tile_url: str | None = None
    uploads_dir: Path = field(default=VAR / "uploads")
    jobs_dir: Path = field(default=VAR / "jobs")
    max_upload_mb: int = 200
    """Largest upload (and file ``cli.py check`` reads), in MB of 1024 * 1024 bytes."""
    log_level: str | None = None  # None: INFO for the app, ERROR for the CLI (stdout stays clean)
    dask_threshold_rows: int = 5_000_000
    """Issue 18 point 4: accounts inputs with more rows than this run on Dask."""
    dask_address: str | None = None
    """Issue 18 point 4: the Dask scheduler's address; None starts a LocalCluster."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """The settings the environment gives (see ``VARIABLES``); keyword overrides that are not
        ``None`` win, so command-line flags sit on top of the environment.
        """  # noqa: D205
        env = os.environ if env is None else env
        paths = {
            f.name
            for f in fields(cls)
            if f.name
            not in ("database_url", "tile_url", "log_level", "max_upload_mb", *_NOT_PATHS_18)
        }
        values: dict[str, object] = {}
        for name, (attr, _, _) in VARIABLES.items():
            raw = env.get(name)
            if raw:
                values[attr] = Path(raw) if attr in paths else raw
        if "max_upload_mb" in values:
            raw_mb = values["max_upload_mb"]
            values["max_upload_mb"] = _positive_int("HEXALIGN_MAX_UPLOAD_MB", raw_mb)
        if "dask_threshold_rows" in values:  # issue 18 point 4
            values["dask_threshold_rows"] = _whole_number(
                "HEXALIGN_DASK_THRESHOLD_ROWS", values["dask_threshold_rows"]
            )
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values.get("log_level"):
            values["log_level"] = str(values["log_level"]).upper()
        return cls(**values)  # type: ignore[arg-type]

    @property
    def max_upload_bytes(self) -> int:
        """``max_upload_mb`` in bytes."""
        return self.max_upload_mb * 1024 * 1024

    def to_env(self) -> dict[str, str]:
        """The variables that reproduce these settings in a child process (background jobs)."""
        out = {}
        for name, (attr, _, _) in VARIABLES.items():
            value = getattr(self, attr)
            if value is not None:
                out[name] = str(value)
        return out


_NOT_PATHS_18 = ("dask_threshold_rows", "dask_address")


def _whole_number(name: str, raw: object) -> int:
    """A whole number of 0 or more, or a ``ValueError`` naming the variable (issue 18)."""
    try:
        value = int(str(raw).replace("_", ""))
    except ValueError:
        raise ValueError(f"{name} must be a whole number of rows, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {value}")
    return value


def _positive_int(name: str, raw: object) -> int:
    """A whole number above 0, or a ``ValueError`` naming the variable."""
    try:
        value = int(str(raw))
    except ValueError:
        raise ValueError(f"{name} must be a whole number of MB, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be above 0, got {value}")
    return value


def readme_table() -> str:
    """The Markdown table of variables the README shows (kept equal by a test)."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    rows += [f"| `{n}` | {meaning} | {default} |" for n, (_, meaning, default) in VARIABLES.items()]
    rows += [f"| `{n}` | {meaning} | unset |" for n, meaning in TEST_VARIABLES.items()]
    return "\n".join(rows)
