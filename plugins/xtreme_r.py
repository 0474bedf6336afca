"""The XTREME-R suite (Ruder et al., 2021): ten tasks, 50 languages, four categories.

Compared with XTREME: PAWS-X and BUCC are dropped; XCOPA (multiple choice), Mewsli-X and LAReQA (ranking
retrieval, mAP@20) are added; UD-POS, WikiANN, XQuAD and Tatoeba gain languages (the official `evaluate.py`
lists). Tasks shared with XTREME are XTREME's declarations with the XTREME-R language lists, so data reading and
scoring cannot drift apart.

Aggregation: the paper's XTREME-R score is the mean of the four category scores (it reproduces the published
mBERT 54.1 and XLM-R 65.3). The repository's `evaluate.py --xtreme_version xtreme-r` has no overall score to offer:
its LAReQA language list is empty, so without a `lareqa/` folder it never prints `all_task` and with one it raises
KeyError (its retrieval group omits LAReQA too). Both aggregates are reported (`aggregates`: `category_mean` is the
suite score, `task_mean` the flat mean of the ten task scores).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from xlt_bench.hookspecs import hookimpl
from xlt_bench.plugins import xtreme
from xlt_bench.tasks import DataFiles, Release, Suite, Task, TaskType

SUITE = "xtreme-r"
XTREME = {task.name: task for task in xtreme.TASKS}
TATOEBA_CODES = {**xtreme.TATOEBA_CODES, "az": "aze", "lt": "lit", "pl": "pol", "uk": "ukr", "ro": "ron"}
UD_NAMES = {**xtreme.UD_NAMES, "lt": "Lithuanian", "pl": "Polish", "uk": "Ukrainian", "wo": "Wolof", "ro": "Romanian"}
# XTREME-R fine-tunes dual encoders for LAReQA and Mewsli-X and embeds with the last layer's [CLS] vector
RANKING_INFERENCE = {"layer": -1, "pooling": "cls", "index": "flat"}
NEW_UD = ("lt", "pl", "uk", "wo", "ro")  # read from UD v2.7, the others from v2.5, as XTREME-R's download script
LASER = "https://github.com/facebookresearch/LASER/raw/main/data/tatoeba/v1"
XQUAD_R = "ar,de,el,en,es,hi,ru,th,tr,vi,zh".split(",")
XCOPA = "https://raw.githubusercontent.com/cambridgeltl/xcopa/master/data"
LAREQA = "https://raw.githubusercontent.com/google-research-datasets/lareqa/master/xquad-r"
MEWSLIX_LANGUAGES = "ar,de,en,es,fa,ja,pl,ro,ta,tr,uk"
UD_27 = "https://lindat.mff.cuni.cz/repository/xmlui/bitstream/handle/11234/1-3424/ud-treebanks-v2.7.tgz"


def _extended(name: str, extra: str, **changes) -> Task:
    """An XTREME task with XTREME-R's additional languages (and any other differences) under this suite."""
    task = XTREME[name]
    return replace(task, suite=SUITE, languages=task.languages + tuple(extra.split(",")), **changes)


LAREQA_TASK = Task(
    name="lareqa",
    suite=SUITE,
    type=TaskType.RANKING,
    languages=xtreme._languages("ar,de,el,en,es,hi,ru,th,tr,vi,zh"),
    metric="map@20",
    main_metrics=("map@20",),
    # every language's questions are ranked against the joint pool of exactly these 11 files (a stray copy beside
    # them would change every language's score), so each file serves them all
    data=(DataFiles("lareqa-xquad-r", {"test": ("xquad-r/{every_lang}.json",)}),),
    releases=tuple(Release(f"{LAREQA}/{lang}.json", path=f"xquad-r/{lang}.json") for lang in XQUAD_R),
    train_data="SQuAD v1.1 train as question/answer-sentence pairs, dual encoder (XTREME-R's train_lareqa.sh)",
    inference={**RANKING_INFERENCE, "query_max_length": 96, "candidate_max_length": 256, "similarity": "dot"},
    checkpoint_names=("lareqa", "retrieval"),
    description="Language-agnostic answer retrieval: each XQuAD-R question against 13,014 sentences in 11 languages",
    license="CC BY-SA 4.0",
    homepage="https://github.com/google-research-datasets/lareqa",
)
MEWSLIX_TASK = Task(
    name="mewslix",
    suite=SUITE,
    type=TaskType.RANKING,
    languages=xtreme._languages(MEWSLIX_LANGUAGES),
    metric="mrr@20",
    main_metrics=("mrr@20",),
    data=(DataFiles("mewslix", {"test": ("wikinews_mentions-test.jsonl",), "dev": ("wikinews_mentions-dev.jsonl",)}),),
    splits=("test", "dev"),
    train_data="English Wikipedia mention-entity pairs (wikipedia_pairs-train.jsonl, 167,719 mentions)",
    inference={**RANKING_INFERENCE, "query_max_length": 64, "candidate_max_length": 64, "similarity": "cosine"},
    checkpoint_names=("mewslix", "retrieval"),
    description="Multilingual entity linking: WikiNews mentions against 1,003,893 Wikidata entity descriptions. "
    "Article text is not redistributed: build the files with mewsli-x.md's get-mewsli-x.sh and pass --data-dir",
    license="CC BY 3.0 (WikiNews) / CC BY-SA 3.0 (Wikipedia)",
    homepage="https://github.com/google-research/google-research/blob/master/dense_representations_for_entity_retrieval/mel/mewsli-x.md",
)

