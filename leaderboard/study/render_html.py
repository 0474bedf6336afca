"""A study report as one self-contained HTML page (inline CSS, SVG and script; nothing is fetched).

Sections follow the analyses: the runs read and the notes; per contrast a table of task and suite deltas, a forest
plot and a heatmap of per-language deltas; per contrast and grouping a forest plot of the language groups' mean
deltas and their table; a scatter plot per correlation (Δ against pre-training size, log x); per scaling curve and
task the scores against intermediate data size (log x) with the log-linear fit, the direct run's score and where
the curve flattens, then the gains; the seeds' spread. Points are filled where the interval excludes 0 and hollow
otherwise; every plot's caption says what its intervals cover. The page only lays out the report's estimates (it
computes no statistics), and all text from the runs is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xlt_bench.leaderboard.html_parts import (
    colour_legend,
    delta_cell,
    escape,
    num_td,
    page,
    sort_key,
    sortable_thead,
)
from xlt_bench.leaderboard.study.report import SIGNED, Estimate, StudyReport
from xlt_bench.leaderboard.study.wording import (
    GAIN_MARK,
    QUANTITY_NAMES,
    contrast_sides,
    fit_summary,
    interval,
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
from xlt_bench.leaderboard.svg_plot import PLOT_CSS, Line, Mark, Segment, forest_plot, xy_plot

STUDY_CSS = """
section.analysis { margin-bottom: 2.5em; }
figure svg { border: 1px solid #eee; background: #fff; }
"""
DELTA_AXIS = "Δ = candidate − baseline (points)"
FILLED = "Filled: the interval excludes 0; hollow: it includes 0 or there is none."


def _names(estimates: list[Estimate]) -> list[str]:
    """The distinct `name`s in report order."""
    return list(dict.fromkeys(e.name for e in estimates))


def _table(css_class: str, headers: list[tuple[str, bool]], rows: list[str], footer: Sequence[str] = ()) -> list[str]:
    """A sortable table; `footer` rows stay below the sorted body (the suite mean)."""
    tfoot = f"<tfoot>{''.join(footer)}</tfoot>" if footer else ""
    return [
        f'<table class="sortable {css_class}">',
        sortable_thead(headers),
        "<tbody>",
        *rows,
        f"</tbody>{tfoot}</table>",
    ]


def _explain(text: str) -> str:
    return f'<p class="explain">{escape(text)}</p>'


def _figure(svg: str, caption: str) -> list[str]:
    return ["<figure>", svg, f"<figcaption>{escape(caption)}</figcaption>", "</figure>"]


def _text_td(text: str) -> str:
    return f"<td>{escape(text)}</td>"


def _estimate_tds(estimate: Estimate) -> str:
    """The value (bold with * where the interval excludes 0), its interval and the verdict."""
    text = escape(number(estimate.value, estimate.quantity in SIGNED))
    if estimate.significant:
        text = f'<strong class="sig">{text}*</strong>'
    value = f'<td class="num" data-sort="{sort_key(estimate.value)}">{text}</td>'
    return value + num_td(interval(estimate), estimate.low) + _text_td(verdict(estimate))


def _mark(estimate: Estimate, label: str) -> Mark:
    """A forest plot's row: filled only where the estimate's interval excludes 0."""
    quantity = QUANTITY_NAMES.get(estimate.quantity, estimate.quantity)
    return Mark(
        value=estimate.value,
        low=estimate.low,
        high=estimate.high,
        label=label,
        text=with_interval(estimate),
        note=f"{label}: {quantity} {with_interval(estimate)}; {verdict(estimate)}",
        filled=bool(estimate.significant),
    )


def _runs(report: StudyReport) -> list[str]:
    made = [f"xlt-bench {report.xlt_bench_version}" if report.xlt_bench_version else "", report.created or ""]
    lines = ["<h2>Runs and notes</h2>"]
    if any(made):
        lines.append(f'<p class="description">Made by {escape(" ".join(x for x in made if x))}.</p>')
    lines.append(
        f'<p class="description">Intervals are 95%, from {escape(report.resamples)} bootstrap resamples '
        f"(seed {escape(report.seed)}).</p>"
    )
    rows = [
        "<tr>"
        + "".join(_text_td(text) for text in (run.get("label") or run["id"], run["id"], run_summary(run)))
        + "</tr>"
        for run in report.runs
    ]
    lines += _table("runs", [("run", False), ("id", False), ("condition and lineage", False)], rows)
    if report.notes:
        lines += ['<ul class="notes">', *(f"<li>{escape(note)}</li>" for note in report.notes), "</ul>"]
    return lines


def _contrast_table(rows: list[Estimate]) -> list[str]:
    """Task rows (sortable) with the suite mean in the footer."""

    def row(e: Estimate) -> str:
        languages = e.n.get("languages")
        count = num_td("–" if languages is None else str(languages), languages)
        return f"<tr>{_text_td(scope(e))}{_estimate_tds(e)}{count}</tr>"

    headers = [("task", False), ("Δ", True), ("95% interval", True), ("evidence", False), ("languages", True)]
    tasks = [row(e) for e in rows if e.task is not None]
    return _table("contrast", headers, tasks, [row(e) for e in rows if e.task is None])


def _heatmap(estimates: list[Estimate]) -> list[str]:
    """Per-language Δ, tasks × languages, on the leaderboard's diverging colours (range: the largest |Δ|)."""
    languages = sorted({e.language for e in estimates})
    cells = {(scope(e), e.language): e for e in estimates if e.value is not None}
    scale = max((abs(e.value) for e in cells.values()), default=0.0)
    rows = []
    for task in dict.fromkeys(scope(e) for e in estimates):
        row = [_text_td(task)]
        for language in languages:
            e = cells.get((task, language))
            if e is None:
                row.append('<td class="empty" data-sort=""></td>')
                continue
            title = f"{task} {language}: Δ {with_interval(e)}; {verdict(e)}"
            row.append(delta_cell(e.value, bool(e.significant), scale, title, number(e.value, signed=True)))
        rows.append(f"<tr>{''.join(row)}</tr>")
    headers = [("task", False), *((language, True) for language in languages)]
    return [
        "<h4>Δ per language</h4>",
        *_table("heatmap", headers, rows),
        colour_legend(scale),
        _explain("Bold with *: the interval excludes 0. " + intervals_used(estimates)),
    ]


def _contrasts(report: StudyReport) -> list[str]:
    estimates = report.select("contrast")
    if not estimates:
        return []
    lines = ['<section class="analysis" id="contrasts">', "<h2>Contrasts</h2>"]
    for name in _names(estimates):
        every = report.select("contrast", name=name)
        rows = [e for e in every if e.language is None]
        per_language = [e for e in every if e.language is not None]
        lines.append(f"<h3>{escape(name)}</h3>")
        if contrast_sides(every[0]):
            lines.append(f'<p class="description">{escape(contrast_sides(every[0]))}.</p>')
        if rows:
            lines += _contrast_table(rows)
            plotted = [_mark(e, scope(e)) for e in rows if e.value is not None]
            plot = forest_plot(plotted, title=f"{name}: Δ per task", axis_label=DELTA_AXIS)
            lines += _figure(plot, f"{name}: {DELTA_AXIS} per task and the suite mean. {FILLED} {intervals_used(rows)}")
        if per_language:
            lines += _heatmap(per_language)
    return [*lines, "</section>"]


def _language_groups(report: StudyReport) -> list[str]:
    estimates = report.select("language_group")
    if not estimates:
        return []
    lines = ['<section class="analysis" id="language-groups">', "<h2>Language groups</h2>"]
    headers = [("group", False), ("task", False), ("languages", False)]
    headers += [("mean Δ", True), ("95% interval", True), ("evidence", False)]
    for name in _names(estimates):
        lines.append(f"<h3>{escape(name)}</h3>")
        for group_by in dict.fromkeys(e.group_by for e in report.select("language_group", name=name)):
            rows = report.select("language_group", name=name, group_by=group_by)
            suite = [_mark(e, e.group or "–") for e in rows if e.task is None and e.value is not None]
            lines.append(f"<h4>by {escape(group_by or '–')}</h4>")
            if suite:
                plot = forest_plot(suite, title=f"{name}: mean Δ per {group_by}", axis_label="mean " + DELTA_AXIS)
                caption = f"Mean Δ over each group's languages, suite mean of tasks. {FILLED} {intervals_used(rows)}"
                lines += _figure(plot, caption)
            body = [
                f"<tr>{_text_td(e.group or '–')}{_text_td(scope(e))}{_text_td(', '.join(e.details['languages']))}"
                f"{_estimate_tds(e)}</tr>"
                for e in rows
            ]
            lines += [*_table("groups", headers, body), _explain(intervals_used(rows))]
    return [*lines, "</section>"]


def _correlation(e: Estimate) -> list[str]:
    """A scatter of each language's Δ against its pre-training size (log x: sizes ≤ 0 cannot be placed)."""
    points = [
        (lang, size, delta) for lang, size, delta in e.details["points"] if size and size > 0 and delta is not None
    ]
    heading = f"{e.name}: {scope(e)}"
    caption = (
        f"Spearman ρ = {with_interval(e)}; {verdict(e)}. One point per language: its Δ against its pre-training "
        f"data size ({e.group_by}, log scale). {intervals_used([e])}"
    )
    left_out = len(e.details["points"]) - len(points)
    if left_out:
        caption += f" Not plotted: {left_out} language(s) without a positive size or a Δ."
    if not points:
        return [f"<h3>{escape(heading)}</h3>", _explain(caption)]
    marks = [
        Mark(value=delta, at=size, label=language, note=f"{language}: {size:g}, Δ {number(delta, signed=True)}")
        for language, size, delta in points
    ]
    plot = xy_plot(
        marks,
        title=f"{heading}: Δ against {e.group_by}",
        x_label=f"{e.group_by} (log scale)",
        y_label="Δ (points)",
        lines=[Line(at=0.0, label="Δ = 0", css_class="zero")],
    )
    return [f"<h3>{escape(heading)}</h3>", *_figure(plot, caption)]


def _correlations(report: StudyReport) -> list[str]:
    estimates = report.select("correlation")
    if not estimates:
        return []
    lines = ['<section class="analysis" id="correlations">', "<h2>Correlations with pre-training data</h2>"]
    for e in estimates:
        lines += _correlation(e)
    return [*lines, "</section>"]


def _fit_references(fit: Estimate, scores: list[Estimate]) -> tuple[list[Line], Segment | None, list[str]]:
    """The direct score (dashed), the flattening point (dotted), the fitted line over the plotted sizes
    (score = intercept + slope × log10(size)) and what the caption says of them."""
    details, lines, caption = fit.details, [], [f"Log-linear fit: {fit_summary(fit)}."]
    if details.get("direct_score") is not None:
        direct = number(details["direct_score"])
        lines.append(Line(at=details["direct_score"], label=f"direct {direct}", css_class="reference"))
        caption.append(f"Dashed: the direct run's score, {direct}.")
    if details.get("flattens_at") is not None:
        where = size_text(details["flattens_at"])
        lines.append(
            Line(at=details["flattens_at"], label=f"flattens at {where}", css_class="flattening", vertical=True)
        )
        caption.append(f"Dotted: the curve flattens at {where}.")
    if fit.value is None or details.get("intercept") is None or not scores:
        return lines, None, caption
    ends = [(size, details["intercept"] + fit.value * math.log10(size)) for size in (scores[0].size, scores[-1].size)]
    return lines, Segment(start=ends[0], end=ends[1], label=f"fit: {fit_summary(fit)}"), caption


def _scaling_plot(report: StudyReport, name: str, task: str | None) -> list[str]:
    scores = report.select("scaling", name=name, task=task, quantity="score")
    scores = sorted((e for e in scores if e.size and e.value is not None), key=lambda e: e.size)
    fits = report.select("fit", name=name, task=task)
    where = f"{name}, {task if task is not None else 'suite mean'}"
    lines, segment, caption = _fit_references(fits[0], scores) if fits else ([], None, [])
    caption = [f"{where}: score against intermediate data size (log scale).", *caption, intervals_used(scores + fits)]
    if not scores:
        return [_explain(" ".join(caption))]
    marks = [
        Mark(
            value=e.value,
            low=e.low,
            high=e.high,
            at=e.size,
            filled=True,
            note=f"{size_text(e.size)}: {with_interval(e)}",
        )
        for e in scores
    ]
    plot = xy_plot(
        marks,
        title=f"{where}: score against data size",
        x_label="intermediate training examples (log scale)",
        y_label="score",
        x_text=size_text,
        lines=lines,
        segment=segment,
    )
    return _figure(plot, " ".join(caption))


def _gain_td(report: StudyReport, score: Estimate, quantity: str) -> str:
    found = report.select("scaling", name=score.name, task=score.task, size=score.size, quantity=quantity)
    return num_td(marked(found[0] if found else None), found[0].value if found else None)


def _scaling(report: StudyReport) -> list[str]:
    estimates = report.select("scaling") + report.select("fit")
    if not estimates:
        return []
    lines = ['<section class="analysis" id="scaling">', "<h2>Scaling with intermediate data</h2>"]
    headers = [
        ("task", False),
        ("size", True),
        ("score", True),
        ("gain over previous", True),
        ("gain over direct", True),
    ]
    for name in _names(estimates):
        lines.append(f"<h3>{escape(name)}</h3>")
        for task in dict.fromkeys(e.task for e in estimates if e.name == name):
            lines += _scaling_plot(report, name, task)
        points = report.select("scaling", name=name)
        rows = [
            f"<tr>{_text_td(scope(e))}{num_td(size_text(e.size or 0), e.size)}{num_td(with_interval(e), e.value)}"
            f"{_gain_td(report, e, 'gain_over_previous')}{_gain_td(report, e, 'gain_over_direct')}</tr>"
            for e in points
            if e.quantity == "score"
        ]
        if rows:
            lines += [*_table("scaling", headers, rows), _explain(f"{GAIN_MARK} {intervals_used(points)}")]
    return [*lines, "</section>"]


def _seeds(report: StudyReport) -> list[str]:
    estimates = report.select("seeds")
    if not estimates:
        return []
    rows = []
    for e in estimates:
        example_sd = e.details.get("example_sd")
        rows.append(
            f"<tr>{_text_td(e.name)}{_text_td(scope(e))}{_text_td(seed_scores(e))}{num_td(with_interval(e), e.value)}"
            f"{num_td(number(example_sd), example_sd)}{_text_td(larger_spread(e.value, example_sd))}</tr>"
        )
    headers = [("condition", False), ("task", False), ("seed scores", False), ("seed sd", True)]
    headers += [("example sd", True), ("larger spread", False)]
    intro = "Spread over fine-tuning seeds against the bootstrap spread of one seed's score over examples."
    return [
        '<section class="analysis" id="seeds">',
        "<h2>Seeds</h2>",
        _explain(intro),
        *_table("seeds", headers, rows),
        _explain(intervals_used(estimates)),
        "</section>",
    ]


def to_html(report: StudyReport) -> str:
    """The whole page; deterministic (same report, same bytes)."""
    body = ["<h1>Study report</h1>", *_runs(report)]
    for section in (_contrasts, _language_groups, _correlations, _scaling, _seeds):
        body += section(report)
    return page("Study report", body, PLOT_CSS + STUDY_CSS)
