"""The XGLUE suite end to end: declarations, all 11 tasks over fixtures in the official formats with tiny local
checkpoints (an encoder per understanding task, a tiny encoder-decoder for QG/NTG), scoring against the dataset
folder as the official scorer does, the archive only a person can download, and model adapters registered by a
plugin."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from helpers import run_main
from xglue_fixtures import write_xglue_fixtures

from xlt_bench.labels import CheckpointMismatch
from xlt_bench.plugins.xglue import NC_CATEGORIES, NER_TAGS, UNDERSTANDING
from xlt_bench.plugins.xtreme import UPOS_TAGS
from xlt_bench.registry import load_registry
from xlt_bench.task_checkpoints import CheckpointChoice, inspect_checkpoint
from xlt_bench.testing import check_task, tiny_checkpoint

TASK_LANGUAGES = {
    "ner": 4, "pos": 18, "nc": 5, "mlqa": 7, "xnli": 15, "pawsx": 4, "qadsm": 3, "wpr": 7, "qam": 3, "qg": 6, "ntg": 5,
}  # fmt: skip
CHECKPOINTS = {  # per-task folder name: (head, labels); WPR and QAM checkpoints use the Hub's label names
    "ner": ("token-classification", NER_TAGS),
    "pos": ("token-classification", tuple(UPOS_TAGS)),
    "nc": ("sequence-classification", NC_CATEGORIES),
    "squad": ("question-answering", None),
    "xnli": ("sequence-classification", ("entailment", "neutral", "contradiction")),
    "pawsx": ("sequence-classification", ("0", "1")),
    "qadsm": ("sequence-classification", ("Bad", "Good")),
    "wpr": ("sequence-classification", ("Bad", "Fair", "Good", "Excellent", "Perfect")),
    "qam": ("sequence-classification", ("False", "True")),
    "qg": ("seq2seq", None),
    "ntg": ("seq2seq", None),
}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_eleven_tasks_nineteen_languages_and_the_understanding_score(registry):
    tasks = registry.suite_tasks("xglue")
    assert {task.name: len(task.languages) for task in tasks} == TASK_LANGUAGES
    assert len({language for task in tasks for language in task.languages}) == 19
    suite = registry.suite("xglue")
    assert suite.score == "understanding" and suite.categories["understanding"] == UNDERSTANDING
    assert suite.categories["generation"] == ("qg", "ntg")
    for task in tasks:
        assert check_task(task, registry) == [], task.name
    pos = registry.task("xglue/pos")
    assert (pos.metric, pos.main_metrics) == ("xglue-pos", ("precision",))
    assert pos.submission.gold_path(Path("g"), "pos", "de", "test", "x") == Path("g/POS/de.test")
    assert registry.task("xglue/qg").submission.prediction_path(Path("p"), "qg", "de", "test", "x") == Path(
        "p/QG/de.prediction"
    )


@pytest.mark.slow
def test_eval_suite_xglue_runs_all_tasks_and_scores_like_the_official_scorer(tokenizer, tmp_path: Path):
    import sacrebleu

    data = write_xglue_fixtures(tmp_path / "data")
    ckpt = tmp_path / "ckpt"
    for name, (head, labels) in CHECKPOINTS.items():
        tiny_checkpoint(ckpt / name, head=head, labels=labels, tokenizer=tokenizer)
    run = tmp_path / "run"
    args = ["eval", "--model", str(ckpt), "--suite", "xglue", "--data-dir", str(data), "--output", str(run)]
    result = run_main(*args, "--quiet", "--num-beams", "2", "--max-new-tokens", "8", "--batch-size", "4")
    assert result.returncode == 0, result.stderr
    document = json.loads((run / "results.json").read_text())
    tasks = document["tasks"]
    assert document["skipped"] == {} and all(task["complete"] for task in tasks.values())
    assert set(tasks) == set(TASK_LANGUAGES)
    understanding = [tasks[name]["score"] for name in UNDERSTANDING]
    assert document["score"] == pytest.approx(sum(understanding) / 9)
    assert document["categories"]["generation"] == pytest.approx((tasks["qg"]["score"] + tasks["ntg"]["score"]) / 2)
    assert "xglue score:" in result.stdout
    assert set(tasks["pos"]["average"]) == {"precision", "recall", "f1", "token_accuracy"}

    qg = json.loads((run / "fragments" / "qg" / "test-de.json").read_text())
    assert qg["details"]["num_beams"] == 2 and qg["details"]["max_new_tokens"] == 8
    assert qg["checkpoint"]["adapter"] == "transformers-seq2seq"
    predictions = (run / "predictions" / "QG" / "de.prediction").read_text(encoding="utf-8").splitlines()
    references = [
        line.split("\t")[-1].strip()
        for line in (data / "QG" / "xglue.qg.de.tgt.test").read_text(encoding="utf-8").splitlines()
    ]
    expected = sacrebleu.corpus_bleu(predictions, [references], lowercase=True).score
    assert tasks["qg"]["languages"]["de"]["bleu"] == pytest.approx(expected, abs=1e-9)
    scores = (run / "predictions" / "WPR" / "en.prediction").read_text().split()
    assert all(0.0 <= float(score) <= 4.0 for score in scores) and len(set(scores)) > 1  # real-valued, not grades

    # The official layout: gold read straight from the dataset folder gives the numbers eval computed.
    folders = ["--predictions", str(run / "predictions"), "--json", "--suite", "xglue"]
    official = run_main("score", *folders, "--gold", str(data))
    assert official.returncode == 0, official.stderr
    rescored = json.loads(official.stdout)
    for name, task in tasks.items():
        for language, metrics in task["languages"].items():
            assert rescored["tasks"][name]["languages"][language] == pytest.approx(metrics, abs=1e-9), (name, language)
    assert rescored["score"] == pytest.approx(document["score"], abs=1e-12)
    own_labels = json.loads(run_main("score", *folders, "--gold", str(run / "labels")).stdout)
    assert own_labels["tasks"]["wpr"]["languages"] == rescored["tasks"]["wpr"]["languages"]


def test_without_its_archive_an_xglue_unit_names_the_download_by_hand(tokenizer, tmp_path: Path):
    tiny_checkpoint(tmp_path / "ckpt" / "qam", head="sequence-classification", labels=("0", "1"), tokenizer=tokenizer)
    args = ["eval", "--model", str(tmp_path / "ckpt"), "--suite", "xglue", "--tasks", "qam", "--languages", "de"]
    result = run_main(*args, "--output", str(tmp_path / "run"), "--cache-dir", str(tmp_path / "cache"), "--quiet")
    assert result.returncode == 2  # the only unit was skipped: nothing scored is an error, with the reason
    [line] = result.stderr.strip().splitlines()
    assert "nothing was scored for qam: qam/de: qam: the release files of 'de' are not in the cache" in line
    assert "accept the terms at https://microsoft.github.io/XGLUE/ and download 'XGLUE Data with Test'" in line


def test_prefetch_says_how_to_get_the_archive_and_takes_only_that_file(tmp_path: Path):
    cache = ["--cache-dir", str(tmp_path / "cache")]
    result = run_main("prefetch", "--suite", "xglue", *cache, "--quiet")  # nothing is downloaded: no program can
    assert result.returncode == 1 and result.stderr == ""
    failed = [line for line in result.stdout.splitlines() if " failed " in line]
    assert len(failed) == 11  # one per task, all the same archive
    assert all(
        "sha256 e11016c02d8565d00119833a16679bbbe0fec437f5ad53c2d3f9eef6fa03f65b, 875,905,871 bytes" in line
        and "then `xlt-bench prefetch --suite xglue --from xglue_full_dataset.tar.gz`" in line
        for line in failed
    )
    stranger = tmp_path / "xglue_full_dataset.tar.gz"
    stranger.write_bytes(b"not the archive")
    wrong = run_main("prefetch", "--suite", "xglue", "--from", str(stranger), *cache, "--quiet")
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.strip() == (
        f"xlt-bench: error: --from {stranger}: not a release file of the selected tasks (its size and sha256 match "
        "none of xglue_full_dataset.tar.gz)"
    )


ADAPTER_PLUGIN = """
from functools import partial

