"""Accounts moved after each phase of one large-case run (issue 13 point 4, diagnosis).

``python -m benchmarks.balance_phases [seconds]`` runs the large case of
``benchmarks.balance`` once and prints, around the search's tidy,
recombination and finishing passes and when recombination switches to thrift,
the share of accounts moved and the metric Polsby-Popper (mean, min). It wraps
private methods of ``planning.optimizer.search._Search``: a diagnostic, not a
benchmark figure (its own printing costs a little of the time limit).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

from benchmarks import balance as bench
from planning.autobalance import balance_plan
from planning.disruption import moved_share
from planning.metrics import rep_metrics
from planning.optimizer import recom, search
from planning.plan import Plan


def main(argv: list[str] | None = None) -> int:
    """Run the large case once with the phase printout."""
    args = sys.argv[1:] if argv is None else argv
    limit = float(args[0]) if args else bench.TIME_LIMIT_S
    plan = bench.large_baseline(bench.LARGE_ACCOUNTS, 50, bench.SEED, bench.LARGE_RESOLUTION)
    started = time.perf_counter()

    def show(tag: str, owner: np.ndarray) -> None:
        proposal = Plan.from_owner(plan.market, owner, plan.locked)
        pp = rep_metrics(proposal, bench.TOLERANCE)["polsby_popper"]
        print(f"{time.perf_counter() - started:6.1f} s  {tag:<28} moved "
              f"{100 * moved_share(plan.market, owner):5.2f} %  PP mean {np.nanmean(pp):.3f} "
              f"min {np.nanmin(pp):.3f}", flush=True)  # fmt: skip

    def wrap(name: str) -> None:
        original = getattr(search._Search, name)

        def wrapped(self: Any, owner: np.ndarray, key: tuple) -> tuple:
            show(f"before {name}", owner)
            out = original(self, owner, key)
            show(f"after {name}", out[0])
            return out

        setattr(search._Search, name, wrapped)

    for name in ("_tidy", "_recombine", "_finish"):
        wrap(name)
    switch = recom.Recombination.update_thrift

    def thrift(self: Any, owner: np.ndarray) -> bool:
        was = self.thrift
        on = switch(self, owner)
        if on and not was:
            show("thrift on", owner)
        return on

    recom.Recombination.update_thrift = thrift  # type: ignore[method-assign]
    show("baseline", np.asarray(plan.owner))
    started = time.perf_counter()
    proposal, _ = balance_plan(plan, bench.settings(limit, bench.SEED), rng=bench.SEED)
    show("final", np.asarray(proposal.owner))
    return 0


if __name__ == "__main__":
    sys.exit(main())
