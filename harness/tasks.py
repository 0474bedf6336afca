"""Typed metadata a plugin declares: suites, tasks and where their data lives.

Everything here is plain data (frozen dataclasses), cheap to import and to build, so `xlt-bench list` can show
every installed task without importing torch. A task's `version` must be bumped whenever anything that changes its
numbers changes (data reading, metric, metric parameters): results carry it, and runs of different versions are
never compared silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

_NAME = re.compile(r"^[a-z][a-z0-9_\-]*$")


class TaskType:
    """The names of the built-in task types. `Task.type` is an open name: any type a plugin registers with
    `xlt_register_runners` (its runner's `type`) is as valid as these; `xlt-bench list types` shows them all."""

    CLASSIFICATION = "classification"
    TAGGING = "tagging"
    EXTRACTIVE_QA = "extractive_qa"
    MULTIPLE_CHOICE = "multiple_choice"
    BITEXT_RETRIEVAL = "bitext_retrieval"  # nearest sentence across a bitext (Tatoeba)
    BITEXT_MINING = "bitext_mining"  # translation pairs mined from two corpora (BUCC)
    RANKING = "ranking"  # queries ranked against a candidate pool by embeddings (LAReQA, Mewsli-X)
    RELEVANCE = "relevance"  # a relevance score per (query, candidate) row, ranked within each query (XGLUE WPR)
    GENERATION = "generation"  # text from an encoder-decoder (XGLUE QG, NTG)


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class DataFiles:
    """One on-disk layout of a task's data, found by official file names anywhere below `--data-dir`.

    `patterns` maps a split to glob patterns matched against paths relative to the data dir (`**/` is implied
    in front). Placeholders: `{lang}` (the task language code) and `{code}` (`language_codes[lang]`, for
    releases that name files differently, e.g. Tatoeba's 3-letter codes). All files matching a split's first
    pattern that matches anything are read, in sorted order, and concatenated (UD merges all treebanks of a
    language this way). `format` names a registered `DataFormat`; `params` are passed to its reader (string values
    may use the same placeholders). `languages`, when given, limits the layout to those languages (e.g. the
    languages XTREME-R reads from a newer UD release). Two more pattern forms (the built-in resolver's docstring,
    `xlt_bench.data.resolve`, has the details): a first component `!GLOB` excludes files below folders matching
    GLOB, and `{every_lang}` makes one source of every language's file (LAReQA's joint pool).
    """

    format: str
    patterns: Mapping[str, tuple[str, ...]]
    params: Mapping[str, Any] = field(default_factory=dict)
    language_codes: Mapping[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "languages", tuple(self.languages))
        object.__setattr__(self, "patterns", _frozen({k: tuple(v) for k, v in self.patterns.items()}))
        object.__setattr__(self, "params", _frozen(self.params))
        object.__setattr__(self, "language_codes", _frozen(self.language_codes))


@dataclass(frozen=True)
class HubSource:
    """A Hugging Face Hub dataset copy of the data, used when there is no `--data-dir` and nothing prefetched.

    `config`, `splits` values and `filters` values may use `{lang}`/`{code}` placeholders. `fields` maps example
    keys (`text`, `tokens`, `label`...) to dataset columns; `label_values` maps the Hub's label names to the task's
    (e.g. a copy that says "same"/"different" where the files say 1/0). `faithful=False` marks copies that differ
    from the official files (counts, tokenisation): they are never used silently; the language is skipped and `note`
    says why. `languages`: the task languages this copy serves (empty: all of them); a task may declare several
    copies, the first that serves a language is read (XTREME-R's PAN-X: 40 languages from `google/xtreme`, 8 from
    `unimelb-nlp/wikiann`).

    `revision` pins the dataset repository's git revision: a commit id pins it for good (every built-in copy pins
    one), a branch or tag is resolved to its commit when the run is planned. Either way the commit read is part of
    the data's identity (result signature, data cache key, `results.json`). Only data-file repositories load
    (parquet, CSV, JSON...): `datasets` >= 4 runs no loading scripts, and a script repository is a one-line reason.
    `data_dir` reads the files below one folder of the repository instead of a declared config (the Hub's parquet
    conversion of a script dataset, branch `refs/convert/parquet`, has one folder per config and no card); it may
    use the placeholders too.
    """

    path: str
    config: str
    splits: Mapping[str, str]
    fields: Mapping[str, str]
    filters: Mapping[str, str] = field(default_factory=dict)
    faithful: bool = True
    note: str = ""
    language_codes: Mapping[str, str] = field(default_factory=dict)
    format: str = "hub"
    label_values: Mapping[str, str] = field(default_factory=dict)
    revision: str | None = None
    languages: tuple[str, ...] = ()
    data_dir: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "languages", tuple(self.languages))
        for name in ("splits", "fields", "filters", "language_codes", "label_values"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def serves(self, language: str) -> bool:
        return not self.languages or language in self.languages


@dataclass(frozen=True)
class Release:
    """A file of an official release that `xlt-bench prefetch` downloads, verifies and (archives) extracts.

    `languages`: the task languages it serves (empty: all of them); `sha256`/`size`: as published, or computed from
    the file at a pinned commit of its repository (every built-in release has both; None only for third-party ones
    whose checksum is unknown: then computed at the first download and checked afterwards); `path`: where a plain
    file goes below the task's data folder, for releases whose file names only differ by folder (MasakhaNER's
    `data/<lang>/test.txt`); default: the URL's file name. `members`: extract only the archive members below this
    path (one archive serving several tasks: XGLUE's `xglue_full_dataset/NER/`). `manual`: set when no program can
    download the file (it sits behind a terms page): one sentence saying where a person gets it; `prefetch` then
    asks for it with `--from FILE` and verifies it against `sha256`.
    """

    url: str
    sha256: str | None = None
    size: int | None = None
    languages: tuple[str, ...] = ()
    extract: bool = False
    path: str | None = None
    members: str | None = None
    manual: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "languages", tuple(self.languages))


