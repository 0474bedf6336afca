"""Masakhane data and scoring: MasakhaNER 2.0 reader, seqeval `types`, AfriQA gold passages and AfriQA EM/F1."""

from __future__ import annotations

import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from xlt_bench.data.afriqa import read_afriqa_gold_passages
from xlt_bench.data.formats import DataSource
from xlt_bench.data.loading import drop_skipped, load_examples
from xlt_bench.data.masakhaner import read_masakhaner
from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.afriqa import afriqa_em_f1, afriqa_units, normalizer
from xlt_bench.metrics.seqeval_chunks import chunk_f1, chunk_units
from xlt_bench.metrics.squad import normalize_answer as squad_normalize
from xlt_bench.registry import load_registry
from xlt_bench.submission import SQUAD_ANSWERS

NER_TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-DATE", "I-DATE"]
THREE_TYPES = ("PER", "ORG", "LOC")
# Sentences per file, as the MasakhaNER 2.0 README table (and the shared data README) give them.
MASAKHANER_SENTENCES = {
    ("hau", "dev"): 816, ("hau", "test"): 1633, ("ibo", "dev"): 1090, ("ibo", "test"): 2181,
    ("swa", "dev"): 942, ("swa", "test"): 1883, ("yor", "dev"): 983, ("yor", "test"): 1964,
    ("zul", "dev"): 836, ("zul", "test"): 1670,
}  # fmt: skip
# Per gold-passage file: (records, usable, skipped by reason, usable records whose answer text is not in the passage).
# Verified by hand on the files: the skipped records are 3 + 2 null contexts (hau dev, zul dev) and one "" context
# (yor test, id 205); answers absent from the passage are mostly "yes"/"no" (answer_start -1) and "&" vs "&amp;".
AFRIQA_GOLD = {
    ("hau", "dev"): (225, 222, {"no context": 3}, 16),
    ("hau", "test"): (300, 300, {}, 24),
    ("ibo", "dev"): (307, 307, {}, 0),
    ("ibo", "test"): (409, 409, {}, 1),
    ("swa", "test"): (295, 295, {}, 30),
    ("yor", "test"): (254, 253, {"no context": 1}, 44),
    ("zul", "dev"): (244, 242, {"no context": 2}, 6),
    ("zul", "test"): (325, 325, {}, 14),
}


def source(fmt: str, *files: Path, **params: object) -> DataSource:
    return DataSource(fmt, tuple(files), params=params)


def masakhaner_file(real_samples: Path, language: str, split: str) -> Path:
    return real_samples / "masakhaner2" / "MasakhaNER2.0" / "data" / language / f"{split}.txt"


def gold_passages(real_samples: Path, language: str, split: str) -> Path:
    folder = real_samples / "afriqa" / "data" / "gold_passages" / language
    return folder / f"gold_span_passages.afriqa.{language}.en.{split}.json"


def squad_data(*qas: tuple[str, list[str]]) -> list[dict]:
    """A one-paragraph SQuAD `data` list with (id, gold answers) questions."""
    return [{"paragraphs": [{"context": "", "qas": [{"id": i, "answers": [{"text": a} for a in g]} for i, g in qas]}]}]


def summed(units) -> dict[str, float]:
    return {name: float(value) for name, value in units.reduce(np.sum(np.asarray(units.stats), axis=0)).items()}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


class TestMasakhanerReader:
    @pytest.mark.parametrize(("language", "split"), sorted(MASAKHANER_SENTENCES))
    def test_real_files_keep_every_sentence(self, real_samples: Path, language: str, split: str):
        path = masakhaner_file(real_samples, language, split)
        examples = list(read_masakhaner(source("masakhaner", path), language, split))
        assert len(examples) == MASAKHANER_SENTENCES[language, split]
        assert all(len(ex["tokens"]) == len(ex["tags"]) > 0 for ex in examples)
        assert {tag for ex in examples for tag in ex["tags"]} == set(NER_TAGS)
        # every non-blank line is one token, in order
        lines = [line.split(" ") for line in path.read_text(encoding="utf-8").splitlines() if line]
        assert [[t, g] for ex in examples for t, g in zip(ex["tokens"], ex["tags"])] == lines
        assert examples[0]["id"] == f"{split}.txt:1"

    def test_diacritics_are_kept(self, real_samples: Path):
        examples = read_masakhaner(source("masakhaner", masakhaner_file(real_samples, "yor", "test")), "yor", "test")
        assert any(any("ọ" in token or "ṣ" in token for token in ex["tokens"]) for ex in examples)

    def test_malformed_line_names_file_and_line(self, tmp_path: Path):
        path = tmp_path / "test.txt"
        path.write_text("Kano B-LOC\nna O\n\nAbuja  B-LOC\n", encoding="utf-8")
        with pytest.raises(XltBenchError, match=r"test.txt:4: expected '<token> <TAG>' \(one space\)"):
            list(read_masakhaner(source("masakhaner", path), "hau", "test"))
        path.write_text("Kano\tB-LOC\n", encoding="utf-8")
        with pytest.raises(XltBenchError, match=r"test.txt:1: expected"):
            list(read_masakhaner(source("masakhaner", path), "hau", "test"))

    def test_registered(self, registry):
        assert registry.formats["masakhaner"].read is read_masakhaner


