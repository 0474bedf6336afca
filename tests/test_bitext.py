"""Tatoeba and BUCC through the retrieval runner: direction and order of Tatoeba predictions, BUCC's dev-tuned
threshold, the embedding cache, and end-to-end runs on the real LASER samples and a BUCC fixture corpus."""

from __future__ import annotations

import json
import random
from pathlib import Path

import datasets
import numpy as np
import pytest
from helpers import run_main
from xtreme_fixtures import write_bucc

from xlt_bench.data.bitext import read_bucc, read_tatoeba
from xlt_bench.data.formats import DataSource
from xlt_bench.errors import XltBenchError
from xlt_bench.plugins.xtreme import TASKS
from xlt_bench.runners import Job
from xlt_bench.runners.bitext_mining import BitextMiningRunner
from xlt_bench.runners.bitext_retrieval import BitextRetrievalRunner
from xlt_bench.testing import tiny_checkpoint

TATOEBA = next(task for task in TASKS if task.name == "tatoeba")
BUCC = next(task for task in TASKS if task.name == "bucc2018")


def planted(vectors: dict[str, list[float]]):
    """A stand-in for the encoder: every sentence has a planted embedding."""

    def embed(sentences, description=""):
        return np.array([vectors[sentence] for sentence in sentences], dtype=np.float32)

    return embed


def test_tatoeba_english_queries_retrieve_foreign_sentences():
    # English sentences deliberately unsorted: predictions follow XTREME's alphabetical English order.
    english = ["c: the cat sleeps", "a: a dog barks", "b: birds sing"]
    foreign = ["x0", "x1", "x2"]
    vectors = {
        "c: the cat sleeps": [1.0, 0.0, 0.0],
        "a: a dog barks": [0.0, 1.0, 0.0],
        "b: birds sing": [0.0, 0.0, 1.0],
        "x0": [0.9, 0.1, 0.0],  # translation of English 0
        "x1": [0.6, 0.6, 0.5],  # a "hub": nearest foreign sentence of every English query but one
        "x2": [0.5, 0.4, 0.7],
    }
    emb_en = np.array([vectors[s] for s in english])
    emb_xx = np.array([vectors[s] for s in foreign])
    emb_en /= np.linalg.norm(emb_en, axis=1, keepdims=True)
    emb_xx /= np.linalg.norm(emb_xx, axis=1, keepdims=True)
    english_to_foreign = (emb_en @ emb_xx.T).argmax(axis=1)  # [0, 1, 2]... computed, not assumed
    foreign_to_english = (emb_xx @ emb_en.T).argmax(axis=1)
    assert list(english_to_foreign) != list(foreign_to_english)[: len(english)]  # the direction matters here
    examples = datasets.Dataset.from_dict({"id": ["0", "1", "2"], "text": foreign, "text_pair": english})
    runner = BitextRetrievalRunner(TATOEBA)
    job = Job(task=TATOEBA, language="de", examples=examples, loaded=None, plan=None, inference={"index": "flat"})
    predictions = runner.nearest(job, planted(vectors))
    order = [1, 2, 0]  # "a: ...", "b: ...", "c: ..."
    assert runner.gold(examples) == ["1", "2", "0"]
    assert predictions == [str(english_to_foreign[i]) for i in order]
    accuracy = np.mean([p == g for p, g in zip(predictions, runner.gold(examples))])
    assert accuracy == pytest.approx(np.mean(english_to_foreign == np.arange(3)))


