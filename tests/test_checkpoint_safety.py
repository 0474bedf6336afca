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
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import FIXTURE_DATA, run_main, xnli_eval

from xlt_bench.errors import XltBenchError
from xlt_bench.labels import CheckpointMismatch, output_labels
from xlt_bench.model_adapters import LoadedModel, ModelAdapter
from xlt_bench.registry import load_registry
from xlt_bench.task_checkpoints import CheckpointChoice, ModelPlan, choose_checkpoints, inspect_checkpoint, load_model
from xlt_bench.testing import run_task, tiny_checkpoint, tiny_tokenizer

pytestmark = pytest.mark.slow
DATA = FIXTURE_DATA
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
from xlt_bench.task_checkpoints import CheckpointChoice, inspect_checkpoint, load_model
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


def eval_xnli(path: Path, run: Path, *extra: str) -> list[str]:
    """`eval --tasks xnli` on `path` (with `extra` options): its exit status must be 2; the error lines it printed."""
    result = run_main(*xnli_eval(path, run, "--quiet", *extra))
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
    args = xnli_eval(ckpt, tmp_path / "r")
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


# -- weights that do not fit config.json, configs of the wrong JSON type, short position embeddings ---------------


def edit_config(ckpt: Path, **changes) -> Path:
    config = json.loads((ckpt / "config.json").read_text())
    config.update(changes)
    (ckpt / "config.json").write_text(json.dumps(config))
    return ckpt


@pytest.fixture(scope="module")
def encoder_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare XLMRobertaModel's model.safetensors (embeddings.*, encoder.*, pooler.*), same tokenizer as `base`."""
    folder = tiny_checkpoint(tmp_path_factory.mktemp("encoder") / "encoder", SENTENCES, head="encoder")
    return folder / "model.safetensors"


def four_labels(ckpt: Path) -> Path:
    labels = [*XNLI_LABELS, "other"]
    return edit_config(ckpt, id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)})


def eval_lines(path: Path, run: Path, *extra: str) -> tuple[int, list[str]]:
    result = run_main(*xnli_eval(path, run, "--quiet", *extra))
    return result.returncode, result.stderr.splitlines()


@pytest.mark.parametrize(
    "break_it, message",
    [
        (
            "encoder weights",
            "its weights have no XLMRobertaForSequenceClassification head (classifier.dense.weight, "
            "classifier.dense.bias, classifier.out_proj.weight and 1 more), which transformers would fill with random "
            "numbers; the weights are a bare encoder's or another task's",
        ),
        (
            "model_type bert",
            "its weights (roberta.embeddings.LayerNorm.bias, roberta.embeddings.LayerNorm.weight, "
            "roberta.embeddings.position_embeddings.weight and 38 more) hold none of the tensors of the "
            "BertForSequenceClassification its config.json describes (model_type bert: ",
        ),
        (
            "hidden_size 64",
            "its weights do not fit the model its config.json describes: roberta.embeddings.word_embeddings.weight "
            "[34, 32] in the weights, [34, 64] in XLMRobertaForSequenceClassification; ",
        ),
        (
            "4 labels",
            "its weights do not fit the model its config.json describes: classifier.out_proj.weight [3, 32] in the "
            "weights, [4, 32] in XLMRobertaForSequenceClassification; classifier.out_proj.bias [3] in the weights, "
            "[4] in XLMRobertaForSequenceClassification; config.json's id2label has 4 labels",
        ),
    ],
)
def test_weights_that_do_not_fit_the_config_are_refused_while_planning(
    ckpt: Path, tmp_path: Path, encoder_weights: Path, break_it: str, message: str
):
    """Evaluated as they are, transformers would fill the head (or everything) with random numbers and print a
    20-57-line report, or raise a RuntimeError telling to pass ignore_mismatched_sizes; refused from the
    safetensors header before any task runs, even with a --label-map that maps every label."""
    extra: tuple[str, ...] = ()
    if break_it == "encoder weights":
        shutil.copyfile(encoder_weights, ckpt / "model.safetensors")
    elif break_it == "model_type bert":
        edit_config(ckpt, model_type="bert")
    elif break_it == "hidden_size 64":
        edit_config(ckpt, hidden_size=64)
    else:
        four_labels(ckpt)
        extra = ("--label-map", "xnli:entailment=entailment,neutral=neutral,contradiction=contradiction,other=neutral")
    [line] = eval_xnli(ckpt, tmp_path / "run", *extra)
    assert line.startswith(f"xlt-bench: error: {ckpt}: {message}")


