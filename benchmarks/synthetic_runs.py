"""XTREME-sized synthetic run folders for the leaderboard and study benchmarks (no model needed).

Every XTREME task gets the same 40 synthetic languages of `n` units (accuracy lines, tag sentences, QA questions or
bitext pairs, by task type); a run's predictions are the gold with a share `wrong` of errors, drawn per run, task
and language. Folders hold labels and predictions in the submission layout and a `results.json`, as `eval` leaves
them (without `samples/`: the bootstrap re-scores the predictions per example).
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from xlt_bench.scoring import TaskScore

LANGUAGES = tuple(f"l{i:02d}" for i in range(40))


def synthetic(task, rng: random.Random, n: int, wrong: float):
    """(gold, predictions) in the task's submission shape."""
    fmt = task.metric
    if fmt in ("squad", "mlqa"):
        gold = [{"paragraphs": [{"qas": [{"id": f"q{i}", "answers": [{"text": f"ans {i % 7}"}]} for i in range(n)]}]}]
        return gold, {f"q{i}": f"ans {i % 7}" if rng.random() > wrong else "other" for i in range(n)}
    if fmt == "seqeval":
        tags = ["O", "B-PER", "I-PER", "B-LOC"]
        gold = [[rng.choice(tags) for _ in range(8)] for _ in range(n)]
        return gold, [[t if rng.random() > wrong else rng.choice(tags) for t in s] for s in gold]
    if fmt == "bucc":
        gold = [(f"s{i}", f"e{i}") for i in range(n)]
        return gold, [(s, e if rng.random() > wrong else "e?") for s, e in gold]
    gold = [rng.choice("abc") for _ in range(n)]
    return gold, [g if rng.random() > wrong else rng.choice("abc") for g in gold]


def xtreme_sized(registry) -> None:
    """Give every XTREME task the same 40 synthetic languages (in place)."""
    for task in registry.suite_tasks("xtreme"):
        # MLQA's rules need real language codes; score its synthetic languages with the SQuAD rules instead
        metric = "squad" if task.metric == "mlqa" else task.metric
        registry.tasks[f"xtreme/{task.name}"] = replace(task, languages=LANGUAGES, metric=metric)


def write_run(folder: Path, registry, n: int, wrong: float, lineage: dict[str, Any]) -> Path:
    """One run folder of every (xtreme_sized) XTREME task; the gold is the same for every run."""
    tasks = {}
    name = lineage["label"]
    for task in registry.suite_tasks("xtreme"):
        metric = registry.metric(task)
        languages = {}
        for language in LANGUAGES:
            gold, _ = synthetic(task, random.Random(f"{task.name}/{language}"), n, 0)
            _, predicted = synthetic(task, random.Random(f"{name}/{task.name}/{language}"), n, wrong)
            if metric.name == "accuracy":  # same gold draws, independent errors
                rng = random.Random(f"{name}/{task.name}/{language}")
                predicted = [g if rng.random() > wrong else "x" for g in gold]
            ext = metric.submission.extension
            where = (task.name, language, "test", ext)
            metric.submission.write_gold(task.submission.gold_path(folder / "labels", *where), gold)
            metric.submission.write_predictions(
                task.submission.prediction_path(folder / "predictions", *where), predicted
            )
            languages[language] = metric.compute(gold, predicted, language=language)
        tasks[task.name] = TaskScore(task, languages).to_json()
    (folder / "results.json").write_text(json.dumps({"suite": "xtreme", "tasks": tasks, "lineage": lineage}))
    return folder
