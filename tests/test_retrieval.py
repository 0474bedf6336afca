"""k-NN search, margin mining and the BUCC dev -> test threshold protocol against brute-force and hand-worked values."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.bucc import bucc_f1
from xlt_bench.retrieval import (
    MinedPair,
    best_threshold,
    candidate_pairs,
    extract,
    knn,
    mine,
    normalize,
    sentence_ids,
    unique_sentences,
)


def random_rows(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    return normalize(rng.standard_normal((n, dim)))


class TestNormalize:
    def test_unit_rows_zero_rows_stay_zero_and_input_untouched(self):
        x = np.array([[3.0, 4.0], [0.0, 0.0]])
        result = normalize(x)
        assert result.dtype == np.float32 and result.flags.c_contiguous
        np.testing.assert_allclose(result, [[0.6, 0.8], [0.0, 0.0]])
        assert x[0, 0] == 3.0


class TestExactKnn:
    @pytest.mark.parametrize("chunk_size", [8192, 37])
    def test_equals_brute_force(self, chunk_size):
        rng = np.random.default_rng(0)
        queries, corpus = random_rows(rng, 500, 32), random_rows(rng, 2000, 32)
        similarities, indices = knn(queries, corpus, 10, chunk_size=chunk_size)

        full = queries @ corpus.T  # the n x m matrix knn never builds
        reference = np.take_along_axis(full, np.argsort(-full, axis=1)[:, :10], axis=1)
        assert similarities.shape == indices.shape == (500, 10)
        assert similarities.dtype == np.float32 and indices.dtype == np.int64
        np.testing.assert_allclose(similarities, reference, atol=1e-5)
        # Tied neighbours may come in either order: each returned index must carry the reference similarity.
        np.testing.assert_allclose(np.take_along_axis(full, indices, axis=1), reference, atol=1e-5)
        assert all(len(set(row)) == 10 for row in indices.tolist())

    def test_k_is_clipped_to_the_corpus(self):
        rng = np.random.default_rng(1)
        similarities, indices = knn(random_rows(rng, 5, 8), random_rows(rng, 3, 8), 10)
        assert similarities.shape == indices.shape == (5, 3)
        assert all(sorted(row) == [0, 1, 2] for row in indices.tolist())

    def test_mismatched_widths_are_a_user_error(self):
        with pytest.raises(XltBenchError, match="equal width"):
            knn(np.zeros((2, 3)), np.zeros((2, 4)), 1)


class TestApproximateKnn:
    @pytest.mark.parametrize("index", ["ivf", "hnsw"])
    def test_recall_at_1_with_default_parameters(self, index):
        # Queries are noisy copies of corpus rows (cosine ~0.9), as a translation is to its original: on queries
        # independent of the corpus the nearest neighbour is barely nearer than the next and IVF recall drops.
        rng = np.random.default_rng(2)
        corpus = random_rows(rng, 5000, 32)
        rows = rng.choice(len(corpus), 2000, replace=False)
        queries = normalize(corpus[rows] + 0.5 * rng.standard_normal((2000, 32)) / math.sqrt(32))
        _, exact = knn(queries, corpus, 1)
        _, approximate = knn(queries, corpus, 1, index=index)
        recall = float(np.mean(approximate[:, 0] == exact[:, 0]))
        print(f"{index} recall@1 = {recall:.4f} (2000 queries x 5000 corpus x dim 32, default parameters)")
        assert recall >= 0.9

    def test_unknown_index_is_a_user_error(self):
        with pytest.raises(XltBenchError, match="unknown knn index 'annoy'"):
            knn(np.eye(2), np.eye(2), 1, index="annoy")

    def test_ivf_too_few_neighbours_is_an_error_not_a_minus_one(self):
        rng = np.random.default_rng(3)
        corpus = random_rows(rng, 100, 8)
        with pytest.raises(XltBenchError, match="fewer than 5 neighbours"):
            knn(corpus, corpus, 5, index="ivf", nlist=100, nprobe=1)
        with pytest.raises(XltBenchError, match="nlist"):
            knn(corpus, corpus, 5, index="ivf", nlist=101)


def reference_mine(source: np.ndarray, target: np.ndarray, k: int, margin) -> list[tuple[int, int, float]]:
    """XTREME's mine_bitext(mode='mine', retrieval='max') with plain loops over the full similarity matrix."""
    x, y = normalize(source), normalize(target)
    sim = (x @ y.T).tolist()
    n, m = len(x), len(y)
    fwd_nn = [sorted(range(m), key=lambda j: -sim[i][j])[: min(k, m)] for i in range(n)]
    bwd_nn = [sorted(range(n), key=lambda i: -sim[i][j])[: min(k, n)] for j in range(m)]
    fwd_mean = [sum(sim[i][j] for j in fwd_nn[i]) / len(fwd_nn[i]) for i in range(n)]
    bwd_mean = [sum(sim[i][j] for i in bwd_nn[j]) / len(bwd_nn[j]) for j in range(m)]

    def score(i: int, j: int) -> float:
        return margin(sim[i][j], (fwd_mean[i] + bwd_mean[j]) / 2)

    pool = []
    for i in range(n):
        best = max(fwd_nn[i], key=lambda j: score(i, j))  # max() keeps the first of equal scores, as argmax
        pool.append((score(i, best), i, best))
    for j in range(m):
        best = max(bwd_nn[j], key=lambda i: score(i, j))
        pool.append((score(best, j), best, j))
    accepted, seen_source, seen_target = [], set(), set()
    for value, i, j in sorted(pool, key=lambda item: -item[0]):
        if i not in seen_source and j not in seen_target:
            seen_source.add(i)
            seen_target.add(j)
            if value > 0:
                accepted.append((i, j, value))
    return accepted


