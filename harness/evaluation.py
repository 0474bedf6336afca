"""`xlt-bench eval`: run checkpoints over a suite's tasks and languages, score, and keep every result.

An invocation has two phases, so that a mistake is refused before anything is written:

1. **Plan**, holding the run folder's lock: per task, choose the checkpoint (`task_checkpoints.choose_checkpoints`)
   and check it fits (head, labels by name, consent for code it would run); per language, resolve its data
   (plugins' `xlt_resolve_data`) and hash the content of every file it will read. Each (task, language) gets the
   signature of its result, and the whole plan is reconciled with the folder (`run_folder.RunStore.reconcile`): a
   conflicting configuration is refused here, finished and intact units are kept.
2. **Run** what is left, unit by unit: load the data through `datasets`, predict with the task type's runner, score
   with the task's metric, and save the unit at once, so an interruption loses nothing finished.

A task or language that cannot run is skipped with its reason, printed and recorded (`strict`: an error instead); a
run that scores nothing at all is an error.

Under torchrun (`distributed`), every rank plans read-only and runs every unit, sharing each model pass; rank 0
alone holds the lock, reconciles (its decision goes to the others), saves units and writes results.json, so a crash
of any rank leaves the folder as a single-process crash would.
"""

from __future__ import annotations

import json
import random
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import IO, Any

from xlt_bench import __version__, run_config
from xlt_bench.batch_sizing import BatchSizing
from xlt_bench.batching import PROGRESS_STREAM
from xlt_bench.cache import writable_cache
from xlt_bench.data.formats import DataSource, DataUnavailable, data_files
from xlt_bench.data.hub import HubUnavailable
from xlt_bench.data.loading import drop_skipped, load_examples
from xlt_bench.data.resolve import fetch_hint, resolve_source
from xlt_bench.data.validation import check_examples
from xlt_bench.distributed import from_writer, is_writer, local_device, process_group, world_size
from xlt_bench.errors import XltBenchError, warn
from xlt_bench.files import ContentHashes, utf8_path
from xlt_bench.held_model import HeldModel
from xlt_bench.hub_access import HubAccess, offline_by_environment
from xlt_bench.labels import CheckpointMismatch
from xlt_bench.lineage import Lineage
from xlt_bench.metrics import metric_params
from xlt_bench.procedures import procedure_record
from xlt_bench.registry import Registry
from xlt_bench.run_folder import PlannedUnit, Reconciliation, RunStore, environment_versions, now
from xlt_bench.run_progress import RunProgress, is_terminal
from xlt_bench.run_results import Fragment, RunResults, TaskResult
from xlt_bench.runners import Job, predict_and_score
from xlt_bench.samples import sample_lines
from xlt_bench.scoring import SuiteScore, TaskScore
from xlt_bench.task_checkpoints import (
    CheckpointChoice,
    ModelPlan,
    choose_checkpoints,
    inspect_checkpoint,
    load_model,
    pick_device,
)
from xlt_bench.tasks import Task


@dataclass
class EvalConfig:
    """Everything `eval` was asked to do; recorded in results.json."""

    model: str | HeldModel  # --model, or a model in memory (`xlt_bench.evaluate`)
    output: Path
    suite: str = "xtreme"
    tasks: list[str] | None = None
    languages: list[str] | None = None
    data_dir: Path | None = None
    split: str = "test"
    batch_size: int | str | None = 32  # a count, "auto" (the most that fit), or None (only `max_tokens` bounds)
    max_tokens: int | None = None  # a token budget per batch (rows x longest length)
    device: str = "auto"
    dtype: str = "auto"
    limit: int | None = None
    seed: int = 1234
    strict: bool = False
    overwrite: bool = False
    wait: bool = False
    offline: bool = False
    label_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    cache_dir: Path | None = None
    inference: dict[str, Any] = field(default_factory=dict)  # `--inference KEY=VALUE` (and shorthands like --layer)
    seqeval_rules: str | None = None
    trust_remote_code: bool = False
    revision: str | None = None
    lineage: Lineage = field(default_factory=Lineage)  # --label, --base, --intermediate, --regime, ... --tag
    command: list[str] = field(default_factory=list)
    # the flags as `config.yaml` records them (`run_config.document`: the CLI's), written into the run folder once
    # the plan is accepted, so `eval --config <run>/config.yaml` repeats the run; None: no config.yaml
    run_config: dict[str, Any] | None = None


