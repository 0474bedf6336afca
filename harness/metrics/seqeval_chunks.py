"""Chunk precision/recall/F1 exactly as seqeval computes them: by default with the 0.0.12 rules XTREME used.

XTREME's `evaluate.py` scores PAN-X *and UD-POS* with `seqeval.metrics.f1_score` (micro, default mode). With the
seqeval of 2020 (0.0.12) a tag's first character is read as its BIO prefix and the **whole tag** (text after the
last '-') as its type. For UPOS this means: a maximal run of identical tags is one chunk (NOUN NOUN = one chunk,
half of it right = no credit), INTJ behaves as an I- tag, SCONJ/SYM as S- (singleton) tags. Sentences are
flattened with an "O" after each, as seqeval does for nested lists.

`seqeval_rules` (metric parameter) picks the type rule: "0.0.12" (default; the 2020 leaderboard numbers) or "1.x"
(seqeval >= 0.0.16 default mode up to 1.2.2, what today's `evaluate.py` gets from its unpinned install). 1.x reads
the type as `tag[1:]` past its first '-' if any, "_" when empty: CCONJ and SCONJ become one type "CONJ", and X
(type "_", like "O") neither ends at the "O" after its sentence nor starts after one, so its chunks can reach
across sentences. Both rules give the same chunks for BIO tags whose types have no '-' (PAN-X, MasakhaNER, NER).

`types` (metric parameter) keeps only the listed entity types: every other tag becomes "O" in gold and predictions
alike before chunking. That is the usual English-source zero-shot protocol for MasakhaNER (the source has no DATE,
so PER/ORG/LOC are scored and DATE is mapped to O). Without it nothing is mapped (XTREME).

XGLUE's `xglue_evaluate.py` uses the same seqeval on NER (f1) and POS, where its score is chunk **precision** over
UPOS tags (pitfall X1; its README calls it accuracy). Before scoring it pads every predicted sentence shorter than its
gold sentence with "O" at the end; `xglue_ner` and `xglue_pos` do the same, since a file check cannot change data.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.resampling import PerExample, Statistics, precision_recall_f1, ratio

DEFAULT_SEQEVAL_RULES = "0.0.12"
_TYPE_RULES: dict[str, Callable[[str], str]] = {
    "0.0.12": lambda label: label.split("-")[-1],
    "1.x": lambda label: label[1:].split("-", maxsplit=1)[-1] or "_",
}
SEQEVAL_RULES = tuple(_TYPE_RULES)  # accepted values of the `seqeval_rules` metric parameter
CHUNKS = ("correct_chunks", "predicted_chunks", "gold_chunks")


def check_seqeval_rules(seqeval_rules: object) -> str:
    """`seqeval_rules` itself when it names a rule set, else a one-line error (a CLI can check before scoring)."""
    if not isinstance(seqeval_rules, str) or seqeval_rules not in _TYPE_RULES:
        raise XltBenchError(f"seqeval_rules {str(seqeval_rules)!r}: expected {' or '.join(SEQEVAL_RULES)}")
    return seqeval_rules


def _end_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag not in ("O", ".") and prev_type != type_


def _start_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag not in ("O", ".") and prev_type != type_


def chunks(
    sentences: Sequence[Sequence[str]], *, seqeval_rules: str = DEFAULT_SEQEVAL_RULES
) -> set[tuple[str, int, int]]:
    """The (type, start, end) chunks of the flattened sentences, as seqeval's `get_entities` under `seqeval_rules`."""
    type_of = _TYPE_RULES[check_seqeval_rules(seqeval_rules)]
    flat = [tag for sentence in sentences for tag in [*sentence, "O"]]
    found = set()
    prev_tag, prev_type, begin = "O", "", 0
    for i, label in enumerate([*flat, "O"]):
        tag, type_ = label[0], type_of(label)
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            found.add((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return found


def only_types(
    sentences: Sequence[Sequence[str]],
    types: Sequence[str] | None,
    *,
    seqeval_rules: str = DEFAULT_SEQEVAL_RULES,
) -> Sequence[Sequence[str]]:
    """The sentences with every tag whose type (as `chunks` reads it) is not in `types` made "O"; None keeps all."""
    type_of = _TYPE_RULES[check_seqeval_rules(seqeval_rules)]
    if types is None:
        return sentences
    if isinstance(types, str):
        raise XltBenchError(f"seqeval metric parameter types must be a list of entity types, not the string {types!r}")
    kept = frozenset(types)
    return [[tag if type_of(tag) in kept else "O" for tag in sentence] for sentence in sentences]


def _scored_chunks(
    sentences: Sequence[Sequence[str]], types: Sequence[str] | None, seqeval_rules: str
) -> set[tuple[str, int, int]]:
    return chunks(only_types(sentences, types, seqeval_rules=seqeval_rules), seqeval_rules=seqeval_rules)


def _sentence_of(sentences: Sequence[Sequence[str]]) -> Callable[[int], int]:
    """Maps a flattened position to its sentence (sentence k covers its tags and the "O" after them)."""
    starts = list(accumulate((len(sentence) + 1 for sentence in sentences), initial=0))
    return lambda position: bisect_right(starts, position) - 1


def chunk_units(
    gold: Sequence[Sequence[str]],
    predictions: Sequence[Sequence[str]],
    *,
    types: Sequence[str] | None = None,
    seqeval_rules: str = DEFAULT_SEQEVAL_RULES,
    **_: object,
) -> PerExample:
    """One unit per sentence: (correct, predicted, gold) counts of the corpus's chunks that end in it.

    Under 0.0.12 no chunk of a real tag set crosses the "O" after a sentence: these are its own chunks; under 1.x an X
    run can, so the corpus is chunked once and each chunk counted where it ends: the sums are `chunk_f1`'s counts.
    """
    true_chunks = _scored_chunks(gold, types, seqeval_rules)
    pred_chunks = _scored_chunks(predictions, types, seqeval_rules)
    stats = [[0, 0, 0] for _ in range(max(len(gold), len(predictions)))]
    for column, found, sentences in (
        (0, true_chunks & pred_chunks, gold),
        (1, pred_chunks, predictions),
        (2, true_chunks, gold),
    ):
        sentence_of = _sentence_of(sentences)
        for _type, _start, end in found:
            stats[sentence_of(end)][column] += 1
    return PerExample([str(i) for i in range(len(stats))], [tuple(row) for row in stats], CHUNK_STATISTICS.reduce)


def chunk_f1(
    gold: Sequence[Sequence[str]],
    predictions: Sequence[Sequence[str]],
    *,
    types: Sequence[str] | None = None,
    seqeval_rules: str = DEFAULT_SEQEVAL_RULES,
    **_: object,
) -> dict[str, float]:
    """Micro chunk F1/precision/recall (x100) over all sentences of one language (only `types` when given)."""
    true_chunks = _scored_chunks(gold, types, seqeval_rules)
    pred_chunks = _scored_chunks(predictions, types, seqeval_rules)
    correct = len(true_chunks & pred_chunks)
    precision = correct / len(pred_chunks) if pred_chunks else 0.0
    recall = correct / len(true_chunks) if true_chunks else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"f1": f1 * 100, "precision": precision * 100, "recall": recall * 100}


def pad_with_o(gold: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]]) -> list[list[str]]:
    """XGLUE's rule: each predicted sentence shorter than its gold sentence gets "O" tags at the end."""
    return [[*predicted, *["O"] * (len(expected) - len(predicted))] for expected, predicted in zip(gold, predictions)]


