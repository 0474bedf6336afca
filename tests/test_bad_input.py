"""The bad-input corpus: every user mistake is exit 2 and one line (or a warning where the run can go on), never a
traceback, and a finished unit already in the output folder is byte-identical afterwards.

Each row: an id, the command (a function of the case's world, which it may also damage first), the expected exit
status, and a fragment of the expected `xlt-bench: error: ...` line (for exit 0: of a warning line).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import run_main

from xlt_bench.plugins.xtreme import PANX_TAGS, UPOS_TAGS
from xlt_bench.testing import tiny_checkpoint

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures" / "data"
XNLI_LABELS = ("entailment", "neutral", "contradiction")


@dataclass
class World:
    """One case's files: checkpoints, data, a finished run folder and score folders, all copies it may damage."""

    root: Path
    ckpt: Path  # per-task checkpoints: xnli, pawsx, udpos, panx
    data: Path  # XNLI, PAWS-X, PAN-X fixtures and the German UD sample
    run: Path  # xnli de/en/fr finished by `ckpt`
    limited: Path  # xnli de/en/fr with --limit 2
    mock: Path  # google-research/xtreme's mock submission (labels/, predictions/)

    def eval(self, *extra: str, tasks: str = "pawsx", output: Path | None = None) -> list[str]:
        output = self.run if output is None else output
        return ["eval", "--model", str(self.ckpt), "--tasks", tasks, "--data-dir", str(self.data)] + [
            "--output",
            str(output),
            "--quiet",
            "--suite",  # the tasks here are in several suites
            "xtreme",
            *extra,
        ]

    def model(self, name: str, task: str = "pawsx", *extra: str) -> list[str]:
        """eval with the checkpoint folder `name` (a damaged copy) for `task`."""
        args = self.eval(*extra, tasks=task)
        args[2] = str(self.root / name)
        return args

    def copy_ckpt(self, task: str, name: str) -> Path:
        target = self.root / name
        shutil.copytree(self.ckpt / task, target)
        return target

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    def score(self, *extra: str) -> list[str]:
        return ["score", "--predictions", str(self.mock / "predictions"), "--gold", str(self.mock / "labels"), *extra]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, tokenizer, real_samples: Path) -> World:
    root = tmp_path_factory.mktemp("world")
    ckpt = root / "ckpt"
    tiny_checkpoint(ckpt / "xnli", head="sequence-classification", labels=XNLI_LABELS, tokenizer=tokenizer, seed=1)
    tiny_checkpoint(ckpt / "pawsx", head="sequence-classification", labels=("0", "1"), tokenizer=tokenizer, seed=2)
    tiny_checkpoint(ckpt / "udpos", head="token-classification", labels=UPOS_TAGS, tokenizer=tokenizer, seed=3)
    tiny_checkpoint(ckpt / "panx", head="token-classification", labels=PANX_TAGS, tokenizer=tokenizer, seed=4)
    data = root / "data"
    shutil.copytree(FIXTURES, data)
    shutil.copytree(real_samples / "udpos" / "ud-treebanks-v2.5" / "UD_German-GSD", data / "UD_German-GSD")
    mock = root / "mock"
    shutil.copytree(real_samples / "xtreme_mock_test_data", mock)
    world = World(root, ckpt, data, root / "run", root / "limited", mock)
    for output, extra in ((world.run, ()), (world.limited, ("--limit", "2"))):
        result = run_main(*world.eval(*extra, tasks="xnli", output=output))
        assert result.returncode == 0, result.stderr
    return world


@pytest.fixture
def world(template: World, tmp_path: Path) -> World:
    """A fresh copy of the template world for one case (checkpoints and data are copied, not linked)."""
    shutil.copytree(template.root, tmp_path / "world")
    base = tmp_path / "world"
    return World(base, base / "ckpt", base / "data", base / "run", base / "limited", base / "mock")


