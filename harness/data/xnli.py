"""XNLI-1.0 `xnli.{dev,test}.tsv`: one file for all 15 languages, read as XTREME's `xnli_preprocess` does.

Header row, then plain tab-split rows (no CSV quoting); columns `language`, `gold_label`, `sentence1`,
`sentence2`; MNLI's `contradictory` is mapped to `contradiction`; rows of other languages are skipped. Ids are
`<file name>:<line>`, so an error about an example (e.g. a gold label outside the task's) names its line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from xlt_bench.data.text_files import headed_tsv_rows


def read_xnli_tsv(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        for number, row in headed_tsv_rows(path, ("language", "gold_label", "sentence1", "sentence2")):
            if row["language"] != language:
                continue
            label = "contradiction" if row["gold_label"] == "contradictory" else row["gold_label"]
            yield {
                "id": f"{Path(path).name}:{number}",
                "text": row["sentence1"],
                "text_pair": row["sentence2"],
                "label": label,
            }
