"""The database store: round trips, versions, undo/redo, read-only baselines, crashes.

Every test runs on SQLite; on PostgreSQL too when HEXALIGN_TEST_POSTGRES_URL
is set (scripts/postgres.sh start prints one), each test in a schema of its own.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from data.store import (
    MIGRATIONS,
    NothingToUndoError,
    ReadOnlyScenarioError,
    ScenarioExistsError,
    ScenarioNotFoundError,
    StaleVersionError,
    Store,
    metadata,
)
from planning.callplan import default_call_plan
from planning.plan import Plan, set_locked
from tests import needs
from tests.toy import ROOT

N_CELLS = 500
N_REPS = 6
# issue 15: 0003_actuals, 0004_overlay, 0005_overlay_moves; issue 18: 0006_market_cache,
# 0007_dataset_totals, 0008_basemap_cache
HEAD = "0008_basemap_cache"


def _pg_url_in_fresh_schema(base: str) -> tuple[str, str]:
    """A URL whose search_path is a new, empty schema: tests do not see each other."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(_psycopg(base))
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    url = sa.engine.make_url(_psycopg(base)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    return url.render_as_string(hide_password=False), schema


def _psycopg(url: str) -> str:
    u = sa.engine.make_url(url)
    return u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """A fresh, empty database URL: a SQLite file, or a PostgreSQL schema.

    Without a PostgreSQL server the PostgreSQL cases skip, or fail under ``CI=true``
    (``tests.needs``).
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'hexalign.sqlite'}"
        return
    base = needs.postgres_url()
    url, schema = _pg_url_in_fresh_schema(base)
    yield url
    engine = sa.create_engine(_psycopg(base))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def store(url):
    with Store(url) as s:
        yield s


@pytest.fixture
def inputs(toy):
    return toy.accounts, toy.reps, default_call_plan()


@pytest.fixture
def dataset(store, inputs):
    return store.ensure_dataset("toy", *inputs)


def random_state(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(-1, N_REPS, N_CELLS), rng.random(N_CELLS) < 0.1


def move(store, sid, version, owner, locked, cells, rep, user="ann"):
    """Give unlocked ``cells`` to ``rep`` the way the app will; return (version, owner)."""
    cells = np.asarray(cells, dtype=np.int64)
    new = owner.copy()
    new[cells[~locked[cells]]] = rep
    version = store.commit_move(
        sid, version, kind="move", cells=cells, before=owner[cells], after_rep=rep,
        owner=new, locked=locked, tally=new.tobytes()[:16], user=user,
    )  # fmt: skip
    return version, new


# -- datasets -----------------------------------------------------------------


def test_dataset_round_trip_keeps_dtypes_and_index(store, inputs, dataset):
    for stored, given in zip(store.load_dataset(dataset), inputs, strict=True):
        pd.testing.assert_frame_equal(stored, given)


def test_dataset_counts_are_read_from_the_stored_files(store, inputs, dataset):
    # datasets-find: the switcher's row counts (toy: three accounts, two reps)
    assert store.dataset_counts(dataset) == (3, 2)
    with pytest.raises(ScenarioNotFoundError):
        store.dataset_counts(dataset + 99)


def test_same_inputs_are_stored_once_and_shared(store, inputs, dataset):
    assert store.ensure_dataset("another name", *inputs) == dataset
    owner, locked = random_state()
    a = store.create_scenario(dataset, "A", 7, owner, locked)
    b = store.create_scenario(dataset, "B", 7, owner, locked)
    assert store.scenario(a).dataset_id == store.scenario(b).dataset_id == dataset
    assert [d.id for d in store.datasets()] == [dataset]
    changed = inputs[0].assign(tam=inputs[0]["tam"] + 1)
    assert store.ensure_dataset("toy", changed, *inputs[1:]) != dataset


# -- scenarios ------------------------------------------------------------------


def test_scenario_round_trip(store, dataset):
    owner, locked = random_state()
    cells = np.sort(np.random.default_rng(1).choice(2**40, N_CELLS, replace=False)).astype(
        np.uint64
    )
    sid = store.create_scenario(
        dataset, "Plan A", 7, owner, locked, tally=b"\x00\x01tally", settings={"tolerance": 0.1},
        area_cells=cells,
    )  # fmt: skip
    rec = store.scenario(sid)
    assert rec.owner.dtype == np.int64 and rec.locked.dtype == bool
    np.testing.assert_array_equal(rec.owner, owner)
    np.testing.assert_array_equal(rec.locked, locked)
    assert (rec.tally, rec.settings, rec.version, rec.resolution) == (
        b"\x00\x01tally", {"tolerance": 0.1}, 1, 7,
    )  # fmt: skip
    assert not rec.owner.flags.writeable
    np.testing.assert_array_equal(store.area_cells(rec.area_id), cells)
    assert [s.name for s in store.scenarios(dataset)] == ["Plan A"]
    assert store.scenario_id("Plan A") == sid


def test_real_plan_round_trip(store, toy, inputs):
    plan = Plan.from_owner(toy.market, np.array([0, 1, 1, 0, 1, 1, -1]))
    plan = set_locked(plan, [2])
    ds = store.ensure_dataset("toy", *inputs)
    sid = store.create_scenario(
        ds, "toy", toy.market.area.resolution, plan.owner, plan.locked,
        area_cells=toy.market.area.cells,
    )  # fmt: skip
    rec = store.scenario(sid)
    again = Plan.from_owner(toy.market, rec.owner, rec.locked)
    np.testing.assert_array_equal(again.owner, plan.owner)
    np.testing.assert_array_equal(again.locked, plan.locked)
    assert again.tally.equals(plan.tally)


def test_names_are_unique_per_dataset(store, dataset):
    owner, locked = random_state()
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    with pytest.raises(ScenarioExistsError, match="named 'A'"):
        store.create_scenario(dataset, "A", 7, owner, locked)
    other = store.create_scenario(dataset, "B", 7, owner, locked)
    with pytest.raises(ScenarioExistsError):
        store.rename_scenario(other, "A")
    with pytest.raises(ScenarioExistsError):
        store.duplicate_scenario(sid, "B")
    store.rename_scenario(other, "C")
    assert store.scenario(other).name == "C"


def test_duplicate_branches_owners_locks_tally_and_settings(store, dataset):
    owner, locked = random_state()
    sid = store.create_scenario(dataset, "A", 7, owner, locked, tally=b"t", settings={"k": [1]})
    version, owner = move(store, sid, 1, owner, locked, [1, 2, 3], 0)
    branch = store.duplicate_scenario(sid, "A (copy)")
    rec, src = store.scenario(branch), store.scenario(sid)
    np.testing.assert_array_equal(rec.owner, src.owner)
    np.testing.assert_array_equal(rec.locked, src.locked)
    assert (rec.tally, rec.settings, rec.parent_id, rec.version) == (src.tally, {"k": [1]}, sid, 1)
    assert store.undoable(branch) is None  # a branch starts with an empty log
    store.delete_scenario(sid)
    assert store.scenario(branch).parent_id is None
    with pytest.raises(ScenarioNotFoundError):
        store.scenario(sid)


def test_baseline_is_read_only(store, dataset):
    owner, locked = random_state()
    base = store.ensure_baseline(dataset, 7, owner, locked)
    assert store.ensure_baseline(dataset, 7, owner * 0, locked) == base  # idempotent
    assert store.baseline_id(dataset, 7) == base and store.baseline_id(dataset, 6) is None
    rec = store.scenario(base)
    assert rec.baseline and rec.read_only
    with pytest.raises(ReadOnlyScenarioError, match="baseline"):
        move(store, base, 1, owner, locked, [0], 1)
    with pytest.raises(ReadOnlyScenarioError):
        store.delete_scenario(base)
    with pytest.raises(ReadOnlyScenarioError):
        store.rename_scenario(base, "x")
    frozen = store.create_scenario(dataset, "Q3 final", 7, owner, locked, read_only=True)
    with pytest.raises(ReadOnlyScenarioError):
        store.delete_scenario(frozen)
    with pytest.raises(ScenarioExistsError, match="baseline"):
        store.create_scenario(dataset, "second", 7, owner, locked, baseline=True)
    branch = store.duplicate_scenario(base, "mine")
    move(store, branch, 1, owner, locked, [0], 1)
    np.testing.assert_array_equal(store.scenario(base).owner, owner)


# -- moves, versions ------------------------------------------------------------


def test_move_saves_state_and_log(store, dataset):
    owner, locked = random_state()
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    cells = np.array([3, 4, 5, 6])
    version, new = move(store, sid, 1, owner, locked, cells, 2, user="bob")
    assert version == 2
    rec = store.scenario(sid)
    np.testing.assert_array_equal(rec.owner, new)
    assert rec.tally == new.tobytes()[:16]
    m = store.undoable(sid)
    changed = cells[(owner[cells] != 2) & ~locked[cells]]
    np.testing.assert_array_equal(m.cells, changed)
    np.testing.assert_array_equal(m.before, owner[changed])
    assert (m.kind, m.user, m.after_rep, m.seq, m.resolution) == ("move", "bob", 2, 1, 7)


def test_noop_move_saves_nothing(store, dataset):
    owner, locked = random_state()
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    assert move(store, sid, 1, owner, locked, [], 0)[0] == 1
    assert store.undoable(sid) is None


def test_second_client_with_same_version_gets_stale_error(store, url, dataset):
    owner, locked = random_state()
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    with Store(url) as other:
        seen_a, seen_b = store.scenario(sid), other.scenario(sid)
        unlocked = np.flatnonzero(~locked)
        version, after_a = move(store, sid, seen_a.version, seen_a.owner, locked, unlocked[:5], 1)
        with pytest.raises(StaleVersionError) as err:
            move(other, sid, seen_b.version, seen_b.owner, locked, unlocked[3:8], 2)
        assert err.value.current_version == version == 2
        now = other.scenario(sid)  # the loser reloads and sees the winner's move
        assert now.version == 2
        np.testing.assert_array_equal(now.owner, after_a)
        move(other, sid, now.version, now.owner, locked, unlocked[3:8], 2)
    assert store.scenario(sid).version == 3


def test_state_that_does_not_match_its_version_is_refused(store, dataset):
    owner, locked = random_state()
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    wrong = owner.copy()
    wrong[0] = (wrong[0] + 2) % N_REPS
    with pytest.raises(ValueError, match="'before' differs"):
        move(store, sid, 1, wrong, locked, [0, 1], 0)
    new = owner.copy()
    new[[0, 1]] = 5
    with pytest.raises(ValueError, match="without being in cells"):
        store.commit_move(sid, 1, kind="bulk", cells=[0], before=owner[[0]], after_rep=None,
                          owner=new, locked=locked, tally=None)  # fmt: skip
    assert store.scenario(sid).version == 1


def test_lock_and_unlock_are_moves(store, dataset):
    owner, locked = random_state()
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    cells = np.arange(20)
    now_locked = locked.copy()
    now_locked[cells] = True
    v = store.commit_move(sid, 1, kind="lock", cells=cells, before=owner[cells], after_rep=None,
                          owner=owner, locked=now_locked, tally=None)  # fmt: skip
    np.testing.assert_array_equal(store.scenario(sid).locked, now_locked)
    m = store.undoable(sid)
    assert m.kind == "lock" and len(m.cells) == int((~locked[cells]).sum())
    back_owner, back_locked = m.reverted(owner, now_locked)
    store.undo(sid, v, owner=back_owner, locked=back_locked, tally=None)
    np.testing.assert_array_equal(store.scenario(sid).locked, locked)


# -- undo / redo ----------------------------------------------------------------


def test_sixty_undos_and_redos_restore_exact_owners(store, dataset):
    rng = np.random.default_rng(7)
    owner, locked = random_state(3)
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    states, version = [owner], 1
    while len(states) <= 60:  # 60 moves that change something (a no-op is not saved)
        cells = rng.choice(N_CELLS, rng.integers(1, 40), replace=False)
        rep = int(rng.integers(-1, N_REPS))
        before = version
        version, owner = move(store, sid, version, owner, locked, cells, rep)
        if version > before:
            states.append(owner)
    for k in range(60, 0, -1):
        m = store.undoable(sid)
        owner, lk = m.reverted(owner, locked)
        version = store.undo(sid, version, owner=owner, locked=lk, tally=None, user="ann")
        np.testing.assert_array_equal(store.scenario(sid).owner, states[k - 1])
    assert store.undoable(sid) is None
    with pytest.raises(NothingToUndoError):
        store.undo(sid, version, owner=owner, locked=locked, tally=None)
    for k in range(1, 61):
        m = store.redoable(sid)
        owner, lk = m.replayed(owner, locked)
        version = store.redo(sid, version, owner=owner, locked=lk, tally=None)
        np.testing.assert_array_equal(store.scenario(sid).owner, states[k])
    assert store.redoable(sid) is None and version == 1 + 60 * 3
    history = store.history(sid)
    assert history["kind"].value_counts().to_dict() == {"move": 60, "undo": 60, "redo": 60}
    assert set(history.loc[history["kind"] == "undo", "user"]) == {"ann"}


def test_new_move_clears_redo_stack(store, dataset):
    owner, locked = random_state()
    locked[:] = False
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    v, owner = move(store, sid, 1, owner, locked, [1, 2], 0)
    v, owner = move(store, sid, v, owner, locked, [3, 4], 1)
    owner, _ = store.undoable(sid).reverted(owner, locked)
    v = store.undo(sid, v, owner=owner, locked=locked, tally=None)
    assert store.redoable(sid).seq == 2
    v, owner = move(store, sid, v, owner, locked, [9], 2)
    assert store.redoable(sid) is None
    assert store.undoable(sid).cells.tolist() == [9]
    kinds = store.history(sid)["kind"].tolist()
    assert kinds == ["move", "undo", "move"]  # the dropped move left; its undo stays logged


def test_undo_refuses_a_state_that_is_not_the_reverted_one(store, dataset):
    owner, locked = random_state()
    locked[:] = False
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    v, new = move(store, sid, 1, owner, locked, [1, 2], (owner[1] + 1) % N_REPS)
    with pytest.raises(ValueError, match="not move 1 undone"):
        store.undo(sid, v, owner=new, locked=locked, tally=None)
    with pytest.raises(StaleVersionError):
        store.undo(sid, v - 1, owner=owner, locked=locked, tally=None)


def test_history_names_reps(store, dataset, toy):
    owner = np.full(N_CELLS, -1)
    locked = np.zeros(N_CELLS, bool)
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    move(store, sid, 1, owner, locked, [0, 1, 2], 1, user="eve")
    row = store.history(sid).iloc[0]
    assert (row["user"], row["kind"], row["cells"]) == ("eve", "move", 3)
    assert (row["from_reps"], row["to_reps"]) == ("unassigned (3)", "R2 (3)")
    assert row["at"].tzinfo is not None


# -- schema and crashes -----------------------------------------------------------


def test_reopen_migrates_nothing_and_keeps_data(url, dataset, store):
    owner, locked = random_state()
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    for _ in range(2):
        with Store(url) as again:
            np.testing.assert_array_equal(again.scenario(sid).owner, owner)
    with store.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == HEAD


def test_migrations_create_exactly_the_tables_the_code_uses(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'new' / 'dir' / 'x.sqlite'}") as s:
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


WORKER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from data.store import Store

    store = Store(sys.argv[1])
    sid = int(sys.argv[2])
    rec = store.scenario(sid)
    owner, locked, version = rec.owner.copy(), rec.locked, rec.version
    rng = np.random.default_rng(11)
    while True:
        cells = rng.choice(len(owner), 30, replace=False)
        new = owner.copy()
        new[cells] = rng.integers(0, 6)
        version = store.commit_move(
            sid, version, kind="move", cells=cells, before=owner[cells], after_rep=None,
            owner=new, locked=locked, tally=None,
        )
        owner = new
        print(version, flush=True)
    """
)