class TestMine:
    @pytest.mark.parametrize(
        ("margin", "function"),
        [("ratio", lambda a, b: a / b), ("distance", lambda a, b: a - b), ("absolute", lambda a, b: a)],
    )
    def test_equals_brute_force_on_planted_pairs(self, margin, function):
        rng = np.random.default_rng(4)
        parallel = rng.standard_normal((30, 16))
        source = np.concatenate([parallel, rng.standard_normal((40, 16))])
        target = np.concatenate([parallel + 0.1 * rng.standard_normal((30, 16)), rng.standard_normal((40, 16))])
        order = rng.permutation(len(target))  # target row order[p] holds planted pair p's translation
        shuffled = np.empty_like(target)
        shuffled[order] = target

        mined = mine(source, shuffled, margin=margin)
        expected = reference_mine(source, shuffled, 4, function)
        assert [(p.source, p.target) for p in mined] == [(i, j) for i, j, _ in expected]
        assert [p.score for p in mined] == pytest.approx([value for _, _, value in expected], rel=1e-5)
        assert {(i, int(order[i])) for i in range(30)} <= {(p.source, p.target) for p in mined}

    def test_hand_worked_margin_beats_a_hub_and_greedy_stays_one_to_one(self):
        source = np.array([[1, 0], [12 / 13, 5 / 13], [5 / 13, 12 / 13]])  # s0 s1 s2
        target = np.array([[4 / 5, 3 / 5], [3 / 5, 4 / 5], [0, 1]])  # t0 t1 t2
        # cosines   t0     t1     t2    | source mean (k = min(4, 3) = 3: the whole other side)
        #   s0     .8000  .6000  0      | .4667
        #   s1     .9692  .8615  .3846  | .7385
        #   s2     .8615  .9692  .9231  | .9179
        # target mean .8769 .8103 .4359
        # ratio margin = cos / ((source mean + target mean) / 2):
        #   s0: t0 .8/.6718 = 1.1908   t1 .6/.6385 = .9398    t2 0
        #   s1: t0 .9692/.8077 = 1.2   t1 .8615/.7744 = 1.1126 t2 .3846/.5872 = .6550
        #   s2: t0 .8615/.8974 = .96   t1 .9692/.8641 = 1.1217 t2 .9231/.6769 = 1.3636
        # s2's nearest target by cosine is t1 (.9692 > .9231), but t1 is close to every source (mean .8103, a hub)
        # while t2 is close only to s2 (mean .4359): the margin picks t2.
        assert knn(normalize(source), normalize(target), 1)[1][:, 0].tolist() == [0, 0, 1]
        # Pool: forward bests s0->t0 1.1908, s1->t0 1.2, s2->t2 1.3636; backward bests t0<-s1 1.2, t1<-s2 1.1217,
        # t2<-s2 1.3636. Greedy by score: (s2, t2), (s1, t0); then s0 wants t0, already taken: rejected; t1's
        # s2 is taken too. s0 and t1 stay unpaired.
        mined = mine(source, target)
        assert [(p.source, p.target) for p in mined] == [(2, 2), (1, 0)]
        assert [p.score for p in mined] == pytest.approx([15 / 11, 6 / 5], rel=1e-6)

    def test_pairs_scoring_zero_or_less_are_dropped(self):
        # Cosines 0 and -1 with the absolute margin: every best pair scores <= 0, so nothing is accepted.
        assert mine(np.array([[1.0, 0.0]]), np.array([[-1.0, 0.0], [0.0, 1.0]]), margin="absolute") == []

    def test_unknown_margin_is_a_user_error(self):
        with pytest.raises(XltBenchError, match="unknown margin 'cosine'"):
            mine(np.eye(2), np.eye(2), margin="cosine")


