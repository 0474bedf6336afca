"""What a study compares: a design file (YAML or JSON), `study` flags, or the designs the runs' lineage implies.

    # study.yaml
    name: interleaved vs sequential on under-resourced languages
    contrasts:                          # any two groups of runs; each side selects runs by their lineage
      - name: interleaved vs sequential
        baseline: {regime: sequential}
        candidate: {regime: interleaved}
    auto: false                         # true (the default): also the contrasts found in the runs (see below)
    group_by: [resource_class, family, script]
    correlate: [xlmr_cc100_gib]         # pre-training size columns of the language table
    languages: {resource_class: [0, 1, 2]}   # or a list of codes; every analysis keeps only these
    scaling: true                       # score against intermediate data size where a condition has several sizes
    seeds: true                         # the spread of fine-tuning seeds where a condition has several

A selector's keys are lineage fields (`xlt_bench.lineage`): `label` (one or a list), `base`, `intermediate` (the
task list in training order; [] or "none" is direct fine-tuning), `direct` (true/false), `regime`,
`train_languages`, `size` (intermediate examples over all tasks), `tags` ({key: value}). A run is on a side when
every key given matches. On the command line a selector is `KEY=VALUE` pairs joined by `&`
(`--contrast "regime=sequential" "regime=interleaved&base=xlmr"`); list values are comma-separated.

The contrasts found in the runs (`auto`), per suite: every intermediate condition against the direct condition of
the same base; conditions with the same intermediate tasks in another order (A→B vs B→A); conditions that differ
only in their regime.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError, expect
from xlt_bench.files import read_json, read_yaml
from xlt_bench.lineage import Lineage, parse_size

SELECTOR_KEYS = ("label", "base", "intermediate", "direct", "regime", "train_languages", "size", "tags")
LANGUAGE_KEYS = ("resource_class", "family", "script")
DESIGN_KEYS = ("name", "contrasts", "auto", "group_by", "correlate", "languages", "scaling", "seeds")


def _names(value: Any) -> tuple[str, ...]:
    """A list of names, or one name, or a comma-separated string of names."""
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip() and item.strip() != "none")
    return tuple(str(item) for item in value)


@dataclass(frozen=True)
class Selector:
    """One side of a contrast: the lineage fields a run must have (`SELECTOR_KEYS`)."""

    fields: dict[str, Any]

    def matches(self, lineage: Lineage, label: str) -> bool:
        want = self.fields
        checks = {
            "label": lambda v: label in _names(v) if not isinstance(v, str) else label == v,
            "base": lambda v: lineage.base == v,
            "intermediate": lambda v: lineage.intermediate == _names(v),
            "direct": lambda v: lineage.direct == v,
            "regime": lambda v: lineage.regime == v,
            "train_languages": lambda v: lineage.train_languages == _names(v),
            "size": lambda v: lineage.intermediate_size == v,
            "tags": lambda v: all(lineage.tags.get(key) == str(value) for key, value in v.items()),
        }
        return all(checks[key](value) for key, value in want.items())

    def describe(self) -> str:
        def shown(value: Any) -> str:
            if isinstance(value, dict):
                return ",".join(f"{k}:{v}" for k, v in value.items())
            return ",".join(value) if isinstance(value, (list, tuple)) else str(value).lower()

        return "&".join(f"{key}={shown(value) or 'none'}" for key, value in self.fields.items()) or "all runs"

    @classmethod
    def for_condition(cls, lineage: Lineage) -> Selector:
        """Exactly one training condition (every field but the label and the seed)."""
        fields: dict[str, Any] = {
            "base": lineage.base,
            "intermediate": list(lineage.intermediate),
            "regime": lineage.regime,
            "train_languages": list(lineage.train_languages),
        }
        if lineage.intermediate_size:
            fields["size"] = lineage.intermediate_size
        return cls(fields | ({"tags": dict(lineage.tags)} if lineage.tags else {}))

    @classmethod
    def parse(cls, text: str, where: str) -> Selector:
        """`KEY=VALUE&KEY=VALUE` from the command line (`direct`, alone, means direct=true)."""
        fields: dict[str, Any] = {}
        for part in (part.strip() for part in text.split("&") if part.strip()):
            key, equals, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not equals and key == "direct":
                value = "true"
            elif not equals:
                raise XltBenchError(f"{where}: expected KEY=VALUE, got {part!r}")
            if key.startswith("tags."):
                fields.setdefault("tags", {})[key[5:]] = value
                continue
            fields[key] = _selector_value(key, value, where)
        return cls.from_json(fields, where, where)

    @classmethod
    def from_json(cls, value: Any, file: Path | str, where: str) -> Selector:
        expect(isinstance(value, dict), file, where, "an object of lineage fields", value)
        unknown = [key for key in value if key not in SELECTOR_KEYS]
        expect(
            not unknown, file, f"{where}.{unknown[0] if unknown else ''}", f"one of {', '.join(SELECTOR_KEYS)}", unknown
        )
        for key in ("base", "regime"):  # null: runs that did not record it
            if key in value:
                ok = value[key] is None or isinstance(value[key], str)
                expect(ok, file, f"{where}.{key}", "a string or null", value[key])
        if "direct" in value:
            expect(isinstance(value["direct"], bool), file, f"{where}.direct", "true or false", value["direct"])
        for key in ("intermediate", "train_languages"):
            if key in value:
                ok = isinstance(value[key], str) or (
                    isinstance(value[key], list) and all(isinstance(v, str) for v in value[key])
                )
                expect(ok, file, f"{where}.{key}", "a list of names", value[key])
        if "size" in value:
            ok = isinstance(value["size"], int) and not isinstance(value["size"], bool)
            expect(ok, file, f"{where}.size", "a number of examples", value["size"])
        if "tags" in value:
            expect(isinstance(value["tags"], dict), file, f"{where}.tags", "an object", value["tags"])
        return cls(dict(value))


def _selector_value(key: str, value: str, where: str) -> Any:
    if key == "direct":
        if value.lower() not in ("true", "false"):
            raise XltBenchError(f"{where}: direct must be true or false, got {value!r}")
        return value.lower() == "true"
    if key == "size":
        return parse_size(value, f"{where} size")
    if key in ("intermediate", "train_languages", "label") and ("," in value or key != "label"):
        return list(_names(value))
    return value


@dataclass(frozen=True)
class Contrast:
    """Candidate runs against baseline runs; `found` says it was detected in the runs' lineage."""

    name: str
    baseline: Selector
    candidate: Selector
    found: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "baseline": self.baseline.fields,
            "candidate": self.candidate.fields,
            "found_in_runs": self.found,
        }

    @classmethod
    def from_json(cls, value: Any, file: Path | str, where: str) -> Contrast:
        expect(isinstance(value, dict), file, where, "an object with baseline and candidate", value)
        for key in ("baseline", "candidate"):
            expect(key in value, file, f"{where}.{key}", "a selector of runs", None)
        baseline = Selector.from_json(value["baseline"], file, f"{where}.baseline")
        candidate = Selector.from_json(value["candidate"], file, f"{where}.candidate")
        name = value.get("name") or f"{candidate.describe()} vs {baseline.describe()}"
        expect(isinstance(name, str), file, f"{where}.name", "a string", name)
        return cls(name=name, baseline=baseline, candidate=candidate, found=bool(value.get("found_in_runs")))


