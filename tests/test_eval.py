"""`xlt-bench eval` end to end on tiny local checkpoints: real UD samples and handmade XNLI/PAWS-X/PAN-X files in
their official formats. Predictions must re-score identically with `xlt-bench score`."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import FIXTURE_DATA, run_main, xnli_eval

from xlt_bench.data.conllu import read_ud_conllu
from xlt_bench.data.formats import DataSource
from xlt_bench.metrics.seqeval_chunks import CHUNK_STATISTICS
from xlt_bench.plugins.xtreme import PANX_TAGS, UPOS_TAGS
from xlt_bench.submission import read_tag_sentences
from xlt_bench.testing import tiny_checkpoint

pytestmark = pytest.mark.slow
DATA = FIXTURE_DATA
XNLI_LABELS = ("entailment", "neutral", "contradiction")


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> Path:
    """A folder of per-task checkpoints (`ckpt/<task>/`), XTREME's convention, sharing one tokenizer."""
    root = tmp_path_factory.mktemp("ckpt")
    tiny_checkpoint(root / "xnli", head="sequence-classification", labels=XNLI_LABELS, tokenizer=tokenizer, seed=1)
    tiny_checkpoint(root / "pawsx", head="sequence-classification", labels=("0", "1"), tokenizer=tokenizer, seed=2)
    tiny_checkpoint(root / "udpos", head="token-classification", labels=UPOS_TAGS, tokenizer=tokenizer, seed=3)
    tiny_checkpoint(root / "panx", head="token-classification", labels=PANX_TAGS, tokenizer=tokenizer, seed=4)
    return root


def results(run: Path) -> dict:
    return json.loads((run / "results.json").read_text())


