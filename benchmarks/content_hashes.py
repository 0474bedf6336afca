"""What a resume pays to recognise data and checkpoints it has seen: sha256 of a file vs the memoised hash.

`eval` identifies every data file and checkpoint by the sha256 of its content (an edit that keeps the size is still
seen), remembered under (path, size, mtime_ns) in `<cache>/hashes/`. This prints, for files of growing size, the
time of a first hash and of a later lookup from a fresh process (the memo read back from disk), and their ratio.
Usage: `python benchmarks/content_hashes.py [--sizes-mib 64 256 1024]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOOKUP = (
    "import sys, time\nfrom pathlib import Path\nfrom xlt_bench.files import ContentHashes\n"
    "hashes = ContentHashes(Path(sys.argv[1]))\nstart = time.perf_counter()\nhashes(Path(sys.argv[2]))\n"
    "print(time.perf_counter() - start)\n"
)


def in_fresh_process(memo: Path, file: Path) -> float:
    """Seconds one `ContentHashes` lookup takes in a new interpreter (so nothing is remembered in memory)."""
    out = subprocess.run(
        [sys.executable, "-c", LOOKUP, str(memo), str(file)], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mib", type=int, nargs="+", default=[64, 256, 1024])
    args = parser.parse_args()
    print(f"{'file MiB':>8} {'first hash s':>12} {'memo lookup s':>13} {'ratio':>9}")
    with tempfile.TemporaryDirectory() as folder:
        memo, file = Path(folder) / "hashes", Path(folder) / "data.bin"
        for size in args.sizes_mib:
            with open(file, "wb") as out:
                for _ in range(size):
                    out.write(os.urandom(1 << 20))
            first = in_fresh_process(memo, file)  # computes and remembers
            lookup = min(in_fresh_process(memo, file) for _ in range(3))
            print(f"{size:>8} {first:>12.3f} {lookup:>13.5f} {first / lookup:>8.0f}x")
            time.sleep(0.01)  # a new mtime for the next size: a new memo entry


if __name__ == "__main__":
    main()
