"""PAWS-X `x-final/<lang>/{dev_2k,test_2k}.tsv`, read as XTREME's `pawsx_preprocess` does.

Header `id sentence1 sentence2 label`, then plain tab-split rows. Plain splitting matters: the Hugging Face
copy parses with CSV quoting and loses rows (e.g. 1,961 instead of 2,000), so its counts never match the labels.
"""

from __future__ import annotations

from collections.abc import Iterator

from xlt_bench.data.text_files import headed_tsv_rows


def read_pawsx_tsv(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        for _, row in headed_tsv_rows(path, ("id", "sentence1", "sentence2", "label")):
            yield {"id": row["id"], "text": row["sentence1"], "text_pair": row["sentence2"], "label": row["label"]}
