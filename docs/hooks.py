"""MkDocs hooks (`hooks:` in mkdocs.yml): the parts of the documentation that are generated from the code.

A page asks for generated content with an HTML comment on a line of its own; the comment is replaced at build time,
so what the site shows cannot drift from the code (on GitHub the comment is invisible and the page says where the
generated part lives):

- `<!-- generated: cli-reference -->`: every subcommand's usage and options, from `xlt_bench.cli.build_parser()`;
- `<!-- generated: fields MODULE.CLASS -->`: a table of a dataclass's fields (name, type, default) with the
  description written in `FIELD_DOCS` below; a field without a description, or a description of a field that is no
  longer there, fails the build;
- `<!-- generated: task-types -->`: each registered task type's runner, model role and inference parameters;
- `<!-- include: PATH -->`: the file PATH (relative to docs/) as a fenced code block, so a listing is the tested file.

Anything malformed raises `PluginError`, which fails `mkdocs build` (strict or not).
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import importlib
import os
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

DOCS = Path(__file__).resolve().parent
MARKER = re.compile(r"^<!-- (generated|include): ?(.*?) -->$", re.M)
HELP_WIDTH = "100"  # argparse wraps help to $COLUMNS: fixed, so the page is the same on every machine

# What each field of the plugin author's dataclasses means. Keep one entry per field: the build checks both ways.
FIELD_DOCS: dict[str, dict[str, str]] = {
    "xlt_bench.tasks.Task": {
        "name": "the task's name within its suite: lower-case letters, digits, `_` or `-` (`xnli`)",
        "suite": "the suite it belongs to (the suite must list it in `tasks` or `optional`)",
        "type": "the task type, i.e. which registered runner runs it and which checkpoint head it needs "
        "(`TaskType` spells the built-in ones; a plugin may register its own)",
        "languages": "the evaluation languages, in the order tables show them",
        "metric": "the name of a registered `Metric` (`accuracy`, `seqeval`, `squad`, ... or your own)",
        "main_metrics": 'the metric values whose mean is the task score (`("accuracy",)`; QA `("exact_match", "f1")`)',
        "data": "`DataFiles` layouts found by file name below `--data-dir`, original release first",
        "hub": "a `HubSource` (or several, each serving its `languages`): the Hub copy read without `--data-dir`",
        "train_language": "the language the checkpoint is fine-tuned on (zero-shot transfer: `en`)",
        "train_data": "one sentence naming the training set a checkpoint should be fine-tuned on (shown by `list`)",
        "splits": 'the splits the data has (`eval --split` picks one); default `("test",)`',
        "labels": "the label inventory (classification, tagging), matched **by name** against the checkpoint's "
        "`id2label`",
        "label_aliases": "other accepted spellings of labels (case-insensitive) → the names in `labels`",
        "metric_params": "keyword arguments passed to the metric's `compute` (part of every result's signature)",
        "inference": 'the inference parameters its runner reads, e.g. `{"max_length": 128}` for classification '
        "(required ones are in the task-type table below; `check_task` names any that are missing)",
        "releases": "`Release` files `prefetch` (and `eval`, when they are missing) downloads and verifies",
        "checkpoint_names": "folder names or manifest keys that may hold its checkpoint, in order of preference "
        '(default: the task name; XQuAD\'s is `("xquad", "squad")`)',
        "version": "bump whenever its numbers could change (data reading, labels, metric): part of every result's "
        "identity",
        "description": "one line shown by `list tasks`",
        "license": "the data's licence (shown by `list tasks --json`)",
        "homepage": "where the benchmark is described",
        "submission": "`SubmissionFiles`: where its prediction and gold files sit in a submission folder",
        "gold_labels": "labels gold data may hold beyond `labels` (MasakhaNER's DATE tags, which its metric maps "
        "to O); anything else in gold data is an error naming file and line",
        "manual_data": "for data nothing downloads: one sentence saying how a person gets it (skips and "
        "`prefetch` show it)",
    },
    "xlt_bench.tasks.DataFiles": {
        "format": "the name of a registered `DataFormat` whose reader parses these files",
        "patterns": "split → glob patterns relative to `--data-dir` (`**/` implied in front), with `{lang}` and "
        "`{code}` placeholders; the first pattern that matches anything is read (all its files, sorted)",
        "params": "keyword arguments passed to the reader (string values may use the placeholders)",
        "language_codes": "task language → the code the files use, for `{code}` (Tatoeba's `deu` for `de`)",
        "languages": "limit this layout to these languages (empty: all of the task's)",
    },
    "xlt_bench.tasks.HubSource": {
        "path": "the dataset repository (`google/xtreme`)",
        "config": "its config (may use `{lang}`/`{code}`: `PAN-X.{lang}`)",
        "splits": "task split → the dataset's split name",
        "fields": "example key (`text`, `tokens`, `label`, ...) → dataset column",
        "filters": "column → value rows must have (placeholders allowed)",
        "faithful": "False for copies that differ from the official files: never used silently (`note` says why)",
        "note": "why the copy is or is not faithful",
        "language_codes": "task language → the code the copy uses",
        "format": "the reader of the rows (default `hub`)",
        "label_values": "the Hub's label names → the task's",
        "revision": "the git revision to read: a commit id pins it (every built-in copy pins one); a branch or tag "
        "is resolved when a run is planned",
        "languages": "the task languages this copy serves (empty: all)",
        "data_dir": "read the files below this folder of the repository instead of a declared config",
    },
    "xlt_bench.tasks.Release": {
        "url": "where the file is downloaded from",
        "sha256": "its published (or computed at a pinned commit) sha256; None only when unknown",
        "size": "its size in bytes",
        "languages": "the task languages it serves (empty: all)",
        "extract": "True for an archive to extract (safely) into the task's data folder",
        "path": "where a plain file goes below the task's data folder (default: the URL's file name)",
        "members": "extract only the archive members below this path",
        "manual": "for a file behind a terms page: one sentence saying where a person gets it "
        "(`prefetch --from FILE` then takes it)",
    },
    "xlt_bench.tasks.SubmissionFiles": {
        "predictions": "template of a prediction file's path in a submission folder (`{task}`, `{lang}`, "
        "`{split}`, `{ext}`)",
        "gold": "template of a gold file's path",
    },
    "xlt_bench.tasks.Suite": {
        "name": "the suite's name (global: prefix a plugin's with its own name)",
        "description": "one line shown by `list suites`",
        "tasks": "its task names, in the order tables show them",
        "categories": "category → its tasks; a category score is the mean of its task scores",
        "score": "`task_mean` (mean of the task scores), `category_mean`, or the name of one category",
        "homepage": "where the suite is described",
        "optional": "tasks that run like the others but do not count in the suite score (variants)",
    },
    "xlt_bench.data.formats.DataFormat": {
        "name": "the format's name (global: prefix a plugin's with its own name)",
        "read": "`read(source, language, split, **params)` yields one dict per example, in the runner's shape, "
        "with an `id`",
        "version": "bump whenever the reader's output could change: it keys the data cache",
        "description": "one line shown by `list`",
        "companions": "`companions(path)` lists other files the reader opens next to `path` (part of the data's "
        "identity)",
    },
    "xlt_bench.data.formats.DataSource": {
        "format": "the `DataFormat` that reads it",
        "files": "local files, read in order",
        "hub": "or a Hub split: `(dataset path, config, split)`",
        "params": "keyword arguments for the reader",
        "revision": "the Hub dataset's git revision (None: its main branch)",
    },
    "xlt_bench.metrics.Metric": {
        "name": "the metric's name, which `Task.metric` refers to",
        "compute": "`compute(gold, predictions, *, language, **metric_params)` → `{key: value x 100}` for one language",
        "keys": "the values `compute` returns (`Task.main_metrics` picks among them)",
        "submission": "a `SubmissionFormat`: how gold and prediction files are written, read and checked",
        "description": "one line shown by `list metrics`",
        "per_example": "decomposes the metric into per-example statistics for the paired bootstrap",
        "statistics": "describes those statistics without data, so `eval` logs them in `samples/`",
    },
}


def _type_name(annotation: object) -> str:
    """The annotation as written (`tuple[str, ...]`), module prefixes dropped."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))
    return re.sub(r"\b(?:[a-z_]+\.)+(?=[A-Za-z_]+\b)", "", str(text))


