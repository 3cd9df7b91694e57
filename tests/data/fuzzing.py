"""Shared settings of the property tests: reproducible, bounded, and counted.

``derandomize=True`` draws the same examples on every run (CI repeats what a
developer saw) and no example database is written; ``max_examples`` per test
keeps the whole fuzz set near a minute on a 2-core machine. ``CASES`` counts
the examples run, by test, and the terminal summary prints the total.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings

CASES: Counter[str] = Counter()


def fuzz(max_examples: int) -> settings:
    """Hypothesis settings for one property test of ``max_examples`` cases."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )
