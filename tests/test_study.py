"""`xlt-bench study`: its statistics against hand-worked examples, then the analyses on synthetic run folders
(XNLI-style predictions at known error rates, written as `eval` writes them: no model needed)."""

from __future__ import annotations

import json
import random
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest
from helpers import LABELS, corrupt, run_main, write_run

from xlt_bench.errors import XltBenchError
from xlt_bench.leaderboard.runs import load_run
from xlt_bench.leaderboard.significance import joint_scores, scores_of_sums
from xlt_bench.leaderboard.study.analysis import study_runs
from xlt_bench.leaderboard.study.design import Design, Selector
from xlt_bench.leaderboard.study.report import INTERVALS, StudyReport
from xlt_bench.leaderboard.study.statistics import (
    log_linear_fit,
    mean_of_chosen,
    percentile_interval,
    ranks,
    slope_replicates,
    spearman,
)
from xlt_bench.leaderboard.study.wording import INTERVAL_MEANINGS
from xlt_bench.leaderboard.table import build_board
from xlt_bench.lineage import parse_intermediate, parse_size
from xlt_bench.registry import load_registry


@pytest.fixture(scope="module")
def registry():
    return load_registry()


# -- statistics, by hand ------------------------------------------------------------------------------------------


def test_spearman_on_a_small_table_with_a_tie():
    # ranks of y = (5, 6, 7, 8, 7): 1, 2, 3.5, 5, 3.5; centred x ranks -2..2, y ranks -2, -1, .5, 2, .5
    # sum of products 4 + 1 + 0 + 2 + 1 = 8; sums of squares 10 and 9.5: rho = 8 / sqrt(95)
    assert list(ranks([5, 6, 7, 8, 7])) == [1, 2, 3.5, 5, 3.5]
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / 95**0.5)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert spearman([1, 2, 3], [4, 4, 4]) is None and spearman([1, 2], [1, 2]) is None


def test_log_linear_fit_of_known_lines():
    exact = log_linear_fit([1_000, 10_000, 100_000], [50, 53, 56])  # 3 points per tenfold data from 41 at size 1
    assert (exact.slope, exact.intercept, exact.r2) == pytest.approx((3, 41, 1))
    # log10 sizes 1..4, scores 1, 3, 2, 4: Sxy = 4, Sxx = 5 -> slope .8, intercept .5; SSres 1.8 of SStot 5
    noisy = log_linear_fit([10, 100, 1_000, 10_000], [1, 3, 2, 4])
    assert (noisy.slope, noisy.intercept, noisy.r2) == pytest.approx((0.8, 0.5, 0.64))
    rows = np.array([[1, 3, 2, 4], [50, 53, 56, 59]])
    assert slope_replicates([10, 100, 1_000, 10_000], rows) == pytest.approx([0.8, 3])


def test_paired_bootstrap_on_a_fixed_draw(registry):
    """Four examples; the draw takes example 1 twice, 2 once, 4 once. Baseline right on 1 and 3 -> 2 of 4
    right in the draw (50); candidate right on 1, 2 and 4 -> all 4 right (100)."""
    task = registry.task("xtreme/xnli")
    metric = registry.metric(task)
    gold = ["entailment", "neutral", "contradiction", "neutral"]
    baseline = ["entailment", "entailment", "contradiction", "entailment"]
    candidate = ["entailment", "neutral", "neutral", "neutral"]
    sides = [metric.per_example(gold, predicted, language="de") for predicted in (baseline, candidate)]
    stacked = np.hstack([np.asarray(side.stats, dtype=float) for side in sides])
    draw = np.array([2, 1, 0, 1])
    assert list(scores_of_sums(task, sides, draw @ stacked)) == pytest.approx([50, 100])
    observed, replicates = joint_scores(sides, task, 200, np.random.default_rng(0))
    assert list(observed) == pytest.approx([50, 75]) and replicates.shape == (200, 2)
    # paired: a replicate's delta is 25 x (draws of example 2 + draws of example 4 - draws of example 3)
    deltas = replicates[:, 1] - replicates[:, 0]
    assert set(np.unique(deltas)) <= {25.0 * k for k in range(-4, 5)} and 15 < deltas.mean() < 35


