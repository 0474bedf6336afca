"""`xlt_bench.evaluate`: the same run as `eval`, from a checkpoint path or a model in memory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import transformers
from helpers import FIXTURE_DATA, run_main, xnli_eval

import xlt_bench
from xlt_bench.errors import XltBenchError
from xlt_bench.lineage import Lineage
from xlt_bench.testing import tiny_checkpoint

XNLI = ["xtreme/xnli"]


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> Path:
    root = tmp_path_factory.mktemp("api") / "xnli"
    return tiny_checkpoint(
        root, head="sequence-classification", labels=("entailment", "neutral", "contradiction"), tokenizer=tokenizer
    )


def files(run: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted((run / "predictions" / "xnli").iterdir())}


def test_a_model_in_memory_gives_the_files_and_scores_eval_gives_and_keeps_training(ckpt: Path, tmp_path: Path):
    assert run_main(*xnli_eval(ckpt, tmp_path / "cli")).returncode == 0
    model = transformers.AutoModelForSequenceClassification.from_pretrained(ckpt)
    model.config.architectures = ["XLMRobertaForMaskedLM"]  # what a model made from a base checkpoint carries
    model.train()
    results = xlt_bench.evaluate(
        model,
        transformers.AutoTokenizer.from_pretrained(ckpt),
        tasks=XNLI,
        data_dir=FIXTURE_DATA,
        output=tmp_path / "memory",
        lineage=Lineage(label="mine"),
    )
    cli = json.loads((tmp_path / "cli" / "results.json").read_text())
    assert results.tasks["xnli"].languages == cli["tasks"]["xnli"]["languages"] and set(
        cli["tasks"]["xnli"]["languages"]
    ) == {"de", "en", "fr"}
    assert files(tmp_path / "memory") == files(tmp_path / "cli")
    assert results.model == "in memory: XLMRobertaForSequenceClassification (" + str(ckpt) + ")"
    assert results.lineage.label == "mine" and model.training  # training mode restored
    assert results.tasks["xnli"].checkpoints[0]["hash"].startswith("sha256:")


def test_a_path_is_eval_and_the_same_weights_resume_while_new_weights_are_a_new_checkpoint(ckpt: Path, tmp_path: Path):
    path_run = xlt_bench.evaluate(str(ckpt), tasks=XNLI, data_dir=FIXTURE_DATA, output=tmp_path / "path")
    assert (
        path_run.tasks["xnli"].languages
        == xlt_bench.evaluate(ckpt, tasks=XNLI, data_dir=FIXTURE_DATA).tasks["xnli"].languages
    )  # a PathLike, in a temporary folder that is gone afterwards
    model = transformers.AutoModelForSequenceClassification.from_pretrained(ckpt)
    tokenizer = transformers.AutoTokenizer.from_pretrained(ckpt)
    run = tmp_path / "memory"
    first = xlt_bench.evaluate(model, tokenizer, tasks=XNLI, data_dir=FIXTURE_DATA, output=run)
    again = xlt_bench.evaluate(model, tokenizer, tasks=XNLI, data_dir=FIXTURE_DATA, output=run)  # kept, not re-run
    assert again.tasks["xnli"].languages == first.tasks["xnli"].languages
    with __import__("torch").no_grad():
        model.classifier.out_proj.bias.add_(1.0)  # a training step later: another checkpoint
    with pytest.raises(XltBenchError, match="--overwrite"):
        xlt_bench.evaluate(model, tokenizer, tasks=XNLI, data_dir=FIXTURE_DATA, output=run)


def test_mistakes_are_one_line_errors(ckpt: Path):
    model = transformers.AutoModelForSequenceClassification.from_pretrained(ckpt)
    with pytest.raises(XltBenchError, match="needs its tokenizer"):
        xlt_bench.evaluate(model, tasks=XNLI)
    with pytest.raises(XltBenchError, match="a checkpoint brings its own"):
        xlt_bench.evaluate(str(ckpt), object(), tasks=XNLI)
    with pytest.raises(XltBenchError, match="its own device and dtype"):
        xlt_bench.evaluate(model, object(), tasks=XNLI, device="cpu")


def test_the_readme_quick_start_runs_as_written(ckpt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    """The README's first Python block, with only the checkpoint name replaced; its data comes from the prefetched
    cache (`prefetch` fills it), here with the handmade XNLI fixture."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert "xlt_bench.evaluate(model, tokenizer" in block and "my-xnli-checkpoint" in block
    cache = tmp_path / "cache"
    shutil.copytree(FIXTURE_DATA / "XNLI-1.0", cache / "data" / "xtreme" / "xnli" / "XNLI-1.0")
    monkeypatch.setenv("XLT_BENCH_CACHE", str(cache))
    exec(compile(block.replace("my-xnli-checkpoint", str(ckpt)), "README.md", "exec"), {})
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("{'accuracy': ") and float(printed.split(": ")[1].rstrip("}")) >= 0
