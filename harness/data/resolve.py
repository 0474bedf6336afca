"""The built-in data resolver: official file names anywhere below `--data-dir`, else a faithful Hub copy.

Files are matched by their official names whatever the folder above them, so `--data-dir` may point at an
extracted release, a parent of several, or XTREME's `download/` folder. A pattern's folder components may also match
the folders of `--data-dir` itself (`ud-treebanks-v2.5/*/de_*-ud-test.conllu` finds the files when `--data-dir` is
`ud-treebanks-v2.5`). Two forms beyond globs, for data whose identity a glob cannot pin down:

- a first component `!GLOB` excludes files below any folder matching GLOB (`--data-dir`'s own folders included):
  `!ud-treebanks-v*/de_*-ud-test.conllu` is a UD file outside every UD release folder, so another release's file
  is never read in place of the expected one;
- `{every_lang}` makes the source one file per language of the layout (else of the task), in that order, each
  found by the pattern filled with it: LAReQA pools exactly the 11 `xquad-r/<lang>.json` (a stray copy beside them
  is not read), and a missing one makes the data unavailable, naming it.

A task's layouts and patterns are tried in their declared order (the plugins declare the original release before
processed copies) and the first that finds files is read; when a later one also finds files, one warning line names
the file read and the ones passed over. Submission folders below `--data-dir` (`labels/` and `predictions/`, as in
XTREME's `mock_test_data/` and every `eval` run folder) are not indexed: their files carry the data's names but are
not data. `--data-dir` pointing at a submission folder itself reads it as given.

With `--data-dir` given, only local files are used (no silent network access); without it, the task's release files
in the cache (prefetched, or downloaded there by `eval`), else the language's Hub copy when it is faithful
(`resolve_source`). Only regular files are indexed (a FIFO
or a device would block the reader), and every real folder is walked once however many symlinks lead to it (a link
to a parent would otherwise never end).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

from xlt_bench.cache import prefetched_data
from xlt_bench.data.formats import DataSource, DataUnavailable
from xlt_bench.errors import warn
from xlt_bench.hookspecs import hookimpl
from xlt_bench.tasks import DataFiles, Task

if TYPE_CHECKING:
    from xlt_bench.registry import Registry

EVERY_LANGUAGE = "{every_lang}"
EXCLUDE = "!"
SUBMISSION_FOLDERS = ("labels", "predictions")  # below --data-dir: scored files named like the data, never data


def _folder_identity(path: str | os.DirEntry) -> tuple[int, int] | None:
    """(device, inode) of a folder after following links, None when it cannot be read."""
    try:
        stat = path.stat() if isinstance(path, os.DirEntry) else os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class FileIndex:
    """Every regular file below a root folder (hidden folders and submission folders below the root's own
    children skipped), listed once and matched by path suffix."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.above = Path(os.path.abspath(root)).parts[1:]  # the root's own folders, for patterns that name them
        self.files: list[tuple[str, ...]] = []
        self.told: set[str] = set()  # the choices already said on stderr, said once per data folder
        seen = {_folder_identity(str(root))}
        pending: list[tuple[str, ...]] = [()]
        while pending:
            relative = pending.pop()
            try:
                with os.scandir(root.joinpath(*relative)) as listing:
                    entries = sorted(listing, key=lambda entry: entry.name)
            except OSError:
                continue
            folders = []
            for entry in entries:
                try:
                    if entry.is_dir():  # follows links: a link to a folder is walked, once per real folder
                        identity = _folder_identity(entry)
                        skipped = entry.name.startswith(".") or (relative != () and entry.name in SUBMISSION_FOLDERS)
                        if not skipped and identity is not None and identity not in seen:
                            seen.add(identity)
                            folders.append((*relative, entry.name))
                    elif entry.is_file():  # FIFOs, devices, sockets and broken links are not data files
                        self.files.append((*relative, entry.name))
                except OSError:
                    continue
            pending.extend(reversed(folders))

    def find(self, pattern: str) -> list[Path]:
        """Files whose last path components match `pattern` component by component, sorted by file name; a first
        component `!GLOB` leaves out files below a folder matching GLOB (see the module docstring)."""
        wanted = pattern.split("/")
        excluded = wanted.pop(0)[len(EXCLUDE) :] if wanted[0].startswith(EXCLUDE) else None
        found = []
        for parts in self.files:
            full = parts if len(parts) >= len(wanted) else (*self.above, *parts)
            if len(full) < len(wanted) or not all(map(fnmatchcase, full[-len(wanted) :], wanted)):
                continue
            if excluded is None or not any(fnmatchcase(folder, excluded) for folder in (*self.above, *parts[:-1])):
                found.append(parts)
        return [self.root.joinpath(*parts) for parts in sorted(found, key=lambda parts: (parts[-1], parts))]


