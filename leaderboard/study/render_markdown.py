"""A study report as Markdown for CI comments: the answers first (each question's answer in one sentence with its
interval, then the notes), one compact table per analysis, the runs read last.

Every value is shown with its 95% interval (`+1.23 [−0.40, +2.86]`), every table says what its intervals cover,
and a verdict column says only what the interval says about 0. A suite with one task gets one table of its
contrasts and no "suite mean" repeats (`summary.without_repeats`); per-language contrast rows sit in a `<details>`
block. A scaling curve's shape (flattens, drops, still rising) is read from its gains (`summary.curve_shape`).
Text from the runs is escaped (`markdown_text`), and the output depends on the report alone, so the same study
gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from xlt_bench.leaderboard.render import markdown_table, markdown_text
from xlt_bench.leaderboard.study.report import Estimate, StudyReport
from xlt_bench.leaderboard.study.summary import (
    SHAPE_RULE,
    Names,
    answers,
    column_label,
    curve_shape,
    grouped,
    one_task,
    without_repeats,
)
from xlt_bench.leaderboard.study.wording import (
    GAIN_MARK,
    contrast_sides,
    fit_summary,
    intervals_used,
    larger_spread,
    marked,
    number,
    run_summary,
    scope,
    seed_scores,
    size_text,
    verdict,
    with_interval,
)


def _names(estimates: list[Estimate]) -> list[str]:
    """The distinct `name`s in report order."""
    return list(dict.fromkeys(e.name for e in estimates))


def _table(headers: list[str], rows: list[list[str]], estimates: list[Estimate]) -> list[str]:
    """A table, then the line saying what its intervals cover."""
    return [*markdown_table(headers, rows), "", intervals_used(estimates), ""]


def _header(report: StudyReport) -> list[str]:
    """The title and the summary: each question's answer in one sentence with its interval, then the notes."""
    made = [f"xlt-bench {report.xlt_bench_version}" if report.xlt_bench_version else "", report.created or ""]
    lines = ["# Study report", ""]
    if any(made):
        lines += [f"Made by {markdown_text(' '.join(x for x in made if x))}.", ""]
    lines += [f"Intervals are 95%, from {report.resamples} bootstrap resamples (seed {report.seed}).", ""]
    found = answers(report, names := Names.of(_names(report.select("contrast"))))
    if found:
        lines += ["## Answers", ""]
        if names.shared:
            shared = ", ".join(f"“{phrase}”" for phrase in names.shared)
            lines += [f"Names below leave out what every condition has: {markdown_text(shared)}.", ""]
        for question, group in grouped(found):
            lines += [f"**{markdown_text(question)}**", ""]
            lines += [f"- {markdown_text(a.subject)}: {a.answer}" for a in group]  # the answer: numbers and words
            lines.append("")
    if report.notes:
        lines += ["Notes:", "", *(f"- {markdown_text(note)}" for note in report.notes), ""]
    return lines


def _runs(report: StudyReport) -> list[str]:
    lines = [f"## Runs read ({len(report.runs)})", ""]
    for run in report.runs:
        lines.append(f"- **{markdown_text(run.get('label') or run['id'])}**: {markdown_text(run_summary(run))}")
    return [*lines, ""] if report.runs else []


def _contrasts(report: StudyReport) -> list[str]:
    estimates = report.select("contrast")
    if not estimates:
        return []
    lines = ["## Contrasts", "", "Δ = candidate − baseline, in points of each task's main metric.", ""]
    single = {suite for suite in dict.fromkeys(e.suite for e in estimates) if one_task(report, suite) is not None}
    several = len({e.suite for e in estimates}) > 1
    for suite in single:
        lines += _one_task_contrasts(report, suite, several)
    for name in _names([e for e in estimates if e.suite not in single]):
        every = [e for e in report.select("contrast", name=name) if e.suite not in single]
        rows = [e for e in every if e.language is None]
        per_language = [e for e in every if e.language is not None]
        lines += [f"### {markdown_text(name)}", ""]
        if contrast_sides(every[0]):
            lines += [markdown_text(contrast_sides(every[0])) + ".", ""]
        if rows:
            table = [
                [markdown_text(scope(e)), with_interval(e), verdict(e), str(e.n.get("languages", "–"))] for e in rows
            ]
            lines += _table(["task", "Δ [95% interval]", "evidence", "languages"], table, rows)
        lines += _per_language_details("task", lambda e: markdown_text(scope(e)), per_language)
    return lines


def _one_task_contrasts(report: StudyReport, suite: str, say_suite: bool) -> list[str]:
    """A suite with one task: one row per contrast (its task's Δ), then every contrast's per-language rows."""
    every = report.select("contrast", suite=suite)
    numbers = {name: i for i, name in enumerate(_names(report.select("contrast")), start=1)}
    rows = [e for e in every if e.language is None]
    per_language = [e for e in every if e.language is not None]
    lines = [f"### {markdown_text(suite)}", ""] if say_suite else []
    table = [
        [f"#{numbers[e.name]}", markdown_text(e.name), markdown_text(scope(e)), with_interval(e), verdict(e)]
        + [str(e.n.get("languages", "–"))]
        for e in rows
    ]
    headers = ["#", "contrast", "task", "Δ [95% interval]", "evidence", "languages"]
    lines += _table(headers, table, rows) if rows else []
    return lines + _per_language_details("#", lambda e: f"#{numbers[e.name]}", per_language)


