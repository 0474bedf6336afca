"""Time of `xlt-bench study` against the leaderboard's (the yardstick): XTREME-sized runs, 1,000 resamples.

Writes eight synthetic run folders (`synthetic_runs.py`: 9 tasks x 40 languages of `examples` units each, as
`eval` leaves them): direct fine-tuning with two seeds, MNLI at four sizes, and MNLI/SQuAD in both orders. Then times
`study_runs` (the designs found in the lineage) on the first 2, 4 and 8 runs, and `build_board` on the first two,
which draws the same paired bootstrap. Usage: `python benchmarks/study.py [examples]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from synthetic_runs import write_run, xtreme_sized

from xlt_bench.leaderboard.runs import load_run
from xlt_bench.leaderboard.study.analysis import study_runs
from xlt_bench.leaderboard.table import build_board
from xlt_bench.registry import load_registry

RUNS = (  # label, error rate, lineage
    ("direct-s1", 0.30, {"train_seed": 1}),
    ("mnli-1k", 0.29, {"intermediate": ["mnli"], "intermediate_sizes": {"mnli": 1000}}),
    ("direct-s2", 0.31, {"train_seed": 2}),
    ("mnli-10k", 0.27, {"intermediate": ["mnli"], "intermediate_sizes": {"mnli": 10000}}),
    ("mnli-100k", 0.26, {"intermediate": ["mnli"], "intermediate_sizes": {"mnli": 100000}}),
    ("mnli-400k", 0.26, {"intermediate": ["mnli"], "intermediate_sizes": {"mnli": 400000}}),
    ("mnli-squad", 0.27, {"intermediate": ["mnli", "squad"]}),
    ("squad-mnli", 0.28, {"intermediate": ["squad", "mnli"]}),
)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    registry = load_registry()
    xtreme_sized(registry)
    folder = Path(tempfile.mkdtemp(prefix="xlt-bench-study-"))
    paths = [
        write_run(folder / label, registry, n, wrong, {"label": label, "base": "synthetic", **lineage})
        for label, wrong, lineage in RUNS
    ]
    start = time.perf_counter()
    build_board([load_run(str(path), registry) for path in paths[:2]], registry, "xtreme", resamples=1000)
    yardstick = time.perf_counter() - start
    print(f"{'command':<22} {'runs':>4} {'units':>9} {'estimates':>9} {'seconds':>8} {'/ leaderboard':>13}")
    print(f"{'leaderboard':<22} {2:>4} {9 * 40 * n * 2:>9} {'':>9} {yardstick:>8.2f} {1:>13.2f}")
    for k in (2, 4, 8):
        start = time.perf_counter()
        report = study_runs(paths[:k], registry, resamples=1000)
        seconds = time.perf_counter() - start
        units = 9 * 40 * n * k
        print(
            f"{'study':<22} {k:>4} {units:>9} {len(report.estimates):>9} {seconds:>8.2f} {seconds / yardstick:>13.2f}"
        )


if __name__ == "__main__":
    main()
