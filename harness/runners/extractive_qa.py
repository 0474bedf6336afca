"""Extractive QA (XQuAD, MLQA, TyDiQA-GoldP) with a SQuAD-style head, under one of two procedures
(`xlt_bench.procedures`), each exactly as its scripts do it:

`xtreme` — XTREME's `run_squad.py` (`processors/squad.py` + transformers 2.x `compute_predictions_logits`):
- Question and context are lower-cased (BERT-family tokenizers: also stripped of accents), for every model:
  XTREME's `predict_qa.sh` and `train_qa.sh` pass `--do_lower_case` unconditionally (until August 2021), which
  transformers 2.x applies to XLM-R's and mBERT-cased's tokenizers alike. `lower_case: false` turns it off for a
  checkpoint fine-tuned on cased text (recorded; a departure from the official procedure).
- The context is split into words at whitespace, each word tokenised on its own; the question is cut to
  `max_query_length` token ids. Windows of `max_length` tokens start `doc_stride` context tokens apart (the
  legacy meaning of doc stride) and are padded to `max_length`.
- Per window the `n_best` highest start and end logits are taken over **all** `max_length` positions, padding
  included; a pair counts only if both ends are context tokens (not padding), the span is at most
  `max_answer_length` tokens and its start has its "maximum context" in this window. The best start + end logit
  over all windows wins.
- Its text is rebuilt as the 2020 code did (`xlt_bench.legacy_squad_text`): the span's sub-tokens joined back, then
  `get_final_text` against the span's whole words (BERT's BasicTokenizer; when that fails, the whole words, which in
  Chinese is a whole clause). No valid span: the answer `"empty"`.

`hf` — Hugging Face's `run_qa.py` + `utils_qa.postprocess_qa_predictions`:
- The question (left-stripped, never cut) and context are tokenised together, windows overlap by `doc_stride`
  tokens (the tokenizer's `stride`) and are padded to `max_length`; `n_best` start and end logits over all
  positions; a pair counts if both ends are context tokens and the span is at most `max_answer_length` tokens (no
  maximum-context rule). The answer is cut from the original context string through the character offsets, so BOMs,
  leading spaces and unspaced scripts come back as written. No valid span: `"empty"`.

Under both, a span's end never reaches past its last token's own characters: a standalone `▁` piece carries the
offsets of the character after it, which would otherwise join the next word's first character to the answer (an
`hf` feature gives it empty offsets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xlt_bench.batching import MODEL_INPUTS, batched_outputs
from xlt_bench.errors import XltBenchError
from xlt_bench.procedures import DEFAULT_PROCEDURE, procedure_of, procedure_problems, tokenizer_family
from xlt_bench.runners.base import Job, Runner, alignment_problems

NO_ANSWER = "empty"  # what both procedures predict when no span is valid


@dataclass(frozen=True)
class PairFrame:
    """Where a tokenizer puts its special tokens around a (question, context) pair, and their token type ids."""

    prefix: list[int]
    middle: list[int]
    suffix: list[int]
    types: tuple[int, int, int, int, int] | None  # prefix, question, middle, context, suffix; None: no type ids

    @property
    def specials(self) -> int:
        return len(self.prefix) + len(self.middle) + len(self.suffix)

    def inputs(self, question: list[int], context: list[int], length: int, pad: int) -> dict[str, list[int]]:
        """A window's model inputs, padded to `length`."""
        parts = (self.prefix, question, self.middle, context, self.suffix)
        ids = [token for part in parts for token in part]
        padding = length - len(ids)
        inputs = {"input_ids": ids + [pad] * padding, "attention_mask": [1] * len(ids) + [0] * padding}
        if self.types is not None:
            inputs["token_type_ids"] = [t for t, part in zip(self.types, parts) for _ in part] + [0] * padding
        return inputs


def pair_frame(tokenizer: Any) -> PairFrame:
    """Found by tokenising a probe pair with and without special tokens (every family, every transformers)."""
    question, context = (tokenizer(text, add_special_tokens=False)["input_ids"] for text in ("a", "b"))
    full = tokenizer("a", "b")
    ids = full["input_ids"]
    for q in range(len(ids)):
        if ids[q : q + len(question)] != question:
            continue
        for c in range(q + len(question), len(ids)):
            if ids[c : c + len(context)] == context:
                bounds = (0, q, q + len(question), c, c + len(context), len(ids))
                types = full.get("token_type_ids")
                return PairFrame(
                    prefix=ids[:q],
                    middle=ids[q + len(question) : c],
                    suffix=ids[c + len(context) :],
                    types=None if types is None else tuple(types[b] if b < len(ids) else 0 for b in bounds[:5]),
                )
    raise XltBenchError(f"{tokenizer.name_or_path}: cannot tell where the tokenizer puts a pair's special tokens")