def test_killed_worker_loses_at_most_the_move_in_flight(store, url, dataset):
    owner, locked = random_state()
    locked[:] = False
    initial = owner.copy()
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, url, str(sid)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        printed = 0
        deadline = time.monotonic() + 60
        while printed < 40 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, "worker died before moving"
            printed = int(line)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        for line in proc.stdout:  # moves committed before the kill but read after it
            printed = int(line)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    with Store(url) as reopened:
        rec = reopened.scenario(sid)
        assert rec.version in (printed, printed + 1)  # the one in flight may have landed
        log = reopened.moves(sid)
        assert len(log) == rec.version - 1
        replay = initial
        for m in log:  # the log rebuilds the saved plan exactly
            replay, _ = m.replayed(replay, locked)
        np.testing.assert_array_equal(rec.owner, replay)
        if reopened.engine.dialect.name == "sqlite":
            with reopened.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


RACER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from data.store import StaleVersionError, Store

    store = Store(sys.argv[1])
    sid, seed = int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(seed)
    done = stale = 0
    while done < 25:
        rec = store.scenario(sid)
        cells = rng.choice(len(rec.owner), 20, replace=False)
        new = rec.owner.copy()
        new[cells] = -1 if (rec.owner[cells] == seed).all() else seed
        try:
            store.commit_move(
                sid, rec.version, kind="move", cells=cells, before=rec.owner[cells],
                after_rep=None, owner=new, locked=rec.locked, tally=None, user=str(seed),
            )
            done += 1
        except StaleVersionError:
            stale += 1
    print(done, stale)
    """
)


def test_two_workers_writing_at_once_lose_no_move(store, url, dataset):
    owner, locked = random_state()
    locked[:] = False
    sid = store.create_scenario(dataset, "A", 7, owner, locked)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, url, str(sid), str(seed)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for seed in (1, 2)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    rec = store.scenario(sid)
    log = store.moves(sid)
    assert rec.version == 51 and len(log) == 50
    assert sorted({m.user for m in log}) == ["1", "2"]
    replay = owner
    for m in log:
        replay, _ = m.replayed(replay, locked)
    np.testing.assert_array_equal(rec.owner, replay)


# -- ids are never reused (issue 12 point 2) -------------------------------------------------


def test_the_newest_revision_is_the_head_the_tests_expect():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_a_deleted_scenarios_id_is_never_given_again(store, url, dataset):
    owner, locked = random_state()
    store.create_scenario(dataset, "A", 7, owner, locked)
    newest = store.create_scenario(dataset, "B", 7, owner, locked)
    version, _ = move(store, newest, 1, owner, locked, [1, 2, 3], 0)  # a tab shows B at v2
    store.delete_scenario(newest)
    successor = store.create_scenario(dataset, "B", 7, owner, locked)
    assert successor > newest
    # the stale tab writes with B's id and version: refused, and the new plan is untouched
    with pytest.raises(ScenarioNotFoundError, match=f"no scenario with id {newest}"):
        move(store, newest, version, owner, locked, [4, 5], 1)
    with pytest.raises(ScenarioNotFoundError):
        store.undo(newest, version, owner=owner, locked=locked, tally=None)
    rec = store.scenario(successor)
    assert rec.version == 1 and store.moves(successor) == []
    np.testing.assert_array_equal(rec.owner, owner)
    # nor after a restart, nor for a branch, nor twice in a row
    store.delete_scenario(successor)
    with Store(url) as again:
        branch = again.duplicate_scenario(store.scenario_id("A"), "B")
    assert branch > successor
    store.delete_scenario(branch)
    assert store.create_scenario(dataset, "C", 7, owner, locked) > branch


OPTIONAL_TABLES = ("overlay_plans", "overlay_moves", "market_cache", "source_files",
                   "dataset_totals", "basemap_cache")  # fmt: skip
"""Tables a revision after 0003 adds, listed only when they hold rows (issue 18: 0007, 0008 too)."""


def _rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table of ours, in id order."""
    with engine.connect() as conn:
        return {
            t.name: rows
            for t in metadata.sorted_tables
            if not t.name.startswith("actual_")  # issue 15: tables 0003 adds, empty here
            and sa.inspect(conn).has_table(t.name)  # issue 15: overlay_* from 0004 and 0005 on
            for rows in [[tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key))]]
            if rows or t.name not in OPTIONAL_TABLES
        }