def _default(field: dataclasses.Field) -> str:
    if field.default is not dataclasses.MISSING:
        return f"`{field.default!r}`"
    if field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
        return f"`{value!r}`" if not dataclasses.is_dataclass(value) else f"`{type(value).__name__}()`"
    return "required"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def fields_table(dotted: str) -> str:
    module, _, name = dotted.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise PluginError(f"generated: fields {dotted}: {error}") from error
    if not dataclasses.is_dataclass(cls):
        raise PluginError(f"generated: fields {dotted}: not a dataclass")
    docs = FIELD_DOCS.get(dotted)
    if docs is None:
        raise PluginError(f"generated: fields {dotted}: docs/hooks.py has no FIELD_DOCS entry for it")
    fields = dataclasses.fields(cls)
    names = [field.name for field in fields]
    if missing := [name for name in names if name not in docs]:
        raise PluginError(f"{dotted}: fields without a description in docs/hooks.py FIELD_DOCS: {', '.join(missing)}")
    if stale := [name for name in docs if name not in names]:
        raise PluginError(f"{dotted}: FIELD_DOCS describes fields it no longer has: {', '.join(stale)}")
    rows = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for field in fields:
        annotation = _type_name(field.type)
        code = html.escape(annotation).replace("|", "&#124;")  # a pipe in a code span would end the table cell
        rows.append(f"| `{field.name}` | <code>{code}</code> | {_cell(_default(field))} | {_cell(docs[field.name])} |")
    return "\n".join(rows)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_reference() -> str:
    os.environ["COLUMNS"] = HELP_WIDTH
    from xlt_bench.cli import build_parser

    parser = build_parser()
    parts = ["### `xlt-bench`", "", "```text", parser.format_help().rstrip(), "```"]
    for name, command in _subcommands(parser).items():
        parts += ["", f"### `xlt-bench {name}`", ""]
        if command.description:
            parts += [command.description, ""]
        parts += ["```text", command.format_help().rstrip(), "```"]
    return "\n".join(parts)


