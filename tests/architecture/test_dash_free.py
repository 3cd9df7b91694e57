"""The computing core imports nothing from Dash (STYLE.md §1)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ("common", "geo", "data", "planning", "services", "commands")


def test_core_is_dash_free():
    files = [f for folder in CORE for f in (ROOT / folder).rglob("*.py")]
    assert len(files) > 10
    for f in files:
        assert not re.search(r"^\s*(from|import)\s+dash", f.read_text(), re.M), f
