"""Fixtures: tiny named worlds (built in tests/toy.py)."""

from __future__ import annotations

import pytest

from tests.toy import CENTRE, DISK, Toy, make_accounts, make_reps, toy_market


@pytest.fixture
def toy() -> Toy:
    """Three accounts: an A in the centre, a B and a C in ring cell 0; R2 lives in ring cell 3.

    R1 (home = centre) owns the centre; R2 owns the ring.
    """
    ring = [c for c in DISK if c != CENTRE]
    accounts = make_accounts(
        [
            ("a1", CENTRE, "A", 1000.00, 250.00, "R1", False),
            ("a2", ring[0], "B", 500.50, 100.25, "R2", False),
            ("a3", ring[0], "C", 99.99, 0.00, "R2", False),
        ]
    )
    reps = make_reps({"R1": CENTRE, "R2": ring[3]}, {"R1": 150.0, "R2": 50.0})
    return Toy(toy_market(accounts, reps), accounts, reps, CENTRE, ring)
