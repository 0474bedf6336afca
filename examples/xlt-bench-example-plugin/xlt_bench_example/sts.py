"""A task type xlt-bench does not have: semantic textual similarity (STS), a regression scored by Spearman.

Everything a new task type needs, registered by the plugin through the same hooks the built-in types use:

- `SimilarityRunner` (`xlt_register_runners`): the runner contract of `xlt_bench.runners.base`. It reuses the
  harness's embedding machinery (`EmbeddingRunner`: layer, pooling, prefixes, on-disk cache) and predicts the
  cosine of the two sentences' embeddings, zero-shot, with any encoder checkpoint (role "encoder").
- `SCORE_LINES` + `SPEARMAN` (`xlt_register_metrics`): one number per line in the submission files (so
  `xlt-bench score` re-scores a run folder), and Spearman's rank correlation x100 between gold and predicted
  similarities, ties ranked by their average position (as `scipy.stats.spearmanr`).

Spearman is not a sum over examples, so the metric has no per-example decomposition (`per_example`): the
leaderboard shows its deltas without a bootstrap interval. Nothing heavy is imported at module level: this module is
imported at every xlt-bench start.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlt_bench import Job, Metric, SubmissionFormat, XltBenchError
from xlt_bench.files import numbered_lines, write_atomic
from xlt_bench.runners.embedding_runner import EmbeddingRunner

TYPE = "example-sts"  # task type names are global, like format names: prefix them with your plugin's name


class SimilarityRunner(EmbeddingRunner):
    """Cosine similarity of mean-pooled sentence embeddings; needs `pooling` and `max_length` from the task."""

    type = TYPE
    description = "similarity of a sentence pair as the cosine of their embeddings, scored by Spearman (example)"
    inference_required = ("pooling", "max_length")

    def gold(self, examples: Any) -> list[float]:
        return [float(score) for score in examples["score"]]

    def predict(self, job: Job) -> list[float]:
        from xlt_bench.retrieval import normalize

        embed = self.embedder(job, job.inference["max_length"], job.inference.get("query_prefix", ""))
        first = normalize(embed(list(job.examples["text"]), f"{job.description} first"))
        second = normalize(embed(list(job.examples["text_pair"]), f"{job.description} second"))
        return [round(float(similarity), 6) for similarity in (first * second).sum(axis=1)]

    def samples(self, examples: Any, gold: list[float], predictions: list[float]) -> list[dict]:
        return [
            {"id": example_id, "input": [text, pair], "gold": expected, "prediction": predicted}
            for example_id, text, pair, expected, predicted in zip(
                examples["id"], examples["text"], examples["text_pair"], gold, predictions
            )
        ]


def _ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, tied values sharing the mean of their positions."""
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


def spearman(gold: Sequence[float], predictions: Sequence[float], **_: object) -> dict[str, float]:
    """Spearman's rho x100: Pearson's correlation of the ranks (0 when either side is constant)."""
    x, y = _ranks(gold), _ranks(predictions)
    mean_x, mean_y = sum(x) / len(x), sum(y) / len(y)
    covariance = sum((a - mean_x) * (b - mean_y) for a, b in zip(x, y))
    spread = math.sqrt(sum((a - mean_x) ** 2 for a in x) * sum((b - mean_y) ** 2 for b in y))
    return {"spearman": 100 * covariance / spread if spread else 0.0}


def read_scores(path: Path) -> list[float]:
    """One finite number per line; anything else is an error naming the file and line."""
    scores = []
    for number, line in numbered_lines(path):
        try:
            score = float(line)
        except ValueError:
            score = math.nan
        if not math.isfinite(score):
            raise XltBenchError(f"{path}:{number}: expected a number, got {line!r}")
        scores.append(score)
    return scores


def write_scores(path: Path, scores: Sequence[float]) -> None:
    write_atomic(path, "".join(f"{score}\n" for score in scores))


def check_scores(gold: list[float], predictions: list[float], gold_path: Path, pred_path: Path) -> list[str]:
    if len(gold) < 2:
        raise XltBenchError(f"{gold_path}: Spearman needs at least 2 scored pairs, got {len(gold)}")
    if len(predictions) != len(gold):
        lines = f"{len(predictions)} lines, expected {len(gold)}"
        raise XltBenchError(f"{pred_path} does not line up with {gold_path}: {lines}")
    return []


SCORE_LINES = SubmissionFormat(
    name="example-score-lines",
    extension="tsv",
    read_gold=read_scores,
    read_predictions=read_scores,
    write_gold=write_scores,
    write_predictions=write_scores,
    check=check_scores,
)
SPEARMAN = Metric(
    name="example-spearman",
    compute=spearman,
    keys=("spearman",),
    submission=SCORE_LINES,
    description="Spearman's rank correlation x100 of similarity scores (example plugin)",
)
