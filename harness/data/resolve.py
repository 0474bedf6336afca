"""The built-in data resolver: official file names anywhere below `--data-dir`, else a faithful Hub copy.

Files are matched by their official names whatever the folder above them, so `--data-dir` may point at an
extracted release, a parent of several, or XTREME's `download/` folder. With `--data-dir` given, only local files
are used (no silent network access); without it, the task's Hub source is used when it is faithful.
"""

from __future__ import annotations

import functools
import os
from fnmatch import fnmatchcase
from pathlib import Path

from xlt_bench.data.formats import DataSource, DataUnavailable
from xlt_bench.hookspecs import hookimpl
from xlt_bench.tasks import Task


class FileIndex:
    """Every file below a root folder (hidden folders skipped), listed once and matched by path suffix."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[tuple[str, ...]] = []
        for folder, subfolders, names in os.walk(root, followlinks=True):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            relative = Path(folder).relative_to(root).parts
            self.files.extend((*relative, name) for name in sorted(names))

    def find(self, pattern: str) -> list[Path]:
        """Files whose last path components match `pattern` component by component, sorted by file name."""
        wanted = pattern.split("/")
        found = [
            parts
            for parts in self.files
            if len(parts) >= len(wanted) and all(map(fnmatchcase, parts[-len(wanted) :], wanted))
        ]
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
            f"{len(matches)} files match {pattern!r} below {root} ({shown}); pass a narrower --data-dir"
        )
    return matches


def _local_source(task: Task, language: str, split: str, data_dir: Path) -> DataSource:
    tried: list[str] = []
    index = file_index(Path(data_dir).resolve())
    for layout in task.data:
        if layout.languages and language not in layout.languages:
            continue
        code = layout.language_codes.get(language, language)
        for template in layout.patterns.get(split, ()):
            pattern = _fill(template, language, code)
            matches = index.find(pattern)
            if matches:
                files = _unambiguous(pattern, matches, index.root)
                params = {k: _fill(v, language, code) if isinstance(v, str) else v for k, v in layout.params.items()}
                return DataSource(layout.format, tuple(files), params=params)
            tried.append(pattern)
    looked_for = " or ".join(repr(p) for p in tried) or f"no file layout declares a {split!r} split"
    raise DataUnavailable(f"no {task.name} {split} data for {language!r} below {data_dir} (looked for {looked_for})")


def _hub_source(task: Task, language: str, split: str) -> DataSource:
    hub = task.hub
    if hub is None or split not in hub.splits:
        raise DataUnavailable(f"{task.name} has no Hub source for the {split!r} split; pass --data-dir")
    if not hub.faithful:
        raise DataUnavailable(f"{task.name}: the Hub copy {hub.path} is not faithful ({hub.note}); pass --data-dir")
    code = hub.language_codes.get(language, language)
    coordinates = (hub.path, _fill(hub.config, language, code), _fill(hub.splits[split], language, code))
    filters = {column: _fill(value, language, code) for column, value in hub.filters.items()}
    params = {"fields": dict(hub.fields), "filters": filters, "label_values": dict(hub.label_values)}
    if hub.trust_remote_code:
        params["trust_remote_code"] = True
    return DataSource(hub.format, hub=coordinates, params=params)


@hookimpl(trylast=True)
def xlt_resolve_data(task: Task, language: str, split: str, data_dir: Path | None) -> DataSource:
    if data_dir is not None:
        return _local_source(task, language, split, data_dir)
    return _hub_source(task, language, split)
