"""XGLUE readers on a generated copy of the archive and on hand-written malformed files: one example per data line."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import product
from pathlib import Path

import pytest
from xglue_fixtures import LOCAL_WORDS, NC_CATEGORIES, SPLITS, UPOS, XGLUE_FILES, XGLUE_LANGUAGES, write_xglue_fixtures

from xlt_bench.data.formats import DataSource
from xlt_bench.data.loading import load_examples
from xlt_bench.data.squad_json import read_squad_json
from xlt_bench.data.xglue import read_xglue_conll, read_xglue_seq2seq, read_xglue_tsv
from xlt_bench.errors import XltBenchError
from xlt_bench.registry import load_registry

PER_LANGUAGE = 6
TEXT_PAIR_LABEL = ("text", "text_pair", "label")
QUERY_TITLE_BODY_LABEL = ("text", "text_pair", "text_pair", "label")
TSV_PARAMS = {
    "NC": {"columns": TEXT_PAIR_LABEL},
    "XNLI": {"columns": TEXT_PAIR_LABEL},
    "QAM": {"columns": TEXT_PAIR_LABEL},
    "PAWSX": {"columns": ("", "text", "text_pair", "label"), "header": True},
    "QADSM": {"columns": QUERY_TITLE_BODY_LABEL},
    "WPR": {"columns": QUERY_TITLE_BODY_LABEL, "query_groups": True},
}
LABELS = {
    "NC": set(NC_CATEGORIES),
    "XNLI": {"entailment", "neutral", "contradictory"},
    "QAM": {"0", "1"},
    "PAWSX": {"0", "1"},
    "QADSM": {"Good", "Bad"},
    "WPR": {"0", "1", "2", "3", "4"},
}


@pytest.fixture(scope="module")
def xglue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_xglue_fixtures(tmp_path_factory.mktemp("xglue"), per_language=PER_LANGUAGE)


def files(data: Path, *tasks: str) -> list[tuple[str, str, Path]]:
    """(task, language, file) for every language and split of `tasks`."""
    return [
        (task, lang, data / XGLUE_FILES[task].format(lang=lang, split=split))
        for task in tasks
        for lang, split in product(XGLUE_LANGUAGES[task], SPLITS)
    ]


def read(reader: Callable[..., Iterator[dict]], *paths: Path, **params: object) -> list[dict]:
    """All examples, `params` passed on as `load_examples` passes a source's parameters."""
    data = DataSource("xglue", paths, params=params)
    return list(reader(data, "xx", "test", **data.params))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


class TestArchiveFixtures:
    def test_every_task_language_and_split_is_written(self, xglue: Path):
        assert xglue.name == "xglue_full_dataset"
        assert len(XGLUE_LANGUAGES["POS"]) == 18 and len(XGLUE_LANGUAGES["XNLI"]) == 15
        for _, lang, path in files(xglue, *XGLUE_FILES):
            assert path.is_file(), path
            assert LOCAL_WORDS[lang] in path.read_text(encoding="utf-8"), path

    def test_same_seed_same_files(self, xglue: Path, tmp_path: Path):
        again = write_xglue_fixtures(tmp_path, per_language=PER_LANGUAGE)
        for _, _, path in files(xglue, "NER", "WPR", "MLQA"):
            assert path.read_bytes() == (again / path.relative_to(xglue)).read_bytes()


class TestConll:
    def test_one_example_per_sentence(self, xglue: Path):
        for task, _, path in files(xglue, "NER", "POS"):
            text = path.read_text(encoding="utf-8")
            sentences = [block for block in re.split(r"\n\n+", text) if block.strip() and "-DOCSTART-" not in block]
            examples = read(read_xglue_conll, path)
            assert len(examples) == len(sentences) == PER_LANGUAGE, path
            assert [ex["id"] for ex in examples] == [str(i) for i in range(PER_LANGUAGE)]
            assert all(len(ex["tokens"]) == len(ex["tags"]) > 0 for ex in examples)
            tags = {tag for ex in examples for tag in ex["tags"]}
            if task == "NER":
                assert text.startswith("-DOCSTART-") and "-DOCSTART-" not in examples[0]["tokens"]
                assert all(re.fullmatch(r"O|[BI]-(PER|ORG|LOC|MISC)", tag) for tag in tags)
            else:
                assert tags <= set(UPOS)

    def test_docstart_closes_a_sentence_and_fields_are_first_and_last(self, tmp_path: Path):
        text = "-DOCSTART- -X- O\nEU NNP B-NP B-ORG\nrejects O\n-DOCSTART- O\nGerman\tB-MISC\n\n\ncall O\n"
        path = write(tmp_path / "en.test", text)
        examples = read(read_xglue_conll, path)
        assert examples == [
            {"id": "0", "tokens": ["EU", "rejects"], "tags": ["B-ORG", "O"]},
            {"id": "1", "tokens": ["German"], "tags": ["B-MISC"]},
            {"id": "2", "tokens": ["call"], "tags": ["O"]},
        ]

    def test_line_without_label_is_an_error(self, tmp_path: Path):
        path = write(tmp_path / "de.test", "Berlin B-LOC\nliegt\n")
        with pytest.raises(XltBenchError) as error:
            read(read_xglue_conll, path)
        assert str(error.value) == f"{path}:2: expected '<word> <label>' (whitespace-separated), got 'liegt'"


