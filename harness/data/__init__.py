"""Reading benchmark data in its original on-disk formats (and faithful Hub copies).

The built-in formats are registered through `xlt_register_formats`, like any plugin's. Readers import nothing
heavy at module level; `datasets` is imported only when data is actually loaded.
"""

from __future__ import annotations

from collections.abc import Callable

from xlt_bench.data.afriqa import read_afriqa_gold_passages
from xlt_bench.data.bitext import bucc_companions, read_bucc, read_tatoeba, tatoeba_companions
from xlt_bench.data.conllu import read_ud_conllu
from xlt_bench.data.formats import DataFormat
from xlt_bench.data.hub import read_hub
from xlt_bench.data.masakhaner import read_masakhaner
from xlt_bench.data.panx import read_panx_raw
from xlt_bench.data.pawsx import read_pawsx_tsv
from xlt_bench.data.ranking import mewslix_companions, read_lareqa, read_mewslix
from xlt_bench.data.squad_json import read_squad_json
from xlt_bench.data.xcopa import read_xcopa
from xlt_bench.data.xglue import read_xglue_conll, read_xglue_seq2seq, read_xglue_tsv, seq2seq_companions
from xlt_bench.data.xnli import read_xnli_tsv
from xlt_bench.data.xtreme_processed import read_processed_pairs, read_processed_tags
from xlt_bench.hookspecs import hookimpl

BUILTIN_FORMATS = (
    DataFormat("xnli-tsv", read_xnli_tsv, 2, "XNLI-1.0 xnli.{dev,test}.tsv (all languages in one file)"),
    DataFormat("pawsx-tsv", read_pawsx_tsv, 1, "PAWS-X x-final/<lang>/{dev_2k,test_2k}.tsv"),
    DataFormat("ud-conllu", read_ud_conllu, 2, "UD CoNLL-U, multiword tokens fused as XTREME's conversion"),
    DataFormat("panx-raw", read_panx_raw, 1, "PAN-X raw '<lang>:<token>\\t<tag>' files"),
    DataFormat("squad-json", read_squad_json, 1, "SQuAD v1.1-format JSON (XQuAD, MLQA, TyDiQA-GoldP)"),
    DataFormat(
        "tatoeba-laser",
        read_tatoeba,
        1,
        "LASER Tatoeba tatoeba.<xxx>-eng.{<xxx>,eng} line-aligned pairs",
        companions=tatoeba_companions,
    ),
    DataFormat(
        "bucc2018",
        read_bucc,
        1,
        "BUCC 2018 bucc2018-<l>-en.<split>.{<l>,en,gold} comparable corpora",
        companions=bucc_companions,
    ),
    DataFormat("xtreme-pairs-tsv", read_processed_pairs, 2, "XTREME download/ layout: sentence1, sentence2, label"),
    DataFormat("xtreme-tags-tsv", read_processed_tags, 1, "XTREME download/ layout: word<TAB>tag sentences"),
    DataFormat("lareqa-xquad-r", read_lareqa, 1, "LAReQA xquad-r/<lang>.json: a language's questions, all 11 pooled"),
    DataFormat(
        "mewslix",
        read_mewslix,
        1,
        "Mewsli-X wikinews_mentions-<split>.jsonl + candidate_set_entities.jsonl",
        companions=mewslix_companions,
    ),
    DataFormat("xcopa-jsonl", read_xcopa, 2, "XCOPA data/<lang>/{val,test}.<lang>.jsonl (premise, choice1, choice2)"),
    DataFormat("masakhaner", read_masakhaner, 1, "MasakhaNER 2.0 data/<lang>/{dev,test}.txt 'token TAG' sentences"),
    DataFormat(
        "afriqa-gold-passages",
        read_afriqa_gold_passages,
        1,
        "AfriQA gold_span_passages.afriqa.<lang>.<pivot>.<split>.json (JSON Lines), unusable records marked skipped",
    ),
    DataFormat("xglue-conll", read_xglue_conll, 1, "XGLUE NER/POS <lang>.<split>: 'word label' sentences"),
    DataFormat("xglue-tsv", read_xglue_tsv, 1, "XGLUE TSVs (NC, QADSM, WPR, QAM, XNLI, PAWSX): one example a row"),
    DataFormat(
        "xglue-seq2seq",
        read_xglue_seq2seq,
        1,
        "XGLUE QG/NTG xglue.<task>.<lang>.{src,tgt}.<split> line pairs",
        companions=seq2seq_companions,
    ),
    DataFormat("hub", read_hub, 1, "a Hugging Face Hub dataset split, columns mapped by the task's HubSource"),
)


@hookimpl
def xlt_register_formats(register: Callable[[DataFormat], None]) -> None:
    for data_format in BUILTIN_FORMATS:
        register(data_format)
