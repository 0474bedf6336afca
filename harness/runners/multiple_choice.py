"""Multiple choice (XCOPA) with a `*ForMultipleChoice` head: one score per (premise, choice) pair, argmax.

Each choice is paired with the premise as `(premise, "<question wording> <choice>")`, the wording spelling out
whether the cause or the effect is asked for (task parameter `question_wording`; checkpoints should be fine-tuned
with the same template, recorded with the results). The prediction is the index of the best choice.
"""

from __future__ import annotations

from typing import Any

from xlt_bench.batching import batched_outputs, within_reach
from xlt_bench.runners.base import Job, Runner

QUESTION_WORDING = {"cause": "What was the cause?", "effect": "What happened as a result?"}


class MultipleChoiceRunner(Runner):
    type = "multiple_choice"
    role = "multiple-choice"
    description = "the best of several choices for a premise (XCOPA)"
    inference_required = ("max_length",)
    inference_optional = ("question_wording",)

    def gold(self, examples: Any) -> list[str]:
        return list(examples["label"])

    def predict(self, job: Job) -> list[str]:
        wording = {**QUESTION_WORDING, **job.inference.get("question_wording", {})}
        job.details["question_wording"] = wording
        tokenizer = job.loaded.tokenizer
        features = []
        for example in job.examples:
            question = wording.get(example["question"], example["question"])
            pairs = [(example["context"], f"{question} {choice}") for choice in example["choices"]]
            encoded = tokenizer(
                within_reach([first for first, _ in pairs], job.inference["max_length"]),
                within_reach([second for _, second in pairs], job.inference["max_length"]),
                truncation=True,
                max_length=job.inference["max_length"],
            )
            features.append({name: encoded[name] for name in encoded})
        logits = batched_outputs(job.loaded, features, job.batch_size, job.description, job.progress)
        return [str(int(row.argmax())) for row in logits]

    def samples(self, examples: Any, gold: list[str], predictions: list[str]) -> list[dict]:
        columns = (examples[name] for name in ("id", "context", "question", "choices"))
        return [
            {"id": example_id, "input": {"premise": premise, "question": question, "choices": list(choices)}}
            | {"gold": expected, "prediction": predicted}
            for (example_id, premise, question, choices), expected, predicted in zip(zip(*columns), gold, predictions)
        ]