class TestTsv:
    def test_one_example_per_data_line(self, xglue: Path):
        for task, _, path in files(xglue, *TSV_PARAMS):
            lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line]
            data_lines = lines[1:] if task == "PAWSX" else lines
            examples = read(read_xglue_tsv, path, **TSV_PARAMS[task])
            assert len(examples) == len(data_lines) == PER_LANGUAGE, path
            assert [ex["id"] for ex in examples] == [str(i) for i in range(PER_LANGUAGE)]
            assert [ex["label"] for ex in examples] == [line.split("\t")[-1] for line in data_lines]
            assert {ex["label"] for ex in examples} <= LABELS[task]
            text_column = TSV_PARAMS[task]["columns"].index("text")
            assert [ex["text"] for ex in examples] == [line.split("\t")[text_column] for line in data_lines]

    def test_all_news_categories_occur(self, xglue: Path):
        examples = [ex for _, _, path in files(xglue, "NC") for ex in read(read_xglue_tsv, path, **TSV_PARAMS["NC"])]
        labels = {ex["label"] for ex in examples}
        assert labels == set(NC_CATEGORIES) and len(labels) == 10

    def test_pawsx_header_and_ignored_id_column(self, xglue: Path):
        path = xglue / "PAWSX" / "de" / "test_2k.tsv"
        header, first = path.read_text(encoding="utf-8").split("\n")[:2]
        assert header == "id\tsentence1\tsentence2\tlabel"
        example = read(read_xglue_tsv, path, **TSV_PARAMS["PAWSX"])[0]
        _, sentence1, sentence2, label = first.split("\t")
        assert example == {"id": "0", "text": sentence1, "text_pair": sentence2, "label": label}

    def test_same_named_columns_are_joined(self, xglue: Path):
        path = xglue / "QADSM" / "xglue.qadsm.fr.test"
        query, title, description, label = path.read_text(encoding="utf-8").split("\n")[0].split("\t")
        example = read(read_xglue_tsv, path, **TSV_PARAMS["QADSM"])[0]
        assert example == {"id": "0", "text": query, "text_pair": f"{title} {description}", "label": label}

    def test_empty_parts_leave_no_extra_spaces(self, tmp_path: Path):
        path = write(tmp_path / "xglue.qadsm.en.test", " shoes \t \tRunning shoes, 20% off\tGood\n")
        [example] = read(read_xglue_tsv, path, columns=QUERY_TITLE_BODY_LABEL)
        assert example == {"id": "0", "text": "shoes", "text_pair": "Running shoes, 20% off", "label": "Good"}

    def test_wpr_groups_consecutive_rows_of_one_query(self, xglue: Path):
        for _, _, path in files(xglue, "WPR"):
            examples = read(read_xglue_tsv, path, **TSV_PARAMS["WPR"])
            # Groups of 3, 1 and 2 rows; the third asks the first query again, yet is a query of its own.
            assert [ex["group"] for ex in examples] == ["0", "0", "0", "1", "2", "2"]
            assert examples[0]["text"] == examples[4]["text"] != examples[3]["text"]

    def test_wpr_groups_restart_with_each_file(self, tmp_path: Path):
        first = write(tmp_path / "xglue.wpr.en.test", "q\tt\ts\t1\nq\tt\ts\t0\n")
        second = write(tmp_path / "xglue.wpr.en.dev", "q\tt\ts\t2\n")
        examples = read(read_xglue_tsv, first, second, **TSV_PARAMS["WPR"])
        assert [(ex["id"], ex["group"]) for ex in examples] == [("0", "0"), ("1", "0"), ("2", "1")]

    def test_trailing_blank_lines_are_not_data(self, tmp_path: Path):
        path = write(tmp_path / "en.test", "a\tb\tneutral\n\n \n")
        assert len(read(read_xglue_tsv, path, columns=TEXT_PAIR_LABEL)) == 1

    def test_wrong_column_count_names_the_expected_columns(self, tmp_path: Path):
        path = write(tmp_path / "id_0.test", "id\ts1\ts2\tlabel\n0\ta\tb\t1\n1\ta b\t0\n")
        with pytest.raises(XltBenchError) as error:
            read(read_xglue_tsv, path, **TSV_PARAMS["PAWSX"])
        assert str(error.value) == f"{path}:3: expected 4 tab-separated columns (-, text, text_pair, label), got 3"

    def test_blank_line_before_more_data_is_an_error(self, tmp_path: Path):
        path = write(tmp_path / "xglue.qam.en.test", "q\tp\t1\n\nq\tp\t0\n")
        with pytest.raises(XltBenchError) as error:
            read(read_xglue_tsv, path, columns=TEXT_PAIR_LABEL)
        message = f"{path}:2: blank line before more data; expected 3 tab-separated columns (text, text_pair, label)"
        assert str(error.value) == message


