"""Every hook xlt-bench calls. These docstrings are the plugin author's reference.

A plugin is a module (or object) with functions decorated by `xlt_bench.hookimpl` and named like the hooks
below; it is found through the entry-point group `xlt_bench`::

    # pyproject.toml of a plugin distribution
    [project.entry-points.xlt_bench]
    mysuite = "xlt_bench_mysuite.plugin"

The built-in suites (`xlt_bench.plugins.xtreme`, ...) are registered through this same group and these same hooks.

Rules that keep the CLI fast and robust:

- Registration hooks run at every start, including `xlt-bench --help`, `list` and `plugins`: keep them cheap and
  never import torch, transformers, datasets or faiss at module level or inside a registration hook.
- Register plain, frozen metadata (`Task`, `Suite`, `Metric`, `DataFormat`, `ModelAdapter`) and runner classes.
  Malformed declarations are reported and skipped (the rest of the plugin still loads); a plugin that raises while
  loading is reported and skipped.
- Names are global: registering a suite, metric, format, model adapter or task type name, or a language code or
  alias, that another plugin already registered is reported as a conflict and the later registration is skipped.

Hook API version: `HOOK_API = 1`; hooks are only added, never changed incompatibly, within a version.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from xlt_bench.data.formats import DataFormat, DataSource
    from xlt_bench.languages import Language
    from xlt_bench.metrics import Metric
    from xlt_bench.model_adapters import ModelAdapter
    from xlt_bench.runners.base import Runner
    from xlt_bench.tasks import Suite, Task

HOOK_API = 1

hookspec = pluggy.HookspecMarker("xlt_bench")
hookimpl = pluggy.HookimplMarker("xlt_bench")


@hookspec
def xlt_register_suites(register: Callable[[Suite], None]) -> None:
    """Register benchmark suites.

    Call `register(Suite(name=..., description=..., tasks=(...), categories={...}, score="task_mean"))` once per
    suite. The suite's `tasks` are task names; each task is registered separately with `xlt_register_tasks` and
    names the suite in `Task.suite`. `categories` and `score` define the aggregation (see `xlt_bench.tasks.Suite`).
    """


@hookspec
def xlt_register_tasks(register: Callable[[Task], None]) -> None:
    """Register tasks.

    Call `register(Task(...))` once per task. A task declares only metadata: its type (a task type registered with
    `xlt_register_runners`: it selects the runner and the checkpoint head), languages, metric and metric
    parameters, the label inventory (matched by name against a checkpoint's `id2label`), where its data lives
    (`DataFiles` patterns of the official file names, and optionally a `HubSource`), and a `version` you bump
    whenever its numbers could change.
    """


@hookspec
def xlt_register_runners(register: Callable[[type[Runner]], None]) -> None:
    """Register task types: call `register(MyRunner)` with a subclass of `xlt_bench.runners.Runner` per type.

    The runner's `type` is the name tasks use in `Task.type` (global: a name another plugin took is a conflict);
    its `role` selects the model adapters that load the checkpoint; `inference_required` / `inference_optional`
    list the inference parameters it reads (a task lacking a required one is refused, and `eval --inference
    KEY=VALUE` may only set parameters its runners read). The contract (what the harness calls, with which `Job`)
    is the docstring of `xlt_bench.runners.base`; `examples/xlt-bench-example-plugin` adds an STS regression type.
    Register the class, not an instance, and import heavy packages (torch, numpy) inside its methods: the
    module is imported at every start.
    """


@hookspec
def xlt_register_metrics(register: Callable[[Metric], None]) -> None:
    """Register metrics.

    Call `register(Metric(name=..., compute=..., keys=..., submission=...))`. `compute(gold, predictions, *, language,
    **metric_params)` returns `{metric name: value x 100}` for one language; `keys` lists those names;
    `submission` (a `xlt_bench.submission.SubmissionFormat`) says how gold and predictions are stored as
    `<task>/test-<lang>.<ext>` files and which Python objects `compute` receives. A metric that is a sum over
    examples also gives `per_example` and `statistics` (`xlt_bench.metrics.resampling`): the samples log then
    carries each example's contribution and the leaderboard bootstraps intervals from it.
    """


@hookspec
def xlt_register_formats(register: Callable[[DataFormat], None]) -> None:
    """Register on-disk (or Hub) data formats that task data sources refer to by name.

    Call `register(DataFormat(name=..., read=..., version=...))`. `read(source, language, split, **params)` yields
    one dict per example in the shape the task type's runner expects (classification: `text`, `text_pair`, `label`;
    tagging: `tokens`, `tags`), plus an `id` where the data has one. Raise `XltBenchError` naming the file and line
    for malformed input. Bump `version` when parsing changes: it is part of the data cache key. A reader that also
    opens files beside a source's files declares them with `companions` so that they count as the data too.
    """


@hookspec
def xlt_register_model_adapters(register: Callable[[ModelAdapter], None]) -> None:
    """Register model adapters: how checkpoints of a model family are recognised and loaded.

    Call `register(ModelAdapter(name=..., role=..., fits=..., load=..., accepts=...))`. `role` is what a runner
    needs ("encoder", "sequence-classification", "token-classification", "question-answering", "multiple-choice",
    "seq2seq", or a plugin runner's own role);
    `fits(config)` receives the checkpoint's `transformers` config and must be cheap (nothing loaded);
    `load(path, device, dtype)` returns a `xlt_bench.model_adapters.LoadedModel` (model, tokenizer, device,
    dtype) and is only called by `eval`, so it may import torch. For each task, the adapters of its runner's role
    are tried in order, plugins' before the built-in transformers ones; the first that fits loads the checkpoint
    and its name is recorded with the results. Import heavy packages inside `load`, never at module level.

    Checkpoint code runs only with the user's `--trust-remote-code`: declare `load(path, device, dtype, *,
    trust_remote_code=False)` (or `**kwargs`) to receive it, and pass it explicitly to every `from_pretrained`
    (transformers otherwise asks on stdin and runs the checkpoint's code on a yes); a `load` without that
    parameter is called as `load(path, device, dtype)`. Likewise `revision=None` receives the user's `--revision`
    for a Hub checkpoint id (pass it to every `from_pretrained`); a `--revision` a `load` cannot take is refused.
    The optional `check(folder, trust_remote_code)` looks at a local checkpoint folder before anything is loaded
    and raises `XltBenchError` naming what is missing or unsafe; `xlt_bench.checkpoint_checks.check_checkpoint_files`
    is the built-ins' check for transformers folders.
    """


@hookspec
def xlt_register_languages(register: Callable[[Language], None]) -> None:
    """Register language metadata: call `register(Language(code=..., name=..., aliases=(...), ...))` per language.

    `xlt_bench.languages.Language` holds the primary code (ISO 639-1 where there is one), the other codes tasks use
    for the same language (`aliases`: Masakhane's `swa` for `sw`), the resource class (0-5, Joshi et al. 2020), the
    top-level family (Glottolog), the script (ISO 15924 name) and `pretraining` sizes by corpus key. Leave a value
    None (a corpus out of `pretraining`) where your source does not give it: unknown, never guessed; and say in
    your plugin's documentation where each value comes from. A code or alias another plugin already registered is
    reported as a conflict and that language is skipped; the built-in table (`xlt-bench list languages`) registers
    first. Languages only describe: `registry.language(code)` answers for any code, unknown ones included.
    """


@hookspec(firstresult=True)
def xlt_resolve_data(task: Task, language: str, split: str, data_dir: Path | None) -> DataSource | None:
    """Say where the examples of one (task, language, split) come from; the first non-None answer wins.

    Return a `DataSource(format=..., files=(...))` or `DataSource(format=..., hub=(path, config, split))`, or
    None to leave the decision to other plugins. The built-in resolver runs last: it looks for the task's
    `DataFiles` patterns below `data_dir` (`eval` passes the cache folder of the task's `releases` when there is no
    `--data-dir`), or, called with `data_dir=None` for a language no release serves, answers with the faithful
    `HubSource` serving that language, and raises `DataUnavailable` with the reason when neither exists. A Hub source
    is read at the commit its revision names (`eval` resolves a branch or tag before planning). Implement this hook
    to serve data from elsewhere (a private bucket, a database) without changing the task declaration.
    """
