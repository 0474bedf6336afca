"""The XGLUE suite (Liang et al., 2020): 11 tasks, 19 languages, scored as `evaluation/xglue_evaluate.py` does.

Language lists are the scorer's `task2lg`. Per task: NER seqeval F1; POS the scorer's seqeval **precision** over
UPOS tags (what XGLUE publishes as POS "accuracy", pitfall X1; true token accuracy is reported beside it as
`token_accuracy`); NC, XNLI, PAWS-X (4 languages), QADSM, QAM accuracy of raw label strings; MLQA the MLQA script's
F1 only; WPR nDCG without cutoff per query (consecutive rows with the same query), averaged; QG and NTG
sacreBLEU corpus BLEU, lower-cased, 13a. Task score = mean over the task's languages. The XGLUE score is the
understanding category (mean of the 9 NLU tasks); generation (mean of QG and NTG BLEU) is reported beside it, never
mixed in (the scorer's printed mean over all tasks is not a leaderboard number).

Files are the original `xglue_full_dataset` layout (`--data-dir` or `prefetch`), and submissions use the scorer's
layout: predictions `<TASK>/<lang>.prediction`, gold read straight from the dataset files, so
`xlt-bench score --suite xglue --predictions preds/ --gold xglue_full_dataset/` scores an official submission.
Prediction file names carry no split: keep test and dev runs in different run folders.

Model selection (pitfall X4) is the user's: XGLUE's reference code picks checkpoints on the average dev score over
all languages, which is not strictly zero-shot; selecting on English dev scores lower. Record what you did with
`--label`. The Hub copy `microsoft/xglue` is a loading script: it runs only with `eval --trust-remote-code`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from xlt_bench.hookspecs import hookimpl
from xlt_bench.plugins.xtreme import QA_INFERENCE, UPOS_TAGS
from xlt_bench.tasks import DataFiles, HubSource, Release, SubmissionFiles, Suite, Task, TaskType

SUITE = "xglue"
ARCHIVE = "https://xglue.blob.core.windows.net/xglue/xglue_full_dataset.tar.gz"
NER_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")
NC_CATEGORIES = ("foodanddrink", "sports", "travel", "finance", "lifestyle", "news", "entertainment", "health")
NC_CATEGORIES += ("video", "autos")
WPR_GRADES = {"Bad": "0", "Fair": "1", "Good": "2", "Excellent": "3", "Perfect": "4"}
SPLITS = ("test", "dev")


def _task(
    name: str,
    folder: str,
    task_type: TaskType,
    languages: str,
    metric: str,
    main_metric: str,
    data_format: str,
    data: str,
    gold: str | None = None,
    params: dict | None = None,
    hub: dict | None = None,
    **fields,
) -> Task:
    """One XGLUE task: `data` is the test/dev file below `<folder>/` with `{split}` for the split; the scorer reads
    gold from `gold` (default: the data file) and predictions from `<folder>/<lang>.prediction`."""
    hub_source = None
    if hub is not None:
        config, columns, label_values = hub
        hub_source = HubSource(
            "microsoft/xglue",
            config,
            {"test": "test.{lang}", "dev": "validation.{lang}"},
            fields=columns,
            label_values=label_values,
            trust_remote_code=True,
            note="a loading script; datasets >= 4 no longer runs those",
        )
    return Task(
        name=name,
        suite=SUITE,
        type=task_type,
        languages=tuple(languages.split()),
        metric=metric,
        main_metrics=(main_metric,),
        data=(
            DataFiles(
                data_format,
                {split: (f"{folder}/{data.format(split=split, lang='{lang}')}",) for split in SPLITS},
                params=params or {},
            ),
        ),
        hub=hub_source,
        splits=SPLITS,
        releases=(Release(ARCHIVE, extract=True, members=f"xglue_full_dataset/{folder}"),),
        submission=SubmissionFiles(f"{folder}/{{lang}}.prediction", f"{folder}/{gold or data}"),
        homepage="https://microsoft.github.io/XGLUE/",
        **fields,
    )


TSV_PAIR = {"columns": ("text", "text_pair", "label")}
TSV_QUERY = {"columns": ("text", "text_pair", "text_pair", "label")}  # query; title + description/snippet
HUB_PAIR = {"label": "label"}
TAGGING = {"inference": {"max_length": 128}}
PAIRS = {"inference": {"max_length": 128}}
GENERATION = {"inference": {"max_length": 512, "num_beams": 5, "max_new_tokens": 64}}

TASKS = (
    _task(
        "ner", "NER", TaskType.TAGGING, "de en es nl", "xglue-ner", "f1", "xglue-conll", "{lang}.{split}",
        hub=("ner", {"tokens": "words", "tags": "ner"}, {}),
        labels=NER_TAGS, train_data="CoNLL-2003 English train", description="Named entities (CoNLL-02/03, IOB)",
        checkpoint_names=("ner",), **TAGGING,
    ),
    _task(
        "pos", "POS", TaskType.TAGGING, "pl ar ru bg de el en es fr hi it nl pt th tr ur vi zh", "xglue-pos",
        "precision", "xglue-conll", "{lang}.{split}",
        hub=("pos", {"tokens": "words", "tags": "pos"}, {}),
        labels=tuple(UPOS_TAGS), train_data="UD v2.5 English train",
        description="UPOS tagging, scored by seqeval chunk precision as XGLUE's scorer (token accuracy beside it)",
        checkpoint_names=("pos", "udpos"), **TAGGING,
    ),
    _task(
        "nc", "NC", TaskType.CLASSIFICATION, "de en es fr ru", "xglue-accuracy", "accuracy", "xglue-tsv",
        "xglue.nc.{lang}.{split}", params=TSV_PAIR,
        hub=("nc", {"text": "news_title", "text_pair": "news_body", "label": "news_category"}, {}),
        labels=NC_CATEGORIES, train_data="NC English train (100K news)", inference={"max_length": 256},
        description="News classification (title, body) into 10 categories",
    ),
    _task(
        "mlqa", "MLQA", TaskType.EXTRACTIVE_QA, "ar de en es hi vi zh", "mlqa", "f1", "squad-json",
        "MLQA_V1/{split}/{split}-context-{lang}-question-{lang}.json",
        train_data="SQuAD v1.1 train", inference=QA_INFERENCE, checkpoint_names=("mlqa", "squad"),
        description="Extractive QA, context and question in the same language; F1 only, as XGLUE scores it",
    ),
    _task(
        "xnli", "XNLI", TaskType.CLASSIFICATION, "ar bg de el en es fr hi ru sw th tr ur vi zh", "xglue-accuracy",
        "accuracy", "xglue-tsv", "{lang}.{split}", params=TSV_PAIR,
        hub=("xnli", HUB_PAIR | {"text": "premise", "text_pair": "hypothesis"}, {"contradiction": "contradictory"}),
        labels=("entailment", "neutral", "contradictory"), label_aliases={"contradiction": "contradictory"},
        train_data="MNLI train", description="NLI; labels as in XGLUE's files (contradictory)", **PAIRS,
    ),
    _task(
        "pawsx", "PAWSX", TaskType.CLASSIFICATION, "de en es fr", "xglue-accuracy", "accuracy", "xglue-tsv",
        "{lang}/{split}_2k.tsv", params={"columns": ("", "text", "text_pair", "label"), "header": True},
        hub=("paws-x", HUB_PAIR | {"text": "sentence1", "text_pair": "sentence2"}, {"different": "0", "same": "1"}),
        labels=("0", "1"), label_aliases={"different": "0", "same": "1"}, train_data="PAWS-X English train",
        description="Paraphrase identification; 4 languages in XGLUE", **PAIRS,
    ),
    _task(
        "qadsm", "QADSM", TaskType.CLASSIFICATION, "de en fr", "xglue-accuracy", "accuracy", "xglue-tsv",
        "xglue.qadsm.{lang}.{split}", params=TSV_QUERY, labels=("Bad", "Good"), train_data="QADSM English train",
        description="Query-ad matching: query vs ad title + description, Good/Bad", **PAIRS,
    ),
    _task(
        "wpr", "WPR", TaskType.RELEVANCE, "de en es fr it pt zh", "ndcg", "ndcg", "xglue-tsv",
        "xglue.wpr.{lang}.{split}", params={**TSV_QUERY, "query_groups": True},
        labels=tuple(WPR_GRADES.values()), label_aliases=WPR_GRADES, train_data="WPR English train",
        description="Web page ranking: relevance 0-4 of (query, title + snippet), nDCG per query", **PAIRS,
    ),
    _task(
        "qam", "QAM", TaskType.CLASSIFICATION, "de en fr", "xglue-accuracy", "accuracy", "xglue-tsv",
        "xglue.qam.{lang}.{split}", params=TSV_PAIR,
        hub=("qam", HUB_PAIR | {"text": "question", "text_pair": "answer"}, {"False": "0", "True": "1"}),
        labels=("0", "1"), label_aliases={"False": "0", "True": "1"}, train_data="QAM English train",
        description="QA matching: is the passage an answer to the question (0/1)", **PAIRS,
    ),
    _task(
        "qg", "QG", TaskType.GENERATION, "de en es fr it pt", "bleu", "bleu", "xglue-seq2seq",
        "xglue.qg.{lang}.src.{split}", gold="xglue.qg.{lang}.tgt.{split}",
        hub=("qg", {"source": "answer_passage", "target": "question"}, {}),
        train_data="QG English train (passage -> question)", description="Question generation from a passage",
        **GENERATION,
    ),
    _task(
        "ntg", "NTG", TaskType.GENERATION, "de en es fr ru", "bleu", "bleu", "xglue-seq2seq",
        "xglue.ntg.{lang}.src.{split}", gold="xglue.ntg.{lang}.tgt.{split}",
        hub=("ntg", {"source": "news_body", "target": "news_title"}, {}),
        train_data="NTG English train (news body -> title)", description="News title generation", **GENERATION,
    ),
)  # fmt: skip
TASKS = tuple(replace(task, license="XGLUE terms of use (accepted on the XGLUE site)") for task in TASKS)

UNDERSTANDING = ("ner", "pos", "nc", "mlqa", "xnli", "pawsx", "qadsm", "wpr", "qam")
XGLUE = Suite(
    name=SUITE,
    description="XGLUE (Liang et al., 2020): 11 tasks, 19 languages; score = understanding (9 NLU tasks)",
    tasks=(*UNDERSTANDING, "qg", "ntg"),
    categories={"understanding": UNDERSTANDING, "generation": ("qg", "ntg")},
    score="understanding",
    homepage="https://microsoft.github.io/XGLUE/",
)


@hookimpl
def xlt_register_suites(register: Callable[[Suite], None]) -> None:
    register(XGLUE)


@hookimpl
def xlt_register_tasks(register: Callable[[Task], None]) -> None:
    for task in TASKS:
        register(task)