def _alembic(url: str, rev: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) as the ``alembic`` command line does: foreign keys not enforced."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, rev)
    engine.dispose()


def test_an_older_sqlite_database_is_upgraded_in_place_and_keeps_every_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    _alembic(url, "0001")  # a database as revision 0001 left it
    engine = sa.create_engine(url)
    owner, locked = random_state()
    blob = {"owner": owner.astype("<i2").tobytes(), "locked": np.packbits(locked).tobytes()}
    now = pd.Timestamp("2026-11-30T12:00:00Z").to_pydatetime()
    from data.store import datasets, moves, scenarios

    def scenario(sid, name, **extra):
        return {"id": sid, "dataset_id": 1, "area_id": None, "name": name, "resolution": 7,
                "n_cells": N_CELLS, "tally": None, "settings": {"k": sid}, "parent_id": None,
                "read_only": False, "baseline": False, "version": 3, "created_at": now,
                "updated_at": now, **blob, **extra}  # fmt: skip

    with engine.begin() as conn:
        conn.execute(datasets.insert().values(id=1, name="d", fingerprint="f" * 64, accounts=b"a",
                                              reps=b"r", call_plan=b"c", created_at=now))  # fmt: skip
        conn.execute(scenarios.insert(), [
            scenario(1, "Baseline", baseline=True, read_only=True), scenario(2, "A", parent_id=1),
            scenario(3, "B", parent_id=2), scenario(4, "gone"),
        ])  # fmt: skip
        conn.execute(moves.insert(), [
            {"scenario_id": sid, "seq": seq, "at": now, "user": "ann", "kind": "move",
             "resolution": 7, "cells": b"\x01\x00\x00\x00", "before": b"\x00\x00",
             "after": b"\x01\x00", "before_locked": b"\x00", "after_locked": b"\x00",
             "after_rep": 1, "undone": False, "ref_seq": None}
            for sid in (2, 3, 3) for seq in (1, 2)[: 1 + (sid == 3)]
        ][:3])  # fmt: skip
        conn.execute(scenarios.delete().where(scenarios.c.id == 4))
        # what the bug was: revision 0001 hands the deleted newest id to the next scenario
        conn.execute(scenarios.insert().values(scenario(None, "reuse?")))
        assert conn.scalar(sa.select(scenarios.c.id).where(scenarios.c.name == "reuse?")) == 4
        conn.execute(scenarios.delete().where(scenarios.c.id == 4))
    before = _rows(engine)
    assert [len(before[t]) for t in ("datasets", "scenarios", "moves")] == [1, 3, 3]

    with Store(url) as store:  # opening upgrades
        assert _rows(store.engine) == before
        with store.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == HEAD
            sql = conn.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'scenarios'"))
            assert "AUTOINCREMENT" in sql
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        # the keys and constraints still hold: parents, cascades, the one baseline per resolution
        assert store.scenario(3).parent_id == 2
        with pytest.raises(ScenarioExistsError, match="baseline"):
            store.create_scenario(1, "second", 7, owner, locked, baseline=True)
        with pytest.raises(ScenarioExistsError, match="named 'A'"):
            store.create_scenario(1, "A", 7, owner, locked)
        store.delete_scenario(2)
        assert store.scenario(3).parent_id is None
        assert [m.scenario_id for m in store.moves(3)] == [3, 3]
        assert len(_rows(store.engine)["moves"]) == 2  # scenario 2's move went with it
        store.delete_scenario(3)
        assert store.create_scenario(1, "new", 7, owner, locked) == 4  # 3 is never given again
    with Store(url) as again:  # a second opening migrates nothing
        assert again.scenario(4).name == "new"


