"""The study report: `study.json` read and written (`StudyReport`), its Markdown for CI comments and its HTML page
(string checks, then the page in headless Chromium: no console errors, plots where the numbers say, sorting)."""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest
from helpers import assert_no_console_errors, load_page

from xlt_bench.errors import XltBenchError
from xlt_bench.leaderboard.study.render_html import to_html
from xlt_bench.leaderboard.study.render_markdown import to_markdown
from xlt_bench.leaderboard.study.report import Estimate, StudyReport
from xlt_bench.leaderboard.study.summary import SHAPE_RULE, Names, curve_shape
from xlt_bench.leaderboard.svg_plot import LABEL_OFFSETS, Box, Mark, Scale, label_box, place_labels, tick_text, xy_plot

EVIL = "seq <script>alert(1)</script>"
EVIL_TASK = "x<script>alert(2)</script>"
CONTRAST = "interleaved vs sequential"
CURVE = "sequential mnli"


def _contrast(task, value, low=None, high=None, language=None, interval="examples+seeds", **n):
    counts = {"baseline_runs": 1, "candidate_runs": 2, "languages": 3} | n
    return Estimate(
        analysis="contrast",
        name=CONTRAST,
        suite="mini",
        quantity="delta",
        value=value,
        low=low,
        high=high,
        interval="none" if low is None else interval,
        task=task,
        language=language,
        n=counts,
        details={"baseline": "sequential mnli → squad", "candidate": f"interleaved <{EVIL}>"},
    )


def _group(group_by, group, languages, value, low, high, task=None):
    return Estimate(
        analysis="language_group",
        name=CONTRAST,
        suite="mini",
        quantity="mean_delta",
        value=value,
        low=low,
        high=high,
        interval="examples+seeds",
        task=task,
        group_by=group_by,
        group=group,
        n={"languages": len(languages)},
        details={"languages": languages},
    )


def _scaling(quantity, size, value, low, high):
    return Estimate(
        analysis="scaling",
        name=CURVE,
        suite="mini",
        quantity=quantity,
        value=value,
        low=low,
        high=high,
        interval="examples",
        size=size,
    )


SCORES = {  # size: score, low, high
    1_000: (61.3, 60.1, 62.5),
    10_000: (63.6, 62.4, 64.8),
    50_000: (65.0, 63.9, 66.1),
    100_000: (65.2, 64.0, 66.4),
}
PLOTS = 5  # contrast forest, two language-group forests (resource_class, script), one scatter, one scaling curve
# (no overview of contrasts: the one contrast's table and plot have its suite mean)


