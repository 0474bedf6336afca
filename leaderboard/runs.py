"""Runs as the leaderboard sees them: measured run folders (or their results.json) and published baselines.

A measured run is re-aggregated from its per-language metrics with the suite's rules (`xlt_bench.scoring`), so
a table cell always means what `xlt-bench score` would print. A published baseline carries task-level numbers
only, with its source; it is shown beside measured runs and never mixed into their aggregation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError, expect
from xlt_bench.lineage import Lineage
from xlt_bench.run_folder import RunStore
from xlt_bench.run_results import RunResults, metric_values, read_json_object
from xlt_bench.scoring import SuiteScore, TaskScore, aggregate, main_score


@dataclass
class TaskCell:
    """One task of one run: per-language metrics (measured runs), language-averaged metrics and the task score."""

    languages: dict[str, dict[str, float]]
    average: dict[str, float] | None
    score: float | None
    complete: bool
    expected: int  # how many languages the task has
    scoring: dict[str, Any] | None = None  # measured runs: the task version and metric parameters it was scored with
    data: dict[str, Any] = field(default_factory=dict)  # measured runs: per language, the data's content identity
    partial_average: dict[str, float] | None = None  # incomplete measured tasks: the mean over the languages run
    procedure: dict[str, Any] = field(default_factory=dict)  # measured runs: how predictions were made (results.json)


@dataclass
class Run:
    label: str
    lineage: Lineage  # how the checkpoint was trained (`eval --base/--intermediate/--regime/...`)
    suite: str
    published: bool
    tasks: dict[str, TaskCell]
    score: float | None
    path: Path | None = None  # the run folder (measured runs)
    split: str = "test"
    source: dict[str, Any] = field(default_factory=dict)  # published baselines: paper, table, split, notes
    limit: int | None = None  # `eval --limit`: the first N examples per language only (a smoke run)

    @property
    def base(self) -> str | None:
        return self.lineage.base

    @property
    def intermediate(self) -> tuple[str, ...]:
        return self.lineage.intermediate

    @property
    def direct(self) -> bool:
        return not self.intermediate

    @property
    def store(self) -> RunStore | None:
        """The run folder, for reading its per-example files (measured runs)."""
        return None if self.path is None else RunStore(self.path, self.split)

    @property
    def kind(self) -> str:
        """How the run was trained, in a few words: `direct`, `+mnli:50000+squad (interleaved, seed 3)`."""
        if self.published:
            return "published"
        lineage, sizes = self.lineage, self.lineage.intermediate_sizes
        kind = (
            "+" + "+".join(f"{t}:{sizes[t]}" if t in sizes else t for t in self.intermediate)
            if self.intermediate
            else "direct"
        )
        more = [lineage.regime, *(f"{k}={v}" for k, v in lineage.tags.items())]
        more += [] if lineage.train_seed is None else [f"seed {lineage.train_seed}"]
        return kind + (f" ({', '.join(m for m in more if m)})" if any(more) else "")


def measured_run(path: Path, registry) -> Run:
    """A run folder (or its results.json) written by `xlt-bench eval`, re-aggregated from per-language metrics.
    A field that is not what `eval` writes (a file edited by hand or by another tool) is one error line naming it."""
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    file = RunStore(folder, "test").results_path if Path(path).is_dir() else Path(path)  # (not split-dependent)
    results = RunResults.read(file)
    suite = registry.suite(results.suite)
    known = {task.name: task for task in registry.suite_tasks(suite.name, optional=True)}
    scores: dict[str, TaskScore] = {}
    for name, entry in results.tasks.items():
        if name not in known:
            continue
        main = tuple(known[name].main_metrics)
        for language, metrics in entry.languages.items():
            metric_values(metrics, file, f"tasks.{name}.languages.{language}", main)
        scores[name] = TaskScore(known[name], entry.languages)
    suite_score = SuiteScore(suite, scores)
    tasks = {
        name: TaskCell(
            languages=dict(score.languages),
            average=score.average,
            score=score.score,
            complete=score.complete,
            expected=len(score.task.languages),
            scoring={
                "version": results.tasks[name].version,
                "metric_params": results.tasks[name].metric_params,
                "procedure": results.tasks[name].procedure.get("name"),
            },
            data=results.tasks[name].data,
            partial_average=score.partial_average,
            procedure=results.tasks[name].procedure,
        )
        for name, score in scores.items()
    }
    return Run(
        label=results.lineage.label or folder.name,
        lineage=results.lineage,
        suite=suite.name,
        published=False,
        tasks=tasks,
        score=suite_score.score,
        path=folder,
        split=results.split,
        limit=results.limit,
    )


def published_run(path: Path, registry) -> Run:
    """A baseline file from `baselines/`: task-level published numbers with their source."""
    document = read_json_object(path)
    for key in ("name", "suite", "source", "tasks"):
        if key not in document:
            raise XltBenchError(f"{path}: baseline file without {key!r}")
    for key, kind, expected in (("name", str, "a name"), ("suite", str, "a suite name"), ("source", dict, "an object")):
        expect(isinstance(document[key], kind), path, key, expected, document[key])
    expect(isinstance(document["tasks"], dict), path, "tasks", "an object of task entries", document["tasks"])
    lineage = Lineage.from_json({k: document.get(k) for k in ("base", "intermediate")}, path)
    suite = registry.suite(document["suite"])
    tasks = {}
    for name, average in document["tasks"].items():
        task = registry.task(name, suite.name)
        metric_values(average, path, f"tasks.{name}")
        complete = all(metric in average for metric in task.main_metrics)
        score = main_score(task, average) if complete else None
        tasks[name] = TaskCell(
            languages={}, average=dict(average), score=score, complete=complete, expected=len(task.languages)
        )
    suite_score = aggregate(suite, {name: cell.score for name, cell in tasks.items() if cell.score is not None}).score
    return Run(
        label=document["name"],
        lineage=lineage,
        suite=suite.name,
        published=True,
        tasks=tasks,
        score=suite_score,
        split=document["source"].get("split", "test"),
        source=dict(document["source"]),
    )


def _scored_alike(runs: list[Run]) -> None:
    """Every task of one suite predicted under the same inference procedure and scored under the same task version
    and metric parameters, and every shared language on data of the same content."""
    for suite, name in dict.fromkeys((run.suite, task) for run in runs for task in run.tasks):
        cells = [(run, run.tasks[name]) for run in runs if run.suite == suite and name in run.tasks]
        (first, reference), *others = cells
        for run, cell in others:
            if cell.scoring != reference.scoring:
                raise XltBenchError(
                    f"{name} is predicted or scored differently in {first.path} ({reference.scoring}) and {run.path} "
                    f"({cell.scoring}): their numbers are not comparable; re-run one of them"
                )
            for language in reference.data.keys() & cell.data.keys():
                if reference.data[language] != cell.data[language]:
                    raise XltBenchError(
                        f"{name}/{language} was scored on other data in {first.path} than in {run.path} (the "
                        "content of its files differs): their numbers are not comparable"
                    )


def _one_split(runs: list[Run]) -> None:
    """Runs of one suite, published baselines included, all report the same split."""
    for suite in {run.suite for run in runs}:
        members = [run for run in runs if run.suite == suite]
        other = next((run for run in members if run.split != members[0].split), None)
        if other is not None:
            first = members[0]
            raise XltBenchError(
                f"{first.path or first.label} scores the {first.split} split, {other.path or other.label} the "
                f"{other.split} split: their numbers are not comparable"
            )


def _limits(runs: list[Run], allow_limited: bool) -> list[str]:
    """Refuse `--limit` runs beside full ones (or runs of another limit), or mark them with `allow_limited`."""
    if len({run.limit for run in runs}) < 2:
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


def _procedures(runs: list[Run], allow_mismatch: bool) -> list[str]:
    """Refuse a published baseline beside a measured run whose tasks were predicted under another inference
    procedure (`xlt_bench.procedures`), or mark it with `allow_mismatch`."""
    notes = []
    for baseline in [run for run in runs if run.published and run.source.get("procedure")]:
        expected = baseline.source["procedure"]
        for run in [run for run in runs if not run.published and run.suite == baseline.suite]:
            differ = [
                name
                for name, cell in run.tasks.items()
                if name in baseline.tasks and (cell.scoring or {}).get("procedure") not in (None, expected)
            ]
            if not differ:
                continue
            ran = run.tasks[differ[0]].scoring["procedure"]
            if not allow_mismatch:
                raise XltBenchError(
                    f"{run.path}: {', '.join(differ)} predicted with --procedure {ran}, the baseline "
                    f"{baseline.label!r} with {expected}: their numbers are not comparable; pass "
                    "--allow-procedure-mismatch to show them anyway, marked"
                )
            if "[procedure" not in baseline.label:
                baseline.label = f"{baseline.label} [procedure {expected}]"
                notes.append(f"{baseline.label}: its numbers came from another inference procedure than {run.path}'s")
    return notes


def procedure_notes(runs: list[Run]) -> list[str]:
    """One line per measured run saying how its predictions were made: the procedure, and the layer and pooling of
    its embedding tasks (from results.json)."""
    notes = []
    for run in [run for run in runs if not run.published]:
        named = sorted({cell.procedure["name"] for cell in run.tasks.values() if "name" in cell.procedure})
        layers = [
            f"{name} layer {cell.procedure['layer']} {cell.procedure.get('pooling', '')}".rstrip()
            for name, cell in run.tasks.items()
            if "layer" in cell.procedure
        ]
        if named:
            notes.append(
                f"{run.label}: predicted with --procedure {'/'.join(named)}" + "".join(f"; {x}" for x in layers)
            )
    return notes


def check_comparable(runs: list[Run], allow_limited: bool, allow_procedure_mismatch: bool = False) -> list[str]:
    """Refuse to set side by side runs whose numbers mean different things (`_scored_alike` for measured runs,
    `_procedures` against baselines, `_one_split`, `_limits`); returns the notes for what is shown anyway."""
    _scored_alike([run for run in runs if not run.published])
    _one_split(runs)
    notes = _procedures(runs, allow_procedure_mismatch)
    return notes + _limits(runs, allow_limited)


def baseline_files() -> dict[str, Path]:
    """The baselines that ship with xlt-bench (`xlt_bench.baselines`): {name: file}."""
    folder = Path(str(resources.files("xlt_bench.baselines")))
    return {path.stem: path for path in sorted(folder.glob("*.json"))}


def load_run(spec: str, registry) -> Run:
    """A run folder, a results.json, a baseline file, or the name of a shipped baseline."""
    path = Path(spec)
    if path.exists():
        if path.is_file() and path.name != "results.json" and "lineage" not in read_json_object(path):
            return published_run(path, registry)
        return measured_run(path, registry)
    shipped = baseline_files()
    if spec in shipped:
        return published_run(shipped[spec], registry)
    known = ", ".join(shipped) or "none"
    raise XltBenchError(f"{spec}: no such run folder, results file or baseline (shipped baselines: {known})")
