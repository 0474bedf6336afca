"""The plugin-author kit: the example plugin installed as a real distribution, and the `xlt_bench.testing` helpers.

The example is pip-installed (no network, no build isolation) into a folder put on PYTHONPATH of `xlt-bench`
subprocesses, so entry points and package data are found exactly as after `pip install` in production.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from helpers import run_cli
from test_plugins import install_fake_distribution

from xlt_bench.labels import CheckpointMismatch
from xlt_bench.registry import Registry, load_registry
from xlt_bench.tasks import DataFiles, Task, TaskType
from xlt_bench.testing import check_task, run_task, tiny_checkpoint, tiny_tokenizer

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "xlt-bench-example-plugin"
LABELS = ("positive", "negative")
MOOD = Task(
    name="mood",
    suite="kit",
    type="classification",
    languages=("en",),
    metric="accuracy",
    main_metrics=("accuracy",),
    labels=LABELS,
    data=(DataFiles("xnli-tsv", {"test": ("mood.tsv",)}),),
    inference={"max_length": 32},
)
MALFORMED_PLUGIN = """
from xlt_bench import hookimpl
from xlt_bench.tasks import DataFiles, Task, TaskType

@hookimpl
def xlt_register_tasks(register):
    register(Task(name="empty", suite="example", type="classification", languages=(), metric="accuracy",
                  main_metrics=("accuracy",), labels=("positive", "negative"),
                  data=(DataFiles("example-sentiment-tsv", {"test": ("empty.tsv",)}),)))
"""


@dataclass(frozen=True)
class Installed:
    """The example plugin pip-installed into `site`, from a copy of its sources in `source`."""

    source: Path
    site: Path

    def env(self, *more: Path) -> dict[str, str]:
        """Environment for a subprocess that sees the installed example (and the folders `more`)."""
        paths = [*map(str, more), str(self.site), os.environ.get("PYTHONPATH", "")]
        return {"PYTHONPATH": os.pathsep.join(paths)}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    # pip builds in the source tree (build/, *.egg-info): build a copy so the checkout stays clean
    root = tmp_path_factory.mktemp("example-plugin")
    source = root / "source"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "--quiet"]
    result = subprocess.run([*pip, "--target", str(root / "site"), str(source)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return Installed(source, root / "site")


def example_sentences() -> list[str]:
    return [
        line.split("\t")[0]
        for path in sorted((EXAMPLE / "xlt_bench_example" / "data" / "sentiment").glob("test-*.tsv"))
        for line in path.read_text(encoding="utf-8").splitlines()[1:]
    ]


@pytest.fixture(scope="module")
def kit_tokenizer():
    return tiny_tokenizer(example_sentences())


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory, kit_tokenizer) -> Path:
    """A sentiment classifier (random weights) whose labels are the example task's."""
    return tiny_checkpoint(tmp_path_factory.mktemp("sentiment"), labels=LABELS, tokenizer=kit_tokenizer, seed=5)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def test_installed_example_plugin_is_listed_with_its_suite_and_task(example: Installed):
    plugins = {p["name"]: p for p in json.loads(run_cli("plugins", "--json", env=example.env()).stdout)}
    assert plugins["example"] == {
        "name": "example",
        "version": "0.1.0",
        "origin": "entry point",
        "module": "xlt_bench_example.plugin",
        "distribution": "xlt-bench-example-plugin",
        "hooks": [
            "xlt_register_formats",
            "xlt_register_metrics",
            "xlt_register_runners",
            "xlt_register_suites",
            "xlt_register_tasks",
            "xlt_resolve_data",
        ],
        "status": "loaded",
    }
    suites = run_cli("list", "suites", env=example.env())
    assert suites.returncode == 0 and "example" in suites.stdout and "example" not in suites.stderr
    tasks = json.loads(run_cli("list", "tasks", "--suite", "example", "--json", env=example.env()).stdout)
    listed = [(t["name"], t["type"], t["plugin"], t["languages"]) for t in tasks]
    assert listed == [
        ("sentiment", "classification", "example", ["en", "de"]),
        ("sts", "example-sts", "example", ["en", "de"]),
    ]
    assert tasks[0]["data"] == [
        {"format": "example-sentiment-tsv", "patterns": {"test": ["sentiment/test-{lang}.tsv"]}}
    ]
    types = run_cli("list", "types", env=example.env())
    assert types.returncode == 0 and "example-sts" in types.stdout and "pooling, max_length" in types.stdout


