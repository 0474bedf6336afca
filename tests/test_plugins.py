"""Plugin discovery through the `xlt_bench` entry-point group, switches, and isolation of broken plugins.

Third-party plugins are real distributions here: a `*.dist-info` folder with `entry_points.txt` on PYTHONPATH,
which is what `pip install` leaves behind, so `importlib.metadata` finds them exactly as in production.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import run_cli

GOOD_PLUGIN = """
from xlt_bench import hookimpl
from xlt_bench.tasks import DataFiles, Suite, Task

@hookimpl
def xlt_register_suites(register):
    register(Suite(name="toy", description="a toy suite", tasks=("toy-nli",)))
    register(Suite(name="xtreme", description="an impostor", tasks=("toy-nli",)))

@hookimpl
def xlt_register_tasks(register):
    register(Task(name="toy-nli", suite="toy", type="classification", languages=("en", "sw"), metric="accuracy",
                  main_metrics=("accuracy",), labels=("yes", "no"), inference={"max_length": 128},
                  data=(DataFiles("xnli-tsv", {"test": ("toy.tsv",)}),)))
    register(Task(name="toy-pos", suite="toy", type="tagging", languages=("en",), metric="seqeval",
                  main_metrics=("f1",), labels=("NOUN",), data=(DataFiles("ud-conllu", {"test": ("x",)}),)))
    register(Task(name="Bad Name", suite="toy", type="classification", languages=(), metric="accuracy",
                  main_metrics=("accuracy",), labels=("a",), data=(DataFiles("xnli-tsv", {"test": ("x",)}),)))
"""


def install_fake_distribution(root: Path, name: str, modules: dict[str, str], entry_points: dict[str, str]) -> None:
    """Lay out a distribution as pip would: modules plus `<name>-1.0.dist-info` with METADATA and entry points."""
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = root / f"{name.replace('-', '_')}-1.0.dist-info"  # the folder name pip writes
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    lines = "".join(f"{ep} = {target}\n" for ep, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[xlt_bench]\n{lines}", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> dict[str, str]:
    """PYTHONPATH with two third-party plugins: a good one and one that raises at import."""
    install_fake_distribution(tmp_path, "xlt-bench-toy", {"xlt_bench_toy": GOOD_PLUGIN}, {"toy": "xlt_bench_toy"})
    install_fake_distribution(
        tmp_path,
        "xlt-bench-broken",
        {"xlt_bench_broken": "raise RuntimeError('boom at import')"},
        {"broken": "xlt_bench_broken"},
    )
    return {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}


def test_builtin_suite_is_an_entry_point_plugin():
    result = run_cli("plugins", "--json")
    assert result.returncode == 0, result.stderr
    plugins = {p["name"]: p for p in json.loads(result.stdout)}
    xtreme = plugins["xtreme"]
    assert xtreme["origin"] == "entry point" and xtreme["distribution"] == "xlt-bench" and xtreme["version"]
    assert xtreme["hooks"] == ["xlt_register_suites", "xlt_register_tasks"]
    assert plugins["xlt_bench.metrics"]["origin"] == "core"


def test_third_party_plugins_load_and_broken_ones_are_reported_and_skipped(site):
    listing = run_cli("list", "suites", env=site)
    assert listing.returncode == 0
    assert "toy" in listing.stdout and "xtreme" in listing.stdout
    assert "an impostor" not in listing.stdout
    warnings = listing.stderr
    assert "plugin 'broken' (xlt_bench_broken) failed to load and was skipped: RuntimeError: boom at import" in warnings
    assert "suite 'xtreme' is already registered by 'xtreme'; skipped" in warnings
    assert "malformed task 'Bad Name' skipped" in warnings and "no languages" in warnings
    assert "task 'toy/toy-pos': inference lacks max_length (read by the tagging runner); skipped" in warnings

    tasks = json.loads(run_cli("list", "tasks", "--suite", "toy", "--json", env=site).stdout)
    assert [task["name"] for task in tasks] == ["toy-nli"] and tasks[0]["plugin"] == "toy"

    plugins = {p["name"]: p for p in json.loads(run_cli("plugins", "--json", env=site).stdout)}
    assert plugins["broken"]["status"].startswith("failed: RuntimeError") and plugins["toy"]["version"] == "1.0"


def test_autoload_switch_and_explicit_plugins(site):
    off = {**site, "XLT_BENCH_DISABLE_PLUGIN_AUTOLOAD": "1"}
    assert "xtreme" not in run_cli("list", "suites", env=off).stdout
    only_xtreme = run_cli("-p", "xtreme", "list", "suites", env=off)
    assert "xtreme" in only_xtreme.stdout and "toy" not in only_xtreme.stdout and "broken" not in only_xtreme.stderr
    by_module = run_cli("-p", "xlt_bench_toy", "list", "suites", env=off)
    assert "toy" in by_module.stdout
    blocked = run_cli("-p", "no:xtreme", "-p", "no:broken", "list", "suites", env=site)
    assert "Hu et al." not in blocked.stdout and "toy" in blocked.stdout and "boom" not in blocked.stderr


def test_unknown_plugin_name_is_an_error():
    result = run_cli("-p", "nosuchplugin", "list", "suites")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "xlt-bench: error: -p nosuchplugin: no plugin with that entry-point name and no importable module of that "
        "name (installed plugins: masakhane, xglue, xtreme, xtreme-r)"
    ]


def fresh_interpreter(code: str) -> str:
    """The output of `code` run by a new interpreter: what importing loads shows only in a fresh process."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_fast_commands_never_import_heavy_packages():
    probe = (
        "import sys, contextlib, io\n"
        "from xlt_bench.cli import main\n"
        "for argv in (['--help'], ['list', 'tasks', '--json'], ['list', 'suites'], ['plugins']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        try:\n"
        "            main(argv)\n"
        "        except SystemExit:\n"
        "            pass\n"
        "print(sorted(m for m in ('torch', 'transformers', 'datasets', 'faiss', 'numpy') if m in sys.modules))\n"
    )
    assert fresh_interpreter(probe).strip() == "[]"


