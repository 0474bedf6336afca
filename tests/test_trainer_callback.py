"""`TransferCallback` during a real `transformers.Trainer` run of a tiny model: per-language dev scores through the
Trainer's own logging, a run folder per evaluation, and the best checkpoint by target-language score."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import transformers
from helpers import FIXTURE_DATA

from xlt_bench import TransferCallback
from xlt_bench.errors import XltBenchError
from xlt_bench.testing import tiny_checkpoint

LABELS = ("entailment", "neutral", "contradiction")


@pytest.fixture(scope="module")
def dev_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handmade XNLI fixture, as a dev split."""
    root = tmp_path_factory.mktemp("dev")
    (root / "XNLI-1.0").mkdir()
    shutil.copy(FIXTURE_DATA / "XNLI-1.0" / "xnli.test.tsv", root / "XNLI-1.0" / "xnli.dev.tsv")
    return root


class Recorder(transformers.TrainerCallback):
    """What a `report_to` integration receives: every `on_log`."""

    def __init__(self) -> None:
        self.logs: list[dict] = []

    def on_log(self, args, state, control, logs=None, **kwargs):
        self.logs.append(dict(logs or {}))


def trainer_for(checkpoint: Path, tmp_path: Path, **arguments) -> transformers.Trainer:
    model = transformers.AutoModelForSequenceClassification.from_pretrained(checkpoint)
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
    sentences = [
        line.split("\t")[6] for line in (FIXTURE_DATA / "XNLI-1.0" / "xnli.test.tsv").read_text().splitlines()[1:]
    ]
    encoded = tokenizer(sentences, truncation=True, max_length=32)
    dataset = [
        {"input_ids": ids, "attention_mask": mask, "labels": i % 3}
        for i, (ids, mask) in enumerate(zip(encoded["input_ids"], encoded["attention_mask"]))
    ]
    fields = transformers.TrainingArguments.__dataclass_fields__
    strategy = "eval_strategy" if "eval_strategy" in fields else "evaluation_strategy"  # renamed in 4.41
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"),
        per_device_train_batch_size=4,
        learning_rate=5e-3,
        report_to=[],
        logging_steps=1,
        dataloader_pin_memory=False,
        seed=0,
        **{strategy: arguments.pop("strategy", "no")},
        **arguments,
    )
    name = (
        "processing_class" if "processing_class" in transformers.Trainer.__init__.__code__.co_varnames else "tokenizer"
    )
    return transformers.Trainer(
        model=model,
        args=args,
        train_dataset=dataset,
        eval_dataset=dataset[:4],
        data_collator=transformers.DataCollatorWithPadding(tokenizer),
        **{name: tokenizer},
    )


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> Path:
    folder = tmp_path_factory.mktemp("trainer") / "xnli"
    return tiny_checkpoint(folder, head="sequence-classification", labels=LABELS, tokenizer=tokenizer, seed=3)


def test_dev_scores_are_logged_per_language_at_each_evaluation_and_the_best_is_kept(
    checkpoint: Path, dev_data: Path, tmp_path: Path
):
    trainer = trainer_for(
        checkpoint,
        tmp_path,
        max_steps=4,
        strategy="steps",
        eval_steps=2,
        save_steps=2,
        load_best_model_at_end=True,
        metric_for_best_model="xlt/target_mean",
    )
    recorder = Recorder()
    trainer.add_callback(recorder)
    callback = TransferCallback(
        trainer, tasks=["xtreme/xnli"], data_dir=dev_data, select_by=["de"], best_checkpoint=tmp_path / "best"
    )
    trainer.add_callback(callback)
    trainer.train()
    logged = [log for log in recorder.logs if "eval_xlt/xnli/de" in log]
    assert len(logged) == 2 and {"eval_xlt/xnli/en", "eval_xlt/xnli/fr", "eval_xlt/xnli/mean"} <= set(logged[0])
    assert all(log["eval_xlt/target_mean"] == log["eval_xlt/xnli/de"] for log in logged)  # select_by=["de"]
    steps = [entry["step"] for entry in callback.history]
    assert steps == [2, 4]
    for step, log in zip(steps, logged):
        results = json.loads((tmp_path / "out" / "xlt-bench" / f"step-{step}" / "results.json").read_text())
        assert results["split"] == "dev" and results["lineage"]["label"] == f"step-{step}"
        assert results["tasks"]["xnli"]["languages"]["de"]["accuracy"] == log["eval_xlt/xnli/de"]
    best = max(callback.history, key=lambda entry: entry["eval_xlt/target_mean"])
    assert callback.best == {"step": best["step"], "target_mean": best["eval_xlt/target_mean"]}
    assert trainer.state.best_metric == best["eval_xlt/target_mean"]  # the Trainer's own selection read our score
    assert trainer.state.best_model_checkpoint.endswith(f"checkpoint-{best['step']}")
    assert (tmp_path / "best" / "config.json").is_file() and (tmp_path / "best" / "tokenizer_config.json").is_file()


def test_every_n_steps_evaluates_without_a_trainer_evaluation(checkpoint: Path, dev_data: Path, tmp_path: Path):
    trainer = trainer_for(checkpoint, tmp_path, max_steps=3)
    recorder = Recorder()
    trainer.add_callback(recorder)
    trainer.add_callback(
        TransferCallback(trainer, tasks=["xtreme/xnli"], languages=["de"], data_dir=dev_data, every_n_steps=1)
    )
    trainer.train()
    logged = [log for log in recorder.logs if "eval_xlt/xnli/de" in log]
    assert len(logged) == 3 and all(set(log) >= {"eval_xlt/xnli/de", "eval_xlt/target_mean"} for log in logged)
    assert not any("eval_xlt/xnli/en" in log for log in logged)  # languages=["de"] only
    with pytest.raises(XltBenchError, match="every_n_steps 0"):
        TransferCallback(trainer, tasks=["xtreme/xnli"], every_n_steps=0)
