"""CRM exports map themselves, and their owners are matched to reps (issue 11, point 6).

The header sets are the vendors' documented column names: a Salesforce Accounts
report (field labels), a Salesforce API / Data Loader export (field API names),
a HubSpot companies export (property labels) and a Dynamics 365 "Export to
Excel" of Accounts (display names, with its hidden "(Do Not Modify)" columns).
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from data.importing import ImportOptions, import_accounts, import_reps
from data.mapping import map_columns, suggest_mapping
from data.owners import Owners, match_owners
from data.segments import SegmentRule

SALESFORCE_REPORT = {
    "Account Owner": "rep_id",
    "Account Name": "name",
    "Account ID": "account_id",
    "Type": None,
    "Industry": None,
    "Billing Street": "street",
    "Billing City": "city",
    "Billing State/Province": "region",
    "Billing Zip/Postal Code": "postcode",
    "Billing Country": "country",
    "Billing Latitude": "lat",
    "Billing Longitude": "lon",
    "Annual Revenue": "tam",
    "Employees": None,
    "Phone": None,
    "Website": None,
    "Rating": None,
    "Last Activity": None,
    "Last Modified Date": None,
}
SALESFORCE_API = {
    "Id": "account_id",
    "Name": "name",
    "Type": None,
    "Industry": None,
    "BillingStreet": "street",
    "BillingCity": "city",
    "BillingState": "region",
    "BillingPostalCode": "postcode",
    "BillingCountry": "country",
    "BillingLatitude": "lat",
    "BillingLongitude": "lon",
    "AnnualRevenue": "tam",
    "NumberOfEmployees": None,
    "OwnerId": "rep_id",
    "Phone": None,
    "Website": None,
}
HUBSPOT = {
    "Record ID": "account_id",
    "Company name": "name",
    "Company Domain Name": None,
    "Company owner": "rep_id",
    "Create Date": None,
    "Phone Number": None,
    "Last Activity Date": None,
    "Street Address": "street",
    "City": "city",
    "State/Region": "region",
    "Postal Code": "postcode",
    "Country/Region": "country",
    "Industry": None,
    "Annual Revenue": "tam",
    "Number of Employees": None,
    "Total Revenue": "revenue",
    "Lifecycle Stage": None,
}
DYNAMICS = {
    "(Do Not Modify) Account": "account_id",
    "(Do Not Modify) Row Checksum": None,
    "(Do Not Modify) Modified On": None,
    "Account Name": "name",
    "Main Phone": None,
    "Address 1: Street 1": "street",
    "Address 1: City": "city",
    "Address 1: State/Province": "region",
    "Address 1: ZIP/Postal Code": "postcode",
    "Address 1: Country/Region": "country",
    "Address 1: Latitude": "lat",
    "Address 1: Longitude": "lon",
    "Primary Contact": None,
    "Email (Primary Contact)": None,
    "Annual Revenue": "tam",
    "Owner": "rep_id",
}
HEADER_SETS = {
    "salesforce report": SALESFORCE_REPORT,
    "salesforce api": SALESFORCE_API,
    "hubspot": HUBSPOT,
    "dynamics 365": DYNAMICS,
}
# What each export lacks for a plan, by the vendor's design: Salesforce and Dynamics
# have no standard field for what we sell an account (revenue), HubSpot exports carry
# no coordinates (the "locate" part places them by address), none has an A/B/C segment.
LACKING = {
    "salesforce report": ["segment", "revenue"],
    "salesforce api": ["segment", "revenue"],
    "hubspot": ["lat", "lon", "segment"],
    "dynamics 365": ["segment", "revenue"],
}


@pytest.mark.parametrize("vendor", HEADER_SETS)
def test_each_crm_header_set_maps_itself(vendor):
    headers = HEADER_SETS[vendor]
    expected = {c: f for c, f in headers.items() if f is not None}
    assert suggest_mapping(list(headers), "accounts") == expected


@pytest.mark.parametrize("vendor", HEADER_SETS)
def test_a_crm_export_lacks_only_what_the_vendor_has_no_field_for(vendor):
    raw = pd.DataFrame({c: ["x"] for c in HEADER_SETS[vendor]})
    frame, problems = map_columns(raw, "accounts")
    assert len(problems) == 1
    listed = ", ".join(repr(f) for f in LACKING[vendor])
    assert problems[0].startswith(f"missing required column(s) {listed}; found ")
    mapped = {f for f in HEADER_SETS[vendor].values() if f}
    assert mapped <= set(frame.columns)


def test_reps_file_with_email_and_crm_user_id():
    headers = ["Rep ID", "Full Name", "Email", "Salesforce User ID", "Home Latitude",
               "Home Longitude", "Capacity (h)"]  # fmt: skip
    assert suggest_mapping(headers, "reps") == {
        "Rep ID": "rep_id",
        "Full Name": "name",
        "Email": "email",
        "Salesforce User ID": "crm_user_id",
        "Home Latitude": "home_lat",
        "Home Longitude": "home_lon",
        "Capacity (h)": "capacity_hours",
    }


# --- owners ----------------------------------------------------------------------------

REPS = """rep_id,name,email,crm_user_id,home_lat,home_lon,capacity_hours
R1,Anna Nowak,Anna.Nowak@firma.pl,0055g00000AbCdE,52.23,21.01,1600
R2,Łukasz Wiśniewski,lukasz@firma.pl,0055g00000FgHiJAAZ,50.06,19.94,1600
R3,Piotr Zieliński,piotr.z@firma.pl,,54.35,18.65,1600
R4,Piotr Zielinski,piotr.zielinski@firma.pl,,51.11,17.03,1600
"""


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def owners(tmp_path) -> Owners:
    reps, report = import_reps(write(tmp_path / "reps.csv", REPS))
    assert report.problems == ()
    assert reps["email"].tolist()[0] == "Anna.Nowak@firma.pl"
    assert reps["crm_user_id"].isna().tolist() == [False, False, True, True]
    return Owners.from_reps(reps)


def test_owners_by_rep_id_name_email_and_crm_user_id(owners):
    given = pd.Series(
        ["R1", "Anna Nowak", "ANNA NOWAK", "anna.nowak@FIRMA.pl", "0055g00000AbCdE",
         "0055g00000AbCdEAAQ", "Lukasz Wisniewski", "lukasz@firma.pl", "0055g00000FgHiJ", None],
        dtype="string",
    )  # fmt: skip
    match = match_owners(given, owners)
    assert match.rep_id.tolist()[:9] == ["R1"] * 6 + ["R2"] * 3
    assert match.rep_id.isna().tolist() == [False] * 9 + [True]
    assert not match.unmatched.any() and not match.ambiguous.any()


def test_unmatched_and_ambiguous_owners(owners):
    given = pd.Series(["Jan Kowalski", "Piotr Zielinski", "piotr.z@firma.pl", "r1"], dtype="string")
    match = match_owners(given, owners)
    assert match.unmatched.tolist() == [True, False, False, True]  # rep ids are exact
    assert match.ambiguous.tolist() == [False, True, False, False]
    assert match.reason[1] == "matches reps R3 and R4 by name"
    assert match.rep_id.tolist() == ["Jan Kowalski", "Piotr Zielinski", "R3", "r1"]


def test_plain_rep_ids_match_only_rep_ids():
    match = match_owners(pd.Series(["R1", "Anna Nowak"], dtype="string"), ["R1"])
    assert match.unmatched.tolist() == [False, True]


def _salesforce_report(tmp_path, owners_column: list[str]):
    """A Salesforce report as exported, plus a revenue column (a custom field)."""
    header = [*SALESFORCE_REPORT, "Revenue"]
    rows = []
    for i, owner in enumerate(owners_column):
        cells = dict.fromkeys(header, "")
        cells |= {
            "Account Owner": owner, "Account Name": f"Apteka {i}",
            "Account ID": f"0015g00000Acc{i:02d}AAA", "Billing City": "Warszawa",
            "Billing Zip/Postal Code": "00-001", "Billing Country": "Poland",
            "Billing Latitude": str(52.2 + i / 100), "Billing Longitude": "21.0",
            "Annual Revenue": str(1_000_000 * (i + 1)), "Revenue": str(1000 * i),
        }  # fmt: skip
        rows.append(cells)
    path = tmp_path / "report.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_salesforce_report_imports_with_owners_by_name_and_report_by_row(tmp_path, owners):
    path = _salesforce_report(
        tmp_path,
        ["Anna Nowak", "lukasz@firma.pl", "Jan Kowalski", "Piotr Zieliński", "Piotr Zielinski"],
    )
    options = ImportOptions(rep_ids=owners, derive_segments=SegmentRule())
    frame, report = import_accounts(path, options)
    assert report.refused
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (4, "rep_id", "rep_id 'Jan Kowalski' is not a known rep: no rep has this rep_id, "
                      "name, e-mail or CRM user id"),
        (5, "rep_id", "owner 'Piotr Zieliński' matches reps R3 and R4 by name; give the rep_id "
                      "(or the e-mail) to say which"),
        (6, "rep_id", "owner 'Piotr Zielinski' matches reps R3 and R4 by name; give the rep_id "
                      "(or the e-mail) to say which"),
    ]  # fmt: skip
    # the user excludes one row and fixes the others, as with any problem
    choices = {4: "exclude", 5: {"rep_id": "R3"}, 6: {"rep_id": "piotr.zielinski@firma.pl"}}
    frame, report = import_accounts(path, options.but(choices=choices))
    assert not report.refused and report.problems == ()
    assert frame["rep_id"].tolist() == ["R1", "R2", "R3", "R4"]
    assert frame["city"].tolist() == ["Warszawa"] * 4
    assert frame["postcode"].tolist() == ["00-001"] * 4
    assert frame["country"].tolist() == ["Poland"] * 4
    assert frame["street"].isna().all() and frame["region"].isna().all()  # empty in the file
    assert frame["tam"].tolist() == [1e6, 2e6, 4e6, 5e6]  # Annual Revenue: the size
    assert frame["revenue"].tolist() == [0.0, 1000.0, 3000.0, 4000.0]


def test_address_and_crm_people_are_stored_with_the_data_set(tmp_path, toy):
    from data.store import Store
    from planning.callplan import default_call_plan

    accounts = toy.accounts.copy()
    accounts["country"] = pd.array(["PL"] * len(accounts), dtype="string")
    reps = toy.reps.copy()
    reps["email"] = pd.array([f"{r.lower()}@firma.pl" for r in reps["rep_id"]], dtype="string")
    reps["crm_user_id"] = pd.array([pd.NA] * len(reps), dtype="string")
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        ds = store.ensure_dataset("crm", accounts, reps, default_call_plan())
        back_accounts, back_reps, _ = store.load_dataset(ds)
    assert back_accounts["country"].tolist() == ["PL"] * len(accounts)
    assert back_reps["email"].tolist() == reps["email"].tolist()
    assert back_reps["crm_user_id"].isna().all()


@pytest.mark.parametrize(
    "column, field",
    [
        ("Accountinhaber", "rep_id"), ("Inhaber", "rep_id"), ("Accounteigenaar", "rep_id"),
        ("Propriétaire du compte", "rep_id"), ("Właściciel konta", "rep_id"),
        ("Jahresumsatz", "tam"), ("Jaaromzet", "tam"), ("Chiffre d'affaires annuel", "tam"),
        ("Przychód roczny", "tam"), ("Accountname", "name"), ("PLZ", "postcode"),
        ("Postleitzahl", "postcode"), ("Kod pocztowy", "postcode"), ("Code postal", "postcode"),
        ("Ort", "city"), ("Miejscowość", "city"), ("Plaats", "city"), ("Ville", "city"),
        ("Bundesland", "region"), ("Województwo", "region"), ("Provincie", "region"),
        ("Land", "country"), ("Kraj", "country"), ("Pays", "country"),
        ("Straße", "street"), ("Ulica", "street"), ("Adresse", "street"),
    ],
)  # fmt: skip
def test_translated_crm_and_address_headers(column, field):
    # annual turnover in any language is the size (tam); the owner words are people
    assert suggest_mapping([column], "accounts") == {column: field}


def test_two_reps_with_one_email_are_a_warning_on_both_rows(tmp_path):
    text = REPS.replace("piotr.zielinski@firma.pl", "PIOTR.Z@firma.pl")
    _, report = import_reps(write(tmp_path / "reps.csv", text))
    assert not report.refused
    assert [(p.row, p.column, p.severity, p.reason) for p in report.problems] == [
        (4, "email", "warning", "email 'piotr.z@firma.pl' is another rep's too: an account "
                                "owner given by this e-mail will match both reps"),
        (5, "email", "warning", "email 'PIOTR.Z@firma.pl' is another rep's too: an account "
                                "owner given by this e-mail will match both reps"),
    ]  # fmt: skip