class TestSentenceIds:
    def test_unique_sentences_keep_first_seen_order(self):
        assert unique_sentences(["a", "b", "a", "c"]) == (["a", "b", "c"], [0, 1, 0, 2])

    def test_repeated_sentences_get_no_id(self):
        assert sentence_ids(["de-1", "de-2", "de-3"], ["a", "b", "a"]) == {"b": "de-2"}

    def test_length_mismatch_is_a_user_error(self):
        with pytest.raises(XltBenchError, match="2 ids, 1 sentences"):
            sentence_ids(["de-1", "de-2"], ["a"])

    def test_candidates_need_both_ids_and_keep_the_max_score(self):
        mined = [MinedPair(0, 0, 1.5), MinedPair(1, 1, 1.2), MinedPair(2, 0, 1.7), MinedPair(3, 2, 2.0)]
        candidates = candidate_pairs(
            mined,
            ["a", "b", "a2", "c"],
            ["x", "y", "z"],
            {"a": "de-1", "b": "de-2", "a2": "de-1"},
            {"x": "en-1", "y": "en-2"},
        )
        assert candidates == {("de-1", "en-1"): 1.7, ("de-2", "en-2"): 1.2}


class TestBestThreshold:
    def test_best_cut_at_the_last_candidate_uses_its_score(self):
        assert best_threshold({("a", "1"): 0.9, ("b", "2"): 0.8}, {("a", "1"), ("b", "2")}) == 0.8

    def test_nothing_correct_gives_zero(self):
        assert best_threshold({("a", "1"): 0.9}, {("a", "2")}) == 0.0
        assert best_threshold({}, {("a", "1")}) == 0.0

    def test_midpoint_and_only_a_strictly_better_f1_moves_it(self):
        candidates = {("a", "1"): 0.9, ("x", "1"): 0.8, ("y", "1"): 0.7, ("b", "2"): 0.6, ("z", "1"): 0.5}
        # F1 after a: 2/3, midpoint (0.9 + 0.8) / 2; after b: 2 * 2 / (4 + 2) = 2/3 again, not better.
        assert best_threshold(candidates, {("a", "1"), ("b", "2")}) == pytest.approx(0.85)

    def test_tied_scores_walk_in_insertion_order_and_extract_keeps_the_whole_tie(self):
        gold = {("a", "1")}
        assert best_threshold({("a", "1"): 0.5, ("x", "2"): 0.5, ("y", "3"): 0.1}, gold) == 0.5  # midpoint of 0.5s
        assert best_threshold({("x", "2"): 0.5, ("a", "1"): 0.5, ("y", "3"): 0.1}, gold) == pytest.approx(0.3)
        assert extract({("y", "3"): 0.1, ("x", "2"): 0.5, ("a", "1"): 0.5}, 0.5) == [("x", "2"), ("a", "1")]


