"""Does the harness cost more than a careful hand-written loop? `xlt-bench eval` vs the same model by hand.

For Tatoeba-style retrieval, UD-POS tagging and XQuAD extractive QA, on real sentences from `--data-dir` (the
samples in `../shared/data`) and one locally built XLM-R-shaped model per task (random weights, `tiny_checkpoint`:
4 layers, hidden 256; `--quick`: 2 layers, hidden 32), three ways of getting the predictions are timed:

- harness: `xlt-bench eval` end to end (data resolution and loading, checkpoint checks and hashing, inference,
  scoring, writing the run folder), called in-process through `xlt_bench.cli.main`, as the command line runs it;
  interpreter start and imports (paid by any loop) are not counted. A new run folder and `--cache-dir` every run,
  so nothing is resumed and Tatoeba's embeddings are computed, never read back; the `datasets` Arrow cache is warm.
- hand loop: the same model and inputs (read beforehand into memory, so data parsing counts against the harness
  only): tokenise once, sort by length, pad each batch to its longest member, `torch.inference_mode`, the same batch
  size; faiss exact search for retrieval. QA uses the runner's XTREME windowing and span rules (`qa_features`,
  `best_answers`) around a hand-written batch loop, so its answers are comparable.
- fixed pad: the hand loop in the original order, every input padded to a fixed length as XTREME's scripts do
  (128 for tagging and retrieval, the 384-token window for QA), for reference.

Modes alternate within every run (the order flips from run to run) after one untimed warm-up; the table shows
medians and the ratio hand loop / harness (goal: >= 0.95), and checks that harness and hand loop predict the same.
Usage: `python benchmarks/throughput.py [--runs 3] [--quick] [--data-dir ../shared/data] [--batch-size 32]`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SPLIT = "test"


@dataclass(frozen=True)
class Workload:
    """One task of the benchmark: which languages, how many examples each, the fixed padding XTREME used."""

    task: str
    head: str
    languages: tuple[str, ...]
    fixed_length: int


FULL = (
    Workload("tatoeba", "encoder", ("ar", "de", "es", "fr", "hi", "ja", "sw", "zh"), 128),
    Workload("udpos", "token-classification", ("ar", "de", "en", "fr", "hi", "ja", "zh"), 128),
    Workload("xquad", "question-answering", ("de", "en"), 384),
)
QUICK = tuple(Workload(w.task, w.head, w.languages[:1], w.fixed_length) for w in FULL)


@dataclass
class Inputs:
    """The examples of one task, per language, as the harness's readers yield them (`--limit` applied)."""

    workload: Workload
    examples: dict[str, list[dict]]

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.examples.values())


def read_inputs(workload: Workload, data_dir: Path, limit: int | None) -> Inputs:
    """Resolve and read each language with the registry's own data format, without `datasets` or timing."""
    from xlt_bench.data.loading import SKIP_COLUMN
    from xlt_bench.registry import load_registry

    registry = load_registry()
    task = registry.task(f"xtreme/{workload.task}")
    examples = {}
    for language in workload.languages:
        source = registry.resolve_data(task, language, SPLIT, data_dir)
        rows = registry.data_format(source).read(source, language, SPLIT, **source.params)
        usable = [row for row in rows if not row.get(SKIP_COLUMN)]
        examples[language] = usable[:limit]
    return Inputs(workload, examples)


def build_checkpoints(folder: Path, data_dir: Path, quick: bool) -> dict[str, Path]:
    """One checkpoint per task sharing a tokenizer trained on the data's own sentences."""
    from xlt_bench.registry import load_registry
    from xlt_bench.testing import tiny_checkpoint, tiny_tokenizer

    sentences = []
    for path in sorted((data_dir / "tatoeba" / "v1").glob("tatoeba.*")):
        sentences += path.read_text(encoding="utf-8").splitlines()[: 100 if quick else 1000]
    tokenizer = tiny_tokenizer(sentences, vocab_size=1000 if quick else 8000)
    size = {"layers": 2, "hidden": 32} if quick else {"layers": 4, "hidden": 256}
    registry = load_registry()
    checkpoints = {}
    for workload in FULL:
        labels = registry.task(f"xtreme/{workload.task}").labels or None
        path = folder / workload.task
        checkpoints[workload.task] = tiny_checkpoint(
            path, head=workload.head, labels=labels, tokenizer=tokenizer, **size
        )
    return checkpoints


