"""The XTREME suite (Hu et al., 2020): nine tasks, scored as google-research/xtreme `evaluate.py` does.

Language lists are the scorer's `TASK2LANGS` (version "xtreme"). Task score = mean over languages (English
included where listed) of the main metric; QA tasks use (EM + F1) / 2; the XTREME score is the mean of the nine
task scores, not of the four categories. Registered through the `xlt_bench` entry point like any plugin.

Data sources (`eval` without `--data-dir` reads them from the cache, downloading what is missing; `prefetch` fetches
them ahead): every task but PAN-X reads its official release files (`xtreme_releases.py`: URLs, sizes and sha256).
PAN-X has no public release a program can download (the original is a manual Amazon Cloud Drive link), so it is read
from the Hub's `google/xtreme` at commit ec5f1f46e9af79639a90684a7a70a956c4998f04 ("Convert dataset to Parquet
(#9)", Feb 2024: parquet `PAN-X.<lang>/{validation,test,train}-00000-of-00001.parquet`, card `configs:` per
language, `ner_tags` ClassLabel O, B-PER, I-PER, B-ORG, I-ORG, B-LOC, I-LOC). Its sizes are those the former loader
recorded for the Rahimi et al. splits of WikiANN (huggingface/datasets `datasets/xtreme/dataset_infos.json` at
d7dfbc83d6), e.g. en 10,000/10,000/20,000, sw 1,000/1,000/1,000, yo 100/100/100. The Hub copies of the other tasks
are not used: PAWS-X there lost rows to CSV quoting (es dev 1,961 of 2,000), UD-POS keeps syntactic words instead
of XTREME's fused surface tokens and picks treebanks by a name substring, BUCC holds only the gold pairs (no
distractors, so no mining), and the rest are copies of the same releases.
"""

from __future__ import annotations

from collections.abc import Callable

from xlt_bench.hookspecs import hookimpl
from xlt_bench.plugins import xtreme_releases as releases
from xlt_bench.tasks import DataFiles, HubSource, Suite, Task, TaskType

SUITE = "xtreme"

UPOS_TAGS = "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()
PANX_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
TATOEBA_CODES = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell", "es": "spa", "et": "est",
    "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra", "he": "heb", "hi": "hin", "hu": "hun", "id": "ind",
    "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat", "kk": "kaz", "ko": "kor", "ml": "mal", "mr": "mar",
    "nl": "nld", "pt": "por", "ru": "rus", "sw": "swh", "ta": "tam", "te": "tel", "th": "tha", "tl": "tgl",
    "tr": "tur", "ur": "urd", "vi": "vie", "zh": "cmn",
}  # fmt: skip
TYDIQA_NAMES = {
    "ar": "arabic", "bn": "bengali", "en": "english", "fi": "finnish", "id": "indonesian", "ko": "korean",
    "ru": "russian", "sw": "swahili", "te": "telugu",
}  # fmt: skip


RETRIEVAL_INFERENCE = {"layer": "auto", "pooling": "mean", "max_length": 512, "index": "flat"}
# (--num_layers, --specific_layer) per model type, as XTREME's scripts ran run_retrieval.py@9e562ff (mean pooling,
# whatever run_bucc2018.sh's --pool_type said: that flag took effect only at 287a7b7, 2021-10-07)
BUCC_XTREME_LAYER = {"*": (12, 7)}  # run_bucc2018.sh sets NLAYER=24 for XLM-R but never passes it
TATOEBA_XTREME_LAYER = {"*": (12, 7), "xlm-roberta": (24, 13)}  # run_tatoeba.sh
QA_INFERENCE = {"max_length": 384, "doc_stride": 128, "max_query_length": 64, "max_answer_length": 30, "n_best": 20}


XTREME_HUB = "google/xtreme"
XTREME_HUB_COMMIT = "ec5f1f46e9af79639a90684a7a70a956c4998f04"  # "Convert dataset to Parquet (#9)", the last commit


def _languages(codes: str) -> tuple[str, ...]:
    return tuple(codes.split(","))


def ud_layout(release: str, languages: tuple[str, ...] = ()) -> DataFiles:
    """UD test/dev files of one release folder (`ud-treebanks-v2.5/UD_German-GSD/de_gsd-ud-test.conllu`), else
    outside every release folder (treebank folders copied on their own): a file of another UD release, whose
    annotation differs, is never read in place of the expected one (that language is skipped, naming the folder)."""
    split_files = {"test": "{lang}_*-ud-test.conllu", "dev": "{lang}_*-ud-dev.conllu"}
    patterns = {split: (f"{release}/*/{name}", f"!ud-treebanks-v*/{name}") for split, name in split_files.items()}
    return DataFiles("ud-conllu", patterns, languages=languages)


