"""The 2020 XTREME answer-text rules (`xlt_bench.legacy_squad_text`), on cases worked out by hand from
transformers 2.x `get_final_text` and BasicTokenizer."""

from __future__ import annotations

from xlt_bench.legacy_squad_text import basic_tokens, final_text, span_text, whitespace_words


def test_squad_whitespace_is_space_tab_newline_and_narrow_no_break_space_only():
    assert whitespace_words("a  b\tc\u202fd\u00a0e\n") == ["a", "b", "c", "d\u00a0e"]


def test_basic_tokens_split_punctuation_cjk_and_lower_with_accents_stripped():
    assert basic_tokens("Hello, World!", lower=False) == ["Hello", ",", "World", "!"]
    assert basic_tokens("Café (Paris)", lower=True) == ["cafe", "(", "paris", ")"]
    assert basic_tokens("北京是中国的首都。", lower=False) == ["北", "京", "是", "中", "国", "的", "首", "都", "。"]
    assert basic_tokens("a\x00b\u200bc", lower=False) == ["abc"]  # NUL and the format character Cf dropped


def test_final_text_maps_the_prediction_back_onto_the_original_words():
    assert final_text("1998", "(1998),", lower=False) == "1998"
    assert final_text("cafe", "Café", lower=True) == "Café"  # accents come back from the original
    assert final_text("中 国", "北京是中国的首都。", lower=False) == "中国"


def test_final_text_falls_back_to_the_whole_words():
    assert final_text("1998),", "(1998),", lower=False) == "(1998),"  # "( 1998 ) ," does not contain it
    assert final_text("中国", "北京是中国的首都。", lower=False) == "北京是中国的首都。"
    # BasicTokenizer drops the zero-width space: the spaceless lengths differ, so the mapping is refused
    assert final_text("cd", "ab\u200bcd", lower=False) == "ab\u200bcd"
    assert final_text("istanbul", "İstanbul", lower=True) == "İstanbul"  # "i̇" loses its dot: same length, mapped


def test_span_text_joins_pieces_as_each_family_did():
    assert span_text(["em", "##bed", "##ding", "##s", "are"], "wordpiece") == "embeddings are"
    assert span_text(["\u2581Hello", "\u2581wor", "ld", "\u2581"], "sentencepiece") == "Hello world"
    assert span_text(["hel", "lo</w>", "world</w>"], "bpe") == "hello world"
