"""Metrics as sums of per-example statistics, so that examples can be resampled (paired bootstrap).

Every built-in metric is a function of column sums over units: a line for accuracy, a sentence for chunk F1
(chunks never cross sentences), a question for SQuAD/MLQA, a source sentence for BUCC. `PerExample` holds the
units' statistics and the function turning column sums back into the metric's values, so a resample is a
weighted sum instead of a re-scoring. `reduce(stats.sum(axis=0))` equals the metric's own value (tested).

`Statistics` describes a metric's statistics without any data (their names, what a unit is, `reduce`), so that
`eval` can log them per example in `samples/` and the paired bootstrap can run from those files alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PerExample:
    """`stats[i]` are unit i's additive statistics; `reduce(sums)` maps sums (array (..., m)) to metric values x100."""

    units: Sequence[str]
    stats: Sequence[Sequence[float]]
    reduce: Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Statistics:
    """A metric's per-example statistics, known without data: `names` of the columns of `PerExample.stats`,
    `unit` ("row": unit i is the i-th gold/prediction entry; "id": an example id such as a SQuAD question's), and
    the `reduce` that its `per_example` returns."""

    names: tuple[str, ...]
    unit: str
    reduce: Callable[[Any], dict[str, Any]]


def ratio(numerator: Any, denominator: Any) -> Any:
    """Element-wise numerator / denominator, 0 where the denominator is 0 (the official scorers' convention)."""
    import numpy as np

    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def precision_recall_f1(sums: Any) -> dict[str, Any]:
    """From (correct, predicted, gold) counts, with the official `2 p r / (p + r)` and zeros where undefined."""
    precision, recall = ratio(sums[..., 0], sums[..., 1]), ratio(sums[..., 0], sums[..., 2])
    f1 = ratio(2 * precision * recall, precision + recall)
    return {"f1": 100 * f1, "precision": 100 * precision, "recall": 100 * recall}


def rates(names: Sequence[str]) -> Callable[[Any], dict[str, Any]]:
    """Means x100: statistic k summed over units divided by the unit count (the last column)."""

    def reduce(sums: Any) -> dict[str, Any]:
        return {name: 100 * ratio(sums[..., k], sums[..., -1]) for k, name in enumerate(names)}

    return reduce