def test_bucc_threshold_is_tuned_on_dev_and_applied_to_test(tmp_path: Path):
    rng = np.random.default_rng(0)

    def corpus(split: str, pairs: int, distractors: int) -> tuple[datasets.Dataset, dict]:
        vectors, rows = {}, []
        for i in range(pairs):
            base = rng.normal(size=16)
            vectors[f"{split} de {i}"], vectors[f"{split} en {i}"] = base, base + rng.normal(scale=0.1, size=16)
            gold = [f"en-{split}{i}"]
            rows.append({"id": f"de-{split}{i}", "text": f"{split} de {i}", "side": "source", "gold": gold})
            rows.append({"id": f"en-{split}{i}", "text": f"{split} en {i}", "side": "english", "gold": []})
        for i in range(distractors):
            for side, prefix in (("source", "de"), ("english", "en")):
                text = f"{split} {prefix} noise {i}"
                vectors[text] = rng.normal(size=16)
                rows.append({"id": f"{prefix}-{split}n{i}", "text": text, "side": side, "gold": []})
        return datasets.Dataset.from_list(rows), vectors

    dev, dev_vectors = corpus("dev", 20, 30)
    test, test_vectors = corpus("test", 30, 40)
    runner = BitextMiningRunner(BUCC)
    inference = {**BUCC.inference, "index": "flat"}
    job = Job(
        task=BUCC, language="de", examples=test, loaded=None, plan=None, inference=inference, load_split=lambda _: dev
    )
    predictions = runner.mine(job, planted({**dev_vectors, **test_vectors}))

    dev_job = Job(task=BUCC, language="de", examples=dev, loaded=None, plan=None, inference=inference, split="dev")
    from xlt_bench.retrieval import best_threshold, extract

    dev_candidates, dev_gold = runner.candidates(dev_job, dev, "dev", planted(dev_vectors))
    test_candidates, _ = runner.candidates(job, test, "test", planted(test_vectors))
    assert job.details["threshold"] == best_threshold(dev_candidates, dev_gold) > 0
    assert job.details["threshold_from"] == "dev"
    assert predictions == extract(test_candidates, job.details["threshold"])
    gold = set(runner.gold(test))
    assert len(gold) == 30 and set(predictions) <= gold and len(predictions) > 15  # no distractor passes the cut


def test_bitext_readers(real_samples: Path, tmp_path: Path):
    swahili = DataSource("tatoeba-laser", (real_samples / "tatoeba/v1/tatoeba.swh-eng.swh",))
    pairs = list(read_tatoeba(swahili, "sw", "test"))
    assert len(pairs) == 390 and pairs[0]["id"] == "0"
    (tmp_path / "bucc2018-de-en.training.de").write_text("de-1\tEin Satz.\nde-2\tZwei.\nde-3\tDrei.\n")
    (tmp_path / "bucc2018-de-en.training.en").write_text("en-1\tA sentence.\n")
    (tmp_path / "bucc2018-de-en.training.gold").write_text("de-1\ten-1\n")
    rows = list(read_bucc(DataSource("bucc2018", (tmp_path / "bucc2018-de-en.training.de",)), "de", "test"))
    sides = [(r["side"], r["id"]) for r in rows]
    assert sides == [("source", "de-1"), ("english", "en-1"), ("source", "de-2"), ("source", "de-3")]
    assert rows[0]["gold"] == ["en-1"]
    source = DataSource("bucc2018", (tmp_path / "bucc2018-de-en.training.de",))
    (tmp_path / "bucc2018-de-en.training.gold").write_text("de-1\ten-1\nde-9\ten-1\n")  # de-9: in no corpus line
    with pytest.raises(XltBenchError, match=r"training.gold:2: sentence id 'de-9' is not in .*training.de$"):
        list(read_bucc(source, "de", "test"))
    (tmp_path / "bucc2018-de-en.training.gold").write_text("de-1\ten-7\n")
    with pytest.raises(XltBenchError, match=r"training.gold:1: sentence id 'en-7' is not in .*training.en$"):
        list(read_bucc(source, "de", "test"))
    (tmp_path / "bucc2018-de-en.training.en").write_text("en-1\tA sentence.\nen-1\tAgain.\n")
    with pytest.raises(XltBenchError, match=r"training.en:2: sentence id 'en-1' repeats"):
        list(read_bucc(source, "de", "test"))
    (tmp_path / "bucc2018-de-en.training.gold").unlink()
    with pytest.raises(XltBenchError, match="companion file bucc2018-de-en.training.gold is missing"):
        list(read_bucc(DataSource("bucc2018", (tmp_path / "bucc2018-de-en.training.de",)), "de", "test"))


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> Path:
    root = tmp_path_factory.mktemp("encoders")
    tiny_checkpoint(root / "retrieval", head="encoder", tokenizer=tokenizer, layers=4, seed=7)
    return root


