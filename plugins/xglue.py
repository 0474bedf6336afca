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
`--label`.

Data: the one official archive, `xglue_full_dataset.tar.gz` (875,905,871 bytes, sha256
e11016c02d8565d00119833a16679bbbe0fec437f5ad53c2d3f9eef6fa03f65b, as huggingface/datasets recorded it in
`datasets/xglue/dataset_infos.json` at d7dfbc83d6). Its former address, the blob URL below, answers HTTP 409 since
microsoft/XGLUE commit e417c4c5 (2023-06-15) moved the "XGLUE Data with Test" link of the leaderboard page to a
OneDrive share, shown only after accepting the terms of use on https://microsoft.github.io/XGLUE/: no program can
fetch it, so `prefetch` says how to get it by hand and takes it with `--from FILE`, verified by size and sha256.
The Hub's `microsoft/xglue` is a loading script, which `datasets` >= 4 cannot run, and has no parquet conversion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from xlt_bench.hookspecs import hookimpl
from xlt_bench.plugins.xtreme import QA_INFERENCE, UPOS_TAGS
from xlt_bench.tasks import DataFiles, Release, SubmissionFiles, Suite, Task, TaskType

SUITE = "xglue"
ARCHIVE_RELEASE = Release(
    url="https://xglue.blob.core.windows.net/xglue/xglue_full_dataset.tar.gz",
    sha256="e11016c02d8565d00119833a16679bbbe0fec437f5ad53c2d3f9eef6fa03f65b",
    size=875905871,
    extract=True,
    manual="accept the terms at https://microsoft.github.io/XGLUE/ and download 'XGLUE Data with Test' (a OneDrive "
    "link) by hand",
)
NER_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")
NC_CATEGORIES = ("foodanddrink", "sports", "travel", "finance", "lifestyle", "news", "entertainment", "health")
NC_CATEGORIES += ("video", "autos")
WPR_GRADES = {"Bad": "0", "Fair": "1", "Good": "2", "Excellent": "3", "Perfect": "4"}
SPLITS = ("test", "dev")


LICENSE = "XGLUE terms of use (accepted on the XGLUE site)"


