"""Which checkpoint serves which task, whether it fits, and loading it on the right device.

`--model` may be
- one checkpoint (a folder with `config.json`, or a Hugging Face Hub id) used for every task it fits;
- a folder of per-task checkpoints, `ckpt/<task>/` (XTREME's convention of one fine-tuned model per task);
- a YAML/JSON manifest `{task: path}` or `{task: {path: ..., label_map: {...}, revision: ..., inference: {...}}}`
  (paths relative to it; `revision`, a branch, tag or commit, pins a Hub checkpoint id as `--revision` does;
  `inference` sets that task's inference parameters, e.g. a sentence encoder's `{pooling: cls, layer: -1}`, above
  what the checkpoint declares and below `--inference`).

A checkpoint fits a task when a model adapter of the runner's role fits its `config.json` (for the built-in
transformers adapters: its `architectures` have the head the task type needs; nothing is loaded to find out) and
its labels match by name (`xlt_bench.labels`). A task without a fitting checkpoint is skipped with the reason.

Nothing from a checkpoint runs as code without `--trust-remote-code`: every `from_pretrained` gets it explicitly
(left to transformers, a checkpoint with its own code makes it ask on stdin, and a yes runs that code), and a
checkpoint that needs its own code is skipped with the reason instead.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError, first_line
from xlt_bench.files import ContentHashes, read_yaml
from xlt_bench.held_model import HeldModel
from xlt_bench.labels import CheckpointMismatch, output_labels
from xlt_bench.model_adapters import LoadedModel, ModelAdapter, architectures
from xlt_bench.tasks import Task


@dataclass(frozen=True)
class CheckpointChoice:
    """The checkpoint chosen for a task, why, and any explicit label map that comes with it."""

    path: str
    origin: str  # "--model", "per-task folder", "manifest <file>"
    label_map: Mapping[str, str] = field(default_factory=dict)
    revision: str | None = None  # --revision: the git revision of a Hub checkpoint id (None: its default branch)
    inference: Mapping[str, Any] = field(default_factory=dict)  # the manifest entry's inference parameters
    held: HeldModel | None = field(default=None, compare=False)  # a model in memory (`xlt_bench.evaluate`)


@dataclass(frozen=True)
class ModelPlan:
    """A checkpoint that fits a task: what to load and how its outputs map to task labels."""

    path: str
    origin: str
    architecture: str
    labels: Mapping[int, str]
    checkpoint_hash: str
    adapter: ModelAdapter = field(repr=False, compare=False)
    trust_remote_code: bool = False  # the user's --trust-remote-code, for the loader
    revision: str | None = None  # the user's --revision (or the manifest's `revision:`)
    commit: str | None = None  # the Hub commit the checkpoint's config was read at (None: a local folder)
    inference: Mapping[str, Any] = field(default_factory=dict)  # the manifest entry's inference parameters
    held: HeldModel | None = field(default=None, repr=False, compare=False)  # evaluated in place, never loaded


def _looks_like_path(spec: str) -> bool:
    return spec.startswith((".", "/", "~")) or spec.endswith("/") or spec.count("/") > 1


def _origin(kind: str, name: str, task: Task) -> str:
    return kind if name == task.name else f"{kind} entry {name!r} (shared with other tasks)"


def _manifest(path: Path, tasks: list[Task]) -> dict[str, CheckpointChoice | str]:
    document = read_yaml(path, "the model manifest")
    if not isinstance(document, dict):
        raise XltBenchError(f"{path}: expected a mapping of task name to checkpoint path")
    choices: dict[str, CheckpointChoice | str] = {}
    for task in tasks:
        key = next((name for name in task.checkpoint_folders if name in document), None)
        if key is None:
            choices[task.name] = f"no entry {' or '.join(task.checkpoint_folders)} in manifest {path}"
            continue
        entry = document[key]
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise XltBenchError(f"{path}: entry {key!r} must be a path or a mapping with a 'path' field")
        label_map = entry.get("label_map") or {}
        if not isinstance(label_map, dict):
            raise XltBenchError(f"{path}: {key}.label_map must be a mapping of model label to task label")
        revision = entry.get("revision")
        if revision is not None and (not isinstance(revision, str) or not revision.strip()):
            raise XltBenchError(f"{path}: {key}.revision must be a branch, tag or commit id of a Hub checkpoint")
        inference = entry.get("inference") or {}
        if not isinstance(inference, dict) or not all(isinstance(name, str) for name in inference):
            raise XltBenchError(f"{path}: {key}.inference must be a mapping of inference parameter to value")
        target = entry["path"]
        if "\0" in target or len(target.encode("utf-8", "surrogatepass")) > os.pathconf("/", "PC_PATH_MAX"):
            raise XltBenchError(f"{path}: {key}.path is not a usable path or Hub id ({len(target):,} characters)")
        expanded = Path(target).expanduser()
        local = (path.parent / expanded) if not expanded.is_absolute() else expanded
        if revision is not None and (local.exists() or _looks_like_path(target)):
            raise XltBenchError(f"{path}: {key}.revision: {target} is a local path; a revision pins Hub checkpoint ids")
        origin = _origin(f"manifest {path}", key, task)
        if local.exists() and not local.is_dir():
            choices[task.name] = f"{origin}: {local} is not a checkpoint folder"
            continue
        resolved = str(local) if local.exists() or _looks_like_path(target) else target
        label_map = {str(k): str(v) for k, v in label_map.items()}
        choices[task.name] = CheckpointChoice(resolved, origin, label_map, revision=revision, inference=inference)
    return choices


def choose_checkpoints(
    spec: str | HeldModel, tasks: list[Task], revision: str | None = None
) -> dict[str, CheckpointChoice | str]:
    """For each task name, the checkpoint `--model` designates, or the reason there is none. Only a regular file is
    read as a manifest (a FIFO would block the read). `revision` (`--revision`) pins a Hub checkpoint id; a local
    folder or manifest has no revisions to pick from. A model in memory is offered to every task."""
    if isinstance(spec, HeldModel):
        return {task.name: CheckpointChoice(spec.name, "in memory", held=spec) for task in tasks}
    path = Path(spec).expanduser()
    if revision is not None and (path.exists() or _looks_like_path(spec)):
        raise XltBenchError(
            f"--revision {revision}: --model {spec} is a local path; --revision pins the version of a Hub checkpoint id"
        )
    if path.is_file():
        return _manifest(path, tasks)
    if path.is_dir() and not (path / "config.json").is_file():
        choices: dict[str, CheckpointChoice | str] = {}
        for task in tasks:
            found = [name for name in task.checkpoint_folders if (path / name / "config.json").is_file()]
            choices[task.name] = (
                CheckpointChoice(str(path / found[0]), _origin("per-task folder", found[0], task))
                if found
                else f"no checkpoint {' or '.join(str(path / name) for name in task.checkpoint_folders)}"
            )
        if not any(isinstance(choice, CheckpointChoice) for choice in choices.values()):
            raise XltBenchError(
                f"--model {spec}: neither a checkpoint (no config.json) nor a folder of per-task checkpoints "
                f"({', '.join(name for task in tasks for name in task.checkpoint_folders)})"
            )
        return choices
    if not path.exists() and _looks_like_path(spec):
        raise XltBenchError(f"--model {spec}: no such file or folder")
    if path.exists() and not path.is_dir():  # a device (/dev/null), a FIFO, a socket: never read, never a Hub id
        raise XltBenchError(f"--model {spec}: not a checkpoint folder, a manifest file or a Hub id")
    chosen = spec if not path.exists() else str(path)
    return {task.name: CheckpointChoice(chosen, "--model", revision=revision) for task in tasks}


_HASHES = ContentHashes()  # in memory, for callers that do not pass the run's (disk-backed) memo


def checkpoint_hash(path: str, hashes: ContentHashes | None = None) -> str:
    """sha256 over the files at the top of a local checkpoint folder (names and content hashes); "" for Hub ids.

    File hashes come from `hashes` (memoised by path, size and mtime), so a resumed run does not re-read gigabytes
    of weights to recognise the same checkpoint."""
    folder = Path(path)
    if not folder.is_dir():
        return ""
    hashes = _HASHES if hashes is None else hashes
    digest = hashlib.sha256()
    # the top of the folder only: what transformers loads; `runs/`, `checkpoint-500/` or an --output placed inside
    # must not change what the checkpoint is
    for file in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        digest.update(f"{file.relative_to(folder).as_posix()}\0{hashes(file)}\n".encode())
    return "sha256:" + digest.hexdigest()


def _own_code(config: Mapping[str, Any]) -> list[str]:
    """The checkpoint's own classes transformers needs to read this config.json (none: it can without them): as in
    `AutoConfig.from_pretrained`, an `auto_map` with an `AutoConfig` for a `model_type` transformers does not know.
    For a known `model_type` transformers uses its own classes and ignores the checkpoint's code."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    auto_map = config.get("auto_map")
    if not (isinstance(auto_map, dict) and "AutoConfig" in auto_map) or config.get("model_type") in CONFIG_MAPPING:
        return []
    refs = (ref for value in auto_map.values() for ref in (value if isinstance(value, list) else [value]))
    return list(dict.fromkeys(str(ref) for ref in refs if ref))


