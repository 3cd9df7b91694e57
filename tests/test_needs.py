"""The skip rule: a missing PostgreSQL or Chromium skips on a laptop and fails under CI=true."""

from __future__ import annotations

import pytest

from tests import needs

NO_CHROMIUM = "/nonexistent/chromium"


@pytest.mark.parametrize(
    ("ci", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("false", False), ("", False), (None, False)],
)
def test_ci_is_read_from_the_environment(ci, expected):
    env = {} if ci is None else {"CI": ci}
    assert needs.in_ci(env) is expected


def test_missing_postgres_skips_with_the_reason_for_a_developer():
    with pytest.raises(pytest.skip.Exception, match="HEXALIGN_TEST_POSTGRES_URL is unset"):
        needs.postgres_url({})


def test_missing_postgres_fails_under_ci():
    with pytest.raises(pytest.fail.Exception, match="CI=true and no PostgreSQL"):
        needs.postgres_url({"CI": "true"})


def test_a_configured_postgres_is_returned_in_ci_and_out():
    url = "postgresql+psycopg://u:p@127.0.0.1:5/db"
    assert needs.postgres_url({needs.PG_ENV: url}) == url
    assert needs.postgres_url({needs.PG_ENV: url, "CI": "true"}) == url


def test_missing_chromium_skips_for_a_developer_and_fails_under_ci():
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        needs.chromium({}, path=NO_CHROMIUM)
    with pytest.raises(pytest.fail.Exception, match="CI=true and no Chromium"):
        needs.chromium({"CI": "true"}, path=NO_CHROMIUM)


def test_the_fixtures_use_the_rule_with_the_process_environment(monkeypatch):
    """The store and browser fixtures call these with no mapping: os.environ decides."""
    monkeypatch.delenv(needs.PG_ENV, raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        needs.postgres_url()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        needs.postgres_url()