def test_weights_that_leave_parameters_random_are_refused_when_loading(ckpt: Path, tmp_path: Path, registry):
    """More layers in config.json than in the weights: 16 parameters per layer would be random (found only by
    loading); fewer layers: the weights' last layers would be ignored. One line each, no LOAD REPORT."""
    edit_config(ckpt, num_hidden_layers=4)
    code, lines = eval_lines(ckpt, tmp_path / "run")
    assert code == 2 and lines == [
        f"xlt-bench: error: {ckpt}: its weights have no values for 32 parameters of "
        "XLMRobertaForSequenceClassification (roberta.encoder.layer.2.attention.output.LayerNorm.bias, "
        "roberta.encoder.layer.2.attention.output.LayerNorm.weight, "
        "roberta.encoder.layer.2.attention.output.dense.bias and 29 more), which transformers would fill with "
        "random numbers; the weights do not match its config.json (model_type xlm-roberta)"
    ]
    edit_config(ckpt, num_hidden_layers=1)
    with pytest.raises(XltBenchError) as refused:
        load_model(inspect(registry, ckpt), "cpu", "auto")
    assert str(refused.value) == (
        f"{ckpt}: its weights hold 16 tensors of blocks that the XLMRobertaForSequenceClassification its config.json "
        "describes does not have (roberta.encoder.layer.1.attention.output.LayerNorm.bias, roberta.encoder.layer.1."
        "attention.output.LayerNorm.weight, roberta.encoder.layer.1.attention.output.dense.bias and 13 more); "
        "config.json describes a smaller model than the weights (num_hidden_layers 1)"
    )


def test_an_encoder_may_lack_a_pooler_or_leave_a_head_unused_but_not_lack_layers(ckpt: Path, registry):
    tatoeba, adapters = registry.task("xtreme/tatoeba"), registry.adapters_for("encoder")

    def load_encoder(path: Path) -> LoadedModel:
        return load_model(
            inspect_checkpoint(tatoeba, CheckpointChoice(str(path), "test"), adapters, None), "cpu", "auto"
        )

    assert type(load_encoder(ckpt).model).__name__ == "XLMRobertaModel"  # no pooler, classifier.* unused
    edit_config(ckpt, num_hidden_layers=3)
    with pytest.raises(XltBenchError, match=r"no values for 16 parameters of XLMRobertaModel \(encoder\.layer\.2\."):
        load_encoder(ckpt)
    edit_config(ckpt, num_hidden_layers=2, model_type="bert")
    with pytest.raises(XltBenchError, match="hold none of the tensors of the BertModel its config.json describes"):
        load_encoder(ckpt)


def test_mismatched_sizes_found_only_when_loading_are_one_line(ckpt: Path, registry):
    """Pickle weights have no header to read while planning: transformers' size check, as one line."""
    save_pickle(four_labels(ckpt))
    plan = inspect_checkpoint(
        registry.task("xtreme/xnli"),
        CheckpointChoice(str(ckpt), "test"),
        registry.adapters_for("sequence-classification"),
        {"entailment": "entailment", "neutral": "neutral", "contradiction": "contradiction", "other": "neutral"},
        trust_remote_code=True,
    )
    with pytest.raises(XltBenchError) as refused:
        load_model(plan, "cpu", "auto")
    assert str(refused.value) == (
        f"{ckpt}: its weights do not fit the model its config.json describes: classifier.out_proj.bias [3] in the "
        "weights, [4] in XLMRobertaForSequenceClassification; classifier.out_proj.weight [3, 32] in the weights, "
        "[4, 32] in XLMRobertaForSequenceClassification; config.json's id2label has 4 labels"
    )


