"""Bitext mining (BUCC 2018): find the translation pairs hidden in two monolingual corpora.

Deduplicated sentences of each side are mined with the k-nearest ratio margin and greedy one-to-one "max"
retrieval (`xlt_bench.retrieval.mine`); the score threshold that maximises F1 on the dev ("sample") split is applied
to the test ("training") split. The threshold and the dev F1 are recorded with the results. On `--split dev` the
threshold is tuned on the scored split itself (an oracle, as jiant's "val" metric). Inference parameters:
`max_length`, `k`, `margin`, optional `threshold_from` (the split tuned on, default "dev"), plus the embedding
runners' (see `embedding_runner`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlt_bench.metrics.bucc import bucc_f1
from xlt_bench.runners.base import Job
from xlt_bench.runners.embedding_runner import EmbeddingRunner


def _sides(examples: Any) -> tuple[list[dict], list[dict]]:
    rows = examples.to_list()
    return [r for r in rows if r["side"] == "source"], [r for r in rows if r["side"] == "english"]


class BitextMiningRunner(EmbeddingRunner):
    type = "bitext_mining"
    description = "margin-based mining of translation pairs, threshold tuned on dev (BUCC)"
    inference_required = ("pooling", "max_length", "k", "margin")
    inference_optional = (*EmbeddingRunner.inference_optional, "threshold_from")

    def gold(self, examples: Any) -> list[tuple[str, str]]:
        source, _ = _sides(examples)
        return sorted({(row["id"], partner) for row in source for partner in row["gold"]})

    def prediction_problems(self, job: Job, gold: Any, predictions: Any) -> list[str]:
        """Mined pairs, not one per example: each (source id, English id) of sentences the unit read, once."""
        sides = tuple({row["id"] for row in side} for side in _sides(job.examples))
        if not isinstance(predictions, (list, tuple)):
            return [f"returned {type(predictions).__name__}, expected a list of (source id, English id) pairs"]
        seen = set()
        for pair in predictions:
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(i, str) for i in pair)):
                return [f"pair {pair!r} is not a (source id, English id) pair of texts"]
            if pair[0] not in sides[0] or pair[1] not in sides[1]:
                return [f"pair {tuple(pair)!r} names a sentence the unit did not read"]
            if tuple(pair) in seen:
                return [f"pair {tuple(pair)!r} predicted twice"]
            seen.add(tuple(pair))
        return []

    def splits_read(self, split: str, inference: Mapping[str, Any]) -> tuple[str, ...]:
        """BUCC also reads the split its threshold is tuned on."""
        return tuple(dict.fromkeys((split, inference.get("threshold_from", "dev"))))

    def predict(self, job: Job) -> list[tuple[str, str]]:
        prefix = job.inference.get("query_prefix", "")
        return self.mine(job, self.embedder(job, job.inference["max_length"], prefix))

    def candidates(self, job: Job, examples: Any, split: str, embed: Any) -> tuple[dict, set]:
        """Mined candidate pairs with their margin scores, and the gold pairs, of one split."""
        from xlt_bench.retrieval import (
            candidate_pairs,
            mine,
            sentence_ids,
            unique_sentences,
        )

        source, english = _sides(examples)
        source_unique, _ = unique_sentences([row["text"] for row in source])
        english_unique, _ = unique_sentences([row["text"] for row in english])
        mined = mine(
            embed(source_unique, f"{job.description} {split} {job.language}"),
            embed(english_unique, f"{job.description} {split} en"),
            k=job.inference["k"],
            margin=job.inference["margin"],
            index=self.index(job),
        )
        candidates = candidate_pairs(
            mined,
            source_unique,
            english_unique,
            sentence_ids([r["id"] for r in source], [r["text"] for r in source]),
            sentence_ids([r["id"] for r in english], [r["text"] for r in english]),
        )
        gold = {(row["id"], partner) for row in source for partner in row["gold"]}
        return candidates, gold

    def mine(self, job: Job, embed: Any) -> list[tuple[str, str]]:
        """The prediction given an `embed(texts, description)` function (tests plant embeddings here)."""
        from xlt_bench.retrieval import best_threshold, extract

        job.details.update(max_length=job.inference.get("max_length"), normalize=True)
        candidates, _ = self.candidates(job, job.examples, job.split, embed)
        tuning_split = job.inference.get("threshold_from", "dev")
        if job.split == tuning_split:
            tuning_candidates, tuning_gold = candidates, {tuple(pair) for pair in self.gold(job.examples)}
        else:
            tuning_candidates, tuning_gold = self.candidates(job, job.load_split(tuning_split), tuning_split, embed)
        threshold = best_threshold(tuning_candidates, tuning_gold)
        tuned = bucc_f1(tuning_gold, extract(tuning_candidates, threshold))
        job.details.update(threshold=threshold, threshold_from=tuning_split, threshold_split_f1=tuned["f1"])
        job.details.update(candidates=len(candidates))
        return extract(candidates, threshold)

    def samples(self, examples: Any, gold: list, predictions: list) -> list[dict]:
        """One line per source sentence that has a gold or a predicted partner (the rest are correct by omission)."""
        source, english = _sides(examples)
        texts = {row["id"]: row["text"] for row in (*source, *english)}
        expected: dict[str, list[str]] = {}
        for src, trg in gold:
            expected.setdefault(src, []).append(trg)
        found: dict[str, list[str]] = {}
        for src, trg in predictions:
            found.setdefault(src, []).append(trg)
        return [
            {
                "id": src,
                "input": texts.get(src),
                "gold": expected.get(src, []),
                "prediction": found.get(src, []),
                "predicted_text": [texts.get(trg) for trg in found.get(src, [])],
            }
            for src in sorted({*expected, *found})
        ]