def rescore(run: Path) -> dict:
    result = run_main("score", "--predictions", str(run / "predictions"), "--gold", str(run / "labels"), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_udpos_on_real_treebanks_rescores_identically(ckpt: Path, real_samples: Path, tmp_path: Path):
    run = tmp_path / "r1"
    result = run_main(
        "eval",
        "--model",
        str(ckpt),
        "--tasks",
        "xtreme/udpos",
        "--data-dir",
        str(real_samples / "udpos"),
        "--output",
        str(run),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    udpos = results(run)["tasks"]["udpos"]
    assert sorted(udpos["languages"]) == ["ar", "de", "en", "fr", "hi", "ja", "zh"]
    assert set(udpos["examples"].values()) == {200}
    assert udpos["complete"] is False and udpos["score"] is None
    assert "no udpos test data for 'af'" in udpos["skipped"]["af"]
    assert rescore(run)["tasks"]["udpos"]["languages"] == udpos["languages"]
    # the labels written next to the predictions are the official conversion of the treebank
    german = next((real_samples / "udpos").rglob("de_gsd-ud-test.conllu"))
    expected = [ex["tags"] for ex in read_ud_conllu(DataSource("ud-conllu", (german,)), "de", "test")]
    assert read_tag_sentences(run / "labels" / "udpos" / "test-de.tsv") == expected
    predicted = read_tag_sentences(run / "predictions" / "udpos" / "test-de.tsv")
    assert [len(s) for s in predicted] == [len(s) for s in expected] and {t for s in predicted for t in s} <= set(
        UPOS_TAGS
    )
    assert "udpos (f1): ar " in result.stdout and "skipped udpos/af:" in result.stdout
    # the samples log: each sentence with its chunk counts, which sum to the logged F1
    lines = [json.loads(line) for line in (run / "samples" / "udpos" / "test-de.jsonl").read_text().splitlines()]
    assert len(lines) == 200 and all({"id", "input", "gold", "prediction", "unit", "stats"} <= set(x) for x in lines)
    correct, predicted, gold = (sum(x["stats"][name] for x in lines) for name in CHUNK_STATISTICS.names)
    assert 200 * correct / (predicted + gold) == pytest.approx(udpos["languages"]["de"]["f1"])
    assert results(run)["schema"] == 2 and results(run)["aggregates"] == {}  # no aggregate of an incomplete suite


def test_classification_and_ner_fixtures_with_provenance(ckpt: Path, tmp_path: Path):
    run = tmp_path / "r2"
    args = [
        "eval",
        "--model",
        str(ckpt),
        "--tasks",
        "xtreme/xnli,xtreme/pawsx,xtreme/panx",
        "--data-dir",
        str(DATA),
        "--output",
        str(run),
    ]
    result = run_main(*args, "--quiet", "--label", "tiny-direct", "--base", "tiny-base", "--batch-size", "2")
    assert result.returncode == 0, result.stderr
    document = results(run)
    tasks = document["tasks"]
    assert tasks["xnli"]["examples"] == {"de": 5, "en": 6, "fr": 4}
    assert tasks["pawsx"]["examples"] == {"de": 4, "en": 5}
    assert tasks["panx"]["examples"] == {"en": 3, "de": 3}
    rescored = rescore(run)["tasks"]
    for name in ("xnli", "pawsx", "panx"):
        assert rescored[name]["languages"] == tasks[name]["languages"]
    assert document["lineage"] == {
        "label": "tiny-direct",
        "base": "tiny-base",
        "intermediate": [],
        "direct": True,
        "intermediate_sizes": {},
        "regime": None,
        "train_languages": [],
        "train_seed": None,
        "tags": {},
    }
    assert document["config"]["batch_size"] == 2 and document["config"]["device"] == "cpu"
    assert document["environment"]["torch"] and document["environment"]["plugins"]["xtreme"] == "0.1.0"
    fragment = json.loads((run / "fragments" / "xnli" / "test-de.json").read_text())
    assert fragment["checkpoint"]["hash"].startswith("sha256:") and fragment["dtype"] == "float32"
    assert fragment["data"].endswith("XNLI-1.0/xnli.test.tsv")
    predictions = (run / "predictions" / "xnli" / "test-de.tsv").read_text().splitlines()
    assert len(predictions) == 5 and set(predictions) <= set(XNLI_LABELS)
    samples = [json.loads(line) for line in (run / "samples" / "xnli" / "test-de.jsonl").read_text().splitlines()]
    assert [s["prediction"] for s in samples] == predictions and samples[0]["gold"] == "entailment"


def test_rerun_skips_finished_work_and_refuses_mixed_configurations(ckpt: Path, tmp_path: Path):
    run = tmp_path / "r3"
    args = xnli_eval(ckpt, run, "--quiet")
    assert run_main(*args).returncode == 0
    fragment = run / "fragments" / "xnli" / "test-en.json"
    stamp = fragment.stat().st_mtime_ns
    assert run_main(*args).returncode == 0
    assert fragment.stat().st_mtime_ns == stamp  # nothing recomputed
    other = tmp_path / "other"
    tiny_checkpoint(
        other / "xnli",
        head="sequence-classification",
        labels=XNLI_LABELS,
        tokenizer=None,
        sentences=["a b c", "d e f"] * 50,
        seed=9,
    )
    mixed = run_main("eval", "--model", str(other), *args[3:])
    assert mixed.returncode == 2
    assert "already holds xnli/de from a different configuration (differs in: checkpoint)" in mixed.stderr
    assert fragment.stat().st_mtime_ns == stamp
    assert run_main("eval", "--model", str(other), *args[3:], "--overwrite").returncode == 0
    assert json.loads(fragment.read_text())["checkpoint"]["path"] == str(other / "xnli")


def test_a_checkpoint_is_used_only_where_it_fits(ckpt: Path, tmp_path: Path):
    run = tmp_path / "r4"
    args = [
        "eval",
        "--model",
        str(ckpt / "xnli"),
        "--tasks",
        "xtreme/xnli,xtreme/panx",
        "--data-dir",
        str(DATA),
        "--output",
        str(run),
        "--quiet",
    ]
    result = run_main(*args)
    assert result.returncode == 0, result.stderr
    document = results(run)
    assert "XLMRobertaForSequenceClassification" in document["skipped"]["panx"]
    assert "ForTokenClassification" in document["skipped"]["panx"] and "skipped panx:" in result.stdout
    strict = run_main(*args, "--strict", "--overwrite")
    assert strict.returncode == 2 and "(--strict)" in strict.stderr


def test_generic_labels_are_refused_unless_mapped_in_a_manifest(ckpt: Path, tokenizer, tmp_path: Path):
    # what XTREME's run_classify.py saves: transformers' default names
    generic = tiny_checkpoint(
        tmp_path / "models" / "nli", head="sequence-classification", labels=("LABEL_0", "LABEL_1"), tokenizer=tokenizer
    )
    run = tmp_path / "r5"
    refused = run_main(
        "eval",
        "--model",
        str(generic),
        "--tasks",
        "xtreme/pawsx",
        "--data-dir",
        str(DATA),
        "--output",
        str(run),
        "--quiet",
    )
    assert refused.returncode == 2  # a run that scored nothing is an error, not a folder with no numbers
    assert "nothing was scored for pawsx" in refused.stderr and "generic labels (LABEL_0, LABEL_1)" in refused.stderr
    assert not (run / "results.json").exists() and not (run / "fragments").exists()
    manifest = tmp_path / "models.yaml"
    manifest.write_text("pawsx:\n  path: models/nli\n  label_map: {LABEL_0: '0', LABEL_1: '1'}\nxnli: models/missing\n")
    mapped = run_main(
        "eval",
        "--model",
        str(manifest),
        "--tasks",
        "xtreme/pawsx,xtreme/xnli",
        "--data-dir",
        str(DATA),
        "--output",
        str(run),
        "--quiet",
    )
    assert mapped.returncode == 0, mapped.stderr
    document = results(run)
    assert document["tasks"]["pawsx"]["examples"] == {"de": 4, "en": 5}
    assert "no checkpoint" not in document["skipped"].get("pawsx", "")
    assert "cannot read the config of" in document["skipped"]["xnli"]


def test_labels_follow_names_not_positions(ckpt: Path, tmp_path: Path):
    """The same network with its output rows and id2label permuted must predict the same label names."""
    import torch
    import transformers

    model = transformers.AutoModelForSequenceClassification.from_pretrained(ckpt / "xnli")
    order = [2, 0, 1]
    with torch.no_grad():
        model.classifier.out_proj.weight.copy_(model.classifier.out_proj.weight[order])
        model.classifier.out_proj.bias.copy_(model.classifier.out_proj.bias[order])
    model.config.id2label = {i: XNLI_LABELS[j] for i, j in enumerate(order)}
    model.config.label2id = {label: i for i, label in model.config.id2label.items()}
    permuted = tmp_path / "permuted" / "xnli"
    model.save_pretrained(permuted)
    transformers.AutoTokenizer.from_pretrained(ckpt / "xnli").save_pretrained(permuted)
    outputs = {}
    for name, model_dir in (("original", ckpt), ("permuted", permuted.parent)):
        run = tmp_path / name
        assert run_main(*xnli_eval(model_dir, run, "--quiet")).returncode == 0
        outputs[name] = [(run / "predictions" / "xnli" / f"test-{lang}.tsv").read_text() for lang in ("de", "en", "fr")]
    assert outputs["original"] == outputs["permuted"]


def test_limit_and_bad_data_keep_finished_results(ckpt: Path, tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "en-test").write_text((DATA / "panx_dataset" / "en-test").read_text())
    (data / "de-test").write_text("de:Berlin\tB-LOC\nBerlin\tB-LOC\n")
    run = tmp_path / "r6"
    result = run_main(
        "eval",
        "--model",
        str(ckpt),
        "--tasks",
        "xtreme/panx",
        "--data-dir",
        str(data),
        "--output",
        str(run),
        "--limit",
        "2",
        "--quiet",
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith("de-test:2: expected '<lang>:<token><TAB><tag>', got 'Berlin\\tB-LOC'")
    )
    finished = json.loads((run / "fragments" / "panx" / "test-en.json").read_text())  # en comes before de in PAN-X
    assert finished["n_examples"] == 2 and finished["signature"]["limit"] == 2
    assert results(run)["tasks"]["panx"]["examples"] == {"en": 2}


def test_long_sentences_are_split_into_segments_not_truncated(ckpt: Path):
    import datasets

    from xlt_bench.plugins.xtreme import TASKS
    from xlt_bench.registry import load_registry
    from xlt_bench.runners import Job
    from xlt_bench.runners.tagging import TaggingRunner
    from xlt_bench.task_checkpoints import CheckpointChoice, inspect_checkpoint, load_model

    panx = next(task for task in TASKS if task.name == "panx")

    def predict(examples, max_length):
        inference = {"max_length": max_length}
        job = Job(
            task=panx, language="en", examples=examples, loaded=loaded, plan=plan, inference=inference, batch_size=4
        )
        return runner.predict(job)

    adapters = load_registry().adapters_for(TaggingRunner.role)
    plan = inspect_checkpoint(panx, CheckpointChoice(str(ckpt / "panx"), "test"), adapters, None)
    loaded = load_model(plan, "cpu", "auto")
    words = (["Barack", "Obama", "visited", "Berlin", "", "and", "Paris", "."] * 6)[:45]
    sentence = datasets.Dataset.from_dict({"id": ["long"], "tokens": [words], "tags": [["O"] * len(words)]})
    runner = TaggingRunner(panx)
    [split] = predict(sentence, 12)
    assert len(split) == len(words)  # one tag per word, the empty word included
    # Re-joined segments equal predicting each segment on its own (segments are independent inputs).
    pieces = [loaded.tokenizer(w, add_special_tokens=False)["input_ids"] or [0] for w in words]
    chunks, current, size = [], [], 0
    for word, piece in zip(words, pieces):
        if current and size + len(piece) > 12 - 3:  # XLM-R: <s> ... </s></s> (XTREME's sep_token_extra)
            chunks.append(current)
            current, size = [], 0
        current.append(word)
        size += len(piece)
    chunks.append(current)
    assert len(chunks) > 1
    separate = datasets.Dataset.from_dict(
        {"id": [str(i) for i in range(len(chunks))], "tokens": chunks, "tags": [["O"] * len(c) for c in chunks]}
    )
    per_segment = predict(separate, 512)
    assert split == [tag for segment in per_segment for tag in segment]


def test_a_run_not_on_a_terminal_prints_one_summary_line_and_no_bar(ckpt: Path, tmp_path: Path):
    result = run_main(*xnli_eval(ckpt, tmp_path / "r", "--languages", "de,en,fr"))  # stderr: not a terminal
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "units 0/3" not in result.stderr and "%|" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("xlt-bench: eval: 3 units run, 0 kept, 0 skipped; 15 examples in ")
    again = run_main(*xnli_eval(ckpt, tmp_path / "r"))  # the other XNLI languages have no fixture data
    assert again.stderr.startswith("xlt-bench: eval: 0 units run, 3 kept, 12 skipped; 0 examples in ")
    assert run_main(*xnli_eval(ckpt, tmp_path / "r", "--quiet")).stderr == ""  # --quiet: no summary either


class Terminal(io.StringIO):
    """A captured stream that says it is a terminal, as stderr in a shell does."""

    def isatty(self) -> bool:
        return True


def test_on_a_terminal_one_line_counts_units_with_the_unit_bars_beneath(ckpt: Path, tmp_path: Path):
    from xlt_bench.evaluation import EvalConfig, run_eval
    from xlt_bench.registry import load_registry

    config = EvalConfig(
        model=str(ckpt), output=tmp_path / "r", tasks=["xnli"], languages=["de", "en", "fr"], data_dir=FIXTURE_DATA
    )
    stream = Terminal()
    assert run_eval(load_registry(), config, progress=True, stream=stream) is not None
    frames = stream.getvalue().split("\r")
    overall = [frame for frame in frames if frame.startswith("units ")]
    assert [f"units {done}/3" in "".join(overall) for done in range(4)] == [True] * 4, overall
    # rate and remaining time in examples, weighted by the units' example counts once they are loaded
    assert any("ex/s]" in frame and "<" in frame for frame in overall), overall
    assert overall[0].startswith("units 0/3:   0%|") and "| 0/3 [" in overall[0]  # by units until one is loaded
    assert all("/3 [" not in frame for frame in overall[1:]) and "| 15/15 [" in overall[-1], overall
    assert any(frame.lstrip("\n").startswith("xnli/") for frame in frames), frames  # a unit's own bar, beneath
    assert stream.getvalue().rstrip().splitlines()[-1].startswith("xlt-bench: eval: 3 units run, 0 kept, 0 skipped")
    quiet = Terminal()
    run_eval(load_registry(), replace(config, output=tmp_path / "q"), progress=False, stream=quiet)
    assert quiet.getvalue() == ""
