"""Ranking retrieval data (XTREME-R's LAReQA and Mewsli-X): one table per language of queries and the whole pool.

Every row has `id`, `role` ("query" or "candidate"), `language`, `text` (the string the encoder sees), `relevant`
(a query's relevant candidate ids; [] for candidates) and `skip_reason`. Queries and candidates alternate, so that
`--limit N` keeps about N/2 of each; unusable records come last (so the first rows hold a non-empty `relevant` list,
from which `datasets` infers that column's type).

LAReQA (`lareqa-xquad-r`, google-research-datasets/lareqa `xquad-r/<lang>.json`: XQuAD JSON plus per paragraph
`sentence_breaks`, [start, end] character offsets into `context`), as XTREME's `third_party/utils_lareqa.py`: the
reader gets the files of all languages (named by language) and yields the questions of `<language>.json` and the
sentences of every file as ONE pool. A question's answer sentence is the sentence whose span holds `answer_start`
(a question where none does is skipped); its relevant set is the answer sentences of the same question id in all
languages (normally 11), matched by sentence text within the paragraph. A paragraph none of whose questions is
usable adds no candidates. Candidate ids are the official uids `<lang>_<paragraph number from 1>_<sentence index>`;
a candidate's text is the sentence directly followed by its paragraph, newlines removed, as `evaluate_retrieval.py`.

Mewsli-X (`mewslix`, google-research `dense_representations_for_entity_retrieval/mel/mewsli-x.md`):
`wikinews_mentions-<split>.jsonl` (one article a line, all languages: `context` {document_id, language, text,
sentence_spans [{start, end}]}, `mentions` [{example_id, entity_id, mention_span {start, end, text}}]) with its
companion `candidate_set_entities.jsonl` (entity_id, title, description, description_url, description_language,
sentence_spans). Queries are the mentions of articles in `<language>`, each relevant to its gold `entity_id`. Texts
follow `third_party/utils_mewslix.py`: a mention is "<mention>: <left> { <mention> } <right>" within the one
sentence holding it (a mention crossing sentences is skipped); an entity is its description's sentences (no title).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any

from xlt_bench.data.formats import DataUnavailable, companion
from xlt_bench.data.text_files import record_shape
from xlt_bench.errors import XltBenchError
from xlt_bench.files import json_lines
from xlt_bench.submission import read_squad_gold

MEWSLIX_CANDIDATES = "candidate_set_entities.jsonl"
_MARKED = re.compile(r"{(.*?)}")  # utils_mewslix escapes marker braces already in the text as parentheses


def ranking_row(
    row_id: str, role: str, language: str, text: str, relevant: Sequence[str] = (), skip_reason: str = ""
) -> dict[str, Any]:
    """One row of a ranking table (every row has the same columns)."""
    return {
        "id": row_id,
        "role": role,
        "language": language,
        "text": text,
        "relevant": list(relevant),
        "skip_reason": skip_reason,
    }


def _table(queries: list[dict], candidates: list[dict]) -> Iterator[dict]:
    """Usable queries and candidates alternately, then every unusable record (see the module docstring)."""
    usable = [[row for row in rows if not row["skip_reason"]] for rows in (queries, candidates)]
    for pair in zip_longest(*usable):
        yield from (row for row in pair if row is not None)
    yield from (row for row in queries + candidates if row["skip_reason"])


# -- LAReQA ---------------------------------------------------------------------------------------------------


def _without_newlines(text: str) -> str:
    return text.replace("\n", "").strip()


def read_lareqa(source, language: str, split: str, **_: object) -> Iterator[dict]:
    files = {Path(path).stem: Path(path) for path in source.files}
    if language not in files:
        raise DataUnavailable(f"no {language}.json among the XQuAD-R files {source.describe()}")
    queries: list[tuple[str, str, str]] = []  # (question id, question, skip reason) of `language`
    candidates: list[dict] = []
    answers: dict[str, list[str]] = {}  # question id -> its answer sentences' candidate ids, all languages
    for file_language, path in files.items():
        data = read_squad_gold(path)
        expected = "data[].paragraphs[] with context, sentence_breaks and qas[] with id, question, answers"
        with record_shape(str(path), "XQuAD-R JSON", expected):
            paragraphs = [paragraph for article in data for paragraph in article["paragraphs"]]
            for number, paragraph in enumerate(paragraphs, start=1):
                context, breaks = paragraph["context"], [(int(s), int(e)) for s, e in paragraph["sentence_breaks"]]
                sentences = [context[start:end] for start, end in breaks]
                ids = [f"{file_language}_{number}_{index}" for index in range(len(sentences))]
                usable = False
                for qa in paragraph["qas"]:
                    if len(qa["answers"]) != 1:
                        raise XltBenchError(f"{path}: question {qa['id']!r} has {len(qa['answers'])} answers, not 1")
                    start = int(qa["answers"][0]["answer_start"])
                    hit = next((i for i, (s, e) in enumerate(breaks) if s <= start < e), None)
                    if hit is not None:
                        usable = True
                        found = [cid for cid, sentence in zip(ids, sentences) if sentence == sentences[hit]]
                        answers.setdefault(str(qa["id"]), []).extend(found)
                    if file_language == language:
                        skip = "" if hit is not None else "answer start in no sentence (utils_lareqa skips it)"
                        queries.append((str(qa["id"]), _without_newlines(qa["question"]), skip))
                left_out = "" if usable else "no usable question in its paragraph (not in utils_lareqa's pool)"
                candidates += [
                    ranking_row(cid, "candidate", file_language, _without_newlines(sentence + context), (), left_out)
                    for cid, sentence in zip(ids, sentences)
                ]
    rows = [ranking_row(q, "query", language, text, answers[q] if not skip else (), skip) for q, text, skip in queries]
    yield from _table(rows, candidates)


# -- Mewsli-X -------------------------------------------------------------------------------------------------


def _normalized(text: str) -> str:
    """utils_mewslix's normalisation: lines joined by spaces, double spaces halved once, stripped."""
    return " ".join(text.splitlines()).replace("  ", " ").strip()


