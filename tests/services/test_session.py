"""The data-set switcher's list and opening a data set on its last-edited scenario."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from services import datasets, editing, session
from tests.planning.test_tally import world


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


@pytest.fixture
def two(url):
    """The world (600 accounts, 4 reps) as "north", and its first 250 accounts as "south"."""
    m = world()
    north = editing.ensure_scenarios(url, "north", m.accounts, m.reps, m.call_plan, resolution=7)
    small = m.accounts.iloc[:250].reset_index(drop=True)
    south = editing.ensure_scenarios(url, "south", small, m.reps, m.call_plan, resolution=7)
    return north, south


def test_the_list_has_every_data_set_with_its_counts_and_date(url, two):
    (north, north_sid), (south, _) = two
    before = datetime.now(UTC)
    rows = session.dataset_rows(url, north_sid)
    assert [(r.id, r.name, r.accounts, r.reps, r.current) for r in rows] == [
        (north, "north", 600, 4, True),
        (south, "south", 250, 4, False),
    ]
    assert rows[0].stored_at <= rows[1].stored_at <= before
    assert rows[0].stored_at.tzinfo is not None
    assert session.current_dataset(url, north_sid).name == "north"


def test_opening_a_data_set_lands_on_its_last_edited_scenario_never_the_baseline(url, two):
    (north, working), _ = two
    store = editing.open_store(url)
    branch = store.duplicate_scenario(working, "Branch")  # created after: edited last
    assert session.open_dataset(url, north).scenario_id == branch
    _, _, version = editing.load(url, working)
    editing.apply(url, working, version, "move", np.arange(5), 1)  # now the working plan is
    opened = session.open_dataset(url, north)
    assert (opened.scenario_id, opened.scenario_name, opened.created) == (
        working, "Working plan", False,
    )  # fmt: skip
    assert not store.scenario(opened.scenario_id).read_only


def test_a_data_set_without_an_editable_scenario_gets_a_working_plan_named_after_it(url, two):
    _, (south, south_working) = two
    store = editing.open_store(url)
    store.delete_scenario(south_working)
    opened = session.open_dataset(url, south)
    assert opened.created and opened.scenario_name == "Working plan – south"
    record = store.scenario(opened.scenario_id)
    baseline = next(s for s in store.scenarios(south) if s.baseline)
    assert record.dataset_id == south and not record.read_only
    assert np.array_equal(record.owner, store.scenario(baseline.id).owner)
    assert session.open_dataset(url, south).scenario_id == opened.scenario_id  # made once


def test_an_imported_data_set_names_its_working_plan_after_itself(url, two):
    (_, north_working), _ = two
    m = world()
    used = datasets.store_import(
        url, north_working, "accounts_pl", m.accounts.iloc[100:400].reset_index(drop=True), None
    )
    assert used.scenario_name == "Working plan – accounts_pl"
    assert editing.open_store(url).scenario(north_working).name == "Working plan"  # as it was


def test_deleting_the_opening_working_plan_lands_new_pages_on_a_scenario_that_exists(url, two):
    # issue 12 point 3: the fallback was fixed at start-up; after a delete every new page failed
    (north, opening), _ = two
    assert session.landing_scenario(url, opening, north) == opening
    store = editing.open_store(url)
    store.delete_scenario(opening)
    landing = session.landing_scenario(url, opening, north)
    assert landing != opening and editing.scenario_exists(url, landing)
    record = store.scenario(landing)
    assert record.dataset_id == north and not record.read_only
    assert session.landing_scenario(url, opening, north) == landing  # the same one for everyone


# -- issue 18 point 1: a restart on the same files reads none of them ---------------------------


def test_a_restart_on_the_same_files_opens_their_data_set_unread(tmp_path, monkeypatch):
    from common.settings import Settings

    m = world()
    files = tmp_path / "accounts.parquet", tmp_path / "reps.parquet"
    m.accounts.to_parquet(files[0], index=False)
    m.reps.to_parquet(files[1], index=False)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", accounts=files[0],
                        reps=files[1])  # fmt: skip
    first = session.open_session(settings)
    reads = []
    real = session.load_accounts
    monkeypatch.setattr(session, "load_accounts", lambda *a, **k: reads.append(a) or real(*a, **k))
    again = session.open_session(settings)
    assert reads == []
    assert (again.dataset_id, again.scenario_id, again.resolution, again.rep_ids) == (
        first.dataset_id, first.scenario_id, first.resolution, first.rep_ids)  # fmt: skip
    # one account more: the files are read, and make a data set of their own
    m.accounts.iloc[:-1].to_parquet(files[0], index=False)
    changed = session.open_session(settings)
    assert len(reads) == 1 and changed.dataset_id != first.dataset_id
    # the data set's editable scenarios all deleted: the files are read, a working plan made
    store = editing.open_store(settings.database_url)
    for s in store.scenarios(changed.dataset_id):
        if not s.baseline:
            store.delete_scenario(s.id)
    remade = session.open_session(settings)
    assert len(reads) == 2 and remade.dataset_id == changed.dataset_id
    assert remade.scenario_id not in (changed.scenario_id, first.scenario_id)
