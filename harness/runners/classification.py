"""Sentence(-pair) classification (XNLI, PAWS-X, XGLUE's NC/QADSM/QAM): argmax over the sequence-classification
head."""

from __future__ import annotations

from typing import Any

from xlt_bench.batching import batched_outputs, within_reach
from xlt_bench.runners.base import Job, Runner


class ClassificationRunner(Runner):
    type = "classification"
    role = "sequence-classification"
    description = "a label per sentence or sentence pair (XNLI, PAWS-X)"
    inference_required = ("max_length",)
    labelled = True

    def gold(self, examples: Any) -> list[str]:
        return list(examples["label"])

    def logits(self, job: Job) -> list[Any]:
        """The head's logits per example; pairs are truncated longest-first to `max_length` tokens."""
        examples = job.examples
        length = job.inference["max_length"]
        pairs = within_reach(examples["text_pair"], length) if "text_pair" in examples.column_names else None
        encoded = job.loaded.tokenizer(
            within_reach(examples["text"], length), pairs, truncation=True, max_length=length
        )
        features = [{name: encoded[name][i] for name in encoded} for i in range(len(examples))]
        return batched_outputs(job.loaded, features, job.batch_size, job.description, job.progress)

    def predict(self, job: Job) -> list[str]:
        """One task label per example: the checkpoint's best output, mapped to its task label by name."""
        return [job.plan.labels[int(row.argmax())] for row in self.logits(job)]

    def samples(self, examples: Any, gold: list[str], predictions: list[str]) -> list[dict]:
        pairs = examples["text_pair"] if "text_pair" in examples.column_names else [None] * len(examples)
        return [
            {
                "id": example_id,
                "input": [text, pair] if pair is not None else text,
                "gold": expected,
                "prediction": predicted,
            }
            for example_id, text, pair, expected, predicted in zip(
                examples["id"], examples["text"], pairs, gold, predictions
            )
        ]