def _report() -> StudyReport:
    """Four runs and every analysis: significant and non-significant differences of both signs, rows without an
    interval, a label and a task name that try to inject a script."""
    lineage = {"label": None, "base": "xlmr", "intermediate": [], "intermediate_sizes": {}, "regime": None}
    runs = [
        {"id": "r0", "label": "xlmr-direct", "suite": "mini", "condition": "direct", "lineage": lineage},
        {
            "id": "r1",
            "label": EVIL,
            "suite": "mini",
            "condition": "sequential",
            "lineage": lineage
            | {
                "intermediate": ["mnli", "squad"],
                "intermediate_sizes": {"mnli": 50_000},
                "regime": "sequential",
                "train_seed": 1,
                "tags": {"lr": "1e-5"},
            },
        },
        *(
            {
                "id": f"r{seed + 1}",
                "label": f"xlmr-inter-s{seed}",
                "suite": "mini",
                "condition": "interleaved",
                "lineage": lineage | {"intermediate": ["mnli", "squad"], "regime": "interleaved", "train_seed": seed},
            }
            for seed in (1, 2)
        ),
    ]
    scaling = []
    previous = None
    for size, (score, low, high) in SCORES.items():
        scaling.append(_scaling("score", size, score, low, high))
        scaling.append(_scaling("gain_over_direct", size, score - 58.0, low - 58.5, high - 57.5))
        if previous is not None:
            gain = score - previous
            scaling.append(_scaling("gain_over_previous", size, gain, gain - 1.0, gain + 1.0))
        previous = score
    estimates = [
        _contrast("xnli", 1.23, -0.40, 2.86),
        _contrast("panx", 2.5, 0.8, 4.1),
        _contrast(EVIL_TASK, -1.1, -2.0, -0.2),
        _contrast(None, 0.88, -0.1, 1.9),
        _contrast("xnli", 1.0, 0.2, 1.8, language="en", interval="examples", examples=5010),
        _contrast("xnli", 1.5, -0.3, 3.3, language="sw", interval="examples", examples=5010),
        _contrast("panx", 2.5, language="sw"),
        _group("resource_class", "high", ["de", "en"], 0.7, 0.1, 1.3),
        _group("resource_class", "low", ["sw", "yo"], 1.9, -0.2, 4.0),
        _group("resource_class", "low", ["sw"], 1.5, -0.3, 3.3, task="xnli"),
        _group("script", "Latin", ["de", "en", "sw", "yo"], 1.3, 0.2, 2.4),
        Estimate(
            analysis="correlation",
            name=CONTRAST,
            suite="mini",
            quantity="spearman",
            value=-0.8,
            low=-1.0,
            high=-0.2,
            interval="languages+examples",
            group_by="xlmr_cc100_gib",
            n={"languages": 5},
            details={
                "points": [["en", 300.8, 0.5], ["de", 66.6, 0.9], ["sw", 1.6, 2.1], ["yo", 0.1, 2.9], ["zu", 0, 1.2]]
            },
        ),
        *scaling,
        Estimate(
            analysis="fit",
            name=CURVE,
            suite="mini",
            quantity="slope_per_10x",
            value=2.1,
            low=0.9,
            high=3.3,
            interval="examples",
            details={"intercept": 55.0, "r2": 0.93, "flattens_at": 50_000, "direct_score": 58.0},
        ),
        Estimate(
            analysis="seeds",
            name="interleaved",
            suite="mini",
            quantity="seed_sd",
            value=0.8,
            low=0.3,
            high=1.2,
            interval="seeds",
            n={"seeds": 3},
            details={"scores": [70.1, 71.2, 69.9], "labels": ["s1", "s2", EVIL], "example_sd": 0.5},
        ),
        Estimate(
            analysis="seeds",
            name="sequential",
            suite="mini",
            quantity="seed_sd",
            value=0.2,
            task="xnli",
            details={"scores": [70.0, 70.3], "labels": ["a", "b"], "example_sd": 0.6},
        ),
    ]
    return StudyReport(
        design={"contrasts": [{"name": CONTRAST}]},
        runs=runs,
        estimates=estimates,
        resamples=1000,
        seed=0,
        notes=[f"run {EVIL} has no samples for panx: seeds-only intervals"],
        xlt_bench_version="0.9.0",
        created="2024-05-01T12:00:00Z",
    )


@pytest.fixture
def report() -> StudyReport:
    return _report()


# study.json


def test_json_round_trip(report, tmp_path):
    document = json.loads(json.dumps(report.to_json()))
    assert StudyReport.from_json(document, "study.json") == report
    path = tmp_path / "study.json"
    path.write_text(json.dumps(report.to_json()), encoding="utf-8")
    assert StudyReport.read(path) == report
    assert document["estimates"][1]["significant"] is True and document["estimates"][0]["significant"] is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["estimates"][3].update(ci_low="low"), "estimates[3].ci_low must be a finite number or null"),
        (lambda d: d["estimates"][0].update(analysis="anova"), "estimates[0].analysis must be one of contrast"),
        (lambda d: d["estimates"][2].update(interval="bootstrap"), "estimates[2].interval must be one of examples"),
        (lambda d: d["estimates"][1].update(size="50k"), "estimates[1].size must be an integer"),
        (lambda d: d["estimates"][4].pop("name"), "estimates[4].name must be a string"),
        (lambda d: d.update(resamples="1000"), "resamples must be an integer"),
        (lambda d: d.update(runs={}), "runs must be a list"),
        (lambda d: d.update(schema=2), "study schema 2 is newer than this xlt-bench reads"),
    ],
)
def test_malformed_field_is_one_line_naming_it(report, change, message):
    document = json.loads(json.dumps(report.to_json()))
    change(document)
    with pytest.raises(XltBenchError) as error:
        StudyReport.from_json(document, "runs/study.json")
    assert str(error.value).startswith("runs/study.json: ") and message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_value_that_is_not_finite_is_refused(report):
    document = report.to_json()
    document["estimates"][0]["value"] = float("nan")
    with pytest.raises(XltBenchError, match=r"estimates\[0\]\.value must be a finite number"):
        StudyReport.from_json(document, "study.json")