def test_the_upgrade_goes_back_down_without_losing_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with Store(url) as store:
        owner, locked = random_state()
        ds = store.ensure_dataset("toy", pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [2]}),
                                  pd.DataFrame({"c": [3]}))  # fmt: skip
        sid = store.create_scenario(ds, "A", 7, owner, locked)
        move(store, sid, 1, owner, locked, [1, 2], 3)
        store.duplicate_scenario(sid, "B")
        before = _rows(store.engine)
    _alembic(url, "0001", down=True)
    engine = sa.create_engine(url)
    assert _rows(engine) == before
    with engine.connect() as conn:
        sql = conn.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'scenarios'"))
    engine.dispose()
    assert "AUTOINCREMENT" not in sql
    with Store(url) as store:
        assert _rows(store.engine) == before


# -- tilings by content (issue 12 point 9) ------------------------------------------------------


def test_tilings_are_keyed_by_content_and_found_only_while_a_scenario_uses_them(store, dataset):
    owner, locked = random_state()
    cells = np.arange(1, N_CELLS + 1, dtype=np.uint64) * 7
    sid = store.create_scenario(dataset, "A", 7, owner, locked, area_cells=cells)
    area = store.scenario(sid).area_id
    key = store.tiling_fingerprint(dataset, 7, area)
    assert len(key) == 64 and int(key, 16) >= 0
    assert store.tiling_in_use(key) == (dataset, 7, area)
    with pytest.raises(ScenarioNotFoundError):
        store.tiling_fingerprint(dataset, 8, area)  # that area is not at resolution 8
    with pytest.raises(ScenarioNotFoundError):
        store.tiling_fingerprint(dataset + 99, 7, None)
    fresh = store.tiling_fingerprint(dataset, 6, None)
    assert fresh != store.tiling_fingerprint(dataset, 5, None) and fresh != key
    assert store.tiling_in_use(fresh) is None
    unstored = store.create_scenario(dataset, "B", 6, owner, locked)  # saved without its area
    assert store.tiling_in_use(fresh) == (dataset, 6, None)
    store.delete_scenario(unstored)
    store.delete_scenario(sid)
    assert store.tiling_in_use(fresh) is None and store.tiling_in_use(key) is None
    assert store.tiling_in_use("0" * 64) is None


