"""Embedding passes stop at the layer they read (`layer_forward`), with embeddings identical bit for bit to the full
pass; a model whose hidden states are not its blocks' outputs gets the full pass."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import transformers

import xlt_bench.embeddings
from xlt_bench.layer_forward import exact, stopping_forward
from xlt_bench.model_adapters import LoadedModel
from xlt_bench.testing import tiny_bert_tokenizer, tiny_checkpoint

SENTENCES = ["Der Hund schläft im Garten.", "The dog sleeps.", "Le chien dort.", "猫が寝ている。", "Mbwa analala."] * 3


def loaded(path) -> LoadedModel:
    model = transformers.AutoModel.from_pretrained(path).eval()
    return LoadedModel(model, transformers.AutoTokenizer.from_pretrained(path), "cpu", "float32")


@pytest.fixture(scope="module")
def encoders(tmp_path_factory: pytest.TempPathFactory, tokenizer, sentences) -> dict[str, LoadedModel]:
    root = tmp_path_factory.mktemp("encoders")
    xlmr = tiny_checkpoint(root / "xlmr", head="encoder", tokenizer=tokenizer, layers=4)
    bert = tiny_checkpoint(root / "bert", head="encoder", tokenizer=tiny_bert_tokenizer(sentences), layers=3)
    return {"xlmr": loaded(xlmr), "bert": loaded(bert)}


def embed(encoder: LoadedModel, layer: int, pooling: str = "mean") -> np.ndarray:
    return xlt_bench.embeddings.encode(
        encoder,
        SENTENCES,
        checkpoint="",
        layer=layer,
        pooling=pooling,
        max_length=32,
        batch_size=4,
        description="test",
        progress=False,
        cache_dir=None,
    )


def blocks_run(encoder: LoadedModel) -> list[int]:
    """Record which transformer blocks run (a forward hook on each)."""
    ran: list[int] = []
    for index, block in enumerate(encoder.model.encoder.layer):
        block.register_forward_hook(lambda *_, index=index: ran.append(index))
    return ran


@pytest.mark.parametrize("family", ["xlmr", "bert"])
def test_the_pass_stops_at_the_layer_read_and_the_embeddings_are_identical(
    encoders, family: str, monkeypatch: pytest.MonkeyPatch
):
    encoder = encoders[family]
    depth = encoder.model.config.num_hidden_layers
    for layer in range(1, depth + 1):
        for pooling in ("mean", "cls"):
            stopped = embed(encoder, layer, pooling)
            with monkeypatch.context() as patched:
                patched.setattr(xlt_bench.embeddings, "stopping_forward", lambda model, layer: None)
                full = embed(encoder, layer, pooling)
            assert stopped.tobytes() == full.tobytes(), (family, layer, pooling)
    ran = blocks_run(encoder)
    embed(encoder, 2)
    assert ran and set(ran) == {0, 1}  # the blocks above layer 2 never ran (the probe is remembered per model)


def test_a_model_with_a_norm_after_its_last_block_gets_the_full_pass():
    config = transformers.T5Config(vocab_size=64, d_model=16, d_kv=8, d_ff=32, num_layers=2, num_heads=2)
    model = transformers.T5EncoderModel(config).eval()
    probe = {"input_ids": torch.tensor([[5, 6, 7, 1]]), "attention_mask": torch.ones(1, 4, dtype=torch.long)}
    assert exact(model, 1, stopping_forward(model, 1), probe)  # hidden_states[1] is block 0's output
    assert not exact(model, 2, stopping_forward(model, 2), probe)  # hidden_states[2] is after the final norm
    assert stopping_forward(model, 0) is None  # the embedding layer: nothing to stop
