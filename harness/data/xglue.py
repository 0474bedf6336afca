"""XGLUE's original on-disk formats (the `xglue_full_dataset` archive), read line for line as the official scorer.

The official scorer (`evaluation/xglue_evaluate.py`) matches a prediction file to the gold file line by line, so
every reader yields exactly one example per data line (one per sentence for NER and POS), in file order. Nothing
is dropped, merged or reordered. A line that does not fit is an error naming the file and line, because a silent
skip would shift every later prediction (pitfall X7).

- NER, POS `<TASK>/<lang>.<split>`: a `word label` line per token, a blank line between sentences. The scorer
  splits lines on whitespace; the word is the first field and the label the last. `-DOCSTART-` lines are skipped
  and close a sentence, as in the scorer.
- NC, QADSM, WPR, QAM `<TASK>/xglue.<task>.<lang>.<split>`, XNLI `XNLI/<lang>.<split>`, PAWS-X
  `PAWSX/<lang>/<split>_2k.tsv`: tab-separated rows, tabs only, with no CSV quoting. Only PAWS-X has a header
  line. Labels are kept raw: XNLI's "contradictory" (X8), QADSM's Good/Bad, WPR's 0-4. WPR rows form queries by
  consecutive identical query text, the grouping the scorer's nDCG uses (X3). A blank line before more data is an
  error; trailing blank lines are not.
- QG, NTG `<TASK>/xglue.<task>.<lang>.src.<split>` with its sibling `.tgt.<split>`: line i of one file pairs with
  line i of the other. The target is the last tab column of its line, stripped, as the scorer reads it.
- MLQA `MLQA/MLQA_V1/<split>/<split>-context-<lang>-question-<lang>.json` is SQuAD JSON, read by `squad-json`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from itertools import count
from pathlib import Path

from xlt_bench.data.formats import companion
from xlt_bench.data.text_files import tagged_sentences
from xlt_bench.errors import XltBenchError
from xlt_bench.files import numbered_lines


def _word_label(path: Path, number: int, line: str) -> tuple[str, str] | None:
    if not line.strip() or line.startswith("-DOCSTART-"):
        return None
    fields = line.split()
    if len(fields) < 2:
        raise XltBenchError(f"{path}:{number}: expected '<word> <label>' (whitespace-separated), got {line[:60]!r}")
    return fields[0], fields[-1]


def read_xglue_conll(source, language: str, split: str, **_: object) -> Iterator[dict]:
    """`{"id", "tokens", "tags"}` per sentence. Ids count sentences from 0, which is how predictions are aligned."""
    sentences = (sentence for path in source.files for sentence in tagged_sentences(path, partial(_word_label, path)))
    for index, sentence in enumerate(sentences):
        yield {**sentence, "id": str(index)}


def _data_lines(path: Path, expected: str) -> Iterator[tuple[int, str]]:
    """(line number, line) per non-blank line; a blank line before more data is an error, trailing ones are not."""
    blank = 0
    for number, line in numbered_lines(path):
        if not line.strip():
            blank = blank or number
            continue
        if blank:
            raise XltBenchError(f"{path}:{blank}: blank line before more data; expected {expected}")
        yield number, line


def read_xglue_tsv(
    source,
    language: str,
    split: str,
    columns: Sequence[str],
    header: bool = False,
    query_groups: bool = False,
    **_: object,
) -> Iterator[dict]:
    """One example per data row: `{"id", <columns>..., ["group"]}` with every value stripped.

    `columns` names the example field of each tab column ("" ignores the column). Columns that share a name are
    joined with one space, leaving out empty values. `header` skips the first line. `query_groups` adds WPR's
    query `group`, which changes whenever the first column differs from the previous row's. `id` is the 0-based
    data line number.
    """
    names = ", ".join(name or "-" for name in columns)
    expected = f"{len(columns)} tab-separated columns ({names})"
    index = count()
    group = -1
    for path in source.files:
        previous = None  # a new file starts a new query
        rows = _data_lines(path, expected)
        if header:
            next(rows, None)
        for number, line in rows:
            items = line.split("\t")
            if len(items) != len(columns):
                raise XltBenchError(f"{path}:{number}: expected {expected}, got {len(items)}")
            fields: dict[str, list[str]] = {}
            for name, value in zip(columns, items):
                if name:
                    fields.setdefault(name, []).append(value.strip())
            example = {"id": str(next(index))}
            example.update({name: " ".join(value for value in values if value) for name, values in fields.items()})
            if query_groups:
                if items[0] != previous:
                    group, previous = group + 1, items[0]
                example["group"] = str(group)
            yield example


def seq2seq_companions(path: Path) -> list[Path]:
    """The target file `xglue.<task>.<lang>.tgt.<split>` of a `.src.` file (none for any other name)."""
    return [path.with_name(path.name.replace(".src.", ".tgt.", 1))] if ".src." in path.name else []


def _target_file(path: Path) -> Path:
    if ".src." not in path.name:
        raise XltBenchError(f"{path}: expected a source file named xglue.<task>.<lang>.src.<split>")
    return companion(path, seq2seq_companions(path)[0], "target file")


def read_xglue_seq2seq(source, language: str, split: str, **_: object) -> Iterator[dict]:
    """`{"id", "source", "target"}` per line pair of a `.src.` file and its `.tgt.` sibling."""
    index = count()
    for path in source.files:
        path = Path(path)
        target_path = _target_file(path)
        sources = [line.strip() for _, line in _data_lines(path, "one source text per line")]
        targets = [line.split("\t")[-1].strip() for _, line in _data_lines(target_path, "one target text per line")]
        if len(sources) != len(targets):
            raise XltBenchError(
                f"{path}: {len(sources)} source lines but {len(targets)} target lines in {target_path}; "
                "expected line-aligned files"
            )
        for text, target in zip(sources, targets):
            yield {"id": str(next(index)), "source": text, "target": target}
