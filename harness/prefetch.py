"""`xlt-bench prefetch`: a suite's data into the caches, so that `eval` runs offline.

Per task and language, the automatic source `eval` would use (docs/suites.md, "Data sources", lists them):

- the task's `releases` that serve it (resumable, checksummed downloads, `xlt_bench.download`): archives into
  `<cache>/downloads/` and extracted into `<cache>/data/<suite>/<task>/` (only the members below `Release.members`
  when one archive serves several tasks, as XGLUE's), plain files straight into that folder, where `eval` finds
  them by their official names when no `--data-dir` is given. A release no program can download (`Release.manual`)
  is taken from a file the user downloaded by hand (`--from FILE`, matched by size and sha256 and verified);
- else its faithful Hub copy, at the commit its revision names, loaded once through `datasets` (which caches it);
- else nothing: the language is reported with the reason (`Task.manual_data`, or why the Hub copy is not used).

One failure never stops the others: every item ends as fetched, cached (a verified copy was already there) or
failed with its one-line reason, and `prefetch` exits 1 when any failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xlt_bench.cache import prefetched_data
from xlt_bench.data.formats import DataUnavailable
from xlt_bench.data.resolve import fetch_hint
from xlt_bench.download import Download, adopt, extract, fetch, target_path, verified_copy
from xlt_bench.errors import XltBenchError
from xlt_bench.files import sha256_of
from xlt_bench.hub_access import HubAccess
from xlt_bench.tasks import Release, Task

if TYPE_CHECKING:
    from xlt_bench.registry import Registry

FETCHED, CACHED, FAILED = "fetched", "cached", "failed"


@dataclass(frozen=True)
class Fetched:
    """One item of the prefetch report: a release file or a language's Hub copy, and what became of it."""

    task: str
    languages: tuple[str, ...]
    source: str  # a release URL or a Hub copy (`hub:path/config@commit [split]`)
    status: str  # FETCHED, CACHED or FAILED
    detail: str  # where it is, or why it failed


@dataclass
class LocalCopies:
    """Files given with `--from`, matched to releases by size and sha256 (by file name when a release has no
    checksum); each checksum computed at most once."""

    paths: Sequence[Path]
    _sha256: dict[Path, str] = field(default_factory=dict)

    def sha256(self, path: Path) -> str:
        if path not in self._sha256:
            self._sha256[path] = sha256_of(path)
        return self._sha256[path]

    def match(self, release: Release) -> Path | None:
        for path in self.paths:
            if release.sha256 is None:
                if path.name == file_name(release):
                    return path
            elif release.size in (None, path.stat().st_size) and self.sha256(path) == release.sha256.lower():
                return path
        return None


def _check_copies(copies: LocalCopies, tasks: Sequence[Task]) -> None:
    """Every `--from` file is a readable file that some release of the selected tasks is."""
    for path in copies.paths:
        if not path.is_file():
            raise XltBenchError(f"--from {path}: not a file")
        if not any(copies.match(release) == path for task in tasks for release in task.releases):
            names = sorted({file_name(release) for task in tasks for release in task.releases})
            shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
            raise XltBenchError(
                f"--from {path}: not a release file of the selected tasks (its size and sha256 match none of "
                f"{shown or 'their releases: they have none'})"
            )


def _download(release: Release) -> Download:
    return Download(release.url, release.sha256, release.size, Path(release.path).name if release.path else None)


def file_name(release: Release) -> str:
    """The name a release's file has once downloaded."""
    return target_path(_download(release), Path()).name


def _manual_step(suite: str, release: Release) -> str:
    name = file_name(release)
    sums = f"sha256 {release.sha256}, {release.size:,} bytes" if release.sha256 and release.size else "no checksum"
    return f"{release.manual}: {name} ({sums}); then `xlt-bench prefetch --suite {suite} --from {name}`"