def _task(
    *,
    folder: str,
    languages: str,
    main_metric: str,
    data_format: str,
    data: str,
    gold: str | None = None,
    params: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Task:
    """One XGLUE task: `data` is the test/dev file below `<folder>/` with `{split}` for the split; the scorer reads
    gold from `gold` (default: the data file) and predictions from `<folder>/<lang>.prediction`. `fields` are the
    `Task`'s own (name, type, metric, hub, inference, ...)."""
    return Task(
        suite=SUITE,
        languages=tuple(languages.split()),
        main_metrics=(main_metric,),
        data=(
            DataFiles(
                data_format,
                {split: (f"{folder}/{data.format(split=split, lang='{lang}')}",) for split in SPLITS},
                params=params or {},
            ),
        ),
        splits=SPLITS,
        releases=(replace(ARCHIVE_RELEASE, members=f"xglue_full_dataset/{folder}"),),
        submission=SubmissionFiles(f"{folder}/{{lang}}.prediction", f"{folder}/{gold or data}"),
        license=LICENSE,
        homepage="https://microsoft.github.io/XGLUE/",
        **fields,
    )


TSV_PAIR = {"columns": ("text", "text_pair", "label")}
TSV_QUERY = {"columns": ("text", "text_pair", "text_pair", "label")}  # query; title + description/snippet
GENERATION_INFERENCE = {"max_length": 512, "num_beams": 5, "max_new_tokens": 64}

TASKS = (
    _task(
        name="ner",
        folder="NER",
        type=TaskType.TAGGING,
        languages="de en es nl",
        metric="xglue-ner",
        main_metric="f1",
        data_format="xglue-conll",
        data="{lang}.{split}",
        labels=NER_TAGS,
        train_data="CoNLL-2003 English train",
        description="Named entities (CoNLL-02/03, IOB)",
        checkpoint_names=("ner",),
        inference={"max_length": 128},
    ),
    _task(
        name="pos",
        folder="POS",
        type=TaskType.TAGGING,
        languages="pl ar ru bg de el en es fr hi it nl pt th tr ur vi zh",
        metric="xglue-pos",
        main_metric="precision",
        data_format="xglue-conll",
        data="{lang}.{split}",
        labels=tuple(UPOS_TAGS),
        train_data="UD v2.5 English train",
        description="UPOS tagging, scored by seqeval chunk precision as XGLUE's scorer (token accuracy beside it)",
        checkpoint_names=("pos", "udpos"),
        inference={"max_length": 128},
    ),
    _task(
        name="nc",
        folder="NC",
        type=TaskType.CLASSIFICATION,
        languages="de en es fr ru",
        metric="xglue-accuracy",
        main_metric="accuracy",
        data_format="xglue-tsv",
        data="xglue.nc.{lang}.{split}",
        params=TSV_PAIR,
        labels=NC_CATEGORIES,
        train_data="NC English train (100K news)",
        inference={"max_length": 256},
        description="News classification (title, body) into 10 categories",
    ),
    _task(
        name="mlqa",
        folder="MLQA",
        type=TaskType.EXTRACTIVE_QA,
        languages="ar de en es hi vi zh",
        metric="mlqa",
        main_metric="f1",
        data_format="squad-json",
        data="MLQA_V1/{split}/{split}-context-{lang}-question-{lang}.json",
        train_data="SQuAD v1.1 train",
        inference=QA_INFERENCE,
        checkpoint_names=("mlqa", "squad"),
        description="Extractive QA, context and question in the same language; F1 only, as XGLUE scores it",
    ),
    _task(
        name="xnli",
        folder="XNLI",
        type=TaskType.CLASSIFICATION,
        languages="ar bg de el en es fr hi ru sw th tr ur vi zh",
        metric="xglue-accuracy",
        main_metric="accuracy",
        data_format="xglue-tsv",
        data="{lang}.{split}",
        params=TSV_PAIR,
        labels=("entailment", "neutral", "contradictory"),
        label_aliases={"contradiction": "contradictory"},
        train_data="MNLI train",
        description="NLI; labels as in XGLUE's files (contradictory)",
        inference={"max_length": 128},
    ),
    _task(
        name="pawsx",
        folder="PAWSX",
        type=TaskType.CLASSIFICATION,
        languages="de en es fr",
        metric="xglue-accuracy",
        main_metric="accuracy",
        data_format="xglue-tsv",
        data="{lang}/{split}_2k.tsv",
        params={"columns": ("", "text", "text_pair", "label"), "header": True},
        labels=("0", "1"),
        label_aliases={"different": "0", "same": "1"},
        train_data="PAWS-X English train",
        description="Paraphrase identification; 4 languages in XGLUE",
        inference={"max_length": 128},
    ),
    _task(
        name="qadsm",
        folder="QADSM",
        type=TaskType.CLASSIFICATION,
        languages="de en fr",
        metric="xglue-accuracy",
        main_metric="accuracy",
        data_format="xglue-tsv",
        data="xglue.qadsm.{lang}.{split}",
        params=TSV_QUERY,
        labels=("Bad", "Good"),
        train_data="QADSM English train",
        description="Query-ad matching: query vs ad title + description, Good/Bad",
        inference={"max_length": 128},
    ),
    _task(
        name="wpr",
        folder="WPR",
        type=TaskType.RELEVANCE,
        languages="de en es fr it pt zh",
        metric="ndcg",
        main_metric="ndcg",
        data_format="xglue-tsv",
        data="xglue.wpr.{lang}.{split}",
        params={**TSV_QUERY, "query_groups": True},
        labels=tuple(WPR_GRADES.values()),
        label_aliases=WPR_GRADES,
        train_data="WPR English train",
        description="Web page ranking: relevance 0-4 of (query, title + snippet), nDCG per query",
        inference={"max_length": 128},
    ),
    _task(
        name="qam",
        folder="QAM",
        type=TaskType.CLASSIFICATION,
        languages="de en fr",
        metric="xglue-accuracy",
        main_metric="accuracy",
        data_format="xglue-tsv",
        data="xglue.qam.{lang}.{split}",
        params=TSV_PAIR,
        labels=("0", "1"),
        label_aliases={"False": "0", "True": "1"},
        train_data="QAM English train",
        description="QA matching: is the passage an answer to the question (0/1)",
        inference={"max_length": 128},
    ),
    _task(
        name="qg",
        folder="QG",
        type=TaskType.GENERATION,
        languages="de en es fr it pt",
        metric="bleu",
        main_metric="bleu",
        data_format="xglue-seq2seq",
        data="xglue.qg.{lang}.src.{split}",
        gold="xglue.qg.{lang}.tgt.{split}",
        train_data="QG English train (passage -> question)",
        description="Question generation from a passage",
        inference=GENERATION_INFERENCE,
    ),
    _task(
        name="ntg",
        folder="NTG",
        type=TaskType.GENERATION,
        languages="de en es fr ru",
        metric="bleu",
        main_metric="bleu",
        data_format="xglue-seq2seq",
        data="xglue.ntg.{lang}.src.{split}",
        gold="xglue.ntg.{lang}.tgt.{split}",
        train_data="NTG English train (news body -> title)",
        description="News title generation",
        inference=GENERATION_INFERENCE,
    ),
)

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
