"""Finds and loads plugins: the core modules, then the entry-point group `xlt_bench`, as pytest does.

- Every distribution's `[project.entry-points.xlt_bench]` is loaded, the built-in suites included.
- `XLT_BENCH_DISABLE_PLUGIN_AUTOLOAD=1` loads none of them; `-p NAME` then loads one explicitly (an entry-point
  name or an importable module), and `-p no:NAME` blocks one. An unknown `-p NAME` is an error.
- A plugin that fails to import or to register is reported (see `PluginInfo.error`) and skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points

import pluggy

from xlt_bench import hookspecs
from xlt_bench.errors import XltBenchError

ENTRY_POINT_GROUP = "xlt_bench"
CORE_PLUGINS = (
    "xlt_bench.metrics",
    "xlt_bench.data",
    "xlt_bench.data.resolve",
    "xlt_bench.model_adapters",
    "xlt_bench.runners",
    "xlt_bench.languages",
)


@dataclass
class PluginInfo:
    """What `xlt-bench plugins` shows about one plugin."""

    name: str
    origin: str  # "core", "entry point", "-p"
    module: str
    distribution: str = ""
    version: str = ""
    error: str = ""


def _register(pm: pluggy.PluginManager, info: PluginInfo, load) -> PluginInfo:
    try:
        pm.register(load(), name=info.name)
    except (Exception, SystemExit) as error:  # a broken plugin (one calling sys.exit too) must never break the CLI
        info.error = f"{type(error).__name__}: {error}".splitlines()[0]
    return info


def create_plugin_manager(requested: Sequence[str] = ()) -> tuple[pluggy.PluginManager, list[PluginInfo]]:
    """A plugin manager with core, autoloaded and `-p` plugins registered, and what was loaded."""
    pm = pluggy.PluginManager("xlt_bench")
    pm.add_hookspecs(hookspecs)
    if empty := [name for name in requested if not name.removeprefix("no:").strip()]:
        raise XltBenchError(f"-p {empty[0]!r}: expected a plugin name (or no:NAME to block one)")
    blocked = {name[3:] for name in requested if name.startswith("no:")}
    wanted = [name for name in requested if not name.startswith("no:")]
    for name in blocked:
        pm.set_blocked(name)
    infos = [_register(pm, PluginInfo(m, "core", m), lambda m=m: importlib.import_module(m)) for m in CORE_PLUGINS]

    available = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    autoload = os.environ.get("XLT_BENCH_DISABLE_PLUGIN_AUTOLOAD", "") in ("", "0")
    chosen = [name for name in available if autoload and name not in blocked]
    chosen += [name for name in wanted if name in available and name not in chosen]
    for name in chosen:
        ep = available[name]
        dist = ep.dist.name if ep.dist else ""
        version = ep.dist.version if ep.dist else ""
        info = PluginInfo(name, "entry point", ep.value, dist, version)
        infos.append(_register(pm, info, ep.load))
    for name in wanted:
        if name in available or pm.get_plugin(name) is not None:
            continue
        try:
            found = importlib.util.find_spec(name) is not None
        except ImportError:
            found = False
        if not found:
            raise XltBenchError(
                f"-p {name}: no plugin with that entry-point name and no importable module of that name "
                f"(installed plugins: {', '.join(sorted(available)) or 'none'})"
            )
        infos.append(_register(pm, PluginInfo(name, "-p", name), lambda name=name: importlib.import_module(name)))
    return pm, infos
