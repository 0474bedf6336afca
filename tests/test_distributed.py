"""Data-parallel `eval`: the dealing of batches to ranks, and `torchrun` with 2 gloo processes on CPU giving the
single process's files byte for byte (tagging, classification, QA, Tatoeba, BUCC), and a failing rank ending the run
with one line that names it, leaving the folder resumable."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xtreme_fixtures import write_bucc

from xlt_bench.distributed import deal, everyone, from_writer, gathered, my_batches, process_group
from xlt_bench.errors import XltBenchError
from xlt_bench.plugins.xtreme import PANX_TAGS
from xlt_bench.testing import tiny_checkpoint

FIXTURES = Path(__file__).parent / "fixtures" / "data"
XNLI_LABELS = ("entailment", "neutral", "contradiction")


def test_deal_balances_padded_tokens_across_ranks_and_keeps_batch_order():
    costs = [64, 60, 40, 40, 30, 8, 8, 2]
    shares = deal(costs, 2)
    assert sorted(p for share in shares for p in share) == list(range(len(costs)))  # every batch exactly once
    assert all(share == sorted(share) for share in shares)  # each rank runs its batches longest first
    loads = [sum(costs[p] for p in share) for share in shares]
    assert abs(loads[0] - loads[1]) <= max(costs[2:])  # greedy on the costliest first: within one batch
    assert deal(costs, 2) == shares and shares[0][0] == 0  # the same on every rank; ties go to the lowest rank


def test_deal_with_more_ranks_than_batches_leaves_the_rest_idle():
    assert deal([5, 3], 4) == [[0], [1], [], []]


def test_one_process_computes_every_batch_and_the_helpers_change_nothing(monkeypatch: pytest.MonkeyPatch):
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert my_batches([[0, 1], [2]], [5, 4, 3]) == [0, 1]
    assert gathered({1: "b", 0: "a"}, 2) == ["a", "b"]
    assert from_writer(lambda: 42) == 42 and everyone(False) is False


def test_a_world_size_without_torchrun_variables_is_one_line(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    monkeypatch.delenv("MASTER_ADDR", raising=False)
    with pytest.raises(XltBenchError, match=r"^rank 1: WORLD_SIZE is 2 but MASTER_ADDR.*unset; start .* with torchrun"):
        with process_group("cpu"):
            pass


# -- end to end: torchrun with 2 gloo processes ------------------------------------------------------------------


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, tokenizer, real_samples: Path) -> tuple[Path, Path]:
    """Per-task checkpoints and one data folder with every task's files."""
    root = tmp_path_factory.mktemp("distributed")
    ckpt, data = root / "ckpt", root / "data"
    tiny_checkpoint(ckpt / "xnli", head="sequence-classification", labels=XNLI_LABELS, tokenizer=tokenizer, seed=1)
    tiny_checkpoint(ckpt / "panx", head="token-classification", labels=PANX_TAGS, tokenizer=tokenizer, seed=4)
    tiny_checkpoint(ckpt / "squad", head="question-answering", tokenizer=tokenizer, seed=5)
    tiny_checkpoint(ckpt / "retrieval", head="encoder", tokenizer=tokenizer, layers=4, seed=7)
    data.mkdir()
    for name, target in (
        ("XNLI-1.0", FIXTURES / "XNLI-1.0"),
        ("panx_dataset", FIXTURES / "panx_dataset"),
        ("xquad", real_samples / "xquad"),
        ("tatoeba", real_samples / "tatoeba"),
    ):
        (data / name).symlink_to(target.resolve())
    write_bucc(data, "de", random.Random(1))
    return ckpt, data


def _eval(ckpt: Path, data: Path, tasks: str, output: Path, processes: int, env: dict[str, str] | None = None):
    """`python -m xlt_bench eval` (one process) or the same under `python -m torch.distributed.run`."""
    launcher = ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"] if processes > 1 else []
    args = ["eval", "--suite", "xtreme", "--model", str(ckpt), "--tasks", tasks, "--languages", "de"]
    args += ["--data-dir", str(data), "--batch-size", "2", "--limit", "12", "--quiet"]
    args += ["--output", str(output), "--cache-dir", str(output.with_name(output.name + "-cache"))]
    command = [sys.executable, *launcher, "-m", "xlt_bench", *args]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600)


def _files(run: Path) -> dict[str, bytes]:
    return {
        path.relative_to(run).as_posix(): path.read_bytes()
        for kind in ("predictions", "labels", "samples")
        for path in sorted((run / kind).rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_two_gloo_processes_write_the_single_process_files_byte_for_byte(setup: tuple[Path, Path], tmp_path: Path):
    ckpt, data = setup
    tasks = "xnli,panx,xquad,tatoeba,bucc2018"
    single = _eval(ckpt, data, tasks, tmp_path / "one", processes=1)
    assert single.returncode == 0, single.stderr
    double = _eval(ckpt, data, tasks, tmp_path / "two", processes=2)
    assert double.returncode == 0, double.stderr
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert len(one) == 15 and one == two  # predictions, labels and samples of five units, every byte
    first, second = (json.loads((tmp_path / run / "results.json").read_text()) for run in ("one", "two"))
    assert [first["config"]["processes"], second["config"]["processes"]] == [1, 2]
    assert {task: entry["languages"] for task, entry in first["tasks"].items()} == {
        task: entry["languages"] for task, entry in second["tasks"].items()
    }
    assert double.stdout.count("results: ") == 1  # rank 0 alone prints


PLANTED_FAILURE = """
import os

if os.environ.get("RANK") == "1":  # rank 1 feeds PAN-X token ids past the embedding table: the model raises
    import xlt_bench.batching as batching

    padded, batched_outputs = batching.padded, batching.batched_outputs

    def out_of_range(tokenizer, features):
        batch = padded(tokenizer, features)
        batch["input_ids"] = batch["input_ids"] + 10**6
        return batch

    def failing_on_panx(loaded, features, batch_size, description, *args, **kwargs):
        batching.padded = out_of_range if description.startswith("panx") else padded
        return batched_outputs(loaded, features, batch_size, description, *args, **kwargs)

    batching.batched_outputs = failing_on_panx
"""


@pytest.mark.slow
def test_a_failing_rank_ends_the_run_with_one_line_naming_it_and_the_folder_resumes(
    setup: tuple[Path, Path], tmp_path: Path
):
    ckpt, data = setup
    (tmp_path / "plant").mkdir()
    (tmp_path / "plant" / "sitecustomize.py").write_text(PLANTED_FAILURE)
    run = tmp_path / "run"
    began = time.monotonic()
    failed = _eval(ckpt, data, "xnli,panx", run, processes=2, env={"PYTHONPATH": str(tmp_path / "plant")})
    assert failed.returncode != 0 and time.monotonic() - began < 300  # ended, not hung
    named = [line for line in failed.stderr.splitlines() if line.startswith("xlt-bench: error: rank 1: ")]
    assert len(named) == 1 and "panx/de:" in named[0] and "index out of range" in named[0], failed.stderr
    assert (run / "fragments" / "xnli" / "test-de.json").is_file()  # finished before the failure: kept
    assert not (run / "fragments" / "panx").exists() and not (run / ".lock.owner").exists()
    kept = (run / "fragments" / "xnli" / "test-de.json").read_bytes()
    resumed = _eval(ckpt, data, "xnli,panx", run, processes=1)
    assert resumed.returncode == 0, resumed.stderr
    assert (run / "fragments" / "panx" / "test-de.json").is_file()
    assert (run / "fragments" / "xnli" / "test-de.json").read_bytes() == kept  # resumed, not redone
