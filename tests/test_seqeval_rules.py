"""The `seqeval_rules` metric parameter: "0.0.12" (default, XTREME's 2020 numbers) and "1.x" (today's seqeval).

seqeval 1.2.2, installed here, is the oracle for "1.x". For "0.0.12" the oracle is the same seqeval on relabelled
tags: 0.0.12 and 1.2.2 share `end_of_chunk`/`start_of_chunk` and differ only in how a tag's type is read, so a tag
`L` becomes `L[0] + "-" + L.split("-")[-1]`, which 1.x reads with 0.0.12's type (for tags not ending in '-').
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.metrics.sequence_labeling import get_entities

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics import BUILTIN_METRICS, SEQEVAL_METRICS
from xlt_bench.metrics.seqeval_chunks import (
    DEFAULT_SEQEVAL_RULES,
    SEQEVAL_RULES,
    check_seqeval_rules,
    chunk_f1,
    chunk_units,
    chunks,
    only_types,
    pad_with_o,
    xglue_ner,
    xglue_ner_units,
    xglue_pos,
    xglue_pos_units,
)

UPOS = "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()
NER_TYPES = ("PER", "ORG", "LOC", "DATE", "MISC")  # PAN-X, MasakhaNER, XGLUE NER: no '-' inside a type
BIO = ["O", *(f"{prefix}-{type_}" for prefix in "BI" for type_ in NER_TYPES)]
# Malformed and odd tags: IOBES prefixes, several '-', a bare prefix, an empty or '-' type, a '.' prefix.
ODD = ["E-PER", "S-LOC", "B-PER-X", "I-PER-X", "I-A-B-C", "B-A-PER", "B", "I", "S", "B-", "I-", "B--", ".", "O-PER"]
Sentences = list[list[str]]


def corpus(rng: random.Random, tags: Sequence[str], change: float = 0.3) -> tuple[Sentences, Sentences]:
    """1-6 sentences of 0-8 random tags, and a prediction of the same shape with about `change` of tags redrawn."""
    gold = [[rng.choice(tags) for _ in range(rng.randint(0, 8))] for _ in range(rng.randint(1, 6))]
    predictions = [[rng.choice(tags) if rng.random() < change else tag for tag in sentence] for sentence in gold]
    return gold, predictions


def cases(seed: int, tags: Sequence[str], count: int = 300) -> list[tuple[Sentences, Sentences]]:
    rng = random.Random(seed)
    return [corpus(rng, tags) for _ in range(count)]


UPOS_CASES = cases(0, UPOS)
BIO_CASES = cases(1, BIO)
ODD_CASES = cases(2, BIO + ODD)


def oracle(gold: Sentences, predictions: Sentences) -> dict[str, float]:
    """seqeval 1.2.2 (default mode, micro average), x100."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "seems not to be NE tag" (UPOS), undefined precision/recall
        return {
            "f1": 100 * f1_score(gold, predictions),
            "precision": 100 * precision_score(gold, predictions),
            "recall": 100 * recall_score(gold, predictions),
        }


def entities(sentences: Sentences) -> set[tuple[str, int, int]]:
    """seqeval 1.2.2's `get_entities` over the sentences (flattened with an "O" after each)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return set(get_entities(sentences))


def as_0_0_12(sentences: Sentences) -> Sentences:
    """Tags that seqeval 1.x reads with seqeval 0.0.12's prefix and type."""
    return [[f"{tag[0]}-{tag.split('-')[-1]}" for tag in sentence] for sentence in sentences]


def summed(units) -> dict[str, float]:
    return {key: float(value) for key, value in units.reduce(np.asarray(units.stats, dtype=float).sum(axis=0)).items()}


def close(ours: dict[str, float], expected: dict[str, float]) -> bool:
    return ours.keys() == expected.keys() and all(abs(ours[k] - expected[k]) <= 1e-12 for k in ours)


class TestRuleValues:
    def test_accepted_values_and_default(self):
        assert SEQEVAL_RULES == ("0.0.12", "1.x") and DEFAULT_SEQEVAL_RULES == "0.0.12"
        assert all(check_seqeval_rules(value) == value for value in SEQEVAL_RULES)

    @pytest.mark.parametrize("value", ["1.2.2", "1", "0.0.16", "", None, 1.0])
    @pytest.mark.parametrize(
        "compute",
        [chunk_f1, chunk_units, xglue_ner, xglue_ner_units, xglue_pos, xglue_pos_units],
        ids=lambda compute: compute.__name__,
    )
    def test_a_bad_value_is_a_one_line_error(self, compute: Callable, value: object):
        with pytest.raises(XltBenchError) as error:
            compute([["B-PER"]], [["B-PER"]], seqeval_rules=value)
        assert str(error.value) == f"seqeval_rules '{value}': expected 0.0.12 or 1.x"

    def test_chunks_and_only_types_check_the_value_too(self):
        for call in (
            lambda: chunks([["NOUN"]], seqeval_rules="2"),
            lambda: only_types([["NOUN"]], None, seqeval_rules="2"),
            lambda: check_seqeval_rules("2"),
        ):
            with pytest.raises(XltBenchError, match=r"^seqeval_rules '2': expected 0.0.12 or 1.x$"):
                call()

    def test_seqeval_metrics_are_exactly_the_metrics_taking_the_rules(self):
        family = {chunk_f1, xglue_ner, xglue_pos}
        assert set(SEQEVAL_METRICS) == {metric.name for metric in BUILTIN_METRICS if metric.compute in family}
        for metric in BUILTIN_METRICS:
            if metric.name in SEQEVAL_METRICS:
                for rules in SEQEVAL_RULES:
                    assert metric.compute([["CCONJ"]], [["SCONJ"]], language="en", seqeval_rules=rules)
                    assert metric.per_example([["CCONJ"]], [["SCONJ"]], language="en", seqeval_rules=rules).stats


