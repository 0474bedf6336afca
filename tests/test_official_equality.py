"""`xlt-bench score` equals the official XTREME scorer: on the mock submission folders and on seeded imperfect
predictions built from the real samples, with expected values derived independently of our implementation."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from helpers import run_cli, run_main

from xlt_bench.data.conllu import read_ud_conllu
from xlt_bench.data.formats import DataSource
from xlt_bench.folder_scoring import score_folders
from xlt_bench.metrics.seqeval_chunks import chunk_f1
from xlt_bench.plugins.xtreme import UPOS_TAGS
from xlt_bench.registry import load_registry

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def write_tags(path: Path, sentences: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join("".join(f"{t}\n" for t in s) + "\n" for s in sentences), encoding="utf-8")


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def test_mock_folders_match_the_official_scorer_value_for_value(real_samples: Path):
    """Every per-language metric, every task score, the categories and the XTREME score equal the values the
    official `evaluate.py` (seqeval 0.0.12) printed for the same folders."""
    mock = real_samples / "xtreme_mock_test_data"
    result = run_cli("score", "--predictions", str(mock / "predictions"), "--gold", str(mock / "labels"), "--json")
    assert result.returncode == 0, result.stderr
    ours = json.loads(result.stdout)
    official = json.loads((FIXTURES / "official_mock_scores.json").read_text())
    compared = 0
    for task, expected in official["tasks"].items():
        for metric, per_language in expected["languages"].items():
            for language, value in per_language.items():
                assert ours["tasks"][task]["languages"][language][metric] == pytest.approx(value, abs=1e-9), (
                    task,
                    language,
                    metric,
                )
                compared += 1
        assert ours["tasks"][task]["score"] == pytest.approx(expected["avg_metric"], abs=1e-9)
        assert ours["tasks"][task]["complete"] is True
    assert compared == 343
    assert ours["score"] == pytest.approx(official["overall"]["all_task"], abs=1e-9)
    renamed = {"tagging": "structured_prediction"}
    for group in ("classification", "tagging", "qa", "retrieval"):
        assert ours["categories"][renamed.get(group, group)] == pytest.approx(official["overall"][group], abs=1e-9)
    assert "mewslix" not in ours["tasks"]  # an XTREME-R task folder in the mock data is not part of XTREME


def _runs(sentences: list[list[str]]) -> set[tuple[str, int, int]]:
    """Chunks by the official rule stated independently: maximal runs of one UPOS tag within a sentence, except
    that tags starting with 'S' (SCONJ, SYM) are single-token chunks; sentences are separated by one position."""
    found, offset = set(), 0
    for sentence in sentences:
        i = 0
        while i < len(sentence):
            j = i
            while j + 1 < len(sentence) and sentence[j + 1] == sentence[i] and not sentence[i].startswith("S"):
                j += 1
            found.add((sentence[i], offset + i, offset + j))
            i = j + 1
        offset += len(sentence) + 1
    return found


def _f1(gold: set, predicted: set) -> float:
    correct = len(gold & predicted)
    p, r = correct / len(predicted), correct / len(gold)
    return 100 * 2 * p * r / (p + r)


def test_seeded_udpos_predictions_on_real_treebanks(real_samples: Path, registry, tmp_path: Path):
    rng = random.Random(7)
    expected = {}
    for conllu in sorted((real_samples / "udpos").rglob("*-ud-test.conllu")):
        language = conllu.name.split("_")[0]
        gold = [ex["tags"] for ex in read_ud_conllu(DataSource("ud-conllu", (conllu,)), language, "test")]
        predicted = [[t if rng.random() > 0.2 else rng.choice(UPOS_TAGS) for t in s] for s in gold]
        write_tags(tmp_path / "gold" / "udpos" / f"test-{language}.tsv", gold)
        write_tags(tmp_path / "pred" / "udpos" / f"test-{language}.tsv", predicted)
        expected[language] = _f1(_runs(gold), _runs(predicted))
    assert len(expected) == 7
    scores, _ = score_folders(registry, "xtreme", tmp_path / "pred", tmp_path / "gold")
    for language, value in expected.items():
        assert scores.tasks["udpos"].languages[language]["f1"] == pytest.approx(value, abs=1e-9)
    assert not scores.tasks["udpos"].complete and scores.tasks["udpos"].score is None


def _masakhaner_sentences(path: Path) -> list[list[str]]:
    blocks = path.read_text(encoding="utf-8").strip("\n").split("\n\n")
    return [[line.split(" ")[1] for line in block.splitlines()] for block in blocks]


def test_seeded_ner_predictions_on_masakhaner_match_seqeval(real_samples: Path, registry, tmp_path: Path):
    """MasakhaNER 2.0 tags used as NER data; for BIO tags today's seqeval agrees with 0.0.12, so it is the oracle."""
    from seqeval.metrics import f1_score, precision_score, recall_score

    rng = random.Random(11)
    tags = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-DATE", "I-DATE"]
    files = sorted((real_samples / "masakhaner2").rglob("test.txt"))
    assert len(files) == 5
    for path, panx_language in zip(files, ["sw", "yo", "hi", "id", "jv"]):
        gold = _masakhaner_sentences(path)
        predicted = [[t if rng.random() > 0.1 else rng.choice(tags) for t in s] for s in gold]
        ours = chunk_f1(gold, predicted)
        assert ours["f1"] == pytest.approx(100 * f1_score(gold, predicted), abs=1e-9)
        assert ours["precision"] == pytest.approx(100 * precision_score(gold, predicted), abs=1e-9)
        assert ours["recall"] == pytest.approx(100 * recall_score(gold, predicted), abs=1e-9)
        # and through the submission files (as if they were PAN-X languages)
        write_tags(tmp_path / "gold" / "panx" / f"test-{panx_language}.tsv", gold)
        write_tags(tmp_path / "pred" / "panx" / f"test-{panx_language}.tsv", predicted)
        scores, _ = score_folders(registry, "xtreme", tmp_path / "pred", tmp_path / "gold")
        assert scores.tasks["panx"].languages[panx_language] == pytest.approx(ours)


