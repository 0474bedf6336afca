"""The one exception type for user mistakes (bad input, missing files, wrong checkpoints).

The CLI prints its message as a single line and exits with status 2; anything else is a bug and keeps its
traceback. Messages name the file, line or field and say what was expected.
"""


class XltBenchError(Exception):
    """A problem the user can fix; `str(error)` is a complete one-line explanation."""