@dataclass
class EvalRun:
    """What `run_eval` produced: scores over the whole run folder and what was skipped this time."""

    suite_score: SuiteScore
    skipped: dict[str, str]
    skipped_languages: dict[str, dict[str, str]]
    results_path: Path
    skipped_examples: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)


@dataclass
class Unit:
    """One planned (task, language): the checkpoint, the data and the signature its result will carry."""

    task: Task
    language: str
    plan: ModelPlan
    source: DataSource
    signature: dict[str, Any]


def _select_tasks(registry: Registry, config: EvalConfig) -> list[Task]:
    if config.tasks is None:
        return registry.suite_tasks(config.suite)
    by_name = {task.name: task for task in registry.suite_tasks(config.suite, optional=True)}
    by_name.update({f"{task.suite}/{task.name}": task for task in by_name.values()})  # `xtreme/xnli` names it too
    unknown = [name for name in config.tasks if name not in by_name]
    if unknown:
        raise XltBenchError(f"--tasks: {', '.join(unknown)} not in suite {config.suite!r} ({', '.join(by_name)})")
    chosen = {by_name[name].name: by_name[name] for name in config.tasks}  # one each, in the order given
    return list(chosen.values())


def _select_languages(tasks: list[Task], requested: list[str] | None) -> dict[str, list[str]]:
    if requested is None:
        return {task.name: list(task.languages) for task in tasks}
    known = {language for task in tasks for language in task.languages}
    unknown = [language for language in requested if language not in known]
    if unknown:
        raise XltBenchError(f"--languages: {', '.join(unknown)} not a language of {', '.join(t.name for t in tasks)}")
    return {task.name: [lang for lang in task.languages if lang in requested] for task in tasks}


def _check_label_maps(tasks: list[Task], label_maps: dict[str, dict[str, str]]) -> None:
    stray = [name for name in label_maps if name not in {task.name for task in tasks}]
    if stray:
        raise XltBenchError(
            f"--label-map names {', '.join(stray)}, not a task of this run ({', '.join(t.name for t in tasks)})"
        )


