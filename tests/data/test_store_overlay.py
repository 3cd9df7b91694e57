"""The overlay layer in the store (issue 15 section 3): one row per scenario, its own version."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from common.errors import NothingToUndoError, ReadOnlyScenarioError, StaleVersionError
from data.store import Store
from tests.data.test_store import url as url  # the SQLite / PostgreSQL fixture

N = 12


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as s:
        yield s


def test_overlay_owners_are_kept_beside_the_field_owners_and_never_touch_them(store):
    ds = store.ensure_dataset("d", pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [2]}),
                              pd.DataFrame({"c": [3]}))  # fmt: skip
    field = np.arange(N) % 3
    sid = store.create_scenario(ds, "A", 7, field, np.zeros(N, bool))
    assert store.overlay(sid) is None
    overlay = np.full(N, -1)
    overlay[:4] = 1
    locked = np.zeros(N, bool)
    locked[0] = True
    assert store.save_overlay(sid, overlay, locked, 0) == 1
    got = store.overlay(sid)
    assert got is not None and got.version == 1
    np.testing.assert_array_equal(got.owner, overlay)
    np.testing.assert_array_equal(got.locked, locked)
    # the field layer: same owners, same version
    rec = store.scenario(sid)
    np.testing.assert_array_equal(rec.owner, field)
    assert rec.version == 1
    # compare-and-set on the overlay's own version
    with pytest.raises(StaleVersionError):
        store.save_overlay(sid, overlay, locked, 0)
    assert store.save_overlay(sid, np.zeros(N, np.int64), locked, 1) == 2
    with pytest.raises(StaleVersionError):
        store.save_overlay(sid, overlay, locked, 1)
    with pytest.raises(ValueError, match="cells"):
        store.save_overlay(sid, overlay[:5], locked[:5], 2)
    # a branch starts with its parent's overlay (version 1), then each goes its own way
    branch = store.duplicate_scenario(sid, "B")
    copied = store.overlay(branch)
    assert copied is not None and copied.version == 1
    np.testing.assert_array_equal(copied.owner, np.zeros(N, np.int64))
    store.save_overlay(branch, overlay, locked, 1)
    assert (store.overlay(sid).owner == 0).all()
    # deleting the scenario deletes its overlay
    store.delete_scenario(sid)
    assert store.overlay(sid) is None


def test_a_read_only_scenario_keeps_its_overlay(store):
    ds = store.ensure_dataset("d", pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [2]}),
                              pd.DataFrame({"c": [3]}))  # fmt: skip
    sid = store.create_scenario(ds, "Base", 7, np.zeros(N, np.int64), np.zeros(N, bool),
                                baseline=True)  # fmt: skip
    with pytest.raises(ReadOnlyScenarioError):
        store.save_overlay(sid, np.zeros(N, np.int64), np.zeros(N, bool), 0)


# --- issue 15 (h15d): the overlay's own move log (migration 0005_overlay_moves) ----------------


@pytest.fixture
def both(url):
    """A store on SQLite and on PostgreSQL (skipped without a server, as in test_store.py)."""
    with Store(url) as s:
        yield s


def test_overlay_changes_are_logged_and_undone_without_touching_the_field(both):
    store = both
    ds = store.ensure_dataset("d", pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [2]}),
                              pd.DataFrame({"c": [3]}))  # fmt: skip
    field = np.arange(N) % 3
    sid = store.create_scenario(ds, "A", 7, field, np.zeros(N, bool))
    last_quarter = np.full(N, -1)
    last_quarter[:2] = 0  # what the caller started from while nothing is stored
    first = last_quarter.copy()
    first[2:5] = 1
    free = np.zeros(N, bool)
    assert store.save_overlay(sid, first, free, 0, kind="move", before=(last_quarter, free)) == 1
    second = first.copy()
    second[[0, 9]] = 1
    assert store.save_overlay(sid, second, free, 1, kind="move") == 2
    log = store.overlay_moves(sid)
    assert [(m.seq, m.kind, m.cells.tolist()) for m in log] == [
        (1, "move", [2, 3, 4]), (2, "move", [0, 9]),
    ]  # fmt: skip
    assert log[1].before.tolist() == [0, -1] and log[1].after.tolist() == [1, 1]
    # undo twice: back to last quarter's overlay; a third undo has nothing to take back
    version, layer, cells = store.step_overlay(sid, 2, redo=False)
    assert (version, cells.tolist()) == (3, [0, 9])
    np.testing.assert_array_equal(layer.owner, first)
    version, layer, _ = store.step_overlay(sid, 3, redo=False)
    np.testing.assert_array_equal(store.overlay(sid).owner, last_quarter)
    with pytest.raises(NothingToUndoError, match="nothing to undo"):
        store.step_overlay(sid, 4, redo=False)
    with pytest.raises(StaleVersionError):
        store.step_overlay(sid, 3, redo=True)
    version, layer, cells = store.step_overlay(sid, 4, redo=True)  # the first change again
    assert (version, cells.tolist()) == (5, [2, 3, 4])
    np.testing.assert_array_equal(layer.owner, first)
    # a new change ends the redo stack
    third = first.copy()
    third[11] = 0
    store.save_overlay(sid, third, free, 5, kind="move")
    with pytest.raises(NothingToUndoError, match="nothing to redo"):
        store.step_overlay(sid, 6, redo=True)
    kinds = [m.kind for m in store.overlay_moves(sid)]
    assert kinds == ["move", "undo", "undo", "redo", "move"]  # the undone second move dropped
    # the field layer never moved
    rec = store.scenario(sid)
    np.testing.assert_array_equal(rec.owner, field)
    assert rec.version == 1 and store.moves(sid) == []
    with pytest.raises(ValueError, match="kind"):
        store.save_overlay(sid, third, free, 6, kind="undo")
    store.delete_scenario(sid)
    assert store.overlay_moves(sid) == []


def test_an_overlay_database_of_revision_0004_upgrades_and_downgrades_keeping_its_rows(tmp_path):
    from tests.data.test_store import HEAD, _alembic, _rows

    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with Store(db) as s:
        ds = s.ensure_dataset("d", pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [2]}),
                              pd.DataFrame({"c": [3]}))  # fmt: skip
        sid = s.create_scenario(ds, "A", 7, np.arange(N) % 3, np.zeros(N, bool))
        s.save_overlay(sid, np.full(N, 1), np.zeros(N, bool), 0)
    _alembic(db, "0004", down=True)  # as revision 0004 left it: overlay plans, no log
    import sqlalchemy as sa

    engine = sa.create_engine(db)
    before = _rows(engine)
    engine.dispose()
    assert len(before["overlay_plans"]) == 1 and "overlay_moves" not in before
    with Store(db) as s:  # opening upgrades to the head
        assert _rows(s.engine) == before
        with s.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == HEAD
        s.save_overlay(sid, np.full(N, 0), np.zeros(N, bool), 1, kind="move")
        assert len(s.overlay_moves(sid)) == 1
        after = _rows(s.engine)
    _alembic(db, "0004", down=True)
    engine = sa.create_engine(db)
    kept = _rows(engine)
    engine.dispose()
    assert kept == {k: v for k, v in after.items() if k != "overlay_moves"}
