"""Files written whole or not at all (data/atomic.py): the previous file survives a failed write."""

from __future__ import annotations

import pytest

from data.atomic import replaced_atomically


def test_a_finished_write_replaces_the_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "plan.csv"
    target.write_text("old\n")
    with replaced_atomically(target) as tmp:
        assert tmp.parent == target.parent and tmp.suffix == ".csv" and tmp.name.startswith(".")
        tmp.write_text("h3_cell,rep_id\n1,R1\n")
        assert target.read_text() == "old\n"  # nothing visible until the rename
    assert target.read_text() == "h3_cell,rep_id\n1,R1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temp(tmp_path):
    target = tmp_path / "plan.csv"
    target.write_text("old\n")
    with pytest.raises(OSError, match="disk full"), replaced_atomically(target) as tmp:
        tmp.write_text("h3_cell,rep_")
        raise OSError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]


def test_cli_balance_writes_its_plan_file_atomically(tmp_path, monkeypatch):
    """``services.balancing.balance_files``: a write that dies half way leaves no plan file."""
    from planning.optimizer import Settings
    from services import balancing
    from services.workspace import PlanFiles
    from tests.toy import toy_accounts_and_reps

    accounts, reps = toy_accounts_and_reps()
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)

    def dies_half_way(plan, path):
        path.write_text("h3_cell,rep_id\n8")
        raise OSError("killed")

    monkeypatch.setattr(balancing, "write_plan_csv", dies_half_way)
    files = PlanFiles(accounts=tmp_path / "accounts.csv", reps=tmp_path / "reps.csv")
    with pytest.raises(OSError, match="killed"):
        balancing.balance_files(files, Settings(seed=0, time_limit=5), tmp_path / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.csv", "reps.csv"]
