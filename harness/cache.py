"""Where xlt-bench keeps what it fetched or computed: `downloads/` (verified release files), `data/<task>/`
(extracted releases, found there by `eval` when no `--data-dir` is given) and `embeddings/` (encoder passes)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root(requested: Path | None = None) -> Path:
    """`--cache-dir`, else $XLT_BENCH_CACHE, else ~/.cache/xlt_bench."""
    if requested is not None:
        return Path(requested)
    return Path(os.environ.get("XLT_BENCH_CACHE", Path.home() / ".cache" / "xlt_bench"))
