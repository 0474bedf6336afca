"""Word tagging (UD-POS, PAN-X): one prediction per original word, read at its first sub-token.

As XTREME's `run_tag.py`: every word is tokenised on its own, a word with zero sub-tokens is replaced by the unknown
token (it still needs a tag), and sentences longer than `max_length` are **split into segments** at word
boundaries and re-joined, never truncated, so the number of tags always equals the number of words.
"""

from __future__ import annotations

from typing import Any

from xlt_bench.batching import batched_outputs
from xlt_bench.errors import XltBenchError
from xlt_bench.runners.base import Job, Runner


def special_token_frame(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The special ids the tokenizer puts before and after a single sequence (e.g. [CLS] / [SEP], <s> / </s>).

    Found by tokenising a probe with and without special tokens, which works for every tokenizer family and
    transformers version (v5 removed `build_inputs_with_special_tokens`).
    """
    for probe in ("a", "hello", "x y"):
        bare = tokenizer(probe, add_special_tokens=False)["input_ids"]
        full = tokenizer(probe)["input_ids"]
        for start in range(len(full) - len(bare) + 1):
            if bare and full[start : start + len(bare)] == bare:
                return full[:start], full[start + len(bare) :]
    raise XltBenchError(f"{tokenizer.name_or_path}: cannot tell where the tokenizer puts its special tokens")


def _segments(word_pieces: list[list[int]], budget: int) -> list[tuple[list[int], list[int]]]:
    """Greedy word-boundary split: (sub-token ids, first-sub-token position of each word) per segment."""
    segments: list[tuple[list[int], list[int]]] = []
    ids: list[int] = []
    starts: list[int] = []
    for pieces in word_pieces:
        pieces = pieces[:budget]
        if ids and len(ids) + len(pieces) > budget:
            segments.append((ids, starts))
            ids, starts = [], []
        starts.append(len(ids))
        ids.extend(pieces)
    if starts:
        segments.append((ids, starts))
    return segments


class TaggingRunner(Runner):
    type = "tagging"
    role = "token-classification"
    description = "a tag per word, read at its first sub-token (UD-POS, PAN-X)"
    inference_required = ("max_length",)
    labelled = True

    def gold(self, examples: Any) -> list[list[str]]:
        return [list(tags) for tags in examples["tags"]]

    def predict(self, job: Job) -> list[list[str]]:
        examples, tokenizer = job.examples, job.loaded.tokenizer
        if tokenizer.unk_token_id is None:
            raise XltBenchError(f"{tokenizer.name_or_path}: the tokenizer has no unknown token for empty words")
        sentences = [list(tokens) for tokens in examples["tokens"]]
        flat = [word for words in sentences for word in words]
        pieces = tokenizer(flat, add_special_tokens=False)["input_ids"] if flat else []
        prefix, suffix = special_token_frame(tokenizer)
        budget = job.inference["max_length"] - len(prefix) - len(suffix)

        features: list[dict[str, list[int]]] = []
        owners: list[tuple[int, list[int]]] = []  # (sentence index, positions of first sub-tokens)
        cursor = 0
        for index, words in enumerate(sentences):
            word_pieces = [pieces[cursor + k] or [tokenizer.unk_token_id] for k in range(len(words))]
            cursor += len(words)
            for ids, starts in _segments(word_pieces, budget):
                input_ids = [*prefix, *ids, *suffix]
                features.append({"input_ids": input_ids, "attention_mask": [1] * len(input_ids)})
                owners.append((index, [len(prefix) + start for start in starts]))

        logits = batched_outputs(job.loaded, features, job.batch_size, job.description, job.progress)
        predictions: list[list[str]] = [[] for _ in sentences]
        for (index, positions), rows in zip(owners, logits):
            best = rows[positions].argmax(dim=-1).tolist()
            predictions[index].extend(job.plan.labels[i] for i in best)
        return predictions

    def samples(self, examples: Any, gold: list[list[str]], predictions: list[list[str]]) -> list[dict]:
        return [
            {"id": example_id, "input": list(tokens), "gold": expected, "prediction": predicted}
            for example_id, tokens, expected, predicted in zip(examples["id"], examples["tokens"], gold, predictions)
        ]
