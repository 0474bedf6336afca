"""Data formats (readers of original releases) and data sources (which files, or which Hub split, to read).

A task declares *where* its data may be (`DataFiles` patterns, `HubSource`); resolution turns that into a
`DataSource` for one (task, language, split); a registered `DataFormat` reads the source into example dicts.
Readers are plain generators over files: no torch, no tokenisation, and errors name the file and line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
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

    def describe(self) -> str:
        if self.hub:
            return "hub:{}/{} [{}]".format(*self.hub)
        return ", ".join(str(path) for path in self.files)

    def fingerprint(self) -> list:
        """What identifies the content: file paths with size and mtime, or the Hub coordinates."""
        if self.hub:
            return list(self.hub)
        stamps = []
        for path in self.files:
            stat = os.stat(path)
            stamps.append([str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns])
        return stamps


@dataclass(frozen=True)
class DataFormat:
    """A named reader: `read(source, language, split, **source.params)` yields example dicts."""

    name: str
    read: Callable[..., Iterator[dict]]
    version: int = 1
    description: str = ""
