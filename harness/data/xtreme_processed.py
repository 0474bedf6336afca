"""XTREME's processed `download/` layout (`<task>/{dev,test}-<lang>.tsv`), as its download script writes it.

Pair tasks (xnli, pawsx): headerless rows `sentence1<TAB>sentence2<TAB>label`. Tagging tasks (udpos, panx):
`word<TAB>tag` lines with a blank line between sentences. Some versions of the download script strip the test
labels; such files cannot be scored, and the error says to use the original release instead. Ids are
`<file name>:<line>` (of the row, or of a sentence's first word), so errors about an example name its line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from xlt_bench.data.formats import DataUnavailable
from xlt_bench.data.text_files import tagged_sentences
from xlt_bench.files import numbered_lines

_NO_LABELS = (
    "has no {what} column (XTREME's download script strips test labels); point --data-dir at the original release"
)


def read_processed_pairs(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        for number, line in numbered_lines(path):
            items = line.split("\t")
            if len(items) != 3:
                raise DataUnavailable(f"{path}:{number}: " + _NO_LABELS.format(what="label"))
            yield {
                "id": f"{Path(path).name}:{number}",
                "text": items[0],
                "text_pair": items[1],
                "label": items[2].strip(),
            }


def read_processed_tags(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:

        def parse(number: int, line: str, path: Path = path) -> tuple[str, str] | None:
            if not line.strip():
                return None
            items = line.split("\t")
            if len(items) != 2:
                raise DataUnavailable(f"{path}:{number}: " + _NO_LABELS.format(what="word<TAB>tag"))
            return items[0], items[1].strip()

        yield from tagged_sentences(path, parse)