def task_types() -> str:
    from xlt_bench.registry import load_registry

    registry = load_registry()
    rows = ["| task type | runner | model role | inference: required | inference: optional |", "|---|---|---|---|---|"]
    for name, runner in sorted(registry.runners.items()):
        required = ", ".join(f"`{p}`" for p in runner.inference_required) or "-"
        optional = ", ".join(f"`{p}`" for p in runner.inference_optional) or "-"
        where = f"{runner.__module__}.{runner.__name__}"
        rows.append(f"| `{name}` | `{where}` | `{runner.role}` | {required} | {optional} |")
    return "\n".join(rows)


def include(relative: str, page: object) -> str:
    path = (DOCS / relative).resolve()
    if DOCS not in path.parents or not path.is_file():
        raise PluginError(f"{page}: include: {relative}: no such file below docs/")
    language = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".sh": "bash"}.get(path.suffix, "")
    return f"```{language}\n{path.read_text(encoding='utf-8').rstrip()}\n```"


def render(markdown: str, page: object = "page") -> str:
    def replace(match: re.Match) -> str:
        kind, argument = match.group(1), match.group(2).strip()
        if kind == "include":
            return include(argument, page)
        if argument == "cli-reference":
            return cli_reference()
        if argument == "task-types":
            return task_types()
        if argument.startswith("fields "):
            return fields_table(argument.split(None, 1)[1])
        raise PluginError(f"{page}: unknown generated block {argument!r}")

    return MARKER.sub(replace, markdown)


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    return render(markdown, getattr(page.file, "src_path", page))
