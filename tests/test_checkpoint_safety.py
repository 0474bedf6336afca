"""Checkpoints are consent-checked and file-checked before anything of them runs or loads: a checkpoint's own code
(config.json `auto_map`) and pickle weights need `--trust-remote-code`, transformers never prompts on stdin, and a
folder without tokenizer or weights, or with a truncated safetensors file, is one `xlt-bench: error:` line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import run_main

from xlt_bench.errors import XltBenchError
from xlt_bench.labels import CheckpointMismatch
from xlt_bench.model_adapters import LoadedModel, ModelAdapter
from xlt_bench.models import CheckpointChoice, ModelPlan, inspect_checkpoint, load_model
from xlt_bench.registry import load_registry
from xlt_bench.testing import tiny_checkpoint, tiny_tokenizer

pytestmark = pytest.mark.slow
DATA = Path(__file__).parent / "fixtures" / "data"
XNLI_LABELS = ("entailment", "neutral", "contradiction")
SENTENCES = ["The cat sat on the mat.", "Le chat est sur le tapis.", "Die Katze sitzt auf der Matte."]
OWN_CODE = """
import pathlib

pathlib.Path({marker!r}).touch()  # what any code in a checkpoint could do: it runs with the user's rights

from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification


class CustomConfig(XLMRobertaConfig):
    model_type = "xlt-custom"


class CustomForSequenceClassification(XLMRobertaForSequenceClassification):
    config_class = CustomConfig
"""
WITH_PERMISSION = """
import sys
from xlt_bench.models import CheckpointChoice, inspect_checkpoint, load_model
from xlt_bench.registry import load_registry

registry = load_registry()
adapters = registry.adapters_for("sequence-classification")
choice = CheckpointChoice(sys.argv[1], "test")
plan = inspect_checkpoint(registry.task("xtreme/xnli"), choice, adapters, None, trust_remote_code=True)
print(type(load_model(plan, "cpu", "auto").model).__name__)
"""


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("base") / "xnli"
    return tiny_checkpoint(folder, SENTENCES, head="sequence-classification", labels=XNLI_LABELS)


@pytest.fixture
def ckpt(base: Path, tmp_path: Path) -> Path:
    """A fresh copy of the tiny XNLI checkpoint, to break."""
    return Path(shutil.copytree(base, tmp_path / "ckpt"))


def inspect(registry, path: Path, trust_remote_code: bool = False) -> ModelPlan:
    adapters = registry.adapters_for("sequence-classification")
    choice = CheckpointChoice(str(path), "test")
    return inspect_checkpoint(registry.task("xtreme/xnli"), choice, adapters, None, trust_remote_code)


def eval_xnli(path: Path, run: Path) -> list[str]:
    """`eval --tasks xnli` on `path`: its exit status must be 2; the error lines it printed."""
    args = ["eval", "--model", str(path), "--tasks", "xnli", "--data-dir", str(DATA), "--output", str(run), "--quiet"]
    result = run_main(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert not list(run.rglob("*.json")), "nothing must be scored or saved"
    return result.stderr.splitlines()


def with_own_code(ckpt: Path, marker: Path) -> Path:
    config = json.loads((ckpt / "config.json").read_text())
    config.update(
        model_type="xlt-custom",
        architectures=["CustomForSequenceClassification"],
        auto_map={
            "AutoConfig": "custom.CustomConfig",
            "AutoModelForSequenceClassification": "custom.CustomForSequenceClassification",
        },
    )
    (ckpt / "config.json").write_text(json.dumps(config))
    (ckpt / "custom.py").write_text(OWN_CODE.format(marker=str(marker)))
    return ckpt


def save_pickle(ckpt: Path, extra: object | None = None) -> Path:
    """Replace model.safetensors by pytorch_model.bin (plus `extra` in the pickle)."""
    import torch
    from safetensors.torch import load_file

    weights = load_file(ckpt / "model.safetensors")
    torch.save({**weights, **({"extra": extra} if extra is not None else {})}, ckpt / "pytorch_model.bin")
    (ckpt / "model.safetensors").unlink()
    return ckpt / "pytorch_model.bin"


class Touch:
    """Unpickling this creates a file: how pickle weights run code."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_checkpoint_code_never_runs_without_permission_even_when_stdin_says_yes(ckpt: Path, tmp_path: Path):
    marker = tmp_path / "code-ran"
    with_own_code(ckpt, marker)
    args = ["eval", "--model", str(ckpt), "--tasks", "xnli", "--data-dir", str(DATA), "--output", str(tmp_path / "r")]
    env = {**os.environ, "HF_MODULES_CACHE": str(tmp_path / "modules")}
    result = subprocess.run(
        [sys.executable, "-m", "xlt_bench.cli", *args], input="y\n", capture_output=True, text=True, env=env
    )
    reason = (
        f"{ckpt}: its config.json asks to run the checkpoint's own code (auto_map: custom.CustomConfig, "
        "custom.CustomForSequenceClassification); pass --trust-remote-code to allow it"
    )
    assert result.returncode == 2 and f"xlt-bench: error: nothing was scored for xnli: xnli: {reason}" in result.stderr
    assert "[y/N]" not in result.stdout + result.stderr
    assert not marker.exists() and not (tmp_path / "modules").exists()


