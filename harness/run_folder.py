"""The run folder `eval` writes: one writer at a time, one configuration, resumable by construction.

    runs/r1/
      results.json                       `run_results.RunResults`: run metadata + per task: per-language
                                         metrics, counts, average, score; the suite's aggregates
      predictions/<task>/test-<lang>.*   the task's submission layout (XTREME's here; re-score with `xlt-bench score`)
      labels/<task>/test-<lang>.*        the gold labels in the same layout (`--gold runs/r1/labels`)
      samples/<task>/test-<lang>.jsonl   per example: the runner's id, gold, prediction joined with the metric's
                                         per-example statistics (`samples.sample_lines`; the paired bootstrap's input)
      fragments/<task>/test-<lang>.json  `run_results.Fragment`: one finished (task, language): metrics, counts,
                                         provenance, signature, and the sha256 of the three files above
      config.yaml                        the last invocation's flags, resolved (`run_config`): `eval --config
                                         runs/r1/config.yaml` repeats (resumes) the run from anywhere

`RunStore` owns every path of the folder: `eval` writes through it (holding the lock), and the leaderboard,
`compare` and the paired bootstrap read through a `RunStore` of the folder (reading needs no lock).

Every file is written atomically and a fragment is written last, so a fragment on disk means that (task, language)
is complete; a crash, even `kill -9`, loses nothing finished. Before anything is written, the whole plan of an
invocation is reconciled with what the folder holds (`RunStore.reconcile`):

- a unit's *signature* says what its numbers depend on. Run fields (suite, split, `--limit`, dtype, lineage) must be
  the same for every unit in the folder; task fields (task version, checkpoint hash, labels, inference and metric
  parameters) the same for every language of a task. Anything else is a different configuration: refused up front
  with the field that differs, or, with `overwrite`, the conflicting units are removed and the planned ones redone;
- a finished unit whose data content changed since (sha256 of the files it read), or whose prediction, label or
  sample file is missing or altered, is redone with a warning; otherwise it is kept as it is.

`RunStore.writer` holds an OS file lock on the folder (`filelock`) for the whole invocation, so two `eval`s never
interleave; the second says who holds it.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError, warn
from xlt_bench.files import check_depth, confined, is_temporary, sha256_of, write_atomic
from xlt_bench.run_results import Fragment, RunResults
from xlt_bench.submission import SubmissionFormat
from xlt_bench.tasks import Task

RUN_FIELDS = ("suite", "split", "limit", "dtype", "lineage")  # the same for every unit of a folder
DATA_FIELD = "data"  # differs by language; a change means the unit is stale, not a conflict
LOCK_NAME, OWNER_NAME = ".lock", ".lock.owner"
FRAGMENT_NAME = re.compile(r"^(?P<split>[^.][^-]*)-(?P<language>.+)\.json$")  # fragments/<task>/<split>-<lang>.json


def environment_versions(
    packages: Iterable[str] = ("torch", "transformers", "datasets", "tokenizers", "numpy"),
) -> dict[str, str]:
    """Python, platform and the versions of packages that can change numbers, for provenance."""
    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for package in packages:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")  # noqa: UP017 (Python 3.10 has no datetime.UTC)


def _dump(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


@dataclass(frozen=True)
class PlannedUnit:
    """A (task, language) an invocation is about to compute, with the signature its result will carry."""

    task: str
    language: str
    signature: dict[str, Any]


@dataclass
class Reconciliation:
    """What to do with each planned unit: `keep` (finished and intact) or run it; `stale` ones are held but must
    be computed again; `remove`: units of another configuration, deleted before anything runs."""

    keep: set[tuple[str, str]] = field(default_factory=set)
    stale: set[tuple[str, str]] = field(default_factory=set)
    remove: list[tuple[str, str]] = field(default_factory=list)


def _short(value: Any) -> str | None:
    text = "none" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 40 else None


def _differences(held: dict[str, Any], wanted: dict[str, Any], fields: Iterable[str], prefix: str = "") -> list[str]:
    """The fields whose values differ (nested ones as `inference.layer`), with both values when short enough."""
    found = []
    for name in fields:
        before, after = held.get(name), wanted.get(name)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            found += _differences(before, after, list({**before, **after}), f"{prefix}{name}.")
            continue
        shown = (_short(before), _short(after))
        found.append(f"{prefix}{name} {shown[0]} here, {shown[1]} requested" if None not in shown else prefix + name)
    return found


class RunStore:
    """Reads and writes one run folder; constructing one creates nothing (`writer` does)."""

    def __init__(self, root: Path, split: str) -> None:
        self.root = Path(root)
        self.split = split
        self.damaged: set[Path] = set()  # fragments already reported as damaged
        if self.root.exists() and not self.root.is_dir():
            raise XltBenchError(f"--output {self.root}: exists and is not a folder")

    # -- where things are --------------------------------------------------------------------------------------

    @property
    def results_path(self) -> Path:
        return self.root / "results.json"

    @property
    def config_path(self) -> Path:
        """The resolved flags of the run (`run_config`), so that `eval --config <folder>/config.yaml` repeats it."""
        return self.root / "config.yaml"

    def fragment_path(self, task: str, language: str) -> Path:
        return self.root / "fragments" / task / f"{self.split}-{language}.json"

    def samples_path(self, task: str, language: str) -> Path:
        return self.root / "samples" / task / f"{self.split}-{language}.jsonl"

    def output_paths(self, task: Task, fmt: SubmissionFormat, language: str) -> dict[str, Path]:
        """The files one (task, language) writes besides its fragment, by kind."""
        files, where = task.submission, (task.name, language, self.split, fmt.extension)
        return {
            "predictions": files.prediction_path(self.root / "predictions", *where),
            "labels": files.gold_path(self.root / "labels", *where),
            "samples": self.samples_path(task.name, language),
        }

    # -- one writer -------------------------------------------------------------------------------------------

    @contextmanager
    def writer(self, command: list[str], wait: bool = False) -> Iterator[None]:
        """Hold the folder's lock while the block runs (another holder: an error naming it, or wait for it).

        The lock file stays in the folder: deleting it would pull it from under a process waiting for it.
        """
        from filelock import FileLock, Timeout

        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise XltBenchError(f"--output {self.root}: cannot create the folder ({error.strerror})") from None
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise XltBenchError(f"--output {self.root}: the folder is not writable")
        lock = FileLock(self.confined(self.root / LOCK_NAME))
        self.confined(self.root / OWNER_NAME)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            holder = self._holder()
            if not wait:
                raise XltBenchError(
                    f"--output {self.root} is in use by another xlt-bench eval ({holder}); wait for it to finish, "
                    "pass --wait, or use another --output"
                ) from None
            warn(f"waiting for the xlt-bench eval using {self.root} ({holder}) to finish")
            lock.acquire()
        try:
            owner = {"pid": os.getpid(), "host": socket.gethostname(), "since": now(), "command": command}
            write_atomic(self.root / OWNER_NAME, json.dumps(owner) + "\n")
            self._remove_leftovers()
            yield
        finally:
            (self.root / OWNER_NAME).unlink(missing_ok=True)
            lock.release()

    def _holder(self) -> str:
        try:
            owner = json.loads((self.root / OWNER_NAME).read_text(encoding="utf-8"))
            command = " ".join(owner.get("command") or [])
            return f"pid {owner['pid']} on {owner['host']} since {owner['since']}: {command}".rstrip(": ")
        except (OSError, ValueError, KeyError, TypeError):
            return "holder unknown"

    def _remove_leftovers(self) -> None:
        """Temporary files of a writer killed mid-write (we hold the lock, so nobody else is writing them)."""
        for path in self.root.rglob(".*.tmp"):
            if is_temporary(path) and path.is_file():
                path.unlink(missing_ok=True)

    # -- reading ----------------------------------------------------------------------------------------------

    def _read_fragment(self, path: Path) -> Fragment | None:
        """A fragment, or None (with a warning) when it is damaged or was edited: such a unit is redone, never
        trusted."""
        try:
            text = path.read_text(encoding="utf-8")
            check_depth(text, path)
            fragment = Fragment.from_json(json.loads(text), path)
            if not all(self._inside(relative) for relative in fragment.files):
                raise XltBenchError(f"{path}: lists files outside the run folder")
            return fragment
        except UnicodeDecodeError:
            problem = f"{path}: not UTF-8 text"
        except ValueError as error:
            problem = f"{path}: invalid JSON ({error})"
        except XltBenchError as error:
            problem = str(error)
        if path not in self.damaged:
            self.damaged.add(path)
            warn(f"{problem}; that unit is not counted until it is computed again")
        return None

    def _inside(self, relative: str) -> Path | None:
        """`relative` as a path inside the run folder, or None (an absolute path or one climbing out with ..)."""
        if Path(relative).is_absolute():
            return None
        path = self.root / relative
        return path if path.resolve().is_relative_to(self.root.resolve()) else None

    def fragments(self) -> dict[str, dict[str, Fragment]]:
        """Every readable fragment of the folder's split: {task: {language: fragment}}."""
        found: dict[str, dict[str, Fragment]] = {}
        for path in sorted((self.root / "fragments").glob(f"*/{self.split}-*.json")):
            fragment = self._read_fragment(path)
            if fragment is not None and path == self.fragment_path(fragment.task, fragment.language):
                found.setdefault(fragment.task, {})[fragment.language] = fragment
        return found

    def other_splits(self) -> list[str]:
        """Splits of fragments in the folder other than this store's (a folder holds one split); files that are
        not fragments by name (`notes.json`, macOS's `._test-de.json`) are not counted."""
        names = (FRAGMENT_NAME.match(path.name) for path in (self.root / "fragments").glob("*/*.json"))
        return sorted({name["split"] for name in names if name} - {self.split})

    def previous_results(self) -> RunResults | None:
        """The folder's results.json as it stands (None when absent or unreadable: it is rebuilt from fragments)."""
        try:
            return RunResults.read(self.results_path)
        except XltBenchError:
            return None

    def _intact(self, fragment: Fragment) -> str | None:
        """Why a finished unit's files cannot be trusted any more (None when they all match their sha256)."""
        for relative, digest in fragment.files.items():
            path = self.root / relative
            if not path.is_file():
                return f"{path} is missing"
            if sha256_of(path) != digest:
                return f"{path} was changed after it was written"
        return None

    # -- reconciling a plan with the folder -------------------------------------------------------------------

    def reconcile(self, planned: list[PlannedUnit], overwrite: bool) -> Reconciliation:
        """Check the whole plan against the folder before anything is written; see the module docstring."""
        result = Reconciliation()
        if not planned:
            return result
        other = self.other_splits()
        if other and not overwrite:
            raise XltBenchError(
                f"{self.root} holds {', '.join(other)} results and this run is on the {self.split} split (a run folder "
                "holds one split); pass --overwrite or use another --output"
            )
        for path in (self.root / "fragments").glob("*/*.json") if other else ():
            if path.name.split("-", 1)[0] in other:
                self._remove_unit(path)
        held = self.fragments()
        by_task = {unit.task: unit.signature for unit in planned}
        conflicts = []
        for task, languages in held.items():
            wanted = by_task.get(task, planned[0].signature)
            for language, fragment in languages.items():
                have = fragment.signature
                names = [k for k in {**have, **wanted} if k != DATA_FIELD and (task in by_task or k in RUN_FIELDS)]
                if differs := _differences(have, wanted, names):
                    conflicts.append((task, language, differs))
        if conflicts and not overwrite:
            task, language, differs = conflicts[0]
            more = f", as do {len(conflicts) - 1} more units" if len(conflicts) > 1 else ""
            raise XltBenchError(
                f"{self.root} already holds {task}/{language} from a different configuration (differs in: "
                f"{'; '.join(differs)}){more}; pass --overwrite or use another --output"
            )
        result.remove = [(task, language) for task, language, _ in conflicts]
        for unit in planned:
            key = (unit.task, unit.language)
            fragment = held.get(unit.task, {}).get(unit.language)
            if fragment is None or key in result.remove or overwrite:
                continue  # with --overwrite, a unit of this configuration is replaced when its new result is saved
            if fragment.signature.get(DATA_FIELD) != unit.signature.get(DATA_FIELD):
                warn(
                    f"the data of {unit.task}/{unit.language} changed since it was scored (content sha256); redoing it"
                )
                result.stale.add(key)
            elif problem := self._intact(fragment):
                warn(f"{problem}; redoing {unit.task}/{unit.language}")
                result.stale.add(key)
            else:
                result.keep.add(key)
        return result

    def _remove_unit(self, fragment_path: Path) -> None:
        """Delete a unit: its fragment first (so no fragment ever points at missing files), then its files (only
        those inside the run folder: a damaged fragment could name anything)."""
        fragment = self._read_fragment(fragment_path) if fragment_path.is_file() else None
        fragment_path.unlink(missing_ok=True)
        for relative in fragment.files if fragment is not None else ():
            if (path := self._inside(relative)) is not None:
                path.unlink(missing_ok=True)

    def remove(self, units: Iterable[tuple[str, str]]) -> None:
        for task, language in dict.fromkeys(units):
            self._remove_unit(self.fragment_path(task, language))

    # -- writing ----------------------------------------------------------------------------------------------

    def check_confined(self, task: Task, fmt: SubmissionFormat, language: str) -> None:
        """Every file one (task, language) writes stays inside the run folder (`confined`): checked for the whole
        plan before any unit runs, and again before each is saved."""
        for path in (*self.output_paths(task, fmt, language).values(), self.fragment_path(task.name, language)):
            self.confined(path)
        self.confined(self.results_path)

    def confined(self, path: Path) -> Path:
        """`path`, when writing it cannot leave the run folder (`files.confined`)."""
        return confined(self.root, path, "the run folder")

    def save(
        self,
        task: Task,
        fmt: SubmissionFormat,
        fragment: Fragment,
        gold: Any,
        predictions: Any,
        samples: list[dict[str, Any]],
    ) -> None:
        """Write predictions, labels (in the task's submission layout) and samples of one (task, language), then
        its fragment with their checksums."""
        paths = self.output_paths(task, fmt, fragment.language)
        self.check_confined(task, fmt, fragment.language)
        fmt.write_predictions(paths["predictions"], predictions)
        fmt.write_gold(paths["labels"], gold)
        write_atomic(paths["samples"], "".join(json.dumps(sample, ensure_ascii=False) + "\n" for sample in samples))
        files = {path.relative_to(self.root).as_posix(): sha256_of(path) for path in paths.values()}
        write_atomic(self.fragment_path(task.name, fragment.language), _dump(replace(fragment, files=files).to_json()))

    def write_results(self, results: RunResults) -> Path:
        write_atomic(self.confined(self.results_path), _dump(results.to_json()))
        return self.results_path

    def write_config(self, text: str) -> Path:
        """config.yaml (`run_config.dump`), written like every file of the folder: confined, atomic."""
        write_atomic(self.confined(self.config_path), text)
        return self.config_path
