"""Tiny data for every XTREME task and language, written in each release's original on-disk format.

Content is synthetic (the real samples in ../shared/data cover only some tasks and languages); the formats are
the releases' own: XNLI-1.0 TSV, PAWS-X x-final TSVs, UD CoNLL-U (with a multiword token), raw PAN-X files, SQuAD
JSON for XQuAD/MLQA and TyDiQA's combined dev file, BUCC corpora with distractors and LASER Tatoeba pairs.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from xlt_bench.plugins.xtreme import TASKS, TATOEBA_CODES, TYDIQA_NAMES

WORDS = "river house light stone music garden window paper silver market forest bridge".split()
LANGUAGES = {task.name: task.languages for task in TASKS}


def _sentence(rng: random.Random, n: int = 6) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_bucc(root: Path, language: str, rng: random.Random, pairs: int = 8, noise: int = 12) -> None:
    """Parallel sentences hidden among distractors, one repeated sentence, and the gold pairs, per split."""
    for split in ("sample", "training"):
        source, english, gold = [], [], []
        for i in range(pairs):
            sentence = f"{_sentence(rng)} {i}"
            source.append((f"{language}-{split[0]}{i:06d}", sentence))
            english.append((f"en-{split[0]}{i:06d}", sentence))
            gold.append(f"{language}-{split[0]}{i:06d}\ten-{split[0]}{i:06d}")
        source += [(f"{language}-{split[0]}n{i:05d}", _sentence(rng, 8)) for i in range(noise)]
        english += [(f"en-{split[0]}n{i:05d}", _sentence(rng, 8)) for i in range(noise)]
        source.append((f"{language}-{split[0]}dup", source[0][1]))  # a repeated sentence is never scored
        stem = root / "bucc2018" / f"{language}-en" / f"bucc2018-{language}-en.{split}"
        _write(stem.with_name(f"{stem.name}.{language}"), "".join(f"{i}\t{s}\n" for i, s in source))
        _write(stem.with_name(f"{stem.name}.en"), "".join(f"{i}\t{s}\n" for i, s in english))
        _write(stem.with_name(f"{stem.name}.gold"), "".join(f"{g}\n" for g in gold))


def _squad(rng: random.Random, prefix: str, questions: int = 2) -> dict:
    context = " ".join(f"{_sentence(rng)} number{i}." for i in range(4))
    qas = []
    for i in range(questions):
        answer = f"number{i}"
        qas.append(
            {
                "id": f"{prefix}{i}",
                "question": f"which {rng.choice(WORDS)}?",
                "answers": [{"text": answer, "answer_start": context.index(answer)}],
            }
        )
    return {"title": prefix, "paragraphs": [{"context": context, "qas": qas}]}


def write_xtreme_fixtures(root: Path, seed: int = 0) -> Path:
    """Write every task's test data (and BUCC's dev split) for every XTREME language below `root`."""
    rng = random.Random(seed)
    header = "language\tgold_label\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t"
    header += "sentence2_parse\tsentence1\tsentence2\tpromptID\tpairID\tgenre\n"
    rows = [
        f"{lang}\t{label}\t_\t_\t_\t_\t{_sentence(rng)}\t{_sentence(rng)}\t1\t1\tfiction\n"
        for lang in LANGUAGES["xnli"]
        for label in ("entailment", "neutral", "contradiction")
    ]
    _write(root / "XNLI-1.0" / "xnli.test.tsv", header + "".join(rows))
    for lang in LANGUAGES["pawsx"]:
        rows = "".join(f"{i}\t{_sentence(rng)}\t{_sentence(rng)}\t{i % 2}\n" for i in range(3))
        _write(root / "x-final" / lang / "test_2k.tsv", "id\tsentence1\tsentence2\tlabel\n" + rows)
    for lang in LANGUAGES["udpos"]:
        conllu = (
            "# sent_id = 1\n1-2\tzum\t_\t_\t_\t_\t_\t_\t_\t_\n1\tzu\tzu\tADP\t_\t_\t3\tcase\t_\t_\n"
            "2\tdem\tder\tDET\t_\t_\t3\tdet\t_\t_\n3\tHaus\tHaus\tNOUN\t_\t_\t0\troot\t_\t_\n\n"
            "# sent_id = 2\n1\tDie\tder\tDET\t_\t_\t2\tdet\t_\t_\n2\tKatze\tKatze\tNOUN\t_\t_\t3\tnsubj\t_\t_\n"
            "3\tschläft\tschlafen\tVERB\t_\t_\t0\troot\t_\t_\n4\t.\t.\tPUNCT\t_\t_\t3\tpunct\t_\t_\n\n"
        )
        _write(root / "ud-treebanks-v2.5" / f"UD_{lang}-Fix" / f"{lang}_fix-ud-test.conllu", conllu)
    for lang in LANGUAGES["panx"]:
        text = f"{lang}:Anna\tB-PER\n{lang}:lives\tO\n{lang}:in\tO\n{lang}:New\tB-LOC\n{lang}:York\tI-LOC\n\n"
        text += f"{lang}:Siemens\tB-ORG\n{lang}:grows\tO\n\n"
        _write(root / "panx_dataset" / f"{lang}-test", text)
    for lang in LANGUAGES["xquad"]:
        squad = {"data": [_squad(rng, f"xq-{lang}-")], "version": "1.1"}
        _write(root / "xquad" / f"xquad.{lang}.json", json.dumps(squad))
    for lang in LANGUAGES["mlqa"]:
        name = f"test-context-{lang}-question-{lang}.json"
        _write(root / "MLQA_V1" / "test" / name, json.dumps({"data": [_squad(rng, f"ml-{lang}-")], "version": "1.0"}))
    articles = [_squad(rng, f"{TYDIQA_NAMES[lang]}-") for lang in LANGUAGES["tydiqa"]]
    _write(root / "tydiqa-goldp-v1.1-dev.json", json.dumps({"data": articles, "version": "1.1"}))
    for lang in LANGUAGES["bucc2018"]:
        write_bucc(root, lang, rng)
    for lang in LANGUAGES["tatoeba"]:
        code = TATOEBA_CODES[lang]
        english = [f"{_sentence(rng)} {i}" for i in range(5)]
        _write(root / "tatoeba" / f"tatoeba.{code}-eng.{code}", "".join(f"{s} {lang}\n" for s in english))
        _write(root / "tatoeba" / f"tatoeba.{code}-eng.eng", "".join(f"{s}\n" for s in english))
    return root
