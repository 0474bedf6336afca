"""The leaderboard as JSON (the structure every other format is made from), Markdown and CSV.

Markdown is compact enough for a CI comment: the score table, then per base model the direct-vs-intermediate
deltas with 95% intervals (bold = the interval excludes 0), then per-language deltas of one chosen task and of
every task whose delta is partial. A partial cell or delta names the languages it covers (`language_list`).
CSV is long format (one value per row) for pandas: `kind` = score | delta; `languages` names what a partial score
or partial delta covers.

Text from the runs (labels, base and intermediate names, published sources) is made inert: in Markdown its
specials are backslash-escaped and line breaks become spaces, so a label can neither break a table row nor render
as HTML; in CSV a text cell starting with = + - @ tab or CR gets a leading ' (OWASP's guard against formula
injection in spreadsheets), so a training `+mnli` reads '+mnli there. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from xlt_bench.leaderboard.table import Board
from xlt_bench.scoring import main_score

QA_METRICS = ("exact_match", "f1")


def _is_qa(task) -> bool:
    return tuple(task.main_metrics) == QA_METRICS


def to_json(board: Board) -> dict[str, Any]:
    ids = {id(run): f"r{index}" for index, run in enumerate(board.runs)}
    runs = []
    for run in board.runs:
        cells = {}
        for task in board.tasks:
            cell = run.tasks.get(task.name)
            if cell is None:
                continue
            cells[task.name] = {
                "score": cell.score,
                "complete": cell.complete,
                "scored": len(cell.languages) if cell.languages else (cell.expected if cell.complete else 0),
                "expected": cell.expected,
                "average": cell.average,
                "partial_average": cell.partial_average,
                "partial_score": None if cell.partial_average is None else main_score(task, cell.partial_average),
                "languages": {lang: main_score(task, m) for lang, m in _in_task_order(task, cell.languages)},
            }
        runs.append(
            {
                "id": ids[id(run)],
                "label": run.label,
                "base": run.base,
                "training": run.kind,
                "intermediate": list(run.intermediate),
                "lineage": run.lineage.to_json(),
                "published": run.published,
                "source": run.source,
                "score": run.score,
                "tasks": cells,
            }
        )
    comparisons = [
        {
            "base": c.base,
            "direct": ids[id(c.direct)],
            "candidate": ids[id(c.candidate)],
            "training": c.candidate.kind,
            "tasks": {name: delta.to_json() for name, delta in c.tasks.items()},
            "partial": {name: delta.to_json() for name, delta in c.partial.items()},
            "overall": c.overall.to_json() if c.overall else None,
            "languages": {t: {lang: d.to_json() for lang, d in per.items()} for t, per in c.languages.items()},
        }
        for c in board.comparisons
    ]
    return {
        "suite": board.suite.name,
        "description": board.suite.description,
        "score_rule": board.suite.score,
        "tasks": [
            {"name": t.name, "main_metric": t.main_metric, "qa": _is_qa(t), "languages": list(t.languages)}
            for t in board.tasks
        ],
        "runs": runs,
        "groups": {base: [ids[id(run)] for run in members] for base, members in board.groups.items()},
        "comparisons": comparisons,
        "resamples": board.resamples,
        "seed": board.seed,
        "notes": board.notes,
    }


def _in_task_order(task, languages: dict[str, Any]) -> list[tuple[str, Any]]:
    order = {language: index for index, language in enumerate(task.languages)}
    return sorted(languages.items(), key=lambda item: order.get(item[0], len(order)))


def language_list(languages: list[str] | tuple[str, ...], shown: int = 4) -> str:
    """Languages named in a cell: all of them up to `shown` + 1, else the first `shown` and "…"."""
    languages = list(languages)
    return ", ".join(languages if len(languages) <= shown + 1 else [*languages[:shown], "…"])


def partial_mark(languages: Sequence[str], expected: int) -> str:
    """What a partial delta or compare unit covers: `partial, 2/36: de, sw` (of the task's `expected` languages)."""
    return f"partial, {len(languages)}/{expected}: {language_list(languages)}"


def candidate_column(comparison: dict[str, Any], candidate: dict[str, Any]) -> str:
    """The candidate's column header: its training, or its label where that is `direct` too (two direct runs)."""
    return candidate["label"] if comparison["training"] == "direct" else comparison["training"]


MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>|!~&#$])")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def markdown_text(text: Any) -> str:
    """`text` as literal Markdown (also inside a table cell): specials escaped, line breaks made spaces."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(str(text).splitlines()))


def _csv_text(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula; other values unchanged."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _number(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _delta(delta: dict[str, Any] | None) -> tuple[str, str]:
    if delta is None:
        return "–", ""
    text = _number(delta["delta"], signed=True)
    if delta["ci_low"] is None:
        return text, "n/a"
    return (f"**{text}**" if delta["significant"] else text), f"[{delta['ci_low']:+.1f}, {delta['ci_high']:+.1f}]"


PARTIAL_NOTE = (
    "A score followed by (n/N: languages) is partial: the mean over the n languages run of the task's N, never part "
    "of the suite score."
)
PARTIAL_DELTA_NOTE = (
    "A task marked (partial, n/N: languages) is not complete in both runs: its Δ is the mean of the per-language "
    "deltas over the n languages both runs scored, its interval resampled language by language as a task's is; it "
    "is not a task score and never enters the suite score's Δ."
)


def incomplete_text(task: dict[str, Any], cell: dict[str, Any]) -> str:
    """An incomplete task's cell: its partial mean marked (n/N: languages) (QA: F1/EM), or `incomplete (n/N)`
    without one."""
    languages = list(cell.get("languages") or {})
    covered = f": {language_list(languages)}" if languages else ""
    scored = f"({cell['scored']}/{cell['expected']}{covered})"
    partial = cell.get("partial_average")
    if partial is None:
        return f"incomplete {scored}"
    shown = f"{_number(partial['f1'])}/{_number(partial['exact_match'])}" if task["qa"] else None
    return f"{shown or _number(cell['partial_score'])} {scored}"


def has_partial(data: dict[str, Any]) -> bool:
    return any(cell.get("partial_average") for run in data["runs"] for cell in run["tasks"].values())


def has_partial_delta(data: dict[str, Any]) -> bool:
    return any(comparison.get("partial") for comparison in data["comparisons"])


def _cell(task: dict[str, Any], cell: dict[str, Any] | None) -> str:
    if cell is None:
        return "–"
    if task["qa"] and cell["average"]:  # published baselines may give F1 without EM
        return f"{_number(cell['average'].get('f1'))}/{_number(cell['average'].get('exact_match'))}"
    if not cell["complete"]:
        return incomplete_text(task, cell)
    return _number(cell["score"])


def markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """A GitHub table's lines; cells must already be Markdown (`markdown_text` for text from runs)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def to_markdown(data: dict[str, Any], task: str | None = None) -> str:
    runs = {run["id"]: run for run in data["runs"]}
    headers = [
        "run",
        "base",
        "training",
        *(markdown_text(t["name"]) + (" (F1/EM)" if t["qa"] else "") for t in data["tasks"]),
    ]
    rows = []
    for run in data["runs"]:
        marker = " †" if run["published"] else ""
        rows.append(
            [markdown_text(run["label"]) + marker, markdown_text(run["base"] or "–"), markdown_text(run["training"])]
            + [_cell(t, run["tasks"].get(t["name"])) for t in data["tasks"]]
            + [_number(run["score"])]
        )
    lines = [f"## {markdown_text(data['suite'])} leaderboard", "", *markdown_table([*headers, "score"], rows), ""]
    published = [run for run in data["runs"] if run["published"]]
    for run in published:
        source = run["source"]
        where = f"{source.get('paper', '')} {source.get('table', '')}".strip()
        lines.append(f"† {markdown_text(run['label'])}: published, not measured here — {markdown_text(where)}")
    if published:
        lines.append("")
    pointed: dict[int, list[str]] = {}  # per comparison, the tasks with a partial delta: per language below
    for comparison in data["comparisons"]:
        direct, candidate = runs[comparison["direct"]], runs[comparison["candidate"]]
        pointed[id(comparison)] = []
        training = markdown_text(comparison["training"])
        title = f"{markdown_text(candidate['label'])} ({training}) vs {markdown_text(direct['label'])} (direct)"
        lines += [f"### {markdown_text(comparison['base'])}: {title}", ""]
        rows = []
        for spec in data["tasks"]:
            name = spec["name"]
            partial = comparison.get("partial", {}).get(name)
            if name not in comparison["tasks"] and partial is None:
                continue
            text, ci = _delta(comparison["tasks"].get(name) or partial)
            before, after = (_cell(spec, run["tasks"][name]) for run in (direct, candidate))
            shown = markdown_text(name)
            if partial is not None:
                mark = partial_mark(partial["languages"], partial["expected"])
                shown += f" ({markdown_text(mark)})"
                pointed[id(comparison)].append(name)
            rows.append([shown, before, after, text, ci])
        text, ci = _delta(comparison["overall"])
        rows.append(["**score**", _number(direct["score"]), _number(candidate["score"]), text, ci])
        column = markdown_text(candidate_column(comparison, candidate))
        lines += [*markdown_table(["task", "direct", column, "Δ", "95% CI"], rows), ""]
    chosen = task or next((t for c in data["comparisons"] for t, per in c["languages"].items() if per), None)
    for comparison in data["comparisons"]:
        direct, candidate = runs[comparison["direct"]], runs[comparison["candidate"]]
        for name in dict.fromkeys([chosen, *pointed[id(comparison)]]):
            per_language = comparison["languages"].get(name or "", {})
            if not per_language:
                continue
            versus = f"{markdown_text(candidate['label'])} vs {markdown_text(direct['label'])}"
            title = f"{markdown_text(name)} per language: {versus}"
            lines += [f"#### {title}", ""]
            rows = []
            for language, delta in per_language.items():
                text, ci = _delta(delta)
                before = direct["tasks"][name]["languages"][language]
                after = candidate["tasks"][name]["languages"][language]
                rows.append([markdown_text(language), _number(before), _number(after), text, ci])
            column = markdown_text(candidate_column(comparison, candidate))
            lines += [*markdown_table(["language", "direct", column, "Δ", "95% CI"], rows), ""]
    if data["comparisons"]:
        lines.append(
            f"Bold Δ: the paired-bootstrap 95% interval ({data['resamples']} resamples) excludes 0; "
            "n/a: no per-example predictions on both sides."
        )
    if has_partial(data):
        lines.append(PARTIAL_NOTE)
    if has_partial_delta(data):
        lines.append(PARTIAL_DELTA_NOTE)
    lines += [f"Note: {markdown_text(note)}" for note in data["notes"]]
    return "\n".join(lines).rstrip() + "\n"


CSV_COLUMNS = "kind run base training task language metric value ci_low ci_high significant languages".split()


def to_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()

    def write(row: dict[str, Any]) -> None:
        writer.writerow({column: _csv_text(value) for column, value in row.items()})

    for run in data["runs"]:
        common = {"kind": "score", "run": run["label"], "base": run["base"], "training": run["training"]}
        write({**common, "task": "", "language": "", "metric": "suite score", "value": run["score"]})
        for name, cell in run["tasks"].items():
            write({**common, "task": name, "language": "", "metric": "score", "value": cell["score"]})
            if cell.get("partial_score") is not None:  # never a task score: its own metric name says so
                value, covered = cell["partial_score"], ",".join(cell["languages"])
                write({**common, "task": name, "metric": "partial score", "value": value, "languages": covered})
            for metric, value in (cell["average"] or {}).items():
                write({**common, "task": name, "language": "", "metric": metric, "value": value})
            for language, value in cell["languages"].items():
                write({**common, "task": name, "language": language, "metric": "score", "value": value})
    runs = {run["id"]: run for run in data["runs"]}
    for comparison in data["comparisons"]:
        label = runs[comparison["candidate"]]["label"]
        common = {"kind": "delta", "run": label, "base": comparison["base"], "training": comparison["training"]}
        deltas = [("", "", comparison["overall"])] if comparison["overall"] else []
        deltas += [(name, "", delta) for name, delta in comparison["tasks"].items()]
        deltas += [(n, lang, d) for n, per in comparison["languages"].items() for lang, d in per.items()]
        deltas += [(name, "", delta) for name, delta in comparison.get("partial", {}).items()]
        for task, language, delta in deltas:
            partial = "languages" in delta  # a partial delta: never a task's delta, its own metric name says so
            metric = "partial delta vs direct" if partial else "delta vs direct"
            write(
                {**common, "task": task, "language": language, "metric": metric, "value": delta["delta"]}
                | {"ci_low": delta["ci_low"], "ci_high": delta["ci_high"], "significant": delta["significant"]}
                | {"languages": ",".join(delta["languages"]) if partial else ""}
            )
    return out.getvalue()
