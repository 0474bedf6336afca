"""The HTML leaderboard: string-level checks (formatting, escaping, no external resources), then the page in
headless Chromium: no console errors, sortable tables, the heatmap's colours and the SVG bar chart."""

from __future__ import annotations

import html
import re

import pytest
from helpers import assert_no_console_errors, load_page

from xlt_bench.leaderboard.render_html import to_html

EVIL = "small <script>alert(1)</script>"


def _cell(score, languages, *, complete=True, expected=None, average=None):
    expected = expected or len(languages)
    return {
        "score": score,
        "complete": complete,
        "scored": len(languages) if languages else (expected if complete else 0),
        "expected": expected,
        "average": average,
        "languages": languages,
    }


def _delta(value, low=None, high=None):
    return {"delta": value, "ci_low": low, "ci_high": high, "significant": low is not None and (low > 0 or high < 0)}


@pytest.fixture
def data() -> dict:
    """Four runs (direct and intermediate of one base, a published baseline, a run with an incomplete QA task)."""
    run = {"intermediate": [], "published": False, "source": {}}
    return {
        "suite": "mini",
        "description": "A small suite for tests",
        "score_rule": "task_mean",
        "tasks": [
            {"name": "xnli", "main_metric": "accuracy", "qa": False, "languages": ["en", "de", "fr"]},
            {"name": "panx", "main_metric": "f1", "qa": False, "languages": ["en", "de", "sw"]},
            {"name": "xquad", "main_metric": "mean(exact_match, f1)", "qa": True, "languages": ["en", "de"]},
        ],
        "runs": [
            run
            | {
                "id": "r0",
                "label": "tiny-direct",
                "base": "tiny",
                "training": "direct",
                "score": 64.2,
                "tasks": {
                    "xnli": _cell(70.0, {"en": 80.0, "de": 66.0, "fr": 64.0}, average={"accuracy": 70.0}),
                    "panx": _cell(60.0, {"en": 70.0, "de": 60.0, "sw": 50.0}, average={"f1": 60.0}),
                    "xquad": _cell(62.5, {"en": 70.0, "de": 55.0}, average={"f1": 70.0, "exact_match": 55.0}),
                },
            },
            run
            | {
                "id": "r1",
                "label": "tiny-inter",
                "base": "tiny",
                "training": "+squad",
                "intermediate": ["squad"],
                "score": 66.6,
                "tasks": {
                    "xnli": _cell(72.5, {"en": 84.0, "de": 70.0, "fr": 63.5}, average={"accuracy": 72.5}),
                    "panx": _cell(58.5, {"en": 69.0, "de": 58.0, "sw": 48.5}, average={"f1": 58.5}),
                    "xquad": _cell(68.7, {"en": 76.0, "de": 61.4}, average={"f1": 76.6, "exact_match": 60.8}),
                },
            },
            run
            | {
                "id": "r2",
                "label": "Big model (Doe et al.)",
                "base": "big",
                "training": "published",
                "published": True,
                "source": {"paper": "Doe et al. 2021", "table": "Table 3", "split": "test", "notes": ["F1 only"]},
                "score": 74.4,
                "tasks": {
                    "xnli": _cell(80.1, {}, expected=3, average={"accuracy": 80.1}),
                    "panx": _cell(66.0, {}, expected=3, average={"f1": 66.0}),
                    "xquad": _cell(None, {}, expected=2, average={"f1": 77.0}),
                },
            },
            run
            | {
                "id": "r3",
                "label": EVIL,
                "base": "small",
                "training": "direct",
                "score": None,
                "tasks": {
                    "xnli": _cell(65.0, {"en": 75.0, "de": 60.0, "fr": 60.0}, average={"accuracy": 65.0}),
                    "panx": _cell(55.0, {"en": 65.0, "de": 55.0, "sw": 45.0}, average={"f1": 55.0}),
                    "xquad": _cell(None, {"en": 50.0}, complete=False, expected=2),
                },
            },
        ],
        "groups": {"tiny": ["r0", "r1"], "big": ["r2"], "small": ["r3"]},
        "comparisons": [
            {
                "base": "tiny",
                "direct": "r0",
                "candidate": "r1",
                "training": "+squad",
                "tasks": {
                    "xnli": _delta(2.5, 0.8, 4.1),
                    "panx": _delta(-1.5),
                    "xquad": _delta(6.2, -0.5, 12.0),
                },
                "overall": _delta(2.4),
                "languages": {
                    "xnli": {"en": _delta(4.0, 1.5, 6.5), "de": _delta(4.0, -0.5, 8.0), "fr": _delta(-0.5, -2.0, 1.0)},
                    "panx": {"en": _delta(-1.0), "de": _delta(-2.0), "sw": _delta(-1.5)},
                },
            }
        ],
        "resamples": 1000,
        "seed": 0,
        "notes": ["runs of suite other are not shown (--suite mini)"],
    }


