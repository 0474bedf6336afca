"""AfriQA gold passages `gold_span_passages.afriqa.<lang>.<pivot>.<split>.json` as extractive QA ("AfriQA-GoldP").

Despite the extension the files are JSON Lines; Python's `json` reads them, including the bare `NaN` (invalid strict
JSON) of one `answer_lang` in ibo dev, a field not used here. Rows are shaped as `squad-json` rows: the question in
the African language (`question_lang`, or `question_translated` with `question_field`), the pivot-language
(English or French) Wikipedia passage, and the pivot-language gold answers (`answer_pivot`), with `id` always a
string. The queries files are not read: their questions are the same and their answers are stringified Python
lists that do not always parse.

The release is messy, so no record is dropped silently: records that cannot be scored are yielded with a short
`skip_reason` (counted and reported by `drop_skipped`) and an id naming their file and line: "invalid JSON line",
"no id", "duplicate id" (the first record with an id is kept), "no context" (null or blank), "no question",
"no answer" (no non-empty answer text). Offsets are passed on as released and never checked or repaired, because
scoring compares answer texts only: `answer_start` is -1 for answers that are not spans of the passage (mostly
"yes"/"no") and some offsets are off by a character or a letter case. Such records stay in the scored set, as in
the official gold-passage evaluation (`train_extractive.py` compares predicted texts with the `answer_pivot` texts);
an extractive model cannot produce an answer the passage does not contain, so they cap the attainable exact match.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path
from typing import Any

from xlt_bench.data.loading import SKIP_COLUMN
from xlt_bench.errors import XltBenchError
from xlt_bench.files import numbered_lines, too_deep

QUESTION_FIELDS = ("question_lang", "question_translated")


def _answers(answer_pivot: Any) -> dict[str, list] | None:
    """The non-empty gold answer texts with their released offsets (-1 where the release gives none)."""
    if not isinstance(answer_pivot, dict) or not isinstance(answer_pivot.get("text"), list):
        return None
    starts = answer_pivot.get("answer_start")
    pairs = [
        (text, start if isinstance(start, int) else -1)
        for text, start in zip_longest(answer_pivot["text"], starts if isinstance(starts, list) else [], fillvalue=-1)
        if isinstance(text, str) and text.strip()
    ]
    if not pairs:
        return None
    return {"text": [text for text, _ in pairs], "answer_start": [start for _, start in pairs]}


def _example(line: str, question_field: str, seen: set[str]) -> dict | str:
    """The row of one JSON line, or the reason it cannot be scored."""
    if too_deep(line):
        return "invalid JSON line (nested too deeply)"
    try:
        record = json.loads(line)
    except ValueError:
        return "invalid JSON line"
    if not isinstance(record, dict):
        return "invalid JSON line"
    if record.get("id") is None or str(record["id"]) == "":
        return "no id"
    qid = str(record["id"])
    if qid in seen:
        return "duplicate id"
    seen.add(qid)
    context, question = record.get("context"), record.get(question_field)
    if not isinstance(context, str) or not context.strip():
        return "no context"
    if not isinstance(question, str) or not question.strip():
        return "no question"
    answers = _answers(record.get("answer_pivot"))
    if answers is None:
        return "no answer"
    return {"id": qid, "context": context, "question": question, "answers": answers}


def read_afriqa_gold_passages(
    source, language: str, split: str, question_field: str = "question_lang", **_: object
) -> Iterator[dict]:
    if question_field not in QUESTION_FIELDS:
        raise XltBenchError(
            f"afriqa-gold-passages parameter question_field must be one of {', '.join(QUESTION_FIELDS)}, "
            f"not {question_field!r}"
        )
    seen: set[str] = set()
    for path in source.files:
        for number, line in numbered_lines(path):
            if not line.strip():
                continue
            row = _example(line, question_field, seen)
            if isinstance(row, str):
                placeholders = {"context": "", "question": "", "answers": {"text": [], "answer_start": []}}
                yield {"id": f"{Path(path).name}:{number}", **placeholders, SKIP_COLUMN: row}
            else:
                yield {**row, SKIP_COLUMN: ""}
