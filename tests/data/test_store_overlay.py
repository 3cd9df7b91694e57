"""The overlay layer in the store (issue 15 section 3): one row per scenario, its own version."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from common.errors import ReadOnlyScenarioError, StaleVersionError
from data.store import Store

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