def _check_inference(registry: Registry, tasks: list[Task], overrides: dict[str, Any]) -> None:
    """Every `--inference` key is read by the runner of at least one selected task, and its value suits every
    runner that reads it (the task's own parameters were checked when it was registered)."""
    runners = {task.name: registry.runner(task) for task in tasks}
    read = {name for runner in runners.values() for name in runner.reads()}
    if stray := [key for key in overrides if key not in read]:
        types = ", ".join(sorted({task.type for task in tasks}))
        raise XltBenchError(
            f"--inference {stray[0]}: not an inference parameter of the {types} runners of this run "
            f"(they read: {', '.join(sorted(read)) or 'nothing'})"
        )
    for task in tasks:
        if problems := runners[task.name].inference_problems(runners[task.name].inference_for(overrides)):
            raise XltBenchError(f"--inference for {task.name}: {problems[0]}")


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
        self.store = RunStore(config.output, config.split)
        self.skipped: dict[str, str] = {}
        self.skipped_languages: dict[str, dict[str, str]] = {}
        self.skipped_examples: dict[str, dict[str, dict[str, int]]] = {}
        self.device = local_device(pick_device(config.device))
        self.model: tuple[tuple[str, str, str], Any] | None = None  # the last loaded model, kept for the next task
        self.sizing = BatchSizing.from_options(config.batch_size, config.max_tokens)  # back-offs kept for the model
        self.cache = writable_cache(config.cache_dir)
        self.hashes = ContentHashes(self.cache / "hashes", write=is_writer())
        self.hub = HubAccess(config.offline, self.cache if is_writer() else None)
        self.fetching: set[str] = set()  # the tasks whose releases this invocation said it downloads
        self.fetcher: Any = None  # a `prefetch.Fetcher`, made at the first download
        self.clock = time.perf_counter()
        self.tracker: RunProgress | None = None  # the run's progress line, while units run

    def skip(self, task: Task, reason: str, language: str | None = None) -> None:
        if self.config.strict:
            raise XltBenchError(f"{task.name}{'/' + language if language else ''}: {reason} (--strict)")
        if language is None:
            self.skipped[task.name] = reason
        else:
            self.skipped_languages.setdefault(task.name, {})[language] = reason

    # -- plan ---------------------------------------------------------------------------------------------------

    def model_plan(self, task: Task, choice: CheckpointChoice | str) -> ModelPlan | None:
        """The checkpoint that serves `task`, checked (head, labels, consent), or None with the skip recorded."""
        runner = self.registry.runner(task)
        if isinstance(choice, str):
            self.skip(task, choice)
            return None
        commit = None
        # a Hub id: probe once, so an unreachable Hub fails fast from the cache
        if choice.held is None and not Path(choice.path).exists():
            try:
                commit = self.hub.commit(choice.path, choice.revision, "model")
            except DataUnavailable as unknown:  # offline and never resolved: the config's own record, if any
                if self.hub.reachable():
                    self.skip(task, str(unknown))
                    return None
        try:
            adapters = self.registry.adapters_for(runner.role)
            label_map = self.config.label_maps.get(task.name)
            allowed = self.config.trust_remote_code
            return inspect_checkpoint(
                task, choice, adapters, label_map, trust_remote_code=allowed, hashes=self.hashes, commit=commit
            )
        except CheckpointMismatch as mismatch:
            self.skip(task, str(mismatch))
            return None

    def data_identity(self, source: DataSource) -> list:
        """What the data is, independent of where it is stored: the names and content sha256 of every file the reader
        opens, or the Hub coordinates."""
        if source.hub:
            return ["hub", *source.fingerprint()]  # with the dataset revision, when the task pins one
        files = data_files(self.registry.data_format(source), source)  # with companions (Tatoeba's .eng, ...)
        return [[utf8_path(path, "data file").name, self.hashes(path)] for path in files]

    def plan_units(self, task: Task, plan: ModelPlan, languages: list[str]) -> list[Unit]:
        """A unit per language whose data can be found, each with its signature (`run_folder` module docstring)."""
        config, runner = self.config, self.registry.runner(task)
        if stray := [key for key in plan.inference if key not in runner.reads()]:
            raise XltBenchError(
                f"{plan.origin}: inference.{stray[0]} is not an inference parameter of {task.name}'s {task.type} "
                f"runner (it reads: {', '.join(runner.reads())}); give tasks of other types their own entry"
            )
        given = {**plan.inference, **config.inference}  # the manifest entry's, then --inference
        checkpoint = plan.path if plan.held is None else ""  # a model in memory declares nothing in files
        inference = runner.inference_for(given, checkpoint, plan.commit or plan.revision)
        if problems := runner.inference_problems(inference):  # what the checkpoint or manifest declared, too
            raise XltBenchError(f"{plan.origin}: inference for {task.name}: {problems[0]}")
        also_read = runner.splits_read(config.split, inference)[1:]  # BUCC: the split it tunes on
        units = []
        for language in languages:
            try:
                source = self.resolve(task, language, config.split)
                others = [self.resolve(task, language, split) for split in also_read]
                data = [entry for read in (source, *others) for entry in self.data_identity(read)]
            except DataUnavailable as unavailable:
                self.skip(task, str(unavailable), language)
                continue
            signature = {
                "suite": task.suite,
                "split": config.split,
                "limit": config.limit,
                "dtype": config.dtype,
                "lineage": config.lineage.signature(),
                "task_version": task.version,
                "checkpoint": plan.checkpoint_hash,
                "labels": {str(i): label for i, label in sorted(plan.labels.items())},
                "inference": inference,
                "metric_params": metric_params(task, config.seqeval_rules),
                "data": data,
            }
            # as it will read back from the fragment (tuples become lists), so that equal means equal
            units.append(Unit(task, language, plan, source, json.loads(json.dumps(signature))))
        return units

    def resolve(self, task: Task, language: str, split: str) -> DataSource:
        """Where a (task, language, split) is read from; a Hub copy pinned to the commit its revision names."""
        config = self.config
        # releases missing from the cache are downloaded first, unless offline or one of several processes (which
        # would race on the same files: `prefetch` first)
        may_fetch = not (config.offline or offline_by_environment()) and world_size() == 1
        fetch = self.fetch_releases if may_fetch else None
        return self.hub.pinned(resolve_source(self.registry, task, language, split, config.data_dir, self.cache, fetch))

    def fetch_releases(self, task: Task, language: str) -> None:
        from xlt_bench.prefetch import Fetcher

        if task.name not in self.fetching:
            self.fetching.add(task.name)
            warn(
                f"{task.name}: downloading its release files into {self.cache} (once; `xlt-bench prefetch --suite "
                f"{task.suite}` fetches a whole suite ahead)"
            )
        if self.fetcher is None:
            self.fetcher = Fetcher(self.registry, self.cache, progress=self.progress, hub=self.hub)
        self.fetcher.releases_of(task, language)

    # -- run ----------------------------------------------------------------------------------------------------

    def load(self, plan: ModelPlan) -> Any:
        """The plan's model on the device; tasks sharing a checkpoint in a row (XQuAD, MLQA, TyDiQA on `squad`)
        reuse it instead of loading it again. Only the last model is kept, so memory holds one at a time."""
        key = (plan.checkpoint_hash or plan.path, plan.adapter.name, self.config.dtype)
        if self.model is None or self.model[0] != key:
            self.model = None  # release the previous model before loading the next
            self.model = (key, load_model(plan, self.device, self.config.dtype))
            self.sizing = BatchSizing.from_options(self.config.batch_size, self.config.max_tokens)
        return self.model[1]

    def examples(self, task: Task, source: DataSource, language: str, split: str) -> tuple[Any, dict[str, int]]:
        """The usable examples of a resolved source (`--limit` applied) and the counts of records the reader
        marked unusable, by reason; raises DataUnavailable."""
        data_format = self.registry.data_format(source)
        if source.hub and self.hub.reachable():
            print(
                f"xlt-bench: {task.name}/{language}: reading {source.describe()} (downloaded unless cached)",
                file=sys.stderr,
            )
        try:
            loaded = load_examples(data_format, source, language, split)
        except HubUnavailable:
            if self.hub.reachable():
                raise
            reason = f"{source.describe()} is not in the local datasets cache and {self.hub.reason}"
            raise DataUnavailable(f"{reason}; {fetch_hint(task, language)}") from None
        examples, skipped = drop_skipped(loaded)
        check_examples(task, examples, source)
        if len(examples) == 0:
            raise DataUnavailable(f"no usable {language!r} examples in {source.describe()} (skipped: {skipped})")
        if self.config.limit is not None:
            examples = examples.select(range(min(self.config.limit, len(examples))))
        return examples, skipped

    def examples_of(self, task: Task, language: str, split: str) -> Any:
        """Another split of a task's language (e.g. BUCC's dev split, where the threshold is tuned)."""
        return self.examples(task, self.resolve(task, language, split), language, split)[0]

    def skip_unit(self, unit: Unit, reason: str, stale: bool) -> None:
        """Skip a planned unit; a stale result of it still in the folder (its data changed) goes, as it no longer
        describes any data there is."""
        self.skip(unit.task, reason, unit.language)
        if stale and is_writer():
            self.store.remove([(unit.task.name, unit.language)])
            warn(f"removed the previous result of {unit.task.name}/{unit.language}: its data changed and {reason}")

    def run_unit(self, unit: Unit, stale: bool = False) -> bool:
        """Compute, score and save one unit; False when it was skipped (the reason recorded)."""
        task, language, plan, config = unit.task, unit.language, unit.plan, self.config
        runner, metric = self.registry.runner(task), self.registry.metric(task)
        try:
            examples, skipped = self.examples(task, unit.source, language, config.split)
        except DataUnavailable as unavailable:
            self.skip_unit(unit, str(unavailable), stale)
            return False
        if self.tracker is not None:
            self.tracker.loaded(runner.count(examples))
        loaded = self.load(plan)
        sizing = self.sizing.fresh()  # as far as earlier units of this model backed off, with an empty record
        began = time.perf_counter()
        job = Job(
            task=task,
            language=language,
            examples=examples,
            loaded=loaded,
            plan=plan,
            inference=unit.signature["inference"],
            batch_size=sizing,
            progress=self.progress,
            load_split=partial(self.examples_of, task, language),
            cache_dir=self.cache,
            split=config.split,
        )
        try:
            plugin = self.registry.origin.get(("runners", task.type), "")
            predictions, gold, metrics = predict_and_score(
                runner, job, metric, unit.signature["metric_params"], plugin=plugin
            )
        except DataUnavailable as unavailable:  # e.g. BUCC's dev split, needed for its threshold
            self.skip_unit(unit, str(unavailable), stale)
            return False
        self.sizing = sizing
        batching = {"batching": sizing.record()} if sizing.dynamic else {}
        fragment = Fragment(
            task=task.name,
            language=language,
            split=config.split,
            metrics=metrics,
            n_examples=runner.count(examples),
            seconds=round(time.perf_counter() - began, 3),
            data=unit.source.describe(),
            checkpoint={
                "path": plan.path,
                "hash": plan.checkpoint_hash,
                "architecture": plan.architecture,
                "adapter": plan.adapter.name,
                "chosen_by": plan.origin,
                **({"revision": plan.revision} if plan.revision else {}),
                **({"commit": plan.commit} if plan.commit else {}),
            },
            device=loaded.device,
            dtype=loaded.dtype,
            batch_size=sizing.batch_size(),
            details={**job.details, **batching, **({"skipped_examples": skipped} if skipped else {})},
            finished=now(),
            signature=unit.signature,
        )
        if skipped:
            self.skipped_examples.setdefault(task.name, {})[language] = skipped
        if not is_writer():
            return True
        logged = runner.samples(examples, gold, predictions)
        samples = sample_lines(logged, metric, gold, predictions, language, unit.signature["metric_params"])
        self.store.save(task, metric.submission, fragment, gold, predictions, samples)
        self.write_results()
        return True

    def reconcile(self, units: list[Unit]) -> Reconciliation:
        """The run folder's decision on the planned units, after removing those of another configuration."""
        planned = [PlannedUnit(unit.task.name, unit.language, unit.signature) for unit in units]
        for unit in units:  # a planted symbolic link fails the run before any unit is computed
            self.store.check_confined(unit.task, self.registry.metric(unit.task).submission, unit.language)
        decision = self.store.reconcile(planned, self.config.overwrite)
        if decision.remove:
            self.store.remove(decision.remove)
            self.write_results()  # results.json never reports what is gone
        return decision

    def write_results(self) -> tuple[SuiteScore, Path | None]:
        """Re-assemble results.json from every fragment in the run folder plus this invocation's metadata (not
        written while the folder holds no result)."""
        config = self.config
        suite = self.registry.suite(config.suite)
        fragments = self.store.fragments()
        scores: dict[str, TaskScore] = {}
        entries: dict[str, TaskResult] = {}
        selected = [name.rsplit("/", 1)[-1] for name in config.tasks or suite.tasks]  # `xtreme/xquad` names xquad
        for task in self.registry.suite_tasks(config.suite, optional=True):
            done = fragments.get(task.name, {})
            if not done and task.name not in selected:
                continue
            score = TaskScore(task, {lang: done[lang].metrics for lang in task.languages if lang in done})
            scores[task.name] = score
            held = [done[lang] for lang in score.languages]
            signature = held[0].signature if held else {}
            used = {json.dumps(fragment.checkpoint, sort_keys=True) for fragment in held}
            unusable = {fragment.language: fragment.details.get("skipped_examples") for fragment in held}
            entries[task.name] = TaskResult(
                languages=dict(score.languages),
                version=signature.get("task_version", task.version),  # what the results were scored with
                main_metric=task.main_metric,
                average=score.average,
                score=score.score,
                complete=score.complete,
                examples={fragment.language: fragment.n_examples for fragment in held},
                seconds={fragment.language: fragment.seconds for fragment in held},
                metric_params=signature.get("metric_params", dict(task.metric_params)),
                limit=signature.get("limit", config.limit),
                data={fragment.language: fragment.signature.get("data") for fragment in held},
                checkpoints=[json.loads(checkpoint) for checkpoint in sorted(used)],
                dtype=sorted({str(fragment.dtype) for fragment in held}),
                skipped=self.skipped_languages.get(task.name, {}),
                skipped_examples={language: counts for language, counts in unusable.items() if counts},
                procedure=procedure_record(signature.get("inference", {}), held[0].details if held else {}),
            )
        suite_score = SuiteScore(suite, scores)
        if not fragments:  # nothing (left) to report: no results.json rather than one describing removed results
            self.store.results_path.unlink(missing_ok=True)
            return suite_score, None
        plugins = {p.name: p.version for p in self.registry.plugins if p.origin != "core"}
        previous = self.store.previous_results()
        # a folder keeps its name: a later invocation without --label (another task's checkpoint) does not rename it
        named = config.model.name if isinstance(config.model, HeldModel) else config.model
        label = config.lineage.label or (previous and previous.lineage.label) or Path(named).name
        results = RunResults(
            xlt_bench_version=__version__,
            created=(previous and previous.created) or now(),
            updated=now(),
            command=config.command,
            suite=config.suite,
            split=config.split,
            model=str(config.model),
            lineage=replace(config.lineage, label=label),
            config={
                "batch_size": config.batch_size,
                "max_tokens": config.max_tokens,
                "device": self.device,
                "dtype": config.dtype,
                "seed": config.seed,
                "limit": config.limit,
                "data_dir": str(config.data_dir) if config.data_dir else None,
                "processes": world_size(),
            },
            environment={**environment_versions(), "plugins": plugins},
            seconds_this_invocation=round(time.perf_counter() - self.clock, 3),
            tasks=entries,
            skipped=self.skipped,
            categories=suite_score.categories,
            aggregates=suite_score.aggregates,
            score=suite_score.score,
        )
        return suite_score, self.store.write_results(results)

    def nothing_scored(self, tasks: list[Task]) -> str:
        """The one-line reason a run that scored nothing gives: the skips, the first few in full."""
        reasons = [f"{task}: {reason}" for task, reason in self.skipped.items()]
        reasons += [
            f"{t}/{lang}: {reason}" for t, per in self.skipped_languages.items() for lang, reason in per.items()
        ]
        shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more skips" if len(reasons) > 3 else "")
        return f"nothing was scored for {', '.join(task.name for task in tasks)}: {shown or 'no language selected'}"


