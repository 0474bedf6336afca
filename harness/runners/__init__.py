"""One runner per task type: examples -> batches -> predictions in the metric's format.

A runner never knows which suite it serves. It declares the kind of model it runs (`role`: a model adapter of that
role recognises and loads the checkpoint, see `xlt_bench.model_adapters`), turns examples into gold in
the metric's shape (`gold`), predicts for a `Job` (`predict`), and pairs gold and predictions per example for the
per-sample log (`samples`). What a runner decides on the way (a threshold, a layer) goes into `Job.details`, which
is recorded with the results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt_bench.tasks import Task, TaskType


@dataclass
class Job:
    """Everything a runner needs for one (task, language)."""

    task: Task
    language: str
    examples: Any  # datasets.Dataset
    loaded: Any  # xlt_bench.model_adapters.LoadedModel
    plan: Any  # xlt_bench.models.ModelPlan: checkpoint path and hash, output id -> task label
    settings: Mapping[str, Any]  # batch_size, progress, the task's inference parameters, command-line overrides
    load_split: Callable[[str], Any]  # the examples of another split of the same task and language
    cache_dir: Path | None = None  # where encoder passes may be cached (retrieval)
    split: str = "test"
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def description(self) -> str:
        return f"{self.task.name}/{self.language}"


class Runner:
    """Base of the runners: they are made per task and may read its metadata (e.g. a retrieval protocol)."""

    role = "encoder"  # what kind of model it runs; a model adapter of this role loads the checkpoint
    needs: tuple[str, ...] = ()  # the `Task.inference` parameters the runner reads

    def __init__(self, task: Task) -> None:
        self.task = task

    def count(self, examples: Any) -> int:
        """How many examples are scored (recorded as a language's `examples`): one per row unless overridden."""
        return len(examples)

    def splits_read(self, split: str, settings: Mapping[str, Any]) -> tuple[str, ...]:
        """Every split whose data scoring `split` reads (its content is part of a result's identity, so an edit to
        any of them makes a finished result stale): the scored split unless overridden."""
        return (split,)

    def missing_settings(self) -> list[str]:
        """What the task's `inference` lacks for this runner (checked when tasks are registered)."""
        return [name for name in self.needs if name not in self.task.inference]


def predict_and_score(
    runner: Runner, job: Job, metric: Any, metric_params: Mapping[str, Any] | None = None
) -> tuple[Any, Any, dict[str, float]]:
    """Predictions, gold and metric values of one job: the step `eval` and `xlt_bench.testing.run_task` share.
    `metric_params` (default: the task's) carry command-line overrides such as `--seqeval-rules`."""
    predictions = runner.predict(job)
    gold = runner.gold(job.examples)
    params = job.task.metric_params if metric_params is None else metric_params
    return predictions, gold, metric.compute(gold, predictions, language=job.language, **params)


def runner_for(task: Task) -> Any | None:
    """The runner for a task (by its type), or None when this version has none."""
    from xlt_bench.runners.classification import ClassificationRunner
    from xlt_bench.runners.extractive_qa import ExtractiveQARunner
    from xlt_bench.runners.generation import GenerationRunner
    from xlt_bench.runners.multiple_choice import MultipleChoiceRunner
    from xlt_bench.runners.ranking import RankingRunner
    from xlt_bench.runners.retrieval import RetrievalRunner
    from xlt_bench.runners.tagging import TaggingRunner

    runners = {
        TaskType.CLASSIFICATION: ClassificationRunner,
        TaskType.TAGGING: TaggingRunner,
        TaskType.EXTRACTIVE_QA: ExtractiveQARunner,
        TaskType.RETRIEVAL: RetrievalRunner,
        TaskType.MULTIPLE_CHOICE: MultipleChoiceRunner,
        TaskType.RANKING: RankingRunner,
        TaskType.GENERATION: GenerationRunner,
    }
    runner = runners.get(task.type)
    return runner(task) if runner else None


def settings_problems(task: Task) -> list[str]:
    """The inference parameters a task lacks for its runner, as one message (empty when none or no runner)."""
    runner = runner_for(task)
    missing = runner.missing_settings() if runner else []
    return [f"inference lacks {', '.join(missing)} (read by the {task.type.value} runner)"] if missing else []