SHARED = 0.2  # cosine of any two unrelated toy sentences (a common direction); related pairs add (1 - SHARED) * rho


def ratio_score(rho: float) -> float:
    """The ratio margin of a related pair in the toy space: its k=4 neighbourhoods are itself plus three at SHARED."""
    cosine = SHARED + (1 - SHARED) * rho
    return cosine / ((cosine + 3 * SHARED) / 4)


@dataclass
class Split:
    source: list[tuple[str, str]]  # (id, sentence)
    target: list[tuple[str, str]]
    related: dict[tuple[str, str], float]  # (source id, target id) -> rho; gold or not
    gold: set[tuple[str, str]]


def toy_vectors(split: Split) -> dict[str, np.ndarray]:
    """Hand-made embeddings: one common axis plus one own axis per sentence; a related target leans towards its
    source by rho, so cos = SHARED + (1 - SHARED) * rho for related pairs and SHARED for all others."""
    texts = list(dict.fromkeys(text for _, text in split.source + split.target))
    text_of = dict(split.source + split.target)
    leans = {text_of[target]: (text_of[source], rho) for (source, target), rho in split.related.items()}
    own: dict[str, np.ndarray] = {}
    for axis, text in enumerate(texts, start=1):
        own[text] = np.eye(1 + len(texts))[axis]
        if text in leans:
            partner, rho = leans[text]
            own[text] = rho * own[partner] + math.sqrt(1 - rho**2) * own[text]
    common = np.eye(1 + len(texts))[0]
    return {text: math.sqrt(SHARED) * common + math.sqrt(1 - SHARED) * own[text] for text in texts}


def mine_split(split: Split) -> tuple[list[MinedPair], list[str], list[str], dict[tuple[str, str], float]]:
    """The per-split half of the protocol: dedupe, embed the unique sentences, mine, map to ids."""
    source_ids, source_texts = zip(*split.source)
    target_ids, target_texts = zip(*split.target)
    source_unique, _ = unique_sentences(source_texts)
    target_unique, _ = unique_sentences(target_texts)
    vectors = toy_vectors(split)
    mined = mine(np.stack([vectors[t] for t in source_unique]), np.stack([vectors[t] for t in target_unique]))
    candidates = candidate_pairs(
        mined,
        source_unique,
        target_unique,
        sentence_ids(source_ids, source_texts),
        sentence_ids(target_ids, target_texts),
    )
    return mined, source_unique, target_unique, candidates


DEV = Split(
    source=[
        ("de-000001", "Der Hund schläft."),
        ("de-000002", "Ich trinke Kaffee."),
        ("de-000003", "Es regnet heute."),
        ("de-000004", "Das Auto ist neu."),
        ("de-000005", "Wir gehen nach Hause."),
        ("de-000006", "Sie liest ein Buch."),
        ("de-000007", "Guten Morgen."),
        ("de-000008", "Guten Morgen."),  # repeated: neither de-000007 nor de-000008 can be scored
        ("de-000009", "Der Zug ist spät."),
    ],
    target=[
        ("en-000001", "The dog is sleeping."),
        ("en-000002", "I drink coffee."),
        ("en-000003", "It is raining today."),
        ("en-000004", "The car is old."),
        ("en-000005", "We are going home."),
        ("en-000006", "She writes a letter."),
        ("en-000007", "Good morning."),
        ("en-000008", "The sky is blue."),
        ("en-000009", "Prices rose sharply."),
    ],
    related={
        ("de-000001", "en-000001"): 0.9,
        ("de-000002", "en-000002"): 0.8,
        ("de-000003", "en-000003"): 0.7,
        ("de-000004", "en-000004"): 0.6,  # close, but not a translation
        ("de-000005", "en-000005"): 0.5,
        ("de-000006", "en-000006"): 0.3,  # not a translation
        ("de-000007", "en-000007"): 0.95,
    },
    gold={
        ("de-000001", "en-000001"),
        ("de-000002", "en-000002"),
        ("de-000003", "en-000003"),
        ("de-000005", "en-000005"),
        ("de-000007", "en-000007"),
    },
)

