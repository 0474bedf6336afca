"""A study's estimates from run folders: contrasts, language groups, correlations, scaling curves and seeds.

Runs are grouped into training *conditions* (`Lineage.condition`: everything but the label and the fine-tuning
seed); runs of one condition are its seeds. Per suite and per (task, language), one paired bootstrap draws the
same examples for every run that scored it (`significance.joint_scores`: corpus metrics recomputed from summed
statistics), and each condition's value is the mean over its seeds, with the seeds themselves resampled once per
replicate when there are several (shared by all tasks and languages: a seed is a whole model). Every estimate is
then a function of those condition values and their replicates, so all intervals rest on the same draws:

- a task's number is the mean over its languages (as the task score is), a suite's the flat mean over its tasks;
- a contrast's side is the mean over the conditions it selects; a delta is candidate minus baseline;
- a group of languages is the mean of its languages' deltas (over all tasks: each language's mean over tasks);
- Spearman's rho resamples languages as well as examples;
- a scaling curve fits score = a + b log10(size) per replicate; it *flattens at* the first size from which no gain
  over the next smaller size is significant (after its last significant rise); a gain whose interval is below 0 is
  `drops_at`, never flattening (`statistics.curve_shape`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from xlt_bench.errors import XltBenchError
from xlt_bench.leaderboard.runs import Run, check_comparable, load_run
from xlt_bench.leaderboard.significance import (
    joint_scores,
    listed_units,
    pairing_problem,
    per_example_sides,
    seeded,
)
from xlt_bench.leaderboard.study.design import Contrast, Design, Selector
from xlt_bench.leaderboard.study.report import Estimate, StudyReport
from xlt_bench.leaderboard.study.statistics import (
    curve_shape,
    log_linear_fit,
    mean_of_chosen,
    percentile_interval,
    seed_choices,
    slope_replicates,
    spearman,
    spearman_replicates,
    stream,
)
from xlt_bench.lineage import Lineage
from xlt_bench.scoring import main_score

MIN_CORRELATION_LANGUAGES = 5  # fewer languages with a known size: no correlation is reported


@dataclass(frozen=True)
class Value:
    """An observed number and its bootstrap replicates (None: no interval), and what the replicates resample."""

    observed: float
    replicates: Any = None
    interval: str = "none"

    def minus(self, other: Value) -> Value:
        return combine([self, other], self.observed - other.observed, _difference)

    def interval_bounds(self) -> tuple[float, float] | tuple[None, None]:
        return (None, None) if self.replicates is None else percentile_interval(self.replicates)

    def includes_zero(self) -> bool | None:
        """Whether the 95% interval includes 0 (None without an interval)."""
        low, high = self.interval_bounds()
        return None if low is None else low <= 0 <= high

    def estimate(self, **fields: Any) -> Estimate:
        low, high = self.interval_bounds()
        kind = self.interval if low is not None else "none"
        return Estimate(value=self.observed, low=low, high=high, interval=kind, **fields)


def _difference(replicates: list[Any]) -> Any:
    return replicates[0] - replicates[1]


def _mean(replicates: list[Any]) -> Any:
    return np.mean(replicates, axis=0)


def combine(values: Sequence[Value], observed: float, how) -> Value:
    """A function of several values: replicates combined by `how` when every value has them."""
    kinds = {value.interval for value in values}
    if "none" in kinds or any(value.replicates is None for value in values):
        return Value(observed)
    kind = kinds.pop() if len(kinds) == 1 else "examples+seeds"
    return Value(observed, how([value.replicates for value in values]), kind)


def mean_value(values: Sequence[Value]) -> Value:
    return combine(values, float(np.mean([value.observed for value in values])), _mean)


@dataclass
class Condition:
    """One training condition of one suite, and its runs (one per fine-tuning seed)."""

    id: str
    suite: str
    lineage: Lineage  # without label and seed
    runs: list[tuple[str, Run]]  # (run id, run), by seed

    @property
    def name(self) -> str:
        return describe(self.lineage)


def describe(lineage: Lineage) -> str:
    """A condition in a few words: `xlmr mnli:50000→squad sequential on en`, `xlmr mnli+squad interleaved`."""
    sizes = lineage.intermediate_sizes
    steps = [f"{task}:{sizes[task]}" if task in sizes else task for task in lineage.intermediate]
    joined = "→" if lineage.regime in (None, "sequential") else "+"  # an order only where tasks follow each other
    words = [joined.join(steps) if steps else "direct"]
    words += [lineage.regime] if lineage.regime else []
    words += [f"on {','.join(lineage.train_languages)}"] if lineage.train_languages else []
    words += [f"{key}={value}" for key, value in lineage.tags.items()]
    return (f"{lineage.base} " if lineage.base else "") + " ".join(words)


def conditions_of(runs: list[Run]) -> tuple[list[Condition], dict[str, Run]]:
    """Runs grouped by (suite, condition); two runs of one condition need distinct `--train-seed`s."""
    ids = {f"r{i}": run for i, run in enumerate(runs)}
    found: dict[tuple, Condition] = {}
    for run_id, run in ids.items():
        key = (run.suite, repr(sorted(run.lineage.condition.items())))
        if key not in found:
            lineage = replace(run.lineage, label=None, train_seed=None)
            found[key] = Condition(id=f"c{len(found)}", suite=run.suite, lineage=lineage, runs=[])
        condition = found[key]
        twin = next((other for _, other in condition.runs if other.lineage.train_seed == run.lineage.train_seed), None)
        if twin is not None:
            raise XltBenchError(
                f"{twin.path} and {run.path} have the same lineage and fine-tuning seed "
                f"({run.lineage.train_seed}): give each run its `eval --train-seed`, or study only one of them"
            )
        condition.runs.append((run_id, run))
    for condition in found.values():
        condition.runs.sort(key=lambda item: (item[1].lineage.train_seed is None, item[1].lineage.train_seed or 0))
    return list(found.values()), ids


@dataclass
class SuiteScores:
    """Per (task, language) of one suite: each run's value (replicates over examples) and each condition's (mean
    over its seeds, seeds resampled); `examples` counts the paired examples."""

    runs: dict[tuple[str, str], dict[str, Value]] = field(default_factory=dict)
    conditions: dict[tuple[str, str], dict[str, Value]] = field(default_factory=dict)
    examples: dict[tuple[str, str], int] = field(default_factory=dict)
    unpaired: dict[str, list[str]] = field(default_factory=dict)  # why -> "task/language" without example intervals
    tasks: list[Any] = field(default_factory=list)  # xlt_bench.tasks.Task, in suite order
    resamples: int = 1000
    seed: int = 0  # of the bootstrap: estimates made from these scores draw their own streams from it


def score_suite(suite: str, conditions: list[Condition], registry, design: Design, resamples: int, seed: int):
    """`SuiteScores` of the conditions of one suite (all of them drawn jointly)."""
    scores = SuiteScores(resamples=resamples, seed=seed)
    runs = [(run_id, run) for condition in conditions for run_id, run in condition.runs]
    choices = {c.id: seed_choices(len(c.runs), resamples, stream(seed, "seeds", c.id)) for c in conditions}
    for task in registry.suite_tasks(suite, optional=True):
        scored = [(run_id, run) for run_id, run in runs if task.name in run.tasks]
        if not scored:
            continue
        scores.tasks.append(task)
        for language in task.languages:
            if not design.keeps(registry.language(language)):
                continue
            have = [(run_id, run) for run_id, run in scored if language in run.tasks[task.name].languages]
            if not have:
                continue
            key = (task.name, language)
            observed = {
                run_id: float(main_score(task, run.tasks[task.name].languages[language])) for run_id, run in have
            }
            stores = [run.store for _, run in have]
            metric = registry.metric(task)
            why = pairing_problem(stores, task, language, metric) if all(stores) else "a run is published numbers"
            sides = per_example_sides(stores, task, language, metric) if why is None else None
            if sides is None and len(have) > 1:
                scores.unpaired.setdefault(why or "no per-example statistics", []).append(f"{task.name}/{language}")
            values = {run_id: Value(observed[run_id]) for run_id, _ in have}
            if sides is not None:
                _, replicates = joint_scores(sides, task, resamples, seeded(seed, task.name, language))
                values = {
                    run_id: Value(observed[run_id], replicates[:, i], "examples") for i, (run_id, _) in enumerate(have)
                }
                scores.examples[key] = len(sides[0].units)
            scores.runs[key] = values
            scores.conditions[key] = {}
            for condition in conditions:
                seeds = [values[run_id] for run_id, _ in condition.runs if run_id in values]
                if len(seeds) == len(condition.runs):  # a condition counts where all its seeds scored the language
                    scores.conditions[key][condition.id] = _seed_mean(seeds, choices[condition.id])
    return scores


def _seed_mean(seeds: list[Value], choices: Any) -> Value:
    """The mean over a condition's seeds; `choices` (resamples, seeds) says which seeds each replicate takes."""
    observed = float(np.mean([value.observed for value in seeds]))
    if len(seeds) == 1:
        return seeds[0]
    if seeds[0].replicates is None:
        columns, kind = np.tile([value.observed for value in seeds], (len(choices), 1)), "seeds"
    else:
        columns, kind = np.stack([value.replicates for value in seeds], axis=1), "examples+seeds"
    return Value(observed, mean_of_chosen(columns, choices), kind)


