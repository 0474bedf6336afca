"""A study report as one self-contained HTML page (inline CSS, SVG and script; nothing is fetched).

The page opens with the answers (`summary.answers`: each question's answer in one sentence with its interval,
grouped by question, names shortened by what every condition shares) and the notes that qualify them; the detail
follows: per suite a table and a forest plot of every contrast (numbered `#1`, ...; its suite mean, or its only task
where the suite has one) and one heatmap of per-language deltas, with each contrast's tasks where the suite has
several; per contrast a folded block of its language groups (a forest plot and a table per grouping); a table of
the correlations and a scatter per correlation (Δ against pre-training size, log x, labels placed so that none
overlap); per scaling curve and task the scores against intermediate data size (log x, ticked at the sizes that
ran) with the log-linear fit, the direct run's score and where the curve flattens or drops (`summary.curve_shape`),
then the gains; the seeds' spread; the runs read. Estimates that only repeat a one-task suite's task as its "suite
mean" are left out (`summary.without_repeats`). Points are filled where the interval excludes 0 and hollow
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
    QUANTITY_NAMES,
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
ul.answers { margin: 0.2em 0 0.6em; }
ul.answers li { margin: 0.15em 0; }
h3.question { font-size: 1em; margin: 0.8em 0 0.2em; }
.plots { display: flex; flex-wrap: wrap; gap: 0 1.2em; }
.plots figure { width: 600px; }
details.detail { margin: 0.4em 0; }
details.detail > summary { cursor: pointer; }
details.detail > summary h3 { display: inline; font-size: 1em; }
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


def _summary(report: StudyReport) -> list[str]:
    """The first screen: each question's answer in one sentence with its interval, and the notes that qualify
    them."""
    made = [f"xlt-bench {report.xlt_bench_version}" if report.xlt_bench_version else "", report.created or ""]
    lines = ['<section class="analysis" id="summary">', "<h2>Answers</h2>"]
    said = f"Intervals are 95%, from {report.resamples} bootstrap resamples (seed {report.seed})."
    if any(made):
        said = f"Made by {' '.join(x for x in made if x)}. {said}"
    lines.append(f'<p class="description">{escape(said)}</p>')
    names = Names.of(_names(report.select("contrast")))
    if names.shared:
        shared = ", ".join(f"“{phrase}”" for phrase in names.shared)
        lines.append(f'<p class="description">Names below leave out what every condition has: {escape(shared)}.</p>')
    for question, found in grouped(answers(report, names)):
        lines += [f'<h3 class="question">{escape(question)}</h3>', '<ul class="answers">']
        lines += [
            f'<li><strong>{escape(a.subject)}</strong>: {escape(a.answer)} <a href="#{a.section}">detail</a></li>'
            for a in found
        ]
        lines.append("</ul>")
    if report.notes:
        lines += ["<h3>Notes</h3>", '<ul class="notes">', *(f"<li>{escape(note)}</li>" for note in report.notes)]
        lines.append("</ul>")
    return [*lines, "</section>"]


def _runs(report: StudyReport) -> list[str]:
    lines = ['<section class="analysis" id="runs">', "<h2>Runs read</h2>"]
    rows = [
        "<tr>"
        + "".join(_text_td(text) for text in (run.get("label") or run["id"], run["id"], run_summary(run)))
        + "</tr>"
        for run in report.runs
    ]
    lines += _table("runs", [("run", False), ("id", False), ("condition and lineage", False)], rows)
    return [*lines, "</section>"]


def _contrast_table(rows: list[Estimate]) -> list[str]:
    """Task rows (sortable) with the suite mean in the footer."""

    def row(e: Estimate) -> str:
        languages = e.n.get("languages")
        count = num_td("–" if languages is None else str(languages), languages)
        return f"<tr>{_text_td(scope(e))}{_estimate_tds(e)}{count}</tr>"

    headers = [("task", False), ("Δ", True), ("95% interval", True), ("evidence", False), ("languages", True)]
    tasks = [row(e) for e in rows if e.task is not None]
    return _table("contrast", headers, tasks, [row(e) for e in rows if e.task is None])


def _heatmap(estimates: list[Estimate], number_of: dict[str, int]) -> list[str]:
    """Per-language Δ, one row per contrast (`#` of `number_of`) and task × languages, on the leaderboard's
    diverging colours (range: the largest |Δ|)."""
    languages = sorted({e.language for e in estimates})
    cells = {(e.name, scope(e), e.language): e for e in estimates if e.value is not None}
    scale = max((abs(e.value) for e in cells.values()), default=0.0)
    rows = []
    for name, task in dict.fromkeys((e.name, scope(e)) for e in estimates):
        row = [num_td(f"#{number_of[name]}", number_of[name]), _text_td(task)]
        for language in languages:
            e = cells.get((name, task, language))
            if e is None:
                row.append('<td class="empty" data-sort=""></td>')
                continue
            title = f"#{number_of[name]} {name}, {task} {language}: Δ {with_interval(e)}; {verdict(e)}"
            row.append(delta_cell(e.value, bool(e.significant), scale, title, number(e.value, signed=True)))
        rows.append(f"<tr>{''.join(row)}</tr>")
    headers = [("#", True), ("task", False), *((language, True) for language in languages)]
    return [
        "<h4>Δ per language</h4>",
        *_table("heatmap", headers, rows),
        colour_legend(scale),
        _explain("Bold with *: the interval excludes 0. " + intervals_used(estimates)),
    ]


def _numbers(report: StudyReport) -> dict[str, int]:
    """Each contrast's number (`#1`, ...), in report order: plots and tables name contrasts by it."""
    return {name: i for i, name in enumerate(_names(report.select("contrast")), start=1)}


