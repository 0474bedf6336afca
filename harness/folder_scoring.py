"""`xlt-bench score`: score a predictions folder against a labels folder, both in the submission layout.

Every gold file of the suite's tasks (XTREME layout: `<task>/test-<lang>.<ext>`; a task may declare another,
`Task.submission`, as XGLUE's tasks do) is scored against its prediction file. A prediction file that is missing or
does not line up with its gold file is an error naming both files. A task with some of its languages absent from the
gold folder is scored per language and marked incomplete (`strict=True` makes that an error instead).

The suite's optional tasks (`Suite.optional`, e.g. Masakhane's `masakhaner2-all-types`) are scored the same way
when their gold files are there, and reported per task like the others, but never count in the categories or the
suite score (as `eval` treats them). Gold for an optional task without a single prediction file of it is left
unscored with a warning: a submission need not attempt the optional variants.
"""

from __future__ import annotations

from pathlib import Path

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics import metric_params
from xlt_bench.registry import Registry
from xlt_bench.scoring import SuiteScore, TaskScore
from xlt_bench.tasks import Task


def _glob(template: str, task: Task, split: str, extension: str) -> str:
    return template.format(task=task.name, lang="*", split=split, ext=extension)


def score_folders(
    registry: Registry,
    suite_name: str,
    predictions: Path,
    gold: Path,
    strict: bool = False,
    split: str = "test",
    seqeval_rules: str | None = None,
) -> tuple[SuiteScore, list[str]]:
    """The suite's scores over every gold file present, and warnings worth showing the user (`seqeval_rules`:
    `--seqeval-rules`, for the seqeval-scored tasks)."""
    for folder, role in ((predictions, "--predictions"), (gold, "--gold")):
        if not Path(folder).is_dir():
            raise XltBenchError(f"{role} {folder}: not a directory")
    warnings: list[str] = []
    scores: dict[str, TaskScore] = {}
    optional = registry.suite(suite_name).optional
    for task in registry.suite_tasks(suite_name, optional=True):
        metric = registry.metric(task)
        fmt, files = metric.submission, task.submission
        where = {lang: (task.name, lang, split, fmt.extension) for lang in task.languages}
        gold_paths = {lang: files.gold_path(gold, *at) for lang, at in where.items()}
        if not any(path.is_file() for path in gold_paths.values()):
            continue
        pred_paths = {lang: files.prediction_path(predictions, *at) for lang, at in where.items()}
        if task.name in optional and not any(path.is_file() for path in pred_paths.values()):
            warnings.append(f"{task.name}: optional task with gold but no prediction file; not scored")
            continue
        task_score, params = TaskScore(task), metric_params(task, seqeval_rules)
        for language, gold_path in gold_paths.items():
            if not gold_path.is_file():
                if strict:
                    raise XltBenchError(f"{task.name}/{language}: gold file {gold_path} is missing (--strict)")
                continue
            pred_path = pred_paths[language]
            if pred_path.is_dir():
                raise XltBenchError(f"{pred_path}: is a folder, expected a prediction file (gold: {gold_path})")
            if not pred_path.is_file():
                raise XltBenchError(f"{pred_path}: prediction file missing (gold: {gold_path})")
            expected, predicted = fmt.read_gold(gold_path), fmt.read_predictions(pred_path)
            warnings += fmt.check(expected, predicted, gold_path, pred_path)
            task_score.languages[language] = metric.compute(expected, predicted, language=language, **params)
        if task_score.missing:
            warnings.append(f"{task.name}: no gold for {', '.join(task_score.missing)}; task incomplete, not averaged")
        expected = set(gold_paths.values())
        stray = sorted(str(p.relative_to(gold)) for p in Path(gold).glob(_glob(files.gold, task, split, fmt.extension)))
        stray = [name for name in stray if Path(gold) / name not in expected]
        if stray:
            warnings.append(f"{task.name}: ignored files not in the {suite_name} language list: {', '.join(stray)}")
        scores[task.name] = task_score
    if not scores:
        names = ", ".join(task.name for task in registry.suite_tasks(suite_name, optional=True))
        raise XltBenchError(f"--gold {gold}: no gold file of suite {suite_name!r} ({names}); another --suite?")
    return SuiteScore(registry.suite(suite_name), scores), warnings
