"""Parsing shared by the text-file readers: TSV headers and rows, blank-line-separated tag sentences, records of
the wrong shape.

Lines come from `xlt_bench.files.numbered_lines` (UTF-8, universal newlines), so files that cannot be read (not
UTF-8, missing, a folder, no permission) are one-line errors and parse errors name the file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from xlt_bench.errors import XltBenchError
from xlt_bench.files import numbered_lines


@contextmanager
def record_shape(where: str, what: str, expected: str = "") -> Iterator[None]:
    """Parse a record inside this block: a missing field or a value of the wrong type (KeyError, TypeError,
    ValueError) is one line, `<where>: not <what> (<error>; expected <expected>)`, never a traceback."""
    try:
        yield
    except (KeyError, TypeError, ValueError) as error:
        detail = f"{type(error).__name__}: {error}" + (f"; expected {expected}" if expected else "")
        raise XltBenchError(f"{where}: not {what} ({detail})") from None


def tsv_header(path: Path, line: str, required: tuple[str, ...]) -> dict[str, int]:
    """Column positions of `required` names in a header line, or an error naming the missing ones."""
    names = [name.strip() for name in line.split("\t")]
    missing = [name for name in required if name not in names]
    if missing:
        raise XltBenchError(
            f"{path}:1: expected a header with columns {', '.join(required)}; missing {', '.join(missing)}"
        )
    return {name: names.index(name) for name in required}


def headed_tsv_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: stripped value}) per row of a TSV with a header line; tabs only, no CSV quoting."""
    columns: dict[str, int] = {}
    for number, line in numbered_lines(path):
        if number == 1:
            columns = tsv_header(path, line, required)
            continue
        items = line.strip().split("\t")
        if len(items) <= max(columns.values()):
            raise XltBenchError(f"{path}:{number}: expected at least {max(columns.values()) + 1} tab-separated columns")
        yield number, {name: items[index].strip() for name, index in columns.items()}


def tagged_sentences(path: Path, parse_line: Callable[[int, str], tuple[str, str] | None]) -> Iterator[dict]:
    """`{"id", "tokens", "tags"}` per sentence; `parse_line` returns (token, tag), or None where a sentence ends."""
    tokens: list[str] = []
    tags: list[str] = []
    start = 1
    for number, line in numbered_lines(path):
        parsed = parse_line(number, line)
        if parsed is not None:
            tokens.append(parsed[0])
            tags.append(parsed[1])
            continue
        if tokens:
            yield {"id": f"{Path(path).name}:{start}", "tokens": tokens, "tags": tags}
        tokens, tags, start = [], [], number + 1
    if tokens:
        yield {"id": f"{Path(path).name}:{start}", "tokens": tokens, "tags": tags}
