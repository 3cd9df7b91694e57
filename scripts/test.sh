#!/usr/bin/env bash
# Install what is missing (virtualenv, packages, Debian chromium + chromium-driver),
# then lint, type-check and run every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet . || { echo "ruff format would change files: run .venv/bin/ruff format ." >&2; exit 1; }
.venv/bin/mypy                                  # the whole tree (files listed in pyproject.toml)
# A throwaway PostgreSQL on 127.0.0.1 for the store tests, stopped whatever happens.
if pg_env=$(bash scripts/postgres.sh start); then
  eval "$pg_env"                                # exports HEXALIGN_TEST_POSTGRES_URL and HEXALIGN_PG_DIR
  trap 'bash scripts/postgres.sh stop' EXIT
  trap 'exit 130' INT TERM                      # Ctrl-C still goes through the EXIT trap
elif [[ "$(printf %s "${CI:-}" | tr "[:upper:]" "[:lower:]")" =~ ^(true|1|yes)$ ]]; then  # CI may not skip the PostgreSQL tests (tests/needs.py)
  echo "test.sh: CI=true and no PostgreSQL could be started: failing instead of skipping its tests" >&2
  exit 1
else
  echo "test.sh: no PostgreSQL could be started; its store tests will be skipped" >&2
fi
.venv/bin/python -m pytest "$@"
