"""Ranking retrieval metrics of XTREME-R, cut at the top 20 (`TOP_K`), on `{query id: [ids]}` gold and predictions.

- "map@20" (LAReQA, `third_party/utils_lareqa.py::average_precision_at_k`): AP@20 = the sum, over the ranks r <= 20
  that hold a relevant id, of precision@r, divided by min(#relevant, 20). A candidate repeated in a prediction list
  counts once: its later copies still take up their ranks but are never hits (the official rule).
- "mrr@20" (Mewsli-X, `third_party/utils_mewslix.py::evaluate`): reciprocal rank of the gold id among the first 20
  predictions, 0 when absent. Only the first gold id counts (the files hold one QID per mention); XTREME-R reports
  this number as "mAP@20", which it equals for a single relevant id.

Both are means over the gold queries (x100); a query without a prediction scores 0, as in the official scripts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from xlt_bench.metrics.resampling import PerExample, Statistics, rates

TOP_K = 20


def average_precision(relevant: Sequence[str], ranked: Sequence[str], k: int = TOP_K) -> float:
    """AP@k of one ranked list; 0 when nothing is relevant."""
    targets = set(relevant)
    if not targets:
        return 0.0
    seen: set[str] = set()
    hits, total = 0, 0.0
    for rank, candidate in enumerate(ranked[:k], start=1):
        if candidate in targets and candidate not in seen:
            hits += 1
            total += hits / rank
        seen.add(candidate)
    return total / min(len(targets), k)


def reciprocal_rank(gold: Sequence[str], ranked: Sequence[str], k: int = TOP_K) -> float:
    """1 / rank of the first gold id (stripped, as the official reader) within the top k; 0 when absent."""
    if not gold:
        return 0.0
    target = gold[0].strip()
    return next((1.0 / rank for rank, candidate in enumerate(ranked[:k], start=1) if candidate == target), 0.0)


Ranked = Mapping[str, Sequence[str]]  # {query id: ids}, gold (relevant) or predicted (best first)


class _QueryMean:
    """A metric that averages one per-query score over the gold queries, with its per-example decomposition."""

    def __init__(self, key: str, score: Callable[[Sequence[str], Sequence[str]], float]) -> None:
        self.key, self.score = key, score
        self.statistics = Statistics(names=(key, "queries"), unit="id", reduce=rates([key]))

    def _values(self, gold: Ranked, predictions: Ranked) -> list[float]:
        return [self.score(expected, predictions.get(query, [])) for query, expected in gold.items()]

    def __call__(self, gold: Ranked, predictions: Ranked, **_: object) -> dict[str, float]:
        values = self._values(gold, predictions)
        return {self.key: 100.0 * sum(values) / len(values) if values else 0.0}

    def units(self, gold: Ranked, predictions: Ranked, **_: object) -> PerExample:
        """One unit per gold query: (score, 1)."""
        values = self._values(gold, predictions)
        return PerExample([str(query) for query in gold], [(value, 1.0) for value in values], self.statistics.reduce)


map_at_20 = _QueryMean("map@20", average_precision)  # mean AP@20 over the gold queries (x100)
map_at_20_units = map_at_20.units
mrr_at_20 = _QueryMean("mrr@20", reciprocal_rank)  # mean reciprocal rank within the top 20 (x100)
mrr_at_20_units = mrr_at_20.units
