"""Metrics as plain functions, no model needed, each tied to the submission format it reads.

A metric function is `compute(gold, predictions, *, language, **metric_params) -> {name: value}` with values x100,
as the official scorers print them. Which Python objects `gold` and `predictions` are is fixed by the metric's
`SubmissionFormat` (lists of labels, lists of tag sentences, SQuAD data + answer dict, id pairs), so the same
function scores files on disk (`xlt-bench score`) and predictions fresh from a model (`xlt-bench eval`).
The built-in metrics are registered through `xlt_register_metrics`, like any plugin's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xlt_bench.hookspecs import hookimpl
from xlt_bench.metrics.accuracy import accuracy, accuracy_units
from xlt_bench.metrics.afriqa import afriqa_em_f1, afriqa_units
from xlt_bench.metrics.bleu import bleu, bleu_units
from xlt_bench.metrics.bucc import bucc_f1, bucc_units
from xlt_bench.metrics.mlqa import mlqa_em_f1, mlqa_units
from xlt_bench.metrics.ndcg import ndcg, ndcg_units
from xlt_bench.metrics.ranking import map_at_20, map_at_20_units, mrr_at_20, mrr_at_20_units
from xlt_bench.metrics.resampling import PerExample
from xlt_bench.metrics.seqeval_chunks import (
    chunk_f1,
    chunk_units,
    xglue_ner,
    xglue_ner_units,
    xglue_pos,
    xglue_pos_units,
)
from xlt_bench.metrics.squad import squad_em_f1, squad_units
from xlt_bench.submission import (
    CHOICES,
    ID_PAIRS,
    LABEL_LINES,
    RANKED_IDS,
    SQUAD_ANSWERS,
    TAG_SENTENCES,
    XGLUE_LABELS,
    XGLUE_RELEVANCE,
    XGLUE_TAGS,
    XGLUE_TEXT,
    SubmissionFormat,
)


@dataclass(frozen=True)
class Metric:
    """A named metric: its function, the values it returns, and the files it reads."""

    name: str
    compute: Callable[..., dict[str, float]]
    keys: tuple[str, ...]
    submission: SubmissionFormat
    description: str = ""
    per_example: Callable[..., PerExample] | None = None  # for paired bootstrap; same arguments as compute


PRF, EM_F1 = ("f1", "precision", "recall"), ("exact_match", "f1")
POS = ("precision", "recall", "f1", "token_accuracy")  # XGLUE POS: precision is the score (pitfall X1)
BUILTIN_METRICS = (
    Metric("accuracy", accuracy, ("accuracy",), LABEL_LINES, "exact-match accuracy per example", accuracy_units),
    Metric("choice-accuracy", accuracy, ("accuracy",), CHOICES, "accuracy of chosen indices (XCOPA)", accuracy_units),
    Metric("seqeval", chunk_f1, PRF, TAG_SENTENCES, "micro chunk F1 as seqeval (PAN-X, UD-POS)", chunk_units),
    Metric("squad", squad_em_f1, EM_F1, SQUAD_ANSWERS, "SQuAD v1.1 EM/F1, English normalisation", squad_units),
    Metric("mlqa", mlqa_em_f1, EM_F1, SQUAD_ANSWERS, "MLQA language-aware EM/F1", mlqa_units),
    Metric("afriqa", afriqa_em_f1, EM_F1, SQUAD_ANSWERS, "AfriQA EM/F1: SQuAD rules after unidecode", afriqa_units),
    Metric("bucc", bucc_f1, PRF, ID_PAIRS, "P/R/F1 over sets of mined id pairs", bucc_units),
    Metric("map@20", map_at_20, ("map@20",), RANKED_IDS, "mean AP@20 over ranked ids (LAReQA)", map_at_20_units),
    Metric("mrr@20", mrr_at_20, ("mrr@20",), RANKED_IDS, "MRR@20 of the gold id (Mewsli-X)", mrr_at_20_units),
    Metric("xglue-ner", xglue_ner, PRF, XGLUE_TAGS, "chunk F1, short predictions O-padded (XGLUE)", xglue_ner_units),
    Metric("xglue-pos", xglue_pos, POS, XGLUE_TAGS, "chunk precision over UPOS, as XGLUE scores POS", xglue_pos_units),
    Metric("xglue-accuracy", accuracy, ("accuracy",), XGLUE_LABELS, "accuracy, last-column labels", accuracy_units),
    Metric("ndcg", ndcg, ("ndcg",), XGLUE_RELEVANCE, "mean nDCG per query, no cutoff (XGLUE WPR)", ndcg_units),
    Metric("bleu", bleu, ("bleu",), XGLUE_TEXT, "sacreBLEU corpus BLEU, lower-cased, 13a (XGLUE QG, NTG)", bleu_units),
)

# The metrics taking the `seqeval_rules` parameter (values: `seqeval_chunks.SEQEVAL_RULES`).
SEQEVAL_METRICS = ("seqeval", "xglue-ner", "xglue-pos")


def metric_params(task: Any, seqeval_rules: str | None = None) -> dict[str, Any]:
    """A task's metric parameters with the command-line overrides that apply to it (`--seqeval-rules` reaches only
    the seqeval-family metrics), as `eval` records them and `score` applies them."""
    params = dict(task.metric_params)
    if seqeval_rules is not None and task.metric in SEQEVAL_METRICS:
        params["seqeval_rules"] = seqeval_rules
    return params


@hookimpl
def xlt_register_metrics(register: Callable[[Metric], None]) -> None:
    for metric in BUILTIN_METRICS:
        register(metric)