class TestSeqevalTypes:
    GOLD = [["B-PER", "I-PER", "O", "B-DATE", "I-DATE", "B-LOC"], ["B-LOC", "I-LOC", "O"]]
    PREDICTED = [["B-PER", "I-PER", "O", "B-DATE", "I-DATE", "B-ORG"], ["B-DATE", "I-LOC", "B-DATE"]]

    def test_date_chunks_are_ignored_in_gold_and_predictions(self):
        # All four types: gold PER, DATE, LOC | LOC(0-1); predicted PER, DATE, ORG | DATE(0), LOC(1), DATE(2);
        # correct PER and DATE: P = 2/6, R = 2/4.
        four = chunk_f1(self.GOLD, self.PREDICTED)
        assert (four["precision"], four["recall"]) == pytest.approx((100 / 3, 50.0))
        # DATE -> O: gold PER, LOC | LOC(0-1); predicted PER, ORG | "O I-LOC O" = LOC(1) only; correct PER:
        # P = 1/3, R = 1/3 (the matching DATE chunk no longer counts, the half-DATE LOC is still wrong).
        three = chunk_f1(self.GOLD, self.PREDICTED, types=THREE_TYPES)
        assert three == pytest.approx({"f1": 100 / 3, "precision": 100 / 3, "recall": 100 / 3})
        assert summed(chunk_units(self.GOLD, self.PREDICTED, types=THREE_TYPES)) == pytest.approx(three)

    def test_default_is_unchanged(self):
        assert chunk_f1(self.GOLD, self.PREDICTED, types=None) == chunk_f1(self.GOLD, self.PREDICTED)
        assert chunk_f1(self.GOLD, self.PREDICTED, types=("PER", "ORG", "LOC", "DATE")) == chunk_f1(
            self.GOLD, self.PREDICTED
        )

    def test_a_string_is_not_a_list_of_types(self):
        with pytest.raises(XltBenchError, match="types must be a list of entity types"):
            chunk_f1(self.GOLD, self.PREDICTED, types="PER")

    def test_equals_seqeval_after_mapping_date_to_o_on_real_tags(self, real_samples: Path):
        from seqeval.metrics import f1_score, precision_score, recall_score

        def without_date(sentences: list[list[str]]) -> list[list[str]]:
            return [["O" if tag.endswith("DATE") else tag for tag in sentence] for sentence in sentences]

        rng = random.Random(2022)
        for language, split in sorted(MASAKHANER_SENTENCES):
            path = masakhaner_file(real_samples, language, split)
            gold = [ex["tags"] for ex in read_masakhaner(source("masakhaner", path), language, split)]
            predicted = [[t if rng.random() > 0.15 else rng.choice(NER_TAGS) for t in s] for s in gold]
            ours = chunk_f1(gold, predicted, types=THREE_TYPES)
            gold3, predicted3 = without_date(gold), without_date(predicted)
            assert ours["f1"] == pytest.approx(100 * f1_score(gold3, predicted3), abs=1e-9)
            assert ours["precision"] == pytest.approx(100 * precision_score(gold3, predicted3), abs=1e-9)
            assert ours["recall"] == pytest.approx(100 * recall_score(gold3, predicted3), abs=1e-9)
            assert summed(chunk_units(gold, predicted, types=THREE_TYPES)) == pytest.approx(ours, abs=1e-9)
            assert ours != chunk_f1(gold, predicted)  # DATE really is left out


