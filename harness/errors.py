"""The one exception type for user mistakes (bad input, missing files, wrong checkpoints), and warnings.

The CLI prints an error's message as a single line and exits with status 2; anything else is a bug and keeps its
traceback. Messages name the file, line or field and say what was expected. `warn` is how library code reports
something the run can go on with (a discarded cache entry, a unit redone): one `xlt-bench: warning:` line on stderr.
"""

import json
import sys
from pathlib import Path
from typing import Any


class XltBenchError(Exception):
    """A problem the user can fix; `str(error)` is a complete one-line explanation."""


def warn(message: str) -> None:
    """One warning line on stderr, as the CLI prints them."""
    print(f"xlt-bench: warning: {message}", file=sys.stderr)


def first_line(error: BaseException) -> str:
    """An exception's message cut to its first line (or its type's name), for one-line errors built around it."""
    return next(iter(str(error).strip().splitlines()), "") or type(error).__name__


def expect(ok: bool, file: Path | str, name: str, expected: str, value: Any) -> None:
    """A field that is not what xlt-bench writes: one line naming the file and the field."""
    if not ok:
        shown = json.dumps(value, ensure_ascii=False, default=str)
        raise XltBenchError(f"{file}: {name} must be {expected}, got {shown[:60]}")