@dataclass(frozen=True)
class Design:
    """A study's design (module docstring); every field has the default a user of `study RUN...` expects."""

    name: str | None = None
    contrasts: tuple[Contrast, ...] = ()
    auto: bool = True
    group_by: tuple[str, ...] = LANGUAGE_KEYS
    correlate: tuple[str, ...] = ("xlmr_cc100_gib",)
    languages: tuple[str, ...] | dict[str, tuple[Any, ...]] = ()  # () = all
    scaling: bool = True
    seeds: bool = True

    def keeps(self, language: Any) -> bool:
        """Whether a language (a `xlt_bench.languages.Language`) is in the study's language selection."""
        if not self.languages:
            return True
        if isinstance(self.languages, dict):
            return all(getattr(language, key) in values for key, values in self.languages.items())
        return language.code in self.languages or any(alias in self.languages for alias in language.aliases)

    def to_json(self) -> dict[str, Any]:
        languages = self.languages
        return {
            "name": self.name,
            "contrasts": [contrast.to_json() for contrast in self.contrasts],
            "auto": self.auto,
            "group_by": list(self.group_by),
            "correlate": list(self.correlate),
            "languages": {k: list(v) for k, v in languages.items()} if isinstance(languages, dict) else list(languages),
            "scaling": self.scaling,
            "seeds": self.seeds,
        }

    @classmethod
    def from_json(cls, document: Any, file: Path | str) -> Design:
        expect(isinstance(document, dict), file, "design", "an object (see `xlt-bench study --help`)", document)
        unknown = [key for key in document if key not in DESIGN_KEYS]
        expect(not unknown, file, unknown[0] if unknown else "", f"a design key ({', '.join(DESIGN_KEYS)})", unknown)
        contrasts = document.get("contrasts") or []
        expect(isinstance(contrasts, list), file, "contrasts", "a list", contrasts)
        for key in ("auto", "scaling", "seeds"):
            expect(isinstance(document.get(key, True), bool), file, key, "true or false", document.get(key))
        for key in ("group_by", "correlate"):
            value = document.get(key, [])
            expect(
                isinstance(value, list) and all(isinstance(v, str) for v in value), file, key, "a list of names", value
            )
        name = document.get("name")
        expect(name is None or isinstance(name, str), file, "name", "a string", name)
        bad = [key for key in document.get("group_by", []) if key not in LANGUAGE_KEYS]
        expect(not bad, file, "group_by", f"a list of {', '.join(LANGUAGE_KEYS)}", bad)
        return cls(
            name=document.get("name"),
            contrasts=tuple(Contrast.from_json(c, file, f"contrasts[{i}]") for i, c in enumerate(contrasts)),
            auto=document.get("auto", not contrasts),
            group_by=tuple(document.get("group_by", LANGUAGE_KEYS)),
            correlate=tuple(document.get("correlate", ("xlmr_cc100_gib",))),
            languages=language_selection(document.get("languages") or (), file),
            scaling=document.get("scaling", True),
            seeds=document.get("seeds", True),
        )

    @classmethod
    def read(cls, path: Path) -> Design:
        document = read_json(path) if path.suffix == ".json" else read_yaml(path, "study design")
        return cls.from_json(document, path)


def language_selection(value: Any, file: Path | str) -> tuple[str, ...] | dict[str, tuple[Any, ...]]:
    """`languages`: a list of codes, or {resource_class|family|script: [values]} (a string is comma-separated, as
    `--languages resource_class=0,1,2` or `--languages sw,yo` give it)."""
    if isinstance(value, str):
        key, equals, values = value.partition("=")
        if not equals:
            return _names(value)
        value = {key.strip(): list(_names(values))}
    if isinstance(value, dict):
        unknown = [key for key in value if key not in LANGUAGE_KEYS]
        expect(not unknown, file, "languages", f"codes or an object of {', '.join(LANGUAGE_KEYS)}", value)
        selection = {}
        for key, values in value.items():
            values = values if isinstance(values, list) else [values]
            if key == "resource_class":
                ok = all(str(v).isdigit() for v in values)
                expect(ok, file, "languages.resource_class", "classes 0-5", values)
                values = [int(v) for v in values]
            selection[key] = tuple(values)
        return selection
    expect(isinstance(value, (list, tuple)), file, "languages", "a list of codes", value)
    return _names(value)
