"""Ranking what the find box lists: exact id, then prefixes, then substrings; near before far."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning.find import (
    FoundKind,
    Match,
    Quality,
    best,
    first_matches,
    fold,
    fold_all,
    match_quality,
    parse_value,
    top_rows,
)

# a hand-built data set: what each line is for is in its name
IDS = ["A1", "MILL", "B7", "C3", "C4", "X9"]
NAMES = [
    "Mill Creek Pharmacy",  # name starts with "mill"
    "Northside Dental",  # id is exactly "mill"
    "Sawmill Supplies",  # "mill" inside a word
    "Millers Bakery",  # name starts with "mill"
    "Old Mill Diner",  # a later word starts with "mill"
    "Lakeside Clinic",  # no match
]


def qualities(query: str) -> list[int]:
    return match_quality(fold(query), fold_all(pd.Series(IDS)), fold_all(pd.Series(NAMES))).tolist()


def test_each_way_of_matching_has_its_quality():
    assert qualities("mill") == [
        Quality.NAME_PREFIX, Quality.EXACT_ID, Quality.SUBSTRING, Quality.NAME_PREFIX,
        Quality.WORD_PREFIX, Quality.NONE,
    ]  # fmt: skip


def test_an_exact_name_beats_a_prefix_and_an_id_prefix_beats_a_name_prefix():
    assert qualities("Old Mill Diner")[4] == Quality.EXACT_NAME
    assert qualities("c")[3:5] == [Quality.ID_PREFIX, Quality.ID_PREFIX]  # C3, C4 by id
    assert qualities("c")[5] == Quality.WORD_PREFIX  # "Lakeside Clinic"
    assert qualities("ide")[5] == Quality.SUBSTRING


def test_case_and_accents_do_not_matter():
    names = fold_all(pd.Series(["Gdańsk", "Łódź", "Zürich"]))
    assert match_quality(fold("GDANSK"), None, names).tolist() == [1, 99, 99]
    assert match_quality(fold("lodz"), None, names).tolist() == [99, 1, 99]
    assert match_quality(fold("zur"), None, names).tolist() == [99, 99, 3]


def test_the_list_puts_exact_id_first_then_prefix_then_substring():
    q = np.array(qualities("mill"))
    rows = top_rows(q, np.arange(len(IDS), dtype=float))
    matches = [
        Match(FoundKind.ACCOUNT, IDS[r], NAMES[r], Quality(int(q[r])), True, float(r)) for r in rows
    ]
    assert [m.key for m in best(matches)] == ["MILL", "A1", "C3", "C4", "B7"]


def test_near_comes_first_then_quality_then_reps_accounts_towns():
    far_town = Match(FoundKind.TOWN, "1", "Town Mill (far)", Quality.NAME_PREFIX, False, -1e6)
    near_town = Match(FoundKind.TOWN, "2", "Town Millbrook", Quality.NAME_PREFIX, True, -5e3)
    account = Match(FoundKind.ACCOUNT, "A1", "Mill Creek", Quality.NAME_PREFIX, True, 0.0)
    rep = Match(FoundKind.REP, "R1", "Millie", Quality.NAME_PREFIX, True, 3.0)
    exact_far = Match(FoundKind.TOWN, "3", "Town Mill", Quality.EXACT_NAME, False, -1.0)
    ranked = best([far_town, near_town, account, rep, exact_far])
    assert [m.key for m in ranked] == ["R1", "A1", "2", "3", "1"]  # far towns last, exact first


def test_one_kind_leaves_room_for_the_others():
    accounts = [
        Match(FoundKind.ACCOUNT, f"A{i}", f"Berlin Clinic {i}", Quality.NAME_PREFIX, True, i)
        for i in range(20)
    ]
    town = Match(FoundKind.TOWN, "2950159", "Town Berlin", Quality.NAME_PREFIX, True, -3e6)
    ranked = best([*accounts, town], limit=8, per_kind=5)
    assert len(ranked) == 8 and town in ranked
    assert [m.key for m in ranked if m.kind is FoundKind.ACCOUNT] == [f"A{i}" for i in range(7)]
    assert best(accounts, limit=8) == accounts[:8]  # alone, a kind fills the list


def test_values_round_trip():
    m = Match(FoundKind.ACCOUNT, "ACC:7", "x", Quality.EXACT_ID, True, 0.0)
    assert parse_value(m.value) == (FoundKind.ACCOUNT, "ACC:7")
    with pytest.raises(ValueError):
        parse_value("account")
    with pytest.raises(ValueError):
        parse_value("planet:earth")


@pytest.mark.parametrize("query", ["mill", "c", "ide", "a1", "old mill diner", "x9", "zzz", "l"])
@pytest.mark.parametrize("limit", [1, 3, 8])
def test_level_by_level_search_gives_the_full_ranking(query, limit):
    ids, names = fold_all(pd.Series(IDS)), fold_all(pd.Series(NAMES))
    full = match_quality(fold(query), ids, names)
    chosen = top_rows(full, np.arange(len(IDS), dtype=float), limit)
    expected = chosen[np.lexsort((chosen, full[chosen]))]  # best first
    rows, qualities = first_matches(fold(query), ids, names, limit)
    assert rows.tolist() == expected.tolist()
    assert qualities.tolist() == full[expected].tolist()
