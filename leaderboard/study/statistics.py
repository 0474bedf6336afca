"""The statistics of a study beyond the leaderboard's paired bootstrap (`xlt_bench.leaderboard.significance`):
percentile intervals, resampling fine-tuning seeds, Spearman's rank correlation, the log-linear fit of score
against intermediate data size and where that curve flattens or drops. Pure functions of arrays, tested against
hand-worked examples.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LEVEL = 95  # every interval of a study is a 95% percentile interval


def stream(seed: int, *names: str) -> np.random.Generator:
    """A random stream of its own per named quantity, so an estimate does not depend on which others were made."""
    return np.random.default_rng([seed, *(zlib.crc32(name.encode()) for name in names)])


def percentile_interval(replicates: Any) -> tuple[float, float] | tuple[None, None]:
    """The 2.5th and 97.5th percentiles of the finite replicates; (None, None) when there are fewer than 10."""
    values = np.asarray(replicates, dtype=float)
    values = values[np.isfinite(values)]
    if values.size < 10:
        return None, None
    low, high = np.percentile(values, [(100 - LEVEL) / 2, 100 - (100 - LEVEL) / 2])
    return float(low), float(high)


def seed_choices(seeds: int, resamples: int, rng: np.random.Generator) -> Any:
    """Which seeds each replicate takes, drawn with replacement: shape (resamples, seeds). A condition's seeds are
    resampled once per replicate and that draw is shared by all its tasks and languages (a seed is a whole model)."""
    return rng.integers(0, seeds, size=(resamples, seeds))


def mean_of_chosen(replicates: Any, choices: Any) -> Any:
    """Per replicate, the mean over the chosen columns: `replicates` (resamples, seeds), `choices` alike."""
    return np.take_along_axis(np.asarray(replicates, dtype=float), choices, axis=1).mean(axis=1)


def ranks(values: Any) -> Any:
    """Ranks from 1, ties sharing the mean of the ranks they span (as Spearman's coefficient needs)."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="stable")
    ranked = np.empty(len(values))
    ranked[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranked[tied] = ranked[tied].mean()
    return ranked


def spearman(x: Any, y: Any) -> float | None:
    """Spearman's rank correlation: Pearson's correlation of the ranks. None with fewer than 3 pairs or when one
    side is constant (the coefficient is undefined)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3:
        return None
    rx, ry = ranks(x) - (len(x) + 1) / 2, ranks(y)
    ry = ry - ry.mean()
    denominator = np.sqrt((rx**2).sum() * (ry**2).sum())
    return None if denominator == 0 else float((rx * ry).sum() / denominator)


def spearman_replicates(x: Any, y_replicates: Any, rng: np.random.Generator) -> Any:
    """Bootstrap replicates of Spearman's rho: replicate b draws languages with replacement and takes their y
    from `y_replicates[b]` (that replicate's example draw), so the interval covers which languages were
    measured and how noisy each language's value is. Undefined draws (a constant side) are NaN."""
    x, y_replicates = np.asarray(x, dtype=float), np.asarray(y_replicates, dtype=float)
    picks = rng.integers(0, len(x), size=(len(y_replicates), len(x)))
    rhos = [spearman(x[pick], row[pick]) for pick, row in zip(picks, y_replicates)]
    return np.array([np.nan if rho is None else rho for rho in rhos])


@dataclass(frozen=True)
class Fit:
    """score = intercept + slope * log10(size): `slope` is the gain per tenfold intermediate data."""

    intercept: float
    slope: float
    r2: float | None  # None when the scores do not vary


def log_linear_fit(sizes: Any, scores: Any) -> Fit:
    """Least squares of score on log10(size) over at least two distinct sizes."""
    x, y = np.log10(np.asarray(sizes, dtype=float)), np.asarray(scores, dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    residual, total = ((y - (intercept + slope * x)) ** 2).sum(), ((y - y.mean()) ** 2).sum()
    return Fit(intercept=float(intercept), slope=float(slope), r2=None if total == 0 else float(1 - residual / total))


def slope_replicates(sizes: Any, score_replicates: Any) -> Any:
    """The fitted slope of each replicate row of `score_replicates` (shape (resamples, points)), in one solve."""
    x = np.log10(np.asarray(sizes, dtype=float))
    centred = x - x.mean()
    y = np.asarray(score_replicates, dtype=float)
    return (y - y.mean(axis=1, keepdims=True)) @ centred / (centred**2).sum()


def curve_shape(steps: Sequence[tuple[int, float | None, float | None]]) -> tuple[str, int | None]:
    """A scaling curve's shape from its gains over the next smaller size, as (size, interval low, high): "drops" at
    the first gain whose interval lies below 0 (never called flattening); else "flattens" at the first size from
    which no gain is significant (after the last significant rise); "rises" when the last gain is still significant
    (at the largest size); "unknown" (None) when a gain has no interval."""
    ordered = sorted(steps)
    if not ordered or any(low is None or high is None for _, low, high in ordered):
        return "unknown", None
    flat: int | None = None
    for size, low, high in ordered:
        if high < 0:
            return "drops", size
        if low > 0:
            flat = None
        elif flat is None:
            flat = size
    return ("rises", ordered[-1][0]) if flat is None else ("flattens", flat)
