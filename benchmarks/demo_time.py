"""Wall time of `xlt-bench demo` (the README's main job): target <= 90 s on two idle cores, <= 270 s under load.

Runs the whole demo in a fresh interpreter, first on the machine as it is, then next to N competing CPU-bound
processes (busy loops), for each `--threads` value asked for, and prints the wall time of every run with the load
average when it started (other work on the machine shows there). Usage:
`python benchmarks/demo_time.py [--runs 2] [--competitors 1] [--threads default,1]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUSY_LOOP = "while True: pass"


def timed_demo(threads: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "xlt_bench", "demo", "--output", str(Path(folder) / "demo"), "--quiet"]
        command += [] if threads == "default" else ["--threads", threads]
        environment = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=environment)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--competitors", type=int, default=1, help="busy loops in the loaded condition")
    parser.add_argument("--threads", default="default,1", help="comma-separated --threads values; 'default' omits it")
    args = parser.parse_args()
    print(f"{'condition':<26} {'--threads':>9} {'load at start':>13} {'wall s':>7}")
    for competitors in (0, args.competitors):
        busy = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(competitors)]
        try:
            for threads in args.threads.split(","):
                for _ in range(args.runs):
                    load = os.getloadavg()[0]
                    seconds = timed_demo(threads)
                    condition = f"{competitors} busy loop{'s' * (competitors != 1)} beside it"
                    print(f"{condition:<26} {threads:>9} {load:>13.1f} {seconds:>7.1f}", flush=True)
        finally:
            for process in busy:
                process.kill()
                process.wait()


if __name__ == "__main__":
    main()
