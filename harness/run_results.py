"""What a run folder reports, as types: one finished (task, language) (`Fragment`) and the whole `results.json`
(`RunResults`, one `TaskResult` per task), each written with `to_json` and read back with `from_json`.

Reading is strict: a field that is not what `eval` writes (a file edited by hand or written by another tool) is one
error line naming the file and the field. `results.json` carries `schema`; a file of an older schema (or none, as
files before the field existed) is brought up to `SCHEMA_VERSION` by `migrate`, and a newer one is refused, since
its fields may mean something this version does not know.

Schema history: 1 (and files without `schema`): xlt-bench 0.1.0 before `aggregates` was written; 2: `aggregates`
(the suite's flat task mean and category mean when every task is complete). Within schema 2, tasks gained
`procedure` (how predictions were made, `xlt_bench.procedures`); a file without it reads as an empty record
(unknown), never as a procedure.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError, expect
from xlt_bench.files import read_json
from xlt_bench.lineage import Lineage

SCHEMA_VERSION = 2


# -- reading JSON fields with one-line errors --------------------------------------------------------------------


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON file holding an object; a missing, unreadable or invalid file is one line naming it."""
    document = read_json(path)
    if not isinstance(document, dict):
        raise XltBenchError(f"{path}: expected a JSON object")
    return document


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def metric_values(value: Any, file: Path | str, name: str, required: tuple[str, ...] = ()) -> dict[str, float]:
    """An object of finite metric values holding at least `required`."""
    expect(isinstance(value, dict), file, name, "an object of metric values", value)
    for metric, number in value.items():
        expect(_is_number(number), file, f"{name}.{metric}", "a finite number", number)
    missing = [metric for metric in required if metric not in value]
    expect(not missing, file, name, f"an object with {', '.join(required)}", value)
    return dict(value)


def _object(value: Any, file: Path | str, name: str) -> dict[str, Any]:
    """An optional object field (null reads as empty)."""
    value = {} if value is None else value
    expect(isinstance(value, dict), file, name, "an object", value)
    return value


# -- one finished (task, language) -------------------------------------------------------------------------------


def content_digest(fragment: dict[str, Any]) -> str:
    """sha256 of a fragment's JSON without its own digest: an edit by hand (a metric set to 99) shows."""
    content = {key: value for key, value in fragment.items() if key != "digest"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


@dataclass(frozen=True)
class Fragment:
    """One finished (task, language): its metrics, counts, provenance and signature, and the sha256 of the
    prediction, label and sample files it wrote (`files`, relative to the run folder; set when it is saved)."""

    task: str
    language: str
    metrics: dict[str, float]
    signature: dict[str, Any]
    split: str | None = None
    n_examples: int | None = None
    seconds: float | None = None
    data: str | None = None
    checkpoint: dict[str, Any] = field(default_factory=dict)
    device: str | None = None
    dtype: str | None = None
    batch_size: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    finished: str | None = None
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        content = {
            "task": self.task,
            "language": self.language,
            "split": self.split,
            "metrics": self.metrics,
            "n_examples": self.n_examples,
            "seconds": self.seconds,
            "data": self.data,
            "checkpoint": self.checkpoint,
            "device": self.device,
            "dtype": self.dtype,
            "batch_size": self.batch_size,
            "details": self.details,
            "finished": self.finished,
            "signature": self.signature,
            "files": self.files,
        }
        return {**content, "digest": content_digest(content)}

    @classmethod
    def from_json(cls, data: Any, file: Path | str) -> Fragment:
        """A fragment as `to_json` wrote it; anything else (damaged, edited by hand) is an error naming `file`."""
        shape = (("task", str), ("language", str), ("metrics", dict), ("signature", dict), ("files", dict))
        if not isinstance(data, dict) or not all(isinstance(data.get(key), kind) for key, kind in shape):
            raise XltBenchError(f"{file}: not a fragment written by xlt-bench eval")
        if data.get("digest") != content_digest(data):
            raise XltBenchError(f"{file}: changed after it was written (its digest does not match)")
        return cls(
            task=data["task"],
            language=data["language"],
            metrics=data["metrics"],
            signature=data["signature"],
            split=data.get("split"),
            n_examples=data.get("n_examples"),
            seconds=data.get("seconds"),
            data=data.get("data"),
            checkpoint=data.get("checkpoint") or {},
            device=data.get("device"),
            dtype=data.get("dtype"),
            batch_size=data.get("batch_size"),
            details=data.get("details") or {},
            finished=data.get("finished"),
            files=data["files"],
        )


# -- results.json ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskResult:
    """One task of a run: per-language metrics and what they were scored with; `average` and `score` exist only
    when every language of the task was scored (`complete`)."""

    languages: dict[str, dict[str, float]]
    version: int | None = None
    main_metric: str | None = None
    average: dict[str, float] | None = None
    score: float | None = None
    complete: bool = False
    examples: dict[str, int | None] = field(default_factory=dict)
    seconds: dict[str, float | None] = field(default_factory=dict)
    metric_params: dict[str, Any] | None = None
    limit: int | None = None
    data: dict[str, Any] = field(default_factory=dict)  # per language: the content identity of the data read
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    dtype: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # language -> why it was not scored
    skipped_examples: dict[str, dict[str, int]] = field(default_factory=dict)  # language -> unusable records
    # how outputs became predictions: the inference procedure and, for embedding tasks, the layer and pooling that
    # ran (`xlt_bench.procedures`); empty for task types no procedure decides
    procedure: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "procedure": self.procedure,
            "main_metric": self.main_metric,
            "languages": self.languages,
            "average": self.average,
            "score": self.score,
            "complete": self.complete,
            "examples": self.examples,
            "seconds": self.seconds,
            "metric_params": self.metric_params,
            "limit": self.limit,
            "data": self.data,
            "checkpoints": self.checkpoints,
            "dtype": self.dtype,
            "skipped": self.skipped,
            "skipped_examples": self.skipped_examples,
        }

    @classmethod
    def from_json(cls, entry: Any, file: Path | str, name: str) -> TaskResult:
        where = f"tasks.{name}"
        expect(isinstance(entry, dict), file, where, "an object", entry)
        languages = entry.get("languages")
        expect(isinstance(languages, dict), file, f"{where}.languages", "an object of per-language metrics", languages)
        return cls(
            languages={lang: metric_values(m, file, f"{where}.languages.{lang}") for lang, m in languages.items()},
            version=entry.get("version"),
            main_metric=entry.get("main_metric"),
            average=entry.get("average"),
            score=entry.get("score"),
            complete=bool(entry.get("complete")),
            examples=entry.get("examples") or {},
            seconds=entry.get("seconds") or {},
            metric_params=entry.get("metric_params"),
            limit=entry.get("limit"),
            data=_object(entry.get("data"), file, f"{where}.data"),
            checkpoints=entry.get("checkpoints") or [],
            dtype=entry.get("dtype") or [],
            procedure=_object(entry.get("procedure"), file, f"{where}.procedure"),
            skipped=entry.get("skipped") or {},
            skipped_examples=entry.get("skipped_examples") or {},
        )


