"""Paired bootstrap confidence intervals for score differences between two runs on the same examples.

Both runs must have scored the same gold file for a (task, language) (their `labels/` copies are identical);
each example is then a pair of per-example statistics (`Metric.per_example`), read from the runs' `samples/`
files, where `eval` logs them (`xlt_bench.samples`); runs written before it did, or metrics that do not declare
their `statistics`, are re-scored from their prediction files instead. A resample draws examples with
replacement, the same draw for both runs, and recomputes both scores from summed statistics, so corpus-level
metrics (chunk F1, BUCC F1) are resampled correctly, not averaged per sentence. Examples with identical pairs of
statistics are pooled and drawn with one multinomial, which makes 1,000 resamples of a 40-language task take
milliseconds. A task delta is the mean over its languages of the per-language deltas (as the task score is the
macro average), resampled language by language; a delta is significant when its 95% interval excludes 0.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics import Metric
from xlt_bench.run_folder import RunStore
from xlt_bench.samples import read_statistics
from xlt_bench.scoring import main_score
from xlt_bench.tasks import Task


@dataclass(frozen=True)
class Delta:
    """candidate minus baseline, with the bootstrap 95% interval when both sides have per-example predictions."""

    value: float
    low: float | None = None
    high: float | None = None

    @property
    def significant(self) -> bool:
        return self.low is not None and (self.low > 0 or self.high < 0)

    def to_json(self) -> dict[str, Any]:
        return {"delta": self.value, "ci_low": self.low, "ci_high": self.high, "significant": self.significant}


def listed_units(units: list[str], shown: int = 6) -> str:
    """Units named in a note: the first `shown`, then how many more."""
    return ", ".join(units[:shown]) + (f" and {len(units) - shown} more" if len(units) > shown else "")


def pairing_problem(stores: list[RunStore], task: Task, language: str, metric: Metric) -> str | None:
    """Why the runs' per-example results for one (task, language) cannot be paired (None when they can): what a
    board says of a delta shown without an interval. A file eval wrote for a scored unit and someone removed is an
    error, never a reason."""
    if metric.per_example is None:
        return f"metric {metric.name} has no per-example statistics"
    paths = [store.output_paths(task, metric.submission, language) for store in stores]
    for store, where in zip(stores, paths):  # a file eval wrote and someone removed: say so, never a silent null
        if store.fragment_path(task.name, language).is_file():
            for path in (where["labels"], where["predictions"]):
                if not path.is_file():
                    raise XltBenchError(
                        f"{path}: missing, though {store.root} scored {task.name}/{language}; the interval needs it "
                        "(re-run eval on that folder to restore it)"
                    )
    labels = [where["labels"] for where in paths]
    if not all(path.is_file() for path in labels):
        return "a run has no labels file (written before eval kept them)"
    if len({path.read_bytes() for path in labels}) > 1:
        return "the runs scored different gold files"
    logged = metric.statistics is not None and all(s.samples_path(task.name, language).is_file() for s in stores)
    if not logged and not all(where["predictions"].is_file() for where in paths):
        return "a run has neither per-example statistics nor a prediction file"
    return None


def per_example_sides(stores: list[RunStore], task: Task, language: str, metric: Metric) -> list | None:
    """Each run's PerExample for one (task, language), or None when they are not paired (`pairing_problem`)."""
    if pairing_problem(stores, task, language, metric) is not None:
        return None
    fmt = metric.submission
    paths = [store.output_paths(task, fmt, language) for store in stores]
    if metric.statistics is not None:
        logged = [read_statistics(store.samples_path(task.name, language), metric.statistics) for store in stores]
        if None not in logged:
            return logged
    # a run written before samples carried per-example statistics: re-score its prediction file
    if not all(where["predictions"].is_file() for where in paths):
        return None
    labels = paths[0]["labels"]
    gold = fmt.read_gold(labels)
    sides = []
    for where in paths:
        predicted = fmt.read_predictions(where["predictions"])
        fmt.check(gold, predicted, labels, where["predictions"])
        sides.append(metric.per_example(gold, predicted, language=language, **task.metric_params))
    return sides


def per_example_pair(base: RunStore, candidate: RunStore, task: Task, language: str, metric: Metric):
    """(baseline PerExample, candidate PerExample) for one (task, language), or None when they are not paired."""
    sides = per_example_sides([base, candidate], task, language, metric)
    return None if sides is None else tuple(sides)


def scores_of_sums(task: Task, sides: list, sums: Any) -> Any:
    """Each run's main score from its summed statistics: `sums` holds the runs' statistics side by side (the
    columns of `joint_scores`' stacked matrix) in its last axis; the result has one score per run there."""
    widths = [len(side.stats[0]) if len(side.stats) else 0 for side in sides]
    edges = np.cumsum([0, *widths])
    scores = [main_score(task, side.reduce(sums[..., a:b])) for side, a, b in zip(sides, edges[:-1], edges[1:])]
    return np.stack([np.asarray(score, dtype=float) for score in scores], axis=-1)


def joint_scores(sides: list, task: Task, resamples: int, rng: np.random.Generator) -> tuple[Any, Any]:
    """Observed main scores of k runs on the same examples, shape (k,), and `resamples` bootstrap replicates,
    shape (resamples, k), where every replicate draws the same examples for all runs (a paired bootstrap)."""
    if any(list(side.units) != list(sides[0].units) for side in sides):
        raise XltBenchError("paired bootstrap needs all runs on the same examples in the same order")
    stats = np.hstack([np.asarray(side.stats, dtype=float).reshape(len(side.units), -1) for side in sides])
    distinct, counts = np.unique(stats, axis=0, return_counts=True)
    draws = rng.multinomial(len(stats), counts / counts.sum(), size=resamples)
    return scores_of_sums(task, sides, stats.sum(axis=0)), scores_of_sums(task, sides, draws @ distinct)


def language_deltas(pair, task: Task, resamples: int, rng: np.random.Generator) -> tuple[float, Any]:
    """Observed delta of the main score and its `resamples` bootstrap replicates for one language."""
    observed, replicates = joint_scores(list(pair), task, resamples, rng)
    return float(observed[1] - observed[0]), replicates[:, 1] - replicates[:, 0]


def interval(value: float, replicates: Any) -> Delta:
    low, high = np.percentile(replicates, [2.5, 97.5])
    return Delta(float(value), float(low), float(high))


def seeded(seed: int, task: str, language: str) -> np.random.Generator:
    """Each (task, language) has its own stream: results do not depend on the order runs or tasks come in."""
    return np.random.default_rng([seed, zlib.crc32(f"{task}/{language}".encode())])
