"""Auto-balance: a generic territory optimizer over units, reps and measures.

It knows nothing of H3 or Dash: callers build an :class:`Instance` (arrays
indexed by unit and rep position) and read a :class:`BalanceResult`.

>>> from planning.optimizer import Instance, Settings, balance
"""

from planning.optimizer.instance import Instance, adjacency_from_edges, grid_adjacency
from planning.optimizer.result import BalanceResult, OffTarget
from planning.optimizer.search import balance
from planning.optimizer.settings import Settings

__all__ = [
    "BalanceResult",
    "Instance",
    "OffTarget",
    "Settings",
    "adjacency_from_edges",
    "balance",
    "grid_adjacency",
]