# Markdown


def _row(markdown: str, start: str) -> str:
    """The one table row that starts with `start`."""
    (row,) = [line for line in markdown.splitlines() if line.startswith(start)]
    return row


def test_markdown_values_intervals_and_verdicts(report):
    text = to_markdown(report)
    assert "| xnli | +1.23 [−0.40, +2.86] | interval includes 0 (no evidence of a difference) | 3 |" in text
    assert _row(text, "| panx | +2.50 [+0.80, +4.10] |").endswith("| interval excludes 0 | 3 |")
    assert "−1.10 [−2.00, −0.20] | interval excludes 0" in text  # a significant negative delta
    assert "| suite mean | +0.88 [−0.10, +1.90] | interval includes 0" in text
    assert "| panx | sw | +2.50 (no interval) | no interval | – |" in text
    assert "| 5 | −0.80 [−1.00, −0.20] | interval excludes 0" in text  # the correlation, over 5 languages
    fit = "slope +2.10 [+0.90, +3.30] points per 10× data (interval excludes 0), r² 0.93 | flattens at 100k | 58.00 |"
    assert fit in text  # 10k and 50k gain significantly, 100k does not: the study.json's flattens_at is not read
    assert _row(text, "| suite mean | 100k |").endswith("| +0.20 [−0.80, +1.20] | +7.20 [+5.50, +8.90] * |")
    assert _row(text, "| interleaved | suite mean |").endswith("| 0.80 [0.30, 1.20] | 0.50 | seeds |")
    assert _row(text, "| sequential | xnli |").endswith("| 0.20 (no interval) | 0.60 | examples |")
    verdicts = re.findall(r"\[([−+]\d+\.\d+), ([−+]\d+\.\d+)\] \| interval (\w+)", text)
    assert len(verdicts) == 11  # 4 contrast, 2 per-language, 4 group and 1 correlation rows
    for low, high, says in verdicts:  # a row whose interval includes 0 never claims a difference
        low, high = (float(x.replace("−", "-")) for x in (low, high))
        assert says == ("includes" if low <= 0 <= high else "excludes"), (low, high, says)


def test_markdown_says_which_interval_every_table_shows(report):
    text = to_markdown(report)
    tables = len(re.findall(r"^\|---", text, re.MULTILINE))
    said = len(re.findall(r"^95% intervals over ", text, re.MULTILINE))
    assert tables == said == 7  # contrast, its languages, groups, correlations, scaling points, fit, seeds
    assert "95% intervals over examples+seeds: paired bootstrap over examples and over the seeds" in text
    assert "95% intervals over examples: paired bootstrap over examples." in text
    assert "95% intervals over seeds: bootstrap over seeds only" in text
    assert "95% intervals over languages+examples:" in text
    assert "Intervals are 95%, from 1000 bootstrap resamples (seed 0)." in text


def test_markdown_header_languages_and_escaping(report):
    text = to_markdown(report)
    assert "## Runs read (4)" in text
    assert "intermediate mnli:50k → squad; regime sequential; seed 1; lr=1e-5" in text
    assert "<script>" not in text and "\\<script\\>alert(1)\\</script\\>" in text
    assert "run seq \\<script\\>alert(1)\\</script\\> has no samples for panx" in text
    details = text[text.index("<details>") : text.index("</details>")]
    assert "| xnli | en | +1.00 [+0.20, +1.80] | interval excludes 0 | 5010 |" in details
    assert "| xnli | +1.23" not in details  # task rows stay in the main table


