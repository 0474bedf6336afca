"""Inference procedures: how a checkpoint's outputs become predictions, named so that a number is only compared
with numbers of the same procedure (like `--seqeval-rules` for scoring).

The scorers equal the official ones value for value; the step before scoring decides as much. Two procedures are
implemented exactly, for the task types where the official scripts decide something (tagging, extractive QA, the
retrieval layer and pooling), chosen with the inference parameter `procedure` (`eval --procedure`):

- `xtreme` (default): google-research/xtreme as it produced the published XTREME numbers, at commit
  `XTREME_COMMIT` (2020-06-04): `utils_preprocess.py` + `third_party/utils_tag.py` for tagging,
  `third_party/processors/squad.py` + transformers 2.x `squad_metrics.compute_predictions_logits` for QA,
  `third_party/run_retrieval.py` with `scripts/run_bucc2018.sh` / `run_tatoeba.sh` for retrieval.
- `hf`: Hugging Face's current example scripts, which most checkpoints on the Hub were fine-tuned and evaluated
  with: `run_ner.py` (first sub-token of each word, truncation) and `run_qa.py` + `utils_qa.postprocess_qa_predictions`;
  for retrieval, the checkpoint's own sentence-embedding declaration or else the last layer, mean-pooled.

Each runner's docstring lists what it does under each procedure; the procedure is part of every unit's signature,
recorded in `results.json` and compared by the leaderboard and `compare`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROCEDURES = ("xtreme", "hf")
DEFAULT_PROCEDURE = "xtreme"
XTREME_COMMIT = "9e562ff797b8a5cf21539bc6e913bbabc4c9859b"  # google-research/xtreme, 2020-06-04

# model types XTREME's scripts frame as RoBERTa (`sep_token_extra`: `<s> tokens </s></s>` for a single sequence)
ROBERTA_TYPES = ("roberta", "xlm-roberta")


def procedure_of(inference: Mapping[str, Any]) -> str:
    return inference.get("procedure", DEFAULT_PROCEDURE)


def procedure_problems(inference: Mapping[str, Any]) -> list[str]:
    """What is wrong with the `procedure` parameter (empty when nothing is)."""
    procedure = procedure_of(inference)
    if procedure not in PROCEDURES:
        return [f"procedure {procedure!r}; expected one of {', '.join(PROCEDURES)}"]
    return []


def tokenizer_family(tokenizer: Any) -> str:
    """ "wordpiece" (BERT's `##` continuations), "sentencepiece" (`▁` word starts: XLM-R, mT5) or "bpe"
    (XLM's `</w>` word ends): how sub-tokens join back into text, as transformers 2.x's tokenizers did it."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    model = type(backend.model).__name__ if backend is not None else ""
    if model == "WordPiece":
        return "wordpiece"
    if model == "Unigram" or "XLMRoberta" in type(tokenizer).__name__:
        return "sentencepiece"
    if getattr(getattr(backend, "model", None), "end_of_word_suffix", None) == "</w>":
        return "bpe"
    vocab = tokenizer.get_vocab()
    if any(token.startswith("##") for token in vocab):
        return "wordpiece"
    return "sentencepiece" if any(token.startswith("\u2581") for token in vocab) else "bpe"


def is_xlmr_tokenizer(tokenizer: Any) -> bool:
    """XTREME's preprocessing keeps 3 special positions for `XLMRobertaTokenizer` and 2 for every other class."""
    return type(tokenizer).__name__.startswith("XLMRobertaTokenizer")


def procedure_record(inference: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    """What `results.json` says of how a task's predictions were made: its procedure, and the layer and pooling an
    embedding task ran with (from a unit's details), with the sentence-encoder modules it did not run; empty where no
    procedure applies."""
    record = {"name": inference["procedure"]} if "procedure" in inference else {}
    record.update({key: details[key] for key in ("layer", "pooling", "modules_not_applied") if key in details})
    return record