@pytest.mark.slow
def test_example_suite_runs_on_packaged_data_and_rescores(
    example: Installed, checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    run = tmp_path / "run"
    env = {**example.env(), "XLT_BENCH_CACHE": str(tmp_path / "cache")}
    result = run_cli("eval", "--suite", "example", "--model", str(checkpoint), "--output", str(run), "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads((run / "results.json").read_text())
    sentiment = document["tasks"]["sentiment"]
    assert sentiment["examples"] == {"en": 12, "de": 12} and sentiment["complete"] and sentiment["score"] is not None
    assert document["config"]["data_dir"] is None and document["environment"]["plugins"]["example"] == "0.1.0"
    fragment = json.loads((run / "fragments" / "sentiment" / "test-de.json").read_text())
    assert Path(fragment["data"]) == example.site / "xlt_bench_example" / "data" / "sentiment" / "test-de.tsv"

    args = ["score", "--suite", "example", "--predictions", str(run / "predictions"), "--gold", str(run / "labels")]
    rescored = run_cli(*args, "--json", env=example.env())
    assert rescored.returncode == 0, rescored.stderr
    assert json.loads(rescored.stdout)["tasks"]["sentiment"]["languages"] == sentiment["languages"]

    # the plugin's own task type ran through the same eval, score and leaderboard as the built-in ones
    sts = document["tasks"]["sts"]
    assert sts["examples"] == {"en": 12, "de": 12} and sts["complete"] and -100 <= sts["score"] <= 100
    predicted = [float(line) for line in (run / "predictions" / "sts" / "test-de.tsv").read_text().splitlines()]
    gold = [float(line) for line in (run / "labels" / "sts" / "test-de.tsv").read_text().splitlines()]
    assert len(predicted) == 12 and all(-1 <= value <= 1 for value in predicted) and max(gold) == 4.9
    assert json.loads(rescored.stdout)["tasks"]["sts"]["languages"] == sts["languages"]
    fragment = json.loads((run / "fragments" / "sts" / "test-en.json").read_text())
    assert fragment["details"]["pooling"] == "mean" and fragment["signature"]["inference"]["max_length"] == 64
    board = run_cli("leaderboard", str(run), "--suite", "example", env=example.env())
    assert board.returncode == 0, board.stderr
    assert "sts" in board.stdout and f"{sts['score']:.1f}" in board.stdout

    # run_task shares eval's code path: the same examples give the same predictions
    monkeypatch.syspath_prepend(str(example.site))
    plugin = importlib.import_module("xlt_bench_example.plugin")
    source = plugin.xlt_resolve_data(plugin.TASK, "en", "test", None)
    examples = list(plugin.read_sentiment_tsv(source, "en", "test"))
    predicted = run_task(plugin.TASK, examples, checkpoint)["predictions"]
    assert predicted == (run / "predictions" / "sentiment" / "test-en.tsv").read_text().splitlines()


@pytest.mark.slow
def test_example_plugins_own_tests_pass_against_the_installed_copy(example: Installed, tmp_path: Path):
    command = [sys.executable, "-m", "pytest", str(example.source / "tests"), "-q", "-p", "no:cacheprovider"]
    command += ["--rootdir", str(example.source)]
    env = {**os.environ, **example.env()}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr  # 5 when no test was collected


def test_broken_plugins_are_reported_and_skipped_while_the_example_works(example: Installed, tmp_path: Path):
    install_fake_distribution(
        tmp_path,
        "xlt-bench-broken",
        {"xlt_bench_broken": "raise RuntimeError('boom at import')"},
        {"broken": "xlt_bench_broken"},
    )
    install_fake_distribution(
        tmp_path, "xlt-bench-malformed", {"xlt_bench_malformed": MALFORMED_PLUGIN}, {"malformed": "xlt_bench_malformed"}
    )
    env = example.env(tmp_path)
    listing = run_cli("list", "tasks", "--suite", "example", "--json", env=env)
    assert listing.returncode == 0, listing.stderr
    assert [task["name"] for task in json.loads(listing.stdout)] == ["sentiment", "sts"]
    assert (
        "plugin 'broken' (xlt_bench_broken) failed to load and was skipped: RuntimeError: boom at import"
        in listing.stderr
    )
    assert "plugin 'malformed': malformed task 'empty' skipped: no languages" in listing.stderr
    status = {p["name"]: p["status"] for p in json.loads(run_cli("plugins", "--json", env=env).stdout)}
    assert status["broken"].startswith("failed: RuntimeError") and status["example"] == "loaded"
    assert (
        status["malformed"]
        == "every task refused (1): plugin 'malformed': malformed task 'empty' skipped: no languages"
    )


def test_check_task_accepts_a_sound_task_and_lists_what_is_malformed():
    assert check_task(MOOD) == []
    problems = check_task(replace(MOOD, name="Mood", languages=(), labels=(), version=0))
    assert problems == [
        "name 'Mood' must be lower-case letters, digits, '_' or '-'",
        "no languages",
        "version must be >= 1",
        "a classification task needs its label inventory (labels)",
    ]


def test_check_task_names_the_inference_parameters_the_runner_needs():
    assert check_task(replace(MOOD, inference={})) == ["inference lacks max_length (read by the classification runner)"]
    ranking = replace(MOOD, type=TaskType.RANKING, labels=(), inference={"pooling": "cls"})
    lacks = "inference lacks query_max_length, candidate_max_length (read by the ranking runner)"
    assert check_task(ranking) == [lacks]
    assert check_task(replace(ranking, type="retrieval")).pop().startswith("unknown task type 'retrieval' (known: ")


def test_check_task_with_a_registry_reports_what_is_not_registered(registry: Registry):
    assert check_task(registry.task("xtreme/xnli"), registry) == []
    unregistered = replace(MOOD, metric="acuracy", data=(DataFiles("mood-tsv", {"test": ("mood.tsv",)}),))
    problems = check_task(unregistered, registry)
    assert len(problems) == 3
    assert problems[0].startswith("unknown metric 'acuracy'") and problems[0].endswith("did you mean 'accuracy'?")
    assert problems[1].startswith("unknown data format 'mood-tsv' (known: ") and "xnli-tsv" in problems[1]
    assert problems[2].startswith("unknown suite 'kit'")
    assert check_task(replace(MOOD, suite="xtreme", main_metrics=("f1",)), registry) == [
        "main_metrics f1 are not values of metric 'accuracy' (accuracy)",
        "suite 'xtreme' does not list task 'mood' in its tasks or optional tasks",
    ]


@pytest.mark.slow
def test_run_task_predicts_and_scores_in_memory_examples(checkpoint: Path, registry: Registry):
    texts = ["A wonderful day at the sea.", "The parcel never arrived.", "Great food, kind staff.", "Broken again."]
    examples = [{"id": str(i), "text": text, "label": LABELS[i % 2]} for i, text in enumerate(texts)]
    result = run_task(MOOD, examples, checkpoint, registry=registry, batch_size=3)
    assert len(result["predictions"]) == 4 and set(result["predictions"]) <= set(LABELS)
    assert result["gold"] == [example["label"] for example in examples]
    assert list(result["metrics"]) == ["accuracy"] and 0 <= result["metrics"]["accuracy"] <= 100


@pytest.mark.slow
def test_run_task_refuses_a_checkpoint_with_other_labels(kit_tokenizer, tmp_path: Path, registry: Registry):
    other = tiny_checkpoint(tmp_path / "stars", labels=("good", "bad"), tokenizer=kit_tokenizer)
    with pytest.raises(CheckpointMismatch, match="labels good, bad are not mood labels"):
        run_task(MOOD, [{"id": "1", "text": "Fine.", "label": "positive"}], other, registry=registry)


SAVE_TINY_TOKENIZER = """
import sys
from xlt_bench.testing import tiny_tokenizer
tiny_tokenizer(sys.stdin.buffer.read().decode("utf-8").split("\\n")).save_pretrained(sys.argv[1])
"""


def test_tiny_tokenizer_is_byte_identical_across_builds_and_processes(kit_tokenizer, tmp_path: Path):
    """The Unigram trainer varies from run to run (hash-map order, parallel sums); the saved tokenizer must not."""
    sentences = example_sentences()
    kit_tokenizer.save_pretrained(tmp_path / "first")
    tiny_tokenizer(sentences).save_pretrained(tmp_path / "again")
    saved = subprocess.run(
        [sys.executable, "-c", SAVE_TINY_TOKENIZER, str(tmp_path / "elsewhere")],
        input="\n".join(sentences).encode("utf-8"),
        capture_output=True,
    )
    assert saved.returncode == 0, saved.stderr.decode()
    files = {path.name: path.read_bytes() for path in sorted((tmp_path / "first").iterdir())}
    assert "tokenizer.json" in files
    for other in ("again", "elsewhere"):
        assert {path.name: path.read_bytes() for path in sorted((tmp_path / other).iterdir())} == files, other
    vocab = json.loads(files["tokenizer.json"])["model"]["vocab"]
    scores = [score for _, score in vocab[5:]]
    assert scores == sorted(scores, reverse=True) and all(score == round(score, 3) for score in scores)
