"""xlt-bench: zero-shot cross-lingual transfer benchmarks as pluggy plugins.

`xlt_bench.evaluate(...)` runs `eval` from Python (on a checkpoint or a model in memory) and
`xlt_bench.TransferCallback` evaluates zero-shot transfer during `transformers.Trainer` training. What a plugin
author imports lives here too: `hookimpl`, the metadata types (`Task`, `Suite`, `TaskType`, `DataFiles`,
`HubSource`, `Release`), data formats (`DataFormat`, `DataSource`, `DataUnavailable`), `Metric` and its
`SubmissionFormat`, a new task type's `Runner` and `Job`, language metadata (`Language`), and `XltBenchError`;
`xlt_bench.hookspecs` is the hook reference. Importing this package is cheap: it never imports torch,
transformers, datasets or faiss, and the re-exported names load their modules on first use (`xlt-bench --help`
pays for none of them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from xlt_bench.hookspecs import HOOK_API, hookimpl

if TYPE_CHECKING:
    from xlt_bench.data.formats import DataFormat, DataSource, DataUnavailable
    from xlt_bench.errors import XltBenchError
    from xlt_bench.languages import Language
    from xlt_bench.metrics import Metric
    from xlt_bench.python_api import evaluate
    from xlt_bench.runners.base import Job, Runner
    from xlt_bench.submission import SubmissionFormat
    from xlt_bench.tasks import DataFiles, HubSource, Release, Suite, Task, TaskType
    from xlt_bench.trainer_callback import TransferCallback

__version__ = "0.1.0"
_HOMES = {
    "DataFiles": "xlt_bench.tasks",
    "HubSource": "xlt_bench.tasks",
    "Release": "xlt_bench.tasks",
    "Suite": "xlt_bench.tasks",
    "Task": "xlt_bench.tasks",
    "TaskType": "xlt_bench.tasks",
    "DataFormat": "xlt_bench.data.formats",
    "DataSource": "xlt_bench.data.formats",
    "DataUnavailable": "xlt_bench.data.formats",
    "Metric": "xlt_bench.metrics",
    "Job": "xlt_bench.runners.base",
    "Runner": "xlt_bench.runners.base",
    "SubmissionFormat": "xlt_bench.submission",
    "XltBenchError": "xlt_bench.errors",
    "Language": "xlt_bench.languages",
    "evaluate": "xlt_bench.python_api",
    "TransferCallback": "xlt_bench.trainer_callback",
}
__all__ = [
    "HOOK_API",
    "DataFiles",
    "DataFormat",
    "DataSource",
    "DataUnavailable",
    "HubSource",
    "Job",
    "Language",
    "Metric",
    "Release",
    "Runner",
    "SubmissionFormat",
    "Suite",
    "Task",
    "TaskType",
    "TransferCallback",
    "XltBenchError",
    "__version__",
    "evaluate",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    """A re-exported name, imported from its home module when first asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module 'xlt_bench' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