# -- contrasts, language groups, correlations ----------------------------------------------------------------------


def _side(conditions: list[Condition], selector: Selector) -> list[Condition]:
    return [c for c in conditions if any(selector.matches(run.lineage, run.label) for _, run in c.runs)]


def contrast_deltas(
    scores: SuiteScores, baseline: list[Condition], candidate: list[Condition]
) -> dict[str, dict[str, Value]]:
    """{task: {language: candidate minus baseline}} where every condition of both sides scored the language."""
    deltas: dict[str, dict[str, Value]] = {}
    for (task, language), values in scores.conditions.items():
        if all(c.id in values for c in baseline + candidate):
            sides = [mean_value([values[c.id] for c in side]) for side in (candidate, baseline)]
            deltas.setdefault(task, {})[language] = sides[0].minus(sides[1])
    return deltas


def _contrast(contrast: Contrast, suite: str, scores, baseline, candidate, registry, design) -> list[Estimate]:
    deltas = contrast_deltas(scores, baseline, candidate)
    n_runs = {
        "baseline_runs": sum(len(c.runs) for c in baseline),
        "candidate_runs": sum(len(c.runs) for c in candidate),
    }
    details = {"baseline": "; ".join(c.name for c in baseline), "candidate": "; ".join(c.name for c in candidate)}
    common = {"analysis": "contrast", "name": contrast.name, "suite": suite, "quantity": "delta", "details": details}
    found: list[Estimate] = []
    task_values = {}
    for task in scores.tasks:
        if task.name not in deltas:
            continue
        per_language = deltas[task.name]
        for language, value in per_language.items():
            n = n_runs | {"languages": 1, "examples": scores.examples.get((task.name, language), 0)}
            found.append(value.estimate(**common, task=task.name, language=language, n=n))
        task_values[task.name] = mean_value(list(per_language.values()))
        missing = [
            language
            for language in task.languages
            if language not in per_language and design.keeps(registry.language(language))
        ]
        n = n_runs | {"languages": len(per_language)}
        found.append(
            task_values[task.name].estimate(
                **(common | {"details": details | {"languages_missing": missing}}), task=task.name, n=n
            )
        )
    if task_values:
        n = n_runs | {"tasks": len(task_values)}
        found.append(mean_value(list(task_values.values())).estimate(**common, n=n))
    found += _language_groups(contrast, suite, deltas, registry, design, scores)
    return found


