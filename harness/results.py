"""The run folder `eval` writes, resumable by construction.

    runs/r1/
      results.json                       run metadata + per task: per-language metrics, counts, average, score
      predictions/<task>/test-<lang>.*   the task's submission layout (XTREME's here; re-score with `xlt-bench score`)
      labels/<task>/test-<lang>.*        the gold labels in the same layout (`--gold runs/r1/labels`)
      samples/<task>/test-<lang>.jsonl   per example: id, gold, prediction (for paired significance tests)
      fragments/<task>/test-<lang>.json  one finished (task, language): metrics, counts, provenance, signature

Every file is written atomically and a fragment is written last, so a fragment on disk means that (task,
language) is complete; a crash loses nothing finished. A re-run skips fragments whose `signature` (task version,
checkpoint hash, data, settings) matches, and refuses to mix in results of a different configuration.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.files import write_atomic
from xlt_bench.submission import SubmissionFormat
from xlt_bench.tasks import Task

RESULTS_SCHEMA = 1


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


def _dump(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


class RunStore:
    """Reads and writes one run folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise XltBenchError(f"--output {self.root}: exists and is not a folder")

    def fragment_path(self, task: str, language: str, split: str) -> Path:
        return self.root / "fragments" / task / f"{split}-{language}.json"

    def finished(self, task: str, language: str, split: str, signature: dict[str, Any]) -> dict[str, Any] | None:
        """The fragment of a finished (task, language) with this signature; None if not done yet.

        A fragment with a different signature means the folder holds another configuration's results: that is an
        error (the caller passes `overwrite` to redo instead).
        """
        path = self.fragment_path(task, language, split)
        if not path.is_file():
            return None
        try:
            fragment = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None  # a damaged fragment is simply redone
        if fragment.get("signature") != signature:
            changed = sorted(
                k
                for k in {*signature, *fragment.get("signature", {})}
                if signature.get(k) != fragment.get("signature", {}).get(k)
            )
            raise XltBenchError(
                f"{path}: {self.root} already holds {task}/{language} from a different configuration "
                f"(differs in: {', '.join(changed)}); pass --overwrite or use another --output"
            )
        return fragment

    def save(
        self,
        task: Task,
        fmt: SubmissionFormat,
        fragment: dict[str, Any],
        gold: Any,
        predictions: Any,
        samples: list[dict[str, Any]],
    ) -> None:
        """Write predictions, labels (in the task's submission layout) and samples of one (task, language), then
        its fragment."""
        language, split, files = fragment["language"], fragment["split"], task.submission
        where = (task.name, language, split, fmt.extension)
        fmt.write_predictions(files.prediction_path(self.root / "predictions", *where), predictions)
        fmt.write_gold(files.gold_path(self.root / "labels", *where), gold)
        lines = "".join(json.dumps(sample, ensure_ascii=False) + "\n" for sample in samples)
        write_atomic(self.root / "samples" / task.name / f"{split}-{language}.jsonl", lines)
        write_atomic(self.fragment_path(task.name, language, split), _dump(fragment))

    def fragments(self, split: str) -> dict[str, dict[str, dict[str, Any]]]:
        """Every finished fragment of `split`: {task: {language: fragment}}."""
        found: dict[str, dict[str, dict[str, Any]]] = {}
        for path in sorted((self.root / "fragments").glob(f"*/{split}-*.json")):
            try:
                fragment = json.loads(path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
            found.setdefault(fragment["task"], {})[fragment["language"]] = fragment
        return found

    def write_results(self, document: dict[str, Any]) -> Path:
        path = self.root / "results.json"
        write_atomic(path, _dump({"schema": RESULTS_SCHEMA, **document}))
        return path