class TestAfriqaReader:
    @pytest.mark.parametrize(("language", "split"), sorted(AFRIQA_GOLD))
    def test_real_files_usable_and_skipped(self, real_samples: Path, language: str, split: str):
        path = gold_passages(real_samples, language, split)
        records, usable, skipped, not_in_passage = AFRIQA_GOLD[language, split]
        # Independently, with plain json: every non-blank line is a record; unusable = null or blank context.
        plain = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        no_context = sum(not (r["context"] or "").strip() for r in plain)
        assert (len(plain), len(plain) - no_context) == (records, usable)
        assert len({r["id"] for r in plain}) == records

        rows = list(read_afriqa_gold_passages(source("afriqa-gold-passages", path), language, split))
        assert len(rows) == records
        assert Counter(row["skip_reason"] for row in rows if row["skip_reason"]) == skipped
        valid = [row for row in rows if not row["skip_reason"]]
        assert len(valid) == usable
        assert all(isinstance(row["id"], str) for row in rows)
        assert [row["id"] for row in valid] == [r["id"] for r in plain if (r["context"] or "").strip()]
        assert all(row["context"].strip() and row["question"].strip() for row in valid)
        assert all(len(row["answers"]["text"]) == len(row["answers"]["answer_start"]) == 1 for row in valid)
        # Answers that are not spans of the passage (answer_start -1, "yes"/"no"...) are kept and scored by text.
        assert sum(not any(t in row["context"] for t in row["answers"]["text"]) for row in valid) == not_in_passage
        expected = {r["id"]: (r["question_lang"], r["answer_pivot"]) for r in plain}
        assert all((row["question"], row["answers"]) == expected[row["id"]] for row in valid)

    def test_bare_nan_record_is_usable(self, real_samples: Path):
        path = gold_passages(real_samples, "ibo", "dev")
        [line] = [line for line in path.read_text(encoding="utf-8").splitlines() if "NaN" in line]
        record = json.loads(line)
        assert math.isnan(record["answer_lang"])
        rows = {row["id"]: row for row in read_afriqa_gold_passages(source("afriqa-gold-passages", path), "ibo", "dev")}
        assert rows[record["id"]]["skip_reason"] == ""
        assert rows[record["id"]]["answers"]["text"] == record["answer_pivot"]["text"]

    def test_loading_counts_the_skipped_records(self, real_samples: Path, registry):
        data = source("afriqa-gold-passages", gold_passages(real_samples, "hau", "dev"))
        examples, skipped = drop_skipped(load_examples(registry.data_format(data), data, "hau", "dev"))
        assert (len(examples), skipped) == (222, {"no context": 3})
        assert examples.column_names == ["id", "context", "question", "answers"]

    def test_every_skip_reason(self, tmp_path: Path):
        def record(qid: object, **fields: object) -> str:
            base = {"id": qid, "context": "Kano is in Nigeria.", "question_lang": "Ina Kano?"}
            return json.dumps({**base, "answer_pivot": {"answer_start": [10], "text": ["Nigeria"]}, **fields})

        lines = [
            record(7),  # an int id becomes "7"
            '{"id": "8", "context": ',  # truncated
            "[1, 2]",
            record(None),
            record("7"),
            record("9", context=None),
            record("10", context="  "),
            record("11", question_lang=""),
            record("12", answer_pivot={"answer_start": [], "text": []}),
            record("13", answer_pivot={"answer_start": [-1], "text": [""]}),
            record("14", answer_pivot=None),
            "",
            record("15", answer_pivot={"answer_start": [-1], "text": ["yes"]}, answer_lang=float("nan")),
            record("16", answer_pivot={"answer_start": [], "text": ["Nigeria", "Najeriya"]}),
        ]
        path = tmp_path / "gold_span_passages.afriqa.hau.en.test.json"
        path.write_text("\n".join(lines), encoding="utf-8")
        rows = list(read_afriqa_gold_passages(source("afriqa-gold-passages", path), "hau", "test"))
        assert [(row["id"], row["skip_reason"]) for row in rows] == [
            ("7", ""),
            (f"{path.name}:2", "invalid JSON line"),
            (f"{path.name}:3", "invalid JSON line"),
            (f"{path.name}:4", "no id"),
            (f"{path.name}:5", "duplicate id"),
            (f"{path.name}:6", "no context"),
            (f"{path.name}:7", "no context"),
            (f"{path.name}:8", "no question"),
            (f"{path.name}:9", "no answer"),
            (f"{path.name}:10", "no answer"),
            (f"{path.name}:11", "no answer"),
            ("15", ""),
            ("16", ""),
        ]
        assert rows[0]["answers"] == {"text": ["Nigeria"], "answer_start": [10]}
        assert rows[-2]["answers"] == {"text": ["yes"], "answer_start": [-1]}
        assert rows[-1]["answers"] == {"text": ["Nigeria", "Najeriya"], "answer_start": [-1, -1]}

    def test_translated_question_on_request(self, real_samples: Path, tmp_path: Path):
        path = gold_passages(real_samples, "zul", "test")
        first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
        rows = read_afriqa_gold_passages(source("afriqa-gold-passages", path), "zul", "test", "question_translated")
        assert next(iter(rows))["question"] == first["question_translated"]
        with pytest.raises(XltBenchError, match="question_field must be one of question_lang, question_translated"):
            list(read_afriqa_gold_passages(source("afriqa-gold-passages", path), "zul", "test", "question"))


