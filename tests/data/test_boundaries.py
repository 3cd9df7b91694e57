"""Uploaded boundaries restrict the plan; implausible locations are warnings naming the row."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import shapely

from common.errors import FileUnreadableError, PlanError
from data.boundaries import boundary_for, countries_shape, read_boundary, team_countries
from data.importing import import_accounts
from planning.area_choice import AreaChoice, AreaKind, area_choice_of, call_plan_with_area
from planning.callplan import default_call_plan
from planning.market import build_market

COLUMNS = ["account_id", "name", "lat", "lon", "segment", "tam", "revenue", "rep_id", "pinned"]


def _berlin_world(tmp_path: Path, extra: list[tuple] = ()) -> Path:
    """Eight accounts around Berlin (rows 2-9), then ``extra`` rows from row 10."""
    rows = [(f"B{i}", f"Berlin {i}", 52.40 + 0.03 * i, 13.30 + 0.03 * i, "B", 10.0, 1.0, "R1", "")
            for i in range(8)]  # fmt: skip
    path = tmp_path / "accounts.csv"
    pd.DataFrame([*rows, *extra], columns=COLUMNS).to_csv(path, index=False)
    return path


def _square_geojson(tmp_path: Path) -> Path:
    """A square around Berlin (13.0-14.0 E, 52.0-53.0 N) as a GeoJSON FeatureCollection."""
    ring = [[13.0, 52.0], [14.0, 52.0], [14.0, 53.0], [13.0, 53.0], [13.0, 52.0]]
    feature = {"type": "Feature", "properties": {"name": "Berlin square"},
               "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip
    path = tmp_path / "square.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def _reps() -> pd.DataFrame:
    return pd.DataFrame(
        {"rep_id": ["R1"], "name": ["Ann"], "home_lat": [52.5], "home_lon": [13.4],
         "capacity_hours": [1000.0], "region": [""]}
    )  # fmt: skip


def test_an_uploaded_geojson_restricts_the_plan_and_names_the_rows_outside(tmp_path) -> None:
    # row 10: Potsdam-ish, inside; row 11: Leipzig, 60+ km south of the square: outside
    path = _berlin_world(
        tmp_path,
        [
            ("IN", "Potsdam", 52.39, 13.06, "A", 5.0, 1.0, "R1", ""),
            ("OUT", "Leipzig", 51.34, 12.37, "A", 5.0, 1.0, "R1", ""),
        ],
    )
    choice = read_boundary(_square_geojson(tmp_path))
    assert choice.kind is AreaKind.UPLOAD and choice.name == "square.geojson"
    accounts, report = import_accounts(path, area=choice)
    outside = [p for p in report.warnings if "outside the planning area" in p.reason]
    assert [p.row for p in outside] == [11]
    assert "Leipzig, DE" in outside[0].reason and " km outside" in outside[0].reason
    # kept, the account is stored but not planned; the area is the square, by cell centre
    boundary = boundary_for(choice, accounts["lat"].to_numpy(), accounts["lon"].to_numpy())
    assert boundary is not None
    market = build_market(accounts, _reps(), resolution=6, boundary=boundary)
    assert list(market.outside["account_id"]) == ["OUT"]
    assert len(market.accounts) == 9
    assert market.area.lat.min() > 52.0 and market.area.lat.max() < 53.0
    assert market.area.lon.min() > 13.0 and market.area.lon.max() < 14.0
    # the choice round-trips through the call plan, where the data set keeps it
    stored = call_plan_with_area(default_call_plan(), choice)
    assert area_choice_of(stored) == choice
    assert area_choice_of(default_call_plan()).kind is AreaKind.HULL  # stored before: the hull


def test_a_swapped_account_thousands_of_km_away_is_a_warning_naming_row_town_and_distance(
    tmp_path,
) -> None:
    # row 10 has lat and lon swapped: (13.45, 52.51) lies in the Horn of Africa
    path = _berlin_world(tmp_path, [("SW", "Swapped", 13.45, 52.51, "A", 5.0, 1.0, "R1", "")])
    _, report = import_accounts(path)
    far = [p for p in report.warnings if "from the nearest other account" in p.reason]
    assert [p.row for p in far] == [10]
    reason = far[0].reason
    # Berlin (52.5, 13.4) to (13.45, 52.51): about 5,550 km by haversine
    km = float(reason.split(" km from")[0].split("is ")[-1].replace(",", ""))
    assert 5400 < km < 5700
    assert "nearest town" in reason and ", SO" in reason
    assert report.imported == 9  # a warning: the user keeps or excludes it
    _, excluded = import_accounts(path, choices={10: "exclude"})
    assert excluded.imported == 8 and 10 in excluded.excluded_rows


def test_accounts_close_together_raise_no_far_warning(tmp_path) -> None:
    _, report = import_accounts(_berlin_world(tmp_path))
    assert not report.warnings


def test_team_countries_and_named_countries() -> None:
    lat = [52.52, 52.40, 48.14, 52.37, 50.85]  # Berlin, Potsdam, Munich, Amsterdam, Brussels
    lon = [13.40, 13.06, 11.58, 4.90, 4.35]
    assert set(team_countries(lat, lon)) == {"DE", "NL", "BE"}
    assert countries_shape(["pl", "Germany"]).contains(
        countries_shape(["DE"]).representative_point()
    )
    with pytest.raises(PlanError, match="Atlantis"):
        countries_shape(["Atlantis"])
    # regions are bundled now (issue 11): Masovia holds Warsaw, not Kraków; an unknown one is named
    masovia = boundary_for(AreaChoice(AreaKind.REGIONS, ("PL-MZ",)), lat, lon)
    assert masovia.shape.contains(shapely.Point(21.01, 52.23)) and not masovia.shape.contains(
        shapely.Point(19.94, 50.06)
    )
    with pytest.raises(PlanError, match="(?i)pl-xx"):
        boundary_for(AreaChoice(AreaKind.REGIONS, ("PL-XX",)), lat, lon)


def test_a_boundary_file_without_polygons_is_refused(tmp_path) -> None:
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [13, 52]}}
    ]}))  # fmt: skip
    with pytest.raises(FileUnreadableError, match="no polygon"):
        read_boundary(path)


def test_a_zipped_shapefile_and_a_geopackage_read_like_geojson(tmp_path) -> None:
    import zipfile

    import geopandas as gpd

    frame = gpd.read_file(_square_geojson(tmp_path))
    frame.to_file(tmp_path / "square.gpkg", driver="GPKG")
    frame.to_file(tmp_path / "square.shp")
    with zipfile.ZipFile(tmp_path / "square.zip", "w") as z:
        for part in ("shp", "shx", "dbf", "prj"):
            z.write(tmp_path / f"square.{part}", f"square.{part}")
    want = read_boundary(_square_geojson(tmp_path))
    for name in ("square.gpkg", "square.zip"):
        got = read_boundary(tmp_path / name)
        import shapely

        assert shapely.from_wkb(got.shape_wkb).equals(shapely.from_wkb(want.shape_wkb)), name
