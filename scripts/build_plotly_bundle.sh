#!/usr/bin/env bash
# Rebuild assets/plotly/plotly-partial.min.js, the partial plotly.js the page runs (issue 18 point 1):
# plotly.js's core and only the trace types in scripts/plotly_traces.txt, from the npm registry,
# at the version of the plotly.min.js that the installed `plotly` package ships (Dash's own copy).
# Run it after a plotly upgrade (tests/layouts/test_plotly_bundle.py says when) or when a figure
# needs another trace type. Needs node >= 20 and npm; the app and the tests only read the
# committed file. Usage: bash scripts/build_plotly_bundle.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-.venv/bin/python}
ESBUILD_VERSION=0.28.2
OUT=assets/plotly/plotly-partial.min.js
# "* plotly.js v4.1.1" in the header of the plotly.min.js that Dash would serve
FULL=$("$PYTHON" -c "import plotly, pathlib; print(pathlib.Path(plotly.__file__).parent / 'package_data' / 'plotly.min.js')")
VERSION=${1:-$(head -c 200 "$FULL" | sed -n 's/^\* plotly\.js v\([0-9][0-9.]*\)$/\1/p')}
[ -n "$VERSION" ] || { echo "no plotly.js version in $FULL" >&2; exit 1; }
mapfile -t TRACES < <(grep -v '^\s*\(#\|$\)' scripts/plotly_traces.txt)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp scripts/plotly_bundle.mjs "$work/"
(cd "$work" && npm init -y >/dev/null \
  && npm install --silent --no-audit --no-fund "plotly.js@$VERSION" "esbuild@$ESBUILD_VERSION")
mkdir -p "$(dirname "$OUT")"
(cd "$work" && node plotly_bundle.mjs "$ROOT/$OUT" "$VERSION" "${TRACES[@]}")
cp "$work/node_modules/plotly.js/LICENSE" assets/plotly/LICENSE.plotly.js
echo "$OUT: plotly.js $VERSION, traces ${TRACES[*]}: $(wc -c <"$OUT") bytes, $(gzip -9c "$OUT" | wc -c) gzipped"
