"""One settings object: every HEXALIGN_* variable is read in common/settings.py and in the README."""

from __future__ import annotations

import re
from pathlib import Path

from common.settings import VAR, Settings, readme_table

ROOT = Path(__file__).resolve().parents[2]
LAYERED = ("app.py", "cli.py", "common", "geo", "planning", "data", "services", "layouts",
           "callbacks", "commands")  # fmt: skip


def test_defaults_are_offline_and_under_var():
    s = Settings.from_env({})
    assert s.database_url == f"sqlite:///{VAR / 'hexalign.sqlite'}"
    assert s.tile_url is None and s.accounts is None and s.log_level is None
    assert s.uploads_dir == VAR / "uploads" and s.jobs_dir == VAR / "jobs"


def test_environment_is_read_and_flags_win():
    env = {"HEXALIGN_DATABASE_URL": "postgresql://x/y", "HEXALIGN_ACCOUNTS": "a.csv",
           "HEXALIGN_JOBS_DIR": "/tmp/j", "HEXALIGN_LOG_LEVEL": "debug"}  # fmt: skip
    s = Settings.from_env(env, accounts=Path("b.csv"), reps=None)
    assert s.database_url == "postgresql://x/y" and s.accounts == Path("b.csv")
    assert s.jobs_dir == Path("/tmp/j") and s.log_level == "DEBUG" and s.reps is None
    assert Settings.from_env(s.to_env()) == s


def test_readme_lists_every_variable():
    assert readme_table() in (ROOT / "README.md").read_text()


def test_no_other_module_reads_a_hexalign_variable():
    readers = []
    for entry in LAYERED:
        for f in [ROOT / entry] if entry.endswith(".py") else (ROOT / entry).rglob("*.py"):
            if f.name == "settings.py" and f.parent.name == "common":
                continue
            if re.search(r"(environ|getenv)[^\n]*HEXALIGN_", f.read_text()):
                readers.append(str(f.relative_to(ROOT)))
    assert readers == []


def test_the_dask_threshold_and_address_are_read_and_checked():
    """Issue 18 point 4."""
    import pytest

    assert Settings.from_env({}).dask_threshold_rows == 5_000_000
    assert Settings.from_env({}).dask_address is None
    s = Settings.from_env(
        {"HEXALIGN_DASK_THRESHOLD_ROWS": "2_000", "HEXALIGN_DASK_ADDRESS": "tcp://10.0.0.5:8786"}
    )
    assert s.dask_threshold_rows == 2000 and s.dask_address == "tcp://10.0.0.5:8786"
    assert Settings.from_env(s.to_env()) == s
    with pytest.raises(ValueError, match="HEXALIGN_DASK_THRESHOLD_ROWS"):
        Settings.from_env({"HEXALIGN_DASK_THRESHOLD_ROWS": "many"})