def _masakhane_folders(root: Path, registry, *, optional_gold: bool, optional_predictions: bool) -> list[str]:
    """Complete masakhaner2 and afriqa submissions (NER right but DATE predicted as O; every answer right), and
    the optional all-types variant where asked, as `score` arguments."""
    gold = [["B-PER", "I-PER", "O", "B-DATE", "I-DATE"], ["B-LOC", "O", "B-ORG"]]
    predicted = [["B-PER", "I-PER", "O", "O", "O"], ["B-LOC", "O", "B-ORG"]]
    for task in ("masakhaner2", "masakhaner2-all-types"):
        for language in registry.task(f"masakhane/{task}").languages:
            if task == "masakhaner2" or optional_gold:
                write_tags(root / "gold" / task / f"test-{language}.tsv", gold)
            if task == "masakhaner2" or optional_predictions:
                write_tags(root / "pred" / task / f"test-{language}.tsv", predicted)
    for language in registry.task("masakhane/afriqa").languages:
        qas = [{"id": f"{language}-{i}", "answers": [{"text": text, "answer_start": 0}]} for i, text in enumerate("xy")]
        data = [{"title": "t", "paragraphs": [{"context": "x y", "qas": qas}]}]
        write_lines(root / "gold" / "afriqa" / f"test-{language}.json", [json.dumps({"data": data})])
        write_lines(
            root / "pred" / "afriqa" / f"test-{language}.json",
            [json.dumps({q["id"]: "xy"[i] for i, q in enumerate(qas)})],
        )
    return ["--suite", "masakhane", "--predictions", str(root / "pred"), "--gold", str(root / "gold")]


def test_optional_tasks_are_scored_but_never_count_in_the_suite_score(registry, tmp_path: Path):
    """Masakhane's optional masakhaner2-all-types is scored when both folders hold it; the suite score stays the
    mean of masakhaner2 and afriqa (100), where counting the variant (85.7: DATE missed) would lower it."""
    all_types = 100 * 2 * 0.75 / 1.75  # 4 gold chunks, the 3 predicted all right: P 100, R 75
    args = _masakhane_folders(tmp_path / "both", registry, optional_gold=True, optional_predictions=True)
    result = run_main("score", *args, "--json")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    scored = json.loads(result.stdout)
    assert list(scored["tasks"]) == ["masakhaner2", "afriqa", "masakhaner2-all-types"]
    assert scored["tasks"]["masakhaner2"]["score"] == 100.0 and scored["tasks"]["afriqa"]["score"] == 100.0
    variant = scored["tasks"]["masakhaner2-all-types"]
    assert variant["complete"] and variant["score"] == pytest.approx(all_types)
    assert variant["languages"]["hau"] == {"precision": 100.0, "recall": 75.0, "f1": pytest.approx(all_types)}
    assert scored["score"] == 100.0 and scored["aggregates"] == {"task_mean": 100.0} and scored["categories"] == {}
    table = run_main("score", *args).stdout
    row = next(line for line in table.splitlines() if line.startswith("masakhaner2-all-types"))
    assert row.split()[:7] == ["masakhaner2-all-types", "(optional,", "not", "in", "the", "suite", "score)"]
    assert row.split()[7:10] == ["20/20", "f1", f"{all_types:.2f}"] and "(f1): bam 85.71  bbj" in table
    assert "masakhane score: 100.00" in table

    without = _masakhane_folders(tmp_path / "main", registry, optional_gold=False, optional_predictions=False)
    plain = json.loads(run_main("score", *without, "--json").stdout)
    assert plain == {**scored, "tasks": {k: v for k, v in scored["tasks"].items() if k != "masakhaner2-all-types"}}

    unanswered = _masakhane_folders(tmp_path / "gold-only", registry, optional_gold=True, optional_predictions=False)
    result = run_main("score", *unanswered, "--json")
    assert result.returncode == 0 and json.loads(result.stdout) == plain  # a submission need not try the variant
    assert "masakhaner2-all-types: optional task with gold but no prediction file; not scored" in result.stderr


