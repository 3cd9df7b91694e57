"""Instance tables are checked without a file: the rules live in planning/, the files in data/."""

from __future__ import annotations

import pandas as pd
import pytest

from common.errors import InputError
from planning.optimizer.frames import (
    assignment_table,
    cost_from_table,
    instance_from_tables,
    reps_from_table,
    text_table,
    units_from_table,
)


def table(text: str) -> pd.DataFrame:
    rows = [line.split(",") for line in text.strip().splitlines()]
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_tables_make_an_instance_and_its_plan_table():
    reps = reps_from_table(
        text_table(table("rep_id ,capacity\n R1,10\nR2 ,5"), ("rep_id",), "r"), "r"
    )
    assert reps.ids == ["R1", "R2"] and reps.capacity.tolist() == [10.0, 5.0]
    units = units_from_table(table("unit_id,workload,current_rep\na,1,R1\nb,2,"), "u", reps.ids)
    cost = cost_from_table(table("unit_id,rep_id,cost\na,R1,0\na,R2,1\nb,R1,1\nb,R2,0"), "c",
                           units, reps.ids, "u")  # fmt: skip
    instance = instance_from_tables(units, reps, cost, None, cost_counts_toward=None,
                                    units_source="u")  # fmt: skip
    assert instance.current.tolist() == [0, -1]
    assert assignment_table(instance, [1, -1]).to_dict("list") == {
        "unit_id": ["a", "b"],
        "rep_id": ["R2", ""],
    }


def test_a_missing_column_is_row_one():
    with pytest.raises(InputError, match="row 1, column 'rep_id': missing column"):
        text_table(table("name\nR1"), ("rep_id",), "reps.csv")