def _by_language(deltas: dict[str, dict[str, Value]], registry) -> dict[str | None, dict[str, Value]]:
    """Per task, and over all tasks (key None: each language's mean over the tasks that have it), the deltas
    keyed by the language's primary code (so `sw` and `swa` are one language)."""
    tables: dict[str | None, dict[str, Value]] = {}
    pooled: dict[str, list[Value]] = {}
    for task, per_language in deltas.items():
        tables[task] = {registry.language(code).code: value for code, value in per_language.items()}
        for code, value in tables[task].items():
            pooled.setdefault(code, []).append(value)
    tables[None] = {code: mean_value(values) for code, values in pooled.items()}
    return tables


def _language_groups(contrast, suite, deltas, registry, design, scores: SuiteScores) -> list[Estimate]:
    found = []
    for task, table in _by_language(deltas, registry).items():
        languages = {code: registry.language(code) for code in table}
        for key in design.group_by:
            groups: dict[str, list[str]] = {}
            for code, language in languages.items():
                value = getattr(language, key)
                groups.setdefault("unknown" if value is None else str(value), []).append(code)
            for group, codes in sorted(groups.items()):
                found.append(
                    mean_value([table[code] for code in codes]).estimate(
                        analysis="language_group",
                        name=contrast.name,
                        suite=suite,
                        quantity="mean_delta",
                        task=task,
                        group_by=key,
                        group=group,
                        n={"languages": len(codes)},
                        details={"languages": sorted(codes)},
                    )
                )
        for corpus in design.correlate:
            known = [(code, languages[code].pretraining.get(corpus)) for code in sorted(table)]
            known = [(code, size) for code, size in known if size is not None]
            if len(known) < MIN_CORRELATION_LANGUAGES:
                continue
            found.append(_correlation(contrast.name, suite, task, corpus, known, table, scores))
    return found