def test_markdown_is_deterministic(report):
    text = to_markdown(report)
    assert to_markdown(_report()) == text
    assert to_markdown(StudyReport.from_json(json.loads(json.dumps(report.to_json())), "study.json")) == text


def test_markdown_of_a_report_without_estimates():
    empty = StudyReport(design={}, runs=[], estimates=[], resamples=1000, seed=0)
    assert to_markdown(empty).startswith("# Study report\n") and "## " not in to_markdown(empty)


# HTML, as a string


def test_html_escaping_and_no_external_resources(report):
    page = to_html(report)
    assert EVIL not in page and EVIL_TASK not in page
    assert html.escape(EVIL) in page and html.escape(EVIL_TASK) in page
    assert page.count("<script") == 1
    assert not re.search(r"https?://", page) and "src=" not in page
    assert "@import" not in page and "url(" not in page and "<link" not in page


def test_html_one_svg_per_plot_each_with_title_and_axes(report):
    page = to_html(report)
    svgs = re.findall(r"<svg .*?</svg>", page, re.DOTALL)
    assert len(svgs) == page.count("<svg") == PLOTS
    for svg in svgs:
        assert re.match(r'<svg [^>]*role="img"[^>]*><title>[^<]+</title>', svg)
        assert 'class="axis-label"' in svg and 'class="tick"' in svg
    assert sum('class="zero"' in svg for svg in svgs) == 4  # every Δ plot has its zero line
    assert page.count("<figcaption>") == PLOTS


def test_html_is_deterministic(report):
    assert to_html(report) == to_html(_report())


# HTML, in a browser


OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture
def page(driver, report, tmp_path):
    """The page loaded from a file:// URL, its folded details opened; console errors at load time fail the test."""
    loaded = load_page(driver, to_html(report), tmp_path / "study.html")
    loaded.execute_script(OPEN_DETAILS)
    return loaded


def _box(driver, element) -> dict:
    return driver.execute_script("const b = arguments[0].getBoundingClientRect(); return b.toJSON()", element)


def _centre_x(driver, element) -> float:
    box = _box(driver, element)
    return box["x"] + box["width"] / 2


def test_plots_render(page):
    from selenium.webdriver.common.by import By

    svgs = page.find_elements(By.CSS_SELECTOR, "svg.plot")
    assert len(svgs) == PLOTS
    for svg in svgs:
        box = _box(page, svg)
        assert box["width"] > 100 and box["height"] > 50
    assert page.execute_script("return document.querySelectorAll('script').length") == 1
    assert EVIL in page.find_element(By.CSS_SELECTOR, "table.runs").text


def test_forest_plot_points_sit_where_the_numbers_say(page):
    from selenium.webdriver.common.by import By

    forest = page.find_element(By.CSS_SELECTOR, "#contrasts svg.forest.tasks")
    zero = _centre_x(page, forest.find_element(By.CSS_SELECTOR, "line.zero"))
    points = {float(p.get_attribute("data-value")): p for p in forest.find_elements(By.CSS_SELECTOR, "circle.point")}
    assert sorted(points) == [-1.1, 0.88, 1.23, 2.5]
    assert "filled" in points[2.5].get_attribute("class") and _centre_x(page, points[2.5]) > zero + 10
    assert "filled" in points[-1.1].get_attribute("class") and _centre_x(page, points[-1.1]) < zero - 10
    assert "hollow" in points[1.23].get_attribute("class") and "hollow" in points[0.88].get_attribute("class")
    xs = [_centre_x(page, points[value]) for value in sorted(points)]
    assert xs == sorted(xs)  # larger deltas further right
    fill = "return getComputedStyle(arguments[0]).fill"
    assert page.execute_script(fill, points[2.5]) != page.execute_script(fill, points[1.23])
    assert len(forest.find_elements(By.CSS_SELECTOR, ".whisker")) == 4