@functools.lru_cache(maxsize=8)
def file_index(root: Path) -> FileIndex:
    return FileIndex(root)


def _fill(template: str, language: str, code: str) -> str:
    return template.replace("{lang}", language).replace("{code}", code)


def _unambiguous(pattern: str, matches: list[Path], root: Path) -> list[Path]:
    names = [path.name for path in matches]
    if len(set(names)) != len(names) or ("*" not in pattern and len(matches) > 1):
        shown = ", ".join(str(path.relative_to(root)) for path in matches[:3])
        raise DataUnavailable(
            f"{len(matches)} files match {_describe(pattern)} below {root} ({shown}); pass a narrower --data-dir"
        )
    return matches


def _describe(pattern: str) -> str:
    """A pattern as the user reads it in a 'not found' message."""
    if pattern.startswith(EXCLUDE):
        excluded, _, rest = pattern[len(EXCLUDE) :].partition("/")
        return f"{rest!r} outside any {excluded!r} folder"
    return repr(pattern)


def _pool(
    index: FileIndex, template: str, task: Task, layout: DataFiles, fill: Callable[[str], str]
) -> tuple[list[Path], list[str]]:
    """The files of an `{every_lang}` template, one per language, and the patterns that found none."""
    files: list[Path] = []
    missing: list[str] = []
    for other in layout.languages or task.languages:
        pattern = fill(template.replace(EVERY_LANGUAGE, other))
        matches = index.find(pattern)
        if matches:
            files += _unambiguous(pattern, matches, index.root)
        else:
            missing.append(pattern)
    return files, missing


def _declared(task: Task, language: str, split: str) -> list[tuple[DataFiles, str]]:
    """The (layout, template) pairs that may hold a language's split, in the order the task declares them."""
    return [
        (layout, template)
        for layout in task.data
        if not layout.languages or language in layout.languages
        for template in layout.patterns.get(split, ())
    ]


def _local_source(task: Task, language: str, split: str, data_dir: Path) -> DataSource:
    tried: list[str] = []
    index = file_index(Path(data_dir).resolve())
    declared = _declared(task, language, split)
    for position, (layout, template) in enumerate(declared):
        fill = functools.partial(_fill, language=language, code=layout.language_codes.get(language, language))
        if EVERY_LANGUAGE in template:
            files, missing = _pool(index, template, task, layout, fill)
            if files and missing:
                raise DataUnavailable(
                    f"{task.name} pools one {fill(template)!r} per language of the task; missing below {data_dir}: "
                    f"{', '.join(repr(pattern) for pattern in missing)}"
                )
            tried.append(f"{fill(template)!r} for each of {', '.join(layout.languages or task.languages)}")
        else:
            pattern = fill(template)
            matches = index.find(pattern)
            files = _unambiguous(pattern, matches, index.root) if matches else []
            tried.append(_describe(pattern))
        if files:
            _say_choice(index, f"{task.name}/{language} {split}", files, declared[position + 1 :], language)
            params = {k: fill(v) if isinstance(v, str) else v for k, v in layout.params.items()}
            return DataSource(layout.format, tuple(files), params=params)
    looked_for = " or ".join(tried) or f"no file layout declares a {split!r} split"
    raise DataUnavailable(f"no {task.name} {split} data for {language!r} below {data_dir} (looked for {looked_for})")


