"""Readers of the original releases, file discovery below --data-dir, and loading through `datasets`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from xlt_bench.data.conllu import read_ud_conllu
from xlt_bench.data.formats import DataSource, DataUnavailable
from xlt_bench.data.loading import load_examples
from xlt_bench.data.panx import read_panx_raw
from xlt_bench.data.pawsx import read_pawsx_tsv
from xlt_bench.data.resolve import FileIndex
from xlt_bench.data.xnli import read_xnli_tsv
from xlt_bench.data.xtreme_processed import read_processed_pairs
from xlt_bench.errors import XltBenchError
from xlt_bench.plugins.xtreme import XTREME_HUB_COMMIT
from xlt_bench.registry import load_registry
from xlt_bench.tasks import HubSource

DATA = Path(__file__).parent / "fixtures" / "data"


def source(fmt: str, *files: Path) -> DataSource:
    return DataSource(fmt, tuple(files))


@pytest.fixture(scope="module")
def registry():
    return load_registry()


class TestUdConllu:
    def test_real_treebanks_keep_every_sentence(self, real_samples: Path):
        for path in sorted((real_samples / "udpos").rglob("*-ud-test.conllu")):
            examples = list(read_ud_conllu(source("ud-conllu", path), path.name.split("_")[0], "test"))
            assert len(examples) == 200, path.name
            assert all(len(ex["tokens"]) == len(ex["tags"]) > 0 for ex in examples)

    def test_multiword_tokens_become_one_surface_word_tagged_by_the_span_head(self, real_samples: Path):
        german = next((real_samples / "udpos").rglob("de_gsd-ud-test.conllu"))
        examples = list(read_ud_conllu(source("ud-conllu", german), "de", "test"))
        sentence = next(ex for ex in examples if "Internet" in ex["tokens"])
        position = sentence["tokens"].index("im")
        # "im" = "in" (ADP) + "dem" (DET), both attached to "Internet": a tie broken by the default POS ranking.
        assert sentence["tokens"][position + 1] == "Internet"
        assert sentence["tags"][position] == "ADP"
        assert "dem" not in sentence["tokens"][position : position + 2]
        # Every range line fuses its words: surface tokens = words - (range length - 1) per range.
        french = next((real_samples / "udpos").rglob("fr_gsd-ud-test.conllu"))
        ids = [line.split("\t")[0] for line in french.read_text(encoding="utf-8").splitlines() if line[:1].isdigit()]
        ranges = [tuple(map(int, i.split("-"))) for i in ids if "-" in i]
        words = sum(i.isdigit() for i in ids)
        tokens = sum(len(ex["tokens"]) for ex in read_ud_conllu(source("ud-conllu", french), "fr", "test"))
        assert len(ranges) == 164 and tokens == words - sum(last - first for first, last in ranges)

    def test_unique_highest_word_heads_the_span(self, tmp_path: Path):
        # "zum" = zu (ADP, child of 3) + dem (DET, child of 3)... but here "dem" heads the span: it is higher.
        text = (
            "1-2\tzum\t_\t_\t_\t_\t_\t_\t_\t_\n"
            "1\tzu\tzu\tADP\t_\t_\t2\tcase\t_\t_\n"
            "2\tdem\tder\tPRON\t_\t_\t3\tobl\t_\t_\n"
            "3\tgehen\tgehen\tVERB\t_\t_\t0\troot\t_\t_\n\n"
        )
        path = tmp_path / "de_x-ud-test.conllu"
        path.write_text(text, encoding="utf-8")
        [example] = read_ud_conllu(source("ud-conllu", path), "de", "test")
        assert example == {"id": "de_x-ud-test.conllu:1", "tokens": ["zum", "gehen"], "tags": ["PRON", "VERB"]}

    def test_unannotated_sentences_are_dropped_and_spaces_removed(self, tmp_path: Path):
        text = (
            "# text = hidden\n1\t_\t_\tNOUN\t_\t_\t0\troot\t_\t_\n2\t_\t_\tVERB\t_\t_\t1\tdep\t_\t_\n\n"
            "1\tNew York\t_\tPROPN\t_\t_\t0\troot\t_\t_\n2\ta\u200cb\t_\tX\t_\t_\t1\tdep\t_\t_\n"
            "3.1\tghost\t_\t_\t_\t_\t_\t_\t_\t_\n\n"
        )
        path = tmp_path / "xx_t-ud-test.conllu"
        path.write_text(text, encoding="utf-8")
        examples = list(read_ud_conllu(source("ud-conllu", path), "xx", "test"))
        assert [ex["tokens"] for ex in examples] == [["NewYork", "ab"]]

    def test_malformed_line_names_file_and_line(self, tmp_path: Path):
        path = tmp_path / "de_bad-ud-test.conllu"
        path.write_text("1\tDer\tder\tDET\n", encoding="utf-8")
        with pytest.raises(XltBenchError, match=r"de_bad-ud-test.conllu:1: expected 10 tab-separated"):
            list(read_ud_conllu(source("ud-conllu", path), "de", "test"))


class TestTsvReaders:
    def test_xnli_filters_by_language(self):
        examples = list(read_xnli_tsv(source("xnli-tsv", DATA / "XNLI-1.0" / "xnli.test.tsv"), "de", "test"))
        assert len(examples) == 5
        assert examples[0]["text"] == "Ein Mann spielt Gitarre auf der Bühne."
        assert [ex["label"] for ex in examples] == [
            "entailment",
            "contradiction",
            "neutral",
            "entailment",
            "contradiction",
        ]

    def test_xnli_without_header_is_an_error(self, tmp_path: Path):
        path = tmp_path / "xnli.test.tsv"
        path.write_text("en\tentailment\ta\tb\n", encoding="utf-8")
        with pytest.raises(XltBenchError, match="xnli.test.tsv:1: expected a header with columns language"):
            list(read_xnli_tsv(source("xnli-tsv", path), "en", "test"))

    def test_pawsx_splits_on_tabs_only(self):
        # A stray double quote must not swallow rows (the Hub copy loses rows exactly this way).
        examples = list(read_pawsx_tsv(source("pawsx-tsv", DATA / "x-final" / "de" / "test_2k.tsv"), "de", "test"))
        assert len(examples) == 4
        assert examples[3]["text_pair"] == 'Im Jahr 2001 veröffentlichte die Band "Blue.'
        assert [ex["label"] for ex in examples] == ["1", "1", "0", "1"]

    def test_panx_strips_the_language_prefix_only(self):
        examples = list(read_panx_raw(source("panx-raw", DATA / "panx_dataset" / "de-test"), "de", "test"))
        assert [ex["tokens"] for ex in examples][2] == ["Zeit:", "12:30"]
        assert examples[1]["tags"] == ["O", "B-ORG", "I-ORG", "O", "O", "B-LOC", "I-LOC"]

    def test_panx_line_without_prefix_is_an_error(self, tmp_path: Path):
        path = tmp_path / "de-test"
        path.write_text("de:Berlin\tB-LOC\nBerlin\tB-LOC\n", encoding="utf-8")
        with pytest.raises(XltBenchError, match=r"de-test:2: expected '<lang>:<token><TAB><tag>'"):
            list(read_panx_raw(source("panx-raw", path), "de", "test"))

    def test_processed_file_without_labels_says_why(self, real_samples: Path):
        labels_only = real_samples / "xtreme_mock_test_data" / "labels" / "xnli" / "test-en.tsv"
        with pytest.raises(DataUnavailable, match="has no label column .* original release"):
            list(read_processed_pairs(source("xtreme-pairs-tsv", labels_only), "en", "test"))


class TestResolution:
    def test_files_are_found_by_official_name_at_any_depth(self, registry, tmp_path: Path):
        nested = tmp_path / "downloads" / "2020" / "XNLI-1.0"
        nested.mkdir(parents=True)
        (nested / "xnli.test.tsv").write_text((DATA / "XNLI-1.0" / "xnli.test.tsv").read_text())
        found = registry.resolve_data(registry.task("xtreme/xnli"), "fr", "test", tmp_path)
        assert found.format == "xnli-tsv" and found.files == (nested / "xnli.test.tsv",)

    def test_all_treebanks_of_a_language_merge_in_name_order(self, registry, tmp_path: Path):
        for name in (
            "UD_German-PUD/de_pud-ud-test.conllu",
            "UD_German-GSD/de_gsd-ud-test.conllu",
            "UD_Danish-DDT/da_ddt-ud-test.conllu",
        ):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("")
        found = registry.resolve_data(registry.task("xtreme/udpos"), "de", "test", tmp_path)
        assert [path.name for path in found.files] == ["de_gsd-ud-test.conllu", "de_pud-ud-test.conllu"]

    def test_ambiguous_matches_are_refused(self, registry, real_samples: Path):
        # The mock folder has labels/xnli/test-en.tsv and predictions/xnli/test-en.tsv.
        with pytest.raises(DataUnavailable, match="2 files match 'xnli/test-en.tsv'.*narrower --data-dir"):
            registry.resolve_data(registry.task("xtreme/xnli"), "en", "test", real_samples / "xtreme_mock_test_data")

    def test_missing_data_names_what_was_looked_for(self, registry, tmp_path: Path):
        with pytest.raises(
            DataUnavailable, match=r"no pawsx test data for 'ko' .*'ko/test_2k.tsv' or 'pawsx/test-ko.tsv'"
        ):
            registry.resolve_data(registry.task("xtreme/pawsx"), "ko", "test", tmp_path)

    def test_unfaithful_hub_copy_is_never_used_silently(self, registry):
        copy = HubSource("someone/pos", "{lang}", {"test": "test"}, {"tokens": "t"}, faithful=False, note="lossy")
        task = replace(registry.task("xtreme/udpos"), hub=copy, releases=())
        with pytest.raises(DataUnavailable, match=r"udpos: the Hub copy someone/pos is not faithful \(lossy\)"):
            registry.resolve_data(task, "de", "test", None)

    def test_hub_source_offline_fails_fast_with_one_line(self, registry):
        hub = registry.resolve_data(registry.task("xtreme/panx"), "de", "test", None)
        assert hub.hub == ("google/xtreme", "PAN-X.de", "test") and hub.revision == XTREME_HUB_COMMIT
        with pytest.raises(
            DataUnavailable, match=f"could not load hub:google/xtreme/PAN-X.de@{XTREME_HUB_COMMIT}"
        ) as e:
            load_examples(registry.data_format(hub), hub, "de", "test")
        assert "\n" not in str(e.value)

    def test_file_index_matches_whole_path_components(self, tmp_path: Path):
        (tmp_path / "de_x" / "y").mkdir(parents=True)
        (tmp_path / "de_x" / "y" / "z-ud-test.conllu").write_text("")
        assert FileIndex(tmp_path).find("de_*-ud-test.conllu") == []


class TestLoading:
    def test_examples_are_cached_and_refreshed_when_the_file_changes(self, registry, tmp_path: Path):
        path = tmp_path / "de-test"
        path.write_text("de:Berlin\tB-LOC\n\n", encoding="utf-8")
        data = source("panx-raw", path)
        first = load_examples(registry.formats["panx-raw"], data, "de", "test")
        assert first["tokens"] == [["Berlin"]]
        path.write_text("de:Bonn\tB-LOC\n\nde:Köln\tB-LOC\n", encoding="utf-8")
        second = load_examples(registry.formats["panx-raw"], source("panx-raw", path), "de", "test")
        assert second["tokens"] == [["Bonn"], ["Köln"]]

    def test_reader_errors_keep_their_message(self, registry, tmp_path: Path):
        path = tmp_path / "de-test"
        path.write_text("Berlin\tB-LOC\n", encoding="utf-8")
        with pytest.raises(XltBenchError, match=r"de-test:1: expected '<lang>:<token><TAB><tag>'"):
            load_examples(registry.formats["panx-raw"], source("panx-raw", path), "de", "test")

    def test_no_examples_for_the_language(self, registry):
        xnli = source("xnli-tsv", DATA / "XNLI-1.0" / "xnli.test.tsv")
        with pytest.raises(DataUnavailable, match="no 'sw' examples in"):
            load_examples(registry.formats["xnli-tsv"], xnli, "sw", "test")