def _per_language_details(header: str, first: Callable[[Estimate], str], rows: list[Estimate]) -> list[str]:
    """The per-language rows of contrasts, folded; `first` gives each row's leading cell (its task, its number)."""
    if not rows:
        return []
    table = [
        [first(e), markdown_text(e.language), with_interval(e), verdict(e), str(e.n.get("examples", "–"))] for e in rows
    ]
    lines = [f"<details><summary>Per-language Δ ({len(rows)} rows)</summary>", ""]
    lines += _table([header, "language", "Δ [95% interval]", "evidence", "examples"], table, rows)
    return lines + ["</details>", ""]


def _language_groups(report: StudyReport) -> list[str]:
    estimates = report.select("language_group")
    if not estimates:
        return []
    lines = ["## Language groups", "", "Mean Δ of a contrast over the languages of each group.", ""]
    headers = ["grouped by", "group", "task", "languages", "mean Δ [95% interval]", "evidence"]
    for name in _names(estimates):
        rows = report.select("language_group", name=name)
        table = [
            [
                markdown_text(x)
                for x in (column_label(e.group_by), e.group or "–", scope(e), ", ".join(e.details["languages"]))
            ]
            + [with_interval(e), verdict(e)]
            for e in rows
        ]
        lines += [f"### {markdown_text(name)}", "", *_table(headers, table, rows)]
    return lines


def _correlations(report: StudyReport) -> list[str]:
    rows = report.select("correlation")
    if not rows:
        return []
    table = [
        [markdown_text(x) for x in (e.name, scope(e), column_label(e.group_by))]
        + [str(e.n.get("languages", len(e.details["points"]))), with_interval(e), verdict(e)]
        for e in rows
    ]
    headers = ["contrast", "task", "against", "languages", "Spearman ρ [95% interval]", "evidence"]
    intro = "Spearman correlation between a language's Δ and its pre-training data size."
    return ["## Correlations", "", intro, "", *_table(headers, table, rows)]


def _scaling(report: StudyReport) -> list[str]:
    estimates = report.select("scaling") + report.select("fit")
    if not estimates:
        return []
    lines = ["## Scaling with intermediate data", ""]
    for name in _names(estimates):
        lines += [f"### {markdown_text(name)}", ""]
        points = report.select("scaling", name=name)
        table = [
            [markdown_text(scope(e)), size_text(e.size or 0), with_interval(e)]
            + [marked(_gain(report, e, quantity)) for quantity in ("gain_over_previous", "gain_over_direct")]
            for e in points
            if e.quantity == "score"
        ]
        if table:
            headers = ["task", "size", "score [95% interval]", "gain over previous", "gain over direct"]
            lines += [*_table(headers, table, points), markdown_text(GAIN_MARK), ""]
        fits = report.select("fit", name=name)
        if fits:
            table = [
                [markdown_text(scope(e)), fit_summary(e), _shape(report, e), number(e.details.get("direct_score"))]
                for e in fits
            ]
            lines += ["Log-linear fit: score = intercept + slope × log10(size).", ""]
            lines += _table(["task", "fit", "shape", "direct score"], table, fits)
            lines += [SHAPE_RULE, ""]
    return lines


def _gain(report: StudyReport, score: Estimate, quantity: str) -> Estimate | None:
    """The gain estimate of a scaling point (None where there is none, e.g. over previous at the smallest size)."""
    found = report.select("scaling", name=score.name, task=score.task, size=score.size, quantity=quantity)
    return found[0] if found else None


def _shape(report: StudyReport, fit: Estimate) -> str:
    gains = report.select("scaling", name=fit.name, suite=fit.suite, task=fit.task, quantity="gain_over_previous")
    return curve_shape(gains).text()


def _seeds(report: StudyReport) -> list[str]:
    rows = report.select("seeds")
    if not rows:
        return []
    table = [
        [markdown_text(x) for x in (e.name, scope(e), seed_scores(e))]
        + [with_interval(e), number(e.details.get("example_sd")), larger_spread(e.value, e.details.get("example_sd"))]
        for e in rows
    ]
    headers = ["condition", "task", "seed scores", "seed sd [95% interval]", "example sd", "larger spread"]
    intro = "Spread over fine-tuning seeds against the bootstrap spread of one seed's score over examples."
    return ["## Seeds", "", intro, "", *_table(headers, table, rows)]


def to_markdown(report: StudyReport) -> str:
    """The whole report; deterministic (same report, same text)."""
    report = without_repeats(report)
    lines = _header(report)
    for section in (_contrasts, _language_groups, _correlations, _scaling, _seeds, _runs):
        lines += section(report)
    return "\n".join(lines).rstrip() + "\n"