def test_seed_resampling_and_percentiles():
    replicates = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert list(mean_of_chosen(replicates, np.array([[0, 0], [1, 0]]))) == [1.0, 3.5]
    assert percentile_interval(np.arange(101)) == pytest.approx((2.5, 97.5))
    assert percentile_interval([1.0, 2.0]) == (None, None)


def test_intermediate_sizes_and_their_mistakes():
    assert parse_intermediate("mnli:50k,squad") == (("mnli", "squad"), {"mnli": 50_000})
    assert parse_size("1.5M", "x") == 1_500_000 and parse_size("2000", "x") == 2000
    for text, message in (("mnli:0", "positive"), ("mnli:1.5", "whole"), (",squad", "empty task name")):
        with pytest.raises(XltBenchError, match=message):
            parse_intermediate(text)


# -- analyses on synthetic runs ---------------------------------------------------------------------------------

RATES = {  # error rate and lineage of each run: the lower the rate, the better the run
    "direct-s1": (0.50, {"train_seed": 1}),
    "direct-s2": (0.52, {"train_seed": 2}),
    "mnli1k": (0.48, {"intermediate": ["mnli"], "intermediate_sizes": {"mnli": 1000}, "regime": "sequential"}),
    "mnli10k": (0.40, {"intermediate": ["mnli"], "intermediate_sizes": {"mnli": 10000}, "regime": "sequential"}),
    "mnli100k": (0.40, {"intermediate": ["mnli"], "intermediate_sizes": {"mnli": 100000}, "regime": "sequential"}),
    "mnli-squad": (0.42, {"intermediate": ["mnli", "squad"], "regime": "sequential"}),
    "squad-mnli": (0.42, {"intermediate": ["squad", "mnli"], "regime": "sequential"}),
    "interleaved": (0.30, {"intermediate": ["mnli", "squad"], "regime": "interleaved"}),
}


