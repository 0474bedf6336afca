"""XNLI-1.0 `xnli.{dev,test}.tsv`: one file for all 15 languages, read as XTREME's `xnli_preprocess` does.

Header row, then plain tab-split rows (no CSV quoting); columns `language`, `gold_label`, `sentence1`,
`sentence2`; MNLI's `contradictory` is mapped to `contradiction`; rows of other languages are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from xlt_bench.data.text_files import numbered_lines, tsv_header
from xlt_bench.errors import XltBenchError

_COLUMNS = ("language", "gold_label", "sentence1", "sentence2")


def read_xnli_tsv(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        columns: dict[str, int] = {}
        for number, line in numbered_lines(path):
            if number == 1:
                columns = tsv_header(path, line, _COLUMNS)
                continue
            items = line.strip().split("\t")
            if len(items) <= max(columns.values()):
                raise XltBenchError(f"{path}:{number}: expected at least {max(columns.values()) + 1} columns")
            if items[columns["language"]].strip() != language:
                continue
            label = items[columns["gold_label"]].strip()
            yield {
                "id": f"{language}-{number}",
                "text": items[columns["sentence1"]].strip(),
                "text_pair": items[columns["sentence2"]].strip(),
                "label": "contradiction" if label == "contradictory" else label,
            }
