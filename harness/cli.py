"""The `xlt-bench` command line: parses arguments, calls the library, prints. Nothing else lives here.

torch, transformers and datasets are imported only by the commands that run models or read data (`eval`), so
`--help`, `list` and `plugins` start fast. User mistakes end with one `xlt-bench: error: ...` line and exit
status 2; tracebacks are kept for bugs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xlt_bench import __version__
from xlt_bench.errors import XltBenchError, warn
from xlt_bench.lineage import Lineage, parse_intermediate
from xlt_bench.model_adapters import ROLES
from xlt_bench.text_tables import fmt, render_table

DEMO_MARKER = ".xlt-bench-demo"
EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_BROKEN_PIPE = 2, 130, 143, 141
# a bug (any other exception): never 1, which `compare` gives a measured regression and CI reads as one
EXIT_BUG = 70  # sysexits.h EX_SOFTWARE
DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (`xlt-bench: error: --batch-size: ...`) and a hint, never the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        message = re.sub(r"^argument (?:\S+/)?(\S+): ", r"\1: ", message)
        self.exit(EXIT_USAGE, f"xlt-bench: error: {message} (see '{self.prog} --help')\n")


def _number(
    kind: Callable[[str], float], minimum: float | None, expected: str, maximum: float | None = None
) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = None
        low, high = -math.inf if minimum is None else minimum, math.inf if maximum is None else maximum
        if value is None or not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    parse.__name__ = expected  # what argparse would otherwise call the type in its messages
    return parse


POSITIVE = _number(int, 1, "a positive integer")
INTEGER = _number(int, None, "an integer")
SEED = _number(int, 0, "an integer from 0 to 2**32 - 1", 2**32 - 1)  # what numpy and torch accept
RESAMPLES = _number(int, 1, "an integer from 1 to 100000", 100_000)  # 1e5 x examples already takes minutes
NON_NEGATIVE = _number(float, 0, "a finite number >= 0")


def batch_size_spec(text: str) -> int | str:
    """`--batch-size`: a positive count of sequences, or "auto" (the most that fit in memory)."""
    if text == "auto":
        return text
    try:
        return int(POSITIVE(text))
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'auto', got {text!r}") from None


def path_text(text: str) -> str:
    """A path option's value; an empty one would silently mean the current folder or no folder at all."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a path, got {text!r}")
    return text


def device_spec(text: str) -> str:
    if not DEVICE.match(text):
        raise argparse.ArgumentTypeError(f"expected auto, cpu, cuda, cuda:N or mps, got {text!r}")
    return text


def tag_value(text: str) -> tuple[str, str]:
    """`KEY=VALUE` of `--tag`: a free label of the run's training (`lr=1e-5`, `data=filtered`), kept as text."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (e.g. lr=1e-5), got {text!r}")
    return key.strip(), value.strip()


def inference_value(text: str) -> tuple[str, object]:
    """`KEY=VALUE` of `--inference`: VALUE read as JSON when it is JSON (8, -1, true, null, {...}), else as text."""
    key, equals, value = text.partition("=")
    if not equals or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key.strip()):
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (e.g. layer=8), got {text!r}")
    try:
        return key.strip(), json.loads(value)
    except ValueError:
        return key.strip(), value


class InferenceShorthand(argparse.Action):
    """A documented shorthand for `--inference KEY=VALUE` (`--layer 8` is `--inference layer=8`)."""

    adds_to = "inference"  # for `run_config`: a config file's `layer: 8` is `inference: {layer: 8}` too

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[override]
        namespace.inference = [*(namespace.inference or []), (self.dest, values)]


def _inference(pairs: list[tuple[str, object]] | None) -> dict[str, object]:
    """`--inference` pairs and shorthands as one mapping; a parameter given twice is a mistake."""
    found: dict[str, object] = {}
    for key, value in pairs or []:
        if key in found:
            raise XltBenchError(f"--inference {key}: given twice ({found[key]!r} and {value!r})")
        found[key] = value
    return found


def _lineage(args: argparse.Namespace) -> Lineage:
    """`eval`'s training-lineage flags as one `Lineage` (`--intermediate mnli:50k,squad` keeps order and sizes)."""
    intermediate, sizes = parse_intermediate(args.intermediate) if args.intermediate else ((), {})
    tags = dict(args.tag or [])
    if len(tags) < len(args.tag or []):
        raise XltBenchError("--tag: a KEY is given twice")
    return Lineage(
        label=args.label,
        base=args.base,
        intermediate=intermediate,
        intermediate_sizes=sizes,
        regime=args.regime,
        train_languages=tuple(_csv(args.train_languages, "--train-languages") or ()),
        train_seed=args.train_seed,
        tags=tags,
    )


def _csv(value: str | None, option: str) -> list[str] | None:
    """A comma-separated option's items (None when the option was not given); an empty list is a mistake."""
    if value is None:
        return None
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise XltBenchError(f"{option}: expected comma-separated names, got {value!r}")
    return items


# -- flags several commands share -------------------------------------------------------------------------------


def _shared_flag(*names: str, **declaration: Any) -> Parser:
    """A parent parser (`parents=[...]`) declaring one flag that several commands take with the same meaning."""
    parent = Parser(add_help=False)
    parent.add_argument(*names, **declaration)
    return parent


