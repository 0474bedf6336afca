"""Per-language scores -> task scores -> category and suite scores, exactly as XTREME's `evaluate.py` aggregates.

- A task's average is the unweighted mean over its languages, English included where listed, and exists only
  when every listed language was scored (`complete`); an incomplete task is never averaged as if whole.
- The task score is the mean of its `main_metrics` averages (QA: (EM + F1) / 2).
- A category score exists when all its tasks are complete; the suite score when all of the suite's tasks are:
  the mean of the task scores ("task_mean", XTREME's `all_task`) or of the category scores ("category_mean").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from xlt_bench.tasks import Suite, Task


def mean(values: Iterable[float]) -> float:
    """sum / len, in the official scorer's summation order, so results match it bit for bit."""
    values = list(values)
    return sum(values) / len(values)


def main_score(task: Task, metrics: Mapping[str, Any]) -> Any:
    """A task's score from its metric values (one language's, language-averaged, or arrays of bootstrap
    replicates): the mean of its `main_metrics` (QA: (EM + F1) / 2)."""
    return mean(metrics[name] for name in task.main_metrics)


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
    def partial_average(self) -> dict[str, float] | None:
        """Per metric, the mean over the languages scored when some are missing (a run of a subset of languages):
        shown marked partial, never a task score and never in a suite aggregate."""
        if self.complete or not self.languages:
            return None
        names = list(next(iter(self.languages.values())))
        return {name: mean(metrics[name] for metrics in self.languages.values()) for name in names}

    @property
    def score(self) -> float | None:
        average = self.average
        return None if average is None else main_score(self.task, average)

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


@dataclass(frozen=True)
class Aggregates:
    """Category scores, suite aggregates and the suite score, from the scores of the complete tasks."""

    categories: dict[str, float]
    aggregates: dict[str, float]
    score: float | None


def aggregate(suite: Suite, task_scores: Mapping[str, float]) -> Aggregates:
    """`task_scores`: the score of every complete task. A category needs all its tasks; the flat task mean and the
    category mean need every task of the suite; the suite score is the aggregate or category `Suite.score` names."""
    categories = {
        category: mean(task_scores[name] for name in names)
        for category, names in suite.categories.items()
        if all(name in task_scores for name in names)
    }
    aggregates = {}
    if all(name in task_scores for name in suite.tasks):
        aggregates["task_mean"] = mean(task_scores[name] for name in suite.tasks)
        if suite.categories:
            aggregates["category_mean"] = mean(categories.values())
    score = categories.get(suite.score) if suite.score in suite.categories else aggregates.get(suite.score)
    return Aggregates(categories, aggregates, score)


@dataclass
class SuiteScore:
    """Task scores of one suite plus the category and suite aggregates the official scorer shows."""

    suite: Suite
    tasks: dict[str, TaskScore]

    @property
    def _aggregated(self) -> Aggregates:
        complete = {name: task.score for name, task in self.tasks.items() if task.complete}
        return aggregate(self.suite, complete)

    @property
    def categories(self) -> dict[str, float]:
        return self._aggregated.categories

    @property
    def aggregates(self) -> dict[str, float]:
        """Both suite aggregates when every task is complete: the flat task mean and the category mean."""
        return self._aggregated.aggregates

    @property
    def score(self) -> float | None:
        """The suite's own aggregate (`Suite.score`: an aggregate, or a category), None until it is complete."""
        return self._aggregated.score

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite.name,
            "tasks": {name: task.to_json() for name, task in self.tasks.items()},
            "categories": self.categories,
            "aggregates": self.aggregates,
            "score": self.score,
        }
