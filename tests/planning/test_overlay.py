"""Overlay reps (issue 15 section 3): a second layer of ownership, hand-computed on a named world.

The world ("inside and out"): the seven toy cells, call plan default (A and B field, C remote).

| account | cell   | seg | channel | layer   | field owner | overlay owner |
|---------|--------|-----|---------|---------|-------------|---------------|
| f1      | centre | A   | field   | field   | F1          |               |
| f2      | ring0  | B   | field   | field   | F2          |               |
| o1      | centre | C   | remote  | overlay |             | O1            |
| o2      | ring0  | C   | remote  | overlay |             | O1            |
| o3      | ring3  | C   | remote  | overlay |             | O2 (pinned)   |

Reps F1 (home centre), F2 (ring 3) are field reps; O1 and O2 are overlay reps serving
"segment=C; channel=remote" (every remote C account). o3's last owner is O2 and pinned; f2's
last owner would be O1 in the file, which is outside the field layer, so it loses it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import h3

from geo.area import area_from_cells
from planning.callplan import default_call_plan
from planning.market import UNASSIGNED
from planning.overlay import (
    Layer,
    OverlayError,
    OverlayRule,
    TwoLayerPlan,
    account_owners,
    layer_of,
    overlay_rules,
    split_layers,
)
from planning.plan import Plan
from planning.tally import full_tally
from tests.toy import CENTRE, DISK, RING, make_accounts, make_reps

AREA = area_from_cells(np.array([h3.str_to_int(c) for c in DISK], np.uint64), 7)


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    accounts = make_accounts([
        ("f1", CENTRE, "A", 1000.0, 100.0, "F1", False),
        ("f2", RING[0], "B", 500.0, 50.0, "O1", False),
        ("o1", CENTRE, "C", 100.0, 10.0, None, False),
        ("o2", RING[0], "C", 200.0, 20.0, "O1", False),
        ("o3", RING[3], "C", 300.0, 30.0, "O2", True),
    ])  # fmt: skip
    reps = make_reps({"F1": CENTRE, "F2": RING[3], "O1": CENTRE, "O2": RING[3]})
    reps["layer"] = ["field", "field", "overlay", "Overlay"]
    reps["overlay"] = pd.array([None, None, "segment=C; channel=remote", "segment=C"],
                               dtype="string")  # fmt: skip
    return accounts, reps


def pos(cell: str) -> int:
    return int(AREA.positions(np.array([h3.str_to_int(cell)], np.uint64))[0])


def test_rules_and_layers_are_read_and_refused_in_one_sentence():
    rule = OverlayRule.parse("segment = b,c ; channel=remote")
    assert rule.segments == {"B", "C"} and rule.channels == {"remote"}
    assert rule.text() == "segment=B,C; channel=remote"
    assert layer_of(None) is Layer.FIELD and layer_of(" Inside sales ") is Layer.OVERLAY
    with pytest.raises(OverlayError, match="not field or overlay"):
        layer_of("manager")
    with pytest.raises(OverlayError, match="not segment or channel"):
        OverlayRule.parse("region=North")
    with pytest.raises(OverlayError, match="'D' is not one of A, B, C"):
        OverlayRule.parse("segment=D")
    with pytest.raises(OverlayError, match="needs a segment or a channel"):
        OverlayRule.parse("")
    _, reps = frames()
    reps.loc[3, "overlay"] = pd.NA
    with pytest.raises(OverlayError, match="overlay rep 'O2' needs an overlay rule"):
        overlay_rules(reps)


def test_split_puts_every_account_in_one_layer_with_its_own_reps():
    accounts, reps = frames()
    layers = split_layers(accounts, reps, default_call_plan(), area=AREA)
    assert layers.selected.tolist() == [False, False, True, True, True]
    assert list(layers.field.rep_ids) == ["F1", "F2"]
    assert layers.overlay is not None and list(layers.overlay.rep_ids) == ["O1", "O2"]
    assert layers.field.accounts["account_id"].tolist() == ["f1", "f2"]
    assert layers.overlay.accounts["account_id"].tolist() == ["o1", "o2", "o3"]
    # f2's last owner O1 is not a field rep: it has none in the field layer
    assert layers.field.accounts["rep_id"].isna().tolist() == [False, True]
    assert layers.overlay.area is layers.field.area


def test_a_remote_only_rule_follows_the_call_plan_channel():
    accounts, reps = frames()
    reps["overlay"] = pd.array([None, None, "channel=remote", "channel=remote"], dtype="string")
    plan = default_call_plan()
    assert split_layers(accounts, reps, plan, area=AREA).selected.tolist() == [
        False, False, True, True, True]  # fmt: skip
    plan.loc["B", "channel"] = "remote"  # B becomes remote: f2 joins the overlay
    assert split_layers(accounts, reps, plan, area=AREA).selected.tolist() == [
        False, True, True, True, True]  # fmt: skip


def test_one_owner_per_account_per_layer_and_moves_stay_in_their_layer():
    accounts, reps = frames()
    layers = split_layers(accounts, reps, default_call_plan(), area=AREA)
    assert layers.overlay is not None
    field_owner = np.full(len(AREA.cells), UNASSIGNED)
    field_owner[pos(CENTRE)], field_owner[pos(RING[0])] = 0, 1  # F1 centre, F2 ring0
    overlay_owner = np.full(len(field_owner), UNASSIGNED)
    overlay_owner[[pos(CENTRE), pos(RING[0])]] = 0  # O1 both
    plans = TwoLayerPlan(
        Plan.from_owner(layers.field, field_owner), Plan.from_owner(layers.overlay, overlay_owner)
    )
    owners = account_owners(layers, plans, len(accounts))
    assert owners["layer"].tolist() == ["field", "field", "overlay", "overlay", "overlay"]
    assert owners["rep_id"].tolist() == ["F1", "F2", "O1", "O1", "O2"]
    # accounts per slot (unassigned, then reps) in each layer, by hand
    assert plans.field.tally.accounts.tolist() == [0, 1, 1]
    assert plans.overlay is not None
    assert plans.overlay.tally.accounts.tolist() == [0, 2, 1]

    # the centre goes to F2 in the field layer: overlay untouched, to the very object
    moved = plans.moved(Layer.FIELD, np.array([pos(CENTRE)]), 1)
    assert moved.overlay is plans.overlay
    assert moved.field.tally.accounts.tolist() == [0, 0, 2]
    assert account_owners(layers, moved, 5)["rep_id"].tolist() == ["F2", "F2", "O1", "O1", "O2"]
    # ring0 goes to O2 in the overlay layer: field untouched
    again = moved.moved(Layer.OVERLAY, np.array([pos(RING[0])]), 1)
    assert again.field is moved.field
    assert account_owners(layers, again, 5)["rep_id"].tolist() == ["F2", "F2", "O1", "O2", "O2"]
    assert again.overlay is not None and again.overlay.tally.accounts.tolist() == [0, 1, 2]
    assert again.overlay.tally.equals(full_tally(layers.overlay, again.overlay.owner))


def test_a_team_without_overlay_reps_is_one_layer():
    accounts, reps = frames()
    reps = reps.iloc[:2].drop(columns=["layer", "overlay"])
    layers = split_layers(accounts, reps, default_call_plan(), area=AREA)
    assert layers.overlay is None and not layers.selected.any()
    plans = TwoLayerPlan(Plan.from_owner(layers.field, np.zeros(len(AREA.cells), np.int64)), None)
    with pytest.raises(OverlayError, match="no overlay reps"):
        plans.layer(Layer.OVERLAY)
    _, reps = frames()
    reps["layer"] = "overlay"
    reps["overlay"] = "segment=C"
    with pytest.raises(OverlayError, match="field layer needs at least one"):
        split_layers(accounts, reps, default_call_plan(), area=AREA)
