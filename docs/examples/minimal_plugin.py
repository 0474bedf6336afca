"""A complete minimal xlt-bench plugin: suite `mini`, one classification task `reviews` (en, de).

Its data are `reviews/test-<lang>.tsv` files (`text<TAB>label` lines) anywhere below `--data-dir`. Load it with
`xlt-bench -p minimal_plugin ...` while this file is importable, or announce it in the `xlt_bench` entry-point group
of your distribution. tests/test_docs.py registers and runs this very file.
"""

from collections.abc import Iterator

from xlt_bench import DataFiles, DataFormat, DataSource, Suite, Task, TaskType, XltBenchError, hookimpl
from xlt_bench.files import numbered_lines

LABELS = ("positive", "negative")

TASK = Task(
    name="reviews",
    suite="mini",
    type=TaskType.CLASSIFICATION,  # the runner, and the checkpoint head it needs (ForSequenceClassification)
    languages=("en", "de"),
    metric="accuracy",  # a built-in metric
    main_metrics=("accuracy",),
    labels=LABELS,  # matched by name against the checkpoint's config.id2label
    data=(DataFiles("mini-tsv", {"test": ("reviews/test-{lang}.tsv",)}),),
    inference={"max_length": 128},  # the classification runner requires max_length
)


def read_tsv(source: DataSource, language: str, split: str, **params) -> Iterator[dict]:
    """One `{"id", "text", "label"}` per line: what the classification runner reads."""
    for path in source.files:
        for number, line in numbered_lines(path):
            text, tab, label = line.rpartition("\t")
            if not tab or label not in LABELS:
                raise XltBenchError(f"{path}:{number}: expected 'text<TAB>positive|negative', got {line!r}")
            yield {"id": f"{language}-{number}", "text": text, "label": label}


@hookimpl
def xlt_register_formats(register):
    register(DataFormat(name="mini-tsv", read=read_tsv, version=1, description="text<TAB>label"))


@hookimpl
def xlt_register_suites(register):
    register(Suite(name="mini", description="A minimal example suite", tasks=("reviews",)))


@hookimpl
def xlt_register_tasks(register):
    register(TASK)
