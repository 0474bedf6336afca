"""Time to build a leaderboard with paired-bootstrap intervals: 9 tasks x 40 languages, two runs, 1,000 resamples.

Writes two synthetic run folders (`synthetic_runs.py`: every task with 40 languages of `examples` units, as
`eval` leaves them), then times `build_board`. Usage: `python benchmarks/leaderboard.py [examples]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from synthetic_runs import write_run, xtreme_sized

from xlt_bench.leaderboard.runs import load_run
from xlt_bench.leaderboard.table import build_board
from xlt_bench.registry import load_registry


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    registry = load_registry()
    xtreme_sized(registry)
    folder = Path(tempfile.mkdtemp(prefix="xlt-bench-board-"))
    for run, wrong in (("direct", 0.3), ("intermediate", 0.25)):
        lineage = {"label": run, "base": "synthetic", "intermediate": [] if run == "direct" else ["mnli"]}
        write_run(folder / run, registry, n, wrong, lineage)
    runs = [load_run(str(folder / name), registry) for name in ("direct", "intermediate")]
    start = time.perf_counter()
    board = build_board(runs, registry, "xtreme", resamples=1000)
    seconds = time.perf_counter() - start
    units = 9 * 40 * n
    overall = board.comparisons[0].overall
    print(f"{'board':<28} {'units':>9} {'resamples':>9} {'seconds':>8} {'units x resamples / s':>22}")
    print(f"{'9 tasks x 40 languages':<28} {units:>9} {1000:>9} {seconds:>8.2f} {units * 1000 / seconds:>22.3g}")
    print(f"overall delta {overall.value:+.2f} [{overall.low:+.2f}, {overall.high:+.2f}]")


if __name__ == "__main__":
    main()
