"""BUCC 2018 precision/recall/F1 over *sets* of exact (source id, English id) pairs, as XTREME's `bucc_f1`."""

from __future__ import annotations

from collections.abc import Iterable

from xlt_bench.metrics.resampling import PerExample, Statistics, precision_recall_f1

BUCC_STATISTICS = Statistics(
    names=("correct_pairs", "predicted_pairs", "gold_pairs"), unit="id", reduce=precision_recall_f1
)


def bucc_units(gold: Iterable[tuple[str, ...]], predictions: Iterable[tuple[str, ...]], **_: object) -> PerExample:
    """One unit per source sentence id (in gold or predicted): (correct, predicted, gold) pair counts."""
    gold_pairs, predicted_pairs = set(gold), set(predictions)
    counts: dict[str, list[float]] = {}
    for pair in predicted_pairs:
        counts.setdefault(pair[0], [0.0, 0.0, 0.0])[1] += 1
    for pair in gold_pairs:
        counts.setdefault(pair[0], [0.0, 0.0, 0.0])[2] += 1
    for pair in gold_pairs & predicted_pairs:
        counts[pair[0]][0] += 1
    units = sorted(counts)
    return PerExample(units, [counts[unit] for unit in units], BUCC_STATISTICS.reduce)


def bucc_f1(gold: Iterable[tuple[str, ...]], predictions: Iterable[tuple[str, ...]], **_: object) -> dict[str, float]:
    """P = |pred & gold| / |pred|, R = |pred & gold| / |gold|; all three 0 when nothing is correct (x100)."""
    gold_pairs, predicted_pairs = set(gold), set(predictions)
    correct = len(gold_pairs & predicted_pairs)
    if correct == 0:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision = correct / len(predicted_pairs)
    recall = correct / len(gold_pairs)
    f1 = 2 * precision * recall / (precision + recall)
    return {"f1": 100 * f1, "precision": 100 * precision, "recall": 100 * recall}
