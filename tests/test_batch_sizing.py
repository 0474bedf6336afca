"""The GPU path on CPU: `--batch-size auto` backs off on out-of-memory errors, `--max-tokens` batches by a token
budget, `--dtype` keeps or sets the precision and is recorded, and the loop never tokenizes."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from helpers import run_main, xnli_eval

from xlt_bench.batch_sizing import AUTO_CEILING, BatchSizing
from xlt_bench.batching import batched_outputs, length_sorted_batches
from xlt_bench.errors import XltBenchError
from xlt_bench.model_adapters import LoadedModel
from xlt_bench.registry import load_registry
from xlt_bench.task_checkpoints import CheckpointChoice, inspect_checkpoint, load_model
from xlt_bench.testing import tiny_checkpoint, tiny_tokenizer

XNLI_LABELS = ("entailment", "neutral", "contradiction")
SENTENCES = ["The cat sat on the mat.", "Le chat est sur le tapis.", "Die Katze sitzt auf der Matte."]


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_tokenizer(SENTENCES * 20, vocab_size=100)


@pytest.fixture(scope="module")
def xnli(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> Path:
    folder = tmp_path_factory.mktemp("ckpt") / "xnli"
    return tiny_checkpoint(folder, head="sequence-classification", labels=XNLI_LABELS, tokenizer=tokenizer)


class FitsAtMost:
    """A model whose pass runs out of memory above `rows` x `tokens` (or `rows` sequences); its logits are the
    input ids, so where each output lands is checkable."""

    config = None

    def __init__(self, rows: int, tokens: int | None = None) -> None:
        self.rows, self.tokens, self.shapes = rows, tokens, []

    def __call__(self, input_ids, attention_mask):
        size, length = input_ids.shape
        self.shapes.append((size, length))
        if size > self.rows or (self.tokens is not None and size * length > self.tokens):
            raise torch.OutOfMemoryError(f"CUDA out of memory. Tried to allocate {size * length} MiB")
        return SimpleNamespace(logits=input_ids.float())


def features(lengths: list[int]) -> list[dict[str, list[int]]]:
    return [{"input_ids": [10 + i] * n, "attention_mask": [1] * n} for i, n in enumerate(lengths)]


def test_token_budget_batches_keep_rows_times_longest_within_the_budget():
    lengths = [5, 3, 8, 8, 2, 1]
    assert length_sorted_batches(lengths, None, max_tokens=16) == [[2, 3], [0, 1, 4], [5]]
    assert length_sorted_batches(lengths, 2, max_tokens=16) == [[2, 3], [0, 1], [4, 5]]  # both bounds hold
    assert length_sorted_batches(lengths, None, max_tokens=4) == [[2], [3], [0], [1], [4, 5]]  # at least one a batch
    assert length_sorted_batches(lengths, 4) == [[2, 3, 0, 1], [4, 5]]
    with pytest.raises(ValueError, match="rows must be >= 1"):
        length_sorted_batches(lengths, 0)


def test_auto_halves_on_out_of_memory_and_keeps_the_size_found(tokenizer):
    lengths = [4, 7, 2, 7, 5, 3, 6, 1, 2, 4]
    model = FitsAtMost(rows=3)
    sizing = BatchSizing.from_options("auto", None)
    outputs = batched_outputs(LoadedModel(model, tokenizer, "cpu", "float32"), features(lengths), sizing, "t/en", False)
    assert [int(row[0]) for row in outputs] == [10 + i for i in range(len(lengths))]  # every output in its place
    assert [len(row) for row in outputs] == [4, 7, 3, 7, 6, 3, 6, 2, 2, 4]  # padded to the longest of its pass
    assert model.shapes[:3] == [(10, 7), (5, 7), (2, 7)]  # 512 is more than there are: all 10, then halved
    assert sizing.out_of_memory == [[10, 7], [5, 7]] and sizing.rows == 2 and sizing.largest == 2
    assert all(size <= 2 for size, _ in model.shapes[3:])  # kept for the rest of the unit
    assert sizing.record() == {
        "batch_size": "auto",
        "max_tokens": None,
        "out_of_memory": [[10, 7], [5, 7]],
        "sequences": 10,
        "tokens": sum(lengths),
    }
    following = sizing.fresh()  # the next unit of the same model starts from the size found
    assert (following.rows, following.auto, following.out_of_memory, following.largest) == (2, True, [], 0)
    assert BatchSizing.from_options("auto", None).rows == AUTO_CEILING


def test_auto_with_a_token_budget_halves_the_budget(tokenizer):
    sizing = BatchSizing.from_options("auto", 40)
    model = FitsAtMost(rows=100, tokens=12)
    loaded = LoadedModel(model, tokenizer, "cpu", "float32")
    outputs = batched_outputs(loaded, features([4, 4, 4, 4, 2, 2]), sizing, "t/en", False)
    assert len(outputs) == 6 and model.shapes == [(6, 4), (3, 4), (3, 4)]  # 40 tokens allow all 6: 24 > 12
    assert sizing.out_of_memory == [[6, 4]] and sizing.max_tokens == 12  # the budget held the pass: it halved
    assert sizing.rows == AUTO_CEILING and sizing.largest == 3


def test_a_pass_that_does_not_fit_is_one_line(tokenizer):
    alone = FitsAtMost(rows=0)
    with pytest.raises(XltBenchError) as refused:
        batched_outputs(
            LoadedModel(alone, tokenizer, "cpu", "f"), features([3, 2]), BatchSizing(auto=True), "t/en", False
        )
    assert str(refused.value) == (
        "t/en: one sequence of 3 tokens does not fit in memory even alone (--batch-size auto backed off to 1); use a "
        "device with more memory, a lower --dtype, or shorter inputs (max_length)"
    )
    with pytest.raises(XltBenchError, match=r"^t/en: a batch of 2 x 3 tokens does not fit in memory; pass a smaller"):
        batched_outputs(LoadedModel(FitsAtMost(rows=1), tokenizer, "cpu", "f"), features([3, 2]), 8, "t/en", False)


def test_the_batch_loop_pads_but_never_tokenizes(tokenizer):
    class PadOnly:
        def pad(self, *args, **kwargs):
            return tokenizer.pad(*args, **kwargs)

        def __call__(self, *args, **kwargs):
            raise AssertionError("tokenized inside the batch loop")

    outputs = batched_outputs(LoadedModel(FitsAtMost(rows=8), PadOnly(), "cpu", "f"), features([2, 3]), 1, "t", False)
    assert [row.tolist() for row in outputs] == [[10.0, 10.0], [11.0, 11.0, 11.0]]


def plan_of(path: Path):
    registry = load_registry()
    task = registry.task("xtreme/xnli")
    adapters = registry.adapters_for("sequence-classification")
    return inspect_checkpoint(task, CheckpointChoice(str(path), "test"), adapters, None)


def test_auto_dtype_keeps_the_saved_one_and_reduced_precision_runs_on_cpu(xnli: Path, tmp_path: Path, tokenizer):
    import transformers

    saved = tmp_path / "bf16" / "xnli"
    transformers.AutoModelForSequenceClassification.from_pretrained(xnli).to(torch.bfloat16).save_pretrained(saved)
    tokenizer.save_pretrained(saved)
    plan = plan_of(saved)
    assert load_model(plan, "cpu", "auto").dtype == "bfloat16"  # not upcast on CPU: the same numbers everywhere
    assert load_model(plan, "cpu", "float32").model.dtype == torch.float32
    half = load_model(plan_of(xnli), "cpu", "float16")
    assert half.dtype == "float16" and next(half.model.parameters()).dtype == torch.float16
    row = batched_outputs(half, [{"input_ids": [0, 5, 6, 2], "attention_mask": [1] * 4}], 1, "t", False)[0]
    assert row.dtype == torch.float32 and row.shape == (3,)  # kept outputs are float32 whatever ran


def test_eval_records_dtype_and_the_batch_size_found(xnli: Path, tmp_path: Path):
    run = tmp_path / "run"
    result = run_main(*xnli_eval(xnli, run, "--quiet", "--dtype", "bfloat16", "--batch-size", "auto"))
    assert result.returncode == 0, result.stderr
    document = json.loads((run / "results.json").read_text())
    assert document["tasks"]["xnli"]["dtype"] == ["bfloat16"]
    assert document["config"]["batch_size"] == "auto" and document["config"]["dtype"] == "bfloat16"
    fragment = json.loads((run / "fragments" / "xnli" / "test-de.json").read_text())
    assert fragment["dtype"] == "bfloat16" and fragment["batch_size"] == fragment["n_examples"]  # all fit at once
    batching = fragment["details"]["batching"]
    assert batching["batch_size"] == "auto" and batching["out_of_memory"] == []
    assert batching["sequences"] == fragment["n_examples"] and batching["tokens"] > batching["sequences"]

    budget = tmp_path / "budget"
    assert run_main(*xnli_eval(xnli, budget, "--quiet", "--max-tokens", "40")).returncode == 0
    document = json.loads((budget / "results.json").read_text())
    assert document["config"]["max_tokens"] == 40 and document["config"]["batch_size"] is None
    fragment = json.loads((budget / "fragments" / "xnli" / "test-de.json").read_text())
    assert fragment["details"]["batching"]["max_tokens"] == 40 and 1 <= fragment["batch_size"] < 5
    assert fragment["dtype"] == "float32"  # auto: saved in float32


def test_embeddings_cached_in_one_dtype_are_not_read_for_another(xnli: Path, tmp_path: Path, monkeypatch):
    import xlt_bench.embeddings
    from xlt_bench.embeddings import encode

    calls = []
    real = xlt_bench.embeddings.batched_outputs
    monkeypatch.setattr(xlt_bench.embeddings, "batched_outputs", lambda *a, **k: calls.append(1) or real(*a, **k))
    options = dict(checkpoint="sha256:x", layer=1, pooling="mean", max_length=16, batch_size=2, description="t")
    for dtype in ("float32", "bfloat16", "float32"):
        loaded = load_model(plan_of(xnli), "cpu", dtype)
        encode(loaded, SENTENCES, progress=False, cache_dir=tmp_path, **options)
    assert len(calls) == 2  # float32 computed, bfloat16 computed, float32 read back


def test_a_text_is_cut_within_reach_of_its_token_budget_and_tokenises_the_same(tokenizer):
    from xlt_bench.batching import CHARACTERS_PER_TOKEN, within_reach

    text = "a b c " * 100_000  # 600,000 characters: the tokenizer would read them all before truncating
    [cut] = within_reach([text], 8)
    assert len(cut) == 8 * CHARACTERS_PER_TOKEN
    assert (
        tokenizer(cut, truncation=True, max_length=8)["input_ids"]
        == tokenizer(text, truncation=True, max_length=8)["input_ids"]
    )
