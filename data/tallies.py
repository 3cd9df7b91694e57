"""A plan's tally as bytes: how a scenario row keeps it between requests.

The tally (per-rep sums, a handful of small arrays) is stored with the
scenario so that loading it does not recount every cell.
"""

from __future__ import annotations

import io
from dataclasses import fields
from typing import Any

import numpy as np

from planning.tally import Tally

SCALARS = ("moved_accounts", "moved_tam", "moved_revenue")


def tally_to_bytes(tally: Tally) -> bytes:
    """Serialise a tally (a handful of small arrays) for the scenario row."""
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {f.name: np.asarray(getattr(tally, f.name)) for f in fields(Tally)}
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def tally_from_bytes(blob: bytes) -> Tally:
    """Inverse of ``tally_to_bytes``."""
    with np.load(io.BytesIO(blob)) as data:
        values = {f.name: data[f.name] for f in fields(Tally)}
    for name in SCALARS:
        values[name] = int(values[name])
    return Tally(**values)
