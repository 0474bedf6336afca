"""`xlt-bench demo`: the whole workflow offline, in about a minute on two CPU cores, with tiny models built on the spot.

1. Base: a SentencePiece tokenizer and a 2-layer XLM-R-style encoder, pre-trained with masked language modelling
   on the packaged XQuAD paragraphs in six languages (parallel text: en, de, es, ar, zh, hi).
2. Direct: base -> English UD-POS tagger. Intermediate: base -> English extractive QA on XQuAD-en (the role SQuAD
   plays in Phang et al. 2020) -> English UD-POS tagger with the same recipe.
3. `eval` of both on UD-POS (English and six other languages) and on Tatoeba (six languages), where the encoders
   themselves are compared: the base vs the QA-trained one, as X-STILTs evaluates retrieval.
4. The leaderboard: Markdown printed, HTML and JSON written next to the runs.

Every figure comes from running these models; they are tiny and trained on a few hundred examples, so the numbers
are far below real checkpoints. The packaged data (`xlt_bench/demo_data`, licences in its NOTICE) are prefixes
of real benchmark files. Every phase reports progress on stderr (a bar per training run and per evaluated language),
so a slow or loaded machine never sits silent; torch computes with `--threads` threads (`cpu_threads`).
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.files import atomic_file, confined, read_json, write_atomic

UPOS = "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()
UD_LANGUAGES = ("en", "de", "fr", "zh", "ar", "hi", "ja")
TATOEBA_LANGUAGES = ("de", "fr", "es", "zh", "ar", "hi")
MODEL = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128}
VOCABULARY = 4000
CHUNK = 64  # tokens per masked-LM example, <s> and </s> included
BATCH = 16


def unpack_data(target: Path) -> Path:
    """The packaged demo data, decompressed into `target` in the releases' own file names and formats."""
    root = resources.files("xlt_bench") / "demo_data"
    for entry in _walk(root):
        relative = Path(str(entry)).relative_to(Path(str(root)))
        if relative.suffix != ".gz":
            continue
        destination = target / relative.with_suffix("")
        with atomic_file(destination, binary=True) as out:
            out.write(gzip.decompress(entry.read_bytes()))
    return target


def _walk(folder: Any) -> list[Any]:
    found = []
    for entry in folder.iterdir():
        found += _walk(entry) if entry.is_dir() else [entry]
    return found


def _paragraphs(data: Path) -> list[str]:
    texts = []
    for path in sorted((data / "xquad").glob("xquad.*.json")):
        for article in read_json(path)["data"]:
            texts += [paragraph["context"].strip() for paragraph in article["paragraphs"]]
    return texts


