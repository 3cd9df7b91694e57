#!/usr/bin/env bash
# Install what is missing (virtualenv, packages, Debian chromium + chromium-driver),
# then lint and run every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet . || { echo "ruff format would change files: run .venv/bin/ruff format ." >&2; exit 1; }
exec .venv/bin/python -m pytest "$@"
