"""A checkpoint's sentence-transformers declaration (`xlt_bench.sentence_encoders`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xlt_bench.errors import XltBenchError
from xlt_bench.sentence_encoders import SentenceEncoding, declared_encoding


def declare(folder: Path, pooling: dict, prompts: dict | None = None) -> Path:
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "modules.json").write_text(json.dumps(modules))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 384, **pooling}))
    if prompts is not None:
        (folder / "config_sentence_transformers.json").write_text(json.dumps({"prompts": prompts}))
    return folder


def test_e5_style_mean_pooling_with_its_prompts(tmp_path: Path):
    folder = declare(tmp_path, {"pooling_mode_mean_tokens": True}, {"query": "query: ", "passage": "passage: "})
    assert declared_encoding(folder) == SentenceEncoding("mean", "query: ", "passage: ")


def test_cls_pooling_and_document_prompt(tmp_path: Path):
    folder = declare(tmp_path, {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}, {"document": "d: "})
    assert declared_encoding(folder) == SentenceEncoding("cls", "", "d: ")


def test_no_declaration_is_none(tmp_path: Path):
    assert declared_encoding(tmp_path) is None


def test_a_pooling_xlt_bench_lacks_is_one_line_naming_the_file(tmp_path: Path):
    declare(tmp_path, {"pooling_mode_max_tokens": True, "pooling_mode_mean_tokens": False})
    with pytest.raises(
        XltBenchError, match=r"1_Pooling/config.json: pooling mode pooling_mode_max_tokens; .*--pooling"
    ):
        declared_encoding(tmp_path)


def test_broken_json_names_the_file(tmp_path: Path):
    declare(tmp_path, {"pooling_mode_mean_tokens": True})
    (tmp_path / "config_sentence_transformers.json").write_text("{not json")
    with pytest.raises(XltBenchError, match="config_sentence_transformers.json: not readable JSON"):
        declared_encoding(tmp_path)


def test_a_left_out_flag_takes_the_library_default_so_cls_alone_means_cls_plus_mean(tmp_path: Path):
    declare(tmp_path, {"pooling_mode_cls_token": True})  # sentence-transformers defaults mean tokens to True
    with pytest.raises(XltBenchError, match="pooling mode pooling_mode_cls_token, pooling_mode_mean_tokens"):
        declared_encoding(tmp_path)
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 384}))
    assert declared_encoding(tmp_path) == SentenceEncoding("mean")


def test_a_missing_pooling_config_names_the_file(tmp_path: Path):
    declare(tmp_path, {"pooling_mode_mean_tokens": True})
    (tmp_path / "1_Pooling" / "config.json").unlink()
    with pytest.raises(XltBenchError, match=r"1_Pooling/config.json: missing"):
        declared_encoding(tmp_path)
