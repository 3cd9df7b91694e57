"""Write the MILP's proven optima of seeded instances as test fixtures (issue 13 point 5).

``python -m benchmarks.milp_fixtures`` solves every instance of ``INSTANCES``
(built by :func:`planning.optimizer.synthetic.seeded_instance`) twice with
HiGHS, minimising cost and then units moved, and writes one JSON file per
instance under ``tests/planning/fixtures/``: the seed and parameters, the
tolerance, the optimum cost and the optimum number of moved units (None for
the ``cost_only`` instances, too large for HiGHS to prove that one). It refuses
to write an optimum that HiGHS did not prove (gap above zero), so every
fixture is a proven optimum. ``tests/planning/optimizer/test_fixtures.py``
checks that ``cli.py balance-instance`` reaches them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from planning.optimizer import Settings
from planning.optimizer.milp import solve_milp
from planning.optimizer.synthetic import seeded_instance

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "planning" / "fixtures"
TIME_LIMIT_S = 120.0

# name -> seeded_instance parameters, tolerance, test time limit (s)
INSTANCES: dict[str, dict] = {
    "u20_r3": {"params": {"n_units": 20, "n_reps": 3, "seed": 1, "locked_share": 0.1},
               "tolerance": 0.05, "time_limit": 20},
    "u30_r3": {"params": {"n_units": 30, "n_reps": 3, "seed": 2, "locked_share": 0.1},
               "tolerance": 0.05, "time_limit": 20},
    "u40_r4": {"params": {"n_units": 40, "n_reps": 4, "seed": 0, "locked_share": 0.1},
               "tolerance": 0.05, "time_limit": 20},
    "u24_r3_travel": {"params": {"n_units": 24, "n_reps": 3, "seed": 3, "locked_share": 0.1,
                                 "travel_per_unit": 0.2}, "tolerance": 0.08, "time_limit": 20},
    # Beyond ~40 units HiGHS does not prove the fewest moved units in minutes (the
    # contiguity cuts pile up): these fixtures hold the cost optimum only.
    "u100_r5": {"params": {"n_units": 100, "n_reps": 5, "seed": 0, "locked_share": 0.1},
                "tolerance": 0.05, "time_limit": 30, "cost_only": True},
    "u200_r8": {"params": {"n_units": 200, "n_reps": 8, "seed": 0, "locked_share": 0.1},
                "tolerance": 0.05, "time_limit": 40, "cost_only": True},
}  # fmt: skip


def settings_for(minimize: str, tolerance: float, time_limit: float) -> Settings:
    """What ``balance-instance --minimize <minimize>`` asks: one secondary objective, weight 1."""
    return Settings(
        tolerance=tolerance,
        time_limit=time_limit,
        cost_weight=1.0 if minimize == "cost" else 0.0,
        disruption_weight=1.0 if minimize == "disruption" else 0.0,
        compactness_weight=1.0 if minimize == "compactness" else 0.0,
        exact=True,
    )


def solve(name: str, spec: dict, time_limit: float) -> dict:
    """The fixture of one instance: both optima, proven, or an error."""
    instance = seeded_instance(**spec["params"])
    out = {"name": name, "optimum_moved_units": None, **spec}
    for minimize in ("cost",) if spec.get("cost_only") else ("cost", "disruption"):
        start = time.perf_counter()
        solved = solve_milp(instance, settings_for(minimize, spec["tolerance"], time_limit))
        took = time.perf_counter() - start
        print(f"[fixtures] {name} {minimize}: {solved.status}, gap {solved.gap}, {took:.1f} s",
              file=sys.stderr, flush=True)  # fmt: skip
        if not solved.proven or solved.owner is None:
            raise RuntimeError(f"{name}: {minimize} not proven within {time_limit} s")
        moved = (instance.current >= 0) & (solved.owner != instance.current)
        if minimize == "cost":
            out["optimum_cost"] = round(float(instance.cost[range(instance.n_units),
                                                              solved.owner].sum()), 6)  # fmt: skip
            out["solve_seconds_cost"] = round(took, 2)
        else:
            out["optimum_moved_units"] = int(moved.sum())
            out["solve_seconds_disruption"] = round(took, 2)
    return out


def main(argv: list[str] | None = None) -> int:
    """Solve the instances named (all by default) and write their fixtures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.milp_fixtures", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(INSTANCES)}")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT_S)
    args = parser.parse_args(argv)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in args.names or list(INSTANCES):
        fixture = solve(name, INSTANCES[name], args.time_limit)
        path = FIXTURES / f"milp_{name}.json"
        path.write_text(json.dumps(fixture, indent=2, sort_keys=True) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
