"""Data formats (readers of original releases) and data sources (which files, or which Hub split, to read).

A task declares *where* its data may be (`DataFiles` patterns, `HubSource`); resolution turns that into a
`DataSource` for one (task, language, split); a registered `DataFormat` reads the source into example dicts.
Readers are plain generators over files: no torch, no tokenisation, and errors name the file and line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError


class DataUnavailable(XltBenchError):
    """No usable data for one (task, language, split); the message says what was looked for and why not."""


@dataclass(frozen=True)
class DataSource:
    """The concrete input of one (task, language, split): local files (read in order) or a Hub dataset split."""

    format: str
    files: tuple[Path, ...] = ()
    hub: tuple[str, str, str] | None = None  # (dataset path, config, split)
    params: Mapping[str, Any] = field(default_factory=dict)
    revision: str | None = None  # the Hub dataset's git revision (`HubSource.revision`); None: its main branch

    def describe(self) -> str:
        if self.hub:
            path, config, split = self.hub
            return f"hub:{path}/{config}{'@' + self.revision if self.revision else ''} [{split}]"
        return ", ".join(str(path) for path in self.files)

    def fingerprint(self, files: Sequence[Path] | None = None) -> list:
        """What identifies the content: paths with size and mtime of `files` (default: the source's own; pass
        `data_files(...)` so the companions its format reads count too), or the Hub coordinates (with the revision
        when one is pinned)."""
        if self.hub:
            return [*self.hub, *([self.revision] if self.revision else [])]
        stamps = []
        for path in self.files if files is None else files:
            stat = os.stat(path)
            stamps.append([str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns])
        return stamps


@dataclass(frozen=True)
class DataFormat:
    """A named reader: `read(source, language, split, **source.params)` yields example dicts.

    `companions(path)`, where the reader opens other files next to each of a source's files (Tatoeba's English side,
    BUCC's `.en` and `.gold`, Mewsli-X's entity file, XGLUE QG/NTG's `.tgt.` file), lists them: they are part of the
    data's identity (`data_files`), so the data cache key and the result signature cover them and an edited
    companion is read again, never served from the parse of the old one.
    """

    name: str
    read: Callable[..., Iterator[dict]]
    version: int = 1
    description: str = ""
    companions: Callable[[Path], Sequence[Path]] | None = None


def data_files(data_format: DataFormat, source: DataSource) -> list[Path]:
    """Every file the data of `source` is read from: its own files, then their companions, each once, in a stable
    order. This is what identifies the data (cache key, result signature). A missing companion is left out: the
    reader reports it."""
    files = [Path(path) for path in source.files]
    for path in list(files) if data_format.companions else ():
        for other in data_format.companions(path):
            if other not in files and other.is_file():
                files.append(other)
    return files


def companion(path: Path, other: Path, what: str = "companion file") -> Path:
    """`other`, a file the reader of `path` also opens (see `DataFormat.companions`), or an error naming both."""
    if not other.is_file():
        raise XltBenchError(f"{path}: its {what} {other.name} is missing")
    return other
