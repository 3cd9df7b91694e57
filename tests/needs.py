"""What a test needs from the machine (PostgreSQL, Chromium): skip on a laptop, fail under CI.

A developer without PostgreSQL or Chromium may still run the suite: the tests that need them
skip and say why. Under ``CI=true`` the same absence fails the test, so a CI run can never pass
by quietly skipping the database or browser tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

import pytest

PG_ENV = "HEXALIGN_TEST_POSTGRES_URL"
CHROMIUM = "/usr/bin/chromium"


def in_ci(env: Mapping[str, str] | None = None) -> bool:
    """Whether this run is CI (``CI=true``, as GitHub Actions and most CI services set it)."""
    env = os.environ if env is None else env
    return env.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(reason: str, env: Mapping[str, str] | None = None) -> None:
    """Stop the test for want of ``reason``: a skip for a developer, a failure under CI."""
    if in_ci(env):
        pytest.fail(f"CI=true and {reason}: this test may not be skipped in CI", pytrace=False)
    pytest.skip(reason)


def postgres_url(env: Mapping[str, str] | None = None) -> str:
    """The test PostgreSQL server's URL; skips (or fails under CI) when none is configured."""
    env = os.environ if env is None else env
    url = env.get(PG_ENV, "")
    if not url:
        missing(f"no PostgreSQL: {PG_ENV} is unset (scripts/postgres.sh start sets it)", env)
    return url


def chromium(env: Mapping[str, str] | None = None, path: str = CHROMIUM) -> str:
    """Debian's Chromium for the browser tests; skips (or fails under CI) when it is missing."""
    if not shutil.which(path):
        missing(f"no Chromium: {path} is not installed (scripts/test.sh installs it)", env)
    return path
