"""What both study renderers say first and how they read a report before laying it out: each question's answer in
one sentence with its interval (`answers`), estimates that only repeat a one-task suite's task dropped
(`without_repeats`), the shape of a scaling curve from its gains (`curve_shape`: where it flattens, drops or still
rises) and the human name of a language-metadata column (`column_label`). Words only, no statistics: every number
comes from the report's estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from xlt_bench.leaderboard.study.report import Estimate, StudyReport
from xlt_bench.leaderboard.study.statistics import curve_shape as shape_of
from xlt_bench.leaderboard.study.wording import fit_summary, larger_spread, number, size_text, verdict, with_interval

COLUMN_LABELS = {  # the columns of `xlt_bench.languages` (SOURCES says where each value comes from)
    "resource_class": "resource class (Joshi et al. 2020, 0–5)",
    "family": "language family (Glottolog)",
    "script": "script (ISO 15924)",
    "xlmr_cc100_gib": "XLM-R pre-training data (CC-100, GiB)",
}


def column_label(column: str | None) -> str:
    """`xlmr_cc100_gib` -> `XLM-R pre-training data (CC-100, GiB)`; a column a plugin adds: its name in words."""
    if column is None:
        return "–"
    return COLUMN_LABELS.get(column, column.replace("_", " "))


def _tasks_by_suite(estimates: list[Estimate]) -> dict[str, set[str]]:
    tasks: dict[str, set[str]] = {}
    for e in estimates:
        tasks.setdefault(e.suite, set())
        if e.task is not None:
            tasks[e.suite].add(e.task)
    return tasks


def one_task(report: StudyReport, suite: str) -> str | None:
    """The task of a suite whose estimates name a single task (None: several or none)."""
    tasks = _tasks_by_suite(report.estimates).get(suite, set())
    return next(iter(tasks)) if len(tasks) == 1 else None


def _key(e: Estimate) -> tuple:
    return (e.analysis, e.name, e.suite, e.language, e.group_by, e.group, e.size, e.quantity)


def without_repeats(report: StudyReport) -> StudyReport:
    """The report without its suite-level estimates (task None) where the suite has one task and that task has the
    same estimate: the suite mean of one task is the task, shown once."""
    single = {suite for suite, tasks in _tasks_by_suite(report.estimates).items() if len(tasks) == 1}
    task_level = {_key(e) for e in report.estimates if e.task is not None and e.suite in single}
    kept = [e for e in report.estimates if not (e.task is None and e.suite in single and _key(e) in task_level)]
    return replace(report, estimates=kept)


def where(e: Estimate, suites: int = 1) -> str:
    """`udpos`, `suite mean`, or with several suites `xtreme: suite mean`."""
    scope = e.task if e.task is not None else "suite mean"
    return f"{e.suite}: {scope}" if suites > 1 else scope


SHAPE_RULE = (
    "Shape: a curve flattens at the first size from which no gain over the next smaller size is significant (none "
    "rises, none drops); a gain whose interval is below 0 is a drop, never a flattening."
)


@dataclass(frozen=True)
class Shape:
    """What a scaling curve's gains over the next smaller size say: `kind` is `flattens` (from `size` on, no gain is
    significant either way, after the last significant rise), `drops` (the gain at `size` is a significant drop),
    `rises` (the last gain, at `size`, is still significantly positive) or `unknown` (gains without intervals)."""

    kind: str
    size: int | None = None
    gain: Estimate | None = None

    def text(self) -> str:
        if self.kind == "flattens":
            return f"flattens at {size_text(self.size)}"
        if self.kind == "drops":
            return f"drops at {size_text(self.size)}"
        if self.kind == "rises":
            return f"still rising at {size_text(self.size)}"
        return "–"

    def sentence(self) -> str:
        """The shape with the gain that shows it."""
        if self.kind == "flattens":
            where = size_text(self.size)
            return f"it flattens at {where}: from there on no gain over the next smaller size is significant"
        if self.kind == "drops":
            return (
                f"it drops at {size_text(self.size)}: the gain over the next smaller size is "
                f"{with_interval(self.gain)}, an interval below 0, so it does not flatten but falls"
            )
        if self.kind == "rises":
            return (
                f"it still rises at {size_text(self.size)}: gain over the next smaller size {with_interval(self.gain)}"
            )
        return "whether it flattens is unknown: its gains have no interval"


def curve_shape(gains: list[Estimate]) -> Shape:
    """The shape from the `gain_over_previous` estimates of one curve (any order). A curve flattens only where its
    gain stops being positive and significant and no later step is significant in either direction; the first
    significant drop is said as a drop, never as flattening."""
    by_size = {gain.size: gain for gain in gains if gain.size is not None}
    kind, size = shape_of([(size, gain.low, gain.high) for size, gain in by_size.items()])
    return Shape(kind) if size is None else Shape(kind, size, by_size[size])


@dataclass(frozen=True)
class Answer:
    """One answer in one sentence: the `question` it answers (answers of one question follow each other), what it
    is about (`subject`: a contrast, a curve, a condition, shortened by `Names`), the `answer` with its interval,
    and `section`, the id of its detail."""

    question: str
    subject: str
    answer: str
    section: str


@dataclass(frozen=True)
class Names:
    """Short names for the summary: the words every contrast's two sides share (the base, `on en`, ...) left out,
    and said once in `shared`."""

    words: frozenset[str] = frozenset()
    shared: tuple[str, ...] = ()

    @classmethod
    def of(cls, contrast_names: list[str]) -> Names:
        sides = [side.split() for name in contrast_names for side in name.split(" vs ")]
        if not contrast_names or any(len(name.split(" vs ")) != 2 for name in contrast_names):
            return cls()
        words = frozenset.intersection(*(frozenset(side) for side in sides))
        if any(not set(side) - words for side in sides):  # a side would be left with no name
            return cls()
        phrases, current = [], []
        for word in sides[0]:
            if word in words:
                current.append(word)
            elif current:
                phrases.append(" ".join(current))
                current = []
        phrases += [" ".join(current)] if current else []
        return cls(words, tuple(phrases))

    def short(self, name: str) -> str:
        kept = [" ".join(w for w in side.split() if w not in self.words) for side in name.split(" vs ")]
        return " vs ".join(kept) if all(kept) else name


def _headlines(report: StudyReport, analysis: str) -> list[Estimate]:
    """Per name, suite (and correlated column), the estimate that answers the question: the suite's (task None),
    else the task's where only one task has it."""
    keyed: dict[tuple, list[Estimate]] = {}
    for e in report.select(analysis):
        if e.language is None and (analysis == "correlation" or e.group_by is None):
            keyed.setdefault((e.name, e.suite, e.group_by), []).append(e)
    found = []
    for candidates in keyed.values():
        suite_level = [e for e in candidates if e.task is None]
        if suite_level or len({e.task for e in candidates}) == 1:
            found.append((suite_level or candidates)[0])
    return found


