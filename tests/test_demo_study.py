"""`xlt-bench demo --study`: eight tiny conditions trained and evaluated offline with their lineage, and the study
report over them. The effects of models this small are noise: no test asserts a direction."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import run_main

from xlt_bench.demo_study import DEPREL, QA, deprel_sentences, study_design
from xlt_bench.leaderboard.study.report import StudyReport
from xlt_bench.leaderboard.study.summary import curve_shape
from xlt_bench.leaderboard.study.wording import verdict, with_interval

CONDITIONS = {
    "direct-seed1": ([], {}, 1),
    "direct-seed2": ([], {}, 2),
    "xquad-en-56": (["xquad-en"], {"xquad-en": 56}, 1),
    "xquad-en-112": (["xquad-en"], {"xquad-en": 112}, 1),
    "xquad-en-225": (["xquad-en"], {"xquad-en": 225}, 1),
    "ud-deprel": (["ud-deprel"], {"ud-deprel": 200}, 1),
    "xquad-en+ud-deprel": (["xquad-en", "ud-deprel"], {"xquad-en": 225, "ud-deprel": 200}, 1),
    "ud-deprel+xquad-en": (["ud-deprel", "xquad-en"], {"xquad-en": 225, "ud-deprel": 200}, 1),
}  # name: (intermediate tasks in order, their sizes, fine-tuning seed), from the packaged 225 questions, 200 sentences


def test_dependency_relations_are_read_per_syntactic_word_without_subtypes(tmp_path: Path):
    conllu = tmp_path / "x-ud-test.conllu"
    rows = [
        "# text = Don't go.",
        "1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_",
        "1\tDo\tdo\tAUX\t_\t_\t3\taux\t_\t_",
        "2\tn't\tnot\tPART\t_\t_\t3\tadvmod:neg\t_\t_",
        "3\tgo\tgo\tVERB\t_\t_\t0\troot\t_\t_",
        "3.1\tgone\tgo\tVERB\t_\t_\t_\t_\t3:conj\t_",
        "4\t.\t.\tPUNCT\t_\t_\t3\tpunct\t_\t_",
        "",
        "1\tHi\thi\tINTJ\t_\t_\t0\troot\t_\t_",
    ]  # the last sentence lacks its closing blank line
    conllu.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert deprel_sentences(conllu) == [
        (["Do", "n't", "go", "."], ["aux", "advmod", "root", "punct"]),
        (["Hi"], ["root"]),
    ]


def test_study_design_covers_seeds_sizes_and_both_orders():
    design = {c.name: ([task for task, _ in c.steps], dict(c.steps), c.train_seed) for c in study_design(225, 200)}
    assert design == CONDITIONS
    assert [c.name for c in study_design(3, 2) if c.name.startswith(QA)] == [f"{QA}-1", f"{QA}-3", f"{QA}+{DEPREL}"]


@pytest.fixture(scope="module")
def study_demo(tmp_path_factory: pytest.TempPathFactory):
    output = tmp_path_factory.mktemp("study") / "demo"
    result = run_main("demo", "--study", "--output", str(output), "--steps", "30", "--epochs", "1", "--threads", "1")
    assert result.returncode == 0, result.stderr
    return output, result


@pytest.mark.slow
def test_study_demo_trains_each_encoder_once_and_records_the_lineage(study_demo):
    output, result = study_demo
    for phase in ("[1/5] pre-training", "English QA (56 questions)", "English UD-DEPREL", "[4/5] xlt-bench eval"):
        assert phase in result.stderr, phase  # progress in every phase, on stderr
    assert "[5/5] study report" in result.stderr and "[1/5]" not in result.stdout
    encoders = {path.name for path in (output / "models" / "encoders").iterdir()}
    assert encoders == {
        "xquad-en-56",
        "xquad-en-112",
        "xquad-en-225",
        "ud-deprel-200",
        "xquad-en-225+ud-deprel-200",
        "ud-deprel-200+xquad-en-225",
    }  # six encoders for seven intermediate conditions' chains: the shared prefixes are trained once
    assert {path.name for path in (output / "runs").iterdir()} == set(CONDITIONS)
    for name, (tasks, sizes, seed) in CONDITIONS.items():
        results = json.loads((output / "runs" / name / "results.json").read_text())
        lineage = results["lineage"]
        assert (lineage["intermediate"], lineage["intermediate_sizes"], lineage["train_seed"]) == (tasks, sizes, seed)
        assert lineage["label"] == f"demo-{name}" and lineage["base"] == "demo-tiny-base"
        assert lineage["regime"] == ("sequential" if tasks else None) and lineage["train_languages"] == ["en"]
        assert sorted(results["tasks"]["udpos"]["languages"]) == ["ar", "de", "en", "fr", "hi", "ja", "zh"]
        assert results["command"][:3] == ["xlt-bench", "demo", "--study"]
    assert f"run folders: {output / 'runs' / 'direct-seed1'}, " in result.stdout


@pytest.mark.slow
def test_study_demo_reports_order_scaling_and_seeds_and_says_which_intervals_include_zero(study_demo):
    output, result = study_demo
    report = StudyReport.from_json(json.loads((output / "study.json").read_text()), output / "study.json")
    orders = {("xquad-en", "ud-deprel"), ("ud-deprel", "xquad-en")}
    [order] = [
        c["name"]
        for c in report.design["contrasts"]
        if {tuple(c["baseline"]["intermediate"]), tuple(c["candidate"]["intermediate"])} == orders
    ]
    [delta] = report.select("contrast", name=order, task="udpos", language=None)
    assert delta.low is not None and delta.high is not None and delta.n  # an interval, whatever its sign
    scores = report.select("scaling", quantity="score", task="udpos")
    assert sorted(e.size for e in scores) == [56, 112, 225]
    assert [fit.low is not None for fit in report.select("fit", task="udpos")] == [True]
    [seeds] = report.select("seeds", task="udpos")
    assert sorted(seeds.details["labels"]) == ["demo-direct-seed1", "demo-direct-seed2"]
    markdown = (output / "study.md").read_text(encoding="utf-8")
    assert result.stdout.count(markdown.splitlines()[0]) == 1 and "HTML study:" in result.stdout
    lines = markdown.splitlines()
    for estimate in report.select("contrast", task="udpos"):  # each interval is read as including 0 or not
        assert any(with_interval(estimate) in line and verdict(estimate) in line for line in lines), estimate
    page = (output / "study.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # one task: no suite-mean repeats; the answers come first; the scaling plot ticks the sizes that ran
    assert "suite mean" not in page and "suite mean" not in markdown
    assert page.index('id="summary"') < page.index('id="contrasts"') and markdown.index("## Answers") < (
        markdown.index("## Contrasts")
    )
    [plot] = [svg for svg in re.findall(r"<svg .*?</svg>", page, re.DOTALL) if "score against data size" in svg]
    ticks = re.findall(r'<text x="[^"]+" y="[^"]+" text-anchor="middle">([^<]*)</text>', plot)
    assert ticks == ["56", "112", "225"]
    assert "xlmr_cc100_gib" not in page and "XLM-R pre-training data (CC-100, GiB)" in page
    gains = sorted(report.select("scaling", task="udpos", quantity="gain_over_previous"), key=lambda e: e.size)
    shape = curve_shape(gains)
    assert (shape.text() in page) and (f"| {shape.text()} |" in markdown)
    if shape.kind == "flattens":  # flattening is claimed only where no later gain is significant either way
        assert not any(g.significant for g in gains if g.size >= shape.size)
