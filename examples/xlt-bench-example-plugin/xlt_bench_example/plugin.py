"""The example plugin: suite `example`, task `sentiment` (en, de), and the data, shipped in this package.

xlt-bench imports this module through the entry point in `pyproject.toml` at every start (`--help` and `list`
included), so it stays cheap: only plain declarations at module level, no torch, transformers or datasets.
Everything is registered through the public hooks (`xlt_bench.hookspecs` documents them):

- `xlt_register_suites` / `xlt_register_tasks`: what the benchmark is (metadata only);
- `xlt_register_formats`: a reader for our own file format;
- `xlt_resolve_data`: where our task's files are when the user passes no `--data-dir` (inside this package).

Batching, label matching, scoring and result files are the harness's; a plugin never re-implements them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from xlt_bench import DataFiles, DataFormat, DataSource, DataUnavailable, Suite, Task, TaskType, XltBenchError, hookimpl

SUITE = "example"
FORMAT = "example-sentiment-tsv"  # format names are global: prefix them with your plugin's name
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


@hookimpl
def xlt_register_suites(register: Callable[[Suite], None]) -> None:
    register(
        Suite(name=SUITE, description="Example plugin: handmade sentiment sentences (en, de)", tasks=("sentiment",))
    )


@hookimpl
def xlt_register_tasks(register: Callable[[Task], None]) -> None:
    register(TASK)


def read_sentiment_tsv(source: DataSource, language: str, split: str, **_: object) -> Iterator[dict]:
    """`{"id", "text", "label"}` per row of a `text<TAB>label` file with that header line.

    Classification examples may omit `text_pair` (single sentences). Errors name the file and line, because the
    user has to find and fix the row.
    """
    for path in source.files:
        with open(path, encoding="utf-8") as handle:
            header = handle.readline().rstrip("\n")
            if header.split("\t") != ["text", "label"]:
                raise XltBenchError(f"{path}:1: expected the header 'text<TAB>label', got {header!r}")
            for number, line in enumerate(handle, start=2):
                text, tab, label = line.rstrip("\n").rpartition("\t")
                if not tab or not text.strip() or label not in LABELS:
                    raise XltBenchError(f"{path}:{number}: expected 'text<TAB>{'|'.join(LABELS)}', got {line!r}")
                yield {"id": f"{language}-{number - 1}", "text": text.strip(), "label": label}


@hookimpl
def xlt_register_formats(register: Callable[[DataFormat], None]) -> None:
    # The version is part of the data cache key: bump it whenever the reader's output could change.
    register(DataFormat(FORMAT, read_sentiment_tsv, version=1, description="text<TAB>label with a header line"))


@hookimpl
def xlt_resolve_data(task: Task, language: str, split: str, data_dir: Path | None) -> DataSource | None:
    """Serve the packaged copy of our task's data when no `--data-dir` is given.

    None means "not mine": other plugins' tasks, and a `--data-dir` the user passed, are left to the built-in
    resolver (which then looks for our `DataFiles` pattern there, so a user can evaluate on a copy of their own).
    """
    if (task.suite, task.name) != (SUITE, TASK.name) or data_dir is not None:
        return None
    path = PACKAGE_DATA / "sentiment" / f"{split}-{language}.tsv"
    if not path.is_file():  # e.g. `--split dev`: say why, and eval skips the language with this reason
        raise DataUnavailable(
            f"the example plugin ships no {split!r} data for {language!r} (only {', '.join(TASK.splits)})"
        )
    return DataSource(FORMAT, files=(path,))
