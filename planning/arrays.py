"""Small helpers for the arrays that plans and instances hold."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def frozen(values: ArrayLike) -> np.ndarray:
    """A read-only, contiguous copy: a value others may hold without fear of it changing.

    >>> a = frozen([1, 2])
    >>> a.flags.writeable
    False
    """
    array = np.array(values, copy=True, order="C")
    array.flags.writeable = False
    return array
