"""Where each task's data comes from when there is no `--data-dir`: `xlt-bench list sources` and docs/suites.md.

For every task × language there is one automatic source (`data.resolve.resolve_source`): the release files that
serve the language (downloaded into the cache by `prefetch`, or by `eval` when they are missing), else its faithful
Hub copy at a pinned commit, else none, with the one-line reason a user is given. A row groups the languages of a
task that share a source; for release files it names the common URL prefix and what pins them (the repository
commit in the URLs, else each file's sha256), for a Hub copy the repository, config and commit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from xlt_bench.data.resolve import fetch_hint
from xlt_bench.tasks import Task

_COMMIT_IN_URL = re.compile(r"/([0-9a-f]{40})/")


@dataclass(frozen=True)
class SourceRow:
    """Languages of one task that share their automatic source."""

    task: str  # suite/task
    languages: tuple[str, ...]
    kind: str  # "release", "release (by hand)", "hub" or "none"
    source: str  # URL, URL prefix with a file count, Hub repository and config, or the reason there is none
    pin: str  # sha256, the commit the URLs or the Hub copy are pinned to, or "-"

    def languages_text(self, task_languages: Sequence[str]) -> str:
        if tuple(self.languages) == tuple(task_languages):
            return f"all {len(self.languages)}"
        return " ".join(self.languages)


def _commit(url: str) -> str | None:
    match = _COMMIT_IN_URL.search(url)
    return match.group(1) if match else None


def _origin(url: str) -> str:
    """Where a release file comes from, for grouping: its URL up to the repository commit, else its folder."""
    commit = _commit(url)
    return url[: url.index(commit) + len(commit)] if commit else url.rsplit("/", 1)[0]


def _releases_row(task: Task, languages: tuple[str, ...]) -> SourceRow:
    releases = [
        release for release in task.releases if not release.languages or set(release.languages) & set(languages)
    ]
    kind = "release (by hand)" if any(release.manual for release in releases) else "release"
    name = f"{task.suite}/{task.name}"
    if len(releases) == 1:
        return SourceRow(name, languages, kind, releases[0].url, f"sha256 {releases[0].sha256 or 'unknown'}")
    urls = [release.url for release in releases]
    commits = {_commit(url) for url in urls}
    pin = f"commit {commits.pop()}" if len(commits) == 1 and None not in commits else "sha256 of each file"
    checked = "each with its sha256" if all(release.sha256 for release in releases) else "not all with a sha256"
    prefix = os.path.commonprefix(urls).rsplit("/", 1)[0] + "/"
    return SourceRow(name, languages, kind, f"{prefix}... ({len(urls)} files, {checked})", pin)


def _source_of(task: Task, language: str) -> tuple:
    """What identifies a language's automatic source, for grouping the languages that share it."""
    origins = frozenset(_origin(release.url) for release in task.releases_for(language))
    if origins:
        return ("release", origins)
    hub = task.hub_source(language)
    if hub is not None and hub.faithful:
        return ("hub", hub.path, hub.config, hub.data_dir, hub.revision)
    return ("none", fetch_hint(task, language))


def source_rows(tasks: Sequence[Task]) -> list[SourceRow]:
    """One row per task and source, in the tasks' order and their languages' order."""
    rows: list[SourceRow] = []
    for task in tasks:
        groups: dict[tuple, list[str]] = {}
        for language in task.languages:
            groups.setdefault(_source_of(task, language), []).append(language)
        for key, languages in groups.items():
            if key[0] == "release":
                rows.append(_releases_row(task, tuple(languages)))
            elif key[0] == "hub":
                _, path, config, data_dir, revision = key
                where = f"{path} {data_dir}/" if data_dir else f"{path} {config}"
                pin = f"commit {revision}" if revision else "-"
                rows.append(SourceRow(f"{task.suite}/{task.name}", tuple(languages), "hub", where, pin))
            else:
                rows.append(SourceRow(f"{task.suite}/{task.name}", tuple(languages), "none", key[1], "-"))
    return rows
