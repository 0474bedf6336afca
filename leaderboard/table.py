"""The leaderboard as data: runs grouped by base model, and each intermediate-trained run against its direct run.

Rows are runs; cells are task scores aggregated as `xlt-bench score` does (an incomplete task stays incomplete,
never averaged as if whole). Per base model, the first measured direct run (no intermediate tasks) is the
reference of every other measured run of that base (intermediate-trained runs and further direct runs): deltas per
task, per language and overall, with paired-bootstrap 95% intervals wherever both runs have per-example predictions
on the same examples. A task that is not complete in both runs but shares languages gets a **partial** delta: the
mean of the per-language deltas over the languages both ran, resampled language by language as a task delta is,
kept apart from the complete tasks' deltas (`Comparison.partial`) and never part of the suite delta. The renderers
(Markdown, HTML, CSV, JSON) only format this structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from xlt_bench.errors import XltBenchError
from xlt_bench.leaderboard.runs import Run
from xlt_bench.leaderboard.significance import (
    Delta,
    interval,
    language_deltas,
    listed_units,
    pairing_problem,
    per_example_pair,
    seeded,
)
from xlt_bench.scoring import main_score

UNKNOWN_BASE = "(base not recorded)"


@dataclass(frozen=True)
class PartialDelta:
    """A task's delta over the languages both runs scored, where it is not complete in both: never a task score."""

    delta: Delta
    languages: tuple[str, ...]  # the languages both runs scored, in the task's order
    expected: int  # how many languages the task has

    def to_json(self) -> dict[str, Any]:
        return {**self.delta.to_json(), "languages": list(self.languages), "expected": self.expected}


@dataclass
class Comparison:
    """One run against the (first) direct run of the same base model."""

    base: str
    direct: Run
    candidate: Run
    tasks: dict[str, Delta] = field(default_factory=dict)  # complete on both sides
    partial: dict[str, PartialDelta] = field(default_factory=dict)  # not complete on both sides, languages shared
    languages: dict[str, dict[str, Delta]] = field(default_factory=dict)  # languages scored on both sides
    overall: Delta | None = None
    no_interval: dict[str, list[str]] = field(default_factory=dict)  # why -> "task/language" shown without one


@dataclass
class Board:
    suite: Any  # xlt_bench.tasks.Suite
    tasks: list[Any]  # xlt_bench.tasks.Task, in suite order
    groups: dict[str, list[Run]]
    comparisons: list[Comparison]
    resamples: int
    seed: int
    notes: list[str] = field(default_factory=list)

    @property
    def runs(self) -> list[Run]:
        return [run for runs in self.groups.values() for run in runs]


def _group(runs: list[Run]) -> dict[str, list[Run]]:
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.base or UNKNOWN_BASE, []).append(run)

    def order(run: Run) -> int:  # direct runs first, published baselines last
        return 2 if run.published else 0 if run.direct else 1

    return {base: sorted(members, key=order) for base, members in groups.items()}


