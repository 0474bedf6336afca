"""MLQA's language-aware exact match / F1 (`mlqa_evaluation_v1.py`, called by XTREME with `language=lg`).

Order: lower-case -> drop punctuation (every Unicode category-P character plus ASCII punctuation) -> drop the
language's articles -> tokenise. Tokenisation is whitespace for en es hi vi de ar; zh uses "mixed segmentation"
(every CJK character in U+4E00-U+9FA5 and every punctuation character is a token of its own). Arabic keeps the
official regex quirk: **every** occurrence of "ال" is deleted, not only the prefix. Other languages are an error,
as in the official script.
"""

from __future__ import annotations

import functools
import re
import string
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.resampling import PerExample
from xlt_bench.metrics.squad import em_f1, em_f1_units

_ARTICLES = {
    "en": re.compile(r"\b(a|an|the)\b"),
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
    # The official pattern is '\sال^|ال': its first branch can never match, so every "ال" goes.
    "ar": re.compile(r"\sال^|ال"),
    "hi": None,
    "zh": None,
}
_WHITESPACE_LANGUAGES = frozenset({"en", "es", "hi", "vi", "de", "ar"})
_CJK = re.compile(r"[\u4e00-\u9fa5]")


@functools.cache
def punctuation() -> frozenset[str]:
    """Every Unicode punctuation (category P*) character plus ASCII punctuation; built once, on first use."""
    unicode_p = (chr(i) for i in range(sys.maxunicode) if unicodedata.category(chr(i)).startswith("P"))
    return frozenset(unicode_p).union(string.punctuation)


def mixed_segmentation(text: str) -> list[str]:
    """Split CJK characters and punctuation into single-character tokens, the rest on whitespace."""
    tokens: list[str] = []
    pending = ""
    punct = punctuation()
    for char in text:
        if _CJK.search(char) or char in punct:
            tokens.extend(pending.split())
            pending = ""
            tokens.append(char)
        else:
            pending += char
    tokens.extend(pending.split())
    return tokens


def normalize_answer(text: str, language: str) -> str:
    """MLQA normalisation for one language; raises for languages the official script does not know."""
    if language not in _ARTICLES:
        raise XltBenchError(f"MLQA scoring has no rules for language {language!r} (known: {', '.join(_ARTICLES)})")
    punct = punctuation()
    text = "".join(ch for ch in text.lower() if ch not in punct)
    articles = _ARTICLES[language]
    if articles is not None:
        text = articles.sub(" ", text)
    tokens = text.split() if language in _WHITESPACE_LANGUAGES else mixed_segmentation(text)
    return " ".join(token for token in tokens if token.strip())


def mlqa_em_f1(
    gold: Iterable[Mapping[str, Any]], predictions: Mapping[str, str], *, language: str, **_: object
) -> dict[str, float]:
    """MLQA scoring of one language's answers."""
    return em_f1(gold, predictions, functools.partial(normalize_answer, language=language))


def mlqa_units(
    gold: Iterable[Mapping[str, Any]], predictions: Mapping[str, str], *, language: str, **_: object
) -> PerExample:
    return em_f1_units(gold, predictions, functools.partial(normalize_answer, language=language))
