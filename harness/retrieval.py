"""Nearest-neighbour search, margin-based bitext mining and the BUCC threshold protocol, on numpy embeddings.

`mine` reproduces XTREME's `mine_bitext(mode='mine', retrieval='max', dist='cosine')` (Artetxe & Schwenk margin
scoring with greedy one-to-one acceptance). The BUCC functions follow `read_sent2id`, `read_candidate2score`,
`bucc_optimize` and `bucc_extract`, but implement the *intended* protocol rather than the official script, which is
buggy: its dev ("sample") and test ("training") runs write one candidates file name, so test mining is skipped and
the dev candidates are scored again, and the 2020 version passes an undefined `threshold`. Here each split is mined
on its own, the threshold is tuned on the dev candidates against the dev gold and then applied unchanged to the test
candidates.

Search never builds the n x m similarity matrix: queries go through a faiss index in chunks of `chunk_size` rows, so
memory is the index plus O(chunk_size * k) per chunk and O(n * k) for the results. Under torchrun only rank 0 builds
the index and searches; the other ranks receive its neighbours (`distributed.from_writer`), so margins stay exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from xlt_bench.distributed import from_writer
from xlt_bench.errors import XltBenchError

MARGINS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "ratio": lambda a, b: a / b,
    "distance": lambda a, b: a - b,
    "absolute": lambda a, b: a,
}


def normalize(x: np.ndarray) -> np.ndarray:
    """float32, C-contiguous copy with every row L2-normalised (zero rows stay zero, as `faiss.normalize_L2`)."""
    x = np.array(x, dtype=np.float32, order="C", copy=True)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, norms, out=x, where=norms > 0)
    return x


def knn(
    queries: np.ndarray,
    corpus: np.ndarray,
    k: int,
    index: str = "flat",
    chunk_size: int = 8192,
    nlist: int | None = None,
    nprobe: int = 16,
    hnsw_m: int = 32,
    ef_search: int = 128,
) -> tuple[np.ndarray, np.ndarray]:
    """Inner-product k nearest neighbours of each query row among corpus rows: (similarities (n, k) float32,
    indices (n, k) int64), best first; k is clipped to len(corpus).

    Queries are searched `chunk_size` rows at a time, so no n x m matrix is ever built. index "flat" is exact
    (`IndexFlatIP`); "ivf" (`IndexIVFFlat`, trained on the corpus, `nlist` lists, default about 4 * sqrt(len(corpus)),
    `nprobe` probed) and "hnsw" (`IndexHNSWFlat`, `hnsw_m` links, efSearch `ef_search`) are approximate but much
    faster on large corpora; their similarities are still exact inner products of the rows they return.
    """
    import faiss

    queries = np.ascontiguousarray(queries, dtype=np.float32)
    corpus = np.ascontiguousarray(corpus, dtype=np.float32)
    if queries.ndim != 2 or corpus.ndim != 2 or queries.shape[1] != corpus.shape[1]:
        raise XltBenchError(f"knn needs two 2-D arrays of equal width, got shapes {queries.shape} and {corpus.shape}")
    if k < 1 or chunk_size < 1:
        raise XltBenchError(f"knn needs k >= 1 and chunk_size >= 1, got k={k} and chunk_size={chunk_size}")
    if index not in ("flat", "ivf", "hnsw"):
        raise XltBenchError(f"unknown knn index {index!r}; expected 'flat', 'ivf' or 'hnsw'")
    dim, k = corpus.shape[1], min(k, len(corpus))
    similarities = np.empty((len(queries), k), dtype=np.float32)
    indices = np.empty((len(queries), k), dtype=np.int64)
    if k == 0:
        return similarities, indices
    lists = nlist if nlist is not None else min(len(corpus), round(4 * math.sqrt(len(corpus))))
    if index == "ivf" and not 1 <= lists <= len(corpus):
        raise XltBenchError(f"ivf nlist must be between 1 and the corpus size {len(corpus)}, got {lists}")

    def search() -> tuple[np.ndarray, np.ndarray]:
        if index == "flat":
            searcher = faiss.IndexFlatIP(dim)
            if faiss.get_num_gpus() > 0:  # faiss-gpu, from the `gpu` extra: the same exact search on the GPUs
                searcher = faiss.index_cpu_to_all_gpus(searcher)
        elif index == "ivf":
            quantizer = faiss.IndexFlatIP(dim)
            searcher = faiss.IndexIVFFlat(quantizer, dim, lists, faiss.METRIC_INNER_PRODUCT)
            searcher.train(corpus)
            searcher.nprobe = nprobe
        else:
            searcher = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            searcher.hnsw.efSearch = ef_search
        searcher.add(corpus)
        for start in range(0, len(queries), chunk_size):
            stop = start + chunk_size
            similarities[start:stop], indices[start:stop] = searcher.search(queries[start:stop], k)
        return similarities, indices

    similarities, indices = from_writer(search)  # under torchrun, rank 0 searches and tells the others
    if (indices < 0).any():
        # IVF pads with -1 when the probed lists hold fewer than k rows; a silent -1 would corrupt the margins.
        raise XltBenchError(f"{index} search found fewer than {k} neighbours for some queries; raise nprobe/ef_search")
    return similarities, indices


@dataclass(frozen=True)
class MinedPair:
    """One accepted pair: row `source` of the source (non-English) matrix, row `target` of the English one."""

    source: int
    target: int
    score: float


def mine(
    source: np.ndarray,
    target: np.ndarray,
    k: int = 4,
    margin: str = "ratio",
    index: str = "flat",
    **knn_options: int,
) -> list[MinedPair]:
    """Margin-based mining with "max" retrieval, as XTREME's `mine_bitext`, on already de-duplicated rows.

    Each side's rows are scored against their k nearest neighbours on the other side with
    margin(cos, (mean cos of the source's k neighbours + mean cos of the target's k neighbours) / 2), so a "hub"
    close to everything needs a higher cosine to win. Every row keeps its best candidate; the forward and backward
    bests are pooled, sorted by score and accepted greedily one-to-one. The pooled sort is stable (forward bests in
    row order, then backward bests) where the official code used numpy's default, unstable sort: only exact ties can
    differ. A pair whose score is not > 0 is not returned but, as in the official code, still marks its rows as taken
    (harmless: no later pair scores higher). Scores use the cosines the search returned instead of recomputing them.
    """
    if margin not in MARGINS:
        raise XltBenchError(f"unknown margin {margin!r}; expected one of {', '.join(MARGINS)}")
    x, y = normalize(source), normalize(target)
    if len(x) == 0 or len(y) == 0:
        return []
    fwd_sim, fwd_ind = knn(x, y, k, index=index, **knn_options)
    bwd_sim, bwd_ind = knn(y, x, k, index=index, **knn_options)
    fwd_mean, bwd_mean = fwd_sim.mean(axis=1), bwd_sim.mean(axis=1)
    fwd_scores = MARGINS[margin](fwd_sim, (fwd_mean[:, None] + bwd_mean[fwd_ind]) / 2)
    bwd_scores = MARGINS[margin](bwd_sim, (bwd_mean[:, None] + fwd_mean[bwd_ind]) / 2)

    fwd_rows, bwd_rows = np.arange(len(x)), np.arange(len(y))
    fwd_pick, bwd_pick = fwd_scores.argmax(axis=1), bwd_scores.argmax(axis=1)
    sources = np.concatenate((fwd_rows, bwd_ind[bwd_rows, bwd_pick]))
    targets = np.concatenate((fwd_ind[fwd_rows, fwd_pick], bwd_rows))
    scores = np.concatenate((fwd_scores[fwd_rows, fwd_pick], bwd_scores[bwd_rows, bwd_pick]))

    pairs: list[MinedPair] = []
    seen_sources: set[int] = set()
    seen_targets: set[int] = set()
    for position in np.argsort(-scores, kind="stable"):
        src, trg = int(sources[position]), int(targets[position])
        if src in seen_sources or trg in seen_targets:
            continue
        seen_sources.add(src)
        seen_targets.add(trg)
        if scores[position] > 0:
            pairs.append(MinedPair(src, trg, float(scores[position])))
    return pairs


def unique_sentences(sentences: Sequence[str]) -> tuple[list[str], list[int]]:
    """(unique sentences in first-seen order, for each input sentence the index of its unique sentence).

    Exact string equality, as XTREME's `text_load_unify` (which compares whole lines): embed and mine only the
    unique sentences, so a repeated sentence cannot be paired twice.
    """
    positions: dict[str, int] = {}
    inverse = [positions.setdefault(sentence, len(positions)) for sentence in sentences]
    return list(positions), inverse


def sentence_ids(ids: Sequence[str], sentences: Sequence[str]) -> dict[str, str]:
    """sentence text -> id, dropping every sentence that occurs more than once on its side (XTREME `read_sent2id`:
    pairs involving a repeated sentence are never scored, since the sentence cannot name one id)."""
    if len(ids) != len(sentences):
        raise XltBenchError(f"BUCC ids and sentences differ in length: {len(ids)} ids, {len(sentences)} sentences")
    text_to_id: dict[str, str] = {}
    repeated: set[str] = set()
    for sentence_id, sentence in zip(ids, sentences):
        if sentence in text_to_id:
            repeated.add(sentence)
        else:
            text_to_id[sentence] = sentence_id
    for sentence in repeated:
        del text_to_id[sentence]
    return text_to_id


def candidate_pairs(
    mined: Sequence[MinedPair],
    source_unique: Sequence[str],
    target_unique: Sequence[str],
    source_ids: Mapping[str, str],
    target_ids: Mapping[str, str],
) -> dict[tuple[str, str], float]:
    """(source id, target id) -> score for mined pairs whose two sentences both have an id; a pair seen twice keeps
    the max score (XTREME `read_candidate2score`)."""
    candidates: dict[tuple[str, str], float] = {}
    for pair in mined:
        source_text, target_text = source_unique[pair.source], target_unique[pair.target]
        if source_text in source_ids and target_text in target_ids:
            key = (source_ids[source_text], target_ids[target_text])
            candidates[key] = max(pair.score, candidates.get(key, pair.score))
    return candidates


def best_threshold(candidates: Mapping[tuple[str, str], float], gold: set[tuple[str, str]]) -> float:
    """The score cut that maximises F1 against `gold` (XTREME `bucc_optimize`); tune it on dev, apply it to test.

    Walking down the candidates by descending score (ties in insertion order), each strictly better F1 sets the
    threshold midway between this candidate's score and the next one's; at the last candidate, where the official
    code would index past the end, its own score. 0.0 when nothing is correct.
    """
    items = sorted(candidates.items(), key=lambda item: -item[1])
    threshold, best_f1, ncorrect = 0.0, 0.0, 0
    for position, (pair, score) in enumerate(items):
        ncorrect += pair in gold
        if ncorrect == 0:
            continue
        precision, recall = ncorrect / (position + 1), ncorrect / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            threshold = (score + items[position + 1][1]) / 2 if position + 1 < len(items) else score
    return threshold


def extract(candidates: Mapping[tuple[str, str], float], threshold: float) -> list[tuple[str, str]]:
    """Pairs with score >= threshold (XTREME `bucc_extract`), in descending score order."""
    return [pair for pair, score in sorted(candidates.items(), key=lambda item: -item[1]) if score >= threshold]
