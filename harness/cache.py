"""Where xlt-bench keeps what it fetched or computed: `downloads/` (verified release files),
`data/<suite>/<task>/` (extracted releases, found there by `eval` when no `--data-dir` is given; per suite, because
suites lay out same-named tasks differently, e.g. XTREME's and XGLUE's MLQA) and `embeddings/` (encoder passes)."""

from __future__ import annotations

import os
from pathlib import Path

from xlt_bench.errors import XltBenchError
from xlt_bench.tasks import Task


def cache_root(requested: Path | None = None) -> Path:
    """`--cache-dir`, else $XLT_BENCH_CACHE, else ~/.cache/xlt_bench."""
    if requested is not None:
        return Path(requested)
    return Path(os.environ.get("XLT_BENCH_CACHE") or Path.home() / ".cache" / "xlt_bench")  # empty = unset


def writable_cache(requested: Path | None = None) -> Path:
    """`cache_root(requested)`, created if needed; a cache that cannot be written is one error line up front, not a
    traceback in the middle of a run."""
    root = cache_root(requested)
    option = "--cache-dir" if requested is not None else "the cache folder ($XLT_BENCH_CACHE or ~/.cache/xlt_bench)"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise XltBenchError(f"{option} {root}: cannot create it ({error.strerror}); pass --cache-dir") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise XltBenchError(f"{option} {root}: not writable; pass another --cache-dir")
    return root


def prefetched_data(cache: Path, task: Task) -> Path:
    """The folder `prefetch` fills with a task's releases and `eval` reads when there is no `--data-dir`."""
    return Path(cache) / "data" / task.suite / task.name
