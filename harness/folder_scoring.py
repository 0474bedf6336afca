"""`xlt-bench score`: score a predictions folder against a labels folder, both in the submission layout.

Every `<task>/test-<lang>.<ext>` gold file of the suite's tasks is scored against the prediction file of the same
name. A prediction file that is missing or does not line up with its gold file is an error naming both files.
A task with some of its languages absent from the gold folder is scored per language and marked incomplete
(`strict=True` makes that an error instead).
"""

from __future__ import annotations

from pathlib import Path

from xlt_bench.errors import XltBenchError
from xlt_bench.registry import Registry
from xlt_bench.scoring import SuiteScore, TaskScore
from xlt_bench.submission import submission_path


def score_folders(
    registry: Registry, suite_name: str, predictions: Path, gold: Path, strict: bool = False
) -> tuple[SuiteScore, list[str]]:
    """The suite's scores over every gold file present, and warnings worth showing the user."""
    for folder, role in ((predictions, "--predictions"), (gold, "--gold")):
        if not Path(folder).is_dir():
            raise XltBenchError(f"{role} {folder}: not a directory")
    warnings: list[str] = []
    scores: dict[str, TaskScore] = {}
    for task in registry.suite_tasks(suite_name):
        if not (Path(gold) / task.name).is_dir():
            continue
        metric = registry.metric(task)
        fmt = metric.submission
        task_score = TaskScore(task)
        for language in task.languages:
            gold_path = submission_path(gold, task.name, language, fmt.extension)
            if not gold_path.is_file():
                if strict:
                    raise XltBenchError(f"{task.name}/{language}: gold file {gold_path} is missing (--strict)")
                continue
            pred_path = submission_path(predictions, task.name, language, fmt.extension)
            if not pred_path.is_file():
                raise XltBenchError(f"{pred_path}: prediction file missing (gold: {gold_path})")
            expected, predicted = fmt.read_gold(gold_path), fmt.read_predictions(pred_path)
            warnings += fmt.check(expected, predicted, gold_path, pred_path)
            task_score.languages[language] = metric.compute(
                expected, predicted, language=language, **task.metric_params
            )
        if task_score.missing:
            warnings.append(f"{task.name}: no gold for {', '.join(task_score.missing)}; task incomplete, not averaged")
        expected_names = {f"test-{language}.{fmt.extension}" for language in task.languages}
        stray = sorted(p.name for p in (Path(gold) / task.name).iterdir() if p.name not in expected_names)
        if stray:
            warnings.append(f"{task.name}: ignored files not in the {suite_name} language list: {', '.join(stray)}")
        scores[task.name] = task_score
    if not scores:
        names = ", ".join(task.name for task in registry.suite_tasks(suite_name))
        raise XltBenchError(f"--gold {gold}: no task folder of suite {suite_name!r} ({names}); another --suite?")
    return SuiteScore(registry.suite(suite_name), scores), warnings