def _processed(task: str, data_format: str) -> DataFiles:
    """XTREME's own `download/<task>/{test,dev}-<lang>.tsv` layout."""
    return DataFiles(data_format, {"test": (f"{task}/test-{{lang}}.tsv",), "dev": (f"{task}/dev-{{lang}}.tsv",)})


TASKS = (
    Task(
        name="xnli",
        suite=SUITE,
        type=TaskType.CLASSIFICATION,
        languages=_languages("ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh"),
        metric="accuracy",
        main_metrics=("accuracy",),
        labels=("entailment", "neutral", "contradiction"),
        label_aliases={"contradictory": "contradiction"},
        data=(
            DataFiles("xnli-tsv", {"test": ("xnli.test.tsv",), "dev": ("xnli.dev.tsv",)}),
            _processed("xnli", "xtreme-pairs-tsv"),
        ),
        splits=("test", "dev"),
        train_data="MNLI train (English, 392,702 pairs)",
        inference={"max_length": 128},
        releases=releases.XNLI,
        description="Natural language inference (premise, hypothesis) -> entailment/neutral/contradiction",
        license="CC BY-NC 4.0",
        homepage="https://github.com/facebookresearch/XNLI",
    ),
    Task(
        name="pawsx",
        suite=SUITE,
        type=TaskType.CLASSIFICATION,
        languages=_languages("de,en,es,fr,ja,ko,zh"),
        metric="accuracy",
        main_metrics=("accuracy",),
        labels=("0", "1"),
        label_aliases={"not_paraphrase": "0", "paraphrase": "1"},
        data=(
            DataFiles("pawsx-tsv", {"test": ("{lang}/test_2k.tsv",), "dev": ("{lang}/dev_2k.tsv",)}),
            _processed("pawsx", "xtreme-pairs-tsv"),
        ),
        splits=("test", "dev"),
        train_data="PAWS train (English, 49,401 pairs)",
        inference={"max_length": 128},
        releases=releases.PAWSX,
        description="Paraphrase identification: is sentence2 a paraphrase of sentence1 (1) or not (0)",
        homepage="https://github.com/google-research-datasets/paws/tree/master/pawsx",
    ),
    Task(
        name="udpos",
        suite=SUITE,
        type=TaskType.TAGGING,
        languages=_languages(
            "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,tl,tr,ur,vi,yo,zh"
        ),
        metric="seqeval",
        main_metrics=("f1",),
        labels=UPOS_TAGS,
        data=(ud_layout("ud-treebanks-v2.5"), _processed("udpos", "xtreme-tags-tsv")),
        splits=("test", "dev"),
        train_data="UD v2.5 English-EWT train (21,253 sentences)",
        inference={"max_length": 128},
        releases=releases.UDPOS,
        description="Universal POS tagging of UD v2.5 (all treebanks of a language merged), seqeval chunk F1",
        license="per treebank (mostly CC BY-SA)",
        homepage="https://universaldependencies.org",
    ),
    Task(
        name="panx",
        suite=SUITE,
        type=TaskType.TAGGING,
        languages=_languages(
            "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,yo,my,"
            "zh,kk,tr,et,fi,hu"
        ),
        metric="seqeval",
        main_metrics=("f1",),
        labels=PANX_TAGS,
        data=(
            DataFiles("panx-raw", {"test": ("{lang}-test", "{lang}/test"), "dev": ("{lang}-dev", "{lang}/dev")}),
            _processed("panx", "xtreme-tags-tsv"),
        ),
        hub=HubSource(
            path=XTREME_HUB,
            config="PAN-X.{lang}",
            splits={"test": "test", "dev": "validation"},
            fields={"tokens": "tokens", "tags": "ner_tags"},
            revision=XTREME_HUB_COMMIT,
        ),
        splits=("test", "dev"),
        train_data="PAN-X English train (20,000 sentences)",
        inference={"max_length": 128},
        description="Named entities (PER/ORG/LOC, BIO) in WikiANN with the Rahimi et al. splits",
        homepage="https://github.com/afshinrahimi/mmner",
    ),
    Task(
        name="xquad",
        suite=SUITE,
        type=TaskType.EXTRACTIVE_QA,
        languages=_languages("en,es,de,el,ru,tr,ar,vi,th,zh,hi"),
        metric="squad",
        main_metrics=("exact_match", "f1"),
        data=(DataFiles("squad-json", {"test": ("xquad.{lang}.json",)}),),
        train_data="SQuAD v1.1 train (English, 87,599 questions)",
        inference=QA_INFERENCE,
        checkpoint_names=("xquad", "squad"),
        releases=releases.XQUAD,
        description="Extractive QA on SQuAD paragraphs translated into 10 languages (whole file = test)",
        license="CC BY-SA 4.0",
        homepage="https://github.com/google-deepmind/xquad",
    ),
    Task(
        name="mlqa",
        suite=SUITE,
        type=TaskType.EXTRACTIVE_QA,
        languages=_languages("en,es,de,ar,hi,vi,zh"),
        metric="mlqa",
        main_metrics=("exact_match", "f1"),
        data=(
            DataFiles(
                "squad-json",
                {
                    "test": ("test-context-{lang}-question-{lang}.json",),
                    "dev": ("dev-context-{lang}-question-{lang}.json",),
                },
            ),
        ),
        splits=("test", "dev"),
        train_data="SQuAD v1.1 train (English, 87,599 questions)",
        inference=QA_INFERENCE,
        checkpoint_names=("mlqa", "squad"),
        releases=releases.MLQA,
        description="Extractive QA, same-language context/question pairs only, MLQA language-aware scoring",
        license="CC BY-SA 3.0",
        homepage="https://github.com/facebookresearch/MLQA",
    ),
    Task(
        name="tydiqa",
        suite=SUITE,
        type=TaskType.EXTRACTIVE_QA,
        languages=_languages("en,ar,bn,fi,id,ko,ru,sw,te"),
        metric="squad",
        main_metrics=("exact_match", "f1"),
        data=(
            DataFiles("squad-json", {"test": ("tydiqa-goldp-dev-{code}.json",)}, language_codes=TYDIQA_NAMES),
            DataFiles("squad-json", {"test": ("tydiqa.{lang}.dev.json",)}),
            DataFiles(
                "squad-json",
                {"test": ("tydiqa-goldp-v1.1-dev.json",)},
                params={"id_prefix": "{code}-"},
                language_codes=TYDIQA_NAMES,
            ),
        ),
        train_data="TyDiQA-GoldP v1.1 English train only (3,696 questions)",
        inference=QA_INFERENCE,
        checkpoint_names=("tydiqa", "squad"),
        releases=releases.TYDIQA,
        description="TyDiQA gold-passage QA; the official GoldP dev set, split by language, is the test set",
        license="Apache-2.0",
        homepage="https://github.com/google-research-datasets/tydiqa",
    ),
    Task(
        name="bucc2018",
        suite=SUITE,
        type=TaskType.BITEXT_MINING,
        languages=_languages("de,fr,ru,zh"),
        metric="bucc",
        main_metrics=("f1",),
        data=(
            DataFiles(
                "bucc2018",
                {"test": ("bucc2018-{lang}-en.training.{lang}",), "dev": ("bucc2018-{lang}-en.sample.{lang}",)},
            ),
        ),
        splits=("test", "dev"),
        train_data="none (sentence embeddings straight from the encoder)",
        inference={
            **RETRIEVAL_INFERENCE,
            "k": 4,
            "margin": "ratio",
            "threshold_from": "dev",
            "xtreme_layer": BUCC_XTREME_LAYER,
        },
        checkpoint_names=("bucc2018", "retrieval"),
        releases=releases.BUCC2018,
        description="Parallel sentence mining from comparable corpora (xx-en), F1 over mined id pairs",
        homepage="https://comparable.limsi.fr/bucc2018/",
    ),
    Task(
        name="tatoeba",
        suite=SUITE,
        type=TaskType.BITEXT_RETRIEVAL,
        languages=_languages(
            "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,zh,kk,tr,et,fi,hu"
        ),
        metric="accuracy",
        main_metrics=("accuracy",),
        data=(DataFiles("tatoeba-laser", {"test": ("tatoeba.{code}-eng.{code}",)}, language_codes=TATOEBA_CODES),),
        train_data="none (sentence embeddings straight from the encoder)",
        inference={**RETRIEVAL_INFERENCE, "xtreme_layer": TATOEBA_XTREME_LAYER},
        checkpoint_names=("tatoeba", "retrieval"),
        releases=releases.TATOEBA,
        description="Sentence retrieval: English query -> nearest xx sentence (cosine), top-1 accuracy",
        license="CC BY 2.0 FR",
        homepage="https://github.com/facebookresearch/LASER/tree/main/data/tatoeba/v1",
    ),
)

XTREME = Suite(
    name=SUITE,
    description="XTREME (Hu et al., 2020): 9 tasks, 40 languages, zero-shot transfer from English",
    tasks=tuple(task.name for task in TASKS),
    categories={
        "classification": ("pawsx", "xnli"),
        "structured_prediction": ("udpos", "panx"),
        "qa": ("xquad", "mlqa", "tydiqa"),
        "retrieval": ("bucc2018", "tatoeba"),
    },
    score="task_mean",
    homepage="https://sites.research.google/xtreme",
)


@hookimpl
def xlt_register_suites(register: Callable[[Suite], None]) -> None:
    register(XTREME)


@hookimpl
def xlt_register_tasks(register: Callable[[Task], None]) -> None:
    for task in TASKS:
        register(task)