# -- the harness ---------------------------------------------------------------------------------------------------


def harness_run(inputs: Inputs, checkpoint: Path, args: argparse.Namespace) -> dict[str, Any]:
    """`xlt-bench eval` for one task in-process, into a new run folder with a new cache (nothing to resume, no
    embedding read back); its predictions (from the samples logs) and results.json."""
    from xlt_bench.cli import main

    task, languages = inputs.workload.task, inputs.workload.languages
    with tempfile.TemporaryDirectory(prefix="xlt-bench-eval-") as scratch:
        output, cache = Path(scratch) / "run", Path(scratch) / "cache"
        argv = ["eval", "--suite", "xtreme", "--tasks", task, "--languages", ",".join(languages)]
        argv += ["--model", str(checkpoint), "--data-dir", str(args.data_dir), "--output", str(output)]
        argv += ["--batch-size", str(args.batch_size), "--device", "cpu", "--cache-dir", str(cache), "--offline"]
        argv += ["--limit", str(args.limit)] if args.limit else []
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as errors:
            code = main(argv)
        if code != 0:
            raise SystemExit(f"xlt-bench {' '.join(argv)} failed ({code}): {errors.getvalue().strip()}")
        results = json.loads((output / "results.json").read_text(encoding="utf-8"))
        predictions = {}
        for language in languages:
            samples = output / "samples" / task / f"{SPLIT}-{language}.jsonl"
            for line in samples.read_text(encoding="utf-8").splitlines():
                sample = json.loads(line)
                predictions[(language, str(sample["id"]))] = sample["prediction"]
    return {"predictions": predictions, "results": results}


# -- the hand-written loop -----------------------------------------------------------------------------------------


@dataclass
class Predictions:
    """A hand loop's predictions, keyed (language, example id) as the harness's samples logs, and the number of
    tokens it fed the model (special tokens included; QA: every window; padding not counted)."""

    by_example: dict[tuple[str, str], Any]
    tokens: int


def forward_batches(
    model: Any,
    features: list[list[int]],
    pad_id: int,
    batch_size: int,
    fixed_length: int | None,
    select: Callable[[Any, Any], Any],
) -> list[Any]:
    """`select(outputs, attention_mask)` rows for every id list, in input order. Dynamic: longest first, each batch
    padded to its longest member; fixed: input order, every row padded to `fixed_length`."""
    import torch

    order = list(range(len(features)))
    if fixed_length is None:
        order.sort(key=lambda i: -len(features[i]))
    rows: list[Any] = [None] * len(features)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            width = fixed_length or max(len(features[i]) for i in batch)
            ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                ids[row, : len(features[i])] = torch.tensor(features[i])
                mask[row, : len(features[i])] = 1
            kept = select(model(input_ids=ids, attention_mask=mask), mask)
            for row, i in enumerate(batch):
                rows[i] = kept[row]
    return rows


