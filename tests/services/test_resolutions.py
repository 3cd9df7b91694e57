"""Cell-size changes (issue 12 point 7a, 7b): sizes over the limit refused before anything is
built; one "@ res N" in a name; going back to a size reopens the scenario made for it."""

from __future__ import annotations

import numpy as np
import pytest

from geo import area as geo_area
from services import editing, resolutions
from services.resolutions import TooManyCellsError
from tests.planning.test_tally import world


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


@pytest.fixture
def working(url):
    m = world()
    _, sid = editing.ensure_scenarios(url, "test", m.accounts, m.reps, m.call_plan, resolution=7)
    return sid


def names(url, sid):
    store = editing.open_store(url)
    return sorted(s.name for s in store.scenarios(store.scenario(sid).dataset_id) if not s.baseline)


def test_cell_sizes_are_the_tiling_estimate(url, working):
    sizes = resolutions.cell_sizes(url, working)
    assert [s.resolution for s in sizes] == [4, 5, 6, 7, 8, 9]
    assert all(s.allowed for s in sizes)
    # the world's res-7 tiling (what the store holds) is about what the estimate says
    n7 = editing.open_store(url).scenario(working).n_cells
    assert sizes[3].cells == pytest.approx(n7, rel=0.25)
    assert sizes[4].cells == pytest.approx(7 * sizes[3].cells, rel=0.1)


def test_a_size_over_the_limit_is_refused_before_building(url, working, monkeypatch):
    sizes = {s.resolution: s.cells for s in resolutions.cell_sizes(url, working)}
    limit = sizes[7] + 1  # res 8 and 9 are over it
    monkeypatch.setattr(resolutions, "HARD_CELL_LIMIT", limit)
    monkeypatch.setattr(geo_area, "HARD_CELL_LIMIT", limit)
    monkeypatch.setattr(resolutions, "at_resolution", lambda *a: pytest.fail("built anyway"))
    assert [s.allowed for s in resolutions.cell_sizes(url, working)] == [True] * 4 + [False] * 2
    with pytest.raises(TooManyCellsError) as err:
        resolutions.resolution_change(url, working, 8)
    e = err.value
    assert (e.resolution, e.cells, e.limit, e.finest, e.current) == (8, sizes[8], limit, 7, 7)
    assert names(url, working) == ["Working plan"]


def test_one_suffix_and_going_back_reopens(url, working):
    to5 = resolutions.resolution_change(url, working, 5)
    assert to5.name == "Working plan @ res 5" and to5.changes is not None
    # from the res-5 copy to 6: converted from the source (res 7), named once
    to6 = resolutions.resolution_change(url, to5.scenario_id, 6)
    assert to6.name == "Working plan @ res 6" and to6.changes is not None
    assert editing.open_store(url).scenario(to6.scenario_id).parent_id == working
    # back to 7: the working plan itself; back to 5: the copy made before
    back = resolutions.resolution_change(url, to6.scenario_id, 7)
    assert (back.scenario_id, back.name, back.changes) == (working, "Working plan", None)
    again = resolutions.resolution_change(url, working, 5)
    assert (again.scenario_id, again.changes) == (to5.scenario_id, None)
    assert names(url, working) == ["Working plan", "Working plan @ res 5", "Working plan @ res 6"]
    assert resolutions.resolution_change(url, working, 7) is None


def test_an_edited_copy_or_source_is_not_reopened(url, working):
    to5 = resolutions.resolution_change(url, working, 5)
    _, _, version = editing.load(url, to5.scenario_id)
    editing.apply(url, to5.scenario_id, version, "move", np.arange(2), 1)
    # the edited copy is its own source now: carried to 7 as a new scenario, one suffix
    to7 = resolutions.resolution_change(url, to5.scenario_id, 7)
    assert to7.changes is not None and to7.scenario_id != working
    assert to7.name == "Working plan @ res 7"
    # the working plan edited after its copy was made: its copy is stale, a new one is made
    to8 = resolutions.resolution_change(url, working, 8)
    _, _, version = editing.load(url, working)
    editing.apply(url, working, version, "move", np.arange(3), 2)
    to8_again = resolutions.resolution_change(url, working, 8)
    assert to8_again.scenario_id != to8.scenario_id and to8_again.changes is not None
    assert to8_again.name == "Working plan @ res 8 2"