@dataclass(frozen=True)
class SubmissionFiles:
    """Where one language's prediction and gold files sit in a submission folder: templates relative to it.

    Placeholders: `{task}` (the task name), `{lang}`, `{split}` and `{ext}` (the metric's submission extension).
    The default is XTREME's layout, `<task>/<split>-<lang>.<ext>` for both; XGLUE's scorer reads predictions from
    `<TASK>/<lang>.prediction` and gold straight from the dataset files, e.g. `NER/<lang>.test`.
    """

    predictions: str = "{task}/{split}-{lang}.{ext}"
    gold: str = "{task}/{split}-{lang}.{ext}"

    def prediction_path(self, root: Path, task: str, language: str, split: str, extension: str) -> Path:
        return Path(root) / self.predictions.format(task=task, lang=language, split=split, ext=extension)

    def gold_path(self, root: Path, task: str, language: str, split: str, extension: str) -> Path:
        return Path(root) / self.gold.format(task=task, lang=language, split=split, ext=extension)


@dataclass(frozen=True)
class Task:
    """A benchmark task: what is predicted, in which languages, from which data, scored how.

    - `metric` names a registered `Metric`; `metric_params` are passed to it.
    - `main_metrics`: the task score is the mean of these language-averaged metrics (QA: exact_match and f1, as
      the official XTREME `evaluate.py` does; otherwise a single metric).
    - `labels`: the label inventory (classification/tagging), matched **by name** against a checkpoint's
      `id2label`; `label_aliases` maps other accepted spellings (case-insensitive) to these names.
    - `gold_labels`: labels gold data may contain beyond `labels`, e.g. MasakhaNER's B-DATE/I-DATE, mapped to O by
      the metric's `types`. Gold data with any other label is an error naming its file and line
      (`data.validation.check_examples`), never scored silently.
    - `type`: the task type, i.e. which registered runner runs it (and so which checkpoint head it needs).
    - `inference`: the inference parameters its runner reads, such as `max_length` (`xlt-bench list types`).
    - `hub`: a `HubSource`, or several (each serving its `languages`), read when there is no `--data-dir` and
      nothing prefetched.
    - `releases`: the official files `prefetch` downloads; languages no release serves are prefetched from their
      faithful Hub copy.
    - `manual_data`: for data no release or Hub copy brings automatically, one sentence saying how a person gets
      it (skips and `prefetch` show it).
    - `submission`: where its prediction and gold files sit in a submission folder (default: XTREME's layout).
    - `checkpoint_names`: the folder names (in a per-task checkpoint folder) or manifest keys that may hold this
      task's checkpoint, in order of preference; default: the task name. XTREME's SQuAD model serves XQuAD and
      MLQA as `squad/`, and TyDiQA falls back to it when there is no `tydiqa/`.
    - `version`: bump whenever scoring or data reading changes.
    """

    name: str
    suite: str
    type: str  # a registered task type (`TaskType` names the built-in ones)
    languages: tuple[str, ...]
    metric: str
    main_metrics: tuple[str, ...]
    data: tuple[DataFiles, ...] = ()
    hub: tuple[HubSource, ...] | HubSource | None = ()  # kept as a tuple
    train_language: str = "en"
    train_data: str = ""
    splits: tuple[str, ...] = ("test",)
    labels: tuple[str, ...] = ()
    label_aliases: Mapping[str, str] = field(default_factory=dict)
    metric_params: Mapping[str, Any] = field(default_factory=dict)
    inference: Mapping[str, Any] = field(default_factory=dict)
    releases: tuple[Release, ...] = ()
    checkpoint_names: tuple[str, ...] = ()
    version: int = 1
    description: str = ""
    license: str = ""
    homepage: str = ""
    submission: SubmissionFiles = field(default_factory=SubmissionFiles)
    gold_labels: tuple[str, ...] = ()
    manual_data: str = ""

    def __post_init__(self) -> None:
        names = ("languages", "main_metrics", "data", "splits", "labels", "gold_labels", "releases", "checkpoint_names")
        for name in names:
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("label_aliases", "metric_params", "inference"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        hub = () if self.hub is None else (self.hub,) if isinstance(self.hub, HubSource) else tuple(self.hub)
        object.__setattr__(self, "hub", hub)

    def problems(self) -> list[str]:
        """What is malformed about this declaration (empty when valid)."""
        found = []
        if not _NAME.match(self.name or ""):
            found.append(f"name {self.name!r} must be lower-case letters, digits, '_' or '-'")
        if not self.suite:
            found.append("suite is empty")
        if not self.languages:
            found.append("no languages")
        if len(set(self.languages)) != len(self.languages):
            found.append("duplicate languages")
        if not self.main_metrics:
            found.append("no main_metrics")
        if not isinstance(self.type, str) or not _NAME.match(self.type):
            found.append(f"type {self.type!r} must name a task type (lower-case letters, digits, '_' or '-')")
        if not self.data and not self.hub:
            found.append("no data source (data files or hub)")
        for source in self.hub:
            if not isinstance(source, HubSource):
                found.append(f"hub must hold HubSource declarations, not {type(source).__name__}")
            elif stray := [language for language in source.languages if language not in self.languages]:
                found.append(f"hub {source.path} serves {', '.join(stray)}, not languages of the task")
        if self.version < 1:
            found.append("version must be >= 1")
        return found

    def hub_source(self, language: str) -> HubSource | None:
        """The Hub copy that serves `language`: the first declared whose `languages` include it, or None."""
        return next((source for source in self.hub if source.serves(language)), None)

    def releases_for(self, language: str) -> tuple[Release, ...]:
        """The releases that serve `language` (those declaring no languages serve all)."""
        return tuple(release for release in self.releases if not release.languages or language in release.languages)

    @property
    def checkpoint_folders(self) -> tuple[str, ...]:
        """Where to look for this task's checkpoint, in order (the task name unless declared otherwise)."""
        return self.checkpoint_names or (self.name,)

    @property
    def main_metric(self) -> str:
        """Human-readable name of the task score, e.g. `f1` or `mean(exact_match, f1)`."""
        if len(self.main_metrics) == 1:
            return self.main_metrics[0]
        return f"mean({', '.join(self.main_metrics)})"

    def canonical_label(self, name: str) -> str | None:
        """The task label a checkpoint's label `name` stands for, or None (case-insensitive, via aliases)."""
        folded = {label.casefold(): label for label in self.labels}
        folded.update({alias.casefold(): label for alias, label in self.label_aliases.items()})
        return folded.get(str(name).casefold())


@dataclass(frozen=True)
class Suite:
    """A named group of tasks with its aggregation rule.

    `categories` maps a category name to its tasks (a category score is the mean of its task scores, shown only
    when all its tasks are complete). `score`: "task_mean" = mean of all task scores (XTREME's `all_task`);
    "category_mean" = mean of the category scores; both are always reported, `score` says which is the suite's.
    `score` may also name one category (XGLUE's score is its understanding category; generation, scored in BLEU,
    is reported beside it).
    `optional` tasks belong to the suite and run like its tasks but do not count in its score (variants).
    """

    name: str
    description: str
    tasks: tuple[str, ...]
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    score: str = "task_mean"
    homepage: str = ""
    optional: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", tuple(self.tasks))
        object.__setattr__(self, "optional", tuple(self.optional))
        object.__setattr__(self, "categories", _frozen({k: tuple(v) for k, v in self.categories.items()}))

    def problems(self) -> list[str]:
        """What is malformed about this declaration (empty when valid)."""
        found = []
        if not _NAME.match(self.name or ""):
            found.append(f"name {self.name!r} must be lower-case letters, digits, '_' or '-'")
        if not self.tasks:
            found.append("no tasks")
        if self.score not in ("task_mean", "category_mean", *self.categories):
            found.append(f"score must be 'task_mean', 'category_mean' or a category name, not {self.score!r}")
        stray = {t for tasks in self.categories.values() for t in tasks} - set(self.tasks)
        if stray:
            found.append(f"categories name tasks outside the suite: {', '.join(sorted(stray))}")
        return found
