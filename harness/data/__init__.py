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
    DataFormat(
        name="xnli-tsv",
        read=read_xnli_tsv,
        version=2,
        description="XNLI-1.0 xnli.{dev,test}.tsv (all languages in one file)",
    ),
    DataFormat(
        name="pawsx-tsv", read=read_pawsx_tsv, version=1, description="PAWS-X x-final/<lang>/{dev_2k,test_2k}.tsv"
    ),
    DataFormat(
        name="ud-conllu",
        read=read_ud_conllu,
        version=2,
        description="UD CoNLL-U, multiword tokens fused as XTREME's conversion",
    ),
    DataFormat(name="panx-raw", read=read_panx_raw, version=1, description="PAN-X raw '<lang>:<token>\\t<tag>' files"),
    DataFormat(
        name="squad-json",
        read=read_squad_json,
        version=1,
        description="SQuAD v1.1-format JSON (XQuAD, MLQA, TyDiQA-GoldP)",
    ),
    DataFormat(
        name="tatoeba-laser",
        read=read_tatoeba,
        version=1,
        description="LASER Tatoeba tatoeba.<xxx>-eng.{<xxx>,eng} line-aligned pairs",
        companions=tatoeba_companions,
    ),
    DataFormat(
        name="bucc2018",
        read=read_bucc,
        version=1,
        description="BUCC 2018 bucc2018-<l>-en.<split>.{<l>,en,gold} comparable corpora",
        companions=bucc_companions,
    ),
    DataFormat(
        name="xtreme-pairs-tsv",
        read=read_processed_pairs,
        version=2,
        description="XTREME download/ layout: sentence1, sentence2, label",
    ),
    DataFormat(
        name="xtreme-tags-tsv",
        read=read_processed_tags,
        version=1,
        description="XTREME download/ layout: word<TAB>tag sentences",
    ),
    DataFormat(
        name="lareqa-xquad-r",
        read=read_lareqa,
        version=1,
        description="LAReQA xquad-r/<lang>.json: a language's questions, all 11 pooled",
    ),
    DataFormat(
        name="mewslix",
        read=read_mewslix,
        version=1,
        description="Mewsli-X wikinews_mentions-<split>.jsonl + candidate_set_entities.jsonl",
        companions=mewslix_companions,
    ),
    DataFormat(
        name="xcopa-jsonl",
        read=read_xcopa,
        version=2,
        description="XCOPA data/<lang>/{val,test}.<lang>.jsonl (premise, choice1, choice2)",
    ),
    DataFormat(
        name="masakhaner",
        read=read_masakhaner,
        version=1,
        description="MasakhaNER 2.0 data/<lang>/{dev,test}.txt 'token TAG' sentences",
    ),
    DataFormat(
        name="afriqa-gold-passages",
        read=read_afriqa_gold_passages,
        version=1,
        description="AfriQA gold_span_passages.afriqa.<lang>.<pivot>.<split>.json (JSON Lines), unusable records "
        "marked skipped",
    ),
    DataFormat(
        name="xglue-conll",
        read=read_xglue_conll,
        version=1,
        description="XGLUE NER/POS <lang>.<split>: 'word label' sentences",
    ),
    DataFormat(
        name="xglue-tsv",
        read=read_xglue_tsv,
        version=1,
        description="XGLUE TSVs (NC, QADSM, WPR, QAM, XNLI, PAWSX): one example a row",
    ),
    DataFormat(
        name="xglue-seq2seq",
        read=read_xglue_seq2seq,
        version=1,
        description="XGLUE QG/NTG xglue.<task>.<lang>.{src,tgt}.<split> line pairs",
        companions=seq2seq_companions,
    ),
    DataFormat(
        name="hub",
        read=read_hub,
        version=1,
        description="a Hugging Face Hub dataset split, columns mapped by the task's HubSource",
    ),
)


@hookimpl
def xlt_register_formats(register: Callable[[DataFormat], None]) -> None:
    for data_format in BUILTIN_FORMATS:
        register(data_format)
