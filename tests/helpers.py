"""Helpers shared by the tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import random
import subprocess
import sys
from collections.abc import Callable
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


LABELS = ("entailment", "neutral", "contradiction")


def write_run(root: Path, registry, predictions: dict[str, dict[str, list[str]]], gold: dict, **lineage) -> Path:
    """A run folder as `eval` writes it, for XNLI-style label predictions (no model needed)."""
    from xlt_bench.folder_scoring import score_folders
    from xlt_bench.tasks import SubmissionFiles

    for task, per_language in predictions.items():
        for language, predicted in per_language.items():
            for kind, lines in (("labels", gold[task][language]), ("predictions", predicted)):
                path = SubmissionFiles().gold_path(root / kind, task, language, "test", "tsv")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("".join(f"{line}\n" for line in lines))
    scores, _ = score_folders(registry, "xtreme", root / "predictions", root / "labels")
    tasks = {name: {"languages": score.languages} for name, score in scores.tasks.items()}
    document = {"suite": "xtreme", "split": "test", "lineage": lineage, "tasks": tasks}
    (root / "results.json").write_text(json.dumps(document))
    return root


def corrupt(labels: list[str], rate: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(LABELS) if rng.random() < rate else label for label in labels]


def assert_no_console_errors(driver) -> None:
    """The browser console has no SEVERE entry since the last read (reading the log empties it)."""
    severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe


def load_page(driver, page: str, path: Path):
    """Write `page` to `path` and load it in the browser from its file:// URL; console errors at load time fail."""
    path.write_text(page, encoding="utf-8")
    driver.get_log("browser")  # drop what an earlier test left
    driver.get(path.as_uri())
    assert_no_console_errors(driver)
    return driver


NOBODY = 65534  # the unprivileged user and group of Debian and most containers


def error_as_unprivileged(function: Callable[[], object], warm_up: Callable[[], object]) -> str | None:
    """`function()` run in a forked child that first drops root to `nobody` (file modes do not stop root, and CI
    runs as root), so permission tests run everywhere; the message of what it raised, or None. The files it uses must
    be reachable by that user (`world_tmp`). `warm_up()`, the same work on files root's rights are not needed for,
    runs first in this process: what it imports lazily is then loaded in the child too, whose user may not be able to
    read the interpreter's own files (a Python installed in root's home)."""
    warm_up()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read)
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            function()
            outcome = None
        except BaseException as error:
            outcome = str(error)
        with os.fdopen(write, "wb") as out:
            pickle.dump(outcome, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        outcome = pickle.load(answer)
    os.waitpid(child, 0)
    return outcome
