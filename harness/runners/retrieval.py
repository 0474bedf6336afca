"""Bitext retrieval with sentence embeddings straight from an encoder (no task head): Tatoeba and BUCC 2018.

The task's `inference["protocol"]` selects what is done with the embeddings:

- "nearest" (Tatoeba): every English sentence queries the non-English ones; the nearest by cosine (faiss, top-1,
  no margin) is the prediction. Predictions are written as XTREME's submission expects: one line per English
  sentence in alphabetical order (the order of XTREME's processed English file), holding the index of the
  retrieved non-English line; the gold is each sorted sentence's original index.
- "mine" (BUCC): deduplicated sentences of each side are mined with the k = 4 ratio margin and greedy one-to-one
  "max" retrieval (`xlt_bench.retrieval.mine`); the score threshold that maximises F1 on the dev ("sample") split
  is applied to the test ("training") split. The threshold and the dev F1 are recorded with the results. On
  `--split dev` the threshold is tuned on the scored split itself (an oracle, as jiant's "val" metric).
- "rank" (XTREME-R's LAReQA and Mewsli-X; examples from `xlt_bench.data.ranking`): every "query" row is searched
  against the whole pool of "candidate" rows and the ids of its 20 nearest (`TOP_K`, the metrics' cut) are the
  prediction, `{query id: [candidate ids]}`; the gold is `{query id: relevant ids}`. Queries and candidates are
  encoded with their own `query_max_length` / `candidate_max_length`; `similarity` "cosine" (default)
  L2-normalises both sides, "dot" ranks by the raw inner product (LAReQA's dual encoder).

`layer`, `pooling`, `max_length` and the faiss `index` are task parameters (overridable with `--layer`,
`--pooling`, `--index`) and are recorded with every result.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.bucc import bucc_f1
from xlt_bench.metrics.ranking import TOP_K
from xlt_bench.runners import Job, Runner

# `xlt_bench.embeddings` and `xlt_bench.retrieval` (numpy, faiss) are imported where they are used: registering
# tasks checks their runner's settings (`missing_settings`), and that must not make `list` or `--help` slower.


def english_order(english: list[str]) -> list[int]:
    """Indices of the English sentences in XTREME's sorted order (stable for equal sentences)."""
    return sorted(range(len(english)), key=lambda index: english[index])


def _sides(examples: Any) -> tuple[list[dict], list[dict]]:
    rows = examples.to_list()
    return [r for r in rows if r["side"] == "source"], [r for r in rows if r["side"] == "english"]


def _by_role(examples: Any, column: str) -> dict[str, list]:
    """One column's values of the "query" and of the "candidate" rows, read column-wise (Mewsli-X pools a million
    candidates, too many to materialise as row dicts)."""
    split: dict[str, list] = {"query": [], "candidate": []}
    for role, value in zip(examples["role"], examples[column]):
        split[role].append(value)
    return split


PROTOCOL_NEEDS = {
    "nearest": ("pooling", "max_length"),
    "mine": ("pooling", "max_length", "k", "margin"),
    "rank": ("pooling", "query_max_length", "candidate_max_length"),
}


