"""Load the examples of a resolved data source through `datasets`, so parsing is cached as Arrow on disk.

The cache key is our own fingerprint (format name and version, paths with size and mtime of the source's files and
of the companions its format reads beside them, language, split, reader parameters), so an edited data file or a
changed reader is re-read, and nothing else is.

`datasets` keeps the entry of a fingerprint in `<root>/generator/default-fingerprint=<fingerprint>/0.0.0/`
(`dataset_info.json` and `generator-train*.arrow`; `<root>` is `cache_dir`, else `$HF_DATASETS_CACHE`, read when
`datasets` is imported, default `~/.cache/huggingface/datasets`) and trusts it blindly: a truncated or overwritten
Arrow file, a deleted one or a broken `dataset_info.json` fails every later load (OSError, ArrowInvalid,
JSONDecodeError), and bytes changed inside an Arrow file load silently and give wrong rows or crash the process
when read. So the entry's files are recorded with their size and sha256 (`xlt_bench-checksums.json`, beside them)
when they are written, and checked, before any row is read, whenever the entry is reused. An entry that fails the
check, that has no record (written by something else, or interrupted before the record), or that `datasets`
cannot load is discarded with a warning and generated again, once; a second failure is an error. Files merely added
to the folder are ignored, as `datasets` ignores them. One lock per fingerprint serialises processes sharing a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlt_bench.data.formats import DataFormat, DataSource, DataUnavailable, data_files
from xlt_bench.errors import XltBenchError, first_line, warn
from xlt_bench.files import read_failure, reading, sha256_of, write_atomic

if TYPE_CHECKING:
    import datasets


class _Run:
    """Whether `datasets` ran the reader (generated the entry) or reused its cache."""

    generated = False


def _generate(
    read: Callable[..., Iterator[dict]], source: DataSource, language: str, split: str, run: _Run
) -> Iterator[dict]:
    run.generated = True
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
    stamps = source.fingerprint(data_files(data_format, source))
    key: list[Any] = [data_format.name, data_format.version, stamps, language, split]
    key.append(json.dumps(dict(source.params), sort_keys=True, default=str))
    return hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()[:32]


CHECKSUMS = "xlt_bench-checksums.json"


def _cache_root(cache_dir: str | Path | None) -> Path:
    import datasets

    return Path(os.path.expanduser(str(cache_dir or datasets.config.HF_DATASETS_CACHE)))


def cache_entry(cache_dir: str | Path | None, key: str) -> Path:
    """The folder `datasets` writes the Arrow files of fingerprint `key` to (its layout for `from_generator`)."""
    return _cache_root(cache_dir) / "generator" / f"default-fingerprint={key}" / "0.0.0"


def _entry_files(dataset: datasets.Dataset) -> tuple[Path | None, list[str]]:
    """The entry folder a loaded dataset maps, and the names of the files that make it up."""
    import datasets

    files = [Path(cache_file["filename"]) for cache_file in dataset.cache_files]
    if not files:
        return None, []
    return files[0].parent, [datasets.config.DATASET_INFO_FILENAME, *(path.name for path in files)]


def _stamp(path: Path) -> list:
    return [path.stat().st_size, sha256_of(path)]


def _record_checksums(dataset: datasets.Dataset) -> None:
    folder, names = _entry_files(dataset)
    if folder is None:
        return
    try:
        record = {name: _stamp(folder / name) for name in names}
        write_atomic(folder / CHECKSUMS, json.dumps(record, indent=1, sort_keys=True))
    except OSError as error:  # the next load regenerates the entry: slower, never wrong
        warn(f"{folder}: cannot record the checksums of this datasets cache entry ({error.strerror or error})")


def _checksum_problem(dataset: datasets.Dataset) -> str | None:
    """Why a reused entry cannot be trusted (None when every file matches its record); reads no row."""
    folder, names = _entry_files(dataset)
    if folder is None:
        return None
    try:
        record = json.loads((folder / CHECKSUMS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"no {CHECKSUMS}: written by another program, or interrupted"
    except (OSError, ValueError) as error:
        return f"unreadable {CHECKSUMS} ({error})"
    if not isinstance(record, dict) or not set(names) <= set(record):
        return f"{CHECKSUMS} does not list the files datasets reads"
    for name, expected in sorted(record.items()):
        try:
            if _stamp(folder / name) != expected:
                return f"{name} differs from the file written"
        except OSError as error:
            return f"{name}: {error.strerror or error}"
    return None


def _discard(folder: Path, reason: str, source: DataSource) -> None:
    warn(f"{folder}: discarding a corrupt datasets cache entry ({reason}); reading {source.describe()} again")
    try:
        shutil.rmtree(folder)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise XltBenchError(f"{folder}: cannot remove this corrupt datasets cache entry ({error}); delete it") from None


@contextmanager
def _locked(root: Path, key: str) -> Iterator[None]:
    """Hold the lock of fingerprint `key` (next to the entries) while its entry is checked, discarded or written."""
    from filelock import FileLock

    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(root / f"xlt_bench-{key}.lock"))
        lock.acquire()
    except OSError as error:
        raise _cache_error(root, error) from None
    try:
        yield
    finally:
        lock.release()


def _cache_error(root: Path, error: OSError) -> XltBenchError:
    return XltBenchError(
        f"{root}: cannot use this datasets cache folder ({error.strerror or error}); expected a writable folder "
        "(set HF_DATASETS_CACHE)"
    )


def _read(
    data_format: DataFormat, source: DataSource, language: str, split: str, key: str, cache_dir: str | None
) -> tuple[datasets.Dataset, bool]:
    """The dataset and whether it was generated now; reader errors come out as their one-line message."""
    import datasets

    run = _Run()
    try:
        dataset = datasets.Dataset.from_generator(
            _generate,
            gen_kwargs={"read": data_format.read, "source": source, "language": language, "split": split, "run": run},
            fingerprint=key,
            cache_dir=cache_dir,
        )
    except datasets.exceptions.DatasetGenerationError as error:
        cause = error.__cause__ or error.__context__
        if isinstance(cause, XltBenchError):
            raise cause from None
        failure = read_failure(source.describe(), cause) if cause is not None else None
        if failure is not None:  # a plugin reader's OSError or UnicodeDecodeError
            raise failure from None
        raise
    return dataset, run.generated


def load_examples(
    data_format: DataFormat, source: DataSource, language: str, split: str, cache_dir: str | None = None
) -> datasets.Dataset:
    """The examples of one (language, split) as a `datasets.Dataset`; reader errors keep their one-line message.

    A corrupt or foreign cache entry is discarded with a warning and generated again (see the module docstring)."""
    import datasets

    datasets.disable_progress_bars()
    with reading(source.describe()):  # the fingerprint stats every file
        key = fingerprint(data_format, source, language, split)
    root, folder = _cache_root(cache_dir), cache_entry(cache_dir, key)
    with _locked(root, key):
        existed = folder.is_dir()
        try:
            dataset, generated = _read(data_format, source, language, split, key, cache_dir)
        except XltBenchError:
            raise
        except Exception as error:
            if not existed:
                if isinstance(error, OSError):
                    raise _cache_error(root, error) from None
                raise
            corrupt, problem = folder, f"datasets cannot load it: {type(error).__name__}: {first_line(error)[:200]}"
        else:
            if generated:
                _record_checksums(dataset)
                return dataset
            corrupt, problem = _entry_files(dataset)[0] or folder, _checksum_problem(dataset)
            if problem is None:
                return dataset
        _discard(corrupt, problem, source)
        try:
            dataset, _ = _read(data_format, source, language, split, key, cache_dir)
        except OSError as error:
            raise _cache_error(root, error) from None
        _record_checksums(dataset)
        return dataset
