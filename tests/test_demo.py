"""`xlt-bench demo` from the packaged data: it trains, evaluates, and writes a leaderboard with real figures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import torch
from demo_data import PACKAGE, demo_files
from helpers import run_main

from xlt_bench.cpu_threads import available_cpus, torch_threads


def test_packaged_demo_data_are_prefixes_of_the_real_samples(real_samples: Path):
    expected = demo_files(real_samples)
    packaged = {p.relative_to(PACKAGE).with_suffix("").as_posix(): p for p in PACKAGE.rglob("*.gz")}
    assert sorted(packaged) == sorted(expected)
    for relative, path in packaged.items():
        assert gzip.decompress(path.read_bytes()) == expected[relative], relative
    assert sum(path.stat().st_size for path in packaged.values()) < 700_000  # small enough to ship
    assert (PACKAGE / "NOTICE").read_text().count("CC BY-SA") >= 3


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path: Path):
    output = tmp_path / "demo"
    threads = torch.get_num_threads()
    result = run_main("demo", "--output", str(output), "--steps", "30", "--epochs", "1", "--threads", "1")
    assert result.returncode == 0, result.stderr
    assert torch.get_num_threads() == threads  # the demo's count applied only while it ran
    for phase in ("[1/4] pre-training", "masked LM", "English QA", "[3/4] xlt-bench eval", "units run", "done in"):
        assert phase in result.stderr, phase  # progress in every phase, on stderr
    assert "[1/4]" not in result.stdout
    assert "TINY DEMO MODELS" in result.stdout and "xlt-bench eval --model" in result.stdout
    board = json.loads((output / "leaderboard.json").read_text())
    labels = {run["id"]: run["label"] for run in board["runs"]}
    assert sorted(labels.values()) == ["demo-direct", "demo-intermediate"]
    [comparison] = board["comparisons"]
    assert labels[comparison["candidate"]] == "demo-intermediate" and comparison["training"] == "+xquad-en"
    assert sorted(comparison["languages"]["udpos"]) == ["ar", "de", "en", "fr", "hi", "ja", "zh"]
    assert sorted(comparison["languages"]["tatoeba"]) == ["ar", "de", "es", "fr", "hi", "zh"]
    assert all(delta["ci_low"] is not None for delta in comparison["languages"]["udpos"].values())
    for task, count in (("udpos", 7), ("tatoeba", 6)):  # partial in both runs: a delta over their languages
        partial = comparison["partial"][task]
        assert len(partial["languages"]) == count and partial["ci_low"] <= partial["delta"] <= partial["ci_high"]
        assert sorted(partial["languages"]) == sorted(comparison["languages"][task])
    markdown = (output / "leaderboard.md").read_text()
    assert "| udpos (partial, 7/" in markdown and "| tatoeba (partial, 6/" in markdown
    assert "per language below" not in markdown
    [row] = [line for line in markdown.splitlines() if line.startswith("| udpos (partial")]
    assert row.rstrip(" |").endswith("]")  # its interval
    assert "udpos (partial): Δ" in (output / "leaderboard.html").read_text()  # the bar chart, with its interval
    results = json.loads((output / "runs" / "intermediate" / "results.json").read_text())
    assert results["lineage"]["intermediate"] == ["xquad-en"] and results["tasks"]["udpos"]["examples"]["en"] == 200
    assert results["command"][-2:] == ["--threads", "1"]
    assert (output / "leaderboard.html").read_text().startswith("<!DOCTYPE html>")
    again = run_main("demo", "--output", str(output), "--quiet")
    assert again.returncode == 2 and "is not empty; pass --overwrite" in again.stderr


def test_torch_threads_default_to_the_cpus_available_and_are_restored():
    before = torch.get_num_threads()
    with torch_threads() as count:
        assert count == available_cpus() == torch.get_num_threads()
    with torch_threads(1) as count:
        assert count == torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_demo_threads_must_be_a_positive_integer(tmp_path: Path, value: str):
    result = run_main("demo", "--output", str(tmp_path / "demo"), "--threads", value)
    assert result.returncode == 2
    assert f"--threads: expected a positive integer, got '{value}'" in result.stderr
    assert not (tmp_path / "demo").exists()
