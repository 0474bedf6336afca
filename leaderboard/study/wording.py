"""How a study's numbers are put into words, the same in Markdown and HTML: signed values with a true minus sign,
95% intervals, what an interval covers, and verdicts that never say more than the interval does (an interval that
includes 0 is no evidence of a difference, not evidence of none)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xlt_bench.leaderboard.study.report import SIGNED, Estimate

MINUS = "\u2212"
INTERVAL_MEANINGS = {
    "examples": "paired bootstrap over examples",
    "examples+seeds": "paired bootstrap over examples and over the seeds of each condition",
    "seeds": "bootstrap over seeds only, as the runs have no per-example samples",
    "languages+examples": "bootstrap over languages and examples",
    "languages": "bootstrap over languages only, as the runs have no per-example samples",
    "none": "no interval",
}
WHAT_IS_TESTED = {
    "delta": "difference",
    "mean_delta": "difference",
    "gain_over_previous": "gain",
    "gain_over_direct": "gain",
    "spearman": "correlation",
    "slope_per_10x": "trend",
}
QUANTITY_NAMES = {
    "delta": "Δ",
    "mean_delta": "mean Δ",
    "spearman": "Spearman ρ",
    "score": "score",
    "gain_over_previous": "gain over previous size",
    "gain_over_direct": "gain over direct",
    "slope_per_10x": "slope per 10× data",
    "seed_sd": "seed sd",
}
GAIN_MARK = (
    "* the gain's interval excludes 0; unmarked gains have an interval that includes 0 (no evidence of a gain) or none."
)


def number(value: float | None, signed: bool = False) -> str:
    """Two decimals, `+` on signed values, U+2212 for minus; `–` for no value."""
    if value is None:
        return "–"
    text = f"{value:+.2f}" if signed else f"{value:.2f}"
    return text.replace("-", MINUS)


def interval(estimate: Estimate) -> str:
    """`[−0.40, +2.86]` (scores unsigned), or `no interval`."""
    if estimate.low is None or estimate.high is None:
        return "no interval"
    signed = estimate.quantity in SIGNED
    return f"[{number(estimate.low, signed)}, {number(estimate.high, signed)}]"


def with_interval(estimate: Estimate) -> str:
    """`+1.23 [−0.40, +2.86]`, or `+1.23 (no interval)`."""
    shown = number(estimate.value, estimate.quantity in SIGNED)
    text = interval(estimate)
    return f"{shown} {text}" if text.startswith("[") else f"{shown} ({text})"


def verdict(estimate: Estimate) -> str:
    """What the interval says about 0, and no more; empty for quantities that are not differences (scores)."""
    if estimate.quantity not in SIGNED:
        return ""
    if estimate.significant is None:
        return "no interval"
    if estimate.significant:
        return "interval excludes 0"
    return f"interval includes 0 (no evidence of a {WHAT_IS_TESTED[estimate.quantity]})"


def intervals_used(estimates: Iterable[Estimate]) -> str:
    """One sentence saying what a table's intervals cover: `95% intervals over examples: paired bootstrap ...`."""
    kinds = [kind for kind in dict.fromkeys(e.interval for e in estimates) if kind != "none"]
    if not kinds:
        return "No intervals."
    return "95% intervals over " + "; over ".join(f"{kind}: {INTERVAL_MEANINGS[kind]}" for kind in kinds) + "."


def marked(estimate: Estimate | None) -> str:
    """A value with its interval and ` *` where the interval excludes 0 (see `GAIN_MARK`); `–` for none."""
    if estimate is None:
        return "–"
    return with_interval(estimate) + (" *" if estimate.significant else "")


def scope(estimate: Estimate) -> str:
    """The task, or `suite mean` for suite-level estimates."""
    return estimate.task if estimate.task is not None else "suite mean"


def size_text(size: float) -> str:
    """An amount of data: 50000 -> `50k`, 1500000 -> `1.5M`, 0.3 (GiB) -> `0.3`."""
    for factor, unit in ((1_000_000, "M"), (1_000, "k")):
        if size >= factor:
            return f"{size / factor:g}{unit}"
    return f"{size:g}"


def larger_spread(seed_sd: float | None, example_sd: float | None) -> str:
    """Which source of variation is larger: `seeds`, `examples` or `equal` (`–` without an example sd)."""
    if seed_sd is None or example_sd is None:
        return "–"
    if seed_sd == example_sd:
        return "equal"
    return "seeds" if seed_sd > example_sd else "examples"


def run_summary(run: dict[str, Any]) -> str:
    """A run's condition and lineage in one line: `base xlmr; intermediate mnli:50k → squad; interleaved; seed 3`."""
    lineage = run.get("lineage") or {}
    sizes = lineage.get("intermediate_sizes") or {}
    intermediate = [f"{t}:{size_text(sizes[t])}" if t in sizes else t for t in lineage.get("intermediate") or []]
    parts = [
        f"condition {run['condition']}" if isinstance(run.get("condition"), str) else None,
        f"suite {run['suite']}" if run.get("suite") else None,
        f"base {lineage['base']}" if lineage.get("base") else None,
        "intermediate " + " → ".join(intermediate) if intermediate else "direct",
        f"regime {lineage['regime']}" if lineage.get("regime") else None,
        "trained on " + ", ".join(lineage["train_languages"]) if lineage.get("train_languages") else None,
        None if lineage.get("train_seed") is None else f"seed {lineage['train_seed']}",
        *(f"{key}={value}" for key, value in sorted((lineage.get("tags") or {}).items())),
    ]
    return "; ".join(part for part in parts if part)


def contrast_sides(estimate: Estimate) -> str:
    """What a contrast compares and how many runs each side has: `candidate: ...; baseline: ...; runs: 2 candidate,
    1 baseline` (empty when the analysis gave neither)."""
    sides = [f"{role}: {estimate.details[role]}" for role in ("candidate", "baseline") if role in estimate.details]
    runs = [
        f"{estimate.n[f'{role}_runs']} {role}" for role in ("candidate", "baseline") if f"{role}_runs" in estimate.n
    ]
    return "; ".join(sides + (["runs: " + ", ".join(runs)] if runs else []))


def fit_summary(fit: Estimate) -> str:
    """`slope +2.10 [+0.90, +3.30] points per 10× data (interval excludes 0), r² 0.93`."""
    return f"slope {with_interval(fit)} points per 10× data ({verdict(fit)}), r² {number(fit.details.get('r2'))}"


def seed_scores(estimate: Estimate) -> str:
    """`s1 70.10, s2 71.20`: each seed run's label and score."""
    pairs = zip(estimate.details.get("labels", []), estimate.details.get("scores", []))
    return ", ".join(f"{label} {number(score)}" for label, score in pairs) or "–"
