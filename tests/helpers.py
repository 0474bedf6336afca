"""Helpers shared by the tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    """Run `python -m xlt_bench.cli ARGS` in a subprocess; returns the CompletedProcess (text)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "xlt_bench.cli", *args], capture_output=True, text=True, env=full_env, cwd=cwd
    )