from xlt_bench import hookimpl
from xlt_bench.model_adapters import ModelAdapter, load_transformers

@hookimpl
def xlt_register_model_adapters(register):
    register(ModelAdapter("toy-encoder", "encoder", lambda config: config.model_type == "xlm-roberta",
                          partial(load_transformers, "AutoModel"), "an XLM-R checkpoint"))
    register(ModelAdapter("Bad Adapter", "decoder", None, None, "nothing"))
"""


def test_a_plugin_adapter_is_tried_before_the_builtin_ones(tokenizer, tmp_path: Path, monkeypatch):
    (tmp_path / "toy_adapters.py").write_text(textwrap.dedent(ADAPTER_PLUGIN), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = load_registry(["toy_adapters"])
    assert [adapter.name for adapter in registry.adapters_for("encoder")] == ["toy-encoder", "transformers-encoder"]
    problems = [problem for problem in registry.problems if "malformed adapter 'Bad Adapter'" in problem]
    assert len(problems) == 1 and "role 'decoder' is not one of" in problems[0]
    encoder = tiny_checkpoint(tmp_path / "enc", head="encoder", tokenizer=tokenizer)
    task = registry.task("xtreme/tatoeba")
    plan = inspect_checkpoint(task, CheckpointChoice(str(encoder), "test"), registry.adapters_for("encoder"), None)
    assert plan.adapter.name == "toy-encoder"
    seq2seq = tiny_checkpoint(tmp_path / "s2s", head="seq2seq", tokenizer=tokenizer)
    taggers = registry.adapters_for("token-classification")
    with pytest.raises(CheckpointMismatch, match=r"\(BartForConditionalGeneration\) is not a \*ForTokenClassification"):
        inspect_checkpoint(registry.task("xtreme/panx"), CheckpointChoice(str(seq2seq), "t"), taggers, None)


def test_published_unicoder_baseline_scores_as_the_suite(registry):
    from xlt_bench.leaderboard.runs import load_run

    unicoder = load_run("unicoder_xglue", registry)
    assert unicoder.published and unicoder.suite == "xglue"
    # understanding = mean of the 9 NLU task averages of the official results file (76.1 as published)
    assert unicoder.score == pytest.approx(684.72 / 9) and round(unicoder.score, 1) == 76.1
    assert unicoder.tasks["qg"].score == 9.60 and unicoder.tasks["pos"].score == 79.36