def test_scaling_plot_has_fit_direct_line_and_flattening(page):
    from selenium.webdriver.common.by import By

    plot = page.find_element(By.CSS_SELECTOR, "#scaling svg.xy")
    fit = _box(page, plot.find_element(By.CSS_SELECTOR, "line.fit"))
    assert fit["width"] > 100 and fit["height"] > 10  # rising from left to right across the points
    points = sorted(plot.find_elements(By.CSS_SELECTOR, "circle.point"), key=lambda p: _centre_x(page, p))
    assert len(points) == len(SCORES)
    flattening = _centre_x(page, plot.find_element(By.CSS_SELECTOR, "line.flattening"))
    assert abs(flattening - _centre_x(page, points[3])) < 1  # at 100k: the first gain that is not significant
    assert "flattens at 100k" in plot.text
    direct = _box(page, plot.find_element(By.CSS_SELECTOR, "line.reference"))
    assert all(_box(page, p)["y"] < direct["y"] for p in points)  # the direct score (58) is below every point
    assert "direct 58.00" in plot.text


def test_scatter_plot_has_a_point_per_language(page):
    from selenium.webdriver.common.by import By

    plot = page.find_element(By.CSS_SELECTOR, "#correlations svg.xy")
    points = plot.find_elements(By.CSS_SELECTOR, "circle.point")
    assert len(points) == 4
    by_x = sorted(points, key=lambda p: _centre_x(page, p))
    assert [float(p.get_attribute("data-value")) for p in by_x] == [2.9, 2.1, 0.9, 0.5]  # yo, sw, de, en by size
    caption = page.find_element(By.CSS_SELECTOR, "#correlations figcaption").text
    assert "Spearman ρ = −0.80 [−1.00, −0.20]" in caption and "languages+examples" in caption
    assert "Not plotted: 1 language(s) without a positive size" in caption  # zu: a log axis has no place for 0


def _column(table, index: int) -> list[str]:
    return [
        row.find_elements("css selector", "td")[index].text for row in table.find_elements("css selector", "tbody tr")
    ]


def test_tables_sort_on_click(page):
    from selenium.webdriver.common.by import By

    table = page.find_element(By.CSS_SELECTOR, "table.contrast")
    header = table.find_elements(By.CSS_SELECTOR, "thead th")[1]  # Δ
    header.click()
    assert _column(table, 0) == [EVIL_TASK, "xnli", "panx"]
    header.click()
    assert _column(table, 0) == ["panx", "xnli", EVIL_TASK]
    assert table.find_element(By.CSS_SELECTOR, "tfoot").text.startswith("suite mean")  # never sorted
    groups = page.find_element(By.CSS_SELECTOR, "table.groups")
    groups.find_elements(By.CSS_SELECTOR, "thead th")[3].click()  # mean Δ
    assert _column(groups, 3) == ["+0.70*", "+1.50", "+1.90"]
    assert_no_console_errors(page)


# SVG plot layout


def test_ticks_are_round_and_inside_the_scale():
    assert Scale(low=800, high=120_000, start=0, end=100, log=True).ticks() == [1_000, 10_000, 100_000]
    assert Scale(low=0.4, high=3, start=0, end=100, log=True).ticks() == [0.5, 1, 2]  # under a decade: 1-2-5
    assert Scale(low=-2.3, high=4.4, start=0, end=100).ticks() == [-2, 0, 2, 4]
    assert Scale(low=-2.3, high=4.4, start=100, end=0)(4.4) == 0  # pixels may run downwards (y axes)
    assert tick_text(-2.5) == "−2.5" and tick_text(0.0) == "0"


# issue 20: the page of a one-task suite, axis labels, ticks, label placement, the summary, flattening

UDPOS = "udpos"
DEMO_SIZES = (56, 112, 225)


