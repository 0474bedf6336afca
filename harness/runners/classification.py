"""Sentence(-pair) classification (XNLI, PAWS-X, XGLUE's NC/QADSM/QAM): argmax over the sequence-classification
head."""

from __future__ import annotations

from typing import Any

from xlt_bench.batching import batched_outputs
from xlt_bench.runners import Job, Runner


class ClassificationRunner(Runner):
    role = "sequence-classification"
    needs = ("max_length",)

    def gold(self, examples: Any) -> list[str]:
        return list(examples["label"])

    def logits(self, job: Job) -> list[Any]:
        """The head's logits per example; pairs are truncated longest-first to `max_length` tokens."""
        examples, settings = job.examples, job.settings
        pairs = list(examples["text_pair"]) if "text_pair" in examples.column_names else None
        encoded = job.loaded.tokenizer(
            list(examples["text"]), pairs, truncation=True, max_length=settings["max_length"]
        )
        features = [{name: encoded[name][i] for name in encoded} for i in range(len(examples))]
        return batched_outputs(job.loaded, features, settings["batch_size"], job.description, settings["progress"])

    def predict(self, job: Job) -> list[str]:
        """One task label per example: the checkpoint's best output, mapped to its task label by name."""
        return [job.plan.labels[int(row.argmax())] for row in self.logits(job)]

    def samples(self, examples: Any, gold: list[str], predictions: list[str]) -> list[dict]:
        return [
            {"id": example_id, "gold": expected, "prediction": predicted}
            for example_id, expected, predicted in zip(examples["id"], gold, predictions)
        ]