TEST = Split(
    source=[
        ("de-000001", "Die Katze ist müde."),
        ("de-000002", "Er kauft Brot."),
        ("de-000003", "Das Meer ist ruhig."),
        ("de-000004", "Sie singt gern."),
        ("de-000005", "Der Laden ist zu."),
        ("de-000006", "Danke schön."),
        ("de-000007", "Wo ist der Bahnhof?"),
    ],
    target=[
        ("en-000001", "The cat is tired."),
        ("en-000002", "He buys bread."),
        ("en-000003", "The sea is stormy."),
        ("en-000004", "She likes singing."),
        ("en-000005", "The shop is closed."),
        ("en-000006", "Thank you."),
        ("en-000007", "Thank you."),  # repeated: neither en-000006 nor en-000007 can be scored
        ("en-000008", "The bridge is long."),
        ("en-000009", "Lunch is ready."),
    ],
    related={
        ("de-000001", "en-000001"): 0.9,
        ("de-000002", "en-000002"): 0.4,
        ("de-000003", "en-000003"): 0.8,  # close, but not a translation
        ("de-000004", "en-000004"): 0.35,
        ("de-000005", "en-000005"): 0.2,
        ("de-000006", "en-000006"): 0.95,
    },
    gold={
        ("de-000001", "en-000001"),
        ("de-000002", "en-000002"),
        ("de-000004", "en-000004"),
        ("de-000005", "en-000005"),
        ("de-000006", "en-000006"),
    },
)


class TestBuccProtocol:
    def test_repeated_sentences_are_mined_but_never_scored(self):
        for split, pair, ids in [
            (DEV, ("Guten Morgen.", "Good morning."), {"de-000007", "de-000008"}),
            (TEST, ("Danke schön.", "Thank you."), {"en-000006", "en-000007"}),
        ]:
            mined, source_unique, target_unique, candidates = mine_split(split)
            top = max(mined, key=lambda p: p.score)  # rho .95: mined first, as it should be
            assert (source_unique[top.source], target_unique[top.target]) == pair
            assert top.score == pytest.approx(ratio_score(0.95), rel=1e-5)
            repeated = pair[0] if split is DEV else pair[1]
            assert repeated not in sentence_ids(*zip(*split.source)) | sentence_ids(*zip(*split.target))
            assert not ids & {sentence for pair in candidates for sentence in pair}

    def test_threshold_is_tuned_on_dev_and_applied_to_test(self):
        dev_candidates = mine_split(DEV)[-1]
        test_candidates = mine_split(TEST)[-1]
        # Dev, by descending score: rho .9 .8 .7 (gold), .6 (not), .5 (gold), .3 (not), then distractor pairs near 1.
        # Gold has 5 pairs (one unscorable): F1 peaks at 4/5 after rho .5, so the cut is midway to rho .3.
        threshold = best_threshold(dev_candidates, DEV.gold)
        assert threshold == pytest.approx((ratio_score(0.5) + ratio_score(0.3)) / 2, rel=1e-5)
        assert threshold == pytest.approx(24 / 13, rel=1e-5)  # (2 + 22/13) / 2 with SHARED = 0.2

        # Test scores: rho .9 2.42, .8 2.33 (not gold), .4 1.857 | cut 1.846 | .35 1.778, .2 1.5 (gold, missed).
        extracted = extract(test_candidates, threshold)
        assert extracted == [("de-000001", "en-000001"), ("de-000003", "en-000003"), ("de-000002", "en-000002")]
        result = bucc_f1(TEST.gold, extracted)
        # 2 correct of 3 extracted and of 5 gold.
        assert result == pytest.approx({"precision": 200 / 3, "recall": 40.0, "f1": 50.0})

        # Tuning on the test gold itself would cut below rho .2 (4 correct of 5, F1 80): dev -> test is what runs.
        cheating = bucc_f1(TEST.gold, extract(test_candidates, best_threshold(test_candidates, TEST.gold)))
        assert cheating["f1"] == pytest.approx(80.0)
        assert cheating["f1"] >= result["f1"]
