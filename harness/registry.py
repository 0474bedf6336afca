"""Everything the installed plugins registered: suites, tasks, task types (runners), metrics, data formats, model
adapters and language metadata, by name.

Tasks are named within their suite (XTREME and XTREME-R both have a `udpos`, with different languages): the
registry keys them as `<suite>/<task>`, and a bare task name is accepted wherever it is unambiguous.

Each plugin's registration hook is called on its own, so a plugin that raises, registers something malformed or
reuses a taken name loses only that registration; the problem is recorded in `Registry.problems` (printed as
warnings by the CLI) and the rest of the installation keeps working.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pluggy

from xlt_bench.data.formats import DataFormat, DataSource, DataUnavailable
from xlt_bench.errors import XltBenchError, first_line, warn
from xlt_bench.languages import Language, unknown_language
from xlt_bench.metrics import Metric
from xlt_bench.model_adapters import ModelAdapter
from xlt_bench.plugin_manager import PluginInfo, create_plugin_manager
from xlt_bench.runners.base import Runner, runner_problems
from xlt_bench.tasks import Suite, Task

_KINDS: dict[str, tuple[str, type]] = {
    "suites": ("xlt_register_suites", Suite),
    "tasks": ("xlt_register_tasks", Task),
    "metrics": ("xlt_register_metrics", Metric),
    "formats": ("xlt_register_formats", DataFormat),
    "adapters": ("xlt_register_model_adapters", ModelAdapter),
    "runners": ("xlt_register_runners", Runner),
    "languages": ("xlt_register_languages", Language),
}


def _wrong_type(kind: str, item: Any) -> str | None:
    """Why `item` is not something a `kind` hook registers (runners: a `Runner` subclass; the rest: an instance)."""
    expected = _KINDS[kind][1]
    if kind == "runners":
        ok = isinstance(item, type) and issubclass(item, Runner)
        return None if ok else f"register() got {item!r}, expected a subclass of {expected.__name__}"
    return None if isinstance(item, expected) else f"register() got {type(item).__name__}, expected {expected.__name__}"


def _problems(kind: str, item: Any) -> list[str]:
    """What is malformed about a registered item of the right type; empty when it is sound."""
    if kind == "runners":
        return runner_problems(item)
    return item.problems() if hasattr(item, "problems") else []


def _name(item: Any) -> str:
    if isinstance(item, Language):
        return item.code
    return getattr(item, "type", None) if isinstance(item, type) else getattr(item, "name", None)


DEFAULT_SUITE = "xtreme"  # the suite of commands given neither --suite nor a task that names one


def unknown_name(kind: str, name: str, known: Sequence[str]) -> XltBenchError:
    """The error for a name that is not registered, listing the known ones and the closest match."""
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return XltBenchError(f"unknown {kind} {name!r} (known: {', '.join(sorted(known)) or 'none'}){hint}")


class Registry:
    """Registered suites, tasks, runners, metrics and formats, plus the plugins they came from and any problems."""

    def __init__(self, pm: pluggy.PluginManager, plugins: list[PluginInfo]) -> None:
        self.pm = pm
        self.plugins = plugins
        self.problems = [
            f"plugin {p.name!r} ({p.module}) failed to load and was skipped: {p.error}" for p in plugins if p.error
        ]
        self.suites: dict[str, Suite] = {}
        self.tasks: dict[str, Task] = {}
        self.metrics: dict[str, Metric] = {}
        self.formats: dict[str, DataFormat] = {}
        self.adapters: dict[str, ModelAdapter] = {}
        self.runners: dict[str, type[Runner]] = {}  # task type -> runner class
        self.languages: dict[str, Language] = {}  # primary code -> language
        self.language_codes: dict[str, str] = {}  # every code and alias -> primary code
        self.origin: dict[tuple[str, str], str] = {}  # (kind, name) -> plugin name
        self.broken_resolvers: set[str] = set()  # plugins whose xlt_resolve_data raised (reported once)
        self.refused_tasks: dict[str, list[tuple[str, str]]] = {}  # plugin -> (task key, problem) it was refused for
        for kind in ("metrics", "formats", "adapters", "runners", "suites", "tasks", "languages"):
            self._collect(kind)
        self._check_references()

    def _collect(self, kind: str) -> None:
        hook_name = _KINDS[kind][0]
        table: dict[str, Any] = getattr(self, kind)
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():

            def register(item: Any, plugin: str = impl.plugin_name) -> None:
                if wrong := _wrong_type(kind, item):
                    self._refuse(kind, plugin, "", f"plugin {plugin!r}: {wrong}; skipped")
                    return
                if problems := _problems(kind, item):
                    self._refuse(
                        kind,
                        plugin,
                        _key(item),
                        f"plugin {plugin!r}: malformed {kind[:-1]} {_name(item)!r} skipped: {'; '.join(problems)}",
                    )
                elif taken := self._taken(kind, item):
                    holder = self.language_codes[taken] if kind == "languages" else taken
                    first = self.origin[(kind, holder)]
                    self._refuse(
                        kind,
                        plugin,
                        _key(item),
                        f"plugin {plugin!r}: {kind[:-1]} {taken!r} is already registered by {first!r}; skipped",
                    )
                else:
                    table[_key(item)] = item
                    self.origin[(kind, _key(item))] = plugin
                    if kind == "languages":
                        self.language_codes.update(dict.fromkeys((item.code, *item.aliases), item.code))

            try:
                impl.function(**{arg: register for arg in impl.argnames})
            except Exception as error:
                self.problems.append(f"plugin {impl.plugin_name!r}: {hook_name} raised {type(error).__name__}: {error}")

    def _taken(self, kind: str, item: Any) -> str | None:
        """The name (for a language: its code or an alias) of `item` that an earlier registration holds, if any."""
        if kind == "languages":
            return next((code for code in (item.code, *item.aliases) if code in self.language_codes), None)
        return _key(item) if _key(item) in getattr(self, kind) else None

    def _refuse(self, kind: str, plugin: str, key: str, problem: str) -> None:
        """Record why a registration was refused; a refused task is also remembered for its plugin and suite."""
        self.problems.append(problem)
        if kind == "tasks":
            self.refused_tasks.setdefault(plugin, []).append((key, problem))

    def _check_references(self) -> None:
        # Only the metric is required: a task is scorable from submission files without its data format,
        # which is checked when data is loaded (`data_format`).
        for key, task in list(self.tasks.items()):
            plugin = self.origin[("tasks", key)]
            if task.metric not in self.metrics:
                value = task.metric in task.main_metrics  # `f1` copied from `list tasks`: a value seqeval computes
                hint = f"; {task.metric!r} is a main metric, a value the metric computes" if value else ""
                self._refuse(
                    "tasks",
                    plugin,
                    key,
                    f"task {key!r} refers to unregistered metric {task.metric!r} (`metric` names a registered metric, "
                    f"see `xlt-bench list metrics`{hint}); skipped",
                )
                del self.tasks[key]
            elif problems := self.task_type_problems(task):
                self._refuse("tasks", plugin, key, f"task {key!r}: {problems[0]}; skipped")
                del self.tasks[key]
        for suite in self.suites.values():
            absent = [name for name in (*suite.tasks, *suite.optional) if f"{suite.name}/{name}" not in self.tasks]
            if absent:
                self.problems.append(f"suite {suite.name!r}: tasks not registered: {', '.join(absent)}")

    def suite(self, name: str) -> Suite:
        if name not in self.suites:
            raise unknown_name("suite", name, list(self.suites))
        return self.suites[name]

    def task(self, name: str, suite: str | None = None) -> Task:
        """A task by `<suite>/<task>`, by name within `suite`, or by a bare name that only one suite uses."""
        key = name if "/" in name else f"{suite}/{name}" if suite else None
        if key is None:
            matches = [task for task in self.tasks.values() if task.name == name]
            if len(matches) > 1:
                qualified = " or ".join(f"{task.suite}/{name}" for task in matches)
                raise XltBenchError(f"task {name!r} is in several suites; write {qualified} (or pass --suite)")
            key = _key(matches[0]) if matches else name
        if key not in self.tasks:
            raise unknown_name("task", key, list(self.tasks))
        return self.tasks[key]

    def every_task_refused(self, plugin: str) -> list[str]:
        """Why each task `plugin` offered was refused, when none of them was registered (empty otherwise)."""
        refused = self.refused_tasks.get(plugin, [])
        if any(self.origin.get(("tasks", key)) == plugin for key in self.tasks):
            return []
        return [problem for _, problem in refused]

    def no_tasks_reason(self, suite: str) -> str:
        """Why a registered suite has no registered task: the refusals of its tasks, else the names no plugin
        registered."""
        every = [entry for entries in self.refused_tasks.values() for entry in entries]
        refused = [problem for key, problem in every if key.startswith(f"{suite}/")]
        if refused:
            more = f" (and {len(refused) - 1} more refusals)" if len(refused) > 1 else ""
            return f"suite {suite!r} has no registered task: {refused[0]}{more}"
        definition = self.suite(suite)
        return f"suite {suite!r} has no registered task: no plugin registered {', '.join(definition.tasks)}"

    def suite_for(self, suite: str | None, tasks: Sequence[str] | None) -> str:
        """The suite a command works on: `--suite`; without it, the one `--tasks` names (`suite/task`, or a name only
        one suite has; names no suite has are left to the command to report); with neither, `DEFAULT_SUITE`."""
        if suite is not None:
            return suite
        named: dict[str, str] = {}
        for name in tasks or ():
            if "/" in name:
                named[name] = name.partition("/")[0]
            elif any(task.name == name for task in self.tasks.values()):
                try:
                    named[name] = self.task(name).suite
                except XltBenchError as error:  # in several suites
                    raise XltBenchError(f"--tasks: {error}") from None
        suites = sorted(set(named.values()))
        if len(suites) > 1:
            listed = ", ".join(f"{name} ({named_suite})" for name, named_suite in named.items())
            raise XltBenchError(f"--tasks names tasks of several suites: {listed}; pass --suite or run them apart")
        return suites[0] if suites else DEFAULT_SUITE

    def suite_tasks(self, suite: str, optional: bool = False) -> list[Task]:
        """The registered tasks of a suite in the suite's order (the ones its score counts, plus `optional`)."""
        definition = self.suite(suite)
        names = (*definition.tasks, *definition.optional) if optional else definition.tasks
        return [self.tasks[f"{suite}/{name}"] for name in names if f"{suite}/{name}" in self.tasks]

    def language(self, code: str) -> Language:
        """The language with this code or alias; for a code no plugin knows, one whose every property is unknown."""
        primary = self.language_codes.get(code)
        return unknown_language(code) if primary is None else self.languages[primary]

    def adapters_for(self, role: str) -> list[ModelAdapter]:
        """The model adapters of a runner role, plugins' before the built-in ones (so plugins can override)."""
        core = {info.name for info in self.plugins if info.origin == "core"}
        found = [adapter for adapter in self.adapters.values() if adapter.role == role]
        return sorted(found, key=lambda adapter: self.origin[("adapters", adapter.name)] in core)

    def task_type_problems(self, task: Task) -> list[str]:
        """What `task` lacks for its task type's runner (or that its type is not registered); empty when none."""
        if task.type not in self.runners:
            return [str(unknown_name("task type", task.type, list(self.runners)))]
        return self.runners[task.type](task).declaration_problems()

    def runner(self, task: Task) -> Runner:
        """A runner for `task` (its type was checked when the task was registered)."""
        if task.type not in self.runners:
            raise unknown_name("task type", task.type, list(self.runners))
        return self.runners[task.type](task)

    def metric(self, task: Task) -> Metric:
        return self.metrics[task.metric]

    def resolve_data(self, task: Task, language: str, split: str, data_dir: Path | None) -> DataSource:
        """Ask the plugins where the data of (task, language, split) is (raises `DataUnavailable`).

        Called as pluggy would (first non-None answer, in hook order), except that a resolver raising anything but
        an `XltBenchError` is a broken plugin: reported once and passed over, so it cannot break the other tasks.
        """
        arguments = {"task": task, "language": language, "split": split, "data_dir": data_dir}
        for implementation in reversed(self.pm.hook.xlt_resolve_data.get_hookimpls()):
            try:
                answer = implementation.function(**{name: arguments[name] for name in implementation.argnames})
            except XltBenchError:
                raise
            except Exception as error:
                if implementation.plugin_name not in self.broken_resolvers:
                    self.broken_resolvers.add(implementation.plugin_name)
                    reason = f"{type(error).__name__}: {first_line(error)}"
                    warn(f"plugin {implementation.plugin_name!r}: xlt_resolve_data raised {reason}; answers ignored")
                continue
            if answer is not None:
                return answer
        raise DataUnavailable(f"no plugin resolves the {split} data of {task.name} for {language!r}")

    def data_format(self, source: DataSource) -> DataFormat:
        if source.format not in self.formats:
            raise DataUnavailable(
                f"data format {source.format!r} is not registered by any installed plugin "
                f"(known: {', '.join(sorted(self.formats))})"
            )
        return self.formats[source.format]


def _key(item: Any) -> str:
    """Registry key: tasks are qualified by their suite, runners named by their task type, languages by their primary
    code, the rest by name."""
    return f"{item.suite}/{item.name}" if isinstance(item, Task) else _name(item)


def load_registry(plugins: Sequence[str] = ()) -> Registry:
    """Load plugins (honouring `-p` and the autoload switch) and collect their registrations."""
    pm, infos = create_plugin_manager(plugins)
    return Registry(pm, infos)
