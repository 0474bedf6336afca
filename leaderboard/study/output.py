"""A study's files: `study.json` (the `StudyReport`), `study.md` (for CI comments) and `study.html` (plots)."""

from __future__ import annotations

import json
from pathlib import Path

from xlt_bench.files import confined, write_atomic
from xlt_bench.leaderboard.study.render_html import to_html
from xlt_bench.leaderboard.study.render_markdown import to_markdown
from xlt_bench.leaderboard.study.report import StudyReport


def write_study(report: StudyReport, folder: Path) -> dict[str, Path]:
    """Write the three files into `folder` (created if needed); returns {"json"|"markdown"|"html": path}. A link or
    special file planted where one of them goes is refused before any is written (`files.confined`)."""
    files = {"json": folder / "study.json", "markdown": folder / "study.md", "html": folder / "study.html"}
    for path in files.values():
        confined(folder, path, "the study folder")
    write_atomic(files["json"], json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    write_atomic(files["markdown"], to_markdown(report))
    write_atomic(files["html"], to_html(report))
    return files
