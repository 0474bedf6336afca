"""The Python half of `benchmarks/gpu_check.sh`: an XLM-R-large-shaped workload built locally, and its speed table.

`prepare FOLDER` writes, with no download:
- a SentencePiece (Unigram) tokenizer trained on generated sentences (`xlt_bench.testing.tiny_tokenizer`); the model's
  vocabulary is the tokenizer's (a few thousand pieces, not XLM-R's 250,002, which only widens the embedding table:
  the harness refuses a tokenizer far smaller than the model's vocabulary);
- two checkpoints of XLM-R large's shape (24 layers, hidden 1024, 16 heads, FFN 4096, 514 positions) with random
  weights, saved in float32: a PAN-X tagger (`ForTokenClassification`, which also serves Tatoeba as an encoder)
  and an extractive-QA model (`ForQuestionAnswering`), and `manifest.yaml` naming them per task;
- German test data in the releases' own formats under `data/`: PAN-X sentences, XQuAD paragraphs with questions
  and Tatoeba pairs.
`--tiny` builds 2 layers of width 32 and a few dozen examples instead: the CPU dry run CI keeps alive.

`report RUN...` prints, per run folder and task, examples/s, sequences/s (forward-pass rows: QA windows, both
Tatoeba sides) and tokens/s (padding excluded) from what `eval` recorded, with the batch size `--batch-size auto`
found and its out-of-memory back-offs. Timings are a unit's wall time: tokenization, the passes and scoring.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from xlt_bench.plugins.xtreme import PANX_TAGS, TATOEBA_CODES
from xlt_bench.text_tables import render_table

LANGUAGE = "de"
TASKS = ("panx", "xquad", "tatoeba")
KIND = {"panx": "tagging", "xquad": "QA", "tatoeba": "retrieval"}
XLMR_LARGE = {"layers": 24, "hidden": 1024, "heads": 16}
TINY = {"layers": 2, "hidden": 32, "heads": 2}


@dataclass(frozen=True)
class Workload:
    """How much data `prepare` writes: PAN-X sentences, XQuAD paragraphs (3 questions each), Tatoeba pairs."""

    sentences: int
    paragraphs: int
    pairs: int


FULL_DATA = Workload(sentences=4000, paragraphs=400, pairs=2000)
TINY_DATA = Workload(sentences=24, paragraphs=4, pairs=16)


def _words(rng: random.Random, count: int) -> list[str]:
    syllables = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"]
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(count)]


def _sentence(rng: random.Random, words: list[str], low: int, high: int) -> list[str]:
    return [rng.choice(words) for _ in range(rng.randint(low, high))]


def write_data(root: Path, workload: Workload, seed: int = 0) -> list[str]:
    """German PAN-X, XQuAD and Tatoeba test files below `root`; returns every sentence written (for the tokenizer)."""
    rng = random.Random(seed)
    words = _words(rng, 3000)
    text: list[str] = []
    panx = []
    for _ in range(workload.sentences):
        tokens = _sentence(rng, words, 8, 40)
        text.append(" ".join(tokens))
        panx.append("".join(f"{LANGUAGE}:{token}\t{rng.choice(PANX_TAGS)}\n" for token in tokens) + "\n")
    articles = []
    for p in range(workload.paragraphs):
        context = " ".join(" ".join(_sentence(rng, words, 10, 25)) + "." for _ in range(12))  # ~250 words: 2 windows
        text.append(context)
        qas = []
        for q in range(3):
            answer = rng.choice(context.split())
            question = " ".join(_sentence(rng, words, 5, 12)) + "?"
            text.append(question)
            answers = [{"text": answer, "answer_start": context.index(answer)}]
            qas.append({"id": f"{p}-{q}", "question": question, "answers": answers})
        articles.append({"title": f"p{p}", "paragraphs": [{"context": context, "qas": qas}]})
    pairs = [
        (" ".join(_sentence(rng, words, 4, 30)), " ".join(_sentence(rng, words, 4, 30))) for _ in range(workload.pairs)
    ]
    text += [sentence for pair in pairs for sentence in pair]
    code = TATOEBA_CODES[LANGUAGE]
    files = {
        f"panx_dataset/{LANGUAGE}-test": "".join(panx),
        f"xquad/xquad.{LANGUAGE}.json": json.dumps({"data": articles, "version": "1.1"}),
        f"tatoeba/tatoeba.{code}-eng.{code}": "".join(f"{source}\n" for source, _ in pairs),
        f"tatoeba/tatoeba.{code}-eng.eng": "".join(f"{english}\n" for _, english in pairs),
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return text


def build_checkpoints(folder: Path, text: list[str], shape: dict[str, int], vocab_size: int) -> Path:
    """The tagger and the QA model of `shape`, random weights in float32, and the manifest naming them per task."""
    import torch
    import transformers

    from xlt_bench.testing import tiny_tokenizer

    tokenizer = tiny_tokenizer(text, vocab_size=vocab_size)
    shared = dict(
        vocab_size=len(tokenizer),
        hidden_size=shape["hidden"],
        num_hidden_layers=shape["layers"],
        num_attention_heads=shape["heads"],
        intermediate_size=4 * shape["hidden"],
        max_position_embeddings=514,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    tags = dict(id2label=dict(enumerate(PANX_TAGS)), label2id={tag: i for i, tag in enumerate(PANX_TAGS)})
    models = {  # the QA head takes no labels: its two outputs are the start and end logits
        "tagger": (transformers.XLMRobertaForTokenClassification, transformers.XLMRobertaConfig(**shared, **tags)),
        "qa": (transformers.XLMRobertaForQuestionAnswering, transformers.XLMRobertaConfig(**shared)),
    }
    device = "cuda" if torch.cuda.is_available() else "cpu"  # random initialisation of 300M parameters: fast there
    torch.manual_seed(0)
    for name, (head, config) in models.items():
        with torch.device(device):
            model = head(config)
        model.save_pretrained(folder / name)
        tokenizer.save_pretrained(folder / name)
        del model
    manifest = folder / "manifest.yaml"
    manifest.write_text("panx: tagger\ntatoeba: tagger\nxquad: qa\n", encoding="utf-8")
    return manifest


def prepare(folder: Path, tiny: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = write_data(folder / "data", TINY_DATA if tiny else FULL_DATA)
    manifest = build_checkpoints(folder, text, TINY if tiny else XLMR_LARGE, 200 if tiny else 4000)
    print(f"gpu_check: model manifest {manifest}, data {folder / 'data'}")


def rows(run: Path) -> list[list[str]]:
    """One table row per (task, language) result in the run folder `run`."""
    table = []
    results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    for path in sorted((run / "fragments").glob("*/*.json")):
        fragment = json.loads(path.read_text(encoding="utf-8"))
        batching = fragment["details"].get("batching", {})
        seconds = fragment["seconds"] or float("nan")
        table.append(
            [
                run.name,
                f"{KIND.get(fragment['task'], fragment['task'])} ({fragment['task']})",
                str(fragment["dtype"]),
                str(results["config"].get("batch_size")),
                str(fragment["batch_size"]),
                str(len(batching.get("out_of_memory", []))),
                str(fragment["n_examples"]),
                f"{seconds:.2f}",
                f"{fragment['n_examples'] / seconds:,.0f}",
                f"{batching.get('sequences', 0) / seconds:,.0f}",
                f"{batching.get('tokens', 0) / seconds:,.0f}",
            ]
        )
    return table


def report(runs: list[Path]) -> None:
    header = ["run", "task", "dtype", "asked", "batch", "OOM", "examples", "seconds", "ex/s", "seq/s", "tokens/s"]
    print(render_table(header, [row for run in runs for row in rows(run)]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("prepare", help="write the checkpoints, manifest and data to FOLDER")
    build.add_argument("folder", type=Path)
    build.add_argument("--tiny", action="store_true", help="2 layers of width 32 and a few examples (CPU dry run)")
    table = commands.add_parser("report", help="print the speed table of eval run folders")
    table.add_argument("runs", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.folder, args.tiny)
    else:
        report(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