def test_every_name_a_plugin_author_imports_resolves_from_the_package_and_loads_on_first_use():
    probe = (
        "import sys, xlt_bench\n"
        "homes = ('xlt_bench.tasks', 'xlt_bench.data.formats', 'xlt_bench.metrics')\n"
        "print(sorted(m for m in homes if m in sys.modules))\n"
        "for name in xlt_bench.__all__:\n"
        "    value = getattr(xlt_bench, name)\n"
        "    assert value is not None and getattr(value, '__name__', name) in (name, xlt_bench.__version__), name\n"
        "from xlt_bench import DataFormat, Metric, Task, XltBenchError\n"
        "from xlt_bench.data.formats import DataFormat as home_format\n"
        "from xlt_bench.errors import XltBenchError as home_error\n"
        "from xlt_bench.metrics import Metric as home_metric\n"
        "from xlt_bench.tasks import Task as home_task\n"
        "print((DataFormat, Metric, Task, XltBenchError) == (home_format, home_metric, home_task, home_error))\n"
        "print(set(xlt_bench.__all__) <= set(dir(xlt_bench)))\n"
    )
    assert fresh_interpreter(probe).split("\n")[:3] == ["[]", "True", "True"]  # nothing imported until a name is used
    import xlt_bench

    with pytest.raises(AttributeError, match="has no attribute 'Tsk'"):
        xlt_bench.Tsk  # noqa: B018


