"""How the 2020 XTREME QA scripts turned a predicted sub-token span into answer text: `run_squad.py` with
transformers 2.x `squad_metrics.compute_predictions_logits`, whose `get_final_text` maps the span back onto the
context's whitespace words through BERT's BasicTokenizer. The published XTREME QA numbers were made this way, with
its quirks (the whole words whenever the mapping fails, which for Chinese is often a whole clause), so
`--procedure xtreme` reproduces it; this is our own implementation of the rules, not their code. It is not today's
transformers BasicTokenizer, which NFC-normalises the text first (2.x did not: decomposed accents differ).
"""

from __future__ import annotations

import unicodedata

SQUAD_WHITESPACE = " \t\r\n\u202f"  # SquadExample's `_is_whitespace`
CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def whitespace_words(context: str) -> list[str]:
    """SQuAD's `doc_tokens`: the context split at whitespace (space, tab, CR, LF and U+202F only)."""
    words, current = [], []
    for character in context:
        if character in SQUAD_WHITESPACE:
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(character)
    if current:
        words.append("".join(current))
    return words


def _is_punctuation(character: str) -> bool:
    code = ord(character)
    return (
        33 <= code <= 47
        or 58 <= code <= 64
        or 91 <= code <= 96
        or 123 <= code <= 126
        or (unicodedata.category(character).startswith("P"))
    )


def _cleaned(text: str) -> str:
    """BasicTokenizer's `_clean_text` and `_tokenize_chinese_chars`: control characters dropped, whitespace made a
    space, CJK ideographs set apart by spaces."""
    out = []
    for character in text:
        code = ord(character)
        if code in (0, 0xFFFD):
            continue
        if character in " \t\n\r" or unicodedata.category(character) == "Zs":
            out.append(" ")
        elif unicodedata.category(character).startswith("C"):
            continue
        elif any(low <= code <= high for low, high in CJK_RANGES):
            out.append(f" {character} ")
        else:
            out.append(character)
    return "".join(out)


def basic_tokens(text: str, lower: bool) -> list[str]:
    """BERT's BasicTokenizer (transformers 2.x, Chinese characters split): whitespace words, lower-cased and
    stripped of accents when `lower`, every punctuation character its own token."""
    tokens = []
    for word in _cleaned(text).split():
        if lower:
            word = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")
        piece = []
        for character in word:
            if _is_punctuation(character):
                if piece:
                    tokens.append("".join(piece))
                    piece = []
                tokens.append(character)
            else:
                piece.append(character)
        if piece:
            tokens.append("".join(piece))
    return " ".join(tokens).split()


def lower_cased(text: str, family: str) -> str:
    """`text` as transformers 2.x tokenizers saw it under `do_lower_case`: lower-cased and, for WordPiece (BERT)
    tokenizers, whose BasicTokenizer then strips accents, without combining marks after NFD."""
    if family != "wordpiece":
        return text.lower()
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def _without_spaces(text: str) -> tuple[str, dict[int, int]]:
    """`text` without its spaces, and the map from each kept character's index to its index in `text`."""
    kept = [(index, character) for index, character in enumerate(text) if character != " "]
    return "".join(c for _, c in kept), {position: index for position, (index, _) in enumerate(kept)}


def final_text(pred_text: str, orig_text: str, lower: bool) -> str:
    """`get_final_text`: the part of `orig_text` (the span's whole words) that `pred_text` (its joined sub-tokens)
    stands for, found through BasicTokenizer's view of `orig_text`; `orig_text` itself whenever that fails."""
    tokenized = " ".join(basic_tokens(orig_text, lower))
    start = tokenized.find(pred_text)
    if start == -1:
        return orig_text
    end = start + len(pred_text) - 1
    orig_bare, orig_map = _without_spaces(orig_text)
    tok_bare, tok_map = _without_spaces(tokenized)
    if len(orig_bare) != len(tok_bare):
        return orig_text
    tok_to_bare = {index: position for position, index in tok_map.items()}
    if start not in tok_to_bare or end not in tok_to_bare:
        return orig_text
    first, last = orig_map.get(tok_to_bare[start]), orig_map.get(tok_to_bare[end])
    if first is None or last is None:
        return orig_text
    return orig_text[first : last + 1]


def span_text(tokens: list[str], family: str) -> str:
    """transformers 2.x `convert_tokens_to_string` of a span's sub-tokens, whitespace runs collapsed as the script
    does; `family` as `xlt_bench.procedures.tokenizer_family` names it."""
    if family == "wordpiece":
        text = " ".join(tokens).replace(" ##", "")
    elif family == "sentencepiece":
        text = "".join(tokens).replace("\u2581", " ")
    elif family == "bpe":
        text = "".join(tokens).replace("</w>", " ")
    else:
        raise ValueError(f"unknown tokenizer family {family!r}: expected 'wordpiece', 'sentencepiece' or 'bpe'")
    return " ".join(text.strip().split())