def run_eval(
    registry: Registry, config: EvalConfig, progress: bool = True, stream: IO[str] | None = None
) -> EvalRun | None:
    """Evaluate `config.model` on the selected tasks and languages; see the module docstring. None on the ranks
    other than 0 of a data-parallel run (rank 0 reports).

    `progress`: the run's progress line with the per-unit bars beneath it, on `stream` (default stderr) when it is
    a terminal, and a summary line at the end either way (`run_progress`); rank 0 alone shows them."""
    stream = stream if stream is not None else sys.stderr
    tasks = _select_tasks(registry, config)
    languages = _select_languages(tasks, config.languages)
    _check_label_maps(tasks, config.label_maps)
    _check_inference(registry, tasks, config.inference)
    for path, option in (
        (config.output, "--output"),
        (config.data_dir, "--data-dir"),
        (config.cache_dir, "--cache-dir"),
    ):
        if path is not None:
            utf8_path(path, option)
    if config.data_dir is not None and not config.data_dir.is_dir():
        raise XltBenchError(f"--data-dir {config.data_dir}: not a folder")
    progress = progress and is_writer()
    evaluation = _Evaluation(registry, config, progress and is_terminal(stream))
    choices = choose_checkpoints(config.model, tasks, config.revision)
    writing = evaluation.store.writer(config.command, config.wait) if is_writer() else nullcontext()
    with process_group(evaluation.device), writing:
        units: list[Unit] = []
        for task in tasks:
            if not languages[task.name]:
                evaluation.skip(task, "none of --languages is one of its languages")
                continue
            plan = evaluation.model_plan(task, choices[task.name])
            if plan is not None:
                units += evaluation.plan_units(task, plan, languages[task.name])
        decision = from_writer(partial(evaluation.reconcile, units))
        if units and config.run_config is not None and is_writer():
            evaluation.store.write_config(run_config.dump(config.run_config))
        _seed(config.seed)
        running = [unit for unit in units if (unit.task.name, unit.language) not in decision.keep]
        evaluation.tracker = RunProgress(len(running), len(units) - len(running), progress, stream, evaluation.clock)
        streaming = PROGRESS_STREAM.set(stream)
        try:
            for unit in running:
                ran = evaluation.run_unit(unit, stale=(unit.task.name, unit.language) in decision.stale)
                evaluation.tracker.finished(ran)
        finally:
            PROGRESS_STREAM.reset(streaming)
            evaluation.tracker.close()
        if not is_writer():
            return None
        suite_score, path = evaluation.write_results()
    if path is None or not any(
        suite_score.tasks[task.name].languages for task in tasks if task.name in suite_score.tasks
    ):
        raise XltBenchError(evaluation.nothing_scored(tasks))
    skipped = sum(map(len, evaluation.skipped_languages.values()))
    evaluation.tracker.summarize(skipped + sum(len(languages.get(name, [])) for name in evaluation.skipped))
    return EvalRun(suite_score, evaluation.skipped, evaluation.skipped_languages, path, evaluation.skipped_examples)