def hand_tatoeba(inputs: Inputs, checkpoint: Path, batch_size: int, fixed_length: int | None) -> Predictions:
    """English queries -> nearest foreign sentence by cosine of mean-pooled hidden states (faiss exact search)."""
    import faiss
    import torch
    from transformers import AutoModel, AutoTokenizer

    from xlt_bench.embeddings import xtreme_layer
    from xlt_bench.plugins.xtreme import TATOEBA_XTREME_LAYER

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModel.from_pretrained(checkpoint).eval()
    # the task's default under --procedure xtreme: XTREME's layer rule, round(7/12 x layers) where it cannot apply
    rule = xtreme_layer(TATOEBA_XTREME_LAYER, model.config.model_type, model.config.num_hidden_layers)
    layer = round(7 * model.config.num_hidden_layers / 12) if rule == "auto" else rule

    def pool(outputs: Any, mask: Any) -> Any:
        hidden, weights = outputs.hidden_states[layer], mask.unsqueeze(-1).float()
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1)

    tokens = 0

    def embed(texts: list[str]) -> Any:
        nonlocal tokens
        ids = tokenizer(texts, truncation=True, max_length=fixed_length or 512)["input_ids"]
        tokens += sum(map(len, ids))
        rows = forward_batches(
            lambda **batch: model(**batch, output_hidden_states=True),
            ids,
            tokenizer.pad_token_id,
            batch_size,
            fixed_length,
            pool,
        )
        return torch.nn.functional.normalize(torch.stack(rows), dim=1).numpy()

    predictions = {}
    for language, rows in inputs.examples.items():
        foreign, english = [r["text"].strip() for r in rows], [r["text_pair"].strip() for r in rows]
        index = faiss.IndexFlatIP(model.config.hidden_size)
        index.add(embed(foreign))
        _, nearest = index.search(embed(english), 1)
        for query in sorted(range(len(english)), key=lambda i: english[i]):  # XTREME's sorted English order
            predictions[(language, str(query))] = str(int(nearest[query, 0]))
    return Predictions(predictions, tokens)


def hand_udpos(inputs: Inputs, checkpoint: Path, batch_size: int, fixed_length: int | None) -> Predictions:
    """A tag per word at its first sub-token; sentences longer than 128 tokens split at word boundaries."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForTokenClassification.from_pretrained(checkpoint).eval()
    # XTREME's framing: <s> ... </s></s> for RoBERTa-type models, 3 positions reserved for XLM-R's tokenizer
    suffix = [tokenizer.sep_token_id] * (2 if model.config.model_type in ("roberta", "xlm-roberta") else 1)
    reserved = max(3 if type(tokenizer).__name__.startswith("XLMRobertaTokenizer") else 2, 1 + len(suffix))
    budget = (fixed_length or inputs.workload.fixed_length) - reserved
    features, owners = [], []  # owners: (language, example id, first-sub-token positions)
    for language, rows in inputs.examples.items():
        words = [word for row in rows for word in row["tokens"]]
        pieces = iter(tokenizer(words, add_special_tokens=False)["input_ids"])
        for row in rows:
            ids, starts = [tokenizer.cls_token_id], []
            for word_ids in itertools.islice(pieces, len(row["tokens"])):
                word_ids = word_ids if 0 < len(word_ids) <= budget else [tokenizer.unk_token_id]
                if starts and len(ids) - 1 + len(word_ids) > budget:
                    features.append([*ids, *suffix])
                    owners.append((language, row["id"], starts))
                    ids, starts = [tokenizer.cls_token_id], []
                starts.append(len(ids))
                ids += word_ids
            features.append([*ids, *suffix])
            owners.append((language, row["id"], starts))
    logits = forward_batches(
        model, features, tokenizer.pad_token_id, batch_size, fixed_length, lambda outputs, _: outputs.logits
    )
    predictions: dict[tuple[str, str], list[str]] = {}
    for (language, example, starts), rows in zip(owners, logits):
        tags = [model.config.id2label[i] for i in rows[starts].argmax(dim=-1).tolist()]
        predictions.setdefault((language, str(example)), []).extend(tags)
    return Predictions(predictions, sum(map(len, features)))


def hand_xquad(inputs: Inputs, checkpoint: Path, batch_size: int, fixed_length: int | None) -> Predictions:
    """Best answer span per question, with XTREME's windows and span rules (the runner's `qa_features` and
    `best_answers`) around the hand-written batch loop."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    from xlt_bench.registry import load_registry
    from xlt_bench.runners.extractive_qa import best_answers, qa_features

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForQuestionAnswering.from_pretrained(checkpoint).eval()
    registry = load_registry()
    settings = registry.runner(registry.task("xtreme/xquad")).inference_for()  # with the default procedure
    predictions, tokens = {}, 0
    for language, rows in inputs.examples.items():
        contexts = [row["context"] for row in rows]
        features = qa_features(tokenizer, [row["question"] for row in rows], contexts, settings)
        tokens += sum(len(feature["input_ids"]) for feature in features)
        logits = forward_batches(  # every window is max_length long: the procedure ranks the padding's logits too
            model,
            [feature["input_ids"][: sum(feature["attention_mask"])] for feature in features],
            tokenizer.pad_token_id,
            batch_size,
            settings["max_length"],
            lambda outputs, _: torch.stack([outputs.start_logits, outputs.end_logits], dim=-1),
        )
        for row, answer in zip(rows, best_answers(features, logits, contexts, settings, tokenizer)):
            predictions[(language, str(row["id"]))] = answer
    return Predictions(predictions, tokens)


