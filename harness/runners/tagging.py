"""Word tagging (UD-POS, PAN-X): one prediction per original word, read at its first sub-token.

Under `procedure` (`xlt_bench.procedures`):

- `xtreme` (`utils_preprocess.py` + `third_party/utils_tag.py`): every word is tokenised on its own; a word with zero
  sub-tokens, or more than fit a window, becomes the unknown token; sentences longer than the window are **split
  into segments** at word boundaries (greedily, as the preprocessing writes them) and re-joined, never truncated.
  The window keeps `max_length` - 3 sub-tokens for an XLM-R tokenizer and - 2 for any other, and a segment is
  framed `[CLS] ... [SEP]`, with a second `[SEP]` for RoBERTa-type models (`<s> ... </s></s>`: `sep_token_extra`).
- `hf` (`run_ner.py`): the words are tokenised together (`is_split_into_words`), framed by the tokenizer and
  truncated at `max_length`; the first sub-token of each word carries its prediction. `run_ner.py` scores only the
  words inside the window; xlt-bench scores every word, so a word cut off (or with no sub-token) gets the tag `O`
  (the first label when there is no `O`), and their number is recorded as `words_unpredicted`.
"""

from __future__ import annotations

from typing import Any

from xlt_bench.batching import MODEL_INPUTS, batched_outputs
from xlt_bench.errors import XltBenchError
from xlt_bench.procedures import DEFAULT_PROCEDURE, ROBERTA_TYPES, is_xlmr_tokenizer, procedure_of, procedure_problems
from xlt_bench.runners.base import Job, Runner


def xtreme_frame(tokenizer: Any, model_type: str) -> tuple[list[int], list[int], int]:
    """(prefix, suffix, special positions the split budget keeps) of XTREME's tagging features."""
    if tokenizer.cls_token_id is None or tokenizer.sep_token_id is None:
        raise XltBenchError(
            f"{tokenizer.name_or_path}: --procedure xtreme frames words with the tokenizer's cls and sep tokens, "
            "which it lacks; use --procedure hf"
        )
    suffix = [tokenizer.sep_token_id] * (2 if model_type in ROBERTA_TYPES else 1)
    # the preprocessing reserves 3 for XLM-R's tokenizer, the features need 1 + len(suffix): the larger is kept,
    # where XTREME itself would truncate the segment and misalign the tags (RoBERTa with another tokenizer)
    reserved = max(3 if is_xlmr_tokenizer(tokenizer) else 2, 1 + len(suffix))
    return [tokenizer.cls_token_id], suffix, reserved


def _segments(word_pieces: list[list[int]], budget: int) -> list[tuple[list[int], list[int]]]:
    """Greedy word-boundary split: (sub-token ids, first-sub-token position of each word) per segment."""
    segments: list[tuple[list[int], list[int]]] = []
    ids: list[int] = []
    starts: list[int] = []
    for pieces in word_pieces:
        if ids and len(ids) + len(pieces) > budget:
            segments.append((ids, starts))
            ids, starts = [], []
        starts.append(len(ids))
        ids.extend(pieces)
    if starts:
        segments.append((ids, starts))
    return segments


class TaggingRunner(Runner):
    type = "tagging"
    role = "token-classification"
    description = "a tag per word, read at its first sub-token (UD-POS, PAN-X)"
    inference_required = ("max_length",)
    inference_optional = ("procedure",)
    inference_defaults = {"procedure": DEFAULT_PROCEDURE}
    labelled = True

    def inference_problems(self, inference: Any) -> list[str]:
        return super().inference_problems(inference) + procedure_problems(inference)

    def gold(self, examples: Any) -> list[list[str]]:
        return [list(tags) for tags in examples["tags"]]

    def predict(self, job: Job) -> list[list[str]]:
        tokenizer = job.loaded.tokenizer
        if tokenizer.unk_token_id is None:
            raise XltBenchError(f"{tokenizer.name_or_path}: the tokenizer has no unknown token for empty words")
        sentences = [list(tokens) for tokens in job.examples["tokens"]]
        hf = procedure_of(job.inference) == "hf"
        features, owners = (self._hf_features if hf else self._xtreme_features)(job, sentences)
        logits = batched_outputs(job.loaded, features, job.batch_size, job.description, job.progress)
        labels = job.plan.labels
        filler = "O" if "O" in labels.values() else labels[min(labels)]
        predictions: list[list[str | None]] = [[None] * len(words) for words in sentences]
        for (index, words, positions), rows in zip(owners, logits):
            best = rows[positions].argmax(dim=-1).tolist() if positions else []
            for word, label in zip(words, best):
                predictions[index][word] = labels[label]
        if hf:
            job.details["words_unpredicted"] = sum(tag is None for tags in predictions for tag in tags)
        return [[filler if tag is None else tag for tag in tags] for tags in predictions]

    @staticmethod
    def _xtreme_features(job: Job, sentences: list[list[str]]) -> tuple[list[dict], list[tuple]]:
        tokenizer = job.loaded.tokenizer
        flat = [word for words in sentences for word in words]
        pieces = tokenizer(flat, add_special_tokens=False)["input_ids"] if flat else []
        prefix, suffix, reserved = xtreme_frame(tokenizer, job.loaded.model.config.model_type)
        budget = job.inference["max_length"] - reserved
        features, owners, cursor = [], [], 0
        for index, words in enumerate(sentences):
            word_pieces = [
                pieces[cursor + k] if 0 < len(pieces[cursor + k]) <= budget else [tokenizer.unk_token_id]
                for k in range(len(words))
            ]
            first_word = 0
            for ids, starts in _segments(word_pieces, budget):
                input_ids = [*prefix, *ids, *suffix]
                features.append({"input_ids": input_ids, "attention_mask": [1] * len(input_ids)})
                owners.append((index, range(first_word, first_word + len(starts)), [len(prefix) + s for s in starts]))
                first_word += len(starts)
            cursor += len(words)
        return features, owners

    @staticmethod
    def _hf_features(job: Job, sentences: list[list[str]]) -> tuple[list[dict], list[tuple]]:
        tokenizer = job.loaded.tokenizer
        if not sentences:
            return [], []
        encoded = tokenizer(
            sentences, is_split_into_words=True, truncation=True, max_length=job.inference["max_length"]
        )
        features, owners = [], []
        for index in range(len(sentences)):
            words, positions, previous = [], [], None
            for position, word in enumerate(encoded.word_ids(index)):
                if word is not None and word != previous:
                    words.append(word)
                    positions.append(position)
                previous = word
            features.append({name: encoded[name][index] for name in MODEL_INPUTS if name in encoded})
            owners.append((index, words, positions))
        return features, owners

    def samples(self, examples: Any, gold: list[list[str]], predictions: list[list[str]]) -> list[dict]:
        return [
            {"id": example_id, "input": list(tokens), "gold": expected, "prediction": predicted}
            for example_id, tokens, expected, predicted in zip(examples["id"], examples["tokens"], gold, predictions)
        ]
