"""Helpers for testing xlt-bench and its plugins without the network: tiny, real, locally built checkpoints.

`tiny_checkpoint` trains a small Unigram tokenizer on the sentences you give it (seconds), builds a 2-layer
XLM-R-style model with random weights (seeded, so predictions are reproducible) and the head and label names you
ask for, and saves both with `save_pretrained`. The result loads with the usual `Auto*` classes, so every code
path of `eval` runs on it. Set `HF_HUB_OFFLINE=1` in tests so nothing ever tries the Hub.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

HEADS = {
    "sequence-classification": "XLMRobertaForSequenceClassification",
    "token-classification": "XLMRobertaForTokenClassification",
    "question-answering": "XLMRobertaForQuestionAnswering",
    "multiple-choice": "XLMRobertaForMultipleChoice",
    "encoder": "XLMRobertaModel",
}
SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def tiny_tokenizer(sentences: Iterable[str], vocab_size: int = 1000, characters_only: bool = False):
    """An `XLMRobertaTokenizer` (SentencePiece Unigram) trained on `sentences`.

    The vocabulary grows beyond `vocab_size` when needed to hold every character of the sentences.
    `characters_only=True` skips training: every character is its own token, so every character offset is a
    token boundary (handy to plant exact answer spans in QA tests).
    """
    from tokenizers import SentencePieceUnigramTokenizer
    from transformers import XLMRobertaTokenizer

    sentences = list(sentences)
    characters = sorted({ch for sentence in sentences for ch in sentence if not ch.isspace()})
    if characters_only:
        vocab = [(token, 0.0) for token in SPECIAL_TOKENS] + [("\u2581", -1.0)] + [(ch, -2.0) for ch in characters]
        return XLMRobertaTokenizer(vocab=vocab)
    trainer = SentencePieceUnigramTokenizer()
    trainer.train_from_iterator(
        sentences,
        vocab_size=max(vocab_size, len(characters) + len(SPECIAL_TOKENS) + 200),
        special_tokens=SPECIAL_TOKENS,
        unk_token="<unk>",
        show_progress=False,
    )
    vocab = [tuple(piece) for piece in json.loads(trainer.to_str())["model"]["vocab"]]
    return XLMRobertaTokenizer(vocab=vocab)


def tiny_checkpoint(
    path: Path,
    sentences: Iterable[str] | None = None,
    head: str = "sequence-classification",
    labels: Sequence[str] | None = None,
    *,
    tokenizer=None,
    layers: int = 2,
    hidden: int = 32,
    max_positions: int = 514,
    seed: int = 0,
) -> Path:
    """Save a tiny checkpoint with `head` (see `HEADS`) and `config.id2label` = `labels` to `path`.

    Pass `tokenizer` to share one tokenizer between several checkpoints (e.g. a direct and an intermediate model of
    the same base); otherwise one is trained on `sentences`.
    """
    import torch
    import transformers

    if head not in HEADS:
        raise ValueError(f"head must be one of {', '.join(HEADS)}")
    if tokenizer is None:
        if sentences is None:
            raise ValueError("pass sentences to train a tokenizer on, or a tokenizer")
        tokenizer = tiny_tokenizer(sentences)
    settings = dict(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=2 * hidden,
        max_position_embeddings=max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    if labels is not None:  # a base config must not carry num_labels (the QA head breaks on reload)
        settings["id2label"] = dict(enumerate(labels))
        settings["label2id"] = {label: i for i, label in enumerate(labels)}
    transformers.utils.logging.disable_progress_bar()
    config = transformers.XLMRobertaConfig(**settings)
    torch.manual_seed(seed)
    model = getattr(transformers, HEADS[head])(config)
    path = Path(path)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
