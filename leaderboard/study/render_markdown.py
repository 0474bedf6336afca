"""A study report as Markdown for CI comments: the runs read, then one compact table per analysis.

Every value is shown with its 95% interval (`+1.23 [−0.40, +2.86]`), every table says what its intervals cover,
and a verdict column says only what the interval says about 0. Per-language contrast rows sit in a `<details>`
block after their contrast's task table. Text from the runs is escaped (`markdown_text`), and the output depends on
the report alone, so the same study gives the same bytes.
"""

from __future__ import annotations

from xlt_bench.leaderboard.render import markdown_table, markdown_text
from xlt_bench.leaderboard.study.report import Estimate, StudyReport
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
    made = [f"xlt-bench {report.xlt_bench_version}" if report.xlt_bench_version else "", report.created or ""]
    lines = ["# Study report", ""]
    if any(made):
        lines += [f"Made by {markdown_text(' '.join(x for x in made if x))}.", ""]
    lines += [f"Intervals are 95%, from {report.resamples} bootstrap resamples (seed {report.seed}).", ""]
    lines += [f"Runs read ({len(report.runs)}):", ""]
    for run in report.runs:
        lines.append(f"- **{markdown_text(run.get('label') or run['id'])}**: {markdown_text(run_summary(run))}")
    if report.notes:
        lines += ["", "Notes:", "", *(f"- {markdown_text(note)}" for note in report.notes)]
    return [*lines, ""]


def _contrasts(report: StudyReport) -> list[str]:
    estimates = report.select("contrast")
    if not estimates:
        return []
    lines = ["## Contrasts", "", "Δ = candidate − baseline, in points of each task's main metric.", ""]
    for name in _names(estimates):
        every = report.select("contrast", name=name)
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
        if per_language:
            table = [
                [markdown_text(scope(e)), markdown_text(e.language), with_interval(e), verdict(e)]
                + [str(e.n.get("examples", "–"))]
                for e in per_language
            ]
            lines += [f"<details><summary>Per-language Δ ({len(per_language)} rows)</summary>", ""]
            lines += _table(["task", "language", "Δ [95% interval]", "evidence", "examples"], table, per_language)
            lines += ["</details>", ""]
    return lines


def _language_groups(report: StudyReport) -> list[str]:
    estimates = report.select("language_group")
    if not estimates:
        return []
    lines = ["## Language groups", "", "Mean Δ of a contrast over the languages of each group.", ""]
    headers = ["grouped by", "group", "task", "languages", "mean Δ [95% interval]", "evidence"]
    for name in _names(estimates):
        rows = report.select("language_group", name=name)
        table = [
            [markdown_text(x) for x in (e.group_by or "–", e.group or "–", scope(e), ", ".join(e.details["languages"]))]
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
        [markdown_text(x) for x in (e.name, scope(e), e.group_by or "–")]
        + [str(e.n.get("languages", len(e.details["points"]))), with_interval(e), verdict(e)]
        for e in rows
    ]
    headers = ["contrast", "task", "pre-training size", "languages", "Spearman ρ [95% interval]", "evidence"]
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
                [markdown_text(scope(e)), fit_summary(e), _flattens(e), number(e.details.get("direct_score"))]
                for e in fits
            ]
            lines += ["Log-linear fit: score = intercept + slope × log10(size).", ""]
            lines += _table(["task", "fit", "flattens at", "direct score"], table, fits)
    return lines


def _gain(report: StudyReport, score: Estimate, quantity: str) -> Estimate | None:
    """The gain estimate of a scaling point (None where there is none, e.g. over previous at the smallest size)."""
    found = report.select("scaling", name=score.name, task=score.task, size=score.size, quantity=quantity)
    return found[0] if found else None


def _flattens(fit: Estimate) -> str:
    flattens_at = fit.details.get("flattens_at")
    return "–" if flattens_at is None else size_text(flattens_at)


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
    lines = _header(report)
    for section in (_contrasts, _language_groups, _correlations, _scaling, _seeds):
        lines += section(report)
    return "\n".join(lines).rstrip() + "\n"
