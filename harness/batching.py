"""Length-sorted dynamic batches and the batched model pass (forward or generate) every runner shares.

Examples are sorted by token count, longest first (an out-of-memory error shows up on the first batch, not after
an hour), grouped into batches of `batch_size`, padded only to the longest member, and run under
`torch.inference_mode`. Outputs come back in the original order, so the batch size never changes predictions
beyond floating-point noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, longest batch first."""
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def _logits(outputs: Any, batch: dict[str, Any]) -> Any:
    return outputs.logits


def padded(tokenizer: Any, features: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One tensor batch padded to its longest member; a feature may hold several sequences (multiple choice:
    a list of id lists per example), which come back as (batch, choices, length) tensors."""
    if not isinstance(features[0]["input_ids"][0], list):
        return tokenizer.pad(list(features), return_tensors="pt")
    choices = len(features[0]["input_ids"])
    flat = [{k: f[k][c] for k in f} for f in features for c in range(choices)]
    batch = tokenizer.pad(flat, return_tensors="pt")
    return {name: tensor.view(len(features), choices, -1) for name, tensor in batch.items()}


def _length(feature: dict[str, Any]) -> int:
    ids = feature["input_ids"]
    return max(len(sequence) for sequence in ids) if ids and isinstance(ids[0], list) else len(ids)


def batched_outputs(
    loaded: Any,
    features: Sequence[dict[str, Any]],
    batch_size: int,
    description: str,
    progress: bool,
    select: Callable[[Any, dict[str, Any]], Any] = _logits,
    forward: Callable[..., Any] | None = None,
    **model_options: Any,
) -> list[Any]:
    """Run the model over tokenised `features` (dicts of id lists), one CPU tensor per feature (float32 when the
    output is floating point).

    `forward` is what runs on each batch (default: the model's forward pass; `model.generate` for generation), called
    as `forward(**batch, **model_options)`; `select(outputs, batch)` picks what to keep from its outputs (default:
    `outputs.logits`). Rows are padded to the batch's longest feature, so callers use only the first
    `len(input_ids)` positions (generated ids: padded to the batch's longest output).
    """
    import torch
    from tqdm.auto import tqdm

    run = forward or loaded.model
    results: list[Any] = [None] * len(features)
    batches = length_sorted_batches([_length(f) for f in features], batch_size)
    with torch.inference_mode(), tqdm(total=len(features), desc=description, disable=not progress, leave=False) as bar:
        for indices in batches:
            batch = padded(loaded.tokenizer, [features[i] for i in indices])
            batch = {name: tensor.to(loaded.device) for name, tensor in batch.items()}
            kept = select(run(**batch, **model_options), batch).cpu()
            kept = kept.float() if kept.is_floating_point() else kept
            for row, index in enumerate(indices):
                results[index] = kept[row]
            bar.update(len(indices))
    return results
