"""The tests a plugin keeps next to its code: sound declarations, a working reader and resolver, a real run.

They use `xlt_bench.testing`, need no network and no data outside the package; run them with the plugin installed
(`pip install -e .` or `pip install .`) and `HF_HUB_OFFLINE=1`: `python -m pytest tests`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from xlt_bench_example import plugin

from xlt_bench import DataSource, DataUnavailable, XltBenchError
from xlt_bench.registry import Registry, load_registry
from xlt_bench.testing import check_task, run_task, tiny_checkpoint


@pytest.fixture(scope="module")
def registry() -> Registry:
    """The installed plugins, this one included, as `xlt-bench` itself loads them."""
    return load_registry()


def test_task_is_registered_and_sound(registry: Registry):
    assert registry.tasks["example/sentiment"] is plugin.TASK  # registered, not skipped as malformed or a conflict
    assert check_task(plugin.TASK, registry) == []


def test_packaged_data_is_served_only_for_our_task_without_data_dir(tmp_path: Path):
    source = plugin.xlt_resolve_data(plugin.TASK, "de", "test", None)
    examples = list(plugin.read_sentiment_tsv(source, "de", "test"))
    assert len(examples) == 12 and {example["label"] for example in examples} == set(plugin.LABELS)
    assert plugin.xlt_resolve_data(replace(plugin.TASK, name="other"), "de", "test", None) is None
    assert plugin.xlt_resolve_data(plugin.TASK, "de", "test", tmp_path) is None  # --data-dir: built-in resolver
    with pytest.raises(DataUnavailable, match="ships no 'dev' data"):
        plugin.xlt_resolve_data(plugin.TASK, "de", "dev", None)


def test_malformed_rows_are_reported_with_file_and_line(tmp_path: Path):
    path = tmp_path / "test-en.tsv"
    path.write_text("text\tlabel\nGood.\tpositive\nBad.\tterrible\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=r"test-en\.tsv:3: expected 'text<TAB>positive\|negative'"):
        list(plugin.read_sentiment_tsv(DataSource(plugin.FORMAT, (path,)), "en", "test"))


def test_task_runs_on_its_data_with_a_tiny_checkpoint(registry: Registry, tmp_path: Path):
    source = plugin.xlt_resolve_data(plugin.TASK, "en", "test", None)
    examples = list(plugin.read_sentiment_tsv(source, "en", "test"))
    checkpoint = tiny_checkpoint(tmp_path / "model", [example["text"] for example in examples], labels=plugin.LABELS)
    result = run_task(plugin.TASK, examples, checkpoint, registry=registry)
    assert len(result["predictions"]) == len(examples) and set(result["predictions"]) <= set(plugin.LABELS)
    assert result["gold"] == [example["label"] for example in examples]
    assert 0 <= result["metrics"]["accuracy"] <= 100
