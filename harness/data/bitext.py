"""Bitext retrieval data: LASER's Tatoeba pairs and the BUCC 2018 comparable corpora, as released.

Tatoeba: `tatoeba.<xxx>-eng.<xxx>` and its sibling `tatoeba.<xxx>-eng.eng`, line i of one the translation of line i
of the other (the raw LASER files; XTREME's processed copy sorts the English side, which hides the alignment).

BUCC 2018: `bucc2018-<l>-en.<split>.<l>` with its siblings `.en` and `.gold`, where `<split>` is `training` (XTREME's
test) or `sample` (XTREME's dev); lines are `<id><TAB><sentence>`, gold lines `<l-id><TAB><en-id>`. Sentences are
stripped. Rows alternate between the two sides (source, English, source, ...) so that `--limit N` keeps about N/2
sentences of each; a source row lists its gold English partners. The Hugging Face `bucc18` configs hold only the
gold pairs, without the distractor sentences that make BUCC a mining task, so they cannot be used.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

from xlt_bench.data.formats import companion
from xlt_bench.errors import XltBenchError
from xlt_bench.files import numbered_lines


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.name.rsplit('.', 1)[0]}.{suffix}")


def tatoeba_companions(path: Path) -> list[Path]:
    """The English side `tatoeba.<xxx>-eng.eng` of `tatoeba.<xxx>-eng.<xxx>`."""
    return [_sibling(path, "eng")]


def bucc_companions(path: Path) -> list[Path]:
    """The English sentences `.en` and the gold pairs `.gold` of `bucc2018-<l>-en.<split>.<l>`."""
    return [_sibling(path, "en"), _sibling(path, "gold")]


def read_tatoeba(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        english_path = companion(path, *tatoeba_companions(Path(path)))
        foreign = [line.strip() for _, line in numbered_lines(path)]
        english = [line.strip() for _, line in numbered_lines(english_path)]
        if len(foreign) != len(english):
            raise XltBenchError(f"{path}: {len(foreign)} lines, {len(english)} on the English side; expected aligned")
        for index, (text, text_pair) in enumerate(zip(foreign, english)):
            yield {"id": str(index), "text": text, "text_pair": text_pair}


def _id_sentences(path: Path) -> dict[str, str]:
    """Sentence id -> sentence, in file order; a repeated id is an error (gold pairs could not say which one)."""
    rows: dict[str, str] = {}
    for number, line in numbered_lines(path):
        sentence_id, tab, sentence = line.partition("\t")
        if not tab:
            raise XltBenchError(f"{path}:{number}: expected '<id><TAB><sentence>'")
        if sentence_id.strip() in rows:
            raise XltBenchError(f"{path}:{number}: sentence id {sentence_id.strip()!r} repeats an earlier line's")
        rows[sentence_id.strip()] = sentence.strip()
    return rows


def read_bucc(source, language: str, split: str, **_: object) -> Iterator[dict]:
    """A gold pair naming a sentence either corpus file lacks is an error: it could only ever count as missed."""
    for path in source.files:
        path = Path(path)
        english, gold = (companion(path, other) for other in bucc_companions(path))
        sentences, english_sentences = _id_sentences(path), _id_sentences(english)
        partners: dict[str, list[str]] = {}
        for number, line in numbered_lines(gold):
            pair = line.strip().split("\t")
            if len(pair) != 2:
                raise XltBenchError(f"{gold}:{number}: expected '<source-id><TAB><english-id>'")
            for sentence_id, corpus in zip(pair, (sentences, english_sentences)):
                if sentence_id not in corpus:
                    named = path if corpus is sentences else english
                    raise XltBenchError(f"{gold}:{number}: sentence id {sentence_id!r} is not in {named}")
            partners.setdefault(pair[0], []).append(pair[1])
        sides = (
            [{"id": i, "text": s, "side": "source", "gold": partners.get(i, [])} for i, s in sentences.items()],
            [{"id": i, "text": s, "side": "english", "gold": []} for i, s in english_sentences.items()],
        )
        for source_row, english_row in zip_longest(*sides):
            yield from (row for row in (source_row, english_row) if row is not None)