def _solo(estimate: Estimate, task: str | None = UDPOS) -> Estimate:
    return dataclasses.replace(estimate, suite="solo", task=task)


def _curve(gains: dict[int, tuple[float, float, float]], task: str | None = UDPOS) -> list[Estimate]:
    """A scaling curve of the demo's sizes with the given gains over the next smaller size (size: value, low, high)."""
    found = [_solo(_scaling("score", size, 18.0 + i, 17.0 + i, 19.0 + i), task) for i, size in enumerate(DEMO_SIZES)]
    found += [_solo(_scaling("gain_over_previous", size, *gain), task) for size, gain in gains.items()]
    fit = Estimate(
        analysis="fit",
        name=CURVE,
        suite="solo",
        quantity="slope_per_10x",
        value=-1.1,
        low=-1.7,
        high=-0.5,
        interval="examples",
        task=task,
        details={"intercept": 20.0, "r2": 0.9, "flattens_at": 112, "direct_score": 19.0},  # the old rule's 112
    )
    return [*found, fit]


DROP = {112: (-0.1, -0.6, 0.4), 225: (-0.55, -0.83, -0.29)}  # the demo's curve: 112 not significant, then a drop


def _one_task_report(gains=DROP) -> StudyReport:
    """A suite with one task, every analysis given at the task and (as `study` writes it) again as the suite."""
    correlation = next(e for e in _report().estimates if e.analysis == "correlation")
    task_level = [
        _solo(_contrast(UDPOS, 0.56, 0.08, 1.06)),
        _solo(_contrast(UDPOS, 1.0, 0.2, 1.8, language="en", interval="examples", examples=500)),
        _solo(_group("resource_class", "5", ["de", "en"], 0.7, 0.1, 1.3)),
        _solo(correlation),
        *_curve(gains),
    ]
    repeated = [_solo(e, None) for e in task_level if e.language is None]
    return dataclasses.replace(_report(), estimates=task_level + repeated, notes=[])


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", page, re.DOTALL)


def _x_ticks(svg: str) -> list[str]:
    """The x-axis tick values of an x–y plot: its unclassed, centred texts."""
    return re.findall(r'<text x="[^"]+" y="[^"]+" text-anchor="middle">([^<]*)</text>', svg)


def test_a_one_task_suite_has_no_suite_mean_table_or_plot():
    report = _one_task_report()
    page, text = to_html(report), to_markdown(report)
    assert "suite mean" not in page and "suite mean" not in text
    svgs = _svgs(page)
    assert len([svg for svg in svgs if "score against data size" in svg]) == 1  # one scaling plot, not two
    assert len([svg for svg in svgs if "Δ against" in svg]) == 1  # one scatter
    assert text.count("| udpos | 56 |") == 1  # one scaling table row per size
    assert text.count("| #1 | interleaved vs sequential | udpos | +0.56 [+0.08, +1.06] |") == 1
    assert "suite mean" in to_markdown(_report())  # several tasks: the suite mean stays


def test_axes_say_what_a_language_column_is_with_its_unit(report):
    page = to_html(report)
    [scatter] = [svg for svg in _svgs(page) if "Δ against" in svg]
    labels = re.findall(r'class="axis-label"[^>]*>([^<]*)<', scatter)
    assert labels == ["XLM-R pre-training data (CC-100, GiB), log scale", "Δ = candidate − baseline (points)"]
    assert "by resource class (Joshi et al. 2020, 0–5)" in page
    assert "xlmr_cc100_gib" not in page and "xlmr_cc100_gib" not in to_markdown(report)
    assert "| XLM-R pre-training data (CC-100, GiB) |" in to_markdown(report)


def test_the_scaling_plot_ticks_the_sizes_that_ran():
    [plot] = [svg for svg in _svgs(to_html(_one_task_report())) if "score against data size" in svg]
    assert _x_ticks(plot) == ["56", "112", "225"]  # not the round 100 and 200
    marks = [Mark(1.0, at=7.0), Mark(2.0, at=70.0)]
    assert _x_ticks(xy_plot(marks, title="t", x_label="x", y_label="y")) == ["10", "20", "50"]  # round by default
    assert _x_ticks(xy_plot(marks, title="t", x_label="x", y_label="y", x_ticks=[7, 70])) == ["7", "70"]


