"""PAWS-X `x-final/<lang>/{dev_2k,test_2k}.tsv`, read as XTREME's `pawsx_preprocess` does.

Header `id sentence1 sentence2 label`, then plain tab-split rows. Plain splitting matters: the Hugging Face
copy parses with CSV quoting and loses rows (e.g. 1,961 instead of 2,000), so its counts never match the labels.
"""

from __future__ import annotations

from collections.abc import Iterator

from xlt_bench.data.text_files import numbered_lines, tsv_header
from xlt_bench.errors import XltBenchError

_COLUMNS = ("id", "sentence1", "sentence2", "label")


def read_pawsx_tsv(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        columns: dict[str, int] = {}
        for number, line in numbered_lines(path):
            if number == 1:
                columns = tsv_header(path, line, _COLUMNS)
                continue
            items = line.strip().split("\t")
            if len(items) <= max(columns.values()):
                raise XltBenchError(f"{path}:{number}: expected 4 tab-separated columns, found {len(items)}")
            yield {
                "id": items[columns["id"]],
                "text": items[columns["sentence1"]].strip(),
                "text_pair": items[columns["sentence2"]].strip(),
                "label": items[columns["label"]].strip(),
            }