@pytest.fixture(scope="module")
def study_folder(registry, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("study")
    rng = random.Random(0)
    gold = {"xnli": {lang: [rng.choice(LABELS) for _ in range(300)] for lang in registry.task("xtreme/xnli").languages}}
    for name, (rate, lineage) in RATES.items():
        predictions = {
            "xnli": {
                lang: corrupt(labels, rate, zlib.crc32(f"{name}/{lang}".encode()))
                for lang, labels in gold["xnli"].items()
            }
        }
        write_run(root / name, registry, predictions, gold, label=name, base="tiny", **lineage)
    return root


@pytest.fixture(scope="module")
def report(study_folder, registry):
    return study_runs(sorted(study_folder.iterdir()), registry, resamples=400)


def _task_score(folder: Path, registry) -> float:
    return load_run(str(folder), registry).tasks["xnli"].score


def test_the_designs_found_in_the_lineage(report):
    names = {e.name for e in report.estimates if e.analysis == "contrast"}
    assert "tiny squad→mnli sequential vs tiny mnli→squad sequential" in names  # order: A→B is the baseline
    assert "tiny mnli+squad interleaved vs tiny mnli→squad sequential" in names  # regime: sequential is
    assert "tiny mnli:1000 sequential vs tiny direct" in names and len(names) == 8  # six conditions vs direct
    assert all(contrast["found_in_runs"] for contrast in report.design["contrasts"])


def test_a_contrast_is_the_difference_of_means_with_seeds_resampled(report, study_folder, registry):
    [suite] = report.select("contrast", name="tiny mnli:1000 sequential vs tiny direct", task=None)
    direct = np.mean([_task_score(study_folder / name, registry) for name in ("direct-s1", "direct-s2")])
    assert suite.value == pytest.approx(_task_score(study_folder / "mnli1k", registry) - direct)
    assert suite.interval == "examples+seeds" and suite.n["baseline_runs"] == 2 and suite.low < suite.value < suite.high
    name = "tiny squad→mnli sequential vs tiny mnli→squad sequential"
    [order] = report.select("contrast", name=name, task="xnli", language=None)
    assert order.interval == "examples" and order.n == {"baseline_runs": 1, "candidate_runs": 1, "languages": 15}
    languages = report.select("contrast", name=order.name, task="xnli", language="de")
    assert len(languages) == 1 and languages[0].n["examples"] == 300


def test_with_two_runs_the_intervals_are_the_leaderboards(study_folder, registry):
    """The same draws as `leaderboard` (same seed, same stream per task and language) give the same intervals."""
    folders = [study_folder / "direct-s1", study_folder / "mnli10k"]
    study = study_runs(folders, registry, Design(group_by=(), correlate=()), resamples=300, seed=5)
    board = build_board([load_run(str(f), registry) for f in folders], registry, "xtreme", 300, 5)
    [comparison] = board.comparisons
    for language, delta in comparison.languages["xnli"].items():
        [estimate] = study.select("contrast", task="xnli", language=language)
        assert (estimate.value, estimate.low, estimate.high) == pytest.approx((delta.value, delta.low, delta.high))


def test_language_groups_and_the_correlation_with_pretraining_size(report, registry):
    name = "tiny mnli+squad interleaved vs tiny direct"
    per_language = {e.language: e.value for e in report.select("contrast", name=name, task="xnli") if e.language}
    groups = report.select("language_group", name=name, task="xnli", group_by="resource_class")
    for group in groups:
        codes = group.details["languages"]
        assert group.value == pytest.approx(np.mean([per_language[c] for c in codes])) and group.n["languages"] == len(
            codes
        )
        assert {str(registry.language(c).resource_class) for c in codes} == {group.group}
    assert sum(group.n["languages"] for group in groups) == 15
    [rho] = report.select("correlation", name=name, task="xnli", group_by="xlmr_cc100_gib")
    points = rho.details["points"]
    assert rho.value == pytest.approx(spearman([p[1] for p in points], [per_language[p[0]] for p in points]))
    assert rho.interval == "languages+examples" and -1 <= rho.low <= rho.value <= rho.high <= 1


def test_scaling_marks_where_the_gain_stops_being_significant(report):
    [fit] = report.select("fit", name="tiny mnli sequential", task="xnli")
    assert fit.details["sizes"] == [1000, 10000, 100000] and fit.value > 0 and fit.significant
    gains = {e.size: e for e in report.select("scaling", task="xnli", quantity="gain_over_previous")}
    assert gains[10000].significant and not gains[100000].significant  # 0.48 -> 0.40 -> 0.40 error rate
    assert fit.details["flattens_at"] == 100000
    assert len(report.select("scaling", task="xnli", quantity="gain_over_direct")) == 3


def test_seed_spread_next_to_the_example_spread(report, study_folder, registry):
    [seeds] = report.select("seeds", task="xnli")
    scores = [_task_score(study_folder / name, registry) for name in ("direct-s1", "direct-s2")]
    assert seeds.details["scores"] == pytest.approx(scores) and seeds.value == pytest.approx(np.std(scores, ddof=1))
    assert seeds.details["example_sd"] > 0 and seeds.details["larger"] in ("seeds", "examples")


def test_a_given_contrast_and_a_language_selection(study_folder, registry):
    sequential = Selector.parse("regime=sequential&intermediate=mnli,squad", "x")
    assert sequential.fields == {"regime": "sequential", "intermediate": ["mnli", "squad"]}
    args = ["study", *(str(study_folder / name) for name in ("mnli-squad", "interleaved", "direct-s1"))]
    args += [
        "--contrast",
        "regime=sequential",
        "regime=interleaved",
        "--languages",
        "resource_class=5",
        "--format",
        "json",
    ]
    result = run_main(*args, "--resamples", "200")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [c["name"] for c in document["design"]["contrasts"]] == ["regime=interleaved vs regime=sequential"]
    languages = {e["language"] for e in document["estimates"] if e["analysis"] == "contrast" and e["language"]}
    assert languages == {"ar", "de", "en", "es", "fr", "zh"} and document["design"]["languages"] == {
        "resource_class": [5]
    }


@pytest.mark.parametrize(
    ("design", "message"),
    [
        ("contrasts:\n  - baseline: {regime: sequential}\n", "contrasts[0].candidate must be a selector of runs"),
        ("contrasts:\n  - {baseline: {colour: red}, candidate: {}}\n", "contrasts[0].baseline.colour must be one of"),
        ("group_by: [continent]\n", "group_by must be a list of resource_class, family, script"),
        ("resamples: 5\n", "resamples must be a design key"),
        ("languages: {resource_class: [low]}\n", "languages.resource_class must be classes 0-5"),
    ],
)
def test_a_wrong_design_file_is_one_line_naming_the_field(study_folder, tmp_path: Path, design: str, message: str):
    path = tmp_path / "design.yaml"
    path.write_text(design)
    result = run_main("study", str(study_folder / "direct-s1"), "--design", str(path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert str(path) in result.stderr and message in result.stderr, result.stderr


def test_mistakes_on_the_command_line_are_one_line(study_folder, tmp_path: Path):
    twin = tmp_path / "twin"
    twin.mkdir()
    document = json.loads((study_folder / "direct-s1" / "results.json").read_text())
    (twin / "results.json").write_text(json.dumps(document | {"lineage": document["lineage"] | {"label": "twin"}}))
    for args, message in (
        ([str(study_folder / "direct-s1"), str(twin)], "same lineage and fine-tuning seed (1)"),
        ([str(study_folder / "direct-s1"), "--contrast", "colour=red", "direct"], "one of label, base"),
        ([str(study_folder / "direct-s1"), "--contrast", "size=big", "direct"], "'big' is not a size"),
        ([str(study_folder / "direct-s1"), "--languages", "family"], None),
        ([str(study_folder / "direct-s1"), "--group-by", "continent"], "group_by must be a list of"),
        ([str(study_folder / "direct-s1"), "--correlate", "cc100"], "no language has a 'cc100' size"),
    ):
        result = run_main("study", *args, "--resamples", "100", "--format", "json")
        if message is None:  # a language selection that keeps nothing: a study with nothing to estimate, said so
            assert result.returncode == 0 and "nothing to estimate" in json.loads(result.stdout)["notes"][-1]
            continue
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


def test_the_three_files_of_a_study(study_folder, tmp_path: Path):
    result = run_main(
        "study", *(str(p) for p in sorted(study_folder.iterdir())), "--output", str(tmp_path), "--resamples", "200"
    )
    assert result.returncode == 0 and result.stdout.count("\n") == 1, result.stderr
    report = StudyReport.read(tmp_path / "study.json")
    assert report.resamples == 200 and len(report.runs) == len(RATES)
    markdown = (tmp_path / "study.md").read_text()
    assert "interval includes 0 (no evidence of a difference)" in markdown and "flattens at" in markdown.lower()
    page = (tmp_path / "study.html").read_text()
    assert page.count("<svg") >= len(report.select("fit")) + 8 and "http" not in page.replace("http-equiv", "")


def test_intervals_do_not_depend_on_the_order_runs_are_given_in(study_folder, registry):
    folders = sorted(study_folder.iterdir())
    design = Design(group_by=(), correlate=(), scaling=False, seeds=False)
    forward = study_runs(folders, registry, design, resamples=100)
    backward = study_runs(folders[::-1], registry, design, resamples=100)
    assert [e.to_json() for e in forward.estimates] == [e.to_json() for e in backward.estimates]
    assert "6 of 7 conditions have one fine-tuning seed" in forward.notes[-1]


def test_runs_without_per_example_files_get_the_intervals_they_can(study_folder, tmp_path: Path):
    """results.json alone: no example draws, so contrasts have no interval and correlations resample languages only;
    the two direct seeds still give the seed spread. Every kind of interval has its words in the reports."""
    folders = []
    for name in ("direct-s1", "direct-s2", "mnli10k"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_bytes((study_folder / name / "results.json").read_bytes())
        folders.append(str(tmp_path / name))
    result = run_main("study", *folders, "--format", "json", "--resamples", "200")
    assert result.returncode == 0, result.stderr
    estimates = json.loads(result.stdout)["estimates"]
    kinds = {(e["analysis"], e["interval"]) for e in estimates if e["task"] is None and e["language"] is None}
    assert ("contrast", "none") in kinds and ("correlation", "languages") in kinds and ("seeds", "none") in kinds
    markdown = run_main("study", *folders, "--resamples", "200").stdout
    assert "bootstrap over languages only" in markdown and "no interval" in markdown
    assert set(INTERVAL_MEANINGS) == set(INTERVALS)


def test_a_design_name_that_is_not_text_names_the_field():
    with pytest.raises(XltBenchError, match=r"design.yaml: name must be a string, got \[1, 2\]"):
        Design.from_json({"name": [1, 2]}, "design.yaml")


def test_a_study_names_the_units_it_could_not_resample_by_example(study_folder, registry, tmp_path: Path):
    folders = [tmp_path / "direct-s1", tmp_path / "mnli10k"]
    for folder in folders:
        shutil.copytree(study_folder / folder.name, folder)
    gold = folders[1] / "labels" / "xnli" / "test-de.tsv"
    gold.write_text("\n".join(reversed(gold.read_text().splitlines())) + "\n")  # other examples than the baseline's
    study = study_runs(folders, registry, Design(group_by=(), correlate=()), resamples=100)
    assert "xtreme: no example-level interval for xnli/de: the runs scored different gold files" in study.notes


def test_conditions_that_differ_only_in_tags_are_told_how_to_contrast_them(registry, tmp_path: Path):
    """Two conditions differing only in an `eval --tag` are no contrast the runs imply: the note says which
    `--contrast` selects them, and that contrast then measures the difference."""
    gold = {"xnli": {lang: [random.Random(lang).choice(LABELS) for _ in range(200)] for lang in ("de", "sw")}}
    folders = []
    for value, rate in (("low", 0.5), ("high", 0.1)):
        predictions = {"xnli": {lang: corrupt(labels, rate, 3) for lang, labels in gold["xnli"].items()}}
        lineage = {"label": f"lr-{value}", "base": "tiny", "intermediate": ["mnli"], "tags": {"lr": value}}
        folders.append(str(write_run(tmp_path / value, registry, predictions, gold, **lineage)))
    result = run_main("study", *folders, "--format", "json", "--resamples", "200")
    assert result.returncode == 0, result.stderr
    [note] = [note for note in json.loads(result.stdout)["notes"] if note.startswith("nothing to estimate")]
    hint = "--contrast 'tags.lr=high' 'tags.lr=low'"
    assert "no two conditions to contrast" in note and "differ only in their tags, lr: high, low" in note
    assert hint in note and hint in result.stderr  # said on stderr too: a report written to files hides its notes
    contrasted = run_main(
        "study", *folders, "--format", "json", "--resamples", "200", "--contrast", "tags.lr=high", "tags.lr=low"
    )
    report = json.loads(contrasted.stdout)
    [estimate] = [
        e for e in report["estimates"] if e["analysis"] == "contrast" and e["task"] == "xnli" and not e["language"]
    ]
    assert estimate["value"] < -10 and estimate["significant"]  # candidate lr=low (more errors) minus lr=high
    # a condition without the tag is selected by its run's label
    untagged = {"label": "plain", "base": "tiny", "intermediate": ["mnli"]}
    predictions = {"xnli": {lang: corrupt(labels, 0.3, 4) for lang, labels in gold["xnli"].items()}}
    plain = str(write_run(tmp_path / "plain", registry, predictions, gold, **untagged))
    again = run_main("study", plain, folders[0], "--format", "json", "--resamples", "200")
    [note] = [note for note in json.loads(again.stdout)["notes"] if note.startswith("nothing to estimate")]
    assert "--contrast 'label=plain' 'tags.lr=low'" in note
