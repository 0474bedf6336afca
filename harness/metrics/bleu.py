"""Corpus BLEU of XGLUE generation (QG, NTG): `sacrebleu.corpus_bleu(predictions, [references], lowercase=True)`.

Lower-cased, sacreBLEU's 13a tokenizer, exp smoothing, one reference per line (pitfall X2: not multi-bleu on
pre-tokenised text, not a mean of sentence BLEU). Corpus BLEU is a function of summed per-sentence sufficient
statistics (n-gram matches and totals for n = 1..4, hypothesis and reference lengths), which sacreBLEU sums itself;
the per-example units hold exactly those, and their reduce is sacreBLEU's own `BLEU.compute_bleu`. sacrebleu and
numpy are imported inside the functions so that importing the metrics (the CLI's startup) stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlt_bench.metrics.pairing import paired
from xlt_bench.metrics.resampling import PerExample, Statistics

ORDER = 4  # sacreBLEU's default maximum n-gram order
SMOOTHING = "exp"  # sacrebleu.corpus_bleu's default


def bleu(gold: Sequence[str], predictions: Sequence[str], **_: object) -> dict[str, float]:
    """sacreBLEU corpus BLEU of the predictions against one reference each, lower-cased (its `.score`, 0-100)."""
    if not gold or not predictions:
        return {"bleu": 0.0}
    import sacrebleu

    paired(gold, predictions)
    return {"bleu": sacrebleu.corpus_bleu(list(predictions), [list(gold)], lowercase=True).score}


def _bleu_from_sums(sums: Any) -> dict[str, Any]:
    """BLEU of every row of summed statistics (array (..., 2 * ORDER + 2) of whole counts, as resampling gives)."""
    import numpy as np
    from sacrebleu.metrics import BLEU

    sums = np.asarray(sums, dtype=float)
    scores = [
        BLEU.compute_bleu(row[:ORDER], row[ORDER : 2 * ORDER], row[-2], row[-1], smooth_method=SMOOTHING).score
        for row in np.rint(sums).astype(np.int64).reshape(-1, sums.shape[-1]).tolist()
    ]
    return {"bleu": np.asarray(scores).reshape(sums.shape[:-1])}


BLEU_STATISTICS = Statistics(
    names=(
        *(f"matches_{n}" for n in range(1, ORDER + 1)),
        *(f"totals_{n}" for n in range(1, ORDER + 1)),
        "hypothesis_length",
        "reference_length",
    ),
    unit="row",
    reduce=_bleu_from_sums,
)


def bleu_units(gold: Sequence[str], predictions: Sequence[str], **_: object) -> PerExample:
    """One unit per line: matches for n = 1..4, totals for n = 1..4, hypothesis length, reference length."""
    from sacrebleu.metrics import BLEU

    scorer = BLEU(lowercase=True)
    stats = []
    for reference, hypothesis in paired(gold, predictions):
        score = scorer.corpus_score([hypothesis], [[reference]])
        stats.append([*score.counts, *score.totals, score.sys_len, score.ref_len])
    return PerExample([str(i) for i in range(len(stats))], stats, BLEU_STATISTICS.reduce)
