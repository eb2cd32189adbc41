"""The one rule for choosing "the k highest hours": highest value first, earliest hour among ties.

Demand-response calls, 4CP avoidance windows and the 4CP peak are all chosen here. numpy's
``argpartition`` and default ``argsort`` pick different members of a tie depending on the CPU's
SIMD level, and a flat or time-of-use price is nothing but ties, so neither is used: the k-th
largest value is unique whatever the CPU, and among hours at exactly that value the earliest
are taken.
"""

from __future__ import annotations

import numpy as np


def top_k_hours(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values in time order; ties go to the earliest index.

    ``values`` must be finite (validated prices are). ``k`` ≤ 0 gives none, ``k`` ≥ size all.
    """
    n = values.size
    if k <= 0 or n == 0:
        return np.empty(0, dtype=np.int64)
    if k >= n:
        return np.arange(n, dtype=np.int64)
    threshold = np.partition(values, n - k)[n - k]  # the k-th largest value, CPU-independent
    above = values > threshold
    missing = k - int(np.count_nonzero(above))
    tied = np.flatnonzero(values == threshold)[:missing]
    chosen = above
    chosen[tied] = True
    return np.flatnonzero(chosen).astype(np.int64)


def peak_hour(values: np.ndarray) -> int:
    """Index of the highest value; the earliest among ties (numpy's argmax rule, made explicit:
    the first index whose value equals the maximum)."""
    return int(np.flatnonzero(values == values.max())[0])
