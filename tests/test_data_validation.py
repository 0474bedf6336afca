"""Gold data outside a task's inventory, repeated ids and unreadable files are one-line errors naming the file (and
line); every real sample, fixture and the demo data pass the same checks."""

from __future__ import annotations

import builtins
import json
from pathlib import Path

import pytest
from helpers import error_as_unprivileged
from xglue_fixtures import write_xglue_fixtures
from xtreme_fixtures import write_xtreme_fixtures

from xlt_bench.data.conllu import read_ud_conllu
from xlt_bench.data.formats import DataFormat, DataSource, DataUnavailable
from xlt_bench.data.loading import drop_skipped, load_examples
from xlt_bench.data.squad_json import read_squad_json
from xlt_bench.data.validation import check_examples
from xlt_bench.data.xcopa import read_xcopa
from xlt_bench.demo import unpack_data
from xlt_bench.errors import XltBenchError
from xlt_bench.registry import load_registry

FIXTURES = Path(__file__).parent / "fixtures" / "data"
UD_WORD = "{id}\t{form}\t_\t{upos}\t_\t_\t{head}\t_\t_\t_\n"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def examples_of(registry, source: DataSource, language: str, split: str = "test"):
    examples = load_examples(registry.data_format(source), source, language, split)
    return drop_skipped(examples)[0]


def check(registry, task_name: str, source: DataSource, language: str, split: str = "test") -> None:
    check_examples(registry.task(task_name), examples_of(registry, source, language, split), source)


# -- every real sample, fixture and the demo data pass -------------------------------------------------------


