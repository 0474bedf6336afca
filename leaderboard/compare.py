"""`xlt-bench compare BASELINE CANDIDATE`: the CI regression gate.

Units are task scores (complete on both sides), or with `per_language` each (task, language) scored on both. A
task not complete on both sides but with languages scored on both is compared over those languages (a partial
unit: the mean over the shared languages on each side, with the leaderboard's partial delta and interval), marked
partial with its languages in every output. A unit regresses when the candidate is more than `tolerance` points
below the baseline. When both runs have per-example predictions on the same examples, the drop must also be
significant (its paired-bootstrap 95% interval lies below 0) under the default rule "both"; rule "either" counts a
drop that is beyond the tolerance or significant. Exit status: 0 no regression, 1 regression, 2 usage or input
error, 3 nothing comparable (no task or language scored on both sides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from xlt_bench.leaderboard.render import partial_mark
from xlt_bench.leaderboard.runs import Run
from xlt_bench.leaderboard.significance import Delta
from xlt_bench.leaderboard.table import compare_runs
from xlt_bench.scoring import main_score

EXIT_OK, EXIT_REGRESSION, EXIT_USAGE, EXIT_NOTHING_COMPARABLE = 0, 1, 2, 3


@dataclass
class Unit:
    task: str
    language: str | None
    baseline: float
    candidate: float
    delta: Delta
    regression: bool
    languages: tuple[str, ...] = ()  # a partial unit: the languages both sides scored (its scores are their means)
    expected: int = 0  # a partial unit: how many languages the task has

    @property
    def name(self) -> str:
        return self.task if self.language is None else f"{self.task}/{self.language}"

    @property
    def partial(self) -> bool:
        return bool(self.languages)

    @property
    def shown(self) -> str:
        """The unit as the reports name it: partial units with the languages they cover."""
        if not self.partial:
            return self.name
        return f"{self.name} ({partial_mark(self.languages, self.expected)})"


def _regression(delta: Delta, tolerance: float, rule: str) -> bool:
    beyond = delta.value < -tolerance
    if delta.low is None:
        return beyond
    significant_drop = delta.high < 0
    return beyond and significant_drop if rule == "both" else beyond or significant_drop


def compare(
    baseline: Run,
    candidate: Run,
    registry,
    tasks: list[str] | None = None,
    tolerance: float = 0.5,
    per_language: bool = False,
    rule: str = "both",
    resamples: int = 1000,
    seed: int = 0,
) -> list[Unit]:
    """Every comparable unit of the two runs, marked when it regresses."""
    selected = [t for t in registry.suite_tasks(baseline.suite) if tasks is None or t.name in tasks]
    comparison = compare_runs(baseline, candidate, "", selected, registry, resamples, seed)
    units = []
    for task in selected:
        if per_language:
            for language, delta in comparison.languages.get(task.name, {}).items():
                before = main_score(task, baseline.tasks[task.name].languages[language])
                after = main_score(task, candidate.tasks[task.name].languages[language])
                units.append(Unit(task.name, language, before, after, delta, _regression(delta, tolerance, rule)))
        elif task.name in comparison.tasks:
            delta = comparison.tasks[task.name]
            before, after = baseline.tasks[task.name].score, candidate.tasks[task.name].score
            units.append(Unit(task.name, None, before, after, delta, _regression(delta, tolerance, rule)))
        elif task.name in comparison.partial:  # the languages both scored, marked partial
            partial = comparison.partial[task.name]
            before, after = (
                sum(main_score(task, run.tasks[task.name].languages[lang]) for lang in partial.languages)
                / len(partial.languages)
                for run in (baseline, candidate)
            )
            regression = _regression(partial.delta, tolerance, rule)
            units.append(
                Unit(task.name, None, before, after, partial.delta, regression, partial.languages, partial.expected)
            )
    return units


def notes(units: list[Unit]) -> list[str]:
    """What the reports say besides the table: which task units are partial, and how to see their languages."""
    partial = [u for u in units if u.partial]
    if not partial:
        return []
    named = "; ".join(f"{u.name}: {', '.join(u.languages)}" for u in partial)
    return [
        f"partial: {len(partial)} task(s) not complete in both runs are compared over the languages both scored "
        f"({named}), as the mean over those languages, not as task scores; --per-language compares each language"
    ]


def to_json(units: list[Unit], baseline: Run, candidate: Run, tolerance: float, rule: str) -> dict[str, Any]:
    return {
        "baseline": baseline.label,
        "candidate": candidate.label,
        "tolerance": tolerance,
        "rule": rule,
        "regressions": [u.name for u in units if u.regression],
        "units": [
            {"unit": u.name, "baseline": u.baseline, "candidate": u.candidate, **u.delta.to_json()}
            | {"regression": u.regression, "partial": u.partial}
            | ({"languages": list(u.languages), "expected": u.expected} if u.partial else {})
            for u in units
        ],
        "notes": notes(units),
    }


def to_markdown(units: list[Unit], baseline: Run, candidate: Run, tolerance: float) -> str:
    regressions = [u for u in units if u.regression]
    verdict = f"**{len(regressions)} regression(s)**" if regressions else "no regression"
    lines = [f"### {candidate.label} vs {baseline.label}: {verdict} (tolerance {tolerance} points)", ""]
    lines += ["| unit | baseline | candidate | Δ | 95% CI | status |", "|---|---|---|---|---|---|"]
    for u in units:
        ci = "n/a" if u.delta.low is None else f"[{u.delta.low:+.2f}, {u.delta.high:+.2f}]"
        status = "REGRESSION" if u.regression else "ok"
        lines.append(f"| {u.shown} | {u.baseline:.2f} | {u.candidate:.2f} | {u.delta.value:+.2f} | {ci} | {status} |")
    if said := notes(units):
        lines += ["", *(f"Note: {note}" for note in said)]
    return "\n".join(lines) + "\n"


def to_junit(units: list[Unit], baseline: Run, candidate: Run, tolerance: float) -> str:
    """JUnit XML with one test case per unit, so CI systems show each task (or language) as a test."""
    suite = ElementTree.Element(
        "testsuite",
        name=f"xlt-bench compare {candidate.label} vs {baseline.label}",
        tests=str(len(units)),
        failures=str(sum(u.regression for u in units)),
    )
    for u in units:
        classname = f"{baseline.suite}.{u.task}"
        name = u.language or (f"partial score ({', '.join(u.languages)})" if u.partial else "score")
        case = ElementTree.SubElement(suite, "testcase", classname=classname, name=name)
        if u.regression:
            failure = ElementTree.SubElement(case, "failure", message=f"{u.shown} fell by {-u.delta.value:.2f} points")
            failure.text = f"baseline {u.baseline:.2f}, candidate {u.candidate:.2f}, tolerance {tolerance}"
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"
