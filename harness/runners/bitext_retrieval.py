"""Bitext retrieval (Tatoeba): every English sentence queries the non-English ones; the nearest by cosine (faiss,
top-1, no margin) is the prediction.

Predictions are written as XTREME's submission expects: one line per English sentence in alphabetical order (the
order of XTREME's processed English file), holding the index of the retrieved non-English line; the gold is each
sorted sentence's original index. Inference parameters: `max_length`, plus the embedding runners' (see
`embedding_runner`).
"""

from __future__ import annotations

from typing import Any

from xlt_bench.runners.base import Job
from xlt_bench.runners.embedding_runner import EmbeddingRunner


def english_order(english: list[str]) -> list[int]:
    """Indices of the English sentences in XTREME's sorted order (stable for equal sentences)."""
    return sorted(range(len(english)), key=lambda index: english[index])


def _stripped(examples: Any, column: str) -> list[str]:
    return [text.strip() for text in examples[column]]


class BitextRetrievalRunner(EmbeddingRunner):
    type = "bitext_retrieval"
    description = "nearest sentence by cosine across a bitext (Tatoeba)"
    inference_required = ("pooling", "max_length")

    def gold(self, examples: Any) -> list[str]:
        return [str(index) for index in english_order(_stripped(examples, "text_pair"))]

    def predict(self, job: Job) -> list[str]:
        prefix = job.inference.get("query_prefix", "")
        return self.nearest(job, self.embedder(job, job.inference["max_length"], prefix))

    def nearest(self, job: Job, embed: Any) -> list[str]:
        """The prediction given an `embed(texts, description)` function (tests plant embeddings here)."""
        from xlt_bench.retrieval import knn, normalize

        job.details.update(max_length=job.inference.get("max_length"), normalize=True)
        foreign, english = _stripped(job.examples, "text"), _stripped(job.examples, "text_pair")
        queries = normalize(embed(english, f"{job.description} en"))
        corpus = normalize(embed(foreign, f"{job.description} {job.language}"))
        _, nearest = knn(queries, corpus, 1, index=self.index(job))
        return [str(int(nearest[query, 0])) for query in english_order(english)]

    def samples(self, examples: Any, gold: list[str], predictions: list[str]) -> list[dict]:
        english, foreign = _stripped(examples, "text_pair"), _stripped(examples, "text")

        def line(index: str) -> str | None:
            return foreign[int(index)] if index.isdigit() and int(index) < len(foreign) else None

        return [
            {
                "id": str(index),
                "input": english[index],
                "gold": expected,
                "prediction": predicted,
                "retrieved": line(predicted),
            }
            for index, expected, predicted in zip(english_order(english), gold, predictions)
        ]
