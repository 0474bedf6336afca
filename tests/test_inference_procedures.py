"""The two inference procedures (`xlt_bench.procedures`) pinned where they differ, on hand-built inputs whose
expected outputs were derived by reading XTREME's 2020 scripts (`utils_preprocess.py`, `utils_tag.py`,
`processors/squad.py`, transformers 2.x `compute_predictions_logits`, `run_retrieval.py`) and Hugging Face's
`run_ner.py` / `run_qa.py` + `utils_qa.py`, with tiny checkpoints of both tokenizer families."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
import torch
from helpers import run_main

from xlt_bench.embeddings import xtreme_layer
from xlt_bench.plugins.xtreme import BUCC_XTREME_LAYER, PANX_TAGS, QA_INFERENCE, TASKS, TATOEBA_XTREME_LAYER
from xlt_bench.registry import load_registry
from xlt_bench.runners import Job
from xlt_bench.runners.extractive_qa import best_answers, qa_features
from xlt_bench.runners.tagging import TaggingRunner
from xlt_bench.task_checkpoints import CheckpointChoice, inspect_checkpoint, load_model
from xlt_bench.testing import tiny_bert_tokenizer, tiny_checkpoint, tiny_tokenizer

PANX = next(task for task in TASKS if task.name == "panx")
TEXTS = ["abc abd abe", "北京是中国的首都。", "It was built in (1998), they say.", "New  York is big", "w0123456789"]
LONG = " ".join(f"w{i:02d}" for i in range(30))  # 120 context tokens: ▁ w d d per word


@pytest.fixture(scope="module")
def chars():
    """XLM-R-style, one token per character: every word is `▁` + its characters."""
    return tiny_tokenizer(TEXTS + ["bb" + " a" * 40], characters_only=True)


@pytest.fixture(scope="module")
def bert(sentences):
    return tiny_bert_tokenizer([*sentences, *TEXTS], vocab_size=300)


def tagger(path: Path, tokenizer):
    checkpoint = tiny_checkpoint(path, head="token-classification", labels=PANX_TAGS, tokenizer=tokenizer, seed=3)
    plan = inspect_checkpoint(
        PANX, CheckpointChoice(str(checkpoint), "test"), load_registry().adapters_for("token-classification"), None
    )
    return plan, load_model(plan, "cpu", "auto")


def tagging_job(plan, loaded, words: list[list[str]], procedure: str, max_length: int) -> Job:
    examples = datasets.Dataset.from_dict(
        {"id": [str(i) for i in range(len(words))], "tokens": words, "tags": [["O"] * len(w) for w in words]}
    )
    inference = {"max_length": max_length, "procedure": procedure}
    return Job(task=PANX, language="en", examples=examples, loaded=loaded, plan=plan, inference=inference)


class TestTagging:
    def test_xlmr_windows_keep_max_length_minus_3_framed_with_two_separators(self, chars, tmp_path: Path):
        plan, loaded = tagger(tmp_path / "x", chars)
        words = ["abc", "abd", "abe", "abc", "abd"]  # 4 pieces each: ▁ a b c
        job = tagging_job(plan, loaded, [words], "xtreme", 12)
        features, owners = TaggingRunner._xtreme_features(job, [words])
        ids = [chars(w, add_special_tokens=False)["input_ids"] for w in words]
        # budget 12 - 3 = 9: two words (8 pieces) per window; <s> ... </s></s>
        assert [f["input_ids"] for f in features] == [
            [0, *ids[0], *ids[1], 2, 2],
            [0, *ids[2], *ids[3], 2, 2],
            [0, *ids[4], 2, 2],
        ]
        assert [list(words_) for _, words_, _ in owners] == [[0, 1], [2, 3], [4]]
        assert [positions for _, _, positions in owners] == [[1, 5], [1, 5], [1]]
        assert len(TaggingRunner(PANX).predict(job)[0]) == 5

    def test_bert_windows_keep_max_length_minus_2_with_one_separator(self, bert, tmp_path: Path):
        plan, loaded = tagger(tmp_path / "b", bert)
        words = ["Barack", "Obama", "visited", "Berlin", "and", "Paris", "."] * 4
        job = tagging_job(plan, loaded, [words], "xtreme", 10)
        features, _ = TaggingRunner._xtreme_features(job, [words])
        assert all(f["input_ids"][0] == bert.cls_token_id and f["input_ids"][-1] == bert.sep_token_id for f in features)
        assert all(f["input_ids"][-2] != bert.sep_token_id for f in features)
        assert max(len(f["input_ids"]) for f in features) <= 10 and len(features) > 2

    def test_a_word_longer_than_the_window_is_one_unknown_token_under_xtreme_only(self, chars, tmp_path: Path):
        plan, loaded = tagger(tmp_path / "x", chars)
        words = ["abc", "abcabcabcabc", "abd"]  # 13 pieces > budget 9
        xtreme, _ = TaggingRunner._xtreme_features(tagging_job(plan, loaded, [words], "xtreme", 12), [words])
        abc, abd = (chars(word, add_special_tokens=False)["input_ids"] for word in ("abc", "abd"))
        assert [f["input_ids"] for f in xtreme] == [[0, *abc, chars.unk_token_id, *abd, 2, 2]]  # 4 + 1 + 4 = 9 fit
        hf, owners = TaggingRunner._hf_features(tagging_job(plan, loaded, [words], "hf", 12), [words])
        # run_ner: tokenised together, truncated at 12 (10 pieces): the long word's first piece is in, "abd" is not
        assert len(hf[0]["input_ids"]) == 12 and chars.unk_token_id not in hf[0]["input_ids"]
        assert list(owners[0][1]) == [0, 1]

    def test_hf_truncates_and_counts_the_words_it_never_predicts(self, chars, tmp_path: Path):
        plan, loaded = tagger(tmp_path / "x", chars)
        words = ["abc"] * 6
        job = tagging_job(plan, loaded, [words], "hf", 12)  # <s> + 10 pieces + </s>: words 0, 1 and part of 2
        [predicted] = TaggingRunner(PANX).predict(job)
        assert len(predicted) == 6 and predicted[3:] == ["O", "O", "O"]
        assert job.details["words_unpredicted"] == 3


def planted(features: list[dict], spans: dict[int, tuple[int, int]], padding_high: bool = False) -> list:
    """Logits peaking at (start position, end position) per feature number; -10 elsewhere."""
    logits = []
    for number, feature in enumerate(features):
        rows = torch.full((len(feature["input_ids"]), 2), -10.0)
        if padding_high:
            pads = [p for p, mask in enumerate(feature["attention_mask"]) if mask == 0]
            rows[pads, :] = 50.0
        if number in spans:
            start, end = spans[number]
            rows[start, 0] = rows[end, 1] = 10.0
        logits.append(rows)
    return logits


def position_of(feature: dict, first: int, last: int) -> tuple[int, int]:
    """The positions of the context tokens starting at character `first` and ending at character `last`."""
    offsets = feature["offsets"]
    start = next(p for p, span in enumerate(offsets) if span and span[0] == first)
    end = max(p for p, span in enumerate(offsets) if span and span[1] == last)
    return start, end


def answer(tokenizer, context: str, text: str, procedure: str, question: str = "what?") -> str:
    inference = {**QA_INFERENCE, "max_length": 128, "doc_stride": 32, "procedure": procedure}
    features = qa_features(tokenizer, [question], [context], inference)
    first = context.index(text)
    spans = {0: position_of(features[0], first, first + len(text))}
    return best_answers(features, planted(features, spans), [context], inference, tokenizer)[0]


class TestQuestionAnswering:
    def test_a_long_question_is_cut_to_64_token_ids_even_when_the_64th_is_a_bare_piece(self, chars):
        question = "bb" + " a" * 40  # ▁ b b ▁ a ▁ a ...: token 64 (index 63) is a standalone ▁
        ids = chars(question, add_special_tokens=False)["input_ids"]
        assert chars.convert_ids_to_tokens(ids[63]) == "\u2581" and len(ids) > 64
        [feature] = qa_features(chars, [question], ["abc abd"], {**QA_INFERENCE, "procedure": "xtreme"})
        assert feature["input_ids"][1:65] == ids[:64] and feature["input_ids"][65:67] == [2, 2]

    def test_punctuation_next_to_the_answer(self, chars):
        context = "It was built in (1998), they say."
        assert answer(chars, context, "1998", "xtreme") == "1998"  # BasicTokenizer splits ( ) , off
        assert answer(chars, context, "1998),", "hf") == "1998),"
        # the joined pieces "1998)," are not in BasicTokenizer's "( 1998 ) ,": get_final_text falls back to the word
        assert answer(chars, context, "1998),", "xtreme") == "(1998),"

    def test_chinese_spans_fall_back_to_the_whole_clause_under_xtreme(self, chars):
        context = "北京是中国的首都。"
        assert answer(chars, context, "中国", "hf") == "中国"
        assert answer(chars, context, "中国", "xtreme") == context  # "中国" is not in "北 京 是 中 国 ..."

    def test_double_spaces_collapse_under_xtreme_and_stay_under_hf(self, chars):
        context = "New  York is big"
        assert answer(chars, context, "New  York", "hf") == "New  York"
        assert answer(chars, context, "New  York", "xtreme") == "New York"

    def test_xtreme_lower_cases_question_and_context_for_every_tokenizer_and_answers_in_the_original_case(
        self, chars, bert
    ):
        settings = {**QA_INFERENCE, "max_length": 128, "doc_stride": 32, "procedure": "xtreme"}
        for tokenizer, question, seen in ((chars, "New York?", "new york?"), (bert, "Café York?", "cafe york?")):
            lowered = qa_features(tokenizer, [question], ["It was"], settings)[0]["input_ids"]
            cased = qa_features(tokenizer, [question], ["It was"], {**settings, "lower_case": False})[0]["input_ids"]
            expected = tokenizer(seen, add_special_tokens=False)["input_ids"]
            starts = range(len(lowered) - len(expected) + 1)  # wherever the frame puts the question
            assert any(lowered[i : i + len(expected)] == expected for i in starts) and cased != lowered
        assert answer(chars, "New  York is big", "New  York", "xtreme") == "New York"  # get_final_text maps back

    def test_bert_pieces_join_back_without_their_hashes(self, bert):
        context = "It was built in (1998), they say."
        assert answer(bert, context, "built", "xtreme") == "built"
        assert answer(bert, context, "(1998)", "xtreme") == "(1998)"

    @pytest.mark.parametrize("procedure", ["xtreme", "hf"])
    def test_padding_logits_above_the_context_leave_no_valid_span(self, chars, procedure: str):
        context = "abc abd abe"
        inference = {**QA_INFERENCE, "max_length": 64, "doc_stride": 16, "procedure": procedure}
        features = qa_features(chars, ["what?"], [context], inference)
        assert all(len(f["input_ids"]) == 64 for f in features)  # padded: the padding's logits are ranked too
        spans = {0: position_of(features[0], 0, 3)}
        assert best_answers(features, planted(features, spans), [context], inference, chars) == ["abc"]
        high = planted(features, spans, padding_high=True)  # 20+ padding positions outrank the answer
        assert best_answers(features, high, [context], inference, chars) == ["empty"]

    def test_doc_stride_means_window_starts_under_xtreme_and_overlap_under_hf(self, chars):
        settings = {**QA_INFERENCE, "max_length": 64, "doc_stride": 16}
        xtreme = qa_features(chars, ["what?"], [LONG], {**settings, "procedure": "xtreme"})
        # 64 - 6 question tokens - 4 specials = 54 per window: the window at 80 is the first to reach token 119
        assert [f["doc_start"] for f in xtreme] == [0, 16, 32, 48, 64, 80]
        hf = qa_features(chars, ["what?"], [LONG], {**settings, "procedure": "hf"})
        spans = [[span for span in f["offsets"] if span is not None] for f in hf]
        assert spans[0][-16:] == spans[1][:16] and spans[1][16] not in spans[0]  # consecutive windows share 16

    def test_a_span_ending_on_a_bare_piece_takes_no_character_of_the_next_word(self, chars):
        context = "ab cd"
        inference = {**QA_INFERENCE, "max_length": 64, "doc_stride": 16, "procedure": "hf"}
        features = qa_features(chars, ["what?"], [context], inference)
        offsets = features[0]["offsets"]
        start = next(p for p, span in enumerate(offsets) if span == (0, 1))
        bare = next(
            p
            for p in range(start, len(offsets))
            if chars.convert_ids_to_tokens(features[0]["input_ids"][p]) == "\u2581" and p > start
        )
        [text] = best_answers(features, planted(features, {0: (start, bare)}), [context], inference, chars)
        assert "c" not in text and text.startswith("ab")


class TestRetrievalLayers:
    def test_xtreme_counts_the_layer_within_the_last_num_layers_hidden_states(self):
        assert xtreme_layer(BUCC_XTREME_LAYER, "bert", 12) == 8  # mBERT
        assert xtreme_layer(BUCC_XTREME_LAYER, "xlm-roberta", 24) == 20  # NLAYER=24 never reaches the script
        assert xtreme_layer(TATOEBA_XTREME_LAYER, "xlm-roberta", 24) == 14
        assert xtreme_layer(TATOEBA_XTREME_LAYER, "bert", 12) == 8
        assert xtreme_layer(TATOEBA_XTREME_LAYER, "xlm-roberta", 2) == "auto"  # the script's slice would fail


@pytest.mark.slow
def test_a_sentence_encoder_uses_its_own_pooling_last_layer_and_prompts(tokenizer, real_samples: Path, tmp_path: Path):
    encoder = tiny_checkpoint(tmp_path / "ckpt" / "tatoeba", head="encoder", tokenizer=tokenizer, layers=3)
    (encoder / "modules.json").write_text(
        json.dumps(
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            ]
        )
    )
    (encoder / "1_Pooling").mkdir()
    (encoder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": 32, "pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    )
    (encoder / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "query: ", "passage": "passage: "}})
    )
    common = ["eval", "--model", str(tmp_path / "ckpt"), "--tasks", "xtreme/tatoeba", "--languages", "de"]
    common += ["--data-dir", str(real_samples / "tatoeba"), "--quiet", "--device", "cpu"]
    declared = run_main(*common, "--output", str(tmp_path / "declared"))
    assert declared.returncode == 0, declared.stderr
    task = json.loads((tmp_path / "declared" / "results.json").read_text())["tasks"]["tatoeba"]
    assert task["procedure"] == {"name": "xtreme", "layer": 3, "pooling": "cls"}
    fragment = next((tmp_path / "declared").rglob("fragments/**/*.json"), None) or next(
        p for p in (tmp_path / "declared").rglob("*.json") if "signature" in p.read_text()
    )
    assert json.loads(fragment.read_text())["signature"]["inference"]["query_prefix"] == "query: "
    told = run_main(*common, "--pooling", "mean", "--layer", "1", "--output", str(tmp_path / "told"))
    assert told.returncode == 0, told.stderr
    task = json.loads((tmp_path / "told" / "results.json").read_text())["tasks"]["tatoeba"]
    assert task["procedure"] == {"name": "xtreme", "layer": 1, "pooling": "mean"}


@pytest.mark.slow
def test_a_manifest_entry_sets_a_tasks_inference_and_a_stray_or_bad_one_is_one_line(
    tokenizer, real_samples: Path, tmp_path: Path
):
    tiny_checkpoint(tmp_path / "encoder", head="encoder", tokenizer=tokenizer, layers=3)
    manifest = tmp_path / "models.yaml"
    common = ["eval", "--model", str(manifest), "--tasks", "xtreme/tatoeba", "--languages", "de", "--quiet"]
    common += ["--data-dir", str(real_samples / "tatoeba"), "--device", "cpu"]
    manifest.write_text("tatoeba: {path: encoder, inference: {pooling: cls, layer: 1}}\n", encoding="utf-8")
    ran = run_main(*common, "--output", str(tmp_path / "run"))
    assert ran.returncode == 0, ran.stderr
    task = json.loads((tmp_path / "run" / "results.json").read_text())["tasks"]["tatoeba"]
    assert task["procedure"] == {"name": "xtreme", "layer": 1, "pooling": "cls"}
    told = run_main(*common, "--layer", "2", "--output", str(tmp_path / "told"))  # the command line wins
    assert told.returncode == 0, told.stderr
    assert json.loads((tmp_path / "told" / "results.json").read_text())["tasks"]["tatoeba"]["procedure"]["layer"] == 2
    manifest.write_text("tatoeba: {path: encoder, inference: {max_answer_length: 3}}\n", encoding="utf-8")
    stray = run_main(*common, "--output", str(tmp_path / "stray"))
    assert stray.returncode == 2 and "inference.max_answer_length is not an inference parameter" in stray.stderr
    assert str(manifest) in stray.stderr and "Traceback" not in stray.stderr
    manifest.write_text("tatoeba: {path: encoder, inference: {pooling: max}}\n", encoding="utf-8")
    bad = run_main(*common, "--output", str(tmp_path / "bad"))
    assert bad.returncode == 2 and "pooling 'max'; expected one of mean, cls" in bad.stderr


def test_the_leaderboard_refuses_a_baseline_of_another_procedure_unless_told(tmp_path: Path):
    from helpers import LABELS, write_run

    registry = load_registry()
    gold = {"xnli": {"en": [LABELS[i % 3] for i in range(30)]}}
    run = write_run(tmp_path / "run", registry, {"xnli": {"en": gold["xnli"]["en"]}}, gold)
    results = json.loads((run / "results.json").read_text())
    results["tasks"]["xnli"]["procedure"] = {"name": "hf"}
    (run / "results.json").write_text(json.dumps(results))
    refused = run_main("leaderboard", str(run), "--baselines", "xlmr_large_xtreme")
    assert refused.returncode == 2 and "--procedure hf" in refused.stderr and "xtreme" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    shown = run_main("leaderboard", str(run), "--baselines", "xlmr_large_xtreme", "--allow-procedure-mismatch")
    assert shown.returncode == 0, shown.stderr
    assert "[procedure xtreme\\]" in shown.stdout and "another inference procedure" in shown.stdout
    assert "run: predicted with --procedure hf" in shown.stdout
