"""Owner changes back into the CRM (issue 11, point 9): only changed accounts, files a CRM
takes as they are, refused rather than escaped when a value begins with a formula character.

The world: the 7-cell disk; R1 Anna Nowak and R2 Ben Meyer with e-mails and Salesforce
user ids. Last quarter: a1 R1, a2 R2, a3 R2, a4 R1, a5 nobody, a6 R1 (pinned). The plan
gives ring 0 to R1, ring 3 and 4 to R2 and ring 5 to R1: a2 R2 -> R1, a4 R1 -> R2 and
a5 nobody -> R1 change owner; a3 stays with R2, a1 with R1, and pinned a6 stays with R1
although its cell goes to R2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import h3

from common.errors import PlanError
from data.exports import ALL_FORMATS, FORMATS, export_plan
from data.owner_changes import owner_changes, read_owner_changes, write_owner_changes
from planning.plan import Plan
from tests.toy import CENTRE, DISK, make_accounts, make_reps, toy_market

RING = [c for c in DISK if c != CENTRE]
SF_ANNA, SF_BEN = "0055g00000AnnaNAAA", "0055g00000BenMeAAA"


def world(account_ids: dict[str, str] | None = None, emails=("anna@firma.pl", "ben@firma.pl"),
          crm_ids=(SF_ANNA, SF_BEN), ring5: int = 0) -> Plan:  # fmt: skip
    accounts = make_accounts(
        [
            ("a1", CENTRE, "A", 100.0, 10.0, "R1", False),
            ("a2", RING[0], "B", 50.0, 5.0, "R2", False),
            ("a3", RING[1], "C", 20.0, 2.0, "R2", False),
            ("a4", RING[3], "B", 30.0, 3.0, "R1", False),
            ("a5", RING[5], "C", 10.0, 1.0, None, False),
            ("a6", RING[4], "A", 70.0, 7.0, "R1", True),
        ]
    )
    accounts["name"] = pd.array(
        ["Apteka Centrum", "Apteka Pod Lwem", "Apteka Nowa", "Apteka Stara", "Apteka Mała",
         "Apteka Duża"], dtype="string"
    )  # fmt: skip
    if account_ids:
        accounts["account_id"] = accounts["account_id"].replace(account_ids)
    reps = make_reps({"R1": CENTRE, "R2": RING[3]})
    reps["name"] = ["Anna Nowak", "Ben Meyer"]
    reps["email"] = pd.array(list(emails), dtype="string")
    reps["crm_user_id"] = pd.array(list(crm_ids), dtype="string")
    market = toy_market(accounts, reps)
    pos = {c: int(market.area.positions(np.array([h3.str_to_int(c)], np.uint64))[0]) for c in DISK}
    owner = np.full(market.n_cells, -1)
    owner[[pos[CENTRE], pos[RING[0]]]] = 0
    owner[[pos[RING[1]], pos[RING[2]], pos[RING[3]], pos[RING[4]]]] = 1
    owner[pos[RING[5]]] = ring5
    return Plan.from_owner(market, owner)


def test_only_the_accounts_whose_owner_changes_with_old_and_new_owner():
    table = owner_changes(world())
    assert table.astype(object).where(table.notna(), None).to_dict("records") == [
        {"account_id": "a2", "account_name": "Apteka Pod Lwem",
         "old_rep_id": "R2", "old_name": "Ben Meyer", "old_email": "ben@firma.pl",
         "old_crm_user_id": SF_BEN,
         "new_rep_id": "R1", "new_name": "Anna Nowak", "new_email": "anna@firma.pl",
         "new_crm_user_id": SF_ANNA},
        {"account_id": "a4", "account_name": "Apteka Stara",
         "old_rep_id": "R1", "old_name": "Anna Nowak", "old_email": "anna@firma.pl",
         "old_crm_user_id": SF_ANNA,
         "new_rep_id": "R2", "new_name": "Ben Meyer", "new_email": "ben@firma.pl",
         "new_crm_user_id": SF_BEN},
        {"account_id": "a5", "account_name": "Apteka Mała",
         "old_rep_id": None, "old_name": None, "old_email": None, "old_crm_user_id": None,
         "new_rep_id": "R1", "new_name": "Anna Nowak", "new_email": "anna@firma.pl",
         "new_crm_user_id": SF_ANNA},
    ]  # fmt: skip


def test_owner_change_formats_are_exports_but_not_plan_formats():
    assert set(ALL_FORMATS) - set(FORMATS) == {
        "owner-changes", "owner-changes-salesforce", "owner-changes-hubspot",
    }  # fmt: skip


def test_the_salesforce_and_hubspot_files_as_the_crms_take_them(tmp_path):
    plan = world()
    sf = export_plan(plan, "owner-changes-salesforce", tmp_path / "sf.csv")
    assert sf.read_text(encoding="utf-8") == (
        f"Id,OwnerId\na2,{SF_ANNA}\na4,{SF_BEN}\na5,{SF_ANNA}\n"
    )
    hs = export_plan(plan, "owner-changes-hubspot", tmp_path / "hs.csv")
    assert hs.read_text(encoding="utf-8") == (
        "Record ID,Company owner\na2,anna@firma.pl\na4,ben@firma.pl\na5,anna@firma.pl\n"
    )


@pytest.mark.parametrize("fmt", ["owner-changes", "owner-changes-salesforce",
                                 "owner-changes-hubspot"])  # fmt: skip
def test_every_owner_change_file_round_trips(tmp_path, fmt):
    plan = world()
    path = write_owner_changes(plan, fmt, tmp_path / "changes.csv")
    back = read_owner_changes(path, fmt)
    table = owner_changes(plan)
    if fmt == "owner-changes":
        pd.testing.assert_frame_equal(back, table)
    else:
        owner = "new_crm_user_id" if fmt.endswith("salesforce") else "new_email"
        assert back.values.tolist() == table[["account_id", owner]].values.tolist()


def test_formula_leading_values_are_refused_for_a_crm_and_neutralised_for_people(tmp_path):
    plan = world({"a2": "=HYPERLINK(1)", "a4": "-a4"}, emails=("@anna@firma.pl", "ben@firma.pl"))
    with pytest.raises(PlanError) as err:
        write_owner_changes(plan, "owner-changes-hubspot", tmp_path / "hs.csv")
    message = str(err.value)
    assert message.startswith(
        "the owner-changes-hubspot file was not written: "
        "line 2 (account '=HYPERLINK(1)'): Record ID '=HYPERLINK(1)' begins with a formula "
        "character; line 2 (account '=HYPERLINK(1)'): Company owner '@anna@firma.pl' begins "
        "with a formula character; line 3 (account '-a4'): Record ID '-a4' begins with a "
        "formula character; line 4 (account 'a5'): Company owner '@anna@firma.pl' begins "
        "with a formula character. A CRM stores what the file says, so these values are "
        "not escaped"
    )
    assert not (tmp_path / "hs.csv").exists()
    # the readable sheet neutralises, and reads back to the same values
    path = write_owner_changes(plan, "owner-changes", tmp_path / "changes.csv")
    text = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK(1),Apteka Pod Lwem" in text and "'-a4," in text
    back = read_owner_changes(path, "owner-changes")
    assert back["account_id"].tolist() == ["=HYPERLINK(1)", "-a4", "a5"]
    assert back["new_email"].tolist() == ["@anna@firma.pl", "ben@firma.pl", "@anna@firma.pl"]


def test_a_crm_file_needs_every_new_owner_and_their_crm_id(tmp_path):
    with pytest.raises(PlanError, match=r"line 3 \(account 'a4'\): rep 'R2' has no crm_user_id"):
        write_owner_changes(world(crm_ids=(SF_ANNA, None)), "owner-changes-salesforce",
                            tmp_path / "sf.csv")  # fmt: skip
    unassigned = world(ring5=-1)  # a5 stays without an owner: no change
    assert owner_changes(unassigned)["account_id"].tolist() == ["a2", "a4"]
    plan = world()
    owner = plan.owner.copy()
    owner[owner == 1] = -1  # R2's cells unassigned: a3 and a4 lose their owner
    with pytest.raises(PlanError) as err:
        write_owner_changes(Plan.from_owner(plan.market, owner), "owner-changes-hubspot",
                            tmp_path / "hs.csv")  # fmt: skip
    assert "line 3 (account 'a3'): no new owner (unassigned); line 4 (account 'a4'): no new " \
           "owner (unassigned)" in str(err.value)  # fmt: skip


def test_the_address_from_the_crm_is_kept_in_the_account_export(tmp_path):
    plan = world()
    accounts = plan.market.accounts.copy()
    accounts["city"] = pd.array(["Warszawa", "Kraków", None, "Gdańsk", "Łódź", "Poznań"],
                                dtype="string")  # fmt: skip
    accounts["postcode"] = pd.array(["00-001"] * 6, dtype="string")
    market = toy_market(accounts, plan.market.reps)
    path = export_plan(Plan.from_owner(market, plan.owner), "csv", tmp_path / "accounts.csv")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert table["city"].tolist() == ["Warszawa", "Kraków", "", "Gdańsk", "Łódź", "Poznań"]
    assert table["postcode"].tolist() == ["00-001"] * 6