def _batches(items: list, size: int, rng: random.Random) -> list[list]:
    items = list(items)
    rng.shuffle(items)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _train(
    model: Any,
    batches: list[dict[str, Any]],
    learning_rate: float,
    description: str,
    progress: bool,
    loss: Callable[[dict[str, Any]], Any] | None = None,
) -> None:
    """Plain AdamW over prepared batches (dicts of tensors including labels), a progress bar per step on stderr;
    `loss` of a batch defaults to the model's own."""
    import torch
    from tqdm.auto import tqdm

    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    model.train()
    for batch in tqdm(batches, desc=description, unit="step", disable=not progress, leave=False):
        (loss(batch) if loss else model(**batch).loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
    model.eval()


def pretrain_base(folder: Path, texts: list[str], steps: int, seed: int, progress: bool) -> None:
    """Tokenizer + masked-LM pre-training of the tiny base encoder (15% masking, 80/10/10)."""
    import torch
    import transformers

    from xlt_bench.testing import tiny_tokenizer

    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer(texts, vocab_size=VOCABULARY)
    config = transformers.XLMRobertaConfig(
        vocab_size=len(tokenizer), max_position_embeddings=514, pad_token_id=tokenizer.pad_token_id, **MODEL
    )
    model = transformers.XLMRobertaForMaskedLM(config)
    ids = [token for text in texts for token in tokenizer(text, add_special_tokens=False)["input_ids"]]
    length = CHUNK - 2
    frame = (tokenizer.bos_token_id, tokenizer.eos_token_id)
    chunks = [[frame[0], *ids[i : i + length], frame[1]] for i in range(0, len(ids) - length, length)]
    rng = random.Random(seed)
    batches = []
    while len(batches) < steps:
        for group in _batches(chunks, BATCH, rng):
            inputs = torch.tensor(group)
            labels = inputs.clone()
            chosen = torch.rand(inputs.shape) < 0.15
            chosen[:, 0] = chosen[:, -1] = False
            labels[~chosen] = -100
            roll = torch.rand(inputs.shape)
            inputs[chosen & (roll < 0.8)] = tokenizer.mask_token_id
            random_tokens = chosen & (roll >= 0.8) & (roll < 0.9)
            inputs[random_tokens] = torch.randint(5, len(tokenizer), (int(random_tokens.sum()),))
            batches.append({"input_ids": inputs, "labels": labels})
            if len(batches) == steps:
                break

    def masked_lm_loss(batch: dict[str, Any]) -> Any:
        """The model's own loss, but the vocabulary projection only where a token was masked (3x faster)."""
        hidden = model.roberta(input_ids=batch["input_ids"]).last_hidden_state
        chosen = batch["labels"] != -100
        return torch.nn.functional.cross_entropy(model.lm_head(hidden[chosen]), batch["labels"][chosen])

    _train(model, batches, 5e-4, "masked LM", progress, masked_lm_loss)
    model.base_model.save_pretrained(folder)  # the encoder only: heads are added per task
    tokenizer.save_pretrained(folder)


def qa_examples(data: Path) -> list[tuple[str, str, int, str]]:
    """The English extractive-QA examples of XQuAD-en in file order: (question, context, answer start, answer)."""
    examples = []
    for article in read_json(data / "xquad" / "xquad.en.json")["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answer = qa["answers"][0]
                examples.append((qa["question"], paragraph["context"], answer["answer_start"], answer["text"]))
    return examples


def train_qa(
    base: Path, folder: Path, data: Path, epochs: int, seed: int, progress: bool, *, examples: int | None = None
) -> None:
    """English extractive QA (XQuAD-en questions, the first `examples` of them; default all) on top of an encoder:
    the intermediate task. Saves the encoder only."""
    import torch
    import transformers

    torch.manual_seed(seed)
    tokenizer = transformers.AutoTokenizer.from_pretrained(base)
    # two outputs (start, end), whatever labels an earlier intermediate tagger left in the encoder's config
    model = transformers.AutoModelForQuestionAnswering.from_pretrained(base, num_labels=2)
    chosen = qa_examples(data)[:examples]
    features = []
    for question, context_text, first, answer in chosen:
        last = first + len(answer)
        encoded = tokenizer(
            question,
            context_text,
            truncation="only_second",
            max_length=256,
            stride=64,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        for window in range(len(encoded["input_ids"])):
            spans = encoded["offset_mapping"][window]
            context = [k for k, s in enumerate(encoded.sequence_ids(window)) if s == 1]
            starts = [k for k in context if spans[k][0] <= first < spans[k][1]]
            ends = [k for k in context if spans[k][0] < last <= spans[k][1]]
            start, end = (starts[0], ends[-1]) if starts and ends else (0, 0)
            features.append((encoded["input_ids"][window], start, end))
    rng = random.Random(seed)
    batches = []
    for _ in range(epochs):
        for group in _batches(features, BATCH, rng):
            padded = tokenizer.pad({"input_ids": [ids for ids, _, _ in group]}, return_tensors="pt")
            padded["start_positions"] = torch.tensor([start for _, start, _ in group])
            padded["end_positions"] = torch.tensor([end for _, _, end in group])
            batches.append(dict(padded))
    _train(model, batches, 1e-3, f"English QA ({len(chosen)} questions) on {base.name}", progress)
    model.base_model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def train_tagger(
    encoder: Path,
    folder: Path,
    sentences: list[tuple[list[str], list[str]]],
    epochs: int,
    seed: int,
    progress: bool,
    *,
    labels: Sequence[str] = UPOS,
    task: str = "English UD-POS",
    encoder_only: bool = False,
) -> None:
    """A word tagger (`labels`, by default UD-POS) on top of an encoder, first sub-token of each word labelled (as
    the evaluation reads it). `encoder_only` saves the encoder without its head: an intermediate task."""
    import torch
    import transformers

    torch.manual_seed(seed)
    tokenizer = transformers.AutoTokenizer.from_pretrained(encoder)
    index = {tag: i for i, tag in enumerate(labels)}
    model = transformers.AutoModelForTokenClassification.from_pretrained(
        encoder, id2label=dict(enumerate(labels)), label2id=index
    )
    features = []
    for words, tags in sentences:
        encoded = tokenizer(words, is_split_into_words=True, truncation=True, max_length=128)
        targets, previous = [], None
        for word in encoded.word_ids():
            targets.append(index[tags[word]] if word is not None and word != previous else -100)
            previous = word
        features.append((encoded["input_ids"], targets))
    rng = random.Random(seed)
    batches = []
    for _ in range(epochs):
        for group in _batches(features, BATCH, rng):
            padded = tokenizer.pad({"input_ids": [ids for ids, _ in group]}, return_tensors="pt")
            width = padded["input_ids"].shape[1]
            padded["labels"] = torch.tensor([t + [-100] * (width - len(t)) for _, t in group])
            batches.append(dict(padded))
    _train(model, batches, 2e-3, f"{task} on {encoder.name}", progress)
    (model.base_model if encoder_only else model).save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def english_pos(data: Path) -> list[tuple[list[str], list[str]]]:
    """The English UD-POS sentences (words, UPOS tags) the target tagger is trained on, read as `eval` reads them."""
    from xlt_bench.data.conllu import read_ud_conllu
    from xlt_bench.data.formats import DataSource

    english = next((data / "ud").rglob("en_ewt-ud-test.conllu"))
    return [(ex["tokens"], ex["tags"]) for ex in read_ud_conllu(DataSource("ud-conllu", (english,)), "en", "test")]


class Phases:
    """The demo's phase lines on stderr: what starts, and how long the previous phase took."""

    def __init__(self, total: int, progress: bool) -> None:
        self.total, self.progress, self.done, self.clock = total, progress, 0, time.perf_counter()

    def start(self, text: str) -> None:
        self.finish()
        self.done += 1
        self.say(f"[{self.done}/{self.total}] {text}")

    def finish(self) -> None:
        if self.done:
            self.say(f"      done in {time.perf_counter() - self.clock:.1f} s")
        self.clock = time.perf_counter()

    def say(self, text: str) -> None:
        if self.progress:
            print(text, file=sys.stderr, flush=True)


@contextmanager
def training_threads(steps: int, epochs: int, threads: int | None) -> Iterator[int]:
    """The demo's numbers checked, then torch with `threads` threads (default: the CPUs available) and transformers
    quiet while the demo runs; yields the thread count."""
    from xlt_bench.cpu_threads import torch_threads

    if steps < 1 or epochs < 1:
        raise XltBenchError("--steps and --epochs must be at least 1")
    if threads is not None and threads < 1:
        raise XltBenchError(f"--threads must be at least 1, got {threads}")
    with torch_threads(threads) as count:  # before transformers imports torch: see cpu_threads
        import transformers

        transformers.utils.logging.set_verbosity_error()  # the new heads are meant to be missing from the base
        transformers.utils.logging.disable_progress_bar()
        yield count


def demo_command(flags: list[str], steps: int, epochs: int, seed: int, threads: int) -> list[str]:
    """The command line recorded in the demo's run folders: it rebuilds the same models."""
    numbers = ["--steps", str(steps), "--epochs", str(epochs), "--seed", str(seed), "--threads", str(threads)]
    return ["xlt-bench", "demo", *flags, *numbers]


def build_base(output: Path, steps: int, seed: int, phases: Phases) -> Path:
    """The packaged data unpacked into `output/data` (returned) and the tiny base encoder pre-trained into
    `output/models/base`."""
    data = unpack_data(output / "data")
    phases.start(f"pre-training a tiny base encoder ({steps} masked-LM steps on XQuAD paragraphs in 6 languages)")
    pretrain_base(output / "models" / "base", _paragraphs(data), steps, seed, phases.progress)
    return data


def run_demo(
    registry, output: Path, *, steps: int, epochs: int, seed: int, threads: int | None, progress: bool
) -> dict[str, Path]:
    """Build, evaluate and compare the two demo models with `threads` torch threads (default: the CPUs available);
    returns the files written."""
    with training_threads(steps, epochs, threads) as count:
        phases = Phases(4, progress)
        phases.say(f"xlt-bench demo: torch computes with {count} thread{'s' * (count > 1)} (--threads)")
        command = demo_command([], steps, epochs, seed, count)
        runs = _build_and_evaluate(registry, output, steps, epochs, seed, command, phases)
        phases.start("leaderboard")
        files = _write_leaderboard(registry, output, runs)
        phases.finish()
    return {**runs, **files}


def _build_and_evaluate(
    registry, output: Path, steps: int, epochs: int, seed: int, command: list[str], phases: Phases
) -> dict[str, Path]:
    """Phases 1 to 3: the models trained, then `eval` of both; returns the two run folders."""
    from xlt_bench.evaluation import EvalConfig, run_eval
    from xlt_bench.lineage import Lineage

    data = build_base(output, steps, seed, phases)
    models = output / "models"
    progress = phases.progress
    sentences = english_pos(data)
    phases.start("direct: base -> English UD-POS;  intermediate: base -> English QA (XQuAD-en) -> English UD-POS")
    train_tagger(models / "base", models / "direct" / "udpos", sentences, epochs, seed, progress)
    train_qa(models / "base", models / "intermediate" / "retrieval", data, epochs, seed, progress)
    train_tagger(
        models / "intermediate" / "retrieval", models / "intermediate" / "udpos", sentences, epochs, seed, progress
    )
    shutil.copytree(models / "base", models / "direct" / "retrieval", dirs_exist_ok=True)
    phases.start("xlt-bench eval of both on udpos and tatoeba")
    runs = {}
    for name, intermediate in (("direct", ()), ("intermediate", ("xquad-en",))):
        for task, languages in (("udpos", UD_LANGUAGES), ("tatoeba", TATOEBA_LANGUAGES)):
            config = EvalConfig(
                model=str(models / name),
                output=output / "runs" / name,
                tasks=[task],
                languages=list(languages),
                data_dir=data,
                cache_dir=output / "cache",
                lineage=Lineage(label=f"demo-{name}", base="demo-tiny-base", intermediate=intermediate),
                command=command,
            )
            run_eval(registry, config, progress=progress)
        runs[name] = output / "runs" / name
    return runs


def _write_leaderboard(registry, output: Path, runs: dict[str, Path]) -> dict[str, Path]:
    """Phase 4: the leaderboard of the two runs as Markdown, HTML and JSON next to them."""
    from xlt_bench.leaderboard.render import to_json, to_markdown
    from xlt_bench.leaderboard.render_html import to_html
    from xlt_bench.leaderboard.runs import load_run
    from xlt_bench.leaderboard.table import build_board

    board = build_board([load_run(str(path), registry) for path in runs.values()], registry, "xtreme")
    board_data = to_json(board)
    files = {name: output / f"leaderboard.{suffix}" for name, suffix in (("markdown", "md"), ("html", "html"))}
    files["json"] = output / "leaderboard.json"
    for path in files.values():
        confined(output, path, "the demo folder")
    write_atomic(files["markdown"], to_markdown(board_data, "udpos"))
    write_atomic(files["html"], to_html(board_data, "udpos"))
    write_atomic(files["json"], json.dumps(board_data, indent=2))
    return files