def _correlation(name, suite, task, corpus, known, table, scores: SuiteScores) -> Estimate:
    sizes = np.array([size for _, size in known], dtype=float)
    values = [table[code] for code, _ in known]
    rho = spearman(sizes, [value.observed for value in values])
    if all(value.replicates is not None for value in values):
        draws, kind = np.stack([value.replicates for value in values], axis=1), "languages+examples"
    else:
        draws, kind = np.tile([value.observed for value in values], (scores.resamples, 1)), "languages"
    replicates = spearman_replicates(sizes, draws, stream(scores.seed, "spearman", name, suite, task or "", corpus))
    low, high = percentile_interval(replicates) if rho is not None else (None, None)
    return Estimate(
        analysis="correlation",
        name=name,
        suite=suite,
        quantity="spearman",
        value=rho,
        low=low,
        high=high,
        interval=kind if low is not None else "none",
        task=task,
        group_by=corpus,
        n={"languages": len(known)},
        details={"points": [[code, size, value.observed] for (code, size), value in zip(known, values)]},
    )


# -- scaling and seeds ---------------------------------------------------------------------------------------------


def _task_values(values: dict[tuple[str, str], dict[str, Value]], tasks: list[Any], ids: list[str]):
    """Per task, the task value of each of `ids` (conditions or runs) over the languages all of them scored;
    key None: the suite (mean over those tasks). `values` is `SuiteScores.conditions` or `.runs`."""
    tables: dict[str | None, dict[str, Value]] = {}
    for task in tasks:
        keys = [key for key in values if key[0] == task.name and all(i in values[key] for i in ids)]
        if keys:
            tables[task.name] = {i: mean_value([values[key][i] for key in keys]) for i in ids}
    if tables:
        tables[None] = {i: mean_value([table[i] for table in tables.values()]) for i in ids}
    return tables


def _curves(conditions: list[Condition]) -> list[tuple[str, list[Condition], Condition | None]]:
    """Conditions that differ only in their intermediate data size (at least two known sizes), and the direct
    condition of the same base (None when there is none)."""
    curves: dict[str, list[Condition]] = {}
    for condition in conditions:
        if condition.lineage.intermediate and condition.lineage.intermediate_size is not None:
            key = {k: v for k, v in condition.lineage.condition.items() if k != "intermediate_sizes"}
            curves.setdefault(repr(sorted(key.items())), []).append(condition)
    found = []
    for members in curves.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda c: c.lineage.intermediate_size)
        lineage = members[0].lineage
        direct = next(
            (
                c
                for c in conditions
                if c.lineage.direct
                and (c.lineage.base, c.lineage.train_languages, c.lineage.tags)
                == (lineage.base, lineage.train_languages, lineage.tags)
            ),
            None,
        )
        found.append((describe(replace(lineage, intermediate_sizes={})), members, direct))
    return found