def test_scatter_labels_never_overlap_and_those_without_room_are_listed():
    crowded = [  # the demo's cluster of languages with sizes 47-69 GiB and deltas within 0.5 points, and more
        ("zh", 46.9, 0.35),
        ("fr", 56.8, 0.45),
        ("ja", 69.3, 0.3),
        ("de", 66.6, 0.8),
        ("es", 53.3, 0.4),
        ("it", 30.2, 0.42),
        ("pt", 49.1, 0.38),
        ("nl", 29.3, 0.36),
        ("en", 300.8, 1.2),
        ("hi", 20.2, -3.6),
    ]
    marks = [Mark(value=delta, at=size, label=code, note=f"{code}: Δ {delta}") for code, size, delta in crowded]
    svg = xy_plot(marks, title="crowded", x_label="size", y_label="Δ")
    placed = re.findall(r'<text class="point-label" x="([^"]+)" y="([^"]+)" text-anchor="(\w+)">([^<]*)</text>', svg)
    boxes = [label_box(float(x), float(y), text, anchor) for x, y, anchor, text in placed]
    points = [
        (float(x), float(y)) for x, y in re.findall(r'<circle class="point [a-z]+" cx="([^"]+)" cy="([^"]+)"', svg)
    ]
    for i, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[i + 1 :]), placed[i]
        assert not any(box.overlaps(Box(x - 4.5, y - 4.5, x + 4.5, y + 4.5)) for x, y in points), placed[i]
    labelled = {text for *_, text in placed}
    missing = [code for code, *_ in crowded if code not in labelled]
    assert len(labelled) >= 6 and set(labelled) | set(missing) == {code for code, *_ in crowded}
    if missing:
        assert f"Not labelled (no room; hover the points): {', '.join(missing)}" in svg
    for code in missing:  # a point without its label still names itself on hover
        assert f"<title>{code}: Δ" in svg
    assert xy_plot(marks, title="crowded", x_label="size", y_label="Δ") == svg  # deterministic


def test_place_labels_takes_the_first_free_offset_and_drops_what_does_not_fit():
    area = Box(0, 0, 400, 300)
    spots = place_labels([(100, 100, "aa"), (100, 100, "bb"), (100, 100, "cc"), (390, 150, "long label")], area)
    assert spots[0] == (107, 93, "start") and spots[1] == (107, 116, "start") and spots[2] == (93, 93, "end")
    assert spots[3] == (383, 143, "end")  # no room on the right: the left side
    full = place_labels([(100, 100, "x")] * 9, area)
    assert full[:8] == [(100 + dx, 100 + dy, anchor) for dx, dy, anchor in LABEL_OFFSETS] and full[8] is None


def test_the_summary_answers_each_question_before_any_detail(report):
    page = to_html(report)
    headings = re.findall(r"<h2>([^<]+)</h2>", page)
    assert headings[0] == "Answers" and headings[-1] == "Runs read"
    summary = page[page.index('id="summary"') : page.index('id="contrasts"')]
    assert "Δ = +0.88 [−0.10, +1.90]; interval includes 0 (no evidence of a difference)." in summary
    assert "ρ = −0.80 [−1.00, −0.20] over 5 languages; interval excludes 0." in summary
    assert "slope +2.10 [+0.90, +3.30] points per 10× data (interval excludes 0), r² 0.93; it flattens at 100k" in (
        summary
    )
    assert "seed sd 0.80 [0.30, 1.20] points against an example sd of 0.50: the seeds spread more." in summary
    assert "<svg" not in summary and "<table" not in summary  # the first screen is the answers
    text = to_markdown(report)
    assert text.index("## Answers") < text.index("## Contrasts") < text.index("## Runs read")
    answers_md = text[text.index("## Answers") : text.index("## Contrasts")]
    assert "- interleaved vs sequential (suite mean): Δ = +0.88 [−0.10, +1.90]; interval includes 0" in answers_md
    assert "|" not in answers_md


