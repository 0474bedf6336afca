"""SQuAD v1.1-format JSON (XQuAD, MLQA, TyDiQA-GoldP, SQuAD): one example per question, contexts untouched.

Contexts are passed on byte for byte (XQuAD has BOMs and leading spaces inside them, and gold `answer_start`
offsets count them). `id_prefix` keeps only questions whose id starts with it: TyDiQA-GoldP's combined dev file
holds all languages, with the language name as id prefix (`arabic-...`).
"""

from __future__ import annotations

from collections.abc import Iterator

from xlt_bench.data.text_files import record_shape
from xlt_bench.submission import read_squad_gold

SQUAD_SHAPE = "data[].paragraphs[] with context and qas[] with id, question, answers"


def read_squad_json(source, language: str, split: str, id_prefix: str | None = None, **_: object) -> Iterator[dict]:
    for path in source.files:
        data = read_squad_gold(path)
        with record_shape(str(path), "SQuAD JSON", SQUAD_SHAPE):
            for article in data:
                for paragraph in article["paragraphs"]:
                    context = paragraph["context"]
                    for qa in paragraph["qas"]:
                        if id_prefix and not str(qa["id"]).startswith(id_prefix):
                            continue
                        yield {
                            "id": str(qa["id"]),
                            "context": context,
                            "question": qa["question"],
                            "answers": {
                                "text": [answer["text"] for answer in qa["answers"]],
                                "answer_start": [int(answer["answer_start"]) for answer in qa["answers"]],
                            },
                        }
