"""Per-language scores -> task scores -> category and suite scores, exactly as XTREME's `evaluate.py` aggregates.

- A task's average is the unweighted mean over its languages, English included where listed, and exists only
  when every listed language was scored (`complete`); an incomplete task is never averaged as if whole.
- The task score is the mean of its `main_metrics` averages (QA: (EM + F1) / 2).
- A category score exists when all its tasks are complete; the suite score when all of the suite's tasks are:
  the mean of the task scores ("task_mean", XTREME's `all_task`) or of the category scores ("category_mean").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xlt_bench.tasks import Suite, Task


def mean(values: Iterable[float]) -> float:
    """sum / len, in the official scorer's summation order, so results match it bit for bit."""
    values = list(values)
    return sum(values) / len(values)


@dataclass
class TaskScore:
    """The scored languages of one task, with its average and score when complete."""

    task: Task
    languages: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(language in self.languages for language in self.task.languages)

    @property
    def missing(self) -> list[str]:
        return [language for language in self.task.languages if language not in self.languages]

    @property
    def average(self) -> dict[str, float] | None:
        if not self.complete:
            return None
        names = list(self.languages[self.task.languages[0]])
        return {name: mean(self.languages[lang][name] for lang in self.task.languages) for name in names}

    @property
    def score(self) -> float | None:
        average = self.average
        return None if average is None else mean(average[name] for name in self.task.main_metrics)

    def to_json(self) -> dict[str, Any]:
        ordered = {lang: self.languages[lang] for lang in self.task.languages if lang in self.languages}
        return {
            "version": self.task.version,
            "main_metric": self.task.main_metric,
            "languages": ordered,
            "average": self.average,
            "score": self.score,
            "complete": self.complete,
        }


@dataclass
class SuiteScore:
    """Task scores of one suite plus the category and suite aggregates the official scorer shows."""

    suite: Suite
    tasks: dict[str, TaskScore]

    @property
    def categories(self) -> dict[str, float]:
        scores = {}
        for category, names in self.suite.categories.items():
            if all(name in self.tasks and self.tasks[name].complete for name in names):
                scores[category] = mean(self.tasks[name].score for name in names)
        return scores

    @property
    def aggregates(self) -> dict[str, float]:
        """Both suite aggregates when every task is complete: the flat task mean and the category mean."""
        if not all(name in self.tasks and self.tasks[name].complete for name in self.suite.tasks):
            return {}
        found = {"task_mean": mean(self.tasks[name].score for name in self.suite.tasks)}
        if self.suite.categories:
            found["category_mean"] = mean(self.categories.values())
        return found

    @property
    def score(self) -> float | None:
        """The suite's own aggregate (`Suite.score`), None unless every task is complete."""
        return self.aggregates.get(self.suite.score)

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite.name,
            "tasks": {name: task.to_json() for name, task in self.tasks.items()},
            "categories": self.categories,
            "aggregates": self.aggregates,
            "score": self.score,
        }