def _stable_top(values: list[float], count: int) -> list[int]:
    """Positions of the `count` largest values, ties in position order (transformers 2.x `_get_best_indexes`)."""
    return sorted(range(len(values)), key=lambda position: -values[position])[:count]


def _xtreme_features(tokenizer: Any, questions: list[str], contexts: list[str], inference: Mapping) -> list[dict]:
    from xlt_bench.legacy_squad_text import lower_cased, whitespace_words

    frame, stride, length = pair_frame(tokenizer), inference["doc_stride"], inference["max_length"]
    family = tokenizer_family(tokenizer)

    def cased(text: str) -> str:
        return lower_cased(text, family) if inference.get("lower_case", True) else text

    features = []
    for index, (question, context) in enumerate(zip(questions, contexts)):
        query = tokenizer(cased(question), add_special_tokens=False)["input_ids"][: inference["max_query_length"]]
        capacity = length - len(query) - frame.specials
        if capacity <= 0:
            raise XltBenchError(f"max_length {length} leaves no room for the context of a question")
        words, starts = whitespace_words(context), []
        cursor = 0
        for word in words:  # character offset of every word, for the offsets of its sub-tokens
            cursor = context.index(word, cursor)
            starts.append(cursor)
            cursor += len(word)
        # offsets of the (lower-cased) words: only their presence is read under this procedure
        lowered = [cased(word) for word in words]
        encoded = tokenizer(lowered, add_special_tokens=False, return_offsets_mapping=True) if words else None
        doc, doc_words, doc_offsets = [], [], []
        for number, word_start in enumerate(starts):
            doc += encoded["input_ids"][number]
            doc_words += [number] * len(encoded["input_ids"][number])
            doc_offsets += [(word_start + a, word_start + b) for a, b in encoded["offset_mapping"][number]]
        window_start = 0
        while window_start < len(doc):
            span = min(len(doc) - window_start, capacity)
            inputs = frame.inputs(query, doc[window_start : window_start + span], length, tokenizer.pad_token_id)
            first = len(frame.prefix) + len(query) + len(frame.middle)
            offsets: list = [None] * length
            offsets[first : first + span] = doc_offsets[window_start : window_start + span]
            features.append(
                {
                    **inputs,
                    "example": index,
                    "offsets": offsets,
                    "doc_start": window_start,
                    "words": [None] * first
                    + doc_words[window_start : window_start + span]
                    + [None] * (length - first - span),
                    "tokens": len(inputs["input_ids"]) - inputs["input_ids"].count(tokenizer.pad_token_id),
                }
            )
            if window_start + span >= len(doc):
                break
            window_start += stride
    return features


def _hf_features(tokenizer: Any, questions: list[str], contexts: list[str], inference: Mapping) -> list[dict]:
    length, specials, overlap = inference["max_length"], pair_frame(tokenizer).specials, inference["doc_stride"]
    features = []
    for index, (question, context) in enumerate(zip(questions, contexts)):
        question = question.lstrip()  # run_qa.py never cuts a question: one that fills the window is an error
        if len(tokenizer(question, add_special_tokens=False)["input_ids"]) + specials + overlap >= length:
            raise XltBenchError(
                f"question {question[:40]!r}: with doc_stride {overlap} (the windows' overlap under --procedure hf) "
                f"it leaves no room for the context in max_length {length} (run_qa.py never cuts questions); raise "
                "max_length, lower doc_stride or use --procedure xtreme"
            )
        encoded = tokenizer(
            question,
            context,
            truncation="only_second",
            max_length=length,
            stride=overlap,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding="max_length",
        )
        for window in range(len(encoded["input_ids"])):
            in_context = [sequence == 1 for sequence in encoded.sequence_ids(window)]
            pieces = tokenizer.convert_ids_to_tokens(encoded["input_ids"][window])
            offsets = [
                # a standalone `▁` piece carries the offsets of the next word's first character: it holds none
                None if not inside else (span[0], span[0]) if piece == "\u2581" else span
                for span, inside, piece in zip(encoded["offset_mapping"][window], in_context, pieces)
            ]
            inputs = {name: encoded[name][window] for name in MODEL_INPUTS if name in encoded}
            features.append({**inputs, "example": index, "offsets": offsets})
    return features