def xglue_ner(
    gold: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]], **params: object
) -> dict[str, float]:
    """XGLUE NER: chunk F1/precision/recall (x100) after padding short predicted sentences with "O"."""
    return chunk_f1(gold, pad_with_o(gold, predictions), **params)


def xglue_ner_units(
    gold: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]], **params: object
) -> PerExample:
    """`chunk_units` after padding short predicted sentences with "O"."""
    return chunk_units(gold, pad_with_o(gold, predictions), **params)


def _correct_tags(expected: Sequence[str], predicted: Sequence[str]) -> int:
    return sum(tag == expected_tag for tag, expected_tag in zip(predicted, expected))


def xglue_pos(
    gold: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]], **params: object
) -> dict[str, float]:
    """XGLUE POS: chunk precision (the official score), recall, F1 and the share of correct tags, all x100.

    Token accuracy is what POS papers usually mean; it is reported under its own name, never as the score.
    """
    padded = pad_with_o(gold, predictions)
    correct = sum(_correct_tags(expected, predicted) for expected, predicted in zip(gold, padded))
    total = sum(len(expected) for expected in gold)
    return {**chunk_f1(gold, padded, **params), "token_accuracy": 100 * (correct / total) if total else 0.0}


def _pos_values(sums: Any) -> dict[str, Any]:
    return {**precision_recall_f1(sums), "token_accuracy": 100 * ratio(sums[..., 3], sums[..., 4])}


CHUNK_STATISTICS = Statistics(names=CHUNKS, unit="row", reduce=precision_recall_f1)  # one unit per sentence
POS_STATISTICS = Statistics(names=(*CHUNKS, "correct_tags", "gold_tags"), unit="row", reduce=_pos_values)


def xglue_pos_units(
    gold: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]], **params: object
) -> PerExample:
    """One unit per sentence: (correct, predicted, gold) chunk counts, then (correct tags, gold tags)."""
    padded = pad_with_o(gold, predictions)
    chunked = chunk_units(gold, padded, **params)
    stats = [
        (*counts, _correct_tags(expected, predicted), len(expected))
        for counts, expected, predicted in zip(chunked.stats, gold, padded)
    ]
    return PerExample(chunked.units, stats, POS_STATISTICS.reduce)