def _scaling(suite: str, scores: SuiteScores, conditions: list[Condition]) -> list[Estimate]:
    found = []
    for name, members, direct in _curves(conditions):
        sizes = [c.lineage.intermediate_size for c in members]
        ids = [c.id for c in members + ([direct] if direct else [])]
        for task, table in _task_values(scores.conditions, scores.tasks, ids).items():
            common = {"analysis": "scaling", "name": name, "suite": suite, "task": task}
            points = [table[c.id] for c in members]
            gains = [None] + [points[i].minus(points[i - 1]) for i in range(1, len(points))]
            for i, (condition, point) in enumerate(zip(members, points)):
                n = {"runs": len(condition.runs)}
                found.append(point.estimate(**common, quantity="score", size=sizes[i], n=n))
                if gains[i] is not None:
                    found.append(gains[i].estimate(**common, quantity="gain_over_previous", size=sizes[i], n=n))
                if direct is not None:
                    found.append(
                        point.minus(table[direct.id]).estimate(
                            **common, quantity="gain_over_direct", size=sizes[i], n=n
                        )
                    )
            found.append(_fit(common, sizes, points, gains, None if direct is None else table[direct.id]))
    return found


def _fit(common: dict[str, Any], sizes: list[int], points: list[Value], gains: list, direct: Value | None) -> Estimate:
    fit = log_linear_fit(sizes, [point.observed for point in points])
    slope = combine(points, fit.slope, lambda replicates: slope_replicates(sizes, np.stack(replicates, axis=1)))
    shape, where = curve_shape(
        [(size, *gain.interval_bounds()) for size, gain in zip(sizes, gains) if gain is not None]
    )
    details = {
        "intercept": fit.intercept,
        "r2": fit.r2,
        "flattens_at": where if shape == "flattens" else None,
        "drops_at": where if shape == "drops" else None,
        "direct_score": None if direct is None else direct.observed,
        "sizes": sizes,
    }
    return slope.estimate(
        **(common | {"analysis": "fit"}), quantity="slope_per_10x", n={"points": len(sizes)}, details=details
    )


def _seeds(suite: str, scores: SuiteScores, conditions: list[Condition]) -> list[Estimate]:
    found = []
    for condition in conditions:
        if len(condition.runs) < 2:
            continue
        ids = [run_id for run_id, _ in condition.runs]
        for task, table in _task_values(scores.runs, scores.tasks, ids).items():
            values = [table[run_id] for run_id, _ in condition.runs]
            spread = float(np.std([value.observed for value in values], ddof=1))
            example_sd = None
            if all(value.replicates is not None for value in values):
                example_sd = float(np.mean([np.std(value.replicates, ddof=1) for value in values]))
            details = {
                "scores": [value.observed for value in values],
                "labels": [run.label for _, run in condition.runs],
                "example_sd": example_sd,
                "larger": None if example_sd is None else "seeds" if spread > example_sd else "examples",
            }
            found.append(
                Estimate(
                    analysis="seeds",
                    name=condition.name,
                    suite=suite,
                    quantity="seed_sd",
                    value=spread,
                    task=task,
                    n={"seeds": len(values)},
                    details=details,
                )
            )
    return found


# -- the whole study -----------------------------------------------------------------------------------------------


