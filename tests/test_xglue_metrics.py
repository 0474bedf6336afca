"""XGLUE metrics and submission formats against `evaluation/xglue_evaluate.py`: nDCG (WPR) by hand and with sklearn's
`ndcg_score` as oracle, corpus BLEU (QG, NTG) against sacrebleu, the POS precision quirk and O-padding of NER/POS,
the four `.prediction` formats (reading, writing, checks), and per-example statistics that sum to each metric."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import sacrebleu
from seqeval.metrics import accuracy_score, f1_score, precision_score, recall_score
from sklearn.metrics import ndcg_score

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics import BUILTIN_METRICS
from xlt_bench.metrics.bleu import bleu, bleu_units
from xlt_bench.metrics.ndcg import ndcg, ndcg_units
from xlt_bench.metrics.seqeval_chunks import pad_with_o, xglue_ner, xglue_pos
from xlt_bench.submission import XGLUE_LABELS, XGLUE_RELEVANCE, XGLUE_TAGS, XGLUE_TEXT

METRICS = {metric.name: metric for metric in BUILTIN_METRICS}
D3 = 1 / math.log2(3)  # the discount at rank 2; rank 1 has 1, rank 3 has 1 / log2(4) = 0.5


def summed(units) -> dict[str, float]:
    """The metric values recomputed from the column sums of the per-example statistics."""
    return {key: float(value) for key, value in units.reduce(np.asarray(units.stats, dtype=float).sum(axis=0)).items()}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def one_line_error(error: pytest.ExceptionInfo, *names: str) -> str:
    message = str(error.value)
    assert "\n" not in message
    for name in names:
        assert name in message
    return message


# -- nDCG (WPR) -----------------------------------------------------------------------------------------------------

# (query, label) rows in file order and their ranking scores.
WPR_GOLD = [("q1", "2"), ("q1", "0"), ("q1", "1"), ("q2", "3"), ("q1", "1"), ("q1", "0"), ("q3", "0"), ("q3", "0")]
WPR_SCORES = ["0.9", "0.5", "0.5", "0.1", "0.2", "0.8", "0.3", "0.7"]


class TestNdcg:
    def test_worked_example(self):
        # Group A = rows 0-2 (q1): labels 2 0 1, scores 0.9 0.5 0.5. Rank 1 holds gain 2; rows 1 and 2 tie at 0.5,
        #   so ranks 2 and 3 both get their mean gain (0 + 1) / 2 = 0.5: DCG = 2 + 0.5 * (D3 + 0.5) = 2.56546...
        #   Ideal order 2 1 0: IDCG = 2 + D3 = 2.63093..., nDCG = 0.97511...
        # Group B = row 3 (q2) has one row: skipped.
        # Group C = rows 4-5: q1 again after q2 is a new group. Labels 1 0, scores 0.2 0.8: the 0 is ranked first,
        #   DCG = 0 + D3, IDCG = 1, nDCG = D3 = 0.63093...
        # Group D = rows 6-7 (q3): every label is 0, so nDCG = 0 (sklearn's rule).
        # Mean over A, C, D = (0.97511 + 0.63093 + 0) / 3 = 0.53535 -> 53.535.
        a = (2 + 0.5 * (D3 + 0.5)) / (2 + D3)
        assert ndcg(WPR_GOLD, WPR_SCORES)["ndcg"] == pytest.approx(100 * (a + D3 + 0) / 3, rel=1e-12)
        assert ndcg(WPR_GOLD, WPR_SCORES)["ndcg"] == pytest.approx(53.535, abs=1e-3)
        # The same groups through sklearn, one call per group as the official `simple_ndcg`.
        assert ndcg_score([[2, 0, 1]], [[0.9, 0.5, 0.5]]) == pytest.approx(a, rel=1e-12)
        assert ndcg_score([[1, 0]], [[0.2, 0.8]]) == pytest.approx(D3, rel=1e-12)
        assert ndcg_score([[0, 0]], [[0.3, 0.7]]) == 0.0

    def test_units_are_the_scored_groups_named_by_their_first_row(self):
        units = ndcg_units(WPR_GOLD, WPR_SCORES)
        assert list(units.units) == ["0", "4", "6"]
        assert [row[1] for row in units.stats] == [1.0, 1.0, 1.0]
        assert summed(units)["ndcg"] == pytest.approx(ndcg(WPR_GOLD, WPR_SCORES)["ndcg"], abs=1e-9)

    def test_floats_and_strings_score_the_same(self):
        assert ndcg(WPR_GOLD, [float(score) for score in WPR_SCORES]) == ndcg(WPR_GOLD, WPR_SCORES)

    def test_no_group_of_two_rows_scores_zero(self):
        assert ndcg([("a", "1"), ("b", "2")], ["0.1", "0.2"]) == {"ndcg": 0.0}
        assert ndcg([], []) == {"ndcg": 0.0}

    def test_no_group_starts_after_an_empty_query_text(self):
        # The official loader starts a group only when the previous query text is non-empty: rows 2-3 ("" then "b")
        # are one group, labels 0 1 with scores 0.9 0.1 -> nDCG D3; rows 0-1 ("a") are ranked perfectly -> 1.
        gold = [("a", "1"), ("a", "0"), ("", "0"), ("b", "1")]
        assert ndcg(gold, ["0.9", "0.1", "0.9", "0.1"])["ndcg"] == pytest.approx(100 * (1 + D3) / 2, rel=1e-12)

    def test_equals_sklearn_on_random_groups(self):
        rng = np.random.default_rng(7)
        for _ in range(200):
            queries = [f"q{rng.integers(4)}" for _ in range(rng.integers(1, 12)) for _ in range(rng.integers(1, 6))]
            labels = rng.integers(0, 5, len(queries)) * (rng.random() < 0.8)  # some files with every label 0
            scores = rng.integers(0, 3, len(queries)) / 2 if rng.random() < 0.5 else rng.normal(size=len(queries))
            gold = [(query, str(label)) for query, label in zip(queries, labels)]
            expected = []
            rows = itertools.groupby(range(len(queries)), key=queries.__getitem__)  # consecutive identical queries
            for _, group in rows:
                group = list(group)
                if len(group) >= 2:
                    expected.append(ndcg_score([labels[group]], [scores[group]]))
            oracle = 100 * float(np.mean(expected)) if expected else 0.0
            assert ndcg(gold, [repr(float(s)) for s in scores])["ndcg"] == pytest.approx(oracle, rel=1e-12, abs=1e-12)
            if expected:  # (no unit at all sums to a bare 0.0)
                assert summed(ndcg_units(gold, list(scores)))["ndcg"] == pytest.approx(oracle, rel=1e-12, abs=1e-12)


# -- BLEU (QG, NTG) -------------------------------------------------------------------------------------------------

CORPORA = {
    "casing and punctuation": (
        ["The Quick Brown Fox jumps over the lazy dog.", "Is it raining, John?", "Prices rose 3.5% in 2020!"],
        ["the quick brown fox jumped over the lazy dog .", "IS IT RAINING JOHN", "prices rose 3.5 % in 2020"],
    ),
    "empty hypotheses and references": (
        ["Die Katze sitzt auf der Matte.", "", "Ein leerer Satz hier"],
        ["", "", "ein leerer Satz hier"],
    ),
    "non-Latin text": (
        ["Москва — столица России.", "北京是中国的首都。", "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας"],
        ["москва столица россии .", "北京是中国的首都", "Η ΑΘΗΝΑ ΕΙΝΑΙ Η πρωτεύουσα"],
    ),
    "no match at all": (["a b c d e"], ["v w x y z"]),
}


class TestBleu:
    @pytest.mark.parametrize("corpus", CORPORA, ids=list(CORPORA))
    def test_equals_sacrebleu_and_the_summed_statistics(self, corpus):
        references, hypotheses = CORPORA[corpus]
        expected = sacrebleu.corpus_bleu(hypotheses, [references], lowercase=True).score
        assert bleu(references, hypotheses) == {"bleu": expected}
        assert summed(bleu_units(references, hypotheses)) == {"bleu": expected}

    def test_is_lower_cased(self):
        # Five tokens, every n-gram matches once case is ignored: all four precisions 100%, no brevity penalty.
        assert bleu(["The Quick Brown Fox Jumps"], ["the QUICK brown fox jumps"])["bleu"] == pytest.approx(100)

    def test_sentence_statistics(self):
        # "the cat sat" against "the cat sat on the mat": 3 unigrams, 2 bigrams, 1 trigram, all matched, no 4-gram;
        # hypothesis length 3, reference length 6.
        units = bleu_units(["The cat sat on the mat"], ["the cat sat"])
        assert [list(row) for row in units.stats] == [[3, 2, 1, 0, 3, 2, 1, 0, 3, 6]]

    def test_reduce_takes_resampled_sums(self):
        references, hypotheses = CORPORA["casing and punctuation"]
        units = bleu_units(references, hypotheses)
        stats = np.asarray(units.stats, dtype=float)
        both = units.reduce(np.stack([stats.sum(axis=0), stats[[0, 0, 2]].sum(axis=0)]))["bleu"]
        resampled = [hypotheses[0], hypotheses[0], hypotheses[2]], [[references[0], references[0], references[2]]]
        assert both.shape == (2,)
        assert list(both) == [
            bleu(references, hypotheses)["bleu"],
            sacrebleu.corpus_bleu(*resampled, lowercase=True).score,
        ]

    def test_empty_corpus_scores_zero(self):
        assert bleu([], []) == {"bleu": 0.0}


# -- POS precision and NER/POS O-padding ----------------------------------------------------------------------------


class TestXglueTags:
    @pytest.mark.filterwarnings("ignore:.*seems not to be NE tag")  # seqeval 1.x on UPOS tags
    def test_pos_score_is_chunk_precision_not_token_accuracy(self):
        # Sentence 1: gold DET NOUN NOUN VERB PUNCT has 4 chunks (the NOUN run is one chunk); the prediction
        #   DET NOUN ADJ VERB PUNCT has 5 chunks; DET, VERB and PUNCT match: 3 correct. 4 of 5 tags are right.
        # Sentence 2: gold PRON VERB ADV (3 chunks); the prediction PRON VERB is padded to PRON VERB O (2 chunks,
        #   O is none): 2 correct. 2 of 3 tags are right.
        # precision = 5 / 7, recall = 5 / 7, F1 = 5 / 7, token accuracy = 6 / 8.
        gold = [["DET", "NOUN", "NOUN", "VERB", "PUNCT"], ["PRON", "VERB", "ADV"]]
        predictions = [["DET", "NOUN", "ADJ", "VERB", "PUNCT"], ["PRON", "VERB"]]
        result = xglue_pos(gold, predictions)
        assert result == pytest.approx(
            {"precision": 500 / 7, "recall": 500 / 7, "f1": 500 / 7, "token_accuracy": 75.0}, rel=1e-12
        )
        # seqeval 1.x reads these types as tag[1:] (ET, OUN, ...), still distinct, so it agrees here.
        padded = pad_with_o(gold, predictions)
        assert padded[1] == ["PRON", "VERB", "O"]
        assert result["precision"] == pytest.approx(100 * precision_score(gold, padded), rel=1e-12)
        assert result["recall"] == pytest.approx(100 * recall_score(gold, padded), rel=1e-12)
        assert result["token_accuracy"] == pytest.approx(100 * accuracy_score(gold, padded), rel=1e-12)

    def test_ner_pads_short_sentences_with_o(self):
        # Gold PER (0-1) and LOC (3); the prediction B-PER I-PER padded with O O finds PER only:
        # precision 1/1, recall 1/2, F1 2/3.
        gold, predictions = [["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER"]]
        result = xglue_ner(gold, predictions)
        assert result == pytest.approx({"f1": 200 / 3, "precision": 100.0, "recall": 50.0}, rel=1e-12)
        assert result["f1"] == pytest.approx(100 * f1_score(gold, pad_with_o(gold, predictions)), rel=1e-12)


# -- the four XGLUE submission formats ------------------------------------------------------------------------------


class TestTagFormat:
    GOLD = "-DOCSTART- -X- O O\n\nEU B-ORG\nrejects O\n\n\nPeter B-PER\n-DOCSTART- -X- O O\nBlackburn\tB-PER\n"

    def test_gold_sentences_close_at_blank_and_docstart_lines(self, tmp_path):
        gold = XGLUE_TAGS.read_gold(write(tmp_path / "en.test", self.GOLD))
        assert gold == [["B-ORG", "O"], ["B-PER"], ["B-PER"]]

    def test_predictions_ignore_extra_blank_lines(self, tmp_path):
        path = write(tmp_path / "en.prediction", "\nB-ORG\n O \n\n\nB-PER\n\nB-PER")
        assert XGLUE_TAGS.read_predictions(path) == [["B-ORG", "O"], ["B-PER"], ["B-PER"]]

    def test_written_files_read_back(self, tmp_path):
        sentences = [["B-ORG", "O"], ["B-PER"], ["NOUN", "NOUN", "PUNCT"]]
        XGLUE_TAGS.write_gold(tmp_path / "gold", sentences)
        XGLUE_TAGS.write_predictions(tmp_path / "pred", sentences)
        assert XGLUE_TAGS.read_gold(tmp_path / "gold") == sentences
        assert XGLUE_TAGS.read_predictions(tmp_path / "pred") == sentences

    def test_checks(self, tmp_path):
        gold_path, pred_path = tmp_path / "en.test", tmp_path / "en.prediction"
        gold = [["B-ORG", "O"], ["B-PER"], ["O", "O", "O"]]
        assert XGLUE_TAGS.check(gold, gold, gold_path, pred_path) == []
        with pytest.raises(XltBenchError) as error:
            XGLUE_TAGS.check(gold, gold[:2], gold_path, pred_path)
        assert "2 sentences, expected 3" in one_line_error(error, str(gold_path), str(pred_path))
        with pytest.raises(XltBenchError) as error:
            XGLUE_TAGS.check(gold, [["B-ORG", "O"], ["B-PER", "O"], ["O"]], gold_path, pred_path)
        assert "sentence 2 has 2 tags, expected 1" in one_line_error(error, str(gold_path), str(pred_path))
        [warning] = XGLUE_TAGS.check(gold, [["B-ORG"], ["B-PER"], ["O"]], gold_path, pred_path)
        assert "2 of 3 sentences" in warning and "sentence 1" in warning and "padded with O" in warning
        assert "\n" not in warning


class TestLabelFormat:
    def test_pawsx_header_and_blank_lines_are_skipped(self, tmp_path):
        path = write(tmp_path / "test_2k.tsv", "id\tsentence1\tsentence2\tlabel\n1\ta\tb\t1\n\n2\tc\td\t0 \n")
        assert XGLUE_LABELS.read_gold(path) == ["1", "0"]

    def test_last_column_of_every_line(self, tmp_path):
        path = write(tmp_path / "de.test", "A man\tA person\tentailment\nIt rains\tIt is dry\tcontradiction\r\n")
        assert XGLUE_LABELS.read_gold(path) == ["entailment", "contradiction"]

    def test_written_files_read_back_and_score(self, tmp_path):
        labels = ["Good", "Bad", "Good"]
        XGLUE_LABELS.write_gold(tmp_path / "gold", labels)
        XGLUE_LABELS.write_predictions(tmp_path / "pred", ["Good", "Good", "Good"])
        gold, predictions = XGLUE_LABELS.read_gold(tmp_path / "gold"), XGLUE_LABELS.read_predictions(tmp_path / "pred")
        assert gold == labels
        assert METRICS["xglue-accuracy"].compute(gold, predictions) == {"accuracy": pytest.approx(200 / 3)}

    def test_counts_must_match(self, tmp_path):
        with pytest.raises(XltBenchError) as error:
            XGLUE_LABELS.check(["1", "0"], ["1"], tmp_path / "gold", tmp_path / "pred")
        assert "1 lines, expected 2" in one_line_error(error, "gold", "pred")


class TestRelevanceFormat:
    def test_gold_rows(self, tmp_path):
        path = write(tmp_path / "xglue.wpr.en.test", "q1\tt\ts\t2\nq1\tt\ts\t0\n\nq 2 \tt\ts\t3\n")
        assert XGLUE_RELEVANCE.read_gold(path) == [("q1", "2"), ("q1", "0"), ("q 2 ", "3")]

    def test_a_label_must_be_a_number(self, tmp_path):
        path = write(tmp_path / "xglue.wpr.en.test", "q1\tt\ts\t2\nq1\tt\ts\tgood\n")
        with pytest.raises(XltBenchError) as error:
            XGLUE_RELEVANCE.read_gold(path)
        assert one_line_error(error).startswith(f"{path}:2: expected a number (a relevance label")

    @pytest.mark.parametrize("bad", ["abc", "", "nan", "inf"])
    def test_a_prediction_must_be_a_finite_number(self, tmp_path, bad):
        path = write(tmp_path / "en.prediction", f"0.5\n-2\n{bad}\n1e-3\n")
        with pytest.raises(XltBenchError) as error:
            XGLUE_RELEVANCE.read_predictions(path)
        assert one_line_error(error).startswith(f"{path}:3: expected a number (a ranking score)")

    def test_written_files_read_back(self, tmp_path):
        rows, scores = [("q\t1", "2"), ("q\t1", "0"), ("", "4")], [0.1, 1 / 3, 2]
        XGLUE_RELEVANCE.write_gold(tmp_path / "gold", rows)
        XGLUE_RELEVANCE.write_predictions(tmp_path / "pred", scores)
        assert XGLUE_RELEVANCE.read_gold(tmp_path / "gold") == [("q 1", "2"), ("q 1", "0"), ("", "4")]
        assert (tmp_path / "pred").read_text() == "0.1\n0.3333333333333333\n2.0\n"
        assert [float(score) for score in XGLUE_RELEVANCE.read_predictions(tmp_path / "pred")] == scores

    def test_counts_must_match(self, tmp_path):
        with pytest.raises(XltBenchError) as error:
            XGLUE_RELEVANCE.check(WPR_GOLD, WPR_SCORES[:-1], tmp_path / "gold", tmp_path / "pred")
        assert "7 lines, expected 8" in one_line_error(error, "gold", "pred")


class TestTextFormat:
    def test_gold_is_the_last_column_of_every_line(self, tmp_path):
        path = write(tmp_path / "xglue.qg.en.tgt.test", "passage\tThe Title \n\nOnly text\nends with tab\t\n")
        assert XGLUE_TEXT.read_gold(path) == ["The Title", "", "Only text", ""]

    def test_writers_keep_one_line_per_text(self, tmp_path):
        texts = ["two\nlines", "carriage\r\nreturn", "a\ttab", "plain"]
        XGLUE_TEXT.write_gold(tmp_path / "gold", texts)
        XGLUE_TEXT.write_predictions(tmp_path / "pred", texts)
        expected = ["two lines", "carriage  return", "a tab", "plain"]
        assert XGLUE_TEXT.read_gold(tmp_path / "gold") == expected
        assert XGLUE_TEXT.read_predictions(tmp_path / "pred") == expected

    def test_counts_must_match(self, tmp_path):
        with pytest.raises(XltBenchError) as error:
            XGLUE_TEXT.check(["a", "b"], ["a", "b", "c"], tmp_path / "gold", tmp_path / "pred")
        assert "3 lines, expected 2" in one_line_error(error, "gold", "pred")


# -- registration and per-example statistics ------------------------------------------------------------------------

CASES = {
    "xglue-ner": (
        [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG"], ["O", "B-MISC", "I-MISC"]],
        [["B-PER", "I-PER"], ["B-ORG"], ["O", "B-MISC", "B-MISC"]],
    ),
    "xglue-pos": (
        [["DET", "NOUN", "NOUN", "VERB", "PUNCT"], ["PRON", "VERB", "ADV"], ["X"]],
        [["DET", "NOUN", "ADJ", "VERB", "PUNCT"], ["PRON", "VERB"], ["X"]],
    ),
    "xglue-accuracy": (["1", "0", "1", "1"], ["1", "1", "1", "0"]),
    "ndcg": (WPR_GOLD, WPR_SCORES),
    "bleu": CORPORA["casing and punctuation"],
}


@pytest.mark.parametrize("name", CASES)
def test_summed_per_example_statistics_equal_the_metric(name):
    metric, (gold, predictions) = METRICS[name], CASES[name]
    value = metric.compute(gold, predictions, language="en")
    assert set(value) == set(metric.keys)
    assert summed(metric.per_example(gold, predictions, language="en")) == pytest.approx(value, abs=1e-9)


def test_registered_formats_and_keys():
    expected = {
        "xglue-ner": (XGLUE_TAGS, {"f1", "precision", "recall"}),
        "xglue-pos": (XGLUE_TAGS, {"precision", "recall", "f1", "token_accuracy"}),
        "xglue-accuracy": (XGLUE_LABELS, {"accuracy"}),
        "ndcg": (XGLUE_RELEVANCE, {"ndcg"}),
        "bleu": (XGLUE_TEXT, {"bleu"}),
    }
    for name, (fmt, keys) in expected.items():
        assert (METRICS[name].submission, set(METRICS[name].keys)) == (fmt, keys)
    assert [fmt.name for fmt in (XGLUE_TAGS, XGLUE_LABELS, XGLUE_RELEVANCE, XGLUE_TEXT)] == [
        "xglue-tags",
        "xglue-labels",
        "xglue-relevance",
        "text-lines",
    ]
    assert {fmt.extension for fmt in (XGLUE_TAGS, XGLUE_LABELS, XGLUE_RELEVANCE, XGLUE_TEXT)} == {"prediction"}