def test_names_in_the_summary_leave_out_what_every_condition_shares():
    names = Names.of(["b x:225 seq on en vs b direct on en", "b x:225 seq on en vs b y:1 seq on en"])
    assert names.shared == ("b", "on en")
    assert names.short("b x:225 seq on en vs b direct on en") == "x:225 seq vs direct"
    assert names.short("b x seq on en") == "x seq"  # a curve's name
    assert Names.of(["interleaved vs sequential", "designed"]).shared == ()  # a name without two sides: as given


@pytest.mark.parametrize(
    ("gains", "shape"),
    [
        ({112: (-0.1, -0.6, 0.4), 225: (-0.55, -0.83, -0.29)}, "drops at 225"),  # the demo's: never "flattens"
        ({112: (2.0, 1.0, 3.0), 225: (0.1, -0.5, 0.7)}, "flattens at 225"),
        ({112: (0.2, -0.5, 0.9), 225: (0.1, -0.5, 0.7)}, "flattens at 112"),
        ({112: (0.2, -0.5, 0.9), 225: (1.5, 0.5, 2.5)}, "still rising at 225"),  # rose again: no flattening
        ({112: (2.0, 1.0, 3.0), 225: (1.5, 0.5, 2.5)}, "still rising at 225"),
        ({112: (-2.0, -3.0, -1.0), 225: (0.1, -0.5, 0.7)}, "drops at 112"),
    ],
)
def test_a_curve_flattens_only_where_no_later_gain_is_significant(gains, shape):
    estimates = [e for e in _curve(gains) if e.quantity == "gain_over_previous"]
    assert curve_shape(estimates).text() == shape
    report = _one_task_report(gains)
    page, text = to_html(report), to_markdown(report)
    assert f"| {shape} |" in text
    assert _claims_flattening(page) == _claims_flattening(text) == shape.startswith("flattens")
    [plot] = [svg for svg in _svgs(page) if "score against data size" in svg]
    assert ('class="flattening"' in plot) == shape.startswith("flattens")
    assert ('class="drop"' in plot) == shape.startswith("drops")


def _claims_flattening(rendered: str) -> bool:
    """Whether a page or Markdown says a curve flattens (the rule's own wording aside)."""
    return "flattens at" in rendered.replace(SHAPE_RULE, "").replace(html.escape(SHAPE_RULE, quote=False), "")


def test_no_flattening_is_claimed_where_the_next_step_is_a_significant_drop():
    report = _one_task_report(DROP)  # its study.json still says flattens_at 112, as the old rule had it
    for rendered in (to_html(report), to_markdown(report)):
        assert not _claims_flattening(rendered) and "drops at 225" in rendered
    assert "it drops at 225: the gain over the next smaller size is −0.55 [−0.83, −0.29]" in to_markdown(report)
    assert curve_shape([]).kind == "unknown"


def test_the_first_screen_answers_and_the_groups_are_folded(driver, tmp_path):
    from selenium.webdriver.common.by import By

    page = load_page(driver, to_html(_report()), tmp_path / "study.html")
    answers = page.find_elements(By.CSS_SELECTOR, "#summary ul.answers li")
    assert len(answers) == 5  # the contrast, the correlation, the curve, two conditions' seeds
    assert all(_box(page, li)["y"] + _box(page, li)["height"] < 1000 for li in answers)  # the first screen
    assert _box(page, answers[-1])["y"] < _box(page, page.find_element(By.ID, "contrasts"))["y"]
    height = "return document.documentElement.scrollHeight"
    folded = page.execute_script(height)
    assert not page.find_element(By.CSS_SELECTOR, "#language-groups details").get_attribute("open")
    page.execute_script(OPEN_DETAILS)
    assert page.execute_script(height) > folded + 300  # the groups' plots and tables are in the folded detail