def found_contrasts(conditions: list[Condition]) -> list[Contrast]:
    """The contrasts the runs' lineage implies (see `design`): vs direct, order, regime."""
    found: dict[str, Contrast] = {}

    def add(baseline: Condition, candidate: Condition) -> None:
        name = f"{candidate.name} vs {baseline.name}"
        found.setdefault(
            name,
            Contrast(
                name, Selector.for_condition(baseline.lineage), Selector.for_condition(candidate.lineage), found=True
            ),
        )

    def same_but(a: Lineage, b: Lineage, *fields: str) -> bool:
        return all(
            getattr(a, key) == getattr(b, key)
            for key in ("base", "intermediate", "intermediate_sizes", "regime", "train_languages", "tags")
            if key not in fields
        )

    for candidate in conditions:
        if candidate.lineage.direct:
            continue
        for other in conditions:
            if other.suite != candidate.suite or other is candidate:
                continue
            if other.lineage.direct and same_but(
                other.lineage, candidate.lineage, "intermediate", "intermediate_sizes", "regime"
            ):
                add(other, candidate)
            elif (
                same_but(other.lineage, candidate.lineage, "intermediate")
                and sorted(other.lineage.intermediate) == sorted(candidate.lineage.intermediate)
                and other.lineage.intermediate < candidate.lineage.intermediate
            ):
                add(other, candidate)  # order: A→B (sorted first) is the baseline of B→A
            elif (
                same_but(other.lineage, candidate.lineage, "regime")
                and other.lineage.regime is not None
                and candidate.lineage.regime is not None
                and (
                    other.lineage.regime == "sequential"
                    or (candidate.lineage.regime != "sequential" and other.lineage.regime < candidate.lineage.regime)
                )
            ):
                add(other, candidate)  # regime: sequential (else the first by name) is the baseline
    return list(found.values())


def _load(paths: Sequence[Path | str], registry, allow_limited: bool) -> tuple[list[Run], list[str]]:
    runs = [load_run(str(path), registry) for path in paths]
    published = next((run for run in runs if run.published), None)
    if published is not None:
        raise XltBenchError(
            f"{published.label}: a published baseline has no per-example results; study reads run folders"
        )
    notes = check_comparable(runs, allow_limited)
    # one canonical order (suite, direct runs first as the leaderboard has them, condition, seed, label, folder):
    # the bootstrap's draws, hence the intervals, do not depend on the order the runs were given in
    runs.sort(
        key=lambda r: (
            r.suite,
            not r.lineage.direct,
            json.dumps(r.lineage.condition, sort_keys=True),
            r.lineage.train_seed or 0,
            r.label,
            str(r.path),
        )
    )
    return runs, notes


def _tag_contrast_hint(conditions: list[Condition]) -> str | None:
    """Where the conditions differ only in their tags (`eval --tag`), the `--contrast` that compares two of them:
    `--contrast tags.KEY=A tags.KEY=B` (a side without the tag is selected by its run's label). None otherwise."""
    if len(conditions) < 2:
        return None
    rest = {repr(sorted((k, v) for k, v in c.lineage.condition.items() if k != "tags")) for c in conditions}
    if len(rest) > 1:
        return None
    keys = dict.fromkeys(key for c in conditions for key in c.lineage.tags)
    key = next((k for k in keys if len({c.lineage.tags.get(k) for c in conditions}) > 1), None)
    if key is None:
        return None

    def side(condition: Condition) -> str:
        value = condition.lineage.tags.get(key)
        return f"tags.{key}={value}" if value is not None else f"label={condition.runs[0][1].label}"

    first, second = sorted(conditions, key=lambda c: (c.lineage.tags.get(key) is not None, c.lineage.tags.get(key)))[:2]
    names = ", ".join(sorted({c.lineage.tags[key] for c in conditions if key in c.lineage.tags}))
    return (
        f" (the {len(conditions)} conditions differ only in their tags, {key}: {names}; contrast two of them with "
        f"--contrast {side(first)!r} {side(second)!r})"
    )


def _seed_note(conditions: list[Condition], estimates: list[Estimate]) -> str | None:
    """Say when intervals leave out the variance between fine-tuning seeds, and how large it was where measured."""
    single = [c for c in conditions if len(c.runs) == 1]
    if not single:
        return None
    spreads = [e.value for e in estimates if e.analysis == "seeds" and e.task is None]
    measured = (
        f" (where measured here, the seeds' sd of the suite score is {max(spreads):.2f} points)" if spreads else ""
    )
    return (
        f"{len(single)} of {len(conditions)} conditions have one fine-tuning seed: intervals involving them cover "
        f"the examples only, not the variance between seeds, which is often larger{measured}; train and evaluate "
        "several seeds (eval --train-seed) before reading a small delta as a finding"
    )


