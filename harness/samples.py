"""The samples log of one (task, language), `samples/<task>/<split>-<lang>.jsonl`, as lm-eval's `--log_samples`:
what the runner saw and predicted for each example, with what the example contributed to the metric, so that a
user can read the errors and the paired bootstrap runs from these files instead of re-scoring predictions.

A line is the runner's sample (`id`, `gold`, `prediction`, and what the runner adds, such as the input text) and,
on the line of the metric's unit, `unit` (its name) and `stats` ({statistic: value}, the unit's row of
`Metric.per_example`; summed over units and reduced they give the metric, `metrics.resampling`). A unit is the
sample of the same row (`Statistics.unit` "row": a line, a sentence, a query's first row) or of the same id ("id":
a SQuAD question, a BUCC source sentence); a unit with no sample (a BUCC sentence with no predicted pair) has a line
of its own after the samples. The lines keep the runner's order, which is the metric's unit order for the built-in
metrics. A metric without `Metric.statistics` (a plugin's that does not declare them) logs the samples alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.files import check_depth, reading
from xlt_bench.metrics import Metric
from xlt_bench.metrics.resampling import PerExample, Statistics


def sample_lines(
    samples: list[dict[str, Any]], metric: Metric, gold: Any, predictions: Any, language: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """The runner's `samples` joined with the metric's per-example statistics of `gold` and `predictions`."""
    statistics = metric.statistics
    if statistics is None or metric.per_example is None:
        return samples
    per_example = metric.per_example(gold, predictions, language=language, **params)
    if statistics.unit == "row":
        where = {str(index): index for index in range(len(samples))}
    else:
        where = {}
        for index, sample in reversed(list(enumerate(samples))):  # the first sample of an id carries its unit
            where[str(sample.get("id"))] = index
    lines = [dict(sample) for sample in samples]
    alone = []
    for unit, row in zip(per_example.units, per_example.stats):
        logged = {"unit": str(unit), "stats": {name: float(value) for name, value in zip(statistics.names, row)}}
        index = where.get(str(unit))
        if index is None:
            alone.append(logged)
        else:
            lines[index].update(logged)
    return lines + alone


def read_statistics(path: Path, statistics: Statistics) -> PerExample | None:
    """The per-example statistics logged in a samples file, or None when it has none (no file, or one written
    before samples carried them)."""
    if not path.is_file():
        return None
    units, stats = [], []
    with reading(path), path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            check_depth(text, f"{path}:{number}")
            try:
                line = json.loads(text)
                if isinstance(line, dict) and "stats" in line:
                    stats.append([float(line["stats"][name]) for name in statistics.names])
                    units.append(str(line["unit"]))
            except (ValueError, TypeError, KeyError) as error:
                raise XltBenchError(
                    f"{path}:{number}: not a samples line written by xlt-bench eval ({type(error).__name__}: {error})"
                ) from None
    return PerExample(units, stats, statistics.reduce) if units else None
