"""The example plugin: suite `example` with tasks `sentiment` and `sts` (en, de), and the data, in this package.

xlt-bench imports this module through the entry point in `pyproject.toml` at every start (`--help` and `list`
included), so it stays cheap: only plain declarations at module level, no torch, transformers or datasets.
Everything is registered through the public hooks (`xlt_bench.hookspecs` documents them):

- `xlt_register_suites` / `xlt_register_tasks`: what the benchmark is (metadata only);
- `xlt_register_runners` / `xlt_register_metrics`: a task type of our own, `example-sts` (sentence similarity scored
  by Spearman, in `sts.py`), which the `sts` task uses;
- `xlt_register_formats`: readers for our own file formats;
- `xlt_resolve_data`: where our tasks' files are when the user passes no `--data-dir` (inside this package).

Batching, label matching, scoring and result files are the harness's; a plugin never re-implements them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from xlt_bench import (
    DataFiles,
    DataFormat,
    DataSource,
    DataUnavailable,
    Metric,
    Runner,
    Suite,
    Task,
    TaskType,
    XltBenchError,
    hookimpl,
)
from xlt_bench.files import numbered_lines
from xlt_bench_example.sts import SPEARMAN, SimilarityRunner

SUITE = "example"
FORMAT = "example-sentiment-tsv"  # format names are global: prefix them with your plugin's name
STS_FORMAT = "example-sts-tsv"
LABELS = ("positive", "negative")
# The packaged copy is laid out as a `--data-dir` copy would be, so one DataFiles pattern describes both.
PACKAGE_DATA = Path(__file__).parent / "data"

TASK = Task(
    name="sentiment",
    suite=SUITE,
    type=TaskType.CLASSIFICATION,  # selects the runner and the checkpoint head (ForSequenceClassification)
    languages=("en", "de"),
    metric="accuracy",  # a built-in metric; register your own with `xlt_register_metrics`
    main_metrics=("accuracy",),
    labels=LABELS,  # matched by name against the checkpoint's config.id2label, never by position
    data=(DataFiles(FORMAT, {"test": ("sentiment/test-{lang}.tsv",)}),),  # what to look for below --data-dir
    train_data="any English sentiment training set (e.g. SST-2)",
    inference={"max_length": 64},  # the classification runner reads max_length (check_task says what is missing)
    version=1,  # bump whenever the numbers could change (data, reader, metric)
    description="Sentiment of short handmade product and everyday sentences: positive or negative",
    license="CC0-1.0",
)
STS_TASK = Task(
    name="sts",
    suite=SUITE,
    type=SimilarityRunner.type,  # our own task type, registered below with xlt_register_runners
    languages=("en", "de"),
    metric=SPEARMAN.name,  # our own metric, registered below with xlt_register_metrics
    main_metrics=("spearman",),
    data=(DataFiles(STS_FORMAT, {"test": ("sts/test-{lang}.tsv",)}),),
    train_data="none: zero-shot similarity of the encoder's sentence embeddings",
    inference={"pooling": "mean", "max_length": 64},  # read by SimilarityRunner (`xlt-bench list types`)
    version=1,
    description="Similarity (0-5) of handmade sentence pairs, scored by Spearman against embedding cosines",
    license="CC0-1.0",
)
TASKS = (TASK, STS_TASK)


@hookimpl
def xlt_register_suites(register: Callable[[Suite], None]) -> None:
    register(
        Suite(
            name=SUITE,
            description="Example plugin: handmade sentiment sentences and similarity pairs (en, de)",
            tasks=tuple(task.name for task in TASKS),
        )
    )


@hookimpl
def xlt_register_tasks(register: Callable[[Task], None]) -> None:
    for task in TASKS:
        register(task)


@hookimpl
def xlt_register_runners(register: Callable[[type[Runner]], None]) -> None:
    register(SimilarityRunner)  # the class: the harness makes one per task


@hookimpl
def xlt_register_metrics(register: Callable[[Metric], None]) -> None:
    register(SPEARMAN)


def tsv_rows(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, list[str], str]]:
    """(line number, tab-separated fields, line) of every row after the header line, which must be `header`.

    `xlt_bench.files.numbered_lines` reads the file: a missing, unreadable or non-UTF-8 file is one line naming it.
    """
    rows = numbered_lines(path)
    found = next(rows, (1, ""))[1]
    if tuple(found.split("\t")) != header:
        raise XltBenchError(f"{path}:1: expected the header {'<TAB>'.join(header)!r}, got {found!r}")
    for number, line in rows:
        yield number, line.split("\t"), line


def read_sentiment_tsv(source: DataSource, language: str, split: str, **_: object) -> Iterator[dict]:
    """`{"id", "text", "label"}` per row of a `text<TAB>label` file with that header line.

    Classification examples may omit `text_pair` (single sentences). Errors name the file and line, because the
    user has to find and fix the row.
    """
    for path in source.files:
        for number, _, line in tsv_rows(path, ("text", "label")):
            text, tab, label = line.rpartition("\t")
            if not tab or not text.strip() or label not in LABELS:
                raise XltBenchError(f"{path}:{number}: expected 'text<TAB>{'|'.join(LABELS)}', got {line!r}")
            yield {"id": f"{language}-{number - 1}", "text": text.strip(), "label": label}


def _similarity(fields: list[str]) -> float | None:
    """A row's score when it has two non-empty sentences and a number from 0 to 5, else None."""
    if len(fields) != 3 or not all(field.strip() for field in fields[:2]):
        return None
    try:
        score = float(fields[2])
    except ValueError:
        return None
    return score if 0 <= score <= 5 else None


def read_sts_tsv(source: DataSource, language: str, split: str, **_: object) -> Iterator[dict]:
    """`{"id", "text", "text_pair", "score"}` per row of a `text<TAB>text_pair<TAB>score` file with that header."""
    for path in source.files:
        for number, fields, line in tsv_rows(path, ("text", "text_pair", "score")):
            if (score := _similarity(fields)) is None:
                raise XltBenchError(f"{path}:{number}: expected 'text<TAB>text_pair<TAB>score 0-5', got {line!r}")
            yield {"id": f"{language}-{number - 1}", "text": fields[0], "text_pair": fields[1], "score": score}


@hookimpl
def xlt_register_formats(register: Callable[[DataFormat], None]) -> None:
    # The version is part of the data cache key: bump it whenever the reader's output could change.
    register(DataFormat(name=FORMAT, read=read_sentiment_tsv, version=1, description="text<TAB>label, a header line"))
    register(DataFormat(name=STS_FORMAT, read=read_sts_tsv, version=1, description="text<TAB>text_pair<TAB>score"))


@hookimpl
def xlt_resolve_data(task: Task, language: str, split: str, data_dir: Path | None) -> DataSource | None:
    """Serve the packaged copy of our tasks' data when no `--data-dir` is given.

    None means "not mine": other plugins' tasks, and a `--data-dir` the user passed, are left to the built-in
    resolver (which then looks for our `DataFiles` pattern there, so a user can evaluate on a copy of their own).
    """
    ours = {(SUITE, ours.name): ours for ours in TASKS}.get((task.suite, task.name))
    if ours is None or data_dir is not None:
        return None
    path = PACKAGE_DATA / ours.name / f"{split}-{language}.tsv"
    if not path.is_file():  # e.g. `--split dev`: say why, and eval skips the language with this reason
        raise DataUnavailable(
            f"the example plugin ships no {split!r} data for {language!r} (only {', '.join(ours.splits)})"
        )
    return DataSource(ours.data[0].format, files=(path,))