class TestOneXEqualsSeqeval122:
    @pytest.mark.parametrize("data", [UPOS_CASES, BIO_CASES, ODD_CASES], ids=["upos", "bio", "odd-tags"])
    def test_random_corpora(self, data: list[tuple[Sentences, Sentences]]):
        for gold, predictions in data:
            assert chunks(gold, seqeval_rules="1.x") == entities(gold), gold
            ours = chunk_f1(gold, predictions, seqeval_rules="1.x")
            assert close(ours, oracle(gold, predictions)), (gold, predictions)

    def test_xglue_pos_and_ner_on_padded_predictions(self):
        rng = random.Random(3)
        for tags in (UPOS, BIO):
            for gold, predictions in cases(4, tags, 100):
                short = [sentence[: rng.randint(0, len(sentence))] for sentence in predictions]
                expected = oracle(gold, pad_with_o(gold, short))
                assert close(xglue_ner(gold, short, seqeval_rules="1.x"), expected)
                pos = xglue_pos(gold, short, seqeval_rules="1.x")
                assert close({key: pos[key] for key in expected}, expected)

    def test_cconj_and_sconj_are_one_type_under_1x_only(self):
        gold, predictions = [["DET", "NOUN", "CCONJ", "NOUN"]], [["DET", "NOUN", "SCONJ", "NOUN"]]
        # 0.0.12: 4 chunks each, the CCONJ chunk is missed: 3 of 4. 1.x: both read as type "CONJ" at 2-2: 4 of 4.
        assert chunk_f1(gold, predictions) == {"f1": 75.0, "precision": 75.0, "recall": 75.0}
        assert chunk_f1(gold, predictions, seqeval_rules="0.0.12") == chunk_f1(gold, predictions)
        assert chunk_f1(gold, predictions, seqeval_rules="1.x") == {"f1": 100.0, "precision": 100.0, "recall": 100.0}
        assert chunk_f1([["CCONJ"]], [["SCONJ"]]) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}
        assert chunk_f1([["CCONJ"]], [["SCONJ"]], seqeval_rules="1.x") == {
            "f1": 100.0,
            "precision": 100.0,
            "recall": 100.0,
        }
        assert oracle(gold, predictions) == chunk_f1(gold, predictions, seqeval_rules="1.x")

    def test_an_x_run_reaches_across_sentences_under_1x(self):
        # 1.x reads X as type "_", the type it gives "O": X neither ends at the "O" after its sentence nor starts
        # after one, so the X chunk begins at 0 and ends at the next sentence's X.
        assert chunks([["X"], ["X", "NOUN"]], seqeval_rules="1.x") == {("_", 0, 2), ("OUN", 3, 3)}
        assert chunks([["X"], ["X", "NOUN"]]) == {("X", 0, 0), ("X", 2, 2), ("NOUN", 3, 3)}


class TestDefaultIsUnchanged:
    @pytest.mark.parametrize("data", [UPOS_CASES, BIO_CASES, ODD_CASES], ids=["upos", "bio", "odd-tags"])
    def test_default_is_seqeval_0_0_12(self, data: list[tuple[Sentences, Sentences]]):
        for gold, predictions in data:
            if any(tag.endswith("-") for sentence in gold + predictions for tag in sentence):
                continue  # the relabelling cannot express 0.0.12's empty type
            expected = oracle(as_0_0_12(gold), as_0_0_12(predictions))
            assert close(chunk_f1(gold, predictions), expected), (gold, predictions)
            assert chunk_f1(gold, predictions, seqeval_rules="0.0.12") == chunk_f1(gold, predictions)

    def test_upos_values_by_hand(self):
        gold = [["DET", "NOUN", "NOUN", "VERB"], ["SCONJ", "SCONJ", "INTJ", "INTJ"]]
        predictions = [["DET", "NOUN", "ADJ", "VERB"], ["SCONJ", "CCONJ", "INTJ", "X"]]
        # gold: DET, NOUN 1-2, VERB | SCONJ, SCONJ (singletons), INTJ 7-8 = 6; predicted: DET, NOUN, ADJ, VERB |
        # SCONJ, CCONJ, INTJ, X = 8; correct: DET, VERB, SCONJ 5-5 = 3.
        assert chunk_f1(gold, predictions) == pytest.approx({"precision": 37.5, "recall": 50.0, "f1": 300 / 7})

    def test_units_are_each_sentence_chunked_alone(self):
        # The decomposition the per-sentence code gave before the rules became a parameter.
        for gold, predictions in UPOS_CASES + BIO_CASES:
            alone = []
            for expected, predicted in zip(gold, predictions):
                true_chunks, pred_chunks = chunks([expected]), chunks([predicted])
                alone.append((len(true_chunks & pred_chunks), len(pred_chunks), len(true_chunks)))
            assert list(chunk_units(gold, predictions).stats) == alone