def test_checkpoint_code_is_a_one_line_mismatch_and_runs_with_permission(ckpt: Path, tmp_path: Path, registry):
    marker = tmp_path / "code-ran"
    with_own_code(ckpt, marker)
    with pytest.raises(CheckpointMismatch, match="its config.json asks to run the checkpoint's own code") as refused:
        inspect(registry, ckpt)
    assert "\n" not in str(refused.value) and not marker.exists()
    # with permission (in a subprocess, so that transformers' module cache goes to tmp_path) the code is imported
    env = {**os.environ, "HF_MODULES_CACHE": str(tmp_path / "modules")}
    allowed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WITH_PERMISSION), str(ckpt)], capture_output=True, text=True, env=env
    )
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.split() == ["CustomForSequenceClassification"] and marker.exists()


@pytest.mark.parametrize("removed", [("tokenizer.json",), ("tokenizer.json", "tokenizer_config.json")])
def test_a_folder_without_tokenizer_files_is_refused(ckpt: Path, tmp_path: Path, removed: tuple[str, ...]):
    for name in removed:
        (ckpt / name).unlink()
    [line] = eval_xnli(ckpt, tmp_path / "run")
    assert line.startswith(f"xlt-bench: error: {ckpt}: no tokenizer files (looked for tokenizer.json, vocab.txt, ")
    assert "*.model" in line and "ByT5Tokenizer" in line


def test_a_tokenizer_much_smaller_than_the_embedding_is_refused_after_loading(tmp_path: Path, registry):
    big = tiny_tokenizer([chr(0x4E00 + i) for i in range(300)], characters_only=True)
    ckpt = tiny_checkpoint(tmp_path / "ckpt", head="sequence-classification", labels=XNLI_LABELS, tokenizer=big)
    tiny_tokenizer(["ab"], characters_only=True).save_pretrained(ckpt)  # another model's tokenizer files
    with pytest.raises(XltBenchError) as refused:
        load_model(inspect(registry, ckpt), "cpu", "auto")
    assert str(refused.value) == (
        f"{ckpt}: its tokenizer has 8 tokens for a model embedding 306; its tokenizer files are missing or belong "
        "to another model"
    )


def test_a_folder_without_weights_is_refused(ckpt: Path, tmp_path: Path):
    (ckpt / "model.safetensors").unlink()
    assert eval_xnli(ckpt, tmp_path / "run") == [
        f"xlt-bench: error: {ckpt}: no model weights (looked for model.safetensors, model.safetensors.index.json, "
        "pytorch_model.bin, pytorch_model.bin.index.json)"
    ]


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda data: data[: len(data) // 2], "truncated safetensors file (tensor '"),
        (lambda data: data[:5], "not a safetensors file or truncated (header length ?, file size 5 bytes)"),
        (lambda data: b"not a safetensors file", "not a safetensors file or truncated (header length "),
        (lambda data: (4).to_bytes(8, "little") + b"[1, " + data[12:], "corrupt safetensors file (its header is not"),
    ],
    ids=["half", "5 bytes", "text", "bad header"],
)
def test_a_corrupt_safetensors_file_is_refused_naming_it(ckpt: Path, tmp_path: Path, damage, message: str):
    weights = ckpt / "model.safetensors"
    weights.write_bytes(damage(weights.read_bytes()))
    [line] = eval_xnli(ckpt, tmp_path / "run")
    assert line.startswith(f"xlt-bench: error: {weights}: {message}")