@pytest.fixture(scope="module")
def data_roots(real_samples: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    generated = tmp_path_factory.mktemp("validation-data")
    return {
        "shared": real_samples,
        "fixtures": FIXTURES,
        "demo": unpack_data(generated / "demo"),
        "xtreme-fixtures": write_xtreme_fixtures(generated / "xtreme"),
        "xglue-fixtures": write_xglue_fixtures(generated / "xglue"),
    }


def test_every_real_sample_fixture_and_demo_file_passes_the_gold_checks(registry, data_roots: dict[str, Path]):
    checked: dict[str, set[str]] = {}
    for root_name, root in data_roots.items():
        for qualified, task in registry.tasks.items():
            for language in task.languages:
                for split in task.splits:
                    try:
                        source = registry.resolve_data(task, language, split, root)
                        examples = examples_of(registry, source, language, split)
                    except DataUnavailable:  # not in this root (or XTREME's label-less mock files)
                        continue
                    check_examples(task, examples, source)
                    checked.setdefault(root_name, set()).add(f"{qualified}/{language}/{split}")
    shared, fixtures, demo = checked["shared"], checked["fixtures"], checked["demo"]
    for language in ("ar", "de", "en", "fr", "hi", "ja", "zh"):
        assert {f"xtreme/udpos/{language}/test", f"xtreme-r/udpos/{language}/test"} <= shared
        assert f"xtreme/udpos/{language}/test" in demo
    for language in ("hau", "ibo", "swa", "yor", "zul"):
        for task in ("masakhane/masakhaner2", "masakhane/masakhaner2-all-types"):
            assert {f"{task}/{language}/test", f"{task}/{language}/dev"} <= shared
        assert f"masakhane/afriqa/{language}/test" in shared
    for language in ("et", "ht", "id", "sw", "ta", "zh"):
        assert {f"xtreme-r/xcopa/{language}/test", f"xtreme-r/xcopa/{language}/dev"} <= shared
    assert {f"xtreme/xquad/{lang}/test" for lang in ("ar", "de", "en", "es", "hi", "zh")} <= shared
    assert {f"xtreme-r/lareqa/{lang}/test" for lang in ("ar", "de", "el", "en", "zh")} <= shared
    assert {f"xtreme/tatoeba/{lang}/test" for lang in ("ar", "de", "fr", "hi", "ja", "sw", "zh")} <= shared
    assert {"xtreme/xnli/de/test", "xtreme/pawsx/de/test", "xtreme/panx/de/test"} <= fixtures
    assert "xtreme-r/mewslix/en/test" in fixtures
    assert {"xtreme/xnli/sw/test", "xtreme/panx/yo/test", "xtreme/bucc2018/de/test"} <= checked["xtreme-fixtures"]
    xglue = {entry.split("/")[1] for entry in checked["xglue-fixtures"]}
    assert xglue == {"ner", "pos", "nc", "mlqa", "xnli", "pawsx", "qadsm", "wpr", "qam", "qg", "ntg"}


# -- format-level checks: the format fixes the inventory -----------------------------------------------------


def test_conllu_upos_outside_the_17_ud_tags_names_the_word_line(tmp_path: Path):
    path = tmp_path / "xx_t-ud-test.conllu"
    words = UD_WORD.format(id=1, form="Der", upos="DET", head=2) + UD_WORD.format(id=2, form="Hund", upos="NON", head=0)
    path.write_text("# text = Der Hund\n" + words + "\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=r"xx_t-ud-test.conllu:3: UPOS 'NON' of word 'Hund' is not a Universal"):
        list(read_ud_conllu(DataSource("ud-conllu", (path,)), "xx", "test"))
    # `_` is a gold UPOS only on range lines and empty nodes (never output); on a word it is an error too
    path.write_text(UD_WORD.format(id=1, form="Hund", upos="_", head=0) + "\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=r"xx_t-ud-test.conllu:1: UPOS '_' of word 'Hund'"):
        list(read_ud_conllu(DataSource("ud-conllu", (path,)), "xx", "test"))


def test_conllu_range_lines_and_unannotated_sentences_are_not_checked(tmp_path: Path):
    path = tmp_path / "xx_t-ud-test.conllu"
    hidden = UD_WORD.format(id=1, form="_", upos="_", head=0) + UD_WORD.format(id=2, form="_", upos="_", head=1)
    fused = "1-2\tzum\t_\t_\t_\t_\t_\t_\t_\t_\n" + UD_WORD.format(id=1, form="zu", upos="ADP", head=3)
    fused += UD_WORD.format(id=2, form="dem", upos="DET", head=3) + UD_WORD.format(
        id=3, form="Haus", upos="NOUN", head=0
    )
    path.write_text(hidden + "\n" + fused + "\n", encoding="utf-8")
    [example] = read_ud_conllu(DataSource("ud-conllu", (path,)), "xx", "test")
    assert example["tokens"] == ["zum", "Haus"] and example["tags"] == ["ADP", "NOUN"]


XCOPA_RECORD = {"premise": "p", "choice1": "a", "choice2": "b", "question": "cause", "label": 1, "idx": 0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label": "1"}, r"label '1'; expected the integer 0 or 1"),
        ({"label": True}, r"label True; expected the integer 0 or 1"),
        ({"label": 2}, r"label 2; expected the integer 0 or 1"),
        ({"label": None}, r"label None; expected the integer 0 or 1"),
        ({"question": "why"}, r"question 'why'; expected 'cause' or 'effect'"),
    ],
)
def test_xcopa_labels_and_questions_outside_the_format_name_the_line(tmp_path: Path, change: dict, message: str):
    path = tmp_path / "test.et.jsonl"
    lines = [json.dumps({**XCOPA_RECORD, "idx": 0}), json.dumps({**XCOPA_RECORD, "idx": 1, **change})]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=rf"test.et.jsonl:2: {message}"):
        list(read_xcopa(DataSource("xcopa-jsonl", (path,)), "et", "test"))


# -- task-level checks: check_examples ------------------------------------------------------------------------


def test_panx_tag_outside_the_tag_set_names_file_line_and_word(registry, tmp_path: Path):
    path = tmp_path / "de-test"
    path.write_text("de:Berlin\tB-LOC\n\nde:Die\tO\nde:Bahn\tB-MISC\n\n", encoding="utf-8")
    with pytest.raises(XltBenchError) as raised:
        check(registry, "xtreme/panx", DataSource("panx-raw", (path,)), "de")
    message = str(raised.value)
    assert message.startswith(f"{path}:3: gold tag 'B-MISC' of word 2 ('Bahn')") and "\n" not in message
    assert "expected one of O, B-PER, I-PER, B-ORG, I-ORG, B-LOC, I-LOC" in message


def test_masakhaner_date_tags_are_gold_labels_other_tags_are_errors(registry, tmp_path: Path):
    assert registry.task("masakhane/masakhaner2").gold_labels == ("B-DATE", "I-DATE")
    assert registry.task("masakhane/masakhaner2-all-types").gold_labels == ()
    path = tmp_path / "test.txt"
    path.write_text("Lagos B-LOC\n\nna B-DATE\n2021 I-DATE\n", encoding="utf-8")
    for task in ("masakhane/masakhaner2", "masakhane/masakhaner2-all-types"):
        check(registry, task, DataSource("masakhaner", (path,)), "yor")
    path.write_text("Lagos B-LOC\n\nna B-DATE\nUN B-MISC\n", encoding="utf-8")
    with pytest.raises(
        XltBenchError, match=rf"^{path}:3: gold tag 'B-MISC' of word 2 \('UN'\) .* masakhane/masakhaner2"
    ):
        check(registry, "masakhane/masakhaner2", DataSource("masakhaner", (path,)), "yor")


def test_xnli_label_outside_the_inventory_names_the_line(registry, tmp_path: Path):
    path = tmp_path / "xnli.test.tsv"
    rows = [
        "language\tgold_label\tsentence1\tsentence2",
        "de\tcontradictory\ta\tb",
        "en\tmaybe\ta\tb",
        "de\tmaybe\tc\td",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=rf"^{path}:4: gold label 'maybe' is not a xtreme/xnli label; expected one"):
        check(registry, "xtreme/xnli", DataSource("xnli-tsv", (path,)), "de")
    path.write_text("\n".join(rows[:2]) + "\n", encoding="utf-8")  # MNLI's "contradictory" is read as contradiction
    check(registry, "xtreme/xnli", DataSource("xnli-tsv", (path,)), "de")


def test_duplicate_ids_name_the_file_and_the_id(registry, tmp_path: Path):
    folder = tmp_path / "x-final" / "de"
    folder.mkdir(parents=True)
    path = folder / "test_2k.tsv"
    path.write_text("id\tsentence1\tsentence2\tlabel\n7\ta\tb\t1\n8\tc\td\t0\n7\te\tf\t0\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=rf"^{path}: example id '7' repeats the id of row 1; expected unique ids"):
        check(registry, "xtreme/pawsx", DataSource("pawsx-tsv", (path,)), "de")
    xcopa = tmp_path / "test.et.jsonl"
    xcopa.write_text("\n".join(json.dumps({**XCOPA_RECORD, "idx": i % 2}) for i in range(3)) + "\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=rf"^{xcopa}: example id '0' repeats the id of row 1; expected unique ids"):
        check(registry, "xtreme-r/xcopa", DataSource("xcopa-jsonl", (xcopa,)), "et")


def _table(rows: list[dict]):
    import datasets

    return datasets.Dataset.from_list(rows)


def test_retrieval_ids_are_unique_per_role_or_side(registry):
    source = DataSource("mewslix", (Path("wikinews_mentions-test.jsonl"),))
    task = registry.task("xtreme-r/mewslix")
    row = {"text": "t", "language": "en", "relevant": ["Q1"], "skip_reason": ""}
    shared = [{**row, "id": "Q1", "role": "query"}, {**row, "id": "Q1", "role": "candidate"}]
    check_examples(task, _table(shared), source)  # a query may share its id with a candidate
    repeated = shared + [{**row, "id": "Q1", "role": "candidate"}]
    with pytest.raises(XltBenchError, match=r"example id 'Q1' repeats the id of row 2 among the candidate rows"):
        check_examples(task, _table(repeated), source)
    bucc = registry.task("xtreme/bucc2018")
    sides = [{"id": "1", "text": "a", "side": "source", "gold": ["1"]}, {"id": "1", "text": "b", "side": "english"}]
    check_examples(bucc, _table([{**sides[0]}, {**sides[1], "gold": []}]), source)


def test_multiple_choice_labels_must_index_a_choice(registry):
    task = registry.task("xtreme-r/xcopa")
    rows = [{"id": "0", "context": "p", "question": "cause", "choices": ["a", "b"], "label": "2"}]
    with pytest.raises(
        XltBenchError, match=r"gold label '2' is not the index of one of its 2 choices; expected 0 to 1"
    ):
        check_examples(task, _table(rows), DataSource("xcopa-jsonl", (Path("test.et.jsonl"),)))


def test_an_id_without_a_line_names_the_source_and_the_id(registry):
    task = registry.task("xglue/nc")
    source = DataSource("hub", hub=("microsoft/xglue", "nc", "test.de"))
    with pytest.raises(XltBenchError, match=r"^hub:microsoft/xglue/nc \[test.de\]: example 'de-0': gold label 'cars'"):
        check_examples(task, _table([{"id": "de-0", "text": "a", "text_pair": "b", "label": "cars"}]), source)


# -- unreadable files: one line naming the file, from every reader -----------------------------------------

# format -> (file to break, companion files with valid content, language, reader parameters)
LATIN1 = "caf\xe9\n".encode("latin-1")
READERS = {
    "xnli-tsv": ("xnli.test.tsv", {}, "en", {}),
    "pawsx-tsv": ("test_2k.tsv", {}, "en", {}),
    "ud-conllu": ("en_x-ud-test.conllu", {}, "en", {}),
    "panx-raw": ("en-test", {}, "en", {}),
    "squad-json": ("xquad.en.json", {}, "en", {}),
    "tatoeba-laser": ("tatoeba.deu-eng.deu", {"tatoeba.deu-eng.eng": "A.\n"}, "de", {}),
    "bucc2018": (
        "bucc2018-de-en.training.de",
        {"bucc2018-de-en.training.en": "", "bucc2018-de-en.training.gold": ""},
        "de",
        {},
    ),
    "xtreme-pairs-tsv": ("test-en.tsv", {}, "en", {}),
    "xtreme-tags-tsv": ("test-en.tsv", {}, "en", {}),
    "lareqa-xquad-r": ("en.json", {}, "en", {}),
    "mewslix": ("wikinews_mentions-test.jsonl", {"candidate_set_entities.jsonl": ""}, "en", {}),
    "xcopa-jsonl": ("test.et.jsonl", {}, "et", {}),
    "masakhaner": ("test.txt", {}, "yor", {}),
    "afriqa-gold-passages": ("gold_span_passages.afriqa.hau.en.test.json", {}, "hau", {}),
    "xglue-conll": ("en.test", {}, "en", {}),
    "xglue-tsv": ("xglue.nc.en.test", {}, "en", {"columns": ("text", "text_pair", "label")}),
    "xglue-seq2seq": ("xglue.qg.en.src.test", {"xglue.qg.en.tgt.test": "q\n"}, "en", {}),
}


def _broken_source(registry, tmp_path: Path, name: str, breakage: str) -> tuple[DataFormat, DataSource, Path]:
    target, companions, _, params = READERS[name]
    for companion, text in companions.items():
        (tmp_path / companion).write_text(text, encoding="utf-8")
    path = tmp_path / target
    if breakage == "directory":
        path.mkdir()
    else:
        path.write_bytes(LATIN1 if breakage == "encoding" else b"x\n")
    return registry.formats[name], DataSource(name, (path,), params=params), path


def test_every_builtin_format_is_covered(registry):
    assert set(READERS) == set(registry.formats) - {"hub"}


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_non_utf8_file_is_one_line_naming_it(registry, tmp_path: Path, name: str):
    data_format, source, path = _broken_source(registry, tmp_path, name, "encoding")
    with pytest.raises(XltBenchError) as raised:
        list(data_format.read(source, READERS[name][2], "test", **source.params))
    assert str(raised.value) == f"{path}: not UTF-8 text (invalid continuation byte at byte 3)"


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_directory_instead_of_a_file_is_one_line_naming_it(registry, tmp_path: Path, name: str):
    data_format, source, path = _broken_source(registry, tmp_path, name, "directory")
    with pytest.raises(XltBenchError) as raised:
        list(data_format.read(source, READERS[name][2], "test", **source.params))
    assert str(raised.value) == f"{path}: is a directory, expected a file"


@pytest.mark.parametrize("name", sorted(READERS))
def test_an_unreadable_file_is_one_line_naming_it(registry, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch):
    data_format, source, path = _broken_source(registry, tmp_path, name, "permission")
    real_open = builtins.open

    def denying_open(file, *args, **kwargs):  # as root, chmod would not stop the read
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", denying_open)
    with pytest.raises(XltBenchError) as raised:
        list(data_format.read(source, READERS[name][2], "test", **source.params))
    assert str(raised.value) == f"{path}: permission denied (expected a readable file)"


def test_a_file_without_read_permission_is_one_line_through_load_examples(registry, world_tmp: Path):
    readable, path = world_tmp / "readable" / "en_x-ud-test.conllu", world_tmp / "en_x-ud-test.conllu"
    readable.parent.mkdir()
    for target in (readable, path):
        target.write_text(UD_WORD.format(id=1, form="Hund", upos="NOUN", head=0) + "\n", encoding="utf-8")
    path.chmod(0)
    (world_tmp / "cache").mkdir()
    (world_tmp / "cache").chmod(0o777)
    ud = registry.formats["ud-conllu"]

    def load(file: Path, cache: str):
        return lambda: load_examples(ud, DataSource("ud-conllu", (file,)), "en", "test", str(world_tmp / cache))

    message = error_as_unprivileged(load(path, "cache"), warm_up=load(readable, "root's cache"))
    assert message is not None and message.startswith(f"{path}: permission denied")


def test_a_companion_file_is_named_when_it_is_the_broken_one(registry, tmp_path: Path):
    (tmp_path / "tatoeba.deu-eng.deu").write_text("Ein Satz.\n", encoding="utf-8")
    (tmp_path / "tatoeba.deu-eng.eng").write_bytes(LATIN1)
    source = DataSource("tatoeba-laser", (tmp_path / "tatoeba.deu-eng.deu",))
    with pytest.raises(XltBenchError, match=rf"^{tmp_path / 'tatoeba.deu-eng.eng'}: not UTF-8 text"):
        list(registry.formats["tatoeba-laser"].read(source, "de", "test"))


def test_reader_errors_inside_datasets_come_out_as_one_line(registry, tmp_path: Path):
    path = tmp_path / "en_x-ud-test.conllu"
    path.write_bytes(LATIN1)
    source = DataSource("ud-conllu", (path,))
    cache = str(tmp_path / "cache")
    with pytest.raises(XltBenchError, match=rf"^{path}: not UTF-8 text"):
        load_examples(registry.formats["ud-conllu"], source, "en", "test", cache_dir=cache)

    def plugin_reader(source, language, split, **_):  # a plugin's reader that lets an OSError escape
        yield {"id": "1", "text": "a"}
        raise PermissionError(13, "Permission denied", "/data/plugin/file.txt")

    plugin = DataFormat("plugin-format", plugin_reader)
    with pytest.raises(XltBenchError) as raised:
        load_examples(plugin, DataSource("plugin-format", (path,)), "en", "test", cache_dir=cache)
    assert str(raised.value) == "/data/plugin/file.txt: permission denied (expected a readable file)"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_vanished_data_file_is_one_line(registry, tmp_path: Path):
    source = DataSource("ud-conllu", (tmp_path / "en_gone-ud-test.conllu",))
    with pytest.raises(XltBenchError, match=r"en_gone-ud-test.conllu: file not found"):
        load_examples(registry.formats["ud-conllu"], source, "en", "test", cache_dir=str(tmp_path / "cache"))


def test_a_squad_file_of_the_wrong_shape_says_what_was_expected_in_one_line(tmp_path: Path):
    path = tmp_path / "xquad.de.json"
    path.write_text(json.dumps({"data": [{"paragraphs": [{"qas": [{"id": "q", "answers": []}]}]}]}), encoding="utf-8")
    source = DataSource("squad-json", files=(path,))
    with pytest.raises(XltBenchError) as raised:
        list(read_squad_json(source, "de", "test"))
    assert str(raised.value) == (
        f"{path}: not SQuAD JSON (KeyError: 'context'; expected data[].paragraphs[] with context and qas[] with id, "
        "question, answers)"
    )
