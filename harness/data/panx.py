"""PAN-X (WikiANN, Rahimi et al. splits) raw files `<lang>-{dev,test}` or `<lang>/{dev,test}`.

Lines are `<lang>:<token><TAB><BIO tag>`, sentences separated by blank lines. Read as XTREME's
`panx_preprocess` does: the text up to the first ':' is the language prefix and is removed; a line that is not
two tab-separated fields ends the sentence. A two-field line without the ':' prefix is an error here (XTREME drops
the token silently, which would shift every later tag of the sentence).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from xlt_bench.data.text_files import tagged_sentences
from xlt_bench.errors import XltBenchError


def read_panx_raw(source, language: str, split: str, **_: object) -> Iterator[dict]:
    for path in source.files:

        def parse(number: int, line: str, path: Path = path) -> tuple[str, str] | None:
            items = line.strip().split("\t")
            if len(items) != 2:
                return None
            _, colon, token = items[0].partition(":")
            if not colon:
                raise XltBenchError(f"{path}:{number}: expected '<lang>:<token><TAB><tag>', got {line[:60]!r}")
            return token.strip(), items[1].strip()

        yield from tagged_sentences(path, parse)
