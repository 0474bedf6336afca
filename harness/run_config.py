"""`eval --config run.yaml`: eval's flags as a YAML file, and the `config.yaml` every run folder gets.

A key is a flag's name without its dashes, with `_` or `-` between words (`max_tokens: 4096` or `max-tokens: 4096`);
`null` means the flag's default. Comma-separated flags (`tasks`, `languages`, `train_languages`, `intermediate`)
take a list or a comma-separated string; repeatable flags take a list of what the flag takes (`label_map:
[xnli.yaml]`, `tag: [lr=1e-5]`) or, for KEY=VALUE flags, a mapping (`inference: {layer: 8}`, `tag: {lr: 1e-5}`,
`label_map: {pawsx: {LABEL_0: "0"}}`); the `--layer`-style shorthands of `--inference` are keys too.

Flags given on the command line override the file: a single-valued flag replaces its key, a repeatable one adds
to the file's entries (per key: `--inference layer=6` replaces the file's `layer` only). Relative paths in the file
(`output`, `data_dir`, `cache_dir`, a `label_map` file, and `model` when a file or folder of that name is there)
are relative to the file's folder, so a config shipped beside its data works from any working directory.

The resolved configuration, after overrides and with every path absolute, is what `eval` writes into the run
folder as `config.yaml` (`document`), so `xlt-bench eval --config runs/x/config.yaml` repeats the run from
anywhere; the flags of one invocation only (`quiet`, `overwrite`, `wait`) are not written.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
from pathlib import Path
from typing import Any

from xlt_bench import __version__
from xlt_bench.errors import XltBenchError

CONFIG_NAME = "config.yaml"  # in the run folder
LISTS = ("tasks", "languages", "train_languages", "intermediate")  # comma-separated flags
PATHS = ("output", "data_dir", "cache_dir")  # always paths
REQUIRED = ("model", "output")  # on the command line or in the file
UNRECORDED = ("config", "quiet", "overwrite", "wait")  # how this invocation behaves, not what the run is
PAIRS = ("inference", "tag")  # repeatable KEY=VALUE flags: a mapping in a file
FIRST = ("model", "output", "suite", "tasks", "languages", "data_dir")  # config.yaml's first keys; then eval's order
_UNSET = object()  # a flag the command line did not give


def _scalar_text(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise XltBenchError(f"{where}: expected a single value, got {_kind(value)}")
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    return {dict: "a mapping", list: "a list"}.get(type(value), f"{value!r}")


def _converted(action: argparse.Action, text: str, where: str) -> Any:
    """`text` through the flag's own type and choices, as argparse would take it from the command line."""
    try:
        value = action.type(text) if action.type is not None else text
    except (argparse.ArgumentTypeError, ValueError) as error:
        raise XltBenchError(f"{where}: {error}") from None
    if action.choices is not None and value not in action.choices:
        raise XltBenchError(f"{where}: expected one of {', '.join(map(str, action.choices))}, got {text!r}")
    return value


def _beside(base: Path, text: str) -> str:
    path = Path(text).expanduser()
    return str(path if path.is_absolute() else base / path)


def _pairs(action: argparse.Action, value: Any, where: str) -> list[tuple[str, Any]]:
    """A KEY=VALUE flag's entries: a mapping (values as YAML typed them; `tag` values as text), or a list of
    KEY=VALUE texts through the flag's type."""
    if isinstance(value, dict):
        if bad := [key for key in value if not isinstance(key, str) or not key.strip()]:
            raise XltBenchError(f"{where}: {bad[0]!r} is not a name")
        if action.dest == "tag":
            return [(key, _scalar_text(item, f"{where}.{key}")) for key, item in value.items()]
        for key, item in value.items():
            try:
                json.dumps(item, allow_nan=False)
            except (TypeError, ValueError):
                raise XltBenchError(f"{where}.{key}: expected a JSON value (text, number, list, mapping)") from None
        return list(value.items())
    items = value if isinstance(value, list) else [value]
    pairs = [_converted(action, _scalar_text(item, where), where) for item in items]
    keys = [key for key, _ in pairs]
    if twice := sorted({key for key in keys if keys.count(key) > 1}):
        raise XltBenchError(f"{where}: {twice[0]} is given twice")
    return pairs