class TestAfriqaMetric:
    def test_normalisation_is_unidecode_then_squad(self):
        normalize = normalizer()
        assert normalize("Ọ̀ṣun Òṣogbo") == "osun osogbo"
        assert normalize("The Gambia") == "gambia"
        assert normalize("Côte d'Ivoire!") == "cote divoire"
        # unidecode turns « » into << >>, which are ASCII punctuation; SQuAD alone keeps both guillemets and accents.
        assert normalize("«Ìbàdàn»") == "ibadan"
        assert squad_normalize("«Ìbàdàn»") == "«ìbàdàn»"
        assert normalize("  An   a-ha  ") == "aha"

    def test_exact_match_and_f1_on_a_tiny_set(self):
        gold = squad_data(
            ("1", ["Ọ̀ṣun State"]),
            ("2", ["Independent Democrats (ID)", "ID"]),
            ("3", ["yes"]),
        )
        predictions = {"1": "Osun state.", "2": "the Independent Democrats"}
        # 1: exact after unidecode; 2: F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8 against the first answer; 3: unanswered
        result = afriqa_em_f1(gold, predictions)
        assert result == pytest.approx({"exact_match": 100 / 3, "f1": 100 * 1.8 / 3})
        assert summed(afriqa_units(gold, predictions)) == pytest.approx(result)

    def test_real_answers_score_100_against_themselves(self, real_samples: Path):
        path = gold_passages(real_samples, "ibo", "test")
        rows = list(read_afriqa_gold_passages(source("afriqa-gold-passages", path), "ibo", "test"))
        gold = squad_data(*[(row["id"], row["answers"]["text"]) for row in rows])
        predictions = {row["id"]: row["answers"]["text"][0].upper() for row in rows[::2]}
        result = afriqa_em_f1(gold, predictions)
        assert result["exact_match"] == pytest.approx(100 * len(predictions) / len(rows))
        assert summed(afriqa_units(gold, predictions)) == pytest.approx(result)

    def test_missing_unidecode_says_how_to_install_it(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setitem(sys.modules, "unidecode", None)  # `import unidecode` now raises ImportError
        gold = squad_data(("1", ["Doha"]))
        for compute in (afriqa_em_f1, afriqa_units):
            with pytest.raises(XltBenchError, match=r"needs the Unidecode package.*pip install 'xlt-bench\[afriqa\]'"):
                compute(gold, {"1": "Doha"})

    def test_registered(self, registry):
        metric = registry.metrics["afriqa"]
        assert (metric.compute, metric.per_example) == (afriqa_em_f1, afriqa_units)
        assert metric.keys == ("exact_match", "f1") and metric.submission is SQUAD_ANSWERS
        assert registry.formats["afriqa-gold-passages"].read is read_afriqa_gold_passages


@pytest.mark.slow
def test_eval_suite_masakhane_on_the_real_files_counts_unusable_records_and_rescores(
    tokenizer, real_samples: Path, tmp_path: Path
):
    from helpers import run_main

    from xlt_bench.plugins.xtreme import PANX_TAGS
    from xlt_bench.testing import tiny_checkpoint

    ckpt = tmp_path / "ckpt"
    tiny_checkpoint(ckpt / "ner", head="token-classification", labels=PANX_TAGS, tokenizer=tokenizer)
    tiny_checkpoint(ckpt / "squad", head="question-answering", tokenizer=tokenizer)
    run = tmp_path / "run"
    args = ["eval", "--model", str(ckpt), "--suite", "masakhane", "--languages", "hau,yor", "--quiet"]
    result = run_main(*args, "--data-dir", str(real_samples), "--output", str(run), "--batch-size", "32")
    assert result.returncode == 0, result.stderr
    document = json.loads((run / "results.json").read_text())
    tasks = document["tasks"]
    assert set(tasks) == {"masakhaner2", "afriqa"}  # the optional all-types variant runs only when asked for
    assert tasks["masakhaner2"]["examples"] == {"hau": 1633, "yor": 1964}
    assert tasks["afriqa"]["examples"] == {"hau": 300, "yor": 253}
    assert tasks["afriqa"]["skipped_examples"] == {"yor": {"no context": 1}}
    assert "afriqa/yor: records left out of scoring (no context: 1)" in result.stdout
    gold_tags = (run / "labels" / "masakhaner2" / "test-hau.tsv").read_text()
    assert "B-DATE" in gold_tags  # gold keeps DATE; the metric's `types` leaves it out of the score
    folders = ["--predictions", str(run / "predictions"), "--gold", str(run / "labels"), "--json"]
    rescored = json.loads(run_main("score", "--suite", "masakhane", *folders).stdout)
    for name in ("masakhaner2", "afriqa"):
        assert rescored["tasks"][name]["languages"] == tasks[name]["languages"]
