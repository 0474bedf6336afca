"""Where xlt-bench keeps what it fetched or computed: `downloads/` (verified release files),
`data/<suite>/<task>/` (extracted releases, found there by `eval` when no `--data-dir` is given; per suite, because
suites lay out same-named tasks differently, e.g. XTREME's and XGLUE's MLQA) and `embeddings/` (encoder passes)."""

from __future__ import annotations

import os
from pathlib import Path

from xlt_bench.tasks import Task


def cache_root(requested: Path | None = None) -> Path:
    """`--cache-dir`, else $XLT_BENCH_CACHE, else ~/.cache/xlt_bench."""
    if requested is not None:
        return Path(requested)
    return Path(os.environ.get("XLT_BENCH_CACHE", Path.home() / ".cache" / "xlt_bench"))


def prefetched_data(cache: Path, task: Task) -> Path:
    """The folder `prefetch` fills with a task's releases and `eval` reads when there is no `--data-dir`."""
    return Path(cache) / "data" / task.suite / task.name