def test_a_plugin_resolver_that_raises_is_passed_over_and_reported_once(tmp_path: Path):
    """A broken `xlt_resolve_data` (or one calling sys.exit at import) must not break the built-in tasks."""
    (tmp_path / "bad_resolver.py").write_text(
        "from xlt_bench import hookimpl\n\n@hookimpl\ndef xlt_resolve_data(task, language, split, data_dir):\n"
        "    raise RuntimeError('resolver bug')\n",
        encoding="utf-8",
    )
    (tmp_path / "exits.py").write_text("import sys\nsys.exit(3)\n", encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    data = Path(__file__).parent / "fixtures" / "data"
    code = (
        "from xlt_bench.registry import load_registry\n"
        "from pathlib import Path\n"
        "registry = load_registry(['bad_resolver', 'exits'])\n"
        "task = registry.task('xnli', 'xtreme')\n"
        f"for language in ('de', 'en'):\n"
        f"    print(registry.resolve_data(task, language, 'test', Path({str(data)!r})).files)\n"
        "print([p.error for p in registry.plugins if p.name == 'exits'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("xnli.test.tsv") == 2 and "SystemExit: 3" in result.stdout
    assert result.stderr.count("plugin 'bad_resolver': xlt_resolve_data raised RuntimeError: resolver bug;") == 1


REFUSED_PLUGIN = """
from xlt_bench import hookimpl
from xlt_bench.tasks import DataFiles, Suite, Task

@hookimpl
def xlt_register_suites(register):
    register(Suite(name="mine", description="every task refused", tasks=("tagger",)))

@hookimpl
def xlt_register_tasks(register):  # `f1` copied from the metric column of `list tasks`: a value, not a metric
    register(Task(name="tagger", suite="mine", type="tagging", languages=("en",), metric="f1", main_metrics=("f1",),
                  labels=("NOUN",), inference={"max_length": 128}, data=(DataFiles("ud-conllu", {"test": ("x",)}),)))
"""


def test_a_plugin_whose_every_task_was_refused_says_so(tmp_path: Path):
    install_fake_distribution(
        tmp_path, "xlt-bench-mine", {"xlt_bench_mine": REFUSED_PLUGIN}, {"mine": "xlt_bench_mine"}
    )
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    refusal = "task 'mine/tagger' refers to unregistered metric 'f1'"
    plugins = {p["name"]: p for p in json.loads(run_cli("plugins", "--json", env=env).stdout)}
    assert plugins["mine"]["status"].startswith(f"every task refused (1): {refusal}")
    assert "'f1' is a main metric" in plugins["mine"]["status"] and plugins["xtreme"]["status"] == "loaded"
    assert "every task refused (1)" in run_cli("plugins", env=env).stdout

    listing = run_cli("list", "tasks", "--suite", "mine", env=env)
    assert listing.returncode == 2 and listing.stdout == ""
    assert listing.stderr.splitlines()[-1].startswith(
        f"xlt-bench: error: --suite mine: suite 'mine' has no registered task: {refusal}"
    )


LOSSY_PLUGIN = """
from xlt_bench import hookimpl
from xlt_bench.runners.classification import ClassificationRunner
from xlt_bench.tasks import DataFiles, Suite, Task

class LossyRunner(ClassificationRunner):
    type = "lossy-classification"

    def predict(self, job):
        return super().predict(job)[:-1]  # one prediction short: accuracy by zip would still come out

@hookimpl
def xlt_register_runners(register):
    register(LossyRunner)

@hookimpl
def xlt_register_suites(register):
    register(Suite(name="lossy", description="a runner that breaks its contract", tasks=("nli",)))

@hookimpl
def xlt_register_tasks(register):
    register(Task(name="nli", suite="lossy", type="lossy-classification", languages=("de",), metric="accuracy",
                  main_metrics=("accuracy",), labels=("entailment", "neutral", "contradiction"),
                  inference={"max_length": 128}, data=(DataFiles("xnli-tsv", {"test": ("xnli.test.tsv",)}),)))
"""


@pytest.mark.slow
def test_a_runner_that_returns_one_prediction_short_fails_naming_itself_and_scores_nothing(tokenizer, tmp_path: Path):
    from xlt_bench.testing import tiny_checkpoint

    install_fake_distribution(
        tmp_path, "xlt-bench-lossy", {"xlt_bench_lossy": LOSSY_PLUGIN}, {"lossy": "xlt_bench_lossy"}
    )
    labels = ("entailment", "neutral", "contradiction")
    model = tiny_checkpoint(tmp_path / "nli", head="sequence-classification", labels=labels, tokenizer=tokenizer)
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]), "HF_HUB_OFFLINE": "1"}
    data = Path(__file__).parent / "fixtures" / "data"
    args = [
        "eval",
        "--model",
        str(model),
        "--suite",
        "lossy",
        "--data-dir",
        str(data),
        "--output",
        str(tmp_path / "run"),
    ]
    result = run_cli(*args, "--quiet", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "nli/de: the lossy-classification runner (plugin 'lossy') broke the runner contract: returned" in (
        result.stderr
    )
    assert "predictions for" in result.stderr and not list((tmp_path / "run").rglob("fragments/**/*.json"))
