"""Inline SVG plots for the HTML pages, as strings: forest plots (one row per label: a point and its interval around a
zero line) and x–y plots (linear or log10 x; points with vertical intervals, a fitted segment, labelled reference
lines; ticks at given x values, e.g. the sizes that ran, or at round ones). Point labels are placed
deterministically so that no two overlap (`place_labels`); a label with no room is left out, listed under the plot
and kept in its point's hover text. Every plot has a `<title>`, axes with ticks and axis labels; all text is
escaped. A point is filled where its `Mark.filled` says so (e.g. its interval excludes 0) and hollow otherwise.
Layout only: every number, and how it is written, comes from the caller.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xlt_bench.leaderboard.html_parts import NEGATIVE, POSITIVE, escape

MINUS = "\u2212"
POINT = f"rgb{POSITIVE}"
PLOT_CSS = f"""
svg.plot {{ display: block; max-width: 100%; height: auto; }}
svg.plot text {{ font: 12px system-ui, sans-serif; fill: #1b1b1b; }}
svg.plot text.axis-label {{ font-weight: 600; }}
svg.plot text.left-out {{ font-size: 11px; fill: #555; }}
svg.plot .axis, svg.plot .tick {{ stroke: #555; }}
svg.plot .grid {{ stroke: #e4e4e4; }}
svg.plot .zero {{ stroke: #333; }}
svg.plot .whisker {{ stroke: #111; stroke-width: 1.2; fill: none; }}
svg.plot .point {{ stroke: {POINT}; stroke-width: 1.6; }}
svg.plot .point.filled {{ fill: {POINT}; }}
svg.plot .point.hollow {{ fill: #fff; }}
svg.plot .fit {{ stroke: rgb{NEGATIVE}; stroke-width: 1.6; }}
svg.plot .reference {{ stroke: #666; stroke-dasharray: 6 4; }}
svg.plot .flattening {{ stroke: #a0522d; stroke-dasharray: 2 3; stroke-width: 1.4; }}
svg.plot .drop {{ stroke: rgb{NEGATIVE}; stroke-dasharray: 2 3; stroke-width: 1.4; }}
"""


@dataclass(frozen=True)
class Mark:
    """One plotted value with its interval (`low`, `high`; None: none). Forest plots: `label` names the row and
    `text` is written right of the plot; x–y plots: `at` is x and `label` is written next to the point."""

    value: float
    low: float | None = None
    high: float | None = None
    at: float | None = None
    label: str = ""
    text: str = ""
    note: str = ""  # hover text
    filled: bool = False


@dataclass(frozen=True)
class Line:
    """A labelled reference line across an x–y plot: horizontal at y = `at`, or vertical at x = `at`."""

    at: float
    label: str
    css_class: str
    vertical: bool = False


@dataclass(frozen=True)
class Segment:
    """A straight line between two points in data coordinates (a fit: straight on the plot's axes)."""

    start: tuple[float, float]
    end: tuple[float, float]
    label: str
    css_class: str = "fit"


def tick_text(value: float) -> str:
    """`0.1`, `10`, `−2.5`: the shortest form, with a true minus sign."""
    return f"{value:g}".replace("-", MINUS)


def _linear_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round steps (1, 2, 2.5 or 5 × 10^k) giving about `count` ticks inside [low, high]."""
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [round(k * step, 12) + 0.0 for k in range(first, last + 1)]  # + 0.0: no "-0"


def _log_ticks(low: float, high: float) -> list[float]:
    """Decades inside [low, high]; 1-2-5 or every integer multiple when fewer than two decades fit."""
    exponents = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    for mantissas in ((1,), (1, 2, 5), range(1, 10)):
        ticks = [round(m * 10.0**e, 12) for e in exponents for m in mantissas]
        ticks = [tick for tick in ticks if low <= tick <= high]
        if len(ticks) >= 2:
            return ticks
    return _linear_ticks(low, high)


@dataclass(frozen=True)
class Scale:
    """Data values [low, high] onto pixels [start, end], linearly or in log10."""

    low: float
    high: float
    start: float
    end: float
    log: bool = False

    @classmethod
    def fitting(cls, values: Sequence[float], start: float, end: float, log: bool = False) -> Scale:
        """A scale over `values` with 6% room at each end (log: in decades); one value gets ±1 (log: ×/÷ 3)."""
        ends = [math.log10(v) for v in values] if log else list(values)
        low, high = min(ends), max(ends)
        pad = (high - low) * 0.06 if high > low else (0.5 if log else 1.0)
        low, high = low - pad, high + pad
        return cls(10**low if log else low, 10**high if log else high, start, end, log)

    def __call__(self, value: float) -> float:
        convert = math.log10 if self.log else float
        low, high = convert(self.low), convert(self.high)
        return self.start + (convert(value) - low) / (high - low) * (self.end - self.start)

    def ticks(self) -> list[float]:
        return _log_ticks(self.low, self.high) if self.log else _linear_ticks(self.low, self.high)


def _open(css_class: str, width: float, height: float, title: str) -> str:
    return (
        f'<svg class="plot {css_class}" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def _text(x: float, y: float, content: str, anchor: str = "start", css_class: str = "") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    return f'<text{cls} x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(content)}</text>'


def _x_axis(
    x: Scale, y: float, grid_top: float, label: str, text: Callable[[float], str], ticks: Sequence[float] | None = None
) -> list[str]:
    """The axis line at pixel row `y`, ticks (`ticks`, else round ones) with their values below, grid lines up to
    `grid_top`, the label."""
    parts = [f'<line class="axis" x1="{x.start:.1f}" y1="{y:.1f}" x2="{x.end:.1f}" y2="{y:.1f}"/>']
    for tick in x.ticks() if ticks is None else ticks:
        px = x(tick)
        parts.append(f'<line class="grid" x1="{px:.1f}" y1="{grid_top:.1f}" x2="{px:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<line class="tick" x1="{px:.1f}" y1="{y:.1f}" x2="{px:.1f}" y2="{y + 5:.1f}"/>')
        parts.append(_text(px, y + 18, text(tick), "middle"))
    parts.append(_text((x.start + x.end) / 2, y + 36, label, "middle", "axis-label"))
    return parts


def _y_axis(y: Scale, x: float, grid_right: float, label: str) -> list[str]:
    """The axis line at pixel column `x`, ticks with their values left of it, grid lines, the rotated label."""
    parts = [f'<line class="axis" x1="{x:.1f}" y1="{y.start:.1f}" x2="{x:.1f}" y2="{y.end:.1f}"/>']
    for tick in y.ticks():
        py = y(tick)
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{py:.1f}" x2="{grid_right:.1f}" y2="{py:.1f}"/>')
        parts.append(f'<line class="tick" x1="{x - 5:.1f}" y1="{py:.1f}" x2="{x:.1f}" y2="{py:.1f}"/>')
        parts.append(_text(x - 8, py + 4, tick_text(tick), "end"))
    middle = (y.start + y.end) / 2
    parts.append(
        f'<text class="axis-label" x="14" y="{middle:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {middle:.1f})">{escape(label)}</text>'
    )
    return parts


def _whisker(x1: float, y1: float, x2: float, y2: float) -> str:
    """An interval from (x1, y1) to (x2, y2) with 8-pixel end caps across it."""
    if y1 == y2:
        return (
            f'<path class="whisker" d="M{x1:.1f} {y1:.1f}H{x2:.1f}M{x1:.1f} {y1 - 4:.1f}v8M{x2:.1f} {y1 - 4:.1f}v8"/>'
        )
    return f'<path class="whisker" d="M{x1:.1f} {y1:.1f}V{y2:.1f}M{x1 - 4:.1f} {y1:.1f}h8M{x1 - 4:.1f} {y2:.1f}h8"/>'


def _point(x: float, y: float, mark: Mark) -> str:
    fill = "filled" if mark.filled else "hollow"
    return (
        f'<circle class="point {fill}" cx="{x:.1f}" cy="{y:.1f}" r="4.5" data-value="{mark.value!r}">'
        f"<title>{escape(mark.note)}</title></circle>"
    )


CHAR_WIDTH, LABEL_HEIGHT, POINT_RADIUS = 7.0, 14.0, 4.5  # 12px labels: a generous width per character
LABEL_OFFSETS = (  # (dx, dy of the baseline, anchor): right above, right below, left above, left below, then further
    (7, -7, "start"),
    (7, 16, "start"),
    (-7, -7, "end"),
    (-7, 16, "end"),
    (7, -21, "start"),
    (7, 30, "start"),
    (-7, -21, "end"),
    (-7, 30, "end"),
)


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom
        )

    def inside(self, other: Box) -> bool:
        return (
            other.left <= self.left
            and self.right <= other.right
            and other.top <= self.top
            and self.bottom <= other.bottom
        )


def label_box(x: float, y: float, text: str, anchor: str) -> Box:
    """The box a label written at baseline (`x`, `y`) with `anchor` (`start`, `end`) takes, by `CHAR_WIDTH`."""
    width = CHAR_WIDTH * len(text)
    left = x if anchor == "start" else x - width
    return Box(left, y - LABEL_HEIGHT + 3, left + width, y + 3)


def place_labels(points: Sequence[tuple[float, float, str]], area: Box) -> list[tuple[float, float, str] | None]:
    """Where each point's label goes, (x, y, anchor), or None where it is left out: deterministically, in the order
    given, each label takes the first of `LABEL_OFFSETS` whose box stays inside `area` and overlaps neither a label
    already placed nor any point; a label no offset fits is left out (its point keeps it in its hover text)."""
    taken = [Box(x - POINT_RADIUS, y - POINT_RADIUS, x + POINT_RADIUS, y + POINT_RADIUS) for x, y, _ in points]
    placed: list[tuple[float, float, str] | None] = []
    for x, y, text in points:
        spot = None
        for dx, dy, anchor in LABEL_OFFSETS if text else ():
            box = label_box(x + dx, y + dy, text, anchor)
            if box.inside(area) and not any(box.overlaps(other) for other in taken):
                spot = (x + dx, y + dy, anchor)
                taken.append(box)
                break
        placed.append(spot)
    return placed


def _values(marks: Sequence[Mark]) -> list[float]:
    return [v for mark in marks for v in (mark.value, mark.low, mark.high) if v is not None]


def forest_plot(marks: Sequence[Mark], *, title: str, axis_label: str, css_class: str = "") -> str:
    """One row per mark (label left, value text right), a point with its interval, a vertical line at 0;
    `css_class` is added to the svg's classes."""
    label_w = min(260, 16 + 7 * max(len(mark.label) for mark in marks))
    plot_w, text_w, row_h, top = 360, 180, 24, 10
    x = Scale.fitting([*_values(marks), 0.0], label_w, label_w + plot_w)
    bottom = top + len(marks) * row_h
    parts = [_open(f"forest {css_class}".strip(), label_w + plot_w + text_w, bottom + 46, title)]
    parts += _x_axis(x, bottom, top, axis_label, tick_text)
    parts.append(f'<line class="zero" x1="{x(0):.1f}" y1="{top}" x2="{x(0):.1f}" y2="{bottom}"/>')
    for index, mark in enumerate(marks):
        y = top + (index + 0.5) * row_h
        parts.append(_text(label_w - 10, y + 4, mark.label, "end"))
        if mark.low is not None and mark.high is not None:
            parts.append(_whisker(x(mark.low), y, x(mark.high), y))
        parts.append(_point(x(mark.value), y, mark))
        parts.append(_text(label_w + plot_w + 10, y + 4, mark.text))
    return "".join([*parts, "</svg>"])


def xy_plot(
    marks: Sequence[Mark],
    *,
    title: str,
    x_label: str,
    y_label: str,
    log_x: bool = True,
    x_text: Callable[[float], str] = tick_text,
    x_ticks: Sequence[float] | None = None,
    lines: Sequence[Line] = (),
    segment: Segment | None = None,
) -> str:
    """Points at (`at`, `value`) with vertical intervals, labelled reference lines and an optional segment; the
    axes cover all of them. `x_ticks`: the x values to tick (e.g. the sizes that ran), else round ones. Point labels
    are placed by `place_labels`; those left out are listed under the plot."""
    width, height, left, right, top, bottom = 600, 360, 70, 110, 14, 300
    ends = [segment.start, segment.end] if segment else []
    xs = [mark.at for mark in marks] + [line.at for line in lines if line.vertical] + [p[0] for p in ends]
    ys = _values(marks) + [line.at for line in lines if not line.vertical] + [p[1] for p in ends]
    x = Scale.fitting(xs, left, width - right, log=log_x)
    y = Scale.fitting(ys, bottom, top)
    parts = [_open("xy", width, height, title)]
    parts += _x_axis(x, bottom, top, x_label, x_text, x_ticks) + _y_axis(y, left, width - right, y_label)
    for line in lines:
        if line.vertical:
            px = x(line.at)
            parts.append(f'<line class="{line.css_class}" x1="{px:.1f}" y1="{top}" x2="{px:.1f}" y2="{bottom}"/>')
            fits_right = px + 4 + CHAR_WIDTH * len(line.label) <= width - right
            at, anchor = (px + 4, "start") if fits_right else (px - 4, "end")  # never into the right margin's labels
            parts.append(_text(at, top + 12, line.label, anchor, css_class=f"{line.css_class}-label"))
        else:
            py = y(line.at)
            parts.append(
                f'<line class="{line.css_class}" x1="{left}" y1="{py:.1f}" x2="{width - right}" y2="{py:.1f}"/>'
            )
            parts.append(_text(width - right + 4, py + 4, line.label, css_class=f"{line.css_class}-label"))
    if segment:
        (x1, y1), (x2, y2) = segment.start, segment.end
        parts.append(
            f'<line class="{segment.css_class}" x1="{x(x1):.1f}" y1="{y(y1):.1f}" x2="{x(x2):.1f}" y2="{y(y2):.1f}">'
            f"<title>{escape(segment.label)}</title></line>"
        )
    spots = place_labels(
        [(x(mark.at), y(mark.value), mark.label) for mark in marks], Box(left, top, width - right, bottom)
    )
    for mark, spot in zip(marks, spots):
        px, py = x(mark.at), y(mark.value)
        if mark.low is not None and mark.high is not None:
            parts.append(_whisker(px, y(mark.low), px, y(mark.high)))
        parts.append(_point(px, py, mark))
        if spot is not None:
            parts.append(_text(spot[0], spot[1], mark.label, spot[2], "point-label"))
    left_out = [mark.label for mark, spot in zip(marks, spots) if mark.label and spot is None]
    if left_out:
        note = f"Not labelled (no room; hover the points): {', '.join(left_out)}"
        parts.append(_text(left, height - 4, note, css_class="left-out"))
    return "".join([*parts, "</svg>"])
