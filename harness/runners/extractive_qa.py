"""Extractive QA (XQuAD, MLQA, TyDiQA-GoldP) with a SQuAD-style head, windows as XTREME's `run_squad.py` makes them.

- The question is cut to `max_query_length` tokens; the context is covered by windows of `max_length` tokens whose
  starts are `doc_stride` context tokens apart (the legacy SQuAD meaning of doc stride, which XTREME's scripts use).
- Per window the `n_best` start and end logits are paired; a span counts only if both ends lie in the context,
  it is at most `max_answer_length` tokens long, and its start token has its "maximum context" in this window (the
  window where it has the most tokens on both sides), as the legacy SQuAD post-processing does. The best span by
  start + end logit over all windows wins; no valid span gives the empty answer.
- The answer is cut from the **original context string** through the tokenizer's character offsets, so BOMs,
  leading spaces and unspaced scripts (zh, ja, th) come back exactly as written. (The legacy scripts rebuild the
  text from whitespace tokens with `get_final_text`, which breaks on unspaced scripts; offsets do not.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlt_bench.batching import batched_outputs
from xlt_bench.errors import XltBenchError
from xlt_bench.runners.base import Job, Runner

MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _truncate_question(tokenizer: Any, question: str, max_tokens: int) -> str:
    question = question.lstrip()
    encoded = tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)
    if len(encoded["input_ids"]) <= max_tokens:
        return question
    return question[: encoded["offset_mapping"][max_tokens - 1][1]]


def qa_features(tokenizer: Any, questions: list[str], contexts: list[str], inference: Mapping[str, Any]) -> list[dict]:
    """One feature per window: model inputs plus `example` (its example index), `offsets` (context character
    spans per position, None outside the context) and `doc_start` (index of its first context token in the
    whole context's token sequence: windows overlap, and this identifies a token across windows)."""
    if not getattr(tokenizer, "is_fast", False):
        raise XltBenchError(f"{tokenizer.name_or_path}: extractive QA needs a fast tokenizer (character offsets)")
    specials = tokenizer.num_special_tokens_to_add(pair=True)
    features = []
    for index, (question, context) in enumerate(zip(questions, contexts)):
        question = _truncate_question(tokenizer, question, inference["max_query_length"])
        question_tokens = len(tokenizer(question, add_special_tokens=False)["input_ids"])
        capacity = inference["max_length"] - question_tokens - specials
        if capacity <= 0:
            raise XltBenchError(f"max_length {inference['max_length']} leaves no room for the context of a question")
        overlap = max(capacity - inference["doc_stride"], 0)
        encoded = tokenizer(
            question,
            context,
            truncation="only_second",
            max_length=inference["max_length"],
            stride=overlap,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        for window in range(len(encoded["input_ids"])):
            in_context = [sequence == 1 for sequence in encoded.sequence_ids(window)]
            offsets = [span if inside else None for span, inside in zip(encoded["offset_mapping"][window], in_context)]
            inputs = {name: encoded[name][window] for name in MODEL_INPUTS if name in encoded}
            doc_start = window * (capacity - overlap)
            features.append({**inputs, "example": index, "offsets": offsets, "doc_start": doc_start})
    return features


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


def best_answers(
    features: list[dict], logits: list[Any], contexts: list[str], inference: Mapping[str, Any]
) -> list[str]:
    """The highest-scoring valid span of every example (empty string when there is none)."""
    best: list[tuple[float, str]] = [(float("-inf"), "") for _ in contexts]
    owned = _max_context(features)
    n_best, longest = inference["n_best"], inference["max_answer_length"]
    for number, (feature, rows) in enumerate(zip(features, logits)):
        offsets = feature["offsets"]
        rows = rows[: len(offsets)]
        starts = rows[:, 0].topk(min(n_best, len(offsets))).indices.tolist()
        ends = rows[:, 1].topk(min(n_best, len(offsets))).indices.tolist()
        for start in starts:
            if offsets[start] is None or start not in owned[number]:
                continue
            for end in ends:
                if offsets[end] is None or end < start or end - start + 1 > longest:
                    continue
                score = float(rows[start, 0] + rows[end, 1])
                example = feature["example"]
                if score > best[example][0]:
                    best[example] = (score, contexts[example][offsets[start][0] : offsets[end][1]])
    return [text for _, text in best]


class ExtractiveQARunner(Runner):
    type = "extractive_qa"
    role = "question-answering"
    description = "an answer span per question in its context (XQuAD, MLQA, TyDiQA-GoldP)"
    inference_required = ("max_length", "doc_stride", "max_query_length", "max_answer_length", "n_best")

    def gold(self, examples: Any) -> list[dict]:
        """A SQuAD `data` list holding just ids and answers: all the official scorers read."""
        qas = [
            {"id": qid, "answers": [{"text": t, "answer_start": s} for t, s in zip(a["text"], a["answer_start"])]}
            for qid, a in zip(examples["id"], examples["answers"])
        ]
        return [{"title": "", "paragraphs": [{"context": "", "qas": qas}]}]

    def predict(self, job: Job) -> dict[str, str]:
        import torch

        inference = job.inference
        contexts = list(job.examples["context"])
        features = qa_features(job.loaded.tokenizer, list(job.examples["question"]), contexts, inference)

        def start_end(outputs: Any, batch: Any) -> Any:
            return torch.stack([outputs.start_logits, outputs.end_logits], dim=-1)

        inputs = [{name: f[name] for name in MODEL_INPUTS if name in f} for f in features]
        logits = batched_outputs(job.loaded, inputs, job.batch_size, job.description, job.progress, start_end)
        job.details["windows"] = len(features)
        answers = best_answers(features, logits, contexts, inference)
        return dict(zip(job.examples["id"], answers))

    def samples(self, examples: Any, gold: list[dict], predictions: dict[str, str]) -> list[dict]:
        return [
            {"id": qid, "input": question, "gold": list(answers["text"]), "prediction": predictions[qid]}
            for qid, question, answers in zip(examples["id"], examples["question"], examples["answers"])
        ]
