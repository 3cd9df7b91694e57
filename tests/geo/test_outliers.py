"""The far-point rule on hand-made worlds along the equator (1 degree = 111.195 km)."""

from __future__ import annotations

import numpy as np
import pytest

from geo.outliers import far_points

KM_PER_DEG = 111.195


def test_a_point_a_thousand_km_beyond_a_tight_team_is_far() -> None:
    lon = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 10.0])  # six 11.1 km apart, one 9.5 deg on
    result = far_points(np.zeros(7), lon)
    assert result.far.tolist() == [False] * 6 + [True]
    assert result.limit_km == 200.0  # 10 x median 11.1 km is under the 200 km floor
    assert result.nearest_km[6] == pytest.approx(9.5 * KM_PER_DEG, rel=1e-4)


def test_the_limit_grows_with_a_sparse_team() -> None:
    # five points 0.5 deg (55.6 km) apart: limit 10 x 55.6 = 556 km; a point 4 deg (445 km)
    # beyond stays, one 6 deg (667 km) beyond is far
    lon = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 6.0])
    near = far_points(np.zeros(6), lon)
    assert not near.far.any()
    assert near.limit_km == pytest.approx(10 * 0.5 * KM_PER_DEG, rel=1e-4)
    lon[-1] = 8.0
    assert far_points(np.zeros(6), lon).far.tolist() == [False] * 5 + [True]


def test_too_few_points_or_bad_ones_are_never_far() -> None:
    assert not far_points(np.zeros(3), np.array([0.0, 50.0, 100.0])).far.any()
    lat = np.array([0.0, 0.0, 0.0, 0.0, np.nan, 95.0])
    lon = np.array([0.0, 0.1, 0.2, 0.3, 0.0, 0.0])
    assert not far_points(lat, lon).far.any()
