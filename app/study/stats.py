"""The statistics of the study's tables: ranks, Spearman, percentiles, Krippendorff's alpha.

Pure functions over numbers (numpy for the sums); app.study.evaluation builds its tables with them.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

import numpy as np


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda index: values[index])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation (Pearson on average ranks); None below 2 points or with no variation."""
    if len(x) != len(y):
        raise ValueError("spearman needs two sequences of the same length")
    if len(x) < 2:
        return None
    rx, ry = np.array(average_ranks(x)), np.array(average_ranks(y))
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denominator = float(np.sqrt((rx**2).sum() * (ry**2).sum()))
    if denominator == 0:
        return None
    return float((rx * ry).sum() / denominator)


def percentile(values: Iterable[float | None], q: float) -> float | None:
    """The q-th percentile (linear interpolation) of the values that are not None; None when there are none."""
    present = [float(value) for value in values if value is not None]
    return float(np.percentile(present, q)) if present else None


def median(values: Iterable[float | None]) -> float | None:
    present = [float(value) for value in values if value is not None]
    return float(statistics.median(present)) if present else None


def mean(values: Iterable[float | None]) -> float | None:
    present = [float(value) for value in values if value is not None]
    return float(statistics.fmean(present)) if present else None


def krippendorff_alpha_interval(units: Iterable[Sequence[float]]) -> float | None:
    """Krippendorff's alpha, interval metric, for units each holding the values the raters gave it.

    Units with fewer than two values are not pairable and are left out. None
    when fewer than two values are pairable or all pairable values are equal
    (alpha is undefined then).
    """
    pairable = [list(map(float, unit)) for unit in units if len(unit) >= 2]
    values = [value for unit in pairable for value in unit]
    n = len(values)
    if n < 2:
        return None
    observed = sum(
        sum((a - b) ** 2 for a in unit for b in unit) / (len(unit) - 1) for unit in pairable
    )  # ordered pairs; a value with itself adds 0
    observed /= n
    # Sum over ordered pairs i != j of (v_i - v_j)^2 = 2n * sum(v^2) - 2 * (sum v)^2, without an n x n matrix.
    array = np.array(values)
    expected = float(2 * n * (array**2).sum() - 2 * array.sum() ** 2) / (n * (n - 1))
    if expected <= 1e-12:
        return None
    return 1.0 - observed / expected
