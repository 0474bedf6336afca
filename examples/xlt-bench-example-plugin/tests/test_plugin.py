"""The tests a plugin keeps next to its code: sound declarations, working readers and resolver, real runs, and
hand-worked values for the task type and metric it adds.

They use `xlt_bench.testing`, need no network and no data outside the package; run them with the plugin installed
(`pip install -e .` or `pip install .`) and `HF_HUB_OFFLINE=1`: `python -m pytest tests`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from xlt_bench_example import plugin, sts

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


# -- our own task type: sentence similarity scored by Spearman ------------------------------------------------


def test_sts_task_type_and_metric_are_registered(registry: Registry):
    assert registry.runners[sts.TYPE] is sts.SimilarityRunner and registry.metrics["example-spearman"] is sts.SPEARMAN
    assert registry.tasks["example/sts"] is plugin.STS_TASK and check_task(plugin.STS_TASK, registry) == []
    assert check_task(replace(plugin.STS_TASK, inference={"pooling": "max"}), registry) == [
        "inference lacks max_length (read by the example-sts runner)",
        "inference pooling 'max'; expected one of mean, cls",
    ]


def test_spearman_matches_hand_worked_values():
    assert sts.spearman([1, 2, 3], [1, 3, 2]) == {"spearman": pytest.approx(50.0)}  # 1 - 6 * 2 / (3 * 8)
    # tied gold ranks share 1.5: cov 1.5, variances 1.5 and 2 -> 1.5 / sqrt(3)
    assert sts.spearman([1, 1, 2], [1, 2, 3])["spearman"] == pytest.approx(100 * 1.5 / 3**0.5)
    assert sts.spearman([1, 2], [5, 5]) == {"spearman": 0.0}  # a constant side correlates with nothing


def test_sts_rows_and_score_files_are_checked_with_file_and_line(tmp_path: Path):
    path = tmp_path / "test-en.tsv"
    path.write_text("text\ttext_pair\tscore\nA.\tB.\t4\nA.\tB.\tsix\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=r"test-en\.tsv:3: expected 'text<TAB>text_pair<TAB>score 0-5'"):
        list(plugin.read_sts_tsv(DataSource(plugin.STS_FORMAT, (path,)), "en", "test"))
    scores = tmp_path / "scores.tsv"
    scores.write_text("0.5\nnan\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=r"scores\.tsv:2: expected a number, got 'nan'"):
        sts.read_scores(scores)


def test_sts_runs_with_a_tiny_encoder(registry: Registry, tmp_path: Path):
    source = plugin.xlt_resolve_data(plugin.STS_TASK, "de", "test", None)
    examples = list(plugin.read_sts_tsv(source, "de", "test"))
    sentences = [text for example in examples for text in (example["text"], example["text_pair"])]
    checkpoint = tiny_checkpoint(tmp_path / "encoder", sentences, head="encoder")
    result = run_task(plugin.STS_TASK, examples, checkpoint, registry=registry, language="de")
    assert len(result["predictions"]) == 12 and all(-1 <= value <= 1 for value in result["predictions"])
    assert result["gold"] == [example["score"] for example in examples]
    assert result["metrics"] == sts.spearman(result["gold"], result["predictions"])
