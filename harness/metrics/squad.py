"""SQuAD v1.1 exact match / F1, as XTREME scores XQuAD and TyDiQA-GoldP (`third_party/evaluate_squad.py`).

English normalisation for every language (lower-case, drop ASCII punctuation, drop a/an/the, collapse whitespace),
whitespace tokens, max over the gold answers, an unanswered question scores 0. For zh/th a whitespace "token" is
a whole phrase, so F1 is close to EM there: that is how the official numbers were produced, so do not "fix" it.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from xlt_bench.metrics.resampling import PerExample, Statistics, rates

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_ENGLISH_ARTICLES = re.compile(r"\b(a|an|the)\b")

# one unit per question id, for SQuAD and the metrics built on its units (MLQA, AfriQA)
QUESTION_STATISTICS = Statistics(
    names=("exact_match", "f1", "questions"), unit="id", reduce=rates(["exact_match", "f1"])
)


def normalize_answer(text: str) -> str:
    """The SQuAD v1.1 normalisation: lower, drop punctuation, drop articles, collapse whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCTUATION)
    return " ".join(_ENGLISH_ARTICLES.sub(" ", text).split())


def token_f1(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    """Bag-of-tokens F1 between two token lists (0 when nothing is shared)."""
    common = Counter(prediction_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(prediction_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def questions(dataset: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """Every `qa` record of a SQuAD-format `data` list, in file order."""
    for article in dataset:
        for paragraph in article["paragraphs"]:
            yield from paragraph["qas"]


def em_f1_units(
    dataset: Iterable[Mapping[str, Any]], predictions: Mapping[str, str], normalize: Callable[[str], str]
) -> PerExample:
    """One unit per question: (exact match, F1, 1), unanswered = (0, 0, 1)."""
    units, stats = [], []
    for qa in questions(dataset):
        units.append(str(qa["id"]))
        if qa["id"] not in predictions:
            stats.append((0.0, 0.0, 1.0))
            continue
        prediction = normalize(predictions[qa["id"]])
        golds = [normalize(answer["text"]) for answer in qa["answers"]]
        exact = max(float(prediction == gold) for gold in golds)
        stats.append((exact, max(token_f1(prediction.split(), gold.split()) for gold in golds), 1.0))
    return PerExample(units, stats, QUESTION_STATISTICS.reduce)


def em_f1(
    dataset: Iterable[Mapping[str, Any]], predictions: Mapping[str, str], normalize: Callable[[str], str]
) -> dict[str, float]:
    """Mean over questions of the best EM and F1 against any gold answer (x100), unanswered = 0."""
    total = exact = f1 = 0.0
    for qa in questions(dataset):
        total += 1
        if qa["id"] not in predictions:
            continue
        prediction = normalize(predictions[qa["id"]])
        golds = [normalize(answer["text"]) for answer in qa["answers"]]
        exact += max(float(prediction == gold) for gold in golds)
        f1 += max(token_f1(prediction.split(), gold.split()) for gold in golds)
    if total == 0:
        return {"exact_match": 0.0, "f1": 0.0}
    return {"exact_match": 100.0 * exact / total, "f1": 100.0 * f1 / total}


def squad_em_f1(gold: Iterable[Mapping[str, Any]], predictions: Mapping[str, str], **_: object) -> dict[str, float]:
    """XQuAD/TyDiQA scoring: SQuAD v1.1 rules regardless of language."""
    return em_f1(gold, predictions, normalize_answer)


def squad_units(gold: Iterable[Mapping[str, Any]], predictions: Mapping[str, str], **_: object) -> PerExample:
    return em_f1_units(gold, predictions, normalize_answer)
