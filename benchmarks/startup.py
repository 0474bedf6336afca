"""Start-up time of the commands that must stay fast (`--help`, `list`, `plugins`): target < 1 s.

Runs each command several times in a fresh interpreter and prints the median wall time, the ratio to a bare
`python -c pass`, and whether torch/transformers/datasets/faiss were imported. Usage: `python benchmarks/startup.py`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 7
HEAVY = ("torch", "transformers", "datasets", "faiss")
PROBE = (
    "import sys, contextlib, io\n"
    "from xlt_bench.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    try:\n"
    "        main({argv!r})\n"
    "    except SystemExit:\n"
    "        pass\n"
    "print(','.join(m for m in {heavy!r} if m in sys.modules))\n"
)


def timed(code: str) -> tuple[float, str]:
    times, output = [], ""
    for _ in range(RUNS):
        start = time.perf_counter()
        output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        times.append(time.perf_counter() - start)
    return statistics.median(times), output.strip()


def main() -> None:
    baseline, _ = timed("pass")
    torch_import, _ = timed("import torch, transformers")
    print(f"{'command':<32} {'median s':>9} {'x python':>9}  heavy imports")
    print(f"{'python -c pass':<32} {baseline:>9.3f} {1.0:>9.1f}  -")
    print(f"{'import torch, transformers':<32} {torch_import:>9.3f} {torch_import / baseline:>9.1f}  (reference)")
    for argv in (["--help"], ["list", "suites"], ["list", "tasks", "--json"], ["plugins"]):
        seconds, heavy = timed(PROBE.format(argv=argv, heavy=HEAVY))
        verdict = "OK" if seconds < 1.0 and not heavy else "TOO SLOW" if seconds >= 1.0 else "HEAVY IMPORT"
        label = "xlt-bench " + " ".join(argv)
        print(f"{label:<32} {seconds:>9.3f} {seconds / baseline:>9.1f}  {heavy or 'none'}  {verdict}")


if __name__ == "__main__":
    main()
