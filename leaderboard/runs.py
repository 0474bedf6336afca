"""Runs as the leaderboard sees them: measured run folders (or their results.json) and published baselines.

A measured run is re-aggregated from its per-language metrics with the suite's rules (`xlt_bench.scoring`), so
a table cell always means what `xlt-bench score` would print. A published baseline carries task-level numbers
only, with its source; it is shown beside measured runs and never mixed into their aggregation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.scoring import SuiteScore, TaskScore, aggregate, mean


@dataclass
class TaskCell:
    """One task of one run: per-language metrics (measured runs), language-averaged metrics and the task score."""

    languages: dict[str, dict[str, float]]
    average: dict[str, float] | None
    score: float | None
    complete: bool
    expected: int  # how many languages the task has
    scoring: dict[str, Any] | None = None  # measured runs: the task version and metric parameters it was scored with


@dataclass
class Run:
    label: str
    base: str | None
    intermediate: tuple[str, ...]
    suite: str
    published: bool
    tasks: dict[str, TaskCell]
    score: float | None
    path: Path | None = None  # run folder holding predictions/ and labels/ (measured runs)
    split: str = "test"
    source: dict[str, Any] = field(default_factory=dict)  # published baselines: paper, table, split, notes
    limit: int | None = None  # `eval --limit`: the first N examples per language only (a smoke run)

    @property
    def direct(self) -> bool:
        return not self.intermediate

    @property
    def kind(self) -> str:
        return "published" if self.published else "direct" if self.direct else "+" + "+".join(self.intermediate)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise XltBenchError(f"{path}: file not found") from None
    except json.JSONDecodeError as error:
        raise XltBenchError(f"{path}:{error.lineno}: invalid JSON ({error.msg})") from None
    if not isinstance(document, dict):
        raise XltBenchError(f"{path}: expected a JSON object")
    return document


def measured_run(path: Path, registry) -> Run:
    """A run folder (or its results.json) written by `xlt-bench eval`, re-aggregated from per-language metrics."""
    results = Path(path) / "results.json" if Path(path).is_dir() else Path(path)
    document = _read_json(results)
    if "tasks" not in document or "suite" not in document:
        raise XltBenchError(f"{results}: not an xlt-bench results.json (no 'suite' or 'tasks')")
    suite = registry.suite(document["suite"])
    known = {task.name: task for task in registry.suite_tasks(suite.name, optional=True)}
    scores: dict[str, TaskScore] = {}
    for name, entry in document["tasks"].items():
        if name not in known:
            continue
        languages = entry.get("languages")
        if not isinstance(languages, dict):
            raise XltBenchError(f"{results}: tasks.{name}.languages must be an object of per-language metrics")
        scores[name] = TaskScore(known[name], languages)
    suite_score = SuiteScore(suite, scores)
    lineage = document.get("lineage") or {}
    tasks = {
        name: TaskCell(
            languages=dict(score.languages),
            average=score.average,
            score=score.score,
            complete=score.complete,
            expected=len(score.task.languages),
            scoring={key: document["tasks"][name].get(key) for key in ("version", "metric_params")},
        )
        for name, score in scores.items()
    }
    return Run(
        label=str(lineage.get("label") or results.parent.name),
        base=lineage.get("base"),
        intermediate=tuple(lineage.get("intermediate") or ()),
        suite=suite.name,
        published=False,
        tasks=tasks,
        score=suite_score.score,
        path=results.parent,
        split=document.get("split", "test"),
        limit=(document.get("config") or {}).get("limit"),
    )


def published_run(path: Path, registry) -> Run:
    """A baseline file from `baselines/`: task-level published numbers with their source."""
    document = _read_json(path)
    for key in ("name", "suite", "source", "tasks"):
        if key not in document:
            raise XltBenchError(f"{path}: baseline file without {key!r}")
    suite = registry.suite(document["suite"])
    tasks = {}
    for name, average in document["tasks"].items():
        task = registry.task(name, suite.name)
        if not isinstance(average, dict) or not all(isinstance(v, (int, float)) for v in average.values()):
            raise XltBenchError(f"{path}: tasks.{name} must map metric names to numbers")
        complete = all(metric in average for metric in task.main_metrics)
        score = mean(average[m] for m in task.main_metrics) if complete else None
        tasks[name] = TaskCell({}, dict(average), score, complete, len(task.languages))
    suite_score = aggregate(suite, {name: cell.score for name, cell in tasks.items() if cell.score is not None}).score
    return Run(
        label=str(document["name"]),
        base=document.get("base"),
        intermediate=tuple(document.get("intermediate") or ()),
        suite=suite.name,
        published=True,
        tasks=tasks,
        score=suite_score,
        split=document["source"].get("split", "test"),
        source=dict(document["source"]),
    )


def check_comparable(runs: list[Run], allow_limited: bool) -> list[str]:
    """Refuse to set side by side runs whose numbers mean different things; returns notes for what is allowed.

    - a task scored under another task version or other metric parameters (`--seqeval-rules`) in two measured runs;
    - `--limit` runs beside full ones (or runs of another limit): with `allow_limited` they are shown, each limited
      run's label marked, and a note says so.
    """
    measured = [run for run in runs if not run.published]
    for suite, name in dict.fromkeys((run.suite, task) for run in measured for task in run.tasks):
        scored = [(run, run.tasks[name].scoring) for run in measured if run.suite == suite and name in run.tasks]
        different = next(((run, how) for run, how in scored if how != scored[0][1]), None)
        if different is not None:
            (first, how), (other, other_how) = scored[0], different
            raise XltBenchError(
                f"{name} is scored differently in {first.path or first.label} ({how}) and {other.path or other.label} "
                f"({other_how}): their numbers are not comparable; re-run one of them"
            )
    limits = {run.limit for run in runs}
    if len(limits) < 2:
        return []
    limited = next(run for run in runs if run.limit is not None)
    other = next(run for run in runs if run.limit != limited.limit)
    if not allow_limited:
        what = "a full run" if other.limit is None else f"a --limit {other.limit} run"
        raise XltBenchError(
            f"{limited.path or limited.label} is a --limit {limited.limit} run and {other.path or other.label} {what}: "
            "their numbers are not comparable; pass --allow-limited to show them anyway, marked"
        )
    for run in runs:
        if run.limit is not None:
            run.label = f"{run.label} [--limit {run.limit}]"
    return ["runs marked [--limit N] scored only the first N examples per language: not comparable to full runs"]


def baseline_files() -> dict[str, Path]:
    """The baselines that ship with xlt-bench (`xlt_bench.baselines`): {name: file}."""
    folder = Path(str(resources.files("xlt_bench.baselines")))
    return {path.stem: path for path in sorted(folder.glob("*.json"))}


def load_run(spec: str, registry) -> Run:
    """A run folder, a results.json, a baseline file, or the name of a shipped baseline."""
    path = Path(spec)
    if path.exists():
        if path.is_file() and path.name != "results.json" and "lineage" not in _read_json(path):
            return published_run(path, registry)
        return measured_run(path, registry)
    shipped = baseline_files()
    if spec in shipped:
        return published_run(shipped[spec], registry)
    known = ", ".join(shipped) or "none"
    raise XltBenchError(f"{spec}: no such run folder, results file or baseline (shipped baselines: {known})")
