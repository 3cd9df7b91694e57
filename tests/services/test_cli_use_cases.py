"""The use cases behind ``cli.py metrics``, ``balance-instance`` and ``export``: results and logs."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.store import Store
from planning.callplan import default_call_plan
from planning.optimizer import Settings
from services.balancing import InstanceFiles, balance_instance_files
from services.exports import export_scenario
from services.metrics import plan_metrics
from services.workspace import PlanFiles
from tests.toy import toy_accounts_and_reps


@pytest.fixture
def toy_files(tmp_path: Path) -> PlanFiles:
    accounts, reps = toy_accounts_and_reps()
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    return PlanFiles(accounts=tmp_path / "accounts.csv", reps=tmp_path / "reps.csv")


def test_metrics_of_the_baseline_are_logged(toy_files, caplog):
    caplog.set_level(logging.INFO, logger="services")
    measured = plan_metrics(toy_files, resolution=7)
    assert list(measured.table["rep_id"]) == ["R1", "R2", "TEAM"]
    assert measured.resolution == 7
    assert measured.baseline_changes is not None and measured.baseline_changes.accounts == 0
    [record] = [r for r in caplog.records if r.name == "services.metrics"]
    assert record.getMessage().startswith("metrics computed in ")
    assert "resolution=7" in record.getMessage() and "reps=2" in record.getMessage()


def _line_instance(tmp_path: Path, current: bool) -> InstanceFiles:
    """Four units in a row, two reps; with ``current`` R1 holds them all."""
    owners = ",R1" if current else ","
    units = "unit_id,workload,current_rep\n" + "\n".join(
        f"{u},{w}{owners}" for u, w in zip("abcd", (4, 3, 2, 1), strict=True)
    )
    (tmp_path / "units.csv").write_text(units + "\n")
    (tmp_path / "reps.csv").write_text("rep_id\nR1\nR2\n")
    cost = [f"{u},{r},{abs(i - (0 if r == 'R1' else 3))}" for i, u in enumerate("abcd")
            for r in ("R1", "R2")]  # fmt: skip
    (tmp_path / "cost.csv").write_text("unit_id,rep_id,cost\n" + "\n".join(cost) + "\n")
    return InstanceFiles(tmp_path / "units.csv", tmp_path / "reps.csv", tmp_path / "cost.csv")


@pytest.mark.parametrize("current, mode", [(True, "rebalance"), (False, "design")])
def test_instance_mode_follows_the_units_file(tmp_path, current, mode, caplog):
    caplog.set_level(logging.INFO, logger="services")
    out = tmp_path / "plan.csv"
    done = balance_instance_files(
        _line_instance(tmp_path, current), Settings(tolerance=0.2, seed=5), out
    )
    assert done.settings.mode == mode and done.settings.seed == 5
    assert done.rows == 4 and list(pd.read_csv(out).columns) == ["unit_id", "rep_id"]
    [record] = [r for r in caplog.records if r.name == "services.balancing"]
    message = record.getMessage()
    assert message.startswith("optimizer run in ")
    assert f"mode={mode}" in message and "seed=5" in message and "worst_deviation=" in message


def test_an_asked_mode_wins(tmp_path):
    done = balance_instance_files(
        _line_instance(tmp_path, True), Settings(tolerance=0.2), tmp_path / "p.csv", mode="design"
    )
    assert done.settings.mode == "design"


def test_export_is_logged_with_scenario_and_data_set(toy, tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    owner = np.full(toy.market.n_cells, 1)
    owner[toy.pos(toy.centre)] = 0
    with Store(url) as store:
        ds = store.ensure_dataset("toy", toy.accounts, toy.reps, default_call_plan())
        store.ensure_baseline(ds, 7, owner, np.zeros(toy.market.n_cells, bool),
                              area_cells=toy.market.area.cells)  # fmt: skip
    caplog.set_level(logging.INFO, logger="services")
    written = export_scenario(
        "Baseline (resolution 7)", "plan", tmp_path / "plan.csv", database_url=url
    )
    assert written.path.exists() and written.version == 1 and written.format == "plan"
    [record] = [r for r in caplog.records if r.name == "services.exports"]
    message = record.getMessage()
    assert message.startswith("export written in ")
    assert f"dataset={ds}" in message and "format=plan" in message