CONTRAST_QUESTION = "Does the candidate score higher than the baseline? Δ = candidate − baseline, in points"
SCALING_QUESTION = "Does more intermediate data keep helping, and where does it flatten?"
SEEDS_QUESTION = "How far does the fine-tuning seed alone move the score?"


def correlation_question(column: str | None) -> str:
    return f"Does a language's Δ follow its {column_label(column)}? Spearman ρ over languages"


def answers(report: StudyReport, names: Names | None = None) -> list[Answer]:
    """One answer per contrast and suite, per correlation, per scaling curve and per condition with several seeds,
    each with its 95% interval and what the interval says about 0 (of `without_repeats(report)` or any report)."""
    suites = len({e.suite for e in report.estimates})
    names = names or Names()
    found: list[Answer] = []
    for e in _headlines(report, "contrast"):
        found.append(
            Answer(
                CONTRAST_QUESTION,
                f"{names.short(e.name)} ({where(e, suites)})",
                f"Δ = {with_interval(e)}; {verdict(e)}.",
                "contrasts",
            )
        )
    for e in _headlines(report, "correlation"):
        count = e.n.get("languages", len(e.details.get("points", [])))
        found.append(
            Answer(
                correlation_question(e.group_by),
                f"{names.short(e.name)} ({where(e, suites)})",
                f"ρ = {with_interval(e)} over {count} languages; {verdict(e)}.",
                "correlations",
            )
        )
    for fit in _headlines(report, "fit"):
        gains = report.select("scaling", name=fit.name, suite=fit.suite, task=fit.task, quantity="gain_over_previous")
        found.append(
            Answer(
                SCALING_QUESTION,
                f"{names.short(fit.name)} ({where(fit, suites)})",
                f"{fit_summary(fit)}; {curve_shape(gains).sentence()}.",
                "scaling",
            )
        )
    for e in _headlines(report, "seeds"):
        example_sd = e.details.get("example_sd")
        spread = larger_spread(e.value, example_sd)
        found.append(
            Answer(
                SEEDS_QUESTION,
                f"{names.short(e.name)} ({where(e, suites)})",
                f"seed sd {with_interval(e)} points against an example sd of {number(example_sd)}"
                + (f": the {spread} spread more." if spread in ("seeds", "examples") else "."),
                "seeds",
            )
        )
    return found


def grouped(found: list[Answer]) -> list[tuple[str, list[Answer]]]:
    """The answers under their questions, in order."""
    questions: dict[str, list[Answer]] = {}
    for answer in found:
        questions.setdefault(answer.question, []).append(answer)
    return list(questions.items())
