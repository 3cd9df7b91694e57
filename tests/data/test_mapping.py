"""Column mapping: names recognised on their own, saved mappings, header problems."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from common.errors import FileUnreadableError, InputError
from data.importing import import_accounts, import_reps
from data.mapping import (
    load_mapping,
    map_columns,
    mapping_for_kind,
    normalise_name,
    save_mapping,
    suggest_mapping,
)
from data.validation import load_accounts


@pytest.mark.parametrize(
    "column, field",
    [
        ("Lat", "lat"), ("LATITUDE", "lat"), ("y", "lat"), ("Breitengrad", "lat"),
        ("breedtegraad", "lat"), ("Szerokość geograficzna", "lat"),
        ("lng", "lon"), ("Long", "lon"), ("X", "lon"), ("Längengrad", "lon"),
        ("Laenge", "lon"), ("Długość", "lon"),
        ("TAM", "tam"), ("Potential", "tam"), ("market_potential", "tam"),
        ("Market Potential (EUR)", "tam"), ("Marktpotenzial", "tam"), ("Potencjał", "tam"),
        ("Sales", "revenue"), ("current revenue", "revenue"), ("Umsatz [€]", "revenue"),
        ("Omzet", "revenue"), ("Chiffre d'affaires", "revenue"), ("Przychód", "revenue"),
        ("Tier", "segment"), ("class", "segment"), ("ABC", "segment"), ("Klasse", "segment"),
        ("Owner", "rep_id"), ("rep", "rep_id"), ("Rep-ID", "rep_id"), ("Vertreter", "rep_id"),
        ("ID", "account_id"), ("Customer_ID", "account_id"), ("Kundennummer", "account_id"),
        ("Klantnummer", "account_id"), ("Numéro client", "account_id"),
        ("Account Name", "name"), ("company", "name"), ("Firma", "name"), ("Nazwa", "name"),
        ("Key Account", "pinned"), ("pinned", "pinned"),
    ],
)  # fmt: skip
def test_account_columns_are_recognised(column, field):
    assert suggest_mapping([column], "accounts") == {column: field}


@pytest.mark.parametrize(
    "column, field",
    [
        ("id", "rep_id"), ("Rep ID", "rep_id"), ("Name", "name"), ("lat", "home_lat"),
        ("Home Latitude", "home_lat"), ("lon", "home_lon"), ("Capacity", "capacity_hours"),
        ("Capacity (h)", "capacity_hours"), ("Stunden", "capacity_hours"), ("Gebiet", "region"),
    ],
)  # fmt: skip
def test_rep_columns_are_recognised(column, field):
    assert suggest_mapping([column], "reps") == {column: field}


def test_two_columns_that_could_feed_one_field_are_both_named_never_picked():
    # Issue 11 changes this test: it asserted the silent pick (the field's own name
    # and the earlier synonym won); now both candidates are named in a header problem.
    columns = ["id", "account_id", "y", "Latitude", "x", "note"]
    assert suggest_mapping(columns, "accounts") == {
        "id": "account_id",
        "account_id": "account_id",
        "y": "lat",
        "Latitude": "lat",
        "x": "lon",
    }
    raw = pd.DataFrame({c: ["1"] for c in columns})
    frame, problems = map_columns(raw, "accounts")
    assert problems[:2] == [
        "columns 'id' and 'account_id' could both be 'account_id'; map one of them to "
        "'account_id' and the other to nothing (or another field)",
        "columns 'y' and 'Latitude' could both be 'lat'; map one of them to 'lat' and the "
        "other to nothing (or another field)",
    ]
    assert problems[2].startswith("missing required column(s) 'name', 'segment', 'tam', ")
    assert list(frame.columns)[:4] == ["id", "account_id (unmapped)", "y", "Latitude"]


def test_latitude_and_lat_is_an_error_naming_both(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        "account_id,name,Latitude,Lat,lon,segment,tam,revenue\nA1,x,52.2,52.2,21.0,A,1,1\n",
        encoding="utf-8",
    )
    frame, report = import_accounts(path)
    assert frame.empty and report.refused
    assert [p.reason for p in report.problems] == [
        "columns 'Latitude' and 'Lat' could both be 'lat'; map one of them to 'lat' and the "
        "other to nothing (or another field)"
    ]
    # the mapping settles it: one column named, the other needs no word
    frame, report = import_accounts(path, mapping={"Lat": "lat"})
    assert report.problems == () and frame.loc[0, "lat"] == 52.2


def test_normalise_name_folds_case_accents_and_punctuation():
    assert normalise_name(" Home-Lat ") == normalise_name("home_lat") == "homelat"
    assert normalise_name("Straße") == "strasse"
    assert normalise_name("Łódź") == "lodz"


def test_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of accounts, reps, call_plan"):
        suggest_mapping(["a"], "plans")


# --- saved mappings --------------------------------------------------------------------

FINNISH = {
    "Asiakasnumero": "account_id",
    "Nimi": "name",
    "Leveysaste": "lat",
    "Pituusaste": "lon",
    "Luokka": "segment",
    "Potentiaali": "tam",
    "Myynti": "revenue",
    "Huomautus": None,
}


def test_mapping_json_round_trip(tmp_path):
    save_mapping(FINNISH, tmp_path / "m.json")
    assert load_mapping(tmp_path / "m.json") == FINNISH
    text = (tmp_path / "m.json").read_text(encoding="utf-8")
    assert json.loads(text) == FINNISH


def test_split_mapping_round_trip(tmp_path):
    split = {"accounts": {"Breite": "lat"}, "reps": {"Breite": "home_lat", "Std": "capacity_hours"}}
    save_mapping(split, tmp_path / "m.json")
    loaded = load_mapping(tmp_path / "m.json")
    assert loaded == split
    assert mapping_for_kind(loaded, "reps") == split["reps"]
    assert mapping_for_kind(tmp_path / "m.json", "accounts") == {"Breite": "lat"}


def test_flat_mapping_entries_of_another_kind_are_skipped():
    mapping = {"Breite": "lat", "Std": "capacity_hours", "Ignored": None}
    assert mapping_for_kind(mapping, "reps") == {"Std": "capacity_hours", "Ignored": None}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{", "mapping m.json is not JSON text"),
        ('["a"]', "m.json is not a column mapping; expected a JSON object"),
        ('{"Breite": "latitude"}', "m.json maps 'Breite' to 'latitude', which is not a field"),
        ('{"Breite": 3}', "m.json maps 'Breite' to 3; a field is a string or null"),
        ('{"reps": {"Breite": "lat"}}', "m.json['reps'] maps 'Breite' to 'lat', which is not"),
    ],
)
def test_bad_mapping_files(tmp_path, text, expected):
    (tmp_path / "m.json").write_text(text)
    with pytest.raises(FileUnreadableError) as err:
        load_mapping(tmp_path / "m.json")
    assert expected in str(err.value)


def test_headers_in_any_language_with_a_mapping_file(tmp_path):
    save_mapping(FINNISH, tmp_path / "m.json")
    path = tmp_path / "asiakkaat.csv"
    path.write_text(
        "Asiakasnumero;Nimi;Leveysaste;Pituusaste;Luokka;Potentiaali;Myynti;Huomautus\n"
        "F1;Apteekki;60,17;24,94;A;1000;10;lat\n",
        encoding="utf-8",
    )
    frame, report = import_accounts(path, mapping=tmp_path / "m.json")
    assert report.problems == ()
    assert frame.loc[0, "lat"] == 60.17
    assert load_accounts(path, mapping=tmp_path / "m.json").equals(frame)


def test_mapping_wins_over_names(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        "account_id,name,lat,lon,segment,tam,revenue,Breite\nA1,x,1,2,A,1,1,48.5\n",
        encoding="utf-8",
    )
    frame, _ = import_accounts(path, mapping={"Breite": "lat"})
    assert frame.loc[0, "lat"] == 48.5


def test_unmapped_required_fields_are_a_header_problem_naming_columns(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Nummer,Nimi,Leveys,Pituus\n1,x,1,2\n2,y,3,4\n", encoding="utf-8")
    frame, report = import_accounts(path, mapping={"Nimi": "name", "Missing": "lat"})
    assert frame.empty
    assert (report.rows_read, report.imported, report.excluded) == (2, 0, 2)
    assert [(p.row, p.column) for p in report.problems] == [(1, None)]
    assert report.problems[0].reason == (
        "missing required column(s) 'account_id', 'lat', 'lon', 'segment', 'tam', 'revenue'; "
        "found 'Nummer', 'Nimi', 'Leveys', 'Pituus'; the mapping names column(s) 'Missing' "
        "that the file does not have"
    )
    with pytest.raises(InputError):
        load_accounts(path, mapping={"Nimi": "name"})


def test_segment_is_optional_when_derived(tmp_path):
    raw = pd.DataFrame({"id": ["A1"], "name": ["x"], "lat": ["1"], "lon": ["2"]})
    _, problems = map_columns(raw, "accounts", optional=("segment",))
    assert "'segment'" not in problems[0]
    assert "'tam', 'revenue'" in problems[0]


def test_two_columns_mapped_to_one_field(tmp_path):
    raw = pd.DataFrame({"a": ["1"], "b": ["2"]})
    _, problems = map_columns(raw, "reps", {"a": "rep_id", "b": "rep_id"})
    assert problems[0] == "the mapping gives columns 'a', 'b' the same field 'rep_id'"


def test_a_column_named_like_a_field_but_unmapped_is_set_aside():
    raw = pd.DataFrame({"lat": ["0"], "Breite": ["48"]})
    frame, _ = map_columns(raw, "accounts", {"Breite": "lat", "lat": None})
    assert list(frame.columns) == ["lat (unmapped)", "lat"]


def test_reps_with_their_own_words(tmp_path):
    path = tmp_path / "team.csv"
    path.write_text(
        "Personalnummer;Mitarbeiter;Breite;Länge;Stunden\nR2;Anna;52,5;13,4;1.600\n"
        "R10;Ben;48,1;11,6;1.500,5\n",
        encoding="utf-8",
    )
    frame, report = import_reps(path)
    assert report.problems == ()
    assert frame["rep_id"].tolist() == ["R2", "R10"]
    assert frame["capacity_hours"].tolist() == [1600.0, 1500.5]
