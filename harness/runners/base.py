"""The runner contract: what a task type is to the harness. Plugins subclass `Runner` to add a task type.

A runner turns one (task, language)'s examples into predictions in its metric's format. The harness does everything
around it: choosing and loading the checkpoint (a `ModelAdapter` of the runner's `role`), reading and caching the
data, batching helpers (`xlt_bench.batching`), scoring with the task's metric, writing the run folder. A runner is
registered with `xlt_register_runners` under its `type`, the name a `Task.type` refers to; the built-in runners
register through the same hook.

What the harness calls, in order, for one (task, language):

1. `Runner(task)` — one instance per task; it may read the task's metadata.
2. `gold(examples)` — the gold in the metric's shape (`Metric.submission` says which Python objects).
3. `predict(job)` — predictions in the same shape; decisions taken on the way (a threshold, a layer) go into
   `job.details`, which is recorded with the results. The harness then checks them with `prediction_problems`
   (by default: one prediction per gold item, a list as long as a gold list, exactly gold's keys); a runner that
   breaks it fails the run with a one-line error naming the runner and its plugin, before anything is scored.
4. `samples(examples, gold, predictions)` — one dict per example for `samples/<task>/<split>-<lang>.jsonl`: `id`,
   `input` (the text a reader needs to judge the error), `gold`, `prediction`.
5. `count(examples)` — how many examples were scored (one per row unless overridden).

Inference parameters — one word for everything a runner reads besides the examples and the model: a task declares
them in `Task.inference`; the user overrides them with `eval --inference KEY=VALUE` (or a documented shorthand such
as `--layer`). A runner lists the ones it requires in `inference_required` (a task lacking one is refused at
registration) and the ones it also reads in `inference_optional`; `--inference` may only set these. It may check
their values in `inference_problems`. `inference_defaults` fills optional ones a task leaves out (the `procedure`,
`xlt_bench.procedures`) so that every unit's signature records them, and `checkpoint_inference` may read defaults
a checkpoint folder declares (a sentence encoder's pooling); `inference_for` merges it all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from xlt_bench.batch_sizing import BatchSizing
from xlt_bench.errors import XltBenchError
from xlt_bench.tasks import Task

# inference parameters that are counts, with their least sensible value, checked for every runner that reads them: a
# window needs room for its special tokens and a sub-token (3 framing tokens under XTREME's XLM-R rule, plus one)
COUNTS = {
    "max_length": 4,
    "query_max_length": 4,
    "candidate_max_length": 4,
    "max_query_length": 1,
    "doc_stride": 1,
    "max_answer_length": 1,
    "n_best": 1,
    "k": 1,
    "num_beams": 1,
    "max_new_tokens": 1,
}


@dataclass(kw_only=True)
class Job:
    """Everything a runner needs for one (task, language)."""

    task: Task
    language: str
    examples: Any  # datasets.Dataset in the shape the task's data format yields
    loaded: Any  # xlt_bench.model_adapters.LoadedModel: model, tokenizer, device, dtype
    plan: Any  # xlt_bench.task_checkpoints.ModelPlan: checkpoint path and hash, output id -> task label
    inference: Mapping[str, Any]  # the task's inference parameters with the command-line overrides applied
    load_split: Callable[[str], Any] | None = None  # the examples of another split of the same task and language
    batch_size: int | BatchSizing = 32  # sequences a pass, or how passes are sized; pass it on to batched_outputs
    progress: bool = False  # show progress bars
    cache_dir: Path | None = None  # where encoder passes may be cached (embedding runners)
    split: str = "test"
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def description(self) -> str:
        return f"{self.task.name}/{self.language}"


class Runner(ABC):
    """Base of every runner. Subclasses set `type` and `role` and implement `gold`, `predict` and `samples`."""

    type: ClassVar[str]  # the task type it serves: the name `Task.type` refers to
    role: ClassVar[str] = "encoder"  # the kind of model it runs; a model adapter of this role loads the checkpoint
    description: ClassVar[str] = ""  # one line for `xlt-bench list types`
    inference_required: ClassVar[tuple[str, ...]] = ()  # inference parameters every task of this type must declare
    inference_optional: ClassVar[tuple[str, ...]] = ()  # further parameters it reads when given
    # values of optional parameters a task does not declare (e.g. `procedure`), so every unit records them
    inference_defaults: ClassVar[Mapping[str, Any]] = {}
    labelled: ClassVar[bool] = False  # tasks of this type must declare their label inventory (`Task.labels`)

    def __init__(self, task: Task) -> None:
        self.task = task

    @abstractmethod
    def gold(self, examples: Any) -> Any:
        """The gold of `examples` in the metric's shape."""

    @abstractmethod
    def predict(self, job: Job) -> Any:
        """The predictions for `job.examples`, in the same shape as `gold`."""

    @abstractmethod
    def samples(self, examples: Any, gold: Any, predictions: Any) -> list[dict[str, Any]]:
        """One dict per example: `id`, `input`, `gold`, `prediction` (JSON-serialisable)."""

    def prediction_problems(self, job: Job, gold: Any, predictions: Any) -> list[str]:
        """How `predictions` fail to cover the unit exactly as `gold` lays it out (empty when they do): by default
        gold's shape (`alignment_problems`). Runners whose predictions are not one per gold item override it."""
        return alignment_problems(gold, predictions)

    def count(self, examples: Any) -> int:
        """How many examples are scored (recorded as a language's `examples`): one per row unless overridden."""
        return len(examples)

    def splits_read(self, split: str, inference: Mapping[str, Any]) -> tuple[str, ...]:
        """Every split whose data scoring `split` reads (its content is part of a result's identity, so an edit to
        any of them makes a finished result stale): the scored split unless overridden."""
        return (split,)

    @classmethod
    def reads(cls) -> tuple[str, ...]:
        """Every inference parameter this runner reads (required first)."""
        return (*cls.inference_required, *cls.inference_optional)

    def inference_for(
        self, overrides: Mapping[str, Any] | None = None, checkpoint: str = "", revision: str | None = None
    ) -> dict[str, Any]:
        """The parameters a job of this task runs with: the runner's defaults, the task's declaration, what the
        checkpoint (a folder, or a Hub id at `revision`) declares (`checkpoint_inference`), then `overrides`
        (`eval --inference`) of the parameters this runner reads."""
        given = {key: value for key, value in (overrides or {}).items() if key in self.reads()}
        declared = self.checkpoint_inference(checkpoint, revision) if checkpoint else {}
        return {**self.inference_defaults, **self.task.inference, **declared, **given}

    def checkpoint_inference(self, path: str, revision: str | None = None) -> dict[str, Any]:
        """Inference parameters a checkpoint (folder or Hub id) itself declares (a sentence encoder its pooling);
        none unless overridden."""
        return {}

    def inference_problems(self, inference: Mapping[str, Any]) -> list[str]:
        """What is wrong with these inference parameter values (empty when none): here, the counts of `COUNTS` this
        runner reads; subclasses add their own checks to these (`super().inference_problems`)."""
        found = []
        for name, least in COUNTS.items():
            value = inference.get(name)
            if name in self.reads() and value is not None and (type(value) is not int or value < least):
                found.append(f"{name} {value!r}; expected a whole number of at least {least}")
        return found

    def declaration_problems(self) -> list[str]:
        """What a task of this type lacks (checked when tasks are registered, and by `testing.check_task`)."""
        found = []
        if missing := [name for name in self.inference_required if name not in self.task.inference]:
            found.append(f"inference lacks {', '.join(missing)} (read by the {self.type} runner)")
        if self.labelled and not self.task.labels:
            found.append(f"a {self.type} task needs its label inventory (labels)")
        found += [f"inference {problem}" for problem in self.inference_problems(self.task.inference)]
        return found