# -- issue 18 point 1: the kept market and the source files -------------------------------------


def test_a_kept_market_is_read_back_byte_for_byte_and_written_once(store, dataset):
    owner, locked = random_state()
    cells = np.arange(1, N_CELLS + 1, dtype=np.uint64) + np.uint64(0x85283473FFFFFFF)
    sid = store.create_scenario(dataset, "A", 5, owner, locked, area_cells=cells)
    key = store.market_key(dataset, 5, store.scenario(sid).area_id, "fmt-1")
    assert len(key) == 64 and store.cached_market(key) is None
    blob = bytes(range(256)) * 1000
    store.save_market(key, dataset, 5, blob)
    store.save_market(key, dataset, 5, b"a second writer")  # the first one stays
    assert store.cached_market(key) == blob
    assert store.market_key(dataset, 5, store.scenario(sid).area_id, "fmt-2") != key
    assert store.market_key(dataset, 5, None, "fmt-1") != key
    with pytest.raises(ScenarioNotFoundError):
        store.market_key(dataset + 99, 5, None, "fmt-1")


def test_kept_basemap_bytes_are_read_back_and_written_once(store):
    assert store.cached_basemap("b" * 64) is None
    body = b'{"type": "FeatureCollection", "features": []}' * 500
    store.save_basemap("b" * 64, body)
    store.save_basemap("b" * 64, b"a second writer")  # the first one stays
    assert store.cached_basemap("b" * 64) == body
    assert store.cached_basemap("c" * 64) is None


