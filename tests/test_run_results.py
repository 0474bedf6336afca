"""The typed results model (results.json and fragments: round trips, schema check, migration) and the samples log
(per-example statistics joined with the runner's samples, read back by the paired bootstrap)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from xlt_bench.errors import XltBenchError
from xlt_bench.lineage import Lineage
from xlt_bench.metrics import BUILTIN_METRICS
from xlt_bench.registry import load_registry
from xlt_bench.run_results import SCHEMA_VERSION, Fragment, RunResults, TaskResult
from xlt_bench.samples import read_statistics, sample_lines

METRICS = {metric.name: metric for metric in BUILTIN_METRICS}

# a results.json as xlt-bench wrote it with schema 1 (before `aggregates`), trimmed to one task and language
SCHEMA_1 = {
    "schema": 1,
    "xlt_bench_version": "0.1.0",
    "created": "2024-05-01T10:00:00+00:00",
    "updated": "2024-05-01T10:05:00+00:00",
    "command": ["xlt-bench", "eval", "--model", "ckpt"],
    "suite": "xtreme",
    "split": "test",
    "model": "ckpt",
    "lineage": {"label": "r1", "base": "xlmr", "intermediate": ["mnli"], "direct": False},
    "config": {"batch_size": 32, "device": "cpu", "dtype": "auto", "seed": 1234, "limit": 2, "data_dir": None},
    "environment": {"python": "3.10.0"},
    "seconds_this_invocation": 1.5,
    "tasks": {
        "xnli": {
            "version": 1,
            "main_metric": "accuracy",
            "languages": {"de": {"accuracy": 50.0}},
            "average": None,
            "score": None,
            "complete": False,
            "examples": {"de": 2},
            "seconds": {"de": 0.1},
            "metric_params": {},
            "limit": 2,
            "data": {"de": [["xnli.test.tsv", "ab" * 32]]},
            "checkpoints": [{"path": "ckpt"}],
            "dtype": ["float32"],
            "skipped": {},
            "skipped_examples": {},
        }
    },
    "skipped": {"udpos": "no checkpoint"},
    "categories": {},
    "score": None,
}


def test_a_schema_1_file_is_migrated_and_written_back_as_the_current_schema(tmp_path: Path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(SCHEMA_1))
    results = RunResults.read(path)
    assert results.aggregates is None  # schema 1 did not record them
    assert results.lineage == Lineage(label="r1", base="xlmr", intermediate=("mnli",)) and results.limit == 2
    assert results.tasks["xnli"].languages == {"de": {"accuracy": 50.0}} and results.tasks["xnli"].examples == {"de": 2}
    written = results.to_json()
    assert written["schema"] == SCHEMA_VERSION == 2
    assert written["tasks"]["xnli"].pop("procedure") == {}  # not recorded then: unknown
    assert {key: value for key, value in written.items() if key not in ("schema", "aggregates", "lineage")} == {
        key: value for key, value in SCHEMA_1.items() if key not in ("schema", "lineage")
    }
    # lineage fields added later (sizes, regime, seeds, tags) are written as unknown
    assert written["lineage"] == SCHEMA_1["lineage"] | {
        "intermediate_sizes": {},
        "regime": None,
        "train_languages": [],
        "train_seed": None,
        "tags": {},
    }
    assert RunResults.from_json(written, path) == results


def test_a_file_without_schema_reads_as_schema_1(tmp_path: Path):
    document = {"suite": "xtreme", "tasks": {"xnli": {"languages": {"de": {"accuracy": 50.0}}}}}
    results = RunResults.from_json(document, tmp_path / "results.json")
    assert results.split == "test" and results.aggregates is None and results.lineage == Lineage()
    assert results.tasks["xnli"] == TaskResult(languages={"de": {"accuracy": 50.0}})


def test_a_newer_schema_is_refused_naming_the_file(tmp_path: Path):
    with pytest.raises(XltBenchError, match=r"results.json: results schema 3 is newer than this xlt-bench reads \(2\)"):
        RunResults.from_json({**SCHEMA_1, "schema": 3}, tmp_path / "results.json")
    with pytest.raises(XltBenchError, match="results.json: aggregates.task_mean must be a finite number"):
        RunResults.from_json({**SCHEMA_1, "schema": 2, "aggregates": {"task_mean": "high"}}, "results.json")


def test_eval_writes_aggregates_when_every_task_is_complete(tmp_path: Path):
    results = RunResults(suite="xtreme", tasks={}, aggregates={"task_mean": 61.0}, score=61.0)
    assert results.to_json()["aggregates"] == {"task_mean": 61.0}
    assert RunResults.from_json(results.to_json(), tmp_path / "results.json") == results


def test_a_fragment_round_trips_and_an_edit_breaks_its_digest(tmp_path: Path):
    fragment = Fragment(task="xnli", language="de", metrics={"accuracy": 50.0}, signature={"limit": None}, split="test")
    written = replace(fragment, files={"samples/xnli/test-de.jsonl": "0" * 64}).to_json()
    assert Fragment.from_json(written, "f.json").files == {"samples/xnli/test-de.jsonl": "0" * 64}
    with pytest.raises(XltBenchError, match="f.json: changed after it was written"):
        Fragment.from_json({**written, "metrics": {"accuracy": 99.0}}, "f.json")
    with pytest.raises(XltBenchError, match="f.json: not a fragment written by xlt-bench eval"):
        Fragment.from_json({**written, "files": []}, "f.json")


def test_every_builtin_metric_declares_the_statistics_its_per_example_returns():
    registry = load_registry()
    for metric in BUILTIN_METRICS:
        assert metric.per_example is not None and metric.statistics is not None, metric.name
        assert metric.statistics.unit in ("row", "id")
    for task in registry.suite_tasks("xtreme"):  # the reduce bootstrap reads samples with is per_example's own
        metric = registry.metric(task)
        assert metric.per_example([], [], language="en").reduce is metric.statistics.reduce, metric.name


def test_samples_join_row_units_by_position_and_log_named_statistics(tmp_path: Path):
    samples = [{"id": "p1", "gold": "a", "prediction": "a"}, {"id": "p2", "gold": "b", "prediction": "a"}]
    lines = sample_lines(samples, METRICS["accuracy"], ["a", "b"], ["a", "a"], "en", {})
    assert lines == [
        {"id": "p1", "gold": "a", "prediction": "a", "unit": "0", "stats": {"correct": 1.0, "examples": 1.0}},
        {"id": "p2", "gold": "b", "prediction": "a", "unit": "1", "stats": {"correct": 0.0, "examples": 1.0}},
    ]
    path = tmp_path / "test-en.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    logged = read_statistics(path, METRICS["accuracy"].statistics)
    assert list(logged.units) == ["0", "1"] and logged.stats == [[1.0, 1.0], [0.0, 1.0]]
    assert float(logged.reduce(np.sum(logged.stats, axis=0))["accuracy"]) == 50.0


def test_samples_join_id_units_and_give_a_unit_without_sample_its_own_line():
    gold, predicted = [("de-1", "en-1"), ("de-2", "en-2")], [("de-1", "en-1"), ("de-1", "en-9")]
    samples = [{"id": src, "prediction": trg} for src, trg in predicted]
    lines = sample_lines(samples, METRICS["bucc"], gold, predicted, "de", {})
    assert lines[0]["unit"] == "de-1" and lines[0]["stats"] == {
        "correct_pairs": 1.0,
        "predicted_pairs": 2.0,
        "gold_pairs": 1.0,
    }
    assert "stats" not in lines[1]  # the second pair of de-1: its unit is logged once
    assert lines[2] == {"unit": "de-2", "stats": {"correct_pairs": 0.0, "predicted_pairs": 0.0, "gold_pairs": 1.0}}


def test_samples_written_before_statistics_read_as_none_and_a_bad_line_is_named(tmp_path: Path):
    old = tmp_path / "old.jsonl"
    old.write_text('{"id": "1", "gold": "a", "prediction": "b"}\n')
    assert read_statistics(old, METRICS["accuracy"].statistics) is None
    assert read_statistics(tmp_path / "absent.jsonl", METRICS["accuracy"].statistics) is None
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"unit": "0", "stats": {"correct": 1, "examples": 1}}\n{"unit": "1", "stats": {"correct": 1}}\n')
    with pytest.raises(XltBenchError, match=r"bad.jsonl:2: not a samples line written by xlt-bench eval"):
        read_statistics(bad, METRICS["accuracy"].statistics)