def _runs_td(e: Estimate) -> str:
    counts = [f"{e.n[f'{role}_runs']} {role}" for role in ("candidate", "baseline") if f"{role}_runs" in e.n]
    return _text_td(", ".join(counts) or "–")


def _overview(report: StudyReport, suite: str, number_of: dict[str, int]) -> list[str]:
    """One row per contrast of a suite: its suite mean, or its only task's Δ; a table and a forest plot."""
    task = one_task(report, suite)
    headline = [
        e
        for e in report.select("contrast", suite=suite, language=None)
        if e.task is None or (task is not None and e.task == task)
    ]
    if not headline:
        return []

    def row(e: Estimate) -> str:
        languages = e.n.get("languages")
        count = num_td("–" if languages is None else str(languages), languages)
        number_td = num_td(f"#{number_of[e.name]}", number_of[e.name])
        return f"<tr>{number_td}{_text_td(e.name)}{_text_td(scope(e))}{_estimate_tds(e)}{_runs_td(e)}{count}</tr>"

    headers = [("#", True), ("contrast", False), ("task", False), ("Δ", True), ("95% interval", True)]
    headers += [("evidence", False), ("runs", False), ("languages", True)]
    lines = _table("contrast-overview", headers, [row(e) for e in headline])
    plotted = [_mark(e, f"#{number_of[e.name]}") for e in headline if e.value is not None]
    if plotted:
        what = "the suite mean of its tasks" if task is None else f"its task, {task}"
        plot = forest_plot(plotted, title=f"{suite}: Δ per contrast", axis_label=DELTA_AXIS, css_class="overview")
        lines += _figure(
            plot, f"{DELTA_AXIS} of each contrast (# as in the table), {what}. {FILLED} {intervals_used(headline)}"
        )
    return lines


