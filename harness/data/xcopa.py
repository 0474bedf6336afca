"""XCOPA as released (cambridgeltl/xcopa `data/<lang>/{val,test}.<lang>.jsonl`): JSON Lines with CRLF endings.

Fields premise, choice1, choice2, question ("cause" | "effect"), label (0 | 1), idx. Only the original files
are read: XTREME-R's processed `test-<lang>.jsonl` copies have every test label set to 0, which would score
silently wrong, so they are not a data source here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from xlt_bench.data.text_files import numbered_lines
from xlt_bench.errors import XltBenchError


def read_xcopa(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        for number, line in numbered_lines(path):
            if not line.strip():
                continue
            try:
                record = json.loads(line)  # json.loads ignores the trailing \r of the CRLF files
                yield {
                    "id": str(record["idx"]),
                    "context": record["premise"],
                    "question": record["question"],
                    "choices": [record["choice1"], record["choice2"]],
                    "label": str(record["label"]),
                }
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise XltBenchError(f"{path}:{number}: not an XCOPA record ({type(error).__name__}: {error})") from None
