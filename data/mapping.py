"""Which column of a file is which field: names recognised on their own, and saved mappings.

People bring exports from a CRM, an ERP or their own spreadsheet; the headers are
``Lat``, ``Breitengrad``, ``Market Potential (EUR)`` or ``Klantnummer``. A column is
recognised when its name, folded to lower-case letters and digits without accents
(``"Market Potential (EUR)"`` -> ``marketpotential``), equals a field name or one of
its synonyms (English plus a few German, Dutch, French and Polish words, and the
column names of Salesforce, HubSpot and Dynamics 365 exports: docs/crm.md). When two
columns could feed one field (``Latitude`` and ``Lat``) the file is refused with both
named, until the mapping says which one is meant. Anything
else is named in a saved mapping, a small JSON file ``{"column in the file": "field"}``
that the app writes and the command line reads, so headers in any language work.

A mapping file is either flat, ``{"Breite": "lat", "Umsatz": "revenue"}``, or split by
kind, ``{"accounts": {...}, "reps": {...}}``, when one file serves several inputs;
``null`` as a field means "ignore this column". Fields are the columns of
``data.schemas``.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from common.errors import FileUnreadableError
from data.schemas import (
    ACCOUNT_COLUMNS,
    ACCOUNT_OPTIONAL,
    CALL_PLAN_COLUMNS,
    REP_COLUMNS,
    REP_OPTIONAL,
)

KINDS = ("accounts", "reps", "call_plan")
REQUIRED: dict[str, tuple[str, ...]] = {
    "accounts": ACCOUNT_COLUMNS,
    "reps": REP_COLUMNS,
    "call_plan": CALL_PLAN_COLUMNS,
}
FIELDS: dict[str, tuple[str, ...]] = {
    "accounts": ACCOUNT_COLUMNS + ACCOUNT_OPTIONAL,
    "reps": REP_COLUMNS + REP_OPTIONAL,
    "call_plan": CALL_PLAN_COLUMNS,
}

ColumnMapping = dict[str, str | None]
"""Column name in the file -> field (``None``: ignore the column)."""

_LAT = (
    "latitude", "lat", "y", "breite", "breitengrad", "geobreite", "breedtegraad", "breedte",
    "szerokosc", "szerokoscgeograficzna",
)  # fmt: skip
_LON = (
    "longitude", "lon", "lng", "long", "x", "lange", "laenge", "langengrad", "laengengrad",
    "geolange", "lengtegraad", "lengte", "dlugosc", "dlugoscgeograficzna",
)  # fmt: skip

# Field -> synonyms in priority order (after the field's own name), already normalised
# by ``normalise_name``. A column fitting two fields takes the one it fits earlier; two
# columns fitting one field are a header problem naming both (never a silent pick).
# docs/crm.md lists which CRM column lands where, and why.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "accounts": {
        "account_id": (
            "id", "customer_id", "customerid", "account", "accountnumber", "customernumber",
            "customerno", "kundennummer", "kundennr", "kundenid", "debitor", "debitorennummer",
            "klantnummer", "klantid", "klantnr", "numeroclient", "idclient", "codeclient",
            "nrklienta", "idklienta", "numerklienta",
            # CRM exports (docs/crm.md): Salesforce report "Account ID", HubSpot
            # "Record ID"; Salesforce API "Id" and Dynamics "(Do Not Modify) Account"
            # already match "id" and "account".
            "accountid", "recordid",
        ),
        "name": (
            "accountname", "company", "companyname", "customername", "customer", "firma",
            "firmenname", "kunde", "kundenname", "naam", "bedrijfsnaam", "bedrijf", "klantnaam",
            "nom", "raisonsociale", "societe", "nomclient", "nazwa", "nazwafirmy", "nazwaklienta",
        ),
        "lat": (*_LAT, "billinglatitude", "address1latitude"),
        "lon": (*_LON, "billinglongitude", "address1longitude"),
        "segment": (
            "tier", "class", "abc", "abcclass", "abcsegment", "category", "klasse", "kategorie",
            "abcklasse", "klasse", "categorie", "klasa", "kategoria",
        ),
        "tam": (
            "potential", "marketpotential", "totaladdressablemarket", "marktpotenzial",
            "marktpotential", "potenzial", "potentieel", "marktpotentieel", "potentiel",
            "potentieldemarche", "potencjal", "potencjalrynkowy",
            # The company's own turnover (Salesforce, HubSpot, Dynamics "Annual
            # Revenue", and as translated): a measure of the account's size, not what
            # we sell to it.
            "annualrevenue", "jahresumsatz", "jaaromzet", "chiffredaffairesannuel",
            "przychodroczny", "rocznyprzychod",
        ),
        "revenue": (
            "sales", "currentrevenue", "turnover", "umsatz", "omzet", "chiffredaffaires", "ca",
            "ventes", "przychod", "przychody", "sprzedaz", "obrot",
            # HubSpot "Total Revenue": the closed-won deals with this company.
            "totalrevenue",
        ),
        "rep_id": (
            "owner", "rep", "repid", "salesrep", "accountowner", "vertreter", "aussendienst",
            "betreuer", "verkoper", "accountmanager", "commercial", "representant",
            "przedstawiciel", "handlowiec", "opiekun",
            # Salesforce API "OwnerId", HubSpot "Company owner" (a person, matched to
            # reps by data.owners); Salesforce "Account Owner" and Dynamics "Owner" above.
            "ownerid", "companyowner", "hubspotowner", "accountinhaber", "inhaber",
            "accounteigenaar", "eigenaar", "proprietaireducompte", "proprietaire",
            "wlascicielkonta", "wlasciciel",
        ),
        "pinned": (
            "keyaccount", "key", "locked", "fixed", "schluesselkunde", "schlusselkunde",
            "fixiert", "sleutelklant", "vast", "comptecle", "kluczowyklient", "przypiety",
        ),
        # Address fields (issue 11): the billing address of a Salesforce account
        # (report header and API name), HubSpot's company address, Dynamics'
        # "Address 1: ...", and the usual words.
        "street": (
            "address", "streetaddress", "billingstreet", "address1street1", "address1line1",
            "strasse", "anschrift", "straat", "adres", "rue", "adresse", "ulica",
        ),
        "postcode": (
            "postalcode", "zip", "zipcode", "zippostalcode", "billingzippostalcode",
            "billingpostalcode", "address1zippostalcode", "address1postalcode", "plz",
            "postleitzahl", "codepostal", "kodpocztowy",
        ),
        "city": (
            "town", "billingcity", "address1city", "ort", "stadt", "plaats", "woonplaats",
            "ville", "miasto", "miejscowosc",
        ),
        "region": (
            "state", "province", "stateprovince", "stateregion", "billingstateprovince",
            "billingstate", "address1stateprovince", "address1stateorprovince", "bundesland",
            "provincie", "wojewodztwo",
        ),
        "country": (
            "countryregion", "billingcountry", "address1countryregion", "address1country",
            "countrycode", "land", "pays", "kraj",
        ),
    },
    "reps": {
        "rep_id": (
            "id", "rep", "repid", "employeeid", "personalnummer", "mitarbeiterid",
            "medewerkerid", "idcommercial", "idprzedstawiciela",
        ),
        "name": (
            "repname", "fullname", "employee", "mitarbeiter", "vertreter", "naam", "medewerker",
            "nom", "commercial", "nazwisko", "imieinazwisko", "przedstawiciel",
        ),
        "home_lat": ("homelatitude", *_LAT),
        "home_lon": ("homelongitude", *_LON),
        "capacity_hours": (
            "capacity", "hours", "hoursperyear", "kapazitat", "kapazitaet", "stunden",
            "jahresstunden", "capaciteit", "uren", "capacite", "heures", "godziny",
            "czaspracy",
        ),
        "region": ("area", "territory", "gebiet", "regio", "gebied", "secteur", "rejon"),
        "district": ("bezirk", "distrikt", "salesdistrict", "okreg"),  # issue 14
        "email": ("emailaddress", "mail", "primaryemail", "adresemail"),
        "crm_user_id": (
            "crmuserid", "crmid", "userid", "salesforceuserid", "ownerid", "hubspotownerid",
            "hubspotuserid",
        ),
        "experience": ("seniority", "level", "experiencelevel", "erfahrung", "ervaring",
                       "experiencia", "doswiadczenie"),  # issue 15
        "layer": ("replayer", "reptype", "salesrole", "ebene", "laag", "warstwa"),  # issue 15
        "overlay": ("overlayrule", "serves", "overlaysegments"),  # issue 15
    },
    "call_plan": {
        "segment": ("tier", "class", "abc", "klasse", "categorie", "klasa"),
        "visits_per_year": ("visits", "visitsyear", "calls", "callsperyear", "besuche",
                            "besucheprojahr", "bezoeken", "visites", "wizyty"),
        "minutes_per_visit": ("minutes", "duration", "callminutes", "minuten", "besuchsdauer",
                              "duur", "duree", "minuty"),
        "channel": ("mode", "kanal", "kanaal", "canal"),
    },
}  # fmt: skip

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD = str.maketrans({"ß": "ss", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "æ": "ae", "œ": "oe"})


def normalise_name(name: object) -> str:
    """A header folded for matching: lower-case ASCII letters and digits only.

    ``" Home-Lat "``, ``"home_lat"`` and ``"HomeLat"`` all become ``homelat``;
    accents go (``Längengrad`` -> ``langengrad``, ``Szerokość`` -> ``szerokosc``).
    """
    text = unicodedata.normalize("NFKD", str(name).translate(_FOLD)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_ALNUM.sub("", text)


def _name_keys(name: object) -> tuple[str, ...]:
    """The forms a header may match by: whole, then without units in brackets."""
    full = normalise_name(name)
    bare = normalise_name(_BRACKETS.sub("", str(name)))
    return (full,) if bare in ("", full) else (full, bare)


# issue 15: actuals files (data.actuals) go through the same mapper; not in KINDS (the Data tab's
# files), so a split mapping names them under their own keys.
ACTUAL_KINDS = ("actual_revenue", "visits")
REQUIRED["actual_revenue"] = ("account_id", "period", "revenue")
REQUIRED["visits"] = ("date", "account_id", "rep_id", "channel")
FIELDS["actual_revenue"] = REQUIRED["actual_revenue"]
FIELDS["visits"] = REQUIRED["visits"]
SYNONYMS["actual_revenue"] = {
    "account_id": SYNONYMS["accounts"]["account_id"],
    "period": (
        "month",
        "quarter",
        "monat",
        "quartal",
        "periode",
        "zeitraum",
        "maand",
        "kwartaal",
        "mois",
        "trimestre",
        "okres",
        "miesiac",
        "kwartal",
    ),
    "revenue": SYNONYMS["accounts"]["revenue"] + ("amount", "sales", "actual", "actuals"),
}
SYNONYMS["visits"] = {
    "date": ("visitdate", "day", "datum", "calldate", "activitydate", "data"),
    "account_id": SYNONYMS["accounts"]["account_id"],
    "rep_id": SYNONYMS["reps"]["rep_id"],
    "channel": SYNONYMS["call_plan"]["channel"] + ("type", "visittype", "calltype"),
}


def _priorities(kind: str) -> dict[str, list[tuple[int, str]]]:
    """Normalised name -> [(priority, field)] for one kind; the field's own name is 0."""
    table: dict[str, list[tuple[int, str]]] = {}
    for field in FIELDS[kind]:
        names = (normalise_name(field), *SYNONYMS[kind].get(field, ()))
        for priority, name in enumerate(names):
            table.setdefault(name, []).append((priority, field))
    return table


