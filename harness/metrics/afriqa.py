"""AfriQA exact match / F1 as masakhane-io/afriqa scores readers (`baselines/reader/helper.py`, `ReaderEvaluator`).

Its `_normalize_answer` is SQuAD v1.1's with one step in front: `unidecode` transliterates to ASCII (so "Ọ̀ṣun" and
"Osun" match, and non-Latin scripts become Latin), then lower-case, drop ASCII punctuation, drop English a/an/the,
collapse whitespace. Whitespace tokens, max over the gold answers, an unanswered question scores 0. Unidecode
(PyPI `Unidecode`, GPL-2.0-or-later) is an optional dependency, imported only when AfriQA answers are scored.
The repository's gold-passage reader runs (`baselines/reader/train_extractive.py`) printed HF `squad_v2` numbers,
i.e. the same rules without unidecode; the two differ only on answers with non-ASCII characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.resampling import PerExample
from xlt_bench.metrics.squad import em_f1, em_f1_units, normalize_answer

MISSING_UNIDECODE = (
    "AfriQA scoring needs the Unidecode package, as the official AfriQA scorer: pip install 'xlt-bench[afriqa]'"
)


def normalizer() -> Callable[[str], str]:
    """AfriQA's answer normalisation: unidecode, then SQuAD's; raises the install hint when Unidecode is missing."""
    try:
        from unidecode import unidecode
    except ImportError:
        raise XltBenchError(MISSING_UNIDECODE) from None

    def normalize(text: str) -> str:
        return normalize_answer(unidecode(text))

    return normalize


def afriqa_em_f1(gold: Iterable[Mapping[str, Any]], predictions: Mapping[str, str], **_: object) -> dict[str, float]:
    """AfriQA-GoldP scoring of one language's pivot-language answers."""
    return em_f1(gold, predictions, normalizer())


def afriqa_units(gold: Iterable[Mapping[str, Any]], predictions: Mapping[str, str], **_: object) -> PerExample:
    return em_f1_units(gold, predictions, normalizer())