def qa_features(tokenizer: Any, questions: list[str], contexts: list[str], inference: Mapping[str, Any]) -> list[dict]:
    """One feature per window: model inputs (padded to `max_length`) plus `example` (its example index) and
    `offsets` (context character spans per position, None outside the context); under `xtreme` also `doc_start`
    (its first context token's index in the whole context), `words` (per position, the whitespace word a context
    token belongs to) and `tokens` (positions before the padding)."""
    if not getattr(tokenizer, "is_fast", False):
        raise XltBenchError(f"{tokenizer.name_or_path}: extractive QA needs a fast tokenizer (character offsets)")
    build = _hf_features if procedure_of(inference) == "hf" else _xtreme_features
    return build(tokenizer, questions, contexts, inference)


def _max_context(features: list[dict]) -> list[set[int]]:
    """Per feature, the positions whose token has its maximum context in that window (legacy SQuAD rule: the score
    of a token in a window is min(tokens left, tokens right) + 0.01 * window length; the first best window wins)."""
    best: dict[tuple[int, int], tuple[float, int]] = {}
    context_positions = [[p for p, span in enumerate(f["offsets"]) if span is not None] for f in features]
    for number, (feature, positions) in enumerate(zip(features, context_positions)):
        for rank in range(len(positions)):
            score = min(rank, len(positions) - 1 - rank) + 0.01 * len(positions)
            key = (feature["example"], feature["doc_start"] + rank)
            if key not in best or score > best[key][0]:
                best[key] = (score, number)
    return [
        {p for rank, p in enumerate(positions) if best[(f["example"], f["doc_start"] + rank)][1] == number}
        for number, (f, positions) in enumerate(zip(features, context_positions))
    ]


def _xtreme_answers(features: list[dict], logits: list[Any], contexts: list[str], inference: Mapping, tokenizer: Any):
    from xlt_bench.legacy_squad_text import final_text, span_text, whitespace_words

    n_best, longest = inference["n_best"], inference["max_answer_length"]
    owned = _max_context(features)
    candidates: list[list[tuple[float, int, int, int]]] = [[] for _ in contexts]
    for number, (feature, rows) in enumerate(zip(features, logits)):
        starts, ends = rows[:, 0].tolist(), rows[:, 1].tolist()
        words, tokens = feature["words"], feature["tokens"]
        for start in _stable_top(starts, n_best):
            if start >= tokens or words[start] is None or start not in owned[number]:
                continue
            for end in _stable_top(ends, n_best):
                if end >= tokens or words[end] is None or end < start or end - start + 1 > longest:
                    continue
                candidates[feature["example"]].append((starts[start] + ends[end], number, start, end))
    family = tokenizer_family(tokenizer)
    own = bool(getattr(tokenizer, "do_lower_case", tokenizer.init_kwargs.get("do_lower_case", False)))
    lower = inference.get("lower_case", True) or own  # get_final_text's do_lower_case: the script's flag
    answers = []
    for example, found in enumerate(candidates):
        if not found:
            answers.append(NO_ANSWER)
            continue
        _, number, start, end = max(found, key=lambda candidate: candidate[0])  # the first of equal scores
        feature = features[number]
        pieces = tokenizer.convert_ids_to_tokens(feature["input_ids"][start : end + 1])
        words = whitespace_words(contexts[example])[feature["words"][start] : feature["words"][end] + 1]
        answers.append(final_text(span_text(pieces, family), " ".join(words), lower))
    return answers


def _hf_answers(features: list[dict], logits: list[Any], contexts: list[str], inference: Mapping) -> list[str]:
    import numpy as np

    n_best, longest = inference["n_best"], inference["max_answer_length"]
    candidates: list[list[tuple[Any, str]]] = [[] for _ in contexts]
    for feature, rows in zip(features, logits):
        starts, ends = rows[:, 0].float().numpy(), rows[:, 1].float().numpy()
        offsets = feature["offsets"]
        for start in np.argsort(starts)[-1 : -n_best - 1 : -1].tolist():
            for end in np.argsort(ends)[-1 : -n_best - 1 : -1].tolist():
                if start >= len(offsets) or end >= len(offsets) or offsets[start] is None or offsets[end] is None:
                    continue
                if end < start or end - start + 1 > longest:
                    continue
                text = contexts[feature["example"]][offsets[start][0] : offsets[end][1]]
                candidates[feature["example"]].append((starts[start] + ends[end], text))
    answers = []
    for found in candidates:
        ranked = sorted(found, key=lambda candidate: candidate[0], reverse=True)[:n_best]
        empty = not ranked or (len(ranked) == 1 and ranked[0][1] == "")
        answers.append(NO_ANSWER if empty else ranked[0][1])
    return answers


