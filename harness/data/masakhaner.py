"""MasakhaNER 2.0 `MasakhaNER2.0/data/<lang>/{train,dev,test}.txt`: `token TAG` lines, a blank line between sentences.

Exactly one space separates token and tag; there are no other columns and no `-DOCSTART-` lines. The official
`code/utils_ner.py` splits on " " and keeps the first and last items, so a stray space there silently loses a word;
here a line that is not exactly two non-empty space-separated fields is an error naming the file and line. Tokens
are passed on untouched (M7: Yoruba, Ewe, Fon diacritics must reach the tokenizer).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from xlt_bench.data.text_files import tagged_sentences
from xlt_bench.errors import XltBenchError


def read_masakhaner(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:

        def parse(number: int, line: str, path: Path = path) -> tuple[str, str] | None:
            text = line.strip()
            if not text:
                return None
            items = text.split(" ")
            if len(items) != 2 or not all(items):
                raise XltBenchError(f"{path}:{number}: expected '<token> <TAG>' (one space), got {line[:60]!r}")
            return items[0], items[1]

        yield from tagged_sentences(path, parse)