def test_seeded_tatoeba_predictions(real_samples: Path, registry, tmp_path: Path):
    """Gold as XTREME writes it: for each English sentence in sorted order, its original (= xx line) index."""
    rng = random.Random(3)
    codes = {"deu": "de", "fra": "fr", "spa": "es", "ara": "ar", "cmn": "zh", "hin": "hi", "swh": "sw", "jpn": "ja"}
    expected = {}
    for code, language in codes.items():
        english = (real_samples / "tatoeba" / "v1" / f"tatoeba.{code}-eng.eng").read_text(encoding="utf-8").splitlines()
        gold = [str(index) for _, index in sorted(zip(english, range(len(english))), key=lambda pair: pair[0])]
        predicted = [g if rng.random() < 0.6 else str(rng.randrange(len(gold))) for g in gold]
        write_lines(tmp_path / "gold" / "tatoeba" / f"test-{language}.tsv", gold)
        write_lines(tmp_path / "pred" / "tatoeba" / f"test-{language}.tsv", predicted)
        expected[language] = 100 * sum(p == g for p, g in zip(predicted, gold)) / len(gold)
    scores, _ = score_folders(registry, "xtreme", tmp_path / "pred", tmp_path / "gold")
    assert scores.tasks["tatoeba"].languages == {lang: {"accuracy": pytest.approx(v)} for lang, v in expected.items()}
    assert len(gold) == 1000 and expected["sw"] is not None


def test_seeded_xquad_predictions_on_real_files(real_samples: Path, registry, tmp_path: Path):
    """Predictions whose effect under the SQuAD rules is known: the gold answer (EM 1), the gold answer wrapped in
    an English article and ASCII punctuation (normalised away: EM 1), a foreign token (0) or no answer (0)."""
    rng = random.Random(5)
    for language in ("en", "de", "es", "ar", "zh", "hi"):
        source = real_samples / "xquad" / f"xquad.{language}.json"
        (tmp_path / "gold" / "xquad").mkdir(parents=True, exist_ok=True)
        shutil.copy(source, tmp_path / "gold" / "xquad" / f"test-{language}.json")
        data = json.loads(source.read_text(encoding="utf-8"))["data"]
        predictions, credited, total = {}, 0, 0
        for article in data:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    total += 1
                    answer = qa["answers"][0]["text"]
                    kind = rng.choice(["gold", "decorated", "wrong", "missing"])
                    if kind == "gold":
                        predictions[qa["id"]] = answer
                    elif kind == "decorated":
                        predictions[qa["id"]] = f"The {answer}."
                    elif kind == "wrong":
                        predictions[qa["id"]] = "zzqx"
                    credited += kind in ("gold", "decorated")
        (tmp_path / "pred" / "xquad").mkdir(parents=True, exist_ok=True)
        (tmp_path / "pred" / "xquad" / f"test-{language}.json").write_text(json.dumps(predictions), encoding="utf-8")
        scores, warnings = score_folders(registry, "xtreme", tmp_path / "pred", tmp_path / "gold")
        assert total == 1190
        expected = 100 * credited / total
        assert scores.tasks["xquad"].languages[language] == {
            "exact_match": pytest.approx(expected),
            "f1": pytest.approx(expected),
        }
        assert any("unanswered" in warning for warning in warnings)
