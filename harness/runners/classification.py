"""Sentence(-pair) classification (XNLI, PAWS-X): argmax over the sequence-classification head."""

from __future__ import annotations

from typing import Any

from xlt_bench.batching import batched_outputs
from xlt_bench.runners import Job, Runner


class ClassificationRunner(Runner):
    head = "ForSequenceClassification"
    auto_class = "AutoModelForSequenceClassification"
    needs = ("max_length",)

    def gold(self, examples: Any) -> list[str]:
        return list(examples["label"])

    def predict(self, job: Job) -> list[str]:
        """One task label per example; pairs are truncated longest-first to `max_length` tokens."""
        examples, settings = job.examples, job.settings
        pairs = list(examples["text_pair"]) if "text_pair" in examples.column_names else None
        encoded = job.loaded.tokenizer(
            list(examples["text"]), pairs, truncation=True, max_length=settings["max_length"]
        )
        features = [{name: encoded[name][i] for name in encoded} for i in range(len(examples))]
        logits = batched_outputs(job.loaded, features, settings["batch_size"], job.description, settings["progress"])
        return [job.plan.labels[int(row.argmax())] for row in logits]

    def samples(self, examples: Any, gold: list[str], predictions: list[str]) -> list[dict]:
        return [
            {"id": example_id, "gold": expected, "prediction": predicted}
            for example_id, expected, predicted in zip(examples["id"], gold, predictions)
        ]
