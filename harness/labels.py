"""Matching a checkpoint's output labels to a task's labels **by name**, never by position.

A silently permuted label order is the classic way cross-lingual harnesses produce wrong numbers, so a checkpoint
is accepted only when every name in its `config.id2label` is a task label (case-insensitive, task aliases
allowed) and every task label can be predicted. Generic names (`LABEL_0`...) and differing label sets are refused
with a message that says how to fix it; `--label-map TASK:MODEL_LABEL=TASK_LABEL,...` (or a YAML/JSON file, or a
manifest entry) states the mapping explicitly, and may map several model labels to one task label (e.g. a CoNLL
NER model's B-MISC/I-MISC to O).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from xlt_bench.errors import XltBenchError
from xlt_bench.files import read_json, read_yaml
from xlt_bench.tasks import Task

_GENERIC = re.compile(r"^LABEL_\d+$")


class CheckpointMismatch(XltBenchError):
    """A checkpoint that does not fit a task (head or labels); the task is skipped with this reason."""


def parse_label_maps(specs: list[str]) -> dict[str, dict[str, str]]:
    """`--label-map` values -> {task: {model label: task label}}.

    Each value is `TASK:MODEL=TASK_LABEL,MODEL=TASK_LABEL` or a path to a YAML/JSON file holding
    `{task: {model label: task label}}`.
    """
    maps: dict[str, dict[str, str]] = {}
    for spec in specs:
        if Path(spec).is_file():
            for task, mapping in _read_mapping_file(Path(spec)).items():
                maps.setdefault(task, {}).update(mapping)
            continue
        task, colon, pairs = spec.partition(":")
        entries = [pair.partition("=") for pair in pairs.split(",") if pair.strip()]
        if not colon or not task.strip() or not entries or any(not eq or not a.strip() for a, eq, _ in entries):
            raise XltBenchError(f"--label-map {spec!r}: expected TASK:MODEL_LABEL=TASK_LABEL,... or a YAML/JSON file")
        maps.setdefault(task.strip(), {}).update({a.strip(): b.strip() for a, _, b in entries})
    return maps


def _read_mapping_file(path: Path) -> dict[str, dict[str, str]]:
    document = read_json(path) if path.suffix == ".json" else read_yaml(path, "label map")
    if not isinstance(document, dict) or not all(isinstance(v, dict) for v in document.values()):
        raise XltBenchError(f"{path}: expected {{task: {{model_label: task_label}}}}")
    return {str(task): {str(k): str(v) for k, v in mapping.items()} for task, mapping in document.items()}


def output_labels(
    task: Task, id2label: Mapping[int, str], explicit: Mapping[str, str] | None, checkpoint: str
) -> dict[int, str]:
    """{model output id: task label} for `checkpoint`, or `CheckpointMismatch` saying what does not fit (also when
    its id2label is not a mapping of output index to label name)."""
    if not isinstance(id2label, Mapping):
        raise CheckpointMismatch(
            f"{checkpoint}: config.json's id2label must be an object of output index to label name, "
            f"not {type(id2label).__name__}"
        )
    try:
        names = {int(i): str(name) for i, name in id2label.items()}
    except (TypeError, ValueError):
        raise CheckpointMismatch(
            f"{checkpoint}: config.json's id2label must be an object of output index to label name; its keys "
            f"({', '.join(map(str, list(id2label)[:3]))}) are not numbers"
        ) from None
    task_labels = ", ".join(task.labels)
    mapping: dict[int, str] = {}
    generic, unmatched = [], []
    for index, name in sorted(names.items()):
        if explicit:
            target = explicit.get(name, explicit.get(str(index)))
            if target is None:
                unmatched.append(name)
                continue
            canonical = task.canonical_label(target)
            if canonical is None:
                raise CheckpointMismatch(
                    f"--label-map for {task.name} maps {name!r} to {target!r}, not one of: {task_labels}"
                )
        elif _GENERIC.match(name):
            generic.append(name)
            continue
        else:
            canonical = task.canonical_label(name)
            if canonical is None:
                unmatched.append(name)
                continue
        mapping[index] = canonical
    template = ",".join(f"{names[i]}=<label>" for i in sorted(names))
    if generic:
        raise CheckpointMismatch(
            f"{checkpoint} has generic labels ({', '.join(generic)}) that cannot be matched by name; set "
            f"id2label in its config.json or pass --label-map {task.name}:{template} (labels: {task_labels})"
        )
    if unmatched:
        what = "are not mapped by --label-map" if explicit else f"are not {task.name} labels"
        raise CheckpointMismatch(
            f"{checkpoint} labels {', '.join(unmatched)} {what} (task labels: {task_labels}); "
            f"map them with --label-map {task.name}:{template}"
        )
    if not explicit and len(set(mapping.values())) != len(mapping):
        raise CheckpointMismatch(f"{checkpoint}: several labels mean the same {task.name} label; use --label-map")
    missing = [label for label in task.labels if label not in mapping.values()]
    if missing:
        raise CheckpointMismatch(f"{checkpoint} cannot predict {task.name} labels: {', '.join(missing)}")
    return mapping
