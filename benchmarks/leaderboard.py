"""Time to build a leaderboard with paired-bootstrap intervals: 9 tasks x 40 languages, two runs, 1,000 resamples.

Writes two synthetic run folders (labels and predictions in the submission layout, as `eval` leaves them) for an
XTREME-sized board: every task gets 40 languages of `--examples` units (accuracy lines, tag sentences or QA
questions, by task type), then times `build_board`. Usage: `python benchmarks/leaderboard.py [examples]`.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from xlt_bench.leaderboard.runs import load_run
from xlt_bench.leaderboard.table import build_board
from xlt_bench.registry import load_registry
from xlt_bench.scoring import TaskScore
from xlt_bench.submission import submission_path

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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    registry = load_registry()
    for task in registry.suite_tasks("xtreme"):  # every task gets the same 40 synthetic languages
        # MLQA's rules need real language codes; score its synthetic languages with the SQuAD rules instead
        metric = "squad" if task.metric == "mlqa" else task.metric
        registry.tasks[f"xtreme/{task.name}"] = replace(task, languages=LANGUAGES, metric=metric)
    folder = Path(tempfile.mkdtemp(prefix="xlt-bench-board-"))
    for run, wrong in (("direct", 0.3), ("intermediate", 0.25)):
        tasks = {}
        for task in registry.suite_tasks("xtreme"):
            metric = registry.metric(task)
            languages = {}
            for language in LANGUAGES:
                gold, _ = synthetic(task, random.Random(f"{task.name}/{language}"), n, 0)
                _, predicted = synthetic(task, random.Random(f"{run}/{task.name}/{language}"), n, wrong)
                if metric.name == "accuracy":  # same gold draws, independent errors
                    rng = random.Random(f"{run}/{task.name}/{language}")
                    predicted = [g if rng.random() > wrong else "x" for g in gold]
                ext = metric.submission.extension
                metric.submission.write_gold(submission_path(folder / run / "labels", task.name, language, ext), gold)
                path = submission_path(folder / run / "predictions", task.name, language, ext)
                metric.submission.write_predictions(path, predicted)
                languages[language] = metric.compute(gold, predicted, language=language)
            tasks[task.name] = TaskScore(task, languages).to_json()
        lineage = {"label": run, "base": "synthetic", "intermediate": [] if run == "direct" else ["mnli"]}
        (folder / run / "results.json").write_text(json.dumps({"suite": "xtreme", "tasks": tasks, "lineage": lineage}))
    runs = [load_run(str(folder / name), registry) for name in ("direct", "intermediate")]
    start = time.perf_counter()
    board = build_board(runs, registry, "xtreme", resamples=1000)
    seconds = time.perf_counter() - start
    units = 9 * 40 * n
    overall = board.comparisons[0].overall
    print(f"{'board':<28} {'units':>9} {'resamples':>9} {'seconds':>8} {'units x resamples / s':>22}")
    print(f"{'9 tasks x 40 languages':<28} {units:>9} {1000:>9} {seconds:>8.2f} {units * 1000 / seconds:>22.3g}")
    print(f"overall delta {overall.value:+.2f} [{overall.low:+.2f}, {overall.high:+.2f}]")


if __name__ == "__main__":
    main()
