"""What xlt-bench's self-contained HTML pages share (the leaderboard, the study report): one stylesheet, the
sortable-table script, escaping, `data-sort` keys, the diverging colour scale of deltas and the page frame with its
Content-Security-Policy, so nothing is ever fetched.

Sortable tables: a click on a column header sorts by it (again: reversed); a cell's `data-sort` holds the number it
sorts by (empty: not a number, always sorted last), so formatted text never has to be parsed back.
"""

from __future__ import annotations

import html
from typing import Any

POSITIVE = (33, 102, 172)  # blue end of the diverging scale (ColorBrewer RdBu)
NEGATIVE = (178, 24, 43)  # red end

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; margin: 2em auto;
       max-width: 1300px; padding: 0 1em; }
h1 { margin-bottom: 0.2em; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
.description, .rule { margin: 0.2em 0; color: #444; }
table { border-collapse: collapse; margin: 0.6em 0 1em; }
th, td { border: 1px solid #d4d4d4; padding: 0.25em 0.55em; }
th { background: #f2f2f2; text-align: left; vertical-align: bottom; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th:hover { background: #e6e6e6; }
.arrow { margin-left: 0.25em; color: #555; }
.arrow:empty { display: none; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.published td { font-style: italic; background: #f7f5ee; }
tfoot td { font-weight: 600; border-top: 2px solid #999; }
td.empty { background: #fafafa; }
table.heatmap td.hm { text-align: center; min-width: 3.2em; }
.sig { font-weight: 700; }
.legend { display: flex; align-items: center; gap: 0.5em; font-size: 12px; color: #444; }
.ramp { display: inline-block; width: 180px; height: 10px; border: 1px solid #bbb; }
figure { margin: 0.6em 0 1em; }
figcaption, .hint, .sources, .explain { font-size: 12px; color: #555; }
svg.bars text { font: 12px system-ui, sans-serif; fill: #1b1b1b; }
svg.bars .pos { fill: rgb(33, 102, 172); }
svg.bars .neg { fill: rgb(178, 24, 43); }
svg.bars .zero { stroke: #333; }
svg.bars .whisker { stroke: #111; stroke-width: 1.2; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { margin: 0; max-width: none; font-size: 11px; }
  .hint, .arrow { display: none; }
  table.sortable th, table.sortable th:hover { cursor: auto; background: #f2f2f2; }
  thead { display: table-header-group; }
  tr, figure, .legend { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
}
"""

SORT_SCRIPT = """
(() => {
  "use strict";
  const key = (row, index, numeric) => {
    const cell = row.cells[index];
    const raw = cell === undefined ? "" : (cell.dataset.sort ?? cell.textContent.trim());
    if (numeric) {
      const value = raw === "" ? NaN : Number(raw);
      return Number.isFinite(value) ? value : null;
    }
    return raw === "" || raw === "\\u2013" ? null : raw;
  };
  const sortBy = (table, header) => {
    const index = header.cellIndex;
    const numeric = header.dataset.type === "num";
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    const body = table.tBodies[0];
    const rows = Array.from(body.rows, (row) => [key(row, index, numeric), row]);
    rows.sort(([a], [b]) => {
      if (a === null || b === null) return (a === null) - (b === null);
      const order = numeric ? a - b : a.localeCompare(b);
      return ascending ? order : -order;
    });
    for (const [, row] of rows) body.appendChild(row);
    for (const cell of table.tHead.rows[0].cells) {
      cell.removeAttribute("aria-sort");
      cell.querySelector(".arrow").textContent = "";
    }
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    header.querySelector(".arrow").textContent = ascending ? "\\u25b2" : "\\u25bc";
  };
  for (const table of document.querySelectorAll("table.sortable")) {
    for (const header of table.tHead.rows[0].cells) {
      header.tabIndex = 0;
      header.addEventListener("click", () => sortBy(table, header));
      header.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy(table, header);
        }
      });
    }
  }
})();
"""


def escape(value: Any) -> str:
    """Text and attribute values made inert (quotes included)."""
    return html.escape(str(value))


def sort_key(value: float | None) -> str:
    """A `data-sort` value; `float` first because `to_json` may hand over numpy scalars."""
    return "" if value is None else repr(float(value))


def diverging_colour(value: float, scale: float) -> str:
    """White at 0, the full blue (positive) or red (negative) at ±scale; white text on the darker half."""
    share = max(-1.0, min(1.0, value / scale)) if scale else 0.0
    end = POSITIVE if share > 0 else NEGATIVE
    rgb = ", ".join(str(round(255 + abs(share) * (channel - 255))) for channel in end)
    return f"background-color: rgb({rgb})" + ("; color: #fff" if abs(share) > 0.6 else "")


def sortable_thead(headers: list[tuple[str, bool]]) -> str:
    """Header cells as (label, numeric); the empty `.arrow` span receives ▲/▼ when the column is sorted."""
    cells = "".join(
        f'<th scope="col" data-type="{"num" if numeric else "text"}">{escape(label)}'
        '<span class="arrow" aria-hidden="true"></span></th>'
        for label, numeric in headers
    )
    return f"<thead><tr>{cells}</tr></thead>"


def num_td(text: str, key: float | None) -> str:
    return f'<td class="num" data-sort="{sort_key(key)}">{escape(text)}</td>'


def delta_cell(value: float, significant: bool, scale: float, title: str, text: str) -> str:
    """A heatmap cell: the formatted delta `text` on the diverging scale, bold with * where significant."""
    return (
        f'<td class="{"hm sig" if significant else "hm"}" data-sort="{sort_key(value)}" '
        f'style="{diverging_colour(value, scale)}" title="{escape(title)}">'
        f"{escape(text)}{'*' if significant else ''}</td>"
    )


def colour_legend(scale: float) -> str:
    ramp = f"linear-gradient(to right, rgb{NEGATIVE}, #fff, rgb{POSITIVE})"
    return (
        f'<div class="legend"><span>{-scale:+.1f}</span><span class="ramp" style="background: {ramp}"></span>'
        f"<span>{scale:+.1f}</span></div>"
    )


def page(title: str, body: list[str], extra_css: str = "") -> str:
    """A whole HTML document: the shared stylesheet (+ `extra_css`), `body` and the sort script, under a
    Content-Security-Policy that allows inline style and script only, so the page can fetch nothing."""
    csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{CSS}{extra_css}</style>",
            "</head>",
            "<body>",
            *body,
            f"<script>{SORT_SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )
