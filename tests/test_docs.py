"""The documentation: the MkDocs site builds with warnings as errors, its plugin listing is a working plugin, and the
README stays a short entry point whose relative links all resolve."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

from xlt_bench.cli import build_parser
from xlt_bench.registry import load_registry
from xlt_bench.testing import check_task, run_task, tiny_checkpoint

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
EXAMPLES = DOCS / "examples"
README_MAX_LINES = 250
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
REVIEWS = {
    "en": [
        "A lovely little cafe.\tpositive",
        "The soup was cold and bland.\tnegative",
        "Kind and quick staff.\tpositive",
    ],
    "de": ["Ein wunderbarer Abend.\tpositive", "Der Zug kam wieder zu spät.\tnegative"],
}


@pytest.fixture
def minimal_plugin(monkeypatch: pytest.MonkeyPatch):
    """docs/examples/minimal_plugin.py, imported as `-p minimal_plugin` imports it."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.delitem(sys.modules, "minimal_plugin", raising=False)
    return importlib.import_module("minimal_plugin")


@pytest.fixture(scope="module")
def sentiment_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sentences = [line.split("\t")[0] for lines in REVIEWS.values() for line in lines]
    return tiny_checkpoint(tmp_path_factory.mktemp("reviews"), sentences, labels=("positive", "negative"), seed=3)


def test_the_docs_build_strictly_with_the_generated_reference(tmp_path: Path):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[docs]'; tox -e docs builds too)")
    site = tmp_path / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(REPO / "mkdocs.yml")]
    result = subprocess.run([*command, "--site-dir", str(site)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    cli = (site / "cli" / "index.html").read_text(encoding="utf-8")
    commands = next(action for action in build_parser()._actions if hasattr(action, "choices") and action.choices)
    for name in commands.choices:
        assert f"usage: xlt-bench {name}" in cli, f"the CLI reference lacks `xlt-bench {name}`"
    plugins = (site / "plugins" / "index.html").read_text(encoding="utf-8")
    assert "def read_tsv" in plugins and "xlt_register_tasks" in plugins  # the listing, included at build time
    assert "<code>manual_data</code>" in plugins and "<code>max_length</code>" in plugins  # field and type tables
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<!-- generated:" not in text and "<!-- include:" not in text, f"{page}: a marker was not replaced"


def test_a_dataclass_field_without_a_description_fails_the_docs_build(monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[docs]'; tox -e docs builds too)")
    from mkdocs.exceptions import PluginError

    spec = importlib.util.spec_from_file_location("xlt_bench_docs_hooks", DOCS / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    table = hooks.render("<!-- generated: fields xlt_bench.tasks.DataFiles -->")
    assert table.splitlines()[2].startswith("| `format` | <code>str</code> | required |")
    described = {name: text for name, text in hooks.FIELD_DOCS["xlt_bench.tasks.DataFiles"].items() if name != "params"}
    monkeypatch.setitem(hooks.FIELD_DOCS, "xlt_bench.tasks.DataFiles", described)
    with pytest.raises(PluginError, match="fields without a description in docs/hooks.py FIELD_DOCS: params"):
        hooks.render("<!-- generated: fields xlt_bench.tasks.DataFiles -->")
    with pytest.raises(PluginError, match="unknown generated block"):
        hooks.render("<!-- generated: nothing-like-this -->")


def test_the_plugin_page_includes_the_tested_listing():
    assert "<!-- include: examples/minimal_plugin.py -->" in (DOCS / "plugins.md").read_text(encoding="utf-8")


def test_the_minimal_plugin_registers_a_sound_task(minimal_plugin):
    registry = load_registry(["minimal_plugin"])
    assert check_task(minimal_plugin.TASK, registry) == []
    assert registry.task("mini/reviews") == minimal_plugin.TASK
    listed = run_cli("-p", "minimal_plugin", "list", "tasks", "--suite", "mini", "--json", env=_env())
    assert listed.returncode == 0, listed.stderr
    assert [(task["name"], task["languages"]) for task in json.loads(listed.stdout)] == [("reviews", ["en", "de"])]


@pytest.mark.slow
def test_the_minimal_plugin_runs_through_eval_and_score(minimal_plugin, sentiment_checkpoint: Path, tmp_path: Path):
    data = tmp_path / "data" / "reviews"
    data.mkdir(parents=True)
    for language, lines in REVIEWS.items():
        (data / f"test-{language}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = tmp_path / "run"
    env = {**_env(), "XLT_BENCH_CACHE": str(tmp_path / "cache")}
    arguments = ["--model", str(sentiment_checkpoint), "--data-dir", str(tmp_path / "data"), "--output", str(run)]
    result = run_cli("-p", "minimal_plugin", "eval", "--suite", "mini", *arguments, "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    reviews = json.loads((run / "results.json").read_text(encoding="utf-8"))["tasks"]["reviews"]
    assert reviews["examples"] == {"en": 3, "de": 2} and reviews["complete"]
    assert 0 <= reviews["score"] <= 100

    rescore = ["score", "--suite", "mini", "--predictions", str(run / "predictions"), "--gold", str(run / "labels")]
    rescored = run_cli("-p", "minimal_plugin", *rescore, "--json", env=env)
    assert rescored.returncode == 0, rescored.stderr
    assert json.loads(rescored.stdout)["tasks"]["reviews"]["languages"] == reviews["languages"]

    # the reader and the task, in memory, give the predictions eval wrote
    from xlt_bench import DataSource

    examples = list(minimal_plugin.read_tsv(DataSource("mini-tsv", files=(data / "test-de.tsv",)), "de", "test"))
    registry = load_registry(["minimal_plugin"])
    predicted = run_task(minimal_plugin.TASK, examples, sentiment_checkpoint, registry=registry, language="de")
    assert predicted["predictions"] == (run / "predictions" / "reviews" / "test-de.tsv").read_text().splitlines()


def test_the_minimal_plugins_reader_names_file_and_line_of_a_bad_row(minimal_plugin, tmp_path: Path):
    from xlt_bench import DataSource, XltBenchError

    bad = tmp_path / "test-en.tsv"
    bad.write_text("Fine.\tpositive\nno label here\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=r"test-en\.tsv:2: expected 'text<TAB>positive\|negative'"):
        list(minimal_plugin.read_tsv(DataSource("mini-tsv", files=(bad,)), "en", "test"))


def test_the_readme_is_short():
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move details into docs/"


def test_every_relative_link_in_the_readme_points_at_a_file():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    targets = [target for target in LINK.findall(readme) if not re.match(r"[a-z]+:|#", target)]
    assert targets, "the README links into docs/"
    missing = [target for target in targets if not (REPO / target.split("#", 1)[0]).exists()]
    assert missing == [], f"README.md links to files that do not exist: {missing}"


def _env() -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(EXAMPLES), os.environ.get("PYTHONPATH", "")]))}
