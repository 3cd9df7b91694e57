"""The shape of validated inputs: what every reader must hand to the core.

Readers and validators (``data.readers``, ``data.validation``) produce frames of
exactly these columns and dtypes; the core (``planning``, ``geo``) relies on them
and never re-checks.
"""

from __future__ import annotations

# Accounts: one row per account.
#   account_id str (unique), name str, lat float64 [-90, 90], lon float64 [-180, 180],
#   segment str in planning.callplan.SEGMENTS, tam float64 >= 0, revenue float64 >= 0,
#   rep_id str or <NA> (last quarter's owner; must be a known rep),
#   pinned bool (a key account that stays with rep_id; needs a rep_id).
#   Issue 11 part 5 (locating): street, postcode, city, region, country str or <NA> (an
#   address; with postcode or city + country it stands in for missing lat/lon, see
#   data.locating), location_precision in coordinates/postcode/town (present when the
#   file carries an address or the column itself).
ACCOUNT_COLUMNS = ("account_id", "name", "lat", "lon", "segment", "tam", "revenue")
ADDRESS_COLUMNS = ("street", "postcode", "city", "region", "country")
ACCOUNT_OPTIONAL = ("rep_id", "pinned", *ADDRESS_COLUMNS, "location_precision")

# Reps: one row per rep, rep_id unique.
#   rep_id str, name str, home_lat float64, home_lon float64, capacity_hours float64 > 0,
#   region str or <NA>.
REP_COLUMNS = ("rep_id", "name", "home_lat", "home_lon", "capacity_hours")
REP_OPTIONAL = ("region",)

# Call plan: index segment (A/B/C); visits_per_year float >= 0,
#   minutes_per_visit float >= 0, channel in planning.callplan.CHANNELS.
CALL_PLAN_COLUMNS = ("segment", "visits_per_year", "minutes_per_visit", "channel")
