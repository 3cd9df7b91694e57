"""Matching reps to ground (issue 15 section 4), hand-computed on a small named world.

The world ("three hands"): the seven cells of the toy disk, one account per cell, TAM 1,000.00
each, three reps N (new), E (experienced) and S (senior):

| cell   | account | revenue | share | class      | owner (plan "as is") | owner (plan "swapped") |
|--------|---------|---------|-------|------------|----------------------|------------------------|
| centre | c1      | 600.00  | 60%   | stronghold | S                    | N                      |
| ring0  | c2      | 100.00  | 10%   | contested  | N                    | S                      |
| ring1  | c3      | 200.00  | 20%   | contested  | E                    | E                      |
| ring2  | c4      | 700.00  | 70%   | stronghold | S                    | N                      |
| ring3  | c5      | 500.00  | 50%   | base       | E                    | E                      |
| ring4  | c6      |   0     | 0     | frontier   | E                    | E                      |
| ring5  | c7      | 300.00  | 30%   | contested  | N                    | S                      |

As is: N holds 2 accounts, both contested (100% >= 25%: "new on contested", contested TAM
2,000.00); E holds 3, one contested (1/3, no flag: experienced); S holds 2 strongholds (100%:
"senior on strongholds"). Fit: 3 contested accounts, 1 with E -> 1/3; 2 reps flagged.
Swapped: S holds the 2 contested, N the 2 strongholds: fit 3/3, nobody flagged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import h3

from geo.area import area_from_cells
from planning.autobalance import balance_plan, plan_instance
from planning.edit_values import EditError
from planning.market import build_market
from planning.matching import (
    UNKNOWN,
    Experience,
    MatchingError,
    experience_of,
    experience_preference,
    fit_change_text,
    matching_table,
    plan_fit,
    rep_levels,
    suggestions,
)
from planning.optimizer import Settings
from planning.plan import Plan
from planning.share_classes import ShareClass
from planning.team import new_rep_row, team_changes
from tests.toy import CENTRE, DISK, RING, make_accounts, make_reps

CELLS = [CENTRE, *RING]
REVENUE = [600.0, 100.0, 200.0, 700.0, 500.0, 0.0, 300.0]
AS_IS = ["S", "N", "E", "S", "E", "E", "N"]
SWAPPED = ["N", "S", "E", "N", "E", "E", "S"]


def world(owners: list[str], levels: dict[str, str] | None = None) -> Plan:
    accounts = make_accounts([
        (f"c{i + 1}", cell, "B", 1000.0, rev, None, False)
        for i, (cell, rev) in enumerate(zip(CELLS, REVENUE, strict=True))
    ])  # fmt: skip
    reps = make_reps({"E": RING[1], "N": RING[0], "S": CENTRE})
    given = levels if levels is not None else {"N": "new", "E": "experienced", "S": "senior"}
    reps["experience"] = pd.array([given.get(r) for r in reps["rep_id"]], dtype="string")
    area = area_from_cells(np.array([h3.str_to_int(c) for c in DISK], np.uint64), 7)
    market = build_market(accounts, reps, area=area)
    rep_pos = {r: i for i, r in enumerate(market.rep_ids)}
    owner = np.full(market.n_cells, -1, np.int64)
    for cell, rep in zip(CELLS, owners, strict=True):
        owner[market.area.positions(np.array([h3.str_to_int(cell)], np.uint64))[0]] = rep_pos[rep]
    return Plan.from_owner(market, owner)


def test_levels_are_read_with_synonyms_and_refused_otherwise():
    assert experience_of(" Senior ") is Experience.SENIOR
    assert experience_of("junior") is Experience.NEW
    assert experience_of("Experienced") is Experience.EXPERIENCED
    with pytest.raises(MatchingError, match="not one of new, experienced, senior"):
        experience_of("guru")
    reps = pd.DataFrame({"experience": pd.array(["new", None, "", "lead"], dtype="string")})
    assert rep_levels(reps).tolist() == [0, UNKNOWN, UNKNOWN, 2]
    assert rep_levels(pd.DataFrame({"rep_id": ["a"]})).tolist() == [UNKNOWN]


def test_per_rep_ground_and_flags_by_hand():
    table = matching_table(world(AS_IS)).set_index("rep_id")
    assert table.loc[["E", "N", "S"], "experience"].tolist() == ["experienced", "new", "senior"]
    assert table["accounts"].to_dict() == {"E": 3, "N": 2, "S": 2}
    assert table["contested_accounts"].to_dict() == {"E": 1, "N": 2, "S": 0}
    assert table["contested_tam"].to_dict() == {"E": 1000.0, "N": 2000.0, "S": 0.0}
    assert table.loc["E", "contested_share"] == pytest.approx(1 / 3)
    assert table["stronghold_accounts"].to_dict() == {"E": 0, "N": 0, "S": 2}
    assert table["stronghold_tam"].to_dict() == {"E": 0.0, "N": 0.0, "S": 2000.0}
    assert table["matching_flag"].to_dict() == {
        "E": "", "N": "new on contested", "S": "senior on strongholds",
    }  # fmt: skip


def test_fit_before_and_after_a_swap():
    before, after = plan_fit(world(AS_IS)), plan_fit(world(SWAPPED))
    assert (before.contested, before.experienced, before.flagged) == (3, 1, 2)
    assert before.share == pytest.approx(1 / 3)
    assert (after.contested, after.experienced, after.flagged) == (3, 3, 0)
    assert after.share == 1.0
    assert "100% of contested accounts" in after.text()


def test_a_flag_needs_its_share_and_a_rep_without_level_is_left_out():
    # at a 50% flag share E's one contested account of three stays unflagged, N still flagged
    table = matching_table(world(AS_IS), flag_share=0.5).set_index("rep_id")
    assert table.loc["N", "matching_flag"] == "new on contested"
    # N without a level: its two contested accounts leave the fit, and it is never flagged
    plan = world(AS_IS, {"E": "experienced", "S": "senior"})
    fit = plan_fit(plan)
    assert (fit.contested, fit.experienced, fit.flagged) == (1, 1, 1)
    assert matching_table(plan).set_index("rep_id").loc["N", "experience"] == ""
    nobody = plan_fit(world(AS_IS, {}))
    assert nobody.share is None and "no contested ground" in nobody.text()


def test_team_editor_reads_and_compares_levels():
    row = new_rep_row({"rep_id": "R9", "home_lat": 1, "home_lon": 2, "capacity_hours": 10,
                       "experience": "Junior"}, ["R1"])  # fmt: skip
    assert row["experience"] == "new"
    assert "experience" not in new_rep_row(
        {"rep_id": "R9", "home_lat": 1, "home_lon": 2, "capacity_hours": 10}, []
    )
    with pytest.raises(EditError, match="experience 'guru'"):
        new_rep_row({"rep_id": "R9", "home_lat": 1, "home_lon": 2, "capacity_hours": 10,
                     "experience": "guru"}, [])  # fmt: skip
    old = make_reps({"R1": CENTRE, "R2": RING[0]})
    new = old.copy()
    new["experience"] = pd.array(["senior", None], dtype="string")
    changes = team_changes(old, new)
    assert changes.reskilled == ("R1",)
    assert "new experience level for R1" in changes.text()
    assert not team_changes(new, new.copy())


def test_suggestions_name_a_touching_rep_that_fits():
    # S's centre touches every ring cell, so S touches N and E (whether N touches E or not):
    # N (new, flagged): of its experienced or senior neighbours, S holds the least contested (0).
    # S (senior, flagged): of its new or experienced neighbours, N holds the most contested (2).
    said = suggestions(world(AS_IS))
    assert said == [
        "N (new) holds 2 contested account(s); S (senior, next door) could take contested cells",
        "S (senior) holds 2 stronghold account(s); N (new, next door, 2 contested) could swap "
        "ground with them",
    ]
    assert suggestions(world(SWAPPED)) == []


# --- auto-balance with an experience weight (issue 15 section 4, h15d) -------------------------
# The three-hands world balanced on TAM alone at 50 % tolerance (fair share 2,333.33 each: a rep
# may hold 2 or 3 of the 1,000.00 cells), with no disruption or compactness term, so the only
# secondary term is the experience weight's. 3^7 plans: the optimizer searches them all.

TAM_ONLY = Settings(balance=(("tam", 1.0),), tolerance=0.5, disruption_weight=0.0,
                    compactness_weight=0.0, time_limit=20, seed=1)  # fmt: skip


def test_the_preference_falls_on_new_reps_on_contested_cells_by_hand():
    plan = world(AS_IS)
    m = plan.market
    pref = experience_preference(plan, 1.0)
    new = list(m.rep_ids).index("N")
    contested = m.cell_class == int(ShareClass.CONTESTED)
    # weight 1 over the 7 accounts in cells: 1/7 for N on each of the 3 contested cells
    assert pref[:, new].tolist() == pytest.approx(np.where(contested, 1 / 7, 0.0).tolist())
    assert int(contested.sum()) == 3
    others = [i for i in range(m.n_reps) if i != new]
    assert not pref[:, others].any()
    assert experience_preference(plan, 0.0) is None  # the instance stays as it was
    assert experience_preference(world(AS_IS, {"E": "experienced"}), 1.0) is None  # nobody new
    assert plan_instance(plan).preference is None
    with pytest.raises(MatchingError, match="0 or more"):
        experience_preference(plan, -1.0)


def test_auto_balance_with_the_weight_puts_contested_ground_in_experienced_hands():
    plan = world(AS_IS)
    without, _ = balance_plan(plan, TAM_ONLY, rng=1)
    zero, _ = balance_plan(plan, TAM_ONLY, rng=1, experience_weight=0.0)
    weighted, result = balance_plan(plan, TAM_ONLY, rng=1, experience_weight=1.0)
    assert zero.owner.tolist() == without.owner.tolist()  # weight 0: the result is unchanged
    before, after = plan_fit(plan), plan_fit(weighted)
    assert (before.contested, before.experienced) == (3, 1)
    # by hand: N can hold 2 of the 4 uncontested cells (TAM 2,000.00, within 50 %), so every
    # contested account can be with E or S; nothing else competes in the objective
    assert (after.contested, after.experienced) == (3, 3)
    assert after.share == 1.0 and plan_fit(without).share < 1.0
    assert result.worst_deviation <= 0.5 + 1e-9 and result.optimal
    table = matching_table(weighted).set_index("rep_id")
    assert table.loc["N", "contested_accounts"] == 0 and table.loc["N", "accounts"] >= 2
    said = fit_change_text(plan, weighted)
    assert said is not None and "before: 33%" in said and "after: 100%" in said


def test_the_local_search_and_its_polish_also_follow_the_weight():
    # beyond exhaustive search: the local search, then exact subproblems improving the
    # secondary objective (what the app runs), reach the same fit
    settings = replace(TAM_ONLY, exact=False, improve=True)
    weighted, _ = balance_plan(world(AS_IS), settings, rng=1, experience_weight=2.0)
    assert plan_fit(weighted).experienced == 3
