"""The whole XTREME suite end to end: nine tasks, every language, one run folder, a complete suite score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_main
from xtreme_fixtures import write_xtreme_fixtures

from xlt_bench.plugins.xtreme import PANX_TAGS, UPOS_TAGS
from xlt_bench.testing import tiny_checkpoint


@pytest.mark.slow
def test_eval_suite_xtreme_gives_a_complete_score_that_rescores_identically(tokenizer, tmp_path: Path):
    data = write_xtreme_fixtures(tmp_path / "data")
    ckpt = tmp_path / "ckpt"
    for name, head, labels in (
        ("xnli", "sequence-classification", ("entailment", "neutral", "contradiction")),
        ("pawsx", "sequence-classification", ("0", "1")),
        ("udpos", "token-classification", UPOS_TAGS),
        ("panx", "token-classification", PANX_TAGS),
        ("squad", "question-answering", None),  # serves xquad, mlqa and (as fallback) tydiqa
        ("retrieval", "encoder", None),  # serves bucc2018 and tatoeba
    ):
        tiny_checkpoint(ckpt / name, head=head, labels=labels, tokenizer=tokenizer)
    run = tmp_path / "run"
    args = ["eval", "--model", str(ckpt), "--suite", "xtreme", "--data-dir", str(data), "--output", str(run)]
    result = run_main(*args, "--cache-dir", str(tmp_path / "cache"), "--quiet")
    assert result.returncode == 0, result.stderr
    document = json.loads((run / "results.json").read_text())
    assert document["skipped"] == {}
    assert {name: task["complete"] for name, task in document["tasks"].items()} == dict.fromkeys(
        ["xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba"], True
    )
    assert len(document["tasks"]["panx"]["languages"]) == 40 and len(document["tasks"]["tatoeba"]["languages"]) == 36
    assert set(document["categories"]) == {"classification", "structured_prediction", "qa", "retrieval"}
    scores = [task["score"] for task in document["tasks"].values()]
    assert document["score"] == pytest.approx(sum(scores) / 9)
    assert document["tasks"]["tydiqa"]["checkpoints"][0]["path"] == str(ckpt / "squad")
    rescored = run_main("score", "--predictions", str(run / "predictions"), "--gold", str(run / "labels"), "--json")
    assert json.loads(rescored.stdout)["score"] == pytest.approx(document["score"], abs=1e-12)
    assert "xtreme score:" in result.stdout
    # BUCC reads its dev split to tune the threshold: an edit there makes the finished test result stale
    fragment = json.loads((run / "fragments" / "bucc2018" / "test-de.json").read_text())
    assert [name for name, _ in fragment["signature"]["data"]] == [
        f"bucc2018-de-en.{split}.{side}" for split in ("training", "sample") for side in ("de", "en", "gold")
    ]
    gold = data / "bucc2018" / "de-en" / "bucc2018-de-en.sample.gold"
    gold.write_text("".join(gold.read_text().splitlines(True)[:-1]))
    again = run_main(
        *args, "--tasks", "bucc2018", "--languages", "de", "--cache-dir", str(tmp_path / "cache"), "--quiet"
    )
    assert again.returncode == 0 and "the data of bucc2018/de changed since it was scored" in again.stderr
