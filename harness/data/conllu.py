"""UD CoNLL-U test files read the way XTREME builds its UD-POS data.

XTREME converts every `*-ud-<split>.conllu` of a language with
`conllu_to_conll.py --replace_subtokens_with_fused_forms` and merges the treebanks (file-name order). So:

- a multiword token (`3-4  zum`) becomes **one surface word** whose UPOS is that of its "span head": the syntactic
  word with the fewest ancestors in the dependency graph (basic heads plus the enhanced DEPS edges, as the tool
  builds it); on a tie, the candidate whose UPOS comes first in the tool's precedence list for the language
  (es, fr, it have their own lists; every other language the default list). A UPOS missing from the list
  (which makes the official tool crash on that file) ranks after all listed ones;
- empty nodes (`8.1`) are ignored;
- a sentence is dropped when all but at most one of its forms are `_` (treebanks distributed without text);
- forms are stripped, and spaces and U+200C inside a form are removed.

The UPOS of every word that reaches the output must be one of the 17 UD v2 tags: the conversion copies the column
as it is, so anything else (`_`, a UD v1 `CONJ`, a typo) would be a gold tag no model can predict. Multiword range
lines and empty nodes carry `_` by the format's rules and are never output, so they are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from xlt_bench.errors import XltBenchError
from xlt_bench.files import numbered_lines

UPOS_TAGS = "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()

_DEFAULT_PRECEDENCE = "VERB NOUN PROPN PRON ADJ NUM ADV INTJ AUX ADP DET PART CCONJ SCONJ X PUNCT".split()
POS_PRECEDENCE = {
    "es": "VERB AUX PRON ADP DET".split(),
    "fr": "VERB AUX PRON NOUN ADJ ADV ADP DET PART SCONJ CONJ".split(),
    "it": "VERB AUX ADV PRON ADP DET INTJ".split(),
}


class _Sentence:
    """The syntactic words, multiword ranges and dependency edges of one CoNLL-U sentence."""

    def __init__(self) -> None:
        self.words: dict[int, tuple[str, str]] = {}  # id -> (form, upos)
        self.lines: dict[int, int] = {}  # id -> line number in the file
        self.range_lines: dict[int, int] = {}  # first id of a multiword range -> its line number
        self.ranges: dict[int, tuple[int, str]] = {}  # first id -> (last id, fused form)
        self.heads: dict[int, set[int]] = {}  # dependent -> heads (basic and enhanced)

    def add_edge(self, head: int, dependent: int) -> None:
        self.heads.setdefault(dependent, set()).add(head)

    def ancestors(self, node: int) -> int:
        seen: set[int] = set()
        todo = list(self.heads.get(node, ()))
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.heads.get(current, ()))
        seen.discard(node)
        return len(seen)

    def span_head(self, first: int, last: int, precedence: list[str]) -> int:
        span = [i for i in range(first, last + 1) if i in self.words]
        depth = {i: self.ancestors(i) for i in span}
        highest = min(depth.values())
        candidates = [i for i in span if depth[i] == highest]
        if len(candidates) == 1:
            return candidates[0]

        def rank(i: int) -> int:
            upos = self.words[i][1]
            return precedence.index(upos) if upos in precedence else len(precedence)

        return min(candidates, key=rank)  # min() keeps the first of equal ranks, like the tool

    def surface(self, language: str) -> tuple[list[str], list[str], list[int]]:
        """Words, UPOS tags and line numbers with multiword tokens fused, as the conversion tool writes them."""
        precedence = POS_PRECEDENCE.get(language, _DEFAULT_PRECEDENCE)
        replaced: dict[int, str] = {}
        removed: set[int] = set()
        for first, (last, fused) in self.ranges.items():
            head = self.span_head(first, last, precedence)
            replaced[head] = fused
            removed.update(i for i in range(first, last + 1) if i != head)
        forms, tags, lines = [], [], []
        for i in sorted(self.words):
            if i in removed:
                continue
            form, upos = self.words[i]
            forms.append(replaced.get(i, form))
            tags.append(upos)
            lines.append(self.lines[i])
        return forms, tags, lines


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _complete(path: Path, sentence: _Sentence) -> _Sentence:
    """A multiword range must end at a word of its sentence (else gold and predictions would silently lose it)."""
    for first, (last, _) in sentence.ranges.items():
        if last > len(sentence.words):
            line = sentence.range_lines[first]
            raise XltBenchError(f"{path}:{line}: multiword token {first}-{last} ends past the sentence's last word")
    return sentence


def _sentences(path: Path) -> Iterator[tuple[int, _Sentence]]:
    """Sentences with their first line; word ids must run 1, 2, 3, ... (the format's rule), ranges start at the next
    word and end after it."""
    sentence, start = _Sentence(), 1
    for number, line in numbered_lines(path):
        if not line:
            if sentence.words:
                yield start, _complete(path, sentence)
            sentence, start = _Sentence(), number + 1
            continue
        if line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise XltBenchError(f"{path}:{number}: expected 10 tab-separated CoNLL-U columns, found {len(columns)}")
        token_id, form, upos, head, deps = columns[0], columns[1], columns[3], columns[6], columns[8]
        if "-" in token_id:
            first, _, last = token_id.partition("-")
            if not (first.isdigit() and last.isdigit()):
                raise XltBenchError(f"{path}:{number}: malformed multiword token id {token_id!r}")
            if int(first) != len(sentence.words) + 1 or int(last) <= int(first):
                raise XltBenchError(
                    f"{path}:{number}: multiword token id {token_id!r}; expected a range from the next word id "
                    f"({len(sentence.words) + 1}) to a later one"
                )
            sentence.ranges[int(first)] = (int(last), form)
            sentence.range_lines[int(first)] = number
        elif token_id.isdigit():
            word = int(token_id)
            if word != len(sentence.words) + 1:
                raise XltBenchError(
                    f"{path}:{number}: token id {word}; expected {len(sentence.words) + 1} (word ids run 1, 2, 3, ... "
                    "within a sentence)"
                )
            sentence.words[word] = (form, upos)
            sentence.lines[word] = number
            if (head_id := _int_or_none(head)) is not None:
                sentence.add_edge(head_id, word)
            for pair in deps.split("|") if deps != "_" else ():
                enhanced_head = pair.split(":")[0]
                if enhanced_head.isdigit():
                    sentence.add_edge(int(enhanced_head), word)
        elif "." not in token_id:
            raise XltBenchError(f"{path}:{number}: malformed token id {token_id!r}")
    if sentence.words:
        yield start, _complete(path, sentence)


def _mostly_unannotated(forms: list[str]) -> bool:
    empty = sum(form == "_" for form in forms)
    return empty > 0 and empty >= len(forms) - 1


def read_ud_conllu(source, language: str, split: str, **_: object) -> Iterator[dict]:
    """Yield `{"id", "tokens", "tags"}` per sentence of every file of `source`, in order."""
    for path in source.files:
        for line, sentence in _sentences(Path(path)):
            forms, tags, lines = sentence.surface(language)
            forms = [form.strip() for form in forms]
            if _mostly_unannotated(forms):
                continue
            for form, tag, number in zip(forms, tags, lines):
                if tag not in UPOS_TAGS:
                    raise XltBenchError(
                        f"{path}:{number}: UPOS {tag!r} of word {form!r} is not a Universal Dependencies tag; "
                        f"expected one of {' '.join(UPOS_TAGS)}"
                    )
            tokens = ["".join(form.replace("\u200c", "").split(" ")) for form in forms]
            yield {"id": f"{Path(path).name}:{line}", "tokens": tokens, "tags": tags}