def best_answers(
    features: list[dict], logits: list[Any], contexts: list[str], inference: Mapping[str, Any], tokenizer: Any
) -> list[str]:
    """The answer of every example under the inference's procedure (`"empty"` when no span is valid); `logits`
    holds a (positions, 2) start/end tensor per feature, over all its `max_length` positions."""
    if procedure_of(inference) == "hf":
        return _hf_answers(features, logits, contexts, inference)
    return _xtreme_answers(features, logits, contexts, inference, tokenizer)


class ExtractiveQARunner(Runner):
    type = "extractive_qa"
    role = "question-answering"
    description = "an answer span per question in its context (XQuAD, MLQA, TyDiQA-GoldP)"
    inference_required = ("max_length", "doc_stride", "max_query_length", "max_answer_length", "n_best")
    inference_optional = ("procedure", "lower_case")
    inference_defaults = {"procedure": DEFAULT_PROCEDURE}

    def inference_problems(self, inference: Mapping[str, Any]) -> list[str]:
        """Besides the counts and the procedure: a window must hold the longest question, its framing and some
        context (XTREME: `max_length - max_query_length - 3` context tokens), and under `hf`, whose `doc_stride` is
        the overlap of consecutive windows, each window must move on."""
        found = super().inference_problems(inference) + procedure_problems(inference)
        if "lower_case" in inference and not isinstance(inference["lower_case"], bool):
            found.append(f"lower_case {inference['lower_case']!r}; expected true or false")
        elif inference.get("lower_case") and procedure_of(inference) == "hf":
            found.append("lower_case: --procedure hf lower-cases only as the checkpoint's tokenizer does")
        if found or not all(type(inference.get(n)) is int for n in ("max_length", "max_query_length", "doc_stride")):
            return found
        context = inference["max_length"] - inference["max_query_length"] - 3
        if context < 1:
            found.append(
                f"max_length {inference['max_length']} leaves no room for context after a question of "
                f"max_query_length {inference['max_query_length']} and 3 special tokens"
            )
        elif procedure_of(inference) == "hf" and inference["doc_stride"] >= context:
            found.append(
                f"doc_stride {inference['doc_stride']}: under --procedure hf it is the overlap of windows and must "
                f"be below the {context} context tokens of a window"
            )
        return found

    def gold(self, examples: Any) -> list[dict]:
        """A SQuAD `data` list holding just ids and answers: all the official scorers read."""
        qas = [
            {"id": qid, "answers": [{"text": t, "answer_start": s} for t, s in zip(a["text"], a["answer_start"])]}
            for qid, a in zip(examples["id"], examples["answers"])
        ]
        return [{"title": "", "paragraphs": [{"context": "", "qas": qas}]}]

    def prediction_problems(self, job: Job, gold: Any, predictions: Any) -> list[str]:
        """An answer text for exactly the question ids of the unit."""
        ids = {qa["id"]: None for article in gold for paragraph in article["paragraphs"] for qa in paragraph["qas"]}
        found = alignment_problems(ids, predictions)
        if not found and (wrong := [key for key, text in predictions.items() if not isinstance(text, str)]):
            found.append(f"answer of {wrong[0]!r} is {type(predictions[wrong[0]]).__name__}, expected text")
        return found

    def predict(self, job: Job) -> dict[str, str]:
        import torch

        inference, tokenizer = job.inference, job.loaded.tokenizer
        contexts = list(job.examples["context"])
        features = qa_features(tokenizer, list(job.examples["question"]), contexts, inference)

        def start_end(outputs: Any, batch: Any) -> Any:
            return torch.stack([outputs.start_logits, outputs.end_logits], dim=-1)

        inputs = [{name: f[name] for name in MODEL_INPUTS if name in f} for f in features]
        logits = batched_outputs(job.loaded, inputs, job.batch_size, job.description, job.progress, start_end)
        job.details["windows"] = len(features)
        answers = best_answers(features, logits, contexts, inference, tokenizer)
        return dict(zip(job.examples["id"], answers))

    def samples(self, examples: Any, gold: list[dict], predictions: dict[str, str]) -> list[dict]:
        return [
            {"id": qid, "input": question, "gold": list(answers["text"]), "prediction": predictions[qid]}
            for qid, question, answers in zip(examples["id"], examples["question"], examples["answers"])
        ]
