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
from xlt_bench.metrics.accuracy import ACCURACY_STATISTICS, accuracy, accuracy_units
from xlt_bench.metrics.afriqa import afriqa_em_f1, afriqa_units
from xlt_bench.metrics.bleu import BLEU_STATISTICS, bleu, bleu_units
from xlt_bench.metrics.bucc import BUCC_STATISTICS, bucc_f1, bucc_units
from xlt_bench.metrics.mlqa import mlqa_em_f1, mlqa_units
from xlt_bench.metrics.ndcg import NDCG_STATISTICS, ndcg, ndcg_units
from xlt_bench.metrics.ranking import map_at_20, map_at_20_units, mrr_at_20, mrr_at_20_units
from xlt_bench.metrics.resampling import PerExample, Statistics
from xlt_bench.metrics.seqeval_chunks import (
    CHUNK_STATISTICS,
    POS_STATISTICS,
    chunk_f1,
    chunk_units,
    xglue_ner,
    xglue_ner_units,
    xglue_pos,
    xglue_pos_units,
)
from xlt_bench.metrics.squad import QUESTION_STATISTICS, squad_em_f1, squad_units
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
    """A named metric: its function, the values it returns, and the files it reads.

    `per_example` (same arguments as `compute`) decomposes it into per-example statistics for the paired bootstrap;
    `statistics` describes them without data, so `eval` logs them in `samples/` and the bootstrap reads them back
    instead of re-scoring (a metric without it is re-scored from the prediction files)."""

    name: str
    compute: Callable[..., dict[str, float]]
    keys: tuple[str, ...]
    submission: SubmissionFormat
    description: str = ""
    per_example: Callable[..., PerExample] | None = None
    statistics: Statistics | None = None


PRF, EM_F1 = ("f1", "precision", "recall"), ("exact_match", "f1")
POS = ("precision", "recall", "f1", "token_accuracy")  # XGLUE POS: precision is the score (pitfall X1)
BUILTIN_METRICS = (
    Metric(
        name="accuracy",
        compute=accuracy,
        keys=("accuracy",),
        submission=LABEL_LINES,
        description="exact-match accuracy per example",
        per_example=accuracy_units,
        statistics=ACCURACY_STATISTICS,
    ),
    Metric(
        name="choice-accuracy",
        compute=accuracy,
        keys=("accuracy",),
        submission=CHOICES,
        description="accuracy of chosen indices (XCOPA)",
        per_example=accuracy_units,
        statistics=ACCURACY_STATISTICS,
    ),
    Metric(
        name="seqeval",
        compute=chunk_f1,
        keys=PRF,
        submission=TAG_SENTENCES,
        description="micro chunk F1 as seqeval (PAN-X, UD-POS)",
        per_example=chunk_units,
        statistics=CHUNK_STATISTICS,
    ),
    Metric(
        name="squad",
        compute=squad_em_f1,
        keys=EM_F1,
        submission=SQUAD_ANSWERS,
        description="SQuAD v1.1 EM/F1, English normalisation",
        per_example=squad_units,
        statistics=QUESTION_STATISTICS,
    ),
    Metric(
        name="mlqa",
        compute=mlqa_em_f1,
        keys=EM_F1,
        submission=SQUAD_ANSWERS,
        description="MLQA language-aware EM/F1",
        per_example=mlqa_units,
        statistics=QUESTION_STATISTICS,
    ),
    Metric(
        name="afriqa",
        compute=afriqa_em_f1,
        keys=EM_F1,
        submission=SQUAD_ANSWERS,
        description="AfriQA EM/F1: SQuAD rules after unidecode",
        per_example=afriqa_units,
        statistics=QUESTION_STATISTICS,
    ),
    Metric(
        name="bucc",
        compute=bucc_f1,
        keys=PRF,
        submission=ID_PAIRS,
        description="P/R/F1 over sets of mined id pairs",
        per_example=bucc_units,
        statistics=BUCC_STATISTICS,
    ),
    Metric(
        name="map@20",
        compute=map_at_20,
        keys=("map@20",),
        submission=RANKED_IDS,
        description="mean AP@20 over ranked ids (LAReQA)",
        per_example=map_at_20_units,
        statistics=map_at_20.statistics,
    ),
    Metric(
        name="mrr@20",
        compute=mrr_at_20,
        keys=("mrr@20",),
        submission=RANKED_IDS,
        description="MRR@20 of the gold id (Mewsli-X)",
        per_example=mrr_at_20_units,
        statistics=mrr_at_20.statistics,
    ),
    Metric(
        name="xglue-ner",
        compute=xglue_ner,
        keys=PRF,
        submission=XGLUE_TAGS,
        description="chunk F1, short predictions O-padded (XGLUE)",
        per_example=xglue_ner_units,
        statistics=CHUNK_STATISTICS,
    ),
    Metric(
        name="xglue-pos",
        compute=xglue_pos,
        keys=POS,
        submission=XGLUE_TAGS,
        description="chunk precision over UPOS, as XGLUE scores POS",
        per_example=xglue_pos_units,
        statistics=POS_STATISTICS,
    ),
    Metric(
        name="xglue-accuracy",
        compute=accuracy,
        keys=("accuracy",),
        submission=XGLUE_LABELS,
        description="accuracy, last-column labels",
        per_example=accuracy_units,
        statistics=ACCURACY_STATISTICS,
    ),
    Metric(
        name="ndcg",
        compute=ndcg,
        keys=("ndcg",),
        submission=XGLUE_RELEVANCE,
        description="mean nDCG per query, no cutoff (XGLUE WPR)",
        per_example=ndcg_units,
        statistics=NDCG_STATISTICS,
    ),
    Metric(
        name="bleu",
        compute=bleu,
        keys=("bleu",),
        submission=XGLUE_TEXT,
        description="sacreBLEU corpus BLEU, lower-cased, 13a (XGLUE QG, NTG)",
        per_example=bleu_units,
        statistics=BLEU_STATISTICS,
    ),
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
