"""Helpers for testing xlt-bench and its plugins without the network: tiny checkpoints, task checks, task runs.

`tiny_checkpoint` trains a small Unigram tokenizer on the sentences you give it (seconds; the same sentences give
the same tokenizer, byte for byte), builds a 2-layer XLM-R-style model with random weights (seeded, so predictions
are reproducible) and the head and label names you ask for, and saves both with `save_pretrained`. The result
loads with the usual `Auto*` classes, so every code path of `eval` runs on it. Set `HF_HUB_OFFLINE=1` in tests
so nothing ever tries the Hub.

`check_task` lists what is wrong with a task declaration (what the registry would report and skip), and `run_task`
runs a task's runner and metric on in-memory examples, as `eval` does for one language, so a plugin's tests need
neither data files on disk nor a run folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from xlt_bench.data.formats import DataUnavailable
from xlt_bench.data.loading import drop_skipped
from xlt_bench.registry import Registry, load_registry, unknown_name
from xlt_bench.runners import Job, predict_and_score
from xlt_bench.task_checkpoints import CheckpointChoice, inspect_checkpoint, load_model
from xlt_bench.tasks import Task

HEADS = {
    "sequence-classification": "XLMRobertaForSequenceClassification",
    "token-classification": "XLMRobertaForTokenClassification",
    "question-answering": "XLMRobertaForQuestionAnswering",
    "multiple-choice": "XLMRobertaForMultipleChoice",
    "encoder": "XLMRobertaModel",
    "seq2seq": "BartForConditionalGeneration",  # an encoder-decoder sharing XLM-R's <s>=0 <pad>=1 </s>=2 ids
}
SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def tiny_tokenizer(sentences: Iterable[str], vocab_size: int = 1000, characters_only: bool = False):
    """An XLM-R tokenizer (SentencePiece Unigram, `_xlmr_tokenizer`) trained on `sentences`.

    The vocabulary grows beyond `vocab_size` when needed to hold every character of the sentences.
    `characters_only=True` skips training: every character is its own token, so every character offset is a
    token boundary (handy to plant exact answer spans in QA tests).

    Deterministic: the same sentences (in the same order) and arguments give the same vocabulary, ids and scores,
    so `save_pretrained` writes byte-identical files, in one process or across processes, whatever the thread
    count. The Unigram trainer of `tokenizers` is not: it iterates hash maps with per-process random seeds and sums
    in parallel chunks, so the scores it returns carry float noise (up to ~1e-10), the characters its EM dropped
    get the tie-break scores `lowest + k * 1e-4` in hash order, and pieces with equal scores come in any order.
    Its choice of pieces was the same in every run we tried, so the vocabulary is made canonical
    (`_canonical_vocabulary`); no environment variable (`RAYON_NUM_THREADS`, `TOKENIZERS_PARALLELISM`) makes the
    trainer itself reproducible.
    """
    from tokenizers import SentencePieceUnigramTokenizer

    sentences = list(sentences)
    characters = sorted({ch for sentence in sentences for ch in sentence if not ch.isspace()})
    if characters_only:
        vocab = [(token, 0.0) for token in SPECIAL_TOKENS] + [("\u2581", -1.0)] + [(ch, -2.0) for ch in characters]
        return _xlmr_tokenizer(vocab)
    trainer = SentencePieceUnigramTokenizer()
    trainer.train_from_iterator(
        sentences,
        vocab_size=max(vocab_size, len(characters) + len(SPECIAL_TOKENS) + 200),
        special_tokens=SPECIAL_TOKENS,
        unk_token="<unk>",
        show_progress=False,
    )
    vocab = [tuple(piece) for piece in json.loads(trainer.to_str())["model"]["vocab"]]
    return _xlmr_tokenizer(_canonical_vocabulary(vocab))


def _xlmr_tokenizer(vocab: list[tuple[str, float]]):
    """An XLM-R tokenizer (fast, `tokenizers`-backed) over a Unigram vocabulary, in every supported transformers.

    transformers 5 builds it from the vocabulary itself (`XLMRobertaTokenizerFast` is `XLMRobertaTokenizer` there);
    transformers 4 only from a SentencePiece file or a ready `tokenizers` pipeline, so that pipeline is built here
    exactly as transformers 5 builds it: Unigram (`<unk>` = id 3), whitespace split then the `▁` metaspace, and the
    `<s> A </s>` / `<s> A </s></s> B </s>` templates."""
    import inspect

    from transformers import XLMRobertaTokenizerFast

    if "vocab" in inspect.signature(XLMRobertaTokenizerFast.__init__).parameters:
        return XLMRobertaTokenizerFast(vocab=vocab)
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    pipeline = Tokenizer(models.Unigram(vocab, unk_id=SPECIAL_TOKENS.index("<unk>"), byte_fallback=False))
    metaspace = {"replacement": "\u2581", "prepend_scheme": "always"}
    pipeline.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(**metaspace)]
    )
    pipeline.decoder = decoders.Metaspace(**metaspace)
    ids = {token: SPECIAL_TOKENS.index(token) for token in ("<s>", "</s>")}
    pipeline.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=list(ids.items())
    )
    names = {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>"}
    return XLMRobertaTokenizerFast(tokenizer_object=pipeline, pad_token="<pad>", mask_token="<mask>", **names)


BERT_SPECIAL_TOKENS = {
    "unk_token": "[UNK]",
    "sep_token": "[SEP]",
    "pad_token": "[PAD]",
    "cls_token": "[CLS]",
    "mask_token": "[MASK]",
}


def tiny_bert_tokenizer(sentences: Iterable[str], vocab_size: int = 1000, lowercase: bool = False):
    """A BERT tokenizer (WordPiece with `##` continuations, `[CLS] A [SEP]` framing) trained on `sentences`: the
    other tokenizer family the official scripts handle differently from XLM-R's (`xlt_bench.procedures`).
    WordPiece training is deterministic (counts, ties broken by text), unlike the Unigram trainer's."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizerFast

    trainer = BertWordPieceTokenizer(lowercase=lowercase, strip_accents=lowercase)
    trainer.train_from_iterator(list(sentences), vocab_size=vocab_size, show_progress=False)
    return BertTokenizerFast(tokenizer_object=trainer._tokenizer, do_lower_case=lowercase, **BERT_SPECIAL_TOKENS)


