"""Accuracy: exact string match of one label per example (XNLI, PAWS-X, Tatoeba in XTREME's `evaluate.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from xlt_bench.metrics.pairing import paired
from xlt_bench.metrics.resampling import PerExample, Statistics, rates

ACCURACY_STATISTICS = Statistics(names=("correct", "examples"), unit="row", reduce=rates(["accuracy"]))


def accuracy(gold: Sequence[str], predictions: Sequence[str], **_: object) -> dict[str, float]:
    """Share of positions where the prediction equals the gold label (x100)."""
    pairs = paired(gold, predictions)
    if not pairs:
        return {"accuracy": 0.0}
    correct = sum(prediction == label for label, prediction in pairs)
    return {"accuracy": 100.0 * correct / len(predictions)}


def accuracy_units(gold: Sequence[str], predictions: Sequence[str], **_: object) -> PerExample:
    """One unit per line: (correct, 1)."""
    stats = [(float(prediction == label), 1.0) for label, prediction in paired(gold, predictions)]
    return PerExample([str(i) for i in range(len(stats))], stats, ACCURACY_STATISTICS.reduce)
