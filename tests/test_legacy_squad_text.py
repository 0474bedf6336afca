"""The 2020 XTREME answer-text rules (`xlt_bench.legacy_squad_text`), on cases worked out by hand from
transformers 2.x `get_final_text` and BasicTokenizer."""

from __future__ import annotations

import pytest

from xlt_bench.legacy_squad_text import basic_tokens, final_text, span_text, whitespace_words


def test_squad_whitespace_is_space_tab_newline_and_narrow_no_break_space_only():
    assert whitespace_words("a  b\tc\u202fd\u00a0e\n") == ["a", "b", "c", "d\u00a0e"]
    assert whitespace_words("  x\r\n\r\ny  ") == ["x", "y"]
    assert whitespace_words("a\u3000b\u2028c") == ["a\u3000b\u2028c"]  # str.split would cut both
    assert whitespace_words(" \u202f ") == []


def test_basic_tokens_split_punctuation_cjk_and_lower_with_accents_stripped():
    assert basic_tokens("Hello, World!", lower=False) == ["Hello", ",", "World", "!"]
    assert basic_tokens("Hello, World!", lower=True) == ["hello", ",", "world", "!"]
    assert basic_tokens("Café", lower=True) == ["cafe"]
    assert basic_tokens("Café", lower=False) == ["Café"]  # accents are stripped only with lower-casing
    assert basic_tokens("Café (Paris)", lower=True) == ["cafe", "(", "paris", ")"]
    assert basic_tokens("北京是中国的首都。", lower=False) == ["北", "京", "是", "中", "国", "的", "首", "都", "。"]
    assert basic_tokens("東京タワー", lower=False) == ["東", "京", "タワー"]  # katakana is not a CJK ideograph
    assert basic_tokens("$5~x`", lower=False) == ["$", "5", "~", "x", "`"]  # ASCII symbols count as punctuation


def test_basic_tokens_drop_control_characters_and_turn_whitespace_into_spaces():
    assert basic_tokens("a\x00b\u200bc", lower=False) == ["abc"]  # NUL and the format character Cf dropped
    assert basic_tokens("a\x07b\ufffdc", lower=False) == ["abc"]  # BEL (Cc) and the replacement character
    assert basic_tokens("a\u3000b\u00a0c\td", lower=False) == ["a", "b", "c", "d"]  # Zs and tab split words
    assert basic_tokens("Cafe\u0301", lower=False) == ["Cafe\u0301"]  # no NFC step, unlike transformers 4.x+


def test_final_text_maps_the_prediction_back_onto_the_original_words():
    assert final_text("world", "Hello, world!", lower=False) == "world"
    assert final_text("1998", "(1998)", lower=False) == "1998"
    assert final_text("1998", "(1998),", lower=False) == "1998"
    assert final_text("word", "(word),", lower=False) == "word"
    assert final_text("cafe", "Café", lower=True) == "Café"  # accents come back from the original
    assert final_text("cafe au", "Café au lait", lower=True) == "Café au"
    assert final_text("中 国", "北京是中国的首都。", lower=False) == "中国"
    # "İ".lower() is "i" + U+0307, whose combining dot is then stripped: same length again, so it maps
    assert final_text("stanbul", "İstanbul", lower=True) == "stanbul"


def test_final_text_falls_back_to_the_whole_words():
    assert final_text("1998),", "(1998),", lower=False) == "(1998),"  # "( 1998 ) ," does not contain it
    assert final_text("(word)", "(word),", lower=False) == "(word),"  # an XLM-R style span, unspaced
    assert final_text("中国", "北京是中国的首都。", lower=False) == "北京是中国的首都。"
    assert final_text("World", "Hello, world!", lower=False) == "Hello, world!"  # find is case-sensitive
    assert final_text("", "abc", lower=False) == "abc"  # an empty prediction ends before it starts
    # BasicTokenizer drops the zero-width space: the spaceless lengths differ, so the mapping is refused
    assert final_text("cd", "ab\u200bcd", lower=False) == "ab\u200bcd"
    assert final_text("10", "10\u00a0km", lower=False) == "10\u00a0km"  # the no-break space became a space
    # a decomposed accent loses its combining mark to strip_accents: 5 characters against 4
    assert final_text("caf", "Cafe\u0301", lower=True) == "Cafe\u0301"
    # NFD splits each Hangul syllable into its jamo, so an uncased model never maps Korean
    assert final_text("\u1112\u1161\u11ab", "한국", lower=True) == "한국"


def test_span_text_joins_pieces_as_each_family_did():
    assert span_text(["em", "##bed", "##ding", "##s", "are"], "wordpiece") == "embeddings are"
    assert span_text(["Hello", "[UNK]", "##s"], "wordpiece") == "Hello [UNK]s"
    assert span_text(["\u2581Hello", "\u2581wor", "ld"], "sentencepiece") == "Hello world"
    assert span_text(["\u2581Hello", "\u2581wor", "ld", "\u2581"], "sentencepiece") == "Hello world"
    assert span_text(["\u2581(", "\u2581", "word", ")"], "sentencepiece") == "( word)"
    assert span_text(["\u2581", "\u2581", "x"], "sentencepiece") == "x"  # runs of spaces collapse
    assert span_text(["hel", "lo</w>", "world</w>"], "bpe") == "hello world"


def test_span_text_refuses_an_unknown_family():
    with pytest.raises(ValueError, match="unknown tokenizer family"):
        span_text(["a"], "bytelevel")