def migrate(document: dict[str, Any], file: Path | str) -> dict[str, Any]:
    """`document` (a parsed results.json) in the current schema; a newer schema is refused naming `file`."""
    schema = document.get("schema", 1)
    expect(
        isinstance(schema, int) and not isinstance(schema, bool) and schema >= 1, file, "schema", "1 or more", schema
    )
    if schema > SCHEMA_VERSION:
        raise XltBenchError(
            f"{file}: results schema {schema} is newer than this xlt-bench reads ({SCHEMA_VERSION}); upgrade xlt-bench"
        )
    if schema == 1:  # aggregates were not recorded; None says so (the leaderboard re-aggregates anyway)
        document = {**document, "schema": 2, "aggregates": None}
    return document


@dataclass(frozen=True)
class RunResults:
    """A run folder's `results.json`: run metadata, one `TaskResult` per task, and the suite's aggregation."""

    suite: str
    tasks: dict[str, TaskResult]
    split: str = "test"
    lineage: Lineage = field(default_factory=Lineage)
    config: dict[str, Any] = field(default_factory=dict)  # batch size, device, dtype, seed, limit, data dir
    xlt_bench_version: str | None = None
    created: str | None = None
    updated: str | None = None
    command: list[str] = field(default_factory=list)
    model: str | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    seconds_this_invocation: float | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # task -> why it was not run
    categories: dict[str, float] = field(default_factory=dict)
    aggregates: dict[str, float] | None = None  # None: an older file that did not record them
    score: float | None = None

    @property
    def limit(self) -> int | None:
        """`eval --limit`: the first N examples per language only (a smoke run)."""
        return self.config.get("limit")

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "xlt_bench_version": self.xlt_bench_version,
            "created": self.created,
            "updated": self.updated,
            "command": self.command,
            "suite": self.suite,
            "split": self.split,
            "model": self.model,
            "lineage": self.lineage.to_json(),
            "config": self.config,
            "environment": self.environment,
            "seconds_this_invocation": self.seconds_this_invocation,
            "tasks": {name: task.to_json() for name, task in self.tasks.items()},
            "skipped": self.skipped,
            "categories": self.categories,
            "aggregates": self.aggregates,
            "score": self.score,
        }

    @classmethod
    def from_json(cls, document: dict[str, Any], file: Path | str) -> RunResults:
        if "tasks" not in document or "suite" not in document:
            raise XltBenchError(f"{file}: not an xlt-bench results.json (no 'suite' or 'tasks')")
        document = migrate(document, file)
        expect(isinstance(document["suite"], str), file, "suite", "a suite name", document["suite"])
        tasks = document["tasks"]
        expect(isinstance(tasks, dict), file, "tasks", "an object of task entries", tasks)
        split = document.get("split", "test")
        expect(isinstance(split, str), file, "split", "a split name", split)
        config = _object(document.get("config"), file, "config")
        limit = config.get("limit")
        ok = limit is None or (isinstance(limit, int) and not isinstance(limit, bool) and limit > 0)
        expect(ok, file, "config.limit", "a positive integer", limit)
        aggregates = document["aggregates"]
        if aggregates is not None:
            aggregates = metric_values(aggregates, file, "aggregates")
        return cls(
            suite=document["suite"],
            tasks={name: TaskResult.from_json(entry, file, name) for name, entry in tasks.items()},
            split=split,
            lineage=Lineage.from_json(document.get("lineage"), file),
            config=config,
            xlt_bench_version=document.get("xlt_bench_version"),
            created=document.get("created"),
            updated=document.get("updated"),
            command=document.get("command") or [],
            model=document.get("model"),
            environment=document.get("environment") or {},
            seconds_this_invocation=document.get("seconds_this_invocation"),
            skipped=document.get("skipped") or {},
            categories=document.get("categories") or {},
            aggregates=aggregates,
            score=document.get("score"),
        )

    @classmethod
    def read(cls, path: Path) -> RunResults:
        return cls.from_json(read_json_object(path), path)
