"""Language metadata: the cited built-in table, aliases, unknown codes, the plugin hook and `list languages`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import run_main

from xlt_bench.errors import XltBenchError
from xlt_bench.languages import BUILTIN_TABLE, SOURCES, Language, read_language_table
from xlt_bench.registry import load_registry

HEADER = "code\taliases\tname\tresource_class\tlang2tax_name\tfamily\tscript\txlmr_cc100_gib"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_every_language_of_the_built_in_suites_is_in_the_table(registry):
    codes = {
        code
        for suite in registry.suites
        for task in registry.suite_tasks(suite, optional=True)
        for code in task.languages
    }
    assert len(codes) == 71
    assert sorted(code for code in codes if code not in registry.language_codes) == []
    assert registry.problems == []


def test_codes_a_suite_spells_differently_are_one_language(registry):
    for code, alias in (("sw", "swa"), ("yo", "yor"), ("wo", "wol"), ("ha", "hau"), ("zu", "zul")):
        assert registry.language(alias) is registry.language(code)
        assert registry.language(alias).code == code and alias in registry.language(code).aliases
    assert "swa" not in registry.languages and len(registry.languages) == 68


def test_a_code_no_plugin_knows_is_a_language_whose_every_property_is_unknown(registry):
    language = registry.language("xyz")
    assert language == Language(code="xyz", name="xyz")
    assert (language.resource_class, language.family, language.script, dict(language.pretraining)) == (
        None,
        None,
        None,
        {},
    )


@pytest.mark.parametrize(
    ("code", "resource_class", "family", "script", "cc100_gib"),
    [
        ("en", 5, "Indo-European", "Latin", 300.8),  # lang2tax `english,5`; Table 6 `en English 55608 300.8`
        ("sw", 2, "Atlantic-Congo", "Latin", 1.6),  # `swahili,2`; `sw Swahili 275 1.6`
        ("zh", 5, "Sino-Tibetan", "Han", 46.9),  # `mandarin,5`; the Chinese (Simplified) row
        ("ja", 5, "Japonic", "Japanese", 69.3),
        ("pcm", 0, "Indo-European", "Latin", None),  # `nigerian pidgin,0`; not one of XLM-R's languages
        ("ht", None, "Indo-European", "Latin", None),  # lang2tax has both `haitian,2` and `haitian creole,0`
        ("bbj", None, "Atlantic-Congo", "Latin", None),  # Ghomala is not in lang2tax
        ("my", 1, "Sino-Tibetan", "Myanmar", None),  # Table 6 has two unlabelled Burmese rows
    ],
)
def test_values_checked_against_their_sources(registry, code, resource_class, family, script, cc100_gib):
    language = registry.language(code)
    assert (language.resource_class, language.family, language.script) == (resource_class, family, script)
    assert language.pretraining.get("xlmr_cc100_gib") == cc100_gib


def test_every_column_and_corpus_has_a_citation():
    cited = {"resource_class", "family", "script"}
    corpora = {corpus for language in read_language_table(BUILTIN_TABLE) for corpus in language.pretraining}
    assert cited | corpora <= set(SOURCES) and all("20" in SOURCES[key] or "http" in SOURCES[key] for key in SOURCES)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("sw\tswa\tSwahili\t2\tswahili\tAtlantic-Congo\tLatin", "expected 8 tab-separated cells"),
        ("sw\tswa\tSwahili\ttwo\tswahili\tAtlantic-Congo\tLatin\t1.6", "resource_class must be a number or empty"),
        ("sw\tswa\tSwahili\t2\tswahili\tAtlantic-Congo\tLatin\tlots", "xlmr_cc100_gib must be a number or empty"),
        ("sw\tswa\tSwahili\t7\tswahili\tAtlantic-Congo\tLatin\t1.6", "resource_class must be 0-5"),
        ("sw\tswa\tSwahili\t\tswahili\tAtlantic-Congo\tLatin\t1.6", "resource_class and lang2tax_name"),
        ("sw\tsw\tSwahili\t2\tswahili\tAtlantic-Congo\tLatin\t1.6", "a code is repeated"),
        ("\t\tSwahili\t2\tswahili\tAtlantic-Congo\tLatin\t1.6", "code and name must not be empty"),
    ],
)
def test_a_malformed_row_is_one_error_naming_file_and_line(tmp_path: Path, row: str, message: str):
    table = tmp_path / "languages.tsv"
    table.write_text(f"{HEADER}\nen\t\tEnglish\t5\tenglish\tIndo-European\tLatin\t300.8\n{row}\n", encoding="utf-8")
    with pytest.raises(XltBenchError) as error:
        read_language_table(table)
    assert str(error.value).startswith(f"{table}:3: {message}") and "\n" not in str(error.value)


def test_a_table_without_the_header_names_line_one(tmp_path: Path):
    table = tmp_path / "languages.tsv"
    table.write_text("en\t\tEnglish\t5\tenglish\tIndo-European\tLatin\t300.8\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=r"languages\.tsv:1: expected the header 'code<TAB>aliases"):
        read_language_table(table)


LANGUAGE_PLUGIN = """
from xlt_bench import Language, hookimpl

@hookimpl
def xlt_register_languages(register):
    register(Language(code="gsw", name="Swiss German", resource_class=None, family="Indo-European", script="Latin"))
    register(Language(code="kis", name="Kiswahili impostor", aliases=("swa",)))
    register(Language(code="bad", name="Bad", resource_class=9))
"""


def test_a_plugin_adds_languages_through_the_hook_and_a_taken_code_is_a_conflict(tmp_path: Path, monkeypatch):
    (tmp_path / "xlt_test_languages.py").write_text(textwrap.dedent(LANGUAGE_PLUGIN), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = load_registry(["xlt_test_languages"])
    assert registry.language("gsw").name == "Swiss German" and registry.origin[("languages", "gsw")] == (
        "xlt_test_languages"
    )
    assert registry.language("swa").name == "Swahili" and "kis" not in registry.languages
    assert (
        "plugin 'xlt_test_languages': language 'swa' is already registered by 'xlt_bench.languages'; skipped"
        in registry.problems
    )
    assert any("malformed language 'bad' skipped: resource_class must be 0-5" in p for p in registry.problems)

    listing = run_main("-p", "xlt_test_languages", "list", "languages")
    assert listing.returncode == 0
    row = next(line for line in listing.stdout.splitlines() if line.startswith("gsw "))
    assert row.split() == [
        "gsw",
        "Swiss",
        "German",
        "unknown",
        "Indo-European",
        "Latin",
        "unknown",
        "xlt_test_languages",
    ]


def test_list_languages_prints_the_table_with_unknown_where_a_source_is_silent():
    listing = run_main("list", "languages")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "class", "family", "script", "CC-100", "GiB", "plugin"]
    assert len(lines) == 2 + 68
    row = next(line for line in lines if line.startswith("sw "))
    assert row.split() == ["sw", "(swa)", "Swahili", "2", "Atlantic-Congo", "Latin", "1.6", "xlt_bench.languages"]
    row = next(line for line in lines if line.startswith("ht "))
    assert row.split()[:7] == ["ht", "Haitian", "Creole", "unknown", "Indo-European", "Latin", "unknown"]
