"""Load the examples of a resolved data source through `datasets`, so parsing is cached as Arrow on disk.

The cache key is our own fingerprint (format name and version, file paths with size and mtime, language, split,
reader parameters), so an edited data file or a changed reader is re-read, and nothing else is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from xlt_bench.data.formats import DataFormat, DataSource, DataUnavailable
from xlt_bench.data.hub import check_remote_code
from xlt_bench.errors import XltBenchError

if TYPE_CHECKING:
    import datasets


def _generate(read: Callable[..., Iterator[dict]], source: DataSource, language: str, split: str) -> Iterator[dict]:
    count = 0
    for example in read(source, language, split, **source.params):
        count += 1
        yield example
    if count == 0:
        raise DataUnavailable(f"no {language!r} examples in {source.describe()}")


SKIP_COLUMN = "skip_reason"


def drop_skipped(examples: datasets.Dataset) -> tuple[datasets.Dataset, dict[str, int]]:
    """The valid examples and, per reason, how many records a reader marked unusable.

    Readers of messy releases (AfriQA's null contexts, unparsable answers...) never crash and never drop silently:
    they yield such records with a non-empty `skip_reason` (other fields may be placeholders); they are counted
    here, reported by `eval` and recorded with the results, and left out of scoring.
    """
    if SKIP_COLUMN not in examples.column_names:
        return examples, {}
    reasons = examples[SKIP_COLUMN]
    counts: dict[str, int] = {}
    for reason in reasons:
        if reason:
            counts[reason] = counts.get(reason, 0) + 1
    valid = examples.select([i for i, reason in enumerate(reasons) if not reason]) if counts else examples
    return valid.remove_columns(SKIP_COLUMN), counts


def fingerprint(data_format: DataFormat, source: DataSource, language: str, split: str) -> str:
    key: list[Any] = [data_format.name, data_format.version, source.fingerprint(), language, split]
    key.append(json.dumps(dict(source.params), sort_keys=True, default=str))
    return hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()[:32]


def load_examples(
    data_format: DataFormat,
    source: DataSource,
    language: str,
    split: str,
    cache_dir: str | None = None,
    trust_remote_code: bool = False,
) -> datasets.Dataset:
    """The examples of one (language, split) as a `datasets.Dataset`; reader errors keep their one-line message.

    A Hub loading script is refused (`DataUnavailable`) unless `trust_remote_code` (the user's `--trust-remote-code`):
    every way of loading data goes through here, so none can run Hub code without that permission."""
    import datasets

    check_remote_code(source, trust_remote_code)
    datasets.disable_progress_bars()
    try:
        return datasets.Dataset.from_generator(
            _generate,
            gen_kwargs={"read": data_format.read, "source": source, "language": language, "split": split},
            fingerprint=fingerprint(data_format, source, language, split),
            cache_dir=cache_dir,
        )
    except datasets.exceptions.DatasetGenerationError as error:
        cause = error.__cause__ or error.__context__
        if isinstance(cause, XltBenchError):
            raise cause from None
        raise
