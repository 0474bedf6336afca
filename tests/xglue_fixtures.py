"""Tiny data for every XGLUE task, language and evaluation split, in the `xglue_full_dataset` archive's own formats.

The content is synthetic: a small word list plus one word per language in its own script or with its own letters.
The layout and formats are the ones the official scorer `evaluation/xglue_evaluate.py` reads. They include the
details readers can get wrong: NER's `-DOCSTART-` line, WPR queries of one row and a query text asked again after
another query, XNLI's raw "contradictory", the PAWS-X header row, MLQA answers at their exact offsets, and QG/NTG
as line-aligned `.src.`/`.tgt.` pairs.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from itertools import cycle, product
from pathlib import Path

XGLUE_LANGUAGES: dict[str, tuple[str, ...]] = {
    task: tuple(languages.split())
    for task, languages in {
        "NER": "de en es nl",
        "POS": "pl ar ru bg de el en es fr hi it nl pt th tr ur vi zh",
        "NC": "de en es fr ru",
        "MLQA": "ar de en es hi vi zh",
        "XNLI": "ar bg de el en es fr hi ru sw th tr ur vi zh",
        "PAWSX": "de en es fr",
        "QADSM": "de en fr",
        "WPR": "de en es fr it pt zh",
        "QAM": "de en fr",
        "QG": "de en es fr it pt",
        "NTG": "de en es fr ru",
    }.items()
}  # the scorer's task2lg
XGLUE_FILES = {
    "NER": "NER/{lang}.{split}",
    "POS": "POS/{lang}.{split}",
    "NC": "NC/xglue.nc.{lang}.{split}",
    "MLQA": "MLQA/MLQA_V1/{split}/{split}-context-{lang}-question-{lang}.json",
    "XNLI": "XNLI/{lang}.{split}",
    "PAWSX": "PAWSX/{lang}/{split}_2k.tsv",
    "QADSM": "QADSM/xglue.qadsm.{lang}.{split}",
    "WPR": "WPR/xglue.wpr.{lang}.{split}",
    "QAM": "QAM/xglue.qam.{lang}.{split}",
    "QG": "QG/xglue.qg.{lang}.src.{split}",
    "NTG": "NTG/xglue.ntg.{lang}.src.{split}",
}  # below xglue_full_dataset/; QG and NTG name the .src. file, whose .tgt. sibling holds the targets
SPLITS = ("test", "dev")
NER_TYPES = ("PER", "ORG", "LOC", "MISC")
UPOS = "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()
NC_CATEGORIES = "foodanddrink sports travel finance lifestyle news entertainment health video autos".split()
XNLI_LABELS = ("entailment", "neutral", "contradictory")
WORDS = "river house light stone music garden window paper silver market forest bridge".split()
LOCAL_WORDS = {
    "ar": "كتاب",
    "bg": "книжка",
    "de": "Straße",
    "el": "βιβλίο",
    "en": "book",
    "es": "niño",
    "fr": "été",
    "hi": "किताब",
    "it": "città",
    "nl": "ijsje",
    "pl": "żółw",
    "pt": "ação",
    "ru": "книга",
    "sw": "kitabu",
    "th": "หนังสือ",
    "tr": "kitapçı",
    "ur": "کتاب",
    "vi": "sách",
    "zh": "书",
}

Writer = Callable[[Path, random.Random, str, int], None]


def _sentence(rng: random.Random, lang: str, n: int = 6) -> str:
    """`n` words, one of them the language's own word."""
    words = [rng.choice(WORDS) for _ in range(n - 1)]
    words.insert(rng.randrange(n), LOCAL_WORDS[lang])
    return " ".join(words)


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def _iob_tags(rng: random.Random, length: int) -> list[str]:
    tags: list[str] = []
    while len(tags) < length:
        if rng.random() < 0.3:
            kind, span = rng.choice(NER_TYPES), min(rng.randint(1, 2), length - len(tags))
            tags += [f"B-{kind}"] + [f"I-{kind}"] * (span - 1)
        else:
            tags.append("O")
    return tags


def _upos_tags(rng: random.Random, length: int) -> list[str]:
    return [rng.choice(UPOS) for _ in range(length)]


def _tagged(tag: Callable[[random.Random, int], list[str]], header: tuple[str, ...] = ()) -> Writer:
    """`word label` lines, a blank line after each sentence, below optional header lines."""

    def write(path: Path, rng: random.Random, lang: str, n: int) -> None:
        lines = list(header)
        for _ in range(n):
            words = _sentence(rng, lang, rng.randint(3, 8)).split()
            lines += [f"{word} {label}" for word, label in zip(words, tag(rng, len(words)))] + [""]
        _write_lines(path, lines)

    return write


