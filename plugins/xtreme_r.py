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

Data sources: as XTREME's (`plugins/xtreme.py`), plus releases pinned to commits of their GitHub repositories
(`xtreme_r_releases.py`) for XCOPA, LAReQA, UD v2.7, XQuAD ro and the five new Tatoeba languages. PAN-X's eight new
languages (qu pl uk az lt pa gu ro) have no `google/xtreme` config and no release; they are read from the same
Rahimi et al. splits of WikiANN in `unimelb-nlp/wikiann`, at commit f89f2fe2694613baf6bb62e7393290846127adbf of its
parquet conversion branch `refs/convert/parquet` (`<lang>/<split>/0000.parquet`). The two copies are the same data
where both exist: both loaders read the one archive `wikiann/1.1.0/panx_dataset.zip` (234,008,884 bytes, sha256
164814b64f749ad000988b5ab45050b5116913b3db466ab173008955ddf649a4), with the same seven tags in the same order (O,
B-PER, I-PER, B-ORG, I-ORG, B-LOC, I-LOC), and the validation/test/train sizes they recorded are identical for all
40 XTREME languages (huggingface/datasets `datasets/{xtreme,wikiann}/dataset_infos.json` at d7dfbc83d6; en
10,000/10,000/20,000, jv 100/100/100, ...). The new languages: qu 100/100/100, pl 10,000/10,000/20,000, uk
10,000/10,000/20,000, az 1,000/1,000/10,000, lt 10,000/10,000/10,000, pa 100/100/100, gu 100/100/100, ro
10,000/10,000/20,000. Mewsli-X has no automatic source: its article text is not redistributed
(`MEWSLIX_TASK.manual_data`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from xlt_bench.hookspecs import hookimpl
from xlt_bench.plugins import xtreme
from xlt_bench.plugins import xtreme_r_releases as releases
from xlt_bench.tasks import DataFiles, HubSource, Suite, Task, TaskType

SUITE = "xtreme-r"
XTREME = {task.name: task for task in xtreme.TASKS}
TATOEBA_CODES = {**xtreme.TATOEBA_CODES, "az": "aze", "lt": "lit", "pl": "pol", "uk": "ukr", "ro": "ron"}
# XTREME-R fine-tunes dual encoders for LAReQA and Mewsli-X and embeds with the last layer's [CLS] vector
RANKING_INFERENCE = {"layer": -1, "pooling": "cls", "index": "flat"}
NEW_UD = ("lt", "pl", "uk", "wo", "ro")  # read from UD v2.7, the others from v2.5, as XTREME-R's download script
MEWSLIX_LANGUAGES = "ar,de,en,es,fa,ja,pl,ro,ta,tr,uk"
# PAN-X languages XTREME-R adds, which google/xtreme has no config for: the same Rahimi et al. splits of WikiANN from
# unimelb-nlp/wikiann (module docstring)
PANX_WIKIANN = ("qu", "pl", "uk", "az", "lt", "pa", "gu", "ro")
WIKIANN_COMMIT = "f89f2fe2694613baf6bb62e7393290846127adbf"  # refs/convert/parquet, "Delete old duckdb index files"
PANX_WIKIANN_HUB = HubSource(
    path="unimelb-nlp/wikiann",
    config="{lang}",
    data_dir="{lang}",  # the conversion branch: <lang>/{validation,test,train}/0000.parquet, no card
    splits={"test": "test", "dev": "validation"},
    fields={"tokens": "tokens", "tags": "ner_tags"},
    revision=WIKIANN_COMMIT,
    languages=PANX_WIKIANN,
)


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
    releases=releases.LAREQA,
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
    description="Multilingual entity linking: WikiNews mentions against 1,003,893 Wikidata entity descriptions",
    manual_data="Mewsli-X article text is not redistributed: build the files with get-mewsli-x.sh (google-research "
    "dense_representations_for_entity_retrieval/mel/mewsli-x.md)",
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
        releases=releases.XCOPA,
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
        releases=(
            *(replace(release, languages=XTREME["udpos"].languages) for release in XTREME["udpos"].releases),
            replace(releases.UD_27, languages=NEW_UD),
        ),
        description="Universal POS tagging (UD v2.5; v2.7 for lt pl uk wo ro), seqeval chunk F1",
    ),
    _extended(
        "panx",
        ",".join(PANX_WIKIANN),
        hub=(replace(XTREME["panx"].hub[0], languages=XTREME["panx"].languages), PANX_WIKIANN_HUB),
    ),
    _extended(
        "xquad",
        "ro",
        releases=XTREME["xquad"].releases + releases.XQUAD_RO,
    ),
    replace(XTREME["mlqa"], suite=SUITE),
    replace(XTREME["tydiqa"], suite=SUITE),
    _extended(
        "tatoeba",
        "az,lt,pl,uk,ro",
        data=(DataFiles("tatoeba-laser", {"test": ("tatoeba.{code}-eng.{code}",)}, language_codes=TATOEBA_CODES),),
        releases=XTREME["tatoeba"].releases + releases.TATOEBA,
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