def test_config_values_of_the_wrong_json_type_are_one_line(ckpt: Path, tmp_path: Path, registry):
    edit_config(ckpt, id2label=list(XNLI_LABELS))
    code, lines = eval_lines(ckpt, tmp_path / "run")
    assert code == 2 and lines == [
        f"xlt-bench: error: nothing was scored for xnli: xnli: {ckpt}: config.json's id2label must be an object of "
        "output index to label name, not a list"
    ]
    with pytest.raises(CheckpointMismatch, match="id2label must be an object of output index to label name, not list"):
        output_labels(registry.task("xtreme/xnli"), list(XNLI_LABELS), None, str(ckpt))
    edit_config(ckpt, id2label=dict(enumerate(XNLI_LABELS)), architectures="XLMRobertaForSequenceClassification")
    assert inspect(registry, ckpt).architecture == "XLMRobertaForSequenceClassification"  # a string is one name


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Checkpoints whose position embeddings have 8 positions, numbered after padding_idx 1: 6 tokens a sequence."""
    folder, tokenizer = tmp_path_factory.mktemp("short"), tiny_tokenizer(SENTENCES)
    tiny_checkpoint(
        folder / "xnli", head="sequence-classification", labels=XNLI_LABELS, tokenizer=tokenizer, max_positions=8
    )
    tiny_checkpoint(folder / "squad", head="question-answering", tokenizer=tokenizer, max_positions=8)
    return folder


def test_inputs_longer_than_the_position_embeddings_are_refused_before_the_first_batch(
    short: Path, tmp_path: Path, registry
):
    """Run, XLM-R's embeddings index past their 8 positions: a RuntimeError or IndexError deep in the forward pass."""
    code, lines = eval_lines(short, tmp_path / "run")
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(
        f"xlt-bench: error: xnli/de: {short / 'xnli'} reads at most 6 tokens a sequence (max_position_embeddings 8, "
        "numbered after padding_idx 1), but this task's inputs have up to "
    )
    example = {
        "id": "1",
        "context": SENTENCES[0],
        "question": "Who?",
        "answers": {"text": ["cat"], "answer_start": [4]},
    }
    with pytest.raises(XltBenchError, match=r"^xquad/en: .*squad reads at most 6 tokens a sequence"):
        run_task(registry.task("xtreme/xquad"), [example], short / "squad", registry=registry)


class Failing:
    """A model whose forward pass raises `error`."""

    config = None

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __call__(self, **batch):
        raise self.error


@pytest.mark.parametrize(
    "error", [IndexError("index out of range in self"), RuntimeError("index 20 is out of bounds\nfor dimension 1")]
)
def test_errors_of_the_model_pass_are_one_line_naming_the_batch(base: Path, error: Exception):
    from transformers import AutoTokenizer

    from xlt_bench.batching import batched_outputs

    loaded = LoadedModel(Failing(error), AutoTokenizer.from_pretrained(base), "cpu", "float32")
    features = [
        {"input_ids": [0, 5, 6, 2], "attention_mask": [1] * 4},
        {"input_ids": [0, 2], "attention_mask": [1] * 2},
    ]
    with pytest.raises(XltBenchError) as refused:
        batched_outputs(loaded, features, 8, "xnli/de", progress=False)
    assert (
        str(refused.value) == f"xnli/de: the checkpoint failed on a batch of 2 x 4 tokens: {str(error).splitlines()[0]}"
    )
    with pytest.raises(TypeError):  # a bug, not the checkpoint's: a traceback
        batched_outputs(LoadedModel(Failing(TypeError("bug")), loaded.tokenizer, "cpu", "f"), features, 8, "x", False)


def test_model_paths_that_are_neither_folder_nor_manifest_are_one_line(ckpt: Path, tmp_path: Path, monkeypatch):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for spec in ("/dev/null", str(fifo)):  # a manifest is read only when it is a regular file: a FIFO would block
        outcome: list = []
        args = (Path(spec), tmp_path / "run", outcome)
        reader = threading.Thread(target=lambda path, run, found: found.append(eval_lines(path, run)), args=args)
        reader.daemon = True
        reader.start()
        reader.join(timeout=30)
        assert outcome == [
            (2, [f"xlt-bench: error: --model {spec}: not a checkpoint folder, a manifest file or a Hub id"])
        ]
    monkeypatch.setenv("HOME", str(tmp_path))
    manifest = tmp_path / "models.yaml"
    manifest.write_text(f"xnli: ~/{ckpt.name}\npawsx: ~/fifo\n")
    tasks = [load_registry().task("xtreme/xnli"), load_registry().task("xtreme/pawsx")]
    choices = choose_checkpoints(str(manifest), tasks)
    assert choices["xnli"] == CheckpointChoice(str(ckpt), f"manifest {manifest}")
    assert choices["pawsx"] == f"manifest {manifest}: {fifo} is not a checkpoint folder"