class RetrievalRunner(Runner):
    """Any encoder checkpoint: the head, if there is one, is dropped."""

    def count(self, examples: Any) -> int:
        if self.task.inference["protocol"] == "rank":  # the queries; the candidates are the pool they search
            return sum(role == "query" for role in examples["role"])
        return len(examples)

    def missing_settings(self) -> list[str]:
        protocol = self.task.inference.get("protocol")
        if protocol not in PROTOCOL_NEEDS:
            return [f"protocol (one of {', '.join(PROTOCOL_NEEDS)})"]
        return [name for name in PROTOCOL_NEEDS[protocol] if name not in self.task.inference]

    def gold(self, examples: Any) -> list | dict[str, list[str]]:
        if self.task.inference["protocol"] == "rank":
            return dict(zip(_by_role(examples, "id")["query"], _by_role(examples, "relevant")["query"]))
        if self.task.inference["protocol"] == "nearest":
            english = [text.strip() for text in examples["text_pair"]]
            return [str(index) for index in english_order(english)]
        source, _ = _sides(examples)
        return sorted({(row["id"], partner) for row in source for partner in row["gold"]})

    def predict(self, job: Job) -> list | dict[str, list[str]]:
        from xlt_bench.embeddings import encode, resolve_layer

        settings = job.settings
        layer = resolve_layer(settings.get("layer", "auto"), job.loaded.model.config.num_hidden_layers)
        job.details.update(layer=layer, pooling=settings["pooling"], index=settings.get("index", "flat"))
        embed = partial(
            encode,
            job.loaded,
            checkpoint=job.plan.checkpoint_hash,
            layer=layer,
            pooling=settings["pooling"],
            batch_size=settings["batch_size"],
            progress=settings["progress"],
            cache_dir=job.cache_dir,
        )
        if self.task.inference["protocol"] == "rank":
            lengths = {name: settings[name] for name in ("query_max_length", "candidate_max_length")}
            job.details.update(lengths)
            queries = partial(embed, max_length=lengths["query_max_length"])
            return self._rank(job, queries, partial(embed, max_length=lengths["candidate_max_length"]))
        job.details.update(max_length=settings["max_length"], normalize=True)
        embed = partial(embed, max_length=settings["max_length"])
        if self.task.inference["protocol"] == "nearest":
            return self._nearest(job, embed)
        return self._mine(job, embed)

    def _nearest(self, job: Job, embed: Any) -> list[str]:
        from xlt_bench.retrieval import knn, normalize

        foreign = [text.strip() for text in job.examples["text"]]
        english = [text.strip() for text in job.examples["text_pair"]]
        queries = normalize(embed(english, description=f"{job.description} en"))
        corpus = normalize(embed(foreign, description=f"{job.description} {job.language}"))
        _, nearest = knn(queries, corpus, 1, index=job.settings.get("index", "flat"))
        return [str(int(nearest[query, 0])) for query in english_order(english)]

    def _rank(self, job: Job, embed_queries: Any, embed_candidates: Any) -> dict[str, list[str]]:
        from xlt_bench.retrieval import knn, normalize

        similarity = job.settings.get("similarity", "cosine")
        if similarity not in ("cosine", "dot"):
            raise XltBenchError(f"{job.task.name}: inference similarity {similarity!r}; expected 'cosine' or 'dot'")
        ids, texts = _by_role(job.examples, "id"), _by_role(job.examples, "text")
        queries = embed_queries(texts["query"], description=f"{job.description} queries")
        pool = embed_candidates(texts["candidate"], description=f"{job.description} candidates")
        if similarity == "cosine":
            queries, pool = normalize(queries), normalize(pool)
        _, nearest = knn(queries, pool, TOP_K, index=job.settings.get("index", "flat"))
        job.details.update(similarity=similarity, normalize=similarity == "cosine", top_k=TOP_K)
        job.details.update(queries=len(ids["query"]), candidates=len(ids["candidate"]))
        return {query: [ids["candidate"][i] for i in hits] for query, hits in zip(ids["query"], nearest)}

    def _candidates(self, job: Job, examples: Any, split: str, embed: Any) -> tuple[dict, set]:
        from xlt_bench.retrieval import candidate_pairs, mine, sentence_ids, unique_sentences

        source, english = _sides(examples)
        source_unique, _ = unique_sentences([row["text"] for row in source])
        english_unique, _ = unique_sentences([row["text"] for row in english])
        mined = mine(
            embed(source_unique, description=f"{job.description} {split} {job.language}"),
            embed(english_unique, description=f"{job.description} {split} en"),
            k=job.settings["k"],
            margin=job.settings["margin"],
            index=job.settings.get("index", "flat"),
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

    def splits_read(self, split: str, settings: Mapping[str, Any]) -> tuple[str, ...]:
        """BUCC also reads the split its threshold is tuned on."""
        tuning = settings.get("threshold_from", "dev") if self.task.inference["protocol"] == "mine" else split
        return tuple(dict.fromkeys((split, tuning)))

    def _mine(self, job: Job, embed: Any) -> list[tuple[str, str]]:
        from xlt_bench.retrieval import best_threshold, extract

        candidates, _ = self._candidates(job, job.examples, job.split, embed)
        tuning_split = job.settings.get("threshold_from", "dev")
        if job.split == tuning_split:
            tuning_candidates, tuning_gold = candidates, {tuple(pair) for pair in self.gold(job.examples)}
        else:
            tuning_candidates, tuning_gold = self._candidates(job, job.load_split(tuning_split), tuning_split, embed)
        threshold = best_threshold(tuning_candidates, tuning_gold)
        tuned = bucc_f1(tuning_gold, extract(tuning_candidates, threshold))
        job.details.update(threshold=threshold, threshold_from=tuning_split, threshold_split_f1=tuned["f1"])
        job.details.update(candidates=len(candidates))
        return extract(candidates, threshold)

    def samples(self, examples: Any, gold: list | dict, predictions: list | dict) -> list[dict]:
        if self.task.inference["protocol"] == "rank":
            return [
                {"id": query, "gold": expected, "prediction": predictions.get(query, [])}
                for query, expected in gold.items()
            ]
        if self.task.inference["protocol"] == "nearest":
            english = [text.strip() for text in examples["text_pair"]]
            return [
                {"id": str(index), "gold": expected, "prediction": predicted}
                for index, expected, predicted in zip(english_order(english), gold, predictions)
            ]
        expected = {tuple(pair) for pair in gold}
        return [{"id": src, "prediction": trg, "correct": (src, trg) in expected} for src, trg in predictions]
