"""Issue 18 point 4: a data set binned on Dask is kept as totals and planned like an import.

Four accounts files are binned on a 2-worker LocalCluster into a data set (``cli.py bin
--dataset``'s service); the same files imported the ordinary way (one frame of accounts) give a
second data set. Their baselines, metrics, a move and the metrics after it must be equal; what
needs account rows must say so in one sentence.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from common.errors import NoAccountRowsError, PlanError
from data.validation import load_accounts, load_reps
from planning.area_choice import DEFAULT_AREA, call_plan_with_area
from planning.callplan import default_call_plan
from planning.optimizer import Settings as BalanceSettings
from services import editing
from services.binning import Engine, bin_into_dataset
from services.exports import export_scenario
from services.metrics import scenario_metrics
from services.resolutions import cell_sizes
from services.scenarios import export_file
from services.totals import is_totals

RES = 6
CITIES = {"R1": (44.98, -93.27), "R2": (41.59, -93.62), "R3": (39.10, -94.58)}
CENTRES = ((44.98, -93.27), (41.59, -93.62), (39.10, -94.58), (41.26, -95.93))
ROWS = 1_500


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    """Four accounts files (three CSV, one Parquet) inland in the US Midwest, and a reps file."""
    folder = tmp_path_factory.mktemp("totals")
    rng = np.random.default_rng(184)
    paths = []
    for k, (lat0, lon0) in enumerate(CENTRES):
        frame = pd.DataFrame({
            "account_id": [f"T{k}-{i}" for i in range(ROWS)],
            "name": [f"Account {k}-{i}" for i in range(ROWS)],
            "lat": np.round(rng.normal(lat0, 0.6, ROWS), 6),
            "lon": np.round(rng.normal(lon0, 0.6, ROWS), 6),
            "segment": rng.choice(["A", "B", "C"], ROWS, p=[0.1, 0.3, 0.6]),
            "tam": np.round(rng.lognormal(11, 1, ROWS), 2),
            "revenue": np.round(rng.lognormal(9, 1, ROWS), 2),
            "rep_id": rng.choice(list(CITIES), ROWS),
            "pinned": rng.random(ROWS) < 0.02,
        })  # fmt: skip
        path = folder / (f"part-{k}.parquet" if k == 3 else f"part-{k}.csv")
        if path.suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        paths.append(path)
    reps = pd.DataFrame({
        "rep_id": list(CITIES), "name": [f"Rep {r}" for r in CITIES],
        "home_lat": [c[0] for c in CITIES.values()], "home_lon": [c[1] for c in CITIES.values()],
        "capacity_hours": [1600.0, 1600.0, 1600.0],
    })  # fmt: skip
    reps_path = folder / "reps.csv"
    reps.to_csv(reps_path, index=False)
    return paths, reps_path


def _imported(url: str, paths: list[Path], reps_path: Path) -> int:
    """The same files imported the ordinary way: one accounts frame, baseline, working plan."""
    reps = load_reps(reps_path)
    accounts = pd.concat([load_accounts(p, rep_ids=list(reps["rep_id"])) for p in paths],
                         ignore_index=True)  # fmt: skip
    call_plan = call_plan_with_area(default_call_plan(), DEFAULT_AREA)
    _, working = editing.ensure_scenarios(url, "imported", accounts, reps, call_plan, RES)
    return working


def _moved(url: str, scenario_id: int) -> pd.DataFrame:
    """Move R1's first 40 cells (positions) to R2 and measure."""
    _, plan, version = editing.load(url, scenario_id)
    cells = np.flatnonzero(plan.owner == 0)[:40]
    edit = editing.apply(url, scenario_id, version, "move", cells, 1)
    assert len(edit.changed) == 40
    return scenario_metrics(str(scenario_id), database_url=url).table


def test_a_data_set_binned_on_dask_plans_as_the_same_accounts_imported(files, tmp_path):
    paths, reps_path = files
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    binned = bin_into_dataset(paths, "binned", reps_path=reps_path, database_url=url,
                              resolution=RES, engine=Engine.DASK, workers=2)  # fmt: skip
    assert binned.binned.engine == "dask" and binned.binned.imported == 4 * ROWS
    imported = _imported(url, paths, reps_path)

    store = editing.open_store(url)
    one, other = store.scenario(binned.scenario_id), store.scenario(imported)
    assert is_totals(store, one.dataset_id) and not is_totals(store, other.dataset_id)
    assert store.dataset_counts(one.dataset_id) == (4 * ROWS, 3)
    assert np.array_equal(store.area_cells(one.area_id), store.area_cells(other.area_id))
    assert np.array_equal(one.owner, other.owner)  # the same baseline owners
    before = [scenario_metrics(str(s), database_url=url).table for s in (one.id, imported)]
    pd.testing.assert_frame_equal(before[0], before[1])
    after = [_moved(url, s) for s in (one.id, imported)]
    pd.testing.assert_frame_equal(after[0], after[1])
    assert not after[0].equals(before[0])

    # what needs account rows says so; what does not works
    with pytest.raises(NoAccountRowsError, match="per-cell totals"):
        editing.at_resolution(url, one.id, RES - 1)
    with pytest.raises(NoAccountRowsError, match="lists accounts"):
        export_scenario(str(one.id), "csv", tmp_path / "a.csv", database_url=url)
    with pytest.raises(PlanError, match="lists accounts"):  # the app's export: shown as message
        export_file(url, one.id, "owner-changes", 0.1)
    written = export_scenario(str(one.id), "plan", tmp_path / "p.csv", database_url=url)
    theirs = export_scenario(str(imported), "plan", tmp_path / "q.csv", database_url=url)
    assert written.path.read_text() == theirs.path.read_text()
    assert [s.resolution for s in cell_sizes(url, one.id)] == [RES]

    # a second worker (a fresh board cache) reads the market kept at storing, equal again
    editing.board.cache_clear()
    editing._BUILT.clear()
    _, plan, _ = editing.load(url, one.id)
    assert plan.market.aggregated
    pd.testing.assert_frame_equal(scenario_metrics(str(one.id), database_url=url).table, after[0])


def test_binning_again_into_the_same_name_finds_the_same_data_set(files, tmp_path):
    paths, reps_path = files
    url = f"sqlite:///{tmp_path / 'again.sqlite'}"
    first = bin_into_dataset(paths[:2], "twice", reps_path=reps_path, database_url=url,
                             resolution=RES, engine=Engine.LOCAL)  # fmt: skip
    again = bin_into_dataset(paths[:2], "twice", reps_path=reps_path, database_url=url,
                             resolution=RES, engine=Engine.LOCAL)  # fmt: skip
    assert (again.dataset_id, again.scenario_id) == (first.dataset_id, first.scenario_id)
    # the app's auto-balance runs on it as on any scenario (a new scenario, the original kept)
    done = editing.balance_to_new_scenario(url, first.scenario_id,
                                           BalanceSettings(time_limit=2.0, seed=1))  # fmt: skip
    assert editing.open_store(url).scenario(done.scenario_id).parent_id == first.scenario_id
    assert editing.load(url, done.scenario_id)[0].market.aggregated
    with pytest.raises(Exception, match="needs --reps"):
        bin_into_dataset(paths[:1], "x", reps_path=None, database_url=url)