PENALTY_STEP = 1e-4  # the trainer's tie-break step between the required characters its EM dropped
SCORE_DECIMALS = 3  # 1e-3 is ~10^7 times the trainer's float noise: a score straddles a rounding edge ~never


def _canonical_vocabulary(vocab: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The trainer's vocabulary without its run-to-run variation: the special tokens first (as given), then the
    pieces by descending score and, on equal scores, by text. A single character scored `lowest + k * 1e-4`
    (the tie-break the trainer hands out in hash order) gets the lowest score, and every score is rounded to
    `SCORE_DECIMALS` decimals."""
    special = [(token, float(score)) for token, score in vocab if token in SPECIAL_TOKENS]
    pieces = [(token, float(score)) for token, score in vocab if token not in SPECIAL_TOKENS]
    if not pieces:
        return special
    lowest = min(score for _, score in pieces)
    characters = sum(len(token) == 1 for token, _ in pieces)

    def canonical(token: str, score: float) -> float:
        steps = (score - lowest) / PENALTY_STEP
        if len(token) == 1 and round(steps) < characters and abs(steps - round(steps)) < 1e-3:
            score = lowest
        return round(score, SCORE_DECIMALS) + 0.0  # + 0.0: no -0.0

    canonical_pieces = [(token, canonical(token, score)) for token, score in pieces]
    return special + sorted(canonical_pieces, key=lambda piece: (-piece[1], piece[0]))


def tiny_checkpoint(
    path: Path,
    sentences: Iterable[str] | None = None,
    head: str = "sequence-classification",
    labels: Sequence[str] | None = None,
    *,
    tokenizer=None,
    layers: int = 2,
    hidden: int = 32,
    max_positions: int = 514,
    seed: int = 0,
) -> Path:
    """Save a tiny checkpoint with `head` (see `HEADS`) and `config.id2label` = `labels` to `path`.

    Pass `tokenizer` to share one tokenizer between several checkpoints (e.g. a direct and an intermediate model of
    the same base); otherwise one is trained on `sentences`.
    """
    import torch
    import transformers

    if head not in HEADS:
        raise ValueError(f"head must be one of {', '.join(HEADS)}")
    if tokenizer is None:
        if sentences is None:
            raise ValueError("pass sentences to train a tokenizer on, or a tokenizer")
        tokenizer = tiny_tokenizer(sentences)
    transformers.utils.logging.disable_progress_bar()
    special = dict(
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id
    )
    if labels is not None:  # a base config must not carry num_labels (the QA head breaks on reload)
        special.update(id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)})
    if head == "seq2seq":
        config = transformers.BartConfig(
            vocab_size=len(tokenizer),
            d_model=hidden,
            encoder_layers=layers,
            decoder_layers=layers,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            encoder_ffn_dim=2 * hidden,
            decoder_ffn_dim=2 * hidden,
            max_position_embeddings=max_positions,
            decoder_start_token_id=tokenizer.eos_token_id,
            **special,
        )
    else:  # tiny_bert_tokenizer's vocabulary gets a BERT model, every other an XLM-R one
        bert = type(tokenizer).__name__.startswith("BertTokenizer")
        config = (transformers.BertConfig if bert else transformers.XLMRobertaConfig)(
            vocab_size=len(tokenizer),
            hidden_size=hidden,
            num_hidden_layers=layers,
            num_attention_heads=2,
            intermediate_size=2 * hidden,
            max_position_embeddings=max_positions,
            **special,
        )
    torch.manual_seed(seed)
    model_class = HEADS[head] if config.model_type != "bert" else HEADS[head].replace("XLMRoberta", "Bert")
    model = getattr(transformers, model_class)(config)
    path = Path(path)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def check_task(task: Task, registry: Registry | None = None) -> list[str]:
    """Every problem with a task declaration (empty when it is sound), so a plugin's tests fail where the CLI would
    only warn and skip the task.

    Without `registry` the declaration and what its task type's runner needs are checked (`Task.problems`, the
    runner's required inference parameters and label inventory), the type looked up among the installed plugins;
    with a registry (`load_registry()`) also what it refers to: its metric and data formats registered, its suite
    registered and listing it, and its `main_metrics` among the metric's values.
    """
    problems = task.problems() + (registry or load_registry()).task_type_problems(task)
    if registry is None:
        return problems
    metric = registry.metrics.get(task.metric)
    if metric is None:
        problems.append(str(unknown_name("metric", task.metric, list(registry.metrics))))
    elif missing := [name for name in task.main_metrics if name not in metric.keys]:
        problems.append(
            f"main_metrics {', '.join(missing)} are not values of metric {metric.name!r} ({', '.join(metric.keys)})"
        )
    formats = [layout.format for layout in task.data] + [hub.format for hub in task.hub]
    for name in dict.fromkeys(formats):
        if name not in registry.formats:
            problems.append(str(unknown_name("data format", name, list(registry.formats))))
    suite = registry.suites.get(task.suite)
    if suite is None:
        problems.append(str(unknown_name("suite", task.suite, list(registry.suites))))
    elif task.name not in (*suite.tasks, *suite.optional):
        problems.append(f"suite {suite.name!r} does not list task {task.name!r} in its tasks or optional tasks")
    return problems


def _only_given_examples(split: str) -> NoReturn:
    raise DataUnavailable(f"run_task has only the examples it was given, no {split!r} split")


def run_task(
    task: Task,
    examples: Sequence[Mapping[str, Any]],
    checkpoint: str | Path,
    *,
    registry: Registry | None = None,
    language: str = "en",
    inference: Mapping[str, Any] | None = None,
    batch_size: int = 32,
    trust_remote_code: bool = False,
) -> dict[str, Any]:
    """A task runner on in-memory examples: `{"predictions", "gold", "metrics"}` as `eval` computes them.

    `examples` are dicts in the shape the task type's runner reads (what the task's format reader yields).
    `checkpoint` (a folder or Hub id) is checked as `eval` checks it (head, labels matched by name; a misfit raises
    `CheckpointMismatch`) and loaded on CPU; its own code (`auto_map`) and pickle weights load only with
    `trust_remote_code`, as with `eval --trust-remote-code`. The metric comes from `registry` (default: the
    installed plugins); `inference` overrides the task's inference parameters.
    """
    import datasets

    registry = load_registry() if registry is None else registry
    if task.metric not in registry.metrics:
        raise unknown_name("metric", task.metric, list(registry.metrics))
    runner = registry.runner(task)
    choice = CheckpointChoice(str(checkpoint), "run_task")
    plan = inspect_checkpoint(task, choice, registry.adapters_for(runner.role), None, trust_remote_code)
    loaded = load_model(plan, "cpu", "auto")
    dataset, _ = drop_skipped(datasets.Dataset.from_list([dict(example) for example in examples]))
    job = Job(
        task=task,
        language=language,
        examples=dataset,
        loaded=loaded,
        plan=plan,
        inference={**runner.inference_for(), **(inference or {})},
        batch_size=batch_size,
        load_split=_only_given_examples,
    )
    plugin = registry.origin.get(("runners", task.type), "")
    predictions, gold, metrics = predict_and_score(runner, job, registry.metric(task), plugin=plugin)
    return {"predictions": predictions, "gold": gold, "metrics": metrics}
