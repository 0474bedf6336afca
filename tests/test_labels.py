"""Checkpoint labels are matched to task labels by name; anything ambiguous is refused with a way out."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlt_bench.errors import XltBenchError
from xlt_bench.labels import CheckpointMismatch, output_labels, parse_label_maps
from xlt_bench.plugins.xtreme import TASKS

XNLI = next(task for task in TASKS if task.name == "xnli")
PANX = next(task for task in TASKS if task.name == "panx")


def test_any_order_and_case_is_matched_by_name():
    id2label = {0: "CONTRADICTION", 1: "Entailment", 2: "neutral"}
    assert output_labels(XNLI, id2label, None, "ckpt") == {0: "contradiction", 1: "entailment", 2: "neutral"}


def test_aliases_are_accepted():
    id2label = {0: "entailment", 1: "neutral", 2: "contradictory"}
    assert output_labels(XNLI, id2label, None, "ckpt")[2] == "contradiction"


def test_generic_names_are_refused_with_the_flag_to_use():
    with pytest.raises(CheckpointMismatch) as error:
        output_labels(XNLI, {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, None, "ckpt/xnli")
    message = str(error.value)
    assert "generic labels (LABEL_0, LABEL_1, LABEL_2)" in message
    assert "--label-map xnli:LABEL_0=<label>,LABEL_1=<label>,LABEL_2=<label>" in message


def test_a_different_label_set_is_refused():
    conll = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-ORG", 4: "I-ORG", 5: "B-LOC", 6: "I-LOC", 7: "B-MISC", 8: "I-MISC"}
    with pytest.raises(CheckpointMismatch, match="labels B-MISC, I-MISC are not panx labels"):
        output_labels(PANX, conll, None, "ckpt")
    with pytest.raises(CheckpointMismatch, match="cannot predict panx labels: I-LOC"):
        output_labels(PANX, {k: v for k, v in conll.items() if k < 6}, None, "ckpt")


def test_explicit_map_may_merge_labels():
    conll = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-ORG", 4: "I-ORG", 5: "B-LOC", 6: "I-LOC", 7: "B-MISC", 8: "I-MISC"}
    explicit = {name: name for name in conll.values()} | {"B-MISC": "O", "I-MISC": "O"}
    mapping = output_labels(PANX, conll, explicit, "ckpt")
    assert mapping[7] == mapping[8] == "O" and mapping[1] == "B-PER"


def test_explicit_map_must_name_task_labels():
    with pytest.raises(CheckpointMismatch, match="maps 'LABEL_0' to 'yes', not one of"):
        output_labels(XNLI, {0: "LABEL_0"}, {"LABEL_0": "yes"}, "ckpt")


def test_parse_inline_and_file_label_maps(tmp_path: Path):
    path = tmp_path / "maps.yaml"
    path.write_text("pawsx:\n  LABEL_0: '0'\n  LABEL_1: '1'\n", encoding="utf-8")
    maps = parse_label_maps(["xnli:LABEL_0=contradiction,LABEL_1=entailment,LABEL_2=neutral", str(path)])
    assert maps == {
        "xnli": {"LABEL_0": "contradiction", "LABEL_1": "entailment", "LABEL_2": "neutral"},
        "pawsx": {"LABEL_0": "0", "LABEL_1": "1"},
    }
    with pytest.raises(XltBenchError, match="expected TASK:MODEL_LABEL=TASK_LABEL"):
        parse_label_maps(["LABEL_0=entailment"])