def _auto_map(world: World) -> list[str]:
    folder = world.copy_ckpt("pawsx", "custom")
    marker = world.root / "MARKER"
    (folder / "custom.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    config = json.loads((folder / "config.json").read_text())
    config.update(model_type="my-own-model", auto_map={"AutoConfig": "custom.CustomConfig"})
    (folder / "config.json").write_text(json.dumps(config))
    return world.model("custom")


def _damaged_ckpt(task: str, change: Callable[[Path], None]) -> Callable[[World], list[str]]:
    def build(world: World) -> list[str]:
        change(world.copy_ckpt(task, "damaged"))
        return world.model("damaged", task)

    return build


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _data(relative: str, content: str | bytes, *args: str, task: str = "pawsx") -> Callable[[World], list[str]]:
    """eval `task` over a data folder holding only `relative` with `content`."""

    def build(world: World) -> list[str]:
        shutil.rmtree(world.data)
        path = world.data / relative
        path.parent.mkdir(parents=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return world.eval(*args, tasks=task)

    return build


def _edit(relative: str, old: str, new: str) -> Callable[[World], None]:
    def change(world: World) -> None:
        path = world.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


PAWSX_HEADER = "id\tsentence1\tsentence2\tlabel\n"
XNLI_HEADER = "language\tgold_label\tsentence1\tsentence2\n"
CONLLU = "# text = Ein Haus\n1\tEin\tein\tDET\t_\t_\t2\tdet\t_\t_\n2\tHaus\tHaus\tNOUN\t_\t_\t0\troot\t_\t_\n\n"


@dataclass(frozen=True)
class Case:
    id: str
    command: Callable[[World], list[str]]
    code: int
    message: str
    setup: Callable[[World], None] | None = None


CASES = [
    # -- argparse and option values --------------------------------------------------------------------------
    Case(
        "batch-size-word",
        lambda w: w.eval("--batch-size", "abc"),
        2,
        "--batch-size: expected a positive integer or 'auto', got 'abc'",
    ),
    Case(
        "batch-size-zero",
        lambda w: w.eval("--batch-size", "0"),
        2,
        "--batch-size: expected a positive integer or 'auto', got '0'",
    ),
    Case("batch-size-negative", lambda w: w.eval("--batch-size=-3"), 2, "--batch-size: expected a positive integer"),
    Case("limit-zero", lambda w: w.eval("--limit", "0"), 2, "--limit: expected a positive integer, got '0'"),
    Case("limit-float", lambda w: w.eval("--limit", "2.5"), 2, "--limit: expected a positive integer, got '2.5'"),
    Case("layer-word", lambda w: w.eval("--layer", "top"), 2, "--layer: expected an integer, got 'top'"),
    Case("seed-word", lambda w: w.eval("--seed", "x"), 2, "--seed: expected an integer from 0 to 2**32 - 1, got 'x'"),
    Case("num-beams-zero", lambda w: w.eval("--num-beams", "0"), 2, "--num-beams: expected a positive integer"),
    Case("max-new-tokens", lambda w: w.eval("--max-new-tokens", "-1"), 2, "--max-new-tokens: expected a positive"),
    Case(
        "device-name",
        lambda w: w.eval("--device", "gpu"),
        2,
        "--device: expected auto, cpu, cuda, cuda:N or mps, got 'gpu'",
    ),
    Case(
        "device-cuda", lambda w: w.eval("--device", "cuda"), 2, "--device cuda: CUDA is not available on this machine"
    ),
    Case("device-cuda-1", lambda w: w.eval("--device", "cuda:1"), 2, "--device cuda:1: CUDA is not available"),
    Case("dtype", lambda w: w.eval("--dtype", "float8"), 2, "--dtype: invalid choice: 'float8'"),
    Case("split", lambda w: w.eval("--split", "train"), 2, "--split: invalid choice: 'train'"),
    Case("seqeval-rules", lambda w: w.eval("--seqeval-rules", "2.0"), 2, "--seqeval-rules: invalid choice: '2.0'"),
    Case(
        "missing-model", lambda w: ["eval", "--output", str(w.run)], 2, "the following arguments are required: --model"
    ),
    Case("unknown-option", lambda w: w.eval("--batchsize", "3"), 2, "unrecognized arguments: --batchsize 3"),
    Case("unknown-command", lambda w: ["evaluate"], 2, "invalid choice: 'evaluate'"),
    Case("list-what", lambda w: ["list", "models"], 2, "what: invalid choice: 'models'"),
    Case("no-command", lambda w: [], 2, "the following arguments are required: COMMAND"),
    Case("unknown-plugin", lambda w: ["-p", "no_such_plugin_xyz", "list", "suites"], 2, "no_such_plugin_xyz"),
    Case(
        "resamples-zero",
        lambda w: ["leaderboard", str(w.run), "--resamples", "0"],
        2,
        "--resamples: expected an integer from 1 to 100000, got '0'",
    ),
    Case(
        "compare-resamples",
        lambda w: ["compare", str(w.run), str(w.run), "--resamples", "x"],
        2,
        "--resamples: expected",
    ),
    Case(
        "tolerance-negative",
        lambda w: ["compare", str(w.run), str(w.run), "--tolerance=-1"],
        2,
        "--tolerance: expected a finite number >= 0, got '-1'",
    ),
    Case(
        "demo-steps",
        lambda w: ["demo", "--steps", "0", "--output", str(w.root / "demo")],
        2,
        "--steps: expected a positive",
    ),
    Case(
        "demo-overwrite-foreign",
        lambda w: ["demo", "--output", str(w.run), "--overwrite"],
        2,
        "not a folder `xlt-bench demo` made (no .xlt-bench-demo); not deleted",
    ),
    Case("demo-epochs", lambda w: ["demo", "--epochs", "many"], 2, "--epochs: expected a positive integer"),
    Case(
        "seed-negative", lambda w: w.eval("--seed=-1"), 2, "--seed: expected an integer from 0 to 2**32 - 1, got '-1'"
    ),
    Case("seed-huge", lambda w: w.eval("--seed", str(2**40)), 2, "--seed: expected an integer from 0 to 2**32 - 1"),
    Case(
        "resamples-huge",
        lambda w: ["leaderboard", str(w.run), "--resamples", "200000000"],
        2,
        "--resamples: expected an integer from 1 to 100000",
    ),
    Case(
        "tolerance-inf",
        lambda w: ["compare", str(w.run), str(w.run), "--tolerance", "inf"],
        2,
        "--tolerance: expected a finite number >= 0",
    ),
    Case("output-empty", lambda w: w.eval(output=""), 2, "--output: expected a path, got ''"),
    Case("data-dir-empty", lambda w: w.eval("--data-dir", ""), 2, "--data-dir: expected a path, got ''"),
    Case("plugin-empty", lambda w: ["-p", "no:", "list", "suites"], 2, "-p 'no:': expected a plugin name"),
    Case("list-type", lambda w: ["list", "tasks", "--type", "bogus"], 2, "--type bogus: no such task type here"),
    Case("list-language", lambda w: ["list", "tasks", "--language", "zz"], 2, "--language zz: no installed task has"),
    Case(
        "compare-tasks-typo",
        lambda w: ["compare", str(w.run), str(w.run), "--tasks", "xnli,tatoebaa"],
        2,
        "--tasks: tatoebaa not in suite 'xtreme'",
    ),
    # -- task, language and label-map selection ----------------------------------------------------------------
    Case("tasks-comma", lambda w: w.eval(tasks=","), 2, "--tasks: expected comma-separated names, got ','"),
    Case("tasks-empty", lambda w: w.eval(tasks=""), 2, "--tasks: expected comma-separated names, got ''"),
    Case("tasks-unknown", lambda w: w.eval(tasks="xnli,nosuch"), 2, "--tasks: nosuch not in suite 'xtreme'"),
    Case("languages-comma", lambda w: w.eval("--languages", ",,"), 2, "--languages: expected comma-separated names"),
    Case("languages-unknown", lambda w: w.eval("--languages", "xx"), 2, "--languages: xx not a language of pawsx"),
    Case("suite-unknown", lambda w: w.eval("--suite", "xtrem"), 2, "unknown suite 'xtrem'"),
    Case(
        "label-map-other-task",
        lambda w: w.eval("--label-map", "xnli:a=entailment"),
        2,
        "--label-map names xnli, not a task of this run (pawsx)",
    ),
    Case(
        "label-map-syntax",
        lambda w: w.eval("--label-map", "pawsx"),
        2,
        "--label-map 'pawsx': expected TASK:MODEL_LABEL=TASK_LABEL",
    ),
    Case(
        "label-map-yaml",
        lambda w: w.eval("--label-map", str(w.write("map.yaml", "pawsx: [unclosed"))),
        2,
        "map.yaml: cannot parse label map",
    ),
    Case(
        "label-map-shape",
        lambda w: w.eval("--label-map", str(w.write("map.json", '["a"]'))),
        2,
        "map.json: expected {task: {model_label: task_label}}",
    ),
    Case(
        "label-map-target",
        lambda w: w.eval("--label-map", "pawsx:0=zero,1=one"),
        2,
        "nothing was scored for pawsx: pawsx: --label-map for pawsx maps '0' to 'zero'",
    ),
    Case(
        "languages-of-no-task",
        lambda w: w.eval("--languages", "sw", tasks="pawsx,xnli", output=w.root / "new"),
        2,
        "nothing was scored for pawsx, xnli: pawsx: none of --languages",
    ),
    # -- --model: paths, manifests, checkpoints ------------------------------------------------------------------
    Case("model-missing", lambda w: w.model("nowhere/"), 2, "nowhere: no such file or folder"),
    Case(
        "model-not-a-checkpoint",
        lambda w: w.model("data"),
        2,
        "neither a checkpoint (no config.json) nor a folder of per-task checkpoints",
    ),
    Case(
        "manifest-yaml",
        lambda w: w.model(w.write("m.yaml", "pawsx: [").name),
        2,
        "m.yaml: cannot parse the model manifest",
    ),
    Case(
        "manifest-list",
        lambda w: w.model(w.write("m.yaml", "- ckpt/pawsx\n").name),
        2,
        "m.yaml: expected a mapping of task name to checkpoint path",
    ),
    Case(
        "manifest-entry",
        lambda w: w.model(w.write("m.yaml", "pawsx: 3\n").name),
        2,
        "m.yaml: entry 'pawsx' must be a path or a mapping",
    ),
    Case(
        "manifest-label-map",
        lambda w: w.model(w.write("m.yaml", "pawsx: {path: ckpt/pawsx, label_map: [1]}\n").name),
        2,
        "pawsx.label_map must be a mapping",
    ),
    Case(
        "manifest-no-entry",
        lambda w: w.model(w.write("m.yaml", "xnli: ckpt/xnli\n").name),
        2,
        "nothing was scored for pawsx: pawsx: no entry pawsx in manifest",
    ),
    Case(
        "manifest-non-utf8",
        lambda w: w.model(w.write("m.yaml", b"pawsx: \xff\xfe\n").name),
        2,
        "m.yaml: cannot parse the model manifest",
    ),
    Case("ckpt-wrong-head", lambda w: w.model("ckpt/udpos"), 2, "is not a *ForSequenceClassification checkpoint"),
    Case(
        "ckpt-auto-map",
        _auto_map,
        2,
        "asks to run the checkpoint's own code (auto_map: custom.CustomConfig); pass --trust-remote-code",
    ),
    Case(
        "ckpt-config-json",
        _damaged_ckpt("pawsx", lambda f: (f / "config.json").write_text("{oops")),
        2,
        "cannot read the config of",
    ),
    Case(
        "ckpt-no-tokenizer",
        _damaged_ckpt(
            "pawsx",
            lambda f: [(f / n).unlink() for n in ("tokenizer.json", "sentencepiece.bpe.model") if (f / n).exists()],
        ),
        2,
        "no tokenizer files",
    ),
    Case(
        "ckpt-no-weights",
        _damaged_ckpt("pawsx", lambda f: (f / "model.safetensors").unlink()),
        2,
        "no model weights (looked for model.safetensors",
    ),
    Case(
        "ckpt-truncated",
        _damaged_ckpt("pawsx", lambda f: _truncate(f / "model.safetensors")),
        2,
        "model.safetensors: truncated safetensors file",
    ),
    Case(
        "ckpt-garbage",
        _damaged_ckpt("pawsx", lambda f: (f / "model.safetensors").write_bytes(b"\x00" * 4)),
        2,
        "model.safetensors: not a safetensors file or truncated",
    ),
    Case(
        "ckpt-pickle",
        _damaged_ckpt("pawsx", lambda f: (f / "model.safetensors").rename(f / "pytorch_model.bin")),
        2,
        "pytorch_model.bin: pickle weights can run code when loaded",
    ),
    Case("ckpt-generic-labels", lambda w: w.model("ckpt/xnli", "pawsx"), 2, "nothing was scored for pawsx"),
    # -- --output, --data-dir, --cache-dir ------------------------------------------------------------------
    Case(
        "output-is-a-file", lambda w: w.eval(output=w.write("file.txt", "x")), 2, "file.txt: exists and is not a folder"
    ),
    Case(
        "output-below-a-file",
        lambda w: w.eval(output=w.write("file.txt", "x") / "run"),
        2,
        "cannot create the folder (Not a directory)",
    ),
    Case(
        "output-not-utf8",
        lambda w: w.eval(output=Path(os.fsdecode(bytes(w.root) + b"/copie_\xe9t\xe9"))),
        2,
        "the path is not valid UTF-8; rename it",
    ),
    Case("data-dir-missing", lambda w: w.eval("--data-dir", str(w.root / "nodata")), 2, "nodata: not a folder"),
    Case("cache-dir-is-a-file", lambda w: w.eval("--cache-dir", str(w.write("cache", "x"))), 2, "--cache-dir"),
    Case(
        "prefetch-cache-dir-file",
        lambda w: ["prefetch", "--suite", "xtreme", "--tasks", "xnli", "--cache-dir", str(w.write("cache", "x"))],
        2,
        "--cache-dir",
    ),
    Case("prefetch-tasks-comma", lambda w: ["prefetch", "--tasks", ","], 2, "--tasks: expected comma-separated names"),
    Case("prefetch-unknown-task", lambda w: ["prefetch", "--tasks", "nosuch"], 2, "nosuch"),
    Case("prefetch-suite", lambda w: ["prefetch", "--suite", "nosuch"], 2, "unknown suite 'nosuch'"),
    Case(
        "tasks-in-several-suites",
        lambda w: ["eval", "--model", str(w.ckpt), "--tasks", "xnli", "--output", str(w.root / "new")],
        2,
        "--tasks: task 'xnli' is in several suites; write xglue/xnli or xtreme/xnli or xtreme-r/xnli (or pass --suite)",
    ),
    Case(
        "tasks-of-two-suites",
        lambda w: ["eval", "--model", str(w.ckpt), "--tasks", "bucc2018,xcopa", "--output", str(w.root / "new")],
        2,
        "--tasks names tasks of several suites: bucc2018 (xtreme), xcopa (xtreme-r); pass --suite or run them apart",
    ),
    Case("revision-local-model", lambda w: w.eval("--revision", "v1.0"), 2, "--revision v1.0: --model "),
    Case("prefetch-tasks-in-several-suites", lambda w: ["prefetch", "--tasks", "udpos"], 2, "'udpos' is in several"),
    # -- the run folder: one configuration ---------------------------------------------------------------
    Case(
        "run-other-checkpoint",
        lambda w: _other_xnli(w),
        2,
        "already holds xnli/de from a different configuration (differs in: checkpoint)",
    ),
    Case("run-limit", lambda w: w.eval("--limit", "3", tasks="xnli"), 2, "(differs in: limit none here, 3 requested)"),
    Case(
        "run-limit-other-task",
        lambda w: w.eval("--limit", "3", tasks="pawsx"),
        2,
        "differs in: limit none here, 3 requested",
    ),
    Case(
        "run-label",
        lambda w: w.eval("--label", "renamed", tasks="xnli"),
        2,
        'lineage.label none here, "renamed" requested',
    ),
    Case("run-intermediate", lambda w: w.eval("--intermediate", "mnli", tasks="pawsx"), 2, "lineage.intermediate"),
    Case(
        "run-dtype", lambda w: w.eval("--dtype", "float32", tasks="xnli"), 2, 'dtype "auto" here, "float32" requested'
    ),
    Case(
        "run-suite",
        lambda w: w.eval("--suite", "xtreme-r", tasks="xnli"),
        2,
        'suite "xtreme" here, "xtreme-r" requested',
    ),
    Case(
        "run-damaged-fragment",
        lambda w: w.eval(tasks="xnli"),
        0,
        "fragments/xnli/test-fr.json: invalid JSON",
        _edit("run/fragments/xnli/test-fr.json", "{", "["),
    ),
    Case(
        "run-foreign-fragment",
        lambda w: w.eval(tasks="xnli"),
        0,
        "test-en.json: not a fragment written by xlt-bench eval",
        lambda w: w.write("run/fragments/xnli/test-en.json", "[1, 2]"),
    ),
    # -- data files: formats, encodings, inventories ---------------------------------------------------------
    Case(
        "pawsx-no-header",
        _data("x-final/de/test_2k.tsv", "1\ta\tb\t1\n"),
        2,
        "test_2k.tsv:1: expected a header with columns id, sentence1, sentence2, label",
    ),
    Case(
        "pawsx-short-row",
        _data("x-final/de/test_2k.tsv", PAWSX_HEADER + "1\tonly one\n"),
        2,
        "test_2k.tsv:2: expected at least 4 tab-separated columns",
    ),
    Case(
        "pawsx-label",
        _data("x-final/de/test_2k.tsv", PAWSX_HEADER + "1\ta\tb\t2\n"),
        2,
        "test_2k.tsv: example '1': gold label '2' is not a xtreme/pawsx label",
    ),
    Case("pawsx-duplicate-id", _data("x-final/de/test_2k.tsv", PAWSX_HEADER + "7\ta\tb\t1\n7\tc\td\t0\n"), 2, "'7'"),
    Case(
        "pawsx-latin1",
        _data("x-final/de/test_2k.tsv", (PAWSX_HEADER + "1\tFluß\tb\t1\n").encode("latin-1")),
        2,
        "test_2k.tsv: not UTF-8 text",
    ),
    Case("pawsx-is-a-folder", _data("x-final/de/test_2k.tsv/x", "x"), 2, "nothing was scored for pawsx"),
    Case(
        "pawsx-ambiguous",
        lambda w: (w.write("data/copy/x-final/de/test_2k.tsv", PAWSX_HEADER), w.eval("--languages", "de"))[1],
        2,
        "files match",
    ),
    Case(
        "xnli-label",
        _data("XNLI-1.0/xnli.test.tsv", XNLI_HEADER + "de\tmaybe\ta\tb\n", "--languages", "de", task="xnli"),
        2,
        "xnli.test.tsv:2",
    ),
    Case(
        "xnli-missing-column",
        _data("XNLI-1.0/xnli.test.tsv", "language\tsentence1\tsentence2\n", task="xnli"),
        2,
        "missing gold_label",
    ),
    Case(
        "conllu-columns",
        _data("UD_German-GSD/de_gsd-ud-test.conllu", "1\tEin\tein\tDET\n\n", "--languages", "de", task="udpos"),
        2,
        "de_gsd-ud-test.conllu:1: expected 10 tab-separated CoNLL-U columns, found 4",
    ),
    Case(
        "conllu-upos",
        _data(
            "UD_German-GSD/de_gsd-ud-test.conllu", CONLLU.replace("NOUN", "NOUNX"), "--languages", "de", task="udpos"
        ),
        2,
        "de_gsd-ud-test.conllu:3",
    ),
    Case(
        "conllu-utf16",
        _data("UD_German-GSD/de_gsd-ud-test.conllu", CONLLU.encode("utf-16"), "--languages", "de", task="udpos"),
        2,
        "de_gsd-ud-test.conllu: not UTF-8 text",
    ),
    Case(
        "conllu-token-id",
        _data(
            "UD_German-GSD/de_gsd-ud-test.conllu",
            CONLLU.replace("2\tHaus", "x\tHaus"),
            "--languages",
            "de",
            task="udpos",
        ),
        2,
        "malformed token id 'x'",
    ),
    Case(
        "conllu-token-id-jump",  # 1, then 3: a word would silently go missing from gold and predictions
        _data(
            "UD_German-GSD/de_gsd-ud-test.conllu",
            CONLLU.replace("2\tHaus", "3\tHaus"),
            "--languages",
            "de",
            task="udpos",
        ),
        2,
        "de_gsd-ud-test.conllu:3: token id 3; expected 2",
    ),
    Case(
        "conllu-range-past-end",
        _data(
            "UD_German-GSD/de_gsd-ud-test.conllu",
            CONLLU.replace("2\tHaus", "2-3\tHaus\t_\t_\t_\t_\t_\t_\t_\t_\n2\tHaus"),
            "--languages",
            "de",
            task="udpos",
        ),
        2,
        "de_gsd-ud-test.conllu:3: multiword token 2-3 ends past the sentence's last word",
    ),
    Case(
        "inference-max-length-zero",
        lambda w: w.eval("--inference", "max_length=0", "--languages", "de", tasks="udpos"),
        2,
        "max_length 0; expected a whole number of at least 4",
    ),
    Case(
        "inference-max-length-text",
        lambda w: w.eval("--inference", "max_length=long", "--languages", "de", tasks="udpos"),
        2,
        "max_length 'long'; expected a whole number",
    ),
    Case(
        "panx-no-prefix",
        _data("panx_dataset/de-test", "Berlin\tB-LOC\n", "--languages", "de", task="panx"),
        2,
        "de-test:1: expected '<lang>:<token><TAB><tag>'",
    ),
    Case(
        "panx-tag",
        _data("panx_dataset/de-test", "de:Berlin\tB-CITY\n", "--languages", "de", task="panx"),
        2,
        "de-test:1",
    ),
    Case(
        "panx-nothing",
        _data("panx_dataset/de-test", "", "--languages", "de", task="panx"),
        2,
        "nothing was scored for panx",
    ),
    # -- score ------------------------------------------------------------------------------------------------
    Case(
        "score-predictions-missing",
        lambda w: ["score", "--predictions", str(w.root / "nope"), "--gold", str(w.mock / "labels")],
        2,
        "--predictions",
    ),
    Case(
        "score-gold-file",
        lambda w: ["score", "--predictions", str(w.mock / "predictions"), "--gold", str(w.write("g", "x"))],
        2,
        "--gold",
    ),
    Case(
        "score-no-gold",
        lambda w: ["score", "--predictions", str(w.mock / "predictions"), "--gold", str(w.data)],
        2,
        "no gold file of suite 'xtreme'",
    ),
    Case(
        "score-missing-prediction",
        lambda w: w.score(),
        2,
        "test-ko.tsv: prediction file missing",
        lambda w: (w.mock / "predictions/pawsx/test-ko.tsv").unlink(),
    ),
    Case(
        "score-line-count",
        lambda w: w.score(),
        2,
        "does not line up with",
        _edit("mock/predictions/xnli/test-de.tsv", "\n", "\nneutral\n"),
    ),
    Case(
        "score-json",
        lambda w: w.score(),
        2,
        "test-en.json:1: invalid JSON",
        lambda w: w.write("mock/predictions/xquad/test-en.json", "{oops"),
    ),
    Case(
        "score-answer-type",
        lambda w: w.score(),
        2,
        "is int, expected a string",
        lambda w: w.write("mock/predictions/xquad/test-en.json", '{"56beb4343aeaaa14008c925c": 3}'),
    ),
    Case(
        "score-prediction-latin1",
        lambda w: w.score(),
        2,
        "test-de.tsv: not UTF-8 text",
        lambda w: w.write("mock/predictions/xnli/test-de.tsv", "entailm\xe9nt\n".encode("latin-1")),
    ),
    Case(
        "score-prediction-folder",
        lambda w: w.score(),
        2,
        "test-de.tsv: is a folder, expected a prediction file",
        lambda w: (
            (w.mock / "predictions/xnli/test-de.tsv").unlink(),
            (w.mock / "predictions/xnli/test-de.tsv").mkdir(),
        ),
    ),
    Case(
        "score-strict",
        lambda w: w.score("--strict"),
        2,
        "gold file",
        lambda w: (w.mock / "labels/xnli/test-sw.tsv").unlink(),
    ),
    Case("score-seqeval-rules", lambda w: w.score("--seqeval-rules", "0.0.13"), 2, "--seqeval-rules: invalid choice"),
    # -- leaderboard and compare ------------------------------------------------------------------------------
    Case(
        "compare-missing",
        lambda w: ["compare", str(w.root / "nope"), str(w.run)],
        2,
        "nope: no such run folder, results file or baseline",
    ),
    Case("compare-json", lambda w: ["compare", str(w.write("r.json", "{")), str(w.run)], 2, "r.json:1: invalid JSON"),
    Case(
        "compare-not-results",
        lambda w: ["compare", str(w.write("results.json", '{"a": 1}')), str(w.run)],
        2,
        "not an xlt-bench results.json",
    ),
    Case(
        "compare-limited",
        lambda w: ["compare", str(w.run), str(w.limited)],
        2,
        "limited is a --limit 2 run and /",
    ),
    Case(
        "compare-limited-allowed",
        lambda w: ["compare", str(w.run), str(w.limited), "--allow-limited", "--per-language", "--tolerance", "100"],
        0,
        "not comparable to full runs",
    ),
    Case(
        "compare-task-version",
        lambda w: ["compare", str(w.run), str(_rescored(w, version=2))],
        2,
        "xnli is predicted or scored differently in",
    ),
    Case(
        "leaderboard-seqeval-rules",
        lambda w: ["leaderboard", str(w.run), str(_rescored(w, metric_params={"seqeval_rules": "1.x"}))],
        2,
        "their numbers are not comparable; re-run one of them",
    ),
    Case(
        "leaderboard-nothing", lambda w: ["leaderboard"], 2, "leaderboard: give run folders (RUN...) and/or --baselines"
    ),
    Case(
        "compare-junit-unwritable",
        lambda w: ["compare", str(w.run), str(w.run), "--junit", str(w.write("file", "x") / "junit.xml")],
        2,
        "world/file: Not a directory",
    ),
    Case(
        "compare-edited-results",
        lambda w: ["compare", str(w.run), str(_rescored(w, languages=_zeroed(w))), "--per-language"],
        2,
        "xnli/de: the prediction and label files of",
    ),
    Case(
        "results-tasks-list",
        lambda w: ["leaderboard", str(_results_with(w, tasks=[]))],
        2,
        "tasks must be an object of task entries",
    ),
    Case(
        "results-entry-string",
        lambda w: ["leaderboard", str(_results_with(w, tasks={"xnli": "good"}))],
        2,
        "tasks.xnli must be an object",
    ),
    Case(
        "results-metric-string",
        lambda w: ["compare", str(w.run), str(_rescored(w, languages={"de": {"accuracy": "40"}}))],
        2,
        "tasks.xnli.languages.de.accuracy must be a finite number",
    ),
    Case(
        "results-metric-nan",
        lambda w: ["compare", str(w.run), str(_rescored(w, languages={"de": {"accuracy": float("nan")}}))],
        2,
        "tasks.xnli.languages.de.accuracy must be a finite number",
    ),
    Case(
        "results-metric-renamed",
        lambda w: ["compare", str(w.run), str(_rescored(w, languages={"de": {"acc": 40.0}}))],
        2,
        "tasks.xnli.languages.de must be an object with accuracy",
    ),
    Case(
        "results-lineage-string",
        lambda w: ["leaderboard", str(_results_with(w, lineage="mine"))],
        2,
        "lineage must be an object",
    ),
    Case(
        "results-config-list",
        lambda w: ["leaderboard", str(_results_with(w, config=[]))],
        2,
        "config must be an object",
    ),
    Case(
        "results-suite-int", lambda w: ["leaderboard", str(_results_with(w, suite=3))], 2, "suite must be a suite name"
    ),
    Case(
        "baseline-source",
        lambda w: [
            "leaderboard",
            str(w.write("b.json", '{"name": "x", "suite": "xtreme", "source": "paper", "tasks": {}}')),
        ],
        2,
        "b.json: source must be an object",
    ),
    Case(
        "baseline-tasks",
        lambda w: [
            "leaderboard",
            str(w.write("b.json", '{"name": "x", "suite": "xtreme", "source": {}, "tasks": []}')),
        ],
        2,
        "b.json: tasks must be an object of task entries",
    ),
    Case(
        "compare-split",
        lambda w: ["compare", str(w.run), str(_results_with(w, split="dev"))],
        2,
        "scores the test split, ",
    ),
    Case("compare-suite", lambda w: ["compare", "unicoder_xglue", str(w.run)], 2, "is a xglue run"),
    Case("leaderboard-limited", lambda w: ["leaderboard", str(w.run), str(w.limited)], 2, "pass --allow-limited"),
    Case(
        "leaderboard-task",
        lambda w: ["leaderboard", str(w.run), "--task", "nosuch"],
        2,
        "--task nosuch: not a task of suite xtreme",
    ),
    Case(
        "leaderboard-baseline",
        lambda w: ["leaderboard", str(w.write("b.json", '{"name": "x"}'))],
        2,
        "b.json: baseline file without 'suite'",
    ),
    Case(
        "leaderboard-run-tasks",
        lambda w: ["leaderboard", str(w.run)],
        2,
        "tasks.xnli.languages must be an object",
        lambda w: _edit_xnli(w.run, languages=[]),
    ),
]


def _other_xnli(world: World) -> list[str]:
    """eval xnli into the finished run with a checkpoint of other weights."""
    folder = world.copy_ckpt("xnli", "other/xnli")
    tiny_checkpoint(folder, head="sequence-classification", labels=XNLI_LABELS, sentences=["a b c", "d e"] * 30, seed=8)
    args = world.eval(tasks="xnli")
    args[2] = str(world.root / "other")
    return args


def _edit_xnli(run: Path, **fields: object) -> None:
    """Change fields of a run's results.json entry for xnli."""
    path = run / "results.json"
    document = json.loads(path.read_text())
    document["tasks"]["xnli"].update(fields)
    path.write_text(json.dumps(document))


def _rescored(world: World, **fields: object) -> Path:
    """A copy of the finished run whose xnli entry says it was scored another way."""
    copy = world.root / "rescored"
    shutil.copytree(world.run, copy)
    _edit_xnli(copy, **fields)
    return copy


def _results_with(world: World, **fields: object) -> Path:
    """A copy of the finished run's results.json with top-level fields replaced."""
    document = json.loads((world.run / "results.json").read_text())
    return world.write("edited/results.json", json.dumps({**document, **fields}))


def _zeroed(world: World) -> dict:
    """The finished run's xnli languages with German's accuracy set to 0 (as an edit by hand would)."""
    languages = json.loads((world.run / "results.json").read_text())["tasks"]["xnli"]["languages"]
    return {**languages, "de": {"accuracy": 0.0}}


def _run_files(run: Path) -> dict[str, bytes]:
    return {
        p.relative_to(run).as_posix(): p.read_bytes()
        for p in sorted(run.rglob("*"))
        if p.is_file() and not p.name.startswith(".lock") and p.name != "results.json"
    }


def test_the_corpus_is_large():
    assert len(CASES) >= 80 and len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, world: World):
    if case.setup is not None:
        case.setup(world)
    finished = world.run / "fragments" / "xnli" / "test-de.json"
    before = {name: content for name, content in _run_files(world.run).items() if "test-de" in name}
    assert before and finished.is_file()
    result = run_main(*case.command(world))
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == case.code, result.stderr
    if case.code == 2:
        lines = [line for line in result.stderr.splitlines() if not line.startswith("xlt-bench: warning: ")]
        assert len(lines) == 1 and lines[0].startswith("xlt-bench: error: "), result.stderr
        assert case.message in lines[0], lines[0]
    else:
        assert case.message in result.stderr, result.stderr
    after = {name: content for name, content in _run_files(world.run).items() if "test-de" in name}
    assert after == before  # the finished xnli/de unit is untouched, whatever the case did
    assert not (world.root / "MARKER").exists()  # no checkpoint code ran
