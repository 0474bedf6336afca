"""Which files a task's data is, found and identified exactly: companion files, links, special files, releases.

Each case is a way the wrong data used to be read without a word: a companion file edited after a first load was
served from the old parse, a link to a parent folder made indexing endless or counted a file 41 times, a FIFO or a
device named like a data file blocked the reader, a stray copy joined the LAReQA pool, and a UD file of the other
release stood in for the expected one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xlt_bench.cache import prefetched_data
from xlt_bench.data.formats import DataFormat, DataSource, DataUnavailable, data_files
from xlt_bench.data.loading import load_examples
from xlt_bench.data.resolve import FileIndex, resolve_source
from xlt_bench.plugins.xtreme import XTREME_HUB_COMMIT
from xlt_bench.plugins.xtreme_r import WIKIANN_COMMIT
from xlt_bench.registry import load_registry

CONLLU = "# text = Ein Haus\n1\tEin\tein\tDET\t_\t_\t2\tdet\t_\t_\n2\tHaus\tHaus\tNOUN\t_\t_\t0\troot\t_\t_\n\n"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def indexed(root: Path, pattern: str) -> list[Path]:
    """`FileIndex(root).find(pattern)` in a child process, so that an endless walk fails the test instead of
    hanging it."""
    code = (
        "import sys; from xlt_bench.data.resolve import FileIndex; "
        "print('\\n'.join(map(str, FileIndex(__import__('pathlib').Path(sys.argv[1])).find(sys.argv[2]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(root), pattern], capture_output=True, text=True, timeout=60, check=True
    )
    return [Path(line) for line in done.stdout.splitlines()]


# -- companion files ----------------------------------------------------------------------------------------------


def test_an_edited_tatoeba_english_side_is_read_again(registry, real_samples: Path, tmp_path: Path):
    data = tmp_path / "data"
    for side in ("deu", "eng"):
        write(
            data / f"tatoeba.deu-eng.{side}", (real_samples / "tatoeba" / "v1" / f"tatoeba.deu-eng.{side}").read_text()
        )
    source = registry.resolve_data(registry.task("xtreme/tatoeba"), "de", "test", data)
    data_format = registry.data_format(source)
    english = data.resolve() / "tatoeba.deu-eng.eng"
    assert data_files(data_format, source) == [data.resolve() / "tatoeba.deu-eng.deu", english]
    first = load_examples(data_format, source, "de", "test", str(tmp_path / "cache"))

    lines = english.read_text(encoding="utf-8").splitlines()
    english.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")  # same size, other alignment
    second = load_examples(data_format, source, "de", "test", str(tmp_path / "cache"))
    assert second["text"] == first["text"]
    assert second["text_pair"] == list(reversed(first["text_pair"])) != first["text_pair"]


@pytest.mark.parametrize(
    "format_name, file_name, companions",
    [
        ("bucc2018", "bucc2018-de-en.training.de", ["bucc2018-de-en.training.en", "bucc2018-de-en.training.gold"]),
        ("mewslix", "wikinews_mentions-test.jsonl", ["candidate_set_entities.jsonl"]),
        ("xglue-seq2seq", "xglue.qg.de.src.test", ["xglue.qg.de.tgt.test"]),
    ],
)
def test_data_files_are_the_source_files_then_their_companions(
    registry, tmp_path: Path, format_name: str, file_name: str, companions: list[str]
):
    source = DataSource(format_name, (write(tmp_path / file_name),))
    data_format: DataFormat = registry.data_format(source)
    assert data_files(data_format, source) == [tmp_path / file_name]  # missing companions: the reader reports them
    for name in companions:
        write(tmp_path / name)
    assert data_files(data_format, source) == [tmp_path / name for name in (file_name, *companions)]


def test_formats_without_companions_are_identified_by_their_files(registry, tmp_path: Path):
    source = DataSource("xnli-tsv", (write(tmp_path / "xnli.test.tsv"),))
    write(tmp_path / "xnli.test.eng")  # a sibling the reader never opens
    assert data_files(registry.data_format(source), source) == [tmp_path / "xnli.test.tsv"]


# -- links and special files --------------------------------------------------------------------------------------


def test_links_back_to_parent_folders_are_walked_once(registry, tmp_path: Path):
    data = tmp_path / "data"
    xnli = write(data / "XNLI-1.0" / "xnli.test.tsv", "language\tgold_label\tsentence1\tsentence2\n")
    for name in ("sub1", "sub2"):
        (data / name).mkdir()
        (data / name / "up").symlink_to("..")  # with two of them, a walk following links grows exponentially
    (data / "latest").symlink_to(".")
    assert indexed(data, "xnli.test.tsv") == [xnli]
    assert registry.resolve_data(registry.task("xtreme/xnli"), "de", "test", data).files == (xnli.resolve(),)


def test_a_linked_folder_outside_the_data_dir_is_indexed(tmp_path: Path):
    elsewhere = write(tmp_path / "store" / "XNLI-1.0" / "xnli.test.tsv")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "xnli").symlink_to(elsewhere.parent)
    assert FileIndex(tmp_path / "data").find("xnli.test.tsv") == [tmp_path / "data" / "xnli" / "xnli.test.tsv"]


def test_fifos_and_devices_named_like_data_files_are_not_data(registry, tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    os.mkfifo(data / "xnli.test.tsv")  # reading it would block forever
    (data / "xnli.dev.tsv").symlink_to("/dev/zero")  # reading it would never end
    (data / "broken").symlink_to(data / "nowhere")
    index = FileIndex(data)
    assert index.files == []
    task = registry.task("xtreme/xnli")
    for split in ("test", "dev"):
        with pytest.raises(DataUnavailable, match=rf"no xnli {split} data for 'de'.*'xnli.{split}.tsv'"):
            registry.resolve_data(task, "de", split, data)


# -- LAReQA's pool ------------------------------------------------------------------------------------------------


def test_lareqa_pools_exactly_its_eleven_language_files(registry, real_samples: Path, tmp_path: Path):
    folder = tmp_path / "data" / "xquad-r"
    shutil.copytree(real_samples / "lareqa" / "xquad-r", folder)
    stray = json.loads((folder / "en.json").read_text(encoding="utf-8"))
    stray["data"] = stray["data"][:1]
    write(folder / "en (copy).json", json.dumps(stray))
    write(folder / "fr.json", json.dumps(stray))  # not a language of the task
    task = registry.task("xtreme-r/lareqa")
    expected = [folder.resolve() / f"{language}.json" for language in task.languages]
    for data_dir in (tmp_path / "data", folder):  # the folder above xquad-r/, or xquad-r/ itself
        source = registry.resolve_data(task, "de", "test", data_dir)
        assert list(source.files) == expected
    rows = load_examples(registry.data_format(source), source, "de", "test", str(tmp_path / "cache"))
    assert sum(role == "candidate" for role in rows["role"]) == 915  # the 11 sample files' sentences, no more


def test_lareqa_without_one_language_file_names_it(registry, real_samples: Path, tmp_path: Path):
    folder = tmp_path / "data" / "xquad-r"
    shutil.copytree(real_samples / "lareqa" / "xquad-r", folder)
    (folder / "el.json").unlink()
    with pytest.raises(
        DataUnavailable, match=r"lareqa pools one .* per language of the task; missing .*'xquad-r/el.json'"
    ):
        registry.resolve_data(registry.task("xtreme-r/lareqa"), "de", "test", tmp_path / "data")


# -- UD releases --------------------------------------------------------------------------------------------------


def test_xtreme_r_reads_the_new_languages_from_ud_2_7_only(registry, tmp_path: Path):
    task = registry.task("xtreme-r/udpos")
    old = write(tmp_path / "data" / "ud-treebanks-v2.5" / "UD_Lithuanian-HSE" / "lt_hse-ud-test.conllu", CONLLU)
    german = write(tmp_path / "data" / "ud-treebanks-v2.5" / "UD_German-GSD" / "de_gsd-ud-test.conllu", CONLLU)
    write(tmp_path / "data" / "ud-treebanks-v2.7" / "UD_German-GSD" / "de_gsd-ud-test.conllu", CONLLU)
    with pytest.raises(DataUnavailable, match=r"no udpos test data for 'lt'.*'ud-treebanks-v2.7/\*/lt_\*-ud-test"):
        registry.resolve_data(task, "lt", "test", tmp_path / "data")
    assert registry.resolve_data(task, "de", "test", tmp_path / "data").files == (german.resolve(),)

    new = write(tmp_path / "both" / "ud-treebanks-v2.7" / "UD_Lithuanian-HSE" / "lt_hse-ud-test.conllu", CONLLU)
    shutil.copytree(old.parent.parent, tmp_path / "both" / "ud-treebanks-v2.5")
    assert registry.resolve_data(task, "lt", "test", tmp_path / "both").files == (new.resolve(),)


def test_xtreme_never_reads_ud_2_7(registry, tmp_path: Path):
    task = registry.task("xtreme/udpos")
    release = tmp_path / "newer" / "ud-treebanks-v2.7"
    write(release / "UD_German-GSD" / "de_gsd-ud-test.conllu", CONLLU)
    for data_dir in (tmp_path / "newer", release, release / "UD_German-GSD"):
        with pytest.raises(DataUnavailable, match=r"'ud-treebanks-v2.5/\*/de_\*-ud-test.conllu' or"):
            registry.resolve_data(task, "de", "test", data_dir)


@pytest.mark.parametrize(
    "layout",
    [
        "ud-treebanks-v2.5/UD_German-GSD/de_gsd-ud-test.conllu",  # the release
        "UD_German-GSD/de_gsd-ud-test.conllu",  # treebank folders copied without their release folder
        "udpos/test-de.tsv",  # XTREME's processed download/ layout
    ],
)
def test_xtreme_udpos_layouts_that_keep_working(registry, tmp_path: Path, layout: str):
    path = write(tmp_path / "data" / layout, CONLLU if layout.endswith(".conllu") else "Ein\tDET\n\n")
    source = registry.resolve_data(registry.task("xtreme/udpos"), "de", "test", tmp_path / "data")
    assert source.files == (path.resolve(),)
    if layout.startswith("ud-treebanks-v2.5"):  # --data-dir may also be the release folder itself
        release = tmp_path / "data" / "ud-treebanks-v2.5"
        assert registry.resolve_data(registry.task("xtreme/udpos"), "de", "test", release).files == source.files


# -- submission folders, several candidates, the prefetched cache -------------------------------------------------


def test_submission_folders_below_the_data_dir_are_not_data(registry, real_samples: Path):
    # XTREME's mock labels/ and predictions/ hold udpos/test-<lang>.tsv for every language: named like data, not data
    task = registry.task("xtreme/udpos")
    with pytest.raises(DataUnavailable, match=r"no udpos test data for 'af' below .*'udpos/test-af.tsv'\)$"):
        registry.resolve_data(task, "af", "test", real_samples)
    german = real_samples / "udpos" / "ud-treebanks-v2.5" / "UD_German-GSD" / "de_gsd-ud-test.conllu"
    assert registry.resolve_data(task, "de", "test", real_samples).files == (german.resolve(),)


def test_a_run_folder_inside_the_data_dir_is_not_read(registry, tmp_path: Path):
    for kind in ("labels", "predictions"):
        write(tmp_path / "data" / "runs" / "r1" / kind / "udpos" / "test-de.tsv", "Ein\tDET\n\n")
    processed = write(tmp_path / "data" / "download" / "udpos" / "test-de.tsv", "Ein\tDET\n\n")
    found = registry.resolve_data(registry.task("xtreme/udpos"), "de", "test", tmp_path / "data")
    assert found.files == (processed.resolve(),)


def test_the_original_release_is_read_and_the_choice_said_once(registry, tmp_path: Path, capsys):
    release = write(tmp_path / "data" / "ud-treebanks-v2.5" / "UD_German-GSD" / "de_gsd-ud-test.conllu", CONLLU)
    write(tmp_path / "data" / "download" / "udpos" / "test-de.tsv", "Ein\tDET\n\n")
    task = registry.task("xtreme/udpos")
    for _ in range(2):
        assert registry.resolve_data(task, "de", "test", tmp_path / "data").files == (release.resolve(),)
    assert capsys.readouterr().err.splitlines() == [
        f"xlt-bench: warning: udpos/de test: several candidates below {(tmp_path / 'data').resolve()}; reading "
        "ud-treebanks-v2.5/UD_German-GSD/de_gsd-ud-test.conllu (declared first), not download/udpos/test-de.tsv"
    ]


def test_one_candidate_says_nothing(registry, tmp_path: Path, capsys):
    write(tmp_path / "data" / "ud-treebanks-v2.5" / "UD_German-GSD" / "de_gsd-ud-test.conllu", CONLLU)
    registry.resolve_data(registry.task("xtreme/udpos"), "de", "test", tmp_path / "data")
    assert capsys.readouterr().err == ""


def test_without_data_dir_a_language_with_releases_reads_them_from_the_cache(
    registry, real_samples: Path, tmp_path: Path
):
    task, cache = registry.task("xtreme/xquad"), tmp_path / "cache"
    with pytest.raises(
        DataUnavailable,
        match=r"xquad: the release files of 'de' are not in the cache .*; run "
        r"`xlt-bench prefetch --suite xtreme --tasks xquad --languages de` while online",
    ):
        resolve_source(registry, task, "de", "test", None, cache)  # offline (no fetcher): never the Hub instead
    fetched: list[tuple[str, str]] = []
    german = (real_samples / "xquad" / "xquad.de.json").read_text()

    def fetch(fetched_task, language: str) -> None:  # what eval's downloader does: the release into the cache
        fetched.append((fetched_task.name, language))
        write(prefetched_data(cache, fetched_task) / f"xquad.{language}.json", german)

    prefetched = prefetched_data(cache, task) / "xquad.de.json"
    assert resolve_source(registry, task, "de", "test", None, cache, fetch).files == (prefetched.resolve(),)
    assert resolve_source(registry, task, "de", "test", None, cache, fetch).files == (prefetched.resolve(),)
    assert fetched == [("xquad", "de")]  # fetched once; then read from the cache
    with pytest.raises(DataUnavailable, match="no xquad test data for 'de' below"):  # --data-dir alone, when given
        resolve_source(registry, task, "de", "test", write(tmp_path / "empty" / "x").parent, cache, fetch)


def test_without_data_dir_a_language_without_releases_reads_its_pinned_hub_copy(registry, tmp_path: Path):
    xtreme = resolve_source(registry, registry.task("xtreme/panx"), "de", "test", None, tmp_path)
    assert xtreme.hub == ("google/xtreme", "PAN-X.de", "test") and xtreme.revision == XTREME_HUB_COMMIT
    wikiann = resolve_source(registry, registry.task("xtreme-r/panx"), "qu", "dev", None, tmp_path)
    assert wikiann.hub == ("unimelb-nlp/wikiann", "qu", "validation") and wikiann.params["data_dir"] == "qu"
    assert wikiann.revision == WIKIANN_COMMIT
    assert resolve_source(registry, registry.task("xtreme-r/panx"), "de", "test", None, tmp_path).hub[0] == (
        "google/xtreme"
    )