def _label_maps(value: Any, base: Path, where: str) -> list[Any]:
    """`label_map` entries: TASK:MODEL_LABEL=TASK_LABEL,... texts, files (beside the config), or one mapping."""
    if isinstance(value, dict):
        for task, mapping in value.items():
            if not isinstance(mapping, dict):
                raise XltBenchError(f"{where}.{task}: expected a mapping {{model_label: task_label}}")
            for label, target in mapping.items():
                _scalar_text(label, f"{where}.{task}")
                _scalar_text(target, f"{where}.{task}.{label}")
        return [{str(task): {str(k): str(v) for k, v in mapping.items()} for task, mapping in value.items()}]
    entries = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            entries += _label_maps(item, base, where)
            continue
        text = _scalar_text(item, where)
        entries.append(_beside(base, text) if Path(_beside(base, text)).is_file() else text)
    return entries


def _read(path: Path, actions: dict[str, argparse.Action]) -> dict[str, Any]:
    """The file's values as the command line's parse would hold them, by argparse dest; shorthands of
    `--inference` are added to `inference`. Paths are made relative to the file's folder."""
    from xlt_bench.files import read_yaml

    if not path.is_file():
        raise XltBenchError(f"--config {path}: {'not a file' if path.exists() else 'no such file'}")
    document = read_yaml(path, "eval config")
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise XltBenchError(f"{path}: expected a mapping of eval flags (e.g. max_tokens: 4096), got {_kind(document)}")
    base = Path(os.path.abspath(path)).parent
    found: dict[str, Any] = {}
    shorthands: list[tuple[str, Any]] = []
    for key, value in document.items():
        if not isinstance(key, str):
            raise XltBenchError(f"{path}: key {key!r} is not a flag name")
        dest = key.strip().removeprefix("--").replace("-", "_")
        action = actions.get(dest)
        if action is None or dest == "config":
            known = sorted(actions.keys() - {"config"})
            close = difflib.get_close_matches(dest, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"keys are eval's flags: {', '.join(known)}"
            raise XltBenchError(f"{path}: unknown key {key!r}; {hint}")
        if dest in found or any(name == dest for name, _ in shorthands):
            raise XltBenchError(f"{path}: {key} is given twice (as {dest} and {key})")
        where = f"{path}: {key}"
        if value is None:
            continue  # the flag's default
        if getattr(action, "adds_to", None):  # --layer 8 is --inference layer=8
            text = value if isinstance(value, str) else _scalar_text(value, where)
            shorthands.append((dest, _converted(action, text, where) if action.type else text))
        elif isinstance(action, argparse._StoreTrueAction):
            if not isinstance(value, bool):
                raise XltBenchError(f"{where}: expected true or false, got {_kind(value)}")
            found[dest] = value
        elif dest in PAIRS:
            found[dest] = _pairs(action, value, where)
        elif dest == "label_map":
            found[dest] = _label_maps(value, base, where)
        elif dest in LISTS:
            items = value if isinstance(value, list) else [value]
            found[dest] = _converted(action, ",".join(_scalar_text(item, where) for item in items), where)
        else:
            found[dest] = _converted(action, _scalar_text(value, where), where)
            if dest in PATHS:
                found[dest] = _beside(base, found[dest])
            elif dest == "model" and Path(_beside(base, found[dest])).exists():
                found[dest] = _beside(base, found[dest])
    if shorthands:
        keys = {key for key, _ in found.get("inference", [])}
        if twice := [key for key, _ in shorthands if key in keys]:
            raise XltBenchError(f"{path}: {twice[0]} is given twice (as {twice[0]} and in inference)")
        found["inference"] = [*found.get("inference", []), *shorthands]
    return found


def _merged(dest: str, from_file: Any, given: Any) -> Any:
    """A repeatable flag given in both places: the file's entries, then the command line's (per key for
    KEY=VALUE flags: the command line's value replaces the file's)."""
    if dest in PAIRS:
        keys = {key for key, _ in given}
        return [*(pair for pair in from_file if pair[0] not in keys), *given]
    return [*from_file, *given]


def reading_config(parser: argparse.ArgumentParser) -> None:
    """Make `parser` (eval's) take its flags from `--config FILE` too: the command line's flags override the file,
    and REQUIRED flags may come from either. The namespace it returns is the one the command line alone would
    give, so the command reads it as it always did."""
    parse = parser.parse_known_args

    def parse_known_args(args: Any = None, namespace: Any = None) -> tuple[argparse.Namespace, list[str]]:
        actions = {a.dest: a for a in parser._actions if a.dest != argparse.SUPPRESS and a.dest != "help"}
        namespace = namespace if namespace is not None else argparse.Namespace()
        repeatable = {dest for dest, a in actions.items() if isinstance(a, argparse._AppendAction)}
        shorthands = [dest for dest, a in actions.items() if getattr(a, "adds_to", None)]
        for dest in actions:  # in the parser's order, which config.yaml keeps
            if dest not in shorthands and not hasattr(namespace, dest):
                setattr(namespace, dest, None if dest in repeatable else _UNSET)
        namespace, extras = parse(args, namespace)
        for dest in shorthands:  # what they give is in `inference`
            if hasattr(namespace, dest):
                delattr(namespace, dest)
        from_file = _read(Path(namespace.config), actions) if namespace.config not in (None, _UNSET) else {}
        for dest, action in actions.items():
            if dest in shorthands:
                continue
            given = getattr(namespace, dest, None)
            if dest in repeatable and given is not None and dest in from_file:
                setattr(namespace, dest, _merged(dest, from_file[dest], given))
            elif given is _UNSET or (dest in repeatable and given is None):
                setattr(namespace, dest, from_file.get(dest, action.default))
        if missing := [f"--{dest.replace('_', '-')}" for dest in REQUIRED if getattr(namespace, dest) is None]:
            parser.error(f"the following arguments are required: {', '.join(missing)} (or as keys of --config)")
        return namespace, extras

    parser.parse_known_args = parse_known_args  # type: ignore[method-assign]


def _absolute(path: str | None) -> str | None:
    return None if path is None else os.path.abspath(os.path.expanduser(path))


def document(args: argparse.Namespace, **resolved: Any) -> dict[str, Any]:
    """The run's configuration as `config.yaml` holds it: every recorded flag of `args` (the namespace after
    --config and the command line), with the values `resolved` gives instead (the command's parsed lists and
    mappings), paths absolute. Reading it back with `--config` gives the same run from any folder."""
    found: dict[str, Any] = {}
    for dest, value in vars(args).items():
        if dest in UNRECORDED or dest in ("command", "plugins", "handler", "argv") or callable(value):
            continue
        if dest in resolved:
            value = resolved[dest]
        elif dest in PATHS:
            value = _absolute(value)
        elif dest == "model" and Path(value).exists():
            value = _absolute(value)
        elif dest == "label_map" or dest in PAIRS:
            continue  # given in `resolved` as mappings, or not at all
        found[dest] = value
    return {**{dest: found[dest] for dest in FIRST if dest in found}, **found}


def dump(config: dict[str, Any]) -> str:
    """`config.yaml`'s text: a comment saying how to repeat the run, then the flags."""
    import yaml

    header = (
        f"# the configuration of this run (xlt-bench {__version__}); `xlt-bench eval --config <this file>` repeats it\n"
        "# (flags given beside --config override these; relative paths are relative to this file's folder)\n"
    )
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, default_flow_style=False)