@dataclass
class Fetcher:
    """Brings releases and Hub copies into the caches, for one `prefetch` invocation, or for `eval` when it needs
    a language's releases it finds no copy of: where things go, what was already fetched, the Hub's state."""

    registry: Registry
    cache: Path
    split: str = "test"
    progress: bool = True
    copies: LocalCopies = field(default_factory=lambda: LocalCopies(()))
    hub: HubAccess | None = None
    downloaded: dict[str, tuple[Path, str]] = field(default_factory=dict)  # URL -> (file, status), once per URL

    def __post_init__(self) -> None:
        if self.hub is None:
            self.hub = HubAccess(cache=self.cache)

    def releases_of(self, task: Task, language: str) -> None:
        """The releases that serve `language`, fetched unless verified copies are there; raises DataUnavailable
        naming the first that failed."""
        for release in task.releases_for(language):
            item = self.release(task, release)
            if item.status == FAILED:
                raise DataUnavailable(f"{task.name}/{language}: {item.detail}")

    def release(self, task: Task, release: Release) -> Fetched:
        data = prefetched_data(self.cache, task)
        item = _download(release)
        if release.extract:
            folder = self.cache / "downloads"
        else:  # a plain file goes where `path` says, below the task's data folder
            folder = data / Path(release.path).parent if release.path else data
        languages = release.languages or task.languages
        try:
            if release.url not in self.downloaded:
                self.downloaded[release.url] = self._file(task, release, item, folder)
            path, status = self.downloaded[release.url]
            if release.extract:
                extract(path, data, members=release.members)
                return Fetched(task.name, languages, release.url, status, str(data))
            return Fetched(task.name, languages, release.url, status, str(path))
        except XltBenchError as error:
            return Fetched(task.name, languages, release.url, FAILED, str(error).removeprefix(f"{release.url}: "))

    def _file(self, task: Task, release: Release, item: Download, folder: Path) -> tuple[Path, str]:
        copy = verified_copy(item, folder)
        if copy is not None:
            return copy, CACHED
        given = self.copies.match(release)
        if given is not None:
            return adopt(item, folder, given), FETCHED
        if release.manual:
            raise XltBenchError(_manual_step(task.suite, release))
        return fetch(item, folder, progress=self.progress), FETCHED

    def hub_copy(self, task: Task, language: str) -> Fetched:
        from xlt_bench.data.loading import cache_entry, fingerprint, load_examples

        source = task.hub_source(language)
        if source is None or not source.faithful:
            return Fetched(task.name, (language,), "-", FAILED, f"no automatic source: {fetch_hint(task, language)}")
        hub = self.hub
        try:
            if not hub.reachable():
                raise DataUnavailable(hub.reason or "the Hub is not reachable")
            resolved = hub.pinned(self.registry.resolve_data(task, language, self.split, None))
            data_format = self.registry.data_format(resolved)
            cached = cache_entry(None, fingerprint(data_format, resolved, language, self.split)).is_dir()
            load_examples(data_format, resolved, language, self.split)
        except DataUnavailable as unavailable:
            return Fetched(task.name, (language,), f"hub:{source.path}", FAILED, str(unavailable))
        return Fetched(task.name, (language,), resolved.describe(), CACHED if cached else FETCHED, "datasets cache")


def prefetch(
    registry: Registry,
    suite: str,
    tasks: Sequence[str] | None,
    languages: Sequence[str] | None,
    cache: Path,
    split: str = "test",
    progress: bool = True,
    local_copies: Sequence[Path] = (),
) -> list[Fetched]:
    """Fetch what the selected tasks need (see the module docstring): one `Fetched` per release file and per
    language read from the Hub or without any source. Mistakes in the arguments raise `XltBenchError`."""
    selected = registry.suite_tasks(suite)
    if tasks is not None:
        unknown = sorted(set(tasks) - {task.name for task in selected})
        if unknown:
            raise XltBenchError(f"--tasks: {', '.join(unknown)} not in suite {suite!r}")
        selected = [task for task in selected if task.name in tasks]
    copies = LocalCopies([Path(path) for path in local_copies])
    _check_copies(copies, selected)
    run = Fetcher(registry, cache, split, progress, copies, HubAccess(cache=cache))
    report: list[Fetched] = []
    for task in selected:
        wanted = [language for language in task.languages if languages is None or language in languages]
        if not wanted:
            continue
        served = set()
        for release in task.releases:
            if release.languages and not set(release.languages) & set(wanted):
                continue
            report.append(run.release(task, release))
            served.update(release.languages or task.languages)
        report += [run.hub_copy(task, language) for language in wanted if language not in served]
    return report