def _contrasts(report: StudyReport) -> list[str]:
    estimates = report.select("contrast")
    if not estimates:
        return []
    number_of = _numbers(report)
    suites = list(dict.fromkeys(e.suite for e in estimates))
    lines = ['<section class="analysis" id="contrasts">', "<h2>Contrasts</h2>"]
    for suite in suites:
        if len(suites) > 1:
            lines.append(f"<h3>{escape(suite)}</h3>")
        names = _names(report.select("contrast", suite=suite))
        if len(names) > 1 or one_task(report, suite) is not None:  # one contrast of several tasks: its table says it
            lines += _overview(report, suite, number_of)
        if one_task(report, suite) is None:  # several tasks: each contrast's tasks and suite mean
            for name in names:
                rows = report.select("contrast", name=name, suite=suite, language=None)
                if not rows:
                    continue
                lines.append(f"<h4>#{number_of[name]} {escape(name)}</h4>")
                lines += _contrast_table(rows)
                plotted = [_mark(e, scope(e)) for e in rows if e.value is not None]
                plot = forest_plot(plotted, title=f"{name}: Δ per task", axis_label=DELTA_AXIS, css_class="tasks")
                caption = f"{name}: {DELTA_AXIS} per task and the suite mean. {FILLED} {intervals_used(rows)}"
                lines += _figure(plot, caption)
        per_language = [e for e in report.select("contrast", suite=suite) if e.language is not None]
        if per_language:
            lines += _heatmap(per_language, number_of)
    return [*lines, "</section>"]


def _language_groups(report: StudyReport) -> list[str]:
    estimates = report.select("language_group")
    if not estimates:
        return []
    number_of = _numbers(report)
    lines = ['<section class="analysis" id="language-groups">', "<h2>Language groups</h2>"]
    lines.append(_explain("Mean Δ of each contrast over the languages of each group; open a contrast for its plots."))
    headers = [("group", False), ("task", False), ("languages", False)]
    headers += [("mean Δ", True), ("95% interval", True), ("evidence", False)]
    for name in _names(estimates):
        every = report.select("language_group", name=name)
        excluding = sum(bool(e.significant) for e in every)
        label = f"#{number_of[name]} {name}" if name in number_of else name
        lines.append('<details class="detail">')
        lines.append(
            f"<summary><h3>{escape(label)}</h3> — {escape(excluding)} of {escape(len(every))} group means have an "
            "interval that excludes 0</summary>"
        )
        for group_by in dict.fromkeys(e.group_by for e in every):
            rows = report.select("language_group", name=name, group_by=group_by)
            suite = [_mark(e, e.group or "–") for e in rows if e.task is None and e.value is not None]
            if not suite:  # a one-task suite: its task is the plot
                suite = [_mark(e, e.group or "–") for e in rows if e.value is not None]
            lines.append(f"<h4>by {escape(column_label(group_by))}</h4>")
            if suite:
                plot = forest_plot(
                    suite, title=f"{name}: mean Δ per {column_label(group_by)}", axis_label="mean " + DELTA_AXIS
                )
                caption = f"Mean Δ over each group's languages. {FILLED} {intervals_used(rows)}"
                lines += _figure(plot, caption)
            body = [
                f"<tr>{_text_td(e.group or '–')}{_text_td(scope(e))}{_text_td(', '.join(e.details['languages']))}"
                f"{_estimate_tds(e)}</tr>"
                for e in rows
            ]
            lines += [*_table("groups", headers, body), _explain(intervals_used(rows))]
        lines.append("</details>")
    return [*lines, "</section>"]


def _correlation(e: Estimate, label: str) -> list[str]:
    """A scatter of each language's Δ against its pre-training size (log x: sizes ≤ 0 cannot be placed)."""
    points = [
        (lang, size, delta) for lang, size, delta in e.details["points"] if size and size > 0 and delta is not None
    ]
    column = column_label(e.group_by)
    caption = (
        f"{label}, {scope(e)}: Spearman ρ = {with_interval(e)}; {verdict(e)}. One point per language: its Δ against "
        f"its {column} (log scale). {intervals_used([e])}"
    )
    left_out = len(e.details["points"]) - len(points)
    if left_out:
        caption += f" Not plotted: {left_out} language(s) without a positive size or a Δ."
    if not points:
        return [_explain(caption)]
    marks = [
        Mark(value=delta, at=size, label=language, note=f"{language}: {size:g}, Δ {number(delta, signed=True)}")
        for language, size, delta in points
    ]
    plot = xy_plot(
        marks,
        title=f"{label}, {scope(e)}: Δ against {column}",
        x_label=f"{column}, log scale",
        y_label=DELTA_AXIS,
        lines=[Line(at=0.0, label="Δ = 0", css_class="zero")],
    )
    return _figure(plot, caption)


