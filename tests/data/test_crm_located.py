"""A HubSpot companies export carries no coordinates: its rows are placed from postcode or town."""

import pandas as pd
import pytest

from data.importing import import_accounts


def test_hubspot_export_imports_with_every_row_located(tmp_path):
    path = tmp_path / "hubspot-companies.csv"
    pd.DataFrame(
        {
            "Record ID": ["101", "102", "103"],
            "Company name": ["Apteka Nowa", "Praxis Mitte", "Drug Inc"],
            "Postal Code": ["00-001", "10115", "10001"],
            "City": ["Warszawa", "Berlin", "New York"],
            "Country/Region": ["Poland", "Germany", "United States"],
            "Company owner": ["R01", "R01", "R02"],
            "Annual Revenue": ["1000000", "200000", "5000000"],
            "Total Revenue": ["1000", "0", "50"],
            "Segment": ["A", "B", "C"],
        }
    ).to_csv(path, index=False)
    frame, report = import_accounts(path, rep_ids=["R01", "R02"])
    assert report.imported == 3 and report.excluded == 0
    assert frame["location_precision"].tolist() == ["town", "postcode", "postcode"]
    # Warsaw (town centre), Berlin-Mitte 10115, Manhattan 10001 (GeoNames coordinates)
    assert frame["lat"].tolist() == pytest.approx([52.23, 52.53, 40.75], abs=0.02)
    assert frame["lon"].tolist() == pytest.approx([21.01, 13.38, -74.00], abs=0.02)
    assert frame["tam"].tolist() == [1_000_000.0, 200_000.0, 5_000_000.0]  # Annual Revenue
    assert frame["revenue"].tolist() == [1000.0, 0.0, 50.0]  # Total Revenue: our sales
