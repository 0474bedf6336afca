"""Helpers shared by the tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    """Run `python -m xlt_bench.cli ARGS` in a subprocess; returns the CompletedProcess (text)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "xlt_bench.cli", *args], capture_output=True, text=True, env=full_env, cwd=cwd
    )


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run_main(*args: str) -> Result:
    """Run the CLI in this process (fast: torch and transformers are imported once per test session)."""
    from xlt_bench.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"


def xnli_eval(model: Path, output: Path, *extra: str, data: Path = FIXTURE_DATA) -> list[str]:
    """The arguments of `eval --tasks xtreme/xnli` on the handmade fixtures (or `data`), `extra` appended."""
    task = ["--tasks", "xtreme/xnli", "--data-dir", str(data)]
    return ["eval", "--model", str(model), *task, "--output", str(output), *extra]


def assert_no_console_errors(driver) -> None:
    """The browser console has no SEVERE entry since the last read (reading the log empties it)."""
    severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe
