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

from xlt_bench.data.text_files import numbered_lines
from xlt_bench.errors import XltBenchError


def _sibling(path: Path, suffix: str) -> Path:
    sibling = path.with_name(f"{path.name.rsplit('.', 1)[0]}.{suffix}")
    if not sibling.is_file():
        raise XltBenchError(f"{path}: its companion file {sibling.name} is missing")
    return sibling


def read_tatoeba(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        foreign = [line.strip() for _, line in numbered_lines(path)]
        english = [line.strip() for _, line in numbered_lines(_sibling(Path(path), "eng"))]
        if len(foreign) != len(english):
            raise XltBenchError(f"{path}: {len(foreign)} lines, {len(english)} on the English side; expected aligned")
        for index, (text, text_pair) in enumerate(zip(foreign, english)):
            yield {"id": str(index), "text": text, "text_pair": text_pair}


def _id_sentences(path: Path) -> list[tuple[str, str]]:
    rows = []
    for number, line in numbered_lines(path):
        sentence_id, tab, sentence = line.partition("\t")
        if not tab:
            raise XltBenchError(f"{path}:{number}: expected '<id><TAB><sentence>'")
        rows.append((sentence_id.strip(), sentence.strip()))
    return rows


def read_bucc(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        path = Path(path)
        partners: dict[str, list[str]] = {}
        gold = _sibling(path, "gold")
        for number, line in numbered_lines(gold):
            pair = line.strip().split("\t")
            if len(pair) != 2:
                raise XltBenchError(f"{gold}:{number}: expected '<source-id><TAB><english-id>'")
            partners.setdefault(pair[0], []).append(pair[1])
        sides = (
            [{"id": i, "text": s, "side": "source", "gold": partners.get(i, [])} for i, s in _id_sentences(path)],
            [{"id": i, "text": s, "side": "english", "gold": []} for i, s in _id_sentences(_sibling(path, "en"))],
        )
        for source_row, english_row in zip_longest(*sides):
            yield from (row for row in (source_row, english_row) if row is not None)
