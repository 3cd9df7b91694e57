"""The Data tab in a real browser: upload, map unknown columns, decide on bad rows, use the data.

The files are made here: every 66th demo account (304 rows) under German
headers, two of which (``Nordwert``/``Ostwert``) no synonym knows, owned by
a new team of four; three rows are broken on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.store import Store
from tests.browser.harness import ROOT, serve, table

pytestmark = pytest.mark.browser

HOMES = {
    "T1": (53.551, 9.994),
    "T2": (52.520, 13.405),
    "T3": (50.938, 6.960),
    "T4": (48.137, 11.575),
}
BAD = {12: ("Nordwert", "abc"), 52: ("Ostwert", ""), 102: ("Klasse", "Z")}  # spreadsheet rows
TABLE_READY = "() => document.querySelectorAll('#rep-table tbody tr td').length > 0"
RUN = "() => Number((document.querySelector('#data-report [data-run]') || {dataset: {run: 0}}).dataset.run)"  # fmt: skip


def write_files(folder: Path) -> tuple[Path, Path, int]:
    """Accounts (German headers, 3 bad rows) and the new team; returns the rows written."""
    demo = pd.read_csv(ROOT / "data" / "demo" / "accounts.csv", dtype=str).iloc[::66]
    demo = demo.reset_index(drop=True)
    lat, lon = demo["lat"].astype(float).to_numpy(), demo["lon"].astype(float).to_numpy()
    homes = np.array(list(HOMES.values()))
    nearest = ((lat[:, None] - homes[:, 0]) ** 2 + (lon[:, None] - homes[:, 1]) ** 2).argmin(1)
    accounts = pd.DataFrame(
        {
            "Kundennummer": demo["account_id"],
            "Firma": demo["name"],
            "Nordwert": demo["lat"],
            "Ostwert": demo["lon"],
            "Klasse": demo["segment"],
            "Potenzial": demo["tam"],
            "Umsatz": demo["revenue"],
            "Betreuer": np.array(list(HOMES))[nearest],
        }
    )
    for row, (column, value) in BAD.items():
        accounts.loc[row - 2, column] = value
    reps = pd.DataFrame(
        {
            "Personalnummer": list(HOMES),
            "Name": ["Anna Albers", "Ben Brandt", "Cem Coskun", "Dora Dietz"],
            "Breite": [h[0] for h in HOMES.values()],
            "Länge": [h[1] for h in HOMES.values()],
            "Kapazität": [1600] * 4,
        }
    )
    accounts.to_csv(folder / "kunden.csv", index=False)
    reps.to_csv(folder / "aussendienst.csv", index=False)
    return folder / "kunden.csv", folder / "aussendienst.csv", len(accounts)


def run(page, action) -> None:
    """Do something that starts the import job and wait until its report is drawn."""
    before = page.evaluate(RUN)
    action()
    page.wait_for_function(f"n => ({RUN})() > n", arg=before, timeout=120_000)


def counts(page, kind: str) -> dict[str, int]:
    spans = page.locator(f"#data-report [data-file={kind}] [data-count]")
    return {
        s.get_attribute("data-count"): int(s.inner_text().replace(",", "")) for s in spans.all()
    }


def choose_field(page, kind: str, column: str, field: str) -> None:
    page.locator(f"[data-file={kind}] tr[data-column='{column}'] button.dash-dropdown").click()
    page.locator("[role=option]").get_by_text(f"{field} *", exact=True).first.click()


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("HEXALIGN_UPLOADS_DIR", str(tmp_path / "uploads"))
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url) as base:
        store = Store(url)
        yield base, store
        store.close()


def test_import001_map_unknown_columns_exclude_bad_rows_and_use_the_data(browser, app, tmp_path):
    base, store = app
    accounts_file, reps_file, n = write_files(tmp_path)
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page.goto(base + "/")
    page.wait_for_function(TABLE_READY, timeout=120_000)  # the map is not needed here
    page.locator("#sections").get_by_text("Data", exact=True).click()

    # the file arrives: Nordwert/Ostwert are unknown, so nothing can be imported yet
    run(page, lambda: page.set_input_files("#data-accounts-upload input[type=file]", accounts_file))
    assert page.locator("[data-file=accounts] [data-missing]").get_attribute("data-missing") == (
        "lat,lon"
    )
    assert counts(page, "accounts") == {"read": n, "imported": 0, "excluded": n, "with problems": 0}
    assert "missing required column(s) 'lat', 'lon'" in page.locator("#data-report").inner_text()

    choose_field(page, "accounts", "Nordwert", "lat")
    choose_field(page, "accounts", "Ostwert", "lon")
    run(page, lambda: page.set_input_files("#data-reps-upload input[type=file]", reps_file))
    assert counts(page, "reps") == {"read": 4, "imported": 4, "excluded": 0, "with problems": 0}
    assert counts(page, "accounts") == {"read": n, "imported": 0, "excluded": n, "with problems": 3}
    rows = page.locator("#data-report [data-file=accounts] tr[data-row]")
    assert [int(r.get_attribute("data-row")) for r in rows.all()] == sorted(BAD)
    problems = [r.inner_text() for r in rows.all()]
    assert "lat 'abc' is not a number" in problems[0] and "lon is empty" in problems[1]
    assert "segment 'Z' is not one of A, B, C" in problems[2]

    with page.expect_download() as saved:
        page.locator("#data-mapping-save").click()
    mapping = json.loads(Path(saved.value.path()).read_text(encoding="utf-8"))
    assert mapping["accounts"]["Nordwert"] == "lat" and mapping["reps"]["Länge"] == "home_lon"

    # a corrected latitude brings row 12 in; the other two are left out
    rows.nth(0).locator("input[type=text]").fill("52.5")
    for row in rows.all()[1:]:
        row.locator("label").filter(has_text="Exclude").click()
    run(page, lambda: page.locator("#data-check").click())
    assert counts(page, "accounts") == {
        "read": n, "imported": n - 2, "excluded": 2, "with problems": 3,
    }  # fmt: skip
    outcomes = page.locator("#data-report [data-file=accounts] tr[data-row] .outcome")
    assert outcomes.all_inner_texts() == ["fixed, imported", "excluded", "excluded"]

    # on second thought, row 12 is left out too (exclude wins over a typed value)
    rows.nth(0).locator("label").filter(has_text="Exclude").click()
    run(page, lambda: page.locator("#data-use").click())
    assert counts(page, "accounts") == {
        "read": n, "imported": n - 3, "excluded": 3, "with problems": 3,
    }  # fmt: skip
    assert outcomes.all_inner_texts() == ["excluded"] * 3

    # the page switches to the uploaded team
    page.wait_for_function(
        "() => (document.querySelector('#data-use-status')?.innerText || '').startsWith('Now planning')",
        timeout=120_000,
    )
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#rep-table td[data-dash-column=rep_id]'))"
        ".map(td => td.innerText.trim()).join() === 'T1,T2,T3,T4'",
        timeout=120_000,
    )
    shown = table(page)
    assert {r: shown[r]["name"] for r in shown} == {
        "T1": "Anna Albers", "T2": "Ben Brandt", "T3": "Cem Coskun", "T4": "Dora Dietz",
    }  # fmt: skip
    accounts_shown = sum(
        int(shown[r][c]) for r in shown for c in ("accounts_a", "accounts_b", "accounts_c")
    )
    assert accounts_shown == n - 3  # every imported account, each with its cell's owner
    assert "Now planning on “kunden”" in page.locator("#message").inner_text()

    dataset = store.datasets()[-1]
    stored_accounts, stored_reps, _ = store.load_dataset(dataset.id)
    assert len(stored_accounts) == n - 3 and stored_reps["rep_id"].tolist() == list(HOMES)
    excluded_ids = {f"ACC{(row - 2) * 66 + 1:05d}" for row in BAD}
    assert not excluded_ids & set(stored_accounts["account_id"])
    page.close()


def test_import002_a_file_over_the_upload_limit_gets_one_sentence(browser, tmp_path, monkeypatch):
    """Issue 12 point 8: over the limit, read by the server or refused at the door (413)."""
    monkeypatch.setenv("HEXALIGN_UPLOADS_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("HEXALIGN_MAX_UPLOAD_MB", "1")
    line = b"ACC1,Apotheke,52.5,13.4,A,1000,10\n"
    near = tmp_path / "near.csv"  # its request fits under the door's limit: the service refuses
    near.write_bytes(b"account_id,name,lat,lon,segment,tam,revenue\n" + line * 45_000)
    far = tmp_path / "far.csv"  # its request is refused from its Content-Length alone
    far.write_bytes(b"account_id,name,lat,lon,segment,tam,revenue\n" + line * 250_000)
    with serve(f"sqlite:///{tmp_path / 'plans.sqlite'}") as base:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(base + "/")
        page.wait_for_function(TABLE_READY, timeout=120_000)
        page.locator("#sections").get_by_text("Data", exact=True).click()
        run(page, lambda: page.set_input_files("#data-accounts-upload input[type=file]", near))
        assert page.locator("#data-report").inner_text().strip() == (
            "near.csv is 1.5 MB; the limit is 1.0 MB (HEXALIGN_MAX_UPLOAD_MB). "
            "The current data set is unchanged."
        )
        run(page, lambda: page.set_input_files("#data-accounts-upload input[type=file]", far))
        report = page.locator("#data-report").inner_text().strip()
        assert report.startswith("The file is about 8.") and report.endswith(
            "MB; the limit is 1.0 MB (HEXALIGN_MAX_UPLOAD_MB). The current data set is unchanged."
        ), report
        page.close()