def _json_type(value: Any) -> str:
    kinds = {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return kinds.get(type(value), type(value).__name__)


def inspect_checkpoint(
    task: Task,
    choice: CheckpointChoice,
    adapters: Sequence[ModelAdapter],
    label_map: Mapping[str, str] | None,
    trust_remote_code: bool = False,
    hashes: ContentHashes | None = None,
    commit: str | None = None,
) -> ModelPlan:
    """The first of `adapters` (those of the runner's role, plugins first) that fits the checkpoint's config, and
    the checkpoint's labels matched to the task's.

    A checkpoint that needs its own code is a `CheckpointMismatch` unless `trust_remote_code` (the user's
    `--trust-remote-code`); a local folder the chosen adapter's `check` finds incomplete or unsafe is an
    `XltBenchError`, before any model is loaded. `commit`: the Hub commit `choice.revision` names (`hub_access`),
    read instead of the revision; without it, the commit transformers reports, if it does (4.x does, 5 does not).
    """
    if choice.held is not None:
        return _held_plan(task, choice, adapters, label_map)
    from transformers import AutoConfig, PretrainedConfig  # PreTrainedConfig exists only in transformers 5

    try:
        revision = commit or choice.revision
        document, _ = PretrainedConfig.get_config_dict(choice.path, revision=revision)
        if not trust_remote_code and (code := _own_code(document)):
            raise CheckpointMismatch(
                f"{choice.path}: its config.json asks to run the checkpoint's own code (auto_map: {', '.join(code)}); "
                "pass --trust-remote-code to allow it"
            )
        for field_name in ("id2label", "label2id"):
            if field_name in document and not isinstance(document[field_name], (dict, type(None))):
                raise CheckpointMismatch(
                    f"{choice.path}: config.json's {field_name} must be an object of "
                    f"{'output index to label name' if field_name == 'id2label' else 'label name to output index'}, "
                    f"not {_json_type(document[field_name])}"
                )
        config = AutoConfig.from_pretrained(choice.path, trust_remote_code=trust_remote_code, revision=revision)
    except (OSError, ValueError) as error:
        raise CheckpointMismatch(f"cannot read the config of {choice.path}: {first_line(error)}") from None
    except (TypeError, AttributeError) as error:  # a value of the wrong JSON type, where transformers reads it
        raise CheckpointMismatch(
            f"cannot read the config of {choice.path}: {type(error).__name__}: {first_line(error)}"
        ) from None
    adapter = _fitting_adapter(task, choice, adapters, config)
    if adapter.check is not None and Path(choice.path).is_dir():
        adapter.check(choice.path, trust_remote_code)
    explicit = label_map or choice.label_map or None
    labels = output_labels(task, config.id2label, explicit, choice.path) if task.labels else {}
    commit = commit or getattr(config, "_commit_hash", None)
    pinned = f"hub:{choice.path}" + (f"@{choice.revision}" if choice.revision else "")  # when the commit is unknown
    digest = checkpoint_hash(choice.path, hashes) or (f"hub:{commit}" if commit else pinned)
    architecture = next(iter(architectures(config)), getattr(config, "model_type", ""))
    return ModelPlan(
        path=choice.path,
        origin=choice.origin,
        architecture=architecture,
        labels=labels,
        checkpoint_hash=digest,
        adapter=adapter,
        trust_remote_code=trust_remote_code,
        revision=choice.revision,
        commit=commit if not Path(choice.path).is_dir() else None,
        inference=choice.inference,
    )


def _fitting_adapter(
    task: Task, choice: CheckpointChoice, adapters: Sequence[ModelAdapter], config: Any
) -> ModelAdapter:
    adapter = next((candidate for candidate in adapters if candidate.fits(config)), None)
    if adapter is None:
        have = ", ".join(architectures(config)) or f"model_type {getattr(config, 'model_type', '?')}"
        wanted = " or ".join(dict.fromkeys(candidate.accepts for candidate in adapters)) or "a model adapter"
        raise CheckpointMismatch(f"{choice.path} ({have}) is not {wanted}; {task.name} needs one")
    return adapter


def _held_plan(
    task: Task, choice: CheckpointChoice, adapters: Sequence[ModelAdapter], label_map: Mapping[str, str] | None
) -> ModelPlan:
    """The plan for a model in memory: its own config stands for config.json, its weights' digest for the files'.
    Its class is what it is: adapters see it as the config's `architectures` (a model made from a base checkpoint
    still carries the base's, e.g. `XLMRobertaForMaskedLM` on a classifier being fine-tuned)."""
    held = choice.held
    assert held is not None
    config = copy.copy(held.model.config)
    config.architectures = [type(held.model).__name__]
    adapter = _fitting_adapter(task, choice, adapters, config)
    labels = output_labels(task, config.id2label, label_map or None, choice.path) if task.labels else {}
    return ModelPlan(
        path=choice.path,
        origin=choice.origin,
        architecture=type(held.model).__name__,
        labels=labels,
        checkpoint_hash=held.digest,
        adapter=adapter,
        held=held,
    )


def pick_device(requested: str) -> str:
    """The torch device for `--device` (auto: CUDA when available, else CPU); one that this machine lacks is an
    error before anything runs, not a crash at the first batch."""
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda"):
        if not torch.cuda.is_available():
            raise XltBenchError(f"--device {requested}: CUDA is not available on this machine")
        index = int(requested.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise XltBenchError(f"--device {requested}: this machine has {torch.cuda.device_count()} CUDA devices")
    if requested == "mps" and not torch.backends.mps.is_available():
        raise XltBenchError("--device mps: Apple's MPS backend is not available on this machine")
    return requested


def load_model(plan: ModelPlan, device: str, dtype: str) -> LoadedModel:
    """The planned checkpoint loaded by its adapter, in evaluation mode on `device`; the adapter's `load` gets
    `trust_remote_code`, and as `revision` the Hub commit the plan read the config at (else the revision asked for),
    as far as its signature takes them (loaders written for `load(path, device, dtype)` are still called that way).
    A revision asked for that the loader cannot take is an error, never silently the default branch."""
    if plan.held is not None:
        return plan.held.loaded()
    try:
        parameters = inspect.signature(plan.adapter.load).parameters.values()
    except (TypeError, ValueError):  # a callable without a signature: the original contract
        parameters = []
    takes_any = any(param.kind is param.VAR_KEYWORD for param in parameters)
    names = {param.name for param in parameters}
    # the weights of the very commit the config was read at, when the loader takes a revision
    revision = plan.commit or plan.revision
    wanted = {"trust_remote_code": plan.trust_remote_code, **({"revision": revision} if revision else {})}
    if plan.revision and not (takes_any or "revision" in names):
        raise XltBenchError(
            f"--revision {plan.revision}: the model adapter {plan.adapter.name!r} cannot load a revision (its load "
            "takes no revision keyword)"
        )
    return plan.adapter.load(
        plan.path, device, dtype, **{key: value for key, value in wanted.items() if takes_any or key in names}
    )
