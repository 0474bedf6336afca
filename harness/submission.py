"""Submission file formats: how gold labels and predictions of one (task, language) are read, written, checked.

Where the files sit is the task's (`Task.submission`; XTREME's layout `<task>/test-<lang>.<ext>` by default, used
for label folders, for the predictions `eval` writes, and by the mock folders of google-research/xtreme). Readers
follow `evaluate.py` exactly (stripped lines; blank-line-separated tag sentences; SQuAD JSON gold with `{id:
answer}` predictions; tab-separated id pairs) so that scores are identical. Each format also checks that a
prediction file lines up with its gold file and raises a one-line `XltBenchError` naming both files when it does
not. The XGLUE formats (extension `prediction`) read the official archive's gold files as XGLUE's
`evaluation/xglue_evaluate.py` does.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.files import json_lines, read_json, read_text, write_atomic


def _raw_lines(path: Path) -> list[str]:
    """Lines without their newline, exactly as iterating the file yields them (columns are split before stripping)."""
    lines = read_text(path).split("\n")  # universal newlines, like evaluate.py's open()
    if lines[-1] == "":
        lines.pop()
    return lines


def _lines(path: Path) -> list[str]:
    """Stripped lines, exactly as iterating the file and calling `strip()` on each line."""
    return [line.strip() for line in _raw_lines(path)]


def _mismatch(gold_path: Path, pred_path: Path, what: str) -> XltBenchError:
    return XltBenchError(f"{pred_path} does not line up with {gold_path}: {what}")


# -- one label per line (xnli, pawsx, tatoeba) ---------------------------------------------------------------


def _check_lines(gold: list[str], predictions: list[str], gold_path: Path, pred_path: Path) -> list[str]:
    if not gold:
        raise XltBenchError(f"{gold_path}: no labels")
    if len(predictions) != len(gold):
        raise _mismatch(gold_path, pred_path, f"{len(predictions)} lines, expected {len(gold)}")
    return []


def _write_lines(path: Path, predictions: list[str]) -> None:
    write_atomic(path, "".join(f"{label}\n" for label in predictions))


# -- one JSON object per line holding the chosen alternative's index as "label" (xcopa) ---------------------------


def read_choices(path: Path) -> list[str]:
    """The `label` of every JSON line (XCOPA's record shape; a bare integer line is accepted too), as strings.

    The label must be a JSON integer, as the official scorer compares the raw JSON values (`"1" != 1`): a string,
    float, boolean or null label is an error naming the file and line, not a silent match or miss.
    """
    labels = []
    for number, record in json_lines(path):
        missing = isinstance(record, dict) and "label" not in record
        label = record.get("label") if isinstance(record, dict) else record
        if type(label) is not int:  # bool is an int subclass: excluded too
            got = "" if missing else f", got {_shown(label)}"
            raise XltBenchError(f'{path}:{number}: expected an object with an integer "label" (the chosen index){got}')
        labels.append(str(label))
    return labels


def _shown(value: Any, limit: int = 40) -> str:
    """`value` as one line of JSON, cut to about `limit` characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _write_choices(path: Path, labels: list[str]) -> None:
    """`{"idx": i, "label": index}` lines; every label must be an integer, written as a JSON integer."""
    for i, label in enumerate(labels):
        if not re.fullmatch(r"-?[0-9]+", label):
            raise XltBenchError(f"{path}: choice {i + 1} is {label!r}, not the index of a choice")
    records = ({"idx": i, "label": int(label)} for i, label in enumerate(labels))
    write_atomic(path, "".join(json.dumps(record) + "\n" for record in records))


# -- one tag per line, blank line between sentences (udpos, panx) ------------------------------------------------


def read_tag_sentences(path: Path) -> list[list[str]]:
    """Sentences of tags, as `evaluate.py::read_tag` (every blank line closes a sentence, even an empty one)."""
    sentences: list[list[str]] = []
    sentence: list[str] = []
    for line in _lines(path):
        if line:
            sentence.append(line)
        else:
            sentences.append(sentence)
            sentence = []
    if sentence:
        sentences.append(sentence)
    return sentences


def _check_tags(
    gold: list[list[str]], predictions: list[list[str]], gold_path: Path, pred_path: Path, *, pad: bool = False
) -> list[str]:
    """Sentence by sentence, the same number of tags; with `pad` (XGLUE) a shorter prediction is only a warning."""
    if not gold:
        raise XltBenchError(f"{gold_path}: no sentences")
    if len(predictions) != len(gold):
        raise _mismatch(gold_path, pred_path, f"{len(predictions)} sentences, expected {len(gold)}")
    short = []
    for number, (predicted, expected) in enumerate(zip(predictions, gold), start=1):
        if len(predicted) < len(expected) and pad:
            short.append(number)
        elif len(predicted) != len(expected):
            raise _mismatch(
                gold_path, pred_path, f"sentence {number} has {len(predicted)} tags, expected {len(expected)}"
            )
    if short:
        return [
            f"{pred_path}: {len(short)} of {len(gold)} sentences have fewer tags than in {gold_path} (first: sentence"
            f" {short[0]}); they are padded with O (official rule)"
        ]
    return []


def _write_tags(path: Path, predictions: list[list[str]]) -> None:
    write_atomic(path, "".join("".join(f"{tag}\n" for tag in sentence) + "\n" for sentence in predictions))


# -- SQuAD JSON gold, {id: answer} predictions (xquad, mlqa, tydiqa) ---------------------------------------------


def read_squad_gold(path: Path) -> list[dict[str, Any]]:
    """The `data` list of a SQuAD-format file (or the whole file when it is already that list)."""
    document = read_json(path)
    data = document["data"] if isinstance(document, dict) and "data" in document else document
    try:
        for article in data:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    if "id" not in qa or not isinstance(qa.get("answers"), list):
                        raise KeyError("id/answers")
    except (KeyError, TypeError):
        raise XltBenchError(
            f"{path}: not SQuAD JSON (expected data[].paragraphs[].qas[] with id and answers)"
        ) from None
    return data


def read_answers(path: Path) -> dict[str, str]:
    """A `{question id: answer text}` prediction file."""
    answers = read_json(path)
    if not isinstance(answers, dict):
        raise XltBenchError(f"{path}: expected a JSON object mapping question ids to answer strings")
    for qid, answer in answers.items():
        if not isinstance(answer, str):
            raise XltBenchError(f"{path}: the answer for id {qid!r} is {type(answer).__name__}, expected a string")
    return answers


def _check_answers(
    gold: list[dict[str, Any]], predictions: dict[str, str], gold_path: Path, pred_path: Path
) -> list[str]:
    ids = {qa["id"] for article in gold for paragraph in article["paragraphs"] for qa in paragraph["qas"]}
    return _check_keyed(ids, predictions, gold_path, pred_path, "questions", "unanswered")


def _check_keyed(
    ids: Collection[str], predictions: Mapping[str, Any], gold_path: Path, pred_path: Path, items: str, absent: str
) -> list[str]:
    """Predictions keyed by gold id (QA answers, rankings): an unknown id is an error, a missing one scores 0."""
    if not ids:
        raise XltBenchError(f"{gold_path}: no {items}")
    unknown = [key for key in predictions if key not in ids]
    if unknown:
        raise _mismatch(gold_path, pred_path, f"{len(unknown)} ids not in the gold file, e.g. {unknown[0]!r}")
    missing = len(ids) - len(predictions)
    if missing:
        return [f"{pred_path}: {missing} of {len(ids)} {items} {absent}; they score 0 (official rule)"]
    return []


def _write_answers(path: Path, predictions: dict[str, str]) -> None:
    write_atomic(path, json.dumps(predictions, ensure_ascii=False, indent=1) + "\n")


def _write_squad_gold(path: Path, data: list[dict[str, Any]]) -> None:
    write_atomic(path, json.dumps({"data": data, "version": "1.1"}, ensure_ascii=False) + "\n")


# -- tab-separated id pairs (bucc2018) --------------------------------------------------------------------------


def read_id_pairs(path: Path) -> list[tuple[str, ...]]:
    """`source-id<TAB>english-id` lines as tuples (blank lines ignored)."""
    pairs = []
    for number, line in enumerate(_lines(path), start=1):
        if not line:
            continue
        pair = tuple(line.split("\t"))
        if len(pair) != 2:
            raise XltBenchError(f"{path}:{number}: expected 'source-id<TAB>english-id', got {line[:60]!r}")
        pairs.append(pair)
    return pairs


def _check_pairs(gold: list, predictions: list, gold_path: Path, pred_path: Path) -> list[str]:
    if not gold:
        raise XltBenchError(f"{gold_path}: no gold pairs")
    return []


def _write_pairs(path: Path, predictions: list[tuple[str, str]]) -> None:
    write_atomic(path, "".join(f"{source}\t{target}\n" for source, target in predictions))


# -- {query id: [ids]} JSON: relevant ids (gold), ranked ids (predictions) (mewslix, lareqa) ----------------------


def read_ranked_ids(path: Path) -> dict[str, list[str]]:
    """A `{query id: [id, ...]}` file, as XTREME-R's Mewsli-X labels (`[QID]`) and predictions (ranked QIDs)."""
    document = read_json(path)
    if not isinstance(document, dict):
        raise XltBenchError(f"{path}: expected a JSON object mapping query ids to lists of ids")
    for query, ids in document.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise XltBenchError(f"{path}: the value for id {query!r} is not a list of id strings")
    return document


def _check_ranked(
    gold: dict[str, list[str]], predictions: dict[str, list[str]], gold_path: Path, pred_path: Path
) -> list[str]:
    return _check_keyed(gold, predictions, gold_path, pred_path, "queries", "have no prediction")


def _write_ranked(path: Path, ranked: dict[str, list[str]]) -> None:
    write_atomic(path, json.dumps(ranked, ensure_ascii=False) + "\n")


# -- XGLUE (`evaluation/xglue_evaluate.py`): one `{TASK}/{lang}.prediction` line per gold line or tag ------------


def _last_column(line: str) -> str:
    return line.split("\t")[-1].strip()


def _one_line(text: str) -> str:
    """`text` with tabs and line breaks made spaces, so that it stays one line and one column when read back."""
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _number(path: Path, number: int, text: str, what: str) -> None:
    """Accept `text` only as a finite float: the official scorer parses it with `float` (sklearn rejects nan, inf)."""
    try:
        if math.isfinite(float(text)):
            return
    except ValueError:
        pass
    raise XltBenchError(f"{path}:{number}: expected a number ({what}), got {text[:40]!r}")


# -- XGLUE tags: gold `word label` lines, predictions one tag per line, blank lines between sentences (NER, POS) --


def _xglue_sentences(path: Path, tag: Callable[[str], str]) -> list[list[str]]:
    """Sentences of `tag(line)`; an empty tag (blank line) closes the current sentence when it has tags."""
    sentences: list[list[str]] = []
    sentence: list[str] = []
    for line in _raw_lines(path):
        value = tag(line)
        if value:
            sentence.append(value)
        elif sentence:
            sentences.append(sentence)
            sentence = []
    if sentence:
        sentences.append(sentence)
    return sentences


def _gold_tag(line: str) -> str:
    """The last whitespace-separated field, or "" for a blank or `-DOCSTART-` line (both close a sentence)."""
    fields = line.split()
    return fields[-1] if fields and not line.startswith("-DOCSTART-") else ""


def read_xglue_tag_gold(path: Path) -> list[list[str]]:
    """The tag (last field) of each `word label` line, in sentences closed by blank and `-DOCSTART-` lines."""
    return _xglue_sentences(path, _gold_tag)


def read_xglue_tag_predictions(path: Path) -> list[list[str]]:
    """Stripped tags in sentences closed by blank lines; extra blank lines are ignored.

    (The official loader turns a blank line that follows another one into an empty tag, which then makes seqeval
    fail: such a file has no official score, and we read it as the sentences it plainly holds.)
    """
    return _xglue_sentences(path, str.strip)


# -- XGLUE labels: the last tab column of every gold line (NC, XNLI, PAWS-X, QADSM, QAM) --------------------------


def read_xglue_labels(path: Path) -> list[str]:
    """The last tab column of every non-blank line, skipping a first line whose last column is `label` (PAWS-X)."""
    lines = _raw_lines(path)
    if lines and _last_column(lines[0]) == "label":
        lines = lines[1:]
    return [_last_column(line) for line in lines if line.strip()]


# -- XGLUE relevance: gold (query, label 0-4) rows, predictions one ranking score per row (WPR) -------------------


def read_relevance_gold(path: Path) -> list[tuple[str, str]]:
    """(query, label) per non-blank row: the query unstripped, as the official loader compares consecutive rows."""
    rows = []
    for number, line in enumerate(_raw_lines(path), start=1):
        if line.strip():
            label = _last_column(line)
            _number(path, number, label, "a relevance label in the last column")
            rows.append((line.split("\t")[0], label))
    return rows


def read_ranking_scores(path: Path) -> list[str]:
    """One ranking score per line (stripped), each a finite number."""
    scores = _lines(path)
    for number, score in enumerate(scores, start=1):
        _number(path, number, score, "a ranking score")
    return scores


def _write_relevance_gold(path: Path, rows: list[tuple[str, str]]) -> None:
    write_atomic(path, "".join(f"{_one_line(query)}\t{label}\n" for query, label in rows))


def _write_ranking_scores(path: Path, scores: list[Any]) -> None:
    write_atomic(path, "".join(f"{float(score)!r}\n" for score in scores))


# -- XGLUE text: one generated text per line, the gold text in the last tab column (QG, NTG) ---------------------


def read_text_gold(path: Path) -> list[str]:
    """The last tab column of every line, stripped (blank lines included: they are empty references)."""
    return [_last_column(line) for line in _raw_lines(path)]


def _write_texts(path: Path, texts: list[str]) -> None:
    write_atomic(path, "".join(f"{_one_line(text)}\n" for text in texts))


@dataclass(frozen=True)
class SubmissionFormat:
    """Reading, writing and cross-checking one kind of submission file.

    `check(gold, predictions, gold_path, pred_path)` raises `XltBenchError` when the two files do not line up and
    returns warnings (e.g. unanswered questions) otherwise.
    """

    name: str
    extension: str
    read_gold: Callable[[Path], Any]
    read_predictions: Callable[[Path], Any]
    write_gold: Callable[[Path, Any], None]
    write_predictions: Callable[[Path, Any], None]
    check: Callable[[Any, Any, Path, Path], list[str]]


LABEL_LINES = SubmissionFormat(
    name="label-lines",
    extension="tsv",
    read_gold=_lines,
    read_predictions=_lines,
    write_gold=_write_lines,
    write_predictions=_write_lines,
    check=_check_lines,
)
CHOICES = SubmissionFormat(
    name="choices",
    extension="jsonl",
    read_gold=read_choices,
    read_predictions=read_choices,
    write_gold=_write_choices,
    write_predictions=_write_choices,
    check=_check_lines,
)
TAG_SENTENCES = SubmissionFormat(
    name="tag-sentences",
    extension="tsv",
    read_gold=read_tag_sentences,
    read_predictions=read_tag_sentences,
    write_gold=_write_tags,
    write_predictions=_write_tags,
    check=_check_tags,
)
SQUAD_ANSWERS = SubmissionFormat(
    name="squad-answers",
    extension="json",
    read_gold=read_squad_gold,
    read_predictions=read_answers,
    write_gold=_write_squad_gold,
    write_predictions=_write_answers,
    check=_check_answers,
)
ID_PAIRS = SubmissionFormat(
    name="id-pairs",
    extension="tsv",
    read_gold=read_id_pairs,
    read_predictions=read_id_pairs,
    write_gold=_write_pairs,
    write_predictions=_write_pairs,
    check=_check_pairs,
)
RANKED_IDS = SubmissionFormat(
    name="ranked-ids",
    extension="json",
    read_gold=read_ranked_ids,
    read_predictions=read_ranked_ids,
    write_gold=_write_ranked,
    write_predictions=_write_ranked,
    check=_check_ranked,
)
XGLUE_TAGS = SubmissionFormat(
    name="xglue-tags",
    extension="prediction",
    read_gold=read_xglue_tag_gold,
    read_predictions=read_xglue_tag_predictions,
    write_gold=_write_tags,
    write_predictions=_write_tags,
    check=partial(_check_tags, pad=True),
)
XGLUE_LABELS = SubmissionFormat(
    name="xglue-labels",
    extension="prediction",
    read_gold=read_xglue_labels,
    read_predictions=_lines,
    write_gold=_write_lines,
    write_predictions=_write_lines,
    check=_check_lines,
)
XGLUE_RELEVANCE = SubmissionFormat(
    name="xglue-relevance",
    extension="prediction",
    read_gold=read_relevance_gold,
    read_predictions=read_ranking_scores,
    write_gold=_write_relevance_gold,
    write_predictions=_write_ranking_scores,
    check=_check_lines,
)
XGLUE_TEXT = SubmissionFormat(
    name="text-lines",
    extension="prediction",
    read_gold=read_text_gold,
    read_predictions=_lines,
    write_gold=_write_texts,
    write_predictions=_write_texts,
    check=_check_lines,
)