def study_runs(
    paths: Sequence[Path | str],
    registry,
    design: Design | None = None,
    resamples: int = 1000,
    seed: int = 0,
    allow_limited: bool = False,
) -> StudyReport:
    """The study of the runs in `paths` under `design` (None: the designs found in the runs' lineage)."""
    from xlt_bench import __version__
    from xlt_bench.run_folder import now

    design = design or Design()
    corpora = sorted({corpus for language in registry.languages.values() for corpus in language.pretraining})
    if unknown := [corpus for corpus in design.correlate if corpus not in corpora]:
        known = ", ".join(corpora) or "none"
        raise XltBenchError(f"correlate: no language has a {unknown[0]!r} size (pre-training size columns: {known})")
    runs, notes = _load(paths, registry, allow_limited)
    conditions, ids = conditions_of(runs)
    contrasts = list(design.contrasts)
    if design.auto:
        contrasts += [c for c in found_contrasts(conditions) if c.name not in {d.name for d in contrasts}]
    estimates: list[Estimate] = []
    used: set[str] = set()
    for suite in dict.fromkeys(c.suite for c in conditions):
        members = [c for c in conditions if c.suite == suite]
        scores = score_suite(suite, members, registry, design, resamples, seed)
        for contrast in contrasts:
            baseline, candidate = _side(members, contrast.baseline), _side(members, contrast.candidate)
            if not baseline or not candidate:
                continue
            both = next((c for c in baseline if c in candidate), None)
            if both is not None:
                raise XltBenchError(
                    f"contrast {contrast.name!r}: runs of {both.name} match both its baseline and candidate"
                )
            used.add(contrast.name)
            estimates += _contrast(contrast, suite, scores, baseline, candidate, registry, design)
        for why, units in scores.unpaired.items():  # every unit the bootstrap could not resample by example
            notes.append(f"{suite}: no example-level interval for {listed_units(units)}: {why}")
        estimates += _scaling(suite, scores, members) if design.scaling else []
        estimates += _seeds(suite, scores, members) if design.seeds else []
    notes += [
        f"contrast {c.name!r}: no run matches one of its sides in any suite" for c in contrasts if c.name not in used
    ]
    if not any(e.analysis == "correlation" for e in estimates) and design.correlate and used:
        notes.append(
            f"no correlation: fewer than {MIN_CORRELATION_LANGUAGES} languages with a known "
            f"{', '.join(design.correlate)}"
        )
    if (seed_note := _seed_note(conditions, estimates)) is not None:
        notes.append(seed_note)
    if not estimates and len(conditions) >= 2 and design.languages:
        notes.append(
            f"nothing to estimate: {len(conditions)} conditions, but the design's languages keep none of the "
            "languages both sides of a contrast scored; widen `languages`"
        )
    elif not estimates:
        hint = _tag_contrast_hint(conditions)
        if hint is None and len(conditions) >= 2:
            hint = f" ({len(conditions)} conditions differ in more than one factor; name one with --contrast)"
        notes.append(
            "nothing to estimate: no two conditions to contrast, no scaling curve, no condition with several seeds"
            + (hint or "")
        )
    condition_of = {run_id: c for c in conditions for run_id, _ in c.runs}
    return StudyReport(
        design=replace(design, contrasts=tuple(contrasts)).to_json(),
        runs=[
            {
                "id": run_id,
                "label": run.label,
                "path": str(run.path),
                "suite": run.suite,
                "condition": condition_of[run_id].name,
                "lineage": run.lineage.to_json(),
            }
            for run_id, run in ids.items()
        ],
        estimates=estimates,
        resamples=resamples,
        seed=seed,
        notes=notes,
        xlt_bench_version=__version__,
        created=now(),
    )
