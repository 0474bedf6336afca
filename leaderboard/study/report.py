"""What `xlt-bench study` writes: `study.json`, one `Estimate` per number with its interval, read back by the
Markdown and HTML renderers through `StudyReport.from_json` like every other reader.

Analyses and the quantities they report (`Estimate.analysis` / `Estimate.quantity`):

- `contrast`: `delta` = candidate group minus baseline group, per language, per task (mean over its languages, as
  the task score is) and per suite (`task` None: the flat mean over tasks).
- `language_group`: `mean_delta` = the mean of a contrast's per-language deltas over the languages of one group
  (`group_by` resource_class / family / script, `group` its value), per task and over all tasks of the suite.
- `correlation`: `spearman` between a contrast's per-language deltas and a language's pre-training data size
  (`group_by` names the size column, e.g. `xlmr_cc100_gib`).
- `scaling`: per curve (`name`; one per regime and intermediate task set) and intermediate data size (`size`):
  `score`, `gain_over_previous` (against the next smaller size) and `gain_over_direct`; `fit` rows give the
  log-linear fit's `slope_per_10x` (points per tenfold data; `details`: intercept, r2, flattens_at, drops_at).
- `seeds`: per condition with several fine-tuning seeds, `seed_sd` (the standard deviation of the seeds' scores;
  `details`: the scores and `example_sd`, the bootstrap standard deviation of one seed's score over examples).

`interval` says what an interval covers: `examples` (paired bootstrap over examples), `examples+seeds` (examples
and the seeds of each condition resampled), `seeds` (seeds only: the runs have no per-example samples),
`languages+examples` (correlations: languages resampled too), `languages` (correlations of runs without
per-example samples) or `none`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError, expect
from xlt_bench.files import read_json

SCHEMA_VERSION = 1
ANALYSES = ("contrast", "language_group", "correlation", "scaling", "fit", "seeds")
INTERVALS = ("examples", "examples+seeds", "seeds", "languages+examples", "languages", "none")
SIGNED = ("delta", "mean_delta", "spearman", "gain_over_previous", "gain_over_direct", "slope_per_10x")


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value))


@dataclass(frozen=True)
class Estimate:
    """One number of a study and its 95% interval (`low`, `high`; None without one)."""

    analysis: str
    name: str
    suite: str
    quantity: str
    value: float | None
    low: float | None = None
    high: float | None = None
    interval: str = "none"
    task: str | None = None  # None: the whole suite
    language: str | None = None  # None: the task (or suite) level
    group_by: str | None = None
    group: str | None = None
    size: int | None = None  # scaling: intermediate examples at this point
    n: dict[str, int] = field(default_factory=dict)  # how many runs, seeds, languages, examples it rests on
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def significant(self) -> bool | None:
        """For differences, slopes and correlations: the interval excludes 0. None when that question has no
        meaning (a score) or there is no interval."""
        if self.quantity not in SIGNED or self.low is None or self.high is None:
            return None
        return self.low > 0 or self.high < 0

    def to_json(self) -> dict[str, Any]:
        return {
            "analysis": self.analysis,
            "name": self.name,
            "suite": self.suite,
            "task": self.task,
            "language": self.language,
            "group_by": self.group_by,
            "group": self.group,
            "size": self.size,
            "quantity": self.quantity,
            "value": self.value,
            "ci_low": self.low,
            "ci_high": self.high,
            "interval": self.interval,
            "significant": self.significant,
            "n": self.n,
            "details": self.details,
        }

    @classmethod
    def from_json(cls, value: Any, file: Path | str, where: str) -> Estimate:
        expect(isinstance(value, dict), file, where, "an object", value)
        for key in ("analysis", "name", "suite", "quantity"):
            expect(isinstance(value.get(key), str), file, f"{where}.{key}", "a string", value.get(key))
        expect(
            value["analysis"] in ANALYSES, file, f"{where}.analysis", f"one of {', '.join(ANALYSES)}", value["analysis"]
        )
        for key in ("value", "ci_low", "ci_high"):
            expect(_number(value.get(key)), file, f"{where}.{key}", "a finite number or null", value.get(key))
        interval = value.get("interval", "none")
        expect(interval in INTERVALS, file, f"{where}.interval", f"one of {', '.join(INTERVALS)}", interval)
        for key in ("task", "language", "group_by", "group"):
            expect(
                value.get(key) is None or isinstance(value[key], str),
                file,
                f"{where}.{key}",
                "a string",
                value.get(key),
            )
        size = value.get("size")
        expect(size is None or isinstance(size, int), file, f"{where}.size", "an integer", size)
        return cls(
            analysis=value["analysis"],
            name=value["name"],
            suite=value["suite"],
            quantity=value["quantity"],
            value=value.get("value"),
            low=value.get("ci_low"),
            high=value.get("ci_high"),
            interval=interval,
            task=value.get("task"),
            language=value.get("language"),
            group_by=value.get("group_by"),
            group=value.get("group"),
            size=size,
            n=dict(value.get("n") or {}),
            details=dict(value.get("details") or {}),
        )


@dataclass(frozen=True)
class StudyReport:
    """A whole study: its design, the runs it read (with their lineage), every estimate, and notes that qualify
    them (what was left out and why)."""

    design: dict[str, Any]
    runs: list[dict[str, Any]]  # id, label, path, suite, condition, lineage
    estimates: list[Estimate]
    resamples: int
    seed: int
    notes: list[str] = field(default_factory=list)
    xlt_bench_version: str | None = None
    created: str | None = None

    def select(self, analysis: str, **fields: Any) -> list[Estimate]:
        """The estimates of one analysis whose fields equal `fields` (e.g. `name=..., task=None`)."""
        return [
            e
            for e in self.estimates
            if e.analysis == analysis and all(getattr(e, key) == value for key, value in fields.items())
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "xlt_bench_version": self.xlt_bench_version,
            "created": self.created,
            "confidence": 0.95,
            "resamples": self.resamples,
            "seed": self.seed,
            "design": self.design,
            "runs": self.runs,
            "notes": self.notes,
            "estimates": [estimate.to_json() for estimate in self.estimates],
        }

    @classmethod
    def from_json(cls, document: Any, file: Path | str) -> StudyReport:
        expect(isinstance(document, dict), file, "study", "an object", document)
        schema = document.get("schema")
        expect(isinstance(schema, int), file, "schema", "an integer", schema)
        if schema > SCHEMA_VERSION:
            raise XltBenchError(f"{file}: study schema {schema} is newer than this xlt-bench reads ({SCHEMA_VERSION})")
        for key, kind, expected in (
            ("runs", list, "a list"),
            ("estimates", list, "a list"),
            ("design", dict, "an object"),
        ):
            expect(isinstance(document.get(key), kind), file, key, expected, document.get(key))
        for key in ("resamples", "seed"):
            expect(isinstance(document.get(key), int), file, key, "an integer", document.get(key))
        return cls(
            design=document["design"],
            runs=document["runs"],
            estimates=[Estimate.from_json(e, file, f"estimates[{i}]") for i, e in enumerate(document["estimates"])],
            resamples=document["resamples"],
            seed=document["seed"],
            notes=list(document.get("notes") or []),
            xlt_bench_version=document.get("xlt_bench_version"),
            created=document.get("created"),
        )

    @classmethod
    def read(cls, path: Path) -> StudyReport:
        return cls.from_json(read_json(path), path)
