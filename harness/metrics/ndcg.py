"""nDCG of XGLUE web page ranking (WPR), as `xglue_evaluate.py::simple_ndcg` computes it with sklearn's `ndcg_score`.

Rows are grouped into queries by consecutive identical query text in file order (pitfall X3): the same text seen
again after another query is a new group, and, as in the official loader, no group starts right after an empty query
text. Each group of at least 2 rows gets sklearn's nDCG without cutoff: gains are the label values, the discount at
rank r is 1 / log2(r + 1), rows with tied scores share the mean gain of their tie (sklearn's average over all orders
of a tie), and the DCG is divided by the ideal order's, 0 when every label is 0. The score is the mean over groups
(x100); 0 when no group has 2 rows. Computed for all groups at once with numpy: 100k rows take about 0.1 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from xlt_bench.metrics.pairing import paired
from xlt_bench.metrics.resampling import PerExample, Statistics, rates

if TYPE_CHECKING:
    import numpy as np

NDCG_STATISTICS = Statistics(names=("ndcg", "queries"), unit="row", reduce=rates(["ndcg"]))  # unit: a query's first row

Rows = Sequence[tuple[str, str]]  # (query text, relevance label) per gold row, in file order


def _group_ids(queries: Sequence[str]) -> np.ndarray:
    """Group number of each row: a new group where the query text changes after a non-empty one (official rule)."""
    import numpy as np

    starts = [i == 0 or (query != queries[i - 1] and queries[i - 1] != "") for i, query in enumerate(queries)]
    return np.cumsum(starts) - 1


def group_ndcg(gold: Rows, predictions: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(first row, nDCG) of every scored group (2 rows or more); `predictions` are floats or float strings."""
    import numpy as np

    rows = paired(gold, predictions)
    if not rows:
        return np.zeros(0, dtype=int), np.zeros(0)
    group = _group_ids([query for (query, _), _ in rows])
    labels = np.array([float(label) for (_, label), _ in rows])
    scores = np.array([float(score) for _, score in rows])
    sizes = np.bincount(group)
    starts = np.cumsum(sizes) - sizes
    rank = np.arange(len(rows)) - starts[group]  # 0-based rank inside the group once sorted (groups stay in place)
    discount = 1 / (np.log(rank + 2) / np.log(2))  # sklearn's expression, for the same rounding
    ideal = np.bincount(group, labels[np.lexsort((-labels, group))] * discount)
    order = np.lexsort((-scores, group))
    ranked, ranked_scores = labels[order], scores[order]
    tie_starts = np.r_[True, (group[1:] != group[:-1]) | (ranked_scores[1:] != ranked_scores[:-1])]
    tie = np.cumsum(tie_starts) - 1
    tie_dcg = np.bincount(tie, ranked) / np.bincount(tie) * np.bincount(tie, discount)
    dcg = np.bincount(group[tie_starts], tie_dcg, minlength=len(sizes))
    ndcg = np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal != 0)
    scored = sizes >= 2
    return starts[scored], ndcg[scored]


def ndcg(gold: Rows, predictions: Sequence[Any], **_: object) -> dict[str, float]:
    """Mean nDCG over the query groups with at least 2 rows (x100)."""
    _, values = group_ndcg(gold, predictions)
    return {"ndcg": 100.0 * float(values.mean()) if len(values) else 0.0}


def ndcg_units(gold: Rows, predictions: Sequence[Any], **_: object) -> PerExample:
    """One unit per scored query group, named by its first row (0-based): (nDCG, 1)."""
    starts, values = group_ndcg(gold, predictions)
    return PerExample([str(start) for start in starts], [(value, 1.0) for value in values], NDCG_STATISTICS.reduce)