def _correlations(report: StudyReport) -> list[str]:
    estimates = report.select("correlation")
    if not estimates:
        return []
    number_of = _numbers(report)
    lines = ['<section class="analysis" id="correlations">', "<h2>Correlations with pre-training data</h2>"]

    def label(e: Estimate) -> str:
        return f"#{number_of[e.name]}" if e.name in number_of else e.name

    rows = [
        f"<tr>{_text_td(label(e))}{_text_td(e.name)}{_text_td(scope(e))}{_text_td(column_label(e.group_by))}"
        f"{num_td(str(e.n.get('languages', '–')), e.n.get('languages'))}{_estimate_tds(e)}</tr>"
        for e in estimates
    ]
    headers = [("#", False), ("contrast", False), ("task", False), ("against", False), ("languages", True)]
    headers += [("Spearman ρ", True), ("95% interval", True), ("evidence", False)]
    lines += [*_table("correlations", headers, rows), _explain(intervals_used(estimates))]
    lines.append('<div class="plots">')
    for e in estimates:
        lines += _correlation(e, label(e))
    return [*lines, "</div>", "</section>"]


def _fit_references(
    fit: Estimate, scores: list[Estimate], gains: list[Estimate]
) -> tuple[list[Line], Segment | None, list[str]]:
    """The direct score (dashed), where the curve flattens or drops (dotted; `curve_shape` of its gains), the fitted
    line over the plotted sizes (score = intercept + slope × log10(size)) and what the caption says of them."""
    details, lines, caption = fit.details, [], [f"Log-linear fit: {fit_summary(fit)}."]
    if details.get("direct_score") is not None:
        direct = number(details["direct_score"])
        lines.append(Line(at=details["direct_score"], label=f"direct {direct}", css_class="reference"))
        caption.append(f"Dashed: the direct run's score, {direct}.")
    shape = curve_shape(gains)
    if shape.kind in ("flattens", "drops"):
        css = "flattening" if shape.kind == "flattens" else "drop"
        lines.append(Line(at=shape.size, label=shape.text(), css_class=css, vertical=True))
        caption.append(f"Dotted: {shape.sentence()}.")
    elif shape.kind == "rises":
        caption.append(f"No flattening: {shape.sentence()}.")
    if fit.value is None or details.get("intercept") is None or not scores:
        return lines, None, caption
    ends = [(size, details["intercept"] + fit.value * math.log10(size)) for size in (scores[0].size, scores[-1].size)]
    return lines, Segment(start=ends[0], end=ends[1], label=f"fit: {fit_summary(fit)}"), caption


def _scaling_plot(report: StudyReport, name: str, task: str | None) -> list[str]:
    scores = report.select("scaling", name=name, task=task, quantity="score")
    scores = sorted((e for e in scores if e.size and e.value is not None), key=lambda e: e.size)
    fits = report.select("fit", name=name, task=task)
    gains = report.select("scaling", name=name, task=task, quantity="gain_over_previous")
    where = f"{name}, {task if task is not None else 'suite mean'}"
    lines, segment, caption = _fit_references(fits[0], scores, gains) if fits else ([], None, [])
    caption = [f"{where}: score against intermediate data size (log scale; ticks at the sizes run).", *caption]
    caption.append(intervals_used(scores + fits))
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
        x_label="intermediate-task training examples (log scale)",
        y_label="score (points)",
        x_text=size_text,
        x_ticks=[e.size for e in scores],
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
            lines += [*_table("scaling", headers, rows), _explain(f"{GAIN_MARK} {SHAPE_RULE} {intervals_used(points)}")]
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
    report = without_repeats(report)
    body = ["<h1>Study report</h1>"]
    for section in (_summary, _contrasts, _language_groups, _correlations, _scaling, _seeds, _runs):
        body += section(report)
    return page("Study report", body, PLOT_CSS + STUDY_CSS)