def test_0008_goes_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with Store(url) as store:
        store.save_basemap("b" * 64, b"land")
    _alembic(url, "0007_dataset_totals", down=True)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("basemap_cache")
    engine.dispose()
    with Store(url) as store:  # opening upgrades again: the table is back, empty
        assert store.cached_basemap("b" * 64) is None
        store.save_basemap("b" * 64, b"land")
        assert store.cached_basemap("b" * 64) == b"land"


def test_source_files_name_the_data_set_they_gave(store, dataset):
    assert store.source_dataset("f" * 64) is None
    store.remember_source("f" * 64, dataset)
    store.remember_source("f" * 64, dataset)  # idempotent
    assert store.source_dataset("f" * 64) == dataset
    assert store.source_dataset("e" * 64) is None


# -- issue 18 point 4: a data set kept as per-cell totals (0007_dataset_totals) ------------------


def _totals(toy, resolution: int = 7):
    from planning.cell_totals import totals_of_accounts

    return totals_of_accounts(toy.accounts, resolution)


def test_a_totals_data_set_is_stored_once_and_read_back_equal(store, toy):
    from data.totals_store import totals_from_bytes, totals_to_bytes

    totals = _totals(toy)
    frames = (toy.accounts.iloc[:0], toy.reps, default_call_plan())
    stored = totals_to_bytes(totals)
    assert stored[:2] == (7, 3)  # resolution, accounts
    ds = store.ensure_totals_dataset("binned", stored, frames)
    assert store.ensure_totals_dataset("again", stored, frames) == ds  # same bytes, same set
    assert totals_from_bytes(store.dataset_totals(ds)).equals(totals)
    assert store.totals_info(ds) == (7, 3)
    assert store.dataset_counts(ds) == (3, 2)  # the accounts it sums, not its (no) rows
    other = store.ensure_totals_dataset("coarser", totals_to_bytes(_totals(toy, 6)), frames)
    assert other != ds and store.totals_info(other) == (6, 3)
    plain = store.ensure_dataset("rows", *frames)  # the same frames without totals: another set
    assert plain not in (ds, other) and store.dataset_totals(plain) is None
    assert store.totals_info(plain) is None and store.dataset_counts(plain) == (0, 2)