def test_text_formatting(data):
    page = to_html(data)
    for task in ("xnli", "panx", "xquad"):
        assert task in page
    assert "76.6/60.8" in page and "70.0/55.0" in page
    assert "77.0/–" in page  # a published QA baseline with F1 only
    assert "incomplete (1/2: en)" in page
    assert "+2.5*" in page and "[+0.8, +4.1]" in page and ">n/a<" in page
    assert "runs of suite other are not shown" in page
    assert "published, not measured here" in page and "Doe et al. 2021" in page


def test_escaping_and_no_external_resources(data):
    page = to_html(data)
    assert html.escape(EVIL) in page and EVIL not in page
    assert page.count("<script") == 1
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*https?://""", page, re.IGNORECASE)
    assert "@import" not in page and "url(" not in page


@pytest.fixture
def page(driver, data, tmp_path):
    """The page loaded from a file:// URL; console errors at load time fail the test."""
    return load_page(driver, to_html(data), tmp_path / "board.html")


def _column(driver, header: str) -> tuple:
    """The main table's header cell whose text starts with `header`, and its cells' texts top to bottom."""
    from selenium.webdriver.common.by import By

    th = next(th for th in driver.find_elements(By.CSS_SELECTOR, "#board thead th") if th.text.startswith(header))
    index = driver.execute_script("return arguments[0].cellIndex", th)
    texts = driver.execute_script(
        "return Array.from(document.querySelectorAll('#board tbody tr'), r => r.cells[arguments[0]].textContent)",
        index,
    )
    return th, texts


def _numbers_then_rest(texts: list[str]) -> tuple[list[float], list[str]]:
    """The leading numbers (QA: the F1 of "F1/EM") and the rest; fails if a number follows a non-number."""
    values = [re.match(r"[+-]?\d+(\.\d+)?", text) for text in texts]
    count = next((i for i, match in enumerate(values) if match is None), len(values))
    assert all(match is None for match in values[count:]), texts
    return [float(match.group()) for match in values[:count]], texts[count:]


@pytest.mark.parametrize("header", ["xnli", "xquad"])
def test_sorting_the_main_table(page, header):
    th, _ = _column(page, header)
    th.click()
    th, texts = _column(page, header)
    numbers, rest = _numbers_then_rest(texts)
    assert numbers == sorted(numbers) and len(numbers) >= 3
    assert "▲" in th.text
    th.click()
    th, texts = _column(page, header)
    again, rest_again = _numbers_then_rest(texts)
    assert again == sorted(numbers, reverse=True) and rest_again == rest
    assert "▼" in th.text and "▲" not in th.text
    if header == "xquad":
        assert rest == ["incomplete (1/2: en)"]
    assert_no_console_errors(page)


def test_heatmap_colours(page, data):
    from selenium.webdriver.common.by import By

    heatmaps = page.find_elements(By.CSS_SELECTOR, "table.heatmap")
    assert len(heatmaps) == len(data["comparisons"])
    cells = heatmaps[0].find_elements(By.CSS_SELECTOR, "td.hm")
    expected = sum(len(per) for per in data["comparisons"][0]["languages"].values())
    assert len(cells) == expected
    assert len(heatmaps[0].find_elements(By.CSS_SELECTOR, "td.empty")) == 2  # sw for xnli, fr for panx
    colour = "return getComputedStyle(arguments[0]).backgroundColor"
    positive = next(cell for cell in cells if float(cell.get_attribute("data-sort")) > 0)
    negative = next(cell for cell in cells if float(cell.get_attribute("data-sort")) < 0)
    up, down = page.execute_script(colour, positive), page.execute_script(colour, negative)
    assert up != down and "rgb(255, 255, 255)" not in (up, down)
    assert "95% CI" in positive.get_attribute("title")
    assert page.find_elements(By.CSS_SELECTOR, "table.heatmap td.hm.sig")


def test_bar_chart(page, data):
    from selenium.webdriver.common.by import By

    bars = page.find_elements(By.CSS_SELECTOR, "svg.bars rect.bar")
    assert len(bars) == len(data["comparisons"][0]["tasks"])
    for bar in bars:
        box = page.execute_script("const b = arguments[0].getBoundingClientRect(); return [b.width, b.height]", bar)
        assert box[0] > 0 and box[1] > 0
    assert len(page.find_elements(By.CSS_SELECTOR, "svg.bars rect.bar.neg")) == 1  # panx
    assert len(page.find_elements(By.CSS_SELECTOR, "svg.bars .whisker")) == 2  # panx has no interval


def test_published_row_and_escaping(page):
    from selenium.webdriver.common.by import By

    published = page.find_elements(By.CSS_SELECTOR, "#board tr.published")
    assert len(published) == 1 and "†" in published[0].text
    sources = page.find_element(By.CSS_SELECTOR, ".sources").text
    assert "Doe et al. 2021" in sources and "published, not measured here" in sources
    assert page.execute_script("return document.querySelectorAll('script').length") == 1
    assert EVIL in page.find_element(By.ID, "board").text