class TestUnitsReproduceTheMetric:
    @pytest.mark.parametrize("rules", SEQEVAL_RULES)
    @pytest.mark.parametrize("data", [UPOS_CASES, BIO_CASES, ODD_CASES], ids=["upos", "bio", "odd-tags"])
    def test_summed_units_equal_chunk_f1(self, data: list[tuple[Sentences, Sentences]], rules: str):
        for gold, predictions in data:
            units = chunk_units(gold, predictions, seqeval_rules=rules)
            assert len(units.units) == len(gold)
            assert close(summed(units), chunk_f1(gold, predictions, seqeval_rules=rules)), (gold, predictions)

    @pytest.mark.parametrize("rules", SEQEVAL_RULES)
    def test_xglue_units(self, rules: str):
        for gold, predictions in cases(5, UPOS, 100) + cases(6, BIO, 100):
            short = [sentence[:-1] for sentence in predictions]
            assert close(
                summed(xglue_ner_units(gold, short, seqeval_rules=rules)), xglue_ner(gold, short, seqeval_rules=rules)
            )
            pos = xglue_pos(gold, short, seqeval_rules=rules)
            assert summed(xglue_pos_units(gold, short, seqeval_rules=rules)) == pytest.approx(pos, rel=1e-12, abs=1e-12)

    def test_a_chunk_across_sentences_counts_where_it_ends(self):
        units = chunk_units([["X"], ["X", "NOUN"]], [["X"], ["X", "VERB"]], seqeval_rules="1.x")
        # gold: ("_", 0, 2), NOUN 3; predicted: ("_", 0, 2), VERB 3; all end in sentence 1.
        assert list(units.stats) == [(0, 0, 0), (1, 2, 2)]


class TestBioTagsAgree:
    @pytest.mark.parametrize("data", [BIO_CASES, cases(7, BIO, 300)], ids=["seed-1", "seed-7"])
    def test_both_rules_give_the_same_numbers(self, data: list[tuple[Sentences, Sentences]]):
        for gold, predictions in data:
            assert chunks(gold) == chunks(gold, seqeval_rules="1.x")
            assert chunk_f1(gold, predictions) == chunk_f1(gold, predictions, seqeval_rules="1.x")
            assert chunk_units(gold, predictions).stats == chunk_units(gold, predictions, seqeval_rules="1.x").stats
            short = [sentence[:-1] for sentence in predictions]
            assert xglue_ner(gold, short) == xglue_ner(gold, short, seqeval_rules="1.x")


class TestTypesUnderBothRules:
    def test_bio_types_are_the_same_under_both_rules(self):
        kept = ("PER", "ORG", "LOC")
        for gold, predictions in BIO_CASES:
            mapped = [
                [[tag if tag != "O" and tag[2:] in kept else "O" for tag in sentence] for sentence in sentences]
                for sentences in (gold, predictions)
            ]
            expected = oracle(*mapped)
            for rules in SEQEVAL_RULES:
                assert only_types(gold, kept, seqeval_rules=rules) == mapped[0]
                assert close(chunk_f1(gold, predictions, types=kept, seqeval_rules=rules), expected)
                units = chunk_units(gold, predictions, types=kept, seqeval_rules=rules)
                assert close(summed(units), expected)

    def test_upos_types_are_read_under_the_chosen_rule(self):
        sentences = [["CCONJ", "SCONJ", "NOUN", "X"]]
        assert only_types(sentences, ["CCONJ"]) == [["CCONJ", "O", "O", "O"]]
        assert only_types(sentences, ["CONJ"]) == [["O", "O", "O", "O"]]
        assert only_types(sentences, ["CONJ", "_"], seqeval_rules="1.x") == [["CCONJ", "SCONJ", "O", "X"]]
        assert only_types(sentences, ["CCONJ"], seqeval_rules="1.x") == [["O", "O", "O", "O"]]

    def test_upos_types_match_seqeval_after_mapping(self):
        kept = ("CONJ", "OUN", "ERB")  # CCONJ/SCONJ, NOUN, VERB as 1.x reads them
        for gold, predictions in UPOS_CASES:
            mapped = [only_types(sentences, kept, seqeval_rules="1.x") for sentences in (gold, predictions)]
            assert close(chunk_f1(gold, predictions, types=kept, seqeval_rules="1.x"), oracle(*mapped))