@pytest.mark.slow
def test_tatoeba_on_real_laser_files_and_the_embedding_cache(
    encoder: Path, real_samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import xlt_bench.embeddings

    calls = []
    real = xlt_bench.embeddings.batched_outputs
    monkeypatch.setattr(xlt_bench.embeddings, "batched_outputs", lambda *a, **k: calls.append(1) or real(*a, **k))
    args = ["eval", "--model", str(encoder), "--tasks", "xtreme/tatoeba", "--languages", "de,sw,zh"]
    args += ["--data-dir", str(real_samples / "tatoeba"), "--cache-dir", str(tmp_path / "cache"), "--quiet"]
    first = run_main(*args, "--output", str(tmp_path / "r1"))
    assert first.returncode == 0, first.stderr
    document = json.loads((tmp_path / "r1" / "results.json").read_text())
    tatoeba = document["tasks"]["tatoeba"]
    assert tatoeba["examples"] == {"de": 1000, "sw": 390, "zh": 1000}
    fragment = json.loads((tmp_path / "r1" / "fragments" / "tatoeba" / "test-sw.json").read_text())
    assert fragment["details"] == {"layer": 2, "pooling": "mean", "max_length": 512, "index": "flat", "normalize": True}
    labels = (tmp_path / "r1" / "labels" / "tatoeba" / "test-sw.tsv").read_text().split()
    english = (real_samples / "tatoeba/v1/tatoeba.swh-eng.eng").read_text(encoding="utf-8").splitlines()
    assert [english[int(i)] for i in labels] == sorted(english)
    run = tmp_path / "r1"
    rescored = run_main("score", "--predictions", str(run / "predictions"), "--gold", str(run / "labels"), "--json")
    assert json.loads(rescored.stdout)["tasks"]["tatoeba"]["languages"] == tatoeba["languages"]
    assert len(calls) == 6  # English and foreign side of three languages
    second = run_main(*args, "--output", str(tmp_path / "r2"), "--pooling", "mean", "--layer", "2")
    assert second.returncode == 0 and len(calls) == 6  # same layer, pooling, checkpoint: all from the cache
    third = run_main(*args, "--output", str(tmp_path / "r3"), "--pooling", "cls", "--layer", "-1")
    assert third.returncode == 0 and len(calls) == 12
    details = json.loads((tmp_path / "r3" / "fragments" / "tatoeba" / "test-de.json").read_text())["details"]
    assert details["layer"] == 4 and details["pooling"] == "cls"


@pytest.mark.slow
def test_bucc_end_to_end_on_a_fixture_corpus(encoder: Path, tmp_path: Path):
    write_bucc(tmp_path / "data", "de", random.Random(1))
    run = tmp_path / "run"
    args = ["eval", "--model", str(encoder), "--tasks", "bucc2018", "--languages", "de"]
    args += ["--data-dir", str(tmp_path / "data")]
    result = run_main(*args, "--output", str(run), "--cache-dir", str(tmp_path / "cache"), "--quiet")
    assert result.returncode == 0, result.stderr
    fragment = json.loads((run / "fragments" / "bucc2018" / "test-de.json").read_text())
    assert fragment["details"]["threshold_from"] == "dev" and fragment["details"]["threshold"] > 0
    pairs = [line.split("\t") for line in (run / "predictions" / "bucc2018" / "test-de.tsv").read_text().splitlines()]
    assert pairs and all(s.startswith("de-t") and t.startswith("en-t") for s, t in pairs)
    assert not any(s == "de-tdup" for s, _ in pairs)
    rescored = run_main("score", "--predictions", str(run / "predictions"), "--gold", str(run / "labels"), "--json")
    assert json.loads(rescored.stdout)["tasks"]["bucc2018"]["languages"]["de"] == fragment["metrics"]
