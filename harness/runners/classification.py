"""Sentence(-pair) classification (XNLI, PAWS-X): argmax over the sequence-classification head."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlt_bench.batching import batched_logits


class ClassificationRunner:
    head = "ForSequenceClassification"
    auto_class = "AutoModelForSequenceClassification"

    def gold(self, examples: Any) -> list[str]:
        return list(examples["label"])

    def predict(
        self, loaded: Any, examples: Any, labels: Mapping[int, str], settings: Mapping[str, Any], description: str
    ) -> list[str]:
        """One task label per example; pairs are truncated longest-first to `max_length` tokens."""
        pairs = list(examples["text_pair"]) if "text_pair" in examples.column_names else None
        encoded = loaded.tokenizer(list(examples["text"]), pairs, truncation=True, max_length=settings["max_length"])
        features = [{name: encoded[name][i] for name in encoded} for i in range(len(examples))]
        logits = batched_logits(loaded, features, settings["batch_size"], description, settings["progress"])
        return [labels[int(row.argmax())] for row in logits]

    def samples(self, examples: Any, gold: list[str], predictions: list[str]) -> list[dict]:
        return [
            {"id": example_id, "gold": expected, "prediction": predicted}
            for example_id, expected, predicted in zip(examples["id"], gold, predictions)
        ]