def _say_choice(
    index: FileIndex, what: str, files: list[Path], later: list[tuple[DataFiles, str]], language: str
) -> None:
    """One stderr line (once per data folder) when patterns declared later would also have found files: which
    files are read and which are not. The ordinary case, one candidate, says nothing."""
    others: list[Path] = []
    for layout, template in later:
        if EVERY_LANGUAGE not in template:
            found = index.find(_fill(template, language, layout.language_codes.get(language, language)))
            others += [path for path in found if path not in files and path not in others]
    if not others:
        return
    relative = [str(path.relative_to(index.root)) for path in others[:3]]
    passed = ", ".join(relative) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    read = ", ".join(str(path.relative_to(index.root)) for path in files[:3]) + (" ..." if len(files) > 3 else "")
    line = f"{what}: several candidates below {index.root}; reading {read} (declared first), not {passed}"
    if line not in index.told:
        index.told.add(line)
        warn(line)


def resolve_source(
    registry: Registry,
    task: Task,
    language: str,
    split: str,
    data_dir: Path | None,
    cache: Path,
    fetch_releases: Callable[[Task, str], None] | None = None,
) -> DataSource:
    """Where `eval` reads a (task, language, split).

    With `--data-dir`, only there. Without it, one automatic source per language: the task's releases that serve
    it, read from the cache (`cache.prefetched_data`), where `fetch_releases(task, language)` puts them first when
    they are not there yet (`eval` passes it when it may download: online, one process); a language no release
    serves, from what the plugins resolve without a folder (its Hub copy)."""
    if data_dir is not None:
        return registry.resolve_data(task, language, split, data_dir)
    if not task.releases_for(language):
        return registry.resolve_data(task, language, split, None)
    prefetched = prefetched_data(cache, task)
    try:
        return registry.resolve_data(task, language, split, prefetched)
    except DataUnavailable:
        if fetch_releases is None:
            raise DataUnavailable(
                f"{task.name}: the release files of {language!r} are not in the cache ({prefetched}); "
                f"{fetch_hint(task, language)}"
            ) from None
    fetch_releases(task, language)
    file_index.cache_clear()  # the folder's listing changed
    return registry.resolve_data(task, language, split, prefetched)


def _hub_source(task: Task, language: str, split: str) -> DataSource:
    hub = task.hub_source(language)
    if hub is None or split not in hub.splits:
        reason = f"no {split} data for {language!r} here (no --data-dir, nothing prefetched) and no Hub copy"
        raise DataUnavailable(f"{task.name}: {reason}; {fetch_hint(task, language)}")
    if not hub.faithful:
        reason = f"the Hub copy {hub.path} is not faithful ({hub.note})"
        raise DataUnavailable(f"{task.name}: {reason}; {fetch_hint(task, language)}")
    code = hub.language_codes.get(language, language)
    coordinates = (hub.path, _fill(hub.config, language, code), _fill(hub.splits[split], language, code))
    filters = {column: _fill(value, language, code) for column, value in hub.filters.items()}
    params = {"fields": dict(hub.fields), "filters": filters, "label_values": dict(hub.label_values)}
    if hub.data_dir:
        params["data_dir"] = _fill(hub.data_dir, language, code)
    return DataSource(hub.format, hub=coordinates, params=params, revision=hub.revision)


def fetch_hint(task: Task, language: str) -> str:
    """What gets a language's data when nothing local has it: the one-line manual step a release needs, else the
    prefetch command (it downloads the releases, or caches the Hub copy), else --data-dir."""
    manual = next((release.manual for release in task.releases_for(language) if release.manual), task.manual_data)
    if manual:
        return f"{manual}, or pass --data-dir"
    hub = task.hub_source(language)
    if task.releases_for(language) or (hub is not None and hub.faithful):
        command = f"xlt-bench prefetch --suite {task.suite} --tasks {task.name} --languages {language}"
        return f"run `{command}` while online, or pass --data-dir"
    return "pass --data-dir with the original files"


@hookimpl(trylast=True)
def xlt_resolve_data(task: Task, language: str, split: str, data_dir: Path | None) -> DataSource:
    if data_dir is not None:
        return _local_source(task, language, split, data_dir)
    return _hub_source(task, language, split)
