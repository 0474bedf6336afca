"""Gold data checked against its task before any model runs: a label outside the inventory, or a repeated id, is an
error naming the file and line, never a silently wrong score.

Readers check what their format fixes (CoNLL-U's 17 UPOS tags, XCOPA's 0/1 labels); `check_examples` checks what
the task fixes, whatever the format (original files or a Hub copy):

- classification and ranking: every gold `label` is one of the task's `labels` or `gold_labels`;
- tagging: every tag of every sentence is one of them (MasakhaNER's DATE tags are `gold_labels` of `masakhaner2`);
- multiple choice: every `label` is the index of one of the example's `choices`;
- every task type: ids are unique, because predictions, per-sample logs and QA answers are keyed by them. Retrieval
  tables hold two kinds of rows, so there ids are unique per `side` (BUCC: source and English sentences) or per
  `role` (LAReQA, Mewsli-X: queries and candidates); a query may share its id with a candidate, and BUCC's gold
  lists and WPR's query `group`s repeat by design (they are not ids).

Where an id is `<file name>:<line>` (UD, PAN-X, MasakhaNER, XNLI, XTREME's processed files) the message names that
file and line; otherwise it names the source's files and the example id (PAWS-X's own ids, XGLUE's row counters,
SQuAD question ids, Hub rows).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from xlt_bench.data.formats import DataSource
from xlt_bench.errors import XltBenchError
from xlt_bench.tasks import Task

_FILE_LINE = re.compile(r"^(?P<name>.+):(?P<line>\d+)$")
_KINDS = ("side", "role")  # retrieval tables: ids are unique within each kind of row


def _file_line(source: DataSource, example_id: str) -> str | None:
    """`<path>:<line>` when the id is `<file name>:<line>` of one of the source's files."""
    match = _FILE_LINE.match(str(example_id))
    if match:
        for path in source.files:
            if Path(path).name == match["name"]:
                return f"{path}:{match['line']}"
    return None


def where(source: DataSource, example_id: str) -> str:
    """Where an example is: `<path>:<line>` when its id says so, else the source's files and the id."""
    return _file_line(source, example_id) or f"{source.describe()}: example {example_id!r}"


def _column(examples: Any, name: str) -> list:
    """A whole column as a list, read in one go (iterating a `datasets` Column reads row by row: 10-100x slower)."""
    return examples[name][:]


def _inventory(task: Task) -> tuple[str, ...]:
    return (*task.labels, *task.gold_labels)


def _outside(task: Task, what: str) -> str:
    return f"is not a {task.suite}/{task.name} {what}; expected one of {', '.join(_inventory(task))}"


def _check_ids(examples: Any, source: DataSource) -> None:
    kind = next((name for name in _KINDS if name in examples.column_names), None)
    kinds = _column(examples, kind) if kind else [""] * len(examples)
    first: dict[tuple[str, str], int] = {}
    for index, key in enumerate(zip(kinds, _column(examples, "id"))):
        if key in first:
            place = _file_line(source, key[1]) or source.describe()
            scope = f" among the {key[0]} rows" if kind else ""
            raise XltBenchError(
                f"{place}: example id {key[1]!r} repeats the id of row {first[key] + 1}{scope}; expected unique ids"
            )
        first[key] = index


def _check_labels(task: Task, examples: Any, source: DataSource) -> None:
    allowed = set(_inventory(task))
    for example_id, label in zip(_column(examples, "id"), _column(examples, "label")):
        if label not in allowed:
            raise XltBenchError(f"{where(source, example_id)}: gold label {label!r} {_outside(task, 'label')}")


def _check_tags(task: Task, examples: Any, source: DataSource) -> None:
    allowed = set(_inventory(task))
    for example_id, tokens, tags in zip(*(_column(examples, name) for name in ("id", "tokens", "tags"))):
        for position, tag in enumerate(tags):
            if tag not in allowed:
                word = f"word {position + 1} ({tokens[position]!r})" if position < len(tokens) else "a word"
                raise XltBenchError(
                    f"{where(source, example_id)}: gold tag {tag!r} of {word} of this sentence {_outside(task, 'tag')}"
                )


def _check_choices(examples: Any, source: DataSource) -> None:
    for example_id, choices, label in zip(*(_column(examples, name) for name in ("id", "choices", "label"))):
        if label not in {str(index) for index in range(len(choices))}:
            raise XltBenchError(
                f"{where(source, example_id)}: gold label {label!r} is not the index of one of its "
                f"{len(choices)} choices; expected 0 to {len(choices) - 1}"
            )


def check_examples(task: Task, examples: Any, source: DataSource) -> None:
    """Raise `XltBenchError` at the first gold label outside `task`'s inventory or repeated example id (see the
    module docstring). `examples` is the loaded `datasets.Dataset` (after `drop_skipped`); `source` names its files.
    Which column holds gold labels is read from the examples, not the task type, so a plugin's task type with a
    `label` or `tags` column and declared `labels` is checked alike.
    """
    if "id" in examples.column_names:
        _check_ids(examples, source)
    columns = set(examples.column_names)
    if task.labels and {"tokens", "tags"} <= columns:
        _check_tags(task, examples, source)
    elif task.labels and "label" in columns:
        _check_labels(task, examples, source)
    elif {"choices", "label"} <= columns:
        _check_choices(examples, source)
