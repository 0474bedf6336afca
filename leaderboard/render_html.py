"""The leaderboard as one self-contained HTML page (inline CSS, SVG and script; nothing is fetched).

Made from `to_json` like the other formats: the score table, then per comparison the task deltas as a table and
an SVG bar chart and the per-language deltas as a heatmap, then the per-language deltas of one chosen task. Deltas
are coloured on a diverging scale (blue = the candidate is better, red = worse, white = no change) whose range is
the largest |Δ| of each table, so every table uses its full range. Every table sorts by a click on a column
header; a cell's `data-sort` holds the number it sorts by (empty: not a number, always sorted last), so formatted
text such as "76.6/60.8" or "incomplete (7/33)" never has to be parsed back.
"""

from __future__ import annotations

from typing import Any

from xlt_bench.leaderboard.html_parts import (
    colour_legend,
    delta_cell,
    diverging_colour,
    escape,
    num_td,
    page,
    sort_key,
    sortable_thead,
)
from xlt_bench.leaderboard.render import (
    PARTIAL_DELTA_NOTE,
    PARTIAL_NOTE,
    candidate_column,
    has_partial,
    has_partial_delta,
    incomplete_text,
    partial_mark,
)


def _number(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _ci(delta: dict[str, Any]) -> str:
    return "n/a" if delta["ci_low"] is None else f"[{delta['ci_low']:+.1f}, {delta['ci_high']:+.1f}]"


def _scale(deltas: list[dict[str, Any] | None]) -> float:
    return max((abs(d["delta"]) for d in deltas if d is not None), default=0.0)


def _cell(task: dict[str, Any], cell: dict[str, Any] | None) -> tuple[str, float | None]:
    """A task cell's text and sort key; QA shows F1/EM and sorts by F1; an incomplete task shows its partial mean
    marked (n/N: languages), and never sorts among the scores."""
    if cell is None:
        return "–", None
    if not cell["complete"]:
        return incomplete_text(task, cell), None
    if task["qa"] and cell["average"]:  # published baselines may give F1 without EM
        f1 = cell["average"].get("f1")
        return f"{_number(f1)}/{_number(cell['average'].get('exact_match'))}", f1
    return _number(cell["score"]), cell["score"]


def _delta_tds(delta: dict[str, Any] | None, scale: float, missing_ci: str = "n/a") -> str:
    """The Δ cell (signed, coloured, bold with * when the 95% interval excludes 0) and the interval cell."""
    if delta is None:
        return num_td("–", None) + num_td(missing_ci, None)
    text = escape(_number(delta["delta"], signed=True))
    if delta["significant"]:
        text = f'<strong class="sig">{text}*</strong>'
    style = diverging_colour(delta["delta"], scale)
    ci = _ci(delta)
    return (
        f'<td class="num delta" data-sort="{sort_key(delta["delta"])}" style="{style}" title="95% CI {ci}">{text}</td>'
        + num_td(ci, delta["ci_low"])
    )


def _board(data: dict[str, Any]) -> list[str]:
    """The score table (a plain base column, so sorting never breaks groups) and the published runs' sources."""
    tasks = data["tasks"]
    headers = [("run", False), ("base", False), ("training", False)]
    headers += [(f"{t['name']} (F1/EM)" if t["qa"] else t["name"], True) for t in tasks] + [("score", True)]
    rows = []
    for run in data["runs"]:
        marker = " †" if run["published"] else ""
        cells = [f"<td>{escape(run['label'] + marker)}</td>", f"<td>{escape(run['base'] or '–')}</td>"]
        cells.append(f"<td>{escape(run['training'])}</td>")
        cells += [num_td(*_cell(t, run["tasks"].get(t["name"]))) for t in tasks]
        cells.append(num_td(_number(run["score"]), run["score"]))
        row_class = ' class="published"' if run["published"] else ""
        rows.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    lines = ['<table class="sortable board" id="board">', sortable_thead(headers), "<tbody>", *rows, "</tbody></table>"]
    published = [run for run in data["runs"] if run["published"]]
    if published:
        lines.append('<ul class="sources">')
        for run in published:
            source = run["source"]
            where = "; ".join(escape(source[k]) for k in ("paper", "table") if source.get(k))
            split = f"; split: {escape(source['split'])}" if source.get("split") else ""
            notes = "".join(f"<li>{escape(note)}</li>" for note in source.get("notes", []))
            lines.append(
                f"<li>† {escape(run['label'])}: published, not measured here — {where}{split}"
                + (f"<ul>{notes}</ul>" if notes else "")
                + "</li>"
            )
        lines.append("</ul>")
    return lines


def _delta_table(data: dict[str, Any], comparison: dict[str, Any], direct: dict, candidate: dict) -> list[str]:
    """Per task: both scores, Δ and its interval; the suite score's delta in the footer, outside the sorting."""
    partial = comparison.get("partial", {})
    shown = [t for t in data["tasks"] if t["name"] in comparison["tasks"] or t["name"] in partial]
    scale = _scale([*comparison["tasks"].values(), *partial.values(), comparison["overall"]])
    rows = []
    for spec in shown:
        name = spec["name"]
        before, after = (num_td(*_cell(spec, run["tasks"].get(name))) for run in (direct, candidate))
        delta = comparison["tasks"].get(name) or partial[name]
        task = escape(name)
        if name in partial:
            covers = ", ".join(partial[name]["languages"])
            mark = partial_mark(partial[name]["languages"], partial[name]["expected"])
            task += f' <span class="partial" title="{escape(covers)}">({escape(mark)})</span>'
        rows.append(f"<tr><td>{task}</td>{before}{after}{_delta_tds(delta, scale)}</tr>")
    overall = _delta_tds(comparison["overall"], scale)
    footer = (
        f"<tr><td>score</td>{num_td(_number(direct['score']), direct['score'])}"
        f"{num_td(_number(candidate['score']), candidate['score'])}{overall}</tr>"
    )
    column = candidate_column(comparison, candidate)
    headers = [("task", False), ("direct", True), (column, True), ("Δ", True), ("95% CI", True)]
    return [
        '<table class="sortable deltas">',
        sortable_thead(headers),
        "<tbody>",
        *rows,
        f"</tbody><tfoot>{footer}</tfoot></table>",
    ]


def _bar_chart(comparison: dict[str, Any]) -> list[str]:
    """Horizontal bars of Δ per task around a zero line, with interval whiskers; a task not complete in both runs
    has its partial Δ (over the languages both scored), labelled partial."""
    partial = comparison.get("partial", {})
    deltas = {**comparison["tasks"], **partial}
    bars = [
        (f"{name} (partial)" if name in partial else name, d["delta"], d["ci_low"], d["ci_high"], d["significant"])
        for name, d in deltas.items()
    ]
    caption = "Δ per task (candidate − direct); whiskers: 95% CI where both runs have per-example predictions."
    if partial:
        caption += (
            " Partial: the mean Δ over the languages both runs scored ("
            + "; ".join(f"{name}: {', '.join(d['languages'])}" for name, d in partial.items())
            + ")."
        )
    if not bars:
        return ['<p class="explain">No task or language is scored by both runs.</p>']
    label_w, plot_w, value_w, row_h, top = 150, 420, 70, 26, 8
    extent = max(abs(v) for bar in bars for v in bar[1:4] if v is not None) or 1.0
    zero, unit = label_w + plot_w / 2, plot_w / 2 / extent
    height = top + len(bars) * row_h + 22
    parts = [
        f'<svg class="bars" width="{label_w + plot_w + value_w}" '
        f'height="{height}" role="img" aria-label="delta per task">'
    ]
    for index, (name, value, low, high, significant) in enumerate(bars):
        y = top + index * row_h
        middle = y + row_h / 2
        x = zero + min(value, 0) * unit
        interval = "n/a" if low is None else f"[{low:+.1f}, {high:+.1f}]"
        parts.append(
            f'<text x="{label_w - 8}" y="{middle + 4:.1f}" text-anchor="end">{escape(name)}</text>'
            f'<rect class="bar {"pos" if value >= 0 else "neg"}" x="{x:.1f}" y="{y + 5}" '
            f'width="{max(abs(value) * unit, 1):.1f}" height="{row_h - 10}">'
            f"<title>{escape(name)}: Δ {value:+.1f}, 95% CI {interval}</title></rect>"
        )
        if low is not None:
            x1, x2 = zero + low * unit, zero + high * unit
            parts.append(
                f'<path class="whisker" d="M{x1:.1f} {middle:.1f}H{x2:.1f}M{x1:.1f} {middle - 5:.1f}v10'
                f'M{x2:.1f} {middle - 5:.1f}v10"/>'
            )
        weight = ' font-weight="bold"' if significant else ""
        parts.append(
            f'<text x="{label_w + plot_w + 6}" y="{middle + 4:.1f}"{weight}>{value:+.1f}{"*" if significant else ""}'
            "</text>"
        )
    axis = top + len(bars) * row_h
    parts.append(f'<line class="zero" x1="{zero}" y1="{top}" x2="{zero}" y2="{axis}"/>')
    ticks = ((label_w, f"{-extent:+.1f}", "start"), (zero, "0", "middle"), (label_w + plot_w, f"{extent:+.1f}", "end"))
    for x, text, anchor in ticks:
        parts.append(f'<text x="{x}" y="{axis + 16}" text-anchor="{anchor}">{text}</text>')
    parts.append("</svg>")
    return ["<figure>", "".join(parts), f"<figcaption>{escape(caption)}</figcaption>", "</figure>"]


def _heatmap(comparison: dict[str, Any]) -> list[str]:
    """Tasks × languages (the union over tasks); a cell is empty where the language is not scored for a task."""
    per_task = {name: per for name, per in comparison["languages"].items() if per}
    if not per_task:
        return []
    languages = sorted({language for per in per_task.values() for language in per})
    scale = _scale([d for per in per_task.values() for d in per.values()])
    rows = []
    for name, per in per_task.items():
        cells = []
        for language in languages:
            delta = per.get(language)
            if delta is None:
                cells.append('<td class="empty" data-sort=""></td>')
                continue
            text = _number(delta["delta"], signed=True)
            title = f"{name} {language}: Δ {text}, 95% CI {_ci(delta)}"
            cells.append(delta_cell(delta["delta"], delta["significant"], scale, title, text))
        rows.append(f"<tr><td>{escape(name)}</td>{''.join(cells)}</tr>")
    headers = [("task", False), *((language, True) for language in languages)]
    return [
        "<h4>Δ per language</h4>",
        '<table class="sortable heatmap">',
        sortable_thead(headers),
        "<tbody>",
        *rows,
        "</tbody></table>",
        colour_legend(scale),
    ]


def _per_language(data: dict[str, Any], chosen: str, runs: dict[str, dict]) -> list[str]:
    """The chosen task's per-language scores and deltas, one table per comparison."""
    lines = [f"<h2>{escape(chosen)} per language</h2>"]
    for comparison in data["comparisons"]:
        per_language = comparison["languages"].get(chosen, {})
        if not per_language:
            continue
        direct, candidate = runs[comparison["direct"]], runs[comparison["candidate"]]
        before = direct["tasks"][chosen]["languages"]
        after = candidate["tasks"][chosen]["languages"]
        scale = _scale(list(per_language.values()))
        rows = [
            f"<tr><td>{escape(language)}</td>{num_td(_number(before.get(language)), before.get(language))}"
            f"{num_td(_number(after.get(language)), after.get(language))}{_delta_tds(delta, scale)}</tr>"
            for language, delta in per_language.items()
        ]
        column = candidate_column(comparison, candidate)
        headers = [("language", False), ("direct", True), (column, True), ("Δ", True), ("95% CI", True)]
        lines += [
            f"<h3>{escape(candidate['label'])} vs {escape(direct['label'])}</h3>",
            '<table class="sortable per-language">',
            sortable_thead(headers),
            "<tbody>",
            *rows,
            "</tbody></table>",
        ]
    if len(lines) == 1:
        lines.append(f'<p class="explain">No comparison has per-language deltas for {escape(chosen)}.</p>')
    return lines


def to_html(data: dict[str, Any], task: str | None = None) -> str:
    """The whole page; `task` picks the per-language table (default: the first task with per-language deltas)."""
    runs = {run["id"]: run for run in data["runs"]}
    title = f"{data['suite']} leaderboard"
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="description">{escape(data["description"])}</p>',
        f'<p class="rule">Suite score: {escape(data["score_rule"])}.</p>',
    ]
    if data["notes"]:
        body += ['<ul class="notes">', *(f"<li>{escape(note)}</li>" for note in data["notes"]), "</ul>"]
    body += ["<h2>Scores</h2>", '<p class="hint">Click a column header to sort; click again to reverse.</p>']
    body += _board(data)
    if has_partial(data):
        body.append(f'<p class="explain">{escape(PARTIAL_NOTE)}</p>')
    if data["comparisons"]:
        intermediate = not any(c["training"].startswith("direct") for c in data["comparisons"])
        body.append(f"<h2>{'Intermediate training' if intermediate else 'Runs'} against direct training</h2>")
    for comparison in data["comparisons"]:
        direct, candidate = runs[comparison["direct"]], runs[comparison["candidate"]]
        heading = f"{comparison['base']}: {candidate['label']} ({comparison['training']}) vs {direct['label']} (direct)"
        body += ['<section class="comparison">', f"<h3>{escape(heading)}</h3>"]
        body += _delta_table(data, comparison, direct, candidate) + _bar_chart(comparison) + _heatmap(comparison)
        body.append("</section>")
    chosen = task or next((t for c in data["comparisons"] for t, per in c["languages"].items() if per), None)
    if chosen and data["comparisons"]:
        body += _per_language(data, chosen, runs)
    if data["comparisons"]:
        body.append(
            '<p class="explain">Δ = candidate − direct. Bold with *: the paired-bootstrap 95% interval '
            f"({escape(data['resamples'])} resamples, seed {escape(data['seed'])}) excludes 0; n/a: no per-example "
            "predictions on both sides. Blue: the candidate is better, red: worse, white: no change; each table "
            "and heatmap scales its colours to its own largest |Δ|.</p>"
        )
    if has_partial_delta(data):
        body.append(f'<p class="explain">{escape(PARTIAL_DELTA_NOTE)}</p>')
    return page(title, body)