def compare_runs(
    direct: Run, candidate: Run, base: str, tasks: list, registry, resamples: int, seed: int
) -> Comparison:
    """Deltas of `candidate` over `direct` (the reference) per task, language and overall, with intervals; tasks
    not complete in both runs get a partial delta over the languages both scored."""
    comparison = Comparison(base, direct, candidate)
    replicates_by_task: dict[str, Any] = {}
    for task in tasks:
        before, after = direct.tasks.get(task.name), candidate.tasks.get(task.name)
        if before is None or after is None:
            continue
        shared = [lang for lang in task.languages if lang in before.languages and lang in after.languages]
        per_language, replicates = {}, []
        for language in shared:
            value = main_score(task, after.languages[language]) - main_score(task, before.languages[language])
            why = _unpaired(direct, candidate, task, language, registry)
            if why is not None:
                comparison.no_interval.setdefault(why, []).append(f"{task.name}/{language}")
                per_language[language] = Delta(value)
                continue
            pair = per_example_pair(direct.store, candidate.store, task, language, registry.metric(task))
            observed, draws = language_deltas(pair, task, resamples, seeded(seed, task.name, language))
            if abs(observed - value) > 1e-6 * max(1.0, abs(value)):  # the table's numbers are results.json's
                raise XltBenchError(
                    f"{task.name}/{language}: the prediction and label files of {direct.path} and {candidate.path} "
                    f"give a difference of {observed:.4f}, their results.json {value:.4f}: one of the folders was "
                    "edited after it was written; re-run it"
                )
            per_language[language] = interval(observed, draws)
            replicates.append(draws)
        comparison.languages[task.name] = per_language
        if before.score is None or after.score is None:
            if shared:  # the mean over the shared languages, resampled as a task delta is
                value = float(np.mean([per_language[language].value for language in shared]))
                paired = len(replicates) == len(shared)
                delta = interval(value, np.mean(replicates, axis=0)) if paired else Delta(value)
                comparison.partial[task.name] = PartialDelta(delta, tuple(shared), len(task.languages))
            continue
        value = after.score - before.score
        if len(replicates) == len(task.languages):
            replicates_by_task[task.name] = np.mean(replicates, axis=0)
            comparison.tasks[task.name] = interval(value, replicates_by_task[task.name])
        else:
            comparison.tasks[task.name] = Delta(value)
    if direct.score is not None and candidate.score is not None:
        value = candidate.score - direct.score
        if len(replicates_by_task) == len(tasks):
            comparison.overall = interval(value, _suite_replicates(registry, direct.suite, replicates_by_task))
        else:
            comparison.overall = Delta(value)
    return comparison


def _unpaired(direct: Run, candidate: Run, task: Any, language: str, registry) -> str | None:
    """Why a language's delta has no interval (None when it gets one)."""
    if not (direct.store and candidate.store):
        published = direct if not direct.store else candidate
        return f"{published.label} is published numbers, without per-example predictions"
    if direct.split != candidate.split:
        return f"the runs score different splits ({direct.split}, {candidate.split})"
    return pairing_problem([direct.store, candidate.store], task, language, registry.metric(task))


def _suite_replicates(registry, suite_name: str, by_task: dict[str, Any]) -> Any:
    """Suite-score replicates from task replicates, with the suite's own aggregation rule."""
    suite = registry.suite(suite_name)
    if suite.score == "category_mean":
        return np.mean([np.mean([by_task[t] for t in tasks], axis=0) for tasks in suite.categories.values()], axis=0)
    return np.mean([by_task[name] for name in suite.tasks], axis=0)


def build_board(runs: list[Run], registry, suite: str, resamples: int = 1000, seed: int = 0) -> Board:
    """Group runs by base model and compare every other measured run of a base with its first direct run."""
    tasks = registry.suite_tasks(suite)
    other = sorted({run.suite for run in runs} - {suite})
    notes = [f"runs of suite {name} are not shown (--suite {suite})" for name in other]
    groups = _group([run for run in runs if run.suite == suite])
    comparisons = []
    for base, members in groups.items():
        measured = [run for run in members if not run.published]
        directs = [run for run in measured if run.direct]
        candidates = [run for run in measured if not run.direct]
        if candidates and not directs:
            notes.append(f"{base}: no direct run to compare {', '.join(r.label for r in candidates)} with")
            continue
        if len(directs) > 1:
            notes.append(f"{base}: several direct runs; deltas are against the first, {directs[0].label}")
        for candidate in [*directs[1:], *candidates]:
            comparisons.append(compare_runs(directs[0], candidate, base, tasks, registry, resamples, seed))
    for comparison in comparisons:  # every delta shown without an interval, and why
        for why, units in comparison.no_interval.items():
            pair = f"{comparison.candidate.label} vs {comparison.direct.label}"
            notes.append(f"{pair}: no interval for {listed_units(units)}: {why}")
    return Board(registry.suite(suite), tasks, groups, comparisons, resamples, seed, notes)
