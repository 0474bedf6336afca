"""Leaderboard and compare: per-example decompositions, the paired bootstrap, tables, and the CI gate's exit codes.

Runs are built as `eval` leaves them (results.json + labels/ + predictions/ in the submission layout) from
synthetic predictions, so no model is needed here.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zlib
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from helpers import LABELS, corrupt, run_main, write_run

from xlt_bench.leaderboard.runs import load_run
from xlt_bench.leaderboard.significance import language_deltas, per_example_pair
from xlt_bench.registry import load_registry
from xlt_bench.run_folder import RunStore
from xlt_bench.samples import sample_lines


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_per_example_statistics_sum_to_the_official_values(registry, real_samples: Path):
    """For every metric, summing per-example statistics reproduces the score of the official rules."""
    mock = real_samples / "xtreme_mock_test_data"
    checked = 0
    for task in registry.suite_tasks("xtreme"):
        metric = registry.metric(task)
        for language in task.languages:
            where = (task.name, language, "test", metric.submission.extension)
            gold_path = task.submission.gold_path(mock / "labels", *where)
            pred_path = task.submission.prediction_path(mock / "predictions", *where)
            gold, predicted = metric.submission.read_gold(gold_path), metric.submission.read_predictions(pred_path)
            expected = metric.compute(gold, predicted, language=language)
            parts = metric.per_example(gold, predicted, language=language)
            summed = parts.reduce(np.asarray(parts.stats, dtype=float).sum(axis=0))
            assert {k: float(v) for k, v in summed.items()} == pytest.approx(expected, abs=1e-9), (task.name, language)
            checked += 1
    assert checked == sum(len(t.languages) for t in registry.suite_tasks("xtreme"))


@pytest.fixture(scope="module")
def xnli_gold() -> dict:
    rng = random.Random(0)
    languages = load_registry().task("xtreme/xnli").languages
    return {"xnli": {lang: [rng.choice(LABELS) for _ in range(400)] for lang in languages}}


def runs(tmp_path: Path, registry, gold: dict, rates: dict[str, float]) -> dict[str, Path]:
    made = {}
    for name, rate in rates.items():
        seeds = {lang: zlib.crc32(f"{name}/{lang}".encode()) for lang in gold["xnli"]}
        predictions = {"xnli": {lang: corrupt(labels, rate, seeds[lang]) for lang, labels in gold["xnli"].items()}}
        lineage = {"label": name, "base": "tiny", "intermediate": [] if name == "direct" else [name]}
        made[name] = write_run(tmp_path / name, registry, predictions, gold, **lineage)
    return made


def test_bootstrap_matches_plain_index_resampling(registry, xnli_gold, tmp_path: Path):
    folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.5, "mnli": 0.3})
    task = registry.task("xtreme/xnli")
    stores = [RunStore(folders[name], "test") for name in ("direct", "mnli")]
    pair = per_example_pair(*stores, task, "de", registry.metric(task))
    observed, pooled = language_deltas(pair, task, 4000, np.random.default_rng(1))
    base = np.asarray(pair[0].stats)[:, 0]
    cand = np.asarray(pair[1].stats)[:, 0]
    assert observed == pytest.approx(100 * (cand.mean() - base.mean()))
    rng = np.random.default_rng(2)
    draws = rng.integers(0, len(base), size=(4000, len(base)))
    plain = 100 * (cand[draws].mean(axis=1) - base[draws].mean(axis=1))
    assert np.percentile(pooled, [2.5, 50, 97.5]) == pytest.approx(np.percentile(plain, [2.5, 50, 97.5]), abs=0.6)


def test_the_bootstrap_reads_logged_statistics_with_the_numbers_of_re_scoring(registry, xnli_gold, tmp_path: Path):
    folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.5, "mnli": 0.3})
    task = registry.task("xtreme/xnli")
    metric = registry.metric(task)
    stores = [RunStore(folders[name], "test") for name in ("direct", "mnli")]
    rescored = per_example_pair(*stores, task, "de", metric)  # runs without logged statistics: re-scored
    gold = xnli_gold["xnli"]["de"]
    for store in stores:
        predictions = store.output_paths(task, metric.submission, "de")["predictions"]
        predicted = predictions.read_text().split()
        samples = [{"id": f"x{i}", "gold": g, "prediction": p} for i, (g, p) in enumerate(zip(gold, predicted))]
        lines = sample_lines(samples, metric, gold, predicted, "de", {})
        store.samples_path("xnli", "de").parent.mkdir(parents=True)
        store.samples_path("xnli", "de").write_text("".join(json.dumps(line) + "\n" for line in lines))
        predictions.unlink()  # what is read now is the samples log alone
    logged = per_example_pair(*stores, task, "de", metric)
    assert [list(side.units) for side in logged] == [list(side.units) for side in rescored]
    assert np.array_equal(logged[0].stats, rescored[0].stats) and np.array_equal(logged[1].stats, rescored[1].stats)
    observed, draws = language_deltas(logged, task, 1000, np.random.default_rng(3))
    expected, expected_draws = language_deltas(rescored, task, 1000, np.random.default_rng(3))
    assert observed == expected and np.array_equal(draws, expected_draws)


def test_leaderboard_groups_compares_and_marks_significance(registry, xnli_gold, tmp_path: Path):
    folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.5, "mnli": 0.2, "squad": 0.5})
    args = [str(folders[name]) for name in ("mnli", "direct", "squad")]
    result = run_main("leaderboard", *args, "--baselines", "xlmr_large_xtreme", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    labels = {run["id"]: run["label"] for run in data["runs"]}
    assert [labels[i] for i in data["groups"]["tiny"]] == ["direct", "mnli", "squad"]  # direct first
    assert [labels[c["candidate"]] for c in data["comparisons"]] == ["mnli", "squad"]
    mnli, squad = data["comparisons"]
    assert mnli["tasks"]["xnli"]["significant"] and mnli["tasks"]["xnli"]["delta"] > 10
    same = squad["tasks"]["xnli"]
    assert not same["significant"] and same["ci_low"] < 0 < same["ci_high"]
    assert len(mnli["languages"]["xnli"]) == 15 and mnli["overall"] is None  # the suite score needs all 9 tasks
    direct = next(run for run in data["runs"] if run["label"] == "direct")
    assert direct["tasks"]["xnli"]["complete"] and "udpos" not in direct["tasks"]
    published = next(run for run in data["runs"] if run["published"])
    assert published["score"] == pytest.approx((79.2 + 86.4 + 72.6 + 65.4 + 68.7 + 62.4 + 55.05 + 66.0 + 57.3) / 9)

    again = json.loads(run_main("leaderboard", *reversed(args), "--format", "json").stdout)
    by_label = {labels[c["candidate"]]: c for c in data["comparisons"]}
    again_labels = {run["id"]: run["label"] for run in again["runs"]}
    for comparison in again["comparisons"]:  # the same intervals whatever the order of the runs
        assert comparison["tasks"] == by_label[again_labels[comparison["candidate"]]]["tasks"]

    markdown = run_main("leaderboard", *args, "--baselines", "xlmr_large_xtreme").stdout
    assert "| xnli | " in markdown and "**+" in markdown and "XLM-R Large (Hu et al., 2020) †" in markdown
    assert "published, not measured here" in markdown and "#### xnli per language: mnli vs direct" in markdown
    rows = list(csv.DictReader(io.StringIO(run_main("leaderboard", *args, "--format", "csv").stdout)))
    deltas = [row for row in rows if row["kind"] == "delta" and row["run"] == "mnli" and row["language"] == ""]
    assert deltas[0]["task"] == "xnli" and deltas[0]["significant"] == "True"


def test_incomplete_tasks_show_their_partial_mean_marked_and_never_a_score(registry, xnli_gold, tmp_path: Path):
    partial = {"xnli": {lang: labels for lang, labels in list(xnli_gold["xnli"].items())[:3]}}
    partial["xnli"]["ar"] = corrupt(xnli_gold["xnli"]["ar"], 0.5, 1)  # ar, bg, de were run
    folder = write_run(tmp_path / "partial", registry, partial, xnli_gold, label="partial", base="tiny")
    run = load_run(str(folder), registry)
    assert run.tasks["xnli"].complete is False and run.tasks["xnli"].score is None and run.score is None
    ar = run.tasks["xnli"].languages["ar"]["accuracy"]
    assert run.tasks["xnli"].partial_average == {"accuracy": pytest.approx((ar + 200) / 3)}
    expected = f"{(ar + 200) / 3:.1f} (3/15: ar, bg, de)"  # the languages it covers, named
    markdown = run_main("leaderboard", str(folder)).stdout
    assert f"| {expected} |" in markdown and "is partial: the mean over the n languages run" in markdown
    assert f">{expected}</td>" in run_main("leaderboard", str(folder), "--format", "html").stdout
    data = json.loads(run_main("leaderboard", str(folder), "--format", "json").stdout)
    cell = data["runs"][0]["tasks"]["xnli"]
    assert cell["score"] is None and cell["partial_score"] == pytest.approx((ar + 200) / 3)
    rows = list(csv.DictReader(io.StringIO(run_main("leaderboard", str(folder), "--format", "csv").stdout)))
    assert {row["metric"]: row["value"] for row in rows if row["task"] == "xnli" and not row["language"]} == {
        "score": "",
        "partial score": str(cell["partial_score"]),
    }


def test_markdown_prints_the_per_language_table_of_every_task_it_points_to(registry, xnli_gold, tmp_path: Path):
    gold = {**xnli_gold, "pawsx": {lang: xnli_gold["xnli"][lang] for lang in ("de", "en", "es")}}
    folders = {}
    for name, rate in (("direct", 0.5), ("mnli", 0.2)):
        predictions = {
            task: {lang: corrupt(labels, rate, 7) for lang, labels in per.items()} for task, per in gold.items()
        }
        lineage = {"label": name, "base": "tiny", "intermediate": [] if name == "direct" else [name]}
        folders[name] = write_run(tmp_path / name, registry, predictions, gold, **lineage)
    markdown = run_main("leaderboard", str(folders["direct"]), str(folders["mnli"])).stdout
    assert "| pawsx (partial, 3/7: de, en, es) | " in markdown and "per language below" not in markdown
    assert "#### xnli per language: mnli vs direct" in markdown  # the first task with deltas, as before
    assert "#### pawsx per language: mnli vs direct" in markdown  # the task whose delta is partial


def _subset_runs(tmp_path: Path, registry, xnli_gold: dict, ran: dict[str, tuple[str, ...]], rates: dict) -> dict:
    """Runs of base tiny that scored xnli on some of its languages only; `direct` is the direct run."""
    folders = {}
    for name, languages in ran.items():
        gold = {"xnli": {lang: xnli_gold["xnli"][lang] for lang in languages}}
        predictions = {
            "xnli": {lang: corrupt(gold["xnli"][lang], rates[name], zlib.crc32(lang.encode())) for lang in languages}
        }
        lineage = {"label": name, "base": "tiny", "intermediate": [] if name.startswith("direct") else [name]}
        folders[name] = write_run(tmp_path / name, registry, predictions, gold, **lineage)
    return folders


def test_a_task_run_on_some_languages_gets_a_partial_delta_with_its_interval(registry, xnli_gold, tmp_path: Path):
    """A task incomplete in either run gets a delta and a paired-bootstrap interval over the languages both ran,
    marked partial with them in every format, and never a task delta or part of the suite delta."""
    from xlt_bench.leaderboard.significance import seeded

    ran = {"direct": ("ar", "bg", "de", "el", "en", "es", "sw"), "mnli": ("sw", "de")}
    folders = _subset_runs(tmp_path, registry, xnli_gold, ran, {"direct": 0.6, "mnli": 0.1})
    args = [str(folders["direct"]), str(folders["mnli"])]
    data = json.loads(run_main("leaderboard", *args, "--format", "json", "--resamples", "500").stdout)
    [comparison] = data["comparisons"]
    assert comparison["tasks"] == {} and comparison["overall"] is None  # never a task score or the suite's
    partial = comparison["partial"]["xnli"]
    assert partial["languages"] == ["de", "sw"] and partial["expected"] == 15  # in the task's order
    per_language = comparison["languages"]["xnli"]
    assert sorted(per_language) == ["de", "sw"]
    assert partial["delta"] == pytest.approx(np.mean([per_language[lang]["delta"] for lang in ("de", "sw")]))
    task = registry.task("xtreme/xnli")
    stores = [RunStore(folders[name], "test") for name in ("direct", "mnli")]
    draws = [
        language_deltas(
            per_example_pair(*stores, task, lang, registry.metric(task)), task, 500, seeded(0, "xnli", lang)
        )[1]
        for lang in ("de", "sw")
    ]
    low, high = np.percentile(np.mean(draws, axis=0), [2.5, 97.5])  # resampled language by language
    assert (partial["ci_low"], partial["ci_high"]) == pytest.approx((low, high)) and partial["significant"]

    markdown = run_main("leaderboard", *args, "--resamples", "500").stdout
    [row] = [line for line in markdown.splitlines() if line.startswith("| xnli (partial")]
    cells = _markdown_cells(row)
    assert cells[0].strip() == "xnli (partial, 2/15: de, sw)"
    assert cells[1].strip().endswith("(7/15: ar, bg, de, el, …)") and cells[2].strip().endswith("(2/15: de, sw)")
    assert cells[3].strip() == f"**{partial['delta']:+.1f}**" and cells[4].strip() == f"[{low:+.1f}, {high:+.1f}]"
    assert "its Δ is the mean of the per-language deltas over the n languages both runs scored" in markdown
    assert "#### xnli per language: mnli vs direct" in markdown

    page = run_main("leaderboard", *args, "--format", "html", "--resamples", "500").stdout
    assert "(partial, 2/15: de, sw)" in page and "(7/15: ar, bg, de, el, …)" in page
    assert f"xnli (partial): Δ {partial['delta']:+.1f}, 95% CI [{low:+.1f}, {high:+.1f}]" in page  # the bar
    assert page.count('class="whisker"') == 1 and "Partial: the mean Δ over the languages both runs scored" in page

    rows = list(csv.DictReader(io.StringIO(run_main("leaderboard", *args, "--format", "csv").stdout)))
    [delta] = [row for row in rows if row["kind"] == "delta" and row["language"] == ""]
    assert delta["metric"] == "partial delta vs direct" and delta["languages"] == "de,sw"
    assert float(delta["ci_low"]) > 0 and delta["significant"] == "True"
    scored = {row["run"]: row["languages"] for row in rows if row["metric"] == "partial score"}
    assert scored == {"direct": "ar,bg,de,el,en,es,sw", "mnli": "de,sw"}


def test_a_complete_task_against_a_partial_one_is_compared_over_the_shared_languages(registry, xnli_gold, tmp_path):
    languages = tuple(xnli_gold["xnli"])
    ran = {"direct": languages, "mnli": ("fr",)}
    folders = _subset_runs(tmp_path, registry, xnli_gold, ran, {"direct": 0.3, "mnli": 0.3})
    data = json.loads(run_main("leaderboard", *map(str, folders.values()), "--format", "json").stdout)
    [comparison] = data["comparisons"]
    assert list(comparison["partial"]) == ["xnli"] and comparison["partial"]["xnli"]["languages"] == ["fr"]
    assert comparison["partial"]["xnli"]["delta"] == pytest.approx(comparison["languages"]["xnli"]["fr"]["delta"])
    assert comparison["partial"]["xnli"]["ci_low"] is not None and "xnli" not in comparison["tasks"]


def test_two_direct_runs_get_deltas_against_the_first(registry, xnli_gold, tmp_path: Path):
    folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.5})
    seeds = {lang: zlib.crc32(f"again/{lang}".encode()) for lang in xnli_gold["xnli"]}
    predictions = {"xnli": {lang: corrupt(labels, 0.2, seeds[lang]) for lang, labels in xnli_gold["xnli"].items()}}
    again = write_run(tmp_path / "again", registry, predictions, xnli_gold, label="again", base="tiny", intermediate=[])
    args = [str(folders["direct"]), str(again)]
    data = json.loads(run_main("leaderboard", *args, "--format", "json").stdout)
    labels = {run["id"]: run["label"] for run in data["runs"]}
    [comparison] = data["comparisons"]
    assert (labels[comparison["direct"]], labels[comparison["candidate"]]) == ("direct", "again")
    assert comparison["training"] == "direct" and comparison["tasks"]["xnli"]["significant"]
    assert comparison["tasks"]["xnli"]["delta"] > 10 and len(comparison["languages"]["xnli"]) == 15
    assert "tiny: several direct runs; deltas are against the first, direct" in data["notes"]  # the reference, said
    markdown = run_main("leaderboard", *args).stdout
    assert (
        "### tiny: again (direct) vs direct (direct)" in markdown
        and "| task | direct | again | Δ | 95% CI |" in markdown
    )
    assert "| xnli | " in markdown and "several direct runs; deltas are against the first, direct" in markdown
    page = run_main("leaderboard", *args, "--format", "html").stdout
    assert "Runs against direct training" in page and "again (direct) vs direct (direct)" in page


def _markdown_cells(row: str) -> list[str]:
    """The cells of a Markdown table row, split at the pipes that are not backslash-escaped."""
    cells, cell, escaped = [], "", False
    for char in row.strip()[1:-1]:
        if char == "|" and not escaped:
            cells.append(cell)
            cell = ""
            continue
        cell += char
        escaped = char == "\\" and not escaped
    return [*cells, cell]


def test_labels_are_inert_in_markdown_csv_and_html(registry, xnli_gold, tmp_path: Path):
    """Run labels and names are user input: no HTML or broken table rows in Markdown, no formulas in CSV."""
    evil = '<script>x</script>|=HYPERLINK("http://e")'
    formula = '=HYPERLINK("http://e")|*bold* [x](y) \\|\nsecond line'
    folders = {}
    for name, label, rate in (("direct", evil, 0.2), ("mnli", formula, 0.5)):
        seeds = {lang: zlib.crc32(f"{name}/{lang}".encode()) for lang in xnli_gold["xnli"]}
        predictions = {"xnli": {lang: corrupt(gold, rate, seeds[lang]) for lang, gold in xnli_gold["xnli"].items()}}
        lineage = {"label": label, "base": "-tiny_<b>", "intermediate": [] if name == "direct" else [name]}
        folders[name] = write_run(tmp_path / name, registry, predictions, xnli_gold, **lineage)
    args = [str(folders["direct"]), str(folders["mnli"])]

    markdown = run_main("leaderboard", *args).stdout
    assert "<script>" not in markdown and "<b>" not in markdown and "*bold*" not in markdown
    assert '\\<script\\>x\\</script\\>\\|=HYPERLINK("http://e")' in markdown
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| run |"))
    header, table = lines[start], lines[start + 2 : start + 4]
    assert lines[start + 4] == "" and len(_markdown_cells(header)) == 3 + len(registry.suite("xtreme").tasks) + 1
    assert [len(_markdown_cells(row)) for row in table] == [len(_markdown_cells(header))] * 2
    assert "\\*bold\\* \\[x\\](y) \\\\\\| second line" in markdown  # the newline became a space
    assert all(len(_markdown_cells(line)) == 5 for line in markdown.splitlines() if line.startswith("| xnli |"))

    rows = list(csv.DictReader(io.StringIO(run_main("leaderboard", *args, "--format", "csv").stdout)))
    assert {row["run"] for row in rows} == {evil, "'" + formula}  # only the label starting with = is prefixed
    assert {row["base"] for row in rows} == {"'-tiny_<b>"} and {row["training"] for row in rows} >= {"'+mnli"}
    [delta] = [row for row in rows if row["kind"] == "delta" and row["task"] == "xnli" and not row["language"]]
    assert float(delta["value"]) < 0 and float(delta["ci_low"]) < 0  # numbers stay numbers: -12.3, not '-12.3
    assert all(not row[column].startswith("'") for row in rows for column in ("value", "ci_low", "ci_high"))

    page = run_main("leaderboard", *args, "--format", "html").stdout
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;|=HYPERLINK" in page


class TestCompare:
    def gate(self, *args: str):
        return run_main("compare", *args)

    def test_no_regression_is_exit_0(self, registry, xnli_gold, tmp_path: Path):
        folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.3})
        result = self.gate(str(folders["direct"]), str(folders["direct"]))
        assert result.returncode == 0 and "no regression" in result.stdout

    def test_significant_drop_is_exit_1_and_named(self, registry, xnli_gold, tmp_path: Path):
        folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.1, "worse": 0.6})
        result = self.gate(str(folders["direct"]), str(folders["worse"]), "--junit", str(tmp_path / "junit.xml"))
        assert result.returncode == 1
        assert "| xnli |" in result.stdout and "REGRESSION" in result.stdout
        suite = ElementTree.parse(tmp_path / "junit.xml").getroot()
        assert suite.get("tests") == "1" and suite.get("failures") == "1"
        assert suite.find("testcase").find("failure").get("message").startswith("xnli fell by")
        per_language = self.gate(str(folders["direct"]), str(folders["worse"]), "--per-language", "--format", "json")
        report = json.loads(per_language.stdout)
        assert per_language.returncode == 1 and len(report["units"]) == 15 and len(report["regressions"]) == 15

    def test_a_drop_must_also_be_significant_unless_either(self, registry, xnli_gold, tmp_path: Path):
        folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.30})
        # the same predictions with, per language, 20 right answers made wrong and 18 wrong ones made right:
        # a net drop of 0.5 points, but from so few discordant examples that it is not significant
        noisy = {}
        for lang, labels in xnli_gold["xnli"].items():
            predicted = (folders["direct"] / "predictions" / "xnli" / f"test-{lang}.tsv").read_text().split()
            right = [i for i, (p, g) in enumerate(zip(predicted, labels)) if p == g]
            wrong = [i for i, (p, g) in enumerate(zip(predicted, labels)) if p != g]
            for i in right[:20]:
                predicted[i] = next(label for label in LABELS if label != labels[i])
            for i in wrong[:18]:
                predicted[i] = labels[i]
            noisy[lang] = predicted
        lineage = {"label": "noisy", "base": "tiny", "intermediate": ["x"]}
        folders["noisy"] = write_run(tmp_path / "noisy", registry, {"xnli": noisy}, xnli_gold, **lineage)
        both = self.gate(str(folders["direct"]), str(folders["noisy"]), "--tolerance", "0.1", "--format", "json")
        report = json.loads(both.stdout)
        unit = report["units"][0]
        assert unit["delta"] == pytest.approx(-0.5) and not unit["significant"]
        assert both.returncode == 0
        either = self.gate(str(folders["direct"]), str(folders["noisy"]), "--tolerance", "0.1", "--rule", "either")
        assert either.returncode == 1

    def test_published_baseline_compares_task_scores_without_intervals(self, registry, xnli_gold, tmp_path: Path):
        folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.5})  # about 67% accuracy, below XLM-R's 79.2
        result = self.gate("xlmr_large_xtreme", str(folders["direct"]), "--format", "json")
        report = json.loads(result.stdout)
        unit = report["units"][0]
        assert result.returncode == 1 and unit["ci_low"] is None and unit["baseline"] == 79.2

    def test_nothing_comparable_is_exit_3_and_bad_input_exit_2(self, registry, xnli_gold, tmp_path: Path):
        folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.3})
        nothing = self.gate("xlmr_large_xtreme", str(folders["direct"]), "--tasks", "udpos")
        assert nothing.returncode == 3 and "nothing comparable" in nothing.stderr
        assert self.gate("xlmr_large_xtreme", str(folders["direct"]), "--per-language").returncode == 3
        missing = self.gate(str(tmp_path / "nope"), str(folders["direct"]))
        assert missing.returncode == 2 and "no such run folder, results file or baseline" in missing.stderr
        (tmp_path / "broken.json").write_text("{not json")
        broken = self.gate(str(tmp_path / "broken.json"), str(folders["direct"]))
        assert broken.returncode == 2 and "broken.json:1: invalid JSON" in broken.stderr
        assert run_main("compare", "only-one").returncode == 2

    def test_tasks_run_on_shared_languages_are_compared_there_marked_partial(self, registry, xnli_gold, tmp_path):
        ran = {"direct": ("de", "sw"), "worse": ("sw", "de"), "same": ("de", "sw")}
        folders = _subset_runs(tmp_path, registry, xnli_gold, ran, {"direct": 0.1, "worse": 0.6, "same": 0.1})
        junit = tmp_path / "junit.xml"
        result = self.gate(str(folders["direct"]), str(folders["worse"]), "--junit", str(junit))
        assert result.returncode == 1, result.stderr  # a measured regression, not "nothing comparable"
        [row] = [line for line in result.stdout.splitlines() if line.startswith("| xnli")]
        assert row.startswith("| xnli (partial, 2/15: de, sw) |") and row.endswith("| REGRESSION |")
        assert "Note: partial: 1 task(s) not complete in both runs are compared over the languages both scored" in (
            result.stdout
        )
        assert "(xnli: de, sw)" in result.stdout and "--per-language compares each language" in result.stdout
        case = ElementTree.parse(junit).getroot().find("testcase")
        assert case.get("name") == "partial score (de, sw)"
        assert case.find("failure").get("message").startswith("xnli (partial, 2/15: de, sw) fell by")
        report = json.loads(self.gate(str(folders["direct"]), str(folders["worse"]), "--format", "json").stdout)
        [unit] = report["units"]
        assert unit["partial"] and unit["languages"] == ["de", "sw"] and unit["expected"] == 15
        assert report["regressions"] == ["xnli"] and unit["ci_high"] < 0 and report["notes"]
        board = json.loads(
            run_main("leaderboard", str(folders["direct"]), str(folders["worse"]), "--format", "json").stdout
        )
        assert unit["delta"] == pytest.approx(board["comparisons"][0]["partial"]["xnli"]["delta"])  # the board's
        before = np.mean([board["runs"][0]["tasks"]["xnli"]["languages"][lang] for lang in ("de", "sw")])
        assert unit["baseline"] == pytest.approx(before)
        same = self.gate(str(folders["direct"]), str(folders["same"]))
        assert same.returncode == 0 and "no regression" in same.stdout and "xnli (partial, 2/15: de, sw)" in same.stdout

    def test_nothing_shared_is_still_exit_3(self, registry, xnli_gold, tmp_path: Path):
        folders = _subset_runs(
            tmp_path, registry, xnli_gold, {"direct": ("de",), "mnli": ("sw",)}, {"direct": 0.1, "mnli": 0.1}
        )
        result = self.gate(str(folders["direct"]), str(folders["mnli"]))
        assert (
            result.returncode == 3 and "nothing comparable: no task has a language scored in both runs" in result.stderr
        )


def test_a_removed_file_of_a_scored_unit_is_an_error_not_a_silently_missing_interval(tmp_path: Path):
    from xlt_bench.errors import XltBenchError

    registry = load_registry()
    task = registry.task("xnli", "xtreme")
    gold = {"xnli": {"de": list(LABELS) * 4}}
    stores = []
    for name, seed in (("direct", 1), ("intermediate", 2)):
        folder = write_run(tmp_path / name, registry, {"xnli": {"de": corrupt(gold["xnli"]["de"], 0.5, seed)}}, gold)
        store = RunStore(folder, "test")
        store.fragment_path("xnli", "de").parent.mkdir(parents=True)
        store.fragment_path("xnli", "de").write_text("{}")  # the unit was scored here
        stores.append(store)
    assert per_example_pair(*stores, task, "de", registry.metric(task)) is not None
    labels = tmp_path / "intermediate" / "labels" / "xnli" / "test-de.tsv"
    labels.unlink()
    with pytest.raises(XltBenchError, match=rf"^{labels}: missing, though .*intermediate scored xnli/de"):
        per_example_pair(*stores, task, "de", registry.metric(task))


def test_the_board_names_every_delta_shown_without_an_interval_and_why(registry, xnli_gold, tmp_path: Path):
    folders = runs(tmp_path, registry, xnli_gold, {"direct": 0.5, "mnli": 0.3})
    other_gold = tmp_path / "mnli" / "labels" / "xnli" / "test-de.tsv"
    lines = other_gold.read_text().splitlines()
    other_gold.write_text("\n".join(reversed(lines)) + "\n")  # the same labels in another order: other examples
    board = json.loads(run_main("leaderboard", *map(str, folders.values()), "--format", "json").stdout)
    assert "mnli vs direct: no interval for xnli/de: the runs scored different gold files" in board["notes"]
    assert not any("xnli/en" in note for note in board["notes"])  # paired: it has its interval