def test_shards_are_checked_as_the_index_lists_them(ckpt: Path, registry):
    from safetensors.torch import load_file, save_file

    tensors = load_file(ckpt / "model.safetensors")
    (ckpt / "model.safetensors").unlink()
    names = sorted(tensors)
    shards = {"model-00001-of-00002.safetensors": names[:5], "model-00002-of-00002.safetensors": names[5:]}
    for shard, keys in shards.items():
        save_file({key: tensors[key] for key in keys}, ckpt / shard, metadata={"format": "pt"})
    weight_map = {key: shard for shard, keys in shards.items() for key in keys}
    (ckpt / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    assert inspect(registry, ckpt).architecture == "XLMRobertaForSequenceClassification"
    second = ckpt / "model-00002-of-00002.safetensors"
    second.write_bytes(second.read_bytes()[:-100])
    with pytest.raises(XltBenchError, match=f"^{second}: truncated safetensors file"):
        inspect(registry, ckpt)
    second.unlink()
    with pytest.raises(XltBenchError) as refused:
        inspect(registry, ckpt)
    assert str(refused.value) == (
        f"{ckpt / 'model.safetensors.index.json'}: lists shards that are not in the folder: {second.name}"
    )


def test_pickle_weights_need_permission_and_still_load_only_tensors(base: Path, ckpt: Path, tmp_path: Path, registry):
    weights = save_pickle(ckpt)
    assert eval_xnli(ckpt, tmp_path / "run") == [
        f"xlt-bench: error: {weights}: pickle weights can run code when loaded and there is no model.safetensors; "
        "convert the checkpoint to safetensors (save_pretrained it once where you trust it) or pass "
        "--trust-remote-code"
    ]
    loaded = load_model(inspect(registry, ckpt, trust_remote_code=True), "cpu", "auto")
    assert type(loaded.model).__name__ == "XLMRobertaForSequenceClassification"
    # transformers 5 unpickles with torch.load(weights_only=True): a pickle that runs code is refused, in one line
    marker = tmp_path / "pickle-ran"
    save_pickle(Path(shutil.copytree(base, tmp_path / "evil")), Touch(marker))
    with pytest.raises(XltBenchError) as refused:
        load_model(inspect(registry, tmp_path / "evil", trust_remote_code=True), "cpu", "auto")
    assert str(refused.value).startswith(f"{tmp_path / 'evil'}: torch refused to unpickle its weights (")
    assert "\n" not in str(refused.value) and not marker.exists()


def test_pickle_weights_beside_safetensors_are_never_read(ckpt: Path, registry):
    (ckpt / "pytorch_model.bin").write_bytes(b"never unpickled")
    assert inspect(registry, ckpt).architecture == "XLMRobertaForSequenceClassification"


def test_errors_only_loading_finds_are_one_line(ckpt: Path, registry):
    weights = ckpt / "model.safetensors"
    weights.write_bytes(weights.read_bytes() + b"trailing bytes")  # past every tensor: only safetensors minds
    plan = inspect(registry, ckpt)
    with pytest.raises(XltBenchError) as refused:
        load_model(plan, "cpu", "auto")
    assert str(refused.value).startswith(
        f"{ckpt}: cannot load its weights (AutoModelForSequenceClassification): Error while deserializing header"
    )
    assert "\n" not in str(refused.value)


def test_loaders_get_trust_remote_code_only_when_their_signature_takes_it(registry, ckpt: Path):
    plan = inspect(registry, ckpt, trust_remote_code=True)
    calls = []

    def old_style(path: str, device: str, dtype: str) -> LoadedModel:
        calls.append((path, device, dtype))
        return LoadedModel(None, None, device, dtype)

    def any_options(path: str, device: str, dtype: str, **options) -> LoadedModel:
        calls.append(options)
        return LoadedModel(None, None, device, dtype)

    for load in (old_style, any_options):
        adapter = ModelAdapter("toy", "sequence-classification", lambda config: True, load, "anything")
        assert not adapter.problems()
        load_model(replace(plan, adapter=adapter), "cpu", "auto")
    assert calls == [(str(ckpt), "cpu", "auto"), {"trust_remote_code": True}]