def test_0007_goes_down_and_up_again_and_the_totals_go_with_their_data_set(tmp_path, toy):
    from data.totals_store import totals_to_bytes

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    frames = (toy.accounts.iloc[:0], toy.reps, default_call_plan())
    with Store(url) as store:
        ds = store.ensure_totals_dataset("binned", totals_to_bytes(_totals(toy)), frames)
        assert _rows(store.engine)["dataset_totals"][0][:3] == (ds, 7, 3)
    _alembic(url, "0006_market_cache", down=True)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("dataset_totals")
        assert conn.scalar(sa.text("SELECT count(*) FROM datasets")) == 1
    engine.dispose()
    with Store(url) as store:  # opening upgrades again: the table is back, empty
        assert store.totals_info(ds) is None
        with store.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == HEAD
        again = store.ensure_totals_dataset("binned", totals_to_bytes(_totals(toy)), frames)
        assert again == ds and store.totals_info(again) == (7, 3)  # its row gets them back
        with store.engine.begin() as conn:  # the totals go with their data set
            conn.execute(sa.text("DELETE FROM datasets WHERE id = :d"), {"d": again})
        assert store.totals_info(again) is None


class _LockedCursor:
    """A cursor whose WAL pragma finds the file locked ``times`` times (as a booting worker did)."""

    def __init__(self, times: int) -> None:
        self.times, self.calls = times, 0

    def execute(self, sql: str) -> None:
        self.calls += 1
        if self.calls <= self.times:
            raise sqlite3.OperationalError("database is locked")


def test_wal_mode_waits_while_another_worker_creates_the_file():
    from data.store import set_wal

    cursor = _LockedCursor(times=3)
    set_wal(cursor, wait_s=5)
    assert cursor.calls == 4  # three refusals, then WAL
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        set_wal(_LockedCursor(times=10**6), wait_s=0.2)  # not forever


def test_workers_opening_a_new_file_at_once_all_open_it(tmp_path):
    """Six processes open one new SQLite file at once (gunicorn's workers at a first start):
    one creates the tables, the others wait; none fails. (The race that once failed a worker's
    WAL pragma, and gunicorn with it, is timing-dependent; ``set_wal``'s retry is shown above.)"""
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    code = f"from data.store import Store; Store({url!r}).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE)
             for _ in range(6)]  # fmt: skip
    failures = [p.communicate(timeout=120)[1].decode()[-300:] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [f for f in failures if f]
    with Store(url) as store, store.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == HEAD
