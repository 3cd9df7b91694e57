"""Issue 18 point 1: the market kept in the store is the market a fresh build gives.

Read back from the store it must equal, field by field and to the last array element, what
``services.areas`` builds from the stored frames; it must be read again only for the same data
set, resolution, tiling and planning-area choice.
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pandas as pd
import pytest

import data.market_cache
from data.demo import demo_paths
from data.market_cache import CachedMarketMismatch, market_from_bytes, market_to_bytes
from data.validation import load_accounts, load_reps
from geo.area import PlanningArea, area_from_cells
from planning.area_choice import AreaChoice, AreaKind, call_plan_with_area
from planning.callplan import default_call_plan
from planning.market import Market
from services import editing, market_cache
from services.areas import planned_inputs, stored_market
from services.scenario_settings import scenario_market
from tests.planning.test_overlay import frames
from tests.planning.test_tally import world


def assert_same_market(got: Market, want: Market) -> None:
    """Every field equal: arrays with their dtypes, frames with dtypes and index, the area."""
    for f in fields(PlanningArea):
        a, b = getattr(got.area, f.name), getattr(want.area, f.name)
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype, f"area.{f.name}"
            np.testing.assert_array_equal(a, b, err_msg=f"area.{f.name}")
        else:
            assert a == b, f"area.{f.name}"
    for f in fields(Market):
        a, b = getattr(got, f.name), getattr(want, f.name)
        if f.name == "area":
            continue
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape, f.name
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        elif isinstance(b, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=f.name)
        elif b is None:
            assert a is None, f.name
        else:
            assert a == b, f.name


def _demo(area: AreaKind) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    accounts_path, reps_path = demo_paths()
    reps = load_reps(reps_path)
    accounts = load_accounts(accounts_path, list(reps["rep_id"]))
    return accounts, reps, call_plan_with_area(default_call_plan(), AreaChoice(area))


def _fresh(url: str, sid: int) -> Market:
    """The market built from the stored frames, as before issue 18 (no cache involved)."""
    store = editing.open_store(url)
    info = store.scenario(sid)
    accounts, reps, call_plan = store.load_dataset(info.dataset_id)
    assert info.area_id is not None
    area = area_from_cells(store.area_cells(info.area_id), info.resolution)
    return stored_market(accounts, reps, call_plan, area)


def _kept_rows(url: str) -> int:
    store = editing.open_store(url)
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM market_cache").scalar_one())


def test_the_demo_market_kept_at_import_equals_a_fresh_build(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    accounts, reps, call_plan = _demo(AreaKind.LAND)
    dataset_id, sid = editing.ensure_scenarios(url, "demo", accounts, reps, call_plan)
    assert _kept_rows(url) == 1  # kept at import
    store = editing.open_store(url)
    info = store.scenario(sid)
    read = scenario_market(store, dataset_id, info.resolution, info.area_id)
    fresh = _fresh(url, sid)
    assert read.outside_accounts == 3  # the demo's accounts off the coast: kept out, by position
    assert_same_market(read, fresh)
    assert _kept_rows(url) == 1


def test_a_market_built_once_is_kept_and_read_again_equal(tmp_path) -> None:
    """A scenario without a kept market (stored before issue 18): built, kept, then read."""
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    dataset_id, sid = editing.ensure_scenarios(url, "w", m.accounts, m.reps, m.call_plan, 7)
    store = editing.open_store(url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM market_cache")
    info = store.scenario(sid)
    built = scenario_market(store, dataset_id, 7, info.area_id)
    assert _kept_rows(url) == 1
    read = scenario_market(store, dataset_id, 7, info.area_id)
    assert read is not built
    assert_same_market(read, built)
    assert_same_market(read, _fresh(url, sid))


def test_an_overlay_teams_field_market_is_kept_exactly(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    accounts, reps = frames()
    _, sid = editing.ensure_scenarios(url, "io", accounts, reps, default_call_plan(), 7)
    store = editing.open_store(url)
    info = store.scenario(sid)
    read = scenario_market(store, info.dataset_id, 7, info.area_id)
    assert list(read.rep_ids) == ["F1", "F2"]
    assert_same_market(read, _fresh(url, sid))


def test_the_key_changes_with_data_set_resolution_tiling_boundary_and_format(
    tmp_path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    plan_hull = call_plan_with_area(m.call_plan, AreaChoice(AreaKind.HULL))
    plan_land = call_plan_with_area(m.call_plan, AreaChoice(AreaKind.LAND))
    d_hull, s_hull = editing.ensure_scenarios(url, "hull", m.accounts, m.reps, plan_hull, 7)
    d_land, s_land = editing.ensure_scenarios(url, "land", m.accounts, m.reps, plan_land, 7)
    small = m.accounts.iloc[:300].reset_index(drop=True)
    d_small, _ = editing.ensure_scenarios(url, "small", small, m.reps, plan_hull, 7)
    store = editing.open_store(url)
    area_hull = store.scenario(s_hull).area_id
    keys = {
        "hull": market_cache.market_key(store, d_hull, 7, area_hull),
        "land (another boundary)": market_cache.market_key(store, d_land, 7, area_hull),
        "other accounts": market_cache.market_key(store, d_small, 7, area_hull),
        "resolution 6": market_cache.market_key(store, d_hull, 6, None),
        "no stored tiling": market_cache.market_key(store, d_hull, 7, None),
        "another tiling": market_cache.market_key(store, d_hull, 7, store.scenario(s_land).area_id),
    }
    assert len(set(keys.values())) == len(keys)
    assert market_cache.market_key(store, d_hull, 7, area_hull) == keys["hull"]  # stable
    monkeypatch.setattr(market_cache, "FORMAT", data.market_cache.FORMAT + "-next")
    assert market_cache.market_key(store, d_hull, 7, area_hull) != keys["hull"]


def test_a_kept_market_that_does_not_fit_is_built_afresh(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    dataset_id, sid = editing.ensure_scenarios(url, "w", m.accounts, m.reps, m.call_plan, 7)
    store = editing.open_store(url)
    info = store.scenario(sid)
    key = market_cache.market_key(store, dataset_id, 7, info.area_id)
    frames_ = store.load_dataset(dataset_id)
    planned, planned_reps = planned_inputs(*frames_)
    blob = market_to_bytes(scenario_market(store, dataset_id, 7, info.area_id), planned)
    with pytest.raises(CachedMarketMismatch):
        market_from_bytes(blob, planned.iloc[:10], planned_reps, frames_[2])
    with pytest.raises(CachedMarketMismatch):
        market_from_bytes(blob, planned, planned_reps.iloc[:2], frames_[2])
    fresh = _fresh(url, sid)
    assert fresh.outside is None
    # accounts kept out that the frame does not hold: positions would be wrong, so not kept
    kept_out = replace(fresh, outside=planned.iloc[:2].set_axis([-5, -6]))
    with pytest.raises(CachedMarketMismatch, match="not in the frame"):
        market_to_bytes(kept_out, planned)
    # bytes of another market under this key: ignored, the market is built
    other = world().accounts.iloc[:100].reset_index(drop=True)
    _, other_sid = editing.ensure_scenarios(url, "small", other, m.reps, m.call_plan, 7)
    other_info = store.scenario(other_sid)
    wrong = market_to_bytes(
        scenario_market(store, other_info.dataset_id, 7, other_info.area_id),
        planned_inputs(*store.load_dataset(other_info.dataset_id))[0],
    )
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE market_cache SET market = ? WHERE key = ?", (wrong, key))
    assert market_cache.read_market(store, key, frames_) is None
    assert_same_market(scenario_market(store, dataset_id, 7, info.area_id), _fresh(url, sid))
