"""The study report: `study.json` read and written (`StudyReport`), its Markdown for CI comments and its HTML page
(string checks, then the page in headless Chromium: no console errors, plots where the numbers say, sorting)."""

from __future__ import annotations

import html
import json
import re

import pytest
from helpers import assert_no_console_errors, load_page

from xlt_bench.errors import XltBenchError
from xlt_bench.leaderboard.study.render_html import to_html
from xlt_bench.leaderboard.study.render_markdown import to_markdown
from xlt_bench.leaderboard.study.report import Estimate, StudyReport
from xlt_bench.leaderboard.svg_plot import Scale, tick_text

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
    assert "slope +2.10 [+0.90, +3.30] points per 10× data (interval excludes 0), r² 0.93 | 50k | 58.00 |" in text
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
    assert "Runs read (4):" in text
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


@pytest.fixture
def page(driver, report, tmp_path):
    """The page loaded from a file:// URL; console errors at load time fail the test."""
    return load_page(driver, to_html(report), tmp_path / "study.html")


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

    forest = page.find_element(By.CSS_SELECTOR, "#contrasts svg.forest")
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
    assert _centre_x(page, points[1]) < flattening < _centre_x(page, points[3])  # 10k < 50k < 100k
    assert "flattens at 50k" in plot.text
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
