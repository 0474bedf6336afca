"""Text generation with an encoder-decoder (XGLUE QG and NTG): batched greedy or beam search, one line per input.

Sources are truncated to `max_length` tokens and decoded with `num_beams` beams (1 = greedy) for at most
`max_new_tokens` tokens, deterministically (no sampling). Outputs are decoded without special tokens and with
line breaks turned into spaces, so each prediction is one line of the submission file. Zero-shot generators tend
to answer in English ("accidental translation", XGLUE pitfall X2): when the tokenizer has language codes (mBART-50,
NLLB: `lang_code_to_id`), decoding starts with the target language's code. Every decoding setting is recorded.
"""

from __future__ import annotations

from typing import Any

from xlt_bench.batching import batched_outputs, within_reach
from xlt_bench.runners.base import Job, Runner


def _language_code(tokenizer: Any, language: str) -> tuple[str, int] | None:
    """The tokenizer's code for `language` (e.g. mBART-50's "de_DE") and its id, when it has language codes."""
    codes = getattr(tokenizer, "lang_code_to_id", None) or {}
    code = next((code for code in sorted(codes) if code == language or code.split("_")[0] == language), None)
    return (code, codes[code]) if code else None


class GenerationRunner(Runner):
    type = "generation"
    role = "seq2seq"
    description = "text from an encoder-decoder, greedy or beam search (XGLUE QG, NTG)"
    inference_required = ("max_length", "num_beams", "max_new_tokens")

    def gold(self, examples: Any) -> list[str]:
        return list(examples["target"])

    def predict(self, job: Job) -> list[str]:
        loaded, inference = job.loaded, job.inference
        options = {
            "num_beams": inference["num_beams"],
            "max_new_tokens": inference["max_new_tokens"],
            "do_sample": False,
        }
        code = _language_code(loaded.tokenizer, job.language)
        if code:
            options["forced_bos_token_id"] = code[1]
        job.details.update(
            num_beams=options["num_beams"],
            max_new_tokens=options["max_new_tokens"],
            max_length=inference["max_length"],
            do_sample=False,
            forced_language_code=code[0] if code else None,
        )
        encoded = loaded.tokenizer(
            within_reach(job.examples["source"], inference["max_length"]),
            truncation=True,
            max_length=inference["max_length"],
        )
        features = [{name: encoded[name][i] for name in encoded} for i in range(len(job.examples))]
        generated = batched_outputs(
            loaded,
            features,
            job.batch_size,
            job.description,
            job.progress,
            select=lambda ids, batch: ids,
            forward=loaded.model.generate,
            **options,
        )
        texts = loaded.tokenizer.batch_decode(generated, skip_special_tokens=True)
        return [" ".join(text.split()) for text in texts]

    def samples(self, examples: Any, gold: list[str], predictions: list[str]) -> list[dict]:
        return [
            {"id": example_id, "input": source, "gold": expected, "prediction": predicted}
            for example_id, source, expected, predicted in zip(examples["id"], examples["source"], gold, predictions)
        ]
