"""Ranking (XTREME-R's LAReQA and Mewsli-X; examples from `xlt_bench.data.ranking`): every "query" row is searched
against the whole pool of "candidate" rows, and the ids of its 20 nearest (`TOP_K`, the metrics' cut) are the
prediction, `{query id: [candidate ids]}`; the gold is `{query id: relevant ids}` (metrics in
`xlt_bench.metrics.ranking`).

Queries and candidates are encoded with their own `query_max_length` / `candidate_max_length`; `similarity`
"cosine" (default) L2-normalises both sides, "dot" ranks by the raw inner product (LAReQA's dual encoder). Queries
get `query_prefix`, candidates `passage_prefix` (e5's "query: " / "passage: "), plus the embedding runners'
parameters (see `embedding_runner`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.ranking import TOP_K
from xlt_bench.runners.base import Job
from xlt_bench.runners.embedding_runner import EmbeddingRunner

SIMILARITIES = ("cosine", "dot")


def _by_role(examples: Any, column: str) -> dict[str, list]:
    """One column's values of the "query" and of the "candidate" rows, read column-wise (Mewsli-X pools a million
    candidates, too many to materialise as row dicts)."""
    split: dict[str, list] = {"query": [], "candidate": []}
    for role, value in zip(examples["role"], examples[column]):
        split[role].append(value)
    return split


class RankingRunner(EmbeddingRunner):
    type = "ranking"
    description = "queries ranked against a shared candidate pool by embedding similarity (LAReQA, Mewsli-X)"
    inference_required = ("pooling", "query_max_length", "candidate_max_length")
    inference_optional = (*EmbeddingRunner.inference_optional, "passage_prefix", "similarity")

    def count(self, examples: Any) -> int:
        """The queries; the candidates are the pool they search."""
        return sum(role == "query" for role in examples["role"])

    def inference_problems(self, inference: Mapping[str, Any]) -> list[str]:
        found = super().inference_problems(inference)
        if inference.get("similarity", "cosine") not in SIMILARITIES:
            found.append(f"similarity {inference['similarity']!r}; expected one of {', '.join(SIMILARITIES)}")
        return found

    def gold(self, examples: Any) -> dict[str, list[str]]:
        return dict(zip(_by_role(examples, "id")["query"], _by_role(examples, "relevant")["query"]))

    def predict(self, job: Job) -> dict[str, list[str]]:
        inference = job.inference
        job.details.update({name: inference[name] for name in ("query_max_length", "candidate_max_length")})
        queries = self.embedder(job, inference["query_max_length"], inference.get("query_prefix", ""))
        pool = self.embedder(job, inference["candidate_max_length"], inference.get("passage_prefix", ""))
        return self.rank(job, queries, pool)

    def rank(self, job: Job, embed_queries: Any, embed_candidates: Any) -> dict[str, list[str]]:
        """The prediction given `embed(texts, description)` functions (tests plant embeddings here)."""
        from xlt_bench.retrieval import knn, normalize

        if problems := self.inference_problems(job.inference):
            raise XltBenchError(f"{job.task.name}: inference {problems[0]}")
        similarity = job.inference.get("similarity", "cosine")
        ids, texts = _by_role(job.examples, "id"), _by_role(job.examples, "text")
        queries = embed_queries(texts["query"], f"{job.description} queries")
        pool = embed_candidates(texts["candidate"], f"{job.description} candidates")
        if similarity == "cosine":
            queries, pool = normalize(queries), normalize(pool)
        _, nearest = knn(queries, pool, TOP_K, index=self.index(job))
        job.details.update(similarity=similarity, normalize=similarity == "cosine", top_k=TOP_K)
        job.details.update(queries=len(ids["query"]), candidates=len(ids["candidate"]))
        return {query: [ids["candidate"][i] for i in hits] for query, hits in zip(ids["query"], nearest)}

    def samples(self, examples: Any, gold: dict[str, list[str]], predictions: dict[str, list[str]]) -> list[dict]:
        queries = dict(zip(_by_role(examples, "id")["query"], _by_role(examples, "text")["query"]))
        return [
            {"id": query, "input": queries.get(query), "gold": expected, "prediction": predictions.get(query, [])}
            for query, expected in gold.items()
        ]