def _rows(row: Callable[[random.Random, str, int], tuple[str, ...]], header: str | None = None) -> Writer:
    """Tab-separated rows, `row(rng, lang, index)` each, below an optional header line."""

    def write(path: Path, rng: random.Random, lang: str, n: int) -> None:
        lines = [header] if header is not None else []
        _write_lines(path, lines + ["\t".join(row(rng, lang, i)) for i in range(n)])

    return write


def _wpr_queries(rng: random.Random, lang: str, n: int) -> list[str]:
    """Each row's query: consecutive groups of 3, 1 and 2 rows, the third group asking the first group's query again."""
    groups: list[str] = []
    queries: list[str] = []
    for size in cycle((3, 1, 2)):
        if len(queries) >= n:
            break
        groups.append(groups[0] if len(groups) == 2 else _sentence(rng, lang, 3))
        queries += [groups[-1]] * size
    return queries[:n]


def _write_wpr(path: Path, rng: random.Random, lang: str, n: int) -> None:
    rows = [
        "\t".join((query, _sentence(rng, lang, 4), _sentence(rng, lang, 10), str(rng.randint(0, 4))))
        for query in _wpr_queries(rng, lang, n)
    ]
    _write_lines(path, rows)


def _write_mlqa(path: Path, rng: random.Random, lang: str, n: int) -> None:
    answers = [f"{LOCAL_WORDS[lang]}-{i}" for i in range(n)]
    context = " ".join(f"{_sentence(rng, lang)} {answer}." for answer in answers)
    qas = [
        {
            "id": f"{path.stem}-{i}",
            "question": f"{_sentence(rng, lang, 4)}?",
            "answers": [{"text": answer, "answer_start": context.index(answer)}],
        }
        for i, answer in enumerate(answers)
    ]
    article = {"title": path.stem, "paragraphs": [{"context": context, "qas": qas}]}
    path.write_text(json.dumps({"data": [article], "version": "1.0"}, ensure_ascii=False), encoding="utf-8")


def _pairs(source_words: int, target_words: int) -> Writer:
    """Line-aligned `.src.` and `.tgt.` files."""

    def write(path: Path, rng: random.Random, lang: str, n: int) -> None:
        pairs = [(_sentence(rng, lang, source_words), _sentence(rng, lang, target_words)) for _ in range(n)]
        _write_lines(path, [source for source, _ in pairs])
        _write_lines(path.with_name(path.name.replace(".src.", ".tgt.")), [target for _, target in pairs])

    return write


_WRITERS: dict[str, Writer] = {
    "NER": _tagged(_iob_tags, header=("-DOCSTART- -X- -X- O", "")),
    "POS": _tagged(_upos_tags),
    "NC": _rows(lambda rng, lang, i: (_sentence(rng, lang, 5), _sentence(rng, lang, 14), rng.choice(NC_CATEGORIES))),
    "MLQA": _write_mlqa,
    "XNLI": _rows(lambda rng, lang, i: (_sentence(rng, lang), _sentence(rng, lang, 4), XNLI_LABELS[i % 3])),
    "PAWSX": _rows(
        lambda rng, lang, i: (str(i), _sentence(rng, lang), _sentence(rng, lang), str(rng.randint(0, 1))),
        header="id\tsentence1\tsentence2\tlabel",
    ),
    "QADSM": _rows(
        lambda rng, lang, i: (
            _sentence(rng, lang, 2),
            _sentence(rng, lang, 4),
            _sentence(rng, lang, 9),
            rng.choice(("Good", "Bad")),
        )
    ),
    "WPR": _write_wpr,
    "QAM": _rows(lambda rng, lang, i: (f"{_sentence(rng, lang, 5)}?", _sentence(rng, lang, 12), str(i % 2))),
    "QG": _pairs(12, 6),
    "NTG": _pairs(20, 6),
}


def write_xglue_fixtures(root: Path, seed: int = 0, per_language: int = 6) -> Path:
    """Write `per_language` examples (lines, sentences or questions) per task, language and split below `root`.

    Returns `root/xglue_full_dataset`. WPR needs `per_language` >= 6 to hold a one-row query and a repeated query.
    """
    rng = random.Random(seed)
    data = root / "xglue_full_dataset"
    for task, languages in XGLUE_LANGUAGES.items():
        for lang, split in product(languages, SPLITS):
            path = data / XGLUE_FILES[task].format(lang=lang, split=split)
            path.parent.mkdir(parents=True, exist_ok=True)
            _WRITERS[task](path, rng, lang, per_language)
    return data
