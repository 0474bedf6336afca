"""Hub revisions: `--revision` pins a Hub checkpoint id, `HubSource.revision` a Hub dataset; both reach every loader
and are part of what a result is (signature, fragment). No test here touches the network: the loaders are replaced
by stand-ins that record what they were asked (the real Hub loaders run against a local Hub in test_hub_loading.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import BertConfig

from xlt_bench.data.resolve import xlt_resolve_data
from xlt_bench.errors import XltBenchError
from xlt_bench.labels import CheckpointMismatch
from xlt_bench.model_adapters import LoadedModel, ModelAdapter, load_transformers
from xlt_bench.registry import load_registry
from xlt_bench.task_checkpoints import CheckpointChoice, ModelPlan, choose_checkpoints, inspect_checkpoint, load_model
from xlt_bench.tasks import HubSource, Task

HUB_ID = "someone/xnli-model"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def recorder(calls: list[dict], result=None):
    def record(*args, **kwargs):
        calls.append(kwargs)
        if result is None:
            raise OSError("stand-in: no network here")
        return result

    return record


def test_a_revision_is_only_for_hub_ids(registry, tmp_path: Path):
    tasks = [registry.task("xtreme/xnli")]
    assert choose_checkpoints(HUB_ID, tasks, "v1.0")["xnli"] == CheckpointChoice(HUB_ID, "--model", revision="v1.0")
    (tmp_path / "ckpt").mkdir()
    for local in (str(tmp_path / "ckpt"), "./nowhere/ckpt"):
        with pytest.raises(XltBenchError, match=r"^--revision v1.0: --model .* is a local path; --revision pins"):
            choose_checkpoints(local, tasks, "v1.0")


def test_the_revision_reaches_the_config_and_is_the_checkpoint_identity(registry, monkeypatch):
    from transformers import AutoConfig, PretrainedConfig

    task = registry.task("xtreme/xnli")
    labels = {0: "entailment", 1: "neutral", 2: "contradiction"}
    config = BertConfig(architectures=["BertForSequenceClassification"], id2label=labels)
    asked: list[dict] = []
    monkeypatch.setattr(PretrainedConfig, "get_config_dict", recorder(asked, (config.to_dict(), {})))
    monkeypatch.setattr(AutoConfig, "from_pretrained", recorder(asked, config))
    adapters = registry.adapters_for("sequence-classification")
    plans = {
        revision: inspect_checkpoint(task, CheckpointChoice(HUB_ID, "--model", revision=revision), adapters, None)
        for revision in ("v1.0", "v2.0", None)
    }
    assert [call["revision"] for call in asked] == ["v1.0", "v1.0", "v2.0", "v2.0", None, None]
    assert plans["v1.0"].revision == "v1.0" and plans["v1.0"].checkpoint_hash == f"hub:{HUB_ID}@v1.0"
    assert len({plan.checkpoint_hash for plan in plans.values()}) == 3  # another revision, another configuration

    monkeypatch.setattr(PretrainedConfig, "get_config_dict", recorder(asked))
    with pytest.raises(CheckpointMismatch, match=f"cannot read the config of {HUB_ID}"):
        inspect_checkpoint(task, CheckpointChoice(HUB_ID, "--model", revision="v3"), adapters, None)
    assert asked[-1]["revision"] == "v3"


def test_the_built_in_loader_passes_the_revision_to_tokenizer_and_weights(monkeypatch):
    import transformers

    asked: list[dict] = []
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", recorder(asked))
    with pytest.raises(XltBenchError, match=f"{HUB_ID}: cannot load its tokenizer"):
        load_transformers("AutoModelForSequenceClassification", HUB_ID, "cpu", "auto", revision="v1.0")
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", recorder(asked, object()))
    monkeypatch.setattr(transformers.AutoModelForSequenceClassification, "from_pretrained", recorder(asked))
    with pytest.raises(XltBenchError, match=f"{HUB_ID}: cannot load its weights"):
        load_transformers("AutoModelForSequenceClassification", HUB_ID, "cpu", "auto", revision="v1.0")
    assert [call["revision"] for call in asked] == ["v1.0", "v1.0", "v1.0"]


def _plan(load, revision: str | None) -> ModelPlan:
    adapter = ModelAdapter(name="stand-in", role="encoder", fits=lambda config: True, load=load, accepts="any")
    return ModelPlan(
        path=HUB_ID,
        origin="--model",
        architecture="",
        labels={},
        checkpoint_hash="",
        adapter=adapter,
        revision=revision,
    )


def test_load_model_gives_the_revision_to_adapters_that_take_it():
    received: list[dict] = []

    def with_revision(path, device, dtype, *, trust_remote_code=False, revision=None):
        received.append({"trust_remote_code": trust_remote_code, "revision": revision})
        return LoadedModel(None, None, device, dtype)

    def original_contract(path, device, dtype):
        return LoadedModel(None, None, device, dtype)

    load_model(_plan(with_revision, "v1.0"), "cpu", "auto")
    load_model(_plan(with_revision, None), "cpu", "auto")
    assert received == [
        {"trust_remote_code": False, "revision": "v1.0"},
        {"trust_remote_code": False, "revision": None},
    ]
    assert load_model(_plan(original_contract, None), "cpu", "auto").device == "cpu"
    with pytest.raises(XltBenchError, match="^--revision v1.0: the model adapter 'stand-in' cannot load a revision"):
        load_model(_plan(original_contract, "v1.0"), "cpu", "auto")


def _task(revision: str | None) -> Task:
    hub = HubSource("someone/data", "{lang}", {"test": "test"}, fields={"text": "text"}, revision=revision)
    return Task(
        name="pinned",
        suite="mine",
        type="classification",
        languages=("de",),
        metric="accuracy",
        main_metrics=("accuracy",),
        labels=("a",),
        hub=hub,
    )


def test_a_hub_dataset_revision_is_part_of_the_data_identity():
    pinned, unpinned = (xlt_resolve_data(_task(rev), "de", "test", None) for rev in ("abc123", None))
    assert pinned.revision == "abc123" and unpinned.revision is None
    assert pinned.fingerprint() == ["someone/data", "de", "test", "abc123"] != unpinned.fingerprint()
    assert pinned.describe() == "hub:someone/data/de@abc123 [test]"
    assert unpinned.describe() == "hub:someone/data/de [test]"  # as before, for data that pins nothing


def test_a_manifest_entry_may_pin_a_hub_checkpoint_revision(registry, tmp_path: Path):
    tasks = [registry.task("xtreme/xnli"), registry.task("xtreme/pawsx")]
    (tmp_path / "local").mkdir()
    manifest = tmp_path / "models.yaml"
    manifest.write_text(f"xnli: {{path: {HUB_ID}, revision: v1.0}}\npawsx: {HUB_ID}\n", encoding="utf-8")
    choices = choose_checkpoints(str(manifest), tasks)
    assert choices["xnli"].revision == "v1.0" and choices["xnli"].path == HUB_ID
    assert choices["pawsx"].revision is None
    for entry, problem in (
        ("{path: local, revision: v1.0}", "xnli.revision: local is a local path; a revision pins Hub checkpoint ids"),
        (f"{{path: {HUB_ID}, revision: [1]}}", "xnli.revision must be a branch, tag or commit id of a Hub checkpoint"),
    ):
        manifest.write_text(f"xnli: {entry}\n", encoding="utf-8")
        with pytest.raises(XltBenchError) as refused:
            choose_checkpoints(str(manifest), tasks)
        assert str(refused.value) == f"{manifest}: {problem}"
