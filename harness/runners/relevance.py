"""Relevance ranking (XGLUE WPR): a real-valued relevance score per (query, candidate) row, ranked within a query.

The checkpoint is a sequence-classification model over the graded relevance labels (WPR: "0" Bad ... "4"
Perfect, matched by name like any label set). Its score for a row is the expected grade under the head's softmax,
sum_i p_i * grade_i: a real value, so rows rarely tie (argmax grades would tie often, and nDCG averages over the
orderings of ties, pitfall X3). Rows keep their file order; the query groups come from the data reader.
"""

from __future__ import annotations

from typing import Any

from xlt_bench.runners.base import Job
from xlt_bench.runners.classification import ClassificationRunner


class RelevanceRunner(ClassificationRunner):
    type = "relevance"
    description = "a relevance score per (query, candidate) row, ranked within each query (XGLUE WPR)"

    def gold(self, examples: Any) -> list[tuple[str, str]]:
        return list(zip(examples["group"], examples["label"]))

    def predict(self, job: Job) -> list[float]:
        import torch

        grades = torch.tensor([float(job.plan.labels[i]) for i in range(len(job.plan.labels))])
        job.details["score"] = "expected grade under the softmax"
        return [float(torch.softmax(row, dim=-1) @ grades) for row in self.logits(job)]

    def samples(self, examples: Any, gold: list[tuple[str, str]], predictions: list[float]) -> list[dict]:
        pairs = zip(examples["text"], examples["text_pair"])
        return [
            {"id": example_id, "query": group, "input": list(pair), "gold": grade, "prediction": score}
            for example_id, (group, grade), score, pair in zip(examples["id"], gold, predictions, pairs)
        ]
