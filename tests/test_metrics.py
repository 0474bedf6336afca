"""Metric functions against values worked out by hand from the official scorers' rules."""

from __future__ import annotations

import pytest

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.accuracy import accuracy
from xlt_bench.metrics.bucc import bucc_f1
from xlt_bench.metrics.mlqa import mixed_segmentation, mlqa_em_f1, normalize_answer
from xlt_bench.metrics.seqeval_chunks import chunk_f1, chunks
from xlt_bench.metrics.squad import normalize_answer as squad_normalize
from xlt_bench.metrics.squad import squad_em_f1
from xlt_bench.registry import load_registry


def squad_data(*qas: tuple[str, list[str]]) -> list[dict]:
    """A one-paragraph SQuAD `data` list with (id, gold answers) questions."""
    return [{"paragraphs": [{"context": "", "qas": [{"id": i, "answers": [{"text": a} for a in g]} for i, g in qas]}]}]


class TestAccuracy:
    def test_counts_exact_string_matches(self):
        assert accuracy(["a", "b", "c", "d"], ["a", "x", "c", "d"]) == {"accuracy": 75.0}

    def test_is_case_sensitive_like_the_official_scorer(self):
        assert accuracy(["entailment"], ["Entailment"]) == {"accuracy": 0.0}


class TestSeqevalChunks:
    def test_bio_entities(self):
        assert chunks([["B-PER", "I-PER", "O", "B-LOC"]]) == {("PER", 0, 1), ("LOC", 3, 3)}

    def test_a_run_of_identical_upos_tags_is_one_chunk(self):
        # NOUN NOUN is one chunk: predicting only half of it earns nothing for that chunk.
        gold = [["DET", "NOUN", "NOUN", "VERB"]]
        pred = [["DET", "NOUN", "ADJ", "VERB"]]
        assert chunks(gold) == {("DET", 0, 0), ("NOUN", 1, 2), ("VERB", 3, 3)}
        # correct: DET, VERB = 2 of 3 gold chunks and 2 of 4 predicted chunks
        result = chunk_f1(gold, pred)
        assert result["precision"] == pytest.approx(50.0)
        assert result["recall"] == pytest.approx(200 / 3)
        assert result["f1"] == pytest.approx(100 * 2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))

    def test_sconj_and_sym_are_singletons_and_intj_continues(self):
        # SCONJ/SYM read as S- tags: each token is its own chunk; INTJ reads as an I- tag and continues.
        assert chunks([["SCONJ", "SCONJ", "SYM", "SYM", "INTJ", "INTJ"]]) == {
            ("SCONJ", 0, 0),
            ("SCONJ", 1, 1),
            ("SYM", 2, 2),
            ("SYM", 3, 3),
            ("INTJ", 4, 5),
        }

    def test_cconj_and_sconj_stay_distinct_types(self):
        # seqeval >= 0.0.16 reads both as type "CONJ"; XTREME's 0.0.12 keeps the whole tag.
        assert chunk_f1([["CCONJ"]], [["SCONJ"]])["f1"] == 0.0

    def test_sentences_are_separated(self):
        # The same tag at the end of one sentence and the start of the next is two chunks.
        assert chunks([["NOUN"], ["NOUN"]]) == {("NOUN", 0, 0), ("NOUN", 2, 2)}

    def test_no_chunks_scores_zero(self):
        assert chunk_f1([["O", "O"]], [["O", "O"]]) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}


class TestSquad:
    def test_normalisation(self):
        assert squad_normalize("  The  Denver Broncos!  ") == "denver broncos"
        assert squad_normalize("an apple, a pear") == "apple pear"
        # Only ASCII punctuation goes: the CJK full stop stays.
        assert squad_normalize("北京。") == "北京。"

    def test_exact_match_and_partial_f1(self):
        data = squad_data(("q1", ["Denver Broncos"]), ("q2", ["Santa Clara, California"]), ("q3", ["1990"]))
        predictions = {"q1": "the Denver Broncos.", "q2": "Santa Clara"}  # q3 unanswered scores 0
        result = squad_em_f1(data, predictions)
        # q2: 2 shared tokens, precision 2/2, recall 2/3 -> F1 0.8
        assert result["exact_match"] == pytest.approx(100 / 3)
        assert result["f1"] == pytest.approx(100 * (1 + 0.8 + 0) / 3)

    def test_best_of_several_gold_answers(self):
        data = squad_data(("q", ["Broncos", "the Denver Broncos team"]))
        assert squad_em_f1(data, {"q": "Denver Broncos"}) == {"exact_match": 0.0, "f1": pytest.approx(100 * 0.8)}

    def test_unspaced_scripts_are_one_token(self):
        # XQuAD zh under SQuAD rules: a phrase without spaces is one token, so F1 falls to 0 with any difference.
        data = squad_data(("q", ["北京大学"]))
        assert squad_em_f1(data, {"q": "北京"})["f1"] == 0.0


class TestMlqa:
    def test_chinese_mixed_segmentation(self):
        assert mixed_segmentation("北京abc 大学") == ["北", "京", "abc", "大", "学"]
        # zh: every CJK character is a token, so a partial answer earns partial F1
        data = squad_data(("q", ["北京大学"]))
        assert mlqa_em_f1(data, {"q": "北京"}, language="zh")["f1"] == pytest.approx(100 * 2 * 1 * 0.5 / 1.5)

    def test_unicode_punctuation_is_removed(self):
        assert normalize_answer("«Hola», ¿qué?", "es") == "hola qué"

    def test_language_articles(self):
        assert normalize_answer("los Estados Unidos", "es") == "estados unidos"
        assert normalize_answer("der Rhein", "de") == "rhein"
        assert normalize_answer("the Rhine", "de") == "the rhine"  # English articles are not German ones

    def test_arabic_quirk_removes_every_al(self):
        # The official regex deletes every "ال", also inside words, leaving spaces that split tokens.
        assert normalize_answer("الكتاب المفتوح", "ar") == "كتاب مفتوح"
        assert normalize_answer("فالكتاب", "ar") == "ف كتاب"

    def test_unknown_language_is_an_error(self):
        with pytest.raises(XltBenchError, match="MLQA scoring has no rules for language 'fr'"):
            normalize_answer("x", "fr")


class TestBucc:
    def test_precision_recall_over_sets(self):
        gold = [("de-1", "en-1"), ("de-2", "en-2"), ("de-3", "en-3"), ("de-4", "en-4")]
        predicted = [("de-1", "en-1"), ("de-1", "en-1"), ("de-2", "en-9"), ("de-3", "en-3")]
        result = bucc_f1(gold, predicted)  # duplicates count once: 2 correct of 3 predicted, of 4 gold
        assert result["precision"] == pytest.approx(200 / 3)
        assert result["recall"] == pytest.approx(50.0)
        assert result["f1"] == pytest.approx(100 * 2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))

    def test_nothing_correct(self):
        assert bucc_f1([("a", "b")], [("a", "c")]) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}


@pytest.mark.parametrize("name", ["accuracy", "bleu"])
def test_a_metric_given_one_prediction_too_few_refuses_instead_of_scoring_the_shorter_list(name: str):
    metric = load_registry().metrics[name]
    with pytest.raises(ValueError, match="2 predictions for 3 gold items"):
        metric.compute(["a", "b", "c"], ["a", "b"], language="en")
