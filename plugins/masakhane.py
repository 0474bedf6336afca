"""The Masakhane suite: MasakhaNER 2.0 and AfriQA, zero-shot from English (Masakhane uses ISO 639-3 codes).

- `masakhaner2` (20 languages): NER from an English checkpoint, scored on PER/ORG/LOC with DATE mapped to O in
  gold and predictions (English sources have no DATE type: the usual English-source protocol, pitfall M1);
  `masakhaner2-all-types` (optional, not in the suite score) scores all four types and needs a checkpoint that
  predicts DATE. seqeval micro F1. Licence **CC BY-NC 4.0** (non-commercial).
- `afriqa` (9 languages with gold passages): "AfriQA-GoldP" extractive QA with the question in the African
  language and the passage and answer in the pivot language (English; French for fon), EM/F1 after AfriQA's answer
  normalisation (unidecode, then the SQuAD rules; needs `pip install 'xlt-bench[afriqa]'`). The official
  gold-passage training script scores with HF `squad_v2` (no unidecode); the two differ only on non-ASCII answers.
  An English-trained reader on French passages (fon) is a harder condition than the paper's FQuAD reader (M6).

Data: the release files of both repositories at pinned commits, with their sha256 and sizes
(`masakhane_releases.py`); `eval` without `--data-dir` downloads what the cache lacks. The Hub's
`masakhane/masakhaner2` is a loading script, which `datasets` >= 4 cannot run; its parquet conversion
(`refs/convert/parquet`) is not used: the only commit ids of it that could be found predate the last changes of the
release files (fon's dev and test replaced on 2023-07-27, luo added and hau's dev edited on 2023-07-31).
"""

from __future__ import annotations

from collections.abc import Callable

from xlt_bench.hookspecs import hookimpl
from xlt_bench.plugins import masakhane_releases as releases
from xlt_bench.plugins.xtreme import QA_INFERENCE
from xlt_bench.tasks import DataFiles, Suite, Task, TaskType

SUITE = "masakhane"
NER_LANGUAGES = tuple("bam bbj ewe fon hau ibo kin lug luo mos nya pcm sna swa tsn twi wol xho yor zul".split())
AFRIQA_PIVOTS = {lang: "en" for lang in "bem hau ibo kin swa twi yor zul".split()} | {"fon": "fr"}
THREE_TYPES = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
DATE_TAGS = ("B-DATE", "I-DATE")  # in every MasakhaNER 2.0 file; `masakhaner2` scores them as O
NER_DATA = DataFiles(
    "masakhaner",
    {"test": ("MasakhaNER2.0/data/{lang}/test.txt",), "dev": ("MasakhaNER2.0/data/{lang}/dev.txt",)},
)


def _ner(*, name: str, labels: tuple[str, ...], types: tuple[str, ...] | None, description: str) -> Task:
    """A MasakhaNER 2.0 task; gold DATE tags are expected data even where `labels` leave them out (mapped to O)."""
    return Task(
        name=name,
        suite=SUITE,
        type=TaskType.TAGGING,
        languages=NER_LANGUAGES,
        metric="seqeval",
        main_metrics=("f1",),
        labels=labels,
        gold_labels=tuple(tag for tag in DATE_TAGS if tag not in labels),
        metric_params={"types": types} if types else {},
        data=(NER_DATA,),
        releases=releases.MASAKHANER2,
        splits=("test", "dev"),
        train_language="en",
        train_data="English NER without MISC (CoNLL-03 as in MasakhaNER2.0/transfer_corpus/en, or PAN-X en)",
        checkpoint_names=("masakhaner2", "ner", "panx"),
        inference={"max_length": 128},
        description=description,
        license="CC BY-NC 4.0 (non-commercial)",
        homepage="https://github.com/masakhane-io/masakhane-ner",
    )


TASKS = (
    _ner(
        name="masakhaner2",
        labels=THREE_TYPES,
        types=("PER", "ORG", "LOC"),
        description="MasakhaNER 2.0 NER scored on PER/ORG/LOC (DATE -> O)",
    ),
    _ner(
        name="masakhaner2-all-types",
        labels=THREE_TYPES + DATE_TAGS,
        types=None,
        description="MasakhaNER 2.0 NER scored on all four types (needs a checkpoint that predicts DATE)",
    ),
    Task(
        name="afriqa",
        suite=SUITE,
        type=TaskType.EXTRACTIVE_QA,
        languages=tuple(AFRIQA_PIVOTS),
        metric="afriqa",
        main_metrics=("exact_match", "f1"),
        data=(
            DataFiles(
                "afriqa-gold-passages",
                {split: (f"gold_span_passages.afriqa.{{lang}}.{{code}}.{split}.json",) for split in ("test", "dev")},
                language_codes=AFRIQA_PIVOTS,  # {code} = the passage language: exactly the released file, no copies
            ),
        ),
        releases=releases.AFRIQA,
        train_data="SQuAD v1.1 train (English); fon passages are French",
        checkpoint_names=("afriqa", "squad"),
        inference=QA_INFERENCE,
        description="AfriQA gold-passage QA: African-language question, English/French passage and answer",
        license="CC BY 4.0",
        homepage="https://github.com/masakhane-io/afriqa",
    ),
)

MASAKHANE = Suite(
    name=SUITE,
    description="Masakhane: MasakhaNER 2.0 (20 languages) and AfriQA (9), zero-shot from English",
    tasks=("masakhaner2", "afriqa"),
    optional=("masakhaner2-all-types",),
    score="task_mean",
    homepage="https://www.masakhane.io",
)


@hookimpl
def xlt_register_suites(register: Callable[[Suite], None]) -> None:
    register(MASAKHANE)


@hookimpl
def xlt_register_tasks(register: Callable[[Task], None]) -> None:
    for task in TASKS:
        register(task)