TASKS = (
    replace(XTREME["xnli"], suite=SUITE),
    Task(
        name="xcopa",
        suite=SUITE,
        type=TaskType.MULTIPLE_CHOICE,
        languages=xtreme._languages("et,ht,id,it,qu,sw,ta,th,tr,vi,zh"),
        metric="choice-accuracy",  # submission files xcopa/test-<lang>.jsonl, one {"label": <chosen index>} a line
        main_metrics=("accuracy",),
        data=(DataFiles("xcopa-jsonl", {"test": ("test.{lang}.jsonl",), "dev": ("val.{lang}.jsonl",)}),),
        releases=tuple(
            Release(f"{XCOPA}/{lang}/{split}.{lang}.jsonl", languages=(lang,))
            for lang in "et,ht,id,it,qu,sw,ta,th,tr,vi,zh".split(",")
            for split in ("test", "val")
        ),
        splits=("test", "dev"),
        train_data="SIQA train, then English COPA train (as XTREME-R's train_xcopa.sh)",
        inference={"max_length": 128},
        description="Causal commonsense reasoning: pick the more plausible cause/effect of a premise (2 choices)",
        license="CC BY 4.0",
        homepage="https://github.com/cambridgeltl/xcopa",
    ),
    _extended(
        "udpos",
        ",".join(NEW_UD),
        data=(
            xtreme.ud_layout("ud-treebanks-v2.7", NEW_UD),
            xtreme.ud_layout("ud-treebanks-v2.5", XTREME["udpos"].languages),
            *XTREME["udpos"].data[1:],
        ),
        hub=replace(XTREME["udpos"].hub, language_codes=UD_NAMES),
        releases=XTREME["udpos"].releases + (Release(UD_27, languages=NEW_UD, extract=True),),
        description="Universal POS tagging (UD v2.5; v2.7 for lt pl uk wo ro), seqeval chunk F1",
    ),
    _extended("panx", "qu,pl,uk,az,lt,pa,gu,ro"),
    _extended(
        "xquad",
        "ro",
        releases=XTREME["xquad"].releases
        + (Release("https://raw.githubusercontent.com/google-deepmind/xquad/master/xquad.ro.json", languages=("ro",)),),
    ),
    replace(XTREME["mlqa"], suite=SUITE),
    replace(XTREME["tydiqa"], suite=SUITE),
    _extended(
        "tatoeba",
        "az,lt,pl,uk,ro",
        data=(DataFiles("tatoeba-laser", {"test": ("tatoeba.{code}-eng.{code}",)}, language_codes=TATOEBA_CODES),),
        hub=replace(XTREME["tatoeba"].hub, language_codes=TATOEBA_CODES),
        releases=XTREME["tatoeba"].releases
        + tuple(
            Release(f"{LASER}/tatoeba.{TATOEBA_CODES[lang]}-eng.{side}", languages=(lang,))
            for lang in ("az", "lt", "pl", "uk", "ro")
            for side in (TATOEBA_CODES[lang], "eng")
        ),
        checkpoint_names=("tatoeba", "retrieval", "squad"),
        description="Sentence retrieval, English query -> nearest xx sentence; XTREME-R embeds with its SQuAD model",
    ),
    MEWSLIX_TASK,
    LAREQA_TASK,
)

XTREME_R = Suite(
    name=SUITE,
    description="XTREME-R (Ruder et al., 2021): 10 tasks, 50 languages; score = mean of the 4 category scores",
    tasks=("xnli", "xcopa", "udpos", "panx", "xquad", "mlqa", "tydiqa", "mewslix", "lareqa", "tatoeba"),
    categories={
        "classification": ("xnli", "xcopa"),
        "structured_prediction": ("udpos", "panx"),
        "qa": ("xquad", "mlqa", "tydiqa"),
        "retrieval": ("mewslix", "lareqa", "tatoeba"),
    },
    score="category_mean",
    homepage="https://sites.research.google/xtremer",
)


@hookimpl
def xlt_register_suites(register: Callable[[Suite], None]) -> None:
    register(XTREME_R)


@hookimpl
def xlt_register_tasks(register: Callable[[Task], None]) -> None:
    for task in TASKS:
        register(task)
