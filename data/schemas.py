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
#   Address (issue 11): street, postcode, city, region (first-level: state, voivodeship...),
#   country (ISO code or name), each ``string`` with <NA> where empty; present only when the
#   file has the column. With postcode or city + country it stands in for missing lat/lon
#   (data.locating); location_precision in coordinates/postcode/town says how the point was
#   found. The owner in rep_id may be given as a rep's name, e-mail or CRM user id
#   (data.owners turns it into the rep_id).
ADDRESS_FIELDS = ("street", "postcode", "city", "region", "country")
ACCOUNT_COLUMNS = ("account_id", "name", "lat", "lon", "segment", "tam", "revenue")
ACCOUNT_OPTIONAL = ("rep_id", "pinned", *ADDRESS_FIELDS, "location_precision")

# Reps: one row per rep, rep_id unique.
#   rep_id str, name str, home_lat float64, home_lon float64, capacity_hours float64 > 0,
#   region str or <NA>, district str or <NA> (issue 14: reps roll up to districts and
#   regions, planning.hierarchy; a rep without them is in one region); email str or <NA>
#   (matched case-insensitively), crm_user_id str or <NA> (the CRM's user id, e.g.
#   Salesforce's 005..., matched exactly): both
#   name the rep in account owners and in the owner-changes exports to the CRM.
REP_COLUMNS = ("rep_id", "name", "home_lat", "home_lon", "capacity_hours")
#   experience str or <NA>: new, experienced or senior (issue 15, planning.matching).
#   layer str: field (default) or overlay; overlay str: the overlay rule, e.g. "segment=C;
#   channel=remote" (issue 15 section 3, planning.overlay).
REP_OPTIONAL = ("region", "district", "email", "crm_user_id", "experience", "layer", "overlay")

# Call plan: index segment (A/B/C); visits_per_year float >= 0,
#   minutes_per_visit float >= 0, channel in planning.callplan.CHANNELS.
CALL_PLAN_COLUMNS = ("segment", "visits_per_year", "minutes_per_visit", "channel")
