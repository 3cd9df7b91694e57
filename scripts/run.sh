#!/usr/bin/env bash
# Install what is missing, then serve Hexalign on the demo data at http://127.0.0.1:8050
# (extra arguments go to app.py: --accounts FILE --reps FILE --host H --port P).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python app.py "$@"
