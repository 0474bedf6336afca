"""`xlt-bench prefetch`: download a suite's official releases into the cache so that `eval` runs offline.

Each task's `releases` are fetched (resumable, checksummed: `xlt_bench.download`): archives into
`<cache>/downloads/` and extracted into `<cache>/data/<suite>/<task>/` (only the members below `Release.members`
when one archive serves several tasks, as XGLUE's), plain files straight into that folder, where `eval` finds them
by their official names when no `--data-dir` is given. A task without releases but with a faithful Hub copy (PAN-X)
is loaded once through `datasets`, which caches it for offline use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlt_bench.cache import prefetched_data
from xlt_bench.data.formats import DataUnavailable
from xlt_bench.download import Download, extract, fetch
from xlt_bench.errors import XltBenchError
from xlt_bench.hub_access import HubAccess
from xlt_bench.tasks import Task


@dataclass
class Fetched:
    """One line of the prefetch report."""

    task: str
    what: str
    where: str


def _release_files(
    task: Task, languages: Sequence[str] | None, cache: Path, progress: bool, fetched: dict[str, Path]
) -> list[Fetched]:
    """`fetched` maps the URLs this prefetch already verified to their files: an archive serving several tasks
    (XGLUE's) is downloaded and checksummed once, not once per task."""
    report = []
    data = prefetched_data(cache, task)
    for release in task.releases:
        if languages is not None and release.languages and not set(release.languages) & set(languages):
            continue
        target = Path(release.path) if release.path else None
        item = Download(release.url, release.sha256, release.size, target.name if target else None)
        if release.extract:
            if release.url not in fetched:
                fetched[release.url] = fetch(item, cache / "downloads", progress=progress)
            extract(fetched[release.url], data, members=release.members)
            report.append(Fetched(task.name, release.url, str(data)))
        else:
            folder = data / target.parent if target else data
            report.append(Fetched(task.name, release.url, str(fetch(item, folder, progress=progress))))
    return report


def _hub_copies(task: Task, languages: Sequence[str], split: str, registry) -> list[Fetched]:
    from xlt_bench.data.loading import load_examples

    report = []
    for language in languages:
        source = registry.resolve_data(task, language, split, None)
        load_examples(registry.data_format(source), source, language, split)
        report.append(Fetched(task.name, source.describe(), "datasets cache"))
    return report


def prefetch(
    registry,
    suite: str,
    tasks: Sequence[str] | None,
    languages: Sequence[str] | None,
    cache: Path,
    split: str = "test",
    progress: bool = True,
) -> list[Fetched]:
    """Fetch what the selected tasks need; raises `XltBenchError` on the first download that fails."""
    selected = registry.suite_tasks(suite)
    if tasks is not None:
        unknown = sorted(set(tasks) - {task.name for task in selected})
        if unknown:
            raise XltBenchError(f"--tasks: {', '.join(unknown)} not in suite {suite!r}")
        selected = [task for task in selected if task.name in tasks]
    report: list[Fetched] = []
    fetched: dict[str, Path] = {}
    hub = HubAccess()
    for task in selected:
        if task.releases:
            report += _release_files(task, languages, cache, progress, fetched)
        elif task.hub is not None and task.hub.faithful:
            if not hub.reachable():  # one probe, instead of datasets' ~23 s of retries per language
                raise XltBenchError(f"{task.name} is fetched from the Hugging Face Hub, and {hub.reason}")
            wanted = [lang for lang in task.languages if languages is None or lang in languages]
            try:
                report += _hub_copies(task, wanted, split, registry)
            except DataUnavailable as unavailable:
                raise XltBenchError(f"{task.name}: {unavailable}") from None
        else:
            report.append(Fetched(task.name, "nothing to download (no release files, no faithful Hub copy)", "-"))
    return report
