"""Fixtures: tiny named worlds (built in tests/toy.py)."""

from __future__ import annotations

import pytest

from tests.toy import Toy, make_toy


@pytest.fixture
def toy() -> Toy:
    """Three accounts: an A in the centre, a B and a C in ring cell 0; R2 lives in ring cell 3.

    R1 (home = centre) owns the centre; R2 owns the ring.
    """
    return make_toy()
