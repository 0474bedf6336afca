"""`xlt-bench demo`: the whole workflow offline, in a few minutes on a CPU, with tiny models built on the spot.

1. Base: a SentencePiece tokenizer and a 4-layer XLM-R-style encoder, pre-trained with masked language modelling
   on the packaged XQuAD paragraphs in six languages (parallel text: en, de, es, ar, zh, hi).
2. Direct: base -> English UD-POS tagger. Intermediate: base -> English extractive QA on XQuAD-en (the role SQuAD
   plays in Phang et al. 2020) -> English UD-POS tagger with the same recipe.
3. `eval` of both on UD-POS (English and six other languages) and on Tatoeba (six languages), where the encoders
   themselves are compared: the base vs the QA-trained one, as X-STILTs evaluates retrieval.
4. The leaderboard: Markdown printed, HTML and JSON written next to the runs.

Every figure comes from running these models; they are tiny and trained on a few hundred examples, so the numbers
are far below real checkpoints. The packaged data (`xlt_bench/demo_data`, licences in its NOTICE) are prefixes
of real benchmark files.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.files import atomic_file, read_json, write_atomic

UPOS = "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()
UD_LANGUAGES = ("en", "de", "fr", "zh", "ar", "hi", "ja")
TATOEBA_LANGUAGES = ("de", "fr", "es", "zh", "ar", "hi")
MODEL = {"hidden_size": 128, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 256}


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


def _train(model: Any, batches: list[dict[str, Any]], learning_rate: float) -> None:
    """Plain AdamW over prepared batches (dicts of tensors including labels)."""
    import torch

    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    model.train()
    for batch in batches:
        model(**batch).loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
    model.eval()


def pretrain_base(folder: Path, texts: list[str], steps: int, seed: int) -> None:
    """Tokenizer + masked-LM pre-training of the tiny base encoder (15% masking, 80/10/10)."""
    import torch
    import transformers

    from xlt_bench.testing import tiny_tokenizer

    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer(texts, vocab_size=4000)
    config = transformers.XLMRobertaConfig(
        vocab_size=len(tokenizer), max_position_embeddings=514, pad_token_id=tokenizer.pad_token_id, **MODEL
    )
    model = transformers.XLMRobertaForMaskedLM(config)
    ids = [token for text in texts for token in tokenizer(text, add_special_tokens=False)["input_ids"]]
    length = 126
    frame = (tokenizer.bos_token_id, tokenizer.eos_token_id)
    chunks = [[frame[0], *ids[i : i + length], frame[1]] for i in range(0, len(ids) - length, length)]
    rng = random.Random(seed)
    batches = []
    while len(batches) < steps:
        for group in _batches(chunks, 16, rng):
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
    _train(model, batches, 5e-4)
    model.base_model.save_pretrained(folder)  # the encoder only: heads are added per task
    tokenizer.save_pretrained(folder)


def train_qa(base: Path, folder: Path, data: Path, epochs: int, seed: int) -> None:
    """English extractive QA (XQuAD-en questions) on top of the base encoder: the intermediate task."""
    import torch
    import transformers

    torch.manual_seed(seed)
    tokenizer = transformers.AutoTokenizer.from_pretrained(base)
    model = transformers.AutoModelForQuestionAnswering.from_pretrained(base)
    features = []
    for article in read_json(data / "xquad" / "xquad.en.json")["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answer = qa["answers"][0]
                first, last = answer["answer_start"], answer["answer_start"] + len(answer["text"])
                encoded = tokenizer(
                    qa["question"],
                    paragraph["context"],
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
        for group in _batches(features, 16, rng):
            padded = tokenizer.pad({"input_ids": [ids for ids, _, _ in group]}, return_tensors="pt")
            padded["start_positions"] = torch.tensor([start for _, start, _ in group])
            padded["end_positions"] = torch.tensor([end for _, _, end in group])
            batches.append(dict(padded))
    _train(model, batches, 3e-4)
    model.base_model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def train_tagger(
    encoder: Path, folder: Path, sentences: list[tuple[list[str], list[str]]], epochs: int, seed: int
) -> None:
    """English UD-POS on top of an encoder, first sub-token of each word labelled (as the evaluation reads it)."""
    import torch
    import transformers

    torch.manual_seed(seed)
    tokenizer = transformers.AutoTokenizer.from_pretrained(encoder)
    labels = {tag: i for i, tag in enumerate(UPOS)}
    model = transformers.AutoModelForTokenClassification.from_pretrained(
        encoder, id2label=dict(enumerate(UPOS)), label2id=labels
    )
    features = []
    for words, tags in sentences:
        encoded = tokenizer(words, is_split_into_words=True, truncation=True, max_length=128)
        targets, previous = [], None
        for word in encoded.word_ids():
            targets.append(labels[tags[word]] if word is not None and word != previous else -100)
            previous = word
        features.append((encoded["input_ids"], targets))
    rng = random.Random(seed)
    batches = []
    for _ in range(epochs):
        for group in _batches(features, 16, rng):
            padded = tokenizer.pad({"input_ids": [ids for ids, _ in group]}, return_tensors="pt")
            width = padded["input_ids"].shape[1]
            padded["labels"] = torch.tensor([t + [-100] * (width - len(t)) for _, t in group])
            batches.append(dict(padded))
    _train(model, batches, 5e-4)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def run_demo(
    registry, output: Path, steps: int = 500, epochs: int = 6, seed: int = 13, progress: bool = True
) -> dict[str, Path]:
    """Build, evaluate and compare the two demo models; returns the files written."""
    from xlt_bench.data.conllu import read_ud_conllu
    from xlt_bench.data.formats import DataSource
    from xlt_bench.evaluation import EvalConfig, run_eval
    from xlt_bench.leaderboard.render import to_json, to_markdown
    from xlt_bench.leaderboard.render_html import to_html
    from xlt_bench.leaderboard.runs import load_run
    from xlt_bench.leaderboard.table import build_board

    if steps < 1 or epochs < 1:
        raise XltBenchError("--steps and --epochs must be at least 1")
    import transformers

    transformers.utils.logging.set_verbosity_error()  # the new heads are meant to be missing from the base
    transformers.utils.logging.disable_progress_bar()
    data = unpack_data(output / "data")
    models = output / "models"
    say = print if progress else (lambda *_: None)
    say(f"[1/4] pre-training a tiny base encoder ({steps} masked-LM steps on XQuAD paragraphs in 6 languages)")
    pretrain_base(models / "base", _paragraphs(data), steps, seed)
    english = next((data / "ud").rglob("en_ewt-ud-test.conllu"))
    sentences = [(ex["tokens"], ex["tags"]) for ex in read_ud_conllu(DataSource("ud-conllu", (english,)), "en", "test")]
    say("[2/4] direct: base -> English UD-POS;  intermediate: base -> English QA (XQuAD-en) -> English UD-POS")
    train_tagger(models / "base", models / "direct" / "udpos", sentences, epochs, seed)
    train_qa(models / "base", models / "intermediate" / "retrieval", data, epochs, seed)
    train_tagger(models / "intermediate" / "retrieval", models / "intermediate" / "udpos", sentences, epochs, seed)
    shutil.copytree(models / "base", models / "direct" / "retrieval", dirs_exist_ok=True)
    say("[3/4] xlt-bench eval of both on udpos and tatoeba")
    runs = {}
    for name, intermediate in (("direct", []), ("intermediate", ["xquad-en"])):
        for task, languages in (("udpos", UD_LANGUAGES), ("tatoeba", TATOEBA_LANGUAGES)):
            config = EvalConfig(
                model=str(models / name),
                output=output / "runs" / name,
                tasks=[task],
                languages=list(languages),
                data_dir=data,
                cache_dir=output / "cache",
                label=f"demo-{name}",
                base="demo-tiny-base",
                intermediate=intermediate,
                command=["xlt-bench", "demo"],
            )
            run_eval(registry, config, progress=False)
        runs[name] = output / "runs" / name
    say("[4/4] leaderboard")
    board = build_board([load_run(str(path), registry) for path in runs.values()], registry, "xtreme")
    board_data = to_json(board)
    files = {name: output / f"leaderboard.{suffix}" for name, suffix in (("markdown", "md"), ("html", "html"))}
    files["json"] = output / "leaderboard.json"
    write_atomic(files["markdown"], to_markdown(board_data, "udpos"))
    write_atomic(files["html"], to_html(board_data, "udpos"))
    write_atomic(files["json"], json.dumps(board_data, indent=2))
    return {**runs, **files}
