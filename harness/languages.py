"""Language metadata: resource class, family, script and pre-training data size, each from a cited source.

Studies group per-language score deltas by these properties and correlate them with pre-training data, so every
value must be traceable: it comes from the source named in `SOURCES`, and a language a source does not cover is
unknown (None, shown as "unknown"), never guessed. The built-in table, `language_table.tsv`, covers every language of
the four built-in suites; it registers through `xlt_register_languages`, the hook plugins use to add their own.
One language is one row even where suites spell it differently (XTREME's `sw`, Masakhane's `swa`): the other codes
are its aliases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from xlt_bench.errors import XltBenchError
from xlt_bench.files import numbered_lines
from xlt_bench.hookspecs import hookimpl

UNKNOWN = "unknown"
BUILTIN_TABLE = Path(__file__).with_name("language_table.tsv")

SOURCES: dict[str, str] = {
    "resource_class": (
        "Joshi, Santy, Budhiraja, Bali and Choudhury (2020), 'The State and Fate of Linguistic Diversity and Inclusion "
        "in the NLP World', ACL 2020, https://aclanthology.org/2020.acl-main.560/: classes 0-5 from the authors' "
        "lang2tax.txt, https://microsoft.github.io/linguisticdiversity/assets/lang2tax.txt"
    ),
    "family": (
        "Glottolog (Hammarström, Forkel, Haspelmath and Bank), https://glottolog.org: the top-level family of the "
        "language's languoid"
    ),
    "script": (
        "ISO 15924 script names (Unicode, https://www.unicode.org/iso15924/): the script of the language's data in "
        "the built-in suites"
    ),
    "xlmr_cc100_gib": (
        "Conneau, Khandelwal, Goyal, Chaudhary, Wenzek, Guzmán, Grave, Ott, Zettlemoyer and Stoyanov (2020), "
        "'Unsupervised Cross-lingual Representation Learning at Scale', ACL 2020, Appendix A, Table 6 'Languages "
        "and statistics of the CC-100 corpus' (size in GiB), https://arxiv.org/abs/1911.02116"
    ),
}
CORPORA = ("xlmr_cc100_gib",)  # the pre-training size columns of the built-in table
_COLUMNS = ("code", "aliases", "name", "resource_class", "lang2tax_name", "family", "script", *CORPORA)


@dataclass(frozen=True)
class Language:
    """One language under its primary code (ISO 639-1 where there is one) and the other codes suites use for it.

    None (or a corpus absent from `pretraining`) means unknown. `pretraining` maps a corpus key (a key of
    `SOURCES`, or one a plugin documents) to the size of the language's share of that corpus.
    """

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    resource_class: int | None = None
    family: str | None = None
    script: str | None = None
    pretraining: Mapping[str, float] = field(default_factory=dict, hash=False)

    def problems(self) -> list[str]:
        """What is malformed (the registry refuses such a language); empty when it is sound."""
        found = []
        codes = (self.code, *self.aliases)
        if not all(isinstance(code, str) and code.strip() == code and code for code in codes):
            found.append(f"codes must be non-empty strings without spaces, got {codes!r}")
        elif len(set(codes)) < len(codes):
            found.append(f"a code is repeated in {codes!r}")
        if self.resource_class is not None and self.resource_class not in range(6):
            found.append(f"resource_class must be 0-5 (Joshi et al. 2020) or None, got {self.resource_class!r}")
        sizes = self.pretraining.items()
        if any(not isinstance(size, int | float) or isinstance(size, bool) or size < 0 for _, size in sizes):
            found.append(f"pretraining sizes must be numbers >= 0, got {dict(self.pretraining)!r}")
        return found


def unknown_language(code: str) -> Language:
    """The language of a code no plugin knows: every property unknown, named by its code."""
    return Language(code=code, name=code)


def shown(value: object) -> str:
    """A property as tables print it: "unknown" for None."""
    return UNKNOWN if value is None else str(value)


def _number(path: Path, line: int, column: str, text: str, kind: Callable[[str], float]) -> float | None:
    try:
        return kind(text) if text else None
    except ValueError:
        raise XltBenchError(f"{path}:{line}: {column} must be a number or empty (unknown), got {text!r}") from None


def read_language_table(path: Path) -> list[Language]:
    """The languages of a tab-separated table with the header `_COLUMNS`; an empty cell is unknown."""
    rows = numbered_lines(path)
    header = next(rows, (1, ""))[1]
    if tuple(header.split("\t")) != _COLUMNS:
        raise XltBenchError(f"{path}:1: expected the header {'<TAB>'.join(_COLUMNS)!r}, got {header!r}")
    languages = []
    for line, text in rows:
        if len(text.split("\t")) != len(_COLUMNS):
            raise XltBenchError(f"{path}:{line}: expected {len(_COLUMNS)} tab-separated cells, got {text!r}")
        cells = dict(zip(_COLUMNS, text.split("\t")))
        if not cells["code"] or not cells["name"]:
            raise XltBenchError(f"{path}:{line}: code and name must not be empty")
        resource_class = _number(path, line, "resource_class", cells["resource_class"], int)
        if (resource_class is None) != (not cells["lang2tax_name"]):
            raise XltBenchError(f"{path}:{line}: resource_class and lang2tax_name (its source entry) go together")
        sizes = {corpus: _number(path, line, corpus, cells[corpus], float) for corpus in CORPORA}
        language = Language(
            code=cells["code"],
            name=cells["name"],
            aliases=tuple(cells["aliases"].split(",")) if cells["aliases"] else (),
            resource_class=resource_class,
            family=cells["family"] or None,
            script=cells["script"] or None,
            pretraining={corpus: size for corpus, size in sizes.items() if size is not None},
        )
        if problems := language.problems():
            raise XltBenchError(f"{path}:{line}: {problems[0]}")
        languages.append(language)
    return languages


@hookimpl
def xlt_register_languages(register: Callable[[Language], None]) -> None:
    for language in read_language_table(BUILTIN_TABLE):
        register(language)