SUITE_OF_TASKS = _shared_flag(
    "--suite",
    help="the suite whose tasks are meant (default: the one --tasks names, as suite/task or a task name only one "
    "suite has; xtreme without --tasks); a task name several suites have needs it",
)
TASKS_OF_SUITE = _shared_flag("--tasks", help="comma-separated task names (default: all of the suite)")
QUIET = _shared_flag("--quiet", action="store_true", help="no progress bars")
SEQEVAL_RULES = _shared_flag(
    "--seqeval-rules",
    choices=["0.0.12", "1.x"],
    help="chunking rules of seqeval-scored tasks (UD-POS, PAN-X, NER): 0.0.12 as the 2020 leaderboards (default) "
    "or 1.x as today's evaluate.py with unpinned seqeval",
)
LANGUAGES = _shared_flag("--languages", help="comma-separated language codes (default: all of each task)")
CACHE_DIR = _shared_flag(
    "--cache-dir",
    type=path_text,
    help="downloads, prefetched data and cached embeddings (default: $XLT_BENCH_CACHE or ~/.cache/xlt_bench)",
)
BOOTSTRAP = _shared_flag("--seed", type=SEED, default=0, help="seed of the paired bootstrap's draws")
BOOTSTRAP.add_argument("--resamples", type=RESAMPLES, default=1000, help="paired bootstrap resamples")
BOOTSTRAP.add_argument(
    "--allow-limited", action="store_true", help="set --limit runs beside full ones anyway, marked as such"
)
BASELINE_PROCEDURE = _shared_flag(
    "--allow-procedure-mismatch",
    action="store_true",
    help="set a published baseline beside runs predicted under another --procedure anyway, marked as such",
)


# -- plugins / list ----------------------------------------------------------------------------------------------


def _plugin_status(registry, info) -> str:
    """loaded, failed (with the error), or loaded with every task it offered refused (with the first reason)."""
    if info.error:
        return f"failed: {info.error}"
    refused = registry.every_task_refused(info.name)
    if refused:
        return f"every task refused ({len(refused)}): {refused[0]}"
    return "loaded"


