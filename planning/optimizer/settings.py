"""What the caller asks of the optimizer: which measures to balance and what else matters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from common.errors import PlanError

MODES = ("rebalance", "design")


@dataclass(frozen=True)
class Settings:
    """How to balance one instance.

    Plans compare first by imbalance (zero while every rep is within
    ``tolerance`` on every balanced measure, see
    :func:`planning.optimizer.score.imbalance`), then by the weighted sum of
    cost (total over its reference), compactness (share of adjacency edges
    cut between territories) and, in rebalance mode, disruption (share of
    disruption weight moved). Balance is never traded for the rest.

    Parameters
    ----------
    balance
        Measure name -> weight, e.g. ``{"workload": 1.0, "tam": 0.5}``.
    tolerance
        Allowed relative deviation from target, 0.05 = within 5 %.
    contiguity
        Keep every territory in one piece (needs an adjacency; islands excepted).
    compactness_weight, cost_weight, disruption_weight
        Weights of the secondary terms. At 1 each, moving one unit is worth
        about as much disruption as cutting two or three edges fewer saves
        in compactness: smooth borders at little cost. Set compactness to 0
        to move strictly the fewest units.
    disruption_cap
        Most share of disruption weight (of units with a current owner) that may change
        owner (rebalance only). On the H3 planning area the user's "Max accounts moved %"
        is a share of accounts against last quarter; ``planning.autobalance.balance_plan``
        turns it into this share (``planning.disruption.optimizer_cap``).
    mode
        ``rebalance`` starts from the current owners and moves as little as
        possible; ``design`` grows territories from each rep's home unit.
    seed
        Seed for ``np.random.default_rng`` when ``balance`` gets no ``rng``.
    time_limit, max_iterations
        Stop after this many seconds / search rounds and return the best plan.
    max_capacity
        Hard ceiling: no rep's load of the capacity measure (the measure cost
        counts toward, else the first balanced one) above its capacity, when a
        plan can meet it.
    exact
        ``"auto"`` solves by exhaustive search when there are at most
        ``exact_limit`` assignments of the free units, ``True`` insists,
        ``False`` never does. Beyond exhaustive reach, ``True`` runs the local
        search, then exact touching-territories subproblems, then a MILP of the whole
        instance (HiGHS) with the time left, and keeps the best plan with the
        MILP's proven bound.
    improve
        Once every rep is inside tolerance, keep improving the secondary
        objective with exact touching-territories subproblems (HiGHS) until the time
        limit or a full pass without gain (instances of up to 20,000 unit x
        rep pairs).
    shape_rules
        With contiguity, refuse every move that adds a one-cell corridor
        (:mod:`planning.optimizer.shape`), and tidy thin shapes once the plan is
        inside tolerance.
    """

    balance: Mapping[str, float] | tuple[tuple[str, float], ...] = (("workload", 1.0),)
    tolerance: float = 0.05
    contiguity: bool = True
    compactness_weight: float = 1.0
    cost_weight: float = 0.0
    disruption_weight: float = 1.0
    disruption_cap: float | None = None
    mode: Literal["rebalance", "design"] = "rebalance"
    seed: int | None = None
    time_limit: float | None = 60.0
    max_iterations: int | None = None
    max_capacity: bool = False
    exact: bool | Literal["auto"] = "auto"
    exact_limit: int = 2_000_000
    # issue 13 (h13): minimise after feasibility
    improve: bool = False
    # issue 13 point 3 (h13b): shapes a planner would sign
    shape_rules: bool = True

    def __post_init__(self) -> None:
        pairs = self.balance.items() if isinstance(self.balance, Mapping) else self.balance
        pairs = tuple((str(name), float(weight)) for name, weight in pairs)
        if not pairs or any(w < 0 for _, w in pairs) or not any(w > 0 for _, w in pairs):
            raise PlanError(f"balance needs measure -> weight >= 0, one above 0; got {pairs}")
        object.__setattr__(self, "balance", pairs)
        if self.mode not in MODES:
            raise PlanError(f"mode must be one of {MODES}; got {self.mode!r}")
        if not 0 <= self.tolerance < 1:
            raise PlanError(f"tolerance must be in [0, 1); got {self.tolerance}")
        for name in ("compactness_weight", "cost_weight", "disruption_weight"):
            if getattr(self, name) < 0:
                raise PlanError(f"{name} must be >= 0; got {getattr(self, name)}")
        if self.disruption_cap is not None and not 0 <= self.disruption_cap <= 1:
            raise PlanError(f"disruption_cap must be in [0, 1]; got {self.disruption_cap}")
        if self.exact not in (True, False, "auto"):
            raise PlanError(f"exact must be True, False or 'auto'; got {self.exact!r}")

    @property
    def balance_pairs(self) -> tuple[tuple[str, float], ...]:
        """``(measure, weight)`` pairs (``__post_init__`` already turned a mapping into these)."""
        if isinstance(self.balance, Mapping):
            return tuple((str(k), float(v)) for k, v in self.balance.items())
        return self.balance

    @property
    def balance_names(self) -> tuple[str, ...]:
        """Balanced measure names, in the order given."""
        return tuple(name for name, _ in self.balance_pairs)

    @property
    def balance_weights(self) -> tuple[float, ...]:
        """Weights matching :attr:`balance_names`."""
        return tuple(weight for _, weight in self.balance_pairs)
