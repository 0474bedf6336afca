"""How BUCC mining cost grows: time and peak memory of margin mining at 50k to 400k sentences per side.

`xlt_bench.retrieval.mine` exactly as the BUCC runner calls it (k = 4, ratio margin, both directions, greedy
one-to-one) on synthetic L2-normalised embeddings: every side has n random rows, and n / 50 source rows (about
BUCC's share of true pairs) have a noisy copy (cosine ~0.9) on the other side. Each (size, index) case runs in a
fresh process, so its peak resident memory is its own; the table shows the wall time of `mine`, the peak RSS, the
memory the two embedding matrices take, what an n x m float32 similarity matrix would need (never built: the
search runs in chunks), and the share of planted pairs mined.

The default dim is 64, not a real encoder's 768-1024: exact search costs n^2 x dim (time grows about linearly with
dim), and even at 64 flat search at 400k per side runs for tens of minutes on 2 CPU cores.
A case whose time, extrapolated from the previous size of its index (flat ~ n^2, ivf ~ n^1.5), exceeds
`--max-seconds` is skipped and listed with that estimate.
Usage: `python benchmarks/bucc_scale.py [--sizes 50000 100000 200000 400000] [--indexes flat ivf] [--dim 64]
[--max-seconds 900]`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

GROWTH = {"flat": 2.0, "ivf": 1.5, "hnsw": 1.2}  # cost ~ n^growth, for skipping cases estimated too long
PLANTED_SHARE = 50  # one source row in 50 has its translation on the other side


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def one_case(size: int, index: str, dim: int) -> dict[str, float]:
    """Mine one synthetic pair of sides (run in its own process); what the parent prints."""
    import numpy as np

    from xlt_bench.retrieval import mine, normalize

    rng = np.random.default_rng(0)
    source = normalize(rng.standard_normal((size, dim), dtype=np.float32))
    target = normalize(rng.standard_normal((size, dim), dtype=np.float32))
    planted = size // PLANTED_SHARE
    rows, partners = rng.choice(size, planted, replace=False), rng.choice(size, planted, replace=False)
    noise = rng.standard_normal((planted, dim), dtype=np.float32) * np.float32(0.5 / np.sqrt(dim))
    target[partners] = normalize(source[rows] + noise)
    before = peak_rss_mib()
    start = time.perf_counter()
    pairs = mine(source, target, k=4, margin="ratio", index=index)
    seconds = time.perf_counter() - start
    found = {(pair.source, pair.target) for pair in pairs}
    recall = sum((int(s), int(t)) in found for s, t in zip(rows, partners)) / max(planted, 1)
    return {"seconds": seconds, "peak_mib": peak_rss_mib(), "before_mib": before, "recall": recall}


def in_fresh_process(size: int, index: str, dim: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--case", str(size), index, str(dim)]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 100_000, 200_000, 400_000])
    parser.add_argument("--indexes", nargs="+", choices=sorted(GROWTH), default=["flat", "ivf"])
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--max-seconds", type=float, default=900.0, help="skip cases estimated to take longer")
    parser.add_argument("--case", nargs=3, metavar=("SIZE", "INDEX", "DIM"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        size, index, dim = args.case
        print(json.dumps(one_case(int(size), index, int(dim))))
        return
    if min(args.sizes) < PLANTED_SHARE or args.dim < 1:
        parser.error(f"--sizes must be >= {PLANTED_SHARE} and --dim >= 1")
    print(
        f"margin mining (k 4, ratio, both directions), dim {args.dim}, {len(args.sizes)} size(s); "
        f"one fresh process per case; 1 in {PLANTED_SHARE} rows planted"
    )
    print(
        f"{'n per side':>10} {'index':<5} {'seconds':>8} {'peak RSS MiB':>12} {'before mining':>13} "
        f"{'embeddings MiB':>14} {'n x m matrix GiB':>16} {'planted found':>13}"
    )
    skipped = []
    for index in args.indexes:
        previous: tuple[int, float] | None = None
        for size in sorted(args.sizes):
            if previous is not None:
                estimate = previous[1] * (size / previous[0]) ** GROWTH[index]
                if estimate > args.max_seconds:
                    limit = f"--max-seconds {args.max_seconds:g}"
                    skipped.append(f"{index} at {size}: estimated {estimate:.0f} s from the previous size > {limit}")
                    continue
            found = in_fresh_process(size, index, args.dim)
            previous = (size, found["seconds"])
            embeddings = 2 * size * args.dim * 4 / 2**20
            matrix = size * size * 4 / 2**30
            print(
                f"{size:>10} {index:<5} {found['seconds']:>8.2f} {found['peak_mib']:>12.0f} "
                f"{found['before_mib']:>13.0f} {embeddings:>14.0f} {matrix:>16.1f} {found['recall']:>13.1%}"
            )
    for line in skipped:
        print(f"skipped: {line}")


if __name__ == "__main__":
    main()
