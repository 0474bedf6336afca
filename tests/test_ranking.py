"""XTREME-R ranking retrieval (LAReQA, Mewsli-X): mAP@20 / MRR@20 worked by hand and on XTREME's mock Mewsli-X
files, the `ranked-ids` submission format, the readers (real XQuAD-R samples, handmade Mewsli-X fixtures), and the
ranking runner, with planted embeddings and end to end with a tiny encoder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import numpy as np
import pytest
from test_bitext import planted

from xlt_bench.data import BUILTIN_FORMATS
from xlt_bench.data.formats import DataSource
from xlt_bench.data.loading import drop_skipped, load_examples
from xlt_bench.data.ranking import mention_query, ranking_row, read_lareqa, read_mewslix
from xlt_bench.data.resolve import xlt_resolve_data
from xlt_bench.errors import XltBenchError
from xlt_bench.metrics.ranking import (
    average_precision,
    map_at_20,
    map_at_20_units,
    mrr_at_20,
    mrr_at_20_units,
    reciprocal_rank,
)
from xlt_bench.plugins.xtreme_r import LAREQA_TASK, MEWSLIX_TASK
from xlt_bench.runners import Job
from xlt_bench.runners.ranking import RankingRunner
from xlt_bench.submission import RANKED_IDS
from xlt_bench.tasks import Task
from xlt_bench.testing import tiny_checkpoint

MEWSLIX_DATA = Path(__file__).parent / "fixtures" / "data" / "mewslix"
# the suite's own declarations, so that these tests exercise what `eval --suite xtreme-r` runs
LAREQA, MEWSLIX = LAREQA_TASK, MEWSLIX_TASK
XQUAD_R_LANGUAGES = LAREQA.languages
FORMATS = {data_format.name: data_format for data_format in BUILTIN_FORMATS}


def ranked(*ids: str) -> list[str]:
    return list(ids)


def fillers(count: int, prefix: str = "x") -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


class TestAveragePrecisionAt20:
    def test_precision_at_each_relevant_rank_over_the_relevant_count(self):
        assert average_precision(["a", "b"], ranked("a", "x", "b")) == pytest.approx((1 / 1 + 2 / 3) / 2)

    def test_fewer_relevant_than_20_divides_by_their_count(self):
        # c is never retrieved: it still counts in the divisor min(3, 20) = 3.
        assert average_precision(["a", "b", "c"], ranked("a", "x", "y", "b")) == pytest.approx((1 + 2 / 4) / 3)

    def test_a_relevant_id_below_rank_20_earns_nothing(self):
        assert average_precision(["r"], [*fillers(19), "r"]) == pytest.approx(1 / 20)
        assert average_precision(["r"], [*fillers(20), "r"]) == 0.0

    def test_more_than_20_relevant_divides_by_20(self):
        relevant = fillers(25, "r")
        assert average_precision(relevant, relevant[:20]) == pytest.approx(1.0)
        # a miss at rank 1, then 19 hits at ranks 2..20: sum of (r - 1) / r, divided by min(25, 20) = 20.
        expected = sum((r - 1) / r for r in range(2, 21)) / 20
        assert average_precision(relevant, ["x", *relevant[:19]]) == pytest.approx(expected)

    def test_a_repeated_candidate_counts_once_but_keeps_its_rank(self):
        # Counting the copy would give (1/1 + 2/2 + 3/3) / 2 = 1.5, above 1.
        assert average_precision(["a", "b"], ranked("a", "a", "b")) == pytest.approx((1 + 2 / 3) / 2)
        assert average_precision(["a", "b"], [*["a"] * 20, "b"]) == pytest.approx(1 / 2)  # copies push b past 20

    def test_missing_predictions_score_zero_in_the_mean(self):
        gold = {"q1": ["a"], "q2": ["b"]}
        assert map_at_20(gold, {"q1": ["a"]}) == {"map@20": pytest.approx(50.0)}
        assert map_at_20({}, {}) == {"map@20": 0.0}


class TestReciprocalRankAt20:
    def test_the_rank_of_the_gold_id(self):
        assert reciprocal_rank(["Q1"], ranked("Q9", "Q1")) == 0.5
        assert reciprocal_rank(["Q1"], ranked("Q9", "Q1", "Q1")) == 0.5  # the first occurrence counts

    def test_beyond_rank_20_or_absent_is_zero(self):
        assert reciprocal_rank(["Q1"], [*fillers(19), "Q1"]) == pytest.approx(1 / 20)
        assert reciprocal_rank(["Q1"], [*fillers(20), "Q1"]) == 0.0
        assert reciprocal_rank(["Q1"], []) == 0.0

    def test_only_the_first_gold_id_counts_and_it_is_stripped(self):
        # utils_mewslix reads `labels[0].strip()`: the files hold one QID per mention.
        assert reciprocal_rank(["Q1", "Q2"], ranked("Q2", "Q1")) == 0.5
        assert reciprocal_rank([" Q1\n"], ranked("Q1")) == 1.0

    def test_mean_over_gold_mentions_missing_ones_zero(self):
        gold = {"m1": ["Q1"], "m2": ["Q2"], "m3": ["Q3"]}
        predictions = {"m1": ["Q1"], "m2": ["Q0", "Q0", "Q0", "Q2"]}
        assert mrr_at_20(gold, predictions) == {"mrr@20": pytest.approx(100 * (1 + 1 / 4 + 0) / 3)}


@pytest.mark.parametrize(
    ("metric", "units"), [(map_at_20, map_at_20_units), (mrr_at_20, mrr_at_20_units)], ids=["map@20", "mrr@20"]
)
def test_summed_per_example_statistics_reduce_to_the_metric(metric, units):
    rng = np.random.default_rng(3)
    pool = fillers(40, "c")
    gold = {f"q{i}": list(rng.choice(pool, size=int(rng.integers(1, 25)), replace=False)) for i in range(30)}
    predictions = {f"q{i}": list(rng.choice(pool, size=20)) for i in range(25)}  # with repeats; 5 unanswered
    per_example = units(gold, predictions)
    assert list(per_example.units) == list(gold)
    [(key, value)] = metric(gold, predictions).items()
    assert float(per_example.reduce(np.sum(per_example.stats, axis=0))[key]) == pytest.approx(value)


def test_xtreme_mock_mewslix_files_score_the_rank_of_the_gold_qid(real_samples: Path):
    mock = real_samples / "xtreme_mock_test_data"
    languages = sorted(path.name[5:-5] for path in (mock / "labels" / "mewslix").glob("test-*.json"))
    assert languages == sorted(MEWSLIX.languages)
    for language in languages:
        gold_path = mock / "labels" / "mewslix" / f"test-{language}.json"
        pred_path = mock / "predictions" / "mewslix" / f"test-{language}.json"
        gold, predictions = RANKED_IDS.read_gold(gold_path), RANKED_IDS.read_predictions(pred_path)
        assert RANKED_IDS.check(gold, predictions, gold_path, pred_path) == []
        raw_gold = json.loads(gold_path.read_text())
        raw_predictions = json.loads(pred_path.read_text())
        reciprocal = [
            1 / (raw_predictions[mention][:20].index(qids[0]) + 1) if qids[0] in raw_predictions[mention][:20] else 0
            for mention, qids in raw_gold.items()
        ]
        expected = 100 * sum(reciprocal) / len(reciprocal)
        assert mrr_at_20(gold, predictions)["mrr@20"] == pytest.approx(expected)
        assert map_at_20(gold, predictions)["map@20"] == pytest.approx(expected)  # one relevant id: AP = RR
    en = mock / "labels" / "mewslix" / "test-en.json", mock / "predictions" / "mewslix" / "test-en.json"
    assert mrr_at_20(RANKED_IDS.read_gold(en[0]), RANKED_IDS.read_predictions(en[1])) == {
        "mrr@20": pytest.approx(100 / 12)
    }


class TestRankedIdsFormat:
    def test_round_trip_and_warning_for_queries_without_prediction(self, tmp_path: Path):
        gold_path, pred_path = tmp_path / "labels" / "test-de.json", tmp_path / "predictions" / "test-de.json"
        RANKED_IDS.write_gold(gold_path, {"m1": ["Q1"], "m2": ["Q2"]})
        RANKED_IDS.write_predictions(pred_path, {"m1": ["Q3", "Q1"]})
        gold, predictions = RANKED_IDS.read_gold(gold_path), RANKED_IDS.read_predictions(pred_path)
        assert predictions == {"m1": ["Q3", "Q1"]}
        [warning] = RANKED_IDS.check(gold, predictions, gold_path, pred_path)
        assert "1 of 2 queries have no prediction" in warning and str(pred_path) in warning

    def test_predictions_for_unknown_ids_are_refused(self, tmp_path: Path):
        with pytest.raises(XltBenchError, match="1 ids not in the gold file, e.g. 'm9'"):
            RANKED_IDS.check({"m1": ["Q1"]}, {"m9": ["Q1"]}, tmp_path / "g.json", tmp_path / "p.json")

    @pytest.mark.parametrize("document", ['{"m1": "Q1"}', '{"m1": [1, 2]}', '[["Q1"]]'])
    def test_malformed_files_name_the_file(self, tmp_path: Path, document: str):
        path = tmp_path / "test-en.json"
        path.write_text(document)
        with pytest.raises(XltBenchError, match=str(path)):
            RANKED_IDS.read_predictions(path)


# -- readers ----------------------------------------------------------------------------------------------------


def xquad_r(folder: Path) -> DataSource:
    return xlt_resolve_data(LAREQA, "de", "test", folder)


def answer_sentence(paragraph: dict, start: int) -> int | None:
    return next((i for i, (s, e) in enumerate(paragraph["sentence_breaks"]) if s <= start < e), None)


def test_lareqa_reader_on_the_real_xquad_r_samples(real_samples: Path, tmp_path: Path):
    files = sorted((real_samples / "lareqa" / "xquad-r").glob("*.json"))
    documents = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in files}
    paragraphs = {lang: [p for a in doc["data"] for p in a["paragraphs"]] for lang, doc in documents.items()}
    sentences = sum(len(p["sentences"]) for ps in paragraphs.values() for p in ps)
    # a question is usable in a language when its answer start falls in a sentence of that language's paragraph
    usable = {
        (lang, qa["id"])
        for lang, ps in paragraphs.items()
        for p in ps
        for qa in p["qas"]
        if answer_sentence(p, qa["answers"][0]["answer_start"]) is not None
    }
    source = xquad_r(real_samples / "lareqa")
    assert [path.name for path in source.files] == [f"{lang}.json" for lang in XQUAD_R_LANGUAGES]
    examples, skipped = drop_skipped(load_examples(FORMATS["lareqa-xquad-r"], source, "de", "test", str(tmp_path)))
    queries = examples.filter(lambda row: row["role"] == "query")
    candidates = examples.filter(lambda row: row["role"] == "candidate")
    german = [qa["id"] for p in paragraphs["de"] for qa in p["qas"]]
    assert len(queries) == 135 == len(german) - sum(skipped.values())
    assert skipped == {} and sum(1 for lang, _ in usable if lang == "de") == 135  # no sample question is skipped
    assert len(candidates) == sentences == 915 and len(set(candidates["id"])) == sentences
    assert set(candidates["language"]) == set(XQUAD_R_LANGUAGES)
    for query in queries:  # one answer sentence in each language where the question is usable: 11 here
        languages = [lang for lang in XQUAD_R_LANGUAGES if (lang, query["id"]) in usable]
        assert sorted(rid.split("_")[0] for rid in query["relevant"]) == languages
    assert all(len(relevant) == 11 for relevant in queries["relevant"])
    # the first German question: its answer sentence in each language is candidate <lang>_1_<sentence index>
    first = queries[0]
    for lang in XQUAD_R_LANGUAGES:
        paragraph, qa = paragraphs[lang][0], paragraphs[lang][0]["qas"][0]
        assert qa["id"] == first["id"]
        assert f"{lang}_1_{answer_sentence(paragraph, qa['answers'][0]['answer_start'])}" in first["relevant"]
    en = paragraphs["en"][0]
    expected = (en["sentences"][0] + en["context"]).replace("\n", "").strip()
    assert candidates.filter(lambda row: row["id"] == "en_1_0")["text"] == [expected]
    assert first["text"] == paragraphs["de"][0]["qas"][0]["question"].strip()


def test_lareqa_skips_answers_outside_every_sentence(real_samples: Path, tmp_path: Path):
    folder = tmp_path / "xquad-r"
    shutil.copytree(real_samples / "lareqa" / "xquad-r", folder)
    english = json.loads((folder / "en.json").read_text(encoding="utf-8"))
    first, second = english["data"][0]["paragraphs"][:2]
    first["qas"][0]["answers"][0]["answer_start"] = len(first["context"])  # after the last sentence
    for qa in second["qas"]:  # no usable question left: its sentences leave the pool, as in utils_lareqa
        qa["answers"][0]["answer_start"] = len(second["context"])
    (folder / "en.json").write_text(json.dumps(english), encoding="utf-8")
    source = DataSource("lareqa-xquad-r", tuple(sorted(folder.glob("*.json"))))

    english_rows, skipped = drop_skipped(datasets.Dataset.from_list(list(read_lareqa(source, "en", "test"))))
    assert skipped == {
        "answer start in no sentence (utils_lareqa skips it)": 1 + len(second["qas"]),
        "no usable question in its paragraph (not in utils_lareqa's pool)": len(second["sentence_breaks"]),
    }
    assert first["qas"][0]["id"] not in english_rows["id"]
    german = {row["id"]: row for row in read_lareqa(source, "de", "test") if row["role"] == "query"}
    assert len(german[first["qas"][0]["id"]]["relevant"]) == 10  # no English answer sentence
    assert not any(rid.startswith("en_") for rid in german[first["qas"][0]["id"]]["relevant"])
    assert len(german[first["qas"][1]["id"]]["relevant"]) == 11


def test_lareqa_needs_the_requested_language_file(real_samples: Path):
    source = DataSource("lareqa-xquad-r", (real_samples / "lareqa" / "xquad-r" / "en.json",))
    with pytest.raises(XltBenchError, match="no de.json among the XQuAD-R files"):
        list(read_lareqa(source, "de", "test"))


def test_mewslix_reader_on_the_handmade_fixtures(tmp_path: Path):
    source = xlt_resolve_data(MEWSLIX, "en", "test", MEWSLIX_DATA.parent)
    assert [path.name for path in source.files] == ["wikinews_mentions-test.jsonl"]
    examples, skipped = drop_skipped(load_examples(FORMATS["mewslix"], source, "en", "test", str(tmp_path)))
    assert skipped == {"mention not inside one sentence (utils_mewslix cannot mark it)": 1}
    queries = {row["id"]: row for row in examples if row["role"] == "query"}
    candidates = {row["id"]: row for row in examples if row["role"] == "candidate"}
    assert list(queries) == ["en-m1", "en-m2", "en-m3", "en-m5", "en-m6"]  # en-m4 crosses two sentences
    assert queries["en-m3"]["text"] == "Berlin: The meeting in { Berlin } focused on energy."
    assert queries["en-m3"]["relevant"] == ["Q64"]
    # braces already in the sentence are escaped as parentheses; a mention at the start loses the double space
    assert (
        queries["en-m6"]["text"]
        == "NASA: { NASA } said its (Artemis) programme will return astronauts to the Moon by 2026."
    )
    assert len(candidates) == 24
    # description sentences joined by spaces, no title (utils_mewslix.preprocess_entity_description)
    assert candidates["Q567"]["text"] == (
        "Angela Merkel is a German politician. She was Chancellor of Germany from 2005 to 2021."
    )
    assert candidates["Q64"]["language"] == "de"
    german = [row for row in read_mewslix(source, "de", "test") if row["role"] == "query"]
    assert [(row["id"], row["relevant"]) for row in german] == [("de-m1", ["Q64"]), ("de-m2", ["Q142"])]


def test_mention_query_and_mewslix_errors(tmp_path: Path):
    spans = [{"start": 0, "end": 10}, {"start": 11, "end": 15}]
    assert mention_query("See {a} b. End.", spans, {"start": 8, "end": 9, "text": "b"}) == "b: See (a) { b } ."
    assert mention_query("See {a} b. End.", spans, {"start": 8, "end": 13, "text": "b. En"}) is None
    (tmp_path / "wikinews_mentions-test.jsonl").write_text('{"context": {"language": "en"}}\n')
    source = DataSource("mewslix", (tmp_path / "wikinews_mentions-test.jsonl",))
    with pytest.raises(XltBenchError, match="companion file candidate_set_entities.jsonl is missing"):
        list(read_mewslix(source, "en", "test"))
    shutil.copy(MEWSLIX_DATA / "candidate_set_entities.jsonl", tmp_path)
    with pytest.raises(XltBenchError, match=r"wikinews_mentions-test.jsonl:1: not a Mewsli-X article \(KeyError"):
        list(read_mewslix(source, "en", "test"))
    empty = {"context": {"language": "en", "text": "", "sentence_spans": []}, "mentions": []}
    (tmp_path / "wikinews_mentions-test.jsonl").write_text(json.dumps(empty) + "\n")
    with pytest.raises(XltBenchError, match=":1: context.text is empty"):
        list(read_mewslix(source, "en", "test"))


# -- the ranking runner -----------------------------------------------------------------------------------------


def rank_job(task: Task, rows: list[dict], **settings) -> Job:
    examples = datasets.Dataset.from_list(rows)
    return Job(
        task=task, language="en", examples=examples, loaded=None, plan=None, inference={**task.inference, **settings}
    )


def test_queries_retrieve_candidates_in_similarity_order():
    vectors = {"q1": [1.0, 0.0, 0.0], "q2": [0.0, 1.0, 0.0], "c1": [0.9, 0.1, 0.0], "c2": [0.2, 0.8, 0.1]}
    vectors["c3"] = [0.6, 0.6, 0.5]  # a "hub" candidate
    rows = [ranking_row("q1", "query", "en", "q1", ["c1"]), ranking_row("c1", "candidate", "de", "c1")]
    rows += [ranking_row("q2", "query", "en", "q2", ["c2", "c3"])]
    rows += [ranking_row(c, "candidate", "de", c) for c in ("c2", "c3")]
    runner = RankingRunner(MEWSLIX)
    job = rank_job(MEWSLIX, rows)
    predictions = runner.rank(job, planted(vectors), planted(vectors))
    queries = np.array([vectors[q] for q in ("q1", "q2")])
    pool = np.array([vectors[c] for c in ("c1", "c2", "c3")])
    cosine = (queries / np.linalg.norm(queries, axis=1, keepdims=True)) @ (
        pool / np.linalg.norm(pool, axis=1, keepdims=True)
    ).T
    expected = {q: [f"c{i + 1}" for i in np.argsort(-cosine[n])] for n, q in enumerate(("q1", "q2"))}
    assert predictions == expected  # keys are queries, values only candidates (never another query)
    assert runner.gold(job.examples) == {"q1": ["c1"], "q2": ["c2", "c3"]}
    assert job.details == {
        "similarity": "cosine",
        "normalize": True,
        "top_k": 20,
        "queries": 2,
        "candidates": 3,
    }
    assert runner.samples(job.examples, runner.gold(job.examples), predictions)[1] == {
        "id": "q2",
        "input": "q2",
        "gold": ["c2", "c3"],
        "prediction": expected["q2"],
    }


def test_dot_product_keeps_the_norm_cosine_does_not():
    # "long" is less aligned with the query but three times longer: it wins on the dot product only.
    vectors = {"q": [1.0, 0.0], "long": [3.0, 3.0], "aligned": [1.0, 0.1]}
    rows = [ranking_row("q", "query", "en", "q", ["aligned"])]
    rows += [ranking_row(c, "candidate", "en", c) for c in ("long", "aligned")]
    runner = RankingRunner(LAREQA)
    dot = runner.rank(rank_job(LAREQA, rows), planted(vectors), planted(vectors))
    cosine = runner.rank(rank_job(LAREQA, rows, similarity="cosine"), planted(vectors), planted(vectors))
    assert dot == {"q": ["long", "aligned"]} and cosine == {"q": ["aligned", "long"]}
    with pytest.raises(XltBenchError, match="inference similarity 'l2'"):
        runner.rank(rank_job(LAREQA, rows, similarity="l2"), planted(vectors), planted(vectors))


def test_only_the_top_20_candidates_are_returned():
    rng = np.random.default_rng(0)
    vectors = {f"c{i}": rng.normal(size=8) for i in range(25)}
    vectors["q"] = rng.normal(size=8)
    rows = [ranking_row("q", "query", "en", "q", ["c0"])]
    rows += [ranking_row(f"c{i}", "candidate", "en", f"c{i}") for i in range(25)]
    job = rank_job(LAREQA, rows)
    [top] = RankingRunner(LAREQA).rank(job, planted(vectors), planted(vectors)).values()
    scores = {f"c{i}": float(np.dot(vectors["q"], vectors[f"c{i}"])) for i in range(25)}
    assert top == sorted(scores, key=lambda c: -scores[c])[:20]
    assert job.details["candidates"] == 25 and job.details["normalize"] is False


@pytest.mark.slow
@pytest.mark.parametrize(
    ("task", "language", "data", "queries"),
    [(LAREQA, "de", "lareqa", 135), (MEWSLIX, "en", "mewslix", 5), (MEWSLIX, "es", "mewslix", 2)],
    ids=["lareqa-de", "mewslix-en", "mewslix-es"],
)
def test_ranking_end_to_end_with_a_tiny_encoder(
    task: Task, language: str, data: str, queries: int, real_samples: Path, sentences: list[str], tmp_path: Path
):
    from xlt_bench.registry import load_registry
    from xlt_bench.task_checkpoints import CheckpointChoice, inspect_checkpoint, load_model

    folder = real_samples / "lareqa" if data == "lareqa" else MEWSLIX_DATA.parent
    source = xlt_resolve_data(task, language, "test", folder)
    examples, _ = drop_skipped(load_examples(FORMATS[source.format], source, language, "test", str(tmp_path)))
    checkpoint = tiny_checkpoint(tmp_path / "encoder", sentences, head="encoder")
    runner = RankingRunner(task)
    adapters = load_registry().adapters_for(runner.role)
    plan = inspect_checkpoint(task, CheckpointChoice(str(checkpoint), "test"), adapters, None)
    loaded = load_model(plan, "cpu", "auto")
    job = Job(task=task, language=language, examples=examples, loaded=loaded, plan=plan, inference=task.inference)
    predictions = runner.predict(job)
    gold = runner.gold(examples)
    assert list(predictions) == list(gold) and len(gold) == queries
    assert all(len(ids) == len(set(ids)) == 20 for ids in predictions.values())
    metric = map_at_20 if task.metric == "map@20" else mrr_at_20
    [(key, value)] = metric(gold, predictions).items()
    assert key == task.metric and 0.0 <= value <= 100.0
    assert job.details["query_max_length"] == task.inference["query_max_length"]
    assert job.details["candidate_max_length"] == task.inference["candidate_max_length"]
    assert job.details["similarity"] == task.inference["similarity"]
    assert job.details["layer"] == 2 and job.details["pooling"] == "cls"  # layer -1: the last of the 2
    assert job.details["candidates"] == (915 if data == "lareqa" else 24)