def mention_query(text: str, sentence_spans: Sequence[dict], span: dict) -> str | None:
    """utils_mewslix `preprocess_mention`: the mention, then its sentence with the mention in { } markers; None when
    no single sentence holds the mention."""
    start, end, mention = int(span["start"]), int(span["end"]), span["text"]
    bounds = ((int(s["start"]), int(s["end"])) for s in sentence_spans)
    sentence = next(((s, e) for s, e in bounds if s <= start < e and s < end <= e), None)
    if sentence is None:
        return None
    left, right = (_MARKED.sub(r"(\1)", part) for part in (text[sentence[0] : start], text[end : sentence[1]]))
    return _normalized(f"{mention}: {left} {{ {mention} }} {right}")


def _mentions(path: Path, language: str) -> Iterator[dict]:
    expected = "context with language, text, sentence_spans and mentions[] with example_id, entity_id, mention_span"
    for number, document in json_lines(path):
        with record_shape(f"{path}:{number}", "a Mewsli-X article", expected):
            context = document["context"]
            if context["language"] != language:
                continue
            text = context["text"]
            if not text:
                raise XltBenchError(
                    f"{path}:{number}: context.text is empty (the released no-text file?); restore the article "
                    "text with the official get-mewsli-x.sh"
                )
            for mention in document["mentions"]:
                span = mention["mention_span"]
                query = mention_query(text, context["sentence_spans"], span)
                if text[int(span["start"]) : int(span["end"])] != span["text"]:
                    skip = "mention text differs from context.text at its offsets"
                elif query is None:
                    skip = "mention not inside one sentence (utils_mewslix cannot mark it)"
                else:
                    skip = ""
                gold = [str(mention["entity_id"])]
                yield ranking_row(str(mention["example_id"]), "query", language, query or "", gold, skip)


def _entities(path: Path) -> Iterator[dict]:
    expected = "entity_id, description, description_language, sentence_spans"
    for number, entity in json_lines(path):
        with record_shape(f"{path}:{number}", "a Mewsli-X entity", expected):
            description = entity["description"]
            sentences = " ".join(description[int(s["start"]) : int(s["end"])] for s in entity["sentence_spans"])
            language = entity["description_language"]
            yield ranking_row(str(entity["entity_id"]), "candidate", language, _normalized(sentences))


def mewslix_companions(path: Path) -> list[Path]:
    """The entity descriptions `candidate_set_entities.jsonl` beside a mentions file."""
    return [path.with_name(MEWSLIX_CANDIDATES)]


def read_mewslix(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:
        path = Path(path)
        entities = companion(path, *mewslix_companions(path))
        yield from _table(list(_mentions(path, language)), list(_entities(entities)))
