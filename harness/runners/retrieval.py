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

`layer`, `pooling`, `max_length` and the faiss `index` are task parameters (overridable with `--layer`,
`--pooling`, `--index`) and are recorded with every result.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from xlt_bench.embeddings import encode, resolve_layer
from xlt_bench.metrics.bucc import bucc_f1
from xlt_bench.retrieval import (
    best_threshold,
    candidate_pairs,
    extract,
    knn,
    mine,
    normalize,
    sentence_ids,
    unique_sentences,
)
from xlt_bench.runners import Job, Runner


def english_order(english: list[str]) -> list[int]:
    """Indices of the English sentences in XTREME's sorted order (stable for equal sentences)."""
    return sorted(range(len(english)), key=lambda index: english[index])


def _sides(examples: Any) -> tuple[list[dict], list[dict]]:
    rows = examples.to_list()
    return [r for r in rows if r["side"] == "source"], [r for r in rows if r["side"] == "english"]


class RetrievalRunner(Runner):
    """Any encoder checkpoint: the head, if there is one, is dropped."""

    def gold(self, examples: Any) -> list:
        if self.task.inference["protocol"] == "nearest":
            english = [text.strip() for text in examples["text_pair"]]
            return [str(index) for index in english_order(english)]
        source, _ = _sides(examples)
        return sorted({(row["id"], partner) for row in source for partner in row["gold"]})

    def predict(self, job: Job) -> list:
        settings = job.settings
        layer = resolve_layer(settings.get("layer", "auto"), job.loaded.model.config.num_hidden_layers)
        job.details.update(layer=layer, pooling=settings["pooling"], max_length=settings["max_length"])
        job.details.update(index=settings.get("index", "flat"), normalize=True)
        embed = partial(
            encode,
            job.loaded,
            checkpoint=job.plan.checkpoint_hash,
            layer=layer,
            pooling=settings["pooling"],
            max_length=settings["max_length"],
            batch_size=settings["batch_size"],
            progress=settings["progress"],
            cache_dir=job.cache_dir,
        )
        if self.task.inference["protocol"] == "nearest":
            return self._nearest(job, embed)
        return self._mine(job, embed)

    def _nearest(self, job: Job, embed: Any) -> list[str]:
        foreign = [text.strip() for text in job.examples["text"]]
        english = [text.strip() for text in job.examples["text_pair"]]
        queries = normalize(embed(english, description=f"{job.description} en"))
        corpus = normalize(embed(foreign, description=f"{job.description} {job.language}"))
        _, nearest = knn(queries, corpus, 1, index=job.settings.get("index", "flat"))
        return [str(int(nearest[query, 0])) for query in english_order(english)]

    def _candidates(self, job: Job, examples: Any, split: str, embed: Any) -> tuple[dict, set]:
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

    def _mine(self, job: Job, embed: Any) -> list[tuple[str, str]]:
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

    def samples(self, examples: Any, gold: list, predictions: list) -> list[dict]:
        if self.task.inference["protocol"] == "nearest":
            english = [text.strip() for text in examples["text_pair"]]
            return [
                {"id": str(index), "gold": expected, "prediction": predicted}
                for index, expected, predicted in zip(english_order(english), gold, predictions)
            ]
        expected = {tuple(pair) for pair in gold}
        return [{"id": src, "prediction": trg, "correct": (src, trg) in expected} for src, trg in predictions]
