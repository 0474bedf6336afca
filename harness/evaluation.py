"""`xlt-bench eval`: run checkpoints over a suite's tasks and languages, score, and keep every result.

Flow per task: choose the checkpoint (`models.choose_checkpoints`), check it fits (head and labels by name), then
per language: resolve data (plugins' `xlt_resolve_data`), load it through `datasets`, predict with the task
type's runner, score with the task's metric, and save the (task, language) at once (`results.RunStore`). A task
or language that cannot run is skipped with its reason, printed and recorded (`strict`: an error instead).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from xlt_bench import __version__
from xlt_bench.cache import cache_root, prefetched_data
from xlt_bench.data.formats import DataUnavailable
from xlt_bench.data.loading import drop_skipped, load_examples
from xlt_bench.errors import XltBenchError
from xlt_bench.labels import CheckpointMismatch
from xlt_bench.models import (
    CheckpointChoice,
    ModelPlan,
    choose_checkpoints,
    inspect_checkpoint,
    load_model,
    pick_device,
)
from xlt_bench.registry import Registry
from xlt_bench.results import RunStore, environment_versions
from xlt_bench.runners import Job, predict_and_score, runner_for
from xlt_bench.scoring import SuiteScore, TaskScore
from xlt_bench.tasks import Task, TaskType


@dataclass
class EvalConfig:
    """Everything `eval` was asked to do; recorded in results.json."""

    model: str
    output: Path
    suite: str = "xtreme"
    tasks: list[str] | None = None
    languages: list[str] | None = None
    data_dir: Path | None = None
    split: str = "test"
    batch_size: int = 32
    device: str = "auto"
    dtype: str = "auto"
    limit: int | None = None
    seed: int = 1234
    strict: bool = False
    overwrite: bool = False
    label_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    cache_dir: Path | None = None
    layer: int | None = None
    pooling: str | None = None
    index: str | None = None
    num_beams: int | None = None
    max_new_tokens: int | None = None
    trust_remote_code: bool = False
    label: str | None = None
    base: str | None = None
    intermediate: list[str] = field(default_factory=list)
    command: list[str] = field(default_factory=list)


@dataclass
class EvalRun:
    """What `run_eval` produced: scores over the whole run folder and what was skipped this time."""

    suite_score: SuiteScore
    skipped: dict[str, str]
    skipped_languages: dict[str, dict[str, str]]
    results_path: Path
    skipped_examples: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)


def _select_tasks(registry: Registry, config: EvalConfig) -> list[Task]:
    if config.tasks is None:
        return registry.suite_tasks(config.suite)
    by_name = {task.name: task for task in registry.suite_tasks(config.suite, optional=True)}
    unknown = [name for name in config.tasks if name not in by_name]
    if unknown:
        raise XltBenchError(f"--tasks: {', '.join(unknown)} not in suite {config.suite!r} ({', '.join(by_name)})")
    return [by_name[name] for name in config.tasks]


def _select_languages(tasks: list[Task], requested: list[str] | None) -> dict[str, list[str]]:
    if requested is None:
        return {task.name: list(task.languages) for task in tasks}
    known = {language for task in tasks for language in task.languages}
    unknown = [language for language in requested if language not in known]
    if unknown:
        raise XltBenchError(f"--languages: {', '.join(unknown)} not a language of {', '.join(t.name for t in tasks)}")
    return {task.name: [lang for lang in task.languages if lang in requested] for task in tasks}


def _seed(seed: int) -> None:
    import numpy
    import torch

    random.seed(seed)
    numpy.random.seed(seed)
    torch.manual_seed(seed)


class _Evaluation:
    """One `eval` invocation: state shared by its tasks (registry, store, device) and what was skipped."""

    def __init__(self, registry: Registry, config: EvalConfig, progress: bool) -> None:
        self.registry, self.config, self.progress = registry, config, progress
        self.store = RunStore(config.output)
        self.skipped: dict[str, str] = {}
        self.skipped_languages: dict[str, dict[str, str]] = {}
        self.skipped_examples: dict[str, dict[str, dict[str, int]]] = {}
        self.device: str | None = None
        self.model: tuple[tuple[str, str, str], Any] | None = None  # the last loaded model, kept for the next task
        self.cache = cache_root(config.cache_dir)
        self.started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.clock = time.perf_counter()

    def skip(self, task: Task, reason: str, language: str | None = None) -> None:
        if self.config.strict:
            raise XltBenchError(f"{task.name}{'/' + language if language else ''}: {reason} (--strict)")
        if language is None:
            self.skipped[task.name] = reason
        else:
            self.skipped_languages.setdefault(task.name, {})[language] = reason

    def load(self, plan: ModelPlan) -> Any:
        """The plan's model on the device; tasks sharing a checkpoint in a row (XQuAD, MLQA, TyDiQA on `squad`)
        reuse it instead of loading it again. Only the last model is kept, so memory holds one at a time."""
        key = (plan.checkpoint_hash or plan.path, plan.adapter.name, self.config.dtype)
        if self.model is None or self.model[0] != key:
            self.model = None  # release the previous model before loading the next
            self.device = self.device or pick_device(self.config.device)
            self.model = (key, load_model(plan, self.device, self.config.dtype))
        return self.model[1]

    def plan(self, task: Task, choice: CheckpointChoice | str) -> ModelPlan | None:
        runner = runner_for(task)
        if runner is None:
            self.skip(task, f"no runner for {task.type.value} tasks in xlt-bench {__version__}")
            return None
        if isinstance(choice, str):
            self.skip(task, choice)
            return None
        try:
            adapters = self.registry.adapters_for(runner.role)
            return inspect_checkpoint(task, choice, adapters, self.config.label_maps.get(task.name))
        except CheckpointMismatch as mismatch:
            self.skip(task, str(mismatch))
            return None

    def examples(self, source: Any, language: str, split: str) -> tuple[Any, dict[str, int]]:
        """The usable examples of a resolved source (`--limit` applied) and the counts of records the reader
        marked unusable, by reason; raises DataUnavailable."""
        data_format, allowed = self.registry.data_format(source), self.config.trust_remote_code
        examples, skipped = drop_skipped(load_examples(data_format, source, language, split, trust_remote_code=allowed))
        if len(examples) == 0:
            raise DataUnavailable(f"no usable {language!r} examples in {source.describe()} (skipped: {skipped})")
        if self.config.limit is not None:
            examples = examples.select(range(min(self.config.limit, len(examples))))
        return examples, skipped

    def resolve(self, task: Task, language: str, split: str) -> Any:
        """Where the data is: `--data-dir`; without it, what `prefetch` put in the cache, else the Hub copy."""
        if self.config.data_dir is not None:
            return self.registry.resolve_data(task, language, split, self.config.data_dir)
        prefetched = prefetched_data(self.cache, task)
        if prefetched.is_dir():
            try:
                return self.registry.resolve_data(task, language, split, prefetched)
            except DataUnavailable:
                pass
        return self.registry.resolve_data(task, language, split, None)

    def examples_of(self, task: Task, language: str, split: str) -> Any:
        """Another split of a task's language (e.g. BUCC's dev split, where the threshold is tuned)."""
        return self.examples(self.resolve(task, language, split), language, split)[0]

    def settings(self, task: Task) -> dict[str, Any]:
        """The task's inference parameters with the command-line overrides that apply to it."""
        config, settings = self.config, dict(task.inference)
        overrides = {
            TaskType.RETRIEVAL: {"layer": config.layer, "pooling": config.pooling, "index": config.index},
            TaskType.GENERATION: {"num_beams": config.num_beams, "max_new_tokens": config.max_new_tokens},
        }.get(task.type, {})
        settings.update({key: value for key, value in overrides.items() if value is not None})
        return settings

    def run_task(self, task: Task, plan: ModelPlan, languages: list[str]) -> None:
        config, runner = self.config, runner_for(task)
        metric = self.registry.metric(task)
        settings = self.settings(task)
        loaded = None
        for language in languages:
            try:
                source = self.resolve(task, language, config.split)
                signature = {
                    "suite": task.suite,
                    "task_version": task.version,
                    "checkpoint": plan.checkpoint_hash,
                    "labels": {str(i): label for i, label in sorted(plan.labels.items())},
                    "split": config.split,
                    "limit": config.limit,
                    "dtype": config.dtype,
                    "inference": settings,
                    "metric_params": dict(task.metric_params),
                    "data": source.identity(),
                }
                if not config.overwrite and self.store.finished(task.name, language, config.split, signature):
                    continue
                examples, skipped = self.examples(source, language, config.split)
            except DataUnavailable as unavailable:
                self.skip(task, str(unavailable), language)
                continue
            if loaded is None:
                loaded = self.load(plan)
            began = time.perf_counter()
            run_settings = {"batch_size": config.batch_size, "progress": self.progress, **settings}
            load_split = partial(self.examples_of, task, language)
            job = Job(task, language, examples, loaded, plan, run_settings, load_split, self.cache, config.split)
            try:
                predictions, gold, metrics = predict_and_score(runner, job, metric)
            except DataUnavailable as unavailable:  # e.g. BUCC's dev split, needed for its threshold
                self.skip(task, str(unavailable), language)
                continue
            fragment = {
                "task": task.name,
                "language": language,
                "split": config.split,
                "metrics": metrics,
                "n_examples": runner.count(examples),
                "seconds": round(time.perf_counter() - began, 3),
                "data": source.describe(),
                "checkpoint": {
                    "path": plan.path,
                    "hash": plan.checkpoint_hash,
                    "architecture": plan.architecture,
                    "adapter": plan.adapter.name,
                    "chosen_by": plan.origin,
                },
                "device": loaded.device,
                "dtype": loaded.dtype,
                "batch_size": config.batch_size,
                "details": {**job.details, **({"skipped_examples": skipped} if skipped else {})},
                "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "signature": signature,
            }
            if skipped:
                self.skipped_examples.setdefault(task.name, {})[language] = skipped
            samples = runner.samples(examples, gold, predictions)
            self.store.save(task, metric.submission, fragment, gold, predictions, samples)
            self.write_results()

    def write_results(self) -> tuple[SuiteScore, Path]:
        """Re-assemble results.json from every fragment in the run folder plus this invocation's metadata."""
        config = self.config
        suite = self.registry.suite(config.suite)
        fragments = self.store.fragments(config.split)
        scores: dict[str, TaskScore] = {}
        entries: dict[str, Any] = {}
        for task in self.registry.suite_tasks(config.suite, optional=True):
            done = fragments.get(task.name, {})
            if not done and task.name not in (config.tasks or suite.tasks):
                continue
            score = TaskScore(task, {lang: done[lang]["metrics"] for lang in task.languages if lang in done})
            scores[task.name] = score
            entry = score.to_json()
            entry["examples"] = {lang: done[lang]["n_examples"] for lang in score.languages}
            entry["seconds"] = {lang: done[lang]["seconds"] for lang in score.languages}
            used = {json.dumps(done[lang]["checkpoint"], sort_keys=True) for lang in score.languages}
            entry["checkpoints"] = [json.loads(checkpoint) for checkpoint in sorted(used)]
            entry["dtype"] = sorted({done[lang]["dtype"] for lang in score.languages})
            entry["skipped"] = self.skipped_languages.get(task.name, {})
            unusable = {lang: done[lang].get("details", {}).get("skipped_examples") for lang in score.languages}
            entry["skipped_examples"] = {lang: counts for lang, counts in unusable.items() if counts}
            entries[task.name] = entry
        suite_score = SuiteScore(suite, scores)
        plugins = {p.name: p.version for p in self.registry.plugins if p.origin != "core"}
        document = {
            "xlt_bench_version": __version__,
            "created": self.started,
            "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": config.command,
            "suite": config.suite,
            "split": config.split,
            "model": config.model,
            "lineage": {
                "label": config.label or Path(config.model).name,
                "base": config.base,
                "intermediate": config.intermediate,
                "direct": not config.intermediate,
            },
            "config": {
                "batch_size": config.batch_size,
                "device": self.device or config.device,
                "dtype": config.dtype,
                "seed": config.seed,
                "limit": config.limit,
                "data_dir": str(config.data_dir) if config.data_dir else None,
            },
            "environment": {**environment_versions(), "plugins": plugins},
            "seconds_this_invocation": round(time.perf_counter() - self.clock, 3),
            "tasks": entries,
            "skipped": self.skipped,
            "categories": suite_score.categories,
            "score": suite_score.score,
        }
        return suite_score, self.store.write_results(document)


def run_eval(registry: Registry, config: EvalConfig, progress: bool = True) -> EvalRun:
    """Evaluate `config.model` on the selected tasks and languages; see the module docstring."""
    tasks = _select_tasks(registry, config)
    languages = _select_languages(tasks, config.languages)
    choices = choose_checkpoints(config.model, tasks)
    evaluation = _Evaluation(registry, config, progress)
    _seed(config.seed)
    for task in tasks:
        if not languages[task.name]:
            evaluation.skip(task, "none of --languages is one of its languages")
            continue
        plan = evaluation.plan(task, choices[task.name])
        if plan is not None:
            evaluation.run_task(task, plan, languages[task.name])
    suite_score, path = evaluation.write_results()
    return EvalRun(suite_score, evaluation.skipped, evaluation.skipped_languages, path, evaluation.skipped_examples)