HAND_LOOPS = {"tatoeba": hand_tatoeba, "udpos": hand_udpos, "xquad": hand_xquad}


# -- the measurement -----------------------------------------------------------------------------------------------


def agreement(harness: dict, hand: dict) -> float:
    """Share of examples where harness and hand loop predict exactly the same."""
    keys = set(harness) | set(hand)
    return sum(harness.get(key) == hand.get(key) for key in keys) / max(len(keys), 1)


def measure(inputs: Inputs, checkpoint: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Median seconds of the three modes over `args.runs` alternated runs, after one untimed warm-up."""
    task, fixed = inputs.workload.task, inputs.workload.fixed_length
    hand = HAND_LOOPS[task]
    modes: dict[str, Callable[[], Any]] = {
        "harness": lambda: harness_run(inputs, checkpoint, args),
        "hand": lambda: hand(inputs, checkpoint, args.batch_size, None),
        "fixed": lambda: hand(inputs, checkpoint, args.batch_size, fixed),
    }
    outputs = {name: run() for name, run in modes.items()}  # warm-up: kernels, Arrow cache, page cache
    seconds: dict[str, list[float]] = {name: [] for name in modes}
    for number in range(args.runs):
        for name in list(modes)[:: 1 if number % 2 == 0 else -1]:
            start = time.perf_counter()
            outputs[name] = modes[name]()
            seconds[name].append(time.perf_counter() - start)
    harness = outputs["harness"]
    recorded = harness["results"]["tasks"][task]["seconds"]
    return {
        "seconds": {name: statistics.median(values) for name, values in seconds.items()},
        "tokens": outputs["hand"].tokens,
        "results_seconds": sum(recorded.values()),
        "agree": agreement(harness["predictions"], outputs["hand"].by_example),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per mode (median shown); default 3")
    parser.add_argument("--quick", action="store_true", help="tiny model, one language, 8 examples (a smoke test)")
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    args.limit = 8 if args.quick else None
    workloads = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="xlt-bench-throughput-") as work:
        folder = Path(work)
        os.environ["HF_DATASETS_CACHE"] = str(folder / "hf-datasets")  # before `datasets` is imported
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        checkpoints = build_checkpoints(folder / "checkpoints", args.data_dir, args.quick)
        print(
            f"model: {'2 layers, hidden 32' if args.quick else '4 layers, hidden 256'} (random weights), "
            f"batch size {args.batch_size}, {args.runs} run(s) per mode, median seconds; harness = xlt_bench.cli.main "
            "in-process"
        )
        header = (
            f"{'task':<8} {'languages':>9} {'examples':>8} {'tokens':>8} {'harness s':>9} {'hand s':>7} "
            f"{'fixed s':>8} {'pad':>4} {'hand/harness':>12} {'results.json s':>14} {'same predictions':>16}"
        )
        print(header)
        for workload in workloads:
            inputs = read_inputs(workload, args.data_dir, args.limit)
            checkpoint = checkpoints[workload.task]
            found = measure(inputs, checkpoint, args)
            s = found["seconds"]
            print(
                f"{workload.task:<8} {len(workload.languages):>9} {inputs.count:>8} "
                f"{found['tokens']:>8} {s['harness']:>9.2f} {s['hand']:>7.2f} {s['fixed']:>8.2f} "
                f"{workload.fixed_length:>4} {s['hand'] / s['harness']:>12.2f} {found['results_seconds']:>14.2f} "
                f"{found['agree']:>16.1%}"
            )


if __name__ == "__main__":
    main()