def runner_problems(runner: type[Runner]) -> list[str]:
    """What makes a `Runner` subclass unusable (empty when it is sound)."""
    found = []
    if not isinstance(getattr(runner, "type", None), str) or not runner.type:
        found.append("no `type` (the task type name it serves)")
    if not isinstance(runner.role, str) or not runner.role:
        found.append("no `role` (the kind of model it runs)")
    if abstract := sorted(getattr(runner, "__abstractmethods__", ())):
        found.append(f"does not implement {', '.join(abstract)}")
    return found


def _shown(keys: Any) -> str:
    keys = sorted(map(str, keys))
    return ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")


def alignment_problems(gold: Any, predictions: Any) -> list[str]:
    """What keeps `predictions` from lining up with `gold` item for item: a mapping needs exactly gold's keys, a
    list gold's length, and a list inside it (a sentence's tags) the length of the gold list at its place."""
    if isinstance(gold, Mapping):
        if not isinstance(predictions, Mapping):
            return [f"returned {type(predictions).__name__}, expected a mapping keyed like the gold"]
        found = []
        if missing := set(gold) - set(predictions):
            found.append(f"no prediction for {len(missing)} of {len(gold)} ids ({_shown(missing)})")
        if extra := set(predictions) - set(gold):
            found.append(f"predictions for {len(extra)} ids the unit does not have ({_shown(extra)})")
        return found
    if isinstance(gold, (list, tuple)):
        if not isinstance(predictions, (list, tuple)):
            return [f"returned {type(predictions).__name__}, expected a list of one prediction per example"]
        if len(predictions) != len(gold):
            return [f"returned {len(predictions)} predictions for {len(gold)} examples"]
        for number, (expected, predicted) in enumerate(zip(gold, predictions), start=1):
            if isinstance(expected, list) and (not isinstance(predicted, list) or len(predicted) != len(expected)):
                length = len(predicted) if isinstance(predicted, (list, tuple)) else type(predicted).__name__
                return [f"example {number}: {length} predictions for its {len(expected)} gold items"]
    return []


def predict_and_score(
    runner: Runner, job: Job, metric: Any, metric_params: Mapping[str, Any] | None = None, plugin: str = ""
) -> tuple[Any, Any, dict[str, float]]:
    """Predictions, gold and metric values of one job: the step `eval` and `xlt_bench.testing.run_task` share.
    `metric_params` (default: the task's) carry command-line overrides such as `--seqeval-rules`; `plugin` (the
    runner's) is named when its predictions break the contract."""
    predictions = runner.predict(job)
    gold = runner.gold(job.examples)
    if problems := runner.prediction_problems(job, gold, predictions):
        owner = f" (plugin {plugin!r})" if plugin else ""
        raise XltBenchError(
            f"{job.description}: the {runner.type} runner{owner} broke the runner contract: {problems[0]}; "
            "nothing of this unit was scored (a fault of the runner, not of the data)"
        )
    params = job.task.metric_params if metric_params is None else metric_params
    return predictions, gold, metric.compute(gold, predictions, language=job.language, **params)