class TestSeq2seq:
    def test_one_pair_per_line(self, xglue: Path):
        for _, _, path in files(xglue, "QG", "NTG"):
            sources = path.read_text(encoding="utf-8").splitlines()
            targets = path.with_name(path.name.replace(".src.", ".tgt.")).read_text(encoding="utf-8").splitlines()
            examples = read(read_xglue_seq2seq, path)
            assert len(examples) == PER_LANGUAGE
            pairs = enumerate(zip(sources, targets))
            assert examples == [{"id": str(i), "source": text, "target": target} for i, (text, target) in pairs]

    def test_target_is_the_last_tab_column_stripped(self, tmp_path: Path):
        path = write(tmp_path / "xglue.qg.en.src.test", " a passage \n")
        write(tmp_path / "xglue.qg.en.tgt.test", "a passage\t what is it? \n")
        assert read(read_xglue_seq2seq, path) == [{"id": "0", "source": "a passage", "target": "what is it?"}]

    def test_different_line_counts_name_both_files(self, tmp_path: Path):
        path = write(tmp_path / "xglue.ntg.de.src.dev", "body one\nbody two\n")
        target = write(tmp_path / "xglue.ntg.de.tgt.dev", "title one\n")
        with pytest.raises(XltBenchError) as error:
            read(read_xglue_seq2seq, path)
        assert str(error.value) == f"{path}: 2 source lines but 1 target lines in {target}; expected line-aligned files"

    def test_missing_target_file(self, tmp_path: Path):
        path = write(tmp_path / "xglue.qg.fr.src.test", "passage\n")
        with pytest.raises(XltBenchError) as error:
            read(read_xglue_seq2seq, path)
        assert str(error.value) == f"{path}: its target file xglue.qg.fr.tgt.test is missing"

    def test_file_that_is_not_a_source_file(self, tmp_path: Path):
        path = write(tmp_path / "xglue.qg.fr.tgt.test", "question\n")
        with pytest.raises(XltBenchError) as error:
            read(read_xglue_seq2seq, path)
        assert str(error.value) == f"{path}: expected a source file named xglue.<task>.<lang>.src.<split>"

    def test_blank_target_line_before_more_data_is_an_error(self, tmp_path: Path):
        path = write(tmp_path / "xglue.qg.it.src.test", "one\ntwo\n")
        target = write(tmp_path / "xglue.qg.it.tgt.test", "\nuno\n")
        with pytest.raises(XltBenchError) as error:
            read(read_xglue_seq2seq, path)
        assert str(error.value) == f"{target}:1: blank line before more data; expected one target text per line"


class TestMlqaAndRegistration:
    def test_mlqa_answers_sit_at_their_offsets(self, xglue: Path):
        for _, _, path in files(xglue, "MLQA"):
            examples = read(read_squad_json, path)
            assert len(examples) == PER_LANGUAGE
            for example in examples:
                [text], [start] = example["answers"]["text"], example["answers"]["answer_start"]
                assert example["context"][start : start + len(text)] == text

    def test_formats_are_registered_and_load_through_datasets(self, xglue: Path):
        registry = load_registry()
        assert {"xglue-conll", "xglue-tsv", "xglue-seq2seq"} <= set(registry.formats)
        path = xglue / "WPR" / "xglue.wpr.pt.dev"
        data = DataSource("xglue-tsv", (path,), params=TSV_PARAMS["WPR"])
        examples = load_examples(registry.formats["xglue-tsv"], data, "pt", "dev")
        assert examples.column_names == ["id", "text", "text_pair", "label", "group"]
        assert examples["group"] == ["0", "0", "0", "1", "2", "2"]
