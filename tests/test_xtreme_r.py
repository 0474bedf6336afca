"""The XTREME-R suite: its declarations, XCOPA on the real files (reader, multiple-choice runner, eval + score),
and both suite aggregates against the paper's published averages."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from helpers import run_main

from xlt_bench.data.formats import DataSource
from xlt_bench.data.xcopa import read_xcopa
from xlt_bench.errors import XltBenchError
from xlt_bench.plugins import xtreme_r
from xlt_bench.registry import load_registry
from xlt_bench.runners.multiple_choice import QUESTION_WORDING
from xlt_bench.scoring import SuiteScore, TaskScore
from xlt_bench.submission import CHOICES
from xlt_bench.testing import check_task, tiny_checkpoint

XCOPA_SAMPLES = ("et", "ht", "id", "sw", "ta", "zh")  # the languages in ../shared/data/xcopa
# XTREME-R paper, mBERT row: task averages (QA as (F1, EM)); the published suite score is 54.1.
MBERT = {
    "xnli": 66.5, "xcopa": 56.1, "udpos": 70.9, "panx": 62.7, "xquad": (65.1, 50.4), "mlqa": (61.3, 44.1),
    "tydiqa": (58.4, 43.7), "mewslix": 38.6, "lareqa": 21.6, "tatoeba": 43.3,
}  # fmt: skip


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def xcopa_file(real_samples: Path, language: str, split: str) -> Path:
    return real_samples / "xcopa" / "data" / language / f"{split}.{language}.jsonl"


class TestDeclarations:
    def test_ten_tasks_fifty_languages_four_categories(self, registry):
        tasks = registry.suite_tasks("xtreme-r")
        assert [task.name for task in tasks] == list(xtreme_r.XTREME_R.tasks)
        assert len({lang for task in tasks for lang in task.languages}) == 50
        assert {task.name: len(task.languages) for task in tasks} == {
            "xnli": 15, "xcopa": 11, "udpos": 38, "panx": 48, "xquad": 12, "mlqa": 7, "tydiqa": 9,
            "mewslix": 11, "lareqa": 11, "tatoeba": 41,
        }  # fmt: skip
        assert sorted(name for names in xtreme_r.XTREME_R.categories.values() for name in names) == sorted(
            xtreme_r.XTREME_R.tasks
        )

    @pytest.mark.parametrize("suite", ["xtreme-r", "masakhane"])
    def test_every_task_passes_the_plugin_kit_check(self, registry, suite: str):
        for task in registry.suite_tasks(suite, optional=True):
            assert check_task(task, registry) == [], task.name

    def test_shared_tasks_are_xtremes_declarations_with_more_languages(self, registry):
        for name in ("udpos", "panx", "xquad", "tatoeba"):
            old, new = registry.task(name, suite="xtreme"), registry.task(name, suite="xtreme-r")
            assert new.languages[: len(old.languages)] == old.languages and len(new.languages) > len(old.languages)
            assert (new.metric, new.main_metrics, new.type) == (old.metric, old.main_metrics, old.type)
        assert registry.task("xtreme-r/xnli").languages == registry.task("xtreme/xnli").languages

    def test_a_shared_task_name_alone_is_ambiguous(self, registry):
        expected = r"task 'xnli' is in several suites; write xglue/xnli or xtreme/xnli or xtreme-r/xnli \(or pass"
        with pytest.raises(XltBenchError, match=expected):
            registry.task("xnli")

    def test_new_ud_languages_read_v2_7_and_the_others_v2_5(self, registry):
        udpos = {task.name: task for task in xtreme_r.TASKS}["udpos"]
        patterns = {layout.patterns["test"][0]: set(layout.languages) for layout in udpos.data}
        folders = {pattern.split("/")[0]: langs for pattern, langs in patterns.items() if pattern.startswith("ud-")}
        old = set(registry.task("xtreme/udpos").languages)
        assert folders == {"ud-treebanks-v2.7": set(xtreme_r.NEW_UD), "ud-treebanks-v2.5": old}

    def test_lareqa_files_serve_every_language_and_romanian_xquad_is_fetched(self, registry):
        lareqa = registry.task("lareqa")
        assert len(lareqa.releases) == 11 and all(release.languages == () for release in lareqa.releases)
        assert {release.path for release in lareqa.releases} == {f"xquad-r/{lang}.json" for lang in lareqa.languages}
        assert any(release.url.endswith("xquad.ro.json") for release in registry.task("xtreme-r/xquad").releases)


class TestXcopaReader:
    @pytest.mark.parametrize("language", XCOPA_SAMPLES)
    def test_real_files_crlf_and_balanced_test_labels(self, real_samples: Path, language: str):
        def read(split: str) -> list[dict]:
            files = (xcopa_file(real_samples, language, split),)
            return list(read_xcopa(DataSource("xcopa-jsonl", files), language, split))

        test, dev = read("test"), read("val")
        assert (len(test), len(dev)) == (500, 100)
        assert Counter(example["label"] for example in test) == {"0": 250, "1": 250}
        assert {example["question"] for example in test} == {"cause", "effect"}
        assert all(len(example["choices"]) == 2 and not example["choices"][1].endswith("\r") for example in test)
        assert [example["id"] for example in test] == [str(i) for i in range(500)]

    def test_a_broken_record_names_file_and_line(self, tmp_path: Path):
        path = tmp_path / "test.et.jsonl"
        path.write_text('{"premise": "p", "choice1": "a", "choice2": "b", "question": "cause", "label": 0, "idx": 0}\n'
                        '{"premise": "p", "choice1": "a"}\n')  # fmt: skip
        with pytest.raises(XltBenchError, match=r"test\.et\.jsonl:2: not an XCOPA record \(KeyError"):
            list(read_xcopa(DataSource("xcopa-jsonl", (path,)), "et", "test"))


def test_xcopa_submission_scores_against_the_original_file_as_gold(real_samples: Path, tmp_path: Path):
    gold = tmp_path / "gold" / "xcopa" / "test-sw.jsonl"
    gold.parent.mkdir(parents=True)
    gold.write_bytes(xcopa_file(real_samples, "sw", "test").read_bytes())  # CRLF JSON Lines, as released
    labels = [json.loads(line)["label"] for line in gold.read_text().splitlines()]
    predicted = tmp_path / "pred" / "xcopa" / "test-sw.jsonl"
    predicted.parent.mkdir(parents=True)
    predicted.write_text("".join(f"{label if i % 4 else 1 - label}\n" for i, label in enumerate(labels)))  # bare ints
    folders = ["--suite", "xtreme-r", "--predictions", str(tmp_path / "pred"), "--gold", str(tmp_path / "gold")]
    result = run_main("score", *folders, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tasks"]["xcopa"]["languages"] == {"sw": {"accuracy": 75.0}}
    predicted.write_text('{"label": 1}\n{"choice": 0}\n')
    error = run_main("score", *folders).stderr.strip()
    assert error == f'xlt-bench: error: {predicted}:2: expected an object with an integer "label" (the chosen index)'


@pytest.mark.parametrize(
    ("line", "shown"),
    [('{"label": "1"}', '"1"'), ('{"label": 1.0}', "1.0"), ('{"label": true}', "true"), ('{"label": null}', "null"),
     ('"1"', '"1"'), ("[1]", "[1]"), ('{"label": "' + "9" * 60 + '"}', '"' + "9" * 38 + "…")],
)  # fmt: skip
def test_xcopa_labels_must_be_json_integers(tmp_path: Path, line: str, shown: str):
    """The official scorer compares raw JSON values, so "1" is not 1: anything but an integer is refused."""
    path = tmp_path / "test-sw.jsonl"
    path.write_text('{"idx": 0, "label": 0}\n3\n' + line + "\n")
    with pytest.raises(XltBenchError) as refused:
        CHOICES.read_predictions(path)
    assert str(refused.value) == f'{path}:3: expected an object with an integer "label" (the chosen index), got {shown}'
    path.write_text('{"idx": 0, "label": 0}\n3\n')
    assert CHOICES.read_predictions(path) == ["0", "3"]


def test_xcopa_string_labels_are_refused_by_score_and_the_real_gold_files_read(real_samples: Path, tmp_path: Path):
    for path in sorted((real_samples / "xcopa" / "data").glob("*/*.jsonl")):  # gold goes through the same reader
        expected = [str(json.loads(line)["label"]) for line in path.read_text(encoding="utf-8").splitlines()]
        assert CHOICES.read_gold(path) == expected and set(expected) == {"0", "1"}, path
    gold = tmp_path / "gold" / "xcopa" / "test-sw.jsonl"
    gold.parent.mkdir(parents=True)
    gold.write_bytes(xcopa_file(real_samples, "sw", "test").read_bytes())
    predicted = tmp_path / "pred" / "xcopa" / "test-sw.jsonl"
    predicted.parent.mkdir(parents=True)
    labels = [json.loads(line)["label"] for line in gold.read_text().splitlines()]
    predicted.write_text("".join(f'{{"label": "{label}"}}\n' for label in labels))  # right, but strings
    folders = ["--suite", "xtreme-r", "--predictions", str(tmp_path / "pred"), "--gold", str(tmp_path / "gold")]
    error = run_main("score", *folders).stderr.strip()
    assert error.endswith(f'{predicted}:1: expected an object with an integer "label" (the chosen index), got "0"')
    assert "\n" not in error


def test_xcopa_choices_are_written_as_json_integers(tmp_path: Path):
    path = tmp_path / "test-sw.jsonl"
    CHOICES.write_predictions(path, ["1", "0", "12"])
    assert path.read_text() == '{"idx": 0, "label": 1}\n{"idx": 1, "label": 0}\n{"idx": 2, "label": 12}\n'
    assert CHOICES.read_predictions(path) == ["1", "0", "12"]
    with pytest.raises(XltBenchError, match=r"test-sw\.jsonl: choice 2 is 'one', not the index of a choice"):
        CHOICES.write_predictions(path, ["1", "one"])


@pytest.mark.slow
def test_xcopa_eval_on_the_real_files_predicts_the_best_choice_and_rescores(tokenizer, real_samples: Path, tmp_path):
    import torch
    from transformers import AutoModelForMultipleChoice

    checkpoint = tiny_checkpoint(tmp_path / "ckpt" / "xcopa", head="multiple-choice", tokenizer=tokenizer, seed=3)
    run = tmp_path / "run"
    args = ["eval", "--model", str(tmp_path / "ckpt"), "--suite", "xtreme-r", "--tasks", "xcopa"]
    args += ["--data-dir", str(real_samples / "xcopa"), "--output", str(run), "--quiet", "--batch-size", "16"]
    result = run_main(*args)
    assert result.returncode == 0, result.stderr
    document = json.loads((run / "results.json").read_text())
    xcopa = document["tasks"]["xcopa"]
    assert xcopa["examples"] == dict.fromkeys(XCOPA_SAMPLES, 500)
    assert not xcopa["complete"] and sorted(xcopa["skipped"]) == ["it", "qu", "th", "tr", "vi"]
    assert "no xcopa test data for 'it'" in xcopa["skipped"]["it"] and "'test.it.jsonl'" in xcopa["skipped"]["it"]
    assert document["score"] is None  # an incomplete suite has no score, however many tasks ran
    lines = (run / "predictions" / "xcopa" / "test-et.jsonl").read_text().splitlines()
    predictions = [str(json.loads(line)["label"]) for line in lines]
    assert len(predictions) == 500 and set(predictions) <= {"0", "1"}

    # The runner's choice is the argmax over the two (premise, question + choice) scores of the checkpoint.
    examples = [json.loads(line) for line in xcopa_file(real_samples, "et", "test").read_text().splitlines()[:8]]
    model = AutoModelForMultipleChoice.from_pretrained(checkpoint).eval()
    for example, predicted in zip(examples, predictions):
        second = [f"{QUESTION_WORDING[example['question']]} {example[key]}" for key in ("choice1", "choice2")]
        encoded = tokenizer([example["premise"]] * 2, second, return_tensors="pt", padding=True)
        with torch.no_grad():
            logits = model(**{name: tensor.unsqueeze(0) for name, tensor in encoded.items()}).logits
        assert predicted == str(int(logits.argmax()))
    folders = ["--predictions", str(run / "predictions"), "--gold", str(run / "labels"), "--json"]
    assert "another --suite?" in run_main("score", *folders).stderr  # the default suite is xtreme
    rescored = run_main("score", "--suite", "xtreme-r", *folders)
    assert rescored.returncode == 0, rescored.stderr
    assert json.loads(rescored.stdout)["tasks"]["xcopa"]["languages"] == xcopa["languages"]


def test_paper_average_is_the_category_mean_and_the_flat_mean_is_reported_too(registry):
    def filled(task, value) -> TaskScore:
        metrics = dict(zip(("f1", "exact_match"), value)) if isinstance(value, tuple) else {task.main_metrics[0]: value}
        return TaskScore(task, dict.fromkeys(task.languages, metrics))

    suite = registry.suites["xtreme-r"]
    score = SuiteScore(suite, {task.name: filled(task, MBERT[task.name]) for task in registry.suite_tasks("xtreme-r")})
    assert round(score.score, 1) == 54.1 and score.aggregates["category_mean"] == score.score
    assert round(score.aggregates["task_mean"], 1) == 52.1
    assert score.categories == pytest.approx(
        {"classification": 61.3, "structured_prediction": 66.8, "qa": 53.833, "retrieval": 34.5}, abs=1e-3
    )


@pytest.mark.slow
def test_lareqa_eval_ranks_queries_against_the_joint_pool_and_rescores(tokenizer, real_samples: Path, tmp_path: Path):
    tiny_checkpoint(tmp_path / "ckpt" / "retrieval", head="encoder", tokenizer=tokenizer)
    run = tmp_path / "run"
    args = ["eval", "--model", str(tmp_path / "ckpt"), "--suite", "xtreme-r", "--tasks", "lareqa", "--quiet"]
    result = run_main(*args, "--languages", "de,zh", "--data-dir", str(real_samples / "lareqa"), "--output", str(run))
    assert result.returncode == 0, result.stderr
    lareqa = json.loads((run / "results.json").read_text())["tasks"]["lareqa"]
    assert lareqa["examples"] == {"de": 135, "zh": 135}  # the queries, not the 915 pooled candidates
    fragment = json.loads((run / "fragments" / "lareqa" / "test-de.json").read_text())
    details = fragment["details"]
    assert (details["queries"], details["candidates"], details["layer"], details["pooling"]) == (135, 915, 2, "cls")
    ranked = json.loads((run / "predictions" / "lareqa" / "test-de.json").read_text())
    gold = json.loads((run / "labels" / "lareqa" / "test-de.json").read_text())
    assert list(ranked) == list(gold) and all(len(ids) == 20 for ids in ranked.values())
    assert all(len(relevant) == 11 and any(i.startswith("de_") for i in relevant) for relevant in gold.values())
    folders = ["--predictions", str(run / "predictions"), "--gold", str(run / "labels"), "--json"]
    rescored = json.loads(run_main("score", "--suite", "xtreme-r", *folders).stdout)
    assert rescored["tasks"]["lareqa"]["languages"] == lareqa["languages"]