def cmd_plugins(registry, args) -> int:
    rows = []
    for info in registry.plugins:
        plugin = registry.pm.get_plugin(info.name)
        hooks = sorted(caller.name for caller in registry.pm.get_hookcallers(plugin) or []) if plugin else []
        rows.append(
            {
                "name": info.name,
                "version": info.version or __version__ if info.origin == "core" else info.version,
                "origin": info.origin,
                "module": info.module,
                "distribution": info.distribution,
                "hooks": hooks,
                "status": _plugin_status(registry, info),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = [
        [
            r["name"],
            r["version"] or "-",
            r["origin"],
            r["distribution"] or r["module"],
            ",".join(r["hooks"]) or "-",
            r["status"],
        ]
        for r in rows
    ]
    print(render_table(["plugin", "version", "origin", "from", "hooks", "status"], table))
    return 0


def _plugins_parser(commands: argparse._SubParsersAction) -> None:
    plugins = commands.add_parser("plugins", help="installed plugins: name, version, where from, hooks")
    plugins.add_argument("--json", action="store_true", help="print JSON")
    plugins.set_defaults(handler=cmd_plugins)


def _task_sources(task) -> str:
    sources = [f"{d.format}: {' | '.join(p for ps in d.patterns.values() for p in ps[:1])}" for d in task.data]
    for hub in task.hub:
        sources.append(f"hub: {hub.path} {hub.config}" + ("" if hub.faithful else " (not faithful)"))
    return "; ".join(sources) or "-"


def _task_json(registry, task) -> dict:
    return {
        "name": task.name,
        "suite": task.suite,
        "type": task.type,
        "languages": list(task.languages),
        "train_language": task.train_language,
        "train_data": task.train_data,
        "splits": list(task.splits),
        "metric": task.metric,
        "main_metric": task.main_metric,
        "metric_params": dict(task.metric_params),
        "labels": list(task.labels),
        "data": [{"format": d.format, "patterns": {k: list(v) for k, v in d.patterns.items()}} for d in task.data],
        "hub": [
            {
                "path": hub.path,
                "config": hub.config,
                "revision": hub.revision,
                "languages": list(hub.languages or task.languages),
                "faithful": hub.faithful,
                "note": hub.note,
            }
            for hub in task.hub
        ],
        "releases": [
            {"url": release.url, "sha256": release.sha256, "size": release.size, "languages": list(release.languages)}
            for release in task.releases
        ],
        "inference": dict(task.inference),
        "version": task.version,
        "license": task.license,
        "homepage": task.homepage,
        "description": task.description,
        "plugin": registry.origin[("tasks", f"{task.suite}/{task.name}")],
    }


def cmd_list(registry, args) -> int:
    if args.what == "suites":
        suites = list(registry.suites.values())
        if args.json:
            payload = [
                {
                    "name": s.name,
                    "description": s.description,
                    "tasks": list(s.tasks),
                    "categories": {k: list(v) for k, v in s.categories.items()},
                    "score": s.score,
                    "plugin": registry.origin[("suites", s.name)],
                }
                for s in suites
            ]
            print(json.dumps(payload, indent=2))
        else:
            rows = [[s.name, len(s.tasks), registry.origin[("suites", s.name)], s.description] for s in suites]
            print(render_table(["suite", "tasks", "plugin", "description"], rows))
        return 0
    if args.what == "metrics":
        rows = [[m.name, ",".join(m.keys), m.submission.extension, m.description] for m in registry.metrics.values()]
        print(render_table(["metric", "values", "file", "description"], rows))
        return 0
    if args.what == "types":
        rows = [
            [name, runner.role, ", ".join(runner.inference_required), ", ".join(runner.inference_optional)]
            + [registry.origin[("runners", name)], runner.description]
            for name, runner in registry.runners.items()
        ]
        print(render_table(["type", "role", "requires", "also reads", "plugin", "description"], rows))
        return 0
    if args.what == "languages":
        return _list_languages(registry, args.json)
    if args.what == "sources":
        return _list_sources(registry, args)
    if args.what == "adapters":
        rows = [
            [a.name, a.role, registry.origin[("adapters", a.name)], a.description or a.accepts]
            for role in ROLES
            for a in registry.adapters_for(role)
        ]
        print(render_table(["adapter", "role", "plugin", "loads"], rows))
        return 0
    tasks = registry.suite_tasks(args.suite, optional=True) if args.suite else list(registry.tasks.values())
    if args.suite and not tasks:
        raise XltBenchError(f"--suite {args.suite}: {registry.no_tasks_reason(args.suite)}")
    if args.type:
        types = sorted({task.type for task in tasks})
        if args.type not in types:
            raise XltBenchError(f"--type {args.type}: no such task type here (types: {', '.join(types)})")
        tasks = [task for task in tasks if task.type == args.type]
    if args.language:
        if not any(args.language in task.languages for task in registry.tasks.values()):
            raise XltBenchError(f"--language {args.language}: no installed task has this language code")
        tasks = [task for task in tasks if args.language in task.languages]
    if args.json:
        print(json.dumps([_task_json(registry, task) for task in tasks], indent=2, ensure_ascii=False))
        return 0
    rows = [
        [t.name, t.suite, t.type, len(t.languages), t.metric, t.main_metric, f"v{t.version}", _task_sources(t)]
        for t in tasks
    ]
    headers = ["task", "suite", "type", "langs", "metric", "main metric", "version", "data source"]
    print(render_table(headers, rows))
    print()
    for task in tasks:
        licence = f"  [licence: {task.license}]" if task.license else ""
        print(f"{task.name} ({len(task.languages)}): {' '.join(task.languages)}{licence}")
    return 0


def _list_languages(registry, as_json: bool) -> int:
    """`list languages`: the registered language metadata, "unknown" where a source gives no value."""
    from dataclasses import asdict

    from xlt_bench.languages import shown

    languages = sorted(registry.languages.values(), key=lambda language: language.code)
    if as_json:
        payload = [{**asdict(item), "plugin": registry.origin[("languages", item.code)]} for item in languages]
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    rows = [
        [f"{language.code} ({','.join(language.aliases)})" if language.aliases else language.code, language.name]
        + [shown(value) for value in (language.resource_class, language.family, language.script)]
        + [shown(language.pretraining.get("xlmr_cc100_gib")), registry.origin[("languages", language.code)]]
        for language in languages
    ]
    print(render_table(["code", "name", "class", "family", "script", "CC-100 GiB", "plugin"], rows))
    return 0


def _list_sources(registry, args) -> int:
    """`list sources`: where each task × language is read from without --data-dir (the README's table)."""
    from dataclasses import asdict

    from xlt_bench.source_table import source_rows

    if args.suite and not registry.suite_tasks(args.suite, optional=True):
        raise XltBenchError(f"--suite {args.suite}: {registry.no_tasks_reason(args.suite)}")
    suites = [args.suite] if args.suite else list(registry.suites)
    tasks = {name: registry.suite_tasks(name, optional=True) for name in suites}
    rows = [(row, task.languages) for name in suites for task in tasks[name] for row in source_rows([task])]
    if args.json:
        print(json.dumps([asdict(row) for row, _ in rows], indent=2, ensure_ascii=False))
        return 0
    cells = [[row.task, row.languages_text(languages), row.kind, row.source, row.pin] for row, languages in rows]
    headers = ["task", "languages", "source", "from", "revision or sha256"]
    if args.markdown:
        from xlt_bench.leaderboard.render import markdown_table, markdown_text

        print("\n".join(markdown_table(headers, [[markdown_text(cell) for cell in row] for row in cells])))
    else:
        print(render_table(headers, cells))
    return 0


def _list_parser(commands: argparse._SubParsersAction) -> None:
    listing = commands.add_parser(
        "list", help="list suites, tasks, task types, metrics, model adapters, languages or data sources"
    )
    listing.add_argument("what", choices=["suites", "tasks", "types", "metrics", "adapters", "languages", "sources"])
    listing.add_argument("--suite", help="only this suite's tasks")
    listing.add_argument("--type", help="only tasks of this type (classification, tagging, ...)")
    listing.add_argument("--language", help="only tasks with this language")
    listing.add_argument("--json", action="store_true", help="print JSON with the full task metadata")
    listing.add_argument("--markdown", action="store_true", help="sources: print the table as Markdown (the README's)")
    listing.set_defaults(handler=cmd_list)


# -- score -------------------------------------------------------------------------------------------------------


def print_suite_score(suite_score) -> None:
    from xlt_bench.scoring import main_score

    rows = []
    for name, task_score in suite_score.tasks.items():
        average = task_score.average or {}
        metrics = ", ".join(f"{key}={fmt(value)}" for key, value in average.items()) or "incomplete"
        scored = f"{len(task_score.languages)}/{len(task_score.task.languages)}"
        label = f"{name} (optional, not in the suite score)" if name in suite_score.suite.optional else name
        rows.append([label, scored, task_score.task.main_metric, fmt(task_score.score), metrics])
    print(render_table(["task", "langs", "main metric", "score", "averages"], rows))
    print()
    for name, task_score in suite_score.tasks.items():
        per_language = [f"{lang} {fmt(main_score(task_score.task, m))}" for lang, m in task_score.languages.items()]
        if per_language:
            print(f"{name} ({task_score.task.main_metric}): {'  '.join(per_language)}")
    for category, value in suite_score.categories.items():
        print(f"{category}: {fmt(value)}")
    print(f"{suite_score.suite.name} score: {fmt(suite_score.score)}")


def cmd_score(registry, args) -> int:
    from xlt_bench.folder_scoring import score_folders

    folders = Path(args.predictions), Path(args.gold)
    suite_score, warnings = score_folders(
        registry, args.suite, *folders, strict=args.strict, split=args.split, seqeval_rules=args.seqeval_rules
    )
    for warning in warnings:
        warn(warning)
    if args.json:
        print(json.dumps(suite_score.to_json(), indent=2))
    else:
        print_suite_score(suite_score)
    return 0


def _score_parser(commands: argparse._SubParsersAction) -> None:
    score = commands.add_parser(
        "score", help="score a predictions folder against a labels folder", parents=[SEQEVAL_RULES]
    )
    score.add_argument("--suite", default="xtreme", help="the suite whose task folders are scored (default xtreme)")
    score.add_argument(
        "--predictions", type=path_text, required=True, metavar="DIR", help="<task>/test-<lang>.<ext> predictions"
    )
    score.add_argument(
        "--gold", type=path_text, required=True, metavar="DIR", help="<task>/test-<lang>.<ext> labels, same layout"
    )
    score.add_argument("--json", action="store_true", help="print the scores as JSON")
    score.add_argument("--strict", action="store_true", help="a task language missing from --gold is an error")
    score.add_argument("--split", choices=["test", "dev"], default="test", help="which split's files are scored")
    score.set_defaults(handler=cmd_score)


# -- prefetch ---------------------------------------------------------------------------------------------------


def _languages_cell(languages: Sequence[str], shown: int = 8) -> str:
    return " ".join(languages[:shown]) + (f" +{len(languages) - shown}" if len(languages) > shown else "")


def _prefetch_rows(report) -> list[list[str]]:
    """The prefetch report as table rows, in its order: per task, what was fetched and what was already cached,
    one row each (release files, Hub copies); every failure on its own row with its reason."""
    from xlt_bench.prefetch import FAILED

    groups: dict[tuple, list] = {}
    for item in report:
        key = (item.task, item.status, item.source.startswith("hub:")) if item.status != FAILED else (id(item),)
        groups.setdefault(key, []).append(item)
    rows = []
    for items in groups.values():
        first = items[0]
        languages = list(dict.fromkeys(language for item in items for language in item.languages))
        if first.status == FAILED or len(items) == 1:
            source = first.source
        else:
            kind = "Hub copies" if first.source.startswith("hub:") else "release files"
            source = f"{len(items)} {kind}"
        places = sorted({item.detail for item in items})
        detail = places[0] if len(places) == 1 else f"{len(places)} places below {os.path.commonpath(places)}"
        rows.append([first.task, _languages_cell(languages), source, first.status, detail])
    return rows


def cmd_prefetch(registry, args) -> int:
    from collections import Counter

    from xlt_bench.cache import writable_cache
    from xlt_bench.prefetch import FAILED, prefetch

    cache = writable_cache(Path(args.cache_dir) if args.cache_dir else None)
    tasks, languages = _csv(args.tasks, "--tasks"), _csv(args.languages, "--languages")
    suite = registry.suite_for(args.suite, tasks)
    copies = [Path(path) for path in args.local_copies or ()]
    report = prefetch(
        registry, suite, tasks, languages, cache, args.split, progress=not args.quiet, local_copies=copies
    )
    print(render_table(["task", "languages", "source", "status", "where / why"], _prefetch_rows(report)))
    counts = Counter(item.status for item in report)
    print(", ".join(f"{counts[status]} {status}" for status in ("fetched", "cached", FAILED)))
    print(f"cache: {cache} (eval without --data-dir reads {cache / 'data'} and the datasets cache)")
    return 1 if counts[FAILED] else 0


def _prefetch_parser(commands: argparse._SubParsersAction) -> None:
    fetch = commands.add_parser(
        "prefetch",
        help="download a suite's official releases (or cache its Hub copies) so eval runs offline; exit 1 if any "
        "item failed",
        parents=[SUITE_OF_TASKS, TASKS_OF_SUITE, LANGUAGES, CACHE_DIR, QUIET],
    )
    fetch.add_argument("--split", default="test", choices=["test", "dev"], help="split of Hub copies to cache")
    fetch.add_argument(
        "--from",
        dest="local_copies",
        action="append",
        type=path_text,
        metavar="FILE",
        help="a release file downloaded by hand (XGLUE's archive): matched by size and sha256, verified, used",
    )
    fetch.set_defaults(handler=cmd_prefetch)


# -- eval --------------------------------------------------------------------------------------------------------


def _print_skips(run) -> None:
    """What eval left out: whole tasks, languages (the first five per task) and unusable records."""
    for task, reason in run.skipped.items():
        print(f"skipped {task}: {reason}")
    for task, reasons in run.skipped_languages.items():
        shown = list(reasons.items())[:5]
        for language, reason in shown:
            print(f"skipped {task}/{language}: {reason}")
        if len(reasons) > len(shown):
            print(f"skipped {task}: {len(reasons) - len(shown)} more languages (reasons in results.json)")
    for task, per_language in run.skipped_examples.items():
        for language, reasons in per_language.items():
            listed = ", ".join(f"{reason}: {count}" for reason, count in reasons.items())
            print(f"{task}/{language}: records left out of scoring ({listed})")


def _label_maps(entries: list[Any] | None) -> dict[str, dict[str, str]]:
    """`--label-map` specs and files, and a config file's mappings, in order: a later entry's label wins."""
    from xlt_bench.labels import parse_label_maps

    maps: dict[str, dict[str, str]] = {}
    for entry in entries or []:
        for task, mapping in (entry if isinstance(entry, dict) else parse_label_maps([entry])).items():
            maps.setdefault(task, {}).update(mapping)
    return maps


def cmd_eval(registry, args) -> int:
    from xlt_bench import run_config
    from xlt_bench.evaluation import EvalConfig, run_eval

    tasks, languages = _csv(args.tasks, "--tasks"), _csv(args.languages, "--languages")
    suite, lineage = registry.suite_for(args.suite, tasks), _lineage(args)
    label_maps, inference = _label_maps(args.label_map), _inference(args.inference)
    recorded = run_config.document(
        args,
        suite=suite,
        tasks=tasks,
        languages=languages,
        train_languages=list(lineage.train_languages) or None,
        label_map=label_maps or None,
        inference=inference or None,
        tag=dict(lineage.tags) or None,
    )
    config = EvalConfig(
        model=args.model,
        suite=suite,
        tasks=tasks,
        languages=languages,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        output=Path(args.output),
        split=args.split,
        batch_size=args.batch_size if args.batch_size is not None or args.max_tokens else 32,
        max_tokens=args.max_tokens,
        device=args.device,
        dtype=args.dtype,
        limit=args.limit,
        seed=args.seed,
        strict=args.strict,
        overwrite=args.overwrite,
        wait=args.wait,
        offline=args.offline,
        label_maps=label_maps,
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        inference=inference,
        seqeval_rules=args.seqeval_rules,
        trust_remote_code=args.trust_remote_code,
        revision=args.revision,
        lineage=lineage,
        command=["xlt-bench", *args.argv],
        run_config=recorded,
    )
    run = run_eval(registry, config, progress=not args.quiet)
    if run is None:  # a data-parallel rank other than 0: rank 0 prints the results
        return 0
    print_suite_score(run.suite_score)
    _print_skips(run)
    if config.limit is not None:
        print(f"note: --limit {config.limit} is a smoke run; its numbers are not comparable to full results")
    print(f"results: {run.results_path}")
    return 0


def _inference_options(ev: argparse.ArgumentParser) -> None:
    """`--inference KEY=VALUE` and its documented shorthands, which all add to the same list."""
    ev.add_argument(
        "--inference",
        action="append",
        type=inference_value,
        metavar="KEY=VALUE",
        help="set an inference parameter of the tasks whose runner reads it (`list types` shows which read what); "
        "VALUE is read as JSON when it is JSON, else as text. The options below are shorthands for it",
    )
    for flag, kind, text in (
        (
            "--procedure",
            None,
            "tagging, QA and retrieval: how outputs become predictions, xtreme (the 2020 XTREME scripts, default) or "
            "hf (Hugging Face's example scripts); README, 'Inference procedures'",
        ),
        ("--layer", INTEGER, "embedding runners: hidden_states index (0 = embeddings, negative from the top)"),
        ("--pooling", None, "embedding runners: sentence pooling, mean or cls"),
        ("--index", None, "embedding runners: faiss index, flat (exact), ivf or hnsw"),
        ("--query-prefix", None, "embedding runners: text put before queries and bitext sentences (e5: 'query: ')"),
        ("--passage-prefix", None, "ranking: text put before candidates (e5: 'passage: ')"),
        ("--num-beams", POSITIVE, "generation: beam size (1 = greedy)"),
        ("--max-new-tokens", POSITIVE, "generation: longest output in tokens"),
    ):
        key = flag[2:].replace("-", "_")
        ev.add_argument(flag, dest=key, type=kind, action=InferenceShorthand, help=f"{text} (--inference {key}=...)")


def _eval_parser(commands: argparse._SubParsersAction) -> None:
    ev = commands.add_parser(
        "eval",
        help="run checkpoints on a suite's tasks and score them",
        parents=[SUITE_OF_TASKS, TASKS_OF_SUITE, LANGUAGES, CACHE_DIR, SEQEVAL_RULES, QUIET],
    )
    ev.add_argument(
        "--config",
        type=path_text,
        metavar="FILE",
        help="a YAML file of these flags as keys (max_tokens: 4096 or max-tokens: 4096; lists for --tasks and "
        "--languages, mappings for --inference, --tag, --label-map); flags given here override it; its relative "
        "paths are relative to its folder. Each run folder gets one, config.yaml, that repeats the run: "
        "eval --config runs/x/config.yaml",
    )
    ev.add_argument(
        "--model",
        type=path_text,
        help="checkpoint dir or hub id, a dir of per-task checkpoints, or a YAML manifest (required, here or in "
        "--config)",
    )
    ev.add_argument(
        "--data-dir", type=path_text, help="folder holding the original releases (found by official file names)"
    )
    ev.add_argument(
        "--output",
        type=path_text,
        help="run folder: results.json, config.yaml, predictions/, labels/, samples/ (required, here or in --config)",
    )
    ev.add_argument("--split", default="test", choices=["test", "dev"])
    ev.add_argument(
        "--batch-size",
        type=batch_size_spec,
        help="sequences a forward pass (default 32, or unbounded with --max-tokens); auto: the most that fit, found "
        "by halving on out-of-memory errors (recorded)",
    )
    ev.add_argument(
        "--max-tokens",
        type=POSITIVE,
        help="form batches by a token budget (rows x longest length <= N) instead of a fixed count (recorded)",
    )
    ev.add_argument(
        "--device", type=device_spec, default="auto", help="auto (cuda when available), cpu, cuda, cuda:N, mps"
    )
    ev.add_argument(
        "--dtype",
        default="auto",
        choices=["auto", "float32", "float16", "bfloat16"],
        help="auto: the dtype the weights were saved in, on every device; the dtype that ran is recorded",
    )
    ev.add_argument("--limit", type=POSITIVE, help="only the first N examples per language (smoke runs)")
    ev.add_argument("--seed", type=SEED, default=1234)
    ev.add_argument("--strict", action="store_true", help="a skipped task or language is an error")
    ev.add_argument(
        "--overwrite",
        action="store_true",
        help="redo (task, language) pairs already in --output, and remove results of another configuration",
    )
    ev.add_argument("--wait", action="store_true", help="wait for another eval writing to --output instead of failing")
    ev.add_argument(
        "--offline", action="store_true", help="never contact the Hugging Face Hub: Hub data and models from the cache"
    )
    ev.add_argument(
        "--label-map",
        action="append",
        metavar="SPEC",
        help="TASK:MODEL_LABEL=TASK_LABEL,... or a YAML/JSON file {task: {model_label: task_label}}",
    )
    _inference_options(ev)
    ev.add_argument(
        "--trust-remote-code",
        action="store_true",
        help="allow code from checkpoints (auto_map, pickle weights) to run on this machine",
    )
    ev.add_argument(
        "--revision",
        help="branch, tag or commit of the Hub checkpoint id --model names (default: its main branch); recorded",
    )
    ev.add_argument("--label", help="a name for this run in leaderboards")
    ev.add_argument("--base", help="the pre-trained model the checkpoints were fine-tuned from")
    ev.add_argument(
        "--intermediate",
        metavar="TASK[:SIZE],...",
        help="the intermediate tasks in training order, each with its size in examples if known (mnli:50k,squad); "
        "none: direct fine-tuning",
    )
    ev.add_argument(
        "--regime", help="how the intermediate tasks were trained: sequential, interleaved, multilingual or your words"
    )
    ev.add_argument("--train-languages", metavar="LANG,...", help="the languages the checkpoint was trained on")
    ev.add_argument(
        "--train-seed", type=INTEGER, help="the fine-tuning seed of the checkpoint (--seed is evaluation's own seed)"
    )
    ev.add_argument(
        "--tag", action="append", type=tag_value, metavar="KEY=VALUE", help="a free lineage field (repeatable)"
    )
    ev.set_defaults(handler=cmd_eval)
    from xlt_bench.run_config import reading_config

    reading_config(ev)


# -- leaderboard / compare --------------------------------------------------------------------------------------


def _write_or_print(text: str, output: str | None) -> None:
    if output:
        from xlt_bench.files import write_atomic

        write_atomic(Path(output), text)
        print(f"wrote {output}")
    else:
        sys.stdout.write(text)


def cmd_leaderboard(registry, args) -> int:
    from xlt_bench.leaderboard.render import to_csv, to_json, to_markdown
    from xlt_bench.leaderboard.runs import check_comparable, load_run, procedure_notes
    from xlt_bench.leaderboard.table import build_board

    if not args.runs and not args.baselines:
        raise XltBenchError("leaderboard: give run folders (RUN...) and/or --baselines NAME...")
    runs = [load_run(spec, registry) for spec in [*args.runs, *(args.baselines or [])]]
    notes = check_comparable(runs, args.allow_limited, args.allow_procedure_mismatch)
    board = build_board(runs, registry, args.suite, args.resamples, args.seed)
    board.notes += notes + procedure_notes(runs)
    data = to_json(board)
    if args.task and args.task not in {t["name"] for t in data["tasks"]}:
        raise XltBenchError(f"--task {args.task}: not a task of suite {args.suite}")
    if args.format == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        text = to_csv(data)
    elif args.format == "html":
        from xlt_bench.leaderboard.render_html import to_html

        text = to_html(data, args.task)
    else:
        text = to_markdown(data, args.task)
    _write_or_print(text, args.output)
    return 0


def _leaderboard_parser(commands: argparse._SubParsersAction) -> None:
    board = commands.add_parser(
        "leaderboard",
        help="tables of runs and published baselines, deltas with intervals",
        parents=[BOOTSTRAP, BASELINE_PROCEDURE],
    )
    board.add_argument("runs", nargs="*", metavar="RUN", help="run folders or results.json files")
    board.add_argument("--baselines", nargs="+", metavar="NAME", help="published baselines (names or files)")
    board.add_argument("--suite", default="xtreme", help="the suite whose tasks are tabled (default xtreme)")
    board.add_argument("--format", default="md", choices=["md", "html", "csv", "json"])
    board.add_argument("--output", type=path_text, help="file to write (default: standard output)")
    board.add_argument("--task", help="the task whose per-language deltas are tabled (default: the first)")
    board.set_defaults(handler=cmd_leaderboard)


def cmd_compare(registry, args) -> int:
    from xlt_bench.leaderboard import compare
    from xlt_bench.leaderboard.runs import check_comparable, load_run

    baseline, candidate = load_run(args.baseline, registry), load_run(args.candidate, registry)
    if baseline.suite != candidate.suite:
        raise XltBenchError(f"{args.baseline} is a {baseline.suite} run, {args.candidate} a {candidate.suite} run")
    for note in check_comparable([baseline, candidate], args.allow_limited, args.allow_procedure_mismatch):
        warn(note)
    tasks = _csv(args.tasks, "--tasks")
    known = [task.name for task in registry.suite_tasks(baseline.suite)]
    if unknown := [name for name in tasks or () if name not in known]:
        raise XltBenchError(f"--tasks: {', '.join(unknown)} not in suite {baseline.suite!r} ({', '.join(known)})")
    units = compare.compare(
        baseline, candidate, registry, tasks, args.tolerance, args.per_language, args.rule, args.resamples, args.seed
    )
    if args.junit:
        _write_or_print(compare.to_junit(units, baseline, candidate, args.tolerance), args.junit)
    if not units:
        which = f" of --tasks {args.tasks}" if tasks else ""
        print(f"xlt-bench: nothing comparable: no task{which} has a language scored in both runs", file=sys.stderr)
        return compare.EXIT_NOTHING_COMPARABLE
    if args.format == "json":
        print(json.dumps(compare.to_json(units, baseline, candidate, args.tolerance, args.rule), indent=2))
    else:
        sys.stdout.write(compare.to_markdown(units, baseline, candidate, args.tolerance))
    return compare.EXIT_REGRESSION if any(unit.regression for unit in units) else compare.EXIT_OK


def _compare_parser(commands: argparse._SubParsersAction) -> None:
    gate = commands.add_parser(
        "compare",
        help="regression gate: exit 0 none, 1 regression, 2 usage/input error, 3 nothing comparable",
        parents=[BOOTSTRAP, BASELINE_PROCEDURE],
    )
    gate.add_argument("baseline", help="run folder, results.json, or a published baseline name")
    gate.add_argument("candidate", help="run folder or results.json")
    gate.add_argument("--tolerance", type=NON_NEGATIVE, default=0.5, help="points a score may fall before it counts")
    gate.add_argument(
        "--per-language",
        action="store_true",
        help="compare every (task, language), not task scores (without it, a task not complete in both runs is "
        "compared over the languages both scored, marked partial)",
    )
    gate.add_argument("--tasks", help="comma-separated task names (default: all shared)")
    gate.add_argument(
        "--rule",
        default="both",
        choices=["both", "either"],
        help="with per-example predictions: a drop must be beyond tolerance AND significant (both) or either",
    )
    gate.add_argument("--format", default="md", choices=["md", "json"])
    gate.add_argument("--junit", type=path_text, metavar="FILE", help="also write JUnit XML (one test case per unit)")
    gate.set_defaults(handler=cmd_compare)


# -- study -------------------------------------------------------------------------------------------------------


def _design(args: argparse.Namespace):
    """The design file (if any) with the command line's choices on top of it."""
    from dataclasses import replace

    from xlt_bench.leaderboard.study.design import Contrast, Design, Selector, language_selection

    design = Design.read(Path(args.design)) if args.design else Design()
    changes: dict[str, object] = {}
    if args.contrast:
        contrasts = []
        for baseline, candidate in args.contrast:
            sides = [Selector.parse(text, f"--contrast {text!r}") for text in (baseline, candidate)]
            contrasts.append(Contrast(f"{sides[1].describe()} vs {sides[0].describe()}", *sides))
        changes |= {"contrasts": design.contrasts + tuple(contrasts), "auto": args.auto is True}
    elif args.auto is not None:
        changes["auto"] = args.auto
    for key in ("group_by", "correlate"):
        if getattr(args, key) is not None:
            changes[key] = tuple(_csv(getattr(args, key), "--" + key.replace("_", "-")))
    if args.languages:
        changes["languages"] = language_selection(args.languages, "--languages")
    design = replace(design, **changes)
    Design.from_json(design.to_json(), "the command line")  # the same checks a design file gets
    return design


def cmd_study(registry, args) -> int:
    from xlt_bench.leaderboard.study.analysis import study_runs

    report = study_runs(args.runs, registry, _design(args), args.resamples, args.seed, args.allow_limited)
    if not report.estimates:  # said on stderr too: the report may go to files
        for note in (note for note in report.notes if note.startswith("nothing to estimate")):
            warn(note)
    if args.output:
        from xlt_bench.leaderboard.study.output import write_study

        files = write_study(report, Path(args.output))
        print(f"study: {files['markdown']} (Markdown), {files['html']} (HTML), {files['json']} (JSON)")
    elif args.format == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        from xlt_bench.leaderboard.study.render_markdown import to_markdown

        sys.stdout.write(to_markdown(report))
    return 0


def _study_parser(commands: argparse._SubParsersAction) -> None:
    study = commands.add_parser(
        "study",
        help="contrasts, language groups, scaling and seeds over runs, with paired-bootstrap intervals",
        parents=[BOOTSTRAP],
        description="Without --design or --contrast, studies what the runs' lineage implies: every intermediate "
        "condition against direct fine-tuning of the same base, A->B against B->A, regimes against each other, "
        "scaling curves over --intermediate sizes, and the spread of --train-seed seeds.",
    )
    study.add_argument("runs", nargs="+", metavar="RUN", help="run folders or results.json files")
    study.add_argument("--design", type=path_text, metavar="FILE", help="a YAML or JSON study design")
    study.add_argument(
        "--contrast",
        nargs=2,
        action="append",
        metavar=("BASELINE", "CANDIDATE"),
        help="two groups of runs by lineage, KEY=VALUE pairs joined by & (e.g. regime=sequential "
        "regime=interleaved); repeatable; replaces the contrasts found in the runs unless --auto",
    )
    study.add_argument(
        "--auto",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also the contrasts found in the runs' lineage (default: only when no contrast is given)",
    )
    study.add_argument("--group-by", help="language properties to group deltas by (resource_class,family,script)")
    study.add_argument("--correlate", help="pre-training size columns to correlate deltas with (xlmr_cc100_gib)")
    study.add_argument("--languages", help="only these languages: codes (sw,yo) or a property (resource_class=0,1,2)")
    study.add_argument("--format", default="md", choices=["md", "json"], help="what is printed without --output")
    study.add_argument("--output", type=path_text, metavar="DIR", help="write study.json, study.md and study.html")
    study.set_defaults(handler=cmd_study)


# -- demo -------------------------------------------------------------------------------------------------------


def cmd_demo(registry, args) -> int:
    from xlt_bench.demo import MODEL, run_demo
    from xlt_bench.demo_study import run_study_demo

    output = Path(args.output or ("runs/demo-study" if args.study else "runs/demo"))
    if output.exists() and not output.is_dir():
        raise XltBenchError(f"--output {output}: exists and is not a folder")
    if output.exists() and any(output.iterdir()):
        if not args.overwrite:
            raise XltBenchError(f"--output {output} is not empty; pass --overwrite or another folder")
        if not (output / DEMO_MARKER).is_file():  # --overwrite deletes the folder: only one the demo made
            raise XltBenchError(
                f"--output {output}: not a folder `xlt-bench demo` made (no {DEMO_MARKER}); not deleted"
            )
        import shutil

        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)
    (output / DEMO_MARKER).write_text("made by xlt-bench demo; `demo --overwrite` may delete this folder\n")
    files = (run_study_demo if args.study else run_demo)(
        registry,
        output,
        steps=args.steps,
        epochs=args.epochs,
        seed=args.seed,
        threads=args.threads,
        progress=not args.quiet,
    )
    print()
    print(files["markdown"].read_text(encoding="utf-8"))
    print(f"HTML {'study' if args.study else 'leaderboard'}: {files['html']}  (JSON: {files['json']})")
    print(f"run folders: {', '.join(str(path) for path in files.values() if path.parent == output / 'runs')}")
    print(
        f"These are TINY DEMO MODELS ({MODEL['num_hidden_layers']} layers of {MODEL['hidden_size']} units, trained "
        "here in seconds on a few hundred examples): their scores only show the "
        "workflow and say nothing about real checkpoints.\nTo evaluate a real fine-tuned checkpoint: "
        "xlt-bench prefetch --suite xtreme && xlt-bench eval --model path/to/checkpoint-or-hub-id --suite xtreme "
        "--output runs/mine --base xlm-roberta-large [--intermediate mnli]"
    )
    if args.open:
        import webbrowser

        webbrowser.open(files["html"].resolve().as_uri())
    return 0


def _demo_parser(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="offline demo: tiny direct and intermediate models, eval, leaderboard")
    demo.add_argument(
        "--output", type=path_text, help="where models, runs and the report go (default runs/demo, runs/demo-study)"
    )
    demo.add_argument(
        "--study", action="store_true", help="a small study: 8 conditions (seeds, sizes, task order), study report"
    )
    demo.add_argument("--steps", type=POSITIVE, default=300, help="masked-LM pre-training steps of the tiny base")
    demo.add_argument("--epochs", type=POSITIVE, default=3, help="epochs of the intermediate and target fine-tuning")
    demo.add_argument("--seed", type=SEED, default=13)
    demo.add_argument("--threads", type=POSITIVE, help="torch CPU threads (default: the CPUs this process may run on)")
    demo.add_argument("--overwrite", action="store_true", help="replace an --output folder an earlier demo made")
    demo.add_argument("--open", action="store_true", help="open the HTML leaderboard in a browser")
    demo.add_argument("--quiet", action="store_true", help="no progress output (it goes to stderr)")
    demo.set_defaults(handler=cmd_demo)


# -- parser ------------------------------------------------------------------------------------------------------

COMMAND_PARSERS = (
    _plugins_parser,
    _list_parser,
    _score_parser,
    _prefetch_parser,
    _eval_parser,
    _demo_parser,
    _leaderboard_parser,
    _compare_parser,
    _study_parser,
)  # in the order `xlt-bench --help` lists them


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; each command declares its own arguments next to its handler."""
    parser = Parser(
        prog="xlt-bench",
        description="Zero-shot cross-lingual transfer benchmarks: evaluate checkpoints, score predictions.",
    )
    parser.add_argument("--version", action="version", version=f"xlt-bench {__version__}")
    parser.add_argument(
        "-p",
        dest="plugins",
        action="append",
        default=[],
        metavar="NAME",
        help="load plugin NAME (entry-point name or module) even with autoload disabled; -p no:NAME blocks it",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_command in COMMAND_PARSERS:
        add_command(commands)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C: finished work is kept and the command ends with one line."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def _keeping_interruptions(hook: Any, kept: list[KeyboardInterrupt]) -> Any:
    """A `sys.unraisablehook` that keeps the interruptions Python could not deliver. A SIGTERM or Ctrl-C that lands
    while a finaliser (`__del__`, a weakref callback) runs is printed as "Exception ignored" and dropped, and the
    command would end with exit 0 as if never stopped; kept, it ends the command as an interruption (143 or 130)
    once the command returns."""

    def handle(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            kept.append(unraisable.exc_value)
            return
        hook(unraisable)

    return handle


def _broken_pipe() -> int:
    """The reader of our output went away (`xlt-bench list tasks --json | head`): end quietly, as `cat` does."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
    return EXIT_BROKEN_PIPE


def _encodable_output() -> None:
    """A terminal or pipe whose encoding lacks a character xlt-bench prints (PYTHONIOENCODING=ascii, a C locale) gets
    it as a backslash escape, not a UnicodeEncodeError after the work is done; files are always written as UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _encodable_output()
    previous = (
        signal.signal(signal.SIGTERM, _terminate) if threading.current_thread() is threading.main_thread() else None
    )
    dropped: list[KeyboardInterrupt] = []
    unraisable, sys.unraisablehook = sys.unraisablehook, _keeping_interruptions(sys.unraisablehook, dropped)
    try:
        args = build_parser().parse_args(argv)
        args.argv = argv
        from xlt_bench.registry import load_registry

        registry = load_registry(args.plugins)
        if args.command != "plugins":
            for problem in registry.problems:
                warn(problem)
        code = args.handler(registry, args)
        if dropped:  # an interruption that landed in a finaliser
            raise dropped[0]
        sys.stdout.flush()
        return code
    except XltBenchError as error:
        print(f"xlt-bench: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return _broken_pipe()
    except OSError as error:  # unreadable or unwritable files and folders: the user's to fix, named in one line
        where = f"{error.filename}: " if error.filename else ""
        print(f"xlt-bench: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:  # a bug: its traceback is kept for the report, and its exit code is its own
        traceback.print_exc()
        print("xlt-bench: internal error (a bug, not your input): please report it with the traceback", file=sys.stderr)
        return EXIT_BUG
    except KeyboardInterrupt as interrupt:
        terminated = isinstance(interrupt, Terminated)
        how = "terminated" if terminated else "interrupted"
        print(f"xlt-bench: {how}; finished (task, language) results are kept", file=sys.stderr)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    finally:
        sys.unraisablehook = unraisable
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