def known_names() -> frozenset[str]:
    """Every normalised name any kind recognises; finds header rows below a title block."""
    return frozenset(name for kind in KINDS for name in _priorities(kind))


def suggest_mapping(columns: Iterable[object], kind: str) -> dict[str, str]:
    """Guess which column is which field from the names alone.

    Each column takes at most one field: the field whose own name it is, else the
    field it is the earliest synonym of. Two columns may come out with the same
    field (``Latitude`` and ``Lat``): the names cannot say which one is meant, so
    both are returned and ``map_columns`` reports them (``ambiguous_fields``);
    nothing is picked silently. Columns matching nothing are left out.

    Parameters
    ----------
    columns
        Header names as found in the file.
    kind
        ``"accounts"``, ``"reps"`` or ``"call_plan"``.

    Returns
    -------
    dict
        Column name -> field, in column order.
    """
    table = _priorities(_check_kind(kind))
    chosen: dict[str, str] = {}
    for column in columns:
        candidates = sorted(
            (priority, form, field)
            for form, key in enumerate(_name_keys(column))
            for priority, field in table.get(key, ())
        )
        if candidates:
            chosen[str(column)] = candidates[0][2]
    return chosen


def ambiguous_fields(mapping: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Fields that two or more columns of ``mapping`` would feed, with those columns."""
    columns: dict[str, list[str]] = {}
    for column, field in mapping.items():
        if field is not None:
            columns.setdefault(field, []).append(column)
    return {f: cs for f, cs in columns.items() if len(cs) > 1}


def ambiguity_sentence(field: str, columns: Iterable[str]) -> str:
    """The header problem for one field that several columns could feed."""
    listed = " and ".join(repr(c) for c in columns)
    return (
        f"columns {listed} could both be {field!r}; map one of them to {field!r} "
        "and the other to nothing (or another field)"
    )


def describe_mapping(mapping: Mapping[str, str | None]) -> list[str]:
    """One line per column, ``column -> field`` (``-> (ignored)``), as ``cli.py check`` prints."""
    return [f"{column} -> {field or '(ignored)'}" for column, field in mapping.items()]


def _check_kind(kind: str) -> str:
    if kind not in FIELDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    return kind


def _all_fields() -> list[str]:
    return sorted({f for fields in FIELDS.values() for f in fields})


def _check_flat(entries: object, where: str, fields: Iterable[str]) -> ColumnMapping:
    """Check one ``{"column": "field" | null}`` object; ``where`` names it in errors."""
    allowed = set(fields)
    if not isinstance(entries, dict):
        raise FileUnreadableError(
            f"{where} is not a column mapping; expected a JSON object "
            '{"column in the file": "field"}.'
        )
    for column, field in entries.items():
        if field is not None and not isinstance(field, str):
            raise FileUnreadableError(
                f"{where} maps {column!r} to {field!r}; a field is a string or null."
            )
        if field is not None and field not in allowed:
            raise FileUnreadableError(
                f"{where} maps {column!r} to {field!r}, which is not a field; "
                f"fields are {', '.join(sorted(allowed))}."
            )
    return dict(entries)


def load_mapping(path: str | os.PathLike[str]) -> dict:
    """Read a saved mapping, flat or split by kind, refusing anything else in one sentence.

    Returns
    -------
    dict
        ``{"column": "field" | None}``, or ``{"accounts": {...}, "reps": {...}}``;
        give it to ``mapping_for_kind`` or straight to the importers.

    Raises
    ------
    FileUnreadableError
        The file is missing, not JSON, or maps a column to something that is not a
        field.
    """
    path = Path(path)
    try:
        content = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise FileUnreadableError(
            f"mapping {path} cannot be opened ({exc.strerror or type(exc).__name__})."
        ) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileUnreadableError(
            f"mapping {path.name} is not JSON text ({exc}); expected "
            '{"column in the file": "field"}.'
        ) from exc
    if _is_split(content):
        return {
            kind: _check_flat(content[kind], f"{path.name}[{kind!r}]", FIELDS[kind])
            for kind in content
        }
    return _check_flat(content, path.name, _all_fields())


def _is_split(content: object) -> bool:
    return (
        isinstance(content, dict)
        and bool(content)
        and all(k in (*KINDS, *ACTUAL_KINDS) and isinstance(v, dict) for k, v in content.items())
    )


def save_mapping(mapping: Mapping, path: str | os.PathLike[str]) -> None:
    """Write a mapping (flat or split by kind) as UTF-8 JSON that ``load_mapping`` reads back."""
    content = (
        {kind: dict(entries) for kind, entries in mapping.items()}
        if _is_split(dict(mapping))
        else _check_flat(dict(mapping), "mapping", _all_fields())
    )
    text = json.dumps(content, ensure_ascii=False, indent=2)
    Path(path).write_text(text + "\n", encoding="utf-8")


def mapping_for_kind(mapping: Mapping | str | os.PathLike[str] | None, kind: str) -> ColumnMapping:
    """The entries of a mapping (or mapping file) that concern one kind of input.

    A flat mapping may serve several files: entries naming a field of another kind
    are skipped here, so ``{"Breite": "lat"}`` is harmless for a reps file.
    """
    _check_kind(kind)
    if mapping is None:
        return {}
    if isinstance(mapping, (str, os.PathLike)):
        mapping = load_mapping(mapping)
    mapping = dict(mapping)
    if _is_split(mapping):
        return dict(mapping.get(kind, {}))
    return {c: f for c, f in mapping.items() if f is None or f in FIELDS[kind]}


def map_columns(
    raw: pd.DataFrame,
    kind: str,
    mapping: Mapping | str | os.PathLike[str] | None = None,
    *,
    optional: Iterable[str] = (),
) -> tuple[pd.DataFrame, list[str]]:
    """Rename the columns of a raw frame to fields: the mapping first, then suggestions.

    Columns that map to no field stay under their own name (renamed ``"<name>
    (unmapped)"`` if that is a field's name), so a row whose only value is in such a
    column is still not blank.

    Parameters
    ----------
    raw
        Cells as read, header names as in the file.
    kind
        ``"accounts"``, ``"reps"`` or ``"call_plan"``.
    mapping
        Saved mapping (or its path); its entries win over suggestions. Keys match
        header names exactly, or else after ``normalise_name``.
    optional
        Required fields the caller can do without (``segment`` when segments are
        derived from TAM).

    Returns
    -------
    frame, problems
        The renamed frame (same rows, same order) and the header problems as
        sentences; with problems the frame is not usable.
    """
    explicit = mapping_for_kind(mapping, kind)
    names = [str(c).strip() for c in raw.columns]
    by_norm: dict[str, int] = {}
    for index, name in enumerate(names):
        by_norm.setdefault(normalise_name(name), index)

    field_of: dict[int, str | None] = {}
    absent: list[str] = []
    problems: list[str] = []
    for column, field in explicit.items():
        column = str(column).strip()
        position = names.index(column) if column in names else by_norm.get(normalise_name(column))
        if position is None:
            absent.append(column)
            continue
        field_of[position] = field
    claimed: dict[str, list[int]] = {}
    for position, field in field_of.items():
        if field is not None:
            claimed.setdefault(field, []).append(position)
    for field, positions in claimed.items():
        if len(positions) > 1:
            listed = ", ".join(repr(names[p]) for p in sorted(positions))
            problems.append(f"the mapping gives columns {listed} the same field {field!r}")

    rest = [p for p in range(len(names)) if p not in field_of]
    suggested = suggest_mapping([names[p] for p in rest], kind)
    taken = set(claimed)
    by_field: dict[str, list[int]] = {}
    for p in rest:
        field = suggested.get(names[p])
        if field is not None and field not in taken:  # the mapping's choice wins
            by_field.setdefault(field, []).append(p)
    for field, positions in by_field.items():
        if len({names[p] for p in positions}) == 1:  # one name twice: "appears more than once"
            field_of[positions[0]] = field
            taken.add(field)
        else:  # two columns could feed one field: say so, never pick one
            problems.append(ambiguity_sentence(field, [names[p] for p in positions]))
            taken.add(field)  # not "missing": the sentence above says what to do

    repeated = sorted(
        {names[p] for p, f in field_of.items() if f is not None and names.count(names[p]) > 1}
    )
    if repeated:
        listed = ", ".join(repr(n) for n in repeated)
        problems.insert(0, f"column(s) {listed} appear more than once")

    required = [f for f in REQUIRED[kind] if f not in set(optional)]
    missing = [f for f in required if f not in taken]
    if missing:
        found = ", ".join(repr(n) for n in names) or "no columns"
        listed = ", ".join(repr(f) for f in missing)
        sentence = f"missing required column(s) {listed}; found {found}"
        if absent:
            sentence += "; the mapping names column(s) " + ", ".join(map(repr, absent))
            sentence += " that the file does not have"
        problems.append(sentence)

    fields = set(FIELDS[kind])
    new_names = []
    for p, name in enumerate(names):
        field = field_of.get(p)
        if field is not None:
            new_names.append(field)
        elif name in fields:
            new_names.append(f"{name} (unmapped)")
        else:
            new_names.append(name)
    return raw.set_axis(new_names, axis=1), problems


def header_score(cells: Iterable[object], names: frozenset[str]) -> int:
    """How many distinct cells of a candidate header row are recognised column names."""
    found = set()
    for cell in cells:
        if isinstance(cell, str) and cell.strip():
            keys = _name_keys(cell)
            if any(k in names for k in keys):
                found.add(keys[0])
    return len(found)
