"""Chunk precision/recall/F1 exactly as XTREME's scorer computes them with seqeval 0.0.12.

XTREME's `evaluate.py` scores PAN-X *and UD-POS* with `seqeval.metrics.f1_score` (micro, default mode). With the
seqeval of 2020 (0.0.12) a tag's first character is read as its BIO prefix and the **whole tag** (text after the
last '-') as its type. For UPOS this means: a maximal run of identical tags is one chunk (NOUN NOUN = one chunk,
half of it right = no credit), INTJ behaves as an I- tag, SCONJ/SYM as S- (singleton) tags. seqeval >= 0.0.16 reads
the type as `tag[1:]`, which merges CCONJ and SCONJ into one type "CONJ"; we do not follow that drift. Sentences are
flattened with an "O" after each, as seqeval does for nested lists.

`types` (metric parameter) keeps only the listed entity types: every other tag becomes "O" in gold and predictions
alike before chunking. That is the usual English-source zero-shot protocol for MasakhaNER (the source has no DATE,
so PER/ORG/LOC are scored and DATE is mapped to O). Without it nothing is mapped (XTREME).

XGLUE's `xglue_evaluate.py` uses the same seqeval on NER (f1) and POS, where its score is chunk **precision** over
UPOS tags (pitfall X1; its README calls it accuracy). Before scoring it pads every predicted sentence shorter than its
gold sentence with "O" at the end; `xglue_ner` and `xglue_pos` do the same, since a file check cannot change data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.resampling import PerExample, precision_recall_f1, ratio


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


def chunks(sentences: Sequence[Sequence[str]]) -> set[tuple[str, int, int]]:
    """The (type, start, end) chunks of the flattened sentences, seqeval 0.0.12 `get_entities`."""
    flat = [tag for sentence in sentences for tag in [*sentence, "O"]]
    found = set()
    prev_tag, prev_type, begin = "O", "", 0
    for i, label in enumerate([*flat, "O"]):
        tag, type_ = label[0], label.split("-")[-1]
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            found.add((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return found


def only_types(sentences: Sequence[Sequence[str]], types: Sequence[str] | None) -> Sequence[Sequence[str]]:
    """The sentences with every tag whose type (as `chunks` reads it) is not in `types` made "O"; None keeps all."""
    if types is None:
        return sentences
    if isinstance(types, str):
        raise XltBenchError(f"seqeval metric parameter types must be a list of entity types, not the string {types!r}")
    kept = frozenset(types)
    return [[tag if tag.split("-")[-1] in kept else "O" for tag in sentence] for sentence in sentences]


def chunk_units(
    gold: Sequence[Sequence[str]],
    predictions: Sequence[Sequence[str]],
    *,
    types: Sequence[str] | None = None,
    **_: object,
) -> PerExample:
    """One unit per sentence: (correct, predicted, gold) chunk counts (chunks never cross the "O" separators)."""
    gold, predictions = only_types(gold, types), only_types(predictions, types)
    stats = []
    for expected, predicted in zip(gold, predictions):
        true_chunks, pred_chunks = chunks([expected]), chunks([predicted])
        stats.append((len(true_chunks & pred_chunks), len(pred_chunks), len(true_chunks)))
    return PerExample([str(i) for i in range(len(stats))], stats, precision_recall_f1)


def chunk_f1(
    gold: Sequence[Sequence[str]],
    predictions: Sequence[Sequence[str]],
    *,
    types: Sequence[str] | None = None,
    **_: object,
) -> dict[str, float]:
    """Micro chunk F1/precision/recall (x100) over all sentences of one language (only `types` when given)."""
    true_chunks, pred_chunks = chunks(only_types(gold, types)), chunks(only_types(predictions, types))
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
    return PerExample(chunked.units, stats, _pos_values)
