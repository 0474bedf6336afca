"""XCOPA as released (cambridgeltl/xcopa `data/<lang>/{val,test}.<lang>.jsonl`): JSON Lines with CRLF endings.

Fields premise, choice1, choice2, question ("cause" | "effect"), label (0 | 1), idx. Only the original files
are read: XTREME-R's processed `test-<lang>.jsonl` copies have every test label set to 0, which would score
silently wrong, so they are not a data source here.

The format fixes the gold inventory, so a record outside it is an error naming the file and line: `label` must be
the JSON integer 0 or 1 (not "1", not true) and `question` "cause" or "effect" (the runner words the question from
it; anything else would silently fall back to the raw text).
"""

from __future__ import annotations

from collections.abc import Iterator

from xlt_bench.data.text_files import record_shape
from xlt_bench.errors import XltBenchError
from xlt_bench.files import json_lines

QUESTIONS = ("cause", "effect")


def read_xcopa(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        for number, record in json_lines(path):  # json.loads ignores the trailing \r of the CRLF files
            with record_shape(f"{path}:{number}", "an XCOPA record"):
                example = {
                    "id": str(record["idx"]),
                    "context": record["premise"],
                    "question": record["question"],
                    "choices": [record["choice1"], record["choice2"]],
                    "label": record["label"],
                }
            if type(example["label"]) is not int or example["label"] not in (0, 1):  # bool is an int: exclude it
                raise XltBenchError(f"{path}:{number}: label {example['label']!r}; expected the integer 0 or 1")
            if example["question"] not in QUESTIONS:
                raise XltBenchError(f"{path}:{number}: question {example['question']!r}; expected 'cause' or 'effect'")
            yield {**example, "label": str(example["label"])}
